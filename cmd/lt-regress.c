/* lt-regress -- compare runs with their baseline, alerts, thresholds, statistics.
 *
 * The work is libltcore's (regress: the model and the statistics; store:
 * recording stdin; db: alerts, thresholds); this file parses and prints.
 */
#include "db.h"
#include "lt.h"
#include "ndjson.h"
#include "notify.h"
#include "regress.h"
#include "report.h"
#include "store.h"
#include "util.h"

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
	"\n"
	"check records the run on stdin (lt-run's NDJSON), compares it with the baseline of\n"
	"its scenario and environment, stores the verdict and its alerts, and exits 1 on a\n"
	"critical regression.  stat methods: welch, mannwhitney, mannkendall, sen, pearson,\n"
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
	"      --alpha <a>          stat: significance level for mannkendall and bh (0.05)\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n";

enum { OPT_DB = 256, OPT_FAIL_ON, OPT_NOTIFY, OPT_JSON, OPT_UNACKED, OPT_NOTE, OPT_BY, OPT_ALPHA,
       OPT_VERSION, OPT_FORMAT };

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

static int cmd_check(const struct opts *o, struct lt_db *db)
{
	struct lt_regress_config *cfg = lt_regress_config_new();
	struct lt_err err = {0}, terr = {0};
	cJSON *doc = NULL, *stored = NULL, *verdict = NULL, **alerts = NULL;
	char *run_id = NULL;
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
	if (o->thresholds && (trc = load_thresholds(o->thresholds, &doc, &terr)) == LT_OK)
		trc = lt_regress_config_apply(cfg, doc, o->thresholds, &terr);
	if (!o->run) {
		if ((rc = lt_store_ingest(db, stdin, "<stdin>", remember_run, &run_id, &err)) != LT_OK)
			goto out;
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
	    (rc = lt_db_check_record(db, verdict, alerts, n_alerts, &err)) != LT_OK)
		goto out;
	if (o->json || !isatty(STDOUT_FILENO)) {
		for (size_t i = 0; i < n_alerts; i++)
			print_json(alerts[i]);
		print_json(verdict);
	} else {
		print_verdict(verdict);
	}
	if (n_alerts && (cfg->n_notify || o->n_notify)) {
		const char *specs[2 * LT_REGRESS_MAX_NOTIFY];
		size_t k = 0;
		for (size_t i = 0; i < cfg->n_notify; i++)
			specs[k++] = cfg->notify[i];
		for (size_t i = 0; i < o->n_notify; i++)
			specs[k++] = o->notify[i];
		if ((rc = lt_regress_notify(specs, k, verdict, alerts, n_alerts, stderr,
					    notify_report, NULL, &err)) != LT_OK)
			goto out;
	}
	const char *s = lt_ndjson_get_str(verdict, "status");
	if (!strcmp(s, "critical") || (o->fail_on_warning && !strcmp(s, "warning")))
		status = 1;
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
	static const char *const subs[] = {"check", "alerts", "ack", "thresholds", "report", "stat"};
	sub = NULL;
	for (size_t i = 0; argc > 1 && i < sizeof subs / sizeof *subs; i++)
		if (!strcmp(argv[1], subs[i]))
			sub = subs[i];
	if (!sub) {
		fprintf(stderr, "lt-regress: expected a command: check, alerts, ack, thresholds, report or stat\n%s",
			usage);
		return 2;
	}
	argv++;
	argc--;
	while ((opt = getopt_long(argc, argv, "e:t:r:s:n:f:h", long_opts, NULL)) != -1) {
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
		case 'h': fputs(usage, stdout); return 0;
		case OPT_VERSION: printf("lt-regress %s\n", LT_VERSION); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	char **rest = argv + optind;
	int n = argc - optind;
	if (!strcmp(sub, "stat"))
		return cmd_stat(&o, rest, n);
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
	if ((!strcmp(sub, "check") || !strcmp(sub, "alerts")) && n) {
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
	else
		status = db || !strcmp(rest[0], "show")
				 ? cmd_thresholds(&o, db, rest[0], n > 1 ? rest[1] : NULL)
				 : 2;
	lt_db_close(db);
	return status;
}
