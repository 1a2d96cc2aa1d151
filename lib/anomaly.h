/* anomaly.h -- autoencoder anomaly detection over feature vectors of runs.
 *
 * The seed's "neural network anomaly detection".  A small dense
 * autoencoder learns what normal runs (or normal seconds) look like from
 * feature vectors of the history -- latency percentiles, throughput, error
 * rate, generator and host resources -- and scores a new vector by how
 * badly it can rebuild it.  The network has to squeeze each vector through
 * a bottleneck narrower than the input, so it only learns the way the
 * features move together in normal operation (p50, p95 and p99 rise
 * together, throughput falls as latency rises, ...).  A vector that breaks
 * those relations -- p99 doubled while p50 is normal, errors out of
 * proportion to the load -- comes back rebuilt as the nearest normal
 * vector, and the difference says which features are off.
 *
 * lt-regress train and lt-regress anomaly call this module; the model
 * travels as JSON (lt_anomaly_to_text), which the programs store in the
 * anomaly_models table of lt-db(5).  The module never sees a database, a
 * record or a file: callers build the vectors.
 *
 * Not goals: recurrent or convolutional models of a time series (a
 * vector is scored on its own, without its neighbours in time), online
 * or incremental training, missing values (the caller drops or fills
 * them), GPUs.
 *
 * Architecture
 *
 *     d -> h -> k -> h -> d      weights and biases in each layer
 *
 * d is the number of features (2 .. LT_ANOMALY_MAX_FEATURES); h, the
 * outer hidden width, defaults to max(4, d); k, the bottleneck, defaults
 * to max(2, d / 3) but always below d (d = 2 gets k = 1, d = 3 gets
 * k = 2).  The three hidden layers use tanh by default (leaky ReLU with
 * slope 0.01 on request), the output layer is linear.  k < d is required:
 * with k >= d the network can learn the identity and rebuild anything,
 * anomalies included.  For the same reason one feature (d = 1) is refused:
 * an autoencoder scores how features move together, and a single metric
 * has nothing to move with -- a threshold or a change-point test is the
 * tool for it.
 *
 * tanh is the default because it saturates: the decoder cannot produce
 * values far outside those it saw in training, so a vector that moves
 * along a learned relation but far beyond the training range (every
 * latency doubled with throughput halved in proportion, a uniform
 * slowdown) is still rebuilt inside the range and flagged.  A leaky ReLU
 * network extrapolates more nearly along straight lines: on the test's
 * synthetic runs, a whole run at 1.3 times the usual load (3 standard
 * deviations beyond it, every relation kept) is flagged 50 % of the time
 * with tanh and 2 % with leaky ReLU; at twice the load both flag it, tanh
 * with ten times the margin.
 *
 * Normalisation
 *
 * Each feature j is scaled as z = (x - center_j) / scale_j, fitted on the
 * training vectors: center is the median, scale the interquartile range
 * divided by 1.349 (the IQR of a normal distribution in standard
 * deviations), so that z is in standard deviations for normal data.
 * Median and IQR rather than mean and standard deviation because a
 * history holds the very anomalies the model must later find: one run at
 * ten times the usual latency would inflate the standard deviation and
 * shrink every later anomaly's z, while the median and the IQR ignore up
 * to a quarter of the data being wild.  When the IQR is 0 (a feature that
 * is nearly always the same value, like an error rate of 0 with a few
 * exceptions) the scale falls back to the standard deviation; when that
 * is 0 too the feature is constant, its scale is 1 and it is marked
 * constant.  A constant feature has no weight in the network: its input
 * is held at 0, so it cannot disturb how the others are rebuilt, and its
 * rebuilt value is the training constant.  Its contribution to a score is
 * therefore its departure from that constant in its own units squared:
 * for lt's features (milliseconds, percent) an error rate of 2 % after a
 * history of 0 % counts like a 2-standard-deviation miss in a varying
 * feature -- an error burst after a clean history is flagged, a change of
 * 0.01 ms in a latency that never varied is not.  Finally z is clamped
 * to +-10^6: a vector that far out is anomalous anyway, and the clamp
 * keeps every score finite whatever the input.
 *
 * Training
 *
 * Mean squared error over the features of the normalised vectors,
 * mini-batch gradient descent with Adam (Kingma and Ba 2015: beta1 0.9,
 * beta2 0.999, epsilon 1e-8), weights initialised uniformly (Glorot for
 * tanh, He for leaky ReLU), biases at 0.  A random validation_fraction of
 * the vectors (default 10 %) is held out; after each epoch its loss is
 * measured, and when it has not improved for `patience` epochs training
 * stops and the weights of the best epoch are kept (early stopping, so a
 * history is not memorised).  No split is made, and every epoch runs,
 * when fewer than 10 vectors would be held out (n < 100 at 10 %): the
 * loss of 3 vectors is noise to stop on.
 * Layer products run through gsl_blas_dgemm; the random numbers (split,
 * initial weights, batch order) come from GSL's MT19937 seeded with
 * opts.seed and nothing else, so the same vectors, options and seed give
 * bit-identical weights on a given machine and BLAS.
 *
 * Time is O(epochs n P), P the number of weights and biases (d = 6: 116;
 * d = 16: 725).  Measured on x86-64 with GSL's reference CBLAS: n = 500,
 * d = 6, 200 epochs in 0.05 - 0.25 s (tests/unit/check_anomaly.c prints
 * it); an epoch over 10^6 vectors takes about 1 s at d = 6 and 4 s at
 * d = 16, so 200 epochs over a million per-second vectors is minutes
 * (the progress callback can show it and stop it).  Memory is the model
 * plus O(n) -- an index and one double per vector -- on top of the
 * caller's X, which is normalised batch by batch rather than copied, so
 * 10^6 vectors train in the memory of X plus 16 MB.
 *
 * Threshold and scores
 *
 * The score of a vector is the mean over the d features of the squared
 * difference between the normalised vector and its reconstruction;
 * feature j contributes its squared difference / d, so the contributions
 * add up to the score and the largest names the metric that is off.  The
 * anomaly threshold is the `quantile` (default 0.99, type 7 of Hyndman and
 * Fan) of the scores of all n training vectors, fitted and held out
 * alike, under the final weights: a normal vector exceeds it about
 * 1 - quantile of the time.  All n rather than the held-out tenth because
 * the 0.99 quantile of 50 held-out scores is little more than their
 * maximum and swings from one seed to the next; the bottleneck keeps the
 * network too small to memorise the training vectors (116 weights against
 * n d = 3000 numbers in the test), so their scores are close to those of
 * unseen normal vectors.  Measured on the test's synthetic runs at
 * quantile 0.99 (false positives among 2,000 held-out normal runs, over
 * 8 seeds): n = 500: 0.8 - 1.9 %; n = 100: 1.4 - 4.3 %; n = 60:
 * 1.2 - 4.7 %; n = 20: 1 - 23 %.  With few vectors the 0.99 quantile is
 * little more than the largest training score, a noisy one, and the
 * network starts to fit the vectors themselves: train on 50 vectors or
 * more (per-second vectors when the history has few runs).  A score above
 * the threshold is anomalous.
 *
 * Conventions
 *
 *   - On failure *out is unchanged and nothing leaks; err (may be NULL)
 *     says why.  LT_EINVAL for bad input, naming the row and column, the
 *     option or the JSON path; LT_ENOMEM when an allocation fails;
 *     LT_ELIMIT past a documented limit; LT_EUSAGE for a NULL argument
 *     that is required.
 *   - A model is immutable once trained or read: any number of threads
 *     may score with one model at once.  Training and scoring keep no
 *     global state.  The first call turns GSL's default error handler
 *     (which aborts) off for the process, once, as lt_stats does.
 */
#ifndef LT_ANOMALY_H
#define LT_ANOMALY_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fewer vectors than this is LT_EINVAL: below it the median and the IQR
 * of a feature, and the 0.99 quantile of the scores, are guesses. */
#define LT_ANOMALY_MIN_VECTORS 8

/* Widths above these are LT_ELIMIT, in training and when reading JSON,
 * so a hostile model cannot ask for gigabytes; lt's feature vectors have
 * 8 - 16 features. */
#define LT_ANOMALY_MAX_FEATURES 1024
#define LT_ANOMALY_MAX_HIDDEN 1024
#define LT_ANOMALY_MAX_EPOCHS 1000000u

/* The activation of the hidden layers (the output layer is linear).
 * The values are stored by name in the JSON form, never by number. */
typedef enum {
	LT_ANOMALY_TANH = 0,
	LT_ANOMALY_LEAKY_RELU = 1,  /* max(z, 0.01 z) */
} lt_anomaly_activation;

/* What lt_anomaly_train reports after each epoch, for a progress line. */
struct lt_anomaly_progress {
	unsigned epoch;          /* 1-based */
	unsigned epochs;         /* the maximum, opts.epochs */
	double train_loss;       /* mean loss of the epoch's batches */
	double validation_loss;  /* NaN when nothing is held out */
};

/* Return false to stop training: lt_anomaly_train then fails with
 * LT_EINTR (a SIGINT handler sets a flag, the callback reads it). */
typedef bool (*lt_anomaly_progress_fn)(void *ctx,
				       const struct lt_anomaly_progress *p);

struct lt_anomaly_opts {
	unsigned epochs;          /* maximum passes over the data; 200 */
	double learning_rate;     /* Adam's step size; 1e-3 */
	size_t batch_size;        /* vectors per step; 0 (the default):
				   * 32, but at least 8 steps an epoch
				   * (n_train / 8, at least 4) -- a short
				   * history needs steps, not epochs */
	size_t hidden;            /* h; 0 (the default): max(4, d) */
	size_t bottleneck;        /* k; 0 (the default): max(2, d / 3),
				   * at most d - 1 */
	lt_anomaly_activation activation;  /* LT_ANOMALY_TANH */
	uint32_t seed;            /* 1 */
	double quantile;          /* of the training scores, in (0, 1); 0.99 */
	double validation_fraction;  /* held out, in [0, 0.5]; 0.1 */
	unsigned patience;        /* epochs without a better validation
				   * loss before stopping; 20; 0 never
				   * stops early */
	lt_anomaly_progress_fn progress;  /* NULL: none */
	void *progress_ctx;
};

/* Fill opts with the defaults above.  lt_anomaly_train(..., NULL, ...)
 * uses them too. */
void lt_anomaly_opts_init(struct lt_anomaly_opts *opts);

struct lt_anomaly_model;

/* Train a model on the n vectors of X, row-major n x d (X[i * d + j] is
 * feature j of vector i), all borrowed and unchanged.  feature_names has
 * d distinct non-empty strings, copied into the model; NULL names the
 * features "f1" .. "fd".  opts NULL means the defaults.
 *
 * *out is new (lt_anomaly_free).  LT_EINVAL: n < LT_ANOMALY_MIN_VECTORS
 * ("need at least 8 training vectors, got 5"), d < 2, a NaN or an
 * infinity in X ("X row 12, column 3 (cpu): not a finite number"), an
 * option out of range (naming it), a duplicate or empty feature name,
 * training that diverged (a loss that is no longer finite: lower the
 * learning rate).  LT_ELIMIT: d or h past the limits above.  LT_EINTR:
 * the progress callback asked to stop. */
lt_rc lt_anomaly_train(const double *X, size_t n, size_t d,
		       const char *const *feature_names,
		       const struct lt_anomaly_opts *opts,
		       struct lt_anomaly_model **out, struct lt_err *err);

/* Free m; lt_anomaly_free(NULL) is a no-op. */
void lt_anomaly_free(struct lt_anomaly_model *m);

struct lt_anomaly_score {
	double score;       /* mean squared normalised reconstruction error */
	double threshold;   /* the model's */
	bool anomalous;     /* score > threshold */
	size_t top_feature; /* index of the largest contribution (the
			     * lowest index among equals) */
};

/* Score the vector x[0..d-1] (borrowed), whose features must be the
 * model's, in its order (lt_anomaly_check_features checks the names).
 * contributions (NULL: not wanted) receives d values >= 0 whose sum is
 * out->score; expected (NULL: not wanted) receives the reconstruction in
 * the features' own units, for a report ("p99 812 ms, expected 240 ms").
 * LT_EINVAL when d is not the model's or x holds a NaN or an infinity
 * ("x[3] (cpu): not a finite number"); LT_ENOMEM.  O(P); allocates a
 * little scratch, so it is safe from many threads at once. */
lt_rc lt_anomaly_score(const struct lt_anomaly_model *m, const double *x,
		       size_t d, struct lt_anomaly_score *out,
		       double *contributions, double *expected,
		       struct lt_err *err);

/* The scores of n vectors at once (X row-major n x d, as for training)
 * into scores[0..n-1]; faster than n calls.  Errors as lt_anomaly_score,
 * naming the row; on failure scores may be partly written. */
lt_rc lt_anomaly_score_many(const struct lt_anomaly_model *m,
			    const double *X, size_t n, size_t d,
			    double *scores, struct lt_err *err);

/* LT_OK when names[0..d-1] are the model's features in its order;
 * otherwise LT_EINVAL saying the first difference ("the model reads 6
 * features, got 5", "feature 3: the model reads 'responseTime.p99', got
 * 'cpu'") -- a model trained on other features must not score a vector. */
lt_rc lt_anomaly_check_features(const struct lt_anomaly_model *m,
				const char *const *names, size_t d,
				struct lt_err *err);

/* Accessors; m borrowed, results borrowed for m's lifetime. */
size_t lt_anomaly_features(const struct lt_anomaly_model *m);
const char *lt_anomaly_feature_name(const struct lt_anomaly_model *m,
				    size_t i);  /* NULL when i >= d */
double lt_anomaly_threshold(const struct lt_anomaly_model *m);

/* How a model was built and trained. */
struct lt_anomaly_info {
	size_t features;          /* d */
	size_t hidden, bottleneck;
	lt_anomaly_activation activation;
	size_t n_weights;         /* weights and biases */
	size_t n_train;           /* vectors the weights were fitted on */
	size_t n_validation;      /* vectors held out (0: none) */
	unsigned epochs;          /* the maximum asked for */
	unsigned epochs_run;      /* run before stopping */
	unsigned best_epoch;      /* whose weights were kept */
	size_t batch_size;
	double learning_rate;
	uint32_t seed;
	double initial_loss;      /* on the fitted vectors, before training */
	double final_loss;        /* on them with the kept weights */
	double validation_loss;   /* on the held-out ones; NaN when none */
	double quantile;
	double threshold;
};

void lt_anomaly_info(const struct lt_anomaly_model *m,
		     struct lt_anomaly_info *out);

/* The name of an activation in the JSON form: "tanh", "leaky_relu". */
const char *lt_anomaly_activation_name(lt_anomaly_activation a);

/* JSON form (one object; members in any order, unknown ones ignored):
 *
 *   {"type": "lt-anomaly-model", "v": 1,
 *    "features": ["responseTime.p50", ...],             d names
 *    "activation": "tanh",
 *    "sizes": [6, 6, 2, 6, 6],                           d h k h d
 *    "layers": [{"weights": [[...], ...], "bias": [...]}, ... 4 layers],
 *    "normalisation": {"method": "median-iqr",
 *                      "center": [...], "scale": [...],
 *                      "constant": [false, ...]},       d each
 *    "quantile": 0.99, "threshold": 0.2345,
 *    "training": {"n": 450, "n_validation": 50, "epochs": 200,
 *                 "epochs_run": 200, "best_epoch": 198,
 *                 "batch_size": 32, "learning_rate": 0.001, "seed": 1,
 *                 "initial_loss": 1.3, "final_loss": 0.04,
 *                 "validation_loss": 0.05}}
 *
 * layers[l].weights has sizes[l+1] rows of sizes[l] numbers (row i holds
 * the weights into unit i), layers[l].bias sizes[l+1] numbers; the last
 * layer is linear.  validation_loss is null when nothing was held out.
 *
 * lt_anomaly_to_json: new cJSON tree (cJSON_Delete), NULL when out of
 * memory.  cJSON prints a number with 15 significant digits whenever
 * those read back within an epsilon, which is not always the same double;
 * lt_anomaly_to_text prints every non-integer with 17, so that text read
 * back gives bit-identical weights and scores.  Store the text.
 *
 * lt_anomaly_to_text: *out is a new NUL-terminated string (free()).
 *
 * lt_anomaly_from_json / lt_anomaly_from_text: read and validate; *out is
 * new.  LT_EINVAL names the JSON path: a missing member, a wrong type,
 * sizes that are not d h k h d with 1 <= k < d or that disagree with the
 * arrays ("layers[1].weights: 3 rows, expected 2"), a number that is not
 * finite ("layers[2].weights[1][0]: not a finite number"), a scale <= 0,
 * a threshold < 0, a quantile outside (0, 1), an unknown activation or
 * version; lt_anomaly_from_text also text that is not JSON ("not JSON
 * (at byte 17)").  LT_ELIMIT for widths past the limits. */
cJSON *lt_anomaly_to_json(const struct lt_anomaly_model *m);
lt_rc lt_anomaly_to_text(const struct lt_anomaly_model *m, char **out,
			 struct lt_err *err);
lt_rc lt_anomaly_from_json(const cJSON *json, struct lt_anomaly_model **out,
			   struct lt_err *err);
lt_rc lt_anomaly_from_text(const char *text, struct lt_anomaly_model **out,
			   struct lt_err *err);

#endif
