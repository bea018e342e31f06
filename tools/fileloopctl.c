// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl: file-backed block devices through device-mapper's fileloop
 * target, with LUKS2 on top.  This file is the front door: parse, help,
 * root check, library log routing, dispatch to fl_action_types[] (cmd_verbs.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "cmd.h"
#include "fl_cryptlib.h"
#include "fl_dm.h"
#include "fl_opts.h"
#include "fl_passphrase.h"
#include "fl_show.h"

#ifndef FL_VERSION
#define FL_VERSION "0.1"
#endif

static const char exit_help[] =
	"Exit status:\n"
	"  0  success\n"
	"  1  bad command line or invalid input\n"
	"  2  not root, or permission denied\n"
	"  3  busy, or the name or file exists already\n"
	"  4  no such device, file or directory\n"
	"  5  no key slot opens with this passphrase\n"
	"  6  other failure (I/O error, the kernel refused the table, ...)\n";

static void usage(FILE *out)
{
	const struct fl_verb *v;

	fprintf(out, "Usage: fileloopctl COMMAND [OPTIONS] ARGS\n\n"
		"File-backed block devices through device-mapper, with LUKS2.\n\n"
		"Commands:\n");
	for (v = fl_action_types; v->name; v++)
		fprintf(out, "  %-7s %-22s %s\n", v->name, v->args, v->summary);
	fprintf(out, "\nOptions for all commands:\n"
		"  -v, --verbose            say what is done; show library errors\n"
		"      --debug              libdevmapper and libcryptsetup debug output\n"
		"  -h, --help               help (fileloopctl COMMAND --help for one)\n"
		"  -V, --version            version\n\n"
		"Sizes take K, M, G, T (binary) suffixes.  Passphrases are read\n"
		"from the terminal, the first line of stdin, or --key-file FILE|-;\n"
		"never from the command line.\n\n%s"
		"\nSee fileloopctl(8).\n", exit_help);
}

static void verb_help(const struct fl_verb *v)
{
	printf("Usage: fileloopctl %s %s\n\n%s.\n", v->name, v->args,
	       v->summary);
	if (v->help && *v->help)
		printf("\nOptions:\n%s", v->help);
	printf("  -v, --verbose            say what is done\n"
	       "  -h, --help               this help\n");
	if (v->opts & OPTBIT(OPT_OUTPUT)) {
		printf("\nColumns:\n");
		fl_show_columns_help(stdout);
	}
	printf("\n%s", exit_help);
}

/*
 * The libraries' messages are theirs to log and ours to show: by default
 * the CLI's own message says what failed; -v adds the library's errors,
 * --debug everything.
 */
static void cli_dm_log(int level, const char *file, int line, int dm_errno,
		   const char *f, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno;
	if (fl_verbose < 2 && !(fl_verbose == 1 && level <= 3 /* _LOG_ERR */))
		return;
	fputs("libdevmapper: ", stderr);
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void cli_crypt_log(int level, const char *text, void *priv)
{
	(void)priv;
	if (fl_verbose < 2 && !(fl_verbose == 1 && level == CRYPT_LOG_ERROR))
		return;
	fprintf(stderr, "libcryptsetup: %s%s", text,
		text[0] && text[strlen(text) - 1] == '\n' ? "" : "\n");
}

/* What we were run as: fileloopctl, or a mount helper. */
static const char *prog_name(const char *argv0)
{
	const char *s = strrchr(argv0, '/');

	return s ? s + 1 : argv0;
}

static int run(int argc, char *argv[]);

int main(int argc, char *argv[])
{
	const char *prog = prog_name(argv[0]);
	struct fl_mount_argv m = { 0 };
	int r;

	if (strcmp(prog, FL_MOUNT_HELPER) && strcmp(prog, FL_UMOUNT_HELPER))
		return run(argc, argv);
	r = !strcmp(prog, FL_MOUNT_HELPER) ?
		cmd_mount_helper_argv(argc, argv, &m) :
		cmd_umount_helper_argv(argc, argv, &m);
	if (!r && !m.fake)
		r = run(m.argc, m.argv);
	fl_mount_argv_free(&m);
	return r;
}

static int run(int argc, char *argv[])
{
	struct fl_opts o;
	char err[256];
	int r;

	/*
	 * Before anything else: secrets in this process's memory (a typed
	 * passphrase, cryptsetup's volume key) must never reach a core file.
	 * A warning, not a refusal: --help and list hold no secret.
	 */
	r = fl_secrets_no_core();
	if (r)
		fprintf(stderr,
			"fileloopctl: warning: cannot keep secrets out of core dumps: %s\n",
			strerror(-r));
	if (fl_opts_parse(argc, argv, fl_action_types, &o, err, sizeof(err))) {
		fprintf(stderr, "fileloopctl: %s\n", err);
		return FL_EXIT_USAGE;
	}
	if (fl_opt_set(&o, OPT_VERSION)) {
		printf("fileloopctl %s\n", FL_VERSION);
		return 0;
	}
	if (fl_opt_set(&o, OPT_HELP)) {
		if (o.verb)
			verb_help(o.verb);
		else
			usage(stdout);
		return 0;
	}
	fl_verbose = fl_opt_set(&o, OPT_DEBUG) ? 2 : o.verbose ? 1 : 0;
	fl_dm_set_log(cli_dm_log, fl_verbose >= 2 ? 7 : 0);
	fl_cryptlib_set_log(cli_crypt_log, fl_verbose >= 2);

	/* Up front, before any half-done work can fail on EPERM. */
	if (o.verb->needs_root && geteuid() != 0) {
		fprintf(stderr,
			"fileloopctl: %s needs root (device-mapper requires CAP_SYS_ADMIN); run it with sudo\n",
			o.verb->name);
		return FL_EXIT_PERM;
	}
	if (o.verb->needs_root && fl_dm_available()) {
		fprintf(stderr,
			"fileloopctl: device-mapper is not available (no /dev/mapper/control; modprobe dm-mod)\n");
		return FL_EXIT_FAIL;
	}
	if (o.verb->run == cmd_open && o.nargs == 1)
		return cmd_open_tab(argc, argv, o.args[0]);
	return o.verb->run(&o);
}
