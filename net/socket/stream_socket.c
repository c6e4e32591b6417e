#include "net/socket/stream_socket.h"

#include <string.h>
#include <uv.h>

uint64_t cn_socket_timing_now(void) { return uv_hrtime() / 1000; }

void cn_stream_socket_init(cn_stream_socket *s, const cn_stream_socket_ops *ops,
                           cn_netlog *netlog) {
  s->ops = ops;
  s->netlog = netlog;
  memset(&s->timing, 0, sizeof(s->timing));
  s->source = cn_netlog_new_source(netlog, CN_NETLOG_SOURCE_SOCKET);
  cn_netlog_begin(netlog, s->source, CN_NETLOG_SOCKET_ALIVE, CN_NL_STR("kind", ops->name));
}

void cn_stream_socket_log_destroyed(cn_stream_socket *s) {
  cn_netlog_add_entry(s->netlog, s->source, CN_NETLOG_SOCKET_ALIVE, CN_NETLOG_PHASE_END, NULL, 0);
}

static int ask(const cn_stream_socket *s, cn_socket_query q, void *out) {
  return s->ops->query ? s->ops->query(s, q, out) : CN_ERR_NOT_IMPLEMENTED;
}

int cn_stream_socket_query(const cn_stream_socket *s, cn_socket_query q, void *out) {
  switch (q) {
    case CN_SOCKET_QUERY_LOWER:
      *(const cn_stream_socket **)out = NULL;
      return s ? ask(s, q, out) : CN_ERR_NOT_IMPLEMENTED;
    case CN_SOCKET_QUERY_LAYER:
      *(cn_socket_layer *)out = CN_SOCKET_LAYER_OTHER;
      return s ? ask(s, q, out) : CN_ERR_NOT_IMPLEMENTED;
    case CN_SOCKET_QUERY_LOWER_REUSED:
      *(bool *)out = false;
      return s ? ask(s, q, out) : CN_ERR_NOT_IMPLEMENTED;
    default:
      break;
  }
  // Bounded: a stack is a handful of layers; a loop in it would be a bug.
  for (int depth = 0; s && depth < 64; depth++, s = cn_stream_socket_lower(s)) {
    if (ask(s, q, out) == CN_OK)
      return CN_OK;
  }
  return CN_ERR_NOT_IMPLEMENTED;
}

const cn_stream_socket *cn_stream_socket_lower(const cn_stream_socket *s) {
  const cn_stream_socket *lower;
  cn_stream_socket_query(s, CN_SOCKET_QUERY_LOWER, &lower);
  return lower;
}

cn_socket_layer cn_stream_socket_layer(const cn_stream_socket *s) {
  cn_socket_layer layer;
  cn_stream_socket_query(s, CN_SOCKET_QUERY_LAYER, &layer);
  return layer;
}

void cn_stream_socket_set_keeps_loop_alive(cn_stream_socket *s, bool keep) {
  // LOWER answers a const socket: each layer owns the one below it, so
  // changing it is the owner's business, done here on its behalf.
  cn_stream_socket *at = s;
  for (int depth = 0; at && depth < 64; depth++) {
    if (at->ops->set_keeps_loop_alive) {
      at->ops->set_keeps_loop_alive(at, keep);
      return;
    }
    at = (cn_stream_socket *)cn_stream_socket_lower(at);
  }
}

bool cn_stream_socket_lower_reused(const cn_stream_socket *s) {
  bool reused;
  cn_stream_socket_query(s, CN_SOCKET_QUERY_LOWER_REUSED, &reused);
  return reused;
}
