#include "tools/fetch/fetch_netlog.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

// A REQUEST source id bound to its transfer.
typedef struct bound_request {
  long long id;
  transfer *t;
} bound_request;

// The remote address last seen for a proxy or an origin.
typedef struct known_address {
  char *key;
  char ip[64];
  int port;
} known_address;

// A connect job or socket and the transfer it was first seen for.
typedef struct bound_source {
  char type;  // 'C' connect job, 'S' socket, 'H' host resolver job
  long long id;
  transfer *t;
} bound_source;

// A client SPDY/HTTP2 session: its protocol, for -v's request lines.
typedef struct session_protocol {
  long long id;
  char name[16];  // "HTTP/2", "SPDY/3.1"
} session_protocol;

// A certificate that failed verification, until its handshake ends.
typedef struct unverified_cert {
  long long socket_id;
  char *text;  // "host (ERR_...: detail)"
} unverified_cert;

struct fetch_netlog {
  transfer **in_flight;  // started attempts, oldest first (finished ones pruned)
  size_t num_in_flight;
  size_t in_flight_cap;
  size_t unbound;  // how many of the newest in_flight await their REQUEST_ALIVE
  bound_request *requests;
  size_t num_requests;
  transfer *last_ended;  // the transfer whose request ended last (redirects)
  // The transfer whose request logged last: connect jobs and sockets are
  // made synchronously in the request's turn, so one first seen now is its.
  transfer *last_active;
  bound_source *sources;
  size_t num_sources;
  known_address *known;
  size_t num_known;
  session_protocol *sessions;
  size_t num_sessions;
  bool certs_unverified;
  bool lean;  // only what the exit status and warnings need (fetch_netlog_set_lean)
  unverified_cert *unverified;
  size_t num_unverified;
};

fetch_netlog *fetch_netlog_new(bool certs_unverified) {
  fetch_netlog *n = CN_NEW(fetch_netlog);
  n->certs_unverified = certs_unverified;
  return n;
}

void fetch_netlog_set_lean(fetch_netlog *n) { n->lean = true; }

// The JSON string value that follows |key| (e.g. "\"type\":\"") in |line|,
// as a pointer and length; false when absent.
static bool find_str(const char *line, size_t len, const char *key, const char **v, size_t *vlen) {
  const char *end = line + len;
  size_t klen = strlen(key);
  const char *p = line;
  while (p + klen <= end && memcmp(p, key, klen) != 0)
    p++;
  if (p + klen > end)
    return false;
  *v = p + klen;
  const char *q = memchr(*v, '"', (size_t)(end - *v));
  if (!q)
    return false;
  *vlen = (size_t)(q - *v);
  return true;
}

// Lean mode: parse only the events the exit status and the certificate
// warnings read (TLS, proxy errors, certificate failures). Skipping the
// others before JSON parsing saves most of fetch's work per request (and
// with CNET_NETLOG_CAPTURE_ERRORS cnet sends only failures anyway).
// Requests are not tied to transfers: connection events go to the oldest
// transfer waiting for its response (exact without --parallel, the
// ladder's rule with it).
static bool lean_wants(const char *line, size_t len) {
  static const char *const kTypes[] = {"SSL_CONNECT", "PROXY_CONNECT_ERROR",
                                       "SSL_CERT_VERIFY_FAILED"};
  const char *v;
  size_t vlen;
  if (!find_str(line, len, "},\"type\":\"", &v, &vlen))
    return true;  // not the expected shape: let the parser judge
  for (size_t i = 0; i < sizeof(kTypes) / sizeof(kTypes[0]); i++) {
    if (vlen == strlen(kTypes[i]) && memcmp(v, kTypes[i], vlen) == 0)
      return true;
  }
  return false;
}

void fetch_netlog_free(fetch_netlog *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->num_known; i++)
    free(n->known[i].key);
  free(n->known);
  free(n->in_flight);
  free(n->requests);
  free(n->sources);
  free(n->sessions);
  for (size_t i = 0; i < n->num_unverified; i++)
    free(n->unverified[i].text);
  free(n->unverified);
  free(n);
}

static bool is_running(const transfer *t) { return t->req != NULL; }

// Drops finished attempts from the in-flight list (readers skip them, so
// they only take room; a freed transfer has left the list already).
static void prune(fetch_netlog *n) {
  size_t k = 0;
  for (size_t i = 0; i < n->num_in_flight; i++) {
    transfer *t = n->in_flight[i];
    if (is_running(t) || i >= n->num_in_flight - n->unbound)
      n->in_flight[k++] = t;
    else
      t->netlog_listed--;
  }
  n->num_in_flight = k;
  if (n->unbound > k)
    n->unbound = k;
}

void fetch_netlog_transfer_started(fetch_netlog *n, transfer *t) {
  t->start_us = t->start_ns / 1000;  // the NetLog's clock is uv_hrtime in µs
  // Pruned only when full, and grown when pruning left it over half full:
  // a pass over the list per request was most of fetch's NetLog work with
  // --parallel 100.
  if (n->num_in_flight == n->in_flight_cap)
    prune(n);
  if (n->num_in_flight >= n->in_flight_cap / 2) {
    n->in_flight_cap = n->in_flight_cap ? n->in_flight_cap * 2 : 16;
    n->in_flight = cn_xrealloc(n->in_flight, n->in_flight_cap * sizeof(*n->in_flight));
  }
  n->in_flight[n->num_in_flight++] = t;
  t->netlog_listed++;
  if (!n->lean)  // lean: no REQUEST_ALIVE comes to bind it
    n->unbound++;
}

void fetch_netlog_transfer_freed(fetch_netlog *n, transfer *t) {
  if (!n)
    return;
  // Removed by memmove where found; not looked for when not listed.
  for (size_t i = 0; t->netlog_listed && i < n->num_in_flight;) {
    if (n->in_flight[i] != t) {
      i++;
      continue;
    }
    if (i >= n->num_in_flight - n->unbound)
      n->unbound--;  // it never got its request
    memmove(&n->in_flight[i], &n->in_flight[i + 1],
            (n->num_in_flight - i - 1) * sizeof(*n->in_flight));
    n->num_in_flight--;
    t->netlog_listed--;
  }
  size_t k = 0;
  for (size_t i = 0; i < n->num_requests; i++)
    if (n->requests[i].t != t)
      n->requests[k++] = n->requests[i];
  n->num_requests = k;
  k = 0;
  for (size_t i = 0; i < n->num_sources; i++)
    if (n->sources[i].t != t)
      n->sources[k++] = n->sources[i];
  n->num_sources = k;
  if (n->last_ended == t)
    n->last_ended = NULL;
  if (n->last_active == t)
    n->last_active = NULL;
}

// Newest first: the requests logging now are among the last bound (a scan
// from the oldest made --repeat 20000 quadratic).
static transfer *bound_transfer(const fetch_netlog *n, long long id) {
  for (size_t i = n->num_requests; i-- > 0;)
    if (n->requests[i].id == id)
      return n->requests[i].t;
  return NULL;
}

static void bind_request(fetch_netlog *n, long long id, transfer *t) {
  n->requests = cn_xrealloc(n->requests, (n->num_requests + 1) * sizeof(*n->requests));
  n->requests[n->num_requests].id = id;
  n->requests[n->num_requests].t = t;
  n->num_requests++;
}

// The transfer connection-level events go to: the oldest running one
// without a response yet.
static transfer *connecting(const fetch_netlog *n) {
  for (size_t i = 0; i < n->num_in_flight; i++) {
    transfer *t = n->in_flight[i];
    if (is_running(t) && !t->got_response)
      return t;
  }
  return NULL;
}

// The transfer events of a connection-level source go to: the one it was
// first seen for (the request that logged last, while it still waits for
// its response), else the oldest transfer waiting (the ladder's rule).
static transfer *source_transfer(fetch_netlog *n, const char *src_type, long long id) {
  char kind = !strcmp(src_type, "CONNECT_JOB") ? 'C'
              : !strcmp(src_type, "SOCKET")    ? 'S'
              : !strcmp(src_type, "HOST_RESOLVER_JOB") ? 'H'
                                                       : 0;
  transfer *fallback =
      n->last_active && is_running(n->last_active) && !n->last_active->got_response
          ? n->last_active
          : connecting(n);
  if (!kind)  // a session serves many requests: the one active now
    return fallback;
  for (size_t i = 0; i < n->num_sources; i++)
    if (n->sources[i].type == kind && n->sources[i].id == id)
      return is_running(n->sources[i].t) ? n->sources[i].t : fallback;
  if (!fallback)
    return NULL;
  n->sources = cn_xrealloc(n->sources, (n->num_sources + 1) * sizeof(*n->sources));
  n->sources[n->num_sources].type = kind;
  n->sources[n->num_sources].id = id;
  n->sources[n->num_sources].t = fallback;
  n->num_sources++;
  return fallback;
}

static const char *str_param(json_t *params, const char *key) {
  json_t *v = json_object_get(params, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long int_param(json_t *params, const char *key) {
  json_t *v = json_object_get(params, key);
  return json_is_integer(v) ? json_integer_value(v) : 0;
}

// Splits "1.2.3.4:443" / "[::1]:443" into |t|'s remote_ip and port.
static void set_remote(char *ip, size_t ip_size, int *port, const char *address) {
  const char *colon = strrchr(address, ':');
  if (!colon)
    return;
  const char *start = address;
  size_t len = (size_t)(colon - address);
  if (start[0] == '[' && len >= 2) {
    start++;
    len -= 2;
  }
  snprintf(ip, ip_size, "%.*s", (int)len, start);
  *port = atoi(colon + 1);
}

// "> " lines of a request head: the request line, then "Name: value" lines
// (the NetLog joins them with "\n"), then an empty "> ".
static void verbose_head(const transfer *t, const char *line, const char *headers) {
  fetch_verbose(t, "> %s\n", line);
  for (const char *p = headers; p && *p;) {
    size_t len = strcspn(p, "\n");
    // SPDY/HTTP2 pseudo-headers are in the request line, but for the
    // authority, shown as curl shows it: as "host".
    if (len > 12 && !strncmp(p, ":authority: ", 12))
      fetch_verbose(t, "> host: %.*s\n", (int)(len - 12), p + 12);
    else if (len > 6 && !strncmp(p, ":host: ", 7))  // SPDY/3.1's
      fetch_verbose(t, "> host: %.*s\n", (int)(len - 7), p + 7);
    else if (len && p[0] != ':')
      fetch_verbose(t, "> %.*s\n", (int)len, p);
    p += len + (p[len] == '\n');
  }
  fetch_verbose(t, ">\n");
}

static const char *session_protocol_name(const fetch_netlog *n, long long id) {
  for (size_t i = 0; i < n->num_sessions; i++)
    if (n->sessions[i].id == id)
      return n->sessions[i].name;
  return NULL;
}

static void on_request_event(fetch_netlog *n, long long id, const char *type, const char *phase,
                             uint64_t time_us, json_t *params) {
  if (!strcmp(type, "REQUEST_ALIVE") && !strcmp(phase, "BEGIN")) {
    const char *url = str_param(params, "url");
    // An attempt that ended before its request began (--max-time) never
    // gets one.
    while (n->unbound && !is_running(n->in_flight[n->num_in_flight - n->unbound]))
      n->unbound--;
    // Requests begin on the loop's next turn, not necessarily in the order
    // they were started: the first waiting transfer with the same URL is
    // this request's, moved to the front of the waiting ones.
    size_t first = n->num_in_flight - n->unbound;
    for (size_t i = first; url && i < n->num_in_flight; i++) {
      transfer *w = n->in_flight[i];
      if (is_running(w) && !strcmp(w->url, url)) {
        memmove(&n->in_flight[first + 1], &n->in_flight[first], (i - first) * sizeof(transfer *));
        n->in_flight[first] = w;
        break;
      }
    }
    transfer *t = NULL;
    transfer *next = n->unbound ? n->in_flight[first] : NULL;
    if (next && (!n->last_ended || (url && !strcmp(url, next->url)))) {
      t = next;
      n->unbound--;
    } else if (n->last_ended && is_running(n->last_ended)) {
      t = n->last_ended;  // a redirect: the same transfer's next request
    } else if (next) {
      t = next;
      n->unbound--;
    }
    n->last_ended = NULL;
    if (t)
      bind_request(n, id, t);
    return;
  }
  transfer *t = bound_transfer(n, id);
  if (!t)
    return;
  n->last_active = t;
  if (!strcmp(type, "REQUEST_ALIVE") && !strcmp(phase, "END")) {
    n->last_ended = t;
  } else if (!strcmp(type, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS")) {
    if (!t->pretransfer_us)
      t->pretransfer_us = time_us;
    verbose_head(t, str_param(params, "line") ? str_param(params, "line") : "",
                 str_param(params, "headers"));
  } else if (!strcmp(type, "PROXY_RESOLUTION") && !strcmp(phase, "END")) {
    const char *list = str_param(params, "proxy_list");
    if (list)
      fetch_verbose(t, "* proxy for %s: %s%s\n", t->url, list,
                    json_is_true(json_object_get(params, "bypassed")) ? " (bypassed)" : "");
  } else if (!strcmp(type, "PROXY_FALLBACK")) {
    const char *chain = str_param(params, "chain"), *next = str_param(params, "next");
    long long err = int_param(params, "net_error");
    fetch_verbose(t, "* proxy %s failed (%s): falling back to %s\n", chain ? chain : "?",
                  cnet_error_name((int)err), next ? next : "?");
  } else if (!strcmp(type, "PROXY_MARKED_BAD")) {
    const char *chain = str_param(params, "chain");
    fetch_verbose(t, "* proxy %s marked bad for %lld ms\n", chain ? chain : "?",
                  int_param(params, "retry_ms"));
  }
}

static void on_connection_event(fetch_netlog *n, const char *src_type, long long src_id,
                                const char *type, const char *phase, uint64_t time_us,
                                json_t *params) {
  if (!strcmp(type, "SESSION_ALIVE") && !strcmp(phase, "BEGIN")) {
    const char *role = str_param(params, "role"), *proto = str_param(params, "protocol");
    if (role && !strcmp(role, "client") && proto) {
      n->sessions = cn_xrealloc(n->sessions, (n->num_sessions + 1) * sizeof(*n->sessions));
      n->sessions[n->num_sessions].id = src_id;
      snprintf(n->sessions[n->num_sessions].name, sizeof(n->sessions[0].name), "%s",
               !strcmp(proto, "h2") ? "HTTP/2" : "SPDY/3.1");
      n->num_sessions++;
    }
    return;
  }
  if (!strcmp(type, "SSL_CERT_VERIFY_FAILED") && n->certs_unverified) {
    // Remembered until the handshake ends: accepted (-k or
    // --proxy-insecure for that hop) or failed.
    const char *host = str_param(params, "host"), *detail = str_param(params, "detail");
    n->unverified = cn_xrealloc(n->unverified, (n->num_unverified + 1) * sizeof(*n->unverified));
    unverified_cert *u = &n->unverified[n->num_unverified++];
    u->socket_id = src_id;
    u->text = cn_xasprintf("%s (%s: %s)", host ? host : "?",
                           cnet_error_name((int)int_param(params, "net_error")),
                           detail ? detail : "");
  }
  if (!strcmp(type, "SSL_CONNECT") && !strcmp(phase, "END")) {
    for (size_t i = 0; i < n->num_unverified; i++) {
      if (n->unverified[i].socket_id != src_id)
        continue;
      if (!int_param(params, "net_error"))  // every accepted certificate is warned about
        fprintf(stderr, "fetch: warning: the certificate of %s was accepted unverified "
                "(-k/--insecure or --proxy-insecure)\n", n->unverified[i].text);
      free(n->unverified[i].text);
      n->unverified[i] = n->unverified[--n->num_unverified];
      break;
    }
  }
  transfer *t = source_transfer(n, src_type, src_id);
  if (!t)
    return;
  if (!strcmp(type, "HOST_RESOLVER_REQUEST") && !strcmp(phase, "END")) {
    if (!t->namelookup_us)
      t->namelookup_us = time_us;
  } else if (!strcmp(type, "TCP_CONNECT_ATTEMPT")) {
    const char *address = str_param(params, "address");
    long long err = int_param(params, "net_error");
    if (err)
      fetch_verbose(t, "* connect to %s failed: %s\n", address ? address : "?",
                    cnet_error_name((int)err));
    else if (address)
      fetch_verbose(t, "*   Trying %s...\n", address);
  } else if (!strcmp(type, "TCP_CONNECT") && !strcmp(phase, "END")) {
    const char *address = str_param(params, "address");
    if (address && !int_param(params, "net_error")) {
      t->num_connects++;
      if (!t->connect_us) {
        t->connect_us = time_us;
        set_remote(t->remote_ip, sizeof(t->remote_ip), &t->remote_port, address);
      }
      fetch_verbose(t, "* Connected to %s\n", address);
    }
  } else if (!strcmp(type, "SSL_CONNECT") && !strcmp(phase, "END")) {
    if (!int_param(params, "net_error"))
      t->appconnect_us = time_us;  // the last handshake: the origin's
    else
      t->tls_error = (int)int_param(params, "net_error");
  } else if (!strcmp(type, "PROXY_CONNECT_ERROR")) {
    t->proxy_error = (int)int_param(params, "net_error");
  } else if (!strcmp(type, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS") &&
             !strcmp(src_type, "CONNECT_JOB")) {
    verbose_head(t, str_param(params, "line") ? str_param(params, "line") : "",
                 str_param(params, "headers"));
  } else if (!strcmp(type, "SPDY_SESSION_SEND_HEADERS")) {
    const char *proto = session_protocol_name(n, src_id);
    const char *method = str_param(params, "method");
    if (!proto || !method || !method[0])
      return;  // a server's session, or not a request
    const char *path = str_param(params, "path"), *authority = str_param(params, "authority");
    bool is_connect = !strcmp(method, "CONNECT");
    if (!is_connect && !t->pretransfer_us)
      t->pretransfer_us = time_us;
    char line[1024];
    snprintf(line, sizeof(line), "%s %s %s", method,
             is_connect || !path || !path[0] ? (authority ? authority : "") : path, proto);
    verbose_head(t, line, str_param(params, "headers"));
  }
}

void fetch_netlog_add_line(fetch_netlog *n, const char *line, size_t len) {
  if (n->lean && !lean_wants(line, len))
    return;
  json_error_t jerr;
  json_t *root = json_loadb(line, len, 0, &jerr);
  if (!root)
    return;
  json_t *src = json_object_get(root, "source");
  const char *src_type = json_string_value(json_object_get(src, "type"));
  json_t *id = json_object_get(src, "id");
  const char *type = json_string_value(json_object_get(root, "type"));
  const char *phase = json_string_value(json_object_get(root, "phase"));
  json_t *time = json_object_get(root, "time_us");
  json_t *params = json_object_get(root, "params");
  if (src_type && json_is_integer(id) && type && phase && json_is_integer(time)) {
    uint64_t time_us = (uint64_t)json_integer_value(time);
    if (!strcmp(src_type, "REQUEST"))
      on_request_event(n, json_integer_value(id), type, phase, time_us, params);
    else
      on_connection_event(n, src_type, json_integer_value(id), type, phase, time_us, params);
  }
  json_decref(root);
}

void fetch_netlog_note_response(fetch_netlog *n, transfer *t) {
  // The key: the proxy, or the origin's scheme://host:port.
  char key[512];
  if (t->proxy_chain && strcmp(t->proxy_chain, "direct") != 0) {
    snprintf(key, sizeof(key), "%s", t->proxy_chain);
  } else {
    const char *url = t->effective_url ? t->effective_url : t->url;
    const char *host = strstr(url, "://");
    size_t len = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/?#") : strlen(url);
    snprintf(key, sizeof(key), "%.*s", (int)len, url);
  }
  for (size_t i = 0; i < n->num_known; i++) {
    known_address *k = &n->known[i];
    if (strcmp(k->key, key) != 0)
      continue;
    if (t->remote_ip[0]) {
      snprintf(k->ip, sizeof(k->ip), "%s", t->remote_ip);
      k->port = t->remote_port;
    } else {
      snprintf(t->remote_ip, sizeof(t->remote_ip), "%s", k->ip);
      t->remote_port = k->port;
    }
    return;
  }
  if (!t->remote_ip[0])
    return;
  n->known = cn_xrealloc(n->known, (n->num_known + 1) * sizeof(*n->known));
  known_address *k = &n->known[n->num_known++];
  k->key = cn_xstrdup(key);
  snprintf(k->ip, sizeof(k->ip), "%s", t->remote_ip);
  k->port = t->remote_port;
}
