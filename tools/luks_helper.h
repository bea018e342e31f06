/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LUKS2 through libcryptsetup, the way cryptsetup itself drives it.
 * Every function returns 0 or -errno and prints nothing (libcryptsetup's
 * log goes to the callback the CLI installed).  Passphrases are passed by
 * pointer and length, never copied here, so the caller wipes the one copy.
 *
 * Error codes worth telling apart (libcryptsetup's): -EPERM means no key
 * slot opens with this passphrase, -EBUSY the device is in use, -EEXIST the
 * name is taken, -EINVAL the device holds no LUKS header we understand;
 * and -ELIBACC that libcryptsetup could not be loaded (fl_cryptlib.h).
 */
#ifndef LUKS_HELPER_H
#define LUKS_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strong defaults for a new container; tests override the PBKDF. */
#define LUKS_DEFAULT_CIPHER	"aes-xts-plain64"
#define LUKS_DEFAULT_KEY_BITS	512U

struct luks_format_params {
	const char *cipher;		/* "aes-xts-plain64"; NULL = default */
	unsigned key_bits;		/* 0 = default */
	const char *pbkdf;		/* argon2id|argon2i|pbkdf2; NULL = default */
	uint32_t pbkdf_memory_kb;	/* 0 = libcryptsetup's default */
	uint32_t pbkdf_iterations;	/* != 0: forced, no benchmark */
	uint32_t iter_time_ms;		/* 0 = libcryptsetup's default */
};

/* Format device as LUKS2 and put the passphrase in a new key slot. */
int luks_format(const char *device, const struct luks_format_params *p,
		const char *pass, size_t pass_len);
/* Unlock device (LUKS1 or LUKS2) as /dev/mapper/name. */
int luks_open(const char *device, const char *name, const char *pass,
	      size_t pass_len, bool read_only);
/*
 * Unlock device with its LUKS2 tokens, as cryptsetup open does before it
 * asks: the built-in keyring token reads the passphrase from the kernel
 * keyring under the token's key description.  The token that opened it in
 * *token.  -ENOENT: no token, or no token's key is there; -EPERM: a key
 * was there but opens no key slot; -ENOANO, -EAGAIN: a token (a plugin's)
 * wants a PIN or a device.  All four leave the passphrase to be tried.
 */
int luks_open_token(const char *device, const char *name, bool read_only,
		    int *token);
/* True for the errors of luks_open_token() after which to ask instead. */
bool luks_token_fallback(int r);
/*
 * A keyring token for the passphrase under description, bound to keyslot
 * (-1: every active key slot, as cryptsetup token add does); its id in
 * *token.  -EINVAL: not LUKS2.
 */
int luks_token_add_keyring(const char *device, const char *description,
			   int keyslot, int *token);
/* Remove token (any type); -ENOENT: there is no such token. */
int luks_token_remove(const char *device, int token);
int luks_close(const char *name);
/*
 * True when the active volume key lives in the kernel keyring: then
 * libcryptsetup cannot reload the dm-crypt table for a resize without the
 * key, and luks_resize() needs the passphrase.
 */
int luks_resize_needs_key(const char *name, bool *needs);
/* Grow name to fill its underlying device; pass may be NULL (see above). */
int luks_resize(const char *name, const char *pass, size_t pass_len);
/* The same, with the key from a LUKS2 token of name. */
int luks_resize_token(const char *name);
/*
 * Does a token of the active LUKS device name unlock it?  0, or the
 * errors of luks_open_token(); nothing is activated.
 */
int luks_token_check(const char *name);
/* True when name is an active LUKS mapping (cryptsetup's CRYPT-LUKS uuid). */
bool luks_uuid_is_luks(const char *dm_uuid);

#endif
