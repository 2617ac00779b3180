/*
 * migrate: apply the numbered SQL migrations in sql/ (NNN_name.sql, in
 * name order), each in one transaction, recording each applied file with its
 * SHA-256 in etl.schema_migrations.  A file already applied is skipped; an
 * applied file whose content changed stops everything (MI_EXIT_CONFIG) before
 * anything is applied.  An advisory lock keeps two migrators apart.
 */
#ifndef MI_MIGRATE_H
#define MI_MIGRATE_H

#include "err.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

struct migrate_opts {
	const char *dir; /* the sql/ directory */
	int dry_run;     /* report what would be applied, apply nothing */
	FILE *report;    /* one line per file ("applied", "skipped", "pending"); may be NULL */
};

/*
 * The migrations directory to use by default: $MI_SQLDIR, else the
 * executable's ../sql (a checkout), else the installed MI_DATADIR/sql.
 * Returns 0, or -1 when none exists.
 */
int migrate_default_dir(char *buf, size_t size);

/* Returns the number of files applied (or pending in a dry run), or -1. */
int migrate_apply(PGconn *conn, const struct migrate_opts *opts, struct mi_err *err);

/*
 * Write the Markdown inventory of one schema from the live catalog: each
 * table and view with its comment, columns (type, nullability, default,
 * constraints, comment), foreign keys and indexes.  Partitions are left out
 * (they follow their parent and come and go with dates).
 */
int inventory_write(PGconn *conn, const char *schema, FILE *out, struct mi_err *err);

/* One line per table: schema, table, columns, estimated rows, comment. */
int inventory_summary(PGconn *conn, FILE *out, struct mi_err *err);

#endif
