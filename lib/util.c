/* util.c -- time stamps, identifiers, file reading, UTF-8 checks (util.h). */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

void lti_time_format(double t, char buf[LTI_TIME_LEN])
{
	time_t secs = (time_t)floor(t);
	int ms = (int)((t - (double)secs) * 1000.0 + 0.5);
	struct tm tm;

	if (ms >= 1000) {
		secs++;
		ms -= 1000;
	}
	gmtime_r(&secs, &tm);
	size_t n = strftime(buf, LTI_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, LTI_TIME_LEN - n, ".%03dZ", ms % 1000);
}

double lti_time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t lti_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

bool lti_time_parse(const char *s, double *t)
{
	const char *p = s;
	struct tm tm = {0};
	double frac = 0;
	int offset_s = 0, y, mo, d, h, mi, se;

	if (!s)
		return false;
	if ((y = digits(&p, 4)) < 0 || *p++ != '-' ||
	    (mo = digits(&p, 2)) < 1 || mo > 12 || *p++ != '-' ||
	    (d = digits(&p, 2)) < 1 || d > 31 || (*p != 'T' && *p != 't' && *p != ' '))
		return false;
	p++;
	if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' ||
	    (mi = digits(&p, 2)) < 0 || mi > 59 || *p++ != ':' ||
	    (se = digits(&p, 2)) < 0 || se > 60)
		return false;
	if (*p == '.') {
		double scale = 0.1;
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			frac += (*p++ - '0') * scale;
			scale /= 10;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if ((oh = digits(&p, 2)) < 0 || oh > 23 || *p++ != ':' ||
		    (om = digits(&p, 2)) < 0 || om > 59)
			return false;
		offset_s = sign * (oh * 3600 + om * 60);
	} else {
		return false;
	}
	if (*p)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	time_t secs = timegm(&tm);
	struct tm back;
	/* timegm rolls 2026-02-30 into March: refuse days that do not exist. */
	if (!gmtime_r(&secs, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
		return false;
	*t = (double)secs - offset_s + frac;
	return true;
}

void lti_uuid(char buf[LTI_UUID_LEN])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* No entropy source at all: fall back to time and
			 * address bits rather than fail; ids only need to be
			 * unique, not secret. */
			uint64_t x = lti_mono_ns() ^ (uint64_t)(uintptr_t)buf;
			for (; got < sizeof b; got++, x = x * 6364136223846793005u + 1)
				b[got] = (unsigned char)(x >> 56);
			break;
		}
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(buf, LTI_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

lt_rc lti_read_file(const char *path, size_t max_bytes, char **out,
		    size_t *len, struct lt_err *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	const char *name = f == stdin ? "<stdin>" : path;
	size_t cap = 4096, used = 0;
	char *buf = NULL;
	lt_rc rc;

	if (!f)
		return lt_err_set(err, errno == ENOENT ? LT_ENOTFOUND : LT_EIO,
				  "%s: %s", path, strerror(errno));
	if (!(buf = malloc(cap))) {
		rc = lt_err_set(err, LT_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	for (;;) {
		size_t n = fread(buf + used, 1, cap - used - 1, f);
		used += n;
		if (used > max_bytes) {
			rc = lt_err_set(err, LT_ELIMIT, "%s: larger than %zu bytes",
					name, max_bytes);
			goto fail;
		}
		if (n == 0) {
			if (ferror(f)) {
				rc = lt_err_set(err, LT_EIO, "%s: read error: %s",
						name, strerror(errno));
				goto fail;
			}
			break;
		}
		if (used + 1 == cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				rc = lt_err_set(err, LT_ENOMEM, "%s: out of memory", name);
				goto fail;
			}
			buf = grown;
			cap *= 2;
		}
	}
	buf[used] = '\0';
	if (f != stdin)
		fclose(f);
	*out = buf;
	if (len)
		*len = used;
	return LT_OK;
fail:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

bool lti_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		int n;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + (size_t)n >= len)
			return false;
		for (int k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += (size_t)n + 1;
	}
	return true;
}

char *lti_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int lti_find_program(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p;
	struct stat st;

	if (strchr(prog, '/')) {
		if (stat(prog, &st) != 0 || access(prog, X_OK) != 0)
			return errno;
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		if ((size_t)snprintf(out, len, "%s", prog) >= len)
			return ENAMETOOLONG;
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p += strcspn(p, ":") + 1) {
		size_t n = strcspn(p, ":");
		if ((size_t)snprintf(out, len, "%.*s/%s", (int)n, n ? p : ".", prog) < len &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
		if (!p[n])
			break;
	}
	return ENOENT;
}

void lti_sbuf_add(struct lti_sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

char *lti_find_target(void)
{
	const char *env = getenv("LT_TARGET");
	char self[PATH_MAX], *slash, *path;
	ssize_t n;

	if (env && *env)
		return lti_strdup(env);
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		return NULL;
	self[n] = 0;
	if (!(slash = strrchr(self, '/')))
		return NULL;
	*slash = 0;
	if (!(path = malloc(strlen(self) + sizeof "/../tests/lt-target")))
		return NULL;
	sprintf(path, "%s/../tests/lt-target", self);
	if (access(path, X_OK) != 0) {
		free(path);
		return NULL;
	}
	return path;
}
