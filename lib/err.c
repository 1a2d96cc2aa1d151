/* err.c -- result codes and error detail shared by every module (see lt.h). */
#include "lt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *lt_strerror(lt_rc rc)
{
	/* No default: the compiler names any code left out here. */
	switch (rc) {
	case LT_OK: return "success";
	case LT_EINVAL: return "bad input";
	case LT_ENOMEM: return "out of memory";
	case LT_EIO: return "input/output error";
	case LT_EDB: return "database error";
	case LT_ENOTFOUND: return "not found";
	case LT_EEXIST: return "already exists";
	case LT_ENET: return "network error";
	case LT_ELIMIT: return "limit exceeded";
	case LT_EINTERNAL: return "internal error";
	case LT_EUSAGE: return "bad usage";
	case LT_EINTR: return "interrupted";
	}
	return "unknown error";
}

const char *lt_errmsg(const struct lt_err *err)
{
	if (!err)
		return "unknown error";
	if (err->msg[0])
		return err->msg;
	return lt_strerror(err->rc);
}

lt_rc lt_err_set(struct lt_err *err, lt_rc rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->rc = rc;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void lt_err_prefix(struct lt_err *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof err->msg];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%s: %s", prefix,
		 old[0] ? old : lt_strerror(err->rc));
}

int lt_rc_exit_status(lt_rc rc)
{
	switch (rc) {
	case LT_OK:
		return 0;
	/* A database that is corrupt, not lt's, from a newer lt or locked
	 * past the busy timeout is input the user can fix, like a bad file:
	 * status 2, as lt's bad-input promise says (DESIGN.md had 3). */
	case LT_EINVAL: case LT_ENOTFOUND: case LT_EEXIST: case LT_ELIMIT:
	case LT_EUSAGE: case LT_EDB:
		return 2;
	case LT_EINTR:
		return 130;
	case LT_ENOMEM: case LT_EIO: case LT_ENET:
	case LT_EINTERNAL:
		return 3;
	}
	return 3;
}
