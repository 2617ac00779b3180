#include "sqlscript.h"
#include "exitcode.h"
#include "pg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

/*
 * Parameters of every merge statement: $1 run id, $2 source, $3 lo, $4 hi,
 * $5 file (text), $6 the day the files were seen (date).
 */
#define NPARAMS 6
static const Oid param_types[NPARAMS] = { 25, 25, 20, 20, 25, 1082 };

PGresult *sqlscript_exec(PGconn *conn, const char *sql, const struct sqlscript_params *mp,
			 long long lo, long long hi, struct mi_err *err)
{
	char los[24], his[24];
	const char *p[NPARAMS] = { mp->run_id, mp->source, los, his, mp->file, mp->date };
	PGresult *res;
	ExecStatusType st;

	snprintf(los, sizeof(los), "%lld", lo);
	snprintf(his, sizeof(his), "%lld", hi);
	res = PQexecParams(conn, sql, NPARAMS, param_types, p, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		mi_pg_fail(conn, res, sql, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

void sqlscript_release(struct sqlscript *s)
{
	strbuf_release(&s->text);
	s->n = 0;
}

/*
 * A script is a list of statements, each introduced by a line
 * "-- @step", "-- @count", "-- @reject" or "-- @final".  Text before the
 * first tag is commentary.
 */
int sqlscript_read(struct sqlscript *s, const char *sqldir, const char *name,
		   struct mi_err *err)
{
	char path[4096];
	FILE *fp;
	char buf[65536];
	size_t n;
	char *p;

	s->n = 0;
	strbuf_init(&s->text, 4u << 20);
	snprintf(path, sizeof(path), "%s/load/%s.sql", sqldir, name);
	fp = fopen(path, "rb");
	if (!fp)
		return mi_err_set(err, MI_EXIT_NOINPUT, "cannot open '%s': %s", path,
				  strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (strbuf_add(&s->text, buf, n) < 0) {
			fclose(fp);
			return mi_err_set(err, MI_EXIT_IO, "'%s' is too large", path);
		}
	if (ferror(fp)) {
		fclose(fp);
		return mi_err_set(err, MI_EXIT_IO, "cannot read '%s'", path);
	}
	fclose(fp);
	p = s->text.buf;
	while ((p = strstr(p, "-- @")) != NULL) {
		enum sqlscript_kind k;
		char *eol;
		if (p != s->text.buf && p[-1] != '\n') {
			p += 4;
			continue;
		}
		if (!strncmp(p + 4, "step", 4))
			k = SQLSCRIPT_RANGE;
		else if (!strncmp(p + 4, "count", 5))
			k = SQLSCRIPT_COUNT;
		else if (!strncmp(p + 4, "reject", 6))
			k = SQLSCRIPT_REJECT;
		else if (!strncmp(p + 4, "final", 5))
			k = SQLSCRIPT_FINAL;
		else
			return mi_err_set(err, MI_EXIT_CONFIG, "'%s': unknown tag '%.12s'", path, p);
		if (s->n == (int)(sizeof(s->v) / sizeof(s->v[0])))
			return mi_err_set(err, MI_EXIT_CONFIG, "'%s': too many statements", path);
		*p = '\0'; /* ends the previous statement */
		eol = strchr(p + 1, '\n');
		if (!eol)
			break;
		s->v[s->n].kind = k;
		s->v[s->n].sql = eol + 1;
		s->n++;
		p = eol + 1;
	}
	if (!s->n)
		return mi_err_set(err, MI_EXIT_CONFIG, "'%s' holds no tagged statement", path);
	return 0;
}

int sqlscript_run(PGconn *conn, const char *sqldir, const char *name, const char *run_id,
		  const char *source, struct mi_err *err)
{
	struct sqlscript s;
	struct sqlscript_params mp = { run_id, source, "", NULL };
	int ret = 0;

	memset(&s, 0, sizeof(s));
	if (sqlscript_read(&s, sqldir, name, err) < 0) {
		sqlscript_release(&s);
		return -1;
	}
	for (int i = 0; i < s.n && !ret; i++) {
		PGresult *res = sqlscript_exec(conn, s.v[i].sql, &mp, 0, 0, err);
		if (!res)
			ret = -1;
		PQclear(res);
	}
	sqlscript_release(&s);
	return ret;
}
