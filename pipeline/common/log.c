#include "log.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "banned.h"

static char log_prog[64] = "mi";
static char log_stage[32] = "";
static char log_run[64] = "";
static int log_level = -1;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void mi_log_init(const char *prog, const char *stage)
{
	const char *env;

	snprintf(log_prog, sizeof(log_prog), "%s", prog ? prog : "mi");
	snprintf(log_stage, sizeof(log_stage), "%s", stage ? stage : "");
	env = getenv("MI_RUN_ID");
	if (env && !log_run[0])
		mi_log_set_run(env);
	if (log_level < 0) {
		env = getenv("MI_LOG_LEVEL");
		log_level = env ? mi_log_level_parse(env) : -1;
		if (log_level < 0)
			log_level = MI_LOG_INFO;
	}
}

void mi_log_set_run(const char *run_id)
{
	snprintf(log_run, sizeof(log_run), "%s", run_id ? run_id : "");
}

void mi_log_set_stage(const char *stage)
{
	snprintf(log_stage, sizeof(log_stage), "%s", stage ? stage : "");
}

void mi_log_set_level(enum mi_log_level level)
{
	log_level = (int)level;
}

int mi_log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, level_names[i]))
			return i;
	if (!strcmp(s, "warning"))
		return MI_LOG_WARN;
	return -1;
}

int mi_log_enabled(enum mi_log_level level)
{
	int th = log_level < 0 ? MI_LOG_INFO : log_level;

	return (int)level >= th;
}

/* Append s as a JSON string body (without quotes), escaping as RFC 8259 asks. */
static void add_json_str(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': strbuf_addstr(sb, "\\\""); break;
		case '\\': strbuf_addstr(sb, "\\\\"); break;
		case '\n': strbuf_addstr(sb, "\\n"); break;
		case '\r': strbuf_addstr(sb, "\\r"); break;
		case '\t': strbuf_addstr(sb, "\\t"); break;
		default:
			if (*p < 0x20)
				strbuf_addf(sb, "\\u%04x", *p);
			else
				strbuf_addch(sb, *p);
		}
	}
}

static void add_field(struct strbuf *sb, const char *k, const char *v)
{
	strbuf_addstr(sb, ",\"");
	add_json_str(sb, k);
	strbuf_addstr(sb, "\":\"");
	add_json_str(sb, v ? v : "");
	strbuf_addch(sb, '"');
}

static void begin(struct strbuf *sb, enum mi_log_level level, const char *event)
{
	struct timeval tv;
	struct tm tm;
	char ts[40];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	strbuf_addf(sb, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\"", ts,
		    (long)(tv.tv_usec / 1000), level_names[level]);
	add_field(sb, "prog", log_prog);
	if (log_run[0])
		add_field(sb, "run", log_run);
	if (log_stage[0])
		add_field(sb, "stage", log_stage);
	add_field(sb, "event", event);
}

static void finish(struct strbuf *sb)
{
	strbuf_addstr(sb, "}\n");
	fwrite(sb->buf, 1, sb->len, stderr);
	fflush(stderr);
	strbuf_release(sb);
}

void mi_log(enum mi_log_level level, const char *event, const char *fmt, ...)
{
	struct strbuf sb;
	struct strbuf msg;
	va_list ap;

	if (!mi_log_enabled(level))
		return;
	strbuf_init(&sb, 16384);
	strbuf_init(&msg, 8192);
	begin(&sb, level, event);
	if (fmt) {
		va_start(ap, fmt);
		strbuf_vaddf(&msg, fmt, ap);
		va_end(ap);
		add_field(&sb, "msg", msg.buf);
	}
	strbuf_release(&msg);
	finish(&sb);
}

void mi_log_kv(enum mi_log_level level, const char *event, ...)
{
	struct strbuf sb;
	va_list ap;
	const char *k, *v;

	if (!mi_log_enabled(level))
		return;
	strbuf_init(&sb, 16384);
	begin(&sb, level, event);
	va_start(ap, event);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		add_field(&sb, k, v);
	}
	va_end(ap);
	finish(&sb);
}
