/* watch.c -- one pass of automated regression monitoring (watch.h has the
 * contract). */
#include "watch.h"
#include "analytics.h"
#include "ndjson.h"
#include "regress.h"

#include <stdlib.h>
#include <string.h>

struct notify_ctx {
	lt_watch_fn fn;
	void *ctx;
	const char *run_id, *scenario_id;
};

static void tell(lt_watch_fn fn, void *ctx, struct lt_watch_event ev)
{
	if (fn)
		fn(&ev, ctx);
}

static void notify_report(const char *target, const struct lt_err *err, void *ctx)
{
	struct notify_ctx *n = ctx;
	tell(n->fn, n->ctx, (struct lt_watch_event){.kind = LT_WATCH_NOTIFIED, .run_id = n->run_id,
						    .scenario_id = n->scenario_id,
						    .target = target, .err = err});
}

/* The thresholds a run of scenario is judged by: opts->thresholds, else
 * the stored document of the scenario (or the default one), else lt's
 * defaults.  *cfg new. */
static lt_rc config_for(struct lt_db *db, const char *scenario, const struct lt_watch_opts *o,
			struct lt_regress_config **cfg, struct lt_err *err)
{
	struct lt_regress_config *c = lt_regress_config_new();
	struct lt_err ignored = {0};
	cJSON *stored = NULL;
	lt_rc rc = LT_OK;

	if (!c)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	if (o->thresholds)
		rc = lt_regress_config_apply(c, o->thresholds, "thresholds", err);
	else if (lt_db_regress_config_get(db, scenario, &stored, NULL, &ignored) == LT_OK)
		rc = lt_regress_config_apply(c, stored, "stored thresholds", err);
	cJSON_Delete(stored);
	if (rc != LT_OK) {
		lt_regress_config_free(c);
		return rc;
	}
	*cfg = c;
	return LT_OK;
}

/* Add the anomaly alert (taken) to the verdict: its alerts, a finding,
 * the count, and a pass becomes a warning. */
static lt_rc add_anomaly(cJSON *verdict, cJSON ***alerts, size_t *n_alerts, cJSON *alert,
			 struct lt_err *err)
{
	cJSON **grown = realloc(*alerts, (*n_alerts + 1) * sizeof *grown);
	cJSON *finding = cJSON_CreateObject();
	cJSON *findings = cJSON_GetObjectItemCaseSensitive(verdict, "findings");
	static const char *const keys[] = {"metric", "method", "severity", "baseline", "current",
					   "change_pct", "p_value", "message", "alert_id"};

	if (grown)
		*alerts = grown;
	if (!grown || !finding || !cJSON_IsArray(findings)) {
		cJSON_Delete(finding);
		cJSON_Delete(alert);
		return lt_err_set(err, grown && finding ? LT_EINVAL : LT_ENOMEM,
				  grown && finding ? "a verdict without findings" : "out of memory");
	}
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(alert, keys[i]);
		if (x)
			cJSON_AddItemToObject(finding, keys[i], cJSON_Duplicate(x, 1));
	}
	cJSON_AddItemToArray(findings, finding);
	(*alerts)[(*n_alerts)++] = alert;
	cJSON *count = cJSON_GetObjectItemCaseSensitive(verdict, "alerts");
	if (cJSON_IsNumber(count))
		cJSON_SetNumberValue(count, (double)*n_alerts);
	const char *status = lt_ndjson_get_str(verdict, "status");
	if (status && !strcmp(status, "pass"))
		cJSON_ReplaceItemInObjectCaseSensitive(verdict, "status", cJSON_CreateString("warning"));
	return LT_OK;
}

/* Check one run.  LT_OK with *recorded when it was; LT_OK without when it
 * failed in a way told to fn (left for the next pass); anything else ends
 * the pass. */
static lt_rc check_one(struct lt_db *db, const struct lt_watch_opts *o, const char *run_id,
		       const char *scenario, lt_watch_fn fn, void *ctx, bool *recorded,
		       struct lt_err *err)
{
	struct lt_regress_config *cfg = NULL;
	struct lt_err run_err = {0};
	cJSON *verdict = NULL, **alerts = NULL, *anomaly = NULL, *alert = NULL;
	size_t n_alerts = 0;
	lt_rc rc;

	*recorded = false;
	if ((rc = config_for(db, scenario, o, &cfg, &run_err)) != LT_OK ||
	    (rc = lt_regress_check(db, run_id, o->environment, cfg, &verdict, &alerts, &n_alerts,
				   &run_err)) != LT_OK ||
	    (rc = lt_analytics_check_history(db, cfg, verdict, &alerts, &n_alerts,
					     &run_err)) != LT_OK)
		goto out;
	/* Most scenarios have no model: that says nothing.  A model that
	 * cannot read the run is worth telling, and the run is checked
	 * without it. */
	cJSON *model = NULL;
	if ((rc = lt_db_anomaly_model_latest(db, scenario, &model, &run_err)) == LT_OK) {
		struct lt_analytics_opts ao = {0};
		rc = lt_analytics_anomaly(db, run_id, &ao, &anomaly, &alert, &run_err);
		if (rc == LT_EINVAL) {
			tell(fn, ctx, (struct lt_watch_event){.kind = LT_WATCH_NO_ANOMALY,
							      .run_id = run_id, .scenario_id = scenario,
							      .err = &run_err});
			rc = LT_OK;
		}
	} else if (rc == LT_ENOTFOUND) {
		rc = LT_OK;
	}
	cJSON_Delete(model);
	if (rc != LT_OK)
		goto out;
	if (alert && (rc = add_anomaly(verdict, &alerts, &n_alerts, alert, &run_err)) != LT_OK) {
		alert = NULL;
		goto out;
	}
	alert = NULL;
	if ((rc = lt_db_check_record(db, verdict, alerts, n_alerts, &run_err)) != LT_OK)
		goto out;
	*recorded = true;
	tell(fn, ctx, (struct lt_watch_event){.kind = LT_WATCH_CHECKED, .run_id = run_id,
					      .scenario_id = scenario, .verdict = verdict,
					      .alerts = alerts, .n_alerts = n_alerts,
					      .anomaly = anomaly});
	if (n_alerts && (cfg->n_notify || o->n_notify)) {
		const char *specs[LT_REGRESS_MAX_NOTIFY + 64];
		size_t k = 0;
		for (size_t i = 0; i < cfg->n_notify; i++)
			specs[k++] = cfg->notify[i];
		for (size_t i = 0; i < o->n_notify && k < sizeof specs / sizeof *specs; i++)
			specs[k++] = o->notify[i];
		struct notify_ctx nc = {.fn = fn, .ctx = ctx, .run_id = run_id, .scenario_id = scenario};
		/* A malformed target is the caller's to fix, not the run's:
		 * the run stays recorded, the failure is told. */
		if ((rc = lt_regress_notify(specs, k, verdict, alerts, n_alerts,
					    o->console ? o->console : stderr, notify_report, &nc,
					    &run_err)) == LT_EINVAL) {
			notify_report("notify", &run_err, &nc);
			rc = LT_OK;
		}
	}
out:
	if (rc == LT_EINVAL || rc == LT_ENOTFOUND || rc == LT_EUSAGE) {
		tell(fn, ctx, (struct lt_watch_event){.kind = LT_WATCH_FAILED, .run_id = run_id,
						      .scenario_id = scenario, .err = &run_err});
		rc = LT_OK;
	} else if (rc != LT_OK) {
		*err = run_err;
	}
	for (size_t i = 0; i < n_alerts; i++)
		cJSON_Delete(alerts[i]);
	free(alerts);
	cJSON_Delete(alert);
	cJSON_Delete(verdict);
	cJSON_Delete(anomaly);
	lt_regress_config_free(cfg);
	return rc;
}

lt_rc lt_watch_pass(struct lt_db *db, const struct lt_watch_opts *opts, lt_watch_fn fn,
		    void *ctx, size_t *checked, struct lt_err *err)
{
	static const struct lt_watch_opts defaults = {0};
	const struct lt_watch_opts *o = opts ? opts : &defaults;
	cJSON *runs = NULL, *row;
	size_t done = 0;
	lt_rc rc;

	if (checked)
		*checked = 0;
	if (!db)
		return lt_err_set(err, LT_EUSAGE, "watch: a database is needed");
	if (o->thresholds) {
		/* A document that does not apply fails the pass, not each run. */
		struct lt_regress_config *c = NULL;
		if ((rc = config_for(db, NULL, o, &c, err)) != LT_OK)
			return rc;
		lt_regress_config_free(c);
	}
	if ((rc = lt_db_runs_unchecked(db, o->environment,
				       o->max_runs ? o->max_runs : LT_WATCH_MAX_RUNS, &runs, err)))
		return rc;
	cJSON_ArrayForEach(row, runs) {
		bool recorded;
		if (o->stop && *o->stop)
			break;
		if ((rc = check_one(db, o, lt_ndjson_get_str(row, "run_id"),
				    lt_ndjson_get_str(row, "scenario_id"), fn, ctx, &recorded, err)))
			break;
		done += recorded;
	}
	cJSON_Delete(runs);
	if (checked)
		*checked = done;
	return rc;
}
