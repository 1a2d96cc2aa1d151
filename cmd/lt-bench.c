/* lt-bench -- built-in benchmark suites and command benchmarks.
 *
 * Options are parsed here and results printed; the measuring, the
 * statistics, the records and the recommendations are libltcore's bench
 * module (db records them with --db).
 */
#include "bench.h"
#include "db.h"
#include "lt.h"
#include "ndjson.h"
#include "scenario.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: lt-bench list [--json]\n"
	"       lt-bench run [<options>] [--suite <name>[,<name>...]|all] [--filter <glob>]\n"
	"       lt-bench run [<options>] -c <command> [-c <command>...]\n"
	"       lt-bench run [<options>] -- <command> [<arg>...] [-- <command> [<arg>...]...]\n"
	"       lt-bench status [--json]\n"
	"\n"
	"  -s, --suite <names>     built-in suites, comma-separated, or all (default: all)\n"
	"  -f, --filter <glob>     only the benchmarks whose suite/name or name matches\n"
	"  -r, --runs <n>          measured runs (built-in: 5, --quick: 3; commands: at\n"
	"                          least 10 and --min-time, at most 1000)\n"
	"  -w, --warmup <n>        unmeasured runs first (built-in: 1, --quick: 0; commands: 0)\n"
	"  -m, --min-time <time>   built-in: each run lasts at least this long (0.1s,\n"
	"                          --quick: 0.02s); commands without --runs: measure for at\n"
	"                          least this long (3s)\n"
	"      --quick             fewer, shorter runs of the same benchmarks, for CI\n"
	"  -c, --command <cmd>     a command to benchmark, split into words like a shell\n"
	"                          would but never run by one (repeatable)\n"
	"  -n, --name <name>       the name of a command in the records, in order (repeatable)\n"
	"  -p, --prepare <cmd>     run `sh -c <cmd>` before every run of a command, unmeasured\n"
	"  -t, --timeout <time>    kill a command's run after this long: the benchmark fails\n"
	"  -i, --ignore-failure    measure commands that exit with a non-zero status\n"
	"      --show-output       the commands' output goes to stderr (default: /dev/null)\n"
	"      --json              NDJSON records on stdout, also on a terminal\n"
	"      --db[=<path>]       also record the results in the database\n"
	"  -q, --quiet             no progress and no report on stderr\n"
	"  -h, --help              show this help\n"
	"      --version           show the version\n";

enum { OPT_QUICK = 256, OPT_SHOW_OUTPUT, OPT_JSON, OPT_DB, OPT_VERSION };

static const struct option long_opts[] = {
	{"suite", required_argument, NULL, 's'},
	{"filter", required_argument, NULL, 'f'},
	{"runs", required_argument, NULL, 'r'},
	{"warmup", required_argument, NULL, 'w'},
	{"min-time", required_argument, NULL, 'm'},
	{"quick", no_argument, NULL, OPT_QUICK},
	{"command", required_argument, NULL, 'c'},
	{"name", required_argument, NULL, 'n'},
	{"prepare", required_argument, NULL, 'p'},
	{"timeout", required_argument, NULL, 't'},
	{"ignore-failure", no_argument, NULL, 'i'},
	{"show-output", no_argument, NULL, OPT_SHOW_OUTPUT},
	{"json", no_argument, NULL, OPT_JSON},
	{"db", optional_argument, NULL, OPT_DB},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/* What the event handler needs: where to print, what to keep. */
struct out {
	bool json, progress, commands;
	FILE *human;                /* the readable report; NULL with -q and NDJSON */
	struct lt_db *db;
	bool table_header;
	size_t n_done;
	char **names;               /* commands: each one's name and stats, */
	struct lt_bench_stats *stats; /* for the summary */
	cJSON *recos;               /* [{"bench": "...", "rule": ...}] */
	struct lt_err err;          /* a failure to write or record */
};

static struct lt_bench *volatile running;

static void on_signal(int sig)
{
	(void)sig;
	if (running)
		lt_bench_stop(running);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "lt-bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see lt-bench --help)\n");
	return 2;
}

static bool parse_count(const char *s, long max, long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* A figure in 4 or so significant digits without an exponent. */
static const char *fmt_num(double v, char *buf, size_t len)
{
	double a = fabs(v);
	if (v == 0)
		return "0";
	snprintf(buf, len, a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f"
			   : a >= 0.1 ? "%.3f" : "%.4f", v);
	return buf;
}

static void progress_clear(const struct out *o)
{
	if (o->progress)
		fputs("\r\033[K", stderr);
}

/* ---- list, status ---- */

static int cmd_list(bool json)
{
	for (size_t s = 0; lt_bench_suite_name(s); s++) {
		const char *suite = lt_bench_suite_name(s);
		if (!json)
			printf("%s%s: %s\n", s ? "\n" : "", suite, lt_bench_suite_description(s));
		for (size_t i = 0; i < lt_bench_count(); i++) {
			const struct lt_bench_info *b = lt_bench_get(i);
			if (strcmp(b->suite, suite) != 0)
				continue;
			if (!json) {
				printf("  %-22s %-6s %s\n", b->name, b->unit, b->description);
				continue;
			}
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "suite", b->suite);
			cJSON_AddStringToObject(j, "name", b->name);
			cJSON_AddStringToObject(j, "unit", b->unit);
			cJSON_AddStringToObject(j, "better", b->higher_is_better ? "higher" : "lower");
			cJSON_AddStringToObject(j, "description", b->description);
			char *line = cJSON_PrintUnformatted(j);
			cJSON_Delete(j);
			if (line)
				puts(line);
			free(line);
		}
	}
	return fflush(stdout) == 0 ? 0 : 3;
}

static int cmd_status(bool json)
{
	struct lt_err err = {0};
	char *path = NULL;
	cJSON *st = NULL;
	lt_rc rc;

	if ((rc = lt_bench_status_path(&path, &err)) != LT_OK)
		return fprintf(stderr, "lt-bench: %s\n", lt_errmsg(&err)), 3;
	rc = lt_bench_status_read(path, &st, &err);
	if (rc == LT_ENOTFOUND) {
		if (json)
			puts("{\"state\":\"none\"}");
		else
			printf("no benchmark has run (no status at %s)\n", path);
		free(path);
		return 0;
	}
	free(path);
	if (rc != LT_OK)
		return fprintf(stderr, "lt-bench: %s\n", lt_errmsg(&err)), lt_rc_exit_status(rc);
	if (json) {
		char *line = cJSON_PrintUnformatted(st);
		if (line)
			puts(line);
		free(line);
	} else {
		const char *state = lt_ndjson_get_str(st, "state"), *phase;
		uint64_t pid = 0, done = 0, total = 0, failed = 0, skipped = 0, run = 0, runs = 0;
		double mean;
		lt_ndjson_get_count(st, "pid", &pid);
		lt_ndjson_get_count(st, "done", &done);
		lt_ndjson_get_count(st, "total", &total);
		lt_ndjson_get_count(st, "failed", &failed);
		lt_ndjson_get_count(st, "skipped", &skipped);
		printf("state      %s (pid %llu)\n", state ? state : "?", (unsigned long long)pid);
		printf("started    %s\n", lt_ndjson_get_str(st, "started_at"));
		if (lt_ndjson_get_str(st, "finished_at"))
			printf("finished   %s\n", lt_ndjson_get_str(st, "finished_at"));
		printf("progress   %llu of %llu benchmarks done, %llu failed, %llu skipped\n",
		       (unsigned long long)done, (unsigned long long)total,
		       (unsigned long long)failed, (unsigned long long)skipped);
		if (lt_ndjson_get_str(st, "current.name")) {
			phase = lt_ndjson_get_str(st, "current.phase");
			lt_ndjson_get_count(st, "current.run", &run);
			lt_ndjson_get_count(st, "current.runs", &runs);
			printf("now        %s/%s, %s", lt_ndjson_get_str(st, "current.suite"),
			       lt_ndjson_get_str(st, "current.name"), phase ? phase : "?");
			if (runs)
				printf(" %llu of %llu", (unsigned long long)run, (unsigned long long)runs);
			printf("\n");
		}
		if (lt_ndjson_get_str(st, "last.name") && lt_ndjson_get_num(st, "last.mean", &mean)) {
			char buf[32];
			printf("last       %s/%s %s %s\n", lt_ndjson_get_str(st, "last.suite"),
			       lt_ndjson_get_str(st, "last.name"), fmt_num(mean, buf, sizeof buf),
			       lt_ndjson_get_str(st, "last.unit"));
		}
	}
	cJSON_Delete(st);
	return fflush(stdout) == 0 ? 0 : 3;
}

/* ---- run: the readable report ---- */

static void print_row(struct out *o, const cJSON *rec, const struct lt_bench_stats *st)
{
	char a[32], b[32], c[32], d[32], e[32], full[160];
	if (!o->table_header) {
		fprintf(o->human, "%-30s %10s %9s %10s %10s %10s  %-6s %4s %s\n", "BENCHMARK", "MEAN",
			"\u00b1CI95", "MEDIAN", "MIN", "MAX", "UNIT", "RUNS", "OUTLIERS");
		o->table_header = true;
	}
	snprintf(full, sizeof full, "%s/%s", lt_ndjson_get_str(rec, "suite"),
		 lt_ndjson_get_str(rec, "name"));
	fprintf(o->human, "%-30s %10s %9s %10s %10s %10s  %-6s %4zu %zu\n", full,
		fmt_num(st->mean, a, sizeof a),
		st->has_ci95 ? fmt_num(st->ci95_hi - st->mean, b, sizeof b) : "-",
		fmt_num(st->median, c, sizeof c), fmt_num(st->min, d, sizeof d),
		fmt_num(st->max, e, sizeof e), lt_ndjson_get_str(rec, "unit"), st->n,
		st->outliers_low + st->outliers_high);
}

static void print_command(struct out *o, const cJSON *rec, const struct lt_bench_stats *st,
			  size_t index)
{
	char a[32], b[32], c[32], d[32];
	double user = 0, sys = 0, n = (double)st->n;
	uint64_t rss = 0, vol = 0, invol = 0;
	size_t outliers = st->outliers_low + st->outliers_high;
	FILE *h = o->human;

	lt_ndjson_get_num(rec, "resources.user_s", &user);
	lt_ndjson_get_num(rec, "resources.sys_s", &sys);
	lt_ndjson_get_count(rec, "resources.max_rss_kb", &rss);
	lt_ndjson_get_count(rec, "resources.ctx_voluntary", &vol);
	lt_ndjson_get_count(rec, "resources.ctx_involuntary", &invol);
	fprintf(h, "%sBenchmark %zu: %s\n", index ? "\n" : "", index + 1,
		lt_ndjson_get_str(rec, "name"));
	fprintf(h, "  Time (mean \u00b1 \u03c3):   %8s ms \u00b1 %s ms    [User: %s ms, System: %s ms]\n",
		fmt_num(st->mean, a, sizeof a), fmt_num(st->stddev, b, sizeof b),
		fmt_num(1000 * user / n, c, sizeof c), fmt_num(1000 * sys / n, d, sizeof d));
	fprintf(h, "  Range (min \u2026 max): %8s ms \u2026 %s ms    %zu runs\n",
		fmt_num(st->min, a, sizeof a), fmt_num(st->max, b, sizeof b), st->n);
	if (st->has_ci95)
		fprintf(h, "  95 %% CI of mean:   %8s ms \u2026 %s ms\n", fmt_num(st->ci95_lo, a, sizeof a),
			fmt_num(st->ci95_hi, b, sizeof b));
	fprintf(h, "  Max RSS %.1f MiB; context switches per run: %.1f voluntary, %.1f involuntary\n",
		(double)rss / 1024, (double)vol / n, (double)invol / n);
	if (outliers)
		fprintf(h, "\n  Warning: %zu of %zu runs are statistical outliers (modified z-score "
			   "beyond 3.5).\n  Other programs or cold caches may have disturbed them: "
			   "rerun on a quiet machine,\n  or use --warmup or --prepare.\n",
			outliers, st->n);
}

static void keep_recommendations(struct out *o, const cJSON *rec)
{
	const cJSON *r;
	char full[300];
	snprintf(full, sizeof full, "%s/%s", lt_ndjson_get_str(rec, "suite"),
		 lt_ndjson_get_str(rec, "name"));
	cJSON_ArrayForEach(r, lt_ndjson_get(rec, "recommendations")) {
		cJSON *copy = cJSON_Duplicate(r, true);
		if (copy) {
			cJSON_AddStringToObject(copy, "bench", full);
			cJSON_AddItemToArray(o->recos, copy);
		}
	}
}

static lt_rc on_event(const struct lt_bench_event *ev, void *user)
{
	struct out *o = user;
	lt_rc rc;

	switch (ev->kind) {
	case LT_BENCH_EV_START:
	case LT_BENCH_EV_PROGRESS:
		if (o->progress) {
			fprintf(stderr, "\r\033[K[%zu/%zu] %s/%s", ev->index + 1, ev->total, ev->suite,
				ev->name);
			if (ev->phase)
				fprintf(stderr, ": %s", ev->phase);
			if (ev->runs && ev->run)
				fprintf(stderr, " %u/%u", ev->run, ev->runs);
			fflush(stderr);
		}
		return LT_OK;
	case LT_BENCH_EV_SKIPPED:
	case LT_BENCH_EV_FAILED:
		progress_clear(o);
		if (o->human || ev->kind == LT_BENCH_EV_FAILED)
			fprintf(stderr, "lt-bench: %s/%s: %s: %s\n", ev->suite, ev->name,
				ev->kind == LT_BENCH_EV_FAILED ? "failed" : "skipped", ev->reason);
		return LT_OK;
	case LT_BENCH_EV_RESULT:
		break;
	}
	progress_clear(o);
	if (o->json && (rc = lt_ndjson_write(stdout, ev->record, &o->err)) != LT_OK)
		return rc;
	if (o->db && (rc = lt_db_ingest_record(o->db, ev->record, &o->err)) != LT_OK)
		return rc;
	if (o->commands) {
		char **names = realloc(o->names, (o->n_done + 1) * sizeof *names);
		struct lt_bench_stats *stats = realloc(o->stats, (o->n_done + 1) * sizeof *stats);
		if (names)
			o->names = names;
		if (stats)
			o->stats = stats;
		if (!names || !stats || !(names[o->n_done] = strdup(ev->name)))
			return lt_err_set(&o->err, LT_ENOMEM, "out of memory");
		stats[o->n_done] = *ev->stats;
	}
	if (o->human) {
		if (o->commands)
			print_command(o, ev->record, ev->stats, ev->index);
		else
			print_row(o, ev->record, ev->stats);
		fflush(o->human);
	}
	o->n_done++;
	keep_recommendations(o, ev->record);
	return LT_OK;
}

/* hyperfine's summary: the fastest command and how many times faster it
 * ran than each other one, with the 95 % interval of that ratio. */
static void print_comparison(const struct out *o)
{
	size_t fast = 0;
	if (!o->human || !o->commands || o->n_done < 2)
		return;
	for (size_t i = 1; i < o->n_done; i++)
		if (o->stats[i].mean < o->stats[fast].mean)
			fast = i;
	fprintf(o->human, "\nSummary\n  '%s' ran\n", o->names[fast]);
	for (size_t i = 0; i < o->n_done; i++) {
		struct lt_bench_ratio r;
		if (i == fast)
			continue;
		if (lt_bench_ratio_compute(&o->stats[i], &o->stats[fast], &r, NULL) == LT_OK)
			fprintf(o->human, "    %.2f \u00b1 %.2f times faster than '%s'\n", r.ratio,
				r.ci95_hi - r.ratio, o->names[i]);
		else
			fprintf(o->human, "    %.2f times faster than '%s'\n",
				o->stats[i].mean / o->stats[fast].mean, o->names[i]);
	}
	fprintf(o->human, "  (\u00b1: half the 95 %% confidence interval of the ratio)\n");
}

/* Grouped by rule: the suggestion once, then each benchmark's evidence. */
static void print_recommendations(const struct out *o)
{
	const cJSON *r, *q;
	if (!o->human || cJSON_GetArraySize(o->recos) == 0)
		return;
	fprintf(o->human, "\nRecommendations\n");
	cJSON_ArrayForEach(r, o->recos) {
		const char *rule = lt_ndjson_get_str(r, "rule");
		bool first = true;
		cJSON_ArrayForEach(q, o->recos) {
			if (q == r)
				break;
			if (!strcmp(lt_ndjson_get_str(q, "rule"), rule))
				first = false;
		}
		if (!first)
			continue;
		fprintf(o->human, "  %s: %s\n", rule, lt_ndjson_get_str(r, "suggestion"));
		cJSON_ArrayForEach(q, o->recos)
			if (!strcmp(lt_ndjson_get_str(q, "rule"), rule))
				fprintf(o->human, "    %s: %s\n", lt_ndjson_get_str(q, "bench"),
					lt_ndjson_get_str(q, "evidence"));
	}
}

struct run_args {
	const char *suites, *filter, *db_path;
	bool want_db, json, quiet;
	const char **cmd_lines;     /* -c */
	size_t n_cmd_lines;
	const char **names;         /* -n */
	size_t n_names;
};

static int cmd_run(struct lt_bench_opts *bo, const struct run_args *a, char **rest, int n_rest)
{
	struct out o = {0};
	struct lt_err err = {0};
	struct lt_bench *b = NULL;
	struct lt_bench_command *cmds = NULL;
	struct lt_bench_totals totals;
	char **split[64] = {0};
	size_t n_cmds = 0;
	char *target = NULL, *status_path = NULL;
	int status = 0;
	lt_rc rc;

	/* Commands: -c lines first, then the -- groups. */
	if (!(cmds = calloc(a->n_cmd_lines + (size_t)n_rest + 1, sizeof *cmds)))
		return 3;
	for (size_t i = 0; i < a->n_cmd_lines; i++) {
		size_t argc;
		if ((rc = lt_bench_split(a->cmd_lines[i], &split[i], &argc, &err)) != LT_OK) {
			status = bad_usage("--command: %s", lt_errmsg(&err));
			goto out;
		}
		cmds[n_cmds++].argv = split[i];
	}
	for (int i = 0; i < n_rest;) {
		int j = i;
		while (j < n_rest && strcmp(rest[j], "--") != 0)
			j++;
		if (j == i) {
			status = bad_usage("%s", "expected a command after --");
			goto out;
		}
		cmds[n_cmds++].argv = rest + i;
		rest[j < n_rest ? j : n_rest] = NULL;
		i = j + 1;
		if (j < n_rest && i == n_rest) {
			status = bad_usage("%s", "expected a command after --");
			goto out;
		}
	}
	if (a->n_names > n_cmds) {
		status = bad_usage("%s", "more --name options than commands");
		goto out;
	}
	for (size_t i = 0; i < a->n_names; i++)
		cmds[i].name = a->names[i];
	if (n_cmds && (a->suites || a->filter)) {
		status = bad_usage("%s", "--suite and --filter are for built-in benchmarks, not commands");
		goto out;
	}
	if (!n_cmds && (bo->prepare || bo->timeout_s > 0 || bo->ignore_failure || a->n_names)) {
		status = bad_usage("%s", "--prepare, --timeout, --ignore-failure and --name need a command");
		goto out;
	}
	if (!n_cmds && (rc = lt_bench_select(a->suites, a->filter, NULL, &err)) != LT_OK) {
		status = bad_usage("%s", lt_errmsg(&err));
		goto out;
	}

	o.commands = n_cmds > 0;
	o.json = a->json || !isatty(STDOUT_FILENO);
	o.human = !o.json ? stdout : a->quiet ? NULL : stderr;
	o.progress = !a->quiet && isatty(STDERR_FILENO) &&
		     !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
	if (!(o.recos = cJSON_CreateArray())) {
		status = 3;
		goto out;
	}
	if (a->want_db && (rc = lt_db_open(a->db_path, 0, &o.db, &err)) != LT_OK) {
		fprintf(stderr, "lt-bench: %s\n", lt_errmsg(&err));
		status = lt_rc_exit_status(rc);
		goto out;
	}
	if (lt_bench_status_path(&status_path, &err) == LT_OK)
		bo->status_path = status_path;
	if (!n_cmds)
		bo->target_path = target = lti_find_target();
	bo->on_event = on_event;
	bo->user = &o;
	if ((rc = lt_bench_new(bo, &b, &err)) != LT_OK) {
		status = bad_usage("%s", lt_errmsg(&err));
		goto out;
	}
	running = b;
	rc = n_cmds ? lt_bench_run_commands(b, cmds, n_cmds, &err)
		    : lt_bench_run_suites(b, a->suites, a->filter, &err);
	running = NULL;
	progress_clear(&o);
	if (o.err.rc != LT_OK) {
		/* The event handler's own failure: writing or recording. */
		err = o.err;
		rc = o.err.rc;
	}
	print_comparison(&o);
	print_recommendations(&o);
	lt_bench_totals(b, &totals);
	if (rc == LT_EINTR) {
		fprintf(stderr, "lt-bench: interrupted after %zu benchmarks\n", totals.done);
		status = 130;
	} else if (rc != LT_OK) {
		fprintf(stderr, "lt-bench: %s\n", lt_errmsg(&err));
		status = lt_rc_exit_status(rc);
	} else if (totals.failed) {
		status = 1;
	}
	if (fflush(stdout) != 0 && status == 0) {
		fprintf(stderr, "lt-bench: writing: %s\n", strerror(errno));
		status = 3;
	}
out:
	lt_bench_free(b);
	lt_db_close(o.db);
	for (size_t i = 0; o.names && i < o.n_done; i++)
		free(o.names[i]);
	free(o.names);
	free(o.stats);
	cJSON_Delete(o.recos);
	for (size_t i = 0; i < a->n_cmd_lines; i++)
		lt_bench_argv_free(split[i]);
	free(cmds);
	free(target);
	free(status_path);
	return status;
}

int main(int argc, char **argv)
{
	struct lt_bench_opts bo = {.warmup = -1, .output_fd = -1};
	struct run_args a = {0};
	const char *cmd_lines[64], *names[64];
	const char *sub;
	long v;
	int opt;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("lt-bench %s\n", LT_VERSION);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "list") && strcmp(argv[1], "run") &&
			 strcmp(argv[1], "status"))) {
		if (argc < 2)
			fprintf(stderr, "lt-bench: expected a command: list, run or status\n");
		else
			fprintf(stderr, "lt-bench: unknown command '%s' (expected list, run or status)\n",
				argv[1]);
		fputs(usage, stderr);
		return 2;
	}
	sub = argv[1];
	argv++;
	argc--;
	a.cmd_lines = cmd_lines;
	a.names = names;
	while ((opt = getopt_long(argc, argv, "+s:f:r:w:m:c:n:p:t:iqh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			a.suites = optarg;
			break;
		case 'f':
			a.filter = optarg;
			break;
		case 'r':
			if (!parse_count(optarg, LT_BENCH_MAX_RUNS, &v) || v < 1)
				return bad_usage("--runs: expected a whole number 1 .. 100000, got '%s'", optarg);
			bo.runs = (unsigned)v;
			break;
		case 'w':
			if (!parse_count(optarg, LT_BENCH_MAX_RUNS, &v))
				return bad_usage("--warmup: expected a whole number 0 .. 100000, got '%s'", optarg);
			bo.warmup = (int)v;
			break;
		case 'm':
			if (!lt_scenario_duration_parse(optarg, &bo.min_time_s) || bo.min_time_s <= 0 ||
			    bo.min_time_s > 3600)
				return bad_usage("--min-time: expected a duration above 0 and at most 1h "
						 "(0.5, 200ms, 2s), got '%s'", optarg);
			break;
		case OPT_QUICK:
			bo.quick = true;
			break;
		case 'c':
			if (a.n_cmd_lines == 64)
				return bad_usage("%s", "at most 64 commands");
			cmd_lines[a.n_cmd_lines++] = optarg;
			break;
		case 'n':
			if (a.n_names == 64)
				return bad_usage("%s", "at most 64 names");
			names[a.n_names++] = optarg;
			break;
		case 'p':
			bo.prepare = optarg;
			break;
		case 't':
			if (!lt_scenario_duration_parse(optarg, &bo.timeout_s) || bo.timeout_s <= 0)
				return bad_usage("--timeout: expected a duration above 0 (10, 500ms, 2m), "
						 "got '%s'", optarg);
			break;
		case 'i':
			bo.ignore_failure = true;
			break;
		case OPT_SHOW_OUTPUT:
			bo.output_fd = STDERR_FILENO;
			break;
		case OPT_JSON:
			a.json = true;
			break;
		case OPT_DB:
			a.want_db = true;
			a.db_path = optarg;
			/* `--db PATH` as well as `--db=PATH`: run takes no
			 * operand before --, so a word here is the path. */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				a.db_path = argv[optind++];
			break;
		case 'q':
			a.quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case OPT_VERSION:
			printf("lt-bench %s\n", LT_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (strcmp(sub, "run") != 0) {
		if (optind < argc)
			return bad_usage("unexpected argument '%s'", argv[optind]);
		if (a.suites || a.filter || bo.runs || bo.warmup >= 0 || a.n_cmd_lines || a.want_db ||
		    bo.prepare || bo.quick)
			return bad_usage("%s", "these options are for lt-bench run");
		return !strcmp(sub, "list") ? cmd_list(a.json) : cmd_status(a.json);
	}
	/* getopt stops at the first "--" and leaves what follows. */
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return bad_usage("unexpected argument '%s' (commands go after --)", argv[optind]);
	if (optind == argc && optind > 1 && strcmp(argv[optind - 1], "--") == 0)
		return bad_usage("%s", "expected a command after --");
	{
		struct sigaction sa = {.sa_handler = on_signal};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	return cmd_run(&bo, &a, argv + optind, argc - optind);
}
