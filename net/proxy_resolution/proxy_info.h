// The result of proxy resolution for one request, and the record of its
// walk down the list: which chain is current, which chains failed and why.
//
// The connecting layer uses it like this:
//   rv = connect through cn_proxy_info_chain(&info);
//   while (rv < 0 && (rv = cn_proxy_info_fallback(&info, rv)) == CN_OK)
//     rv = connect through cn_proxy_info_chain(&info);
//   if (rv == CN_OK) cn_proxy_service_report_success(service, &info);
// Failures are only recorded here; the proxies are marked bad when (and
// only when) report_success says a later chain worked — a request that
// fails everywhere says nothing about the proxies (the network may be
// down), as in Chromium.
//
// Ownership: embed a cn_proxy_info; cn_proxy_info_free() releases the list
// and the failure record. It keeps the NetLog pointer it was given, which
// must outlive it.
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_INFO_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_INFO_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/base/netlog.h"
#include "net/proxy_resolution/proxy_list.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_proxy_failure {
  char *chain_key;  // the chain that failed
  int net_error;    // why
} cn_proxy_failure;

typedef struct cn_proxy_info {
  cn_proxy_list list;  // the chains to try, bad ones last
  cn_proxy_failure *failures;  // in order, not yet committed
  // Where PROXY_FALLBACK events go (set by cn_proxy_service_resolve).
  cn_netlog *netlog;
  cn_netlog_source source;
  // The small fields last, without a padding hole (one info per open
  // request).
  uint32_t index;  // the current chain; == list.count when exhausted
  uint32_t num_failures;
  bool bypassed;  // DIRECT because a bypass rule matched
} cn_proxy_info;

// An empty info (no chain to try).
void cn_proxy_info_init(cn_proxy_info *info);
void cn_proxy_info_free(cn_proxy_info *info);

// Replaces the list with a copy of |list| and restarts at its first chain;
// forgets recorded failures and |bypassed|.
void cn_proxy_info_use_list(cn_proxy_info *info, const cn_proxy_list *list);
// Same with the single DIRECT chain.
void cn_proxy_info_use_direct(cn_proxy_info *info);

// The chain to try now, or NULL once every chain failed. Owned by |info|;
// valid until the info is modified.
const cn_proxy_chain *cn_proxy_info_chain(const cn_proxy_info *info);
// True when the current chain is DIRECT.
bool cn_proxy_info_is_direct(const cn_proxy_info *info);

// The current chain failed with |net_error|. When the error allows fallback
// (cn_proxy_error_allows_fallback) and another chain remains, records the
// failure, moves to the next chain, logs PROXY_FALLBACK and returns CN_OK:
// try again with cn_proxy_info_chain(). Otherwise returns |net_error|, the
// request's final error (the info is left as it was when the error does not
// allow fallback, exhausted when the list ran out).
int cn_proxy_info_fallback(cn_proxy_info *info, int net_error);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_INFO_H_
