// The test server's request and response, independent of the wire protocol.
//
// An HTTP/1.1 connection fills a cn_ts_request from the request line and
// header block; an HTTP/2 or SPDY/3.1 session (later) fills the same struct
// from its pseudo-headers, so request handlers (the origin's routes, the
// proxy) never see framing. Likewise a handler describes its answer with a
// cn_ts_response and each protocol renders it (status line or :status,
// Content-Length or chunked or DATA frames).
//
// Ownership: every struct here owns its strings and storage; free with the
// matching *_free(). Header names keep the case they were received or added
// with; lookups ignore case.
#ifndef CNET_TOOLS_TESTSERVER_HTTP_MESSAGE_H_
#define CNET_TOOLS_TESTSERVER_HTTP_MESSAGE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytebuf.h"
#include "net/socket/next_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ts_header {
  char *name;
  char *value;
} cn_ts_header;

// An ordered header list (order and duplicates are kept: /headers echoes
// them as received).
typedef struct cn_ts_headers {
  cn_ts_header *items;
  size_t count;
  size_t cap;
} cn_ts_headers;

void cn_ts_headers_init(cn_ts_headers *h);
void cn_ts_headers_free(cn_ts_headers *h);
// Appends a copy of |name| and |value|.
void cn_ts_headers_add(cn_ts_headers *h, const char *name, const char *value);
// Appends copies of |name_len| / |value_len| bytes (need not be
// NUL-terminated).
void cn_ts_headers_add_n(cn_ts_headers *h, const char *name, size_t name_len, const char *value,
                         size_t value_len);
// The value of the first header named |name| (any case), or NULL.
const char *cn_ts_headers_get(const cn_ts_headers *h, const char *name);
// How many headers are named |name|.
size_t cn_ts_headers_count(const cn_ts_headers *h, const char *name);
// True if some |name| header's comma-separated list holds |token| (any
// case), e.g. Connection: keep-alive, close.
bool cn_ts_headers_has_token(const cn_ts_headers *h, const char *name, const char *token);

typedef struct cn_ts_request {
  char *method;  // "GET"
  // As sent: origin-form "/path?q", absolute-form "http://host/path" (what
  // a proxy receives), authority-form "host:443" (CONNECT).
  char *target;
  // 10 or 11 for HTTP/1.x; later 20 for HTTP/2 and 31 for SPDY/3.1.
  int http_version;
  cn_next_proto protocol;  // ALPN result; CN_PROTO_UNKNOWN for plain or none
  bool tls;
  cn_ts_headers headers;
  cn_bytebuf body;  // the whole body (connections buffer it before dispatch)
  // Which connection of the server, and which request on it (1-based):
  // lets handlers and tests reason about reuse.
  uint64_t connection_id;
  uint64_t index_on_connection;
} cn_ts_request;

void cn_ts_request_init(cn_ts_request *r);
void cn_ts_request_free(cn_ts_request *r);
// The path of the target without query or fragment ("/bytes/10" for
// "/bytes/10?x" and for "http://host/bytes/10"), in |out| (NUL-terminated,
// truncated to |size|). "" for authority-form.
void cn_ts_request_path(const cn_ts_request *r, char *out, size_t size);

// Body framing a handler asks for.
enum {
  // The length is not known in advance: chunked in HTTP/1.1, DATA frames
  // until END_STREAM in HTTP/2.
  CN_TS_LENGTH_UNKNOWN = -1,
  // HTTP/1.x: no Content-Length, no chunking, the body ends when the server
  // closes the connection (HTTP/1.0 style). Multiplexed protocols treat it
  // as UNKNOWN.
  CN_TS_LENGTH_UNTIL_CLOSE = -2,
};

typedef struct cn_ts_response {
  int status;          // 100..599
  const char *reason;  // NULL: the standard phrase
  // Extra headers (Content-Type, Content-Encoding, …). The protocol adds
  // Server, the framing headers and Connection itself.
  cn_ts_headers headers;
  // >= 0: exactly this many body bytes are announced (Content-Length);
  // a handler may still stop early with cn_ts_exchange_abort (a truncated
  // body). Or CN_TS_LENGTH_UNKNOWN / CN_TS_LENGTH_UNTIL_CLOSE. Ignored for
  // statuses that have no body (1xx, 204, 304).
  int64_t content_length;
  // HTTP/1.x: close the connection after this response (Connection:
  // close). Multiplexed protocols ignore it.
  bool close_connection;
  // Faults (the origin's fault routes). Non-NULL: sent as the whole status
  // line (HTTP/1.x, without CRLF) or as the :status value (SPDY/3.1,
  // HTTP/2) instead of the one rendered from |status|; read during
  // respond() only.
  const char *raw_status;
  // Body bytes written beyond |content_length| are sent anyway (a body
  // longer than announced) instead of being dropped.
  bool overrun_length;
} cn_ts_response;

// status 200, no headers, content_length 0.
void cn_ts_response_init(cn_ts_response *r, int status);
void cn_ts_response_free(cn_ts_response *r);

// "OK" for 200; "Unknown" for codes without a standard phrase.
const char *cn_ts_status_reason(int status);
// 1xx, 204 and 304 responses never carry a body.
bool cn_ts_status_has_body(int status);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_HTTP_MESSAGE_H_
