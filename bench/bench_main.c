/*
 * bench_main.c - `bench/faultline-bench [--smoke] [--only SECTION] [--json FILE]`:
 * run every section, print the table, write the JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bench.h"
#include "faultline/log.h"

static const struct bench_size full = {
    .name = "full",
    .acc_trials = 200,
    .acc_lanes = 8,
    .sched_n = 1000,
    .sched_every_ns = 10000000,
    .ovh_probes = {100, 1000, 5000},
    .ovh_seconds = 30,
    .scale_resources = {1000, 10000, 100000},
    .scale_injections = 1000,
    .parse_bytes = {100u << 10, 1u << 20, 10u << 20},
};

/* Tiny: proves every section still works, in a few seconds. */
static const struct bench_size smoke = {
    .name = "smoke",
    .acc_trials = 6,
    .acc_lanes = 2,
    .sched_n = 30,
    .sched_every_ns = 10000000,
    .ovh_probes = {10, 20, 40},
    .ovh_seconds = 4,
    .scale_resources = {100, 300, 1000},
    .scale_injections = 50,
    .parse_bytes = {16u << 10, 64u << 10, 256u << 10},
};

static const struct {
	const char *name;
	int (*run)(struct bench *b, struct fl_err *e);
} sections[] = {
    {"accuracy", bench_accuracy}, {"sched", bench_sched}, {"overhead", bench_overhead},
    {"scale", bench_scale},       {"parse", bench_parse},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline-bench [--smoke] [--only SECTION] [--json FILE] [--faultline BIN] [--workdir DIR]\n"
	           "                       [--probes N1,N2,N3] [--seconds S]   (the overhead curve)\n"
	           "sections: accuracy sched overhead scale parse\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"smoke", no_argument, NULL, 's'},
	    {"only", required_argument, NULL, 'o'},
	    {"json", required_argument, NULL, 'j'},
	    {"faultline", required_argument, NULL, 'f'},
	    {"workdir", required_argument, NULL, 'w'},
	    {"probes", required_argument, NULL, 'p'},
	    {"seconds", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct bench b = {.size = full, .faultline = "./faultline", .workdir = "build/bench"};
	const char *only = NULL, *json = "bench/results.json";
	unsigned probes[3] = {0, 0, 0}, seconds = 0;
	int c;
	while ((c = getopt_long(argc, argv, "so:j:f:w:p:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			b.size = smoke;
			break;
		case 'o':
			only = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'f':
			b.faultline = optarg;
			break;
		case 'w':
			b.workdir = optarg;
			break;
		case 'p': /* the overhead curve: N1,N2,N3 */
			if (sscanf(optarg, "%u,%u,%u", &probes[0], &probes[1], &probes[2]) != 3) {
				usage(stderr);
				return 2;
			}
			break;
		case 'S':
			seconds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (probes[0] != 0)
		memcpy(b.size.ovh_probes, probes, sizeof(probes));
	if (seconds != 0)
		b.size.ovh_seconds = seconds;
	log_init(LOG_LVL_WARN, 0);
	mkdir(b.workdir, 0755);
	/* 1,000 probes and their listeners need more descriptors than the usual 1024. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int failed = 0;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (only != NULL && strcmp(only, sections[i].name) != 0)
			continue;
		struct fl_err e = {0};
		fprintf(stderr, "bench: %s (%s size) ...\n", sections[i].name, b.size.name);
		if (sections[i].run(&b, &e) < 0) {
			fprintf(stderr, "bench: %s: could not measure: %s\n", sections[i].name, e.msg);
			failed = 1;
		}
	}
	bench_print(&b, stdout);
	struct fl_err e;
	if (bench_write_json(&b, json, &e) < 0) {
		fprintf(stderr, "bench: %s\n", e.msg);
		failed = 1;
	} else {
		printf("\nwritten: %s\n", json);
	}
	bench_fini(&b);
	return failed;
}
