/*
 * fuzz_proto.c - libFuzzer harness for the adapter protocol: the byte
 * stream split into bounded lines, each decoded as an adapter's message
 * (faultline's side) and as a request (the adapter's side); what decodes is
 * encoded again, and an error reply must itself decode (an error cut at a
 * fixed size used to split UTF-8 and be refused by our own decoder).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/err.h"
#include "faultline/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void request(const char *line, size_t len)
{
	struct proto_request rq;
	struct fl_err e;
	if (proto_request_decode(line, len, &rq, &e) == 0) {
		free(proto_request_encode(&rq));
		proto_request_fini(&rq);
		return;
	}
	char *reply = proto_serve_error(&e);
	struct proto_msg m;
	struct fl_err e2;
	if (proto_msg_decode(reply, strlen(reply), &m, &e2) != 0)
		abort(); /* our own error reply must be valid protocol */
	proto_msg_fini(&m);
	free(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_reader r;
	proto_reader_init(&r, 4096);
	proto_reader_feed(&r, (const char *)data, size);
	proto_reader_feed(&r, "\n", 1);
	const char *line;
	size_t len;
	struct fl_err e;
	for (int n = 0; n < 64; n++) {
		int rc = proto_reader_next(&r, &line, &len, &e);
		if (rc == 0)
			break;
		if (rc < 0)
			continue;
		struct proto_msg m;
		if (proto_msg_decode(line, len, &m, &e) == 0)
			proto_msg_fini(&m);
		request(line, len);
	}
	proto_reader_fini(&r);
	return 0;
}
