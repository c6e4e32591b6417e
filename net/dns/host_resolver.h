// The async host resolver: host name -> ordered cn_address_list, on a libuv
// loop.
//
// A resolve is answered, in this order, by:
//   1. host rules (cn_host_rules, curl --resolve style)     -> synchronous
//   2. an IP literal ("127.0.0.1", "::1", "[::1]")           -> synchronous
//   3. "localhost" / "*.localhost" -> 127.0.0.1, ::1 (RFC 6761; IPv4 first
//      because loopback test servers usually listen on 127.0.0.1 only)
//                                                           -> synchronous
//   4. the hosts file (/etc/hosts or opts.hosts_file)      -> synchronous
//   5. the cache (each answer for its DNS TTL)              -> synchronous
//   6. a lookup job: c-ares by default (host_resolver_ares.h: A and AAAA
//      from the configured DNS servers, search domains), getaddrinfo on
//      libuv's threadpool with |use_system_resolver|   -> CN_ERR_IO_PENDING
// Concurrent requests for the same host share one job (one DNS lookup), as
// Chromium's HostResolverManager does; each request gets the addresses with
// its own port. The list holds both families in the backend's order
// (RFC 6724, as getaddrinfo sorts); connect logic may reorder it.
//
// NetLog: on the caller's source, HOST_RESOLVER_REQUEST BEGIN {host, port}
// ... END {addresses} | {net_error}, with HOST_RESOLVER_RULE_APPLIED,
// HOST_RESOLVER_HOSTS_FILE_HIT or HOST_RESOLVER_CACHE_HIT point events
// inside when those answered, and HOST_RESOLVER_JOB_ATTACH
// {source_dependency} when it waits on a job. Each job has its own
// HOST_RESOLVER_JOB source with HOST_RESOLVER_JOB BEGIN {host, port} / END
// {addresses, ttl_ms} | {net_error, dns_error}, logged to the netlog of the
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
#include "net/dns/host_resolver_ares.h"
#include "net/dns/host_resolver_proc.h"
#include "net/dns/host_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_host_resolver cn_host_resolver;
typedef struct cn_host_resolve_request cn_host_resolve_request;

typedef struct cn_host_resolver_options {
  // How long a successful answer is reused when the backend reports no TTL
  // (getaddrinfo, scripted backends); c-ares answers keep their DNS TTL.
  // 0 disables caching altogether.
  uint64_t cache_ttl_ms;
  // How long a failed lookup (CN_ERR_NAME_NOT_RESOLVED) is remembered; 0
  // (the default) retries every time, since a typo'd name is cheap to ask
  // again and a transient failure should not stick.
  uint64_t negative_ttl_ms;
  // Most cached hosts (when full, expired entries go first, then those
  // expiring soonest); 0 disables caching.
  size_t cache_max_entries;
  // Answer "localhost" and "*.localhost" with loopback without asking the
  // backend (step 3 above).
  bool resolve_localhost_locally;
  // A lookup backend replacing c-ares (answers live cache_ttl_ms); NULL
  // means the resolver's own c-ares backend (made from |dns| below), or
  // cn_host_resolver_system_proc() with |use_system_resolver|. |proc| and
  // |proc_ctx| must outlive the resolver (and, for a backend that finishes
  // abandoned lookups later, the loop run that finishes them).
  const cn_host_resolver_proc *proc;
  void *proc_ctx;
  // The clock for cache expiry, in milliseconds; NULL means cn_now_ms(loop).
  // Tests inject a manual clock here.
  uint64_t (*now_ms)(void *clock_ctx);
  void *clock_ctx;
  // Use getaddrinfo on libuv's threadpool instead of c-ares when |proc| is
  // NULL (no DNS TTLs: answers live cache_ttl_ms).
  bool use_system_resolver;
  // The c-ares backend's settings (servers, resolv.conf, search domains,
  // timeouts); strings are used during cn_host_resolver_create only.
  cn_ares_options dns;
  // The hosts file of step 4; NULL: /etc/hosts; "": none.
  const char *hosts_file;
} cn_host_resolver_options;

// Fills |opts| with the defaults: 60 s TTL for answers without one, no
// negative caching, 1000 entries, localhost answered locally, c-ares with
// resolv.conf's settings, /etc/hosts, loop clock.
void cn_host_resolver_options_init(cn_host_resolver_options *opts);

// Creates a resolver on |loop|. |opts| may be NULL for the defaults; it is
// copied (strings are not kept). Returns CN_OK and the resolver in *out, or
// the c-ares backend's error (a bad |dns.servers|) with a one-line reason in
// |err| (|err_size| bytes; may be NULL). The caller owns the resolver and
// frees it with cn_host_resolver_destroy().
int cn_host_resolver_create(uv_loop_t *loop, const cn_host_resolver_options *opts,
                            cn_host_resolver **out, char *err, size_t err_size);

// cn_host_resolver_create() for callers whose options cannot fail: should
// c-ares not start, the resolver falls back to getaddrinfo.
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
// The network changed (cnet_context_network_changed): forgets every cached
// answer, re-reads the hosts file at the next lookup, and keeps jobs already
// running from caching what they were told on the old network (they still
// answer their requests).
void cn_host_resolver_on_network_changed(cn_host_resolver *r);
// Number of cached answers (for tests and stats).
size_t cn_host_resolver_cache_size(const cn_host_resolver *r);
// Number of running lookup jobs (for tests and stats).
size_t cn_host_resolver_job_count(const cn_host_resolver *r);
// The resolver's own c-ares backend, or NULL (another backend), for tests.
cn_ares_backend *cn_host_resolver_ares_backend(const cn_host_resolver *r);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_DNS_HOST_RESOLVER_H_
