#ifndef MIRSAD_WORKER_CRASH_H
#define MIRSAD_WORKER_CRASH_H

#include <stddef.h>
#include <sys/types.h>

/// The longest job id a crash report can name; a thread running a job with a longer id counts as running none.
#define MIRSAD_CRASH_MAX_JOB_ID 1024

/// Installs (once per process; later calls only change the descriptor) handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and SIGTRAP that write one
/// crash report line to `report_fd` and then let the signal kill the process as it would have (SA_RESETHAND, then
/// the signal goes to the handler that was there before, or the default action). The line, written with a single write(2), is
/// `CRASH <signal number> <job id length> <job id bytes>\n` where the job id is the one the crashing thread set
/// with `mirsad_crash_set_current_job` (length 0 when it runs none). The handler only touches preallocated
/// thread-local memory and calls write(2), sigaction(2) and raise(3): it is async-signal-safe.
/// Returns 0, or -1 with errno set when a handler could not be installed.
int mirsad_crash_install(int report_fd);

/// Names the job the calling thread is analysing from now on (copied into a thread-local buffer; an id longer
/// than MIRSAD_CRASH_MAX_JOB_ID is not recorded: the thread then counts as running no job). The first call on a
/// thread also gives it a signal stack (sigaltstack) if it has none, so that a stack overflow in the analysis is
/// reported too.
void mirsad_crash_set_current_job(const char *job_id, size_t length);

/// The calling thread runs no job any more.
void mirsad_crash_clear_current_job(void);

/// Asks the kernel to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG, held by a thread of its
/// own that lives as long as the process, whichever thread calls), then checks that the parent is still
/// `expected_parent`: returns 0 when it is, -1 when the parent is already gone (or the request failed), in which
/// case the caller should exit. Called once per process.
int mirsad_die_with_parent(pid_t expected_parent);

#endif
