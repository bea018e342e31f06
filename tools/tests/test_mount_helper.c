// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_mount_helper_argv: mount(8)'s helper command line to fileloopctl's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fl_mount_helper.h"
#include "tap.h"

/* The translated argv joined by spaces, or the error. */
static char *run(int argc, char *const argv[])
{
	struct fl_mount_argv m;
	char err[256] = "", *out;
	size_t len = 0;
	int i;

	if (fl_mount_helper_argv(argc, argv, &m, err, sizeof(err)))
		return strdup(err);
	for (i = 0; i < m.argc; i++)
		len += strlen(m.argv[i]) + 1;
	out = calloc(1, len + 1);
	for (i = 0; out && i < m.argc; i++) {
		strcat(out, m.argv[i]);
		if (i + 1 < m.argc)
			strcat(out, " ");
	}
	ok(m.argv[m.argc] == NULL, "argv is NULL-terminated");
	fl_mount_argv_free(&m);
	return out;
}

#define RUN(want, desc, ...) do { \
	char *const args[] = { FL_MOUNT_HELPER, __VA_ARGS__ }; \
	char *got = run((int)(sizeof(args) / sizeof(args[0])), args); \
	is_str(got, want, "%s", desc); \
	free(got); \
} while (0)

int main(void)
{
	struct fl_mount_argv m;
	char err[128];

	RUN("mount.fileloop open vault /srv/vault.img --mount /mnt/v --mount-options helper=fileloop",
	    "no options: the name from the file, the mount point",
	    "/srv/vault.img", "/mnt/v");
	RUN("mount.fileloop open v2 /srv/vault.img --mount /mnt/v --mount-options noatime,helper=fileloop --luks --key-file /etc/k",
	    "luks, keyfile= and name= are ours, noatime the filesystem's",
	    "/srv/vault.img", "/mnt/v", "-o", "luks,noatime,keyfile=/etc/k,name=v2");
	RUN("mount.fileloop open v /v.img --mount /m --mount-options helper=fileloop --luks --key-file /k --keyfile-size 64 --keyfile-offset 100",
	    "keyfile-size= and keyfile-offset= as crypttab's",
	    "/v.img", "/m", "-o", "luks,keyfile=/k,keyfile-size=64,keyfile-offset=100");
	RUN("mount.fileloop open disk /d/disk.raw --mount /m --mount-options helper=fileloop --read-only --offset 1M --sizelimit 64M --no-luks",
	    "ro, file-offset=, file-sizelimit=, noluks",
	    "/d/disk.raw", "/m", "-o", "ro,file-offset=1M,file-sizelimit=64M,noluks");
	RUN("mount.fileloop open img /img --mount /m --mount-options nodev,data=journal,helper=fileloop",
	    "fstab-only options dropped, the filesystem's kept in order",
	    "/img", "/m", "-o", "defaults,noauto,nodev,nofail,x-systemd.device-timeout=5,data=journal,rw,_netdev,comment=x");
	RUN("mount.fileloop open a.b /x/a.b.img --mount /m --mount-options helper=fileloop --verbose",
	    "-sfnv flags and -t: verbose passed on; the last dot ends the name",
	    "/x/a.b.img", "/m", "-sn", "-v", "-t", "fileloop");
	RUN("mount.fileloop open .hidden /x/.hidden --mount /m --mount-options helper=fileloop",
	    "a leading dot is part of the name", "/x/.hidden", "/m");
	RUN("mount.fileloop open vault v --mount /m --mount-options helper=fileloop",
	    "a later name= wins", "v", "/m", "-o", "name=x,name=vault");

	RUN("option keyfile= needs a value", "keyfile= with no value",
	    "/i", "/m", "-o", "keyfile=");
	RUN("option -o needs a value", "-o at the end", "/i", "/m", "-o");
	RUN("mount namespaces (-N) are not supported", "-N refused",
	    "/i", "/m", "-N", "/proc/1/ns/mnt");
	RUN("unknown option '-x'", "an unknown flag", "/i", "/m", "-x");
	RUN("usage: mount.fileloop IMAGE DIR [-o OPTIONS]", "one argument only", "/i");
	RUN("unexpected argument '/z'", "three arguments", "/i", "/m", "/z");
	RUN("cannot name a device after '/x/': give -o name=NAME",
	    "an image path that names no file", "/x/", "/m");

	{
		char *const args[] = { FL_MOUNT_HELPER, "/i", "/m", "-f" };

		is_int(fl_mount_helper_argv(4, args, &m, err, sizeof(err)), 0, "-f parses");
		ok(m.fake, "-f: fake");
		fl_mount_argv_free(&m);
	}
	return done_testing();
}
