// A protocol connection of the test server: one accepted (and, with TLS,
// handshaken) stream socket, served with one wire protocol. HTTP/1.1 is
// http1_connection.h; SPDY/3.1 and HTTP/2 sessions (spdy_connection.h) are
// its siblings, chosen by ALPN in cn_ts_connection_new_for_protocol().
//
// A connection parses requests, hands each to the host's request handler
// as a cn_ts_exchange (exchange.h) and frames the answers. It ends itself
// (peer closed, error, Connection: close, or its socket handed to a CONNECT
// tunnel) by unlinking from the host and freeing itself; the host destroys the ones still alive when it stops.
//
// Ownership: the host (the server) outlives its connections. A connection
// owns its socket.
#ifndef CNET_TOOLS_TESTSERVER_CONNECTION_H_
#define CNET_TOOLS_TESTSERVER_CONNECTION_H_

#include <stdint.h>
#include <uv.h>

#include "base/list.h"
#include "net/base/netlog.h"
#include "net/socket/stream_socket.h"
#include "tools/testserver/exchange.h"
#include "tools/testserver/test_server.h"

#ifdef __cplusplus
extern "C" {
#endif

// What connections need from the server that owns them.
typedef struct cn_ts_connection_host {
  uv_loop_t *loop;
  cn_netlog *netlog;  // may be NULL
  cn_ts_handler *handler;
  cn_test_server_counters *counters;
  // SPDY/3.1 and HTTP/2 faults and limits (owned by the server); NULL:
  // none.
  const cn_test_server_session_options *session_options;
  uint64_t close_on_request;  // cn_test_server_options.close_on_request
  cn_list_node connections;  // live cn_ts_connection.link
  uint64_t next_connection_id;
} cn_ts_connection_host;

typedef struct cn_ts_connection cn_ts_connection;

typedef struct cn_ts_connection_ops {
  const char *name;  // "http/1.1", "h2", "spdy/3.1"
  // Closes at once: pending exchanges are released (their handlers' release
  // hooks run), no callback runs afterwards, the memory is freed.
  void (*destroy)(cn_ts_connection *c);
} cn_ts_connection_ops;

struct cn_ts_connection {
  const cn_ts_connection_ops *ops;
  cn_ts_connection_host *host;
  cn_list_node link;  // in host->connections
  uint64_t id;        // 1, 2, … per host
};

void cn_ts_host_init(cn_ts_connection_host *host, uv_loop_t *loop, cn_netlog *netlog,
                     cn_ts_handler *handler, cn_test_server_counters *counters);
// Destroys every live connection.
void cn_ts_host_close_all(cn_ts_connection_host *host);

// For implementations: links |c| into the host and gives it an id; unlink
// when it ends.
void cn_ts_connection_init(cn_ts_connection *c, const cn_ts_connection_ops *ops,
                           cn_ts_connection_host *host);
void cn_ts_connection_unlink(cn_ts_connection *c);

// Serves |socket| (connected, TLS done if any) with the protocol
// |protocol| (CN_PROTO_UNKNOWN means HTTP/1.1, as for plain TCP or a client
// without ALPN; SPDY/3.1 and HTTP/2 get a server session). Returns the
// connection, or NULL (after destroying the socket and counting
// unsupported_protocol) when the protocol cannot be served.
cn_ts_connection *cn_ts_connection_new_for_protocol(cn_ts_connection_host *host,
                                                    cn_stream_socket *socket,
                                                    cn_next_proto protocol, bool tls);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_CONNECTION_H_
