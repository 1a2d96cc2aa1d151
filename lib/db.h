/* db.h -- the SQLite database every lt program shares.
 *
 * One file (lt-db(5)) holds the history of runs, their per-second
 * samples, baselines, thresholds, alerts, benchmarks, schedules and their
 * executions.  lt-run, lt-store, lt-regress, lt-sched and lt-serve may
 * have it open at the same time, in several processes: the database runs
 * in WAL mode (readers never wait for the writer), every write is one
 * short transaction started with BEGIN IMMEDIATE, and a writer waits up to
 * LT_DB_BUSY_TIMEOUT_MS for another one before giving up with LT_EDB.
 *
 * The schema is versioned with PRAGMA user_version and upgraded in place,
 * one numbered migration after another, in one transaction, when a
 * read-write handle is opened.  A database written by a newer lt is
 * refused rather than misread.
 *
 * Every SQL statement is a constant prepared once; data only ever travels
 * as bound parameters.  sqlite3 result codes stop at this module's edge:
 * callers see an lt_rc and a message naming the database file.
 *
 * A handle is not thread-safe: use one per thread (lt-serve opens one per
 * worker).  Non-goals: the database is not a time-series store for raw
 * requests (latencies live in histograms, one per second), and this module
 * does not validate records beyond what it needs to store them -- that is
 * the ndjson module's job.
 */
#ifndef LT_DB_H
#define LT_DB_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema version this lt writes and reads (PRAGMA user_version). */
#define LT_DB_SCHEMA_VERSION 3

/* How long a write waits for another process's write transaction before
 * failing with "database is locked".  Ten seconds: the longest write lt
 * makes (one run of a few hours, samples and all) commits in well under a
 * second, so a wait this long means a stuck process, not a busy one,
 * while a cron-driven lt-sched and a CI job recording at the same moment
 * never see the error. */
#define LT_DB_BUSY_TIMEOUT_MS 10000

struct lt_db;

/* Flags for lt_db_open(). */
enum lt_db_flag {
	LT_DB_READONLY = 1 << 0,  /* open for reading only; never creates or migrates */
};

/* The database path lt uses: given (the --db option) when not NULL, else
 * $LT_DB when set and not empty, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/lt/lt.db.  *path is new (caller
 * frees) on success, unchanged on failure.  Fails with LT_EUSAGE when
 * given is empty or when no variable gives a place (no $HOME). */
lt_rc lt_db_default_path(const char *given, char **path, struct lt_err *err);

/* Open the database at path; NULL means lt_db_default_path(NULL), and only
 * then are missing parent directories created (mode 0700: the database
 * holds URLs and headers of the systems under test).  A read-write open
 * creates the file when missing, switches it to WAL, and applies pending
 * migrations; LT_DB_READONLY opens an existing file for reading only.
 *
 * *db is new (lt_db_close) on success, unchanged on failure.  Failures:
 * LT_ENOTFOUND (read-only open of a missing file), LT_EDB (not a database,
 * corrupt, another program's database, written by a newer lt, locked,
 * read-only file for a read-write open), LT_EIO (cannot create the parent
 * directory), LT_ENOMEM.  The message names the file:
 * "/home/me/.local/share/lt/lt.db: file is not a database". */
lt_rc lt_db_open(const char *path, unsigned flags, struct lt_db **db,
		 struct lt_err *err);

/* Close db and free everything it holds; lt_db_close(NULL) is a no-op.
 * The last handle to close checkpoints the WAL into the database file. */
void lt_db_close(struct lt_db *db);

/* The path db was opened with.  Borrowed: valid until lt_db_close(db). */
const char *lt_db_path(const struct lt_db *db);

/* Change how long writes on db wait for another writer (default
 * LT_DB_BUSY_TIMEOUT_MS); for callers that must answer quickly. */
void lt_db_set_busy_timeout(struct lt_db *db, int timeout_ms);

/* Record one run: records[0] is its run_start, then its samples in any
 * order, then optionally its summary (lt-ndjson(5)); every record carries
 * the same run_id.  Records are borrowed.  Written in one transaction: the
 * run row (status 'complete', 'interrupted' when the summary says so, or
 * 'incomplete' without a summary), the scenario of run_start.config
 * (upserted; a newer run's config wins), the samples, the summary's
 * endpoints and, for a complete run with a scenario id, one
 * performance_metrics_history row per metric (responseTime.min … .max,
 * throughput.avg, throughput.peak, errorRate).
 *
 * Idempotent by run id: a run stored as complete or interrupted is left
 * alone and *was_present (when not NULL) is set to true.  A run stored as
 * incomplete is replaced by a complete stream, or by an incomplete one
 * with more samples (a re-sent stream heals a cut one); otherwise it too
 * is left alone.
 *
 * On failure the transaction is rolled back: the database is as it was.
 * LT_EINVAL for records that do not make a run (missing run_id, a second
 * run's record, a summary before the last record, two samples at one t),
 * LT_EUSAGE on a read-only handle, LT_EDB when the database fails. */
lt_rc lt_db_ingest_run(struct lt_db *db, cJSON *const *records, size_t n,
		       bool *was_present, struct lt_err *err);

/* Record a run as it happens, one transaction per call, so that a run
 * killed half-way keeps every second it measured (status 'incomplete',
 * with counts, min/mean/max and peaks brought up to date by each steady
 * sample; percentiles need the summary).  lt-run --db uses these.
 *
 * lt_db_run_begin: the run row and its scenario, from run_start
 * (borrowed).  A run stored as incomplete under the same id starts over;
 * one stored complete or interrupted is LT_EEXIST.
 * lt_db_run_sample: one sample of a begun run (borrowed).  LT_EINVAL for
 * a run not begun or already finished, or a second sample at one t.
 * lt_db_run_finish: the summary (borrowed) with run_start: status,
 * figures, endpoints and metric history, as lt_db_ingest_run would write
 * them.  Afterwards the run is complete (or interrupted) and a later
 * lt_db_ingest_run of the same stream is a no-op. */
lt_rc lt_db_run_begin(struct lt_db *db, const cJSON *run_start, struct lt_err *err);
lt_rc lt_db_run_sample(struct lt_db *db, const cJSON *sample, struct lt_err *err);

/* lt_db_run_samples: samples[0..n) (borrowed), each of a begun run (their
 * own run_ids), in one transaction: all of them or, on failure, none.
 * Each costs the same whatever the run's length. */
lt_rc lt_db_run_samples(struct lt_db *db, const cJSON *const *samples, size_t n,
			struct lt_err *err);

/* lt_db_run_open: lt_db_run_begin for a reader of streams (lt-store),
 * which must not disturb a run already stored.  In one transaction, so
 * that of two writers only one begins a run: *state is
 *   LT_DB_RUN_BEGUN    the run was not stored; it is now begun;
 *   LT_DB_RUN_PRESENT  it is stored complete or interrupted (left alone);
 *   LT_DB_RUN_PARTIAL  it is stored incomplete (left alone: whether the
 *                      new stream replaces it is lt_db_ingest_run's rule,
 *                      which needs the whole stream). */
enum lt_db_run_state { LT_DB_RUN_BEGUN, LT_DB_RUN_PRESENT, LT_DB_RUN_PARTIAL };
lt_rc lt_db_run_open(struct lt_db *db, const cJSON *run_start, enum lt_db_run_state *state,
		     struct lt_err *err);
lt_rc lt_db_run_finish(struct lt_db *db, const cJSON *run_start, const cJSON *summary,
		       struct lt_err *err);

/* Record one standalone record (borrowed): an alert (regression_alerts),
 * a bench (benchmark_results) or an execution (test_executions), in one
 * transaction.  Idempotent by alert_id, bench_id, and execution_id with
 * attempt: recording one again changes nothing, except that an execution
 * attempt stored without finished_at takes the figures of a record that
 * has one (a running attempt is then finished).  LT_EINVAL for another
 * type or a missing id. */
lt_rc lt_db_ingest_record(struct lt_db *db, const cJSON *rec,
			  struct lt_err *err);

/* A stored run, as lt_db_runs_list() and lt_db_run_get() give it.
 * Unknown figures (an incomplete run has no percentiles) are NAN for the
 * doubles; passed is 1, 0, or -1 when unknown.  Times are RFC 3339 UTC. */
struct lt_db_run {
	const char *run_id, *scenario_id, *scenario_name; /* scenario_* may be NULL */
	const char *run_group, *segment;                  /* NULL when not sharded */
	const char *started_at, *finished_at;             /* finished_at may be NULL */
	const char *status;       /* "complete", "interrupted" or "incomplete" */
	const char *host, *version, *recorded_at;         /* host, version may be NULL */
	double duration_s;
	int64_t requests, errors;
	double error_rate;        /* percent */
	double throughput_avg_rps, throughput_peak_rps;
	struct {
		double min, mean, p50, p90, p95, p99, max, stddev;
	} latency_ms;
	int64_t users_peak;
	int passed;
	/* Only lt_db_run_get() fills these (NULL in lists, to keep them
	 * cheap); NULL too when the run has none.  A caller may take one by
	 * setting the field to NULL before lt_db_run_free(). */
	cJSON *run_start;         /* the run_start record as received */
	cJSON *config;            /* run_start.config: the scenario as run */
	cJSON *tags;              /* run_start.tags */
	cJSON *summary;           /* the summary record as received */
};

/* Called once per run or sample; the struct is borrowed for the call
 * only.  Returning anything but LT_OK stops the iteration, which then
 * returns that code (the callback fills the caller's error detail through
 * ctx if it wants one).  The callback may query db, but not write. */
typedef lt_rc (*lt_db_run_fn)(const struct lt_db_run *run, void *ctx);

/* Call fn for the runs of scenario_id (NULL: every scenario), newest
 * first by started_at, at most limit of them (0: all). */
lt_rc lt_db_runs_list(struct lt_db *db, const char *scenario_id, size_t limit,
		      lt_db_run_fn fn, void *ctx, struct lt_err *err);

/* The run whose id is id, or starts with id (like a short git hash; a full
 * id always wins over longer ids it is a prefix of).  *run is new
 * (lt_db_run_free) on success, unchanged on failure.  LT_ENOTFOUND when no
 * run matches, LT_EINVAL when the prefix is ambiguous (the message lists
 * some of the candidates) or empty. */
lt_rc lt_db_run_get(struct lt_db *db, const char *id, struct lt_db_run **run,
		    struct lt_err *err);

/* Free a run from lt_db_run_get(); NULL is a no-op. */
void lt_db_run_free(struct lt_db_run *run);

/* One stored sample.  Absent counts read as 0, absent figures as NAN. */
struct lt_db_sample {
	const char *run_id;
	double t;                 /* seconds since the start of the run */
	const char *phase;        /* "warmup", "steady", "cooldown"; may be NULL */
	int64_t users, requests, errors, dropped;
	double rps;
	struct {
		double min, mean, p50, p90, p95, p99, max;
	} latency_ms;
	int64_t bytes_in, bytes_out, rss_kb;
	double cpu_pct;
	const char *hist_json;    /* the second's sparse histogram; may be NULL */
};

typedef lt_rc (*lt_db_sample_fn)(const struct lt_db_sample *s, void *ctx);

/* Call fn for each sample of the run run_id (a full id), in t order; see
 * lt_db_run_fn for the callback's contract.  LT_ENOTFOUND when no such
 * run; a run without samples calls fn never and succeeds. */
lt_rc lt_db_samples_each(struct lt_db *db, const char *run_id,
			 lt_db_sample_fn fn, void *ctx, struct lt_err *err);

/* The history of one metric of one scenario: a value per complete run. */
struct lt_db_point {
	char *run_id;             /* owned by the series */
	char *at;                 /* the run's started_at, RFC 3339; owned by the series */
	double t;                 /* the same, as seconds since the epoch */
	double value;
};

struct lt_db_series {
	size_t n;
	struct lt_db_point *points;  /* oldest first */
};

/* The values of metric ("responseTime.p95", "throughput.avg",
 * "errorRate", ...) over the complete runs of scenario_id: the latest
 * limit runs (0: all), oldest first.  *series is new (lt_db_series_free)
 * on success, unchanged on failure; a metric never recorded gives an empty
 * series, not an error. */
lt_rc lt_db_metric_history(struct lt_db *db, const char *scenario_id,
			   const char *metric, size_t limit,
			   struct lt_db_series **series, struct lt_err *err);

/* Free a series; NULL is a no-op. */
void lt_db_series_free(struct lt_db_series *series);

/* ---- baselines, regression settings, checks and alerts ----
 *
 * Rows come back as cJSON objects named after the columns (lt-db(5)), so
 * that callers print or serve them without a struct per table; JSON
 * columns (metrics, config, verdict) arrive parsed.  Every function
 * returning rows makes them new (cJSON_Delete). */

/* Make run_id the baseline `version` (may be NULL: "") of scenario_id in
 * environment (NULL: "default"), with the figures in metrics (an object,
 * metric name -> value; borrowed) and the run's histogram; a baseline of
 * the same scenario, environment and version is replaced.  *baseline_id
 * (may be NULL) gets its id. */
lt_rc lt_db_baseline_set(struct lt_db *db, const char *scenario_id, const char *environment,
			 const char *version, const char *run_id, const cJSON *metrics,
			 const char *note, int64_t *baseline_id, struct lt_err *err);

/* The newest baseline of scenario_id in environment, or the one of that
 * version (version not NULL): {baseline_id, scenario_id, environment,
 * version, run_id, metrics, note, created_at}.  LT_ENOTFOUND with a
 * message saying how to set one. */
lt_rc lt_db_baseline_get(struct lt_db *db, const char *scenario_id, const char *environment,
			 const char *version, cJSON **baseline, struct lt_err *err);

/* Every baseline (of scenario_id, when not NULL), as an array. */
lt_rc lt_db_baselines_list(struct lt_db *db, const char *scenario_id, cJSON **baselines,
			   struct lt_err *err);

/* Delete the baselines of scenario_id in environment (of that version
 * only, when not NULL).  LT_ENOTFOUND when there was none. */
lt_rc lt_db_baseline_delete(struct lt_db *db, const char *scenario_id, const char *environment,
			    const char *version, struct lt_err *err);

/* The regression thresholds document (lt-regress(1)) of scenario_id, or
 * the default one (scenario_id NULL or "*").  _get falls back to the
 * default and sets *found_for (new, may be NULL) to the scenario whose
 * document it found; LT_ENOTFOUND when none is stored. */
lt_rc lt_db_regress_config_set(struct lt_db *db, const char *scenario_id, const cJSON *config,
			       struct lt_err *err);
lt_rc lt_db_regress_config_get(struct lt_db *db, const char *scenario_id, cJSON **config,
			       char **found_for, struct lt_err *err);

/* Record the environment a run was measured in (NULL: "default"). */
lt_rc lt_db_run_set_environment(struct lt_db *db, const char *run_id, const char *environment,
				struct lt_err *err);

/* The values of metric over the newest limit (0: all) complete runs of
 * scenario_id in environment, oldest first, leaving out every run a check
 * found critical.  exclude_run_id is the run being judged: it and every
 * run that started at or after it are left out too (when it is stored).
 * *series new (lt_db_series_free). */
lt_rc lt_db_metric_runs(struct lt_db *db, const char *scenario_id, const char *environment,
			const char *metric, const char *exclude_run_id, size_t limit,
			struct lt_db_series **series, struct lt_err *err);

/* Record a verdict (its check_id, scenario_id, run_id, environment,
 * baseline_id, status, model fields are read; the whole object is kept)
 * and its alert records, in one transaction; idempotent by check_id and
 * alert_id.  Borrowed. */
lt_rc lt_db_check_record(struct lt_db *db, const cJSON *verdict, cJSON *const *alerts, size_t n,
			 struct lt_err *err);

/* The newest limit (0: all) checks of scenario_id (NULL: all), oldest
 * first: {check_id, ..., status, model, verdict, created_at}. */
lt_rc lt_db_checks_list(struct lt_db *db, const char *scenario_id, size_t limit,
			cJSON **checks, struct lt_err *err);

/* Alerts, newest first, of scenario_id (NULL: all), only those not
 * acknowledged when unacked_only, at most limit (0: all). */
lt_rc lt_db_alerts_list(struct lt_db *db, const char *scenario_id, bool unacked_only,
			size_t limit, cJSON **alerts, struct lt_err *err);

/* Acknowledge the alert alert_id (or a unique prefix of one) by `by`
 * with note (both may be NULL); acknowledging again updates them.
 * *full_id (may be NULL) gets the full id, new. */
lt_rc lt_db_alert_ack(struct lt_db *db, const char *alert_id, const char *by, const char *note,
		      char **full_id, struct lt_err *err);

/* ---- schedules and their executions (lt-sched) ----
 *
 * Rows travel as cJSON objects named after the columns of scheduled_tests,
 * test_executions and schedule_locks (lt-db(5)); the options column is
 * JSON and arrives parsed.  Times are RFC 3339 UTC text with milliseconds
 * ("2026-11-27T02:00:00.000Z", lti_time_format), so that text order is
 * time order; callers pass their own `now`, since lt-sched's clock can be
 * a fake one in tests.  The lock that makes "one execution per schedule
 * and fire time" hold across processes and hosts is the primary key of
 * schedule_locks, taken inside BEGIN IMMEDIATE together with the check of
 * running executions: see lt_db_schedule_claim. */

/* Add the schedules of rows (an array of objects with at least name and
 * schedule; borrowed), in one transaction.  Without replace, a name
 * already stored is LT_EEXIST and nothing is added; with it, the stored
 * schedule is replaced but keeps its created_at and last_fired_at.
 * LT_EINVAL for a row without a name or schedule. */
lt_rc lt_db_schedules_add(struct lt_db *db, const cJSON *rows, bool replace, const char *now,
			  struct lt_err *err);

/* The schedule name: *row new.  LT_ENOTFOUND "no schedule NAME". */
lt_rc lt_db_schedule_get(struct lt_db *db, const char *name, cJSON **row, struct lt_err *err);

/* Every schedule, by name: *rows a new array. */
lt_rc lt_db_schedules_list(struct lt_db *db, cJSON **rows, struct lt_err *err);

/* Delete the schedule name and its locks; its executions stay (they are
 * the audit trail).  LT_ENOTFOUND when there is none. */
lt_rc lt_db_schedule_delete(struct lt_db *db, const char *name, struct lt_err *err);

/* Enable or disable the schedule name.  Enabling a disabled schedule sets
 * its last_fired_at to now: fire times that passed while it was disabled
 * are not caught up.  LT_ENOTFOUND when there is none. */
lt_rc lt_db_schedule_set_enabled(struct lt_db *db, const char *name, bool enabled,
				 const char *now, struct lt_err *err);

enum lt_db_claim_result {
	LT_DB_CLAIMED = 1,  /* the lock is ours: attempt 1 is recorded as running */
	LT_DB_CLAIM_TAKEN,  /* another process holds (or held) this fire time */
	LT_DB_CLAIM_BUSY,   /* forbid: an execution of the schedule is running, so
			     * the fire time is recorded as skipped */
	LT_DB_CLAIM_GONE,   /* the schedule was removed or disabled meanwhile */
	LT_DB_CLAIM_SKIPPED,/* execution_id NULL: the fire time is recorded as skipped */
};

struct lt_db_claim {
	const char *schedule, *fire_time;  /* the lock's key */
	const char *execution_id;  /* NULL: record the fire time as skipped */
	const char *scenario_id;   /* of the test_executions row */
	const char *holder;        /* "host:pid" */
	const char *now;           /* acquired_at, and attempt 1's started_at */
	bool forbid;               /* skip when an execution of the schedule runs */
};

/* Take the lock of (c->schedule, c->fire_time) in one BEGIN IMMEDIATE
 * transaction: when no row holds it, insert it, raise the schedule's
 * last_fired_at to the fire time and, unless the fire time is skipped,
 * record attempt 1 of c->execution_id as running.  Two processes that
 * claim the same fire time at once serialize on the write lock and the
 * second finds the row: exactly one gets LT_DB_CLAIMED.  *result says
 * what happened; LT_EDB when the database stays locked. */
lt_rc lt_db_schedule_claim(struct lt_db *db, const struct lt_db_claim *c,
			   enum lt_db_claim_result *result, struct lt_err *err);

/* Hand the fire time back: delete its lock and, when the schedule's
 * last_fired_at is that fire time, set it to before, so that the next
 * pass finds the fire time due again (within its starting deadline). */
lt_rc lt_db_schedule_release(struct lt_db *db, const char *schedule, const char *fire_time,
			     const char *before, struct lt_err *err);

/* Record attempt of execution_id as running from started_at; for an
 * attempt recorded as running already (attempt 1, by the claim), only
 * started_at changes: the attempt started later than it was claimed. */
lt_rc lt_db_execution_start(struct lt_db *db, const char *execution_id, unsigned attempt,
			    const char *schedule, const char *scenario_id,
			    const char *started_at, struct lt_err *err);

/* The running attempts (finished_at NULL) of schedule (NULL: all), with
 * their lock: {execution_id, attempt, schedule, scenario_id, started_at,
 * fire_time, holder}; fire_time and holder null when no lock names the
 * execution.  *rows a new array, oldest first. */
lt_rc lt_db_executions_running(struct lt_db *db, const char *schedule, cJSON **rows,
			       struct lt_err *err);

/* *newer: whether an execution of schedule was claimed for a fire time
 * later than fire_time (lt-sched's replace policy asks it). */
lt_rc lt_db_schedule_newer_claim(struct lt_db *db, const char *schedule, const char *fire_time,
				 bool *newer, struct lt_err *err);

/* Attempts, newest first (by started_at, then attempt), of schedule
 * (NULL: all), at most limit (0: all): the test_executions columns and
 * the fire_time of the lock.  *rows a new array. */
lt_rc lt_db_executions_list(struct lt_db *db, const char *schedule, size_t limit,
			    cJSON **rows, struct lt_err *err);

/* The status of the last finished execution of schedule other than
 * exclude_execution_id (its last attempt, "retrying" attempts left out):
 * *status new, NULL when there is none. */
lt_rc lt_db_execution_previous_status(struct lt_db *db, const char *schedule,
				      const char *exclude_execution_id, char **status,
				      struct lt_err *err);

/* Keep the newest keep executions of schedule (every attempt of each),
 * delete the older finished ones and the locks of fire times before the
 * schedule's last_fired_at whose execution is gone.  *deleted (may be
 * NULL) the attempts deleted.  Running attempts are never deleted. */
lt_rc lt_db_executions_prune(struct lt_db *db, const char *schedule, size_t keep,
			     size_t *deleted, struct lt_err *err);

/* The stored scenario scenario_id: {scenario_id, name, description,
 * config (parsed), created_at, updated_at}; *row new.  LT_ENOTFOUND when
 * no run recorded it. */
lt_rc lt_db_scenario_get(struct lt_db *db, const char *scenario_id, cJSON **row,
			 struct lt_err *err);

/* ---- anomaly models (lt-regress train, lt-regress anomaly) ----
 *
 * An autoencoder trained by lt-regress train (analytics.h), kept as the
 * JSON text of lt_anomaly_to_text so that reading it back gives the same
 * weights bit for bit.  A model trained on several scenarios is stored
 * once per scenario: each scenario's newest model is the one its runs
 * are scored against. */

/* Store the model model_text (borrowed) for each of scenario_ids[0..n)
 * in one transaction: the feature names it reads (features, a JSON array
 * of strings; borrowed), its anomaly threshold, the runs it learnt from,
 * and the lt version.  model_ids (may be NULL) receives the n row ids.
 * LT_EINVAL for n = 0 or a NULL text; on failure nothing is stored. */
lt_rc lt_db_anomaly_model_add(struct lt_db *db, const char *const *scenario_ids, size_t n,
			      const cJSON *features, const char *model_text, double threshold,
			      int64_t runs_used, int64_t *model_ids, struct lt_err *err);

/* The newest model of scenario_id: {model_id, scenario_id, metrics (the
 * feature names, parsed), model (the JSON text, as stored: give it to
 * lt_anomaly_from_text), threshold, runs_used, version, trained_at}.
 * *row new.  LT_ENOTFOUND, saying how to train one, when there is none. */
lt_rc lt_db_anomaly_model_latest(struct lt_db *db, const char *scenario_id, cJSON **row,
				 struct lt_err *err);

/* ---- lt-serve: scenarios stored without a run, benchmark history ----
 *
 * POST /api/load-testing/scenarios stores a scenario before anything ran
 * it; the rows are those lt_db_run_begin() upserts from run_start.config,
 * so a scenario stored either way is the same row. */

/* Store the scenario scenario_id: its name and description (may be NULL)
 * and config, the whole scenario object as lt_scenario_to_json() gives it
 * (borrowed), in one transaction.  A stored scenario of that id is
 * replaced but keeps its created_at.  *created (may be NULL) is true when
 * the id was new.  LT_EINVAL for an empty id or a config that is not an
 * object. */
lt_rc lt_db_scenario_put(struct lt_db *db, const char *scenario_id, const char *name,
			 const char *description, const cJSON *config, bool *created,
			 struct lt_err *err);

/* Every stored scenario, by id: {scenario_id, name, description, config
 * (parsed; null when only a run named it), created_at, updated_at, runs
 * (how many are recorded), last_run_at (null when none)}.  *rows a new
 * array.  One query: fine for the hundreds of scenarios a team keeps. */
lt_rc lt_db_scenarios_list(struct lt_db *db, cJSON **rows, struct lt_err *err);

/* The newest limit (0: all) benchmark results, newest first: {bench_id,
 * suite, name, unit, runs, mean, stddev, median, min, max, host, version,
 * recorded_at}.  *rows a new array. */
lt_rc lt_db_bench_list(struct lt_db *db, size_t limit, cJSON **rows, struct lt_err *err);

/* The number of open (unacknowledged) alerts, of every scenario. */
lt_rc lt_db_alerts_open_count(struct lt_db *db, int64_t *count, struct lt_err *err);

/* Whether db answers a query (lt-serve's /health): LT_OK, or LT_EDB with
 * the reason. */
lt_rc lt_db_ping(struct lt_db *db, struct lt_err *err);

/* ---- benchmark checks (lt-baseline set, lt-regress check of bench records) ---- */

/* The stored benchmark result bench_id: {bench_id, suite, name, unit, runs,
 * mean, stddev, median, min, max, host, version, recorded_at, record (the
 * whole bench record, parsed)}.  *row new.  LT_ENOTFOUND when there is no
 * such result. */
lt_rc lt_db_bench_get(struct lt_db *db, const char *bench_id, cJSON **row, struct lt_err *err);

/* The newest limit (0: all) results of the benchmark suite/name measured
 * on host (NULL: any), oldest first, as lt_db_bench_get gives them,
 * leaving out every result a check found critical (a regression must not
 * become the norm).  before_bench_id (may be NULL) is the result being
 * judged: it and every result recorded after it are left out too (when
 * it is stored).  *rows a new array. */
lt_rc lt_db_bench_history(struct lt_db *db, const char *suite, const char *name,
			  const char *host, const char *before_bench_id, size_t limit,
			  cJSON **rows, struct lt_err *err);

/* ---- lt-regress watch ---- */

/* The complete runs that no regression check names yet, oldest first (by
 * started_at), at most limit (0: all): {run_id, scenario_id, started_at,
 * environment}.  Left out: runs of no scenario, runs that are a baseline
 * (a run compared with itself says nothing), and runs of a scenario with
 * no baseline (in environment, when not NULL) -- they have nothing to be
 * checked against and are listed once a baseline exists.  *rows a new
 * array.  O(runs log checks): fine for a pass a minute over years of runs. */
lt_rc lt_db_runs_unchecked(struct lt_db *db, const char *environment, size_t limit,
			   cJSON **rows, struct lt_err *err);

#endif
