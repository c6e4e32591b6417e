#include "net/socket/stream_socket.h"

void cn_stream_socket_init(cn_stream_socket *s, const cn_stream_socket_ops *ops,
                           cn_netlog *netlog) {
  s->ops = ops;
  s->netlog = netlog;
  s->source = cn_netlog_new_source(netlog, CN_NETLOG_SOURCE_SOCKET);
  cn_netlog_begin(netlog, s->source, CN_NETLOG_SOCKET_ALIVE, CN_NL_STR("kind", ops->name));
}

void cn_stream_socket_log_destroyed(cn_stream_socket *s) {
  cn_netlog_add_entry(s->netlog, s->source, CN_NETLOG_SOCKET_ALIVE, CN_NETLOG_PHASE_END, NULL, 0);
}
