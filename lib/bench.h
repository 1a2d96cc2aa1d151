/* bench.h -- benchmark runner: built-in suites and user commands.
 *
 * lt-bench measures two kinds of things and reports both as the `bench`
 * records of lt-ndjson(5), so that lt-store records them and lt-regress
 * follows them over time:
 *
 *  - built-in suites, in the manner of Google Benchmark: each benchmark is
 *    a loop of one operation (an SQLite insert, a pointer-chasing load, a
 *    memcpy of 64 MiB, ...).  The runner calibrates how many operations
 *    make one run last at least min_time, runs it a few times unmeasured
 *    (warm-up), then `runs` times measured, and reports the time per
 *    operation or the throughput of each run;
 *  - commands, in the manner of hyperfine: a program started `runs` times
 *    with posix_spawn (no shell: the user writes `sh -c '...'` to get
 *    one), its wall time taken with CLOCK_MONOTONIC around spawn and
 *    wait4, its CPU time, peak memory, context switches and block I/O
 *    from the rusage wait4 returns.
 *
 * The statistics of a benchmark are those of its per-run figures: mean,
 * sample standard deviation, median, min, max, the 95 % confidence
 * interval of the mean (Student's t), and outliers by the modified
 * z-score of Iglewicz and Hoaglin (below).  Commands are compared by the
 * ratio of their means with a 95 % interval from the delta method.
 *
 * Recommendations are rules over what was measured (high system-time
 * share, high variance, outliers, a slow first run, memory growth across
 * runs, low memory bandwidth, slow fsync, thread scaling below linear);
 * each names its evidence figure and a concrete suggestion, and is stored
 * in the record ("recommendations").  lt-bench(1) lists the rules and
 * their thresholds.
 *
 * A session writes its progress to a small JSON status file when asked
 * (lt-bench status, lt-serve's /benchmarks/status read it).
 *
 * Non-goals: no profiling of the command's insides (use perf), no shell
 * (quoting is the user's), no parallel runs (they would measure each
 * other).  The module never prints and never exits; events go to a
 * callback.  Linux only (/proc, pidfd, posix_fadvise).
 *
 * Thread safety: a session belongs to the thread that runs it (some
 * benchmarks start threads of their own and join them before returning);
 * lt_bench_stop() may be called from a signal handler or any thread.
 * The statistics functions are reentrant.
 */
#ifndef LT_BENCH_H
#define LT_BENCH_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- statistics ---- */

/* Outliers: the modified z-score of value x is
 *     M = 0.6745 (x - median) / MAD
 * where MAD is the median of |x_i - median| (Iglewicz and Hoaglin, "How
 * to Detect and Handle Outliers", 1993; 0.6745 is the 0.75 quantile of
 * the standard normal, which makes MAD comparable with a standard
 * deviation).  |M| > 3.5 is an outlier, their recommended cut-off.
 * Chosen over Tukey's fences because it needs no quartile convention and
 * stays sensible with the 5 to 10 runs benchmarks usually have.
 *
 * A floor on MAD: LT_BENCH_MAD_FLOOR of |median|.  Runs of `sleep 0.1`
 * agree to within 50 us, and with a MAD that small a run 0.3 ms slower
 * would count as an outlier while nobody would call it one; with the
 * floor, a value must be at least 3.5 / 0.6745 * 1 % = 5.2 % away from
 * the median to be flagged.  (0.5 % proved too tight on shared CI
 * machines: ten runs of a 24 ms command agreed to 0.2 ms and one run
 * 3 % faster than the median was called an outlier.)  When MAD and the median are both 0, every
 * value other than the median is an outlier. */
#define LT_BENCH_OUTLIER_Z 3.5
#define LT_BENCH_MAD_FLOOR 0.01

/* Fewer values than this have no outliers: with 3 or 4 the median and
 * MAD rest on two values, and "two runs agree, one does not" is then
 * flagged whenever one deviation is 5 times another -- which says more
 * about the sample size than about the runs. */
#define LT_BENCH_OUTLIER_MIN_N 5

struct lt_bench_stats {
	size_t n;                /* values */
	double mean;
	double stddev;           /* sample standard deviation (n - 1); 0 for n = 1 */
	double median;           /* the middle value, or the mean of the two middle ones */
	double min, max;
	bool has_ci95;           /* false for n < 2 */
	double ci95_lo, ci95_hi; /* mean -+ t(0.975, n - 1) stddev / sqrt(n) */
	size_t outliers_low;     /* modified z-score < -3.5 (n >= 5) */
	size_t outliers_high;    /* modified z-score > 3.5 */
};

/* The statistics of x[0..n).  x is borrowed and unchanged.  LT_EINVAL
 * when n is 0 or a value is NaN or infinite (*out unchanged), LT_ENOMEM.
 * O(n log n): the median sorts a copy. */
lt_rc lt_bench_stats_compute(const double *x, size_t n,
			     struct lt_bench_stats *out, struct lt_err *err);

/* The modified z-score of each x[i] into z[i] (caller's array of n),
 * with the floor above; for n < LT_BENCH_OUTLIER_MIN_N every score is 0
 * (too few values to call any of them unusual).  A value with the median and MAD both 0
 * scores +-INFINITY when it differs from the median.  LT_EINVAL for n = 0
 * or a non-finite value, LT_ENOMEM. */
lt_rc lt_bench_modified_z(const double *x, size_t n, double *z,
			  struct lt_err *err);

/* The ratio of two means, num->mean / den->mean, and its 95 % confidence
 * interval by the delta method: the relative standard error is
 *     se_r / r = sqrt(s_a^2 / (n_a m_a^2) + s_b^2 / (n_b m_b^2))
 * and the interval r -+ t(0.975, df) se_r, with df from the
 * Welch-Satterthwaite formula over the two terms (n_a + n_b - 2 when both
 * standard deviations are 0).  Chosen over Fieller's interval, which is
 * exact for normal data but unbounded when the denominator's mean is not
 * clearly away from 0, because benchmark means are many standard errors
 * from 0 and then both agree to the digits printed.
 *
 * LT_EINVAL (with *out unchanged) when either has fewer than 2 values or
 * a mean that is not > 0. */
struct lt_bench_ratio {
	double ratio;
	double ci95_lo, ci95_hi;
	double df;               /* degrees of freedom of the t quantile */
};
lt_rc lt_bench_ratio_compute(const struct lt_bench_stats *num,
			     const struct lt_bench_stats *den,
			     struct lt_bench_ratio *out, struct lt_err *err);

/* ---- running one command ---- */

struct lt_bench_exec_opts {
	double timeout_s;        /* > 0: kill the run (its whole process group)
				  * after this long; 0: wait for ever */
	int output_fd;           /* where the command's stdout and stderr go;
				  * -1: /dev/null.  stdin is always /dev/null */
	const volatile int *stop; /* when it turns non-zero (a signal handler),
				  * the run is killed; NULL: none */
};

struct lt_bench_exec_result {
	double wall_s;           /* spawn to reaped, CLOCK_MONOTONIC */
	double user_s, sys_s;    /* CPU time of the command and the children it waited for */
	uint64_t max_rss_kb;     /* peak resident set of the largest of them */
	uint64_t ctx_voluntary, ctx_involuntary;
	uint64_t blocks_in, blocks_out; /* file system block I/O (512-byte units) */
	int exit_code;           /* 0..255; -1 when killed by a signal */
	int term_signal;         /* the signal that killed it, else 0 */
	bool timed_out;          /* killed because of timeout_s */
};

/* Run argv (argv[0] searched in $PATH as execvp does) once, in a process
 * group of its own so that a timeout kills what it started too, and wait
 * for it.  LT_OK whenever it ran, whatever its exit status (see *res);
 * LT_ENOTFOUND when argv[0] cannot be found or executed (err: "foo:
 * command not found" or the errno text), LT_EINTR when *stop turned
 * non-zero (the run killed and reaped), LT_EIO when spawning failed for
 * another reason.  argv is borrowed.  *res is filled on LT_OK and
 * LT_EINTR. */
lt_rc lt_bench_exec(char *const argv[], const struct lt_bench_exec_opts *opts,
		    struct lt_bench_exec_result *res, struct lt_err *err);

/* Split a command line into words as a POSIX shell does it, without any
 * expansion: blanks separate words; '...' keeps everything literally;
 * "..." keeps everything but \" \\ \$ \` (backslash-escaped); a
 * backslash outside quotes keeps the next character.  No variables, no
 * globs, no ~, no operators: "a | b" is three words.  *argv is new (free
 * it with lt_bench_argv_free), NULL-terminated, with *argc words.
 * LT_EINVAL for an unterminated quote or a line with no words,
 * LT_ENOMEM. */
lt_rc lt_bench_split(const char *line, char ***argv, size_t *argc,
		     struct lt_err *err);
void lt_bench_argv_free(char **argv);

/* ---- the built-in benchmarks ---- */

struct lt_bench_info {
	const char *suite;       /* "cache" */
	const char *name;        /* "latency_8MiB"; suite + name is the
				  * benchmark's identity across runs */
	const char *unit;        /* "ns", "us", "ms", "MB/s", "ops/s", ... */
	bool higher_is_better;   /* true for rates */
	const char *description; /* one line */
};

/* The built-in benchmarks, suite by suite, in the order they run.  The
 * catalogue is fixed for the life of the process (the concurrency suite's
 * thread counts follow the number of online CPUs: 1, 2, 4 ... up to
 * twice that number).  Borrowed, constant; NULL past the end. */
size_t lt_bench_count(void);
const struct lt_bench_info *lt_bench_get(size_t i);

/* The suites: name and a one-line description; NULL past the end. */
const char *lt_bench_suite_name(size_t i);
const char *lt_bench_suite_description(size_t i);

/* ---- sessions ---- */

enum lt_bench_event_kind {
	LT_BENCH_EV_START,       /* a benchmark begins */
	LT_BENCH_EV_PROGRESS,    /* a phase or a run begins */
	LT_BENCH_EV_RESULT,      /* a benchmark ended with a record */
	LT_BENCH_EV_SKIPPED,     /* a benchmark cannot run here (reason) */
	LT_BENCH_EV_FAILED,      /* a benchmark failed (reason) */
};

/* What the session reports as it goes.  Everything is borrowed for the
 * call only. */
struct lt_bench_event {
	enum lt_bench_event_kind kind;
	const char *suite, *name; /* of the benchmark */
	size_t index, total;     /* this benchmark (0-based) of the session's */
	const char *phase;       /* PROGRESS: "calibrating", "warmup", "measuring" */
	unsigned run, runs;      /* PROGRESS: the run about to start (1-based) of runs */
	const char *reason;      /* SKIPPED, FAILED: one line, why */
	const cJSON *record;     /* RESULT: the bench record (lt-ndjson(5)) */
	const struct lt_bench_stats *stats; /* RESULT */
};

/* Called on the session's thread.  Anything but LT_OK stops the session,
 * which returns that code (the callback keeps its own error detail). */
typedef lt_rc (*lt_bench_event_fn)(const struct lt_bench_event *ev, void *user);

/* Defaults, for the man page and --help (commands / built-in). */
#define LT_BENCH_DEFAULT_RUNS        5    /* built-in */
#define LT_BENCH_DEFAULT_WARMUP      1    /* built-in; commands: 0 */
#define LT_BENCH_DEFAULT_MIN_TIME_S  0.1  /* built-in: one run at least */
#define LT_BENCH_QUICK_RUNS          3
#define LT_BENCH_QUICK_MIN_TIME_S    0.02
#define LT_BENCH_CMD_MIN_RUNS        10   /* commands without --runs */
#define LT_BENCH_CMD_MIN_TIME_S      3.0  /* commands without --runs */
#define LT_BENCH_CMD_MAX_RUNS        1000 /* commands without --runs */
#define LT_BENCH_MAX_RUNS            100000

struct lt_bench_opts {
	unsigned runs;           /* measured runs; 0: the default (built-in 5,
				  * --quick 3; commands: at least 10 and
				  * min_time_s seconds, at most 1000) */
	int warmup;              /* unmeasured runs first; < 0: the default
				  * (built-in 1, --quick 0; commands 0) */
	double min_time_s;       /* built-in: each run lasts at least this
				  * long (default 0.1 s, --quick 0.02 s);
				  * commands without runs: run for at least
				  * this long (default 3 s).  0: default */
	bool quick;              /* shorter defaults, for CI; same benchmarks */
	double timeout_s;        /* commands: a run taking longer is killed and
				  * the benchmark fails; 0: none */
	const char *prepare;     /* commands: `sh -c prepare` before every run,
				  * warm-up included, unmeasured; NULL: none */
	bool ignore_failure;     /* commands: a non-zero exit is measured
				  * like any other (hyperfine -i) */
	int output_fd;           /* commands: where their output goes; -1: /dev/null */
	const char *tmpdir;      /* scratch space for database and disk; NULL:
				  * $TMPDIR, else /tmp */
	const char *target_path; /* the lt-target program the http suite loads;
				  * NULL: that suite is skipped */
	const char *status_path; /* the status file (lt_bench_status_path);
				  * NULL: none */
	lt_bench_event_fn on_event; /* NULL: none */
	void *user;
};

/* A command to benchmark: argv (NULL-terminated, borrowed) and the name
 * its record carries (NULL: the words joined by spaces). */
struct lt_bench_command {
	char *const *argv;
	const char *name;
};

struct lt_bench;

/* A session with opts (copied; the strings are borrowed and must outlive
 * the session).  LT_EINVAL for runs above LT_BENCH_MAX_RUNS, a negative
 * or non-finite time.  *out new (lt_bench_free), unchanged on failure. */
lt_rc lt_bench_new(const struct lt_bench_opts *opts, struct lt_bench **out,
		   struct lt_err *err);

/* Free b; NULL is a no-op.  Not while it runs. */
void lt_bench_free(struct lt_bench *b);

/* Check a suite selection without running anything: a comma-separated
 * list of suite names or "all" (NULL: all), and a filter, a glob
 * (fnmatch) over "suite/name" (NULL: every benchmark of the suites).
 * *count (when not NULL) is the number of benchmarks selected.
 * LT_EUSAGE, naming the word, for an unknown suite ("unknown suite
 * 'foo' (known: database, cache, ...)") or a selection of no benchmark. */
lt_rc lt_bench_select(const char *suites, const char *filter, size_t *count,
		      struct lt_err *err);

/* Run the selected built-in benchmarks in catalogue order, one event
 * per step.  A benchmark that fails (its scratch file cannot be written,
 * say) or cannot run here (no lt-target) is reported and the session
 * goes on.  LT_OK when every benchmark ran, failed or was skipped (see
 * lt_bench_totals); LT_EUSAGE for a bad selection (nothing run); LT_EINTR
 * when stopped; LT_ENOMEM; or the code an event callback returned. */
lt_rc lt_bench_run_suites(struct lt_bench *b, const char *suites,
			  const char *filter, struct lt_err *err);

/* Benchmark the commands one after another, each as suite "command".
 * Every argv[0] is looked up first: one that cannot be executed fails
 * the call with LT_ENOTFOUND before anything runs.  A command that exits
 * non-zero (without ignore_failure), is killed by a signal or times out
 * fails its benchmark (an event) and the session goes on with the next.
 * The record of every command after the first carries "relative": its
 * mean over the first command's, with the interval of
 * lt_bench_ratio_compute.  Return codes as lt_bench_run_suites. */
lt_rc lt_bench_run_commands(struct lt_bench *b,
			    const struct lt_bench_command *cmds, size_t n,
			    struct lt_err *err);

/* Ask a running session to stop: the run in progress is abandoned (a
 * command is killed), nothing more is measured, the call returns
 * LT_EINTR.  Async-signal-safe. */
void lt_bench_stop(struct lt_bench *b);

struct lt_bench_totals {
	size_t done, failed, skipped;
};
void lt_bench_totals(const struct lt_bench *b, struct lt_bench_totals *t);

/* ---- the status file ----
 *
 * One JSON object, rewritten (a temporary file renamed into place, so a
 * reader never sees half of it) when the session starts, at every
 * benchmark and run, and when it ends:
 *
 *   {"pid":4242,"state":"running","kind":"suites","started_at":"...",
 *    "updated_at":"...","total":35,"done":12,"failed":0,"skipped":0,
 *    "current":{"suite":"cache","name":"latency_8MiB","phase":"measuring",
 *               "run":3,"runs":5},
 *    "last":{"suite":"cache","name":"latency_512KiB","unit":"ns","mean":3.2},
 *    "finished_at":null}
 *
 * state is running, finished, failed (some benchmark failed) or
 * interrupted.  Writing it is best effort: a session never fails because
 * its status cannot be written. */

/* The status file lt uses: $LT_BENCH_STATUS when set and not empty, else
 * $XDG_RUNTIME_DIR/lt-bench.json when that is set, else
 * /tmp/lt-bench-<uid>.json.  *path new (free). */
lt_rc lt_bench_status_path(char **path, struct lt_err *err);

/* Read the status file at path.  A file that says "running" for a process
 * that no longer exists reads as "abandoned".  A file owned by another
 * user is not trusted: LT_ENOTFOUND, like a missing file.  *out new
 * (cJSON_Delete).  LT_EINVAL when it is not a JSON object, LT_EIO. */
lt_rc lt_bench_status_read(const char *path, cJSON **out, struct lt_err *err);

#endif
