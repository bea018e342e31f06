// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl token add|remove NAME: the LUKS2 keyring tokens of an open
 * vault, written through the fileloop mapping under it (cryptsetup token
 * add --key-description, token remove --token-id).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_token(const struct fl_opts *o)
{
	const char *name = o->args[1];
	struct fl_device_params p = { .name = name };
	char header[PATH_MAX];
	struct fl_device dev;
	int ex, r, id;

	fl_device_init(&dev, &p);
	ex = cmd_find(&dev, name);
	if (ex)
		goto out;
	if (!dev.found.luks) {
		cmd_msg("%s is not a LUKS device opened by fileloopctl", name);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	ex = cmd_need_luks_library();
	if (ex)
		goto out;
	snprintf(header, sizeof(header), "/dev/mapper/%s", dev.found.dm_name);
	if (!strcmp(o->args[0], "add")) {
		r = luks_token_add_keyring(header, o->key_description,
					   fl_opt_set(o, OPT_KEY_SLOT) ?
					   (int)o->key_slot : -1, &id);
		if (!r)
			printf("Token %d created.\n", id);
		else if (r == -ENOENT)
			cmd_msg("%s has no key slot %u", name, o->key_slot);
		else if (r == -EINVAL)
			cmd_msg("%s is LUKS1 or holds no token room: tokens need LUKS2",
				name);
	} else {
		id = (int)o->token_id;
		r = luks_token_remove(header, id);
		if (r == -ENOENT)
			cmd_msg("%s has no token %d", name, id);
		else if (r == -EINVAL)
			cmd_msg("%s is LUKS1: tokens need LUKS2", name);
	}
	if (r == -ENOENT)
		ex = FL_EXIT_NOTFOUND;
	else if (r == -EINVAL)
		ex = FL_EXIT_USAGE;
	else if (r == -EROFS || r == -EACCES)
		ex = cmd_fail(r, "cannot write the LUKS2 header of %s (mapped read-only?)",
			      name);
	else if (r)
		ex = cmd_fail(r, "cannot %s a token of %s", o->args[0], name);
out:
	fl_device_free(&dev);
	return ex;
}
