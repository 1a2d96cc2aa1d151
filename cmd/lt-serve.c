/* lt-serve -- the REST API, live WebSocket timeline and dashboard of lt.
 *
 * Options are parsed here and the API is libltcore's (serve.h: routes,
 * checks, runs, everything a request does).  What is left in this file is
 * the glue to civetweb, the HTTP and WebSocket library: it reads each
 * request (the body up to the limit), hands it to lt_serve_handle(),
 * writes the answer back, and keeps the list of WebSocket subscribers
 * that lt_serve broadcasts to.  civetweb is linked by this program
 * only, not by libltcore.
 */
#include "lt.h"
#include "serve.h"
#include "util.h"

#include <civetweb.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
	"usage: lt-serve [<options>]\n"
	"\n"
	"  -l, --listen <addr:port>   where to listen (default " LT_SERVE_DEFAULT_LISTEN ");\n"
	"                             port 0 picks a free one; a non-loopback address\n"
	"                             needs --token-file\n"
	"      --db <path>            the database (default: $LT_DB, else\n"
	"                             ~/.local/share/lt/lt.db)\n"
	"      --token-file <file>    require \"Authorization: Bearer <token>\" on every\n"
	"                             request but /health; the token is the file's first line\n"
	"      --allow-target <host>  runs may only load this host (repeatable; default: any)\n"
	"      --max-runs <n>         load tests at once (default 1, at most 64)\n"
	"      --max-body <bytes>     largest request body (default 1048576; k, M suffixes)\n"
	"  -t, --threads <n>          worker threads per run (default: one per core)\n"
	"      --port-file <file>     write the port listened on to <file>\n"
	"  -q, --quiet                no log lines on stderr\n"
	"  -h, --help                 show this help\n"
	"      --version              show the version\n";

enum { OPT_DB = 256, OPT_TOKEN_FILE, OPT_ALLOW_TARGET, OPT_MAX_RUNS, OPT_MAX_BODY, OPT_PORT_FILE,
       OPT_VERSION };

static const struct option long_opts[] = {
	{"listen", required_argument, NULL, 'l'},
	{"db", required_argument, NULL, OPT_DB},
	{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	{"allow-target", required_argument, NULL, OPT_ALLOW_TARGET},
	{"max-runs", required_argument, NULL, OPT_MAX_RUNS},
	{"max-body", required_argument, NULL, OPT_MAX_BODY},
	{"threads", required_argument, NULL, 't'},
	{"port-file", required_argument, NULL, OPT_PORT_FILE},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/* WebSocket subscribers at most.  civetweb gives each connection a
 * worker thread for as long as it lasts, so subscribers beyond this would
 * starve the REST API of threads (HTTP_THREADS below). */
#define MAX_SUBSCRIBERS 32
#define HTTP_THREADS "64"

struct subscribers {
	pthread_mutex_t mu;
	struct mg_connection *conn[MAX_SUBSCRIBERS];
	size_t n;
};

static struct lt_serve *server;
static struct subscribers subs = {.mu = PTHREAD_MUTEX_INITIALIZER};
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void log_line(const char *line, void *user)
{
	(void)user;
	char now[LTI_TIME_LEN];
	lti_time_format(lti_time_now(), now);
	fprintf(stderr, "lt-serve: %s %s\n", now, line);
}

static void broadcast(const char *text, size_t len, void *user)
{
	(void)user;
	pthread_mutex_lock(&subs.mu);
	for (size_t i = 0; i < subs.n; i++)
		mg_websocket_write(subs.conn[i], MG_WEBSOCKET_OPCODE_TEXT, text, len);
	pthread_mutex_unlock(&subs.mu);
}

static int ws_connect(const struct mg_connection *conn, void *data)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	(void)data;
	if (!lt_serve_ws_allowed(server, mg_get_header(conn, "Authorization"), ri->query_string,
				 mg_get_header(conn, "Host"), mg_get_header(conn, "Origin")))
		return 1;
	pthread_mutex_lock(&subs.mu);
	bool full = subs.n >= MAX_SUBSCRIBERS;
	pthread_mutex_unlock(&subs.mu);
	return full;
}

static void ws_ready(struct mg_connection *conn, void *data)
{
	char *hello = NULL;
	size_t len = 0;
	(void)data;

	/* The hello and the subscription under one lock: no broadcast can
	 * slip between the snapshot and the first live record. */
	pthread_mutex_lock(&subs.mu);
	if (subs.n < MAX_SUBSCRIBERS) {
		subs.conn[subs.n++] = conn;
		lt_serve_ws_count(server, +1);
		if (lt_serve_ws_hello(server, &hello, &len, NULL) == LT_OK)
			mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_TEXT, hello, len);
	}
	pthread_mutex_unlock(&subs.mu);
	free(hello);
}

static int ws_data(struct mg_connection *conn, int bits, char *data, size_t len, void *user)
{
	(void)conn, (void)data, (void)len, (void)user;
	/* Subscribers only listen; a close frame ends the connection. */
	return (bits & 0x0f) != MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE;
}

static void ws_close(const struct mg_connection *conn, void *data)
{
	(void)data;
	pthread_mutex_lock(&subs.mu);
	for (size_t i = 0; i < subs.n; i++)
		if (subs.conn[i] == conn) {
			subs.conn[i] = subs.conn[--subs.n];
			lt_serve_ws_count(server, -1);
			break;
		}
	pthread_mutex_unlock(&subs.mu);
}

/* Read the body, at most max + 1 bytes: one more than allowed says "too
 * large" without reading a hostile gigabyte. */
static char *read_body(struct mg_connection *conn, const struct mg_request_info *ri, size_t max,
		       size_t *len, bool *too_large)
{
	const char *te = mg_get_header(conn, "Transfer-Encoding");
	char *buf;
	int n;

	*len = 0;
	*too_large = false;
	if (ri->content_length > (long long)max) {
		*too_large = true;
		return NULL;
	}
	if (ri->content_length <= 0 && !(te && strcasestr(te, "chunked")))
		return NULL;
	if (!(buf = malloc(max + 2)))
		return NULL;
	while (*len <= max && (n = mg_read(conn, buf + *len, max + 1 - *len)) > 0)
		*len += (size_t)n;
	if (*len > max)
		*too_large = true;
	buf[*len] = '\0';
	return buf;
}

/* Send res, then clear it; its status for civetweb's access log. */
static int send_response(struct mg_connection *conn, const struct mg_request_info *ri,
			 struct lt_serve_response *res)
{
	char clen[32];

	snprintf(clen, sizeof clen, "%zu", res->body_len);
	mg_response_header_start(conn, res->status);
	mg_response_header_add(conn, "Content-Type", res->content_type, -1);
	mg_response_header_add(conn, "Content-Length", clen, -1);
	mg_response_header_add(conn, "Cache-Control", "no-store", -1);
	mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
	/* The page runs its own inline script and talks to its own origin
	 * only; nothing else may be loaded or framed. */
	mg_response_header_add(conn, "Content-Security-Policy",
			       "default-src 'none'; script-src 'unsafe-inline'; style-src "
			       "'unsafe-inline'; connect-src 'self' ws: wss:; img-src data:; "
			       "frame-ancestors 'none'", -1);
	if (res->allow)
		mg_response_header_add(conn, "Allow", res->allow, -1);
	if (res->www_authenticate)
		mg_response_header_add(conn, "WWW-Authenticate", "Bearer realm=\"lt-serve\"", -1);
	mg_response_header_send(conn);
	if (strcmp(ri->request_method, "HEAD") != 0 && res->body_len)
		mg_write(conn, res->body, res->body_len);
	int status = res->status;
	lt_serve_response_clear(res);
	return status;
}

/* Send res for a WebSocket handshake that is refused (or answered as an
 * ordinary request), then clear it.
 * civetweb marks such a connection as WebSocket as soon as it has read
 * the headers, and from then on its mg_response_header_* calls (and its
 * own error pages) write no status line and no headers: so they are
 * written here by hand, and the connection closed after the answer. */
static int send_refusal(struct mg_connection *conn, struct lt_serve_response *res)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	int status = res->status;

	mg_printf(conn,
		  "HTTP/1.1 %d %s\r\n"
		  "Content-Type: %s\r\n"
		  "Content-Length: %zu\r\n"
		  "Cache-Control: no-store\r\n"
		  "X-Content-Type-Options: nosniff\r\n"
		  "%s%s"
		  "Connection: close\r\n\r\n",
		  status, mg_get_response_code_text(conn, status), res->content_type,
		  res->body_len,
		  res->www_authenticate ? "WWW-Authenticate: Bearer realm=\"lt-serve\"\r\n" : "",
		  /* RFC 6455 4.4: a version we do not speak is answered with ours. */
		  status == 426 ? "Sec-WebSocket-Version: 13\r\n" : "");
	if (strcmp(ri->request_method, "HEAD") != 0 && res->body_len)
		mg_write(conn, res->body, res->body_len);
	lt_serve_response_clear(res);
	return status;
}

/* What the library needs of a request but its body (empty here). */
static struct lt_serve_request request_of(struct mg_connection *conn,
					  const struct mg_request_info *ri)
{
	return (struct lt_serve_request){
		.method = ri->request_method,
		.path = ri->local_uri,
		.query = ri->query_string,
		.authorization = mg_get_header(conn, "Authorization"),
		.content_type = mg_get_header(conn, "Content-Type"),
		.host = mg_get_header(conn, "Host"),
		.origin = mg_get_header(conn, "Origin"),
		.body = "",
	};
}

/* Answer an ordinary request; raw: write the status line and headers by
 * hand (send_refusal), for a connection civetweb took for a WebSocket. */
static int answer(struct mg_connection *conn, bool raw)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct lt_serve_response res;
	size_t len;
	bool too_large;

	char *body = read_body(conn, ri, lt_serve_max_body(server), &len, &too_large);
	struct lt_serve_request req = request_of(conn, ri);
	req.body = body ? body : "";
	req.body_len = body ? len : 0;
	req.body_too_large = too_large;
	lt_serve_handle(server, &req, &res);
	free(body);
	return raw ? send_refusal(conn, &res) : send_response(conn, ri, &res);
}

/* Every WebSocket opening handshake comes here first.  civetweb 1.15
 * answers a handshake without a key or with another version than 13 with
 * a bare "Error 400: ..." line and no status line, takes a key of any
 * length (a one-byte key gets 101, a 6000-byte one 500), and closes the
 * connection without a word when ws_connect refuses it.  So the library
 * checks the handshake as it checks every request (token, Host, Origin,
 * then version and key), and anything but a go-ahead is answered here as
 * a proper HTTP response; civetweb only sees handshakes that are good. */
static int on_begin_request(struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	const char *upgrade = mg_get_header(conn, "Upgrade");
	const char *connection = mg_get_header(conn, "Connection");
	const size_t ws_len = strlen(LT_SERVE_WS_PATH);
	struct lt_serve_response res;

	/* civetweb's own test for a WebSocket request. */
	if (!upgrade || !connection || !strcasestr(upgrade, "websocket") ||
	    !strcasestr(connection, "upgrade"))
		return 0;
	/* To another path than the WebSocket's, civetweb would answer a bare
	 * "Error 404" line: it is an ordinary request, the Upgrade ignored
	 * (RFC 9110 7.8 lets a server do so). */
	if (!ri->local_uri || strncmp(ri->local_uri, LT_SERVE_WS_PATH, ws_len) ||
	    (ri->local_uri[ws_len] && ri->local_uri[ws_len] != '/'))
		return answer(conn, true);
	struct lt_serve_request req = request_of(conn, ri);
	req.websocket = true;
	req.ws_version = mg_get_header(conn, "Sec-WebSocket-Version");
	req.ws_key = mg_get_header(conn, "Sec-WebSocket-Key");
	lt_serve_handle(server, &req, &res);
	if (res.status == 101) {
		lt_serve_response_clear(&res);
		pthread_mutex_lock(&subs.mu);
		bool full = subs.n >= MAX_SUBSCRIBERS;
		pthread_mutex_unlock(&subs.mu);
		if (!full)
			return 0;
		static const char busy[] = "{\"error\":\"unavailable\",\"detail\":\"the "
					   "server has its maximum of subscribers\"}";
		res.status = 503;
		res.content_type = "application/json";
		res.body = strdup(busy);
		res.body_len = res.body ? strlen(busy) : 0;
	}
	return send_refusal(conn, &res);
}


static int on_request(struct mg_connection *conn, void *data)
{
	(void)data;
	return answer(conn, false);
}

static bool parse_size(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return false;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	if (*end || v > max)
		return false;
	*out = v;
	return true;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "lt-serve: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see lt-serve --help)\n");
	return 2;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[PATH_MAX];
	FILE *f;

	/* Renamed into place, so a reader never sees half of it. */
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		fprintf(stderr, "lt-serve: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *listen = LT_SERVE_DEFAULT_LISTEN, *token_file = NULL, *port_file = NULL;
	const char *targets[LT_SERVE_MAX_TARGETS];
	struct lt_serve_opts so = {.broadcast = broadcast, .log = log_line};
	struct lt_err err = {0};
	struct mg_context *ctx = NULL;
	char host[128], ports[160], *token = NULL, *bench_target = NULL;
	unsigned port = 0;
	unsigned long long v;
	bool quiet = false;
	int opt, status = 0;

	while ((opt = getopt_long(argc, argv, "l:t:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen = optarg;
			break;
		case OPT_DB:
			so.db_path = optarg;
			break;
		case OPT_TOKEN_FILE:
			token_file = optarg;
			break;
		case OPT_ALLOW_TARGET:
			if (so.n_allow_targets == LT_SERVE_MAX_TARGETS)
				return bad_usage("--allow-target: at most %s hosts", "64");
			targets[so.n_allow_targets++] = optarg;
			break;
		case OPT_MAX_RUNS:
			if (!parse_size(optarg, LT_SERVE_MAX_RUNS, &v) || v == 0)
				return bad_usage("--max-runs: expected 1..64, got '%s'", optarg);
			so.max_runs = (unsigned)v;
			break;
		case OPT_MAX_BODY:
			if (!parse_size(optarg, LT_SERVE_MAX_BODY_LIMIT, &v) || v < 1024)
				return bad_usage("--max-body: expected 1024..64M bytes, got '%s'", optarg);
			so.max_body = (size_t)v;
			break;
		case 't':
			if (!parse_size(optarg, 1024, &v) || v == 0)
				return bad_usage("--threads: expected 1..1024, got '%s'", optarg);
			so.engine_threads = (unsigned)v;
			break;
		case OPT_PORT_FILE:
			port_file = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case OPT_VERSION:
			printf("lt-serve %s\n", LT_VERSION);
			return 0;
		default:
			fputs("(see lt-serve --help)\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	so.allow_targets = targets;
	if (quiet)
		so.log = NULL;
	if (token_file && lt_serve_read_token(token_file, &token, &err) != LT_OK) {
		fprintf(stderr, "lt-serve: --token-file: %s\n", lt_errmsg(&err));
		return 2;
	}
	so.token = token;
	if (lt_serve_listen_check(listen, token != NULL, host, sizeof host, &port, &err) != LT_OK) {
		fprintf(stderr, "lt-serve: %s\n", lt_errmsg(&err));
		status = 2;
		goto out;
	}
	so.bench_target = bench_target = lti_find_target();
	if (lt_serve_new(&so, &server, &err) != LT_OK) {
		fprintf(stderr, "lt-serve: %s\n", lt_errmsg(&err));
		status = lt_rc_exit_status(err.rc);
		goto out;
	}

	snprintf(ports, sizeof ports, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	/* Cross-origin headers off (civetweb's default is "*"): the page is
	 * served from the API's own origin and nothing else may read it. */
	const char *options[] = {
		"listening_ports", ports,
		"num_threads", HTTP_THREADS,
		"connection_queue", "512",
		"listen_backlog", "1024",
		"request_timeout_ms", "30000",
		"websocket_timeout_ms", "3600000",
		"enable_websocket_ping_pong", "yes",
		"access_control_allow_origin", "",
		"access_control_allow_methods", "",
		"access_control_allow_headers", "",
		NULL,
	};
	struct mg_callbacks callbacks;
	memset(&callbacks, 0, sizeof callbacks);
	callbacks.begin_request = on_begin_request;
	mg_init_library(0);
	if (!(ctx = mg_start(&callbacks, NULL, options))) {
		fprintf(stderr, "lt-serve: cannot listen on %s (in use, or not an address of this "
				"host)\n", ports);
		status = 3;
		goto out;
	}
	mg_set_request_handler(ctx, "/", on_request, NULL);
	mg_set_websocket_handler(ctx, LT_SERVE_WS_PATH, ws_connect, ws_ready, ws_data, ws_close, NULL);
	struct mg_server_port sp[4];
	if (mg_get_server_ports(ctx, 4, sp) < 1) {
		fprintf(stderr, "lt-serve: cannot read the port listened on\n");
		status = 3;
		goto out;
	}
	port = (unsigned)sp[0].port;
	if (port_file && write_port_file(port_file, port) != 0) {
		status = 3;
		goto out;
	}
	printf(strchr(host, ':') ? "listening [%s]:%u\n" : "listening %s:%u\n", host, port);
	fflush(stdout);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!stop_signal) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (!quiet)
		fprintf(stderr, "lt-serve: stopping (%s)\n", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	/* Runs first, so they end with their summaries recorded; then the
	 * HTTP side; then the work threads are joined. */
	lt_serve_stop_all(server);
	mg_stop(ctx);
	ctx = NULL;
	/* civetweb closed every connection: nobody is left to write to. */
	pthread_mutex_lock(&subs.mu);
	subs.n = 0;
	pthread_mutex_unlock(&subs.mu);
	status = stop_signal == SIGINT ? 130 : 0;
out:
	if (ctx)
		mg_stop(ctx);
	subs.n = 0;
	lt_serve_free(server);
	free(bench_target);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	return status;
}
