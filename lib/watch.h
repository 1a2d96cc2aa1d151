/* watch.h -- automated regression monitoring: check each new run once.
 *
 * `lt-regress check` judges a run when a pipeline pipes it in; runs that
 * arrive some other way (lt-run --db, lt-store, lt-sched, lt-serve, a
 * shard merged later) are judged by a watcher instead.  One pass finds
 * every complete run that no regression check names yet, oldest first
 * (lt_db_runs_unchecked: runs of a scenario with a baseline, baseline
 * runs left out), and for each one:
 *  1. compares it with its baseline (lt_regress_check, with the thresholds
 *     document given, else the stored one of its scenario, else lt's
 *     defaults);
 *  2. looks at its history: trend and change point at that run
 *     (lt_analytics_check_history);
 *  3. scores it against its scenario's newest anomaly model, when there
 *     is one (lt_analytics_anomaly; its alert, method "autoencoder", joins
 *     the verdict's alerts and "findings", and a pass becomes a warning);
 *  4. records the verdict and every alert in one transaction
 *     (lt_db_check_record) -- the check is the watermark: a run with a
 *     check is never listed again, so the state survives any restart and
 *     lives in the database, not in the watcher;
 *  5. tells the notify targets (the thresholds' "notify" list and the
 *     caller's) when there are alerts, and the caller through its callback.
 * A run is recorded before anyone is told: a watcher killed between the
 * two loses that run's notification, never checks the run twice.  Two
 * watchers on one database may both check a run that arrives while both
 * pass over it; run one watcher per database (lt-sched or a service
 * manager keeps it alive).
 *
 * A run that cannot be checked (its baseline run deleted, no baseline in
 * its environment, a stored thresholds document that does not apply) is
 * told to the callback as a failure and left unchecked: it is tried again
 * by the next pass, so fixing the cause checks it.  A model that cannot
 * score the run (trained on other features) is told too, and the run is
 * checked without it: a model is retrained rarely, runs keep coming.
 * Only a database or memory failure ends a pass early.
 *
 * Non-goals: the loop, its interval and signals are the caller's
 * (lt-regress watch, lt-serve); nothing is printed here.
 */
#ifndef LT_WATCH_H
#define LT_WATCH_H

#include "db.h"
#include "lt.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Runs one pass checks at most: a backlog of years drains over several
 * passes, and a stop request is never more than one run away anyway. */
#define LT_WATCH_MAX_RUNS 1000u

struct lt_watch_opts {
	const char *environment;      /* NULL: each run's own (lt_regress_check) */
	const cJSON *thresholds;      /* a thresholds document (borrowed); NULL:
				       * each scenario's stored one, else defaults */
	const char *const *notify;    /* extra targets (notify.h specs), borrowed */
	size_t n_notify;
	FILE *console;                /* where "console" targets write; NULL: stderr */
	size_t max_runs;              /* 0: LT_WATCH_MAX_RUNS */
	const volatile sig_atomic_t *stop;  /* checked between runs; may be NULL */
};

enum lt_watch_event_kind {
	LT_WATCH_CHECKED,   /* a run was checked and recorded: verdict, alerts */
	LT_WATCH_FAILED,    /* a run could not be checked: err; left for the next pass */
	LT_WATCH_NO_ANOMALY,  /* the run's model could not score it: err; told
			       * before the run's LT_WATCH_CHECKED */
	LT_WATCH_NOTIFIED,  /* a notify target's outcome: target, err (rc LT_OK: sent) */
};

/* What the callback is told; everything borrowed for the call only. */
struct lt_watch_event {
	enum lt_watch_event_kind kind;
	const char *run_id, *scenario_id;
	const cJSON *verdict;          /* CHECKED: with "findings" */
	cJSON *const *alerts;          /* CHECKED: the alert records, n_alerts */
	size_t n_alerts;
	const cJSON *anomaly;          /* CHECKED: lt_analytics_anomaly's result; NULL
					* when the scenario has no model */
	const char *target;            /* NOTIFIED: safe to log */
	const struct lt_err *err;      /* FAILED, NO_ANOMALY, NOTIFIED */
};

typedef void (*lt_watch_fn)(const struct lt_watch_event *ev, void *ctx);

/* One pass over db (read-write): check every unchecked run as above, in
 * order, calling fn (may be NULL) for each.  *checked (may be NULL) counts
 * the runs recorded.  LT_OK when the pass ran -- runs that failed
 * included; LT_EINVAL for a thresholds document that does not apply;
 * LT_EDB or LT_ENOMEM when the pass stopped early (runs recorded before
 * stay recorded). */
lt_rc lt_watch_pass(struct lt_db *db, const struct lt_watch_opts *opts, lt_watch_fn fn,
		    void *ctx, size_t *checked, struct lt_err *err);

#endif
