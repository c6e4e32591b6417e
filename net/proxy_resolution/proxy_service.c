#include "net/proxy_resolution/proxy_service.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/list.h"
#include "base/mem.h"

struct cn_proxy_service_request {
  cn_list_node link;  // on cn_proxy_service.pending
  cn_proxy_service *svc;
  cn_proxy_info *info;
  cn_netlog_source source;
  cn_proxy_list list;  // the resolver's answer
  bool bypassed;
  cn_completion_cb cb;
  void *arg;
  cn_proxy_resolver_request *resolver_req;
};

struct cn_proxy_service {
  cn_proxy_resolver *resolver;
  cn_proxy_clock_fn now_ms;
  void *clock_arg;
  uint64_t retry_ms;
  cn_netlog *netlog;
  cn_proxy_retry_map retry;
  cn_list_node pending;  // cn_proxy_service_request.link
};

static uint64_t monotonic_ms(void *arg) { return uv_hrtime() / 1000000u; }

static uint64_t now_ms(const cn_proxy_service *svc) { return svc->now_ms(svc->clock_arg); }

cn_proxy_service *cn_proxy_service_new(cn_proxy_resolver *resolver,
                                       const cn_proxy_service_options *options) {
  cn_proxy_service *svc = CN_NEW(cn_proxy_service);
  svc->resolver = resolver;
  svc->now_ms = monotonic_ms;
  svc->retry_ms = CN_PROXY_DEFAULT_RETRY_MS;
  if (options) {
    if (options->now_ms) {
      svc->now_ms = options->now_ms;
      svc->clock_arg = options->clock_arg;
    }
    if (options->retry_ms)
      svc->retry_ms = options->retry_ms;
    svc->netlog = options->netlog;
  }
  cn_proxy_retry_map_init(&svc->retry);
  cn_list_init(&svc->pending);
  return svc;
}

cn_proxy_service *cn_proxy_service_new_fixed(const cn_proxy_config *cfg,
                                             const cn_proxy_service_options *options) {
  return cn_proxy_service_new(cn_proxy_resolver_new_fixed(cfg), options);
}

static void request_free(cn_proxy_service_request *req) {
  if (cn_list_linked(&req->link))
    cn_list_remove(&req->link);
  cn_proxy_list_free(&req->list);
  free(req);
}

void cn_proxy_service_cancel(cn_proxy_service *svc, cn_proxy_service_request *req) {
  if (req->resolver_req)
    cn_proxy_resolver_cancel(svc->resolver, req->resolver_req);
  cn_netlog_end_with_error(svc->netlog, req->source, CN_NETLOG_PROXY_RESOLUTION, CN_ERR_ABORTED);
  request_free(req);
}

void cn_proxy_service_free(cn_proxy_service *svc) {
  if (!svc)
    return;
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &svc->pending) {
    cn_proxy_service_cancel(svc, CN_CONTAINER_OF(it, cn_proxy_service_request, link));
  }
  cn_proxy_resolver_destroy(svc->resolver);
  cn_proxy_retry_map_free(&svc->retry);
  free(svc);
}

// PROXY_RESOLUTION's parameters, formatted only for an observer that wants
// them (a load-timing observer needs the event, not the strings).
typedef struct resolution_end_params {
  const cn_proxy_info *info;
  bool bypassed;
  size_t deprioritized;
} resolution_end_params;

static void build_resolution_end_params(const void *ctx, cn_netlog_capture_mode mode,
                                        cn_netlog_params *out) {
  const resolution_end_params *ep = ctx;
  if (mode < CN_NETLOG_CAPTURE_NO_HEADER_VALUES)
    return;
  cn_netlog_params_add_owned_str(out, "proxy_list", cn_proxy_list_to_string(&ep->info->list));
  cn_netlog_params_add(out, CN_NL_BOOL("bypassed", ep->bypassed));
  cn_netlog_params_add(out, CN_NL_INT("deprioritized", ep->deprioritized));
}

static void build_resolution_begin_params(const void *ctx, cn_netlog_capture_mode mode,
                                          cn_netlog_params *out) {
  if (mode >= CN_NETLOG_CAPTURE_NO_HEADER_VALUES)
    cn_netlog_params_add_owned_str(out, "url", cn_url_absolute_form(ctx));
}

// Turns the resolver's answer into the caller's info and logs the END.
// Returns the request's result.
static int finish(cn_proxy_service_request *req, int rv) {
  cn_proxy_service *svc = req->svc;
  cn_proxy_info *info = req->info;
  cn_proxy_info_free(info);
  if (rv == CN_OK && req->list.count == 0) {
    // A resolver that answers OK with nothing to try is broken; failing is
    // safer than guessing DIRECT (which could bypass a mandatory proxy).
    rv = CN_ERR_UNEXPECTED;
  }
  if (rv != CN_OK) {
    cn_netlog_end_with_error(svc->netlog, req->source, CN_NETLOG_PROXY_RESOLUTION, rv);
    return rv;
  }
  uint64_t now = now_ms(svc);
  cn_proxy_retry_map_remove_expired(&svc->retry, now);
  size_t bad = cn_proxy_list_deprioritize_bad(&req->list, &svc->retry, now);
  info->list = req->list;  // moved, not copied
  cn_proxy_list_init(&req->list);
  info->bypassed = req->bypassed;
  info->netlog = svc->netlog;
  info->source = req->source;
  resolution_end_params ep = {info, req->bypassed, bad};
  cn_netlog_add_entry_lazy(svc->netlog, req->source, CN_NETLOG_PROXY_RESOLUTION,
                           CN_NETLOG_PHASE_END, build_resolution_end_params, &ep);
  return CN_OK;
}

static void on_resolved(void *arg, int rv) {
  cn_proxy_service_request *req = arg;
  req->resolver_req = NULL;
  rv = finish(req, rv);
  cn_completion_cb cb = req->cb;
  void *cb_arg = req->arg;
  request_free(req);
  cb(cb_arg, rv);
}

int cn_proxy_service_resolve(cn_proxy_service *svc, const cn_url *url, cn_netlog_source source,
                             cn_proxy_info *info, cn_completion_cb cb, void *arg,
                             cn_proxy_service_request **out_req) {
  if (out_req)
    *out_req = NULL;
  cn_netlog_add_entry_lazy(svc->netlog, source, CN_NETLOG_PROXY_RESOLUTION, CN_NETLOG_PHASE_BEGIN,
                           build_resolution_begin_params, url);
  cn_proxy_service_request *req = CN_NEW(cn_proxy_service_request);
  cn_list_init(&req->link);
  req->svc = svc;
  req->info = info;
  req->source = source;
  req->cb = cb;
  req->arg = arg;
  cn_proxy_list_init(&req->list);
  int rv = cn_proxy_resolver_resolve(svc->resolver, url, &req->list, &req->bypassed, on_resolved,
                                     req, &req->resolver_req);
  if (rv == CN_ERR_IO_PENDING) {
    cn_list_push_back(&svc->pending, &req->link);
    if (out_req)
      *out_req = req;
    return rv;
  }
  rv = finish(req, rv);
  request_free(req);
  return rv;
}

static void log_marked_bad(cn_proxy_service *svc, cn_netlog_source source, const char *key,
                           int net_error) {
  cn_netlog_event(svc->netlog, source, CN_NETLOG_PROXY_MARKED_BAD, CN_NL_STR("chain", key),
                  CN_NL_ERROR(net_error), CN_NL_INT("retry_ms", svc->retry_ms));
}

void cn_proxy_service_report_success(cn_proxy_service *svc, cn_proxy_info *info) {
  uint64_t now = now_ms(svc);
  for (size_t i = 0; i < info->num_failures; i++) {
    const cn_proxy_failure *f = &info->failures[i];
    if (cn_proxy_retry_map_mark_bad(&svc->retry, f->chain_key, f->net_error, now, svc->retry_ms))
      log_marked_bad(svc, info->source, f->chain_key, f->net_error);
    free(f->chain_key);
  }
  free(info->failures);
  info->failures = NULL;
  info->num_failures = 0;
}

void cn_proxy_service_mark_bad(cn_proxy_service *svc, const cn_proxy_chain *chain,
                               int net_error, cn_netlog_source source) {
  if (cn_proxy_chain_is_direct(chain))
    return;
  char *key = cn_proxy_chain_key(chain);
  if (cn_proxy_retry_map_mark_bad(&svc->retry, key, net_error, now_ms(svc), svc->retry_ms))
    log_marked_bad(svc, source, key, net_error);
  free(key);
}

const cn_proxy_retry_info *cn_proxy_service_bad_info(const cn_proxy_service *svc,
                                                     const cn_proxy_chain *chain) {
  if (cn_proxy_chain_is_direct(chain))
    return NULL;
  char *key = cn_proxy_chain_key(chain);
  const cn_proxy_retry_info *info = cn_proxy_retry_map_lookup(&svc->retry, key, now_ms(svc));
  free(key);
  return info;
}

void cn_proxy_service_clear_bad(cn_proxy_service *svc) { cn_proxy_retry_map_clear(&svc->retry); }
