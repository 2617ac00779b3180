/*
 * filelimits: what one input file may cost the parse stage, per source.
 *
 * A hostile or broken file must never cost unbounded time or disk: a small
 * gzip that expands to gigabytes, a calendar of 65 million rows, an XML
 * element with 200,000 attributes (libxml2 checks attribute names against
 * each other: quadratic time).  Each source may set its own limits in its
 * config file (config/sources/<id>.ini):
 *
 *   [limits]
 *   max_bytes = 2147483648     ; bytes of one file once decompressed
 *   max_rows = 25000000        ; rows one file may write (rejects included)
 *   max_attributes = 256       ; attributes of one XML/HTML element
 *   cpu_seconds = 600          ; CPU time to parse one file
 *
 * The values shown are the defaults; 0 switches a limit off.  A file over
 * max_bytes, max_rows or cpu_seconds is rejected whole (its rows are taken
 * back, one reject says which limit and why) and its source's parse fails
 * (exit 65); the other sources of the night go on.  An element over
 * max_attributes is rejected alone (the record holding it), the file goes on.
 */
#ifndef MI_FILELIMITS_H
#define MI_FILELIMITS_H

#include "config.h"
#include "err.h"

struct mi_limits {
	long long max_bytes;
	long long max_rows;
	long long max_attributes;
	double cpu_seconds;
};

#define MI_LIMITS_MAX_BYTES (2LL << 30)
#define MI_LIMITS_MAX_ROWS 25000000LL
#define MI_LIMITS_MAX_ATTRIBUTES 256LL
#define MI_LIMITS_CPU_SECONDS 600.0
#define MI_LIMITS_DEFAULT                                                     \
	{ MI_LIMITS_MAX_BYTES, MI_LIMITS_MAX_ROWS, MI_LIMITS_MAX_ATTRIBUTES, \
	  MI_LIMITS_CPU_SECONDS }

/* Which limits a caller sets over others (mi-parse's options over a source's). */
enum mi_limit_bit {
	MI_LIMIT_BYTES = 1u << 0,
	MI_LIMIT_ROWS = 1u << 1,
	MI_LIMIT_ATTRIBUTES = 1u << 2,
	MI_LIMIT_CPU = 1u << 3,
};

/* The keys of a [limits] section, for a caller's list of known keys. */
extern const char *const mi_limits_keys[];

/*
 * Read section of cfg into *out, starting from the defaults; a bad value
 * is a configuration error naming file and line.  0, or -1 with err.
 */
int mi_limits_load(const struct mi_config *cfg, const char *section, struct mi_limits *out,
		   struct mi_err *err);

/* The limits of bits in `over` replaced by those of `by`. */
void mi_limits_override(struct mi_limits *l, const struct mi_limits *by, unsigned over);

#endif
