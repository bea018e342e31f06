/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What fileloopctl did that the kernel does not remember: the mount point
 * it mounted for a device, so `close` unmounts that and nothing else.
 * One small file per device under FL_STATE_DIR (a tmpfs: it goes away
 * with the mappings at reboot).  0 or -errno, no output.
 */
#ifndef FL_STATE_H
#define FL_STATE_H

#ifndef FL_STATE_DIR
#define FL_STATE_DIR	"/run/fileloop"
#endif

int fl_state_save_mount(const char *name, const char *mountpoint);
/* *mountpoint is NULL (and 0 returned) when nothing was recorded. */
int fl_state_load_mount(const char *name, char **mountpoint);
int fl_state_remove(const char *name);

#endif
