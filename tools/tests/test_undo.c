// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_undo: what a build made is taken down in reverse order, with fakes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fl_undo.h"
#include "tap.h"

static char calls[512];
static int fail_luks, fail_remove, fail_unlink;

static void note(const char *op, const char *arg)
{
	size_t n = strlen(calls);

	snprintf(calls + n, sizeof(calls) - n, "%s%s(%s)", n ? " " : "", op,
		 arg);
}

static void fake_umount(const char *name) { note("umount", name); }
static int fake_forget(const char *name) { note("forget", name); return -EIO; }
static int fake_luks_close(const char *name)
{
	note("luks_close", name);
	return fail_luks;
}
static int fake_dm_remove(const char *name)
{
	note("dm_remove", name);
	return fail_remove;
}
static int fake_unlink(const char *path)
{
	note("unlink", path);
	return fail_unlink;
}

static const struct fl_undo_ops fake = {
	.umount_recorded = fake_umount,
	.forget = fake_forget,
	.luks_close = fake_luks_close,
	.dm_remove = fake_dm_remove,
	.unlink = fake_unlink,
};

static void run(const struct fl_undo *u, struct fl_undo_log *log)
{
	calls[0] = '\0';
	memset(log, 0, sizeof(*log));
	fl_undo_run(u, &fake, log);
}

int main(void)
{
	struct fl_undo u = { .name = "vault", .map_name = "vault-file" };
	struct fl_undo_log log;
	unsigned i;

	run(&u, &log);
	is_str(calls, "", "nothing built: nothing undone");
	is_int(log.n, 0, "nothing logged");

	u.unlink_path = "/srv/vault.img";
	run(&u, &log);
	is_str(calls, "unlink(/srv/vault.img)", "only the file made");

	u.mapped = true;
	run(&u, &log);
	is_str(calls, "forget(vault) dm_remove(vault-file) unlink(/srv/vault.img)",
	       "mapped: record, mapping, file");

	u.opened = true;
	u.mounted = true;
	run(&u, &log);
	is_str(calls, "umount(vault) forget(vault) luks_close(vault) "
	       "dm_remove(vault-file) unlink(/srv/vault.img)",
	       "everything, in reverse order of building");
	is_int(log.n, 0, "all undone, nothing logged (forget's error is no matter)");

	u.unlink_more[0] = "/b/one.img";
	u.unlink_more[1] = "/c/two.img";
	u.n_more = 2;
	run(&u, &log);
	is_str(calls, "umount(vault) forget(vault) luks_close(vault) "
	       "dm_remove(vault-file) unlink(/c/two.img) unlink(/b/one.img) "
	       "unlink(/srv/vault.img)",
	       "create --file: the further files made, last first, then FILE");
	u.n_more = 0;

	u.unlink_path = NULL;
	run(&u, &log);
	is_str(calls, "umount(vault) forget(vault) luks_close(vault) "
	       "dm_remove(vault-file)", "an existing file is never removed");

	/* Failures are logged in order, and the rest is still tried. */
	u.unlink_path = "/srv/vault.img";
	fail_luks = -EBUSY;
	fail_remove = -EBUSY;
	fail_unlink = -EACCES;
	run(&u, &log);
	is_str(calls, "umount(vault) forget(vault) luks_close(vault) "
	       "dm_remove(vault-file) unlink(/srv/vault.img)",
	       "a failure does not stop the unwinding");
	is_int(log.n, 3, "three failures logged");
	is_int(log.fail[0].op, FL_UNDO_LUKS_CLOSE, "first: LUKS close");
	is_int(log.fail[0].err, -EBUSY, "with its error");
	is_str(log.fail[0].object, "vault", "of the LUKS name");
	is_int(log.fail[1].op, FL_UNDO_REMOVE, "then: the mapping");
	is_str(log.fail[1].object, "vault-file", "by its dm name");
	is_int(log.fail[2].op, FL_UNDO_UNLINK, "then: the file");
	is_int(log.fail[2].err, -EACCES, "with its error");
	is_str(log.fail[2].object, "/srv/vault.img", "by its path");

	/* The log is bounded and says so. */
	memset(&log, 0, sizeof(log));
	for (i = 0; i < FL_UNDO_MAX; i++)
		ok(fl_undo_log_add(&log, FL_UNDO_RELOAD, -EIO, "x") != NULL,
		   "entry %u fits", i);
	ok(fl_undo_log_add(&log, FL_UNDO_SHRINK, -EIO, "y") == NULL,
	   "a full log takes no more");
	is_int(log.n, FL_UNDO_MAX, "and keeps its count");
	return done_testing();
}
