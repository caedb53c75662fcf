#define _GNU_SOURCE
#include "worker_crash.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

/// Initial-exec TLS: reading it from a signal handler allocates nothing and takes no lock.
static __thread __attribute__((tls_model("initial-exec"))) char current_job[MIRSAD_CRASH_MAX_JOB_ID];
static __thread __attribute__((tls_model("initial-exec"))) size_t current_job_length;
/// Whether this thread has a signal stack, so that a stack overflow still reaches the handler.
static __thread __attribute__((tls_model("initial-exec"))) int alternate_stack_ready;

#define ALTERNATE_STACK_BYTES (64 * 1024)

/// Gives the calling thread a signal stack of its own unless it has one; the memory lives as long as the process
/// (analysis threads do).
static void prepare_alternate_stack(void) {
    alternate_stack_ready = 1;
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    void *memory = malloc(ALTERNATE_STACK_BYTES);
    if (memory == NULL) return;
    stack_t alternate;
    memset(&alternate, 0, sizeof alternate);
    alternate.ss_sp = memory;
    alternate.ss_size = ALTERNATE_STACK_BYTES;
    if (sigaltstack(&alternate, NULL) != 0) free(memory);
}

static volatile sig_atomic_t report_descriptor = -1;

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
#define CRASH_SIGNAL_COUNT (sizeof crash_signals / sizeof crash_signals[0])

/// The handlers that were in place before ours (the Swift runtime's backtracer, or the default action).
static struct sigaction previous_actions[CRASH_SIGNAL_COUNT];

/// Writes the decimal digits of `value` at `out`; returns how many.
static size_t format_unsigned(char *out, size_t value) {
    char digits[24];
    size_t count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (size_t i = 0; i < count; i++) out[i] = digits[count - 1 - i];
    return count;
}

static void crash_handler(int signal_number) {
    int saved_errno = errno;
    int fd = report_descriptor;
    if (fd >= 0) {
        char line[MIRSAD_CRASH_MAX_JOB_ID + 64];
        size_t length = 0;
        size_t job_length = current_job_length;
        if (job_length > MIRSAD_CRASH_MAX_JOB_ID) job_length = 0;
        memcpy(line, "CRASH ", 6);
        length = 6;
        length += format_unsigned(line + length, (size_t)signal_number);
        line[length++] = ' ';
        length += format_unsigned(line + length, job_length);
        line[length++] = ' ';
        memcpy(line + length, current_job, job_length);
        length += job_length;
        line[length++] = '\n';
        ssize_t ignored = write(fd, line, length);
        (void)ignored;
    }
    errno = saved_errno;
    // Hand the signal to whatever handled it before (SA_RESETHAND already restored the default action when
    // that was none): it ends the process as it would have without this handler.
    for (size_t i = 0; i < CRASH_SIGNAL_COUNT; i++) {
        if (crash_signals[i] == signal_number) sigaction(signal_number, &previous_actions[i], NULL);
    }
    raise(signal_number);
}

static int installed;

int mirsad_crash_install(int report_fd) {
    report_descriptor = report_fd;
    // Installed already: only the descriptor changes (installing again would chain the handler to itself).
    if (installed) return 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = crash_handler;
    action.sa_flags = SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < CRASH_SIGNAL_COUNT; i++) {
        if (sigaction(crash_signals[i], &action, &previous_actions[i]) != 0) return -1;
    }
    // The signals must not be blocked, or a trap would kill the process without the handler.
    sigset_t unblock;
    sigemptyset(&unblock);
    for (size_t i = 0; i < CRASH_SIGNAL_COUNT; i++) sigaddset(&unblock, crash_signals[i]);
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    installed = 1;
    return 0;
}

void mirsad_crash_set_current_job(const char *job_id, size_t length) {
    if (!alternate_stack_ready) prepare_alternate_stack();
    if (length > MIRSAD_CRASH_MAX_JOB_ID) {
        current_job_length = 0;
        return;
    }
    current_job_length = 0;
    memcpy(current_job, job_id, length);
    current_job_length = length;
}

void mirsad_crash_clear_current_job(void) { current_job_length = 0; }

// The kernel keeps the parent-death signal per thread and drops it when that thread exits, so it is asked for on
// a thread of its own that never exits (all signals blocked, parked in pause()); asked for on the caller's thread,
// which may be a pool thread that retires, it would lapse silently. Called once per process.
static pthread_mutex_t parent_watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t parent_watch_answered = PTHREAD_COND_INITIALIZER;
static int parent_watch_result;
static int parent_watch_done;

/// `expected_parent` is the pid the caller expects, carried in the pointer.
static void *watch_parent(void *expected_parent) {
    int result = 0;
#if defined(__linux__)
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) result = -1;
#endif
    if (result == 0 && getppid() != (pid_t)(intptr_t)expected_parent) result = -1;
    pthread_mutex_lock(&parent_watch_lock);
    parent_watch_result = result;
    parent_watch_done = 1;
    pthread_cond_signal(&parent_watch_answered);
    pthread_mutex_unlock(&parent_watch_lock);
    if (result != 0) return NULL;
    for (;;) pause();
}

int mirsad_die_with_parent(pid_t expected_parent) {
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) != 0) return -1;
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, PTHREAD_STACK_MIN + 16384);
    // The new thread inherits this mask: it takes no signal meant for the process.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    pthread_t watcher;
    int created = pthread_create(&watcher, &attributes, watch_parent, (void *)(intptr_t)expected_parent);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
    if (created != 0) return -1;

    pthread_mutex_lock(&parent_watch_lock);
    while (!parent_watch_done) pthread_cond_wait(&parent_watch_answered, &parent_watch_lock);
    int result = parent_watch_result;
    pthread_mutex_unlock(&parent_watch_lock);
    return result;
}
