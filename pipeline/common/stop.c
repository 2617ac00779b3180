#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

static volatile sig_atomic_t stop_sig;
static int pipefd[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;

	if (!stop_sig)
		stop_sig = sig;
	if (pipefd[1] >= 0 && write(pipefd[1], "", 1) < 0) {
		/* full: it is readable already */
	}
	errno = saved;
}

int mi_stop_install(void)
{
	struct sigaction sa;

	if (pipefd[0] < 0 && pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocking wait returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return 0;
}

int mi_stop_requested(void)
{
	return stop_sig;
}

int mi_stop_fd(void)
{
	return pipefd[0];
}

const char *mi_stop_name(int sig)
{
	static char buf[24];

	if (sig == SIGTERM)
		return "SIGTERM";
	if (sig == SIGINT)
		return "SIGINT";
	snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

void mi_stop_reraise(void)
{
	int sig = stop_sig;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}
