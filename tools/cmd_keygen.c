// SPDX-License-Identifier: GPL-2.0-or-later
/* fileloopctl keygen FILE: a random key file, 0600, never overwritten. */
#include <errno.h>
#include <inttypes.h>

#include "cmd.h"
#include "fl_passphrase.h"

int cmd_keygen(const struct fl_opts *o)
{
	int r = fl_keygen(o->args[0], o->size);

	if (r == -EEXIST) {
		cmd_msg("%s exists; keygen never overwrites a key file",
			o->args[0]);
		return FL_EXIT_BUSY;
	}
	if (r)
		return cmd_fail(r, "cannot write key file %s", o->args[0]);
	cmd_info("wrote %" PRIu64 " random bytes to %s (mode 0600)", o->size,
		 o->args[0]);
	return 0;
}
