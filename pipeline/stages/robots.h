/*
 * robots: robots.txt rules (RFC 9309), parsed tolerantly, for one user agent.
 *
 * Parsing never fails on content: unknown lines, missing colons, a BOM, CR
 * line ends, comments and garbage are skipped.  The group whose User-agent
 * token is the longest case-insensitive prefix match of our product token is
 * used, else the "*" group, else everything is allowed.  Several groups with
 * the same agent are merged.  Allow/Disallow rules support '*' and a final
 * '$'; the longest matching rule wins, Allow wins a tie; an empty Disallow
 * allows everything.
 *
 * What to do when robots.txt cannot be had (robots_from_status): 2xx: parse;
 * other 4xx: allow all; 5xx, 429 or no answer (timeout, connection error):
 * disallow all ("fail closed") until the next try.
 *
 * Ownership: struct robots owns its rules; robots_release() frees them.
 */
#ifndef MI_ROBOTS_H
#define MI_ROBOTS_H

#include <stddef.h>

struct robots_rule {
	char *pattern; /* path pattern, percent-encoding left as given */
	int allow;
};

struct robots {
	struct robots_rule *rules;
	size_t n, alloc;
	int mode; /* ROBOTS_RULES, ROBOTS_ALLOW_ALL, ROBOTS_DENY_ALL */
	double crawl_delay; /* seconds, 0 when not given */
};

enum { ROBOTS_RULES, ROBOTS_ALLOW_ALL, ROBOTS_DENY_ALL };

#define ROBOTS_INIT { NULL, 0, 0, ROBOTS_ALLOW_ALL, 0 }

/*
 * Parse body (len bytes, not NUL-terminated) for user agent agent (its
 * product token, e.g. "mi-fetch"; anything from the first '/' or space on is
 * ignored).  Replaces r's previous content.  Returns 0, or -1 out of memory.
 */
int robots_parse(struct robots *r, const char *body, size_t len, const char *agent);

/*
 * Set r from a fetch that did not give a usable body: status is the HTTP
 * status (0 for no response).  4xx except 429: allow all; otherwise deny all.
 */
void robots_from_status(struct robots *r, int status);

/* 1 when path (with its query, starting with '/') may be fetched. */
int robots_allowed(const struct robots *r, const char *path);

void robots_release(struct robots *r);

#endif
