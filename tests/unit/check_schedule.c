/* check_schedule.c -- scheduled executions (lib/schedule.c).
 *
 * Through the public API, with a fake clock (its sleep only advances its
 * time) and a fake attempt runner (scripted exit statuses), so that
 * retries and their backoff, catch-up, deadlines, policies, the lock,
 * notifications and history pruning are checked in milliseconds.  The real
 * pipeline is checked here only where it cannot start (missing programs, a
 * stored scenario that is gone); tests/cli/sched runs it for real.
 */
#include "unit.h"
#include "cron.h"
#include "db.h"
#include "lt.h"
#include "ndjson.h"
#include "schedule.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char path[300];
static char scenario_file[300];

static void setup(void)
{
	FILE *f;
	snprintf(dir, sizeof dir, "/tmp/lt-check-schedule-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/lt.db", dir);
	snprintf(scenario_file, sizeof scenario_file, "%s/s.json", dir);
	ck_assert_ptr_nonnull(f = fopen(scenario_file, "w"));
	fputs("{\"id\": \"s\", \"name\": \"s\", \"config\": {\"baseUrl\": \"http://127.0.0.1:9\","
	      " \"endpoints\": [{\"path\": \"/\"}], \"users\": {\"concurrent\": 1},"
	      " \"duration\": {\"total\": 1}}}\n", f);
	fclose(f);
}

static int remove_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static void teardown(void)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- helpers ------------------------------------------------------------------ */

static double at(const char *rfc3339)
{
	double t = 0;
	ck_assert_msg(lti_time_parse(rfc3339, &t), "%s", rfc3339);
	return t;
}

static struct lt_db *open_db(void)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	ck_assert_msg(lt_db_open(path, 0, &db, &err) == LT_OK, "%s", lt_errmsg(&err));
	return db;
}

/* A schedule from JSON text (the scenario: the file of setup()). */
static struct lt_schedule *sched(const char *json)
{
	cJSON *obj = cJSON_Parse(json);
	struct lt_schedule *s = NULL;
	struct lt_err err = {0};
	ck_assert_msg(obj != NULL, "bad test JSON: %s", json);
	if (!cJSON_GetObjectItem(obj, "scenarioFile") && !cJSON_GetObjectItem(obj, "scenarioId"))
		cJSON_AddStringToObject(obj, "scenarioFile", scenario_file);
	ck_assert_msg(lt_schedule_from_json(obj, "t.json", &s, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	cJSON_Delete(obj);
	return s;
}

/* Parse, resolve and store a schedule created at `created`. */
static void add(struct lt_db *db, const char *json, double created)
{
	struct lt_schedule *s = sched(json);
	struct lt_err err = {0};
	ck_assert_msg(lt_schedule_resolve(db, s, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_msg(lt_schedule_add(db, &s, 1, false, created, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	lt_schedule_free(s);
}

static void expect_error(const char *json, const char *want)
{
	cJSON *obj = cJSON_Parse(json);
	struct lt_schedule *s = NULL;
	struct lt_err err = {0};
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(lt_schedule_from_json(obj, "t.json", &s, &err), LT_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(lt_errmsg(&err), want), "\"%s\" lacks \"%s\"", lt_errmsg(&err), want);
	cJSON_Delete(obj);
}

/* The fake clock: sleep advances it and adds to `slept`. */
struct fake_clock {
	pthread_mutex_t mu;
	double t, slept;
};

static double fake_now(void *ctx)
{
	struct fake_clock *c = ctx;
	pthread_mutex_lock(&c->mu);
	double t = c->t;
	pthread_mutex_unlock(&c->mu);
	return t;
}

static void fake_sleep(void *ctx, double s)
{
	struct fake_clock *c = ctx;
	pthread_mutex_lock(&c->mu);
	c->t += s;
	c->slept += s;
	pthread_mutex_unlock(&c->mu);
}

/* The fake attempt runner: results in order, then success.  An attempt
 * with block set calls keep_going until it says stop (or 10 s pass). */
struct script {
	pthread_mutex_t mu;
	struct { int run_exit, sink_exit; bool block; } step[16];
	size_t n, next;
	size_t calls;
	double started[16];        /* clock time of each call */
	struct fake_clock *clock;
	volatile int running;
};

static lt_rc fake_exec(const struct lt_schedule_job *job, struct lt_schedule_result *res,
		       void *ctx)
{
	struct script *sc = ctx;
	size_t i;

	pthread_mutex_lock(&sc->mu);
	i = sc->next++;
	if (sc->calls < 16)
		sc->started[sc->calls] = sc->clock ? sc->clock->t : 0;
	sc->calls++;
	pthread_mutex_unlock(&sc->mu);
	memset(res, 0, sizeof *res);
	res->run_exit = i < sc->n ? sc->step[i].run_exit : 0;
	res->sink_exit = i < sc->n ? sc->step[i].sink_exit : 0;
	snprintf(res->stderr_tail, sizeof res->stderr_tail, "attempt %u of %s\n", job->attempt,
		 job->sched->name);
	if (i < sc->n && sc->step[i].block) {
		lt_schedule_end why = LT_SCHEDULE_STOPPED;
		sc->running = 1;
		for (int k = 0; k < 1000; k++) {
			if (!job->keep_going(job->keep_going_ctx, &why)) {
				res->end = why;
				res->run_exit = 130;
				break;
			}
			usleep(10000);
		}
		sc->running = 0;
	}
	return LT_OK;
}

/* Events, as lines: "R status" for records, "I message", "W message". */
struct events {
	char text[65536];
	size_t len;
};

static void on_event(const struct lt_schedule_event *ev, void *ctx)
{
	struct events *e = ctx;
	int n = snprintf(e->text + e->len, sizeof e->text - e->len, "%c %s\n",
			 ev->kind == LT_SCHEDULE_EV_RECORD ? 'R' : ev->kind == LT_SCHEDULE_EV_INFO ? 'I' : 'W',
			 ev->kind == LT_SCHEDULE_EV_RECORD ? ev->status : ev->message);
	if (n > 0 && e->len + (size_t)n < sizeof e->text)
		e->len += (size_t)n;
}

struct rig {
	struct fake_clock clock;
	struct lt_schedule_clock lc;
	struct script script;
	struct events events;
	struct lt_schedule_env env;
	struct lt_schedule_runner *r;
	struct lt_db *db;
	char *console;
	size_t console_len;
	FILE *console_f;
	volatile sig_atomic_t stop, stop_now;
};

static void rig_init(struct rig *g, double now)
{
	struct lt_err err = {0};
	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->clock.mu, NULL);
	pthread_mutex_init(&g->script.mu, NULL);
	g->clock.t = now;
	g->lc = (struct lt_schedule_clock){ fake_now, fake_sleep, &g->clock };
	g->script.clock = &g->clock;
	ck_assert_ptr_nonnull(g->console_f = open_memstream(&g->console, &g->console_len));
	g->env = (struct lt_schedule_env){
		.db_path = path, .clock = &g->lc, .exec = fake_exec, .exec_ctx = &g->script,
		.on_event = on_event, .event_ctx = &g->events, .console = g->console_f,
		.stop = &g->stop, .stop_now = &g->stop_now,
	};
	g->db = open_db();
	ck_assert_msg(lt_schedule_runner_new(&g->env, &g->r, &err) == LT_OK, "%s", lt_errmsg(&err));
}

/* One pass at the clock's time, waiting for what it started. */
static size_t rig_tick(struct rig *g)
{
	struct lt_err err = {0};
	size_t started = 0;
	ck_assert_msg(lt_schedule_runner_tick(g->r, g->db, &started, NULL, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	lt_schedule_runner_wait(g->r, NULL, NULL, NULL);
	return started;
}

static void rig_free(struct rig *g)
{
	lt_schedule_runner_free(g->r);
	lt_db_close(g->db);
	fclose(g->console_f);
	free(g->console);
}

static cJSON *history(struct lt_db *db, const char *name)
{
	cJSON *rows = NULL;
	struct lt_err err = {0};
	ck_assert_msg(lt_db_executions_list(db, name, 0, &rows, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	return rows;
}

static const char *row_str(const cJSON *rows, int i, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, i), key));
}

static double row_num(const cJSON *rows, int i, const char *key)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, i), key));
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- schedules from JSON --------------------------------------------------- */

START_TEST(test_from_json_full)
{
	struct lt_schedule *s = sched(
		"{\"name\": \"nightly\", \"scenarioId\": \"checkout\", \"schedule\": \"0 2 * * *\","
		" \"enabled\": false, \"options\": {\"compareBaseline\": true, \"notifyOnRegression\": true,"
		" \"duration\": \"30s\", \"thresholds\": [\"p95<300\"], \"tags\": {\"team\": \"shop\"}},"
		" \"retries\": {\"max\": 3, \"backoff\": \"1m\"}, \"timeout\": \"15m\","
		" \"concurrencyPolicy\": \"Replace\", \"startingDeadlineSeconds\": 300,"
		" \"historyLimit\": 7, \"timezone\": \"Europe/Berlin\", \"environment\": \"staging\","
		" \"notify\": [\"console\", \"email:ops@example.org\"], \"lastFiredAt\": \"x\"}");
	ck_assert_str_eq(s->name, "nightly");
	ck_assert_str_eq(s->scenario_id, "checkout");
	ck_assert_ptr_null(s->scenario_path);
	ck_assert_str_eq(s->expr, "0 2 * * *");
	ck_assert(!s->enabled);
	ck_assert(s->compare_baseline && s->notify_on_regression);
	ck_assert_uint_eq(s->retries, 3);
	ck_assert_double_eq(s->backoff_s, 60);
	ck_assert_double_eq(s->timeout_s, 900);
	ck_assert_int_eq(s->policy, LT_SCHEDULE_REPLACE);
	ck_assert_double_eq(s->starting_deadline_s, 300);
	ck_assert_uint_eq(s->history_limit, 7);
	ck_assert_str_eq(s->timezone, "Europe/Berlin");
	ck_assert_str_eq(s->environment, "staging");
	ck_assert_uint_eq(s->n_notify, 2);
	ck_assert_str_eq(s->notify[1], "email:ops@example.org");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(s->run_options, "duration")), "30s");
	ck_assert_ptr_null(cJSON_GetObjectItem(s->run_options, "compareBaseline"));

	/* to_json gives back what from_json reads. */
	cJSON *j = lt_schedule_to_json(s, -1);
	struct lt_schedule *back = NULL;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_schedule_from_json(j, NULL, &back, &err), LT_OK);
	char *a = cJSON_PrintUnformatted(j), *b;
	cJSON *j2 = lt_schedule_to_json(back, -1);
	b = cJSON_PrintUnformatted(j2);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	cJSON_Delete(j);
	cJSON_Delete(j2);
	lt_schedule_free(back);
	lt_schedule_free(s);
}
END_TEST

START_TEST(test_from_json_defaults)
{
	struct lt_schedule *s = sched("{\"name\": \"n\", \"scenarioId\": \"dir/s.json\", \"schedule\": \"@daily\"}");
	ck_assert(s->enabled);
	ck_assert(!s->compare_baseline);
	ck_assert_ptr_null(s->scenario_id);
	ck_assert_str_eq(s->scenario_path, "dir/s.json"); /* a scenarioId naming a file */
	ck_assert_uint_eq(s->retries, 0);
	ck_assert_double_eq(s->backoff_s, 30);
	ck_assert_double_eq(s->timeout_s, 0);
	ck_assert_int_eq(s->policy, LT_SCHEDULE_FORBID);
	ck_assert(s->starting_deadline_s < 0);
	ck_assert_uint_eq(s->history_limit, LT_SCHEDULE_HISTORY_DEFAULT);
	ck_assert_ptr_null(s->timezone);
	ck_assert(s->last_fired_at < 0);
	lt_schedule_free(s);
	lt_schedule_free(NULL);
}
END_TEST

START_TEST(test_from_json_errors)
{
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"0 25 * * *\"}",
		     "t.json: schedule: cron: \"0 25 * * *\": hour: 25 is out of range 0-23");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"retries\": {\"max\": 101}}",
		     "t.json: retries.max: expected a whole number 0-100");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"retries\": {\"tries\": 1}}",
		     "t.json: retries: unknown member \"tries\"");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"timeout\": -5}",
		     "t.json: timeout: expected a duration");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"historyLimit\": 0}",
		     "t.json: historyLimit: expected a whole number 1-1000000");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"startingDeadlineSeconds\": \"1m\"}",
		     "t.json: startingDeadlineSeconds: expected a number of seconds");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"timezone\": \"Nowhere/Town\"}",
		     "t.json: timezone: ");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"notify\": 3}",
		     "t.json: notify: expected a string or an array of strings");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"options\": {\"users\": 0}}",
		     "t.json: options.users: expected a whole number 1-1000000");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": \"@daily\", \"options\": {\"warmup\": 1}}",
		     "t.json: options.warmup: unknown option");
	expect_error("{\"name\": \"a b\", \"scenarioId\": \"x\", \"schedule\": \"@daily\"}", "t.json: name: expected a name");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\", \"schedule\": 5}", "t.json: schedule: expected a cron expression, got a number");
	expect_error("{\"name\": \"n\", \"scenarioId\": \"x\"}", "t.json: schedule: missing");
	expect_error("[]", "t.json: expected a schedule object, got an array");
}
END_TEST

/* ---- when a schedule is due ------------------------------------------------- */

START_TEST(test_due)
{
	struct lt_schedule *s = sched("{\"name\": \"n\", \"schedule\": \"*/10 * * * *\", \"timezone\": \"UTC\"}");
	struct lt_schedule_due d;
	struct lt_err err = {0};

	/* Never fired: the creation time is the reference. */
	s->created_at = at("2030-01-01T00:00:30Z");
	ck_assert_int_eq(lt_schedule_due(s, at("2030-01-01T00:09:59Z"), &d, &err), LT_OK);
	ck_assert(!d.due && !d.too_late);
	ck_assert_int_eq(d.next_fire, (time_t)at("2030-01-01T00:10:00Z"));
	ck_assert_int_eq(lt_schedule_due(s, at("2030-01-01T00:10:00.5Z"), &d, &err), LT_OK);
	ck_assert(d.due);
	ck_assert_int_eq(d.fire_time, (time_t)at("2030-01-01T00:10:00Z"));
	ck_assert_uint_eq(d.missed, 0);
	/* Fired at 00:10: not due again until 00:20. */
	s->last_fired_at = at("2030-01-01T00:10:00Z");
	ck_assert_int_eq(lt_schedule_due(s, at("2030-01-01T00:19:00Z"), &d, &err), LT_OK);
	ck_assert(!d.due);
	/* Down for an hour: only the latest fire time runs, five are missed. */
	ck_assert_int_eq(lt_schedule_due(s, at("2030-01-01T01:15:00Z"), &d, &err), LT_OK);
	ck_assert(d.due);
	ck_assert_int_eq(d.fire_time, (time_t)at("2030-01-01T01:10:00Z"));
	ck_assert_uint_eq(d.missed, 5);
	ck_assert(!d.missed_more);
	/* ... unless it was missed by more than the deadline. */
	s->starting_deadline_s = 240;
	ck_assert_int_eq(lt_schedule_due(s, at("2030-01-01T01:15:00Z"), &d, &err), LT_OK);
	ck_assert(!d.due && d.too_late);
	ck_assert_int_eq(lt_schedule_due(s, at("2030-01-01T01:13:59Z"), &d, &err), LT_OK);
	ck_assert(d.due);
	/* Years down: found without walking them, the count capped. */
	s->starting_deadline_s = -1;
	ck_assert_int_eq(lt_schedule_due(s, at("2034-06-01T12:34:56Z"), &d, &err), LT_OK);
	ck_assert(d.due);
	ck_assert_int_eq(d.fire_time, (time_t)at("2034-06-01T12:30:00Z"));
	ck_assert(d.missed_more);
	ck_assert_uint_eq(d.missed, LT_SCHEDULE_MISSED_COUNT_MAX);
	/* Disabled: never due, the next fire time still known. */
	s->enabled = false;
	ck_assert_int_eq(lt_schedule_due(s, at("2030-01-01T01:15:00Z"), &d, &err), LT_OK);
	ck_assert(!d.due && !d.too_late);
	ck_assert_int_eq(d.next_fire, (time_t)at("2030-01-01T01:20:00Z"));
	lt_schedule_free(s);
}
END_TEST

START_TEST(test_due_sparse_and_dst)
{
	struct lt_schedule *s = sched("{\"name\": \"n\", \"schedule\": \"30 2 * * *\", \"timezone\": \"Europe/Berlin\"}");
	struct lt_schedule_due d;
	struct lt_err err = {0};

	/* 02:30 does not exist on 2026-03-29: the fixed job runs at 03:00. */
	s->last_fired_at = at("2026-03-28T01:30:00Z");
	ck_assert_int_eq(lt_schedule_due(s, at("2026-03-29T01:00:30Z"), &d, &err), LT_OK);
	ck_assert(d.due);
	ck_assert_int_eq(d.fire_time, (time_t)at("2026-03-29T01:00:00Z"));
	lt_schedule_free(s);

	/* A yearly schedule last run two years ago: one missed, the latest due. */
	s = sched("{\"name\": \"n\", \"schedule\": \"0 0 29 2 *\", \"timezone\": \"UTC\"}");
	s->last_fired_at = at("2024-02-29T00:00:00Z");
	ck_assert_int_eq(lt_schedule_due(s, at("2032-03-01T00:00:00Z"), &d, &err), LT_OK);
	ck_assert(d.due);
	ck_assert_int_eq(d.fire_time, (time_t)at("2032-02-29T00:00:00Z"));
	ck_assert_uint_eq(d.missed, 1); /* 2028 */
	lt_schedule_free(s);
}
END_TEST

/* ---- classifying an attempt --------------------------------------------------- */

START_TEST(test_classify)
{
	static const struct {
		bool compare;
		lt_schedule_end end;
		int run, sink;
		const char *status;
		int code;
		bool retry;
	} cases[] = {
		{ false, LT_SCHEDULE_ENDED, 0, 0, "success", 0, false },
		{ true, LT_SCHEDULE_ENDED, 0, 0, "success", 0, false },
		{ true, LT_SCHEDULE_ENDED, 0, 1, "regression", 1, false },
		{ false, LT_SCHEDULE_ENDED, 0, 1, "failed", 1, true },   /* lt-store 1: not a verdict */
		{ true, LT_SCHEDULE_ENDED, 1, 0, "failed", 1, false },   /* thresholds crossed */
		{ true, LT_SCHEDULE_ENDED, 1, 1, "regression", 1, false },
		{ true, LT_SCHEDULE_ENDED, 2, 2, "failed", 2, true },
		{ true, LT_SCHEDULE_ENDED, 0, 3, "failed", 3, true },
		{ true, LT_SCHEDULE_ENDED, 137, 0, "failed", 137, true },
		{ true, LT_SCHEDULE_TIMED_OUT, 130, 0, "failed", 124, true },
		{ true, LT_SCHEDULE_REPLACED, 130, 0, "failed", 143, false },
		{ true, LT_SCHEDULE_STOPPED, 130, 0, "failed", 143, true },
		{ true, LT_SCHEDULE_NOT_STARTED, -1, -1, "failed", 2, true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct lt_schedule s = { .compare_baseline = cases[i].compare };
		struct lt_schedule_result res = { .end = cases[i].end, .run_exit = cases[i].run,
						  .sink_exit = cases[i].sink };
		struct lt_schedule_outcome oc;
		lt_schedule_classify(&s, &res, &oc);
		ck_assert_msg(!strcmp(oc.status, cases[i].status) && oc.exit_code == cases[i].code &&
			      oc.retryable == cases[i].retry, "case %zu: %s %d %d", i, oc.status,
			      oc.exit_code, oc.retryable);
	}
}
END_TEST

/* ---- the lock ------------------------------------------------------------------- */

START_TEST(test_claim)
{
	struct lt_db *a = open_db(), *b = open_db();
	struct lt_err err = {0};
	enum lt_db_claim_result got;
	struct lt_db_claim c = {
		.schedule = "n", .fire_time = "2030-01-01T00:10:00.000Z", .execution_id = "e1",
		.scenario_id = "s", .holder = "h:1", .now = "2030-01-01T00:10:01.000Z", .forbid = true,
	};

	add(a, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\"}", at("2030-01-01T00:00:00Z"));
	ck_assert_int_eq(lt_db_schedule_claim(a, &c, &got, &err), LT_OK);
	ck_assert_int_eq(got, LT_DB_CLAIMED);
	c.execution_id = "e2";
	ck_assert_int_eq(lt_db_schedule_claim(b, &c, &got, &err), LT_OK);
	ck_assert_int_eq(got, LT_DB_CLAIM_TAKEN);
	/* forbid: e1 still runs, so the next fire time is skipped... */
	c.fire_time = "2030-01-01T00:20:00.000Z";
	ck_assert_int_eq(lt_db_schedule_claim(b, &c, &got, &err), LT_OK);
	ck_assert_int_eq(got, LT_DB_CLAIM_BUSY);
	/* ...but allowed without forbid. */
	c.fire_time = "2030-01-01T00:30:00.000Z";
	c.forbid = false;
	ck_assert_int_eq(lt_db_schedule_claim(b, &c, &got, &err), LT_OK);
	ck_assert_int_eq(got, LT_DB_CLAIMED);
	bool newer = false;
	ck_assert_int_eq(lt_db_schedule_newer_claim(a, "n", "2030-01-01T00:10:00.000Z", &newer, &err), LT_OK);
	ck_assert(newer);
	ck_assert_int_eq(lt_db_schedule_newer_claim(a, "n", "2030-01-01T00:30:00.000Z", &newer, &err), LT_OK);
	ck_assert(!newer);
	/* Handed back, the fire time can be claimed again. */
	ck_assert_int_eq(lt_db_schedule_release(a, "n", "2030-01-01T00:30:00.000Z",
						"2030-01-01T00:29:59.000Z", &err), LT_OK);
	c.execution_id = "e3";
	ck_assert_int_eq(lt_db_schedule_claim(a, &c, &got, &err), LT_OK);
	ck_assert_int_eq(got, LT_DB_CLAIMED);
	/* Disabled: gone. */
	ck_assert_int_eq(lt_db_schedule_set_enabled(a, "n", false, "2030-01-01T00:31:00.000Z", &err), LT_OK);
	c.fire_time = "2030-01-01T00:40:00.000Z";
	ck_assert_int_eq(lt_db_schedule_claim(a, &c, &got, &err), LT_OK);
	ck_assert_int_eq(got, LT_DB_CLAIM_GONE);
	lt_db_close(a);
	lt_db_close(b);
}
END_TEST

#define CLAIMERS 8

struct claimer {
	pthread_barrier_t *barrier;
	int index;
	enum lt_db_claim_result got;
	lt_rc rc;
};

static void *claim_thread(void *arg)
{
	struct claimer *c = arg;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char id[16];

	snprintf(id, sizeof id, "e%d", c->index);
	if ((c->rc = lt_db_open(path, 0, &db, &err)) != LT_OK)
		return NULL;
	struct lt_db_claim cl = {
		.schedule = "n", .fire_time = "2030-01-01T00:10:00.000Z", .execution_id = id,
		.scenario_id = "s", .holder = "h:1", .now = "2030-01-01T00:10:01.000Z", .forbid = true,
	};
	pthread_barrier_wait(c->barrier);
	c->rc = lt_db_schedule_claim(db, &cl, &c->got, &err);
	lt_db_close(db);
	return NULL;
}

START_TEST(test_claim_race)
{
	struct lt_db *db = open_db();
	pthread_barrier_t barrier;
	pthread_t t[CLAIMERS];
	struct claimer c[CLAIMERS];
	int claimed = 0;

	add(db, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\"}", at("2030-01-01T00:00:00Z"));
	pthread_barrier_init(&barrier, NULL, CLAIMERS);
	for (int i = 0; i < CLAIMERS; i++) {
		c[i] = (struct claimer){ &barrier, i, 0, LT_OK };
		pthread_create(&t[i], NULL, claim_thread, &c[i]);
	}
	for (int i = 0; i < CLAIMERS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(c[i].rc, LT_OK);
		claimed += c[i].got == LT_DB_CLAIMED;
		ck_assert(c[i].got == LT_DB_CLAIMED || c[i].got == LT_DB_CLAIM_TAKEN);
	}
	ck_assert_int_eq(claimed, 1);
	cJSON *rows = history(db, "n");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	ck_assert_str_eq(row_str(rows, 0, "status"), "running");
	cJSON_Delete(rows);
	pthread_barrier_destroy(&barrier);
	lt_db_close(db);
}
END_TEST

/* ---- the runner ------------------------------------------------------------------- */

START_TEST(test_retries_backoff)
{
	struct rig g;
	rig_init(&g, at("2030-01-01T00:10:01Z"));
	add(g.db, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\", \"retries\": {\"max\": 3, \"backoff\": 20}}",
	    at("2030-01-01T00:00:00Z"));
	g.script.n = 3;
	g.script.step[0].run_exit = 3;
	g.script.step[1].run_exit = 2;
	g.script.step[2].sink_exit = 3;
	ck_assert_uint_eq(rig_tick(&g), 1);
	ck_assert_uint_eq(g.script.calls, 4);
	/* Pauses of 20, 40 and 80 s on the fake clock between the attempts. */
	ck_assert_double_eq_tol(g.script.started[1] - g.script.started[0], 20, 1e-6);
	ck_assert_double_eq_tol(g.script.started[2] - g.script.started[1], 40, 1e-6);
	ck_assert_double_eq_tol(g.script.started[3] - g.script.started[2], 80, 1e-6);
	/* (to a millisecond: 0.1 s steps on a clock near 1.9e9 s round) */
	ck_assert_msg(fabs(g.clock.slept - 140) < 1e-3, "slept %.9f", g.clock.slept);
	ck_assert_str_eq(g.events.text + strcspn(g.events.text, "R"),
			 "R retrying\nR retrying\nR retrying\nR success\n");

	/* The history: four attempts of one execution, newest first. */
	cJSON *rows = history(g.db, "n");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_double_eq(row_num(rows, i, "attempt"), 4 - i);
		ck_assert_str_eq(row_str(rows, i, "execution_id"), row_str(rows, 0, "execution_id"));
		ck_assert_str_eq(row_str(rows, i, "fire_time"), "2030-01-01T00:10:00.000Z");
	}
	ck_assert_str_eq(row_str(rows, 0, "status"), "success");
	ck_assert_str_eq(row_str(rows, 3, "status"), "retrying");
	ck_assert_double_eq(row_num(rows, 3, "exit_code"), 3);
	ck_assert_double_eq(row_num(rows, 1, "exit_code"), 3); /* the sink's */
	ck_assert_str_eq(row_str(rows, 3, "stderr"), "attempt 1 of n\n");
	ck_assert_str_eq(row_str(rows, 2, "started_at"), "2030-01-01T00:10:21.000Z");
	cJSON_Delete(rows);
	rig_free(&g);
}
END_TEST

START_TEST(test_failure_announced_once)
{
	struct rig g;
	rig_init(&g, at("2030-01-01T00:10:01Z"));
	add(g.db, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\", \"retries\": 1,"
	    " \"notify\": \"console\"}", at("2030-01-01T00:00:00Z"));
	g.script.n = 4;
	for (int i = 0; i < 4; i++)
		g.script.step[i].run_exit = 3;
	rig_tick(&g);              /* 00:10: fails twice: announced */
	g.clock.t = at("2030-01-01T00:20:01Z");
	rig_tick(&g);              /* 00:20: fails twice: not again */
	fflush(g.console_f);
	ck_assert_int_eq(count(g.console, "execution failed (critical): n: scheduled execution failed (attempt 2, exit code 3)"), 1);
	ck_assert_int_eq(count(g.console, "recovered"), 0);
	g.clock.t = at("2030-01-01T00:30:01Z");
	rig_tick(&g);              /* 00:30: succeeds: recovered */
	fflush(g.console_f);
	ck_assert_int_eq(count(g.console, "execution recovered (info): n: scheduled execution succeeds again"), 1);
	g.clock.t = at("2030-01-01T00:40:01Z");
	rig_tick(&g);              /* 00:40: succeeds: nothing */
	fflush(g.console_f);
	ck_assert_int_eq(count(g.console, "execution failed (critical)"), 1);
	ck_assert_int_eq(count(g.console, "execution recovered (info)"), 1);
	ck_assert_uint_eq(g.script.calls, 6);
	rig_free(&g);
}
END_TEST

START_TEST(test_history_limit)
{
	struct rig g;
	rig_init(&g, at("2030-01-01T00:10:01Z"));
	add(g.db, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\", \"historyLimit\": 2, \"retries\": 1}",
	    at("2030-01-01T00:00:00Z"));
	g.script.n = 1;
	g.script.step[0].run_exit = 3;  /* the first execution has two attempts */
	for (int i = 1; i <= 4; i++) {
		g.clock.t = at("2030-01-01T00:00:01Z") + 600.0 * i;
		ck_assert_uint_eq(rig_tick(&g), 1);
	}
	cJSON *rows = history(g.db, "n");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
	ck_assert_str_eq(row_str(rows, 0, "fire_time"), "2030-01-01T00:40:00.000Z");
	ck_assert_str_eq(row_str(rows, 1, "fire_time"), "2030-01-01T00:30:00.000Z");
	cJSON_Delete(rows);
	rig_free(&g);
}
END_TEST

START_TEST(test_catch_up_and_deadline)
{
	struct rig g;
	rig_init(&g, at("2030-01-01T01:15:00Z"));
	add(g.db, "{\"name\": \"late\", \"schedule\": \"*/10 * * * *\", \"startingDeadlineSeconds\": 120}",
	    at("2030-01-01T00:00:00Z"));
	add(g.db, "{\"name\": \"any\", \"schedule\": \"*/10 * * * *\"}", at("2030-01-01T00:00:00Z"));
	ck_assert_uint_eq(rig_tick(&g), 1);
	ck_assert_uint_eq(g.script.calls, 1);
	ck_assert_ptr_nonnull(strstr(g.events.text, "I any: 6 earlier fire times were missed while no "
				     "lt-sched ran; only the latest, 2030-01-01T01:10:00+00:00, is caught up"));
	ck_assert_ptr_nonnull(strstr(g.events.text, "W late: skipped 2030-01-01T01:10:00+00:00: missed "
				     "by 300 s, more than startingDeadlineSeconds 120"));
	cJSON *rows = history(g.db, "any");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	ck_assert_str_eq(row_str(rows, 0, "fire_time"), "2030-01-01T01:10:00.000Z");
	cJSON_Delete(rows);
	/* Nothing owed any more. */
	g.events.len = 0;
	g.events.text[0] = '\0';
	ck_assert_uint_eq(rig_tick(&g), 0);
	ck_assert_str_eq(g.events.text, "");
	rig_free(&g);
}
END_TEST

struct ticker {
	struct rig *g;
	double at;
	struct events *events;
};

START_TEST(test_forbid_while_running)
{
	struct rig g;
	struct lt_err err = {0};
	size_t started;
	rig_init(&g, at("2030-01-01T00:10:01Z"));
	add(g.db, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\"}", at("2030-01-01T00:00:00Z"));
	g.script.n = 1;
	g.script.step[0].block = true;
	ck_assert_int_eq(lt_schedule_runner_tick(g.r, g.db, &started, NULL, &err), LT_OK);
	ck_assert_uint_eq(started, 1);
	for (int i = 0; i < 500 && !g.script.running; i++)
		usleep(2000);
	ck_assert_uint_eq(lt_schedule_runner_active(g.r), 1);
	g.clock.t = at("2030-01-01T00:20:01Z");
	ck_assert_int_eq(lt_schedule_runner_tick(g.r, g.db, &started, NULL, &err), LT_OK);
	ck_assert_uint_eq(started, 0);
	ck_assert_ptr_nonnull(strstr(g.events.text, "W n: skipped 2030-01-01T00:20:00+00:00: an execution "
				     "is still running (concurrencyPolicy forbid)"));
	/* Stop with no grace: the running attempt is stopped and handed back. */
	g.stop = 1;
	lt_schedule_runner_wait(g.r, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(g.events.text, "R retrying\n"));
	ck_assert_ptr_nonnull(strstr(g.events.text, "handed back"));
	cJSON *row = NULL;
	ck_assert_int_eq(lt_db_schedule_get(g.db, "n", &row, &err), LT_OK);
	/* The 00:20 skip stands; 00:10 was handed back (its lock is gone). */
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(row, "last_fired_at")),
			 "2030-01-01T00:20:00.000Z");
	cJSON_Delete(row);
	rig_free(&g);
}
END_TEST

START_TEST(test_handed_back_is_caught_up)
{
	struct rig g;
	struct lt_err err = {0};
	size_t started;
	rig_init(&g, at("2030-01-01T00:10:01Z"));
	add(g.db, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\"}", at("2030-01-01T00:00:00Z"));
	g.script.n = 1;
	g.script.step[0].block = true;
	g.env.grace_s = 5;
	ck_assert_int_eq(lt_schedule_runner_tick(g.r, g.db, &started, NULL, &err), LT_OK);
	for (int i = 0; i < 500 && !g.script.running; i++)
		usleep(2000);
	g.stop = 1;
	/* Within the grace period the attempt goes on... */
	usleep(50000);
	ck_assert_uint_eq(lt_schedule_runner_active(g.r), 1);
	/* ...and once it is over, it is stopped. */
	g.clock.t += 6;
	lt_schedule_runner_wait(g.r, NULL, NULL, NULL);
	rig_free(&g);

	/* The next lt-sched runs the handed-back fire time. */
	rig_init(&g, at("2030-01-01T00:11:00Z"));
	ck_assert_uint_eq(rig_tick(&g), 1);
	cJSON *rows = history(g.db, "n");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
	ck_assert_str_eq(row_str(rows, 0, "status"), "success");
	ck_assert_str_eq(row_str(rows, 0, "fire_time"), "2030-01-01T00:10:00.000Z");
	ck_assert_str_eq(row_str(rows, 1, "status"), "retrying");
	cJSON_Delete(rows);
	rig_free(&g);
}
END_TEST

START_TEST(test_abandoned)
{
	struct rig g;
	struct lt_err err = {0};
	enum lt_db_claim_result got;
	char host[256] = "", holder[300];

	gethostname(host, sizeof host - 1);
	/* A pid that cannot be running: above the kernel's pid_max. */
	snprintf(holder, sizeof holder, "%s:%d", host, 99999999);
	rig_init(&g, at("2030-01-01T00:15:00Z"));
	add(g.db, "{\"name\": \"n\", \"schedule\": \"*/10 * * * *\"}", at("2030-01-01T00:00:00Z"));
	struct lt_db_claim c = {
		.schedule = "n", .fire_time = "2030-01-01T00:10:00.000Z", .execution_id = "dead",
		.scenario_id = "s", .holder = holder, .now = "2030-01-01T00:10:01.000Z", .forbid = true,
	};
	ck_assert_int_eq(lt_db_schedule_claim(g.db, &c, &got, &err), LT_OK);
	ck_assert_int_eq(got, LT_DB_CLAIMED);
	g.clock.t = at("2030-01-01T00:20:01Z");
	ck_assert_uint_eq(rig_tick(&g), 1); /* not blocked by the dead one */
	ck_assert_ptr_nonnull(strstr(g.events.text, "abandoned by"));
	cJSON *rows = history(g.db, "n");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 2);
	ck_assert_str_eq(row_str(rows, 1, "execution_id"), "dead");
	ck_assert_str_eq(row_str(rows, 1, "status"), "failed");
	ck_assert_ptr_nonnull(strstr(row_str(rows, 1, "stderr"), "abandoned"));
	cJSON_Delete(rows);
	rig_free(&g);
}
END_TEST

/* ---- the real pipeline, where it cannot start --------------------------------------- */

START_TEST(test_pipeline_not_started)
{
	struct lt_schedule *s = sched("{\"name\": \"n\", \"schedule\": \"@daily\"}");
	struct lt_schedule_result res;
	struct lt_schedule_outcome oc;
	struct lt_schedule_job job = { .sched = s, .run_id = "r", .attempt = 1, .db_path = path,
				       .bindir = dir };
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	/* No lt-run in bindir nor in $PATH. */
	setenv("PATH", dir, 1);
	ck_assert_int_eq(lt_schedule_exec_pipeline(&job, &res, NULL), LT_OK);
	ck_assert_int_eq(res.end, LT_SCHEDULE_NOT_STARTED);
	ck_assert_msg(strstr(res.stderr_tail, "cannot run lt-run"), "%s", res.stderr_tail);
	lt_schedule_classify(s, &res, &oc);
	ck_assert_str_eq(oc.status, "failed");
	ck_assert_int_eq(oc.exit_code, 2);
	if (old)
		setenv("PATH", old, 1);
	free(old);
	lt_schedule_free(s);

	/* A stored scenario that is not (any more) in the database. */
	struct lt_db *db = open_db();
	lt_db_close(db);
	s = sched("{\"name\": \"n\", \"scenarioId\": \"gone\", \"schedule\": \"@daily\"}");
	job.sched = s;
	ck_assert_int_eq(lt_schedule_exec_pipeline(&job, &res, NULL), LT_OK);
	ck_assert_int_eq(res.end, LT_SCHEDULE_NOT_STARTED);
	ck_assert_msg(strstr(res.stderr_tail, "unknown scenario gone"), "%s", res.stderr_tail);
	lt_schedule_free(s);
}
END_TEST

START_TEST(test_resolve)
{
	struct lt_db *db = open_db();
	struct lt_err err = {0};
	struct lt_schedule *s = sched("{\"name\": \"n\", \"scenarioId\": \"checkout\", \"schedule\": \"@daily\"}");
	ck_assert_int_eq(lt_schedule_resolve(db, s, &err), LT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "unknown scenario \"checkout\": not in the database"));
	lt_schedule_free(s);
	s = sched("{\"name\": \"n\", \"scenarioFile\": \"/nonexistent/x.json\", \"schedule\": \"@daily\"}");
	ck_assert_int_eq(lt_schedule_resolve(db, s, &err), LT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "scenario file /nonexistent/x.json: No such file"));
	lt_schedule_free(s);
	s = sched("{\"name\": \"n\", \"schedule\": \"@daily\"}");
	ck_assert_int_eq(lt_schedule_resolve(db, s, &err), LT_OK);
	ck_assert_str_eq(s->scenario_id, "s");
	ck_assert_str_eq(s->scenario_path, scenario_file);
	/* Stored, read back, listed. */
	ck_assert_int_eq(lt_schedule_add(db, &s, 1, false, at("2030-01-01T00:00:00Z"), &err), LT_OK);
	ck_assert_int_eq(lt_schedule_add(db, &s, 1, false, at("2030-01-01T00:00:00Z"), &err), LT_EEXIST);
	struct lt_schedule *back = NULL, **list = NULL;
	size_t n = 0;
	ck_assert_int_eq(lt_schedule_get(db, "n", &back, &err), LT_OK);
	ck_assert_str_eq(back->scenario_path, scenario_file);
	ck_assert_double_eq(back->created_at, at("2030-01-01T00:00:00Z"));
	ck_assert_int_eq(lt_schedule_list(db, &list, &n, &err), LT_OK);
	ck_assert_uint_eq(n, 1);
	lt_schedule_list_free(list, n);
	lt_schedule_free(back);
	ck_assert_int_eq(lt_schedule_get(db, "other", &back, &err), LT_ENOTFOUND);
	lt_schedule_free(s);
	lt_db_close(db);
}
END_TEST

START_TEST(test_crontab_line)
{
	char *line = NULL;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_schedule_crontab_line("/opt/lt/bin/lt-sched", "/srv/50% it's/lt.db", &line,
						  &err), LT_OK);
	ck_assert_str_eq(line, "* * * * * '/opt/lt/bin/lt-sched' run-due -q --db '/srv/50\\% it'\\''s/lt.db' >/dev/null");
	free(line);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_from_json_full);
	tcase_add_test(tc, test_from_json_defaults);
	tcase_add_test(tc, test_from_json_errors);
	tcase_add_test(tc, test_due);
	tcase_add_test(tc, test_due_sparse_and_dst);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_claim);
	tcase_add_test(tc, test_claim_race);
	tcase_add_test(tc, test_retries_backoff);
	tcase_add_test(tc, test_failure_announced_once);
	tcase_add_test(tc, test_history_limit);
	tcase_add_test(tc, test_catch_up_and_deadline);
	tcase_add_test(tc, test_forbid_while_running);
	tcase_add_test(tc, test_handed_back_is_caught_up);
	tcase_add_test(tc, test_abandoned);
	tcase_add_test(tc, test_pipeline_not_started);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_crontab_line);
	suite_add_tcase(s, tc);
	return s;
}
