/* notify.c -- send an event to console, webhook, Slack and e-mail targets.
 *
 * The module has three layers: targets (parse a spec, check a URL or an
 * address, make a name that is safe to log), payloads (the text, the
 * webhook JSON, the Slack message, the mail), and transports (a FILE *,
 * libcurl with retries, sendmail through fork/execv).  lt_notify_send_all
 * runs one thread per target so that one slow endpoint does not add its
 * time to the others'.  See notify.h for the contract.
 */
#include "notify.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KINDS_EXPECTED "console, webhook, slack or email"

/* How much of a spec a message quotes: enough to recognise it, not a
 * screenful when someone pastes a document. */
#define QUOTE_MAX 200

/* RFC 5321: 254 bytes for a path, 64 for its local part. */
#define ADDRESS_MAX 254
#define ADDRESS_NAME_MAX 64

/* Slack's Block Kit limits (reference: blocks, header and section). */
#define SLACK_HEADER_MAX 150
#define SLACK_SECTION_MAX 3000
#define SLACK_FIELD_MAX 2000
#define SLACK_FIELDS_PER_SECTION 10
#define SLACK_ALERTS_LISTED 40

/* What an error message keeps of a server's answer or of sendmail's
 * stderr: the first line that says why, not a whole HTML error page. */
#define EXCERPT_MAX 200

/* An attempt with less time than this left is not worth starting: it
 * would only report a timeout of its own making. */
#define MIN_ATTEMPT_MS 50

/* RFC 5322 limits a line to 998 bytes; a longer body line is broken. */
#define MAIL_LINE_MAX 998

/* ---------------------------------------------------------------------- */
/* Strings built on lti_sbuf (util.h). */

static void sb_puts(struct lti_sbuf *b, const char *s)
{
	lti_sbuf_add(b, s, strlen(s));
}

static void sb_printf(struct lti_sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct lti_sbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		lti_sbuf_add(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	lti_sbuf_add(b, big, (size_t)n);
	free(big);
}

/* The string built, new; NULL (and nothing left to free) when out of
 * memory. */
static char *sb_take(struct lti_sbuf *b)
{
	if (b->oom) {
		free(b->s);
		b->s = NULL;
		return NULL;
	}
	if (!b->s)
		lti_sbuf_add(b, "", 0);
	if (b->oom)
		return NULL;
	char *s = b->s;
	b->s = NULL;
	return s;
}

/* ---------------------------------------------------------------------- */
/* Names */

const char *lt_notify_kind_name(enum lt_notify_kind kind)
{
	switch (kind) {
	case LT_NOTIFY_CONSOLE: return "console";
	case LT_NOTIFY_WEBHOOK: return "webhook";
	case LT_NOTIFY_SLACK: return "slack";
	case LT_NOTIFY_EMAIL: return "email";
	}
	return NULL;
}

const char *lt_notify_event_kind_name(enum lt_notify_event_kind kind)
{
	switch (kind) {
	case LT_NOTIFY_REGRESSION: return "regression";
	case LT_NOTIFY_EXECUTION_FAILED: return "execution_failed";
	case LT_NOTIFY_EXECUTION_RECOVERED: return "execution_recovered";
	case LT_NOTIFY_TEST: return "test";
	}
	return NULL;
}

const char *lt_notify_severity_name(enum lt_notify_severity severity)
{
	switch (severity) {
	case LT_NOTIFY_INFO: return "info";
	case LT_NOTIFY_WARNING: return "warning";
	case LT_NOTIFY_CRITICAL: return "critical";
	}
	return NULL;
}

/* The kind as people read it, in the text and in Slack. */
static const char *event_label(enum lt_notify_event_kind kind)
{
	switch (kind) {
	case LT_NOTIFY_REGRESSION: return "regression";
	case LT_NOTIFY_EXECUTION_FAILED: return "execution failed";
	case LT_NOTIFY_EXECUTION_RECOVERED: return "execution recovered";
	case LT_NOTIFY_TEST: return "test";
	}
	return "event";
}

/* ---------------------------------------------------------------------- */
/* Targets */

struct lt_notify_target {
	enum lt_notify_kind kind;
	char *address;  /* the URL or the e-mail address; NULL for console */
	char *name;     /* safe to log */
};

/* s in double quotes for a message: '"', '\' and bytes outside printable
 * ASCII escaped, cut after QUOTE_MAX bytes with "...". */
static void quote(char *dst, size_t cap, const char *s)
{
	size_t o = 0, i;

	/* Worst case per byte is 4 ("\xNN"), plus quotes, "..." and NUL. */
	if (cap < 4 * QUOTE_MAX + 8) {
		if (cap)
			dst[0] = '\0';
		return;
	}
	dst[o++] = '"';
	for (i = 0; s[i] && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
		} else {
			dst[o++] = (char)c;
		}
	}
	if (s[i]) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o++] = '"';
	dst[o] = '\0';
}

#define QUOTED_CAP (4 * QUOTE_MAX + 8)

/* Check an e-mail address against the plain grammar of notify.h.  NULL
 * when good, else why (a static string or one written into why_buf). */
static const char *address_problem(const char *a, char *why_buf, size_t cap)
{
	const char *at = strchr(a, '@');
	size_t len = strlen(a);

	if (len == 0)
		return "empty address";
	for (const char *p = a; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			  c == '+' || c == '-' || c == '=' || c == '@';
		if (!ok) {
			if (c > 0x20 && c < 0x7f)
				snprintf(why_buf, cap, "character '%c' is not allowed "
					 "(letters, digits and . _ + - = only)", c);
			else
				snprintf(why_buf, cap, "character \\x%02x is not allowed "
					 "(letters, digits and . _ + - = only)", c);
			return why_buf;
		}
	}
	if (at && strchr(at + 1, '@'))
		return "more than one \"@\"";
	if (at == a)
		return "empty name before \"@\"";
	if (at && at[1] == '\0')
		return "empty domain after \"@\"";
	/* A leading "-" would read as an option to any program the address
	 * reaches; a leading "." is not an address in RFC 5322. */
	if (a[0] == '-' || a[0] == '.')
		return "must not start with \"-\" or \".\"";
	size_t name_len = at ? (size_t)(at - a) : len;
	if (name_len > ADDRESS_NAME_MAX) {
		snprintf(why_buf, cap, "name longer than %d bytes", ADDRESS_NAME_MAX);
		return why_buf;
	}
	/* Dots separate non-empty parts, in the name and in the domain. */
	for (size_t i = 0; i < len; i++) {
		bool start = i == 0 || a[i - 1] == '@' || a[i - 1] == '.';
		bool end = a[i + 1] == '\0' || a[i + 1] == '@' || a[i + 1] == '.';
		if (a[i] == '.' && (start || end))
			return "empty part between dots";
		if (at && a + i > at && a[i] == '-' && (start || end))
			return "a domain label must not start or end with \"-\"";
	}
	if (at)
		for (const char *p = at + 1; *p; p++)
			if (*p == '_' || *p == '+' || *p == '=') {
				snprintf(why_buf, cap, "character '%c' is not allowed in "
					 "the domain (letters, digits, - and dots only)", *p);
				return why_buf;
			}
	return NULL;
}

/* Check url (after "webhook:" or "slack:") and make the loggable name.
 * LT_OK with *name new; LT_EINVAL with *why set; LT_ENOMEM. */
static lt_rc check_url(const char *url, enum lt_notify_kind kind, char **name,
		       const char **why)
{
	CURLU *u = NULL;
	CURLUcode uc;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	lt_rc rc = LT_EINVAL;
	struct lti_sbuf b = {0};

	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		*why = "URL must start with http:// or https://";
		return LT_EINVAL;
	}
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			*why = "URL must be ASCII without spaces or control characters";
			return LT_EINVAL;
		}
	/* libcurl's parser: what it accepts here is what it sends to later. */
	if (!(u = curl_url()))
		return LT_ENOMEM;
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OUT_OF_MEMORY) {
		rc = LT_ENOMEM;
		goto done;
	}
	if (uc == CURLUE_NO_HOST) {
		*why = "URL has no host";
		goto done;
	}
	if (uc == CURLUE_BAD_PORT_NUMBER) {
		*why = "URL has a bad port number";
		goto done;
	}
	if (uc != CURLUE_OK) {
		*why = "URL is not valid";
		goto done;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) {
		*why = "URL has no host";
		goto done;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || !scheme) {
		*why = "URL is not valid";
		goto done;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	else if (strtol(port, NULL, 10) <= 0) {
		*why = "URL has a bad port number";
		goto done;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		path = NULL;
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;

	/* The name leaves out what tends to be a secret: user and password,
	 * the query (tokens), and all of a Slack URL's path, which is the
	 * webhook's credential. */
	sb_printf(&b, "%s:%s://%s", lt_notify_kind_name(kind), scheme, host);
	if (port)
		sb_printf(&b, ":%s", port);
	if (kind == LT_NOTIFY_SLACK) {
		if (path && strcmp(path, "/") != 0)
			sb_puts(&b, "/...");
		else
			sb_puts(&b, "/");
	} else {
		sb_puts(&b, path ? path : "/");
		if (query)
			sb_puts(&b, "?...");
	}
	if (!(*name = sb_take(&b)))
		rc = LT_ENOMEM;
	else
		rc = LT_OK;
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

/* Parse spec; what is the prefix of every message ("notify", "notify[2]"). */
static lt_rc parse_target(const char *spec, const char *what,
			  struct lt_notify_target **out, struct lt_err *err)
{
	char q[QUOTED_CAP], kind_q[QUOTED_CAP], why_buf[128];
	const char *colon, *rest, *why = NULL;
	enum lt_notify_kind kind;
	struct lt_notify_target *t = NULL;
	size_t kind_len;
	lt_rc rc;

	if (!spec)
		spec = "";
	if (strlen(spec) > LT_NOTIFY_MAX_SPEC)
		return lt_err_set(err, LT_ELIMIT, "%s: target longer than %d bytes",
				  what, LT_NOTIFY_MAX_SPEC);
	quote(q, sizeof q, spec);
	if (!*spec)
		return lt_err_set(err, LT_EINVAL, "%s: %s: empty target (expected "
				  "console, webhook:URL, slack:URL or email:ADDR)", what, q);
	colon = strchr(spec, ':');
	kind_len = colon ? (size_t)(colon - spec) : strlen(spec);
	rest = colon ? colon + 1 : NULL;
	if (kind_len == 7 && strncmp(spec, "console", 7) == 0)
		kind = LT_NOTIFY_CONSOLE;
	else if (kind_len == 7 && strncmp(spec, "webhook", 7) == 0)
		kind = LT_NOTIFY_WEBHOOK;
	else if (kind_len == 5 && strncmp(spec, "slack", 5) == 0)
		kind = LT_NOTIFY_SLACK;
	else if (kind_len == 5 && strncmp(spec, "email", 5) == 0)
		kind = LT_NOTIFY_EMAIL;
	else {
		char kind_s[QUOTE_MAX + 1];
		size_t n = kind_len < QUOTE_MAX ? kind_len : QUOTE_MAX;
		memcpy(kind_s, spec, n);
		kind_s[n] = '\0';
		quote(kind_q, sizeof kind_q, kind_s);
		/* A bare URL is the likeliest slip: say how to write it. */
		bool url = (kind_len == 4 && strncasecmp(spec, "http", 4) == 0) ||
			   (kind_len == 5 && strncasecmp(spec, "https", 5) == 0);
		return lt_err_set(err, LT_EINVAL, "%s: %s: unknown kind %s (expected "
				  KINDS_EXPECTED "%s)", what, q, kind_q,
				  url ? "; write webhook:URL or slack:URL" : "");
	}

	if (kind == LT_NOTIFY_CONSOLE && rest)
		return lt_err_set(err, LT_EINVAL, "%s: %s: console takes no address",
				  what, q);
	if (kind != LT_NOTIFY_CONSOLE && (!rest || !*rest)) {
		const char *k = lt_notify_kind_name(kind);
		if (kind == LT_NOTIFY_EMAIL)
			return lt_err_set(err, LT_EINVAL, "%s: %s: email needs an "
					  "address (email:ADDR)", what, q);
		return lt_err_set(err, LT_EINVAL, "%s: %s: %s needs a URL (%s:URL)",
				  what, q, k, k);
	}

	if (!(t = calloc(1, sizeof *t)))
		return lt_err_set(err, LT_ENOMEM, "%s: out of memory", what);
	t->kind = kind;
	switch (kind) {
	case LT_NOTIFY_CONSOLE:
		t->name = lti_strdup("console");
		if (!t->name)
			goto oom;
		break;
	case LT_NOTIFY_WEBHOOK:
	case LT_NOTIFY_SLACK:
		rc = check_url(rest, kind, &t->name, &why);
		if (rc == LT_ENOMEM)
			goto oom;
		if (rc != LT_OK) {
			rc = lt_err_set(err, rc, "%s: %s: %s", what, q, why);
			goto fail;
		}
		if (!(t->address = lti_strdup(rest)))
			goto oom;
		break;
	case LT_NOTIFY_EMAIL: {
		char aq[QUOTED_CAP];
		quote(aq, sizeof aq, rest);
		if (strlen(rest) > ADDRESS_MAX) {
			rc = lt_err_set(err, LT_ELIMIT, "%s: %s: address longer than "
					"%d bytes", what, q, ADDRESS_MAX);
			goto fail;
		}
		if ((why = address_problem(rest, why_buf, sizeof why_buf))) {
			rc = lt_err_set(err, LT_EINVAL, "%s: %s: address %s: %s", what,
					q, aq, why);
			goto fail;
		}
		if (!(t->address = lti_strdup(rest)))
			goto oom;
		size_t n = strlen(rest) + sizeof "email:";
		if (!(t->name = malloc(n)))
			goto oom;
		snprintf(t->name, n, "email:%s", rest);
		break;
	}
	}
	*out = t;
	return LT_OK;
oom:
	rc = lt_err_set(err, LT_ENOMEM, "%s: out of memory", what);
fail:
	lt_notify_target_free(t);
	return rc;
}

lt_rc lt_notify_target_parse(const char *spec, struct lt_notify_target **out,
			     struct lt_err *err)
{
	if (!out)
		return lt_err_set(err, LT_EUSAGE, "notify: no place for the target");
	return parse_target(spec, "notify", out, err);
}

void lt_notify_target_free(struct lt_notify_target *t)
{
	if (!t)
		return;
	free(t->address);
	free(t->name);
	free(t);
}

enum lt_notify_kind lt_notify_target_kind(const struct lt_notify_target *t)
{
	return t->kind;
}

const char *lt_notify_target_address(const struct lt_notify_target *t)
{
	return t->address;
}

const char *lt_notify_target_name(const struct lt_notify_target *t)
{
	return t->name;
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsObject(v)) return "an object";
	return "something else";
}

void lt_notify_targets_free(struct lt_notify_target **targets, size_t n)
{
	if (!targets)
		return;
	for (size_t i = 0; i < n; i++)
		lt_notify_target_free(targets[i]);
	free(targets);
}

lt_rc lt_notify_targets_from_json(const cJSON *v, const char *path,
				  struct lt_notify_target ***out, size_t *n,
				  struct lt_err *err)
{
	struct lt_notify_target **list = NULL;
	size_t count = 0, i = 0;
	char what[512];
	const cJSON *e;
	lt_rc rc;

	if (!path)
		path = "notify";
	if (!out || !n)
		return lt_err_set(err, LT_EUSAGE, "%s: no place for the targets", path);
	if (cJSON_IsString(v)) {
		if (!(list = calloc(1, sizeof *list)))
			return lt_err_set(err, LT_ENOMEM, "%s: out of memory", path);
		if ((rc = parse_target(v->valuestring, path, &list[0], err)) != LT_OK) {
			free(list);
			return rc;
		}
		*out = list;
		*n = 1;
		return LT_OK;
	}
	if (!cJSON_IsArray(v))
		return lt_err_set(err, LT_EINVAL, "%s: expected a string or an array "
				  "of strings, got %s", path, v ? json_type_name(v) : "nothing");
	count = (size_t)cJSON_GetArraySize(v);
	if (count > LT_NOTIFY_MAX_TARGETS)
		return lt_err_set(err, LT_ELIMIT, "%s: more than %d targets", path,
				  LT_NOTIFY_MAX_TARGETS);
	if (count == 0) {
		*out = NULL;
		*n = 0;
		return LT_OK;
	}
	if (!(list = calloc(count, sizeof *list)))
		return lt_err_set(err, LT_ENOMEM, "%s: out of memory", path);
	cJSON_ArrayForEach(e, v) {
		snprintf(what, sizeof what, "%s[%zu]", path, i);
		if (!cJSON_IsString(e)) {
			rc = lt_err_set(err, LT_EINVAL, "%s: expected a string, got %s",
					what, json_type_name(e));
			goto fail;
		}
		if ((rc = parse_target(e->valuestring, what, &list[i], err)) != LT_OK)
			goto fail;
		i++;
	}
	*out = list;
	*n = count;
	return LT_OK;
fail:
	lt_notify_targets_free(list, count);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Events */

static lt_rc check_event(const struct lt_notify_event *ev, struct lt_err *err)
{
	const struct { const char *name, *value; } strings[] = {
		{"title", ev ? ev->title : NULL}, {"text", ev ? ev->text : NULL},
		{"scenario_id", ev ? ev->scenario_id : NULL},
		{"run_id", ev ? ev->run_id : NULL}, {"link", ev ? ev->link : NULL},
		{"event_id", ev ? ev->event_id : NULL},
	};

	if (!ev)
		return lt_err_set(err, LT_EINVAL, "event: missing");
	if (!lt_notify_event_kind_name(ev->kind))
		return lt_err_set(err, LT_EINVAL, "event: kind %d is not an event kind",
				  (int)ev->kind);
	if (!lt_notify_severity_name(ev->severity))
		return lt_err_set(err, LT_EINVAL, "event: severity %d is not a severity",
				  (int)ev->severity);
	if (!ev->title || !*ev->title)
		return lt_err_set(err, LT_EINVAL, "event: title is missing");
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		if (strings[i].value &&
		    !lti_utf8_valid(strings[i].value, strlen(strings[i].value)))
			return lt_err_set(err, LT_EINVAL, "event: %s is not valid UTF-8",
					  strings[i].name);
	if (ev->alerts && !cJSON_IsArray(ev->alerts))
		return lt_err_set(err, LT_EINVAL, "event: alerts: expected an array, got %s",
				  json_type_name(ev->alerts));
	if (ev->execution && !cJSON_IsObject(ev->execution))
		return lt_err_set(err, LT_EINVAL, "event: execution: expected an object, got %s",
				  json_type_name(ev->execution));
	return LT_OK;
}

static const char *rec_str(const cJSON *rec, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static bool rec_num(const cJSON *rec, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return false;
	*out = v->valuedouble;
	return true;
}

static const cJSON *first_alert(const struct lt_notify_event *ev)
{
	return ev->alerts ? cJSON_GetArrayItem(ev->alerts, 0) : NULL;
}

static const char *event_scenario(const struct lt_notify_event *ev)
{
	const char *s = ev->scenario_id;
	if (!s && ev->execution)
		s = rec_str(ev->execution, "scenario_id");
	if (!s && first_alert(ev))
		s = rec_str(first_alert(ev), "scenario_id");
	return s;
}

static const char *event_run(const struct lt_notify_event *ev)
{
	const char *s = ev->run_id;
	if (!s && ev->execution)
		s = rec_str(ev->execution, "run_id");
	if (!s && first_alert(ev))
		s = rec_str(first_alert(ev), "run_id");
	return s;
}

static double event_time(const struct lt_notify_event *ev)
{
	return ev->time > 0 ? ev->time : lti_time_now();
}

/* This host's name for From: and Message-ID:, "localhost" when it is not
 * a plain DNS name (it goes into mail headers). */
static void host_name(char *buf, size_t cap)
{
	bool ok = gethostname(buf, cap - 1) == 0;
	buf[cap - 1] = '\0';
	if (ok && buf[0])
		for (const char *p = buf; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
				ok = false;
	if (!ok || !buf[0])
		snprintf(buf, cap, "localhost");
}

/* ---------------------------------------------------------------------- */
/* Text */

/* v with at most 3 decimals and no trailing zeros: 120.4, 180, 0.125. */
static void fmt_num(double v, char buf[48])
{
	if (!isfinite(v)) {
		snprintf(buf, 48, "?");
		return;
	}
	if (fabs(v) >= 1e15) {
		snprintf(buf, 48, "%g", v);
		return;
	}
	snprintf(buf, 48, "%.3f", v);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, 48, "0");
}

static const char *metric_unit(const char *metric)
{
	if (!metric)
		return "";
	if (strncmp(metric, "responseTime.", 13) == 0)
		return " ms";
	if (strncmp(metric, "throughput.", 11) == 0)
		return " req/s";
	if (strcmp(metric, "errorRate") == 0)
		return " %";
	return "";
}

/* Append s with control characters (newlines too) as spaces: for one-line
 * places (the first line of the text, headers). */
static void sb_add_line(struct lti_sbuf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		lti_sbuf_add(b, (c < 0x20 || c == 0x7f) ? " " : p, 1);
	}
}

/* "120.4 ms -> 180.2 ms (+49.7 %)" of an alert, arrow given. */
static void alert_change(struct lti_sbuf *b, const cJSON *a, const char *arrow)
{
	double base, cur, pct;
	char nb[48], nc[48];
	const char *unit = metric_unit(rec_str(a, "metric"));
	bool has_base = rec_num(a, "baseline", &base), has_cur = rec_num(a, "current", &cur);

	if (has_base && has_cur) {
		fmt_num(base, nb);
		fmt_num(cur, nc);
		sb_printf(b, "%s%s %s %s%s", nb, unit, arrow, nc, unit);
	} else if (has_cur) {
		fmt_num(cur, nc);
		sb_printf(b, "%s%s", nc, unit);
	}
	if (rec_num(a, "change_pct", &pct))
		sb_printf(b, "%s(%+.1f %%)", has_cur ? " " : "", pct);
}

/* "schedule nightly, status failed, attempt 3, exit code 3" of an
 * execution record, the schedule left out unless with_schedule. */
static void execution_line(struct lti_sbuf *b, const cJSON *x, bool with_schedule)
{
	const char *schedule = rec_str(x, "schedule"), *status = rec_str(x, "status");
	const char *sep = "";
	double attempt, code;

	if (schedule && with_schedule) {
		lti_sbuf_add(b, "schedule ", 9);
		sb_add_line(b, schedule);
		sep = ", ";
	}
	if (status) {
		sb_printf(b, "%sstatus ", sep);
		sb_add_line(b, status);
		sep = ", ";
	}
	if (rec_num(x, "attempt", &attempt)) {
		sb_printf(b, "%sattempt %.0f", sep, attempt);
		sep = ", ";
	}
	if (rec_num(x, "exit_code", &code))
		sb_printf(b, "%sexit code %.0f", sep, code);
}

static lt_rc format_text(const struct lt_notify_event *ev, char **out,
			 struct lt_err *err)
{
	struct lti_sbuf b = {0};
	const char *scenario = event_scenario(ev), *run = event_run(ev);
	const cJSON *a;

	sb_printf(&b, "%s (%s): ", event_label(ev->kind),
		  lt_notify_severity_name(ev->severity));
	sb_add_line(&b, ev->title);
	sb_puts(&b, "\n");
	if (scenario) {
		sb_puts(&b, "scenario: ");
		sb_add_line(&b, scenario);
		sb_puts(&b, "\n");
	}
	if (run) {
		sb_puts(&b, "run: ");
		sb_add_line(&b, run);
		sb_puts(&b, "\n");
	}
	if (ev->execution) {
		size_t mark = b.len;
		sb_puts(&b, "execution: ");
		size_t empty = b.len;
		execution_line(&b, ev->execution, true);
		if (b.len == empty && !b.oom)
			b.s[b.len = mark] = '\0';
		else
			sb_puts(&b, "\n");
	}
	if (ev->alerts && cJSON_GetArraySize(ev->alerts) > 0) {
		sb_puts(&b, "alerts:\n");
		cJSON_ArrayForEach(a, ev->alerts) {
			const char *metric = rec_str(a, "metric");
			const char *severity = rec_str(a, "severity");
			const char *method = rec_str(a, "method");
			struct lti_sbuf change = {0};
			const char *sep = " ";
			double p;

			sb_puts(&b, "  ");
			sb_add_line(&b, metric ? metric : "(no metric)");
			sb_puts(&b, ":");
			alert_change(&change, a, "->");
			if (change.oom)
				b.oom = true;
			if (change.len) {
				sb_printf(&b, "%s%s", sep, change.s);
				sep = ", ";
			}
			free(change.s);
			if (severity) {
				sb_puts(&b, sep);
				sb_add_line(&b, severity);
				sep = ", ";
			}
			if (method) {
				sb_puts(&b, sep);
				sb_add_line(&b, method);
				if (rec_num(a, "p_value", &p))
					sb_printf(&b, " p=%.2g", p);
			}
			sb_puts(&b, "\n");
		}
	}
	if (ev->text && *ev->text) {
		sb_puts(&b, "\n");
		sb_puts(&b, ev->text);
		if (ev->text[strlen(ev->text) - 1] != '\n')
			sb_puts(&b, "\n");
	}
	if (ev->link && *ev->link) {
		if (ev->text && *ev->text)
			sb_puts(&b, "\n");
		sb_puts(&b, "link: ");
		sb_add_line(&b, ev->link);
		sb_puts(&b, "\n");
	}
	if (!(*out = sb_take(&b)))
		return lt_err_set(err, LT_ENOMEM, "event: out of memory");
	return LT_OK;
}

lt_rc lt_notify_format_text(const struct lt_notify_event *ev, char **out,
			    struct lt_err *err)
{
	lt_rc rc;
	if ((rc = check_event(ev, err)) != LT_OK)
		return rc;
	return format_text(ev, out, err);
}

/* ---------------------------------------------------------------------- */
/* Webhook JSON */

static bool add_str_or_null(cJSON *o, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(o, key, s) != NULL
		 : cJSON_AddNullToObject(o, key) != NULL;
}

static lt_rc webhook_json(const struct lt_notify_event *ev, char **out,
			  struct lt_err *err)
{
	cJSON *o = cJSON_CreateObject(), *alerts = NULL, *x = NULL;
	char when[LTI_TIME_LEN], host[256];
	char *s = NULL;

	lti_time_format(event_time(ev), when);
	host_name(host, sizeof host);
	if (!o)
		goto oom;
	if (!add_str_or_null(o, "event", lt_notify_event_kind_name(ev->kind)) ||
	    !add_str_or_null(o, "event_id", ev->event_id) ||
	    !add_str_or_null(o, "severity", lt_notify_severity_name(ev->severity)) ||
	    !add_str_or_null(o, "title", ev->title) ||
	    !add_str_or_null(o, "text", ev->text && *ev->text ? ev->text : NULL) ||
	    !add_str_or_null(o, "scenario_id", event_scenario(ev)) ||
	    !add_str_or_null(o, "run_id", event_run(ev)))
		goto oom;
	/* Copies: the records are borrowed and cJSON has no const reference. */
	alerts = ev->alerts ? cJSON_Duplicate(ev->alerts, true) : cJSON_CreateArray();
	if (!alerts || !cJSON_AddItemToObject(o, "alerts", alerts)) {
		cJSON_Delete(alerts);
		goto oom;
	}
	x = ev->execution ? cJSON_Duplicate(ev->execution, true) : cJSON_CreateNull();
	if (!x || !cJSON_AddItemToObject(o, "execution", x)) {
		cJSON_Delete(x);
		goto oom;
	}
	if (!add_str_or_null(o, "link", ev->link && *ev->link ? ev->link : NULL) ||
	    !add_str_or_null(o, "sent_at", when) ||
	    !add_str_or_null(o, "host", host) ||
	    !add_str_or_null(o, "source", "lt " LT_VERSION) ||
	    !cJSON_AddNumberToObject(o, "v", 1))
		goto oom;
	if (!(s = cJSON_PrintUnformatted(o)))
		goto oom;
	cJSON_Delete(o);
	*out = s;
	return LT_OK;
oom:
	cJSON_Delete(o);
	return lt_err_set(err, LT_ENOMEM, "event: out of memory");
}

lt_rc lt_notify_webhook_json(const struct lt_notify_event *ev, char **out,
			     struct lt_err *err)
{
	lt_rc rc;
	if ((rc = check_event(ev, err)) != LT_OK)
		return rc;
	return webhook_json(ev, out, err);
}

/* ---------------------------------------------------------------------- */
/* Slack */

/* The length Slack may count for the UTF-8 character starting with c: its
 * limits are in characters, and a 4-byte character is two UTF-16 units,
 * so counting it as 2 is the safe side. */
static size_t slack_units(unsigned char c)
{
	return c >= 0xf0 ? 2 : 1;
}

static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Append s to b, escaping &, < and > when mrkdwn, control characters
 * other than newline as spaces (all of them when one_line), and cutting
 * with "…" so that what is appended counts at most max_units. */
static void slack_add(struct lti_sbuf *b, const char *s, size_t max_units,
		      bool mrkdwn, bool one_line)
{
	size_t total = 0, used = 0;
	const char *p;

	/* Two passes: the cut (and its "…") only when the whole does not fit. */
	for (int pass = 0; pass < 2; pass++) {
		for (p = s; *p; ) {
			unsigned char c = (unsigned char)*p;
			size_t n = utf8_len(c);
			const char *piece = p;
			size_t piece_len = n, units = slack_units(c);

			if (mrkdwn && c == '&') {
				piece = "&amp;";
				piece_len = units = 5;
			} else if (mrkdwn && c == '<') {
				piece = "&lt;";
				piece_len = units = 4;
			} else if (mrkdwn && c == '>') {
				piece = "&gt;";
				piece_len = units = 4;
			} else if ((c < 0x20 && (one_line || c != '\n')) || c == 0x7f) {
				piece = " ";
				piece_len = 1;
			}
			if (pass == 0) {
				total += units;
			} else {
				if (total > max_units && used + units > max_units - 1) {
					sb_puts(b, "\xe2\x80\xa6");
					return;
				}
				lti_sbuf_add(b, piece, piece_len);
				used += units;
			}
			/* Stop at a NUL inside a truncated sequence (input is
			 * checked UTF-8, so this only guards). */
			for (size_t k = 0; k < n && *p; k++)
				p++;
		}
	}
}

static cJSON *slack_text_obj(const char *type, const char *text)
{
	cJSON *t = cJSON_CreateObject();
	if (!t || !cJSON_AddStringToObject(t, "type", type) ||
	    !cJSON_AddStringToObject(t, "text", text) ||
	    (strcmp(type, "plain_text") == 0 && !cJSON_AddTrueToObject(t, "emoji"))) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

/* Add a block {"type": type, key: item} to blocks; item is taken. */
static bool slack_block(cJSON *blocks, const char *type, const char *key, cJSON *item)
{
	cJSON *blk = cJSON_CreateObject();
	if (!blk || !item || !cJSON_AddStringToObject(blk, "type", type) ||
	    !cJSON_AddItemToObject(blk, key, item)) {
		cJSON_Delete(blk);
		cJSON_Delete(item);
		return false;
	}
	cJSON_AddItemToArray(blocks, blk);
	return true;
}

/* Add a mrkdwn field "*label* (note)\nvalue" to fields: label, note and
 * value escaped and cut, note left out when NULL. */
static bool slack_field(cJSON *fields, const char *label, const char *note,
			const char *value)
{
	struct lti_sbuf b = {0};
	char *s;
	cJSON *t;

	sb_puts(&b, "*");
	slack_add(&b, label, 200, true, true);
	sb_puts(&b, "*");
	if (note) {
		sb_puts(&b, " (");
		slack_add(&b, note, 100, true, true);
		sb_puts(&b, ")");
	}
	sb_puts(&b, "\n");
	slack_add(&b, value, SLACK_FIELD_MAX - 320, true, false);
	if (!(s = sb_take(&b)))
		return false;
	t = slack_text_obj("mrkdwn", s);
	free(s);
	if (!t)
		return false;
	cJSON_AddItemToArray(fields, t);
	return true;
}

static const char *slack_emoji(const struct lt_notify_event *ev)
{
	if (ev->kind == LT_NOTIFY_EXECUTION_RECOVERED)
		return ":white_check_mark:";
	switch (ev->severity) {
	case LT_NOTIFY_CRITICAL: return ":rotating_light:";
	case LT_NOTIFY_WARNING: return ":warning:";
	case LT_NOTIFY_INFO: return ":information_source:";
	}
	return ":information_source:";
}

static lt_rc slack_json(const struct lt_notify_event *ev, char **out,
			struct lt_err *err)
{
	cJSON *o = cJSON_CreateObject(), *blocks = NULL, *fields = NULL;
	struct lti_sbuf b = {0};
	char *s = NULL, host[256], when[LTI_TIME_LEN];
	const char *scenario = event_scenario(ev), *run = event_run(ev);
	const char *label = event_label(ev->kind);
	int n_alerts = ev->alerts ? cJSON_GetArraySize(ev->alerts) : 0;

	host_name(host, sizeof host);
	lti_time_format(event_time(ev), when);
	if (!o)
		goto oom;

	/* text: the fallback shown in notifications and by clients without
	 * blocks. */
	sb_printf(&b, "[%s] ", lt_notify_severity_name(ev->severity));
	slack_add(&b, ev->title, SLACK_SECTION_MAX - 20, true, true);
	if (!(s = sb_take(&b)) || !cJSON_AddStringToObject(o, "text", s))
		goto oom;
	free(s);
	s = NULL;
	if (!(blocks = cJSON_AddArrayToObject(o, "blocks")))
		goto oom;

	/* header: plain text, so nothing to escape; one line. */
	b = (struct lti_sbuf){0};
	sb_printf(&b, "%s ", slack_emoji(ev));
	slack_add(&b, ev->title, SLACK_HEADER_MAX - strlen(slack_emoji(ev)) - 1, false, true);
	if (!(s = sb_take(&b)) ||
	    !slack_block(blocks, "header", "text", slack_text_obj("plain_text", s)))
		goto oom;
	free(s);
	s = NULL;

	/* The kind, the severity and the people's text. */
	b = (struct lti_sbuf){0};
	sb_printf(&b, "*%c%s* (%s)", label[0] - 'a' + 'A', label + 1,
		  lt_notify_severity_name(ev->severity));
	if (ev->text && *ev->text) {
		sb_puts(&b, "\n");
		slack_add(&b, ev->text, SLACK_SECTION_MAX - 40, true, false);
	}
	if (!(s = sb_take(&b)) ||
	    !slack_block(blocks, "section", "text", slack_text_obj("mrkdwn", s)))
		goto oom;
	free(s);
	s = NULL;

	/* Identities: scenario, run, execution. */
	if (!(fields = cJSON_CreateArray()))
		goto oom;
	if ((scenario && !slack_field(fields, "Scenario", NULL, scenario)) ||
	    (run && !slack_field(fields, "Run", NULL, run)))
		goto oom_fields;
	if (ev->execution) {
		const char *schedule = rec_str(ev->execution, "schedule");
		struct lti_sbuf xb = {0};
		if (schedule && !slack_field(fields, "Schedule", NULL, schedule))
			goto oom_fields;
		execution_line(&xb, ev->execution, false);
		if (!(s = sb_take(&xb)))
			goto oom_fields;
		if (*s && !slack_field(fields, "Execution", NULL, s))
			goto oom_fields;
		free(s);
		s = NULL;
	}
	if (cJSON_GetArraySize(fields) > 0) {
		if (!slack_block(blocks, "section", "fields", fields))
			goto oom;
	} else {
		cJSON_Delete(fields);
	}
	fields = NULL;

	/* Alerts, ten to a section (Slack's field limit). */
	for (int i = 0; i < n_alerts && i < SLACK_ALERTS_LISTED; i++) {
		const cJSON *a = cJSON_GetArrayItem(ev->alerts, i);
		const char *metric = rec_str(a, "metric"), *severity = rec_str(a, "severity");
		const char *method = rec_str(a, "method");
		struct lti_sbuf vb = {0};
		char *v = NULL;
		double p;
		bool ok;

		if (!fields && !(fields = cJSON_CreateArray()))
			goto oom;
		alert_change(&vb, a, "\xe2\x86\x92");
		if (method) {
			sb_puts(&vb, vb.len ? "\n" : "");
			sb_puts(&vb, method);
			if (rec_num(a, "p_value", &p))
				sb_printf(&vb, " p=%.2g", p);
		}
		v = sb_take(&vb);
		ok = v && slack_field(fields, metric ? metric : "alert", severity, v);
		free(v);
		if (!ok)
			goto oom_fields;
		if (cJSON_GetArraySize(fields) == SLACK_FIELDS_PER_SECTION ||
		    i + 1 == n_alerts || i + 1 == SLACK_ALERTS_LISTED) {
			if (!slack_block(blocks, "section", "fields", fields)) {
				fields = NULL;
				goto oom;
			}
			fields = NULL;
		}
	}

	/* Where it came from, the rest of the alerts, the link. */
	b = (struct lti_sbuf){0};
	sb_puts(&b, "lt " LT_VERSION " on ");
	slack_add(&b, host, 200, true, true);
	sb_printf(&b, " \xc2\xb7 %s", when);
	if (n_alerts > SLACK_ALERTS_LISTED)
		sb_printf(&b, " \xc2\xb7 %d more alerts not shown",
			  n_alerts - SLACK_ALERTS_LISTED);
	if (ev->link && *ev->link) {
		sb_puts(&b, " \xc2\xb7 <");
		/* Escaped as mrkdwn, and "|" too: it would end the URL part of
		 * Slack's <url|text>. */
		for (const char *p = ev->link; *p; p++) {
			switch (*p) {
			case '&': sb_puts(&b, "&amp;"); break;
			case '<': sb_puts(&b, "&lt;"); break;
			case '>': sb_puts(&b, "&gt;"); break;
			case '|': sb_puts(&b, "%7C"); break;
			default:
				lti_sbuf_add(&b, (unsigned char)*p < 0x20 ? " " : p, 1);
			}
		}
		sb_puts(&b, "|details>");
	}
	if (!(s = sb_take(&b)))
		goto oom;
	{
		cJSON *elements = cJSON_CreateArray(), *t = slack_text_obj("mrkdwn", s);
		if (!elements || !t) {
			cJSON_Delete(elements);
			cJSON_Delete(t);
			goto oom;
		}
		cJSON_AddItemToArray(elements, t);
		if (!slack_block(blocks, "context", "elements", elements))
			goto oom;
	}
	free(s);
	s = NULL;

	if (!(s = cJSON_PrintUnformatted(o)))
		goto oom;
	cJSON_Delete(o);
	*out = s;
	return LT_OK;
oom_fields:
	cJSON_Delete(fields);
oom:
	free(s);
	cJSON_Delete(o);
	return lt_err_set(err, LT_ENOMEM, "event: out of memory");
}

lt_rc lt_notify_slack_json(const struct lt_notify_event *ev, char **out,
			   struct lt_err *err)
{
	lt_rc rc;
	if ((rc = check_event(ev, err)) != LT_OK)
		return rc;
	return slack_json(ev, out, err);
}

/* ---------------------------------------------------------------------- */
/* Sending: shared settings */

struct settings {
	unsigned attempts, backoff_ms, connect_timeout_ms, timeout_ms, budget_ms;
	unsigned mail_timeout_ms;
	FILE *console;
	const char *sendmail_path;
	const char *mail_from;        /* as configured, NULL: lt@host */
	const char *mail_from_origin; /* "$LT_MAIL_FROM" or "mail_from", for messages */
	char host[256];
};

static unsigned pick(unsigned v, unsigned def, unsigned max)
{
	if (v == 0)
		return def;
	return v > max ? max : v;
}

static void settings_init(struct settings *s, const struct lt_notify_options *o)
{
	static const struct lt_notify_options none;
	const char *env;

	if (!o)
		o = &none;
	memset(s, 0, sizeof *s);
	s->attempts = pick(o->attempts, LT_NOTIFY_ATTEMPTS_DEFAULT, LT_NOTIFY_ATTEMPTS_MAX);
	s->backoff_ms = pick(o->backoff_ms, LT_NOTIFY_BACKOFF_MS_DEFAULT,
			     LT_NOTIFY_BACKOFF_MS_MAX);
	s->timeout_ms = pick(o->timeout_ms, LT_NOTIFY_TIMEOUT_MS_DEFAULT,
			     LT_NOTIFY_TIMEOUT_MS_MAX);
	s->connect_timeout_ms = pick(o->connect_timeout_ms,
				     LT_NOTIFY_CONNECT_TIMEOUT_MS_DEFAULT, s->timeout_ms);
	s->budget_ms = pick(o->budget_ms, LT_NOTIFY_BUDGET_MS_DEFAULT,
			    LT_NOTIFY_BUDGET_MS_MAX);
	s->mail_timeout_ms = pick(o->mail_timeout_ms, LT_NOTIFY_MAIL_TIMEOUT_MS_DEFAULT,
				  LT_NOTIFY_BUDGET_MS_MAX);
	s->console = o->console;
	s->sendmail_path = o->sendmail_path;
	if (!s->sendmail_path && (env = getenv("LT_SENDMAIL")) && *env)
		s->sendmail_path = env;
	if (!s->sendmail_path)
		s->sendmail_path = "/usr/sbin/sendmail";
	if (o->mail_from) {
		s->mail_from = o->mail_from;
		s->mail_from_origin = "mail_from";
	} else if ((env = getenv("LT_MAIL_FROM")) && *env) {
		s->mail_from = env;
		s->mail_from_origin = "$LT_MAIL_FROM";
	}
	host_name(s->host, sizeof s->host);
}

static double mono_s(void)
{
	return (double)lti_mono_ns() / 1e9;
}

/* Sleep ms, resuming after signals. */
static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------------------------- */
/* HTTP: webhook and Slack */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct answer {
	char body[EXCERPT_MAX * 2];
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct answer *a = ud;
	size_t n = size * nmemb, room = sizeof a->body - 1 - a->len;

	/* Keep the start for the message; take and drop the rest, so the
	 * transfer ends normally. */
	if (n < room)
		room = n;
	memcpy(a->body + a->len, data, room);
	a->len += room;
	a->body[a->len] = '\0';
	return n;
}

/* The first line of s, printable ASCII and UTF-8 only, at most
 * EXCERPT_MAX bytes, into dst (cap > EXCERPT_MAX + 4). */
static void excerpt(char *dst, size_t cap, const char *s)
{
	size_t o = 0;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s && *s != '\n' && *s != '\r' && o < EXCERPT_MAX && o + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		dst[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	/* Do not end inside a UTF-8 sequence. */
	while (o > 0 && ((unsigned char)dst[o - 1] & 0xc0) == 0x80)
		o--;
	if (o > 0 && (unsigned char)dst[o - 1] >= 0xc0)
		o--;
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	if (*s && *s != '\n' && *s != '\r') {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static bool retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_AGAIN:
		return true;
	default:
		return false;
	}
}

static bool retryable_status(long status)
{
	return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

/* POST body to t's URL with retries; fills r (attempts, http_status,
 * err).  Every failure is translated here: no CURLcode leaves. */
static void http_send(const struct lt_notify_target *t, const char *body,
		      const struct settings *s, struct lt_notify_result *r)
{
	double start = mono_s(), deadline = start + s->budget_ms / 1000.0;
	char why[EXCERPT_MAX * 2 + 128] = "", stop_note[96] = "";
	struct curl_slist *headers = NULL, *h;
	lt_rc rc = LT_ENET;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		lt_err_set(&r->err, LT_ENET, "%s: cannot start libcurl: %s", t->name,
			   curl_easy_strerror(curl_init_rc));
		return;
	}
	if (!(h = curl_slist_append(headers, "Content-Type: application/json")))
		goto oom;
	headers = h;
	/* No "Expect: 100-continue": one round trip, and receivers that do
	 * not know it would make us wait a second for nothing. */
	if (!(h = curl_slist_append(headers, "Expect:")))
		goto oom;
	headers = h;

	for (unsigned attempt = 1; attempt <= s->attempts; attempt++) {
		double left_ms = (deadline - mono_s()) * 1000.0;
		char errbuf[CURL_ERROR_SIZE] = "";
		struct answer ans = {.len = 0};
		long status = 0, timeout_ms, connect_ms;
		curl_off_t retry_after = -1;
		bool retry;
		CURLcode cc;
		CURL *e;

		if (left_ms < MIN_ATTEMPT_MS) {
			snprintf(stop_note, sizeof stop_note, "; stopped at the %.1f s limit",
				 s->budget_ms / 1000.0);
			break;
		}
		timeout_ms = (long)(left_ms < s->timeout_ms ? left_ms : s->timeout_ms);
		connect_ms = (long)s->connect_timeout_ms < timeout_ms ?
			     (long)s->connect_timeout_ms : timeout_ms;
		if (!(e = curl_easy_init()))
			goto oom;
		r->attempts = attempt;
		curl_easy_setopt(e, CURLOPT_URL, t->address);
		/* Only the protocols the spec allows, and never a redirect:
		 * a POST that lands elsewhere is not what the user configured. */
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
		curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
		curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
		/* Threads and signals: libcurl must not use alarm() for DNS
		 * timeouts in a threaded caller. */
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(e, CURLOPT_USERAGENT, "lt/" LT_VERSION);
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &ans);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);

		cc = curl_easy_perform(e);
		if (cc == CURLE_OK) {
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
			curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &retry_after);
		}
		curl_easy_cleanup(e);
		if (cc == CURLE_OUT_OF_MEMORY)
			goto oom;
		if (cc == CURLE_OK) {
			r->http_status = status;
			if (status >= 200 && status <= 299) {
				rc = LT_OK;
				break;
			}
			char ex[EXCERPT_MAX + 8];
			excerpt(ex, sizeof ex, ans.body);
			snprintf(why, sizeof why, "server answered %ld%s%s%s", status,
				 status >= 300 && status <= 399 ?
				 " (redirects are not followed)" : "",
				 *ex ? ": " : "", ex);
			retry = retryable_status(status);
		} else {
			snprintf(why, sizeof why, "%s",
				 *errbuf ? errbuf : curl_easy_strerror(cc));
			retry = retryable_curl(cc);
		}
		if (!retry || attempt == s->attempts)
			break;

		/* Exponential backoff, or the server's Retry-After if longer;
		 * both bounded, and never past the budget. */
		double pause_ms = (double)s->backoff_ms * (double)(1u << (attempt - 1));
		if (retry_after > 0 && (double)retry_after * 1000.0 > pause_ms)
			pause_ms = (double)retry_after * 1000.0;
		if (pause_ms > LT_NOTIFY_BACKOFF_MS_MAX)
			pause_ms = LT_NOTIFY_BACKOFF_MS_MAX;
		if ((deadline - mono_s()) * 1000.0 < pause_ms + MIN_ATTEMPT_MS) {
			snprintf(stop_note, sizeof stop_note,
				 "; no time for another try within the %.1f s limit",
				 s->budget_ms / 1000.0);
			break;
		}
		sleep_ms((unsigned)pause_ms);
	}
	curl_slist_free_all(headers);
	if (rc == LT_OK)
		return;
	if (!*why)
		snprintf(why, sizeof why, "no attempt could start");
	lt_err_set(&r->err, rc, "%s: %s (%u attempt%s in %.1f s%s)", t->name, why,
		   r->attempts, r->attempts == 1 ? "" : "s", mono_s() - start, stop_note);
	return;
oom:
	curl_slist_free_all(headers);
	lt_err_set(&r->err, LT_ENOMEM, "%s: out of memory", t->name);
}

/* ---------------------------------------------------------------------- */
/* E-mail */

static void base64(struct lti_sbuf *b, const unsigned char *p, size_t n)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4];

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[0] = digits[(v >> 18) & 63];
		out[1] = digits[(v >> 12) & 63];
		out[2] = i + 1 < n ? digits[(v >> 6) & 63] : '=';
		out[3] = i + 2 < n ? digits[v & 63] : '=';
		lti_sbuf_add(b, out, 4);
	}
}

/* The Subject: header (with its name and newline).  Printable ASCII goes
 * as it is; anything else as RFC 2047 encoded words of at most 39 bytes
 * of UTF-8 each, never splitting a character, folded onto continuation
 * lines: 52 characters of base64 + 12 of wrapping = 64, so even the first
 * line ("Subject: " + a word) stays under the RFC's 76. */
static void mail_subject(struct lti_sbuf *b, const struct lt_notify_event *ev)
{
	struct lti_sbuf sb = {0};
	bool ascii = true;

	sb_printf(&sb, "[lt %s] ", lt_notify_severity_name(ev->severity));
	sb_add_line(&sb, ev->title);
	if (sb.oom) {
		b->oom = true;
		free(sb.s);
		return;
	}
	/* Cut a very long title: a subject is read in a list, not studied. */
	if (sb.len > 200) {
		size_t n = 200;
		while (n > 0 && ((unsigned char)sb.s[n] & 0xc0) == 0x80)
			n--;
		sb.s[n] = '\0';
		sb.len = n;
	}
	for (size_t i = 0; i < sb.len; i++)
		if ((unsigned char)sb.s[i] >= 0x80)
			ascii = false;
	sb_puts(b, "Subject: ");
	if (ascii) {
		lti_sbuf_add(b, sb.s, sb.len);
	} else {
		size_t i = 0;
		while (i < sb.len) {
			size_t n = sb.len - i < 39 ? sb.len - i : 39;
			while (i + n < sb.len && ((unsigned char)sb.s[i + n] & 0xc0) == 0x80)
				n--;
			if (i > 0)
				sb_puts(b, "\n ");
			sb_puts(b, "=?utf-8?B?");
			base64(b, (const unsigned char *)sb.s + i, n);
			sb_puts(b, "?=");
			i += n;
		}
	}
	sb_puts(b, "\n");
	free(sb.s);
}

/* "Thu, 27 Nov 2026 02:57:44 +0000" (RFC 5322 date), in UTC and with
 * English names whatever the locale. */
static void mail_date(double t, char buf[64])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t secs = (time_t)t;
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, 64, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool msgid_safe(const char *s)
{
	if (!*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return false;
	return true;
}

static lt_rc mail_message(const struct lt_notify_event *ev, const char *from,
			  const char *to, const char *host, char **out,
			  struct lt_err *err)
{
	struct lti_sbuf b = {0};
	char date[64], *text = NULL;
	lt_rc rc;

	if ((rc = format_text(ev, &text, err)) != LT_OK)
		return rc;
	mail_date(event_time(ev), date);
	sb_printf(&b, "From: %s\nTo: %s\n", from, to);
	mail_subject(&b, ev);
	sb_printf(&b, "Date: %s\n", date);
	if (ev->event_id && msgid_safe(ev->event_id))
		sb_printf(&b, "Message-ID: <%s@%s>\n", ev->event_id, host);
	sb_puts(&b, "MIME-Version: 1.0\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: 8bit\n"
		    /* RFC 3834: vacation responders must not answer it. */
		    "Auto-Submitted: auto-generated\n");
	sb_printf(&b, "X-LT-Event: %s\nX-LT-Severity: %s\n\n",
		  lt_notify_event_kind_name(ev->kind),
		  lt_notify_severity_name(ev->severity));
	/* The body, with lines over RFC 5322's 998 bytes broken at a
	 * character boundary. */
	for (const char *line = text; *line; ) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		while (len > MAIL_LINE_MAX) {
			size_t n = MAIL_LINE_MAX;
			while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
				n--;
			lti_sbuf_add(&b, line, n);
			sb_puts(&b, "\n");
			line += n;
			len -= n;
		}
		lti_sbuf_add(&b, line, len);
		sb_puts(&b, "\n");
		line += len + (nl ? 1 : 0);
	}
	free(text);
	if (!(*out = sb_take(&b)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	return LT_OK;
}

/* Run `sendmail -t -oi` with message on its standard input and wait for
 * it, at most timeout_ms.  Failures go into r->err, prefixed with name.
 *
 * Why these pieces:
 *  - fork + execv, no shell: the address and the text are data, never a
 *    command line.
 *  - stdin is a socketpair, not a pipe: send(MSG_NOSIGNAL) cannot raise
 *    SIGPIPE in the caller when sendmail exits without reading, and
 *    there is no process-wide signal state to touch from a library.
 *  - a close-on-exec pipe carries execv's errno back, so "no such file"
 *    is told apart from "sendmail failed".
 *  - the child leads its own process group, so a timeout kills sendmail
 *    and anything it started (a shell script's children too). */
static void mail_run(const char *path, const char *name, const char *message,
		     unsigned timeout_ms, struct lt_notify_result *r)
{
	int in[2] = {-1, -1}, errp[2] = {-1, -1}, execp[2] = {-1, -1}, devnull = -1;
	char *const argv[] = {(char *)"sendmail", (char *)"-t", (char *)"-oi", NULL};
	char errtext[EXCERPT_MAX * 2] = "", ex[EXCERPT_MAX + 8];
	size_t errlen = 0, sent = 0, total = strlen(message);
	double deadline = mono_s() + timeout_ms / 1000.0;
	bool exited = false, killed = false, write_failed = false;
	int status = 0, exec_errno = 0;
	pid_t pid;
	ssize_t n;

	/* The common mistake (no sendmail installed, a wrong $LT_SENDMAIL)
	 * found without a fork; the errno pipe below still covers the rest. */
	if (access(path, X_OK) != 0) {
		lt_err_set(&r->err, errno == ENOENT ? LT_ENOTFOUND : LT_EIO,
			   "%s: cannot run %s: %s", name, path, strerror(errno));
		goto done;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 ||
	    pipe2(errp, O_CLOEXEC) != 0 || pipe2(execp, O_CLOEXEC) != 0 ||
	    (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		lt_err_set(&r->err, LT_EIO, "%s: cannot start %s: %s", name, path,
			   strerror(errno));
		goto done;
	}
	pid = fork();
	if (pid < 0) {
		lt_err_set(&r->err, LT_EIO, "%s: cannot start %s: %s", name, path,
			   strerror(errno));
		goto done;
	}
	if (pid == 0) {
		/* The child: only async-signal-safe calls until execv. */
		sigset_t all;
		struct sigaction dfl;
		int e;

		setpgid(0, 0);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGPIPE, &dfl, NULL);
		if (dup2(in[1], 0) < 0 || dup2(devnull, 1) < 0 || dup2(errp[1], 2) < 0)
			goto child_fail;
		/* The caller's other descriptors (a database, sockets) are none
		 * of sendmail's business; best effort on kernels before 5.11. */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		execv(path, argv);
child_fail:
		e = errno;
		if (write(execp[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	/* Also from the parent, so that a kill right after fork finds the
	 * group even if the child has not run yet. */
	setpgid(pid, pid);
	r->attempts = 1;
	close(in[1]);
	in[1] = -1;
	close(errp[1]);
	errp[1] = -1;
	close(execp[1]);
	execp[1] = -1;
	close(devnull);
	devnull = -1;
	/* EOF (exec succeeded, the pipe closed on exec) or the errno. */
	do
		n = read(execp[0], &exec_errno, sizeof exec_errno);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof exec_errno)
		exec_errno = 0;

	fcntl(in[0], F_SETFL, fcntl(in[0], F_GETFL) | O_NONBLOCK);
	fcntl(errp[0], F_SETFL, fcntl(errp[0], F_GETFL) | O_NONBLOCK);
	while (!exited) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		double left_ms = (deadline - mono_s()) * 1000.0;
		pid_t w;

		if (left_ms <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = true;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (in[0] >= 0)
			fds[nfds++] = (struct pollfd){.fd = in[0], .events = POLLOUT};
		if (errp[0] >= 0)
			fds[nfds++] = (struct pollfd){.fd = errp[0], .events = POLLIN};
		/* Short waits: the exit itself is not a file descriptor. */
		poll(fds, nfds, left_ms < 20 ? (int)left_ms + 1 : 20);

		while (in[0] >= 0 && sent < total) {
			n = send(in[0], message + sent, total - sent, MSG_NOSIGNAL);
			if (n > 0) {
				sent += (size_t)n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			write_failed = true;
			break;
		}
		if (in[0] >= 0 && (sent == total || write_failed)) {
			/* The end of the message is the end of its stdin. */
			close(in[0]);
			in[0] = -1;
		}
		while (errp[0] >= 0) {
			char buf[512];
			n = read(errp[0], buf, sizeof buf);
			if (n > 0) {
				size_t keep = sizeof errtext - 1 - errlen;
				if ((size_t)n < keep)
					keep = (size_t)n;
				memcpy(errtext + errlen, buf, keep);
				errlen += keep;
				errtext[errlen] = '\0';
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			close(errp[0]);
			errp[0] = -1;
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			exited = true;
		} else if (w < 0 && errno != EINTR) {
			lt_err_set(&r->err, LT_EIO, "%s: cannot read the exit status of %s: "
				   "%s (is SIGCHLD ignored?)", name, path, strerror(errno));
			goto done;
		}
	}

	excerpt(ex, sizeof ex, errtext);
	if (exec_errno) {
		lt_err_set(&r->err, exec_errno == ENOENT ? LT_ENOTFOUND : LT_EIO,
			   "%s: cannot run %s: %s", name, path, strerror(exec_errno));
	} else if (killed) {
		lt_err_set(&r->err, LT_EIO, "%s: %s did not finish within %.1f s "
			   "(killed)%s%s", name, path, timeout_ms / 1000.0,
			   *ex ? ": " : "", ex);
	} else if (WIFSIGNALED(status)) {
		lt_err_set(&r->err, LT_EIO, "%s: %s was killed by signal %d%s%s", name,
			   path, WTERMSIG(status), *ex ? ": " : "", ex);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		lt_err_set(&r->err, LT_EIO, "%s: %s exited with status %d%s%s", name,
			   path, WEXITSTATUS(status), *ex ? ": " : "", ex);
	} else if (write_failed || sent < total) {
		lt_err_set(&r->err, LT_EIO, "%s: %s exited before reading the whole "
			   "message (%zu of %zu bytes)", name, path, sent, total);
	}
done:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (execp[i] >= 0)
			close(execp[i]);
	}
	if (devnull >= 0)
		close(devnull);
}

static void mail_send(const struct lt_notify_target *t, const struct lt_notify_event *ev,
		      const struct settings *s, struct lt_notify_result *r)
{
	char from_buf[300], why_buf[128], q[QUOTED_CAP], *message = NULL;
	const char *from = s->mail_from, *why;
	lt_rc rc;

	if (from) {
		quote(q, sizeof q, from);
		if (strlen(from) > ADDRESS_MAX) {
			lt_err_set(&r->err, LT_EINVAL, "%s: %s: address %s longer than %d "
				   "bytes", t->name, s->mail_from_origin, q, ADDRESS_MAX);
			return;
		}
		if ((why = address_problem(from, why_buf, sizeof why_buf))) {
			lt_err_set(&r->err, LT_EINVAL, "%s: %s: address %s: %s", t->name,
				   s->mail_from_origin, q, why);
			return;
		}
	} else {
		snprintf(from_buf, sizeof from_buf, "lt@%s", s->host);
		from = from_buf;
	}
	if ((rc = mail_message(ev, from, t->address, s->host, &message, &r->err)) != LT_OK) {
		lt_err_prefix(&r->err, "%s", t->name);
		return;
	}
	mail_run(s->sendmail_path, t->name, message, s->mail_timeout_ms, r);
	free(message);
}

/* ---------------------------------------------------------------------- */
/* Sending */

static void console_send(const struct lt_notify_target *t,
			 const struct lt_notify_event *ev,
			 const struct settings *s, struct lt_notify_result *r)
{
	char *text = NULL;

	if (!s->console) {
		lt_err_set(&r->err, LT_EUSAGE, "%s: no stream to write to (the program "
			   "gave none)", t->name);
		return;
	}
	if (format_text(ev, &text, &r->err) != LT_OK) {
		lt_err_prefix(&r->err, "%s", t->name);
		return;
	}
	r->attempts = 1;
	/* One fputs of the whole block: lines of concurrent writers to the
	 * same stream do not interleave inside it (stdio locks per call). */
	if (fputs(text, s->console) == EOF || fflush(s->console) == EOF)
		lt_err_set(&r->err, LT_EIO, "%s: cannot write: %s", t->name,
			   strerror(errno));
	free(text);
}

static void result_init(struct lt_notify_result *r, const struct lt_notify_target *t)
{
	memset(r, 0, sizeof *r);
	snprintf(r->target, sizeof r->target, "%s", t && t->name ? t->name : "(none)");
}

static void send_one(const struct lt_notify_target *t, const struct lt_notify_event *ev,
		     const struct settings *s, struct lt_notify_result *r)
{
	double start = mono_s();
	char *body = NULL;

	if (!t) {
		lt_err_set(&r->err, LT_EUSAGE, "notify: no target");
		return;
	}
	switch (t->kind) {
	case LT_NOTIFY_CONSOLE:
		console_send(t, ev, s, r);
		break;
	case LT_NOTIFY_WEBHOOK:
	case LT_NOTIFY_SLACK:
		if ((t->kind == LT_NOTIFY_SLACK ? slack_json(ev, &body, &r->err)
						: webhook_json(ev, &body, &r->err)) != LT_OK) {
			lt_err_prefix(&r->err, "%s", t->name);
			break;
		}
		http_send(t, body, s, r);
		free(body);
		break;
	case LT_NOTIFY_EMAIL:
		mail_send(t, ev, s, r);
		break;
	}
	r->elapsed_s = mono_s() - start;
}

struct job {
	const struct lt_notify_target *target;
	const struct lt_notify_event *ev;
	const struct settings *settings;
	struct lt_notify_result *result;
	pthread_t thread;
	bool started;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	send_one(j->target, j->ev, j->settings, j->result);
	return NULL;
}

lt_rc lt_notify_send_all(struct lt_notify_target *const *targets, size_t n,
			 const struct lt_notify_event *ev,
			 const struct lt_notify_options *opts,
			 struct lt_notify_result *results)
{
	struct lt_notify_event fixed;
	struct settings s;
	struct job *jobs = NULL;
	char event_id[LTI_UUID_LEN];
	struct lt_err bad = {0};
	lt_rc rc = LT_OK;

	if (!results)
		return LT_EUSAGE;
	for (size_t i = 0; i < n; i++)
		result_init(&results[i], targets ? targets[i] : NULL);
	if (n == 0)
		return LT_OK;
	if (!targets) {
		for (size_t i = 0; i < n; i++)
			lt_err_set(&results[i].err, LT_EUSAGE, "notify: no targets");
		return LT_EUSAGE;
	}
	if (check_event(ev, &bad) != LT_OK) {
		for (size_t i = 0; i < n; i++) {
			results[i].err = bad;
			lt_err_prefix(&results[i].err, "%s", results[i].target);
		}
		return bad.rc;
	}
	/* One id and one time for every target and every retry, so that
	 * receivers can recognise a repeat. */
	fixed = *ev;
	if (!fixed.event_id) {
		lti_uuid(event_id);
		fixed.event_id = event_id;
	}
	if (fixed.time <= 0)
		fixed.time = lti_time_now();
	settings_init(&s, opts);
	/* libcurl's global init before any thread starts (it is not
	 * thread-safe in every libcurl Debian ships). */
	pthread_once(&curl_once, curl_init);

	if (n > 1)
		jobs = calloc(n, sizeof *jobs);
	for (size_t i = 0; jobs && i < n; i++) {
		jobs[i].target = targets[i];
		jobs[i].ev = &fixed;
		jobs[i].settings = &s;
		jobs[i].result = &results[i];
		/* A thread that cannot start is not a failed notification: that
		 * target is served here, after the others have started. */
		jobs[i].started = pthread_create(&jobs[i].thread, NULL, job_main,
						 &jobs[i]) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!jobs || !jobs[i].started)
			send_one(targets[i], &fixed, &s, &results[i]);
	for (size_t i = 0; jobs && i < n; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].thread, NULL);
	free(jobs);
	for (size_t i = 0; i < n; i++)
		if (results[i].err.rc != LT_OK && rc == LT_OK)
			rc = results[i].err.rc;
	return rc;
}

lt_rc lt_notify_send(const struct lt_notify_target *target,
		     const struct lt_notify_event *ev,
		     const struct lt_notify_options *opts,
		     struct lt_notify_result *result)
{
	struct lt_notify_target *one = (struct lt_notify_target *)target;
	if (!result)
		return LT_EUSAGE;
	return lt_notify_send_all(&one, 1, ev, opts, result);
}
