/*
 * atomicfile: the target is the old file or the whole new one, never a part;
 * nothing temporary stays behind; a replaced file keeps its permissions.
 */
#include "atomicfile.h"
#include "err.h"
#include "exitcode.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "banned.h"

static char dir[4096];

static void setup(void)
{
	const char *base = getenv("MI_TEST_TMP");

	snprintf(dir, sizeof(dir), "%s/atomicfile.XXXXXX", base && *base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	umask(022);
}

TestSuite(atomicfile, .init = setup);

static const char *in_dir(const char *name)
{
	static char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "rb");
	size_t n;

	cr_assert_not_null(fp, "cannot open %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* The names in the folder, sorted, joined by blanks. */
static const char *listing(void)
{
	static char out[4096];
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);

	cr_assert_geq(n, 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? " " : "",
				 v[i]->d_name);
		free(v[i]);
	}
	free(v);
	return out;
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

Test(atomicfile, new_file)
{
	struct mi_atomicfile f = MI_ATOMICFILE_INIT;
	struct mi_err err = MI_ERR_INIT;
	FILE *fp = mi_atomicfile_open(&f, in_dir("report.html"), &err);

	cr_assert_not_null(fp, "%s", err.msg);
	/* meanwhile the content goes to a hidden file beside the target */
	cr_assert(!strncmp(listing(), ".report.html.", 13) && !strchr(listing(), ' '), "%s",
		  listing());
	fputs("<html>", fp);
	cr_assert_eq(mi_atomicfile_commit(&f, &err), 0, "%s", err.msg);
	cr_assert_str_eq(slurp(in_dir("report.html")), "<html>");
	cr_assert_str_eq(listing(), "report.html");
	cr_assert_eq(mode_of(in_dir("report.html")), 0644, "0666 less the umask");
	mi_atomicfile_abort(&f); /* after a commit: nothing to do */
	cr_assert_str_eq(listing(), "report.html");
}

Test(atomicfile, replace_keeps_permissions)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(mi_atomicfile_write(in_dir("reviews.tsv"), "old\n", 4, &err), 0, "%s", err.msg);
	cr_assert_eq(chmod(in_dir("reviews.tsv"), 0640), 0);
	cr_assert_eq(mi_atomicfile_write(in_dir("reviews.tsv"), "new\n", 4, &err), 0, "%s", err.msg);
	cr_assert_str_eq(slurp(in_dir("reviews.tsv")), "new\n");
	cr_assert_eq(mode_of(in_dir("reviews.tsv")), 0640);
	cr_assert_eq(mi_atomicfile_write(in_dir("empty"), "", 0, &err), 0, "%s", err.msg);
	cr_assert_str_eq(slurp(in_dir("empty")), "");
	cr_assert_str_eq(listing(), "empty reviews.tsv");
}

Test(atomicfile, abort_leaves_the_old_file)
{
	struct mi_atomicfile f = MI_ATOMICFILE_INIT;
	struct mi_err err = MI_ERR_INIT;
	FILE *fp;

	cr_assert_eq(mi_atomicfile_write(in_dir("a.txt"), "whole", 5, &err), 0);
	fp = mi_atomicfile_open(&f, in_dir("a.txt"), &err);
	cr_assert_not_null(fp);
	fputs("half of the new", fp);
	fflush(fp);
	mi_atomicfile_abort(&f);
	cr_assert_null(f.fp);
	cr_assert_str_eq(slurp(in_dir("a.txt")), "whole");
	cr_assert_str_eq(listing(), "a.txt");
}

Test(atomicfile, failures)
{
	struct mi_atomicfile f = MI_ATOMICFILE_INIT;
	struct mi_err err = MI_ERR_INIT;
	FILE *fp;

	/* no such folder */
	cr_assert_null(mi_atomicfile_open(&f, in_dir("no/such/file"), &err));
	cr_assert_eq(err.code, MI_EXIT_IO);
	cr_assert(strstr(err.msg, "cannot create '"), "%s", err.msg);
	/* the rename fails (a folder is in the way): the temporary file goes, the folder stays */
	cr_assert_eq(mkdir(in_dir("taken"), 0755), 0);
	fp = mi_atomicfile_open(&f, in_dir("taken"), &err);
	cr_assert_not_null(fp, "%s", err.msg);
	fputs("x", fp);
	cr_assert_eq(mi_atomicfile_commit(&f, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_IO);
	cr_assert(strstr(err.msg, "cannot write '"), "%s", err.msg);
	cr_assert_str_eq(listing(), "taken");
	cr_assert_eq(mi_fsync_dir(dir), 0);
	cr_assert_eq(mi_fsync_dir(in_dir("no-such-folder")), -1);
}
