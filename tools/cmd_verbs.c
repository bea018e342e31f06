// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one verb table (cryptsetup's action_types pattern): each verb's
 * arguments, options, help text and the cmd_<verb>() that runs it.
 */
#include <stddef.h>

#include "cmd.h"
#include "luks_helper.h"

/* table prints a line: read-only is dmsetup create --readonly, not in it. */
#define TABLE_HELP \
	"  -o, --offset SIZE        start this far into the file (512-byte aligned)\n" \
	"      --sizelimit SIZE     map at most SIZE bytes\n" \
	"      --direct-io          insist on O_DIRECT I/O to the file\n" \
	"      --buffered-io        use the page cache of the file\n" \
	"  -b, --block-size N       logical block size: 512, 1024, 2048, 4096\n" \
	"      --no-discard         do not pass discards to the file\n" \
	"      --shared             let other devices map the file too (both need it)\n"
#define MAP_HELP TABLE_HELP \
	"  -r, --read-only          read-only mapping\n"
#define LUKS_HELP \
	"  -d, --key-file FILE|-    read the key from FILE or stdin (all of it, or -l bytes)\n" \
	"  -l, --keyfile-size N     the key: N bytes of the key file (digits only)\n" \
	"      --keyfile-offset N   bytes of the key file to skip first (digits only)\n"
#define LUKS_NEW_HELP LUKS_HELP \
	"      --pbkdf KDF          argon2id (default), argon2i or pbkdf2\n" \
	"      --pbkdf-memory KIB   argon2 memory cost\n" \
	"      --pbkdf-force-iterations N  fixed cost, no benchmark\n" \
	"  -i, --iter-time MS       PBKDF time to spend unlocking\n" \
	"  -c, --cipher SPEC        default " LUKS_DEFAULT_CIPHER "\n" \
	"      --key-size BITS      default 512\n"
#define LIST_HELP \
	"  -J, --json               JSON output\n" \
	"  -O, --output COLS        columns, comma separated (+COLS adds)\n" \
	"      --raw                raw output\n" \
	"  -n, --noheadings         no header line\n" \
	"      --bytes              sizes in bytes\n"

const struct fl_verb fl_action_types[] = {
	{ "create", cmd_create, 2, 2,
	  OPTS_COMMON | OPTS_MAP | OPTS_LUKS_NEW | OPTBIT(OPT_SIZE) |
	  OPTBIT(OPT_LUKS) | OPTBIT(OPT_MKFS) | OPTBIT(OPT_MOUNT) |
	  OPTBIT(OPT_MOUNT_OPTIONS) | OPTBIT(OPT_FORCE) |
	  OPTBIT(OPT_ALLOCATE) | OPTBIT(OPT_FILE), true,
	  "NAME FILE --size SIZE",
	  "make FILE (0600) and map it as /dev/mapper/NAME",
	  "  -s, --size SIZE          size of the new file (K, M, G, T suffixes)\n"
	  "      --luks               format LUKS2 and open it as NAME (file layer NAME-file)\n"
	  "      --mkfs TYPE          make a filesystem (mkfs.TYPE) on /dev/mapper/NAME\n"
	  "  -m, --mount DIR          mount it on DIR (close unmounts it)\n"
	  "      --mount-options OPTS mount options for the filesystem\n"
	  "      --force              overwrite FILE if it exists\n"
	  "      --allocate           allocate the file's blocks (fallocate)\n"
	  "      --file F:OFF:SIZE    make F too (OFF + SIZE bytes), mapped next; repeat\n"
	  MAP_HELP LUKS_NEW_HELP },
	{ "open", cmd_open, 1, 2,
	  OPTS_COMMON | OPTS_MAP | OPTS_KEY_FILE | OPTBIT(OPT_LUKS) |
	  OPTBIT(OPT_NO_LUKS) | OPTBIT(OPT_MOUNT) | OPTBIT(OPT_MOUNT_OPTIONS) |
	  OPTBIT(OPT_ASK_PASSWORD) | OPTBIT(OPT_PARTSCAN) |
	  OPTBIT(OPT_TOKEN_ONLY) | OPTBIT(OPT_FILE),
	  true,
	  "NAME [FILE]",
	  "map an existing image (FILE, or NAME's filelooptab line); unlock it if it is LUKS",
	  "      --luks               insist that FILE is LUKS\n"
	  "      --no-luks            map only, even if FILE is LUKS\n"
	  "  -m, --mount DIR          mount it on DIR (close unmounts it)\n"
	  "      --mount-options OPTS mount options for the filesystem\n"
	  "      --ask-password       ask through systemd-ask-password (as at boot)\n"
	  "  -P, --partscan           map each partition as NAMEp1, NAMEp2, ... (as kpartx)\n"
	  "      --token-only         unlock with a LUKS2 token only, never ask\n"
	  "      --file F[:OFF[:SIZE]] map (SIZE bytes at OFF of) F next; repeat: one device over several files\n"
	  MAP_HELP LUKS_HELP },
	{ "close", cmd_close, 1, 1, OPTS_COMMON, true, "NAME",
	  "unmount what fileloopctl mounted, close LUKS, remove the mapping",
	  "" },
	{ "list", cmd_list, 0, 0, OPTS_COMMON | OPTS_LISTING, true, "",
	  "list fileloop devices", LIST_HELP },
	{ "status", cmd_status, 1, 1, OPTS_COMMON | OPTS_LISTING, true,
	  "NAME", "show one device", LIST_HELP },
	{ "resize", cmd_resize, 1, 1,
	  OPTS_COMMON | OPTBIT(OPT_SIZE) | OPTBIT(OPT_FS) |
	  OPTS_KEY_FILE | OPTBIT(OPT_ALLOCATE) | OPTBIT(OPT_ADD_FILE), true,
	  "NAME [--size SIZE]",
	  "grow the file to SIZE (default: its current size) and the device live",
	  "  -s, --size SIZE          new size of the file (never smaller); with --add-file, of a new F\n"
	  "      --add-file F[:OFF[:SIZE]] grow onto F (made, 0600, if missing), mapped after the rest\n"
	  "      --fs                 grow the filesystem too (resize2fs, xfs_growfs)\n"
	  "      --allocate           allocate the new blocks (fallocate)\n"
	  LUKS_HELP },
	{ "table", cmd_table, 1, 1,
	  OPTS_COMMON | (OPTS_MAP & ~OPTBIT(OPT_READ_ONLY)), false, "FILE",
	  "print a table line for dmsetup create --table", TABLE_HELP },
	{ "snapshot", cmd_snapshot, 2, 2, OPTS_COMMON | OPTBIT(OPT_COPY), true,
	  "NAME DEST",
	  "clone the live device's image to DEST, crash-consistent (reflink)",
	  "      --copy               copy when the file cannot be cloned (suspended meanwhile)\n" },
	{ "move", cmd_move, 2, 2, OPTS_COMMON, true, "NAME NEWFILE",
	  "move the live device's image to NEWFILE (dm-clone), in use throughout",
	  "" },
	{ "token", cmd_token, 2, 2,
	  OPTS_COMMON | OPTBIT(OPT_KEY_DESCRIPTION) | OPTBIT(OPT_KEY_SLOT) |
	  OPTBIT(OPT_TOKEN_ID), true,
	  "add|remove NAME",
	  "add or remove a LUKS2 keyring token of the open LUKS device NAME",
	  "      --key-description D  add: open with the kernel keyring's key D (keyctl padd user D @u)\n"
	  "  -S, --key-slot N         add: for key slot N only (default: every active one)\n"
	  "      --token-id N         remove: the token to remove\n" },
	{ "keygen", cmd_keygen, 1, 1, OPTS_COMMON | OPTBIT(OPT_SIZE), false,
	  "FILE", "write a random key file (0600, never overwritten)",
	  "  -s, --size SIZE          bytes of key (default 512)\n" },
	{ NULL, NULL, 0, 0, 0, false, NULL, NULL, NULL },
};
