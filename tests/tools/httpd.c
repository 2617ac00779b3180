/*
 * httpd: a small HTTP/1.1 server for the fetch tests and benchmark, which
 * misbehaves on purpose.  It listens on 127.0.0.1 only, on an ephemeral port
 * that it prints on stdout ("port N"), one thread per connection, keep-alive.
 *
 *   httpd [-d DIR] [-r normal|delay|503|404|429|slow|none] [-p PORTFILE] [-s STATSFILE]
 *         [-l LOGFILE]
 *
 * -s rewrites STATSFILE after every request: "count target" lines and a
 * last line "max-inflight N" (the most requests it was answering at once).
 * -l appends "milliseconds target" for every request as it arrives.
 *
 * Paths (query parameters in brackets):
 *   /robots.txt            "User-agent: *" / "Disallow: /private/" (mode -r;
 *                          delay adds "Crawl-delay: 1")
 *   /status/N[?retry-after=S|date:S][&fail=K]
 *                          status N (with Retry-After), the first K requests
 *                          of that target (all of them without fail), then 200
 *   /slow[?ms=N][&drip=1]  wait N ms before answering; drip: send the body
 *                          one byte every N ms
 *   /truncate[?fail=K]     promise 10000 bytes, send 100 and close (first K)
 *   /redirect-loop         302 to /redirect-loop-b, which redirects back
 *   /redirect?to=URL       302 to URL (everything after "to=", as written)
 *   /echo-headers          the request line and headers it received, as the body
 *   /big[?bytes=N][&chunked=1]  a body of N bytes (default 1 MiB)
 *   /changing              a body that changes on every request
 *   /etag                  ETag "v1" + Last-Modified; 304 on a match
 *   /gzip                  a gzip'd body; 406 unless Accept-Encoding has gzip
 *   /pages/N[?last=L]      JSON page with "next": "/pages/N+1" until L (3)
 *   /cursor-loop/N         JSON pages whose next link goes back to page 1
 *   /html-pages/N[?last=L] HTML pages with <a rel="next" href=...>
 *   /num?page=N[&last=L]   JSON page with items until page L (3), then []
 *   /gen/N[?size=S]        S bytes (default 20000) of deterministic text
 *   /__stats               "count target" lines, every target seen so far
 *   anything else          a file under DIR (fixtures/fetch by default), 404
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "strbuf.h"

#include "banned.h"

static const char *root = "fixtures/fetch";
static const char *robots_mode = "normal";
static const char *stats_file;
static FILE *log_fp;
static int inflight, max_inflight;

/* ---- request counts per target ---- */
struct count {
	char *target;
	long n;
};
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static struct count *counts;
static size_t ncounts, acounts;

/* counts[] keeps arrival order (for the stats file); index[] hashes into it */
static size_t *index_tab;
static size_t index_cap;

static unsigned long hash_str(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static int index_grow(void)
{
	size_t ncap = index_cap ? index_cap * 2 : 1024, i;
	size_t *nt = malloc(ncap * sizeof(*nt));

	if (!nt)
		return -1;
	for (i = 0; i < ncap; i++)
		nt[i] = (size_t)-1;
	for (i = 0; i < ncounts; i++) {
		size_t k = hash_str(counts[i].target) & (ncap - 1);
		while (nt[k] != (size_t)-1)
			k = (k + 1) & (ncap - 1);
		nt[k] = i;
	}
	free(index_tab);
	index_tab = nt;
	index_cap = ncap;
	return 0;
}

static long count_hit(const char *target)
{
	size_t k;
	long n = 0;

	pthread_mutex_lock(&stats_lock);
	if ((ncounts + 1) * 2 > index_cap && index_grow() < 0)
		goto out;
	for (k = hash_str(target) & (index_cap - 1); index_tab[k] != (size_t)-1;
	     k = (k + 1) & (index_cap - 1))
		if (!strcmp(counts[index_tab[k]].target, target)) {
			n = ++counts[index_tab[k]].n;
			goto out;
		}
	if (ncounts == acounts) {
		size_t na = acounts ? acounts * 2 : 256;
		struct count *nc = realloc(counts, na * sizeof(*nc));
		if (!nc)
			goto out;
		counts = nc;
		acounts = na;
	}
	counts[ncounts].target = strdup(target);
	if (counts[ncounts].target) {
		counts[ncounts].n = 1;
		index_tab[k] = ncounts;
		ncounts++;
		n = 1;
	}
out:
	pthread_mutex_unlock(&stats_lock);
	return n;
}

/* Under stats_lock: rewrite the stats file. */
static void dump_stats(void)
{
	char tmp[4096];
	FILE *fp;
	size_t i;

	if (!stats_file)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", stats_file);
	fp = fopen(tmp, "w");
	if (!fp)
		return;
	for (i = 0; i < ncounts; i++)
		fprintf(fp, "%ld %s\n", counts[i].n, counts[i].target);
	fprintf(fp, "max-inflight %d\n", max_inflight);
	if (fclose(fp) == 0)
		rename(tmp, stats_file);
}

static void request_begin(const char *target)
{
	struct timespec ts;

	pthread_mutex_lock(&stats_lock);
	if (++inflight > max_inflight)
		max_inflight = inflight;
	if (log_fp) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		fprintf(log_fp, "%lld %s\n", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
			target);
		fflush(log_fp);
	}
	dump_stats();
	pthread_mutex_unlock(&stats_lock);
}

static void request_end(void)
{
	pthread_mutex_lock(&stats_lock);
	inflight--;
	dump_stats();
	pthread_mutex_unlock(&stats_lock);
}

/* ---- I/O helpers ---- */
static int send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void http_date(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Value of query parameter name in q (NULL-terminated copy in buf), or NULL. */
static const char *qparam(const char *q, const char *name, char *buf, size_t size)
{
	size_t nl = strlen(name);

	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t len = end ? (size_t)(end - q) : strlen(q);
		if (len > nl && !strncmp(q, name, nl) && q[nl] == '=') {
			size_t vl = len - nl - 1;
			if (vl >= size)
				vl = size - 1;
			memcpy(buf, q + nl + 1, vl);
			buf[vl] = '\0';
			return buf;
		}
		q = end ? end + 1 : NULL;
	}
	return NULL;
}

static long qlong(const char *q, const char *name, long def)
{
	char buf[64];

	if (!qparam(q, name, buf, sizeof(buf)))
		return def;
	return strtol(buf, NULL, 10);
}

struct resp {
	int status;
	const char *reason;
	struct strbuf headers;
	struct strbuf body;
	int close_after;
};

static void respond(int fd, struct resp *r, int head_only)
{
	struct strbuf out = STRBUF_INIT;
	char date[64];

	http_date(time(NULL), date, sizeof(date));
	strbuf_addf(&out, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
		    r->status, r->reason, date, r->body.len, r->headers.buf,
		    r->close_after ? "Connection: close\r\n" : "");
	if (!head_only)
		strbuf_add(&out, r->body.buf, r->body.len);
	send_all(fd, out.buf, out.len);
	strbuf_release(&out);
}

static int gzip_buf(const char *in, size_t len, struct strbuf *out)
{
	z_stream zs;
	unsigned char chunk[16384];
	int r;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		r = deflate(&zs, Z_FINISH);
		strbuf_add(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (r == Z_OK);
	deflateEnd(&zs);
	return r == Z_STREAM_END ? 0 : -1;
}

static void gen_text(struct strbuf *b, long seed, long size)
{
	static const char words[] = "aloha mahalo lanai ohana makai mauka pau hana keiki ";
	long i;

	strbuf_grow(b, (size_t)size);
	strbuf_addf(b, "page %ld\n", seed);
	for (i = (long)b->len; i < size; i++)
		strbuf_addch(b, words[(i + seed) % (long)(sizeof(words) - 1)]);
}

static void serve_file(struct resp *r, const char *path)
{
	char full[4096];
	FILE *fp;
	char buf[8192];
	size_t n;

	if (strstr(path, "..")) {
		r->status = 403;
		r->reason = "Forbidden";
		return;
	}
	snprintf(full, sizeof(full), "%s%s", root, path);
	fp = fopen(full, "rb");
	if (!fp) {
		r->status = 404;
		r->reason = "Not Found";
		strbuf_addstr(&r->body, "not found\n");
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&r->body, buf, n);
	fclose(fp);
	if (strstr(path, ".json"))
		strbuf_addstr(&r->headers, "Content-Type: application/json\r\n");
	else if (strstr(path, ".html"))
		strbuf_addstr(&r->headers, "Content-Type: text/html\r\n");
	else if (strstr(path, ".csv"))
		strbuf_addstr(&r->headers, "Content-Type: text/csv\r\n");
}

/* Handle one request; returns 0 to keep the connection, -1 to close it. */
static int handle(int fd, const char *method, const char *target, const char *hdrs)
{
	char path[2048], date[64], buf[128];
	const char *q = strchr(target, '?');
	struct resp r;
	long hits, n;
	int ret = 0;

	snprintf(path, sizeof(path), "%.*s", q ? (int)(q - target) : (int)strlen(target), target);
	if (q)
		q++;
	memset(&r, 0, sizeof(r));
	r.status = 200;
	r.reason = "OK";
	strbuf_init(&r.headers, 0);
	strbuf_init(&r.body, 0);
	if (!strcmp(path, "/__stats")) {
		size_t i;
		pthread_mutex_lock(&stats_lock);
		for (i = 0; i < ncounts; i++)
			strbuf_addf(&r.body, "%ld %s\n", counts[i].n, counts[i].target);
		pthread_mutex_unlock(&stats_lock);
		goto send;
	}
	hits = count_hit(target);
	request_begin(target);

	if (!strcmp(path, "/robots.txt")) {
		if (!strcmp(robots_mode, "normal")) {
			strbuf_addstr(&r.headers, "Content-Type: text/plain\r\n");
			strbuf_addstr(&r.body, "# test robots\nUser-agent: otherbot\nDisallow: /\n\n"
					       "User-agent: *\nDisallow: /private/\nAllow: /private/ok\n");
		} else if (!strcmp(robots_mode, "delay")) {
			strbuf_addstr(&r.body, "User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n");
		} else if (!strcmp(robots_mode, "none")) {
			r.status = 404;
			r.reason = "Not Found";
		} else if (!strcmp(robots_mode, "slow")) {
			sleep_ms(5000);
			strbuf_addstr(&r.body, "User-agent: *\nDisallow:\n");
		} else {
			r.status = atoi(robots_mode);
			r.reason = "Robots Mode";
		}
	} else if (!strncmp(path, "/status/", 8)) {
		long fail = qlong(q, "fail", -1);
		if (fail < 0 || hits <= fail) {
			r.status = atoi(path + 8);
			r.reason = "Induced";
			if (qparam(q, "retry-after", buf, sizeof(buf))) {
				if (!strncmp(buf, "date:", 5)) {
					http_date(time(NULL) + atol(buf + 5), date, sizeof(date));
					strbuf_addf(&r.headers, "Retry-After: %s\r\n", date);
				} else {
					strbuf_addf(&r.headers, "Retry-After: %s\r\n", buf);
				}
			}
			strbuf_addf(&r.body, "status %d\n", r.status);
		} else {
			strbuf_addf(&r.body, "recovered after %ld\n", fail);
		}
	} else if (!strcmp(path, "/slow")) {
		long ms = qlong(q, "ms", 1000);
		if (qlong(q, "drip", 0)) {
			const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n";
			int i;
			send_all(fd, h, strlen(h));
			for (i = 0; i < 100; i++) {
				if (send_all(fd, "x", 1) < 0)
					break;
				sleep_ms(ms);
			}
			ret = -1;
			goto done;
		}
		sleep_ms(ms);
		strbuf_addf(&r.body, "slow %ld\n", ms);
	} else if (!strcmp(path, "/truncate")) {
		long fail = qlong(q, "fail", -1);
		if (fail < 0 || hits <= fail) {
			const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\nConnection: close\r\n\r\n";
			char part[100];
			memset(part, 't', sizeof(part));
			send_all(fd, h, strlen(h));
			send_all(fd, part, sizeof(part));
			ret = -1;
			goto done;
		}
		gen_text(&r.body, 7, 10000);
	} else if (!strcmp(path, "/redirect-loop") || !strcmp(path, "/redirect-loop-b")) {
		r.status = 302;
		r.reason = "Found";
		strbuf_addf(&r.headers, "Location: %s\r\n",
			    strcmp(path, "/redirect-loop") ? "/redirect-loop" : "/redirect-loop-b");
	} else if (!strcmp(path, "/redirect") && q && !strncmp(q, "to=", 3)) {
		r.status = 302;
		r.reason = "Found";
		strbuf_addf(&r.headers, "Location: %s\r\n", q + 3);
	} else if (!strcmp(path, "/echo-headers")) {
		strbuf_addstr(&r.headers, "Content-Type: text/plain\r\n");
		strbuf_addf(&r.body, "%s\n", hdrs);
	} else if (!strcmp(path, "/big")) {
		long bytes = qlong(q, "bytes", 1 << 20);
		if (qlong(q, "chunked", 0)) {
			const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
			char chunk[8192 + 16];
			long sent = 0;
			send_all(fd, h, strlen(h));
			while (sent < bytes) {
				long c = bytes - sent > 8192 ? 8192 : bytes - sent;
				int hl = snprintf(chunk, 16, "%lx\r\n", c);
				memset(chunk + hl, 'b', (size_t)c);
				memcpy(chunk + hl + c, "\r\n", 2);
				if (send_all(fd, chunk, (size_t)(hl + c + 2)) < 0)
					break;
				sent += c;
			}
			send_all(fd, "0\r\n\r\n", 5);
			ret = -1;
			goto done;
		}
		gen_text(&r.body, 3, bytes);
	} else if (!strcmp(path, "/changing")) {
		strbuf_addf(&r.body, "version %ld\n", hits);
	} else if (!strcmp(path, "/etag")) {
		const char *inm = strcasestr(hdrs, "\nIf-None-Match:");
		strbuf_addstr(&r.headers, "ETag: \"v1\"\r\n"
					  "Last-Modified: Mon, 02 Nov 2026 10:00:00 GMT\r\n");
		if (inm && strstr(inm, "\"v1\"")) {
			r.status = 304;
			r.reason = "Not Modified";
		} else {
			strbuf_addstr(&r.body, "etag body v1\n");
		}
	} else if (!strcmp(path, "/gzip")) {
		const char *ae = strcasestr(hdrs, "\nAccept-Encoding:");
		size_t ael = ae ? 1 + strcspn(ae + 1, "\n") : 0;
		int ok = ae && memmem(ae, ael, "gzip", 4);
		if (!ok) {
			r.status = 406;
			r.reason = "Not Acceptable";
			strbuf_addstr(&r.body, "gzip required\n");
		} else {
			struct strbuf plain = STRBUF_INIT;
			gen_text(&plain, 11, 50000);
			gzip_buf(plain.buf, plain.len, &r.body);
			strbuf_release(&plain);
			strbuf_addstr(&r.headers, "Content-Encoding: gzip\r\n"
						  "Content-Type: text/plain\r\n");
		}
	} else if (!strncmp(path, "/pages/", 7) || !strncmp(path, "/cursor-loop/", 13)) {
		int loop = path[1] == 'c';
		long last = qlong(q, "last", 3);
		n = atol(strrchr(path, '/') + 1);
		strbuf_addstr(&r.headers, "Content-Type: application/json\r\n");
		strbuf_addf(&r.body, "{\"page\": %ld, \"items\": [{\"id\": %ld}, {\"id\": %ld}]", n,
			    n * 10 + 1, n * 10 + 2);
		if (loop)
			strbuf_addf(&r.body, ", \"paging\": {\"next\": \"/cursor-loop/%ld\"}",
				    n >= 2 ? 1 : n + 1);
		else if (n < last)
			strbuf_addf(&r.body, ", \"paging\": {\"next\": \"/pages/%ld?last=%ld\"}", n + 1,
				    last);
		else
			strbuf_addstr(&r.body, ", \"paging\": {\"next\": null}");
		strbuf_addstr(&r.body, "}\n");
	} else if (!strncmp(path, "/html-pages/", 12)) {
		long last = qlong(q, "last", 3);
		n = atol(path + 12);
		strbuf_addstr(&r.headers, "Content-Type: text/html\r\n");
		strbuf_addf(&r.body, "<html><body><div class=\"card\">listing %ld</div>\n", n);
		if (n < last)
			strbuf_addf(&r.body,
				    "<nav><a class=\"next\" rel=\"next\" href=\"/html-pages/%ld?last=%ld\">Next &raquo;</a></nav>\n",
				    n + 1, last);
		strbuf_addstr(&r.body, "</body></html>\n");
	} else if (!strcmp(path, "/num")) {
		long last = qlong(q, "last", 3);
		n = qlong(q, "page", 1);
		strbuf_addstr(&r.headers, "Content-Type: application/json\r\n");
		if (n <= last)
			strbuf_addf(&r.body, "{\"page\": %ld, \"items\": [{\"id\": %ld}]}\n", n, n);
		else
			strbuf_addf(&r.body, "{\"page\": %ld, \"items\": []}\n", n);
	} else if (!strncmp(path, "/gen/", 5)) {
		gen_text(&r.body, atol(path + 5), qlong(q, "size", 20000));
	} else {
		serve_file(&r, path);
	}
send:
	respond(fd, &r, !strcmp(method, "HEAD"));
	if (r.close_after)
		ret = -1;
done:
	if (strcmp(path, "/__stats"))
		request_end();
	strbuf_release(&r.headers);
	strbuf_release(&r.body);
	return ret;
}

static void *conn_main(void *arg)
{
	int fd = (int)(long)arg;
	struct strbuf in = STRBUF_INIT;
	char buf[8192];

	strbuf_init(&in, 1 << 16);
	for (;;) {
		char *end = strstr(in.buf, "\r\n\r\n");
		char method[16], target[2048];
		size_t used;
		int close_conn;

		if (!end) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0 || strbuf_add(&in, buf, (size_t)n) < 0)
				break;
			continue;
		}
		*end = '\0';
		if (sscanf(in.buf, "%15s %2047s", method, target) != 2)
			break;
		close_conn = strcasestr(in.buf, "\nConnection: close") != NULL;
		if (handle(fd, method, target, in.buf) < 0 || close_conn)
			break;
		used = (size_t)(end - in.buf) + 4;
		memmove(in.buf, in.buf + used, in.len - used);
		strbuf_setlen(&in, in.len - used);
	}
	strbuf_release(&in);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	const char *portfile = NULL;
	int lfd, opt, one = 1;
	pthread_attr_t attr;

	while ((opt = getopt(argc, argv, "d:r:p:s:l:")) != -1) {
		switch (opt) {
		case 'd': root = optarg; break;
		case 'r': robots_mode = optarg; break;
		case 'p': portfile = optarg; break;
		case 's': stats_file = optarg; break;
		case 'l':
			log_fp = fopen(optarg, "a");
			if (!log_fp) {
				perror("httpd: log file");
				return 73;
			}
			break;
		default:
			fprintf(stderr, "usage: httpd [-d DIR] [-r ROBOTS_MODE] [-p PORTFILE] [-s STATS] [-l LOG]\n");
			return 64;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return 71;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1024) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("httpd: bind");
		return 71;
	}
	if (portfile) {
		char tmp[4096];
		FILE *fp;
		snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
		fp = fopen(tmp, "w");
		if (!fp || fprintf(fp, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(fp) != 0 ||
		    rename(tmp, portfile) < 0) {
			perror("httpd: port file");
			return 73;
		}
	}
	printf("port %d\n", ntohs(sa.sin_port));
	fflush(stdout);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		pthread_t th;
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			perror("httpd: accept");
			return 71;
		}
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&th, &attr, conn_main, (void *)(long)cfd) != 0)
			close(cfd);
	}
}
