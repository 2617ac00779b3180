#include "nightly.h"
#include "exitcode.h"
#include "landing.h"
#include "ledger.h"
#include "log.h"
#include "opts.h"
#include "pg.h"
#include "records.h"
#include "runcfg.h"
#include "source.h"
#include "spawn.h"
#include "stop.h"
#include "strbuf.h"
#include "value.h"
#include "workq.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define MAX_SOURCES 256
#define MAX_STAGES 4096

struct stage_rec {
	char stage[16];
	char source[96];
	char day[11];     /* backfill: the day; "" otherwise */
	int exit_code;    /* -1: not run (skipped) */
	double seconds;
	long long rows_in, rows_out, rejects;
	int started;      /* mi-run started its process */
	int killed;       /* stopped by mi-run (time limit, or the run was stopped) */
	int failed;       /* failed whatever its exit code (a source below expected_min_items) */
	char note[400];
};

struct run {
	const struct nightly_opts *o;
	char run_id[80];
	char date[11];
	/* compset's as-of date: the run date; a backfill's last day (or today,
	 * when the range goes past it) */
	char global_date[11];
	/* leads' as-of date: the run date of a nightly; today for a backfill
	 * whose range reaches today; "" for a backfill of past days, which
	 * leaves today's queue alone */
	char leads_date[11];
	PGconn *conn;
	char bin[PATH_MAX];
	const char *config_dir;  /* resolved: runcfg_config_dir() */
	struct runcfg cfg;       /* pipeline.ini */
	struct runcfg_paths paths; /* landing store, work folder, logs */
	char workrun[PATH_MAX];
	char logs[PATH_MAX];
	struct source **sources;
	size_t nsources;
	struct source *sel[MAX_SOURCES];
	size_t nsel;
	/* 1: the last fetch of sel[i] held fewer than its expected_min_items items */
	int too_few[MAX_SOURCES];
	struct stage_rec *stages;
	size_t nstages;
	size_t step, steps; /* progress */
	int tty;
	char stopped_in[128]; /* the stage at work when the run was asked to stop */
	char leads_line[512];
};

/* ------------------------------------------------------------------ dates */

static int parse_date(const char *s, struct tm *tm)
{
	struct value_date d;

	if (!value_iso_date(s, &d))
		return -1;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = d.y - 1900;
	tm->tm_mon = d.m - 1;
	tm->tm_mday = d.d;
	tm->tm_hour = 12;
	timegm(tm); /* fills the weekday and day of the year */
	return 0;
}

static void format_date(const struct tm *tm, char out[11], int compact)
{
	strftime(out, 11, compact ? "%Y%m%d" : "%Y-%m-%d", tm);
}

static void today_utc(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	format_date(&tm, out, 0);
}

static void compact(const char *date, char out[11])
{
	size_t n = 0;

	for (const char *p = date; *p && n < 8; p++)
		if (*p != '-')
			out[n++] = *p;
	out[n] = '\0';
}

/* ------------------------------------------------------------ progress */

static void progress(struct run *r, const char *stage, const char *source)
{
	r->step++;
	if (r->tty) {
		fprintf(stderr, "\r\033[K[%zu/%zu] %-8s %s", r->step, r->steps, stage,
			source ? source : "");
		fflush(stderr);
	}
}

static void progress_done(struct run *r)
{
	if (r->tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* -------------------------------------------------------------- ledger */

static const char *stage_status(const struct stage_rec *s)
{
	if (s->exit_code < 0)
		return "skipped";
	if (s->failed)
		return "failed";
	return ledger_status_of(s->exit_code);
}

static const char *src_or_null(const struct stage_rec *s)
{
	return s->source[0] ? s->source : NULL;
}

/* the log of the stage: <logs>/<stage>[-<source>][-<day>].log */
static void log_path(const struct run *r, const struct stage_rec *s, char *out, size_t size)
{
	snprintf(out, size, "%s/%s%s%s%s%s.log", r->logs, s->stage, s->source[0] ? "-" : "",
		 s->source, s->day[0] ? "-" : "", s->day);
}

/* the attempt of the stage's row before it starts (0: none yet) */
static int attempt_of(struct run *r, const struct stage_rec *s)
{
	struct mi_err err = MI_ERR_INIT;
	int attempt = 0;

	if (ledger_stage_attempt(r->conn, r->run_id, s->stage, src_or_null(s), &attempt, &err) < 0)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
	return attempt;
}

/*
 * A stage mi-run did not start: skipped (s->exit_code -1) or failed before it
 * could start; its row, through the ledger.
 */
static void record_unstarted(struct run *r, const struct stage_rec *s)
{
	struct mi_err err = MI_ERR_INIT;

	if (ledger_stage_record(r->conn, r->run_id, s->stage, src_or_null(s), stage_status(s),
				s->exit_code, s->note, &err) < 0)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
}

/*
 * What the stage did, from its row in the ledger (never from its log): the
 * row is first closed from the exit status when the stage could not close it
 * itself (ledger_stage_reap), then read into s.  *detail (may be NULL) gets
 * the stage's own summary, a JSON object to json_object_put, or NULL.
 */
static void settle(struct run *r, struct stage_rec *s, int before, json_object **detail)
{
	struct mi_err err = MI_ERR_INIT;
	struct ledger_row row;
	char log[PATH_MAX + 200];

	if (detail)
		*detail = NULL;
	if (!s->started) {
		record_unstarted(r, s);
		return;
	}
	if (ledger_stage_reap(r->conn, r->run_id, s->stage, src_or_null(s), before, s->exit_code,
			      s->seconds, s->note[0] ? s->note : NULL, &err) < 0 ||
	    ledger_stage_read(r->conn, r->run_id, s->stage, src_or_null(s), &row, &err) < 0) {
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
		if (!s->note[0])
			snprintf(s->note, sizeof(s->note), "not in the run ledger: %.300s", err.msg);
		return;
	}
	if (row.found) {
		s->exit_code = !strcmp(row.status, "skipped") ? -1 : row.exit_code;
		s->failed = !strcmp(row.status, "failed");
		s->seconds = row.seconds;
		s->rows_in = row.in;
		s->rows_out = row.out;
		s->rejects = row.rejected;
		if (!s->note[0] && s->exit_code > 0 && row.error[0]) {
			if (strcmp(s->stage, "fetch")) {
				log_path(r, s, log, sizeof(log));
				snprintf(s->note, sizeof(s->note), "%.300s; see %s", row.error, log);
			} else {
				snprintf(s->note, sizeof(s->note), "%s", row.error);
			}
		}
		if (detail && row.detail)
			*detail = json_tokener_parse(row.detail);
	}
	ledger_row_release(&row);
}

/* a number of the stage's JSON summary; def when it has none */
static long long detail_int(json_object *d, const char *key, const char *key2, long long def)
{
	json_object *v;

	if (!d || !json_object_object_get_ex(d, key, &v))
		return def;
	if (key2 && !json_object_object_get_ex(v, key2, &v))
		return def;
	return json_object_get_int64(v);
}

/* -------------------------------------------------------------- stages */

static struct stage_rec *new_stage(struct run *r, const char *stage, const char *source,
				   const char *day)
{
	struct stage_rec *s;

	if (r->nstages == MAX_STAGES)
		return NULL;
	s = &r->stages[r->nstages++];
	memset(s, 0, sizeof(*s));
	snprintf(s->stage, sizeof(s->stage), "%s", stage);
	snprintf(s->source, sizeof(s->source), "%s", source ? source : "");
	snprintf(s->day, sizeof(s->day), "%s", day ? day : "");
	s->exit_code = -1;
	return s;
}

/* "90 s", "5 min", "2 h" */
static void format_ms(long long ms, char *out, size_t size)
{
	if (ms % 3600000 == 0)
		snprintf(out, size, "%lld h", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(out, size, "%lld min", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(out, size, "%lld s", ms / 1000);
	else
		snprintf(out, size, "%lld ms", ms);
}

/*
 * Run bin/<prog> with args; sets s's exit code and seconds (and a note when
 * mi-run stopped it); returns the child's exit code.  The stage's limits
 * (pipeline.ini) go to every connection it opens through PGOPTIONS:
 * lock_timeout and statement_timeout, and a check every 10 s that its client
 * is still there (a stage killed without a chance to cancel its query leaves
 * no backend waiting behind it).  Past its time_limit, or when the run is
 * asked to stop, the stage is stopped (SIGTERM: it cancels its queries and
 * dies; SIGKILL 10 s later).  What it did is then read from the ledger
 * (settle).
 */
static int run_stage(struct run *r, struct stage_rec *s, char **argv)
{
	struct spawn_result res;
	struct spawn_opts so;
	struct mi_err err = MI_ERR_INIT;
	char log[PATH_MAX + 200], prog[PATH_MAX + 32], limit[32];
	struct strbuf pgopt = STRBUF_INIT;
	const char *env[2] = { NULL, NULL };
	const char *old = getenv("PGOPTIONS");
	int id = runcfg_stage_id(s->stage);
	const struct runcfg_limits *l = &r->cfg.stage[id < 0 ? RUNCFG_LOAD : id];

	snprintf(prog, sizeof(prog), "%s/%s", r->bin, argv[0]);
	argv[0] = prog;
	log_path(r, s, log, sizeof(log));
	progress(r, s->stage, s->source);
	if (mi_stop_requested()) {
		snprintf(s->note, sizeof(s->note), "not started: the run was stopped (%s)",
			 mi_stop_name(mi_stop_requested()));
		return s->exit_code;
	}
	s->started = 1;
	strbuf_addf(&pgopt, "PGOPTIONS=%s%s-c lock_timeout=%lld -c statement_timeout=%lld"
			    " -c client_connection_check_interval=10000",
		    old ? old : "", old && old[0] ? " " : "", l->lock_timeout_ms,
		    l->statement_timeout_ms);
	env[0] = pgopt.buf;
	memset(&so, 0, sizeof(so));
	so.log_path = log;
	so.run_id = r->run_id;
	so.env = env;
	so.time_limit = (double)l->time_limit_ms / 1000.0;
	so.stop_fd = mi_stop_fd();
	mi_log_kv(MI_LOG_INFO, "stage_start", "stage", s->stage, "source", s->source, "log", log,
		  NULL);
	if (spawn_run_opts(argv, &so, &res, &err) < 0) {
		s->exit_code = MI_EXIT_INTERNAL;
		snprintf(s->note, sizeof(s->note), "%s", err.msg);
	} else {
		s->exit_code = res.exit_code;
		s->seconds = res.seconds;
		s->killed = res.timed_out || res.stopped;
		format_ms(l->time_limit_ms, limit, sizeof(limit));
		if (res.timed_out)
			snprintf(s->note, sizeof(s->note),
				 "stopped at its time limit of %s (pipeline.ini time_limit); see %s",
				 limit, log);
		else if (res.stopped)
			snprintf(s->note, sizeof(s->note), "stopped: the run was stopped (%s); see %s",
				 mi_stop_name(mi_stop_requested()), log);
		if (res.stopped && !r->stopped_in[0])
			snprintf(r->stopped_in, sizeof(r->stopped_in), "%s%s%s", s->stage,
				 s->source[0] ? " " : "", s->source);
	}
	strbuf_release(&pgopt);
	{
		char code[8], secs[24];
		snprintf(code, sizeof(code), "%d", s->exit_code);
		snprintf(secs, sizeof(secs), "%.3f", s->seconds);
		mi_log_kv(s->exit_code ? MI_LOG_WARN : MI_LOG_INFO, "stage_end", "stage", s->stage,
			  "source", s->source, "exit", code, "status", stage_status(s), "seconds",
			  secs, NULL);
	}
	return s->exit_code;
}

/* run_stage, then what the stage did from the ledger (settle) */
static int run_recorded(struct run *r, struct stage_rec *s, char **argv, json_object **detail)
{
	int before = attempt_of(r, s);

	run_stage(r, s, argv);
	settle(r, s, before, detail);
	return s->exit_code;
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

/*
 * fetch sources srcs[0..n-1] of fetch run fetch_run for date (one mi-fetch,
 * which shares hosts and slots between them); it records each source's row
 */
static void stage_fetch(struct run *r, const char *fetch_run, const char *date, const char *day,
			struct source *const *srcs, size_t n)
{
	char *argv[16 + 2 * MAX_SOURCES];
	int a = 0, before[MAX_SOURCES];
	struct stage_rec whole;

	memset(&whole, 0, sizeof(whole));
	snprintf(whole.stage, sizeof(whole.stage), "fetch");
	snprintf(whole.day, sizeof(whole.day), "%s", day ? day : "");
	argv[a++] = "mi-fetch";
	argv[a++] = "--run";
	argv[a++] = (char *)fetch_run;
	argv[a++] = "--landing";
	argv[a++] = r->paths.landing;
	argv[a++] = "--config-dir";
	argv[a++] = (char *)r->config_dir;
	argv[a++] = "--date";
	argv[a++] = (char *)date;
	if (r->o->local_fetch)
		argv[a++] = "--local";
	for (size_t i = 0; i < n; i++) {
		struct stage_rec probe;
		argv[a++] = "--source";
		argv[a++] = srcs[i]->id;
		memset(&probe, 0, sizeof(probe));
		snprintf(probe.stage, sizeof(probe.stage), "fetch");
		snprintf(probe.source, sizeof(probe.source), "%s", srcs[i]->id);
		before[i] = attempt_of(r, &probe);
	}
	argv[a] = NULL;
	run_stage(r, &whole, argv);
	for (size_t i = 0; i < n; i++) {
		struct stage_rec *s = new_stage(r, "fetch", srcs[i]->id, day);
		if (!s)
			return;
		json_object *d = NULL, *v;
		s->started = whole.started;
		s->exit_code = whole.exit_code;
		s->seconds = whole.seconds;
		s->killed = whole.killed;
		memcpy(s->note, whole.note, sizeof(s->note));
		settle(r, s, before[i], &d);
		/* a source that landed fewer items than it expects is not parsed or loaded */
		for (size_t j = 0; j < r->nsel; j++)
			if (r->sel[j] == srcs[i])
				r->too_few[j] = d && json_object_object_get_ex(d, "too_few", &v) &&
						json_object_get_boolean(v);
		json_object_put(d);
	}
}

/* the source's folder of entity files: <work>/<run>[/<day>]/<source> */
static void source_dir(const struct run *r, const struct source *src, const char *day,
		       char *dir, size_t size)
{
	if (day && day[0])
		snprintf(dir, size, "%s/%s/%s", r->workrun, day, src->id);
	else
		snprintf(dir, size, "%s/%s", r->workrun, src->id);
}

/*
 * parse the source's bodies of fetch run fetch_run into dir; returns its exit
 * code, *reviews the reviews it wrote (its own summary says)
 */
static int parse_source(struct run *r, const struct source *src, const char *fetch_run,
			const char *day, const char *dir, long long *reviews)
{
	struct stage_rec *s = new_stage(r, "parse", src->id, day);
	json_object *parsed = NULL;
	int rc;

	*reviews = 0;
	if (!s)
		return MI_EXIT_INTERNAL;
	if (mkdirs(dir) < 0) {
		s->exit_code = MI_EXIT_IO;
		snprintf(s->note, sizeof(s->note), "cannot create '%s'", dir);
		record_unstarted(r, s);
		return s->exit_code;
	}
	{
		/* only this source's bodies of the run, with its format and rules */
		char *argv[] = { "mi-parse", "--run", (char *)fetch_run, "--source", src->id,
				 "--landing", r->paths.landing, "--config-dir",
				 (char *)r->config_dir, "--out", (char *)dir, NULL };
		rc = run_recorded(r, s, argv, &parsed);
	}
	*reviews = detail_int(parsed, "rows", "reviews", 0);
	json_object_put(parsed);
	return rc;
}

/* a parse that ended so may be loaded */
static int parse_loadable(int rc)
{
	return rc == 0 || rc == MI_EXIT_PARTIAL || rc == MI_EXIT_DATA;
}

/* score dir's reviews (skipped when there are none); returns its exit code (-1: skipped) */
static int score_source(struct run *r, const struct source *src, const char *day,
			const char *dir, long long reviews)
{
	struct stage_rec *s = new_stage(r, "score", src->id, day);

	if (!s)
		return MI_EXIT_INTERNAL;
	if (reviews > 0) {
		char *argv[] = { "mi-score", "--source", src->id, (char *)dir, NULL };
		run_recorded(r, s, argv, NULL);
	} else {
		progress(r, "score", src->id);
		record_unstarted(r, s);
	}
	return s->exit_code;
}

/* load dir into the database; returns its exit code */
static int load_source(struct run *r, const struct source *src, const char *day,
		       const char *dir)
{
	struct stage_rec *s = new_stage(r, "load", src->id, day);
	char share[32];

	if (!s)
		return MI_EXIT_INTERNAL;
	snprintf(share, sizeof(share), "%g", r->o->max_reject_share);
	{
		/* the rows were seen on the night's date (a backfill: the day it loads) */
		char *argv[] = { "mi-load", "--run", r->run_id, "--source", src->id,
				 "--date", (char *)(day ? day : r->date),
				 "--max-reject-share", share, (char *)dir, NULL };
		return run_recorded(r, s, argv, NULL);
	}
}

/* parse, score and load one source from fetch run fetch_run */
static void stage_source(struct run *r, const struct source *src, const char *fetch_run,
			 const char *day)
{
	char dir[PATH_MAX];
	long long reviews;

	source_dir(r, src, day, dir, sizeof(dir));
	if (!parse_loadable(parse_source(r, src, fetch_run, day, dir, &reviews)))
		return; /* nothing trustworthy to load */
	if (score_source(r, src, day, dir, reviews) > 0)
		return;
	load_source(r, src, day, dir);
}

static int severity(int code);

/* a second pass's figures into the first's row: one row per stage */
static void add_pass(struct stage_rec *first, const struct stage_rec *again)
{
	if (severity(again->exit_code) > severity(first->exit_code) || first->exit_code < 0)
		first->exit_code = again->exit_code;
	first->seconds += again->seconds;
	first->rows_in = again->rows_in;
	first->rows_out = again->rows_out;
	first->rejects = again->rejects;
	if (again->note[0])
		memcpy(first->note, again->note, sizeof(first->note));
}

/*
 * mi-compset as of the run's global date, with the run's compset.ini if any;
 * with reuse_metrics, the market metrics and night marks the run's first
 * compset stored are kept (--no-metrics): the leads stage between the two
 * passes changes no pricing, so recomputing them would give the same rows.
 */
static void run_compset(struct run *r, struct stage_rec *s, int reuse_metrics)
{
	char ini[PATH_MAX + 16];
	char *argv[] = { "mi-compset", "--as-of", r->global_date, "--config", ini, NULL, NULL };

	snprintf(ini, sizeof(ini), "%s/compset.ini", r->config_dir);
	if (access(ini, R_OK) < 0) {
		argv[3] = NULL;
		if (reuse_metrics)
			argv[3] = "--no-metrics";
	} else if (reuse_metrics) {
		argv[5] = "--no-metrics";
	}
	run_recorded(r, s, argv, NULL);
}

/* whether the run's compset stage is recorded as succeeded in the ledger */
static int compset_succeeded(struct run *r)
{
	struct ledger_row row;
	struct mi_err e = MI_ERR_INIT;
	int yes = 0;

	if (ledger_stage_read(r->conn, r->run_id, "compset", NULL, &row, &e) == 0 && row.found)
		yes = !strcmp(row.status, "succeeded") && row.exit_code == 0;
	ledger_row_release(&row);
	return yes;
}

/* mi-leads score; returns the new leads it made, as its row in the ledger says */
static long long run_leads(struct run *r, struct stage_rec *s)
{
	char ini[PATH_MAX + 16];
	char *argv[] = { "mi-leads", "score", "--as-of", r->leads_date, "--run", r->run_id,
			 "--config", ini, NULL };
	json_object *d = NULL, *line;
	long long made;

	if (!r->leads_date[0]) {
		/* a backfill rebuilds the past: scoring the live queue as of a past
		 * date would move today's scores and log stale signals */
		progress(r, "leads", NULL);
		snprintf(s->note, sizeof(s->note),
			 "a backfill of past days leaves today's queue to the nightly run");
		record_unstarted(r, s);
		return 0;
	}
	snprintf(ini, sizeof(ini), "%s/leads.ini", r->config_dir);
	if (access(ini, R_OK) < 0)
		argv[6] = NULL;
	run_recorded(r, s, argv, &d);
	if (d && json_object_object_get_ex(d, "line", &line))
		snprintf(r->leads_line, sizeof(r->leads_line), "%.300s",
			 json_object_get_string(line));
	made = s->exit_code == 0 ? detail_int(d, "new_leads", NULL, 0) : 0;
	json_object_put(d);
	return made;
}

/*
 * leads; when it made new leads (its row in the ledger says how many),
 * compset and leads once more: a new prospect's property becomes a comp-set
 * subject, and its projection and pricing signals need that set.  So one
 * night's run is complete, and the next run on the same data adds nothing.
 * The second pass goes into cs's and ls's rows: the summary shows each stage
 * once, with both passes' seconds.  It keeps the metrics of the first
 * compset when that one succeeded (metrics_done).
 */
static void leads_passes(struct run *r, struct stage_rec *cs, struct stage_rec *ls,
			 int metrics_done)
{
	char first[sizeof(r->leads_line)];
	struct stage_rec cs2, ls2;

	if (run_leads(r, ls) <= 0)
		return;
	snprintf(first, sizeof(first), "%s", r->leads_line);
	r->steps += 2;
	memset(&cs2, 0, sizeof(cs2));
	memset(&ls2, 0, sizeof(ls2));
	memcpy(cs2.stage, cs->stage, sizeof(cs2.stage));
	memcpy(ls2.stage, ls->stage, sizeof(ls2.stage));
	cs2.exit_code = ls2.exit_code = -1;
	run_compset(r, &cs2, metrics_done);
	run_leads(r, &ls2);
	add_pass(cs, &cs2);
	add_pass(ls, &ls2);
	if (strcmp(first, r->leads_line)) {
		char both[sizeof(r->leads_line)];
		snprintf(both, sizeof(both), "%.250s; then %.250s", first, r->leads_line);
		memcpy(r->leads_line, both, sizeof(both));
	}
}

/* compset, then leads (and their second pass) */
static void stage_global(struct run *r)
{
	struct stage_rec *cs = new_stage(r, "compset", NULL, NULL);
	struct stage_rec *ls = new_stage(r, "leads", NULL, NULL);

	if (!cs || !ls)
		return;
	run_compset(r, cs, 0);
	leads_passes(r, cs, ls, cs->exit_code == 0);
}

/* close the run in the ledger with its summary */
static void run_end(struct run *r, int code, const char *summary_json, const char *error)
{
	struct mi_err err = MI_ERR_INIT;
	const char *status = mi_stop_requested() ? "aborted"
			     : code == 0	      ? "succeeded"
			     : code == MI_EXIT_PARTIAL ? "partial"
						       : "failed";

	if (ledger_run_finish(r->conn, r->run_id, status, code, summary_json,
			      error ? error : (code ? "see the summary" : NULL), &err) < 0)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
}

/* ------------------------------------------------------------- summary */

static int severity(int code)
{
	switch (code) {
	case MI_EXIT_DATABASE: return 9;
	case MI_EXIT_INTERNAL: return 8;
	case MI_EXIT_IO: return 7;
	case MI_EXIT_CONFIG: return 6;
	case MI_EXIT_NETWORK: return 5;
	case MI_EXIT_DATA: return 4;
	case MI_EXIT_NOINPUT: return 3;
	case MI_EXIT_OK: return 0;
	case -1: return 0;
	default: return 1;
	}
}

static int overall_code(const struct run *r)
{
	int worst = 0, sev = 0;

	for (size_t i = 0; i < r->nstages; i++) {
		int c = r->stages[i].exit_code, v = severity(c);
		if (v > sev) {
			sev = v;
			worst = c;
		}
	}
	if (sev == 1)
		return MI_EXIT_PARTIAL;
	return worst;
}

static char *summary_json(const struct run *r, int code)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	char *out;

	json_object_object_add(root, "run", json_object_new_string(r->run_id));
	json_object_object_add(root, "exit", json_object_new_int(code));
	for (size_t i = 0; i < r->nstages; i++) {
		const struct stage_rec *s = &r->stages[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "stage", json_object_new_string(s->stage));
		if (s->source[0])
			json_object_object_add(o, "source", json_object_new_string(s->source));
		if (s->day[0])
			json_object_object_add(o, "day", json_object_new_string(s->day));
		json_object_object_add(o, "status", json_object_new_string(stage_status(s)));
		json_object_object_add(o, "exit", json_object_new_int(s->exit_code));
		json_object_object_add(o, "in", json_object_new_int64(s->rows_in));
		json_object_object_add(o, "out", json_object_new_int64(s->rows_out));
		json_object_object_add(o, "rejects", json_object_new_int64(s->rejects));
		json_object_object_add(o, "seconds", json_object_new_double(s->seconds));
		if (s->note[0])
			json_object_object_add(o, "note", json_object_new_string(s->note));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "stages", arr);
	if (r->leads_line[0])
		json_object_object_add(root, "leads", json_object_new_string(r->leads_line));
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return out;
}

static void print_summary(const struct run *r, FILE *fp, int code)
{
	double total = 0;

	fprintf(fp, "run %s\n", r->run_id);
	fprintf(fp, "%-9s %-28s %-10s %10s %10s %8s %8s\n", "stage", "source", "status", "in",
		"out", "rejects", "seconds");
	for (size_t i = 0; i < r->nstages; i++) {
		const struct stage_rec *s = &r->stages[i];
		char src[140];
		snprintf(src, sizeof(src), "%s%s%s", s->source[0] ? s->source : "-",
			 s->day[0] ? " " : "", s->day);
		fprintf(fp, "%-9s %-28s %-10s %10lld %10lld %8lld %8.1f%s%s\n", s->stage, src,
			stage_status(s), s->rows_in, s->rows_out, s->rejects, s->seconds,
			s->note[0] ? "  " : "", s->note);
		if (strcmp(s->stage, "fetch") || !s->source[0] || i == 0 ||
		    strcmp(r->stages[i - 1].stage, "fetch"))
			total += s->seconds;
	}
	if (r->leads_line[0])
		fprintf(fp, "leads: %s\n", r->leads_line);
	if (mi_stop_requested())
		fprintf(fp, "exit %d (stopped by %s)\n", code, mi_stop_name(mi_stop_requested()));
	else
		fprintf(fp, "exit %d (%s)\n", code, mi_exit_name(code));
}

/* ---------------------------------------------------------------- main */

static int find_bin(struct run *r)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (r->o->bin_dir) {
		snprintf(r->bin, sizeof(r->bin), "%s", r->o->bin_dir);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(r->bin, sizeof(r->bin), "%s", exe);
	return 0;
}

static int kind_rank(const char *kind)
{
	static const char *const order[] = { "owner_roll", "county_sales", "pm_listings",
					     "reviews", "pricing" };

	for (int i = 0; i < 5; i++)
		if (!strcmp(kind, order[i]))
			return i;
	return 5;
}

static int cmp_source_kind(const void *a, const void *b)
{
	const struct source *x = *(struct source *const *)a, *y = *(struct source *const *)b;
	int d = kind_rank(x->kind) - kind_rank(y->kind);

	return d ? d : strcmp(x->id, y->id);
}

static int select_sources(struct run *r, struct mi_err *err)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/sources", r->config_dir);
	if (source_load_dir(dir, &r->sources, &r->nsources, err) < 0)
		return -1;
	for (size_t i = 0; i < r->o->nonly; i++) {
		int found = 0;
		for (size_t j = 0; j < r->nsources; j++)
			if (!strcmp(r->sources[j]->id, r->o->only[i]))
				found = 1;
		if (!found)
			return mi_err_set(err, MI_EXIT_USAGE, "no source '%s' in '%s'",
					  r->o->only[i], dir);
	}
	/* parcels and owners first, then sales, listings, reviews, pricing: a
	 * listing is matched to a parcel that is already loaded */
	qsort(r->sources, r->nsources, sizeof(*r->sources), cmp_source_kind);
	for (size_t j = 0; j < r->nsources && r->nsel < MAX_SOURCES; j++) {
		struct source *s = r->sources[j];
		int wanted = r->o->nonly == 0 ? s->enabled : 0;
		for (size_t i = 0; i < r->o->nonly; i++)
			if (!strcmp(s->id, r->o->only[i]))
				wanted = 1;
		if (wanted)
			r->sel[r->nsel++] = s;
	}
	if (!r->nsel)
		return mi_err_set(err, MI_EXIT_CONFIG, "no enabled source in '%s'", dir);
	return 0;
}

/* "mi-run: run ID on HOST pid N" as the session's application_name (at most
 * 63 bytes are kept), for a run that finds the lock taken */
static void name_session(struct run *r)
{
	struct mi_err err = MI_ERR_INIT;
	char host[256] = "", name[128];
	const char *p[1] = { name };
	PGresult *res;

	gethostname(host, sizeof(host) - 1);
	snprintf(name, sizeof(name), "mi-run: run %s on %s pid %d", r->run_id, host, (int)getpid());
	res = mi_pg_query(r->conn, "SELECT set_config('application_name', $1, false)", 1, p, &err);
	if (!res)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
	PQclear(res);
}

/* mi-run's own statements wait for a lock and run no longer than [stages] says */
static void limit_session(struct run *r)
{
	struct mi_err err = MI_ERR_INIT;
	char lock[24], stmt[24];
	const char *p[2] = { lock, stmt };
	PGresult *res;

	snprintf(lock, sizeof(lock), "%lld", r->cfg.all.lock_timeout_ms);
	snprintf(stmt, sizeof(stmt), "%lld", r->cfg.all.statement_timeout_ms);
	res = mi_pg_query(r->conn,
			  "SELECT set_config('lock_timeout', $1, false),"
			  " set_config('statement_timeout', $2, false)",
			  2, p, &err);
	if (!res)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
	PQclear(res);
}

/*
 * Under the lock, every other nightly or backfill still 'running' lost its
 * process: close it as abandoned (ledger_mark_abandoned) and say so.
 */
static void mark_abandoned(struct run *r)
{
	struct mi_err err = MI_ERR_INIT;
	PGresult *res = ledger_mark_abandoned(r->conn, r->run_id, &err);

	if (!res) {
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
		return;
	}
	for (int i = 0; i < PQntuples(res); i++)
		mi_log_kv(MI_LOG_WARN, "run_abandoned", "abandoned_run", PQgetvalue(res, i, 0),
			  "host", PQgetvalue(res, i, 1), "pid", PQgetvalue(res, i, 2), "started",
			  PQgetvalue(res, i, 3), NULL);
	PQclear(res);
}

/* the run lock: exclusive for a one-host run, shared by the workers of a night */
static int take_lock(struct run *r, struct mi_err *err)
{
	PGresult *res = mi_pg_query(r->conn,
				    r->o->worker ? "SELECT pg_try_advisory_lock_shared(etl.run_lock_key())"
						 : "SELECT pg_try_advisory_lock(etl.run_lock_key())",
				    0, NULL, err);
	int got;

	if (!res)
		return -1;
	got = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (got)
		return 0;
	/* who holds it: the holder named itself in its application_name (see
	 * name_session) before it took the lock, so this works even before its
	 * etl.runs row is written */
	res = mi_pg_query(r->conn,
			  "SELECT substr(a.application_name, 9),"
			  " to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')"
			  " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
			  " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
			  " AND ((l.classid::bigint << 32) | l.objid::bigint) = etl.run_lock_key()"
			  " AND a.application_name LIKE 'mi-run: run %' LIMIT 1",
			  0, NULL, err);
	if (res && PQntuples(res) == 1) {
		mi_err_set(err, MI_EXIT_BUSY, "another run holds the lock: %s since %s",
			   PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
		mi_err_detail(err, "one run at a time; try again when it has finished");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	res = mi_pg_query(r->conn,
			  "SELECT run_id, coalesce(host, '?'), coalesce(pid::text, '?'),"
			  " to_char(started_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
			  " FROM etl.runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1",
			  0, NULL, err);
	mi_err_set(err, MI_EXIT_BUSY, "another run holds the lock%s%s%s%s%s%s%s%s",
		   res && PQntuples(res) ? ": run " : "",
		   res && PQntuples(res) ? PQgetvalue(res, 0, 0) : "",
		   res && PQntuples(res) ? " on " : "",
		   res && PQntuples(res) ? PQgetvalue(res, 0, 1) : "",
		   res && PQntuples(res) ? " pid " : "",
		   res && PQntuples(res) ? PQgetvalue(res, 0, 2) : "",
		   res && PQntuples(res) ? " since " : "",
		   res && PQntuples(res) ? PQgetvalue(res, 0, 3) : "");
	mi_err_detail(err, "one run at a time; try again when it has finished");
	PQclear(res);
	return -1;
}

static int has_placeholder(const struct source *s)
{
	return strstr(s->url, "{date}") || strstr(s->url, "{ymd}");
}

static int landed_run_exists(const struct run *r, const char *run_id)
{
	char path[PATH_MAX + 96];
	struct stat st;

	snprintf(path, sizeof(path), "%s/runs/%s/manifest.jsonl", r->paths.landing, run_id);
	return stat(path, &st) == 0;
}

/* the dry run of a backfill: what each day of the range would do */
static void plan_backfill(const struct run *r, FILE *fp)
{
	struct tm day, last;

	parse_date(r->o->date_from, &day);
	parse_date(r->o->date_to, &last);
	for (; timegm(&day) <= timegm(&last); day.tm_mday++, timegm(&day)) {
		char d[11], c[11], fetch_run[32];
		int landed, dated = 0;

		format_date(&day, d, 0);
		format_date(&day, c, 1);
		snprintf(fetch_run, sizeof(fetch_run), "nightly-%s", c);
		landed = landed_run_exists(r, fetch_run);
		for (size_t i = 0; i < r->nsel; i++)
			dated |= has_placeholder(r->sel[i]);
		if (r->o->refetch || (!landed && dated))
			fprintf(fp, "day %s: fetch %s again, then re-parse and re-load it\n", d,
				fetch_run);
		else if (landed)
			fprintf(fp, "day %s: re-parse and re-load what %s landed (no fetch)\n", d,
				fetch_run);
		else
			fprintf(fp, "day %s: nothing landed, no source URL takes a date: skipped\n",
				d);
	}
}

static void plan_steps(struct run *r, int days)
{
	r->steps = (size_t)days * (1 + 3 * r->nsel) + 2;
}

/* -------------------------------------------------------------- workers */

#define SEQ_PARSE 1000
#define SEQ_GLOBAL 90000

struct local_src {
	const char *id;
	int parsed;  /* its entity files are in this worker's folder */
	int scored;  /* and its reviews are scored there */
};

static struct local_src *local_of(struct local_src *loc, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(loc[i].id, id))
			return &loc[i];
	return NULL;
}

/* the exit code of a stage's row (-1: skipped or none) and the reviews a parse wrote */
static int row_code(struct run *r, const char *stage, const char *source, long long *reviews)
{
	struct mi_err err = MI_ERR_INIT;
	struct ledger_row row;
	int code = -1;

	if (reviews)
		*reviews = 0;
	if (ledger_stage_read(r->conn, r->run_id, stage, source, &row, &err) < 0) {
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
		return MI_EXIT_DATABASE;
	}
	if (row.found && strcmp(row.status, "skipped"))
		code = row.exit_code < 0 ? MI_EXIT_INTERNAL : row.exit_code;
	if (reviews && row.detail) {
		json_object *d = json_tokener_parse(row.detail);
		*reviews = detail_int(d, "rows", "reviews", 0);
		json_object_put(d);
	}
	ledger_row_release(&row);
	return code;
}

/* the fetch row of the source says it landed fewer items than it expects */
static int fetch_too_few(struct run *r, const char *source)
{
	struct mi_err err = MI_ERR_INIT;
	struct ledger_row row;
	int few = 0;

	if (ledger_stage_read(r->conn, r->run_id, "fetch", source, &row, &err) < 0)
		return 0;
	if (row.found && row.detail) {
		json_object *d = json_tokener_parse(row.detail), *v;
		few = d && json_object_object_get_ex(d, "too_few", &v) && json_object_get_boolean(v);
		json_object_put(d);
	}
	ledger_row_release(&row);
	return few;
}

/*
 * Run one work item; returns its exit code (-1: skipped).  A score or load
 * taken from a source this worker did not parse parses (and scores) it
 * again into its own folder first: the landing store is shared, work
 * folders are not.
 */
static int work_item(struct run *r, const struct workq_item *it, struct local_src *loc,
		     size_t nloc)
{
	const struct source *src = NULL;
	struct local_src *l = it->source[0] ? local_of(loc, nloc, it->source) : NULL;
	char dir[PATH_MAX];
	long long reviews = 0;
	int rc;

	r->nstages = 0;
	if (!strcmp(it->stage, "compset")) {
		struct stage_rec *cs = new_stage(r, "compset", NULL, NULL);
		run_compset(r, cs, 0);
		return cs->exit_code;
	}
	if (!strcmp(it->stage, "leads")) {
		/* leads, and the second pass of compset and leads when it made new leads */
		struct stage_rec *cs = new_stage(r, "compset", NULL, NULL);
		struct stage_rec *ls = new_stage(r, "leads", NULL, NULL);
		leads_passes(r, cs, ls, compset_succeeded(r));
		return ls->exit_code;
	}
	for (size_t i = 0; i < r->nsel; i++)
		if (!strcmp(r->sel[i]->id, it->source))
			src = r->sel[i];
	if (!src || !l) {
		mi_log_kv(MI_LOG_WARN, "unknown_source", "source", it->source, "msg",
			  "the night's plan names a source this host does not have", NULL);
		return MI_EXIT_CONFIG;
	}
	source_dir(r, src, NULL, dir, sizeof(dir));
	if (!strcmp(it->stage, "fetch")) {
		struct source *one[1] = { (struct source *)src };
		stage_fetch(r, r->run_id, r->date, NULL, one, 1);
		return r->nstages ? r->stages[r->nstages - 1].exit_code : MI_EXIT_INTERNAL;
	}
	if (!strcmp(it->stage, "parse")) {
		if (fetch_too_few(r, src->id))
			return -1; /* it landed fewer items than it expects: not loaded */
		rc = parse_source(r, src, r->run_id, NULL, dir, &reviews);
		l->parsed = parse_loadable(rc);
		l->scored = 0;
		return rc;
	}
	/* score or load: what parse (and score) did, from the ledger */
	rc = row_code(r, "parse", src->id, &reviews);
	if (!parse_loadable(rc))
		return -1; /* nothing trustworthy to score or load */
	if (!l->parsed) {
		rc = parse_source(r, src, r->run_id, NULL, dir, &reviews);
		if (!parse_loadable(rc))
			return rc;
		l->parsed = 1;
		l->scored = 0;
	}
	if (!strcmp(it->stage, "score")) {
		rc = score_source(r, src, NULL, dir, reviews);
		l->scored = rc == 0;
		return rc;
	}
	rc = row_code(r, "score", src->id, NULL);
	if (rc > 0)
		return -1; /* a failed score: not loaded */
	if (rc == 0 && !l->scored) {
		if (score_source(r, src, NULL, dir, reviews) > 0)
			return -1;
		l->scored = 1;
	}
	return load_source(r, src, NULL, dir);
}

/* the night's summary, from the ledger rows of its items in the plan's order */
static void summary_from_ledger(struct run *r, struct mi_err *err)
{
	const char *p[1] = { r->run_id };
	PGresult *res = mi_pg_query(r->conn,
				    "SELECT stage, coalesce(source, '') FROM etl.work_items"
				    " WHERE run_id = $1 ORDER BY seq",
				    1, p, err);

	r->nstages = 0;
	r->leads_line[0] = '\0';
	if (!res)
		return;
	for (int i = 0; i < PQntuples(res); i++) {
		struct ledger_row row;
		struct mi_err e = MI_ERR_INIT;
		const char *stage = PQgetvalue(res, i, 0), *source = PQgetvalue(res, i, 1);
		struct stage_rec *s;
		if (ledger_stage_read(r->conn, r->run_id, stage, source[0] ? source : NULL, &row,
				      &e) < 0 || !row.found) {
			ledger_row_release(&row);
			continue; /* not run: an earlier stage of the source failed */
		}
		s = new_stage(r, stage, source, NULL);
		if (s) {
			s->exit_code = !strcmp(row.status, "skipped") ? -1 : row.exit_code;
			s->failed = !strcmp(row.status, "failed");
			s->seconds = row.seconds;
			s->rows_in = row.in;
			s->rows_out = row.out;
			s->rejects = row.rejected;
			if (s->exit_code > 0 || !strcmp(row.status, "skipped"))
				snprintf(s->note, sizeof(s->note), "%.390s", row.error);
			if (!strcmp(stage, "leads") && row.detail) {
				json_object *d = json_tokener_parse(row.detail), *line;
				if (d && json_object_object_get_ex(d, "line", &line))
					snprintf(r->leads_line, sizeof(r->leads_line), "%.300s",
						 json_object_get_string(line));
				json_object_put(d);
			}
		}
		ledger_row_release(&row);
	}
	PQclear(res);
}

/* the plan of the night: each (source, stage), then compset and leads */
static int plan_night(struct run *r, struct workq *q, struct mi_err *err)
{
	struct workq_plan_item *items = calloc(4 * r->nsel + 2, sizeof(*items));
	size_t n = 0;
	int ret;

	if (!items)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < r->nsel; i++) {
		static const char *const stages[] = { "parse", "score", "load" };
		if (!r->o->skip_fetch)
			items[n++] = (struct workq_plan_item){ "fetch", r->sel[i]->id, (int)i };
		for (int k = 0; k < 3; k++)
			items[n++] = (struct workq_plan_item){ stages[k], r->sel[i]->id,
							       SEQ_PARSE + 10 * (int)i + k };
	}
	items[n++] = (struct workq_plan_item){ "compset", NULL, SEQ_GLOBAL };
	items[n++] = (struct workq_plan_item){ "leads", NULL, SEQ_GLOBAL + 1 };
	ret = workq_plan(q, items, n, err);
	free(items);
	return ret;
}

/* mi-run nightly --worker: see nightly.h; returns the night's exit code */
static int work_night(struct run *r, FILE *summary, struct mi_err *err)
{
	struct local_src *loc = calloc(r->nsel ? r->nsel : 1, sizeof(*loc));
	const char **parsed = calloc(r->nsel ? r->nsel : 1, sizeof(*parsed));
	long long lease = r->o->lease_ms > 0 ? r->o->lease_ms : 60000;
	double poll = (double)lease / 4000.0;
	struct workq *q = NULL;
	int code = MI_EXIT_OK, done = 0;
	char *json = NULL;

	if (!loc || !parsed) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r->nsel; i++)
		loc[i].id = r->sel[i]->id;
	if (poll > 1.0)
		poll = 1.0;
	if (workq_landing_check(r->conn, r->paths.landing, err) < 0)
		goto out;
	q = workq_open(r->conn, r->o->conninfo, r->run_id, lease, err);
	if (!q || plan_night(r, q, err) < 0)
		goto out;
	mi_log_kv(MI_LOG_INFO, "worker_start", "run", r->run_id, "worker", workq_worker(q), NULL);
	while (!mi_stop_requested()) {
		struct workq_item it;
		size_t nparsed = 0;
		long long open = 0;
		int got, rc, lost = 0;
		for (size_t i = 0; i < r->nsel; i++)
			if (loc[i].parsed)
				parsed[nparsed++] = loc[i].id;
		got = workq_claim(q, parsed, nparsed, &it, err);
		if (got < 0)
			goto out;
		if (!got) {
			if (workq_open_items(q, &open, err) < 0)
				goto out;
			if (!open) {
				done = 1;
				break;
			}
			workq_wait(q, poll);
			continue;
		}
		{
			char att[16];
			snprintf(att, sizeof(att), "%d", it.attempts);
			/* an item claimed again: its worker died holding it */
			mi_log_kv(it.attempts > 1 ? MI_LOG_WARN : MI_LOG_INFO,
				  it.attempts > 1 ? "item_taken_over" : "item_claimed", "stage",
				  it.stage, "source", it.source, "attempt", att, NULL);
		}
		rc = work_item(r, &it, loc, r->nsel);
		if (mi_stop_requested())
			break; /* the item is left to the lease: another worker takes it over */
		if (workq_finish(q, &it, rc < 0 ? "skipped" : ledger_status_of(rc), rc, &lost,
				 err) < 0)
			goto out;
		if (lost)
			mi_log_kv(MI_LOG_WARN, "item_lost", "stage", it.stage, "source", it.source,
				  "msg", "another worker took the item over", NULL);
	}
	if (!done) {
		int sig = mi_stop_requested();
		code = 128 + sig;
		mi_err_set(err, code, "worker of run %s stopped by %s; its item is left to the"
				      " other workers after its lease", r->run_id, mi_stop_name(sig));
		goto out;
	}
	summary_from_ledger(r, err);
	code = overall_code(r);
	json = summary_json(r, code);
	run_end(r, code, json ? json : "{}", NULL);
	print_summary(r, summary, code);
	mi_log_kv(code ? MI_LOG_WARN : MI_LOG_INFO, "run_end", "run", r->run_id, "exit",
		  mi_exit_name(code), NULL);
	if (code)
		mi_err_set(err, code, "run %s finished with failures (%s)", r->run_id,
			   mi_exit_name(code));
out:
	workq_close(q);
	free(json);
	free(loc);
	free(parsed);
	return err->code ? err->code : code;
}

int nightly_run(const struct nightly_opts *o, FILE *summary, struct mi_err *err)
{
	struct run r;
	int code = MI_EXIT_OK;
	char *json = NULL;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.tty = o->progress;
	if (o->mode == NIGHTLY_RUN) {
		struct tm tm;
		if (o->date)
			snprintf(r.date, sizeof(r.date), "%s", o->date);
		else
			today_utc(r.date);
		if (parse_date(r.date, &tm) < 0)
			return mi_err_set(err, MI_EXIT_USAGE, "invalid date '%s'", r.date);
		snprintf(r.global_date, sizeof(r.global_date), "%s", r.date);
		snprintf(r.leads_date, sizeof(r.leads_date), "%s", r.date);
		if (o->run_id) {
			snprintf(r.run_id, sizeof(r.run_id), "%s", o->run_id);
		} else {
			char c[11];
			compact(r.date, c);
			snprintf(r.run_id, sizeof(r.run_id), "nightly-%s", c);
		}
	} else {
		struct tm a, b;
		char ca[11], cb[11];
		if (parse_date(o->date_from, &a) < 0 || parse_date(o->date_to, &b) < 0)
			return mi_err_set(err, MI_EXIT_USAGE, "invalid --from or --to date");
		if (timegm(&b) < timegm(&a))
			return mi_err_set(err, MI_EXIT_USAGE, "--to is before --from");
		snprintf(r.date, sizeof(r.date), "%s", o->date_to);
		{
			char today[11];
			today_utc(today);
			snprintf(r.global_date, sizeof(r.global_date), "%s",
				 strcmp(o->date_to, today) > 0 ? today : o->date_to);
			if (strcmp(o->date_to, today) >= 0)
				snprintf(r.leads_date, sizeof(r.leads_date), "%s", today);
		}
		compact(o->date_from, ca);
		compact(o->date_to, cb);
		if (o->run_id) {
			snprintf(r.run_id, sizeof(r.run_id), "%s", o->run_id);
		} else {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "backfill-%s-%s", ca, cb);
			for (size_t i = 0; i < o->nonly; i++)
				strbuf_addf(&sb, "-%s", o->only[i]);
			snprintf(r.run_id, sizeof(r.run_id), "%.79s", sb.buf);
			strbuf_release(&sb);
		}
	}
	if (!landing_run_id_ok(r.run_id))
		return mi_err_set(err, MI_EXIT_USAGE, "invalid run id '%s'", r.run_id);
	mi_log_set_run(r.run_id);
	if (find_bin(&r) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "cannot find the stage binaries");
	r.config_dir = runcfg_config_dir(o->config_dir);
	if (runcfg_load(&r.cfg, r.config_dir, err) < 0 ||
	    runcfg_paths(&r.cfg, o->landing_dir, o->work_dir, &r.paths, err) < 0)
		return err->code;
	if (select_sources(&r, err) < 0)
		goto out_noconn;

	if (o->dry_run) {
		fprintf(summary, "run %s (dry run: nothing is fetched, parsed or loaded)\n",
			r.run_id);
		for (size_t i = 0; i < r.nsel; i++)
			fprintf(summary, "source %-28s %-14s %-22s %s\n", r.sel[i]->id,
				r.sel[i]->kind, r.sel[i]->format, r.sel[i]->url);
		fprintf(summary, "config %s\nlanding %s (%s)\nwork %s (%s)\n", r.config_dir,
			r.paths.landing, r.paths.from_landing, r.paths.work, r.paths.from_work);
		if (r.paths.logs[0])
			fprintf(summary, "logs %s/%s (%s)\n", r.paths.logs, r.run_id,
				r.paths.from_logs);
		else
			fprintf(summary, "logs %s/%s/logs\n", r.paths.work, r.run_id);
		if (o->mode == NIGHTLY_BACKFILL)
			plan_backfill(&r, summary);
		fprintf(summary, "stages: %sparse -> score -> load per source, "
				 "then compset and leads; binaries in %s\n",
			o->mode == NIGHTLY_BACKFILL ? "" : "fetch -> ", r.bin);
		goto out_noconn;
	}

	/* SIGTERM, SIGINT: stop the stage at work, record the run, then die of it */
	if (mi_stop_install() < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "cannot set up signal handling: %s",
				  strerror(errno));
	snprintf(r.workrun, sizeof(r.workrun), "%s/%s", r.paths.work, r.run_id);
	if (r.paths.logs[0])
		snprintf(r.logs, sizeof(r.logs), "%s/%s", r.paths.logs, r.run_id);
	else
		snprintf(r.logs, sizeof(r.logs), "%s/logs", r.workrun);
	if (mkdirs(r.logs) < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot create '%s': %s", r.logs, strerror(errno));
		goto out_noconn;
	}
	r.stages = calloc(MAX_STAGES, sizeof(*r.stages));
	if (!r.stages) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out_noconn;
	}
	r.conn = mi_pg_connect("mi-run", o->conninfo, err);
	if (!r.conn)
		goto out_noconn;
	name_session(&r);
	limit_session(&r);
	if (take_lock(&r, err) < 0)
		goto out;
	if (!o->worker)
		mark_abandoned(&r);
	{
		struct ledger_run_info info = {
			o->mode == NIGHTLY_BACKFILL ? "backfill" : "nightly",
			o->mode == NIGHTLY_BACKFILL ? o->date_from : r.date,
			o->mode == NIGHTLY_BACKFILL ? o->date_to : r.date,
			o->only,
			o->nonly,
			MI_VERSION,
		};
		struct mi_err lerr = MI_ERR_INIT;
		if (ledger_run_start(r.conn, r.run_id, &info, &lerr) < 0)
			mi_log(MI_LOG_WARN, "ledger_failed", "%s", lerr.msg);
	}
	mi_log_kv(MI_LOG_INFO, "run_start", "run", r.run_id, "date", r.date, NULL);

	if (o->worker) {
		code = work_night(&r, summary, err);
		goto out;
	}
	if (o->mode == NIGHTLY_RUN) {
		plan_steps(&r, 1);
		if (!o->skip_fetch)
			stage_fetch(&r, r.run_id, r.date, NULL, r.sel, r.nsel);
		else
			r.step++;
		for (size_t i = 0; i < r.nsel; i++) {
			if (r.too_few[i]) {
				r.step += 3; /* parse, score, load: not for a source that shrank */
				continue;
			}
			stage_source(&r, r.sel[i], r.run_id, NULL);
		}
	} else {
		struct tm day, last;
		int days = 0;
		parse_date(o->date_from, &day);
		parse_date(o->date_to, &last);
		days = (int)((timegm(&last) - timegm(&day)) / 86400) + 1;
		plan_steps(&r, days);
		for (; timegm(&day) <= timegm(&last); day.tm_mday++, timegm(&day)) {
			char d[11], c[11], fetch_run[32];
			format_date(&day, d, 0);
			format_date(&day, c, 1);
			snprintf(fetch_run, sizeof(fetch_run), "nightly-%s", c);
			int need_fetch = o->refetch;
			if (!landed_run_exists(&r, fetch_run))
				for (size_t i = 0; i < r.nsel; i++)
					need_fetch |= has_placeholder(r.sel[i]);
			if (need_fetch)
				stage_fetch(&r, fetch_run, d, d, r.sel, r.nsel);
			else
				r.step++;
			if (!landed_run_exists(&r, fetch_run)) {
				r.step += 3 * r.nsel;
				continue; /* nothing landed that day */
			}
			for (size_t i = 0; i < r.nsel; i++) {
				if (need_fetch && r.too_few[i]) {
					r.step += 3;
					continue;
				}
				stage_source(&r, r.sel[i], fetch_run, d);
			}
		}
	}
	stage_global(&r);
	progress_done(&r);
	code = overall_code(&r);
	if (mi_stop_requested()) {
		/* the run dies of the signal once it is recorded (mi_stop_reraise) */
		char why[256];
		int sig = mi_stop_requested();
		code = 128 + sig;
		snprintf(why, sizeof(why), "stopped by %s%s%s", mi_stop_name(sig),
			 r.stopped_in[0] ? " during " : " between stages", r.stopped_in);
		json = summary_json(&r, code);
		run_end(&r, code, json ? json : "{}", why);
		print_summary(&r, summary, code);
		mi_log_kv(MI_LOG_WARN, "run_stopped", "run", r.run_id, "why", why, NULL);
		mi_err_set(err, code, "run %s %s; its queries were cancelled", r.run_id, why);
		goto out;
	}
	json = summary_json(&r, code);
	run_end(&r, code, json ? json : "{}", NULL);
	print_summary(&r, summary, code);
	mi_log_kv(code ? MI_LOG_WARN : MI_LOG_INFO, "run_end", "run", r.run_id, "exit",
		  mi_exit_name(code), NULL);
	if (code)
		mi_err_set(err, code, "run %s finished with failures (%s)", r.run_id,
			   mi_exit_name(code));
out:
	free(json);
	mi_pg_finish(r.conn); /* also releases the lock */
	free(r.stages);
	source_free_all(r.sources, r.nsources);
	return err->code ? err->code : code;
out_noconn:
	source_free_all(r.sources, r.nsources);
	free(r.stages);
	return err->code;
}
