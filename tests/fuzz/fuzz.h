/* fuzz.h -- what the libFuzzer targets of tests/fuzz share.
 *
 * Each tests/fuzz/fuzz_<parser>.c defines LLVMFuzzerTestOneInput for one
 * parser of libltcore: it feeds the parser the input, and when the input
 * parses it checks the parser's promises (a round trip through the
 * writer gives the same value, a derived figure stays in range).  A
 * broken promise calls fuzz_fail(), which aborts, so libFuzzer and the
 * replay program report it the way they report a crash.
 *
 * The same files build two ways:
 *   - `make fuzz`: clang -fsanitize=fuzzer,address,undefined, one
 *     program per target in build-fuzz/, linked with the library's
 *     objects compiled for fuzzing;
 *   - tests/support/fuzz-replay.c #includes every target with
 *     LLVMFuzzerTestOneInput #defined to a name of its own
 *     (fuzz_scenario_one, ...), so the ordinary build (and `make check
 *     SANITIZE=1`) replays the corpora and the regressions through the
 *     real parsers (tests/cli/fuzz/replay.sh).
 * Hence the rules for a target file: helpers static and prefixed with the
 * target's name (several targets share one translation unit), no main,
 * no output on success.
 */
#ifndef LT_FUZZ_H
#define LT_FUZZ_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Report a broken promise and abort: a crash to the fuzzer. */
#define fuzz_fail(...) \
	do { \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} while (0)

/* data[0..size) as a NUL-terminated string, cut at its first NUL; new
 * (free), NULL when out of memory. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *s = malloc(len + 1);

	if (s) {
		memcpy(s, data, len);
		s[len] = '\0';
	}
	return s;
}

/* True when a and b print as the same compact JSON text.  The targets
 * compare JSON this way rather than with cJSON_Compare, which looks an
 * object's members up by name and so calls an object with a name given
 * twice (allowed outside the contract fields) different from itself. */
static inline int fuzz_same_json(const cJSON *a, const cJSON *b)
{
	char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);
	int same = !ta || !tb || strcmp(ta, tb) == 0; /* out of memory: no verdict */

	cJSON_free(ta);
	cJSON_free(tb);
	return same;
}

#endif
