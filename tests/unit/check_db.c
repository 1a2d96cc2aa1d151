/* check_db.c -- the SQLite database (db.c): opening, migrations, ingest,
 * rollback, concurrency between processes, and the queries. */
#include "unit.h"
#include "db.h"
#include "lt.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];
static char path[300];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/lt-check-db-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/lt.db", dir);
}

static int remove_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static void teardown(void)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- helpers: records and raw SQL --------------------------------------- */

struct run {
	cJSON *rec[64];
	size_t n;
};

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		cJSON_Delete(r->rec[i]);
	r->n = 0;
}

static void add_start(struct run *r, const char *run_id, const char *scenario,
		      const char *started_at)
{
	cJSON *s = cJSON_CreateObject(), *config, *inner;
	cJSON_AddStringToObject(s, "type", "run_start");
	cJSON_AddNumberToObject(s, "v", 1);
	cJSON_AddStringToObject(s, "run_id", run_id);
	cJSON_AddStringToObject(s, "scenario_id", scenario);
	cJSON_AddStringToObject(s, "scenario_name", "API Health Check");
	cJSON_AddStringToObject(s, "started_at", started_at);
	cJSON_AddStringToObject(s, "segment", "1/1");
	cJSON_AddStringToObject(s, "host", "ci-runner-1");
	cJSON_AddStringToObject(s, "version", "0.1.0");
	config = cJSON_AddObjectToObject(s, "config");
	cJSON_AddStringToObject(config, "id", scenario);
	cJSON_AddStringToObject(config, "name", "API Health Check");
	cJSON_AddStringToObject(config, "description", "steady load");
	inner = cJSON_AddObjectToObject(config, "config");
	cJSON_AddStringToObject(inner, "baseUrl", "http://127.0.0.1:3000");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(s, "tags"), "env", "ci");
	r->rec[r->n++] = s;
}

static cJSON *latency(double base)
{
	cJSON *l = cJSON_CreateObject();
	cJSON_AddNumberToObject(l, "min", base / 4);
	cJSON_AddNumberToObject(l, "mean", base / 2);
	cJSON_AddNumberToObject(l, "p50", base / 2);
	cJSON_AddNumberToObject(l, "p90", base * 0.9);
	cJSON_AddNumberToObject(l, "p95", base);
	cJSON_AddNumberToObject(l, "p99", base * 1.5);
	cJSON_AddNumberToObject(l, "max", base * 3);
	return l;
}

static void add_sample(struct run *r, const char *run_id, double t, const char *phase,
		       double requests)
{
	cJSON *s = cJSON_CreateObject(), *hist;
	cJSON_AddStringToObject(s, "type", "sample");
	cJSON_AddNumberToObject(s, "v", 1);
	cJSON_AddStringToObject(s, "run_id", run_id);
	cJSON_AddNumberToObject(s, "t", t);
	cJSON_AddStringToObject(s, "phase", phase);
	cJSON_AddNumberToObject(s, "users", 10);
	cJSON_AddNumberToObject(s, "requests", requests);
	cJSON_AddNumberToObject(s, "errors", 1);
	cJSON_AddNumberToObject(s, "rps", requests);
	cJSON_AddNumberToObject(s, "dropped", 0);
	cJSON_AddItemToObject(s, "latency_ms", latency(100 + t));
	cJSON_AddNumberToObject(s, "bytes_in", 1000 * t);
	cJSON_AddNumberToObject(s, "bytes_out", 200 * t);
	cJSON_AddNumberToObject(s, "cpu_pct", 12.5);
	cJSON_AddNumberToObject(s, "rss_kb", 20480);
	hist = cJSON_AddObjectToObject(s, "hist");
	cJSON_AddNumberToObject(hist, "count", requests);
	r->rec[r->n++] = s;
}

static void add_summary(struct run *r, const char *run_id, double p95, bool interrupted)
{
	cJSON *s = cJSON_CreateObject(), *tp, *eps, *ep;
	cJSON_AddStringToObject(s, "type", "summary");
	cJSON_AddNumberToObject(s, "v", 1);
	cJSON_AddStringToObject(s, "run_id", run_id);
	cJSON_AddNumberToObject(s, "duration_s", 10);
	cJSON_AddNumberToObject(s, "requests", 600);
	cJSON_AddNumberToObject(s, "errors", 6);
	cJSON_AddNumberToObject(s, "error_rate", 1.0);
	tp = cJSON_AddObjectToObject(s, "throughput");
	cJSON_AddNumberToObject(tp, "avg", 100);
	cJSON_AddNumberToObject(tp, "peak", 120);
	cJSON *lat = latency(p95);
	cJSON_AddNumberToObject(lat, "stddev", 7.5);
	cJSON_AddItemToObject(s, "latency_ms", lat);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(s, "users"), "peak", 10);
	eps = cJSON_AddArrayToObject(s, "endpoints");
	for (int i = 0; i < 2; i++) {
		ep = cJSON_CreateObject();
		cJSON_AddStringToObject(ep, "name", i ? "GET /api/status" : "GET /health");
		cJSON_AddStringToObject(ep, "method", "GET");
		cJSON_AddStringToObject(ep, "path", i ? "/api/status" : "/health");
		cJSON_AddNumberToObject(ep, "requests", i ? 180 : 420);
		cJSON_AddNumberToObject(ep, "errors", i ? 6 : 0);
		cJSON_AddItemToObject(ep, "latency_ms", latency(p95));
		cJSON_AddItemToArray(eps, ep);
	}
	cJSON_AddArrayToObject(s, "thresholds");
	cJSON_AddBoolToObject(s, "passed", true);
	cJSON_AddBoolToObject(s, "interrupted", interrupted);
	cJSON_AddObjectToObject(s, "hist");
	r->rec[r->n++] = s;
}

/* A run of 10 samples: 2 warm-up, 6 steady, 2 cool-down. */
static void make_run(struct run *r, const char *run_id, const char *scenario,
		     const char *started_at, double p95, int with_summary)
{
	static const char *const phases[10] = {
		"warmup", "warmup", "steady", "steady", "steady", "steady",
		"steady", "steady", "cooldown", "cooldown"
	};
	add_start(r, run_id, scenario, started_at);
	for (int t = 0; t < 10; t++)
		add_sample(r, run_id, t + 1, phases[t], 100);
	if (with_summary)
		add_summary(r, run_id, p95, with_summary == 2);
}

static lt_rc ingest(struct lt_db *db, struct run *r, bool *was_present,
		    struct lt_err *err)
{
	return lt_db_ingest_run(db, r->rec, r->n, was_present, err);
}

/* The first column of the first row of sql, as an integer; -1 on error. */
static long long sql_int(const char *file, const char *sql)
{
	sqlite3 *s = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(file, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

static char *sql_text(const char *file, const char *sql)
{
	sqlite3 *s = NULL;
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_open_v2(file, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

static void sql_exec(const char *file, const char *sql)
{
	sqlite3 *s = NULL;
	ck_assert_int_eq(sqlite3_open(file, &s), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
}

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct lt_db *open_ok(void)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	ck_assert_msg(lt_db_open(path, 0, &db, &err) == LT_OK, "%s", lt_errmsg(&err));
	return db;
}

static void ingest_ok(struct lt_db *db, struct run *r)
{
	struct lt_err err = {0};
	bool present = true;
	ck_assert_msg(ingest(db, r, &present, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert(!present);
}

/* ---- opening and migrations ------------------------------------------- */

START_TEST(test_open_creates_schema)
{
	static const char *const tables[] = {
		"load_test_scenarios", "load_test_results", "regression_baselines",
		"regression_alerts", "performance_metrics_history", "benchmark_results",
		"scheduled_tests", "test_executions", "run_samples", "run_endpoints",
		"regression_thresholds", "anomaly_models", "alert_acknowledgements",
		"schedule_locks",
	};
	struct lt_db *db = open_ok();
	char sql[200], *mode;
	char *before, *after;
	size_t blen, alen;

	ck_assert_str_eq(lt_db_path(db), path);
	lt_db_close(db);
	ck_assert_int_eq(sql_int(path, "PRAGMA user_version"), LT_DB_SCHEMA_VERSION);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
			 tables[i]);
		ck_assert_msg(sql_int(path, sql) == 1, "table %s missing", tables[i]);
	}
	mode = sql_text(path, "PRAGMA journal_mode");
	ck_assert_str_eq(mode, "wal");
	free(mode);

	/* Reopening finds nothing to do and writes nothing. */
	before = slurp(path, &blen);
	db = open_ok();
	lt_db_close(db);
	after = slurp(path, &alen);
	ck_assert_uint_eq(blen, alen);
	ck_assert(memcmp(before, after, blen) == 0);
	ck_assert_int_eq(sql_int(path, "PRAGMA user_version"), LT_DB_SCHEMA_VERSION);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_newer_version_refused)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	char sql[64];

	lt_db_close(db);
	db = NULL;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", LT_DB_SCHEMA_VERSION + 1);
	sql_exec(path, sql);
	ck_assert_int_eq(lt_db_open(path, 0, &db, &err), LT_EDB);
	ck_assert_ptr_null(db);
	ck_assert_msg(strstr(lt_errmsg(&err), "newer") && strstr(lt_errmsg(&err), path),
		      "%s", lt_errmsg(&err));
	ck_assert_int_eq(lt_db_open(path, LT_DB_READONLY, &db, &err), LT_EDB);
	ck_assert(strstr(lt_errmsg(&err), "newer") != NULL);
	/* Untouched: still the newer version. */
	ck_assert_int_eq(sql_int(path, "PRAGMA user_version"), LT_DB_SCHEMA_VERSION + 1);
}
END_TEST

START_TEST(test_garbage_file)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char *before, *after;
	size_t blen, alen;
	FILE *f = fopen(path, "w");

	for (int i = 0; i < 100; i++)
		fputs("this is not a database, only text\n", f);
	fclose(f);
	before = slurp(path, &blen);
	ck_assert_int_eq(lt_db_open(path, 0, &db, &err), LT_EDB);
	ck_assert_ptr_null(db);
	ck_assert_msg(strstr(lt_errmsg(&err), "lt.db: file is not a database"), "%s",
		      lt_errmsg(&err));
	ck_assert_int_eq(lt_db_open(path, LT_DB_READONLY, &db, &err), LT_EDB);
	ck_assert(strstr(lt_errmsg(&err), "lt.db: file is not a database") != NULL);
	after = slurp(path, &alen);
	ck_assert_uint_eq(blen, alen);
	ck_assert(memcmp(before, after, blen) == 0);
	free(before);
	free(after);
}
END_TEST

static lt_rc count_run(const struct lt_db_run *run, void *ctx)
{
	(void)run;
	++*(int *)ctx;
	return LT_OK;
}

START_TEST(test_corrupt_file)
{
	static const char *const ids[] = { "c-1", "c-2", "c-3" };
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	long long pages;
	char junk[4096];
	FILE *f;
	int n = 0;
	lt_rc rc;

	for (size_t i = 0; i < 3; i++) {
		struct run r = {0};
		make_run(&r, ids[i], "s", "2026-01-01T00:00:00Z", 100, 1);
		ingest_ok(db, &r);
		run_free(&r);
	}
	lt_db_close(db);
	db = NULL;
	/* Overwrite every page but the header page with junk. */
	pages = sql_int(path, "PRAGMA page_count");
	ck_assert_int_gt(pages, 2);
	memset(junk, 0x5a, sizeof junk);
	f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	for (long long p = 1; p < pages; p++) {
		fseek(f, (long)(p * 4096), SEEK_SET);
		fwrite(junk, 1, sizeof junk, f);
	}
	fclose(f);
	rc = lt_db_open(path, 0, &db, &err);
	if (rc == LT_OK)
		rc = lt_db_runs_list(db, NULL, 0, count_run, &n, &err);
	ck_assert_int_eq(rc, LT_EDB);
	ck_assert_msg(strstr(lt_errmsg(&err), path) && strstr(lt_errmsg(&err), "corrupt"),
		      "%s", lt_errmsg(&err));
	lt_db_close(db);
}
END_TEST

START_TEST(test_foreign_database)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};

	sql_exec(path, "CREATE TABLE notes (body TEXT)");
	ck_assert_int_eq(lt_db_open(path, 0, &db, &err), LT_EDB);
	ck_assert_msg(strstr(lt_errmsg(&err), "not lt's"), "%s", lt_errmsg(&err));
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM sqlite_schema"), 1);
}
END_TEST

START_TEST(test_readonly)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	struct run r = {0};
	bool present;

	ck_assert_int_eq(lt_db_open(path, LT_DB_READONLY, &db, &err), LT_ENOTFOUND);
	ck_assert(strstr(lt_errmsg(&err), path) != NULL);
	ck_assert_int_eq(access(path, F_OK), -1);   /* not created */

	db = open_ok();
	make_run(&r, "run-ro", "s", "2026-01-01T00:00:00Z", 100, 1);
	ingest_ok(db, &r);
	lt_db_close(db);
	db = NULL;

	ck_assert_int_eq(lt_db_open(path, LT_DB_READONLY, &db, &err), LT_OK);
	ck_assert_int_eq(ingest(db, &r, &present, &err), LT_EUSAGE);
	ck_assert(strstr(lt_errmsg(&err), "read-only") != NULL);
	struct lt_db_run *got = NULL;
	ck_assert_int_eq(lt_db_run_get(db, "run-ro", &got, &err), LT_OK);
	ck_assert_str_eq(got->status, "complete");
	lt_db_run_free(got);
	lt_db_close(db);

	/* A database of schema 2 (before steady_samples): a reader upgrades
	 * it when it may write the file, and reads on. */
	sql_exec(path, "ALTER TABLE load_test_results DROP COLUMN steady_samples;"
		 "PRAGMA user_version = 2");
	ck_assert_msg(lt_db_open(path, LT_DB_READONLY, &db, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_int_eq(sql_int(path, "PRAGMA user_version"), LT_DB_SCHEMA_VERSION);
	ck_assert_int_eq(sql_int(path, "SELECT count(steady_samples) FROM load_test_results"), 0);
	ck_assert_int_eq(lt_db_run_get(db, "run-ro", &got, &err), LT_OK);
	lt_db_run_free(got);
	lt_db_close(db);
	run_free(&r);
}
END_TEST

START_TEST(test_default_path)
{
	struct lt_err err = {0};
	struct lt_db *db = NULL;
	char *p = NULL, xdg[300], expect[400];

	setenv("LT_DB", "/from/env/lt.db", 1);
	setenv("XDG_DATA_HOME", "/xdg", 1);
	setenv("HOME", "/home/me", 1);
	ck_assert_int_eq(lt_db_default_path("/given.db", &p, &err), LT_OK);
	ck_assert_str_eq(p, "/given.db");
	free(p);
	ck_assert_int_eq(lt_db_default_path(NULL, &p, &err), LT_OK);
	ck_assert_str_eq(p, "/from/env/lt.db");
	free(p);
	setenv("LT_DB", "", 1);
	ck_assert_int_eq(lt_db_default_path(NULL, &p, &err), LT_OK);
	ck_assert_str_eq(p, "/xdg/lt/lt.db");
	free(p);
	setenv("XDG_DATA_HOME", "relative/ignored", 1);
	ck_assert_int_eq(lt_db_default_path(NULL, &p, &err), LT_OK);
	ck_assert_str_eq(p, "/home/me/.local/share/lt/lt.db");
	free(p);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	p = NULL;
	ck_assert_int_eq(lt_db_default_path(NULL, &p, &err), LT_EUSAGE);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(lt_db_default_path("", &p, &err), LT_EUSAGE);

	/* The default path gets its directories made. */
	snprintf(xdg, sizeof xdg, "%s/data/home", dir);
	setenv("XDG_DATA_HOME", xdg, 1);
	ck_assert_msg(lt_db_open(NULL, 0, &db, &err) == LT_OK, "%s", lt_errmsg(&err));
	snprintf(expect, sizeof expect, "%s/lt/lt.db", xdg);
	ck_assert_str_eq(lt_db_path(db), expect);
	lt_db_close(db);
	ck_assert_int_eq(access(expect, R_OK | W_OK), 0);
}
END_TEST

/* ---- ingest ------------------------------------------------------------- */

START_TEST(test_ingest_complete_run)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct run r = {0};
	bool present = false;
	char *s;

	make_run(&r, "run-1", "api-health-check", "2026-11-27T03:57:44+01:00", 250, 1);
	ingest_ok(db, &r);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM load_test_results"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM load_test_scenarios"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 10);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_endpoints"), 2);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM performance_metrics_history"), 10);
	ck_assert_int_eq(sql_int(path, "SELECT requests FROM load_test_results"), 600);
	ck_assert_int_eq(sql_int(path, "SELECT passed FROM load_test_results"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT latency_p95_ms FROM load_test_results"), 250);
	ck_assert_int_eq(sql_int(path,
		"SELECT round(error_rate * 100) FROM run_endpoints WHERE idx = 1"), 333);
	ck_assert_int_eq(sql_int(path,
		"SELECT value FROM performance_metrics_history WHERE metric = 'responseTime.p95'"), 250);
	ck_assert_int_eq(sql_int(path,
		"SELECT value FROM performance_metrics_history WHERE metric = 'errorRate'"), 1);
	s = sql_text(path, "SELECT status FROM load_test_results");
	ck_assert_str_eq(s, "complete");
	free(s);
	/* Times are normalised to UTC; finished_at = started_at + duration. */
	s = sql_text(path, "SELECT started_at || ' ' || finished_at FROM load_test_results");
	ck_assert_str_eq(s, "2026-11-27T02:57:44.000Z 2026-11-27T02:57:54.000Z");
	free(s);
	s = sql_text(path, "SELECT name || '|' || json_extract(config, '$.config.baseUrl')"
		     " FROM load_test_scenarios WHERE scenario_id = 'api-health-check'");
	ck_assert_str_eq(s, "API Health Check|http://127.0.0.1:3000");
	free(s);
	s = sql_text(path, "SELECT json_extract(tags, '$.env') FROM load_test_results");
	ck_assert_str_eq(s, "ci");
	free(s);

	/* Again: a no-op. */
	ck_assert_int_eq(ingest(db, &r, &present, &err), LT_OK);
	ck_assert(present);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM load_test_results"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 10);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM performance_metrics_history"), 10);
	lt_db_close(db);
	run_free(&r);
}
END_TEST

START_TEST(test_incomplete_run_healed)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct run cut = {0}, shorter = {0}, full = {0};
	struct lt_db_run *got = NULL;
	bool present = false;

	/* The stream ended after 6 samples: no summary. */
	make_run(&full, "run-cut", "s", "2026-01-01T00:00:00Z", 300, 1);
	for (size_t i = 0; i < 7; i++)
		cut.rec[cut.n++] = cJSON_Duplicate(full.rec[i], 1);
	ingest_ok(db, &cut);
	ck_assert_int_eq(lt_db_run_get(db, "run-cut", &got, &err), LT_OK);
	ck_assert_str_eq(got->status, "incomplete");
	ck_assert_int_eq(got->passed, -1);
	ck_assert(isnan(got->latency_ms.p95));
	ck_assert_int_eq(got->requests, 400);   /* 4 steady seconds of 100 */
	ck_assert_int_eq(got->errors, 4);
	ck_assert_double_eq_tol(got->throughput_avg_rps, 100, 1e-9);
	ck_assert_double_eq_tol(got->duration_s, 6, 1e-9);
	ck_assert_ptr_null(got->summary);
	lt_db_run_free(got);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 6);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM performance_metrics_history"), 0);

	/* A shorter cut stream changes nothing. */
	for (size_t i = 0; i < 4; i++)
		shorter.rec[shorter.n++] = cJSON_Duplicate(full.rec[i], 1);
	ck_assert_int_eq(ingest(db, &shorter, &present, &err), LT_OK);
	ck_assert(present);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 6);

	/* The whole stream heals it. */
	ingest_ok(db, &full);
	ck_assert_int_eq(lt_db_run_get(db, "run-cut", &got, &err), LT_OK);
	ck_assert_str_eq(got->status, "complete");
	ck_assert_double_eq_tol(got->latency_ms.p95, 300, 1e-9);
	ck_assert_ptr_nonnull(got->summary);
	lt_db_run_free(got);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM load_test_results"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 10);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_endpoints"), 2);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM performance_metrics_history"), 10);
	lt_db_close(db);
	run_free(&cut);
	run_free(&shorter);
	run_free(&full);
}
END_TEST

START_TEST(test_interrupted_run)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct run r = {0}, again = {0};
	bool present = false;
	char *s;

	make_run(&r, "run-int", "s", "2026-01-01T00:00:00Z", 300, 2);
	ingest_ok(db, &r);
	s = sql_text(path, "SELECT status FROM load_test_results");
	ck_assert_str_eq(s, "interrupted");
	free(s);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM performance_metrics_history"), 0);
	/* Interrupted is final: a complete re-send is a no-op. */
	make_run(&again, "run-int", "s", "2026-01-01T00:00:00Z", 300, 1);
	ck_assert_int_eq(ingest(db, &again, &present, &err), LT_OK);
	ck_assert(present);
	s = sql_text(path, "SELECT status FROM load_test_results");
	ck_assert_str_eq(s, "interrupted");
	free(s);
	lt_db_close(db);
	run_free(&r);
	run_free(&again);
}
END_TEST

START_TEST(test_failed_ingest_leaves_file_unchanged)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct run good = {0}, bad = {0};
	char *before, *after;
	size_t blen, alen;
	bool present;

	make_run(&good, "run-good", "s", "2026-01-01T00:00:00Z", 100, 1);
	ingest_ok(db, &good);
	lt_db_close(db);
	before = slurp(path, &blen);
	db = open_ok();

	/* A sample without run_id: refused before anything is written. */
	make_run(&bad, "run-bad", "s", "2026-01-02T00:00:00Z", 100, 1);
	cJSON_DeleteItemFromObject(bad.rec[5], "run_id");
	ck_assert_int_eq(ingest(db, &bad, &present, &err), LT_EINVAL);
	ck_assert_msg(strstr(lt_errmsg(&err), "record 6") && strstr(lt_errmsg(&err), "run_id"),
		      "%s", lt_errmsg(&err));
	run_free(&bad);

	/* No run_start run_id at all. */
	make_run(&bad, "run-bad", "s", "2026-01-02T00:00:00Z", 100, 1);
	cJSON_DeleteItemFromObject(bad.rec[0], "run_id");
	ck_assert_int_eq(ingest(db, &bad, &present, &err), LT_EINVAL);
	run_free(&bad);

	/* Two samples at one t: fails in the middle of the transaction,
	 * after the run row and earlier samples were written. */
	make_run(&bad, "run-bad", "s", "2026-01-02T00:00:00Z", 100, 1);
	cJSON_ReplaceItemInObject(bad.rec[8], "t", cJSON_CreateNumber(3));
	ck_assert_int_eq(ingest(db, &bad, &present, &err), LT_EINVAL);
	ck_assert_msg(strstr(lt_errmsg(&err), "two samples at t=3"), "%s", lt_errmsg(&err));
	run_free(&bad);

	/* A summary before the last record; another run's sample. */
	make_run(&bad, "run-bad", "s", "2026-01-02T00:00:00Z", 100, 1);
	cJSON *last = bad.rec[bad.n - 1];
	bad.rec[bad.n - 1] = bad.rec[3];
	bad.rec[3] = last;
	ck_assert_int_eq(ingest(db, &bad, &present, &err), LT_EINVAL);
	run_free(&bad);
	make_run(&bad, "run-bad", "s", "2026-01-02T00:00:00Z", 100, 1);
	cJSON_ReplaceItemInObject(bad.rec[4], "run_id", cJSON_CreateString("run-other"));
	ck_assert_int_eq(ingest(db, &bad, &present, &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "run-other") != NULL);
	run_free(&bad);

	lt_db_close(db);
	after = slurp(path, &alen);
	ck_assert_uint_eq(blen, alen);
	ck_assert(memcmp(before, after, blen) == 0);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM load_test_results"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 10);
	free(before);
	free(after);
	run_free(&good);
}
END_TEST

/* Each child records its own runs into the same (new) file at the same
 * time: the file is created, migrated and written concurrently. */
static int child_ingest(int child, int runs)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	int status = 0;

	if (lt_db_open(path, 0, &db, &err) != LT_OK) {
		fprintf(stderr, "child %d: %s\n", child, lt_errmsg(&err));
		return 1;
	}
	for (int i = 0; i < runs && !status; i++) {
		struct run r = {0};
		char id[64], at[64];
		snprintf(id, sizeof id, "child%d-run%03d", child, i);
		snprintf(at, sizeof at, "2026-02-%02dT%02d:00:00Z", child + 1, i % 24);
		make_run(&r, id, "shared-scenario", at, 100 + i, 1);
		if (lt_db_ingest_run(db, r.rec, r.n, NULL, &err) != LT_OK) {
			fprintf(stderr, "child %d: %s\n", child, lt_errmsg(&err));
			status = 1;
		}
		run_free(&r);
	}
	lt_db_close(db);
	return status;
}

START_TEST(test_concurrent_processes)
{
	enum { CHILDREN = 3, RUNS = 15 };
	pid_t pids[CHILDREN];
	char *check;

	for (int c = 0; c < CHILDREN; c++) {
		pids[c] = fork();
		ck_assert_int_ge(pids[c], 0);
		if (pids[c] == 0)
			_exit(child_ingest(c, RUNS));
	}
	for (int c = 0; c < CHILDREN; c++) {
		int status = 0;
		ck_assert_int_eq(waitpid(pids[c], &status, 0), pids[c]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "child %d failed (status %d)", c, status);
	}
	check = sql_text(path, "PRAGMA integrity_check");
	ck_assert_str_eq(check, "ok");
	free(check);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM load_test_results"), CHILDREN * RUNS);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), CHILDREN * RUNS * 10);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM load_test_scenarios"), 1);
	ck_assert_int_eq(sql_int(path, "PRAGMA user_version"), LT_DB_SCHEMA_VERSION);
}
END_TEST

START_TEST(test_locked_database)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct run r = {0};
	sqlite3 *other = NULL;

	/* Another process's write transaction, held open. */
	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	lt_db_set_busy_timeout(db, 200);
	make_run(&r, "run-locked", "s", "2026-01-01T00:00:00Z", 100, 1);
	ck_assert_int_eq(ingest(db, &r, NULL, &err), LT_EDB);
	ck_assert_msg(strstr(lt_errmsg(&err), "database is locked (another lt process held it for 0.2 s)")
		      && strstr(lt_errmsg(&err), path), "%s", lt_errmsg(&err));
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	/* Free again: the same call succeeds. */
	ingest_ok(db, &r);
	lt_db_close(db);
	run_free(&r);
}
END_TEST

/* ---- standalone records ------------------------------------------------- */

static cJSON *parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(test_standalone_records)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	cJSON *alert = parse("{\"type\":\"alert\",\"v\":1,\"alert_id\":\"a1\",\"scenario_id\":\"s\","
			     "\"run_id\":\"r1\",\"metric\":\"responseTime.p95\",\"baseline\":100,"
			     "\"current\":130,\"change_pct\":30,\"p_value\":0.001,\"method\":\"welch\","
			     "\"severity\":\"critical\",\"message\":\"p95 up 30 %\"}");
	cJSON *bench = parse("{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b1\",\"suite\":\"json\","
			     "\"name\":\"parse\",\"unit\":\"ms\",\"runs\":10,\"mean\":1.5,\"stddev\":0.1,"
			     "\"median\":1.4,\"min\":1.2,\"max\":1.9,\"ci95\":[1.4,1.6],"
			     "\"resources\":{\"user_s\":0.2,\"sys_s\":0.01,\"max_rss_kb\":4096}}");
	cJSON *running = parse("{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e1\","
			       "\"schedule\":\"nightly\",\"scenario_id\":\"s\",\"attempt\":1,"
			       "\"started_at\":\"2026-01-01T00:00:00Z\",\"status\":\"retrying\"}");
	cJSON *done = parse("{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e1\","
			    "\"schedule\":\"nightly\",\"scenario_id\":\"s\",\"attempt\":1,"
			    "\"started_at\":\"2026-01-01T00:00:00Z\","
			    "\"finished_at\":\"2026-01-01T00:01:00Z\",\"status\":\"failed\","
			    "\"exit_code\":3}");
	cJSON *sample = parse("{\"type\":\"sample\",\"run_id\":\"r\",\"t\":1}");
	cJSON *no_id = parse("{\"type\":\"alert\",\"metric\":\"errorRate\"}");
	cJSON *bad_severity = parse("{\"type\":\"alert\",\"alert_id\":\"a2\",\"metric\":\"errorRate\","
				    "\"severity\":\"meh\"}");
	char *s;

	for (int i = 0; i < 2; i++) {
		ck_assert_msg(lt_db_ingest_record(db, alert, &err) == LT_OK, "%s", lt_errmsg(&err));
		ck_assert_msg(lt_db_ingest_record(db, bench, &err) == LT_OK, "%s", lt_errmsg(&err));
		ck_assert_msg(lt_db_ingest_record(db, running, &err) == LT_OK, "%s", lt_errmsg(&err));
	}
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM regression_alerts"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM benchmark_results"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM test_executions"), 1);
	ck_assert_int_eq(sql_int(path, "SELECT max_rss_kb FROM benchmark_results"), 4096);
	ck_assert_int_eq(sql_int(path, "SELECT ci95_hi * 10 FROM benchmark_results"), 16);
	/* The attempt finishes; finishing it again changes nothing. */
	ck_assert_int_eq(lt_db_ingest_record(db, done, &err), LT_OK);
	ck_assert_int_eq(lt_db_ingest_record(db, running, &err), LT_OK);
	s = sql_text(path, "SELECT status || ' ' || exit_code FROM test_executions");
	ck_assert_str_eq(s, "failed 3");
	free(s);

	ck_assert_int_eq(lt_db_ingest_record(db, sample, &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "part of a run") != NULL);
	ck_assert_int_eq(lt_db_ingest_record(db, no_id, &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "alert_id") != NULL);
	ck_assert_int_eq(lt_db_ingest_record(db, bad_severity, &err), LT_EINVAL);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM regression_alerts"), 1);

	/* Acknowledging keeps regression_alerts.acknowledged in step. */
	lt_db_close(db);
	sql_exec(path, "INSERT INTO alert_acknowledgements (alert_id, acknowledged_by,"
		 " acknowledged_at) VALUES ('a1', 'me', '2026-01-02T00:00:00Z')");
	ck_assert_int_eq(sql_int(path, "SELECT acknowledged FROM regression_alerts"), 1);
	sql_exec(path, "DELETE FROM alert_acknowledgements");
	ck_assert_int_eq(sql_int(path, "SELECT acknowledged FROM regression_alerts"), 0);

	cJSON_Delete(alert);
	cJSON_Delete(bench);
	cJSON_Delete(running);
	cJSON_Delete(done);
	cJSON_Delete(sample);
	cJSON_Delete(no_id);
	cJSON_Delete(bad_severity);
}
END_TEST

/* ---- queries ------------------------------------------------------------- */

static void ingest_ids(struct lt_db *db, const char *const *ids, size_t n,
		       const char *scenario, int first_day)
{
	for (size_t i = 0; i < n; i++) {
		struct run r = {0};
		char at[40];
		snprintf(at, sizeof at, "2026-03-%02dT12:00:00Z", first_day + (int)i);
		make_run(&r, ids[i], scenario, at, 100 + 10 * (double)i, 1);
		ingest_ok(db, &r);
		run_free(&r);
	}
}

START_TEST(test_prefix_lookup)
{
	static const char *const ids[] = { "abc123-1", "abc123-2", "abd999", "abc" };
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct lt_db_run *run = NULL;

	ingest_ids(db, ids, 4, "s", 1);
	ck_assert_int_eq(lt_db_run_get(db, "abd", &run, &err), LT_OK);
	ck_assert_str_eq(run->run_id, "abd999");
	ck_assert_str_eq(run->scenario_id, "s");
	ck_assert_str_eq(run->status, "complete");
	ck_assert_str_eq(run->started_at, "2026-03-03T12:00:00.000Z");
	ck_assert_int_eq(run->passed, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(run->config, "id")->valuestring, "s");
	ck_assert_str_eq(cJSON_GetObjectItem(run->summary, "type")->valuestring, "summary");
	ck_assert_str_eq(cJSON_GetObjectItem(run->run_start, "host")->valuestring, "ci-runner-1");
	ck_assert_str_eq(cJSON_GetObjectItem(run->tags, "env")->valuestring, "ci");
	lt_db_run_free(run);
	run = NULL;

	ck_assert_int_eq(lt_db_run_get(db, "abc1", &run, &err), LT_EINVAL);
	ck_assert_ptr_null(run);
	ck_assert_msg(strstr(lt_errmsg(&err), "ambiguous") && strstr(lt_errmsg(&err), "abc123-1")
		      && strstr(lt_errmsg(&err), "abc123-2"), "%s", lt_errmsg(&err));
	/* A full id wins over the longer ids it is a prefix of. */
	ck_assert_int_eq(lt_db_run_get(db, "abc", &run, &err), LT_OK);
	ck_assert_str_eq(run->run_id, "abc");
	lt_db_run_free(run);
	ck_assert_int_eq(lt_db_run_get(db, "abc123-2", &run, &err), LT_OK);
	ck_assert_str_eq(run->run_id, "abc123-2");
	lt_db_run_free(run);
	run = NULL;
	ck_assert_int_eq(lt_db_run_get(db, "zzz", &run, &err), LT_ENOTFOUND);
	ck_assert(strstr(lt_errmsg(&err), "zzz") != NULL);
	ck_assert_int_eq(lt_db_run_get(db, "ab0", &run, &err), LT_ENOTFOUND);
	ck_assert_int_eq(lt_db_run_get(db, "", &run, &err), LT_EINVAL);
	ck_assert_ptr_null(run);
	lt_db_close(db);
}
END_TEST

struct collected {
	char ids[16][32];
	size_t n, stop_after;
};

static lt_rc collect_run(const struct lt_db_run *run, void *ctx)
{
	struct collected *c = ctx;
	snprintf(c->ids[c->n++], sizeof c->ids[0], "%s", run->run_id);
	ck_assert_ptr_null(run->summary);
	return c->stop_after && c->n == c->stop_after ? LT_EINTR : LT_OK;
}

START_TEST(test_list_order_and_limit)
{
	static const char *const a[] = { "a-1", "a-2", "a-3" };
	static const char *const b[] = { "b-1", "b-2" };
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct collected c = {0};

	ingest_ids(db, a, 3, "alpha", 1);   /* days 1, 2, 3 */
	ingest_ids(db, b, 2, "beta", 10);   /* days 10, 11 */

	ck_assert_int_eq(lt_db_runs_list(db, NULL, 0, collect_run, &c, &err), LT_OK);
	ck_assert_uint_eq(c.n, 5);
	ck_assert_str_eq(c.ids[0], "b-2");
	ck_assert_str_eq(c.ids[1], "b-1");
	ck_assert_str_eq(c.ids[2], "a-3");
	ck_assert_str_eq(c.ids[4], "a-1");

	memset(&c, 0, sizeof c);
	ck_assert_int_eq(lt_db_runs_list(db, "alpha", 2, collect_run, &c, &err), LT_OK);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.ids[0], "a-3");
	ck_assert_str_eq(c.ids[1], "a-2");

	memset(&c, 0, sizeof c);
	ck_assert_int_eq(lt_db_runs_list(db, "nobody", 0, collect_run, &c, &err), LT_OK);
	ck_assert_uint_eq(c.n, 0);

	/* The callback stops the iteration with its own code. */
	memset(&c, 0, sizeof c);
	c.stop_after = 1;
	ck_assert_int_eq(lt_db_runs_list(db, NULL, 0, collect_run, &c, &err), LT_EINTR);
	ck_assert_uint_eq(c.n, 1);
	lt_db_close(db);
}
END_TEST

START_TEST(test_metric_history)
{
	static const char *const ids[] = { "h-1", "h-2", "h-3", "h-4" };
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct lt_db_series *series = NULL;
	struct run r = {0};

	ingest_ids(db, ids, 4, "hist", 1);   /* p95 100, 110, 120, 130 */
	/* Interrupted and incomplete runs stay out of the history. */
	make_run(&r, "h-5", "hist", "2026-03-20T00:00:00Z", 999, 2);
	ingest_ok(db, &r);
	run_free(&r);
	make_run(&r, "h-6", "hist", "2026-03-21T00:00:00Z", 999, 0);
	ingest_ok(db, &r);
	run_free(&r);

	ck_assert_int_eq(lt_db_metric_history(db, "hist", "responseTime.p95", 0, &series, &err), LT_OK);
	ck_assert_uint_eq(series->n, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(series->points[i].run_id, ids[i]);
		ck_assert_double_eq_tol(series->points[i].value, 100 + 10 * (double)i, 1e-9);
	}
	ck_assert_str_eq(series->points[0].at, "2026-03-01T12:00:00.000Z");
	ck_assert_double_eq_tol(series->points[1].t - series->points[0].t, 86400, 1e-6);
	lt_db_series_free(series);

	ck_assert_int_eq(lt_db_metric_history(db, "hist", "responseTime.p95", 2, &series, &err), LT_OK);
	ck_assert_uint_eq(series->n, 2);
	ck_assert_str_eq(series->points[0].run_id, "h-3");
	ck_assert_str_eq(series->points[1].run_id, "h-4");
	lt_db_series_free(series);

	ck_assert_int_eq(lt_db_metric_history(db, "hist", "throughput.peak", 0, &series, &err), LT_OK);
	ck_assert_uint_eq(series->n, 4);
	ck_assert_double_eq_tol(series->points[3].value, 120, 1e-9);
	lt_db_series_free(series);

	ck_assert_int_eq(lt_db_metric_history(db, "hist", "nonsense", 0, &series, &err), LT_OK);
	ck_assert_uint_eq(series->n, 0);
	lt_db_series_free(series);
	lt_db_series_free(NULL);
	lt_db_close(db);
}
END_TEST

struct sample_walk {
	double last_t;
	size_t n;
	bool ordered;
};

static lt_rc walk_sample(const struct lt_db_sample *s, void *ctx)
{
	struct sample_walk *w = ctx;
	if (s->t <= w->last_t)
		w->ordered = false;
	w->last_t = s->t;
	w->n++;
	ck_assert_str_eq(s->run_id, "run-s");
	ck_assert_int_eq(s->requests, 100);
	ck_assert_double_eq_tol(s->latency_ms.p95, 100 + s->t, 1e-9);
	ck_assert_int_eq(s->bytes_in, (int64_t)(1000 * s->t));
	ck_assert_ptr_nonnull(s->hist_json);
	ck_assert_ptr_nonnull(strstr(s->hist_json, "\"count\":100"));
	return LT_OK;
}

START_TEST(test_samples_in_t_order)
{
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct run r = {0};
	struct sample_walk w = { .last_t = -1, .ordered = true };

	make_run(&r, "run-s", "s", "2026-01-01T00:00:00Z", 100, 1);
	/* Shuffle the samples: storage order must not matter. */
	cJSON *tmp = r.rec[1];
	r.rec[1] = r.rec[9];
	r.rec[9] = tmp;
	tmp = r.rec[3];
	r.rec[3] = r.rec[6];
	r.rec[6] = tmp;
	ingest_ok(db, &r);
	ck_assert_int_eq(lt_db_samples_each(db, "run-s", walk_sample, &w, &err), LT_OK);
	ck_assert_uint_eq(w.n, 10);
	ck_assert(w.ordered);
	ck_assert_int_eq(lt_db_samples_each(db, "run-none", walk_sample, &w, &err), LT_ENOTFOUND);
	lt_db_close(db);
	run_free(&r);
}
END_TEST

START_TEST(test_live_recording)
{
	/* A run recorded as it comes (lt-store, lt-run --db): begun by
	 * lt_db_run_open, samples in batches, finished by its summary.  The
	 * figures of the open run are those lt_db_ingest_run gives the same
	 * records cut there, and the finished run is the one it gives the
	 * whole stream. */
	struct lt_db *db = open_ok();
	struct lt_err err = {0};
	struct run full = {0}, cut = {0};
	enum lt_db_run_state state = LT_DB_RUN_PRESENT;
	const cJSON *batch[4];
	char other[320];
	char *a, *b;

	make_run(&full, "run-live", "s", "2026-01-01T00:00:00Z", 300, 1);
	ck_assert_msg(lt_db_run_open(db, full.rec[0], &state, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_int_eq(state, LT_DB_RUN_BEGUN);
	ck_assert_int_eq(sql_int(path, "SELECT steady_samples FROM load_test_results"), 0);
	ck_assert_int_eq(lt_db_run_samples(db, (const cJSON *const *)&full.rec[1], 6, &err), LT_OK);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 6);
	ck_assert_int_eq(sql_int(path, "SELECT requests FROM load_test_results"), 400);
	ck_assert_int_eq(sql_int(path, "SELECT throughput_avg_rps FROM load_test_results"), 100);
	ck_assert_int_eq(sql_int(path, "SELECT steady_samples FROM load_test_results"), 4);

	/* A batch is all or nothing: a second sample at t of the seventh. */
	batch[0] = full.rec[7];
	batch[1] = full.rec[7];
	ck_assert_int_eq(lt_db_run_samples(db, batch, 2, &err), LT_EINVAL);
	ck_assert_msg(strstr(lt_errmsg(&err), "two samples at t=7"), "%s", lt_errmsg(&err));
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 6);

	/* Opening it again leaves it alone: it is stored, incomplete. */
	ck_assert_int_eq(lt_db_run_open(db, full.rec[0], &state, &err), LT_OK);
	ck_assert_int_eq(state, LT_DB_RUN_PARTIAL);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 6);

	/* The same records cut after six samples, in one piece, elsewhere:
	 * the same figures. */
	for (size_t i = 0; i < 7; i++)
		cut.rec[cut.n++] = cJSON_Duplicate(full.rec[i], 1);
	snprintf(other, sizeof other, "%s/other.db", dir);
	{
		struct lt_db *db2 = NULL;
		ck_assert_int_eq(lt_db_open(other, 0, &db2, &err), LT_OK);
		ck_assert_int_eq(ingest(db2, &cut, NULL, &err), LT_OK);
		lt_db_close(db2);
	}
	/* One line of the figures each database has for the run. */
#define FIGURES "SELECT status || '|' || requests || '|' || errors || '|'" \
	" || round(error_rate, 9) || '|' || throughput_avg_rps || '|' || throughput_peak_rps" \
	" || '|' || latency_min_ms || '|' || round(latency_mean_ms, 9) || '|'" \
	" || latency_max_ms || '|' || duration_s || '|' || users_peak || '|'" \
	" || steady_samples FROM load_test_results"
	a = sql_text(path, FIGURES);
	b = sql_text(other, FIGURES);
#undef FIGURES
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);

	/* The rest and the summary: complete, as one ingest would be. */
	for (size_t i = 0; i < 4; i++)
		batch[i] = full.rec[7 + i];
	ck_assert_int_eq(lt_db_run_samples(db, batch, 4, &err), LT_OK);
	ck_assert_msg(lt_db_run_finish(db, full.rec[0], full.rec[11], &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM run_samples"), 10);
	ck_assert_int_eq(sql_int(path, "SELECT count(*) FROM performance_metrics_history"), 10);
	ck_assert_int_eq(sql_int(path, "SELECT steady_samples = (SELECT count(*) FROM run_samples"
				 " WHERE phase = 'steady') FROM load_test_results"), 1);
	a = sql_text(path, "SELECT status FROM load_test_results");
	ck_assert_str_eq(a, "complete");
	free(a);
	ck_assert_int_eq(lt_db_run_open(db, full.rec[0], &state, &err), LT_OK);
	ck_assert_int_eq(state, LT_DB_RUN_PRESENT);
	ck_assert_int_eq(lt_db_run_samples(db, batch, 1, &err), LT_EINVAL);
	ck_assert_msg(strstr(lt_errmsg(&err), "already finished"), "%s", lt_errmsg(&err));
	ck_assert_int_eq(lt_db_run_sample(db, full.rec[1], &err), LT_EINVAL);
	ck_assert_int_eq(lt_db_run_samples(db, NULL, 0, &err), LT_OK);
	lt_db_close(db);
	run_free(&full);
	run_free(&cut);
}
END_TEST

START_TEST(test_close_null)
{
	lt_db_close(NULL);
	lt_db_run_free(NULL);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("db");
	TCase *open = tcase_create("open");
	TCase *ingest_tc = tcase_create("ingest");
	TCase *query = tcase_create("query");

	tcase_add_checked_fixture(open, setup, teardown);
	tcase_add_test(open, test_open_creates_schema);
	tcase_add_test(open, test_newer_version_refused);
	tcase_add_test(open, test_garbage_file);
	tcase_add_test(open, test_foreign_database);
	tcase_add_test(open, test_corrupt_file);
	tcase_add_test(open, test_readonly);
	tcase_add_test(open, test_default_path);
	tcase_add_test(open, test_close_null);
	suite_add_tcase(s, open);

	/* Valgrind makes the concurrent test slow; the default 4 s is too
	 * tight for it there. */
	tcase_set_timeout(ingest_tc, 120);
	tcase_add_checked_fixture(ingest_tc, setup, teardown);
	tcase_add_test(ingest_tc, test_ingest_complete_run);
	tcase_add_test(ingest_tc, test_incomplete_run_healed);
	tcase_add_test(ingest_tc, test_live_recording);
	tcase_add_test(ingest_tc, test_interrupted_run);
	tcase_add_test(ingest_tc, test_failed_ingest_leaves_file_unchanged);
	tcase_add_test(ingest_tc, test_concurrent_processes);
	tcase_add_test(ingest_tc, test_locked_database);
	tcase_add_test(ingest_tc, test_standalone_records);
	suite_add_tcase(s, ingest_tc);

	tcase_set_timeout(query, 60);
	tcase_add_checked_fixture(query, setup, teardown);
	tcase_add_test(query, test_prefix_lookup);
	tcase_add_test(query, test_list_order_and_limit);
	tcase_add_test(query, test_metric_history);
	tcase_add_test(query, test_samples_in_t_order);
	suite_add_tcase(s, query);
	return s;
}
