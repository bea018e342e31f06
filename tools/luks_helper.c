// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LUKS2 via libcryptsetup; see luks_helper.h.
 */
#include <errno.h>
#include <string.h>

#include "fl_cryptlib.h"
#include "fl_dm.h"
#include "luks_helper.h"

/* "aes-xts-plain64" -> "aes" + "xts-plain64", as cryptsetup splits it. */
static int split_cipher(const char *spec, char *cipher, size_t clen,
			char *mode, size_t mlen)
{
	const char *dash = strchr(spec, '-');
	size_t n;

	if (!dash || dash == spec || !dash[1])
		return -EINVAL;
	n = (size_t)(dash - spec);
	if (n >= clen || strlen(dash + 1) >= mlen)
		return -EINVAL;
	memcpy(cipher, spec, n);
	cipher[n] = '\0';
	strcpy(mode, dash + 1);
	return 0;
}

static int set_pbkdf(struct crypt_device *cd, const struct luks_format_params *p,
		     struct crypt_pbkdf_type *pbkdf)
{
	const struct crypt_pbkdf_type *def =
		sym_crypt_get_pbkdf_default(CRYPT_LUKS2);

	if (!def)
		return -EINVAL;
	*pbkdf = *def;
	if (p->pbkdf)
		pbkdf->type = p->pbkdf;
	if (!strcmp(pbkdf->type, CRYPT_KDF_PBKDF2)) {
		/* PBKDF2 has no memory or thread cost; libcryptsetup insists. */
		pbkdf->max_memory_kb = 0;
		pbkdf->parallel_threads = 0;
	} else if (strcmp(pbkdf->type, CRYPT_KDF_ARGON2ID) &&
		   strcmp(pbkdf->type, CRYPT_KDF_ARGON2I)) {
		return -EINVAL;
	} else if (p->pbkdf_memory_kb) {
		pbkdf->max_memory_kb = p->pbkdf_memory_kb;
	}
	if (p->iter_time_ms)
		pbkdf->time_ms = p->iter_time_ms;
	if (p->pbkdf_iterations) {
		/* What cryptsetup --pbkdf-force-iterations does. */
		pbkdf->iterations = p->pbkdf_iterations;
		pbkdf->time_ms = 0;
		pbkdf->flags |= CRYPT_PBKDF_NO_BENCHMARK;
	}
	return sym_crypt_set_pbkdf_type(cd, pbkdf);
}

/* libcryptsetup resets libdevmapper's log when its last context goes. */
static void luks_free(struct crypt_device *cd)
{
	sym_crypt_free(cd);
	fl_dm_log_restore();
}

int luks_format(const char *device, const struct luks_format_params *p,
		const char *pass, size_t pass_len)
{
	struct crypt_params_luks2 params = { 0 };
	struct crypt_pbkdf_type pbkdf;
	struct crypt_device *cd = NULL;
	char cipher[32], mode[64];
	unsigned key_bits = p->key_bits ? p->key_bits : LUKS_DEFAULT_KEY_BITS;
	int r;

	if (key_bits % 8)
		return -EINVAL;
	r = fl_cryptlib_load();
	if (r)
		return r;
	r = split_cipher(p->cipher ? p->cipher : LUKS_DEFAULT_CIPHER,
			 cipher, sizeof(cipher), mode, sizeof(mode));
	if (r)
		return r;
	r = sym_crypt_init(&cd, device);
	if (r < 0)
		return r;
	r = set_pbkdf(cd, p, &pbkdf);
	if (r < 0)
		goto out;
	params.pbkdf = &pbkdf;
	/* NULL volume key: libcryptsetup generates it from its RNG. */
	r = sym_crypt_format(cd, CRYPT_LUKS2, cipher, mode, NULL, NULL,
			     key_bits / 8, &params);
	if (r < 0)
		goto out;
	r = sym_crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0,
						pass, pass_len);
out:
	luks_free(cd);
	return r < 0 ? r : 0;
}

int luks_open(const char *device, const char *name, const char *pass,
	      size_t pass_len, bool read_only)
{
	struct crypt_device *cd = NULL;
	int r;

	r = fl_cryptlib_load();
	if (r)
		return r;
	r = sym_crypt_init(&cd, device);
	if (r < 0)
		return r;
	/* CRYPT_LUKS: LUKS1 containers made by older tools open too. */
	r = sym_crypt_load(cd, CRYPT_LUKS, NULL);
	if (r < 0)
		goto out;
	r = sym_crypt_activate_by_passphrase(cd, name, CRYPT_ANY_SLOT, pass,
					     pass_len, read_only ?
					     CRYPT_ACTIVATE_READONLY : 0);
out:
	luks_free(cd);
	return r < 0 ? r : 0;
}

int luks_open_token(const char *device, const char *name, bool read_only,
		    int *token)
{
	struct crypt_device *cd = NULL;
	int r;

	*token = -1;
	r = fl_cryptlib_load();
	if (r)
		return r;
	r = sym_crypt_init(&cd, device);
	if (r < 0)
		return r;
	/* Only LUKS2 has tokens: LUKS1 has none to try. */
	r = sym_crypt_load(cd, CRYPT_LUKS, NULL);
	if (r >= 0 && !sym_crypt_get_type(cd))
		r = -EINVAL;
	if (r >= 0 && strcmp(sym_crypt_get_type(cd), CRYPT_LUKS2))
		r = -ENOENT;
	if (r < 0)
		goto out;
	r = sym_crypt_activate_by_token(cd, name, CRYPT_ANY_TOKEN, NULL,
					read_only ? CRYPT_ACTIVATE_READONLY : 0);
out:
	luks_free(cd);
	if (r < 0)
		return r;
	*token = r;
	return 0;
}

bool luks_token_fallback(int r)
{
	return r == -ENOENT || r == -EPERM || r == -ENOANO || r == -EAGAIN;
}

/* A LUKS2 header loaded from device, for the token calls. */
static int load_luks2(const char *device, struct crypt_device **cd)
{
	int r;

	*cd = NULL;
	r = fl_cryptlib_load();
	if (r)
		return r;
	r = sym_crypt_init(cd, device);
	if (r < 0)
		return r;
	r = sym_crypt_load(*cd, CRYPT_LUKS2, NULL);
	if (r < 0) {
		luks_free(*cd);
		*cd = NULL;
	}
	return r < 0 ? r : 0;
}

int luks_token_add_keyring(const char *device, const char *description,
			   int keyslot, int *token)
{
	const struct crypt_token_params_luks2_keyring params = {
		.key_description = description,
	};
	struct crypt_device *cd;
	int r, id;

	*token = -1;
	r = load_luks2(device, &cd);
	if (r)
		return r;
	if (keyslot >= 0 &&
	    sym_crypt_keyslot_status(cd, keyslot) != CRYPT_SLOT_ACTIVE &&
	    sym_crypt_keyslot_status(cd, keyslot) != CRYPT_SLOT_ACTIVE_LAST) {
		r = -ENOENT;
		goto out;
	}
	id = sym_crypt_token_luks2_keyring_set(cd, CRYPT_ANY_TOKEN, &params);
	if (id < 0) {
		r = id;
		goto out;
	}
	r = sym_crypt_token_assign_keyslot(cd, id, keyslot < 0 ?
					   CRYPT_ANY_SLOT : keyslot);
	if (r < 0) {
		/* A token bound to nothing would never open anything. */
		sym_crypt_token_json_set(cd, id, NULL);
		goto out;
	}
	*token = id;
	r = 0;
out:
	luks_free(cd);
	return r < 0 ? r : 0;
}

int luks_token_remove(const char *device, int token)
{
	struct crypt_device *cd;
	crypt_token_info info;
	int r;

	r = load_luks2(device, &cd);
	if (r)
		return r;
	info = sym_crypt_token_status(cd, token, NULL);
	if (info == CRYPT_TOKEN_INVALID || info == CRYPT_TOKEN_INACTIVE)
		r = -ENOENT;
	else
		r = sym_crypt_token_json_set(cd, token, NULL);
	luks_free(cd);
	return r < 0 ? r : 0;
}

int luks_close(const char *name)
{
	struct crypt_device *cd = NULL;
	int r;

	r = fl_cryptlib_load();
	if (r)
		return r;
	r = sym_crypt_init_by_name(&cd, name);
	if (r < 0)
		return r;
	r = sym_crypt_deactivate(cd, name);
	luks_free(cd);
	return r < 0 ? r : 0;
}

int luks_resize_needs_key(const char *name, bool *needs)
{
	struct crypt_active_device cad;
	struct crypt_device *cd = NULL;
	int r;

	*needs = false;
	r = fl_cryptlib_load();
	if (r)
		return r;
	r = sym_crypt_init_by_name(&cd, name);
	if (r < 0)
		return r;
	r = sym_crypt_get_active_device(cd, name, &cad);
	if (!r)
		*needs = cad.flags & CRYPT_ACTIVATE_KEYRING_KEY;
	luks_free(cd);
	return r < 0 ? r : 0;
}

/*
 * Grow name; with token, the key comes from a token (pass is NULL) as
 * from a passphrase below.
 */
static int resize(const char *name, bool token, const char *pass,
		  size_t pass_len)
{
	struct crypt_device *cd = NULL;
	int r;

	r = fl_cryptlib_load();
	if (r)
		return r;
	r = sym_crypt_init_by_name(&cd, name);
	if (r < 0)
		return r;
	if (token) {
		r = sym_crypt_activate_by_token(cd, NULL, CRYPT_ANY_TOKEN, NULL,
						CRYPT_ACTIVATE_KEYRING_KEY);
		if (r < 0)
			goto out;
	} else if (pass) {
		/*
		 * The dm-crypt table only names a keyring key; a reload
		 * needs the key itself in the keyring, and a NULL name with
		 * CRYPT_ACTIVATE_KEYRING_KEY loads it without activating.
		 */
		r = sym_crypt_activate_by_passphrase(cd, NULL, CRYPT_ANY_SLOT,
						     pass, pass_len,
						     CRYPT_ACTIVATE_KEYRING_KEY);
		if (r < 0)
			goto out;
	}
	/* Size 0: fill the (already grown) underlying device. */
	r = sym_crypt_resize(cd, name, 0);
out:
	luks_free(cd);
	return r < 0 ? r : 0;
}

int luks_resize(const char *name, const char *pass, size_t pass_len)
{
	return resize(name, false, pass, pass_len);
}

int luks_resize_token(const char *name)
{
	return resize(name, true, NULL, 0);
}

int luks_token_check(const char *name)
{
	struct crypt_device *cd = NULL;
	int r;

	r = fl_cryptlib_load();
	if (r)
		return r;
	r = sym_crypt_init_by_name(&cd, name);
	if (r < 0)
		return r;
	/* A NULL name activates nothing: it only tries the tokens. */
	r = sym_crypt_activate_by_token(cd, NULL, CRYPT_ANY_TOKEN, NULL, 0);
	luks_free(cd);
	return r < 0 ? r : 0;
}

bool luks_uuid_is_luks(const char *dm_uuid)
{
	return !strncmp(dm_uuid, "CRYPT-LUKS", 10);
}
