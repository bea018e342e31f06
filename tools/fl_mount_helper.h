/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.fileloop: the command line mount(8) gives a helper,
 *
 *   mount.fileloop IMAGE DIR [-sfnv] [-N NS] [-o OPTIONS] [-t TYPE]
 *
 * as the fileloopctl command line that does it:
 *
 *   fileloopctl open NAME IMAGE --mount DIR --mount-options FSOPTS [...]
 *
 * OPTIONS are fileloop's own (luks, noluks, keyfile=, keyfile-size=,
 * keyfile-offset=, name=, file-offset=, file-sizelimit=, ro, rw) and the
 * filesystem's (the rest, minus fstab-only ones such as noauto, nofail,
 * x-*); helper=fileloop joins the
 * filesystem's so that umount(8) calls umount.fileloop, which closes the
 * device.  NAME is name= or the image's file name without its extension.
 * Pure string work: unit-tested.
 */
#ifndef FL_MOUNT_HELPER_H
#define FL_MOUNT_HELPER_H

#include <stdbool.h>
#include <stddef.h>

#define FL_MOUNT_HELPER		"mount.fileloop"
#define FL_UMOUNT_HELPER	"umount.fileloop"
#define FL_HELPER_OPT		"helper=fileloop"

struct fl_mount_argv {
	char **argv;		/* NULL-terminated, for fl_opts_parse() */
	int argc;
	bool fake;		/* -f: do everything but the mount: nothing */
	bool verbose;		/* -v */
};

/*
 * 0, or -EINVAL with a message in err (a bad or missing argument, an
 * option without its value), -ENOMEM.  On success m->argv is the
 * caller's to free with fl_mount_argv_free().
 */
int fl_mount_helper_argv(int argc, char *const argv[], struct fl_mount_argv *m,
			 char *err, size_t errlen);
void fl_mount_argv_free(struct fl_mount_argv *m);

#endif
