// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CLI's option parsing against the real verb table (fl_action_types),
 * without root: every check that does not need the system.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fl_opts.h"
#include "tap.h"

static char err[256];
static struct fl_opts o;

/* parse("create", "a", NULL): argv built with argv[0] prepended. */
static int parse(const char *first, ...)
{
	char *argv[32];
	const char *a;
	va_list ap;
	int argc = 0;

	argv[argc++] = "fileloopctl";
	va_start(ap, first);
	for (a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return fl_opts_parse(argc, argv, fl_action_types, &o, err, sizeof(err));
}

#define fails_with(text, ...) do {					\
	int r_ = parse(__VA_ARGS__, NULL);				\
	ok(r_ == -EINVAL && strstr(err, text),				\
	   "refused with '%s'", text);					\
	if (r_ != -EINVAL || !strstr(err, text))			\
		printf("#   r=%d err='%s'\n", r_, err);			\
} while (0)

/*
 * Does help list opt ("--name" followed by a space, a comma or the end of
 * the line, so --size is not found in --sizelimit)?
 */
static bool help_lists(const char *help, enum fl_opt opt)
{
	const char *name = fl_opt_name(opt), *p;
	size_t n = strlen(name);

	for (p = help; (p = strstr(p, name)); p += n)
		if (!p[n] || strchr(" ,\n", p[n]))
			return true;
	return false;
}

/* Each verb's --help lists exactly the options it takes. */
static void help_matches_parser(void)
{
	const struct fl_verb *v;
	int i, wrong;

	for (v = fl_action_types; v->name; v++) {
		wrong = 0;
		for (i = 0; i < OPT_COUNT; i++) {
			bool takes = v->opts & OPTBIT(i);

			/* fileloopctl.c's verb_help adds -v and -h. */
			if (OPTS_COMMON & OPTBIT(i) || i == OPT_VERSION ||
			    takes == help_lists(v->help, i))
				continue;
			printf("#   %s --help %s %s, which it %s\n", v->name,
			       takes ? "does not list" : "lists",
			       fl_opt_name(i), takes ? "takes" : "refuses");
			wrong++;
		}
		ok(!wrong, "%s --help lists exactly the options it takes",
		   v->name);
	}
}

/* --keyfile-size (-l) and --keyfile-offset: cryptsetup's, plain bytes. */
static void keyfile_options(void)
{
	is_int(parse("open", "v", "f", "--key-file", "/k", "--keyfile-offset",
		     "100", "-l", "64", NULL), 0,
	       "open --key-file --keyfile-offset -l");
	is_u64(o.keyfile_offset, 100, "keyfile offset in bytes");
	is_u64(o.keyfile_size, 64, "keyfile size in bytes");
	is_int(parse("open", "v", "f", "-d", "/k", NULL), 0, "open -d alone");
	ok(!o.keyfile_offset && !o.keyfile_size,
	   "no offset, no size: all of the key file");
	is_int(parse("create", "v", "f", "--size", "64M", "--luks", "-d", "-",
		     "--keyfile-size", "8388608", "--keyfile-offset",
		     "9223372036854775807", NULL), 0,
	       "create --luks: the largest size and offset");
	is_u64(o.keyfile_size, 8388608, "FL_KEYFILE_MAX bytes");
	is_u64(o.keyfile_offset, INT64_MAX, "an offset of INT64_MAX");
	is_int(parse("resize", "v", "-d", "/k", "--keyfile-offset", "0", NULL),
	       0, "resize takes --keyfile-offset; 0 is no offset");

	fails_with("--keyfile-size must not be zero", "open", "a", "b", "-d",
		   "/k", "--keyfile-size", "0");
	fails_with("--keyfile-size: '8388609' is more than 8388608", "open",
		   "a", "b", "-d", "/k", "-l", "8388609");
	fails_with("--keyfile-size: '99999999999999999999' is more than",
		   "open", "a", "b", "-d", "/k", "-l", "99999999999999999999");
	fails_with("--keyfile-size: '64K' is not a number of bytes", "open",
		   "a", "b", "-d", "/k", "-l", "64K");
	fails_with("--keyfile-offset: '-1' is not a number of bytes", "open",
		   "a", "b", "-d", "/k", "--keyfile-offset", "-1");
	fails_with("--keyfile-offset: '9223372036854775808' is more than 9223372036854775807",
		   "open", "a", "b", "-d", "/k", "--keyfile-offset",
		   "9223372036854775808");
	fails_with("--keyfile-size needs a value", "open", "a", "b", "-d",
		   "/k", "-l");
	fails_with("--keyfile-size needs --key-file", "open", "a", "b", "-l",
		   "64");
	fails_with("--keyfile-offset needs --key-file", "open", "a", "b",
		   "--keyfile-offset", "100");
	fails_with("--keyfile-size needs --key-file", "resize", "a",
		   "--keyfile-offset", "1", "--keyfile-size", "2");
	fails_with("--keyfile-size needs --key-file", "open", "a",
		   "--ask-password", "-l", "64");
	fails_with("--keyfile-offset needs --key-file", "create", "a", "b",
		   "--size", "1M", "--luks", "--keyfile-offset", "1");
	fails_with("key and cipher options need --luks", "create", "a", "b",
		   "--size", "1M", "-d", "/k", "-l", "64");
	fails_with("keygen does not take --keyfile-size", "keygen", "k", "-l",
		   "64");
	fails_with("table does not take --keyfile-offset", "table", "f",
		   "--keyfile-offset", "1");
}

/* token add|remove and open --token-only: cryptsetup's token options. */
static void token_options(void)
{
	is_int(parse("token", "add", "v", "--key-description", "fl:v", NULL),
	       0, "token add NAME --key-description");
	is_str(o.key_description, "fl:v", "the description");
	ok(!fl_opt_set(&o, OPT_KEY_SLOT), "no key slot: every active one");
	is_int(parse("token", "add", "v", "--key-description", "d", "-S", "31",
		     NULL), 0, "token add -S 31");
	is_int((int)o.key_slot, 31, "key slot 31");
	is_int(parse("token", "remove", "v", "--token-id", "0", NULL), 0,
	       "token remove --token-id 0");
	is_int((int)o.token_id, 0, "token 0");
	is_int(parse("open", "v", "f", "--token-only", NULL), 0,
	       "open --token-only");

	fails_with("token add needs --key-description", "token", "add", "v");
	fails_with("--key-description needs the description", "token", "add",
		   "v", "--key-description", "");
	fails_with("token remove needs --token-id", "token", "remove", "v");
	fails_with("token remove takes only --token-id", "token", "remove",
		   "v", "--token-id", "1", "--key-description", "d");
	fails_with("token add takes no --token-id", "token", "add", "v",
		   "--key-description", "d", "--token-id", "1");
	fails_with("'list' is neither add nor remove", "token", "list", "v");
	fails_with("--key-slot: '32' is not a number in 0..31", "token", "add",
		   "v", "--key-description", "d", "--key-slot", "32");
	fails_with("--token-id: 'x' is not a number in 0..31", "token",
		   "remove", "v", "--token-id", "x");
	fails_with("usage: fileloopctl token add|remove NAME", "token", "add");
	fails_with("--token-only asks for no passphrase", "open", "v", "f",
		   "--token-only", "-d", "/k");
	fails_with("--token-only asks for no passphrase", "open", "v", "f",
		   "--token-only", "--ask-password");
	fails_with("--token-only asks for no passphrase", "open", "v", "f",
		   "--token-only", "--no-luks");
	fails_with("create does not take --token-only", "create", "a", "b",
		   "--size", "1M", "--token-only");
}

/* --file FILE[:OFFSET[:SIZE]] (open), --add-file (resize). */
static void file_options(void)
{
	char *v[40];
	int i, n = 0;

	is_int(parse("open", "v", "/a", "--file", "/b.img", "--file",
		     "/c:1.img:1M:2M", "--file", "/d:4K", NULL), 0,
	       "open with three --file");
	is_int((int)o.nextra, 3, "three extra segments");
	is_str(o.extra[0].file, "/b.img", "a plain path");
	ok(!o.extra[0].offset && !o.extra[0].size, "whole file");
	is_str(o.extra[1].file, "/c:1.img", "a colon in the path, kept");
	ok(o.extra[1].offset == 1 << 20 && o.extra[1].size == 2 << 20,
	   "OFFSET 1M, SIZE 2M");
	is_str(o.extra[2].file, "/d", "FILE:OFFSET");
	ok(o.extra[2].offset == 4096 && !o.extra[2].size, "to the end");
	is_int(parse("resize", "v", "--add-file", "/e:0:8M", "--size", "8M",
		     NULL), 0, "resize --add-file --size");
	ok(!strcmp(o.add.file, "/e") && o.add.size == 8 << 20,
	   "the extent to add");

	fails_with("--file: ':1M:1M' names no file", "open", "v", "/a",
		   "--file", ":1M:1M");
	fails_with("OFFSET and SIZE must be multiples of 512 bytes", "open",
		   "v", "/a", "--file", "/x:100:0");
	fails_with("--file /x: OFFSET and SIZE must be multiples of --block-size (4096)",
		   "open", "v", "/a", "-b", "4096", "--file", "/x:512:0");
	is_int(parse("create", "v", "/a", "--size", "1M", "--file", "/x:0:1M",
		     NULL), 0, "create --file FILE:OFFSET:SIZE");
	fails_with("create --file /x: a new file needs its size", "create",
		   "v", "/a", "--size", "1M", "--file", "/x");
	fails_with("create --file /x: a new file needs its size", "create",
		   "v", "/a", "--size", "1M", "--file", "/x:1M");
	fails_with("open does not take --add-file", "open", "v", "/a",
		   "--add-file", "/x");
	v[n++] = "fileloopctl";
	v[n++] = "open";
	v[n++] = "v";
	v[n++] = "/a";
	for (i = 0; i < 16; i++) {
		v[n++] = "--file";
		v[n++] = "/x";
	}
	v[n] = NULL;
	ok(fl_opts_parse(n, v, fl_action_types, &o, err, sizeof(err)) &&
	   strstr(err, "at most 15"), "16 --file: refused (%s)", err);
}

int main(void)
{
	is_int(parse("create", "vault", "/tmp/v.img", "--size", "64M", NULL), 0,
	       "create NAME FILE --size");
	is_str(o.verb ? o.verb->name : NULL, "create", "verb is create");
	is_int(o.nargs, 2, "two arguments");
	is_str(o.args[0], "vault", "NAME");
	is_str(o.args[1], "/tmp/v.img", "FILE");
	is_u64(o.size, 64ULL << 20, "size 64M");
	ok(o.verb->needs_root, "create needs root");

	is_int(parse("--size", "1G", "create", "a", "b", "--luks", "--pbkdf",
		     "pbkdf2", "--pbkdf-force-iterations", "1000",
		     "--key-file", "-", "--cipher", "aes-cbc-essiv:sha256",
		     "--key-size", "256", NULL), 0,
	       "options before the verb, LUKS options");
	ok(fl_opt_set(&o, OPT_LUKS), "--luks recorded");
	is_str(o.pbkdf, "pbkdf2", "--pbkdf");
	is_u64(o.pbkdf_iter, 1000, "--pbkdf-force-iterations");
	is_str(o.key_file, "-", "--key-file -");
	is_u64(o.key_size, 256, "--key-size");

	is_int(parse("create", "a", "b", "-s", "1G", "-o", "1M", "-b", "4096",
		     "--sizelimit", "512M", "--direct-io", "--no-discard", NULL),
	       0, "short options and mapping options");
	is_u64(o.offset, 1ULL << 20, "offset bytes");
	is_u64(o.map.offset, 2048, "offset in sectors for the table");
	is_u64(o.sizelimit, 512ULL << 20, "sizelimit");
	is_int(o.map.block_size, 4096, "block size");
	is_int(o.map.io, FL_IO_DIRECT, "direct io");
	ok(o.map.no_discard, "no discard");

	is_int(parse("create", "--", "-odd", "b", "--size", "1M", NULL), -EINVAL,
	       "after --, --size is an argument");
	is_int(parse("create", "--size", "1M", "--", "-odd", "b", NULL), 0,
	       "-- lets a name start with a dash");
	is_str(o.args[0], "-odd", "dash name kept");

	fails_with("needs --size", "create", "a", "b");
	fails_with("must not be zero", "create", "a", "b", "--size", "0");
	fails_with("too large", "create", "a", "b", "--size",
		   "99999999999999999999");
	fails_with("not a size", "create", "a", "b", "--size", "1.5G");
	fails_with("not a size", "create", "a", "b", "--size", "-1");
	fails_with("multiple of 512", "create", "a", "b", "--size", "1M",
		   "--offset", "1000");
	fails_with("multiple of --block-size", "open", "a", "b", "--offset",
		   "1536", "-b", "4096");
	fails_with("multiple of 512", "open", "a", "b", "--sizelimit", "100");
	fails_with("smaller than --size", "create", "a", "b", "--size", "1M",
		   "--offset", "1M");
	fails_with("beyond --size", "create", "a", "b", "--size", "1M",
		   "--offset", "512K", "--sizelimit", "768K");
	fails_with("exclude each other", "open", "a", "b", "--direct-io",
		   "--buffered-io");
	fails_with("exclude each other", "open", "a", "b", "--luks",
		   "--no-luks");
	fails_with("not 512, 1024", "open", "a", "b", "--block-size", "1000");
	fails_with("mount one of them (NAMEp1", "open", "a", "b", "-P", "-m",
		   "/mnt");
	fails_with("--ask-password and --key-file exclude each other", "open",
		   "a", "--ask-password", "-d", "/k");
	fails_with("create does not take --partscan", "create", "a", "b",
		   "--size", "1M", "--partscan");
	fails_with("multiple of 8", "create", "a", "b", "--size", "64M",
		   "--luks", "--key-size", "100");
	fails_with("not argon2id", "create", "a", "b", "--size", "64M",
		   "--luks", "--pbkdf", "scrypt");
	fails_with("need --luks", "create", "a", "b", "--size", "64M",
		   "--pbkdf", "pbkdf2");
	fails_with("--read-only cannot format", "create", "a", "b", "--size",
		   "64M", "--read-only", "--mkfs", "ext4");
	fails_with("not a filesystem type", "create", "a", "b", "--size",
		   "64M", "--mkfs", "../../bin/sh");
	fails_with("does not take --size", "list", "--size", "1M");
	fails_with("does not take --json", "create", "a", "b", "--size", "1M",
		   "--json");
	fails_with("does not take --read-only", "table", "f", "--read-only");
	fails_with("usage: fileloopctl close NAME", "close");
	fails_with("usage: fileloopctl close NAME", "close", "a", "b");
	fails_with("usage: fileloopctl list", "list", "extra");
	fails_with("unknown command 'frob'", "frob");
	fails_with("no command given", "-v");
	fails_with("unknown option --bogus", "list", "--bogus");
	fails_with("unknown option -Z", "list", "-Z");
	fails_with("--size needs a value", "create", "a", "b", "--size");
	fails_with("--key-file needs a value", "open", "a", "b", "-d");
	fails_with("too many arguments", "create", "a", "b", "c", "d");
	fails_with("--no-luks takes no --key-file", "open", "a", "b",
		   "--no-luks", "--key-file", "k");

	keyfile_options();
	token_options();
	file_options();

	is_int(parse("--help", NULL), 0, "--help alone");
	ok(!o.verb && fl_opt_set(&o, OPT_HELP), "no verb, help set");
	is_int(parse("create", "--help", NULL), 0, "create --help needs no args");
	is_str(o.verb ? o.verb->name : NULL, "create", "help for create");
	is_int(parse("-V", NULL), 0, "-V");
	ok(fl_opt_set(&o, OPT_VERSION), "version set");

	is_int(parse("list", "-J", "-O", "NAME,FILE", "-n", NULL), 0,
	       "list -J -O -n");
	ok(fl_opt_set(&o, OPT_JSON) && fl_opt_set(&o, OPT_NOHEADINGS),
	   "json and noheadings");
	is_str(o.columns, "NAME,FILE", "columns");
	fails_with("exclude each other", "list", "--json", "--raw");

	is_int(parse("keygen", "k", NULL), 0, "keygen FILE");
	is_u64(o.size, 512, "keygen default 512 bytes");
	ok(!o.verb->needs_root, "keygen does not need root");
	fails_with("at most", "keygen", "k", "--size", "9M");

	is_int(parse("table", "f", "--offset", "4K", NULL), 0, "table FILE");
	ok(!o.verb->needs_root, "table does not need root");
	is_int(parse("resize", "v", "--size", "2G", "--fs", NULL), 0,
	       "resize --size --fs");
	is_int(parse("open", "v", "f", "-r", "-m", "/mnt", NULL), 0,
	       "open -r -m");
	ok(o.read_only, "read-only");
	is_str(o.mount, "/mnt", "mount dir");
	is_int(parse("open", "v", "f", NULL), 0, "parse again: state reset");
	ok(!o.read_only && !o.mount, "no leftovers from the last parse");
	is_int(parse("-vv", "list", NULL), 0, "-vv");
	is_int(o.verbose, 2, "verbose counted");

	is_int(fl_exit_code(-EBUSY), FL_EXIT_BUSY, "EBUSY exits 3");
	is_int(fl_exit_code(-EEXIST), FL_EXIT_BUSY, "EEXIST exits 3");
	is_int(fl_exit_code(-ENOENT), FL_EXIT_NOTFOUND, "ENOENT exits 4");
	is_int(fl_exit_code(-EACCES), FL_EXIT_PERM, "EACCES exits 2");
	is_int(fl_exit_code(-EIO), FL_EXIT_FAIL, "EIO exits 6");
	is_int(fl_exit_code(0), FL_EXIT_OK, "0 exits 0");
	help_matches_parser();
	fails_with("a table line has no mode", "table", "f", "-r");

	return done_testing();
}
