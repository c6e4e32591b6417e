// One target's authentication for one request (Chromium's
// HttpAuthController): the origin's for a request, a proxy's for a request
// sent to it in absolute form, or a proxy's for a CONNECT.
//
// The controller picks the handler for a 401/407 (the strongest scheme
// allowed), chooses the identity to answer with — first the up-front one
// (a URL's user:pass, the request's or the proxy's credentials) once, then
// the auth cache's for the realm once, then the application's — and writes
// the credentials field of each request. A refused identity is dropped
// (and removed from the cache); a Digest nonce gone stale is answered with
// the same identity and the new nonce, without asking anyone. Once the
// target answers with something else than its challenge, the identity goes
// into the session's auth cache (cn_http_auth_controller_on_success), so
// later requests send it pre-emptively.
//
// Ownership: embedded by its owner; the cache and netlog are borrowed and
// must outlive it. Strings passed in are copied.
#ifndef CNET_NET_HTTP_HTTP_AUTH_CONTROLLER_H_
#define CNET_NET_HTTP_HTTP_AUTH_CONTROLLER_H_

#include <stdbool.h>

#include "net/base/netlog.h"
#include "net/http/http_auth.h"
#include "net/http/http_auth_cache.h"
#include "net/http/http_headers.h"

#ifdef __cplusplus
extern "C" {
#endif

// Where the identity in use came from (NetLog's "identity").
typedef enum cn_http_auth_identity_source {
  CN_HTTP_AUTH_IDENTITY_NONE,
  CN_HTTP_AUTH_IDENTITY_UP_FRONT,
  CN_HTTP_AUTH_IDENTITY_CACHE,
  CN_HTTP_AUTH_IDENTITY_APP,
} cn_http_auth_identity_source;

typedef struct cn_http_auth_controller {
  cn_http_auth_target target;
  char *server;               // the cache key: origin or proxy string
  cn_http_auth_cache *cache;  // NULL: nothing cached
  unsigned allowed;           // CN_HTTP_AUTH_* schemes
  cn_netlog *netlog;
  cn_netlog_source source;
  char *up_front_user;  // NULL: none
  char *up_front_password;
  bool tried_up_front;
  bool tried_cache;
  cn_http_auth_handler *handler;  // the challenge being answered
  char *user;  // the identity in use (NULL: none)
  char *password;
  cn_http_auth_identity_source identity;
  bool sent;  // the last request carried credentials
} cn_http_auth_controller;

// |allowed| 0 means every scheme. |user| may be NULL (no up-front identity).
void cn_http_auth_controller_init(cn_http_auth_controller *c, cn_http_auth_target target,
                                  const char *server, cn_http_auth_cache *cache,
                                  unsigned allowed, const char *user, const char *password,
                                  cn_netlog *netlog, cn_netlog_source source);
void cn_http_auth_controller_free(cn_http_auth_controller *c);

// The credentials field's value for the next request (|method|, |uri| the
// request-target as sent; |path| the URL's path for the cache's
// directories), or NULL to send none: the identity answering the last
// challenge, else the cache's for this server and path (pre-emptive), else
// none. Sets |sent|. Caller frees.
char *cn_http_auth_controller_credentials(cn_http_auth_controller *c, const char *method,
                                          const char *uri, const char *path);

// What a 401/407 means (on_challenge's results besides errors).
#define CN_HTTP_AUTH_RETRY 0        // send again: credentials are ready
#define CN_HTTP_AUTH_NEED_IDENTITY 1  // ask the application (or give up)
#define CN_HTTP_AUTH_NO_HANDLER 2   // no challenge the allowed schemes answer

// A 401/407 with |headers|: picks or keeps the handler and the identity.
int cn_http_auth_controller_on_challenge(cn_http_auth_controller *c,
                                         const cn_http_headers *headers);
// The application's identity for the pending challenge.
void cn_http_auth_controller_set_identity(cn_http_auth_controller *c, const char *user,
                                          const char *password);
// The target took the last request: remember the identity (with |path|'s
// directory for an origin). Does nothing when no credentials were sent.
void cn_http_auth_controller_on_success(cn_http_auth_controller *c, const char *path);
// The handler of the pending challenge (its scheme and realm), or NULL.
static inline const cn_http_auth_handler *cn_http_auth_controller_handler(
    const cn_http_auth_controller *c) {
  return c->handler;
}

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_AUTH_CONTROLLER_H_
