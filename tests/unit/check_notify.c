/* check_notify.c -- targets, payloads and the three transports of notify.
 *
 * HTTP goes to a receiver this file runs on 127.0.0.1 (a thread that
 * accepts, reads one request per connection, keeps it and answers with
 * the status the test chose); e-mail goes to small sendmail stand-ins
 * written into a temporary directory and named by $LT_SENDMAIL.  Nothing
 * leaves the loopback interface.
 */
#include "unit.h"
#include "lt.h"
#include "ndjson.h"
#include "notify.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Fixture: no proxy may turn a loopback request into something else. */

static void setup(void)
{
	static const char *const vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
		"HTTPS_PROXY", "all_proxy", "ALL_PROXY", "LT_SENDMAIL", "LT_MAIL_FROM"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
}

static void teardown(void)
{
}

/* ---------------------------------------------------------------------- */
/* A one-request-per-connection HTTP receiver on 127.0.0.1. */

#define RECV_MAX 8

struct receiver {
	int fd, port;
	int statuses[RECV_MAX];    /* answer to request i; the last repeats */
	int n_statuses;
	const char *retry_after;   /* a Retry-After header value, or NULL */
	atomic_int stop;
	pthread_t thread;
	pthread_mutex_t lock;
	int count;                 /* requests received */
	char method[RECV_MAX][16], path[RECV_MAX][256], content_type[RECV_MAX][128];
	char *body[RECV_MAX];
};

static bool read_request(int c, struct receiver *r)
{
	char head[16384];
	size_t len = 0, content_length = 0;
	char *end = NULL, *p;
	int i = r->count;

	while (!end) {
		struct pollfd pfd = {c, POLLIN, 0};
		if (len + 1 >= sizeof head || poll(&pfd, 1, 5000) <= 0)
			return false;
		ssize_t n = read(c, head + len, sizeof head - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		head[len] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	*end = '\0';
	sscanf(head, "%15s %255s", r->method[i], r->path[i]);
	for (p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			content_length = strtoul(p + 17, NULL, 10);
		if (strncasecmp(p + 2, "Content-Type:", 13) == 0)
			sscanf(p + 15, " %127[^\r]", r->content_type[i]);
	}
	size_t have = len - (size_t)(end + 4 - head);
	char *body = malloc(content_length + 1);
	if (!body)
		return false;
	memcpy(body, end + 4, have < content_length ? have : content_length);
	while (have < content_length) {
		struct pollfd pfd = {c, POLLIN, 0};
		if (poll(&pfd, 1, 5000) <= 0)
			break;
		ssize_t n = read(c, body + have, content_length - have);
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	body[have < content_length ? have : content_length] = '\0';
	r->body[i] = body;
	return true;
}

static void *receiver_main(void *arg)
{
	struct receiver *r = arg;

	while (!atomic_load(&r->stop)) {
		struct pollfd pfd = {r->fd, POLLIN, 0};
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		int c = accept(r->fd, NULL, NULL);
		if (c < 0)
			continue;
		pthread_mutex_lock(&r->lock);
		if (r->count < RECV_MAX && read_request(c, r)) {
			int status = r->statuses[r->count < r->n_statuses ? r->count
								   : r->n_statuses - 1];
			char answer[512], body[64];
			snprintf(body, sizeof body, "{\"status\":%d}", status);
			snprintf(answer, sizeof answer, "HTTP/1.1 %d X\r\nContent-Type: "
				 "application/json\r\nContent-Length: %zu\r\n%s%s%s"
				 "Connection: close\r\n\r\n%s", status, strlen(body),
				 r->retry_after ? "Retry-After: " : "",
				 r->retry_after ? r->retry_after : "",
				 r->retry_after ? "\r\n" : "", body);
			r->count++;
			if (write(c, answer, strlen(answer)) < 0)
				perror("receiver write");
		}
		pthread_mutex_unlock(&r->lock);
		close(c);
	}
	return NULL;
}

/* A listening socket on 127.0.0.1 with a free port; no thread. */
static int listen_local(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void receiver_start(struct receiver *r, int n_statuses, const int *statuses)
{
	memset(r, 0, sizeof *r);
	r->fd = listen_local(&r->port);
	r->n_statuses = n_statuses;
	memcpy(r->statuses, statuses, sizeof *statuses * (size_t)n_statuses);
	pthread_mutex_init(&r->lock, NULL);
	ck_assert_int_eq(pthread_create(&r->thread, NULL, receiver_main, r), 0);
}

/* Stop listening; what was received stays until receiver_free. */
static void receiver_stop(struct receiver *r)
{
	atomic_store(&r->stop, 1);
	pthread_join(r->thread, NULL);
	close(r->fd);
	pthread_mutex_destroy(&r->lock);
}

static void receiver_free(struct receiver *r)
{
	for (int i = 0; i < RECV_MAX; i++)
		free(r->body[i]);
}

/* A port on 127.0.0.1 where nothing listens. */
static int closed_port(void)
{
	int port, fd = listen_local(&port);
	close(fd);
	return port;
}

static struct lt_notify_target *target(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static struct lt_notify_target *target(const char *fmt, ...)
{
	char spec[512];
	struct lt_notify_target *t = NULL;
	struct lt_err err = {0};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(spec, sizeof spec, fmt, ap);
	va_end(ap);
	ck_assert_msg(lt_notify_target_parse(spec, &t, &err) == LT_OK, "%s: %s",
		      spec, lt_errmsg(&err));
	return t;
}

/* ---------------------------------------------------------------------- */
/* Events used by several tests */

static cJSON *alert(const char *metric, double base, double cur, double pct,
		    double p, const char *method)
{
	struct lt_ndjson_alert in = {
		.alert_id = "a-1", .scenario_id = "checkout", .run_id = "r1",
		.metric = metric, .baseline = base, .current = cur, .change_pct = pct,
		.p_value = p, .method = method, .severity = "critical",
		.message = "slower",
	};
	cJSON *out = NULL;
	struct lt_err err = {0};
	ck_assert_msg(lt_ndjson_build_alert(&in, &out, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	return out;
}

static cJSON *two_alerts(void)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, alert("responseTime.p95", 120.4, 180.2, 49.7, 0.0012, "welch"));
	cJSON_AddItemToArray(a, alert("errorRate", 0.1, 2, 1900, -1, "threshold"));
	return a;
}

static struct lt_notify_event regression_event(const cJSON *alerts)
{
	return (struct lt_notify_event){
		.kind = LT_NOTIFY_REGRESSION, .severity = LT_NOTIFY_CRITICAL,
		.title = "checkout: p95 +49.7 %",
		.text = "Compared with baseline 1.0.0 (staging).",
		.link = "https://ci.example.com/job/42?a=1&b=2",
		.alerts = alerts, .event_id = "e-1", .time = 1795748264.123,
	};
}

/* ---------------------------------------------------------------------- */
/* Targets */

START_TEST(test_parse_kinds)
{
	struct lt_notify_target *t;

	t = target("console");
	ck_assert_int_eq(lt_notify_target_kind(t), LT_NOTIFY_CONSOLE);
	ck_assert_ptr_null(lt_notify_target_address(t));
	ck_assert_str_eq(lt_notify_target_name(t), "console");
	lt_notify_target_free(t);

	t = target("webhook:https://bot:s3cret@ci.example.com:8443/hooks/lt?token=x#f");
	ck_assert_int_eq(lt_notify_target_kind(t), LT_NOTIFY_WEBHOOK);
	ck_assert_str_eq(lt_notify_target_address(t),
			 "https://bot:s3cret@ci.example.com:8443/hooks/lt?token=x#f");
	ck_assert_str_eq(lt_notify_target_name(t),
			 "webhook:https://ci.example.com:8443/hooks/lt?...");
	lt_notify_target_free(t);

	t = target("webhook:http://127.0.0.1:9/");
	ck_assert_str_eq(lt_notify_target_name(t), "webhook:http://127.0.0.1:9/");
	lt_notify_target_free(t);

	t = target("slack:https://hooks.slack.com/services/T000/B000/XXXX");
	ck_assert_int_eq(lt_notify_target_kind(t), LT_NOTIFY_SLACK);
	ck_assert_str_eq(lt_notify_target_address(t),
			 "https://hooks.slack.com/services/T000/B000/XXXX");
	ck_assert_str_eq(lt_notify_target_name(t), "slack:https://hooks.slack.com/...");
	lt_notify_target_free(t);

	t = target("email:ops+lt@mail.example.org");
	ck_assert_int_eq(lt_notify_target_kind(t), LT_NOTIFY_EMAIL);
	ck_assert_str_eq(lt_notify_target_address(t), "ops+lt@mail.example.org");
	ck_assert_str_eq(lt_notify_target_name(t), "email:ops+lt@mail.example.org");
	lt_notify_target_free(t);

	t = target("email:root");
	ck_assert_str_eq(lt_notify_target_address(t), "root");
	lt_notify_target_free(t);

	ck_assert_str_eq(lt_notify_kind_name(LT_NOTIFY_SLACK), "slack");
	ck_assert_ptr_null(lt_notify_kind_name((enum lt_notify_kind)0));
	ck_assert_str_eq(lt_notify_event_kind_name(LT_NOTIFY_EXECUTION_RECOVERED),
			 "execution_recovered");
	ck_assert_str_eq(lt_notify_severity_name(LT_NOTIFY_WARNING), "warning");
	lt_notify_target_free(NULL);
}
END_TEST

static const struct {
	const char *spec;
	lt_rc rc;
	const char *msg;
} bad_specs[] = {
	{"", LT_EINVAL, "notify: \"\": empty target (expected console, webhook:URL, slack:URL or email:ADDR)"},
	{"webhok:http://x", LT_EINVAL, "notify: \"webhok:http://x\": unknown kind \"webhok\" (expected console, webhook, slack or email)"},
	{"Console", LT_EINVAL, "notify: \"Console\": unknown kind \"Console\" (expected console, webhook, slack or email)"},
	{"http://x/hook", LT_EINVAL, "notify: \"http://x/hook\": unknown kind \"http\" (expected console, webhook, slack or email; write webhook:URL or slack:URL)"},
	{"console:x", LT_EINVAL, "notify: \"console:x\": console takes no address"},
	{"console:", LT_EINVAL, "notify: \"console:\": console takes no address"},
	{"webhook", LT_EINVAL, "notify: \"webhook\": webhook needs a URL (webhook:URL)"},
	{"slack:", LT_EINVAL, "notify: \"slack:\": slack needs a URL (slack:URL)"},
	{"email", LT_EINVAL, "notify: \"email\": email needs an address (email:ADDR)"},
	{"webhook:ftp://x/y", LT_EINVAL, "notify: \"webhook:ftp://x/y\": URL must start with http:// or https://"},
	{"slack:hooks.slack.com/services/x", LT_EINVAL, "notify: \"slack:hooks.slack.com/services/x\": URL must start with http:// or https://"},
	{"webhook:file:///etc/passwd", LT_EINVAL, "notify: \"webhook:file:///etc/passwd\": URL must start with http:// or https://"},
	{"webhook:http://a b/", LT_EINVAL, "notify: \"webhook:http://a b/\": URL must be ASCII without spaces or control characters"},
	{"webhook:http://x/\n", LT_EINVAL, "notify: \"webhook:http://x/\\x0a\": URL must be ASCII without spaces or control characters"},
	{"webhook:http://", LT_EINVAL, "notify: \"webhook:http://\": URL has no host"},
	{"webhook:http://x:99999/", LT_EINVAL, "notify: \"webhook:http://x:99999/\": URL has a bad port number"},
	{"webhook:http://x:0/", LT_EINVAL, "notify: \"webhook:http://x:0/\": URL has a bad port number"},
	{"webhook:http://[x/", LT_EINVAL, "notify: \"webhook:http://[x/\": URL is not valid"},
	{"email:a;b@x", LT_EINVAL, "notify: \"email:a;b@x\": address \"a;b@x\": character ';' is not allowed (letters, digits and . _ + - = only)"},
	{"email:a b@x", LT_EINVAL, "notify: \"email:a b@x\": address \"a b@x\": character \\x20 is not allowed (letters, digits and . _ + - = only)"},
	{"email:$(reboot)@x", LT_EINVAL, "notify: \"email:$(reboot)@x\": address \"$(reboot)@x\": character '$' is not allowed (letters, digits and . _ + - = only)"},
	{"email:a@x\nBcc: b@y", LT_EINVAL, "notify: \"email:a@x\\x0aBcc: b@y\": address \"a@x\\x0aBcc: b@y\": character \\x0a is not allowed (letters, digits and . _ + - = only)"},
	{"email:a@x,b@y", LT_EINVAL, "notify: \"email:a@x,b@y\": address \"a@x,b@y\": character ',' is not allowed (letters, digits and . _ + - = only)"},
	{"email:@x", LT_EINVAL, "notify: \"email:@x\": address \"@x\": empty name before \"@\""},
	{"email:a@", LT_EINVAL, "notify: \"email:a@\": address \"a@\": empty domain after \"@\""},
	{"email:a@b@c", LT_EINVAL, "notify: \"email:a@b@c\": address \"a@b@c\": more than one \"@\""},
	{"email:-a", LT_EINVAL, "notify: \"email:-a\": address \"-a\": must not start with \"-\" or \".\""},
	{"email:.a@x", LT_EINVAL, "notify: \"email:.a@x\": address \".a@x\": must not start with \"-\" or \".\""},
	{"email:a..b", LT_EINVAL, "notify: \"email:a..b\": address \"a..b\": empty part between dots"},
	{"email:a@x.", LT_EINVAL, "notify: \"email:a@x.\": address \"a@x.\": empty part between dots"},
	{"email:a@-x.org", LT_EINVAL, "notify: \"email:a@-x.org\": address \"a@-x.org\": a domain label must not start or end with \"-\""},
	{"email:a@x_y.org", LT_EINVAL, "notify: \"email:a@x_y.org\": address \"a@x_y.org\": character '_' is not allowed in the domain (letters, digits, - and dots only)"},
	{"email:\xc3\xa9@x", LT_EINVAL, "notify: \"email:\\xc3\\xa9@x\": address \"\\xc3\\xa9@x\": character \\xc3 is not allowed (letters, digits and . _ + - = only)"},
};

START_TEST(test_parse_errors)
{
	for (size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++) {
		struct lt_notify_target *t = (struct lt_notify_target *)&t;
		struct lt_notify_target *before = t;
		struct lt_err err = {0};
		lt_rc rc = lt_notify_target_parse(bad_specs[i].spec, &t, &err);
		ck_assert_msg(rc == bad_specs[i].rc, "%s: rc %d", bad_specs[i].spec, rc);
		ck_assert_str_eq(lt_errmsg(&err), bad_specs[i].msg);
		ck_assert_ptr_eq(t, before);
	}
}
END_TEST

START_TEST(test_parse_limits)
{
	char spec[LT_NOTIFY_MAX_SPEC + 2], addr[300];
	struct lt_notify_target *t = NULL;
	struct lt_err err = {0};

	memset(spec, 'a', sizeof spec - 1);
	spec[sizeof spec - 1] = '\0';
	ck_assert_int_eq(lt_notify_target_parse(spec, &t, &err), LT_ELIMIT);
	ck_assert_str_eq(lt_errmsg(&err), "notify: target longer than 2048 bytes");

	memset(addr, 'a', 270);
	memcpy(addr, "email:", 6);
	addr[270] = '\0';
	ck_assert_int_eq(lt_notify_target_parse(addr, &t, &err), LT_ELIMIT);
	ck_assert(strstr(lt_errmsg(&err), "...\": address longer than 254 bytes") != NULL);

	/* A long spec is quoted in part only. */
	char longkind[400];
	memset(longkind, 'k', 300);
	strcpy(longkind + 300, ":x");
	ck_assert_int_eq(lt_notify_target_parse(longkind, &t, &err), LT_EINVAL);
	ck_assert(strlen(lt_errmsg(&err)) < 600);
	ck_assert_ptr_null(t);

	/* Without an err the code still says what. */
	ck_assert_int_eq(lt_notify_target_parse("nope", &t, NULL), LT_EINVAL);
	ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_targets_from_json)
{
	struct lt_notify_target **list = NULL;
	struct lt_err err = {0};
	size_t n = 99;
	cJSON *v;

	v = cJSON_Parse("[\"console\",\"email:ops@example.org\",\"slack:https://h/x\"]");
	ck_assert_int_eq(lt_notify_targets_from_json(v, NULL, &list, &n, &err), LT_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(lt_notify_target_kind(list[2]), LT_NOTIFY_SLACK);
	lt_notify_targets_free(list, n);
	cJSON_Delete(v);

	v = cJSON_Parse("\"webhook:http://127.0.0.1:1/x\"");
	ck_assert_int_eq(lt_notify_targets_from_json(v, NULL, &list, &n, &err), LT_OK);
	ck_assert_uint_eq(n, 1);
	lt_notify_targets_free(list, n);
	cJSON_Delete(v);

	v = cJSON_Parse("[]");
	ck_assert_int_eq(lt_notify_targets_from_json(v, NULL, &list, &n, &err), LT_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(list);
	cJSON_Delete(v);

	list = (struct lt_notify_target **)&v;
	n = 7;
	v = cJSON_Parse("[\"console\",\"webhok:http://x\"]");
	ck_assert_int_eq(lt_notify_targets_from_json(v, "s.json: notify", &list, &n, &err),
			 LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "s.json: notify[1]: \"webhok:http://x\": unknown "
			 "kind \"webhok\" (expected console, webhook, slack or email)");
	ck_assert_ptr_eq(list, (struct lt_notify_target **)&v);
	ck_assert_uint_eq(n, 7);
	cJSON_Delete(v);

	v = cJSON_Parse("\"webhok:x\"");
	ck_assert_int_eq(lt_notify_targets_from_json(v, NULL, &list, &n, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "notify: \"webhok:x\": unknown kind \"webhok\" "
			 "(expected console, webhook, slack or email)");
	cJSON_Delete(v);

	v = cJSON_Parse("[\"console\", 3]");
	ck_assert_int_eq(lt_notify_targets_from_json(v, NULL, &list, &n, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "notify[1]: expected a string, got a number");
	cJSON_Delete(v);

	v = cJSON_Parse("{\"a\":1}");
	ck_assert_int_eq(lt_notify_targets_from_json(v, NULL, &list, &n, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "notify: expected a string or an array of "
			 "strings, got an object");
	cJSON_Delete(v);

	v = cJSON_CreateArray();
	for (int i = 0; i <= LT_NOTIFY_MAX_TARGETS; i++)
		cJSON_AddItemToArray(v, cJSON_CreateString("console"));
	ck_assert_int_eq(lt_notify_targets_from_json(v, NULL, &list, &n, &err), LT_ELIMIT);
	ck_assert_str_eq(lt_errmsg(&err), "notify: more than 64 targets");
	cJSON_Delete(v);
	lt_notify_targets_free(NULL, 0);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Payloads */

START_TEST(test_event_checked)
{
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "hello"};
	struct lt_err err = {0};
	char *out = (char *)"unchanged";
	cJSON *obj = cJSON_CreateObject();

	ev.title = NULL;
	ck_assert_int_eq(lt_notify_format_text(&ev, &out, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "event: title is missing");
	ev.title = "hello";
	ev.kind = 0;
	ck_assert_int_eq(lt_notify_webhook_json(&ev, &out, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "event: kind 0 is not an event kind");
	ev.kind = LT_NOTIFY_TEST;
	ev.severity = 9;
	ck_assert_int_eq(lt_notify_slack_json(&ev, &out, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "event: severity 9 is not a severity");
	ev.severity = LT_NOTIFY_INFO;
	ev.text = "bad \xff";
	ck_assert_int_eq(lt_notify_format_text(&ev, &out, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "event: text is not valid UTF-8");
	ev.text = NULL;
	ev.alerts = obj;
	ck_assert_int_eq(lt_notify_format_text(&ev, &out, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "event: alerts: expected an array, got an object");
	ck_assert_str_eq(out, "unchanged");
	ev.alerts = NULL;
	ev.execution = obj;
	ck_assert_int_eq(lt_notify_format_text(&ev, &out, &err), LT_OK);
	ck_assert_str_eq(out, "test (info): hello\n");
	free(out);
	cJSON_Delete(obj);
}
END_TEST

START_TEST(test_format_text)
{
	cJSON *alerts = two_alerts();
	struct lt_notify_event ev = regression_event(alerts);
	struct lt_err err = {0};
	char *out = NULL;

	ck_assert_int_eq(lt_notify_format_text(&ev, &out, &err), LT_OK);
	ck_assert_str_eq(out,
		"regression (critical): checkout: p95 +49.7 %\n"
		"scenario: checkout\n"
		"run: r1\n"
		"alerts:\n"
		"  responseTime.p95: 120.4 ms -> 180.2 ms (+49.7 %), critical, welch p=0.0012\n"
		"  errorRate: 0.1 % -> 2 % (+1900.0 %), critical, threshold\n"
		"\n"
		"Compared with baseline 1.0.0 (staging).\n"
		"\n"
		"link: https://ci.example.com/job/42?a=1&b=2\n");
	free(out);
	cJSON_Delete(alerts);

	/* An execution: ids from the record, a title on one line. */
	cJSON *x = cJSON_Parse("{\"type\":\"execution\",\"v\":1,\"execution_id\":\"x1\","
			       "\"schedule\":\"nightly\",\"scenario_id\":\"search\","
			       "\"started_at\":\"2026-11-27T02:00:00Z\",\"status\":\"failed\","
			       "\"attempt\":3,\"exit_code\":3,\"run_id\":null}");
	struct lt_notify_event fail = {
		.kind = LT_NOTIFY_EXECUTION_FAILED, .severity = LT_NOTIFY_WARNING,
		.title = "nightly\nfailed", .execution = x,
	};
	ck_assert_int_eq(lt_notify_format_text(&fail, &out, &err), LT_OK);
	ck_assert_str_eq(out,
		"execution failed (warning): nightly failed\n"
		"scenario: search\n"
		"execution: schedule nightly, status failed, attempt 3, exit code 3\n");
	free(out);
	cJSON_Delete(x);
}
END_TEST

START_TEST(test_webhook_json)
{
	cJSON *alerts = two_alerts();
	struct lt_notify_event ev = regression_event(alerts);
	struct lt_err err = {0};
	char *out = NULL;
	cJSON *o;

	ck_assert_int_eq(lt_notify_webhook_json(&ev, &out, &err), LT_OK);
	ck_assert_ptr_null(strchr(out, '\n'));
	ck_assert_ptr_nonnull(o = cJSON_Parse(out));
	ck_assert_str_eq(lt_ndjson_get_str(o, "event"), "regression");
	ck_assert_str_eq(lt_ndjson_get_str(o, "event_id"), "e-1");
	ck_assert_str_eq(lt_ndjson_get_str(o, "severity"), "critical");
	ck_assert_str_eq(lt_ndjson_get_str(o, "title"), "checkout: p95 +49.7 %");
	ck_assert_str_eq(lt_ndjson_get_str(o, "text"), "Compared with baseline 1.0.0 (staging).");
	ck_assert_str_eq(lt_ndjson_get_str(o, "scenario_id"), "checkout");
	ck_assert_str_eq(lt_ndjson_get_str(o, "run_id"), "r1");
	ck_assert_str_eq(lt_ndjson_get_str(o, "alerts[1].metric"), "errorRate");
	ck_assert_str_eq(lt_ndjson_get_str(o, "alerts[0].alert_id"), "a-1");
	ck_assert(cJSON_IsNull(lt_ndjson_get(o, "execution")));
	ck_assert_str_eq(lt_ndjson_get_str(o, "link"), "https://ci.example.com/job/42?a=1&b=2");
	ck_assert_str_eq(lt_ndjson_get_str(o, "sent_at"), "2026-11-27T02:57:44.123Z");
	ck_assert_str_eq(lt_ndjson_get_str(o, "source"), "lt " LT_VERSION);
	ck_assert_ptr_nonnull(lt_ndjson_get_str(o, "host"));
	double v = 0;
	ck_assert(lt_ndjson_get_num(o, "v", &v));
	ck_assert_double_eq(v, 1);
	/* The alerts travel as the records they are. */
	enum lt_ndjson_type type;
	ck_assert_int_eq(lt_ndjson_validate(lt_ndjson_get(o, "alerts[0]"), &type, &err), LT_OK);
	ck_assert_int_eq(type, LT_NDJSON_ALERT);
	cJSON_Delete(o);
	free(out);

	/* Absent parts are null, not missing. */
	struct lt_notify_event bare = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				       .title = "t"};
	ck_assert_int_eq(lt_notify_webhook_json(&bare, &out, &err), LT_OK);
	o = cJSON_Parse(out);
	ck_assert(cJSON_IsNull(lt_ndjson_get(o, "text")));
	ck_assert(cJSON_IsNull(lt_ndjson_get(o, "scenario_id")));
	ck_assert(cJSON_IsNull(lt_ndjson_get(o, "event_id")));
	ck_assert(cJSON_IsArray(lt_ndjson_get(o, "alerts")));
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(o, "alerts")), 0);
	double t;
	ck_assert(lt_ndjson_get_time(o, "sent_at", &t));
	ck_assert(t > 1.7e9);
	cJSON_Delete(o);
	free(out);
	cJSON_Delete(alerts);
}
END_TEST

/* Characters of a UTF-8 string. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

START_TEST(test_slack_json)
{
	cJSON *alerts = two_alerts();
	struct lt_notify_event ev = regression_event(alerts);
	struct lt_err err = {0};
	char *out = NULL;
	cJSON *o;

	ev.text = "p95 <300 ms & rising > before";
	ck_assert_int_eq(lt_notify_slack_json(&ev, &out, &err), LT_OK);
	ck_assert_ptr_nonnull(o = cJSON_Parse(out));
	ck_assert_str_eq(lt_ndjson_get_str(o, "text"), "[critical] checkout: p95 +49.7 %");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[0].type"), "header");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[0].text.type"), "plain_text");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[0].text.text"),
			 ":rotating_light: checkout: p95 +49.7 %");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[1].type"), "section");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[1].text.type"), "mrkdwn");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[1].text.text"),
			 "*Regression* (critical)\np95 &lt;300 ms &amp; rising &gt; before");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[2].fields[0].text"), "*Scenario*\ncheckout");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[2].fields[1].text"), "*Run*\nr1");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[3].fields[0].text"),
			 "*responseTime.p95* (critical)\n120.4 ms \xe2\x86\x92 180.2 ms (+49.7 %)\nwelch p=0.0012");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[3].fields[1].text"),
			 "*errorRate* (critical)\n0.1 % \xe2\x86\x92 2 % (+1900.0 %)\nthreshold");
	ck_assert_str_eq(lt_ndjson_get_str(o, "blocks[4].type"), "context");
	const char *ctx = lt_ndjson_get_str(o, "blocks[4].elements[0].text");
	ck_assert_ptr_nonnull(ctx);
	ck_assert(strncmp(ctx, "lt " LT_VERSION " on ", 9) == 0);
	ck_assert(strstr(ctx, " \xc2\xb7 2026-11-27T02:57:44.123Z \xc2\xb7 "
			 "<https://ci.example.com/job/42?a=1&amp;b=2|details>") != NULL);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(o, "blocks")), 5);
	cJSON_Delete(o);
	free(out);
	cJSON_Delete(alerts);
}
END_TEST

START_TEST(test_slack_limits)
{
	char title[400], *text, *out = NULL;
	struct lt_err err = {0};
	cJSON *alerts = cJSON_CreateArray(), *o;

	for (int i = 0; i < 45; i++)
		cJSON_AddItemToArray(alerts, alert("responseTime.p99", 100, 150, 50, 0.01, "welch"));
	/* 200 characters, some of two bytes: cut by characters, not bytes. */
	for (int i = 0; i < 200; i++)
		title[i] = 'a';
	memcpy(title + 100, "\xc3\xa9\xc3\xa9", 4);
	title[200] = '\0';
	text = malloc(5001);
	memset(text, '<', 5000);
	text[5000] = '\0';
	struct lt_notify_event ev = {.kind = LT_NOTIFY_REGRESSION,
				     .severity = LT_NOTIFY_WARNING, .title = title,
				     .text = text, .alerts = alerts};

	ck_assert_int_eq(lt_notify_slack_json(&ev, &out, &err), LT_OK);
	ck_assert_ptr_nonnull(o = cJSON_Parse(out));
	const char *header = lt_ndjson_get_str(o, "blocks[0].text.text");
	ck_assert_uint_le(chars(header), 150);
	ck_assert(strncmp(header, ":warning: aaa", 13) == 0);
	ck_assert(strcmp(header + strlen(header) - 3, "\xe2\x80\xa6") == 0);
	const char *section = lt_ndjson_get_str(o, "blocks[1].text.text");
	ck_assert_uint_le(chars(section), 3000);
	ck_assert(strstr(section, "&lt;&lt;") != NULL);
	ck_assert(strcmp(section + strlen(section) - 3, "\xe2\x80\xa6") == 0);
	/* Header, text, the ids (from the first alert), 40 alerts in four
	 * sections of ten, and the context counting the rest. */
	int n = cJSON_GetArraySize(lt_ndjson_get(o, "blocks"));
	ck_assert_int_eq(n, 1 + 1 + 1 + 4 + 1);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(o, "blocks[2].fields")), 2);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(o, "blocks[3].fields")), 10);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(o, "blocks[6].fields")), 10);
	ck_assert(strstr(lt_ndjson_get_str(o, "blocks[7].elements[0].text"),
			 "5 more alerts not shown") != NULL);
	cJSON_Delete(o);
	free(out);
	free(text);
	cJSON_Delete(alerts);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Console */

START_TEST(test_console)
{
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "does it work?", .run_id = "r9"};
	struct lt_notify_options opts = {0};
	struct lt_notify_result r;
	struct lt_notify_target *t = target("console");
	char buf[256] = "";
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_EUSAGE);
	ck_assert_str_eq(lt_errmsg(&r.err), "console: no stream to write to (the "
			 "program gave none)");
	opts.console = f;
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_OK);
	ck_assert_str_eq(r.target, "console");
	ck_assert_uint_eq(r.attempts, 1);
	rewind(f);
	ck_assert_uint_gt(fread(buf, 1, sizeof buf - 1, f), 0);
	ck_assert_str_eq(buf, "test (info): does it work?\nrun: r9\n");
	fclose(f);
	lt_notify_target_free(t);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* HTTP */

START_TEST(test_webhook_post)
{
	static const int ok[] = {200};
	struct receiver rx;
	cJSON *alerts = two_alerts();
	struct lt_notify_event ev = regression_event(alerts);
	struct lt_notify_result r;
	struct lt_notify_target *t;
	cJSON *body;

	receiver_start(&rx, 1, ok);
	t = target("webhook:http://127.0.0.1:%d/hooks/lt", rx.port);
	ev.event_id = NULL;
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_OK);
	ck_assert_int_eq(r.err.rc, LT_OK);
	ck_assert_str_eq(lt_errmsg(&r.err), "success");
	ck_assert_uint_eq(r.attempts, 1);
	ck_assert_int_eq(r.http_status, 200);
	receiver_stop(&rx);
	ck_assert_int_eq(rx.count, 1);
	ck_assert_str_eq(rx.method[0], "POST");
	ck_assert_str_eq(rx.path[0], "/hooks/lt");
	ck_assert_str_eq(rx.content_type[0], "application/json");
	ck_assert_ptr_nonnull(body = cJSON_Parse(rx.body[0]));
	ck_assert_str_eq(lt_ndjson_get_str(body, "event"), "regression");
	ck_assert_str_eq(lt_ndjson_get_str(body, "severity"), "critical");
	ck_assert_str_eq(lt_ndjson_get_str(body, "title"), "checkout: p95 +49.7 %");
	ck_assert_str_eq(lt_ndjson_get_str(body, "scenario_id"), "checkout");
	ck_assert_str_eq(lt_ndjson_get_str(body, "run_id"), "r1");
	ck_assert_str_eq(lt_ndjson_get_str(body, "alerts[0].metric"), "responseTime.p95");
	ck_assert_str_eq(lt_ndjson_get_str(body, "sent_at"), "2026-11-27T02:57:44.123Z");
	/* send made an event id: a UUID. */
	ck_assert_uint_eq(strlen(lt_ndjson_get_str(body, "event_id")), 36);
	cJSON_Delete(body);
	receiver_free(&rx);
	lt_notify_target_free(t);
	cJSON_Delete(alerts);
}
END_TEST

START_TEST(test_slack_post)
{
	static const int ok[] = {200};
	struct receiver rx;
	cJSON *x = cJSON_Parse("{\"type\":\"execution\",\"v\":1,\"execution_id\":\"x2\","
			       "\"schedule\":\"nightly\",\"scenario_id\":\"search\","
			       "\"status\":\"success\",\"attempt\":1,\"exit_code\":0}");
	struct lt_notify_event ev = {.kind = LT_NOTIFY_EXECUTION_RECOVERED,
				     .severity = LT_NOTIFY_INFO,
				     .title = "nightly is green again", .execution = x};
	struct lt_notify_result r;
	struct lt_notify_target *t;
	cJSON *body;

	receiver_start(&rx, 1, ok);
	t = target("slack:http://127.0.0.1:%d/services/T0/B0/secret", rx.port);
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_OK);
	char name[64];
	snprintf(name, sizeof name, "slack:http://127.0.0.1:%d/...", rx.port);
	ck_assert_str_eq(r.target, name);
	receiver_stop(&rx);
	ck_assert_int_eq(rx.count, 1);
	ck_assert_str_eq(rx.path[0], "/services/T0/B0/secret");
	ck_assert_str_eq(rx.content_type[0], "application/json");
	ck_assert_ptr_nonnull(body = cJSON_Parse(rx.body[0]));
	ck_assert_str_eq(lt_ndjson_get_str(body, "text"), "[info] nightly is green again");
	ck_assert(cJSON_IsArray(lt_ndjson_get(body, "blocks")));
	ck_assert_str_eq(lt_ndjson_get_str(body, "blocks[0].type"), "header");
	ck_assert_str_eq(lt_ndjson_get_str(body, "blocks[0].text.text"),
			 ":white_check_mark: nightly is green again");
	ck_assert_str_eq(lt_ndjson_get_str(body, "blocks[1].text.text"),
			 "*Execution recovered* (info)");
	ck_assert_str_eq(lt_ndjson_get_str(body, "blocks[2].fields[0].text"),
			 "*Scenario*\nsearch");
	ck_assert_str_eq(lt_ndjson_get_str(body, "blocks[2].fields[1].text"),
			 "*Schedule*\nnightly");
	ck_assert_str_eq(lt_ndjson_get_str(body, "blocks[2].fields[2].text"),
			 "*Execution*\nstatus success, attempt 1, exit code 0");
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(body, "blocks[2].fields")), 3);
	ck_assert_str_eq(lt_ndjson_get_str(body, "blocks[3].type"), "context");
	cJSON_Delete(body);
	cJSON_Delete(x);
	receiver_free(&rx);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_retry_then_fail)
{
	static const int down[] = {500};
	struct lt_notify_options opts = {.attempts = 3, .backoff_ms = 50};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t", .event_id = "same"};
	struct receiver rx;
	struct lt_notify_result r;
	struct lt_notify_target *t;
	char expect[256];

	receiver_start(&rx, 1, down);
	t = target("webhook:http://127.0.0.1:%d/h?token=secret", rx.port);
	uint64_t t0 = lti_mono_ns();
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_ENET);
	double took = (double)(lti_mono_ns() - t0) / 1e9;
	receiver_stop(&rx);
	ck_assert_int_eq(rx.count, 3);
	ck_assert_uint_eq(r.attempts, 3);
	ck_assert_int_eq(r.http_status, 500);
	snprintf(expect, sizeof expect, "webhook:http://127.0.0.1:%d/h?...: server "
		 "answered 500: {\"status\":500} (3 attempts in ", rx.port);
	ck_assert_msg(strncmp(lt_errmsg(&r.err), expect, strlen(expect)) == 0, "%s",
		      lt_errmsg(&r.err));
	ck_assert(strstr(lt_errmsg(&r.err), "secret") == NULL);
	/* Pauses of 50 and 100 ms between the three. */
	ck_assert(took >= 0.15);
	ck_assert(took < lt_test_slow(3));
	/* Every attempt carried the same event. */
	ck_assert_str_eq(rx.body[0], rx.body[2]);
	receiver_free(&rx);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_retry_then_ok)
{
	static const int flaky[] = {503, 200};
	struct lt_notify_options opts = {.attempts = 3, .backoff_ms = 20};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct receiver rx;
	struct lt_notify_result r;
	struct lt_notify_target *t;

	receiver_start(&rx, 2, flaky);
	t = target("webhook:http://127.0.0.1:%d/h", rx.port);
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_OK);
	receiver_stop(&rx);
	ck_assert_uint_eq(r.attempts, 2);
	ck_assert_int_eq(r.http_status, 200);
	ck_assert_int_eq(rx.count, 2);
	receiver_free(&rx);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_client_error_not_retried)
{
	static const int gone[] = {404};
	struct lt_notify_options opts = {.attempts = 3, .backoff_ms = 20};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct receiver rx;
	struct lt_notify_result r;
	struct lt_notify_target *t;

	receiver_start(&rx, 1, gone);
	t = target("slack:http://127.0.0.1:%d/services/x", rx.port);
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_ENET);
	receiver_stop(&rx);
	ck_assert_int_eq(rx.count, 1);
	ck_assert_uint_eq(r.attempts, 1);
	ck_assert(strstr(lt_errmsg(&r.err), "/...: server answered 404: {\"status\":404} "
			 "(1 attempt in ") != NULL);
	receiver_free(&rx);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_redirect_not_followed)
{
	static const int moved[] = {302};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct receiver rx;
	struct lt_notify_result r;
	struct lt_notify_target *t;

	receiver_start(&rx, 1, moved);
	t = target("webhook:http://127.0.0.1:%d/h", rx.port);
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_ENET);
	receiver_stop(&rx);
	ck_assert_int_eq(rx.count, 1);
	ck_assert(strstr(lt_errmsg(&r.err), "server answered 302 (redirects are not "
			 "followed)") != NULL);
	receiver_free(&rx);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_retry_after_bounded_by_budget)
{
	static const int busy[] = {429};
	/* Retry-After asks for an hour: more than the budget, so no second
	 * try, and no hour-long sleep either. */
	struct lt_notify_options opts = {.attempts = 3, .backoff_ms = 20, .budget_ms = 2000};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct receiver rx;
	struct lt_notify_result r;
	struct lt_notify_target *t;

	receiver_start(&rx, 1, busy);
	rx.retry_after = "3600";
	t = target("webhook:http://127.0.0.1:%d/h", rx.port);
	uint64_t t0 = lti_mono_ns();
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_ENET);
	ck_assert((double)(lti_mono_ns() - t0) / 1e9 < 1.5);
	receiver_stop(&rx);
	ck_assert_int_eq(rx.count, 1);
	ck_assert(strstr(lt_errmsg(&r.err), "server answered 429") != NULL);
	ck_assert(strstr(lt_errmsg(&r.err), "; no time for another try within the 2.0 s "
			 "limit)") != NULL);
	receiver_free(&rx);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_unreachable)
{
	struct lt_notify_options opts = {.attempts = 3, .backoff_ms = 30};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct lt_notify_result r;
	struct lt_notify_target *t;
	int port = closed_port();
	char expect[128];

	t = target("webhook:http://127.0.0.1:%d/h", port);
	uint64_t t0 = lti_mono_ns();
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_ENET);
	ck_assert((double)(lti_mono_ns() - t0) / 1e9 < 3);
	ck_assert_uint_eq(r.attempts, 3);
	ck_assert_int_eq(r.http_status, 0);
	snprintf(expect, sizeof expect, "webhook:http://127.0.0.1:%d/h: Failed to "
		 "connect to 127.0.0.1 port %d", port, port);
	ck_assert_msg(strncmp(lt_errmsg(&r.err), expect, strlen(expect)) == 0, "%s",
		      lt_errmsg(&r.err));
	ck_assert(strstr(lt_errmsg(&r.err), "(3 attempts in ") != NULL);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_budget_bounds_a_silent_server)
{
	/* A server that accepts (the kernel completes the handshake) and
	 * never answers: the budget, not the 10 s timeout, ends it. */
	struct lt_notify_options opts = {.budget_ms = 600};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct lt_notify_result r;
	struct lt_notify_target *t;
	int port, fd = listen_local(&port);

	t = target("webhook:http://127.0.0.1:%d/h", port);
	uint64_t t0 = lti_mono_ns();
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_ENET);
	double took = (double)(lti_mono_ns() - t0) / 1e9;
	ck_assert_msg(took >= 0.5 && took < lt_test_slow(1.5), "took %.3f s", took);
	ck_assert_uint_eq(r.attempts, 1);
	ck_assert_msg(strstr(lt_errmsg(&r.err), "timed out") != NULL, "%s", lt_errmsg(&r.err));
	ck_assert(strstr(lt_errmsg(&r.err), "stopped at the 0.6 s limit") != NULL ||
		  strstr(lt_errmsg(&r.err), "no time for another try") != NULL);
	close(fd);
	lt_notify_target_free(t);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* E-mail */

struct maildir {
	char dir[64], script[128], mail[128], args[128], pid[128];
};

/* A sendmail stand-in running body (sh), in a new temporary directory. */
static void fake_sendmail(struct maildir *m, const char *body)
{
	FILE *f;

	snprintf(m->dir, sizeof m->dir, "/tmp/lt-notify-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(m->dir));
	snprintf(m->script, sizeof m->script, "%s/sendmail", m->dir);
	snprintf(m->mail, sizeof m->mail, "%s/mail", m->dir);
	snprintf(m->args, sizeof m->args, "%s/args", m->dir);
	snprintf(m->pid, sizeof m->pid, "%s/pid", m->dir);
	ck_assert_ptr_nonnull(f = fopen(m->script, "w"));
	fprintf(f, "#!/bin/sh\ncd '%s' || exit 99\n%s\n", m->dir, body);
	fclose(f);
	ck_assert_int_eq(chmod(m->script, 0755), 0);
	setenv("LT_SENDMAIL", m->script, 1);
}

static void maildir_remove(struct maildir *m)
{
	unlink(m->script);
	unlink(m->mail);
	unlink(m->args);
	unlink(m->pid);
	rmdir(m->dir);
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len;
	struct lt_err err = {0};
	ck_assert_msg(lti_read_file(path, 1 << 20, &buf, &len, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	return buf;
}

START_TEST(test_email)
{
	struct maildir m;
	cJSON *alerts = two_alerts();
	struct lt_notify_event ev = regression_event(alerts);
	struct lt_notify_result r;
	struct lt_notify_target *t = target("email:ops@example.org");
	char *mail, *args;

	fake_sendmail(&m, "printf '%s\\n' \"$@\" > args\ncat > mail");
	setenv("LT_MAIL_FROM", "ci@example.org", 1);
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_OK);
	ck_assert_str_eq(r.target, "email:ops@example.org");
	ck_assert_uint_eq(r.attempts, 1);
	args = slurp(m.args);
	/* The address is in the message only, never on the command line. */
	ck_assert_str_eq(args, "-t\n-oi\n");
	mail = slurp(m.mail);
	ck_assert_msg(strncmp(mail,
		"From: ci@example.org\n"
		"To: ops@example.org\n"
		"Subject: [lt critical] checkout: p95 +49.7 %\n"
		"Date: Fri, 27 Nov 2026 02:57:44 +0000\n"
		"Message-ID: <e-1@", 141) == 0, "%s", mail);
	const char *rest = strstr(mail, ">\nMIME-Version");
	ck_assert_ptr_nonnull(rest);
	ck_assert_str_eq(rest,
		">\nMIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: 8bit\n"
		"Auto-Submitted: auto-generated\n"
		"X-LT-Event: regression\n"
		"X-LT-Severity: critical\n"
		"\n"
		"regression (critical): checkout: p95 +49.7 %\n"
		"scenario: checkout\n"
		"run: r1\n"
		"alerts:\n"
		"  responseTime.p95: 120.4 ms -> 180.2 ms (+49.7 %), critical, welch p=0.0012\n"
		"  errorRate: 0.1 % -> 2 % (+1900.0 %), critical, threshold\n"
		"\n"
		"Compared with baseline 1.0.0 (staging).\n"
		"\n"
		"link: https://ci.example.com/job/42?a=1&b=2\n");
	free(mail);
	free(args);
	maildir_remove(&m);
	lt_notify_target_free(t);
	cJSON_Delete(alerts);
}
END_TEST

START_TEST(test_email_headers_safe)
{
	struct maildir m;
	/* A title with a newline (header injection) and non-ASCII text. */
	struct lt_notify_event ev = {.kind = LT_NOTIFY_EXECUTION_FAILED,
				     .severity = LT_NOTIFY_WARNING,
				     .title = "caf\xc3\xa9\nBcc: victim@example.org",
				     .time = 1795748264};
	struct lt_notify_options opts = {.mail_from = "lt-bot@example.org"};
	struct lt_notify_result r;
	struct lt_notify_target *t = target("email:root");
	char *mail;

	fake_sendmail(&m, "cat > mail");
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_OK);
	mail = slurp(m.mail);
	/* "[lt warning] café Bcc: victim@example.org" in base64: 39 bytes, 3. */
	ck_assert_msg(strstr(mail, "From: lt-bot@example.org\nTo: root\nSubject: "
			     "=?utf-8?B?W2x0IHdhcm5pbmddIGNhZsOpIEJjYzogdmljdGltQGV4YW1wbGUu?=\n"
			     " =?utf-8?B?b3Jn?=\nDate: ")
		      != NULL, "%s", mail);
	ck_assert(strstr(mail, "\nBcc:") == NULL);
	ck_assert(strstr(mail, "Message-ID: <") != NULL);
	free(mail);

	/* A long non-ASCII subject folds into several encoded words. */
	char title[200];
	for (int i = 0; i < 60; i++)
		memcpy(title + 2 * i, "\xc3\xa9", 2);
	title[120] = '\0';
	ev.title = title;
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_OK);
	mail = slurp(m.mail);
	const char *subject = strstr(mail, "Subject: ");
	ck_assert_ptr_nonnull(subject);
	ck_assert(strstr(subject, "?=\n =?utf-8?B?") != NULL);
	for (const char *line = subject; *line && *line != 'D'; ) {
		const char *nl = strchr(line, '\n');
		ck_assert_uint_le((size_t)(nl - line), 76);
		line = nl + 1;
	}
	free(mail);
	maildir_remove(&m);
	lt_notify_target_free(t);
}
END_TEST

START_TEST(test_email_failures)
{
	struct maildir m;
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct lt_notify_result r;
	struct lt_notify_target *t = target("email:ops@example.org");
	char expect[256];

	/* Reads the message, complains and fails. */
	fake_sendmail(&m, "cat > /dev/null\necho 'sendmail: no route to host' >&2\nexit 1");
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_EIO);
	snprintf(expect, sizeof expect, "email:ops@example.org: %s exited with status 1: "
		 "sendmail: no route to host", m.script);
	ck_assert_str_eq(lt_errmsg(&r.err), expect);
	maildir_remove(&m);

	/* Exits at once without reading: the status, not SIGPIPE. */
	fake_sendmail(&m, "exit 75");
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_EIO);
	snprintf(expect, sizeof expect, "email:ops@example.org: %s exited with status 75",
		 m.script);
	ck_assert_str_eq(lt_errmsg(&r.err), expect);
	maildir_remove(&m);

	/* Exits 0 without reading: the message did not get through. */
	fake_sendmail(&m, "exec 0<&-\nexit 0");
	/* Larger than any socket buffer, so that it cannot all be sent. */
	size_t big_len = 4 << 20;
	char *big = malloc(big_len + 1);
	memset(big, 'x', big_len);
	big[big_len] = '\0';
	ev.text = big;
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_EIO);
	ck_assert_msg(strstr(lt_errmsg(&r.err), "exited before reading the whole message")
		      != NULL, "%s", lt_errmsg(&r.err));
	ev.text = NULL;
	free(big);
	maildir_remove(&m);

	/* No such program. */
	setenv("LT_SENDMAIL", "/nonexistent/sendmail", 1);
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_ENOTFOUND);
	ck_assert_str_eq(lt_errmsg(&r.err), "email:ops@example.org: cannot run "
			 "/nonexistent/sendmail: No such file or directory");

	/* A bad sender. */
	setenv("LT_MAIL_FROM", "me; rm -rf /", 1);
	ck_assert_int_eq(lt_notify_send(t, &ev, NULL, &r), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&r.err), "email:ops@example.org: $LT_MAIL_FROM: "
			 "address \"me; rm -rf /\": character ';' is not allowed "
			 "(letters, digits and . _ + - = only)");
	lt_notify_target_free(t);
}
END_TEST

/* True when process pid is gone or a zombie. */
static bool dead(pid_t pid)
{
	char path[64], *stat = NULL, *p;
	size_t len;
	bool gone;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (lti_read_file(path, 4096, &stat, &len, NULL) != LT_OK)
		return true;
	p = strrchr(stat, ')');
	gone = p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
	free(stat);
	return gone;
}

START_TEST(test_email_timeout)
{
	struct maildir m;
	struct lt_notify_event ev = {.kind = LT_NOTIFY_TEST, .severity = LT_NOTIFY_INFO,
				     .title = "t"};
	struct lt_notify_options opts = {.mail_timeout_ms = 300};
	struct lt_notify_result r;
	struct lt_notify_target *t = target("email:ops@example.org");
	char expect[256], *pid_text;
	pid_t child;

	/* A stuck sendmail with a child of its own: both must go. */
	fake_sendmail(&m, "cat > /dev/null\nsleep 30 &\necho $! > pid.tmp && mv pid.tmp pid\nwait");
	uint64_t t0 = lti_mono_ns();
	ck_assert_int_eq(lt_notify_send(t, &ev, &opts, &r), LT_EIO);
	double took = (double)(lti_mono_ns() - t0) / 1e9;
	ck_assert_msg(took >= 0.3 && took < lt_test_slow(2), "took %.3f s", took);
	snprintf(expect, sizeof expect, "email:ops@example.org: %s did not finish within "
		 "0.3 s (killed)", m.script);
	ck_assert_str_eq(lt_errmsg(&r.err), expect);
	pid_text = slurp(m.pid);
	child = (pid_t)atoi(pid_text);
	free(pid_text);
	ck_assert_int_gt(child, 0);
	for (int i = 0; i < 100 && !dead(child); i++)
		usleep(10000);
	ck_assert_msg(dead(child), "sendmail's child %d outlived the timeout", (int)child);
	maildir_remove(&m);
	lt_notify_target_free(t);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Several targets */

START_TEST(test_send_all)
{
	static const int ok[] = {200};
	struct receiver rx;
	struct maildir m;
	struct lt_notify_target *targets[5];
	struct lt_notify_result results[5];
	struct lt_notify_options opts = {.attempts = 2, .backoff_ms = 300};
	struct lt_notify_event ev = {.kind = LT_NOTIFY_REGRESSION,
				     .severity = LT_NOTIFY_WARNING, .title = "slower",
				     .scenario_id = "s"};
	FILE *f = tmpfile();
	cJSON *a;

	receiver_start(&rx, 1, ok);
	fake_sendmail(&m, "cat > mail");
	opts.console = f;
	targets[0] = target("webhook:http://127.0.0.1:%d/dead", closed_port());
	targets[1] = target("webhook:http://127.0.0.1:%d/a", rx.port);
	targets[2] = target("console");
	targets[3] = target("email:ops@example.org");
	targets[4] = target("slack:http://127.0.0.1:%d/dead", closed_port());
	uint64_t t0 = lti_mono_ns();
	ck_assert_int_eq(lt_notify_send_all(targets, 5, &ev, &opts, results), LT_ENET);
	double took = (double)(lti_mono_ns() - t0) / 1e9;
	receiver_stop(&rx);
	ck_assert_int_eq(results[0].err.rc, LT_ENET);
	ck_assert_uint_eq(results[0].attempts, 2);
	ck_assert_int_eq(results[1].err.rc, LT_OK);
	ck_assert_int_eq(results[2].err.rc, LT_OK);
	ck_assert_int_eq(results[3].err.rc, LT_OK);
	ck_assert_int_eq(results[4].err.rc, LT_ENET);
	ck_assert_str_eq(results[2].target, "console");
	/* Two dead targets, each pausing 0.3 s: side by side, not one after
	 * the other, and the live ones did not wait for them. */
	ck_assert(results[0].elapsed_s >= 0.3 && results[4].elapsed_s >= 0.3);
	ck_assert_msg(took < lt_test_slow(0.55), "took %.3f s", took);
	ck_assert(results[1].elapsed_s < lt_test_slow(0.25));

	/* One event id for every target. */
	char *mail = slurp(m.mail);
	ck_assert_ptr_nonnull(a = cJSON_Parse(rx.body[0]));
	const char *id = lt_ndjson_get_str(a, "event_id");
	char want[64];
	snprintf(want, sizeof want, "Message-ID: <%s@", id);
	ck_assert(strstr(mail, want) != NULL);
	free(mail);
	cJSON_Delete(a);

	/* A bad event reaches no one and says so for every target. */
	ev.title = "";
	ck_assert_int_eq(lt_notify_send_all(targets, 5, &ev, &opts, results), LT_EINVAL);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(results[i].err.rc, LT_EINVAL);
		ck_assert(strstr(lt_errmsg(&results[i].err), ": event: title is missing") != NULL);
	}
	ck_assert_str_eq(lt_errmsg(&results[2].err), "console: event: title is missing");
	ck_assert_int_eq(lt_notify_send_all(targets, 0, &ev, &opts, results), LT_OK);
	for (int i = 0; i < 5; i++)
		lt_notify_target_free(targets[i]);
	receiver_free(&rx);
	maildir_remove(&m);
	fclose(f);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *targets = tcase_create("targets");
	TCase *payloads = tcase_create("payloads");
	TCase *http = tcase_create("http");
	TCase *mail = tcase_create("email");

	tcase_add_test(targets, test_parse_kinds);
	tcase_add_test(targets, test_parse_errors);
	tcase_add_test(targets, test_parse_limits);
	tcase_add_test(targets, test_targets_from_json);
	suite_add_tcase(s, targets);

	tcase_add_test(payloads, test_event_checked);
	tcase_add_test(payloads, test_format_text);
	tcase_add_test(payloads, test_webhook_json);
	tcase_add_test(payloads, test_slack_json);
	tcase_add_test(payloads, test_slack_limits);
	tcase_add_test(payloads, test_console);
	suite_add_tcase(s, payloads);

	/* Valgrind makes everything slower; the bounds tested are the
	 * module's, not Check's. */
	tcase_add_checked_fixture(http, setup, teardown);
	tcase_set_timeout(http, 60);
	tcase_add_test(http, test_webhook_post);
	tcase_add_test(http, test_slack_post);
	tcase_add_test(http, test_retry_then_fail);
	tcase_add_test(http, test_retry_then_ok);
	tcase_add_test(http, test_client_error_not_retried);
	tcase_add_test(http, test_redirect_not_followed);
	tcase_add_test(http, test_retry_after_bounded_by_budget);
	tcase_add_test(http, test_unreachable);
	tcase_add_test(http, test_budget_bounds_a_silent_server);
	suite_add_tcase(s, http);

	tcase_add_checked_fixture(mail, setup, teardown);
	tcase_set_timeout(mail, 60);
	tcase_add_test(mail, test_email);
	tcase_add_test(mail, test_email_headers_safe);
	tcase_add_test(mail, test_email_failures);
	tcase_add_test(mail, test_email_timeout);
	tcase_add_test(mail, test_send_all);
	suite_add_tcase(s, mail);
	return s;
}
