/*
 * faultline-wsfc.c - the WSFC adapter: the exec protocol
 * (docs/exec-protocol.md) on stdin/stdout, answered with the Failover
 * Cluster API. Usage: faultline-wsfc.exe [CLUSTER]  (default: the cluster
 * of this node). Drive it from Linux with
 *   cluster: { backend: exec, command: [ssh, admin@node1, faultline-wsfc.exe] }
 *
 * Requests are read and answered on the main thread by the same
 * proto_serve_line the Linux side tests; a second thread writes events.
 * Both write whole lines under one lock, so lines never interleave.
 */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/log.h"
#include "faultline/util.h"
#include "wsfc.h"

int wmain(int argc, wchar_t **argv); /* -municode entry point */

static CRITICAL_SECTION out_lock;

void wsfc_write_line(const char *line)
{
	HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
	size_t n = strlen(line), off = 0;
	EnterCriticalSection(&out_lock);
	while (off < n) {
		DWORD wrote = 0;
		if (!WriteFile(out, line + off, (DWORD)(n - off), &wrote, NULL) || wrote == 0)
			break; /* the client is gone; the read loop will see EOF */
		off += wrote;
	}
	LeaveCriticalSection(&out_lock);
}

/*
 * The hello: node pause and resume (no node_down / node_up: ClusAPI cannot crash a node), the offline flags
 * ClusAPI can express (wsfc_api.c maps them: OfflineClusterResourceEx without a
 * destination, MoveClusterGroupEx with one; a flag the chosen call lacks is refused per request).
 */
static char *hello_line(const char *cluster, bool events)
{
	struct proto_hello h = {
	    .version = PROTO_VERSION,
	    .cluster = (char *)(cluster ? cluster : "local"),
	    .ops = PROTO_CAN_LIST | PROTO_CAN_STATE | PROTO_CAN_FAIL | PROTO_CAN_OFFLINE | PROTO_CAN_ONLINE |
	           PROTO_CAN_MOVE | PROTO_CAN_OFFLINE_DESTINATION | PROTO_CAN_NODE_PAUSE | PROTO_CAN_NODE_RESUME |
	           (events ? PROTO_CAN_EVENTS : 0),
	    .offline_flags = OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE |
	                     OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR | OFFLINE_QUEUE_ENABLED,
	};
	return proto_hello_encode(&h);
}

/* Read and answer requests until EOF (0) or a line too long to be one (-1, answered first). */
static int serve(struct wsfc *w, const struct proto_hello *h)
{
	int ret = 0;
	HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
	struct proto_reader rd;
	proto_reader_init(&rd, PROTO_MAX_LINE);
	for (;;) {
		char buf[65536];
		DWORD got = 0;
		if (!ReadFile(in, buf, sizeof(buf), &got, NULL) || got == 0)
			break; /* EOF: the client is done */
		proto_reader_feed(&rd, buf, got);
		const char *line;
		size_t len;
		struct fl_err e;
		int rc;
		while ((rc = proto_reader_next(&rd, &line, &len, &e)) == 1) {
			char *out = proto_serve_line(&wsfc_adapter_ops, w, h, line, len);
			if (out != NULL) /* NULL: a blank line, no request */
				wsfc_write_line(out);
			free(out);
		}
		if (rc < 0) { /* the stream has lost its line boundaries: answer, then end the session */
			char *out = proto_serve_error(&e);
			wsfc_write_line(out);
			free(out);
			fprintf(stderr, "faultline-wsfc: %s\n", e.msg);
			ret = -1;
			break;
		}
	}
	proto_reader_fini(&rd);
	return ret;
}

int wmain(int argc, wchar_t **argv)
{
	/* "\n" on stdout and stderr, not the CRT's "\r\n": the other end is a Linux agent reading lines */
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
	if (argc > 2 || (argc == 2 && (wcscmp(argv[1], L"-h") == 0 || wcscmp(argv[1], L"--help") == 0))) {
		fprintf(stderr, "usage: faultline-wsfc.exe [CLUSTER]\n"
		                "  speaks the faultline exec adapter protocol on stdin/stdout\n");
		return 2;
	}
	char *cluster = argc == 2 ? wsfc_utf8(argv[1]) : NULL;
	struct wsfc w;
	struct fl_err e;
	InitializeCriticalSection(&out_lock);
	if (wsfc_open(&w, cluster, &e) < 0) {
		fprintf(stderr, "faultline-wsfc: %s\n", e.msg);
		return 1;
	}
	bool events = wsfc_events_start(&w, &e) == 0;
	if (!events)
		fprintf(stderr, "faultline-wsfc: no events (%s); faultline will poll\n", e.msg);
	char *hello = hello_line(cluster, events);
	struct proto_msg m;
	if (proto_msg_decode(hello, strlen(hello) - 1, &m, &e) < 0) /* our own hello, as the client will read it */
		fatalx("faultline-wsfc: own hello: %s", e.msg);
	wsfc_write_line(hello);
	free(hello);
	wsfc_events_go();
	int rc = serve(&w, &m.hello);
	wsfc_events_stop(&w);
	proto_msg_fini(&m);
	wsfc_close(&w);
	free(cluster);
	return rc < 0 ? 1 : 0;
}
