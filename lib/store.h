/* store.h -- record NDJSON streams in the database; export and merge runs.
 *
 * The sink every program that reads lt's records uses (lt-store,
 * lt-baseline set, lt-regress check): read a stream and record it as it
 * comes, so that what was measured is stored before anything acts on it.
 * A run is begun by its run_start (status 'incomplete'), its samples are
 * written in batches of at most 256 (and before every read that could
 * wait, so a live stream is stored second by second), and its summary
 * finishes it in one transaction; memory does not grow with a run's
 * length.  A run stored already is left alone, except that a stream
 * re-sent over an incomplete run is held until its end and replaces it
 * when it is complete or has more samples (lt_db_ingest_run's rule).
 *
 * Bad input never shows as a good run:
 *  - from a regular file (a path, or stdin redirected from a file) the
 *    whole stream is checked first and recorded only when all of it is
 *    good: a bad line anywhere means exit 2 and a database untouched;
 *  - from a pipe (a live `lt-run | lt-store`), when the stream breaks off
 *    (a bad line, or the end before a summary), the runs it left open
 *    stay 'incomplete' with their good samples (never shown as complete)
 *    and the error is returned: nothing measured is lost.
 *
 * Merging: the shards of one run (lt-run --segment I/N, same run_group)
 * combine into the stream one generator would have written, figures
 * computed from the merged histograms, so percentiles are exact.
 */
#ifndef LT_STORE_H
#define LT_STORE_H

#include "db.h"
#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* What was recorded: one call per run and per standalone record. */
struct lt_store_recorded {
	const char *type;           /* "run", "alert", "bench", "execution" */
	const char *id;             /* run_id, alert_id, bench_id, execution_id */
	const char *scenario_id;    /* runs; NULL otherwise */
	const char *status;         /* runs: "complete", "interrupted", "incomplete" */
	bool was_present;           /* already stored: recording it was a no-op */
	size_t samples;             /* runs: samples in the stream */
	const cJSON *run_start;     /* runs: borrowed for the call */
	const cJSON *summary;       /* runs: borrowed for the call; NULL when incomplete */
};

/* Called after each record is committed.  Returning anything but LT_OK
 * stops the ingest with that code (what was committed stays). */
typedef lt_rc (*lt_store_fn)(const struct lt_store_recorded *r, void *ctx);

/* Read the NDJSON stream in (borrowed; named name in messages) and record
 * it in db as above.  fn may be NULL.  Errors: LT_EINVAL / LT_ELIMIT with
 * "name:line: why" for bad input, LT_EIO, LT_EDB, LT_ENOMEM.  A stream
 * with no records at all is fine (nothing recorded). */
lt_rc lt_store_ingest(struct lt_db *db, FILE *in, const char *name,
		      lt_store_fn fn, void *ctx, struct lt_err *err);

/* Write the stored run run_id (a full id) to out as NDJSON: its run_start,
 * samples and summary, re-readable by lt_store_ingest (recording it again
 * is a no-op). */
lt_rc lt_store_export_ndjson(struct lt_db *db, const char *run_id, FILE *out,
			     struct lt_err *err);

/* The per-second samples of run_id as CSV with a header line:
 * t,phase,users,requests,errors,rps,dropped,min_ms,mean_ms,p50_ms,p90_ms,
 * p95_ms,p99_ms,max_ms,bytes_in,bytes_out,cpu_pct,rss_kb */
lt_rc lt_store_export_csv(struct lt_db *db, const char *run_id, FILE *out,
			  struct lt_err *err);

/* Merge the shard streams of one run from the files paths[0..n) ("-" is
 * stdin) and write the combined stream to out: a run_start (run_id = the
 * shards' run_group, segment 1/1, the config of the first shard), one
 * sample per second (counts, bytes and users summed, latencies from the
 * merged histograms) and a summary recomputed from the merged histograms
 * with the thresholds re-judged.  Every shard must carry hists (lt-run
 * writes them), the same run_group and a distinct segment.  Errors:
 * LT_EINVAL naming the file and line (bad record, shards of different
 * groups, a shard without histograms, two copies of one segment),
 * LT_EIO, LT_ENOMEM.  *passed (may be NULL) gets the merged summary's
 * verdict: the thresholds judged on the whole.  Memory: the per-second merged figures of the run
 * (one histogram per second present at once, not one per shard). */
lt_rc lt_store_merge(const char *const *paths, size_t n, FILE *out, bool *passed,
		     struct lt_err *err);

#endif
