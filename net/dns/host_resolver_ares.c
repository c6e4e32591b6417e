#include "net/dns/host_resolver_ares.h"

#include <ares.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/list.h"
#include "base/mem.h"
#include "base/timer.h"
#include "net/base/ip_endpoint.h"
#include "net/base/net_errors.h"
#include "net/dns/host_resolver_proc.h"

#define DEFAULT_ATTEMPT_TIMEOUT_MS 2000
#define DEFAULT_ATTEMPTS 2
#define MAX_SEARCH_DOMAINS 16

// One socket c-ares wants watched. Heap-allocated on its own: libuv closes
// the handle asynchronously, and on_poll_closed frees it after the backend
// may be gone.
typedef struct ares_poll {
  uv_poll_t handle;
  cn_list_node link;  // cn_ares_backend.polls
  cn_ares_backend *backend;
  ares_socket_t fd;
} ares_poll;

// One ares_getaddrinfo. c-ares offers no way to cancel a single query, so an
// abandoned lookup stays allocated until c-ares calls back (answer, timeout,
// or ARES_EDESTRUCTION from ares_destroy) and is freed then.
typedef struct ares_lookup {
  cn_list_node link;  // cn_ares_backend.lookups
  cn_ares_backend *backend;
  cn_ares_done_cb done;
  void *done_arg;
  bool abandoned;
  bool starting;  // inside ares_getaddrinfo: an answer now must wait
  // An answer that came from inside ares_getaddrinfo, handed out by
  // |deferred| on the next loop turn (done never runs inside start).
  cn_timer *deferred;
  int result;
  cn_address_list addrs;
  int64_t ttl_ms;
} ares_lookup;

struct cn_ares_backend {
  uv_loop_t *loop;
  ares_channel channel;
  cn_list_node polls;    // ares_poll
  cn_list_node lookups;  // ares_lookup still known to c-ares or deferred
  cn_timer *timeout_timer;
  int processing;        // depth of calls into c-ares that may run callbacks
  bool destroy_pending;  // destroyed while processing: finish when it returns
};

void cn_ares_options_init(cn_ares_options *o) {
  memset(o, 0, sizeof(*o));
  o->ndots = -1;
}

// Writes "|what|: |why|" into |err| when there is one.
static void set_err(char *err, size_t err_size, const char *what, const char *why) {
  if (err && err_size)
    snprintf(err, err_size, "%s: %s", what, why);
}

static void destroy_now(cn_ares_backend *b);

// Re-arms the timer for c-ares' next timeout (none: stopped).
static void update_timeout(cn_ares_backend *b) {
  struct timeval tv;
  struct timeval *next = ares_timeout(b->channel, NULL, &tv);
  if (!next) {
    cn_timer_stop(b->timeout_timer);
    return;
  }
  uint64_t ms = (uint64_t)next->tv_sec * 1000 + (uint64_t)(next->tv_usec + 999) / 1000;
  cn_timer_start(b->timeout_timer, ms, 0);
}

// Every call into c-ares that may run lookup callbacks goes through here:
// callbacks may destroy the backend, which then waits for the outermost call
// to return.
static void process(cn_ares_backend *b, ares_socket_t read_fd, ares_socket_t write_fd) {
  b->processing++;
  ares_process_fd(b->channel, read_fd, write_fd);
  b->processing--;
  if (b->processing == 0 && b->destroy_pending) {
    destroy_now(b);
    return;
  }
  if (!b->destroy_pending)
    update_timeout(b);
}

static void on_timeout(void *arg) {
  cn_ares_backend *b = arg;
  process(b, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  ares_poll *p = handle->data;
  cn_ares_backend *b = p->backend;
  // On a poll error let c-ares try both directions: its read or write then
  // fails and it handles the socket's error itself.
  ares_socket_t rfd = (status < 0 || (events & UV_READABLE)) ? p->fd : ARES_SOCKET_BAD;
  ares_socket_t wfd = (status < 0 || (events & UV_WRITABLE)) ? p->fd : ARES_SOCKET_BAD;
  process(b, rfd, wfd);
}

static void on_poll_closed(uv_handle_t *handle) { free(handle->data); }

static void close_poll(ares_poll *p) {
  cn_list_remove(&p->link);
  uv_close((uv_handle_t *)&p->handle, on_poll_closed);
}

static ares_poll *find_poll(cn_ares_backend *b, ares_socket_t fd) {
  for (cn_list_node *n = b->polls.next; n != &b->polls; n = n->next) {
    ares_poll *p = CN_CONTAINER_OF(n, ares_poll, link);
    if (p->fd == fd)
      return p;
  }
  return NULL;
}

// c-ares' socket state callback: watch |fd| for what it wants, or stop
// (c-ares calls this with 0, 0 before it closes the socket, so the handle is
// closed while the descriptor is still valid).
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable) {
  cn_ares_backend *b = data;
  ares_poll *p = find_poll(b, fd);
  if (!readable && !writable) {
    if (p)
      close_poll(p);
    return;
  }
  if (!p) {
    p = CN_NEW(ares_poll);
    p->backend = b;
    p->fd = fd;
    p->handle.data = p;
    if (uv_poll_init_socket(b->loop, &p->handle, fd) != 0) {
      // c-ares then only sees its timeouts: the query fails as timed out
      // rather than waiting forever.
      free(p);
      return;
    }
    cn_list_push_back(&b->polls, &p->link);
  }
  uv_poll_start(&p->handle, (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0),
                on_poll);
}

static int error_from_ares(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return CN_OK;
    case ARES_ENODATA:
    case ARES_ENOTFOUND:
    case ARES_ENONAME:
    case ARES_EBADNAME:
    case ARES_EBADFAMILY:
      return CN_ERR_NAME_NOT_RESOLVED;
    case ARES_ETIMEOUT:
      return CN_ERR_DNS_TIMED_OUT;
    case ARES_EFORMERR:
    case ARES_EBADRESP:
      return CN_ERR_DNS_MALFORMED_RESPONSE;
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
    case ARES_ENOTIMP:
    case ARES_ECONNREFUSED:
    case ARES_ESERVICE:
      return CN_ERR_DNS_SERVER_FAILED;
    case ARES_ENOMEM:
      return CN_ERR_OUT_OF_MEMORY;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
      return CN_ERR_ABORTED;
    default:
      return CN_ERR_NAME_RESOLUTION_FAILED;
  }
}

static void lookup_free(ares_lookup *l) {
  cn_list_remove(&l->link);
  cn_timer_destroy(l->deferred);
  cn_address_list_free(&l->addrs);
  free(l);
}

// Hands the stored answer to the resolver and frees the lookup.
static void deliver(ares_lookup *l) {
  cn_ares_done_cb done = l->done;
  void *done_arg = l->done_arg;
  int result = l->result;
  int64_t ttl_ms = l->ttl_ms;
  cn_address_list addrs = l->addrs;
  cn_address_list_init(&l->addrs);
  lookup_free(l);
  done(done_arg, result, &addrs, ttl_ms);
  cn_address_list_free(&addrs);  // empty unless done left it alone
}

static void on_deferred(void *arg) { deliver(arg); }

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res) {
  (void)timeouts;
  ares_lookup *l = arg;
  if (l->abandoned) {
    ares_freeaddrinfo(res);
    lookup_free(l);
    return;
  }
  l->result = error_from_ares(status);
  l->ttl_ms = -1;
  if (status == ARES_SUCCESS && res) {
    int64_t min_ttl = -1;
    for (struct ares_addrinfo_node *ai = res->nodes; ai; ai = ai->ai_next) {
      if (!cn_address_list_append_unique_sockaddr(&l->addrs, ai->ai_addr, ai->ai_addrlen))
        continue;
      if (min_ttl < 0 || ai->ai_ttl < min_ttl)
        min_ttl = ai->ai_ttl < 0 ? 0 : ai->ai_ttl;
    }
    // The answer lives no longer than the CNAMEs that led to it.
    for (struct ares_addrinfo_cname *c = res->cnames; c; c = c->next) {
      if (min_ttl < 0 || c->ttl < min_ttl)
        min_ttl = c->ttl < 0 ? 0 : c->ttl;
    }
    if (l->addrs.count == 0)
      l->result = CN_ERR_NAME_NOT_RESOLVED;
    else
      l->ttl_ms = min_ttl * 1000;
  }
  ares_freeaddrinfo(res);
  if (l->starting) {
    l->deferred = cn_timer_new(l->backend->loop, on_deferred, l);
    cn_timer_start(l->deferred, 0, 0);
    return;
  }
  deliver(l);
}

int cn_ares_backend_start(cn_ares_backend *b, const char *host, int family, cn_ares_done_cb done,
                          void *done_arg, void **out_lookup) {
  ares_lookup *l = CN_NEW(ares_lookup);
  l->backend = b;
  l->done = done;
  l->done_arg = done_arg;
  cn_address_list_init(&l->addrs);
  cn_list_push_back(&b->lookups, &l->link);
  struct ares_addrinfo_hints hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  l->starting = true;
  b->processing++;
  ares_getaddrinfo(b->channel, host, NULL, &hints, on_addrinfo, l);
  b->processing--;
  l->starting = false;
  // ares_getaddrinfo runs no other lookup's callback, so the backend cannot
  // have been destroyed here; only this lookup may have finished (deferred).
  update_timeout(b);
  *out_lookup = l;
  return CN_ERR_IO_PENDING;
}

void cn_ares_backend_abandon(cn_ares_backend *b, void *lookup) {
  (void)b;
  ares_lookup *l = lookup;
  if (l->deferred) {  // c-ares is done with it: nothing else will free it
    lookup_free(l);
    return;
  }
  l->abandoned = true;
}


// Splits "a,b,c" into at most MAX_SEARCH_DOMAINS strings in |buf|.
static int split_domains(const char *list, char *buf, size_t buf_size, char **out) {
  snprintf(buf, buf_size, "%s", list);
  int n = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok && n < MAX_SEARCH_DOMAINS;
       tok = strtok_r(NULL, ", ", &save))
    out[n++] = tok;
  return n;
}

int cn_ares_backend_new(uv_loop_t *loop, const cn_ares_options *o, cn_ares_backend **out,
                        char *err, size_t err_size) {
  *out = NULL;
  cn_ares_options defaults;
  if (!o) {
    cn_ares_options_init(&defaults);
    o = &defaults;
  }
  int rv = ares_library_init(ARES_LIB_INIT_ALL);
  if (rv != ARES_SUCCESS) {
    set_err(err, err_size, "c-ares", ares_strerror(rv));
    return CN_ERR_FAILED;
  }
  cn_ares_backend *b = CN_NEW(cn_ares_backend);
  b->loop = loop;
  cn_list_init(&b->polls);
  cn_list_init(&b->lookups);

  struct ares_options ao;
  memset(&ao, 0, sizeof(ao));
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS;
  ao.sock_state_cb = on_sock_state;
  ao.sock_state_cb_data = b;
  ao.timeout = (int)(o->attempt_timeout_ms ? o->attempt_timeout_ms : DEFAULT_ATTEMPT_TIMEOUT_MS);
  ao.tries = o->attempts > 0 ? o->attempts : DEFAULT_ATTEMPTS;
  ao.lookups = (char *)"b";  // DNS only: the resolver reads the hosts file itself
  if (o->ndots >= 0) {
    mask |= ARES_OPT_NDOTS;
    ao.ndots = o->ndots;
  }
  char domain_buf[1024];
  char *domains[MAX_SEARCH_DOMAINS];
  if (o->search_domains) {
    mask |= ARES_OPT_DOMAINS;
    ao.ndomains = split_domains(o->search_domains, domain_buf, sizeof(domain_buf), domains);
    ao.domains = domains;
  }
  if (o->resolv_conf) {
    mask |= ARES_OPT_RESOLVCONF;
    ao.resolvconf_path = (char *)o->resolv_conf;
  }
  rv = ares_init_options(&b->channel, &ao, mask);
  if (rv != ARES_SUCCESS) {
    set_err(err, err_size, "c-ares could not start", ares_strerror(rv));
    free(b);
    ares_library_cleanup();
    return CN_ERR_FAILED;
  }
  if (o->servers && *o->servers) {
    rv = ares_set_servers_ports_csv(b->channel, o->servers);
    if (rv != ARES_SUCCESS) {
      if (err && err_size)
        snprintf(err, err_size, "DNS servers '%s': %s (expected IP[:PORT],[IPv6]:PORT,...)",
                 o->servers, ares_strerror(rv));
      ares_destroy(b->channel);
      free(b);
      ares_library_cleanup();
      return CN_ERR_INVALID_ARGUMENT;
    }
  }
  b->timeout_timer = cn_timer_new(loop, on_timeout, b);
  *out = b;
  return CN_OK;
}

static void destroy_now(cn_ares_backend *b) {
  // Every lookup left is abandoned (the contract): ares_destroy calls each
  // back with ARES_EDESTRUCTION, which frees it, and reports every socket
  // closed, which closes its poll handle.
  ares_destroy(b->channel);
  while (!cn_list_empty(&b->lookups))  // deferred answers nobody took
    lookup_free(CN_CONTAINER_OF(cn_list_front(&b->lookups), ares_lookup, link));
  while (!cn_list_empty(&b->polls))
    close_poll(CN_CONTAINER_OF(cn_list_front(&b->polls), ares_poll, link));
  cn_timer_destroy(b->timeout_timer);
  free(b);
  ares_library_cleanup();
}

void cn_ares_backend_destroy(cn_ares_backend *b) {
  if (!b)
    return;
  if (b->processing) {
    b->destroy_pending = true;
    return;
  }
  destroy_now(b);
}

size_t cn_ares_backend_lookup_count(const cn_ares_backend *b) {
  return cn_list_size(&b->lookups);
}
