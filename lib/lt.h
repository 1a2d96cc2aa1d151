/* lt.h -- what every libltcore module shares: result codes, error detail, version.
 *
 * Every libltcore call that can fail returns an lt_rc.  The values are
 * frozen: a code is never renumbered or reused, so scripts and programs
 * built against an older libltcore read them the same way.  The human
 * detail of a failure (which file, which line, which JSON path, why) goes
 * into a struct lt_err the caller passes in, in the spirit of
 * sqlite3_errmsg(): the code says what kind of failure, the message says
 * exactly where.
 *
 * The library never prints and never exits; only the programs in cmd/ talk
 * to people and choose exit statuses (lt_rc_exit_status() gives the
 * mapping every program shares).
 */
#ifndef LT_H
#define LT_H

#include <stddef.h>

#define LT_VERSION "0.1.0"

typedef enum {
	LT_OK = 0,
	LT_EINVAL = 1,     /* bad input: malformed, wrong type, out of range */
	LT_ENOMEM = 2,     /* an allocation failed */
	LT_EIO = 3,        /* reading or writing a file or stream failed */
	LT_EDB = 4,        /* the database is unusable (corrupt, locked, read-only) */
	LT_ENOTFOUND = 5,  /* the thing asked for does not exist */
	LT_EEXIST = 6,     /* the thing to create exists already */
	LT_ENET = 7,       /* a network operation failed */
	LT_ELIMIT = 8,     /* a size or count limit was exceeded */
	LT_EINTERNAL = 9,  /* a bug in lt: please report it */
	LT_EUSAGE = 10,    /* a call or command used wrongly */
	LT_EINTR = 11,     /* interrupted by a signal */
} lt_rc;

/* Error detail filled in by a failing call.  The caller owns the struct,
 * usually on its stack; msg is always NUL-terminated.  A zeroed struct is
 * ready to use. */
struct lt_err {
	lt_rc rc;
	char msg[1024];
};

/* A short constant description of rc ("bad input", ...).  Never NULL. */
const char *lt_strerror(lt_rc rc);

/* The detail message of err, or lt_strerror(err->rc) when none was set.
 * Borrowed: valid as long as err is. */
const char *lt_errmsg(const struct lt_err *err);

/* Set err (when not NULL) to rc and a printf-style message; returns rc so
 * a failing path can write `return lt_err_set(err, LT_EINVAL, "...")`. */
lt_rc lt_err_set(struct lt_err *err, lt_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Put "prefix: " in front of the message already in err (when not NULL);
 * used to add a file name or a line number as an error travels up. */
void lt_err_prefix(struct lt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit status the programs use for rc: 0 for LT_OK, 2 for bad input
 * or usage (LT_EINVAL, LT_ENOTFOUND, LT_EEXIST, LT_ELIMIT, LT_EUSAGE, and
 * LT_EDB: a corrupt, foreign, newer or locked database), 130 for
 * LT_EINTR, 3 for every other runtime failure (memory, I/O, network). */
int lt_rc_exit_status(lt_rc rc);

#endif
