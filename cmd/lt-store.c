/* lt-store -- record NDJSON runs in the database; list, show, export, merge.
 *
 * The plain sink of the pipeline.  The work is libltcore's store and db
 * modules; this file parses options and prints.
 */
#include "db.h"
#include "lt.h"
#include "ndjson.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: lt-store [--db <path>] [-q] [<file>...]\n"
	"       lt-store list [--db <path>] [--scenario <id>] [--limit <n>] [--json]\n"
	"       lt-store show [--db <path>] [--json] <run>\n"
	"       lt-store export [--db <path>] [--format ndjson|csv] <run>\n"
	"       lt-store merge <file>...\n"
	"\n"
	"Record the NDJSON runs of the files (stdin when none, or -) in the database,\n"
	"one line per run on stdout.  <run> is a run id or a unique prefix of one.\n"
	"\n"
	"      --db <path>        the database (default: $LT_DB, else\n"
	"                         ${XDG_DATA_HOME:-~/.local/share}/lt/lt.db)\n"
	"  -s, --scenario <id>    list: only runs of this scenario\n"
	"  -n, --limit <n>        list: at most <n> runs, newest first (default 20, 0: all)\n"
	"      --json             list, show: NDJSON instead of a table\n"
	"  -f, --format <fmt>     export: ndjson (default) or csv\n"
	"  -q, --quiet            record: no line per run\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n";

enum { OPT_DB = 256, OPT_JSON, OPT_VERSION };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"scenario", required_argument, NULL, 's'},
	{"limit", required_argument, NULL, 'n'},
	{"json", no_argument, NULL, OPT_JSON},
	{"format", required_argument, NULL, 'f'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

struct opts {
	const char *db, *scenario, *format;
	long limit;
	bool json, quiet;
};

static int fail(const struct lt_err *err, lt_rc rc)
{
	fprintf(stderr, "lt-store: %s\n", lt_errmsg(err));
	return lt_rc_exit_status(rc);
}

static int open_db(const struct opts *o, unsigned flags, struct lt_db **db)
{
	struct lt_err err = {0};
	lt_rc rc = lt_db_open(o->db, flags, db, &err);
	return rc == LT_OK ? 0 : fail(&err, rc);
}

/* ---- record ---- */

static lt_rc print_recorded(const struct lt_store_recorded *r, void *ctx)
{
	const struct opts *o = ctx;

	if (o->quiet)
		return LT_OK;
	if (strcmp(r->type, "run") == 0)
		printf("%s run %s (%s, %s, %zu samples)\n",
		       r->was_present ? "already recorded" : "recorded", r->id,
		       r->scenario_id ? r->scenario_id : "no scenario", r->status, r->samples);
	else
		printf("recorded %s %s\n", r->type, r->id ? r->id : "");
	fflush(stdout);
	return LT_OK;
}

static int cmd_record(const struct opts *o, char **files, int n)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	static char *dash[] = {"-"};
	int status;
	lt_rc rc = LT_OK;

	if (n == 0) {
		files = dash;
		n = 1;
	}
	/* Open every file before recording any, so a typo in the last name
	 * does not leave the first files recorded and the command failed. */
	FILE **fs = calloc((size_t)n, sizeof *fs);
	if (!fs)
		return 3;
	for (int i = 0; i < n; i++) {
		fs[i] = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "r");
		if (!fs[i]) {
			lt_err_set(&err, errno == ENOENT ? LT_ENOTFOUND : LT_EIO, "%s: %s", files[i],
				   strerror(errno));
			status = fail(&err, err.rc);
			goto out;
		}
	}
	if ((status = open_db(o, 0, &db)) != 0)
		goto out;
	for (int i = 0; i < n && rc == LT_OK; i++)
		rc = lt_store_ingest(db, fs[i], fs[i] == stdin ? "<stdin>" : files[i],
				     print_recorded, (void *)o, &err);
	if (rc != LT_OK)
		status = fail(&err, rc);
out:
	for (int i = 0; i < n; i++)
		if (fs[i] && fs[i] != stdin)
			fclose(fs[i]);
	free(fs);
	lt_db_close(db);
	return status;
}

/* ---- list ---- */

static void print_ms(double v)
{
	if (isnan(v))
		printf(" %9s", "-");
	else
		printf(" %9.2f", v);
}

static lt_rc list_row(const struct lt_db_run *r, void *ctx)
{
	const struct opts *o = ctx;

	if (o->json) {
		cJSON *j = cJSON_CreateObject();
		if (!j)
			return LT_ENOMEM;
		cJSON_AddStringToObject(j, "run_id", r->run_id);
		if (r->scenario_id)
			cJSON_AddStringToObject(j, "scenario_id", r->scenario_id);
		cJSON_AddStringToObject(j, "started_at", r->started_at);
		cJSON_AddStringToObject(j, "status", r->status);
		cJSON_AddNumberToObject(j, "requests", (double)r->requests);
		cJSON_AddNumberToObject(j, "errors", (double)r->errors);
		if (!isnan(r->error_rate))
			cJSON_AddNumberToObject(j, "error_rate", r->error_rate);
		if (!isnan(r->latency_ms.p95))
			cJSON_AddNumberToObject(j, "p95_ms", r->latency_ms.p95);
		if (!isnan(r->throughput_avg_rps))
			cJSON_AddNumberToObject(j, "throughput_avg", r->throughput_avg_rps);
		if (r->passed >= 0)
			cJSON_AddBoolToObject(j, "passed", r->passed);
		char *line = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		if (!line)
			return LT_ENOMEM;
		puts(line);
		free(line);
		return LT_OK;
	}
	char errors[16] = "-";
	if (!isnan(r->error_rate))
		snprintf(errors, sizeof errors, "%.2f%%", r->error_rate);
	printf("%-12.12s %-20.20s %-20.19s %-11s %9lld %7s", r->run_id,
	       r->scenario_id ? r->scenario_id : "-", r->started_at, r->status,
	       (long long)r->requests, errors);
	print_ms(r->latency_ms.p95);
	if (isnan(r->throughput_avg_rps))
		printf(" %9s", "-");
	else
		printf(" %9.1f", r->throughput_avg_rps);
	printf(" %s\n", r->passed < 0 ? "-" : r->passed ? "pass" : "FAIL");
	return LT_OK;
}

static int cmd_list(const struct opts *o)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	int status;
	lt_rc rc;

	if ((status = open_db(o, LT_DB_READONLY, &db)) != 0)
		return status;
	if (!o->json)
		printf("%-12s %-20s %-20s %-11s %9s %7s %9s %9s %s\n", "RUN", "SCENARIO",
		       "STARTED", "STATUS", "REQUESTS", "ERRORS", "P95 MS", "REQ/S", "THRESHOLDS");
	rc = lt_db_runs_list(db, o->scenario, (size_t)o->limit, list_row, (void *)o, &err);
	lt_db_close(db);
	return rc == LT_OK ? 0 : fail(&err, rc);
}

/* ---- show ---- */

static void show_latency(const char *label, const cJSON *lat)
{
	static const char *const names[] = {"min", "mean", "p50", "p90", "p95", "p99", "max"};
	printf("  %-22s", label);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		double v = NAN;
		lt_ndjson_get_num(lat, names[i], &v);
		printf(" %9.2f", v);
	}
	printf("\n");
}

static void show_summary(const struct lt_db_run *r)
{
	const cJSON *s = r->summary;
	double v;

	printf("run        %s\n", r->run_id);
	printf("scenario   %s%s%s%s\n", r->scenario_id ? r->scenario_id : "-",
	       r->scenario_name ? " (" : "", r->scenario_name ? r->scenario_name : "",
	       r->scenario_name ? ")" : "");
	printf("started    %s\n", r->started_at);
	printf("status     %s\n", r->status);
	if ((r->segment && strcmp(r->segment, "1/1") != 0) || r->run_group)
		printf("shard      %s of group %s\n", r->segment ? r->segment : "-",
		       r->run_group ? r->run_group : "-");
	if (r->host)
		printf("host       %s (lt %s)\n", r->host, r->version ? r->version : "?");
	if (!s) {
		printf("\nno summary: the stream ended before the run did\n");
		return;
	}
	printf("\nsteady phase %.1f s\n", r->duration_s);
	printf("  requests %lld, errors %lld (%.2f %%)\n", (long long)r->requests,
	       (long long)r->errors, r->error_rate);
	printf("  throughput %.1f req/s average, %.1f peak", r->throughput_avg_rps,
	       r->throughput_peak_rps);
	if (r->users_peak > 0)
		printf(", %lld users at peak", (long long)r->users_peak);
	printf("\n\nlatency (ms)                  min      mean       p50       p90       p95       p99       max\n");
	show_latency("all", lt_ndjson_get(s, "latency_ms"));
	const cJSON *ep;
	cJSON_ArrayForEach(ep, lt_ndjson_get(s, "endpoints")) {
		const char *name = lt_ndjson_get_str(ep, "name");
		show_latency(name ? name : "?", lt_ndjson_get(ep, "latency_ms"));
	}
	const cJSON *eps = lt_ndjson_get(s, "endpoints");
	if (cJSON_GetArraySize(eps) > 0) {
		printf("\nendpoints                  requests    errors\n");
		cJSON_ArrayForEach(ep, eps) {
			uint64_t req = 0, errs = 0;
			lt_ndjson_get_count(ep, "requests", &req);
			lt_ndjson_get_count(ep, "errors", &errs);
			printf("  %-22s %10llu %9llu\n", lt_ndjson_get_str(ep, "name"),
			       (unsigned long long)req, (unsigned long long)errs);
		}
	}
	const cJSON *th = lt_ndjson_get(s, "thresholds");
	if (cJSON_GetArraySize(th) > 0) {
		printf("\nthresholds\n");
		const cJSON *t;
		cJSON_ArrayForEach(t, th) {
			double limit = NAN;
			bool ok = false;
			v = NAN;
			lt_ndjson_get_num(t, "limit", &limit);
			lt_ndjson_get_num(t, "value", &v);
			lt_ndjson_get_bool(t, "ok", &ok);
			printf("  %-22s %-2s %10g  value %10.3f  %s\n", lt_ndjson_get_str(t, "metric"),
			       lt_ndjson_get_str(t, "op"), limit, v, ok ? "ok" : "CROSSED");
		}
	}
	printf("\nthresholds %s\n", r->passed < 0 ? "not judged" : r->passed ? "passed" : "CROSSED");
}

static int cmd_show(const struct opts *o, const char *id)
{
	struct lt_db *db = NULL;
	struct lt_db_run *run = NULL;
	struct lt_err err = {0};
	int status;
	lt_rc rc;

	if ((status = open_db(o, LT_DB_READONLY, &db)) != 0)
		return status;
	if ((rc = lt_db_run_get(db, id, &run, &err)) != LT_OK) {
		lt_db_close(db);
		return fail(&err, rc);
	}
	if (o->json) {
		const cJSON *rec = run->summary ? run->summary : run->run_start;
		if (rec && lt_ndjson_write(stdout, rec, &err) != LT_OK)
			status = fail(&err, err.rc);
	} else {
		show_summary(run);
	}
	lt_db_run_free(run);
	lt_db_close(db);
	return status;
}

/* ---- export, merge ---- */

static int cmd_export(const struct opts *o, const char *id)
{
	struct lt_db *db = NULL;
	struct lt_db_run *run = NULL;
	struct lt_err err = {0};
	int status;
	lt_rc rc;

	if (strcmp(o->format, "ndjson") != 0 && strcmp(o->format, "csv") != 0) {
		fprintf(stderr, "lt-store: --format: expected ndjson or csv, got '%s'\n", o->format);
		return 2;
	}
	if ((status = open_db(o, LT_DB_READONLY, &db)) != 0)
		return status;
	/* Resolve a prefix to the full id once. */
	if ((rc = lt_db_run_get(db, id, &run, &err)) == LT_OK)
		rc = strcmp(o->format, "csv") == 0
			     ? lt_store_export_csv(db, run->run_id, stdout, &err)
			     : lt_store_export_ndjson(db, run->run_id, stdout, &err);
	lt_db_run_free(run);
	lt_db_close(db);
	if (rc == LT_OK && fflush(stdout) != 0)
		rc = lt_err_set(&err, LT_EIO, "writing: %s", strerror(errno));
	return rc == LT_OK ? 0 : fail(&err, rc);
}

static int cmd_merge(char **files, int n)
{
	struct lt_err err = {0};
	lt_rc rc;

	if (n < 1) {
		fprintf(stderr, "lt-store merge: expected the shard files to merge\n");
		return 2;
	}
	bool passed = true;
	rc = lt_store_merge((const char *const *)files, (size_t)n, stdout, &passed, &err);
	if (rc == LT_OK && fflush(stdout) != 0)
		rc = lt_err_set(&err, LT_EIO, "writing: %s", strerror(errno));
	if (rc != LT_OK)
		return fail(&err, rc);
	/* The thresholds judged on the merged whole decide, as lt-run's do
	 * for one generator: the merge itself can gate CI. */
	return passed ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o = {.limit = 20, .format = "ndjson"};
	const char *sub = NULL;
	int opt;

	signal(SIGPIPE, SIG_IGN);
	/* The command comes first, or after --db (`lt-store --db x.db list`). */
	int at = 1;
	while (at < argc && (!strcmp(argv[at], "--db") || !strncmp(argv[at], "--db=", 5)))
		at += argv[at][4] == '=' ? 1 : 2;
	if (at < argc && (!strcmp(argv[at], "list") || !strcmp(argv[at], "show") ||
			  !strcmp(argv[at], "export") || !strcmp(argv[at], "merge"))) {
		sub = argv[at];
		memmove(argv + at, argv + at + 1, (size_t)(argc - at) * sizeof *argv);
		argc--;
	}
	while ((opt = getopt_long(argc, argv, "s:n:f:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_DB:
			o.db = optarg;
			break;
		case 's':
			o.scenario = optarg;
			break;
		case 'n': {
			char *end;
			errno = 0;
			o.limit = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o.limit < 0) {
				fprintf(stderr, "lt-store: --limit: expected a whole number >= 0, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		}
		case OPT_JSON:
			o.json = true;
			break;
		case 'f':
			o.format = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case OPT_VERSION:
			printf("lt-store %s\n", LT_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	char **rest = argv + optind;
	int n = argc - optind;
	if (!sub)
		return cmd_record(&o, rest, n);
	if (!strcmp(sub, "list")) {
		if (n) {
			fprintf(stderr, "lt-store list: unexpected argument '%s'\n", rest[0]);
			return 2;
		}
		return cmd_list(&o);
	}
	if (!strcmp(sub, "merge"))
		return cmd_merge(rest, n);
	if (n != 1) {
		fprintf(stderr, "lt-store %s: expected one run id\n%s", sub, usage);
		return 2;
	}
	return !strcmp(sub, "show") ? cmd_show(&o, rest[0]) : cmd_export(&o, rest[0]);
}
