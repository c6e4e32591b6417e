// Absolute-form forwarding (F1): the request goes to the origin over a
// pooled connection with cn_http_basic_stream, the answer streams back through
// the exchange.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "tools/testserver/proxy_internal.h"

// Body bytes read from the origin per step; the exchange is asked for
// room (want_writable) before the next read, so at most this much plus the
// connection's low-water mark is buffered per request.
#define BODY_CHUNK (64 * 1024)

// Fields that describe one connection, not the message (RFC 9110 7.6.1),
// plus the framing (cnet and the exchange frame the body themselves) and
// Expect (the client's 100-continue was answered already; the body is
// here).
static const char *const kHopByHop[] = {
    "Connection", "Proxy-Connection", "Keep-Alive",     "Proxy-Authorization",
    "Proxy-Authenticate", "TE",       "Trailer",        "Transfer-Encoding",
    "Upgrade",    "Content-Length",   "Expect",
};

static bool in_fixed_list(const char *name) {
  for (size_t i = 0; i < sizeof(kHopByHop) / sizeof(kHopByHop[0]); i++) {
    if (strcasecmp(name, kHopByHop[i]) == 0)
      return true;
  }
  return false;
}

// True if a Connection field of |req| names |name|.
static bool named_by_request_connection(const cn_ts_headers *h, const char *name) {
  return cn_ts_headers_has_token(h, "Connection", name) ||
         cn_ts_headers_has_token(h, "Proxy-Connection", name);
}

static void start_upstream(cn_ts_proxy_request *r, bool allow_reuse);
static void send_request(cn_ts_proxy_request *r);

void cn_ts_proxy_forward_release(cn_ts_proxy_request *r) {
  // The stream borrows the socket: it goes first.
  cn_http_basic_stream_destroy(r->stream);
  r->stream = NULL;
  cn_http_upload_destroy(r->upload);
  r->upload = NULL;
  cn_iobuf_unref(r->body_buf);
  r->body_buf = NULL;
  cn_http_headers_free(&r->fields);
  cn_url_free(&r->url);
}

// Drops the origin connection (not reusable: a failure or a drop).
static void discard_upstream(cn_ts_proxy_request *r) {
  cn_http_basic_stream_destroy(r->stream);
  r->stream = NULL;
  cn_stream_socket_destroy(r->upstream);
  r->upstream = NULL;
}

// The exchange with the origin is complete: keep its connection if it may
// carry another request.
static void finish_upstream(cn_ts_proxy_request *r) {
  bool reusable = r->stream && cn_http_basic_stream_can_reuse_connection(r->stream);
  cn_http_basic_stream_destroy(r->stream);
  r->stream = NULL;
  if (reusable)
    cn_ts_upstream_pool_release(r->proxy->pool, &r->dest, r->upstream);
  else
    cn_stream_socket_destroy(r->upstream);
  r->upstream = NULL;
}

// Before any answer went to the client: retry a reused connection that
// failed without a response byte (the origin closed it while idle; a real
// proxy does the same), else 502.
static void fail_before_response(cn_ts_proxy_request *r, int rv) {
  bool retry = r->reused && !r->retried && r->stream &&
               cn_http_basic_stream_response_bytes_received(r->stream) == 0 &&
               (!r->upload || cn_http_upload_rewind(r->upload) == CN_OK);
  discard_upstream(r);
  if (retry) {
    r->retried = true;
    start_upstream(r, false);
    return;
  }
  cn_ts_proxy_respond_bad_gateway(r, rv);
}

// --- the body ---

static void read_body(cn_ts_proxy_request *r);

static void on_writable(void *arg, cn_ts_exchange *ex) { read_body(arg); }

// Handles one body read result.
static void body_read(cn_ts_proxy_request *r, int rv) {
  cn_ts_proxy *p = r->proxy;
  if (rv < 0) {
    // The origin's body broke off: so does the client's.
    discard_upstream(r);
    cn_ts_exchange_abort(r->ex);
    return;
  }
  if (rv == 0) {
    finish_upstream(r);
    cn_ts_exchange_finish(r->ex);
    return;
  }
  size_t n = (size_t)rv;
  bool cut = false;
  if (p->drop_at == CN_TEST_SERVER_DROP_MID_RESPONSE &&
      r->body_relayed + n >= p->drop_after_bytes) {
    n = (size_t)(p->drop_after_bytes - r->body_relayed);
    cut = true;
  }
  cn_ts_exchange_write_buf(r->ex, r->body_buf, 0, n);
  // The exchange may keep a reference instead of copying: the next read
  // gets a fresh buffer.
  cn_iobuf_unref(r->body_buf);
  r->body_buf = NULL;
  r->body_relayed += n;
  if (cut) {
    p->counters.dropped++;
    discard_upstream(r);
    cn_ts_exchange_abort(r->ex);
    return;
  }
  // Room first, then the next read (flow control).
  cn_ts_exchange_want_writable(r->ex, on_writable, r);
}

static void on_body(void *arg, int rv) { body_read(arg, rv); }

static void read_body(cn_ts_proxy_request *r) {
  if (!r->body_buf)
    r->body_buf = cn_iobuf_new(BODY_CHUNK);
  int rv = cn_http_basic_stream_read_response_body(r->stream, r->body_buf, BODY_CHUNK, on_body, r);
  if (rv != CN_ERR_IO_PENDING)
    body_read(r, rv);
}

// --- the head ---

// The Content-Length the client is told: the origin's when it had one,
// else the length is unknown (chunked to the client), or 0 without a body.
static int64_t client_length(cn_ts_proxy_request *r, const cn_http_response_head *head) {
  const char *te = cn_http_headers_get(&head->headers, "Transfer-Encoding");
  const char *cl = cn_http_headers_get(&head->headers, "Content-Length");
  if (cl && !te)
    return strtoll(cl, NULL, 10);  // the parser checked it
  if (te)
    return CN_TS_LENGTH_UNKNOWN;
  if (cn_http_basic_stream_is_response_body_complete(r->stream))
    return 0;  // HEAD, 204, 304
  return CN_TS_LENGTH_UNKNOWN;  // close-delimited at the origin
}

static void relay_head(cn_ts_proxy_request *r) {
  const cn_http_response_head *head = cn_http_basic_stream_response_head(r->stream);
  cn_ts_response resp;
  cn_ts_response_init(&resp, head->status);
  resp.reason = head->reason[0] ? head->reason : NULL;
  size_t n = cn_http_headers_count(&head->headers);
  for (size_t i = 0; i < n; i++) {
    const cn_http_header *f = cn_http_headers_at(&head->headers, i);
    if (in_fixed_list(f->name) || cn_http_headers_has_token(&head->headers, "Connection", f->name))
      continue;
    cn_ts_headers_add_n(&resp.headers, f->name, f->name_len, f->value, f->value_len);
  }
  resp.content_length = client_length(r, head);
  cn_ts_exchange_respond(r->ex, &resp);
  cn_ts_response_free(&resp);
}

static void on_headers(void *arg, int rv) {
  cn_ts_proxy_request *r = arg;
  cn_ts_proxy *p = r->proxy;
  if (rv != CN_OK) {
    fail_before_response(r, rv);
    return;
  }
  if (p->drop_at == CN_TEST_SERVER_DROP_BEFORE_RESPONSE) {
    p->counters.dropped++;
    discard_upstream(r);
    cn_ts_exchange_abort(r->ex);
    return;
  }
  relay_head(r);
  read_body(r);
}

static void on_sent(void *arg, int rv) {
  cn_ts_proxy_request *r = arg;
  if (rv != CN_OK) {
    fail_before_response(r, rv);
    return;
  }
  r->proxy->counters.forwarded++;
  rv = cn_http_basic_stream_read_response_headers(r->stream, on_headers, r);
  if (rv != CN_ERR_IO_PENDING)
    on_headers(r, rv);
}

// --- the connection ---

static void send_request(cn_ts_proxy_request *r) {
  cn_ts_proxy *p = r->proxy;
  r->stream = cn_http_basic_stream_new(r->upstream, p->netlog, r->ex->source, NULL);
  cn_http_request_info info = {
      .method = r->ex->request.method,
      .url = &r->url,
      .extra_headers = &r->fields,
      .upload = r->upload,
  };
  int rv = cn_http_basic_stream_send_request(r->stream, &info, on_sent, r);
  if (rv != CN_ERR_IO_PENDING)
    on_sent(r, rv);
}

static void upstream_ready(cn_ts_proxy_request *r, int rv, cn_stream_socket *socket, bool reused) {
  if (rv != CN_OK) {
    cn_ts_proxy_respond_bad_gateway(r, rv);
    return;
  }
  r->upstream = socket;
  r->reused = reused;
  send_request(r);
}

static void on_upstream(void *arg, int rv, cn_stream_socket *socket) {
  cn_ts_proxy_request *r = arg;
  r->connecting = NULL;
  upstream_ready(r, rv, socket, false);
}

static void start_upstream(cn_ts_proxy_request *r, bool allow_reuse) {
  cn_stream_socket *socket;
  bool reused;
  int rv = cn_ts_upstream_pool_connect(r->proxy->pool, &r->dest, allow_reuse, r->ex->source,
                                       &socket, &reused, on_upstream, r, &r->connecting);
  if (rv != CN_ERR_IO_PENDING)
    upstream_ready(r, rv, socket, reused);
}

// --- the request ---

// The client's fields minus the hop-by-hop ones, in order.
static void copy_fields(cn_ts_proxy_request *r) {
  const cn_ts_headers *h = &r->ex->request.headers;
  for (size_t i = 0; i < h->count; i++) {
    const char *name = h->items[i].name;
    if (in_fixed_list(name) || named_by_request_connection(h, name))
      continue;
    // The request parser accepted the field, so it is valid to send; a
    // refusal here would only drop it.
    (void)cn_http_headers_add(&r->fields, name, h->items[i].value);
  }
}

void cn_ts_proxy_forward(cn_ts_proxy_request *r) {
  cn_ts_exchange *ex = r->ex;
  const cn_ts_request *req = &ex->request;
  int rv = cn_url_parse(req->target, &r->url);
  if (rv != CN_OK || strcmp(r->url.scheme, "http") != 0) {
    r->proxy->counters.bad_targets++;
    cn_ts_proxy_respond_text(ex, 400,
                             "cnet-testserver proxy: only http:// absolute-form targets are "
                             "forwarded (use CONNECT for https)\n",
                             false, NULL, NULL);
    return;
  }
  cn_url_host_port(&r->url, &r->dest);
  copy_fields(r);
  size_t body_len = cn_bytebuf_len(&req->body);
  if (body_len)
    r->upload = cn_http_upload_new_copy(cn_bytebuf_head(&req->body), body_len);
  start_upstream(r, true);
}
