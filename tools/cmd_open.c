// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl open NAME [FILE]: map an existing image (or the one NAME's
 * filelooptab line names), unlock it if it is LUKS, mount it if asked.
 */
#include <inttypes.h>

#include <errno.h>
#include <signal.h>

#include "cmd.h"
#include "fl_secret.h"
#include "fl_strv.h"
#include "fl_tab.h"

/* What the passphrase callback needs, and what it leaves for cmd_open. */
struct ask {
	const struct fl_opts *o;
	int ex;			/* exit status, its message printed */
	int signal;		/* deferred: raised once all is undone */
};

static int ask_pass(const struct fl_device *dev, char **pass, size_t *len,
		    void *priv)
{
	struct ask *a = priv;

	a->ex = cmd_get_secret_deferred(a->o, dev->p.name, false, &a->signal,
					pass, len);
	return a->ex ? -ECANCELED : 0;
}

int cmd_open(const struct fl_opts *o)
{
	struct ask ask = { .o = o };
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
	if (!dev.luks && (o->key_file || fl_opt_set(o, OPT_TOKEN_ONLY))) {
		cmd_msg("%s is not LUKS; %s makes no sense", p.file,
			o->key_file ? "--key-file" : "--token-only");
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (fl_device_check_free(&dev)) {
		ex = cmd_build_msgs(o, &dev);
		goto out;
	}
	if (dev.luks && o->key_file &&
	    (ex = cmd_get_secret(o, p.name, false, &pass, &plen)))
		goto out;
	/* No key file: tokens first, then ask, once the header is mapped. */
	if (dev.luks && !o->key_file) {
		if ((ex = cmd_need_luks_library()))
			goto out;
		dev.p.tokens = true;
		if (!fl_opt_set(o, OPT_TOKEN_ONLY))
			fl_device_set_pass_fn(&dev, ask_pass, &ask);
	}
	if (fl_device_open(&dev, pass, plen)) {
		ex = dev.err.step == FL_STEP_PASSPHRASE ?
			ask.ex : cmd_build_msgs(o, &dev);
		if (dev.err.step == FL_STEP_PASSPHRASE)
			cmd_undo_msgs(&dev.err.undo);
		goto out;
	}
	cmd_info("opened %s%s on %s", dev.top_dev, dev.luks ? " (LUKS)" : "",
		 dev.path);
	if (p.partscan)
		cmd_info("mapped %zu partition%s", dev.nparts,
			 dev.nparts == 1 ? "" : "s");
	ex = 0;
out:
	fl_secret_free(pass);
	fl_device_free(&dev);
	if (ask.signal)
		raise(ask.signal);
	return ex;
}

/*
 * fileloopctl open NAME: NAME's filelooptab line gives the image and the
 * options, which go on the command line before the user's own, so that
 * those given here win.
 */
int cmd_open_tab(int argc, char *argv[], const char *name)
{
	const char *tab = fl_tab_path();
	struct fl_tab_entry e;
	struct fl_opts o;
	char **v = NULL;
	char err[256];
	unsigned line;
	size_t n = 0, i;
	int r;

	r = fl_tab_find(tab, name, &line, &e, err, sizeof(err));
	if (r == -ENOENT) {
		cmd_msg("%s has no line in %s; give the image: fileloopctl open %s FILE",
			name, tab, name);
		return FL_EXIT_NOTFOUND;
	}
	if (r == -EINVAL) {
		cmd_msg("%s:%u: %s", tab, line, err);
		return FL_EXIT_USAGE;
	}
	if (r)
		return cmd_fail(r, "cannot read %s", tab);
	r = fl_strv_append(&v, &n, argv[0]);
	for (i = 0; !r && i < e.nopts; i++)
		r = fl_strv_append(&v, &n, e.opts[i]);
	for (i = 1; !r && i < (size_t)argc; i++)
		r = fl_strv_append(&v, &n, argv[i]);
	if (!r)
		r = fl_strv_append(&v, &n, e.image);
	if (r)
		r = cmd_fail(r, "cannot read %s", tab);
	else if (fl_opts_parse((int)n, v, fl_action_types, &o, err, sizeof(err))) {
		cmd_msg("%s:%u: %s", tab, line, err);
		r = FL_EXIT_USAGE;
	} else {
		cmd_info("%s:%u: %s on %s", tab, line, name, e.image);
		r = cmd_open(&o);
	}
	fl_strv_free(v);
	fl_tab_entry_free(&e);
	return r;
}
