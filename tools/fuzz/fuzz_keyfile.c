// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: key files.  The input is written to a file and read
 * back as a key file: the secret must be the file's bytes exactly, or
 * refused (empty, too long).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fl_passphrase.h"

/* A memfd, read through /proc: no disk in the loop. */
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct fl_pass_req req = { .key_file = path, .prompt = "" };
	char *pass;
	size_t len;
	int r;

	if (fd < 0) {
		fd = memfd_create("fl-fuzz-keyfile", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	r = fl_passphrase_get(&req, &pass, &len);
	if (!r) {
		if (len != size || memcmp(pass, data, size))
			abort();
		fl_secret_free(pass);
	} else if (r != -ENODATA && r != -EFBIG) {
		abort();
	}
	return 0;
}
