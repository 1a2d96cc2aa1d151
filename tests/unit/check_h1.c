/* check_h1.c -- the HTTP/1.1 response parser and request builder (h1.c).
 *
 * Every well-formed response is fed whole, byte by byte, and split in two
 * at every boundary, and must give the same status, body and keep-alive
 * verdict each way: a parser that depends on where reads end is the bug
 * these tests exist for.  Malformed answers must be refused (MALFORMED),
 * however they are split.
 */
#include "unit.h"
#include "h1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct got {
	lt_h1_result r;
	int status;
	bool keep_alive;
	char body[4096];
	size_t body_len;
	size_t used;          /* bytes the response took */
	bool overflow;
};

static void collect(void *arg, const char *data, size_t len)
{
	struct got *g = arg;
	if (g->body_len + len > sizeof g->body) {
		g->overflow = true;
		return;
	}
	memcpy(g->body + g->body_len, data, len);
	g->body_len += len;
}

/* Feed text[0..len) in pieces ending at the offsets cuts[0..n_cuts)
 * (increasing, < len), then the rest; eof: then report a close. */
static struct got feed(const char *text, size_t len, bool head, const size_t *cuts, size_t n_cuts,
		       bool eof)
{
	struct lt_h1_parser p = {0};
	struct got g = {0};
	size_t from = 0;

	lt_h1_parser_start(&p, head, collect, &g);
	g.r = LT_H1_MORE;
	for (size_t i = 0; i <= n_cuts && g.r == LT_H1_MORE; i++) {
		size_t to = i < n_cuts ? cuts[i] : len, used = 0;
		g.r = lt_h1_parse(&p, text + from, to - from, &used);
		ck_assert_uint_le(used, to - from);
		if (g.r == LT_H1_MORE)
			ck_assert_uint_eq(used, to - from);
		g.used += used;
		from = to;
	}
	if (g.r == LT_H1_MORE && eof)
		g.r = lt_h1_parser_eof(&p);
	g.status = p.status;
	g.keep_alive = p.keep_alive;
	ck_assert_uint_eq(p.body_bytes, g.body_len);
	lt_h1_parser_clear(&p);
	return g;
}

static void same(const struct got *a, const struct got *b, const char *how, size_t at)
{
	ck_assert_msg(a->r == b->r, "%s at %zu: result %d, whole %d", how, at, b->r, a->r);
	if (a->r != LT_H1_DONE)
		return;
	ck_assert_msg(a->status == b->status, "%s at %zu: status %d", how, at, b->status);
	ck_assert_msg(a->keep_alive == b->keep_alive, "%s at %zu: keep-alive", how, at);
	ck_assert_msg(a->used == b->used, "%s at %zu: used %zu, whole %zu", how, at, b->used, a->used);
	ck_assert_msg(a->body_len == b->body_len && !memcmp(a->body, b->body, a->body_len),
		      "%s at %zu: body differs", how, at);
}

/* Parse text whole, byte by byte and split at every boundary; all must
 * agree.  The whole-parse result is returned. */
static struct got parse_all_ways(const char *text, size_t len, bool head, bool eof)
{
	struct got whole = feed(text, len, head, NULL, 0, eof), g;
	size_t *cuts = malloc((len + 1) * sizeof *cuts);

	ck_assert_ptr_nonnull(cuts);
	for (size_t k = 1; k < len; k++) {
		g = feed(text, len, head, &k, 1, eof);
		same(&whole, &g, "split", k);
	}
	for (size_t k = 1; k < len; k++)
		cuts[k - 1] = k;
	g = feed(text, len, head, cuts, len ? len - 1 : 0, eof);
	same(&whole, &g, "byte by byte", 0);
	free(cuts);
	return whole;
}

#define PARSE(s) parse_all_ways(s, sizeof(s) - 1, false, false)
#define PARSE_EOF(s) parse_all_ways(s, sizeof(s) - 1, false, true)
#define PARSE_HEAD(s) parse_all_ways(s, sizeof(s) - 1, true, false)

static void body_is(const struct got *g, const char *want)
{
	ck_assert_uint_eq(g->body_len, strlen(want));
	ck_assert(memcmp(g->body, want, g->body_len) == 0);
}

/* ---- framing ---- */

START_TEST(test_content_length)
{
	struct got g = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 15\r\nContent-Type: application/json\r\n"
			     "\r\n{\"status\":\"ok\"}");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert_int_eq(g.status, 200);
	ck_assert(g.keep_alive);
	body_is(&g, "{\"status\":\"ok\"}");

	g = PARSE("HTTP/1.1 404 Not Found\r\ncontent-length:0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert_int_eq(g.status, 404);
	ck_assert_uint_eq(g.body_len, 0);

	/* A list of equal values is one length; white space around it. */
	g = PARSE("HTTP/1.1 200 OK\r\nContent-Length: \t3, 3 \r\n\r\nabc");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	body_is(&g, "abc");
	/* Bare LF line ends (RFC 9112 section 2.2 allows them). */
	g = PARSE("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	body_is(&g, "hi");
	/* No reason phrase, with or without its space. */
	g = PARSE("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	g = PARSE("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
}
END_TEST

START_TEST(test_not_complete)
{
	struct got g = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
	ck_assert_int_eq(g.r, LT_H1_MORE);
	g = PARSE_EOF("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
	ck_assert_int_eq(g.r, LT_H1_TRUNCATED);
	g = PARSE_EOF("HTTP/1.1 200 OK\r\nContent-Len");
	ck_assert_int_eq(g.r, LT_H1_TRUNCATED);
	g = feed("", 0, false, NULL, 0, true);
	ck_assert_int_eq(g.r, LT_H1_TRUNCATED);
}
END_TEST

START_TEST(test_chunked)
{
	struct got g = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			     "5\r\nhello\r\n1;name=value;x=\"q\"\r\n \r\n6\r\nworld!\r\n0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert(g.keep_alive);
	body_is(&g, "hello world!");

	/* Hex sizes in either case, leading zeros, trailers. */
	g = PARSE("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
		  "000A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\nX-Checksum: 42\r\nX-Other: y\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	body_is(&g, "0123456789abcdefghij");
	ck_assert_uint_eq(g.used, strlen("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
					  "000A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\nX-Checksum: 42\r\nX-Other: y\r\n\r\n"));
	/* A coding before chunked is not decoded, but framing holds. */
	g = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	body_is(&g, "abc");
	/* A size with white space before its extension (BWS). */
	g = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 ;ext\r\nabc\r\n0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	/* Cut short. */
	g = PARSE_EOF("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
	ck_assert_int_eq(g.r, LT_H1_TRUNCATED);
	g = PARSE_EOF("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
	ck_assert_int_eq(g.r, LT_H1_TRUNCATED);
}
END_TEST

START_TEST(test_until_close)
{
	struct got g = PARSE_EOF("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it\r\n\r\nand more");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert(!g.keep_alive);
	body_is(&g, "all of it\r\n\r\nand more");
	/* A coding other than chunked: until close too. */
	g = PARSE_EOF("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert(!g.keep_alive);
	body_is(&g, "xyz");
	/* Without the close it is not done. */
	g = PARSE("HTTP/1.1 200 OK\r\n\r\nxyz");
	ck_assert_int_eq(g.r, LT_H1_MORE);
}
END_TEST

START_TEST(test_no_body)
{
	/* HEAD: the length describes what GET would have sent. */
	struct got g = PARSE_HEAD("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert(g.keep_alive);
	ck_assert_uint_eq(g.body_len, 0);
	g = PARSE_HEAD("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	g = PARSE("HTTP/1.1 204 No Content\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert_int_eq(g.status, 204);
	ck_assert(g.keep_alive);
	g = PARSE("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert_uint_eq(g.used, strlen("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"));
}
END_TEST

START_TEST(test_interim)
{
	struct got g = PARSE("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
			     "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert_int_eq(g.status, 201);
	body_is(&g, "ok");
	g = PARSE("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_MALFORMED);
}
END_TEST

START_TEST(test_keep_alive)
{
	struct got g = PARSE("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert(!g.keep_alive);
	g = PARSE("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n");
	ck_assert(!g.keep_alive);
	g = PARSE("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert(!g.keep_alive);
	g = PARSE("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
	ck_assert(g.keep_alive);
	g = PARSE("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
	ck_assert(g.keep_alive);
}
END_TEST

START_TEST(test_pipelined_leftover)
{
	static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
				  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
				  "junk";
	size_t first = strlen("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
	struct got g = PARSE(two);
	struct lt_h1_parser p = {0};
	size_t used;

	ck_assert_int_eq(g.r, LT_H1_DONE);
	ck_assert_uint_eq(g.used, first);
	body_is(&g, "abc");
	/* The rest parses as the next response, and its junk is left. */
	g = parse_all_ways(two + first, sizeof two - 1 - first, false, false);
	ck_assert_int_eq(g.r, LT_H1_DONE);
	body_is(&g, "de");
	ck_assert_uint_eq(g.used, sizeof two - 1 - first - 4);
	/* A finished parser takes nothing more. */
	lt_h1_parser_start(&p, false, NULL, NULL);
	ck_assert_int_eq(lt_h1_parse(&p, two, sizeof two - 1, &used), LT_H1_DONE);
	ck_assert_int_eq(lt_h1_parse(&p, "x", 1, &used), LT_H1_DONE);
	ck_assert_uint_eq(used, 0);
	/* Reused for the next response, as the engine does. */
	lt_h1_parser_start(&p, false, NULL, NULL);
	ck_assert_int_eq(lt_h1_parse(&p, two + first, sizeof two - 1 - first, &used), LT_H1_DONE);
	ck_assert_int_eq(p.status, 200);
	ck_assert_uint_eq(p.body_bytes, 2);
	lt_h1_parser_clear(&p);
}
END_TEST

/* ---- malformed ---- */

static void refused(const char *text)
{
	struct got g = parse_all_ways(text, strlen(text), false, true);
	ck_assert_msg(g.r == LT_H1_MALFORMED, "accepted (result %d): %s", g.r, text);
}

START_TEST(test_bad_status_line)
{
	refused("HTTP/1.1 2OO NOT-A-STATUS\r\nContent-Length: banana\r\n\r\n");
	refused("HTTP/2 200 OK\r\n\r\n");
	refused("HTTP/1.1 200OK\r\n\r\n");
	refused("HTTP/1.1 20 OK\r\n\r\n");
	refused("HTTP/1.1 2000 OK\r\n\r\n");
	refused("HTTP/1.1 099 Low\r\n\r\n");
	refused("HTTP/1.1  200 OK\r\n\r\n");
	refused("http/1.1 200 OK\r\n\r\n");
	refused("HTTP/1.x 200 OK\r\n\r\n");
	refused("ICY 200 OK\r\n\r\n");
	refused("\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	refused("HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n");
	refused("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n");
	refused("<html>not http</html>\n");
}
END_TEST

START_TEST(test_bad_headers)
{
	refused("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\n: no name\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nName : space before colon\r\nContent-Length: 0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n");
	static const char nul[] = "HTTP/1.1 200 OK\r\nX-A: a\0z\r\nContent-Length: 0\r\n\r\n";
	struct got g = parse_all_ways(nul, sizeof nul - 1, false, true);
	ck_assert_int_eq(g.r, LT_H1_MALFORMED);
	refused("HTTP/1.1 200 OK\r\nX-A: bell\x07\r\nContent-Length: 0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nX-A: del\x7f\r\nContent-Length: 0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nX\x01Y: v\r\nContent-Length: 0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nX-A: bare\rCR\r\nContent-Length: 0\r\n\r\n");
}
END_TEST

START_TEST(test_bad_lengths)
{
	refused("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nContent-Length: ,\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 1152921504606846977\r\n\r\n");
	/* Conflicting lengths, in one header or two. */
	refused("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
	/* Both framings: a request-smuggling shape. */
	refused("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	/* Transfer-Encoding in HTTP/1.0; chunked twice or not last. */
	refused("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n");
	/* Two equal lengths in two headers are one. */
	struct got g = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	/* The largest length accepted. */
	g = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 1152921504606846976\r\n\r\nab");
	ck_assert_int_eq(g.r, LT_H1_MORE);
}
END_TEST

START_TEST(test_bad_chunks)
{
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\nhello\r\n0\r\n\r\n");
	/* More data than the size says. */
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n");
	/* Sizes that overflow 64 bits, or pass the limit. */
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000001\r\n");
	/* A control character in an extension; a bad trailer. */
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a\x01\r\nx\r\n0\r\n\r\n");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n");
	/* Leading zeros are only zeros. */
	struct got g = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			     "0000000000000000000000000000000000001\r\nx\r\n0\r\n\r\n");
	ck_assert_int_eq(g.r, LT_H1_DONE);
	body_is(&g, "x");
}
END_TEST

/* ---- limits ---- */

START_TEST(test_head_limit)
{
	size_t n = LT_H1_MAX_HEAD + 4096, at = 0;
	char *big = malloc(n + 64);
	struct lt_h1_parser p = {0};
	size_t used = 0;
	lt_h1_result r = LT_H1_MORE;

	ck_assert_ptr_nonnull(big);
	at += (size_t)sprintf(big, "HTTP/1.1 200 OK\r\n");
	while (at < n)
		at += (size_t)sprintf(big + at, "X-Forever-%06zu: %s\r\n", at, "aaaaaaaaaaaaaaaaaaaa");
	/* Fed in small pieces, as a slow flood arrives: refused once the
	 * head passes the limit, never later. */
	lt_h1_parser_start(&p, false, NULL, NULL);
	size_t fed = 0;
	while (fed < at && r == LT_H1_MORE) {
		size_t k = at - fed < 7 ? at - fed : 7;
		r = lt_h1_parse(&p, big + fed, k, &used);
		fed += k;
	}
	ck_assert_int_eq(r, LT_H1_MALFORMED);
	ck_assert_uint_le(fed, LT_H1_MAX_HEAD + 64);
	ck_assert_uint_gt(fed, LT_H1_MAX_HEAD - 64);
	ck_assert_ptr_nonnull(strstr(p.error, "limit"));
	/* The carry buffer never grew past the limit either. */
	ck_assert_uint_le(p.carry_cap, 2 * LT_H1_MAX_HEAD);
	/* One endless line, whole. */
	memset(big, 'a', n);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	lt_h1_parser_start(&p, false, NULL, NULL);
	ck_assert_int_eq(lt_h1_parse(&p, big, n, &used), LT_H1_MALFORMED);
	/* In pieces of 1000 bytes: the carry stops at the limit. */
	lt_h1_parser_start(&p, false, NULL, NULL);
	r = LT_H1_MORE;
	for (fed = 0; fed < n && r == LT_H1_MORE; fed += 1000)
		r = lt_h1_parse(&p, big + fed, n - fed < 1000 ? n - fed : 1000, &used);
	ck_assert_int_eq(r, LT_H1_MALFORMED);
	ck_assert_uint_le(p.carry_cap, 2 * LT_H1_MAX_HEAD);
	/* Just under the limit is fine. */
	at = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nX: ");
	size_t fill = LT_H1_MAX_HEAD - at - 4;
	memset(big + at, 'v', fill);
	at += fill;
	memcpy(big + at, "\r\n\r\n", 4);
	at += 4;
	ck_assert_uint_eq(at, LT_H1_MAX_HEAD);
	struct got g = feed(big, at, false, NULL, 0, true);
	ck_assert_int_eq(g.r, LT_H1_DONE);
	/* One byte more is not. */
	memmove(big + 21, big + 20, at - 20);
	big[20] = 'v';
	g = feed(big, at + 1, false, NULL, 0, true);
	ck_assert_int_eq(g.r, LT_H1_MALFORMED);
	/* Trailers have the same limit. */
	at = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
	while (at < n)
		at += (size_t)sprintf(big + at, "X-T: %s\r\n", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	g = feed(big, at, false, NULL, 0, true);
	ck_assert_int_eq(g.r, LT_H1_MALFORMED);
	/* A chunk-size line of endless extensions. */
	at = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5");
	while (at < n)
		at += (size_t)sprintf(big + at, ";ext=value");
	g = feed(big, at, false, NULL, 0, true);
	ck_assert_int_eq(g.r, LT_H1_MALFORMED);
	lt_h1_parser_clear(&p);
	free(big);
}
END_TEST

START_TEST(test_big_body_streamed)
{
	/* A body far larger than any buffer goes through in pieces. */
	struct lt_h1_parser p = {0};
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n";
	char piece[65536];
	size_t used, total = 0;
	lt_h1_result r;

	memset(piece, 'z', sizeof piece);
	lt_h1_parser_start(&p, false, NULL, NULL);
	ck_assert_int_eq(lt_h1_parse(&p, head, sizeof head - 1, &used), LT_H1_MORE);
	ck_assert(p.headers_done);
	do {
		r = lt_h1_parse(&p, piece, sizeof piece, &used);
		total += used;
	} while (r == LT_H1_MORE);
	ck_assert_int_eq(r, LT_H1_DONE);
	ck_assert_uint_eq(total, 100000000);
	ck_assert_uint_eq(p.body_bytes, 100000000);
	ck_assert_ptr_null(p.carry);
	lt_h1_parser_clear(&p);
}
END_TEST

/* ---- requests ---- */

START_TEST(test_request_build)
{
	struct lt_h1_header hs[] = {{"X-Api-Key", "k1"}, {"Content-Type", "application/json"},
				    {"content-length", "999"}};
	struct lt_h1_request r = {
		.method = "POST", .target = "/api/items?x=1", .host = "127.0.0.1:8080",
		.user_agent = "lt/0.1.0", .headers = hs, .n_headers = 3,
		.body = "{\"a\":1}", .body_len = 7,
	};
	struct lt_err err = {0};
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(lt_h1_request_build(&r, &out, &len, &err), LT_OK);
	ck_assert_str_eq(out, "POST /api/items?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
			      "User-Agent: lt/0.1.0\r\nAccept: */*\r\nX-Api-Key: k1\r\n"
			      "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
	ck_assert_uint_eq(len, strlen(out));
	free(out);

	/* The caller's Host, User-Agent and Accept replace ours; an empty
	 * POST says its length. */
	struct lt_h1_header mine[] = {{"host", "example.org"}, {"USER-AGENT", "me"}, {"Accept", "text/plain"}};
	struct lt_h1_request r2 = {.method = "POST", .target = "/", .host = "h", .user_agent = "lt",
				   .headers = mine, .n_headers = 3, .send_length = true};
	ck_assert_int_eq(lt_h1_request_build(&r2, &out, &len, &err), LT_OK);
	ck_assert_str_eq(out, "POST / HTTP/1.1\r\nhost: example.org\r\nUSER-AGENT: me\r\n"
			      "Accept: text/plain\r\nContent-Length: 0\r\n\r\n");
	free(out);

	/* A body with NULs is sent whole. */
	struct lt_h1_request r3 = {.method = "PUT", .target = "/b", .host = "h", .body = "a\0b", .body_len = 3};
	ck_assert_int_eq(lt_h1_request_build(&r3, &out, &len, &err), LT_OK);
	ck_assert_uint_eq(len, strlen("PUT /b HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 3\r\n\r\n") + 3);
	ck_assert(memcmp(out + len - 3, "a\0b", 3) == 0);
	free(out);

	/* The request parses as HTTP (its own head read back by the
	 * response parser's rules would not: different start line), so
	 * check the head's shape instead: exactly one blank line. */
	struct lt_h1_request r4 = {.method = "GET", .target = "/health", .host = "localhost:1"};
	ck_assert_int_eq(lt_h1_request_build(&r4, &out, &len, &err), LT_OK);
	ck_assert_str_eq(out, "GET /health HTTP/1.1\r\nHost: localhost:1\r\nAccept: */*\r\n\r\n");
	free(out);
}
END_TEST

START_TEST(test_request_refused)
{
	struct lt_err err = {0};
	char *out = (char *)"untouched";
	size_t len = 42;
	struct lt_h1_header inj[] = {{"X-A", "v\r\nX-Injected: 1"}};
	struct lt_h1_header badname[] = {{"X A", "v"}};
	struct lt_h1_header te[] = {{"Transfer-Encoding", "chunked"}};
	struct lt_h1_request cases[] = {
		{.method = "G ET", .target = "/", .host = "h"},
		{.method = "", .target = "/", .host = "h"},
		{.method = "GET", .target = "x", .host = "h"},
		{.method = "GET", .target = "/a b", .host = "h"},
		{.method = "GET", .target = "/a\r\nX: y", .host = "h"},
		{.method = "GET", .target = "/", .host = ""},
		{.method = "GET", .target = "/", .host = "h\n"},
		{.method = "GET", .target = "/", .host = "h", .headers = inj, .n_headers = 1},
		{.method = "GET", .target = "/", .host = "h", .headers = badname, .n_headers = 1},
		{.method = "GET", .target = "/", .host = "h", .headers = te, .n_headers = 1},
		{.method = "GET", .target = "/", .host = "h", .user_agent = "x\r\ny"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		err.msg[0] = '\0';
		ck_assert_msg(lt_h1_request_build(&cases[i], &out, &len, &err) == LT_EINVAL,
			      "case %zu accepted", i);
		ck_assert_str_eq(out, "untouched");
		ck_assert_uint_eq(len, 42);
		ck_assert(err.msg[0] != '\0');
	}
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("h1");
	TCase *tc = tcase_create("parser");
	tcase_add_test(tc, test_content_length);
	tcase_add_test(tc, test_not_complete);
	tcase_add_test(tc, test_chunked);
	tcase_add_test(tc, test_until_close);
	tcase_add_test(tc, test_no_body);
	tcase_add_test(tc, test_interim);
	tcase_add_test(tc, test_keep_alive);
	tcase_add_test(tc, test_pipelined_leftover);
	tcase_add_test(tc, test_bad_status_line);
	tcase_add_test(tc, test_bad_headers);
	tcase_add_test(tc, test_bad_lengths);
	tcase_add_test(tc, test_bad_chunks);
	tcase_add_test(tc, test_head_limit);
	tcase_add_test(tc, test_big_body_streamed);
	suite_add_tcase(s, tc);
	tc = tcase_create("requests");
	tcase_add_test(tc, test_request_build);
	tcase_add_test(tc, test_request_refused);
	suite_add_tcase(s, tc);
	return s;
}
