/* serve.h -- lt-serve's HTTP API: routes, JSON in and out, work in the background.
 *
 * lt-serve exposes what the other programs do over the REST API of the
 * seed, under /api/load-testing/, with a live WebSocket timeline and a
 * dashboard page (lt-serve(1) lists every endpoint).  This module is all
 * of it but the sockets: the program hands each request over as a
 * struct lt_serve_request (method, path, query, the few headers that
 * matter, the body) and writes back the struct lt_serve_response it gets.
 * WebSocket subscribers are the program's too: the module passes each
 * record to a broadcast callback as text.
 *
 * Why the split: the HTTP library (civetweb) is lt-serve's alone, so
 * libltcore does not link it and the other programs do not load it; and
 * every route, check and answer can be tested through lt_serve_handle()
 * without opening a socket (tests/unit/check_serve.c).
 *
 * What runs where.  Requests are answered on the caller's threads, any
 * number at once; database handles come from a small pool (a handle is
 * not thread-safe, db.h).  Long work runs on threads the module starts
 * and joins: each load test (engine.h) on a thread of its own that
 * records it second by second in the database (as lt-run --db does) and
 * broadcasts its records; a benchmark session (bench.h); the training of
 * an anomaly model (analytics.h); regression monitoring, the watch loop
 * (watch.h) with a pass every interval.  lt_serve_free() stops them all,
 * cleanly: a run stopped that way is recorded as interrupted.
 *
 * Safety (lt-serve(1), SECURITY):
 *  - with a token, every request but GET /health must carry it
 *    ("Authorization: Bearer TOKEN", or the access_token query parameter
 *    of RFC 6750 for the dashboard page and its WebSocket, which a
 *    browser cannot give headers); compared in constant time;
 *  - without a token the server must listen on loopback only
 *    (lt_serve_listen_check) and then only answers requests whose Host is
 *    a loopback name (no DNS rebinding) and refuses a cross-site Origin
 *    (no cross-site request forgery from a page the user has open);
 *  - bodies are limited (413), JSON must be JSON (400) of the right
 *    types, scenario ids match [A-Za-z0-9][A-Za-z0-9._-]{0,63};
 *  - a scenario sent over the API may not read server files ("@file"
 *    bodies, cacert): 400;
 *  - --allow-target restricts the hosts runs may send traffic to (403);
 *  - at most max_runs load tests at once (409), no benchmark during a
 *    load test nor a load test during a benchmark (they measure each
 *    other);
 *  - no shell is ever started, and no program is started with request
 *    data (benchmarks over the API are the built-in suites only).
 *
 * Answers are JSON; an error is {"error": CODE, "detail": "what and
 * where"} with the status that fits, CODE one of: invalid_json,
 * invalid_request, unauthorized, forbidden, not_found,
 * method_not_allowed, conflict, payload_too_large,
 * unsupported_media_type, upgrade_required, not_implemented, internal,
 * unavailable.
 */
#ifndef LT_SERVE_H
#define LT_SERVE_H

#include "lt.h"

#include <stdbool.h>
#include <stddef.h>

#define LT_SERVE_DEFAULT_LISTEN   "127.0.0.1:3001"

/* A request body larger than this is refused with 413.  One MiB: a
 * scenario is a few KiB, a large one with many endpoints and inline
 * bodies some hundreds; --max-body raises it up to LT_SERVE_MAX_BODY_LIMIT
 * for scenarios with big inline bodies. */
#define LT_SERVE_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define LT_SERVE_MAX_BODY_LIMIT   ((size_t)64 << 20)

/* --max-runs at most: each run has worker threads of its own. */
#define LT_SERVE_MAX_RUNS         64

/* --allow-target at most. */
#define LT_SERVE_MAX_TARGETS      64

/* Where the WebSocket lives; the program upgrades requests to it. */
#define LT_SERVE_WS_PATH          "/api/load-testing/ws"

/* Per run, the seconds of timeline kept in memory for subscribers that
 * join late (the "hello" message) and for GET /status?timeline=1: fifteen
 * minutes, what the dashboard charts show; the whole run is in the
 * database. */
#define LT_SERVE_TIMELINE_MAX     900

/* Finished runs remembered for GET /status (the database has them all). */
#define LT_SERVE_RECENT_RUNS      20

/* The longest run a dry run (POST /run with options.dryRun) plans over
 * the API: one day (longer is 400).  The plan lists every second, some
 * 45 bytes of answer each: a day is 4 MB, while the 30 days a scenario
 * may last took seconds of CPU and 600 MB of memory per request.
 * lt-run --dry-run plans any run. */
#define LT_SERVE_PLAN_MAX_S       86400.0

/* Results per page of GET /results at most, and the default. */
#define LT_SERVE_PAGE_MAX         500
#define LT_SERVE_PAGE_DEFAULT     20

struct lt_serve;

/* Called with each record the server's work produces, as one line of
 * compact JSON (no newline): the run_start, sample and summary records of
 * every run (lt-ndjson(5); the per-second "hist" is left out: it is for
 * merging shards, and subscribers draw charts), then its "alert" records
 * and a "verdict" when the run was compared with its baseline, and
 * "run_error" when a run failed to run, and "bench" records of
 * benchmark sessions.  text is borrowed for the call.  Calls come, in
 * order, from one thread the module starts for them (a slow subscriber
 * delays that thread, never a run's); at most 256 messages wait, the
 * oldest dropped beyond.  The callback must not call back into the
 * module but for lt_serve_ws_hello. */
typedef void (*lt_serve_broadcast_fn)(const char *text, size_t len, void *user);

/* Called with one line for the operator's log ("run 3f2a... of
 * api-health-check started"), from any thread, one at a time.  May be
 * NULL. */
typedef void (*lt_serve_log_fn)(const char *line, void *user);

struct lt_serve_opts {
	const char *db_path;           /* NULL: lt_db_default_path(NULL) */
	const char *token;             /* NULL: no authentication (loopback only);
					* copied */
	const char *const *allow_targets; /* hosts runs may load; n == 0: any */
	size_t n_allow_targets;        /* copied; at most LT_SERVE_MAX_TARGETS */
	unsigned max_runs;             /* load tests at once; 0: 1 */
	size_t max_body;               /* 0: LT_SERVE_DEFAULT_MAX_BODY */
	unsigned engine_threads;       /* worker threads per run; 0: one per core */
	const char *bench_target;      /* lt-target for the http benchmark suite;
					* NULL: that suite is skipped; copied */
	lt_serve_broadcast_fn broadcast;  /* NULL: nobody listens */
	void *broadcast_user;
	lt_serve_log_fn log;           /* NULL: no log */
	void *log_user;
};

/* A request as the program received it.  Everything is borrowed for the
 * call of lt_serve_handle. */
struct lt_serve_request {
	const char *method;            /* "GET", "POST", ...; HEAD is answered as GET */
	const char *path;              /* percent-decoded, without the query */
	const char *query;             /* raw, after '?'; NULL: none */
	const char *authorization;     /* the Authorization header; NULL: none */
	const char *content_type;      /* the Content-Type header; NULL: none */
	const char *host;              /* the Host header; NULL: none */
	const char *origin;            /* the Origin header; NULL: none */
	const char *body;              /* need not be NUL-terminated */
	size_t body_len;
	bool body_too_large;           /* the body was longer than lt_serve_max_body()
					* (declared or read): answered 413 */
	/* A WebSocket opening handshake (Upgrade: websocket, Connection:
	 * upgrade).  To the WebSocket path it is checked as every request
	 * is (token, Host, Origin), then as RFC 6455 4.2.1 asks: version
	 * 13 (else 426), a key of 16 bytes in base64 (else 400).  The
	 * answer is 101 with no body when the program may go on with the
	 * handshake; any other answer is to be sent as it is. */
	bool websocket;
	const char *ws_version;        /* Sec-WebSocket-Version; NULL: none */
	const char *ws_key;            /* Sec-WebSocket-Key; NULL: none */
};

/* The answer.  body is new: lt_serve_response_clear() frees it. */
struct lt_serve_response {
	int status;                    /* 200, 201, 202, 400, ... */
	const char *content_type;      /* constant */
	char *body;                    /* NULL with body_len 0 when out of memory */
	size_t body_len;
	const char *allow;             /* 405: the Allow header (constant); else NULL */
	bool www_authenticate;         /* 401: send WWW-Authenticate: Bearer */
	bool close;                    /* close the connection after it (413: the
					* rest of the body is not read) */
};

/* A server over the database of opts (opened, created and migrated now,
 * so that a database that cannot be used fails here).  opts is copied.
 * *out new (lt_serve_free), unchanged on failure.  LT_EUSAGE for options
 * out of range (max_runs, max_body, too many targets, an empty token or
 * target), the database's errors (LT_EDB, LT_EIO, ...), LT_ENOMEM. */
lt_rc lt_serve_new(const struct lt_serve_opts *opts, struct lt_serve **out,
		   struct lt_err *err);

/* Stop what runs (lt_serve_stop_all), wait for it to finish -- a run
 * stopped this way is recorded as interrupted, with its summary -- and
 * free s.  NULL is a no-op.  No call to lt_serve_handle may be in
 * progress or follow. */
void lt_serve_free(struct lt_serve *s);

/* Ask every run, the benchmark session, the training and the monitoring
 * to stop; returns at once.
 * Async-signal-unsafe (it takes a mutex): call it from the main loop. */
void lt_serve_stop_all(struct lt_serve *s);

/* Answer req.  Never fails: every failure is an answer (a 4xx or 5xx
 * with the error object).  res is filled (overwritten); free its body
 * with lt_serve_response_clear.  Safe from any number of threads. */
void lt_serve_handle(struct lt_serve *s, const struct lt_serve_request *req,
		     struct lt_serve_response *res);

/* Free res->body and zero res. */
void lt_serve_response_clear(struct lt_serve_response *res);

/* The body limit in bytes: the program reads at most this much (plus one
 * byte, to know it was more). */
size_t lt_serve_max_body(const struct lt_serve *s);

/* Whether a WebSocket upgrade with these headers may proceed: the same
 * token, Host and Origin rules as any request (see above).  The
 * program asks before the handshake. */
bool lt_serve_ws_allowed(struct lt_serve *s, const char *authorization, const char *query,
			 const char *host, const char *origin);

/* A subscriber joined (+1) or left (-1): counted for /metrics and
 * /health. */
void lt_serve_ws_count(struct lt_serve *s, int delta);

/* The first message a new subscriber gets: {"type": "hello", "v": 1,
 * version, runs: [{run_start, samples: [...]}]} with each running test's
 * run_start and its last LT_SERVE_TIMELINE_MAX seconds, so a dashboard
 * opened mid-run draws the whole timeline at once.  *text new (free),
 * *len its length; LT_ENOMEM. */
lt_rc lt_serve_ws_hello(struct lt_serve *s, char **text, size_t *len, struct lt_err *err);

/* Check a --listen address, "HOST:PORT" ("[::1]:PORT" for IPv6, a bare
 * PORT means 127.0.0.1:PORT; PORT 0 picks a free one): HOST must be an IP
 * address literal (names resolve to addresses nobody checked), and one
 * that is not loopback (127.0.0.0/8, ::1) is refused unless have_token
 * -- an open server on a network interface lets anyone there send load
 * anywhere.  host (hostlen bytes) gets the address without brackets,
 * *port the port.  LT_EUSAGE with the reason. */
lt_rc lt_serve_listen_check(const char *listen, bool have_token, char *host, size_t hostlen,
			    unsigned *port, struct lt_err *err);

/* Read the token from the file at path: its first line, without
 * surrounding blanks.  LT_EUSAGE for an empty token, one shorter than 16
 * characters (guessable), or with characters outside printable ASCII;
 * the file's errors (LT_ENOTFOUND, LT_EIO).  *token new (free). */
lt_rc lt_serve_read_token(const char *path, char **token, struct lt_err *err);

#endif
