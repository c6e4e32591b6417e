#include "tools/testserver/connection.h"

#include <string.h>

#include "tools/testserver/http1_connection.h"
#include "tools/testserver/spdy_connection.h"

void cn_ts_host_init(cn_ts_connection_host *host, uv_loop_t *loop, cn_netlog *netlog,
                     cn_ts_handler *handler, cn_test_server_counters *counters) {
  memset(host, 0, sizeof(*host));
  host->loop = loop;
  host->netlog = netlog;
  host->handler = handler;
  host->counters = counters;
  cn_list_init(&host->connections);
}

void cn_ts_host_close_all(cn_ts_connection_host *host) {
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &host->connections) {
    cn_ts_connection *c = CN_CONTAINER_OF(it, cn_ts_connection, link);
    c->ops->destroy(c);
  }
}

void cn_ts_connection_init(cn_ts_connection *c, const cn_ts_connection_ops *ops,
                           cn_ts_connection_host *host) {
  c->ops = ops;
  c->host = host;
  c->id = ++host->next_connection_id;
  cn_list_push_back(&host->connections, &c->link);
  host->counters->connections_open++;
}

void cn_ts_connection_unlink(cn_ts_connection *c) {
  if (cn_list_linked(&c->link)) {
    cn_list_remove(&c->link);
    c->host->counters->connections_open--;
  }
}

cn_ts_connection *cn_ts_connection_new_for_protocol(cn_ts_connection_host *host,
                                                    cn_stream_socket *socket,
                                                    cn_next_proto protocol, bool tls) {
  switch (protocol) {
    case CN_PROTO_UNKNOWN:
    case CN_PROTO_HTTP11:
      host->counters->http1_connections++;
      return cn_ts_http1_connection_new(host, socket, tls);
    case CN_PROTO_SPDY31:
    case CN_PROTO_HTTP2: {
      // The session counts itself (it may still fail to start).
      cn_ts_connection *c = cn_ts_spdy_connection_new(host, socket, protocol, tls);
      if (c)
        return c;
      host->counters->unsupported_protocol++;
      return NULL;
    }
  }
  host->counters->unsupported_protocol++;
  cn_stream_socket_destroy(socket);
  return NULL;
}
