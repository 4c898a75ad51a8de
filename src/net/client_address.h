// Who a connection's client is. Behind a reverse proxy (Traefik in deploy/), every TCP peer is
// the proxy; the client's address is in the X-Forwarded-For header the proxy appends to. The
// header is believed only when the peer is one of the operator's --trusted-proxies, and then
// read from the right: each proxy appends the address it received the request from, so the
// right-most address that is not itself a trusted proxy is the client (anything left of it
// was written by the client and may be forged). The address found is what the per-address
// limits, the IP allow/deny lists and the logs use.
#pragma once
#include <string>
#include <string_view>

#include "net/ip_access_list.h"

namespace net {

// `proxies` holds the trusted proxies on its allow list (empty: trust nobody). `forwarded_for`
// is the X-Forwarded-For value (several headers joined with ","), "" when there is none.
Address16 client_address(const Address16& peer, std::string_view forwarded_for,
                         const IpAccessList& proxies);

// True when `address` is on `proxies`' allow list.
bool is_trusted_proxy(const Address16& address, const IpAccessList& proxies);

// "192.0.2.1" or "2001:db8::1".
std::string format_address(const Address16& address);

// The key connections are counted under for --max-connections-per-ip: an IPv4 address, or an
// IPv6 /64 (one subscriber's network: hosts pick any address in it, so counting single IPv6
// addresses would limit nothing), e.g. "2001:db8:1:2::/64".
std::string connection_limit_key(const Address16& address);

}  // namespace net
