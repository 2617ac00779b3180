#include "atomicfile.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

int mi_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r, saved;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* The folder of path into buf ("." when it has none). */
static void dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

FILE *mi_atomicfile_open(struct mi_atomicfile *f, const char *path, struct mi_err *err)
{
	static unsigned serial; /* one process's temporary files differ by it */
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	struct stat st;
	int fd = -1;

	f->fp = NULL;
	f->tmp[0] = '\0';
	if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path)) {
		mi_err_set(err, MI_EXIT_IO, "cannot create a file named '%.200s...': name too long",
			   path);
		return NULL;
	}
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(f->tmp, sizeof(f->tmp), "%.*s.%s.%ld.%u", dirlen, path, path + dirlen,
			 (long)getpid(), __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED));
		/* 0666 less the umask, as fopen(path, "w") would create it */
		fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot create '%s': %s", f->tmp, strerror(errno));
		f->tmp[0] = '\0';
		return NULL;
	}
	/* a file that replaces another keeps its permissions */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(fd, st.st_mode & 07777);
	f->fp = fdopen(fd, "w");
	if (!f->fp) {
		mi_err_set(err, MI_EXIT_IO, "cannot create '%s': %s", f->tmp, strerror(errno));
		close(fd);
		mi_atomicfile_abort(f);
		return NULL;
	}
	return f->fp;
}

int mi_atomicfile_commit(struct mi_atomicfile *f, struct mi_err *err)
{
	char dir[4096];
	FILE *fp = f->fp;
	int bad;

	f->fp = NULL;
	bad = fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) < 0;
	if (fclose(fp) != 0)
		bad = 1;
	if (bad || rename(f->tmp, f->path) < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot write '%s': %s", f->path, strerror(errno));
		mi_atomicfile_abort(f);
		return -1;
	}
	f->tmp[0] = '\0';
	dir_of(f->path, dir, sizeof(dir));
	if (mi_fsync_dir(dir) < 0)
		return mi_err_set(err, MI_EXIT_IO, "cannot fsync '%s': %s", dir, strerror(errno));
	return 0;
}

void mi_atomicfile_abort(struct mi_atomicfile *f)
{
	if (f->fp)
		fclose(f->fp);
	f->fp = NULL;
	if (f->tmp[0])
		unlink(f->tmp);
	f->tmp[0] = '\0';
}

int mi_atomicfile_write(const char *path, const void *data, size_t len, struct mi_err *err)
{
	struct mi_atomicfile f = MI_ATOMICFILE_INIT;

	if (!mi_atomicfile_open(&f, path, err))
		return -1;
	if (len && fwrite(data, 1, len, f.fp) != len) {
		mi_err_set(err, MI_EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
		mi_atomicfile_abort(&f);
		return -1;
	}
	return mi_atomicfile_commit(&f, err);
}
