// SPDX-License-Identifier: GPL-2.0-or-later
/* Unwind bookkeeping, see fl_undo.h. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fl_dm.h"
#include "fl_mount.h"
#include "fl_state.h"
#include "fl_undo.h"
#include "luks_helper.h"

struct fl_undo_fail *fl_undo_log_add(struct fl_undo_log *log,
				     enum fl_undo_op op, int err,
				     const char *object)
{
	struct fl_undo_fail *f;

	if (log->n >= FL_UNDO_MAX)
		return NULL;
	f = &log->fail[log->n++];
	f->op = op;
	f->err = err;
	f->object = object;
	f->mount = NULL;
	f->value = 0;
	return f;
}

static void umount_recorded(const char *name)
{
	char *mnt = NULL;

	if (!fl_state_get(name, FL_STATE_MOUNT, &mnt) && mnt)
		fl_umount(mnt);
	free(mnt);
}

static int unlink_path(const char *path)
{
	return unlink(path) ? -errno : 0;
}

const struct fl_undo_ops fl_undo_system = {
	.umount_recorded = umount_recorded,
	.forget = fl_state_remove,
	.luks_close = luks_close,
	.dm_remove = fl_dm_remove,
	.unlink = unlink_path,
};

void fl_undo_run(const struct fl_undo *u, const struct fl_undo_ops *ops,
		 struct fl_undo_log *log)
{
	unsigned i;
	int r;

	if (u->mounted)
		ops->umount_recorded(u->name);
	/* Any record of NAME is this run's: a stale one went before mapping. */
	if (u->mapped)
		ops->forget(u->name);
	if (u->opened && (r = ops->luks_close(u->name)))
		fl_undo_log_add(log, FL_UNDO_LUKS_CLOSE, r, u->name);
	if (u->mapped && (r = ops->dm_remove(u->map_name)))
		fl_undo_log_add(log, FL_UNDO_REMOVE, r, u->map_name);
	for (i = u->n_more; i-- > 0;)
		if ((r = ops->unlink(u->unlink_more[i])))
			fl_undo_log_add(log, FL_UNDO_UNLINK, r,
					u->unlink_more[i]);
	if (u->unlink_path && (r = ops->unlink(u->unlink_path)))
		fl_undo_log_add(log, FL_UNDO_UNLINK, r, u->unlink_path);
}
