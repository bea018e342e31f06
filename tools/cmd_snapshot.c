// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl snapshot NAME DEST: a crash-consistent copy of a live
 * device's image, cloned (reflink) while the device is suspended.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cmd.h"
#include "fl_snapshot.h"

int cmd_snapshot(const struct fl_opts *o)
{
	const char *name = o->args[0], *dest = o->args[1];
	struct fl_device_params p = { .name = name };
	struct fl_snapshot s;
	struct fl_device dev;
	int ex, r;

	fl_device_init(&dev, &p);
	ex = cmd_find(&dev, name);
	if (ex)
		goto out;
	if (dev.found.segments != 1) {
		cmd_msg("%s maps %u ranges; snapshot takes a device of one file",
			name, dev.found.segments);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	r = fl_snapshot(dev.found.dm_name, dev.found.params.path, dest,
			fl_opt_set(o, OPT_COPY), &s);
	if (s.resume_err)
		cmd_msg("cannot resume %s (dmsetup resume %s): %s",
			dev.found.dm_name, dev.found.dm_name,
			strerror(-s.resume_err));
	if (r == -EEXIST) {
		cmd_msg("%s exists; snapshot never overwrites", dest);
		ex = FL_EXIT_BUSY;
	} else if (r == -EOPNOTSUPP) {
		cmd_msg("cannot clone %s to %s: not one filesystem that shares blocks (xfs, btrfs); --copy copies it, with %s suspended for the whole copy",
			dev.found.params.path, dest, name);
		ex = FL_EXIT_FAIL;
	} else if (r) {
		ex = cmd_fail(r, "cannot snapshot %s to %s", name, dest);
	} else {
		cmd_info("%s: %s of %s (%" PRIu64 " bytes), %s suspended for %" PRIu64 ".%03" PRIu64 " ms",
			 dest, s.copied ? "copy" : "clone",
			 dev.found.params.path, s.bytes, dev.found.dm_name,
			 s.frozen_ns / 1000000, s.frozen_ns / 1000 % 1000);
	}
out:
	fl_device_free(&dev);
	return ex;
}
