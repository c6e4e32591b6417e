#include "net/dns/host_resolver.h"

#include <stdlib.h>
#include <string.h>

#include "base/hashmap.h"
#include "base/list.h"
#include "base/mem.h"
#include "base/timer.h"
#include "net/dns/host_cache.h"
#include "net/dns/hosts_file.h"

// Chromium's defaults for its system resolver's cache.
#define DEFAULT_CACHE_TTL_MS 60000
#define DEFAULT_CACHE_MAX_ENTRIES 1000
#define DEFAULT_HOSTS_FILE "/etc/hosts"

typedef struct job job;

// One level of job_deliver() on the stack. Callbacks may destroy the
// resolver; destroy marks every frame so the delivering loop stops touching
// the freed resolver (frames nest only if a backend completes a lookup from
// inside a resolve callback).
typedef struct delivery_frame {
  struct delivery_frame *outer;
  job *job;
  bool resolver_destroyed;
} delivery_frame;

struct cn_host_resolver {
  uv_loop_t *loop;
  cn_host_resolver_options opts;
  cn_host_rules rules;
  cn_host_cache cache;
  cn_hosts_file hosts;
  cn_hashmap jobs;              // job key -> job, for running lookups only
  delivery_frame *delivering;  // innermost job delivering results, or NULL
  cn_ares_backend *ares;        // the resolver's own backend, or NULL
  uint64_t network_generation;  // bumped by each network change
};

// One backend lookup shared by every request for the same host and family.
struct job {
  cn_host_resolver *resolver;
  char *key;  // its key in resolver->jobs
  char host[CN_HOST_BUF_SIZE];
  int family;
  uint16_t port;              // the first request's, for the NetLog
  cn_list_node requests;      // cn_host_resolve_request.link
  void *lookup;               // backend handle while running
  bool delivering;            // results are being handed out
  uint64_t network_generation;  // the resolver's when the job started
  cn_netlog *netlog;          // the first request's
  cn_netlog_source source;
};

struct cn_host_resolve_request {
  cn_list_node link;
  job *job;
  uint16_t port;
  cn_address_list *out_addrs;
  cn_completion_cb cb;
  void *arg;
  cn_netlog *netlog;
  cn_netlog_source source;
};

void cn_host_resolver_options_init(cn_host_resolver_options *opts) {
  memset(opts, 0, sizeof(*opts));
  opts->cache_ttl_ms = DEFAULT_CACHE_TTL_MS;
  opts->negative_ttl_ms = 0;
  opts->cache_max_entries = DEFAULT_CACHE_MAX_ENTRIES;
  opts->resolve_localhost_locally = true;
  cn_ares_options_init(&opts->dns);
}

static uint64_t now_ms(const cn_host_resolver *r) {
  return r->opts.now_ms ? r->opts.now_ms(r->opts.clock_ctx) : cn_now_ms(r->loop);
}

// Replaces *out with |src| carrying |port|.
static void fill_with_port(cn_address_list *out, const cn_address_list *src, uint16_t port) {
  cn_address_list_free(out);
  cn_address_list_copy(out, src);
  for (size_t i = 0; i < out->count; i++)
    cn_ip_endpoint_set_port(&out->items[i], port);
}

// "[127.0.0.1:443, [::1]:443]" for the NetLog; NULL when nobody listens, so
// the string is only built when it will be read.
static char *addresses_for_log(cn_netlog *log, const cn_address_list *addrs, uint16_t port) {
  if (!cn_netlog_is_capturing(log))
    return NULL;
  cn_address_list tmp;
  cn_address_list_init(&tmp);
  fill_with_port(&tmp, addrs, port);
  char *s = cn_address_list_to_string(&tmp);
  cn_address_list_free(&tmp);
  return s;
}

// END of an event that carries the addresses on success, net_error otherwise.
static void log_end(cn_netlog *log, cn_netlog_source src, cn_netlog_event_type type, int result,
                    const cn_address_list *addrs, uint16_t port) {
  if (!cn_netlog_is_capturing(log))
    return;
  if (result != CN_OK) {
    cn_netlog_end(log, src, type, CN_NL_ERROR(result));
    return;
  }
  char *s = addresses_for_log(log, addrs, port);
  cn_netlog_end(log, src, type, CN_NL_STR("addresses", s));
  free(s);
}

int cn_host_resolver_create(uv_loop_t *loop, const cn_host_resolver_options *opts,
                            cn_host_resolver **out, char *err, size_t err_size) {
  *out = NULL;
  cn_host_resolver_options defaults;
  if (!opts) {
    cn_host_resolver_options_init(&defaults);
    opts = &defaults;
  }
  cn_ares_backend *ares = NULL;
  if (!opts->proc && !opts->use_system_resolver) {
    int rv = cn_ares_backend_new(loop, &opts->dns, &ares, err, err_size);
    if (rv != CN_OK)
      return rv;
  }
  cn_host_resolver *r = CN_NEW(cn_host_resolver);
  r->loop = loop;
  r->opts = *opts;
  // Strings are not kept (the caller's may go away).
  memset(&r->opts.dns, 0, sizeof(r->opts.dns));
  r->opts.hosts_file = NULL;
  r->ares = ares;
  if (!ares && !r->opts.proc) {
    r->opts.proc = cn_host_resolver_system_proc();
  }
  cn_host_rules_init(&r->rules);
  cn_host_cache_init(&r->cache, r->opts.cache_max_entries);
  cn_hosts_file_init(&r->hosts, opts->hosts_file ? opts->hosts_file : DEFAULT_HOSTS_FILE);
  cn_hashmap_init(&r->jobs);
  *out = r;
  return CN_OK;
}

cn_host_resolver *cn_host_resolver_new(uv_loop_t *loop, const cn_host_resolver_options *opts) {
  cn_host_resolver *r;
  if (cn_host_resolver_create(loop, opts, &r, NULL, 0) == CN_OK)
    return r;
  cn_host_resolver_options fallback;
  if (opts)
    fallback = *opts;
  else
    cn_host_resolver_options_init(&fallback);
  fallback.use_system_resolver = true;
  cn_host_resolver_create(loop, &fallback, &r, NULL, 0);  // cannot fail without c-ares
  return r;
}

// Frees a request without running its callback.
static void request_abort(cn_host_resolve_request *req) {
  cn_list_remove(&req->link);
  cn_netlog_end(req->netlog, req->source, CN_NETLOG_HOST_RESOLVER_REQUEST,
                CN_NL_ERROR(CN_ERR_ABORTED));
  free(req);
}

static void job_free(job *j) {
  free(j->key);
  free(j);
}

// Stops a running job that nobody waits for any more (or whose resolver is
// going away): abandons the lookup and drops every request silently.
static void job_abort(job *j) {
  cn_host_resolver *r = j->resolver;
  while (!cn_list_empty(&j->requests))
    request_abort(CN_CONTAINER_OF(cn_list_front(&j->requests), cn_host_resolve_request, link));
  if (j->lookup && r->ares)
    cn_ares_backend_abandon(r->ares, j->lookup);
  else if (j->lookup)
    r->opts.proc->abandon(r->opts.proc_ctx, j->lookup);
  j->lookup = NULL;
  cn_netlog_end(j->netlog, j->source, CN_NETLOG_HOST_RESOLVER_JOB, CN_NL_ERROR(CN_ERR_ABORTED));
  job_free(j);
}

void cn_host_resolver_destroy(cn_host_resolver *r) {
  if (!r)
    return;
  // Jobs in the middle of delivering are freed by their job_deliver() frame;
  // only their undelivered requests go here.
  for (delivery_frame *f = r->delivering; f; f = f->outer) {
    f->resolver_destroyed = true;
    while (!cn_list_empty(&f->job->requests))
      request_abort(
          CN_CONTAINER_OF(cn_list_front(&f->job->requests), cn_host_resolve_request, link));
  }
  size_t it = 0;
  void *v;
  while (cn_hashmap_next(&r->jobs, &it, NULL, &v))
    job_abort(v);
  cn_hashmap_free(&r->jobs);
  cn_ares_backend_destroy(r->ares);  // every lookup was abandoned above
  cn_host_cache_free(&r->cache);
  cn_hosts_file_free(&r->hosts);
  cn_host_rules_free(&r->rules);
  free(r);
}

static bool is_dns_error(int result) {
  return result == CN_ERR_DNS_TIMED_OUT || result == CN_ERR_DNS_SERVER_FAILED ||
         result == CN_ERR_DNS_MALFORMED_RESPONSE || result == CN_ERR_NAME_RESOLUTION_FAILED;
}

// The backend's answer for job |arg| (|ttl_ms| < 0: unknown): cache it,
// then hand it to every waiting request in the order they asked.
static void on_lookup_done_ttl(void *arg, int result, cn_address_list *backend_addrs,
                               int64_t ttl_ms) {
  job *j = arg;
  cn_host_resolver *r = j->resolver;
  cn_address_list addrs = *backend_addrs;  // take ownership, per the proc contract
  cn_address_list_init(backend_addrs);
  if (result == CN_OK && addrs.count == 0)
    result = CN_ERR_NAME_NOT_RESOLVED;
  if (result == CN_ERR_IO_PENDING || result > 0)
    result = CN_ERR_UNEXPECTED;  // a broken backend must not look like success
  // Requests see Chromium's one error for a name that did not resolve; the
  // DNS detail (timeout, server failure) goes to the job's NetLog END.
  int dns_error = result;
  if (is_dns_error(result))
    result = CN_ERR_NAME_NOT_RESOLVED;

  j->lookup = NULL;
  cn_hashmap_remove(&r->jobs, j->key);
  uint64_t now = now_ms(r);
  // An answer from before a network change may be wrong now: not cached.
  bool cacheable = j->network_generation == r->network_generation && r->opts.cache_ttl_ms;
  uint64_t ttl = 0;
  if (result == CN_OK)
    ttl = ttl_ms >= 0 ? (uint64_t)ttl_ms : r->opts.cache_ttl_ms;
  else if (dns_error == CN_ERR_NAME_NOT_RESOLVED)
    ttl = r->opts.negative_ttl_ms;
  if (cacheable && result == CN_OK)
    cn_host_cache_set(&r->cache, j->host, j->family, CN_OK, &addrs, now, ttl);
  else if (cacheable && dns_error == CN_ERR_NAME_NOT_RESOLVED)
    cn_host_cache_set(&r->cache, j->host, j->family, result, NULL, now, ttl);
  if (cn_netlog_is_capturing(j->netlog)) {
    if (result == CN_OK) {
      char *s = addresses_for_log(j->netlog, &addrs, j->port);
      cn_netlog_end(j->netlog, j->source, CN_NETLOG_HOST_RESOLVER_JOB, CN_NL_STR("addresses", s),
                    CN_NL_INT("ttl_ms", (int64_t)ttl));
      free(s);
    } else {
      cn_netlog_end(j->netlog, j->source, CN_NETLOG_HOST_RESOLVER_JOB, CN_NL_ERROR(result),
                    CN_NL_STR("host", j->host),
                    CN_NL_STR("dns_error", cn_error_name(dns_error)));
    }
  }

  delivery_frame frame = {.outer = r->delivering, .job = j, .resolver_destroyed = false};
  r->delivering = &frame;
  j->delivering = true;
  // One request at a time from the front: a callback may cancel requests
  // still on the list, start new resolves, or destroy the resolver.
  while (!frame.resolver_destroyed && !cn_list_empty(&j->requests)) {
    cn_host_resolve_request *req =
        CN_CONTAINER_OF(cn_list_front(&j->requests), cn_host_resolve_request, link);
    cn_list_remove(&req->link);
    if (result == CN_OK)
      fill_with_port(req->out_addrs, &addrs, req->port);
    log_end(req->netlog, req->source, CN_NETLOG_HOST_RESOLVER_REQUEST, result, &addrs,
            req->port);
    cn_completion_cb cb = req->cb;
    void *cb_arg = req->arg;
    free(req);
    cb(cb_arg, result);
  }
  if (!frame.resolver_destroyed)
    r->delivering = frame.outer;
  job_free(j);
  cn_address_list_free(&addrs);
}

static void on_lookup_done(void *arg, int result, cn_address_list *backend_addrs) {
  on_lookup_done_ttl(arg, result, backend_addrs, -1);
}

static char *job_key(const char *host, int family) {
  return cn_xasprintf("%d/%s", family, host);
}

// Finds or starts the job for |host|. Returns CN_OK with *out set, or the
// backend's synchronous error.
static int get_or_start_job(cn_host_resolver *r, const char *host, int family, uint16_t port,
                            cn_netlog *netlog, cn_netlog_source req_source, job **out) {
  char *key = job_key(host, family);
  job *j = cn_hashmap_get(&r->jobs, key);
  if (j) {
    free(key);
    *out = j;
    return CN_OK;
  }
  j = CN_NEW(job);
  j->resolver = r;
  j->key = key;
  strcpy(j->host, host);  // canonical, so it fits
  j->family = family;
  j->port = port;
  j->network_generation = r->network_generation;
  cn_list_init(&j->requests);
  j->netlog = netlog;
  j->source = cn_netlog_new_source(netlog, CN_NETLOG_SOURCE_HOST_RESOLVER_JOB);
  cn_netlog_begin(netlog, j->source, CN_NETLOG_HOST_RESOLVER_JOB, CN_NL_STR("host", host),
                  CN_NL_INT("port", port), CN_NL_SOURCE("source_dependency", req_source));
  void *lookup = NULL;
  int rv = r->ares ? cn_ares_backend_start(r->ares, host, family, on_lookup_done_ttl, j, &lookup)
                    : r->opts.proc->start(r->opts.proc_ctx, r->loop, host, family,
                                          on_lookup_done, j, &lookup);
  if (rv != CN_ERR_IO_PENDING) {
    if (rv >= 0)
      rv = CN_ERR_UNEXPECTED;  // the contract allows only IO_PENDING or an error
    cn_netlog_end(netlog, j->source, CN_NETLOG_HOST_RESOLVER_JOB, CN_NL_ERROR(rv));
    job_free(j);
    return rv;
  }
  j->lookup = lookup;
  cn_hashmap_put(&r->jobs, key, j);
  *out = j;
  return CN_OK;
}

static bool is_localhost(const char *host) {
  static const char kSuffix[] = ".localhost";
  size_t len = strlen(host);
  size_t slen = sizeof(kSuffix) - 1;
  return strcmp(host, "localhost") == 0 ||
         (len > slen && strcmp(host + len - slen, kSuffix) == 0);
}

// Answers steps 1-5 of the header comment; returns true when it did, with
// *result set (and *out_addrs filled on CN_OK).
static bool resolve_locally(cn_host_resolver *r, const char *host, uint16_t port,
                            cn_netlog *netlog, cn_netlog_source source, cn_address_list *out_addrs,
                            int *result) {
  const cn_host_rule *rule = cn_host_rules_match(&r->rules, host, port);
  if (rule) {
    fill_with_port(out_addrs, &rule->addrs, rule->to_port ? rule->to_port : port);
    if (cn_netlog_is_capturing(netlog)) {
      char *s = addresses_for_log(netlog, &rule->addrs, rule->to_port ? rule->to_port : port);
      cn_netlog_event(netlog, source, CN_NETLOG_HOST_RESOLVER_RULE_APPLIED,
                      CN_NL_STR("host", host), CN_NL_INT("port", port),
                      CN_NL_STR("rule_host", rule->host), CN_NL_INT("rule_port", rule->port),
                      CN_NL_STR("addresses", s));
      free(s);
    }
    *result = CN_OK;
    return true;
  }

  cn_ip_endpoint ep;
  if (cn_ip_endpoint_from_literal(host, port, &ep)) {
    cn_address_list_free(out_addrs);
    cn_address_list_append(out_addrs, &ep);
    *result = CN_OK;
    return true;
  }

  if (r->opts.resolve_localhost_locally && is_localhost(host)) {
    cn_address_list_free(out_addrs);
    cn_ip_endpoint_from_literal("127.0.0.1", port, &ep);
    cn_address_list_append(out_addrs, &ep);
    cn_ip_endpoint_from_literal("::1", port, &ep);
    cn_address_list_append(out_addrs, &ep);
    *result = CN_OK;
    return true;
  }

  cn_address_list cached;
  cn_address_list_init(&cached);
  if (cn_hosts_file_lookup(&r->hosts, host, &cached)) {
    fill_with_port(out_addrs, &cached, port);
    if (cn_netlog_is_capturing(netlog)) {
      char *s = addresses_for_log(netlog, &cached, port);
      cn_netlog_event(netlog, source, CN_NETLOG_HOST_RESOLVER_HOSTS_FILE_HIT,
                      CN_NL_STR("host", host), CN_NL_STR("addresses", s));
      free(s);
    }
    cn_address_list_free(&cached);
    *result = CN_OK;
    return true;
  }
  int err;
  if (cn_host_cache_lookup(&r->cache, host, AF_UNSPEC, now_ms(r), &err, &cached)) {
    if (err == CN_OK)
      fill_with_port(out_addrs, &cached, port);
    if (cn_netlog_is_capturing(netlog)) {
      if (err == CN_OK) {
        char *s = addresses_for_log(netlog, &cached, port);
        cn_netlog_event(netlog, source, CN_NETLOG_HOST_RESOLVER_CACHE_HIT,
                        CN_NL_STR("host", host), CN_NL_STR("addresses", s));
        free(s);
      } else {
        cn_netlog_event(netlog, source, CN_NETLOG_HOST_RESOLVER_CACHE_HIT,
                        CN_NL_STR("host", host), CN_NL_ERROR(err));
      }
    }
    cn_address_list_free(&cached);
    *result = err;
    return true;
  }
  return false;
}

int cn_host_resolver_resolve(cn_host_resolver *r, const char *host, uint16_t port,
                             cn_netlog *netlog, cn_netlog_source source,
                             cn_host_resolve_request **out_req, cn_address_list *out_addrs,
                             cn_completion_cb cb, void *arg) {
  *out_req = NULL;
  char canon[CN_HOST_BUF_SIZE];
  if (!host || cn_host_canonicalize(host, strlen(host), canon, NULL) != CN_OK) {
    // Logged under the name as given so the failure is visible in the log.
    cn_netlog_begin(netlog, source, CN_NETLOG_HOST_RESOLVER_REQUEST,
                    CN_NL_STR("host", host ? host : ""), CN_NL_INT("port", port));
    cn_netlog_end(netlog, source, CN_NETLOG_HOST_RESOLVER_REQUEST,
                  CN_NL_ERROR(CN_ERR_NAME_NOT_RESOLVED));
    return CN_ERR_NAME_NOT_RESOLVED;
  }
  cn_netlog_begin(netlog, source, CN_NETLOG_HOST_RESOLVER_REQUEST, CN_NL_STR("host", canon),
                  CN_NL_INT("port", port));

  int result;
  if (resolve_locally(r, canon, port, netlog, source, out_addrs, &result)) {
    log_end(netlog, source, CN_NETLOG_HOST_RESOLVER_REQUEST, result, out_addrs, port);
    return result;
  }

  job *j;
  int rv = get_or_start_job(r, canon, AF_UNSPEC, port, netlog, source, &j);
  if (rv != CN_OK) {
    cn_netlog_end(netlog, source, CN_NETLOG_HOST_RESOLVER_REQUEST, CN_NL_ERROR(rv));
    return rv;
  }
  cn_host_resolve_request *req = CN_NEW(cn_host_resolve_request);
  req->job = j;
  req->port = port;
  req->out_addrs = out_addrs;
  req->cb = cb;
  req->arg = arg;
  req->netlog = netlog;
  req->source = source;
  cn_list_push_back(&j->requests, &req->link);
  cn_netlog_event(netlog, source, CN_NETLOG_HOST_RESOLVER_JOB_ATTACH,
                  CN_NL_SOURCE("source_dependency", j->source));
  *out_req = req;
  return CN_ERR_IO_PENDING;
}

void cn_host_resolve_request_cancel(cn_host_resolve_request *req) {
  if (!req)
    return;
  job *j = req->job;
  request_abort(req);
  // A delivering job is already off the map and is freed by its delivery
  // loop; a running one with no requests left has no reason to go on.
  if (!j->delivering && cn_list_empty(&j->requests)) {
    cn_hashmap_remove(&j->resolver->jobs, j->key);
    job_abort(j);
  }
}

cn_host_rules *cn_host_resolver_rules(cn_host_resolver *r) { return &r->rules; }

void cn_host_resolver_clear_cache(cn_host_resolver *r) { cn_host_cache_clear(&r->cache); }

void cn_host_resolver_on_network_changed(cn_host_resolver *r) {
  cn_host_cache_clear(&r->cache);
  cn_hosts_file_invalidate(&r->hosts);
  r->network_generation++;
}

cn_ares_backend *cn_host_resolver_ares_backend(const cn_host_resolver *r) { return r->ares; }

size_t cn_host_resolver_cache_size(const cn_host_resolver *r) {
  return cn_host_cache_size(&r->cache);
}

size_t cn_host_resolver_job_count(const cn_host_resolver *r) {
  return cn_hashmap_count(&r->jobs);
}
