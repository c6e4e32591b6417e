// The context's PAC setup (cnet_context_options.pac_url, pac_wpad): the PAC
// proxy service, and the fetch of a script named by URL, made with the
// context's own request machinery, DIRECT (a PAC fetch through the proxy
// it decides would be circular). Internal to libcnet; docs/pac.md.
#ifndef CNET_NET_CNET_PAC_H_
#define CNET_NET_CNET_PAC_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/base/netlog.h"
#include "net/cnet.h"
#include "net/dns/host_resolver.h"
#include "net/proxy_resolution/proxy_service.h"

#ifdef __cplusplus
extern "C" {
#endif

// What WPAD over DNS fetches (Chromium's auto-detect without DHCP).
#define CNET_PAC_WPAD_URL "http://wpad/wpad.dat"
// A PAC script larger than this is refused (Chromium's limit is 1 MB too).
#define CNET_PAC_MAX_BYTES (1024 * 1024)

typedef struct cnet_pac cnet_pac;

// Makes the PAC proxy service for |c|: |pac_url| is a file path (read now;
// "file://" accepted) or an http(s):// URL (fetched when the first request
// needs it). Returns CN_OK with |*svc| and |*out| (the caller owns both;
// cnet_pac_free before the service), or an error with |err| filled (an
// unreadable or oversized file).
int cnet_pac_new(cnet_context *c, const char *pac_url, bool mandatory, cn_host_resolver *hr,
                 cn_netlog *netlog, cn_proxy_service **svc, cnet_pac **out, char *err,
                 size_t err_size);
// Cancels a running fetch and frees |p|. Accepts NULL.
void cnet_pac_free(cnet_pac *p);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_CNET_PAC_H_
