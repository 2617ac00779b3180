/*
 * landing: the content-addressed store and the run manifests.
 */
#include "exitcode.h"
#include "landing.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mi-landing-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static int count_files(const char *sub)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

TestSuite(landing, .init = setup, .fini = teardown);

Test(landing, stores_once_by_sha256)
{
	struct landing ld = LANDING_INIT;
	struct mi_err err = MI_ERR_INIT;
	char hex[LANDING_HASH_HEX], hex2[LANDING_HASH_HEX], path[4096];
	struct stat st;
	int was_new = -1;

	cr_assert_eq(landing_open(&ld, dir, &err), 0, "%s", err.msg);
	cr_assert_eq(landing_put(&ld, "abc", 3, hex, &was_new, &err), 0);
	/* the SHA-256 of "abc" */
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_assert_eq(was_new, 1);
	cr_assert(landing_has(&ld, hex));
	landing_object_path(&ld, hex, path, sizeof(path));
	cr_assert(strstr(path, "/objects/ba/7816bf8f01") != NULL, "%s", path);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0444, "objects are read-only");
	cr_assert_eq(landing_put(&ld, "abc", 3, hex2, &was_new, &err), 0);
	cr_assert_eq(was_new, 0);
	cr_assert_str_eq(hex, hex2);
	cr_assert_eq(count_files("objects/ba"), 1);
	cr_assert_eq(count_files("tmp"), 0, "no temporary left behind");
	landing_release(&ld);
}

Test(landing, oversized_body_is_never_half_stored)
{
	struct landing ld = LANDING_INIT;
	struct mi_err err = MI_ERR_INIT;
	struct landing_writer w;
	char chunk[1000];

	memset(chunk, 'x', sizeof(chunk));
	cr_assert_eq(landing_open(&ld, dir, &err), 0);
	cr_assert_eq(landing_writer_begin(&ld, &w, 2500, &err), 0);
	cr_assert_eq(landing_writer_write(&w, chunk, 1000, &err), 0);
	cr_assert_eq(landing_writer_write(&w, chunk, 1000, &err), 0);
	cr_assert_eq(landing_writer_write(&w, chunk, 1000, &err), -1);
	cr_assert(w.toobig);
	cr_assert_str_eq(err.msg, "body larger than 2500 bytes");
	landing_writer_abort(&w);
	landing_writer_abort(&w); /* twice is fine */
	cr_assert_eq(count_files("tmp"), 0);
	cr_assert_eq(count_files("objects"), 0);
	landing_release(&ld);
}

static int collect(const struct landing_record *rec, void *data)
{
	char *out = data;
	size_t n = strlen(out);

	snprintf(out + n, 4096 - n, "%s %s %s %ld\n", rec->url, rec->outcome,
		 rec->sha256 ? rec->sha256 : "-", rec->line);
	if (rec->path)
		cr_assert(access(rec->path, R_OK) == 0, "path %s", rec->path);
	return 0;
}

static void append(struct landing_manifest *m, const char *url, const char *outcome,
		   const char *sha)
{
	struct landing_record r;
	struct mi_err err = MI_ERR_INIT;

	memset(&r, 0, sizeof(r));
	r.run = "r1";
	r.source = "s";
	r.url = url;
	r.outcome = outcome;
	r.sha256 = sha;
	r.status = 200;
	r.page = 1;
	cr_assert_eq(landing_manifest_append(m, &r, &err), 0, "%s", err.msg);
}

Test(landing, manifest_foreach_yields_each_body_once)
{
	struct landing ld = LANDING_INIT;
	struct landing_manifest m = LANDING_MANIFEST_INIT;
	struct mi_err err = MI_ERR_INIT;
	char a[LANDING_HASH_HEX], b[LANDING_HASH_HEX], out[4096] = "", want[4096];

	cr_assert_eq(landing_open(&ld, dir, &err), 0);
	cr_assert_eq(landing_put(&ld, "A", 1, a, NULL, &err), 0);
	cr_assert_eq(landing_put(&ld, "B", 1, b, NULL, &err), 0);
	cr_assert_eq(landing_manifest_open(&ld, "r1", &m, &err), 0);
	append(&m, "http://h/1", "landed", a);
	append(&m, "http://h/2", "failed", NULL);
	append(&m, "http://h/3", "robots", NULL);
	append(&m, "http://h/1", "landed", b); /* a killed worker's item, landed again */
	append(&m, "http://h/4", "not_modified", a);
	landing_manifest_close(&m);

	cr_assert_eq(landing_run_foreach(dir, "r1", 0, collect, out, &err), 0, "%s", err.msg);
	snprintf(want, sizeof(want), "http://h/1 landed %s 4\nhttp://h/4 not_modified %s 5\n", b, a);
	cr_assert_str_eq(out, want);
	out[0] = '\0';
	cr_assert_eq(landing_run_foreach(dir, "r1", LANDING_ALL, collect, out, &err), 0);
	cr_assert_eq(strlen(out) > 0 && out[strlen(out) - 1] == '\n', 1);
	{
		int lines = 0;
		for (char *p = out; *p; p++)
			lines += *p == '\n';
		cr_assert_eq(lines, 5);
	}
	landing_release(&ld);
}

Test(landing, manifest_errors_and_torn_last_line)
{
	struct landing ld = LANDING_INIT;
	struct landing_manifest m = LANDING_MANIFEST_INIT;
	struct mi_err err = MI_ERR_INIT;
	char a[LANDING_HASH_HEX], out[4096] = "", path[512], buf[1024];
	int fd;

	cr_assert_eq(landing_open(&ld, dir, &err), 0);
	cr_assert_eq(landing_run_foreach(dir, "nope", 0, collect, out, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_NOINPUT);
	cr_assert_eq(landing_manifest_open(&ld, "../etc", &m, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_USAGE);

	cr_assert_eq(landing_put(&ld, "A", 1, a, NULL, &err), 0);
	cr_assert_eq(landing_manifest_open(&ld, "r2", &m, &err), 0);
	append(&m, "http://h/1", "landed", a);
	landing_manifest_close(&m);
	/* a writer killed mid-line */
	snprintf(path, sizeof(path), "%s/runs/r2/manifest.jsonl", dir);
	fd = open(path, O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "{\"v\":1,\"url\":\"http://h/2\",\"outc", 31), 31);
	close(fd);
	cr_assert_eq(landing_run_foreach(dir, "r2", 0, collect, out, &err), 0, "%s", err.msg);
	cr_assert(strstr(out, "http://h/1 landed") != NULL);
	cr_assert(strstr(out, "http://h/2") == NULL);

	/* a corrupt line in the middle is an error naming the line */
	fd = open(path, O_WRONLY | O_APPEND);
	cr_assert_eq(write(fd, "\n{\"v\":1}\n", 9), 9);
	close(fd);
	cr_assert_eq(landing_run_foreach(dir, "r2", 0, collect, out, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_DATA);
	snprintf(buf, sizeof(buf), "%s:2: manifest line is not a JSON object", path);
	{
		char got[1024];
		cr_assert_str_eq(mi_err_format(&err, got, sizeof(got)), buf);
	}
	landing_release(&ld);
}

Test(landing, run_ids)
{
	cr_assert(landing_run_id_ok("nightly-20261124"));
	cr_assert(landing_run_id_ok("r1.b_2"));
	cr_assert(!landing_run_id_ok(""));
	cr_assert(!landing_run_id_ok(".hidden"));
	cr_assert(!landing_run_id_ok("a/b"));
	cr_assert(!landing_run_id_ok("a b"));
	cr_assert(landing_hash_ok("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	cr_assert(!landing_hash_ok("BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	cr_assert(!landing_hash_ok("ba78"));
}

Test(landing, old_temporaries_of_killed_workers_are_swept)
{
	struct landing ld = LANDING_INIT;
	struct mi_err err = MI_ERR_INIT;
	char old[512], fresh[512];
	struct utimbuf ut;
	FILE *fp;

	cr_assert_eq(landing_open(&ld, dir, &err), 0);
	landing_release(&ld);
	snprintf(old, sizeof(old), "%s/tmp/body-old123", dir);
	snprintf(fresh, sizeof(fresh), "%s/tmp/body-new456", dir);
	fp = fopen(old, "w");
	cr_assert_not_null(fp);
	fclose(fp);
	fp = fopen(fresh, "w");
	cr_assert_not_null(fp);
	fclose(fp);
	ut.actime = ut.modtime = time(NULL) - 3 * 86400;
	cr_assert_eq(utime(old, &ut), 0);
	cr_assert_eq(landing_open(&ld, dir, &err), 0);
	cr_assert_neq(access(old, F_OK), 0, "a 3-day-old temporary must go");
	cr_assert_eq(access(fresh, F_OK), 0, "a live worker's temporary must stay");
	landing_release(&ld);
}
