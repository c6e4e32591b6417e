// A CONNECT stream as a stream socket (see spdy_stream_socket.h).
#include "net/spdy/spdy_stream_socket.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/base/url.h"
#include "net/http/http_headers.h"
#include "net/http/http_auth_controller.h"
#include "net/http/http_proxy_auth.h"
#include "net/http/http_server_properties.h"
#include "net/spdy/spdy_headers.h"
#include "net/spdy/spdy_stream.h"

typedef struct spdy_stream_socket {
  cn_stream_socket base;
  cn_spdy_session *session;  // borrowed until the first stream exists
  cn_spdy_stream *stream;
  cn_host_port target;
  cn_proxy_server proxy;  // a copy (credentials); scheme 0 when none
  bool has_proxy;
  char *user_agent;
  cn_request_priority priority;
  cn_netlog_source owner;
  bool caller_logs_tunnel;
  bool session_reused;
  bool sent_auth;
  struct cn_http_auth_controller *auth;  // borrowed during connect; NULL: |proxy|'s Basic
  char *authority;
  bool connected;
  bool connecting;
  bool logged_begin;
  int status;
  cn_completion_cb connect_cb;
  void *connect_arg;
  // A pending read's and write's callers (their results are mapped,
  // tunnel_result).
  cn_completion_cb read_cb;
  void *read_arg;
  cn_completion_cb write_cb;
  void *write_arg;
  // The optimistic tunnel (header): connected before the answer.
  bool optimistic;
  int hop;
  struct cn_http_server_properties *server_properties;
  bool answer_pending;      // connected, the answer not read yet
  int refused;              // the answer's error: every call's result
  cn_http_auth_controller owned_auth;  // |auth| moved in when optimistic
  bool owns_auth;
  // The read waiting for the answer.
  cn_iobuf *parked_buf;
  size_t parked_len;
} spdy_stream_socket;

static const cn_stream_socket_ops kOps;

static void log_end_on(spdy_stream_socket *s, cn_netlog_source source, int rv) {
  if (rv < 0)
    cn_netlog_end(s->base.netlog, source, CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NL_ERROR(rv),
                  CN_NL_INT("status", s->status));
  else
    cn_netlog_end(s->base.netlog, source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                  CN_NL_INT("status", s->status));
}

static void log_end(spdy_stream_socket *s, int rv) {
  if (!s->logged_begin)
    return;
  s->logged_begin = false;
  log_end_on(s, s->base.source, rv);
}

static int send_connect(spdy_stream_socket *s) {
  char hp[CN_HOST_PORT_STR_SIZE];
  cn_host_port_to_string(&s->target, hp, sizeof(hp));
  char *text = cn_xasprintf("https://%s/", hp);
  cn_url url;
  int rv = cn_url_parse(text, &url);
  free(text);
  if (rv != CN_OK)
    return rv;
  cn_spdy_header extra[2];
  size_t n = 0;
  if (s->user_agent)
    extra[n++] = (cn_spdy_header){"user-agent", 10, s->user_agent, strlen(s->user_agent)};
  char *cred = NULL;
  if (s->auth) {
    cred = cn_http_auth_controller_credentials(s->auth, "CONNECT", s->authority, NULL);
    s->sent_auth = cred != NULL;
    if (cred)
      extra[n++] = (cn_spdy_header){"proxy-authorization", 19, cred, strlen(cred)};
  } else if (s->sent_auth) {
    cred = cn_http_proxy_auth_header_value(&s->proxy);
    extra[n++] = (cn_spdy_header){"proxy-authorization", 19, cred, strlen(cred)};
  }
  cn_spdy_header_list list;
  cn_spdy_header_list_init(&list);
  cn_spdy_session *session = cn_spdy_stream_session(s->stream);
  rv = cn_spdy_build_request_headers(cn_spdy_session_protocol(session), "CONNECT", &url, false,
                                     extra, n, &list);
  cn_url_free(&url);
  free(cred);
  if (rv == CN_OK)
    rv = cn_spdy_stream_send_headers(s->stream, list.items, list.count, false);
  cn_spdy_header_list_free(&list);
  return rv;
}

// Decides what the answer means. Returns CN_OK (connected), an error, or
// sets |*retry| for a 407 answered with credentials.
static int handle_answer(spdy_stream_socket *s, bool *retry) {
  *retry = false;
  size_t num;
  const cn_spdy_header *h = cn_spdy_stream_headers(s->stream, &num);
  s->status = cn_spdy_headers_status(h, num);
  int status = s->status;
  // Only a 200 opens the tunnel (Chromium: any other answer, 1xx, 2xx or
  // 3xx, is ERR_TUNNEL_CONNECTION_FAILED; its body is never read).
  if (status == 200) {
    // Nothing may come from the origin before our TLS hello (optimistic:
    // the hello went first, so DATA with the answer is the origin's).
    if (!s->answer_pending &&
        (cn_spdy_stream_buffered_bytes(s->stream) > 0 || cn_spdy_stream_remote_fin(s->stream)))
      return CN_ERR_TUNNEL_CONNECTION_FAILED;
    return CN_OK;
  }
  // Only the challenges are looked at; the rest of the answer is the
  // proxy's and goes nowhere.
  cn_http_headers challenges;
  cn_http_headers_init(&challenges);
  for (size_t i = 0; status == 407 && i < num; i++) {
    if (h[i].name_len == 18 && memcmp(h[i].name, "proxy-authenticate", 18) == 0)
      cn_http_headers_add_n(&challenges, "Proxy-Authenticate", 18, h[i].value, h[i].value_len);
  }
  int rv;
  if (s->auth && status == 407) {
    int r = cn_http_auth_controller_on_challenge(s->auth, &challenges);
    *retry = r == CN_HTTP_AUTH_RETRY;
    rv = r == CN_HTTP_AUTH_RETRY       ? CN_OK
         : r == CN_HTTP_AUTH_NO_HANDLER ? CN_ERR_PROXY_AUTH_UNSUPPORTED
                                        : CN_ERR_PROXY_AUTH_REQUESTED;
  } else {
    rv = cn_http_proxy_connect_failure(status, s->has_proxy ? &s->proxy : NULL, s->sent_auth,
                                       &challenges, retry);
  }
  cn_http_headers_free(&challenges);
  if (*retry)
    s->sent_auth = true;
  return rv;
}

static int do_connect(spdy_stream_socket *s, cn_spdy_session *session);
static void on_created(void *arg, int rv);
static void on_headers(void *arg, int rv);

// The CONNECT is queued and its answer awaited: may the tunnel go up now?
// Only when asked and no credentials are involved: none went with it and
// |proxy| has none to answer a 407 with (the connect would send them on a
// new stream, which an optimistic tunnel cannot: the layer above already
// wrote on this one). The auth controller, lent for the
// connect, is moved in: the answer is decided with it.
static bool go_optimistic(spdy_stream_socket *s) {
  if (!s->optimistic || s->sent_auth ||
      (s->has_proxy && cn_proxy_server_has_credentials(&s->proxy)))
    return false;
  s->answer_pending = true;
  if (s->auth) {
    s->owned_auth = *s->auth;
    s->auth = &s->owned_auth;
    s->owns_auth = true;
  }
  return true;
}

// Runs the connect from |rv| (the result of the last step) until it is
// pending or done.
static int connect_loop(spdy_stream_socket *s, int rv, bool created) {
  for (;;) {
    if (rv < 0)
      return rv;
    if (created) {
      rv = send_connect(s);
      if (rv < 0)
        return rv;
      rv = cn_spdy_stream_read_headers(s->stream, on_headers, s);
      if (rv == CN_ERR_IO_PENDING)
        return go_optimistic(s) ? CN_OK : rv;
      created = false;
      continue;
    }
    // The answer is in.
    bool retry;
    rv = handle_answer(s, &retry);
    if (!retry)
      return rv;
    // 407 with credentials: cancel this stream, a new one on the same
    // session carries Proxy-Authorization.
    cn_spdy_session *session = cn_spdy_stream_session(s->stream);
    cn_spdy_stream *old = s->stream;
    cn_spdy_stream_reset(old, CN_HTTP2_CANCEL);
    s->stream = NULL;
    rv = do_connect(s, session);
    cn_spdy_stream_destroy(old);
    if (rv == CN_ERR_IO_PENDING)
      return rv;
    created = true;
  }
}

static void complete(spdy_stream_socket *s, int rv) {
  if (rv == CN_ERR_IO_PENDING)
    return;
  s->connecting = false;
  if (!s->owns_auth)
    s->auth = NULL;  // the job's, lent for the connect only
  if (!s->answer_pending)
    log_end(s, rv);
  if (rv == CN_OK) {
    s->connected = true;
  } else {
    cn_spdy_stream_destroy(s->stream);
    s->stream = NULL;
  }
  cn_completion_cb cb = s->connect_cb;
  s->connect_cb = NULL;
  cb(s->connect_arg, rv);
}

static void on_created(void *arg, int rv) {
  spdy_stream_socket *s = arg;
  complete(s, connect_loop(s, rv, true));
}

static void on_answer(spdy_stream_socket *s, int rv);
static void on_read(void *arg, int rv);
static int tunnel_result(int rv, bool reading);

static void on_headers(void *arg, int rv) {
  spdy_stream_socket *s = arg;
  if (s->answer_pending && !s->connecting) {
    on_answer(s, rv);
    return;
  }
  complete(s, connect_loop(s, rv, false));
}

// Creates the CONNECT stream: CN_OK (send now), CN_ERR_IO_PENDING
// (on_created continues) or an error.
static int do_connect(spdy_stream_socket *s, cn_spdy_session *session) {
  return cn_spdy_stream_create(session, s->priority, s->owner, on_created, s, &s->stream);
}

static int ss_connect(cn_stream_socket *base, cn_completion_cb cb, void *arg) {
  spdy_stream_socket *s = (spdy_stream_socket *)base;
  if (s->connected)
    return CN_OK;
  if (s->connecting || !s->session)
    return CN_ERR_INVALID_ARGUMENT;
  char hp[CN_HOST_PORT_STR_SIZE];
  cn_host_port_to_string(&s->target, hp, sizeof(hp));
  if (!s->caller_logs_tunnel) {
    cn_netlog_begin(base->netlog, base->source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                    CN_NL_STR("target", hp));
    s->logged_begin = true;
  }
  cn_spdy_session *session = s->session;
  s->session = NULL;  // the stream holds the session from now on
  int rv = do_connect(s, session);
  if (rv != CN_ERR_IO_PENDING)
    rv = connect_loop(s, rv, true);
  if (rv == CN_ERR_IO_PENDING) {
    s->connecting = true;
    s->connect_cb = cb;
    s->connect_arg = arg;
    return rv;
  }
  if (!s->owns_auth)
    s->auth = NULL;  // the job's, lent for the connect only
  if (!s->answer_pending)
    log_end(s, rv);
  if (rv == CN_OK) {
    s->connected = true;
  } else {
    cn_spdy_stream_destroy(s->stream);
    s->stream = NULL;
  }
  return rv;
}

// ---------------------------------------------------------------------------
// The optimistic tunnel's answer (header), read after the connect.

// The error the connect would have returned for the answer (|rv|: the
// header read's result), as the tunnel job maps it
// (http_proxy_connect_job.c, spdy_tunnel_done).
static int answer_result(spdy_stream_socket *s, int rv) {
  if (rv == CN_ERR_HTTP_1_1_REQUIRED) {
    if (s->server_properties && s->has_proxy)
      cn_http_server_properties_note_http11_required(s->server_properties, &s->proxy.host_port);
    return CN_ERR_PROXY_HTTP_1_1_REQUIRED;
  }
  if (rv < 0)
    return rv;  // the stream's error, as it is
  bool retry;
  rv = handle_answer(s, &retry);
  // No credentials went with the CONNECT, and none can be sent on a stream
  // the layer above already wrote on: a 407 is the application's to answer.
  if (retry)
    rv = CN_ERR_PROXY_AUTH_REQUESTED;
  if (rv == CN_ERR_PROXY_AUTH_REQUESTED && s->auth && s->auth->cache && s->auth->handler &&
      !s->auth->user)
    cn_http_auth_cache_set_pending(s->auth->cache, s->auth->server, s->auth->handler);
  return rv;
}

static void drop_auth(spdy_stream_socket *s) {
  if (s->owns_auth)
    cn_http_auth_controller_free(&s->owned_auth);
  s->owns_auth = false;
  s->auth = NULL;
}

static void on_answer(spdy_stream_socket *s, int rv) {
  rv = answer_result(s, rv);
  s->answer_pending = false;
  drop_auth(s);
  if (s->caller_logs_tunnel)
    log_end_on(s, s->owner, rv);  // where the caller began it
  else
    log_end(s, rv);
  cn_iobuf *buf = s->parked_buf;
  s->parked_buf = NULL;
  if (rv != CN_OK) {
    // Refused: the stream carries nothing more (its pending write, if any,
    // resets it when it completes: on_write).
    s->refused = rv;
    if (!s->write_cb)
      cn_spdy_stream_reset(s->stream, CN_HTTP2_CANCEL);
  } else if (buf) {
    rv = cn_spdy_stream_read(s->stream, buf, s->parked_len, on_read, s);
  }
  cn_iobuf_unref(buf);
  if (!buf || rv == CN_ERR_IO_PENDING)
    return;
  cn_completion_cb cb = s->read_cb;
  s->read_cb = NULL;
  cb(s->read_arg, s->refused ? s->refused : tunnel_result(rv, true));
}

// True if |rv| says the established tunnel's CONNECT stream ended — the
// proxy reset it (RST_STREAM), or its session went away or lost its
// connection — rather than that the proxy broke the protocol.
static bool tunnel_closed(int rv) {
  switch (rv) {
    case CN_ERR_HTTP2_STREAM_CLOSED:
    case CN_ERR_HTTP2_SERVER_REFUSED_STREAM:
    case CN_ERR_HTTP2_GOING_AWAY:
    case CN_ERR_HTTP2_PING_FAILED:
    case CN_ERR_CONNECTION_CLOSED:
    case CN_ERR_CONNECTION_RESET:
    case CN_ERR_CONNECTION_ABORTED:
      return true;
    default:
      return false;
  }
}

// A tunnel that ended is, to the layer above, a TCP connection its peer
// closed: reads give EOF (0), writes CN_ERR_CONNECTION_RESET. Then the
// stale-connection rule of the request above (cn_http_stream_may_resend)
// resends a request that failed on a reused tunnel, exactly as through an
// HTTP/1.1 proxy whose connection closed; the stream's own error is in the
// session's NetLog (RECV_RST_STREAM, GOAWAY, SESSION_ALIVE END). Protocol
// errors of the proxy's session pass through as they are.
static int tunnel_result(int rv, bool reading) {
  if (rv >= 0 || rv == CN_ERR_IO_PENDING || !tunnel_closed(rv))
    return rv;
  return reading ? 0 : CN_ERR_CONNECTION_RESET;
}

static void on_read(void *arg, int rv) {
  spdy_stream_socket *s = arg;
  cn_completion_cb cb = s->read_cb;
  s->read_cb = NULL;
  cb(s->read_arg, tunnel_result(rv, true));
}

static void on_write(void *arg, int rv) {
  spdy_stream_socket *s = arg;
  cn_completion_cb cb = s->write_cb;
  s->write_cb = NULL;
  if (s->refused) {
    cn_spdy_stream_reset(s->stream, CN_HTTP2_CANCEL);  // (on_answer left it to us)
    rv = s->refused;
  }
  cb(s->write_arg, tunnel_result(rv, false));
}

static int ss_read(cn_stream_socket *base, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                   void *arg) {
  spdy_stream_socket *s = (spdy_stream_socket *)base;
  if (s->refused)
    return s->refused;
  if (!s->connected || !s->stream)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (s->answer_pending) {
    // The answer first (on_answer continues).
    if (s->read_cb)
      return CN_ERR_INVALID_ARGUMENT;  // one read at a time
    s->parked_buf = cn_iobuf_ref(buf);
    s->parked_len = len;
    s->read_cb = cb;
    s->read_arg = arg;
    return CN_ERR_IO_PENDING;
  }
  int rv = cn_spdy_stream_read(s->stream, buf, len, on_read, s);
  if (rv == CN_ERR_IO_PENDING) {
    s->read_cb = cb;
    s->read_arg = arg;
  }
  return tunnel_result(rv, true);
}

static int ss_write(cn_stream_socket *base, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                    void *arg) {
  spdy_stream_socket *s = (spdy_stream_socket *)base;
  if (s->refused)
    return s->refused;
  if (!s->connected || !s->stream)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  int rv = cn_spdy_stream_write(s->stream, buf, len, false, on_write, s);
  if (rv == CN_ERR_IO_PENDING) {
    s->write_cb = cb;
    s->write_arg = arg;
  }
  return tunnel_result(rv, false);
}

// Frees the stream (see ss_destroy and ss_disconnect for how it ends) and
// forgets any connect in progress; no callback afterwards.
static void release_stream(spdy_stream_socket *s) {
  // Gives the stream's unread bytes back to the session window (no leak,
  // behaviour 11).
  cn_spdy_stream_destroy(s->stream);
  s->stream = NULL;
  s->connected = false;
  s->connecting = false;
  s->connect_cb = NULL;
  s->read_cb = NULL;
  s->write_cb = NULL;
  s->session = NULL;
  cn_iobuf_unref(s->parked_buf);
  s->parked_buf = NULL;
  drop_auth(s);
  if (s->answer_pending && s->caller_logs_tunnel)
    log_end_on(s, s->owner, CN_ERR_ABORTED);  // the tunnel never opened
  s->answer_pending = false;
  log_end(s, CN_ERR_ABORTED);
}

static void ss_disconnect(cn_stream_socket *base) {
  spdy_stream_socket *s = (spdy_stream_socket *)base;
  // Abrupt: an open stream is reset with CANCEL, even one whose END_STREAM
  // is still queued.
  if (s->stream)
    cn_spdy_stream_reset(s->stream, CN_HTTP2_CANCEL);
  release_stream(s);
}

static bool ss_is_connected(const cn_stream_socket *base) {
  const spdy_stream_socket *s = (const spdy_stream_socket *)base;
  return s->connected && s->stream && !s->refused && !cn_spdy_stream_is_closed(s->stream) &&
         cn_spdy_stream_error(s->stream) == CN_OK;
}

static bool ss_is_connected_and_idle(const cn_stream_socket *base) {
  const spdy_stream_socket *s = (const spdy_stream_socket *)base;
  // A tunnel whose session has streams waiting for a slot is not kept idle
  // (a pool given it back closes it): its CONNECT stream is the slot they
  // wait for, and nothing else would ever close an idle tunnel.
  return ss_is_connected(base) && !s->answer_pending &&
         cn_spdy_stream_buffered_bytes(s->stream) == 0 &&
         !cn_spdy_stream_remote_fin(s->stream) &&
         !cn_spdy_session_is_stalled(cn_spdy_stream_session(s->stream));
}

static cn_next_proto ss_negotiated_protocol(const cn_stream_socket *base) {
  (void)base;
  return CN_PROTO_UNKNOWN;
}

static void ss_destroy(cn_stream_socket *base) {
  spdy_stream_socket *s = (spdy_stream_socket *)base;
  // The stream's close rule applies (spdy_stream.h): our CONNECT stream is
  // cancelled if open; a peer's tunnel stream whose END_STREAM is queued
  // (after shutdown) still sends it.
  release_stream(s);
  cn_stream_socket_log_destroyed(base);
  if (s->has_proxy)
    cn_proxy_server_free(&s->proxy);
  free(s->user_agent);
  free(s->authority);
  free(s);
}

static int ss_query(const cn_stream_socket *base, cn_socket_query q, void *out) {
  const spdy_stream_socket *s = (const spdy_stream_socket *)base;
  cn_spdy_session *session = s->stream ? cn_spdy_stream_session(s->stream) : NULL;
  switch (q) {
    case CN_SOCKET_QUERY_LAYER:
      *(cn_socket_layer *)out = CN_SOCKET_LAYER_SPDY_TUNNEL;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER:
      *(const cn_stream_socket **)out = session ? cn_spdy_session_socket(session) : NULL;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER_REUSED:
      *(bool *)out = s->session_reused;
      return CN_OK;
    case CN_SOCKET_QUERY_REFUSED_HOP:
      if (!s->refused)
        return CN_ERR_NOT_IMPLEMENTED;
      *(int *)out = s->hop;
      return CN_OK;
    case CN_SOCKET_QUERY_TUNNEL_SESSION:
      if (!session)
        return CN_ERR_NOT_IMPLEMENTED;
      *(cn_spdy_session **)out = session;
      return CN_OK;
    default:
      return CN_ERR_NOT_IMPLEMENTED;
  }
}

// An idle tunnel does not keep the loop running; the session below decides
// for its connection from all its streams.
static void ss_set_keeps_loop_alive(cn_stream_socket *base, bool keep) {
  spdy_stream_socket *s = (spdy_stream_socket *)base;
  if (s->stream)
    cn_spdy_stream_set_keeps_loop_alive(s->stream, keep);
}

static const cn_stream_socket_ops kOps = {
    .name = "spdy_stream",
    .connect = ss_connect,
    .read = ss_read,
    .write = ss_write,
    .disconnect = ss_disconnect,
    .is_connected = ss_is_connected,
    .is_connected_and_idle = ss_is_connected_and_idle,
    .negotiated_protocol = ss_negotiated_protocol,
    .destroy = ss_destroy,
    .shutdown = cn_spdy_stream_socket_shutdown,
    .query = ss_query,
    .set_keeps_loop_alive = ss_set_keeps_loop_alive,
};

cn_stream_socket *cn_spdy_stream_socket_new(cn_spdy_session *session,
                                            const cn_spdy_stream_socket_params *params,
                                            cn_netlog *netlog) {
  spdy_stream_socket *s = cn_xcalloc(1, sizeof(*s));
  cn_stream_socket_init(&s->base, &kOps, netlog);
  s->session = session;
  s->target = params->target;
  if (params->proxy) {
    cn_proxy_server_copy(&s->proxy, params->proxy);
    s->has_proxy = true;
  }
  s->user_agent = params->user_agent ? cn_xstrdup(params->user_agent) : NULL;
  s->priority = params->priority;
  s->owner = params->owner;
  s->caller_logs_tunnel = params->caller_logs_tunnel;
  s->session_reused = params->session_reused;
  s->sent_auth = params->send_auth_up_front && s->has_proxy &&
                 cn_proxy_server_has_credentials(&s->proxy);
  s->auth = params->auth;
  s->authority = params->authority ? cn_xstrdup(params->authority) : NULL;
  s->optimistic = params->optimistic;
  s->hop = params->hop;
  s->server_properties = params->server_properties;
  return &s->base;
}

cn_stream_socket *cn_spdy_stream_socket_new_accepted(cn_spdy_stream *stream,
                                                     cn_netlog *netlog) {
  spdy_stream_socket *s = cn_xcalloc(1, sizeof(*s));
  cn_stream_socket_init(&s->base, &kOps, netlog);
  s->stream = stream;
  s->connected = true;
  s->status = 200;
  return &s->base;
}

int cn_spdy_stream_socket_shutdown(cn_stream_socket *base, cn_completion_cb cb, void *arg) {
  spdy_stream_socket *s = (spdy_stream_socket *)base;
  if (!s->connected || !s->stream)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  // An empty DATA frame carries the END_STREAM.
  cn_iobuf *empty = cn_iobuf_new(1);
  int rv = cn_spdy_stream_write(s->stream, empty, 0, true, cb, arg);
  cn_iobuf_unref(empty);
  return rv;
}

bool cn_spdy_stream_socket_sent_auth(const cn_stream_socket *s) {
  return ((const spdy_stream_socket *)s)->sent_auth;
}

int cn_spdy_stream_socket_connect_status(const cn_stream_socket *s) {
  return ((const spdy_stream_socket *)s)->status;
}

cn_spdy_stream *cn_spdy_stream_socket_stream(const cn_stream_socket *s) {
  return ((const spdy_stream_socket *)s)->stream;
}

bool cn_spdy_stream_socket_session_reused(const cn_stream_socket *s) {
  return ((const spdy_stream_socket *)s)->session_reused;
}

bool cn_spdy_stream_socket_answer_pending(const cn_stream_socket *s) {
  return ((const spdy_stream_socket *)s)->answer_pending;
}
