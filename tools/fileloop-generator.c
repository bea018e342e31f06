// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloop-generator: a systemd generator (systemd.generator(7)) that
 * makes one fileloop@NAME.service per filelooptab(5) line, as
 * systemd-cryptsetup-generator does for crypttab.  Each unit is linked
 *
 *   - from dev-mapper-NAME.device.requires/, so that an fstab line that
 *     mounts /dev/mapper/NAME opens it first;
 *   - from fileloop.target.requires/ (.wants/ with nofail), unless
 *     noauto, and fileloop.target from multi-user.target.wants/.
 *
 * A bad line is reported (on stderr, which systemd sends to the kernel
 * log) and left out; the others still get their units.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_strv.h"
#include "fl_tab.h"
#include "fl_unit.h"

/* FL_CTL_PATH (the tool the units run) and FL_UNIT_DIR come from the Makefile. */
static const char *dest;

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
	va_list ap;

	fputs("fileloop-generator: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* dest/DIR/UNIT, a link to target; DIR made if need be. */
static int link_unit(const char *dir, const char *unit, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dest, dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s/%s", dest, dir, unit);
	if (symlink(target, path) && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_unit(const struct fl_tab_entry *e, const char *tab)
{
	char unit[600], path[PATH_MAX], target[PATH_MAX], dev[600];
	FILE *f;
	int fd, r;

	r = fl_unit_name(e->name, unit, sizeof(unit)) ?:
	    fl_unit_device(e->name, ".device.requires", dev, sizeof(dev));
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s/%s", dest, unit);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		return r;
	}
	r = fl_unit_write(f, e, tab, FL_CTL_PATH);
	if (fclose(f) && !r)
		r = -EIO;
	if (r)
		return r;
	snprintf(target, sizeof(target), "../%s", unit);
	r = link_unit(dev, unit, target);
	if (!r && !e->noauto)
		r = link_unit(e->nofail ? FL_UNIT_TARGET ".wants" :
					  FL_UNIT_TARGET ".requires",
			      unit, target);
	return r;
}

int main(int argc, char *argv[])
{
	const char *tab = fl_tab_path();
	struct fl_tab_entry e;
	char err[256], **seen = NULL;
	unsigned lineno = 0;
	size_t nseen = 0, i;
	bool any = false;
	int r, ret = 0;
	FILE *f;

	/* systemd gives three directories; the first is for normal units. */
	if (argc != 2 && argc != 4) {
		msg("usage: fileloop-generator NORMAL-DIR [EARLY-DIR LATE-DIR]");
		return 1;
	}
	dest = argv[1];
	f = fopen(tab, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		msg("cannot read %s: %s", tab, strerror(errno));
		return 1;
	}
	while ((r = fl_tab_next(f, &lineno, &e, err, sizeof(err))) != 1) {
		if (r == -EINVAL) {
			msg("%s:%u: %s; line left out", tab, lineno, err);
			continue;
		}
		if (r) {
			msg("cannot read %s: %s", tab, strerror(-r));
			ret = 1;
			break;
		}
		for (i = 0; i < nseen && strcmp(seen[i], e.name); i++)
			;
		if (i < nseen) {
			msg("%s:%u: %s has an earlier line; line left out", tab,
			    lineno, e.name);
		} else if ((r = write_unit(&e, tab))) {
			msg("%s:%u: cannot write the unit of %s: %s", tab,
			    lineno, e.name, strerror(-r));
			ret = 1;
		} else {
			any |= !e.noauto;
			if (fl_strv_append(&seen, &nseen, e.name))
				ret = 1;
		}
		fl_tab_entry_free(&e);
	}
	fclose(f);
	fl_strv_free(seen);
	if (any && (r = link_unit("multi-user.target.wants", FL_UNIT_TARGET,
				  FL_UNIT_DIR "/" FL_UNIT_TARGET))) {
		msg("cannot link %s: %s", FL_UNIT_TARGET, strerror(-r));
		ret = 1;
	}
	return ret;
}
