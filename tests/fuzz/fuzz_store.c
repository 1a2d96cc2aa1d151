/* fuzz_store.c -- lt_store_ingest, what lt-store, lt-baseline set and
 * lt-regress check do with the NDJSON they read, on any bytes, into a
 * fresh in-memory database.
 *
 * The input is a live stream (fmemopen, which is not a regular file: runs
 * are recorded as their summaries arrive, and the open ones as incomplete
 * when the stream breaks off).  Promises checked (store.h, db.h):
 *   - bad input is LT_EINVAL or LT_ELIMIT, never LT_EDB or LT_EINTERNAL
 *     (a database failing on input it was given is a bug);
 *   - every run recorded exports (lt_store_export_ndjson) as a stream the
 *     reader takes whole, and ingesting that export again changes nothing:
 *     each run in it is reported as already present.
 * Each input opens its own ":memory:" database, so an input replays the
 * same way alone (a few milliseconds for the migrations).
 */
#include "fuzz.h"

#include "db.h"
#include "ndjson.h"
#include "store.h"

#include <stdbool.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STORE_FUZZ_MAX_RUNS 64

struct store_fuzz_seen {
	char *ids[STORE_FUZZ_MAX_RUNS];  /* runs recorded, the first so many */
	size_t n;
};

static lt_rc store_fuzz_first(const struct lt_store_recorded *r, void *ctx)
{
	struct store_fuzz_seen *seen = ctx;

	if (strcmp(r->type, "run") || seen->n == STORE_FUZZ_MAX_RUNS)
		return LT_OK;
	if (!(seen->ids[seen->n] = strdup(r->id)))
		return LT_ENOMEM;
	seen->n++;
	return LT_OK;
}

static lt_rc store_fuzz_again(const struct lt_store_recorded *r, void *ctx)
{
	(void)ctx;
	if (!r->was_present)
		fuzz_fail("run \"%s\" exported and ingested again was not present (%s)", r->id,
			  r->status ? r->status : "?");
	return LT_OK;
}

static void store_fuzz_reexport(struct lt_db *db, struct store_fuzz_seen *seen)
{
	size_t i;

	for (i = 0; i < seen->n; i++) {
		struct lt_err err = {0};
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len), *in;
		lt_rc rc;

		if (!out)
			return;
		rc = lt_store_export_ndjson(db, seen->ids[i], out, &err);
		fclose(out);
		if (rc == LT_ENOMEM) {
			free(text);
			continue;
		}
		if (rc != LT_OK)
			fuzz_fail("run \"%s\" was recorded but does not export: rc %d: %s",
				  seen->ids[i], rc, lt_errmsg(&err));
		if (!(in = fmemopen(text, len, "r"))) {
			free(text);
			continue;
		}
		rc = lt_store_ingest(db, in, "export.ndjson", store_fuzz_again, NULL, &err);
		if (rc != LT_OK && rc != LT_ENOMEM)
			fuzz_fail("the export of run \"%s\" does not ingest: rc %d: %s\n%s",
				  seen->ids[i], rc, lt_errmsg(&err), text);
		fclose(in);
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_fuzz_seen seen = {{0}, 0};
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	FILE *in;
	size_t i;
	lt_rc rc;

	if (!size || !(in = fmemopen((void *)data, size, "r")))
		return 0;
	if (lt_db_open(":memory:", 0, &db, &err) != LT_OK) {
		fclose(in);
		return 0;
	}
	rc = lt_store_ingest(db, in, "fuzz.ndjson", store_fuzz_first, &seen, &err);
	fclose(in);
	if (rc != LT_OK && rc != LT_EINVAL && rc != LT_ELIMIT && rc != LT_ENOMEM)
		fuzz_fail("lt_store_ingest: rc %d (%s): %s", rc, lt_strerror(rc), lt_errmsg(&err));
	store_fuzz_reexport(db, &seen);
	for (i = 0; i < seen.n; i++)
		free(seen.ids[i]);
	lt_db_close(db);
	return 0;
}
