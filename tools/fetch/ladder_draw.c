// The ladder's columns and steps (see ladder_draw.h).
#include "tools/fetch/ladder_draw.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

// Who talks to whom: the arrow column of a step.
typedef enum lane {
  C_TO_P,  // client -> proxy
  P_TO_C,
  P_TO_O,  // proxy -> origin (the proxy's own connection)
  O_TO_P,
  C_TO_O,  // client -> origin, through the tunnel (or direct)
  O_TO_C,
  NOTE,    // a "*** ... ***" line
} lane;

static void draw(FILE *out, const char *step, lane where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void draw(FILE *out, const char *step, lane where, const char *fmt, ...) {
  static const char *const kArrows[] = {
      "|---------------->|                  |",
      "|<----------------|                  |",
      "|                 |----------------->|",
      "|                 |<-----------------|",
      "|==================================>|",
      "|<==================================|",
  };
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (where == NOTE) {
    fprintf(out, "       *** %s ***\n", text);
    return;
  }
  char num[16];
  snprintf(num, sizeof(num), "%s)", step);
  fprintf(out, "%-6s %s %s\n", num, kArrows[where], text);
}

// What the request is, as the seed's flows see it.
typedef enum flow_kind {
  FLOW_DIRECT,   // no proxy
  FLOW_FORWARD,  // http:// URL sent to the proxy (F1, F4)
  FLOW_TUNNEL,   // https:// URL through CONNECT (F2, F3, F5, F6)
} flow_kind;

// What an earlier request learnt about a socket or session it created, for
// later requests that reuse it: the protocol spoken to the proxy underneath
// ("" for HTTP/1.1), so a reused tunnel still names its flow.
typedef struct remembered {
  bool session;  // else an origin TLS socket (a tunnel's)
  int64_t id;
  const char *proxy_mux;
} remembered;

typedef struct memory {
  remembered *v;
  size_t n, cap;
} memory;

static void remember(memory *m, bool session, int64_t id, const char *proxy_mux) {
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
  m->v[m->n++] = (remembered){.session = session, .id = id, .proxy_mux = proxy_mux};
}

static const char *recall(const memory *m, bool session, int64_t id) {
  for (size_t i = 0; i < m->n; i++) {
    if (m->v[i].session == session && m->v[i].id == id)
      return m->v[i].proxy_mux;
  }
  return "";
}

typedef struct req_ctx {
  const ladder_logs *l;
  FILE *out;
  int64_t id;          // the REQUEST source
  size_t begin, end;   // window [begin, end] in the client log
  flow_kind kind;
  char proxy[256];     // "https://127.0.0.1:36921" or ""
  const char *url;
  const char *method;
  bool *proxy_used;    // proxy REQUEST_ALIVE BEGINs already matched
  memory *mem;
  const ladder_owners *who;  // which request each client event was for
  const char *proxy_mux;     // SPDY/HTTP2 protocol to the proxy, "" for HTTP/1.1
  const char *origin_mux;    // to the origin
  int64_t origin_socket;   // the tunnel's TLS socket this request created, or -1
  int64_t origin_session;  // the origin session this request started, or -1
  int64_t noted_session;   // a racing request's session already pointed out
  int tcp, tls;            // what this request did
} req_ctx;

// The proxy's request matching what the client sent: |method| and |url|,
// logged at or after |t| (both logs use uv_hrtime), not matched before.
static const ev *match_proxy_request(req_ctx *r, const char *method, const char *url,
                                     uint64_t t) {
  const ev_log *p = r->l->proxy;
  const ev *fallback = NULL;
  size_t fallback_i = 0;
  for (size_t i = 0; i < p->n; i++) {
    const ev *e = &p->v[i];
    if (r->proxy_used[i] || !ev_is(e, "REQUEST_ALIVE", PHASE_BEGIN) ||
        strcmp(ev_str(e, "method"), method) != 0 || strcmp(ev_str(e, "url"), url) != 0)
      continue;
    if (e->t >= t) {
      r->proxy_used[i] = true;
      return e;
    }
    if (!fallback) {
      fallback = e;
      fallback_i = i;
    }
  }
  // Logs from machines whose clocks differ: the first unmatched one.
  if (fallback)
    r->proxy_used[fallback_i] = true;
  return fallback;
}

// Steps 10-12 (and 13-14 for a forwarded request) from the proxy's log.
static void draw_proxy_side(req_ctx *r, const char *method, const char *url, uint64_t t,
                            bool forwarded) {
  FILE *out = r->out;
  draw(out, "", NOTE, "Proxy connects (or reuses connection) to origin");
  const ev *pr = r->l->have_proxy ? match_proxy_request(r, method, url, t) : NULL;
  if (!pr) {
    draw(out, "10-12", P_TO_O, "(not observed: proxy side%s)",
         r->l->have_proxy ? ", no matching request in the proxy's NetLog" : "");
    if (forwarded) {
      draw(out, "13", P_TO_O, "(not observed: proxy side)");
      draw(out, "14", O_TO_P, "(not observed: proxy side)");
    }
    return;
  }
  const ev_log *p = r->l->proxy;
  const ev *bound = ev_log_find(p, "REQUEST", pr->src_id, "SOCKET_POOL_BOUND", PHASE_NONE);
  if (!bound) {
    const ev *end = ev_log_find(p, "REQUEST", pr->src_id, "REQUEST_ALIVE", PHASE_END);
    draw(out, "10-12", P_TO_O, "(the proxy made no connection to the origin; it answered %" PRId64
         ")", end ? ev_int(end, "status") : 0);
    return;
  }
  if (ev_bool(bound, "reuse")) {
    draw(out, "10-12", P_TO_O, "(proxy reuses its idle connection to %s, socket %" PRId64
         ": no SYN)", ev_str(bound, "group_id"), ev_ref(bound, "source_dependency"));
  } else {
    const ev *tcp =
        ev_log_find(p, "SOCKET", ev_ref(bound, "source_dependency"), "TCP_CONNECT", PHASE_END);
    draw(out, "10-12", P_TO_O, "TCP connect %s (SYN, SYN_ACK, ACK) for %s",
         tcp ? ev_str(tcp, "address") : "?", ev_str(bound, "group_id"));
  }
  if (!forwarded)
    return;
  const ev *sent =
      ev_log_find(p, "REQUEST", pr->src_id, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS", PHASE_NONE);
  const ev *got =
      ev_log_find(p, "REQUEST", pr->src_id, "HTTP_TRANSACTION_READ_RESPONSE_HEADERS", PHASE_NONE);
  draw(out, "", NOTE, "Proxy issues request via HTTP to backend");
  draw(out, "13", P_TO_O, "%s", sent ? ev_str(sent, "line") : "(no request in the proxy's NetLog)");
  draw(out, "14", O_TO_P, "%s", got ? ev_str(got, "line") : "(no response in the proxy's NetLog)");
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

static void draw_tls(req_ctx *r, const ev *end, bool to_proxy) {
  const ev_log *c = r->l->client;
  const ev *begin = ev_log_find(c, "SOCKET", end->src_id, "SSL_CONNECT", PHASE_BEGIN);
  const char *host = begin ? ev_str(begin, "host") : "?";
  bool tunnel = !to_proxy && r->kind != FLOW_DIRECT;
  const char *first = to_proxy || r->kind == FLOW_DIRECT ? "4" : "14";
  const char *rest = to_proxy || r->kind == FLOW_DIRECT ? "5-8" : "15-18";
  draw(r->out, "", NOTE, "Client performs SSL handshake with %s%s",
       to_proxy ? "Proxy" : "Origin", tunnel ? " (through proxy tunnel)" : "");
  if (ev_has(end, "net_error") && ev_int(end, "net_error") < 0) {
    draw(r->out, first, to_proxy ? C_TO_P : C_TO_O, "Client Hello (SNI %s)", host);
    draw(r->out, rest, to_proxy ? P_TO_C : O_TO_C, "handshake failed: %s",
         error_name(ev_int(end, "net_error")));
    return;
  }
  r->tls++;
  const char *alpn = *ev_str(end, "alpn") ? ev_str(end, "alpn") : "none";
  if (!to_proxy)
    r->origin_socket = end->src_id;
  draw(r->out, first, to_proxy ? C_TO_P : C_TO_O, "Client Hello (SNI %s)", host);
  draw(r->out, rest, to_proxy ? P_TO_C : O_TO_C,
       "Server Hello ... Finished: %s %s, ALPN %s, resumed %s", ev_str(end, "version"),
       ev_str(end, "cipher"), alpn, ev_bool(end, "resumed") ? "yes" : "no");
}

// The host:port of a request URL ("https://h:p/x" -> "h:p"), into |buf|.
static void url_host_port(const char *url, char *buf, size_t size) {
  const char *p = strstr(url, "://");
  p = p ? p + 3 : url;
  size_t n = strcspn(p, "/?#");
  snprintf(buf, size, "%.*s", (int)n, p);
}

// Whether |session| (a client SESSION_ALIVE BEGIN) is the session to the
// proxy rather than to the origin: its peer key starts with the origin.
static bool session_is_origin(const req_ctx *r, const ev *session) {
  char hp[256];
  url_host_port(r->url, hp, sizeof(hp));
  const char *peer = ev_str(session, "peer");
  size_t n = strlen(hp);
  return strncmp(peer, hp, n) == 0 && peer[n] == '|';
}

// Whether event |i| of the window belongs to |r| (see owners_init).
static bool belongs(const req_ctx *r, size_t i) {
  if (!r->who->event_owner)
    return true;  // out of memory: time windows alone
  return r->who->event_owner[i] == r->id;
}

// The reuse that lets this request skip steps: writes the jump line.
static void draw_jump(req_ctx *r) {
  const ev_log *c = r->l->client;
  bool new_proxy_tcp = false;
  const char *proxy_reuse = NULL, *tunnel_reuse = NULL;
  char why[160] = "";
  char why_tunnel[160] = "";
  for (size_t i = r->begin; i <= r->end && i < c->n; i++) {
    const ev *e = &c->v[i];
    if (!belongs(r, i))
      continue;
    if (ev_is(e, "TCP_CONNECT", PHASE_END) &&
        !(ev_has(e, "net_error") && ev_int(e, "net_error") < 0))
      new_proxy_tcp = true;
    if (ev_is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && strcmp(ev_str(e, "reuse"), "new") != 0) {
      const char *pool = ev_str(e, "pool");
      if (strcmp(pool, "ssl_origin") == 0 || strcmp(pool, "tunnel") == 0) {
        tunnel_reuse = pool;
        snprintf(why_tunnel, sizeof(why_tunnel), "%s socket %" PRId64 ", %s", pool,
                 ev_ref(e, "socket"), ev_str(e, "reuse"));
      } else if (strcmp(pool, "ssl_proxy") == 0 || strcmp(pool, "transport") == 0) {
        proxy_reuse = pool;
        snprintf(why, sizeof(why), "%s socket %" PRId64 ", %s", pool, ev_ref(e, "socket"),
                 ev_str(e, "reuse"));
      }
    }
    if (ev_is(e, "STREAM_ALIVE", PHASE_BEGIN) && ev_ref(e, "session") >= 0) {
      const ev *s = ev_log_find(c, "SESSION", ev_ref(e, "session"), "SESSION_ALIVE", PHASE_BEGIN);
      if (s && (size_t)(s - c->v) < r->begin) {
        bool own = strcmp(ev_ref_type(e, "owner"), "REQUEST") == 0;
        if (own && r->kind == FLOW_TUNNEL && session_is_origin(r, s)) {
          tunnel_reuse = "session";
          snprintf(why_tunnel, sizeof(why_tunnel), "%s session %" PRId64 " to the origin",
                   ev_str(s, "protocol"), s->src_id);
        } else if (!session_is_origin(r, s) || r->kind != FLOW_TUNNEL) {
          proxy_reuse = "session";
          snprintf(why, sizeof(why), "%s session %" PRId64 " to the proxy", ev_str(s, "protocol"),
                   s->src_id);
        }
      }
    }
  }
  if (r->kind == FLOW_TUNNEL && tunnel_reuse) {
    draw(r->out, "", NOTE, "An available tunnel to the origin exists (%s): jump to step 19",
         why_tunnel);
  } else if (r->kind != FLOW_DIRECT && proxy_reuse && !new_proxy_tcp) {
    draw(r->out, "", NOTE, "An available connection to the proxy exists (%s): jump to step 9",
         why);
  }
}

// The flow's name in the seed (F1-F6) and what this request cost.
static void draw_summary(const req_ctx *r) {
  const char *name = "direct";
  if (r->kind == FLOW_FORWARD)
    name = *r->proxy_mux ? "F4" : "F1";
  else if (r->kind == FLOW_TUNNEL)
    name = *r->proxy_mux ? (*r->origin_mux ? "F6" : "F5") : (*r->origin_mux ? "F3" : "F2");
  fprintf(r->out, "       --- flow %s: %s to the proxy, %s to the origin; this request made %d TCP "
          "connect%s and %d TLS handshake%s\n",
          name, r->kind == FLOW_DIRECT ? "nothing" : (*r->proxy_mux ? r->proxy_mux : "http/1.1"),
          r->kind == FLOW_FORWARD ? "http/1.1 (by the proxy)"
                                  : (*r->origin_mux ? r->origin_mux : "http/1.1"),
          r->tcp, r->tcp == 1 ? "" : "s", r->tls, r->tls == 1 ? "" : "s");
}

static void draw_request(req_ctx *r) {
  const ev_log *c = r->l->client;
  FILE *out = r->out;
  draw_jump(r);
  for (size_t i = r->begin; i <= r->end && i < c->n; i++) {
    const ev *e = &c->v[i];
    if (!belongs(r, i))
      continue;
    if (ev_is(e, "TCP_CONNECT", PHASE_END)) {
      const char *group = ev_log_socket_group(c, e->src_id);
      bool to_proxy = r->kind != FLOW_DIRECT && !starts_with(group, "tcp/");
      draw(out, "", NOTE, "Client opens TCP connection to %s", to_proxy ? "Proxy" : "Origin");
      if (ev_has(e, "net_error") && ev_int(e, "net_error") < 0) {
        draw(out, "1-3", to_proxy ? C_TO_P : C_TO_O, "TCP connect failed: %s",
             error_name(ev_int(e, "net_error")));
      } else {
        r->tcp++;
        draw(out, "1-3", to_proxy ? C_TO_P : C_TO_O, "TCP connect %s (SYN, SYN_ACK, ACK)",
             ev_str(e, "address"));
      }
    } else if (ev_is(e, "SSL_CONNECT", PHASE_END)) {
      const char *group = ev_log_socket_group(c, e->src_id);
      draw_tls(r, e, r->kind != FLOW_DIRECT && starts_with(group, "ssl-proxy/"));
    } else if (ev_is(e, "SESSION_ALIVE", PHASE_BEGIN) && strcmp(ev_str(e, "role"), "client") == 0) {
      bool origin = session_is_origin(r, e);
      if (origin)
        r->origin_session = e->src_id;
      draw(out, "", NOTE, "%s session %" PRId64 " starts on the connection to the %s",
           ev_str(e, "protocol"), e->src_id,
           origin ? (r->kind == FLOW_TUNNEL ? "origin (inside the tunnel)" : "origin") : "proxy");
    } else if (ev_is(e, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS", PHASE_NONE)) {
      const char *line = ev_str(e, "line");
      if (strcmp(e->src_type, "CONNECT_JOB") == 0) {
        draw(out, "", NOTE, "Client sends CONNECT request to Proxy");
        draw(out, "9", C_TO_P, "%s", line);
        const ev *tb = ev_log_find(c, "CONNECT_JOB", e->src_id, "HTTP_TUNNEL_CONNECT", PHASE_BEGIN);
        draw_proxy_side(r, "CONNECT", tb ? ev_str(tb, "target") : "", e->t, false);
      } else if (r->kind == FLOW_TUNNEL || r->kind == FLOW_DIRECT) {
        draw(out, "", NOTE, "Client issues request via HTTP to origin");
        draw(out, r->kind == FLOW_TUNNEL ? "19" : "9", C_TO_O, "%s", line);
      } else {
        draw(out, "", NOTE, "Client requests url");
        draw(out, "9", C_TO_P, "%s", line);
        draw_proxy_side(r, r->method, r->url, e->t, true);
      }
    } else if (ev_is(e, "HTTP_TRANSACTION_READ_RESPONSE_HEADERS", PHASE_NONE)) {
      const char *line = ev_str(e, "line");
      if (strcmp(e->src_type, "CONNECT_JOB") == 0) {
        draw(out, "", NOTE, "Proxy sends HTTP CONNECT response to client");
        draw(out, "13", P_TO_C, "%s", line);
      } else if (r->kind == FLOW_TUNNEL || r->kind == FLOW_DIRECT) {
        draw(out, "", NOTE, "Origin sends HTTP response to Client");
        draw(out, r->kind == FLOW_TUNNEL ? "20" : "10", O_TO_C, "%s", line);
      } else {
        draw(out, "", NOTE, "Proxy sends HTTP response to client");
        draw(out, "15", P_TO_C, "%s", line);
      }
    } else if (ev_is(e, "SPDY_SESSION_SEND_HEADERS", PHASE_NONE) ||
               ev_is(e, "SPDY_SESSION_RECV_HEADERS", PHASE_NONE)) {
      bool send = strcmp(e->type, "SPDY_SESSION_SEND_HEADERS") == 0;
      const ev *session = ev_log_find(c, "SESSION", e->src_id, "SESSION_ALIVE", PHASE_BEGIN);
      const ev *stream = ev_log_find_stream(c, e->src_id, ev_int(e, "stream_id"));
      if (!session || strcmp(ev_str(session, "role"), "client") != 0)
        continue;
      bool to_origin = session_is_origin(r, session);
      bool tunnel_stream = stream && strcmp(ev_ref_type(stream, "owner"), "CONNECT_JOB") == 0;
      if (!tunnel_stream && send && strcmp(ev_str(e, "method"), "CONNECT") == 0)
        tunnel_stream = true;
      if (!tunnel_stream && !send && !stream)
        continue;
      char text[768];
      frame_text(e, text, sizeof(text));
      const char *proto = ev_str(session, "protocol");
      size_t session_at = (size_t)(session - c->v);
      if (send && r->who->event_owner && r->who->event_owner[session_at] != r->id &&
          session_at >= r->begin && r->noted_session != session->src_id) {
        // Requests racing to a new server: this one's stream went on the
        // session another request's connection became.
        r->noted_session = session->src_id;
        draw(out, "", NOTE, "%s session %" PRId64 " to the %s was opened for another request; "
             "this stream uses it", proto, session->src_id, to_origin ? "origin" : "proxy");
      }
      if (to_origin && !tunnel_stream) {
        r->origin_mux = proto;
        if ((size_t)(session - c->v) < r->begin)
          r->proxy_mux = recall(r->mem, true, session->src_id);
      } else {
        r->proxy_mux = proto;
      }
      if (tunnel_stream) {
        if (send) {
          draw(out, "", NOTE, "Client sends CONNECT request to Proxy via %s", proto);
          draw(out, "9", C_TO_P, "%s", text);
          const char *target = *ev_str(e, "authority") ? ev_str(e, "authority") : ev_str(e, "path");
          draw_proxy_side(r, "CONNECT", target, e->t, false);
        } else {
          draw(out, "", NOTE, "Proxy sends %s CONNECT response to client", proto);
          draw(out, "13", P_TO_C, "%s", text);
        }
      } else if (to_origin) {
        draw(out, "", NOTE, send ? "Client issues request via %s to origin"
                                 : "Origin sends %s response to Client", proto);
        draw(out, r->kind == FLOW_TUNNEL ? (send ? "19" : "20") : (send ? "9" : "10"),
             send ? C_TO_O : O_TO_C, "%s", text);
      } else if (send) {
        draw(out, "", NOTE, "Client requests url over %s", proto);
        draw(out, "9", C_TO_P, "%s", text);
        draw_proxy_side(r, r->method, r->url, e->t, true);
      } else {
        draw(out, "", NOTE, "Proxy sends %s response to client", proto);
        draw(out, "15", P_TO_C, "%s", text);
      }
    } else if (ev_is(e, "SOCKET_POOL_BOUND", PHASE_NONE) &&
               strcmp(ev_str(e, "pool"), "ssl_origin") == 0 &&
               strcmp(ev_str(e, "reuse"), "new") != 0) {
      r->proxy_mux = recall(r->mem, false, ev_ref(e, "socket"));
    } else if (ev_is(e, "HTTP_TUNNEL_CONNECT", PHASE_END) && ev_has(e, "net_error") &&
               ev_int(e, "net_error") < 0) {
      draw(out, "", NOTE, "tunnel failed: %s", error_name(ev_int(e, "net_error")));
    } else if (ev_is(e, "REQUEST_ALIVE", PHASE_END) && ev_from(e, "REQUEST", r->id) &&
               ev_has(e, "net_error") && ev_int(e, "net_error") < 0) {
      draw(out, "", NOTE, "request failed: %s", error_name(ev_int(e, "net_error")));
    }
  }
  remember(r->mem, false, r->origin_socket, r->proxy_mux);
  remember(r->mem, true, r->origin_session, r->proxy_mux);
  draw_summary(r);
}

static void write_footer(const ladder_logs *l, FILE *out) {
  const struct {
    const char *who;
    const ev_log *log;
  } logs[] = {{"client", l->client}, {"proxy", l->proxy}};
  for (size_t i = 0; i < 2; i++) {
    const ev_log *log = logs[i].log;
    if (log->bad == 0)
      continue;
    fprintf(out, "(%zu of the %s's %zu NetLog lines were not NetLog JSON and were skipped; "
            "first: line %zu, %s)\n",
            log->bad, logs[i].who, log->lines, log->first_bad_line, log->first_bad_reason);
  }
  if (!l->have_proxy)
    fprintf(out, "(no proxy NetLog given: the proxy's own steps are not observed)\n");
}

void ladder_draw(const ladder_logs *l, FILE *out) {
  const ev_log *c = l->client;
  bool *used = l->proxy->n ? calloc(l->proxy->n, sizeof(bool)) : NULL;
  if (l->proxy->n && !used) {
    fprintf(out, "(out of memory drawing the ladder)\n");
    return;
  }
  size_t nreq = 0;
  memory mem = {0};
  ladder_owners own;
  ladder_owners_init(&own, c);
  for (size_t i = 0; i < c->n; i++) {
    const ev *b = &c->v[i];
    if (!ev_is(b, "REQUEST_ALIVE", PHASE_BEGIN) || strcmp(b->src_type, "REQUEST") != 0)
      continue;
    req_ctx r = {.l = l, .out = out, .id = b->src_id, .begin = i, .end = c->n - 1,
                 .proxy_used = used, .url = ev_str(b, "url"), .method = ev_str(b, "method"),
                 .mem = &mem, .who = &own, .proxy_mux = "", .origin_mux = "", .origin_socket = -1,
                 .origin_session = -1, .noted_session = -1};
    for (size_t j = i + 1; j < c->n; j++) {
      if (ev_from(&c->v[j], "REQUEST", r.id) && ev_is(&c->v[j], "REQUEST_ALIVE", PHASE_END)) {
        r.end = j;
        break;
      }
    }
    const ev *pres = ev_log_find(c, "REQUEST", r.id, "PROXY_RESOLUTION", PHASE_END);
    const char *list = pres ? ev_str(pres, "proxy_list") : "";
    size_t n = strcspn(list, ", ;");
    snprintf(r.proxy, sizeof(r.proxy), "%.*s", (int)n, list);
    bool proxied = r.proxy[0] && strcmp(r.proxy, "direct") != 0 &&
                   strncmp(r.proxy, "direct:", 7) != 0;
    if (!proxied)
      r.proxy[0] = '\0';
    r.kind = !proxied ? FLOW_DIRECT
                      : (starts_with(r.url, "https://") ? FLOW_TUNNEL : FLOW_FORWARD);
    fprintf(out, "%s== request %zu: %s %s%s%s\n", nreq ? "\n" : "", nreq + 1, r.method, r.url,
            proxied ? " via " : " (direct)", r.proxy);
    fprintf(out, "%-7s%-17s%-19s%s\n", "step", "Client", "HTTPS Proxy", "Origin Server");
    draw_request(&r);
    nreq++;
  }
  if (nreq == 0)
    fprintf(out, "(no requests in the NetLog)\n");
  write_footer(l, out);
  ladder_owners_free(&own);
  free(mem.v);
  free(used);
}
