/*
 * parse_run: what `mi-parse --format NAME FILE...` does, as a library call
 * (the binary and the golden-fixture runner share it).
 *
 * For each file: hash its raw bytes (the landing hash), open it (gzip read
 * transparently, a zip archive's first member too), run the format's parser with a fresh parse_ctx into the
 * output directory.  A file that cannot be read at all (missing, empty,
 * truncated gzip, no usable header) becomes one reject and the run goes on
 * with the next file; a configuration or output failure stops the run.
 *
 * Snapshot date: opts->snapshot_date, else the first YYYY-MM-DD written in
 * the file's path (Inside Airbnb and landing paths carry the scrape date),
 * else what the format finds in the file (see fixtures/parse/README.md).
 */
#ifndef MI_PARSE_RUN_H
#define MI_PARSE_RUN_H

#include "err.h"
#include "filelimits.h"
#include "records.h"

struct parse_run_opts {
	const char *format;        /* required */
	const char *source;        /* NULL: the format name */
	int county;                /* 1-4, 0 unknown */
	const char *snapshot_date; /* YYYY-MM-DD or NULL */
	const char *config_path;   /* the format's rules (county-csv column map), or NULL */
	const char *out_dir;       /* required */
	int append;                /* append to the entity files instead of truncating */
	double max_reject_ratio;   /* fail (MI_EXIT_DATA) above this share of rejects; < 0: never */
	long long max_rejects;     /* reject rows written per file (0: all) */
	int path_date;             /* take the snapshot date from the path (default on: 1) */
	/*
	 * What one file may cost (filelimits.h).  Files: these limits.  --run:
	 * each source's [limits] (the defaults when it has none), except those
	 * named in limits_forced (MI_LIMIT_* bits), taken from here.  A file
	 * over a limit is rejected whole: its rows are taken back from the
	 * entity files, one reject gives the reason, the run fails (MI_EXIT_DATA).
	 */
	struct mi_limits limits;
	unsigned limits_forced;
};

struct parse_run_result {
	int files;
	int files_failed;          /* files that could not be read at all (or over a limit) */
	long long read, emitted, rejected; /* read: the input's records, as a person counts them */
	long long count[REC_E_COUNT]; /* rows written per entity */
};

/*
 * Parse files[0..nfiles-1].  Returns 0 when every file was read and the
 * reject share is within bounds; -1 with err set otherwise:
 *  - MI_EXIT_USAGE: unknown format; MI_EXIT_CONFIG: bad rules file;
 *  - MI_EXIT_IO: the output cannot be written (the run stopped there);
 *  - MI_EXIT_NOINPUT / MI_EXIT_DATA: some file could not be read (err is
 *    the first such file's error; the other files were parsed), or the
 *    reject share exceeded max_reject_ratio.
 * res (may be NULL) gets the counts in every case.
 */
int parse_run_files(const struct parse_run_opts *opts, char *const *files, int nfiles,
		    struct parse_run_result *res, struct mi_err *err);

/*
 * What `mi-parse --run ID` does: parse every body that fetch run run_id
 * landed in the store at landing_dir (each URL's last landed or 304 record,
 * landing_run_foreach), each with its manifest's format, source id and
 * county; the snapshot date is opts->snapshot_date when set, else the
 * date of "fetched_at" as a fallback for what a file does not date itself (a
 * format that finds its own snapshot date, the Inside Airbnb calendar's scrape
 * date, keeps it); the landing hash is the object's name.  The
 * rules of a source are config_dir/sources/<id>.ini's `rules` file (relative
 * to config_dir); opts->config_path, when set, overrides them.  When
 * opts->format is set only that format's bodies are parsed, when
 * opts->source is set only that source's.  A body whose
 * format is unknown or missing is one reject.  Same returns as
 * parse_run_files (a missing run: MI_EXIT_NOINPUT).
 */
int parse_run_landing(const struct parse_run_opts *opts, const char *landing_dir,
		      const char *config_dir, const char *run_id, struct parse_run_result *res,
		      struct mi_err *err);

#endif
