/* regex.c - PCRE2 compile/match wrapper with optional JIT. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "faultline/regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "faultline/log.h"
#include "faultline/util.h"

struct fl_regex {
	pcre2_code *code;
	char *pattern;
	bool jit;
};

static bool jit_enabled = true;

void regex_set_jit(bool on)
{
	jit_enabled = on;
}

/*
 * FAULTLINE_NO_JIT=1 turns the JIT off for the whole process: valgrind
 * cannot follow PCRE2's generated code (CI runs the demo under it).
 */
static bool jit_disabled_by_env(void)
{
	const char *v = getenv("FAULTLINE_NO_JIT");
	return v != NULL && v[0] != '\0' && v[0] != '0';
}

struct fl_regex *regex_compile(const char *pattern, size_t *erroff, char *errbuf, size_t errlen)
{
	int errcode;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode, &off, NULL);
	if (code == NULL) {
		if (errbuf != NULL && errlen > 0)
			pcre2_get_error_message(errcode, (PCRE2_UCHAR *)errbuf, errlen);
		if (erroff != NULL)
			*erroff = off;
		return NULL;
	}
	struct fl_regex *re = xcalloc(1, sizeof(*re));
	re->code = code;
	re->pattern = xstrdup(pattern);
	re->jit = jit_enabled && !jit_disabled_by_env() && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	return re;
}

void regex_free(struct fl_regex *re)
{
	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	free(re->pattern);
	free(re);
}

int regex_match(const struct fl_regex *re, const char *subject, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	if (md == NULL)
		return -1;
	int rc;
	if (re->jit)
		rc = pcre2_jit_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, md, NULL);
	else
		rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

struct fl_regex_scratch {
	pcre2_match_data *md;
	int rc; /* last result, for regex_scratch_error */
};

struct fl_regex_scratch *regex_scratch_new(void)
{
	struct fl_regex_scratch *s = xcalloc(1, sizeof(*s));
	s->md = pcre2_match_data_create(1, NULL);
	if (s->md == NULL)
		fatalx("out of memory creating PCRE2 match data");
	return s;
}

void regex_scratch_free(struct fl_regex_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	free(s);
}

int regex_match_with(const struct fl_regex *re, struct fl_regex_scratch *s, const char *subject, size_t len)
{
	int rc;
	if (re->jit)
		rc = pcre2_jit_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, s->md, NULL);
	else
		rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, s->md, NULL);
	s->rc = rc;
	/* rc == 0 means "matched, ovector too small": still a match. */
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

bool regex_is_jit(const struct fl_regex *re)
{
	return re->jit;
}

const char *regex_scratch_error(const struct fl_regex_scratch *s, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (s->rc >= 0 || s->rc == PCRE2_ERROR_NOMATCH || pcre2_get_error_message(s->rc, (PCRE2_UCHAR *)buf, len) < 0)
		snprintf(buf, len, "no error");
	return buf;
}

const char *regex_pattern(const struct fl_regex *re)
{
	return re->pattern;
}
