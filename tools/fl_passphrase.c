// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fl_cryptlib.h"
#include "fl_passphrase.h"
#include "fl_secret.h"

/*
 * A core file holds the whole memory of the process: a passphrase being
 * typed or compared, a key file's contents, and the volume key, which
 * libcryptsetup keeps in this process while it opens or formats a LUKS
 * device.  Not dumpable: no core at all, from a crash or a ^\ at a
 * prompt, whatever the core_pattern (a pipe to systemd-coredump too), and
 * no ptrace or /proc/PID/mem for other processes of the same user.
 * RLIMIT_CORE 0 as well: it survives a change of credentials, which
 * would reset the dumpable flag to fs.suid_dumpable.  Lowering a limit
 * cannot fail, so only the prctl() is reported.
 */
int fl_secrets_no_core(void)
{
	static const struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -errno;
	return 0;
}

/*
 * Hand back the secret in a buffer of exactly its length (+1 for a NUL the
 * libraries never need but a debugger likes), wiping the working buffer,
 * so every secret is later freed with fl_secret_free(secret).
 */
static int exact_copy(char *buf, size_t len, char **out)
{
	char *exact = fl_secret_alloc(len + 1);

	if (exact) {
		memcpy(exact, buf, len);
		exact[len] = '\0';
	}
	fl_secret_free(buf);
	if (!exact)
		return -ENOMEM;
	*out = exact;
	return 0;
}

/*
 * Read into buf until it holds want bytes or fd ends: the count read, or
 * -errno.  Every reader of a key file or pipe goes through here.
 */
static ssize_t read_full(int fd, char *buf, size_t want)
{
	size_t n = 0;
	ssize_t got;

	while (n < want) {
		got = read(fd, buf + n, want - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (!got)
			break;
		n += (size_t)got;
	}
	return (ssize_t)n;
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

	buf = fl_secret_alloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		got = read_full(fd, buf + n, cap - n);
		if (got < 0) {
			fl_secret_free(buf);
			return (int)got;
		}
		n += (size_t)got;
		if (n < cap)
			break;
		if (cap >= max + 1) {
			fl_secret_free(buf);
			return -EFBIG;
		}
		nbuf = fl_secret_alloc(cap * 2);
		if (!nbuf) {
			fl_secret_free(buf);
			return -ENOMEM;
		}
		memcpy(nbuf, buf, n);
		fl_secret_free(buf);
		buf = nbuf;
		cap *= 2;
	}
	if (n > max) {
		fl_secret_free(buf);
		return -EFBIG;
	}
	*len = n;
	return exact_copy(buf, n, out);
}

/*
 * Exactly size bytes of fd, or -ENOMSG if it ends first.  Allocated at
 * size + 1, zeroed: already the exact buffer (and NUL) exact_copy() makes.
 */
static int read_size(int fd, size_t size, char **out, size_t *len)
{
	char *buf = fl_secret_alloc(size + 1);
	ssize_t got;

	if (!buf)
		return -ENOMEM;
	got = read_full(fd, buf, size);
	if (got < 0 || (size_t)got < size) {
		fl_secret_free(buf);
		return got < 0 ? (int)got : -ENOMSG;
	}
	*len = size;
	*out = buf;
	return 0;
}

/*
 * Past the next n (<= INT64_MAX, an off_t) bytes of fd: a regular file
 * seeks; anything else (a pipe, a terminal) is read, into a secret
 * buffer, since what is skipped is key file too.  Ending before n bytes is
 * no error here: what reads the key next finds the end.
 */
static int skip_bytes(int fd, uint64_t n)
{
	const size_t chunk = 4096;
	struct stat st;
	ssize_t got = 0;
	size_t want;
	char *buf;

	if (!n)
		return 0;
	if (fstat(fd, &st))
		return -errno;
	if (S_ISREG(st.st_mode))
		return lseek(fd, (off_t)n, SEEK_CUR) < 0 ? -errno : 0;
	buf = fl_secret_alloc(chunk);
	if (!buf)
		return -ENOMEM;
	while (n) {
		want = n < chunk ? (size_t)n : chunk;
		got = read_full(fd, buf, want);
		if (got < (ssize_t)want)
			break;
		n -= want;
	}
	fl_secret_free(buf);
	return got < 0 ? (int)got : 0;
}

/* A key file on fd: the part req's offset and size pick (fl_passphrase.h). */
static int read_key_file(int fd, const struct fl_pass_req *req, char **out,
			 size_t *len)
{
	int r = skip_bytes(fd, req->keyfile_offset);

	if (r)
		return r;
	if (req->keyfile_size)
		return read_size(fd, req->keyfile_size, out, len);
	return read_all(fd, FL_KEYFILE_MAX, out, len);
}

/*
 * While a passphrase is typed at a terminal, the signals of tty_read()
 * are only noted here, by number; tty_read() acts on them once the read
 * is over.  Set in a signal handler, hence volatile sig_atomic_t.
 */
static volatile sig_atomic_t tty_caught[NSIG];
static const int tty_sigs[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU
};
#define TTY_NSIGS (sizeof(tty_sigs) / sizeof(*tty_sigs))

static bool tty_signalled(void)
{
	unsigned i;

	for (i = 0; i < TTY_NSIGS; i++)
		if (tty_caught[tty_sigs[i]])
			return true;
	return false;
}

/*
 * One line, byte by byte so nothing after the newline is consumed (a
 * script may feed more on stdin).  From a terminal (tty), a signal noted
 * by tty_read() ends the read with -EINTR, so that tty_read() can put the
 * terminal back before the signal takes its course; any other EINTR, and
 * every EINTR on a pipe or file, just reads on.
 */
static int read_line(int fd, bool tty, char **out, size_t *len)
{
	size_t n = 0;
	char *buf, c;
	ssize_t got;

	buf = fl_secret_alloc(FL_PASS_MAX + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		/*
		 * Looked at before each read(), not only after an EINTR: a
		 * signal noted just before the read() would not interrupt it.
		 * One landing between this test and the read() is acted on
		 * after the newline, as with readpassphrase(3); echo stays
		 * off meanwhile.
		 */
		if (tty && tty_signalled()) {
			fl_secret_free(buf);
			return -EINTR;
		}
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = -errno;

			fl_secret_free(buf);
			return e;
		}
		if (!got || c == '\n')
			break;
		if (n == FL_PASS_MAX) {
			fl_secret_free(buf);
			return -EFBIG;
		}
		buf[n++] = c;
	}
	explicit_bzero(&c, 1);	/* the last byte read sat on the stack */
	*len = n;
	return exact_copy(buf, n, out);
}

/* The signals of tty_sigs[] whose default action ends the process. */
static bool tty_sig_ends(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP ||
	       sig == SIGQUIT;
}

static void tty_note_signal(int sig)
{
	tty_caught[sig] = 1;
}

/*
 * Put back the settings tty_read() found.  SIGTTOU blocked: should this
 * process have been moved to the background since it turned echo off, the
 * kernel would otherwise refuse (and stop it) rather than let it undo its
 * own change.  Retried on EINTR, which the output drain of TCSAFLUSH can
 * return when a noted signal arrives.
 */
static void tty_restore(const struct termios *saved)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	while (tcsetattr(STDIN_FILENO, TCSAFLUSH, saved) && errno == EINTR)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * Read a line with echo off, as OpenBSD's readpassphrase(3) does.  A
 * signal must neither leave the user's terminal silent nor lose echo for
 * the rest of the secret:
 *
 *  - the handlers only note the signal, and are installed without
 *    SA_RESTART so that the blocking read() returns EINTR;
 *  - then the terminal is put back and the old dispositions with it, and
 *    each noted signal is sent again, to take its usual course on a
 *    terminal that echoes: ^C, a kill or a hangup ends the process, ^Z
 *    (or SIGTTIN, SIGTTOU in the background) stops it;
 *  - once continued after a stop, echo would be on: if the read was cut
 *    short, start over with echo off, a fresh prompt and an empty line.
 *
 * A caller that has built something to undo first passes deferred: a
 * signal that would end the process is then stored there instead of sent
 * again, and the read fails with -EINTR; the caller raises it when done.
 *
 * What was typed before the signal is wiped by read_line(), and the
 * terminal discards its own copy on ^C and ^Z.
 */
static int tty_read(const char *prompt, int *deferred, char **out,
		    size_t *len)
{
	struct sigaction sa = { .sa_handler = tty_note_signal };
	struct sigaction old[TTY_NSIGS];
	struct termios saved, noecho;
	bool echo_off, stopped;
	unsigned i;
	int r;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART: see above */
again:
	for (i = 0; i < TTY_NSIGS; i++)
		tty_caught[tty_sigs[i]] = 0;
	/* Read afresh after a stop: the shell may have changed them. */
	if (tcgetattr(STDIN_FILENO, &saved))
		return -errno;
	noecho = saved;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	/*
	 * A signal ignored by whoever started us stays ignored: they chose
	 * so, and a SIGTTOU caught rather than ignored would turn the
	 * kernel's leave to a background tcsetattr() into a refusal, over
	 * and over.
	 */
	for (i = 0; i < TTY_NSIGS; i++) {
		sigaction(tty_sigs[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(tty_sigs[i], &sa, NULL);
	}
	/*
	 * Echo off (dropping type-ahead, which was echoed) before the prompt:
	 * whatever is typed once the prompt shows is kept and not echoed.
	 * In the background this fails with EINTR on a noted SIGTTOU, and
	 * the process stops below until it is in the foreground again.
	 */
	echo_off = !tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	if (echo_off) {
		fputs(prompt, stderr);
		fflush(stderr);
		r = read_line(STDIN_FILENO, true, out, len);
		tty_restore(&saved);
	} else {
		r = -errno;
	}
	for (i = 0; i < TTY_NSIGS; i++)
		sigaction(tty_sigs[i], &old[i], NULL);
	stopped = false;
	for (i = 0; i < TTY_NSIGS; i++) {
		if (!tty_caught[tty_sigs[i]])
			continue;
		if (deferred && tty_sig_ends(tty_sigs[i])) {
			*deferred = tty_sigs[i];
			continue;
		}
		raise(tty_sigs[i]);
		if (tty_sigs[i] == SIGTSTP || tty_sigs[i] == SIGTTIN ||
		    tty_sigs[i] == SIGTTOU)
			stopped = true;
	}
	/* Continued after the stop, with echo on: ask again. */
	if (stopped && r == -EINTR)
		goto again;
	return r;
}

static int tty_passphrase(const struct fl_pass_req *req, char **out,
			  size_t *len)
{
	char *again = NULL;
	size_t again_len = 0;
	int r;

	r = tty_read(req->prompt ? req->prompt : "Enter passphrase: ",
		     req->deferred_signal, out, len);
	if (r || !req->confirm)
		return r;
	r = tty_read("Verify passphrase: ", req->deferred_signal, &again,
		     &again_len);
	if (!r && (again_len != *len || memcmp(again, *out, *len)))
		r = -EBADMSG;
	fl_secret_free(again);
	if (r) {
		fl_secret_free(*out);
		*out = NULL;
		*len = 0;
	}
	return r;
}

/*
 * Through systemd's password agents, as systemd-cryptsetup asks at boot
 * (the console, plymouth, or the terminal when there is one): the answer
 * comes back on a pipe, one line.
 */
static int agent_read(const struct fl_pass_req *req, char **out, size_t *len)
{
	char id[256];
	int pfd[2], status, r;
	pid_t pid;

	snprintf(id, sizeof(id), "--id=fileloop:%s", req->ask_id);
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	if (!pid) {
		if (dup2(pfd[1], STDOUT_FILENO) >= 0)
			execlp("systemd-ask-password", "systemd-ask-password",
			       "--timeout=0", id,
			       req->prompt ? req->prompt : "Enter passphrase:",
			       (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	r = read_line(pfd[0], false, out, len);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!r && !(WIFEXITED(status) && !WEXITSTATUS(status))) {
		fl_secret_free(*out);
		*out = NULL;
		r = WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
			-ENOENT : -ECANCELED;
	}
	return r;
}

int fl_passphrase_get(const struct fl_pass_req *req, char **pass,
		      size_t *len)
{
	int fd, r;

	*pass = NULL;
	*len = 0;
	if (req->keyfile_size > FL_KEYFILE_MAX ||
	    req->keyfile_offset > INT64_MAX)
		return -EINVAL;
	if (req->key_file && !strcmp(req->key_file, "-")) {
		r = read_key_file(STDIN_FILENO, req, pass, len);
	} else if (req->key_file) {
		fd = open(req->key_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = read_key_file(fd, req, pass, len);
		close(fd);
	} else if (req->ask_id) {
		r = agent_read(req, pass, len);
	} else if (isatty(STDIN_FILENO)) {
		r = tty_passphrase(req, pass, len);
	} else {
		r = read_line(STDIN_FILENO, false, pass, len);
	}
	if (r)
		return r;
	if (!*len) {
		fl_secret_free(*pass);
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
	key = fl_secret_alloc(bytes);
	if (!key)
		return -ENOMEM;
	if (sym_RAND_bytes(key, (int)bytes) != 1) {
		fl_secret_free(key);
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
	fl_secret_free(key);
	return r;
}
