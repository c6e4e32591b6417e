#include "net/http/http_transaction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/deadline_queue.h"
#include "base/mem.h"
#include "net/http/http_auth_controller.h"
#include "net/http/http_proxy_auth.h"
#include "net/http/http_proxy_connect_job.h"
#include "net/http/http_basic_stream.h"
#include "net/http/http_stream.h"
#include "net/proxy_resolution/proxy_fallback.h"
#include "net/proxy_resolution/proxy_info.h"
#include "net/socket/pooled_socket.h"
#include "net/socket/ssl_socket.h"
#include "net/spdy/spdy_http_stream.h"
#include "net/spdy/spdy_session_pool.h"
#include "net/spdy/spdy_session_request.h"

// The transaction is a loop over states (Chromium's DoLoop): each state
// starts one step and either finishes it at once (the loop goes on) or
// returns CN_ERR_IO_PENDING, and the step's callback re-enters the loop.

typedef enum txn_state {
  STATE_NONE,
  STATE_RESOLVE_PROXY,
  STATE_RESOLVE_PROXY_DONE,
  STATE_INIT_CONNECTION,
  STATE_INIT_CONNECTION_DONE,
  STATE_SEND_REQUEST,
  STATE_SEND_REQUEST_DONE,
  STATE_READ_HEADERS,
  STATE_READ_HEADERS_DONE,
  STATE_DRAIN_BODY,
  STATE_DRAIN_BODY_DONE,
} txn_state;

// What the transaction is waiting for, each with its own timeout
// (cn_http_timeouts). At most one phase runs at a time; the total runs
// beside them.
typedef enum txn_phase {
  PHASE_NONE,
  PHASE_CONNECT,      // a connection (every layer and hop): connect_ms
  PHASE_STREAM_WAIT,  // a stream slot on a session: stream_wait_ms
  PHASE_SEND,         // the request (head and body) going out: body_idle_ms
  PHASE_HEADERS,      // the response head: response_headers_ms
  PHASE_BODY,         // a body read: body_idle_ms
} txn_phase;

static const char *const kPhaseNames[] = {
    [PHASE_NONE] = "none",
    [PHASE_CONNECT] = "connect",
    [PHASE_STREAM_WAIT] = "stream_wait",
    [PHASE_SEND] = "send_idle",
    [PHASE_HEADERS] = "response_headers",
    [PHASE_BODY] = "body_idle",
};

struct cn_http_transaction {
  cn_http_network_session *session;
  const cn_http_request_info *request;
  cn_completion_cb cb;  // start's or read's callback
  void *cb_arg;
  // Proxy.
  cn_proxy_info proxy_info;
  cn_proxy_service_request *proxy_req;
  // Where the proxy comes from: the session's service, or the request's own
  // (cn_http_transaction_set_proxy_service). Borrowed; NULL: DIRECT.
  cn_proxy_service *proxy_service;
  // Connection.
  cn_http_connection_plan plan;
  // The pool's handle, made at the first pool request: a stream over a
  // session found live never needs one. NULL: none.
  cn_client_socket_handle *handle;
  // Authentication (txn_auth, made when first needed).
  // The caller's parameters (strings owned), made only when one is set
  // (auth_params() reads them). NULL: none, all zero.
  cn_http_auth_params *auth_params;
  struct txn_auth *auth;
  // The exchange, over an HTTP/1.1 connection or as a stream of a
  // SPDY/HTTP2 session (http_stream.h); chosen in do_send_request only.
  cn_http_stream *stream;
  // The session found or made for plan.spdy_key, held only until the
  // stream exists.
  cn_spdy_session *spdy_session;
  // Racing to a server known to speak SPDY/HTTP2: one request connects (the
  // creator), the others wait for its session (spdy_session_request.h).
  // Made at the first look for a session; freed once a live one is found
  // (it then holds nothing). NULL: none.
  cn_spdy_session_request *session_request;
  // The final response head, copied out of the stream so that it outlives
  // the connection (released when the body ends).
  cn_http_response_head response;
  // The buffer a pending read reads into: the caller's body read, or a
  // drain's own (an auth challenge's body before the resend, the rest of a
  // small body after destroy).
  cn_iobuf *read_buf;
  // Timeouts: deadlines on the session's one timer (deadline_queue.h), set
  // only while a phase waits, so a stalled request costs no CPU, and a
  // request holds no timer of its own (one per open stream otherwise).
  // The session's (params) or the caller's (set_timeouts): borrowed, not
  // copied (32 bytes less per open stream).
  const cn_http_timeouts *timeouts;
  uint64_t send_mark;  // body bytes sent when the send-idle timer was armed
  // The failure's proxy (note_failure): the proxy's string for a proxy hop,
  // else NULL.
  char *error_proxy;
  // The last exchange's times (any stream kind): when the request began
  // to go out (cn_socket_timing_now; 0: not yet), and the later steps as
  // microseconds after it plus one (0: not reached; saturated past 71
  // minutes), 20 bytes instead of 32.
  uint64_t send_start_us;
  // The small fields last, together, so that the struct has no padding
  // holes (one per open stream: bench/scale).
  cn_netlog_source source;
  // On the session's queue (cn_http_network_session_deadlines, not kept
  // here: one pointer less per open stream); four bytes each.
  cn_deadline phase_deadline;
  cn_deadline total_deadline;
  uint32_t send_end_at, headers_start_at, headers_end_at;  // (send_start_us)
  // Enums in a byte each (their values are small).
  uint8_t priority;       // cn_request_priority
  uint8_t state;          // txn_state
  uint8_t phase;          // txn_phase
  uint8_t spdy_protocol;  // cn_next_proto of the session the last request went over
  int timed_out;                // the timeout's error once one fired (sticky)
  // The failure, and the hop it came from (note_failure).
  int error;
  int8_t error_hop;  // a hop of the chain (CN_PROXY_CHAIN_MAX_HOPS), or CN_HOP_*
  uint8_t retries;  // at most CN_HTTP_MAX_RETRIES
  bool logged_begin;
  bool has_response;     // |response| holds the final response head
  bool body_done;
  bool origin_auth_off;  // the request brought its own Authorization
  bool auth_pending;     // a challenge waits for the caller (auth_params.ask)
  bool spdy_reused;      // that session was found live in the pool
};

_Static_assert(CN_PROXY_CHAIN_MAX_HOPS < INT8_MAX && CN_HOP_UNSET >= INT8_MIN,
               "error_hop holds every hop index and CN_HOP_* value");

// A transaction's authentication, apart from it because most requests
// never need it (one transaction per open stream): the origin's controller
// — made at the first send only when the session's auth cache may have
// credentials to send pre-emptively, else at the first 401 — and the
// proxy's for a request sent to it (absolute form; made again when
// fallback changes the proxy), and the challenge waiting for the caller.
typedef struct txn_auth {
  cn_http_auth_controller controllers[2];  // by cn_http_auth_target
  bool ready[2];
  cn_http_auth_challenge_info challenge;
  cn_http_auth_handler *tunnel_handler;  // a CONNECT's 407 (owned)
  char *tunnel_proxy;                    // its proxy's string
} txn_auth;

// What cn_http_transaction_set_auth gave, or all zero when nothing was.
static const cn_http_auth_params *auth_params(const cn_http_transaction *t) {
  static const cn_http_auth_params none = {0};
  return t->auth_params ? t->auth_params : &none;
}

static void free_auth_params(cn_http_transaction *t) {
  cn_http_auth_params *p = t->auth_params;
  if (!p)
    return;
  free((char *)p->user);
  free((char *)p->password);
  free(p);
  t->auth_params = NULL;
}

// The session's parameters: asked of the session, not kept in the
// transaction (one pointer less per open stream).
static const cn_http_network_session_params *params(const cn_http_transaction *t) {
  return cn_http_network_session_get_params(t->session);
}

static txn_auth *auth_state(cn_http_transaction *t) {
  if (!t->auth)
    t->auth = CN_NEW(txn_auth);
  return t->auth;
}

static bool auth_ready(const cn_http_transaction *t, cn_http_auth_target target) {
  return t->auth && t->auth->ready[target];
}

// At most this much of an unread body is drained on destroy to keep the
// connection (Chromium's HttpResponseBodyDrainer drains up to 16 KiB of
// buffered data; a redirect or error body is rarely larger).
#define CN_HTTP_MAX_DRAIN_BYTES (64 * 1024)

static int do_loop(cn_http_transaction *t, int rv);
static int run_for_caller(cn_http_transaction *t, cn_completion_cb cb, void *arg);
static bool rewind_upload(const cn_http_transaction *t);
static void take_tunnel_challenge(cn_http_transaction *t);
static void enter_phase(cn_http_transaction *t, txn_phase phase, uint64_t ms);
static void leave_phase(cn_http_transaction *t);

static void on_io(void *arg, int rv) {
  cn_http_transaction *t = arg;
  rv = do_loop(t, rv);
  if (rv != CN_ERR_IO_PENDING) {
    cn_completion_cb cb = t->cb;
    t->cb = NULL;
    cb(t->cb_arg, rv);
  }
}

static int stream_read_body(cn_http_transaction *t, cn_iobuf *buf, size_t len,
                            cn_completion_cb cb) {
  return cn_http_stream_read_response_body(t->stream, buf, len, cb, t);
}

cn_http_transaction *cn_http_transaction_new(cn_http_network_session *session,
                                             cn_request_priority priority) {
  cn_http_transaction *t = CN_NEW(cn_http_transaction);
  t->session = session;
  t->priority = priority;
  t->source = cn_netlog_new_source(params(t)->netlog, CN_NETLOG_SOURCE_REQUEST);
  t->proxy_service = params(t)->proxy_service;
  t->timeouts = &params(t)->timeouts;
  cn_proxy_info_init(&t->proxy_info);
  t->error_hop = CN_HOP_UNSET;
  return t;
}

// The session request, made on first use (zeroed: ready).
static cn_spdy_session_request *session_request(cn_http_transaction *t) {
  if (!t->session_request)
    t->session_request = CN_NEW(cn_spdy_session_request);
  return t->session_request;
}

// Ends the session request (no callback runs afterwards) and frees it.
static void drop_session_request(cn_http_transaction *t) {
  if (!t->session_request)
    return;
  cn_spdy_session_request_reset(t->session_request);
  free(t->session_request);
  t->session_request = NULL;
}

// The handle, made on first use.
static cn_client_socket_handle *socket_handle(cn_http_transaction *t) {
  if (!t->handle) {
    t->handle = CN_NEW(cn_client_socket_handle);
    cn_client_socket_handle_init(t->handle);
  }
  return t->handle;
}

// Gives back (or cancels) what the handle holds, and frees it.
static void drop_handle(cn_http_transaction *t) {
  if (!t->handle)
    return;
  cn_client_socket_handle_reset(t->handle);
  free(t->handle);
  t->handle = NULL;
}

// How the connection was found (CN_SOCKET_UNUSED without a handle).
static cn_socket_reuse_type handle_reuse_type(const cn_http_transaction *t) {
  return t->handle ? t->handle->reuse_type : CN_SOCKET_UNUSED;
}

// Gives the connection back: idle in its pool if the exchange left it
// reusable, else closed.
// Without a stream the socket carried nothing of ours (it was just handed
// out): the pool decides, as for any socket given back unused.
static void release_connection(cn_http_transaction *t, bool reusable) {
  t->spdy_session = NULL;
  // (A SPDY/HTTP2 stream: the session stays in its pool whatever happens,
  // an unfinished stream is reset, and there is no handle to give back.)
  if (t->stream) {
    reusable = reusable && cn_http_stream_can_reuse_connection(t->stream);
    cn_http_stream_destroy(t->stream);
    t->stream = NULL;
    if (t->handle && t->handle->socket) {
      if (reusable)
        t->handle->is_used = true;
      else
        cn_stream_socket_disconnect(t->handle->socket);
    }
  }
  drop_handle(t);
}

static void free_auth(cn_http_transaction *t) {
  free_auth_params(t);
  txn_auth *a = t->auth;
  if (!a)
    return;
  for (int k = 0; k < 2; k++)
    if (a->ready[k])
      cn_http_auth_controller_free(&a->controllers[k]);
  cn_http_auth_handler_free(a->tunnel_handler);
  free(a->tunnel_proxy);
  free(a);
}

static void free_transaction(cn_http_transaction *t) {
  cn_deadline_cancel(cn_http_network_session_deadlines(t->session), &t->phase_deadline);
  cn_deadline_cancel(cn_http_network_session_deadlines(t->session), &t->total_deadline);
  drop_session_request(t);
  drop_handle(t);
  cn_http_connection_plan_free(&t->plan);
  cn_proxy_info_free(&t->proxy_info);
  if (t->has_response) {
    free(t->response.reason);
    cn_http_headers_free(&t->response.headers);
  }
  free_auth(t);
  cn_iobuf_unref(t->read_buf);
  if (t->logged_begin) {
    // The failure and where it came from ("origin", "proxy https://p:443"
    // and the hop's index); a request given up on without one is ABORTED.
    if (t->error && !t->body_done) {
      char *from = t->error_proxy ? cn_xasprintf("proxy %s", t->error_proxy)
                                  : cn_xstrdup(t->error_hop == CN_HOP_ORIGIN ? "origin" : "local");
      cn_netlog_end(params(t)->netlog, t->source, CN_NETLOG_REQUEST_ALIVE, CN_NL_ERROR(t->error),
                    CN_NL_STR("error_source", from), CN_NL_INT("error_hop", t->error_hop));
      free(from);
    } else {
      cn_netlog_end_with_error(params(t)->netlog, t->source, CN_NETLOG_REQUEST_ALIVE,
                               t->body_done   ? CN_OK
                               : t->timed_out ? t->timed_out
                                              : CN_ERR_ABORTED);
    }
  }
  free(t->error_proxy);
  free(t);
}

// After destroy: draining the rest of a small body, made only then (most
// transactions never drain: one per open stream). Owned by the session's
// drain list until the body ends.
typedef struct txn_drain {
  cn_http_drain_entry entry;
  cn_http_transaction *t;
  uint32_t drained;  // at most CN_HTTP_MAX_DRAIN_BYTES and one read
} txn_drain;

static void on_drain(void *arg, int rv);

static int drain_read(txn_drain *d) {
  cn_http_transaction *t = d->t;
  return cn_http_stream_read_response_body(t->stream, t->read_buf, t->read_buf->size, on_drain,
                                           d);
}

// Reads and drops body bytes until the body ends (the connection then goes
// back to its pool), the cap is passed, or an error (it is closed).
static void drain_loop(txn_drain *d, int rv) {
  while (rv > 0) {
    d->drained += (uint32_t)rv;
    if (d->drained > CN_HTTP_MAX_DRAIN_BYTES) {
      rv = CN_ERR_ABORTED;
      break;
    }
    rv = drain_read(d);
  }
  if (rv == CN_ERR_IO_PENDING)
    return;
  cn_http_transaction *t = d->t;
  cn_http_network_session_remove_drain(&d->entry);
  free(d);
  if (rv == 0)
    t->body_done = true;
  release_connection(t, rv == 0);
  free_transaction(t);
}

static void on_drain(void *arg, int rv) { drain_loop(arg, rv); }

static void abort_drain(cn_http_drain_entry *e) {
  txn_drain *d = CN_CONTAINER_OF(e, txn_drain, entry);
  cn_http_transaction *t = d->t;
  free(d);
  release_connection(t, false);
  free_transaction(t);
}

// True when the rest of the body is worth reading to keep the connection:
// the head is in, nothing is pending, and the body is not known to be large.
static bool should_drain(const cn_http_transaction *t) {
  if (!t->stream || !cn_http_stream_worth_draining(t->stream) || !t->has_response ||
      t->body_done || t->cb || t->state != STATE_NONE ||
      cn_http_stream_is_response_body_complete(t->stream))
    return false;
  const char *length = cn_http_headers_get(&t->response.headers, "Content-Length");
  return !length || strtoull(length, NULL, 10) <= CN_HTTP_MAX_DRAIN_BYTES;
}

void cn_http_transaction_set_proxy_service(cn_http_transaction *t, cn_proxy_service *svc) {
  t->proxy_service = svc;
}

void cn_http_transaction_destroy(cn_http_transaction *t) {
  if (!t)
    return;
  if (t->proxy_req)
    cn_proxy_service_cancel(t->proxy_service, t->proxy_req);
  if (should_drain(t)) {
    // The caller is gone: no callback will run; the session owns us now.
    // (Draining enters no phase; its timeouts would be gone with the
    // caller's.)
    t->timeouts = &params(t)->timeouts;
    txn_drain *d = CN_NEW(txn_drain);
    d->t = t;
    d->entry.abort = abort_drain;
    cn_http_network_session_add_drain(t->session, &d->entry);
    cn_iobuf_unref(t->read_buf);  // (none: no read was pending, should_drain)
    t->read_buf = cn_iobuf_new(16 * 1024);
    drain_loop(d, drain_read(d));
    return;
  }
  // A response whose body is complete (a bodiless one the caller did not
  // read to its 0) leaves a reusable connection; anything less closes it
  // (the stream's own check).
  release_connection(t, true);
  free_transaction(t);
}

// The hop the request itself goes to: the last proxy for a request in
// absolute form (http:// through a proxy), else the origin (https://
// through a tunnel, direct, or over a SOCKS tunnel).
static int request_hop(const cn_http_transaction *t) {
  const cn_proxy_chain *chain = cn_proxy_info_chain(&t->proxy_info);
  if (t->plan.absolute_form && chain && chain->count)
    return (int)chain->count - 1;
  return CN_HOP_ORIGIN;
}

// Records that the request failed with |rv| at |hop| of its current chain
// (connect_job.h; CN_HOP_UNSET: not from a peer) and returns |rv|.
static int note_failure(cn_http_transaction *t, int rv, int hop) {
  t->error = rv;
  t->error_hop = hop;
  free(t->error_proxy);
  t->error_proxy = NULL;
  const cn_proxy_chain *chain = cn_proxy_info_chain(&t->proxy_info);
  if (hop >= 0 && chain && (size_t)hop < chain->count) {
    char ps[CN_PROXY_SERVER_STR_SIZE];
    t->error_proxy = cn_xstrdup(cn_proxy_server_to_string(&chain->servers[hop], ps, sizeof(ps)));
  } else if (hop >= 0) {
    t->error_hop = CN_HOP_UNSET;  // (cannot happen: a hop of no chain)
  }
  return rv;
}

// The hop a failure outside the connection step came from: none before a
// connection was planned (proxy resolution), the origin for a 407 that an
// origin sent, else the hop the request went to (request_hop).
static int failure_hop(const cn_http_transaction *t, int rv) {
  if (!t->plan.routed)
    return CN_HOP_UNSET;
  if (rv == CN_ERR_UNEXPECTED_PROXY_AUTH)
    return CN_HOP_ORIGIN;
  return request_hop(t);
}

// --- states ---

static int do_resolve_proxy(cn_http_transaction *t) {
  t->state = STATE_RESOLVE_PROXY_DONE;
  if (!t->proxy_service) {
    cn_proxy_info_use_direct(&t->proxy_info);
    return CN_OK;
  }
  return cn_proxy_service_resolve(t->proxy_service, t->request->url, t->source,
                                  &t->proxy_info, on_io, t, &t->proxy_req);
}

static int do_resolve_proxy_done(cn_http_transaction *t, int rv) {
  t->proxy_req = NULL;
  if (rv == CN_OK)
    t->state = STATE_INIT_CONNECTION;
  return rv;
}

// The connection is there: what connecting needed (the connect params of
// every layer, a few hundred bytes) is not kept for the request's life —
// a resend plans again (do_init_connection).
static void drop_connect_params(cn_http_transaction *t) {
  cn_socket_params_unref(t->plan.params);
  t->plan.params = NULL;
}

static int do_init_connection(cn_http_transaction *t) {
  t->state = STATE_INIT_CONNECTION_DONE;
  // One timeout for the whole setup, across proxy fallback and waits for a
  // racing session (a resend after a failed exchange starts a new one).
  if (t->phase != PHASE_CONNECT)
    enter_phase(t, PHASE_CONNECT, t->timeouts->connect_ms);
  cn_http_connection_plan_free(&t->plan);
  const cn_proxy_chain *chain = cn_proxy_info_chain(&t->proxy_info);
  int rv = cn_http_network_session_plan_route(t->session, t->request->url, chain, &t->plan);
  if (rv != CN_OK)
    return rv;
  // A live session for the request's key first, before any socket
  // (behaviour 5): "jump to step 9" to a proxy session (F4), "jump to step
  // 19" to an origin session through the chain (F3/F6). Else, racing to a
  // server that speaks (or may speak) SPDY/HTTP2, one request connects and
  // the others wait for its session and look again.
  if (t->plan.spdy_key) {
    rv = cn_spdy_session_request_start(session_request(t),
                                       cn_http_network_session_spdy_pool(t->session),
                                       t->plan.spdy_key, t->plan.spdy_offered, on_io, t,
                                       &t->spdy_session);
    if (rv == CN_ERR_IO_PENDING) {
      t->state = STATE_INIT_CONNECTION;
      return rv;
    }
    t->spdy_reused = t->spdy_session != NULL;
    if (t->spdy_session) {
      drop_session_request(t);  // an open stream keeps no race state
      return CN_OK;
    }
  }
  // No live session: only now the connect params of every layer.
  rv = cn_http_network_session_plan_connection(t->session, t->request->url, chain, &t->plan);
  if (rv != CN_OK)
    return rv;
  return cn_client_socket_pool_request(t->plan.pool, t->plan.group_id, t->plan.chain_key,
                                       t->plan.params, t->priority, t->source, socket_handle(t),
                                       on_io, t);
}

// The TLS socket negotiated SPDY/3.1 or HTTP/2: it becomes the session for
// the plan's key (or, if a racing connection made one first, it is closed
// and that session is used).
static int adopt_session(cn_http_transaction *t) {
  cn_stream_socket *ps = cn_pooled_socket_new(params(t)->netlog);
  cn_client_socket_handle_move(cn_pooled_socket_handle(ps), t->handle);
  return cn_spdy_session_request_adopt(session_request(t), ps, &t->spdy_session, NULL);
}

static int do_init_connection_done(cn_http_transaction *t, int rv) {
  // A creator's connection failed: the requests waiting for its session
  // look for themselves.
  if (rv != CN_OK && t->session_request)
    cn_spdy_session_request_connected_without_session(t->session_request, false);
  // The proxy refused SPDY/HTTP2 for a tunnel: it is remembered (the tunnel
  // job noted it); connect again, offering HTTP/1.1.
  if (rv == CN_ERR_PROXY_HTTP_1_1_REQUIRED && t->retries < CN_HTTP_MAX_RETRIES) {
    t->retries++;
    t->state = STATE_INIT_CONNECTION;
    return CN_OK;
  }
  if (rv == CN_OK) {
    if (!t->spdy_session && t->plan.spdy_key && t->handle && t->handle->socket) {
      cn_next_proto proto = cn_stream_socket_negotiated_protocol(t->handle->socket);
      if (proto == CN_PROTO_SPDY31 || proto == CN_PROTO_HTTP2)
        rv = adopt_session(t);
      else
        // Offered and declined: racing requests stop waiting for sessions.
        cn_spdy_session_request_connected_without_session(session_request(t),
                                                          t->plan.spdy_offered);
    }
    // Session or not (HTTP/1.1 negotiated), waiters look again now.
    if (t->session_request)
      cn_spdy_session_request_connected_without_session(t->session_request, false);
    drop_connect_params(t);
    if (rv < 0)
      return note_failure(t, rv, request_hop(t));
    t->state = STATE_SEND_REQUEST;
    return CN_OK;
  }
  // A failure of the connection: the pool's request names the hop (the
  // first layer that failed, connect_job.h).
  int hop = t->handle && t->handle->error_hop != CN_HOP_UNSET ? t->handle->error_hop
                                                                : request_hop(t);
  note_failure(t, rv, hop);
  if (rv == CN_ERR_PROXY_AUTH_REQUESTED)
    take_tunnel_challenge(t);
  // Proxy fallback: the next chain of the list when a proxy failed with an
  // error of the list (proxy_fallback.h). A failure of the origin — its TLS
  // inside a tunnel, or over SOCKS — is no reason to change proxy, and
  // neither DIRECT nor another proxy is an answer to it (Chromium: no
  // fallback once the origin's TLS started).
  if (!cn_proxy_info_is_direct(&t->proxy_info) && cn_proxy_hop_failure_allows_fallback(rv, hop)) {
    int next = cn_proxy_info_fallback(&t->proxy_info, rv);
    if (next == CN_OK) {
      t->state = STATE_INIT_CONNECTION;
      return CN_OK;
    }
    return next;
  }
  return rv;
}

// --- timeouts ---

static void on_phase_timeout(void *arg);

// The current phase's timeout, as enter_phase got it (each phase has its one
// field of |timeouts|, set before start): derived, not kept per transaction.
static uint64_t phase_timeout_ms(const cn_http_transaction *t) {
  switch (t->phase) {
    case PHASE_CONNECT:
      return t->timeouts->connect_ms;
    case PHASE_STREAM_WAIT:
      return t->timeouts->stream_wait_ms;
    case PHASE_SEND:
    case PHASE_BODY:
      return t->timeouts->body_idle_ms;
    case PHASE_HEADERS:
      return t->timeouts->response_headers_ms;
    case PHASE_NONE:
      break;
  }
  return 0;
}

// Enters |phase|: its timer (re)starts with |ms|; 0 runs none.
static void enter_phase(cn_http_transaction *t, txn_phase phase, uint64_t ms) {
  t->phase = phase;
  if (!ms) {
    cn_deadline_cancel(cn_http_network_session_deadlines(t->session), &t->phase_deadline);
    return;
  }
  cn_deadline_set(cn_http_network_session_deadlines(t->session), &t->phase_deadline, ms,
                  on_phase_timeout, t);
}

static void leave_phase(cn_http_transaction *t) {
  t->phase = PHASE_NONE;
  cn_deadline_cancel(cn_http_network_session_deadlines(t->session), &t->phase_deadline);
}

// Ends the request with |error| because |phase| took longer than |ms|:
// everything pending is cancelled (the stream, the pool request, the wait
// for a session, the proxy resolution), the connection is closed, and the
// pending callback — if any — gets the error; later reads return it too.
static void time_out(cn_http_transaction *t, const char *phase, uint64_t ms, int error) {
  char server[300] = "";
  if (t->plan.request_proxy) {
    cn_proxy_server_to_string(t->plan.request_proxy, server, sizeof(server));
  } else if (t->request) {
    char *url = cn_url_to_string(t->request->url);
    snprintf(server, sizeof(server), "%s", url);
    free(url);
  }
  cn_netlog_event(params(t)->netlog, t->source, CN_NETLOG_REQUEST_TIMED_OUT,
                  CN_NL_STR("phase", phase), CN_NL_INT("timeout_ms", (int64_t)ms),
                  CN_NL_STR("server", server),
                  CN_NL_STR("proxy_chain", t->plan.chain_key ? t->plan.chain_key : "direct"),
                  CN_NL_ERROR(error));
  t->timed_out = error;
  // The hop waited on is the failure's: while connecting, the layer the
  // connection is stuck in (a proxy's TLS or CONNECT, or the origin's TLS
  // through the tunnel); else the request's (its proxy, or the origin).
  if (t->error != error) {
    int hop = t->handle ? cn_client_socket_handle_waiting_hop(t->handle) : CN_HOP_UNSET;
    note_failure(t, error, hop != CN_HOP_UNSET ? hop : failure_hop(t, error));
  }
  leave_phase(t);
  cn_deadline_cancel(cn_http_network_session_deadlines(t->session), &t->total_deadline);
  if (t->proxy_req) {
    cn_proxy_service_cancel(t->proxy_service, t->proxy_req);
    t->proxy_req = NULL;
  }
  drop_session_request(t);
  release_connection(t, false);
  t->state = STATE_NONE;
  cn_iobuf_unref(t->read_buf);
  t->read_buf = NULL;
  if (t->cb) {
    cn_completion_cb cb = t->cb;
    t->cb = NULL;
    cb(t->cb_arg, error);
  }
}

static void on_phase_timeout(void *arg) {
  cn_http_transaction *t = arg;
  if (t->phase == PHASE_STREAM_WAIT || t->phase == PHASE_SEND) {
    bool waiting;
    uint64_t sent;
    cn_http_stream_send_progress(t->stream, &waiting, &sent);
    if (t->phase == PHASE_STREAM_WAIT && !waiting) {
      // The slot came and the request is going out: from now on only a
      // stall of the send counts.
      t->send_mark = sent;
      enter_phase(t, PHASE_SEND, t->timeouts->body_idle_ms);
      return;
    }
    if (t->phase == PHASE_SEND && sent != t->send_mark) {
      t->send_mark = sent;  // progress since the timer was armed
      enter_phase(t, PHASE_SEND, t->timeouts->body_idle_ms);
      return;
    }
  }
  int error = t->phase == PHASE_CONNECT ? CN_ERR_CONNECTION_TIMED_OUT : CN_ERR_TIMED_OUT;
  time_out(t, kPhaseNames[t->phase], phase_timeout_ms(t), error);
}

static void on_total_timeout(void *arg) {
  cn_http_transaction *t = arg;
  time_out(t, "total", t->timeouts->total_ms, CN_ERR_TIMED_OUT);
}

void cn_http_transaction_set_timeouts(cn_http_transaction *t, const cn_http_timeouts *timeouts) {
  t->timeouts = timeouts;
}

// --- authentication ---

void cn_http_transaction_set_auth(cn_http_transaction *t, const cn_http_auth_params *p) {
  free_auth_params(t);
  if (!p->user && !p->password && !p->schemes && !p->proxy_schemes && !p->ask)
    return;  // the default: nothing to keep (one allocation less per request)
  cn_http_auth_params *c = CN_NEW(cn_http_auth_params);
  *c = *p;
  c->user = p->user ? cn_xstrdup(p->user) : NULL;
  c->password = p->password ? cn_xstrdup(p->password) : NULL;
  t->auth_params = c;
}

// The origin's controller (NULL when the request carries its own
// Authorization), made on first use.
static cn_http_auth_controller *origin_auth(cn_http_transaction *t) {
  if (t->origin_auth_off)
    return NULL;
  if (!auth_ready(t, CN_HTTP_AUTH_ORIGIN)) {
    if (t->request->extra_headers &&
        cn_http_headers_get(t->request->extra_headers, "Authorization")) {
      t->origin_auth_off = true;
      return NULL;
    }
    const cn_url *url = t->request->url;
    char *host = cn_url_host_bracketed(url);
    char *server = cn_xasprintf("%s://%s:%u", url->scheme, host, (unsigned)url->port);
    free(host);
    const char *user = auth_params(t)->user;
    const char *password = auth_params(t)->password;
    if (!user && url->username && *url->username) {
      user = url->username;
      password = url->password;
    }
    txn_auth *a = auth_state(t);
    cn_http_auth_controller_init(&a->controllers[CN_HTTP_AUTH_ORIGIN], CN_HTTP_AUTH_ORIGIN, server,
                                 cn_http_network_session_auth_cache(t->session),
                                 auth_params(t)->schemes, user, password, params(t)->netlog,
                                 t->source);
    free(server);
    a->ready[CN_HTTP_AUTH_ORIGIN] = true;
  }
  return &t->auth->controllers[CN_HTTP_AUTH_ORIGIN];
}

// The controller of the proxy the request is sent to (absolute form), or
// NULL: made again when fallback moved the request to another proxy.
static cn_http_auth_controller *proxy_auth(cn_http_transaction *t) {
  const cn_proxy_server *proxy = t->plan.request_proxy;
  if (!proxy)
    return NULL;
  char ps[CN_PROXY_SERVER_STR_SIZE];
  cn_proxy_server_to_string(proxy, ps, sizeof(ps));
  txn_auth *a = auth_state(t);
  cn_http_auth_controller *c = &a->controllers[CN_HTTP_AUTH_PROXY];
  if (a->ready[CN_HTTP_AUTH_PROXY] && strcmp(c->server, ps) == 0)
    return c;
  if (a->ready[CN_HTTP_AUTH_PROXY])
    cn_http_auth_controller_free(c);
  bool creds = cn_proxy_server_has_credentials(proxy);
  cn_http_auth_controller_init(c, CN_HTTP_AUTH_PROXY, ps,
                               cn_http_network_session_auth_cache(t->session),
                               auth_params(t)->proxy_schemes, creds ? proxy->username : NULL,
                               creds ? proxy->password : NULL, params(t)->netlog, t->source);
  a->ready[CN_HTTP_AUTH_PROXY] = true;
  return c;
}

// Authorization for the origin and Proxy-Authorization for the proxy the
// request goes to — each only to its own target: proxy credentials never
// go into a tunnel (the tunnel job sends them in its CONNECT), origin
// credentials never to a proxy. With credentials to send, |*out| gets the
// request's fields and them (the caller frees it) and true is returned;
// else false, and the request's own fields go as they are (no copy).
static bool auth_fields(cn_http_transaction *t, cn_http_headers *out) {
  // With nothing in the auth cache and no challenge answered yet, the
  // origin's controller would send nothing: it is not made (a 401 makes it).
  cn_http_auth_controller *origin =
      auth_ready(t, CN_HTTP_AUTH_ORIGIN) ||
              cn_http_auth_cache_has_entries(cn_http_network_session_auth_cache(t->session))
          ? origin_auth(t)
          : NULL;
  cn_http_auth_controller *proxy = proxy_auth(t);
  if (!origin && !proxy)
    return false;
  cn_http_headers_init(out);
  if (t->request->extra_headers)
    cn_http_headers_copy(out, t->request->extra_headers);
  char *target = t->plan.absolute_form ? cn_url_absolute_form(t->request->url)
                                       : cn_url_request_target(t->request->url);
  const char *path = t->request->url->path;
  cn_http_auth_controller *c = origin;
  char *v = c ? cn_http_auth_controller_credentials(c, t->request->method, target, path) : NULL;
  if (v)
    cn_http_headers_set(out, "Authorization", v);
  free(v);
  c = proxy;
  v = c ? cn_http_auth_controller_credentials(c, t->request->method, target, path) : NULL;
  if (v)
    cn_http_headers_set(out, "Proxy-Authorization", v);
  free(v);
  free(target);
  return true;
}

static void set_challenge(cn_http_transaction *t, cn_http_auth_target target, bool tunnel,
                          const char *server, const cn_http_auth_handler *h) {
  t->auth_pending = true;
  cn_http_auth_challenge_info *ci = &auth_state(t)->challenge;
  ci->target = target;
  ci->tunnel = tunnel;
  // The proxy's string is scheme://host:port; the application gets
  // host:port as for an origin.
  const char *sep = strstr(server, "://");
  snprintf(ci->server, sizeof(ci->server), "%s", sep ? sep + 3 : server);
  ci->scheme = h->ops->scheme;
  ci->realm = h->realm;
}

// A 401 or a 407 (|target|) as the response head |head|: CN_OK with
// t->state set to resend with credentials, AUTH_DELIVER to hand out the
// response as it is (maybe with the challenge pending), or an error.
#define AUTH_DELIVER 1
static int on_auth_challenge(cn_http_transaction *t, cn_http_auth_target target,
                             const cn_http_response_head *head) {
  cn_http_auth_controller *c = target == CN_HTTP_AUTH_PROXY ? proxy_auth(t) : origin_auth(t);
  if (!c)
    return AUTH_DELIVER;  // the request's own Authorization: its 401 is the answer
  bool proxy = target == CN_HTTP_AUTH_PROXY;
  int r = cn_http_auth_controller_on_challenge(c, &head->headers);
  if (r == CN_HTTP_AUTH_NO_HANDLER)
    return proxy ? CN_ERR_PROXY_AUTH_UNSUPPORTED : AUTH_DELIVER;
  if (r == CN_HTTP_AUTH_NEED_IDENTITY) {
    if (!auth_params(t)->ask)
      return proxy ? CN_ERR_PROXY_AUTH_REQUESTED : AUTH_DELIVER;
    set_challenge(t, target, false, c->server, c->handler);
    return AUTH_DELIVER;
  }
  // The request goes again, body included: it must be replayable.
  if (!rewind_upload(t))
    return proxy ? CN_ERR_PROXY_AUTH_REQUESTED : AUTH_DELIVER;
  // Drain the challenge's body so the connection can carry the retry.
  t->state = STATE_DRAIN_BODY;
  return CN_OK;
}

// The target took the request: its controller remembers the identity.
static void auth_succeeded(cn_http_transaction *t, int status) {
  if (auth_ready(t, CN_HTTP_AUTH_PROXY) && status != 407)
    cn_http_auth_controller_on_success(&t->auth->controllers[CN_HTTP_AUTH_PROXY], NULL);
  if (auth_ready(t, CN_HTTP_AUTH_ORIGIN) && status != 401)
    cn_http_auth_controller_on_success(&t->auth->controllers[CN_HTTP_AUTH_ORIGIN],
                                       t->request->url->path);
}

// A CONNECT failed with CN_ERR_PROXY_AUTH_REQUESTED: the tunnel job left
// its challenge in the session's cache for the caller to answer.
static void take_tunnel_challenge(cn_http_transaction *t) {
  if (!auth_params(t)->ask || !t->error_proxy)
    return;
  cn_http_auth_handler *h =
      cn_http_auth_cache_take_pending(cn_http_network_session_auth_cache(t->session),
                                      t->error_proxy);
  if (!h)
    return;
  txn_auth *a = auth_state(t);
  cn_http_auth_handler_free(a->tunnel_handler);
  a->tunnel_handler = h;
  free(a->tunnel_proxy);
  a->tunnel_proxy = cn_xstrdup(t->error_proxy);
  set_challenge(t, CN_HTTP_AUTH_PROXY, true, a->tunnel_proxy, h);
}

const cn_http_auth_challenge_info *cn_http_transaction_auth_challenge(const cn_http_transaction *t) {
  return t->auth_pending ? &t->auth->challenge : NULL;
}

void cn_http_transaction_decline_auth(cn_http_transaction *t) { t->auth_pending = false; }

int cn_http_transaction_restart_with_auth(cn_http_transaction *t, const char *user,
                                          const char *password, cn_completion_cb cb, void *arg) {
  if (!t->auth_pending || t->cb)
    return CN_ERR_UNEXPECTED;
  t->auth_pending = false;
  if (t->timed_out)
    return t->timed_out;  // the total timeout ran out while the caller decided
  txn_auth *a = t->auth;  // a challenge is pending: it exists
  if (a->challenge.tunnel) {
    // The identity goes into the cache for the proxy's realm; the next
    // CONNECT to it sends it (http_proxy_connect_job.c).
    cn_http_auth_cache_add(cn_http_network_session_auth_cache(t->session), CN_HTTP_AUTH_PROXY,
                           a->tunnel_proxy, a->tunnel_handler, user, password, NULL);
    t->error = 0;
    t->error_hop = CN_HOP_UNSET;
    t->state = STATE_INIT_CONNECTION;
  } else {
    cn_http_auth_controller_set_identity(&a->controllers[a->challenge.target], user, password);
    if (t->has_response) {
      free(t->response.reason);
      cn_http_headers_free(&t->response.headers);
      memset(&t->response, 0, sizeof(t->response));
      t->has_response = false;
    }
    if (!t->stream || !rewind_upload(t))
      return CN_ERR_UNEXPECTED;
    t->state = STATE_DRAIN_BODY;
  }
  return run_for_caller(t, cb, arg);
}

// Now, as microseconds after the exchange's send started, plus one
// (saturated: a step past 71 minutes reads as 71 minutes).
static uint32_t time_since_send_start(const cn_http_transaction *t) {
  uint64_t now = cn_socket_timing_now();
  uint64_t off = now > t->send_start_us ? now - t->send_start_us : 0;
  return off >= UINT32_MAX - 1 ? UINT32_MAX : (uint32_t)off + 1;
}

static int do_send_request(cn_http_transaction *t) {
  t->state = STATE_SEND_REQUEST_DONE;
  t->send_start_us = cn_socket_timing_now();
  t->send_end_at = t->headers_start_at = t->headers_end_at = 0;
  // The request as sent (form, user agent, credentials): the stream reads
  // it during the call only (http_stream.h), so it is not kept per open
  // stream.
  cn_http_request_info sent_info = *t->request;
  sent_info.user_agent = t->request->user_agent ? t->request->user_agent : params(t)->user_agent;
  sent_info.use_absolute_form = t->plan.absolute_form;
  cn_http_headers with_auth;
  bool has_auth = auth_fields(t, &with_auth);
  if (has_auth)
    sent_info.extra_headers = &with_auth;
  leave_phase(t);
  if (t->spdy_session) {
    t->spdy_protocol = cn_spdy_session_protocol(t->spdy_session);
    t->stream = cn_spdy_http_stream_as_stream(
        cn_spdy_http_stream_new(t->spdy_session, t->priority, t->source));
    t->spdy_session = NULL;
  } else {
    t->spdy_protocol = CN_PROTO_UNKNOWN;
    t->stream = cn_http_basic_stream_as_stream(
        cn_http_basic_stream_new(t->handle->socket, params(t)->netlog, t->source, NULL));
  }
  int rv = cn_http_stream_send_request(t->stream, &sent_info, on_io, t);
  if (has_auth)
    cn_http_headers_free(&with_auth);
  if (rv == CN_ERR_IO_PENDING) {
    bool waiting;
    cn_http_stream_send_progress(t->stream, &waiting, &t->send_mark);
    if (waiting)
      enter_phase(t, PHASE_STREAM_WAIT, t->timeouts->stream_wait_ms);
    else
      enter_phase(t, PHASE_SEND, t->timeouts->body_idle_ms);
  }
  return rv;
}

// Starts the request body over for sending it again; false if it cannot be
// replayed (then the request cannot be resent).
static bool rewind_upload(const cn_http_transaction *t) {
  return !t->request->upload || cn_http_upload_rewind(t->request->upload) == CN_OK;
}

// True if what carried the request was found idle (a pooled connection)
// or live (a session) rather than made for it.
static bool connection_reused(const cn_http_transaction *t) {
  return t->spdy_protocol != CN_PROTO_UNKNOWN ? t->spdy_reused
                                               : handle_reuse_type(t) == CN_SOCKET_REUSED_IDLE;
}

// True if a failure may be retried on another connection or session: the
// stream says which failures those are for its kind (http_stream.h), at
// most CN_HTTP_MAX_RETRIES times, with a replayable body.
static bool should_resend(const cn_http_transaction *t, int rv) {
  return t->stream && t->retries < CN_HTTP_MAX_RETRIES &&
         cn_http_stream_may_resend(t->stream, rv, connection_reused(t)) && rewind_upload(t);
}

static int resend(cn_http_transaction *t, int rv) {
  t->retries++;
  // Resends racing to a new session coordinate again.
  drop_session_request(t);
  // HTTP_1_1_REQUIRED from the server the stream went to (the proxy for
  // http:// through it, else the origin): later connections to it offer
  // HTTP/1.1 only (behaviour 6).
  if (rv == CN_ERR_HTTP_1_1_REQUIRED) {
    cn_host_port server;
    if (t->plan.request_proxy)
      server = t->plan.request_proxy->host_port;
    else
      cn_url_host_port(t->request->url, &server);
    cn_http_network_session_note_http11_required(t->session, &server);
  }
  release_connection(t, false);
  t->state = STATE_INIT_CONNECTION;
  return CN_OK;
}

static int do_send_request_done(cn_http_transaction *t, int rv) {
  if (rv < 0)
    return should_resend(t, rv) ? resend(t, rv) : rv;
  t->send_end_at = time_since_send_start(t);
  t->state = STATE_READ_HEADERS;
  return CN_OK;
}

static int do_read_headers(cn_http_transaction *t) {
  t->state = STATE_READ_HEADERS_DONE;
  t->headers_start_at = time_since_send_start(t);
  enter_phase(t, PHASE_HEADERS, t->timeouts->response_headers_ms);
  return cn_http_stream_read_response_headers(t->stream, on_io, t);
}

static int do_read_headers_done(cn_http_transaction *t, int rv) {
  if (rv < 0)
    return should_resend(t, rv) ? resend(t, rv) : rv;
  t->headers_end_at = time_since_send_start(t);
  const cn_http_response_head *head = cn_http_stream_response_head(t->stream);
  // A 408 on a reused connection: the server timed the idle connection out
  // just as we used it (Chromium resends these too).
  if (head->status == 408 && handle_reuse_type(t) == CN_SOCKET_REUSED_IDLE &&
      t->retries < CN_HTTP_MAX_RETRIES && rewind_upload(t))
    return resend(t, rv);
  if (head->status == 407 && !t->plan.request_proxy)
    return CN_ERR_UNEXPECTED_PROXY_AUTH;  // an origin asking for proxy auth
  if (head->status == 401 || head->status == 407) {
    int rv2 = on_auth_challenge(t, head->status == 407 ? CN_HTTP_AUTH_PROXY : CN_HTTP_AUTH_ORIGIN,
                                head);
    if (rv2 != AUTH_DELIVER)
      return rv2;
  }
  auth_succeeded(t, head->status);
  if (t->proxy_service)
    cn_proxy_service_report_success(t->proxy_service, &t->proxy_info);
  // Taken, not copied: an open stream's head is held once.
  cn_http_stream_take_response_head(t->stream, &t->response);
  t->has_response = true;
  t->state = STATE_NONE;
  return CN_OK;
}

static int do_drain_body(cn_http_transaction *t) {
  t->state = STATE_DRAIN_BODY_DONE;
  enter_phase(t, PHASE_BODY, t->timeouts->body_idle_ms);
  if (!t->read_buf)  // no caller's read is pending while the loop runs
    t->read_buf = cn_iobuf_new(16 * 1024);
  return stream_read_body(t, t->read_buf, t->read_buf->size, on_io);
}

static int do_drain_body_done(cn_http_transaction *t, int rv) {
  if (rv > 0) {
    t->state = STATE_DRAIN_BODY;
    return CN_OK;
  }
  // Body over (or broken): resend with credentials, on this connection if
  // it stayed reusable (the pool hands it straight back), else a new one.
  cn_iobuf_unref(t->read_buf);
  t->read_buf = NULL;
  release_connection(t, rv == 0);
  t->state = STATE_INIT_CONNECTION;
  return CN_OK;
}

static int do_loop(cn_http_transaction *t, int rv) {
  do {
    txn_state state = t->state;
    t->state = STATE_NONE;
    switch (state) {
      case STATE_RESOLVE_PROXY:
        rv = do_resolve_proxy(t);
        break;
      case STATE_RESOLVE_PROXY_DONE:
        rv = do_resolve_proxy_done(t, rv);
        break;
      case STATE_INIT_CONNECTION:
        rv = do_init_connection(t);
        break;
      case STATE_INIT_CONNECTION_DONE:
        rv = do_init_connection_done(t, rv);
        break;
      case STATE_SEND_REQUEST:
        rv = do_send_request(t);
        break;
      case STATE_SEND_REQUEST_DONE:
        rv = do_send_request_done(t, rv);
        break;
      case STATE_READ_HEADERS:
        rv = do_read_headers(t);
        break;
      case STATE_READ_HEADERS_DONE:
        rv = do_read_headers_done(t, rv);
        break;
      case STATE_DRAIN_BODY:
        rv = do_drain_body(t);
        break;
      case STATE_DRAIN_BODY_DONE:
        rv = do_drain_body_done(t, rv);
        break;
      case STATE_NONE:
        return rv;
    }
  } while (rv != CN_ERR_IO_PENDING && t->state != STATE_NONE);
  if (rv != CN_ERR_IO_PENDING)
    leave_phase(t);
  if (rv < 0 && rv != CN_ERR_IO_PENDING) {
    cn_deadline_cancel(cn_http_network_session_deadlines(t->session), &t->total_deadline);
    // Failures of the exchange are the hop the request went to, unless a
    // layer below named another (the connection's, recorded already).
    if (t->error != rv)
      note_failure(t, rv, failure_hop(t, rv));
    release_connection(t, false);
  }
  return rv;
}

// Runs the loop from t->state for a public call: |cb| gets a pending
// result.
static int run_for_caller(cn_http_transaction *t, cn_completion_cb cb, void *arg) {
  int rv = do_loop(t, CN_OK);
  if (rv == CN_ERR_IO_PENDING) {
    t->cb = cb;
    t->cb_arg = arg;
  }
  return rv;
}

// REQUEST_ALIVE's BEGIN parameters, built only for observers beyond the
// context's own (counters and load timing capture TYPES). The URL is the
// request's identity (fetch ties requests to transfers by it), so even
// CN_NETLOG_CAPTURE_EVENTS gets it: the one string formatted per request.
static void build_request_alive_params(const void *ctx, cn_netlog_capture_mode mode,
                                       cn_netlog_params *out) {
  const cn_http_request_info *info = ctx;
  (void)mode;
  cn_netlog_params_add(out, CN_NL_STR("method", info->method));
  cn_netlog_params_add_owned_str(out, "url", cn_url_to_string(info->url));
}

int cn_http_transaction_start(cn_http_transaction *t, const cn_http_request_info *info,
                              cn_completion_cb cb, void *arg) {
  t->request = info;
  cn_netlog_add_entry_lazy(params(t)->netlog, t->source, CN_NETLOG_REQUEST_ALIVE,
                           CN_NETLOG_PHASE_BEGIN, build_request_alive_params, info);
  t->logged_begin = true;
  if (t->timeouts->total_ms)
    cn_deadline_set(cn_http_network_session_deadlines(t->session), &t->total_deadline,
                    t->timeouts->total_ms, on_total_timeout, t);
  t->state = STATE_RESOLVE_PROXY;
  return run_for_caller(t, cb, arg);
}

const cn_http_response_head *cn_http_transaction_response(const cn_http_transaction *t) {
  return t->has_response ? &t->response : NULL;
}

// Body reads complete here: at the end the connection is released.
static int body_result(cn_http_transaction *t, int rv) {
  if (rv <= 0)
    cn_deadline_cancel(cn_http_network_session_deadlines(t->session), &t->total_deadline);
  if (rv == 0) {
    t->body_done = true;
    release_connection(t, true);
  } else if (rv < 0) {
    note_failure(t, rv, failure_hop(t, rv));
    release_connection(t, false);
  }
  return rv;
}

static void on_body(void *arg, int rv) {
  cn_http_transaction *t = arg;
  leave_phase(t);
  cn_iobuf_unref(t->read_buf);
  t->read_buf = NULL;
  rv = body_result(t, rv);
  cn_completion_cb cb = t->cb;
  t->cb = NULL;
  cb(t->cb_arg, rv);
}

int cn_http_transaction_read(cn_http_transaction *t, cn_iobuf *buf, size_t len,
                             cn_completion_cb cb, void *arg) {
  if (t->body_done)
    return 0;
  if (t->timed_out)
    return t->timed_out;
  if (!t->stream)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  int rv = stream_read_body(t, buf, len, on_body);
  if (rv == CN_ERR_IO_PENDING) {
    enter_phase(t, PHASE_BODY, t->timeouts->body_idle_ms);
    t->read_buf = cn_iobuf_ref(buf);
    t->cb = cb;
    t->cb_arg = arg;
    return rv;
  }
  return body_result(t, rv);
}

// The chain the request is on, or NULL when no chain is left (every proxy
// of the list failed: cn_proxy_info_chain is NULL then, and the request's
// info must still be answerable).
static const cn_proxy_chain *current_chain(const cn_http_transaction *t) {
  return cn_proxy_info_chain(&t->proxy_info);
}

// Fills the per-hop and origin layers of |out| by walking the stack under
// the request top down (cn_stream_socket_query: nothing here knows socket
// types). The stack is regular whatever the chain:
//   [origin TLS] tunnel(hop n-1) [TLS hop n-1] tunnel(hop n-2) ... [TLS hop 0] TCP
// with pooled sockets between layers. Each tunnel is the one through the
// hop before the current target (the origin, or the hop last reached).
// "Reused" follows the layers down: a layer found idle (a pooled socket
// handed out idle, a CONNECT stream on a live session) reuses all below it.
static void describe_layers(const cn_http_transaction *t, bool top_reused,
                            cn_http_transaction_info *out) {
  const cn_proxy_chain *chain = current_chain(t);
  size_t hops = chain ? chain->count : 0;
  if (hops > CN_HTTP_MAX_HOPS)
    hops = CN_HTTP_MAX_HOPS;
  out->num_hops = hops;
  for (size_t k = 0; k < hops; k++) {
    out->hops[k].proxy = &chain->servers[k];
    out->hops[k].protocol = CN_PROTO_HTTP11;
  }
  const cn_stream_socket *top = cn_http_stream_connection(t->stream);
  bool https_origin = strcmp(t->request->url->scheme, "https") == 0;
  // The target the current layers lead to: hops (the origin) or a hop.
  size_t target = hops;
  if (hops && t->plan.absolute_form) {
    target = hops - 1;  // the request itself went to the last proxy
    out->hops[target].protocol = out->protocol;
  }
  bool reused = top_reused;
  bool target_reached = false;  // the target's own layer was seen
  int depth = 0;
  for (const cn_stream_socket *s = top; s && depth < 64; s = cn_stream_socket_lower(s), depth++) {
    switch (cn_stream_socket_layer(s)) {
      case CN_SOCKET_LAYER_TLS:
        if (target == hops && https_origin) {
          out->origin_tls = s;
        } else if (target < hops && !target_reached) {
          out->hops[target].tls = s;
          out->hops[target].reused = reused;
        }
        target_reached = true;
        break;
      case CN_SOCKET_LAYER_HTTP_TUNNEL:
      case CN_SOCKET_LAYER_SPDY_TUNNEL:
      case CN_SOCKET_LAYER_SOCKS_TUNNEL: {
        if (target == 0)
          break;  // not ours (cannot happen in a planned stack)
        if (target < hops && !target_reached)
          out->hops[target].reused = reused;  // an HTTP hop: no TLS of its own
        size_t via = target - 1;
        out->hops[via].tunnel = true;
        out->hops[via].tunnel_reused = reused;
        if (cn_stream_socket_layer(s) == CN_SOCKET_LAYER_SPDY_TUNNEL) {
          struct cn_spdy_session *session = NULL;
          cn_stream_socket_query(s, CN_SOCKET_QUERY_TUNNEL_SESSION, &session);
          if (session)
            out->hops[via].protocol = cn_spdy_session_protocol(session);
        }
        reused = reused || cn_stream_socket_lower_reused(s);
        target = via;
        target_reached = false;
        break;
      }
      case CN_SOCKET_LAYER_TCP:
        if (target < hops && !target_reached)
          out->hops[target].reused = reused;
        target_reached = true;
        break;
      default:
        reused = reused || cn_stream_socket_lower_reused(s);
        break;
    }
  }
  // The last hop is what the request went to or through (the fields older
  // callers read).
  if (hops) {
    const cn_http_hop_info *last = &out->hops[hops - 1];
    out->proxy_tls = last->tls;
    out->proxy_reused = last->reused;
    out->proxy_protocol =
        cn_proxy_server_is_https(last->proxy) ? last->protocol : CN_PROTO_UNKNOWN;
    out->tunnelled = last->tunnel;
    out->tunnel_reused = last->tunnel_reused;
  }
}

void cn_http_transaction_get_info(const cn_http_transaction *t, cn_http_transaction_info *out) {
  memset(out, 0, sizeof(*out));
  // A stream of a session: whether the session was live (the handle is
  // empty, or was moved into the session it made).
  bool over_session = t->spdy_protocol != CN_PROTO_UNKNOWN;
  out->reuse_type = over_session ? (t->spdy_reused ? CN_SOCKET_REUSED_IDLE : CN_SOCKET_UNUSED)
                                 : handle_reuse_type(t);
  out->socket = t->handle ? t->handle->socket : NULL;
  // The route's key (NULL for DIRECT: no string per direct request).
  out->proxy_chain = t->plan.chain_key ? t->plan.chain_key : "direct";
  out->retries = t->retries;
  out->protocol = t->spdy_protocol != CN_PROTO_UNKNOWN ? t->spdy_protocol : CN_PROTO_HTTP11;
  out->proxy_protocol = CN_PROTO_UNKNOWN;
  if (t->request && t->stream)
    describe_layers(t, out->reuse_type == CN_SOCKET_REUSED_IDLE, out);
}

// A step of the exchange, |at| as time_since_send_start made it.
static uint64_t step_time(const cn_http_transaction *t, uint32_t at) {
  return at ? t->send_start_us + at - 1 : 0;
}

void cn_http_transaction_get_times(const cn_http_transaction *t,
                                   cn_http_transaction_times *out) {
  out->send_start_us = t->send_start_us;
  out->send_end_us = step_time(t, t->send_end_at);
  out->headers_start_us = step_time(t, t->headers_start_at);
  out->headers_end_us = step_time(t, t->headers_end_at);
}

cn_netlog_source cn_http_transaction_source(const cn_http_transaction *t) { return t->source; }

int cn_http_transaction_error_hop(const cn_http_transaction *t, const char **proxy) {
  if (proxy)
    *proxy = t->error ? t->error_proxy : NULL;
  return t->error ? t->error_hop : CN_HOP_UNSET;
}
