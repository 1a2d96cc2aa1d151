/* lt-run -- run a load test scenario; NDJSON metrics on stdout.
 *
 * Options are parsed here; the work is libltcore's: scenario (load,
 * overrides), engine (the load), ndjson (the records), db (--db).
 */
#include "db.h"
#include "engine.h"
#include "lt.h"
#include "ndjson.h"
#include "regress.h"
#include "scenario.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: lt-run [<options>] <scenario.json | ->\n"
	"\n"
	"  -b, --base-url <url>       override config.baseUrl (the service to load)\n"
	"  -d, --duration <time>      override duration.total (30, 30s, 5m, 1h)\n"
	"  -u, --users <n>            override users.concurrent (open model: arrival.maxUsers)\n"
	"  -r, --rate <r>             open model at a constant <r> requests per second\n"
	"  -T, --threshold <expr>     add or replace a threshold: 'p95<300', 'errorRate<1',\n"
	"                             'throughput>50' (repeatable)\n"
	"  -t, --threads <n>          worker threads (default: one per core)\n"
	"  -s, --scenario <id>        run only this scenario of an array file\n"
	"      --segment <I/N>        run shard I of N (default: $LT_SEGMENT, or\n"
	"                             $JOB_COMPLETION_INDEX+1 of $LT_SEGMENTS)\n"
	"      --run-group <id>       id shared by the shards of one run ($LT_RUN_GROUP)\n"
	"      --run-id <id>          this run's id (default: a new UUID)\n"
	"      --tag <key=value>      add a tag to run_start (repeatable)\n"
	"      --db <path>            also record the run in this database, second by second\n"
	"      --record               the same in the default database ($LT_DB, else\n"
	"                             ~/.local/share/lt/lt.db)\n"
	"  -k, --insecure             do not verify TLS certificates\n"
	"      --cacert <file>        CA certificates to verify TLS with\n"
	"      --libcurl              send every request through libcurl, never the\n"
	"                             native HTTP/1.1 client (see lt-run(1))\n"
	"  -n, --dry-run              check the scenario and print the plan (users or rate\n"
	"                             per second, expected requests); send nothing\n"
	"  -q, --quiet                no progress line on stderr\n"
	"  -h, --help                 show this help\n"
	"      --version              show the version\n";

enum { OPT_SEGMENT = 256, OPT_RUN_GROUP, OPT_RUN_ID, OPT_TAG, OPT_DB, OPT_RECORD, OPT_CACERT,
       OPT_LIBCURL, OPT_VERSION };

static const struct option long_opts[] = {
	{"base-url", required_argument, NULL, 'b'},
	{"duration", required_argument, NULL, 'd'},
	{"users", required_argument, NULL, 'u'},
	{"rate", required_argument, NULL, 'r'},
	{"threshold", required_argument, NULL, 'T'},
	{"threads", required_argument, NULL, 't'},
	{"scenario", required_argument, NULL, 's'},
	{"segment", required_argument, NULL, OPT_SEGMENT},
	{"run-group", required_argument, NULL, OPT_RUN_GROUP},
	{"run-id", required_argument, NULL, OPT_RUN_ID},
	{"tag", required_argument, NULL, OPT_TAG},
	{"db", required_argument, NULL, OPT_DB},
	{"record", no_argument, NULL, OPT_RECORD},
	{"insecure", no_argument, NULL, 'k'},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"libcurl", no_argument, NULL, OPT_LIBCURL},
	{"dry-run", no_argument, NULL, 'n'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

struct run_ctx {
	bool progress;
	struct lt_db *db;        /* --db: record sample by sample */
	cJSON *run_start;        /* the current run's, for lt_db_run_finish */
	lt_rc write_rc;
	struct lt_err write_err;
};

static struct lt_engine *volatile running;
static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	/* The first signal stops the run cleanly (summary with
	 * "interrupted": true); a second SIGINT means "now". */
	if (interrupts++ > 0 && sig == SIGINT)
		_exit(130);
	lt_engine_stop(running);
}

/* Record rec in the database as it comes, so that a killed run keeps
 * every second it measured. */
static lt_rc record_live(struct run_ctx *c, const cJSON *rec, struct lt_err *err)
{
	switch (lt_ndjson_type_parse(lt_ndjson_get_str(rec, "type"))) {
	case LT_NDJSON_RUN_START:
		cJSON_Delete(c->run_start);
		if (!(c->run_start = cJSON_Duplicate(rec, 1)))
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		return lt_db_run_begin(c->db, rec, err);
	case LT_NDJSON_SAMPLE:
		return lt_db_run_sample(c->db, rec, err);
	case LT_NDJSON_SUMMARY:
		return lt_db_run_finish(c->db, c->run_start, rec, err);
	default:
		return LT_OK;
	}
}

static int on_record(const cJSON *rec, void *user)
{
	struct run_ctx *c = user;

	/* Flushed each time even into a file: one line a second costs
	 * nothing, and `tail -f` or a killed pod then sees every second. */
	/* The database first: a sample on stdout is then always in the
	 * database too, even when lt-run is killed between the two. */
	if ((c->db && record_live(c, rec, &c->write_err) != LT_OK) ||
	    lt_ndjson_write(stdout, rec, &c->write_err) != LT_OK ||
	    (fflush(stdout) != 0 &&
	     lt_err_set(&c->write_err, LT_EIO, "stdout: %s", strerror(errno)) != LT_OK)) {
		/* stdout is gone (a closed pipe) or the database failed: stop
		 * sending load nobody will see. */
		c->write_rc = c->write_err.rc;
		return 1;
	}
	return 0;
}

/* The scenario's options.compareBaseline and options.saveBaseline, for a
 * run recorded with --db: the verdict's records go to stdout after the
 * run's; a critical regression exits 1. */
static int run_options(struct run_ctx *c, const struct lt_scenario *sc, bool quiet)
{
	struct lt_regress_config *cfg = lt_regress_config_new();
	struct lt_regress_outcome o;
	struct lt_err err = {0};
	cJSON *stored = NULL;
	const char *run_id = lt_ndjson_get_str(c->run_start, "run_id");
	int status = 0;
	lt_rc rc;

	if (!cfg)
		return 3;
	if (lt_db_regress_config_get(c->db, sc->id, &stored, NULL, &err) == LT_OK &&
	    (rc = lt_regress_config_apply(cfg, stored, "stored thresholds", &err)) != LT_OK)
		goto fail;
	if ((rc = lt_regress_run_options(c->db, run_id, sc->options.compare_baseline,
					 sc->options.save_baseline, sc->options.environment,
					 sc->options.version, cfg, &o, &err)) != LT_OK)
		goto fail;
	for (size_t i = 0; i < o.n_alerts; i++)
		lt_ndjson_write(stdout, o.alerts[i], &err);
	if (o.verdict) {
		const char *v = lt_ndjson_get_str(o.verdict, "status");
		lt_ndjson_write(stdout, o.verdict, &err);
		if (!quiet)
			fprintf(stderr, "lt-run: %s: compared with the baseline: %s, %zu alert%s\n",
				sc->id, v, o.n_alerts, o.n_alerts == 1 ? "" : "s");
		if (!strcmp(v, "critical"))
			status = 1;
	}
	if (!quiet && o.no_baseline)
		fprintf(stderr, "lt-run: %s: no baseline to compare with yet\n", sc->id);
	if (!quiet && o.saved)
		fprintf(stderr, "lt-run: %s: this run is now the baseline (%s)\n", sc->id,
			sc->options.environment ? sc->options.environment : "default");
	lt_regress_outcome_clear(&o);
	cJSON_Delete(stored);
	lt_regress_config_free(cfg);
	fflush(stdout);
	return status;
fail:
	fprintf(stderr, "lt-run: %s: %s\n", sc->id, lt_errmsg(&err));
	cJSON_Delete(stored);
	lt_regress_config_free(cfg);
	return lt_rc_exit_status(rc);
}

static void on_progress(const struct lt_engine_progress *p, void *user)
{
	struct run_ctx *c = user;

	if (!c->progress)
		return;
	double err_pct = p->requests ? 100.0 * (double)p->errors / (double)p->requests : 0;
	fprintf(stderr, "\r\033[K%5.0f/%.0fs %-8s users %-6llu %8.1f req/s  p95 %8.2f ms  errors %5.2f%%",
		p->elapsed_s, p->total_s, p->phase, (unsigned long long)p->users, p->rps,
		p->p95_ms, err_pct);
	fflush(stderr);
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return false;
	*out = v;
	return true;
}

static bool parse_segment(const char *s, unsigned *i, unsigned *n)
{
	unsigned long a, b;
	char buf[64], *slash;

	snprintf(buf, sizeof buf, "%s", s);
	if (!(slash = strchr(buf, '/')))
		return false;
	*slash = '\0';
	if (!parse_uint(buf, 100000, &a) || !parse_uint(slash + 1, 100000, &b) || a < 1 || a > b)
		return false;
	*i = (unsigned)a;
	*n = (unsigned)b;
	return true;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "lt-run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see lt-run --help)\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct lt_scenario_overrides ov = {0};
	struct lt_threshold thresholds[64];
	struct lt_engine_opts eo = {0};
	struct run_ctx ctx = {0};
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	const char *only = NULL, *db_path = NULL, *seg_env;
	bool dry_run = false, quiet = false, want_db = false;
	cJSON *tags = NULL;
	int opt, status = 0;
	unsigned long v;
	lt_rc rc;

	while ((opt = getopt_long(argc, argv, "b:d:u:r:T:t:s:knqh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			ov.base_url = optarg;
			break;
		case 'd':
			if (!lt_scenario_duration_parse(optarg, &ov.duration_s) || ov.duration_s <= 0)
				return bad_usage("--duration: expected a positive time like 30, 30s or 5m, got '%s'", optarg);
			break;
		case 'u':
			if (!parse_uint(optarg, LT_SCENARIO_MAX_USERS, &v) || v == 0)
				return bad_usage("--users: expected a whole number from 1 to 100000, got '%s'", optarg);
			ov.users = (int)v;
			break;
		case 'r': {
			char *end;
			ov.rate = strtod(optarg, &end);
			if (end == optarg || *end || !(ov.rate > 0) || ov.rate > LT_SCENARIO_MAX_RATE)
				return bad_usage("--rate: expected requests per second above 0, got '%s'", optarg);
			break;
		}
		case 'T':
			if (ov.n_thresholds == sizeof thresholds / sizeof *thresholds)
				return bad_usage("--threshold: at most 64, got more at '%s'", optarg);
			if (lt_scenario_threshold_parse(optarg, &thresholds[ov.n_thresholds], &err) != LT_OK) {
				fprintf(stderr, "lt-run: --threshold: %s\n", lt_errmsg(&err));
				return 2;
			}
			ov.n_thresholds++;
			break;
		case 't':
			if (!parse_uint(optarg, 1024, &v) || v == 0)
				return bad_usage("--threads: expected a whole number from 1 to 1024, got '%s'", optarg);
			eo.threads = (unsigned)v;
			break;
		case 's':
			only = optarg;
			break;
		case OPT_SEGMENT:
			if (!parse_segment(optarg, &eo.segment_index, &eo.segment_count))
				return bad_usage("--segment: expected I/N with 1 <= I <= N, got '%s'", optarg);
			break;
		case OPT_RUN_GROUP:
			eo.run_group = optarg;
			break;
		case OPT_RUN_ID:
			eo.run_id = optarg;
			break;
		case OPT_TAG: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg)
				return bad_usage("--tag: expected key=value, got '%s'", optarg);
			if (!tags && !(tags = cJSON_CreateObject()))
				return 3;
			char key[256];
			snprintf(key, sizeof key, "%.*s", (int)(eq - optarg), optarg);
			cJSON_DeleteItemFromObjectCaseSensitive(tags, key);
			cJSON_AddStringToObject(tags, key, eq + 1);
			break;
		}
		case OPT_DB:
			want_db = true;
			db_path = optarg;
			break;
		case OPT_RECORD:
			want_db = true;
			break;
		case 'k':
			eo.insecure = true;
			break;
		case OPT_CACERT:
			eo.cacert = optarg;
			break;
		case OPT_LIBCURL:
			eo.libcurl = true;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case OPT_VERSION:
			printf("lt-run %s\n", LT_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "lt-run: expected one scenario file (or - for stdin)\n%s", usage);
		return 2;
	}
	ov.thresholds = thresholds;
	if (!eo.segment_count && (seg_env = getenv("LT_SEGMENT")) && *seg_env &&
	    !parse_segment(seg_env, &eo.segment_index, &eo.segment_count))
		return bad_usage("LT_SEGMENT: expected I/N with 1 <= I <= N, got '%s'", seg_env);
	if (!eo.segment_count && (seg_env = getenv("JOB_COMPLETION_INDEX")) && *seg_env) {
		/* A Kubernetes Indexed Job: the index is 0-based, the count
		 * comes from LT_SEGMENTS (the Job's completions). */
		const char *count = getenv("LT_SEGMENTS");
		unsigned long idx, cnt;
		if (!count || !parse_uint(seg_env, 99999, &idx) || !parse_uint(count, 100000, &cnt) ||
		    idx >= cnt)
			return bad_usage("JOB_COMPLETION_INDEX needs LT_SEGMENTS (the number of shards) above it, got index '%s'", seg_env);
		eo.segment_index = (unsigned)idx + 1;
		eo.segment_count = (unsigned)cnt;
	}
	if (!eo.run_group && getenv("LT_RUN_GROUP") && *getenv("LT_RUN_GROUP"))
		eo.run_group = getenv("LT_RUN_GROUP");

	if ((rc = lt_scenario_load_file(argv[optind], &set, &err)) != LT_OK) {
		fprintf(stderr, "lt-run: %s\n", lt_errmsg(&err));
		cJSON_Delete(tags);
		return lt_rc_exit_status(rc);
	}
	if (only && !lt_scenario_set_find(set, only)) {
		fprintf(stderr, "lt-run: %s: no scenario with id \"%s\"\n", argv[optind], only);
		status = 2;
		goto out;
	}
	for (size_t i = 0; i < lt_scenario_set_count(set); i++) {
		struct lt_scenario *sc = lt_scenario_set_get(set, i);
		if (only && strcmp(sc->id, only) != 0)
			continue;
		if ((rc = lt_scenario_apply_overrides(sc, &ov, &err)) != LT_OK) {
			fprintf(stderr, "lt-run: %s\n", lt_errmsg(&err));
			status = lt_rc_exit_status(rc);
			goto out;
		}
	}
	if (eo.run_id) {
		size_t runs = 0;
		for (size_t i = 0; i < lt_scenario_set_count(set); i++)
			runs += !only || !strcmp(lt_scenario_set_get(set, i)->id, only);
		if (runs > 1) {
			fprintf(stderr, "lt-run: --run-id: %s holds %zu scenarios and each run needs its "
				"own id: pick one with --scenario\n", argv[optind], runs);
			status = 2;
			goto out;
		}
	}
	if (dry_run) {
		for (size_t i = 0; i < lt_scenario_set_count(set); i++) {
			struct lt_scenario *sc = lt_scenario_set_get(set, i);
			if (only && strcmp(sc->id, only) != 0)
				continue;
			cJSON *j = lt_engine_plan(sc, eo.segment_index, eo.segment_count);
			char *line = j ? lt_ndjson_encode(j) : NULL;
			if (!line) {
				cJSON_Delete(j);
				if (!j) {
					fprintf(stderr, "lt-run: %s: out of memory making the plan\n", sc->id);
					status = 3;
					goto out;
				}
				/* One entry per second: a run of weeks makes a
				 * plan longer than an NDJSON line may be. */
				fprintf(stderr, "lt-run: %s: the plan of a %.0f s run is longer than one "
					"NDJSON line may be (%u bytes); plan a shorter one with --duration\n",
					sc->id, sc->config.duration.total_s, (unsigned)LT_NDJSON_MAX_LINE);
				status = 2;
				goto out;
			}
			puts(line);
			free(line);
			cJSON_Delete(j);
		}
		goto out;
	}

	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ctx.progress = !quiet && isatty(STDERR_FILENO) && !getenv("NO_COLOR") &&
		       !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
	if (want_db && (rc = lt_db_open(db_path, 0, &ctx.db, &err)) != LT_OK) {
		fprintf(stderr, "lt-run: %s\n", lt_errmsg(&err));
		status = lt_rc_exit_status(rc);
		goto out;
	}
	eo.tags = tags;
	eo.on_record = on_record;
	eo.on_progress = on_progress;
	eo.user = &ctx;
	for (size_t i = 0; i < lt_scenario_set_count(set) && !interrupts; i++) {
		struct lt_scenario *sc = lt_scenario_set_get(set, i);
		struct lt_engine *e = NULL;
		struct lt_engine_result res;

		if (only && strcmp(sc->id, only) != 0)
			continue;
		if ((rc = lt_engine_new(sc, &eo, &e, &err)) != LT_OK) {
			fprintf(stderr, "lt-run: %s\n", lt_errmsg(&err));
			status = lt_rc_exit_status(rc);
			goto out;
		}
		running = e;
		rc = lt_engine_run(e, &res, &err);
		running = NULL;
		lt_engine_free(e);
		if (ctx.progress)
			fputs("\r\033[K", stderr);
		if (rc != LT_OK) {
			fprintf(stderr, "lt-run: %s: %s\n", sc->id, lt_errmsg(&err));
			status = lt_rc_exit_status(rc);
			goto out;
		}
		if (ctx.write_rc != LT_OK) {
			fprintf(stderr, "lt-run: %s: %s\n", ctx.db ? "recording the results" : "writing the results",
				lt_errmsg(&ctx.write_err));
			status = lt_rc_exit_status(ctx.write_rc);
			goto out;
		}
		if (!res.passed && status == 0)
			status = 1;
		if (res.interrupted)
			status = 130;
		if (!quiet)
			fprintf(stderr, "lt-run: %s: %llu requests, %llu errors%s, thresholds %s%s\n",
				sc->id, (unsigned long long)res.requests,
				(unsigned long long)res.errors,
				res.dropped ? " (some arrivals dropped: raise arrival.maxUsers)" : "",
				res.passed ? "passed" : "CROSSED",
				res.interrupted ? " (interrupted)" : "");
		if (ctx.db && !res.interrupted &&
		    (sc->options.compare_baseline || sc->options.save_baseline)) {
			int s2 = run_options(&ctx, sc, quiet);
			if (s2 > status)
				status = s2;
		}
	}
out:
	cJSON_Delete(ctx.run_start);
	lt_db_close(ctx.db);
	cJSON_Delete(tags);
	lt_scenario_set_free(set);
	if (fflush(stdout) != 0 && status == 0)
		status = 3;
	return status;
}
