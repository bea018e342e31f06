/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd units fileloop-generator makes from filelooptab lines, as
 * systemd-cryptsetup-generator makes them from crypttab's: one
 * fileloop@NAME.service a line, which opens the device (a LUKS one's
 * passphrase asked through systemd-ask-password when the line has no key
 * file) and closes it at shutdown.  Pure text: unit-tested.
 */
#ifndef FL_UNIT_H
#define FL_UNIT_H

#include <stddef.h>
#include <stdio.h>

#include "fl_tab.h"

/* What every line's unit is wanted or required by. */
#define FL_UNIT_TARGET	"fileloop.target"

/*
 * s escaped as systemd-escape(1) does (unit_name_escape()): '/' to '-',
 * anything but [A-Za-z0-9:_.] (and a leading '.') to \xNN.  0, or
 * -ENAMETOOLONG when it does not fit in len bytes.
 */
int fl_unit_escape(const char *s, char *out, size_t len);

/* "fileloop@<escaped name>.service". */
int fl_unit_name(const char *name, char *out, size_t len);

/* "dev-mapper-<escaped name>" + suffix, as systemd-escape --path names it. */
int fl_unit_device(const char *name, const char *suffix, char *out,
		   size_t len);

/*
 * The unit for e, read from tab, running ctl (fileloopctl's absolute
 * path).  0 or -errno from writing.
 */
int fl_unit_write(FILE *f, const struct fl_tab_entry *e, const char *tab,
		  const char *ctl);

#endif
