/* engine.h -- the load engine: virtual users and arrivals over HTTP.
 *
 * lt_engine_run() puts the load of one scenario on its service and reports
 * what it measured as NDJSON records (run_start, one sample per second,
 * summary; lt-ndjson(5)) through a callback, as they happen.
 *
 * Worker threads (default: one per core) each run an event loop over
 * epoll; users are spread over the threads.  Two HTTP clients drive the
 * sockets, one per run (run_start says which, in "client"):
 *  - native: plain http:// over HTTP/1.1 (every endpoint), no proxy
 *    variable set, and not opts.libcurl.  Each user owns one keep-alive
 *    connection, registered with its worker's epoll once; each endpoint's
 *    request bytes are built once at setup (h1.h), so a request is one
 *    send() of a prebuilt buffer and its answer is parsed in place from a
 *    per-worker receive buffer (no allocation per request).  Addresses
 *    are resolved once, at setup.  About a third of libcurl's CPU per
 *    request (bench/vs-peers.sh).
 *  - libcurl: everything else (https://, HTTP/2, proxies).  Within a
 *    thread, users are spread over several multi handles, because libcurl
 *    7.88 walks its connection list on every transfer and one multi
 *    handle with hundreds of connections spends its time there.  Every
 *    user owns one easy handle for the whole run (keep-alive).
 * Workers record each completed request as a small fixed-size entry; the
 * calling thread turns them into histograms once a second, so a worker
 * never touches a histogram and never waits for the reporter.
 *
 * Two load models (lt-scenario(5), lt-run(1)):
 *  - closed: users.concurrent virtual users, each sending a request,
 *    waiting for the answer, thinking, and sending the next; rampUp and
 *    rampDown start and stop them on the curves of
 *    lt_engine_ramp_offset();
 *  - open: requests arrive at the scenario's rate whatever the answers
 *    do, evenly spaced; latency counts from the intended start, so a
 *    stalled server shows in the percentiles (no coordinated omission);
 *    an arrival that finds every user busy is counted as dropped.
 *
 * Time is split into one-second samples, each with its phase (warmup,
 * steady, cooldown, by the second it starts in); the summary covers the
 * steady seconds only.  A request belongs to the second it completes in.
 */
#ifndef LT_ENGINE_H
#define LT_ENGINE_H

#include "lt.h"
#include "scenario.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* At most this many users share one curl multi handle (see above; 48
 * measured best on a 2-core machine, bench/vs-peers.sh). */
#define LT_ENGINE_USERS_PER_MULTI 48

/* The native client's receive buffer, one per worker thread. */
#define LT_ENGINE_READ_BUF (64u << 10)

/* Response bytes kept per request for body checks (bodyContains,
 * bodyNotContains, bodyRegex, json); the rest is counted, not kept, so a
 * 100 MB answer costs no memory.  Checks see the first 4 MiB. */
#define LT_ENGINE_BODY_KEEP (4u << 20)

/* At the end of a run, requests still in flight get this long (or their
 * timeout, when shorter) to complete; those that do not are counted as
 * `aborted`: requests and errors (kind "aborted") of the last second,
 * with no latency -- a server that never answers fails its thresholds. */
#define LT_ENGINE_DRAIN_S 5.0

/* After an interrupt (lt_engine_stop), the shorter wait. */
#define LT_ENGINE_DRAIN_INTERRUPT_S 2.0

struct lt_engine;

/* Called on the thread running lt_engine_run for each record: run_start,
 * every sample, the summary.  rec is borrowed for the call.  A non-zero
 * return stops the run as lt_engine_stop() does (a closed stdout, say). */
typedef int (*lt_engine_record_fn)(const cJSON *rec, void *user);

struct lt_engine_progress {
	double elapsed_s, total_s;
	const char *phase;           /* "warmup", "steady", "cooldown" */
	uint64_t users;              /* active now */
	uint64_t requests, errors;   /* since the start */
	double rps;                  /* over the last second */
	double p95_ms;               /* over the last second */
};

/* Called once a second, after the sample, on the same thread. */
typedef void (*lt_engine_progress_fn)(const struct lt_engine_progress *p, void *user);

struct lt_engine_opts {
	unsigned threads;            /* worker threads; 0: one per online core */
	unsigned segment_index;      /* this shard, 1..segment_count; 0: 1 */
	unsigned segment_count;      /* shards in all; 0: 1 */
	const char *run_id;          /* NULL: a new UUID */
	const char *run_group;       /* shards of one run share it; NULL: none */
	const cJSON *tags;           /* object of strings added to run_start; NULL */
	bool insecure;               /* also skip TLS verification */
	const char *cacert;          /* CA bundle overriding the scenario's; NULL */
	bool libcurl;                /* libcurl for every request, never the
				      * native client (lt-run --libcurl) */
	lt_engine_record_fn on_record;
	lt_engine_progress_fn on_progress; /* NULL: none */
	void *user;                  /* passed to both callbacks */
};

struct lt_engine_result {
	bool passed;                 /* every threshold held */
	bool interrupted;            /* lt_engine_stop() or a callback ended it */
	uint64_t requests, errors;   /* all phases */
	uint64_t aborted, dropped;
};

/* An engine for sc (borrowed: it must outlive the engine) with opts
 * (copied).  Checks the options: LT_EINVAL for a bad segment.  new
 * (lt_engine_free); *out unchanged on failure. */
lt_rc lt_engine_new(const struct lt_scenario *sc, const struct lt_engine_opts *opts,
		    struct lt_engine **out, struct lt_err *err);

/* Run the scenario to its end (or until stopped), calling on_record with
 * each record.  Fills *res.  LT_OK whether or not thresholds held (see
 * res->passed); LT_ENOMEM, LT_EINTERNAL (curl or epoll refused) on a
 * failure of the generator itself.  Failed requests are measurements,
 * never failures of this call.  Once per engine. */
lt_rc lt_engine_run(struct lt_engine *e, struct lt_engine_result *res,
		    struct lt_err *err);

/* Ask a running engine to stop: no new requests, a short wait for those
 * in flight, then the summary with "interrupted": true.  Async-signal-safe
 * (a SIGINT handler may call it) and safe from any thread. */
void lt_engine_stop(struct lt_engine *e);

/* Free e; NULL is a no-op.  Not while lt_engine_run is running. */
void lt_engine_free(struct lt_engine *e);

/* What a run of sc would do, without sending anything (lt-run --dry-run):
 * {"type": "plan", "v": 1, scenario_id, model ("closed" | "open"),
 * segment, duration_s, seconds: [{t, phase, users | rate,
 * max_requests | expected_requests}], max_requests | expected_requests,
 * config (the scenario as it would run)}.  Closed model: the users of this
 * shard active in the middle of each second, and the requests they would
 * send if every answer were instant, at the mean think time (null
 * without think time).
 * Open model: the rate at the start of each second and the requests
 * expected in it (the integral of the rate).  new (cJSON_Delete), NULL
 * when out of memory. */
cJSON *lt_engine_plan(const struct lt_scenario *sc, unsigned segment_index,
		      unsigned segment_count);

/* When, in seconds after the ramp starts, user i of n (0-based) becomes
 * active on a ramp of duration_s with strategy s:
 *   linear       i * d / n: one user every d/n seconds;
 *   exponential  d * ln(i + 1) / ln(n + 1): the active count is
 *                floor((n + 1)^(t/d)), so it multiplies by the same
 *                factor every equal slice of time;
 *   step         d/steps * floor(i * steps / n): `steps` equal groups,
 *                the k-th starting at k*d/steps.
 * Ramp-down is ramp-up reversed in time: user i stops at
 * total - lt_engine_ramp_offset(s, steps, down_duration, n, i), so the
 * last user to start is the first to stop.  0 for duration 0. */
double lt_engine_ramp_offset(lt_ramp_strategy s, int steps, double duration_s,
			     unsigned n, unsigned i);

/* A think time in ms drawn from t with the uniform variate u in [0, 1)
 * and, for normal, a second one u2:
 *   uniform      min + u (max - min); mean (min + max) / 2;
 *   normal       mean (min + max) / 2, sd (max - min) / 6, clamped to
 *                [min, max] (symmetric, so the mean stays);
 *   exponential  min + an exponential of scale (max - min) / 4 truncated
 *                at max: mostly short pauses, a few long; its mean is
 *                min + 0.2313 (max - min) (lt_engine_think_mean_ms). */
double lt_engine_think_ms(const struct lt_think_time *t, double u, double u2);

/* The mean of lt_engine_think_ms over its variates. */
double lt_engine_think_mean_ms(const struct lt_think_time *t);

#endif
