/* benchcheck.h -- regression checks of benchmark results (bench records).
 *
 * `lt-bench run ... | lt-regress check` judges each benchmark of the
 * stream against its baseline the way regress.h judges a run's metrics,
 * so that a machine or a build that got slower is caught in CI:
 *
 *  - Identity: a benchmark is "bench:<suite>/<name>" (lt-bench names a
 *    command benchmark after its command, or after -n NAME).  Its
 *    baseline is an ordinary baseline (db.h) of that pseudo-scenario in
 *    an environment; its metrics keep mean, median, stddev, min, max,
 *    runs and the whole bench record under "record" (with its per-run
 *    "values"), so a check needs nothing but the baseline row.
 *  - Magnitude: change_pct = 100 (current mean - baseline mean) /
 *    |baseline mean|; worse_pct = change_pct when lower is better (the
 *    record's "better": "lower", the default: times), -change_pct when
 *    higher is ("higher": throughputs, ops/s).  worse_pct >= critical %
 *    is critical, >= warning % a warning.
 *  - Significance ("statistical"), from one of two models, as for runs
 *    (regress.h):
 *     history: when the benchmark has at least history.minRuns (5)
 *    earlier results on the same host (the newest history.runs, 10,
 *    leaving out results a check found critical), the current mean is
 *    judged against the spread of their means with the prediction-
 *    interval t test -- the drift between sessions of a machine, which
 *    the runs of one session do not show, is what it measures;
 *     baseline-run: otherwise Welch's t-test on the two records' per-run
 *    "values", one-sided in the worse direction -- the run, not the
 *    operation, is the unit of evidence, as hyperfine and Google
 *    Benchmark report it.  Fewer than LT_BENCHCHECK_MIN_VALUES values on
 *    a side is 'inconclusive', never a false verdict.  Two constant
 *    samples (zero spread on both sides) differ with certainty when their
 *    means differ (p = 0) and not at all when they agree (p = 1).
 *  - The p-values of all the benchmarks of one check are adjusted
 *    together (Benjamini-Hochberg): a suite of twenty benchmarks at 95 %
 *    does not give twenty chances of a false alarm.
 *  - An improvement (better by at least the warning percentage and
 *    significant on the other tail) is reported and never alerts.
 *
 * Thresholds come from the thresholds document of lt-regress(1): the
 * rule "bench" for every benchmark, "bench:<suite>/<name>" for one, with
 * the fields of a metric's rule (warning, critical, method, confidence,
 * enabled).  Default: warning 10 %, critical 25 %, statistical at 95 %.
 *
 * The history is selected by host, not by environment: benchmark results
 * carry the machine they ran on and no environment.  Resources (CPU, RSS)
 * are not judged, only the figure the benchmark reports.
 */
#ifndef LT_BENCHCHECK_H
#define LT_BENCHCHECK_H

#include "db.h"
#include "lt.h"
#include "regress.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Welch's test needs a variance on each side; with two values it has one
 * degree of freedom and its p-values swing wildly, so 3 is the least. */
#define LT_BENCHCHECK_MIN_VALUES 3
#define LT_BENCHCHECK_MAX_RULES 64

/* How benchmarks are judged: the rule "bench" and per-benchmark rules. */
struct lt_benchcheck_rule {
	char *name;                  /* "bench" or "bench:<suite>/<name>"; owned */
	bool enabled;
	double warning_pct, critical_pct;  /* 0 < warning <= critical */
	lt_regress_method method;
	double confidence;           /* 0.5 .. 0.9999 */
};

struct lt_benchcheck_config {
	struct lt_benchcheck_rule rules[LT_BENCHCHECK_MAX_RULES];  /* rules[0] is "bench" */
	size_t n_rules;
	unsigned history_runs, history_min;  /* the document's "history" (10, 5) */
};

/* The defaults (rule "bench": 10 % / 25 %, statistical at 95 %).  new
 * (lt_benchcheck_config_free); NULL when out of memory. */
struct lt_benchcheck_config *lt_benchcheck_config_new(void);
void lt_benchcheck_config_free(struct lt_benchcheck_config *c);

/* Apply the "bench" and "bench:<suite>/<name>" keys and "history" of the
 * thresholds document json (borrowed; other keys are regress.h's and are
 * ignored).
 * A per-benchmark rule starts from the "bench" rule of the document.
 * name names the document in messages ("t.json: bench.warning: must be
 * > 0, got -1").  On failure c is unchanged (LT_EINVAL). */
lt_rc lt_benchcheck_config_apply(struct lt_benchcheck_config *c, const cJSON *json,
				 const char *name, struct lt_err *err);

/* The rule of the benchmark key ("bench:<suite>/<name>"): its own, else
 * "bench".  Never NULL. */
const struct lt_benchcheck_rule *lt_benchcheck_rule_of(const struct lt_benchcheck_config *c,
						       const char *key);

/* A copy of the thresholds document json without its bench keys, for
 * lt_regress_config_apply (which knows only run metrics).  new; NULL
 * when out of memory.  A json that is not an object is copied as is. */
cJSON *lt_benchcheck_without_bench(const cJSON *json);

/* "bench:<suite>/<name>" of the bench record rec (suite "command" when
 * it has none); new, NULL when out of memory or rec has no name. */
char *lt_benchcheck_key(const cJSON *rec);

/* The metrics object a benchmark's baseline keeps: mean, median, stddev,
 * min, max, runs, and the record itself under "record".  new, NULL when
 * out of memory. */
cJSON *lt_benchcheck_metrics_of(const cJSON *rec);

/* Make the stored benchmark result bench_id the baseline `version` (may
 * be NULL) of its benchmark in environment (NULL: "default"), with note
 * (may be NULL).  *key (may be NULL; new) gets the benchmark's key,
 * *baseline_id (may be NULL) the baseline's id.  LT_ENOTFOUND when no
 * such result is stored. */
lt_rc lt_benchcheck_baseline_set(struct lt_db *db, const char *bench_id, const char *environment,
				 const char *version, const char *note, char **key,
				 int64_t *baseline_id, struct lt_err *err);

/* One benchmark to judge: everything borrowed. */
struct lt_benchcheck_item {
	const cJSON *current;        /* the bench record judged */
	const cJSON *baseline;       /* its baseline's bench record; NULL: none */
	int64_t baseline_id;         /* 0 when none */
	const char *baseline_version;  /* may be NULL */
	const double *history;       /* means of earlier results (history model) */
	size_t n_history;            /* how many; fewer than history_min: not used */
};

/* Judge items[0..n) (n >= 1) as above and build
 *   *verdict  {"type": "verdict", "v": 1, check_id, scenario_id
 *             ("bench:<suite>" when all are of one suite, else "bench"),
 *             run_id (the lt-bench session_id the records share, else
 *             the first bench_id), environment (NULL: "default"),
 *             baseline_id (when all share one, else null), model
 *             ("history" when a benchmark was judged by it, else
 *             "baseline-run"), status ("pass" | "warning" | "critical"
 *             | "inconclusive"), reason (when inconclusive), metrics
 *             [{metric ("bench:<suite>/<name>"), suite, name, unit,
 *             better, bench_id, baseline_bench_id, baseline_id,
 *             baseline_version, baseline, current (the means),
 *             change_pct, worse_pct, method, test ("history-t" |
 *             "welch" | null), p_value, q_value, effect (the history
 *             t, or Hedges' g), baseline_n, current_n, history_runs,
 *             warning_pct, critical_pct, severity, status, reason}],
 *             alerts (count), created_at}
 *   *alerts   the alert records (metric the key, run_id the bench_id,
 *             method "history-t", "welch" or "threshold"), *n_alerts of
 *             them.
 * The verdict is pass when at least one benchmark was judged and none
 * regressed, inconclusive when none could be judged.  Both new
 * (cJSON_Delete each; free the array).  Writes nothing. */
lt_rc lt_benchcheck_judge(const struct lt_benchcheck_item *items, size_t n,
			  const char *environment, const struct lt_benchcheck_config *cfg,
			  cJSON **verdict, cJSON ***alerts, size_t *n_alerts, struct lt_err *err);

/* Judge the stored benchmark results bench_ids[0..n) against the newest
 * baselines of their benchmarks in environment (NULL: "default") and
 * their histories (lt_db_bench_history: same host, before them), as
 * lt_benchcheck_judge.  LT_ENOTFOUND when a result is not stored, or when
 * no benchmark has a baseline (the message says how to set one); a
 * benchmark without one is otherwise judged 'inconclusive' ("no
 * baseline").  Nothing is written: lt_db_check_record stores the
 * outcome. */
lt_rc lt_benchcheck_check(struct lt_db *db, const char *const *bench_ids, size_t n,
			  const char *environment, const struct lt_benchcheck_config *cfg,
			  cJSON **verdict, cJSON ***alerts, size_t *n_alerts, struct lt_err *err);

#endif
