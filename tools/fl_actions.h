/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The verbs of fileloopctl: fl_action_types[] is the one verb table, each
 * entry runs one function.  Verbs return an exit status (below) and print
 * every message themselves; the layers under them only return -errno.
 */
#ifndef FL_ACTIONS_H
#define FL_ACTIONS_H

#include "fl_opts.h"

/* Exit statuses, documented in --help and fileloopctl(8). */
enum fl_exit {
	FL_EXIT_OK	 = 0,
	FL_EXIT_USAGE	 = 1,	/* bad command line or invalid input */
	FL_EXIT_PERM	 = 2,	/* not root, or permission denied */
	FL_EXIT_BUSY	 = 3,	/* in use, or name/file already exists */
	FL_EXIT_NOTFOUND = 4,	/* no such device, file or directory */
	FL_EXIT_PASS	 = 5,	/* no key slot opens with this passphrase */
	FL_EXIT_FAIL	 = 6,	/* anything else: I/O, kernel refused, ... */
};

extern const struct fl_verb fl_action_types[];

/* 0 or -errno to an exit status. */
int fl_exit_code(int r);

/* Global verbosity: 1 = -v (library errors shown), 2 = --debug. */
extern int fl_verbose;

#endif
