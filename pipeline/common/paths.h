/*
 * paths: where the installed or checked-out data files are.
 *
 * A data file is named by its path relative to the data directory
 * ("sentiment/vader_lexicon.txt").  The data directory is, in order:
 *
 *   1. $MI_DATADIR when set and not empty (a checkout's data/ directory);
 *      when it is set it is the only place looked at, so a test or a
 *      backfill can pin the exact files it uses;
 *   2. <directory of the running executable>/../data (bin/ of a checkout);
 *   3. the compiled-in MI_DATADIR macro + "/data" (what `make install`
 *      copies data/ to).
 *
 * Nothing is allocated; the result is written into the caller's buffer.
 */
#ifndef MI_PATHS_H
#define MI_PATHS_H

#include "err.h"

#include <stddef.h>

/*
 * Write the full path of data file rel into buf (size bytes) and return 0
 * when the file exists in the first directory of the list above that holds
 * it.  Returns -1 and fills err (MI_EXIT_NOINPUT, "cannot find data file
 * 'rel'", with the places looked at as detail) when none holds it, or when
 * a path does not fit in buf.
 */
int mi_path_data(const char *rel, char *buf, size_t size, struct mi_err *err);

/*
 * Write the data directory that mi_path_data() would search first into buf:
 * $MI_DATADIR, else the executable's ../data when it exists, else the
 * compiled-in one.  Returns 0, or -1 when it does not fit in buf.
 */
int mi_path_datadir(char *buf, size_t size);

/*
 * The configuration directory: $MI_CONFIG_DIR when set and not empty, else
 * ./config when it exists (a checkout), else the installed MI_DATADIR/config.
 * Returns a static or environment string; never NULL.
 */
const char *mi_path_configdir(void);

/*
 * Write <configdir>/rel into buf and return buf when that file exists; NULL
 * when it does not or the path does not fit (settings files are optional:
 * built-in defaults apply).
 */
const char *mi_path_config(const char *rel, char *buf, size_t size);

#endif
