/*
 * pacemaker_watch_none.c - the CIB watcher when faultline is built without
 * pacemaker-cib (pacemaker-dev not installed): the backend polls crm_mon.
 */
#include <stddef.h>

#include "pacemaker_int.h"

struct pcmk_watch *pcmk_watch_start(int efd, struct fl_err *e)
{
	(void)efd;
	err_set(e, "built without CIB notifications (install pacemaker-dev and rebuild)");
	return NULL;
}

void pcmk_watch_stop(struct pcmk_watch *w)
{
	(void)w;
}

uint64_t pcmk_watch_take_time(struct pcmk_watch *w)
{
	(void)w;
	return 0;
}

bool pcmk_watch_lost(struct pcmk_watch *w)
{
	(void)w;
	return false;
}
