/*
 * source: one fetch source, read from config/sources/<id>.ini.
 *
 *   [source]
 *   id = maui-rpt-sales          ; must match the file name without .ini
 *   kind = county_sales          ; county_sales owner_roll pm_listings reviews pricing
 *   county = 2                   ; 1-4, 0 when the source spans counties
 *   url = https://host/x?d={date}&p={page}   ; http://, https:// or file://
 *   format = county-csv          ; the parser that reads the bodies
 *   rules = formats/county-sales.ini     ; optional: that parser's rules file,
 *                                ; relative to the config directory (for mi-parse)
 *   schedule = nightly           ; nightly weekly monthly manual
 *   enabled = false              ; sources are off unless switched on
 *
 *   [fetch]                      ; per-host politeness and limits (defaults shown)
 *   concurrency = 2              ; transfers in flight per host
 *   rate = 1                     ; requests per second per host (0: no limit)
 *   robots = true                ; fetch and obey robots.txt
 *   max_body = 104857600         ; bytes; a larger body is aborted, never stored
 *   timeout = 300                ; whole transfer, seconds
 *   connect_timeout = 15
 *   low_speed_limit = 100        ; bytes/s below which ...
 *   low_speed_time = 60          ; ... for this many seconds the transfer fails
 *   max_redirects = 5
 *   max_attempts = 5             ; then the failure is recorded and the run goes on
 *
 *   [paginate]
 *   mode = none                  ; none json_next html_next page_number
 *   next_field = paging.next     ; json_next: dotted path to the next URL
 *   next_xpath = //a[@rel='next']/@href   ; html_next
 *   items_field = items          ; the array of a JSON page's items (page_number: empty
 *                                ; past the end)
 *   start = 1                    ; page_number: first {page}
 *   max_pages = 100              ; hard limit
 *   page_size = 50               ; items on a full page: a full json_next page without a
 *                                ; next link is a warning (0: not checked)
 *   expected_min_items = 200     ; a run whose JSON pages hold fewer items in all: the
 *                                ; source failed, and is not loaded (0: no minimum)
 *
 *   [auth]                       ; credentials by reference to the environment only
 *   header = Authorization
 *   env = MI_MAUI_TOKEN          ; the header's value is $MI_MAUI_TOKEN
 *   prefix = Bearer              ; optional, joined with a space
 *
 *   [limits]                     ; what one file may cost the parse (filelimits.h)
 *   max_bytes = 2147483648       ; decompressed bytes per file
 *   max_rows = 25000000          ; rows per file
 *   max_attributes = 256         ; attributes per XML/HTML element
 *   cpu_seconds = 600            ; CPU time per file
 *
 * Every mistake is a configuration error (MI_EXIT_CONFIG) naming the file and
 * line: an unknown section or key, a format no parser reads (when the
 * program set source_format_known), a rules path that leaves the
 * configuration directory, two enabled sources with one URL
 * (source_load_dir).  Column maps and XPath rules live in the rules file.
 *
 * URL patterns: {date} (the run date, YYYY-MM-DD), {ymd} (YYYYMMDD), {page}.
 *
 * Ownership: struct source owns its strings and its mi_config (kept for the
 * parse stage); source_free() frees all.
 */
#ifndef MI_SOURCE_H
#define MI_SOURCE_H

#include "config.h"
#include "err.h"
#include "filelimits.h"

#include <stddef.h>

enum source_paginate { SOURCE_PAGE_NONE, SOURCE_PAGE_JSON_NEXT, SOURCE_PAGE_HTML_NEXT,
		       SOURCE_PAGE_NUMBER };

struct source {
	char *id;
	char *kind;
	int county;
	char *url; /* pattern */
	char *format;
	char *rules; /* NULL when the format needs none */
	char *schedule;
	int enabled;

	int concurrency;
	double rate;
	int robots;
	long long max_body;
	long timeout, connect_timeout, low_speed_limit, low_speed_time;
	long max_redirects;
	int max_attempts;

	int paginate;
	char *next_field;
	char *next_xpath;
	char *items_field;
	int page_start;
	int max_pages;
	long long page_size;          /* items on a full page (0: unknown) */
	long long expected_min_items; /* fewer items in a run: the source failed (0: no minimum) */

	char *auth_header;
	char *auth_env;
	char *auth_prefix;

	struct mi_limits limits;

	struct mi_config cfg;
};

/*
 * Whether a format name is known: set by a program that links the parsers
 * (parser_known), so that a misspelled format is a configuration error when
 * the sources are read, not a reject every night.  NULL: not checked.
 */
extern int (*source_format_known)(const char *format);

/* 1 when id is a valid source id: [a-z0-9][a-z0-9_.-]{0,63} (etl.source_id). */
int source_id_ok(const char *id);

/* Read and check one source file.  NULL with err (file:line) on failure. */
struct source *source_load(const char *path, struct mi_err *err);
void source_free(struct source *s);

/*
 * Load every *.ini in dir (sorted by name).  *out gets a malloc'd array of
 * *n sources, disabled ones included.  Two enabled sources with the same URL
 * pattern are an error.  0, or -1 with err.
 */
int source_load_dir(const char *dir, struct source ***out, size_t *n, struct mi_err *err);
void source_free_all(struct source **v, size_t n);

/*
 * Expand the URL pattern for date (YYYY-MM-DD) and page into a malloc'd
 * string; NULL with err for an unknown {placeholder} or out of memory.
 */
char *source_url(const struct source *s, const char *date, int page, struct mi_err *err);

/* The authentication header line ("Name: value"), or NULL when none is configured.
 * -1 with err when the environment variable is unset. */
int source_auth_header(const struct source *s, char **out, struct mi_err *err);

#endif
