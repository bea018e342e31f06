// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl move NAME NEWFILE: move a live device's image to another
 * file (another filesystem), the device in use throughout (fl_move.h).
 * Interrupted, the copy goes on in the kernel; the same command again
 * waits for it and finishes the move.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fl_move.h"

static volatile sig_atomic_t stop_signal;

static void note_stop(int sig)
{
	stop_signal = sig;
}

static int start_msg(const struct fl_move *m, int r, const char *name,
		     const char *newfile)
{
	switch (m->step) {
	case FL_MOVE_NAMES:
		cmd_msg("%s: the name is too long for the move's helper mappings",
			name);
		return FL_EXIT_USAGE;
	case FL_MOVE_TARGET:
		if (r == -ENOENT) {
			cmd_msg("this kernel has no dm-clone target (CONFIG_DM_CLONE): move needs it");
			return FL_EXIT_NOTFOUND;
		}
		return cmd_fail(r, "cannot load dm-clone");
	case FL_MOVE_NEW_FILE:
		if (r == -EEXIST) {
			cmd_msg("%s exists; move makes a new file and never overwrites",
				newfile);
			return FL_EXIT_BUSY;
		}
		return cmd_fail(r, "cannot make %s", newfile);
	case FL_MOVE_META_FILE:
		return cmd_fail(r, "cannot make %s" FL_MOVE_META_SUFFIX, newfile);
	case FL_MOVE_SHARE:
		return cmd_fail(r, "cannot reload %s", m->dm_name);
	case FL_MOVE_HELPER:
		return cmd_fail(r, "cannot map the move's helpers of %s",
				m->dm_name);
	case FL_MOVE_CLONE:
		return cmd_fail(r, "cannot load the dm-clone table on %s",
				m->dm_name);
	default:
		return cmd_fail(r, "cannot move %s", name);
	}
}

/* A move found running on name (resumed): 0, or an exit status. */
static int find_running(const char *name, const char *newfile,
			struct fl_move *m)
{
	char *file_layer = fl_file_layer_name(name), *want = NULL;
	int r = -ENOENT, ex = 0;

	if (file_layer)
		r = fl_move_find(name, file_layer, m);
	if (r == -ENOENT) {
		fl_move_free(m);
		r = fl_move_find(name, name, m);
	}
	free(file_layer);
	if (r == -ENOENT || r == -ENAMETOOLONG) {
		cmd_msg("%s is not a fileloop device (nor fileloopctl's LUKS on one), and no move of it is running",
			name);
		return FL_EXIT_NOTFOUND;
	}
	if (r)
		return cmd_fail(r, "cannot read the move of %s", name);
	if (fl_new_file_path(newfile, &want) || strcmp(want, m->new_path)) {
		cmd_msg("%s is being moved to %s, not %s", name, m->new_path,
			newfile);
		ex = FL_EXIT_BUSY;
	}
	free(want);
	return ex;
}

/* Wait for the copy, showing it on a terminal; -EINTR if stopped. */
static int wait_copied(struct fl_move *m, bool show)
{
	const struct timespec tick = { 0, 200 * 1000 * 1000 };
	uint64_t mib;
	int r;

	while (!(r = fl_move_progress(m)) && m->hydrated < m->total &&
	       !stop_signal) {
		if (show) {
			mib = m->total * m->region * FL_SECTOR >> 20;
			fprintf(stderr, "\rmoving %s: %" PRIu64 " of %" PRIu64
				" MiB (%" PRIu64 "%%)", m->name,
				mib * m->hydrated / m->total, mib,
				100 * m->hydrated / m->total);
		}
		nanosleep(&tick, NULL);
	}
	if (show)
		fputc('\n', stderr);
	if (!r && stop_signal)
		r = -EINTR;
	return r;
}

int cmd_move(const struct fl_opts *o)
{
	const char *name = o->args[0], *newfile = o->args[1];
	struct sigaction sa = { .sa_handler = note_stop }, old_int, old_term;
	struct fl_device_params p = { .name = name };
	struct timespec t0, t1;
	struct fl_device dev;
	struct fl_move m = { 0 };
	int ex = 0, r;

	/*
	 * ^C never cuts the setup or the switch short: it ends the wait.
	 * A signal ignored by whoever started us stays ignored.
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGTERM, NULL, &old_term);
	if (old_int.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	if (old_term.sa_handler != SIG_IGN)
		sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fl_device_init(&dev, &p);
	r = fl_device_find(&dev, name);
	if (r == -ENODEV || r == -EMEDIUMTYPE) {
		ex = find_running(name, newfile, &m);
		if (ex)
			goto out;
		cmd_info("%s: a move to %s is running: waiting for it",
			 name, m.new_path);
	} else if (r) {
		ex = cmd_fail(r, "cannot look up %s", name);
		goto out;
	} else if (dev.found.segments != 1) {
		cmd_msg("%s maps %u files; move takes a device of one", name,
			dev.found.segments);
		ex = FL_EXIT_USAGE;
		goto out;
	} else if (dev.found.read_only) {
		cmd_msg("%s is read-only: copy its file instead (cp), nothing writes it",
			name);
		ex = FL_EXIT_USAGE;
		goto out;
	} else if ((r = fl_move_start(&dev.found, newfile, &m))) {
		ex = start_msg(&m, r, name, newfile);
		goto out;
	}
	r = wait_copied(&m, isatty(STDERR_FILENO));
	if (r == -EINTR) {
		cmd_msg("stopped waiting; the copy goes on in the kernel, and `fileloopctl move %s %s` finishes the move",
			name, newfile);
		ex = FL_EXIT_FAIL;
		goto out;
	}
	if (!r)
		r = fl_move_finish(&m);
	if (r) {
		ex = cmd_fail(r, "cannot finish moving %s to %s (dmsetup table %s shows where it stands)",
			      name, m.new_path, m.dm_name);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cmd_info("%s: moved to %s, %" PRIu64 " MiB in %.1f s", name,
		 m.new_path, m.sectors * FL_SECTOR >> 20,
		 (double)(t1.tv_sec - t0.tv_sec) +
		 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
	fl_move_free(&m);
	fl_device_free(&dev);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	/* Stopped: die of the signal, unless the move got done meanwhile. */
	if (stop_signal && ex)
		raise(stop_signal);
	return ex;
}
