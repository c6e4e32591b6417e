// The answer of a PAC script's FindProxyForURL() as a proxy list.
//
// Syntax (Netscape's, as Chromium reads it): entries separated by ';', each
// "DIRECT" or "KEYWORD host:port" with KEYWORD (case-insensitive)
//   PROXY   -> http://host:port     (the port defaults to 80)
//   HTTPS   -> https://host:port    (443)
//   SOCKS5  -> socks5h://host:port  (1080; the proxy resolves the target's
//              name, as Chromium's SOCKS5 does)
//   SOCKS / SOCKS4 -> skipped: cnet has no SOCKS4 (proxy_server.h), and
//              speaking SOCKS5 to a SOCKS4 server would fail anyway
// Blanks around entries and between the keyword and the server are ignored;
// empty entries ("PROXY a:1;;DIRECT", a trailing ';') are ignored. PAC has
// no syntax for multi-proxy chains (Chromium's has none either), so every
// chain produced has one proxy or is DIRECT.
//
// An entry that cannot be understood is skipped, as Chromium's
// ProxyList::SetFromPacString does, and counted in |*skipped|; a result with
// no usable entry at all is an error (the caller turns it into
// ERR_PAC_SCRIPT_FAILED and Chromium's fallback rule).
#ifndef CNET_NET_PROXY_RESOLUTION_PAC_RESULT_H_
#define CNET_NET_PROXY_RESOLUTION_PAC_RESULT_H_

#include <stddef.h>

#include "net/proxy_resolution/proxy_list.h"

#ifdef __cplusplus
extern "C" {
#endif

// Parses the |len| bytes at |text| (need not be NUL-terminated) into |out|
// (overwritten, not freed). Returns CN_OK with at least one chain in |out|,
// or CN_ERR_PAC_SCRIPT_FAILED with |out| empty (needs no free) when no entry
// was usable. |skipped| (may be NULL) gets the number of entries skipped.
int cn_pac_result_parse(const char *text, size_t len, cn_proxy_list *out, size_t *skipped);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PAC_RESULT_H_
