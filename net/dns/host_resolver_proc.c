#include "net/dns/host_resolver_proc.h"

#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

// One uv_getaddrinfo in flight. It is heap-allocated and owned by libuv's
// callback rather than by the resolver job: getaddrinfo cannot be interrupted
// once a threadpool thread runs it, so when the job goes away (cancel,
// resolver destroyed) the lookup is only marked abandoned and lives on until
// on_getaddrinfo frees it.
typedef struct system_lookup {
  uv_getaddrinfo_t req;
  cn_host_resolver_proc_done_cb done;
  void *done_arg;
  bool abandoned;
} system_lookup;

bool cn_address_list_append_unique_sockaddr(cn_address_list *addrs, const struct sockaddr *sa,
                                            size_t len) {
  cn_ip_endpoint ep;
  memset(&ep, 0, sizeof(ep));
  if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
    memcpy(&ep.addr, sa, sizeof(struct sockaddr_in));
  else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
    memcpy(&ep.addr, sa, sizeof(struct sockaddr_in6));
  else
    return false;
  cn_ip_endpoint_set_port(&ep, 0);
  for (size_t i = 0; i < addrs->count; i++) {
    if (cn_ip_endpoint_equal(&addrs->items[i], &ep))
      return true;
  }
  cn_address_list_append(addrs, &ep);
  return true;
}

static void on_getaddrinfo(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  system_lookup *l = req->data;
  if (l->abandoned) {
    uv_freeaddrinfo(res);
    free(l);
    return;
  }
  cn_address_list addrs;
  cn_address_list_init(&addrs);
  int result = cn_error_from_uv(status);
  if (status == 0) {
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
      cn_address_list_append_unique_sockaddr(&addrs, ai->ai_addr, ai->ai_addrlen);
    if (addrs.count == 0)
      result = CN_ERR_NAME_NOT_RESOLVED;
  } else if (result == CN_ERR_FAILED || result == CN_ERR_ABORTED) {
    // Whatever else getaddrinfo reports (EAI_SYSTEM...), the caller's answer
    // is that the name did not resolve.
    result = CN_ERR_NAME_NOT_RESOLVED;
  }
  uv_freeaddrinfo(res);
  cn_host_resolver_proc_done_cb done = l->done;
  void *done_arg = l->done_arg;
  free(l);
  done(done_arg, result, &addrs);
  cn_address_list_free(&addrs);  // empty unless done left it alone
}

static int system_start(void *ctx, uv_loop_t *loop, const char *host, int family,
                        cn_host_resolver_proc_done_cb done, void *done_arg, void **out_lookup) {
  system_lookup *l = CN_NEW(system_lookup);
  l->req.data = l;
  l->done = done;
  l->done_arg = done_arg;
  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  // With a callback uv_getaddrinfo copies |host| and always completes through
  // on_getaddrinfo, so done is never called from inside start.
  int rv = uv_getaddrinfo(loop, &l->req, on_getaddrinfo, host, NULL, &hints);
  if (rv < 0) {
    free(l);
    int err = cn_error_from_uv(rv);
    return err == CN_ERR_FAILED ? CN_ERR_NAME_NOT_RESOLVED : err;
  }
  *out_lookup = l;
  return CN_ERR_IO_PENDING;
}

static void system_abandon(void *ctx, void *lookup) {
  system_lookup *l = lookup;
  l->abandoned = true;
  // Succeeds only while the work is still queued; the callback then runs with
  // UV_EAI_CANCELED and frees |l| like any abandoned lookup.
  uv_cancel((uv_req_t *)&l->req);
}

static const cn_host_resolver_proc kSystemProc = {
    .start = system_start,
    .abandon = system_abandon,
};

const cn_host_resolver_proc *cn_host_resolver_system_proc(void) { return &kSystemProc; }
