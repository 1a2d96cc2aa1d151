/* h1.h -- HTTP/1.1 on the wire: a response parser and a request builder.
 *
 * The engine's native client (engine.c) sends plain http:// requests
 * itself, without libcurl, and this module is the part of it that knows
 * HTTP: it builds each endpoint's request bytes once, at setup, so that
 * sending a request is one write of a prebuilt buffer, and it reads the
 * answers incrementally, as they come off the socket in pieces of any
 * size.
 *
 * The parser follows RFC 9112 strictly, because it reads what a server
 * under test sends, and a server under load is exactly where broken
 * answers appear: anything that is not a well-formed HTTP/1.0 or 1.1
 * response is LT_H1_MALFORMED, never guessed at.  Framing (RFC 9112
 * section 6.3): no body for a HEAD request or a 204 or 304 answer;
 * Transfer-Encoding: chunked (with chunk extensions and trailers, both
 * read and ignored); else Content-Length; else the body runs until the
 * server closes.  Interim 1xx answers (100 Continue, 103 Early Hints) are
 * skipped; 101 Switching Protocols, never asked for, is malformed.
 * Keep-alive: HTTP/1.1 unless "Connection: close", HTTP/1.0 only with
 * "Connection: keep-alive", never for a body that runs until close.
 *
 * Memory is bounded whatever the server sends: the status line and the
 * headers together (and the trailers together) are at most
 * LT_H1_MAX_HEAD bytes, more is malformed; body bytes are handed to a
 * callback and never held.  A line split between two reads is copied into
 * a carry buffer that the parser owns (so at most LT_H1_MAX_HEAD bytes,
 * and nothing at all when lines arrive whole).
 *
 * Not here: sockets, timeouts, connection reuse (engine.c); content
 * codings (lt asks for none); HTTP/2; request bodies that are not in
 * memory; the decoding of chunk extensions or trailers.
 */
#ifndef LT_H1_H
#define LT_H1_H

#include "lt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The status line and header lines of one response, CRLFs included, at
 * most; the same for its trailers.  64 KiB is four times what common
 * servers accept in a request head (nginx 8 KiB per line, Apache 8 KiB)
 * and an eighth of what a header flood reaches in a second, so a
 * "headers_forever" server is refused quickly at bounded cost. */
#define LT_H1_MAX_HEAD (64u << 10)

/* The longest chunk-size line (size, extensions, CRLF). */
#define LT_H1_MAX_CHUNK_LINE 4096u

/* The largest Content-Length or chunk size accepted: 2^60 bytes, so that
 * no sum the parser makes can overflow. */
#define LT_H1_MAX_LENGTH (UINT64_C(1) << 60)

typedef enum {
	LT_H1_MORE,       /* every byte used; the response is not complete */
	LT_H1_DONE,       /* a whole response; bytes after it were not used */
	LT_H1_MALFORMED,  /* not a valid HTTP/1.x response, or over a limit */
	LT_H1_TRUNCATED,  /* (lt_h1_parser_eof) closed before the end */
	LT_H1_NOMEM,      /* the carry buffer could not grow */
} lt_h1_result;

/* Called with each piece of a response's body, decoded from its chunks;
 * data is borrowed for the call. */
typedef void (*lt_h1_body_fn)(void *arg, const char *data, size_t len);

/* One response being read.  Zero it (or = {0}) before its first
 * lt_h1_parser_start; the fields marked "out" are the parser's answers,
 * the rest is private. */
struct lt_h1_parser {
	/* out, valid from the end of the headers (LT_H1_DONE, or MORE with
	 * headers_done) */
	int status;                 /* 100..999 */
	bool headers_done;          /* the final response's head is read */
	bool keep_alive;            /* the connection may carry another request */
	uint64_t body_bytes;        /* body bytes handed to on_body so far */
	const char *error;          /* why MALFORMED (or NOMEM): constant text */

	/* private */
	int state;
	bool head_request, http10, chunked, te, close_token, keep_alive_token;
	bool have_length;
	unsigned elements;          /* of the list value being read */
	lt_h1_result failed_as;     /* MALFORMED or NOMEM, in S_ERROR */
	uint64_t length;            /* Content-Length */
	uint64_t remaining;         /* of the body or of the current chunk */
	size_t head_bytes;          /* of the head (or of the trailers) so far */
	lt_h1_body_fn on_body;
	void *arg;
	char *carry;                /* a line split between reads; owned */
	size_t carry_len, carry_cap;
};

/* Get p ready for the response to a request (head_request: it was a
 * HEAD, so the answer has no body whatever its headers say).  on_body
 * (NULL: none) gets the body.  Keeps the carry buffer for reuse when it
 * is small (<= 4 KiB) and frees it otherwise.  Cannot fail. */
void lt_h1_parser_start(struct lt_h1_parser *p, bool head_request, lt_h1_body_fn on_body,
			void *arg);

/* Read data[0..len), the next bytes of the connection.  *used is set to
 * the bytes that belong to this response: all of them for LT_H1_MORE,
 * those up to the end of the response for LT_H1_DONE (the rest are the
 * start of something else: a pipelined answer, or junk).  After DONE,
 * MALFORMED or NOMEM the parser takes no more bytes until the next
 * lt_h1_parser_start.  len may be 0. */
lt_h1_result lt_h1_parse(struct lt_h1_parser *p, const char *data, size_t len, size_t *used);

/* The connection closed: LT_H1_DONE when the response was a body that
 * runs until close (now complete), LT_H1_TRUNCATED when it was cut short
 * (or had not begun), the earlier verdict after DONE or MALFORMED. */
lt_h1_result lt_h1_parser_eof(struct lt_h1_parser *p);

/* Free what p holds (the carry buffer); p may be started again after.
 * A zeroed parser is a no-op. */
void lt_h1_parser_clear(struct lt_h1_parser *p);

/* ---- requests ---- */

struct lt_h1_header {
	const char *name;
	const char *value;
};

/* What one request says.  Every string is borrowed for the call. */
struct lt_h1_request {
	const char *method;          /* a token: "GET", "POST", ... */
	const char *target;          /* origin form: "/path?query" */
	const char *host;            /* the Host header: "example.com:8080" */
	const char *user_agent;      /* NULL: none */
	const struct lt_h1_header *headers;
	size_t n_headers;
	const char *body;            /* may hold NULs; NULL when body_len is 0 */
	size_t body_len;
	bool send_length;            /* Content-Length even for an empty body (a
				      * POST without one, as curl sends it) */
};

/* The bytes of r, ready to write: the request line, Host, User-Agent
 * and an Accept of any type, as curl sends them (unless r->headers has
 * them: the caller's replace ours, in any case), r->headers in order, Content-Length when there is
 * a body or send_length, the blank line and the body.  A header named
 * Content-Length among r->headers is left out (the length is the
 * body's).  LT_EINVAL, with err naming the field, for a method or a
 * header name that is not a token, or a target, host or header value
 * holding a control character (CR and LF included: no header injection),
 * or a Transfer-Encoding header (the body is sent whole).  *out is new
 * (free) and *len set on success; both unchanged on failure. */
lt_rc lt_h1_request_build(const struct lt_h1_request *r, char **out, size_t *len,
			  struct lt_err *err);

#endif
