/* lt-target -- the HTTP/1.1 server that lt's tests and benchmarks load.
 *
 * A small epoll server, fast enough that it is not the bottleneck when lt-run
 * is compared with wrk at 1000 connections on two cores, and controllable from
 * the URL so that every request says how it wants to be answered.  It listens
 * on 127.0.0.1 only: tests must never open a port outside loopback.  This
 * comment is its manual.
 *
 * usage: lt-target [--listen 127.0.0.1:<port>] [--port-file <file>]
 *                  [--threads <n>] [--max-seconds <s>]
 *
 *   --listen 127.0.0.1:<port>  address (default 127.0.0.1:0; a bare <port> is
 *                        accepted).  Any other address is refused (exit 2).
 *                        Port 0 picks a free port.
 *   --port-file <file>   write the port, in decimal and a newline, to <file>
 *                        (a temporary file renamed into place, so a reader
 *                        never sees it half-written)
 *   --threads <n>        event-loop threads, 1..64 (default 2), each with its
 *                        own SO_REUSEPORT listener, epoll set and timer heap
 *   --max-seconds <s>    exit by itself after <s> seconds (default 600), so a
 *                        test that forgets to stop it leaves nothing running
 *
 * Once listening it prints "listening 127.0.0.1:<port>" on stdout.  SIGTERM,
 * SIGINT, SIGHUP or --max-seconds: close everything and exit 0.  Exit 2: bad
 * usage; 3: cannot listen or start.
 *
 * Endpoints (any method; HEAD gets the headers only)
 *   /  /health  /api/status  /api/...   200 {"status":"ok"}
 *   /json                     200 {"status":"ok","items":[1,2,3],"user":{"id":42,"name":"ada"}}
 *   /delay/<n>                the same as ?delay_ms=<n>
 *   /status/<n>               the same as ?status=<n>
 *   /bytes/<n>                the same as ?size=<n>
 *   anything else             404 {"error":"not found"}
 *
 * Query parameters, on any endpoint above, combinable
 *   delay_ms=<n>      answer n ms (0..3600000) after the request was received,
 *                     with a timer in the event loop (no thread sleeps)
 *   jitter_ms=<j>     add a uniformly random extra 0..j ms (0..3600000, in
 *                     microsteps) to the delay, drawn per request from the
 *                     event-loop thread's own PRNG (xorshift64*, seeded from
 *                     the clock and the thread's index, so runs differ): the
 *                     within-run noise of a real service, for the A/A and A/B
 *                     experiments of the regression tests
 *   status=<n>        answer with status n (200..599), body {"status":n}
 *                     (no body for 204 and 304)
 *   fail_pct=<p>      answer 500 {"error":"injected failure"} to p % (0..100)
 *                     of the requests that carry fail_pct.  Deterministic: the
 *                     k-th such request since start or reset (k = 0, 1, ...,
 *                     one sequence over all threads) fails when
 *                     floor((k+1)p/100) > floor(kp/100), so of the first n
 *                     exactly floor(np/100) fail (fail_pct=50: the 2nd, 4th ...)
 *   size=<n>          body of n bytes (0..2^40), application/octet-stream,
 *                     the 64-byte line "0123456789a...zA...Z-\n" repeated and
 *                     cut at n; streamed, never held in memory
 *   drop=1            close the connection without answering
 *   stall=1           never answer; the connection stays open until the client
 *                     closes it or the server exits
 *   garbage=1         answer bytes that are not HTTP, then close
 *   headers_forever=1 send "HTTP/1.1 200 OK" and then a header line every
 *                     every_ms (default 100) without ever ending the headers
 *   body_forever=1    200 with a chunked body that never ends: 16 KiB chunks as
 *                     fast as the client reads, or with every_ms one 64-byte
 *                     chunk every every_ms
 *   every_ms=<n>      pace of the *_forever answers (0..3600000; 0 = flat out)
 *   close=1           answer with "Connection: close" and close
 * After the delay the first that applies wins: drop, stall, garbage,
 * headers_forever, body_forever, fail_pct, then status/size.  Unknown
 * parameters are ignored; a bad value is answered 400 {"error":"bad <name>"}
 * at once (the request still counts).
 *
 * Control (never counted, delayed or stalled)
 *   GET  /_control/stats   {"requests":N,"by_path":{"/health":N,...},
 *                          "by_status":{"200":N,...},"connections":N,
 *                          "open_connections":N,"bytes_in":N,"bytes_out":N,
 *                          "bad_requests":N}   (one line, no spaces)
 *   POST /_control/reset   zero every counter and the fail_pct sequence
 *                          (not open_connections, not a stall); {"status":"ok"}
 *   POST /_control/stall?ms=<n>   every request received in the next n ms
 *                          waits until then (and then for its own delay_ms);
 *                          accepts and reads go on.  ms=0 ends the stall for
 *                          requests received from then on.
 *                          {"status":"ok","stall_ms":n}
 * Counters, exact under concurrency, since start or the last reset:
 *   requests       requests fully received (head and body), /_control excluded
 *   by_path        the same per path (the target up to '?', as sent; at most
 *                  256 paths of < 128 bytes, the rest under "(other)")
 *   by_status      responses to those requests by status code, counted when
 *                  the status line is queued (a *_forever answer counts 200)
 *   connections    connections accepted (those carrying /_control included)
 *   bytes_in       bytes on the wire of the counted requests (head + body)
 *   bytes_out      bytes written answering them
 *   bad_requests   unparsable requests (answered 400/431/501/505 and closed)
 *
 * HTTP: keep-alive (HTTP/1.1 by default, HTTP/1.0 with "Connection:
 * keep-alive"), pipelining, "Connection: close", Content-Length and chunked
 * request bodies (read and discarded), "Expect: 100-continue".  A request line
 * and headers over 16 KiB: 431; malformed: 400; a Transfer-Encoding other than
 * chunked: 501; a version other than 1.0/1.1: 505 -- each then closes.  After a
 * last answer the server shuts down its side and drains the client's for up to
 * 2 s, so the client reads the answer rather than a reset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define TARGET_VERSION   "0.1.0"

/* Request line + headers.  16 KiB like Node; nginx's default is 8 KiB, but
 * tests of "huge header" handling want room for big cookies below the limit. */
#define IN_CAP           16384
/* Stop reading a connection while this much output waits for the client:
 * a client that pipelines without reading cannot make us buffer without end. */
#define OUT_HIGH         65536
/* size= bodies up to this are built in the output buffer with their head
 * (one write); larger ones stream from the pattern buffer. */
#define INLINE_BODY_MAX  65536
#define PATTERN_CHUNK    65536
#define PATTERN_PERIOD   64
#define WRITES_PER_TURN  16      /* fairness: a fast reader of a huge body yields */
#define CHUNK_LINE_MAX   1024
#define LINGER_MS        2000
#define ACCEPT_PAUSE_MS  100     /* out of file descriptors: retry after this */
#define MAX_THREADS      64
#define PATH_SLOTS       256
#define PATH_KEY_MAX     128
#define STATUS_MAX       600
#define MAX_DELAY_MS     3600000
#define MAX_SIZE         (1ULL << 40)
#define EVENTS_PER_WAIT  256

/* ---------------------------------------------------------------------- */
/* Counters: one set per worker, owned by its thread (relaxed atomic adds
 * on a line no other thread writes, so no cache-line bouncing on the hot
 * path); /_control/stats sums them and /_control/reset exchanges them to 0,
 * which loses no increment. */

struct counters {
	_Atomic uint64_t requests, connections, bytes_in, bytes_out, bad_requests;
	_Atomic uint64_t by_path[PATH_SLOTS + 1];      /* [PATH_SLOTS]: "(other)" */
	_Atomic uint64_t by_status[STATUS_MAX];
};

static void count(_Atomic uint64_t *counter, uint64_t n)
{
	atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

/* Path names for by_path: a fixed open-addressing table shared by all
 * threads, insert-only, lock-free.  A slot goes 0 (empty) -> 1 (being
 * written) -> 2 (ready); readers only trust ready slots. */
struct path_slot {
	atomic_int state;
	size_t len;
	char name[PATH_KEY_MAX];
};

static struct path_slot path_table[PATH_SLOTS];

static int path_slot_of(const char *path, size_t len)
{
	if (len >= PATH_KEY_MAX)
		return PATH_SLOTS;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)path[i]) * 16777619u;
	for (size_t probe = 0; probe < PATH_SLOTS; probe++) {
		size_t i = (h + probe) % PATH_SLOTS;
		struct path_slot *s = &path_table[i];
		for (;;) {
			int st = atomic_load_explicit(&s->state, memory_order_acquire);
			if (st == 2) {
				if (s->len == len && memcmp(s->name, path, len) == 0)
					return (int)i;
				break;
			}
			if (st == 1) {
				sched_yield();
				continue;
			}
			int empty = 0;
			if (atomic_compare_exchange_strong(&s->state, &empty, 1)) {
				memcpy(s->name, path, len);
				s->len = len;
				atomic_store_explicit(&s->state, 2, memory_order_release);
				return (int)i;
			}
		}
	}
	return PATH_SLOTS;
}

/* ---------------------------------------------------------------------- */
/* Global state */

struct conn;

struct worker {
	int epfd, listen_fd;
	pthread_t thread;
	struct conn *conns;              /* every open connection, for shutdown */
	struct conn **heap;              /* timers: min-heap on deadline_us */
	size_t heap_len, heap_cap;
	int64_t accept_resume_us;        /* 0 = accepting */
	_Atomic int64_t open_connections;
	struct counters counters;
	char scratch[PATTERN_CHUNK];     /* discarded request bodies, lingering */
	uint64_t rng;                    /* jitter_ms: xorshift64* state, never 0 */
};

static struct worker *workers;
static int worker_count;
static atomic_int stopping;
static char stop_token;                  /* epoll data of the stop eventfd */
static _Atomic int64_t stall_until_us;
static _Atomic uint64_t fail_seq;
static char pattern[PATTERN_CHUNK + PATTERN_PERIOD];

static const char PATTERN_LINE[PATTERN_PERIOD + 1] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";

static const char BODY_OK[] = "{\"status\":\"ok\"}";
static const char BODY_JSON[] =
	"{\"status\":\"ok\",\"items\":[1,2,3],\"user\":{\"id\":42,\"name\":\"ada\"}}";
static const char BODY_NOT_FOUND[] = "{\"error\":\"not found\"}";
static const char BODY_FAILED[] = "{\"error\":\"injected failure\"}";
static const char GARBAGE[] =
	"HTTP/1.1 2OO NOT-A-STATUS\r\nContent-Length: banana\r\n"
	"\x7f\x01\x02 this line has no colon\r\n\r\n\x00\xff\xfe garbage";

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------------- */
/* Connections */

enum conn_state {
	ST_HEAD,        /* reading / parsing a request head */
	ST_BODY,        /* discarding the request body */
	ST_WAIT,        /* request complete, answer due at deadline_us */
	ST_STALL,       /* stall=1: never answer */
	ST_STREAM,      /* writing a streamed answer (size, *_forever) */
	ST_STREAM_WAIT, /* paced *_forever answer: next piece at deadline_us */
	ST_CLOSING,     /* last answer queued: flush it, then linger */
	ST_LINGER,      /* our side shut down: drain the client's until EOF */
};

enum generator { GEN_NONE, GEN_BYTES, GEN_CHUNKS, GEN_HEADERS };
enum route { ROUTE_OK, ROUTE_JSON, ROUTE_NOT_FOUND };
enum control { CTL_NONE, CTL_STATS, CTL_RESET, CTL_STALL, CTL_UNKNOWN };
enum chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

struct request {
	bool head_method, post_method, http10, keep_alive, expect_continue;
	bool chunked;
	enum control control;
	enum route route;
	int path_slot;
	const char *error;          /* bad parameter: answered 400 at once */
	uint64_t delay_ms, jitter_ms, size, ctl_ms;
	int status;                 /* 0: the route's */
	int fail_pct;
	int64_t every_ms;           /* -1: the behaviour's default */
	bool has_size, drop, stall, garbage, headers_forever, body_forever, close;
	uint64_t wire_bytes;        /* for bytes_in */
};

struct conn {
	int fd;
	struct worker *w;
	struct conn *prev, *next;
	enum conn_state state;
	uint32_t events;            /* the epoll interest set now */
	bool peer_eof, close_after, oom;

	size_t in_start, in_end, scan_pos;
	uint64_t body_left;
	enum chunk_state chunk_state;
	size_t trailer_bytes;
	struct request req;

	char *out;
	size_t out_off, out_len, out_cap;
	uint64_t out_abs;           /* stream offset of out[0] */
	uint64_t uncounted_lo, uncounted_hi; /* stream range not in bytes_out */

	enum generator gen;
	bool gen_chunked;
	uint64_t gen_left, gen_pos, gen_seq;
	int64_t every_ms;

	int64_t deadline_us;
	size_t heap_idx;            /* SIZE_MAX when no timer is set */

	char in[IN_CAP];
};

/* --- timers: a binary min-heap per worker ----------------------------- */

static void heap_swap(struct worker *w, size_t i, size_t j)
{
	struct conn *t = w->heap[i];
	w->heap[i] = w->heap[j];
	w->heap[j] = t;
	w->heap[i]->heap_idx = i;
	w->heap[j]->heap_idx = j;
}

static void heap_up(struct worker *w, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (w->heap[parent]->deadline_us <= w->heap[i]->deadline_us)
			break;
		heap_swap(w, i, parent);
		i = parent;
	}
}

static void heap_down(struct worker *w, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < w->heap_len && w->heap[l]->deadline_us < w->heap[m]->deadline_us)
			m = l;
		if (r < w->heap_len && w->heap[r]->deadline_us < w->heap[m]->deadline_us)
			m = r;
		if (m == i)
			break;
		heap_swap(w, i, m);
		i = m;
	}
}

static void timer_clear(struct conn *c)
{
	struct worker *w = c->w;
	size_t i = c->heap_idx;
	if (i == SIZE_MAX)
		return;
	c->heap_idx = SIZE_MAX;
	w->heap_len--;
	if (i == w->heap_len)
		return;
	w->heap[i] = w->heap[w->heap_len];
	w->heap[i]->heap_idx = i;
	heap_up(w, i);
	heap_down(w, w->heap[i]->heap_idx);
}

static void timer_set(struct conn *c, int64_t deadline_us)
{
	struct worker *w = c->w;
	timer_clear(c);
	if (w->heap_len == w->heap_cap) {
		size_t cap = w->heap_cap ? 2 * w->heap_cap : 64;
		struct conn **h = realloc(w->heap, cap * sizeof *h);
		if (!h) {
			c->oom = true;
			return;
		}
		w->heap = h;
		w->heap_cap = cap;
	}
	c->deadline_us = deadline_us;
	c->heap_idx = w->heap_len;
	w->heap[w->heap_len++] = c;
	heap_up(w, c->heap_idx);
}

/* --- output buffer ----------------------------------------------------- */

static size_t out_pending(const struct conn *c)
{
	return c->out_len - c->out_off;
}

/* Move what is still to be written to the front of the output buffer. */
static void out_compact(struct conn *c)
{
	if (c->out_off == 0)
		return;
	memmove(c->out, c->out + c->out_off, out_pending(c));
	c->out_abs += c->out_off;
	c->out_len -= c->out_off;
	c->out_off = 0;
}

/* Room for n more bytes; on failure sets c->oom (the caller's loop closes
 * the connection) so appenders need no error paths. */
static bool out_reserve(struct conn *c, size_t n)
{
	if (c->oom)
		return false;
	if (c->out_cap - c->out_len >= n)
		return true;
	out_compact(c);
	if (c->out_cap - c->out_len >= n)
		return true;
	size_t cap = c->out_cap ? c->out_cap : 4096;
	while (cap - c->out_len < n)
		cap *= 2;
	char *p = realloc(c->out, cap);
	if (!p) {
		c->oom = true;
		return false;
	}
	c->out = p;
	c->out_cap = cap;
	return true;
}

static void out_add(struct conn *c, const void *data, size_t n)
{
	if (out_reserve(c, n)) {
		memcpy(c->out + c->out_len, data, n);
		c->out_len += n;
	}
}

static void out_str(struct conn *c, const char *s)
{
	out_add(c, s, strlen(s));
}

static void out_uint(struct conn *c, uint64_t v)
{
	char buf[24];
	size_t i = sizeof buf;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_add(c, buf + i, sizeof buf - i);
}

static void out_hex(struct conn *c, uint64_t v)
{
	char buf[24];
	size_t i = sizeof buf;
	do {
		buf[--i] = "0123456789abcdef"[v % 16];
		v /= 16;
	} while (v);
	out_add(c, buf + i, sizeof buf - i);
}

/* A JSON string: quotes, escapes, and bytes >= 0x80 as \u00XX so that the
 * stats stay valid JSON whatever bytes a client put in a path. */
static void out_json_string(struct conn *c, const char *s, size_t n)
{
	out_add(c, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			char e[2] = {'\\', (char)ch};
			out_add(c, e, 2);
		} else if (ch < 0x20 || ch >= 0x7f) {
			char e[8];
			snprintf(e, sizeof e, "\\u%04x", ch);
			out_add(c, e, 6);
		} else {
			out_add(c, s + i, 1);
		}
	}
	out_add(c, "\"", 1);
}

/* What follows in the stream up to the current end is not counted in
 * bytes_out (answers to /_control and to unparsable requests). */
static void out_mark_uncounted(struct conn *c, uint64_t from_abs)
{
	uint64_t written = c->out_abs + c->out_off;
	if (c->uncounted_hi <= written)
		c->uncounted_lo = from_abs;
	c->uncounted_hi = c->out_abs + c->out_len;
}

/* --- connection lifetime ----------------------------------------------- */

static void conn_close(struct conn *c)
{
	struct worker *w = c->w;
	timer_clear(c);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	atomic_fetch_sub_explicit(&w->open_connections, 1, memory_order_relaxed);
	free(c->out);
	free(c);
}

static void conn_new(struct worker *w, int fd)
{
	struct conn *c = malloc(sizeof *c);
	if (!c) {
		close(fd);
		return;
	}
	memset(c, 0, offsetof(struct conn, in));
	c->fd = fd;
	c->w = w;
	c->heap_idx = SIZE_MAX;
	c->state = ST_HEAD;
	c->events = EPOLLIN;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct epoll_event ev = {.events = c->events, .data.ptr = c};
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	count(&w->counters.connections, 1);
	atomic_fetch_add_explicit(&w->open_connections, 1, memory_order_relaxed);
}

static void conn_update_events(struct conn *c)
{
	uint32_t ev = 0;
	switch (c->state) {
	case ST_HEAD:
	case ST_BODY:
		if (!c->peer_eof && out_pending(c) < OUT_HIGH &&
		    c->in_end - c->in_start < IN_CAP)
			ev |= EPOLLIN;
		break;
	case ST_WAIT:
	case ST_STALL:
	case ST_STREAM_WAIT:
		/* Not reading: only notice the client giving up. */
		if (!c->peer_eof)
			ev |= EPOLLRDHUP;
		break;
	case ST_LINGER:
		ev |= EPOLLIN | EPOLLRDHUP;
		break;
	case ST_STREAM:
	case ST_CLOSING:
		break;
	}
	if (out_pending(c) || c->state == ST_STREAM)
		ev |= EPOLLOUT;
	if (ev != c->events) {
		struct epoll_event e = {.events = ev, .data.ptr = c};
		epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &e);
		c->events = ev;
	}
}

/* ---------------------------------------------------------------------- */
/* Parsing */

static bool parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	if (n == 0 || n > 19)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool token_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static bool is_tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool flag_value(const char *v, size_t n)
{
	return !(token_eq(v, n, "0") || token_eq(v, n, "false") || token_eq(v, n, "no"));
}

static void parse_query(struct request *r, const char *q, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *amp = memchr(q + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - q) : n;
		const char *k = q + i;
		size_t seg = end - i;
		const char *eq = memchr(k, '=', seg);
		size_t klen = eq ? (size_t)(eq - k) : seg;
		const char *v = eq ? eq + 1 : k + seg;
		size_t vlen = eq ? seg - klen - 1 : 0;
		uint64_t x;
#define KEY(lit) (klen == sizeof(lit) - 1 && memcmp(k, lit, klen) == 0)
		if (KEY("delay_ms")) {
			if (!parse_uint(v, vlen, MAX_DELAY_MS, &r->delay_ms))
				r->error = "bad delay_ms";
		} else if (KEY("jitter_ms")) {
			if (!parse_uint(v, vlen, MAX_DELAY_MS, &r->jitter_ms))
				r->error = "bad jitter_ms";
		} else if (KEY("status")) {
			if (!parse_uint(v, vlen, 599, &x) || x < 200)
				r->error = "bad status";
			else
				r->status = (int)x;
		} else if (KEY("fail_pct")) {
			if (!parse_uint(v, vlen, 100, &x))
				r->error = "bad fail_pct";
			else
				r->fail_pct = (int)x;
		} else if (KEY("size")) {
			if (!parse_uint(v, vlen, MAX_SIZE, &r->size))
				r->error = "bad size";
			else
				r->has_size = true;
		} else if (KEY("every_ms")) {
			if (!parse_uint(v, vlen, MAX_DELAY_MS, &x))
				r->error = "bad every_ms";
			else
				r->every_ms = (int64_t)x;
		} else if (KEY("ms")) {
			if (!parse_uint(v, vlen, MAX_DELAY_MS, &r->ctl_ms))
				r->error = "bad ms";
		} else if (KEY("drop")) {
			r->drop = flag_value(v, vlen);
		} else if (KEY("stall")) {
			r->stall = flag_value(v, vlen);
		} else if (KEY("garbage")) {
			r->garbage = flag_value(v, vlen);
		} else if (KEY("headers_forever")) {
			r->headers_forever = flag_value(v, vlen);
		} else if (KEY("body_forever")) {
			r->body_forever = flag_value(v, vlen);
		} else if (KEY("close")) {
			r->close = flag_value(v, vlen);
		}
#undef KEY
		i = end + 1;
	}
}

/* Path form of a parameter: "/delay/250" -> 250. */
static bool path_number(const char *p, size_t n, const char *prefix, uint64_t max,
			uint64_t *out, bool *bad)
{
	size_t pl = strlen(prefix);
	if (n <= pl || memcmp(p, prefix, pl) != 0)
		return false;
	if (!parse_uint(p + pl, n - pl, max, out))
		*bad = true;
	return true;
}

static void route_request(struct request *r, const char *target, size_t n)
{
	const char *path = target;
	size_t plen = n;
	/* absolute-form (what a client talking to a proxy sends) */
	if (n > 7 && (strncasecmp(target, "http://", 7) == 0 ||
		      (n > 8 && strncasecmp(target, "https://", 8) == 0))) {
		const char *host = memchr(target, '/', n);
		host += 2;
		size_t rest = n - (size_t)(host - target);
		const char *slash = memchr(host, '/', rest);
		path = slash ? slash : "/";
		plen = slash ? rest - (size_t)(slash - host) : 1;
	}
	const char *query = NULL;
	size_t qlen = 0;
	const char *hash = memchr(path, '#', plen);
	if (hash)
		plen = (size_t)(hash - path);
	const char *qm = memchr(path, '?', plen);
	if (qm) {
		query = qm + 1;
		qlen = plen - (size_t)(qm - path) - 1;
		plen = (size_t)(qm - path);
	}
	if (query)
		parse_query(r, query, qlen);

	if (plen >= 10 && memcmp(path, "/_control/", 10) == 0) {
		if (token_eq(path, plen, "/_control/stats"))
			r->control = CTL_STATS;
		else if (token_eq(path, plen, "/_control/reset"))
			r->control = CTL_RESET;
		else if (token_eq(path, plen, "/_control/stall"))
			r->control = CTL_STALL;
		else
			r->control = CTL_UNKNOWN;
		return;
	}
	r->path_slot = path_slot_of(path, plen);

	uint64_t x;
	bool bad = false;
#define IS(lit) (plen == sizeof(lit) - 1 && memcmp(path, lit, plen) == 0)
	if (IS("/") || IS("/health") || IS("/api/status") || IS("/api") ||
	    (plen > 5 && memcmp(path, "/api/", 5) == 0)) {
		r->route = ROUTE_OK;
	} else if (IS("/json")) {
		r->route = ROUTE_JSON;
	} else if (path_number(path, plen, "/delay/", MAX_DELAY_MS, &x, &bad)) {
		r->route = ROUTE_OK;
		if (!bad && !r->delay_ms)
			r->delay_ms = x;
	} else if (path_number(path, plen, "/status/", 599, &x, &bad)) {
		r->route = ROUTE_OK;
		if (x < 200)
			bad = true;
		else if (!bad && !r->status)
			r->status = (int)x;
	} else if (path_number(path, plen, "/bytes/", MAX_SIZE, &x, &bad)) {
		r->route = ROUTE_OK;
		if (!bad && !r->has_size) {
			r->size = x;
			r->has_size = true;
		}
	} else {
		r->route = ROUTE_NOT_FOUND;
	}
#undef IS
	if (bad && !r->error)
		r->error = "bad number in path";
}

/* Parse the request head at the front of the input buffer.  Returns 1 when a
 * whole head was parsed into c->req (and consumed), 0 when more input is
 * needed, or -1 with *status the error to answer. */
static int parse_head(struct conn *c, int *status)
{
	/* RFC 9112 2.2: ignore empty lines before a request line. */
	while (c->in_start < c->in_end) {
		char ch = c->in[c->in_start];
		if (ch == '\n') {
			c->in_start++;
		} else if (ch == '\r' && c->in_start + 1 < c->in_end &&
			   c->in[c->in_start + 1] == '\n') {
			c->in_start += 2;
		} else {
			break;
		}
	}
	const char *buf = c->in + c->in_start;
	size_t avail = c->in_end - c->in_start;
	size_t head_len = 0;
	for (size_t i = c->scan_pos; i < avail; i++) {
		const char *nl = memchr(buf + i, '\n', avail - i);
		if (!nl)
			break;
		i = (size_t)(nl - buf);
		if (i + 1 < avail && buf[i + 1] == '\n') {
			head_len = i + 2;
			break;
		}
		if (i + 2 < avail && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
			head_len = i + 3;
			break;
		}
	}
	if (!head_len) {
		if (avail >= IN_CAP) {
			*status = 431;
			return -1;
		}
		c->scan_pos = avail >= 2 ? avail - 2 : 0;
		return 0;
	}

	struct request *r = &c->req;
	memset(r, 0, sizeof *r);
	r->every_ms = -1;
	r->wire_bytes = head_len;
	*status = 400;

	/* request line: method SP target SP version */
	const char *line_end = memchr(buf, '\n', head_len);
	size_t line_len = (size_t)(line_end - buf);
	if (line_len && buf[line_len - 1] == '\r')
		line_len--;
	const char *sp1 = memchr(buf, ' ', line_len);
	if (!sp1 || sp1 == buf)
		return -1;
	size_t mlen = (size_t)(sp1 - buf);
	for (size_t i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)buf[i]))
			return -1;
	const char *target = sp1 + 1;
	const char *sp2 = memchr(target, ' ', line_len - mlen - 1);
	if (!sp2 || sp2 == target)
		return -1;
	size_t tlen = (size_t)(sp2 - target);
	const char *version = sp2 + 1;
	size_t vlen = line_len - (size_t)(version - buf);
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)target[i] <= 0x20 || target[i] == 0x7f)
			return -1;
	if (vlen == 8 && memcmp(version, "HTTP/1.1", 8) == 0) {
		r->http10 = false;
	} else if (vlen == 8 && memcmp(version, "HTTP/1.0", 8) == 0) {
		r->http10 = true;
	} else {
		if (vlen > 5 && memcmp(version, "HTTP/", 5) == 0)
			*status = 505;
		return -1;
	}
	if (target[0] != '/' && !(tlen == 1 && target[0] == '*') &&
	    !(tlen > 7 && strncasecmp(target, "http://", 7) == 0) &&
	    !(tlen > 8 && strncasecmp(target, "https://", 8) == 0))
		return -1;
	r->head_method = token_eq(buf, mlen, "HEAD");
	r->post_method = token_eq(buf, mlen, "POST");

	/* header fields */
	bool has_length = false, conn_close = false, conn_keep = false, te_other = false;
	uint64_t length = 0;
	const char *p = line_end + 1;
	const char *end = buf + head_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)(nl - p);
		if (len && p[len - 1] == '\r')
			len--;
		if (len == 0)
			break;
		if (*p == ' ' || *p == '\t')   /* obsolete line folding */
			return -1;
		const char *colon = memchr(p, ':', len);
		if (!colon || colon == p)
			return -1;
		size_t nlen = (size_t)(colon - p);
		for (size_t i = 0; i < nlen; i++)
			if (!is_tchar((unsigned char)p[i]))
				return -1;
		const char *v = colon + 1;
		const char *vend = p + len;
		while (v < vend && (*v == ' ' || *v == '\t'))
			v++;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		size_t vl = (size_t)(vend - v);
		if (token_eq(p, nlen, "content-length")) {
			uint64_t n;
			if (!parse_uint(v, vl, UINT64_MAX >> 2, &n))
				return -1;
			if (has_length && n != length)
				return -1;
			has_length = true;
			length = n;
		} else if (token_eq(p, nlen, "transfer-encoding")) {
			if (token_eq(v, vl, "chunked"))
				r->chunked = true;
			else
				te_other = true;
		} else if (token_eq(p, nlen, "connection")) {
			const char *t = v;
			while (t < vend) {
				const char *comma = memchr(t, ',', (size_t)(vend - t));
				const char *te = comma ? comma : vend;
				const char *ts = t;
				while (ts < te && (*ts == ' ' || *ts == '\t'))
					ts++;
				const char *tt = te;
				while (tt > ts && (tt[-1] == ' ' || tt[-1] == '\t'))
					tt--;
				if (token_eq(ts, (size_t)(tt - ts), "close"))
					conn_close = true;
				else if (token_eq(ts, (size_t)(tt - ts), "keep-alive"))
					conn_keep = true;
				t = comma ? comma + 1 : vend;
			}
		} else if (token_eq(p, nlen, "expect")) {
			if (token_eq(v, vl, "100-continue"))
				r->expect_continue = true;
		}
		p = nl + 1;
	}
	if (te_other) {
		*status = 501;
		return -1;
	}
	if (r->chunked && has_length)   /* RFC 9112 6.3: a smuggling risk */
		return -1;
	r->keep_alive = r->http10 ? conn_keep && !conn_close : !conn_close;
	route_request(r, target, tlen);

	c->in_start += head_len;
	c->scan_pos = 0;
	c->body_left = r->chunked ? 0 : length;
	c->chunk_state = CH_SIZE;
	c->trailer_bytes = 0;
	return 1;
}

/* Discard the request body from the input buffer.  1 when it is complete, 0
 * when more input is needed, -1 when it is malformed (chunked framing). */
static int body_consume(struct conn *c)
{
	struct request *r = &c->req;
	if (!r->chunked) {
		size_t avail = c->in_end - c->in_start;
		size_t take = avail < c->body_left ? avail : (size_t)c->body_left;
		c->in_start += take;
		c->body_left -= take;
		r->wire_bytes += take;
		return c->body_left == 0;
	}
	for (;;) {
		const char *buf = c->in + c->in_start;
		size_t avail = c->in_end - c->in_start;
		switch (c->chunk_state) {
		case CH_SIZE:
		case CH_TRAILER: {
			const char *nl = memchr(buf, '\n', avail);
			if (!nl)
				return avail >= CHUNK_LINE_MAX ? -1 : 0;
			size_t used = (size_t)(nl - buf) + 1;
			size_t len = used - 1;
			if (len && buf[len - 1] == '\r')
				len--;
			c->in_start += used;
			r->wire_bytes += used;
			if (c->chunk_state == CH_TRAILER) {
				if (len == 0)
					return 1;
				c->trailer_bytes += used;
				if (c->trailer_bytes > IN_CAP)
					return -1;
				continue;
			}
			uint64_t size = 0;
			size_t i = 0;
			for (; i < len && i < 16; i++) {
				char ch = buf[i];
				int d = ch >= '0' && ch <= '9' ? ch - '0'
					: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
					: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
				if (d < 0)
					break;
				size = size * 16 + (uint64_t)d;
			}
			if (i == 0 || i >= 16)
				return -1;
			if (i < len && buf[i] != ';' && buf[i] != ' ' && buf[i] != '\t')
				return -1;
			if (size == 0) {
				c->chunk_state = CH_TRAILER;
			} else {
				c->body_left = size;
				c->chunk_state = CH_DATA;
			}
			continue;
		}
		case CH_DATA: {
			size_t take = avail < c->body_left ? avail : (size_t)c->body_left;
			c->in_start += take;
			c->body_left -= take;
			r->wire_bytes += take;
			if (c->body_left)
				return 0;
			c->chunk_state = CH_DATA_END;
			continue;
		}
		case CH_DATA_END:
			if (avail == 0)
				return 0;
			if (buf[0] == '\n') {
				c->in_start += 1;
				r->wire_bytes += 1;
			} else if (buf[0] == '\r') {
				if (avail < 2)
					return 0;
				if (buf[1] != '\n')
					return -1;
				c->in_start += 2;
				r->wire_bytes += 2;
			} else {
				return -1;
			}
			c->chunk_state = CH_SIZE;
			continue;
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Answers */

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Status";
	}
}

/* Queue a status line and headers.  length < 0: no Content-Length. */
static void put_head(struct conn *c, int status, const char *ctype, int64_t length,
		     const char *extra)
{
	out_str(c, "HTTP/1.1 ");
	out_uint(c, (uint64_t)status);
	out_add(c, " ", 1);
	out_str(c, reason(status));
	out_str(c, "\r\nServer: lt-target\r\n");
	if (ctype) {
		out_str(c, "Content-Type: ");
		out_str(c, ctype);
		out_str(c, "\r\n");
	}
	if (length >= 0) {
		out_str(c, "Content-Length: ");
		out_uint(c, (uint64_t)length);
		out_str(c, "\r\n");
	}
	if (extra)
		out_str(c, extra);
	if (c->close_after)
		out_str(c, "Connection: close\r\n");
	else if (c->req.http10)
		out_str(c, "Connection: keep-alive\r\n");
	out_str(c, "\r\n");
}

/* The state after a whole answer has been queued. */
static void answered(struct conn *c)
{
	c->state = c->close_after ? ST_CLOSING : ST_HEAD;
}

static void answer_with(struct conn *c, int status, const char *body, const char *extra)
{
	bool no_body = status == 204 || status == 304;
	put_head(c, status, no_body ? NULL : "application/json",
		 no_body ? -1 : (int64_t)strlen(body), extra);
	if (!no_body && !c->req.head_method)
		out_str(c, body);
	answered(c);
}

static void answer_simple(struct conn *c, int status, const char *body)
{
	answer_with(c, status, body, NULL);
}

static void bad_request(struct conn *c, int status)
{
	struct worker *w = c->w;
	count(&w->counters.bad_requests, 1);
	memset(&c->req, 0, sizeof c->req);
	c->close_after = true;
	uint64_t from = c->out_abs + c->out_len;
	answer_simple(c, status, status == 431 ? "{\"error\":\"request header fields too large\"}"
				 : status == 501 ? "{\"error\":\"transfer-encoding not implemented\"}"
				 : status == 505 ? "{\"error\":\"http version not supported\"}"
				 : "{\"error\":\"bad request\"}");
	out_mark_uncounted(c, from);
	c->in_start = c->in_end;   /* nothing after it can be trusted */
}

static uint64_t load(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

static void stats_body(struct conn *c)
{
	uint64_t requests = 0, connections = 0, bytes_in = 0, bytes_out = 0, bad = 0;
	int64_t open = 0;
	for (int i = 0; i < worker_count; i++) {
		struct counters *k = &workers[i].counters;
		requests += load(&k->requests);
		connections += load(&k->connections);
		bytes_in += load(&k->bytes_in);
		bytes_out += load(&k->bytes_out);
		bad += load(&k->bad_requests);
		open += atomic_load_explicit(&workers[i].open_connections, memory_order_relaxed);
	}
	out_str(c, "{\"requests\":");
	out_uint(c, requests);
	out_str(c, ",\"by_path\":{");
	bool first = true;
	for (int s = 0; s <= PATH_SLOTS; s++) {
		if (s < PATH_SLOTS &&
		    atomic_load_explicit(&path_table[s].state, memory_order_acquire) != 2)
			continue;
		uint64_t n = 0;
		for (int i = 0; i < worker_count; i++)
			n += load(&workers[i].counters.by_path[s]);
		if (!n)
			continue;
		if (!first)
			out_add(c, ",", 1);
		first = false;
		if (s < PATH_SLOTS)
			out_json_string(c, path_table[s].name, path_table[s].len);
		else
			out_str(c, "\"(other)\"");
		out_add(c, ":", 1);
		out_uint(c, n);
	}
	out_str(c, "},\"by_status\":{");
	first = true;
	for (int s = 0; s < STATUS_MAX; s++) {
		uint64_t n = 0;
		for (int i = 0; i < worker_count; i++)
			n += load(&workers[i].counters.by_status[s]);
		if (!n)
			continue;
		if (!first)
			out_add(c, ",", 1);
		first = false;
		out_add(c, "\"", 1);
		out_uint(c, (uint64_t)s);
		out_str(c, "\":");
		out_uint(c, n);
	}
	out_str(c, "},\"connections\":");
	out_uint(c, connections);
	out_str(c, ",\"open_connections\":");
	out_uint(c, open > 0 ? (uint64_t)open : 0);
	out_str(c, ",\"bytes_in\":");
	out_uint(c, bytes_in);
	out_str(c, ",\"bytes_out\":");
	out_uint(c, bytes_out);
	out_str(c, ",\"bad_requests\":");
	out_uint(c, bad);
	out_str(c, "}");
}

static void reset_counters(void)
{
	for (int i = 0; i < worker_count; i++) {
		struct counters *k = &workers[i].counters;
		atomic_exchange(&k->requests, 0);
		atomic_exchange(&k->connections, 0);
		atomic_exchange(&k->bytes_in, 0);
		atomic_exchange(&k->bytes_out, 0);
		atomic_exchange(&k->bad_requests, 0);
		for (int s = 0; s <= PATH_SLOTS; s++)
			atomic_exchange(&k->by_path[s], 0);
		for (int s = 0; s < STATUS_MAX; s++)
			atomic_exchange(&k->by_status[s], 0);
	}
	atomic_store(&fail_seq, 0);
}

static void answer_control(struct conn *c)
{
	struct request *r = &c->req;
	uint64_t from = c->out_abs + c->out_len;
	if (r->error) {
		char body[64];
		snprintf(body, sizeof body, "{\"error\":\"%s\"}", r->error);
		answer_simple(c, 400, body);
	} else if (r->control == CTL_STATS) {
		if (r->post_method) {
			answer_with(c, 405, "{\"error\":\"use GET or HEAD\"}", "Allow: GET, HEAD\r\n");
		} else {
			/* The body is built first, then moved behind its head;
			 * compacting first keeps body_at valid while it grows. */
			out_compact(c);
			size_t body_at = c->out_len;
			stats_body(c);
			size_t body_len = c->out_len - body_at;
			char *body = malloc(body_len ? body_len : 1);
			if (!body) {
				c->oom = true;
				return;
			}
			memcpy(body, c->out + body_at, body_len);
			c->out_len = body_at;
			put_head(c, 200, "application/json", (int64_t)body_len, NULL);
			if (!r->head_method)
				out_add(c, body, body_len);
			free(body);
			answered(c);
		}
	} else if (r->control == CTL_RESET || r->control == CTL_STALL) {
		if (!r->post_method) {
			answer_with(c, 405, "{\"error\":\"use POST\"}", "Allow: POST\r\n");
		} else if (r->control == CTL_RESET) {
			reset_counters();
			answer_simple(c, 200, BODY_OK);
		} else {
			atomic_store(&stall_until_us, now_us() + (int64_t)r->ctl_ms * 1000);
			char body[64];
			snprintf(body, sizeof body, "{\"status\":\"ok\",\"stall_ms\":%llu}",
				 (unsigned long long)r->ctl_ms);
			answer_simple(c, 200, body);
		}
	} else {
		answer_simple(c, 404, BODY_NOT_FOUND);
	}
	out_mark_uncounted(c, from);
}

/* One piece of a never-ending answer. */
static void gen_unit(struct conn *c)
{
	c->gen_seq++;
	if (c->gen == GEN_HEADERS) {
		out_str(c, "X-Forever-");
		out_uint(c, c->gen_seq);
		out_str(c, ": ");
		out_add(c, PATTERN_LINE, PATTERN_PERIOD - 2);
		out_str(c, "\r\n");
		return;
	}
	size_t n = c->every_ms > 0 ? PATTERN_PERIOD : 16384;
	if (c->gen_chunked) {
		out_hex(c, n);
		out_str(c, "\r\n");
	}
	out_add(c, pattern, n);
	if (c->gen_chunked)
		out_str(c, "\r\n");
}

static void count_status(struct conn *c, int status)
{
	count(&c->w->counters.by_status[status], 1);
}

/* Answer the complete request in c->req.  Returns -1 when the connection
 * was closed (c is gone), else 0 with c->state set. */
static int respond(struct conn *c)
{
	struct request *r = &c->req;
	c->close_after = !r->keep_alive || r->close;
	if (r->control != CTL_NONE) {
		answer_control(c);
		return 0;
	}
	if (r->error) {
		char body[64];
		snprintf(body, sizeof body, "{\"error\":\"%s\"}", r->error);
		count_status(c, 400);
		answer_simple(c, 400, body);
		return 0;
	}
	if (r->drop) {
		conn_close(c);
		return -1;
	}
	if (r->stall) {
		c->state = ST_STALL;
		return 0;
	}
	if (r->garbage) {
		out_add(c, GARBAGE, sizeof GARBAGE - 1);
		c->close_after = true;
		c->state = ST_CLOSING;
		return 0;
	}
	if (r->headers_forever) {
		count_status(c, 200);
		out_str(c, "HTTP/1.1 200 OK\r\nServer: lt-target\r\n");
		c->gen = GEN_HEADERS;
		c->every_ms = r->every_ms >= 0 ? r->every_ms : 100;
		c->close_after = true;
		gen_unit(c);
		c->state = ST_STREAM;
		return 0;
	}
	if (r->body_forever) {
		count_status(c, 200);
		c->close_after = true;
		c->gen_chunked = !r->http10;
		put_head(c, 200, "application/octet-stream", -1,
			 c->gen_chunked ? "Transfer-Encoding: chunked\r\n" : NULL);
		if (r->head_method) {
			answered(c);
			return 0;
		}
		c->gen = GEN_CHUNKS;
		c->every_ms = r->every_ms >= 0 ? r->every_ms : 0;
		gen_unit(c);
		c->state = ST_STREAM;
		return 0;
	}
	int status = r->status ? r->status : r->route == ROUTE_NOT_FOUND ? 404 : 200;
	if (r->fail_pct > 0) {
		uint64_t k = atomic_fetch_add(&fail_seq, 1);
		if ((k + 1) * (uint64_t)r->fail_pct / 100 > k * (uint64_t)r->fail_pct / 100) {
			count_status(c, 500);
			answer_simple(c, 500, BODY_FAILED);
			return 0;
		}
	}
	count_status(c, status);
	if (r->has_size && status != 204 && status != 304) {
		put_head(c, status, "application/octet-stream", (int64_t)r->size, NULL);
		if (r->head_method) {
		} else if (r->size <= INLINE_BODY_MAX) {
			out_add(c, pattern, (size_t)r->size);
		} else {
			c->gen = GEN_BYTES;
			c->gen_left = r->size;
			c->gen_pos = 0;
			c->state = ST_STREAM;
			return 0;
		}
		answered(c);
		return 0;
	}
	if (r->status) {
		char body[32];
		snprintf(body, sizeof body, "{\"status\":%d}", status);
		answer_simple(c, status, body);
	} else {
		answer_simple(c, status, r->route == ROUTE_JSON ? BODY_JSON
				 : r->route == ROUTE_NOT_FOUND ? BODY_NOT_FOUND : BODY_OK);
	}
	return 0;
}

/* Uniform on 0..max_us (inclusive) from the worker's xorshift64* stream:
 * one thread owns w, so no lock; the modulo bias (< max_us / 2^64) is far
 * below anything a test can see. */
static int64_t jitter_us(struct worker *w, uint64_t max_us)
{
	uint64_t x = w->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return (int64_t)((x * 0x2545F4914F6CDD1DULL) % (max_us + 1));
}

/* The request in c->req has been fully received: count it and answer it now
 * or when its delay (or a global stall) is over. */
static int request_complete(struct conn *c)
{
	struct request *r = &c->req;
	if (r->control == CTL_NONE) {
		struct counters *k = &c->w->counters;
		count(&k->requests, 1);
		count(&k->by_path[r->path_slot], 1);
		count(&k->bytes_in, r->wire_bytes);
		if (!r->error) {
			int64_t now = now_us();
			int64_t start = atomic_load_explicit(&stall_until_us, memory_order_relaxed);
			if (start < now)
				start = now;
			int64_t due = start + (int64_t)r->delay_ms * 1000;
			if (r->jitter_ms)
				due += jitter_us(c->w, r->jitter_ms * 1000);
			if (due > now) {
				c->state = ST_WAIT;
				timer_set(c, due);
				return 0;
			}
		}
	}
	return respond(c);
}

/* ---------------------------------------------------------------------- */
/* I/O */

/* Parse and answer what is buffered.  Returns -1 when c was closed, 1 when
 * held back by pending output, 0 otherwise. */
static int conn_process(struct conn *c)
{
	for (;;) {
		if (c->oom) {
			conn_close(c);
			return -1;
		}
		int r, status;
		switch (c->state) {
		case ST_HEAD:
			if (out_pending(c) >= OUT_HIGH)
				return 1;
			r = parse_head(c, &status);
			if (r < 0) {
				bad_request(c, status);
				break;
			}
			if (r == 0) {
				if (!c->peer_eof)
					return 0;
				if (!out_pending(c)) {
					conn_close(c);
					return -1;
				}
				c->close_after = true;
				c->state = ST_CLOSING;
				return 0;
			}
			if (c->req.expect_continue && !c->req.http10 &&
			    (c->req.chunked || c->body_left) && c->in_start == c->in_end) {
				uint64_t from = c->out_abs + c->out_len;
				out_str(c, "HTTP/1.1 100 Continue\r\n\r\n");
				if (c->req.control)
					out_mark_uncounted(c, from);
			}
			c->state = ST_BODY;
			break;
		case ST_BODY:
			r = body_consume(c);
			if (r < 0) {
				bad_request(c, 400);
				break;
			}
			if (r == 0) {
				if (!c->peer_eof)
					return 0;
				conn_close(c);   /* the client gave up mid-body */
				return -1;
			}
			if (request_complete(c) < 0)
				return -1;
			break;
		default:
			return 0;
		}
	}
}

static void count_written(struct conn *c, uint64_t from_abs, size_t n)
{
	uint64_t lo = from_abs > c->uncounted_lo ? from_abs : c->uncounted_lo;
	uint64_t hi = from_abs + n < c->uncounted_hi ? from_abs + n : c->uncounted_hi;
	uint64_t skip = hi > lo ? hi - lo : 0;
	if (n > skip)
		count(&c->w->counters.bytes_out, n - skip);
}

/* Write what is queued and what the generator makes.  Returns -1 when c was
 * closed, 1 when a streamed answer ended (buffered input may hold the next
 * request), 0 when blocked or done. */
static int conn_flush(struct conn *c)
{
	for (int turn = 0;; turn++) {
		size_t pending = out_pending(c);
		size_t body = 0;
		if (c->gen == GEN_BYTES)
			body = c->gen_left < PATTERN_CHUNK ? (size_t)c->gen_left : PATTERN_CHUNK;
		if (!pending && !body) {
			if (c->state == ST_STREAM && (c->gen == GEN_CHUNKS || c->gen == GEN_HEADERS)) {
				if (c->every_ms > 0) {
					c->state = ST_STREAM_WAIT;
					timer_set(c, now_us() + c->every_ms * 1000);
					if (c->oom) {
						conn_close(c);
						return -1;
					}
					return 0;
				}
				if (turn >= WRITES_PER_TURN)
					return 0;
				gen_unit(c);
				if (c->oom) {
					conn_close(c);
					return -1;
				}
				continue;
			}
			break;
		}
		if (turn >= WRITES_PER_TURN)
			return 0;
		const char *pat = pattern + c->gen_pos % PATTERN_PERIOD;
		ssize_t n;
		if (pending && body) {
			struct iovec iov[2] = {
				{.iov_base = c->out + c->out_off, .iov_len = pending},
				{.iov_base = (void *)pat, .iov_len = body},
			};
			struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
			n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
		} else if (pending) {
			n = send(c->fd, c->out + c->out_off, pending, MSG_NOSIGNAL);
		} else {
			n = send(c->fd, pat, body, MSG_NOSIGNAL);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			conn_close(c);
			return -1;
		}
		size_t from_out = (size_t)n < pending ? (size_t)n : pending;
		if (from_out) {
			count_written(c, c->out_abs + c->out_off, from_out);
			c->out_off += from_out;
			if (c->out_off == c->out_len) {
				c->out_abs += c->out_len;
				c->out_off = c->out_len = 0;
			} else if (c->out_off > c->out_cap / 2) {
				out_compact(c);
			}
		}
		size_t from_body = (size_t)n - from_out;
		if (from_body) {
			count(&c->w->counters.bytes_out, from_body);
			c->gen_left -= from_body;
			c->gen_pos += from_body;
			if (!c->gen_left)
				c->gen = GEN_NONE;
		}
	}
	/* everything queued is written */
	if (c->state == ST_STREAM && c->gen == GEN_NONE) {
		answered(c);
		if (c->state == ST_HEAD)
			return 1;
	}
	if (c->state == ST_CLOSING) {
		if (c->peer_eof) {
			conn_close(c);
			return -1;
		}
		shutdown(c->fd, SHUT_WR);
		c->state = ST_LINGER;
		timer_set(c, now_us() + LINGER_MS * 1000);
		if (c->oom) {
			conn_close(c);
			return -1;
		}
	}
	return 0;
}

static void conn_run(struct conn *c)
{
	for (;;) {
		int p = conn_process(c);
		if (p < 0)
			return;
		int f = conn_flush(c);
		if (f < 0)
			return;
		if (f == 1)
			continue;
		if (p == 1 && out_pending(c) < OUT_HIGH)
			continue;
		break;
	}
	conn_update_events(c);
}

/* Read once into the input buffer (or, for a Content-Length body with
 * nothing buffered, straight into the discard buffer).  -1: c was closed. */
static int conn_read(struct conn *c)
{
	struct worker *w = c->w;
	for (int i = 0; i < 8; i++) {
		ssize_t n;
		if (c->state == ST_BODY && !c->req.chunked && c->in_start == c->in_end &&
		    c->body_left > 0) {
			size_t want = c->body_left < sizeof w->scratch ? (size_t)c->body_left
								     : sizeof w->scratch;
			n = recv(c->fd, w->scratch, want, 0);
			if (n > 0) {
				c->body_left -= (uint64_t)n;
				c->req.wire_bytes += (uint64_t)n;
				if ((size_t)n < want || !c->body_left)
					return 0;
				continue;
			}
		} else {
			if (c->in_start > 0) {
				memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
				c->in_end -= c->in_start;
				c->in_start = 0;
			}
			if (c->in_end == IN_CAP)
				return 0;
			n = recv(c->fd, c->in + c->in_end, IN_CAP - c->in_end, 0);
			if (n > 0) {
				c->in_end += (size_t)n;
				return 0;
			}
		}
		if (n == 0) {
			c->peer_eof = true;
			return 0;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR)
			continue;
		conn_close(c);
		return -1;
	}
	return 0;
}

static void conn_linger(struct conn *c)
{
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(c->fd, c->w->scratch, sizeof c->w->scratch, 0);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	conn_close(c);
}

static void conn_on_event(struct conn *c, uint32_t ev)
{
	if (ev & EPOLLERR) {
		conn_close(c);
		return;
	}
	if (c->state == ST_LINGER) {
		conn_linger(c);
		return;
	}
	if ((ev & (EPOLLRDHUP | EPOLLHUP)) && !(c->events & EPOLLIN) &&
	    (c->state == ST_WAIT || c->state == ST_STALL || c->state == ST_STREAM_WAIT)) {
		conn_close(c);   /* the client gave up waiting */
		return;
	}
	if ((ev & EPOLLHUP) && !(ev & EPOLLIN)) {
		conn_close(c);
		return;
	}
	if ((ev & (EPOLLIN | EPOLLHUP)) && (c->events & EPOLLIN)) {
		if (conn_read(c) < 0)
			return;
	}
	conn_run(c);
}

static void conn_on_timer(struct conn *c)
{
	switch (c->state) {
	case ST_WAIT:
		if (respond(c) < 0)
			return;
		break;
	case ST_STREAM_WAIT:
		gen_unit(c);
		c->state = ST_STREAM;
		break;
	case ST_LINGER:
		conn_close(c);
		return;
	default:
		break;
	}
	conn_run(c);
}

/* ---------------------------------------------------------------------- */
/* Workers */

static void worker_listen(struct worker *w, bool on)
{
	struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.ptr = w};
	epoll_ctl(w->epfd, EPOLL_CTL_MOD, w->listen_fd, &ev);
}

static void worker_accept(struct worker *w)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_new(w, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* Level-triggered: without a pause the loop would spin. */
			worker_listen(w, false);
			w->accept_resume_us = now_us() + ACCEPT_PAUSE_MS * 1000;
		}
		return;
	}
}

/* Microseconds until the worker's next timer; -1: none.  epoll_pwait2
 * (Linux 5.11) sleeps to the microsecond, so a delay_ms=10 answer leaves
 * at 10.0x ms, not at the next whole millisecond; older kernels get
 * epoll_wait's milliseconds, rounded up (a timer must never fire early:
 * delay_ms is a minimum). */
static int64_t worker_timeout_us(struct worker *w)
{
	int64_t next = INT64_MAX;
	if (w->heap_len)
		next = w->heap[0]->deadline_us;
	if (w->accept_resume_us && w->accept_resume_us < next)
		next = w->accept_resume_us;
	if (next == INT64_MAX)
		return -1;
	int64_t left = next - now_us();
	if (left <= 0)
		return 0;
	return left > 60000000 ? 60000000 : left;
}

static int worker_wait(struct worker *w, struct epoll_event *evs)
{
	int64_t us = worker_timeout_us(w);
	struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
	int n = epoll_pwait2(w->epfd, evs, EVENTS_PER_WAIT, us < 0 ? NULL : &ts, NULL);
	if (n < 0 && errno == ENOSYS)
		n = epoll_wait(w->epfd, evs, EVENTS_PER_WAIT, us < 0 ? -1 : (int)((us + 999) / 1000));
	return n;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[EVENTS_PER_WAIT];
	/* Wake on time: the kernel's default 50 us of timer slack would be
	 * added to every delay. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	while (!atomic_load(&stopping)) {
		int n = worker_wait(w, evs);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "lt-target: epoll_wait: %s\n", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			if (p == &stop_token)
				continue;
			if (p == w)
				worker_accept(w);
			else
				conn_on_event(p, evs[i].events);
		}
		int64_t now = now_us();
		while (w->heap_len && w->heap[0]->deadline_us <= now) {
			struct conn *c = w->heap[0];
			timer_clear(c);
			conn_on_timer(c);
		}
		if (w->accept_resume_us && w->accept_resume_us <= now) {
			w->accept_resume_us = 0;
			worker_listen(w, true);
		}
	}
	while (w->conns)
		conn_close(w->conns);
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Start-up */

static void usage(FILE *f)
{
	fputs("usage: lt-target [--listen 127.0.0.1:<port>] [--port-file <file>]\n"
	      "                 [--threads <n>] [--max-seconds <s>]\n"
	      "HTTP/1.1 test target for lt; the behaviour of each request comes from\n"
	      "its URL (see the comment at the top of tests/support/lt-target.c):\n"
	      "  /health /json /delay/<ms> /status/<n> /bytes/<n>\n"
	      "  ?delay_ms= &jitter_ms= &status= &fail_pct= &size= &drop=1 &stall=1\n"
	      "  &garbage=1 &headers_forever=1 &body_forever=1 &every_ms= &close=1\n"
	      "  GET /_control/stats, POST /_control/reset, POST /_control/stall?ms=<n>\n", f);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("lt-target: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	usage(stderr);
	return 2;
}

static int listen_on(uint16_t port, uint16_t *bound)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(fd, SOMAXCONN) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*bound = ntohs(a.sin_port);
	return fd;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *listen_arg = "127.0.0.1:0", *port_file = NULL;
	uint64_t threads = 2, max_seconds = 600;
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			puts("lt-target " TARGET_VERSION);
			return 0;
		} else if ((v = option_value(argc, argv, &i, "--listen"))) {
			listen_arg = v;
		} else if ((v = option_value(argc, argv, &i, "--port-file"))) {
			port_file = v;
		} else if ((v = option_value(argc, argv, &i, "--threads"))) {
			if (!parse_uint(v, strlen(v), MAX_THREADS, &threads) || threads < 1)
				return bad_usage("--threads: must be 1..64, got '%s'", v);
		} else if ((v = option_value(argc, argv, &i, "--max-seconds"))) {
			if (!parse_uint(v, strlen(v), 10 * 365 * 86400ULL, &max_seconds) ||
			    max_seconds < 1)
				return bad_usage("--max-seconds: must be a positive number of seconds, got '%s'", v);
		} else {
			return bad_usage("unknown or incomplete option '%s'", argv[i]);
		}
	}
	const char *colon = strrchr(listen_arg, ':');
	const char *port_text = colon ? colon + 1 : listen_arg;
	uint64_t port;
	if (colon && !(colon - listen_arg == 9 && !strncmp(listen_arg, "127.0.0.1", 9)))
		return bad_usage("--listen '%s': only 127.0.0.1 is allowed (tests never listen "
				 "outside loopback)", listen_arg);
	if (!parse_uint(port_text, strlen(port_text), 65535, &port))
		return bad_usage("--listen '%s': expected 127.0.0.1:<port>", listen_arg);

	signal(SIGPIPE, SIG_IGN);
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	/* Blocked before any thread starts, so only sigtimedwait() sees them. */
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	/* 1000 connections and more: lift the soft descriptor limit. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 1048576 ? 1048576 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = PATTERN_LINE[i % PATTERN_PERIOD];

	int rc = 3, started = 0;
	worker_count = (int)threads;
	workers = calloc((size_t)worker_count, sizeof *workers);
	for (int i = 0; workers && i < worker_count; i++)
		workers[i].epfd = workers[i].listen_fd = -1;
	/* jitter_ms: each thread its own stream, different in every process
	 * (splitmix64 of clock and index spreads nearby seeds apart). */
	struct timespec seed_ts;
	clock_gettime(CLOCK_REALTIME, &seed_ts);
	for (int i = 0; workers && i < worker_count; i++) {
		uint64_t z = ((uint64_t)seed_ts.tv_sec * 1000000000u + (uint64_t)seed_ts.tv_nsec) ^
			     ((uint64_t)getpid() << 32) ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL);
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		workers[i].rng = z ? z : 0x9E3779B97F4A7C15ULL;
	}
	int stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!workers || stop_fd < 0) {
		fprintf(stderr, "lt-target: cannot start: %s\n", strerror(errno));
		goto out;
	}
	uint16_t bound = (uint16_t)port;
	for (int i = 0; i < worker_count; i++) {
		struct worker *w = &workers[i];
		w->listen_fd = listen_on(bound, &bound);
		if (w->listen_fd < 0) {
			fprintf(stderr, "lt-target: cannot listen on 127.0.0.1:%u: %s\n",
				(unsigned)bound, strerror(errno));
			goto out;
		}
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		struct epoll_event lev = {.events = EPOLLIN, .data.ptr = w};
		struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &stop_token};
		if (w->epfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listen_fd, &lev) < 0 ||
		    epoll_ctl(w->epfd, EPOLL_CTL_ADD, stop_fd, &sev) < 0) {
			fprintf(stderr, "lt-target: epoll: %s\n", strerror(errno));
			goto out;
		}
	}
	for (; started < worker_count; started++) {
		int e = pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]);
		if (e) {
			fprintf(stderr, "lt-target: cannot start a thread: %s\n", strerror(e));
			goto out;
		}
	}
	if (port_file && write_port_file(port_file, bound) < 0) {
		fprintf(stderr, "lt-target: %s: %s\n", port_file, strerror(errno));
		goto out;
	}
	printf("listening 127.0.0.1:%u\n", (unsigned)bound);
	fflush(stdout);

	int64_t end = now_us() + (int64_t)max_seconds * 1000000;
	for (;;) {
		int64_t left = end - now_us();
		if (left <= 0) {
			fprintf(stderr, "lt-target: exiting after %llu s (--max-seconds)\n",
				(unsigned long long)max_seconds);
			break;
		}
		struct timespec ts = {.tv_sec = left / 1000000, .tv_nsec = left % 1000000 * 1000};
		if (sigtimedwait(&sigs, NULL, &ts) > 0)
			break;
	}
	rc = 0;
out:
	atomic_store(&stopping, 1);
	if (stop_fd >= 0) {
		uint64_t one = 1;
		if (write(stop_fd, &one, sizeof one) < 0)
			fprintf(stderr, "lt-target: cannot stop the workers: %s\n", strerror(errno));
	}
	for (int i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	for (int i = 0; workers && i < worker_count; i++) {
		if (workers[i].listen_fd >= 0)
			close(workers[i].listen_fd);
		if (workers[i].epfd >= 0)
			close(workers[i].epfd);
		free(workers[i].heap);
	}
	free(workers);
	if (stop_fd >= 0)
		close(stop_fd);
	return rc;
}
