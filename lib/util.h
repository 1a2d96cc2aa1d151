/* util.h -- small helpers used across libltcore (internal: lti_ prefix).
 *
 * Time stamps, identifiers, whole-file reading and UTF-8 checking: the
 * pieces several modules need and none owns.  Not installed; programs in
 * cmd/ may use it, other projects should not.
 */
#ifndef LT_UTIL_H
#define LT_UTIL_H

#include "lt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 3339 UTC with milliseconds, "2026-11-27T02:57:44.123Z": 24 chars + NUL. */
#define LTI_TIME_LEN 32

/* Format wall-clock time t (seconds since the epoch, fractional part kept
 * to the millisecond) into buf (LTI_TIME_LEN bytes). */
void lti_time_format(double t, char buf[LTI_TIME_LEN]);

/* The current wall-clock time as seconds since the epoch. */
double lti_time_now(void);

/* Parse an RFC 3339 time ("2026-11-27T02:57:44Z", optional fraction,
 * "Z" or a "+hh:mm"/"-hh:mm" offset) into seconds since the epoch.
 * Returns false and leaves *t unchanged when s is not such a time. */
bool lti_time_parse(const char *s, double *t);

/* Monotonic clock in nanoseconds, for measuring intervals. */
uint64_t lti_mono_ns(void);

/* A random UUID (version 4) as 36 lower-case characters + NUL. */
#define LTI_UUID_LEN 37
void lti_uuid(char buf[LTI_UUID_LEN]);

/* Read the whole file at path ("-" is stdin) into a NUL-terminated buffer.
 * *out is new (caller frees) on success, unchanged on failure.  Files
 * larger than max_bytes fail with LT_ELIMIT rather than filling memory. */
lt_rc lti_read_file(const char *path, size_t max_bytes, char **out,
		    size_t *len, struct lt_err *err);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
bool lti_utf8_valid(const char *s, size_t len);

/* Duplicate s (NULL gives NULL); new, or NULL when out of memory. */
char *lti_strdup(const char *s);

/* A growing NUL-terminated string.  Out of memory is sticky (oom) and
 * checked once at the end, which keeps formatting code free of error
 * paths.  s is owned by the struct's holder (free it). */
struct lti_sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

/* Append s[0..n). */
void lti_sbuf_add(struct lti_sbuf *b, const char *s, size_t n);

/* Find prog as execvp would: a name with a slash as it is, else the first
 * executable regular file of that name in $PATH (default
 * /usr/local/bin:/usr/bin:/bin), written to out[len].  0, or the errno
 * that exec would give (ENOENT, EACCES, EISDIR, ENAMETOOLONG...).  Done
 * by hand before posix_spawn because posix_spawnp reports a failed exec
 * only where vfork is real (not under valgrind, say). */
int lti_find_program(const char *prog, char *out, size_t len);

/* The lt-target program the http benchmark suite loads: $LT_TARGET, else
 * ../tests/lt-target next to the running program (a build tree), else
 * NULL.  new (free it). */
char *lti_find_target(void);

#endif
