/* bench.c -- benchmark runner: statistics, command runs, built-in suites,
 * recommendations, the status file.  The contract is in bench.h; this
 * file is laid out in that order.
 */
#include "bench.h"

#include "db.h"
#include "engine.h"
#include "hist.h"
#include "ndjson.h"
#include "scenario.h"
#include "stats.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- small helpers ---- */

static double mono_s(void)
{
	return (double)lti_mono_ns() / 1e9;
}

/* x rounded to 6 significant digits: what the records carry.  Timer
 * resolution and run-to-run noise make more digits meaningless, and
 * "100.613" reads better than "100.61287640000001". */
static double round_sig(double x)
{
	if (x == 0 || !isfinite(x))
		return x;
	double scale = pow(10, 5 - floor(log10(fabs(x))));
	double r = round(x * scale) / scale;
	return isfinite(r) ? r : x;
}

/* xorshift64*: a fast, reproducible generator for test data; benchmarks
 * need the same inputs on every machine, not cryptographic quality. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* A uniform double in [0, 1). */
static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* Keep the compiler from proving a loop's work unused or hoisting it out
 * of the timed region. */
static void clobber(const void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* v in 4 or so significant digits without an exponent, for messages:
 * "101.6", "0.0125", "17224". */
static const char *fig(double v, char buf[32])
{
	double a = fabs(v);
	if (v == 0)
		return "0";
	snprintf(buf, 32, a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f"
			  : a >= 0.1 ? "%.3f" : "%.3g", v);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ---- statistics ---- */

static lt_rc check_values(const double *x, size_t n, struct lt_err *err)
{
	if (n == 0 || !x)
		return lt_err_set(err, LT_EINVAL, "no values");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return lt_err_set(err, LT_EINVAL, "value %zu is not a finite number", i + 1);
	return LT_OK;
}

static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The scores of x against its median med: one sort, of the deviations. */
static lt_rc scores(const double *x, size_t n, double med, double *z, struct lt_err *err)
{
	double *dev, mad;

	if (n < LT_BENCH_OUTLIER_MIN_N) {
		for (size_t i = 0; i < n; i++)
			z[i] = 0;
		return LT_OK;
	}
	if (!(dev = malloc(n * sizeof *dev)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(x[i] - med);
	qsort(dev, n, sizeof *dev, cmp_double);
	mad = median_sorted(dev, n);
	free(dev);
	if (mad < LT_BENCH_MAD_FLOOR * fabs(med))
		mad = LT_BENCH_MAD_FLOOR * fabs(med);
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - med;
		if (mad > 0)
			z[i] = 0.6745 * d / mad;
		else
			z[i] = d == 0 ? 0 : copysign(INFINITY, d);
	}
	return LT_OK;
}

lt_rc lt_bench_modified_z(const double *x, size_t n, double *z, struct lt_err *err)
{
	double *s, med;
	lt_rc rc;

	if ((rc = check_values(x, n, err)) != LT_OK)
		return rc;
	if (!(s = malloc(n * sizeof *s)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	med = median_sorted(s, n);
	free(s);
	return scores(x, n, med, z, err);
}

lt_rc lt_bench_stats_compute(const double *x, size_t n, struct lt_bench_stats *out,
			     struct lt_err *err)
{
	struct lt_bench_stats st = {.n = n};
	double *s = NULL, *z = NULL, sum = 0, ss = 0;
	lt_rc rc;

	if ((rc = check_values(x, n, err)) != LT_OK)
		return rc;
	s = malloc(n * sizeof *s);
	z = malloc(n * sizeof *z);
	if (!s || !z) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.median = median_sorted(s, n);
	/* Two passes: the mean first, then squares of deviations from it,
	 * which keeps the variance of values like 100.0001, 100.0002 from
	 * cancelling away. */
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	st.mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - st.mean) * (x[i] - st.mean);
	/* Rounding can put the mean a hair outside [min, max] when every
	 * value is equal; readers check that it is inside. */
	if (st.mean < st.min)
		st.mean = st.min;
	if (st.mean > st.max)
		st.mean = st.max;
	if (n >= 2) {
		double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
		double half;
		st.stddev = sqrt(ss / (double)(n - 1));
		half = t * st.stddev / sqrt((double)n);
		st.has_ci95 = true;
		st.ci95_lo = st.mean - half;
		st.ci95_hi = st.mean + half;
	}
	if ((rc = scores(x, n, st.median, z, err)) != LT_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (z[i] > LT_BENCH_OUTLIER_Z)
			st.outliers_high++;
		else if (z[i] < -LT_BENCH_OUTLIER_Z)
			st.outliers_low++;
	}
	*out = st;
out:
	free(s);
	free(z);
	return rc;
}

lt_rc lt_bench_ratio_compute(const struct lt_bench_stats *num,
			     const struct lt_bench_stats *den,
			     struct lt_bench_ratio *out, struct lt_err *err)
{
	struct lt_bench_ratio r;
	double a, b, half;

	if (num->n < 2 || den->n < 2)
		return lt_err_set(err, LT_EINVAL, "a ratio needs at least 2 runs of each");
	if (!(num->mean > 0) || !(den->mean > 0))
		return lt_err_set(err, LT_EINVAL, "a ratio needs means above 0");
	r.ratio = num->mean / den->mean;
	a = num->stddev * num->stddev / ((double)num->n * num->mean * num->mean);
	b = den->stddev * den->stddev / ((double)den->n * den->mean * den->mean);
	if (a + b == 0) {
		r.df = (double)(num->n + den->n - 2);
		half = 0;
	} else {
		r.df = (a + b) * (a + b) /
		       (a * a / (double)(num->n - 1) + b * b / (double)(den->n - 1));
		half = gsl_cdf_tdist_Pinv(0.975, r.df) * r.ratio * sqrt(a + b);
	}
	r.ci95_lo = r.ratio - half;
	r.ci95_hi = r.ratio + half;
	*out = r;
	return LT_OK;
}

/* ---- running one command ---- */

static lt_rc spawn_error(const char *prog, int e, struct lt_err *err)
{
	if (e == ENOENT)
		return lt_err_set(err, LT_ENOTFOUND, "%s: command not found", prog);
	if (e == EACCES || e == ENOEXEC || e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG ||
	    e == EISDIR)
		return lt_err_set(err, LT_ENOTFOUND, "%s: %s", prog, strerror(e));
	return lt_err_set(err, LT_EIO, "%s: cannot start: %s", prog, strerror(e));
}

/* Find prog before the clock starts (lti_find_program), so that the
 * search is not timed and a missing program is an error, not exit 127. */
static lt_rc resolve(const char *prog, char *out, size_t len, struct lt_err *err)
{
	int e = lti_find_program(prog, out, len);
	return e ? spawn_error(prog, e, err) : LT_OK;
}

static void fill_rusage(struct lt_bench_exec_result *res, const struct rusage *ru, int status)
{
	res->user_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6;
	res->sys_s = (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
	res->max_rss_kb = (uint64_t)(ru->ru_maxrss > 0 ? ru->ru_maxrss : 0);
	res->ctx_voluntary = (uint64_t)ru->ru_nvcsw;
	res->ctx_involuntary = (uint64_t)ru->ru_nivcsw;
	res->blocks_in = (uint64_t)ru->ru_inblock;
	res->blocks_out = (uint64_t)ru->ru_oublock;
	res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

lt_rc lt_bench_exec(char *const argv[], const struct lt_bench_exec_opts *opts,
		    struct lt_bench_exec_result *res, struct lt_err *err)
{
	static const struct lt_bench_exec_opts defaults = {.output_fd = -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	struct rusage ru;
	struct lt_bench_exec_result r = {0};
	int devnull = -1, pidfd = -1, status = 0, e;
	char prog[4200];
	bool reaped = false, stopped = false;
	double t0, t1 = 0, deadline = 0;
	pid_t pid;
	lt_rc rc = LT_OK;

	if (!opts)
		opts = &defaults;
	if (!argv || !argv[0] || !argv[0][0])
		return lt_err_set(err, LT_EINVAL, "empty command");
	if ((rc = resolve(argv[0], prog, sizeof prog, err)) != LT_OK)
		return rc;
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return lt_err_set(err, LT_EIO, "/dev/null: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, opts->output_fd >= 0 ? opts->output_fd : devnull, 1);
	posix_spawn_file_actions_adddup2(&fa, opts->output_fd >= 0 ? opts->output_fd : devnull, 2);
	/* Its own process group, so that a timeout or an interrupt kills
	 * what a `sh -c` started as well; default signal dispositions and an
	 * empty mask, whatever lt-bench itself ignores or blocks. */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF);
	t0 = mono_s();
	e = posix_spawn(&pid, prog, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(devnull);
	if (e != 0)
		return spawn_error(argv[0], e, err);
	if (opts->timeout_s > 0)
		deadline = t0 + opts->timeout_s;
	/* Wait on a pidfd with poll: it wakes the moment the child exits,
	 * and poll returns EINTR on a signal, so a timeout or a stop needs
	 * no polling loop.  Kernels before 5.3 have no pidfd: then poll
	 * wait4 every millisecond, which only matters with a timeout. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		int wait_ms = -1;
		if (opts->stop && *opts->stop) {
			stopped = true;
			kill(-pid, SIGKILL);
			break;
		}
		if (deadline > 0) {
			double left = deadline - mono_s();
			if (left <= 0) {
				r.timed_out = true;
				kill(-pid, SIGKILL);
				break;
			}
			wait_ms = (int)ceil(left * 1000);
		}
		/* A signal that lands between the check of *stop and poll()
		 * would not interrupt the wait; waking ten times a second
		 * bounds that window without touching the caller's signal
		 * mask (the wake-ups cost the child nothing measurable). */
		if (opts->stop && (wait_ms < 0 || wait_ms > 100))
			wait_ms = 100;
		if (pidfd >= 0) {
			struct pollfd p = {.fd = pidfd, .events = POLLIN};
			int n = poll(&p, 1, wait_ms);
			if (n > 0) {
				t1 = mono_s();
				break;
			}
			continue;
		}
		if (deadline == 0 && !opts->stop) {
			pid_t w = wait4(pid, &status, 0, &ru);
			if (w == pid) {
				t1 = mono_s();
				reaped = true;
				break;
			}
			continue;
		}
		pid_t w = wait4(pid, &status, WNOHANG, &ru);
		if (w == pid) {
			t1 = mono_s();
			reaped = true;
			break;
		}
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
	while (!reaped) {
		if (wait4(pid, &status, 0, &ru) == pid)
			reaped = true;
		else if (errno != EINTR)
			break;
	}
	if (t1 == 0)
		t1 = mono_s();
	if (pidfd >= 0)
		close(pidfd);
	if (!reaped)
		return lt_err_set(err, LT_EIO, "%s: waiting for it failed: %s", argv[0],
				  strerror(errno));
	r.wall_s = t1 - t0;
	fill_rusage(&r, &ru, status);
	*res = r;
	if (stopped)
		rc = lt_err_set(err, LT_EINTR, "%s: interrupted", argv[0]);
	return rc;
}

/* ---- splitting a command line ---- */

void lt_bench_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

lt_rc lt_bench_split(const char *line, char ***argv_out, size_t *argc_out,
		     struct lt_err *err)
{
	size_t len = strlen(line), n = 0;
	/* At most one word per two bytes, plus the NULL. */
	char **argv = calloc(len / 2 + 2, sizeof *argv);
	char *word = malloc(len + 1);
	const char *p = line;
	lt_rc rc = LT_OK;

	if (!argv || !word) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	for (;;) {
		size_t w = 0;
		bool have = false;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end) {
					rc = lt_err_set(err, LT_EINVAL, "unterminated ' quote in \"%s\"", line);
					goto fail;
				}
				memcpy(word + w, p + 1, (size_t)(end - p - 1));
				w += (size_t)(end - p - 1);
				p = end + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					word[w++] = *p++;
				}
				if (*p != '"') {
					rc = lt_err_set(err, LT_EINVAL, "unterminated \" quote in \"%s\"", line);
					goto fail;
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				word[w++] = p[1];
				p += 2;
			} else {
				word[w++] = *p++;
			}
			have = true;
		}
		if (have) {
			word[w] = 0;
			if (!(argv[n++] = lti_strdup(word))) {
				rc = lt_err_set(err, LT_ENOMEM, "out of memory");
				goto fail;
			}
		}
	}
	if (n == 0) {
		rc = lt_err_set(err, LT_EINVAL, "empty command");
		goto fail;
	}
	free(word);
	*argv_out = argv;
	*argc_out = n;
	return LT_OK;
fail:
	free(word);
	lt_bench_argv_free(argv);
	return rc;
}

/* ---- the built-in benchmarks ----
 *
 * Each is a case: a setup that builds its data (untimed), a batch that
 * does `iters` operations and says how much work that was (operations,
 * bytes), an optional reset between batches (untimed), and a teardown.
 * The runner (further down) times batches; the cases never read a
 * clock.  The http case runs the load engine, which measures itself, so
 * it has a custom measure function instead of a batch.
 */

enum measure { PER_OP, RATE, CUSTOM };

struct lt_bench;
struct bcase;

/* What a case's setup sees. */
struct env {
	struct lt_bench *b;
	const struct bcase *c;
	const char *scratch;      /* a private scratch directory, or NULL */
	bool quick;
	const char *target_path;
	size_t index;             /* of the benchmark in the session, for events */
	cJSON *extra;             /* fields for the record (the case may add) */
};

typedef lt_rc (*setup_fn)(struct env *env, void **ctx, struct lt_err *err);
typedef lt_rc (*batch_fn)(void *ctx, uint64_t iters, double *work, struct lt_err *err);
typedef lt_rc (*reset_fn)(void *ctx, struct lt_err *err);
typedef lt_rc (*custom_fn)(struct env *env, void *ctx, double *values, unsigned *runs,
			   unsigned warmup, struct lt_err *err);
typedef void (*teardown_fn)(void *ctx);

struct bcase {
	struct lt_bench_info info;
	enum measure measure;
	/* PER_OP: units per second (1e9 for ns); RATE: work per unit (1e6
	 * bytes for MB/s, 1 for ops/s). */
	double scale;
	uint64_t max_iters;       /* 0: no cap beyond the runner's */
	bool kernel_bound;        /* lives in the kernel by design: no sys-share rule */
	bool scratch;             /* needs a scratch directory */
	const char *param_name;   /* "working_set_bytes", "threads", ...; NULL: none */
	size_t param;
	setup_fn setup;
	batch_fn batch;
	reset_fn reset;
	custom_fn custom;
	teardown_fn teardown;
};

/* ---- database: SQLite on a scratch file, as lt's own db module sets it
 * up (WAL, synchronous NORMAL), so the figures say what recording costs. */

#define DB_QUERY_ROWS 100000

struct dbb {
	sqlite3 *db;
	sqlite3_stmt *insert, *query, *begin, *commit;
	uint64_t rng;
	struct lt_db *ltdb;
	cJSON *rec;
	uint64_t seq;
};

static lt_rc db_fail(sqlite3 *db, const char *what, struct lt_err *err)
{
	return lt_err_set(err, LT_EIO, "sqlite: %s: %s", what, db ? sqlite3_errmsg(db) : "cannot open");
}

static void dbb_free(void *ctx)
{
	struct dbb *d = ctx;
	if (!d)
		return;
	sqlite3_finalize(d->insert);
	sqlite3_finalize(d->query);
	sqlite3_finalize(d->begin);
	sqlite3_finalize(d->commit);
	sqlite3_close(d->db);
	lt_db_close(d->ltdb);
	cJSON_Delete(d->rec);
	free(d);
}

static lt_rc dbb_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct dbb *d = calloc(1, sizeof *d);
	char path[4096];
	lt_rc rc = LT_OK;

	if (!d)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	d->rng = 0x9E3779B97F4A7C15ull;
	snprintf(path, sizeof path, "%s/bench.db", env->scratch);
	if (sqlite3_open(path, &d->db) != SQLITE_OK ||
	    sqlite3_exec(d->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			 "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, v TEXT NOT NULL);"
			 "CREATE INDEX t_k ON t(k);", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "INSERT INTO t (k, v) VALUES (?1, ?2)", -1, &d->insert, NULL) ||
	    sqlite3_prepare_v2(d->db, "SELECT v FROM t WHERE k = ?1", -1, &d->query, NULL) ||
	    sqlite3_prepare_v2(d->db, "BEGIN IMMEDIATE", -1, &d->begin, NULL) ||
	    sqlite3_prepare_v2(d->db, "COMMIT", -1, &d->commit, NULL)) {
		rc = db_fail(d->db, path, err);
		goto fail;
	}
	*ctx = d;
	return LT_OK;
fail:
	dbb_free(d);
	return rc;
}

static bool db_step_reset(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

static bool db_insert_row(struct dbb *d, int64_t k)
{
	/* 32 bytes of text: the size of a short label or an id. */
	static const char v[] = "0123456789abcdefghijklmnopqrstuv";
	sqlite3_bind_int64(d->insert, 1, k);
	sqlite3_bind_text(d->insert, 2, v, 32, SQLITE_STATIC);
	return db_step_reset(d->insert);
}

static lt_rc db_insert_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct dbb *d = ctx;
	if (!db_step_reset(d->begin))
		return db_fail(d->db, "BEGIN", err);
	for (uint64_t i = 0; i < iters; i++)
		if (!db_insert_row(d, (int64_t)(rng_next(&d->rng) % 1000000000u)))
			return db_fail(d->db, "INSERT", err);
	if (!db_step_reset(d->commit))
		return db_fail(d->db, "COMMIT", err);
	*work = (double)iters;
	return LT_OK;
}

/* Between batches the table is emptied (untimed), so that every batch
 * inserts into the same small table and the scratch file stays a few MB. */
static lt_rc db_empty(void *ctx, struct lt_err *err)
{
	struct dbb *d = ctx;
	if (sqlite3_exec(d->db, "DELETE FROM t", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(d->db, "DELETE", err);
	return LT_OK;
}

static lt_rc db_query_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct dbb *d;
	lt_rc rc = dbb_setup(env, ctx, err);
	if (rc != LT_OK)
		return rc;
	d = *ctx;
	if (!db_step_reset(d->begin))
		goto fail;
	for (int64_t i = 0; i < DB_QUERY_ROWS; i++)
		if (!db_insert_row(d, i))
			goto fail;
	if (!db_step_reset(d->commit))
		goto fail;
	return LT_OK;
fail:
	rc = db_fail(d->db, "filling the table", err);
	dbb_free(d);
	*ctx = NULL;
	return rc;
}

static lt_rc db_query_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct dbb *d = ctx;
	size_t found = 0;
	for (uint64_t i = 0; i < iters; i++) {
		sqlite3_bind_int64(d->query, 1, (int64_t)(rng_next(&d->rng) % DB_QUERY_ROWS));
		int rc = sqlite3_step(d->query);
		if (rc == SQLITE_ROW)
			found += (size_t)sqlite3_column_bytes(d->query, 0);
		sqlite3_reset(d->query);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(d->db, "SELECT", err);
	}
	clobber(&found);
	*work = (double)iters;
	return LT_OK;
}

static lt_rc db_commit_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct dbb *d = ctx;
	for (uint64_t i = 0; i < iters; i++)
		if (!db_step_reset(d->begin) || !db_insert_row(d, (int64_t)i) ||
		    !db_step_reset(d->commit))
			return db_fail(d->db, "transaction", err);
	*work = (double)iters;
	return LT_OK;
}

static lt_rc db_ingest_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct dbb *d = calloc(1, sizeof *d);
	struct lt_ndjson_bench in = {
		.bench_id = "x", .suite = "lt-bench", .name = "ingest", .unit = "us",
		.runs = 5, .mean = 10, .stddev = 0.5, .median = 10, .min = 9.5, .max = 10.8,
		.has_ci95 = true, .ci95_lo = 9.4, .ci95_hi = 10.6,
		.has_resources = true, .user_s = 0.4, .sys_s = 0.1, .max_rss_kb = 20480,
	};
	char path[4096];
	lt_rc rc;

	if (!d)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	snprintf(path, sizeof path, "%s/lt.db", env->scratch);
	if ((rc = lt_db_open(path, 0, &d->ltdb, err)) != LT_OK ||
	    (rc = lt_ndjson_build_bench(&in, &d->rec, err)) != LT_OK) {
		dbb_free(d);
		return rc;
	}
	*ctx = d;
	return LT_OK;
}

static lt_rc db_ingest_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct dbb *d = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		char id[32];
		lt_rc rc;
		snprintf(id, sizeof id, "bench-%llu", (unsigned long long)++d->seq);
		cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(d->rec, "bench_id"), id);
		if ((rc = lt_db_ingest_record(d->ltdb, d->rec, err)) != LT_OK)
			return rc;
	}
	*work = (double)iters;
	return LT_OK;
}

/* ---- cache: loads and reads over working sets of growing size ----
 *
 * Latency is a pointer chase: every cache line of the buffer holds the
 * address of the next one in a random cycle (Sattolo's shuffle gives one
 * cycle through all lines), so each load depends on the one before and
 * the hardware prefetcher cannot guess the next.  The time per load is
 * then the latency of the level the working set fits in.  Bandwidth is a
 * sequential sum over the same sizes. */

#define CACHE_LINE 64

struct chase {
	void **buf;
	void **p;
	size_t bytes;
	uint64_t sink;
};

static void chase_free(void *ctx)
{
	struct chase *c = ctx;
	if (!c)
		return;
	free(c->buf);
	free(c);
}

static lt_rc chase_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct chase *c = calloc(1, sizeof *c);
	size_t lines = env->c->param / CACHE_LINE, per = CACHE_LINE / sizeof(void *);
	uint32_t *order = NULL;
	uint64_t rng = 0x243F6A8885A308D3ull;

	if (!c || !(c->buf = aligned_alloc(CACHE_LINE, env->c->param)) ||
	    !(order = malloc(lines * sizeof *order))) {
		free(order);
		chase_free(c);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	c->bytes = env->c->param;
	for (size_t i = 0; i < lines; i++)
		order[i] = (uint32_t)i;
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j = (size_t)(rng_next(&rng) % i);
		uint32_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	/* Sattolo: order is now one cycle, line i -> line order[i]. */
	for (size_t i = 0; i < lines; i++)
		c->buf[i * per] = &c->buf[(size_t)order[i] * per];
	free(order);
	c->p = c->buf;
	*ctx = c;
	return LT_OK;
}

static lt_rc chase_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct chase *c = ctx;
	void **p = c->p;
	(void)err;
	for (uint64_t i = 0; i < iters; i++)
		p = (void **)*p;
	c->p = p;
	*work = (double)iters;
	return LT_OK;
}

static lt_rc seqread_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct chase *c = calloc(1, sizeof *c);
	if (!c || !(c->buf = aligned_alloc(CACHE_LINE, env->c->param))) {
		chase_free(c);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	c->bytes = env->c->param;
	memset(c->buf, 0x5a, c->bytes);
	*ctx = c;
	return LT_OK;
}

static lt_rc seqread_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct chase *c = ctx;
	const uint64_t *w = (const uint64_t *)c->buf;
	size_t n = c->bytes / sizeof *w;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	(void)err;
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < n; i += 4) {
			s0 += w[i];
			s1 += w[i + 1];
			s2 += w[i + 2];
			s3 += w[i + 3];
		}
		clobber(w);
	}
	c->sink += s0 ^ s1 ^ s2 ^ s3;
	*work = (double)iters * (double)c->bytes;
	return LT_OK;
}

/* ---- memory: allocation, first touch, copy and fill bandwidth ---- */

#define MEM_BIG (64u << 20)        /* beyond the last-level cache of most machines */
#define MEM_TOUCH (16u << 20)
#define MEM_SLOTS 64

struct mem {
	unsigned char *src, *dst;
	void *slot[MEM_SLOTS];
	uint64_t rng;
	size_t page;
};

static void mem_free(void *ctx)
{
	struct mem *m = ctx;
	if (!m)
		return;
	for (size_t i = 0; i < MEM_SLOTS; i++)
		free(m->slot[i]);
	free(m->src);
	free(m->dst);
	free(m);
}

static lt_rc mem_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct mem *m = calloc(1, sizeof *m);
	if (!m)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	m->rng = 0x13198A2E03707344ull;
	m->page = (size_t)sysconf(_SC_PAGESIZE);
	if (env->c->param) {
		if (!(m->src = malloc(env->c->param)) || !(m->dst = malloc(env->c->param))) {
			mem_free(m);
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		}
		/* Touch both now, so no run pays for page faults. */
		memset(m->src, 1, env->c->param);
		memset(m->dst, 2, env->c->param);
	}
	*ctx = m;
	return LT_OK;
}

static lt_rc malloc_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct mem *m = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		size_t k = i % MEM_SLOTS;
		/* 16 .. 512 bytes: the sizes of strings, JSON nodes and
		 * small structs, which is most of what lt allocates. */
		size_t size = 16 + (size_t)(rng_next(&m->rng) % 497);
		free(m->slot[k]);
		if (!(m->slot[k] = malloc(size)))
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		*(volatile unsigned char *)m->slot[k] = 1;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc touch_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct mem *m = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		unsigned char *p = mmap(NULL, MEM_TOUCH, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return lt_err_set(err, LT_ENOMEM, "mmap: %s", strerror(errno));
		for (size_t off = 0; off < MEM_TOUCH; off += m->page)
			p[off] = 1;
		clobber(p);
		munmap(p, MEM_TOUCH);
	}
	*work = (double)iters * (double)(MEM_TOUCH / m->page);
	return LT_OK;
}

static lt_rc copy_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct mem *m = ctx;
	(void)err;
	for (uint64_t i = 0; i < iters; i++) {
		memcpy(m->dst, m->src, MEM_BIG);
		clobber(m->dst);
	}
	*work = (double)iters * MEM_BIG;
	return LT_OK;
}

static lt_rc fill_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct mem *m = ctx;
	(void)err;
	for (uint64_t i = 0; i < iters; i++) {
		memset(m->dst, (int)(i & 0xff), MEM_BIG);
		clobber(m->dst);
	}
	*work = (double)iters * MEM_BIG;
	return LT_OK;
}

/* ---- concurrency: locks, hand-offs, thread start, scaling ---- */

struct conc {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;                 /* handoff: 1 = the partner's, 0 = ours */
	bool quit;
	bool partner_started;
	pthread_t partner;
	unsigned threads;
	uint64_t counter;
};

static void conc_free(void *ctx)
{
	struct conc *c = ctx;
	if (!c)
		return;
	if (c->partner_started) {
		pthread_mutex_lock(&c->mu);
		c->quit = true;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->partner, NULL);
	}
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

static lt_rc conc_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct conc *c = calloc(1, sizeof *c);
	if (!c)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->threads = (unsigned)env->c->param;
	*ctx = c;
	return LT_OK;
}

static lt_rc mutex_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct conc *c = ctx;
	(void)err;
	for (uint64_t i = 0; i < iters; i++) {
		pthread_mutex_lock(&c->mu);
		c->counter++;
		pthread_mutex_unlock(&c->mu);
	}
	*work = (double)iters;
	return LT_OK;
}

static void *handoff_partner(void *arg)
{
	struct conc *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (c->turn != 1 && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->quit)
			break;
		c->turn = 0;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static lt_rc handoff_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct conc *c;
	lt_rc rc = conc_setup(env, ctx, err);
	if (rc != LT_OK)
		return rc;
	c = *ctx;
	if (pthread_create(&c->partner, NULL, handoff_partner, c) != 0) {
		conc_free(c);
		*ctx = NULL;
		return lt_err_set(err, LT_ENOMEM, "cannot start a thread");
	}
	c->partner_started = true;
	return LT_OK;
}

/* One iteration is a round trip: ours -> the partner's -> ours, two
 * hand-offs of the mutex through the condition variable. */
static lt_rc handoff_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct conc *c = ctx;
	(void)err;
	pthread_mutex_lock(&c->mu);
	for (uint64_t i = 0; i < iters; i++) {
		c->turn = 1;
		pthread_cond_broadcast(&c->cv);
		while (c->turn != 0)
			pthread_cond_wait(&c->cv, &c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	*work = 2.0 * (double)iters;
	return LT_OK;
}

static void *empty_thread(void *arg)
{
	return arg;
}

static lt_rc spawn_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	(void)ctx;
	for (uint64_t i = 0; i < iters; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, empty_thread, NULL) != 0)
			return lt_err_set(err, LT_ENOMEM, "cannot start a thread");
		pthread_join(t, NULL);
	}
	*work = (double)iters;
	return LT_OK;
}

/* Scaling: the same CPU-bound work item (1024 rounds of xorshift64*,
 * registers only, no shared memory) split over T threads.  Ideal scaling
 * is T times the throughput of one thread up to the number of cores. */
#define SCALE_ROUNDS 1024

struct scale_worker {
	pthread_t t;
	uint64_t items, result;
	char pad[CACHE_LINE];     /* results on lines of their own */
};

static void *scale_thread(void *arg)
{
	struct scale_worker *w = arg;
	uint64_t s = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)w, acc = 0;
	for (uint64_t i = 0; i < w->items; i++)
		for (unsigned r = 0; r < SCALE_ROUNDS; r++)
			acc += rng_next(&s);
	w->result = acc;
	return NULL;
}

static lt_rc scale_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct conc *c = ctx;
	struct scale_worker *w = calloc(c->threads, sizeof *w);
	uint64_t per = (iters + c->threads - 1) / c->threads;
	unsigned started = 0;
	lt_rc rc = LT_OK;

	if (!w)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	for (; started < c->threads; started++) {
		w[started].items = per;
		if (pthread_create(&w[started].t, NULL, scale_thread, &w[started]) != 0) {
			rc = lt_err_set(err, LT_ENOMEM, "cannot start a thread");
			break;
		}
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(w[i].t, NULL);
		c->counter += w[i].result;
	}
	free(w);
	*work = (double)per * c->threads;
	return rc;
}

/* ---- analytics: libltcore's statistics over 10^5 points ---- */

#define ANALYTICS_POINTS 100000

struct ana {
	uint64_t *us;             /* latencies, µs */
	double *ms;               /* the same in ms */
	double *other;            /* a second series, correlated with ms */
	size_t n;                 /* points the benchmark uses (param) */
	struct lt_hist *h, *h2;
	uint64_t sink;
	double dsink;
};

static void ana_free(void *ctx)
{
	struct ana *a = ctx;
	if (!a)
		return;
	free(a->us);
	free(a->ms);
	free(a->other);
	lt_hist_free(a->h);
	lt_hist_free(a->h2);
	free(a);
}

/* Latencies drawn from a log-normal around 20 ms (sigma 0.5), the shape
 * of real response times: a bulk and a long right tail. */
static lt_rc ana_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct ana *a = calloc(1, sizeof *a);
	uint64_t rng = 0xA4093822299F31D0ull;
	if (!a || !(a->us = malloc(ANALYTICS_POINTS * sizeof *a->us)) ||
	    !(a->ms = malloc(ANALYTICS_POINTS * sizeof *a->ms)) ||
	    !(a->other = malloc(ANALYTICS_POINTS * sizeof *a->other)) || !(a->h = lt_hist_new()) ||
	    !(a->h2 = lt_hist_new())) {
		ana_free(a);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	a->n = env->c->param;
	for (size_t i = 0; i < ANALYTICS_POINTS; i++) {
		double u1 = rng_unit(&rng), u2 = rng_unit(&rng);
		double z = sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
		double us = exp(log(20000.0) + 0.5 * z);
		a->us[i] = (uint64_t)us + 1;
		a->ms[i] = us / 1000;
		/* A second metric that follows the first loosely, as
		 * throughput follows latency: a correlation of about 0.7. */
		a->other[i] = 2 * a->ms[i] + 20 * rng_unit(&rng);
		lt_hist_record(a->h, a->us[i]);
		lt_hist_record(a->h2, a->us[(i * 7919) % (i + 1)]);
	}
	*ctx = a;
	return LT_OK;
}

static lt_rc hist_record_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	(void)err;
	for (uint64_t it = 0; it < iters; it++) {
		lt_hist_reset(a->h2);
		for (size_t i = 0; i < ANALYTICS_POINTS; i++)
			lt_hist_record(a->h2, a->us[i]);
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc hist_merge_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	(void)err;
	for (uint64_t it = 0; it < iters; it++)
		lt_hist_merge(a->h2, a->h);
	*work = (double)iters;
	return LT_OK;
}

static lt_rc hist_pct_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	static const double pcts[] = {50, 90, 95, 99, 99.9};
	struct ana *a = ctx;
	uint64_t s = 0;
	(void)err;
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < sizeof pcts / sizeof *pcts; i++)
			s += lt_hist_percentile(a->h, pcts[i]);
		s += (uint64_t)lt_hist_stddev(a->h);
		clobber(a->h);
	}
	a->sink += s;
	*work = (double)iters;
	return LT_OK;
}

static lt_rc bench_stats_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	for (uint64_t it = 0; it < iters; it++) {
		struct lt_bench_stats st;
		lt_rc rc = lt_bench_stats_compute(a->ms, ANALYTICS_POINTS, &st, err);
		if (rc != LT_OK)
			return rc;
		a->sink += st.outliers_high;
	}
	*work = (double)iters;
	return LT_OK;
}

/* The stats module (lt-regress's verdicts) on the same data.  The
 * two-sample tests compare the first half with the second; Mann-Kendall
 * and Sen's slope are O(n^2) and have limits of their own (stats.h), so
 * they run on 10^4 and 3000 points. */
#define MK_POINTS 10000
#define SEN_POINTS 3000
#define BOOT_MEAN_POINTS 1000

static lt_rc describe_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_desc d;
		lt_rc rc = lt_stats_describe(a->ms, a->n, &d, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += d.p99;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc welch_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	size_t half = a->n / 2;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_welch w;
		lt_rc rc = lt_stats_welch(a->ms, half, a->ms + half, half, 0.95, &w, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += w.t;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc mw_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	size_t half = a->n / 2;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_mw m;
		lt_rc rc = lt_stats_mann_whitney(a->ms, half, a->ms + half, half, &m, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += m.z;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc mk_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_mk m;
		lt_rc rc = lt_stats_mann_kendall(a->ms, a->n, &m, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += m.z;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc sen_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_sen s;
		lt_rc rc = lt_stats_sen(NULL, a->ms, a->n, 0.95, &s, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += s.slope;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc corr_batch(struct ana *a, uint64_t iters, double *work, bool spearman,
			struct lt_err *err)
{
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_corr c;
		lt_rc rc = spearman ? lt_stats_spearman(a->ms, a->other, a->n, &c, err)
				    : lt_stats_pearson(a->ms, a->other, a->n, &c, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += c.r;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc pearson_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	return corr_batch(ctx, iters, work, false, err);
}

static lt_rc spearman_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	return corr_batch(ctx, iters, work, true, err);
}

static double mean_stat(double *x, size_t n, void *ctx)
{
	double s = 0;
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

static lt_rc boot_mean_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	size_t half = a->n / 2;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_ci ci;
		lt_rc rc = lt_stats_bootstrap_diff(a->ms, half, a->ms + half, half, mean_stat, NULL,
						   NULL, &ci, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += ci.low;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc boot_p99_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct ana *a = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_stats_ci ci;
		lt_rc rc = lt_stats_bootstrap_hist_percentile(a->h, a->h2, 99, NULL, &ci, err);
		if (rc != LT_OK)
			return rc;
		a->dsink += ci.low;
	}
	*work = (double)iters;
	return LT_OK;
}

/* ---- reports: rendering and reading the records a report is made of ----
 *
 * A realistic summary: 8 endpoints, each with a histogram of 10^4
 * latencies, the whole run's histogram, 4 thresholds. */

#define REPORT_ENDPOINTS 8

struct rep {
	struct lt_hist *all, *ep[REPORT_ENDPOINTS];
	struct lt_ndjson_endpoint endpoints[REPORT_ENDPOINTS];
	char names[REPORT_ENDPOINTS][32];
	char *line;
	uint64_t sink;
};

static void rep_free(void *ctx)
{
	struct rep *r = ctx;
	if (!r)
		return;
	lt_hist_free(r->all);
	for (size_t i = 0; i < REPORT_ENDPOINTS; i++)
		lt_hist_free(r->ep[i]);
	free(r->line);
	free(r);
}

static const struct lt_ndjson_threshold report_thresholds[] = {
	{"responseTime.p95", "<", 500}, {"responseTime.p99", "<", 1000},
	{"errorRate", "<", 1}, {"throughput.avg", ">", 10},
};

static lt_rc rep_build(struct rep *r, cJSON **out, struct lt_err *err)
{
	struct lt_ndjson_summary s = {
		.run_id = "6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b", .duration_s = 60,
		.requests = 80000, .errors = 120, .peak_rps = 1500, .peak_users = 50,
		.hist = r->all, .endpoints = r->endpoints, .n_endpoints = REPORT_ENDPOINTS,
		.thresholds = report_thresholds,
		.n_thresholds = sizeof report_thresholds / sizeof *report_thresholds,
	};
	return lt_ndjson_build_summary(&s, out, err);
}

static lt_rc rep_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct rep *r = calloc(1, sizeof *r);
	uint64_t rng = 0xB7E151628AED2A6Bull;
	cJSON *rec = NULL;
	lt_rc rc;
	(void)env;

	if (!r || !(r->all = lt_hist_new()))
		goto nomem;
	for (size_t e = 0; e < REPORT_ENDPOINTS; e++) {
		if (!(r->ep[e] = lt_hist_new()))
			goto nomem;
		for (size_t i = 0; i < 10000; i++) {
			double u1 = rng_unit(&rng), u2 = rng_unit(&rng);
			double z = sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
			lt_hist_record(r->ep[e], (uint64_t)exp(log(5000.0 * (double)(e + 1)) + 0.6 * z) + 1);
		}
		lt_hist_merge(r->all, r->ep[e]);
		snprintf(r->names[e], sizeof r->names[e], "GET /api/items/%zu", e);
		r->endpoints[e] = (struct lt_ndjson_endpoint){
			.name = r->names[e], .method = "GET", .path = r->names[e] + 4,
			.requests = 10000, .errors = 15, .hist = r->ep[e],
		};
	}
	if ((rc = rep_build(r, &rec, err)) != LT_OK) {
		rep_free(r);
		return rc;
	}
	r->line = lt_ndjson_encode(rec);
	cJSON_Delete(rec);
	if (!r->line)
		goto nomem;
	*ctx = r;
	return LT_OK;
nomem:
	rep_free(r);
	return lt_err_set(err, LT_ENOMEM, "out of memory");
}

static lt_rc summary_render_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct rep *r = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		cJSON *rec = NULL;
		char *line;
		lt_rc rc = rep_build(r, &rec, err);
		if (rc != LT_OK)
			return rc;
		line = lt_ndjson_encode(rec);
		cJSON_Delete(rec);
		if (!line)
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		r->sink += strlen(line);
		free(line);
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc summary_read_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct rep *r = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		cJSON *rec = cJSON_Parse(r->line);
		lt_rc rc;
		if (!rec)
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		rc = lt_ndjson_validate(rec, NULL, err);
		cJSON_Delete(rec);
		if (rc != LT_OK)
			return rc;
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc alert_render_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct rep *r = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		struct lt_ndjson_alert a = {
			.alert_id = "0d6f3c1e-4a7b-4c1d-9e2f-3a4b5c6d7e8f",
			.scenario_id = "checkout-flow", .run_id = "6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b",
			.metric = "responseTime.p95", .baseline = 182.5,
			.current = 182.5 + (double)lt_hist_percentile(r->all, 95) / 1000,
			.change_pct = 12.4, .p_value = 0.003, .method = "welch",
			.severity = "warning",
			.message = "responseTime.p95 rose 12.4 % over the baseline (p = 0.003)",
		};
		cJSON *rec = NULL;
		char *line;
		lt_rc rc = lt_ndjson_build_alert(&a, &rec, err);
		if (rc != LT_OK)
			return rc;
		line = lt_ndjson_encode(rec);
		cJSON_Delete(rec);
		if (!line)
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		r->sink += strlen(line);
		free(line);
	}
	*work = (double)iters;
	return LT_OK;
}

/* ---- disk: fsync latency, sequential write and read ---- */

#define DISK_BLOCK (1u << 20)
#define DISK_FILE_BLOCKS 64       /* 64 MiB: the largest file a disk case writes */
#define DISK_SYNC_BYTES 4096

struct disk {
	int fd;
	unsigned char *block;
	uint64_t next;
	char path[4096];
};

static void disk_free(void *ctx)
{
	struct disk *d = ctx;
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	free(d->block);
	free(d);
}

static lt_rc disk_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct disk *d = calloc(1, sizeof *d);
	if (!d || !(d->block = aligned_alloc(4096, DISK_BLOCK))) {
		free(d);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	memset(d->block, 0xa5, DISK_BLOCK);
	snprintf(d->path, sizeof d->path, "%s/data", env->scratch);
	if ((d->fd = open(d->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		lt_rc rc = lt_err_set(err, LT_EIO, "%s: %s", d->path, strerror(errno));
		d->fd = -1;
		disk_free(d);
		return rc;
	}
	*ctx = d;
	return LT_OK;
}

static lt_rc disk_io_fail(struct disk *d, const char *what, struct lt_err *err)
{
	return lt_err_set(err, LT_EIO, "%s: %s: %s", d->path, what, strerror(errno));
}

static lt_rc fsync_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct disk *d = ctx;
	for (uint64_t i = 0; i < iters; i++) {
		off_t off = (off_t)((d->next++ % 256) * DISK_SYNC_BYTES);
		if (pwrite(d->fd, d->block, DISK_SYNC_BYTES, off) != DISK_SYNC_BYTES)
			return disk_io_fail(d, "write", err);
		if (fsync(d->fd) != 0)
			return disk_io_fail(d, "fsync", err);
	}
	*work = (double)iters;
	return LT_OK;
}

static lt_rc seqwrite_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct disk *d = ctx;
	if (ftruncate(d->fd, 0) != 0)
		return disk_io_fail(d, "truncate", err);
	for (uint64_t i = 0; i < iters; i++)
		if (pwrite(d->fd, d->block, DISK_BLOCK, (off_t)(i * DISK_BLOCK)) != DISK_BLOCK)
			return disk_io_fail(d, "write", err);
	if (fsync(d->fd) != 0)
		return disk_io_fail(d, "fsync", err);
	*work = (double)iters * DISK_BLOCK;
	return LT_OK;
}

static lt_rc seqread_disk_setup(struct env *env, void **ctx, struct lt_err *err)
{
	double work;
	lt_rc rc = disk_setup(env, ctx, err);
	if (rc == LT_OK && (rc = seqwrite_batch(*ctx, DISK_FILE_BLOCKS, &work, err)) != LT_OK) {
		disk_free(*ctx);
		*ctx = NULL;
	}
	return rc;
}

/* Before each batch (untimed) the file's pages are dropped from the page
 * cache, so reads come from the device.  posix_fadvise only drops clean
 * pages, which these are after the fsync; on tmpfs there is no device
 * and the figure is the memory's. */
static lt_rc drop_cache(void *ctx, struct lt_err *err)
{
	struct disk *d = ctx;
	(void)err;
	posix_fadvise(d->fd, 0, 0, POSIX_FADV_DONTNEED);
	return LT_OK;
}

static lt_rc seqread_disk_batch(void *ctx, uint64_t iters, double *work, struct lt_err *err)
{
	struct disk *d = ctx;
	for (uint64_t i = 0; i < iters; i++)
		if (pread(d->fd, d->block, DISK_BLOCK,
			  (off_t)((i % DISK_FILE_BLOCKS) * DISK_BLOCK)) != DISK_BLOCK)
			return disk_io_fail(d, "read", err);
	*work = (double)iters * DISK_BLOCK;
	return LT_OK;
}

/* ---- http: requests per second through lt's engine against lt-target ----
 *
 * The engine measures itself, one sample a second, so this case does not
 * use the batch runner: a run is one second of the steady phase, warm-up
 * runs are warm-up seconds, and the value of a run is that second's
 * requests per second.  16 closed-model users without think time on
 * GET /health: enough connections to keep both programs busy, few enough
 * for any machine.  lt-target gets half the cores (at least one) and the
 * engine the rest, so that neither starves the other. */

#define HTTP_USERS 16

struct http {
	pid_t target;
	int port;
	unsigned target_threads, engine_threads;
};

static void http_free(void *ctx)
{
	struct http *h = ctx;
	if (!h)
		return;
	if (h->target > 0) {
		int status;
		kill(h->target, SIGTERM);
		while (waitpid(h->target, &status, 0) < 0 && errno == EINTR)
			;
	}
	free(h);
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static lt_rc http_start_target(struct env *env, struct http *h, unsigned seconds,
			       struct lt_err *err)
{
	char port_file[4096], threads[16], max_s[16];
	char *argv[] = {(char *)env->target_path, "--listen", "127.0.0.1:0", "--port-file",
			port_file, "--threads", threads, "--max-seconds", max_s, NULL};
	posix_spawn_file_actions_t fa;
	int e;

	snprintf(port_file, sizeof port_file, "%s/port", env->scratch);
	snprintf(threads, sizeof threads, "%u", h->target_threads);
	/* It exits by itself soon after the longest this run can take, so
	 * nothing is left listening if lt-bench is killed. */
	snprintf(max_s, sizeof max_s, "%u", seconds + 30);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	e = posix_spawn(&h->target, env->target_path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		h->target = 0;
		return lt_err_set(err, LT_ENOTFOUND, "%s: %s", env->target_path, strerror(e));
	}
	/* Wait for the port file, at most 5 s, in 10 ms steps. */
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(port_file, "r");
		int status;
		if (f) {
			int ok = fscanf(f, "%d", &h->port);
			fclose(f);
			if (ok == 1 && h->port > 0)
				return LT_OK;
		}
		if (waitpid(h->target, &status, WNOHANG) == h->target) {
			h->target = 0;
			return lt_err_set(err, LT_EIO, "%s: exited before listening", env->target_path);
		}
		struct timespec ms10 = {0, 10000000};
		nanosleep(&ms10, NULL);
	}
	return lt_err_set(err, LT_EIO, "%s: not listening after 5 s", env->target_path);
}

static lt_rc http_setup(struct env *env, void **ctx, struct lt_err *err);
static lt_rc http_measure(struct env *env, void *ctx, double *values, unsigned *runs,
			  unsigned warmup, struct lt_err *err);

/* ---- the catalogue ---- */

static const struct {
	const char *name, *description;
} suites[] = {
	{"database", "SQLite on a scratch file: inserts, indexed queries, transactions, lt's own recording"},
	{"cache", "memory latency and read bandwidth across working-set sizes (the cache levels)"},
	{"memory", "allocation rate, page-fault cost, copy and fill bandwidth"},
	{"concurrency", "mutex cost and hand-off, thread start, thread scaling 1 .. 2x cores"},
	{"analytics", "libltcore's statistics over 10^5 points"},
	{"reports", "rendering and reading the records a report is made of"},
	{"http", "loopback requests per second through lt's engine against lt-target"},
	{"disk", "fsync latency, sequential write and read on a scratch file"},
};

#define N_SUITES (sizeof suites / sizeof *suites)

#define KiB(n) ((size_t)(n) << 10)
#define MiB(n) ((size_t)(n) << 20)

/* The working sets of the cache suite: well inside L1 (32-48 KiB on
 * current cores), inside L2 (0.5-2 MiB), inside the last-level cache of
 * most servers and desktops (8 MiB), and far beyond any (128 MiB). */
#define CACHE_CASES(size, label)                                                   \
	{{"cache", "latency_" label, "ns", false,                                  \
	  "one dependent load, random over a " label " working set"},              \
	 PER_OP, 1e9, 0, false, false, "working_set_bytes", size, chase_setup,     \
	 chase_batch, NULL, NULL, chase_free},                                     \
	{{"cache", "read_" label, "MB/s", true,                                    \
	  "sequential read bandwidth over a " label " working set"},               \
	 RATE, 1e6, 0, false, false, "working_set_bytes", size, seqread_setup,     \
	 seqread_batch, NULL, NULL, chase_free}

static const struct bcase fixed_cases[] = {
	{{"database", "insert", "us", false, "one INSERT of a 32-byte row, many per transaction"},
	 PER_OP, 1e6, 0, false, true, NULL, 0, dbb_setup, db_insert_batch, db_empty, NULL, dbb_free},
	{{"database", "query_indexed", "us", false,
	  "one SELECT by an indexed key in a table of 10^5 rows"},
	 PER_OP, 1e6, 0, true, true, "rows", DB_QUERY_ROWS, db_query_setup, db_query_batch, NULL,
	 NULL, dbb_free},
	{{"database", "commit", "txn/s", true, "transactions of one INSERT each (WAL, synchronous NORMAL)"},
	 RATE, 1, 0, true, true, NULL, 0, dbb_setup, db_commit_batch, db_empty, NULL, dbb_free},
	{{"database", "ingest_bench", "us", false, "lt_db_ingest_record of one bench record"},
	 PER_OP, 1e6, 0, true, true, NULL, 0, db_ingest_setup, db_ingest_batch, NULL, NULL,
	 dbb_free},
	CACHE_CASES(KiB(16), "16KiB"),
	CACHE_CASES(KiB(512), "512KiB"),
	CACHE_CASES(MiB(8), "8MiB"),
	CACHE_CASES(MiB(128), "128MiB"),
	{{"memory", "malloc_free", "ns", false, "free and malloc of 16 .. 512 bytes, 64 live blocks"},
	 PER_OP, 1e9, 0, false, false, NULL, 0, mem_setup, malloc_batch, NULL, NULL, mem_free},
	{{"memory", "first_touch", "ns", false, "first write to a fresh page of an anonymous mapping"},
	 PER_OP, 1e9, 0, true, false, "mapping_bytes", MEM_TOUCH, mem_setup, touch_batch, NULL,
	 NULL, mem_free},
	{{"memory", "copy", "MB/s", true, "memcpy of 64 MiB (bytes copied per second)"},
	 RATE, 1e6, 0, false, false, "bytes", MEM_BIG, mem_setup, copy_batch, NULL, NULL, mem_free},
	{{"memory", "fill", "MB/s", true, "memset of 64 MiB"},
	 RATE, 1e6, 0, false, false, "bytes", MEM_BIG, mem_setup, fill_batch, NULL, NULL, mem_free},
	{{"concurrency", "mutex_uncontended", "ns", false, "pthread mutex lock and unlock, one thread"},
	 PER_OP, 1e9, 0, false, false, NULL, 0, conc_setup, mutex_batch, NULL, NULL, conc_free},
	{{"concurrency", "mutex_handoff", "us", false,
	  "the mutex passed to another thread and back through a condition variable, per hand-off"},
	 PER_OP, 1e6, 0, true, false, NULL, 0, handoff_setup, handoff_batch, NULL, NULL, conc_free},
	{{"concurrency", "thread_spawn", "us", false, "pthread_create and pthread_join of an empty thread"},
	 PER_OP, 1e6, 0, true, false, NULL, 0, conc_setup, spawn_batch, NULL, NULL, conc_free},
	/* concurrency/scaling_<n>t are added at run time: they depend on
	 * the number of cores. */
	{{"analytics", "hist_record", "us", false, "record 10^5 latencies into a histogram"},
	 PER_OP, 1e6, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, hist_record_batch,
	 NULL, NULL, ana_free},
	{{"analytics", "hist_merge", "us", false, "merge a histogram of 10^5 latencies into another"},
	 PER_OP, 1e6, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, hist_merge_batch,
	 NULL, NULL, ana_free},
	{{"analytics", "hist_percentiles", "us", false,
	  "p50, p90, p95, p99, p99.9 and stddev of a histogram of 10^5 latencies"},
	 PER_OP, 1e6, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, hist_pct_batch, NULL,
	 NULL, ana_free},
	{{"analytics", "bench_stats", "ms", false,
	  "mean, stddev, median, 95 % CI and outliers of 10^5 values"},
	 PER_OP, 1e3, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, bench_stats_batch,
	 NULL, NULL, ana_free},
	{{"analytics", "stats_describe", "ms", false,
	  "mean, variance, quantiles and MAD of 10^5 values (lt_stats_describe)"},
	 PER_OP, 1e3, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, describe_batch, NULL,
	 NULL, ana_free},
	{{"analytics", "stats_welch", "us", false, "Welch's t-test, 5*10^4 values against 5*10^4"},
	 PER_OP, 1e6, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, welch_batch, NULL,
	 NULL, ana_free},
	{{"analytics", "stats_mann_whitney", "ms", false,
	  "Mann-Whitney U, 5*10^4 values against 5*10^4"},
	 PER_OP, 1e3, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, mw_batch, NULL, NULL,
	 ana_free},
	{{"analytics", "stats_mann_kendall", "ms", false, "Mann-Kendall trend test of 10^4 values"},
	 PER_OP, 1e3, 0, false, false, "points", MK_POINTS, ana_setup, mk_batch, NULL, NULL,
	 ana_free},
	{{"analytics", "stats_sen", "ms", false, "Sen's slope and its interval over 3000 values"},
	 PER_OP, 1e3, 0, false, false, "points", SEN_POINTS, ana_setup, sen_batch, NULL, NULL,
	 ana_free},
	{{"analytics", "stats_pearson", "us", false, "Pearson's r of two series of 10^5 values"},
	 PER_OP, 1e6, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, pearson_batch, NULL,
	 NULL, ana_free},
	{{"analytics", "stats_spearman", "ms", false, "Spearman's rho of two series of 10^5 values"},
	 PER_OP, 1e3, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, spearman_batch, NULL,
	 NULL, ana_free},
	{{"analytics", "stats_bootstrap_mean", "ms", false,
	  "bootstrap interval of a difference of means, 2000 resamples of 500 + 500 values"},
	 PER_OP, 1e3, 0, false, false, "points", BOOT_MEAN_POINTS, ana_setup, boot_mean_batch, NULL,
	 NULL, ana_free},
	{{"analytics", "stats_bootstrap_p99", "ms", false,
	  "bootstrap interval of a difference of p99 between two histograms of 10^5 latencies"},
	 PER_OP, 1e3, 0, false, false, "points", ANALYTICS_POINTS, ana_setup, boot_p99_batch, NULL,
	 NULL, ana_free},
	{{"reports", "summary_render", "us", false,
	  "build and encode a summary of 8 endpoints with their histograms"},
	 PER_OP, 1e6, 0, false, false, "endpoints", REPORT_ENDPOINTS, rep_setup,
	 summary_render_batch, NULL, NULL, rep_free},
	{{"reports", "summary_read", "us", false, "parse and validate that summary line"},
	 PER_OP, 1e6, 0, false, false, "endpoints", REPORT_ENDPOINTS, rep_setup, summary_read_batch,
	 NULL, NULL, rep_free},
	{{"reports", "alert_render", "us", false, "build and encode a regression alert"},
	 PER_OP, 1e6, 0, false, false, NULL, 0, rep_setup, alert_render_batch, NULL, NULL, rep_free},
	{{"http", "loopback_rps", "req/s", true,
	  "GET /health through the engine, 16 users, against lt-target on 127.0.0.1"},
	 CUSTOM, 1, 0, true, true, "users", HTTP_USERS, http_setup, NULL, NULL, http_measure,
	 http_free},
	{{"disk", "fsync", "ms", false, "write 4 KiB and fsync, in the scratch directory"},
	 PER_OP, 1e3, 0, true, true, NULL, 0, disk_setup, fsync_batch, NULL, NULL, disk_free},
	{{"disk", "seq_write", "MB/s", true, "sequential 1 MiB writes and an fsync, up to 64 MiB"},
	 RATE, 1e6, DISK_FILE_BLOCKS, true, true, "block_bytes", DISK_BLOCK, disk_setup,
	 seqwrite_batch, NULL, NULL, disk_free},
	{{"disk", "seq_read", "MB/s", true,
	  "sequential 1 MiB reads of a 64 MiB file dropped from the page cache"},
	 RATE, 1e6, DISK_FILE_BLOCKS, true, true, "block_bytes", DISK_BLOCK, seqread_disk_setup,
	 seqread_disk_batch, drop_cache, NULL, disk_free},
};

#define N_FIXED (sizeof fixed_cases / sizeof *fixed_cases)
#define MAX_SCALING 16

static struct bcase catalogue[N_FIXED + MAX_SCALING];
static char scaling_names[MAX_SCALING][24];
static size_t n_catalogue;
static pthread_once_t catalogue_once = PTHREAD_ONCE_INIT;

static void catalogue_init(void)
{
	unsigned ncpu = online_cpus(), counts[MAX_SCALING], n = 0;

	/* Thread counts: powers of two up to twice the cores, plus the
	 * core count itself and twice it when they are not powers of two:
	 * 1, 2, 4 on two cores; 1, 2, 4, 6, 8, 12 on six. */
	for (unsigned t = 1; t <= 2 * ncpu && n < MAX_SCALING - 2; t *= 2)
		counts[n++] = t;
	if ((ncpu & (ncpu - 1)) != 0)
		counts[n++] = ncpu;
	if (((2 * ncpu) & (2 * ncpu - 1)) != 0)
		counts[n++] = 2 * ncpu;
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && counts[j - 1] > counts[j]; j--) {
			unsigned t = counts[j];
			counts[j] = counts[j - 1];
			counts[j - 1] = t;
		}
	for (size_t i = 0; i < N_FIXED; i++) {
		catalogue[n_catalogue++] = fixed_cases[i];
		if (strcmp(fixed_cases[i].info.name, "thread_spawn") != 0)
			continue;
		for (unsigned k = 0; k < n; k++) {
			struct bcase *c = &catalogue[n_catalogue++];
			snprintf(scaling_names[k], sizeof scaling_names[k], "scaling_%ut", counts[k]);
			*c = (struct bcase){
				{"concurrency", scaling_names[k], "ops/s", true,
				 "work items of 1024 xorshift rounds per second, over n threads"},
				RATE, 1, 0, false, false, "threads", counts[k], conc_setup,
				scale_batch, NULL, NULL, conc_free};
		}
	}
}

size_t lt_bench_count(void)
{
	pthread_once(&catalogue_once, catalogue_init);
	return n_catalogue;
}

const struct lt_bench_info *lt_bench_get(size_t i)
{
	pthread_once(&catalogue_once, catalogue_init);
	return i < n_catalogue ? &catalogue[i].info : NULL;
}

const char *lt_bench_suite_name(size_t i)
{
	return i < N_SUITES ? suites[i].name : NULL;
}

const char *lt_bench_suite_description(size_t i)
{
	return i < N_SUITES ? suites[i].description : NULL;
}

/* ---- sessions ---- */

/* What a later rule needs of an earlier result (thread scaling compares
 * with one thread, the cache rule compares levels). */
struct done_result {
	char *suite, *name;
	double mean;
};

struct lt_bench {
	struct lt_bench_opts o;
	volatile int stop;
	struct lt_engine *volatile engine; /* the http case's, while it runs */
	char session_id[LTI_UUID_LEN];
	char host[256];
	double started_at;            /* wall clock */
	const char *kind;             /* "suites" or "commands" */
	struct lt_bench_totals totals;
	size_t total;
	/* for the status file */
	const char *state;
	const char *cur_suite, *cur_name, *cur_phase;
	unsigned cur_run, cur_runs;
	bool has_last;
	char last_suite[64], last_name[256], last_unit[16];
	double last_mean;
	double status_written;        /* monotonic time of the last write */
	struct done_result *done;
	size_t n_done, cap_done;
};

lt_rc lt_bench_new(const struct lt_bench_opts *opts, struct lt_bench **out, struct lt_err *err)
{
	struct lt_bench *b;

	if (opts->runs > LT_BENCH_MAX_RUNS)
		return lt_err_set(err, LT_EINVAL, "runs: at most %d, got %u", LT_BENCH_MAX_RUNS, opts->runs);
	if (!isfinite(opts->min_time_s) || opts->min_time_s < 0 || opts->min_time_s > 3600)
		return lt_err_set(err, LT_EINVAL, "min-time: expected 0 .. 3600 seconds");
	if (!isfinite(opts->timeout_s) || opts->timeout_s < 0)
		return lt_err_set(err, LT_EINVAL, "timeout: expected a duration >= 0");
	if (opts->warmup > LT_BENCH_MAX_RUNS)
		return lt_err_set(err, LT_EINVAL, "warmup: at most %d runs", LT_BENCH_MAX_RUNS);
	if (!(b = calloc(1, sizeof *b)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	b->o = *opts;
	lti_uuid(b->session_id);
	if (gethostname(b->host, sizeof b->host - 1) != 0)
		strcpy(b->host, "unknown");
	*out = b;
	return LT_OK;
}

void lt_bench_free(struct lt_bench *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_done; i++) {
		free(b->done[i].suite);
		free(b->done[i].name);
	}
	free(b->done);
	free(b);
}

void lt_bench_stop(struct lt_bench *b)
{
	struct lt_engine *e;
	b->stop = 1;
	if ((e = b->engine) != NULL)
		lt_engine_stop(e);
}

void lt_bench_totals(const struct lt_bench *b, struct lt_bench_totals *t)
{
	*t = b->totals;
}

static unsigned builtin_runs(const struct lt_bench *b)
{
	return b->o.runs ? b->o.runs : b->o.quick ? LT_BENCH_QUICK_RUNS : LT_BENCH_DEFAULT_RUNS;
}

static unsigned builtin_warmup(const struct lt_bench *b)
{
	return b->o.warmup >= 0 ? (unsigned)b->o.warmup : b->o.quick ? 0 : LT_BENCH_DEFAULT_WARMUP;
}

static double builtin_min_time(const struct lt_bench *b)
{
	return b->o.min_time_s > 0 ? b->o.min_time_s
	       : b->o.quick        ? LT_BENCH_QUICK_MIN_TIME_S
				   : LT_BENCH_DEFAULT_MIN_TIME_S;
}

/* ---- the status file ---- */

static void status_write(struct lt_bench *b, bool force)
{
	char ts[LTI_TIME_LEN], tmp[4200];
	cJSON *j, *cur;
	char *text = NULL;
	double now = mono_s();
	int fd;

	/* Progress events can come thousands of times a second (a fast
	 * command); ten writes a second are plenty for a reader. */
	if (!b->o.status_path || (!force && now - b->status_written < 0.1))
		return;
	b->status_written = now;
	if (!(j = cJSON_CreateObject()))
		return;
	cJSON_AddNumberToObject(j, "pid", (double)getpid());
	cJSON_AddStringToObject(j, "state", b->state ? b->state : "running");
	cJSON_AddStringToObject(j, "kind", b->kind ? b->kind : "suites");
	cJSON_AddStringToObject(j, "session_id", b->session_id);
	lti_time_format(b->started_at, ts);
	cJSON_AddStringToObject(j, "started_at", ts);
	lti_time_format(lti_time_now(), ts);
	cJSON_AddStringToObject(j, "updated_at", ts);
	cJSON_AddNumberToObject(j, "total", (double)b->total);
	cJSON_AddNumberToObject(j, "done", (double)b->totals.done);
	cJSON_AddNumberToObject(j, "failed", (double)b->totals.failed);
	cJSON_AddNumberToObject(j, "skipped", (double)b->totals.skipped);
	if (b->cur_name && (!b->state || strcmp(b->state, "running") == 0) &&
	    (cur = cJSON_AddObjectToObject(j, "current"))) {
		cJSON_AddStringToObject(cur, "suite", b->cur_suite);
		cJSON_AddStringToObject(cur, "name", b->cur_name);
		cJSON_AddStringToObject(cur, "phase", b->cur_phase ? b->cur_phase : "setup");
		cJSON_AddNumberToObject(cur, "run", b->cur_run);
		cJSON_AddNumberToObject(cur, "runs", b->cur_runs);
	} else {
		cJSON_AddNullToObject(j, "current");
	}
	if (b->has_last && (cur = cJSON_AddObjectToObject(j, "last"))) {
		cJSON_AddStringToObject(cur, "suite", b->last_suite);
		cJSON_AddStringToObject(cur, "name", b->last_name);
		cJSON_AddStringToObject(cur, "unit", b->last_unit);
		cJSON_AddNumberToObject(cur, "mean", b->last_mean);
	}
	if (b->state && strcmp(b->state, "running") != 0)
		cJSON_AddStringToObject(j, "finished_at", ts);
	else
		cJSON_AddNullToObject(j, "finished_at");
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!text)
		return;
	/* A temporary file renamed into place: a reader sees the old
	 * status or the new one, never half of one, and rename replaces a
	 * planted symlink rather than writing through it. */
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", b->o.status_path);
	if ((fd = mkstemp(tmp)) >= 0) {
		size_t len = strlen(text);
		bool ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, b->o.status_path) != 0)
			unlink(tmp);
	}
	free(text);
}

lt_rc lt_bench_status_path(char **path, struct lt_err *err)
{
	const char *env = getenv("LT_BENCH_STATUS"), *rt = getenv("XDG_RUNTIME_DIR");
	char buf[4200];

	if (env && *env)
		snprintf(buf, sizeof buf, "%s", env);
	else if (rt && *rt)
		snprintf(buf, sizeof buf, "%s/lt-bench.json", rt);
	else
		snprintf(buf, sizeof buf, "/tmp/lt-bench-%lu.json", (unsigned long)getuid());
	if (!(*path = lti_strdup(buf)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	return LT_OK;
}

lt_rc lt_bench_status_read(const char *path, cJSON **out, struct lt_err *err)
{
	struct stat st;
	char *text = NULL;
	size_t len;
	cJSON *j, *state, *pid;
	lt_rc rc;

	if (stat(path, &st) != 0)
		return lt_err_set(err, errno == ENOENT ? LT_ENOTFOUND : LT_EIO, "%s: %s", path,
				  strerror(errno));
	if (st.st_uid != getuid())
		return lt_err_set(err, LT_ENOTFOUND, "%s: owned by another user, ignored", path);
	if ((rc = lti_read_file(path, 1 << 20, &text, &len, err)) != LT_OK)
		return rc;
	j = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return lt_err_set(err, LT_EINVAL, "%s: not a status file", path);
	}
	state = cJSON_GetObjectItemCaseSensitive(j, "state");
	pid = cJSON_GetObjectItemCaseSensitive(j, "pid");
	if (cJSON_IsString(state) && strcmp(state->valuestring, "running") == 0 &&
	    cJSON_IsNumber(pid) && pid->valuedouble > 0 &&
	    kill((pid_t)pid->valuedouble, 0) != 0 && errno == ESRCH)
		cJSON_SetValuestring(state, "abandoned");
	*out = j;
	return LT_OK;
}

/* ---- events ---- */

static lt_rc emit(struct lt_bench *b, const struct lt_bench_event *ev)
{
	switch (ev->kind) {
	case LT_BENCH_EV_START:
		b->cur_suite = ev->suite;
		b->cur_name = ev->name;
		b->cur_phase = "setup";
		b->cur_run = b->cur_runs = 0;
		break;
	case LT_BENCH_EV_PROGRESS:
		b->cur_phase = ev->phase;
		b->cur_run = ev->run;
		b->cur_runs = ev->runs;
		break;
	case LT_BENCH_EV_RESULT:
		b->totals.done++;
		b->has_last = true;
		snprintf(b->last_suite, sizeof b->last_suite, "%s", ev->suite);
		snprintf(b->last_name, sizeof b->last_name, "%s", ev->name);
		snprintf(b->last_unit, sizeof b->last_unit, "%s",
			 lt_ndjson_get_str(ev->record, "unit"));
		b->last_mean = ev->stats->mean;
		break;
	case LT_BENCH_EV_SKIPPED:
		b->totals.skipped++;
		break;
	case LT_BENCH_EV_FAILED:
		b->totals.failed++;
		break;
	}
	status_write(b, ev->kind != LT_BENCH_EV_PROGRESS);
	return b->o.on_event ? b->o.on_event(ev, b->o.user) : LT_OK;
}

static lt_rc progress(struct lt_bench *b, const char *suite, const char *name, size_t index,
		      const char *phase, unsigned run, unsigned runs)
{
	struct lt_bench_event ev = {
		.kind = LT_BENCH_EV_PROGRESS, .suite = suite, .name = name, .index = index,
		.total = b->total, .phase = phase, .run = run, .runs = runs,
	};
	return emit(b, &ev);
}

static lt_rc report_problem(struct lt_bench *b, enum lt_bench_event_kind kind, const char *suite,
			    const char *name, size_t index, const char *reason)
{
	struct lt_bench_event ev = {
		.kind = kind, .suite = suite, .name = name, .index = index, .total = b->total,
		.reason = reason,
	};
	return emit(b, &ev);
}

static void session_begin(struct lt_bench *b, const char *kind, size_t total)
{
	b->kind = kind;
	b->total = total;
	b->state = "running";
	b->started_at = lti_time_now();
	memset(&b->totals, 0, sizeof b->totals);
	status_write(b, true);
}

static lt_rc session_end(struct lt_bench *b, lt_rc rc)
{
	b->state = rc == LT_EINTR ? "interrupted"
		   : rc != LT_OK || b->totals.failed ? "failed"
						      : "finished";
	b->cur_name = NULL;
	status_write(b, true);
	return rc;
}

/* ---- results: the record, its recommendations ---- */

struct outcome {
	const char *suite, *name, *unit;
	bool higher_is_better, kernel_bound, is_command;
	const double *values;
	size_t n;
	unsigned warmup;
	uint64_t iterations;          /* per run; 0 for commands */
	bool has_resources;
	double user_s, sys_s;
	uint64_t max_rss_kb;
	bool has_counters;            /* commands: context switches, block I/O */
	uint64_t ctx_voluntary, ctx_involuntary, blocks_in, blocks_out;
	const uint64_t *rss_kb;       /* per run; NULL: not known */
	double started_at;
	cJSON *extra;                 /* fields moved into the record */
};

static const struct done_result *find_done(const struct lt_bench *b, const char *suite,
					   const char *name)
{
	for (size_t i = b->n_done; i-- > 0;)
		if (!strcmp(b->done[i].suite, suite) && !strcmp(b->done[i].name, name))
			return &b->done[i];
	return NULL;
}

static bool remember(struct lt_bench *b, const char *suite, const char *name, double mean)
{
	if (b->n_done == b->cap_done) {
		size_t cap = b->cap_done ? 2 * b->cap_done : 32;
		struct done_result *d = realloc(b->done, cap * sizeof *d);
		if (!d)
			return false;
		b->done = d;
		b->cap_done = cap;
	}
	struct done_result *d = &b->done[b->n_done];
	d->suite = lti_strdup(suite);
	d->name = lti_strdup(name);
	d->mean = mean;
	if (!d->suite || !d->name) {
		free(d->suite);
		free(d->name);
		return false;
	}
	b->n_done++;
	return true;
}

static void add_reco(cJSON *arr, const char *rule, const char *suggestion, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_reco(cJSON *arr, const char *rule, const char *suggestion, const char *fmt, ...)
{
	char evidence[512];
	va_list ap;
	cJSON *r = cJSON_CreateObject();

	if (!r)
		return;
	va_start(ap, fmt);
	vsnprintf(evidence, sizeof evidence, fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(r, "rule", rule);
	cJSON_AddStringToObject(r, "evidence", evidence);
	cJSON_AddStringToObject(r, "suggestion", suggestion);
	cJSON_AddItemToArray(arr, r);
}

/* Thresholds of the rules, documented in lt-bench(1). */
#define RULE_NOISY_CV 0.10          /* relative standard deviation */
#define RULE_SYS_SHARE 0.5          /* of user + sys */
#define RULE_SYS_MIN_CPU_S 0.01     /* per run: below, too little CPU to judge */
#define RULE_GROWTH_SHARE 0.10      /* of the first run's memory */
#define RULE_GROWTH_MIN_KB 1024
#define RULE_DRAM_MBPS 4000.0       /* single-thread read beyond every cache */
#define RULE_LLC_GAIN 1.3           /* last-level cache over memory bandwidth */
#define RULE_FSYNC_MS 5.0
#define RULE_SCALING_EFFICIENCY 0.7

static void recommend(struct lt_bench *b, const struct outcome *o,
		      const struct lt_bench_stats *st, cJSON *rec, cJSON *arr)
{
	size_t outliers = st->outliers_low + st->outliers_high;
	const char *up = o->higher_is_better ? "faster" : "slower";
	const char *down = o->higher_is_better ? "slower" : "faster";
	double *z = malloc(o->n * sizeof *z);
	char f1[32], f2[32];

	if (outliers > 0)
		add_reco(arr, "outliers",
			 "other programs or cold caches disturbed some runs: close what else "
			 "runs on the machine, add --warmup, or raise --runs",
			 "%zu of %zu runs are outliers (%zu %s, %zu %s; modified z-score beyond 3.5)",
			 outliers, st->n, st->outliers_high, up, st->outliers_low, down);
	if (z && o->warmup == 0 && o->n >= 3 &&
	    lt_bench_modified_z(o->values, o->n, z, NULL) == LT_OK &&
	    (o->higher_is_better ? z[0] < -LT_BENCH_OUTLIER_Z : z[0] > LT_BENCH_OUTLIER_Z))
		add_reco(arr, "cold-start",
			 "caches were cold on the first run (page cache, CPU caches, the dynamic "
			 "loader): add --warmup 1; to measure cold runs on purpose, clear them "
			 "with --prepare",
			 "the first run measured %s %s against a median of %s %s",
			 fig(o->values[0], f1), o->unit, fig(st->median, f2), o->unit);
	free(z);
	if (st->n >= 3 && st->mean != 0 && st->stddev / fabs(st->mean) > RULE_NOISY_CV)
		add_reco(arr, "noisy",
			 "the machine is noisy: stop background work, fix the CPU frequency "
			 "(cpupower frequency-set -g performance), or raise --runs to narrow the "
			 "interval",
			 "relative standard deviation %.1f %% (stddev %s %s, mean %s %s)",
			 100 * st->stddev / fabs(st->mean), fig(st->stddev, f1), o->unit,
			 fig(st->mean, f2), o->unit);
	if (o->has_resources && !o->kernel_bound && o->n > 0) {
		double cpu = o->user_s + o->sys_s;
		if (cpu / (double)o->n >= RULE_SYS_MIN_CPU_S && o->sys_s / cpu > RULE_SYS_SHARE)
			add_reco(arr, "system-time",
				 "the work is dominated by system calls: count them with "
				 "`strace -c -f`, batch small reads and writes, reuse processes "
				 "and connections",
				 "%.0f %% of the CPU time is in the kernel (sys %.3f s, user %.3f s)",
				 100 * o->sys_s / cpu, o->sys_s, o->user_s);
	}
	if (o->rss_kb && o->n >= 3) {
		uint64_t first = o->rss_kb[0], last = o->rss_kb[o->n - 1];
		size_t downs = 0;
		for (size_t i = 1; i < o->n; i++)
			downs += o->rss_kb[i] < o->rss_kb[i - 1];
		if (last > first && downs == 0 && last - first > RULE_GROWTH_MIN_KB &&
		    (double)(last - first) > RULE_GROWTH_SHARE * (double)first)
			add_reco(arr, "memory-growth",
				 o->is_command
					 ? "something persists and grows between runs (a cache "
					   "file, a database): reset it with --prepare, or look "
					   "for a leak"
					 : "memory is not given back between runs: look for a leak "
					   "with valgrind or AddressSanitizer",
				 "resident memory grew from %.1f MiB to %.1f MiB over %zu runs",
				 (double)first / 1024, (double)last / 1024, o->n);
	}
	if (!strcmp(o->suite, "cache") && !strcmp(o->name, "read_128MiB")) {
		const struct done_result *llc = find_done(b, "cache", "read_8MiB");
		long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
		if (st->mean < RULE_DRAM_MBPS)
			add_reco(arr, "memory-bandwidth",
				 "check that memory runs in multi-channel mode and the CPU "
				 "governor is not powersave; on a VM, that the host is not "
				 "overcommitted",
				 "single-thread read bandwidth beyond the caches is %.0f MB/s "
				 "(below %.0f)", st->mean, RULE_DRAM_MBPS);
		/* Only where an 8 MiB working set fits in the last-level cache
		 * with room to spare. */
		if (llc && l3 >= (long)MiB(16) && llc->mean < RULE_LLC_GAIN * st->mean)
			add_reco(arr, "cache-bandwidth",
				 "the last-level cache gives little: it is shared with busy "
				 "neighbours or throttled; pin the benchmark (taskset) and look "
				 "for other tenants",
				 "an 8 MiB working set reads at %.0f MB/s, only %.2fx the %.0f MB/s "
				 "of 128 MiB although the cache holds %ld MiB",
				 llc->mean, llc->mean / st->mean, st->mean, l3 >> 20);
	}
	if (!strcmp(o->suite, "disk") && !strcmp(o->name, "fsync") && st->mean > RULE_FSYNC_MS)
		add_reco(arr, "fsync",
			 "durable commits are slow here: put databases (lt.db too) on an SSD, "
			 "avoid network file systems, batch commits (WAL, group commit)",
			 "an fsync takes %.2f ms: at most about %.0f durable commits per second",
			 st->mean, 1000 / st->mean);
	if (!strcmp(o->suite, "concurrency") && !strncmp(o->name, "scaling_", 8)) {
		const struct done_result *one = find_done(b, "concurrency", "scaling_1t");
		unsigned threads = (unsigned)strtoul(o->name + 8, NULL, 10);
		if (one && one->mean > 0 && threads > 1) {
			double eff = st->mean / (threads * one->mean);
			cJSON_AddNumberToObject(rec, "efficiency", round(eff * 1000) / 1000);
			if (threads <= online_cpus() && eff < RULE_SCALING_EFFICIENCY)
				add_reco(arr, "thread-scaling",
					 "the cores are not independent (SMT siblings, a CPU quota, "
					 "steal time on a VM): give lt-run --threads only the cores "
					 "that scale, and expect shared cores under load",
					 "%u threads do %.2fx the work of one (efficiency %.0f %%, "
					 "below %.0f %%)",
					 threads, st->mean / one->mean, 100 * eff,
					 100 * RULE_SCALING_EFFICIENCY);
		}
	}
}

static bool add_rounded_array(cJSON *rec, const char *key, const double *x, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(rec, key);
	if (!a)
		return false;
	for (size_t i = 0; i < n; i++) {
		cJSON *v = cJSON_CreateNumber(round_sig(x[i]));
		if (!v)
			return false;
		cJSON_AddItemToArray(a, v);
	}
	return true;
}

/* Compute, build, recommend, remember, emit.  LT_OK or the event
 * callback's code; a record that cannot be built is LT_ENOMEM or an
 * internal error. */
static lt_rc finish(struct lt_bench *b, const struct outcome *o, size_t index,
		    struct lt_bench_stats *st_out, struct lt_err *err)
{
	struct lt_bench_stats st;
	char id[LTI_UUID_LEN], ts[LTI_TIME_LEN];
	cJSON *rec = NULL, *recos, *item;
	lt_rc rc;

	if ((rc = lt_bench_stats_compute(o->values, o->n, &st, err)) != LT_OK)
		return rc;
	lti_uuid(id);
	struct lt_ndjson_bench in = {
		.bench_id = id, .suite = o->suite, .name = o->name, .unit = o->unit,
		.runs = o->n, .mean = round_sig(st.mean), .stddev = round_sig(st.stddev),
		.median = round_sig(st.median), .min = round_sig(st.min), .max = round_sig(st.max),
		.has_ci95 = st.has_ci95, .ci95_lo = round_sig(st.ci95_lo),
		.ci95_hi = round_sig(st.ci95_hi), .has_resources = o->has_resources,
		.user_s = o->user_s, .sys_s = o->sys_s, .max_rss_kb = o->max_rss_kb,
	};
	if ((rc = lt_ndjson_build_bench(&in, &rec, err)) != LT_OK) {
		lt_err_prefix(err, "%s/%s", o->suite, o->name);
		return rc;
	}
	lti_time_format(o->started_at, ts);
	cJSON_AddStringToObject(rec, "better", o->higher_is_better ? "higher" : "lower");
	cJSON_AddNumberToObject(rec, "outliers", (double)(st.outliers_low + st.outliers_high));
	cJSON_AddNumberToObject(rec, "warmup", o->warmup);
	if (o->iterations)
		cJSON_AddNumberToObject(rec, "iterations", (double)o->iterations);
	add_rounded_array(rec, "values", o->values, o->n);
	if (o->has_counters) {
		cJSON *res = cJSON_GetObjectItemCaseSensitive(rec, "resources");
		cJSON_AddNumberToObject(res, "ctx_voluntary", (double)o->ctx_voluntary);
		cJSON_AddNumberToObject(res, "ctx_involuntary", (double)o->ctx_involuntary);
		cJSON_AddNumberToObject(res, "blocks_in", (double)o->blocks_in);
		cJSON_AddNumberToObject(res, "blocks_out", (double)o->blocks_out);
	}
	while (o->extra && (item = o->extra->child) != NULL) {
		cJSON_DetachItemViaPointer(o->extra, item);
		cJSON_AddItemToObject(rec, item->string, item);
	}
	cJSON_AddStringToObject(rec, "started_at", ts);
	cJSON_AddStringToObject(rec, "host", b->host);
	cJSON_AddStringToObject(rec, "version", LT_VERSION);
	cJSON_AddStringToObject(rec, "session_id", b->session_id);
	if ((recos = cJSON_AddArrayToObject(rec, "recommendations")))
		recommend(b, o, &st, rec, recos);
	if (!remember(b, o->suite, o->name, st.mean)) {
		cJSON_Delete(rec);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	struct lt_bench_event ev = {
		.kind = LT_BENCH_EV_RESULT, .suite = o->suite, .name = o->name, .index = index,
		.total = b->total, .record = rec, .stats = &st,
	};
	rc = emit(b, &ev);
	cJSON_Delete(rec);
	if (st_out)
		*st_out = st;
	return rc;
}

/* ---- running a built-in benchmark ---- */

static uint64_t rss_now_kb(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
}

/* The process's peak RSS is reset before each benchmark (writing 5 to
 * clear_refs, Linux 4.0+), so that max_rss_kb is this benchmark's peak,
 * not the largest of the session so far.  Where that is refused the
 * figure is the session's peak, which is still an upper bound. */
static void peak_rss_reset(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "5", 1) != 1) {
			/* best effort, see above */
		}
		close(fd);
	}
}

static uint64_t peak_rss_kb(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double cpu_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static const char *scratch_base(const struct lt_bench *b)
{
	const char *t = b->o.tmpdir;
	if (!t || !*t)
		t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* Remove the flat scratch directory a case used (every case writes its
 * files straight into it). */
static void scratch_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

static lt_rc timed_batch(const struct bcase *c, void *ctx, uint64_t iters, double *value,
			 double *elapsed_out, struct lt_err *err)
{
	double work = 0, t0, elapsed;
	lt_rc rc;

	if (c->reset && (rc = c->reset(ctx, err)) != LT_OK)
		return rc;
	t0 = mono_s();
	rc = c->batch(ctx, iters, &work, err);
	elapsed = mono_s() - t0;
	if (rc != LT_OK)
		return rc;
	/* The monotonic clock ticks in ns; a batch is never shorter. */
	if (elapsed < 1e-9)
		elapsed = 1e-9;
	if (work <= 0)
		return lt_err_set(err, LT_EINTERNAL, "%s/%s: a batch did no work", c->info.suite,
				  c->info.name);
	*value = c->measure == PER_OP ? elapsed * c->scale / work : work / elapsed / c->scale;
	*elapsed_out = elapsed;
	return LT_OK;
}

/* Calibrate, warm up, measure.  rc: LT_OK, LT_EINTR, or the callback's
 * code for the session; a failure of the case itself goes to *cerr with
 * *case_failed set. */
static lt_rc measure_batches(struct lt_bench *b, const struct bcase *c, void *ctx, size_t index,
			     double *values, uint64_t *rss, unsigned runs, unsigned warmup,
			     uint64_t *iters_out, struct rusage *ru0, struct lt_err *cerr)
{
	const double min_time = builtin_min_time(b);
	const uint64_t cap = c->max_iters ? c->max_iters : 1000000000u;
	uint64_t iters = 1;
	double value, elapsed;
	lt_rc rc;

	/* Grow the batch until it lasts min_time, as Google Benchmark does:
	 * by the factor that would reach 1.4 min_time when the last batch
	 * was long enough to extrapolate from (a tenth of min_time), else
	 * tenfold. */
	for (;;) {
		if (b->stop)
			return LT_EINTR;
		if ((rc = progress(b, c->info.suite, c->info.name, index, "calibrating", 0, runs)))
			return rc;
		if ((rc = timed_batch(c, ctx, iters, &value, &elapsed, cerr)) != LT_OK)
			return rc;
		if (elapsed >= min_time || iters >= cap)
			break;
		double mult = elapsed > min_time / 10 ? min_time * 1.4 / elapsed : 10;
		double next = ceil((double)iters * mult);
		iters = next > (double)cap ? cap : next <= (double)iters ? iters + 1 : (uint64_t)next;
	}
	/* The last calibration batch ran at the final size and was not
	 * measured: it is the first warm-up run already. */
	for (unsigned w = 1; w < warmup; w++) {
		if (b->stop)
			return LT_EINTR;
		if ((rc = progress(b, c->info.suite, c->info.name, index, "warmup", w + 1, warmup)))
			return rc;
		if ((rc = timed_batch(c, ctx, iters, &value, &elapsed, cerr)) != LT_OK)
			return rc;
	}
	getrusage(RUSAGE_SELF, ru0);
	for (unsigned r = 0; r < runs; r++) {
		if (b->stop)
			return LT_EINTR;
		if ((rc = progress(b, c->info.suite, c->info.name, index, "measuring", r + 1, runs)))
			return rc;
		if ((rc = timed_batch(c, ctx, iters, &values[r], &elapsed, cerr)) != LT_OK)
			return rc;
		rss[r] = rss_now_kb();
	}
	*iters_out = iters;
	return LT_OK;
}

/* rc of the session: LT_OK (the case ran, failed or was skipped), LT_EINTR,
 * LT_ENOMEM, or the event callback's code. */
static lt_rc run_case(struct lt_bench *b, const struct bcase *c, size_t index, struct lt_err *err)
{
	unsigned runs = builtin_runs(b), warmup = builtin_warmup(b);
	struct env env = {.b = b, .c = c, .quick = b->o.quick, .target_path = b->o.target_path,
			  .index = index};
	struct lt_err cerr = {0};
	struct rusage ru0 = {0}, ru1 = {0};
	struct outcome o = {0};
	char scratch[4200] = "";
	double *values = NULL;
	uint64_t *rss = NULL, iters = 0;
	void *ctx = NULL;
	bool set_up = false;
	lt_rc rc, crc;

	struct lt_bench_event start = {
		.kind = LT_BENCH_EV_START, .suite = c->info.suite, .name = c->info.name,
		.index = index, .total = b->total,
	};
	if ((rc = emit(b, &start)) != LT_OK)
		return rc;
	o.started_at = lti_time_now();
	values = calloc(runs, sizeof *values);
	rss = calloc(runs, sizeof *rss);
	env.extra = cJSON_CreateObject();
	if (!values || !rss || !env.extra) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	if (c->param_name) {
		cJSON *params = cJSON_AddObjectToObject(env.extra, "params");
		if (params)
			cJSON_AddNumberToObject(params, c->param_name, (double)c->param);
	}
	if (c->scratch) {
		snprintf(scratch, sizeof scratch, "%s/lt-bench.XXXXXX", scratch_base(b));
		if (!mkdtemp(scratch)) {
			lt_err_set(&cerr, LT_EIO, "scratch directory %s: %s", scratch, strerror(errno));
			scratch[0] = 0;
			crc = LT_EIO;
			goto case_failed;
		}
		env.scratch = scratch;
	}
	peak_rss_reset();
	if ((crc = c->setup(&env, &ctx, &cerr)) != LT_OK) {
		if (crc == LT_ENOTFOUND && c->measure == CUSTOM) {
			rc = report_problem(b, LT_BENCH_EV_SKIPPED, c->info.suite, c->info.name, index,
					    lt_errmsg(&cerr));
			goto out;
		}
		goto case_failed;
	}
	set_up = true;
	if (c->measure == CUSTOM) {
		getrusage(RUSAGE_SELF, &ru0);
		crc = c->custom(&env, ctx, values, &runs, warmup, &cerr);
		rss[0] = 0;
	} else {
		crc = measure_batches(b, c, ctx, index, values, rss, runs, warmup, &iters, &ru0, &cerr);
	}
	getrusage(RUSAGE_SELF, &ru1);
	if (crc == LT_EINTR || b->stop) {
		rc = LT_EINTR;
		goto out;
	}
	if (crc != LT_OK) {
		/* A code from the event callback ends the session; anything
		 * else is this benchmark's failure. */
		if (cerr.rc == LT_OK) {
			rc = crc;
			goto out;
		}
		goto case_failed;
	}
	c->teardown(ctx);
	set_up = false;
	o.suite = c->info.suite;
	o.name = c->info.name;
	o.unit = c->info.unit;
	o.higher_is_better = c->info.higher_is_better;
	o.kernel_bound = c->kernel_bound;
	o.values = values;
	o.n = runs;
	o.warmup = warmup;
	o.iterations = iters;
	o.has_resources = true;
	o.user_s = cpu_s(&ru1.ru_utime) - cpu_s(&ru0.ru_utime);
	o.sys_s = cpu_s(&ru1.ru_stime) - cpu_s(&ru0.ru_stime);
	o.max_rss_kb = peak_rss_kb();
	o.rss_kb = c->measure == CUSTOM ? NULL : rss;
	o.extra = env.extra;
	rc = finish(b, &o, index, NULL, err);
	goto out;
case_failed:
	rc = report_problem(b, LT_BENCH_EV_FAILED, c->info.suite, c->info.name, index,
			    lt_errmsg(&cerr));
out:
	if (set_up)
		c->teardown(ctx);
	if (scratch[0])
		scratch_remove(scratch);
	cJSON_Delete(env.extra);
	free(values);
	free(rss);
	return rc;
}

static lt_rc parse_selection(const char *suites_arg, bool want[N_SUITES], struct lt_err *err)
{
	const char *p = suites_arg;

	if (!p || !strcmp(p, "all")) {
		for (size_t i = 0; i < N_SUITES; i++)
			want[i] = true;
		return LT_OK;
	}
	memset(want, 0, N_SUITES * sizeof *want);
	while (*p) {
		size_t len = strcspn(p, ","), i;
		for (i = 0; i < N_SUITES; i++)
			if (strlen(suites[i].name) == len && !strncmp(p, suites[i].name, len))
				break;
		if (len == 3 && !strncmp(p, "all", 3)) {
			for (i = 0; i < N_SUITES; i++)
				want[i] = true;
		} else if (i == N_SUITES) {
			char known[256] = "";
			for (size_t k = 0; k < N_SUITES; k++) {
				strcat(known, k ? ", " : "");
				strcat(known, suites[k].name);
			}
			return lt_err_set(err, LT_EUSAGE, "unknown suite '%.*s' (known: %s, all)",
					  (int)len, p, known);
		} else {
			want[i] = true;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return LT_OK;
}

static bool selected(const struct bcase *c, const bool want[N_SUITES], const char *filter)
{
	char full[256];
	size_t i;

	for (i = 0; i < N_SUITES; i++)
		if (!strcmp(suites[i].name, c->info.suite))
			break;
	if (i == N_SUITES || !want[i])
		return false;
	if (!filter)
		return true;
	snprintf(full, sizeof full, "%s/%s", c->info.suite, c->info.name);
	return fnmatch(filter, full, 0) == 0 || fnmatch(filter, c->info.name, 0) == 0;
}

lt_rc lt_bench_select(const char *suites_arg, const char *filter, size_t *count,
		      struct lt_err *err)
{
	bool want[N_SUITES];
	size_t n = 0, total = lt_bench_count();
	lt_rc rc;

	if ((rc = parse_selection(suites_arg, want, err)) != LT_OK)
		return rc;
	for (size_t i = 0; i < total; i++)
		n += selected(&catalogue[i], want, filter);
	if (n == 0)
		return lt_err_set(err, LT_EUSAGE, "no benchmark matches '%s'", filter ? filter : "");
	if (count)
		*count = n;
	return LT_OK;
}

lt_rc lt_bench_run_suites(struct lt_bench *b, const char *suites_arg, const char *filter,
			  struct lt_err *err)
{
	bool want[N_SUITES];
	size_t total, index = 0, count = lt_bench_count();
	lt_rc rc;

	if ((rc = lt_bench_select(suites_arg, filter, &total, err)) != LT_OK)
		return rc;
	parse_selection(suites_arg, want, NULL);
	session_begin(b, "suites", total);
	for (size_t i = 0; i < count && rc == LT_OK; i++) {
		if (!selected(&catalogue[i], want, filter))
			continue;
		if (b->stop) {
			rc = LT_EINTR;
			break;
		}
		rc = run_case(b, &catalogue[i], index++, err);
	}
	if (rc == LT_EINTR)
		lt_err_set(err, LT_EINTR, "interrupted");
	return session_end(b, rc);
}

/* ---- command benchmarks ---- */

static char *join_argv(char *const *argv)
{
	size_t len = 1;
	char *s;
	for (char *const *a = argv; *a; a++)
		len += strlen(*a) + 1;
	if (!(s = malloc(len)))
		return NULL;
	s[0] = 0;
	for (char *const *a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

/* One run of the prepare command and the command.  LT_OK with *why
 * empty when it went well; LT_OK with *why set when the benchmark failed
 * (exit status, signal, timeout); LT_EINTR; LT_EIO. */
static lt_rc command_once(struct lt_bench *b, char *const *argv, const char *name,
			  const struct lt_bench_exec_opts *eo, struct lt_bench_exec_result *res,
			  unsigned run, bool *nonzero, char *why, size_t why_len, struct lt_err *err)
{
	struct lt_bench_exec_result pr;
	lt_rc rc;

	why[0] = 0;
	*nonzero = false;
	if (b->o.prepare) {
		char *prep[] = {"/bin/sh", "-c", (char *)b->o.prepare, NULL};
		if ((rc = lt_bench_exec(prep, eo, &pr, err)) != LT_OK)
			return rc;
		if (pr.timed_out || pr.exit_code != 0) {
			if (pr.timed_out)
				snprintf(why, why_len, "the --prepare command timed out after %g s",
					 eo->timeout_s);
			else if (pr.term_signal)
				snprintf(why, why_len, "the --prepare command was killed by signal %d (%s)",
					 pr.term_signal, strsignal(pr.term_signal));
			else
				snprintf(why, why_len, "the --prepare command exited with status %d",
					 pr.exit_code);
			return LT_OK;
		}
	}
	if ((rc = lt_bench_exec(argv, eo, res, err)) != LT_OK)
		return rc;
	if (res->timed_out)
		snprintf(why, why_len, "'%s' timed out after %g s on run %u (--timeout)", name,
			 eo->timeout_s, run);
	else if (res->term_signal)
		snprintf(why, why_len, "'%s' was killed by signal %d (%s) on run %u", name,
			 res->term_signal, strsignal(res->term_signal), run);
	else if (res->exit_code != 0) {
		*nonzero = true;
		if (!b->o.ignore_failure)
			snprintf(why, why_len,
				 "'%s' exited with status %d on run %u (--ignore-failure "
				 "measures it anyway)", name, res->exit_code, run);
	}
	return LT_OK;
}

static lt_rc run_command(struct lt_bench *b, const struct lt_bench_command *cmd, size_t index,
			 const struct lt_bench_stats *ref, const char *ref_name,
			 struct lt_bench_stats *st_out, bool *ok, struct lt_err *err)
{
	struct lt_bench_exec_opts eo = {.timeout_s = b->o.timeout_s, .output_fd = b->o.output_fd,
					.stop = &b->stop};
	struct lt_bench_exec_result res;
	unsigned warmup = b->o.warmup >= 0 ? (unsigned)b->o.warmup : 0;
	unsigned runs = b->o.runs, cap = runs ? runs : LT_BENCH_CMD_MAX_RUNS, failed_runs = 0;
	double min_time = b->o.min_time_s > 0 ? b->o.min_time_s : LT_BENCH_CMD_MIN_TIME_S;
	char *joined = NULL, why[512];
	const char *name = cmd->name;
	double *values = calloc(cap, sizeof *values);
	uint64_t *rss = calloc(cap, sizeof *rss);
	struct outcome o = {.suite = "command", .unit = "ms", .is_command = true,
			    .has_resources = true, .has_counters = true};
	bool nonzero;
	lt_rc rc = LT_OK;

	*ok = false;
	if (!name)
		name = joined = join_argv(cmd->argv);
	o.extra = cJSON_CreateObject();
	if (!values || !rss || !name || !o.extra) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	struct lt_bench_event start = {.kind = LT_BENCH_EV_START, .suite = "command",
				       .name = name, .index = index, .total = b->total};
	if ((rc = emit(b, &start)) != LT_OK)
		goto out;
	o.started_at = lti_time_now();
	for (unsigned w = 0; w < warmup; w++) {
		if ((rc = progress(b, "command", name, index, "warmup", w + 1, warmup)) ||
		    (rc = command_once(b, cmd->argv, name, &eo, &res, w + 1, &nonzero, why,
				       sizeof why, err)) != LT_OK)
			goto out;
		if (why[0])
			goto failed;
	}
	/* Without --runs: at least LT_BENCH_CMD_MIN_RUNS runs and min_time
	 * seconds, as many as the first run says fit, at most the cap. */
	unsigned target = runs ? runs : LT_BENCH_CMD_MIN_RUNS;
	for (unsigned r = 0; r < target; r++) {
		if ((rc = progress(b, "command", name, index, "measuring", r + 1, target)) ||
		    (rc = command_once(b, cmd->argv, name, &eo, &res, r + 1, &nonzero, why,
				       sizeof why, err)) != LT_OK)
			goto out;
		if (why[0])
			goto failed;
		failed_runs += nonzero;
		values[r] = res.wall_s * 1000;
		rss[r] = res.max_rss_kb;
		o.user_s += res.user_s;
		o.sys_s += res.sys_s;
		if (res.max_rss_kb > o.max_rss_kb)
			o.max_rss_kb = res.max_rss_kb;
		o.ctx_voluntary += res.ctx_voluntary;
		o.ctx_involuntary += res.ctx_involuntary;
		o.blocks_in += res.blocks_in;
		o.blocks_out += res.blocks_out;
		if (r == 0 && !runs && res.wall_s > 0) {
			double want = ceil(min_time / res.wall_s);
			target = want > cap ? cap : want < target ? target : (unsigned)want;
		}
	}
	o.name = name;
	o.values = values;
	o.n = target;
	o.warmup = warmup;
	o.rss_kb = rss;
	cJSON *argv_json = cJSON_AddArrayToObject(o.extra, "command");
	for (char *const *a = cmd->argv; argv_json && *a; a++)
		cJSON_AddItemToArray(argv_json, cJSON_CreateString(*a));
	if (b->o.prepare)
		cJSON_AddStringToObject(o.extra, "prepare", b->o.prepare);
	if (b->o.ignore_failure)
		cJSON_AddNumberToObject(o.extra, "failed_runs", failed_runs);
	if (ref && target >= 2) {
		struct lt_bench_stats mine;
		struct lt_bench_ratio ratio;
		if (lt_bench_stats_compute(values, target, &mine, NULL) == LT_OK &&
		    lt_bench_ratio_compute(&mine, ref, &ratio, NULL) == LT_OK) {
			cJSON *rel = cJSON_AddObjectToObject(o.extra, "relative"), *ci;
			cJSON_AddStringToObject(rel, "to", ref_name);
			cJSON_AddNumberToObject(rel, "ratio", round_sig(ratio.ratio));
			ci = cJSON_AddArrayToObject(rel, "ci95");
			cJSON_AddItemToArray(ci, cJSON_CreateNumber(round_sig(ratio.ci95_lo)));
			cJSON_AddItemToArray(ci, cJSON_CreateNumber(round_sig(ratio.ci95_hi)));
		}
	}
	if ((rc = finish(b, &o, index, st_out, err)) == LT_OK)
		*ok = true;
	goto out;
failed:
	rc = report_problem(b, LT_BENCH_EV_FAILED, "command", name, index, why);
out:
	cJSON_Delete(o.extra);
	free(joined);
	free(values);
	free(rss);
	return rc;
}

lt_rc lt_bench_run_commands(struct lt_bench *b, const struct lt_bench_command *cmds, size_t n,
			    struct lt_err *err)
{
	struct lt_bench_stats ref = {0};
	char *ref_name = NULL;
	bool have_ref = false;
	lt_rc rc = LT_OK;

	if (n == 0)
		return lt_err_set(err, LT_EUSAGE, "no command to benchmark");
	for (size_t i = 0; i < n; i++) {
		if (!cmds[i].argv || !cmds[i].argv[0] || !cmds[i].argv[0][0])
			return lt_err_set(err, LT_EUSAGE, "command %zu is empty", i + 1);
		char prog[4200];
		lt_rc rc0 = resolve(cmds[i].argv[0], prog, sizeof prog, err);
		if (rc0 != LT_OK)
			return rc0;
	}
	session_begin(b, "commands", n);
	for (size_t i = 0; i < n && rc == LT_OK; i++) {
		struct lt_bench_stats st;
		bool ok;
		if (b->stop) {
			rc = LT_EINTR;
			break;
		}
		rc = run_command(b, &cmds[i], i, have_ref ? &ref : NULL, ref_name, &st, &ok, err);
		if (rc == LT_OK && ok && !have_ref) {
			have_ref = true;
			ref = st;
			ref_name = cmds[i].name ? lti_strdup(cmds[i].name) : join_argv(cmds[i].argv);
			if (!ref_name)
				rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		}
	}
	free(ref_name);
	if (rc == LT_EINTR)
		lt_err_set(err, LT_EINTR, "interrupted");
	return session_end(b, rc);
}

/* ---- http, continued: setup and measurement need the session ---- */

struct http_run {
	struct lt_bench *b;
	const struct bcase *c;
	size_t index;
	double *values;
	unsigned runs, got;
	cJSON *extra;
	lt_rc cb_rc;
};

static lt_rc http_setup(struct env *env, void **ctx, struct lt_err *err)
{
	struct http *h;
	unsigned ncpu = online_cpus();
	lt_rc rc;

	if (!env->target_path)
		return lt_err_set(err, LT_ENOTFOUND,
				  "lt-target not found (set LT_TARGET to the test server of an lt build)");
	if (access(env->target_path, X_OK) != 0)
		return lt_err_set(err, LT_ENOTFOUND, "%s: %s (set LT_TARGET to lt-target)",
				  env->target_path, strerror(errno));
	if (!(h = calloc(1, sizeof *h)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	h->target_threads = ncpu / 2 ? ncpu / 2 : 1;
	h->engine_threads = ncpu > h->target_threads ? ncpu - h->target_threads : 1;
	rc = http_start_target(env, h, builtin_runs(env->b) + builtin_warmup(env->b), err);
	if (rc != LT_OK) {
		http_free(h);
		return rc;
	}
	cJSON *params = cJSON_GetObjectItemCaseSensitive(env->extra, "params");
	if (params) {
		cJSON_AddNumberToObject(params, "engine_threads", h->engine_threads);
		cJSON_AddNumberToObject(params, "target_threads", h->target_threads);
	}
	*ctx = h;
	return LT_OK;
}

static int http_on_record(const cJSON *rec, void *user)
{
	struct http_run *r = user;
	const char *type = lt_ndjson_get_str(rec, "type"), *phase = lt_ndjson_get_str(rec, "phase");
	double rps;

	if (type && !strcmp(type, "sample") && phase && !strcmp(phase, "steady") &&
	    r->got < r->runs && lt_ndjson_get_num(rec, "rps", &rps)) {
		r->values[r->got++] = rps;
		if (r->got < r->runs)
			r->cb_rc = progress(r->b, r->c->info.suite, r->c->info.name, r->index, "measuring",
					    r->got + 1, r->runs);
		return r->cb_rc != LT_OK;
	}
	if (type && !strcmp(type, "summary")) {
		cJSON *lat = cJSON_AddObjectToObject(r->extra, "latency_ms");
		double v;
		uint64_t n;
		if (lat && lt_ndjson_get_num(rec, "latency_ms.p50", &v))
			cJSON_AddNumberToObject(lat, "p50", v);
		if (lat && lt_ndjson_get_num(rec, "latency_ms.p99", &v))
			cJSON_AddNumberToObject(lat, "p99", v);
		if (lt_ndjson_get_count(rec, "requests", &n))
			cJSON_AddNumberToObject(r->extra, "requests", (double)n);
		if (lt_ndjson_get_count(rec, "errors", &n))
			cJSON_AddNumberToObject(r->extra, "errors", (double)n);
	}
	return 0;
}

static lt_rc http_measure(struct env *env, void *ctx, double *values, unsigned *runs,
			  unsigned warmup, struct lt_err *err)
{
	struct http *h = ctx;
	struct http_run r = {.b = env->b, .c = env->c, .index = env->index, .values = values,
			     .runs = *runs, .extra = env->extra};
	struct lt_scenario_set *set = NULL;
	struct lt_engine *e = NULL;
	struct lt_engine_result res;
	char json[1024];
	lt_rc rc;

	snprintf(json, sizeof json,
		 "{\"id\":\"lt-bench-http\",\"name\":\"lt-bench loopback\",\"config\":{"
		 "\"baseUrl\":\"http://127.0.0.1:%d\","
		 "\"endpoints\":[{\"path\":\"/health\",\"method\":\"GET\"}],"
		 "\"users\":{\"concurrent\":%d},"
		 "\"duration\":{\"total\":%u,\"warmup\":%u}}}",
		 h->port, HTTP_USERS, warmup + *runs, warmup);
	if ((rc = lt_scenario_parse(json, strlen(json), "lt-bench http", NULL, &set, err)) != LT_OK)
		return rc;
	struct lt_engine_opts eo = {.threads = h->engine_threads, .on_record = http_on_record,
				    .user = &r};
	if ((rc = lt_engine_new(lt_scenario_set_get(set, 0), &eo, &e, err)) != LT_OK)
		goto out;
	if ((rc = progress(env->b, env->c->info.suite, env->c->info.name, env->index,
			   warmup ? "warmup" : "measuring", 1, warmup ? warmup : *runs)) != LT_OK)
		goto out;
	env->b->engine = e;
	if (env->b->stop)
		lt_engine_stop(e);
	rc = lt_engine_run(e, &res, err);
	env->b->engine = NULL;
	if (rc != LT_OK)
		goto out;
	if (r.cb_rc != LT_OK) {
		rc = r.cb_rc;
		goto out;
	}
	if (env->b->stop || res.interrupted) {
		rc = LT_EINTR;
		goto out;
	}
	if (r.got == 0 || res.requests == 0) {
		rc = lt_err_set(err, LT_ENET, "no request to 127.0.0.1:%d completed", h->port);
		goto out;
	}
	*runs = r.got;
out:
	lt_engine_free(e);
	lt_scenario_set_free(set);
	return rc;
}
