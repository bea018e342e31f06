// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl open NAME FILE: map an existing image, unlock it if it is
 * LUKS, mount it if asked.
 */
#include <inttypes.h>

#include "cmd.h"
#include "fl_secret.h"

int cmd_open(const struct fl_opts *o)
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
	if (fl_device_prepare_open(&dev)) {
		ex = cmd_build_msgs(o, &dev);
		goto out;
	}
	if (p.luks && !dev.luks) {
		cmd_msg("%s holds no LUKS header at offset %" PRIu64, p.file,
			p.offset);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (!dev.luks && o->key_file) {
		cmd_msg("%s is not LUKS; --key-file makes no sense", p.file);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (fl_device_check_free(&dev)) {
		ex = cmd_build_msgs(o, &dev);
		goto out;
	}
	if (dev.luks && (ex = cmd_get_secret(o, p.name, false, &pass, &plen)))
		goto out;
	if (fl_device_open(&dev, pass, plen)) {
		ex = cmd_build_msgs(o, &dev);
		goto out;
	}
	cmd_info("opened %s%s on %s", dev.top_dev, dev.luks ? " (LUKS)" : "",
		 dev.path);
	ex = 0;
out:
	fl_secret_free(pass);
	fl_device_free(&dev);
	return ex;
}
