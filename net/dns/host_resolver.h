// The async host resolver: host name -> ordered cn_address_list, on a libuv
// loop.
//
// A resolve is answered, in this order, by:
//   1. host rules (cn_host_rules, curl --resolve style)     -> synchronous
//   2. an IP literal ("127.0.0.1", "::1", "[::1]")           -> synchronous
//   3. "localhost" / "*.localhost" -> 127.0.0.1, ::1 (RFC 6761; IPv4 first
//      because loopback test servers usually listen on 127.0.0.1 only)
//                                                           -> synchronous
//   4. the cache (fixed TTL, see cn_host_resolver_options)  -> synchronous
//   5. a lookup job (uv_getaddrinfo by default)             -> CN_ERR_IO_PENDING
// Concurrent requests for the same host share one job (one getaddrinfo), as
// Chromium's HostResolverManager does; each request gets the addresses with
// its own port.
//
// NetLog: on the caller's source, HOST_RESOLVER_REQUEST BEGIN {host, port}
// ... END {addresses} | {net_error}, with HOST_RESOLVER_RULE_APPLIED or
// HOST_RESOLVER_CACHE_HIT point events inside when those answered, and
// HOST_RESOLVER_JOB_ATTACH {source_dependency} when it waits on a job. Each
// job has its own HOST_RESOLVER_JOB source with HOST_RESOLVER_JOB BEGIN
// {host, port} / END {addresses} | {net_error}, logged to the netlog of the
// request that started it.
//
// Threading: loop thread only. The resolver holds no global state.
#ifndef CNET_NET_DNS_HOST_RESOLVER_H_
#define CNET_NET_DNS_HOST_RESOLVER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "net/base/ip_endpoint.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/dns/host_rules.h"
#include "net/dns/host_resolver_proc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_host_resolver cn_host_resolver;
typedef struct cn_host_resolve_request cn_host_resolve_request;

typedef struct cn_host_resolver_options {
  // How long a successful answer is reused. 0 disables caching.
  uint64_t cache_ttl_ms;
  // How long a failed lookup (CN_ERR_NAME_NOT_RESOLVED) is remembered; 0
  // (the default) retries every time, since a typo'd name is cheap to ask
  // again and a transient failure should not stick.
  uint64_t negative_ttl_ms;
  // Most cached hosts; 0 disables caching.
  size_t cache_max_entries;
  // Answer "localhost" and "*.localhost" with loopback without asking the
  // backend (step 3 above).
  bool resolve_localhost_locally;
  // The lookup backend; NULL means cn_host_resolver_system_proc(). |proc| and
  // |proc_ctx| must outlive the resolver (and, for a backend that finishes
  // abandoned lookups later, the loop run that finishes them).
  const cn_host_resolver_proc *proc;
  void *proc_ctx;
  // The clock for cache expiry, in milliseconds; NULL means cn_now_ms(loop).
  // Tests inject a manual clock here.
  uint64_t (*now_ms)(void *clock_ctx);
  void *clock_ctx;
} cn_host_resolver_options;

// Fills |opts| with the defaults: 60 s TTL, no negative caching, 1000
// entries, localhost answered locally, system backend, loop clock.
void cn_host_resolver_options_init(cn_host_resolver_options *opts);

// Creates a resolver on |loop|. |opts| may be NULL for the defaults; it is
// copied. The caller owns the resolver and frees it with
// cn_host_resolver_destroy().
cn_host_resolver *cn_host_resolver_new(uv_loop_t *loop, const cn_host_resolver_options *opts);

// Destroys the resolver. Every outstanding request is cancelled: no callback
// runs after this returns, and the request handles become invalid. Lookups
// still running in libuv's threadpool are abandoned and freed when their
// loop callback runs, so keep running the loop until it is idle before
// uv_loop_close(). May be called from inside a resolve callback.
void cn_host_resolver_destroy(cn_host_resolver *r);

// Starts resolving |host| (a name, an IPv4 literal, or an IPv6 literal with
// or without brackets; case-insensitive) for |port|.
//
// |out_addrs| must be an initialised list (cn_address_list_init); its
// previous contents are freed and replaced by the answer, each address with
// |port|. The caller owns the list.
//
// Returns:
//   CN_OK: answered synchronously (rule, literal, localhost, cache hit);
//     *out_addrs is filled, *out_req is NULL, |cb| will not run.
//   CN_ERR_IO_PENDING: *out_req is set; |cb|(|arg|, result) runs exactly once
//     later from the loop, never from inside this call, with CN_OK (and
//     *out_addrs filled) or an error. |out_addrs| must stay valid until then.
//     The request is freed by the resolver just before |cb| runs.
//   an error, synchronously: CN_ERR_NAME_NOT_RESOLVED for a host that is not
//     a valid name (empty, bad characters, too long) or a cached negative
//     answer; or what the backend failed to start with.
// |netlog| may be NULL; it and |source| label the request's NetLog events.
int cn_host_resolver_resolve(cn_host_resolver *r, const char *host, uint16_t port,
                             cn_netlog *netlog, cn_netlog_source source,
                             cn_host_resolve_request **out_req, cn_address_list *out_addrs,
                             cn_completion_cb cb, void *arg);

// Cancels a pending request: its callback never runs and |req| is freed. The
// shared job keeps going while other requests wait on it; when the last one
// is cancelled its lookup is abandoned. Must not be called after the
// callback ran (the request no longer exists then).
void cn_host_resolve_request_cancel(cn_host_resolve_request *req);

// The rules consulted first by every resolve. Owned by the resolver; the
// caller may modify them at any time (changes apply to later resolves).
cn_host_rules *cn_host_resolver_rules(cn_host_resolver *r);

// Forgets every cached answer (running jobs still finish and cache theirs).
void cn_host_resolver_clear_cache(cn_host_resolver *r);
// Number of cached answers (for tests and stats).
size_t cn_host_resolver_cache_size(const cn_host_resolver *r);
// Number of running lookup jobs (for tests and stats).
size_t cn_host_resolver_job_count(const cn_host_resolver *r);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_DNS_HOST_RESOLVER_H_
