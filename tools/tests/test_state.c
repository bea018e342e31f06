// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_state: key=value records per device, in a scratch directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_state.h"
#include "tap.h"

static char dir[] = "/tmp/fl-state-test.XXXXXX";

/* The value of key in name's record, or "(none)"; static buffer. */
static const char *get(const char *name, const char *key)
{
	static char buf[256];
	char *v = NULL;
	int r = fl_state_get(name, key, &v);

	if (r)
		snprintf(buf, sizeof(buf), "(error %d)", r);
	else
		snprintf(buf, sizeof(buf), "%s", v ? v : "(none)");
	free(v);
	return buf;
}

/* The names in the directory, sorted by readdir order, space separated. */
static const char *listing(void)
{
	static char buf[512];
	struct dirent *de;
	size_t len = 0;
	DIR *d = opendir(dir);

	buf[0] = '\0';
	if (!d)
		return "(no directory)";
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					len ? " " : "", de->d_name);
		if (len >= sizeof(buf))
			break;
	}
	closedir(d);
	return buf;
}

static void cleanup(void)
{
	struct dirent *de;
	char path[512];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int main(void)
{
	char path[512];
	struct stat st;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	fl_state_set_dir(dir);

	is_str(get("vault", FL_STATE_MOUNT), "(none)", "no record: no value");
	is_int(fl_state_remove("vault"), 0, "removing no record is fine");

	is_int(fl_state_set("vault", FL_STATE_MOUNT, "/mnt/my vault\n2"), 0,
	       "set mount");
	is_str(get("vault", FL_STATE_MOUNT), "/mnt/my vault\n2",
	       "mount read back, space and newline included");
	snprintf(path, sizeof(path), "%s/vault", dir);
	ok(!stat(path, &st) && (st.st_mode & 07777) == 0600,
	   "the record is a 0600 file named after the device");

	is_int(fl_state_set("vault", FL_STATE_SIZELIMIT, "104857600"), 0,
	       "set a second key");
	is_str(get("vault", FL_STATE_SIZELIMIT), "104857600", "sizelimit read back");
	is_str(get("vault", FL_STATE_MOUNT), "/mnt/my vault\n2",
	       "setting one key keeps the other");
	is_int(fl_state_set("vault", FL_STATE_MOUNT, "/srv"), 0, "replace mount");
	is_str(get("vault", FL_STATE_MOUNT), "/srv", "the new value replaced the old");
	is_str(get("vault", FL_STATE_SIZELIMIT), "104857600",
	       "the other key is still there");
	is_str(get("vault", "other"), "(none)", "an unset key has no value");

	is_int(fl_state_set("vault", "a=b", "x"), -EINVAL, "key with '=' refused");
	is_int(fl_state_set("vault", "", "x"), -EINVAL, "empty key refused");
	is_int(fl_state_set("a/b", FL_STATE_MOUNT, "/x"), -EINVAL,
	       "name with '/' refused");
	is_int(fl_state_set("..", FL_STATE_MOUNT, "/x"), -EINVAL, ".. refused");
	is_str(get("..", FL_STATE_MOUNT), "(none)", "a name with no record possible has none");

	/* A device may be called vault.tmp: writing vault's record aside
	 * must not touch its record. */
	is_int(fl_state_set("vault.tmp", FL_STATE_MOUNT, "/mnt/other"), 0,
	       "set the record of vault.tmp");
	is_int(fl_state_set("vault", FL_STATE_MOUNT, "/mnt/vault"), 0,
	       "then set vault's");
	is_str(get("vault.tmp", FL_STATE_MOUNT), "/mnt/other",
	       "vault.tmp's record survives a write of vault's");
	is_str(get("vault", FL_STATE_MOUNT), "/mnt/vault", "vault's is right");
	is_int(fl_state_remove("vault.tmp"), 0, "remove vault.tmp");
	is_int(fl_state_set(".tmp~x", FL_STATE_MOUNT, "/x"), -EINVAL,
	       "a name with the prefix of the files aside is refused");

	is_int(fl_state_remove("vault"), 0, "remove");
	is_str(get("vault", FL_STATE_SIZELIMIT), "(none)", "removed: no value");
	is_str(listing(), "", "nothing left in the directory (no temporary file)");

	return done_testing();
}
