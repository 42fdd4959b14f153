/*
 * cmd_report.c - `faultline report RESULT.json [--html FILE] [--junit FILE]`:
 * re-render a finished run from its JSON record. The text summary goes to
 * stdout unless an output file was asked for (then only with --text).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "faultline/cmd.h"
#include "faultline/report.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline report [--html FILE] [--junit FILE] [--text] RESULT.json\n"
	           "  --html FILE    write the HTML report: timeline, SLOs, trials, restore, identity\n"
	           "  --junit FILE   write JUnit XML: one testcase per SLO and per trial\n"
	           "  --text         also print the text summary (the default without --html/--junit)\n"
	           "exit codes: 0 written, 2 unreadable record or usage, 4 an output could not be written\n");
}

static int write_out(const char *path, const struct run_record *r,
                     int (*fn)(const struct run_record *, FILE *, struct fl_err *))
{
	struct fl_err e = {0};
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	int rc = fn(r, f, &e);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "faultline report: %s: %s\n", path, rc < 0 ? e.msg : "close failed");
		return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"html", required_argument, NULL, 'H'},
	    {"junit", required_argument, NULL, 'u'},
	    {"text", no_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *html = NULL, *junit = NULL;
	bool text = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "H:u:th", opts, NULL)) != -1) {
		if (c == 'H')
			html = optarg;
		else if (c == 'u')
			junit = optarg;
		else if (c == 't')
			text = true;
		else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? FL_EXIT_OK : FL_EXIT_INVALID;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return FL_EXIT_INVALID;
	}
	struct run_record r;
	struct fl_err e = {0};
	if (report_json_read(argv[optind], &r, &e) < 0) {
		fprintf(stderr, "faultline report: %s\n", e.msg);
		return FL_EXIT_INVALID;
	}
	int code = FL_EXIT_OK;
	if (html != NULL && write_out(html, &r, report_html_write) < 0)
		code = FL_EXIT_BACKEND;
	if (junit != NULL && write_out(junit, &r, report_junit_write) < 0)
		code = FL_EXIT_BACKEND;
	if (text || (html == NULL && junit == NULL)) {
		const char *nc = getenv("NO_COLOR");
		report_text_write(&r, stdout, isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0'));
	}
	record_fini(&r);
	return code;
}
