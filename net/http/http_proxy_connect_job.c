#include "net/http/http_proxy_connect_job.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "net/base/url.h"
#include "net/http/http_auth_controller.h"
#include "net/http/http_proxy_auth.h"
#include "net/http/http_basic_stream.h"
#include "net/http/http_optimistic_tunnel_socket.h"
#include "net/http/http_stream.h"
#include "net/http/http_tunnel_socket.h"
#include "net/socket/pooled_socket.h"
#include "net/spdy/spdy_session_pool.h"
#include "net/spdy/spdy_session_request.h"
#include "net/spdy/spdy_stream_socket.h"

static void destroy_params(cn_socket_params *p) {
  cn_http_proxy_tunnel_params *t = (cn_http_proxy_tunnel_params *)p;
  free(t->lower_group_id);
  free(t->lower_chain_key);
  cn_socket_params_unref(t->lower_params);
  cn_proxy_server_free(&t->proxy);
  free(t->user_agent);
  free(t->proxy_spdy_key);
  free(t);
}

cn_socket_params *cn_http_proxy_tunnel_params_new(cn_client_socket_pool *lower_pool,
                                                  const char *lower_group_id,
                                                  const char *lower_chain_key,
                                                  cn_socket_params *lower_params,
                                                  const cn_host_port *target,
                                                  const cn_proxy_server *proxy,
                                                  const char *user_agent,
                                                  const char *proxy_spdy_key,
                                                  const cn_tunnel_services *services) {
  cn_http_proxy_tunnel_params *t = CN_NEW(cn_http_proxy_tunnel_params);
  t->base.refs = 1;
  t->base.destroy = destroy_params;
  t->lower_pool = lower_pool;
  t->lower_group_id = cn_xstrdup(lower_group_id);
  t->lower_chain_key = cn_xstrdup(lower_chain_key);
  t->lower_params = cn_socket_params_ref(lower_params);
  t->target = *target;
  cn_proxy_server_copy(&t->proxy, proxy);
  t->user_agent = cn_xstrdup(user_agent);
  t->proxy_spdy_key = cn_xstrdup(proxy_spdy_key);
  t->services = services;
  // The CONNECT goes through |proxy|: the first of the chain unless the
  // plan says which (it sets the index).
  t->base.hop = 0;
  return &t->base;
}

typedef enum tunnel_state {
  TS_NONE,
  TS_WAIT,         // waiting for a racing job's session to the proxy
  TS_LOWER,        // waiting for a socket to the proxy
  TS_SEND,         // CONNECT being written
  TS_READ_HEADERS,
  TS_DRAIN,        // reading a 407's body before retrying
  TS_SPDY,         // a CONNECT stream on a SPDY/HTTP2 session to the proxy
} tunnel_state;

typedef struct tunnel_job {
  cn_connect_job base;
  cn_http_proxy_tunnel_params *params;
  tunnel_state state;
  cn_stream_socket *pooled;  // the connection to the proxy
  // Or the tunnel as a CONNECT stream of the proxy's session (F5/F6).
  cn_stream_socket *spdy_tunnel;
  cn_http_basic_stream *stream;    // the CONNECT exchange
  cn_url target_url;         // https://target/ (only host:port is used)
  cn_http_headers headers;
  cn_http_request_info info;
  // The proxy's authentication (http_auth_controller.h): its URL's
  // credentials up front, the session's auth cache, and Digest's state
  // across the CONNECTs of this job (an HTTP/1.1 CONNECT or a CONNECT
  // stream, which borrows it).
  cn_http_auth_controller auth;
  bool auth_ready;
  char authority[CN_HOST_PORT_STR_SIZE];  // host:port, Digest's uri
  bool retried_stale;  // the CONNECT was already resent once (stale socket)
  bool logged_begin;
  uint64_t exchange_start_us;  // the first CONNECT sent (the tunnel's timing)
  cn_iobuf *drain_buf;
  // Tunnels racing to a proxy that speaks (or may speak) SPDY/HTTP2 share
  // one connection to it, like requests (spdy_session_request.h).
  cn_spdy_session_request session_request;
} tunnel_job;

static int start_lower(tunnel_job *j);
static int send_connect(tunnel_job *j);
static void stamp_tunnel(tunnel_job *j);

static void log_end(tunnel_job *j, int rv, int status) {
  if (!j->logged_begin)
    return;
  j->logged_begin = false;
  if (rv < 0)
    cn_netlog_end(j->base.netlog, j->base.source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                  CN_NL_ERROR(rv), CN_NL_INT("status", status));
  else
    cn_netlog_end(j->base.netlog, j->base.source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                  CN_NL_INT("status", status));
}

// Drops the connection to the proxy; a failed or half-used tunnel never goes
// back to a pool (the pooled socket disconnects it on destroy).
static void drop_connection(tunnel_job *j) {
  cn_stream_socket_destroy(j->spdy_tunnel);
  j->spdy_tunnel = NULL;
  cn_http_basic_stream_destroy(j->stream);
  j->stream = NULL;
  cn_stream_socket_destroy(j->pooled);
  j->pooled = NULL;
}

// The proxy took a CONNECT: its identity goes into the session's cache
// (later CONNECTs and requests send it up front), and the proxy is noted
// as having taken its URL's credentials (the old SPDY/HTTP2 rule).
static void tunnel_auth_succeeded(tunnel_job *j) {
  if (!j->auth.sent)
    return;
  cn_http_auth_controller_on_success(&j->auth, NULL);
  if (j->params->services && j->auth.identity == CN_HTTP_AUTH_IDENTITY_UP_FRONT)
    cn_http_auth_cache_note_accepted(j->params->services->auth_cache, &j->params->proxy);
}

// What a 407 to a CONNECT means: CN_OK to send the CONNECT again with
// credentials, else CN_ERR_PROXY_AUTH_REQUESTED (no identity: the challenge
// is left in the session's cache for the request's application to answer,
// cn_http_auth_cache_take_pending) or CN_ERR_PROXY_AUTH_UNSUPPORTED.
static int tunnel_auth_challenge(tunnel_job *j, const cn_http_headers *headers) {
  int r = cn_http_auth_controller_on_challenge(&j->auth, headers);
  if (r == CN_HTTP_AUTH_RETRY)
    return CN_OK;
  if (r == CN_HTTP_AUTH_NO_HANDLER)
    return CN_ERR_PROXY_AUTH_UNSUPPORTED;
  if (j->auth.cache)
    cn_http_auth_cache_set_pending(j->auth.cache, j->auth.server, j->auth.handler);
  return CN_ERR_PROXY_AUTH_REQUESTED;
}

// Decides what a final CONNECT answer means. Returns CN_OK (tunnel up),
// CN_ERR_IO_PENDING/CN_OK-continuing work for a 407 retry (through
// *retry), or an error.
static int handle_answer(tunnel_job *j, bool *retry) {
  const cn_http_response_head *head = cn_http_basic_stream_response_head(j->stream);
  int status = head->status;
  *retry = false;
  if (status == 200) {
    size_t extra = 0;
    cn_http_basic_stream_leftover(j->stream, &extra);
    if (extra > 0) {
      // The origin cannot have spoken yet (TLS starts with the client):
      // bytes here are the proxy's, and would be taken for the origin's.
      log_end(j, CN_ERR_TUNNEL_CONNECTION_FAILED, status);
      return CN_ERR_TUNNEL_CONNECTION_FAILED;
    }
    log_end(j, CN_OK, status);
    tunnel_auth_succeeded(j);
    cn_http_basic_stream_destroy(j->stream);
    j->stream = NULL;
    // The connection is the tunnel now.
    j->base.socket = cn_http_tunnel_socket_new(j->pooled, j->base.netlog);
    j->pooled = NULL;
    stamp_tunnel(j);
    return CN_OK;
  }
  int rv = status == 407 ? tunnel_auth_challenge(j, &head->headers)
                         : CN_ERR_TUNNEL_CONNECTION_FAILED;  // (Chromium's, http_proxy_auth.h)
  if (rv == CN_OK) {
    *retry = true;
    return CN_OK;
  }
  log_end(j, rv, status);
  return rv;
}

static void on_io(void *arg, int rv);

// True if the CONNECT failed because the connection to the proxy had gone
// stale while idle in its pool (the proxy closed it just before we used
// it): the connection was reused, the proxy sent nothing, and the error is
// what such a connection gives. The CONNECT is then sent once more on a new
// connection (Behaviour 2 applied to the tunnel's own request).
static bool should_retry_on_new_connection(const tunnel_job *j, int rv) {
  if (j->retried_stale || !j->pooled || !j->stream)
    return false;
  // The CONNECT is an HTTP/1.1 exchange: the same rule as any request's
  // (http_basic_stream.c, may_resend).
  bool reused = cn_pooled_socket_handle(j->pooled)->reuse_type == CN_SOCKET_REUSED_IDLE;
  return cn_http_stream_may_resend(cn_http_basic_stream_as_stream(j->stream), rv, reused);
}

// The connection to the proxy could not be had: the lower request's error,
// and the hop it named (a proxy before this one may be what failed).
static int lower_failed(tunnel_job *j, int rv) {
  if (j->pooled)
    j->base.error_hop = cn_pooled_socket_handle(j->pooled)->error_hop;
  return rv;
}

bool cn_tunnel_services_proxy_offers_multiplexed(const cn_tunnel_services *services,
                                                 const cn_proxy_server *proxy) {
  cn_ssl_config scratch;
  return cn_proxy_server_is_https(proxy) && services->spdy_pool &&
         !cn_http_server_properties_requires_http11(services->server_properties,
                                                    &proxy->host_port) &&
         cn_ssl_config_offers_multiplexed(cn_http_server_properties_ssl_config(
             services->server_properties, &proxy->host_port, services->proxy_ssl_config,
             &scratch));
}

static bool proxy_session_key_known(const tunnel_job *j) {
  return j->params->services && j->params->services->spdy_pool && j->params->proxy_spdy_key;
}

// The tunnel as a CONNECT stream on |session| (a live session to the
// proxy: many tunnels share it, behaviour 12); |reused|: found live rather
// than made by this job.
static int start_spdy_tunnel(tunnel_job *j, cn_spdy_session *session, bool reused) {
  j->state = TS_SPDY;
  if (!j->exchange_start_us)
    j->exchange_start_us = cn_socket_timing_now();
  cn_connect_job_phase_started(&j->base);  // the tunnel timeout counts from here
  cn_spdy_stream_socket_params p = {0};
  p.target = j->params->target;
  p.proxy = &j->params->proxy;
  p.user_agent = j->params->user_agent;
  p.auth = &j->auth;
  p.authority = j->authority;
  p.priority = j->base.priority;
  p.owner = j->base.source;
  p.caller_logs_tunnel = true;  // HTTP_TUNNEL_CONNECT is this job's
  p.session_reused = reused;
  // Optimistic (spdy_stream_socket.h) on the conditions of the HTTP/1.1
  // path (may_go_optimistic): a session made for this tunnel, no
  // credentials in the proxy's URL (the socket also checks none were sent).
  const cn_tunnel_services *sv = j->params->services;
  p.optimistic = sv && sv->optimistic_tunnels && j->auth_ready && !reused &&
                 !cn_proxy_server_has_credentials(&j->params->proxy);
  p.hop = j->params->base.hop;
  p.server_properties = sv ? sv->server_properties : NULL;
  j->spdy_tunnel = cn_spdy_stream_socket_new(session, &p, j->base.netlog);
  return cn_stream_socket_connect(j->spdy_tunnel, on_io, j);
}

// The connection to the proxy will not become its session (it failed, or
// negotiated HTTP/1.1: |http11|): the jobs and requests waiting for it look
// for themselves.
static void end_creating(tunnel_job *j, bool http11) {
  cn_spdy_session_request_connected_without_session(&j->session_request, http11);
}

// Before any connection to the proxy: a live session to it carries the
// tunnel ("jump to step 9" inside F5/F6); if one is being made (a racing
// job or request connects), wait for it (TS_WAIT) instead of opening
// another connection. Sets |*started| when the tunnel went to a session.
static int try_session(tunnel_job *j, bool *started) {
  *started = false;
  // A proxy that asked for HTTP/1.1 gets none of its sessions used, even
  // one still alive after a CONNECT stream was reset with HTTP_1_1_REQUIRED.
  if (!proxy_session_key_known(j) ||
      cn_http_server_properties_requires_http11(j->params->services->server_properties,
                                                &j->params->proxy.host_port))
    return CN_OK;
  cn_spdy_session *session = NULL;
  int rv = cn_spdy_session_request_start(
      &j->session_request, j->params->services->spdy_pool, j->params->proxy_spdy_key,
      cn_tunnel_services_proxy_offers_multiplexed(j->params->services, &j->params->proxy), on_io,
      j, &session);
  if (rv == CN_ERR_IO_PENDING) {
    j->state = TS_WAIT;
    *started = true;
    return rv;
  }
  if (!session)
    return CN_OK;
  *started = true;
  return start_spdy_tunnel(j, session, true);
}

// The new connection to the proxy negotiated SPDY/HTTP2: it becomes the
// proxy's session (or joins one a racing job made) and the tunnel is a
// stream of it.
static int adopt_proxy_session(tunnel_job *j) {
  cn_spdy_session *session = NULL;
  cn_stream_socket *socket = j->pooled;
  j->pooled = NULL;
  bool reused = false;  // a racing job's session was there first
  int rv = cn_spdy_session_request_adopt(&j->session_request, socket, &session, &reused);
  if (rv < 0)
    return rv;  // the proxy's failure, as it is (header)
  return start_spdy_tunnel(j, session, reused);
}

static int spdy_tunnel_done(tunnel_job *j, int rv) {
  int status = cn_spdy_stream_socket_connect_status(j->spdy_tunnel);
  if (rv == CN_OK && cn_spdy_stream_socket_answer_pending(j->spdy_tunnel)) {
    // Optimistic: the socket took the auth controller, reads the answer
    // and logs HTTP_TUNNEL_CONNECT's END.
    j->logged_begin = false;
    j->auth_ready = false;
    j->base.socket = j->spdy_tunnel;
    j->spdy_tunnel = NULL;
    stamp_tunnel(j);
    return CN_OK;
  }
  if (rv == CN_OK) {
    log_end(j, CN_OK, status);
    tunnel_auth_succeeded(j);
    j->base.socket = j->spdy_tunnel;
    j->spdy_tunnel = NULL;
    stamp_tunnel(j);
    return CN_OK;
  }
  switch (rv) {
    case CN_ERR_PROXY_AUTH_REQUESTED:
      if (j->auth.cache && j->auth.handler && !j->auth.user)
        cn_http_auth_cache_set_pending(j->auth.cache, j->auth.server, j->auth.handler);
      log_end(j, rv, status);
      return rv;
    case CN_ERR_PROXY_AUTH_UNSUPPORTED:
    case CN_ERR_HTTPS_PROXY_TUNNEL_RESPONSE_REDIRECT:
    case CN_ERR_TUNNEL_CONNECTION_FAILED:
      log_end(j, rv, status);
      return rv;
    default:
      break;
  }
  if ((rv == CN_ERR_HTTP2_GOING_AWAY || rv == CN_ERR_HTTP2_SERVER_REFUSED_STREAM) &&
      !j->retried_stale) {
    // The session went away before the proxy saw this CONNECT: once more,
    // on a new session (the going-away one is no longer in the pool).
    j->retried_stale = true;
    drop_connection(j);
    return start_lower(j);
  }
  if (rv == CN_ERR_HTTP_1_1_REQUIRED) {
    // The proxy wants HTTP/1.1: remembered, and the request is sent again
    // (its next connection to the proxy offers HTTP/1.1 only).
    cn_http_server_properties_note_http11_required(j->params->services->server_properties,
                                                   &j->params->proxy.host_port);
    log_end(j, CN_ERR_PROXY_HTTP_1_1_REQUIRED, status);
    return CN_ERR_PROXY_HTTP_1_1_REQUIRED;
  }
  return rv;  // the proxy's failure, as it is (header)
}

// The CONNECT is written: may the tunnel go up before its answer? Only when
// this job would retry nothing itself after the answer (the optimistic
// socket cannot): the connection to the proxy is new (a reused one would be
// resent on if it had gone stale), and no credentials are involved: none
// in the proxy's URL and none sent, so a 200 has no identity to remember
// and a 407 has none to answer with (the socket takes the job's auth
// controller and leaves the challenge for the application, as the job does).
static bool may_go_optimistic(const tunnel_job *j) {
  const cn_tunnel_services *sv = j->params->services;
  if (!sv || !sv->optimistic_tunnels || !j->auth_ready)
    return false;
  if (cn_pooled_socket_handle(j->pooled)->reuse_type == CN_SOCKET_REUSED_IDLE)
    return false;
  return !cn_proxy_server_has_credentials(&j->params->proxy) && !j->auth.sent;
}

// The tunnel goes up now; the optimistic socket reads the answer before the
// first bytes of the origin and logs HTTP_TUNNEL_CONNECT's END then.
static int go_optimistic(tunnel_job *j) {
  cn_http_optimistic_tunnel_params p = {
      .proxy = &j->params->proxy,
      .hop = j->params->base.hop,
      .auth = &j->auth,
      .job_source = j->base.source,
  };
  j->logged_begin = false;
  j->auth_ready = false;  // the socket took the controller
  j->base.socket = cn_http_optimistic_tunnel_socket_new(j->pooled, j->stream, &p, j->base.netlog);
  j->pooled = NULL;
  j->stream = NULL;
  stamp_tunnel(j);
  return CN_OK;
}

// A tunnel below this one (a chain) that was optimistic and refused: its
// failure is its proxy's (stream_socket.h, CN_SOCKET_QUERY_REFUSED_HOP).
static int note_refused_hop(tunnel_job *j, int rv) {
  int hop;
  if (rv < 0 && j->pooled &&
      cn_stream_socket_query(j->pooled, CN_SOCKET_QUERY_REFUSED_HOP, &hop) == CN_OK)
    j->base.error_hop = hop;
  return rv;
}

// Runs the job from its current state until it needs to wait or finishes.
static int run(tunnel_job *j, int rv) {
  for (;;) {
    switch (j->state) {
      case TS_WAIT:
        // A racing session was made (or its creator gave up): look again.
        rv = start_lower(j);
        if (rv == CN_ERR_IO_PENDING)
          return rv;
        continue;
      case TS_LOWER: {
        if (rv < 0) {
          end_creating(j, false);
          return lower_failed(j, rv);
        }
        cn_next_proto proto = cn_stream_socket_negotiated_protocol(j->pooled);
        if ((proto == CN_PROTO_SPDY31 || proto == CN_PROTO_HTTP2) && proxy_session_key_known(j)) {
          rv = adopt_proxy_session(j);
          if (rv == CN_ERR_IO_PENDING)
            return rv;
          continue;
        }
        end_creating(j, true);
        rv = send_connect(j);
        if (rv == CN_ERR_IO_PENDING)
          return rv;
        continue;
      }
      case TS_SPDY:
        rv = spdy_tunnel_done(j, rv);
        if (rv == CN_ERR_IO_PENDING || j->state == TS_SPDY)
          return rv;
        continue;
      case TS_SEND:
        if (rv < 0 && should_retry_on_new_connection(j, rv)) {
          j->retried_stale = true;
          drop_connection(j);
          rv = start_lower(j);
          if (rv == CN_ERR_IO_PENDING)
            return rv;
          continue;
        }
        if (rv < 0)
          return note_refused_hop(j, rv);  // the proxy's failure, as it is (header)
        if (may_go_optimistic(j))
          return go_optimistic(j);
        j->state = TS_READ_HEADERS;
        rv = cn_http_basic_stream_read_response_headers(j->stream, on_io, j);
        if (rv == CN_ERR_IO_PENDING)
          return rv;
        continue;
      case TS_READ_HEADERS: {
        if (rv < 0 && should_retry_on_new_connection(j, rv)) {
          j->retried_stale = true;
          drop_connection(j);
          rv = start_lower(j);
          if (rv == CN_ERR_IO_PENDING)
            return rv;
          continue;
        }
        if (rv < 0)
          return note_refused_hop(j, rv);  // the proxy's failure, as it is (header)
        bool retry;
        rv = handle_answer(j, &retry);
        if (!retry)
          return rv;
        // Drain the 407's body so the connection can carry the retry.
        j->state = TS_DRAIN;
        if (!j->drain_buf)
          j->drain_buf = cn_iobuf_new(16 * 1024);
        rv = cn_http_basic_stream_read_response_body(j->stream, j->drain_buf, j->drain_buf->size,
                                               on_io, j);
        if (rv == CN_ERR_IO_PENDING)
          return rv;
        continue;
      }
      case TS_DRAIN:
        if (rv > 0) {
          rv = cn_http_basic_stream_read_response_body(j->stream, j->drain_buf, j->drain_buf->size,
                                                 on_io, j);
          if (rv == CN_ERR_IO_PENDING)
            return rv;
          continue;
        }
        if (rv == 0 && cn_http_basic_stream_can_reuse_connection(j->stream)) {
          // Keep-alive: CONNECT again on the same connection.
          cn_http_basic_stream_destroy(j->stream);
          j->stream = NULL;
          rv = send_connect(j);
        } else {
          // The proxy closes after its 407: a new connection to it.
          drop_connection(j);
          rv = start_lower(j);
        }
        if (rv == CN_ERR_IO_PENDING)
          return rv;
        continue;
      case TS_NONE:
        return rv;
    }
  }
}

static void on_io(void *arg, int rv) {
  tunnel_job *j = arg;
  rv = run(j, rv);
  if (rv == CN_ERR_IO_PENDING)
    return;
  if (rv < 0) {
    log_end(j, rv, 0);
    drop_connection(j);
  }
  j->state = TS_NONE;
  cn_connect_job_complete(&j->base, rv);
}

static int start_lower(tunnel_job *j) {
  bool started;
  int rv = try_session(j, &started);
  if (started)
    return rv;
  j->state = TS_LOWER;
  j->pooled = cn_pooled_socket_new(j->base.netlog);
  return cn_client_socket_pool_request(j->params->lower_pool, j->params->lower_group_id,
                                       j->params->lower_chain_key, j->params->lower_params,
                                       j->base.priority, j->base.source,
                                       cn_pooled_socket_handle(j->pooled), on_io, j);
}

// The tunnel socket's timing: from the first CONNECT to the answer.
static void stamp_tunnel(tunnel_job *j) {
  j->base.socket->timing.connect_start_us = j->exchange_start_us;
  j->base.socket->timing.connect_end_us = cn_socket_timing_now();
}

static int send_connect(tunnel_job *j) {
  j->state = TS_SEND;
  if (!j->exchange_start_us)
    j->exchange_start_us = cn_socket_timing_now();
  cn_connect_job_phase_started(&j->base);  // the tunnel timeout counts from here
  cn_http_headers_clear(&j->headers);
  char *cred = cn_http_auth_controller_credentials(&j->auth, "CONNECT", j->authority, NULL);
  if (cred)
    cn_http_headers_set(&j->headers, "Proxy-Authorization", cred);
  free(cred);
  memset(&j->info, 0, sizeof(j->info));
  j->info.method = "CONNECT";
  j->info.url = &j->target_url;
  j->info.extra_headers = &j->headers;
  j->info.user_agent = j->params->user_agent;
  j->stream = cn_http_basic_stream_new(j->pooled, j->base.netlog, j->base.source, NULL);
  return cn_http_basic_stream_send_request(j->stream, &j->info, on_io, j);
}

static int connect_(cn_connect_job *job) {
  tunnel_job *j = (tunnel_job *)job;
  char hp[CN_HOST_PORT_STR_SIZE];
  cn_host_port_to_string(&j->params->target, hp, sizeof(hp));
  snprintf(j->authority, sizeof(j->authority), "%s", hp);
  const cn_proxy_server *proxy = &j->params->proxy;
  char ps[CN_PROXY_SERVER_STR_SIZE];
  bool creds = cn_proxy_server_has_credentials(proxy);
  const cn_tunnel_services *sv = j->params->services;
  cn_http_auth_controller_init(&j->auth, CN_HTTP_AUTH_PROXY,
                               cn_proxy_server_to_string(proxy, ps, sizeof(ps)),
                               sv ? sv->auth_cache : NULL, sv ? sv->proxy_auth_schemes : 0,
                               creds ? proxy->username : NULL, creds ? proxy->password : NULL,
                               job->netlog, job->source);
  j->auth_ready = true;
  char *url = cn_xasprintf("https://%s/", hp);
  int rv = cn_url_parse(url, &j->target_url);
  free(url);
  if (rv != CN_OK)
    return rv;
  cn_netlog_begin(job->netlog, job->source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                  CN_NL_STR("target", hp));
  j->logged_begin = true;
  rv = start_lower(j);
  if (rv != CN_ERR_IO_PENDING)
    rv = run(j, rv);
  if (rv < 0 && rv != CN_ERR_IO_PENDING) {
    log_end(j, rv, 0);
    drop_connection(j);
  }
  return rv;
}

static void set_priority_(cn_connect_job *job, cn_request_priority priority) {
  tunnel_job *j = (tunnel_job *)job;
  if (j->pooled && j->state == TS_LOWER)
    cn_client_socket_handle_set_priority(cn_pooled_socket_handle(j->pooled), priority);
}

static void destroy_(cn_connect_job *job) {
  tunnel_job *j = (tunnel_job *)job;
  cn_spdy_session_request_reset(&j->session_request);
  log_end(j, CN_ERR_ABORTED, 0);
  drop_connection(j);
  cn_stream_socket_destroy(j->base.socket);
  cn_url_free(&j->target_url);
  cn_http_headers_free(&j->headers);
  if (j->auth_ready)
    cn_http_auth_controller_free(&j->auth);
  cn_iobuf_unref(j->drain_buf);
  cn_socket_params_unref(&j->params->base);
  free(j);
}

// The lower request still pending (connect_job.h), if any.
static cn_client_socket_handle *lower_request_(const cn_connect_job *job) {
  const tunnel_job *j = (const tunnel_job *)job;
  return j->pooled ? cn_pooled_socket_handle(j->pooled) : NULL;
}

static const cn_connect_job_ops kTunnelJobOps = {
    .name = "http_proxy_tunnel",
    .connect = connect_,
    .destroy = destroy_,
    .set_priority = set_priority_,
    .lower_request = lower_request_,
};

static cn_connect_job *create(void *ctx, const char *group_id, cn_socket_params *params,
                              cn_request_priority priority, cn_netlog *netlog) {
  tunnel_job *j = CN_NEW(tunnel_job);
  cn_connect_job_init(&j->base, &kTunnelJobOps, netlog, group_id, priority);
  j->base.timed_from_phase_start = true;  // the lower pool times the wait for its socket
  j->params = (cn_http_proxy_tunnel_params *)cn_socket_params_ref(params);
  cn_http_headers_init(&j->headers);
  return &j->base;
}

cn_connect_job_factory cn_http_proxy_connect_job_factory(void) {
  cn_connect_job_factory f = {create, NULL};
  return f;
}
