// The PAC proxy resolver: a cn_proxy_resolver (proxy_resolver.h) that asks
// a PAC script (pac_script.h) for each URL and turns its answer into a proxy
// list (pac_result.h), which the service then runs through its bad-proxy
// memory and fallback like any other list.
//
// The URL the script sees is Chromium's: credentials and fragment removed,
// and for https:// and wss:// also path and query ("https://host:port/",
// the port only when not the default), so a script cannot see secret paths.
//
// DNS: the script runs in non-blocking mode (pac_script.h). When it needs
// names it does not have, each is resolved with |host_resolver| (cached
// answers come back at once), and the script runs again once all are
// answered — at most |max_dns_reruns| times, then once more with unknown
// names unresolvable.
//
// The script comes from cn_pac_resolver_set_script(): given at creation, or
// later by a fetcher (cnet's PAC URL fetch, net/cnet_pac.c) that
// |on_need_script| starts when the first URL is resolved. Requests wait.
//
// Failures follow Chromium (ConfiguredProxyResolutionService): a script that
// cannot be fetched or loaded, or that fails for a URL (a JavaScript error,
// the time or memory limit, an answer without one usable entry), makes the
// URL go DIRECT — unless the PAC is |mandatory|, when the request fails with
// ERR_MANDATORY_PROXY_CONFIGURATION_FAILED. Either way PAC_JAVASCRIPT_ERROR
// names the cause in the NetLog (its own PAC_RESOLVER source).
//
// Ownership: as any cn_proxy_resolver; |host_resolver| and |netlog| must
// outlive it. Loop thread only.
#ifndef CNET_NET_PROXY_RESOLUTION_PAC_RESOLVER_H_
#define CNET_NET_PROXY_RESOLUTION_PAC_RESOLVER_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/base/netlog.h"
#include "net/dns/host_resolver.h"
#include "net/proxy_resolution/pac_script.h"
#include "net/proxy_resolution/proxy_resolver.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CN_PAC_DEFAULT_MAX_DNS_RERUNS 8

typedef struct cn_pac_resolver_options {
  cn_host_resolver *host_resolver;  // required: the script's lookups
  cn_netlog *netlog;                // may be NULL
  cn_pac_script_options script;     // limits, clock (its alert is replaced:
                                    // alerts go to the NetLog)
  int max_dns_reruns;               // 0: CN_PAC_DEFAULT_MAX_DNS_RERUNS
  bool mandatory;                   // no DIRECT fallback on failure
  // Called once, from the first resolve, when no script was set yet; the
  // fetch it starts calls cn_pac_resolver_set_script() later (or at once,
  // from inside this call, when it cannot start: that resolve is then
  // answered synchronously). NULL: the script must be set before resolving.
  void (*on_need_script)(void *arg);
  void *need_script_arg;
} cn_pac_resolver_options;

// A resolver (the caller owns it, or hands it to a service). |o| is copied.
cn_proxy_resolver *cn_pac_resolver_new(const cn_pac_resolver_options *o);

// Gives |r| its script: |rv| CN_OK and the |len| bytes at |text|, or the
// fetch's error |rv| with a one-line |reason| (may be NULL). Loads the
// script and answers every waiting request (their callbacks run from here).
// A script that does not load is remembered as the failure for every later
// request. Only the first call counts.
void cn_pac_resolver_set_script(cn_proxy_resolver *r, int rv, const char *text, size_t len,
                                const char *reason);

// The resolver's NetLog source (PAC_RESOLVER), for the fetcher's
// PAC_FILE_FETCH events.
cn_netlog_source cn_pac_resolver_netlog_source(const cn_proxy_resolver *r);

// The URL as the script gets it (see above), heap string. Exposed for tests.
char *cn_pac_script_url(const cn_url *url);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PAC_RESOLVER_H_
