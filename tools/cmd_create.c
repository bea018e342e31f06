// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl create NAME FILE --size SIZE: make FILE, map it, and as
 * asked format LUKS2 on it, make a filesystem, mount.  Everything is
 * checked, and the passphrase asked for, before anything is built: a typo
 * then leaves nothing behind.
 */
#include "cmd.h"
#include "fl_secret.h"

int cmd_create(const struct fl_opts *o)
{
	struct luks_format_params lp;
	struct fl_device_params p;
	struct fl_device dev;
	char *pass = NULL;
	size_t plen = 0;
	int ex;

	cmd_device_params(o, &p, &lp);
	fl_device_init(&dev, &p);
	fl_device_set_event(&dev, cmd_event, NULL);
	if (fl_device_check_free(&dev) || fl_device_prepare_create(&dev)) {
		ex = cmd_build_msgs(o, &dev);
		goto out;
	}
	if (dev.luks && (ex = cmd_get_secret(o, p.name, true, &pass, &plen)))
		goto out;
	if (fl_device_create(&dev, pass, plen)) {
		ex = cmd_build_msgs(o, &dev);
		goto out;
	}
	cmd_info("created %s on %s", dev.top_dev, dev.path);
	ex = 0;
out:
	fl_secret_free(pass);
	fl_device_free(&dev);
	return ex;
}
