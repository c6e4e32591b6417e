// The lookup backend under cn_host_resolver: what actually turns a host name
// into addresses once rules, literals and the cache had no answer. The
// default is the system resolver through uv_getaddrinfo (libuv's threadpool);
// tests plug in a scripted one so they never touch DNS and can complete
// lookups exactly when they want (dedupe, cancel, destroy-while-pending).
//
// Contract for an implementation (everything on the loop thread):
//   - start() either returns an error synchronously (done is never called),
//     or returns CN_ERR_IO_PENDING, sets *out_lookup, and later calls
//     done(done_arg, result, addrs) exactly once from the loop, never from
//     inside start() itself;
//   - result is CN_OK with a non-empty |addrs| (in the order the backend
//     wants them tried; ports are ignored), or a CN_ERR_* (NXDOMAIN-like
//     answers are CN_ERR_NAME_NOT_RESOLVED). The callee (the resolver) takes
//     the contents of *addrs and leaves it empty;
//   - abandon(lookup): the caller no longer wants the answer; done must not
//     run afterwards. The backend releases the lookup, possibly later (a
//     getaddrinfo already running in the threadpool cannot be stopped).
#ifndef CNET_NET_DNS_HOST_RESOLVER_PROC_H_
#define CNET_NET_DNS_HOST_RESOLVER_PROC_H_

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "net/base/ip_endpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*cn_host_resolver_proc_done_cb)(void *done_arg, int result,
                                              cn_address_list *addrs);

typedef struct cn_host_resolver_proc {
  // Resolves |host| (a canonical host name, never an IP literal; copied if
  // kept) for |family| (AF_UNSPEC, AF_INET or AF_INET6). |ctx| is the
  // proc_ctx the resolver was created with.
  int (*start)(void *ctx, uv_loop_t *loop, const char *host, int family,
               cn_host_resolver_proc_done_cb done, void *done_arg, void **out_lookup);
  void (*abandon)(void *ctx, void *lookup);
} cn_host_resolver_proc;

// The system resolver: uv_getaddrinfo(host, hints: |family|, SOCK_STREAM),
// addresses in getaddrinfo's order with duplicates dropped; its |ctx| is
// unused. An abandoned lookup that is already running finishes in the
// threadpool and is freed by its loop callback, so the loop must be run
// until it has no more requests before uv_loop_close() (it would report
// UV_EBUSY otherwise).
const cn_host_resolver_proc *cn_host_resolver_system_proc(void);

// For backends: appends the address in |sa| (|len| bytes, AF_INET or
// AF_INET6; anything else is ignored) with port 0 to |addrs| unless it is
// there already (a hosts file or a DNS answer can list one twice, and
// connecting twice to it would only waste time). Returns whether it was
// an address.
bool cn_address_list_append_unique_sockaddr(cn_address_list *addrs, const struct sockaddr *sa,
                                            size_t len);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_DNS_HOST_RESOLVER_PROC_H_
