/* anomaly.c -- a small dense autoencoder, trained with Adam, on GSL (anomaly.h).
 *
 * The network is four dense layers d -> h -> k -> h -> d.  All weights and
 * biases live in one flat array (params), layer by layer, each layer's
 * weight matrix (out x in, row-major: row i feeds unit i) followed by its
 * bias; Adam's moment estimates and the gradients are arrays of the same
 * shape, so an optimiser step is one loop and a copy of the best weights
 * one memcpy.  A batch of B vectors travels as B x width matrices, one per
 * layer (struct work), so that each layer is one gsl_blas_dgemm forward
 * and two backward; at these sizes clarity matters more than speed, and
 * the plain reference CBLAS that GSL ships keeps results reproducible.
 *
 * Backpropagation, for layer l with input A_l (B x in), weights W
 * (out x in), bias b and output A_{l+1} = f(Z), Z = A_l W^T + 1 b^T:
 *
 *     dZ   = dA_{l+1} * f'(Z)        elementwise; f' from A_{l+1}:
 *                                    tanh' = 1 - a^2, leaky' = a > 0 ? 1 : s
 *     dW   = dZ^T A_l                (out x in)
 *     db   = column sums of dZ
 *     dA_l = dZ W                    (B x in), not needed for l = 0
 *
 * and the loss of a batch is sum (y - z)^2 / (B d), whose gradient with
 * respect to the output is 2 (y - z) / (B d).
 */
#include "anomaly.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_LAYERS 4
#define LEAKY_SLOPE 0.01

/* Adam's constants as Kingma and Ba recommend them; nobody tunes these
 * for a network this small. */
#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPSILON 1e-8

/* The IQR of a normal distribution in standard deviations:
 * 2 * 0.674489750196... = 1.34897950039. */
#define IQR_PER_SD 1.3489795003921634

#define FORMAT_NAME "lt-anomaly-model"
#define FORMAT_VERSION 1
#define NORMALISATION_METHOD "median-iqr"

struct lt_anomaly_model {
	size_t d;
	size_t sizes[N_LAYERS + 1];   /* d h k h d */
	size_t w_off[N_LAYERS];       /* where each layer's weights start */
	size_t b_off[N_LAYERS];       /* and its bias */
	size_t n_params;
	double *params;
	char **names;                 /* d strings */
	double *center, *scale;       /* d each */
	bool *constant;               /* d */
	struct lt_anomaly_info info;  /* threshold, quantile, activation ... */
};

/* ---- GSL at the module's edge ---- */

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_quiet(void)
{
	gsl_set_error_handler_off();
}

/* Every public function that reaches GSL starts here: GSL's default
 * handler aborts the process, which a library must never do.  The calls
 * below cannot fail with valid sizes except gsl_rng_alloc, whose NULL is
 * checked. */
static void gsl_init(void)
{
	pthread_once(&gsl_once, gsl_quiet);
}

/* ---- the model ---- */

static void model_free(struct lt_anomaly_model *m)
{
	if (!m)
		return;
	if (m->names)
		for (size_t j = 0; j < m->d; j++)
			free(m->names[j]);
	free(m->names);
	free(m->params);
	free(m->center);
	free(m->scale);
	free(m->constant);
	free(m);
}

void lt_anomaly_free(struct lt_anomaly_model *m)
{
	model_free(m);
}

/* An empty model of the given widths (names NULL, weights 0); NULL when
 * out of memory.  The widths are within the limits, so no size
 * arithmetic below can overflow. */
static struct lt_anomaly_model *model_new(size_t d, size_t h, size_t k)
{
	struct lt_anomaly_model *m = calloc(1, sizeof *m);
	size_t off = 0;

	if (!m)
		return NULL;
	m->d = d;
	m->sizes[0] = d;
	m->sizes[1] = h;
	m->sizes[2] = k;
	m->sizes[3] = h;
	m->sizes[4] = d;
	for (size_t l = 0; l < N_LAYERS; l++) {
		m->w_off[l] = off;
		off += m->sizes[l + 1] * m->sizes[l];
		m->b_off[l] = off;
		off += m->sizes[l + 1];
	}
	m->n_params = off;
	m->params = calloc(off, sizeof *m->params);
	m->names = calloc(d, sizeof *m->names);
	m->center = calloc(d, sizeof *m->center);
	m->scale = calloc(d, sizeof *m->scale);
	m->constant = calloc(d, sizeof *m->constant);
	if (!m->params || !m->names || !m->center || !m->scale || !m->constant) {
		model_free(m);
		return NULL;
	}
	m->info.features = d;
	m->info.hidden = h;
	m->info.bottleneck = k;
	m->info.n_weights = off;
	return m;
}

static size_t default_hidden(size_t d)
{
	return d > 4 ? d : 4;
}

static size_t default_bottleneck(size_t d)
{
	size_t k = d / 3 > 2 ? d / 3 : 2;

	return k < d ? k : d - 1;
}

/* ---- batches ---- */

/* Room for a batch of up to `batch` vectors going through the network:
 * the activations of every layer (a[0] is the network's input, a[4] its
 * output), the gradients with respect to them (g[1..4]), and the
 * normalised vectors the output should match (target).  target differs
 * from a[0] only in constant features, which the input holds at 0. */
struct work {
	size_t batch;
	double *a[N_LAYERS + 1];
	double *g[N_LAYERS + 1];
	double *target;
};

static void work_free(struct work *w)
{
	for (size_t l = 0; l <= N_LAYERS; l++) {
		free(w->a[l]);
		free(w->g[l]);
	}
	free(w->target);
}

static bool work_init(struct work *w, const struct lt_anomaly_model *m,
		      size_t batch, bool with_gradients)
{
	memset(w, 0, sizeof *w);
	w->batch = batch;
	for (size_t l = 0; l <= N_LAYERS; l++) {
		if (!(w->a[l] = malloc(batch * m->sizes[l] * sizeof(double))))
			goto fail;
		if (with_gradients && l > 0 &&
		    !(w->g[l] = malloc(batch * m->sizes[l] * sizeof(double))))
			goto fail;
	}
	if (!(w->target = malloc(batch * m->d * sizeof(double))))
		goto fail;
	return true;
fail:
	work_free(w);
	return false;
}

/* Normalised values are clamped to this many standard deviations: a
 * vector that far out is anomalous whatever the network says, and the
 * clamp keeps every activation, loss and score finite however wild the
 * input (x - center can overflow a double). */
#define Z_LIMIT 1e6

/* Normalise vector x into row b of the batch. */
static void load_row(const struct lt_anomaly_model *m, struct work *w,
		     size_t b, const double *x)
{
	double *in = w->a[0] + b * m->d, *t = w->target + b * m->d;

	for (size_t j = 0; j < m->d; j++) {
		double z = (x[j] - m->center[j]) / m->scale[j];
		t[j] = z > Z_LIMIT ? Z_LIMIT : z < -Z_LIMIT ? -Z_LIMIT : z;
		in[j] = m->constant[j] ? 0.0 : t[j];
	}
}

/* Rows i0 .. i0 + B - 1 of X, or of X through the index rows when that
 * is not NULL, into the batch. */
static void load_batch(const struct lt_anomaly_model *m, struct work *w,
		       const double *X, const size_t *rows, size_t i0,
		       size_t B)
{
	for (size_t b = 0; b < B; b++) {
		size_t i = rows ? rows[i0 + b] : i0 + b;
		load_row(m, w, b, X + i * m->d);
	}
}

/* a[1..4] from a[0] for the first B rows of the batch. */
static void forward(const struct lt_anomaly_model *m, struct work *w,
		    size_t B)
{
	for (size_t l = 0; l < N_LAYERS; l++) {
		size_t in = m->sizes[l], out = m->sizes[l + 1];
		const double *W = m->params + m->w_off[l];
		const double *bias = m->params + m->b_off[l];
		double *z = w->a[l + 1];
		gsl_matrix_const_view A = gsl_matrix_const_view_array(w->a[l], B, in);
		gsl_matrix_const_view Wv = gsl_matrix_const_view_array(W, out, in);
		gsl_matrix_view Z = gsl_matrix_view_array(z, B, out);

		for (size_t b = 0; b < B; b++)
			memcpy(z + b * out, bias, out * sizeof *z);
		gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &A.matrix,
			       &Wv.matrix, 1.0, &Z.matrix);
		if (l == N_LAYERS - 1)
			continue;  /* the output layer is linear */
		if (m->info.activation == LT_ANOMALY_TANH) {
			for (size_t i = 0; i < B * out; i++)
				z[i] = tanh(z[i]);
		} else {
			for (size_t i = 0; i < B * out; i++)
				if (z[i] < 0)
					z[i] *= LEAKY_SLOPE;
		}
	}
}

/* The score of row b after forward(): the mean over features of the
 * squared difference between target and reconstruction, a constant
 * feature being rebuilt as its training value (0 once normalised).  With
 * contrib, each feature's share too.  The one place scores are summed, so
 * that training, lt_anomaly_score and lt_anomaly_score_many agree to the
 * last bit. */
static double row_score(const struct lt_anomaly_model *m,
			const struct work *w, size_t b, double *contrib)
{
	const double *t = w->target + b * m->d;
	const double *y = w->a[N_LAYERS] + b * m->d;
	double sum = 0;

	for (size_t j = 0; j < m->d; j++) {
		double r = t[j] - (m->constant[j] ? 0.0 : y[j]);
		double c = r * r / (double)m->d;
		if (contrib)
			contrib[j] = c;
		sum += c;
	}
	return sum;
}

/* The scores of count rows of X (through rows when not NULL) into scores
 * (may be NULL); returns their mean. */
static double score_rows(const struct lt_anomaly_model *m, struct work *w,
			 const double *X, const size_t *rows, size_t count,
			 double *scores)
{
	double total = 0;

	for (size_t i0 = 0; i0 < count; i0 += w->batch) {
		size_t B = count - i0 < w->batch ? count - i0 : w->batch;
		load_batch(m, w, X, rows, i0, B);
		forward(m, w, B);
		for (size_t b = 0; b < B; b++) {
			double s = row_score(m, w, b, NULL);
			if (scores)
				scores[i0 + b] = s;
			total += s;
		}
	}
	return count ? total / (double)count : 0.0;
}

/* ---- training ---- */

/* The gradient of the batch loss with respect to every parameter, into
 * grad, after forward(); returns the batch loss.  Uses w->g as scratch. */
static double backward(const struct lt_anomaly_model *m, struct work *w,
		       size_t B, double *grad)
{
	size_t d = m->d;
	double loss = 0, k = 2.0 / ((double)B * (double)d);
	double *gy = w->g[N_LAYERS];

	for (size_t b = 0; b < B; b++) {
		const double *t = w->target + b * d, *y = w->a[N_LAYERS] + b * d;
		for (size_t j = 0; j < d; j++) {
			/* A constant feature is not the network's to
			 * rebuild: no gradient, and its residual (the
			 * input's distance from the constant) is 0 in
			 * training anyway. */
			double r = m->constant[j] ? 0.0 : y[j] - t[j];
			loss += r * r;
			gy[b * d + j] = k * r;
		}
	}
	for (size_t l = N_LAYERS; l-- > 0;) {
		size_t in = m->sizes[l], out = m->sizes[l + 1];
		double *dz = w->g[l + 1], *a = w->a[l + 1];
		double *gw = grad + m->w_off[l], *gb = grad + m->b_off[l];
		gsl_matrix_view dZ = gsl_matrix_view_array(dz, B, out);
		gsl_matrix_const_view A = gsl_matrix_const_view_array(w->a[l], B, in);
		gsl_matrix_view GW = gsl_matrix_view_array(gw, out, in);

		if (l < N_LAYERS - 1) {
			if (m->info.activation == LT_ANOMALY_TANH) {
				for (size_t i = 0; i < B * out; i++)
					dz[i] *= 1.0 - a[i] * a[i];
			} else {
				for (size_t i = 0; i < B * out; i++)
					if (a[i] <= 0)
						dz[i] *= LEAKY_SLOPE;
			}
		}
		gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &dZ.matrix,
			       &A.matrix, 0.0, &GW.matrix);
		for (size_t i = 0; i < out; i++)
			gb[i] = 0;
		for (size_t b = 0; b < B; b++)
			for (size_t i = 0; i < out; i++)
				gb[i] += dz[b * out + i];
		if (l > 0) {
			gsl_matrix_const_view Wv =
				gsl_matrix_const_view_array(m->params + m->w_off[l], out, in);
			gsl_matrix_view dA = gsl_matrix_view_array(w->g[l], B, in);
			gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0,
				       &dZ.matrix, &Wv.matrix, 0.0, &dA.matrix);
		}
	}
	return loss / ((double)B * (double)d);
}

struct adam {
	double *m1, *m2;  /* first and second moment estimates */
	unsigned long step;
};

static void adam_step(struct lt_anomaly_model *m, struct adam *ad,
		      const double *grad, double lr)
{
	double c1, c2;

	ad->step++;
	c1 = 1.0 - pow(ADAM_BETA1, (double)ad->step);
	c2 = 1.0 - pow(ADAM_BETA2, (double)ad->step);
	for (size_t p = 0; p < m->n_params; p++) {
		double g = grad[p];
		ad->m1[p] = ADAM_BETA1 * ad->m1[p] + (1 - ADAM_BETA1) * g;
		ad->m2[p] = ADAM_BETA2 * ad->m2[p] + (1 - ADAM_BETA2) * g * g;
		m->params[p] -= lr * (ad->m1[p] / c1) /
				(sqrt(ad->m2[p] / c2) + ADAM_EPSILON);
	}
}

/* Uniform initial weights, biases 0.  Glorot's limit sqrt(6 / (in + out))
 * keeps the variance of tanh activations steady from layer to layer; He's
 * sqrt(6 / in) does the same for rectifiers, which zero half their
 * inputs.  The weights from a constant feature's input and into its
 * output stay 0: it has no part in the network (see anomaly.h), and
 * since its input is always 0 and its output gets no gradient, training
 * never moves them. */
static void init_weights(struct lt_anomaly_model *m, gsl_rng *rng)
{
	for (size_t l = 0; l < N_LAYERS; l++) {
		size_t in = m->sizes[l], out = m->sizes[l + 1];
		double limit = m->info.activation == LT_ANOMALY_TANH
				       ? sqrt(6.0 / (double)(in + out))
				       : sqrt(6.0 / (double)in);
		double *W = m->params + m->w_off[l];
		for (size_t i = 0; i < out; i++)
			for (size_t j = 0; j < in; j++) {
				double u = gsl_rng_uniform(rng);
				bool dead = (l == 0 && m->constant[j]) ||
					    (l == N_LAYERS - 1 && m->constant[i]);
				W[i * in + j] = dead ? 0.0 : (2 * u - 1) * limit;
			}
	}
}

/* A spread below this share of a feature's magnitude is rounding noise,
 * not variation: dividing by it would blow noise up into huge z. */
#define SPREAD_EPSILON 1e-9

/* Median and IQR (or standard deviation, or 1) of each feature, into m;
 * col is scratch for n doubles.  LT_EINVAL when a feature's spread is
 * too large for a double (values near +-1.8e308 on both sides). */
static lt_rc fit_normalisation(struct lt_anomaly_model *m, const double *X,
			       size_t n, double *col, struct lt_err *err)
{
	size_t d = m->d;

	for (size_t j = 0; j < d; j++) {
		double med, spread, tiny;

		for (size_t i = 0; i < n; i++)
			col[i] = X[i * d + j];
		gsl_sort(col, 1, n);
		med = gsl_stats_quantile_from_sorted_data(col, 1, n, 0.5);
		spread = (gsl_stats_quantile_from_sorted_data(col, 1, n, 0.75) -
			  gsl_stats_quantile_from_sorted_data(col, 1, n, 0.25)) /
			 IQR_PER_SD;
		tiny = SPREAD_EPSILON * (fabs(med) > 1 ? fabs(med) : 1);
		if (!(spread > tiny))
			spread = gsl_stats_sd(col, 1, n);
		if (!isfinite(spread))
			return lt_err_set(err, LT_EINVAL,
					  "X column %zu (%s): the values "
					  "spread wider than a double holds",
					  j, m->names[j]);
		m->center[j] = med;
		if (spread > tiny) {
			m->scale[j] = spread;
			m->constant[j] = false;
		} else {
			m->scale[j] = 1;
			m->constant[j] = true;
		}
	}
	return LT_OK;
}

void lt_anomaly_opts_init(struct lt_anomaly_opts *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->epochs = 200;
	opts->learning_rate = 1e-3;
	opts->batch_size = 0;
	opts->hidden = 0;
	opts->bottleneck = 0;
	opts->activation = LT_ANOMALY_TANH;
	opts->seed = 1;
	opts->quantile = 0.99;
	opts->validation_fraction = 0.1;
	opts->patience = 20;
	opts->progress = NULL;
	opts->progress_ctx = NULL;
}

static lt_rc check_opts(const struct lt_anomaly_opts *o, size_t d,
			struct lt_err *err)
{
	if (o->epochs < 1 || o->epochs > LT_ANOMALY_MAX_EPOCHS)
		return lt_err_set(err, LT_EINVAL,
				  "epochs: must be 1 .. %u, got %u",
				  LT_ANOMALY_MAX_EPOCHS, o->epochs);
	if (!(o->learning_rate > 0 && o->learning_rate <= 1))
		return lt_err_set(err, LT_EINVAL,
				  "learning_rate: must be > 0 and <= 1, got %g",
				  o->learning_rate);
	if (o->hidden > LT_ANOMALY_MAX_HIDDEN)
		return lt_err_set(err, LT_ELIMIT,
				  "hidden: at most %d units, got %zu",
				  LT_ANOMALY_MAX_HIDDEN, o->hidden);
	if (o->bottleneck >= d)
		return lt_err_set(err, LT_EINVAL,
				  "bottleneck: must be narrower than the %zu "
				  "features, got %zu (a network as wide as its "
				  "input learns to copy it, anomalies included)",
				  d, o->bottleneck);
	if (o->activation != LT_ANOMALY_TANH &&
	    o->activation != LT_ANOMALY_LEAKY_RELU)
		return lt_err_set(err, LT_EINVAL, "activation: unknown (%d)",
				  (int)o->activation);
	if (!(o->quantile > 0 && o->quantile < 1))
		return lt_err_set(err, LT_EINVAL,
				  "quantile: must be in (0, 1), got %g",
				  o->quantile);
	if (!(o->validation_fraction >= 0 && o->validation_fraction <= 0.5))
		return lt_err_set(err, LT_EINVAL,
				  "validation_fraction: must be in [0, 0.5], got %g",
				  o->validation_fraction);
	return LT_OK;
}

/* Feature names: d distinct, non-empty; NULL gives "f1" .. "fd". */
static lt_rc set_names(struct lt_anomaly_model *m,
		       const char *const *names, const char *what,
		       struct lt_err *err)
{
	size_t d = m->d;

	for (size_t j = 0; j < d; j++) {
		char buf[32];
		const char *s = buf;

		if (names) {
			s = names[j];
			if (!s || !*s)
				return lt_err_set(err, LT_EINVAL,
						  "%s[%zu]: empty feature name",
						  what, j);
			for (size_t i = 0; i < j; i++)
				if (strcmp(m->names[i], s) == 0)
					return lt_err_set(err, LT_EINVAL,
							  "%s[%zu]: '%s' is there twice",
							  what, j, s);
		} else {
			snprintf(buf, sizeof buf, "f%zu", j + 1);
		}
		if (!(m->names[j] = strdup(s)))
			return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	return LT_OK;
}

/* Fewer held-out vectors than this would stop training on noise: the
 * loss of 3 vectors (10 % of 30) moves more from epoch to epoch with the
 * luck of those 3 than with what the network learns. */
#define MIN_VALIDATION 10

/* The model being trained and what training needs besides. */
struct trainer {
	struct lt_anomaly_model *m;
	gsl_rng *rng;
	size_t *rows;        /* n: validation rows first, then the fitted */
	double *scores;      /* n: scratch, then the training scores */
	double *grad, *best;
	struct adam adam;
	struct work work;
};

static void trainer_free(struct trainer *t)
{
	if (t->rng)
		gsl_rng_free(t->rng);
	free(t->rows);
	free(t->scores);
	free(t->grad);
	free(t->best);
	free(t->adam.m1);
	free(t->adam.m2);
	work_free(&t->work);
	model_free(t->m);
}

/* Run the epochs: fills m's weights and its training figures. */
static lt_rc run_epochs(struct trainer *t, const double *X,
			const struct lt_anomaly_opts *o, struct lt_err *err)
{
	struct lt_anomaly_model *m = t->m;
	struct lt_anomaly_info *info = &m->info;
	size_t n_val = info->n_validation, n_fit = info->n_train;
	const size_t *val = t->rows, *fit_rows = t->rows + n_val;
	size_t *fit = t->rows + n_val;
	double best_loss = INFINITY;
	unsigned since_best = 0;

	info->initial_loss = score_rows(m, &t->work, X, fit_rows, n_fit, NULL);
	info->best_epoch = 0;
	memcpy(t->best, m->params, m->n_params * sizeof *t->best);
	for (unsigned e = 1; e <= o->epochs; e++) {
		struct lt_anomaly_progress p = {.epoch = e, .epochs = o->epochs,
						.validation_loss = NAN};
		double total = 0;

		gsl_ran_shuffle(t->rng, fit, n_fit, sizeof *fit);
		for (size_t i0 = 0; i0 < n_fit; i0 += t->work.batch) {
			size_t B = n_fit - i0 < t->work.batch ? n_fit - i0
							      : t->work.batch;
			load_batch(m, &t->work, X, fit, i0, B);
			forward(m, &t->work, B);
			total += backward(m, &t->work, B, t->grad) * (double)B;
			adam_step(m, &t->adam, t->grad, o->learning_rate);
		}
		p.train_loss = total / (double)n_fit;
		info->epochs_run = e;
		/* With finite, clamped inputs and Adam's bounded steps this
		 * has not been seen to happen; the check stays so that it
		 * could never produce a model of NaNs. */
		if (!isfinite(p.train_loss))
			return lt_err_set(err, LT_EINVAL,
					  "training diverged at epoch %u (the "
					  "loss is no longer finite): lower the "
					  "learning rate", e);
		if (n_val > 0) {
			p.validation_loss =
				score_rows(m, &t->work, X, val, n_val, NULL);
			if (p.validation_loss < best_loss) {
				best_loss = p.validation_loss;
				info->best_epoch = e;
				since_best = 0;
				memcpy(t->best, m->params,
				       m->n_params * sizeof *t->best);
			} else {
				since_best++;
			}
		} else {
			info->best_epoch = e;
		}
		if (o->progress && !o->progress(o->progress_ctx, &p))
			return lt_err_set(err, LT_EINTR,
					  "training stopped at epoch %u", e);
		if (n_val > 0 && o->patience > 0 && since_best >= o->patience)
			break;
	}
	if (n_val > 0)
		memcpy(m->params, t->best, m->n_params * sizeof *t->best);
	info->final_loss = score_rows(m, &t->work, X, fit_rows, n_fit, NULL);
	info->validation_loss = n_val > 0
		? score_rows(m, &t->work, X, val, n_val, NULL) : NAN;
	return LT_OK;
}

lt_rc lt_anomaly_train(const double *X, size_t n, size_t d,
		       const char *const *feature_names,
		       const struct lt_anomaly_opts *opts,
		       struct lt_anomaly_model **out, struct lt_err *err)
{
	struct lt_anomaly_opts defaults;
	struct trainer t = {0};
	struct lt_anomaly_info *info;
	size_t h, k, n_val, batch;
	lt_rc rc;

	gsl_init();
	if (!X || !out)
		return lt_err_set(err, LT_EUSAGE,
				  "lt_anomaly_train needs vectors and a result");
	if (!opts) {
		lt_anomaly_opts_init(&defaults);
		opts = &defaults;
	}
	if (d < 2)
		return lt_err_set(err, LT_EINVAL,
				  "need at least 2 features, got %zu: an "
				  "autoencoder learns how features move "
				  "together (score a single metric with a "
				  "threshold or a change-point test)", d);
	if (d > LT_ANOMALY_MAX_FEATURES)
		return lt_err_set(err, LT_ELIMIT,
				  "at most %d features, got %zu",
				  LT_ANOMALY_MAX_FEATURES, d);
	if (n < LT_ANOMALY_MIN_VECTORS)
		return lt_err_set(err, LT_EINVAL,
				  "need at least %d training vectors, got %zu",
				  LT_ANOMALY_MIN_VECTORS, n);
	if (n > SIZE_MAX / sizeof(double) / d)
		return lt_err_set(err, LT_ELIMIT, "%zu vectors of %zu "
				  "features do not fit in memory", n, d);
	if ((rc = check_opts(opts, d, err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			if (!isfinite(X[i * d + j]))
				return lt_err_set(
					err, LT_EINVAL,
					"X row %zu, column %zu%s%s%s: not a finite number",
					i, j, feature_names ? " (" : "",
					feature_names && feature_names[j]
						? feature_names[j] : "",
					feature_names ? ")" : "");

	h = opts->hidden ? opts->hidden : default_hidden(d);
	k = opts->bottleneck ? opts->bottleneck : default_bottleneck(d);
	if (!(t.m = model_new(d, h, k)))
		goto nomem;
	info = &t.m->info;
	if ((rc = set_names(t.m, feature_names, "feature_names", err)))
		goto fail;
	info->activation = opts->activation;
	info->epochs = opts->epochs;
	info->learning_rate = opts->learning_rate;
	info->seed = opts->seed;
	info->quantile = opts->quantile;

	/* The split: a random tenth rather than the newest, so that a drift
	 * in the history does not make the held-out loss incomparable. */
	n_val = (size_t)floor((double)n * opts->validation_fraction);
	if (n_val < MIN_VALIDATION || n - n_val < LT_ANOMALY_MIN_VECTORS)
		n_val = 0;
	info->n_validation = n_val;
	info->n_train = n - n_val;
	/* Auto: 32, but at least 8 steps per epoch, so that a short
	 * history (30 runs) gets the 1,600 steps or so it needs rather than
	 * one step per epoch. */
	batch = opts->batch_size;
	if (batch == 0) {
		batch = info->n_train / 8;
		batch = batch < 4 ? 4 : batch > 32 ? 32 : batch;
	}
	if (batch > info->n_train)
		batch = info->n_train;
	info->batch_size = batch;

	if (!(t.rng = gsl_rng_alloc(gsl_rng_mt19937)) ||
	    !(t.rows = malloc(n * sizeof *t.rows)) ||
	    !(t.scores = malloc(n * sizeof *t.scores)) ||
	    !(t.grad = malloc(t.m->n_params * sizeof *t.grad)) ||
	    !(t.best = malloc(t.m->n_params * sizeof *t.best)) ||
	    !(t.adam.m1 = calloc(t.m->n_params, sizeof *t.adam.m1)) ||
	    !(t.adam.m2 = calloc(t.m->n_params, sizeof *t.adam.m2)) ||
	    !work_init(&t.work, t.m, batch, true))
		goto nomem;
	gsl_rng_set(t.rng, opts->seed);

	if ((rc = fit_normalisation(t.m, X, n, t.scores, err)))
		goto fail;
	for (size_t i = 0; i < n; i++)
		t.rows[i] = i;
	gsl_ran_shuffle(t.rng, t.rows, n, sizeof *t.rows);
	init_weights(t.m, t.rng);
	if ((rc = run_epochs(&t, X, opts, err)))
		goto fail;

	/* The threshold from every training vector: see anomaly.h. */
	score_rows(t.m, &t.work, X, NULL, n, t.scores);
	gsl_sort(t.scores, 1, n);
	info->threshold =
		gsl_stats_quantile_from_sorted_data(t.scores, 1, n, opts->quantile);
	*out = t.m;
	t.m = NULL;
	trainer_free(&t);
	return LT_OK;
nomem:
	rc = lt_err_set(err, LT_ENOMEM, "out of memory");
fail:
	trainer_free(&t);
	return rc;
}

/* ---- scoring ---- */

static lt_rc check_vector(const struct lt_anomaly_model *m, const double *x,
			  size_t row, bool many, struct lt_err *err)
{
	for (size_t j = 0; j < m->d; j++) {
		if (isfinite(x[j]))
			continue;
		if (many)
			return lt_err_set(err, LT_EINVAL,
					  "X row %zu, column %zu (%s): not a "
					  "finite number", row, j, m->names[j]);
		return lt_err_set(err, LT_EINVAL,
				  "x[%zu] (%s): not a finite number", j,
				  m->names[j]);
	}
	return LT_OK;
}

lt_rc lt_anomaly_score(const struct lt_anomaly_model *m, const double *x,
		       size_t d, struct lt_anomaly_score *out,
		       double *contributions, double *expected,
		       struct lt_err *err)
{
	struct work w;
	struct lt_anomaly_score s = {0};
	double *contrib = contributions;
	lt_rc rc;

	gsl_init();
	if (!m || !x || !out)
		return lt_err_set(err, LT_EUSAGE,
				  "lt_anomaly_score needs a model, a vector "
				  "and a result");
	if (d != m->d)
		return lt_err_set(err, LT_EINVAL,
				  "the model reads %zu features, got %zu",
				  m->d, d);
	if ((rc = check_vector(m, x, 0, false, err)))
		return rc;
	if (!work_init(&w, m, 1, false))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	/* top_feature needs the contributions even when the caller does
	 * not want them: a[0], the input, is free once the forward pass is
	 * done and holds d doubles. */
	load_row(m, &w, 0, x);
	forward(m, &w, 1);
	if (!contrib)
		contrib = w.a[0];
	s.score = row_score(m, &w, 0, contrib);
	for (size_t j = 1; j < d; j++)
		if (contrib[j] > contrib[s.top_feature])
			s.top_feature = j;
	if (expected)
		for (size_t j = 0; j < d; j++)
			expected[j] = m->constant[j]
				? m->center[j]
				: m->center[j] + m->scale[j] * w.a[N_LAYERS][j];
	s.threshold = m->info.threshold;
	s.anomalous = s.score > s.threshold;
	work_free(&w);
	*out = s;
	return LT_OK;
}

/* Batches for lt_anomaly_score_many: big enough that dgemm, not the loop
 * around it, takes the time; small enough to stay in cache. */
#define SCORE_BATCH 256

lt_rc lt_anomaly_score_many(const struct lt_anomaly_model *m,
			    const double *X, size_t n, size_t d,
			    double *scores, struct lt_err *err)
{
	struct work w;
	lt_rc rc;

	gsl_init();
	if (!m || (n && (!X || !scores)))
		return lt_err_set(err, LT_EUSAGE,
				  "lt_anomaly_score_many needs a model, "
				  "vectors and room for the scores");
	if (d != m->d)
		return lt_err_set(err, LT_EINVAL,
				  "the model reads %zu features, got %zu",
				  m->d, d);
	for (size_t i = 0; i < n; i++)
		if ((rc = check_vector(m, X + i * d, i, true, err)))
			return rc;
	if (n == 0)
		return LT_OK;
	if (!work_init(&w, m, n < SCORE_BATCH ? n : SCORE_BATCH, false))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	score_rows(m, &w, X, NULL, n, scores);
	work_free(&w);
	return LT_OK;
}

lt_rc lt_anomaly_check_features(const struct lt_anomaly_model *m,
				const char *const *names, size_t d,
				struct lt_err *err)
{
	if (!m || (d && !names))
		return lt_err_set(err, LT_EUSAGE,
				  "lt_anomaly_check_features needs a model "
				  "and names");
	if (d != m->d)
		return lt_err_set(err, LT_EINVAL,
				  "the model reads %zu features, got %zu",
				  m->d, d);
	for (size_t j = 0; j < d; j++)
		if (!names[j] || strcmp(names[j], m->names[j]) != 0)
			return lt_err_set(err, LT_EINVAL,
					  "feature %zu: the model reads '%s', "
					  "got '%s'", j, m->names[j],
					  names[j] ? names[j] : "(null)");
	return LT_OK;
}

/* ---- accessors ---- */

size_t lt_anomaly_features(const struct lt_anomaly_model *m)
{
	return m->d;
}

const char *lt_anomaly_feature_name(const struct lt_anomaly_model *m,
				    size_t i)
{
	return i < m->d ? m->names[i] : NULL;
}

double lt_anomaly_threshold(const struct lt_anomaly_model *m)
{
	return m->info.threshold;
}

void lt_anomaly_info(const struct lt_anomaly_model *m,
		     struct lt_anomaly_info *out)
{
	*out = m->info;
}

const char *lt_anomaly_activation_name(lt_anomaly_activation a)
{
	/* No default: the compiler names an activation left out. */
	switch (a) {
	case LT_ANOMALY_TANH: return "tanh";
	case LT_ANOMALY_LEAKY_RELU: return "leaky_relu";
	}
	return "unknown";
}

/* ---- JSON out ---- */

/* A number as JSON.  exact: a non-integer goes in as raw text with 17
 * significant digits, which read back as the same double (cJSON would
 * print 15 whenever those come back within an epsilon).  The caller has
 * LC_NUMERIC at "C" for the thread.  Integers below 2^53 print exactly
 * either way. */
static cJSON *jnum(double v, bool exact)
{
	char buf[40];

	if (!exact || (v == floor(v) && fabs(v) < 9007199254740992.0))
		return cJSON_CreateNumber(v);
	snprintf(buf, sizeof buf, "%.17g", v);
	return cJSON_CreateRaw(buf);
}

/* Add item to obj (or to an array when name is NULL); false, with item
 * freed, when item is NULL or out of memory. */
static bool jadd(cJSON *obj, const char *name, cJSON *item)
{
	if (!item)
		return false;
	if (name ? !cJSON_AddItemToObject(obj, name, item)
		 : !cJSON_AddItemToArray(obj, item)) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

static cJSON *jdoubles(const double *v, size_t n, bool exact)
{
	cJSON *a = cJSON_CreateArray();

	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!jadd(a, NULL, jnum(v[i], exact))) {
			cJSON_Delete(a);
			return NULL;
		}
	return a;
}

static cJSON *build_json(const struct lt_anomaly_model *m, bool exact)
{
	const struct lt_anomaly_info *in = &m->info;
	cJSON *root = cJSON_CreateObject(), *a, *layers, *norm, *tr;
	bool ok = root != NULL;

	ok = ok && jadd(root, "type", cJSON_CreateString(FORMAT_NAME));
	ok = ok && jadd(root, "v", cJSON_CreateNumber(FORMAT_VERSION));
	ok = ok && jadd(root, "features", a = cJSON_CreateArray());
	for (size_t j = 0; ok && j < m->d; j++)
		ok = jadd(a, NULL, cJSON_CreateString(m->names[j]));
	ok = ok && jadd(root, "activation", cJSON_CreateString(
				lt_anomaly_activation_name(in->activation)));
	ok = ok && jadd(root, "sizes", a = cJSON_CreateArray());
	for (size_t l = 0; ok && l <= N_LAYERS; l++)
		ok = jadd(a, NULL, cJSON_CreateNumber((double)m->sizes[l]));
	ok = ok && jadd(root, "layers", layers = cJSON_CreateArray());
	for (size_t l = 0; ok && l < N_LAYERS; l++) {
		size_t in_w = m->sizes[l], out_w = m->sizes[l + 1];
		cJSON *layer, *rows;
		ok = jadd(layers, NULL, layer = cJSON_CreateObject()) &&
		     jadd(layer, "weights", rows = cJSON_CreateArray());
		for (size_t i = 0; ok && i < out_w; i++)
			ok = jadd(rows, NULL,
				  jdoubles(m->params + m->w_off[l] + i * in_w,
					   in_w, exact));
		ok = ok && jadd(layer, "bias", jdoubles(m->params + m->b_off[l],
							out_w, exact));
	}
	ok = ok && jadd(root, "normalisation", norm = cJSON_CreateObject());
	ok = ok && jadd(norm, "method", cJSON_CreateString(NORMALISATION_METHOD));
	ok = ok && jadd(norm, "center", jdoubles(m->center, m->d, exact));
	ok = ok && jadd(norm, "scale", jdoubles(m->scale, m->d, exact));
	ok = ok && jadd(norm, "constant", a = cJSON_CreateArray());
	for (size_t j = 0; ok && j < m->d; j++)
		ok = jadd(a, NULL, cJSON_CreateBool(m->constant[j]));
	ok = ok && jadd(root, "quantile", jnum(in->quantile, exact));
	ok = ok && jadd(root, "threshold", jnum(in->threshold, exact));
	ok = ok && jadd(root, "training", tr = cJSON_CreateObject());
	ok = ok && jadd(tr, "n", cJSON_CreateNumber((double)in->n_train));
	ok = ok && jadd(tr, "n_validation",
			cJSON_CreateNumber((double)in->n_validation));
	ok = ok && jadd(tr, "epochs", cJSON_CreateNumber(in->epochs));
	ok = ok && jadd(tr, "epochs_run", cJSON_CreateNumber(in->epochs_run));
	ok = ok && jadd(tr, "best_epoch", cJSON_CreateNumber(in->best_epoch));
	ok = ok && jadd(tr, "batch_size",
			cJSON_CreateNumber((double)in->batch_size));
	ok = ok && jadd(tr, "learning_rate", jnum(in->learning_rate, exact));
	ok = ok && jadd(tr, "seed", cJSON_CreateNumber(in->seed));
	ok = ok && jadd(tr, "initial_loss", jnum(in->initial_loss, exact));
	ok = ok && jadd(tr, "final_loss", jnum(in->final_loss, exact));
	ok = ok && jadd(tr, "validation_loss",
			isnan(in->validation_loss)
				? cJSON_CreateNull()
				: jnum(in->validation_loss, exact));
	if (!ok) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

cJSON *lt_anomaly_to_json(const struct lt_anomaly_model *m)
{
	return m ? build_json(m, false) : NULL;
}

lt_rc lt_anomaly_to_text(const struct lt_anomaly_model *m, char **out,
			 struct lt_err *err)
{
	locale_t c_locale, old = (locale_t)0;
	cJSON *root;
	char *text = NULL;

	if (!m || !out)
		return lt_err_set(err, LT_EUSAGE,
				  "lt_anomaly_to_text needs a model and a result");
	/* "%.17g" follows LC_NUMERIC, and a program that set a locale with
	 * a decimal comma would write JSON nobody can read: switch this
	 * thread (only) to "C" while printing. */
	if (!(c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	old = uselocale(c_locale);
	root = build_json(m, true);
	if (root)
		text = cJSON_PrintUnformatted(root);
	uselocale(old);
	freelocale(c_locale);
	cJSON_Delete(root);
	if (!text)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	*out = text;
	return LT_OK;
}

/* ---- JSON in ---- */

/* The member name of obj, whose path is prefix ("" at the root, else
 * ending in "."). */
static lt_rc jget(const cJSON *obj, const char *prefix, const char *name,
		  const cJSON **item, struct lt_err *err)
{
	if (!(*item = cJSON_GetObjectItemCaseSensitive(obj, name)))
		return lt_err_set(err, LT_EINVAL, "%s%s: missing", prefix, name);
	return LT_OK;
}

static lt_rc jfinite(const cJSON *item, const char *path, double *v,
		     struct lt_err *err)
{
	if (!cJSON_IsNumber(item))
		return lt_err_set(err, LT_EINVAL, "%s: must be a number", path);
	if (!isfinite(item->valuedouble))
		return lt_err_set(err, LT_EINVAL, "%s: not a finite number",
				  path);
	*v = item->valuedouble;
	return LT_OK;
}

static lt_rc jget_number(const cJSON *obj, const char *prefix,
			 const char *name, double *v, struct lt_err *err)
{
	const cJSON *item;
	char path[128];
	lt_rc rc;

	if ((rc = jget(obj, prefix, name, &item, err)))
		return rc;
	snprintf(path, sizeof path, "%s%s", prefix, name);
	return jfinite(item, path, v, err);
}

/* An integer member in [lo, hi]; out of range past hi is LT_ELIMIT when
 * limit is set (a width), LT_EINVAL otherwise. */
static lt_rc jint(const cJSON *item, const char *path, double lo, double hi,
		  bool limit, double *v, struct lt_err *err)
{
	double x;
	lt_rc rc;

	if ((rc = jfinite(item, path, &x, err)))
		return rc;
	if (x != floor(x) || x < lo)
		return lt_err_set(err, LT_EINVAL,
				  "%s: must be an integer >= %.0f, got %.17g",
				  path, lo, x);
	if (x > hi)
		return lt_err_set(err, limit ? LT_ELIMIT : LT_EINVAL,
				  "%s: at most %.0f, got %.17g", path, hi, x);
	*v = x;
	return LT_OK;
}

static lt_rc jget_int(const cJSON *obj, const char *prefix, const char *name,
		      double lo, double hi, double *v, struct lt_err *err)
{
	const cJSON *item;
	char path[128];
	lt_rc rc;

	if ((rc = jget(obj, prefix, name, &item, err)))
		return rc;
	snprintf(path, sizeof path, "%s%s", prefix, name);
	return jint(item, path, lo, hi, false, v, err);
}

/* arr must be an array of exactly n finite numbers, into v. */
static lt_rc jdoubles_in(const cJSON *arr, const char *path, size_t n,
			 double *v, struct lt_err *err)
{
	const cJSON *item;
	size_t i = 0;
	int size;
	lt_rc rc;

	if (!cJSON_IsArray(arr))
		return lt_err_set(err, LT_EINVAL, "%s: must be an array", path);
	size = cJSON_GetArraySize(arr);
	if ((size_t)size != n)
		return lt_err_set(err, LT_EINVAL,
				  "%s: %d numbers, expected %zu", path, size, n);
	cJSON_ArrayForEach(item, arr) {
		char ipath[160];
		snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
		if ((rc = jfinite(item, ipath, &v[i], err)))
			return rc;
		i++;
	}
	return LT_OK;
}

/* "sizes": d h k h d within the limits; the hidden widths into h, k. */
static lt_rc read_sizes(const cJSON *root, size_t d, size_t *h, size_t *k,
			struct lt_err *err)
{
	const cJSON *arr, *item;
	double w[N_LAYERS + 1];
	size_t i = 0;
	lt_rc rc;

	if ((rc = jget(root, "", "sizes", &arr, err)))
		return rc;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != N_LAYERS + 1)
		return lt_err_set(err, LT_EINVAL,
				  "sizes: must be an array of %d widths "
				  "(d h k h d)", N_LAYERS + 1);
	cJSON_ArrayForEach(item, arr) {
		char path[32];
		snprintf(path, sizeof path, "sizes[%zu]", i);
		if ((rc = jint(item, path, 1, LT_ANOMALY_MAX_HIDDEN, true,
			       &w[i], err)))
			return rc;
		i++;
	}
	if (w[0] != (double)d || w[4] != (double)d)
		return lt_err_set(err, LT_EINVAL,
				  "sizes: the first and last widths must be "
				  "the %zu features, got %.0f and %.0f",
				  d, w[0], w[4]);
	if (w[1] != w[3])
		return lt_err_set(err, LT_EINVAL,
				  "sizes: the two outer hidden widths differ "
				  "(%.0f and %.0f)", w[1], w[3]);
	if (w[2] >= (double)d)
		return lt_err_set(err, LT_EINVAL,
				  "sizes[2]: the bottleneck (%.0f) must be "
				  "narrower than the %zu features", w[2], d);
	*h = (size_t)w[1];
	*k = (size_t)w[2];
	return LT_OK;
}

/* "features": an array of 2 .. LT_ANOMALY_MAX_FEATURES strings, its
 * size into d (the names are checked when copied, by set_names). */
static lt_rc read_features(const cJSON *root, const cJSON **arr, size_t *d,
			   struct lt_err *err)
{
	const cJSON *item;
	size_t i = 0;
	int size;
	lt_rc rc;

	if ((rc = jget(root, "", "features", arr, err)))
		return rc;
	if (!cJSON_IsArray(*arr))
		return lt_err_set(err, LT_EINVAL, "features: must be an array");
	size = cJSON_GetArraySize(*arr);
	if (size < 2)
		return lt_err_set(err, LT_EINVAL,
				  "features: need at least 2, got %d", size);
	if (size > LT_ANOMALY_MAX_FEATURES)
		return lt_err_set(err, LT_ELIMIT,
				  "features: at most %d, got %d",
				  LT_ANOMALY_MAX_FEATURES, size);
	cJSON_ArrayForEach(item, *arr) {
		if (!cJSON_IsString(item))
			return lt_err_set(err, LT_EINVAL,
					  "features[%zu]: must be a string", i);
		i++;
	}
	*d = (size_t)size;
	return LT_OK;
}

static lt_rc read_layers(const cJSON *root, struct lt_anomaly_model *m,
			 struct lt_err *err)
{
	const cJSON *layers, *layer;
	size_t l = 0;
	lt_rc rc;

	if ((rc = jget(root, "", "layers", &layers, err)))
		return rc;
	if (!cJSON_IsArray(layers) ||
	    cJSON_GetArraySize(layers) != N_LAYERS)
		return lt_err_set(err, LT_EINVAL,
				  "layers: must be an array of %d layers",
				  N_LAYERS);
	cJSON_ArrayForEach(layer, layers) {
		size_t in = m->sizes[l], out = m->sizes[l + 1], i = 0;
		const cJSON *rows, *row;
		char prefix[32], path[64];

		snprintf(prefix, sizeof prefix, "layers[%zu].", l);
		if (!cJSON_IsObject(layer))
			return lt_err_set(err, LT_EINVAL,
					  "layers[%zu]: must be an object", l);
		if ((rc = jget(layer, prefix, "weights", &rows, err)))
			return rc;
		if (!cJSON_IsArray(rows))
			return lt_err_set(err, LT_EINVAL,
					  "%sweights: must be an array", prefix);
		if ((size_t)cJSON_GetArraySize(rows) != out)
			return lt_err_set(err, LT_EINVAL,
					  "%sweights: %d rows, expected %zu",
					  prefix, cJSON_GetArraySize(rows), out);
		cJSON_ArrayForEach(row, rows) {
			snprintf(path, sizeof path, "%sweights[%zu]", prefix, i);
			if ((rc = jdoubles_in(row, path, in,
					      m->params + m->w_off[l] + i * in,
					      err)))
				return rc;
			i++;
		}
		if ((rc = jget(layer, prefix, "bias", &rows, err)))
			return rc;
		snprintf(path, sizeof path, "%sbias", prefix);
		if ((rc = jdoubles_in(rows, path, out, m->params + m->b_off[l],
				      err)))
			return rc;
		l++;
	}
	return LT_OK;
}

static lt_rc read_normalisation(const cJSON *root,
				struct lt_anomaly_model *m, struct lt_err *err)
{
	const cJSON *norm, *item;
	size_t j = 0;
	lt_rc rc;

	if ((rc = jget(root, "", "normalisation", &norm, err)))
		return rc;
	if (!cJSON_IsObject(norm))
		return lt_err_set(err, LT_EINVAL,
				  "normalisation: must be an object");
	if ((rc = jget(norm, "normalisation.", "method", &item, err)))
		return rc;
	if (!cJSON_IsString(item) ||
	    strcmp(item->valuestring, NORMALISATION_METHOD) != 0)
		return lt_err_set(err, LT_EINVAL,
				  "normalisation.method: must be \"%s\"",
				  NORMALISATION_METHOD);
	if ((rc = jget(norm, "normalisation.", "center", &item, err)) ||
	    (rc = jdoubles_in(item, "normalisation.center", m->d, m->center,
			      err)))
		return rc;
	if ((rc = jget(norm, "normalisation.", "scale", &item, err)) ||
	    (rc = jdoubles_in(item, "normalisation.scale", m->d, m->scale,
			      err)))
		return rc;
	for (j = 0; j < m->d; j++)
		if (!(m->scale[j] > 0))
			return lt_err_set(err, LT_EINVAL,
					  "normalisation.scale[%zu]: must be "
					  "> 0, got %.17g", j, m->scale[j]);
	if ((rc = jget(norm, "normalisation.", "constant", &item, err)))
		return rc;
	if (!cJSON_IsArray(item) || (size_t)cJSON_GetArraySize(item) != m->d)
		return lt_err_set(err, LT_EINVAL,
				  "normalisation.constant: must be an array "
				  "of %zu booleans", m->d);
	j = 0;
	{
		const cJSON *b;
		cJSON_ArrayForEach(b, item) {
			if (!cJSON_IsBool(b))
				return lt_err_set(err, LT_EINVAL,
						  "normalisation.constant[%zu]: "
						  "must be true or false", j);
			m->constant[j++] = cJSON_IsTrue(b);
		}
	}
	return LT_OK;
}

static lt_rc read_training(const cJSON *root, struct lt_anomaly_model *m,
			   struct lt_err *err)
{
	struct lt_anomaly_info *in = &m->info;
	const cJSON *tr, *item;
	double v;
	lt_rc rc;
	const char *p = "training.";

	if ((rc = jget(root, "", "training", &tr, err)))
		return rc;
	if (!cJSON_IsObject(tr))
		return lt_err_set(err, LT_EINVAL, "training: must be an object");
	/* Counts are whole numbers below 2^53, where doubles are exact. */
	if ((rc = jget_int(tr, p, "n", 1, 9007199254740991.0, &v, err)))
		return rc;
	in->n_train = (size_t)v;
	if ((rc = jget_int(tr, p, "n_validation", 0, 9007199254740991.0, &v,
			   err)))
		return rc;
	in->n_validation = (size_t)v;
	if ((rc = jget_int(tr, p, "epochs", 1, LT_ANOMALY_MAX_EPOCHS, &v, err)))
		return rc;
	in->epochs = (unsigned)v;
	if ((rc = jget_int(tr, p, "epochs_run", 0, in->epochs, &v, err)))
		return rc;
	in->epochs_run = (unsigned)v;
	if ((rc = jget_int(tr, p, "best_epoch", 0, in->epochs_run, &v, err)))
		return rc;
	in->best_epoch = (unsigned)v;
	if ((rc = jget_int(tr, p, "batch_size", 1, 9007199254740991.0, &v,
			   err)))
		return rc;
	in->batch_size = (size_t)v;
	if ((rc = jget_number(tr, p, "learning_rate", &in->learning_rate, err)))
		return rc;
	if ((rc = jget_int(tr, p, "seed", 0, UINT32_MAX, &v, err)))
		return rc;
	in->seed = (uint32_t)v;
	if ((rc = jget_number(tr, p, "initial_loss", &in->initial_loss, err)) ||
	    (rc = jget_number(tr, p, "final_loss", &in->final_loss, err)))
		return rc;
	if ((rc = jget(tr, p, "validation_loss", &item, err)))
		return rc;
	if (cJSON_IsNull(item))
		in->validation_loss = NAN;
	else if ((rc = jfinite(item, "training.validation_loss",
			       &in->validation_loss, err)))
		return rc;
	return LT_OK;
}

lt_rc lt_anomaly_from_json(const cJSON *root, struct lt_anomaly_model **out,
			   struct lt_err *err)
{
	struct lt_anomaly_model *m = NULL;
	const cJSON *item, *features;
	size_t d = 0, h = 0, k = 0;
	double v;
	lt_rc rc;

	if (!out)
		return lt_err_set(err, LT_EUSAGE,
				  "lt_anomaly_from_json needs a result");
	if (!cJSON_IsObject(root))
		return lt_err_set(err, LT_EINVAL, "the model must be a JSON object");
	if ((rc = jget(root, "", "type", &item, err)))
		return rc;
	if (!cJSON_IsString(item) || strcmp(item->valuestring, FORMAT_NAME))
		return lt_err_set(err, LT_EINVAL, "type: must be \"%s\"",
				  FORMAT_NAME);
	if ((rc = jget_int(root, "", "v", 1, 1e9, &v, err)))
		return rc;
	if (v != FORMAT_VERSION)
		return lt_err_set(err, LT_EINVAL,
				  "v: version %.0f is not one this lt reads "
				  "(%d)", v, FORMAT_VERSION);
	if ((rc = read_features(root, &features, &d, err)) ||
	    (rc = read_sizes(root, d, &h, &k, err)))
		return rc;
	if (!(m = model_new(d, h, k)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	{
		const char **names = malloc(d * sizeof *names);
		size_t j = 0;
		if (!names) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto fail;
		}
		cJSON_ArrayForEach(item, features)
			names[j++] = item->valuestring;
		rc = set_names(m, names, "features", err);
		free(names);
		if (rc)
			goto fail;
	}
	if ((rc = jget(root, "", "activation", &item, err)))
		goto fail;
	if (cJSON_IsString(item) && strcmp(item->valuestring, "tanh") == 0)
		m->info.activation = LT_ANOMALY_TANH;
	else if (cJSON_IsString(item) &&
		 strcmp(item->valuestring, "leaky_relu") == 0)
		m->info.activation = LT_ANOMALY_LEAKY_RELU;
	else {
		rc = lt_err_set(err, LT_EINVAL,
				"activation: must be \"tanh\" or \"leaky_relu\"");
		goto fail;
	}
	if ((rc = read_layers(root, m, err)) ||
	    (rc = read_normalisation(root, m, err)))
		goto fail;
	if ((rc = jget_number(root, "", "quantile", &m->info.quantile, err)))
		goto fail;
	if (!(m->info.quantile > 0 && m->info.quantile < 1)) {
		rc = lt_err_set(err, LT_EINVAL,
				"quantile: must be in (0, 1), got %.17g",
				m->info.quantile);
		goto fail;
	}
	if ((rc = jget_number(root, "", "threshold", &m->info.threshold, err)))
		goto fail;
	if (m->info.threshold < 0) {
		rc = lt_err_set(err, LT_EINVAL,
				"threshold: must be >= 0, got %.17g",
				m->info.threshold);
		goto fail;
	}
	if ((rc = read_training(root, m, err)))
		goto fail;
	*out = m;
	return LT_OK;
fail:
	model_free(m);
	return rc;
}

lt_rc lt_anomaly_from_text(const char *text, struct lt_anomaly_model **out,
			   struct lt_err *err)
{
	const char *end = NULL;
	cJSON *root;
	lt_rc rc;

	if (!text || !out)
		return lt_err_set(err, LT_EUSAGE,
				  "lt_anomaly_from_text needs text and a result");
	/* The length counts the NUL: cJSON looks for it there. */
	root = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, true);
	if (!root)
		return lt_err_set(err, LT_EINVAL, "not JSON (at byte %zu)",
				  end && end >= text ? (size_t)(end - text) : 0);
	rc = lt_anomaly_from_json(root, out, err);
	cJSON_Delete(root);
	return rc;
}
