// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal path of fl_passphrase_get on a pseudo-terminal: prompt on
 * stderr, no echo of the secret, confirmation asked and compared, echo
 * back on afterwards.  The parent plays the user: it waits for each prompt
 * before typing, so no type-ahead is lost to the flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fl_passphrase.h"
#include "tap.h"

/* Read from the master until want shows up (or timeout_ms pass). */
static int expect_ms(int master, const char *want, char *seen, size_t cap,
		     int timeout_ms)
{
	size_t n = strlen(seen);
	struct pollfd p = { .fd = master, .events = POLLIN };

	while (!strstr(seen, want)) {
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

static int expect(int master, const char *want, char *seen, size_t cap)
{
	return expect_ms(master, want, seen, cap, 10000);
}

/*
 * Child: fl_passphrase_get on the pty; exit 0 if it returned want_r and,
 * on success, the secret "hunter2"; 3 if echo is not back on.
 */
static int child(int slave, bool confirm, int want_r)
{
	struct fl_pass_req req = { .prompt = "Enter passphrase for t: ",
				   .confirm = confirm };
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
	fl_secret_free(pass, len);
	_exit(0);
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
	pid = fork();
	if (pid == 0) {
		close(master);
		child(slave, confirm, want_r);
	}
	close(slave);
	ok(!expect(master, "Enter passphrase for t: ", seen, sizeof(seen)),
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
	return done_testing();
}
