/* engine.c -- the load engine (see engine.h for the design).
 *
 * Threads: the caller's thread runs the reporter (lt_engine_run): it
 * wakes once a second, takes each worker's list of completed requests,
 * folds them into histograms and emits the sample.  Each worker thread
 * runs one event loop: epoll for the sockets of its users (native client)
 * or of its curl multi handles (libcurl), and one binary heap of timers
 * (users waking from think time, arrivals, request and connect timeouts
 * of the native client, the multi handles' own timeouts).
 *
 * Users, think time, arrivals, the drain, checks and reporting are one
 * piece of code for both clients; they differ only in start_request and
 * in how a request's end is found (drain_messages for libcurl,
 * native_finish for the native client), both of which end in
 * complete_request.
 *
 * The only state shared between a worker and the reporter is the
 * worker's completion list (a mutex, held for an append or a swap) and a
 * few atomic counters.
 */
#include "engine.h"
#include "h1.h"
#include "hist.h"
#include "ndjson.h"
#include "sysmon.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define NS_PER_S 1000000000ull
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#define NS_PER_MS 1000000ull

/* ---- what a worker reports per request ---- */

enum err_kind {
	ERR_NONE,
	ERR_TIMEOUT,
	ERR_CONNECT,
	ERR_DNS,
	ERR_TLS,
	ERR_PROTOCOL,  /* the server's answer was not HTTP lt could read */
	ERR_IO,        /* send or receive failed, connection reset */
	ERR_OTHER,
	ERR_CHECK,     /* answered, but a validation rule failed */
	ERR_ABORTED,   /* still unanswered when the run's drain ran out */
	ERR_KINDS
};

static const char *const err_kind_names[ERR_KINDS] = {
	"none", "timeout", "connect", "dns", "tls", "protocol", "io", "other", "check",
	"aborted",
};

enum check_kind {
	CHK_STATUS,
	CHK_MAX_TIME,
	CHK_CONTAINS,
	CHK_NOT_CONTAINS,
	CHK_REGEX,
	CHK_JSON,
	CHK_KINDS
};

static const char *const check_names[CHK_KINDS] = {
	"statusCode", "maxResponseTime", "bodyContains", "bodyNotContains",
	"bodyRegex", "json",
};

/* One completed request; 48 bytes, appended by the worker. */
struct done {
	uint64_t end_ns;        /* monotonic */
	uint64_t latency_us;
	uint32_t endpoint;
	uint16_t status;
	uint8_t err;            /* enum err_kind */
	uint8_t check;          /* enum check_kind when err == ERR_CHECK */
	uint32_t bytes_in, bytes_out;
	uint32_t dns_us, connect_us, tls_us, ttfb_us, transfer_us;
};

struct done_list {
	struct done *v;
	size_t n, cap;
};

/* ---- timers ---- */

struct tnode {
	uint64_t due_ns;
	size_t pos;             /* index in the heap + 1; 0: not scheduled */
	int kind;               /* TIMER_* */
};

enum { TIMER_USER, TIMER_MULTI, TIMER_ARRIVAL };

struct heap {
	struct tnode **v;
	size_t n, cap;
};

/* ---- users, multi handles, workers ---- */

struct worker;

struct multi {
	CURLM *m;
	struct worker *w;
	struct tnode timer;
	int running;
};

enum user_state { U_WAITING, U_IN_FLIGHT, U_DONE, U_FREE };

/* A native-client connection. */
enum conn_state {
	C_NONE,        /* no connection */
	C_CONNECTING,  /* connect() in progress */
	C_SENDING,     /* the request is partly written */
	C_READING,     /* the request is written; the answer is being read */
	C_IDLE,        /* kept alive between requests */
};

/* The native client's view of an endpoint, built once at setup and
 * shared read-only by the workers. */
struct native_ep {
	char *request;          /* the request's bytes (h1.h) */
	size_t request_len;
	unsigned origin;        /* index in lt_engine.origins */
	bool head, keep_body;
	uint64_t timeout_ns;
};

/* A host and port the native client connects to, resolved once. */
struct native_origin {
	char *host, *port;
	struct addrinfo *ai;    /* NULL: the name did not resolve */
};

struct user {
	struct tnode timer;
	CURL *easy;
	struct multi *mu;
	struct worker *w;
	enum user_state state;
	bool started;           /* closed model: has sent its first request */
	uint64_t start_ns, stop_ns; /* closed model: active between them */
	uint64_t intended_ns;   /* when the request was meant to start */
	uint64_t added_ns;      /* when it was handed to curl */
	int endpoint, configured_endpoint;
	bool keep_body;
	char *body;
	size_t body_len, body_cap;
	bool body_truncated;
	/* native client */
	unsigned index;         /* in w->users: the epoll key */
	int fd;                 /* -1: no connection */
	enum conn_state conn;
	unsigned origin;        /* of the connection */
	uint32_t conn_gen;      /* a new connection each time: stale events lose */
	uint32_t events;        /* registered with epoll */
	const struct addrinfo *ai; /* the address being tried */
	bool reused;            /* this request went out on a kept-alive connection */
	bool retried;           /* and was sent again on a fresh one */
	bool leftover;          /* bytes came after the answer */
	size_t sent;            /* of the request */
	uint64_t got;           /* answer bytes of this attempt */
	uint64_t bytes_in, bytes_out;
	uint64_t deadline_ns, connect_start_ns, connected_ns, first_byte_ns, connect_ns;
	struct lt_h1_parser parser;
};

/* What epoll knows of a socket: kept registered across requests (a
 * keep-alive connection goes idle and busy again many times), removed
 * when curl closes it or when it signals while nobody listens. */
struct fdinfo {
	struct multi *owner;
	uint32_t events;        /* registered with epoll (when registered) */
	uint32_t wanted;        /* what curl asked for; 0: nothing (idle) */
	bool registered;
};

struct worker {
	struct lt_engine *e;
	unsigned idx;
	pthread_t thread;
	bool started;
	int epfd, wakefd;
	struct multi *multis;
	unsigned n_multis;
	struct user *users;
	unsigned n_users;
	struct heap heap;
	struct fdinfo *fds;
	size_t n_fds;
	char *rbuf;             /* native client: LT_ENGINE_READ_BUF bytes */
	uint64_t rng[2];
	/* open model */
	struct user **free_users;
	size_t n_free;
	struct tnode arrival;   /* first field not needed: one per worker */
	double arrival_t;       /* next arrival, seconds since start (this worker's share) */
	double arrival_t0;      /* the first one */
	uint64_t arrival_k;     /* arrivals scheduled so far */
	double share;           /* fraction of the scenario rate this worker sends */
	/* shared with the reporter */
	pthread_mutex_t lock;
	struct done_list done;
	atomic_uint_fast64_t active;   /* closed: active users; open: in flight */
	atomic_uint_fast64_t dropped;
	atomic_uint_fast64_t aborted;
	atomic_uint_fast64_t in_flight;
	lt_rc rc;               /* a failure of the worker itself */
	char errmsg[256];
};

struct endpoint_stats {
	uint64_t requests, errors;
	uint64_t checks_failed[CHK_KINDS];
	struct lt_hist *hist;   /* steady phase; NULL until the first request */
};

/* The figures of one second, filled by the reporter. */
struct second {
	struct lt_hist *hist;
	uint64_t requests, errors, bytes_in, bytes_out;
};

struct lt_engine {
	const struct lt_scenario *sc;
	struct lt_engine_opts opts;
	char run_id[LT_NDJSON_MAX_ID + 1];
	char *run_group, *cacert;
	cJSON *tags;
	unsigned n_threads;
	struct worker *workers;
	struct curl_slist **headers;    /* per endpoint, shared read-only */
	uint64_t start_ns;
	uint64_t end_ns;                /* start + total */
	atomic_int stop;                /* 1: interrupted; workers drain */
	bool proxy_env;                 /* a proxy variable was set at start */
	bool native;                    /* the native client runs (engine.h) */
	struct native_ep *native_eps;   /* per endpoint, when native */
	struct native_origin *origins;
	unsigned n_origins;
	atomic_int finish;              /* the run's time is up; workers drain */
	double drain_s;
	bool ran;
	/* reporter state */
	struct second cur, next;
	struct lt_hist *steady;
	struct endpoint_stats *ep;
	uint64_t err_kinds[ERR_KINDS];
	uint64_t steady_requests, steady_errors, steady_seconds_x1000;
	uint64_t total_requests, total_errors, bytes_in, bytes_out;
	double timing_sum_us[5];        /* dns, connect, tls, ttfb, transfer */
	uint64_t timing_n;
	double peak_rps;
	uint64_t peak_users;
	uint64_t dropped_seen, aborted_seen;
	/* resources over the whole run */
	unsigned res_n;
	double cpu_sum, cpu_max, host_cpu_sum, host_cpu_max;
	uint64_t rss_max, mem_used_max, mem_total, net_rx, net_tx, disk_read, disk_write;
};

/* ---- small pieces ---- */

/* The native client's setup (native_setup); back to libcurl. */
static void native_free(struct lt_engine *e)
{
	for (size_t i = 0; e->native_eps && i < e->sc->config.n_endpoints; i++)
		free(e->native_eps[i].request);
	for (unsigned i = 0; e->origins && i < e->n_origins; i++) {
		free(e->origins[i].host);
		free(e->origins[i].port);
		if (e->origins[i].ai)
			freeaddrinfo(e->origins[i].ai);
	}
	free(e->native_eps);
	free(e->origins);
	e->native_eps = NULL;
	e->origins = NULL;
	e->n_origins = 0;
	e->native = false;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* xoroshiro128+: fast, good enough for picking endpoints and pauses. */
static uint64_t rng_next(uint64_t s[2])
{
	uint64_t s0 = s[0], s1 = s[1], r = s0 + s1;
	s1 ^= s0;
	s[0] = ((s0 << 24) | (s0 >> 40)) ^ s1 ^ (s1 << 16);
	s[1] = (s1 << 37) | (s1 >> 27);
	return r;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_unit(uint64_t s[2])
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

double lt_engine_ramp_offset(lt_ramp_strategy s, int steps, double duration_s,
			     unsigned n, unsigned i)
{
	if (duration_s <= 0 || n == 0)
		return 0;
	switch (s) {
	case LT_RAMP_LINEAR:
		return duration_s * (double)i / (double)n;
	case LT_RAMP_EXPONENTIAL:
		return duration_s * log((double)i + 1) / log((double)n + 1);
	case LT_RAMP_STEP:
		if (steps < 1)
			steps = 1;
		return duration_s / steps *
		       floor((double)i * steps / (double)n);
	}
	return 0;
}

/* The exponential think time's scale as a share of (max - min), and the
 * mean that gives: s (1 - 4 e^-4 / (1 - e^-4)) with s = 1/4. */
#define THINK_EXP_SCALE 0.25

double lt_engine_think_ms(const struct lt_think_time *t, double u, double u2)
{
	double width = t->max_ms - t->min_ms, v;

	if (width <= 0)
		return t->min_ms;
	switch (t->distribution) {
	case LT_THINK_UNIFORM:
		return t->min_ms + u * width;
	case LT_THINK_NORMAL:
		/* Box-Muller; 1 - u keeps the log away from 0. */
		v = sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * u2);
		v = (t->min_ms + t->max_ms) / 2 + v * width / 6;
		return v < t->min_ms ? t->min_ms : v > t->max_ms ? t->max_ms : v;
	case LT_THINK_EXPONENTIAL: {
		/* Inverse CDF of the exponential truncated at max. */
		double scale = THINK_EXP_SCALE * width;
		double tail = 1.0 - exp(-width / scale);
		return t->min_ms - scale * log(1.0 - u * tail);
	}
	}
	return t->min_ms;
}

double lt_engine_think_mean_ms(const struct lt_think_time *t)
{
	double width = t->max_ms - t->min_ms;

	if (width <= 0)
		return t->min_ms;
	if (t->distribution == LT_THINK_EXPONENTIAL) {
		double s = THINK_EXP_SCALE * width, k = width / s;
		return t->min_ms + s * (1.0 - k * exp(-k) / (1.0 - exp(-k)));
	}
	return (t->min_ms + t->max_ms) / 2;
}

/* ---- the timer heap ---- */

static bool heap_less(const struct heap *h, size_t a, size_t b)
{
	return h->v[a]->due_ns < h->v[b]->due_ns;
}

static void heap_swap(struct heap *h, size_t a, size_t b)
{
	struct tnode *t = h->v[a];
	h->v[a] = h->v[b];
	h->v[b] = t;
	h->v[a]->pos = a + 1;
	h->v[b]->pos = b + 1;
}

static void heap_up(struct heap *h, size_t i)
{
	while (i > 0 && heap_less(h, i, (i - 1) / 2)) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && heap_less(h, l, m))
			m = l;
		if (r < h->n && heap_less(h, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

static void heap_remove(struct heap *h, struct tnode *t)
{
	size_t i;

	if (!t->pos)
		return;
	i = t->pos - 1;
	t->pos = 0;
	h->n--;
	if (i == h->n)
		return;
	h->v[i] = h->v[h->n];
	h->v[i]->pos = i + 1;
	heap_up(h, i);
	heap_down(h, i);
}

/* Schedule (or move) t.  The heap is sized for every timer of the worker
 * up front, so this cannot fail. */
static void heap_set(struct heap *h, struct tnode *t, uint64_t due_ns)
{
	heap_remove(h, t);
	t->due_ns = due_ns;
	h->v[h->n] = t;
	t->pos = ++h->n;
	heap_up(h, h->n - 1);
}

/* ---- curl callbacks ---- */

/* Keep the first LT_ENGINE_BODY_KEEP bytes of a body for the checks. */
static void keep_body_bytes(struct user *u, const char *data, size_t n)
{
	if (u->keep_body && !u->body_truncated) {
		size_t room = LT_ENGINE_BODY_KEEP - u->body_len;
		size_t take = n < room ? n : room;
		if (u->body_len + take + 1 > u->body_cap) {
			size_t cap = u->body_cap ? u->body_cap : 4096;
			while (cap < u->body_len + take + 1)
				cap *= 2;
			char *b = realloc(u->body, cap);
			if (!b) {
				u->body_truncated = true;
				return;
			}
			u->body = b;
			u->body_cap = cap;
		}
		memcpy(u->body + u->body_len, data, take);
		u->body_len += take;
		u->body[u->body_len] = '\0';
		if (take < n)
			u->body_truncated = true;
	}
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	keep_body_bytes(p, data, size * nmemb);
	return size * nmemb;
}

static struct fdinfo *fd_info(struct worker *w, curl_socket_t fd)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= w->n_fds) {
		size_t n = w->n_fds ? w->n_fds : 256;
		while (n <= (size_t)fd)
			n *= 2;
		struct fdinfo *f = realloc(w->fds, n * sizeof *f);
		if (!f)
			return NULL;
		memset(f + w->n_fds, 0, (n - w->n_fds) * sizeof *f);
		w->fds = f;
		w->n_fds = n;
	}
	return &w->fds[fd];
}

static int epoll_set(struct worker *w, struct fdinfo *fi, curl_socket_t fd,
		     uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	if (fi->registered) {
		if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
			goto ok;
		/* The descriptor was closed behind our back (the resolver's
		 * socket pair, say) and its number reused: epoll forgot it. */
		if (errno != ENOENT)
			return -1;
	}
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		if (errno != EEXIST || epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
			return -1;
	}
ok:
	fi->registered = true;
	fi->events = events;
	return 0;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct multi *mu = userp;
	struct worker *w = mu->w;
	struct fdinfo *fi = fd_info(w, fd);
	uint32_t events = 0;

	(void)easy;
	(void)socketp;
	if (!fi)
		return -1;
	fi->owner = mu;
	switch (what) {
	case CURL_POLL_IN: events = EPOLLIN; break;
	case CURL_POLL_OUT: events = EPOLLOUT; break;
	case CURL_POLL_INOUT: events = EPOLLIN | EPOLLOUT; break;
	case CURL_POLL_REMOVE:
		/* The connection goes back to the pool and is usually busy
		 * again a moment later: leave it registered for input (an idle
		 * socket only wakes us when the server closes it, and then it
		 * is dropped, see worker_main), so that the next request's
		 * POLL_IN costs no system call.  Only output interest must go:
		 * an idle socket is always writable. */
		fi->wanted = 0;
		if (fi->registered && (fi->events & EPOLLOUT))
			return epoll_set(w, fi, fd, EPOLLIN) == 0 ? 0 : -1;
		return 0;
	default:
		return 0;
	}
	fi->wanted = events;
	if (fi->registered && fi->events == events)
		return 0;
	return epoll_set(w, fi, fd, events) == 0 ? 0 : -1;
}

/* curl's sockets are opened here so that a descriptor number epoll may
 * still hold from an earlier socket (closed without on_close_socket, like
 * the resolver's) is known to be new: its first interest is always
 * registered. */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose,
				    struct curl_sockaddr *address)
{
	struct worker *w = clientp;
	curl_socket_t fd;

	(void)purpose;
	fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
	if (fd >= 0 && (size_t)fd < w->n_fds) {
		w->fds[fd].registered = false;
		w->fds[fd].wanted = 0;
	}
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static int on_close_socket(void *clientp, curl_socket_t fd)
{
	struct worker *w = clientp;

	if (fd >= 0 && (size_t)fd < w->n_fds)
		w->fds[fd].registered = false;
	return close(fd);
}

static int on_multi_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct multi *mu = userp;

	(void)m;
	if (timeout_ms < 0)
		heap_remove(&mu->w->heap, &mu->timer);
	else
		heap_set(&mu->w->heap, &mu->timer,
			 lti_mono_ns() + (uint64_t)timeout_ms * NS_PER_MS);
	return 0;
}

/* ---- requests ---- */

static bool endpoint_keeps_body(const struct lt_endpoint *ep)
{
	const struct lt_validation *v = &ep->validation;
	return v->n_body_contains || v->n_body_not_contains || v->body_regex || v->n_json;
}

/* Set every option that depends on the endpoint.  Called only when a
 * user switches endpoints: a single-endpoint scenario configures each
 * handle once. */
static void configure_endpoint(struct user *u, int idx)
{
	struct lt_engine *e = u->w->e;
	const struct lt_scenario_config *c = &e->sc->config;
	const struct lt_endpoint *ep = &c->endpoints[idx];
	CURL *h = u->easy;

	if (u->configured_endpoint >= 0) {
		/* Back to defaults without dropping the connection. */
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h, CURLOPT_URL, ep->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, e->headers[idx]);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(ep->timeout_s * 1000));
	switch (ep->method) {
	case LT_HTTP_GET:
		break;
	case LT_HTTP_HEAD:
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		break;
	case LT_HTTP_POST:
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		break;
	default:
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, lt_scenario_method_name(ep->method));
		break;
	}
	if (ep->body_kind != LT_BODY_NONE) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)ep->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, ep->body);
	} else if (ep->method == LT_HTTP_POST) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	}
	u->keep_body = endpoint_keeps_body(ep);
	u->configured_endpoint = idx;
}

static int pick_endpoint(struct worker *w)
{
	const struct lt_scenario_config *c = &w->e->sc->config;
	double r;
	size_t lo = 0, hi;

	if (c->n_endpoints == 1)
		return 0;
	r = rng_unit(w->rng) * c->total_weight;
	hi = c->n_endpoints - 1;
	/* The first endpoint whose cumulative weight exceeds r. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->endpoints[mid].cumulative_weight > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (int)lo;
}

static void native_start(struct user *u);

/* Send u's next request.  The native client may finish it before this
 * returns (an address that did not resolve, a refused connection): the
 * caller must expect u to be idle again already. */
static int start_request(struct user *u, uint64_t intended_ns)
{
	struct lt_engine *e = u->w->e;
	int idx = pick_endpoint(u->w);

	if (!e->native && idx != u->configured_endpoint)
		configure_endpoint(u, idx);
	u->endpoint = idx;
	u->body_len = 0;
	u->body_truncated = false;
	u->intended_ns = intended_ns;
	u->added_ns = lti_mono_ns();
	u->state = U_IN_FLIGHT;
	atomic_fetch_add(&u->w->in_flight, 1);
	if (e->native) {
		u->keep_body = e->native_eps[idx].keep_body;
		native_start(u);
		return 0;
	}
	if (curl_multi_add_handle(u->mu->m, u->easy) != CURLM_OK) {
		atomic_fetch_sub(&u->w->in_flight, 1);
		return -1;
	}
	return 0;
}

static enum err_kind classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK: return ERR_NONE;
	case CURLE_OPERATION_TIMEDOUT: return ERR_TIMEOUT;
	case CURLE_COULDNT_CONNECT: return ERR_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return ERR_DNS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR: return ERR_TLS;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL: /* "Unsupported response code in HTTP response" */
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_TOO_MANY_REDIRECTS: return ERR_PROTOCOL;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE: return ERR_IO;
	default: return ERR_OTHER;
	}
}

/* The first validation rule the response breaks, or -1. */
static int failed_check(const struct lt_endpoint *ep, const struct user *u,
			long status, double latency_ms)
{
	const struct lt_validation *v = &ep->validation;
	size_t i;

	if (v->n_status_codes) {
		for (i = 0; i < v->n_status_codes; i++)
			if (v->status_codes[i] == status)
				break;
		if (i == v->n_status_codes)
			return CHK_STATUS;
	} else if (status < 200 || status > 399) {
		return CHK_STATUS;
	}
	if (v->max_response_time_ms > 0 && latency_ms > v->max_response_time_ms)
		return CHK_MAX_TIME;
	if (!u->keep_body)
		return -1;
	const char *body = u->body ? u->body : "";
	for (i = 0; i < v->n_body_contains; i++)
		if (!memmem(body, u->body_len, v->body_contains[i], strlen(v->body_contains[i])))
			return CHK_CONTAINS;
	for (i = 0; i < v->n_body_not_contains; i++)
		if (memmem(body, u->body_len, v->body_not_contains[i],
			   strlen(v->body_not_contains[i])))
			return CHK_NOT_CONTAINS;
	/* regexec stops at a NUL: a binary body is checked up to its first. */
	if (v->body_regex && regexec(&v->regex, body, 0, NULL, 0) != 0)
		return CHK_REGEX;
	if (v->n_json) {
		cJSON *doc = u->body_truncated ? NULL : cJSON_ParseWithLength(body, u->body_len);
		bool ok = doc != NULL;
		for (i = 0; ok && i < v->n_json; i++)
			ok = lt_scenario_json_check(&v->json[i], doc);
		cJSON_Delete(doc);
		if (!ok)
			return CHK_JSON;
	}
	return -1;
}

static uint32_t us32(curl_off_t v)
{
	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void report(struct worker *w, const struct done *d)
{
	pthread_mutex_lock(&w->lock);
	if (w->done.n == w->done.cap) {
		size_t cap = w->done.cap ? w->done.cap * 2 : 1024;
		struct done *v = realloc(w->done.v, cap * sizeof *v);
		if (!v) {
			/* Out of memory: this request goes unrecorded rather
			 * than stopping the run; the run's figures say so
			 * through the worker's error. */
			w->rc = LT_ENOMEM;
			pthread_mutex_unlock(&w->lock);
			return;
		}
		w->done.v = v;
		w->done.cap = cap;
	}
	w->done.v[w->done.n++] = *d;
	pthread_mutex_unlock(&w->lock);
}

/* The end every request comes to, whichever client ran it: d holds the
 * timings, status and byte counts; this adds the endpoint, the latency
 * and the verdict of the checks, and reports it. */
static void complete_request(struct user *u, struct done *d, enum err_kind err, long status)
{
	struct worker *w = u->w;
	const struct lt_endpoint *ep = &w->e->sc->config.endpoints[u->endpoint];
	int chk;

	d->end_ns = lti_mono_ns();
	d->endpoint = (uint32_t)u->endpoint;
	d->status = (uint16_t)(status > 0 && status < 1000 ? status : 0);
	/* Latency from the intended start to the answer as this loop saw
	 * it.  In the open model a request that waited for a free user waited
	 * on the service's account; in both models the time the request spent
	 * queued in the client and in this loop counts, as it does for any
	 * client (curl's own TOTAL_TIME starts only when curl first runs the
	 * transfer, and would hide a saturated generator). */
	d->latency_us = (d->end_ns - u->intended_ns) / 1000;
	d->err = (uint8_t)err;
	if (d->err == ERR_NONE &&
	    (chk = failed_check(ep, u, status, (double)d->latency_us / 1000.0)) >= 0) {
		d->err = ERR_CHECK;
		d->check = (uint8_t)chk;
	}
	report(w, d);
}

static void finish_request(struct user *u, CURLcode rc)
{
	curl_off_t total = 0, dns = 0, conn = 0, app = 0, start = 0, dl = 0, up = 0;
	long status = 0, hdr = 0, req = 0;
	struct done d = {0};

	curl_easy_getinfo(u->easy, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(u->easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	curl_easy_getinfo(u->easy, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(u->easy, CURLINFO_APPCONNECT_TIME_T, &app);
	curl_easy_getinfo(u->easy, CURLINFO_STARTTRANSFER_TIME_T, &start);
	curl_easy_getinfo(u->easy, CURLINFO_SIZE_DOWNLOAD_T, &dl);
	curl_easy_getinfo(u->easy, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(u->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(u->easy, CURLINFO_HEADER_SIZE, &hdr);
	curl_easy_getinfo(u->easy, CURLINFO_REQUEST_SIZE, &req);

	d.bytes_in = us32(dl + hdr);
	d.bytes_out = us32(up + req);
	d.dns_us = us32(dns);
	d.connect_us = us32(conn > dns ? conn - dns : 0);
	d.tls_us = us32(app > conn ? app - conn : 0);
	curl_off_t ready = app > conn ? app : conn;
	d.ttfb_us = us32(start > ready ? start - ready : 0);
	d.transfer_us = us32(total > start ? total - start : 0);
	complete_request(u, &d, classify(rc), status);
}

/* ---- the worker loop ---- */

static uint64_t secs_to_ns(double s)
{
	return s <= 0 ? 0 : (uint64_t)(s * 1e9);
}

static bool closed_model(const struct lt_engine *e)
{
	return e->sc->config.model == LT_MODEL_CLOSED;
}

static bool draining(const struct lt_engine *e)
{
	return atomic_load(&e->stop) || atomic_load(&e->finish);
}

static void user_idle(struct user *u, uint64_t now)
{
	struct worker *w = u->w;
	struct lt_engine *e = w->e;

	if (!closed_model(e)) {
		u->state = U_FREE;
		w->free_users[w->n_free++] = u;
		atomic_fetch_sub(&w->active, 1);
		return;
	}
	if (draining(e) || now >= u->stop_ns) {
		u->state = U_DONE;
		atomic_fetch_sub(&w->active, 1);
		return;
	}
	const struct lt_think_time *t = &e->sc->config.users.think_time;
	double ms = lt_engine_think_ms(t, rng_unit(w->rng), rng_unit(w->rng));
	uint64_t wake = now + (uint64_t)(ms * 1e6);
	u->state = U_WAITING;
	/* A user thinking past its stop time stops then, so the active count
	 * follows the ramp-down curve. */
	heap_set(&w->heap, &u->timer, wake < u->stop_ns ? wake : u->stop_ns);
}

static void drain_messages(struct multi *mu)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(mu->m, &left))) {
		struct user *u;
		CURLcode rc;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&u);
		rc = msg->data.result;
		curl_multi_remove_handle(mu->m, u->easy);
		atomic_fetch_sub(&u->w->in_flight, 1);
		finish_request(u, rc);
		user_idle(u, lti_mono_ns());
	}
}

/* ---- the native HTTP/1.1 client ----
 *
 * One connection per user, in u->fd, registered with the worker's epoll
 * from its connect() to its close() with the key (user index + 1) << 32 |
 * conn_gen: EPOLLIN always (an idle connection the server closes is seen
 * at once), EPOLLOUT only while connecting or while a request is partly
 * written.  A request on a kept-alive connection costs one send() and
 * one or two recv() calls, and no epoll_ctl.  The user's timer, free
 * while a request is in flight, is the request's deadline (and, while
 * connecting, the connect timeout's).
 */

static uint64_t native_key(const struct user *u)
{
	return (uint64_t)(u->index + 1) << 32 | u->conn_gen;
}

static int native_watch(struct user *u, int op, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = native_key(u)};

	if (epoll_ctl(u->w->epfd, op, u->fd, &ev) != 0)
		return -1;
	u->events = events;
	return 0;
}

static void native_close(struct user *u)
{
	/* close() takes the descriptor out of the epoll set too. */
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	u->conn = C_NONE;
}

static void native_on_body(void *arg, const char *data, size_t len)
{
	keep_body_bytes(arg, data, len);
}

static void native_finish(struct user *u, enum err_kind err)
{
	struct worker *w = u->w;
	uint64_t now = lti_mono_ns();
	uint64_t ready = u->connected_ns > u->added_ns ? u->connected_ns : u->added_ns;
	struct done d = {
		.bytes_in = us32((curl_off_t)u->bytes_in),
		.bytes_out = us32((curl_off_t)u->bytes_out),
		.connect_us = us32((curl_off_t)(u->connect_ns / 1000)),
	};

	heap_remove(&w->heap, &u->timer);
	if (u->first_byte_ns) {
		d.ttfb_us = us32((curl_off_t)((u->first_byte_ns - (ready < u->first_byte_ns ? ready : u->first_byte_ns)) / 1000));
		d.transfer_us = us32((curl_off_t)((now - u->first_byte_ns) / 1000));
	}
	/* Keep the connection only after a whole answer that allows it, with
	 * nothing after it (bytes the server sent unasked leave the
	 * connection in a state nobody knows). */
	if (err == ERR_NONE && u->conn == C_READING && u->parser.keep_alive && !u->leftover)
		u->conn = C_IDLE;
	else
		native_close(u);
	atomic_fetch_sub(&w->in_flight, 1);
	complete_request(u, &d, err, u->parser.headers_done ? u->parser.status : 0);
	user_idle(u, d.end_ns);
}

/* Open a connection to the next address of u->ai that accepts a socket
 * and a connect() under way: 0, or the errno of the last failure. */
static int native_connect(struct user *u)
{
	int last = ECONNREFUSED;

	for (; u->ai; u->ai = u->ai->ai_next) {
		const struct addrinfo *ai = u->ai;
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol), one = 1;
		if (fd < 0) {
			last = errno;
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
			last = errno;
			close(fd);
			continue;
		}
		u->fd = fd;
		u->conn_gen++;
		/* Writable when connected (or refused: then EPOLLERR too). */
		if (native_watch(u, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT) != 0) {
			last = errno;
			native_close(u);
			continue;
		}
		u->conn = C_CONNECTING;
		return 0;
	}
	return last;
}

/* A fresh connection for the request in flight. */
static void native_open(struct user *u)
{
	struct lt_engine *e = u->w->e;
	const struct native_ep *ne = &e->native_eps[u->endpoint];
	const struct native_origin *o = &e->origins[ne->origin];

	native_close(u);
	u->reused = false;
	u->origin = ne->origin;
	if (!o->ai) {
		native_finish(u, ERR_DNS);
		return;
	}
	u->ai = o->ai;
	u->connect_start_ns = lti_mono_ns();
	uint64_t connect_by = u->connect_start_ns + secs_to_ns(e->sc->config.connect_timeout_s);
	heap_set(&u->w->heap, &u->timer, connect_by < u->deadline_ns ? connect_by : u->deadline_ns);
	if (native_connect(u) != 0)
		native_finish(u, ERR_CONNECT);
}

/* The connection broke (a reset, an early close) before the answer was
 * whole.  A kept-alive connection the server closed before answering at
 * all is the server's idle timeout meeting our request: sent again, once,
 * on a fresh connection (as curl does), and not an error. */
static void native_broken(struct user *u)
{
	if (u->reused && u->got == 0 && !u->retried) {
		u->retried = true;
		u->sent = 0;
		lt_h1_parser_start(&u->parser, u->parser.head_request,
				   u->keep_body ? native_on_body : NULL, u);
		native_open(u);
		return;
	}
	native_finish(u, ERR_IO);
}

static void native_send(struct user *u)
{
	const struct native_ep *ne = &u->w->e->native_eps[u->endpoint];

	while (u->sent < ne->request_len) {
		ssize_t n = send(u->fd, ne->request + u->sent, ne->request_len - u->sent,
				 MSG_NOSIGNAL);
		if (n > 0) {
			u->sent += (size_t)n;
			u->bytes_out += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			u->conn = C_SENDING;
			if (!(u->events & EPOLLOUT) &&
			    native_watch(u, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT) != 0)
				native_finish(u, ERR_OTHER);
			return;
		}
		native_broken(u);
		return;
	}
	u->conn = C_READING;
	if ((u->events & EPOLLOUT) && native_watch(u, EPOLL_CTL_MOD, EPOLLIN) != 0)
		native_finish(u, ERR_OTHER);
}

static void native_start(struct user *u)
{
	struct lt_engine *e = u->w->e;
	const struct native_ep *ne = &e->native_eps[u->endpoint];

	u->sent = 0;
	u->got = 0;
	u->bytes_in = u->bytes_out = 0;
	u->connect_ns = u->connected_ns = u->first_byte_ns = 0;
	u->retried = u->leftover = false;
	u->deadline_ns = u->added_ns + ne->timeout_ns;
	lt_h1_parser_start(&u->parser, ne->head, u->keep_body ? native_on_body : NULL, u);
	if (u->conn == C_IDLE && u->origin == ne->origin) {
		u->reused = true;
		heap_set(&u->w->heap, &u->timer, u->deadline_ns);
		native_send(u);
		return;
	}
	native_open(u);
}

/* connect() ended: send, or try the next address. */
static void native_connected(struct user *u, uint32_t events)
{
	int soerr = 0;
	socklen_t len = sizeof soerr;

	if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr == 0 && (events & (EPOLLERR | EPOLLHUP)))
		soerr = ECONNREFUSED;
	if (soerr != 0) {
		/* localhost: ::1 refused, 127.0.0.1 next. */
		native_close(u);
		if (u->ai)
			u->ai = u->ai->ai_next;
		if (!u->ai || native_connect(u) != 0)
			native_finish(u, ERR_CONNECT);
		return;
	}
	u->connected_ns = lti_mono_ns();
	u->connect_ns += u->connected_ns - u->connect_start_ns;
	heap_set(&u->w->heap, &u->timer, u->deadline_ns);
	native_send(u);
}

/* At most this many full buffers per event: a body streaming faster
 * than we read must not keep the loop from its timers and other users. */
#define NATIVE_READS_PER_EVENT 16

static void native_read(struct user *u)
{
	struct worker *w = u->w;

	for (int reads = 0; reads < NATIVE_READS_PER_EVENT; reads++) {
		ssize_t n = recv(u->fd, w->rbuf, LT_ENGINE_READ_BUF, 0);
		lt_h1_result r;
		size_t used;

		if (n > 0) {
			if (!u->got)
				u->first_byte_ns = lti_mono_ns();
			u->got += (uint64_t)n;
			u->bytes_in += (uint64_t)n;
			r = lt_h1_parse(&u->parser, w->rbuf, (size_t)n, &used);
			if (r == LT_H1_MORE) {
				/* A full buffer may have left more behind
				 * (else epoll says so again). */
				if ((size_t)n < LT_ENGINE_READ_BUF)
					return;
				continue;
			}
			if (r == LT_H1_DONE) {
				u->leftover = used < (size_t)n;
				native_finish(u, ERR_NONE);
			} else {
				native_finish(u, r == LT_H1_NOMEM ? ERR_OTHER : ERR_PROTOCOL);
			}
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == 0) {
			r = lt_h1_parser_eof(&u->parser);
			if (r == LT_H1_DONE) {
				native_close(u);
				native_finish(u, ERR_NONE);
				return;
			}
			if (r == LT_H1_MALFORMED) {
				native_finish(u, ERR_PROTOCOL);
				return;
			}
		}
		native_broken(u);
		return;
	}
}

/* What epoll reported for the connection of key. */
static void native_event(struct worker *w, uint64_t key, uint32_t events)
{
	uint64_t idx = (key >> 32) - 1;
	struct user *u;

	if (idx >= w->n_users)
		return;
	u = &w->users[idx];
	/* An event for a connection closed earlier in this batch. */
	if (u->fd < 0 || u->conn_gen != (uint32_t)key)
		return;
	switch (u->conn) {
	case C_CONNECTING:
		native_connected(u, events);
		break;
	case C_SENDING:
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			native_send(u);
		if (u->fd >= 0 && u->conn_gen == (uint32_t)key &&
		    (u->conn == C_SENDING || u->conn == C_READING) && (events & EPOLLIN))
			native_read(u);
		break;
	case C_READING:
		native_read(u);
		break;
	case C_IDLE:
	case C_NONE: {
		/* An idle connection spoke: the server closed it (or sent
		 * bytes nobody asked for).  Either way it is done. */
		native_close(u);
		break;
	}
	}
}

/* A native request's timer: its deadline (or its connect timeout's). */
static void native_timeout(struct user *u)
{
	native_finish(u, ERR_TIMEOUT);
}

/* A closed-model user's timer: its start time, or the end of a pause. */
static void user_wake(struct user *u, uint64_t now)
{
	struct worker *w = u->w;

	if (u->state != U_WAITING)
		return;
	if (now >= u->stop_ns || draining(w->e)) {
		if (u->started)
			atomic_fetch_sub(&w->active, 1);
		u->state = U_DONE;
		return;
	}
	if (!u->started) {
		u->started = true;
		atomic_fetch_add(&w->active, 1);
	}
	if (start_request(u, now) != 0) {
		u->state = U_DONE;
		atomic_fetch_sub(&w->active, 1);
	}
}

/* The scenario's arrival rate at t seconds after the start (open model). */
static double rate_at(const struct lt_arrival *a, double t)
{
	double from = a->rate, at = 0;

	for (size_t i = 0; i < a->n_stages; i++) {
		const struct lt_arrival_stage *s = &a->stages[i];
		if (t < at + s->duration_s)
			return from + (s->target_rate - from) * (t - at) / s->duration_s;
		at += s->duration_s;
		from = s->target_rate;
	}
	return from;
}

/* Advance w->arrival_t by one arrival of this worker's share of the
 * rate.  The step uses the rate half a step ahead (the midpoint rule),
 * which follows a linear ramp of the rate to second order. */
static void next_arrival(struct worker *w)
{
	const struct lt_arrival *a = &w->e->sc->config.arrival;
	double r = rate_at(a, w->arrival_t) * w->share;

	w->arrival_k++;
	if (a->n_stages == 0 && r > 0) {
		/* A constant rate: from the index, so that a long run does not
		 * gather the rounding of thousands of additions (225 steps of
		 * 1/75 s fall short of 3 s and sent one arrival too many). */
		w->arrival_t = w->arrival_t0 + (double)w->arrival_k / r;
		return;
	}
	if (r <= 0) {
		/* Nothing to send now; look again in 10 ms. */
		w->arrival_t += 0.01;
		return;
	}
	double r2 = rate_at(a, w->arrival_t + 0.5 / r) * w->share;
	w->arrival_t += 1.0 / (r2 > 0 ? r2 : r);
}

static void arrivals_due(struct worker *w, uint64_t now)
{
	struct lt_engine *e = w->e;
	double total_s = e->sc->config.duration.total_s;

	/* The last arrival is due strictly before the end; the epsilon keeps
	 * one due exactly at the end (in floating point) out. */
	while (!draining(e) && w->arrival_t < total_s - 1e-9) {
		uint64_t due = e->start_ns + secs_to_ns(w->arrival_t);
		if (due > now) {
			heap_set(&w->heap, &w->arrival, due);
			return;
		}
		if (w->n_free == 0) {
			atomic_fetch_add(&w->dropped, 1);
		} else {
			struct user *u = w->free_users[--w->n_free];
			u->state = U_WAITING;
			atomic_fetch_add(&w->active, 1);
			if (start_request(u, due) != 0) {
				u->state = U_FREE;
				w->free_users[w->n_free++] = u;
				atomic_fetch_sub(&w->active, 1);
			}
		}
		next_arrival(w);
	}
}

/* The run is ending: arrivals that fell due before the end (and before
 * now) but were never sent -- the worker was late, descheduled, stopped
 * -- are counted as dropped, never silently lost. */
static void drop_due_arrivals(struct worker *w, uint64_t now)
{
	struct lt_engine *e = w->e;
	double total_s = e->sc->config.duration.total_s;

	if (closed_model(e))
		return;
	while (w->arrival_t < total_s - 1e-9 &&
	       e->start_ns + secs_to_ns(w->arrival_t) <= now) {
		atomic_fetch_add(&w->dropped, 1);
		next_arrival(w);
	}
}

static void fire_timers(struct worker *w, uint64_t now)
{
	/* At most as many timers as there were when this began: a user
	 * whose request fails at once (a refused connection) and who has no
	 * think time is due again at once, and must not keep the loop from
	 * epoll. */
	size_t budget = w->heap.n;

	while (budget-- > 0 && w->heap.n && w->heap.v[0]->due_ns <= now) {
		struct tnode *t = w->heap.v[0];
		heap_remove(&w->heap, t);
		switch (t->kind) {
		case TIMER_USER: {
			struct user *u = container_of(t, struct user, timer);
			if (u->state == U_IN_FLIGHT && w->e->native)
				native_timeout(u);
			else
				user_wake(u, now);
			break;
		}
		case TIMER_MULTI: {
			struct multi *mu = container_of(t, struct multi, timer);
			curl_multi_socket_action(mu->m, CURL_SOCKET_TIMEOUT, 0, &mu->running);
			drain_messages(mu);
			break;
		}
		case TIMER_ARRIVAL:
			arrivals_due(w, now);
			break;
		}
		now = lti_mono_ns();
	}
}

/* Give up on the requests still in flight at the end of the drain. */
static void abort_in_flight(struct worker *w)
{
	for (unsigned i = 0; i < w->n_users; i++) {
		struct user *u = &w->users[i];
		if (u->state == U_IN_FLIGHT) {
			/* Sent and never answered: an error of the service (a
			 * server that hangs must not pass the thresholds), with
			 * no latency to record. */
			struct done d = {
				.end_ns = lti_mono_ns(),
				.endpoint = (uint32_t)u->endpoint,
				.err = ERR_ABORTED,
			};
			if (w->e->native) {
				heap_remove(&w->heap, &u->timer);
				native_close(u);
			} else {
				curl_multi_remove_handle(u->mu->m, u->easy);
			}
			u->state = U_DONE;
			atomic_fetch_sub(&w->in_flight, 1);
			atomic_fetch_add(&w->aborted, 1);
			report(w, &d);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct lt_engine *e = w->e;
	struct epoll_event events[256];
	uint64_t drain_until = 0;
	sigset_t all;

	/* Signals are the reporter's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* Wake for a timer when it is due, not up to the default 50 us
	 * later: an open-model arrival sent late counts its lateness as
	 * latency. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	for (;;) {
		uint64_t now = lti_mono_ns();
		if (draining(e)) {
			if (!drain_until) {
				double d = atomic_load(&e->stop) ? LT_ENGINE_DRAIN_INTERRUPT_S
								 : e->drain_s;
				drain_until = now + secs_to_ns(d);
				heap_remove(&w->heap, &w->arrival);
				drop_due_arrivals(w, now < e->end_ns ? now : e->end_ns);
			}
			if (atomic_load(&w->in_flight) == 0)
				break;
			if (now >= drain_until) {
				abort_in_flight(w);
				break;
			}
		}
		fire_timers(w, now);
		now = lti_mono_ns();

		/* Sleep until the next timer, at most 100 ms (the wake fd cuts
		 * it short when the run ends). */
		uint64_t wait_ns = 100 * NS_PER_MS;
		if (w->heap.n) {
			uint64_t due = w->heap.v[0]->due_ns;
			wait_ns = due > now ? due - now : 0;
			if (wait_ns > 100 * NS_PER_MS)
				wait_ns = 100 * NS_PER_MS;
		}
		if (drain_until && drain_until > now && drain_until - now < wait_ns)
			wait_ns = drain_until - now;
		struct timespec ts = {(time_t)(wait_ns / NS_PER_S), (long)(wait_ns % NS_PER_S)};
		int n = epoll_pwait2(w->epfd, events, 256, &ts, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS) {
				/* Kernels before 5.11: millisecond timeouts. */
				n = epoll_wait(w->epfd, events, 256,
					       (int)((wait_ns + NS_PER_MS - 1) / NS_PER_MS));
				if (n < 0 && errno == EINTR)
					continue;
			}
			if (n < 0) {
				w->rc = LT_EINTERNAL;
				snprintf(w->errmsg, sizeof w->errmsg, "epoll_wait: %s",
					 strerror(errno));
				break;
			}
		}
		for (int i = 0; i < n; i++) {
			if (e->native) {
				if (events[i].data.u64 == 0) {
					uint64_t v;
					if (read(w->wakefd, &v, sizeof v) < 0) {
						/* nothing to read: someone else took it */
					}
				} else {
					native_event(w, events[i].data.u64, events[i].events);
				}
				continue;
			}
			int fd = events[i].data.fd;
			if (fd == w->wakefd) {
				uint64_t v;
				if (read(w->wakefd, &v, sizeof v) < 0) {
					/* nothing to read: someone else took it */
				}
				continue;
			}
			struct fdinfo *fi = (size_t)fd < w->n_fds ? &w->fds[fd] : NULL;
			if (!fi || !fi->owner || fi->wanted == 0) {
				/* An idle pooled connection hung up: curl will
				 * see it when it next uses the connection; stop
				 * epoll from reporting it again and again. */
				epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
				if (fi)
					fi->registered = false;
				continue;
			}
			int flags = 0;
			if (events[i].events & (EPOLLIN | EPOLLHUP))
				flags |= CURL_CSELECT_IN;
			if (events[i].events & EPOLLOUT)
				flags |= CURL_CSELECT_OUT;
			if (events[i].events & EPOLLERR)
				flags |= CURL_CSELECT_ERR;
			struct multi *mu = fi->owner;
			curl_multi_socket_action(mu->m, fd, flags, &mu->running);
			drain_messages(mu);
		}
	}
	return NULL;
}

/* ---- setting up and tearing down ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void worker_free(struct worker *w)
{
	for (unsigned i = 0; i < w->n_users; i++) {
		struct user *u = &w->users[i];
		if (u->easy) {
			if (u->state == U_IN_FLIGHT && u->mu)
				curl_multi_remove_handle(u->mu->m, u->easy);
			curl_easy_cleanup(u->easy);
		}
		if (u->fd >= 0)
			close(u->fd);
		lt_h1_parser_clear(&u->parser);
		free(u->body);
	}
	for (unsigned i = 0; i < w->n_multis; i++)
		if (w->multis[i].m)
			curl_multi_cleanup(w->multis[i].m);
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->wakefd >= 0)
		close(w->wakefd);
	free(w->users);
	free(w->multis);
	free(w->heap.v);
	free(w->fds);
	free(w->rbuf);
	free(w->free_users);
	free(w->done.v);
	pthread_mutex_destroy(&w->lock);
}

static lt_rc easy_setup(struct lt_engine *e, struct user *u, struct worker *w)
{
	const struct lt_scenario_config *c = &e->sc->config;
	CURL *h = curl_easy_init();

	if (!h)
		return LT_ENOMEM;
	u->easy = h;
	curl_easy_setopt(h, CURLOPT_PRIVATE, u);
	/* No signals from curl: timeouts are the multi handle's business,
	 * and SIGPIPE is ignored by the caller. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, u);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, w);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, w);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->connect_timeout_s * 1000));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lt/" LT_VERSION);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
			 c->http.version == LT_HTTP_VERSION_2
				 ? (strncmp(c->base_url, "https:", 6) == 0
					    ? CURL_HTTP_VERSION_2TLS
					    : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
				 : CURL_HTTP_VERSION_1_1);
	/* Only HTTP and HTTPS, whatever a redirect or a typo says. */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* curl allocates its receive buffer per transfer in flight: 16 KiB
	 * by default, most of the memory of 10,000 users (bench/users-10k.sh
	 * measured 267 MiB peak over 40 s, 139 MiB with 1 KiB).  4 KiB keeps
	 * big bodies to few reads. */
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 4096L);
	/* Without proxy variables at start, tell curl so: it looks them up
	 * again for every transfer otherwise (~1.5k instructions each). */
	if (!e->proxy_env)
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	if (c->http.insecure || e->opts.insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (e->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, e->cacert);
	else if (c->http.cacert_path)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->http.cacert_path);
	u->configured_endpoint = -1;
	u->timer.kind = TIMER_USER;
	return LT_OK;
}

/* The users of worker w: global user g goes to worker g % threads within
 * this shard, so every thread ramps up and down on the same curve. */
static lt_rc worker_setup(struct lt_engine *e, struct worker *w, unsigned idx,
			  unsigned shard_users, const unsigned *global_ids)
{
	const struct lt_scenario_config *c = &e->sc->config;
	unsigned n = 0;
	lt_rc rc = LT_ENOMEM;

	w->e = e;
	w->idx = idx;
	for (unsigned i = idx; i < shard_users; i += e->n_threads)
		n++;
	w->n_users = n;
	w->n_multis = n && !e->native ? (n + LT_ENGINE_USERS_PER_MULTI - 1) / LT_ENGINE_USERS_PER_MULTI : 0;
	if (n && !(w->users = calloc(n, sizeof *w->users)))
		return LT_ENOMEM;
	/* Ready for worker_free whatever fails next. */
	for (unsigned k = 0; k < n; k++)
		w->users[k].fd = -1;
	if ((e->native && !(w->rbuf = malloc(LT_ENGINE_READ_BUF))) ||
	    (w->n_multis && !(w->multis = calloc(w->n_multis, sizeof *w->multis))) ||
	    !(w->heap.v = calloc(n + w->n_multis + 1, sizeof *w->heap.v)) ||
	    (n && !(w->free_users = calloc(n, sizeof *w->free_users))))
		return LT_ENOMEM;
	w->heap.cap = n + w->n_multis + 1;
	uint64_t seed = lti_mono_ns() ^ ((uint64_t)idx << 48) ^ (uint64_t)(uintptr_t)w;
	w->rng[0] = splitmix(&seed);
	w->rng[1] = splitmix(&seed);

	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return LT_EINTERNAL;
	struct epoll_event ev = {.events = EPOLLIN};
	/* The native client's keys are never 0 (engine.h); curl's are fds. */
	if (e->native)
		ev.data.u64 = 0;
	else
		ev.data.fd = w->wakefd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) != 0)
		return LT_EINTERNAL;

	for (unsigned i = 0; i < w->n_multis; i++) {
		struct multi *mu = &w->multis[i];
		if (!(mu->m = curl_multi_init()))
			return LT_ENOMEM;
		mu->w = w;
		mu->timer.kind = TIMER_MULTI;
		curl_multi_setopt(mu->m, CURLMOPT_SOCKETFUNCTION, on_socket);
		curl_multi_setopt(mu->m, CURLMOPT_SOCKETDATA, mu);
		curl_multi_setopt(mu->m, CURLMOPT_TIMERFUNCTION, on_multi_timer);
		curl_multi_setopt(mu->m, CURLMOPT_TIMERDATA, mu);
		/* curl's default pool is 4x the handles added at the moment;
		 * between requests few are added and it would close the idle
		 * keep-alive connections.  One per user, and some for
		 * connections being replaced. */
		curl_multi_setopt(mu->m, CURLMOPT_MAXCONNECTS,
				  (long)(2 * LT_ENGINE_USERS_PER_MULTI));
	}

	unsigned users_total = closed_model(e) ? (unsigned)c->users.concurrent : 0;
	for (unsigned k = 0; k < n; k++) {
		struct user *u = &w->users[k];
		u->w = w;
		u->index = k;
		u->fd = -1;
		u->timer.kind = TIMER_USER;
		if (!e->native) {
			u->mu = &w->multis[k / LT_ENGINE_USERS_PER_MULTI];
			if ((rc = easy_setup(e, u, w)) != LT_OK)
				return rc;
		}
		if (closed_model(e)) {
			unsigned g = global_ids[idx + k * e->n_threads];
			double on = lt_engine_ramp_offset(c->users.ramp_up.strategy,
							  c->users.ramp_up.steps,
							  c->users.ramp_up.duration_s, users_total, g);
			double off = c->duration.total_s -
				     lt_engine_ramp_offset(c->users.ramp_down.strategy,
							   c->users.ramp_down.steps,
							   c->users.ramp_down.duration_s,
							   users_total, g);
			u->start_ns = secs_to_ns(on);
			u->stop_ns = secs_to_ns(off);
			u->state = U_WAITING;
		} else {
			u->state = U_FREE;
			w->free_users[w->n_free++] = u;
		}
	}
	w->arrival.kind = TIMER_ARRIVAL;
	return LT_OK;
}

lt_rc lt_engine_new(const struct lt_scenario *sc, const struct lt_engine_opts *opts,
		    struct lt_engine **out, struct lt_err *err)
{
	struct lt_engine *e;
	unsigned seg_i = opts->segment_index ? opts->segment_index : 1;
	unsigned seg_n = opts->segment_count ? opts->segment_count : 1;

	if (seg_i < 1 || seg_i > seg_n)
		return lt_err_set(err, LT_EINVAL, "segment %u/%u: must be I/N with 1 <= I <= N",
				  seg_i, seg_n);
	if (opts->run_id && (!*opts->run_id || strlen(opts->run_id) > LT_NDJSON_MAX_ID))
		return lt_err_set(err, LT_EINVAL, "run id: must be 1 to %d characters",
				  LT_NDJSON_MAX_ID);
	if (!(e = calloc(1, sizeof *e)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	e->sc = sc;
	e->opts = *opts;
	e->opts.segment_index = seg_i;
	e->opts.segment_count = seg_n;
	e->opts.run_group = NULL;
	e->opts.cacert = NULL;
	e->opts.tags = NULL;
	if (opts->run_id)
		snprintf(e->run_id, sizeof e->run_id, "%s", opts->run_id);
	else
		lti_uuid(e->run_id);
	if ((opts->run_group && !(e->run_group = strdup(opts->run_group))) ||
	    (opts->cacert && !(e->cacert = strdup(opts->cacert))) ||
	    (opts->tags && !(e->tags = cJSON_Duplicate(opts->tags, 1)))) {
		lt_engine_free(e);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	*out = e;
	return LT_OK;
}

void lt_engine_stop(struct lt_engine *e)
{
	if (e)
		atomic_store(&e->stop, 1);
}

static void wake_workers(struct lt_engine *e)
{
	uint64_t one = 1;
	for (unsigned i = 0; i < e->n_threads; i++)
		if (e->workers[i].wakefd >= 0 &&
		    write(e->workers[i].wakefd, &one, sizeof one) < 0) {
			/* the counter is full: the worker is awake anyway */
		}
}

void lt_engine_free(struct lt_engine *e)
{
	if (!e)
		return;
	native_free(e);
	for (unsigned i = 0; e->workers && i < e->n_threads; i++)
		worker_free(&e->workers[i]);
	free(e->workers);
	for (size_t i = 0; e->headers && i < e->sc->config.n_endpoints; i++)
		curl_slist_free_all(e->headers[i]);
	free(e->headers);
	lt_hist_free(e->cur.hist);
	lt_hist_free(e->next.hist);
	lt_hist_free(e->steady);
	for (size_t i = 0; e->ep && i < e->sc->config.n_endpoints; i++)
		lt_hist_free(e->ep[i].hist);
	free(e->ep);
	cJSON_Delete(e->tags);
	free(e->run_group);
	free(e->cacert);
	free(e);
}

/* ---- the reporter ---- */

static const char *phase_of(const struct lt_duration *d, double t)
{
	if (t < d->warmup_s)
		return "warmup";
	if (t >= d->total_s - d->cooldown_s)
		return "cooldown";
	return "steady";
}

/* Fold one completed request into the second it belongs to. */
static lt_rc account(struct lt_engine *e, const struct done *d, unsigned sec, bool last)
{
	uint64_t when = (d->end_ns - e->start_ns) / NS_PER_S;
	bool later = !last && when > sec;
	struct second *s = later ? &e->next : &e->cur;
	bool failed = d->err != ERR_NONE;
	const struct lt_duration *dur = &e->sc->config.duration;
	unsigned in_sec = later ? sec + 1 : sec;

	if (d->err != ERR_ABORTED)
		lt_hist_record(s->hist, d->latency_us);
	s->requests++;
	s->errors += failed;
	s->bytes_in += d->bytes_in;
	s->bytes_out += d->bytes_out;
	e->total_requests++;
	e->total_errors += failed;
	e->bytes_in += d->bytes_in;
	e->bytes_out += d->bytes_out;
	if (strcmp(phase_of(dur, in_sec), "steady") != 0)
		return LT_OK;

	struct endpoint_stats *es = &e->ep[d->endpoint];
	if (!es->hist && !(es->hist = lt_hist_new()))
		return LT_ENOMEM;
	if (d->err != ERR_ABORTED) {
		lt_hist_record(e->steady, d->latency_us);
		lt_hist_record(es->hist, d->latency_us);
	}
	e->steady_requests++;
	e->steady_errors += failed;
	es->requests++;
	es->errors += failed;
	e->err_kinds[d->err]++;
	if (d->err == ERR_CHECK)
		es->checks_failed[d->check]++;
	if (d->err == ERR_NONE || d->err == ERR_CHECK) {
		e->timing_sum_us[0] += d->dns_us;
		e->timing_sum_us[1] += d->connect_us;
		e->timing_sum_us[2] += d->tls_us;
		e->timing_sum_us[3] += d->ttfb_us;
		e->timing_sum_us[4] += d->transfer_us;
		e->timing_n++;
	}
	return LT_OK;
}

/* Take every worker's completions so far and account them. */
static lt_rc collect(struct lt_engine *e, unsigned sec, bool last, struct done_list *spare)
{
	for (unsigned i = 0; i < e->n_threads; i++) {
		struct worker *w = &e->workers[i];
		struct done_list got;

		pthread_mutex_lock(&w->lock);
		got = w->done;
		w->done = *spare;
		w->done.n = 0;
		pthread_mutex_unlock(&w->lock);
		for (size_t k = 0; k < got.n; k++) {
			lt_rc rc = account(e, &got.v[k], sec, last);
			if (rc != LT_OK) {
				*spare = got;
				return rc;
			}
		}
		*spare = got;
	}
	return LT_OK;
}

static uint64_t sum_workers(struct lt_engine *e, size_t offset)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < e->n_threads; i++)
		total += atomic_load((atomic_uint_fast64_t *)((char *)&e->workers[i] + offset));
	return total;
}

static lt_rc emit(struct lt_engine *e, const cJSON *rec, struct lt_engine_result *res)
{
	if (e->opts.on_record && e->opts.on_record(rec, e->opts.user) != 0) {
		atomic_store(&e->stop, 1);
		res->interrupted = true;
	}
	return LT_OK;
}

/* users: the active users at the end of the second (UINT64_MAX: read the
 * workers' counters now). */
static lt_rc emit_sample(struct lt_engine *e, unsigned sec, double length_s, uint64_t users,
			 struct lt_sysmon *mon, struct lt_engine_result *res,
			 struct lt_err *err)
{
	const struct lt_duration *dur = &e->sc->config.duration;
	struct lt_sysmon_reading r;
	uint64_t dropped = sum_workers(e, offsetof(struct worker, dropped));
	cJSON *rec = NULL;
	lt_rc rc;

	lt_sysmon_read(mon, &r);
	if (users == UINT64_MAX)
		users = sum_workers(e, offsetof(struct worker, active));
	struct lt_ndjson_sample in = {
		.run_id = e->run_id,
		.t = sec,
		.phase = phase_of(dur, sec),
		.users = users,
		.requests = e->cur.requests,
		.errors = e->cur.errors,
		.rps = length_s > 0 ? (double)e->cur.requests / length_s : 0,
		.dropped = dropped - e->dropped_seen,
		.bytes_in = e->cur.bytes_in,
		.bytes_out = e->cur.bytes_out,
		.cpu_pct = r.cpu_pct,
		.rss_kb = (int64_t)r.rss_kb,
		.hist = e->cur.hist,
	};
	e->dropped_seen = dropped;
	if ((rc = lt_ndjson_build_sample(&in, &rec, err)) != LT_OK)
		return rc;
	/* The host's side of the second, beyond the contract fields: a
	 * saturated load machine is a finding, not a latency. */
	cJSON *host = cJSON_AddObjectToObject(rec, "host");
	if (host) {
		cJSON_AddNumberToObject(host, "cpu_pct", round(r.host_cpu_pct * 10) / 10);
		cJSON_AddNumberToObject(host, "mem_used_kb", (double)r.mem_used_kb);
		cJSON_AddNumberToObject(host, "net_rx_bytes", (double)r.net_rx_bytes);
		cJSON_AddNumberToObject(host, "net_tx_bytes", (double)r.net_tx_bytes);
		cJSON_AddNumberToObject(host, "disk_read_bytes", (double)r.disk_read_bytes);
		cJSON_AddNumberToObject(host, "disk_write_bytes", (double)r.disk_write_bytes);
	}
	e->res_n++;
	e->cpu_sum += r.cpu_pct;
	e->cpu_max = r.cpu_pct > e->cpu_max ? r.cpu_pct : e->cpu_max;
	e->host_cpu_sum += r.host_cpu_pct;
	e->host_cpu_max = r.host_cpu_pct > e->host_cpu_max ? r.host_cpu_pct : e->host_cpu_max;
	e->rss_max = r.max_rss_kb > e->rss_max ? r.max_rss_kb : e->rss_max;
	e->mem_used_max = r.mem_used_kb > e->mem_used_max ? r.mem_used_kb : e->mem_used_max;
	e->mem_total = r.mem_total_kb;
	e->net_rx += r.net_rx_bytes;
	e->net_tx += r.net_tx_bytes;
	e->disk_read += r.disk_read_bytes;
	e->disk_write += r.disk_write_bytes;
	if (strcmp(in.phase, "steady") == 0) {
		if (in.rps > e->peak_rps)
			e->peak_rps = in.rps;
		if (users > e->peak_users)
			e->peak_users = users;
		e->steady_seconds_x1000 += (uint64_t)(length_s * 1000 + 0.5);
	}
	emit(e, rec, res);
	if (e->opts.on_progress) {
		struct lt_engine_progress p = {
			.elapsed_s = sec + length_s,
			.total_s = dur->total_s,
			.phase = in.phase,
			.users = users,
			.requests = e->total_requests,
			.errors = e->total_errors,
			.rps = in.rps,
			.p95_ms = (double)lt_hist_percentile(e->cur.hist, 95) / 1000.0,
		};
		e->opts.on_progress(&p, e->opts.user);
	}
	cJSON_Delete(rec);

	/* The next second becomes the current one. */
	struct second t = e->cur;
	e->cur = e->next;
	e->next = t;
	lt_hist_reset(e->next.hist);
	e->next.requests = e->next.errors = e->next.bytes_in = e->next.bytes_out = 0;
	return LT_OK;
}

static lt_rc emit_summary(struct lt_engine *e, struct lt_engine_result *res,
			  struct lt_err *err)
{
	const struct lt_scenario_config *c = &e->sc->config;
	struct lt_ndjson_endpoint *eps = calloc(c->n_endpoints, sizeof *eps);
	struct lt_ndjson_threshold *th = calloc(c->n_thresholds + 1, sizeof *th);
	cJSON *rec = NULL, *extra;
	lt_rc rc = LT_ENOMEM;

	if (!eps || !th) {
		lt_err_set(err, rc, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < c->n_endpoints; i++) {
		eps[i].name = c->endpoints[i].name;
		eps[i].method = lt_scenario_method_name(c->endpoints[i].method);
		eps[i].path = c->endpoints[i].path;
		eps[i].requests = e->ep[i].requests;
		eps[i].errors = e->ep[i].errors;
		eps[i].hist = e->ep[i].hist;
	}
	for (size_t i = 0; i < c->n_thresholds; i++) {
		th[i].metric = c->thresholds[i].metric;
		th[i].op = lt_scenario_op_name(c->thresholds[i].op);
		th[i].limit = c->thresholds[i].limit;
	}
	struct lt_ndjson_summary in = {
		.run_id = e->run_id,
		.duration_s = (double)e->steady_seconds_x1000 / 1000.0,
		.requests = e->steady_requests,
		.errors = e->steady_errors,
		.peak_rps = e->peak_rps,
		.peak_users = e->peak_users,
		.hist = e->steady,
		.interrupted = res->interrupted,
		.endpoints = eps,
		.n_endpoints = c->n_endpoints,
		.thresholds = th,
		.n_thresholds = c->n_thresholds,
	};
	if ((rc = lt_ndjson_build_summary(&in, &rec, err)) != LT_OK)
		goto fail;

	/* Fields beyond the contract: where the time went, why requests
	 * failed, and what the generator could not send. */
	rc = LT_ENOMEM;
	cJSON *timings = cJSON_AddObjectToObject(rec, "timings_ms");
	static const char *const timing_names[5] = {"dns", "connect", "tls", "ttfb", "transfer"};
	for (int i = 0; timings && i < 5; i++)
		cJSON_AddNumberToObject(timings, timing_names[i],
					e->timing_n ? lt_ndjson_ms(e->timing_sum_us[i] /
								   (double)e->timing_n)
						    : 0);
	cJSON *kinds = cJSON_AddObjectToObject(rec, "errors_by_kind");
	for (int i = ERR_NONE + 1; kinds && i < ERR_KINDS; i++)
		if (e->err_kinds[i])
			cJSON_AddNumberToObject(kinds, err_kind_names[i], (double)e->err_kinds[i]);
	cJSON *checks = cJSON_AddArrayToObject(rec, "checks");
	for (size_t i = 0; checks && i < c->n_endpoints; i++)
		for (int k = 0; k < CHK_KINDS; k++) {
			if (!e->ep[i].checks_failed[k])
				continue;
			extra = cJSON_CreateObject();
			if (!extra)
				break;
			cJSON_AddItemToArray(checks, extra);
			cJSON_AddStringToObject(extra, "endpoint", c->endpoints[i].name);
			cJSON_AddStringToObject(extra, "check", check_names[k]);
			cJSON_AddNumberToObject(extra, "failed", (double)e->ep[i].checks_failed[k]);
		}
	cJSON *resources = cJSON_AddObjectToObject(rec, "resources");
	if (resources && e->res_n) {
		cJSON *gen = cJSON_AddObjectToObject(resources, "generator");
		cJSON *host = cJSON_AddObjectToObject(resources, "host");
		if (gen) {
			cJSON_AddNumberToObject(gen, "cpu_pct_mean", round(e->cpu_sum / e->res_n * 10) / 10);
			cJSON_AddNumberToObject(gen, "cpu_pct_max", round(e->cpu_max * 10) / 10);
			cJSON_AddNumberToObject(gen, "max_rss_kb", (double)e->rss_max);
			cJSON_AddNumberToObject(gen, "threads", e->n_threads);
		}
		if (host) {
			cJSON_AddNumberToObject(host, "cpu_pct_mean",
						round(e->host_cpu_sum / e->res_n * 10) / 10);
			cJSON_AddNumberToObject(host, "cpu_pct_max", round(e->host_cpu_max * 10) / 10);
			cJSON_AddNumberToObject(host, "mem_used_kb_max", (double)e->mem_used_max);
			cJSON_AddNumberToObject(host, "mem_total_kb", (double)e->mem_total);
			cJSON_AddNumberToObject(host, "net_rx_bytes", (double)e->net_rx);
			cJSON_AddNumberToObject(host, "net_tx_bytes", (double)e->net_tx);
			cJSON_AddNumberToObject(host, "disk_read_bytes", (double)e->disk_read);
			cJSON_AddNumberToObject(host, "disk_write_bytes", (double)e->disk_write);
		}
	}
	cJSON_AddNumberToObject(rec, "dropped", (double)res->dropped);
	cJSON_AddNumberToObject(rec, "aborted", (double)res->aborted);
	cJSON_AddNumberToObject(rec, "bytes_in", (double)e->bytes_in);
	cJSON_AddNumberToObject(rec, "bytes_out", (double)e->bytes_out);
	if (!timings || !kinds || !checks || !resources) {
		lt_err_set(err, rc, "out of memory");
		goto fail;
	}
	cJSON *passed = cJSON_GetObjectItemCaseSensitive(rec, "passed");
	res->passed = cJSON_IsTrue(passed);
	emit(e, rec, res);
	rc = LT_OK;
fail:
	cJSON_Delete(rec);
	free(eps);
	free(th);
	return rc;
}

static lt_rc emit_run_start(struct lt_engine *e, double started_at,
			    struct lt_engine_result *res, struct lt_err *err)
{
	char host[256] = "";
	cJSON *config = lt_scenario_to_json(e->sc), *rec = NULL;
	lt_rc rc;

	if (!config)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	gethostname(host, sizeof host - 1);
	struct lt_ndjson_run_start in = {
		.run_id = e->run_id,
		.scenario_id = e->sc->id,
		.scenario_name = e->sc->name,
		.started_at = started_at,
		.segment_index = e->opts.segment_index,
		.segment_count = e->opts.segment_count,
		.run_group = e->run_group,
		.host = host[0] ? host : NULL,
		.config = config,
	};
	rc = lt_ndjson_build_run_start(&in, &rec, err);
	cJSON_Delete(config);
	if (rc != LT_OK)
		return rc;
	/* Which HTTP client ran (engine.h), beyond the contract fields. */
	if (!cJSON_AddStringToObject(rec, "client", e->native ? "native" : "libcurl") ||
	    (e->tags && !cJSON_AddItemToObject(rec, "tags", cJSON_Duplicate(e->tags, 1)))) {
		cJSON_Delete(rec);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	emit(e, rec, res);
	cJSON_Delete(rec);
	return LT_OK;
}

/* Sleep until the monotonic time due, or until the run is stopped. */
static void sleep_until(struct lt_engine *e, uint64_t due)
{
	for (;;) {
		uint64_t now = lti_mono_ns();
		if (now >= due || atomic_load(&e->stop))
			return;
		uint64_t step = due - now;
		if (step > 50 * NS_PER_MS)
			step = 50 * NS_PER_MS;
		struct timespec ts = {(time_t)(step / NS_PER_S), (long)(step % NS_PER_S)};
		nanosleep(&ts, NULL);
	}
}

/* Whether the native client can run this scenario, and if so its
 * endpoints and origins (e->native, e->native_eps, e->origins).  Any
 * reason to stay with libcurl -- https, HTTP/2, a proxy variable,
 * --libcurl, credentials in the URL, a header the native client does not
 * send -- leaves e->native false; only running out of memory fails. */
static lt_rc native_setup(struct lt_engine *e, struct lt_err *err)
{
	const struct lt_scenario_config *c = &e->sc->config;
	struct lt_h1_header *hs = NULL;
	CURLU *url = NULL;
	char *host = NULL, *port = NULL, *path = NULL, *query = NULL, *user = NULL;
	char *target = NULL, *host_header = NULL;
	lt_rc rc = LT_OK;

	if (e->opts.libcurl || e->proxy_env || c->http.version != LT_HTTP_VERSION_1_1)
		return LT_OK;
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (strncasecmp(c->endpoints[i].url, "http://", 7) != 0)
			return LT_OK;
	if (!(e->native_eps = calloc(c->n_endpoints, sizeof *e->native_eps)) ||
	    !(e->origins = calloc(c->n_endpoints, sizeof *e->origins)))
		goto nomem;
	for (size_t i = 0; i < c->n_endpoints; i++) {
		const struct lt_endpoint *ep = &c->endpoints[i];
		struct native_ep *ne = &e->native_eps[i];
		bool form = ep->body_kind != LT_BODY_NONE || ep->method == LT_HTTP_POST;
		size_t nh = 0;
		unsigned o;

		/* The URL as curl reads it (the same path normalisation). */
		if (!(url = curl_url()))
			goto nomem;
		if (curl_url_set(url, CURLUPART_URL, ep->url, 0) != CURLUE_OK ||
		    curl_url_get(url, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		    curl_url_get(url, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
		    curl_url_get(url, CURLUPART_PATH, &path, 0) != CURLUE_OK)
			goto curl_only;
		if (curl_url_get(url, CURLUPART_USER, &user, 0) == CURLUE_OK)
			goto curl_only; /* credentials: curl sends them */
		curl_url_get(url, CURLUPART_QUERY, &query, 0);
		if (asprintf(&target, "%s%s%s", path, query ? "?" : "", query ? query : "") < 0 ||
		    asprintf(&host_header, "%s%s%s", host, strcmp(port, "80") ? ":" : "",
			     strcmp(port, "80") ? port : "") < 0) {
			target = host_header = NULL;
			goto nomem;
		}
		/* getaddrinfo wants an IPv6 literal without its brackets. */
		if (host[0] == '[') {
			memmove(host, host + 1, strlen(host));
			host[strcspn(host, "]")] = '\0';
		}
		for (o = 0; o < e->n_origins; o++)
			if (!strcmp(e->origins[o].host, host) && !strcmp(e->origins[o].port, port))
				break;
		if (o == e->n_origins) {
			struct native_origin *org = &e->origins[o];
			struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
			if (!(org->host = strdup(host)) || !(org->port = strdup(port)))
				goto nomem;
			e->n_origins++;
			/* Once, here: a name that does not resolve makes every
			 * request to it a DNS error, as curl would report. */
			if (getaddrinfo(host, port, &hints, &org->ai) != 0)
				org->ai = NULL;
		}
		ne->origin = o;

		/* The headers curl would send: the scenario's, and a form
		 * Content-Type for a body without one. */
		if (!(hs = calloc(ep->n_request_headers + 1, sizeof *hs)))
			goto nomem;
		for (size_t k = 0; k < ep->n_request_headers; k++) {
			hs[nh].name = ep->request_headers[k].name;
			hs[nh++].value = ep->request_headers[k].value;
			if (!strcasecmp(ep->request_headers[k].name, "content-type"))
				form = false;
		}
		if (form) {
			hs[nh].name = "Content-Type";
			hs[nh++].value = "application/x-www-form-urlencoded";
		}
		struct lt_h1_request req = {
			.method = lt_scenario_method_name(ep->method),
			.target = target,
			.host = host_header,
			.user_agent = "lt/" LT_VERSION,
			.headers = hs,
			.n_headers = nh,
			.body = ep->body_kind != LT_BODY_NONE ? ep->body : NULL,
			.body_len = ep->body_kind != LT_BODY_NONE ? ep->body_len : 0,
			.send_length = ep->method == LT_HTTP_POST,
		};
		struct lt_err herr = {0};
		rc = lt_h1_request_build(&req, &ne->request, &ne->request_len, &herr);
		if (rc == LT_ENOMEM)
			goto nomem;
		if (rc != LT_OK)
			goto curl_only;
		ne->head = ep->method == LT_HTTP_HEAD;
		ne->keep_body = endpoint_keeps_body(ep);
		ne->timeout_ns = secs_to_ns(ep->timeout_s);
		free(hs);
		hs = NULL;
		curl_url_cleanup(url);
		url = NULL;
		curl_free(host);
		curl_free(port);
		curl_free(path);
		curl_free(query);
		host = port = path = query = NULL;
		free(target);
		free(host_header);
		target = host_header = NULL;
	}
	e->native = true;
	return LT_OK;
nomem:
	rc = lt_err_set(err, LT_ENOMEM, "out of memory");
	goto out;
curl_only:
	rc = LT_OK;
out:
	native_free(e);
	free(hs);
	curl_url_cleanup(url);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(user);
	free(target);
	free(host_header);
	return rc;
}

static lt_rc setup(struct lt_engine *e, struct lt_err *err)
{
	const struct lt_scenario_config *c = &e->sc->config;
	unsigned seg_i = e->opts.segment_index, seg_n = e->opts.segment_count;
	unsigned *ids = NULL, shard_users = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	lt_rc rc = LT_ENOMEM;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return lt_err_set(err, LT_EINTERNAL, "libcurl: %s",
				  curl_easy_strerror(curl_init_rc));

	/* This shard's users: every seg_n-th of the scenario's, so shards
	 * together ramp exactly as one generator would. */
	unsigned total_users = closed_model(e)
				       ? (unsigned)c->users.concurrent
				       : (unsigned)c->arrival.max_users;
	if (!(ids = malloc((total_users + 1) * sizeof *ids)))
		goto nomem;
	for (unsigned g = seg_i - 1; g < total_users; g += seg_n)
		ids[shard_users++] = g;

	e->n_threads = e->opts.threads ? e->opts.threads : (cores > 0 ? (unsigned)cores : 1);
	if (e->n_threads > shard_users && shard_users > 0)
		e->n_threads = shard_users;
	if (e->n_threads == 0)
		e->n_threads = 1;
	e->drain_s = LT_ENGINE_DRAIN_S;
	static const char *const proxy_vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
						 "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof proxy_vars / sizeof *proxy_vars; i++)
		if (getenv(proxy_vars[i]) && *getenv(proxy_vars[i]))
			e->proxy_env = true;
	if (c->timeout_s < e->drain_s)
		e->drain_s = c->timeout_s;
	if ((rc = native_setup(e, err)) != LT_OK) {
		free(ids);
		return rc;
	}

	if (!(e->headers = calloc(c->n_endpoints, sizeof *e->headers)) ||
	    !(e->ep = calloc(c->n_endpoints, sizeof *e->ep)) ||
	    !(e->cur.hist = lt_hist_new()) || !(e->next.hist = lt_hist_new()) ||
	    !(e->steady = lt_hist_new()) ||
	    !(e->workers = calloc(e->n_threads, sizeof *e->workers)))
		goto nomem;
	for (size_t i = 0; i < c->n_endpoints; i++) {
		const struct lt_endpoint *ep = &c->endpoints[i];
		for (size_t k = 0; k < ep->n_request_headers; k++) {
			char line[8192];
			struct curl_slist *l;
			snprintf(line, sizeof line, "%s: %s", ep->request_headers[k].name,
				 ep->request_headers[k].value);
			if (!(l = curl_slist_append(e->headers[i], line)))
				goto nomem;
			e->headers[i] = l;
		}
		/* No "Expect: 100-continue" round trip for request bodies. */
		struct curl_slist *l = curl_slist_append(e->headers[i], "Expect:");
		if (!l)
			goto nomem;
		e->headers[i] = l;
	}
	for (unsigned i = 0; i < e->n_threads; i++) {
		/* Ready to be freed whatever happens next. */
		e->workers[i].epfd = e->workers[i].wakefd = -1;
		pthread_mutex_init(&e->workers[i].lock, NULL);
	}
	for (unsigned i = 0; i < e->n_threads; i++) {
		if ((rc = worker_setup(e, &e->workers[i], i, shard_users, ids)) != LT_OK) {
			free(ids);
			return lt_err_set(err, rc, rc == LT_ENOMEM ? "out of memory"
							    : "cannot set up worker %u: %s",
					  i, strerror(errno));
		}
		if (!closed_model(e)) {
			/* Worker i of thread count T in shard s of S sends every
			 * (T*S)-th arrival, offset so that together they are evenly
			 * spaced. */
			struct worker *w = &e->workers[i];
			unsigned parts = e->n_threads * seg_n;
			unsigned part = (seg_i - 1) * e->n_threads + i;
			w->share = 1.0 / parts;
			double r0 = rate_at(&c->arrival, 0);
			w->arrival_t = r0 > 0 ? (double)part / parts / r0 : 0;
			w->arrival_t0 = w->arrival_t;
		}
	}
	free(ids);
	return LT_OK;
nomem:
	free(ids);
	return lt_err_set(err, LT_ENOMEM, "out of memory");
}

lt_rc lt_engine_run(struct lt_engine *e, struct lt_engine_result *res,
		    struct lt_err *err)
{
	const struct lt_duration *dur = &e->sc->config.duration;
	struct lt_sysmon *mon = NULL;
	struct done_list spare = {0};
	unsigned sec = 0, last_sec;
	lt_rc rc;

	memset(res, 0, sizeof *res);
	if (e->ran)
		return lt_err_set(err, LT_EUSAGE, "an engine runs once");
	e->ran = true;
	if ((rc = setup(e, err)) != LT_OK)
		return rc;
	if (!(mon = lt_sysmon_new()))
		return lt_err_set(err, LT_ENOMEM, "out of memory");

	double started_at = lti_time_now();
	if ((rc = emit_run_start(e, started_at, res, err)) != LT_OK)
		goto out;

	e->start_ns = lti_mono_ns();
	e->end_ns = e->start_ns + secs_to_ns(dur->total_s);
	for (unsigned i = 0; i < e->n_threads; i++) {
		struct worker *w = &e->workers[i];
		for (unsigned k = 0; k < w->n_users; k++) {
			struct user *u = &w->users[k];
			if (closed_model(e)) {
				u->start_ns += e->start_ns;
				u->stop_ns += e->start_ns;
				heap_set(&w->heap, &u->timer, u->start_ns);
			}
		}
		if (!closed_model(e))
			heap_set(&w->heap, &w->arrival, e->start_ns + secs_to_ns(w->arrival_t));
	}
	for (unsigned i = 0; i < e->n_threads; i++) {
		if (pthread_create(&e->workers[i].thread, NULL, worker_main, &e->workers[i]) != 0) {
			atomic_store(&e->finish, 1);
			rc = lt_err_set(err, LT_EINTERNAL, "cannot start worker thread: %s",
					strerror(errno));
			break;
		}
		e->workers[i].started = true;
	}
	last_sec = (unsigned)ceil(dur->total_s) - 1;
	if (rc == LT_OK) {
		for (sec = 0; sec < last_sec; sec++) {
			/* A few ms of grace so that requests completing right at
			 * the boundary land in their own second. */
			sleep_until(e, e->start_ns + (uint64_t)(sec + 1) * NS_PER_S + 5 * NS_PER_MS);
			if (atomic_load(&e->stop))
				break;
			if ((rc = collect(e, sec, false, &spare)) != LT_OK) {
				lt_err_set(err, rc, "out of memory");
				break;
			}
			if ((rc = emit_sample(e, sec, 1.0, UINT64_MAX, mon, res, err)) != LT_OK)
				break;
			if (atomic_load(&e->stop))
				break;
		}
		if (rc == LT_OK && !atomic_load(&e->stop))
			sleep_until(e, e->end_ns);
	}
	res->interrupted = res->interrupted || atomic_load(&e->stop);
	double length = (double)(lti_mono_ns() - e->start_ns) / 1e9 - sec;
	if (!res->interrupted || length > 1.0)
		length = dur->total_s - sec < 1.0 ? dur->total_s - sec : 1.0;
	if (length <= 0)
		length = 1e-3;
	/* The users of the last second are those active as it ends, before
	 * the drain: afterwards the counters say only who was mid-pause. */
	uint64_t users_at_end = sum_workers(e, offsetof(struct worker, active));
	atomic_store(&e->finish, 1);
	wake_workers(e);
	for (unsigned i = 0; i < e->n_threads; i++)
		if (e->workers[i].started)
			pthread_join(e->workers[i].thread, NULL);
	for (unsigned i = 0; i < e->n_threads; i++)
		if (rc == LT_OK && e->workers[i].rc != LT_OK)
			rc = lt_err_set(err, e->workers[i].rc, "worker %u: %s", i,
					e->workers[i].errmsg[0] ? e->workers[i].errmsg
								: lt_strerror(e->workers[i].rc));
	if (rc != LT_OK)
		goto out;

	/* The last (or interrupted) second takes every late completion. */
	res->aborted = sum_workers(e, offsetof(struct worker, aborted));
	res->dropped = sum_workers(e, offsetof(struct worker, dropped));
	if ((rc = collect(e, sec, true, &spare)) != LT_OK) {
		lt_err_set(err, rc, "out of memory");
		goto out;
	}
	if ((rc = emit_sample(e, sec, length, users_at_end, mon, res, err)) != LT_OK)
		goto out;
	res->requests = e->total_requests;
	res->errors = e->total_errors;
	rc = emit_summary(e, res, err);
out:
	free(spare.v);
	lt_sysmon_free(mon);
	return rc;
}

/* ---- the plan of a run (lt-run --dry-run) ---- */

/* Requests the open model sends in [a, b): the integral of the rate,
 * by the trapezoid rule on 1 ms steps (exact for the linear stages). */
static double arrivals_between(const struct lt_arrival *a, double from, double to)
{
	double sum = 0, step = 0.001;
	for (double t = from; t < to; t += step) {
		double h = t + step > to ? to - t : step;
		sum += (rate_at(a, t) + rate_at(a, t + h)) / 2 * h;
	}
	return sum;
}

cJSON *lt_engine_plan(const struct lt_scenario *sc, unsigned segment_index,
		      unsigned segment_count)
{
	const struct lt_scenario_config *c = &sc->config;
	unsigned seg_i = segment_index ? segment_index : 1;
	unsigned seg_n = segment_count ? segment_count : 1;
	bool closed = c->model == LT_MODEL_CLOSED;
	unsigned n = closed ? (unsigned)c->users.concurrent : 0;
	double think_ms = closed ? lt_engine_think_mean_ms(&c->users.think_time) : 0;
	double total = 0;
	cJSON *plan = cJSON_CreateObject(), *secs, *config = lt_scenario_to_json(sc);

	if (!plan || !config)
		goto fail;
	cJSON_AddStringToObject(plan, "type", "plan");
	cJSON_AddNumberToObject(plan, "v", 1);
	cJSON_AddStringToObject(plan, "scenario_id", sc->id);
	cJSON_AddStringToObject(plan, "model", closed ? "closed" : "open");
	char seg[32];
	snprintf(seg, sizeof seg, "%u/%u", seg_i, seg_n);
	cJSON_AddStringToObject(plan, "segment", seg);
	cJSON_AddNumberToObject(plan, "duration_s", c->duration.total_s);
	if (!(secs = cJSON_AddArrayToObject(plan, "seconds")))
		goto fail;
	for (double t = 0; t < c->duration.total_s; t += 1) {
		cJSON *row = cJSON_CreateObject();
		if (!row)
			goto fail;
		cJSON_AddItemToArray(secs, row);
		cJSON_AddNumberToObject(row, "t", t);
		cJSON_AddStringToObject(row, "phase", phase_of(&c->duration, t));
		if (closed) {
			/* Users of this shard active at the middle of the second. */
			unsigned active = 0;
			double mid = t + 0.5 < c->duration.total_s ? t + 0.5 : t;
			for (unsigned g = seg_i - 1; g < n; g += seg_n) {
				double on = lt_engine_ramp_offset(c->users.ramp_up.strategy,
								  c->users.ramp_up.steps,
								  c->users.ramp_up.duration_s, n, g);
				double off = c->duration.total_s -
					     lt_engine_ramp_offset(c->users.ramp_down.strategy,
								   c->users.ramp_down.steps,
								   c->users.ramp_down.duration_s, n, g);
				active += on <= mid && mid < off;
			}
			cJSON_AddNumberToObject(row, "users", active);
			/* With instant answers each user sends one request per
			 * think time: an upper bound, none without think time. */
			if (think_ms > 0) {
				double e = active * 1000.0 / think_ms;
				cJSON_AddNumberToObject(row, "max_requests", round(e * 10) / 10);
				total += e;
			}
		} else {
			double end = t + 1 < c->duration.total_s ? t + 1 : c->duration.total_s;
			double e = arrivals_between(&c->arrival, t, end) / seg_n;
			cJSON_AddNumberToObject(row, "rate", round(rate_at(&c->arrival, t) / seg_n * 1000) / 1000);
			cJSON_AddNumberToObject(row, "expected_requests", round(e * 10) / 10);
			total += e;
		}
	}
	if (closed && think_ms <= 0)
		cJSON_AddNullToObject(plan, "max_requests");
	else
		cJSON_AddNumberToObject(plan, closed ? "max_requests" : "expected_requests",
					round(total));
	cJSON_AddItemToObject(plan, "config", config);
	return plan;
fail:
	cJSON_Delete(plan);
	cJSON_Delete(config);
	return NULL;
}
