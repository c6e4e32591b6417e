#include "tools/testserver/upstream_pool.h"

#include <stdlib.h>
#include <string.h>

#include "base/list.h"
#include "base/mem.h"
#include "net/dns/host_resolver.h"
#include "net/socket/tcp_socket.h"

// Idle connections kept in all (a proxy for a few tests needs few; the
// bound keeps a long-running program from collecting sockets).
#define MAX_IDLE 32

typedef struct idle_socket {
  cn_list_node link;  // in pool->idle, most recent last
  cn_host_port dest;
  cn_stream_socket *socket;
} idle_socket;

struct cn_ts_upstream_request {
  cn_list_node link;  // in pool->requests
  cn_ts_upstream_pool *pool;
  cn_host_port dest;
  cn_netlog_source source;
  cn_host_resolve_request *resolve;
  cn_address_list addrs;
  cn_stream_socket *socket;  // connecting
  cn_ts_upstream_cb cb;
  void *arg;
};

struct cn_ts_upstream_pool {
  uv_loop_t *loop;
  cn_netlog *netlog;
  cn_host_resolver *resolver;
  cn_test_server_proxy_counters *counters;
  cn_list_node idle;
  cn_list_node requests;
};

cn_ts_upstream_pool *cn_ts_upstream_pool_new(uv_loop_t *loop, cn_netlog *netlog,
                                             const cn_host_rules *rules,
                                             cn_test_server_proxy_counters *counters) {
  cn_ts_upstream_pool *p = CN_NEW(cn_ts_upstream_pool);
  p->loop = loop;
  p->netlog = netlog;
  p->counters = counters;
  cn_list_init(&p->idle);
  cn_list_init(&p->requests);
  cn_host_resolver_options o;
  cn_host_resolver_options_init(&o);
  // Tests remap names between servers; an answer must never outlive a
  // change of the world it was made in.
  o.cache_ttl_ms = 0;
  p->resolver = cn_host_resolver_new(loop, &o);
  if (rules) {
    cn_host_rules *dst = cn_host_resolver_rules(p->resolver);
    cn_host_rules_free(dst);
    cn_host_rules_copy(dst, rules);
  }
  return p;
}

static void idle_free(idle_socket *s) {
  cn_list_remove(&s->link);
  cn_stream_socket_destroy(s->socket);
  free(s);
}

static void request_free(cn_ts_upstream_request *r) {
  cn_list_remove(&r->link);
  if (r->resolve)
    cn_host_resolve_request_cancel(r->resolve);
  cn_stream_socket_destroy(r->socket);
  cn_address_list_free(&r->addrs);
  free(r);
}

void cn_ts_upstream_pool_destroy(cn_ts_upstream_pool *p) {
  if (!p)
    return;
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &p->idle) { idle_free(CN_CONTAINER_OF(it, idle_socket, link)); }
  CN_LIST_FOREACH_SAFE(it, tmp, &p->requests) {
    request_free(CN_CONTAINER_OF(it, cn_ts_upstream_request, link));
  }
  cn_host_resolver_destroy(p->resolver);
  free(p);
}

static void log_bound(cn_ts_upstream_pool *p, cn_netlog_source source, const cn_host_port *dest,
                      bool reuse, const cn_stream_socket *socket) {
  char key[CN_HOST_PORT_STR_SIZE];
  cn_host_port_to_string(dest, key, sizeof(key));
  cn_netlog_event(p->netlog, source, CN_NETLOG_SOCKET_POOL_BOUND, CN_NL_STR("group_id", key),
                  CN_NL_BOOL("reuse", reuse), CN_NL_SOURCE("source_dependency", socket->source));
}

// The most recent idle connection to |dest| that is still usable; stale
// ones met on the way are closed.
static cn_stream_socket *take_idle(cn_ts_upstream_pool *p, const cn_host_port *dest) {
  for (cn_list_node *it = p->idle.prev; it != &p->idle;) {
    idle_socket *s = CN_CONTAINER_OF(it, idle_socket, link);
    it = it->prev;
    if (!cn_host_port_equal(&s->dest, dest))
      continue;
    if (!cn_stream_socket_is_connected_and_idle(s->socket)) {
      idle_free(s);  // the origin closed it (or sent junk) while idle
      continue;
    }
    cn_stream_socket *socket = s->socket;
    s->socket = NULL;
    idle_free(s);
    return socket;
  }
  return NULL;
}

// Ends |r| with |rv|: the callback is the last thing that touches it.
static void complete(cn_ts_upstream_request *r, int rv) {
  cn_ts_upstream_pool *p = r->pool;
  cn_stream_socket *socket = NULL;
  if (rv == CN_OK) {
    socket = r->socket;
    r->socket = NULL;
    p->counters->upstream_connects++;
    log_bound(p, r->source, &r->dest, false, socket);
  } else {
    p->counters->upstream_failures++;
  }
  cn_ts_upstream_cb cb = r->cb;
  void *arg = r->arg;
  request_free(r);
  cb(arg, rv, socket);
}

static void on_connect(void *arg, int rv) { complete(arg, rv); }

// Resolution done: connect to the addresses in order.
static void start_connect(cn_ts_upstream_request *r, int rv) {
  if (rv != CN_OK) {
    complete(r, rv);
    return;
  }
  cn_ts_upstream_pool *p = r->pool;
  r->socket = cn_tcp_socket_new(p->loop, &r->addrs, p->netlog);
  rv = cn_stream_socket_connect(r->socket, on_connect, r);
  if (rv != CN_ERR_IO_PENDING)
    complete(r, rv);  // only reached from a callback (see connect)
}

static void on_resolved(void *arg, int rv) {
  cn_ts_upstream_request *r = arg;
  r->resolve = NULL;
  start_connect(r, rv);
}

int cn_ts_upstream_pool_connect(cn_ts_upstream_pool *p, const cn_host_port *dest,
                                bool allow_reuse, cn_netlog_source source,
                                cn_stream_socket **out_socket, bool *out_reused,
                                cn_ts_upstream_cb cb, void *arg, cn_ts_upstream_request **out_req) {
  *out_socket = NULL;
  *out_reused = false;
  *out_req = NULL;
  if (allow_reuse) {
    cn_stream_socket *socket = take_idle(p, dest);
    if (socket) {
      p->counters->upstream_reused++;
      log_bound(p, source, dest, true, socket);
      *out_socket = socket;
      *out_reused = true;
      return CN_OK;
    }
  }
  cn_ts_upstream_request *r = CN_NEW(cn_ts_upstream_request);
  r->pool = p;
  r->dest = *dest;
  r->source = source;
  r->cb = cb;
  r->arg = arg;
  cn_address_list_init(&r->addrs);
  cn_list_push_back(&p->requests, &r->link);
  int rv = cn_host_resolver_resolve(p->resolver, dest->host, dest->port, p->netlog, source,
                                    &r->resolve, &r->addrs, on_resolved, r);
  if (rv == CN_ERR_IO_PENDING) {
    *out_req = r;
    return CN_ERR_IO_PENDING;
  }
  if (rv != CN_OK) {
    p->counters->upstream_failures++;
    request_free(r);
    return rv;
  }
  // Answered at once (host map, literal): TCP connects are always async,
  // so the callback still comes from the loop.
  r->resolve = NULL;
  r->socket = cn_tcp_socket_new(p->loop, &r->addrs, p->netlog);
  rv = cn_stream_socket_connect(r->socket, on_connect, r);
  if (rv == CN_ERR_IO_PENDING) {
    *out_req = r;
    return CN_ERR_IO_PENDING;
  }
  cn_stream_socket *socket = r->socket;
  r->socket = NULL;
  request_free(r);
  if (rv != CN_OK) {
    cn_stream_socket_destroy(socket);
    p->counters->upstream_failures++;
    return rv;
  }
  p->counters->upstream_connects++;
  log_bound(p, source, dest, false, socket);
  *out_socket = socket;
  return CN_OK;
}

void cn_ts_upstream_request_cancel(cn_ts_upstream_request *req) {
  if (req)
    request_free(req);
}

void cn_ts_upstream_pool_release(cn_ts_upstream_pool *p, const cn_host_port *dest,
                                 cn_stream_socket *socket) {
  if (cn_list_size(&p->idle) >= MAX_IDLE)
    idle_free(CN_CONTAINER_OF(cn_list_front(&p->idle), idle_socket, link));
  idle_socket *s = CN_NEW(idle_socket);
  s->dest = *dest;
  s->socket = socket;
  cn_list_push_back(&p->idle, &s->link);
}

size_t cn_ts_upstream_pool_idle_count(const cn_ts_upstream_pool *p) {
  return cn_list_size(&p->idle);
}
