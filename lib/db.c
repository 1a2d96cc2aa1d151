/* db.c -- the SQLite database every lt program shares (db.h, lt-db(5)).
 *
 * Three parts: opening (path, pragmas, migrations), ingesting records (one
 * transaction each, statements cached in the handle because a run has a
 * row per second), and the queries lt-store and later programs read with
 * (prepared per call, so that a callback may run another query).  Every
 * sqlite3 result code is turned into an lt_rc by sql_fail() and nowhere
 * else.
 */
#include "db.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* PRAGMA application_id of an lt database ("LtDb"): tells lt's file from
 * another program's SQLite database that happens to sit at the path. */
#define LT_DB_APPLICATION_ID 0x4c744462

/* ---- schema ---------------------------------------------------------- */

/* Migration i (1-based) takes a database from user_version i-1 to i.  A
 * step is never edited once released: a change is a new step, so that
 * every database, whatever version it was made by, ends with the same
 * schema.  lt-db(5) documents every table and column. */
static const char *const migrations[] = {
	/* 1: the seed's eight tables and what the first issues need. */
	"CREATE TABLE load_test_scenarios ("
	" scenario_id TEXT PRIMARY KEY NOT NULL,"
	" name TEXT,"
	" description TEXT,"
	" config TEXT,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"

	"CREATE TABLE load_test_results ("
	" run_id TEXT PRIMARY KEY NOT NULL,"
	" scenario_id TEXT REFERENCES load_test_scenarios(scenario_id),"
	" scenario_name TEXT,"
	" run_group TEXT,"
	" segment TEXT,"
	" started_at TEXT NOT NULL,"
	" finished_at TEXT,"
	" duration_s REAL,"
	" status TEXT NOT NULL CHECK (status IN ('complete', 'interrupted', 'incomplete')),"
	" requests INTEGER,"
	" errors INTEGER,"
	" error_rate REAL,"
	" throughput_avg_rps REAL,"
	" throughput_peak_rps REAL,"
	" latency_min_ms REAL,"
	" latency_mean_ms REAL,"
	" latency_p50_ms REAL,"
	" latency_p90_ms REAL,"
	" latency_p95_ms REAL,"
	" latency_p99_ms REAL,"
	" latency_max_ms REAL,"
	" latency_stddev_ms REAL,"
	" users_peak INTEGER,"
	" passed INTEGER CHECK (passed IN (0, 1)),"
	" host TEXT,"
	" version TEXT,"
	" tags TEXT,"
	" config TEXT,"
	" run_start TEXT NOT NULL,"
	" summary TEXT,"
	" hist TEXT,"
	" recorded_at TEXT NOT NULL);"
	"CREATE INDEX load_test_results_by_scenario"
	" ON load_test_results(scenario_id, started_at);"
	"CREATE INDEX load_test_results_by_start ON load_test_results(started_at);"
	"CREATE INDEX load_test_results_by_group ON load_test_results(run_group)"
	" WHERE run_group IS NOT NULL;"

	"CREATE TABLE run_samples ("
	" run_id TEXT NOT NULL REFERENCES load_test_results(run_id) ON DELETE CASCADE,"
	" t REAL NOT NULL,"
	" phase TEXT,"
	" users INTEGER,"
	" requests INTEGER,"
	" errors INTEGER,"
	" rps REAL,"
	" dropped INTEGER,"
	" latency_min_ms REAL,"
	" latency_mean_ms REAL,"
	" latency_p50_ms REAL,"
	" latency_p90_ms REAL,"
	" latency_p95_ms REAL,"
	" latency_p99_ms REAL,"
	" latency_max_ms REAL,"
	" bytes_in INTEGER,"
	" bytes_out INTEGER,"
	" cpu_pct REAL,"
	" rss_kb INTEGER,"
	" hist TEXT,"
	" PRIMARY KEY (run_id, t));"

	"CREATE TABLE run_endpoints ("
	" run_id TEXT NOT NULL REFERENCES load_test_results(run_id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" name TEXT,"
	" method TEXT,"
	" path TEXT,"
	" requests INTEGER,"
	" errors INTEGER,"
	" error_rate REAL,"
	" latency_min_ms REAL,"
	" latency_mean_ms REAL,"
	" latency_p50_ms REAL,"
	" latency_p90_ms REAL,"
	" latency_p95_ms REAL,"
	" latency_p99_ms REAL,"
	" latency_max_ms REAL,"
	" latency_stddev_ms REAL,"
	" PRIMARY KEY (run_id, idx));"

	"CREATE TABLE performance_metrics_history ("
	" id INTEGER PRIMARY KEY,"
	" scenario_id TEXT NOT NULL,"
	" run_id TEXT NOT NULL REFERENCES load_test_results(run_id) ON DELETE CASCADE,"
	" metric TEXT NOT NULL,"
	" value REAL NOT NULL,"
	" measured_at TEXT NOT NULL,"
	" UNIQUE (run_id, metric));"
	"CREATE INDEX performance_metrics_history_by_scenario"
	" ON performance_metrics_history(scenario_id, metric, measured_at);"

	"CREATE TABLE regression_baselines ("
	" baseline_id INTEGER PRIMARY KEY,"
	" scenario_id TEXT NOT NULL,"
	" environment TEXT NOT NULL DEFAULT 'default',"
	" version TEXT NOT NULL DEFAULT '',"
	" run_id TEXT REFERENCES load_test_results(run_id) ON DELETE SET NULL,"
	" metrics TEXT NOT NULL,"
	" hist TEXT,"
	" note TEXT,"
	" created_at TEXT NOT NULL,"
	" UNIQUE (scenario_id, environment, version));"
	"CREATE INDEX regression_baselines_by_time"
	" ON regression_baselines(scenario_id, environment, created_at);"

	"CREATE TABLE regression_thresholds ("
	" threshold_id INTEGER PRIMARY KEY,"
	" scenario_id TEXT NOT NULL DEFAULT '*',"
	" metric TEXT NOT NULL,"
	" method TEXT NOT NULL DEFAULT 'percent'"
	"  CHECK (method IN ('percent', 'statistical', 'absolute')),"
	" warning REAL,"
	" critical REAL,"
	" alpha REAL NOT NULL DEFAULT 0.05,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" UNIQUE (scenario_id, metric));"

	"CREATE TABLE regression_alerts ("
	" alert_id TEXT PRIMARY KEY NOT NULL,"
	" scenario_id TEXT,"
	" run_id TEXT,"
	" metric TEXT NOT NULL,"
	" baseline REAL,"
	" current REAL,"
	" change_pct REAL,"
	" p_value REAL,"
	" method TEXT,"
	" severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),"
	" message TEXT,"
	" acknowledged INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1)),"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX regression_alerts_by_scenario"
	" ON regression_alerts(scenario_id, created_at);"
	"CREATE INDEX regression_alerts_by_run ON regression_alerts(run_id);"
	"CREATE INDEX regression_alerts_open ON regression_alerts(created_at)"
	" WHERE acknowledged = 0;"

	"CREATE TABLE alert_acknowledgements ("
	" alert_id TEXT PRIMARY KEY NOT NULL"
	"  REFERENCES regression_alerts(alert_id) ON DELETE CASCADE,"
	" acknowledged_by TEXT,"
	" comment TEXT,"
	" acknowledged_at TEXT NOT NULL);"
	/* regression_alerts.acknowledged follows this table, so that listing
	 * open alerts needs no join and cannot disagree with it. */
	"CREATE TRIGGER alert_acknowledged AFTER INSERT ON alert_acknowledgements"
	" BEGIN UPDATE regression_alerts SET acknowledged = 1"
	" WHERE alert_id = NEW.alert_id; END;"
	"CREATE TRIGGER alert_unacknowledged AFTER DELETE ON alert_acknowledgements"
	" BEGIN UPDATE regression_alerts SET acknowledged = 0"
	" WHERE alert_id = OLD.alert_id; END;"

	"CREATE TABLE anomaly_models ("
	" model_id INTEGER PRIMARY KEY,"
	" scenario_id TEXT NOT NULL,"
	" metrics TEXT NOT NULL,"
	" model TEXT NOT NULL,"
	" threshold REAL,"
	" runs_used INTEGER,"
	" version TEXT,"
	" trained_at TEXT NOT NULL);"
	"CREATE INDEX anomaly_models_by_scenario"
	" ON anomaly_models(scenario_id, trained_at);"

	"CREATE TABLE benchmark_results ("
	" bench_id TEXT PRIMARY KEY NOT NULL,"
	" suite TEXT,"
	" name TEXT NOT NULL,"
	" unit TEXT,"
	" runs INTEGER,"
	" mean REAL,"
	" stddev REAL,"
	" median REAL,"
	" min REAL,"
	" max REAL,"
	" ci95_lo REAL,"
	" ci95_hi REAL,"
	" user_s REAL,"
	" sys_s REAL,"
	" max_rss_kb INTEGER,"
	" host TEXT,"
	" version TEXT,"
	" record TEXT NOT NULL,"
	" recorded_at TEXT NOT NULL);"
	"CREATE INDEX benchmark_results_by_name"
	" ON benchmark_results(suite, name, recorded_at);"

	"CREATE TABLE scheduled_tests ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" scenario_id TEXT,"
	" scenario_path TEXT,"
	" schedule TEXT NOT NULL,"
	" timezone TEXT,"
	" enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
	" options TEXT,"
	" retries INTEGER NOT NULL DEFAULT 0,"
	" timeout_s INTEGER,"
	" concurrency_policy TEXT NOT NULL DEFAULT 'forbid'"
	"  CHECK (concurrency_policy IN ('allow', 'forbid', 'replace')),"
	" starting_deadline_s INTEGER,"
	" history_limit INTEGER NOT NULL DEFAULT 100,"
	" last_fired_at TEXT,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"

	"CREATE TABLE test_executions ("
	" execution_id TEXT NOT NULL,"
	" attempt INTEGER NOT NULL DEFAULT 1,"
	" schedule TEXT,"
	" scenario_id TEXT,"
	" started_at TEXT,"
	" finished_at TEXT,"
	" status TEXT NOT NULL,"
	" exit_code INTEGER,"
	" run_id TEXT,"
	" stderr TEXT,"
	" recorded_at TEXT NOT NULL,"
	" PRIMARY KEY (execution_id, attempt));"
	"CREATE INDEX test_executions_by_schedule"
	" ON test_executions(schedule, started_at);"

	"CREATE TABLE schedule_locks ("
	" schedule TEXT NOT NULL,"
	" fire_time TEXT NOT NULL,"
	" execution_id TEXT,"
	" holder TEXT,"
	" acquired_at TEXT NOT NULL,"
	" PRIMARY KEY (schedule, fire_time));",

	/* 2: regression checks (lt-regress check): the environment a run was
	 * measured in, the verdicts, the thresholds document per scenario,
	 * and which baseline and check an alert came from. */
	"ALTER TABLE load_test_results ADD COLUMN environment TEXT;"
	"CREATE INDEX load_test_results_by_env"
	" ON load_test_results(scenario_id, environment, started_at);"
	"ALTER TABLE regression_alerts ADD COLUMN baseline_id INTEGER;"
	"ALTER TABLE regression_alerts ADD COLUMN check_id TEXT;"
	"CREATE TABLE regression_config ("
	" scenario_id TEXT PRIMARY KEY NOT NULL,"
	" config TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE regression_checks ("
	" check_id TEXT PRIMARY KEY NOT NULL,"
	" scenario_id TEXT,"
	" run_id TEXT,"
	" environment TEXT,"
	" baseline_id INTEGER,"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('pass', 'warning', 'critical', 'inconclusive')),"
	" model TEXT,"
	" verdict TEXT NOT NULL,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX regression_checks_by_scenario"
	" ON regression_checks(scenario_id, created_at);",

	/* 3: how many steady samples a run recorded live has, so that each
	 * new sample brings its average throughput up to date without
	 * counting the samples stored before it. */
	"ALTER TABLE load_test_results ADD COLUMN steady_samples INTEGER;",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == LT_DB_SCHEMA_VERSION,
	       "LT_DB_SCHEMA_VERSION must count the migrations");

/* ---- statements cached in the handle ---------------------------------- */

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_RUN_STATE,
	ST_RUN_STATUS,
	ST_DELETE_SAMPLES,
	ST_DELETE_ENDPOINTS,
	ST_DELETE_METRICS,
	ST_SCENARIO_UPSERT,
	ST_RUN_UPSERT,
	ST_SAMPLE_INSERT,
	ST_ENDPOINT_INSERT,
	ST_METRIC_INSERT,
	ST_ALERT_INSERT,
	ST_BENCH_INSERT,
	ST_EXECUTION_UPSERT,
	ST_RUN_LIVE_UPDATE,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	/* IMMEDIATE takes the write lock up front, under the busy timeout.
	 * A deferred transaction that reads first and writes later can get
	 * SQLITE_BUSY at the write with no waiting at all, which is exactly
	 * the "database is locked" concurrent lt processes must not see. */
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_RUN_STATE] =
		"SELECT status, (SELECT count(*) FROM run_samples WHERE run_id = :run_id)"
		" FROM load_test_results WHERE run_id = :run_id",
	[ST_RUN_STATUS] = "SELECT status FROM load_test_results WHERE run_id = :run_id",
	[ST_DELETE_SAMPLES] = "DELETE FROM run_samples WHERE run_id = :run_id",
	[ST_DELETE_ENDPOINTS] = "DELETE FROM run_endpoints WHERE run_id = :run_id",
	[ST_DELETE_METRICS] =
		"DELETE FROM performance_metrics_history WHERE run_id = :run_id",
	[ST_SCENARIO_UPSERT] =
		"INSERT INTO load_test_scenarios"
		" (scenario_id, name, description, config, created_at, updated_at)"
		" VALUES (:scenario_id, :name, :description, :config, :at, :at)"
		" ON CONFLICT (scenario_id) DO UPDATE SET"
		" name = coalesce(excluded.name, name),"
		" description = coalesce(excluded.description, description),"
		" config = coalesce(excluded.config, config),"
		" updated_at = excluded.updated_at"
		" WHERE excluded.updated_at >= load_test_scenarios.updated_at",
	[ST_RUN_UPSERT] =
		"INSERT INTO load_test_results (run_id, scenario_id, scenario_name,"
		" run_group, segment, started_at, finished_at, duration_s, status,"
		" requests, errors, error_rate, throughput_avg_rps, throughput_peak_rps,"
		" latency_min_ms, latency_mean_ms, latency_p50_ms, latency_p90_ms,"
		" latency_p95_ms, latency_p99_ms, latency_max_ms, latency_stddev_ms,"
		" users_peak, passed, host, version, tags, config, run_start, summary,"
		" hist, recorded_at, steady_samples)"
		" VALUES (:run_id, :scenario_id, :scenario_name, :run_group, :segment,"
		" :started_at, :finished_at, :duration_s, :status, :requests, :errors,"
		" :error_rate, :throughput_avg, :throughput_peak, :min_ms, :mean_ms,"
		" :p50_ms, :p90_ms, :p95_ms, :p99_ms, :max_ms, :stddev_ms, :users_peak,"
		" :passed, :host, :version, :tags, :config, :run_start, :summary, :hist,"
		" :recorded_at, :steady_samples)"
		" ON CONFLICT (run_id) DO UPDATE SET"
		" scenario_id = excluded.scenario_id, scenario_name = excluded.scenario_name,"
		" run_group = excluded.run_group, segment = excluded.segment,"
		" started_at = excluded.started_at, finished_at = excluded.finished_at,"
		" duration_s = excluded.duration_s, status = excluded.status,"
		" requests = excluded.requests, errors = excluded.errors,"
		" error_rate = excluded.error_rate,"
		" throughput_avg_rps = excluded.throughput_avg_rps,"
		" throughput_peak_rps = excluded.throughput_peak_rps,"
		" latency_min_ms = excluded.latency_min_ms,"
		" latency_mean_ms = excluded.latency_mean_ms,"
		" latency_p50_ms = excluded.latency_p50_ms,"
		" latency_p90_ms = excluded.latency_p90_ms,"
		" latency_p95_ms = excluded.latency_p95_ms,"
		" latency_p99_ms = excluded.latency_p99_ms,"
		" latency_max_ms = excluded.latency_max_ms,"
		" latency_stddev_ms = excluded.latency_stddev_ms,"
		" users_peak = excluded.users_peak, passed = excluded.passed,"
		" host = excluded.host, version = excluded.version, tags = excluded.tags,"
		" config = excluded.config, run_start = excluded.run_start,"
		" summary = excluded.summary, hist = excluded.hist,"
		" recorded_at = excluded.recorded_at,"
		" steady_samples = coalesce(excluded.steady_samples, steady_samples)",
	[ST_SAMPLE_INSERT] =
		"INSERT INTO run_samples (run_id, t, phase, users, requests, errors, rps,"
		" dropped, latency_min_ms, latency_mean_ms, latency_p50_ms,"
		" latency_p90_ms, latency_p95_ms, latency_p99_ms, latency_max_ms,"
		" bytes_in, bytes_out, cpu_pct, rss_kb, hist)"
		" VALUES (:run_id, :t, :phase, :users, :requests, :errors, :rps,"
		" :dropped, :min_ms, :mean_ms, :p50_ms, :p90_ms, :p95_ms, :p99_ms,"
		" :max_ms, :bytes_in, :bytes_out, :cpu_pct, :rss_kb, :hist)",
	[ST_ENDPOINT_INSERT] =
		"INSERT INTO run_endpoints (run_id, idx, name, method, path, requests,"
		" errors, error_rate, latency_min_ms, latency_mean_ms, latency_p50_ms,"
		" latency_p90_ms, latency_p95_ms, latency_p99_ms, latency_max_ms,"
		" latency_stddev_ms)"
		" VALUES (:run_id, :idx, :name, :method, :path, :requests, :errors,"
		" coalesce(:error_rate, 100.0 * :errors / nullif(:requests, 0)),"
		" :min_ms, :mean_ms, :p50_ms, :p90_ms, :p95_ms, :p99_ms, :max_ms,"
		" :stddev_ms)",
	[ST_METRIC_INSERT] =
		"INSERT INTO performance_metrics_history"
		" (scenario_id, run_id, metric, value, measured_at)"
		" VALUES (:scenario_id, :run_id, :metric, :value, :measured_at)",
	[ST_ALERT_INSERT] =
		"INSERT INTO regression_alerts (alert_id, scenario_id, run_id, metric,"
		" baseline, current, change_pct, p_value, method, severity, message,"
		" created_at)"
		" VALUES (:alert_id, :scenario_id, :run_id, :metric, :baseline, :current,"
		" :change_pct, :p_value, :method, :severity, :message, :created_at)"
		" ON CONFLICT (alert_id) DO NOTHING",
	[ST_BENCH_INSERT] =
		"INSERT INTO benchmark_results (bench_id, suite, name, unit, runs, mean,"
		" stddev, median, min, max, ci95_lo, ci95_hi, user_s, sys_s, max_rss_kb,"
		" host, version, record, recorded_at)"
		" VALUES (:bench_id, :suite, :name, :unit, :runs, :mean, :stddev, :median,"
		" :min, :max, :ci95_lo, :ci95_hi, :user_s, :sys_s, :max_rss_kb, :host,"
		" :version, :record, :recorded_at)"
		" ON CONFLICT (bench_id) DO NOTHING",
	[ST_EXECUTION_UPSERT] =
		"INSERT INTO test_executions (execution_id, attempt, schedule,"
		" scenario_id, started_at, finished_at, status, exit_code, run_id,"
		" stderr, recorded_at)"
		" VALUES (:execution_id, coalesce(:attempt, 1), :schedule, :scenario_id,"
		" :started_at, :finished_at, :status, :exit_code, :run_id, :stderr,"
		" :recorded_at)"
		" ON CONFLICT (execution_id, attempt) DO UPDATE SET"
		" finished_at = excluded.finished_at, status = excluded.status,"
		" exit_code = excluded.exit_code,"
		" run_id = coalesce(excluded.run_id, run_id),"
		" stderr = coalesce(excluded.stderr, stderr),"
		" recorded_at = excluded.recorded_at"
		" WHERE test_executions.finished_at IS NULL"
		" AND excluded.finished_at IS NOT NULL",
	/* A live run's figures, brought up to date by each steady sample
	 * (:steady 1) or just its time and users (:steady 0).  Old values
	 * on the right of SET are the row's before the update. */
	[ST_RUN_LIVE_UPDATE] =
		"UPDATE load_test_results SET"
		" requests = coalesce(requests, 0) + :steady * :requests,"
		" errors = coalesce(errors, 0) + :steady * :errors,"
		" error_rate = 100.0 * (coalesce(errors, 0) + :steady * :errors)"
		"  / nullif(coalesce(requests, 0) + :steady * :requests, 0),"
		" throughput_avg_rps = (coalesce(requests, 0) + :steady * :requests)"
		"  / nullif(coalesce(steady_samples, 0) + :steady, 0),"
		" steady_samples = coalesce(steady_samples, 0) + :steady,"
		" throughput_peak_rps = CASE WHEN :steady"
		"  THEN max(coalesce(throughput_peak_rps, :rps), :rps)"
		"  ELSE throughput_peak_rps END,"
		" latency_min_ms = CASE WHEN :steady AND :requests > 0"
		"  THEN min(coalesce(latency_min_ms, :min_ms), :min_ms)"
		"  ELSE latency_min_ms END,"
		" latency_max_ms = CASE WHEN :steady AND :requests > 0"
		"  THEN max(coalesce(latency_max_ms, :max_ms), :max_ms)"
		"  ELSE latency_max_ms END,"
		" latency_mean_ms = CASE WHEN :steady AND :requests > 0"
		"  THEN (coalesce(latency_mean_ms, 0) * coalesce(requests, 0)"
		"   + :mean_ms * :requests) / (coalesce(requests, 0) + :requests)"
		"  ELSE latency_mean_ms END,"
		" duration_s = max(coalesce(duration_s, 0), :t),"
		" users_peak = max(coalesce(users_peak, 0), coalesce(:users, 0))"
		" WHERE run_id = :run_id AND status = 'incomplete'",
};

struct lt_db {
	sqlite3 *sql;
	char *path;
	bool readonly;
	int busy_timeout_ms;
	sqlite3_stmt *stmts[ST_COUNT];
};

/* ---- errors: the one place sqlite3 codes become lt_rc ----------------- */

/* Fill err for the sqlite3 result code sqlrc, naming the file and, when
 * what is not NULL, what was being done ("recording run 1f3a…"). */
static lt_rc sql_fail(struct lt_db *db, int sqlrc, const char *what,
		      struct lt_err *err)
{
	const char *path = db->path;
	const char *detail = db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(sqlrc);
	int sys = db->sql ? sqlite3_system_errno(db->sql) : 0;
	char ctx[512] = "";

	if (what)
		snprintf(ctx, sizeof ctx, "%s: ", what);
	switch (sqlrc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return lt_err_set(err, LT_EDB,
				  "%s: %sdatabase is locked (another lt process held it for %g s)",
				  path, ctx, db->busy_timeout_ms / 1000.0);
	case SQLITE_READONLY:
		return lt_err_set(err, LT_EDB,
				  "%s: %sdatabase is read-only (check the permissions of the file and of its directory)",
				  path, ctx);
	case SQLITE_FULL:
		return lt_err_set(err, LT_EDB, "%s: %sdisk full", path, ctx);
	case SQLITE_NOTADB:
		return lt_err_set(err, LT_EDB, "%s: file is not a database", path);
	case SQLITE_CORRUPT:
		return lt_err_set(err, LT_EDB,
				  "%s: database is corrupt (%s); restore a backup, see lt-db(5)",
				  path, detail);
	case SQLITE_CANTOPEN:
		return lt_err_set(err, LT_EDB, "%s: cannot open the database file%s%s",
				  path, sys ? ": " : "", sys ? strerror(sys) : "");
	case SQLITE_IOERR:
		return lt_err_set(err, LT_EDB, "%s: %sdisk I/O error%s%s", path, ctx,
				  sys ? ": " : "", sys ? strerror(sys) : "");
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return lt_err_set(err, LT_EDB, "%s: %spermission denied", path, ctx);
	case SQLITE_NOMEM:
		return lt_err_set(err, LT_ENOMEM, "%s: %sout of memory", path, ctx);
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
		return lt_err_set(err, LT_EINVAL, "%s: %s%s", path, ctx, detail);
	case SQLITE_TOOBIG:
		return lt_err_set(err, LT_ELIMIT, "%s: %sa value is too big for the database",
				  path, ctx);
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
		return lt_err_set(err, LT_EINTERNAL, "%s: %s%s (a bug in lt)", path, ctx, detail);
	default:
		return lt_err_set(err, LT_EDB, "%s: %s%s", path, ctx, detail);
	}
}

/* ---- statement helpers -------------------------------------------------- */

static lt_rc stmt_get(struct lt_db *db, enum stmt_id id, sqlite3_stmt **st,
		      struct lt_err *err)
{
	if (!db->stmts[id]) {
		int rc = sqlite3_prepare_v3(db->sql, stmt_sql[id], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &db->stmts[id], NULL);
		if (rc != SQLITE_OK)
			return sql_fail(db, rc, NULL, err);
	}
	*st = db->stmts[id];
	return LT_OK;
}

/* Step st to its end, ignoring rows, then make it ready for reuse. */
static lt_rc stmt_run(struct lt_db *db, sqlite3_stmt *st, const char *what,
		      struct lt_err *err)
{
	int rc;
	lt_rc ret = LT_OK;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		ret = sql_fail(db, rc, what, err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static lt_rc run_cached(struct lt_db *db, enum stmt_id id, const char *what,
			struct lt_err *err)
{
	sqlite3_stmt *st;
	lt_rc rc = stmt_get(db, id, &st, err);
	return rc ? rc : stmt_run(db, st, what, err);
}

/* Binding by parameter name, so that a statement's parameters can be
 * reordered without silently shifting values.  The first failure sticks
 * and later binds do nothing; a name the statement lacks is a bug in lt,
 * except where the caller says the parameter is optional. */
struct binder {
	sqlite3_stmt *st;
	int rc;
};

static int param(struct binder *b, const char *name, bool optional)
{
	int i = sqlite3_bind_parameter_index(b->st, name);
	if (!i && !optional && b->rc == SQLITE_OK)
		b->rc = SQLITE_RANGE;
	return b->rc == SQLITE_OK ? i : 0;
}

static void bind_null(struct binder *b, const char *name)
{
	int i = param(b, name, false);
	if (i)
		b->rc = sqlite3_bind_null(b->st, i);
}

/* Text is bound SQLITE_STATIC: every caller steps the statement before
 * the string goes away, and the records outlive the call. */
static void bind_text(struct binder *b, const char *name, const char *s)
{
	int i = param(b, name, false);
	if (i)
		b->rc = s ? sqlite3_bind_text(b->st, i, s, -1, SQLITE_STATIC)
			  : sqlite3_bind_null(b->st, i);
}

static void bind_double(struct binder *b, const char *name, double v)
{
	int i = param(b, name, false);
	if (i)
		b->rc = isfinite(v) ? sqlite3_bind_double(b->st, i, v)
				    : sqlite3_bind_null(b->st, i);
}

static void bind_int64(struct binder *b, const char *name, int64_t v)
{
	int i = param(b, name, false);
	if (i)
		b->rc = sqlite3_bind_int64(b->st, i, v);
}

static const cJSON *field(const cJSON *obj, const char *key)
{
	return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static const char *field_str(const cJSON *obj, const char *key)
{
	const cJSON *v = field(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double field_num(const cJSON *obj, const char *key)
{
	const cJSON *v = field(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* obj.key as a real, NULL when absent or not a number. */
static void bind_num(struct binder *b, const char *name, const cJSON *obj,
		     const char *key)
{
	bind_double(b, name, field_num(obj, key));
}

/* obj.key as an integer, NULL when absent, not a number or out of range
 * (counts arrive as JSON numbers, that is doubles). */
static void bind_count(struct binder *b, const char *name, const cJSON *obj,
		       const char *key)
{
	double v = field_num(obj, key);
	if (isfinite(v) && fabs(v) < 9.2e18)
		bind_int64(b, name, (int64_t)llround(v));
	else
		bind_null(b, name);
}

static void bind_bool(struct binder *b, const char *name, const cJSON *obj,
		      const char *key)
{
	const cJSON *v = field(obj, key);
	if (cJSON_IsBool(v))
		bind_int64(b, name, cJSON_IsTrue(v) ? 1 : 0);
	else
		bind_null(b, name);
}

/* item as compact JSON text, NULL when absent or JSON null. */
static void bind_json(struct binder *b, const char *name, const cJSON *item)
{
	int i = param(b, name, false);
	char *text;

	if (!i)
		return;
	if (!item || cJSON_IsNull(item)) {
		b->rc = sqlite3_bind_null(b->st, i);
		return;
	}
	if (!(text = cJSON_PrintUnformatted(item))) {
		b->rc = SQLITE_NOMEM;
		return;
	}
	/* sqlite3 calls cJSON_free once it is done with the text, even when
	 * the bind itself fails. */
	b->rc = sqlite3_bind_text(b->st, i, text, -1, cJSON_free);
}

/* The latency figures of a latency_ms object into :min_ms … :max_ms and,
 * where the statement has it, :stddev_ms. */
static void bind_latency(struct binder *b, const cJSON *lat)
{
	static const char *const keys[] = { "min", "mean", "p50", "p90", "p95", "p99", "max" };
	char name[16];

	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		snprintf(name, sizeof name, ":%s_ms", keys[k]);
		bind_num(b, name, lat, keys[k]);
	}
	if (param(b, ":stddev_ms", true))
		bind_num(b, ":stddev_ms", lat, "stddev");
}

/* A time as stored: RFC 3339 UTC with milliseconds, so that text order is
 * time order whatever offset the record used.  Text that does not parse
 * is kept as it came (validation is the ndjson module's job). */
static const char *norm_time(const char *s, char buf[LTI_TIME_LEN])
{
	double t;
	if (!s || !lti_time_parse(s, &t))
		return s;
	lti_time_format(t, buf);
	return buf;
}

/* ---- opening ------------------------------------------------------------ */

lt_rc lt_db_default_path(const char *given, char **path, struct lt_err *err)
{
	const char *env, *home;
	char *p;

	if (given) {
		if (!*given)
			return lt_err_set(err, LT_EUSAGE, "--db: empty path");
		p = strdup(given);
	} else if ((env = getenv("LT_DB")) && *env) {
		p = strdup(env);
	} else if ((env = getenv("XDG_DATA_HOME")) && env[0] == '/') {
		/* The XDG spec says a relative $XDG_DATA_HOME is invalid and
		 * to be ignored. */
		if (asprintf(&p, "%s/lt/lt.db", env) < 0)
			p = NULL;
	} else if ((home = getenv("HOME")) && *home) {
		if (asprintf(&p, "%s/.local/share/lt/lt.db", home) < 0)
			p = NULL;
	} else {
		return lt_err_set(err, LT_EUSAGE,
				  "no place for the database: give --db, or set $LT_DB or $HOME");
	}
	if (!p)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	*path = p;
	return LT_OK;
}

/* mkdir -p of the directory part of path. */
static lt_rc make_parents(const char *path, struct lt_err *err)
{
	char *dir = strdup(path);
	lt_rc rc = LT_OK;

	if (!dir)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; ; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char saved = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
				rc = lt_err_set(err, LT_EIO, "%s: cannot create directory %s: %s",
						path, dir, strerror(errno));
				break;
			}
			*p = saved;
			if (!saved)
				break;
		}
	}
	free(dir);
	return rc;
}

/* Run one constant pragma or statement that returns at most one row;
 * its first column goes to *value (when not NULL) as an integer, or its
 * text to text[0..size).  Returns the sqlite3 code (query_one: the lt_rc). */
static int query_raw(struct lt_db *db, const char *sql, int64_t *value,
		     char *text, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (value)
				*value = sqlite3_column_int64(st, 0);
			if (text && size) {
				const unsigned char *s = sqlite3_column_text(st, 0);
				snprintf(text, size, "%s", s ? (const char *)s : "");
			}
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static lt_rc query_one(struct lt_db *db, const char *sql, int64_t *value,
		       char *text, size_t size, struct lt_err *err)
{
	int rc = query_raw(db, sql, value, text, size);
	return rc == SQLITE_OK ? LT_OK : sql_fail(db, rc, NULL, err);
}

/* Put the file in WAL mode (it stays so: the mode is kept in the file).
 * Switching needs an exclusive lock, and sqlite3 does not call the busy
 * handler for it: when several processes create the database at once,
 * all but one get SQLITE_BUSY straight away.  So wait here, polling,
 * within the same busy timeout.  A file system without shared memory
 * keeps its journal mode; lt still works there, with less concurrency. */
static lt_rc enable_wal(struct lt_db *db, struct lt_err *err)
{
	uint64_t deadline = lti_mono_ns() + (uint64_t)db->busy_timeout_ms * 1000000u;
	char mode[16];
	int rc;

	if ((rc = query_raw(db, "PRAGMA journal_mode", NULL, mode, sizeof mode)) == SQLITE_OK &&
	    strcmp(mode, "wal") == 0)
		return LT_OK;
	for (;;) {
		rc = query_raw(db, "PRAGMA journal_mode = WAL", NULL, mode, sizeof mode);
		if ((rc & 0xff) != SQLITE_BUSY || lti_mono_ns() > deadline)
			break;
		sqlite3_sleep(10);
	}
	return rc == SQLITE_OK ? LT_OK : sql_fail(db, rc, NULL, err);
}

static lt_rc exec_sql(struct lt_db *db, const char *sql, const char *what,
		      struct lt_err *err)
{
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? LT_OK : sql_fail(db, rc, what, err);
}

/* Whether the file at version holds lt's schema (or nothing yet), and
 * whether this lt can use it. */
static lt_rc check_version(struct lt_db *db, int64_t version, int64_t app_id,
			   int64_t tables, struct lt_err *err)
{
	if (version == 0 && tables == 0)
		return LT_OK;
	if (app_id != LT_DB_APPLICATION_ID)
		return lt_err_set(err, LT_EDB,
				  "%s: a SQLite database, but not lt's (its application_id is %lld)",
				  db->path, (long long)app_id);
	if (version > LT_DB_SCHEMA_VERSION)
		return lt_err_set(err, LT_EDB,
				  "%s: database schema version %lld is newer than this lt %s knows (%d): upgrade lt",
				  db->path, (long long)version, LT_VERSION, LT_DB_SCHEMA_VERSION);
	return LT_OK;
}

static lt_rc read_version(struct lt_db *db, int64_t *version, int64_t *app_id,
			  int64_t *tables, struct lt_err *err)
{
	lt_rc rc;
	/* The first read of the file: a file that is not a database fails
	 * here with SQLITE_NOTADB.  Read one by one, another process's
	 * migration committing in between showed its tables with the
	 * application_id of before (0), and a brand-new database was refused
	 * as foreign.  Now version and tables come from one snapshot, and the
	 * application_id from the same or a later one, which (commits only
	 * move forward) can only add lt's id to what the first saw. */
	if ((rc = query_one(db,
			    "SELECT (SELECT user_version FROM pragma_user_version)"
			    " * 4294967296 + (SELECT count(*) FROM sqlite_schema)",
			    version, NULL, 0, err)) ||
	    (rc = query_one(db, "SELECT CASE WHEN (SELECT count(*) FROM sqlite_schema) = 0"
			    " THEN 0 ELSE (SELECT application_id FROM pragma_application_id) END",
			    app_id, NULL, 0, err)))
		return rc;
	*tables = *version & 0xffffffff;
	*version >>= 32;
	return LT_OK;
}

/* Bring the schema to LT_DB_SCHEMA_VERSION.  Another process may be doing
 * the same right now: the version is read again under the write lock, so
 * exactly one of them migrates and the others find nothing to do. */
static lt_rc migrate(struct lt_db *db, struct lt_err *err)
{
	int64_t version = 0, app_id = 0, tables = 0;
	char sql[96];
	lt_rc rc;

	if ((rc = read_version(db, &version, &app_id, &tables, err)) ||
	    (rc = check_version(db, version, app_id, tables, err)))
		return rc;
	if (version == LT_DB_SCHEMA_VERSION)
		return LT_OK;
	if ((rc = exec_sql(db, "BEGIN IMMEDIATE", "upgrading the schema", err)))
		return rc;
	if ((rc = read_version(db, &version, &app_id, &tables, err)) ||
	    (rc = check_version(db, version, app_id, tables, err)))
		goto fail;
	for (int64_t v = version; v < LT_DB_SCHEMA_VERSION; v++) {
		char what[64];
		snprintf(what, sizeof what, "schema migration %lld", (long long)v + 1);
		if ((rc = exec_sql(db, migrations[v], what, err)))
			goto fail;
	}
	/* Pragmas take no parameters; both values are constants of lt. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 LT_DB_SCHEMA_VERSION, LT_DB_APPLICATION_ID);
	if ((rc = exec_sql(db, sql, "upgrading the schema", err)) ||
	    (rc = exec_sql(db, "COMMIT", "upgrading the schema", err)))
		goto fail;
	return LT_OK;
fail:
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

lt_rc lt_db_open(const char *path, unsigned flags, struct lt_db **out,
		 struct lt_err *err)
{
	struct lt_db *db = calloc(1, sizeof *db);
	bool readonly = flags & LT_DB_READONLY;
	int64_t version = 0, app_id = 0, tables = 0;
	struct stat sb;
	lt_rc rc;
	int src;

	if (!db)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	db->readonly = readonly;
	db->busy_timeout_ms = LT_DB_BUSY_TIMEOUT_MS;
	if (path) {
		if (!*path) {
			rc = lt_err_set(err, LT_EUSAGE, "--db: empty path");
			goto fail;
		}
		if (!(db->path = strdup(path))) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto fail;
		}
	} else if ((rc = lt_db_default_path(NULL, &db->path, err)) ||
		   (!readonly && (rc = make_parents(db->path, err)))) {
		goto fail;
	}
	if (readonly && stat(db->path, &sb) != 0) {
		rc = lt_err_set(err, errno == ENOENT ? LT_ENOTFOUND : LT_EDB,
				"%s: %s", db->path,
				errno == ENOENT ? "no such database (nothing has been recorded yet)"
						: strerror(errno));
		goto fail;
	}
	src = sqlite3_open_v2(db->path, &db->sql,
			      (readonly ? SQLITE_OPEN_READONLY
					: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
			      SQLITE_OPEN_NOMUTEX, NULL);
	if (src != SQLITE_OK) {
		rc = sql_fail(db, src, NULL, err);
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	/* Before anything else touches the file: every later statement,
	 * the pragmas and the migration included, waits for other
	 * processes instead of failing at once. */
	sqlite3_busy_timeout(db->sql, db->busy_timeout_ms);
	if ((rc = query_one(db, "PRAGMA foreign_keys = ON", NULL, NULL, 0, err)))
		goto fail;
	if (readonly) {
		if ((rc = read_version(db, &version, &app_id, &tables, err)) ||
		    (rc = check_version(db, version, app_id, tables, err)))
			goto fail;
		/* An older schema is upgraded first when the file may be
		 * written (the migrations are what any writer would apply),
		 * so that the first command after an upgrade of lt may be a
		 * reader; otherwise it is an error that says what to do. */
		if (version < LT_DB_SCHEMA_VERSION && access(db->path, W_OK) == 0) {
			struct lt_db *w = NULL;
			struct lt_err werr = {0};
			if (lt_db_open(db->path, flags & ~(unsigned)LT_DB_READONLY, &w, &werr) == LT_OK)
				lt_db_close(w);
			if ((rc = read_version(db, &version, &app_id, &tables, err)))
				goto fail;
		}
		if (version < LT_DB_SCHEMA_VERSION) {
			rc = lt_err_set(err, LT_EDB,
					"%s: database schema version %lld is older than this lt's (%d): "
					"open it once with a command that writes (lt-store) to upgrade it",
					db->path, (long long)version, LT_DB_SCHEMA_VERSION);
			goto fail;
		}
		*out = db;
		return LT_OK;
	}
	if (sqlite3_db_readonly(db->sql, "main") == 1) {
		rc = sql_fail(db, SQLITE_READONLY, NULL, err);
		goto fail;
	}
	/* WAL: readers (lt-serve, lt-store list) never block the writer and
	 * the writer never blocks them. */
	if ((rc = enable_wal(db, err)))
		goto fail;
	/* NORMAL in WAL mode syncs at checkpoints, not at every commit: the
	 * database cannot be corrupted by a crash, and only a power failure
	 * can lose the last transactions committed before it.  That is the
	 * right trade for measurements, and it keeps the write lock short,
	 * which is what the other lt processes wait on. */
	if ((rc = query_one(db, "PRAGMA synchronous = NORMAL", NULL, NULL, 0, err)) ||
	    (rc = migrate(db, err)))
		goto fail;
	*out = db;
	return LT_OK;
fail:
	lt_db_close(db);
	return rc;
}

void lt_db_close(struct lt_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	/* sqlite3_close_v2 cannot fail here: every statement is finalized
	 * (query functions finalize theirs before they return). */
	sqlite3_close_v2(db->sql);
	free(db->path);
	free(db);
}

const char *lt_db_path(const struct lt_db *db)
{
	return db->path;
}

void lt_db_set_busy_timeout(struct lt_db *db, int timeout_ms)
{
	db->busy_timeout_ms = timeout_ms < 0 ? 0 : timeout_ms;
	sqlite3_busy_timeout(db->sql, db->busy_timeout_ms);
}

/* ---- transactions -------------------------------------------------------- */

static lt_rc tx_begin(struct lt_db *db, const char *what, struct lt_err *err)
{
	if (db->readonly)
		return lt_err_set(err, LT_EUSAGE, "%s: %s: the database was opened read-only",
				  db->path, what);
	return run_cached(db, ST_BEGIN, what, err);
}

static lt_rc tx_commit(struct lt_db *db, const char *what, struct lt_err *err)
{
	return run_cached(db, ST_COMMIT, what, err);
}

/* Undo the open transaction, if any is left: sqlite3 rolls back by itself
 * after some errors (disk full, out of memory). */
static void tx_rollback(struct lt_db *db)
{
	if (!sqlite3_get_autocommit(db->sql))
		run_cached(db, ST_ROLLBACK, NULL, NULL);
}

/* ---- ingesting a run ------------------------------------------------------ */

/* What lt_db_ingest_run learns from the records before it writes. */
struct run_plan {
	const cJSON *start, *summary;
	const char *run_id;
	const char *status;
	size_t samples;
	/* For an incomplete run, figures from its steady samples: the best
	 * that can be said without a summary.  Percentiles cannot be
	 * combined from per-second figures, so they stay unknown. */
	int64_t requests, errors, users_peak;
	size_t steady;
	/* lt_db_run_finish: the steady samples were counted as they came;
	 * keep that count rather than write this plan's (none). */
	bool steady_counted;
	double last_t, peak_rps, lat_min, lat_max, lat_weighted, lat_weight;
};

static const char *record_type(const cJSON *rec)
{
	const char *type = field_str(rec, "type");
	return type ? type : "untyped";
}

static void plan_sample(struct run_plan *p, const cJSON *s)
{
	const char *phase = field_str(s, "phase");
	const cJSON *lat = field(s, "latency_ms");
	double t = field_num(s, "t"), v, n;

	p->samples++;
	if (t > p->last_t)
		p->last_t = t;
	v = field_num(s, "users");
	if (isfinite(v) && v > (double)p->users_peak)
		p->users_peak = (int64_t)v;
	if (phase && strcmp(phase, "steady") != 0)
		return;
	p->steady++;
	n = field_num(s, "requests");
	if (isfinite(n) && n > 0)
		p->requests += (int64_t)n;
	v = field_num(s, "errors");
	if (isfinite(v) && v > 0)
		p->errors += (int64_t)v;
	v = field_num(s, "rps");
	if (isfinite(v) && !(v <= p->peak_rps))
		p->peak_rps = v;
	v = field_num(lat, "min");
	if (isfinite(v) && !(v >= p->lat_min))
		p->lat_min = v;
	v = field_num(lat, "max");
	if (isfinite(v) && !(v <= p->lat_max))
		p->lat_max = v;
	v = field_num(lat, "mean");
	if (isfinite(v) && isfinite(n) && n > 0) {
		p->lat_weighted += v * n;
		p->lat_weight += n;
	}
}

static lt_rc plan_run(cJSON *const *records, size_t n, struct run_plan *p,
		      struct lt_err *err)
{
	memset(p, 0, sizeof *p);
	p->peak_rps = p->lat_min = p->lat_max = NAN;
	if (!records || n == 0)
		return lt_err_set(err, LT_EINVAL, "no records: a run starts with run_start");
	p->start = records[0];
	if (!p->start || strcmp(record_type(p->start), "run_start") != 0)
		return lt_err_set(err, LT_EINVAL,
				  "record 1: a run starts with a run_start record, not %s",
				  record_type(p->start));
	p->run_id = field_str(p->start, "run_id");
	if (!p->run_id || !*p->run_id)
		return lt_err_set(err, LT_EINVAL, "record 1: run_start has no run_id");
	for (size_t i = 1; i < n; i++) {
		const cJSON *rec = records[i];
		const char *type = record_type(rec);
		const char *id = field_str(rec, "run_id");

		if (!id)
			return lt_err_set(err, LT_EINVAL, "run %s: record %zu (%s) has no run_id",
					  p->run_id, i + 1, type);
		if (strcmp(id, p->run_id) != 0)
			return lt_err_set(err, LT_EINVAL,
					  "run %s: record %zu (%s) belongs to run %s",
					  p->run_id, i + 1, type, id);
		if (strcmp(type, "sample") == 0) {
			if (!cJSON_IsNumber(field(rec, "t")))
				return lt_err_set(err, LT_EINVAL,
						  "run %s: record %zu: sample has no t",
						  p->run_id, i + 1);
			plan_sample(p, rec);
		} else if (strcmp(type, "summary") == 0) {
			if (i != n - 1)
				return lt_err_set(err, LT_EINVAL,
						  "run %s: record %zu: the summary must be the run's last record",
						  p->run_id, i + 1);
			p->summary = rec;
		} else {
			return lt_err_set(err, LT_EINVAL,
					  "run %s: record %zu: a %s record is not part of a run",
					  p->run_id, i + 1, type);
		}
	}
	if (!p->summary)
		p->status = "incomplete";
	else if (cJSON_IsTrue(field(p->summary, "interrupted")))
		p->status = "interrupted";
	else
		p->status = "complete";
	return LT_OK;
}

/* The scenario of a run: run_start's ids, else the config's own. */
static const char *run_scenario_id(const cJSON *start)
{
	const char *id = field_str(start, "scenario_id");
	return id ? id : field_str(field(start, "config"), "id");
}

static lt_rc write_scenario(struct lt_db *db, const struct run_plan *p,
			    const char *at, const char *what, struct lt_err *err)
{
	const cJSON *config = field(p->start, "config");
	const char *id = run_scenario_id(p->start);
	const char *name = field_str(p->start, "scenario_name");
	struct binder b;
	lt_rc rc;

	if (!id)
		return LT_OK;
	if ((rc = stmt_get(db, ST_SCENARIO_UPSERT, &b.st, err)))
		return rc;
	b.rc = SQLITE_OK;
	bind_text(&b, ":scenario_id", id);
	bind_text(&b, ":name", name ? name : field_str(config, "name"));
	bind_text(&b, ":description", field_str(config, "description"));
	bind_json(&b, ":config", cJSON_IsObject(config) ? config : NULL);
	bind_text(&b, ":at", at);
	if (b.rc != SQLITE_OK) {
		sqlite3_clear_bindings(b.st);
		return sql_fail(db, b.rc, what, err);
	}
	return stmt_run(db, b.st, what, err);
}

static lt_rc write_run(struct lt_db *db, const struct run_plan *p,
		       const char *started_at, const char *recorded_at,
		       const char *what, struct lt_err *err)
{
	const cJSON *s = p->summary, *start = p->start;
	const char *name = field_str(start, "scenario_name");
	char finished_at[LTI_TIME_LEN];
	double t0, duration;
	struct binder b;
	lt_rc rc;

	if ((rc = stmt_get(db, ST_RUN_UPSERT, &b.st, err)))
		return rc;
	b.rc = SQLITE_OK;
	duration = s ? field_num(s, "duration_s") : (p->samples ? p->last_t : NAN);
	bind_text(&b, ":run_id", p->run_id);
	bind_text(&b, ":scenario_id", run_scenario_id(start));
	bind_text(&b, ":scenario_name", name ? name : field_str(field(start, "config"), "name"));
	bind_text(&b, ":run_group", field_str(start, "run_group"));
	bind_text(&b, ":segment", field_str(start, "segment"));
	bind_text(&b, ":started_at", started_at);
	if (isfinite(duration) && lti_time_parse(started_at, &t0)) {
		lti_time_format(t0 + duration, finished_at);
		bind_text(&b, ":finished_at", finished_at);
	} else {
		bind_null(&b, ":finished_at");
	}
	bind_double(&b, ":duration_s", duration);
	bind_text(&b, ":status", p->status);
	if (s) {
		bind_count(&b, ":requests", s, "requests");
		bind_count(&b, ":errors", s, "errors");
		bind_num(&b, ":error_rate", s, "error_rate");
		bind_num(&b, ":throughput_avg", field(s, "throughput"), "avg");
		bind_num(&b, ":throughput_peak", field(s, "throughput"), "peak");
		bind_latency(&b, field(s, "latency_ms"));
		bind_count(&b, ":users_peak", field(s, "users"), "peak");
		bind_bool(&b, ":passed", s, "passed");
	} else {
		bind_int64(&b, ":requests", p->requests);
		bind_int64(&b, ":errors", p->errors);
		bind_double(&b, ":error_rate",
			    p->requests ? 100.0 * (double)p->errors / (double)p->requests : NAN);
		bind_double(&b, ":throughput_avg",
			    p->steady ? (double)p->requests / (double)p->steady : NAN);
		bind_double(&b, ":throughput_peak", p->peak_rps);
		bind_latency(&b, NULL);
		bind_double(&b, ":min_ms", p->lat_min);
		bind_double(&b, ":max_ms", p->lat_max);
		bind_double(&b, ":mean_ms",
			    p->lat_weight > 0 ? p->lat_weighted / p->lat_weight : NAN);
		bind_int64(&b, ":users_peak", p->users_peak);
		bind_null(&b, ":passed");
	}
	bind_text(&b, ":host", field_str(start, "host"));
	bind_text(&b, ":version", field_str(start, "version"));
	bind_json(&b, ":tags", field(start, "tags"));
	bind_json(&b, ":config", field(start, "config"));
	bind_json(&b, ":run_start", start);
	bind_json(&b, ":summary", s);
	bind_json(&b, ":hist", field(s, "hist"));
	bind_text(&b, ":recorded_at", recorded_at);
	if (p->steady_counted)
		bind_null(&b, ":steady_samples");
	else
		bind_int64(&b, ":steady_samples", (int64_t)p->steady);
	if (b.rc != SQLITE_OK) {
		sqlite3_clear_bindings(b.st);
		return sql_fail(db, b.rc, what, err);
	}
	return stmt_run(db, b.st, what, err);
}

static lt_rc write_sample(struct lt_db *db, const char *run_id, const cJSON *s,
			  const char *what, struct lt_err *err)
{
	struct binder b;
	lt_rc rc;

	if ((rc = stmt_get(db, ST_SAMPLE_INSERT, &b.st, err)))
		return rc;
	b.rc = SQLITE_OK;
	bind_text(&b, ":run_id", run_id);
	bind_num(&b, ":t", s, "t");
	bind_text(&b, ":phase", field_str(s, "phase"));
	bind_count(&b, ":users", s, "users");
	bind_count(&b, ":requests", s, "requests");
	bind_count(&b, ":errors", s, "errors");
	bind_num(&b, ":rps", s, "rps");
	bind_count(&b, ":dropped", s, "dropped");
	bind_latency(&b, field(s, "latency_ms"));
	bind_count(&b, ":bytes_in", s, "bytes_in");
	bind_count(&b, ":bytes_out", s, "bytes_out");
	bind_num(&b, ":cpu_pct", s, "cpu_pct");
	bind_count(&b, ":rss_kb", s, "rss_kb");
	bind_json(&b, ":hist", field(s, "hist"));
	if (b.rc != SQLITE_OK) {
		sqlite3_clear_bindings(b.st);
		return sql_fail(db, b.rc, what, err);
	}
	rc = stmt_run(db, b.st, what, err);
	if (rc == LT_EINVAL)
		/* The primary key (run_id, t) is the only constraint a sample
		 * can break. */
		lt_err_set(err, LT_EINVAL, "run %s: two samples at t=%g", run_id,
			   field_num(s, "t"));
	return rc;
}

static lt_rc write_endpoints(struct lt_db *db, const struct run_plan *p,
			     const char *what, struct lt_err *err)
{
	const cJSON *list = field(p->summary, "endpoints"), *e;
	int64_t idx = 0;
	lt_rc rc;

	if (!cJSON_IsArray(list))
		return LT_OK;
	cJSON_ArrayForEach(e, list) {
		struct binder b;

		if (!cJSON_IsObject(e)) {
			idx++;
			continue;
		}
		if ((rc = stmt_get(db, ST_ENDPOINT_INSERT, &b.st, err)))
			return rc;
		b.rc = SQLITE_OK;
		bind_text(&b, ":run_id", p->run_id);
		bind_int64(&b, ":idx", idx++);
		bind_text(&b, ":name", field_str(e, "name"));
		bind_text(&b, ":method", field_str(e, "method"));
		bind_text(&b, ":path", field_str(e, "path"));
		bind_count(&b, ":requests", e, "requests");
		bind_count(&b, ":errors", e, "errors");
		bind_num(&b, ":error_rate", e, "error_rate");
		bind_latency(&b, field(e, "latency_ms"));
		if (b.rc != SQLITE_OK) {
			sqlite3_clear_bindings(b.st);
			return sql_fail(db, b.rc, what, err);
		}
		if ((rc = stmt_run(db, b.st, what, err)))
			return rc;
	}
	return LT_OK;
}

/* The metric names of DESIGN.md / lt-ndjson(5) and where a summary holds
 * each (object NULL: a top-level field). */
static const struct {
	const char *metric, *object, *key;
} summary_metrics[] = {
	{ "responseTime.min", "latency_ms", "min" },
	{ "responseTime.mean", "latency_ms", "mean" },
	{ "responseTime.p50", "latency_ms", "p50" },
	{ "responseTime.p90", "latency_ms", "p90" },
	{ "responseTime.p95", "latency_ms", "p95" },
	{ "responseTime.p99", "latency_ms", "p99" },
	{ "responseTime.max", "latency_ms", "max" },
	{ "throughput.avg", "throughput", "avg" },
	{ "throughput.peak", "throughput", "peak" },
	{ "errorRate", NULL, "error_rate" },
};

/* History is kept for complete runs only: it feeds baselines, trends and
 * change-point detection, where a run cut short (its figures taken over
 * part of a ramp) would look like a change in the system. */
static lt_rc write_metrics(struct lt_db *db, const struct run_plan *p,
			   const char *started_at, const char *what,
			   struct lt_err *err)
{
	const char *scenario_id = run_scenario_id(p->start);
	lt_rc rc;

	if (strcmp(p->status, "complete") != 0 || !scenario_id)
		return LT_OK;
	for (size_t i = 0; i < sizeof summary_metrics / sizeof summary_metrics[0]; i++) {
		const cJSON *obj = summary_metrics[i].object
			? field(p->summary, summary_metrics[i].object) : p->summary;
		double v = field_num(obj, summary_metrics[i].key);
		struct binder b;

		if (!isfinite(v))
			continue;
		if ((rc = stmt_get(db, ST_METRIC_INSERT, &b.st, err)))
			return rc;
		b.rc = SQLITE_OK;
		bind_text(&b, ":scenario_id", scenario_id);
		bind_text(&b, ":run_id", p->run_id);
		bind_text(&b, ":metric", summary_metrics[i].metric);
		bind_double(&b, ":value", v);
		bind_text(&b, ":measured_at", started_at);
		if (b.rc != SQLITE_OK) {
			sqlite3_clear_bindings(b.st);
			return sql_fail(db, b.rc, what, err);
		}
		if ((rc = stmt_run(db, b.st, what, err)))
			return rc;
	}
	return LT_OK;
}

/* Whether run_id is stored, with its status and (samples not NULL) its
 * number of samples; without the count it is one index lookup, whatever
 * the run's length. */
static lt_rc stored_run(struct lt_db *db, const char *run_id, bool *exists,
			bool *incomplete, int64_t *samples, const char *what,
			struct lt_err *err)
{
	sqlite3_stmt *st;
	lt_rc rc;
	int src;

	if ((rc = stmt_get(db, samples ? ST_RUN_STATE : ST_RUN_STATUS, &st, err)))
		return rc;
	src = sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":run_id"),
				run_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	*exists = src == SQLITE_ROW;
	if (*exists) {
		const unsigned char *status = sqlite3_column_text(st, 0);
		*incomplete = status && strcmp((const char *)status, "incomplete") == 0;
		if (samples)
			*samples = sqlite3_column_int64(st, 1);
		src = SQLITE_DONE;
	}
	rc = src == SQLITE_DONE ? LT_OK : sql_fail(db, src, what, err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static lt_rc delete_children(struct lt_db *db, const char *run_id,
			     const char *what, struct lt_err *err)
{
	static const enum stmt_id ids[] = {
		ST_DELETE_SAMPLES, ST_DELETE_ENDPOINTS, ST_DELETE_METRICS
	};
	lt_rc rc;

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct binder b;
		if ((rc = stmt_get(db, ids[i], &b.st, err)))
			return rc;
		b.rc = SQLITE_OK;
		bind_text(&b, ":run_id", run_id);
		if (b.rc != SQLITE_OK)
			return sql_fail(db, b.rc, what, err);
		if ((rc = stmt_run(db, b.st, what, err)))
			return rc;
	}
	return LT_OK;
}

lt_rc lt_db_ingest_run(struct lt_db *db, cJSON *const *records, size_t n,
		       bool *was_present, struct lt_err *err)
{
	char what[160], recorded_at[LTI_TIME_LEN], started_buf[LTI_TIME_LEN];
	const char *started_at;
	struct run_plan p;
	bool exists = false, incomplete = false;
	int64_t stored_samples = 0;
	lt_rc rc;

	if (was_present)
		*was_present = false;
	if ((rc = plan_run(records, n, &p, err)))
		return rc;
	snprintf(what, sizeof what, "recording run %s", p.run_id);
	lti_time_format(lti_time_now(), recorded_at);
	started_at = norm_time(field_str(p.start, "started_at"), started_buf);
	if (!started_at)
		started_at = recorded_at;

	if ((rc = tx_begin(db, what, err)))
		return rc;
	if ((rc = stored_run(db, p.run_id, &exists, &incomplete, &stored_samples, what, err)))
		goto fail;
	if (exists && (!incomplete ||
		       (!p.summary && (int64_t)p.samples <= stored_samples))) {
		if (was_present)
			*was_present = true;
		tx_rollback(db);
		return LT_OK;
	}
	if (exists && (rc = delete_children(db, p.run_id, what, err)))
		goto fail;
	if ((rc = write_scenario(db, &p, started_at, what, err)) ||
	    (rc = write_run(db, &p, started_at, recorded_at, what, err)))
		goto fail;
	for (size_t i = 1; i < n; i++) {
		if (records[i] == p.summary)
			continue;
		if ((rc = write_sample(db, p.run_id, records[i], what, err)))
			goto fail;
	}
	if ((rc = write_endpoints(db, &p, what, err)) ||
	    (rc = write_metrics(db, &p, started_at, what, err)) ||
	    (rc = tx_commit(db, what, err)))
		goto fail;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

/* ---- a run recorded as it happens ---------------------------------------- */

/* lt_db_run_begin (keep false: an incomplete run starts over) and
 * lt_db_run_open (keep true: a stored run is left as it is). */
static lt_rc run_begin(struct lt_db *db, const cJSON *run_start, bool keep,
		       enum lt_db_run_state *state, struct lt_err *err)
{
	char what[160], recorded_at[LTI_TIME_LEN], started_buf[LTI_TIME_LEN];
	cJSON *const records[1] = {(cJSON *)run_start};
	const char *started_at;
	struct run_plan p;
	bool exists = false, incomplete = false;
	int64_t stored_samples = 0;
	lt_rc rc;

	if ((rc = plan_run(records, 1, &p, err)))
		return rc;
	snprintf(what, sizeof what, "recording run %s", p.run_id);
	lti_time_format(lti_time_now(), recorded_at);
	started_at = norm_time(field_str(p.start, "started_at"), started_buf);
	if (!started_at)
		started_at = recorded_at;
	if ((rc = tx_begin(db, what, err)))
		return rc;
	if ((rc = stored_run(db, p.run_id, &exists, &incomplete, &stored_samples, what, err)))
		goto fail;
	if (exists && keep) {
		*state = incomplete ? LT_DB_RUN_PARTIAL : LT_DB_RUN_PRESENT;
		tx_rollback(db);
		return LT_OK;
	}
	if (exists && !incomplete) {
		rc = lt_err_set(err, LT_EEXIST, "%s: run %s is already recorded; give a new --run-id",
				db->path, p.run_id);
		goto fail;
	}
	*state = LT_DB_RUN_BEGUN;
	if ((exists && (rc = delete_children(db, p.run_id, what, err))) ||
	    (rc = write_scenario(db, &p, started_at, what, err)) ||
	    (rc = write_run(db, &p, started_at, recorded_at, what, err)) ||
	    (rc = tx_commit(db, what, err)))
		goto fail;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

lt_rc lt_db_run_begin(struct lt_db *db, const cJSON *run_start, struct lt_err *err)
{
	enum lt_db_run_state state;
	return run_begin(db, run_start, false, &state, err);
}

lt_rc lt_db_run_open(struct lt_db *db, const cJSON *run_start, enum lt_db_run_state *state,
		     struct lt_err *err)
{
	return run_begin(db, run_start, true, state, err);
}

/* One sample of a begun run, inside the caller's transaction. */
static lt_rc add_sample(struct lt_db *db, const cJSON *sample, struct lt_err *err)
{
	const char *run_id = field_str(sample, "run_id"), *phase = field_str(sample, "phase");
	bool exists = false, incomplete = false;
	char what[160];
	struct binder b;
	lt_rc rc;

	if (!run_id || strcmp(record_type(sample), "sample") != 0)
		return lt_err_set(err, LT_EINVAL, "not a sample record with a run_id");
	snprintf(what, sizeof what, "recording a sample of run %s", run_id);
	if ((rc = stored_run(db, run_id, &exists, &incomplete, NULL, what, err)))
		return rc;
	if (!incomplete)
		return lt_err_set(err, LT_EINVAL, "run %s: %s", run_id,
				  exists ? "already finished" : "not begun (lt_db_run_begin)");
	if ((rc = write_sample(db, run_id, sample, what, err)) ||
	    (rc = stmt_get(db, ST_RUN_LIVE_UPDATE, &b.st, err)))
		return rc;
	b.rc = SQLITE_OK;
	bind_text(&b, ":run_id", run_id);
	bind_int64(&b, ":steady", !phase || strcmp(phase, "steady") == 0);
	bind_count(&b, ":requests", sample, "requests");
	bind_count(&b, ":errors", sample, "errors");
	bind_num(&b, ":rps", sample, "rps");
	bind_num(&b, ":t", sample, "t");
	bind_count(&b, ":users", sample, "users");
	bind_num(&b, ":min_ms", field(sample, "latency_ms"), "min");
	bind_num(&b, ":mean_ms", field(sample, "latency_ms"), "mean");
	bind_num(&b, ":max_ms", field(sample, "latency_ms"), "max");
	if (b.rc != SQLITE_OK) {
		sqlite3_clear_bindings(b.st);
		return sql_fail(db, b.rc, what, err);
	}
	return stmt_run(db, b.st, what, err);
}

lt_rc lt_db_run_samples(struct lt_db *db, const cJSON *const *samples, size_t n,
			struct lt_err *err)
{
	const char *what = n == 1 ? "recording a sample" : "recording samples";
	lt_rc rc;

	if (n == 0)
		return LT_OK;
	if ((rc = tx_begin(db, what, err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = add_sample(db, samples[i], err)))
			goto fail;
	if ((rc = tx_commit(db, what, err)))
		goto fail;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

lt_rc lt_db_run_sample(struct lt_db *db, const cJSON *sample, struct lt_err *err)
{
	return lt_db_run_samples(db, &sample, 1, err);
}

lt_rc lt_db_run_finish(struct lt_db *db, const cJSON *run_start, const cJSON *summary,
		       struct lt_err *err)
{
	char what[160], recorded_at[LTI_TIME_LEN], started_buf[LTI_TIME_LEN];
	cJSON *const records[2] = {(cJSON *)run_start, (cJSON *)summary};
	const char *started_at;
	struct run_plan p;
	bool exists = false, incomplete = false;
	int64_t stored_samples = 0;
	lt_rc rc;

	if ((rc = plan_run(records, 2, &p, err)))
		return rc;
	if (!p.summary)
		return lt_err_set(err, LT_EINVAL, "run %s: finishing needs its summary", p.run_id);
	p.steady_counted = true;
	snprintf(what, sizeof what, "recording run %s", p.run_id);
	lti_time_format(lti_time_now(), recorded_at);
	started_at = norm_time(field_str(p.start, "started_at"), started_buf);
	if (!started_at)
		started_at = recorded_at;
	if ((rc = tx_begin(db, what, err)))
		return rc;
	if ((rc = stored_run(db, p.run_id, &exists, &incomplete, &stored_samples, what, err)))
		goto fail;
	if (!exists || !incomplete) {
		rc = lt_err_set(err, LT_EINVAL, "run %s: %s", p.run_id,
				exists ? "already finished" : "not begun (lt_db_run_begin)");
		goto fail;
	}
	if ((rc = write_run(db, &p, started_at, recorded_at, what, err)) ||
	    (rc = write_endpoints(db, &p, what, err)) ||
	    (rc = write_metrics(db, &p, started_at, what, err)) ||
	    (rc = tx_commit(db, what, err)))
		goto fail;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

/* ---- standalone records -------------------------------------------------- */

static void bind_alert(struct binder *b, const cJSON *r, const char *now)
{
	char buf[LTI_TIME_LEN];
	const char *at = norm_time(field_str(r, "created_at"), buf);

	bind_text(b, ":alert_id", field_str(r, "alert_id"));
	bind_text(b, ":scenario_id", field_str(r, "scenario_id"));
	bind_text(b, ":run_id", field_str(r, "run_id"));
	bind_text(b, ":metric", field_str(r, "metric"));
	bind_num(b, ":baseline", r, "baseline");
	bind_num(b, ":current", r, "current");
	bind_num(b, ":change_pct", r, "change_pct");
	bind_num(b, ":p_value", r, "p_value");
	bind_text(b, ":method", field_str(r, "method"));
	bind_text(b, ":severity", field_str(r, "severity"));
	bind_text(b, ":message", field_str(r, "message"));
	/* at points into buf, which lives until the caller's step: copy it
	 * into the statement rather than reference it. */
	if (b->rc == SQLITE_OK) {
		int i = param(b, ":created_at", false);
		if (i)
			b->rc = sqlite3_bind_text(b->st, i, at ? at : now, -1,
						  SQLITE_TRANSIENT);
	}
}

static void bind_bench(struct binder *b, const cJSON *r, const char *now)
{
	const cJSON *ci = field(r, "ci95"), *res = field(r, "resources");
	char buf[LTI_TIME_LEN];
	const char *at = norm_time(field_str(r, "started_at"), buf);

	bind_text(b, ":bench_id", field_str(r, "bench_id"));
	bind_text(b, ":suite", field_str(r, "suite"));
	bind_text(b, ":name", field_str(r, "name"));
	bind_text(b, ":unit", field_str(r, "unit"));
	bind_count(b, ":runs", r, "runs");
	bind_num(b, ":mean", r, "mean");
	bind_num(b, ":stddev", r, "stddev");
	bind_num(b, ":median", r, "median");
	bind_num(b, ":min", r, "min");
	bind_num(b, ":max", r, "max");
	if (cJSON_IsArray(ci) && cJSON_GetArraySize(ci) == 2) {
		const cJSON *lo = cJSON_GetArrayItem(ci, 0), *hi = cJSON_GetArrayItem(ci, 1);
		bind_double(b, ":ci95_lo", cJSON_IsNumber(lo) ? lo->valuedouble : NAN);
		bind_double(b, ":ci95_hi", cJSON_IsNumber(hi) ? hi->valuedouble : NAN);
	} else {
		bind_null(b, ":ci95_lo");
		bind_null(b, ":ci95_hi");
	}
	bind_num(b, ":user_s", res, "user_s");
	bind_num(b, ":sys_s", res, "sys_s");
	bind_count(b, ":max_rss_kb", res, "max_rss_kb");
	bind_text(b, ":host", field_str(r, "host"));
	bind_text(b, ":version", field_str(r, "version"));
	bind_json(b, ":record", r);
	if (b->rc == SQLITE_OK) {
		int i = param(b, ":recorded_at", false);
		if (i)
			b->rc = sqlite3_bind_text(b->st, i, at ? at : now, -1,
						  SQLITE_TRANSIENT);
	}
}

static void bind_execution(struct binder *b, const cJSON *r, const char *now)
{
	char started[LTI_TIME_LEN], finished[LTI_TIME_LEN];
	const char *s = norm_time(field_str(r, "started_at"), started);
	const char *f = norm_time(field_str(r, "finished_at"), finished);
	int i;

	bind_text(b, ":execution_id", field_str(r, "execution_id"));
	bind_count(b, ":attempt", r, "attempt");
	bind_text(b, ":schedule", field_str(r, "schedule"));
	bind_text(b, ":scenario_id", field_str(r, "scenario_id"));
	if ((i = param(b, ":started_at", false)))
		b->rc = s ? sqlite3_bind_text(b->st, i, s, -1, SQLITE_TRANSIENT)
			  : sqlite3_bind_null(b->st, i);
	if ((i = param(b, ":finished_at", false)))
		b->rc = f ? sqlite3_bind_text(b->st, i, f, -1, SQLITE_TRANSIENT)
			  : sqlite3_bind_null(b->st, i);
	bind_text(b, ":status", field_str(r, "status"));
	bind_count(b, ":exit_code", r, "exit_code");
	bind_text(b, ":run_id", field_str(r, "run_id"));
	bind_text(b, ":stderr", field_str(r, "stderr"));
	bind_text(b, ":recorded_at", now);
}

lt_rc lt_db_ingest_record(struct lt_db *db, const cJSON *rec, struct lt_err *err)
{
	static const struct {
		const char *type, *id_field;
		enum stmt_id stmt;
		void (*bind)(struct binder *, const cJSON *, const char *);
	} kinds[] = {
		{ "alert", "alert_id", ST_ALERT_INSERT, bind_alert },
		{ "bench", "bench_id", ST_BENCH_INSERT, bind_bench },
		{ "execution", "execution_id", ST_EXECUTION_UPSERT, bind_execution },
	};
	const char *type = record_type(rec), *id;
	char what[160], now[LTI_TIME_LEN];
	struct binder b;
	size_t k;
	lt_rc rc;

	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcmp(type, kinds[k].type) == 0)
			break;
	if (k == sizeof kinds / sizeof kinds[0])
		return lt_err_set(err, LT_EINVAL,
				  "a %s record cannot be recorded on its own%s", type,
				  strcmp(type, "run_start") == 0 || strcmp(type, "sample") == 0 ||
				  strcmp(type, "summary") == 0 ? " (it is part of a run)" : "");
	id = field_str(rec, kinds[k].id_field);
	if (!id || !*id)
		return lt_err_set(err, LT_EINVAL, "%s record has no %s", type, kinds[k].id_field);
	snprintf(what, sizeof what, "recording %s %s", type, id);
	lti_time_format(lti_time_now(), now);

	if ((rc = tx_begin(db, what, err)))
		return rc;
	if ((rc = stmt_get(db, kinds[k].stmt, &b.st, err)))
		goto fail;
	b.rc = SQLITE_OK;
	kinds[k].bind(&b, rec, now);
	if (b.rc != SQLITE_OK) {
		sqlite3_clear_bindings(b.st);
		rc = sql_fail(db, b.rc, what, err);
		goto fail;
	}
	if ((rc = stmt_run(db, b.st, what, err)) || (rc = tx_commit(db, what, err)))
		goto fail;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

/* ---- queries -------------------------------------------------------------- */

#define RUN_COLUMNS \
	"run_id, scenario_id, scenario_name, run_group, segment, started_at," \
	" finished_at, status, host, version, recorded_at, duration_s, requests," \
	" errors, error_rate, throughput_avg_rps, throughput_peak_rps," \
	" latency_min_ms, latency_mean_ms, latency_p50_ms, latency_p90_ms," \
	" latency_p95_ms, latency_p99_ms, latency_max_ms, latency_stddev_ms," \
	" users_peak, passed"
#define RUN_JSON_COLUMN 27  /* run_start, config, tags, summary follow */

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static double col_double(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void run_from_row(sqlite3_stmt *st, struct lt_db_run *r)
{
	memset(r, 0, sizeof *r);
	r->run_id = col_text(st, 0);
	r->scenario_id = col_text(st, 1);
	r->scenario_name = col_text(st, 2);
	r->run_group = col_text(st, 3);
	r->segment = col_text(st, 4);
	r->started_at = col_text(st, 5);
	r->finished_at = col_text(st, 6);
	r->status = col_text(st, 7);
	r->host = col_text(st, 8);
	r->version = col_text(st, 9);
	r->recorded_at = col_text(st, 10);
	r->duration_s = col_double(st, 11);
	r->requests = sqlite3_column_int64(st, 12);
	r->errors = sqlite3_column_int64(st, 13);
	r->error_rate = col_double(st, 14);
	r->throughput_avg_rps = col_double(st, 15);
	r->throughput_peak_rps = col_double(st, 16);
	r->latency_ms.min = col_double(st, 17);
	r->latency_ms.mean = col_double(st, 18);
	r->latency_ms.p50 = col_double(st, 19);
	r->latency_ms.p90 = col_double(st, 20);
	r->latency_ms.p95 = col_double(st, 21);
	r->latency_ms.p99 = col_double(st, 22);
	r->latency_ms.max = col_double(st, 23);
	r->latency_ms.stddev = col_double(st, 24);
	r->users_peak = sqlite3_column_int64(st, 25);
	r->passed = sqlite3_column_type(st, 26) == SQLITE_NULL
		? -1 : (int)sqlite3_column_int64(st, 26);
}

static lt_rc prepare(struct lt_db *db, const char *sql, sqlite3_stmt **st,
		     struct lt_err *err)
{
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, st, NULL);
	return rc == SQLITE_OK ? LT_OK : sql_fail(db, rc, NULL, err);
}

lt_rc lt_db_runs_list(struct lt_db *db, const char *scenario_id, size_t limit,
		      lt_db_run_fn fn, void *ctx, struct lt_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lt_db_run run;
	lt_rc rc;
	int src;

	rc = prepare(db, scenario_id
		     ? "SELECT " RUN_COLUMNS " FROM load_test_results WHERE scenario_id = ?1"
		       " ORDER BY started_at DESC, run_id DESC LIMIT ?2"
		     : "SELECT " RUN_COLUMNS " FROM load_test_results"
		       " ORDER BY started_at DESC, run_id DESC LIMIT ?2",
		     &st, err);
	if (rc)
		return rc;
	if (scenario_id)
		sqlite3_bind_text(st, 1, scenario_id, -1, SQLITE_STATIC);
	/* LIMIT -1 is no limit; a size_t beyond INT64_MAX is as good as none. */
	sqlite3_bind_int64(st, 2, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		run_from_row(st, &run);
		if ((rc = fn(&run, ctx)))
			goto done;
	}
	if (src != SQLITE_DONE)
		rc = sql_fail(db, src, "listing runs", err);
done:
	sqlite3_finalize(st);
	return rc;
}

/* Resolve id (a full id or a unique prefix) into the full id, copied into
 * *full (new). */
static lt_rc resolve_run_id(struct lt_db *db, const char *id, char **full,
			    struct lt_err *err)
{
	/* Ids sort in binary order, so the ids that start with the prefix are
	 * the ones right from it: fetching a few is enough to tell none, one
	 * or many, with one index seek. */
	enum { SHOWN = 5 };
	char *found[SHOWN + 1] = {0};
	size_t nfound = 0, idlen = strlen(id);
	sqlite3_stmt *st = NULL;
	lt_rc rc = LT_OK;
	int src = SQLITE_DONE;

	if (!*id)
		return lt_err_set(err, LT_EINVAL, "empty run id");
	if ((rc = prepare(db, "SELECT run_id FROM load_test_results WHERE run_id >= ?1"
			  " ORDER BY run_id LIMIT ?2", &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SHOWN + 1);
	while (nfound < SHOWN + 1 && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *r = col_text(st, 0);
		if (!r || strncmp(r, id, idlen) != 0) {
			src = SQLITE_DONE;
			break;
		}
		if (!(found[nfound++] = strdup(r))) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (src != SQLITE_DONE && src != SQLITE_ROW) {
		rc = sql_fail(db, src, "looking up a run", err);
	} else if (nfound == 0) {
		rc = lt_err_set(err, LT_ENOTFOUND, "%s: no run '%s'", db->path, id);
	} else if (nfound == 1 || strcmp(found[0], id) == 0) {
		*full = found[0];
		found[0] = NULL;
	} else {
		char list[700] = "";
		size_t used = 0;
		for (size_t i = 0; i < nfound && i < SHOWN; i++)
			used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
						 "%s%s", i ? ", " : "", found[i]);
		rc = lt_err_set(err, LT_EINVAL, "run id prefix '%s' is ambiguous: %s%s",
				id, list, nfound > SHOWN ? ", ..." : "");
	}
done:
	for (size_t i = 0; i < nfound; i++)
		free(found[i]);
	sqlite3_finalize(st);
	return rc;
}

/* Copy s to the arena at *pos; returns the copy (NULL for NULL). */
static const char *arena_copy(char **pos, const char *s)
{
	char *copy;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	copy = memcpy(*pos, s, n);
	*pos += n;
	return copy;
}

/* Parse JSON column i into *out (NULL when the column is NULL). */
static lt_rc col_json(struct lt_db *db, sqlite3_stmt *st, int i, const char *run_id,
		      cJSON **out, struct lt_err *err)
{
	const char *text = col_text(st, i);

	*out = NULL;
	if (!text)
		return LT_OK;
	if (!(*out = cJSON_Parse(text)))
		return lt_err_set(err, LT_EDB, "%s: run %s: column %s does not hold JSON",
				  db->path, run_id, sqlite3_column_name(st, i));
	return LT_OK;
}

lt_rc lt_db_run_get(struct lt_db *db, const char *id, struct lt_db_run **out,
		    struct lt_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lt_db_run row, *run = NULL;
	char *full = NULL, *pos;
	size_t size = sizeof *run;
	lt_rc rc;
	int src;

	if ((rc = resolve_run_id(db, id, &full, err)) ||
	    (rc = prepare(db, "SELECT " RUN_COLUMNS ", run_start, config, tags, summary"
			  " FROM load_test_results WHERE run_id = ?1", &st, err)))
		goto fail;
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) != SQLITE_ROW) {
		/* Deleted between the two statements. */
		rc = src == SQLITE_DONE ? lt_err_set(err, LT_ENOTFOUND, "%s: no run '%s'", db->path, id)
					: sql_fail(db, src, "reading a run", err);
		goto fail;
	}
	run_from_row(st, &row);
	/* The struct and its strings in one block: one free, and the
	 * strings cannot outlive the struct. */
	const char *const *strs[] = {
		&row.run_id, &row.scenario_id, &row.scenario_name, &row.run_group,
		&row.segment, &row.started_at, &row.finished_at, &row.status,
		&row.host, &row.version, &row.recorded_at,
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (*strs[i])
			size += strlen(*strs[i]) + 1;
	if (!(run = malloc(size))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	*run = row;
	pos = (char *)(run + 1);
	run->run_id = arena_copy(&pos, row.run_id);
	run->scenario_id = arena_copy(&pos, row.scenario_id);
	run->scenario_name = arena_copy(&pos, row.scenario_name);
	run->run_group = arena_copy(&pos, row.run_group);
	run->segment = arena_copy(&pos, row.segment);
	run->started_at = arena_copy(&pos, row.started_at);
	run->finished_at = arena_copy(&pos, row.finished_at);
	run->status = arena_copy(&pos, row.status);
	run->host = arena_copy(&pos, row.host);
	run->version = arena_copy(&pos, row.version);
	run->recorded_at = arena_copy(&pos, row.recorded_at);
	if ((rc = col_json(db, st, RUN_JSON_COLUMN, full, &run->run_start, err)) ||
	    (rc = col_json(db, st, RUN_JSON_COLUMN + 1, full, &run->config, err)) ||
	    (rc = col_json(db, st, RUN_JSON_COLUMN + 2, full, &run->tags, err)) ||
	    (rc = col_json(db, st, RUN_JSON_COLUMN + 3, full, &run->summary, err)))
		goto fail;
	sqlite3_finalize(st);
	free(full);
	*out = run;
	return LT_OK;
fail:
	lt_db_run_free(run);
	sqlite3_finalize(st);
	free(full);
	return rc;
}

void lt_db_run_free(struct lt_db_run *run)
{
	if (!run)
		return;
	cJSON_Delete(run->run_start);
	cJSON_Delete(run->config);
	cJSON_Delete(run->tags);
	cJSON_Delete(run->summary);
	free(run);
}

lt_rc lt_db_samples_each(struct lt_db *db, const char *run_id,
			 lt_db_sample_fn fn, void *ctx, struct lt_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lt_db_sample s;
	lt_rc rc;
	int src;

	if ((rc = prepare(db, "SELECT 1 FROM load_test_results WHERE run_id = ?1", &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (src == SQLITE_DONE)
		return lt_err_set(err, LT_ENOTFOUND, "%s: no run '%s'", db->path, run_id);
	if (src != SQLITE_ROW)
		return sql_fail(db, src, "reading samples", err);

	if ((rc = prepare(db, "SELECT run_id, t, phase, users, requests, errors, dropped,"
			  " rps, latency_min_ms, latency_mean_ms, latency_p50_ms,"
			  " latency_p90_ms, latency_p95_ms, latency_p99_ms, latency_max_ms,"
			  " bytes_in, bytes_out, rss_kb, cpu_pct, hist"
			  " FROM run_samples WHERE run_id = ?1 ORDER BY t", &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		s.run_id = col_text(st, 0);
		s.t = sqlite3_column_double(st, 1);
		s.phase = col_text(st, 2);
		s.users = sqlite3_column_int64(st, 3);
		s.requests = sqlite3_column_int64(st, 4);
		s.errors = sqlite3_column_int64(st, 5);
		s.dropped = sqlite3_column_int64(st, 6);
		s.rps = col_double(st, 7);
		s.latency_ms.min = col_double(st, 8);
		s.latency_ms.mean = col_double(st, 9);
		s.latency_ms.p50 = col_double(st, 10);
		s.latency_ms.p90 = col_double(st, 11);
		s.latency_ms.p95 = col_double(st, 12);
		s.latency_ms.p99 = col_double(st, 13);
		s.latency_ms.max = col_double(st, 14);
		s.bytes_in = sqlite3_column_int64(st, 15);
		s.bytes_out = sqlite3_column_int64(st, 16);
		s.rss_kb = sqlite3_column_int64(st, 17);
		s.cpu_pct = col_double(st, 18);
		s.hist_json = col_text(st, 19);
		if ((rc = fn(&s, ctx)))
			goto done;
	}
	if (src != SQLITE_DONE)
		rc = sql_fail(db, src, "reading samples", err);
done:
	sqlite3_finalize(st);
	return rc;
}

lt_rc lt_db_metric_history(struct lt_db *db, const char *scenario_id,
			   const char *metric, size_t limit,
			   struct lt_db_series **out, struct lt_err *err)
{
	struct lt_db_series *series = calloc(1, sizeof *series);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	lt_rc rc;
	int src;

	if (!series)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	/* The newest limit rows, turned back to oldest first. */
	if ((rc = prepare(db, "SELECT run_id, measured_at, value FROM ("
			  " SELECT run_id, measured_at, value FROM performance_metrics_history"
			  " WHERE scenario_id = ?1 AND metric = ?2"
			  " ORDER BY measured_at DESC, run_id DESC LIMIT ?3)"
			  " ORDER BY measured_at, run_id", &st, err)))
		goto fail;
	sqlite3_bind_text(st, 1, scenario_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct lt_db_point *pt;
		if (series->n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			pt = realloc(series->points, ncap * sizeof *pt);
			if (!pt) {
				rc = lt_err_set(err, LT_ENOMEM, "out of memory");
				goto fail;
			}
			series->points = pt;
			cap = ncap;
		}
		pt = &series->points[series->n];
		pt->run_id = lti_strdup(col_text(st, 0));
		pt->at = lti_strdup(col_text(st, 1));
		pt->value = sqlite3_column_double(st, 2);
		pt->t = NAN;
		series->n++;
		if (!pt->run_id || !pt->at) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto fail;
		}
		lti_time_parse(pt->at, &pt->t);
	}
	if (src != SQLITE_DONE) {
		rc = sql_fail(db, src, "reading metric history", err);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = series;
	return LT_OK;
fail:
	sqlite3_finalize(st);
	lt_db_series_free(series);
	return rc;
}

void lt_db_series_free(struct lt_db_series *series)
{
	if (!series)
		return;
	for (size_t i = 0; i < series->n; i++) {
		free(series->points[i].run_id);
		free(series->points[i].at);
	}
	free(series->points);
	free(series);
}

/* ---- small queries: baselines, regression settings, checks, alerts -------- */

/* Bind the parameters ?1.. of st from types ("t" text, "d" double, "i"
 * int64, "j" JSON text from a cJSON item) and the values in ap. */
static int bind_args(sqlite3_stmt *st, const char *types, va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		switch (types[i]) {
		case 't': {
			const char *v = va_arg(ap, const char *);
			rc = v ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'd': {
			double v = va_arg(ap, double);
			rc = isfinite(v) ? sqlite3_bind_double(st, i + 1, v) : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'j': {
			const cJSON *v = va_arg(ap, const cJSON *);
			char *text = v ? cJSON_PrintUnformatted(v) : NULL;
			if (v && !text)
				return SQLITE_NOMEM;
			rc = text ? sqlite3_bind_text(st, i + 1, text, -1, cJSON_free)
				  : sqlite3_bind_null(st, i + 1);
			break;
		}
		default:
			return SQLITE_MISUSE;
		}
	}
	return rc;
}

/* A row as a JSON object, column names as keys; columns named *_json hold
 * JSON text and are parsed (under their name without the suffix). */
static cJSON *row_json(sqlite3_stmt *st)
{
	cJSON *row = cJSON_CreateObject();
	int n = sqlite3_column_count(st);

	for (int i = 0; row && i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		size_t len = strlen(name);
		cJSON *v = NULL;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = cJSON_CreateNumber(sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			if (len > 5 && strcmp(name + len - 5, "_json") == 0)
				v = cJSON_Parse((const char *)sqlite3_column_text(st, i));
			else
				v = cJSON_CreateString((const char *)sqlite3_column_text(st, i));
			break;
		default:
			v = cJSON_CreateNull();
			break;
		}
		if (!v) {
			cJSON_Delete(row);
			return NULL;
		}
		if (len > 5 && strcmp(name + len - 5, "_json") == 0) {
			char key[128];
			snprintf(key, sizeof key, "%.*s", (int)(len - 5), name);
			cJSON_AddItemToObject(row, key, v);
		} else {
			cJSON_AddItemToObject(row, name, v);
		}
	}
	return row;
}

/* Run sql with its parameters; *rows (when not NULL) gets a new array of
 * the result rows as objects.  *changes (when not NULL) the rows changed. */
static lt_rc query_rows(struct lt_db *db, const char *what, cJSON **rows, int *changes,
			struct lt_err *err, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	cJSON *list = rows ? cJSON_CreateArray() : NULL;
	va_list ap;
	lt_rc rc;
	int src;

	if (rows && !list)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	if ((src = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL)) != SQLITE_OK)
		goto fail;
	va_start(ap, types);
	src = bind_args(st, types, ap);
	va_end(ap);
	if (src != SQLITE_OK)
		goto fail;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (!list)
			continue;
		cJSON *row = row_json(st);
		if (!row) {
			src = SQLITE_NOMEM;
			goto fail;
		}
		cJSON_AddItemToArray(list, row);
	}
	if (src != SQLITE_DONE)
		goto fail;
	if (changes)
		*changes = sqlite3_changes(db->sql);
	sqlite3_finalize(st);
	if (rows)
		*rows = list;
	return LT_OK;
fail:
	rc = sql_fail(db, src, what, err);
	sqlite3_finalize(st);
	cJSON_Delete(list);
	return rc;
}

/* The first row of rows (taken: rows is freed) into *row; false when
 * there is none. */
static bool take_first(cJSON *rows, cJSON **row)
{
	cJSON *first = cJSON_GetArraySize(rows) ? cJSON_DetachItemFromArray(rows, 0) : NULL;

	cJSON_Delete(rows);
	if (!first)
		return false;
	*row = first;
	return true;
}

static const char *env_or_default(const char *env)
{
	return env && *env ? env : "default";
}

lt_rc lt_db_baseline_set(struct lt_db *db, const char *scenario_id, const char *environment,
			 const char *version, const char *run_id, const cJSON *metrics,
			 const char *note, int64_t *baseline_id, struct lt_err *err)
{
	char now[LTI_TIME_LEN], what[160];
	cJSON *rows = NULL;
	lt_rc rc;

	lti_time_format(lti_time_now(), now);
	snprintf(what, sizeof what, "setting the baseline of %s", scenario_id);
	if ((rc = tx_begin(db, what, err)))
		return rc;
	rc = query_rows(db, what, NULL, NULL, err,
			"INSERT INTO regression_baselines (scenario_id, environment, version, run_id,"
			" metrics, hist, note, created_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5,"
			"  (SELECT hist FROM load_test_results WHERE run_id = ?4), ?6, ?7)"
			" ON CONFLICT (scenario_id, environment, version) DO UPDATE SET"
			" run_id = excluded.run_id, metrics = excluded.metrics, hist = excluded.hist,"
			" note = excluded.note, created_at = excluded.created_at",
			"ttttjtt", scenario_id, env_or_default(environment),
			version ? version : "", run_id, metrics, note, now);
	if (rc == LT_OK)
		rc = query_rows(db, what, &rows, NULL, err,
				"SELECT baseline_id FROM regression_baselines"
				" WHERE scenario_id = ?1 AND environment = ?2 AND version = ?3",
				"ttt", scenario_id, env_or_default(environment), version ? version : "");
	if (rc == LT_OK && (rc = tx_commit(db, what, err)) == LT_OK && baseline_id)
		*baseline_id = (int64_t)cJSON_GetNumberValue(
			cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "baseline_id"));
	if (rc != LT_OK)
		tx_rollback(db);
	cJSON_Delete(rows);
	return rc;
}

static const char baseline_columns[] =
	"SELECT baseline_id, scenario_id, environment, version, run_id,"
	" metrics AS metrics_json, note, created_at FROM regression_baselines";

lt_rc lt_db_baseline_get(struct lt_db *db, const char *scenario_id, const char *environment,
			 const char *version, cJSON **baseline, struct lt_err *err)
{
	char sql[512];
	cJSON *rows = NULL;
	lt_rc rc;

	snprintf(sql, sizeof sql, "%s WHERE scenario_id = ?1 AND environment = ?2"
		 " AND (?3 IS NULL OR version = ?3) ORDER BY created_at DESC, baseline_id DESC LIMIT 1",
		 baseline_columns);
	if ((rc = query_rows(db, "reading baselines", &rows, NULL, err, sql, "ttt", scenario_id,
			     env_or_default(environment), version)))
		return rc;
	if (take_first(rows, baseline))
		return LT_OK;
	if (version)
		return lt_err_set(err, LT_ENOTFOUND, "no baseline %s of scenario %s in environment %s",
				  version, scenario_id, env_or_default(environment));
	return lt_err_set(err, LT_ENOTFOUND,
			  "no baseline for scenario %s in environment %s: set one with "
			  "lt-baseline set", scenario_id, env_or_default(environment));
}

lt_rc lt_db_baselines_list(struct lt_db *db, const char *scenario_id, cJSON **baselines,
			   struct lt_err *err)
{
	char sql[512];
	snprintf(sql, sizeof sql, "%s WHERE ?1 IS NULL OR scenario_id = ?1"
		 " ORDER BY scenario_id, environment, created_at DESC", baseline_columns);
	return query_rows(db, "reading baselines", baselines, NULL, err, sql, "t", scenario_id);
}

lt_rc lt_db_baseline_delete(struct lt_db *db, const char *scenario_id, const char *environment,
			    const char *version, struct lt_err *err)
{
	int changes = 0;
	lt_rc rc = query_rows(db, "deleting a baseline", NULL, &changes, err,
			      "DELETE FROM regression_baselines WHERE scenario_id = ?1"
			      " AND environment = ?2 AND (?3 IS NULL OR version = ?3)",
			      "ttt", scenario_id, env_or_default(environment), version);
	if (rc == LT_OK && changes == 0)
		return lt_err_set(err, LT_ENOTFOUND, "no baseline%s%s of scenario %s in environment %s",
				  version ? " " : "", version ? version : "", scenario_id,
				  env_or_default(environment));
	return rc;
}

lt_rc lt_db_regress_config_set(struct lt_db *db, const char *scenario_id, const cJSON *config,
			       struct lt_err *err)
{
	char now[LTI_TIME_LEN];
	lti_time_format(lti_time_now(), now);
	return query_rows(db, "saving the regression thresholds", NULL, NULL, err,
			  "INSERT INTO regression_config (scenario_id, config, updated_at)"
			  " VALUES (?1, ?2, ?3) ON CONFLICT (scenario_id) DO UPDATE SET"
			  " config = excluded.config, updated_at = excluded.updated_at",
			  "tjt", scenario_id ? scenario_id : "*", config, now);
}

lt_rc lt_db_regress_config_get(struct lt_db *db, const char *scenario_id, cJSON **config,
			       char **found_for, struct lt_err *err)
{
	cJSON *rows = NULL;
	lt_rc rc = query_rows(db, "reading the regression thresholds", &rows, NULL, err,
			      "SELECT scenario_id, config AS config_json FROM regression_config"
			      " WHERE scenario_id = ?1 OR scenario_id = '*'"
			      " ORDER BY scenario_id = '*' LIMIT 1",
			      "t", scenario_id ? scenario_id : "*");
	if (rc)
		return rc;
	cJSON *row = cJSON_GetArrayItem(rows, 0);
	if (!row) {
		cJSON_Delete(rows);
		return lt_err_set(err, LT_ENOTFOUND, "no regression thresholds stored");
	}
	if (found_for)
		*found_for = lti_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(row, "scenario_id")));
	*config = cJSON_DetachItemFromObject(row, "config");
	cJSON_Delete(rows);
	return *config ? LT_OK : lt_err_set(err, LT_EDB, "%s: stored thresholds are not JSON", db->path);
}

lt_rc lt_db_run_set_environment(struct lt_db *db, const char *run_id, const char *environment,
				struct lt_err *err)
{
	return query_rows(db, "recording the environment of a run", NULL, NULL, err,
			  "UPDATE load_test_results SET environment = ?2 WHERE run_id = ?1",
			  "tt", run_id, env_or_default(environment));
}

lt_rc lt_db_metric_runs(struct lt_db *db, const char *scenario_id, const char *environment,
			const char *metric, const char *exclude_run_id, size_t limit,
			struct lt_db_series **series, struct lt_err *err)
{
	cJSON *rows = NULL, *row;
	struct lt_db_series *s;
	size_t i = 0, n;
	lt_rc rc;

	/* The newest `limit` complete runs of the scenario in the environment
	 * that started before the run being judged (an old run judged today
	 * must not be measured against what came after it), leaving out runs
	 * a check found critical: a regression must not become the norm it
	 * is judged against. */
	rc = query_rows(db, "reading metric history", &rows, NULL, err,
			"SELECT * FROM (SELECT h.run_id, r.started_at, h.value"
			" FROM performance_metrics_history h"
			" JOIN load_test_results r ON r.run_id = h.run_id"
			" WHERE h.scenario_id = ?1 AND h.metric = ?2"
			" AND coalesce(r.environment, 'default') = ?3"
			" AND r.status = 'complete' AND h.run_id IS NOT ?4"
			" AND r.started_at < coalesce((SELECT j.started_at FROM load_test_results j"
			"  WHERE j.run_id = ?4), r.started_at || '~')"
			" AND NOT EXISTS (SELECT 1 FROM regression_alerts a WHERE a.run_id = h.run_id"
			"  AND a.severity = 'critical')"
			" ORDER BY r.started_at DESC LIMIT ?5) ORDER BY started_at",
			"tttti", scenario_id, metric, env_or_default(environment), exclude_run_id,
			(int64_t)(limit ? limit : 1000000));
	if (rc)
		return rc;
	n = (size_t)cJSON_GetArraySize(rows);
	if (!(s = calloc(1, sizeof *s)) || (n && !(s->points = calloc(n, sizeof *s->points)))) {
		free(s);
		cJSON_Delete(rows);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(row, rows) {
		struct lt_db_point *pt = &s->points[i++];
		pt->run_id = lti_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(row, "run_id")));
		pt->at = lti_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(row, "started_at")));
		lti_time_parse(pt->at, &pt->t);
		pt->value = cJSON_GetNumberValue(cJSON_GetObjectItem(row, "value"));
		s->n++;
		if (!pt->run_id || !pt->at) {
			lt_db_series_free(s);
			cJSON_Delete(rows);
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		}
	}
	cJSON_Delete(rows);
	*series = s;
	return LT_OK;
}

lt_rc lt_db_check_record(struct lt_db *db, const cJSON *verdict, cJSON *const *alerts, size_t n,
			 struct lt_err *err)
{
	const char *check_id = cJSON_GetStringValue(cJSON_GetObjectItem(verdict, "check_id"));
	const cJSON *baseline = cJSON_GetObjectItem(verdict, "baseline_id");
	char now[LTI_TIME_LEN];
	lt_rc rc;

	if (!check_id)
		return lt_err_set(err, LT_EINVAL, "verdict without check_id");
	lti_time_format(lti_time_now(), now);
	if ((rc = tx_begin(db, "recording a regression check", err)))
		return rc;
	rc = query_rows(db, "recording a regression check", NULL, NULL, err,
			"INSERT INTO regression_checks (check_id, scenario_id, run_id, environment,"
			" baseline_id, status, model, verdict, created_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
			" ON CONFLICT (check_id) DO NOTHING",
			"ttttdttjt", check_id,
			cJSON_GetStringValue(cJSON_GetObjectItem(verdict, "scenario_id")),
			cJSON_GetStringValue(cJSON_GetObjectItem(verdict, "run_id")),
			cJSON_GetStringValue(cJSON_GetObjectItem(verdict, "environment")),
			cJSON_IsNumber(baseline) ? baseline->valuedouble : NAN,
			cJSON_GetStringValue(cJSON_GetObjectItem(verdict, "status")),
			cJSON_GetStringValue(cJSON_GetObjectItem(verdict, "model")), verdict, now);
	for (size_t i = 0; rc == LT_OK && i < n; i++) {
		struct binder b;
		if ((rc = stmt_get(db, ST_ALERT_INSERT, &b.st, err)))
			break;
		b.rc = SQLITE_OK;
		bind_alert(&b, alerts[i], now);
		if (b.rc != SQLITE_OK) {
			sqlite3_clear_bindings(b.st);
			rc = sql_fail(db, b.rc, "recording an alert", err);
			break;
		}
		if ((rc = stmt_run(db, b.st, "recording an alert", err)))
			break;
		rc = query_rows(db, "recording an alert", NULL, NULL, err,
				"UPDATE regression_alerts SET baseline_id = ?2, check_id = ?3"
				" WHERE alert_id = ?1", "tdt",
				cJSON_GetStringValue(cJSON_GetObjectItem(alerts[i], "alert_id")),
				cJSON_IsNumber(baseline) ? baseline->valuedouble : NAN, check_id);
	}
	if (rc == LT_OK)
		rc = tx_commit(db, "recording a regression check", err);
	if (rc != LT_OK)
		tx_rollback(db);
	return rc;
}

lt_rc lt_db_checks_list(struct lt_db *db, const char *scenario_id, size_t limit,
			cJSON **checks, struct lt_err *err)
{
	return query_rows(db, "reading regression checks", checks, NULL, err,
			  "SELECT * FROM (SELECT check_id, scenario_id, run_id, environment, baseline_id,"
			  " status, model, verdict AS verdict_json, created_at FROM regression_checks"
			  " WHERE ?1 IS NULL OR scenario_id = ?1 ORDER BY created_at DESC LIMIT ?2)"
			  " ORDER BY created_at",
			  "ti", scenario_id, (int64_t)(limit ? limit : 1000000));
}

lt_rc lt_db_alerts_list(struct lt_db *db, const char *scenario_id, bool unacked_only,
			size_t limit, cJSON **alerts, struct lt_err *err)
{
	return query_rows(db, "reading alerts", alerts, NULL, err,
			  "SELECT a.alert_id, a.scenario_id, a.run_id, a.metric, a.baseline, a.current,"
			  " a.change_pct, a.p_value, a.method, a.severity, a.message, a.acknowledged,"
			  " a.baseline_id, a.check_id, a.created_at, k.acknowledged_by, k.comment,"
			  " k.acknowledged_at FROM regression_alerts a"
			  " LEFT JOIN alert_acknowledgements k ON k.alert_id = a.alert_id"
			  " WHERE (?1 IS NULL OR a.scenario_id = ?1) AND (?2 = 0 OR a.acknowledged = 0)"
			  " ORDER BY a.created_at DESC LIMIT ?3",
			  "tii", scenario_id, (int64_t)unacked_only, (int64_t)(limit ? limit : 1000000));
}

lt_rc lt_db_alert_ack(struct lt_db *db, const char *alert_id, const char *by, const char *note,
		      char **full_id, struct lt_err *err)
{
	char now[LTI_TIME_LEN], pattern[160];
	cJSON *rows = NULL;
	lt_rc rc;

	if (!alert_id || !*alert_id || strlen(alert_id) > 128 || strpbrk(alert_id, "%_"))
		return lt_err_set(err, LT_EINVAL, "bad alert id \"%s\"", alert_id ? alert_id : "");
	snprintf(pattern, sizeof pattern, "%s%%", alert_id);
	if ((rc = query_rows(db, "acknowledging an alert", &rows, NULL, err,
			     "SELECT alert_id FROM regression_alerts WHERE alert_id = ?1"
			     " UNION SELECT alert_id FROM regression_alerts WHERE alert_id LIKE ?2"
			     " LIMIT 3", "tt", alert_id, pattern)))
		return rc;
	int n = cJSON_GetArraySize(rows);
	const char *exact = NULL;
	cJSON *row;
	cJSON_ArrayForEach(row, rows)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(row, "alert_id")), alert_id))
			exact = alert_id;
	if (n == 0) {
		cJSON_Delete(rows);
		return lt_err_set(err, LT_ENOTFOUND, "no alert %s", alert_id);
	}
	if (n > 1 && !exact) {
		cJSON_Delete(rows);
		return lt_err_set(err, LT_EINVAL, "alert id %s is ambiguous: give more of it", alert_id);
	}
	const char *id = exact ? exact
			       : cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0),
									   "alert_id"));
	lti_time_format(lti_time_now(), now);
	rc = query_rows(db, "acknowledging an alert", NULL, NULL, err,
			"INSERT INTO alert_acknowledgements (alert_id, acknowledged_by, comment,"
			" acknowledged_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (alert_id) DO UPDATE SET"
			" acknowledged_by = excluded.acknowledged_by, comment = excluded.comment,"
			" acknowledged_at = excluded.acknowledged_at",
			"tttt", id, by, note, now);
	if (rc == LT_OK && full_id)
		*full_id = lti_strdup(id);
	cJSON_Delete(rows);
	return rc;
}

/* ---- schedules and their executions (lt-sched) ----------------------------- */

static const char schedule_columns[] =
	"SELECT name, scenario_id, scenario_path, schedule, timezone, enabled,"
	" options AS options_json, retries, timeout_s, concurrency_policy,"
	" starting_deadline_s, history_limit, last_fired_at, created_at, updated_at"
	" FROM scheduled_tests";

lt_rc lt_db_schedules_add(struct lt_db *db, const cJSON *rows, bool replace, const char *now,
			  struct lt_err *err)
{
	const char *what = "adding schedules";
	const cJSON *row;
	lt_rc rc;

	if (!cJSON_IsArray(rows))
		return lt_err_set(err, LT_EUSAGE, "lt_db_schedules_add: rows must be an array");
	cJSON_ArrayForEach(row, rows)
		if (!field_str(row, "name") || !field_str(row, "schedule"))
			return lt_err_set(err, LT_EINVAL, "a schedule needs a name and a schedule");
	if ((rc = tx_begin(db, what, err)))
		return rc;
	cJSON_ArrayForEach(row, rows) {
		const char *name = field_str(row, "name");
		const cJSON *enabled = field(row, "enabled");
		cJSON *found = NULL;
		int n;

		if ((rc = query_rows(db, what, &found, NULL, err,
				     "SELECT 1 FROM scheduled_tests WHERE name = ?1", "t", name)))
			goto fail;
		n = cJSON_GetArraySize(found);
		cJSON_Delete(found);
		if (n && !replace) {
			rc = lt_err_set(err, LT_EEXIST,
					"schedule %s exists already (remove it first, or replace it)",
					name);
			goto fail;
		}
		/* On replace the row keeps created_at and last_fired_at: the
		 * fire times already run stay run. */
		rc = query_rows(db, what, NULL, NULL, err,
				"INSERT INTO scheduled_tests (name, scenario_id, scenario_path, schedule,"
				" timezone, enabled, options, retries, timeout_s, concurrency_policy,"
				" starting_deadline_s, history_limit, created_at, updated_at)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, 0), ?9,"
				"  coalesce(?10, 'forbid'), ?11, coalesce(?12, 100), ?13, ?13)"
				" ON CONFLICT (name) DO UPDATE SET scenario_id = excluded.scenario_id,"
				" scenario_path = excluded.scenario_path, schedule = excluded.schedule,"
				" timezone = excluded.timezone, enabled = excluded.enabled,"
				" options = excluded.options, retries = excluded.retries,"
				" timeout_s = excluded.timeout_s,"
				" concurrency_policy = excluded.concurrency_policy,"
				" starting_deadline_s = excluded.starting_deadline_s,"
				" history_limit = excluded.history_limit, updated_at = excluded.updated_at",
				"tttttijddtddt", name, field_str(row, "scenario_id"),
				field_str(row, "scenario_path"), field_str(row, "schedule"),
				field_str(row, "timezone"),
				(int64_t)(cJSON_IsFalse(enabled) ||
					  (cJSON_IsNumber(enabled) && enabled->valuedouble == 0) ? 0 : 1),
				field(row, "options"), field_num(row, "retries"),
				field_num(row, "timeout_s"), field_str(row, "concurrency_policy"),
				field_num(row, "starting_deadline_s"), field_num(row, "history_limit"),
				now);
		if (rc)
			goto fail;
	}
	if ((rc = tx_commit(db, what, err)))
		goto fail;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

lt_rc lt_db_schedule_get(struct lt_db *db, const char *name, cJSON **row, struct lt_err *err)
{
	char sql[512];
	cJSON *rows = NULL;
	lt_rc rc;

	snprintf(sql, sizeof sql, "%s WHERE name = ?1", schedule_columns);
	if ((rc = query_rows(db, "reading schedules", &rows, NULL, err, sql, "t", name)))
		return rc;
	if (!take_first(rows, row))
		return lt_err_set(err, LT_ENOTFOUND, "no schedule %s", name);
	return LT_OK;
}

lt_rc lt_db_schedules_list(struct lt_db *db, cJSON **rows, struct lt_err *err)
{
	char sql[512];
	snprintf(sql, sizeof sql, "%s ORDER BY name", schedule_columns);
	return query_rows(db, "reading schedules", rows, NULL, err, sql, "");
}

lt_rc lt_db_schedule_delete(struct lt_db *db, const char *name, struct lt_err *err)
{
	const char *what = "removing a schedule";
	int changes = 0;
	lt_rc rc;

	if ((rc = tx_begin(db, what, err)))
		return rc;
	if ((rc = query_rows(db, what, NULL, &changes, err,
			     "DELETE FROM scheduled_tests WHERE name = ?1", "t", name)) ||
	    (rc = query_rows(db, what, NULL, NULL, err,
			     "DELETE FROM schedule_locks WHERE schedule = ?1", "t", name)))
		goto fail;
	if (changes == 0) {
		rc = lt_err_set(err, LT_ENOTFOUND, "no schedule %s", name);
		goto fail;
	}
	if ((rc = tx_commit(db, what, err)))
		goto fail;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

lt_rc lt_db_schedule_set_enabled(struct lt_db *db, const char *name, bool enabled,
				 const char *now, struct lt_err *err)
{
	int changes = 0;
	lt_rc rc = query_rows(db, enabled ? "enabling a schedule" : "disabling a schedule", NULL,
			      &changes, err,
			      "UPDATE scheduled_tests SET enabled = ?2, updated_at = ?3,"
			      " last_fired_at = CASE WHEN ?2 = 1 AND enabled = 0 THEN ?3"
			      "  ELSE last_fired_at END WHERE name = ?1",
			      "tit", name, (int64_t)enabled, now);
	if (rc == LT_OK && changes == 0)
		return lt_err_set(err, LT_ENOTFOUND, "no schedule %s", name);
	return rc;
}

lt_rc lt_db_schedule_claim(struct lt_db *db, const struct lt_db_claim *c,
			   enum lt_db_claim_result *result, struct lt_err *err)
{
	char what[256];
	cJSON *rows = NULL;
	int n, changes = 0;
	bool busy = false;
	lt_rc rc;

	snprintf(what, sizeof what, "claiming %s at %s", c->schedule, c->fire_time);
	if ((rc = tx_begin(db, what, err)))
		return rc;
	/* Inside the write transaction nobody else can insert the lock or
	 * start an execution between this look and the insert below. */
	if ((rc = query_rows(db, what, &rows, NULL, err,
			     "SELECT 1 FROM schedule_locks WHERE schedule = ?1 AND fire_time = ?2",
			     "tt", c->schedule, c->fire_time)))
		goto fail;
	n = cJSON_GetArraySize(rows);
	cJSON_Delete(rows);
	rows = NULL;
	if (n) {
		*result = LT_DB_CLAIM_TAKEN;
		tx_rollback(db);
		return LT_OK;
	}
	if (c->forbid && c->execution_id) {
		if ((rc = query_rows(db, what, &rows, NULL, err,
				     "SELECT 1 FROM test_executions WHERE schedule = ?1"
				     " AND finished_at IS NULL LIMIT 1", "t", c->schedule)))
			goto fail;
		busy = cJSON_GetArraySize(rows) > 0;
		cJSON_Delete(rows);
		rows = NULL;
	}
	if ((rc = query_rows(db, what, NULL, &changes, err,
			     "UPDATE scheduled_tests SET last_fired_at ="
			     " CASE WHEN last_fired_at IS NULL OR last_fired_at < ?2 THEN ?2"
			     " ELSE last_fired_at END WHERE name = ?1 AND enabled = 1",
			     "tt", c->schedule, c->fire_time)))
		goto fail;
	if (changes == 0) {
		*result = LT_DB_CLAIM_GONE;
		tx_rollback(db);
		return LT_OK;
	}
	const char *exec_id = busy ? NULL : c->execution_id;
	if ((rc = query_rows(db, what, NULL, NULL, err,
			     "INSERT INTO schedule_locks (schedule, fire_time, execution_id, holder,"
			     " acquired_at) VALUES (?1, ?2, ?3, ?4, ?5)",
			     "ttttt", c->schedule, c->fire_time, exec_id, c->holder, c->now)))
		goto fail;
	if (exec_id &&
	    (rc = query_rows(db, what, NULL, NULL, err,
			     "INSERT INTO test_executions (execution_id, attempt, schedule, scenario_id,"
			     " started_at, status, recorded_at)"
			     " VALUES (?1, 1, ?2, ?3, ?4, 'running', ?4)",
			     "tttt", exec_id, c->schedule, c->scenario_id, c->now)))
		goto fail;
	if ((rc = tx_commit(db, what, err)))
		goto fail;
	*result = busy ? LT_DB_CLAIM_BUSY : exec_id ? LT_DB_CLAIMED : LT_DB_CLAIM_SKIPPED;
	return LT_OK;
fail:
	tx_rollback(db);
	return rc;
}

lt_rc lt_db_schedule_release(struct lt_db *db, const char *schedule, const char *fire_time,
			     const char *before, struct lt_err *err)
{
	const char *what = "handing back a fire time";
	lt_rc rc;

	if ((rc = tx_begin(db, what, err)))
		return rc;
	if ((rc = query_rows(db, what, NULL, NULL, err,
			     "DELETE FROM schedule_locks WHERE schedule = ?1 AND fire_time = ?2",
			     "tt", schedule, fire_time)) ||
	    (rc = query_rows(db, what, NULL, NULL, err,
			     "UPDATE scheduled_tests SET last_fired_at = ?3"
			     " WHERE name = ?1 AND last_fired_at = ?2",
			     "ttt", schedule, fire_time, before)) ||
	    (rc = tx_commit(db, what, err))) {
		tx_rollback(db);
		return rc;
	}
	return LT_OK;
}

lt_rc lt_db_execution_start(struct lt_db *db, const char *execution_id, unsigned attempt,
			    const char *schedule, const char *scenario_id,
			    const char *started_at, struct lt_err *err)
{
	return query_rows(db, "recording an execution", NULL, NULL, err,
			  "INSERT INTO test_executions (execution_id, attempt, schedule, scenario_id,"
			  " started_at, status, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?5)"
			  " ON CONFLICT (execution_id, attempt) DO UPDATE SET started_at = excluded.started_at"
			  " WHERE test_executions.finished_at IS NULL",
			  "tittt", execution_id, (int64_t)attempt, schedule, scenario_id,
			  started_at);
}

lt_rc lt_db_executions_running(struct lt_db *db, const char *schedule, cJSON **rows,
			       struct lt_err *err)
{
	return query_rows(db, "reading running executions", rows, NULL, err,
			  "SELECT e.execution_id, e.attempt, e.schedule, e.scenario_id, e.started_at,"
			  " l.fire_time, l.holder FROM test_executions e"
			  " LEFT JOIN schedule_locks l ON l.execution_id = e.execution_id"
			  " WHERE e.finished_at IS NULL AND (?1 IS NULL OR e.schedule = ?1)"
			  " ORDER BY e.started_at, e.execution_id",
			  "t", schedule);
}

lt_rc lt_db_schedule_newer_claim(struct lt_db *db, const char *schedule, const char *fire_time,
				 bool *newer, struct lt_err *err)
{
	cJSON *rows = NULL;
	lt_rc rc = query_rows(db, "reading schedule locks", &rows, NULL, err,
			      "SELECT 1 FROM schedule_locks WHERE schedule = ?1 AND fire_time > ?2"
			      " AND execution_id IS NOT NULL LIMIT 1", "tt", schedule, fire_time);
	if (rc == LT_OK)
		*newer = cJSON_GetArraySize(rows) > 0;
	cJSON_Delete(rows);
	return rc;
}

lt_rc lt_db_executions_list(struct lt_db *db, const char *schedule, size_t limit,
			    cJSON **rows, struct lt_err *err)
{
	return query_rows(db, "reading executions", rows, NULL, err,
			  "SELECT e.execution_id, e.attempt, e.schedule, e.scenario_id, e.started_at,"
			  " e.finished_at, e.status, e.exit_code, e.run_id, e.stderr, e.recorded_at,"
			  " (SELECT l.fire_time FROM schedule_locks l"
			  "  WHERE l.execution_id = e.execution_id) AS fire_time"
			  " FROM test_executions e WHERE ?1 IS NULL OR e.schedule = ?1"
			  " ORDER BY e.started_at DESC, e.attempt DESC LIMIT ?2",
			  "ti", schedule, (int64_t)(limit ? limit : INT64_MAX));
}

lt_rc lt_db_execution_previous_status(struct lt_db *db, const char *schedule,
				      const char *exclude_execution_id, char **status,
				      struct lt_err *err)
{
	cJSON *rows = NULL;
	lt_rc rc = query_rows(db, "reading executions", &rows, NULL, err,
			      "SELECT status FROM test_executions WHERE schedule = ?1"
			      " AND execution_id IS NOT ?2 AND finished_at IS NOT NULL"
			      " AND status != 'retrying' ORDER BY finished_at DESC LIMIT 1",
			      "tt", schedule, exclude_execution_id);
	if (rc)
		return rc;
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0),
								   "status"));
	*status = NULL;
	if (s && !(*status = lti_strdup(s)))
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
	cJSON_Delete(rows);
	return rc;
}

lt_rc lt_db_executions_prune(struct lt_db *db, const char *schedule, size_t keep,
			     size_t *deleted, struct lt_err *err)
{
	const char *what = "pruning executions";
	int changes = 0;
	lt_rc rc;

	if ((rc = tx_begin(db, what, err)))
		return rc;
	/* An execution's age is the start of its first attempt. */
	if ((rc = query_rows(db, what, NULL, &changes, err,
			     "DELETE FROM test_executions WHERE schedule = ?1"
			     " AND finished_at IS NOT NULL AND execution_id NOT IN ("
			     "  SELECT execution_id FROM test_executions WHERE schedule = ?1"
			     "  GROUP BY execution_id ORDER BY min(started_at) DESC LIMIT ?2)"
			     " AND execution_id NOT IN (SELECT execution_id FROM test_executions"
			     "  WHERE schedule = ?1 AND finished_at IS NULL)",
			     "ti", schedule, (int64_t)keep)) ||
	    (rc = query_rows(db, what, NULL, NULL, err,
			     "DELETE FROM schedule_locks WHERE schedule = ?1"
			     " AND fire_time < (SELECT last_fired_at FROM scheduled_tests WHERE name = ?1)"
			     " AND (execution_id IS NULL OR execution_id NOT IN"
			     "  (SELECT execution_id FROM test_executions WHERE schedule = ?1))",
			     "t", schedule)) ||
	    (rc = tx_commit(db, what, err))) {
		tx_rollback(db);
		return rc;
	}
	if (deleted)
		*deleted = (size_t)changes;
	return LT_OK;
}

lt_rc lt_db_scenario_get(struct lt_db *db, const char *scenario_id, cJSON **row,
			 struct lt_err *err)
{
	cJSON *rows = NULL;
	lt_rc rc = query_rows(db, "reading scenarios", &rows, NULL, err,
			      "SELECT scenario_id, name, description, config AS config_json,"
			      " created_at, updated_at FROM load_test_scenarios WHERE scenario_id = ?1",
			      "t", scenario_id);
	if (rc)
		return rc;
	if (!take_first(rows, row))
		return lt_err_set(err, LT_ENOTFOUND, "unknown scenario %s", scenario_id);
	return LT_OK;
}

/* ---- anomaly models ---- */

lt_rc lt_db_anomaly_model_add(struct lt_db *db, const char *const *scenario_ids, size_t n,
			      const cJSON *features, const char *model_text, double threshold,
			      int64_t runs_used, int64_t *model_ids, struct lt_err *err)
{
	const char *what = "storing an anomaly model";
	char now[LTI_TIME_LEN];
	lt_rc rc;

	if (!n || !scenario_ids || !model_text)
		return lt_err_set(err, LT_EINVAL, "%s: no scenario or no model", what);
	lti_time_format(lti_time_now(), now);
	if ((rc = tx_begin(db, what, err)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		cJSON *rows = NULL;
		if ((rc = query_rows(db, what, &rows, NULL, err,
				     "INSERT INTO anomaly_models (scenario_id, metrics, model, threshold,"
				     " runs_used, version, trained_at)"
				     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING model_id",
				     "tjtditt", scenario_ids[i], features, model_text, threshold,
				     runs_used, LT_VERSION, now))) {
			tx_rollback(db);
			return rc;
		}
		if (model_ids)
			model_ids[i] = (int64_t)cJSON_GetNumberValue(
				cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "model_id"));
		cJSON_Delete(rows);
	}
	if ((rc = tx_commit(db, what, err)))
		tx_rollback(db);
	return rc;
}

lt_rc lt_db_anomaly_model_latest(struct lt_db *db, const char *scenario_id, cJSON **row,
				 struct lt_err *err)
{
	cJSON *rows = NULL;
	/* trained_at has milliseconds; the row id orders two models trained
	 * within one. */
	lt_rc rc = query_rows(db, "reading anomaly models", &rows, NULL, err,
			      "SELECT model_id, scenario_id, metrics AS metrics_json, model, threshold,"
			      " runs_used, version, trained_at FROM anomaly_models"
			      " WHERE scenario_id = ?1 ORDER BY trained_at DESC, model_id DESC LIMIT 1",
			      "t", scenario_id);
	if (rc)
		return rc;
	if (!take_first(rows, row))
		return lt_err_set(err, LT_ENOTFOUND,
				  "no anomaly model for scenario %s: train one with lt-regress train %s",
				  scenario_id, scenario_id);
	return LT_OK;
}

/* ---- lt-serve: scenarios stored without a run, benchmark history ---- */

lt_rc lt_db_scenario_put(struct lt_db *db, const char *scenario_id, const char *name,
			 const char *description, const cJSON *config, bool *created,
			 struct lt_err *err)
{
	char now[LTI_TIME_LEN], what[160];
	cJSON *rows = NULL;
	lt_rc rc;

	if (!scenario_id || !*scenario_id || !cJSON_IsObject(config))
		return lt_err_set(err, LT_EINVAL, "a scenario needs an id and a config object");
	lti_time_format(lti_time_now(), now);
	snprintf(what, sizeof what, "storing scenario %s", scenario_id);
	if ((rc = tx_begin(db, what, err)))
		return rc;
	if ((rc = query_rows(db, what, &rows, NULL, err,
			     "SELECT 1 FROM load_test_scenarios WHERE scenario_id = ?1",
			     "t", scenario_id)) ||
	    (rc = query_rows(db, what, NULL, NULL, err,
			     "INSERT INTO load_test_scenarios"
			     " (scenario_id, name, description, config, created_at, updated_at)"
			     " VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
			     " ON CONFLICT (scenario_id) DO UPDATE SET name = excluded.name,"
			     " description = excluded.description, config = excluded.config,"
			     " updated_at = excluded.updated_at",
			     "tttjt", scenario_id, name, description, config, now)) ||
	    (rc = tx_commit(db, what, err))) {
		tx_rollback(db);
		cJSON_Delete(rows);
		return rc;
	}
	if (created)
		*created = cJSON_GetArraySize(rows) == 0;
	cJSON_Delete(rows);
	return LT_OK;
}

lt_rc lt_db_scenarios_list(struct lt_db *db, cJSON **rows, struct lt_err *err)
{
	return query_rows(db, "reading scenarios", rows, NULL, err,
			  "SELECT s.scenario_id, s.name, s.description, s.config AS config_json,"
			  " s.created_at, s.updated_at,"
			  " (SELECT count(*) FROM load_test_results r"
			  "  WHERE r.scenario_id = s.scenario_id) AS runs,"
			  " (SELECT max(started_at) FROM load_test_results r"
			  "  WHERE r.scenario_id = s.scenario_id) AS last_run_at"
			  " FROM load_test_scenarios s ORDER BY s.scenario_id", "");
}

lt_rc lt_db_bench_list(struct lt_db *db, size_t limit, cJSON **rows, struct lt_err *err)
{
	return query_rows(db, "reading benchmark results", rows, NULL, err,
			  "SELECT bench_id, suite, name, unit, runs, mean, stddev, median, min, max,"
			  " host, version, recorded_at FROM benchmark_results"
			  " ORDER BY recorded_at DESC, rowid DESC LIMIT ?1",
			  "i", (int64_t)(limit ? limit : 1000000));
}

lt_rc lt_db_alerts_open_count(struct lt_db *db, int64_t *count, struct lt_err *err)
{
	cJSON *rows = NULL;
	lt_rc rc = query_rows(db, "counting alerts", &rows, NULL, err,
			      "SELECT count(*) AS n FROM regression_alerts WHERE acknowledged = 0", "");
	if (rc)
		return rc;
	*count = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "n"));
	cJSON_Delete(rows);
	return LT_OK;
}

lt_rc lt_db_ping(struct lt_db *db, struct lt_err *err)
{
	return query_rows(db, "reading the schema", NULL, NULL, err,
			  "SELECT count(*) FROM sqlite_master", "");
}

/* ---- benchmark checks ---- */

static const char bench_columns[] =
	"SELECT bench_id, suite, name, unit, runs, mean, stddev, median, min, max, host,"
	" version, recorded_at, record AS record_json FROM benchmark_results";
static const char bench_columns_seq[] =
	"SELECT rowid AS seq, bench_id, suite, name, unit, runs, mean, stddev, median, min, max,"
	" host, version, recorded_at, record AS record_json FROM benchmark_results";

lt_rc lt_db_bench_get(struct lt_db *db, const char *bench_id, cJSON **row, struct lt_err *err)
{
	char sql[512];
	cJSON *rows = NULL;
	lt_rc rc;

	snprintf(sql, sizeof sql, "%s WHERE bench_id = ?1", bench_columns);
	if ((rc = query_rows(db, "reading a benchmark result", &rows, NULL, err, sql, "t",
			     bench_id)))
		return rc;
	if (!take_first(rows, row))
		return lt_err_set(err, LT_ENOTFOUND, "no benchmark result %s", bench_id);
	return LT_OK;
}

lt_rc lt_db_bench_history(struct lt_db *db, const char *suite, const char *name,
			  const char *host, const char *before_bench_id, size_t limit,
			  cJSON **rows, struct lt_err *err)
{
	char sql[1400];
	/* The inner query keeps rowid (the rows carry it as seq) so that
	 * results recorded in the same millisecond keep their order; the
	 * same order tells what came before the judged result. */
	snprintf(sql, sizeof sql, "SELECT * FROM (%s WHERE suite IS ?1 AND name = ?2"
		 " AND (?3 IS NULL OR host IS ?3)"
		 " AND bench_id IS NOT ?4"
		 " AND (?4 IS NULL OR NOT EXISTS (SELECT 1 FROM benchmark_results j"
		 "  WHERE j.bench_id = ?4)"
		 "  OR (recorded_at, rowid) < (SELECT j.recorded_at, j.rowid"
		 "   FROM benchmark_results j WHERE j.bench_id = ?4))"
		 " AND NOT EXISTS (SELECT 1 FROM regression_alerts a"
		 "  WHERE a.run_id = benchmark_results.bench_id AND a.severity = 'critical')"
		 " ORDER BY recorded_at DESC, rowid DESC LIMIT ?5) ORDER BY recorded_at, seq",
		 bench_columns_seq);
	return query_rows(db, "reading benchmark history", rows, NULL, err, sql, "tttti", suite,
			  name, host, before_bench_id, (int64_t)(limit ? limit : 1000000));
}

/* ---- lt-regress watch: the runs no check has seen ---- */

lt_rc lt_db_runs_unchecked(struct lt_db *db, const char *environment, size_t limit,
			   cJSON **rows, struct lt_err *err)
{
	/* A check is the watermark: regression_checks names the run once it
	 * is judged, in the same transaction as the verdict's alerts, so the
	 * list needs no state of its own and survives any restart.  Each IN
	 * subquery is built once into a temporary index by SQLite: a pass
	 * costs O(runs log checks), not a scan of the checks per run (no
	 * index is on regression_checks.run_id). */
	return query_rows(db, "reading unchecked runs", rows, NULL, err,
			  "SELECT r.run_id, r.scenario_id, r.started_at, r.environment"
			  " FROM load_test_results r"
			  " WHERE r.status = 'complete' AND r.scenario_id IS NOT NULL"
			  " AND r.run_id NOT IN (SELECT run_id FROM regression_checks"
			  "  WHERE run_id IS NOT NULL)"
			  " AND r.run_id NOT IN (SELECT run_id FROM regression_baselines"
			  "  WHERE run_id IS NOT NULL)"
			  " AND r.scenario_id IN (SELECT scenario_id FROM regression_baselines"
			  "  WHERE ?1 IS NULL OR environment = ?1)"
			  " ORDER BY r.started_at, r.rowid LIMIT ?2",
			  "ti", environment, (int64_t)(limit ? limit : 1000000));
}
