/* lt-baseline -- set, list, show and delete the baselines regressions are judged against.
 *
 * The work is libltcore's (store: recording stdin; db: the baselines;
 * regress: the metrics a baseline keeps); this file parses and prints.
 */
#include "benchcheck.h"
#include "db.h"
#include "lt.h"
#include "ndjson.h"
#include "regress.h"
#include "store.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: lt-baseline set [--db <path>] [--version <v>] [--env <env>] [--note <text>] [--run <run>]\n"
	"       lt-baseline list [--db <path>] [--scenario <id>] [--json]\n"
	"       lt-baseline show [--db <path>] --scenario <id> [--env <env>] [--version <v>] [--json]\n"
	"       lt-baseline delete [--db <path>] --scenario <id> [--env <env>] [--version <v>]\n"
	"\n"
	"set records the run on stdin (lt-run's NDJSON) and makes it the baseline of its\n"
	"scenario in the environment; --run takes a stored run instead.  Bench records\n"
	"(lt-bench's) each become the baseline of their benchmark, bench:<suite>/<name>.\n"
	"\n"
	"      --db <path>        the database (default: $LT_DB, else ~/.local/share/lt/lt.db)\n"
	"  -V, --version <v>      the baseline's version label (default: the scenario's\n"
	"                         options.version, else none)\n"
	"  -e, --env <env>        the environment (default: the scenario's\n"
	"                         options.environment, else \"default\")\n"
	"  -r, --run <run>        set: a stored run (id or unique prefix) instead of stdin\n"
	"  -s, --scenario <id>    the scenario\n"
	"      --note <text>      set: a note kept with the baseline\n"
	"      --json             list, show: JSON\n"
	"  -h, --help             show this help\n"
	"      --lt-version       show lt's version\n";

enum { OPT_DB = 256, OPT_NOTE, OPT_JSON, OPT_LT_VERSION };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"version", required_argument, NULL, 'V'},
	{"env", required_argument, NULL, 'e'},
	{"run", required_argument, NULL, 'r'},
	{"scenario", required_argument, NULL, 's'},
	{"note", required_argument, NULL, OPT_NOTE},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{"lt-version", no_argument, NULL, OPT_LT_VERSION},
	{NULL, 0, NULL, 0},
};

struct opts {
	const char *db, *version, *env, *run, *scenario, *note;
	bool json;
};

static int fail(const struct lt_err *err, lt_rc rc)
{
	fprintf(stderr, "lt-baseline: %s\n", lt_errmsg(err));
	return lt_rc_exit_status(rc);
}

/* What stdin held: the last run, and every bench record. */
struct recorded {
	char *run_id;
	char **bench_ids;
	size_t n_bench;
};

static lt_rc remember_run(const struct lt_store_recorded *r, void *ctx)
{
	struct recorded *rec = ctx;
	if (!strcmp(r->type, "bench")) {
		char **ids = realloc(rec->bench_ids, (rec->n_bench + 1) * sizeof *ids);
		if (!ids)
			return LT_ENOMEM;
		rec->bench_ids = ids;
		if (!(ids[rec->n_bench] = strdup(r->id)))
			return LT_ENOMEM;
		rec->n_bench++;
		return LT_OK;
	}
	if (strcmp(r->type, "run") != 0)
		return LT_OK;
	free(rec->run_id);
	rec->run_id = strdup(r->id);
	return rec->run_id ? LT_OK : LT_ENOMEM;
}

/* Bench records and no run on stdin: each becomes the baseline of its
 * benchmark, "bench:<suite>/<name>" (benchcheck.h). */
static lt_rc set_benches(const struct opts *o, struct lt_db *db, const struct recorded *rec,
			 struct lt_err *err)
{
	for (size_t i = 0; i < rec->n_bench; i++) {
		char *key = NULL;
		lt_rc rc = lt_benchcheck_baseline_set(db, rec->bench_ids[i], o->env, o->version,
						      o->note, &key, NULL, err);
		if (rc != LT_OK)
			return rc;
		printf("baseline %s of %s (%s) is benchmark result %s\n",
		       o->version && *o->version ? o->version : "(unversioned)", key,
		       o->env && *o->env ? o->env : "default", rec->bench_ids[i]);
		free(key);
	}
	return LT_OK;
}

static int cmd_set(const struct opts *o, struct lt_db *db)
{
	struct lt_db_run *run = NULL;
	struct lt_err err = {0};
	struct recorded rec = {0};
	char *stdin_run = NULL;
	cJSON *metrics = NULL;
	int64_t id = 0;
	lt_rc rc;

	if (!o->run) {
		rc = lt_store_ingest(db, stdin, "<stdin>", remember_run, &rec, &err);
		stdin_run = rec.run_id;
		if (rc != LT_OK)
			goto fail;
		if (!stdin_run && rec.n_bench) {
			rc = set_benches(o, db, &rec, &err);
			goto fail;
		}
		if (!stdin_run) {
			rc = lt_err_set(&err, LT_EINVAL, "<stdin>: no run to set as the baseline "
					"(pipe lt-run's output in, or give --run)");
			goto fail;
		}
	}
	if ((rc = lt_db_run_get(db, o->run ? o->run : stdin_run, &run, &err)) != LT_OK)
		goto fail;
	if (strcmp(run->status, "complete") != 0 || !run->summary) {
		rc = lt_err_set(&err, LT_EINVAL, "run %s is %s: only a complete run can be a baseline",
				run->run_id, run->status);
		goto fail;
	}
	if (!run->scenario_id) {
		rc = lt_err_set(&err, LT_EINVAL, "run %s has no scenario id", run->run_id);
		goto fail;
	}
	/* The seed's scenario options name the environment and version a
	 * saveBaseline run stands for. */
	const char *env = o->env ? o->env : lt_ndjson_get_str(run->config, "options.environment");
	const char *version = o->version ? o->version : lt_ndjson_get_str(run->config, "options.version");
	if (!(metrics = lt_regress_metrics_of(run->summary))) {
		rc = lt_err_set(&err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	/* The baseline run belongs to its environment's history too. */
	if ((rc = lt_db_run_set_environment(db, run->run_id, env, &err)) != LT_OK ||
	    (rc = lt_db_baseline_set(db, run->scenario_id, env, version, run->run_id, metrics,
				     o->note, &id, &err)) != LT_OK)
		goto fail;
	printf("baseline %s of %s (%s) is run %s\n", version && *version ? version : "(unversioned)",
	       run->scenario_id, env && *env ? env : "default", run->run_id);
fail:
	cJSON_Delete(metrics);
	lt_db_run_free(run);
	free(stdin_run);
	for (size_t i = 0; i < rec.n_bench; i++)
		free(rec.bench_ids[i]);
	free(rec.bench_ids);
	return rc == LT_OK ? 0 : fail(&err, rc);
}

static void print_json(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	if (s)
		puts(s);
	free(s);
}

/* A benchmark's baseline stands on a bench record, not a run. */
static bool is_bench(const cJSON *b)
{
	const char *s = lt_ndjson_get_str(b, "scenario_id");
	return s && !strncmp(s, "bench:", 6);
}

static int cmd_list(const struct opts *o, struct lt_db *db)
{
	struct lt_err err = {0};
	cJSON *list = NULL, *b;
	lt_rc rc;

	if ((rc = lt_db_baselines_list(db, o->scenario, &list, &err)) != LT_OK)
		return fail(&err, rc);
	if (!o->json)
		printf("%-24s %-12s %-14s %-12s %s\n", "SCENARIO", "ENV", "VERSION", "RUN", "SET AT");
	cJSON_ArrayForEach(b, list) {
		if (o->json) {
			print_json(b);
			continue;
		}
		const char *v = lt_ndjson_get_str(b, "version");
		printf("%-24s %-12s %-14s %-12.12s %s\n", lt_ndjson_get_str(b, "scenario_id"),
		       lt_ndjson_get_str(b, "environment"), v && *v ? v : "-",
		       lt_ndjson_get_str(b, "run_id") ? lt_ndjson_get_str(b, "run_id")
		       : is_bench(b) ? "(benchmark)" : "(deleted)",
		       lt_ndjson_get_str(b, "created_at"));
	}
	cJSON_Delete(list);
	return 0;
}

static int cmd_show(const struct opts *o, struct lt_db *db)
{
	struct lt_err err = {0};
	cJSON *b = NULL;
	const cJSON *m;
	lt_rc rc;

	if ((rc = lt_db_baseline_get(db, o->scenario, o->env, o->version, &b, &err)) != LT_OK)
		return fail(&err, rc);
	if (o->json) {
		print_json(b);
	} else {
		const char *v = lt_ndjson_get_str(b, "version");
		printf("scenario     %s\nenvironment  %s\nversion      %s\nrun          %s\nset at       %s\n",
		       lt_ndjson_get_str(b, "scenario_id"), lt_ndjson_get_str(b, "environment"),
		       v && *v ? v : "-", lt_ndjson_get_str(b, "run_id") ? lt_ndjson_get_str(b, "run_id")
		       : is_bench(b) ? "(benchmark)" : "(deleted)",
		       lt_ndjson_get_str(b, "created_at"));
		if (is_bench(b))
			printf("benchmark    %s\n", lt_ndjson_get_str(b, "metrics.record.bench_id"));
		if (lt_ndjson_get_str(b, "note"))
			printf("note         %s\n", lt_ndjson_get_str(b, "note"));
		printf("\n");
		cJSON_ArrayForEach(m, lt_ndjson_get(b, "metrics"))
			if (cJSON_IsNumber(m))  /* a benchmark's keeps its record too */
				printf("  %-20s %12.3f\n", m->string, m->valuedouble);
	}
	cJSON_Delete(b);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
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
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		/* Alone it is the program's version; after set it is a label. */
		printf("lt-baseline %s\n", LT_VERSION);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--lt-version")) {
		printf("lt-baseline %s\n", LT_VERSION);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "set") && strcmp(argv[1], "list") &&
			 strcmp(argv[1], "show") && strcmp(argv[1], "delete"))) {
		fprintf(stderr, "lt-baseline: expected a command: set, list, show or delete\n%s", usage);
		return 2;
	}
	sub = argv[1];
	argv++;
	argc--;
	/* getopt names argv[0] in its messages: make it "lt-baseline <command>". */
	char prog[48];
	snprintf(prog, sizeof prog, "lt-baseline %s", sub);
	argv[0] = prog;
	while ((opt = getopt_long(argc, argv, "V:e:r:s:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_DB: o.db = optarg; break;
		case 'V': o.version = optarg; break;
		case 'e': o.env = optarg; break;
		case 'r': o.run = optarg; break;
		case 's': o.scenario = optarg; break;
		case OPT_NOTE: o.note = optarg; break;
		case OPT_JSON: o.json = true; break;
		case 'h': fputs(usage, stdout); return 0;
		case OPT_LT_VERSION: printf("lt-baseline %s\n", LT_VERSION); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "lt-baseline %s: unexpected argument '%s'\n", sub, argv[optind]);
		return 2;
	}
	if ((!strcmp(sub, "show") || !strcmp(sub, "delete")) && !o.scenario) {
		fprintf(stderr, "lt-baseline %s: --scenario is required\n", sub);
		return 2;
	}
	bool writes = !strcmp(sub, "set") || !strcmp(sub, "delete");
	if ((rc = lt_db_open(o.db, writes ? 0 : LT_DB_READONLY, &db, &err)) != LT_OK)
		return fail(&err, rc);
	if (!strcmp(sub, "set"))
		status = cmd_set(&o, db);
	else if (!strcmp(sub, "list"))
		status = cmd_list(&o, db);
	else if (!strcmp(sub, "show"))
		status = cmd_show(&o, db);
	else if ((rc = lt_db_baseline_delete(db, o.scenario, o.env, o.version, &err)) != LT_OK)
		status = fail(&err, rc);
	else
		status = 0;
	lt_db_close(db);
	return status;
}
