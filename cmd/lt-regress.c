/* lt-regress -- compare runs with their baseline, alerts, thresholds, statistics.
 *
 * The work is libltcore's (regress: the model and the statistics; store:
 * recording stdin; db: alerts, thresholds); this file parses and prints.
 */
#include "analytics.h"
#include "benchcheck.h"
#include "db.h"
#include "lt.h"
#include "ndjson.h"
#include "notify.h"
#include "regress.h"
#include "report.h"
#include "store.h"
#include "util.h"
#include "watch.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: lt-regress check [--db <path>] [--env <env>] [--thresholds <file>] [--run <run>]\n"
	"                        [--fail-on critical|warning] [--notify <target>]... [--json]\n"
	"       lt-regress alerts [--db <path>] [--scenario <id>] [--unacked] [--limit <n>] [--json]\n"
	"       lt-regress ack [--db <path>] [--note <text>] [--by <name>] <alert>\n"
	"       lt-regress thresholds set [--db <path>] [--scenario <id>] <file>\n"
	"       lt-regress thresholds show [--db <path>] [--scenario <id>]\n"
	"       lt-regress report [--db <path>] [--env <env>] [--format text|markdown|json|html|junit]\n"
	"                         <scenario>\n"
	"       lt-regress stat [--field <name>] [--alpha <a>] <method> <file> [<file>]\n"
	"       lt-regress trend|changepoints|seasonality [--db <path>] [--metric <m>] [--window <n>]\n"
	"                        [--alpha <a>] [--seed <n>] [--json] (<scenario> | --input <file>)\n"
	"       lt-regress forecast [--db <path>] [--metric <m>] [--window <n>] [--horizon <n>]\n"
	"                           [--threshold <value>] [--json] (<scenario> | --input <file>)\n"
	"       lt-regress correlate [--db <path>] [--window <n>] [--json] <scenario>\n"
	"       lt-regress train [--db <path>] [--window <n>] [--epochs <n>] [--seed <n>]\n"
	"                        [--per-second] [--json] <scenario>...\n"
	"       lt-regress anomaly [--db <path>] [--json] [<run> | -]\n"
	"       lt-regress watch [--db <path>] [--env <env>] [--thresholds <file>] [--notify <target>]...\n"
	"                        [--interval <seconds>] [--once]\n"
	"\n"
	"check records the run on stdin (lt-run's NDJSON), compares it with the baseline of\n"
	"its scenario and environment, stores the verdict and its alerts, and exits 1 on a\n"
	"critical regression; bench records (lt-bench's) are judged per benchmark against\n"
	"theirs.  stat methods: welch, mannwhitney, mannkendall, sen, pearson,\n"
	"spearman, bh, describe (\"-\" reads stdin).\n"
	"\n"
	"      --db <path>          the database (default: $LT_DB, else ~/.local/share/lt/lt.db)\n"
	"  -e, --env <env>          the environment (default: the scenario's\n"
	"                           options.environment, else \"default\")\n"
	"  -t, --thresholds <file>  the thresholds document (default: the stored one, else\n"
	"                           lt's defaults; see lt-regress(1))\n"
	"  -r, --run <run>          check a stored run instead of stdin\n"
	"      --fail-on <level>    exit 1 on critical (default) or also on warning\n"
	"      --notify <target>    on a regression, tell console, webhook:URL, slack:URL or\n"
	"                           email:ADDR (repeatable; added to the thresholds' notify)\n"
	"      --json               NDJSON (alert records, then the verdict) even on a terminal\n"
	"      --format <format>    report: text (default), markdown, json, html or junit\n"
	"  -s, --scenario <id>      alerts, thresholds: the scenario\n"
	"      --unacked            alerts: only those not acknowledged\n"
	"  -n, --limit <n>          alerts: at most <n> (default 50, 0: all)\n"
	"      --note <text>        ack: a note\n"
	"      --by <name>          ack: who (default: $USER)\n"
	"  -f, --field <name>       stat: read this field of NDJSON lines (\"latency_ms.p95\")\n"
	"      --alpha <a>          stat, trend, changepoints: significance level (0.05)\n"
	"  -m, --metric <m>         trend, changepoints, seasonality, forecast: the metric\n"
	"                           (default responseTime.p95)\n"
	"  -w, --window <n>         the newest <n> runs (default: trend 30, forecast 60, else all)\n"
	"  -i, --input <file>       analyse the numbers of <file> (\"-\": stdin; with --field,\n"
	"                           a field of NDJSON lines) instead of the database\n"
	"      --horizon <n>        forecast: runs ahead (default 10)\n"
	"      --threshold <value>  forecast: the limit to cross (default: the scenario's)\n"
	"      --epochs <n>         train: at most <n> passes over the data (default 200)\n"
	"      --seed <n>           changepoints, train: the random seed (default 0)\n"
	"      --per-second         train: on the steady seconds of each run, not on runs\n"
	"      --interval <seconds> watch: time between passes (default 60)\n"
	"      --once               watch: one pass, then exit\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n";

enum { OPT_DB = 256, OPT_FAIL_ON, OPT_NOTIFY, OPT_JSON, OPT_UNACKED, OPT_NOTE, OPT_BY, OPT_ALPHA,
       OPT_VERSION, OPT_FORMAT, OPT_HORIZON, OPT_THRESHOLD, OPT_EPOCHS, OPT_SEED, OPT_PER_SECOND,
       OPT_INTERVAL, OPT_ONCE };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"env", required_argument, NULL, 'e'},
	{"thresholds", required_argument, NULL, 't'},
	{"run", required_argument, NULL, 'r'},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"notify", required_argument, NULL, OPT_NOTIFY},
	{"json", no_argument, NULL, OPT_JSON},
	{"scenario", required_argument, NULL, 's'},
	{"unacked", no_argument, NULL, OPT_UNACKED},
	{"limit", required_argument, NULL, 'n'},
	{"note", required_argument, NULL, OPT_NOTE},
	{"by", required_argument, NULL, OPT_BY},
	{"field", required_argument, NULL, 'f'},
	{"alpha", required_argument, NULL, OPT_ALPHA},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"metric", required_argument, NULL, 'm'},
	{"window", required_argument, NULL, 'w'},
	{"input", required_argument, NULL, 'i'},
	{"horizon", required_argument, NULL, OPT_HORIZON},
	{"threshold", required_argument, NULL, OPT_THRESHOLD},
	{"epochs", required_argument, NULL, OPT_EPOCHS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"per-second", no_argument, NULL, OPT_PER_SECOND},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"once", no_argument, NULL, OPT_ONCE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

struct opts {
	const char *db, *env, *thresholds, *run, *scenario, *note, *by, *field;
	bool fail_on_warning, json, unacked;
	const char *notify[LT_REGRESS_MAX_NOTIFY];
	size_t n_notify;
	long limit;
	double alpha;
	enum lt_report_format format;
	/* analytics */
	const char *metric, *input;
	size_t window, horizon;
	unsigned epochs;
	unsigned long seed;
	bool per_second, has_threshold;
	double threshold;
	/* watch */
	unsigned long interval_s;
	bool once;
};

static int fail(const struct lt_err *err, lt_rc rc)
{
	fprintf(stderr, "lt-regress: %s\n", lt_errmsg(err));
	return lt_rc_exit_status(rc);
}

static void print_json(const cJSON *j)
{
	char *s = lt_ndjson_encode(j);
	if (!s)
		s = cJSON_PrintUnformatted(j);
	if (s)
		puts(s);
	free(s);
}

/* ---- check ---- */

static lt_rc remember_run(const struct lt_store_recorded *r, void *ctx)
{
	char **id = ctx;
	if (strcmp(r->type, "run") != 0)
		return LT_OK;
	free(*id);
	*id = strdup(r->id);
	return *id ? LT_OK : LT_ENOMEM;
}

static lt_rc load_thresholds(const char *path, cJSON **doc, struct lt_err *err)
{
	char *text = NULL;
	lt_rc rc = lti_read_file(path, 1 << 20, &text, NULL, err);
	if (rc != LT_OK)
		return rc;
	if (!(*doc = cJSON_Parse(text)))
		rc = lt_err_set(err, LT_EINVAL, "%s: not valid JSON", path);
	free(text);
	return rc;
}

static const char *fmt_value(double v, char *buf, size_t n)
{
	if (!isfinite(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.3f", v);
	return buf;
}

static void print_verdict(const cJSON *v)
{
	const cJSON *m;
	char a[32], b[32], c[32], d[32];

	printf("%s: run %.12s vs baseline %s (%s, run %.12s); model: %s\n",
	       lt_ndjson_get_str(v, "scenario_id"), lt_ndjson_get_str(v, "run_id"),
	       lt_ndjson_get_str(v, "baseline_version") && *lt_ndjson_get_str(v, "baseline_version")
		       ? lt_ndjson_get_str(v, "baseline_version") : "(unversioned)",
	       lt_ndjson_get_str(v, "environment"), lt_ndjson_get_str(v, "baseline_run_id"),
	       lt_ndjson_get_str(v, "model"));
	printf("\n%-20s %12s %12s %9s %9s %-15s %s\n", "METRIC", "BASELINE", "CURRENT", "CHANGE",
	       "Q-VALUE", "TEST", "VERDICT");
	cJSON_ArrayForEach(m, lt_ndjson_get(v, "metrics")) {
		double base = NAN, cur = NAN, change = NAN, q = NAN;
		lt_ndjson_get_num(m, "baseline", &base);
		lt_ndjson_get_num(m, "current", &cur);
		lt_ndjson_get_num(m, "change_pct", &change);
		lt_ndjson_get_num(m, "q_value", &q);
		const char *status = lt_ndjson_get_str(m, "status");
		const char *sev = lt_ndjson_get_str(m, "severity");
		snprintf(c, sizeof c, isfinite(change) ? "%+.1f%%" : "-", change);
		if (isfinite(q))
			snprintf(d, sizeof d, "%.2g", q);
		else
			snprintf(d, sizeof d, "-");
		printf("%-20s %12s %12s %9s %9s %-15s %s\n", lt_ndjson_get_str(m, "metric"),
		       fmt_value(base, a, sizeof a), fmt_value(cur, b, sizeof b), c, d,
		       lt_ndjson_get_str(m, "test") ? lt_ndjson_get_str(m, "test") : "threshold",
		       !strcmp(status, "regression") ? (sev[0] == 'c' ? "CRITICAL" : "WARNING")
						     : status);
	}
	cJSON_ArrayForEach(m, lt_ndjson_get(v, "findings"))
		printf("%s: %s\n", !strcmp(lt_ndjson_get_str(m, "severity"), "critical") ? "CRITICAL"
		       : "WARNING", lt_ndjson_get_str(m, "message"));
	const char *status = lt_ndjson_get_str(v, "status");
	printf("\nverdict: %s", status);
	if (lt_ndjson_get_str(v, "reason"))
		printf(" (%s)", lt_ndjson_get_str(v, "reason"));
	printf("\n");
}

static void notify_report(const char *target, const struct lt_err *err, void *ctx)
{
	(void)ctx;
	(void)target; /* the message names it already */
	if (err->rc != LT_OK)
		fprintf(stderr, "lt-regress: notify: %s (the verdict stands)\n", lt_errmsg(err));
}

/* ---- check of bench records (benchcheck.h) ---- */

/* What stdin held: the last run, and every bench record. */
struct check_input {
	char *run_id;
	char **bench_ids;
	size_t n_bench;
};

static lt_rc remember_check(const struct lt_store_recorded *r, void *ctx)
{
	struct check_input *in = ctx;
	if (strcmp(r->type, "bench") != 0)
		return remember_run(r, &in->run_id);
	char **ids = realloc(in->bench_ids, (in->n_bench + 1) * sizeof *ids);
	if (!ids)
		return LT_ENOMEM;
	in->bench_ids = ids;
	if (!(ids[in->n_bench] = strdup(r->id)))
		return LT_ENOMEM;
	in->n_bench++;
	return LT_OK;
}

static void print_bench_verdict(const cJSON *v)
{
	const cJSON *m;
	char a[32], b[32], c[32], d[32];

	printf("%s: benchmarks vs their baselines (%s)\n", lt_ndjson_get_str(v, "scenario_id"),
	       lt_ndjson_get_str(v, "environment"));
	printf("\n%-32s %12s %12s %-6s %9s %9s %s\n", "BENCHMARK", "BASELINE", "CURRENT", "UNIT",
	       "CHANGE", "Q-VALUE", "VERDICT");
	cJSON_ArrayForEach(m, lt_ndjson_get(v, "metrics")) {
		double base = NAN, cur = NAN, change = NAN, q = NAN;
		lt_ndjson_get_num(m, "baseline", &base);
		lt_ndjson_get_num(m, "current", &cur);
		lt_ndjson_get_num(m, "change_pct", &change);
		lt_ndjson_get_num(m, "q_value", &q);
		const char *status = lt_ndjson_get_str(m, "status");
		const char *sev = lt_ndjson_get_str(m, "severity");
		const char *unit = lt_ndjson_get_str(m, "unit");
		snprintf(c, sizeof c, isfinite(change) ? "%+.1f%%" : "-", change);
		snprintf(d, sizeof d, isfinite(q) ? "%.2g" : "-", q);
		printf("%-32s %12s %12s %-6s %9s %9s %s%s%s%s\n", lt_ndjson_get_str(m, "metric") + 6,
		       fmt_value(base, a, sizeof a), fmt_value(cur, b, sizeof b), unit ? unit : "",
		       c, d, !strcmp(status, "regression") ? (sev[0] == 'c' ? "CRITICAL" : "WARNING")
		       : status, lt_ndjson_get_str(m, "reason") ? " (" : "",
		       lt_ndjson_get_str(m, "reason") ? lt_ndjson_get_str(m, "reason") : "",
		       lt_ndjson_get_str(m, "reason") ? ")" : "");
	}
	printf("\nverdict: %s", lt_ndjson_get_str(v, "status"));
	if (lt_ndjson_get_str(v, "reason"))
		printf(" (%s)", lt_ndjson_get_str(v, "reason"));
	printf("\n");
}

/* Judge the bench records of stdin; cfg holds the run rules and the
 * notify targets of the thresholds document doc (NULL: the stored one,
 * under the pseudo-scenario "bench", else the default one). */
/* Print a verdict and its alerts (NDJSON off a terminal or with --json,
 * else printer's table), tell the notify targets, and set *status to 1
 * when the verdict fails the --fail-on level.  Shared by run and bench
 * checks. */
static lt_rc emit_verdict(const struct opts *o, const struct lt_regress_config *cfg,
			  const cJSON *verdict, cJSON *const *alerts, size_t n_alerts,
			  void (*printer)(const cJSON *), int *status, struct lt_err *err)
{
	if (o->json || !isatty(STDOUT_FILENO)) {
		for (size_t i = 0; i < n_alerts; i++)
			print_json(alerts[i]);
		print_json(verdict);
	} else {
		printer(verdict);
	}
	if (n_alerts && (cfg->n_notify || o->n_notify)) {
		const char *specs[2 * LT_REGRESS_MAX_NOTIFY];
		size_t k = 0;
		for (size_t i = 0; i < cfg->n_notify; i++)
			specs[k++] = cfg->notify[i];
		for (size_t i = 0; i < o->n_notify; i++)
			specs[k++] = o->notify[i];
		lt_rc rc = lt_regress_notify(specs, k, verdict, alerts, n_alerts, stderr,
					     notify_report, NULL, err);
		if (rc != LT_OK)
			return rc;
	}
	const char *s = lt_ndjson_get_str(verdict, "status");
	if (s && (!strcmp(s, "critical") || (o->fail_on_warning && !strcmp(s, "warning"))))
		*status = 1;
	return LT_OK;
}

static int check_benches(const struct opts *o, struct lt_db *db, const struct check_input *in,
			 const struct lt_regress_config *cfg, const cJSON *doc)
{
	struct lt_benchcheck_config *bcfg = lt_benchcheck_config_new();
	struct lt_err err = {0}, serr = {0};
	cJSON *stored = NULL, *verdict = NULL, **alerts = NULL;
	size_t n_alerts = 0;
	int status = 0;
	lt_rc rc = LT_OK;

	if (!bcfg)
		return 3;
	if (doc)
		rc = lt_benchcheck_config_apply(bcfg, doc, o->thresholds, &err);
	else if (lt_db_regress_config_get(db, "bench", &stored, NULL, &serr) == LT_OK)
		rc = lt_benchcheck_config_apply(bcfg, stored, "stored thresholds", &err);
	if (rc != LT_OK ||
	    (rc = lt_benchcheck_check(db, (const char *const *)in->bench_ids, in->n_bench, o->env,
				      bcfg, &verdict, &alerts, &n_alerts, &err)) != LT_OK ||
	    (rc = lt_db_check_record(db, verdict, alerts, n_alerts, &err)) != LT_OK)
		goto out;
	if ((rc = emit_verdict(o, cfg, verdict, alerts, n_alerts, print_bench_verdict, &status, &err)) != LT_OK)
		goto out;
out:
	if (rc != LT_OK)
		status = fail(&err, rc);
	for (size_t i = 0; i < n_alerts; i++)
		cJSON_Delete(alerts[i]);
	free(alerts);
	cJSON_Delete(verdict);
	cJSON_Delete(stored);
	lt_benchcheck_config_free(bcfg);
	return status;
}

static int cmd_check(const struct opts *o, struct lt_db *db)
{
	struct lt_regress_config *cfg = lt_regress_config_new();
	struct lt_err err = {0}, terr = {0};
	cJSON *doc = NULL, *stored = NULL, *verdict = NULL, **alerts = NULL;
	char *run_id = NULL;
	struct check_input in = {0};
	size_t n_alerts = 0;
	lt_rc rc, trc = LT_OK;
	int status = 0;

	if (!cfg)
		return 3;
	for (size_t i = 0; i < o->n_notify; i++) {
		struct lt_notify_target *t = NULL;
		if ((rc = lt_notify_target_parse(o->notify[i], &t, &err)) != LT_OK) {
			lt_regress_config_free(cfg);
			return fail(&err, rc);
		}
		lt_notify_target_free(t);
	}
	/* A bad thresholds file is an error, but the run on stdin is
	 * recorded all the same: nothing measured is lost. */
	if (o->thresholds && (trc = load_thresholds(o->thresholds, &doc, &terr)) == LT_OK) {
		/* Its bench rules are benchcheck.h's. */
		cJSON *run_rules = lt_benchcheck_without_bench(doc);
		trc = run_rules ? lt_regress_config_apply(cfg, run_rules, o->thresholds, &terr)
				: lt_err_set(&terr, LT_ENOMEM, "out of memory");
		cJSON_Delete(run_rules);
	}
	if (!o->run) {
		rc = lt_store_ingest(db, stdin, "<stdin>", remember_check, &in, &err);
		run_id = in.run_id;
		if (rc != LT_OK)
			goto out;
		if (!run_id && in.n_bench) {
			if (trc != LT_OK) {
				err = terr;
				rc = trc;
			} else {
				status = check_benches(o, db, &in, cfg, doc);
			}
			goto out;
		}
		if (!run_id) {
			rc = lt_err_set(&err, LT_EINVAL, "<stdin>: no run to check (pipe lt-run's "
					"output in, or give --run)");
			goto out;
		}
	}
	if (trc != LT_OK) {
		err = terr;
		rc = trc;
		goto out;
	}
	struct lt_db_run *run = NULL;
	if ((rc = lt_db_run_get(db, o->run ? o->run : run_id, &run, &err)) != LT_OK)
		goto out;
	free(run_id);
	run_id = strdup(run->run_id);
	if (!o->thresholds && run->scenario_id &&
	    lt_db_regress_config_get(db, run->scenario_id, &stored, NULL, &terr) == LT_OK &&
	    (rc = lt_regress_config_apply(cfg, stored, "stored thresholds", &err)) != LT_OK) {
		lt_db_run_free(run);
		goto out;
	}
	lt_db_run_free(run);
	if (!run_id) {
		rc = lt_err_set(&err, LT_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = lt_regress_check(db, run_id, o->env, cfg, &verdict, &alerts, &n_alerts, &err)) != LT_OK ||
	    (rc = lt_analytics_check_history(db, cfg, verdict, &alerts, &n_alerts, &err)) != LT_OK ||
	    (rc = lt_db_check_record(db, verdict, alerts, n_alerts, &err)) != LT_OK)
		goto out;
	if ((rc = emit_verdict(o, cfg, verdict, alerts, n_alerts, print_verdict, &status, &err)) != LT_OK)
		goto out;
out:
	if (rc != LT_OK)
		status = fail(&err, rc);
	for (size_t i = 0; i < n_alerts; i++)
		cJSON_Delete(alerts[i]);
	free(alerts);
	cJSON_Delete(verdict);
	cJSON_Delete(doc);
	cJSON_Delete(stored);
	free(run_id);
	for (size_t i = 0; i < in.n_bench; i++)
		free(in.bench_ids[i]);
	free(in.bench_ids);
	lt_regress_config_free(cfg);
	return status;
}

/* ---- alerts, ack, thresholds ---- */

static int cmd_alerts(const struct opts *o, struct lt_db *db)
{
	struct lt_err err = {0};
	cJSON *list = NULL, *a;
	lt_rc rc;

	if ((rc = lt_db_alerts_list(db, o->scenario, o->unacked, (size_t)o->limit, &list, &err)) != LT_OK)
		return fail(&err, rc);
	if (!o->json)
		printf("%-10s %-9s %-20s %-20s %-20s %s\n", "ALERT", "SEVERITY", "SCENARIO", "METRIC",
		       "CREATED", "MESSAGE");
	cJSON_ArrayForEach(a, list) {
		if (o->json) {
			print_json(a);
			continue;
		}
		double acked = 0;
		lt_ndjson_get_num(a, "acknowledged", &acked);
		printf("%-10.8s %-9s %-20s %-20s %-20.19s %s%s\n", lt_ndjson_get_str(a, "alert_id"),
		       lt_ndjson_get_str(a, "severity"),
		       lt_ndjson_get_str(a, "scenario_id") ? lt_ndjson_get_str(a, "scenario_id") : "-",
		       lt_ndjson_get_str(a, "metric"), lt_ndjson_get_str(a, "created_at"),
		       lt_ndjson_get_str(a, "message") ? lt_ndjson_get_str(a, "message") : "",
		       acked ? " (acknowledged)" : "");
	}
	cJSON_Delete(list);
	return 0;
}

static int cmd_ack(const struct opts *o, struct lt_db *db, const char *id)
{
	struct lt_err err = {0};
	char *full = NULL;
	const char *by = o->by ? o->by : getenv("USER");
	lt_rc rc = lt_db_alert_ack(db, id, by, o->note, &full, &err);

	if (rc != LT_OK)
		return fail(&err, rc);
	printf("acknowledged alert %s\n", full);
	free(full);
	return 0;
}

static int cmd_thresholds(const struct opts *o, struct lt_db *db, const char *verb,
			  const char *file)
{
	struct lt_regress_config *cfg = lt_regress_config_new();
	struct lt_err err = {0};
	cJSON *doc = NULL, *out = NULL;
	lt_rc rc = LT_OK;

	if (!cfg)
		return 3;
	if (!strcmp(verb, "set")) {
		if ((rc = load_thresholds(file, &doc, &err)) == LT_OK &&
		    (rc = lt_regress_config_apply(cfg, doc, file, &err)) == LT_OK &&
		    (rc = lt_db_regress_config_set(db, o->scenario, doc, &err)) == LT_OK)
			printf("thresholds of %s set from %s\n", o->scenario ? o->scenario : "every scenario",
			       file);
	} else {
		if (db && lt_db_regress_config_get(db, o->scenario, &doc, NULL, &err) == LT_OK)
			rc = lt_regress_config_apply(cfg, doc, "stored thresholds", &err);
		if (rc == LT_OK && (out = lt_regress_config_to_json(cfg))) {
			char *s = cJSON_Print(out);
			if (s)
				puts(s);
			free(s);
		}
	}
	cJSON_Delete(doc);
	cJSON_Delete(out);
	lt_regress_config_free(cfg);
	return rc == LT_OK ? 0 : fail(&err, rc);
}

/* ---- report ---- */

/* A report describes a verdict, it is not one: it exits 0 whatever the
 * verdict, so `lt-regress report ... > junit.xml` never fails a CI step
 * that check has already decided. */
static int cmd_report(const struct opts *o, struct lt_db *db, const char *scenario)
{
	struct lt_err err = {0};
	lt_rc rc = lt_report_write(db, scenario, o->env, o->format, stdout, &err);

	return rc == LT_OK ? 0 : fail(&err, rc);
}

/* ---- watch ---- */

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* Alerts, then the verdict, of each run as NDJSON on stdout (what check
 * prints, so lt-store takes it back); what went wrong on stderr. */
static void watch_report(const struct lt_watch_event *ev, void *ctx)
{
	(void)ctx;
	switch (ev->kind) {
	case LT_WATCH_CHECKED:
		for (size_t i = 0; i < ev->n_alerts; i++)
			print_json(ev->alerts[i]);
		print_json(ev->verdict);
		fflush(stdout);
		break;
	case LT_WATCH_FAILED:
		fprintf(stderr, "lt-regress watch: run %s not checked (tried again next pass): %s\n",
			ev->run_id, lt_errmsg(ev->err));
		break;
	case LT_WATCH_NO_ANOMALY:
		fprintf(stderr, "lt-regress watch: run %s checked without its anomaly model: %s\n",
			ev->run_id, lt_errmsg(ev->err));
		break;
	case LT_WATCH_NOTIFIED:
		if (ev->err->rc != LT_OK)
			fprintf(stderr, "lt-regress watch: notify: %s (the verdict stands)\n",
				lt_errmsg(ev->err));
		break;
	}
}

/* Passes every --interval seconds until SIGTERM or SIGINT (exit 0), or
 * one with --once.  A pass that fails (the database locked for longer
 * than its timeout) is told and the next one tries again; with --once it
 * is the exit status. */
static int cmd_watch(const struct opts *o, struct lt_db *db)
{
	struct lt_err err = {0};
	cJSON *doc = NULL;
	lt_rc rc = LT_OK;
	int status = 0;

	for (size_t i = 0; i < o->n_notify; i++) {
		struct lt_notify_target *t = NULL;
		if ((rc = lt_notify_target_parse(o->notify[i], &t, &err)) != LT_OK)
			return fail(&err, rc);
		lt_notify_target_free(t);
	}
	if (o->thresholds && (rc = load_thresholds(o->thresholds, &doc, &err)) != LT_OK)
		return fail(&err, rc);
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct lt_watch_opts wo = {.environment = o->env, .thresholds = doc,
				   .notify = o->notify, .n_notify = o->n_notify,
				   .console = stderr, .stop = &watch_stop};
	while (!watch_stop) {
		if ((rc = lt_watch_pass(db, &wo, watch_report, NULL, NULL, &err)) != LT_OK) {
			fprintf(stderr, "lt-regress watch: %s\n", lt_errmsg(&err));
			if (o->once || rc == LT_EINVAL) {
				status = lt_rc_exit_status(rc);
				break;
			}
		}
		if (o->once)
			break;
		/* The handler has no SA_RESTART: a signal ends the sleep. */
		struct timespec left = {.tv_sec = (time_t)(o->interval_s ? o->interval_s : 60)};
		while (!watch_stop && nanosleep(&left, &left) != 0 && errno == EINTR)
			;
	}
	cJSON_Delete(doc);
	return status;
}

/* ---- stat ---- */

static lt_rc read_series(const char *path, const char *field, double **v, size_t *n,
			 struct lt_err *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	lt_rc rc;

	if (!f)
		return lt_err_set(err, errno == ENOENT ? LT_ENOTFOUND : LT_EIO, "%s: %s", path,
				  strerror(errno));
	rc = lt_regress_read_numbers(f, f == stdin ? "<stdin>" : path, field, v, n, err);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int cmd_stat(const struct opts *o, char **args, int n)
{
	struct lt_err err = {0};
	double *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	cJSON *out = NULL;
	lt_rc rc;

	if (n < 2) {
		fprintf(stderr, "lt-regress stat: expected a method and its file(s)\n");
		return 2;
	}
	int want = lt_regress_stat_inputs(args[0]);
	if (n - 1 != want) {
		fprintf(stderr, "lt-regress stat: %s takes %d file%s, got %d\n", args[0], want,
			want > 1 ? "s" : "", n - 1);
		return 2;
	}
	if ((rc = read_series(args[1], o->field, &a, &na, &err)) == LT_OK &&
	    (want < 2 || (rc = read_series(args[2], o->field, &b, &nb, &err)) == LT_OK) &&
	    (rc = lt_regress_stat(args[0], a, na, b, nb, o->alpha, &out, &err)) == LT_OK)
		print_json(out);
	free(a);
	free(b);
	cJSON_Delete(out);
	return rc == LT_OK ? 0 : fail(&err, rc);
}

/* ---- analytics: trend, changepoints, seasonality, correlate, forecast,
 * train, anomaly (lib/analytics.h does the work; these print its JSON) ---- */

static double jnum(const cJSON *o, const char *path)
{
	double v = NAN;
	lt_ndjson_get_num(o, path, &v);
	return v;
}

static const char *jstr(const cJSON *o, const char *path)
{
	const char *s = lt_ndjson_get_str(o, path);
	return s ? s : "-";
}

/* "api (responseTime.p95)" or "load.txt (responseTime.p95)". */
static void print_subject(const cJSON *r)
{
	const char *who = lt_ndjson_get_str(r, "scenario_id");
	printf("%s %s, %.0f %s", who ? who : jstr(r, "input"), jstr(r, "metric"), jnum(r, "n"),
	       who ? "runs" : "values");
}

static void print_trend(const cJSON *r)
{
	const cJSON *worse = lt_ndjson_get(r, "worse");
	print_subject(r);
	printf(": %s", jstr(r, "direction"));
	if (cJSON_IsBool(worse))
		printf(" (%s)", cJSON_IsTrue(worse) ? "worse" : "better");
	printf(", %s at %g\n", cJSON_IsTrue(lt_ndjson_get(r, "significant")) ? "significant"
									   : "not significant",
	       jnum(r, "alpha"));
	printf("  Mann-Kendall: S %g, z %.3f, tau %.3f, p %.3g\n", jnum(r, "mann_kendall.s"),
	       jnum(r, "mann_kendall.z"), jnum(r, "mann_kendall.tau"), jnum(r, "mann_kendall.p_value"));
	printf("  Sen's slope: %+.4g per run, 95 %% CI [%.4g, %.4g]", jnum(r, "sen.slope_per_run"),
	       jnum(r, "sen.ci95_per_run[0]"), jnum(r, "sen.ci95_per_run[1]"));
	if (isfinite(jnum(r, "sen.slope_pct_per_run")))
		printf(" (%+.2f %% of the median)", jnum(r, "sen.slope_pct_per_run"));
	if (isfinite(jnum(r, "sen.slope_per_day")))
		printf("; %+.4g per day", jnum(r, "sen.slope_per_day"));
	printf("\n");
}

static void print_changepoints(const cJSON *r)
{
	const cJSON *c, *cps = lt_ndjson_get(r, "changepoints"), *ols = lt_ndjson_get(r, "outliers");
	print_subject(r);
	printf("; E-divisive means, p <= %g, %g permutations, regimes of >= %g\n",
	       jnum(r, "parameters.p_value"), jnum(r, "parameters.permutations"),
	       jnum(r, "parameters.min_size"));
	if (!cJSON_GetArraySize(cps))
		printf("no change points\n");
	else
		printf("%-6s %-14s %-24s %12s %12s %9s %8s\n", "INDEX", "RUN", "AT", "BEFORE", "AFTER",
		       "CHANGE", "P-VALUE");
	cJSON_ArrayForEach(c, cps)
		printf("%-6.0f %-14.12s %-24s %12.4g %12.4g %+8.1f%% %8.3g\n", jnum(c, "index"),
		       jstr(c, "run_id"), jstr(c, "at"), jnum(c, "mean_before"), jnum(c, "mean_after"),
		       jnum(c, "change_pct"), jnum(c, "p_value"));
	if (cJSON_GetArraySize(ols))
		printf("outliers (single runs, not a new regime):\n");
	cJSON_ArrayForEach(c, ols)
		printf("%-6.0f %-14.12s %-24s value %.4g, expected %.4g (%+.1f%%)\n", jnum(c, "index"),
		       jstr(c, "run_id"), jstr(c, "at"), jnum(c, "value"), jnum(c, "baseline"),
		       jnum(c, "change_pct"));
}

static void print_seasonality(const cJSON *r)
{
	const cJSON *x;
	print_subject(r);
	if (cJSON_IsTrue(lt_ndjson_get(r, "found"))) {
		printf(": period %.0f (autocorrelation %.2f, floor %.2f); the next run is phase %.0f\n",
		       jnum(r, "period"), jnum(r, "strength"), jnum(r, "min_strength"),
		       jnum(r, "next_phase"));
		printf("phase offsets:");
		cJSON_ArrayForEach(x, lt_ndjson_get(r, "phase_offsets"))
			printf(" %+.4g", x->valuedouble);
		printf("\n");
	} else if (cJSON_IsObject(lt_ndjson_get(r, "candidate"))) {
		printf(": none (period %.0f has autocorrelation %.2f, below the floor %.2f)\n",
		       jnum(r, "candidate.period"), jnum(r, "candidate.strength"),
		       jnum(r, "min_strength"));
	} else {
		printf(": none\n");
	}
}

static void print_forecast(const cJSON *r)
{
	const cJSON *f;
	print_subject(r);
	printf("; %s fit: %+.4g per run, r2 %.3f", jstr(r, "model"), jnum(r, "fit.slope_per_run"),
	       jnum(r, "fit.r2"));
	if (cJSON_IsObject(lt_ndjson_get(r, "seasonal")))
		printf(", period %.0f", jnum(r, "seasonal.period"));
	printf("\n%-5s %-24s %12s   %.0f %% prediction interval\n", "STEP", "AT", "FORECAST",
	       100 * jnum(r, "level"));
	cJSON_ArrayForEach(f, lt_ndjson_get(r, "forecast"))
		printf("%-5.0f %-24s %12.4g   [%.4g, %.4g]\n", jnum(f, "step"), jstr(f, "at"),
		       jnum(f, "value"), jnum(f, "low"), jnum(f, "high"));
	const cJSON *t = lt_ndjson_get(r, "threshold");
	if (!cJSON_IsObject(t)) {
		printf("no threshold on %s (give --threshold)\n", jstr(r, "metric"));
		return;
	}
	printf("threshold %s %s %g (%s): ", jstr(r, "metric"), jstr(t, "op"), jnum(t, "value"),
	       jstr(t, "source"));
	const char *status = jstr(t, "status");
	if (!strcmp(status, "expected")) {
		printf("expected to be crossed in %.1f runs", jnum(t, "runs_ahead"));
		if (lt_ndjson_get_str(t, "at"))
			printf(", around %s", jstr(t, "at"));
		printf("\n");
	} else if (!strcmp(status, "crossed")) {
		printf("the trend is past it already\n");
	} else {
		printf("not expected to be crossed (the trend is flat or heads away)\n");
	}
}

static void print_matrix(const char *title, const cJSON *names, const cJSON *m, const cJSON *p)
{
	size_t k = (size_t)cJSON_GetArraySize(names);
	printf("\n%s (* p < 0.05)\n%-22s", title, "");
	for (size_t j = 0; j < k; j++)
		printf(" %7s[%zu]", "", j + 1);
	printf("\n");
	for (size_t i = 0; i < k; i++) {
		printf("[%zu] %-18.18s", i + 1, cJSON_GetArrayItem(names, (int)i)->valuestring);
		for (size_t j = 0; j < k; j++) {
			const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(m, (int)i), (int)j);
			const cJSON *q = cJSON_GetArrayItem(cJSON_GetArrayItem(p, (int)i), (int)j);
			if (!cJSON_IsNumber(v))
				printf(" %10s", "-");
			else
				printf(" %9.3f%s", v->valuedouble,
				       i != j && cJSON_IsNumber(q) && q->valuedouble < 0.05 ? "*" : " ");
		}
		printf("\n");
	}
}

static void print_correlate(const cJSON *r)
{
	const cJSON *x, *metrics = lt_ndjson_get(r, "metrics");
	printf("%s: %.0f complete runs; each pair over the runs that have both\n",
	       jstr(r, "scenario_id"), jnum(r, "runs"));
	cJSON_ArrayForEach(x, lt_ndjson_get(r, "dropped"))
		printf("  left out: %s (%s)\n", jstr(x, "metric"), jstr(x, "reason"));
	print_matrix("Pearson r", metrics, lt_ndjson_get(r, "pearson.r"), lt_ndjson_get(r, "pearson.p"));
	print_matrix("Spearman rho", metrics, lt_ndjson_get(r, "spearman.r"),
		     lt_ndjson_get(r, "spearman.p"));
}

static void print_train(const cJSON *r)
{
	const cJSON *x;
	printf("trained an autoencoder on %.0f per-%s vectors of %.0f runs (", jnum(r, "n_vectors"),
	       jstr(r, "vectors"), jnum(r, "runs_used"));
	cJSON_ArrayForEach(x, lt_ndjson_get(r, "scenarios"))
		printf("%s%s", x == lt_ndjson_get(r, "scenarios")->child ? "" : ", ", x->valuestring);
	printf(")\n  features:");
	cJSON_ArrayForEach(x, lt_ndjson_get(r, "features"))
		printf(" %s", x->valuestring);
	printf("\n");
	cJSON_ArrayForEach(x, lt_ndjson_get(r, "dropped_features"))
		printf("  left out: %s (%s)\n", jstr(x, "feature"), jstr(x, "reason"));
	printf("  %.0f of %.0f epochs (best %.0f), loss %.4g -> %.4g; anomaly threshold %.4g "
	       "(the %g quantile of the training scores)\n",
	       jnum(r, "training.epochs_run"), jnum(r, "training.epochs"),
	       jnum(r, "training.best_epoch"), jnum(r, "training.initial_loss"),
	       jnum(r, "training.final_loss"), jnum(r, "threshold"), jnum(r, "quantile"));
	printf("  stored as model");
	cJSON_ArrayForEach(x, lt_ndjson_get(r, "model_ids"))
		printf(" %.0f", x->valuedouble);
	printf("\n");
}

static void print_anomaly(const cJSON *r)
{
	const cJSON *f;
	bool bad = cJSON_IsTrue(lt_ndjson_get(r, "anomalous"));
	printf("run %.12s (%s): %s, score %.4g %s threshold %.4g (model %.0f, per-%s)\n",
	       jstr(r, "run_id"), jstr(r, "scenario_id"), bad ? "ANOMALOUS" : "normal",
	       jnum(r, "score"), jnum(r, "score") > jnum(r, "threshold") ? ">" : "<=",
	       jnum(r, "threshold"), jnum(r, "model_id"), jstr(r, "vectors"));
	if (isfinite(jnum(r, "seconds")))
		printf("  %.0f of %.0f steady seconds above the threshold (p %.3g)\n",
		       jnum(r, "anomalous_seconds"), jnum(r, "seconds"), jnum(r, "p_value"));
	printf("%-24s %12s %12s %7s\n", "FEATURE", "VALUE", "EXPECTED", "SHARE");
	cJSON_ArrayForEach(f, lt_ndjson_get(r, "top_features"))
		printf("%-24s %12.4g %12.4g %6.1f%%\n", jstr(f, "feature"), jnum(f, "value"),
		       jnum(f, "expected"), jnum(f, "share_pct"));
	if (lt_ndjson_get_str(r, "alert_id"))
		printf("alert %s recorded\n", jstr(r, "alert_id"));
}

static void analytics_opts(const struct opts *o, struct lt_analytics_opts *ao)
{
	*ao = (struct lt_analytics_opts){
		.metric = o->metric, .window = o->window, .alpha = o->alpha,
		.seed = o->seed, .horizon = o->horizon, .has_threshold = o->has_threshold,
		.threshold = o->threshold, .epochs = o->epochs, .per_second = o->per_second,
	};
}

static void print_result(const struct opts *o, const char *sub, const cJSON *r)
{
	static const struct {
		const char *name;
		void (*print)(const cJSON *);
	} printers[] = {
		{"trend", print_trend}, {"changepoints", print_changepoints},
		{"seasonality", print_seasonality}, {"forecast", print_forecast},
		{"correlate", print_correlate}, {"train", print_train}, {"anomaly", print_anomaly},
	};
	if (o->json || !isatty(STDOUT_FILENO)) {
		print_json(r);
		return;
	}
	for (size_t i = 0; i < sizeof printers / sizeof *printers; i++)
		if (!strcmp(sub, printers[i].name))
			printers[i].print(r);
}

/* trend, changepoints, seasonality, forecast, correlate: one scenario, or
 * a series from --input. */
static int cmd_series(const struct opts *o, struct lt_db *db, const char *sub,
		      const char *scenario)
{
	struct lt_analytics_opts ao;
	struct lt_err err = {0};
	double *v = NULL;
	size_t n = 0;
	cJSON *r = NULL;
	lt_rc rc = LT_OK;

	analytics_opts(o, &ao);
	if (o->input) {
		if ((rc = read_series(o->input, o->field, &v, &n, &err)))
			return fail(&err, rc);
		ao.values = v;
		ao.n_values = n;
		ao.values_name = strcmp(o->input, "-") ? o->input : "<stdin>";
	}
	if (!strcmp(sub, "trend"))
		rc = lt_analytics_trend(db, scenario, &ao, &r, &err);
	else if (!strcmp(sub, "changepoints"))
		rc = lt_analytics_changepoints(db, scenario, &ao, &r, &err);
	else if (!strcmp(sub, "seasonality"))
		rc = lt_analytics_seasonality(db, scenario, &ao, &r, &err);
	else if (!strcmp(sub, "forecast"))
		rc = lt_analytics_forecast(db, scenario, &ao, &r, &err);
	else
		rc = lt_analytics_correlate(db, scenario, &ao, &r, &err);
	free(v);
	if (rc != LT_OK)
		return fail(&err, rc);
	print_result(o, sub, r);
	cJSON_Delete(r);
	return 0;
}

static int cmd_train(const struct opts *o, struct lt_db *db, char **scenarios, int n)
{
	struct lt_analytics_opts ao;
	struct lt_err err = {0};
	cJSON *r = NULL, *w;
	lt_rc rc;

	analytics_opts(o, &ao);
	if ((rc = lt_analytics_train(db, (const char *const *)scenarios, (size_t)n, &ao, &r, &err)))
		return fail(&err, rc);
	cJSON_ArrayForEach(w, lt_ndjson_get(r, "warnings"))
		fprintf(stderr, "lt-regress: train: warning: %s\n", w->valuestring);
	print_result(o, "train", r);
	cJSON_Delete(r);
	return 0;
}

/* Exit 1 when the run is anomalous, like a regression. */
static int cmd_anomaly(const struct opts *o, struct lt_db *db, const char *run)
{
	struct lt_analytics_opts ao;
	struct lt_err err = {0};
	cJSON *r = NULL, *alert = NULL;
	char *run_id = NULL;
	lt_rc rc = LT_OK;
	int status;

	analytics_opts(o, &ao);
	if (!run || !strcmp(run, "-")) {
		if ((rc = lt_store_ingest(db, stdin, "<stdin>", remember_run, &run_id, &err)) == LT_OK &&
		    !run_id)
			rc = lt_err_set(&err, LT_EINVAL, "<stdin>: no run to score (pipe lt-run's output "
					"in, or give a run id)");
		if (rc != LT_OK) {
			free(run_id);
			return fail(&err, rc);
		}
		run = run_id;
	}
	rc = lt_analytics_anomaly(db, run, &ao, &r, &alert, &err);
	free(run_id);
	if (rc != LT_OK)
		return fail(&err, rc);
	status = cJSON_IsTrue(lt_ndjson_get(r, "anomalous")) ? 1 : 0;
	if (alert && (o->json || !isatty(STDOUT_FILENO)))
		print_json(alert);
	print_result(o, "anomaly", r);
	cJSON_Delete(alert);
	cJSON_Delete(r);
	return status;
}

static bool is_analytics(const char *sub)
{
	static const char *const names[] = {"trend", "changepoints", "seasonality", "forecast",
					    "correlate", "train", "anomaly"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(sub, names[i]))
			return true;
	return false;
}

static int run_analytics(const struct opts *o, const char *sub, char **rest, int n)
{
	bool series = strcmp(sub, "correlate") && strcmp(sub, "train") && strcmp(sub, "anomaly");
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	int status;
	lt_rc rc;

	if (o->input && !series) {
		fprintf(stderr, "lt-regress %s: --input is for trend, changepoints, seasonality and "
			"forecast\n", sub);
		return 2;
	}
	if (series && (o->input ? n != 0 : n != 1)) {
		fprintf(stderr, "lt-regress %s: expected %s\n", sub,
			o->input ? "no scenario with --input" : "one scenario id (or --input <file>)");
		return 2;
	}
	if ((!strcmp(sub, "correlate") && n != 1) || (!strcmp(sub, "train") && n < 1) ||
	    (!strcmp(sub, "anomaly") && n > 1)) {
		fprintf(stderr, "lt-regress %s: expected %s\n", sub,
			!strcmp(sub, "train") ? "one or more scenario ids"
			: !strcmp(sub, "anomaly") ? "at most one run id (or '-' for stdin)"
						  : "one scenario id");
		return 2;
	}
	/* A series from a file needs no database; only train and anomaly
	 * write (a model, an alert, the run read from stdin). */
	if (!o->input && (rc = lt_db_open(o->db, strcmp(sub, "train") && strcmp(sub, "anomaly")
							 ? LT_DB_READONLY : 0, &db, &err)) != LT_OK)
		return fail(&err, rc);
	if (!strcmp(sub, "train"))
		status = cmd_train(o, db, rest, n);
	else if (!strcmp(sub, "anomaly"))
		status = cmd_anomaly(o, db, n ? rest[0] : NULL);
	else
		status = cmd_series(o, db, sub, n ? rest[0] : NULL);
	lt_db_close(db);
	return status;
}

/* A whole number in [min, max] for option name, or exit 2. */
static bool parse_count(const char *name, const char *arg, unsigned long min, unsigned long max,
			unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "lt-regress: --%s: expected a whole number from %lu to %lu, got '%s'\n",
			name, min, max, arg);
		return false;
	}
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	struct opts o = {.limit = 50, .alpha = 0.05};
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	const char *sub;
	int opt, status;
	lt_rc rc;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("lt-regress %s\n", LT_VERSION);
		return 0;
	}
	static const char *const subs[] = {"check", "alerts", "ack", "thresholds", "report", "stat",
					   "trend", "changepoints", "seasonality", "forecast",
					   "correlate", "train", "anomaly", "watch"};
	sub = NULL;
	for (size_t i = 0; argc > 1 && i < sizeof subs / sizeof *subs; i++)
		if (!strcmp(argv[1], subs[i]))
			sub = subs[i];
	if (!sub) {
		fprintf(stderr, "lt-regress: expected a command: check, alerts, ack, thresholds, report, "
			"stat, trend, changepoints, seasonality, forecast, correlate, train, anomaly or "
			"watch\n%s",
			usage);
		return 2;
	}
	argv++;
	argc--;
	/* getopt names argv[0] in its messages: make it "lt-regress <command>". */
	char prog[48];
	snprintf(prog, sizeof prog, "lt-regress %s", sub);
	argv[0] = prog;
	while ((opt = getopt_long(argc, argv, "e:t:r:s:n:f:hm:w:i:", long_opts, NULL)) != -1) {
		unsigned long count;
		char *end;
		switch (opt) {
		case OPT_DB: o.db = optarg; break;
		case 'e': o.env = optarg; break;
		case 't': o.thresholds = optarg; break;
		case 'r': o.run = optarg; break;
		case OPT_FAIL_ON:
			if (!strcmp(optarg, "warning"))
				o.fail_on_warning = true;
			else if (strcmp(optarg, "critical") != 0) {
				fprintf(stderr, "lt-regress: --fail-on: expected critical or warning, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case OPT_NOTIFY:
			if (o.n_notify == LT_REGRESS_MAX_NOTIFY) {
				fprintf(stderr, "lt-regress: --notify: at most %d targets\n",
					LT_REGRESS_MAX_NOTIFY);
				return 2;
			}
			o.notify[o.n_notify++] = optarg;
			break;
		case OPT_JSON: o.json = true; break;
		case 's': o.scenario = optarg; break;
		case OPT_UNACKED: o.unacked = true; break;
		case 'n':
			errno = 0;
			o.limit = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o.limit < 0) {
				fprintf(stderr, "lt-regress: --limit: expected a whole number >= 0, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case OPT_NOTE: o.note = optarg; break;
		case OPT_BY: o.by = optarg; break;
		case 'f': o.field = optarg; break;
		case OPT_ALPHA:
			o.alpha = strtod(optarg, &end);
			if (end == optarg || *end || !(o.alpha > 0 && o.alpha < 1)) {
				fprintf(stderr, "lt-regress: --alpha: expected a number between 0 and 1, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case OPT_FORMAT:
			if ((rc = lt_report_format_parse(optarg, &o.format, &err)) != LT_OK) {
				fprintf(stderr, "lt-regress: --format: %s\n", lt_errmsg(&err));
				return 2;
			}
			break;
		case 'm': o.metric = optarg; break;
		case 'i': o.input = optarg; break;
		case 'w':
			if (!parse_count("window", optarg, 1, LT_ANALYTICS_MAX_RUNS, &count))
				return 2;
			o.window = count;
			break;
		case OPT_HORIZON:
			if (!parse_count("horizon", optarg, 1, LT_ANALYTICS_MAX_HORIZON, &count))
				return 2;
			o.horizon = count;
			break;
		case OPT_EPOCHS:
			if (!parse_count("epochs", optarg, 1, LT_ANOMALY_MAX_EPOCHS, &count))
				return 2;
			o.epochs = (unsigned)count;
			break;
		case OPT_SEED:
			if (!parse_count("seed", optarg, 0, 4294967295ul, &o.seed))
				return 2;
			break;
		case OPT_PER_SECOND: o.per_second = true; break;
		case OPT_INTERVAL:
			if (!parse_count("interval", optarg, 1, 86400, &o.interval_s))
				return 2;
			break;
		case OPT_ONCE: o.once = true; break;
		case OPT_THRESHOLD:
			o.threshold = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(o.threshold)) {
				fprintf(stderr, "lt-regress: --threshold: expected a number, got '%s'\n", optarg);
				return 2;
			}
			o.has_threshold = true;
			break;
		case 'h': fputs(usage, stdout); return 0;
		case OPT_VERSION: printf("lt-regress %s\n", LT_VERSION); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	char **rest = argv + optind;
	int n = argc - optind;
	if (!strcmp(sub, "stat"))
		return cmd_stat(&o, rest, n);
	if (is_analytics(sub))
		return run_analytics(&o, sub, rest, n);
	if (!strcmp(sub, "report") && n != 1) {
		fprintf(stderr, "lt-regress report: expected one scenario id\n");
		return 2;
	}
	if (!strcmp(sub, "ack") && n != 1) {
		fprintf(stderr, "lt-regress ack: expected one alert id\n");
		return 2;
	}
	if (!strcmp(sub, "thresholds") &&
	    !(n == 2 && !strcmp(rest[0], "set")) && !(n == 1 && !strcmp(rest[0], "show"))) {
		fprintf(stderr, "lt-regress thresholds: expected 'set <file>' or 'show'\n");
		return 2;
	}
	if ((!strcmp(sub, "check") || !strcmp(sub, "alerts") || !strcmp(sub, "watch")) && n) {
		fprintf(stderr, "lt-regress %s: unexpected argument '%s'\n", sub, rest[0]);
		return 2;
	}
	bool readonly = !strcmp(sub, "alerts") || !strcmp(sub, "report") ||
			(!strcmp(sub, "thresholds") && !strcmp(rest[0], "show"));
	if ((rc = lt_db_open(o.db, readonly ? LT_DB_READONLY : 0, &db, &err)) != LT_OK) {
		/* Nothing stored yet: the defaults are still worth showing. */
		if (!(rc == LT_ENOTFOUND && !strcmp(sub, "thresholds")))
			return fail(&err, rc);
	}
	if (!strcmp(sub, "check"))
		status = cmd_check(&o, db);
	else if (!strcmp(sub, "alerts"))
		status = cmd_alerts(&o, db);
	else if (!strcmp(sub, "ack"))
		status = cmd_ack(&o, db, rest[0]);
	else if (!strcmp(sub, "report"))
		status = cmd_report(&o, db, rest[0]);
	else if (!strcmp(sub, "watch"))
		status = cmd_watch(&o, db);
	else
		status = db || !strcmp(rest[0], "show")
				 ? cmd_thresholds(&o, db, rest[0], n > 1 ? rest[1] : NULL)
				 : 2;
	lt_db_close(db);
	return status;
}
