// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl as mount.fileloop and umount.fileloop, the helpers mount(8)
 * and umount(8) run for "-t fileloop" (as mount -o loop does for loop):
 *
 *   mount -t fileloop IMAGE DIR -o luks,keyfile=KEY,noatime
 *       is fileloopctl open NAME IMAGE --mount DIR --luks --key-file KEY
 *       with the filesystem options and helper=fileloop (libmount's utab)
 *   umount DIR
 *       runs umount.fileloop DIR, which is fileloopctl close NAME
 *
 * Each turns its command line into fileloopctl's, which main() then runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fl_strv.h"

int cmd_mount_helper_argv(int argc, char *const argv[], struct fl_mount_argv *m)
{
	char err[256];
	int r;

	r = fl_mount_helper_argv(argc, argv, m, err, sizeof(err));
	if (r == -EINVAL) {
		cmd_msg("%s", err);
		return FL_EXIT_USAGE;
	}
	return r ? cmd_fail(r, FL_MOUNT_HELPER) : 0;
}

/* umount.fileloop DIR [-dflnrv] [-N NS] [-t TYPE]: only DIR matters. */
int cmd_umount_helper_argv(int argc, char *const argv[],
			   struct fl_mount_argv *m)
{
	const char *dir = NULL;
	char *name = NULL;
	size_t n = 0;
	int a, r;

	memset(m, 0, sizeof(*m));
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-N") || !strcmp(argv[a], "-t"))
			a++;
		else if (argv[a][0] != '-' && !dir)
			dir = argv[a];
	}
	if (!dir) {
		cmd_msg("usage: " FL_UMOUNT_HELPER " DIR");
		return FL_EXIT_USAGE;
	}
	r = fl_device_find_mounted(dir, &name);
	if (r == -ENOENT) {
		cmd_msg("no fileloop device is mounted on %s", dir);
		return FL_EXIT_NOTFOUND;
	}
	if (r)
		return cmd_fail(r, "cannot look for the device mounted on %s",
				dir);
	r = fl_strv_append(&m->argv, &n, FL_UMOUNT_HELPER) ?:
	    fl_strv_append(&m->argv, &n, "close") ?:
	    fl_strv_append(&m->argv, &n, name);
	free(name);
	if (r) {
		fl_mount_argv_free(m);
		return cmd_fail(r, FL_UMOUNT_HELPER);
	}
	m->argc = (int)n;
	return 0;
}
