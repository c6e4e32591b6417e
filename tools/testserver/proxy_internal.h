// Private to the proxy handler's files (proxy_handler.c: dispatch, switches,
// CONNECT; proxy_forward.c: absolute-form forwarding): the handler's state
// and the per-request state both share.
#ifndef CNET_TOOLS_TESTSERVER_PROXY_INTERNAL_H_
#define CNET_TOOLS_TESTSERVER_PROXY_INTERNAL_H_

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "base/list.h"
#include "base/timer.h"
#include "net/base/host_port.h"
#include "net/base/url.h"
#include "net/http/http_headers.h"
#include "net/http/http_basic_stream.h"
#include "net/http/http_upload.h"
#include "tools/testserver/exchange.h"
#include "tools/testserver/test_server.h"
#include "tools/testserver/upstream_pool.h"

typedef struct cn_ts_proxy {
  cn_ts_handler base;  // first: the handler ops cast back
  uv_loop_t *loop;
  cn_netlog *netlog;
  // The options, copied.
  char *expected_credentials;  // "Basic base64(user:pass)", or NULL
  bool auth_close;
  int refuse_connect;
  char *refuse_location;
  cn_test_server_drop_step drop_at;
  uint64_t drop_after_bytes;
  uint64_t slow_ms;
  bool extra_after_200;
  cn_test_server_answer_fault answer_fault;
  cn_ts_upstream_pool *pool;
  cn_test_server_proxy_counters counters;
  cn_list_node tunnels;  // live tunnel_entry.link
} cn_ts_proxy;

// One request's state, attached to its exchange (released with it).
typedef struct cn_ts_proxy_request {
  cn_ts_proxy *proxy;
  cn_ts_exchange *ex;
  cn_timer *slow;
  cn_host_port dest;
  cn_ts_upstream_request *connecting;
  cn_stream_socket *upstream;
  bool tunnel_logging;  // HTTP_TUNNEL_CONNECT begun, not yet ended
  bool reused;   // |upstream| came from the idle pool
  bool retried;  // the one retry on a new connection was used
  // Forwarding (proxy_forward.c).
  cn_url url;
  cn_http_headers fields;  // what goes to the origin
  cn_http_upload *upload;
  cn_http_basic_stream *stream;  // borrows |upstream|
  cn_iobuf *body_buf;
  uint64_t body_relayed;
} cn_ts_proxy_request;

// Answers with |status| and a short text/plain |body|, then finishes.
// |close|: Connection: close. |extra_name|/|extra_value| (may be NULL): one
// more field.
void cn_ts_proxy_respond_text(cn_ts_exchange *ex, int status, const char *body, bool close,
                              const char *extra_name, const char *extra_value);
// 502 naming |dest| and |error|.
void cn_ts_proxy_respond_bad_gateway(cn_ts_proxy_request *r, int error);

// proxy_forward.c: handles an absolute-form request (after the switches).
void cn_ts_proxy_forward(cn_ts_proxy_request *r);
// Frees what forwarding holds (from the request's release).
void cn_ts_proxy_forward_release(cn_ts_proxy_request *r);

#endif  // CNET_TOOLS_TESTSERVER_PROXY_INTERNAL_H_
