/*
 * cmd.h - the subcommands of the faultline binary and its exit codes.
 *
 * Each subcommand lives in its own agent/cmd_<name>.c and returns the
 * process exit status.
 */
#ifndef FAULTLINE_CMD_H
#define FAULTLINE_CMD_H

/* Exit codes (documented in README and docs/). */
#define FL_EXIT_OK      0 /* all SLOs pass / command succeeded */
#define FL_EXIT_SLO     1 /* an SLO failed */
#define FL_EXIT_INVALID 2 /* invalid plan or usage */
#define FL_EXIT_ABORTED 3 /* aborted: guard, not steady, signal */
#define FL_EXIT_BACKEND 4 /* backend or environment error */

int cmd_validate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_abort(int argc, char **argv);
int cmd_select(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_sim_adapter(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
