/*
 * log: one machine-readable event per line on stderr (JSON Lines), so that a
 * log collector can parse it and a person can still read it.
 *
 *   {"ts":"2026-11-24T03:00:01.123Z","level":"info","prog":"mi-fetch",
 *    "run":"20261124T030000Z","stage":"fetch","event":"fetched",
 *    "msg":"...", "url":"...", ...}
 *
 * Every line carries the run id and the stage set with mi_log_init() /
 * mi_log_set_run().  The level threshold comes from MI_LOG_LEVEL (debug,
 * info, warn, error) or mi_log_set_level(); default info.  Logging never
 * fails the caller and never allocates more than a line's buffer.
 */
#ifndef MI_LOG_H
#define MI_LOG_H

enum mi_log_level { MI_LOG_DEBUG, MI_LOG_INFO, MI_LOG_WARN, MI_LOG_ERROR };

void mi_log_init(const char *prog, const char *stage);
void mi_log_set_run(const char *run_id);
void mi_log_set_stage(const char *stage);
void mi_log_set_level(enum mi_log_level level);
/* Parse "debug", "info", "warn", "error"; -1 when unknown. */
int mi_log_level_parse(const char *s);
int mi_log_enabled(enum mi_log_level level);

/* An event with a free-text message (may be NULL). */
void mi_log(enum mi_log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * An event with extra string fields: key, value pairs ending with NULL.
 *   mi_log_kv(MI_LOG_INFO, "fetched", "url", url, "status", "200", NULL);
 */
void mi_log_kv(enum mi_log_level level, const char *event, ...)
	__attribute__((sentinel));

#endif
