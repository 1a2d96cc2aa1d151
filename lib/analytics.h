/* analytics.h -- the long view of a scenario: trend, change points,
 * seasonality, correlation, forecast, and autoencoder anomalies.
 *
 * `lt-regress check` compares one run with a baseline; that misses slow
 * drifts and is fooled by one noisy run.  These functions look at a
 * metric's whole history instead -- one value per complete run of a
 * scenario, from lt_db_metric_history(), oldest first -- or at a series
 * the caller read itself (lt-regress --input FILE).  Each is one command
 * of lt-regress and returns its answer as one JSON object, so that
 * lt-regress prints it (as a table or as JSON) and lt-serve serves the
 * same thing.  The statistics are stats.h's, changepoint.h's and
 * anomaly.h's; this module picks the data, applies them and says what
 * the numbers mean.
 *
 * Every result object has "type" (the command: "trend", "changepoints",
 * "seasonality", "correlate", "forecast", "train", "anomaly") and "v": 1,
 * so that a result can travel as an NDJSON line.  Numbers that do not
 * exist (a slope per day without run times, a correlation with a constant
 * metric) are null, never NaN.  A series from the database carries each
 * value's run id and start time; a series given by the caller has neither
 * (run_id and at are null, "input" names its source).  Field by field,
 * lt-regress(1) is the reference; the outline:
 *
 *   trend         Mann-Kendall test (direction and significance at alpha)
 *                 and Sen's slope with its 95 % interval, per run and, from
 *                 the runs' start times, per day.
 *   changepoints  E-divisive means with a permutation test (changepoint.h):
 *                 changepoints [{index (0-based, the first value of the
 *                 new regime), run_id, at, mean_before, mean_after,
 *                 change_pct, p_value, ...}], outliers apart, parameters
 *                 echoed.
 *   seasonality   the dominant period of the detrended series by its
 *                 autocorrelation, with its strength, or none.
 *   correlate     Pearson and Spearman matrices with p-values between the
 *                 per-run metrics of LT_ANALYTICS_RUN_FEATURES.
 *   forecast      a least-squares line (plus the mean offset of each phase
 *                 when the series is seasonal) with prediction intervals,
 *                 and when the metric is expected to cross its threshold.
 *   train         an autoencoder on per-run (or per-second) feature
 *                 vectors, stored in the database.
 *   anomaly       a run scored against its scenario's newest model; an
 *                 alert record when it is anomalous.
 *
 * Conventions: *out is new (cJSON_Delete) on success and unchanged on
 * failure; err (may be NULL) says why.  LT_EINVAL for bad input or too
 * little of it, naming the scenario, metric and the minimum ("trend
 * needs at least 3 runs; scenario api has 2 with responseTime.p95");
 * LT_ENOTFOUND for an unknown scenario or run, a scenario without the
 * metric, or no model; LT_EUSAGE for options that do not fit; LT_EDB,
 * LT_ENOMEM.  Only lt_analytics_train and lt_analytics_anomaly write to
 * the database; the others work on a read-only handle.
 *
 * Not goals: multivariate change points, models of time other than runs
 * (a run is one step whatever the time between runs; the per-day figures
 * convert with the runs' start times), storing any result but models and
 * alerts.
 */
#ifndef LT_ANALYTICS_H
#define LT_ANALYTICS_H

#include "anomaly.h"
#include "changepoint.h"
#include "db.h"
#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_ANALYTICS_METRIC "responseTime.p95"

/* Default windows (newest runs).  A trend over a month of nightly runs:
 * long enough for Mann-Kendall to see a drift of a few percent, short
 * enough that last quarter's regression, fixed since, does not count.  A
 * forecast over twice that: the line's interval narrows as 1/sqrt(n),
 * but a line through older regimes points the wrong way.  The other
 * commands read up to LT_ANALYTICS_MAX_RUNS runs: change points and
 * seasons need history, and the change-point search is limited to
 * LT_CHANGEPOINT_MAX_N values anyway. */
#define LT_ANALYTICS_TREND_WINDOW 30u
#define LT_ANALYTICS_FORECAST_WINDOW 60u
#define LT_ANALYTICS_MAX_RUNS 5000u
#define LT_ANALYTICS_HORIZON 10u
#define LT_ANALYTICS_MAX_HORIZON 10000u

/* The least autocorrelation a period must reach.  The floor of a series
 * of n values whose lags 2 .. L+1 are searched is the larger of this and
 * the Bonferroni bound z_{1 - 0.05/(2L)} / sqrt(n): in noise about one
 * lag in twenty crosses the per-lag bound 1.96/sqrt(n) by chance
 * (stats.h), so that bound alone would find seasons in nearly every long
 * series.  Measured over 1,000 noise series each of 30, 60, 120 and 500
 * values: 0.0 - 0.3 % get a period.  A sine of period 7 with the noise's
 * amplitude is found (as 7) in 14 % of series of 60, 46 % of 120, 71 %
 * of 500. */
#define LT_ANALYTICS_MIN_STRENGTH 0.3

/* anomaly.h's advice: the 0.99 quantile of fewer training scores than
 * this is little more than their maximum.  Training on fewer vectors
 * (down to LT_ANOMALY_MIN_VECTORS) works and adds a warning to the result. */
#define LT_ANALYTICS_TRAIN_ADVISED 50u

/* A per-second model flags a run when this many of its steady seconds
 * score above the threshold that a normal run would show so many with
 * probability below LT_ANALYTICS_SECONDS_P (a binomial test with the
 * model's 1 - quantile as the rate): a normal run of 100 seconds has one
 * second above the 0.99 quantile on average, so one or two are no news. */
#define LT_ANALYTICS_SECONDS_P 0.001

/* The features of a run, in the order of the correlation matrices and of
 * per-run models: responseTime.p50, .p90, .p95, .p99, throughput.avg,
 * errorRate (from the summary), generator.cpu_pct (the summary's
 * resources.generator.cpu_pct_mean), host.cpu_pct (resources.host.
 * cpu_pct_mean), host.mem_used_kb (resources.host.mem_used_kb_max). */
#define LT_ANALYTICS_RUN_FEATURES 9

/* The name of run feature i, NULL past the last.  Constant. */
const char *lt_analytics_run_feature(size_t i);

/* Feature i (LT_ANALYTICS_RUN_FEATURES of them) of the summary record
 * summary (borrowed); false when the summary lacks it (runs recorded
 * before lt measured resources, or by another producer). */
bool lt_analytics_run_value(const cJSON *summary, size_t i, double *value);

/* Options; a zeroed struct gives every default. */
struct lt_analytics_opts {
	const char *metric;     /* NULL: LT_ANALYTICS_METRIC; one of the
				 * names of lt_ndjson_metric_name() */
	size_t window;          /* newest runs; 0: the command's default */
	double alpha;           /* trend and change points; 0: 0.05 */

	/* A series instead of the database (trend, changepoints,
	 * seasonality, forecast): values[0..n_values), oldest first,
	 * finite, borrowed; values_name names it ("load.txt"). */
	const double *values;
	size_t n_values;
	const char *values_name;

	/* changepoints: permutations, min_size, outlier_k (zero: the
	 * defaults of changepoint.h); p_value is alpha. */
	struct lt_changepoint_opts changepoint;
	unsigned long seed;     /* permutations and training; 0 is a seed */

	/* forecast */
	size_t horizon;         /* runs ahead; 0: LT_ANALYTICS_HORIZON */
	double level;           /* of the prediction intervals; 0: 0.95 */
	bool has_threshold;     /* threshold below, instead of the scenario's */
	double threshold;       /* an upper limit when the metric is worse
				 * higher (latency, errors), a lower one for
				 * throughput */

	/* train */
	unsigned epochs;        /* 0: anomaly.h's default (200) */
	bool per_second;        /* vectors of steady seconds, not of runs */
	double quantile;        /* of the training scores; 0: 0.99 */
	lt_anomaly_progress_fn progress;  /* NULL: none */
	void *progress_ctx;
};

/* trend of scenario_id's metric (db and scenario_id may be NULL when
 * opts->values is given): at least 3 values.  {type, v, scenario_id,
 * input, metric, n, first, last ({run_id, at} of the window's ends),
 * direction ("increasing" | "decreasing" | "none"), significant, alpha,
 * worse (true when the direction is the metric's worse one; null when
 * none), mann_kendall {s, var_s, z, tau, p_value, p_greater, p_less},
 * sen {slope_per_run, ci95_per_run, intercept, slope_per_day,
 * ci95_per_day, slope_pct_per_run, median}}.  Per day needs the runs'
 * times (null otherwise). */
lt_rc lt_analytics_trend(struct lt_db *db, const char *scenario_id,
			 const struct lt_analytics_opts *opts, cJSON **out,
			 struct lt_err *err);

/* changepoints: at least 2 min_size values.  {type, v, scenario_id,
 * input, metric, n, method, parameters {p_value, permutations, min_size,
 * seed, outlier_k}, noise_sd, changepoints [{index, run_id, at,
 * mean_before, mean_after, change_pct, direction ("up" | "down"), worse,
 * p_value, welch_p, n_before, n_after}], outliers [{index, run_id, at,
 * value, baseline, change_pct}]}. */
lt_rc lt_analytics_changepoints(struct lt_db *db, const char *scenario_id,
				const struct lt_analytics_opts *opts, cJSON **out,
				struct lt_err *err);

/* seasonality: at least 6 values.  The series less its least-squares
 * line; the dominant period of lt_stats_period(), reported when its
 * autocorrelation reaches the floor of LT_ANALYTICS_MIN_STRENGTH -- or
 * its smallest divisor that is a peak above the floor too, since a
 * season of period P correlates as much at 2P and 3P.  {type, v,
 * scenario_id, input, metric, n, found, period (null when none),
 * strength, bound (per lag), min_strength (the floor), max_lag,
 * detrended_slope_per_run, candidate ({period, strength} of a peak above
 * the bound but below the floor; null), phase_offsets (the mean detrended
 * value of each phase 0..period-1, phase = index mod period), next_phase
 * (of the next run), acf (lags 0..max_lag)}. */
lt_rc lt_analytics_seasonality(struct lt_db *db, const char *scenario_id,
			       const struct lt_analytics_opts *opts, cJSON **out,
			       struct lt_err *err);

/* correlate the run features of scenario_id's complete runs (newest
 * window; database only).  A feature found in fewer than 3 runs, or
 * constant over the runs that have it, is dropped (listed in "dropped"
 * with the reason); the others are correlated pairwise: each pair over
 * the runs that have both (R's use = "pairwise.complete.obs"), n per
 * pair reported.  {type, v, scenario_id, runs, metrics [names], dropped
 * [{metric, reason}], missing ("pairwise"), n [[...]], pearson {r [[...]],
 * p [[...]]}, spearman {r, p}}; p two-sided, null where a pair has fewer
 * than 3 runs or is constant on them.  At least 3 complete runs. */
lt_rc lt_analytics_correlate(struct lt_db *db, const char *scenario_id,
			     const struct lt_analytics_opts *opts, cJSON **out,
			     struct lt_err *err);

/* forecast: at least 3 values (6 for the seasonal part, which also needs
 * a period as lt_analytics_seasonality finds it and more values than
 * period + 2).  The line y = intercept + slope * index by least squares
 * over the window; with a period, each forecast adds the mean offset of
 * its phase, and its interval uses the spread left after the offsets.
 * The threshold is opts->threshold, else the newest run's scenario
 * thresholds (run_start config) on the metric, else none.  {type, v,
 * scenario_id, input, metric, n, model ("linear" | "linear+seasonal"),
 * level, fit {slope_per_run, intercept, r2, residual_sd}, seasonal
 * ({period, strength, offsets, residual_sd}; null), run_interval_s
 * (median time between runs; null without times), horizon, forecast
 * [{step, index, at, value, low, high, linear}], threshold (null, or
 * {value, op, source ("option" | "scenario"), status ("crossed": the
 * line is past it at the last run, "expected": it will cross, "never":
 * it is flat or heads away), runs_ahead, index, at, within_horizon,
 * last_value_beyond})}.  The crossing is the line's (the trend, without
 * seasonal swings); at is estimated with run_interval_s. */
lt_rc lt_analytics_forecast(struct lt_db *db, const char *scenario_id,
			    const struct lt_analytics_opts *opts, cJSON **out,
			    struct lt_err *err);

/* train an autoencoder (anomaly.h) on the complete runs of
 * scenario_ids[0..n) (the newest window runs of each; 0: up to
 * LT_ANALYTICS_MAX_RUNS): one vector per run of its run features, or with
 * opts->per_second one per steady second of each run (features
 * sample.latency_ms.p50, .p90, .p95, .p99, sample.rps,
 * sample.error_pct, sample.cpu_pct; seconds without requests left out).
 * A feature that some vector lacks is left out of the model (listed in
 * dropped_features).  Fewer than LT_ANOMALY_MIN_VECTORS vectors is
 * LT_EINVAL (the message suggests --per-second); fewer than
 * LT_ANALYTICS_TRAIN_ADVISED adds a warning.  The model is stored for
 * every scenario (lt_db_anomaly_model_add).  {type, v, scenarios,
 * model_ids, vectors ("run" | "second"), n_vectors, runs_used, features,
 * dropped_features [{feature, reason}], threshold, quantile, training
 * {...lt_anomaly_info}, warnings [text]}. */
lt_rc lt_analytics_train(struct lt_db *db, const char *const *scenario_ids, size_t n,
			 const struct lt_analytics_opts *opts, cJSON **out,
			 struct lt_err *err);

/* Score the stored run run_id (a full id or a unique prefix) against the
 * newest model of its scenario.  A per-run model scores the run's
 * features; a per-second model scores each steady second, and the run is
 * anomalous when its seconds above the threshold are too many for chance
 * (LT_ANALYTICS_SECONDS_P).  When anomalous, an alert record
 * (lt-ndjson(5): method "autoencoder", severity "warning", metric the
 * feature that contributes most, baseline its expected value, current
 * its value) is built, recorded with lt_db_ingest_record -- its id comes
 * from the model and the run, so scoring the run again records nothing
 * new -- and returned in *alert (new; NULL when not anomalous; alert may
 * be NULL).  {type, v, run_id, scenario_id, model_id, trained_at,
 * vectors, score, threshold, anomalous, top_features [{feature, value,
 * expected, contribution, share_pct}] (largest first, at most 3),
 * seconds, anomalous_seconds, p_value (per-second models; null
 * otherwise), alert_id (null)}.  LT_EINVAL when the run lacks a feature
 * the model reads ("a model trained on other features"). */
lt_rc lt_analytics_anomaly(struct lt_db *db, const char *run_id,
			   const struct lt_analytics_opts *opts, cJSON **out,
			   cJSON **alert, struct lt_err *err);

/* ---- the long view of one check (lt-regress check, lt-regress watch) ----
 *
 * A check compares one run with a baseline; a slow drift, or a step the
 * baseline predates, is found by the run's history instead.  For each
 * enabled metric of cfg, over the newest LT_ANALYTICS_CHECK_WINDOW
 * complete runs of the scenario up to and including the checked run
 * (every environment: the metric history is the scenario's), when there
 * are at least LT_ANALYTICS_CHECK_MIN_RUNS of them:
 *  - "changepoint": the last change point of lt_analytics_changepoints
 *    (alpha 0.05, seed 0) starts a regime that began within the last
 *    LT_ANALYTICS_CHECK_RECENT runs, it is worse, and no check of an
 *    earlier run of that regime alerted on it.  A regime needs
 *    LT_CHANGEPOINT_MIN_SIZE values, and in noise the search may place
 *    the step a run early or see it a run or two late (its first runs are
 *    outliers until enough confirm it): so the step is told once, by the
 *    first check that sees it, within twice that many runs;
 *  - "trend": Mann-Kendall over the window is significant (0.05) in the
 *    metric's worse direction;
 * and, like the baseline comparison, the change (of the regime's mean, or
 * of Sen's line from the first run of the window to the last) is at
 * least the metric's warning percentage.  Each finding is a warning: an
 * alert record (method "changepoint" or "trend"; baseline and current
 * the regime means or the line's ends) appended to *alerts (realloc'd;
 * *n_alerts grows) and an object in the verdict's "findings" array
 * ({metric, method, severity, runs, p_value, baseline, current,
 * change_pct, message, alert_id, and direction, tau, slope_per_run,
 * slope_pct_per_run for a trend; index, run_id, at (the regime's first
 * run), runs_ago, mean_before, mean_after for a change point}).  The
 * verdict's "alerts" count follows, and a "pass" becomes a "warning".
 * An inconclusive verdict gets an empty "findings" and no alert.
 *
 * Call it after lt_regress_check and before lt_db_check_record, which
 * then stores the findings with the verdict (and the alerts the next
 * checks look for).  verdict and *alerts are
 * borrowed and changed in place; on failure neither changes.  Reads the
 * database only.  Cost: one history query and one change-point search
 * (199 permutations of at most 30 values, well under a millisecond) per
 * metric. */
#define LT_ANALYTICS_CHECK_WINDOW 30u
#define LT_ANALYTICS_CHECK_MIN_RUNS 8u     /* fewer: Mann-Kendall's normal
					    * approximation is poor, and a new
					    * regime of 3 leaves too little
					    * before it to compare with */
#define LT_ANALYTICS_CHECK_RECENT (2 * LT_CHANGEPOINT_MIN_SIZE)

struct lt_regress_config;
lt_rc lt_analytics_check_history(struct lt_db *db, const struct lt_regress_config *cfg,
				 cJSON *verdict, cJSON ***alerts, size_t *n_alerts,
				 struct lt_err *err);

#endif
