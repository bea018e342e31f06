/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secrets: passphrases and key files (cryptsetup's semantics) and random
 * key generation.  A secret lives in exactly one buffer from
 * fl_secret_alloc() (locked memory, see fl_secret.h), which
 * fl_secret_free() wipes before releasing.  Secrets never come from argv
 * or the environment.
 *
 *   ask_id set, no key_file         systemd-ask-password(1), its one line
 *   key_file == NULL, stdin a tty   prompt without echo (and confirm)
 *   key_file == NULL, stdin not tty the first line of stdin, no newline
 *   key_file == "-"                 all of stdin, newlines included
 *   key_file == PATH                all of the file, newlines included
 *
 * Of a key file (cryptsetup's --keyfile-offset and --keyfile-size), the
 * first keyfile_offset bytes are skipped, and with keyfile_size set the
 * key is exactly the next keyfile_size bytes; what follows is not read.
 *
 * Returns 0 or -errno: -ENODATA empty secret, -EFBIG too long, -ENOMSG
 * fewer than keyfile_size bytes after the offset, -EBADMSG the
 * confirmation did not match, -ECANCELED systemd-ask-password gave no
 * answer (-ENOENT: it is not installed), -EINVAL keyfile_size over
 * FL_KEYFILE_MAX or keyfile_offset over INT64_MAX.
 * Nothing is printed but the prompt itself (on the terminal's stderr).
 */
#ifndef FL_PASSPHRASE_H
#define FL_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_secret.h"

#define FL_KEYFILE_MAX	(8U << 20)	/* cryptsetup's keyfile-size limit */
#define FL_PASS_MAX	512U		/* cryptsetup's passphrase limit */
#define FL_KEYGEN_DEFAULT 512U		/* bytes of a generated key file */

struct fl_pass_req {
	const char *key_file;
	uint64_t keyfile_offset;	/* bytes of key_file skipped */
	size_t keyfile_size;		/* 0: all the rest of key_file */
	const char *prompt;	/* e.g. "Enter passphrase for vault: " */
	bool confirm;		/* ask twice when prompting (new secrets) */
	const char *ask_id;	/* "NAME": ask systemd's password agents */
	/*
	 * Set: ^C (or SIGTERM, SIGHUP, SIGQUIT) while a passphrase is
	 * typed at a terminal does not end the process but is stored here
	 * and the call fails with -EINTR, so that the caller can undo what
	 * it built before it raises the signal.
	 */
	int *deferred_signal;
};

int fl_passphrase_get(const struct fl_pass_req *req, char **pass,
		      size_t *len);

/*
 * Keep this process's memory, secrets included, out of core files (and
 * from other processes' ptrace): first thing in main().  0 or -errno.
 */
int fl_secrets_no_core(void);

/* A new file (O_EXCL, 0600) of bytes random bytes from OpenSSL. */
int fl_keygen(const char *path, size_t bytes);

#endif
