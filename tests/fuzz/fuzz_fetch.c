/*
 * libFuzzer target: what mi-fetch reads from hostile servers.  The first byte
 * picks the reader: robots.txt rules (then every path found in the input is
 * checked, and /robots.txt itself must stay allowed), a Retry-After value
 * (never negative except -1), or next-page discovery in a JSON or HTML page
 * (never crash; any next URL is absolute http(s) or file).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "robots.h"
#include "source.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_robots(const char *body, size_t len)
{
	struct robots r = ROBOTS_INIT;
	size_t i;

	if (robots_parse(&r, body, len, "mi-fetch/0.1.0") < 0)
		return;
	if (r.mode == ROBOTS_RULES && !robots_allowed(&r, "/robots.txt"))
		abort();
	for (i = 0; i + 1 < len; i++) {
		if (body[i] == '/') {
			char path[256];
			size_t n = 0;
			while (i + n < len && n < sizeof(path) - 1 && body[i + n] != '\n' &&
			       body[i + n] != '\0')
				n++;
			memcpy(path, body + i, n);
			path[n] = '\0';
			(void)robots_allowed(&r, path);
			i += n;
		}
	}
	robots_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source s;
	struct mi_err err = MI_ERR_INIT;
	char *copy, *next = NULL;
	const char *body;
	size_t len;

	if (size < 1)
		return 0;
	body = (const char *)data + 1;
	len = size - 1;
	switch (data[0] % 5) {
	case 0:
		check_robots(body, len);
		break;
	case 1:
		copy = malloc(len + 1);
		if (!copy)
			return 0;
		memcpy(copy, body, len);
		copy[len] = '\0';
		if (fetch_retry_after(copy, 1700000000LL) < -1)
			abort();
		free(copy);
		break;
	default:
		memset(&s, 0, sizeof(s));
		s.id = (char *)"fuzz";
		s.url = (char *)"http://127.0.0.1:9/p?page={page}";
		s.paginate = data[0] % 5 == 2 ? SOURCE_PAGE_JSON_NEXT
			     : data[0] % 5 == 3 ? SOURCE_PAGE_HTML_NEXT
						: SOURCE_PAGE_NUMBER;
		s.next_field = (char *)"paging.next";
		s.next_xpath = (char *)"//a[@rel='next']/@href";
		s.items_field = (char *)"items";
		s.max_pages = 10;
		if (fetch_next_url(&s, body, len, "http://127.0.0.1:9/p?page=1", "2026-11-24", 1,
				   &next, &err) == 0 &&
		    next && strncmp(next, "http://", 7) && strncmp(next, "https://", 8) &&
		    strncmp(next, "file://", 7))
			abort();
		free(next);
		break;
	}
	return 0;
}
