#include "net/http/http_network_session.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/clock.h"
#include "base/deadline_queue.h"
#include "base/mem.h"
#include "base/string_intern.h"
#include "net/http/http_proxy_connect_job.h"
#include "net/socket/pooled_socket.h"
#include "net/socket/socks5_connect_job.h"
#include "net/socket/ssl_connect_job.h"
#include "net/socket/ssl_socket.h"
#include "net/spdy/spdy_session_pool.h"
#include "net/spdy/spdy_stream.h"
#include "net/spdy/spdy_stream_socket.h"

// A pool's "higher layer" link: closing one idle socket of |upper| frees
// the socket it holds from the pool below.
typedef struct pool_link {
  cn_higher_layer base;  // first
  cn_client_socket_pool *upper;
} pool_link;

static bool close_upper_idle(cn_higher_layer *self) {
  return cn_client_socket_pool_close_one_idle(((pool_link *)self)->upper);
}

// The bound of the session's session keys (plan_spdy_key).
#define SPDY_KEYS_MAX 1024

struct cn_http_network_session {
  cn_http_network_session_params params;
  cn_transport_job_context transport_ctx;
  cn_client_socket_pool *transport;
  cn_client_socket_pool *ssl_proxy;
  cn_client_socket_pool *tunnel;
  cn_client_socket_pool *socks;  // SOCKS5 tunnels through a chain's first hop
  cn_client_socket_pool *ssl_origin;
  // Live SPDY/HTTP2 sessions to proxies and origins (over sockets of
  // ssl_proxy and ssl_origin, which ask it to close idle sessions).
  cn_spdy_session_pool *spdy_pool;
  pool_link links[9];
  cn_http_auth_cache auth_cache;
  cn_http_server_properties server_properties;
  // What the CONNECT jobs may use (instead of this session).
  cn_tunnel_services tunnel_services;
  cn_list_node drains;    // cn_http_drain_entry.link
  // The requests' timeouts, one timer for all (deadline_queue.h), on
  // params.clock or else the loop's.
  cn_loop_clock loop_clock;
  cn_deadline_queue deadlines;
  // The plans' session keys (plan_spdy_key), at most SPDY_KEYS_MAX of them.
  cn_string_intern spdy_keys;
};

// The session whose CONNECT stream is the first tunnel under |top|, or
// NULL (the query passes down the stack to the first CONNECT stream).
static const cn_spdy_session *proxy_session_under(const cn_stream_socket *top) {
  cn_spdy_session *session = NULL;
  cn_stream_socket_query(top, CN_SOCKET_QUERY_TUNNEL_SESSION, &session);
  return session;
}

static bool socket_rides_on(const cn_stream_socket *s, void *proxy_session) {
  return s && proxy_session_under(s) == proxy_session;
}

static bool session_rides_on(const cn_spdy_session *origin_session, void *proxy_session) {
  return socket_rides_on(cn_spdy_session_socket(origin_session), proxy_session);
}


// A proxy session's stream limit is reached and requests wait for a slot.
// Our own idle tunnels may hold the slots: an idle session to an origin
// inside a CONNECT stream (F6), an idle TLS connection to an origin (F5),
// an idle tunnel. Nothing else ever closes them, so with a proxy that
// allows few concurrent streams (nghttpx
// --frontend-http2-max-concurrent-streams=1) the next request would wait
// for its own idle connection. Close them, least recently used first, until
// no stream waits; idle connections that do not ride on this session stay.
// A closed session gives its TLS connection back to the origin pool and
// that one its tunnel: the loop closes those next.
static void relieve_stall(cn_http_network_session *s, const cn_spdy_session *stalled) {
  void *arg = (void *)stalled;  // only compared, never used through
  while (cn_spdy_session_is_stalled(stalled) &&
         (cn_spdy_session_pool_close_one_idle_matching(s->spdy_pool, session_rides_on, arg) ||
          cn_client_socket_pool_close_one_idle_matching(s->ssl_origin, socket_rides_on, arg) ||
          cn_client_socket_pool_close_one_idle_matching(s->tunnel, socket_rides_on, arg))) {
  }
}

static void on_spdy_session_stalled(void *arg, cn_spdy_session *stalled) {
  relieve_stall(arg, stalled);
}

// A session's last stream closed. If it runs inside a CONNECT stream of a
// stalled session (the stall came while it was busy), it goes now rather
// than hold that slot while idle. (Idle TLS connections and tunnels given
// back to their pools then are not kept either: spdy_stream_socket.c.)
static void on_spdy_session_idle(void *arg, cn_spdy_session *idle) {
  const cn_spdy_session *proxy_session = proxy_session_under(cn_spdy_session_socket(idle));
  if (proxy_session && cn_spdy_session_is_stalled(proxy_session))
    relieve_stall(arg, proxy_session);
}

void cn_http_network_session_params_init(cn_http_network_session_params *p) {
  memset(p, 0, sizeof(*p));
  p->origin_ssl_config.protos[0] = CN_PROTO_HTTP11;
  p->origin_ssl_config.num_protos = 1;
  p->proxy_ssl_config = p->origin_ssl_config;
  cn_client_socket_pool_options_init(&p->pool_options);
  p->spdy_idle_ping_ms = CN_SPDY_DEFAULT_IDLE_PING_MS;
  p->spdy_ping_timeout_ms = CN_SPDY_DEFAULT_PING_TIMEOUT_MS;
  p->tcp_connect_timeout_ms = CN_HTTP_DEFAULT_TCP_CONNECT_TIMEOUT_MS;
  p->tls_handshake_timeout_ms = CN_HTTP_DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
  p->tunnel_timeout_ms = CN_HTTP_DEFAULT_TUNNEL_TIMEOUT_MS;
  p->timeouts.stream_wait_ms = CN_HTTP_DEFAULT_STREAM_WAIT_TIMEOUT_MS;
  p->timeouts.response_headers_ms = CN_HTTP_DEFAULT_RESPONSE_HEADERS_TIMEOUT_MS;
  p->timeouts.body_idle_ms = CN_HTTP_DEFAULT_BODY_IDLE_TIMEOUT_MS;
}

// |phase| names the layer's step in CONNECT_JOB_TIMED_OUT; |timeout_ms| is
// that step's limit.
static cn_client_socket_pool *new_pool(cn_http_network_session *s, const char *name,
                                       const char *phase, uint64_t timeout_ms,
                                       cn_connect_job_factory factory) {
  cn_client_socket_pool_options o = s->params.pool_options;
  o.name = name;
  o.phase = phase;
  o.connect_timeout_ms = timeout_ms;
  if (s->params.clock)
    o.clock = s->params.clock;
  return cn_client_socket_pool_new(s->params.loop, &o, &factory, s->params.netlog);
}

static void link_pools(pool_link *link, cn_client_socket_pool *lower,
                       cn_client_socket_pool *upper) {
  link->base.close_one_idle = close_upper_idle;
  cn_list_init(&link->base.link);
  link->upper = upper;
  cn_client_socket_pool_add_higher_layer(lower, &link->base);
}

cn_http_network_session *cn_http_network_session_new(const cn_http_network_session_params *p) {
  cn_http_network_session *s = CN_NEW(cn_http_network_session);
  s->params = *p;
  s->params.user_agent = cn_xstrdup(p->user_agent ? p->user_agent : "cnet");
  cn_loop_clock_init(&s->loop_clock, p->loop);
  cn_deadline_queue_init(&s->deadlines, p->clock ? p->clock : &s->loop_clock.base);
  cn_string_intern_init(&s->spdy_keys, SPDY_KEYS_MAX);
  s->params.origin_ssl_context = cn_ssl_context_ref(p->origin_ssl_context);
  s->params.proxy_ssl_context =
      cn_ssl_context_ref(p->proxy_ssl_context ? p->proxy_ssl_context : p->origin_ssl_context);
  s->transport_ctx.loop = p->loop;
  s->transport_ctx.resolver = p->resolver;
  s->transport_ctx.socket_factory = p->socket_factory;
  s->transport_ctx.clock = p->clock;
  s->transport_ctx.connection_attempt_delay_ms = p->connection_attempt_delay_ms;
  s->transport_ctx.attempt_timeout_ms = p->tcp_attempt_timeout_ms;
  s->transport = new_pool(s, "transport", "tcp_connect", p->tcp_connect_timeout_ms,
                          cn_transport_connect_job_factory(&s->transport_ctx));
  s->ssl_proxy = new_pool(s, "ssl_proxy", "tls_handshake", p->tls_handshake_timeout_ms,
                          cn_ssl_connect_job_factory());
  s->tunnel = new_pool(s, "tunnel", "tunnel", p->tunnel_timeout_ms,
                       cn_http_proxy_connect_job_factory());
  s->socks = new_pool(s, "socks", "tunnel", p->tunnel_timeout_ms, cn_socks5_connect_job_factory());
  s->ssl_origin = new_pool(s, "ssl_origin", "tls_handshake", p->tls_handshake_timeout_ms,
                           cn_ssl_connect_job_factory());
  link_pools(&s->links[0], s->transport, s->ssl_proxy);
  link_pools(&s->links[1], s->transport, s->ssl_origin);
  link_pools(&s->links[2], s->ssl_proxy, s->tunnel);
  link_pools(&s->links[3], s->tunnel, s->ssl_origin);
  // Over an HTTP proxy the tunnel holds transport sockets itself: an idle
  // tunnel must be closable when the transport pool is at its limit.
  link_pools(&s->links[4], s->transport, s->tunnel);
  // A SOCKS tunnel holds a transport socket; above it: http:// requests
  // (the socks pool is then the top), TLS to an origin or to the next hop,
  // or an HTTP proxy hop's own tunnels.
  link_pools(&s->links[5], s->transport, s->socks);
  link_pools(&s->links[6], s->socks, s->ssl_origin);
  link_pools(&s->links[7], s->socks, s->ssl_proxy);
  link_pools(&s->links[8], s->socks, s->tunnel);
  cn_spdy_session_options so;
  cn_spdy_session_options_init(&so);
  so.idle_ping_ms = p->spdy_idle_ping_ms;
  so.ping_timeout_ms = p->spdy_ping_timeout_ms;
  so.clock = p->clock;
  so.first_stream_id_for_testing = p->spdy_first_stream_id_for_testing;
  s->spdy_pool = cn_spdy_session_pool_new(p->loop, &so, p->netlog);
  cn_spdy_session_pool_add_lower_pool(s->spdy_pool, s->ssl_proxy);
  cn_spdy_session_pool_add_lower_pool(s->spdy_pool, s->ssl_origin);
  cn_spdy_session_pool_observer obs = {s, on_spdy_session_stalled, on_spdy_session_idle};
  cn_spdy_session_pool_set_observer(s->spdy_pool, &obs);
  cn_http_auth_cache_init(&s->auth_cache);
  cn_http_server_properties_init(&s->server_properties);
  s->tunnel_services.auth_cache = &s->auth_cache;
  s->tunnel_services.proxy_auth_schemes = s->params.proxy_auth_schemes;
  s->tunnel_services.server_properties = &s->server_properties;
  s->tunnel_services.spdy_pool = s->spdy_pool;
  s->tunnel_services.proxy_ssl_config = &s->params.proxy_ssl_config;
  s->tunnel_services.optimistic_tunnels = s->params.optimistic_tunnels;
  cn_list_init(&s->drains);
  return s;
}

void cn_http_network_session_close_idle(cn_http_network_session *s) {
  cn_spdy_session_pool_close_idle(s->spdy_pool);
  cn_client_socket_pool_close_idle(s->ssl_origin);
  cn_client_socket_pool_close_idle(s->tunnel);
  cn_client_socket_pool_close_idle(s->ssl_proxy);
  cn_client_socket_pool_close_idle(s->socks);
  cn_client_socket_pool_close_idle(s->transport);
}

static size_t idle_socket_count(const cn_http_network_session *s) {
  return cn_client_socket_pool_idle_count(s->ssl_origin) +
         cn_client_socket_pool_idle_count(s->tunnel) +
         cn_client_socket_pool_idle_count(s->ssl_proxy) +
         cn_client_socket_pool_idle_count(s->socks) +
         cn_client_socket_pool_idle_count(s->transport);
}

void cn_http_network_session_on_network_changed(cn_http_network_session *s,
                                                size_t *out_idle_closed,
                                                size_t *out_going_away) {
  size_t idle_before = idle_socket_count(s);
  // Idle first: an idle tunnel holds a stream of its proxy's session, and
  // closing it lets that session close at once rather than linger going
  // away.
  cn_http_network_session_close_idle(s);
  size_t idle_after = idle_socket_count(s);
  size_t going_away = cn_spdy_session_pool_make_all_going_away(s->spdy_pool);
  if (out_idle_closed)
    *out_idle_closed = idle_before > idle_after ? idle_before - idle_after : 0;
  if (out_going_away)
    *out_going_away = going_away;
}

void cn_http_network_session_destroy(cn_http_network_session *s) {
  if (!s)
    return;
  // Draining transactions give their connections back to the pools: first.
  while (!cn_list_empty(&s->drains)) {
    cn_http_drain_entry *e = CN_CONTAINER_OF(s->drains.next, cn_http_drain_entry, link);
    cn_list_remove(&e->link);
    e->abort(e);
  }
  // Sessions hold sockets of the TLS pools: they go before the pools.
  cn_spdy_session_pool_destroy(s->spdy_pool);
  for (size_t i = 0; i < sizeof(s->links) / sizeof(s->links[0]); i++)
    cn_client_socket_pool_remove_higher_layer(&s->links[i].base);
  // Top first: destroying an upper pool's sockets gives lower sockets back.
  cn_client_socket_pool_destroy(s->ssl_origin);
  cn_client_socket_pool_destroy(s->tunnel);
  cn_client_socket_pool_destroy(s->ssl_proxy);
  cn_client_socket_pool_destroy(s->socks);
  cn_client_socket_pool_destroy(s->transport);
  cn_ssl_context_unref(s->params.origin_ssl_context);
  cn_ssl_context_unref(s->params.proxy_ssl_context);
  free((char *)s->params.user_agent);
  cn_http_auth_cache_free(&s->auth_cache);
  cn_http_server_properties_free(&s->server_properties);
  cn_deadline_queue_free(&s->deadlines);  // every transaction is gone
  cn_string_intern_free(&s->spdy_keys);  // every plan is gone
  free(s);
}

cn_deadline_queue *cn_http_network_session_deadlines(cn_http_network_session *s) {
  return &s->deadlines;
}

const cn_http_network_session_params *cn_http_network_session_get_params(
    const cn_http_network_session *s) {
  return &s->params;
}

cn_client_socket_pool *cn_http_network_session_transport_pool(cn_http_network_session *s) {
  return s->transport;
}
cn_client_socket_pool *cn_http_network_session_ssl_proxy_pool(cn_http_network_session *s) {
  return s->ssl_proxy;
}
cn_client_socket_pool *cn_http_network_session_tunnel_pool(cn_http_network_session *s) {
  return s->tunnel;
}
cn_client_socket_pool *cn_http_network_session_socks_pool(cn_http_network_session *s) {
  return s->socks;
}
cn_client_socket_pool *cn_http_network_session_ssl_origin_pool(cn_http_network_session *s) {
  return s->ssl_origin;
}
const cn_tunnel_services *cn_http_network_session_tunnel_services(
    const cn_http_network_session *s) {
  return &s->tunnel_services;
}
cn_spdy_session_pool *cn_http_network_session_spdy_pool(cn_http_network_session *s) {
  return s->spdy_pool;
}

void cn_http_network_session_add_drain(cn_http_network_session *s, cn_http_drain_entry *e) {
  cn_list_push_back(&s->drains, &e->link);
}

void cn_http_network_session_remove_drain(cn_http_drain_entry *e) {
  if (cn_list_linked(&e->link))
    cn_list_remove(&e->link);
}

cn_http_auth_cache *cn_http_network_session_auth_cache(cn_http_network_session *s) {
  return &s->auth_cache;
}

bool cn_http_network_session_proxy_auth_known(const cn_http_network_session *s,
                                              const cn_proxy_server *proxy) {
  return cn_http_auth_cache_accepted(&s->auth_cache, proxy);
}

void cn_http_network_session_note_http11_required(cn_http_network_session *s,
                                                  const cn_host_port *server) {
  cn_http_server_properties_note_http11_required(&s->server_properties, server);
}

bool cn_http_network_session_requires_http11(const cn_http_network_session *s,
                                             const cn_host_port *server) {
  return cn_http_server_properties_requires_http11(&s->server_properties, server);
}

static const cn_ssl_config *ssl_config_for(const cn_http_network_session *s,
                                           const cn_host_port *server, const cn_ssl_config *cfg,
                                           cn_ssl_config *scratch) {
  return cn_http_server_properties_ssl_config(&s->server_properties, server, cfg, scratch);
}

// --- planning ---

// "h2,http/1.1": the ALPN list is part of a TLS group's identity (a socket
// that negotiated under another offer may have another protocol).
static void append_alpn(cn_bytebuf *b, const cn_ssl_config *cfg) {
  for (size_t i = 0; i < cfg->num_protos; i++)
    cn_bytebuf_appendf(b, "%s%s", i ? "," : "", cn_next_proto_alpn(cfg->protos[i]));
}

bool cn_http_network_session_proxy_offers_multiplexed(const cn_http_network_session *s,
                                                      const cn_proxy_server *proxy) {
  return cn_tunnel_services_proxy_offers_multiplexed(&s->tunnel_services, proxy);
}

static void host_port_string(const cn_host_port *hp, char *buf, size_t size) {
  cn_host_port_to_string(hp, buf, size);
}

// The key of the first |n| hops of |chain| ("direct" for none): the prefix
// that every group and session key of hop |n| carries, so that a connection
// to a proxy reached through other proxies is never confused with a direct
// one (or one reached another way).
static char *chain_prefix_key(const cn_proxy_chain *chain, size_t n) {
  cn_proxy_chain prefix = {chain->servers, n};
  return cn_proxy_chain_key(&prefix);
}

// How to reach one hop of a chain: the pool, group and params of a
// connection to that proxy (TLS for an HTTPS proxy, TCP or a tunnel for an
// HTTP one), and the session key a SPDY/HTTP2 session to it has (NULL for
// an HTTP proxy: no TLS, no ALPN, no session).
typedef struct hop_plan {
  cn_client_socket_pool *pool;
  char *group_id;
  char *chain_key;  // hops 0..k: what the hop's groups count against
  cn_socket_params *params;
  char *spdy_key;
} hop_plan;

static void hop_plan_free(hop_plan *h) {
  free(h->group_id);
  free(h->chain_key);
  free(h->spdy_key);
  cn_socket_params_unref(h->params);
  memset(h, 0, sizeof(*h));
}

// A tunnel through hop |via| of |chain| (reached as |lower|) to |target|:
// an HTTP/1.1 CONNECT, or a CONNECT stream on the session to the hop.
// |prefix| is the key of the hops up to and including |via|.
static cn_socket_params *tunnel_params(cn_http_network_session *s, const cn_proxy_chain *chain,
                                       size_t via, const hop_plan *lower,
                                       const cn_host_port *target) {
  cn_socket_params *p = cn_http_proxy_tunnel_params_new(
      lower->pool, lower->group_id, lower->chain_key, lower->params, target,
      &chain->servers[via], s->params.user_agent, lower->spdy_key, &s->tunnel_services);
  p->hop = (int)via;  // a failed CONNECT exchange is this proxy's
  return p;
}

// A SOCKS5 tunnel through the chain's first hop (a SOCKS proxy) to |target|:
// the socks pool, a group named "socks/WHAT|SOCKS" where |what| says what
// the tunnel carries ("http://origin:80", "https://origin:443", or a proxy
// hop "proxy/https://p2:443", scheme included: a tunnel that carried plain
// HTTP never gets TLS started over it), and params over a TCP connection to
// the SOCKS proxy (whose group, like any first hop's, has the per-proxy
// limit). socks5:// resolves |target| with the session's resolver.
static void plan_socks(cn_http_network_session *s, const cn_proxy_chain *chain, const char *what,
                       const cn_host_port *target, int target_hop, cn_client_socket_pool **pool,
                       char **group, cn_socket_params **params) {
  const cn_proxy_server *socks = &chain->servers[0];
  char ps[CN_PROXY_SERVER_STR_SIZE];
  cn_proxy_server_to_string(socks, ps, sizeof(ps));
  char *socks_key = chain_prefix_key(chain, 1);
  char *tcp_group = cn_xasprintf("tcp-proxy/%s", ps);
  cn_socket_params *tcp =
      cn_transport_socket_params_new(socks->host_port.host, socks->host_port.port, true);
  tcp->max_sockets_per_group = s->params.pool_options.max_sockets_per_chain;
  *params = cn_socks5_params_new(s->transport, tcp_group, socks_key, tcp, socks, target,
                                 s->params.resolver);
  ((cn_socks5_params *)*params)->target_hop = target_hop;
  *group = cn_xasprintf("socks/%s|%s", what, socks_key);
  *pool = s->socks;
  cn_socket_params_unref(tcp);
  free(tcp_group);
  free(socks_key);
}

// Plans the connection to hop |k| of |chain|: for the first hop TCP (plus
// TLS for an HTTPS proxy); for a later one a tunnel through hop k-1 (which
// is planned the same way, recursively) — a SOCKS5 tunnel when hop k-1 is
// the chain's SOCKS proxy — plus TLS for an HTTPS proxy. A SOCKS hop itself
// is never planned: it is only ever the way to the next one.
static void plan_hop(cn_http_network_session *s, const cn_proxy_chain *chain, size_t k,
                     hop_plan *out) {
  const cn_proxy_server *proxy = &chain->servers[k];
  char hp[CN_HOST_BUF_SIZE + 16];
  host_port_string(&proxy->host_port, hp, sizeof(hp));
  char ps[CN_PROXY_SERVER_STR_SIZE];
  cn_proxy_server_to_string(proxy, ps, sizeof(ps));
  char *prefix = chain_prefix_key(chain, k);  // the hops before this one
  memset(out, 0, sizeof(*out));
  out->chain_key = chain_prefix_key(chain, k + 1);
  // One group of connections to the proxy serves every origin behind it:
  // the per-proxy limit applies to it, the per-origin one to the groups
  // above (tunnels and TLS to origins are grouped per origin).
  size_t proxy_limit = s->params.pool_options.max_sockets_per_chain;
  cn_client_socket_pool *below_pool;
  char *below_group;
  cn_socket_params *below;
  if (k == 0) {
    // Its own group name: failures to reach a proxy are reported
    // differently (as the proxy's), so its connect jobs must not serve
    // direct requests. The proxy's scheme is part of it: a connection that
    // carried plain HTTP to an HTTP proxy must never have TLS started over
    // it for an HTTPS proxy at the same host:port.
    below_pool = s->transport;
    below_group = cn_xasprintf("tcp-proxy/%s", ps);
    below = cn_transport_socket_params_new(proxy->host_port.host, proxy->host_port.port, true);
  } else if (k == 1 && cn_proxy_server_is_socks(&chain->servers[0])) {
    char *what = cn_xasprintf("proxy/%s", ps);
    plan_socks(s, chain, what, &proxy->host_port, 1, &below_pool, &below_group, &below);
    free(what);
  } else {
    hop_plan via;
    plan_hop(s, chain, k - 1, &via);
    below_pool = s->tunnel;
    below_group = cn_xasprintf("tunnel/%s|%s", ps, prefix);
    below = tunnel_params(s, chain, k - 1, &via, &proxy->host_port);
    hop_plan_free(&via);
  }
  below->max_sockets_per_group = proxy_limit;
  if (!cn_proxy_server_is_https(proxy)) {
    out->pool = below_pool;
    out->group_id = below_group;
    out->params = below;
    free(prefix);
    return;
  }
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  if (k == 0)
    cn_bytebuf_appendf(&b, "ssl-proxy/%s|", hp);
  else
    cn_bytebuf_appendf(&b, "ssl-proxy/%s|%s|", hp, prefix);
  cn_ssl_config proxy_scratch;
  const cn_ssl_config *proxy_cfg =
      ssl_config_for(s, &proxy->host_port, &s->params.proxy_ssl_config, &proxy_scratch);
  append_alpn(&b, proxy_cfg);
  char *tls_session_key = cn_xasprintf("proxy|%s", hp);
  out->params = cn_ssl_connect_params_new(below_pool, below_group, out->chain_key, below,
                                          proxy->host_port.host, s->params.proxy_ssl_context,
                                          proxy_cfg, tls_session_key, true);
  out->params->max_sockets_per_group = proxy_limit;
  out->params->hop = (int)k;  // a failed TLS handshake is this proxy's
  out->pool = s->ssl_proxy;
  out->group_id = cn_bytebuf_steal_str(&b);
  out->spdy_key = cn_spdy_session_key_format(&proxy->host_port, k ? prefix : NULL, false);
  cn_bytebuf_free(&b);
  free(tls_session_key);
  free(below_group);
  free(prefix);
  cn_socket_params_unref(below);
}

// Sets |plan|'s session key for |dest| through |chain_key|. Keys repeat
// from request to request: the plan points at the session's one copy
// (bench/scale: one allocation fewer per open stream). Bounded: past
// SPDY_KEYS_MAX distinct keys (a PAC script may name proxies without end)
// the plan owns its own.
static void plan_spdy_key(cn_http_network_session *s, cn_http_connection_plan *plan,
                          const cn_host_port *dest, const char *chain_key) {
  char buf[512];
  size_t n = cn_spdy_session_key_write(buf, sizeof(buf), dest, chain_key, false);
  char *key = n < sizeof(buf) ? buf : cn_spdy_session_key_format(dest, chain_key, false);
  const char *kept = cn_string_intern_get(&s->spdy_keys, key);
  if (kept) {
    if (key != buf)
      free(key);
    plan->spdy_key = kept;
    plan->spdy_key_owned = false;
  } else {
    plan->spdy_key = key == buf ? cn_xstrdup(buf) : key;
    plan->spdy_key_owned = true;
  }
}

int cn_http_network_session_plan_route(cn_http_network_session *s, const cn_url *url,
                                       const cn_proxy_chain *chain, cn_http_connection_plan *plan) {
  memset(plan, 0, sizeof(*plan));
  bool https = strcmp(url->scheme, "https") == 0;
  if (!https && strcmp(url->scheme, "http") != 0)
    return CN_ERR_UNKNOWN_URL_SCHEME;
  plan->routed = true;
  cn_host_port origin;
  cn_url_host_port(url, &origin);
  if (!cn_proxy_chain_is_direct(chain)) {
    plan->chain_key = cn_proxy_chain_key(chain);
    const cn_proxy_server *proxy = &chain->servers[chain->count - 1];
    if (!https && !cn_proxy_server_is_socks(proxy)) {
      // F1: the request itself goes to the last proxy, in absolute form
      // (through tunnels to the ones before it). F4: a session to that
      // proxy, if it speaks TLS, carries http:// requests as streams; its
      // key has the hops before it.
      plan->absolute_form = true;
      plan->request_proxy = proxy;
      if (cn_proxy_server_is_https(proxy) &&
          !cn_http_network_session_requires_http11(s, &proxy->host_port)) {
        char *prefix = chain->count > 1 ? chain_prefix_key(chain, chain->count - 1) : NULL;
        plan_spdy_key(s, plan, &proxy->host_port, prefix);
        plan->spdy_offered = cn_http_network_session_proxy_offers_multiplexed(s, proxy);
        free(prefix);
      }
      return CN_OK;
    }
  }
  // http:// direct or over SOCKS alone: no TLS, no session.
  if (!https)
    return CN_OK;
  // F3/F6: a session to the origin through this chain (never a direct
  // one), or the direct session.
  if (!cn_http_network_session_requires_http11(s, &origin)) {
    cn_ssl_config origin_scratch;
    const cn_ssl_config *origin_cfg =
        ssl_config_for(s, &origin, &s->params.origin_ssl_config, &origin_scratch);
    plan_spdy_key(s, plan, &origin, plan->chain_key);
    plan->spdy_offered = cn_ssl_config_offers_multiplexed(origin_cfg);
  }
  return CN_OK;
}

int cn_http_network_session_plan_connection(cn_http_network_session *s, const cn_url *url,
                                            const cn_proxy_chain *chain,
                                            cn_http_connection_plan *plan) {
  if (!plan->routed)
    return CN_ERR_UNEXPECTED;
  if (plan->pool)
    return CN_OK;  // planned already
  bool https = strcmp(url->scheme, "https") == 0;
  cn_host_port origin;
  cn_url_host_port(url, &origin);
  char ohp[CN_HOST_BUF_SIZE + 16];
  host_port_string(&origin, ohp, sizeof(ohp));

  cn_client_socket_pool *below_pool;
  char *below_group;
  cn_socket_params *below;
  const char *chain_key_or_direct = plan->chain_key ? plan->chain_key : "direct";
  if (cn_proxy_chain_is_direct(chain)) {
    // The scheme is part of the group: a connection that carried plain
    // HTTP (http://host:443/) must never have TLS started over it.
    below_pool = s->transport;
    below_group = cn_xasprintf("tcp/%s://%s", https ? "https" : "http", ohp);
    below = cn_transport_socket_params_new(origin.host, origin.port, false);
  } else if (cn_proxy_server_is_socks(&chain->servers[chain->count - 1])) {
    // SOCKS alone (only a first hop can be SOCKS): a transport to the
    // origin, not an HTTP proxy. http:// sends origin-form requests to the
    // origin over it, https:// runs TLS to the origin over it.
    char *what = cn_xasprintf("%s://%s", https ? "https" : "http", ohp);
    plan_socks(s, chain, what, &origin, CN_HOP_ORIGIN, &below_pool, &below_group, &below);
    free(what);
  } else {
    size_t last = chain->count - 1;
    hop_plan hop;
    plan_hop(s, chain, last, &hop);
    if (!https) {
      // F1: the connection to the last proxy (its session key is the
      // route's).
      plan->pool = hop.pool;
      plan->group_id = hop.group_id;
      plan->params = hop.params;
      free(hop.spdy_key);
      free(hop.chain_key);
      return CN_OK;
    }
    // F2: TLS to the origin over a CONNECT tunnel through the last proxy.
    below_pool = s->tunnel;
    below_group = cn_xasprintf("tunnel/%s|%s", ohp, plan->chain_key);
    below = tunnel_params(s, chain, last, &hop, &origin);
    hop_plan_free(&hop);
  }
  if (!https) {
    plan->pool = below_pool;
    plan->group_id = below_group;
    plan->params = below;
    return CN_OK;
  }
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  cn_bytebuf_appendf(&b, "ssl/%s|%s|", ohp, chain_key_or_direct);
  cn_ssl_config origin_scratch;
  const cn_ssl_config *origin_cfg =
      ssl_config_for(s, &origin, &s->params.origin_ssl_config, &origin_scratch);
  append_alpn(&b, origin_cfg);
  char *tls_session_key = cn_xasprintf("origin|%s|%s", ohp, chain_key_or_direct);
  plan->params = cn_ssl_connect_params_new(below_pool, below_group, plan->chain_key, below,
                                           origin.host, s->params.origin_ssl_context, origin_cfg,
                                           tls_session_key, false);
  plan->pool = s->ssl_origin;
  plan->group_id = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  free(tls_session_key);
  free(below_group);
  cn_socket_params_unref(below);
  return CN_OK;
}

int cn_http_network_session_plan(cn_http_network_session *s, const cn_url *url,
                                 const cn_proxy_chain *chain, cn_http_connection_plan *plan) {
  int rv = cn_http_network_session_plan_route(s, url, chain, plan);
  if (rv == CN_OK)
    rv = cn_http_network_session_plan_connection(s, url, chain, plan);
  return rv;
}

void cn_http_connection_plan_free(cn_http_connection_plan *plan) {
  free(plan->group_id);
  free(plan->chain_key);
  if (plan->spdy_key_owned)
    free((char *)plan->spdy_key);
  cn_socket_params_unref(plan->params);
  memset(plan, 0, sizeof(*plan));
}
