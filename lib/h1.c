/* h1.c -- HTTP/1.1 response parser and request builder (see h1.h).
 *
 * The parser is a state machine over lines and byte counts.  Lines (the
 * status line, header lines, chunk-size lines, the CRLF after a chunk,
 * trailers) are found with memchr and parsed where they lie in the
 * caller's buffer; only a line that a read cut in two is copied, into the
 * carry buffer, until its end arrives.  Body bytes go straight from the
 * caller's buffer to on_body.  So a response that arrives in one read is
 * parsed without a copy or an allocation.
 */
#include "h1.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
	S_STATUS,       /* the status line */
	S_HEADER,       /* header lines, up to the blank line */
	S_BODY_LENGTH,  /* `remaining` bytes of a Content-Length body */
	S_BODY_CLOSE,   /* body bytes until the connection closes */
	S_CHUNK_SIZE,   /* a chunk-size line */
	S_CHUNK_DATA,   /* `remaining` bytes of a chunk */
	S_CHUNK_END,    /* the CRLF after a chunk's data */
	S_TRAILER,      /* trailer lines, up to the blank line */
	S_DONE,
	S_ERROR,
};

/* Keep a carry buffer up to this size from one response to the next. */
#define CARRY_KEEP 4096u

/* ---- characters (RFC 9110 section 5.6.2) ---- */

static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A field value's characters: VCHAR, obs-text, SP, HTAB; no CTL. */
static bool is_vchar_or_ws(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- the parser ---- */

static lt_h1_result fail(struct lt_h1_parser *p, const char *why)
{
	p->state = S_ERROR;
	p->error = why;
	p->failed_as = LT_H1_MALFORMED;
	return LT_H1_MALFORMED;
}

void lt_h1_parser_start(struct lt_h1_parser *p, bool head_request, lt_h1_body_fn on_body,
			void *arg)
{
	char *carry = p->carry;
	size_t cap = p->carry_cap;

	if (cap > CARRY_KEEP) {
		free(carry);
		carry = NULL;
		cap = 0;
	}
	memset(p, 0, sizeof *p);
	p->carry = carry;
	p->carry_cap = cap;
	p->state = S_STATUS;
	p->head_request = head_request;
	p->on_body = on_body;
	p->arg = arg;
}

void lt_h1_parser_clear(struct lt_h1_parser *p)
{
	free(p->carry);
	p->carry = NULL;
	p->carry_len = p->carry_cap = 0;
}

/* The next line from data[*pos..len), at most limit bytes with its
 * terminator.  1: *line[0..*line_len) is the line without its LF or
 * CRLF (it may lie in the carry buffer, valid until the next call) and
 * *raw its length on the wire, carried bytes and terminator included;
 * 0: no end of line yet, the bytes are carried; -1: over the limit
 * (p->error set); -2: out of memory. */
static int take_line(struct lt_h1_parser *p, const char *data, size_t len, size_t *pos,
		     size_t limit, const char **line, size_t *line_len, size_t *raw)
{
	const char *start = data + *pos;
	size_t avail = len - *pos;
	const char *nl = memchr(start, '\n', avail);
	size_t take = nl ? (size_t)(nl - start) + 1 : avail;

	if (p->carry_len + take > limit) {
		p->error = p->state == S_CHUNK_SIZE  ? "chunk-size line too long"
			   : p->state == S_CHUNK_END ? "chunk data longer than its size"
			   : p->state == S_TRAILER   ? "trailers over the size limit"
						     : "status line and headers over the size limit";
		return -1;
	}
	*pos += take;
	if (p->carry_len || !nl) {
		if (p->carry_len + take > p->carry_cap) {
			size_t cap = p->carry_cap ? p->carry_cap : 256;
			while (cap < p->carry_len + take)
				cap *= 2;
			char *c = realloc(p->carry, cap);
			if (!c) {
				p->error = "out of memory";
				return -2;
			}
			p->carry = c;
			p->carry_cap = cap;
		}
		memcpy(p->carry + p->carry_len, start, take);
		p->carry_len += take;
		if (!nl)
			return 0;
		start = p->carry;
		take = p->carry_len;
		p->carry_len = 0;
	}
	*raw = take;
	/* take >= 1 and start[take - 1] is the LF. */
	take--;
	if (take && start[take - 1] == '\r')
		take--;
	*line = start;
	*line_len = take;
	return 1;
}

/* "HTTP/1.x SSS reason" (RFC 9112 section 4); the reason may be absent. */
static lt_h1_result parse_status_line(struct lt_h1_parser *p, const char *s, size_t n)
{
	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' || s[8] != ' ')
		return fail(p, "not an HTTP/1.x status line");
	for (int i = 9; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return fail(p, "status code is not three digits");
	if (s[9] == '0')
		return fail(p, "status code below 100");
	if (n > 12 && s[12] != ' ')
		return fail(p, "status code is not three digits");
	for (size_t i = 13; i < n; i++)
		if (!is_vchar_or_ws((unsigned char)s[i]))
			return fail(p, "control character in the reason phrase");
	p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	p->http10 = s[7] == '0';
	return LT_H1_MORE;
}

/* Each element of a comma-separated list value (RFC 9110 section 5.6.1),
 * OWS trimmed, empty elements skipped; 0 to go on, else what fn says. */
static int each_element(const char *v, size_t n,
			int (*fn)(struct lt_h1_parser *, const char *, size_t),
			struct lt_h1_parser *p)
{
	size_t i = 0;

	while (i < n) {
		size_t a = i, b;
		while (i < n && v[i] != ',')
			i++;
		b = i++;
		while (a < b && is_ows(v[a]))
			a++;
		while (b > a && is_ows(v[b - 1]))
			b--;
		if (b > a) {
			int r = fn(p, v + a, b - a);
			if (r)
				return r;
		}
	}
	return 0;
}

static bool token_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static int length_element(struct lt_h1_parser *p, const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			p->error = "Content-Length is not a number";
			return -1;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > LT_H1_MAX_LENGTH) {
			p->error = "Content-Length too large";
			return -1;
		}
	}
	/* "Content-Length: 5, 5" (a list of equal values) is one length;
	 * two different ones are a request-smuggling shape. */
	if (p->have_length && p->length != v) {
		p->error = "conflicting Content-Length values";
		return -1;
	}
	p->have_length = true;
	p->length = v;
	p->elements++;
	return 0;
}

static int coding_element(struct lt_h1_parser *p, const char *s, size_t n)
{
	/* chunked must be the last coding, and applied once (RFC 9112
	 * section 6.1). */
	if (p->chunked) {
		p->error = "a transfer coding after chunked";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]) && s[i] != ';' && s[i] != '=' &&
		    !is_ows(s[i]) && s[i] != '"') {
			p->error = "bad Transfer-Encoding";
			return -1;
		}
	if (token_is(s, n, "chunked"))
		p->chunked = true;
	p->te = true;
	p->elements++;
	return 0;
}

static int connection_element(struct lt_h1_parser *p, const char *s, size_t n)
{
	if (token_is(s, n, "close"))
		p->close_token = true;
	else if (token_is(s, n, "keep-alive"))
		p->keep_alive_token = true;
	return 0;
}

/* name ":" OWS value OWS (RFC 9112 section 5); *name_len and the value
 * out, or -1 with p->error. */
static int split_field(struct lt_h1_parser *p, const char *s, size_t n, size_t *name_len,
		       const char **value, size_t *value_len)
{
	size_t i = 0, a, b;

	if (is_ows(s[0])) {
		/* obs-fold: deprecated, and a way to hide a header. */
		p->error = "folded header line";
		return -1;
	}
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':') {
		p->error = i < n && is_ows(s[i]) ? "white space before a header's colon"
						  : "header line without a field name and colon";
		return -1;
	}
	*name_len = i;
	a = i + 1;
	b = n;
	for (size_t k = a; k < b; k++)
		if (!is_vchar_or_ws((unsigned char)s[k])) {
			p->error = "control character in a header value";
			return -1;
		}
	while (a < b && is_ows(s[a]))
		a++;
	while (b > a && is_ows(s[b - 1]))
		b--;
	*value = s + a;
	*value_len = b - a;
	return 0;
}

static lt_h1_result parse_header_line(struct lt_h1_parser *p, const char *s, size_t n)
{
	const char *v;
	size_t name_len, vn;
	int r = 0;

	if (split_field(p, s, n, &name_len, &v, &vn) != 0)
		return fail(p, p->error);
	switch (name_len) {
	case 10:
		if (!strncasecmp(s, "connection", 10))
			r = each_element(v, vn, connection_element, p);
		break;
	case 14:
		if (!strncasecmp(s, "content-length", 14)) {
			p->elements = 0;
			r = each_element(v, vn, length_element, p);
			if (!r && !p->elements) {
				p->error = "empty Content-Length";
				r = -1;
			}
		}
		break;
	case 17:
		if (!strncasecmp(s, "transfer-encoding", 17)) {
			p->elements = 0;
			r = each_element(v, vn, coding_element, p);
			if (!r && !p->elements) {
				p->error = "empty Transfer-Encoding";
				r = -1;
			}
		}
		break;
	}
	return r ? fail(p, p->error) : LT_H1_MORE;
}

/* The blank line after the headers: decide how the body is framed. */
static lt_h1_result end_of_head(struct lt_h1_parser *p)
{
	if (p->status < 200) {
		if (p->status == 101)
			return fail(p, "101 Switching Protocols was not asked for");
		/* An interim answer: the real one follows. */
		bool head = p->head_request;
		lt_h1_body_fn fn = p->on_body;
		void *arg = p->arg;
		lt_h1_parser_start(p, head, fn, arg);
		return LT_H1_MORE;
	}
	if (p->te && p->have_length)
		return fail(p, "both Transfer-Encoding and Content-Length");
	if (p->te && p->http10)
		return fail(p, "Transfer-Encoding in an HTTP/1.0 answer");
	p->headers_done = true;
	p->keep_alive = p->http10 ? p->keep_alive_token && !p->close_token : !p->close_token;
	p->head_bytes = 0;
	if (p->head_request || p->status == 204 || p->status == 304) {
		p->state = S_DONE;
		return LT_H1_DONE;
	}
	if (p->chunked) {
		p->state = S_CHUNK_SIZE;
	} else if (p->te || !p->have_length) {
		/* Another coding than chunked, or no length at all: the body
		 * ends when the connection does. */
		p->keep_alive = false;
		p->state = S_BODY_CLOSE;
	} else if (p->length == 0) {
		p->state = S_DONE;
		return LT_H1_DONE;
	} else {
		p->remaining = p->length;
		p->state = S_BODY_LENGTH;
	}
	return LT_H1_MORE;
}

/* chunk-size [ chunk-ext ] (RFC 9112 section 7.1.1). */
static lt_h1_result parse_chunk_size(struct lt_h1_parser *p, const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i = 0;
	int h;

	while (i < n && (h = hex_value(s[i])) >= 0) {
		if (v > (LT_H1_MAX_LENGTH >> 4))
			return fail(p, "chunk size too large");
		v = v << 4 | (uint64_t)h;
		if (v > LT_H1_MAX_LENGTH)
			return fail(p, "chunk size too large");
		i++;
	}
	if (i == 0)
		return fail(p, "chunk size is not hexadecimal");
	while (i < n && is_ows(s[i]))
		i++;
	if (i < n && s[i] != ';')
		return fail(p, "junk after a chunk size");
	for (; i < n; i++)
		if (!is_vchar_or_ws((unsigned char)s[i]))
			return fail(p, "control character in a chunk extension");
	if (v == 0) {
		p->state = S_TRAILER;
		p->head_bytes = 0;
	} else {
		p->remaining = v;
		p->state = S_CHUNK_DATA;
	}
	return LT_H1_MORE;
}

static void body(struct lt_h1_parser *p, const char *data, size_t n)
{
	p->body_bytes += n;
	if (p->on_body && n)
		p->on_body(p->arg, data, n);
}

lt_h1_result lt_h1_parse(struct lt_h1_parser *p, const char *data, size_t len, size_t *used)
{
	size_t pos = 0;
	lt_h1_result r = LT_H1_MORE;

	*used = 0;
	if (p->state == S_DONE)
		return LT_H1_DONE;
	if (p->state == S_ERROR)
		return p->failed_as;
	while (pos < len && r == LT_H1_MORE) {
		const char *line;
		size_t n, limit, raw;
		int got;

		switch (p->state) {
		case S_BODY_LENGTH:
		case S_CHUNK_DATA: {
			size_t take = len - pos;
			if (take > p->remaining)
				take = (size_t)p->remaining;
			body(p, data + pos, take);
			pos += take;
			p->remaining -= take;
			if (p->remaining == 0) {
				if (p->state == S_CHUNK_DATA) {
					p->state = S_CHUNK_END;
				} else {
					p->state = S_DONE;
					r = LT_H1_DONE;
				}
			}
			continue;
		}
		case S_BODY_CLOSE:
			body(p, data + pos, len - pos);
			pos = len;
			continue;
		case S_CHUNK_SIZE:
			limit = LT_H1_MAX_CHUNK_LINE;
			break;
		case S_CHUNK_END:
			limit = 2;
			break;
		default: /* S_STATUS, S_HEADER, S_TRAILER */
			limit = LT_H1_MAX_HEAD - p->head_bytes;
			break;
		}
		got = take_line(p, data, len, &pos, limit, &line, &n, &raw);
		if (got < 0) {
			p->state = S_ERROR;
			p->failed_as = r = got == -2 ? LT_H1_NOMEM : LT_H1_MALFORMED;
			break;
		}
		if (got == 0)
			continue;
		if (p->state != S_CHUNK_SIZE && p->state != S_CHUNK_END)
			p->head_bytes += raw;
		switch (p->state) {
		case S_STATUS:
			r = parse_status_line(p, line, n);
			if (r == LT_H1_MORE)
				p->state = S_HEADER;
			break;
		case S_HEADER:
			r = n == 0 ? end_of_head(p) : parse_header_line(p, line, n);
			break;
		case S_CHUNK_SIZE:
			r = parse_chunk_size(p, line, n);
			break;
		case S_CHUNK_END:
			if (n != 0)
				r = fail(p, "chunk data longer than its size");
			else
				p->state = S_CHUNK_SIZE;
			break;
		case S_TRAILER:
			if (n == 0) {
				p->state = S_DONE;
				r = LT_H1_DONE;
			} else {
				const char *v;
				size_t name_len, vn;
				if (split_field(p, line, n, &name_len, &v, &vn) != 0)
					r = fail(p, p->error);
			}
			break;
		}
	}
	*used = pos;
	return r;
}

lt_h1_result lt_h1_parser_eof(struct lt_h1_parser *p)
{
	switch (p->state) {
	case S_BODY_CLOSE:
		p->state = S_DONE;
		return LT_H1_DONE;
	case S_DONE:
		return LT_H1_DONE;
	case S_ERROR:
		return p->failed_as;
	default:
		p->error = "connection closed before the end of the response";
		return LT_H1_TRUNCATED;
	}
}

/* ---- requests ---- */

static void puts3(struct lti_sbuf *b, const char *a, const char *c, const char *d)
{
	lti_sbuf_add(b, a, strlen(a));
	lti_sbuf_add(b, c, strlen(c));
	lti_sbuf_add(b, d, strlen(d));
}

static bool token_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* No control characters, no space (a target or a host). */
static bool visible(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool value_ok(const char *s)
{
	for (; *s; s++)
		if (!is_vchar_or_ws((unsigned char)*s))
			return false;
	return true;
}

static bool has_header(const struct lt_h1_request *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return true;
	return false;
}

lt_rc lt_h1_request_build(const struct lt_h1_request *r, char **out, size_t *len,
			  struct lt_err *err)
{
	struct lti_sbuf b = {0};
	char num[32];

	if (!r->method || !token_ok(r->method))
		return lt_err_set(err, LT_EINVAL, "method: not a token");
	if (!r->target || r->target[0] != '/' || !visible(r->target))
		return lt_err_set(err, LT_EINVAL, "target: must start with / and hold no space or control character");
	if (!r->host || !visible(r->host))
		return lt_err_set(err, LT_EINVAL, "host: empty, or a space or control character");
	if (r->user_agent && !value_ok(r->user_agent))
		return lt_err_set(err, LT_EINVAL, "User-Agent: control character");
	if (r->body_len && !r->body)
		return lt_err_set(err, LT_EINVAL, "body: NULL with a length");
	for (size_t i = 0; i < r->n_headers; i++) {
		const struct lt_h1_header *h = &r->headers[i];
		if (!h->name || !token_ok(h->name))
			return lt_err_set(err, LT_EINVAL, "header %zu: name is not a token", i + 1);
		if (!h->value || !value_ok(h->value))
			return lt_err_set(err, LT_EINVAL, "header %s: control character in the value",
					  h->name);
		if (!strcasecmp(h->name, "transfer-encoding"))
			return lt_err_set(err, LT_EINVAL, "header %s: the body is sent whole, with a length",
					  h->name);
	}
	puts3(&b, r->method, " ", r->target);
	lti_sbuf_add(&b, " HTTP/1.1\r\n", 11);
	if (!has_header(r, "host"))
		puts3(&b, "Host: ", r->host, "\r\n");
	if (r->user_agent && !has_header(r, "user-agent"))
		puts3(&b, "User-Agent: ", r->user_agent, "\r\n");
	if (!has_header(r, "accept"))
		lti_sbuf_add(&b, "Accept: */*\r\n", 13);
	for (size_t i = 0; i < r->n_headers; i++) {
		const struct lt_h1_header *h = &r->headers[i];
		if (!strcasecmp(h->name, "content-length"))
			continue;
		puts3(&b, h->name, ": ", h->value);
		lti_sbuf_add(&b, "\r\n", 2);
	}
	if (r->body_len || r->send_length) {
		snprintf(num, sizeof num, "%zu", r->body_len);
		puts3(&b, "Content-Length: ", num, "\r\n");
	}
	lti_sbuf_add(&b, "\r\n", 2);
	if (r->body_len)
		lti_sbuf_add(&b, r->body, r->body_len);
	if (b.oom) {
		free(b.s);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	*out = b.s;
	*len = b.len;
	return LT_OK;
}
