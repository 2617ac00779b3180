/*
 * atomicfile: write a file whole or not at all.
 *
 * The bytes go to a temporary file beside the target (".NAME.PID.N" in the
 * same folder, so that the rename is atomic).  Commit flushes it, fsyncs it,
 * renames it over the target and fsyncs the folder, as the landing store does:
 * after a crash a reader finds the old file or the new one, never a part of
 * either.  The new file keeps the mode of the file it replaces, or gets 0666
 * less the umask when there was none.
 *
 * Ownership: a struct mi_atomicfile owns its FILE and its temporary file from
 * open to commit or abort, each of which releases both (a failed commit
 * removes the temporary file; the target is then as it was).
 */
#ifndef MI_ATOMICFILE_H
#define MI_ATOMICFILE_H

#include "err.h"

#include <stddef.h>
#include <stdio.h>

struct mi_atomicfile {
	FILE *fp;            /* write the content here between open and commit */
	char path[4096];     /* the target */
	char tmp[4096 + 32]; /* the temporary file, "" when none */
};

#define MI_ATOMICFILE_INIT { NULL, "", "" }

/*
 * Create the temporary file for path and open f->fp on it (also returned).
 * NULL with err set (MI_EXIT_IO "cannot create ...") on failure.
 */
FILE *mi_atomicfile_open(struct mi_atomicfile *f, const char *path, struct mi_err *err);

/*
 * Flush, fsync and close the content, rename it over the target and fsync
 * the folder.  0, or -1 with err set (MI_EXIT_IO "cannot write 'PATH': ...";
 * "cannot fsync 'FOLDER'" when only that last step failed, the file in place).
 */
int mi_atomicfile_commit(struct mi_atomicfile *f, struct mi_err *err);

/* Drop the temporary file; the target stays as it was.  Safe after commit. */
void mi_atomicfile_abort(struct mi_atomicfile *f);

/* Write len bytes of data as path, whole or not at all.  0 or -1 with err. */
int mi_atomicfile_write(const char *path, const void *data, size_t len, struct mi_err *err);

/* fsync a folder (after a rename or a new file in it).  0 or -1 with errno. */
int mi_fsync_dir(const char *dir);

#endif
