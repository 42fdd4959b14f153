/*
 * journal_int.h - the journal's internals, for agent/journal/ only.
 *
 * journal.c owns the file (lock, append, fsync, compaction),
 * journal_frame.c the record framing and the damage rules,
 * journal_model.c what the records mean (the unsettled runs),
 * journal_items.c the nodes and exec undos among them,
 * journal_write.c the typed records a run writes,
 * journal_cluster.c which cluster a run acted on and whether it is held,
 * journal_state.c every journal under a state directory,
 * journal_reconcile.c restores what a dead process left behind
 * (journal_reconcile_exec.c its exec undos, journal_reconcile_node.c its nodes).
 */
#ifndef FAULTLINE_JOURNAL_INT_H
#define FAULTLINE_JOURNAL_INT_H

#include "faultline/journal.h"

#define JOURNAL_HEADER 12u
/* A journal is compacted as runs settle; anything larger is not one (a symlink to /dev/zero?). */
#define JOURNAL_MAX_BYTES (256u * 1024 * 1024)
#define JOURNAL_MAX_FIELD 64u /* fields per record beyond the pre-run items */

/* One record exactly as it is in the file (header and body). */
struct journal_raw {
	unsigned char *bytes;
	size_t len;
};

struct journal {
	char *dir;
	char *path;
	int fd;
	int lockfd;
	uint64_t size;
	uint64_t compact_bytes;
	uint64_t live; /* bytes of unsettled records at the last compaction */
	bool broken;   /* a failed write could not be cut back: refuse further appends */
	struct journal_run *runs;
};

/* Called per valid record; fields point into a scratch copy valid for the call. */
typedef int (*journal_rec_cb)(unsigned type, char **fields, size_t nfields, const unsigned char *frame, size_t len,
                              void *arg, struct fl_err *e);

/*
 * Walk the records in buf. A torn last record (short, or failing its
 * checksum with nothing after it) ends the walk: *valid_end says where the
 * good records stop. Damage with records after it is an error.
 */
int journal_scan(const unsigned char *buf, size_t size, journal_rec_cb cb, void *arg, size_t *valid_end,
                 struct fl_err *e);
/* Frame a record; caller frees. */
unsigned char *journal_frame(unsigned type, const char *const *fields, size_t n, size_t *len);
const char *journal_type_str(unsigned type);

/* Apply one record to j->runs (frame kept for compaction while the run is unsettled). */
int journal_apply(struct journal *j, unsigned type, char **fields, size_t n, const unsigned char *frame, size_t len,
                  struct fl_err *e);
struct journal_run *journal_find(const struct journal *j, const char *id);
void journal_runs_free(struct journal *j);

/* journal_items.c: NODE and EXEC_UNDO records, and the RESTORED records that settle them. */
int journal_items_apply(struct journal_run *r, unsigned type, char **f, size_t n, struct fl_err *e);
void journal_items_restored(struct journal_run *r, const char *what, bool ok);
void journal_items_free(struct journal_run *r);
/* A NULL-terminated argv we own; NULL is a no-op. */
void journal_argv_free(char **v);

/*
 * journal_cluster.c: RUN_START's optional tail f[0..n) (node command timeout,
 * down argc, down argv..., up argc, up argv...) into r; n == 0 (a journal
 * written before the tail existed, or a plan without node commands) is none.
 */
int journal_node_cmds_parse(struct journal_run *r, char **f, size_t n, struct fl_err *e);

/* journal_reconcile_exec.c: run run id's unrun exec undos, newest first; -1 only if the journal failed. */
int journal_reconcile_execs(struct journal *j, const char *id, FILE *progress, struct fl_err *e);
/* journal_reconcile_node.c: bring run id's unverified nodes back through c; -1 only if the journal failed. */
int journal_reconcile_nodes(struct journal *j, const char *id, const struct restore_ctx *c, struct fl_err *e);

/* Append one framed record (fdatasync'd when sync) and apply it. */
int journal_append(struct journal *j, unsigned type, const char *const *fields, size_t n, bool sync, struct fl_err *e);

#endif
