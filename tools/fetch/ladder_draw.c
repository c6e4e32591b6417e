// The ladder's columns and steps (see ladder_draw.h).
#include "tools/fetch/ladder_draw.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/fetch/ladder_chain.h"
#include "tools/fetch/ladder_owners.h"

// "ERR_CONNECTION_REFUSED" for -102: from the one error table, read here as
// a header so that the ladder links nothing of the stack (fetch links only
// libcnet.so; a NetLog file names errors by number only).
static const char *error_name(int64_t err) {
  switch (err) {
#define CN_NET_ERROR(sym, value, msg) \
  case value:                         \
    return "ERR_" #sym;
#include "net/base/net_error_list.h"  // nogncheck: the table only, nothing linked
#undef CN_NET_ERROR
    default:
      return "ERR_UNKNOWN";
  }
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

// What the request is, as the seed's flows see it.
typedef enum flow_kind {
  FLOW_DIRECT,   // no proxy
  FLOW_FORWARD,  // http:// URL sent to the (last) proxy (F1, F4)
  FLOW_TUNNEL,   // https:// URL through CONNECT (F2, F3, F5, F6)
} flow_kind;

// The protocol spoken to each proxy of the chain ([1..hops]; "" for
// HTTP/1.1 or not seen).
typedef struct hop_mux {
  const char *to[LADDER_MAX_HOPS + 1];
} hop_mux;

// What an earlier request learnt about a socket or session it created, for
// later requests that reuse it: the protocols spoken to the proxies
// underneath, so a reused tunnel still names its flow.
typedef struct remembered {
  bool session;  // else a TLS socket (to the origin through a tunnel, or to a proxy)
  int64_t id;
  hop_mux mux;
} remembered;

typedef struct memory {
  remembered *v;
  size_t n, cap;
} memory;

static void remember(memory *m, bool session, int64_t id, const hop_mux *mux) {
  if (id < 0)
    return;
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    remembered *v = realloc(m->v, cap * sizeof(*v));
    if (!v)
      return;  // only the flow's name suffers
    m->v = v;
    m->cap = cap;
  }
  m->v[m->n++] = (remembered){.session = session, .id = id, .mux = *mux};
}

// Copies what was remembered of |id| into |mux|; leaves it alone otherwise
// (a reused socket or session is the top layer: nothing was learnt yet).
static void recall(const memory *m, bool session, int64_t id, hop_mux *mux) {
  for (size_t i = 0; i < m->n; i++) {
    if (m->v[i].session == session && m->v[i].id == id) {
      *mux = m->v[i].mux;
      return;
    }
  }
}

typedef struct req_ctx {
  const ladder_logs *l;
  FILE *out;
  int64_t id;          // the REQUEST source
  size_t begin, end;   // window [begin, end] in the client log
  flow_kind kind;
  ladder_chain chain;  // the proxies, one column each
  const char *url;
  const char *method;
  bool **proxy_used;   // per proxy log: REQUEST_ALIVE BEGINs already matched
  memory *mem;
  const ladder_owners *who;  // which request each client event was for
  hop_mux mux;               // SPDY/HTTP2 protocol to each proxy, "" for HTTP/1.1
  const char *origin_mux;    // to the origin
  int64_t tls_sockets[LADDER_MAX_HOPS + 2];  // the TLS sockets this request created
  size_t ntls_sockets;
  int64_t origin_session;  // the origin session this request started, or -1
  int64_t noted_session;   // a racing request's session already pointed out
  int tcp, tls;            // what this request did
} req_ctx;

static void draw(const req_ctx *r, const char *step, int from, int to, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void note(const req_ctx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// One step from column |from| to column |to| (ladder_chain.h).
static void draw(const req_ctx *r, const char *step, int from, int to, const char *fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  ladder_chain_arrow(&r->chain, r->out, step, from, to, text);
}

// A "*** ... ***" line.
static void note(const req_ctx *r, const char *fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  fprintf(r->out, "       *** %s ***\n", text);
}

static int origin_col(const req_ctx *r) { return ladder_chain_origin(&r->chain); }

// The last proxy's column (1 without a proxy, which only direct flows have).
static int last_hop(const req_ctx *r) { return r->chain.hops > 1 ? r->chain.hops : 1; }

// The column a CONNECT to |target| ("host:port") goes to: the proxy before
// |target| when that is a hop of the chain, else (the origin) the last one.
static int connect_col(const req_ctx *r, const char *target) {
  int k = ladder_chain_hop(&r->chain, target);
  return k > 1 ? k - 1 : last_hop(r);
}

// The proxy's request matching what the client sent: |method| and |url|,
// logged at or after |t| (both logs use uv_hrtime), not matched before, in
// any of the proxies' logs.
static const ev *match_proxy_request(const req_ctx *r, const char *method, const char *url,
                                     uint64_t t, const ev_log **in) {
  const ev *fallback = NULL;
  size_t fallback_log = 0, fallback_i = 0;
  for (size_t k = 0; k < r->l->nproxies; k++) {
    const ev_log *p = &r->l->proxies[k];
    for (size_t i = 0; i < p->n; i++) {
      const ev *e = &p->v[i];
      if (r->proxy_used[k][i] || !ev_is(e, "REQUEST_ALIVE", PHASE_BEGIN) ||
          strcmp(ev_str(e, "method"), method) != 0 || strcmp(ev_str(e, "url"), url) != 0)
        continue;
      if (e->t >= t) {
        r->proxy_used[k][i] = true;
        *in = p;
        return e;
      }
      if (!fallback) {
        fallback = e;
        fallback_log = k;
        fallback_i = i;
      }
    }
  }
  // Logs from machines whose clocks differ: the first unmatched one.
  if (fallback) {
    r->proxy_used[fallback_log][fallback_i] = true;
    *in = &r->l->proxies[fallback_log];
  }
  return fallback;
}

// Steps 10-12 (and 13-14 for a forwarded request) of the proxy in column
// |col| from its log: its connection to the next column.
static void draw_proxy_side(const req_ctx *r, int col, const char *method, const char *url,
                            uint64_t t, bool forwarded) {
  char me[32], next[32], s1[16], s2[16];
  ladder_chain_name(&r->chain, col, "origin", me, sizeof(me));
  ladder_chain_name(&r->chain, col + 1, "origin", next, sizeof(next));
  ladder_step(10, 12, col, s1, sizeof(s1));
  note(r, "%s connects (or reuses connection) to %s", me, next);
  const ev_log *p = NULL;
  const ev *pr = r->l->have_proxy ? match_proxy_request(r, method, url, t, &p) : NULL;
  if (!pr) {
    draw(r, s1, col, col + 1, "(not observed: proxy side%s)",
         r->l->have_proxy ? ", no matching request in the proxy's NetLog" : "");
    if (forwarded) {
      draw(r, ladder_step(13, 0, col, s2, sizeof(s2)), col, col + 1, "(not observed: proxy side)");
      draw(r, ladder_step(14, 0, col, s2, sizeof(s2)), col + 1, col, "(not observed: proxy side)");
    }
    return;
  }
  const ev *bound = ev_log_find(p, "REQUEST", pr->src_id, "SOCKET_POOL_BOUND", PHASE_NONE);
  if (!bound) {
    const ev *end = ev_log_find(p, "REQUEST", pr->src_id, "REQUEST_ALIVE", PHASE_END);
    draw(r, s1, col, col + 1, "(the proxy made no connection to the %s; it answered %" PRId64 ")",
         col + 1 == origin_col(r) ? "origin" : "next proxy", end ? ev_int(end, "status") : 0);
    return;
  }
  if (ev_bool(bound, "reuse")) {
    draw(r, s1, col, col + 1, "(proxy reuses its idle connection to %s, socket %" PRId64
         ": no SYN)", ev_str(bound, "group_id"), ev_ref(bound, "source_dependency"));
  } else {
    const ev *tcp =
        ev_log_find(p, "SOCKET", ev_ref(bound, "source_dependency"), "TCP_CONNECT", PHASE_END);
    draw(r, s1, col, col + 1, "TCP connect %s (SYN, SYN_ACK, ACK) for %s",
         tcp ? ev_str(tcp, "address") : "?", ev_str(bound, "group_id"));
  }
  if (!forwarded)
    return;
  const ev *sent =
      ev_log_find(p, "REQUEST", pr->src_id, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS", PHASE_NONE);
  const ev *got =
      ev_log_find(p, "REQUEST", pr->src_id, "HTTP_TRANSACTION_READ_RESPONSE_HEADERS", PHASE_NONE);
  note(r, "%s issues request via HTTP to backend", me);
  draw(r, ladder_step(13, 0, col, s2, sizeof(s2)), col, col + 1, "%s",
       sent ? ev_str(sent, "line") : "(no request in the proxy's NetLog)");
  draw(r, ladder_step(14, 0, col, s2, sizeof(s2)), col + 1, col, "%s",
       got ? ev_str(got, "line") : "(no response in the proxy's NetLog)");
}
// A header's value from a NetLog "headers" block ("name: value\n..."), into
// |buf|; "" when absent.
static const char *header_value(const char *headers, const char *name, char *buf, size_t size) {
  size_t n = strlen(name);
  buf[0] = '\0';
  for (const char *p = headers; p && *p;) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (len > n + 1 && strncmp(p, name, n) == 0 && p[n] == ':') {
      const char *v = p + n + 1;
      while (*v == ' ')
        v++;
      snprintf(buf, size, "%.*s", (int)(len - (size_t)(v - p)), v);
      break;
    }
    p = eol ? eol + 1 : NULL;
  }
  return buf;
}

// A SPDY/HTTP2 HEADERS-like frame as the diagrams write it.
static void frame_text(const ev *e, char *buf, size_t size) {
  const char *frame = ev_str(e, "frame");
  bool spdy = strcmp(frame, "SYN_STREAM") == 0 || strcmp(frame, "SYN_REPLY") == 0;
  int64_t id = ev_int(e, "stream_id");
  const char *method = ev_str(e, "method");
  const char *fin = ev_bool(e, "fin") ? (spdy ? " FLAG_FIN" : " END_STREAM") : "";
  if (*method && spdy) {
    if (strcmp(method, "CONNECT") == 0)
      snprintf(buf, size, "%s stream_id=%" PRId64 " method=CONNECT url=%s%s", frame, id,
               *ev_str(e, "path") ? ev_str(e, "path") : ev_str(e, "authority"), fin);
    else
      snprintf(buf, size, "%s stream_id=%" PRId64 " method=%s url=%s host=%s%s", frame, id,
               method, ev_str(e, "path"), ev_str(e, "authority"), fin);
  } else if (*method) {
    char scheme[32];
    header_value(ev_str(e, "headers"), ":scheme", scheme, sizeof(scheme));
    if (strcmp(method, "CONNECT") == 0)
      snprintf(buf, size, "%s stream_id=%" PRId64 " :method=CONNECT :authority=%s%s", frame, id,
               ev_str(e, "authority"), fin);
    else
      snprintf(buf, size, "%s stream_id=%" PRId64 " :method=%s :scheme=%s :authority=%s :path=%s%s",
               frame, id, method, scheme, ev_str(e, "authority"), ev_str(e, "path"), fin);
  } else if (spdy) {
    snprintf(buf, size, "%s stream_id=%" PRId64 " status=%s%s", frame, id, ev_str(e, "status"),
             fin);
  } else {
    snprintf(buf, size, "%s stream_id=%" PRId64 " :status=%s%s", frame, id, ev_str(e, "status"),
             fin);
  }
}

// A TLS handshake with column |col| (a proxy of the chain, or the origin).
static void draw_tls(req_ctx *r, const ev *end, int col) {
  const ev_log *c = r->l->client;
  const ev *begin = ev_log_find(c, "SOCKET", end->src_id, "SSL_CONNECT", PHASE_BEGIN);
  const char *host = begin ? ev_str(begin, "host") : "?";
  // Without a proxy the origin's handshake has the proxy's step numbers.
  int at = r->kind == FLOW_DIRECT ? 1 : col;
  char who[32], via[64] = "", first[16], rest[16];
  ladder_chain_name(&r->chain, col, "Origin", who, sizeof(who));
  if (col > 1 && r->kind != FLOW_DIRECT) {
    char before[32];
    if (r->chain.hops <= 1)
      snprintf(via, sizeof(via), " (through proxy tunnel)");
    else
      snprintf(via, sizeof(via), " (through the tunnel of %s)",
               ladder_chain_name(&r->chain, col - 1, "", before, sizeof(before)));
  }
  ladder_step(4, 0, at, first, sizeof(first));
  ladder_step(5, 8, at, rest, sizeof(rest));
  note(r, "Client performs SSL handshake with %s%s", who, via);
  draw(r, first, 0, col, "Client Hello (SNI %s)", host);
  if (ev_has(end, "net_error") && ev_int(end, "net_error") < 0) {
    draw(r, rest, col, 0, "handshake failed: %s", error_name(ev_int(end, "net_error")));
    return;
  }
  r->tls++;
  const char *alpn = *ev_str(end, "alpn") ? ev_str(end, "alpn") : "none";
  if (r->ntls_sockets < sizeof(r->tls_sockets) / sizeof(r->tls_sockets[0]))
    r->tls_sockets[r->ntls_sockets++] = end->src_id;
  // False Start: the handshake completed at our Finished (the request goes
  // with it; the server's Finished comes with the answer).
  draw(r, rest, col, 0, "Server Hello ... Finished: %s %s, ALPN %s, resumed %s%s",
       ev_str(end, "version"), ev_str(end, "cipher"), alpn,
       ev_bool(end, "resumed") ? "yes" : "no", ev_bool(end, "false_start") ? ", false start" : "");
}

// The host:port of a request URL ("https://h:p/x" -> "h:p"), into |buf|.
static void url_host_port(const char *url, char *buf, size_t size) {
  const char *p = strstr(url, "://");
  p = p ? p + 3 : url;
  size_t n = strcspn(p, "/?#");
  snprintf(buf, size, "%.*s", (int)n, p);
}

// Whether |session| (a client SESSION_ALIVE BEGIN) is the session to the
// origin rather than to a proxy: its peer key starts with the origin.
static bool session_is_origin(const req_ctx *r, const ev *session) {
  char hp[256];
  url_host_port(r->url, hp, sizeof(hp));
  const char *peer = ev_str(session, "peer");
  size_t n = strlen(hp);
  return strncmp(peer, hp, n) == 0 && peer[n] == '|';
}

// The column of |session|'s peer: the origin, a proxy of the chain, or (a
// peer the chain does not name) the last proxy.
static int session_col(const req_ctx *r, const ev *session) {
  if (session_is_origin(r, session))
    return origin_col(r);
  int k = ladder_chain_hop(&r->chain, ev_str(session, "peer"));
  return k ? k : last_hop(r);
}

// Whether event |i| of the window belongs to |r| (see owners_init).
static bool belongs(const req_ctx *r, size_t i) {
  if (!r->who->event_owner)
    return true;  // out of memory: time windows alone
  return r->who->event_owner[i] == r->id;
}

// The proxy a tunnel group's target names ("https://p2:443|CHAIN": the
// tunnel to proxy 2), or 0 for a tunnel to the origin ("origin:443|CHAIN").
static int tunnel_hop(const req_ctx *r, const char *target) {
  size_t n = strcspn(target, "|");
  for (size_t i = 0; i + 3 <= n; i++) {
    if (strncmp(target + i, "://", 3) == 0)
      return ladder_chain_hop(&r->chain, target + i + 3);
  }
  return 0;
}

// A reuse that lets the request skip steps: what was reused and the column
// the request's first own step goes to (the origin for a tunnel).
typedef struct reuse {
  int col;  // 0: none
  char why[160];
} reuse;

static void found_reuse(reuse *best, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Keeps the reuse deepest in the chain: the request skips up to it.
static void found_reuse(reuse *best, int col, const char *fmt, ...) {
  if (col < best->col)
    return;
  best->col = col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(best->why, sizeof(best->why), fmt, ap);
  va_end(ap);
}

// The reuse that lets this request skip steps: writes the jump line.
static void draw_jump(req_ctx *r) {
  const ev_log *c = r->l->client;
  bool new_proxy_tcp = false;
  reuse tunnel = {0}, proxy = {0};
  for (size_t i = r->begin; i <= r->end && i < c->n; i++) {
    const ev *e = &c->v[i];
    if (!belongs(r, i))
      continue;
    if (ev_is(e, "TCP_CONNECT", PHASE_END) &&
        !(ev_has(e, "net_error") && ev_int(e, "net_error") < 0))
      new_proxy_tcp = true;
    if (ev_is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && strcmp(ev_str(e, "reuse"), "new") != 0) {
      const char *pool = ev_str(e, "pool");
      const char *group = ev_str(e, "group_id");
      const char *slash = strchr(group, '/');
      const char *target = slash ? slash + 1 : "";
      int hop = 0;
      if (strcmp(pool, "ssl_proxy") == 0)
        hop = ladder_chain_hop(&r->chain, target);
      else if (strcmp(pool, "tunnel") == 0)
        hop = tunnel_hop(r, target);
      if (hop > 1 || (strcmp(pool, "tunnel") == 0 && hop == 1)) {
        found_reuse(&proxy, hop, "%s socket %" PRId64 ", %s", pool, ev_ref(e, "socket"),
                    ev_str(e, "reuse"));
      } else if (strcmp(pool, "ssl_origin") == 0 || strcmp(pool, "tunnel") == 0) {
        found_reuse(&tunnel, origin_col(r), "%s socket %" PRId64 ", %s", pool,
                    ev_ref(e, "socket"), ev_str(e, "reuse"));
      } else if (strcmp(pool, "ssl_proxy") == 0 || strcmp(pool, "transport") == 0) {
        found_reuse(&proxy, 1, "%s socket %" PRId64 ", %s", pool, ev_ref(e, "socket"),
                    ev_str(e, "reuse"));
      }
    }
    if (ev_is(e, "STREAM_ALIVE", PHASE_BEGIN) && ev_ref(e, "session") >= 0) {
      const ev *s = ev_log_find(c, "SESSION", ev_ref(e, "session"), "SESSION_ALIVE", PHASE_BEGIN);
      if (s && (size_t)(s - c->v) < r->begin) {
        bool own = strcmp(ev_ref_type(e, "owner"), "REQUEST") == 0;
        int col = session_col(r, s);
        if (own && r->kind == FLOW_TUNNEL && session_is_origin(r, s)) {
          found_reuse(&tunnel, col, "%s session %" PRId64 " to the origin", ev_str(s, "protocol"),
                      s->src_id);
        } else if (!session_is_origin(r, s) || r->kind != FLOW_TUNNEL) {
          char who[32];
          found_reuse(&proxy, col, "%s session %" PRId64 " to the %s", ev_str(s, "protocol"),
                      s->src_id, r->chain.hops > 1 ? ladder_chain_name(&r->chain, col, "origin",
                                                                       who, sizeof(who))
                                                   : "proxy");
        }
      }
    }
  }
  char step[16];
  if (r->kind == FLOW_TUNNEL && tunnel.col) {
    note(r, "An available tunnel to the origin exists (%s): jump to step %s", tunnel.why,
         ladder_step(9, 0, origin_col(r), step, sizeof(step)));
  } else if (r->kind != FLOW_DIRECT && proxy.col && !new_proxy_tcp) {
    char who[32] = "the proxy";
    if (r->chain.hops > 1)
      snprintf(who, sizeof(who), "proxy %d", proxy.col);
    note(r, "An available connection to %s exists (%s): jump to step %s", who, proxy.why,
         ladder_step(9, 0, proxy.col, step, sizeof(step)));
  }
}

// The flow's name in the seed (F1-F6, by the protocol to the last proxy)
// and what this request cost; a chain also lists the protocol to each hop.
static void draw_summary(const req_ctx *r) {
  const char *last = r->mux.to[last_hop(r)];
  const char *name = "direct";
  if (r->kind == FLOW_FORWARD)
    name = *last ? "F4" : "F1";
  else if (r->kind == FLOW_TUNNEL)
    name = *last ? (*r->origin_mux ? "F6" : "F5") : (*r->origin_mux ? "F3" : "F2");
  const char *to_origin = r->kind == FLOW_FORWARD
                              ? "http/1.1 (by the proxy)"
                              : (*r->origin_mux ? r->origin_mux : "http/1.1");
  if (r->chain.hops > 1) {
    fprintf(r->out, "       --- flow %s through %d proxies:", name, r->chain.hops);
    for (int k = 1; k <= r->chain.hops; k++)
      fprintf(r->out, " %s to proxy %d,",
              r->chain.socks[k] ? "socks5" : (*r->mux.to[k] ? r->mux.to[k] : "http/1.1"), k);
    fprintf(r->out, " %s to the origin;", to_origin);
  } else {
    fprintf(r->out, "       --- flow %s: %s to the proxy, %s to the origin;", name,
            r->kind == FLOW_DIRECT ? "nothing" : (*last ? last : "http/1.1"), to_origin);
  }
  fprintf(r->out, " this request made %d TCP connect%s and %d TLS handshake%s\n", r->tcp,
          r->tcp == 1 ? "" : "s", r->tls, r->tls == 1 ? "" : "s");
}

// A CONNECT (HTTP/1.1 or a stream) to the proxy in column |col| for
// |target|, with the proxy's side of it.
static void draw_connect(req_ctx *r, int col, const char *via, const char *text,
                         const char *target, uint64_t t) {
  char who[32], step[16];
  note(r, "Client sends CONNECT request to %s%s",
       ladder_chain_name(&r->chain, col, "", who, sizeof(who)), via);
  draw(r, ladder_step(9, 0, col, step, sizeof(step)), 0, col, "%s", text);
  draw_proxy_side(r, col, "CONNECT", target, t, false);
}

// The SOCKS5 handshake with the first hop (the CONNECT of a SOCKS proxy).
static void draw_socks(req_ctx *r, const ev *end) {
  const ev *begin = ev_log_find(r->l->client, "SOCKET", end->src_id, "SOCKS5_CONNECT",
                                PHASE_BEGIN);
  char who[32];
  note(r, "Client sends SOCKS5 CONNECT to %s", ladder_chain_name(&r->chain, 1, "", who,
                                                                   sizeof(who)));
  draw(r, "9", 0, 1, "SOCKS5 CONNECT %s (resolved by the %s)", begin ? ev_str(begin, "target") : "?",
       begin && strcmp(ev_str(begin, "resolve"), "local") == 0 ? "client" : "proxy");
  // A SOCKS proxy keeps no NetLog of ours: its connection onward is unseen.
  char next[32];
  note(r, "%s connects to %s", who, ladder_chain_name(&r->chain, 2, "origin", next, sizeof(next)));
  draw(r, "10-12", 1, 2, "(not observed: SOCKS proxy side)");
  if (ev_has(end, "net_error") && ev_int(end, "net_error") < 0)
    draw(r, "13", 1, 0, "SOCKS5 failed: %s", error_name(ev_int(end, "net_error")));
  else
    draw(r, "13", 1, 0, "SOCKS5 reply %" PRId64 " (succeeded)", ev_int(end, "reply"));
}

// A HEADERS-like frame of a client session.
static void draw_frame(req_ctx *r, const ev *e) {
  const ev_log *c = r->l->client;
  bool send = strcmp(e->type, "SPDY_SESSION_SEND_HEADERS") == 0;
  const ev *session = ev_log_find(c, "SESSION", e->src_id, "SESSION_ALIVE", PHASE_BEGIN);
  const ev *stream = ev_log_find_stream(c, e->src_id, ev_int(e, "stream_id"));
  if (!session || strcmp(ev_str(session, "role"), "client") != 0)
    return;
  bool to_origin = session_is_origin(r, session);
  int col = session_col(r, session);
  bool tunnel_stream = stream && strcmp(ev_ref_type(stream, "owner"), "CONNECT_JOB") == 0;
  if (!tunnel_stream && send && strcmp(ev_str(e, "method"), "CONNECT") == 0)
    tunnel_stream = true;
  if (!tunnel_stream && !send && !stream)
    return;
  char text[768], step[16], who[32];
  frame_text(e, text, sizeof(text));
  const char *proto = ev_str(session, "protocol");
  size_t session_at = (size_t)(session - c->v);
  if (send && r->who->event_owner && r->who->event_owner[session_at] != r->id &&
      session_at >= r->begin && r->noted_session != session->src_id) {
    // Requests racing to a new server: this one's stream went on the
    // session another request's connection became.
    r->noted_session = session->src_id;
    note(r, "%s session %" PRId64 " to the %s was opened for another request; this stream uses it",
         proto, session->src_id,
         to_origin ? "origin"
                   : (r->chain.hops > 1 ? ladder_chain_name(&r->chain, col, "", who, sizeof(who))
                                        : "proxy"));
  }
  if (to_origin && !tunnel_stream) {
    r->origin_mux = proto;
    if ((size_t)(session - c->v) < r->begin)
      recall(r->mem, true, session->src_id, &r->mux);
  } else if (col < origin_col(r)) {
    r->mux.to[col] = proto;
  }
  ladder_chain_name(&r->chain, col, "", who, sizeof(who));
  if (tunnel_stream) {
    if (send) {
      char via[48];
      snprintf(via, sizeof(via), " via %s", proto);
      const char *target = *ev_str(e, "authority") ? ev_str(e, "authority") : ev_str(e, "path");
      draw_connect(r, col, via, text, target, e->t);
    } else {
      note(r, "%s sends %s CONNECT response to client", who, proto);
      draw(r, ladder_step(13, 0, col, step, sizeof(step)), col, 0, "%s", text);
    }
  } else if (to_origin) {
    int at = r->kind == FLOW_TUNNEL ? col : 1;
    note(r, send ? "Client issues request via %s to origin" : "Origin sends %s response to Client",
         proto);
    draw(r, ladder_step(send ? 9 : 10, 0, at, step, sizeof(step)), send ? 0 : col, send ? col : 0,
         "%s", text);
  } else if (send) {
    note(r, "Client requests url over %s", proto);
    draw(r, ladder_step(9, 0, col, step, sizeof(step)), 0, col, "%s", text);
    draw_proxy_side(r, col, r->method, r->url, e->t, true);
  } else {
    note(r, "%s sends %s response to client", who, proto);
    draw(r, ladder_step(15, 0, col, step, sizeof(step)), col, 0, "%s", text);
  }
}

static void draw_request(req_ctx *r) {
  const ev_log *c = r->l->client;
  char step[16], who[32];
  draw_jump(r);
  for (size_t i = r->begin; i <= r->end && i < c->n; i++) {
    const ev *e = &c->v[i];
    if (!belongs(r, i))
      continue;
    if (ev_is(e, "TCP_CONNECT", PHASE_END)) {
      const char *group = ev_log_socket_group(c, e->src_id);
      int col = r->kind != FLOW_DIRECT && !starts_with(group, "tcp/") ? 1 : origin_col(r);
      note(r, "Client opens TCP connection to %s",
           ladder_chain_name(&r->chain, col, "Origin", who, sizeof(who)));
      if (ev_has(e, "net_error") && ev_int(e, "net_error") < 0) {
        draw(r, "1-3", 0, col, "TCP connect failed: %s", error_name(ev_int(e, "net_error")));
      } else {
        r->tcp++;
        draw(r, "1-3", 0, col, "TCP connect %s (SYN, SYN_ACK, ACK)", ev_str(e, "address"));
      }
    } else if (ev_is(e, "SSL_CONNECT", PHASE_END)) {
      const char *group = ev_log_socket_group(c, e->src_id);
      int col = origin_col(r);
      if (r->kind != FLOW_DIRECT && starts_with(group, "ssl-proxy/")) {
        col = ladder_chain_hop(&r->chain, group + strlen("ssl-proxy/"));
        col = col ? col : 1;
      }
      draw_tls(r, e, col);
    } else if (ev_is(e, "SOCKS5_CONNECT", PHASE_END) && r->kind != FLOW_DIRECT) {
      draw_socks(r, e);
    } else if (ev_is(e, "SESSION_ALIVE", PHASE_BEGIN) && strcmp(ev_str(e, "role"), "client") == 0) {
      bool origin = session_is_origin(r, e);
      if (origin)
        r->origin_session = e->src_id;
      char where[64];
      if (origin)
        snprintf(where, sizeof(where), "%s",
                 r->kind == FLOW_TUNNEL ? "the origin (inside the tunnel)" : "the origin");
      else if (r->chain.hops > 1)
        snprintf(where, sizeof(where), "%s",
                 ladder_chain_name(&r->chain, session_col(r, e), "", who, sizeof(who)));
      else
        snprintf(where, sizeof(where), "the proxy");
      note(r, "%s session %" PRId64 " starts on the connection to %s", ev_str(e, "protocol"),
           e->src_id, where);
    } else if (ev_is(e, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS", PHASE_NONE)) {
      const char *line = ev_str(e, "line");
      if (strcmp(e->src_type, "CONNECT_JOB") == 0) {
        const ev *tb = ev_log_find(c, "CONNECT_JOB", e->src_id, "HTTP_TUNNEL_CONNECT", PHASE_BEGIN);
        const char *target = tb ? ev_str(tb, "target") : "";
        draw_connect(r, connect_col(r, target), "", line, target, e->t);
      } else if (r->kind == FLOW_TUNNEL || r->kind == FLOW_DIRECT) {
        note(r, "Client issues request via HTTP to origin");
        draw(r, ladder_step(9, 0, r->kind == FLOW_TUNNEL ? origin_col(r) : 1, step, sizeof(step)),
             0, origin_col(r), "%s", line);
      } else {
        note(r, "Client requests url");
        draw(r, ladder_step(9, 0, last_hop(r), step, sizeof(step)), 0, last_hop(r), "%s", line);
        draw_proxy_side(r, last_hop(r), r->method, r->url, e->t, true);
      }
    } else if (ev_is(e, "HTTP_TRANSACTION_READ_RESPONSE_HEADERS", PHASE_NONE)) {
      const char *line = ev_str(e, "line");
      if (strcmp(e->src_type, "CONNECT_JOB") == 0) {
        const ev *tb = ev_log_find(c, "CONNECT_JOB", e->src_id, "HTTP_TUNNEL_CONNECT", PHASE_BEGIN);
        int col = connect_col(r, tb ? ev_str(tb, "target") : "");
        note(r, "%s sends HTTP CONNECT response to client",
             ladder_chain_name(&r->chain, col, "", who, sizeof(who)));
        draw(r, ladder_step(13, 0, col, step, sizeof(step)), col, 0, "%s", line);
      } else if (r->kind == FLOW_TUNNEL || r->kind == FLOW_DIRECT) {
        note(r, "Origin sends HTTP response to Client");
        draw(r, ladder_step(10, 0, r->kind == FLOW_TUNNEL ? origin_col(r) : 1, step, sizeof(step)),
             origin_col(r), 0, "%s", line);
      } else {
        note(r, "%s sends HTTP response to client",
             ladder_chain_name(&r->chain, last_hop(r), "", who, sizeof(who)));
        draw(r, ladder_step(15, 0, last_hop(r), step, sizeof(step)), last_hop(r), 0, "%s", line);
      }
    } else if (ev_is(e, "SPDY_SESSION_SEND_HEADERS", PHASE_NONE) ||
               ev_is(e, "SPDY_SESSION_RECV_HEADERS", PHASE_NONE)) {
      draw_frame(r, e);
    } else if (ev_is(e, "SOCKET_POOL_BOUND", PHASE_NONE) &&
               (strcmp(ev_str(e, "pool"), "ssl_origin") == 0 ||
                strcmp(ev_str(e, "pool"), "ssl_proxy") == 0) &&
               strcmp(ev_str(e, "reuse"), "new") != 0) {
      recall(r->mem, false, ev_ref(e, "socket"), &r->mux);
    } else if (ev_is(e, "HTTP_TUNNEL_CONNECT", PHASE_END) && ev_has(e, "net_error") &&
               ev_int(e, "net_error") < 0) {
      note(r, "tunnel failed: %s", error_name(ev_int(e, "net_error")));
    } else if (ev_is(e, "REQUEST_ALIVE", PHASE_END) && ev_from(e, "REQUEST", r->id) &&
               ev_has(e, "net_error") && ev_int(e, "net_error") < 0) {
      note(r, "request failed: %s", error_name(ev_int(e, "net_error")));
    }
  }
  for (size_t k = 0; k < r->ntls_sockets; k++)
    remember(r->mem, false, r->tls_sockets[k], &r->mux);
  remember(r->mem, true, r->origin_session, &r->mux);
  draw_summary(r);
}

static void write_footer(const ladder_logs *l, FILE *out) {
  const ev_log *client = l->client;
  if (client->bad)
    fprintf(out, "(%zu of the client's %zu NetLog lines were not NetLog JSON and were skipped; "
            "first: line %zu, %s)\n",
            client->bad, client->lines, client->first_bad_line, client->first_bad_reason);
  for (size_t k = 0; k < l->nproxies; k++) {
    const ev_log *log = &l->proxies[k];
    if (log->bad == 0)
      continue;
    char who[32] = "proxy";
    if (l->nproxies > 1)
      snprintf(who, sizeof(who), "proxy %zu", k + 1);
    fprintf(out, "(%zu of the %s's %zu NetLog lines were not NetLog JSON and were skipped; "
            "first: line %zu, %s)\n",
            log->bad, who, log->lines, log->first_bad_line, log->first_bad_reason);
  }
  if (!l->have_proxy)
    fprintf(out, "(no proxy NetLog given: the proxy's own steps are not observed)\n");
}

void ladder_draw(const ladder_logs *l, FILE *out) {
  const ev_log *c = l->client;
  bool *used[LADDER_MAX_PROXY_LOGS] = {0};
  bool failed = false;
  for (size_t k = 0; k < l->nproxies && k < LADDER_MAX_PROXY_LOGS; k++) {
    used[k] = calloc(l->proxies[k].n + 1, sizeof(bool));
    failed = failed || !used[k];
  }
  size_t nreq = 0;
  memory mem = {0};
  ladder_owners own;
  ladder_owners_init(&own, c);
  for (size_t i = 0; i < c->n && !failed; i++) {
    const ev *b = &c->v[i];
    if (!ev_is(b, "REQUEST_ALIVE", PHASE_BEGIN) || strcmp(b->src_type, "REQUEST") != 0)
      continue;
    req_ctx r = {.l = l, .out = out, .id = b->src_id, .begin = i, .end = c->n - 1,
                 .proxy_used = used, .url = ev_str(b, "url"), .method = ev_str(b, "method"),
                 .mem = &mem, .who = &own, .origin_mux = "",
                 .origin_session = -1, .noted_session = -1};
    for (size_t k = 0; k <= LADDER_MAX_HOPS; k++)
      r.mux.to[k] = "";
    for (size_t j = i + 1; j < c->n; j++) {
      if (ev_from(&c->v[j], "REQUEST", r.id) && ev_is(&c->v[j], "REQUEST_ALIVE", PHASE_END)) {
        r.end = j;
        break;
      }
    }
    const ev *pres = ev_log_find(c, "REQUEST", r.id, "PROXY_RESOLUTION", PHASE_END);
    ladder_chain_parse(&r.chain, pres ? ev_str(pres, "proxy_list") : "");
    bool proxied = r.chain.hops > 0;
    // Through a SOCKS proxy as the last hop, http:// too goes through the
    // tunnel to the origin (in origin form).
    bool tunnel = starts_with(r.url, "https://") || (proxied && r.chain.socks[r.chain.hops]);
    r.kind = !proxied ? FLOW_DIRECT : (tunnel ? FLOW_TUNNEL : FLOW_FORWARD);
    fprintf(out, "%s== request %zu: %s %s%s%s\n", nreq ? "\n" : "", nreq + 1, r.method, r.url,
            proxied ? " via " : " (direct)", r.chain.text);
    ladder_chain_header(&r.chain, out);
    draw_request(&r);
    nreq++;
  }
  if (failed)
    fprintf(out, "(out of memory drawing the ladder)\n");
  else if (nreq == 0)
    fprintf(out, "(no requests in the NetLog)\n");
  write_footer(l, out);
  ladder_owners_free(&own);
  free(mem.v);
  for (size_t k = 0; k < LADDER_MAX_PROXY_LOGS; k++)
    free(used[k]);
}
