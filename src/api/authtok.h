/* authtok: the client's AuthN token as AIStore's api/authn.LoadToken finds it: $AIS_AUTHN_TOKEN
 * (the JWT itself), else the JSON file {"token": "..."} at $AIS_AUTHN_TOKEN_FILE or
 * ~/.config/ais/cli/auth.token. Used by the CLI and aisloader to send
 * "Authorization: Bearer <token>" (docs/security.md). No state; reads the environment and one
 * small file. */
#ifndef AIS_AUTHTOK_H
#define AIS_AUTHTOK_H

#include <stddef.h>

#define AUTHTOK_MAX 8192
/* the token into out (cap bytes): 0, AIS_ENOTFOUND (none anywhere), AIS_EINVAL (a token file that
 * is not {"token": "<string>"} or a token too long) */
int authtok_load(char *out, size_t cap);
/* "Authorization: Bearer <token>" into out, or "" when there is no token; 0 or AIS_EINVAL */
int authtok_header(char *out, size_t cap);

#endif
