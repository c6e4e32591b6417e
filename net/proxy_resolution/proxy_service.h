// The proxy service: what the stream factory asks "which proxy chains, in
// which order, for this URL?". It runs a resolver (a fixed configuration
// now, PAC later), moves chains that recently failed to the end of the list,
// logs the decision, and keeps the bad-proxy memory that
// cn_proxy_service_report_success() feeds.
//
// NetLog, on the caller's source:
//   PROXY_RESOLUTION  BEGIN url; END proxy_list (after deprioritising),
//                     bypassed, deprioritized (how many bad chains went to
//                     the end), or net_error (ERR_ABORTED when cancelled)
//   PROXY_FALLBACK    chain, net_error, next (cn_proxy_info_fallback)
//   PROXY_MARKED_BAD  chain, net_error, retry_ms (report_success, mark_bad)
// Chain strings never carry credentials.
//
// Ownership: the embedder owns the service (cn_proxy_service_free). Loop
// thread only. The clock, resolver and NetLog it is given must outlive it
// (the resolver is owned by it).
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_SERVICE_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_SERVICE_H_

#include <stdint.h>

#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/base/url.h"
#include "net/proxy_resolution/proxy_config.h"
#include "net/proxy_resolution/proxy_info.h"
#include "net/proxy_resolution/proxy_resolver.h"
#include "net/proxy_resolution/proxy_retry_info.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_proxy_service cn_proxy_service;
// A pending resolution; owned by the service.
typedef struct cn_proxy_service_request cn_proxy_service_request;

// A monotonic clock in milliseconds; injectable so tests can move time.
typedef uint64_t (*cn_proxy_clock_fn)(void *arg);

typedef struct cn_proxy_service_options {
  cn_proxy_clock_fn now_ms;  // NULL: the process's monotonic clock
  void *clock_arg;
  uint64_t retry_ms;  // how long a failed proxy stays bad; 0: the default
                      // (CN_PROXY_DEFAULT_RETRY_MS, 5 minutes)
  cn_netlog *netlog;  // may be NULL
} cn_proxy_service_options;

// A service over a copy of |cfg|. |options| may be NULL (defaults).
cn_proxy_service *cn_proxy_service_new_fixed(const cn_proxy_config *cfg,
                                             const cn_proxy_service_options *options);
// A service over |resolver|, which it takes ownership of.
cn_proxy_service *cn_proxy_service_new(cn_proxy_resolver *resolver,
                                       const cn_proxy_service_options *options);
// Cancels pending requests (their callbacks never run), destroys the
// resolver and frees the service. Accepts NULL.
void cn_proxy_service_free(cn_proxy_service *svc);

// Resolves |url| into |info| (previous contents replaced; the caller owns
// it and keeps it and |url| alive until completion). Logs on |source|.
// Returns CN_OK with |info| ready, an error, or CN_ERR_IO_PENDING with
// |*req| set, after which |cb(arg, result)| runs once with |info| ready
// when the result is CN_OK. |req| may be NULL only if the caller never
// cancels.
int cn_proxy_service_resolve(cn_proxy_service *svc, const cn_url *url, cn_netlog_source source,
                             cn_proxy_info *info, cn_completion_cb cb, void *arg,
                             cn_proxy_service_request **req);
// Cancels a pending resolution: no callback after this; |req| is freed.
void cn_proxy_service_cancel(cn_proxy_service *svc, cn_proxy_service_request *req);

// The request went through the current chain of |info|: every chain that
// failed before it (recorded by cn_proxy_info_fallback) is marked bad for
// the retry duration, with its error, and PROXY_MARKED_BAD is logged on the
// info's source. The record is then cleared, so reporting twice is
// harmless.
void cn_proxy_service_report_success(cn_proxy_service *svc, cn_proxy_info *info);

// Marks |chain| bad now, for the retry duration, because of |net_error|,
// and logs PROXY_MARKED_BAD on |source|. For callers that know a proxy is
// broken without a fallback having succeeded. DIRECT is ignored.
void cn_proxy_service_mark_bad(cn_proxy_service *svc, const cn_proxy_chain *chain,
                               int net_error, cn_netlog_source source);

// The bad-proxy entry of |chain| if it is bad now, else NULL. Owned by the
// service; valid until it next changes.
const cn_proxy_retry_info *cn_proxy_service_bad_info(const cn_proxy_service *svc,
                                                     const cn_proxy_chain *chain);
// Forgets every bad proxy (e.g. after a network change).
void cn_proxy_service_clear_bad(cn_proxy_service *svc);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_SERVICE_H_
