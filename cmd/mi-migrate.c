/*
 * mi-migrate: apply sql/ migrations, and print the schema inventory.
 */
#include "err.h"
#include "exitcode.h"
#include "log.h"
#include "migrate.h"
#include "opts.h"
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-migrate",
	"usage: mi-migrate [--dir DIR] [--dry-run] [--dbname CONNINFO]\n"
	"       mi-migrate --inventory [--schema NAME]... [--out-dir DIR]\n"
	"       mi-migrate --summary\n"
	"\n"
	"Apply the numbered migrations (NNN_name.sql) in DIR to the database, each in\n"
	"one transaction, in name order.  Applied files are recorded with their SHA-256\n"
	"in etl.schema_migrations: a second run applies nothing, and an applied file\n"
	"that has changed is refused (exit 78) before anything is applied.\n"
	"\n"
	"  --dir DIR          migrations directory (default: the installed sql/)\n"
	"  --dry-run          list pending files, apply nothing\n"
	"  --dbname CONNINFO  connection string or URI (default: libpq's environment:\n"
	"                     PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, PGPASSFILE)\n"
	"  --inventory        print the column-level inventory of the schemas as Markdown\n"
	"                     (default schemas: external, homeowner_acquisition, etl)\n"
	"  --schema NAME      limit --inventory to this schema (repeatable)\n"
	"  --out-dir DIR      with --inventory: write DIR/<schema>.md instead of stdout\n"
	"  --summary          one line per table: schema, table, columns, purpose\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"Exit status: 0 done, 64 usage, 66 no migrations directory, 76 database error,\n"
	"78 an applied migration has changed.\n",
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "dbname", required_argument, NULL, 'D' },
		{ "inventory", no_argument, NULL, 'i' },
		{ "schema", required_argument, NULL, 's' },
		{ "out-dir", required_argument, NULL, 'o' },
		{ "summary", no_argument, NULL, 'S' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	const char *schemas[8] = { NULL };
	int nschemas = 0, inventory = 0, summary = 0, c, ret = MI_EXIT_OK;
	const char *dbname = NULL, *out_dir = NULL;
	struct migrate_opts mo = { NULL, 0, stdout };
	struct mi_err err = MI_ERR_INIT;
	char sqldir[4096];
	PGconn *conn = NULL;

	mi_log_init(info.name, "migrate");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': mo.dir = optarg; break;
		case 'n': mo.dry_run = 1; break;
		case 'D': dbname = optarg; break;
		case 'i': inventory = 1; break;
		case 's':
			if (nschemas == 8)
				return mi_opts_usage_error(&info, "too many --schema options");
			schemas[nschemas++] = optarg;
			break;
		case 'o': out_dir = optarg; break;
		case 'S': summary = 1; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind < argc)
		return mi_opts_usage_error(&info, "unexpected argument '%s'", argv[optind]);
	if (inventory && summary)
		return mi_opts_usage_error(&info, "--inventory and --summary cannot be combined");
	if ((nschemas || out_dir) && !inventory)
		return mi_opts_usage_error(&info, "--schema and --out-dir need --inventory");
	if (!mo.dir) {
		if (migrate_default_dir(sqldir, sizeof(sqldir)) < 0) {
			fprintf(stderr, "%s: error: cannot find the sql/ directory; use --dir\n",
				info.name);
			return MI_EXIT_NOINPUT;
		}
		mo.dir = sqldir;
	}
	conn = mi_pg_connect(info.name, dbname, &err);
	if (!conn)
		goto fail;
	if (inventory) {
		static const char *const def[] = { "external", "homeowner_acquisition", "etl" };
		if (!nschemas)
			for (; nschemas < 3; nschemas++)
				schemas[nschemas] = def[nschemas];
		for (int i = 0; i < nschemas; i++) {
			FILE *out = stdout;
			char path[4096];
			if (out_dir) {
				snprintf(path, sizeof(path), "%s/%s.md", out_dir, schemas[i]);
				out = fopen(path, "w");
				if (!out) {
					mi_err_set(&err, MI_EXIT_IO, "cannot write '%s'", path);
					goto fail;
				}
			} else if (i) {
				fputs("\n", out);
			}
			if (inventory_write(conn, schemas[i], out, &err) < 0) {
				if (out != stdout)
					fclose(out);
				goto fail;
			}
			if (out != stdout && fclose(out) != 0) {
				mi_err_set(&err, MI_EXIT_IO, "cannot write '%s'", path);
				goto fail;
			}
		}
	} else if (summary) {
		if (inventory_summary(conn, stdout, &err) < 0)
			goto fail;
	} else {
		int n = migrate_apply(conn, &mo, &err);
		if (n < 0)
			goto fail;
		printf("%d migration%s %s\n", n, n == 1 ? "" : "s",
		       mo.dry_run ? "pending" : "applied");
	}
	mi_pg_finish(conn);
	return mi_close_stdout(info.name);
fail:
	fflush(stdout);
	mi_err_print(stderr, info.name, &err);
	mi_pg_finish(conn);
	ret = err.code ? err.code : MI_EXIT_INTERNAL;
	return ret;
}
