// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LUKS2 keyring tokens on an image file (no device-mapper needed): added
 * for every active key slot or one, refused for an empty slot, removed
 * once; checked in the header's JSON area as cryptsetup wrote it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "luks_helper.h"
#include "tap.h"

/* The JSON area of the first LUKS2 header, NULs dropped. */
static char json[16384];

static void read_json(const char *img)
{
	char buf[12288];
	ssize_t got = -1;
	size_t i, n = 0;
	int fd = open(img, O_RDONLY);

	if (fd >= 0)
		got = pread(fd, buf, sizeof(buf), 4096);
	if (fd >= 0)
		close(fd);
	for (i = 0; got > 0 && i < (size_t)got && n + 1 < sizeof(json); i++)
		if (buf[i])
			json[n++] = buf[i];
	json[n] = '\0';
}

/* The text of token id in json ("" if there is none), into out. */
static const char *token_text(int id, char *out, size_t cap)
{
	char key[16];
	const char *t = strstr(json, "\"tokens\":{"), *s, *e;

	out[0] = '\0';
	if (!t)
		return out;
	snprintf(key, sizeof(key), "\"%d\":{", id);
	s = strstr(t, key);
	e = s ? strchr(s, '}') : NULL;
	/* Within the tokens object: before the segments that follow it. */
	if (!s || !e || (strstr(t, "\"segments\"") &&
			 s > strstr(t, "\"segments\"")))
		return out;
	snprintf(out, cap, "%.*s", (int)(e - s + 1), s);
	return out;
}

int main(void)
{
	const struct luks_format_params fp = {
		.pbkdf = "pbkdf2", .pbkdf_iterations = 1000,
	};
	static char zero[64 << 10];
	char img[] = "/tmp/fl-token.XXXXXX", t[512];
	int fd, id = -2;

	fd = mkstemp(img);
	ok(fd >= 0 && !ftruncate(fd, 20 << 20), "a 20 MiB image");
	if (fd >= 0)
		close(fd);
	is_int(luks_format(img, &fp, "pw", 2), 0, "formatted LUKS2, key slot 0");

	is_int(luks_token_add_keyring(img, "fl:all", -1, &id), 0,
	       "a keyring token for every active key slot");
	is_int(id, 0, "is token 0");
	read_json(img);
	token_text(0, t, sizeof(t));
	ok(strstr(t, "\"type\":\"luks2-keyring\"") &&
	   strstr(t, "\"key_description\":\"fl:all\"") &&
	   strstr(t, "\"keyslots\":[\"0\"]"),
	   "the header holds it, bound to key slot 0: %s", t);

	is_int(luks_token_add_keyring(img, "fl:one", 0, &id), 0,
	       "a token for key slot 0 alone");
	is_int(id, 1, "is token 1");

	is_int(luks_token_add_keyring(img, "fl:none", 3, &id), -ENOENT,
	       "key slot 3 is empty: refused");
	is_int(id, -1, "with no token id");
	read_json(img);
	ok(!strstr(json, "fl:none"), "and nothing written for it");

	is_int(luks_token_remove(img, 1), 0, "token 1 removed");
	read_json(img);
	ok(!strstr(json, "fl:one") && strstr(json, "fl:all"),
	   "it is gone from the header, token 0 is not");
	is_int(luks_token_remove(img, 1), -ENOENT, "removing it again: ENOENT");
	is_int(luks_token_remove(img, 31), -ENOENT, "an unused id: ENOENT");

	/* Both copies (the second at 16 KiB), or libcryptsetup repairs it. */
	fd = open(img, O_WRONLY);
	memset(zero, 0, sizeof(zero));
	ok(fd >= 0 && pwrite(fd, zero, sizeof(zero), 0) == sizeof(zero),
	   "the headers wiped");
	if (fd >= 0)
		close(fd);
	ok(luks_token_add_keyring(img, "fl:x", -1, &id) < 0,
	   "no LUKS2 header: refused");
	unlink(img);
	return done_testing();
}
