/* scenario.c -- load and validate scenario files (scenario.h, lt-scenario(5)).
 *
 * Loading runs in stages, each refusing what the next cannot handle:
 * size limit, UTF-8, a JSON syntax check of our own (cJSON reports only a
 * position, often one past the real mistake, so we check the grammar
 * ourselves to say "expected ',' or '}'" at the right line and column),
 * then cJSON builds the tree and a schema walk turns it into structs.
 *
 * Everything a set holds lives in one arena that is freed at once, so a
 * failure anywhere in the walk just drops the half-built set: no per-field
 * cleanup paths to get wrong.  The few objects with their own destructors
 * (compiled regexes, cJSON values for "equals") are registered on a
 * cleanup list as soon as they exist.
 */
#include "scenario.h"
#include "util.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define TRY(expr)                                   \
	do {                                        \
		lt_rc try_rc_ = (expr);             \
		if (try_rc_ != LT_OK)               \
			return try_rc_;             \
	} while (0)

/* ------------------------------------------------------------------ */
/* Arena and cleanup list                                              */

/* 16 KiB holds a typical scenario in one or two blocks; bigger pieces
 * (file bodies) get a block of their own. */
#define ARENA_BLOCK 16384

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct cleanup {
	void (*fn)(void *);
	void *ptr;
};

struct lt_scenario_set {
	struct arena_block *blocks;
	struct cleanup *cleanups;
	size_t n_cleanups, cap_cleanups;
	struct lt_scenario *scenarios;
	size_t n_scenarios;
};

/* Zeroed memory that lives as long as set; NULL when out of memory. */
static void *arena_alloc(struct lt_scenario_set *set, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct arena_block *b = set->blocks;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) / align * align;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		struct arena_block *nb = calloc(1, sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->cap = cap;
		if (b && cap > ARENA_BLOCK) {
			/* Behind the current block, whose free room stays in use. */
			nb->next = b->next;
			b->next = nb;
			nb->used = n;
			return nb->data;
		}
		nb->next = b;
		set->blocks = b = nb;
	}
	p = (unsigned char *)b->data + b->used;
	b->used += n;
	return p;
}

static void *arena_array(struct lt_scenario_set *set, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / 2 / size)
		return NULL;
	return arena_alloc(set, count * size);
}

static char *arena_strndup(struct lt_scenario_set *set, const char *s, size_t n)
{
	char *p = arena_alloc(set, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *arena_strdup(struct lt_scenario_set *set, const char *s)
{
	return arena_strndup(set, s, strlen(s));
}

/* Register fn(ptr) to run when set is freed.  On false (out of memory)
 * nothing was registered and the caller still owns ptr. */
static bool defer(struct lt_scenario_set *set, void (*fn)(void *), void *ptr)
{
	if (set->n_cleanups == set->cap_cleanups) {
		size_t cap = set->cap_cleanups ? set->cap_cleanups * 2 : 8;
		struct cleanup *grown = realloc(set->cleanups, cap * sizeof *grown);
		if (!grown)
			return false;
		set->cleanups = grown;
		set->cap_cleanups = cap;
	}
	set->cleanups[set->n_cleanups].fn = fn;
	set->cleanups[set->n_cleanups].ptr = ptr;
	set->n_cleanups++;
	return true;
}

static void free_regex(void *p)
{
	regfree(p);
}

static void free_json(void *p)
{
	cJSON_Delete(p);
}

void lt_scenario_set_free(struct lt_scenario_set *set)
{
	if (!set)
		return;
	while (set->n_cleanups > 0) {
		struct cleanup *cl = &set->cleanups[--set->n_cleanups];
		cl->fn(cl->ptr);
	}
	free(set->cleanups);
	while (set->blocks) {
		struct arena_block *next = set->blocks->next;
		free(set->blocks);
		set->blocks = next;
	}
	free(set);
}

size_t lt_scenario_set_count(const struct lt_scenario_set *set)
{
	return set ? set->n_scenarios : 0;
}

struct lt_scenario *lt_scenario_set_get(struct lt_scenario_set *set, size_t i)
{
	if (!set || i >= set->n_scenarios)
		return NULL;
	return &set->scenarios[i];
}

struct lt_scenario *lt_scenario_set_find(struct lt_scenario_set *set, const char *id)
{
	if (!set || !id)
		return NULL;
	for (size_t i = 0; i < set->n_scenarios; i++)
		if (strcmp(set->scenarios[i].id, id) == 0)
			return &set->scenarios[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Bounded string building for messages                                */

struct sbuf {
	char *p;
	size_t cap, len;
};

static void sb_init(struct sbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	p[0] = '\0';
}

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && b->len + 1 < b->cap; i++)
		b->p[b->len++] = s[i];
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t utf8_seq_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* s as a JSON string literal, cut after max_chars characters ("abc...")
 * so one long value cannot crowd the rest out of a message. */
static void sb_quote(struct sbuf *b, const char *s, size_t max_chars)
{
	size_t chars = 0;

	sb_putn(b, "\"", 1);
	while (*s) {
		unsigned char ch = (unsigned char)*s;
		size_t n = utf8_seq_len(ch);
		if (chars++ == max_chars) {
			sb_puts(b, "...");
			break;
		}
		if (ch == '"' || ch == '\\') {
			sb_putn(b, "\\", 1);
			sb_putn(b, s, 1);
		} else if (ch == '\n') {
			sb_puts(b, "\\n");
		} else if (ch == '\t') {
			sb_puts(b, "\\t");
		} else if (ch == '\r') {
			sb_puts(b, "\\r");
		} else if (ch < 0x20 || ch == 0x7f) {
			sb_printf(b, "\\u%04x", ch);
		} else {
			size_t k = 0;
			while (k < n && s[k])
				k++;
			sb_putn(b, s, k);
			s += k;
			continue;
		}
		s++;
	}
	sb_putn(b, "\"", 1);
}

/* The shortest of %.15g/%.17g that reads back as x: "0.1", not
 * "0.10000000000000001". */
static void fmt_num(double x, char *buf, size_t n)
{
	if (!isfinite(x)) {
		snprintf(buf, n, "an out-of-range number");
		return;
	}
	snprintf(buf, n, "%.15g", x);
	if (strtod(buf, NULL) != x)
		snprintf(buf, n, "%.17g", x);
}

/* How a value is shown after "got": the value itself when it is short,
 * its kind when it is a container. */
static const char *describe(const cJSON *v, char *buf, size_t n)
{
	struct sbuf b;

	sb_init(&b, buf, n);
	if (!v)
		sb_puts(&b, "nothing");
	else if (cJSON_IsString(v))
		sb_quote(&b, v->valuestring, 40);
	else if (cJSON_IsNumber(v))
		fmt_num(v->valuedouble, buf, n);
	else if (cJSON_IsTrue(v))
		sb_puts(&b, "true");
	else if (cJSON_IsFalse(v))
		sb_puts(&b, "false");
	else if (cJSON_IsNull(v))
		sb_puts(&b, "null");
	else if (cJSON_IsArray(v))
		sb_puts(&b, "an array");
	else
		sb_puts(&b, "an object");
	return buf;
}

/* ------------------------------------------------------------------ */
/* Input checks before the tree is built: UTF-8 and JSON syntax         */

static void line_col(const char *s, size_t pos, unsigned long *line, unsigned long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			/* Columns count characters, as editors show them. */
			(*col)++;
		}
	}
}

/* Offset of the first byte that is not part of well-formed UTF-8, by the
 * rules of lti_utf8_valid applied one sequence at a time. */
static size_t utf8_bad_offset(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_seq_len((unsigned char)s[i]);
		if (n > len - i || !lti_utf8_valid(s + i, n))
			return i;
		i += n;
	}
	return len;
}

struct syntax {
	const char *s;
	size_t len, pos;
	char why[192];
};

static bool syn_fail(struct syntax *y, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool syn_fail(struct syntax *y, size_t pos, const char *fmt, ...)
{
	va_list ap;
	y->pos = pos;
	va_start(ap, fmt);
	vsnprintf(y->why, sizeof y->why, fmt, ap);
	va_end(ap);
	return false;
}

/* What stands at pos, for "got ...": a word ('tru'), a character ('}'),
 * a code point for control characters. */
static const char *syn_got(const struct syntax *y, size_t pos, char *buf, size_t n)
{
	unsigned char ch = (unsigned char)y->s[pos];
	struct sbuf b;

	sb_init(&b, buf, n);
	if (isalpha(ch)) {
		size_t end = pos;
		while (end < y->len && end - pos < 24 &&
		       (isalnum((unsigned char)y->s[end]) || y->s[end] == '_'))
			end++;
		sb_putn(&b, "'", 1);
		sb_putn(&b, y->s + pos, end - pos);
		sb_putn(&b, "'", 1);
	} else if (ch < 0x20 || ch == 0x7f) {
		sb_printf(&b, "U+%04X", ch);
	} else {
		size_t k = utf8_seq_len(ch);
		if (k > y->len - pos)
			k = 1;
		sb_putn(&b, "'", 1);
		sb_putn(&b, y->s + pos, k);
		sb_putn(&b, "'", 1);
	}
	return buf;
}

static bool syn_expected(struct syntax *y, const char *what)
{
	char got[64];
	if (y->pos >= y->len)
		return syn_fail(y, y->len, "unexpected end of input");
	return syn_fail(y, y->pos, "expected %s, got %s", what, syn_got(y, y->pos, got, sizeof got));
}

static void syn_ws(struct syntax *y)
{
	while (y->pos < y->len && (y->s[y->pos] == ' ' || y->s[y->pos] == '\t' ||
				   y->s[y->pos] == '\n' || y->s[y->pos] == '\r'))
		y->pos++;
}

static bool syn_peek(const struct syntax *y, char ch)
{
	return y->pos < y->len && y->s[y->pos] == ch;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
		      : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
		      : s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static bool syn_string(struct syntax *y)
{
	size_t start = y->pos++;

	for (;;) {
		unsigned char ch;
		if (y->pos >= y->len)
			return syn_fail(y, start, "unterminated string (the input ends before its closing quote)");
		ch = (unsigned char)y->s[y->pos];
		if (ch == '"') {
			y->pos++;
			return true;
		}
		if (ch == '\n' || ch == '\r')
			return syn_fail(y, y->pos, "line break in a string (missing closing quote?)");
		if (ch < 0x20)
			return syn_fail(y, y->pos, "control character U+%04X in a string (escape it)", ch);
		if (ch != '\\') {
			y->pos++;
			continue;
		}
		if (y->pos + 1 >= y->len)
			return syn_fail(y, start, "unterminated string (the input ends before its closing quote)");
		ch = (unsigned char)y->s[y->pos + 1];
		if (strchr("\"\\/bfnrt", ch) && ch) {
			y->pos += 2;
			continue;
		}
		if (ch != 'u') {
			if (ch > 0x20 && ch < 0x7f)
				return syn_fail(y, y->pos, "bad escape '\\%c' in a string", ch);
			return syn_fail(y, y->pos, "bad escape in a string");
		}
		int cp = y->len - y->pos >= 6 ? hex4(y->s + y->pos + 2) : -1;
		if (cp < 0)
			return syn_fail(y, y->pos, "bad \\u escape (needs four hex digits)");
		if (cp == 0)
			return syn_fail(y, y->pos, "\\u0000 is not allowed in strings");
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return syn_fail(y, y->pos, "unpaired surrogate \\u%04X", (unsigned)cp);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			int lo = y->len - y->pos >= 12 && y->s[y->pos + 6] == '\\' &&
				 y->s[y->pos + 7] == 'u' ? hex4(y->s + y->pos + 8) : -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				return syn_fail(y, y->pos, "unpaired surrogate \\u%04X", (unsigned)cp);
			y->pos += 6;
		}
		y->pos += 6;
	}
}

static bool syn_digits(struct syntax *y)
{
	size_t start = y->pos;
	while (y->pos < y->len && isdigit((unsigned char)y->s[y->pos]))
		y->pos++;
	return y->pos > start;
}

static bool syn_number(struct syntax *y)
{
	size_t start = y->pos;

	if (syn_peek(y, '-'))
		y->pos++;
	if (syn_peek(y, '0')) {
		y->pos++;
		if (y->pos < y->len && isdigit((unsigned char)y->s[y->pos]))
			return syn_fail(y, start, "bad number: leading zeros are not allowed");
	} else if (!syn_digits(y)) {
		return syn_fail(y, start, "bad number: expected a digit after '-'");
	}
	if (syn_peek(y, '.')) {
		y->pos++;
		if (!syn_digits(y))
			return syn_fail(y, start, "bad number: expected a digit after '.'");
	}
	if (syn_peek(y, 'e') || syn_peek(y, 'E')) {
		y->pos++;
		if (syn_peek(y, '+') || syn_peek(y, '-'))
			y->pos++;
		if (!syn_digits(y))
			return syn_fail(y, start, "bad number: expected a digit in the exponent");
	}
	return true;
}

static bool syn_value(struct syntax *y, int depth);

static bool syn_object(struct syntax *y, int depth)
{
	bool after_comma = false;

	y->pos++;
	syn_ws(y);
	if (syn_peek(y, '}')) {
		y->pos++;
		return true;
	}
	for (;;) {
		syn_ws(y);
		if (!syn_peek(y, '"')) {
			if (after_comma && syn_peek(y, '}'))
				return syn_fail(y, y->pos, "trailing comma before '}'");
			return syn_expected(y, after_comma ? "a string key" : "a string key or '}'");
		}
		if (!syn_string(y))
			return false;
		syn_ws(y);
		if (!syn_peek(y, ':'))
			return syn_expected(y, "':' after the key");
		y->pos++;
		if (!syn_value(y, depth + 1))
			return false;
		syn_ws(y);
		if (syn_peek(y, '}')) {
			y->pos++;
			return true;
		}
		if (!syn_peek(y, ','))
			return syn_expected(y, "',' or '}'");
		y->pos++;
		after_comma = true;
	}
}

static bool syn_array(struct syntax *y, int depth)
{
	y->pos++;
	syn_ws(y);
	if (syn_peek(y, ']')) {
		y->pos++;
		return true;
	}
	for (;;) {
		syn_ws(y);
		if (!syn_value(y, depth + 1))
			return false;
		syn_ws(y);
		if (syn_peek(y, ']')) {
			y->pos++;
			return true;
		}
		if (!syn_peek(y, ','))
			return syn_expected(y, "',' or ']'");
		y->pos++;
		syn_ws(y);
		if (syn_peek(y, ']'))
			return syn_fail(y, y->pos, "trailing comma before ']'");
	}
}

static bool syn_literal(struct syntax *y, const char *word)
{
	size_t n = strlen(word);
	if (y->len - y->pos >= n && memcmp(y->s + y->pos, word, n) == 0 &&
	    (y->pos + n == y->len || !isalnum((unsigned char)y->s[y->pos + n]))) {
		y->pos += n;
		return true;
	}
	return syn_expected(y, "a value");
}

static bool syn_value(struct syntax *y, int depth)
{
	syn_ws(y);
	if (y->pos >= y->len)
		return syn_expected(y, "a value");
	switch (y->s[y->pos]) {
	case '{':
	case '[':
		/* Deep nesting has no use in a scenario, and the walk and
		 * cJSON both recurse: stop early with a clear reason. */
		if (depth > LT_SCENARIO_MAX_DEPTH)
			return syn_fail(y, y->pos, "nested deeper than %d levels",
					LT_SCENARIO_MAX_DEPTH);
		return y->s[y->pos] == '{' ? syn_object(y, depth) : syn_array(y, depth);
	case '"':
		return syn_string(y);
	case 't':
		return syn_literal(y, "true");
	case 'f':
		return syn_literal(y, "false");
	case 'n':
		return syn_literal(y, "null");
	default:
		if (y->s[y->pos] == '-' || isdigit((unsigned char)y->s[y->pos]))
			return syn_number(y);
		return syn_expected(y, "a value");
	}
}

/* The whole of s[0..len) is one JSON value with optional white space. */
static bool syn_document(struct syntax *y)
{
	if (!syn_value(y, 1))
		return false;
	syn_ws(y);
	if (y->pos < y->len)
		return syn_expected(y, "the end of input after the JSON value");
	return true;
}

/* ------------------------------------------------------------------ */
/* The schema walk: context, paths and messages                         */

struct ctx {
	struct lt_scenario_set *set;
	const char *name;     /* for messages */
	const char *base_dir;
	struct lt_err *err;
	const char *note;     /* appended to cross-field reasons */
	char path[512];
	size_t path_len;
};

static bool plain_key(const char *key)
{
	if (!*key)
		return false;
	for (const char *p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* Append ".key" (or ["key"] when key has characters a path cannot show
 * bare) to the path; returns the mark to restore with path_pop(). */
static size_t path_push_key(struct ctx *c, const char *key)
{
	size_t mark = c->path_len;
	struct sbuf b = {c->path, sizeof c->path, c->path_len};

	if (plain_key(key) && strlen(key) <= 64) {
		if (b.len > 0)
			sb_putn(&b, ".", 1);
		sb_puts(&b, key);
	} else {
		sb_putn(&b, "[", 1);
		sb_quote(&b, key, 40);
		sb_putn(&b, "]", 1);
	}
	c->path_len = b.len;
	return mark;
}

static size_t path_push_index(struct ctx *c, size_t i)
{
	size_t mark = c->path_len;
	struct sbuf b = {c->path, sizeof c->path, c->path_len};
	sb_printf(&b, "[%zu]", i);
	c->path_len = b.len;
	return mark;
}

static void path_pop(struct ctx *c, size_t mark)
{
	c->path_len = mark;
	c->path[mark] = '\0';
}

static lt_rc fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static lt_rc fail(struct ctx *c, const char *fmt, ...)
{
	char why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (c->path_len > 0)
		return lt_err_set(c->err, LT_EINVAL, "%s: %s: %s", c->name, c->path, why);
	return lt_err_set(c->err, LT_EINVAL, "%s: %s", c->name, why);
}

static lt_rc fail_oom(struct ctx *c)
{
	return lt_err_set(c->err, LT_ENOMEM, "%s: out of memory", c->name);
}

static lt_rc fail_type(struct ctx *c, const cJSON *v, const char *expected)
{
	char got[128];
	return fail(c, "expected %s, got %s", expected, describe(v, got, sizeof got));
}

static lt_rc fail_missing(struct ctx *c, const char *key, const char *hint)
{
	size_t mark = path_push_key(c, key);
	lt_rc rc = fail(c, "required field is missing%s", hint);
	path_pop(c, mark);
	return rc;
}

static const cJSON *field(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Edit distance, for "did you mean"; keys are short, so the O(n*m) table
 * on the stack is fine, and longer strings are simply not compared. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) ==
				      tolower((unsigned char)b[j - 1]) ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* v is an object whose keys are all in known (NULL-terminated), each at
 * most once.  Checked before any field is read, so a misspelt field is
 * reported as such rather than as the missing field it was meant to be. */
static lt_rc check_object(struct ctx *c, const cJSON *v, const char *const *known)
{
	if (!cJSON_IsObject(v))
		return fail_type(c, v, "an object");
	for (const cJSON *m = v->child; m; m = m->next) {
		const char *const *k = known;
		while (*k && strcmp(*k, m->string) != 0)
			k++;
		if (!*k) {
			const char *best = NULL;
			size_t best_d = 3;
			for (k = known; *k; k++) {
				size_t d = edit_distance(*k, m->string);
				if (d < best_d) {
					best_d = d;
					best = *k;
				}
			}
			path_push_key(c, m->string);
			if (best)
				return fail(c, "unknown field, did you mean \"%s\"?", best);
			return fail(c, "unknown field");
		}
		/* Earlier members all had known keys, so this loop is short. */
		for (const cJSON *p = v->child; p != m; p = p->next)
			if (strcmp(p->string, m->string) == 0) {
				path_push_key(c, m->string);
				return fail(c, "duplicate field");
			}
	}
	return LT_OK;
}

/* ------------------------------------------------------------------ */
/* Typed fields                                                         */

static lt_rc get_string(struct ctx *c, const cJSON *obj, const char *key, bool required,
			const char **out)
{
	const cJSON *v = field(obj, key);
	size_t mark;

	if (!v)
		return required ? fail_missing(c, key, "") : LT_OK;
	mark = path_push_key(c, key);
	if (!cJSON_IsString(v))
		return fail_type(c, v, "a string");
	if (!v->valuestring[0])
		return fail(c, "must not be empty");
	if (!(*out = arena_strdup(c->set, v->valuestring)))
		return fail_oom(c);
	path_pop(c, mark);
	return LT_OK;
}

static lt_rc get_bool(struct ctx *c, const cJSON *obj, const char *key, bool *out)
{
	const cJSON *v = field(obj, key);
	size_t mark;

	if (!v)
		return LT_OK;
	mark = path_push_key(c, key);
	if (!cJSON_IsBool(v))
		return fail_type(c, v, "true or false");
	*out = cJSON_IsTrue(v);
	path_pop(c, mark);
	return LT_OK;
}

/* An integer in [lo, hi] at the current path. */
static lt_rc int_value(struct ctx *c, const cJSON *v, long lo, long hi, int *out)
{
	char got[64];
	double x;

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble != floor(v->valuedouble))
		return fail_type(c, v, "an integer");
	x = v->valuedouble;
	if (x < (double)lo) {
		if (lo == 1)
			return fail(c, "must be > 0, got %s", describe(v, got, sizeof got));
		return fail(c, "must be >= %ld, got %s", lo, describe(v, got, sizeof got));
	}
	if (x > (double)hi)
		return fail(c, "must be at most %ld, got %s", hi, describe(v, got, sizeof got));
	*out = (int)x;
	return LT_OK;
}

static lt_rc get_int(struct ctx *c, const cJSON *obj, const char *key, bool required,
		     long lo, long hi, int *out)
{
	const cJSON *v = field(obj, key);
	size_t mark;

	if (!v)
		return required ? fail_missing(c, key, "") : LT_OK;
	mark = path_push_key(c, key);
	TRY(int_value(c, v, lo, hi, out));
	path_pop(c, mark);
	return LT_OK;
}

enum bound { GE0, GT0 };

/* A number >= 0 (GE0) or > 0 (GT0), at most hi. */
static lt_rc number_value(struct ctx *c, const cJSON *v, enum bound lo, double hi, double *out)
{
	char got[64], max[32];

	if (!cJSON_IsNumber(v))
		return fail_type(c, v, "a number");
	describe(v, got, sizeof got);
	if (v->valuedouble < 0 || (lo == GT0 && v->valuedouble == 0))
		return fail(c, "must be %s 0, got %s", lo == GT0 ? ">" : ">=", got);
	if (!isfinite(v->valuedouble) || v->valuedouble > hi) {
		fmt_num(hi, max, sizeof max);
		return fail(c, "must be at most %s, got %s", max, got);
	}
	*out = v->valuedouble;
	return LT_OK;
}

static lt_rc get_number(struct ctx *c, const cJSON *obj, const char *key, bool required,
			enum bound lo, double hi, double *out)
{
	const cJSON *v = field(obj, key);
	size_t mark;

	if (!v)
		return required ? fail_missing(c, key, "") : LT_OK;
	mark = path_push_key(c, key);
	TRY(number_value(c, v, lo, hi, out));
	path_pop(c, mark);
	return LT_OK;
}

/* Parse "500ms", "1.5s", "5m", "1h" or a sequence of them ("1m30s") into
 * *out, counted in units of 1/per_second s (1: seconds, 1000: ms).  A
 * leading '-' is accepted so that "-5s" is reported as negative rather
 * than as malformed.  False when s has any other form; a bare number in a
 * string is refused because its unit would be a guess. */
static bool parse_duration_text(const char *s, double per_second, double *out)
{
	const char *p = s;
	double total = 0;
	bool negative = false;

	if (*p == '-') {
		negative = true;
		p++;
	}
	if (!*p)
		return false;
	while (*p) {
		char num[32];
		size_t n = 0;
		double unit_s;

		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)p[n]) || p[n] == '.')
			n++;
		if (n >= sizeof num || p[n - 1] == '.' || memchr(p, '.', n) != memrchr(p, '.', n))
			return false;
		memcpy(num, p, n);
		num[n] = '\0';
		p += n;
		if (p[0] == 'm' && p[1] == 's') {
			unit_s = 0.001;
			p += 2;
		} else if (*p == 's') {
			unit_s = 1;
			p++;
		} else if (*p == 'm') {
			unit_s = 60;
			p++;
		} else if (*p == 'h') {
			unit_s = 3600;
			p++;
		} else {
			return false;
		}
		total += strtod(num, NULL) * unit_s;
	}
	*out = (negative ? -total : total) * per_second;
	return true;
}

bool lt_scenario_duration_parse(const char *s, double *seconds)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	/* A bare number on the command line is seconds, as in the file. */
	v = strtod(s, &end);
	if (end != s && !*end && isdigit((unsigned char)s[0]) && isfinite(v)) {
		*seconds = v;
		return true;
	}
	return isdigit((unsigned char)s[0]) && parse_duration_text(s, 1, seconds);
}

enum unit { UNIT_S, UNIT_MS };

/* A duration at the current path: a number in unit, or a string with its
 * own unit; negative never, zero only when allow_zero. */
static lt_rc duration_value(struct ctx *c, const cJSON *v, enum unit unit, bool allow_zero,
			    double *out)
{
	double per_second = unit == UNIT_MS ? 1000.0 : 1.0, x;
	const char *expected = unit == UNIT_MS
		? "a number of milliseconds or a duration such as \"500ms\""
		: "a number of seconds or a duration such as \"30s\"";
	char got[128];

	if (cJSON_IsNumber(v))
		x = v->valuedouble;
	else if (!cJSON_IsString(v) || !parse_duration_text(v->valuestring, per_second, &x))
		return fail_type(c, v, expected);
	describe(v, got, sizeof got);
	if (x < 0)
		return fail(c, "must be >= 0, got %s", got);
	if (x == 0 && !allow_zero)
		return fail(c, "must be > 0, got %s", got);
	if (!isfinite(x) || x > LT_SCENARIO_MAX_DURATION_S * per_second)
		return fail(c, "must be at most 30 days, got %s", got);
	*out = x;
	return LT_OK;
}

static lt_rc get_duration(struct ctx *c, const cJSON *obj, const char *key, bool required,
			  enum unit unit, bool allow_zero, double *out)
{
	const cJSON *v = field(obj, key);
	size_t mark;

	if (!v)
		return required ? fail_missing(c, key, "") : LT_OK;
	mark = path_push_key(c, key);
	TRY(duration_value(c, v, unit, allow_zero, out));
	path_pop(c, mark);
	return LT_OK;
}

/* One of names (NULL-terminated); *out is its index. */
static lt_rc get_enum(struct ctx *c, const cJSON *obj, const char *key,
		      const char *const *names, int *out)
{
	const cJSON *v = field(obj, key);
	char list[256], got[128];
	struct sbuf b;
	size_t mark;

	if (!v)
		return LT_OK;
	mark = path_push_key(c, key);
	if (cJSON_IsString(v))
		for (int i = 0; names[i]; i++)
			if (strcmp(names[i], v->valuestring) == 0) {
				*out = i;
				path_pop(c, mark);
				return LT_OK;
			}
	sb_init(&b, list, sizeof list);
	for (int i = 0; names[i]; i++)
		sb_printf(&b, "%s%s", i ? ", " : "", names[i]);
	return fail(c, "expected one of %s, got %s", list, describe(v, got, sizeof got));
}

/* ------------------------------------------------------------------ */
/* Names and tables shared by parsing, to_json and the threshold parser */

static const char *const method_names[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL,
};
static const char *const strategy_names[] = {"linear", "exponential", "step", NULL};
static const char *const distribution_names[] = {"uniform", "normal", "exponential", NULL};
static const char *const version_names[] = {"1.1", "2", NULL};
static const char *const op_names[] = {"<", "<=", ">", ">=", NULL};

const char *lt_scenario_method_name(lt_http_method method)
{
	if ((unsigned)method < sizeof method_names / sizeof *method_names - 1)
		return method_names[method];
	return "GET";
}

const char *lt_scenario_op_name(lt_threshold_op op)
{
	if ((unsigned)op < 4)
		return op_names[op];
	return "<";
}

enum metric_kind { METRIC_LATENCY, METRIC_PERCENT, METRIC_RATE };

static const struct metric {
	const char *name;
	const char *short_name;
	enum metric_kind kind;
} metrics[] = {
	{"responseTime.min", "min", METRIC_LATENCY},
	{"responseTime.mean", "mean", METRIC_LATENCY},
	{"responseTime.p50", "p50", METRIC_LATENCY},
	{"responseTime.p90", "p90", METRIC_LATENCY},
	{"responseTime.p95", "p95", METRIC_LATENCY},
	{"responseTime.p99", "p99", METRIC_LATENCY},
	{"responseTime.max", "max", METRIC_LATENCY},
	{"errorRate", "errorRate", METRIC_PERCENT},
	{"throughput.avg", "throughput", METRIC_RATE},
	{"throughput.peak", NULL, METRIC_RATE},
};
#define N_METRICS (sizeof metrics / sizeof *metrics)

static const struct metric *metric_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_METRICS; i++) {
		const char *s = metrics[i].short_name;
		if ((strlen(metrics[i].name) == len && memcmp(metrics[i].name, name, len) == 0) ||
		    (s && strlen(s) == len && memcmp(s, name, len) == 0))
			return &metrics[i];
	}
	return NULL;
}

/* Whether limit suits metric m; why says what is wrong. */
static bool threshold_limit_ok(const struct metric *m, double limit, char *why, size_t n)
{
	char got[32];

	fmt_num(limit, got, sizeof got);
	if (!isfinite(limit) || limit < 0) {
		snprintf(why, n, "must be >= 0, got %s", got);
		return false;
	}
	if (m->kind == METRIC_PERCENT && limit > 100) {
		snprintf(why, n, "must be at most 100 (errorRate is a percentage), got %s", got);
		return false;
	}
	if (m->kind == METRIC_LATENCY && limit > LT_SCENARIO_MAX_DURATION_S * 1000) {
		snprintf(why, n, "must be at most 30 days, got %s", got);
		return false;
	}
	return true;
}

/* The limit text of a threshold expression for metric m: milliseconds
 * or a duration for latencies, an optional '%' for errorRate, an optional
 * "/s" for throughput. */
static bool threshold_limit_parse(const struct metric *m, const char *s, double *out)
{
	char *end;
	double x;

	if (!*s)
		return false;
	if (m->kind == METRIC_LATENCY && parse_duration_text(s, 1000, out))
		return true;
	/* strtod would also read "0x1p4" and "inf"; a limit is decimal. */
	if ((!isdigit((unsigned char)*s) && *s != '.' && *s != '-') || strpbrk(s, "xXpP"))
		return false;
	errno = 0;
	x = strtod(s, &end);
	if (end == s || errno == ERANGE)
		return false;
	if ((m->kind == METRIC_PERCENT && strcmp(end, "%") == 0) ||
	    (m->kind == METRIC_RATE && strcmp(end, "/s") == 0))
		end += strlen(end);
	if (*end)
		return false;
	*out = x;
	return true;
}

/* Parse expr into *out; on failure why holds the reason. */
static bool threshold_expr(const char *expr, struct lt_threshold *out, char *why, size_t n)
{
	const char *p = expr, *name;
	const struct metric *m;
	struct lt_threshold t;
	char limit[64], reason[128];
	size_t name_len, k;

	while (isspace((unsigned char)*p))
		p++;
	name = p;
	while (isalnum((unsigned char)*p) || *p == '.' || *p == '_')
		p++;
	name_len = (size_t)(p - name);
	if (name_len == 0) {
		snprintf(why, n, "expected a metric name such as p95, errorRate or throughput");
		return false;
	}
	if (!(m = metric_find(name, name_len))) {
		snprintf(why, n, "unknown metric \"%.*s\" (expected min, mean, p50, p90, p95, "
			 "p99, max, errorRate, throughput or a name of lt-ndjson(5) such as "
			 "responseTime.p95)", (int)(name_len > 40 ? 40 : name_len), name);
		return false;
	}
	t.metric = m->name;
	while (isspace((unsigned char)*p))
		p++;
	if (p[0] == '<' && p[1] == '=') {
		t.op = LT_OP_LE;
		p += 2;
	} else if (p[0] == '>' && p[1] == '=') {
		t.op = LT_OP_GE;
		p += 2;
	} else if (p[0] == '<') {
		t.op = LT_OP_LT;
		p++;
	} else if (p[0] == '>') {
		t.op = LT_OP_GT;
		p++;
	} else {
		snprintf(why, n, "expected <, <=, > or >= after \"%.*s\"", (int)name_len, name);
		return false;
	}
	while (isspace((unsigned char)*p))
		p++;
	for (k = 0; p[k] && !isspace((unsigned char)p[k]) && k + 1 < sizeof limit; k++)
		limit[k] = p[k];
	limit[k] = '\0';
	p += k;
	while (isspace((unsigned char)*p))
		p++;
	if (!limit[0]) {
		snprintf(why, n, "expected a limit after the operator");
		return false;
	}
	if (*p || !threshold_limit_parse(m, limit, &t.limit)) {
		snprintf(why, n, "bad limit \"%s\" (expected %s)", limit,
			 m->kind == METRIC_LATENCY ? "milliseconds or a duration such as \"1s\""
			 : m->kind == METRIC_PERCENT ? "a percentage such as 1 or 0.5%"
			 : "requests per second such as 50");
		return false;
	}
	if (!threshold_limit_ok(m, t.limit, reason, sizeof reason)) {
		snprintf(why, n, "limit %s", reason);
		return false;
	}
	*out = t;
	return true;
}

lt_rc lt_scenario_threshold_parse(const char *expr, struct lt_threshold *out,
				  struct lt_err *err)
{
	char why[384];
	struct sbuf b;
	char shown[128];

	if (!expr)
		return lt_err_set(err, LT_EUSAGE, "threshold: no expression");
	sb_init(&b, shown, sizeof shown);
	sb_quote(&b, expr, 60);
	if (!threshold_expr(expr, out, why, sizeof why))
		return lt_err_set(err, LT_EINVAL, "threshold %s: %s", shown, why);
	return LT_OK;
}

bool lt_scenario_threshold_ok(const struct lt_threshold *t, double value)
{
	switch (t->op) {
	case LT_OP_LT: return value < t->limit;
	case LT_OP_LE: return value <= t->limit;
	case LT_OP_GT: return value > t->limit;
	case LT_OP_GE: return value >= t->limit;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Scenario sections                                                    */

static bool header_name_ok(const char *s)
{
	/* RFC 9110 token characters. */
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
			return false;
	return true;
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);
	/* The first character may not be '.' or '-': ids name files and go on
	 * command lines, where ".", ".." and "-x" mean something else. */
	if (n == 0 || n > LT_SCENARIO_ID_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static lt_rc check_id(struct ctx *c, const cJSON *v)
{
	char got[128];
	if (!cJSON_IsString(v))
		return fail_type(c, v, "a string");
	if (!id_ok(v->valuestring))
		return fail(c, "must be 1 to %d characters of A-Z a-z 0-9 . _ - starting with "
			    "a letter or digit, got %s", LT_SCENARIO_ID_MAX,
			    describe(v, got, sizeof got));
	return LT_OK;
}

/* A headers object (kind "header") or tags object (kind "tag"). */
static lt_rc parse_pairs(struct ctx *c, const cJSON *v, bool headers,
			 const struct lt_header **out, size_t *n_out)
{
	struct lt_header *pairs;
	size_t n = 0, i = 0;

	if (!cJSON_IsObject(v))
		return fail_type(c, v, "an object");
	for (const cJSON *m = v->child; m; m = m->next)
		n++;
	if (n > LT_SCENARIO_MAX_HEADERS)
		return fail(c, "more than %d entries", LT_SCENARIO_MAX_HEADERS);
	if (!(pairs = arena_array(c->set, n, sizeof *pairs)))
		return fail_oom(c);
	for (const cJSON *m = v->child; m; m = m->next, i++) {
		size_t mark = path_push_key(c, m->string);
		char got[128];

		/* Quadratic, bounded by LT_SCENARIO_MAX_HEADERS. */
		for (size_t j = 0; j < i; j++)
			if (headers ? strcasecmp(pairs[j].name, m->string) == 0
				    : strcmp(pairs[j].name, m->string) == 0)
				return fail(c, headers ? "duplicate header (names are case-insensitive)"
						       : "duplicate tag");
		if (headers && !header_name_ok(m->string))
			return fail(c, "not a valid header name");
		if (!headers && !id_ok(m->string))
			return fail(c, "tag names must be 1 to %d characters of A-Z a-z 0-9 . _ - "
				    "starting with a letter or digit", LT_SCENARIO_ID_MAX);
		if (!cJSON_IsString(m))
			return fail(c, "expected a string, got %s", describe(m, got, sizeof got));
		if (headers)
			for (const char *p = m->valuestring; *p; p++)
				if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
					return fail(c, "header values must not hold line breaks or "
						    "control characters");
		pairs[i].name = arena_strdup(c->set, m->string);
		pairs[i].value = arena_strdup(c->set, m->valuestring);
		if (!pairs[i].name || !pairs[i].value)
			return fail_oom(c);
		path_pop(c, mark);
	}
	*out = pairs;
	*n_out = n;
	return LT_OK;
}

static lt_rc get_pairs(struct ctx *c, const cJSON *obj, const char *key, bool headers,
		       const struct lt_header **out, size_t *n_out)
{
	const cJSON *v = field(obj, key);
	size_t mark;

	if (!v)
		return LT_OK;
	mark = path_push_key(c, key);
	TRY(parse_pairs(c, v, headers, out, n_out));
	path_pop(c, mark);
	return LT_OK;
}

/* The string s or the strings of array s, each non-empty. */
static lt_rc get_strings(struct ctx *c, const cJSON *obj, const char *key,
			 const char *const **out, size_t *n_out)
{
	const cJSON *v = field(obj, key);
	const char **list;
	size_t n, mark;

	if (!v)
		return LT_OK;
	mark = path_push_key(c, key);
	if (!cJSON_IsString(v) && !cJSON_IsArray(v))
		return fail_type(c, v, "a string or an array of strings");
	n = cJSON_IsString(v) ? 1 : (size_t)cJSON_GetArraySize(v);
	if (n == 0)
		return fail(c, "must not be empty");
	if (!(list = arena_array(c->set, n, sizeof *list)))
		return fail_oom(c);
	if (cJSON_IsString(v)) {
		if (!v->valuestring[0])
			return fail(c, "must not be empty");
		list[0] = arena_strdup(c->set, v->valuestring);
	} else {
		size_t i = 0;
		for (const cJSON *e = v->child; e; e = e->next, i++) {
			size_t m = path_push_index(c, i);
			if (!cJSON_IsString(e))
				return fail_type(c, e, "a string");
			if (!e->valuestring[0])
				return fail(c, "must not be empty");
			if (!(list[i] = arena_strdup(c->set, e->valuestring)))
				return fail_oom(c);
			path_pop(c, m);
		}
	}
	if (!list[0])
		return fail_oom(c);
	*out = list;
	*n_out = n;
	path_pop(c, mark);
	return LT_OK;
}

/* Parse a check path ("data.items[0].id", "[0].name", "$",
 * "headers[\"content-type\"]") into steps; why holds the reason. */
static bool json_path_parse(struct lt_scenario_set *set, const char *path,
			    struct lt_json_step **steps_out, size_t *n_out,
			    char *why, size_t n_why, bool *oom)
{
	struct lt_json_step *steps;
	const char *p = path;
	size_t n = 0, cap;

	*oom = false;
	if (!*p) {
		snprintf(why, n_why, "must not be empty");
		return false;
	}
	/* A path of n characters has at most n steps. */
	cap = strlen(path);
	if (!(steps = arena_array(set, cap, sizeof *steps))) {
		*oom = true;
		return false;
	}
	if (*p == '$') {
		p++;
		if (*p && *p != '.' && *p != '[') {
			snprintf(why, n_why, "expected '.' or '[' after '$'");
			return false;
		}
		if (*p == '.')
			p++;
		else if (!*p) {
			*steps_out = steps;
			*n_out = 0;
			return true;
		}
	} else if (*p == '.') {
		snprintf(why, n_why, "must not start with '.'");
		return false;
	}
	for (;;) {
		if (*p == '[') {
			p++;
			if (*p == '"') {
				char *key = arena_alloc(set, strlen(p) + 1);
				size_t k = 0;
				if (!key) {
					*oom = true;
					return false;
				}
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					key[k++] = *p;
				}
				if (*p != '"' || p[1] != ']') {
					snprintf(why, n_why, "expected \"] to close a quoted key");
					return false;
				}
				p += 2;
				steps[n].key = key;
			} else {
				char *end;
				long idx;
				if (!(*p == '-' && isdigit((unsigned char)p[1])) &&
				    !isdigit((unsigned char)*p)) {
					snprintf(why, n_why, "expected an index or a quoted key after '['");
					return false;
				}
				errno = 0;
				idx = strtol(p, &end, 10);
				if (errno == ERANGE || idx > INT_MAX || idx < -(long)INT_MAX) {
					snprintf(why, n_why, "index out of range");
					return false;
				}
				if (*end != ']') {
					snprintf(why, n_why, "expected ']' after the index");
					return false;
				}
				p = end + 1;
				steps[n].key = NULL;
				steps[n].index = idx;
			}
			n++;
		} else {
			const char *start = p;
			while (*p && *p != '.' && *p != '[' && *p != ']')
				p++;
			if (p == start || *p == ']') {
				snprintf(why, n_why, *p == ']' ? "unexpected ']'" : "empty key");
				return false;
			}
			if (!(steps[n].key = arena_strndup(set, start, (size_t)(p - start)))) {
				*oom = true;
				return false;
			}
			n++;
		}
		if (!*p)
			break;
		if (*p == '.') {
			p++;
			if (*p == '[' || !*p || *p == '.') {
				snprintf(why, n_why, "empty key");
				return false;
			}
		} else if (*p != '[') {
			snprintf(why, n_why, "expected '.' or '[' after ']'");
			return false;
		}
	}
	*steps_out = steps;
	*n_out = n;
	return true;
}

static lt_rc parse_json_check(struct ctx *c, const cJSON *v, struct lt_json_check *chk)
{
	static const char *const fields[] = {"path", "equals", "exists", NULL};
	const cJSON *equals, *exists;
	struct lt_json_step *steps;
	char why[128], got[128];
	bool oom;
	size_t mark;

	TRY(check_object(c, v, fields));
	TRY(get_string(c, v, "path", true, &chk->path));
	mark = path_push_key(c, "path");
	if (!json_path_parse(c->set, chk->path, &steps, &chk->n_steps, why, sizeof why, &oom))
		return oom ? fail_oom(c)
			   : fail(c, "bad path %s: %s", describe(field(v, "path"), got, sizeof got), why);
	chk->steps = steps;
	path_pop(c, mark);
	equals = field(v, "equals");
	exists = field(v, "exists");
	if (equals && exists)
		return fail(c, "give \"equals\" or \"exists\", not both");
	if (!equals && !exists)
		return fail(c, "needs \"equals\" or \"exists\"");
	if (equals) {
		cJSON *copy = cJSON_Duplicate(equals, true);
		if (!copy)
			return fail_oom(c);
		if (!defer(c->set, free_json, copy)) {
			cJSON_Delete(copy);
			return fail_oom(c);
		}
		chk->equals = copy;
		chk->exists = true;
	} else {
		TRY(get_bool(c, v, "exists", &chk->exists));
	}
	return LT_OK;
}

static lt_rc parse_validation(struct ctx *c, const cJSON *v, struct lt_validation *val)
{
	static const char *const fields[] = {
		"statusCode", "maxResponseTime", "bodyContains", "bodyNotContains",
		"bodyRegex", "json", NULL,
	};
	const cJSON *codes, *json;

	TRY(check_object(c, v, fields));
	if ((codes = field(v, "statusCode"))) {
		size_t mark = path_push_key(c, "statusCode"), n, i = 0;
		int *list;
		if (!cJSON_IsNumber(codes) && !cJSON_IsArray(codes))
			return fail_type(c, codes, "an integer or an array of integers");
		n = cJSON_IsArray(codes) ? (size_t)cJSON_GetArraySize(codes) : 1;
		if (n == 0)
			return fail(c, "must not be empty");
		if (!(list = arena_array(c->set, n, sizeof *list)))
			return fail_oom(c);
		for (const cJSON *e = cJSON_IsArray(codes) ? codes->child : codes; e && i < n;
		     e = e->next, i++) {
			size_t m = cJSON_IsArray(codes) ? path_push_index(c, i) : c->path_len;
			char got[64];
			if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) ||
			    e->valuedouble != floor(e->valuedouble))
				return fail_type(c, e, "an integer");
			if (e->valuedouble < 100 || e->valuedouble > 599)
				return fail(c, "must be between 100 and 599, got %s",
					    describe(e, got, sizeof got));
			list[i] = (int)e->valuedouble;
			path_pop(c, m);
		}
		val->status_codes = list;
		val->n_status_codes = n;
		path_pop(c, mark);
	}
	TRY(get_duration(c, v, "maxResponseTime", false, UNIT_MS, false,
			 &val->max_response_time_ms));
	TRY(get_strings(c, v, "bodyContains", &val->body_contains, &val->n_body_contains));
	TRY(get_strings(c, v, "bodyNotContains", &val->body_not_contains,
			&val->n_body_not_contains));
	if (field(v, "bodyRegex")) {
		const char *re = NULL;
		size_t mark;
		int rc;
		TRY(get_string(c, v, "bodyRegex", false, &re));
		mark = path_push_key(c, "bodyRegex");
		rc = regcomp(&val->regex, re, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[256], got[128];
			regerror(rc, &val->regex, why, sizeof why);
			return fail(c, "bad regular expression %s: %s",
				    describe(field(v, "bodyRegex"), got, sizeof got), why);
		}
		if (!defer(c->set, free_regex, &val->regex)) {
			regfree(&val->regex);
			return fail_oom(c);
		}
		val->body_regex = re;
		path_pop(c, mark);
	}
	if ((json = field(v, "json"))) {
		size_t mark = path_push_key(c, "json"), n, i = 0;
		struct lt_json_check *checks;
		if (!cJSON_IsArray(json))
			return fail_type(c, json, "an array");
		n = (size_t)cJSON_GetArraySize(json);
		if (n == 0)
			return fail(c, "must not be empty");
		if (!(checks = arena_array(c->set, n, sizeof *checks)))
			return fail_oom(c);
		for (const cJSON *e = json->child; e; e = e->next, i++) {
			size_t m = path_push_index(c, i);
			TRY(parse_json_check(c, e, &checks[i]));
			path_pop(c, m);
		}
		val->json = checks;
		val->n_json = n;
		path_pop(c, mark);
	}
	return LT_OK;
}

static char *join_path(struct lt_scenario_set *set, const char *dir, const char *name)
{
	size_t nd, nn = strlen(name);
	char *p;

	if (name[0] == '/' || !dir || strcmp(dir, ".") == 0)
		return arena_strdup(set, name);
	nd = strlen(dir);
	if (nd > 0 && dir[nd - 1] == '/')
		nd--;
	if (!(p = arena_alloc(set, nd + 1 + nn + 1)))
		return NULL;
	memcpy(p, dir, nd);
	p[nd] = '/';
	memcpy(p + nd + 1, name, nn + 1);
	return p;
}

static lt_rc read_body_file(struct ctx *c, const cJSON *v, struct lt_endpoint *ep)
{
	const char *name = v->valuestring + 1;
	struct lt_err ferr = {0};
	char *full, *buf = NULL, got[128];
	size_t len = 0;
	lt_rc rc;

	if (!*name)
		return fail(c, "expected a file name after '@' (write \"@@\" for a literal '@')");
	if (!(full = join_path(c->set, c->base_dir, name)) || !(ep->body_file = arena_strdup(c->set, name)))
		return fail_oom(c);
	describe(v, got, sizeof got);
	rc = lti_read_file(full, LT_SCENARIO_MAX_BYTES, &buf, &len, &ferr);
	if (rc == LT_ELIMIT)
		return fail(c, "file %s is larger than 16 MiB", got);
	if (rc == LT_ENOMEM)
		return fail_oom(c);
	if (rc != LT_OK) {
		/* util's message is "<path>: <reason>"; show the reason only,
		 * the name is already quoted as written. */
		const char *why = lt_errmsg(&ferr);
		size_t nf = strlen(full);
		if (strncmp(why, full, nf) == 0 && strncmp(why + nf, ": ", 2) == 0)
			why += nf + 2;
		/* A file the scenario names but cannot have is a fault of the
		 * scenario (exit 2), whatever the errno. */
		return lt_err_set(c->err, LT_EINVAL, "%s: %s: cannot read %s: %s", c->name, c->path,
				  got, why);
	}
	ep->body = arena_strndup(c->set, buf, len);
	free(buf);
	if (!ep->body)
		return fail_oom(c);
	ep->body_len = len;
	ep->body_kind = LT_BODY_FILE;
	return LT_OK;
}

static lt_rc parse_body(struct ctx *c, const cJSON *v, struct lt_endpoint *ep)
{
	if (cJSON_IsString(v)) {
		const char *s = v->valuestring;
		if (s[0] == '@' && s[1] != '@')
			return read_body_file(c, v, ep);
		if (s[0] == '@')
			s++;
		ep->body_kind = LT_BODY_TEXT;
		ep->body_len = strlen(s);
		if (!(ep->body = arena_strndup(c->set, s, ep->body_len)))
			return fail_oom(c);
		return LT_OK;
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		char *text = cJSON_PrintUnformatted(v);
		if (!text)
			return fail_oom(c);
		ep->body_len = strlen(text);
		ep->body = arena_strndup(c->set, text, ep->body_len);
		cJSON_free(text);
		if (!ep->body)
			return fail_oom(c);
		ep->body_kind = LT_BODY_JSON;
		return LT_OK;
	}
	return fail_type(c, v, "a string, an object or an array");
}

static lt_rc check_endpoint_path(struct ctx *c, const char *path, const cJSON *v)
{
	char got[128];
	if (path[0] != '/')
		return fail(c, "must start with \"/\", got %s", describe(v, got, sizeof got));
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return fail(c, "must be ASCII without spaces or control characters "
				    "(percent-encode them), got %s", describe(v, got, sizeof got));
	return LT_OK;
}

/* request_headers: config headers not replaced by the endpoint's, the
 * endpoint's, and Content-Type for JSON bodies.  The strings are shared
 * with the lists they come from. */
static lt_rc build_request_headers(struct ctx *c, const struct lt_scenario_config *cfg,
				   struct lt_endpoint *ep)
{
	size_t cap = cfg->n_headers + ep->n_headers + 1, n = 0;
	struct lt_header *list = arena_array(c->set, cap, sizeof *list);
	bool has_type = false;

	if (!list)
		return fail_oom(c);
	for (size_t i = 0; i < cfg->n_headers; i++) {
		bool replaced = false;
		for (size_t j = 0; j < ep->n_headers && !replaced; j++)
			replaced = strcasecmp(cfg->headers[i].name, ep->headers[j].name) == 0;
		if (!replaced)
			list[n++] = cfg->headers[i];
	}
	for (size_t j = 0; j < ep->n_headers; j++)
		list[n++] = ep->headers[j];
	for (size_t i = 0; i < n; i++)
		has_type = has_type || strcasecmp(list[i].name, "Content-Type") == 0;
	if (ep->body_kind == LT_BODY_JSON && !has_type) {
		list[n].name = "Content-Type";
		list[n].value = "application/json";
		n++;
	}
	ep->request_headers = list;
	ep->n_request_headers = n;
	return LT_OK;
}

static lt_rc parse_endpoint(struct ctx *c, const cJSON *v, const struct lt_scenario_config *cfg,
			    struct lt_endpoint *ep)
{
	static const char *const fields[] = {
		"name", "path", "method", "weight", "headers", "body", "timeout",
		"validation", NULL,
	};
	const cJSON *x;
	int method = LT_HTTP_GET;
	char *url;
	size_t nb, np;

	TRY(check_object(c, v, fields));
	TRY(get_string(c, v, "name", false, &ep->name));
	TRY(get_string(c, v, "path", true, &ep->path));
	{
		size_t mark = path_push_key(c, "path");
		TRY(check_endpoint_path(c, ep->path, field(v, "path")));
		path_pop(c, mark);
	}
	TRY(get_enum(c, v, "method", method_names, &method));
	ep->method = (lt_http_method)method;
	ep->weight = 1;
	TRY(get_number(c, v, "weight", false, GE0, 1e9, &ep->weight));
	TRY(get_pairs(c, v, "headers", true, &ep->headers, &ep->n_headers));
	if ((x = field(v, "body"))) {
		size_t mark = path_push_key(c, "body");
		TRY(parse_body(c, x, ep));
		path_pop(c, mark);
	}
	ep->timeout_s = cfg->timeout_s;
	TRY(get_duration(c, v, "timeout", false, UNIT_S, false, &ep->timeout_s));
	if ((x = field(v, "validation"))) {
		size_t mark = path_push_key(c, "validation");
		TRY(parse_validation(c, x, &ep->validation));
		path_pop(c, mark);
	}
	if (!ep->name) {
		char *name = arena_alloc(c->set, strlen(ep->path) + 16);
		if (!name)
			return fail_oom(c);
		sprintf(name, "%s %s", method_names[ep->method], ep->path);
		ep->name = name;
	}
	nb = strlen(cfg->base_url);
	np = strlen(ep->path);
	if (!(url = arena_alloc(c->set, nb + np + 1)))
		return fail_oom(c);
	memcpy(url, cfg->base_url, nb);
	memcpy(url + nb, ep->path, np + 1);
	ep->url = url;
	return build_request_headers(c, cfg, ep);
}

static lt_rc parse_endpoints(struct ctx *c, const cJSON *v, struct lt_scenario_config *cfg)
{
	struct lt_endpoint *eps;
	size_t n, i = 0;
	double sum = 0;

	if (!cJSON_IsArray(v))
		return fail_type(c, v, "an array");
	n = (size_t)cJSON_GetArraySize(v);
	if (n == 0)
		return fail(c, "needs at least one endpoint");
	if (n > LT_SCENARIO_MAX_ENDPOINTS)
		return fail(c, "%zu endpoints, more than the %d a scenario may have", n,
			    LT_SCENARIO_MAX_ENDPOINTS);
	if (!(eps = arena_array(c->set, n, sizeof *eps)))
		return fail_oom(c);
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t mark = path_push_index(c, i);
		TRY(parse_endpoint(c, e, cfg, &eps[i]));
		sum += eps[i].weight;
		eps[i].cumulative_weight = sum;
		path_pop(c, mark);
	}
	if (sum <= 0)
		return fail(c, "weights add up to 0: at least one endpoint needs a weight > 0");
	cfg->endpoints = eps;
	cfg->n_endpoints = n;
	cfg->total_weight = sum;
	return LT_OK;
}

static lt_rc parse_ramp(struct ctx *c, const cJSON *v, struct lt_ramp *r)
{
	static const char *const fields[] = {"duration", "strategy", "steps", NULL};
	int strategy = LT_RAMP_LINEAR;

	TRY(check_object(c, v, fields));
	TRY(get_duration(c, v, "duration", true, UNIT_S, true, &r->duration_s));
	TRY(get_enum(c, v, "strategy", strategy_names, &strategy));
	r->strategy = (lt_ramp_strategy)strategy;
	if (r->strategy == LT_RAMP_STEP) {
		r->steps = LT_SCENARIO_DEFAULT_STEPS;
		TRY(get_int(c, v, "steps", false, 1, 1000, &r->steps));
	} else if (field(v, "steps")) {
		path_push_key(c, "steps");
		return fail(c, "only used with strategy \"step\"");
	}
	return LT_OK;
}

static lt_rc parse_think_time(struct ctx *c, const cJSON *v, struct lt_think_time *t)
{
	static const char *const fields[] = {"min", "max", "distribution", NULL};
	int dist = LT_THINK_UNIFORM;

	TRY(check_object(c, v, fields));
	TRY(get_duration(c, v, "min", false, UNIT_MS, true, &t->min_ms));
	t->max_ms = t->min_ms;
	TRY(get_duration(c, v, "max", false, UNIT_MS, true, &t->max_ms));
	if (t->max_ms < t->min_ms) {
		char lo[32], got[128];
		path_push_key(c, "max");
		fmt_num(t->min_ms, lo, sizeof lo);
		return fail(c, "must be >= min (%s ms), got %s", lo,
			    describe(field(v, "max"), got, sizeof got));
	}
	TRY(get_enum(c, v, "distribution", distribution_names, &dist));
	t->distribution = (lt_think_distribution)dist;
	return LT_OK;
}

static lt_rc parse_users(struct ctx *c, const cJSON *v, struct lt_users *u)
{
	static const char *const fields[] = {"concurrent", "rampUp", "rampDown", "thinkTime", NULL};
	static const char *const keys[] = {"rampUp", "rampDown"};
	struct lt_ramp *ramps[] = {&u->ramp_up, &u->ramp_down};
	const cJSON *x;

	TRY(check_object(c, v, fields));
	TRY(get_int(c, v, "concurrent", true, 1, LT_SCENARIO_MAX_USERS, &u->concurrent));
	for (int i = 0; i < 2; i++)
		if ((x = field(v, keys[i]))) {
			size_t mark = path_push_key(c, keys[i]);
			TRY(parse_ramp(c, x, ramps[i]));
			path_pop(c, mark);
		}
	if ((x = field(v, "thinkTime"))) {
		size_t mark = path_push_key(c, "thinkTime");
		TRY(parse_think_time(c, x, &u->think_time));
		path_pop(c, mark);
	}
	return LT_OK;
}

static lt_rc parse_arrival(struct ctx *c, const cJSON *v, struct lt_arrival *a)
{
	static const char *const fields[] = {"rate", "stages", "maxUsers", NULL};
	static const char *const stage_fields[] = {"duration", "target", NULL};
	const cJSON *stages;

	TRY(check_object(c, v, fields));
	TRY(get_number(c, v, "rate", true, GT0, LT_SCENARIO_MAX_RATE, &a->rate));
	if ((stages = field(v, "stages"))) {
		size_t mark = path_push_key(c, "stages"), n, i = 0;
		struct lt_arrival_stage *list;
		if (!cJSON_IsArray(stages))
			return fail_type(c, stages, "an array");
		n = (size_t)cJSON_GetArraySize(stages);
		if (!(list = arena_array(c->set, n, sizeof *list)))
			return fail_oom(c);
		for (const cJSON *e = stages->child; e; e = e->next, i++) {
			size_t m = path_push_index(c, i);
			TRY(check_object(c, e, stage_fields));
			TRY(get_duration(c, e, "duration", true, UNIT_S, false, &list[i].duration_s));
			TRY(get_number(c, e, "target", true, GE0, LT_SCENARIO_MAX_RATE,
				       &list[i].target_rate));
			path_pop(c, m);
		}
		a->stages = list;
		a->n_stages = n;
		path_pop(c, mark);
	}
	a->max_users = LT_SCENARIO_DEFAULT_MAX_USERS;
	TRY(get_int(c, v, "maxUsers", false, 1, LT_SCENARIO_MAX_USERS, &a->max_users));
	return LT_OK;
}

static lt_rc parse_duration(struct ctx *c, const cJSON *v, struct lt_duration *d)
{
	static const char *const fields[] = {"total", "warmup", "cooldown", NULL};

	TRY(check_object(c, v, fields));
	TRY(get_duration(c, v, "total", true, UNIT_S, false, &d->total_s));
	TRY(get_duration(c, v, "warmup", false, UNIT_S, true, &d->warmup_s));
	TRY(get_duration(c, v, "cooldown", false, UNIT_S, true, &d->cooldown_s));
	return LT_OK;
}

/* The thresholds object of the seed's format. */
static lt_rc parse_thresholds_object(struct ctx *c, const cJSON *v,
				     struct lt_threshold *list, size_t *n)
{
	static const char *const fields[] = {"responseTime", "errorRate", "throughput", NULL};
	static const char *const rt_fields[] = {"min", "mean", "p50", "p90", "p95", "p99", "max", NULL};
	static const char *const er_fields[] = {"max", NULL};
	static const char *const tp_fields[] = {"min", NULL};
	const cJSON *x;

	TRY(check_object(c, v, fields));
	if ((x = field(v, "responseTime"))) {
		size_t mark = path_push_key(c, "responseTime");
		TRY(check_object(c, x, rt_fields));
		for (int i = 0; rt_fields[i]; i++) {
			double limit = 0;
			if (!field(x, rt_fields[i]))
				continue;
			TRY(get_duration(c, x, rt_fields[i], false, UNIT_MS, false, &limit));
			list[*n].metric = metrics[i].name;
			list[*n].op = LT_OP_LE;
			list[*n].limit = limit;
			(*n)++;
		}
		path_pop(c, mark);
	}
	if ((x = field(v, "errorRate"))) {
		size_t mark = path_push_key(c, "errorRate");
		double limit = 0;
		TRY(check_object(c, x, er_fields));
		if (field(x, "max")) {
			TRY(get_number(c, x, "max", false, GE0, 100, &limit));
			list[*n].metric = "errorRate";
			list[*n].op = LT_OP_LE;
			list[*n].limit = limit;
			(*n)++;
		}
		path_pop(c, mark);
	}
	if ((x = field(v, "throughput"))) {
		size_t mark = path_push_key(c, "throughput");
		double limit = 0;
		TRY(check_object(c, x, tp_fields));
		if (field(x, "min")) {
			TRY(get_number(c, x, "min", false, GT0, LT_SCENARIO_MAX_RATE, &limit));
			list[*n].metric = "throughput.avg";
			list[*n].op = LT_OP_GE;
			list[*n].limit = limit;
			(*n)++;
		}
		path_pop(c, mark);
	}
	return LT_OK;
}

/* One element of the list form: "p95<300" or {metric, op, limit}. */
static lt_rc parse_threshold_item(struct ctx *c, const cJSON *e, struct lt_threshold *t)
{
	static const char *const fields[] = {"metric", "op", "limit", NULL};
	const struct metric *m;
	const cJSON *limit;
	const char *name = NULL;
	char why[384];
	int op = LT_OP_LE;

	if (cJSON_IsString(e)) {
		if (!threshold_expr(e->valuestring, t, why, sizeof why))
			return fail(c, "%s", why);
		return LT_OK;
	}
	if (!cJSON_IsObject(e))
		return fail_type(c, e, "a string such as \"p95<300\" or an object");
	TRY(check_object(c, e, fields));
	TRY(get_string(c, e, "metric", true, &name));
	if (!(m = metric_find(name, strlen(name)))) {
		char got[128];
		path_push_key(c, "metric");
		return fail(c, "unknown metric %s", describe(field(e, "metric"), got, sizeof got));
	}
	if (!field(e, "op"))
		return fail_missing(c, "op", "");
	TRY(get_enum(c, e, "op", op_names, &op));
	if (!(limit = field(e, "limit")))
		return fail_missing(c, "limit", "");
	path_push_key(c, "limit");
	if (m->kind == METRIC_LATENCY)
		TRY(duration_value(c, limit, UNIT_MS, true, &t->limit));
	else if (!cJSON_IsNumber(limit))
		return fail_type(c, limit, "a number");
	else
		t->limit = limit->valuedouble;
	if (!threshold_limit_ok(m, t->limit, why, sizeof why))
		return fail(c, "%s", why);
	t->metric = m->name;
	t->op = (lt_threshold_op)op;
	return LT_OK;
}

static lt_rc parse_thresholds(struct ctx *c, const cJSON *v, struct lt_scenario_config *cfg)
{
	struct lt_threshold *list;
	size_t n = 0, cap;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return fail_type(c, v, "an object or an array");
	/* The object form gives at most one threshold per known metric. */
	cap = cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : N_METRICS;
	if (!(list = arena_array(c->set, cap, sizeof *list)))
		return fail_oom(c);
	if (cJSON_IsObject(v)) {
		TRY(parse_thresholds_object(c, v, list, &n));
	} else {
		for (const cJSON *e = v->child; e; e = e->next, n++) {
			size_t mark = path_push_index(c, n);
			TRY(parse_threshold_item(c, e, &list[n]));
			path_pop(c, mark);
		}
	}
	cfg->thresholds = list;
	cfg->n_thresholds = n;
	return LT_OK;
}

static lt_rc check_base_url(struct ctx *c, const cJSON *v, char *url)
{
	CURLU *u = NULL;
	CURLUcode uc;
	char *host = NULL, *query = NULL, *fragment = NULL, *port = NULL, got[128];
	const char *why = NULL;
	size_t n;

	describe(v, got, sizeof got);
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
		return fail(c, "must start with http:// or https://, got %s", got);
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return fail(c, "must be ASCII without spaces or control characters, got %s", got);
	/* libcurl's own parser: the engine hands it the same string, so what
	 * it accepts here is what it can send to later. */
	if (!(u = curl_url()))
		return fail_oom(c);
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OUT_OF_MEMORY) {
		curl_url_cleanup(u);
		return fail_oom(c);
	}
	if (uc == CURLUE_NO_HOST)
		why = "has no host";
	else if (uc == CURLUE_BAD_PORT_NUMBER)
		why = "has a bad port number";
	else if (uc != CURLUE_OK)
		why = "is not a valid URL";
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host)
		why = "has no host";
	else if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port &&
		 strtol(port, NULL, 10) == 0)
		why = "has a bad port number";
	else if ((curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query) ||
		 (curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK && fragment) ||
		 strpbrk(url, "?#"))
		why = "must not have a query or fragment (put them in the endpoint paths)";
	curl_free(host);
	curl_free(port);
	curl_free(query);
	curl_free(fragment);
	curl_url_cleanup(u);
	if (why)
		return fail(c, "%s, got %s", why, got);
	/* Endpoint paths start with "/"; a base ending in one would double it. */
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return LT_OK;
}

static lt_rc parse_http(struct ctx *c, const cJSON *v, struct lt_http_options *h)
{
	static const char *const fields[] = {"version", "insecure", "cacert", NULL};
	int version = LT_HTTP_VERSION_1_1;

	TRY(check_object(c, v, fields));
	TRY(get_enum(c, v, "version", version_names, &version));
	h->version = (lt_http_version)version;
	TRY(get_bool(c, v, "insecure", &h->insecure));
	TRY(get_string(c, v, "cacert", false, &h->cacert));
	if (h->cacert) {
		char got[128];
		size_t mark = path_push_key(c, "cacert");
		if (!(h->cacert_path = join_path(c->set, c->base_dir, h->cacert)))
			return fail_oom(c);
		if (access(h->cacert_path, R_OK) != 0)
			return fail(c, "cannot read %s: %s", describe(field(v, "cacert"), got, sizeof got),
				    strerror(errno));
		path_pop(c, mark);
	}
	return LT_OK;
}

/* The rules that tie fields of different objects together.  They run at
 * load and again after overrides, on the structs, so both report alike. */
static lt_rc check_timing(struct ctx *c, const struct lt_scenario_config *cfg)
{
	const struct lt_duration *d = &cfg->duration;
	char a[32], b[32], t[32];
	size_t mark = path_push_key(c, "config");

	fmt_num(d->total_s, t, sizeof t);
	if (d->warmup_s + d->cooldown_s >= d->total_s) {
		path_push_key(c, "duration");
		fmt_num(d->warmup_s, a, sizeof a);
		fmt_num(d->cooldown_s, b, sizeof b);
		return fail(c, "warmup (%s s) + cooldown (%s s) must be less than total (%s s)%s",
			    a, b, t, c->note);
	}
	if (cfg->model == LT_MODEL_CLOSED &&
	    cfg->users.ramp_up.duration_s + cfg->users.ramp_down.duration_s > d->total_s) {
		path_push_key(c, "users");
		fmt_num(cfg->users.ramp_up.duration_s, a, sizeof a);
		fmt_num(cfg->users.ramp_down.duration_s, b, sizeof b);
		return fail(c, "rampUp (%s s) + rampDown (%s s) must not exceed duration.total (%s s)%s",
			    a, b, t, c->note);
	}
	if (cfg->model == LT_MODEL_OPEN) {
		double sum = 0;
		for (size_t i = 0; i < cfg->arrival.n_stages; i++)
			sum += cfg->arrival.stages[i].duration_s;
		if (sum > d->total_s) {
			path_push_key(c, "arrival");
			path_push_key(c, "stages");
			fmt_num(sum, a, sizeof a);
			return fail(c, "stage durations add up to %s s, more than duration.total (%s s)%s",
				    a, t, c->note);
		}
	}
	path_pop(c, mark);
	return LT_OK;
}

static lt_rc parse_config(struct ctx *c, const cJSON *v, struct lt_scenario_config *cfg)
{
	static const char *const fields[] = {
		"baseUrl", "headers", "timeout", "connectTimeout", "http", "endpoints",
		"users", "arrival", "duration", "thresholds", NULL,
	};
	const cJSON *x, *users = field(v, "users"), *arrival = field(v, "arrival");
	size_t mark;

	TRY(check_object(c, v, fields));
	if (!(x = field(v, "baseUrl")))
		return fail_missing(c, "baseUrl", "");
	TRY(get_string(c, v, "baseUrl", true, &cfg->base_url));
	mark = path_push_key(c, "baseUrl");
	TRY(check_base_url(c, x, (char *)cfg->base_url));
	path_pop(c, mark);
	TRY(get_pairs(c, v, "headers", true, &cfg->headers, &cfg->n_headers));
	cfg->timeout_s = LT_SCENARIO_DEFAULT_TIMEOUT_S;
	TRY(get_duration(c, v, "timeout", false, UNIT_S, false, &cfg->timeout_s));
	cfg->connect_timeout_s = LT_SCENARIO_DEFAULT_CONNECT_TIMEOUT_S;
	TRY(get_duration(c, v, "connectTimeout", false, UNIT_S, false, &cfg->connect_timeout_s));
	if ((x = field(v, "http"))) {
		mark = path_push_key(c, "http");
		TRY(parse_http(c, x, &cfg->http));
		path_pop(c, mark);
	}
	if (!(x = field(v, "endpoints")))
		return fail_missing(c, "endpoints", "");
	mark = path_push_key(c, "endpoints");
	TRY(parse_endpoints(c, x, cfg));
	path_pop(c, mark);
	if (users && arrival) {
		path_push_key(c, "users");
		return fail(c, "cannot be combined with arrival (the open model sets the load "
			    "by arrival rate; use arrival.maxUsers to cap it)");
	}
	if (!users && !arrival)
		return fail_missing(c, "users", " (or give arrival for an open-model test)");
	if (users) {
		cfg->model = LT_MODEL_CLOSED;
		mark = path_push_key(c, "users");
		TRY(parse_users(c, users, &cfg->users));
		path_pop(c, mark);
	} else {
		cfg->model = LT_MODEL_OPEN;
		mark = path_push_key(c, "arrival");
		TRY(parse_arrival(c, arrival, &cfg->arrival));
		path_pop(c, mark);
	}
	if (!(x = field(v, "duration")))
		return fail_missing(c, "duration", "");
	mark = path_push_key(c, "duration");
	TRY(parse_duration(c, x, &cfg->duration));
	path_pop(c, mark);
	if ((x = field(v, "thresholds"))) {
		mark = path_push_key(c, "thresholds");
		TRY(parse_thresholds(c, x, cfg));
		path_pop(c, mark);
	}
	return LT_OK;
}

static lt_rc parse_options(struct ctx *c, const cJSON *v, struct lt_scenario_options *o)
{
	static const char *const fields[] = {
		"saveBaseline", "compareBaseline", "environment", "version", NULL,
	};

	TRY(check_object(c, v, fields));
	TRY(get_bool(c, v, "saveBaseline", &o->save_baseline));
	TRY(get_bool(c, v, "compareBaseline", &o->compare_baseline));
	TRY(get_string(c, v, "environment", false, &o->environment));
	TRY(get_string(c, v, "version", false, &o->version));
	return LT_OK;
}

static lt_rc parse_scenario(struct ctx *c, const cJSON *v, struct lt_scenario *sc)
{
	static const char *const fields[] = {
		"id", "name", "description", "tags", "config", "options", NULL,
	};
	const cJSON *x;
	size_t mark, top = c->path_len;

	TRY(check_object(c, v, fields));
	if (!(x = field(v, "id")))
		return fail_missing(c, "id", "");
	mark = path_push_key(c, "id");
	TRY(check_id(c, x));
	path_pop(c, mark);
	TRY(get_string(c, v, "id", true, &sc->id));
	TRY(get_string(c, v, "name", true, &sc->name));
	TRY(get_string(c, v, "description", false, &sc->description));
	TRY(get_pairs(c, v, "tags", false, &sc->tags, &sc->n_tags));
	if (!(x = field(v, "config")))
		return fail_missing(c, "config", "");
	mark = path_push_key(c, "config");
	TRY(parse_config(c, x, &sc->config));
	path_pop(c, mark);
	if ((x = field(v, "options"))) {
		mark = path_push_key(c, "options");
		TRY(parse_options(c, x, &sc->options));
		path_pop(c, mark);
	}
	TRY(check_timing(c, &sc->config));
	path_pop(c, top);
	sc->source = c->name;
	sc->base_dir = c->base_dir;
	sc->set = c->set;
	return LT_OK;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */

static lt_rc syntax_error(const char *name, const char *text, size_t pos, struct lt_err *err,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static lt_rc syntax_error(const char *name, const char *text, size_t pos, struct lt_err *err,
			  const char *fmt, ...)
{
	unsigned long line, col;
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	line_col(text, pos, &line, &col);
	return lt_err_set(err, LT_EINVAL, "%s:%lu:%lu: %s", name, line, col, why);
}

/* FNV-1a: ids are short, and the table only has to spread them. */
static size_t id_hash(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* sc's config, as lt_scenario_to_json writes it into every run_start and
 * plan record, fits in LT_SCENARIO_MAX_CONFIG_BYTES.  O(size of the
 * config): printed once, at load. */
static lt_rc check_config_size(struct ctx *c, const struct lt_scenario *sc)
{
	cJSON *json = lt_scenario_to_json(sc);
	char *text = json ? cJSON_PrintUnformatted(json) : NULL;
	size_t len = text ? strlen(text) : 0;

	cJSON_Delete(json);
	cJSON_free(text);
	if (!text)
		return fail_oom(c);
	if (len <= LT_SCENARIO_MAX_CONFIG_BYTES)
		return LT_OK;
	path_push_key(c, "config");
	return fail(c, "%zu bytes as written into run_start, more than the %u allowed "
		    "(lt-scenario(5) LIMITS): put large bodies in \"@file\" bodies", len,
		    LT_SCENARIO_MAX_CONFIG_BYTES);
}

static lt_rc parse_set(struct ctx *c, const cJSON *root)
{
	struct lt_scenario_set *set = c->set;
	char got[128];

	if (cJSON_IsObject(root)) {
		if (!(set->scenarios = arena_array(set, 1, sizeof *set->scenarios)))
			return fail_oom(c);
		TRY(parse_scenario(c, root, &set->scenarios[0]));
		TRY(check_config_size(c, &set->scenarios[0]));
		set->scenarios[0].index = -1;
		set->n_scenarios = 1;
		return LT_OK;
	}
	if (!cJSON_IsArray(root))
		return fail(c, "expected a scenario object or an array of scenarios, got %s",
			    describe(root, got, sizeof got));
	size_t n = (size_t)cJSON_GetArraySize(root), i = 0;
	if (n == 0)
		return fail(c, "expected at least one scenario, got an empty array");
	/* Ids seen so far in an open-addressing table of 2n slots (index + 1,
	 * 0 empty), so that a file of many scenarios is checked in linear
	 * time: comparing each id with every earlier one was quadratic. */
	size_t n_slots = 2 * n, *slots;
	if (!(set->scenarios = arena_array(set, n, sizeof *set->scenarios)) ||
	    !(slots = arena_array(set, n_slots, sizeof *slots)))
		return fail_oom(c);
	for (const cJSON *e = root->child; e; e = e->next, i++) {
		struct lt_scenario *sc = &set->scenarios[i];
		size_t mark = path_push_index(c, i), k;
		TRY(parse_scenario(c, e, sc));
		TRY(check_config_size(c, sc));
		sc->index = (long)i;
		for (k = id_hash(sc->id) % n_slots; slots[k]; k = (k + 1) % n_slots)
			if (strcmp(set->scenarios[slots[k] - 1].id, sc->id) == 0) {
				path_push_key(c, "id");
				return fail(c, "duplicate id %s, also used by [%zu]",
					    describe(field(e, "id"), got, sizeof got), slots[k] - 1);
			}
		slots[k] = i + 1;
		path_pop(c, mark);
	}
	set->n_scenarios = n;
	return LT_OK;
}

lt_rc lt_scenario_parse(const char *text, size_t len, const char *name,
			const char *base_dir, struct lt_scenario_set **out,
			struct lt_err *err)
{
	struct lt_scenario_set *set = NULL;
	struct syntax y = {0};
	struct ctx c = {0};
	cJSON *root = NULL;
	size_t bad;
	lt_rc rc;

	if (!name)
		name = "<input>";
	if (!base_dir || !*base_dir)
		base_dir = ".";
	if (!text || !out)
		return lt_err_set(err, LT_EUSAGE, "%s: no text to parse", name);
	if (len > LT_SCENARIO_MAX_BYTES)
		return lt_err_set(err, LT_ELIMIT, "%s: larger than 16 MiB, the limit for "
				  "scenario files", name);
	/* A UTF-8 byte order mark is allowed (RFC 8259 lets parsers skip it);
	 * positions count from after it, as editors show them. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (!lti_utf8_valid(text, len)) {
		bad = utf8_bad_offset(text, len);
		return syntax_error(name, text, bad, err, "invalid UTF-8 (byte 0x%02x)",
				    (unsigned char)text[bad]);
	}
	if (memchr(text, '\0', len))
		return syntax_error(name, text, (size_t)((const char *)memchr(text, '\0', len) - text),
				    err, "NUL byte in the file");
	y.s = text;
	y.len = len;
	syn_ws(&y);
	if (y.pos == len)
		return lt_err_set(err, LT_EINVAL, "%s: empty file, expected a scenario object "
				  "or an array of scenarios", name);
	y.pos = 0;
	if (!syn_document(&y))
		return syntax_error(name, text, y.pos, err, "JSON syntax error: %s", y.why);
	/* The text is known to be valid, so a failure here is memory. */
	if (!(root = cJSON_ParseWithLength(text, len)))
		return lt_err_set(err, LT_ENOMEM, "%s: out of memory", name);
	if (!(set = calloc(1, sizeof *set))) {
		rc = lt_err_set(err, LT_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	c.set = set;
	c.err = err;
	c.note = "";
	if (!(c.name = arena_strdup(set, name)) || !(c.base_dir = arena_strdup(set, base_dir))) {
		rc = lt_err_set(err, LT_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	if ((rc = parse_set(&c, root)) != LT_OK)
		goto fail;
	cJSON_Delete(root);
	*out = set;
	return LT_OK;
fail:
	cJSON_Delete(root);
	lt_scenario_set_free(set);
	return rc;
}

lt_rc lt_scenario_load_file(const char *path, struct lt_scenario_set **out,
			    struct lt_err *err)
{
	const char *name, *slash;
	char *text = NULL, *dir = NULL;
	size_t len = 0;
	lt_rc rc;

	if (!path || !out)
		return lt_err_set(err, LT_EUSAGE, "scenario: no file given");
	name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	rc = lti_read_file(path, LT_SCENARIO_MAX_BYTES, &text, &len, err);
	if (rc == LT_ELIMIT)
		return lt_err_set(err, LT_ELIMIT, "%s: larger than 16 MiB, the limit for "
				  "scenario files", name);
	if (rc != LT_OK)
		return rc;
	slash = strcmp(path, "-") == 0 ? NULL : strrchr(path, '/');
	if (slash) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		if (!(dir = strndup(path, n))) {
			free(text);
			return lt_err_set(err, LT_ENOMEM, "%s: out of memory", name);
		}
	}
	rc = lt_scenario_parse(text, len, name, dir ? dir : ".", out, err);
	free(dir);
	free(text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Back to JSON                                                         */

struct builder {
	bool ok;
};

/* Add item to parent (under key, or appended when key is NULL); returns
 * item, or NULL after marking the build failed. */
static cJSON *put(struct builder *b, cJSON *parent, const char *key, cJSON *item)
{
	if (!item || !parent) {
		cJSON_Delete(item);
		b->ok = false;
		return NULL;
	}
	if (!(key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item))) {
		cJSON_Delete(item);
		b->ok = false;
		return NULL;
	}
	return item;
}

static void put_num(struct builder *b, cJSON *o, const char *key, double x)
{
	put(b, o, key, cJSON_CreateNumber(x));
}

static void put_str(struct builder *b, cJSON *o, const char *key, const char *s)
{
	if (s)
		put(b, o, key, cJSON_CreateString(s));
}

static void put_pairs(struct builder *b, cJSON *o, const char *key,
		      const struct lt_header *pairs, size_t n)
{
	cJSON *obj;
	if (n == 0)
		return;
	obj = put(b, o, key, cJSON_CreateObject());
	for (size_t i = 0; i < n; i++)
		put_str(b, obj, pairs[i].name, pairs[i].value);
}

static void put_strings(struct builder *b, cJSON *o, const char *key,
			const char *const *list, size_t n)
{
	cJSON *arr;
	if (n == 0)
		return;
	arr = put(b, o, key, cJSON_CreateArray());
	for (size_t i = 0; i < n; i++)
		put(b, arr, NULL, cJSON_CreateString(list[i]));
}

static void put_body(struct builder *b, cJSON *o, const struct lt_endpoint *ep)
{
	char *text;

	switch (ep->body_kind) {
	case LT_BODY_NONE:
		return;
	case LT_BODY_JSON:
		put(b, o, "body", cJSON_ParseWithLength(ep->body, ep->body_len));
		return;
	case LT_BODY_FILE:
	case LT_BODY_TEXT:
		/* "@" starts a file name, so a text that starts with one is
		 * written "@@" to read back as the same text. */
		{
			const char *s = ep->body_kind == LT_BODY_FILE ? ep->body_file : ep->body;
			bool at = ep->body_kind == LT_BODY_FILE || s[0] == '@';
			if (!(text = malloc(strlen(s) + 2))) {
				b->ok = false;
				return;
			}
			sprintf(text, "%s%s", at ? "@" : "", s);
			put(b, o, "body", cJSON_CreateString(text));
			free(text);
		}
		return;
	}
}

static void put_validation(struct builder *b, cJSON *o, const struct lt_validation *v)
{
	cJSON *val, *arr;

	if (!v->n_status_codes && !v->max_response_time_ms && !v->n_body_contains &&
	    !v->n_body_not_contains && !v->body_regex && !v->n_json)
		return;
	val = put(b, o, "validation", cJSON_CreateObject());
	if (v->n_status_codes) {
		arr = put(b, val, "statusCode", cJSON_CreateArray());
		for (size_t i = 0; i < v->n_status_codes; i++)
			put(b, arr, NULL, cJSON_CreateNumber(v->status_codes[i]));
	}
	if (v->max_response_time_ms)
		put_num(b, val, "maxResponseTime", v->max_response_time_ms);
	put_strings(b, val, "bodyContains", v->body_contains, v->n_body_contains);
	put_strings(b, val, "bodyNotContains", v->body_not_contains, v->n_body_not_contains);
	put_str(b, val, "bodyRegex", v->body_regex);
	if (v->n_json) {
		arr = put(b, val, "json", cJSON_CreateArray());
		for (size_t i = 0; i < v->n_json; i++) {
			cJSON *chk = put(b, arr, NULL, cJSON_CreateObject());
			put_str(b, chk, "path", v->json[i].path);
			if (v->json[i].equals)
				put(b, chk, "equals", cJSON_Duplicate(v->json[i].equals, true));
			else
				put(b, chk, "exists", cJSON_CreateBool(v->json[i].exists));
		}
	}
}

static void put_ramp(struct builder *b, cJSON *o, const char *key, const struct lt_ramp *r)
{
	cJSON *ramp = put(b, o, key, cJSON_CreateObject());
	put_num(b, ramp, "duration", r->duration_s);
	put_str(b, ramp, "strategy", strategy_names[r->strategy]);
	if (r->strategy == LT_RAMP_STEP)
		put_num(b, ramp, "steps", r->steps);
}

static void put_config(struct builder *b, cJSON *o, const struct lt_scenario_config *cfg)
{
	cJSON *config = put(b, o, "config", cJSON_CreateObject()), *x, *arr;

	put_str(b, config, "baseUrl", cfg->base_url);
	put_pairs(b, config, "headers", cfg->headers, cfg->n_headers);
	put_num(b, config, "timeout", cfg->timeout_s);
	put_num(b, config, "connectTimeout", cfg->connect_timeout_s);
	x = put(b, config, "http", cJSON_CreateObject());
	put_str(b, x, "version", version_names[cfg->http.version]);
	put(b, x, "insecure", cJSON_CreateBool(cfg->http.insecure));
	put_str(b, x, "cacert", cfg->http.cacert);
	arr = put(b, config, "endpoints", cJSON_CreateArray());
	for (size_t i = 0; i < cfg->n_endpoints; i++) {
		const struct lt_endpoint *ep = &cfg->endpoints[i];
		cJSON *e = put(b, arr, NULL, cJSON_CreateObject());
		put_str(b, e, "name", ep->name);
		put_str(b, e, "path", ep->path);
		put_str(b, e, "method", method_names[ep->method]);
		put_num(b, e, "weight", ep->weight);
		put_pairs(b, e, "headers", ep->headers, ep->n_headers);
		put_body(b, e, ep);
		put_num(b, e, "timeout", ep->timeout_s);
		put_validation(b, e, &ep->validation);
	}
	if (cfg->model == LT_MODEL_CLOSED) {
		x = put(b, config, "users", cJSON_CreateObject());
		put_num(b, x, "concurrent", cfg->users.concurrent);
		put_ramp(b, x, "rampUp", &cfg->users.ramp_up);
		put_ramp(b, x, "rampDown", &cfg->users.ramp_down);
		cJSON *t = put(b, x, "thinkTime", cJSON_CreateObject());
		put_num(b, t, "min", cfg->users.think_time.min_ms);
		put_num(b, t, "max", cfg->users.think_time.max_ms);
		put_str(b, t, "distribution", distribution_names[cfg->users.think_time.distribution]);
	} else {
		x = put(b, config, "arrival", cJSON_CreateObject());
		put_num(b, x, "rate", cfg->arrival.rate);
		arr = put(b, x, "stages", cJSON_CreateArray());
		for (size_t i = 0; i < cfg->arrival.n_stages; i++) {
			cJSON *s = put(b, arr, NULL, cJSON_CreateObject());
			put_num(b, s, "duration", cfg->arrival.stages[i].duration_s);
			put_num(b, s, "target", cfg->arrival.stages[i].target_rate);
		}
		put_num(b, x, "maxUsers", cfg->arrival.max_users);
	}
	x = put(b, config, "duration", cJSON_CreateObject());
	put_num(b, x, "total", cfg->duration.total_s);
	put_num(b, x, "warmup", cfg->duration.warmup_s);
	put_num(b, x, "cooldown", cfg->duration.cooldown_s);
	arr = put(b, config, "thresholds", cJSON_CreateArray());
	for (size_t i = 0; i < cfg->n_thresholds; i++) {
		cJSON *t = put(b, arr, NULL, cJSON_CreateObject());
		put_str(b, t, "metric", cfg->thresholds[i].metric);
		put_str(b, t, "op", lt_scenario_op_name(cfg->thresholds[i].op));
		put_num(b, t, "limit", cfg->thresholds[i].limit);
	}
}

cJSON *lt_scenario_to_json(const struct lt_scenario *sc)
{
	struct builder b = {true};
	cJSON *root, *o;

	if (!sc || !(root = cJSON_CreateObject()))
		return NULL;
	put_str(&b, root, "id", sc->id);
	put_str(&b, root, "name", sc->name);
	put_str(&b, root, "description", sc->description);
	put_pairs(&b, root, "tags", sc->tags, sc->n_tags);
	put_config(&b, root, &sc->config);
	o = put(&b, root, "options", cJSON_CreateObject());
	put(&b, o, "saveBaseline", cJSON_CreateBool(sc->options.save_baseline));
	put(&b, o, "compareBaseline", cJSON_CreateBool(sc->options.compare_baseline));
	put_str(&b, o, "environment", sc->options.environment);
	put_str(&b, o, "version", sc->options.version);
	if (!b.ok) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* ------------------------------------------------------------------ */
/* Overrides                                                            */

lt_rc lt_scenario_apply_overrides(struct lt_scenario *sc,
				  const struct lt_scenario_overrides *ov,
				  struct lt_err *err)
{
	struct lt_scenario_config saved;
	struct ctx c = {0};
	char got[32], why[256];

	if (!sc || !ov)
		return lt_err_set(err, LT_EUSAGE, "scenario overrides: nothing to apply");
	c.set = sc->set;
	c.name = sc->source;
	c.base_dir = sc->base_dir;
	c.err = err;
	c.note = " after overrides";
	if (sc->index >= 0)
		path_push_index(&c, (size_t)sc->index);

	/* Each value on its own first, so the message names the option. */
	if (ov->duration_s < 0 || !isfinite(ov->duration_s) ||
	    ov->duration_s > LT_SCENARIO_MAX_DURATION_S) {
		fmt_num(ov->duration_s, got, sizeof got);
		return lt_err_set(err, LT_EINVAL, "duration override: must be > 0 and at most "
				  "30 days, got %s", got);
	}
	if (ov->users < 0 || ov->users > LT_SCENARIO_MAX_USERS)
		return lt_err_set(err, LT_EINVAL, "users override: must be > 0 and at most %d, got %d",
				  LT_SCENARIO_MAX_USERS, ov->users);
	if (ov->rate < 0 || !isfinite(ov->rate) || ov->rate > LT_SCENARIO_MAX_RATE) {
		fmt_num(ov->rate, got, sizeof got);
		return lt_err_set(err, LT_EINVAL, "rate override: must be > 0 and at most %g, got %s",
				  LT_SCENARIO_MAX_RATE, got);
	}
	for (size_t i = 0; i < ov->n_thresholds; i++) {
		const struct lt_threshold *t = &ov->thresholds[i];
		const struct metric *m = t->metric ? metric_find(t->metric, strlen(t->metric)) : NULL;
		if (!m)
			return lt_err_set(err, LT_EINVAL, "threshold override: unknown metric \"%s\"",
					  t->metric ? t->metric : "");
		if ((unsigned)t->op > LT_OP_GE)
			return lt_err_set(err, LT_EINVAL, "threshold override: bad operator");
		if (!threshold_limit_ok(m, t->limit, why, sizeof why))
			return lt_err_set(err, LT_EINVAL, "threshold override %s: limit %s", m->name, why);
	}

	saved = sc->config;
	if (ov->base_url) {
		/* Checked as the file's baseUrl would be, then every endpoint's
		 * URL rebuilt (the old strings stay in the arena: a failure
		 * below restores the old config and its URLs). */
		size_t nb = strlen(ov->base_url), mark = path_push_key(&c, "config");
		char *base = arena_strdup(sc->set, ov->base_url);
		cJSON *shown = cJSON_CreateString(ov->base_url);
		lt_rc rc;
		if (!base || !shown) {
			cJSON_Delete(shown);
			return lt_err_set(err, LT_ENOMEM, "%s: out of memory", sc->source);
		}
		path_push_key(&c, "baseUrl");
		rc = check_base_url(&c, shown, base);
		cJSON_Delete(shown);
		path_pop(&c, mark);
		if (rc != LT_OK)
			return rc;
		nb = strlen(base);
		struct lt_endpoint *eps = arena_array(sc->set, sc->config.n_endpoints, sizeof *eps);
		if (!eps)
			return lt_err_set(err, LT_ENOMEM, "%s: out of memory", sc->source);
		for (size_t i = 0; i < sc->config.n_endpoints; i++) {
			size_t np = strlen(sc->config.endpoints[i].path);
			char *url = arena_alloc(sc->set, nb + np + 1);
			if (!url)
				return lt_err_set(err, LT_ENOMEM, "%s: out of memory", sc->source);
			memcpy(url, base, nb);
			memcpy(url + nb, sc->config.endpoints[i].path, np + 1);
			eps[i] = sc->config.endpoints[i];
			eps[i].url = url;
		}
		sc->config.base_url = base;
		sc->config.endpoints = eps;
	}
	if (ov->n_thresholds) {
		size_t cap = sc->config.n_thresholds + ov->n_thresholds, n = 0;
		struct lt_threshold *list = arena_array(sc->set, cap, sizeof *list);
		if (!list)
			return lt_err_set(err, LT_ENOMEM, "%s: out of memory", sc->source);
		for (size_t i = 0; i < sc->config.n_thresholds; i++) {
			bool replaced = false;
			for (size_t j = 0; j < ov->n_thresholds && !replaced; j++)
				replaced = strcmp(sc->config.thresholds[i].metric,
						  metric_find(ov->thresholds[j].metric,
							      strlen(ov->thresholds[j].metric))->name) == 0;
			if (!replaced)
				list[n++] = sc->config.thresholds[i];
		}
		for (size_t j = 0; j < ov->n_thresholds; j++) {
			list[n] = ov->thresholds[j];
			/* Stored names point to constant storage, never the caller's. */
			list[n].metric = metric_find(list[n].metric, strlen(list[n].metric))->name;
			n++;
		}
		sc->config.thresholds = list;
		sc->config.n_thresholds = n;
	}
	if (ov->duration_s > 0)
		sc->config.duration.total_s = ov->duration_s;
	if (ov->rate > 0) {
		if (sc->config.model == LT_MODEL_CLOSED)
			sc->config.arrival.max_users = LT_SCENARIO_DEFAULT_MAX_USERS;
		sc->config.model = LT_MODEL_OPEN;
		sc->config.arrival.rate = ov->rate;
		sc->config.arrival.stages = NULL;
		sc->config.arrival.n_stages = 0;
	}
	if (ov->users > 0) {
		if (sc->config.model == LT_MODEL_CLOSED)
			sc->config.users.concurrent = ov->users;
		else
			sc->config.arrival.max_users = ov->users;
	}
	if (check_timing(&c, &sc->config) != LT_OK) {
		sc->config = saved;
		return LT_EINVAL;
	}
	return LT_OK;
}

/* ------------------------------------------------------------------ */
/* JSON checks on responses                                             */

const cJSON *lt_scenario_json_lookup(const struct lt_json_check *check, const cJSON *doc)
{
	const cJSON *cur = doc;

	for (size_t i = 0; cur && i < check->n_steps; i++) {
		const struct lt_json_step *s = &check->steps[i];
		if (s->key) {
			cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, s->key) : NULL;
		} else if (cJSON_IsArray(cur)) {
			long n = cJSON_GetArraySize(cur), idx = s->index < 0 ? n + s->index : s->index;
			cur = idx >= 0 && idx < n ? cJSON_GetArrayItem(cur, (int)idx) : NULL;
		} else {
			cur = NULL;
		}
	}
	return cur;
}

bool lt_scenario_json_check(const struct lt_json_check *check, const cJSON *doc)
{
	const cJSON *found = lt_scenario_json_lookup(check, doc);

	if (check->equals)
		return found && cJSON_Compare(found, check->equals, true);
	return check->exists ? found != NULL : found == NULL;
}
