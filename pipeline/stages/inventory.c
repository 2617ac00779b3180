/*
 * The schema inventory, generated from the live catalog so that it can never
 * drift from what sql/ creates.  Output is deterministic (ordered by name, no
 * OIDs), so the committed files in docs/schema can be compared byte for byte.
 */
#include "migrate.h"
#include "exitcode.h"
#include "pg.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* A Markdown table cell: pipes escaped, line breaks flattened. */
static void cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static const char *kind_name(const char *k)
{
	switch (k[0]) {
	case 'p': return "partitioned table";
	case 'v': return "view";
	case 'm': return "materialized view";
	default: return "table";
	}
}

static int write_columns(PGconn *conn, const char *oid, FILE *out, struct mi_err *err)
{
	const char *p[1] = { oid };
	PGresult *res = mi_pg_query(
		conn,
		"SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
		" CASE WHEN a.attnotnull THEN 'NOT NULL' ELSE 'null' END,"
		" coalesce(pg_get_expr(d.adbin, d.adrelid), ''),"
		" coalesce((SELECT string_agg(CASE c.contype WHEN 'p' THEN 'PK'"
		"   WHEN 'u' THEN 'UNIQUE' WHEN 'c' THEN 'CHECK'"
		"   WHEN 'f' THEN 'FK → ' || c.confrelid::regclass::text"
		"   WHEN 'x' THEN 'EXCLUDE' END, ', ' ORDER BY c.contype, c.conname)"
		"   FROM pg_constraint c WHERE c.conrelid = a.attrelid"
		"   AND a.attnum = ANY (c.conkey)), ''),"
		" coalesce(col_description(a.attrelid, a.attnum), '**missing comment**')"
		" FROM pg_attribute a LEFT JOIN pg_attrdef d"
		"  ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
		" WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped"
		" ORDER BY a.attnum",
		1, p, err);

	if (!res)
		return -1;
	fputs("| column | type | null | default | constraints | description |\n"
	      "|---|---|---|---|---|---|\n", out);
	for (int r = 0; r < PQntuples(res); r++) {
		fputs("| `", out);
		cell(out, PQgetvalue(res, r, 0));
		fputs("` | ", out);
		for (int c = 1; c < 6; c++) {
			if (c == 3 && PQgetvalue(res, r, c)[0]) {
				fputc('`', out);
				cell(out, PQgetvalue(res, r, c));
				fputc('`', out);
			} else {
				cell(out, PQgetvalue(res, r, c));
			}
			fputs(c < 5 ? " | " : " |\n", out);
		}
	}
	PQclear(res);
	return 0;
}

static int write_list(PGconn *conn, const char *oid, const char *title, const char *sql,
		      FILE *out, struct mi_err *err)
{
	const char *p[1] = { oid };
	PGresult *res = mi_pg_query(conn, sql, 1, p, err);

	if (!res)
		return -1;
	if (PQntuples(res)) {
		fprintf(out, "\n%s:\n\n", title);
		for (int r = 0; r < PQntuples(res); r++) {
			fputs("- `", out);
			cell(out, PQgetvalue(res, r, 0));
			fputs("`: `", out);
			cell(out, PQgetvalue(res, r, 1));
			fputs("`\n", out);
		}
	}
	PQclear(res);
	return 0;
}

/* The schema's functions: signature, result, who may call it, what it does. */
static int write_functions(PGconn *conn, const char *schema, FILE *out, struct mi_err *err)
{
	const char *p[1] = { schema };
	PGresult *res = mi_pg_query(
		conn,
		"SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
		" CASE p.prokind WHEN 'p' THEN 'procedure' ELSE pg_get_function_result(p.oid) END,"
		" CASE WHEN p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a"
		"   WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') THEN 'everyone'"
		"   ELSE 'roles granted' END"
		" || CASE WHEN p.prosecdef THEN ', as its owner' ELSE '' END,"
		" coalesce(obj_description(p.oid, 'pg_proc'), '**missing comment**')"
		" FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
		" WHERE n.nspname = $1"
		" ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)",
		1, p, err);

	if (!res)
		return -1;
	if (PQntuples(res)) {
		fputs("\n## Functions\n\n| function | returns | callable by | description |\n"
		      "|---|---|---|---|\n", out);
		for (int r = 0; r < PQntuples(res); r++) {
			fputs("| `", out);
			cell(out, PQgetvalue(res, r, 0));
			fputs("` | ", out);
			cell(out, PQgetvalue(res, r, 1));
			fputs(" | ", out);
			cell(out, PQgetvalue(res, r, 2));
			fputs(" | ", out);
			cell(out, PQgetvalue(res, r, 3));
			fputs(" |\n", out);
		}
	}
	PQclear(res);
	return 0;
}

int inventory_write(PGconn *conn, const char *schema, FILE *out, struct mi_err *err)
{
	const char *p[1] = { schema };
	PGresult *tabs, *sres;
	int ret = -1;

	sres = mi_pg_query(conn,
			   "SELECT coalesce(obj_description(oid, 'pg_namespace'), '') "
			   "FROM pg_namespace WHERE nspname = $1",
			   1, p, err);
	if (!sres)
		return -1;
	if (PQntuples(sres) == 0) {
		PQclear(sres);
		return mi_err_set(err, MI_EXIT_DATABASE, "schema '%s' does not exist", schema);
	}
	tabs = mi_pg_query(conn,
			   "SELECT c.oid::text, c.relname, c.relkind::text,"
			   " coalesce(obj_description(c.oid, 'pg_class'), '**missing comment**'),"
			   " CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END"
			   " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			   " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm')"
			   " AND NOT c.relispartition ORDER BY c.relkind IN ('v', 'm'), c.relname",
			   1, p, err);
	if (!tabs)
		goto out;
	fprintf(out, "# Schema `%s`\n\n", schema);
	fputs("<!-- Generated by `mi-migrate --inventory` from the live catalog; do not edit. -->\n\n",
	      out);
	if (PQgetvalue(sres, 0, 0)[0])
		fprintf(out, "%s\n\n", PQgetvalue(sres, 0, 0));
	fputs("| table | kind | purpose |\n|---|---|---|\n", out);
	for (int t = 0; t < PQntuples(tabs); t++) {
		fprintf(out, "| [`%s`](#%s) | %s | ", PQgetvalue(tabs, t, 1), PQgetvalue(tabs, t, 1),
			kind_name(PQgetvalue(tabs, t, 2)));
		cell(out, PQgetvalue(tabs, t, 3));
		fputs(" |\n", out);
	}
	for (int t = 0; t < PQntuples(tabs); t++) {
		const char *oid = PQgetvalue(tabs, t, 0);
		fprintf(out, "\n## %s\n\n", PQgetvalue(tabs, t, 1));
		fprintf(out, "`%s.%s` (%s). ", schema, PQgetvalue(tabs, t, 1),
			kind_name(PQgetvalue(tabs, t, 2)));
		cell(out, PQgetvalue(tabs, t, 3));
		fputs("\n\n", out);
		if (PQgetvalue(tabs, t, 4)[0])
			fprintf(out, "Partitioned by `%s`.\n\n", PQgetvalue(tabs, t, 4));
		if (write_columns(conn, oid, out, err) < 0 ||
		    write_list(conn, oid, "Constraints",
			       "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
			       " WHERE conrelid = $1::oid AND contype <> 'n' ORDER BY conname",
			       out, err) < 0 ||
		    write_list(conn, oid, "Indexes",
			       "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
			       " JOIN pg_class i ON i.oid = x.indexrelid"
			       " WHERE x.indrelid = $1::oid ORDER BY i.relname",
			       out, err) < 0)
			goto out;
	}
	if (write_functions(conn, schema, out, err) < 0)
		goto out;
	ret = 0;
out:
	PQclear(sres);
	PQclear(tabs);
	return ret;
}

int inventory_summary(PGconn *conn, FILE *out, struct mi_err *err)
{
	PGresult *res = mi_pg_query(
		conn,
		"SELECT n.nspname, c.relname,"
		" (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid"
		"  AND a.attnum > 0 AND NOT a.attisdropped),"
		" coalesce(obj_description(c.oid, 'pg_class'), '')"
		" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname IN ('external', 'homeowner_acquisition', 'etl')"
		" AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
		" ORDER BY n.nspname = 'etl', n.nspname, c.relname",
		0, NULL, err);

	if (!res)
		return -1;
	fprintf(out, "%-22s %-28s %7s  %s\n", "schema", "table", "columns", "purpose");
	for (int r = 0; r < PQntuples(res); r++) {
		const char *comment = PQgetvalue(res, r, 3);
		int len = (int)strcspn(comment, ".;\n");
		fprintf(out, "%-22s %-28s %7s  %.*s\n", PQgetvalue(res, r, 0),
			PQgetvalue(res, r, 1), PQgetvalue(res, r, 2), len > 70 ? 70 : len,
			comment);
	}
	PQclear(res);
	return 0;
}
