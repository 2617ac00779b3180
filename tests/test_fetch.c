/*
 * fetch: the pure parts of the engine: Retry-After in both forms, backoff
 * with jitter, what is retried, origins, and next-page discovery for each
 * pagination mode.
 */
#include "exitcode.h"
#include "fetch.h"
#include "source.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

Test(fetch, retry_after_seconds)
{
	cr_assert_eq(fetch_retry_after("120", 1000), 120);
	cr_assert_eq(fetch_retry_after("  7 ", 1000), 7);
	cr_assert_eq(fetch_retry_after("0", 1000), 0);
	cr_assert_eq(fetch_retry_after("99999999999", 1000), 999999999L);
	cr_assert_eq(fetch_retry_after("", 1000), -1);
	cr_assert_eq(fetch_retry_after("-5", 1000), -1);
	cr_assert_eq(fetch_retry_after("1.5", 1000), -1);
	cr_assert_eq(fetch_retry_after(NULL, 1000), -1);
}

Test(fetch, retry_after_http_dates)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
	cr_assert_eq(fetch_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30), 30);
	cr_assert_eq(fetch_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", 784111777 - 5), 5);
	cr_assert_eq(fetch_retry_after("Sun Nov  6 08:49:37 1994", 784111777 - 1), 1);
	/* in the past: no wait */
	cr_assert_eq(fetch_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 100), 0);
	cr_assert_eq(fetch_retry_after("soon", 0), -1);
}

Test(fetch, backoff_doubles_with_equal_jitter_and_a_cap)
{
	cr_assert_eq(fetch_backoff_ms(1, 500, 60000, 0.0), 250);
	cr_assert_eq(fetch_backoff_ms(1, 500, 60000, 0.999999), 499);
	cr_assert_eq(fetch_backoff_ms(2, 500, 60000, 0.0), 500);
	cr_assert_eq(fetch_backoff_ms(3, 500, 60000, 0.0), 1000);
	cr_assert_eq(fetch_backoff_ms(4, 500, 60000, 0.5), 3000);
	cr_assert_eq(fetch_backoff_ms(30, 500, 60000, 0.0), 30000);
	cr_assert_leq(fetch_backoff_ms(30, 500, 60000, 0.999999), 60000);
	/* jitter spreads the waits */
	cr_assert_neq(fetch_backoff_ms(3, 500, 60000, 0.1), fetch_backoff_ms(3, 500, 60000, 0.9));
}

Test(fetch, what_is_retried)
{
	cr_assert(fetch_retryable(CURLE_OK, 429));
	cr_assert(fetch_retryable(CURLE_OK, 503));
	cr_assert(fetch_retryable(CURLE_OK, 500));
	cr_assert(!fetch_retryable(CURLE_OK, 404));
	cr_assert(!fetch_retryable(CURLE_OK, 403));
	cr_assert(!fetch_retryable(CURLE_OK, 200));
	cr_assert(fetch_retryable(CURLE_OPERATION_TIMEDOUT, 0));
	cr_assert(fetch_retryable(CURLE_COULDNT_CONNECT, 0));
	cr_assert(fetch_retryable(CURLE_PARTIAL_FILE, 200));
	cr_assert(fetch_retryable(CURLE_GOT_NOTHING, 0));
	cr_assert(!fetch_retryable(CURLE_TOO_MANY_REDIRECTS, 302));
	cr_assert(!fetch_retryable(CURLE_FILESIZE_EXCEEDED, 200));
	cr_assert(!fetch_retryable(CURLE_WRITE_ERROR, 200));
	cr_assert(!fetch_retryable(CURLE_PEER_FAILED_VERIFICATION, 0));
}

Test(fetch, origins)
{
	char buf[256];

	cr_assert_eq(fetch_origin("http://127.0.0.1:8080/a?b", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "http://127.0.0.1:8080");
	cr_assert_eq(fetch_origin("HTTPS://Example.ORG/x", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "https://example.org:443");
	cr_assert_eq(fetch_origin("http://127.0.0.1/", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "http://127.0.0.1:80");
	cr_assert_eq(fetch_origin("file:///var/data/x.csv", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "file://");
	cr_assert_eq(fetch_origin("not a url", buf, sizeof(buf)), -1);
}

static struct source *load(const char *name)
{
	struct mi_err err = MI_ERR_INIT;
	char path[256];
	struct source *s;

	snprintf(path, sizeof(path), "fixtures/fetch/sources/%s.ini", name);
	s = source_load(path, &err);
	cr_assert_not_null(s, "%s: %s", path, err.msg);
	return s;
}

static char *next_of(const struct source *s, const char *body, const char *base, int page)
{
	struct mi_err err = MI_ERR_INIT;
	char *out = (char *)"unset";

	cr_assert_eq(fetch_next_url(s, body, strlen(body), base, "2026-11-24", page, &out, &err), 0,
		     "%s", err.msg);
	return out;
}

Test(fetch, next_link_in_a_json_field)
{
	struct source *s = load("reviews-json");
	char *n;

	n = next_of(s, "{\"paging\": {\"next\": \"/api/reviews?cursor=abc\"}}",
		    "http://127.0.0.1:9/api/reviews?cursor=start", 1);
	cr_assert_str_eq(n, "http://127.0.0.1:9/api/reviews?cursor=abc");
	free(n);
	n = next_of(s, "{\"paging\": {\"next\": null}}", "http://127.0.0.1:9/api/reviews", 1);
	cr_assert_null(n);
	n = next_of(s, "{\"items\": []}", "http://127.0.0.1:9/api/reviews", 1);
	cr_assert_null(n);
	{
		struct mi_err err = MI_ERR_INIT;
		cr_assert_eq(fetch_next_url(s, "<html>", 6, "http://127.0.0.1:9/", "2026-11-24", 1,
					    &n, &err), -1);
		cr_assert_eq(err.code, MI_EXIT_DATA);
		cr_assert(strstr(err.msg, "not JSON") != NULL, "%s", err.msg);
	}
	source_free(s);
}

/* a page's items, and whether next_field names anything: a null is the API's own end */
Test(fetch, page_items_and_next_field)
{
	struct source *s = load("reviews-json");
	const char *p;
	long long items;
	int present;

	p = "{\"items\": [1, 2, 3], \"paging\": {\"next\": null}}";
	cr_assert_eq(fetch_page_info(s, p, strlen(p), &items, &present), 0);
	cr_assert_eq(items, 3);
	cr_assert_eq(present, 1);
	p = "{\"items\": [1, 2], \"paging\": {\"nxt\": \"/p/2\"}}";
	cr_assert_eq(fetch_page_info(s, p, strlen(p), &items, &present), 0);
	cr_assert_eq(items, 2);
	cr_assert_eq(present, 0);
	p = "{\"items\": {}, \"paging\": 7}";
	cr_assert_eq(fetch_page_info(s, p, strlen(p), &items, &present), 0);
	cr_assert_eq(items, -1);
	cr_assert_eq(present, 0);
	p = "<html>";
	cr_assert_eq(fetch_page_info(s, p, strlen(p), &items, &present), -1);
	cr_assert_eq(items, -1);
	source_free(s);
}

Test(fetch, next_link_in_an_html_element)
{
	struct source *s = load("pm-html");
	char *n;

	n = next_of(s,
		    "<html><body><div class=card>x</div><nav><a href=\"/l?p=1\">1</a>"
		    "<a rel=\"next\" href=\" ?p=3 \">Next</a></nav></body></html>",
		    "http://127.0.0.1:9/l?p=2", 2);
	cr_assert_str_eq(n, "http://127.0.0.1:9/l?p=3");
	free(n);
	n = next_of(s, "<html><body><p>last page</p></body></html>", "http://127.0.0.1:9/l", 3);
	cr_assert_null(n);
	n = next_of(s, "", "http://127.0.0.1:9/l", 3);
	cr_assert_null(n);
	/* a javascript: link is not followed */
	n = next_of(s, "<a rel=next href=\"javascript:go(3)\">n</a>", "http://127.0.0.1:9/l", 2);
	cr_assert_null(n);
	source_free(s);
}

Test(fetch, page_number_until_an_empty_page)
{
	struct source *s = load("calendar-pages");
	char *n;

	n = next_of(s, "{\"data\": {\"days\": [1, 2]}}", "http://127.0.0.1:9/cal?page=4", 4);
	cr_assert_str_eq(n, "http://127.0.0.1:9/cal?date=2026-11-24&page=5");
	free(n);
	n = next_of(s, "{\"data\": {\"days\": []}}", "http://127.0.0.1:9/cal", 5);
	cr_assert_null(n);
	n = next_of(s, "{\"data\": {}}", "http://127.0.0.1:9/cal", 5);
	cr_assert_null(n);
	source_free(s);
}

Test(fetch, no_pagination)
{
	struct source *s = load("maui-sales-file");
	char *n = next_of(s, "a,b\n1,2\n", "file:///tmp/x.csv", 1);

	cr_assert_null(n);
	source_free(s);
}
