#include "spawn.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int spawn_run(char *const argv[], const char *log_path, const char *run_id,
	      struct spawn_result *res, struct mi_err *err)
{
	int logfd = -1, status = 0, pipefd[2];
	pid_t parent = getpid(), pid;
	struct rusage ru;
	double t0;
	char buf[256];
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (log_path) {
		logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (logfd < 0)
			return mi_err_set(err, MI_EXIT_IO, "cannot open '%s': %s", log_path,
					  strerror(errno));
	}
	/* a close-on-exec pipe tells the parent whether exec failed */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		if (logfd >= 0)
			close(logfd);
		return mi_err_set(err, MI_EXIT_INTERNAL, "pipe: %s", strerror(errno));
	}
	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		if (logfd >= 0)
			close(logfd);
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(MI_EXIT_INTERNAL);
		close(pipefd[0]);
		if (logfd >= 0) {
			dup2(logfd, STDOUT_FILENO);
			dup2(logfd, STDERR_FILENO);
		}
		if (run_id)
			setenv("MI_RUN_ID", run_id, 1);
		execv(argv[0], argv);
		n = snprintf(buf, sizeof(buf), "%s", strerror(errno));
		if (write(pipefd[1], buf, (size_t)n) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	if (logfd >= 0)
		close(logfd);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			return mi_err_set(err, MI_EXIT_INTERNAL, "wait: %s", strerror(errno));
	}
	res->seconds = now_s() - t0;
	res->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	res->max_rss_kb = ru.ru_maxrss;
	if (n > 0) {
		buf[n] = '\0';
		return mi_err_set(err, MI_EXIT_INTERNAL, "cannot run '%s': %s", argv[0], buf);
	}
	if (WIFSIGNALED(status)) {
		res->signaled = 1;
		res->exit_code = 128 + WTERMSIG(status);
	} else {
		res->exit_code = WEXITSTATUS(status);
	}
	return 0;
}
