#include "net/proxy_resolution/proxy_resolver.h"

#include <stdlib.h>

#include "base/mem.h"

void cn_proxy_resolver_destroy(cn_proxy_resolver *r) {
  if (r)
    r->ops->destroy(r);
}

typedef struct fixed_resolver {
  cn_proxy_resolver base;  // first: the interface pointer is this struct's
  cn_proxy_config config;
} fixed_resolver;

static int fixed_resolve(cn_proxy_resolver *self, const cn_url *url, cn_proxy_list *out,
                         bool *bypassed, cn_completion_cb cb, void *arg,
                         cn_proxy_resolver_request **req) {
  fixed_resolver *r = (fixed_resolver *)self;
  *req = NULL;
  cn_proxy_list_free(out);
  cn_proxy_config_apply(&r->config, url, out, bypassed);
  return CN_OK;
}

static void fixed_cancel(cn_proxy_resolver *self, cn_proxy_resolver_request *req) {
  // Never pending, so there is never anything to cancel.
}

static void fixed_destroy(cn_proxy_resolver *self) {
  fixed_resolver *r = (fixed_resolver *)self;
  cn_proxy_config_free(&r->config);
  free(r);
}

static const cn_proxy_resolver_ops kFixedOps = {
    .resolve = fixed_resolve,
    .cancel = fixed_cancel,
    .destroy = fixed_destroy,
};

cn_proxy_resolver *cn_proxy_resolver_new_fixed(const cn_proxy_config *cfg) {
  fixed_resolver *r = CN_NEW(fixed_resolver);
  r->base.ops = &kFixedOps;
  cn_proxy_config_copy(&r->config, cfg);
  return &r->base;
}
