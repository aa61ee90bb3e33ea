/* bk_egress: the downloader's egress policy (AIStore 4.7 ext/dload/client.go, its SSRF guard):
 * which resolved addresses a download may connect to. Never: loopback (127/8, ::1), unspecified
 * (0.0.0.0, ::), link-local (169.254/16 - cloud metadata 169.254.169.254 among them - and
 * fe80::/10), multicast (224/4, ff00::/8). Only with the Dload-Allow-Private-Egress feature flag:
 * private ranges (10/8, 172.16/12, 192.168/16, fc00::/7). IPv4-mapped IPv6 (::ffff:a.b.c.d) is
 * judged as the IPv4 address, as Go does. Pure; the check runs on every connection (bk_http.c
 * installs it as curl's socket-open hook, so redirects and every resolved address are covered). */
#ifndef AIS_BK_EGRESS_H
#define AIS_BK_EGRESS_H

#include <stdbool.h>
#include <sys/socket.h>

/* true when the address must not be dialed */
bool bk_egress_blocked(const struct sockaddr *sa, bool allow_private);
/* the same for an address literal ("10.0.0.1", "::ffff:127.0.0.1"); unparsable: blocked */
bool bk_egress_blocked_str(const char *ip, bool allow_private);

#endif
