/* fuzz: object-name validation and the name <-> path mapping (fs/fqn.c). For any bytes: no
 * overread; a valid name maps to a path under %ob that holds no "." or ".." segment, no empty
 * segment and (but for the mapping's own last segment) no reserved one, and the path (and its
 * leaf form) maps back to exactly that name; an invalid one has a reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fqn.h"

#define TOP "/m/@ais/b/" FQN_CT_OBJ "/"

static void check_path(const char *rel, size_t rl, const char *name, size_t nl)
{
	if (fqn_rel_name(rel, rl) != nl || memcmp(rel, name, nl))
		abort();
	size_t seg = 0, nseg = 0;
	for (size_t i = 0; i <= rl; i++) {
		if (i < rl && rel[i] != '/')
			continue;
		size_t sl = i - seg;
		const char *s = rel + seg;
		if (!sl || (sl == 1 && s[0] == '.') || (sl == 2 && s[0] == '.' && s[1] == '.'))
			abort();
		if (fqn_reserved(s, sl) && i != rl) /* only the last segment may be reserved */
			abort();
		seg = i + 1;
		nseg++;
	}
	(void)nseg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1);
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	const char *why = fqn_invalid(name, size);
	if ((why != NULL) != (fqn_validate(name, size) != 0))
		abort();
	if (!why && (size == 0 || name[0] == '/' || memchr(name, '\0', size)))
		abort();
	if (!why) {
		static char p[FQN_MAX + 64];
		bool fntl = false;
		int n = fqn_obj(p, sizeof(p), "/m", "ais", "", "b", name, &fntl);
		if (n > 0) {
			if ((size_t)n != strlen(p) || strncmp(p, TOP, strlen(TOP)))
				abort();
			const char *rel = p + strlen(TOP);
			size_t rl = (size_t)n - strlen(TOP);
			if (fntl) {
				if (rl != FQN_SHORT_LEN || memchr(rel, '/', rl))
					abort();
			} else {
				check_path(rel, rl, name, size);
				if (name[size - 1] != '/' && fqn_leaf(p, sizeof(p), (size_t)n) > 0)
					check_path(rel, strlen(rel), name, size);
			}
		}
	}
	free(name);
	return 0;
}
