/*
 * testkill.h - deterministic crash points for the crash test.
 *
 * FAULTLINE_TEST_KILL_AT=POINT:N makes the process SIGKILL itself the N-th
 * time it reaches POINT (N defaults to 1). Unset, every call is a string
 * compare at most: the points sit where a real crash hurts most (between
 * journal and injection, mid-restore), not in hot loops.
 */
#ifndef FAULTLINE_TESTKILL_H
#define FAULTLINE_TESTKILL_H

/*
 * Points: run-start, before-intent, intent, injected, restore-undo,
 * restore-action, restore-exec (an exec undo ran and is journaled),
 * restored.
 */
void testkill_at(const char *point);

#endif
