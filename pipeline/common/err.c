#include "err.h"
#include "exitcode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

const char *mi_exit_name(int code)
{
	switch (code) {
	case MI_EXIT_OK: return "ok";
	case MI_EXIT_PARTIAL: return "partial";
	case MI_EXIT_USAGE: return "usage";
	case MI_EXIT_DATA: return "data";
	case MI_EXIT_NOINPUT: return "noinput";
	case MI_EXIT_REFUSED: return "refused";
	case MI_EXIT_NETWORK: return "network";
	case MI_EXIT_INTERNAL: return "internal";
	case MI_EXIT_IO: return "io";
	case MI_EXIT_BUSY: return "busy";
	case MI_EXIT_DATABASE: return "database";
	case MI_EXIT_CONFIG: return "config";
	}
	return "unknown";
}

void mi_err_clear(struct mi_err *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = e->detail[0] = e->where[0] = e->sqlstate[0] = '\0';
	e->line = 0;
	e->offset = -1;
}

int mi_err_set(struct mi_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->code = code ? code : MI_EXIT_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->detail[0] = '\0';
	e->sqlstate[0] = '\0';
	return -1;
}

void mi_err_detail(struct mi_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

void mi_err_at(struct mi_err *e, const char *where, long line, long long offset)
{
	if (!e)
		return;
	if (where)
		snprintf(e->where, sizeof(e->where), "%s", where);
	e->line = line;
	e->offset = offset;
}

const char *mi_err_format(const struct mi_err *e, char *buf, size_t size)
{
	size_t n = 0;
	int w;

	if (!size)
		return buf;
	buf[0] = '\0';
#define APPEND(...)                                                   \
	do {                                                          \
		if (n < size) {                                       \
			w = snprintf(buf + n, size - n, __VA_ARGS__); \
			if (w > 0)                                    \
				n += (size_t)w;                       \
		}                                                     \
	} while (0)
	if (e->where[0]) {
		APPEND("%s:", e->where);
		if (e->line > 0)
			APPEND("%ld:", e->line);
		APPEND(" ");
	}
	APPEND("%s", e->msg);
	if (e->offset >= 0)
		APPEND(" (byte %lld)", e->offset);
#undef APPEND
	return buf;
}

void mi_err_print(FILE *fp, const char *prog, const struct mi_err *e)
{
	char buf[1024];

	fprintf(fp, "%s: error: %s\n", prog, mi_err_format(e, buf, sizeof(buf)));
	if (e->detail[0])
		fprintf(fp, "%s: detail: %s\n", prog, e->detail);
}
