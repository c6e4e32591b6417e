// The proxy resolver interface: URL in, proxy list out, possibly later. A
// fixed configuration answers at once (cn_proxy_resolver_new_fixed); a PAC
// script evaluator, to come, will answer asynchronously. The service
// (proxy_service.h) wraps either one and adds bad-proxy handling and NetLog.
//
// Async convention, as everywhere in cnet: resolve returns a result, or
// CN_ERR_IO_PENDING and later runs |cb| exactly once, never from inside the
// resolve call itself. After cancel the callback never runs.
//
// Ownership: the creator owns a resolver and releases it with
// cn_proxy_resolver_destroy() once no request is pending (or hands it to a
// service, which then owns it).
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_RESOLVER_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_RESOLVER_H_

#include <stdbool.h>

#include "net/base/net_errors.h"
#include "net/base/url.h"
#include "net/proxy_resolution/proxy_config.h"
#include "net/proxy_resolution/proxy_list.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_proxy_resolver cn_proxy_resolver;
// A pending resolution; opaque, owned by the resolver.
typedef struct cn_proxy_resolver_request cn_proxy_resolver_request;

typedef struct cn_proxy_resolver_ops {
  // Resolves |url| (kept valid by the caller until completion or cancel)
  // into |out| (an empty list owned by the caller) and |*bypassed| (whether
  // a bypass rule made it DIRECT). Returns CN_OK or an error, or
  // CN_ERR_IO_PENDING with |*req| set: then |cb(arg, result)| runs once,
  // |out| and |*bypassed| filled first when result is CN_OK. On error |out|
  // stays empty.
  int (*resolve)(cn_proxy_resolver *self, const cn_url *url, cn_proxy_list *out, bool *bypassed,
                 cn_completion_cb cb, void *arg, cn_proxy_resolver_request **req);
  // Cancels a pending |req|: its callback never runs and |req| is freed.
  void (*cancel)(cn_proxy_resolver *self, cn_proxy_resolver_request *req);
  // Frees the resolver (no request may be pending).
  void (*destroy)(cn_proxy_resolver *self);
} cn_proxy_resolver_ops;

// Implementations embed this as their first member.
struct cn_proxy_resolver {
  const cn_proxy_resolver_ops *ops;
};

static inline int cn_proxy_resolver_resolve(cn_proxy_resolver *r, const cn_url *url,
                                            cn_proxy_list *out, bool *bypassed,
                                            cn_completion_cb cb, void *arg,
                                            cn_proxy_resolver_request **req) {
  return r->ops->resolve(r, url, out, bypassed, cb, arg, req);
}
static inline void cn_proxy_resolver_cancel(cn_proxy_resolver *r, cn_proxy_resolver_request *req) {
  r->ops->cancel(r, req);
}
// Accepts NULL.
void cn_proxy_resolver_destroy(cn_proxy_resolver *r);

// A resolver that applies a copy of |cfg| (cn_proxy_config_apply) and always
// answers synchronously. The caller owns the result.
cn_proxy_resolver *cn_proxy_resolver_new_fixed(const cn_proxy_config *cfg);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_RESOLVER_H_
