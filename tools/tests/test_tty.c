// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal path of fl_passphrase_get on a pseudo-terminal: prompt on
 * stderr, no echo of the secret, confirmation asked and compared, echo
 * back on afterwards; ^Z and ^C in the middle of the secret.  The parent
 * plays the user: it waits for each prompt before typing, so no type-ahead
 * is lost to the flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fl_passphrase.h"
#include "tap.h"

/*
 * Read from the master until want shows up at or after seen + from (or
 * timeout_ms pass).
 */
static int expect_from(int master, const char *want, char *seen, size_t cap,
		       size_t from, int timeout_ms)
{
	size_t n = strlen(seen);
	struct pollfd p = { .fd = master, .events = POLLIN };

	while (!strstr(seen + (from < n ? from : n), want)) {
		ssize_t got;

		if (poll(&p, 1, timeout_ms) <= 0 || n + 1 >= cap)
			return -1;
		got = read(master, seen + n, cap - n - 1);
		if (got <= 0)
			return -1;
		n += (size_t)got;
		seen[n] = '\0';
	}
	return 0;
}

static int expect_ms(int master, const char *want, char *seen, size_t cap,
		     int timeout_ms)
{
	return expect_from(master, want, seen, cap, 0, timeout_ms);
}

static int expect(int master, const char *want, char *seen, size_t cap)
{
	return expect_ms(master, want, seen, cap, 10000);
}

#define PROMPT "Enter passphrase for t: "

/*
 * Child: fl_passphrase_get on the pty; exit 0 if it returned want_r and,
 * on success, the secret "hunter2"; 3 if echo is not back on.  With defer,
 * a ^C must come back as SIGINT in the deferred signal (else 4).
 */
static int child(int slave, bool confirm, int want_r, bool defer)
{
	int deferred = 0;
	struct fl_pass_req req = { .prompt = PROMPT,
				   .confirm = confirm,
				   .deferred_signal = defer ? &deferred : NULL };
	struct termios t;
	char *pass = NULL;
	size_t len = 0;
	int r;

	dup2(slave, STDIN_FILENO);
	dup2(slave, STDERR_FILENO);
	r = fl_passphrase_get(&req, &pass, &len);
	if (tcgetattr(STDIN_FILENO, &t) || !(t.c_lflag & ECHO))
		_exit(3);
	if (r != want_r)
		_exit(1);
	if (!r && (len != 7 || memcmp(pass, "hunter2", 7)))
		_exit(2);
	if (defer && r == -EINTR && deferred != SIGINT)
		_exit(4);
	fl_secret_free(pass);
	_exit(0);
}

/* What job_shell() reports in its exit status, besides child()'s. */
#define JC_CHILD	15	/* child()'s status; 15: killed */
#define JC_END		16	/* not stopped by / killed by want_sig */
#define JC_ECHO_OFF	32	/* echo off while stopped, or after death */
#define JC_SETUP	64	/* setsid, TIOCSCTTY, fork, tcsetpgrp... */

/*
 * Job control needs the pty as a controlling terminal and the reader in
 * its foreground process group, one not orphaned: here the child plays
 * the shell, a session leader on the slave, and runs child() as its
 * foreground job in a process group of its own.  want_sig SIGTSTP: the
 * job must stop, with echo on while stopped, and after SIGCONT read the
 * secret again; otherwise it must die of want_sig with echo back on, or
 * with defer live on and exit 0, having been told of want_sig.
 */
static void job_shell(int slave, int want_sig, bool defer)
{
	struct termios t;
	int go[2], st, code = 0;
	pid_t job;
	char c;

	alarm(20);	/* a regression fails, it does not hang */
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) || pipe(go))
		_exit(JC_SETUP);
	job = fork();
	if (job < 0)
		_exit(JC_SETUP);
	if (job == 0) {
		alarm(20);
		close(go[1]);
		/*
		 * As a shell starts a job: with the job-control signals at
		 * their defaults, even if whoever started the test ignored
		 * them (a background job of a script ignores SIGINT).
		 */
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGTTIN, SIG_DFL);
		signal(SIGTTOU, SIG_DFL);
		setpgid(0, 0);
		/* Not before it is the foreground job: SIGTTOU stops it. */
		if (read(go[0], &c, 1) != 1)
			_exit(JC_SETUP);
		close(go[0]);
		child(slave, false, defer ? -EINTR : 0, defer);
	}
	close(go[0]);
	setpgid(job, job);	/* both sides, whichever runs first */
	if (tcsetpgrp(slave, job) || write(go[1], "g", 1) != 1)
		_exit(JC_SETUP);
	close(go[1]);
	if (waitpid(job, &st, WUNTRACED) != job)
		_exit(JC_SETUP);
	if (want_sig == SIGTSTP) {
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTSTP)
			code |= JC_END;
	} else if (defer) {
		if (!WIFEXITED(st))
			code |= JC_END;
		else
			code |= WEXITSTATUS(st) & JC_CHILD;
	} else if (!WIFSIGNALED(st) || WTERMSIG(st) != want_sig) {
		code |= JC_END;
	}
	if (tcgetattr(slave, &t) || !(t.c_lflag & ECHO))
		code |= JC_ECHO_OFF;
	if (WIFSTOPPED(st)) {
		/* fg: it is still the foreground job, continue it. */
		kill(job, SIGCONT);
		if (waitpid(job, &st, 0) != job)
			_exit(JC_SETUP);
	}
	if (want_sig == SIGTSTP)
		code |= WIFEXITED(st) ? WEXITSTATUS(st) & JC_CHILD : JC_CHILD;
	_exit(code);
}

/* The pty's output as a TAP comment, control characters escaped. */
static void diag_seen(const char *seen)
{
	printf("#   pty output: \"");
	for (; *seen; seen++)
		if ((unsigned char)*seen < ' ' || *seen == 0x7f)
			printf("\\x%02x", (unsigned char)*seen);
		else
			putchar(*seen);
	printf("\"\n");
}

/*
 * Type "hun", then ^Z (SIGTSTP) or ^C (SIGINT).  After ^Z the prompt must
 * come back once the job is continued, and "hunter2" typed then is the
 * secret.  Nothing typed is ever echoed.
 */
static void run_job(int sig, bool defer, const char *what)
{
	char seen[4096] = "", key;
	struct termios t;
	int master, slave, st = -1, code;
	size_t again;
	pid_t pid;

	if (openpty(&master, &slave, NULL, NULL, NULL) ||
	    tcgetattr(slave, &t)) {
		ok(0, "%s: openpty: %s", what, strerror(errno));
		return;
	}
	key = (char)t.c_cc[sig == SIGTSTP ? VSUSP : VINTR];
	/* Children _exit(), which under valgrind still flushes stdio. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(master);
		job_shell(slave, sig, defer);
	}
	close(slave);
	ok(!expect(master, PROMPT, seen, sizeof(seen)), "%s: prompt shown",
	   what);
	again = strstr(seen, PROMPT) ? (size_t)(strstr(seen, PROMPT) - seen) + 1
				     : 0;
	if (write(master, "hun", 3) != 3 || write(master, &key, 1) != 1)
		ok(0, "%s: type", what);
	if (sig == SIGTSTP) {
		ok(!expect_from(master, PROMPT, seen, sizeof(seen), again,
				 5000),
		   "%s: prompt shown again once continued", what);
		/* Typed even without the prompt: to see whether it echoes. */
		if (write(master, "hunter2\n", 8) != 8)
			ok(0, "%s: type again", what);
	}
	waitpid(pid, &st, 0);
	expect_ms(master, "\x01never", seen, sizeof(seen), 200);
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	if (code)
		printf("# job_shell exit status %d (%s%d)\n", code,
		       WIFEXITED(st) ? "exit " : "signal ",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	ok(!(code & JC_SETUP), "%s: job control set up", what);
	ok(!(code & JC_END), "%s: %s", what,
	   sig == SIGTSTP ? "stopped by SIGTSTP" :
	   defer ? "still alive" : "killed by SIGINT");
	if (defer)
		is_int(code & JC_CHILD, 0,
		       "%s: -EINTR, SIGINT handed back to the caller", what);
	ok(!(code & JC_ECHO_OFF), "%s: echo on %s", what,
	   sig == SIGTSTP ? "while stopped" :
	   defer ? "after the read" : "after it died");
	if (sig == SIGTSTP)
		is_int(code & JC_CHILD, 0,
		       "%s: the secret is what was typed after fg; echo on",
		       what);
	ok(!strstr(seen, "hun"), "%s: nothing typed was echoed", what);
	if (strstr(seen, "hun"))
		diag_seen(seen);
	close(master);
}

static void run(bool confirm, const char *second, int want_r, const char *what)
{
	char seen[4096] = "";
	int master, slave, st = -1;
	pid_t pid;

	if (openpty(&master, &slave, NULL, NULL, NULL)) {
		ok(0, "%s: openpty: %s", what, strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(master);
		child(slave, confirm, want_r, false);
	}
	close(slave);
	ok(!expect(master, PROMPT, seen, sizeof(seen)),
	   "%s: prompt shown", what);
	if (write(master, "hunter2\n", 8) != 8)
		ok(0, "%s: type", what);
	if (confirm) {
		ok(!expect(master, "Verify passphrase: ", seen, sizeof(seen)),
		   "%s: asked to verify", what);
		if (write(master, second, strlen(second)) < 0)
			ok(0, "%s: type again", what);
	}
	waitpid(pid, &st, 0);
	/* Drain what is left, to check for echo. */
	expect_ms(master, "\x01never", seen, sizeof(seen), 200);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st), 0,
	       "%s: result and echo restored", what);
	ok(!strstr(seen, "hunter2"), "%s: the secret was not echoed", what);
	close(master);
}

int main(void)
{
	run(false, NULL, 0, "prompt");
	run(true, "hunter2\n", 0, "prompt with confirmation");
	run(true, "hunter3\n", -EBADMSG, "confirmation mismatch");
	run_job(SIGTSTP, false, "^Z at the prompt");
	run_job(SIGINT, false, "^C at the prompt");
	run_job(SIGINT, true, "^C at the prompt, deferred");
	return done_testing();
}
