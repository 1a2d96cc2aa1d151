/* fuzz-replay.c -- run the fuzz targets of tests/fuzz on files, without
 * libFuzzer, so that the ordinary build (gcc, `make check`, `make check
 * SANITIZE=1`) replays every crash ever found and the seed corpora
 * through the real parsers.
 *
 *     fuzz-replay TARGET FILE...      TARGET: scenario, ndjson, hist,
 *                                     thresholds, cron, schedule, store,
 *                                     h1, serve
 *     fuzz-replay --list              the targets, one a line
 *
 * Each file's bytes go to the target's LLVMFuzzerTestOneInput once.  A
 * target that finds a broken promise aborts (fuzz.h); a memory error is
 * a crash, or under SANITIZE=1 a sanitizer report.  Prints "ok FILE" per
 * file; exit 0 when all passed, 2 for bad usage or an unreadable file.
 *
 * The targets are #included here, each with LLVMFuzzerTestOneInput
 * renamed, which is why their helpers are static and prefixed with the
 * target's name (tests/fuzz/fuzz.h).  The Makefile rebuilds this program
 * when a target changes.
 */
#define LLVMFuzzerTestOneInput fuzz_scenario_one
#include "../fuzz/fuzz_scenario.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_ndjson_one
#include "../fuzz/fuzz_ndjson.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_hist_one
#include "../fuzz/fuzz_hist.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_thresholds_one
#include "../fuzz/fuzz_thresholds.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_cron_one
#include "../fuzz/fuzz_cron.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_schedule_one
#include "../fuzz/fuzz_schedule.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_store_one
#include "../fuzz/fuzz_store.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_h1_one
#include "../fuzz/fuzz_h1.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_serve_one
#include "../fuzz/fuzz_serve.c"
#undef LLVMFuzzerTestOneInput

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
} replay_targets[] = {
	{"scenario", fuzz_scenario_one},
	{"ndjson", fuzz_ndjson_one},
	{"hist", fuzz_hist_one},
	{"thresholds", fuzz_thresholds_one},
	{"cron", fuzz_cron_one},
	{"schedule", fuzz_schedule_one},
	{"store", fuzz_store_one},
	{"h1", fuzz_h1_one},
	{"serve", fuzz_serve_one},
};

#define N_TARGETS (sizeof replay_targets / sizeof replay_targets[0])

/* The whole of path, in *data (new) and *size; -1 with errno on failure. */
static int replay_read(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *grown;
	size_t len = 0, cap = 0, got;

	if (!f)
		return -1;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			if (!(grown = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return -1;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return -1;
	}
	fclose(f);
	*data = buf;
	*size = len;
	return 0;
}

int main(int argc, char **argv)
{
	size_t t;
	int i;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (t = 0; t < N_TARGETS; t++)
			puts(replay_targets[t].name);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: fuzz-replay <target> <file>...\n       fuzz-replay --list\n");
		return 2;
	}
	/* "fuzz_cron" (a directory name) means "cron". */
	const char *name = strncmp(argv[1], "fuzz_", 5) ? argv[1] : argv[1] + 5;
	for (t = 0; t < N_TARGETS && strcmp(replay_targets[t].name, name); t++)
		;
	if (t == N_TARGETS) {
		fprintf(stderr, "fuzz-replay: unknown target \"%s\" (see --list)\n", argv[1]);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		uint8_t *data = NULL;
		size_t size = 0;

		if (replay_read(argv[i], &data, &size) != 0) {
			fprintf(stderr, "fuzz-replay: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		/* stderr first: when the target aborts, the file is named. */
		fprintf(stderr, "fuzz-replay: %s %s (%zu bytes)\n", replay_targets[t].name, argv[i], size);
		replay_targets[t].one(data, size);
		free(data);
		printf("ok %s\n", argv[i]);
		fflush(stdout);
	}
	return 0;
}
