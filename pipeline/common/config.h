/*
 * config: INI files under config/ (one file per source, plus pipeline.ini).
 *
 * The file is read whole with inih; every entry remembers its line, so that
 * a bad value is reported as "config/x.ini:12: ...".  Unknown keys are
 * errors too: a caller lists the keys it knows (mi_config_check) and a typo
 * is refused instead of silently ignored.  A key given twice in one section
 * is an error.
 *
 * Ownership: struct mi_config owns all its strings; the getters return
 * borrowed pointers valid until mi_config_release().
 */
#ifndef MI_CONFIG_H
#define MI_CONFIG_H

#include "err.h"

#include <stddef.h>

struct mi_config_entry {
	char *section; /* "" for keys before any [section] */
	char *key;
	char *value;
	int line;
};

/* A [section] header as written, empty sections included. */
struct mi_config_section {
	char *name;
	int line;
};

struct mi_config {
	char *path;
	struct mi_config_entry *v;
	size_t n, alloc;
	struct mi_config_section *sec; /* every section header, in file order */
	size_t nsec, asec;
};

#define MI_CONFIG_INIT { NULL, NULL, 0, 0, NULL, 0, 0 }

/* Read path; on failure err names the file and line (MI_EXIT_CONFIG). */
int mi_config_load(struct mi_config *cfg, const char *path, struct mi_err *err);
void mi_config_release(struct mi_config *cfg);

const struct mi_config_entry *mi_config_find(const struct mi_config *cfg,
					     const char *section, const char *key);
/* The value, or def when the key is absent. */
const char *mi_config_str(const struct mi_config *cfg, const char *section,
			  const char *key, const char *def);
/* Required string: -1 with "file: missing key 'k' in section [s]" when absent or empty. */
int mi_config_req(const struct mi_config *cfg, const char *section, const char *key,
		  const char **out, struct mi_err *err);
/* Typed getters: absent keys give def; a bad value is an error naming file:line. */
int mi_config_int(const struct mi_config *cfg, const char *section, const char *key,
		  long long min, long long max, long long def, long long *out,
		  struct mi_err *err);
int mi_config_double(const struct mi_config *cfg, const char *section, const char *key,
		     double min, double max, double def, double *out, struct mi_err *err);
/* Booleans: true/false, yes/no, on/off, 1/0. */
int mi_config_bool(const struct mi_config *cfg, const char *section, const char *key,
		   int def, int *out, struct mi_err *err);
/* One of choices (a NULL-terminated list); *out is the index. */
int mi_config_enum(const struct mi_config *cfg, const char *section, const char *key,
		   const char *const *choices, int def, int *out, struct mi_err *err);

/*
 * A known key: section "*" matches any section, key "*" any key in that
 * section (for free-form maps such as column maps).  The table ends with a
 * { NULL, NULL } entry.
 */
struct mi_config_key {
	const char *section;
	const char *key;
};

/* -1 with "file:line: unknown key 'k' in section [s]" for the first unknown key. */
int mi_config_check(const struct mi_config *cfg, const struct mi_config_key *known,
		    struct mi_err *err);

#endif
