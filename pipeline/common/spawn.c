#include "spawn.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

/* milliseconds until t (at least 0), for poll() */
static int ms_until(double t)
{
	double d = (t - now_s()) * 1000.0;

	if (d <= 0)
		return 0;
	return d > 3600000.0 ? 3600000 : (int)d + 1;
}

/*
 * Wait for the child, stopping it (SIGTERM, then SIGKILL after grace) when
 * it runs past its deadline or the stop fd becomes readable.  A pidfd makes
 * the child's end a poll()able event; without one (a kernel before 5.3) the
 * wait polls every 100 ms.
 */
static int wait_child(pid_t pid, const struct spawn_opts *o, double t0, int *status,
		      struct rusage *ru, struct spawn_result *res)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	double grace = o->grace > 0 ? o->grace : 10;
	double deadline = o->time_limit > 0 ? t0 + o->time_limit : 0, kill_at = 0;
	int phase = 0; /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */
	pid_t got;

	for (;;) {
		struct pollfd fds[2];
		int nfds = 0, timeout = -1, n;

		got = wait4(pid, status, WNOHANG, ru);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			goto fail;
		if (pidfd >= 0) {
			fds[nfds].fd = pidfd;
			fds[nfds++].events = POLLIN;
		}
		if (phase == 0 && o->stop_fd >= 0) {
			fds[nfds].fd = o->stop_fd;
			fds[nfds++].events = POLLIN;
		}
		if (phase == 0 && deadline > 0)
			timeout = ms_until(deadline);
		else if (phase == 1)
			timeout = ms_until(kill_at);
		if (pidfd < 0 && (timeout < 0 || timeout > 100))
			timeout = 100;
		n = poll(fds, (nfds_t)nfds, timeout);
		if (n < 0 && errno != EINTR)
			goto fail;
		if (phase == 0 && o->stop_fd >= 0 && n > 0 &&
		    (fds[nfds - 1].revents & (POLLIN | POLLHUP))) {
			res->stopped = 1;
			kill(pid, SIGTERM);
			phase = 1;
			kill_at = now_s() + grace;
		} else if (phase == 0 && deadline > 0 && now_s() >= deadline) {
			res->timed_out = 1;
			kill(pid, SIGTERM);
			phase = 1;
			kill_at = now_s() + grace;
		} else if (phase == 1 && now_s() >= kill_at) {
			kill(pid, SIGKILL);
			phase = 2;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return 0;
fail:
	if (pidfd >= 0)
		close(pidfd);
	return -1;
}

int spawn_run_opts(char *const argv[], const struct spawn_opts *o, struct spawn_result *res,
		   struct mi_err *err)
{
	int logfd = -1, status = 0, pipefd[2];
	pid_t parent = getpid(), pid;
	struct rusage ru;
	double t0;
	char buf[256];
	ssize_t n;

	memset(res, 0, sizeof(*res));
	memset(&ru, 0, sizeof(ru));
	if (o->log_path) {
		logfd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (logfd < 0)
			return mi_err_set(err, MI_EXIT_IO, "cannot open '%s': %s", o->log_path,
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
		/* the stage handles these itself (a parent may have ignored them) */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (logfd >= 0) {
			dup2(logfd, STDOUT_FILENO);
			dup2(logfd, STDERR_FILENO);
		}
		if (o->run_id)
			setenv("MI_RUN_ID", o->run_id, 1);
		for (const char *const *e = o->env; e && *e; e++)
			putenv((char *)*e);
		execv(argv[0], argv);
		n = snprintf(buf, sizeof(buf), "%s", strerror(errno));
		if (write(pipefd[1], buf, (size_t)n) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	if (logfd >= 0)
		close(logfd);
	do
		n = read(pipefd[0], buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (wait_child(pid, o, t0, &status, &ru, res) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "wait: %s", strerror(errno));
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

int spawn_run(char *const argv[], const char *log_path, const char *run_id,
	      struct spawn_result *res, struct mi_err *err)
{
	struct spawn_opts o;

	memset(&o, 0, sizeof(o));
	o.log_path = log_path;
	o.run_id = run_id;
	o.stop_fd = -1;
	return spawn_run_opts(argv, &o, res, err);
}
