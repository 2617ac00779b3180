#include "robots.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

void robots_release(struct robots *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->rules[i].pattern);
	free(r->rules);
	r->rules = NULL;
	r->n = r->alloc = 0;
	r->mode = ROBOTS_ALLOW_ALL;
	r->crawl_delay = 0;
}

void robots_from_status(struct robots *r, int status)
{
	robots_release(r);
	if (status >= 400 && status < 500 && status != 429)
		r->mode = ROBOTS_ALLOW_ALL;
	else
		r->mode = ROBOTS_DENY_ALL;
}

static int add_rule(struct robots *r, const char *p, size_t len, int allow)
{
	char *s;

	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 16;
		struct robots_rule *nv = realloc(r->rules, na * sizeof(*nv));
		if (!nv)
			return -1;
		r->rules = nv;
		r->alloc = na;
	}
	s = malloc(len + 1);
	if (!s)
		return -1;
	memcpy(s, p, len);
	s[len] = '\0';
	r->rules[r->n].pattern = s;
	r->rules[r->n].allow = allow;
	r->n++;
	return 0;
}

/* Length of the product token: up to '/', space or end. */
static size_t token_len(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '/' || isspace((unsigned char)s[i]))
			break;
	return i;
}

/*
 * Two passes: the first finds the best group (longest agent token that is a
 * prefix of ours, or "*"), the second collects the rules of every group
 * naming that token.
 */
int robots_parse(struct robots *r, const char *body, size_t len, const char *agent)
{
	size_t alen = token_len(agent, strlen(agent));
	char best[128] = "";
	size_t best_len = 0;
	int have_star = 0, pass;

	robots_release(r);
	r->mode = ROBOTS_RULES;
	if (len >= 3 && !memcmp(body, "\xEF\xBB\xBF", 3)) {
		body += 3;
		len -= 3;
	}
	for (pass = 0; pass < 2; pass++) {
		size_t pos = 0;
		int in_agents = 0; /* reading a run of User-agent lines */
		int group_match = 0;

		while (pos < len) {
			const char *line = body + pos, *eol = memchr(line, '\n', len - pos);
			size_t ll = eol ? (size_t)(eol - line) : len - pos;
			const char *colon, *key, *val;
			size_t kl, vl;

			pos += ll + (eol ? 1 : 0);
			{
				const char *hash = memchr(line, '#', ll);
				if (hash)
					ll = (size_t)(hash - line);
			}
			while (ll && isspace((unsigned char)line[ll - 1]))
				ll--;
			colon = memchr(line, ':', ll);
			if (!colon)
				continue;
			key = line;
			kl = (size_t)(colon - line);
			while (kl && isspace((unsigned char)*key)) {
				key++;
				kl--;
			}
			while (kl && isspace((unsigned char)key[kl - 1]))
				kl--;
			val = colon + 1;
			vl = ll - (size_t)(val - line);
			while (vl && isspace((unsigned char)*val)) {
				val++;
				vl--;
			}
			if (kl == 10 && !strncasecmp(key, "user-agent", 10)) {
				size_t tl = token_len(val, vl);
				if (!in_agents)
					group_match = 0;
				in_agents = 1;
				if (pass == 0) {
					if (tl == 1 && val[0] == '*')
						have_star = 1;
					else if (tl && tl <= alen && tl > best_len &&
						 tl < sizeof(best) && !strncasecmp(val, agent, tl)) {
						best_len = tl;
						memcpy(best, val, tl);
						best[tl] = '\0';
					}
				} else {
					if (best_len ? (tl == best_len && !strncasecmp(val, best, tl))
						     : (tl == 1 && val[0] == '*'))
						group_match = 1;
				}
				continue;
			}
			in_agents = 0;
			if (pass == 0 || !group_match)
				continue;
			if (kl == 8 && !strncasecmp(key, "disallow", 8)) {
				if (vl && add_rule(r, val, vl, 0) < 0)
					return -1;
			} else if (kl == 5 && !strncasecmp(key, "allow", 5)) {
				if (vl && add_rule(r, val, vl, 1) < 0)
					return -1;
			} else if (kl == 11 && !strncasecmp(key, "crawl-delay", 11)) {
				char num[32];
				size_t nl = vl < sizeof(num) - 1 ? vl : sizeof(num) - 1;
				double d;
				memcpy(num, val, nl);
				num[nl] = '\0';
				d = strtod(num, NULL);
				if (d > 0 && d < 3600)
					r->crawl_delay = d;
			}
		}
		if (pass == 0 && !best_len && !have_star) {
			r->mode = ROBOTS_ALLOW_ALL;
			return 0;
		}
	}
	return 0;
}

/*
 * 1 when pattern matches path: '*' matches any run, a final '$' anchors the
 * end, otherwise the pattern is a prefix.  Greedy matching with one
 * backtrack point (the last '*'): O(pattern x path) at worst, never
 * exponential, whatever a hostile robots.txt holds.
 */
static int match_at(const char *p, const char *s)
{
	size_t plen = strlen(p);
	int anchored = plen && p[plen - 1] == '$';
	const char *pend = p + plen - (anchored ? 1 : 0);
	const char *star = NULL, *star_s = NULL;

	for (;;) {
		if (p < pend && *p == '*') {
			star = ++p;
			star_s = s;
			continue;
		}
		if (p == pend) {
			if (!anchored || !*s)
				return 1; /* the whole pattern matched (a prefix unless anchored) */
		} else if (*s && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (!star || !*star_s)
			return 0;
		p = star; /* let the last '*' swallow one more byte */
		s = ++star_s;
	}
}

int robots_allowed(const struct robots *r, const char *path)
{
	long best = -1;
	int allow = 1;
	size_t i;

	if (r->mode == ROBOTS_ALLOW_ALL)
		return 1;
	if (r->mode == ROBOTS_DENY_ALL)
		return 0;
	if (!strcmp(path, "/robots.txt"))
		return 1;
	for (i = 0; i < r->n; i++) {
		long plen = (long)strlen(r->rules[i].pattern);
		if (!match_at(r->rules[i].pattern, path))
			continue;
		if (plen > best || (plen == best && r->rules[i].allow)) {
			best = plen;
			allow = r->rules[i].allow;
		}
	}
	return allow;
}
