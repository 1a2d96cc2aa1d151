/* lt-sched -- run scenarios on cron schedules, with retries and an audit trail.
 *
 * Options are parsed here, from the one table below that --help is also
 * printed from; the work is libltcore's: schedule (schedules, the lock,
 * executions, batch), cron (fire times), db (the database).
 */
#include "cron.h"
#include "db.h"
#include "lt.h"
#include "ndjson.h"
#include "schedule.h"
#include "scenario.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char synopsis[] =
	"usage: lt-sched add [--db <path>] [--replace] (<file> | - | --name <name> --scenario <id|file>\n"
	"                    --schedule <expr> [<schedule options>])\n"
	"       lt-sched list [--db <path>] [--json]\n"
	"       lt-sched rm|enable|disable [--db <path>] <name>...\n"
	"       lt-sched next [--from <time>] [--count <n>] [--tz <zone>] <expr>\n"
	"       lt-sched run-due [--db <path>] [--now <time>] [--grace <time>] [-q]\n"
	"       lt-sched daemon [--db <path>] [--now <time>] [--grace <time>] [--poll <time>] [-q]\n"
	"       lt-sched history [--db <path>] [--name <name>] [--limit <n>] [--json]\n"
	"       lt-sched batch [--db <path>] (--scenarios <a,b,...> | --all) [--parallel <n>]\n"
	"                      [--env <env>] [--duration <time>] [--timeout <time>]\n"
	"       lt-sched crontab [--db <path>]\n";

enum {
	O_DB = 256, O_NAME, O_SCENARIO, O_SCHEDULE, O_TZ, O_DISABLED, O_COMPARE, O_NOTIFY_REG,
	O_ENV, O_RETRIES, O_BACKOFF, O_TIMEOUT, O_POLICY, O_DEADLINE, O_HISTORY, O_NOTIFY,
	O_DURATION, O_REPLACE, O_JSON, O_FROM, O_COUNT, O_NOW, O_GRACE, O_POLL, O_LIMIT,
	O_SCENARIOS, O_ALL, O_PARALLEL, O_BUSY, O_QUIET, O_HELP, O_VERSION,
};

/* Every option, the commands it belongs to ("*": all) and its help. */
static const struct optdef {
	const char *name;
	int id;
	const char *arg;      /* NULL: a flag */
	const char *cmds;
	const char *help;
} optdefs[] = {
	{"db", O_DB, "path", "*", "the database (default: $LT_DB, else ~/.local/share/lt/lt.db)"},
	{"name", O_NAME, "name", "add history", "add: the schedule's name; history: only its executions"},
	{"scenario", O_SCENARIO, "id|file", "add", "a scenario stored in the database, or a scenario file"},
	{"schedule", O_SCHEDULE, "expr", "add", "cron expression: \"0 2 * * *\", \"*/15 9-17 * * mon-fri\", @daily"},
	{"tz", O_TZ, "zone", "add next", "IANA time zone of the expression (default: $TZ, else local)"},
	{"disabled", O_DISABLED, NULL, "add", "add the schedule disabled"},
	{"compare-baseline", O_COMPARE, NULL, "add", "pipe into lt-regress check instead of lt-store"},
	{"notify-on-regression", O_NOTIFY_REG, NULL, "add", "pass the notify targets to lt-regress check"},
	{"env", O_ENV, "env", "add batch", "environment of the regression check"},
	{"retries", O_RETRIES, "n", "add", "retries of a failed attempt (default 0)"},
	{"backoff", O_BACKOFF, "time", "add", "pause before the first retry, doubled each time (30s)"},
	{"timeout", O_TIMEOUT, "time", "add batch", "longest an attempt may run (default: none)"},
	{"concurrency-policy", O_POLICY, "policy", "add", "forbid (default), allow or replace"},
	{"starting-deadline", O_DEADLINE, "time", "add", "skip a fire time missed by more (default: none)"},
	{"history-limit", O_HISTORY, "n", "add", "executions kept (default 100)"},
	{"notify", O_NOTIFY, "target", "add", "console, webhook:URL, slack:URL, email:ADDR (repeatable)"},
	{"duration", O_DURATION, "time", "add batch", "override the scenario's duration (lt-run --duration)"},
	{"replace", O_REPLACE, NULL, "add", "replace schedules of the same name"},
	{"json", O_JSON, NULL, "list history", "one JSON object per line"},
	{"from", O_FROM, "time", "next", "start after this time (default: now)"},
	{"count", O_COUNT, "n", "next", "how many fire times (default 5)"},
	{"now", O_NOW, "time", "next run-due daemon add enable", "pretend the clock reads <time> ($LT_SCHED_NOW)"},
	{"grace", O_GRACE, "time", "run-due daemon", "on SIGTERM, wait this long for running executions (30s)"},
	{"poll", O_POLL, "time", "daemon", "re-read the schedules at least this often (10s)"},
	{"limit", O_LIMIT, "n", "history", "at most <n> attempts, newest first (default 20, 0: all)"},
	{"scenarios", O_SCENARIOS, "a,b,...", "batch", "the scenarios to check (stored ids or files)"},
	{"all", O_ALL, NULL, "batch", "every scenario with a baseline in the environment"},
	{"parallel", O_PARALLEL, "n", "batch", "check <n> scenarios at once (default 1)"},
	{"busy-timeout", O_BUSY, "time", "*", "wait this long for another writer (default 10s)"},
	{"quiet", O_QUIET, NULL, "run-due daemon", "no progress messages on stderr"},
	{"help", O_HELP, NULL, "*", "show this help"},
	{"version", O_VERSION, NULL, "*", "show the version"},
};
#define N_OPTDEFS (sizeof optdefs / sizeof *optdefs)

static const char *const commands[] = {
	"add", "list", "rm", "enable", "disable", "next", "run-due", "daemon", "history", "batch",
	"crontab",
};

struct opts {
	const char *cmd, *db, *name, *scenario, *expr, *tz, *env, *policy, *from, *scenarios;
	const char *notify[LT_NOTIFY_MAX_TARGETS];
	size_t n_notify;
	double backoff_s, timeout_s, deadline_s, duration_s, grace_s, poll_s, busy_s;
	long retries, history_limit, count, limit, parallel;
	bool disabled, compare, notify_reg, replace, json, all, quiet, have_now;
	double now;
};

static volatile sig_atomic_t stop_flag, stop_now_flag;

static void on_signal(int sig)
{
	(void)sig;
	if (stop_flag)
		stop_now_flag = 1;
	stop_flag = 1;
}

static int fail(const struct lt_err *err, lt_rc rc)
{
	fprintf(stderr, "lt-sched: %s\n", lt_errmsg(err));
	return lt_rc_exit_status(rc);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "lt-sched: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", synopsis);
	return 2;
}

static void help(void)
{
	fputs(synopsis, stdout);
	puts("\nRun load tests on cron schedules; see lt-sched(1).\n");
	for (size_t i = 0; i < N_OPTDEFS; i++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s%s", optdefs[i].name, optdefs[i].arg ? " <" : "",
			 optdefs[i].arg ? optdefs[i].arg : "", optdefs[i].arg ? ">" : "");
		printf("  %-30s %s\n", left, optdefs[i].help);
	}
}

static bool applies(const struct optdef *d, const char *cmd)
{
	size_t n = strlen(cmd);
	if (!strcmp(d->cmds, "*"))
		return true;
	for (const char *p = d->cmds; (p = strstr(p, cmd)); p += n)
		if ((p == d->cmds || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	struct option lo[N_OPTDEFS + 1];
	int opt;

	for (size_t i = 0; i < N_OPTDEFS; i++)
		lo[i] = (struct option){ optdefs[i].name,
					 optdefs[i].arg ? required_argument : no_argument, NULL,
					 optdefs[i].id };
	memset(&lo[N_OPTDEFS], 0, sizeof lo[0]);
	while ((opt = getopt_long(argc, argv, "hq", lo, NULL)) != -1) {
		const struct optdef *d = NULL;
		if (opt == 'h')
			opt = O_HELP;
		if (opt == 'q')
			opt = O_QUIET;
		for (size_t i = 0; i < N_OPTDEFS; i++)
			if (optdefs[i].id == opt)
				d = &optdefs[i];
		if (!d) {
			fputs(synopsis, stderr);
			return 2;
		}
		if (!applies(d, o->cmd)) {
			fprintf(stderr, "lt-sched %s: --%s does not apply (it is for: %s)\n", o->cmd,
				d->name, d->cmds);
			return 2;
		}
		double *dur = NULL;
		long *num = NULL, lim = 1000000;
		long lower = 0;
		switch (opt) {
		case O_DB: o->db = optarg; break;
		case O_NAME: o->name = optarg; break;
		case O_SCENARIO: o->scenario = optarg; break;
		case O_SCHEDULE: o->expr = optarg; break;
		case O_TZ: o->tz = optarg; break;
		case O_DISABLED: o->disabled = true; break;
		case O_COMPARE: o->compare = true; break;
		case O_NOTIFY_REG: o->notify_reg = true; break;
		case O_ENV: o->env = optarg; break;
		case O_RETRIES: num = &o->retries; lim = LT_SCHEDULE_RETRIES_MAX; break;
		case O_BACKOFF: dur = &o->backoff_s; break;
		case O_TIMEOUT: dur = &o->timeout_s; break;
		case O_POLICY: o->policy = optarg; break;
		case O_DEADLINE: dur = &o->deadline_s; break;
		case O_HISTORY: num = &o->history_limit; lower = 1; break;
		case O_NOTIFY:
			if (o->n_notify == LT_NOTIFY_MAX_TARGETS)
				return usage_error("--notify: at most 64 targets%s", "");
			o->notify[o->n_notify++] = optarg;
			break;
		case O_DURATION: dur = &o->duration_s; break;
		case O_REPLACE: o->replace = true; break;
		case O_JSON: o->json = true; break;
		case O_FROM: o->from = optarg; break;
		case O_COUNT: num = &o->count; lower = 1; lim = 100000; break;
		case O_NOW: {
			time_t t;
			struct lt_err err = {0};
			if (lt_cron_parse_time(optarg, NULL, &t, &err) != LT_OK) {
				fprintf(stderr, "lt-sched: --now: %s\n", lt_errmsg(&err));
				return 2;
			}
			o->now = (double)t;
			o->have_now = true;
			break;
		}
		case O_GRACE: dur = &o->grace_s; break;
		case O_POLL: dur = &o->poll_s; break;
		case O_LIMIT: num = &o->limit; break;
		case O_SCENARIOS: o->scenarios = optarg; break;
		case O_ALL: o->all = true; break;
		case O_PARALLEL: num = &o->parallel; lower = 1; lim = 64; break;
		case O_BUSY: dur = &o->busy_s; break;
		case O_QUIET: o->quiet = true; break;
		case O_HELP: help(); exit(0);
		case O_VERSION: printf("lt-sched %s\n", LT_VERSION); exit(0);
		}
		if (dur && !lt_scenario_duration_parse(optarg, dur)) {
			fprintf(stderr, "lt-sched: --%s: expected a duration (30, 30s, 5m, 1h), got '%s'\n",
				d->name, optarg);
			return 2;
		}
		if (num && !parse_long(optarg, lower, lim, num)) {
			fprintf(stderr, "lt-sched: --%s: expected a whole number %ld-%ld, got '%s'\n",
				d->name, lower, lim, optarg);
			return 2;
		}
	}
	return 0;
}

/* The environment's LT_SCHED_NOW stands in for --now. */
static int now_from_env(struct opts *o)
{
	const char *env = getenv("LT_SCHED_NOW");
	struct lt_err err = {0};
	time_t t;

	if (o->have_now || !env || !*env)
		return 0;
	if (lt_cron_parse_time(env, NULL, &t, &err) != LT_OK) {
		fprintf(stderr, "lt-sched: LT_SCHED_NOW: %s\n", lt_errmsg(&err));
		return 2;
	}
	o->now = (double)t;
	o->have_now = true;
	return 0;
}

static double clock_now(const struct opts *o)
{
	return o->have_now ? o->now : lti_time_now();
}

static int open_db(const struct opts *o, unsigned flags, struct lt_db **db)
{
	struct lt_err err = {0};
	lt_rc rc = lt_db_open(o->db, flags, db, &err);
	if (rc != LT_OK)
		return fail(&err, rc);
	if (o->busy_s > 0)
		lt_db_set_busy_timeout(*db, (int)(o->busy_s * 1000));
	return 0;
}

/* ---- next ---- */

static int cmd_next(const struct opts *o, char **args, int n)
{
	struct lt_cron *c = NULL;
	struct lt_err err = {0};
	char buf[LT_CRON_TIME_LEN];
	time_t t = (time_t)floor(clock_now(o));
	lt_rc rc;

	if (n != 1)
		return usage_error("next: expected one cron expression (quote it)%s", "");
	if ((rc = lt_cron_zone_check(o->tz, &err)) != LT_OK ||
	    (o->from && (rc = lt_cron_parse_time(o->from, o->tz, &t, &err)) != LT_OK) ||
	    (rc = lt_cron_parse(args[0], &c, &err)) != LT_OK)
		return fail(&err, rc);
	for (long i = 0; i < (o->count ? o->count : 5); i++) {
		if ((rc = lt_cron_next(c, o->tz, t, &t, &err)) != LT_OK ||
		    (rc = lt_cron_format_time(t, o->tz, buf, &err)) != LT_OK)
			break;
		puts(buf);
	}
	lt_cron_free(c);
	if (rc == LT_ENOTFOUND && o->count == 0 && t == (time_t)floor(clock_now(o)))
		fprintf(stderr, "lt-sched: \"%s\" never fires\n", args[0]);
	else if (rc == LT_ENOTFOUND)
		fprintf(stderr, "lt-sched: \"%s\" fires no more times\n", args[0]);
	return rc == LT_OK ? 0 : rc == LT_ENOTFOUND ? 1 : fail(&err, rc);
}

/* ---- add, list, rm, enable, disable ---- */

/* The schedule object of the flags, in the format of a schedule file. */
static cJSON *object_from_flags(const struct opts *o)
{
	cJSON *obj = cJSON_CreateObject(), *opt, *r, *a;
	if (!obj)
		return NULL;
	cJSON_AddStringToObject(obj, "name", o->name);
	cJSON_AddStringToObject(obj, "scenarioId", o->scenario);
	cJSON_AddStringToObject(obj, "schedule", o->expr);
	if (o->tz)
		cJSON_AddStringToObject(obj, "timezone", o->tz);
	cJSON_AddBoolToObject(obj, "enabled", !o->disabled);
	opt = cJSON_AddObjectToObject(obj, "options");
	cJSON_AddBoolToObject(opt, "compareBaseline", o->compare);
	cJSON_AddBoolToObject(opt, "notifyOnRegression", o->notify_reg);
	if (o->duration_s > 0)
		cJSON_AddNumberToObject(opt, "duration", o->duration_s);
	if ((r = cJSON_AddObjectToObject(obj, "retries"))) {
		cJSON_AddNumberToObject(r, "max", (double)o->retries);
		if (o->backoff_s >= 0)
			cJSON_AddNumberToObject(r, "backoff", o->backoff_s);
	}
	if (o->timeout_s > 0)
		cJSON_AddNumberToObject(obj, "timeout", o->timeout_s);
	if (o->policy)
		cJSON_AddStringToObject(obj, "concurrencyPolicy", o->policy);
	if (o->deadline_s >= 0)
		cJSON_AddNumberToObject(obj, "startingDeadlineSeconds", o->deadline_s);
	if (o->history_limit)
		cJSON_AddNumberToObject(obj, "historyLimit", (double)o->history_limit);
	if (o->env)
		cJSON_AddStringToObject(obj, "environment", o->env);
	if (o->n_notify && (a = cJSON_AddArrayToObject(obj, "notify")))
		for (size_t i = 0; i < o->n_notify; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(o->notify[i]));
	return obj;
}

static int cmd_add(const struct opts *o, char **args, int n)
{
	struct lt_schedule **list = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	cJSON *doc = NULL, *item;
	char *text = NULL;
	const char *src = "command line";
	size_t k = 0, count;
	lt_rc rc = LT_OK;
	int status;

	if (n > 1 || (n == 1 && (o->name || o->scenario || o->expr)))
		return usage_error("add: give a schedule file or --name, --scenario and "
				   "--schedule%s", "");
	if (n == 1) {
		src = strcmp(args[0], "-") ? args[0] : "<stdin>";
		if ((rc = lti_read_file(args[0], 1 << 20, &text, NULL, &err)) != LT_OK)
			return fail(&err, rc);
		if (!(doc = cJSON_Parse(text))) {
			free(text);
			fprintf(stderr, "lt-sched: %s: not valid JSON\n", src);
			return 2;
		}
		free(text);
	} else if (!o->name || !o->scenario || !o->expr) {
		return usage_error("add: --name, --scenario and --schedule are required "
				   "(or give a schedule file)%s", "");
	} else if (!(doc = object_from_flags(o))) {
		fputs("lt-sched: out of memory\n", stderr);
		return 3;
	}
	/* A file holds one schedule or an array of them, added together. */
	count = cJSON_IsArray(doc) ? (size_t)cJSON_GetArraySize(doc) : 1;
	if (!(list = calloc(count + 1, sizeof *list))) {
		cJSON_Delete(doc);
		return 3;
	}
	if ((status = open_db(o, 0, &db)))
		goto out;
	for (item = cJSON_IsArray(doc) ? doc->child : doc; item && rc == LT_OK;
	     item = cJSON_IsArray(doc) ? item->next : NULL) {
		char where[PATH_MAX + 32];
		if (cJSON_IsArray(doc))
			snprintf(where, sizeof where, "%s: [%zu]", src, k);
		else
			snprintf(where, sizeof where, "%s", src);
		if ((rc = lt_schedule_from_json(item, where, &list[k], &err)) == LT_OK) {
			k++;
			if ((rc = lt_schedule_resolve(db, list[k - 1], &err)) != LT_OK)
				lt_err_prefix(&err, "%s", where);
		}
	}
	if (rc == LT_OK)
		rc = lt_schedule_add(db, list, k, o->replace, clock_now(o), &err);
	status = rc == LT_OK ? 0 : fail(&err, rc);
	for (size_t i = 0; rc == LT_OK && i < k; i++) {
		struct lt_schedule_due due;
		char when[LT_CRON_TIME_LEN] = "never";
		list[i]->created_at = clock_now(o);
		if (lt_schedule_due(list[i], clock_now(o), &due, &err) == LT_OK && due.next_fire >= 0)
			lt_cron_format_time(due.next_fire, list[i]->timezone, when, &err);
		printf("%s schedule %s: %s, scenario %s, next %s%s\n",
		       o->replace ? "saved" : "added", list[i]->name, list[i]->expr,
		       list[i]->scenario_id, when, list[i]->enabled ? "" : " (disabled)");
	}
out:
	lt_schedule_list_free(list, k);
	cJSON_Delete(doc);
	lt_db_close(db);
	return status;
}

static int cmd_list(const struct opts *o)
{
	struct lt_schedule **list = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	size_t n = 0;
	lt_rc rc;

	if ((rc = lt_db_open(o->db, LT_DB_READONLY, &db, &err)) == LT_ENOTFOUND)
		return 0; /* no database yet: no schedules */
	if (rc != LT_OK || (rc = lt_schedule_list(db, &list, &n, &err)) != LT_OK) {
		lt_db_close(db);
		return fail(&err, rc);
	}
	if (!o->json && n)
		printf("%-20s %-7s %-18s %-16s %-25s %s\n", "NAME", "ENABLED", "SCHEDULE", "TIMEZONE",
		       "NEXT", "SCENARIO");
	for (size_t i = 0; i < n; i++) {
		struct lt_schedule *s = list[i];
		struct lt_schedule_due due = { .next_fire = -1 };
		char when[LT_CRON_TIME_LEN] = "-";
		lt_schedule_due(s, clock_now(o), &due, &err);
		if (o->json) {
			cJSON *j = lt_schedule_to_json(s, s->enabled ? (double)due.next_fire : -1);
			char *line = j ? cJSON_PrintUnformatted(j) : NULL;
			if (line)
				puts(line);
			cJSON_free(line);
			cJSON_Delete(j);
			continue;
		}
		if (s->enabled && due.next_fire >= 0)
			lt_cron_format_time(due.next_fire, s->timezone, when, &err);
		printf("%-20s %-7s %-18s %-16s %-25s %s\n", s->name, s->enabled ? "yes" : "no",
		       s->expr, s->timezone ? s->timezone : "local", when,
		       s->scenario_path ? s->scenario_path : s->scenario_id);
	}
	lt_schedule_list_free(list, n);
	lt_db_close(db);
	return 0;
}

static int cmd_names(const struct opts *o, char **args, int n)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	int status = 0;

	if (n < 1)
		return usage_error("%s: expected one or more schedule names", o->cmd);
	if ((status = open_db(o, 0, &db)))
		return status;
	for (int i = 0; i < n; i++) {
		char at[LTI_TIME_LEN];
		lt_rc rc;
		lti_time_format(clock_now(o), at);
		if (!strcmp(o->cmd, "rm"))
			rc = lt_db_schedule_delete(db, args[i], &err);
		else
			rc = lt_db_schedule_set_enabled(db, args[i], !strcmp(o->cmd, "enable"), at, &err);
		if (rc != LT_OK)
			status = fail(&err, rc);
	}
	lt_db_close(db);
	return status;
}

/* ---- run-due and daemon ---- */

static void on_event(const struct lt_schedule_event *ev, void *ctx)
{
	const struct opts *o = ctx;
	struct lt_err err = {0};

	if (ev->kind == LT_SCHEDULE_EV_RECORD) {
		/* Flushed even to a file: a daemon's log is read while it runs. */
		if ((lt_ndjson_write(stdout, ev->record, &err) != LT_OK || fflush(stdout) != 0) &&
		    errno != EPIPE)
			fprintf(stderr, "lt-sched: writing a record: %s\n", lt_errmsg(&err));
		/* Failures are told even with -q: under cron, stderr is the
		 * mail that says something went wrong. */
		if (!o->quiet || !strcmp(ev->status, "failed") || !strcmp(ev->status, "regression")) {
			double attempt = 1, code = -1, retry = -1;
			lt_ndjson_get_num(ev->record, "attempt", &attempt);
			lt_ndjson_get_num(ev->record, "exit_code", &code);
			lt_ndjson_get_num(ev->record, "retry_in_s", &retry);
			fprintf(stderr, "lt-sched: %s: execution %.8s attempt %.0f: %s, exit code %.0f",
				ev->schedule, lt_ndjson_get_str(ev->record, "execution_id"), attempt,
				ev->status, code);
			if (retry >= 0)
				fprintf(stderr, "; retry in %g s", retry);
			fputc('\n', stderr);
		}
		return;
	}
	if (ev->kind == LT_SCHEDULE_EV_WARNING || !o->quiet)
		fprintf(stderr, "lt-sched: %s\n", ev->message);
}

static char *bindir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	return lti_strdup(dirname(path));
}

static void install_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int cmd_run(const struct opts *o, bool daemon)
{
	struct lt_schedule_runner *r = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char *dir = bindir();
	size_t ok = 0, failed = 0, regressions = 0;
	lt_rc rc;
	int status;

	if ((status = open_db(o, 0, &db))) {
		free(dir);
		return status;
	}
	struct lt_schedule_env env = {
		.db_path = lt_db_path(db), .bindir = dir,
		.now_offset_s = o->have_now ? o->now - lti_time_now() : 0,
		.on_event = on_event, .event_ctx = (void *)o, .console = stderr,
		.busy_timeout_ms = o->busy_s > 0 ? (int)(o->busy_s * 1000) : 0,
		.stop = &stop_flag, .stop_now = &stop_now_flag,
		.grace_s = o->grace_s >= 0 ? o->grace_s : 30,
	};
	install_signals();
	if ((rc = lt_schedule_runner_new(&env, &r, &err)) != LT_OK) {
		status = fail(&err, rc);
		goto out;
	}
	if (daemon && !o->quiet)
		fprintf(stderr, "lt-sched: daemon started (database %s)\n", lt_db_path(db));
	do {
		double next = -1, now = lt_schedule_runner_now(r);
		double wake = now + (o->poll_s > 0 ? o->poll_s : 10);
		if ((rc = lt_schedule_runner_tick(r, db, NULL, &next, &err)) != LT_OK) {
			if (!daemon) {
				status = fail(&err, rc);
				break;
			}
			/* A locked or briefly unusable database must not end the
			 * daemon: say so and try again at the next wake-up. */
			fprintf(stderr, "lt-sched: %s\n", lt_errmsg(&err));
		}
		if (!daemon)
			break;
		if (next >= 0 && next < wake)
			wake = next;
		lt_schedule_runner_sleep(r, wake);
	} while (!stop_flag);
	if (stop_flag && lt_schedule_runner_active(r) && !o->quiet)
		fprintf(stderr, "lt-sched: stopping: %zu execution%s running, %g s to finish\n",
			lt_schedule_runner_active(r), lt_schedule_runner_active(r) == 1 ? "" : "s",
			env.grace_s);
	lt_schedule_runner_wait(r, &ok, &failed, &regressions);
	if (status == 0)
		status = stop_flag && !daemon ? 130 : (!daemon && (failed || regressions)) ? 1 : 0;
	if (daemon && !o->quiet)
		fprintf(stderr, "lt-sched: daemon stopped\n");
out:
	lt_schedule_runner_free(r);
	lt_db_close(db);
	free(dir);
	return status;
}

/* ---- history ---- */

static int cmd_history(const struct opts *o)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	cJSON *rows = NULL, *row;
	lt_rc rc;

	if ((rc = lt_db_open(o->db, LT_DB_READONLY, &db, &err)) == LT_ENOTFOUND)
		return 0;
	if (rc != LT_OK ||
	    (rc = lt_db_executions_list(db, o->name, (size_t)(o->limit >= 0 ? o->limit : 20), &rows,
					&err)) != LT_OK) {
		lt_db_close(db);
		return fail(&err, rc);
	}
	if (!o->json && cJSON_GetArraySize(rows))
		printf("%-8s %-20s %-20s %3s %-10s %-20s %8s %4s %s\n", "EXEC", "SCHEDULE",
		       "FIRE TIME", "TRY", "STATUS", "STARTED", "SECONDS", "EXIT", "RUN");
	cJSON_ArrayForEach(row, rows) {
		const char *g = NULL;
		double start = 0, end = -1, attempt = 1, code = -1;
		lt_ndjson_get_time(row, "started_at", &start);
		lt_ndjson_get_time(row, "finished_at", &end);
		lt_ndjson_get_num(row, "attempt", &attempt);
		lt_ndjson_get_num(row, "exit_code", &code);
		if (o->json) {
			/* The execution record as lt-ndjson(5) has it: type and v
			 * first, absent values left out rather than null. */
			cJSON *out = cJSON_CreateObject(), *f;
			cJSON_AddStringToObject(out, "type", "execution");
			cJSON_AddNumberToObject(out, "v", 1);
			cJSON_ArrayForEach(f, row)
				if (!cJSON_IsNull(f) && strcmp(f->string, "recorded_at") != 0)
					cJSON_AddItemToObject(out, f->string, cJSON_Duplicate(f, 1));
			lt_ndjson_write(stdout, out, &err);
			cJSON_Delete(out);
			continue;
		}
		char secs[32] = "-", exit_s[16] = "-";
		if (end >= start)
			snprintf(secs, sizeof secs, "%.1f", end - start);
		if (code >= 0)
			snprintf(exit_s, sizeof exit_s, "%.0f", code);
		g = lt_ndjson_get_str(row, "fire_time");
		printf("%-8.8s %-20.20s %-20.19s %3.0f %-10s %-20.19s %8s %4s %.8s\n",
		       lt_ndjson_get_str(row, "execution_id"), lt_ndjson_get_str(row, "schedule"),
		       g ? g : "-", attempt, lt_ndjson_get_str(row, "status"),
		       lt_ndjson_get_str(row, "started_at"), secs, exit_s,
		       lt_ndjson_get_str(row, "run_id") ? lt_ndjson_get_str(row, "run_id") : "-");
	}
	cJSON_Delete(rows);
	lt_db_close(db);
	return 0;
}

/* ---- batch ---- */

static void on_batch_item(const struct lt_schedule_batch_item *it, void *ctx)
{
	(void)ctx;
	printf("%-24s %-10s run %-8.8s %6.1f s  %s\n", it->scenario_id ? it->scenario_id : it->scenario,
	       it->status, it->run_id ? it->run_id : "-", it->duration_s, it->detail);
	fflush(stdout);
}

static int cmd_batch(const struct opts *o, int n)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char **ids = NULL, *copy = NULL, *dir = bindir();
	size_t count = 0, failed = 0;
	cJSON *run_options = NULL;
	lt_rc rc = LT_OK;
	int status;

	if (n || (!o->scenarios == !o->all)) {
		free(dir);
		return usage_error("batch: give --scenarios <a,b,...> or --all%s", "");
	}
	if ((status = open_db(o, 0, &db))) {
		free(dir);
		return status;
	}
	install_signals();
	if (o->all) {
		if ((rc = lt_schedule_batch_all(db, o->env, &ids, &count, &err)) == LT_OK && !count)
			rc = lt_err_set(&err, LT_ENOTFOUND, "no scenario has a baseline in environment %s "
					"(set one with lt-baseline set)", o->env ? o->env : "default");
	} else if (!(copy = lti_strdup(o->scenarios)) ||
		   !(ids = calloc(strlen(o->scenarios) / 2 + 2, sizeof *ids))) {
		rc = lt_err_set(&err, LT_ENOMEM, "out of memory");
	} else {
		for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			ids[count++] = t;
		if (!count)
			rc = lt_err_set(&err, LT_EUSAGE, "--scenarios: no scenario named");
	}
	if (rc == LT_OK && o->duration_s > 0 && (run_options = cJSON_CreateObject()))
		cJSON_AddNumberToObject(run_options, "duration", o->duration_s);
	struct lt_schedule_batch_opts bo = {
		.db_path = lt_db_path(db), .bindir = dir, .environment = o->env,
		.parallel = (unsigned)(o->parallel > 0 ? o->parallel : 1), .run_options = run_options,
		.timeout_s = o->timeout_s > 0 ? o->timeout_s : 0, .stop = &stop_flag,
	};
	if (rc == LT_OK)
		rc = lt_schedule_batch(db, (const char *const *)ids, count, &bo, on_batch_item, NULL,
				       &failed, &err);
	if (rc != LT_OK)
		status = fail(&err, rc);
	else
		status = stop_flag ? 130 : failed ? 1 : 0;
	if (o->all)
		for (size_t i = 0; i < count; i++)
			free(ids[i]);
	free(ids);
	free(copy);
	free(dir);
	cJSON_Delete(run_options);
	lt_db_close(db);
	return status;
}

/* ---- crontab ---- */

static int cmd_crontab(const struct opts *o)
{
	struct lt_err err = {0};
	char exe[PATH_MAX], *db = NULL, *abs = NULL, *line = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	lt_rc rc;

	if (n <= 0)
		snprintf(exe, sizeof exe, "lt-sched");
	else
		exe[n] = '\0';
	if ((rc = lt_db_default_path(o->db, &db, &err)) != LT_OK)
		return fail(&err, rc);
	/* cron starts in $HOME: a relative --db must become absolute. */
	if (db[0] != '/' && (abs = malloc(PATH_MAX + strlen(db) + 2)) && getcwd(abs, PATH_MAX)) {
		strcat(strcat(abs, "/"), db);
		free(db);
		db = abs;
		abs = NULL;
	}
	free(abs);
	if ((rc = lt_schedule_crontab_line(exe, db, &line, &err)) != LT_OK) {
		free(db);
		return fail(&err, rc);
	}
	printf("# lt-sched: run the due schedules of %s every minute (add with crontab -e)\n%s\n", db,
	       line);
	free(line);
	free(db);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .backoff_s = -1, .deadline_s = -1, .grace_s = -1, .limit = -1 };
	int status;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		help();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("lt-sched %s\n", LT_VERSION);
		return 0;
	}
	for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i]))
			o.cmd = commands[i];
	if (!o.cmd) {
		if (argc > 1)
			fprintf(stderr, "lt-sched: unknown command '%s'\n", argv[1]);
		else
			fprintf(stderr, "lt-sched: expected a command\n");
		fputs(synopsis, stderr);
		return 2;
	}
	argv++;
	argc--;
	if ((status = parse_args(argc, argv, &o)) || (status = now_from_env(&o)))
		return status;
	char **rest = argv + optind;
	int n = argc - optind;
	bool takes_args = !strcmp(o.cmd, "add") || !strcmp(o.cmd, "rm") || !strcmp(o.cmd, "enable") ||
			  !strcmp(o.cmd, "disable") || !strcmp(o.cmd, "next") || !strcmp(o.cmd, "batch");
	if (!takes_args && n)
		return usage_error("unexpected argument '%s'", rest[0]);
	if (!strcmp(o.cmd, "next"))
		return cmd_next(&o, rest, n);
	if (!strcmp(o.cmd, "add"))
		return cmd_add(&o, rest, n);
	if (!strcmp(o.cmd, "list"))
		return cmd_list(&o);
	if (!strcmp(o.cmd, "run-due") || !strcmp(o.cmd, "daemon"))
		return cmd_run(&o, !strcmp(o.cmd, "daemon"));
	if (!strcmp(o.cmd, "history"))
		return cmd_history(&o);
	if (!strcmp(o.cmd, "batch"))
		return cmd_batch(&o, n);
	if (!strcmp(o.cmd, "crontab"))
		return cmd_crontab(&o);
	return cmd_names(&o, rest, n);
}
