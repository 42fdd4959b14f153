/*
 * pacemaker.h - the "pacemaker" backend's ops table, for the registry.
 * See docs/backends.md for what each operation does on a Pacemaker cluster.
 */
#ifndef FAULTLINE_PACEMAKER_H
#define FAULTLINE_PACEMAKER_H

#include "faultline/cluster.h"

extern const struct cluster_ops pacemaker_cluster_ops;

#endif
