// The ladder diagram: NetLog events of the client (and optionally of the
// proxy) redrawn as the seed's diagrams (docs/flows.md).
//
// How events become steps. Each client event is attributed to the request
// it was done for (see "who did what" below: the NetLog's links between
// requests, connect jobs, sockets, sessions and streams), and a request's
// events map to the seed's numbered steps:
//   TCP_CONNECT to the proxy                       1-3
//   SSL_CONNECT on an "ssl-proxy/" socket           4-8
//   the request or CONNECT sent to the proxy        9
//   the proxy's TCP to the origin (proxy's log)     10-12
//   the proxy's request to the origin, its answer  13, 14 (F1/F4)
//   the proxy's answer to CONNECT                   13 (tunnel flows)
//   SSL_CONNECT on an "ssl/" socket (tunnel)        14-18
//   the request to the origin, its answer           19, 20
//   the proxy's answer to a forwarded request       15 (F1/F4)
// A request whose first step is 9 or 19 because the pool handed it a live
// socket, session or tunnel (SOCKET_POOL_BOUND reuse, a stream on a session
// that existed before the request) gets the seed's "jump to step N" line;
// a request that merely failed early gets none.
#include "tools/fetch/ladder.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

typedef enum ev_phase { PHASE_NONE, PHASE_BEGIN, PHASE_END } ev_phase;

// One parsed NetLog line. |root| owns the JSON; the strings point into it.
typedef struct ev {
  uint64_t t;
  const char *src_type;
  int64_t src_id;
  const char *type;
  ev_phase phase;
  json_t *params;  // an object (empty when the line had none)
  json_t *root;
} ev;

typedef struct ev_log {
  ev *v;
  size_t n, cap;
  size_t bad;             // lines that were not NetLog JSON
  size_t lines;           // lines seen
  size_t first_bad_line;  // 1-based
  char first_bad_reason[96];
} ev_log;

struct fetch_ladder {
  ev_log client;
  ev_log proxy;
  bool have_proxy;
};

// ---- parsing -------------------------------------------------------------

static void log_bad(ev_log *log, const char *reason) {
  if (log->bad++ == 0) {
    log->first_bad_line = log->lines;
    snprintf(log->first_bad_reason, sizeof(log->first_bad_reason), "%s", reason);
  }
}

static void log_add_line(ev_log *log, const char *line, size_t len) {
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;
  log->lines++;
  if (len == 0) {
    log_bad(log, "empty line");
    return;
  }
  json_error_t jerr;
  json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    log_bad(log, "not JSON");
    return;
  }
  const char *reason = NULL;
  json_t *t = json_object_get(root, "time_us");
  json_t *src = json_object_get(root, "source");
  json_t *src_type = src ? json_object_get(src, "type") : NULL;
  json_t *src_id = src ? json_object_get(src, "id") : NULL;
  json_t *type = json_object_get(root, "type");
  json_t *phase = json_object_get(root, "phase");
  json_t *params = json_object_get(root, "params");
  ev e = {0};
  if (!json_is_object(root))
    reason = "not a JSON object";
  else if (!json_is_integer(t) || json_integer_value(t) < 0)
    reason = "no \"time_us\" number";
  else if (!json_is_string(src_type) || !json_is_integer(src_id))
    reason = "no \"source\" {type, id}";
  else if (!json_is_string(type))
    reason = "no \"type\" string";
  else if (!json_is_string(phase))
    reason = "no \"phase\" string";
  else if (params && !json_is_object(params))
    reason = "\"params\" is not an object";
  if (!reason) {
    const char *ph = json_string_value(phase);
    if (strcmp(ph, "BEGIN") == 0)
      e.phase = PHASE_BEGIN;
    else if (strcmp(ph, "END") == 0)
      e.phase = PHASE_END;
    else if (strcmp(ph, "NONE") == 0)
      e.phase = PHASE_NONE;
    else
      reason = "\"phase\" is not BEGIN, END or NONE";
  }
  if (reason) {
    json_decref(root);
    log_bad(log, reason);
    return;
  }
  if (!params) {
    params = json_object();
    json_object_set_new(root, "params", params);
  }
  e.t = (uint64_t)json_integer_value(t);
  e.src_type = json_string_value(src_type);
  e.src_id = json_integer_value(src_id);
  e.type = json_string_value(type);
  e.params = params;
  e.root = root;
  if (log->n == log->cap) {
    size_t cap = log->cap ? log->cap * 2 : 256;
    ev *v = realloc(log->v, cap * sizeof(ev));
    if (!v) {
      json_decref(root);
      log_bad(log, "out of memory");
      return;
    }
    log->v = v;
    log->cap = cap;
  }
  log->v[log->n++] = e;
}

static void log_free(ev_log *log) {
  for (size_t i = 0; i < log->n; i++)
    json_decref(log->v[i].root);
  free(log->v);
  memset(log, 0, sizeof(*log));
}

fetch_ladder *fetch_ladder_new(void) { return calloc(1, sizeof(fetch_ladder)); }

void fetch_ladder_free(fetch_ladder *l) {
  if (!l)
    return;
  log_free(&l->client);
  log_free(&l->proxy);
  free(l);
}

void fetch_ladder_add_client_line(fetch_ladder *l, const char *json_line, size_t len) {
  log_add_line(&l->client, json_line, len);
}

// Reads JSON lines from |f| into |log|, any line length.
static void log_read_file(ev_log *log, FILE *f) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf)
    return;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == '\n') {
      if (len > 0)
        log_add_line(log, buf, len);
      len = 0;
      continue;
    }
    if (len + 1 == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb)
        break;
      buf = nb;
      cap *= 2;
    }
    buf[len++] = (char)c;
  }
  if (len > 0)
    log_add_line(log, buf, len);
  free(buf);
}

// Reads the NetLog file at |path| into |log|; |who| names it in |err|.
static int read_netlog_file(ev_log *log, const char *who, const char *path, char *err,
                            size_t err_size) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, err_size, "cannot read the %s's NetLog %s", who, path);
    return -1;
  }
  log_read_file(log, f);
  fclose(f);
  return 0;
}

int fetch_ladder_add_proxy_netlog(fetch_ladder *l, const char *path, char *err, size_t err_size) {
  if (read_netlog_file(&l->proxy, "proxy", path, err, err_size) != 0)
    return -1;
  l->have_proxy = true;
  return 0;
}

int fetch_ladder_add_client_netlog(fetch_ladder *l, const char *path, char *err,
                                   size_t err_size) {
  return read_netlog_file(&l->client, "client", path, err, err_size);
}

// ---- lookups ---------------------------------------------------------------

static const char *pstr(const ev *e, const char *key) {
  const char *s = json_string_value(json_object_get(e->params, key));
  return s ? s : "";
}

static bool has(const ev *e, const char *key) { return json_object_get(e->params, key) != NULL; }

static int64_t pint(const ev *e, const char *key) {
  return json_integer_value(json_object_get(e->params, key));
}

static bool pbool(const ev *e, const char *key) {
  return json_is_true(json_object_get(e->params, key));
}

// The id of a {"type","id"} reference parameter, or -1.
static int64_t pref(const ev *e, const char *key) {
  json_t *ref = json_object_get(e->params, key);
  json_t *id = ref ? json_object_get(ref, "id") : NULL;
  return json_is_integer(id) ? json_integer_value(id) : -1;
}

static const char *pref_type(const ev *e, const char *key) {
  json_t *ref = json_object_get(e->params, key);
  const char *s = ref ? json_string_value(json_object_get(ref, "type")) : NULL;
  return s ? s : "";
}

static bool is(const ev *e, const char *type, ev_phase phase) {
  return e->phase == phase && strcmp(e->type, type) == 0;
}

static bool from(const ev *e, const char *src_type, int64_t id) {
  return e->src_id == id && strcmp(e->src_type, src_type) == 0;
}

// The first event |type|/|phase| of source |src_type|/|id|, or NULL.
static const ev *find_ev(const ev_log *log, const char *src_type, int64_t id, const char *type,
                         ev_phase phase) {
  for (size_t i = 0; i < log->n; i++) {
    if (from(&log->v[i], src_type, id) && is(&log->v[i], type, phase))
      return &log->v[i];
  }
  return NULL;
}

// The group id of the connect job that connected |socket_id|
// (CONNECT_JOB_SET_SOCKET), or "".
static const char *socket_group(const ev_log *log, int64_t socket_id) {
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (is(e, "CONNECT_JOB_SET_SOCKET", PHASE_NONE) && pref(e, "socket") == socket_id) {
      const ev *b = find_ev(log, "CONNECT_JOB", e->src_id, "CONNECT_JOB", PHASE_BEGIN);
      return b ? pstr(b, "group_id") : "";
    }
  }
  return "";
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

// A stream's STREAM_ALIVE BEGIN by (session, stream id), or NULL.
static const ev *find_stream(const ev_log *log, int64_t session, int64_t stream_id) {
  const ev *found = NULL;
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (is(e, "STREAM_ALIVE", PHASE_BEGIN) && pref(e, "session") == session &&
        pint(e, "stream_id") == stream_id)
      found = e;  // ids are not reused within a session; keep the last anyway
  }
  return found;
}

// ---- drawing ---------------------------------------------------------------

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
  const fetch_ladder *l;
  FILE *out;
  int64_t id;          // the REQUEST source
  size_t begin, end;   // window [begin, end] in the client log
  flow_kind kind;
  char proxy[256];     // "https://127.0.0.1:36921" or ""
  const char *url;
  const char *method;
  bool *proxy_used;    // proxy REQUEST_ALIVE BEGINs already matched
  memory *mem;
  const struct owners *who;  // which request each client event was for
  const char *proxy_mux;   // SPDY/HTTP2 protocol to the proxy, "" for HTTP/1.1
  const char *origin_mux;  // to the origin
  int64_t origin_socket;   // the tunnel's TLS socket this request created, or -1
  int64_t origin_session;  // the origin session this request started, or -1
  int64_t noted_session;   // a racing request's session already pointed out
  int tcp, tls;            // what this request did
} req_ctx;

// The proxy's request matching what the client sent: |method| and |url|,
// logged at or after |t| (both logs use uv_hrtime), not matched before.
static const ev *match_proxy_request(req_ctx *r, const char *method, const char *url,
                                     uint64_t t) {
  const ev_log *p = &r->l->proxy;
  const ev *fallback = NULL;
  size_t fallback_i = 0;
  for (size_t i = 0; i < p->n; i++) {
    const ev *e = &p->v[i];
    if (r->proxy_used[i] || !is(e, "REQUEST_ALIVE", PHASE_BEGIN) ||
        strcmp(pstr(e, "method"), method) != 0 || strcmp(pstr(e, "url"), url) != 0)
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
  const ev_log *p = &r->l->proxy;
  const ev *bound = find_ev(p, "REQUEST", pr->src_id, "SOCKET_POOL_BOUND", PHASE_NONE);
  if (!bound) {
    const ev *end = find_ev(p, "REQUEST", pr->src_id, "REQUEST_ALIVE", PHASE_END);
    draw(out, "10-12", P_TO_O, "(the proxy made no connection to the origin; it answered %" PRId64
         ")", end ? pint(end, "status") : 0);
    return;
  }
  if (pbool(bound, "reuse")) {
    draw(out, "10-12", P_TO_O, "(proxy reuses its idle connection to %s, socket %" PRId64
         ": no SYN)", pstr(bound, "group_id"), pref(bound, "source_dependency"));
  } else {
    const ev *tcp = find_ev(p, "SOCKET", pref(bound, "source_dependency"), "TCP_CONNECT",
                            PHASE_END);
    draw(out, "10-12", P_TO_O, "TCP connect %s (SYN, SYN_ACK, ACK) for %s",
         tcp ? pstr(tcp, "address") : "?", pstr(bound, "group_id"));
  }
  if (!forwarded)
    return;
  const ev *sent = find_ev(p, "REQUEST", pr->src_id, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS",
                           PHASE_NONE);
  const ev *got = find_ev(p, "REQUEST", pr->src_id, "HTTP_TRANSACTION_READ_RESPONSE_HEADERS",
                          PHASE_NONE);
  draw(out, "", NOTE, "Proxy issues request via HTTP to backend");
  draw(out, "13", P_TO_O, "%s", sent ? pstr(sent, "line") : "(no request in the proxy's NetLog)");
  draw(out, "14", O_TO_P, "%s", got ? pstr(got, "line") : "(no response in the proxy's NetLog)");
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
  const char *frame = pstr(e, "frame");
  bool spdy = strcmp(frame, "SYN_STREAM") == 0 || strcmp(frame, "SYN_REPLY") == 0;
  int64_t id = pint(e, "stream_id");
  const char *method = pstr(e, "method");
  const char *fin = pbool(e, "fin") ? (spdy ? " FLAG_FIN" : " END_STREAM") : "";
  if (*method && spdy) {
    if (strcmp(method, "CONNECT") == 0)
      snprintf(buf, size, "%s stream_id=%" PRId64 " method=CONNECT url=%s%s", frame, id,
               *pstr(e, "path") ? pstr(e, "path") : pstr(e, "authority"), fin);
    else
      snprintf(buf, size, "%s stream_id=%" PRId64 " method=%s url=%s host=%s%s", frame, id,
               method, pstr(e, "path"), pstr(e, "authority"), fin);
  } else if (*method) {
    char scheme[32];
    header_value(pstr(e, "headers"), ":scheme", scheme, sizeof(scheme));
    if (strcmp(method, "CONNECT") == 0)
      snprintf(buf, size, "%s stream_id=%" PRId64 " :method=CONNECT :authority=%s%s", frame, id,
               pstr(e, "authority"), fin);
    else
      snprintf(buf, size, "%s stream_id=%" PRId64 " :method=%s :scheme=%s :authority=%s :path=%s%s",
               frame, id, method, scheme, pstr(e, "authority"), pstr(e, "path"), fin);
  } else if (spdy) {
    snprintf(buf, size, "%s stream_id=%" PRId64 " status=%s%s", frame, id, pstr(e, "status"), fin);
  } else {
    snprintf(buf, size, "%s stream_id=%" PRId64 " :status=%s%s", frame, id, pstr(e, "status"), fin);
  }
}

static void draw_tls(req_ctx *r, const ev *end, bool to_proxy) {
  const ev_log *c = &r->l->client;
  const ev *begin = find_ev(c, "SOCKET", end->src_id, "SSL_CONNECT", PHASE_BEGIN);
  const char *host = begin ? pstr(begin, "host") : "?";
  bool tunnel = !to_proxy && r->kind != FLOW_DIRECT;
  const char *first = to_proxy || r->kind == FLOW_DIRECT ? "4" : "14";
  const char *rest = to_proxy || r->kind == FLOW_DIRECT ? "5-8" : "15-18";
  draw(r->out, "", NOTE, "Client performs SSL handshake with %s%s",
       to_proxy ? "Proxy" : "Origin", tunnel ? " (through proxy tunnel)" : "");
  if (has(end, "net_error") && pint(end, "net_error") < 0) {
    draw(r->out, first, to_proxy ? C_TO_P : C_TO_O, "Client Hello (SNI %s)", host);
    draw(r->out, rest, to_proxy ? P_TO_C : O_TO_C, "handshake failed: %s",
         error_name(pint(end, "net_error")));
    return;
  }
  r->tls++;
  const char *alpn = *pstr(end, "alpn") ? pstr(end, "alpn") : "none";
  if (!to_proxy)
    r->origin_socket = end->src_id;
  draw(r->out, first, to_proxy ? C_TO_P : C_TO_O, "Client Hello (SNI %s)", host);
  draw(r->out, rest, to_proxy ? P_TO_C : O_TO_C,
       "Server Hello ... Finished: %s %s, ALPN %s, resumed %s", pstr(end, "version"),
       pstr(end, "cipher"), alpn, pbool(end, "resumed") ? "yes" : "no");
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
  const char *peer = pstr(session, "peer");
  size_t n = strlen(hp);
  return strncmp(peer, hp, n) == 0 && peer[n] == '|';
}

// ---- who did what --------------------------------------------------------
//
// Each client event gets the REQUEST it was done for, from the links the
// NetLog records: a request's SOCKET_POOL_BOUND names the socket a connect
// job made (CONNECT_JOB_SET_SOCKET), that job's own SOCKET_POOL_BOUND the
// lower socket another job made, and so on down to the TCP connect; a
// tunnel job, which names no socket, is paired with the "new" bound of its
// pool group in the order the jobs finished; a stream names its owner (a
// request, or the tunnel job of a CONNECT); a session starts right after
// the bound of the TLS socket it runs on. Events none of this reaches (a
// connect job whose socket nobody took) go to the oldest request alive.

#define NO_OWNER (-1)

typedef struct owners {
  const ev_log *log;
  int64_t *event_owner;  // per client event: the REQUEST id, or NO_OWNER
  int64_t *job_ids;      // CONNECT_JOB ids and their owners, computed lazily
  int64_t *job_owner;
  size_t njobs;
  int64_t *socket_ids;   // sockets a connect job made, and the job
  int64_t *socket_jobs;
  size_t nsockets;
} owners;

static int64_t owner_of_job(owners *o, int64_t job, int depth);

// The owner of the job that made |socket| (or the request that bound it).
static int64_t owner_of_bound(owners *o, const ev *bound, int depth) {
  if (strcmp(bound->src_type, "REQUEST") == 0)
    return bound->src_id;
  if (strcmp(bound->src_type, "CONNECT_JOB") == 0)
    return owner_of_job(o, bound->src_id, depth + 1);
  return NO_OWNER;
}

// The "new" SOCKET_POOL_BOUND of |socket|, or NULL.
static const ev *bound_of_socket(const ev_log *log, int64_t socket) {
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && pref(e, "socket") == socket &&
        strcmp(pstr(e, "reuse"), "new") == 0)
      return e;
  }
  return NULL;
}

// A tunnel job names no socket: the k-th of its group to finish well made
// the socket of the k-th "new" bound of that group.
static const ev *bound_of_tunnel_job(const ev_log *log, int64_t job, const char *group) {
  size_t rank = 0;
  bool found = false;
  for (size_t i = 0; i < log->n && !found; i++) {
    const ev *e = &log->v[i];
    if (!is(e, "CONNECT_JOB", PHASE_END) || (has(e, "net_error") && pint(e, "net_error") < 0))
      continue;
    const ev *b = find_ev(log, "CONNECT_JOB", e->src_id, "CONNECT_JOB", PHASE_BEGIN);
    if (!b || strcmp(pstr(b, "group_id"), group) != 0)
      continue;
    if (e->src_id == job)
      found = true;
    else
      rank++;
  }
  if (!found)
    return NULL;
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && strcmp(pstr(e, "reuse"), "new") == 0 &&
        strcmp(pstr(e, "group_id"), group) == 0 && rank-- == 0)
      return e;
  }
  return NULL;
}

static int64_t owner_of_job(owners *o, int64_t job, int depth) {
  size_t slot = o->njobs;
  for (size_t i = 0; i < o->njobs; i++) {
    if (o->job_ids[i] == job) {
      if (o->job_owner[i] != NO_OWNER - 1)
        return o->job_owner[i];
      slot = i;
    }
  }
  if (slot == o->njobs || depth > 8)
    return NO_OWNER;  // not a job of this log, or a cycle in a forged one
  o->job_owner[slot] = NO_OWNER;  // provisional: breaks cycles
  const ev_log *log = o->log;
  int64_t owner = NO_OWNER;
  for (size_t i = 0; i < log->n && owner == NO_OWNER; i++) {
    const ev *e = &log->v[i];
    if (is(e, "CONNECT_JOB_SET_SOCKET", PHASE_NONE) && e->src_id == job &&
        strcmp(e->src_type, "CONNECT_JOB") == 0) {
      const ev *b = bound_of_socket(log, pref(e, "socket"));
      if (b)
        owner = owner_of_bound(o, b, depth);
    }
  }
  const ev *begin = find_ev(log, "CONNECT_JOB", job, "CONNECT_JOB", PHASE_BEGIN);
  if (owner == NO_OWNER && begin && strcmp(pstr(begin, "kind"), "http_proxy_tunnel") == 0) {
    const ev *b = bound_of_tunnel_job(log, job, pstr(begin, "group_id"));
    if (b)
      owner = owner_of_bound(o, b, depth);
  }
  o->job_owner[slot] = owner;
  return owner;
}

// The owner named by a {"type","id"} reference to a REQUEST or a job.
static int64_t owner_of_ref(owners *o, const ev *e, const char *key) {
  const char *type = pref_type(e, key);
  if (strcmp(type, "REQUEST") == 0)
    return pref(e, key);
  if (strcmp(type, "CONNECT_JOB") == 0)
    return owner_of_job(o, pref(e, key), 0);
  return NO_OWNER;
}

static int64_t owner_of_event(owners *o, size_t i) {
  const ev_log *log = o->log;
  const ev *e = &log->v[i];
  if (strcmp(e->src_type, "REQUEST") == 0)
    return e->src_id;
  if (strcmp(e->src_type, "CONNECT_JOB") == 0)
    return owner_of_job(o, e->src_id, 0);
  if (strcmp(e->src_type, "STREAM") == 0) {
    const ev *b = find_ev(log, "STREAM", e->src_id, "STREAM_ALIVE", PHASE_BEGIN);
    return b ? owner_of_ref(o, b, "owner") : NO_OWNER;
  }
  if (strcmp(e->src_type, "SOCKET") == 0) {
    for (size_t j = 0; j < o->nsockets; j++) {
      if (o->socket_ids[j] == e->src_id)
        return owner_of_job(o, o->socket_jobs[j], 0);
    }
    return NO_OWNER;
  }
  if (strcmp(e->src_type, "SESSION") == 0) {
    // Only HEADERS are drawn; DATA and WINDOW_UPDATE (many) need no owner.
    if (strcmp(e->type, "SPDY_SESSION_SEND_HEADERS") == 0 ||
        strcmp(e->type, "SPDY_SESSION_RECV_HEADERS") == 0) {
      const ev *s = find_stream(log, e->src_id, pint(e, "stream_id"));
      return s ? owner_of_ref(o, s, "owner") : NO_OWNER;
    }
    if (is(e, "SESSION_ALIVE", PHASE_BEGIN)) {
      for (size_t j = i; j-- > 0;) {
        if (is(&log->v[j], "SOCKET_POOL_BOUND", PHASE_NONE))
          return owner_of_bound(o, &log->v[j], 0);
      }
    }
  }
  return NO_OWNER;
}

static void owners_free(owners *o) {
  free(o->event_owner);
  free(o->job_ids);
  free(o->job_owner);
  free(o->socket_ids);
  free(o->socket_jobs);
  memset(o, 0, sizeof(*o));
}

// Fills |o| for |log|. Out of memory, nobody owns anything and the ladder
// falls back to time windows alone.
static void owners_init(owners *o, const ev_log *log) {
  memset(o, 0, sizeof(*o));
  o->log = log;
  if (log->n == 0)
    return;
  o->event_owner = malloc(log->n * sizeof(int64_t));
  o->job_ids = malloc(log->n * sizeof(int64_t));
  o->job_owner = malloc(log->n * sizeof(int64_t));
  o->socket_ids = malloc(log->n * sizeof(int64_t));
  o->socket_jobs = malloc(log->n * sizeof(int64_t));
  int64_t *alive = malloc(log->n * sizeof(int64_t));  // requests begun, not ended
  if (!o->event_owner || !o->job_ids || !o->job_owner || !o->socket_ids || !o->socket_jobs ||
      !alive) {
    free(alive);
    owners_free(o);
    return;
  }
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (is(e, "CONNECT_JOB", PHASE_BEGIN) && strcmp(e->src_type, "CONNECT_JOB") == 0) {
      o->job_ids[o->njobs] = e->src_id;
      o->job_owner[o->njobs++] = NO_OWNER - 1;  // not computed yet
    } else if (is(e, "CONNECT_JOB_SET_SOCKET", PHASE_NONE) && pref(e, "socket") >= 0) {
      o->socket_ids[o->nsockets] = pref(e, "socket");
      o->socket_jobs[o->nsockets++] = e->src_id;
    }
  }
  // One pass in time order; what nothing links goes to the oldest request
  // alive at that point.
  size_t nalive = 0;
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    bool request = strcmp(e->src_type, "REQUEST") == 0 && strcmp(e->type, "REQUEST_ALIVE") == 0;
    if (request && e->phase == PHASE_BEGIN)
      alive[nalive++] = e->src_id;
    int64_t owner = owner_of_event(o, i);
    if (owner == NO_OWNER && nalive > 0)
      owner = alive[0];
    o->event_owner[i] = owner;
    if (request && e->phase == PHASE_END) {
      for (size_t j = 0; j < nalive; j++) {
        if (alive[j] == e->src_id) {
          memmove(&alive[j], &alive[j + 1], (nalive - j - 1) * sizeof(int64_t));
          nalive--;
          break;
        }
      }
    }
  }
  free(alive);
}

// Whether event |i| of the window belongs to |r| (see owners_init).
static bool belongs(const req_ctx *r, size_t i) {
  if (!r->who->event_owner)
    return true;  // out of memory: time windows alone
  return r->who->event_owner[i] == r->id;
}

// The reuse that lets this request skip steps: writes the jump line.
static void draw_jump(req_ctx *r) {
  const ev_log *c = &r->l->client;
  bool new_proxy_tcp = false;
  const char *proxy_reuse = NULL, *tunnel_reuse = NULL;
  char why[160] = "";
  char why_tunnel[160] = "";
  for (size_t i = r->begin; i <= r->end && i < c->n; i++) {
    const ev *e = &c->v[i];
    if (!belongs(r, i))
      continue;
    if (is(e, "TCP_CONNECT", PHASE_END) && !(has(e, "net_error") && pint(e, "net_error") < 0))
      new_proxy_tcp = true;
    if (is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && strcmp(pstr(e, "reuse"), "new") != 0) {
      const char *pool = pstr(e, "pool");
      if (strcmp(pool, "ssl_origin") == 0 || strcmp(pool, "tunnel") == 0) {
        tunnel_reuse = pool;
        snprintf(why_tunnel, sizeof(why_tunnel), "%s socket %" PRId64 ", %s", pool,
                 pref(e, "socket"), pstr(e, "reuse"));
      } else if (strcmp(pool, "ssl_proxy") == 0 || strcmp(pool, "transport") == 0) {
        proxy_reuse = pool;
        snprintf(why, sizeof(why), "%s socket %" PRId64 ", %s", pool, pref(e, "socket"),
                 pstr(e, "reuse"));
      }
    }
    if (is(e, "STREAM_ALIVE", PHASE_BEGIN) && pref(e, "session") >= 0) {
      const ev *s = find_ev(c, "SESSION", pref(e, "session"), "SESSION_ALIVE", PHASE_BEGIN);
      if (s && (size_t)(s - c->v) < r->begin) {
        bool own = strcmp(pref_type(e, "owner"), "REQUEST") == 0;
        if (own && r->kind == FLOW_TUNNEL && session_is_origin(r, s)) {
          tunnel_reuse = "session";
          snprintf(why_tunnel, sizeof(why_tunnel), "%s session %" PRId64 " to the origin",
                   pstr(s, "protocol"), s->src_id);
        } else if (!session_is_origin(r, s) || r->kind != FLOW_TUNNEL) {
          proxy_reuse = "session";
          snprintf(why, sizeof(why), "%s session %" PRId64 " to the proxy", pstr(s, "protocol"),
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
  const ev_log *c = &r->l->client;
  FILE *out = r->out;
  draw_jump(r);
  for (size_t i = r->begin; i <= r->end && i < c->n; i++) {
    const ev *e = &c->v[i];
    if (!belongs(r, i))
      continue;
    if (is(e, "TCP_CONNECT", PHASE_END)) {
      const char *group = socket_group(c, e->src_id);
      bool to_proxy = r->kind != FLOW_DIRECT && !starts_with(group, "tcp/");
      draw(out, "", NOTE, "Client opens TCP connection to %s", to_proxy ? "Proxy" : "Origin");
      if (has(e, "net_error") && pint(e, "net_error") < 0) {
        draw(out, "1-3", to_proxy ? C_TO_P : C_TO_O, "TCP connect failed: %s",
             error_name(pint(e, "net_error")));
      } else {
        r->tcp++;
        draw(out, "1-3", to_proxy ? C_TO_P : C_TO_O, "TCP connect %s (SYN, SYN_ACK, ACK)",
             pstr(e, "address"));
      }
    } else if (is(e, "SSL_CONNECT", PHASE_END)) {
      const char *group = socket_group(c, e->src_id);
      draw_tls(r, e, r->kind != FLOW_DIRECT && starts_with(group, "ssl-proxy/"));
    } else if (is(e, "SESSION_ALIVE", PHASE_BEGIN) && strcmp(pstr(e, "role"), "client") == 0) {
      bool origin = session_is_origin(r, e);
      if (origin)
        r->origin_session = e->src_id;
      draw(out, "", NOTE, "%s session %" PRId64 " starts on the connection to the %s",
           pstr(e, "protocol"), e->src_id,
           origin ? (r->kind == FLOW_TUNNEL ? "origin (inside the tunnel)" : "origin") : "proxy");
    } else if (is(e, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS", PHASE_NONE)) {
      const char *line = pstr(e, "line");
      if (strcmp(e->src_type, "CONNECT_JOB") == 0) {
        draw(out, "", NOTE, "Client sends CONNECT request to Proxy");
        draw(out, "9", C_TO_P, "%s", line);
        const ev *tb = find_ev(c, "CONNECT_JOB", e->src_id, "HTTP_TUNNEL_CONNECT", PHASE_BEGIN);
        draw_proxy_side(r, "CONNECT", tb ? pstr(tb, "target") : "", e->t, false);
      } else if (r->kind == FLOW_TUNNEL || r->kind == FLOW_DIRECT) {
        draw(out, "", NOTE, "Client issues request via HTTP to origin");
        draw(out, r->kind == FLOW_TUNNEL ? "19" : "9", C_TO_O, "%s", line);
      } else {
        draw(out, "", NOTE, "Client requests url");
        draw(out, "9", C_TO_P, "%s", line);
        draw_proxy_side(r, r->method, r->url, e->t, true);
      }
    } else if (is(e, "HTTP_TRANSACTION_READ_RESPONSE_HEADERS", PHASE_NONE)) {
      const char *line = pstr(e, "line");
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
    } else if (is(e, "SPDY_SESSION_SEND_HEADERS", PHASE_NONE) ||
               is(e, "SPDY_SESSION_RECV_HEADERS", PHASE_NONE)) {
      bool send = strcmp(e->type, "SPDY_SESSION_SEND_HEADERS") == 0;
      const ev *session = find_ev(c, "SESSION", e->src_id, "SESSION_ALIVE", PHASE_BEGIN);
      const ev *stream = find_stream(c, e->src_id, pint(e, "stream_id"));
      if (!session || strcmp(pstr(session, "role"), "client") != 0)
        continue;
      bool to_origin = session_is_origin(r, session);
      bool tunnel_stream = stream && strcmp(pref_type(stream, "owner"), "CONNECT_JOB") == 0;
      if (!tunnel_stream && send && strcmp(pstr(e, "method"), "CONNECT") == 0)
        tunnel_stream = true;
      if (!tunnel_stream && !send && !stream)
        continue;
      char text[768];
      frame_text(e, text, sizeof(text));
      const char *proto = pstr(session, "protocol");
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
          const char *target = *pstr(e, "authority") ? pstr(e, "authority") : pstr(e, "path");
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
    } else if (is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && strcmp(pstr(e, "pool"), "ssl_origin") == 0 &&
               strcmp(pstr(e, "reuse"), "new") != 0) {
      r->proxy_mux = recall(r->mem, false, pref(e, "socket"));
    } else if (is(e, "HTTP_TUNNEL_CONNECT", PHASE_END) && has(e, "net_error") &&
               pint(e, "net_error") < 0) {
      draw(out, "", NOTE, "tunnel failed: %s", error_name(pint(e, "net_error")));
    } else if (is(e, "REQUEST_ALIVE", PHASE_END) && from(e, "REQUEST", r->id) &&
               has(e, "net_error") && pint(e, "net_error") < 0) {
      draw(out, "", NOTE, "request failed: %s", error_name(pint(e, "net_error")));
    }
  }
  remember(r->mem, false, r->origin_socket, r->proxy_mux);
  remember(r->mem, true, r->origin_session, r->proxy_mux);
  draw_summary(r);
}

static void write_footer(const fetch_ladder *l, FILE *out) {
  const struct {
    const char *who;
    const ev_log *log;
  } logs[] = {{"client", &l->client}, {"proxy", &l->proxy}};
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

void fetch_ladder_write(const fetch_ladder *l, FILE *out) {
  const ev_log *c = &l->client;
  bool *used = l->proxy.n ? calloc(l->proxy.n, sizeof(bool)) : NULL;
  if (l->proxy.n && !used) {
    fprintf(out, "(out of memory drawing the ladder)\n");
    return;
  }
  size_t nreq = 0;
  memory mem = {0};
  owners own;
  owners_init(&own, c);
  for (size_t i = 0; i < c->n; i++) {
    const ev *b = &c->v[i];
    if (!is(b, "REQUEST_ALIVE", PHASE_BEGIN) || strcmp(b->src_type, "REQUEST") != 0)
      continue;
    req_ctx r = {.l = l, .out = out, .id = b->src_id, .begin = i, .end = c->n - 1,
                 .proxy_used = used, .url = pstr(b, "url"), .method = pstr(b, "method"),
                 .mem = &mem, .who = &own, .proxy_mux = "", .origin_mux = "", .origin_socket = -1,
                 .origin_session = -1, .noted_session = -1};
    for (size_t j = i + 1; j < c->n; j++) {
      if (from(&c->v[j], "REQUEST", r.id) && is(&c->v[j], "REQUEST_ALIVE", PHASE_END)) {
        r.end = j;
        break;
      }
    }
    const ev *pres = find_ev(c, "REQUEST", r.id, "PROXY_RESOLUTION", PHASE_END);
    const char *list = pres ? pstr(pres, "proxy_list") : "";
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
  owners_free(&own);
  free(mem.v);
  free(used);
}
