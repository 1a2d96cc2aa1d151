/* schedule.h -- scheduled load tests: schedules, due fire times, the lock,
 * executions with retries, and batch regression checks.
 *
 * lt-sched runs scenarios on cron schedules (the cron module does the
 * calendar) and keeps an audit trail of every attempt in the database
 * (scheduled_tests, test_executions, schedule_locks of lt-db(5)).  This
 * module is all of lt-sched but the option parsing:
 *
 *   - a schedule is the seed's object (name, scenarioId, schedule, enabled,
 *     options {compareBaseline, notifyOnRegression}) plus what Kubernetes
 *     CronJobs taught people to expect: retries {max, backoff}, timeout,
 *     concurrencyPolicy (forbid | allow | replace), startingDeadlineSeconds,
 *     historyLimit; and timezone, environment, notify;
 *   - lt_schedule_due() says which fire time a schedule owes at a given time;
 *   - a runner claims due fire times through the database lock (one
 *     execution per schedule and fire time, however many lt-sched processes
 *     on however many hosts) and runs each execution in a thread of its own:
 *     the pipeline `lt-run | lt-regress check` (or `| lt-store`) as child
 *     processes, retried with exponential backoff, recorded attempt by
 *     attempt, announced through the notify module;
 *   - lt_schedule_batch() runs the regression check of several scenarios.
 *
 * Time is a parameter: every function that needs "now" takes it or reads
 * it from a struct lt_schedule_clock, so tests drive schedules, retries and
 * catch-up with a fake clock instead of waiting for minutes to pass.
 *
 * Non-goals: no scheduler of its own for other commands (only lt-run
 * pipelines), no distributed queue (the database is the only shared
 * state), no seconds field (cron's minute is the resolution).
 *
 * The module never prints: what happens is reported to the caller's event
 * callback.  It starts threads and child processes and waits for all of
 * them before the call that started them returns (or before
 * lt_schedule_runner_free).  It reaps only its own children by pid.
 *
 * The module is "schedule", not "sched": lib/ is on the include path of
 * libltcore and of its users (libltcore.pc gives -I$includedir/lt), and a
 * sched.h there would hide the C library's <sched.h>, which <pthread.h>
 * includes.
 */
#ifndef LT_SCHEDULE_H
#define LT_SCHEDULE_H

#include "db.h"
#include "lt.h"
#include "notify.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* ---- schedules ---- */

typedef enum {
	LT_SCHEDULE_FORBID = 0,   /* skip a fire time while an execution runs (default) */
	LT_SCHEDULE_ALLOW,        /* executions may overlap */
	LT_SCHEDULE_REPLACE,      /* stop the running execution, then run */
} lt_schedule_policy;

/* Bounds of the fields below, checked by lt_schedule_from_json. */
#define LT_SCHEDULE_NAME_MAX        128        /* bytes; [A-Za-z0-9._-], not starting with - or . */
#define LT_SCHEDULE_RETRIES_MAX     100
#define LT_SCHEDULE_BACKOFF_MAX_S   86400.0    /* one retry pause, before doubling */
#define LT_SCHEDULE_PAUSE_MAX_S     86400.0    /* a doubled pause is cut to this */
#define LT_SCHEDULE_HISTORY_MAX     1000000
#define LT_SCHEDULE_HISTORY_DEFAULT 100
#define LT_SCHEDULE_STDERR_MAX      4096       /* bytes of stderr kept per attempt */

/* A schedule.  Every pointer is owned by the struct (lt_schedule_free). */
struct lt_schedule {
	char *name;
	char *scenario_id;       /* the scenario it runs (a stored id, or the id
				  * inside scenario_path) */
	char *scenario_path;     /* absolute path of a scenario file; NULL: the
				  * scenario stored under scenario_id */
	char *expr;              /* cron expression (cron.h) */
	char *timezone;          /* IANA zone; NULL: the local zone */
	bool enabled;
	bool compare_baseline;   /* options.compareBaseline: lt-regress check,
				  * else lt-store */
	bool notify_on_regression; /* options.notifyOnRegression: lt-regress
				  * check --notify each target */
	char *environment;       /* lt-regress check --env; NULL: its default */
	unsigned retries;        /* retries.max: attempts after the first */
	double backoff_s;        /* retries.backoff: pause before the first
				  * retry, doubled each time (default 30) */
	double timeout_s;        /* per attempt; 0: none */
	lt_schedule_policy policy;
	double starting_deadline_s; /* < 0: none */
	unsigned history_limit;  /* executions kept (default 100) */
	char **notify;           /* notify target specs (notify.h) */
	size_t n_notify;
	cJSON *run_options;      /* lt-run overrides from options: duration,
				  * users, rate, thresholds, tags; an object */
	/* State from the database; from_json sets them to "none". */
	double last_fired_at;    /* seconds since the epoch; < 0: never */
	double created_at;       /* < 0: unknown */
};

/* Parse a schedule object (the format of lt-sched(1), in file source for
 * messages, NULL: "schedule"): checks every field, the cron expression
 * (the message points at the field: `nightly.json: schedule: cron: "0 25
 * * * *": hour: 25 is out of range 0-23`) and the zone, and leaves the
 * scenario unresolved (scenario_id as given, or scenario_path as given
 * when it names a file).  Unknown members are an error (a typo must not
 * pass as a default); the read-only members lt_schedule_to_json adds
 * (lastFiredAt, nextFireAt, createdAt, updatedAt) are ignored, so that
 * list --json output can be added again.  *out new (lt_schedule_free) on
 * success, unchanged on failure: LT_EINVAL, LT_ENOMEM. */
lt_rc lt_schedule_from_json(const cJSON *obj, const char *source, struct lt_schedule **out,
			 struct lt_err *err);

/* s in the format lt_schedule_from_json reads, with lastFiredAt, createdAt
 * and, when next_fire >= 0, nextFireAt added.  New; NULL when out of
 * memory. */
cJSON *lt_schedule_to_json(const struct lt_schedule *s, double next_fire);

void lt_schedule_free(struct lt_schedule *s);

/* Resolve the scenario of a freshly parsed s: a file (scenarioFile, or a
 * scenarioId ending in .json or holding a '/') is loaded and checked, its
 * path made absolute and scenario_id set to the id of its scenario (the
 * one named by scenarioId in a file of several); any other scenarioId must
 * be a scenario stored in db (recorded by an earlier run).  Errors:
 * LT_ENOTFOUND `unknown scenario "x": not in the database (record a run
 * of it, or give a scenario file)` or a missing file; LT_EINVAL for a bad
 * scenario file.  On failure s is unchanged. */
lt_rc lt_schedule_resolve(struct lt_db *db, struct lt_schedule *s, struct lt_err *err);

/* Store schedules s[0..n) (resolved) in one transaction; LT_EEXIST for a
 * name stored already unless replace.  now: created_at/updated_at. */
lt_rc lt_schedule_add(struct lt_db *db, struct lt_schedule *const *s, size_t n, bool replace,
		   double now, struct lt_err *err);

/* The stored schedule name: *out new.  LT_ENOTFOUND. */
lt_rc lt_schedule_get(struct lt_db *db, const char *name, struct lt_schedule **out,
		   struct lt_err *err);

/* Every stored schedule by name: *out a new array of *n new schedules
 * (lt_schedule_list_free).  A stored row that no longer parses (edited by
 * hand) is LT_EDB naming it. */
lt_rc lt_schedule_list(struct lt_db *db, struct lt_schedule ***out, size_t *n, struct lt_err *err);

void lt_schedule_list_free(struct lt_schedule **list, size_t n);

/* ---- when a schedule is due ---- */

/* How far back lt_schedule_due counts missed fire times (the count is for
 * messages; beyond it, "more than" is said). */
#define LT_SCHEDULE_MISSED_COUNT_MAX 1000

struct lt_schedule_due {
	bool due;             /* fire_time should run now */
	bool too_late;        /* fire_time was missed by more than the starting
			       * deadline: record it as skipped */
	time_t fire_time;     /* the latest fire time <= now not yet fired;
			       * valid when due or too_late */
	unsigned missed;      /* older fire times not yet fired, which are not
			       * run (only the latest is caught up) */
	bool missed_more;     /* more than LT_SCHEDULE_MISSED_COUNT_MAX */
	time_t next_fire;     /* the first fire time after now; -1: none */
};

/* What s owes at time now: the fire times after its reference (its
 * last_fired_at, else its created_at, else now) up to now.  Like a
 * Kubernetes CronJob, only the latest of them is run (when within the
 * starting deadline); older ones count as missed.  A disabled schedule is
 * never due.  LT_EINVAL for a bad zone or expression (a row edited by
 * hand), LT_ENOMEM. */
lt_rc lt_schedule_due(const struct lt_schedule *s, double now, struct lt_schedule_due *out,
		   struct lt_err *err);

/* ---- clocks ---- */

/* Where the runner gets the time and how it waits.  now() in seconds
 * since the epoch; sleep() waits up to seconds (the runner asks for at
 * most LT_SCHEDULE_TICK_S at a time, checking its stop flag in between).  A
 * fake clock's sleep just advances its now. */
struct lt_schedule_clock {
	double (*now)(void *ctx);
	void (*sleep)(void *ctx, double seconds);
	void *ctx;
};

#define LT_SCHEDULE_TICK_S 0.1

/* ---- running an attempt ---- */

/* How one attempt ended. */
typedef enum {
	LT_SCHEDULE_ENDED = 0,   /* the pipeline exited by itself */
	LT_SCHEDULE_TIMED_OUT,   /* killed at the schedule's timeout */
	LT_SCHEDULE_STOPPED,     /* killed because lt-sched is stopping */
	LT_SCHEDULE_REPLACED,    /* killed for a newer execution (replace policy) */
	LT_SCHEDULE_NOT_STARTED, /* no pipeline: the scenario is gone, or a fork
			       * failed; stderr_tail says why */
} lt_schedule_end;

/* One attempt to run: what the pipeline needs.  Borrowed for the call. */
struct lt_schedule_job {
	const struct lt_schedule *sched;  /* scenario, options, notify, timeout */
	const char *execution_id;      /* NULL for batch runs */
	const char *run_id;            /* given to lt-run --run-id */
	unsigned attempt;
	const char *db_path;           /* the sinks' --db */
	const char *bindir;            /* where lt-run, lt-regress, lt-store are
					* looked for first; NULL or missing: $PATH */
	/* Called about every LT_SCHEDULE_TICK_S while the pipeline runs; false
	 * stops it (SIGTERM to its process group, SIGKILL 5 s later) and
	 * *why says how to report it (LT_SCHEDULE_STOPPED or _REPLACED). */
	bool (*keep_going)(void *ctx, lt_schedule_end *why);
	void *keep_going_ctx;
};

struct lt_schedule_result {
	lt_schedule_end end;
	int run_exit;        /* lt-run's exit status, 128+N for signal N; -1: none */
	int sink_exit;       /* lt-regress check's or lt-store's; -1: none */
	double duration_s;
	char stderr_tail[LT_SCHEDULE_STDERR_MAX + 1];  /* the end of both programs'
					 * stderr, whole lines, valid UTF-8 */
	char sink_last_line[LT_SCHEDULE_STDERR_MAX + 1]; /* the last line the sink
					 * wrote on stdout (lt-regress check's
					 * verdict record) */
};

/* Runs one attempt.  The real one is lt_schedule_exec_pipeline; tests pass a
 * fake that returns scripted results.  Fills *res (every field) and
 * returns LT_OK even when the pipeline failed: a failure to start is
 * res->end LT_SCHEDULE_NOT_STARTED. */
typedef lt_rc (*lt_schedule_exec_fn)(const struct lt_schedule_job *job, struct lt_schedule_result *res,
				  void *ctx);

/* The real attempt: `lt-run -q --run-id RUN [--tag schedule=NAME] [-s ID]
 * [overrides] SCENARIO | lt-regress check --db DB --json [--env ENV]
 * [--notify T]...` (or `| lt-store --db DB -q`), started with posix_spawn
 * in a process group of their own, stdin from /dev/null, both stderrs
 * into one pipe of which the last LT_SCHEDULE_STDERR_MAX bytes are kept.  A
 * scenario stored in the database is written to a temporary file for
 * lt-run and removed after.  The timeout is measured on the monotonic
 * clock.  ctx is unused. */
lt_rc lt_schedule_exec_pipeline(const struct lt_schedule_job *job, struct lt_schedule_result *res,
			     void *ctx);

/* The outcome of an attempt as recorded:
 *   status     "success"     lt-run 0 and the sink 0
 *              "regression"  lt-regress check exited 1 (with compareBaseline)
 *              "failed"      anything else: lt-run 1 (thresholds crossed),
 *                            2, 3 or a signal, the sink's 2 or 3, the
 *                            timeout, a replaced execution
 *   exit_code  lt-run's when it is neither 0 nor 1, else the sink's when
 *              not 0, else lt-run's; 124 for the timeout (as timeout(1)),
 *              143 when stopped or replaced, 2 when it could not start
 *   retryable  whether a retry may help: failures to run are retried;
 *              verdicts (thresholds crossed, a regression) and replaced
 *              executions are not.  Stopped ones are handed back. */
struct lt_schedule_outcome {
	const char *status;      /* constant */
	int exit_code;
	bool retryable;
};
void lt_schedule_classify(const struct lt_schedule *s, const struct lt_schedule_result *res,
		       struct lt_schedule_outcome *out);

/* ---- the runner: run-due and the daemon ---- */

enum lt_schedule_event_kind {
	LT_SCHEDULE_EV_RECORD = 1,  /* an attempt ended: record is its `execution`
				  * record (lt-ndjson(5)), with the extra fields
				  * fire_time, duration_s, run_exit, sink_exit
				  * and stderr (failed attempts) */
	LT_SCHEDULE_EV_INFO,        /* message: something worth a log line */
	LT_SCHEDULE_EV_WARNING,     /* message: a skipped fire time, a failed
				  * notification, a database error of a
				  * thread */
};

struct lt_schedule_event {
	enum lt_schedule_event_kind kind;
	const char *schedule;    /* may be NULL */
	const cJSON *record;     /* RECORD; borrowed for the call */
	const char *message;     /* INFO, WARNING: "nightly: ..." ; borrowed */
	const char *status;      /* RECORD: the record's status */
};

/* Called from the runner's threads, one call at a time (the runner holds
 * a mutex around it).  Must not call back into the runner. */
typedef void (*lt_schedule_event_fn)(const struct lt_schedule_event *ev, void *ctx);

struct lt_schedule_env {
	const char *db_path;          /* required: each execution thread opens its
				       * own handle */
	const char *bindir;           /* see struct lt_schedule_job */
	const char *holder;           /* "host:pid" written in locks; NULL: this
				       * process's */
	const struct lt_schedule_clock *clock;  /* NULL: the real clock */
	double now_offset_s;          /* added to the real clock (lt-sched --now) */
	lt_schedule_exec_fn exec;        /* NULL: lt_schedule_exec_pipeline */
	void *exec_ctx;
	lt_schedule_event_fn on_event;   /* may be NULL */
	void *event_ctx;
	FILE *console;                /* for console notify targets; NULL: none */
	const struct lt_notify_options *notify_options; /* NULL: defaults */
	int busy_timeout_ms;          /* 0: LT_DB_BUSY_TIMEOUT_MS */
	/* Set (by a signal handler) to stop: no new fire time is claimed, no
	 * retry starts, and running attempts get grace_s to end by themselves
	 * before they are stopped and their fire times handed back. */
	const volatile sig_atomic_t *stop;
	double grace_s;
	/* Set to stop at once (a second signal): grace ends now. */
	const volatile sig_atomic_t *stop_now;
	/* How long an execution under the replace policy waits for the one
	 * it replaces to end before it starts anyway (0: 60 s). */
	double replace_wait_s;
};

struct lt_schedule_runner;

/* A runner for env (borrowed: it must outlive the runner).  *out new
 * (lt_schedule_runner_free). */
lt_rc lt_schedule_runner_new(const struct lt_schedule_env *env, struct lt_schedule_runner **out,
			  struct lt_err *err);

/* One pass over the enabled schedules of db at the clock's now: executions
 * left running by a process that is gone are closed (on this host: the
 * holder's pid is dead; elsewhere: past their timeout plus a minute);
 * each schedule's due fire time is claimed (lt_db_schedule_claim) and, when
 * the claim is won, run in a new thread.  Skipped and missed fire times
 * are reported as events.  *started (may be NULL) the executions started;
 * *next_fire (may be NULL) the earliest next fire time of any schedule
 * (-1: none).  Returns without waiting for the executions.  Errors: the
 * database's (LT_EDB "... database is locked"); a schedule that cannot be
 * computed (a bad zone) is reported and skipped, not an error. */
lt_rc lt_schedule_runner_tick(struct lt_schedule_runner *r, struct lt_db *db, size_t *started,
			   double *next_fire, struct lt_err *err);

/* Executions running now. */
size_t lt_schedule_runner_active(struct lt_schedule_runner *r);

/* Wait for every execution to end (their retries included), honouring the
 * stop flags.  Then the counts of executions that ended in each way since
 * the runner began (any argument may be NULL). */
void lt_schedule_runner_wait(struct lt_schedule_runner *r, size_t *succeeded, size_t *failed,
			  size_t *regressions);

/* Wait for the executions (lt_schedule_runner_wait) and free r; NULL is a
 * no-op. */
void lt_schedule_runner_free(struct lt_schedule_runner *r);

/* Sleep on env's clock until `until` (seconds since the epoch) or until a
 * stop flag is set, LT_SCHEDULE_TICK_S at a time. */
void lt_schedule_runner_sleep(struct lt_schedule_runner *r, double until);

/* The clock's now. */
double lt_schedule_runner_now(const struct lt_schedule_runner *r);

/* ---- batch regression checks ---- */

struct lt_schedule_batch_item {
	const char *scenario;    /* as given: a stored id or a file */
	const char *scenario_id; /* resolved; NULL when it could not be */
	const char *status;      /* "pass", "regression", "failed" */
	int exit_code;           /* as lt_schedule_classify */
	const char *run_id;      /* NULL: no run was recorded */
	double duration_s;
	const char *detail;      /* one line: the verdict's regressed metrics,
				  * or the last line of stderr */
};

typedef void (*lt_schedule_batch_fn)(const struct lt_schedule_batch_item *item, void *ctx);

struct lt_schedule_batch_opts {
	const char *db_path;       /* required */
	const char *bindir;
	const char *environment;   /* NULL: default */
	unsigned parallel;         /* 0 or 1: one after another */
	const cJSON *run_options;  /* lt-run overrides, as a schedule's options */
	double timeout_s;          /* per scenario; 0: none */
	lt_schedule_exec_fn exec;     /* NULL: lt_schedule_exec_pipeline */
	void *exec_ctx;
	const volatile sig_atomic_t *stop;
};

/* The scenarios with a baseline in environment (NULL: "default"), by id:
 * what `lt-sched batch --all` checks.  *ids new array of new strings,
 * free each and the array. */
lt_rc lt_schedule_batch_all(struct lt_db *db, const char *environment, char ***ids, size_t *n,
			 struct lt_err *err);

/* Run the regression check of each of scenarios[0..n) (stored ids or
 * scenario files; all resolved first, so that an unknown one is an error
 * before anything runs: LT_ENOTFOUND / LT_EINVAL) with at most
 * o->parallel at once, calling fn for each in the order given as soon as
 * it and those before it are done.  *failed (may be NULL) the number that
 * did not pass. */
lt_rc lt_schedule_batch(struct lt_db *db, const char *const *scenarios, size_t n,
		     const struct lt_schedule_batch_opts *o, lt_schedule_batch_fn fn, void *ctx,
		     size_t *failed, struct lt_err *err);

/* ---- small helpers for the program ---- */

/* "lt_schedule_policy" names: "forbid", "allow", "replace". */
const char *lt_schedule_policy_name(lt_schedule_policy p);

/* The crontab line that runs `run-due` every minute: `* * * * * 'PROG'
 * run-due -q --db 'DB' >/dev/null`, with ' and % quoted for crontab(5)
 * (cron mails what is left: warnings and failures).  *line new. */
lt_rc lt_schedule_crontab_line(const char *prog, const char *db_path, char **line,
			    struct lt_err *err);

#endif
