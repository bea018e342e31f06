// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fl_size.h"
#include "fl_table.h"

bool fl_block_size_valid(unsigned bs)
{
	return bs == 512 || bs == 1024 || bs == 2048 || bs == 4096;
}

const char *fl_io_mode_name(enum fl_io_mode io)
{
	switch (io) {
	case FL_IO_DIRECT:
		return "direct";
	case FL_IO_BUFFERED:
		return "buffered";
	case FL_IO_AUTO:
		break;
	}
	return "auto";
}

char *fl_path_escape(const char *path)
{
	size_t n = 0;
	const char *s;
	char *out, *o;

	for (s = path; *s; s++)
		n += strchr(FILELOOP_PATH_ESCAPE, *s) ? 4 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (s = path, o = out; *s; s++) {
		if (strchr(FILELOOP_PATH_ESCAPE, *s)) {
			unsigned char c = (unsigned char)*s;

			*o++ = '\\';
			*o++ = (char)('0' + (c >> 6));
			*o++ = (char)('0' + ((c >> 3) & 7));
			*o++ = (char)('0' + (c & 7));
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

int fl_path_unescape(const char *in, char **out)
{
	char *buf, *o;

	buf = malloc(strlen(in) + 1);
	if (!buf)
		return -ENOMEM;
	for (o = buf; *in; o++) {
		unsigned v;

		if (*in != '\\') {
			*o = *in++;
			continue;
		}
		if (!is_odigit(in[1]) || !is_odigit(in[2]) || !is_odigit(in[3]))
			goto bad;
		v = (unsigned)(in[1] - '0') << 6 |
		    (unsigned)(in[2] - '0') << 3 | (unsigned)(in[3] - '0');
		if (v == 0 || v > 0xff)
			goto bad;
		*o = (char)v;
		in += 4;
	}
	*o = '\0';
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

int fl_params_format(const struct fl_params *p, char **out)
{
	char features[64] = "";
	unsigned nargs = 0;
	size_t len = 0;
	char *path;
	int r;

	if (!p->path || p->path[0] != '/')
		return -EINVAL;
	if (p->block_size && !fl_block_size_valid(p->block_size))
		return -EINVAL;

	/* Canonical order, the one the target's TABLE status uses. */
	if (p->io != FL_IO_AUTO) {
		nargs++;
		len += (size_t)snprintf(features + len, sizeof(features) - len,
					" %s", p->io == FL_IO_DIRECT ?
					FILELOOP_FEATURE_DIRECT_IO :
					FILELOOP_FEATURE_BUFFERED_IO);
	}
	if (p->block_size) {
		nargs += 2;
		len += (size_t)snprintf(features + len, sizeof(features) - len,
					" " FILELOOP_FEATURE_BLOCK_SIZE " %u",
					p->block_size);
	}
	if (p->no_discard) {
		nargs++;
		len += (size_t)snprintf(features + len, sizeof(features) - len,
					" " FILELOOP_FEATURE_NO_DISCARD);
	}
	if (p->shared) {
		nargs++;
		snprintf(features + len, sizeof(features) - len,
			 " " FILELOOP_FEATURE_SHARED);
	}

	path = fl_path_escape(p->path);
	if (!path)
		return -ENOMEM;
	if (nargs)
		r = asprintf(out, "%s %" PRIu64 " %u%s", path, p->offset,
			     nargs, features);
	else
		r = asprintf(out, "%s %" PRIu64, path, p->offset);
	free(path);
	return r < 0 ? -ENOMEM : 0;
}

int fl_table_line(uint64_t length, const struct fl_params *p, char **out)
{
	char *params;
	int r;

	r = fl_params_format(p, &params);
	if (r)
		return r;
	r = asprintf(out, "0 %" PRIu64 " " FILELOOP_TARGET_NAME " %s", length, params);
	free(params);
	return r < 0 ? -ENOMEM : 0;
}

/* The target separates fields with single spaces; anything else is not ours. */
static char *next_field(char **s)
{
	char *f = *s, *sp;

	if (!f || !*f)
		return NULL;
	sp = strchr(f, ' ');
	if (sp) {
		*sp = '\0';
		*s = sp + 1;
		if (!**s)
			return NULL;	/* trailing space */
	} else {
		*s = NULL;
	}
	return *f ? f : NULL;
}

static int parse_features(char **s, struct fl_params *p)
{
	uint64_t nargs, i;
	char *f;

	f = next_field(s);
	if (!f || fl_parse_u64(f, &nargs) || !nargs ||
	    nargs > FILELOOP_MAX_FEATURE_ARGS)
		return -EINVAL;
	for (i = 0; i < nargs; i++) {
		f = next_field(s);
		if (!f)
			return -EINVAL;
		if (!strcasecmp(f, FILELOOP_FEATURE_DIRECT_IO) ||
		    !strcasecmp(f, FILELOOP_FEATURE_BUFFERED_IO)) {
			if (p->io != FL_IO_AUTO)
				return -EINVAL;
			p->io = strcasecmp(f, FILELOOP_FEATURE_DIRECT_IO) ?
				FL_IO_BUFFERED : FL_IO_DIRECT;
		} else if (!strcasecmp(f, FILELOOP_FEATURE_BLOCK_SIZE)) {
			uint32_t bs;

			f = next_field(s);
			if (p->block_size || ++i == nargs || !f ||
			    fl_parse_u32(f, 512, 4096, &bs) ||
			    !fl_block_size_valid(bs))
				return -EINVAL;
			p->block_size = bs;
		} else if (!strcasecmp(f, FILELOOP_FEATURE_NO_DISCARD)) {
			if (p->no_discard)
				return -EINVAL;
			p->no_discard = true;
		} else if (!strcasecmp(f, FILELOOP_FEATURE_SHARED)) {
			if (p->shared)
				return -EINVAL;
			p->shared = true;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

int fl_params_parse(const char *s, struct fl_params *p)
{
	char *copy, *cur, *f;
	int r = -EINVAL;

	memset(p, 0, sizeof(*p));
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	cur = copy;

	f = next_field(&cur);
	if (!f)
		goto out;
	r = fl_path_unescape(f, &p->path);
	if (r)
		goto out;
	r = -EINVAL;
	if (p->path[0] != '/')
		goto out;
	f = next_field(&cur);
	if (!f || fl_parse_u64(f, &p->offset))
		goto out;
	if (cur && parse_features(&cur, p))
		goto out;
	if (cur)
		goto out;
	r = 0;
out:
	free(copy);
	if (r)
		fl_params_free(p);
	return r;
}

void fl_params_free(struct fl_params *p)
{
	free(p->path);
	memset(p, 0, sizeof(*p));
}

int fl_target_compat(const unsigned version[3], const struct fl_params *p)
{
	if (version[0] != FILELOOP_VERSION_MAJOR)
		return -EPROTONOSUPPORT;
	if (p && p->shared && version[1] < 1)
		return -EOPNOTSUPP;
	return 0;
}

/* "<major>:<minor>" */
static int parse_file_dev(const char *f, struct fl_stats *st)
{
	const char *colon = strchr(f, ':');
	char major[16];
	uint32_t maj, min;

	if (!colon || colon == f || (size_t)(colon - f) >= sizeof(major))
		return -EINVAL;
	memcpy(major, f, (size_t)(colon - f));
	major[colon - f] = '\0';
	if (fl_parse_u32(major, 0, UINT32_MAX, &maj) ||
	    fl_parse_u32(colon + 1, 0, UINT32_MAX, &min))
		return -EINVAL;
	st->file_major = maj;
	st->file_minor = min;
	return 0;
}

/* One INFO field, by its name in FILELOOP_INFO_FIELDS. */
static int parse_info_field(const char *name, const char *f,
			    struct fl_stats *st)
{
	static const struct {
		const char *name;
		size_t offset;
	} counters[] = {
		{ "reads", offsetof(struct fl_stats, reads) },
		{ "writes", offsetof(struct fl_stats, writes) },
		{ "flushes", offsetof(struct fl_stats, flushes) },
		{ "fua", offsetof(struct fl_stats, fua) },
		{ "discards", offsetof(struct fl_stats, discards) },
		{ "write_zeroes", offsetof(struct fl_stats, write_zeroes) },
		{ "errors", offsetof(struct fl_stats, errors) },
		{ "retries", offsetof(struct fl_stats, retries) },
		{ "file_ino", offsetof(struct fl_stats, file_ino) },
	};
	size_t i;

	if (!strcmp(name, "io_mode")) {
		if (!strcmp(f, "direct"))
			st->io = FL_IO_DIRECT;
		else if (!strcmp(f, "buffered"))
			st->io = FL_IO_BUFFERED;
		else
			return -EINVAL;
		return 0;
	}
	if (!strcmp(name, "file_dev"))
		return parse_file_dev(f, st);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (!strcmp(name, counters[i].name))
			return fl_parse_u64(f, (uint64_t *)((char *)st +
						counters[i].offset));
	return -EINVAL;		/* a field this tool does not know */
}

int fl_stats_parse(const char *s, struct fl_stats *st)
{
	const char *names = FILELOOP_INFO_FIELDS;
	char *copy, *cur, *f, name[32];
	unsigned n = 0;
	size_t len;
	int r = -EINVAL;

	memset(st, 0, sizeof(*st));
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	cur = copy;

	for (; *names; names += len + (names[len] == ' ')) {
		len = strcspn(names, " ");
		if (len >= sizeof(name))
			goto out;
		memcpy(name, names, len);
		name[len] = '\0';
		f = next_field(&cur);
		if (!f) {
			/* An older target stops early, never in a pair. */
			if (!cur && n == FILELOOP_INFO_FIELDS_1_0)
				r = 0;
			goto out;
		}
		if (parse_info_field(name, f, st))
			goto out;
		n++;
	}
	if (!cur) {
		st->have_file_id = true;
		r = 0;
	}
out:
	free(copy);
	return r;
}
