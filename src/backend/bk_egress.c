/* bk_egress: the downloader's egress policy (see bk_egress.h); Go's net.IP predicates
 * (IsLoopback, IsUnspecified, IsLinkLocalUnicast, IsMulticast, IsPrivate) over IPv4, IPv6 and
 * IPv4-mapped IPv6. */
#include "backend/bk_egress.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

static bool egress_v4(uint32_t a, bool allow_private)
{
	uint8_t b0 = (uint8_t)(a >> 24), b1 = (uint8_t)(a >> 16);
	if (b0 == 127 || a == 0 || (b0 == 169 && b1 == 254) || (b0 >= 224 && b0 <= 239))
		return true; /* loopback, unspecified, link-local (IMDS), multicast */
	bool priv = b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168);
	return priv && !allow_private;
}

static bool egress_v6(const uint8_t *b, bool allow_private)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t zero[16] = {0};
	if (!memcmp(b, mapped, 12))
		return egress_v4((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15],
				 allow_private);
	if (!memcmp(b, zero, 16))
		return true; /* :: */
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return true; /* ::1 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return true; /* fe80::/10 */
	if (b[0] == 0xff)
		return true; /* multicast */
	return (b[0] & 0xfe) == 0xfc && !allow_private; /* fc00::/7 */
}

bool bk_egress_blocked(const struct sockaddr *sa, bool allow_private)
{
	if (!sa)
		return true;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		return egress_v4(ntohl(s4->sin_addr.s_addr), allow_private);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		return egress_v6(s6->sin6_addr.s6_addr, allow_private);
	}
	return true; /* unix sockets and the like: never */
}

bool bk_egress_blocked_str(const char *ip, bool allow_private)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return egress_v4(ntohl(a4.s_addr), allow_private);
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return egress_v6(a6.s6_addr, allow_private);
	return true;
}
