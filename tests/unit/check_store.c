/* check_store.c -- recording streams, exporting and merging runs (store.h). */
#include "unit.h"
#include "db.h"
#include "hist.h"
#include "ndjson.h"
#include "store.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char db_path[128];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/lt-check-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/lt.db", dir);
}

static void teardown(void)
{
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static uint64_t rng_state = 42;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Write one run to f: run_start, `seconds` samples, a summary, the
 * latencies drawn at random and also recorded into *all_seconds (per
 * second) and *steady when given, so a test can compare. */
static void write_run(FILE *f, const char *run_id, const char *group, unsigned seg,
		      unsigned nseg, unsigned seconds, struct lt_hist **per_second,
		      struct lt_hist *steady_all, bool with_summary)
{
	struct lt_err err = {0};
	cJSON *config = cJSON_Parse("{\"id\":\"s\",\"name\":\"S\",\"config\":{}}"), *rec;
	struct lt_hist *h = lt_hist_new(), *steady = lt_hist_new(), *ep = lt_hist_new();
	uint64_t steady_requests = 0, steady_errors = 0;

	struct lt_ndjson_run_start rs = {
		.run_id = run_id, .scenario_id = "s", .started_at = 1795000000.0 + seg,
		.segment_index = seg, .segment_count = nseg, .run_group = group, .config = config,
	};
	ck_assert_int_eq(lt_ndjson_build_run_start(&rs, &rec, &err), LT_OK);
	ck_assert_int_eq(lt_ndjson_write(f, rec, &err), LT_OK);
	cJSON_Delete(rec);
	for (unsigned t = 0; t < seconds; t++) {
		unsigned n = 50 + (unsigned)(rnd() % 100), errors = (unsigned)(rnd() % 3);
		lt_hist_reset(h);
		for (unsigned i = 0; i < n; i++) {
			/* log-uniform 100 µs .. 1 s */
			uint64_t v = (uint64_t)(100.0 * pow(10000.0, (double)(rnd() >> 11) * 0x1.0p-53));
			lt_hist_record(h, v);
			if (per_second)
				lt_hist_record(per_second[t], v);
			if (t > 0 && t + 1 < seconds) {
				lt_hist_record(steady, v);
				lt_hist_record(ep, v);
				if (steady_all)
					lt_hist_record(steady_all, v);
			}
		}
		if (t > 0 && t + 1 < seconds) {
			steady_requests += n;
			steady_errors += errors;
		}
		struct lt_ndjson_sample s = {
			.run_id = run_id, .t = t,
			.phase = t == 0 ? "warmup" : t + 1 == seconds ? "cooldown" : "steady",
			.users = 5, .requests = n, .errors = errors, .rps = n, .cpu_pct = 10,
			.rss_kb = 1000, .hist = h,
		};
		ck_assert_int_eq(lt_ndjson_build_sample(&s, &rec, &err), LT_OK);
		ck_assert_int_eq(lt_ndjson_write(f, rec, &err), LT_OK);
		cJSON_Delete(rec);
	}
	if (with_summary) {
		struct lt_ndjson_endpoint e = {.name = "GET /", .method = "GET", .path = "/",
					       .requests = steady_requests,
					       .errors = steady_errors, .hist = ep};
		struct lt_ndjson_threshold th = {.metric = "responseTime.p95", .op = "<", .limit = 500};
		struct lt_ndjson_summary sum = {
			.run_id = run_id, .duration_s = seconds - 2, .requests = steady_requests,
			.errors = steady_errors, .peak_rps = 150, .peak_users = 5, .hist = steady,
			.endpoints = &e, .n_endpoints = 1, .thresholds = &th, .n_thresholds = 1,
		};
		ck_assert_int_eq(lt_ndjson_build_summary(&sum, &rec, &err), LT_OK);
		ck_assert_int_eq(lt_ndjson_write(f, rec, &err), LT_OK);
		cJSON_Delete(rec);
	}
	lt_hist_free(h);
	lt_hist_free(steady);
	lt_hist_free(ep);
	cJSON_Delete(config);
}

static struct lt_db *open_db(void)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_db_open(db_path, 0, &db, &err), LT_OK);
	return db;
}

static size_t count_runs_cb_n;
static lt_rc count_runs_cb(const struct lt_db_run *r, void *ctx)
{
	(void)ctx;
	(void)r;
	count_runs_cb_n++;
	return LT_OK;
}

static size_t count_runs(struct lt_db *db)
{
	struct lt_err err = {0};
	count_runs_cb_n = 0;
	ck_assert_int_eq(lt_db_runs_list(db, NULL, 0, count_runs_cb, NULL, &err), LT_OK);
	return count_runs_cb_n;
}

static const char *status_of(struct lt_db *db, const char *id)
{
	static char status[32];
	struct lt_db_run *run = NULL;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_db_run_get(db, id, &run, &err), LT_OK);
	snprintf(status, sizeof status, "%s", run->status);
	lt_db_run_free(run);
	return status;
}

START_TEST(test_file_with_bad_line_records_nothing)
{
	char path[160];
	struct lt_err err = {0};
	struct lt_db *db = open_db();
	FILE *f;

	snprintf(path, sizeof path, "%s/in.ndjson", dir);
	f = fopen(path, "w");
	write_run(f, "r1", NULL, 1, 1, 5, NULL, NULL, true);
	write_run(f, "r2", NULL, 1, 1, 5, NULL, NULL, false);
	fputs("{\"type\":\"sample\",\"v\":1}\n", f);
	fclose(f);
	f = fopen(path, "r");
	ck_assert_int_eq(lt_store_ingest(db, f, "in.ndjson", NULL, NULL, &err), LT_EINVAL);
	ck_assert_msg(strncmp(lt_errmsg(&err), "in.ndjson:14: ", 14) == 0, "%s", lt_errmsg(&err));
	fclose(f);
	ck_assert_uint_eq(count_runs(db), 0);
	lt_db_close(db);
}
END_TEST

static size_t recorded_n;
static lt_rc on_recorded(const struct lt_store_recorded *r, void *ctx)
{
	(void)ctx;
	ck_assert_str_eq(r->type, "run");
	recorded_n++;
	return LT_OK;
}

START_TEST(test_pipe_keeps_what_was_measured)
{
	struct lt_err err = {0};
	struct lt_db *db = open_db();
	int fds[2];

	/* A live pipe: a complete run, an open one, then a broken line. */
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		FILE *w = fdopen(fds[1], "w");
		write_run(w, "done", NULL, 1, 1, 5, NULL, NULL, true);
		write_run(w, "cut", NULL, 1, 1, 4, NULL, NULL, false);
		fputs("{\"type\":\"sample\",\"v\":1,\"run_id\":\"cut\",\"t\":\"x\"", w);
		fclose(w);
		_exit(0);
	}
	close(fds[1]);
	FILE *r = fdopen(fds[0], "r");
	recorded_n = 0;
	ck_assert_int_eq(lt_store_ingest(db, r, "<pipe>", on_recorded, NULL, &err), LT_EINVAL);
	ck_assert_msg(strstr(lt_errmsg(&err), "<pipe>:13:") != NULL, "%s", lt_errmsg(&err));
	fclose(r);
	waitpid(pid, NULL, 0);
	ck_assert_uint_eq(recorded_n, 2);
	ck_assert_uint_eq(count_runs(db), 2);
	ck_assert_str_eq(status_of(db, "done"), "complete");
	ck_assert_str_eq(status_of(db, "cut"), "incomplete");
	lt_db_close(db);
}
END_TEST

START_TEST(test_export_reads_back_as_the_same_run)
{
	char path[160], out[160];
	struct lt_err err = {0};
	struct lt_db *db = open_db();
	bool present = false;

	snprintf(path, sizeof path, "%s/in.ndjson", dir);
	snprintf(out, sizeof out, "%s/out.ndjson", dir);
	FILE *f = fopen(path, "w");
	write_run(f, "r1", NULL, 1, 1, 6, NULL, NULL, true);
	fclose(f);
	f = fopen(path, "r");
	ck_assert_int_eq(lt_store_ingest(db, f, "in", NULL, NULL, &err), LT_OK);
	fclose(f);
	f = fopen(out, "w");
	ck_assert_int_eq(lt_store_export_ndjson(db, "r1", f, &err), LT_OK);
	fclose(f);
	/* Same bytes, record for record: the samples are rebuilt from their
	 * stored fields, so this checks nothing is lost on the way. */
	char *a = NULL, *b = NULL;
	ck_assert_int_eq(lti_read_file(path, 1 << 24, &a, NULL, &err), LT_OK);
	ck_assert_int_eq(lti_read_file(out, 1 << 24, &b, NULL, &err), LT_OK);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	f = fopen(out, "r");
	ck_assert_int_eq(lt_store_ingest(db, f, "out", NULL, NULL, &err), LT_OK);
	fclose(f);
	(void)present;
	ck_assert_uint_eq(count_runs(db), 1);
	lt_db_close(db);
}
END_TEST

/* Merging k shards gives the histograms of one generator that saw every
 * request: per second and for the summary, bucket for bucket. */
START_TEST(test_merge_is_exact)
{
	enum { K = 4, SECONDS = 6 };
	struct lt_hist *per_second[SECONDS], *steady = lt_hist_new();
	const char *paths[K];
	char names[K][160], out[160];
	struct lt_err err = {0};

	for (int t = 0; t < SECONDS; t++)
		per_second[t] = lt_hist_new();
	for (int k = 0; k < K; k++) {
		char id[16];
		snprintf(names[k], sizeof names[k], "%s/shard%d.ndjson", dir, k);
		snprintf(id, sizeof id, "shard-%d", k);
		FILE *f = fopen(names[k], "w");
		write_run(f, id, "grp", (unsigned)k + 1, K, SECONDS, per_second, steady, true);
		fclose(f);
		paths[k] = names[k];
	}
	snprintf(out, sizeof out, "%s/merged.ndjson", dir);
	FILE *o = fopen(out, "w");
	ck_assert_int_eq(lt_store_merge(paths, K, o, NULL, &err), LT_OK);
	fclose(o);

	o = fopen(out, "r");
	struct lt_ndjson_reader *rd = lt_ndjson_reader_new(o, "merged");
	cJSON *rec;
	enum lt_ndjson_type type;
	int samples = 0;
	bool summary = false;
	while (lt_ndjson_reader_next(rd, &rec, &type, &err) == LT_OK && rec) {
		struct lt_hist *h = NULL;
		const char *id = lt_ndjson_get_str(rec, "run_id");
		ck_assert_str_eq(id, "grp");
		if (type == LT_NDJSON_SAMPLE) {
			double t;
			ck_assert(lt_ndjson_get_num(rec, "t", &t));
			ck_assert_int_eq(lt_ndjson_get_hist(rec, "hist", &h, &err), LT_OK);
			ck_assert(lt_hist_equal(h, per_second[(int)t]));
			samples++;
		} else if (type == LT_NDJSON_SUMMARY) {
			double p95, requests;
			ck_assert_int_eq(lt_ndjson_get_hist(rec, "hist", &h, &err), LT_OK);
			ck_assert(lt_hist_equal(h, steady));
			ck_assert_int_eq(lt_ndjson_metric(rec, "responseTime.p95", &p95), LT_OK);
			ck_assert_double_eq_tol(p95, lt_ndjson_ms((double)lt_hist_percentile(steady, 95)),
						1e-9);
			ck_assert(lt_ndjson_get_num(rec, "requests", &requests));
			ck_assert_double_eq(requests, (double)lt_hist_count(steady));
			lt_hist_free(h);
			h = NULL;
			ck_assert_int_eq(lt_ndjson_get_hist(rec, "endpoints[0].hist", &h, &err), LT_OK);
			ck_assert(lt_hist_equal(h, steady));
			summary = true;
		}
		lt_hist_free(h);
		cJSON_Delete(rec);
	}
	ck_assert_int_eq(samples, SECONDS);
	ck_assert(summary);
	lt_ndjson_reader_free(rd);
	fclose(o);
	for (int t = 0; t < SECONDS; t++)
		lt_hist_free(per_second[t]);
	lt_hist_free(steady);
}
END_TEST

START_TEST(test_merge_refuses_a_shard_without_hist)
{
	char a[160], b[160], line[1 << 16];
	struct lt_err err = {0};

	snprintf(a, sizeof a, "%s/a.ndjson", dir);
	snprintf(b, sizeof b, "%s/b.ndjson", dir);
	FILE *f = fopen(a, "w");
	write_run(f, "a", "g", 1, 2, 4, NULL, NULL, true);
	fclose(f);
	/* b: the same shape without the samples' hists. */
	f = fopen(a, "r");
	FILE *g = fopen(b, "w");
	while (fgets(line, sizeof line, f)) {
		cJSON *rec = cJSON_Parse(line);
		cJSON_ReplaceItemInObjectCaseSensitive(rec, "run_id", cJSON_CreateString("b"));
		if (strstr(line, "\"run_start\""))
			cJSON_ReplaceItemInObjectCaseSensitive(rec, "segment", cJSON_CreateString("2/2"));
		if (strstr(line, "\"sample\""))
			cJSON_DeleteItemFromObjectCaseSensitive(rec, "hist");
		char *s = cJSON_PrintUnformatted(rec);
		fprintf(g, "%s\n", s);
		free(s);
		cJSON_Delete(rec);
	}
	fclose(f);
	fclose(g);
	const char *paths[2] = {a, b};
	FILE *o = fopen("/dev/null", "w");
	ck_assert_int_eq(lt_store_merge(paths, 2, o, NULL, &err), LT_EINVAL);
	fclose(o);
	ck_assert_msg(strstr(lt_errmsg(&err), "b.ndjson:2: sample without \"hist\"") != NULL, "%s",
		      lt_errmsg(&err));
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_file_with_bad_line_records_nothing);
	tcase_add_test(tc, test_pipe_keeps_what_was_measured);
	tcase_add_test(tc, test_export_reads_back_as_the_same_run);
	tcase_add_test(tc, test_merge_is_exact);
	tcase_add_test(tc, test_merge_refuses_a_shard_without_hist);
	suite_add_tcase(s, tc);
	return s;
}
