// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Secrets without a terminal: key files (whole contents, or the part
 * --keyfile-offset and --keyfile-size pick), stdin as "-" (the same, from
 * a file or a pipe) and as a plain pipe (first line), and the CLI's
 * message for a short key file; key generation (0600, O_EXCL, random);
 * systemd-ask-password's answer (a stand-in on PATH); no core dumps of a
 * process holding secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "fl_passphrase.h"
#include "tap.h"

static char dir[] = "/tmp/fl-unit.XXXXXX";

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* Replace stdin with a file holding data. */
static void stdin_from(const void *data, size_t len)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/stdin", dir);
	write_file(path, data, len);
	fd = open(path, O_RDONLY);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		abort();
	close(fd);
}

/* Replace stdin with a pipe holding data (at most a pipe buffer), closed. */
static void stdin_pipe(const void *data, size_t len)
{
	int p[2];

	if (pipe(p) || write(p[1], data, len) != (ssize_t)len ||
	    dup2(p[0], STDIN_FILENO) < 0)
		abort();
	close(p[0]);
	close(p[1]);
}

/* The part of key_file that offset and size pick (size 0: all the rest). */
static void get_part(const char *key_file, uint64_t offset, size_t size,
		     int want_r, const void *want, size_t want_len,
		     const char *what)
{
	struct fl_pass_req req = {
		.key_file = key_file,
		.keyfile_offset = offset,
		.keyfile_size = size,
	};
	char *pass = NULL;
	size_t len = 0;
	int r = fl_passphrase_get(&req, &pass, &len);

	is_int(r, want_r, "%s: status", what);
	if (!want_r) {
		is_u64(len, want_len, "%s: length", what);
		ok(pass && !memcmp(pass, want, want_len), "%s: bytes", what);
	} else {
		ok(!pass, "%s: no buffer on failure", what);
	}
	fl_secret_free(pass);
}

static void get(const char *key_file, int want_r, const void *want,
		size_t want_len, const char *what)
{
	get_part(key_file, 0, 0, want_r, want, want_len, what);
}

/*
 * --keyfile-offset and --keyfile-size over a 6000-byte key file whose
 * byte i is (i * 7 + 3) % 256: from the file, from stdin as a file and as
 * a pipe (read and discarded, more than one chunk of it).
 */
static void key_file_part(void)
{
	unsigned char data[6000], rest[16];
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	snprintf(path, sizeof(path), "%s/part", dir);
	write_file(path, data, sizeof(data));

	get_part(path, 100, 64, 0, data + 100, 64,
		 "key file: bytes 100..163 (offset 100, size 64)");
	get_part(path, 0, 64, 0, data, 64, "key file: size alone, the first 64");
	get_part(path, 100, 0, 0, data + 100, sizeof(data) - 100,
		 "key file: offset alone, all the rest");
	get_part(path, sizeof(data) - 64, 64, 0, data + sizeof(data) - 64, 64,
		 "key file: size up to the last byte");
	get_part(path, sizeof(data) - 63, 64, -ENOMSG, NULL, 0,
		 "key file: one byte short is -ENOMSG");
	get_part(path, sizeof(data) + 10, 64, -ENOMSG, NULL, 0,
		 "key file: offset past the end, with a size, is -ENOMSG");
	get_part(path, sizeof(data), 0, -ENODATA, NULL, 0,
		 "key file: nothing after the offset, no size, is empty");
	get_part(path, 0, FL_KEYFILE_MAX + 1, -EINVAL, NULL, 0,
		 "size over FL_KEYFILE_MAX refused");
	get_part(path, (uint64_t)INT64_MAX + 1, 1, -EINVAL, NULL, 0,
		 "offset over INT64_MAX refused");

	stdin_from(data, sizeof(data));
	get_part("-", 100, 64, 0, data + 100, 64,
		 "stdin, a file: offset 100, size 64");
	stdin_pipe(data, sizeof(data));
	get_part("-", 5000, 64, 0, data + 5000, 64,
		 "stdin, a pipe: offset 5000 read and discarded, size 64");
	ok(read(STDIN_FILENO, rest, sizeof(rest)) == (ssize_t)sizeof(rest) &&
	   !memcmp(rest, data + 5064, sizeof(rest)),
	   "stdin, a pipe: nothing read past the key");
	stdin_pipe(data, sizeof(data));
	get_part("-", 100, 0, 0, data + 100, sizeof(data) - 100,
		 "stdin, a pipe: offset alone, all the rest");
	stdin_pipe(data, sizeof(data));
	get_part("-", 5990, 64, -ENOMSG, NULL, 0,
		 "stdin, a pipe: 10 bytes after the offset is -ENOMSG");
	stdin_pipe(data, sizeof(data));
	get_part("-", 8000, 64, -ENOMSG, NULL, 0,
		 "stdin, a pipe: offset past its end, with a size, is -ENOMSG");
	unlink(path);
}

/*
 * The CLI's word for a short key file: fileloopctl open ... as parsed,
 * through cmd_get_secret() (which needs libcryptsetup loaded), stderr
 * caught in a file.
 */
static void short_key_file_msg(void)
{
	char path[128], key[128], msg[512] = "";
	struct fl_opts o;
	char *pass = NULL;
	size_t len = 0;
	int fd, saved, ex;
	ssize_t n;
	char *argv[] = { "fileloopctl", "open", "v", "/img", "--key-file", key,
			 "--keyfile-offset", "10", "-l", "64", NULL };

	snprintf(key, sizeof(key), "%s/short", dir);
	write_file(key, "0123456789abcdef", 16);
	if (fl_opts_parse(10, argv, fl_action_types, &o, msg, sizeof(msg)))
		abort();
	snprintf(path, sizeof(path), "%s/stderr", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved = dup(STDERR_FILENO);
	if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
		abort();
	ex = cmd_get_secret(&o, "v", false, &pass, &len);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(fd);
	is_int(ex, FL_EXIT_USAGE, "short key file: exit status 1");
	ok(!pass, "short key file: no secret");
	ok(strstr(msg, "cannot read the requested amount of data: fewer than 64 bytes in ") &&
	   strstr(msg, "/short at offset 10 (--keyfile-size, --keyfile-offset)\n"),
	   "short key file: the message says what was asked");
	if (!strstr(msg, "requested amount"))
		printf("#   stderr: %s", msg);
	unlink(path);
	unlink(key);
}

/*
 * ask_id: a stand-in systemd-ask-password on PATH that records its
 * arguments and answers with body's output.
 */
static void agent(const char *body, int want_r, const char *want,
		  const char *what)
{
	struct fl_pass_req req = { .ask_id = "vault", .prompt = "Pass for vault:" };
	char path[128], script[512], args[256] = "";
	char *pass = NULL, *old_path = getenv("PATH");
	size_t len = 0;
	ssize_t n;
	int r, fd;

	snprintf(path, sizeof(path), "%s/systemd-ask-password", dir);
	snprintf(script, sizeof(script), "#!/bin/sh\necho \"$@\" > %s/args\n%s\n",
		 dir, body);
	write_file(path, script, strlen(script));
	chmod(path, 0700);
	old_path = old_path ? strdup(old_path) : NULL;
	setenv("PATH", dir, 1);
	r = fl_passphrase_get(&req, &pass, &len);
	if (old_path)
		setenv("PATH", old_path, 1);
	free(old_path);
	is_int(r, want_r, "%s: status", what);
	if (!want_r)
		ok(pass && len == strlen(want) && !memcmp(pass, want, len),
		   "%s: the passphrase", what);
	else
		ok(!pass, "%s: no buffer on failure", what);
	fl_secret_free(pass);
	snprintf(path, sizeof(path), "%s/args", dir);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, args, sizeof(args) - 1) : -1;
	args[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	is_str(args, "--timeout=0 --id=fileloop:vault Pass for vault:\n",
	       "%s: asked for vault, no timeout", what);
	unlink(path);
	snprintf(path, sizeof(path), "%s/systemd-ask-password", dir);
	unlink(path);
}

/*
 * fl_secrets_no_core() in a child, which first makes itself dumpable with
 * the largest core limit allowed, so that the check can fail; the test
 * process itself stays dumpable for the sanitizers.  The child's exit
 * status: bit 0 still dumpable, bit 1 core limit not 0, bit 2 the call
 * failed, bit 3 the starting point could not be set.
 */
static void no_core(void)
{
	struct rlimit rl;
	int st = -1, code = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (getrlimit(RLIMIT_CORE, &rl))
			_exit(8);
		rl.rlim_cur = rl.rlim_max;
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
		    setrlimit(RLIMIT_CORE, &rl) ||
		    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
			_exit(8);
		if (fl_secrets_no_core())
			code |= 4;
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			code |= 1;
		if (getrlimit(RLIMIT_CORE, &rl) || rl.rlim_cur || rl.rlim_max)
			code |= 2;
		_exit(code);
	}
	waitpid(pid, &st, 0);
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 15;
	ok(!(code & 8), "no core: a dumpable child to start from");
	ok(!(code & 4), "no core: fl_secrets_no_core() returns 0");
	ok(!(code & 1), "no core: no longer dumpable");
	ok(!(code & 2), "no core: RLIMIT_CORE 0, soft and hard");
}

int main(void)
{
	char path[128], key[64], big_path[128];
	unsigned char a[512], b[512];
	struct stat st;
	char *big;
	int fd;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/pass", dir);

	write_file(path, "line one\nline two\n", 18);
	get(path, 0, "line one\nline two\n", 18,
	    "key file: all of it, newlines included");
	write_file(path, "bin\0ary", 7);
	get(path, 0, "bin\0ary", 7, "key file: binary with a NUL");
	write_file(path, "", 0);
	get(path, -ENODATA, NULL, 0, "empty key file refused");
	snprintf(key, sizeof(key), "%s/missing", dir);
	get(key, -ENOENT, NULL, 0, "missing key file");

	/* FL_KEYFILE_MAX is the limit: exactly it passes, one more fails. */
	big = calloc(1, FL_KEYFILE_MAX + 1);
	snprintf(big_path, sizeof(big_path), "%s/big", dir);
	write_file(big_path, big, FL_KEYFILE_MAX);
	get(big_path, 0, big, FL_KEYFILE_MAX, "key file of the maximum size");
	write_file(big_path, big, FL_KEYFILE_MAX + 1);
	get(big_path, -EFBIG, NULL, 0, "key file over the maximum");
	get_part(big_path, 1, FL_KEYFILE_MAX, 0, big, FL_KEYFILE_MAX,
		 "--keyfile-size of the maximum out of a longer file");
	free(big);

	key_file_part();
	short_key_file_msg();

	stdin_from("secret\nrest", 11);
	get("-", 0, "secret\nrest", 11, "--key-file -: all of stdin");
	stdin_from("secret\nrest", 11);
	get(NULL, 0, "secret", 6, "piped stdin: the first line only");
	stdin_from("nonewline", 9);
	get(NULL, 0, "nonewline", 9, "piped stdin without newline");
	stdin_from("\n", 1);
	get(NULL, -ENODATA, NULL, 0, "empty first line refused");

	snprintf(key, sizeof(key), "%s/key", dir);
	umask(0);	/* even a wide-open umask must give 0600 */
	is_int(fl_keygen(key, 512), 0, "keygen");
	ok(!stat(key, &st) && (st.st_mode & 07777) == 0600, "key file is 0600");
	is_u64((uint64_t)st.st_size, 512, "key file has 512 bytes");
	is_int(fl_keygen(key, 512), -EEXIST, "keygen never overwrites");
	fd = open(key, O_RDONLY);
	ok(fd >= 0 && read(fd, a, sizeof(a)) == (ssize_t)sizeof(a),
	   "read key back");
	close(fd);
	unlink(key);
	is_int(fl_keygen(key, 512), 0, "keygen again");
	fd = open(key, O_RDONLY);
	ok(fd >= 0 && read(fd, b, sizeof(b)) == (ssize_t)sizeof(b),
	   "read second key");
	close(fd);
	ok(memcmp(a, b, sizeof(a)), "two keys differ");
	get(key, 0, b, sizeof(b), "a generated key reads back as a key file");
	unlink(key);
	is_int(fl_keygen(key, 0), -EINVAL, "zero-byte key refused");
	snprintf(path, sizeof(path), "%s/nodir/key", dir);
	is_int(fl_keygen(path, 16), -ENOENT, "keygen into a missing dir");

	snprintf(path, sizeof(path), "%s/link", dir);
	if (symlink(key, path) == 0) {
		is_int(fl_keygen(path, 16), -EEXIST,
		       "keygen does not write through a symlink");
		ok(access(key, F_OK) != 0, "symlink target not created");
		unlink(path);
	}

	stdin_from("not this\n", 9);
	agent("printf 'agent pass\\nmore\\n'", 0, "agent pass",
	      "agent: its first line, not stdin");
	agent("exit 1", -ECANCELED, NULL, "agent cancelled");
	agent("echo; exit 0", -ENODATA, NULL, "agent: empty answer");
	{
		struct fl_pass_req req = { .ask_id = "vault" };
		char *pass = NULL, *old = getenv("PATH");
		size_t len;

		old = old ? strdup(old) : NULL;
		setenv("PATH", dir, 1);
		is_int(fl_passphrase_get(&req, &pass, &len), -ENOENT,
		       "no systemd-ask-password: -ENOENT");
		if (old)
			setenv("PATH", old, 1);
		free(old);
	}

	snprintf(path, sizeof(path), "%s/pass", dir);
	unlink(path);
	unlink(big_path);
	snprintf(path, sizeof(path), "%s/stdin", dir);
	unlink(path);
	rmdir(dir);
	no_core();
	return done_testing();
}
