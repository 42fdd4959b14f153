#include "faultline/probe.h"
static int no_init(struct probe *p, struct fl_err *e) { (void)p; return err_set(e, "not built yet"); }
static void nop(struct probe *p) { (void)p; }
const struct probe_ops probe_http_ops = {.name = "http", .init = no_init, .start = nop, .cancel = nop};
const struct probe_ops probe_exec_ops = {.name = "exec", .init = no_init, .start = nop, .cancel = nop};
