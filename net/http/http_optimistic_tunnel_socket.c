#include "net/http/http_optimistic_tunnel_socket.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

typedef enum answer_state {
  ANSWER_AWAITED,  // the proxy's answer not yet read
  ANSWER_READING,  // a read of this socket waits for it
  TUNNEL_OPEN,     // a 200: a pass-through
  TUNNEL_REFUSED,  // anything else: |error| for every call
} answer_state;

typedef struct optimistic_tunnel {
  cn_stream_socket base;
  cn_stream_socket *proxy_connection;  // owned
  cn_http_basic_stream *answer;        // owned until the answer is read
  cn_proxy_server proxy;
  int hop;
  cn_http_auth_controller auth;
  cn_netlog_source job_source;
  answer_state state;
  int error;
  // The origin's first bytes, read with the answer (a copy).
  uint8_t *early;
  size_t early_len, early_off;
  // The read waiting for the answer.
  cn_iobuf *read_buf;
  size_t read_len;
  cn_completion_cb read_cb;
  void *read_arg;
} optimistic_tunnel;

static optimistic_tunnel *from(cn_stream_socket *s) { return (optimistic_tunnel *)s; }
static const optimistic_tunnel *cfrom(const cn_stream_socket *s) {
  return (const optimistic_tunnel *)s;
}

// Copies what is left of the origin's early bytes into |buf|.
static int take_early(optimistic_tunnel *t, cn_iobuf *buf, size_t len) {
  size_t n = t->early_len - t->early_off;
  if (n > len)
    n = len;
  memcpy(buf->data, t->early + t->early_off, n);
  t->early_off += n;
  if (t->early_off == t->early_len) {
    free(t->early);
    t->early = NULL;
    t->early_len = t->early_off = 0;
  }
  return (int)n;
}

static void refuse(optimistic_tunnel *t, int error, int status) {
  t->state = TUNNEL_REFUSED;
  t->error = error;
  cn_netlog_end(t->base.netlog, t->job_source, CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NL_ERROR(error),
                CN_NL_INT("status", status));
  cn_http_basic_stream_destroy(t->answer);
  t->answer = NULL;
  // Origin bytes were sent behind the CONNECT: the connection can carry
  // nothing else.
  cn_stream_socket_disconnect(t->proxy_connection);
}

// The answer is in (|rv|: the header read's result): decides as the tunnel
// job does (http_proxy_connect_job.c, handle_answer).
static void on_answer_read(optimistic_tunnel *t, int rv) {
  if (rv < 0) {
    refuse(t, rv, 0);  // the exchange's own failure, as it is
    return;
  }
  const cn_http_response_head *head = cn_http_basic_stream_response_head(t->answer);
  int status = head->status;
  if (status != 200) {
    // As the tunnel job (http_proxy_connect_job.c, tunnel_auth_challenge);
    // no credentials were involved, so none can be resent here.
    int error = CN_ERR_TUNNEL_CONNECTION_FAILED;
    if (status == 407) {
      error = CN_ERR_PROXY_AUTH_REQUESTED;
      if (cn_http_auth_controller_on_challenge(&t->auth, &head->headers) ==
          CN_HTTP_AUTH_NO_HANDLER)
        error = CN_ERR_PROXY_AUTH_UNSUPPORTED;
      else if (t->auth.cache)
        cn_http_auth_cache_set_pending(t->auth.cache, t->auth.server, t->auth.handler);
    }
    refuse(t, error, status);
    return;
  }
  size_t extra = 0;
  const uint8_t *bytes = cn_http_basic_stream_leftover(t->answer, &extra);
  if (extra > 0) {
    t->early = cn_xmalloc(extra);
    memcpy(t->early, bytes, extra);
    t->early_len = extra;
  }
  cn_netlog_end(t->base.netlog, t->job_source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                CN_NL_INT("status", status));
  cn_http_basic_stream_destroy(t->answer);
  t->answer = NULL;
  t->state = TUNNEL_OPEN;
}

static int read_open(optimistic_tunnel *t, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                     void *arg) {
  if (t->early)
    return take_early(t, buf, len);
  return cn_stream_socket_read(t->proxy_connection, buf, len, cb, arg);
}

static void on_headers(void *arg, int rv) {
  optimistic_tunnel *t = arg;
  on_answer_read(t, rv);
  cn_iobuf *buf = t->read_buf;
  cn_completion_cb cb = t->read_cb;
  void *cb_arg = t->read_arg;
  t->read_buf = NULL;
  t->read_cb = NULL;
  if (t->state == TUNNEL_REFUSED) {
    cn_iobuf_unref(buf);
    cb(cb_arg, t->error);
    return;
  }
  rv = read_open(t, buf, t->read_len, cb, cb_arg);
  cn_iobuf_unref(buf);
  if (rv != CN_ERR_IO_PENDING)
    cb(cb_arg, rv);
}

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  // Made connected: the CONNECT was written by the connect job.
  return cn_stream_socket_is_connected(from(s)->proxy_connection) ? CN_OK
                                                                  : CN_ERR_SOCKET_NOT_CONNECTED;
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  optimistic_tunnel *t = from(s);
  switch (t->state) {
    case TUNNEL_OPEN:
      return read_open(t, buf, len, cb, arg);
    case TUNNEL_REFUSED:
      return t->error;
    case ANSWER_READING:
      return CN_ERR_IO_PENDING;  // one read at a time (stream_socket.h)
    case ANSWER_AWAITED:
      break;
  }
  int rv = cn_http_basic_stream_read_response_headers(t->answer, on_headers, t);
  if (rv == CN_ERR_IO_PENDING) {
    t->state = ANSWER_READING;
    t->read_buf = cn_iobuf_ref(buf);
    t->read_len = len;
    t->read_cb = cb;
    t->read_arg = arg;
    return rv;
  }
  on_answer_read(t, rv);
  if (t->state == TUNNEL_REFUSED)
    return t->error;
  return read_open(t, buf, len, cb, arg);
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  optimistic_tunnel *t = from(s);
  if (t->state == TUNNEL_REFUSED)
    return t->error;
  return cn_stream_socket_write(t->proxy_connection, buf, len, cb, arg);
}

// Closed or destroyed before the answer: the tunnel never opened.
static void abandon_answer(optimistic_tunnel *t) {
  if (!t->answer)
    return;
  cn_netlog_end(t->base.netlog, t->job_source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                CN_NL_ERROR(CN_ERR_ABORTED), CN_NL_INT("status", 0));
  cn_http_basic_stream_destroy(t->answer);  // cancels a pending header read
  t->answer = NULL;
}

static void disconnect_(cn_stream_socket *s) {
  optimistic_tunnel *t = from(s);
  abandon_answer(t);
  cn_iobuf_unref(t->read_buf);
  t->read_buf = NULL;
  t->read_cb = NULL;
  if (t->state != TUNNEL_OPEN && t->state != TUNNEL_REFUSED) {
    t->state = TUNNEL_REFUSED;
    t->error = CN_ERR_SOCKET_NOT_CONNECTED;
  }
  cn_stream_socket_disconnect(t->proxy_connection);
}

static bool is_connected_(const cn_stream_socket *s) {
  const optimistic_tunnel *t = cfrom(s);
  return t->state != TUNNEL_REFUSED && cn_stream_socket_is_connected(t->proxy_connection);
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  const optimistic_tunnel *t = cfrom(s);
  return t->state == TUNNEL_OPEN && !t->early &&
         cn_stream_socket_is_connected_and_idle(t->proxy_connection);
}

static cn_next_proto negotiated_protocol_(const cn_stream_socket *s) {
  return CN_PROTO_UNKNOWN;  // bytes; what they speak is negotiated above
}

static void destroy_(cn_stream_socket *s) {
  optimistic_tunnel *t = from(s);
  abandon_answer(t);
  cn_iobuf_unref(t->read_buf);
  cn_stream_socket_destroy(t->proxy_connection);
  cn_proxy_server_free(&t->proxy);
  cn_http_auth_controller_free(&t->auth);
  free(t->early);
  cn_stream_socket_log_destroyed(s);
  free(t);
}

static int query_(const cn_stream_socket *s, cn_socket_query q, void *out) {
  const optimistic_tunnel *t = cfrom(s);
  switch (q) {
    case CN_SOCKET_QUERY_LAYER:
      *(cn_socket_layer *)out = CN_SOCKET_LAYER_HTTP_TUNNEL;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER:
      *(const cn_stream_socket **)out = t->proxy_connection;
      return CN_OK;
    case CN_SOCKET_QUERY_REFUSED_HOP:
      if (t->state != TUNNEL_REFUSED)
        return CN_ERR_NOT_IMPLEMENTED;
      *(int *)out = t->hop;
      return CN_OK;
    default:
      return CN_ERR_NOT_IMPLEMENTED;
  }
}

static const cn_stream_socket_ops kOptimisticTunnelOps = {
    .name = "http_optimistic_tunnel",
    .connect = connect_,
    .read = read_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = negotiated_protocol_,
    .destroy = destroy_,
    .query = query_,
};

cn_stream_socket *cn_http_optimistic_tunnel_socket_new(cn_stream_socket *proxy_connection,
                                                       cn_http_basic_stream *answer,
                                                       const cn_http_optimistic_tunnel_params *p,
                                                       cn_netlog *netlog) {
  optimistic_tunnel *t = CN_NEW(optimistic_tunnel);
  cn_stream_socket_init(&t->base, &kOptimisticTunnelOps, netlog);
  t->proxy_connection = proxy_connection;
  t->answer = answer;
  cn_proxy_server_copy(&t->proxy, p->proxy);
  t->hop = p->hop;
  t->auth = *p->auth;  // moved: the job no longer frees it
  t->job_source = p->job_source;
  t->state = ANSWER_AWAITED;
  return &t->base;
}
