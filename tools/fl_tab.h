/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/filelooptab (filelooptab(5)): the devices to open at boot, one a
 * line, in the spirit of crypttab(5):
 *
 *   NAME  IMAGE  KEY  [OPTIONS]
 *
 * IMAGE is an absolute path; KEY an absolute key file path, or "none" or
 * "-" to ask for the passphrase.  OPTIONS, comma separated, are
 * fileloopctl open's (luks, noluks, ro, offset=, size=, block-size=,
 * direct-io, buffered-io, nodiscard, shared, partscan, keyfile-size=,
 * keyfile-offset=) and the boot's (noauto, nofail).  '#' starts a comment line.  A line is read into the
 * fileloopctl open options that do what it says; pure string work,
 * unit-tested.
 */
#ifndef FL_TAB_H
#define FL_TAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define FL_TAB_PATH	"/etc/filelooptab"
/* Another file instead, for tests and installers (systemd's $SYSTEMD_CRYPTTAB). */
#define FL_TAB_ENV	"FILELOOPTAB"

struct fl_tab_entry {
	unsigned line;		/* 1-based line number */
	char *name, *image;
	char *key_file;		/* NULL: ask for the passphrase */
	char **opts;		/* fileloopctl open options, NULL-terminated */
	size_t nopts;
	bool noauto;		/* not opened at boot, only when asked */
	bool nofail;		/* the boot does not wait for it */
};

/* $FILELOOPTAB if set and not empty, else FL_TAB_PATH. */
const char *fl_tab_path(void);

/*
 * One line (without or with its newline) into e.  0: e holds the line's
 * entry, to free with fl_tab_entry_free(); 1: a blank or comment line;
 * -EINVAL with a message in err; -ENOMEM.
 */
int fl_tab_parse_line(const char *line, unsigned lineno,
		      struct fl_tab_entry *e, char *err, size_t errlen);
void fl_tab_entry_free(struct fl_tab_entry *e);

/*
 * The next entry of f; *lineno counts the lines read.  0: an entry in e;
 * 1: end of file; -EINVAL: a bad line (message in err), reading can go
 * on; -ENOMEM or -EIO.
 */
int fl_tab_next(FILE *f, unsigned *lineno, struct fl_tab_entry *e, char *err,
		size_t errlen);

/*
 * The first line of path whose first field is name (other lines are not
 * parsed).  0: in e; -ENOENT: no such line or no such file; -EINVAL: the
 * line is bad (message in err, its number in *lineno); -errno opening or
 * reading.
 */
int fl_tab_find(const char *path, const char *name, unsigned *lineno,
		struct fl_tab_entry *e, char *err, size_t errlen);

#endif
