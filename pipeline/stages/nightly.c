#include "nightly.h"
#include "exitcode.h"
#include "landing.h"
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

static void ledger_run_begin(struct run *r)
{
	const struct nightly_opts *o = r->o;
	struct mi_err err = MI_ERR_INIT;
	struct strbuf srcs = STRBUF_INIT;
	char host[256] = "", pid[16];
	const char *user = getenv("USER");

	gethostname(host, sizeof(host) - 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	mi_pg_text_array(&srcs, o->only, o->nonly);
	const char *p[8] = { r->run_id, o->mode == NIGHTLY_BACKFILL ? "backfill" : "nightly",
			     o->mode == NIGHTLY_BACKFILL ? o->date_from : r->date,
			     o->mode == NIGHTLY_BACKFILL ? o->date_to : r->date,
			     srcs.buf, host, pid, user ? user : "" };
	if (mi_pg_command(r->conn,
			  "INSERT INTO etl.runs (run_id, kind, date_from, date_to, sources, host, pid,"
			  " started_by, code_version)"
			  " VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, '" MI_VERSION "')"
			  " ON CONFLICT (run_id) DO UPDATE SET status = 'running', finished_at = NULL,"
			  " error = NULL, exit_code = NULL, host = EXCLUDED.host, pid = EXCLUDED.pid,"
			  " started_by = EXCLUDED.started_by",
			  8, p, NULL, &err) < 0)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
	strbuf_release(&srcs);
}

static const char *stage_status(const struct stage_rec *s)
{
	if (s->exit_code < 0)
		return "skipped";
	if (s->failed)
		return "failed";
	if (s->exit_code == 0)
		return "succeeded";
	if (s->exit_code == MI_EXIT_PARTIAL)
		return "partial";
	return "failed";
}

static void ledger_stage(struct run *r, const struct stage_rec *s)
{
	struct mi_err err = MI_ERR_INIT;
	char in[24], out[24], rej[24], secs[32], code[8];
	const char *st = stage_status(s);
	char errtext[480];

	if (!strcmp(s->stage, "load") && !s->killed && s->exit_code < 128)
		return; /* mi-load keeps its own rows (unless it was killed) */
	snprintf(in, sizeof(in), "%lld", s->rows_in);
	snprintf(out, sizeof(out), "%lld", s->rows_out);
	snprintf(rej, sizeof(rej), "%lld", s->rejects);
	snprintf(secs, sizeof(secs), "%.3f", s->seconds);
	snprintf(code, sizeof(code), "%d", s->exit_code);
	snprintf(errtext, sizeof(errtext), "exit %d (%s)%s%s", s->exit_code,
		 mi_exit_name(s->exit_code), s->note[0] ? ": " : "", s->note);
	const char *p[10] = { r->run_id, s->stage, s->source[0] ? s->source : NULL, st, in, out,
			      rej, strcmp(st, "failed") ? NULL : errtext, secs,
			      s->note[0] ? s->note : NULL };
	if (mi_pg_command(r->conn,
			  "INSERT INTO etl.stage_results AS s (run_id, stage, source, status,"
			  " finished_at, rows_read, rows_inserted, rows_rejected, error, detail)"
			  " VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'running' THEN NULL ELSE now() END,"
			  " $5, $6, $7, $8, jsonb_build_object('seconds', $9::numeric, 'by', 'mi-run')"
			  "   || CASE WHEN $10::text IS NULL THEN '{}'::jsonb"
			  "           ELSE jsonb_build_object('note', $10::text) END)"
			  " ON CONFLICT ON CONSTRAINT stage_results_key DO UPDATE SET"
			  " status = EXCLUDED.status, attempt = s.attempt + 1, started_at = now(),"
			  " finished_at = EXCLUDED.finished_at, rows_read = EXCLUDED.rows_read,"
			  " rows_inserted = EXCLUDED.rows_inserted, rows_rejected = EXCLUDED.rows_rejected,"
			  " error = EXCLUDED.error, detail = EXCLUDED.detail",
			  10, p, NULL, &err) < 0)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
}

static void ledger_run_end(struct run *r, int code, const char *summary_json,
			   const char *error)
{
	struct mi_err err = MI_ERR_INIT;
	char c[8];
	const char *status = mi_stop_requested() ? "aborted"
			     : code == 0	      ? "succeeded"
			     : code == MI_EXIT_PARTIAL ? "partial"
						       : "failed";

	snprintf(c, sizeof(c), "%d", code);
	const char *p[5] = { r->run_id, status, c, summary_json,
			     error ? error : (code ? "see the summary" : NULL) };
	if (mi_pg_command(r->conn,
			  "UPDATE etl.runs SET status = $2, exit_code = $3, finished_at = now(),"
			  " summary = $4::jsonb, error = $5 WHERE run_id = $1",
			  5, p, NULL, &err) < 0)
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", err.msg);
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

/* the last "prog: error: ..." line of a stage's log, without the program name */
static void last_error(const char *log, char *out, size_t size)
{
	FILE *fp = fopen(log, "r");
	char line[1024];

	out[0] = '\0';
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		const char *e = strstr(line, ": error: ");
		if (line[0] == '{' || !e)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "%s", e + 9);
	}
	fclose(fp);
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
 * Run bin/<prog> with args; fills s; returns the child's exit code.  The
 * stage's limits (pipeline.ini) go to every connection it opens through
 * PGOPTIONS: lock_timeout and statement_timeout, and a check every 10 s that
 * its client is still there (a stage killed without a chance to cancel its
 * query leaves no backend waiting behind it).  Past its time_limit, or when
 * the run is asked to stop, the stage is stopped (SIGTERM: it cancels its
 * queries and dies; SIGKILL 10 s later).
 */
static int run_stage(struct run *r, struct stage_rec *s, char **argv)
{
	struct spawn_result res;
	struct spawn_opts so;
	struct mi_err err = MI_ERR_INIT;
	char log[PATH_MAX + 64], prog[PATH_MAX + 32], limit[32];
	struct strbuf pgopt = STRBUF_INIT;
	const char *env[2] = { NULL, NULL };
	const char *old = getenv("PGOPTIONS");
	int id = runcfg_stage_id(s->stage);
	const struct runcfg_limits *l = &r->cfg.stage[id < 0 ? RUNCFG_LOAD : id];

	snprintf(prog, sizeof(prog), "%s/%s", r->bin, argv[0]);
	argv[0] = prog;
	snprintf(log, sizeof(log), "%s/%s%s%s%s%s.log", r->logs, s->stage, s->source[0] ? "-" : "",
		 s->source, s->day[0] ? "-" : "", s->day);
	progress(r, s->stage, s->source);
	if (mi_stop_requested()) {
		snprintf(s->note, sizeof(s->note), "not started: the run was stopped (%s)",
			 mi_stop_name(mi_stop_requested()));
		return s->exit_code;
	}
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
		char msg[sizeof(s->note)];
		s->exit_code = res.exit_code;
		s->seconds = res.seconds;
		s->killed = res.timed_out || res.stopped;
		format_ms(l->time_limit_ms, limit, sizeof(limit));
		last_error(log, msg, sizeof(msg));
		if (res.timed_out)
			snprintf(s->note, sizeof(s->note),
				 "stopped at its time limit of %s (pipeline.ini time_limit); see %s",
				 limit, log);
		else if (res.stopped)
			snprintf(s->note, sizeof(s->note), "stopped: the run was stopped (%s); see %s",
				 mi_stop_name(mi_stop_requested()), log);
		else if (res.exit_code && msg[0])
			snprintf(s->note, sizeof(s->note), "%.300s; see %s", msg, log);
		else if (res.exit_code)
			snprintf(s->note, sizeof(s->note), "see %s", log);
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

static long long count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	char buf[65536];
	size_t n;
	long long lines = 0;

	if (!fp)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		for (size_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	fclose(fp);
	return lines;
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

#define MAX_BODIES 64

struct fetch_count {
	const char *source;
	long long landed, failed, items;
	char warning[300]; /* the first page's warning (pagination stopped early) */
	int warnings;
};

static int count_fetch(const struct landing_record *rec, void *arg)
{
	struct fetch_count *c = arg;

	if (!rec->source || strcmp(rec->source, c->source))
		return 0;
	if (rec->outcome && (!strcmp(rec->outcome, "landed") || !strcmp(rec->outcome, "not_modified")))
		c->landed++;
	else
		c->failed++;
	if (rec->warning && !c->warnings++)
		snprintf(c->warning, sizeof(c->warning), "%s", rec->warning);
	return 0;
}

/* each URL's last body once: the items of the source's pages */
static int count_items(const struct landing_record *rec, void *arg)
{
	struct fetch_count *c = arg;

	if (rec->source && !strcmp(rec->source, c->source) && rec->items_known)
		c->items += rec->items;
	return 0;
}

static int source_has_bodies(const char *landing, const char *run_id, struct fetch_count *c)
{
	struct mi_err err = MI_ERR_INIT;

	if (landing_run_foreach(landing, run_id, LANDING_ALL, count_fetch, c, &err) < 0)
		return -1;
	if (landing_run_foreach(landing, run_id, 0, count_items, c, &err) < 0)
		return -1;
	return 0;
}

/* fetch every selected source of fetch run fetch_run for date (one mi-fetch) */
static void stage_fetch(struct run *r, const char *fetch_run, const char *date, const char *day)
{
	char *argv[16 + 2 * MAX_SOURCES];
	int a = 0;
	struct stage_rec whole, *all = &whole;

	/* one mi-fetch for all sources (it shares hosts and slots between
	 * them); each source then gets its own row from the manifest */
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
	for (size_t i = 0; i < r->nsel; i++) {
		argv[a++] = "--source";
		argv[a++] = r->sel[i]->id;
	}
	argv[a] = NULL;
	run_stage(r, all, argv);
	/* per-source outcome from the manifest: the fetch row of each source */
	for (size_t i = 0; i < r->nsel; i++) {
		const struct source *src = r->sel[i];
		struct stage_rec *s = new_stage(r, "fetch", src->id, day);
		struct fetch_count c;
		size_t len;

		r->too_few[i] = 0;
		if (!s)
			return;
		memset(&c, 0, sizeof(c));
		c.source = src->id;
		s->seconds = all->seconds;
		if (source_has_bodies(r->paths.landing, fetch_run, &c) < 0 && all->exit_code == 0) {
			s->exit_code = MI_EXIT_PARTIAL;
			snprintf(s->note, sizeof(s->note), "nothing landed");
		} else {
			s->exit_code = c.failed ? (c.landed ? MI_EXIT_PARTIAL : MI_EXIT_NETWORK) : 0;
			if (all->exit_code && !c.landed && !c.failed)
				s->exit_code = all->exit_code;
			if (c.failed)
				snprintf(s->note, sizeof(s->note), "%lld request%s failed", c.failed,
					 c.failed == 1 ? "" : "s");
		}
		/* a source that shrank is no market that shrank: it fails, unloaded */
		if (src->expected_min_items && c.landed && c.items < src->expected_min_items) {
			len = strlen(s->note);
			snprintf(s->note + len, sizeof(s->note) - len,
				 "%s%lld items, expected at least %lld: not loaded", len ? "; " : "",
				 c.items, src->expected_min_items);
			if (s->exit_code == 0)
				s->exit_code = MI_EXIT_PARTIAL;
			s->failed = 1;
			r->too_few[i] = 1;
		}
		if (c.warnings) {
			len = strlen(s->note);
			snprintf(s->note + len, sizeof(s->note) - len, "%swarning: %s", len ? "; " : "",
				 c.warning);
		}
		s->rows_out = c.landed;
		s->rejects = c.failed;
		ledger_stage(r, s);
	}
}

static void load_counts(const struct run *r, struct stage_rec *s);

/*
 * The records mi-parse read (its "read N" line): the input's rows as a
 * person counts them, whatever rows they became; def when it said nothing.
 */
static long long parse_read(const struct run *r, const struct stage_rec *s, long long def)
{
	char log[PATH_MAX + 200], line[512];
	FILE *fp;

	snprintf(log, sizeof(log), "%s/parse-%s%s%s.log", r->logs, s->source,
		 s->day[0] ? "-" : "", s->day);
	fp = fopen(log, "r");
	if (!fp)
		return def;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "read\t", 5))
			def = strtoll(line + 5, NULL, 10);
	fclose(fp);
	return def;
}

/* parse, score and load one source from fetch run fetch_run into dir */
static void stage_source(struct run *r, const struct source *src, const char *fetch_run,
			 const char *day)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], share[32];
	struct stage_rec *s;
	long long rows = 0;
	int rc;

	if (day && day[0])
		snprintf(dir, sizeof(dir), "%s/%s/%s", r->workrun, day, src->id);
	else
		snprintf(dir, sizeof(dir), "%s/%s", r->workrun, src->id);
	if (mkdirs(dir) < 0) {
		s = new_stage(r, "parse", src->id, day);
		if (s) {
			s->exit_code = MI_EXIT_IO;
			snprintf(s->note, sizeof(s->note), "cannot create '%s'", dir);
			ledger_stage(r, s);
		}
		return;
	}

	/* parse */
	s = new_stage(r, "parse", src->id, day);
	if (!s)
		return;
	{
		/* only this source's bodies of the run, with its format and rules */
		char *argv[] = { "mi-parse", "--run", (char *)fetch_run, "--source", src->id,
				 "--landing", r->paths.landing, "--config-dir",
				 (char *)r->config_dir, "--out", dir, NULL };
		rc = run_stage(r, s, argv);
	}
	for (int e = 0; e < REC_E_COUNT; e++) {
		if (e == REC_E_REJECTS)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, rec_entities[e].file);
		rows += count_lines(path);
	}
	snprintf(path, sizeof(path), "%s/rejects.tsv", dir);
	s->rows_out = rows;
	s->rejects = count_lines(path);
	s->rows_in = parse_read(r, s, rows + s->rejects);
	ledger_stage(r, s);
	if (rc != 0 && rc != MI_EXIT_PARTIAL && rc != MI_EXIT_DATA)
		return; /* nothing trustworthy to load */

	/* score */
	snprintf(path, sizeof(path), "%s/reviews.tsv", dir);
	s = new_stage(r, "score", src->id, day);
	if (!s)
		return;
	s->rows_in = count_lines(path);
	if (s->rows_in > 0) {
		char *argv[] = { "mi-score", dir, NULL };
		if (run_stage(r, s, argv) == 0)
			s->rows_out = s->rows_in;
	} else {
		progress(r, "score", src->id);
	}
	ledger_stage(r, s);
	if (s->exit_code > 0)
		return;

	/* load */
	s = new_stage(r, "load", src->id, day);
	if (!s)
		return;
	snprintf(share, sizeof(share), "%g", r->o->max_reject_share);
	{
		char *argv[] = { "mi-load", "--run", r->run_id, "--source", src->id,
				 "--max-reject-share", share, dir, NULL };
		s->rows_in = rows;
		run_stage(r, s, argv);
		load_counts(r, s);
		ledger_stage(r, s); /* only when mi-run stopped it: mi-load keeps its rows */
	}
}

/*
 * The rows mi-load wrote and rejected, from the last "total: ..." line of its
 * log ("total: 7 files (5 unchanged), 54 read, 27 inserted, 0 updated, 27
 * unchanged, 0 skipped, 0 rejected, 0 parse rejects"); left as they are when
 * there is none.
 */
static void load_counts(const struct run *r, struct stage_rec *s)
{
	char log[PATH_MAX + 200], line[512], last[512] = "";
	FILE *fp;
	const char *p;

	snprintf(log, sizeof(log), "%s/load-%s%s%s.log", r->logs, s->source, s->day[0] ? "-" : "",
		 s->day);
	fp = fopen(log, "r");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "total: ", 7))
			memcpy(last, line, sizeof(last));
	fclose(fp);
	if (!last[0])
		return;
	if ((p = strstr(last, " inserted")) != NULL) {
		long long ins = 0, upd = 0, rej = 0;
		const char *q;
		while (p > last && p[-1] >= '0' && p[-1] <= '9')
			p--;
		ins = strtoll(p, NULL, 10);
		if ((q = strstr(last, " updated")) != NULL) {
			while (q > last && q[-1] >= '0' && q[-1] <= '9')
				q--;
			upd = strtoll(q, NULL, 10);
		}
		if ((q = strstr(last, " rejected")) != NULL) {
			while (q > last && q[-1] >= '0' && q[-1] <= '9')
				q--;
			rej = strtoll(q, NULL, 10);
		}
		s->rows_out = ins + upd;
		s->rejects = rej;
	}
}

/* N of "..., N new leads, ..." in mi-leads' summary line; 0 when absent */
static long new_leads(const char *line)
{
	const char *p = strstr(line, " new leads");

	while (p && p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return p ? strtol(p, NULL, 10) : 0;
}

static void stage_global_pass(struct run *r, const char *date);

/*
 * compset, then leads; when leads made new leads, once more: a new prospect's
 * property becomes a comp-set subject, and its projection and pricing
 * signals need that set.  So one night's run is complete, and the next run
 * on the same data adds nothing.
 */
static void stage_global(struct run *r)
{
	char first[sizeof(r->leads_line)];

	stage_global_pass(r, r->global_date);
	if (new_leads(r->leads_line) <= 0)
		return;
	snprintf(first, sizeof(first), "%s", r->leads_line);
	r->steps += 2;
	stage_global_pass(r, r->global_date);
	if (strcmp(first, r->leads_line)) {
		char both[sizeof(r->leads_line)];
		snprintf(both, sizeof(both), "%s; then %s", first, r->leads_line);
		memcpy(r->leads_line, both, sizeof(both));
	}
}

static void stage_global_pass(struct run *r, const char *date)
{
	struct stage_rec *s;
	char log[PATH_MAX + 32];
	FILE *fp;

	char compset_ini[PATH_MAX + 16], leads_ini[PATH_MAX + 16];

	/* the run's own settings when its config directory has them (else the
	 * stages' defaults) */
	snprintf(compset_ini, sizeof(compset_ini), "%s/compset.ini", r->config_dir);
	snprintf(leads_ini, sizeof(leads_ini), "%s/leads.ini", r->config_dir);
	s = new_stage(r, "compset", NULL, NULL);
	if (s) {
		char *argv[] = { "mi-compset", "--as-of", (char *)date, "--config", compset_ini,
				 NULL };
		if (access(compset_ini, R_OK) < 0)
			argv[3] = NULL;
		run_stage(r, s, argv);
		ledger_stage(r, s);
	}
	s = new_stage(r, "leads", NULL, NULL);
	if (s && !r->leads_date[0]) {
		/* a backfill rebuilds the past: scoring the live queue as of a past
		 * date would move today's scores and log stale signals */
		progress(r, "leads", NULL);
		snprintf(s->note, sizeof(s->note),
			 "a backfill of past days leaves today's queue to the nightly run");
		ledger_stage(r, s);
	} else if (s) {
		char *argv[] = { "mi-leads", "score", "--as-of", r->leads_date, "--run", r->run_id,
				 "--config", leads_ini, NULL };
		if (access(leads_ini, R_OK) < 0)
			argv[6] = NULL;
		run_stage(r, s, argv);
		ledger_stage(r, s);
		/* its one summary line on stdout went to the log: keep the last
		 * line that is not JSON for the summary */
		snprintf(log, sizeof(log), "%s/leads.log", r->logs);
		fp = fopen(log, "r");
		if (fp) {
			char line[512];
			while (fgets(line, sizeof(line), fp))
				if (line[0] != '{') {
					line[strcspn(line, "\n")] = '\0';
					snprintf(r->leads_line, sizeof(r->leads_line), "%.300s", line);
				}
			fclose(fp);
		}
	}
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
 * process: close it as abandoned (etl.mark_abandoned_runs) and say so.
 */
static void mark_abandoned(struct run *r)
{
	struct mi_err err = MI_ERR_INIT;
	const char *p[1] = { r->run_id };
	PGresult *res = mi_pg_query(r->conn,
				    "SELECT run_id, coalesce(host, '?'), coalesce(pid::text, '?'),"
				    " to_char(started_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
				    " FROM etl.mark_abandoned_runs($1)",
				    1, p, &err);

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

static int take_lock(struct run *r, struct mi_err *err)
{
	PGresult *res = mi_pg_query(r->conn, "SELECT pg_try_advisory_lock(etl.run_lock_key())", 0,
				    NULL, err);
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
	mark_abandoned(&r);
	ledger_run_begin(&r);
	mi_log_kv(MI_LOG_INFO, "run_start", "run", r.run_id, "date", r.date, NULL);

	if (o->mode == NIGHTLY_RUN) {
		plan_steps(&r, 1);
		if (!o->skip_fetch)
			stage_fetch(&r, r.run_id, r.date, NULL);
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
				stage_fetch(&r, fetch_run, d, d);
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
		ledger_run_end(&r, code, json ? json : "{}", why);
		print_summary(&r, summary, code);
		mi_log_kv(MI_LOG_WARN, "run_stopped", "run", r.run_id, "why", why, NULL);
		mi_err_set(err, code, "run %s %s; its queries were cancelled", r.run_id, why);
		goto out;
	}
	json = summary_json(&r, code);
	ledger_run_end(&r, code, json ? json : "{}", NULL);
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
