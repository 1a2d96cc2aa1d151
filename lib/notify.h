/* notify.h -- tell people about an event: console, webhook, Slack, e-mail.
 *
 * lt-regress check announces regressions and lt-sched announces failed
 * and recovered scheduled executions.  Where the news goes is a list of
 * targets the user writes as strings, on the command line (`--notify
 * SPEC`, repeatable) or in a thresholds or schedule file ("notify":
 * [SPEC, ...]):
 *
 *   console          a readable block on a stream the program chooses
 *   webhook:URL      a JSON POST of the event (the payload below)
 *   slack:URL        a Slack incoming-webhook message (text + Block Kit)
 *   email:ADDR       a plain-text mail handed to sendmail(8)
 *
 * Sending never decides anything: lt_notify_send_all() tries every target,
 * reports an outcome per target and returns; a verdict or an exit status
 * must never depend on Slack being up.  Each send is bounded in time (see
 * struct lt_notify_options), so a dead endpoint delays the caller by at
 * most the budget, never hangs it.
 *
 * Non-goals: no queue or persistence of unsent notifications (lt-sched's
 * audit trail holds the events), no HTML mail, no SMTP client (sendmail
 * is the local mail system's job), no templates.
 *
 * The module never prints: console output goes to the FILE * the caller
 * passes.  It starts processes (sendmail) and threads (one per target in
 * lt_notify_send_all) and joins or reaps them all before returning.
 *
 * Security: webhook and Slack URLs are secrets in practice (a Slack
 * incoming-webhook URL is its own credential), so messages and results
 * name a target by lt_notify_target_name(), which leaves out user
 * names, passwords, queries and, for Slack, the path.  Only http and
 * https are spoken and redirects are never followed.  An e-mail address
 * is checked against a plain grammar (no spaces, quotes, commas, angle
 * brackets, shell or header characters) and travels only in the To:
 * header of the message sendmail reads with -t; no shell is involved.
 */
#ifndef LT_NOTIFY_H
#define LT_NOTIFY_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* ---- targets ---- */

enum lt_notify_kind {
	LT_NOTIFY_CONSOLE = 1,
	LT_NOTIFY_WEBHOOK,
	LT_NOTIFY_SLACK,
	LT_NOTIFY_EMAIL,
};

/* The longest target spec accepted, in bytes. */
#define LT_NOTIFY_MAX_SPEC 2048

/* The most targets one JSON list may hold (lt_notify_targets_from_json). */
#define LT_NOTIFY_MAX_TARGETS 64

struct lt_notify_target;

/* Parse spec ("console", "webhook:URL", "slack:URL", "email:ADDR").
 * *out is new (lt_notify_target_free) on success, unchanged on failure.
 * URLs: http:// or https://, ASCII without spaces or control characters,
 * with a host, checked with libcurl's own parser (curl_url), so what
 * passes is what libcurl will send to.  Addresses: NAME or NAME@DOMAIN,
 * NAME of letters, digits and . _ + - = (not starting with . or -),
 * DOMAIN of dot-separated labels of letters, digits and - ; at most 254
 * bytes.  A bare NAME is a local mailbox ("root"), as in cron's MAILTO.
 *
 * Errors (LT_EINVAL unless said), exactly:
 *   notify: "": empty target (expected console, webhook:URL, slack:URL or email:ADDR)
 *   notify: "webhok:http://x": unknown kind "webhok" (expected console, webhook, slack or email)
 *   notify: "http://x": unknown kind "http" (expected console, webhook, slack or email; write webhook:URL or slack:URL)
 *   notify: "console:x": console takes no address
 *   notify: "webhook": webhook needs a URL (webhook:URL)
 *   notify: "slack:": slack needs a URL (slack:URL)
 *   notify: "email": email needs an address (email:ADDR)
 *   notify: "webhook:ftp://x": URL must start with http:// or https://
 *   notify: "webhook:http://a b": URL must be ASCII without spaces or control characters
 *   notify: "webhook:http://": URL has no host
 *   notify: "webhook:http://x:99999/": URL has a bad port number
 *   notify: "webhook:http://[x/": URL is not valid
 *   notify: "email:a;b@x": address "a;b@x": character ';' is not allowed (letters, digits and . _ + - = only)
 *   notify: "email:@x": address "@x": empty name before "@"
 *   notify: "email:a@": address "a@": empty domain after "@"
 *   notify: "email:a@b@c": address "a@b@c": more than one "@"
 *   notify: "email:-a": address "-a": must not start with "-" or "."
 *   notify: "email:a..b": address "a..b": empty part between dots
 *   notify: "email:a@-x.org": address "a@-x.org": a domain label must not start or end with "-"
 *   LT_ELIMIT notify: target longer than 2048 bytes
 *   LT_ELIMIT notify: "email:...": address longer than 254 bytes
 *   LT_ENOMEM
 * Kinds are lower case.  The spec is quoted with '"', '\' and bytes
 * outside printable ASCII escaped, and cut after 200 bytes. */
lt_rc lt_notify_target_parse(const char *spec, struct lt_notify_target **out,
			     struct lt_err *err);

/* Free t; lt_notify_target_free(NULL) is a no-op. */
void lt_notify_target_free(struct lt_notify_target *t);

enum lt_notify_kind lt_notify_target_kind(const struct lt_notify_target *t);

/* The URL or the address as given; NULL for console.  Borrowed: valid
 * until lt_notify_target_free.  A secret for webhooks and Slack: do not
 * log it, log lt_notify_target_name(). */
const char *lt_notify_target_address(const struct lt_notify_target *t);

/* The target as it may be shown in logs: "console", "email:ops@x.org",
 * "webhook:https://ci.example.com/hooks/lt" (no user, password, query or
 * fragment: a query shows as "?..."), "slack:https://hooks.slack.com/..."
 * (the path of a Slack URL is its secret).  Borrowed, like the address. */
const char *lt_notify_target_name(const struct lt_notify_target *t);

/* The name of a kind: "console", "webhook", "slack", "email"; NULL for a
 * value outside the enum.  Constant. */
const char *lt_notify_kind_name(enum lt_notify_kind kind);

/* Targets from a configuration value v: a string (one spec) or an array
 * of strings, at most LT_NOTIFY_MAX_TARGETS.  path names v in messages
 * ("notify", "thresholds.json: notify"; NULL gives "notify"), which then
 * read `notify[1]: "webhok:x": unknown kind ...` for an array element
 * and `notify: "webhok:x": ...` for a lone string.  A wrong type is
 * LT_EINVAL `notify: expected a string or an array of strings, got a
 * number` (or `notify[2]: expected a string, got ...`).  On success *out
 * is a new array of *n new targets (lt_notify_targets_free), NULL when
 * *n is 0 (an empty array); on failure both are unchanged. */
lt_rc lt_notify_targets_from_json(const cJSON *v, const char *path,
				  struct lt_notify_target ***out, size_t *n,
				  struct lt_err *err);

/* Free n targets and the array holding them; (NULL, 0) is a no-op. */
void lt_notify_targets_free(struct lt_notify_target **targets, size_t n);

/* ---- events ---- */

enum lt_notify_event_kind {
	LT_NOTIFY_REGRESSION = 1,        /* lt-regress found a regression */
	LT_NOTIFY_EXECUTION_FAILED,      /* a scheduled execution failed (for good) */
	LT_NOTIFY_EXECUTION_RECOVERED,   /* a schedule succeeded again after failing */
	LT_NOTIFY_TEST,                  /* "does my target work?" */
};

enum lt_notify_severity {
	LT_NOTIFY_INFO = 1,
	LT_NOTIFY_WARNING,
	LT_NOTIFY_CRITICAL,
};

/* "regression", "execution_failed", "execution_recovered", "test"; NULL
 * outside the enum.  Constant.  These are the "event" of the payload. */
const char *lt_notify_event_kind_name(enum lt_notify_event_kind kind);

/* "info", "warning", "critical"; NULL outside the enum.  Constant. */
const char *lt_notify_severity_name(enum lt_notify_severity severity);

/* What happened.  Every pointer is borrowed for the length of the call
 * that is given the event; strings must be UTF-8. */
struct lt_notify_event {
	enum lt_notify_event_kind kind;       /* required */
	enum lt_notify_severity severity;     /* required */
	const char *title;      /* required, one line: "checkout: p95 +49.7 % (critical)" */
	const char *text;       /* NULL or "": none; lines for people, plain text */
	const char *scenario_id;/* NULL: taken from execution, else from the
				 * first alert, else null */
	const char *run_id;     /* NULL: likewise */
	const char *link;       /* NULL: none; a URL to the details (a CI job, a report) */
	const cJSON *alerts;    /* NULL or an array of `alert` records (lt-ndjson(5));
				 * fields a record lacks are left out of the text */
	const cJSON *execution; /* NULL or an `execution` record */
	const char *event_id;   /* NULL: lt_notify_send_all makes a UUID, the same
				 * for every target and attempt, so that a receiver
				 * can drop a repeat */
	double time;            /* when it happened, seconds since the epoch, for
				 * sent_at and Date:; <= 0: the time of sending */
};

/* ---- payloads (what the targets receive; also for previews and tests) ----
 *
 * Each returns LT_OK with *out a new NUL-terminated string (free()), or
 * fails with *out unchanged: LT_EINVAL when the event is not valid (kind
 * or severity outside the enum, no title, a string that is not UTF-8,
 * alerts not an array, execution not an object), err saying which field
 * ("event: title is missing"); LT_ENOMEM.  An event with event_id NULL
 * gets "event_id": null and time <= 0 the current time. */

/* The readable text of the console and the e-mail body, lines ending in
 * "\n":
 *
 *   regression (critical): checkout: p95 +49.7 %
 *   scenario: checkout
 *   run: 6f1c...
 *   execution: schedule nightly, status failed, attempt 3, exit code 3
 *   alerts:
 *     responseTime.p95: 120.4 ms -> 180.2 ms (+49.7 %), critical, welch p=0.0012
 *     errorRate: 0.1 % -> 2 % (+1900.0 %), critical, threshold
 *
 *   <text>
 *
 *   link: https://ci.example.com/job/42
 *
 * Lines whose data is absent are left out.  Numbers print with at most 3
 * decimals, units from the metric name (responseTime.* ms, throughput.*
 * req/s, errorRate %). */
lt_rc lt_notify_format_text(const struct lt_notify_event *ev, char **out,
			    struct lt_err *err);

/* The webhook body, one line of JSON:
 *   {"event":"regression","event_id":"...","severity":"critical",
 *    "title":"...","text":"..."|null,"scenario_id":"..."|null,
 *    "run_id":"..."|null,"alerts":[<alert records as given>],
 *    "execution":{...}|null,"link":"..."|null,
 *    "sent_at":"2026-11-27T02:57:44.123Z","host":"...","source":"lt 0.1.0","v":1}
 * Field names are a contract, like the NDJSON records: added to, never
 * renamed. */
lt_rc lt_notify_webhook_json(const struct lt_notify_event *ev, char **out,
			     struct lt_err *err);

/* The Slack incoming-webhook body (Block Kit), for example:
 *   {"text":"[critical] checkout: p95 +49.7 %",      (the notification fallback)
 *    "blocks":[
 *     {"type":"header","text":{"type":"plain_text",
 *        "text":":rotating_light: checkout: p95 +49.7 %","emoji":true}},
 *     {"type":"section","text":{"type":"mrkdwn",
 *        "text":"*Regression* (critical)\n<text>"}},
 *     {"type":"section","fields":[                     (when there are ids)
 *        {"type":"mrkdwn","text":"*Scenario*\ncheckout"},
 *        {"type":"mrkdwn","text":"*Run*\nr1"},
 *        {"type":"mrkdwn","text":"*Schedule*\nnightly"},          (executions)
 *        {"type":"mrkdwn","text":"*Execution*\nstatus failed, attempt 3, exit code 3"}]},
 *     {"type":"section","fields":[                     (when there are alerts)
 *        {"type":"mrkdwn","text":"*responseTime.p95* (critical)\n"
 *                                "120.4 ms → 180.2 ms (+49.7 %)\nwelch p=0.0012"}, ...]},
 *     {"type":"context","elements":[{"type":"mrkdwn",
 *        "text":"lt 0.1.0 on <host> · <sent_at> · <https://ci/x|details>"}]}]}
 * Slack's limits are kept (Block Kit reference): a header at most 150
 * characters, section text 3000, at most 10 fields of 2000 each per
 * section; longer text is cut with "…", alerts go 10 per section and at
 * most 40 are listed (the context line counts the rest: "5 more alerts
 * not shown").  &, < and > in mrkdwn text are escaped as Slack asks, "|"
 * in the link as %7C.  Emoji by kind and severity: :rotating_light:
 * critical, :warning: warning, :information_source: info,
 * :white_check_mark: a recovery. */
lt_rc lt_notify_slack_json(const struct lt_notify_event *ev, char **out,
			   struct lt_err *err);

/* ---- sending ---- */

/* Defaults and bounds of struct lt_notify_options, in ms.  A field left 0
 * takes the default; a value above the bound is lowered to it. */
#define LT_NOTIFY_ATTEMPTS_DEFAULT        3
#define LT_NOTIFY_ATTEMPTS_MAX            10
#define LT_NOTIFY_BACKOFF_MS_DEFAULT      500
#define LT_NOTIFY_BACKOFF_MS_MAX          60000
#define LT_NOTIFY_CONNECT_TIMEOUT_MS_DEFAULT 5000
#define LT_NOTIFY_TIMEOUT_MS_DEFAULT      10000
#define LT_NOTIFY_TIMEOUT_MS_MAX          120000
#define LT_NOTIFY_BUDGET_MS_DEFAULT       30000
#define LT_NOTIFY_BUDGET_MS_MAX           600000
#define LT_NOTIFY_MAIL_TIMEOUT_MS_DEFAULT 30000

/* How to send.  NULL or a zeroed struct means every default. */
struct lt_notify_options {
	FILE *console;             /* where console targets write (the programs pass
				    * stderr); NULL: a console target fails
				    * (LT_EUSAGE), nothing is printed */
	/* HTTP (webhook, Slack).  Attempt k (1-based) that fails in a way worth
	 * retrying (no connection, a timeout, a reset, an answer 408, 429 or
	 * 5xx) is followed, while attempts remain, by a pause of backoff_ms *
	 * 2^(k-1) (at most LT_NOTIFY_BACKOFF_MS_MAX; a longer Retry-After of a
	 * 429 or 503 answer is honoured up to that bound).  Other failures
	 * (a 4xx answer, a 3xx: redirects are never followed, a TLS
	 * certificate that does not verify) are not retried.  No attempt and
	 * no pause starts past budget_ms from the first attempt, and each
	 * attempt's timeout is cut to what is left, so a target never takes
	 * much longer than budget_ms.  Defaults: 3 attempts, pauses of 0.5 s
	 * and 1 s, 5 s to connect, 10 s per attempt, 30 s in all. */
	unsigned attempts;            /* 0: 3; at most 10 */
	unsigned backoff_ms;          /* 0: 500; at most 60000 */
	unsigned connect_timeout_ms;  /* 0: 5000; at most timeout_ms */
	unsigned timeout_ms;          /* per attempt; 0: 10000; at most 120000 */
	unsigned budget_ms;           /* per target, all attempts and pauses;
				       * 0: 30000; at most 600000 */
	/* E-mail: sendmail must exit within mail_timeout_ms (0: 30000; at most
	 * LT_NOTIFY_BUDGET_MS_MAX) or its process group is killed (SIGKILL)
	 * and the send fails.  One attempt: sendmail queues and retries by
	 * itself. */
	unsigned mail_timeout_ms;
	const char *sendmail_path; /* NULL: $LT_SENDMAIL, else /usr/sbin/sendmail.
				    * A path, run with execv (not searched in $PATH) */
	const char *mail_from;     /* NULL: $LT_MAIL_FROM, else lt@<hostname>;
				    * checked like an email: address */
};

/* The outcome for one target. */
struct lt_notify_result {
	char target[256];   /* lt_notify_target_name(), cut to fit */
	struct lt_err err;  /* err.rc LT_OK on success, else the code and a
			     * message that stands alone in a log:
			     * "webhook:http://127.0.0.1:4000/hook: server answered 500:
			     *  {\"error\":\"down\"} (3 attempts in 1.5 s)" */
	unsigned attempts;  /* HTTP requests made (0 when none could start);
			     * 1 for console and e-mail once tried */
	long http_status;   /* the last HTTP status received, 0 when none */
	double elapsed_s;   /* time spent on this target */
};

/* Send ev to targets[0..n) and fill results[0..n) (every one, always).
 * Targets are served in parallel, one thread each (n > 1), so the call
 * takes about as long as the slowest target, bounded by the options.
 *
 * Returns LT_OK when every target succeeded, else the code of the first
 * failed target in the list; the return value is a summary for callers
 * that want one: report results[i].err and carry on.  An invalid event
 * is LT_EINVAL in every result (nothing sent).
 *
 * Codes in results: LT_ENET (HTTP: no connection, timeout, non-2xx
 * answer), LT_EIO (sendmail exited non-zero, was killed, or could not be
 * run; console stream write error), LT_ENOTFOUND (no sendmail at the
 * path), LT_EINVAL (bad event, bad $LT_MAIL_FROM), LT_EUSAGE (console
 * without a stream), LT_ENOMEM.
 *
 * Thread safety: callable from any thread; reads $LT_SENDMAIL and
 * $LT_MAIL_FROM (getenv), so no thread may setenv meanwhile.  The caller
 * must not ignore SIGCHLD nor reap every child (waitpid(-1)) while this
 * runs, or sendmail's exit status is lost (reported as a failure).
 * Sending raises no SIGPIPE of its own (sendmail's stdin is a socket
 * written with MSG_NOSIGNAL, as libcurl writes its sockets on Linux);
 * lt's programs ignore SIGPIPE anyway.  Inputs are borrowed. */
lt_rc lt_notify_send_all(struct lt_notify_target *const *targets, size_t n,
			 const struct lt_notify_event *ev,
			 const struct lt_notify_options *opts,
			 struct lt_notify_result *results);

/* One target, in the calling thread: lt_notify_send_all with n = 1.
 * Returns result->err.rc. */
lt_rc lt_notify_send(const struct lt_notify_target *target,
		     const struct lt_notify_event *ev,
		     const struct lt_notify_options *opts,
		     struct lt_notify_result *result);

#endif
