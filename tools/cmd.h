/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI of fileloopctl: fl_action_types[] is the one verb table
 * (cmd_verbs.c), each entry runs one cmd_<verb>() in its own file.  Verbs
 * return an exit status (below) and print every message themselves; the
 * layers under them (fl_device.h and below) only return -errno.
 */
#ifndef CMD_H
#define CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "fl_device.h"
#include "fl_geom.h"
#include "fl_mount_helper.h"
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

/* The verbs. */
int cmd_create(const struct fl_opts *o);
int cmd_open(const struct fl_opts *o);
/* open NAME with no FILE: the command line of NAME's filelooptab line. */
int cmd_open_tab(int argc, char *argv[], const char *name);
int cmd_close(const struct fl_opts *o);
int cmd_list(const struct fl_opts *o);
int cmd_status(const struct fl_opts *o);
int cmd_table(const struct fl_opts *o);
int cmd_resize(const struct fl_opts *o);
int cmd_keygen(const struct fl_opts *o);
int cmd_snapshot(const struct fl_opts *o);
int cmd_token(const struct fl_opts *o);
int cmd_move(const struct fl_opts *o);

/*
 * Run as mount.fileloop or umount.fileloop: the fileloopctl command line
 * that does what mount(8) or umount(8) asked, in m (cmd_mount.c); 0 or an
 * exit status, with its message.
 */
int cmd_mount_helper_argv(int argc, char *const argv[], struct fl_mount_argv *m);
int cmd_umount_helper_argv(int argc, char *const argv[],
			   struct fl_mount_argv *m);

/* "fileloopctl: <message>" on stderr. */
void cmd_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "fileloopctl: <what>: <strerror>", and the exit status for r. */
int cmd_fail(int r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A line on stderr with -v only. */
void cmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The device layer's parameters from the command line. */
void cmd_device_params(const struct fl_opts *o, struct fl_device_params *p,
		       struct luks_format_params *lp);
/* -v lines for what the device layer does (fl_device_set_event). */
void cmd_event(const struct fl_device *dev, enum fl_event ev, void *priv);
/* Say what could not be undone after a failure. */
void cmd_undo_msgs(const struct fl_undo_log *log);
/* Say why a size does not make a mapping; the exit status. */
int cmd_geom_msg(enum fl_geom_verdict v, const char *path,
		 uint64_t file_size, uint64_t offset, uint64_t sizelimit,
		 unsigned block_size);

/* libcryptsetup must be there before a LUKS verb asks or changes a thing. */
int cmd_need_luks_library(void);
/* The passphrase for name, with its messages; 0 or an exit status. */
int cmd_get_secret(const struct fl_opts *o, const char *name, bool confirm,
		   char **pass, size_t *len);
/*
 * The same, for a caller with something to undo: a signal that would end
 * the process at the prompt is stored in *deferred (fl_pass_req).
 */
int cmd_get_secret_deferred(const struct fl_opts *o, const char *name,
			    bool confirm, int *deferred, char **pass,
			    size_t *len);
/* The message and exit status for a failed unlock. */
int cmd_luks_open_msg(int r, const char *name);

/* fl_device_find() with its messages; 0 or an exit status. */
int cmd_find(struct fl_device *dev, const char *name);
/* The messages of a failed create or open (check, prepare, build). */
int cmd_build_msgs(const struct fl_opts *o, const struct fl_device *dev);

#endif
