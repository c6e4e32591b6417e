// One caller's request for a SPDY/HTTP2 session by key: the single object
// every caller that may connect to a server speaking SPDY/HTTP2 uses — a
// transaction (a session to an origin, or to a proxy for http://) and a
// CONNECT job (a session to a proxy for tunnels). It holds the race rules
// of the session pool (spdy_session_pool.h, "Races") so that no caller
// carries its own copy (Chromium's SpdySessionPool::RequestSession):
//
//   1. a live session for the key is used ("jump to step 9/19");
//   2. else, for a server known to multiplex or never tried with SPDY/HTTP2
//      offered, the first caller becomes the creator and connects; the
//      others wait for its session;
//   3. a waiter woken without a session (the creator's connection failed or
//      spoke HTTP/1.1) connects for itself: it waits at most once, so
//      callers behind a dead server fail together, not one connect timeout
//      after another (cn_spdy_session_request_reset starts over);
//   4. the creator's connection either becomes the key's session
//      (cn_spdy_session_request_adopt) or ends the creation
//      (cn_spdy_session_request_connected_without_session).
//
// Ownership: embedded by its caller, zeroed or reset before use; reset or
// destroy it before the caller goes (no callback runs afterwards). The pool
// must outlive it.
#ifndef CNET_NET_SPDY_SPDY_SESSION_REQUEST_H_
#define CNET_NET_SPDY_SPDY_SESSION_REQUEST_H_

#include <stdbool.h>

#include "net/spdy/spdy_session_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_session_request {
  // Private.
  cn_spdy_session_pool *pool;
  char *key;
  bool creator;  // this caller connects for the key
  bool waited;   // waited once already
  cn_spdy_session_waiter waiter;
} cn_spdy_session_request;

// Looks for a session for |key| in |pool|; |offered|: a new connection for
// the key would offer SPDY/HTTP2 in ALPN. Returns
//   CN_OK with |*session| set: a live session to use;
//   CN_OK with |*session| NULL: connect yourself (as the creator, or
//     without coordination), then call adopt() or
//     connected_without_session();
//   CN_ERR_IO_PENDING: a racing caller is connecting; |cb| runs once, from
//     the loop, when its attempt ended — then call start() again.
int cn_spdy_session_request_start(cn_spdy_session_request *r, cn_spdy_session_pool *pool,
                                  const char *key, bool offered, cn_completion_cb cb, void *arg,
                                  cn_spdy_session **session);

// The caller's new connection negotiated SPDY/3.1 or HTTP/2: |socket| (taken
// in every case) becomes the key's session, or joins one a racing caller
// made first (|*reused| true; may be NULL). Waiters are woken. Returns
// CN_OK or the session's creation error.
int cn_spdy_session_request_adopt(cn_spdy_session_request *r, cn_stream_socket *socket,
                                  cn_spdy_session **session, bool *reused);

// The caller's connection failed (|declined| false), or succeeded but
// negotiated HTTP/1.1 although SPDY/HTTP2 was offered (|declined| true: the
// server is noted as not multiplexing). Waiters look for themselves.
void cn_spdy_session_request_connected_without_session(cn_spdy_session_request *r,
                                                       bool declined);

// Ends whatever the request holds (a wait, the creator's mark) without a
// callback, and forgets that it waited: the next start() coordinates
// afresh (a resend).
void cn_spdy_session_request_reset(cn_spdy_session_request *r);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_SESSION_REQUEST_H_
