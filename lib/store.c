/* store.c -- record NDJSON streams, export and merge runs (store.h). */
#include "store.h"
#include "hist.h"
#include "ndjson.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- ingest ---- */

/* Samples wait for lt_db_run_samples in batches of at most this many: one
 * transaction per batch rather than per sample when a file is read, and a
 * bound on what waits in memory (a sample's JSON is 1 to 10 kB). */
#define STORE_BATCH 256

/* How a run of the stream is recorded, decided at its run_start by what
 * the database holds (lt_db_run_open):
 *  STREAM  not stored: begun at once, samples written as they come in
 *          batches, finished by the summary -- memory does not grow with
 *          the run's length, and a kill keeps every committed second;
 *  SKIP    stored complete or interrupted: nothing to write;
 *  BUFFER  stored incomplete: all records are kept and lt_db_ingest_run
 *          decides at the end whether they replace the stored ones (a
 *          complete stream, or one with more samples, heals a cut run). */
enum run_mode { RUN_STREAM, RUN_SKIP, RUN_BUFFER };

/* One run of the stream not yet ended. */
struct open_run {
	enum run_mode mode;
	cJSON **recs;   /* recs[0] is run_start; BUFFER: all records so far */
	size_t n, cap;
	size_t samples; /* samples seen */
};

struct ingest {
	struct lt_db *db;
	lt_store_fn fn;
	void *ctx;
	struct open_run *runs;
	size_t n_runs, cap_runs;
	cJSON *pending[STORE_BATCH]; /* STREAM samples not yet written; owned */
	size_t n_pending;
	bool live;                   /* input is not a regular file: it can wait */
};

static const char *run_id_of(const struct open_run *r)
{
	return lt_ndjson_get_str(r->recs[0], "run_id");
}

static void open_run_free(struct open_run *r)
{
	for (size_t i = 0; i < r->n; i++)
		cJSON_Delete(r->recs[i]);
	free(r->recs);
	r->recs = NULL;
	r->n = r->cap = 0;
}

static struct open_run *find_run(struct ingest *g, const char *run_id)
{
	for (size_t i = 0; i < g->n_runs; i++)
		if (strcmp(run_id_of(&g->runs[i]), run_id) == 0)
			return &g->runs[i];
	return NULL;
}

/* Append rec (taken) to r. */
static lt_rc run_push(struct open_run *r, cJSON *rec)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		cJSON **v = realloc(r->recs, cap * sizeof *v);
		if (!v) {
			cJSON_Delete(rec);
			return LT_ENOMEM;
		}
		r->recs = v;
		r->cap = cap;
	}
	r->recs[r->n++] = rec;
	return LT_OK;
}

/* A BUFFER run's records wait in memory for its end.  A sample's
 * histogram is most of its JSON tree (a cJSON item of 64 bytes per number
 * of "b"), and the database keeps it as text: held as the raw text it
 * prints to, a sample costs about a third of the memory (measured: 8.6 kB
 * -> 2.9 kB for a 570-byte line, 6.3 kB for a 3.1 kB line of a busy
 * second).  The reader has validated it. */
static lt_rc compact_hist(cJSON *sample)
{
	cJSON *hist = cJSON_GetObjectItemCaseSensitive(sample, "hist"), *raw;
	char *text;

	if (!cJSON_IsObject(hist))
		return LT_OK;
	if (!(text = cJSON_PrintUnformatted(hist)))
		return LT_ENOMEM;
	raw = cJSON_CreateRaw(text);
	cJSON_free(text);
	if (!raw || !cJSON_ReplaceItemInObjectCaseSensitive(sample, "hist", raw)) {
		cJSON_Delete(raw);
		return LT_ENOMEM;
	}
	return LT_OK;
}

/* Write the waiting samples (one transaction) and free them. */
static lt_rc flush_pending(struct ingest *g, struct lt_err *err)
{
	lt_rc rc = lt_db_run_samples(g->db, (const cJSON *const *)g->pending, g->n_pending, err);

	for (size_t i = 0; i < g->n_pending; i++)
		cJSON_Delete(g->pending[i]);
	g->n_pending = 0;
	return rc;
}

/* Tell the caller about run r, ended by summary (NULL: the stream ended
 * first), then forget it. */
static lt_rc run_done(struct ingest *g, struct open_run *r, const cJSON *summary,
		      bool was_present)
{
	bool interrupted = false;
	lt_rc rc = LT_OK;

	if (g->fn) {
		if (summary)
			lt_ndjson_get_bool(summary, "interrupted", &interrupted);
		struct lt_store_recorded info = {
			.type = "run",
			.id = run_id_of(r),
			.scenario_id = lt_ndjson_get_str(r->recs[0], "scenario_id"),
			.status = !summary ? "incomplete" : interrupted ? "interrupted" : "complete",
			.was_present = was_present,
			.samples = r->samples,
			.run_start = r->recs[0],
			.summary = summary,
		};
		rc = g->fn(&info, g->ctx);
	}
	open_run_free(r);
	*r = g->runs[--g->n_runs];
	return rc;
}

/* End run r: summary (taken; NULL: the stream ended before it). */
static lt_rc run_end(struct ingest *g, struct open_run *r, cJSON *summary, struct lt_err *err)
{
	bool present = r->mode == RUN_SKIP;
	lt_rc rc = LT_OK;

	switch (r->mode) {
	case RUN_STREAM:
		/* Its samples first: the summary ends the run. */
		if ((rc = flush_pending(g, err)) == LT_OK && summary)
			rc = lt_db_run_finish(g->db, r->recs[0], summary, err);
		break;
	case RUN_SKIP:
		break;
	case RUN_BUFFER:
		if (summary && run_push(r, summary) != LT_OK)
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		rc = lt_db_ingest_run(g->db, r->recs, r->n, &present, err);
		if (summary)
			r->n--; /* freed below */
		break;
	}
	if (rc == LT_OK)
		rc = run_done(g, r, summary, present);
	else {
		open_run_free(r);
		*r = g->runs[--g->n_runs];
	}
	cJSON_Delete(summary);
	return rc;
}

static lt_rc run_open(struct ingest *g, cJSON *rec, struct lt_err *err)
{
	enum lt_db_run_state state;
	struct open_run *r;
	lt_rc rc;

	if (g->n_runs == g->cap_runs) {
		size_t cap = g->cap_runs ? 2 * g->cap_runs : 4;
		struct open_run *v = realloc(g->runs, cap * sizeof *v);
		if (!v) {
			cJSON_Delete(rec);
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		}
		g->runs = v;
		g->cap_runs = cap;
	}
	if ((rc = lt_db_run_open(g->db, rec, &state, err)) != LT_OK) {
		cJSON_Delete(rec);
		return rc;
	}
	r = &g->runs[g->n_runs];
	memset(r, 0, sizeof *r);
	r->mode = state == LT_DB_RUN_BEGUN ? RUN_STREAM
		: state == LT_DB_RUN_PRESENT ? RUN_SKIP : RUN_BUFFER;
	if (run_push(r, rec) != LT_OK)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	g->n_runs++;
	return LT_OK;
}

static lt_rc run_sample(struct ingest *g, struct open_run *r, cJSON *rec, struct lt_err *err)
{
	r->samples++;
	switch (r->mode) {
	case RUN_STREAM:
		g->pending[g->n_pending++] = rec;
		return g->n_pending == STORE_BATCH ? flush_pending(g, err) : LT_OK;
	case RUN_SKIP:
		cJSON_Delete(rec);
		return LT_OK;
	case RUN_BUFFER:
		if (compact_hist(rec) != LT_OK) {
			cJSON_Delete(rec);
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		}
		if (run_push(r, rec) != LT_OK)
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		return LT_OK;
	}
	cJSON_Delete(rec);
	return LT_OK;
}

static lt_rc take_record(struct ingest *g, cJSON *rec, enum lt_ndjson_type type,
			 struct lt_err *err)
{
	const char *run_id = lt_ndjson_get_str(rec, "run_id");
	struct open_run *r;
	lt_rc rc;

	switch (type) {
	case LT_NDJSON_RUN_START:
		return run_open(g, rec, err);
	case LT_NDJSON_SAMPLE:
	case LT_NDJSON_SUMMARY:
		/* The reader has checked the order: the run is open. */
		if (!(r = find_run(g, run_id))) {
			cJSON_Delete(rec);
			return lt_err_set(err, LT_EINTERNAL, "record of run \"%s\" without its run_start",
					  run_id);
		}
		return type == LT_NDJSON_SAMPLE ? run_sample(g, r, rec, err) : run_end(g, r, rec, err);
	case LT_NDJSON_ALERT:
	case LT_NDJSON_BENCH:
	case LT_NDJSON_EXECUTION: {
		static const char *const id_field[] = {
			[LT_NDJSON_ALERT] = "alert_id",
			[LT_NDJSON_BENCH] = "bench_id",
			[LT_NDJSON_EXECUTION] = "execution_id",
		};
		if ((rc = flush_pending(g, err)) == LT_OK)
			rc = lt_db_ingest_record(g->db, rec, err);
		if (rc == LT_OK && g->fn) {
			struct lt_store_recorded info = {
				.type = lt_ndjson_type_name(type),
				.id = lt_ndjson_get_str(rec, id_field[type]),
				.scenario_id = lt_ndjson_get_str(rec, "scenario_id"),
			};
			rc = g->fn(&info, g->ctx);
		}
		cJSON_Delete(rec);
		return rc;
	}
	case LT_NDJSON_VERDICT:
		if ((rc = flush_pending(g, err)) == LT_OK)
			rc = lt_db_check_record(g->db, rec, NULL, 0, err);
		if (rc == LT_OK && g->fn) {
			struct lt_store_recorded info = {
				.type = "verdict",
				.id = lt_ndjson_get_str(rec, "check_id"),
				.scenario_id = lt_ndjson_get_str(rec, "scenario_id"),
			};
			rc = g->fn(&info, g->ctx);
		}
		cJSON_Delete(rec);
		return rc;
	case LT_NDJSON_NONE:
		break;
	}
	cJSON_Delete(rec);
	return lt_err_set(err, LT_EINTERNAL, "unexpected record type");
}

/* Whether reading in could wait: nothing on its descriptor now.  (Lines
 * stdio has buffered make the answer "could wait" too early at worst,
 * which costs a smaller batch, never a sample held while lt-store
 * waits.) */
static bool could_wait(FILE *in)
{
	struct pollfd p = {.fd = fileno(in), .events = POLLIN};
	return poll(&p, 1, 0) == 0;
}

/* Read the stream to its end; with db NULL only check it. */
static lt_rc read_stream(struct ingest *g, FILE *in, const char *name, struct lt_err *err)
{
	struct lt_ndjson_reader *rd = lt_ndjson_reader_new(in, name);
	lt_rc rc = LT_OK;

	if (!rd)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	for (;;) {
		cJSON *rec = NULL;
		enum lt_ndjson_type type;
		/* A live stream (`lt-run | lt-store`) writes each second as it
		 * comes: before waiting for more, what came is committed. */
		if (g->n_pending && g->live && could_wait(in) &&
		    (rc = flush_pending(g, err)) != LT_OK)
			break;
		if ((rc = lt_ndjson_reader_next(rd, &rec, &type, err)) != LT_OK || !rec)
			break;
		if (!g->db) {
			cJSON_Delete(rec);
			continue;
		}
		if ((rc = take_record(g, rec, type, err)) != LT_OK) {
			if (rc == LT_EINVAL)
				lt_err_prefix(err, "%s:%lu", name, lt_ndjson_reader_line(rd));
			break;
		}
	}
	lt_ndjson_reader_free(rd);
	return rc;
}

lt_rc lt_store_ingest(struct lt_db *db, FILE *in, const char *name,
		      lt_store_fn fn, void *ctx, struct lt_err *err)
{
	struct ingest g = {.fn = fn, .ctx = ctx};
	struct stat st;
	lt_rc rc;

	/* A regular file can be read twice: check all of it first, so that
	 * bad input anywhere leaves the database untouched. */
	g.live = !(fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode));
	if (!g.live) {
		off_t start = ftello(in);
		if ((rc = read_stream(&g, in, name, err)) != LT_OK)
			return rc;
		if (fseeko(in, start, SEEK_SET) != 0)
			return lt_err_set(err, LT_EIO, "%s: cannot read it again: %s", name,
					  strerror(errno));
	}
	g.db = db;
	rc = read_stream(&g, in, name, err);
	/* Whatever stopped the stream, the runs it left open keep what they
	 * measured, as 'incomplete'.  Their records were checked as they came,
	 * so writing them cannot fail for bad input. */
	while (g.n_runs) {
		struct lt_err cerr = {0};
		lt_rc crc = run_end(&g, &g.runs[g.n_runs - 1], NULL, &cerr);
		if (crc != LT_OK && rc == LT_OK) {
			rc = crc;
			*err = cerr;
		}
	}
	free(g.runs);
	return rc;
}

/* ---- export ---- */

struct export_ctx {
	FILE *out;
	struct lt_err *err;
	bool csv;
};

static cJSON *sample_record(const struct lt_db_sample *s, struct lt_err *err, lt_rc *rc)
{
	cJSON *rec = lt_ndjson_new(LT_NDJSON_SAMPLE), *lat;

	*rc = LT_ENOMEM;
	if (!rec)
		goto fail;
	cJSON_AddStringToObject(rec, "run_id", s->run_id);
	cJSON_AddNumberToObject(rec, "t", s->t);
	if (s->phase)
		cJSON_AddStringToObject(rec, "phase", s->phase);
	cJSON_AddNumberToObject(rec, "users", (double)s->users);
	cJSON_AddNumberToObject(rec, "requests", (double)s->requests);
	cJSON_AddNumberToObject(rec, "errors", (double)s->errors);
	cJSON_AddNumberToObject(rec, "rps", isnan(s->rps) ? 0 : s->rps);
	cJSON_AddNumberToObject(rec, "dropped", (double)s->dropped);
	if (!(lat = cJSON_AddObjectToObject(rec, "latency_ms")))
		goto fail;
	const double v[7] = {s->latency_ms.min, s->latency_ms.mean, s->latency_ms.p50,
			     s->latency_ms.p90, s->latency_ms.p95, s->latency_ms.p99,
			     s->latency_ms.max};
	static const char *const names[7] = {"min", "mean", "p50", "p90", "p95", "p99", "max"};
	for (int i = 0; i < 7; i++)
		cJSON_AddNumberToObject(lat, names[i], isnan(v[i]) ? 0 : v[i]);
	cJSON_AddNumberToObject(rec, "bytes_in", (double)s->bytes_in);
	cJSON_AddNumberToObject(rec, "bytes_out", (double)s->bytes_out);
	if (!isnan(s->cpu_pct))
		cJSON_AddNumberToObject(rec, "cpu_pct", s->cpu_pct);
	cJSON_AddNumberToObject(rec, "rss_kb", (double)s->rss_kb);
	if (s->hist_json) {
		cJSON *h = cJSON_Parse(s->hist_json);
		if (!h)
			goto fail;
		cJSON_AddItemToObject(rec, "hist", h);
	}
	*rc = LT_OK;
	return rec;
fail:
	cJSON_Delete(rec);
	lt_err_set(err, *rc, "out of memory");
	return NULL;
}

static void csv_num(FILE *out, double v, bool last)
{
	if (isnan(v))
		fputs(last ? "\n" : ",", out);
	else
		fprintf(out, last ? "%.10g\n" : "%.10g,", v);
}

static lt_rc export_sample(const struct lt_db_sample *s, void *p)
{
	struct export_ctx *x = p;
	lt_rc rc;

	if (x->csv) {
		fprintf(x->out, "%g,%s,%lld,%lld,%lld,", s->t, s->phase ? s->phase : "",
			(long long)s->users, (long long)s->requests, (long long)s->errors);
		csv_num(x->out, s->rps, false);
		fprintf(x->out, "%lld,", (long long)s->dropped);
		csv_num(x->out, s->latency_ms.min, false);
		csv_num(x->out, s->latency_ms.mean, false);
		csv_num(x->out, s->latency_ms.p50, false);
		csv_num(x->out, s->latency_ms.p90, false);
		csv_num(x->out, s->latency_ms.p95, false);
		csv_num(x->out, s->latency_ms.p99, false);
		csv_num(x->out, s->latency_ms.max, false);
		fprintf(x->out, "%lld,%lld,", (long long)s->bytes_in, (long long)s->bytes_out);
		csv_num(x->out, s->cpu_pct, false);
		fprintf(x->out, "%lld\n", (long long)s->rss_kb);
		return ferror(x->out) ? lt_err_set(x->err, LT_EIO, "write error: %s", strerror(errno))
				      : LT_OK;
	}
	cJSON *rec = sample_record(s, x->err, &rc);
	if (!rec)
		return rc;
	rc = lt_ndjson_write(x->out, rec, x->err);
	cJSON_Delete(rec);
	return rc;
}

lt_rc lt_store_export_ndjson(struct lt_db *db, const char *run_id, FILE *out,
			     struct lt_err *err)
{
	struct lt_db_run *run = NULL;
	struct export_ctx x = {.out = out, .err = err};
	lt_rc rc;

	if ((rc = lt_db_run_get(db, run_id, &run, err)) != LT_OK)
		return rc;
	if (!run->run_start) {
		rc = lt_err_set(err, LT_ENOTFOUND, "run %s: its run_start record is not stored",
				run->run_id);
		goto out;
	}
	if ((rc = lt_ndjson_write(out, run->run_start, err)) != LT_OK ||
	    (rc = lt_db_samples_each(db, run->run_id, export_sample, &x, err)) != LT_OK)
		goto out;
	if (run->summary)
		rc = lt_ndjson_write(out, run->summary, err);
out:
	lt_db_run_free(run);
	return rc;
}

lt_rc lt_store_export_csv(struct lt_db *db, const char *run_id, FILE *out,
			  struct lt_err *err)
{
	struct lt_db_run *run = NULL;
	struct export_ctx x = {.out = out, .err = err, .csv = true};
	lt_rc rc;

	if ((rc = lt_db_run_get(db, run_id, &run, err)) != LT_OK)
		return rc;
	fputs("t,phase,users,requests,errors,rps,dropped,min_ms,mean_ms,p50_ms,p90_ms,"
	      "p95_ms,p99_ms,max_ms,bytes_in,bytes_out,cpu_pct,rss_kb\n", out);
	rc = lt_db_samples_each(db, run->run_id, export_sample, &x, err);
	lt_db_run_free(run);
	return rc;
}

/* ---- merge ---- */

struct shard {
	const char *path;
	FILE *f;
	struct lt_ndjson_reader *rd;
	cJSON *run_start;
	cJSON *pending;     /* the next sample, or the summary when done */
	bool done;          /* pending is the summary */
	double t;           /* pending sample's t */
};

/* Advance s to its next sample or its summary; other records (alerts,
 * benches, another run's) have no place in a shard stream. */
static lt_rc shard_next(struct shard *s, struct lt_err *err)
{
	enum lt_ndjson_type type;
	cJSON *rec = NULL;
	lt_rc rc;

	cJSON_Delete(s->pending);
	s->pending = NULL;
	if ((rc = lt_ndjson_reader_next(s->rd, &rec, &type, err)) != LT_OK)
		return rc;
	if (!rec)
		return lt_err_set(err, LT_EINVAL, "%s:%lu: the shard ends without a summary",
				  s->path, lt_ndjson_reader_line(s->rd));
	const char *id = lt_ndjson_get_str(rec, "run_id");
	const char *own = lt_ndjson_get_str(s->run_start, "run_id");
	if ((type != LT_NDJSON_SAMPLE && type != LT_NDJSON_SUMMARY) || !id || strcmp(id, own)) {
		cJSON_Delete(rec);
		return lt_err_set(err, LT_EINVAL,
				  "%s:%lu: a shard stream holds one run: expected a sample or "
				  "the summary of run \"%s\"",
				  s->path, lt_ndjson_reader_line(s->rd), own);
	}
	if (!lt_ndjson_get(rec, "hist")) {
		cJSON_Delete(rec);
		return lt_err_set(err, LT_EINVAL,
				  "%s:%lu: %s without \"hist\": shards merge exactly only "
				  "with their histograms",
				  s->path, lt_ndjson_reader_line(s->rd), lt_ndjson_type_name(type));
	}
	s->pending = rec;
	s->done = type == LT_NDJSON_SUMMARY;
	if (!s->done)
		lt_ndjson_get_num(rec, "t", &s->t);
	return LT_OK;
}

static lt_rc shard_open(struct shard *s, const char *path, struct lt_err *err)
{
	enum lt_ndjson_type type;
	lt_rc rc;

	s->path = strcmp(path, "-") == 0 ? "<stdin>" : path;
	s->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!s->f)
		return lt_err_set(err, errno == ENOENT ? LT_ENOTFOUND : LT_EIO, "%s: %s", path,
				  strerror(errno));
	if (!(s->rd = lt_ndjson_reader_new(s->f, s->path)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	if ((rc = lt_ndjson_reader_next(s->rd, &s->run_start, &type, err)) != LT_OK)
		return rc;
	if (!s->run_start || type != LT_NDJSON_RUN_START)
		return lt_err_set(err, LT_EINVAL, "%s:%lu: a shard stream starts with run_start",
				  s->path, lt_ndjson_reader_line(s->rd));
	return shard_next(s, err);
}

static void shard_close(struct shard *s)
{
	lt_ndjson_reader_free(s->rd);
	if (s->f && s->f != stdin)
		fclose(s->f);
	cJSON_Delete(s->run_start);
	cJSON_Delete(s->pending);
}

/* Add the hist at path of rec into into; LT_OK when absent. */
static lt_rc add_hist(struct lt_hist *into, const cJSON *rec, const char *path,
		      const char *file, struct lt_err *err)
{
	struct lt_hist *h = NULL;
	lt_rc rc = lt_ndjson_get_hist(rec, path, &h, err);

	if (rc == LT_ENOTFOUND)
		return LT_OK;
	if (rc != LT_OK) {
		lt_err_prefix(err, "%s", file);
		return rc;
	}
	lt_hist_merge(into, h);
	lt_hist_free(h);
	return LT_OK;
}

static uint64_t count_of(const cJSON *rec, const char *path)
{
	uint64_t v = 0;
	lt_ndjson_get_count(rec, path, &v);
	return v;
}

/* The merged endpoints of the shards' summaries, matched by name. */
struct merged_endpoint {
	const char *name, *method, *path;  /* borrowed from a shard's summary */
	uint64_t requests, errors;
	struct lt_hist *hist;
};

static lt_rc merge_summaries(struct shard *sh, size_t n, const char *group,
			     double peak_rps, uint64_t peak_users, FILE *out, bool *passed,
			     struct lt_err *err)
{
	struct merged_endpoint *eps = NULL;
	struct lt_ndjson_endpoint *nep = NULL;
	size_t n_eps = 0, cap_eps = 0;
	struct lt_hist *all = lt_hist_new();
	cJSON *summary = NULL;
	uint64_t requests = 0, errors = 0;
	double duration = 0;
	bool interrupted = false;
	lt_rc rc = LT_ENOMEM;

	if (!all)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const cJSON *s = sh[i].pending;
		double d = 0;
		bool intr = false;
		requests += count_of(s, "requests");
		errors += count_of(s, "errors");
		if (lt_ndjson_get_num(s, "duration_s", &d) && d > duration)
			duration = d;
		if (lt_ndjson_get_bool(s, "interrupted", &intr) && intr)
			interrupted = true;
		if ((rc = add_hist(all, s, "hist", sh[i].path, err)) != LT_OK)
			goto out;
		const cJSON *list = lt_ndjson_get(s, "endpoints");
		const cJSON *ep;
		size_t k = 0;
		cJSON_ArrayForEach(ep, list) {
			char path[64];
			const char *name = lt_ndjson_get_str(ep, "name");
			size_t j;
			for (j = 0; j < n_eps && strcmp(eps[j].name, name); j++)
				;
			if (j == n_eps) {
				if (n_eps == cap_eps) {
					size_t cap = cap_eps ? 2 * cap_eps : 8;
					struct merged_endpoint *v = realloc(eps, cap * sizeof *v);
					if (!v)
						goto nomem;
					eps = v;
					cap_eps = cap;
				}
				memset(&eps[n_eps], 0, sizeof *eps);
				eps[n_eps].name = name;
				eps[n_eps].method = lt_ndjson_get_str(ep, "method");
				eps[n_eps].path = lt_ndjson_get_str(ep, "path");
				if (!(eps[n_eps].hist = lt_hist_new()))
					goto nomem;
				n_eps++;
			}
			eps[j].requests += count_of(ep, "requests");
			eps[j].errors += count_of(ep, "errors");
			snprintf(path, sizeof path, "endpoints[%zu].hist", k++);
			if ((rc = add_hist(eps[j].hist, s, path, sh[i].path, err)) != LT_OK)
				goto out;
		}
	}
	if (n_eps && !(nep = calloc(n_eps, sizeof *nep)))
		goto nomem;
	for (size_t j = 0; j < n_eps; j++) {
		nep[j].name = eps[j].name;
		nep[j].method = eps[j].method;
		nep[j].path = eps[j].path;
		nep[j].requests = eps[j].requests;
		nep[j].errors = eps[j].errors;
		nep[j].hist = eps[j].hist;
	}
	struct lt_ndjson_summary in = {
		.run_id = group,
		.duration_s = duration,
		.requests = requests,
		.errors = errors,
		.peak_rps = peak_rps,
		.peak_users = peak_users,
		.hist = all,
		.interrupted = interrupted,
		.endpoints = nep,
		.n_endpoints = n_eps,
	};
	if (!(summary = cJSON_Duplicate(sh[0].pending, 1)))
		goto nomem;
	if ((rc = lt_ndjson_summary_recompute(summary, &in, err)) != LT_OK)
		goto out;
	if (passed && !lt_ndjson_get_bool(summary, "passed", passed))
		*passed = true;
	rc = lt_ndjson_write(out, summary, err);
	goto out;
nomem:
	rc = lt_err_set(err, LT_ENOMEM, "out of memory");
out:
	cJSON_Delete(summary);
	for (size_t j = 0; j < n_eps; j++)
		lt_hist_free(eps[j].hist);
	free(eps);
	free(nep);
	lt_hist_free(all);
	return rc;
}

/* Check the shards belong together and write the merged run_start. */
static lt_rc merged_start(struct shard *sh, size_t n, const char **group, FILE *out,
			  struct lt_err *err)
{
	double started = INFINITY;
	cJSON *rec;
	lt_rc rc;

	*group = lt_ndjson_get_str(sh[0].run_start, "run_group");
	if (!*group)
		return lt_err_set(err, LT_EINVAL,
				  "%s: run_start has no run_group: run the shards with "
				  "lt-run --run-group ID --segment I/N",
				  sh[0].path);
	for (size_t i = 0; i < n; i++) {
		const char *g = lt_ndjson_get_str(sh[i].run_start, "run_group");
		const char *seg = lt_ndjson_get_str(sh[i].run_start, "segment");
		double t;
		if (!g || strcmp(g, *group) != 0)
			return lt_err_set(err, LT_EINVAL,
					  "%s: run_group \"%s\" is not \"%s\" of %s: not shards of one run",
					  sh[i].path, g ? g : "(none)", *group, sh[0].path);
		for (size_t k = 0; k < i; k++) {
			const char *other = lt_ndjson_get_str(sh[k].run_start, "segment");
			if (seg && other && strcmp(seg, other) == 0)
				return lt_err_set(err, LT_EINVAL, "%s: segment %s is also in %s",
						  sh[i].path, seg, sh[k].path);
		}
		if (lt_ndjson_get_time(sh[i].run_start, "started_at", &t) && t < started)
			started = t;
	}
	if (!(rec = cJSON_Duplicate(sh[0].run_start, 1)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	char when[LTI_TIME_LEN];
	lti_time_format(started, when);
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "run_id", cJSON_CreateString(*group));
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "started_at", cJSON_CreateString(when));
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "segment");
	cJSON_AddStringToObject(rec, "segment", "1/1");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "merged_from");
	cJSON *from = cJSON_AddNumberToObject(rec, "merged_from", (double)n);
	if (!from)
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
	else
		rc = lt_ndjson_write(out, rec, err);
	cJSON_Delete(rec);
	return rc;
}

lt_rc lt_store_merge(const char *const *paths, size_t n, FILE *out, bool *passed,
		     struct lt_err *err)
{
	struct shard *sh = calloc(n ? n : 1, sizeof *sh);
	struct lt_hist *h = lt_hist_new();
	const char *group = NULL;
	double peak_rps = 0;
	uint64_t peak_users = 0;
	lt_rc rc = LT_OK;

	if (!sh || !h) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n && rc == LT_OK; i++)
		rc = shard_open(&sh[i], paths[i], err);
	if (rc != LT_OK || (rc = merged_start(sh, n, &group, out, err)) != LT_OK)
		goto out;

	/* A k-way merge on t: every shard's samples come in t order. */
	for (;;) {
		double t = INFINITY;
		for (size_t i = 0; i < n; i++)
			if (!sh[i].done && sh[i].t < t)
				t = sh[i].t;
		if (t == INFINITY)
			break;
		uint64_t users = 0, requests = 0, errors = 0, dropped = 0, in = 0, outb = 0;
		double rps = 0, cpu = 0;
		int64_t rss = 0;
		const char *phase = NULL;
		lt_hist_reset(h);
		for (size_t i = 0; i < n; i++) {
			const cJSON *s = sh[i].pending;
			double v;
			if (sh[i].done || sh[i].t != t)
				continue;
			users += count_of(s, "users");
			requests += count_of(s, "requests");
			errors += count_of(s, "errors");
			dropped += count_of(s, "dropped");
			in += count_of(s, "bytes_in");
			outb += count_of(s, "bytes_out");
			rss += (int64_t)count_of(s, "rss_kb");
			if (lt_ndjson_get_num(s, "rps", &v))
				rps += v;
			if (lt_ndjson_get_num(s, "cpu_pct", &v))
				cpu += v;
			if (!phase)
				phase = lt_ndjson_get_str(s, "phase");
			if ((rc = add_hist(h, s, "hist", sh[i].path, err)) != LT_OK)
				goto out;
		}
		struct lt_ndjson_sample smp = {
			.run_id = group, .t = t, .phase = phase ? phase : "steady",
			.users = users, .requests = requests, .errors = errors, .rps = rps,
			.dropped = dropped, .bytes_in = in, .bytes_out = outb,
			.cpu_pct = cpu, .rss_kb = rss, .hist = h,
		};
		cJSON *rec = NULL;
		if ((rc = lt_ndjson_build_sample(&smp, &rec, err)) != LT_OK)
			goto out;
		rc = lt_ndjson_write(out, rec, err);
		cJSON_Delete(rec);
		if (rc != LT_OK)
			goto out;
		if (strcmp(smp.phase, "steady") == 0) {
			if (rps > peak_rps)
				peak_rps = rps;
			if (users > peak_users)
				peak_users = users;
		}
		/* Advance the shards that gave this second. */
		for (size_t i = 0; i < n; i++) {
			if (sh[i].done || sh[i].t != t)
				continue;
			if ((rc = shard_next(&sh[i], err)) != LT_OK)
				goto out;
		}
	}
	rc = merge_summaries(sh, n, group, peak_rps, peak_users, out, passed, err);
out:
	for (size_t i = 0; sh && i < n; i++)
		shard_close(&sh[i]);
	free(sh);
	lt_hist_free(h);
	return rc;
}
