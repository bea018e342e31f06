/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What fileloopctl did that the kernel does not remember: the mount point
 * it mounted for a device, so `close` unmounts that and nothing else, and
 * the --sizelimit it was mapped with, so `resize` does not map past it.
 * One small file of key=value lines per device under FL_STATE_DIR (a
 * tmpfs: it goes away with the mappings at reboot).  0 or -errno, no
 * output.
 */
#ifndef FL_STATE_H
#define FL_STATE_H

#ifndef FL_STATE_DIR
#define FL_STATE_DIR	"/run/fileloop"
#endif

/* The keys fileloopctl records. */
#define FL_STATE_MOUNT		"mount"		/* absolute mount point */
#define FL_STATE_SIZELIMIT	"sizelimit"	/* bytes, as given */

/*
 * Add key=value to NAME's record or replace it there; other keys stay.
 * The value may hold any byte but NUL: it is stored escaped, one line.
 */
int fl_state_set(const char *name, const char *key, const char *value);
/* *value is NULL (and 0 returned) when NAME has no such key. */
int fl_state_get(const char *name, const char *key, char **value);
/* NAME's whole record; 0 when there is none. */
int fl_state_remove(const char *name);

/* Another directory than FL_STATE_DIR, for the unit tests. */
void fl_state_set_dir(const char *dir);

#endif
