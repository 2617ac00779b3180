#include "migrate.h"
#include "exitcode.h"
#include "pg.h"
#include "sha256.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define MIGRATE_LOCK_KEY "7242031501" /* advisory lock id, arbitrary but fixed */
#define MAX_SQL_FILE (16u << 20)

struct mfile {
	char name[256];
	char sha[65];
	struct strbuf sql;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct mfile *)a)->name, ((const struct mfile *)b)->name);
}

static int is_migration(const char *n)
{
	size_t l = strlen(n);

	return l > 8 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' &&
	       n[2] >= '0' && n[2] <= '9' && n[3] == '_' && !strcmp(n + l - 4, ".sql");
}

static int read_file(const char *path, struct strbuf *sb, struct mi_err *err)
{
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!fp)
		return mi_err_set(err, MI_EXIT_NOINPUT, "cannot open '%s': %s", path,
				  strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (strbuf_add(sb, buf, n) < 0) {
			fclose(fp);
			return mi_err_set(err, MI_EXIT_IO, "'%s' is too large", path);
		}
	}
	if (ferror(fp)) {
		fclose(fp);
		return mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
	}
	fclose(fp);
	return 0;
}

static int list_files(const char *dir, struct mfile **out, size_t *count, struct mi_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct mfile *v = NULL;
	size_t n = 0, alloc = 0;

	if (!d)
		return mi_err_set(err, MI_EXIT_NOINPUT, "cannot open migrations directory '%s': %s",
				  dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!is_migration(de->d_name) || strlen(de->d_name) >= sizeof(v->name))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			struct mfile *nv = realloc(v, alloc * sizeof(*v));
			if (!nv) {
				closedir(d);
				free(v);
				return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			}
			v = nv;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		strbuf_init(&v[n].sql, MAX_SQL_FILE);
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_names);
	*out = v;
	*count = n;
	return 0;
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int migrate_default_dir(char *buf, size_t size)
{
	const char *env = getenv("MI_SQLDIR");
	char exe[4096];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return is_dir(buf) ? 0 : -1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(buf, size, "%s/../sql", exe) < size && is_dir(buf))
				return 0;
		}
	}
	if ((size_t)snprintf(buf, size, "%s/sql", MI_DATADIR) < size && is_dir(buf))
		return 0;
	return -1;
}

int migrate_apply(PGconn *conn, const struct migrate_opts *opts, struct mi_err *err)
{
	struct mfile *files = NULL;
	size_t nfiles = 0;
	PGresult *res = NULL;
	int applied = 0, ret = -1;
	char path[4096];

	if (list_files(opts->dir, &files, &nfiles, err) < 0)
		return -1;
	for (size_t i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", opts->dir, files[i].name);
		if (read_file(path, &files[i].sql, err) < 0)
			goto out;
		mi_sha256_buf(files[i].sql.buf, files[i].sql.len, files[i].sha);
	}
	if (mi_pg_exec(conn, "SET client_min_messages = warning", err) < 0 ||
	    mi_pg_exec(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err) < 0)
		goto out;
	if (mi_pg_exec(conn,
		       "CREATE SCHEMA IF NOT EXISTS etl;"
		       "CREATE TABLE IF NOT EXISTS etl.schema_migrations ("
		       " filename text PRIMARY KEY,"
		       " sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),"
		       " applied_at timestamptz NOT NULL DEFAULT now(),"
		       " duration_ms integer NOT NULL DEFAULT 0);"
		       "COMMENT ON TABLE etl.schema_migrations IS "
		       " 'Migration files of sql/ applied to this database, by mi-migrate';"
		       "COMMENT ON COLUMN etl.schema_migrations.filename IS "
		       " 'File name in sql/, e.g. 002_external.sql; applied in name order';"
		       "COMMENT ON COLUMN etl.schema_migrations.sha256 IS "
		       " 'SHA-256 of the file as applied; a changed applied file is refused';"
		       "COMMENT ON COLUMN etl.schema_migrations.applied_at IS "
		       " 'When the file was applied (its transaction committed)';"
		       "COMMENT ON COLUMN etl.schema_migrations.duration_ms IS "
		       " 'How long the file took to apply, in milliseconds'",
		       err) < 0)
		goto unlock;
	res = mi_pg_query(conn, "SELECT filename, sha256 FROM etl.schema_migrations", 0, NULL,
			  err);
	if (!res)
		goto unlock;
	/* check every applied file first: a changed one stops everything */
	for (int r = 0; r < PQntuples(res); r++) {
		const char *fn = PQgetvalue(res, r, 0), *sha = PQgetvalue(res, r, 1);
		int found = 0;
		for (size_t i = 0; i < nfiles; i++) {
			if (strcmp(files[i].name, fn))
				continue;
			found = 1;
			if (strcmp(files[i].sha, sha)) {
				mi_err_set(err, MI_EXIT_CONFIG,
					   "applied migration '%s' has changed since it was applied",
					   fn);
				mi_err_detail(err,
					      "recorded sha256 %s, file now %s; never edit an applied "
					      "migration: add a new numbered file instead",
					      sha, files[i].sha);
				goto unlock;
			}
		}
		if (!found && opts->report)
			fprintf(opts->report, "warning: applied migration '%s' is not in '%s'\n",
				fn, opts->dir);
	}
	for (size_t i = 0; i < nfiles; i++) {
		int done = 0;
		for (int r = 0; r < PQntuples(res); r++)
			if (!strcmp(PQgetvalue(res, r, 0), files[i].name))
				done = 1;
		if (done) {
			if (opts->report)
				fprintf(opts->report, "skipped  %s (already applied)\n", files[i].name);
			continue;
		}
		if (opts->dry_run) {
			if (opts->report)
				fprintf(opts->report, "pending  %s\n", files[i].name);
			applied++;
			continue;
		}
		struct timespec t0, t1;
		char ms[24];
		const char *params[3] = { files[i].name, files[i].sha, ms };
		if (mi_pg_begin(conn, err) < 0)
			goto unlock;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int failed = mi_pg_exec(conn, files[i].sql.buf, err) < 0;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		snprintf(ms, sizeof(ms), "%ld",
			 (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
		if (failed ||
		    mi_pg_command(conn,
				  "INSERT INTO etl.schema_migrations (filename, sha256, duration_ms) "
				  "VALUES ($1, $2, $3)",
				  3, params, NULL, err) < 0) {
			char where[300];
			snprintf(where, sizeof(where), "%s/%s", opts->dir, files[i].name);
			mi_err_at(err, where, 0, -1);
			mi_pg_rollback(conn);
			goto unlock;
		}
		if (mi_pg_commit(conn, err) < 0)
			goto unlock;
		if (opts->report)
			fprintf(opts->report, "applied  %s\n", files[i].name);
		applied++;
	}
	ret = applied;
unlock:
	{
		struct mi_err ignore = MI_ERR_INIT;
		mi_pg_exec(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", &ignore);
	}
out:
	PQclear(res);
	for (size_t i = 0; i < nfiles; i++)
		strbuf_release(&files[i].sql);
	free(files);
	return ret;
}
