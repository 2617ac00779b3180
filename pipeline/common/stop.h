/*
 * stop: SIGTERM and SIGINT as a request to stop, for a program that wants to
 * finish its work in order (mi-run: stop the stage at work, record the run,
 * then die of the signal).
 *
 * mi_stop_install() sets handlers that only note the signal and make
 * mi_stop_fd() readable (a self-pipe), so a process waiting in poll() wakes
 * up without a race.  The program checks mi_stop_requested() where it can
 * stop, and ends with mi_stop_reraise() so that its parent sees it die of
 * the signal it got.  Process-wide; install once, from the main thread.
 */
#ifndef MI_STOP_H
#define MI_STOP_H

/* Install the handlers; 0, or -1 (errno set) when the pipe cannot be made. */
int mi_stop_install(void);

/* The signal that asked to stop (SIGTERM, SIGINT), 0 when none. */
int mi_stop_requested(void);

/* Readable once a stop was requested; -1 when mi_stop_install() was not called. */
int mi_stop_fd(void);

/* "SIGTERM", "SIGINT" or "signal N". */
const char *mi_stop_name(int sig);

/* Die of the signal that asked to stop (default action restored); returns
 * only when none did. */
void mi_stop_reraise(void);

#endif
