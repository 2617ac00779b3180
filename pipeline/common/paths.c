#include "paths.h"
#include "exitcode.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

#ifndef MI_DATADIR
#define MI_DATADIR "/usr/local/share/market-intel"
#endif

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of the running executable + "/../data"; -1 when unknown. */
static int exe_datadir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int w;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	w = snprintf(buf, size, "%s/../data", exe);
	return w < 0 || (size_t)w >= size ? -1 : 0;
}

static int join(char *buf, size_t size, const char *dir, const char *rel)
{
	int w = snprintf(buf, size, "%s/%s", dir, rel);

	return w < 0 || (size_t)w >= size ? -1 : 0;
}

int mi_path_datadir(char *buf, size_t size)
{
	const char *env = getenv("MI_DATADIR");
	int w;

	if (env && *env) {
		w = snprintf(buf, size, "%s", env);
		return w < 0 || (size_t)w >= size ? -1 : 0;
	}
	if (exe_datadir(buf, size) == 0 && is_dir(buf))
		return 0;
	w = snprintf(buf, size, "%s/data", MI_DATADIR);
	return w < 0 || (size_t)w >= size ? -1 : 0;
}

int mi_path_data(const char *rel, char *buf, size_t size, struct mi_err *err)
{
	const char *env = getenv("MI_DATADIR");
	char dir[PATH_MAX];

	if (env && *env) {
		if (join(buf, size, env, rel) == 0 && is_file(buf))
			return 0;
		mi_err_set(err, MI_EXIT_NOINPUT, "cannot find data file '%s'", rel);
		mi_err_detail(err, "looked in $MI_DATADIR '%s'", env);
		return -1;
	}
	if (exe_datadir(dir, sizeof(dir)) == 0 && join(buf, size, dir, rel) == 0 &&
	    is_file(buf))
		return 0;
	if (join(buf, size, MI_DATADIR "/data", rel) == 0 && is_file(buf))
		return 0;
	mi_err_set(err, MI_EXIT_NOINPUT, "cannot find data file '%s'", rel);
	mi_err_detail(err, "looked in <executable>/../data and '%s'; set MI_DATADIR",
		      MI_DATADIR "/data");
	return -1;
}

const char *mi_path_configdir(void)
{
	const char *dir = getenv("MI_CONFIG_DIR");

	if (dir && dir[0])
		return dir;
	return is_dir("config") ? "config" : MI_DATADIR "/config";
}

const char *mi_path_config(const char *rel, char *buf, size_t size)
{
	if (join(buf, size, mi_path_configdir(), rel) < 0 || !is_file(buf))
		return NULL;
	return buf;
}
