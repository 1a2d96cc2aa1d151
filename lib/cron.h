/* cron.h -- cron expressions and their fire times in a time zone.
 *
 * lt-sched runs scenarios on cron schedules.  This module parses the five
 * fields of a crontab line as cronie (the cron of Fedora, RHEL and Arch)
 * reads them, and answers "when does it fire next?" in a named IANA time
 * zone or the local one, daylight-saving changes included, the way cronie's
 * daemon behaves when they happen.  Not a goal: a sixth (seconds) field,
 * the command part of a crontab line, Quartz syntax (? L W #), cronie's
 * random ranges (a~b), or running anything: the caller owns the clock and
 * the jobs, this module only does calendar arithmetic.
 *
 * Syntax (in this header "* /" stands for star-slash written without the
 * space, which would end the comment)
 *
 *     minute  hour  day-of-month  month  day-of-week
 *     0-59    0-23  1-31          1-12   0-7 (0 and 7 are Sunday)
 *                                 jan-dec     sun-sat
 *
 * Fields are separated by spaces or tabs.  Each field is a comma list of
 * items; an item is
 *     *          every value of the field
 *     N          one value (a number, or a name where the field has names)
 *     N-M        the values N to M inclusive
 *     * /S       every S-th value from the first
 *     N-M/S      every S-th value from N up to M
 *     N/S        every S-th value from N up to the field's maximum
 * Names are the first three letters of a month or a weekday, in any case
 * ("Jan", "MON"), and may be ends of ranges ("mon-fri").  The shorthands
 * @yearly (@annually), @monthly, @weekly, @daily (@midnight) and @hourly
 * stand for "0 0 1 1 *", "0 0 1 * *", "0 0 * * 0", "0 0 * * *" and
 * "0 * * * *"; @reboot is rejected, since it is not a time.
 *
 * Where lt decides what cronie leaves open or does differently:
 *   - N/S: cronie 1.7 rejects it (get_range() allows '/' only after '*'
 *     or a range; crontab -T says "bad minute").  lt accepts it with the
 *     meaning croniter and systemd's calendar events give it, N-max/S:
 *     "0/15" is a common idiom, and reading it as anything else would be
 *     a silent surprise.
 *   - A step larger than its range ("* /90" in minutes, "5-10/7"): cronie
 *     prints "Step size 90 higher than possible maximum" and fires at the
 *     first value only.  lt rejects it: a schedule that runs hourly when
 *     the user asked for every 90 minutes is a bug nobody sees.
 *   - A reversed range ("22-2"): cronie 1.7 accepts it and it selects
 *     nothing (older cronie rejected it).  lt rejects it and says to
 *     write "22-23,0-2": cron ranges do not wrap.  One exception, as in
 *     cronie 1.7: a day-of-week range ending in 0 or sun ("sat-sun",
 *     "5-0") runs to Sunday = 7.
 *   - Shorthands are matched in any case ("@Daily"); cronie wants lower
 *     case.
 *
 * Day of month and day of week (cronie's find_jobs() in cron.c, the
 * DOM_STAR and DOW_STAR flags of entry.c): a field is "star" when its text
 * starts with '*' -- so "* /2" (no space) is star although it restricts
 * the days.  When either day field is star, a day must match both fields;
 * when neither is, a day matches when either field does:
 *     "30 4 1,15 * fri"   the 1st, the 15th and every Friday
 *     "0 0 * * fri"       only Fridays        (day-of-month is star)
 *     "0 0 13 * * /2"     the 13th, when it is a Sun, Tue, Thu or Sat
 *                         (day-of-week "* /2" is star: both must match)
 *
 * Time zones and daylight saving (cronie's main loop in cron.c)
 *
 * Fields are matched against the wall-clock time of the zone.  cronie
 * compares each minute of wall-clock time with the previous one and
 * classifies the jump; lt reproduces the outcome as fire times.  A job
 * is "wildcard" when its minute or hour field starts with '*' (cronie's
 * MIN_STAR and HR_STAR: "30 * * * *", "* /10 2 * * *", @hourly), "fixed"
 * otherwise ("30 2 * * *", "0-59 2 * * *", @daily).
 *   - Clocks jump forward by D minutes, D <= 179 (every real DST start):
 *     the skipped wall times do not exist.  A fixed job that matches a
 *     skipped minute fires once, at the first minute after the jump;
 *     a wildcard job's skipped minutes are lost.  (cronie: "medium"
 *     jump, fixed-time jobs run for each minute missed.  Jumps of at most
 *     4 minutes, "small", catch up every job, wildcard too; jumps of 3
 *     hours or more, "large", catch up none.)  Several skipped matches
 *     give one fire time here; cronie would start the job once per match,
 *     seconds apart.
 *   - Clocks go back by D minutes, D <= 181 (every real DST end): the
 *     repeated wall times occur twice.  A fixed job fires in the first
 *     pass only; a wildcard job fires in both.  (cronie: "negative" jump,
 *     only wildcard jobs run until wall-clock time passes the time it
 *     had reached.)  A larger jump back repeats every job.
 * Europe/Berlin on 2026-03-29 (02:00 CET becomes 03:00 CEST):
 *     "30 2 * * *"    2026-03-29T03:00:00+02:00, then 2026-03-30T02:30+02:00
 *     "30 * * * *"    ...T01:30:00+01:00, then T03:30:00+02:00
 * and on 2026-10-25 (03:00 CEST becomes 02:00 CET):
 *     "30 2 * * *"    2026-10-25T02:30:00+02:00, then 2026-10-26T02:30+01:00
 *     "30 * * * *"    T02:30:00+02:00, T02:30:00+01:00, T03:30:00+01:00
 * This is cronie with the zone as its local zone (TZ of the daemon).  For
 * a CRON_TZ= zone other than its own, cronie admits that it may skip or
 * repeat jobs around DST changes (comment in find_jobs()); lt applies the
 * rules above in every zone.  cronie notices a change only when the
 * zone's isdst flag flips; lt treats every change of UTC offset alike.
 * The state cronie carries from minute to minute reaches back at most 3
 * hours, so lt's answer depends only on the zone and the expression,
 * never on when a daemon started.
 *
 * Zones are IANA names ("Europe/Berlin", "America/New_York", "UTC") read
 * from $TZDIR or /usr/share/zoneinfo (Debian package tzdata); POSIX TZ
 * strings ("CET-1CEST,...") are not accepted.  NULL means the local zone
 * (TZ, else /etc/localtime).  The C library converts times only in the
 * zone named by the process-global TZ variable, so each call that
 * converts sets TZ, calls tzset(), converts and puts TZ back, holding one
 * mutex of this module throughout: calls on different threads are
 * serialized and always see their own zone.  Other threads that call
 * getenv("TZ"), localtime() or mktime() while such a call runs may see
 * the temporary TZ; UTC functions (gmtime_r, lti_time_format) are not
 * affected.  Offset changes that revert within one day would go unseen
 * (the module samples each zone's offset once a day and bisects where it
 * changed); no zone has such a rule.
 *
 * Cost: lt_cron_next() jumps month to day to hour to minute through the
 * wall-clock calendar instead of walking minutes, and samples the zone
 * once a day between the start and the answer.  Switching TZ makes
 * tzset() read zone files twice, so a call with a named zone costs some
 * 20-100 us (x86-64, 2026), 0.1-0.6 ms when the next fire is years or
 * decades away.  An expression that never fires ("0 0 30 2 *") is
 * reported after one 400-year Gregorian cycle of calendar search --
 * exact, since the calendar repeats after that -- in about 0.2 ms.
 */
#ifndef LT_CRON_H
#define LT_CRON_H

#include "lt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A parsed expression; opaque, immutable after lt_cron_parse(), so one
 * may be shared by threads. */
struct lt_cron;

typedef enum {
	LT_CRON_MINUTE = 0,
	LT_CRON_HOUR = 1,
	LT_CRON_DOM = 2,    /* day of month */
	LT_CRON_MONTH = 3,
	LT_CRON_DOW = 4,    /* day of week */
} lt_cron_field;

/* "2026-03-29T03:00:00+02:00": 25 characters + NUL, with room to spare. */
#define LT_CRON_TIME_LEN 32

/* Room enough for any lt_cron_describe() text. */
#define LT_CRON_DESCRIBE_LEN 1024

/* Parse a cron expression: five fields or a shorthand, with leading and
 * trailing blanks ignored.  On success *out is new (lt_cron_free()).  On
 * failure *out is unchanged and err says which field and why, e.g.
 *     cron: "0 25 * * *": hour: 25 is out of range 0-23
 *     cron: "* /0 * * * *": minute: step must be >= 1
 *     cron: "0 0 * *": expected 5 fields (minute hour day-of-month month
 *           day-of-week), got 4
 *     cron: "0 0 * * moon": day-of-week: unknown name "moon" (use sun,
 *           mon, tue, wed, thu, fri or sat)
 * LT_EINVAL for a bad expression, LT_EUSAGE for NULL arguments, LT_ENOMEM. */
lt_rc lt_cron_parse(const char *expr, struct lt_cron **out, struct lt_err *err);

/* Free c; NULL is a no-op. */
void lt_cron_free(struct lt_cron *c);

/* The expression as given to lt_cron_parse(); borrowed, valid until
 * lt_cron_free(c). */
const char *lt_cron_text(const struct lt_cron *c);

/* The values a field selects, bit v for value v: minutes 0-59, hours 0-23,
 * days 1-31, months 1-12, weekdays 0-6 (Sunday 0; a 7 in the expression
 * shows as 0).  Shorthands show as the fields they stand for. */
uint64_t lt_cron_field_set(const struct lt_cron *c, lt_cron_field f);

/* True when the field's text starts with '*' (cronie's *_STAR flags), which
 * decides the day-of-month/day-of-week rule and, for minute and hour,
 * whether the job is "wildcard" across daylight-saving changes. */
bool lt_cron_field_star(const struct lt_cron *c, lt_cron_field f);

/* A normalized five-field form of c in buf, snprintf-style: names become
 * numbers, lists are sorted, runs of three or more become ranges ("1-5",
 * not "mon,tue,wed-fri"), and a star field stays star -- "*", or the
 * smallest step whose values all belong followed by the rest ("* /15",
 * "* /2,3") -- so the text parses back to the same sets and flags, hence
 * the same fire times.  Shorthands come out as their fields.  Returns the
 * length the full text needs (LT_CRON_DESCRIBE_LEN always suffices). */
size_t lt_cron_describe(const struct lt_cron *c, char *buf, size_t size);

/* Check that tz names a readable IANA zone (a TZif file under $TZDIR or
 * /usr/share/zoneinfo).  NULL, the local zone, is always valid.
 * LT_EINVAL with the reason otherwise. */
lt_rc lt_cron_zone_check(const char *tz, struct lt_err *err);

/* The first time strictly after `after` at which c fires in zone tz (NULL:
 * local), by the rules above: a UTC epoch second on a wall-clock minute
 * boundary, in *next.  Times are searched from year 1 to year 9999.
 * LT_ENOTFOUND when c fires never (no match in a 400-year cycle) or not
 * before year 10000; LT_EINVAL for a bad zone or an `after` outside years
 * 1-9999; LT_EUSAGE for NULL c or next; LT_ENOMEM.  *next is unchanged on
 * failure. */
lt_rc lt_cron_next(const struct lt_cron *c, const char *tz, time_t after,
		   time_t *next, struct lt_err *err);

/* True when c fires in the minute that holds t (zone tz, NULL: local):
 * exactly when lt_cron_next(c, tz, start of that minute - 1) gives the
 * start of that minute.  False also when the zone is bad; check it first
 * with lt_cron_zone_check(). */
bool lt_cron_matches(const struct lt_cron *c, const char *tz, time_t t);

/* Format t as RFC 3339 with the zone's UTC offset at that instant,
 * "2026-03-29T03:00:00+02:00" (UTC gives "+00:00"; the seconds of
 * historical offsets such as +00:19:32 are dropped), into buf.  LT_EINVAL
 * for a bad zone or a t outside years 1-9999. */
lt_rc lt_cron_format_time(time_t t, const char *tz, char buf[LT_CRON_TIME_LEN],
			  struct lt_err *err);

/* Parse a time for "--from": RFC 3339 with "Z" or an offset
 * ("2026-03-29T01:30:00+01:00"), or a wall-clock time in zone tz without
 * an offset ("2026-03-29T01:30", "2026-03-29 01:30:00", "2026-03-29" for
 * midnight).  A wall-clock time that occurs twice (clocks going back)
 * means the first; one that does not exist (clocks jumping forward) is
 * LT_EINVAL, as is anything else.  *t is unchanged on failure. */
lt_rc lt_cron_parse_time(const char *s, const char *tz, time_t *t,
			 struct lt_err *err);

#endif
