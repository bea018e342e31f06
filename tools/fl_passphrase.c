// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "fl_cryptlib.h"
#include "fl_passphrase.h"

void fl_secret_free(char *secret, size_t len)
{
	if (!secret)
		return;
	explicit_bzero(secret, len);
	free(secret);
}

/*
 * Hand back the secret in a buffer of exactly its length (+1 for a NUL the
 * libraries never need but a debugger likes), wiping the working buffer,
 * so every secret is later freed with fl_secret_free(secret, len).
 */
static int exact_copy(char *buf, size_t cap, size_t len, char **out)
{
	char *exact = malloc(len + 1);

	if (exact) {
		memcpy(exact, buf, len);
		exact[len] = '\0';
	}
	fl_secret_free(buf, cap);
	if (!exact)
		return -ENOMEM;
	*out = exact;
	return 0;
}

/*
 * Read all of fd, up to max bytes.  The buffer grows by copying into a new
 * one and wiping the old, because realloc() may leave the secret behind in
 * freed memory.
 */
static int read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf, *nbuf;
	ssize_t got;

	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap >= max + 1) {
				fl_secret_free(buf, cap);
				return -EFBIG;
			}
			nbuf = malloc(cap * 2);
			if (!nbuf) {
				fl_secret_free(buf, cap);
				return -ENOMEM;
			}
			memcpy(nbuf, buf, n);
			fl_secret_free(buf, cap);
			buf = nbuf;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = -errno;

			fl_secret_free(buf, cap);
			return e;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	if (n > max) {
		fl_secret_free(buf, cap);
		return -EFBIG;
	}
	*len = n;
	return exact_copy(buf, cap, n, out);
}

/*
 * One line, byte by byte so nothing after the newline is consumed (a
 * script may feed more on stdin).
 */
static int read_line(int fd, char **out, size_t *len)
{
	size_t n = 0;
	char *buf, c;
	ssize_t got;

	buf = calloc(1, FL_PASS_MAX + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = -errno;

			fl_secret_free(buf, FL_PASS_MAX + 1);
			return e;
		}
		if (!got || c == '\n')
			break;
		if (n == FL_PASS_MAX) {
			fl_secret_free(buf, FL_PASS_MAX + 1);
			return -EFBIG;
		}
		buf[n++] = c;
	}
	explicit_bzero(&c, 1);	/* the last byte read sat on the stack */
	*len = n;
	return exact_copy(buf, FL_PASS_MAX + 1, n, out);
}

/*
 * While echo is off, a ^C or a kill must not leave the user's terminal
 * silent: the handler puts the saved settings back, then the signal takes
 * its default course.
 */
static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

static void tty_restore_and_die(int sig)
{
	if (tty_echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int tty_read(const char *prompt, char **out, size_t *len)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	struct sigaction sa = { .sa_handler = tty_restore_and_die }, old[5];
	struct termios noecho;
	unsigned i;
	int r;

	if (tcgetattr(STDIN_FILENO, &tty_saved))
		return -errno;
	noecho = tty_saved;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	tty_echo_off = 1;
	/*
	 * Echo off (dropping type-ahead, which was echoed) before the prompt:
	 * whatever is typed once the prompt shows is kept and not echoed.
	 */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho)) {
		r = -errno;
		goto out;
	}
	fputs(prompt, stderr);
	fflush(stderr);
	r = read_line(STDIN_FILENO, out, len);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
out:
	tty_echo_off = 0;
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	return r;
}

static int tty_passphrase(const struct fl_pass_req *req, char **out,
			  size_t *len)
{
	char *again = NULL;
	size_t again_len = 0;
	int r;

	r = tty_read(req->prompt ? req->prompt : "Enter passphrase: ",
		     out, len);
	if (r || !req->confirm)
		return r;
	r = tty_read("Verify passphrase: ", &again, &again_len);
	if (!r && (again_len != *len || memcmp(again, *out, *len)))
		r = -EBADMSG;
	fl_secret_free(again, again_len);
	if (r) {
		fl_secret_free(*out, *len);
		*out = NULL;
		*len = 0;
	}
	return r;
}

int fl_passphrase_get(const struct fl_pass_req *req, char **pass,
		      size_t *len)
{
	int fd, r;

	*pass = NULL;
	*len = 0;
	if (req->key_file && !strcmp(req->key_file, "-")) {
		r = read_all(STDIN_FILENO, FL_KEYFILE_MAX, pass, len);
	} else if (req->key_file) {
		fd = open(req->key_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = read_all(fd, FL_KEYFILE_MAX, pass, len);
		close(fd);
	} else if (isatty(STDIN_FILENO)) {
		r = tty_passphrase(req, pass, len);
	} else {
		r = read_line(STDIN_FILENO, pass, len);
	}
	if (r)
		return r;
	if (!*len) {
		fl_secret_free(*pass, 0);
		*pass = NULL;
		return -ENODATA;
	}
	return 0;
}

int fl_keygen(const char *path, size_t bytes)
{
	unsigned char *key;
	size_t off = 0;
	int fd, r = 0;

	if (!bytes || bytes > FL_KEYFILE_MAX)
		return -EINVAL;
	r = fl_cryptlib_load();
	if (r)
		return r;
	key = malloc(bytes);
	if (!key)
		return -ENOMEM;
	if (sym_RAND_bytes(key, (int)bytes) != 1) {
		free(key);
		return -EIO;
	}
	/* O_EXCL + O_NOFOLLOW: never overwrite, never write through a link. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	/* The umask can only narrow 0600, but be explicit about it. */
	if (fchmod(fd, 0600))
		r = -errno;
	while (!r && off < bytes) {
		ssize_t w = write(fd, key + off, bytes - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			r = -errno;
		else
			off += (size_t)w;
	}
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (r)
		unlink(path);
out:
	explicit_bzero(key, bytes);
	free(key);
	return r;
}
