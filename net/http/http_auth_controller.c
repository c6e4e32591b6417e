#include "net/http/http_auth_controller.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/bytebuf.h"
#include "base/mem.h"

static const char *const kTargetNames[] = {[CN_HTTP_AUTH_ORIGIN] = "origin",
                                           [CN_HTTP_AUTH_PROXY] = "proxy"};
static const char *const kIdentityNames[] = {
    [CN_HTTP_AUTH_IDENTITY_NONE] = "none",
    [CN_HTTP_AUTH_IDENTITY_UP_FRONT] = "up_front",
    [CN_HTTP_AUTH_IDENTITY_CACHE] = "cache",
    [CN_HTTP_AUTH_IDENTITY_APP] = "application",
};

void cn_http_auth_controller_init(cn_http_auth_controller *c, cn_http_auth_target target,
                                  const char *server, cn_http_auth_cache *cache,
                                  unsigned allowed, const char *user, const char *password,
                                  cn_netlog *netlog, cn_netlog_source source) {
  memset(c, 0, sizeof(*c));
  c->target = target;
  c->server = cn_xstrdup(server);
  c->cache = cache;
  c->allowed = allowed ? allowed : CN_HTTP_AUTH_ANY;
  c->netlog = netlog;
  c->source = source;
  if (user && *user) {
    c->up_front_user = cn_xstrdup(user);
    c->up_front_password = cn_xstrdup(password ? password : "");
  }
}

static void drop_identity(cn_http_auth_controller *c) {
  free(c->user);
  if (c->password)
    memset(c->password, 0, strlen(c->password));  // do not leave it in freed memory
  free(c->password);
  c->user = c->password = NULL;
  c->identity = CN_HTTP_AUTH_IDENTITY_NONE;
}

static void use_identity(cn_http_auth_controller *c, const char *user, const char *password,
                         cn_http_auth_identity_source from) {
  drop_identity(c);
  c->user = cn_xstrdup(user);
  c->password = cn_xstrdup(password ? password : "");
  c->identity = from;
}

void cn_http_auth_controller_free(cn_http_auth_controller *c) {
  drop_identity(c);
  cn_http_auth_handler_free(c->handler);
  free(c->server);
  free(c->up_front_user);
  if (c->up_front_password)
    memset(c->up_front_password, 0, strlen(c->up_front_password));
  free(c->up_front_password);
  memset(c, 0, sizeof(*c));
}

static void log_sent(cn_http_auth_controller *c, bool preemptive, unsigned nc) {
  cn_netlog_event(c->netlog, c->source, CN_NETLOG_AUTH_CREDENTIALS_SENT,
                  CN_NL_STR("target", kTargetNames[c->target]), CN_NL_STR("server", c->server),
                  CN_NL_STR("scheme", c->handler->ops->scheme),
                  CN_NL_STR("realm", c->handler->realm),
                  CN_NL_STR("identity", kIdentityNames[c->identity]),
                  CN_NL_BOOL("preemptive", preemptive), CN_NL_INT("nc", nc));
}

char *cn_http_auth_controller_credentials(cn_http_auth_controller *c, const char *method,
                                          const char *uri, const char *path) {
  c->sent = false;
  if (!c->handler) {
    // Pre-emptive: what this server (and for an origin, this path) took
    // before.
    cn_http_auth_cache_entry *e =
        c->cache ? cn_http_auth_cache_lookup_by_path(c->cache, c->target, c->server, path)
                 : NULL;
    if (!e || !(e->handler->ops->bit & c->allowed))
      return NULL;
    unsigned nc = cn_http_auth_digest_next_nc(e->handler);
    // The cache's handler counts the nonce's uses across requests.
    char *value = cn_http_auth_handler_generate(e->handler, e->user, e->password, method, uri);
    c->handler = cn_http_auth_handler_clone(e->handler);
    use_identity(c, e->user, e->password, CN_HTTP_AUTH_IDENTITY_CACHE);
    c->tried_cache = true;
    c->sent = true;
    log_sent(c, true, nc);
    return value;
  }
  if (!c->user)
    return NULL;
  unsigned nc = cn_http_auth_digest_next_nc(c->handler);
  char *value = cn_http_auth_handler_generate(c->handler, c->user, c->password, method, uri);
  c->sent = true;
  log_sent(c, false, nc);
  return value;
}

// The challenges as one string for the NetLog.
static char *join_challenges(const cn_http_headers *headers, const char *field) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  const char *v;
  for (size_t n = 0; (v = cn_http_headers_get_nth(headers, field, n)); n++) {
    if (n)
      cn_bytebuf_append_str(&b, "; ");
    cn_bytebuf_append_str(&b, v);
  }
  cn_bytebuf_append(&b, "", 1);
  char *s = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return s;
}

// The identity in use was refused: it is not tried again, from the cache
// either.
static void identity_refused(cn_http_auth_controller *c) {
  if (c->identity == CN_HTTP_AUTH_IDENTITY_CACHE && c->cache) {
    cn_http_auth_cache_entry *e = cn_http_auth_cache_lookup(
        c->cache, c->target, c->server, c->handler->realm, c->handler->ops->scheme);
    if (e && strcmp(e->user, c->user) == 0 && strcmp(e->password, c->password) == 0)
      cn_http_auth_cache_remove(c->cache, e);
  }
  drop_identity(c);
}

int cn_http_auth_controller_on_challenge(cn_http_auth_controller *c,
                                         const cn_http_headers *headers) {
  const char *field = cn_http_auth_challenge_field(c->target);
  char *joined = join_challenges(headers, field);
  cn_netlog_event(c->netlog, c->source, CN_NETLOG_AUTH_CHALLENGE,
                  CN_NL_STR("target", kTargetNames[c->target]), CN_NL_STR("server", c->server),
                  CN_NL_STR("challenges", joined));
  free(joined);
  cn_http_auth_challenge *ch;
  size_t n = cn_http_auth_parse(headers, field, &ch);
  if (c->handler && c->sent && c->user) {
    // Credentials went with the request: was it the nonce, or the identity?
    for (size_t i = 0; i < n; i++) {
      if (strcasecmp(ch[i].scheme, c->handler->ops->scheme) != 0)
        continue;
      if (c->handler->ops->handle_another(c->handler, &ch[i]) == CN_HTTP_AUTH_STALE) {
        cn_http_auth_challenges_free(ch, n);
        return CN_HTTP_AUTH_RETRY;  // same identity, the new nonce
      }
      break;
    }
    identity_refused(c);
  }
  cn_http_auth_handler_free(c->handler);
  c->handler = cn_http_auth_handler_choose(ch, n, c->allowed);
  cn_http_auth_challenges_free(ch, n);
  if (c->handler && c->cache && c->cache->fixed_cnonce)
    cn_http_auth_digest_set_cnonce(c->handler, c->cache->fixed_cnonce);
  c->sent = false;
  if (!c->handler) {
    drop_identity(c);
    return CN_HTTP_AUTH_NO_HANDLER;
  }
  cn_netlog_event(c->netlog, c->source, CN_NETLOG_AUTH_SCHEME_CHOSEN,
                  CN_NL_STR("target", kTargetNames[c->target]),
                  CN_NL_STR("scheme", c->handler->ops->scheme),
                  CN_NL_STR("realm", c->handler->realm));
  if (c->user)
    return CN_HTTP_AUTH_RETRY;  // an identity not refused (the scheme changed)
  if (!c->tried_up_front && c->up_front_user) {
    c->tried_up_front = true;
    use_identity(c, c->up_front_user, c->up_front_password, CN_HTTP_AUTH_IDENTITY_UP_FRONT);
    return CN_HTTP_AUTH_RETRY;
  }
  if (!c->tried_cache && c->cache) {
    c->tried_cache = true;
    cn_http_auth_cache_entry *e = cn_http_auth_cache_lookup(
        c->cache, c->target, c->server, c->handler->realm, c->handler->ops->scheme);
    if (e) {
      use_identity(c, e->user, e->password, CN_HTTP_AUTH_IDENTITY_CACHE);
      return CN_HTTP_AUTH_RETRY;
    }
  }
  return CN_HTTP_AUTH_NEED_IDENTITY;
}

void cn_http_auth_controller_set_identity(cn_http_auth_controller *c, const char *user,
                                          const char *password) {
  use_identity(c, user, password, CN_HTTP_AUTH_IDENTITY_APP);
}

void cn_http_auth_controller_on_success(cn_http_auth_controller *c, const char *path) {
  if (!c->sent || !c->handler || !c->user || !c->cache)
    return;
  cn_http_auth_cache_add(c->cache, c->target, c->server, c->handler, c->user, c->password, path);
}
