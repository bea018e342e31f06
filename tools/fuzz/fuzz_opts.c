// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the command line.  The input is split at NUL bytes
 * into argv[1..]; parsing must accept or refuse with a message, and never
 * read or write out of bounds.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fl_opts.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2], err[256];
	struct fl_opts o;
	size_t i, start = 0;
	int argc = 1, r;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "fileloopctl";
	for (i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	err[0] = '\0';
	r = fl_opts_parse(argc, argv, fl_action_types, &o, err, sizeof(err));
	if (r && !err[0])
		abort();	/* a refusal always says why */
	free(buf);
	return 0;
}
