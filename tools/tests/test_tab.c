// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_tab: filelooptab lines to fileloopctl open options; fl_unit: units. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fl_tab.h"
#include "fl_unit.h"
#include "tap.h"

/* "KEY|OPTS...|flags" for a good line, "error: ..." for a bad one. */
static char *parse(const char *line)
{
	struct fl_tab_entry e;
	char err[256], buf[1024];
	size_t i;
	int r;

	r = fl_tab_parse_line(line, 7, &e, err, sizeof(err));
	if (r == 1)
		return strdup("skip");
	if (r)
		snprintf(buf, sizeof(buf), "error: %s", err);
	if (r)
		return strdup(buf);
	snprintf(buf, sizeof(buf), "%s %s %s|", e.name, e.image,
		 e.key_file ? e.key_file : "ask");
	for (i = 0; i < e.nopts; i++) {
		strcat(buf, e.opts[i]);
		strcat(buf, i + 1 < e.nopts ? " " : "");
	}
	ok(e.opts == NULL ? e.nopts == 0 : e.opts[e.nopts] == NULL,
	   "options NULL-terminated");
	ok(e.line == 7, "line number kept");
	strcat(buf, "|");
	strcat(buf, e.noauto ? "noauto" : "");
	strcat(buf, e.nofail ? "nofail" : "");
	fl_tab_entry_free(&e);
	return strdup(buf);
}

#define PARSE(line, want, desc) do { \
	char *got = parse(line); \
	is_str(got, want, "%s", desc); \
	free(got); \
} while (0)

static char *escape(const char *s)
{
	static char out[64];

	return fl_unit_escape(s, out, sizeof(out)) ? "ENAMETOOLONG" : out;
}

static void test_lines(void)
{
	PARSE("", "skip", "an empty line is skipped");
	PARSE("   \t\n", "skip", "a blank line is skipped");
	PARSE("  # vault /a none luks", "skip", "a comment is skipped");
	PARSE("vault /srv/v.img /etc/k luks\n",
	      "vault /srv/v.img /etc/k|--key-file /etc/k --luks|",
	      "key file and luks");
	PARSE("vault\t/srv/v.img  none",
	      "vault /srv/v.img ask||", "none: ask, no options field");
	PARSE("vault /srv/v.img - nofail,noauto",
	      "vault /srv/v.img ask||noautonofail", "-: ask; the boot's options");
	PARSE("d /d.raw none noluks,ro,read-only,offset=1M,size=64M,block-size=4096,direct-io,buffered-io,nodiscard,shared",
	      "d /d.raw ask|--no-luks --read-only --read-only --offset 1M --sizelimit 64M --block-size 4096 --direct-io --buffered-io --no-discard --shared|",
	      "every open option to its flag, in order (fileloopctl checks values and conflicts)");
	PARSE("d /d.img none partscan,ro", "d /d.img ask|--partscan --read-only|",
	      "partscan");
	PARSE("v /v.img /etc/k luks,keyfile-offset=100,keyfile-size=64",
	      "v /v.img /etc/k|--key-file /etc/k --luks --keyfile-offset 100 --keyfile-size 64|",
	      "keyfile-offset= and keyfile-size= (crypttab's)");
	PARSE("v /v.img /etc/k keyfile-size=",
	      "error: option keyfile-size= needs a value",
	      "keyfile-size= without its value");
	PARSE("a#b=c /x none", "a#b=c /x ask||", "punctuation a dm name allows");
	PARSE("vault", "error: one field, not NAME IMAGE KEY [OPTIONS]", "one field");
	PARSE("vault /x", "error: two fields, not NAME IMAGE KEY [OPTIONS]", "two fields");
	PARSE("vault /x none luks extra",
	      "error: more than 4 fields (NAME IMAGE KEY OPTIONS)", "five fields");
	PARSE("vault x.img none", "error: image 'x.img' is not an absolute path",
	      "relative image");
	PARSE("vault /x k", "error: key file 'k' is not an absolute path",
	      "relative key file");
	PARSE("vault /x%i none",
	      "error: image '/x%i' has a character filelooptab does not take (%, \\, quotes)",
	      "a % would be a unit specifier");
	PARSE("vault /x /k\"", "error: key file '/k\"' has a character filelooptab does not take (%, \\, quotes)",
	      "a quote in the key file");
	PARSE("-v /x none", "error: device name '-v' starts with '-'",
	      "a name that reads as an option");
	PARSE("a/b /x none",
	      "error: 'a/b' is not a device name (letters, digits and #+-.:=@_)",
	      "a / in the name");
	PARSE("vault /x none bogus", "error: unknown option 'bogus'",
	      "unknown option");
	PARSE("vault /x none luks,offset=", "error: option offset= needs a value",
	      "a value option without its value");
	PARSE("vault /x none lukswhat", "error: unknown option 'lukswhat'",
	      "a prefix of a flag is not the flag");
}

/*
 * A line's options as fileloopctl open takes them (cmd_open_tab's argv:
 * the line's options, then the verb and name, then the image): 0 and o,
 * which points into e (the caller frees it), or the message in err.
 */
static int open_line(const char *line, struct fl_tab_entry *e,
		     struct fl_opts *o, char *err, size_t errlen)
{
	char *argv[32] = { "fileloopctl" };
	int argc = 1, r;
	size_t i;

	r = fl_tab_parse_line(line, 1, e, err, errlen);
	if (r)
		return r;
	for (i = 0; i < e->nopts && argc < 28; i++)
		argv[argc++] = e->opts[i];
	argv[argc++] = "open";
	argv[argc++] = e->name;
	argv[argc++] = e->image;
	return fl_opts_parse(argc, argv, fl_action_types, o, err, errlen);
}

/* What fileloopctl open makes of keyfile-size= and keyfile-offset=. */
static void test_keyfile_opts(void)
{
	struct fl_tab_entry e;
	struct fl_opts o;
	char err[256];

	is_int(open_line("v /v.img /etc/k luks,keyfile-size=64,keyfile-offset=100",
			 &e, &o, err, sizeof(err)), 0,
	       "keyfile options parse as fileloopctl open's");
	is_str(o.key_file, "/etc/k", "the line's key file");
	is_u64(o.keyfile_size, 64, "keyfile-size=64: 64 bytes of it");
	is_u64(o.keyfile_offset, 100, "keyfile-offset=100: after 100 bytes");
	fl_tab_entry_free(&e);
	is_int(open_line("v /v.img none keyfile-size=64", &e, &o, err,
			 sizeof(err)), -EINVAL,
	       "keyfile-size= with KEY none is refused by open");
	is_str(err, "--keyfile-size needs --key-file", "with fileloopctl's reason");
	fl_tab_entry_free(&e);
	is_int(open_line("v /v.img /etc/k keyfile-size=0", &e, &o, err,
			 sizeof(err)), -EINVAL, "keyfile-size=0 is refused by open");
	is_str(err, "--keyfile-size must not be zero", "with fileloopctl's reason");
	fl_tab_entry_free(&e);
}

static void test_find(void)
{
	char path[] = "/tmp/test_tab.XXXXXX", err[256];
	struct fl_tab_entry e;
	unsigned line;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	ok(f != NULL, "temporary filelooptab");
	if (!f)
		return;
	fputs("# a comment\n\nbroken\nvault2 /b none\nvault /a /k ro\nvault /c none\nbad /x none what\n#x /y none\n",
	      f);
	fclose(f);
	is_int(fl_tab_find(path, "vault", &line, &e, err, sizeof(err)), 0,
	       "vault found past a bad line that is not its own");
	is_str(e.image, "/a", "the first line naming vault");
	is_int(line, 5, "on line 5");
	fl_tab_entry_free(&e);
	is_int(fl_tab_find(path, "vault2", &line, &e, err, sizeof(err)), 0,
	       "a name that is a prefix of another is its own");
	is_str(e.image, "/b", "vault2's line");
	fl_tab_entry_free(&e);
	is_int(fl_tab_find(path, "bad", &line, &e, err, sizeof(err)), -EINVAL,
	       "its own bad line: -EINVAL");
	is_str(err, "unknown option 'what'", "with the reason");
	is_int(line, 7, "and its line");
	is_int(fl_tab_find(path, "vaul", &line, &e, err, sizeof(err)), -ENOENT,
	       "no line: -ENOENT");
	is_int(fl_tab_find(path, "#x", &line, &e, err, sizeof(err)), -ENOENT,
	       "a comment names no device, even one whose name starts with #");
	unlink(path);
	is_int(fl_tab_find(path, "vault", &line, &e, err, sizeof(err)), -ENOENT,
	       "no file: -ENOENT");
}

static void test_units(void)
{
	struct fl_tab_entry e;
	char err[256], name[128], *text = NULL;
	size_t len = 0;
	FILE *f;

	is_str(escape("vault"), "vault", "plain name unescaped");
	is_str(escape("a-b"), "a\\x2db", "- escaped (systemd-escape)");
	is_str(escape(".a.b"), "\\x2ea.b", "a leading . escaped, others kept");
	is_str(escape("x#y=z@w+v:u_t"), "x\\x23y\\x3dz\\x40w\\x2bv:u_t",
	       "# = @ + escaped, : _ kept");
	is_str(escape("dev/mapper"), "dev-mapper", "/ to -");
	is_str(escape("0123456789012345678901234567890123456789012345678901234567890"),
	       "ENAMETOOLONG", "too long for the buffer");
	ok(!fl_unit_name("a-b", name, sizeof(name)) &&
	   !strcmp(name, "fileloop@a\\x2db.service"), "unit name");
	ok(!fl_unit_device("a-b", ".device", name, sizeof(name)) &&
	   !strcmp(name, "dev-mapper-a\\x2db.device"), "device unit name");
	ok(!fl_unit_device(".a", ".device", name, sizeof(name)) &&
	   !strcmp(name, "dev-mapper-.a.device"),
	   "a leading dot of the name is kept in the path's unit (systemd-escape --path)");

	is_int(fl_tab_parse_line("a-b /srv/a.img none luks", 3, &e, err,
				 sizeof(err)), 0, "a line to write");
	f = open_memstream(&text, &len);
	is_int(fl_unit_write(f, &e, "/etc/filelooptab", "/usr/sbin/fileloopctl"),
	       0, "unit written");
	fclose(f);
	is_str(text,
	       "# Made by fileloop-generator from /etc/filelooptab, line 3.\n"
	       "[Unit]\n"
	       "Description=fileloop device a-b\n"
	       "Documentation=man:filelooptab(5) man:fileloopctl(8)\n"
	       "SourcePath=/etc/filelooptab\n"
	       "DefaultDependencies=no\n"
	       "IgnoreOnIsolate=true\n"
	       "After=systemd-udevd-kernel.socket systemd-modules-load.service\n"
	       "Wants=blockdev@dev-mapper-a\\x2db.target\n"
	       "Before=blockdev@dev-mapper-a\\x2db.target fileloop.target umount.target\n"
	       "Conflicts=umount.target\n"
	       "RequiresMountsFor=/srv/a.img\n"
	       "\n"
	       "[Service]\n"
	       "Type=oneshot\n"
	       "RemainAfterExit=yes\n"
	       "TimeoutSec=0\n"
	       "ExecStart=/usr/sbin/fileloopctl open --ask-password a-b\n"
	       "ExecStop=/usr/sbin/fileloopctl close a-b\n",
	       "no key file: the agents asked; the default filelooptab");
	free(text);
	fl_tab_entry_free(&e);

	is_int(fl_tab_parse_line("v /srv/v.img /etc/k", 1, &e, err,
				 sizeof(err)), 0, "a line with a key file");
	text = NULL;
	f = open_memstream(&text, &len);
	fl_unit_write(f, &e, "/tmp/tab", "/sbin/fileloopctl");
	fclose(f);
	ok(strstr(text, "RequiresMountsFor=/srv/v.img /etc/k\n") != NULL,
	   "the key file's filesystem mounted first too");
	ok(strstr(text, "Environment=FILELOOPTAB=/tmp/tab\n") != NULL,
	   "another filelooptab passed on");
	ok(strstr(text, "ExecStart=/sbin/fileloopctl open v\n") != NULL,
	   "a key file: no agent");
	free(text);
	fl_tab_entry_free(&e);

	is_int(fl_tab_parse_line("v /srv/v.img - luks,file=/mnt/b/w.img,file=/mnt/c/x:y.img:1M:0",
				 1, &e, err, sizeof(err)), 0,
	       "a line with two file= options");
	is_int((int)e.nopts, 5, "--luks --file W --file X");
	is_str(e.opts[1], "--file", "file= is --file");
	is_str(e.opts[4], "/mnt/c/x:y.img:1M:0", "its value as written");
	text = NULL;
	f = open_memstream(&text, &len);
	fl_unit_write(f, &e, FL_TAB_PATH, "/sbin/fileloopctl");
	fclose(f);
	ok(strstr(text, "RequiresMountsFor=/srv/v.img /mnt/b/w.img /mnt/c/x:y.img\n") != NULL,
	   "every file's filesystem mounted first, OFFSET:SIZE dropped");
	free(text);
	fl_tab_entry_free(&e);
}

int main(void)
{
	test_lines();
	test_keyfile_opts();
	test_find();
	test_units();
	return done_testing();
}
