/*
 * normalize: one input value per line in, one tab-separated result line out,
 * for each normalizer (the engine of bin/mi-normalize and of the golden
 * fixture runner).  Output columns, per kind ("-" stands for an empty field):
 *
 *   tmk      TMK13[|TMK13...]  FLAGS[|FLAGS...]  DISPLAY[|DISPLAY...]
 *            FLAGS are the flag names of each TMK joined by ',' ("-": none)
 *   ids      KIND:ID[|KIND:ID...]     ("-" when the text holds no id; after
 *            32 ids, "|more:N" counts the rest)
 *   address  KEY HOUSE STREET UNIT CITY STATE ZIP COUNTY ISLAND
 *   owner    KIND KEY DISPLAY FLAGS CARE_OF ABSENTEE
 *            (input "NAME" or "NAME<TAB>MAILING ADDRESS"; ABSENTEE "-" without one)
 *
 * A value that cannot be normalized gives "ERROR<TAB>reason" (empty lines,
 * bytes that are not UTF-8 and over-long lines included): never a missing
 * line.
 *
 * Memory: norm_line appends to the caller's strbuf; nothing else allocates.
 */
#ifndef MI_NORMALIZE_H
#define MI_NORMALIZE_H

#include "err.h"
#include "geo_hi.h"
#include "strbuf.h"
#include "tmk.h"

#include <stdio.h>

enum norm_kind {
	NORM_TMK = 1,
	NORM_IDS,
	NORM_ADDRESS,
	NORM_OWNER,
};

struct norm_opts {
	enum norm_kind kind;
	int county;                /* 1-4: the source's county (tmk, ids; owner: the property's) */
	enum tmk_range_mode range; /* tmk: how to read ":003-011" */
	enum geo_island island;    /* owner: the property's island, for absentee */
	const char *zip;           /* tmk: ZIP of the record, for a missing county (or NULL) */
	const char *place;         /* tmk: place name of the record, likewise (or NULL) */
};

/* "tmk", "ids", "address", "owner" -> the kind, or 0 when unknown. */
enum norm_kind norm_kind_parse(const char *s);

/* Longest input line; longer lines give "ERROR<TAB>too long". */
#define NORM_MAX_LINE 65536

/*
 * Append the result line for one value s[0..len) (no newline) to out.
 * Returns 1 for a value, 0 for an ERROR line, -1 when out refused to grow.
 */
int norm_line(const struct norm_opts *o, const char *s, size_t len, struct strbuf *out);

/* The "ERROR<TAB>reason" line for a line that was too long to read. */
int norm_error_line(const char *reason, struct strbuf *out);

/*
 * Read lines from in and write one result line each to out (a trailing '\r'
 * is dropped).  Counts lines and ERROR lines.  Returns 0, or -1 and fills
 * err on a read or write error.
 */
int norm_stream(const struct norm_opts *o, FILE *in, FILE *out, size_t *lines,
		size_t *errors, struct mi_err *err);

#endif
