/* fuzz_h1.c -- the HTTP/1.1 response parser (lt_h1_parse) on any bytes,
 * as a hostile server would send them, and the request builder on any
 * header value.
 *
 * Input: the first byte picks how the rest is read (bit 0: the answer to
 * a HEAD request; bits 1-7: a piece size, 0 meaning whole); the rest is
 * the response.
 *
 * Promises checked:
 *   - the same bytes give the same verdict, status, keep-alive, body and
 *     bytes used whether they come whole, in pieces, or byte by byte;
 *   - *used never passes the bytes given, and MORE uses them all;
 *   - body bytes never outnumber the input, and the carry buffer never
 *     holds more than LT_H1_MAX_HEAD;
 *   - a finished parser takes no more bytes;
 *   - a request built with the input as a header value either fails or
 *     holds exactly one blank line, at the end of its head (no header
 *     injection).
 */
#include "fuzz.h"

#include "h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct h1_fuzz_got {
	lt_h1_result r;
	int status;
	bool keep_alive;
	size_t used;
	uint64_t body_bytes, body_sum;
};

static void h1_fuzz_body(void *arg, const char *data, size_t len)
{
	struct h1_fuzz_got *g = arg;
	for (size_t i = 0; i < len; i++)
		g->body_sum = g->body_sum * 31 + (unsigned char)data[i];
}

static struct h1_fuzz_got h1_fuzz_feed(const char *text, size_t len, bool head, size_t piece)
{
	struct lt_h1_parser p = {0};
	struct h1_fuzz_got g = {.r = LT_H1_MORE};
	size_t at = 0;

	lt_h1_parser_start(&p, head, h1_fuzz_body, &g);
	do {
		size_t n = piece && len - at > piece ? piece : len - at, used = 99;
		g.r = lt_h1_parse(&p, text + at, n, &used);
		if (used > n)
			fuzz_fail("used %zu of %zu bytes", used, n);
		if (g.r == LT_H1_MORE && used != n)
			fuzz_fail("MORE after using %zu of %zu bytes", used, n);
		if (p.carry_cap > 2 * LT_H1_MAX_HEAD)
			fuzz_fail("carry buffer of %zu bytes", p.carry_cap);
		g.used += used;
		at += n;
	} while (g.r == LT_H1_MORE && at < len);
	if (g.r == LT_H1_MORE)
		g.r = lt_h1_parser_eof(&p);
	if (g.r == LT_H1_DONE) {
		size_t used = 99;
		if (lt_h1_parse(&p, "x", 1, &used) != LT_H1_DONE || used != 0)
			fuzz_fail("a finished parser took more bytes");
	}
	if (g.r == LT_H1_MALFORMED && !p.error)
		fuzz_fail("MALFORMED without a reason");
	g.status = p.status;
	g.keep_alive = p.keep_alive;
	g.body_bytes = p.body_bytes;
	if (g.body_bytes > len)
		fuzz_fail("%llu body bytes from %zu bytes", (unsigned long long)g.body_bytes, len);
	lt_h1_parser_clear(&p);
	return g;
}

static void h1_fuzz_same(const struct h1_fuzz_got *a, const struct h1_fuzz_got *b, const char *how)
{
	if (a->r != b->r)
		fuzz_fail("%s: verdict %d, whole %d", how, b->r, a->r);
	if (a->r != LT_H1_DONE)
		return;
	if (a->status != b->status || a->keep_alive != b->keep_alive || a->used != b->used ||
	    a->body_bytes != b->body_bytes || a->body_sum != b->body_sum)
		fuzz_fail("%s: a different response (status %d/%d, used %zu/%zu)", how, b->status,
			  a->status, b->used, a->used);
}

static void h1_fuzz_request(const uint8_t *data, size_t size)
{
	char *value = fuzz_cstr(data, size), *out = NULL;
	struct lt_h1_header h = {"X-Fuzz", value};
	struct lt_h1_request r = {.method = "GET", .target = "/", .host = "h",
				  .headers = &h, .n_headers = 1};
	struct lt_err err = {0};
	size_t len = 0;

	if (!value)
		return;
	if (lt_h1_request_build(&r, &out, &len, &err) == LT_OK) {
		char *blank = memmem(out, len, "\r\n\r\n", 4);
		if (!blank || (size_t)(blank - out) + 4 != len)
			fuzz_fail("the request's head does not end once, at its end");
		for (size_t i = 0; i + 1 < len; i++)
			if ((out[i] == '\n') != (i > 0 && out[i - 1] == '\r'))
				fuzz_fail("a bare CR or LF in the request at %zu", i);
		free(out);
	}
	free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool head = data[0] & 1;
	size_t piece = data[0] >> 1;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	struct h1_fuzz_got whole = h1_fuzz_feed(text, len, head, 0);
	struct h1_fuzz_got g = h1_fuzz_feed(text, len, head, piece ? piece : 3);
	h1_fuzz_same(&whole, &g, "in pieces");
	if (len <= 4096) {
		g = h1_fuzz_feed(text, len, head, 1);
		h1_fuzz_same(&whole, &g, "byte by byte");
	}
	h1_fuzz_request(data, size);
	return 0;
}
