// The embedding API (net/cnet.h) over the network session and transactions.
#define CNET_IMPLEMENTATION
#include "net/cnet.h"

#include <nghttp2/nghttp2ver.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zlib.h>

#include <nghttp2/nghttp2.h>  // nghttp2_version()

#include "base/arena.h"
#include "base/bytebuf.h"
#include "base/list.h"
#include "base/mem.h"
#include "base/string_intern.h"
#include "base/tick_queue.h"
#include "net/base/netlog_chrome.h"
#include "net/base/netlog_counters.h"
#include "net/base/netlog_json.h"
#include "net/base/url.h"
#include "net/dns/host_resolver.h"
#include "net/http/http_network_session.h"
#include "net/http/http_transaction.h"
#include "net/http/http_upload.h"
#include "net/proxy_resolution/proxy_config.h"
#include "net/proxy_resolution/proxy_service.h"
#include "net/cnet_pac.h"
#include "net/socket/ssl_socket.h"
#include "net/socket/stream_socket.h"

// The last certificate failures the NetLog reported (SSL_CERT_ERROR), one
// per hop, for the requests that failed on them (cnet_request_get_cert_error).
#define CERT_RECORDS 8
typedef struct cert_record {
  bool used;
  bool is_proxy;
  int error;
  char server[300];  // host:port
  char subject[256];
  char issuer[256];
} cert_record;

// The bound of the context's route strings (route_string).
#define ROUTE_STRINGS_MAX 256

struct cnet_context {
  uv_loop_t *loop;
  cn_netlog netlog;
  cn_netlog_counters counters;
  cn_netlog_observer json_observer;
  cn_bytebuf json_line;
  void (*netlog_cb)(void *arg, const char *json_line, size_t len);
  void *netlog_arg;
  bool netlog_errors_only;  // CNET_NETLOG_CAPTURE_ERRORS
  FILE *netlog_chrome_file;  // netlog_chrome_path, written by netlog_chrome
  cn_netlog_chrome_writer netlog_chrome;
  cn_netlog_observer request_observer;  // load timing steps, certificate failures
  cert_record cert_records[CERT_RECORDS];
  size_t next_cert_record;
  cn_host_resolver *resolver;
  cn_ssl_context *origin_ctx;
  cn_ssl_context *proxy_ctx;
  cn_proxy_service *proxy_service;
  cnet_pac *pac;  // the PAC script's fetch, with pac_url / pac_wpad
  cn_http_network_session *session;
  cn_list_node requests;  // live cnet_request.link
  char *proxy_user;       // for requests' own proxies (options.proxy_user)
  cn_http_timeouts timeouts;  // every request's, unless it sets its own
  unsigned proxy_auth_schemes;
  // Strings of the requests' route reports (route_string), at most
  // ROUTE_STRINGS_MAX of them.
  cn_string_intern route_strings;
  cn_tick_queue *ticks;  // work for the next loop turn
};

// Load timing kept compactly: each step as microseconds after the request's
// start plus one (0: not reached), 4 bytes instead of 8, expanded into the
// public cnet_load_timing only when asked (cnet_request_get_load_timing).
// A step past 71 minutes saturates. proxy_tls_* is hop_tls_*[0]. The
// proxies' TLS steps (64 bytes) are made only for a request with a TLS hop.
enum {
  TS_PROXY_RESOLVE_START,
  TS_PROXY_RESOLVE_END,
  TS_DNS_START,
  TS_DNS_END,
  TS_CONNECT_START,
  TS_CONNECT_END,
  TS_TUNNEL_START,
  TS_TUNNEL_END,
  TS_ORIGIN_TLS_START,
  TS_ORIGIN_TLS_END,
  TS_SEND_START,
  TS_SEND_END,
  TS_RECEIVE_HEADERS_START,
  TS_RECEIVE_HEADERS_END,
  TS_END,
  TS_HOP_TLS_START,                                      // CNET_MAX_PROXY_HOPS of them
  TS_HOP_TLS_END = TS_HOP_TLS_START + CNET_MAX_PROXY_HOPS,  // as many
  TS_COUNT = TS_HOP_TLS_END + CNET_MAX_PROXY_HOPS,
};
static const size_t ts_field[TS_HOP_TLS_START] = {
    [TS_PROXY_RESOLVE_START] = offsetof(cnet_load_timing, proxy_resolve_start),
    [TS_PROXY_RESOLVE_END] = offsetof(cnet_load_timing, proxy_resolve_end),
    [TS_DNS_START] = offsetof(cnet_load_timing, dns_start),
    [TS_DNS_END] = offsetof(cnet_load_timing, dns_end),
    [TS_CONNECT_START] = offsetof(cnet_load_timing, connect_start),
    [TS_CONNECT_END] = offsetof(cnet_load_timing, connect_end),
    [TS_TUNNEL_START] = offsetof(cnet_load_timing, tunnel_start),
    [TS_TUNNEL_END] = offsetof(cnet_load_timing, tunnel_end),
    [TS_ORIGIN_TLS_START] = offsetof(cnet_load_timing, origin_tls_start),
    [TS_ORIGIN_TLS_END] = offsetof(cnet_load_timing, origin_tls_end),
    [TS_SEND_START] = offsetof(cnet_load_timing, send_start),
    [TS_SEND_END] = offsetof(cnet_load_timing, send_end),
    [TS_RECEIVE_HEADERS_START] = offsetof(cnet_load_timing, receive_headers_start),
    [TS_RECEIVE_HEADERS_END] = offsetof(cnet_load_timing, receive_headers_end),
    [TS_END] = offsetof(cnet_load_timing, end),
};
typedef struct request_timing {
  uint64_t start;  // request_start
  uint32_t *hop_at;  // TS_COUNT - TS_HOP_TLS_START of them, or NULL: none yet
  uint32_t at[TS_HOP_TLS_START];  // then the flags: no padding hole
  bool socket_reused, tunnel_reused, proxy_reused;
} request_timing;

// Step |i| at |us| (a time of cn_socket_timing_now; before the start counts
// as the start).
static void timing_set(request_timing *t, int i, uint64_t us) {
  uint64_t off = us > t->start ? us - t->start : 0;
  uint32_t v = off >= UINT32_MAX - 1 ? UINT32_MAX : (uint32_t)off + 1;
  if (i < TS_HOP_TLS_START) {
    t->at[i] = v;
    return;
  }
  if (!t->hop_at)
    t->hop_at = cn_xcalloc(TS_COUNT - TS_HOP_TLS_START, sizeof(uint32_t));
  t->hop_at[i - TS_HOP_TLS_START] = v;
}
static uint64_t timing_get(const request_timing *t, int i) {
  uint32_t v = i < TS_HOP_TLS_START ? t->at[i] : t->hop_at ? t->hop_at[i - TS_HOP_TLS_START] : 0;
  return v ? t->start + v - 1 : 0;
}
// Forgets every step but the start.
static void timing_reset(request_timing *t) {
  uint64_t start = t->start;
  free(t->hop_at);
  memset(t, 0, sizeof(*t));
  t->start = start;
}

// What served a request's response, layer by layer: cnet_request_layers
// without its fixed array of hops, its strings shared through the context
// (route_string): one request is alive per open stream (bench/scale).
// Made again at each response.
typedef struct route_report {
  // The strings below are the context's (route_string) but for a long
  // status line and past the context's bound: those are here. Reset at
  // each response.
  cn_arena strings;
  const char *proxy_chain;  // NULL until the first response
  const char *status_line;  // |status_inline| or in |strings|
  const char *protocol;
  cnet_tls_info origin_tls;
  // num_hops of them (NULL: none); the proxy's fields of cnet_request_layers
  // are the last one's.
  cnet_proxy_hop *hops;
  int resends;
  uint8_t num_hops;
  bool has_proxy;
  bool session;
  bool connection_reused;
  // The usual status line ("HTTP/2 200", "HTTP/1.1 404 Not Found") fits
  // here: no allocation for it.
  char status_inline[24];
} route_report;

// A failed request's report: its certificate failure and the hop that
// failed. Made only when there is something to report, so that a request
// (one per open stream: bench/scale) stays small.
typedef struct failure_report {
  cnet_cert_error cert_error;  // strings point at the copies below
  char cert_url[400];  // "https://" and a cert_record server
  cert_record cert;
  char error_proxy[CN_PROXY_SERVER_STR_SIZE];
  char error_description[CN_PROXY_SERVER_STR_SIZE + 8];
} failure_report;

struct cnet_request {
  cnet_context *ctx;
  cn_list_node link;
  cnet_request_callbacks cb;
  void *arg;
  // The request as given (copied): the method and the body are in |info|
  // (its method static for the usual methods, see request_set_method).
  cn_http_headers headers;
  cn_url url;
  // The current URL as text (after redirects), made only when asked
  // (cnet_request_get_info); NULL until then.
  char *url_text;
  struct callback_upload *cb_upload;  // |info.upload| when read by callback
  cnet_redirect_fn on_redirect;
  cn_proxy_service *proxy_service;  // the request's own proxy; NULL: the context's
  // The context's with the request's overrides; total_ms is what is left
  // of the total from start_ms (moved on at each exchange). The
  // transaction borrows it.
  cn_http_timeouts timeouts;
  uint64_t start_ms;
  // The exchange: |info| is what the transaction sends (method, URL,
  // headers, body), owned here.
  cn_http_request_info info;
  cn_http_transaction *txn;
  cn_iobuf *buf;
  // The loop tick posted: until the first exchange starts, on_first_tick;
  // once the body has started, a resume's (never both: resume reads only
  // after on_response).
  cn_tick *tick;
  // For cnet_request_get_info, cnet_request_get_layers and
  // cnet_request_status_line: what served the response (note_connection).
  route_report route;
  // Load timing (cnet_request_get_load_timing): the exchange's NetLog
  // source (on_request_entry fills the steps it logs) and the rest.
  cn_netlog_source txn_source;
  request_timing timing;
  failure_report *failure;  // NULL: nothing to report
  // Authentication: the rest (made only for a request with an identity or
  // a hook); the schemes are below.
  struct request_auth *auth;
  // The small fields last, together, so that the struct has no padding
  // holes (one per open stream: bench/scale).
  int max_redirects;
  int redirects;
  // Backpressure (cnet_request_pause): a body read that completes while
  // paused is held (|held_rv|, its bytes in |buf|) until resume.
  int held_rv;
  // cnet_request_get_error_source, filled just before on_complete.
  int error_hop;
  // The schemes the origin may be answered with.
  unsigned auth_schemes;
  uint8_t priority;  // a cn_request_priority
  // Callbacks may cancel: a cancel inside one only marks the request, and
  // the code that ran the callback frees it afterwards. The depth of
  // callbacks running (never more than a few: none is run re-entrantly).
  uint8_t in_callback;
  bool follow_redirects : 1;
  bool decode : 1;
  bool in_redirect_hook : 1;  // cnet_request_set_redirect_header() may run
  bool cancelled : 1;
  bool paused : 1;
  bool body_started : 1;  // on_response ran: body reads may go on
  bool read_pending : 1;  // a transaction read is outstanding
  bool held : 1;
  // A certificate failure (cnet_request_get_cert_error), set in complete().
  bool has_cert_error : 1;
  bool method_owned : 1;  // |method| is a copy to free
};

// A request's authentication (cnet_request_set_auth): the application's
// hook, the origin's up-front identity (for |url|'s origin only), and a
// challenge waiting for the application's answer. Apart from the request
// because most requests have none of it.
typedef struct request_auth {
  cnet_auth_fn on_auth;
  char *user;  // NULL: none given
  char *password;
  cn_url url;  // the origin |user| is for (set with |user|)
  bool waiting;
  bool tunnel;  // the waiting challenge is a CONNECT's
  bool proxy;
  // The answer, applied from the loop (|tick|).
  bool cancel;
  char *answer_user;
  char *answer_password;
  cn_tick *tick;
} request_auth;

static failure_report *request_failure(cnet_request *r) {
  if (!r->failure)
    r->failure = CN_NEW(failure_report);
  return r->failure;
}

// --- errors ---

_Static_assert(CNET_MAX_PROXY_HOPS == CN_HTTP_MAX_HOPS, "every hop of a chain is reported");
// cnet.h's CNET_ERR_* and the internal CN_ERR_* come from the same table.
_Static_assert((int)CNET_ERR_TIMED_OUT == (int)CN_ERR_TIMED_OUT, "cnet.h's error codes are cnet's");
_Static_assert((int)CNET_ERR_INVALID_HEADER == (int)CN_ERR_INVALID_HEADER, "cnet.h's error codes are cnet's");

void cnet_get_library_versions(cnet_library_versions *out) {
  // BoringSSL has no release numbers and is inside libcnet: its revision,
  // as cnet_version() gives it. The others answer at run time (the shared
  // libraries actually loaded).
  out->boringssl = CNET_BORINGSSL_REVISION " (Debian " CNET_BORINGSSL_DEBIAN_VERSION ")";
  out->libuv = uv_version_string();
  out->nghttp2 = nghttp2_version(0)->version_str;
  out->zlib = zlibVersion();
}

const char *cnet_error_name(int error) { return cn_error_name(error); }
const char *cnet_error_message(int error) { return cn_error_message(error); }

// --- NetLog forwarding ---

// Whether |e| reports a failure: a negative net_error parameter.
static bool entry_is_failure(const cn_netlog_entry *e) {
  const cn_netlog_param *err = cn_netlog_entry_param(e, "net_error");
  return err && err->kind == CN_NETLOG_PARAM_INT && err->i < 0;
}

static void on_netlog_entry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
  cnet_context *c = CN_CONTAINER_OF(obs, cnet_context, json_observer);
  if (c->netlog_errors_only && !entry_is_failure(e))
    return;  // CNET_NETLOG_CAPTURE_ERRORS: nothing formatted for the others
  cn_bytebuf_clear(&c->json_line);
  cn_netlog_entry_to_json(e, &c->json_line);
  cn_bytebuf_append(&c->json_line, "", 1);  // NUL for the callback's convenience
  c->netlog_cb(c->netlog_arg, (const char *)cn_bytebuf_head(&c->json_line),
               cn_bytebuf_len(&c->json_line) - 1);
}

// --- certificate failures ---

static void copy_param(const cn_netlog_entry *e, const char *key, char *out, size_t size) {
  const cn_netlog_param *p = cn_netlog_entry_param(e, key);
  snprintf(out, size, "%s", p && p->kind == CN_NETLOG_PARAM_STR && p->s ? p->s : "");
}

// The request whose current exchange logs on |source|, or NULL.
static cnet_request *request_of_source(cnet_context *c, cn_netlog_source source) {
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &c->requests) {
    cnet_request *r = CN_CONTAINER_OF(it, cnet_request, link);
    if (r->txn_source.id == source.id)
      return r;
  }
  return NULL;
}

// Load timing from the exchange's own events: proxy resolution, and the
// HTTP/1.1 request and response head.
static void note_request_step(cnet_context *c, const cn_netlog_entry *e) {
  int begin, end;
  cnet_request *r;
  switch (e->type) {
    case CN_NETLOG_PROXY_RESOLUTION:
    case CN_NETLOG_HTTP_TRANSACTION_SEND_REQUEST:
    case CN_NETLOG_HTTP_TRANSACTION_READ_HEADERS:
      if (e->source.type != CN_NETLOG_SOURCE_REQUEST || !(r = request_of_source(c, e->source)))
        return;
      break;
    default:
      return;
  }
  if (e->type == CN_NETLOG_PROXY_RESOLUTION) {
    begin = TS_PROXY_RESOLVE_START;
    end = TS_PROXY_RESOLVE_END;
  } else if (e->type == CN_NETLOG_HTTP_TRANSACTION_SEND_REQUEST) {
    begin = TS_SEND_START;
    end = TS_SEND_END;
  } else {
    begin = TS_RECEIVE_HEADERS_START;
    end = TS_RECEIVE_HEADERS_END;
  }
  if (e->phase == CN_NETLOG_PHASE_BEGIN)
    timing_set(&r->timing, begin, e->time_us);
  else if (e->phase == CN_NETLOG_PHASE_END)
    timing_set(&r->timing, end, e->time_us);
}

// Keeps the latest SSL_CERT_ERROR of each hop. Connect jobs are shared by
// the requests of a group (late binding), so the failure is matched to a
// request by the hop it names, not by the job.
static void on_request_entry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
  cnet_context *c = CN_CONTAINER_OF(obs, cnet_context, request_observer);
  if (e->type != CN_NETLOG_SSL_CERT_ERROR) {
    note_request_step(c, e);
    return;
  }
  const cn_netlog_param *hop = cn_netlog_entry_param(e, "hop");
  const cn_netlog_param *err = cn_netlog_entry_param(e, "net_error");
  cert_record rec = {.used = true};
  rec.is_proxy = hop && hop->s && strcmp(hop->s, "proxy") == 0;
  rec.error = err ? (int)err->i : CN_ERR_CERT_INVALID;
  copy_param(e, "server", rec.server, sizeof(rec.server));
  copy_param(e, "subject", rec.subject, sizeof(rec.subject));
  copy_param(e, "issuer", rec.issuer, sizeof(rec.issuer));
  size_t slot = c->next_cert_record;
  for (size_t i = 0; i < CERT_RECORDS; i++) {
    const cert_record *r = &c->cert_records[i];
    if (r->used && r->is_proxy == rec.is_proxy && strcmp(r->server, rec.server) == 0) {
      slot = i;  // the same hop again: replaced in place
      break;
    }
  }
  if (slot == c->next_cert_record)
    c->next_cert_record = (c->next_cert_record + 1) % CERT_RECORDS;
  c->cert_records[slot] = rec;
}

static const cert_record *find_cert_record(const cnet_context *c, bool is_proxy,
                                           const char *server) {
  for (size_t i = 0; i < CERT_RECORDS; i++) {
    const cert_record *r = &c->cert_records[i];
    if (r->used && r->is_proxy == is_proxy && strcmp(r->server, server) == 0)
      return r;
  }
  return NULL;
}

// Fills the request's certificate-error report for |error| from the
// context's records: the origin for a CERT_* error, else the first hop of
// the chain tried last ("[https://p1:443 https://p2:443]" or one proxy) that
// has a record.
static void note_cert_error(cnet_request *r, int error) {
  const cert_record *rec = NULL;
  int index = -1;
  char url[sizeof(r->failure->cert_url)] = "";
  if (cn_error_is_certificate_error(error)) {
    char server[300];
    // As the TLS job names its peer (host:port, an IPv6 literal in brackets).
    bool v6 = strchr(r->url.host, ':') != NULL;
    snprintf(server, sizeof(server), "%s%s%s:%d", v6 ? "[" : "", r->url.host, v6 ? "]" : "",
             r->url.port);
    rec = find_cert_record(r->ctx, false, server);
    snprintf(url, sizeof(url), "https://%s", server);
  } else if (error == CN_ERR_PROXY_CERTIFICATE_INVALID && r->txn) {
    cn_http_transaction_info ti;
    cn_http_transaction_get_info(r->txn, &ti);
    const char *p = ti.proxy_chain;
    for (int k = 0; *p && !rec; k++) {
      p += strspn(p, "[ ");
      size_t n = strcspn(p, " ]");
      if (!n)
        break;
      const char *sep = strstr(p, "://");
      const char *host = sep && sep < p + n ? sep + 3 : p;
      char server[300];
      snprintf(server, sizeof(server), "%.*s", (int)(p + n - host), host);
      rec = find_cert_record(r->ctx, true, server);
      if (rec) {
        index = k;
        snprintf(url, sizeof(url), "%.*s", (int)n, p);
      }
      p += n;
    }
  }
  if (!rec)
    return;
  r->has_cert_error = true;
  failure_report *f = request_failure(r);
  f->cert = *rec;
  snprintf(f->cert_url, sizeof(f->cert_url), "%s", url);
  f->cert_error.error = rec->error;
  f->cert_error.is_proxy = rec->is_proxy;
  f->cert_error.proxy_index = index;
  f->cert_error.url = f->cert_url;
  f->cert_error.subject = f->cert.subject;
  f->cert_error.issuer = f->cert.issuer;
}

bool cnet_request_get_cert_error(const cnet_request *r, cnet_cert_error *out) {
  memset(out, 0, sizeof(*out));
  if (!r->has_cert_error)
    return false;
  *out = r->failure->cert_error;
  return true;
}

// --- version ---

#define CNET_STR2(x) #x
#define CNET_STR(x) CNET_STR2(x)
#define CNET_DOTTED(major, minor, patch) CNET_STR(major) "." CNET_STR(minor) "." CNET_STR(patch)

// The versions compiled in: BoringSSL's from its source tree (GN defines
// them, see net/BUILD.gn), the others from their headers.
const char *cnet_version(void) {
  return "cnet/" CNET_DOTTED(CNET_VERSION_MAJOR, CNET_VERSION_MINOR, CNET_VERSION_PATCH)
         " BoringSSL/" CNET_BORINGSSL_REVISION " (Debian " CNET_BORINGSSL_DEBIAN_VERSION ")"
         " libuv/" CNET_DOTTED(UV_VERSION_MAJOR, UV_VERSION_MINOR, UV_VERSION_PATCH)
         " nghttp2/" NGHTTP2_VERSION " zlib/" ZLIB_VERSION;
}

// --- options structs that grow ---

// Copies the application's options struct of |app_size| bytes into |out|
// (|size| bytes, this library's layout): fields the application does not
// know keep their zero defaults, fields this library does not know are not
// read. |app_size| 0 (a zeroed struct, no _init) is read as this library's
// own layout: source code that zero-initialises keeps working, and every
// field it sets is seen.
static void copy_options(void *out, size_t size, const void *app, size_t app_size) {
  memset(out, 0, size);
  size_t n = app_size ? app_size : size;
  memcpy(out, app, n < size ? n : size);
}

// --- context ---

void cnet_context_options_init(cnet_context_options *o) {
  memset(o, 0, sizeof(*o));
  o->struct_size = sizeof(*o);
  o->tcp_connect_timeout_ms = CN_HTTP_DEFAULT_TCP_CONNECT_TIMEOUT_MS;
  o->tls_handshake_timeout_ms = CN_HTTP_DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
  o->tunnel_timeout_ms = CN_HTTP_DEFAULT_TUNNEL_TIMEOUT_MS;
  o->stream_wait_timeout_ms = CN_HTTP_DEFAULT_STREAM_WAIT_TIMEOUT_MS;
  o->response_headers_timeout_ms = CN_HTTP_DEFAULT_RESPONSE_HEADERS_TIMEOUT_MS;
  o->body_idle_timeout_ms = CN_HTTP_DEFAULT_BODY_IDLE_TIMEOUT_MS;
}

// A timeout field of an application's options struct of |app_size| bytes
// (the field at |offset|, copied by copy_options): its value when the
// application's struct has the field, else |def|. A struct not made by the
// _init functions (|app_size| 0) has its zeros read as |def| too: a zeroed
// struct must not turn every timeout off.
static uint64_t timeout_field(uint64_t value, size_t offset, size_t app_size, uint64_t def) {
  if (app_size == 0)
    return value ? value : def;
  return offset + sizeof(uint64_t) <= app_size ? value : def;
}
#define CONTEXT_TIMEOUT(o, field, app_size, def) \
  timeout_field((o)->field, offsetof(cnet_context_options, field), (app_size), (def))

static const char *env_get(void *arg, const char *name) { return getenv(name); }

static void apply_proxy_user(cn_proxy_list *list, const char *user_pass) {
  const char *colon = strchr(user_pass, ':');
  for (size_t i = 0; i < list->count; i++) {
    for (size_t k = 0; k < list->chains[i].count; k++) {
      cn_proxy_server *s = &list->chains[i].servers[k];
      if (s->username)
        continue;
      s->username = colon ? cn_xstrndup(user_pass, (size_t)(colon - user_pass))
                          : cn_xstrdup(user_pass);
      s->password = cn_xstrdup(colon ? colon + 1 : "");
    }
  }
}

// The credentials for proxies without their own, in every list of |cfg|.
static void apply_proxy_user_to_config(cn_proxy_config *cfg, const char *user_pass) {
  apply_proxy_user(&cfg->single, user_pass);
  apply_proxy_user(&cfg->for_http, user_pass);
  apply_proxy_user(&cfg->for_https, user_pass);
  apply_proxy_user(&cfg->fallback, user_pass);
}

static int make_proxy_service(cnet_context *c, const cnet_context_options *o, char *err,
                              size_t err_size) {
  const char *pac_url = o->pac_url ? o->pac_url : o->pac_wpad ? CNET_PAC_WPAD_URL : NULL;
  if (pac_url && o->proxy) {
    snprintf(err, err_size, "proxy and pac_url are exclusive: the PAC script decides the proxy");
    return CN_ERR_INVALID_ARGUMENT;
  }
  if (pac_url)
    return cnet_pac_new(c, pac_url, o->pac_mandatory, c->resolver, &c->netlog,
                        &c->proxy_service, &c->pac, err, err_size);
  cn_proxy_config cfg;
  cn_proxy_config_init(&cfg);
  int rv = CN_OK;
  if (o->proxy)
    rv = cn_proxy_config_set_rules(&cfg, o->proxy, err, err_size);
  else if (o->proxy_from_env)
    rv = cn_proxy_config_from_env(&cfg, env_get, NULL, err, err_size);
  if (rv == CN_OK && o->proxy_bypass)
    rv = cn_proxy_config_add_bypass(&cfg, o->proxy_bypass, err, err_size);
  if (rv == CN_OK && o->proxy_user) {
    apply_proxy_user_to_config(&cfg, o->proxy_user);
  }
  if (rv == CN_OK) {
    cn_proxy_service_options so = {0};
    so.netlog = &c->netlog;
    c->proxy_service = cn_proxy_service_new_fixed(&cfg, &so);
  }
  cn_proxy_config_free(&cfg);
  return rv;
}

// A request's own proxy (cnet_request_options.proxy): its rules alone (the
// context's bypass list and environment do not apply), with the context's
// proxy_user.
static int make_request_proxy_service(cnet_context *c, const char *rules,
                                      cn_proxy_service **out) {
  cn_proxy_config cfg;
  cn_proxy_config_init(&cfg);
  int rv = cn_proxy_config_set_rules(&cfg, rules, NULL, 0);
  if (rv == CN_OK) {
    if (c->proxy_user) {
      apply_proxy_user_to_config(&cfg, c->proxy_user);
    }
    cn_proxy_service_options so = {0};
    so.netlog = &c->netlog;
    *out = cn_proxy_service_new_fixed(&cfg, &so);
  }
  cn_proxy_config_free(&cfg);
  return rv;
}

// Parses "h2,http/1.1" into |cfg|'s ALPN list.
static int parse_protocols(const char *list, cn_ssl_config *cfg) {
  cfg->num_protos = 0;
  const char *p = list;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    cn_next_proto proto = cn_next_proto_from_alpn(p, len);
    if (proto == CN_PROTO_UNKNOWN || cfg->num_protos == CN_SSL_MAX_PROTOS)
      return CN_ERR_INVALID_ARGUMENT;
    cfg->protos[cfg->num_protos++] = proto;
    // A server of the SPDY era (TLS 1.2) may know only NPN: offer it too
    // whenever a multiplexed protocol is wanted. ALPN wins when the server
    // speaks both, and TLS 1.3 has no NPN.
    if (proto == CN_PROTO_SPDY31 || proto == CN_PROTO_HTTP2)
      cfg->enable_npn = true;
    p = end ? end + 1 : p + len;
  }
  return cfg->num_protos ? CN_OK : CN_ERR_INVALID_ARGUMENT;
}

static int make_ssl_context(const char *ca_file, bool verify_disabled, cn_ssl_context **out,
                            char *err, size_t err_size) {
  cn_ssl_client_context_options co = {0};
  co.ca_file = ca_file;
  co.verify_disabled = verify_disabled;
  int rv = cn_ssl_client_context_new(&co, out);
  if (rv != CN_OK)
    snprintf(err, err_size, "cannot load CA certificates from %s: %s",
             ca_file ? ca_file : CN_SSL_SYSTEM_CA_FILE, cn_error_message(rv));
  return rv;
}

int cnet_context_new(const cnet_context_options *o, cnet_context **out, char *err,
                     size_t err_size) {
  char scratch[256];
  if (!err) {
    err = scratch;
    err_size = sizeof(scratch);
  }
  err[0] = '\0';
  *out = NULL;
  cnet_context_options opts;
  size_t app_size = o ? o->struct_size : 0;
  if (o) {
    copy_options(&opts, sizeof(opts), o, o->struct_size);
    o = &opts;
  }
  if (!o || !o->loop) {
    snprintf(err, err_size, "options.loop is required");
    return CN_ERR_INVALID_ARGUMENT;
  }
  cnet_context *c = CN_NEW(cnet_context);
  c->loop = o->loop;
  c->ticks = cn_tick_queue_new(c->loop);
  cn_list_init(&c->requests);
  cn_string_intern_init(&c->route_strings, ROUTE_STRINGS_MAX);
  if (o->proxy_user)
    c->proxy_user = cn_xstrdup(o->proxy_user);
  cn_netlog_init(&c->netlog);
  cn_netlog_counters_attach(&c->counters, &c->netlog);
  cn_bytebuf_init(&c->json_line);
  if (o->netlog) {
    c->netlog_cb = o->netlog;
    c->netlog_arg = o->netlog_arg;
    cn_list_init(&c->json_observer.link);
    c->json_observer.on_entry = on_netlog_entry;
    // ERRORS: the events' own parameters (net_error is logged eagerly),
    // filtered in on_netlog_entry.
    c->netlog_errors_only = o->netlog_capture == CNET_NETLOG_CAPTURE_ERRORS;
    cn_netlog_capture_mode mode = c->netlog_errors_only ? CN_NETLOG_CAPTURE_TYPES
                                  : o->netlog_capture == CNET_NETLOG_CAPTURE_EVENTS
                                      ? CN_NETLOG_CAPTURE_EVENTS
                                  : o->netlog_capture == CNET_NETLOG_CAPTURE_NO_HEADER_VALUES
                                      ? CN_NETLOG_CAPTURE_NO_HEADER_VALUES
                                      : CN_NETLOG_CAPTURE_EVERYTHING;
    cn_netlog_add_observer_with_mode(&c->netlog, &c->json_observer, mode);
  }
  cn_list_init(&c->request_observer.link);
  c->request_observer.on_entry = on_request_entry;
  cn_netlog_add_observer_with_mode(&c->netlog, &c->request_observer, CN_NETLOG_CAPTURE_TYPES);
  cn_host_resolver_options ro;
  cn_host_resolver_options_init(&ro);
  ro.dns.servers = o->dns_servers;
  if (o->host_cache_size)
    ro.cache_max_entries = o->host_cache_size;
  ro.hosts_file = o->hosts_file;
  int rv = cn_host_resolver_create(o->loop, &ro, &c->resolver, err, err_size);
  if (rv != CN_OK) {
    cnet_context_destroy(c);
    return rv;
  }
  if (o->netlog_chrome_path) {
    c->netlog_chrome_file = fopen(o->netlog_chrome_path, "w");
    if (c->netlog_chrome_file) {
      cn_netlog_chrome_writer_attach(&c->netlog_chrome, &c->netlog, c->netlog_chrome_file,
                                     "cnet", cnet_version());
    } else {
      snprintf(err, err_size, "cannot write the Chromium NetLog to %s: %s",
               o->netlog_chrome_path, strerror(errno));
      rv = CN_ERR_FILE_NOT_FOUND;
    }
  }
  for (size_t i = 0; rv == CN_OK && i < o->num_resolve_rules; i++)
    rv = cn_host_rules_parse_resolve(cn_host_resolver_rules(c->resolver), o->resolve_rules[i],
                                     err, err_size);
  for (size_t i = 0; rv == CN_OK && i < o->num_connect_to_rules; i++)
    rv = cn_host_rules_parse_connect_to(cn_host_resolver_rules(c->resolver),
                                        o->connect_to_rules[i], err, err_size);
  if (rv == CN_OK)
    rv = make_ssl_context(o->ca_file, o->origin_tls_verify_disabled, &c->origin_ctx, err,
                          err_size);
  // Proxies get a context of their own when their trust differs from the
  // origins' (a CA file of their own, or the other verification setting).
  if (rv == CN_OK &&
      (o->proxy_ca_file || o->proxy_tls_verify_disabled != o->origin_tls_verify_disabled))
    rv = make_ssl_context(o->proxy_ca_file ? o->proxy_ca_file : o->ca_file,
                          o->proxy_tls_verify_disabled, &c->proxy_ctx, err, err_size);
  if (rv == CN_OK)
    rv = make_proxy_service(c, o, err, err_size);
  cn_http_network_session_params sp;
  cn_http_network_session_params_init(&sp);
  if (rv == CN_OK && o->origin_protocols &&
      parse_protocols(o->origin_protocols, &sp.origin_ssl_config) != CN_OK) {
    snprintf(err, err_size, "origin_protocols '%s': expected h2, spdy/3.1, http/1.1",
             o->origin_protocols);
    rv = CN_ERR_INVALID_ARGUMENT;
  }
  if (rv == CN_OK && o->proxy_protocols &&
      parse_protocols(o->proxy_protocols, &sp.proxy_ssl_config) != CN_OK) {
    snprintf(err, err_size, "proxy_protocols '%s': expected h2, spdy/3.1, http/1.1",
             o->proxy_protocols);
    rv = CN_ERR_INVALID_ARGUMENT;
  }
  if (rv != CN_OK) {
    cnet_context_destroy(c);
    return rv;
  }
  sp.loop = o->loop;
  sp.netlog = &c->netlog;
  sp.resolver = c->resolver;
  sp.proxy_service = c->proxy_service;
  sp.origin_ssl_context = c->origin_ctx;
  sp.proxy_ssl_context = c->proxy_ctx;
  sp.user_agent = o->user_agent;
  sp.optimistic_tunnels = o->proxy_optimistic_tunnel;
  if (o->max_sockets)
    sp.pool_options.max_sockets = o->max_sockets;
  if (o->max_sockets_per_host)
    sp.pool_options.max_sockets_per_group = o->max_sockets_per_host;
  if (o->max_sockets_per_proxy)
    sp.pool_options.max_sockets_per_chain = o->max_sockets_per_proxy;
  sp.tcp_connect_timeout_ms = CONTEXT_TIMEOUT(o, tcp_connect_timeout_ms, app_size,
                                              CN_HTTP_DEFAULT_TCP_CONNECT_TIMEOUT_MS);
  sp.tls_handshake_timeout_ms = CONTEXT_TIMEOUT(o, tls_handshake_timeout_ms, app_size,
                                                CN_HTTP_DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS);
  sp.tunnel_timeout_ms =
      CONTEXT_TIMEOUT(o, tunnel_timeout_ms, app_size, CN_HTTP_DEFAULT_TUNNEL_TIMEOUT_MS);
  if (o->connect_timeout_ms)  // 0.1's shorthand: every layer
    sp.tcp_connect_timeout_ms = sp.tls_handshake_timeout_ms = sp.tunnel_timeout_ms =
        o->connect_timeout_ms;
  // (Clamped to 32 bits, cn_http_timeout_ms: 49.7 days.)
  c->timeouts.connect_ms =
      cn_http_timeout_ms(CONTEXT_TIMEOUT(o, connection_timeout_ms, app_size, 0));
  c->timeouts.stream_wait_ms = cn_http_timeout_ms(CONTEXT_TIMEOUT(
      o, stream_wait_timeout_ms, app_size, CN_HTTP_DEFAULT_STREAM_WAIT_TIMEOUT_MS));
  c->timeouts.response_headers_ms = cn_http_timeout_ms(CONTEXT_TIMEOUT(
      o, response_headers_timeout_ms, app_size, CN_HTTP_DEFAULT_RESPONSE_HEADERS_TIMEOUT_MS));
  c->timeouts.body_idle_ms = cn_http_timeout_ms(CONTEXT_TIMEOUT(
      o, body_idle_timeout_ms, app_size, CN_HTTP_DEFAULT_BODY_IDLE_TIMEOUT_MS));
  c->timeouts.total_ms = cn_http_timeout_ms(CONTEXT_TIMEOUT(o, total_timeout_ms, app_size, 0));
  sp.timeouts = c->timeouts;
  sp.proxy_auth_schemes = c->proxy_auth_schemes = o->proxy_auth_schemes;
  sp.connection_attempt_delay_ms = o->connection_attempt_delay_ms;  // 0 past app_size too
  sp.tcp_attempt_timeout_ms = o->tcp_attempt_timeout_ms;
  c->session = cn_http_network_session_new(&sp);
  *out = c;
  return CN_OK;
}

static void free_request(cnet_request *r);

// A copy of |s| in |a|.
static const char *arena_strdup(cn_arena *a, const char *s) {
  size_t n = strlen(s) + 1;
  cn_arena_reserve(a, n);  // its own size, not the arena's first 1 KiB
  return memcpy(cn_arena_alloc(a, n), s, n);
}

// Route strings (TLS versions, ciphers, ALPN tokens, proxies and chains)
// repeat from request to request: a report points at the context's one copy
// instead of holding its own (bench/scale: one allocation fewer per open
// stream). Bounded: past ROUTE_STRINGS_MAX distinct strings (a PAC script
// may name proxies without end) a copy goes to the report's arena |a|.
static const char *route_string(cnet_context *c, cn_arena *a, const char *s) {
  if (!*s)
    return "";
  const char *kept = cn_string_intern_get(&c->route_strings, s);
  return kept ? kept : arena_strdup(a, s);
}

static void drop_ticks(cnet_request *r);

void cnet_context_destroy(cnet_context *c) { cnet_context_destroy_with_stats(c, NULL); }

void cnet_context_destroy_with_stats(cnet_context *c, cnet_stats *out) {
  if (out)
    memset(out, 0, sizeof(*out));
  if (!c)
    return;
  cnet_pac_free(c->pac);  // cancels its fetch, one of the requests
  c->pac = NULL;
  while (!cn_list_empty(&c->requests)) {
    cnet_request *r = CN_CONTAINER_OF(c->requests.next, cnet_request, link);
    cn_list_remove(&r->link);
    drop_ticks(r);  // the queue goes below; a request freed later must not touch it
    // The transaction goes now, while the session still exists. A request
    // whose callback is running (the application destroys the context from
    // inside it) is freed when that callback returns.
    cn_http_transaction_destroy(r->txn);
    r->txn = NULL;
    cn_proxy_service_free(r->proxy_service);  // it logs to the context's NetLog
    r->proxy_service = NULL;
    r->cancelled = true;
    if (!r->in_callback)
      free_request(r);
  }
  cn_http_network_session_destroy(c->session);
  cn_proxy_service_free(c->proxy_service);
  cn_host_resolver_destroy(c->resolver);
  cn_ssl_context_unref(c->origin_ctx);
  cn_ssl_context_unref(c->proxy_ctx);
  if (out)
    cnet_context_get_stats(c, out);  // every session and stream has ended
  if (c->netlog_chrome_file) {  // after the closing connections' events
    cn_netlog_chrome_writer_detach(&c->netlog_chrome);
    fclose(c->netlog_chrome_file);
  }
  cn_netlog_counters_detach(&c->counters);
  cn_netlog_destroy(&c->netlog);
  cn_bytebuf_free(&c->json_line);
  free(c->proxy_user);
  cn_tick_queue_destroy(c->ticks);
  cn_string_intern_free(&c->route_strings);
  free(c);
}

void cnet_context_get_stats(const cnet_context *c, cnet_stats *out) {
  out->tcp_connects = c->counters.tcp_connects;
  out->tls_handshakes = c->counters.tls_handshakes;
  out->tunnels = c->counters.tunnels;
  out->sessions = c->counters.sessions;
  out->streams = c->counters.streams;
  out->requests = c->counters.requests;
}

void cnet_context_close_idle(cnet_context *c) { cn_http_network_session_close_idle(c->session); }

void cnet_context_network_changed(cnet_context *c) {
  size_t idle_closed = 0, going_away = 0;
  cn_http_network_session_on_network_changed(c->session, &idle_closed, &going_away);
  size_t cached = cn_host_resolver_cache_size(c->resolver);
  cn_host_resolver_on_network_changed(c->resolver);
  cn_netlog_source src = cn_netlog_new_source(&c->netlog, CN_NETLOG_SOURCE_NONE);
  cn_netlog_event(&c->netlog, src, CN_NETLOG_NETWORK_CHANGED,
                  CN_NL_INT("idle_sockets_closed", (int64_t)idle_closed),
                  CN_NL_INT("sessions_going_away", (int64_t)going_away),
                  CN_NL_INT("host_cache_cleared", (int64_t)cached));
}

// --- work for the next loop turn ---
// (base/tick_queue.h: the context's queue, so that nothing the application
// calls runs a callback inside that call.)

// --- uploads read by callback ---

// The application's pull. It answers at once, or CNET_UPLOAD_PENDING: then
// the read stays pending until cnet_request_upload_resume() and the pull is
// asked again from the loop.
typedef struct callback_upload {
  cn_http_upload base;
  cn_tick_queue *ticks;  // the context's
  cnet_upload_read_fn read;
  void *arg;
  int64_t length;
  // A pending read: the stream's buffer and callback.
  cn_iobuf *buf;
  size_t len;
  cn_completion_cb cb;
  void *cb_arg;
  bool wake;       // resume was called since the pull last answered
  cn_tick *tick;  // asks the pull again
} callback_upload;

static int64_t cb_upload_size(const cn_http_upload *u) {
  return ((const callback_upload *)u)->length;
}

// Asks the application's pull for up to |len| bytes. CNET_UPLOAD_PENDING
// becomes CN_ERR_IO_PENDING.
static int pull(callback_upload *c, uint8_t *data, size_t len) {
  c->wake = false;
  int rv = c->read(c->arg, data, len);
  if (rv == CNET_UPLOAD_PENDING)
    return CN_ERR_IO_PENDING;
  if (rv > (int)len)
    return CN_ERR_INVALID_ARGUMENT;
  // -1 would tell the stream below that the read is pending and its callback
  // will run later, which it never would: the request would hang. It is no
  // error of the upload's, so it fails the request as a generic failure.
  if (rv == CN_ERR_IO_PENDING)
    return CN_ERR_FAILED;
  return rv;
}

static void on_upload_wake(void *obj);

static void schedule_wake(callback_upload *c) {
  if (!c->tick)
    c->tick = cn_tick_post(c->ticks, on_upload_wake, c);
}

static void on_upload_wake(void *obj) {
  callback_upload *c = obj;
  c->tick = NULL;
  if (!c->cb)
    return;
  int rv = pull(c, c->buf->data, c->len);
  if (rv == CN_ERR_IO_PENDING) {
    if (c->wake)
      schedule_wake(c);
    return;
  }
  cn_completion_cb cb = c->cb;
  c->cb = NULL;
  cn_iobuf_unref(c->buf);
  c->buf = NULL;
  cb(c->cb_arg, rv);
}

static int cb_upload_read(cn_http_upload *u, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                          void *arg) {
  callback_upload *c = (callback_upload *)u;
  int rv = pull(c, buf->data, len);
  if (rv != CN_ERR_IO_PENDING)
    return rv;
  c->buf = cn_iobuf_ref(buf);
  c->len = len;
  c->cb = cb;
  c->cb_arg = arg;
  if (c->wake)  // resumed from inside the pull: ask again on the next turn
    schedule_wake(c);
  return CN_ERR_IO_PENDING;
}

static void cb_upload_cancel_read(cn_http_upload *u) {
  callback_upload *c = (callback_upload *)u;
  cn_tick_cancel(c->tick);
  c->tick = NULL;
  c->cb = NULL;
  cn_iobuf_unref(c->buf);
  c->buf = NULL;
}

static void cb_upload_destroy(cn_http_upload *u) {
  cb_upload_cancel_read(u);
  free(u);
}

static const cn_http_upload_ops kCallbackUploadOps = {
    .size = cb_upload_size,
    .read = cb_upload_read,
    .cancel_read = cb_upload_cancel_read,
    .rewind = NULL,  // a pull callback cannot replay: no resend with a body
    .destroy = cb_upload_destroy,
};

// --- requests ---

// Sets the request's method: the usual methods point at static text (one
// allocation fewer per request: bench/scale), others are copied. NULL frees.
static void request_set_method(cnet_request *r, const char *method) {
  static const char *const kUsual[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"};
  if (r->method_owned)
    free((char *)r->info.method);
  r->info.method = NULL;
  r->method_owned = false;
  if (!method)
    return;
  for (size_t i = 0; i < sizeof(kUsual) / sizeof(kUsual[0]); i++) {
    if (strcmp(method, kUsual[i]) == 0) {
      r->info.method = kUsual[i];
      return;
    }
  }
  r->info.method = cn_xstrdup(method);
  r->method_owned = true;
}

// Cancels and forgets the request's posted ticks.
static void drop_ticks(cnet_request *r) {
  cn_tick_cancel(r->tick);
  r->tick = NULL;
  if (r->auth) {
    cn_tick_cancel(r->auth->tick);
    r->auth->tick = NULL;
  }
  if (r->cb_upload) {
    cn_tick_cancel(r->cb_upload->tick);
    r->cb_upload->tick = NULL;
  }
}

static void free_request(cnet_request *r) {
  drop_ticks(r);
  if (r->auth) {
    free(r->auth->user);
    free(r->auth->password);
    free(r->auth->answer_user);
    free(r->auth->answer_password);
    cn_url_free(&r->auth->url);
    free(r->auth);
  }
  cn_http_transaction_destroy(r->txn);
  cn_proxy_service_free(r->proxy_service);
  cn_iobuf_unref(r->buf);
  cn_http_upload_destroy(r->info.upload);
  cn_http_headers_free(&r->headers);
  cn_url_free(&r->url);
  free(r->url_text);
  request_set_method(r, NULL);
  cn_arena_free(&r->route.strings);
  free(r->route.hops);
  free(r->timing.hop_at);
  free(r->failure);
  free(r);
}

// Runs the application's on_complete and frees the request.
static void complete(cnet_request *r, int error) {
  timing_set(&r->timing, TS_END, cn_socket_timing_now());
  cn_list_remove(&r->link);
  if (cn_error_is_certificate_error(error) || error == CN_ERR_PROXY_CERTIFICATE_INVALID)
    note_cert_error(r, error);  // before the transaction (its chain) goes
  // The failure's hop, while the transaction that knows it lives (an error
  // of cnet's own, with no transaction or one that did not fail, has none).
  const char *proxy = NULL;
  int hop = error && r->txn ? cn_http_transaction_error_hop(r->txn, &proxy) : CN_HOP_UNSET;
  r->error_hop = hop >= 0 && !proxy ? CN_HOP_UNSET : hop;
  if (r->error_hop >= 0) {
    failure_report *f = request_failure(r);
    snprintf(f->error_proxy, sizeof(f->error_proxy), "%s", proxy);
    snprintf(f->error_description, sizeof(f->error_description), "proxy %s", proxy);
  } else if (r->error_hop == CN_HOP_ORIGIN) {
    failure_report *f = request_failure(r);
    snprintf(f->error_description, sizeof(f->error_description), "origin");
  }
  cn_http_transaction_destroy(r->txn);
  r->txn = NULL;
  r->in_callback++;
  r->cb.on_complete(r, r->arg, error);
  free_request(r);
}

static int begin_exchange(cnet_request *r);
static void on_body(void *arg, int rv);

// After a callback: true if the application cancelled inside it (the
// request is then freed here and must not be touched).
static bool after_callback(cnet_request *r) {
  if (--r->in_callback == 0 && r->cancelled) {
    free_request(r);
    return true;
  }
  return r->cancelled;
}

static void grow_body_buffer_if_streaming(cnet_request *r, size_t last_piece);

// Delivers the result of a body read (|rv|) and reads on until a read is
// pending, the body ends, or the request is paused.
static void read_body(cnet_request *r, int rv) {
  for (;;) {
    r->read_pending = rv == CN_ERR_IO_PENDING;
    if (r->read_pending)
      return;
    if (r->paused) {  // hold it (bytes or the end) until resume
      r->held = true;
      r->held_rv = rv;
      return;
    }
    if (rv <= 0) {
      complete(r, rv);
      return;
    }
    r->in_callback++;
    r->cb.on_data(r, r->arg, r->buf->data, (size_t)rv);
    if (after_callback(r))
      return;  // gone
    grow_body_buffer_if_streaming(r, (size_t)rv);  // (on_data is done with it)
    if (r->paused)
      return;  // paused with nothing outstanding
    rv = cn_http_transaction_read(r->txn, r->buf, r->buf->size, on_body, r);
  }
}

#define BODY_BUFFER_SIZE (64 * 1024)
#define BODY_BUFFER_MIN (1024)
// The body buffer of a large body streaming in: a piece that filled the
// 64 KiB buffer (the bytes were there faster than we took them; the TLS
// layers gather across their transport reads up to the caller's buffer)
// makes it 256 KiB for the rest of the request, so each piece — one
// on_data, one write(2) of fetch's — carries up to 4x the bytes (issue #13,
// workload c). A body smaller than 64 KiB never fills it, so a run of small
// or mid-sized exchanges never takes such a block from malloc.
#define BODY_BUFFER_STREAMING (256 * 1024)

static void grow_body_buffer_if_streaming(cnet_request *r, size_t last_piece) {
  if (r->buf->size != BODY_BUFFER_SIZE || last_piece < BODY_BUFFER_SIZE)
    return;
  cn_iobuf_unref(r->buf);  // (a reference below, if any, keeps the old one alive)
  r->buf = cn_iobuf_new(BODY_BUFFER_STREAMING);
}

// The body buffer's size: 64 KiB, or less when the response says its body is
// smaller (Content-Length), so that a run of small exchanges does not take
// and give back a 64 KiB block from malloc per request (see
// CN_SSL_SMALL_CHUNK). A coded body whose decoded form is larger only
// takes more reads.
static size_t body_buffer_size(const cnet_request *r) {
  const cn_http_response_head *head = cn_http_transaction_response(r->txn);
  const char *cl = head ? cn_http_headers_get(&head->headers, "Content-Length") : NULL;
  if (!cl || !*cl)
    return BODY_BUFFER_SIZE;
  size_t n = 0;
  for (const char *p = cl; *p; p++) {
    if (*p < '0' || *p > '9' || n >= BODY_BUFFER_SIZE)
      return BODY_BUFFER_SIZE;  // not a plain length, or not small
    n = n * 10 + (size_t)(*p - '0');
  }
  return n >= BODY_BUFFER_SIZE ? BODY_BUFFER_SIZE : n < BODY_BUFFER_MIN ? BODY_BUFFER_MIN : n;
}

// The next read of the body, into the request's buffer — made at the first
// read, so a request paused at its response head (an application holding
// many streams open, bench/scale) holds no body buffer until it resumes.
static int read_more(cnet_request *r) {
  if (!r->buf)
    r->buf = cn_iobuf_new(body_buffer_size(r));
  return cn_http_transaction_read(r->txn, r->buf, r->buf->size, on_body, r);
}

static void on_resume_tick(void *obj) {
  cnet_request *r = obj;
  r->tick = NULL;
  if (r->paused || r->read_pending || !r->body_started)
    return;
  if (r->held) {
    r->held = false;
    read_body(r, r->held_rv);
  } else {
    read_body(r, read_more(r));
  }
}

int cnet_request_set_redirect_header(cnet_request *r, const char *name, const char *value) {
  if (!r || !r->in_redirect_hook || !name)
    return CN_ERR_INVALID_ARGUMENT;
  if (!value) {
    cn_http_headers_remove(&r->headers, name);
    return CN_OK;
  }
  return cn_http_headers_set(&r->headers, name, value);
}

void cnet_request_pause(cnet_request *r) {
  if (r && !r->cancelled)
    r->paused = true;
}

void cnet_request_resume(cnet_request *r) {
  if (!r || r->cancelled || !r->paused)
    return;
  r->paused = false;
  // Before the body started, on_started reads; a read outstanding delivers
  // by itself. Otherwise the body goes on from the loop.
  if (r->body_started && !r->read_pending && !r->tick)
    r->tick = cn_tick_post(r->ctx->ticks, on_resume_tick, r);
}

void cnet_request_upload_resume(cnet_request *r) {
  if (!r || r->cancelled || !r->cb_upload)
    return;
  r->cb_upload->wake = true;
  if (r->cb_upload->cb)
    schedule_wake(r->cb_upload);
}

static void on_body(void *arg, int rv) { read_body(arg, rv); }

// A layer's step for the load timing: nothing when the layer was done
// before the request started (it existed: reused), its start clamped to the
// request's start when it was under way already (made for another request).
static void timing_step(cnet_request *r, uint64_t start, uint64_t end, int out_start,
                        int out_end) {
  if (!end || end < r->timing.start)
    return;
  timing_set(&r->timing, out_start, start);
  timing_set(&r->timing, out_end, end);
}

// The connect steps of the connection that carried the request: a walk
// down its layers (the top socket, or the TLS under a session) reading the
// timing each connect job stamped on the socket it made.
static void note_connect_timing(cnet_request *r, const cn_http_transaction_info *ti) {
  request_timing *t = &r->timing;
  t->socket_reused = ti->reuse_type != CN_SOCKET_UNUSED;
  t->tunnel_reused = ti->tunnel_reused;
  t->proxy_reused = ti->num_hops > 0 && ti->hops[0].reused;
  if (t->socket_reused)
    return;  // as Chromium: a reused socket has no connect times
  const cn_stream_socket *s = ti->socket ? ti->socket : ti->origin_tls;
  if (!s && ti->num_hops)
    s = ti->hops[ti->num_hops - 1].tls;
  bool tunnel_seen = false;
  for (; s; s = cn_stream_socket_lower(s)) {
    const cn_socket_timing *st = &s->timing;
    switch (cn_stream_socket_layer(s)) {
      case CN_SOCKET_LAYER_TCP:  // the last one met is the first hop's
        timing_step(r, st->dns_start_us, st->dns_end_us, TS_DNS_START, TS_DNS_END);
        timing_step(r, st->connect_start_us, st->connect_end_us, TS_CONNECT_START,
                    TS_CONNECT_END);
        break;
      case CN_SOCKET_LAYER_TLS:
        if (s == ti->origin_tls) {
          timing_step(r, st->connect_start_us, st->connect_end_us, TS_ORIGIN_TLS_START,
                      TS_ORIGIN_TLS_END);
          break;
        }
        for (size_t k = 0; k < ti->num_hops && k < CNET_MAX_PROXY_HOPS; k++) {
          if (ti->hops[k].tls == s)
            timing_step(r, st->connect_start_us, st->connect_end_us, TS_HOP_TLS_START + (int)k,
                        TS_HOP_TLS_END + (int)k);
        }
        break;
      case CN_SOCKET_LAYER_HTTP_TUNNEL:
      case CN_SOCKET_LAYER_SPDY_TUNNEL:
      case CN_SOCKET_LAYER_SOCKS_TUNNEL:
        if (!tunnel_seen)  // the topmost: the tunnel to the origin
          timing_step(r, st->connect_start_us, st->connect_end_us, TS_TUNNEL_START,
                      TS_TUNNEL_END);
        tunnel_seen = true;
        break;
      default:
        break;
    }
  }
}

void cnet_request_get_load_timing(const cnet_request *r, cnet_load_timing *out) {
  const request_timing *t = &r->timing;
  memset(out, 0, sizeof(*out));
  out->request_start = t->start;
  for (int i = 0; i < TS_HOP_TLS_START; i++)
    *(uint64_t *)((char *)out + ts_field[i]) = timing_get(t, i);
  for (int k = 0; k < CNET_MAX_PROXY_HOPS; k++) {
    out->hop_tls_start[k] = timing_get(t, TS_HOP_TLS_START + k);
    out->hop_tls_end[k] = timing_get(t, TS_HOP_TLS_END + k);
  }
  out->proxy_tls_start = out->hop_tls_start[0];
  out->proxy_tls_end = out->hop_tls_end[0];
  out->socket_reused = t->socket_reused;
  out->tunnel_reused = t->tunnel_reused;
  out->proxy_reused = t->proxy_reused;
}


// The TLS facts of |s| (a TLS socket, or NULL for none: empty strings),
// copied into |a|.
static void note_tls(cnet_context *c, const cn_stream_socket *s, cn_arena *a,
                     cnet_tls_info *out) {
  cn_ssl_info si;
  // The session facts only: formatting the certificate's names and dates
  // for every request cost more than the rest of this report.
  if (s && cn_ssl_socket_get_session_info(s, &si) == CN_OK) {
    out->version = route_string(c, a, si.version_name);
    out->cipher = route_string(c, a, si.cipher);
    out->alpn = route_string(c, a, si.alpn);
    out->resumed = si.resumed;
  } else {
    out->version = out->cipher = out->alpn = "";
    out->resumed = false;
  }
}

static bool is_multiplexed(cn_next_proto p) { return p == CN_PROTO_SPDY31 || p == CN_PROTO_HTTP2; }

// Records what served the request (the final exchange), layer by layer.
static void note_connection(cnet_request *r, const cn_http_response_head *head) {
  cn_http_transaction_info ti;
  cn_http_transaction_get_info(r->txn, &ti);
  note_connect_timing(r, &ti);
  route_report *l = &r->route;
  cn_arena *a = &l->strings;
  free(l->hops);
  cn_arena_reset(a);
  cnet_context *c = r->ctx;
  l->proxy_chain = route_string(c, a, ti.proxy_chain);
  l->connection_reused = ti.reuse_type != CN_SOCKET_UNUSED;
  l->resends = ti.retries;
  l->has_proxy = strcmp(ti.proxy_chain, "direct") != 0;
  note_tls(c, ti.origin_tls, a, &l->origin_tls);
  l->protocol = cn_next_proto_alpn(ti.protocol);
  l->session = is_multiplexed(ti.protocol);
  l->num_hops = (uint8_t)(ti.num_hops < CNET_MAX_PROXY_HOPS ? ti.num_hops : CNET_MAX_PROXY_HOPS);
  l->hops = l->num_hops ? cn_xcalloc(l->num_hops, sizeof(*l->hops)) : NULL;
  for (size_t k = 0; k < l->num_hops; k++) {
    const cn_http_hop_info *h = &ti.hops[k];
    cnet_proxy_hop *o = &l->hops[k];
    char proxy[CN_PROXY_SERVER_STR_SIZE];
    o->proxy = route_string(c, a, cn_proxy_server_to_string(h->proxy, proxy, sizeof(proxy)));
    o->reused = h->reused;
    note_tls(c, h->tls, a, &o->tls);
    o->protocol = cn_next_proto_alpn(h->protocol);
    o->session = is_multiplexed(h->protocol);
    o->tunnel = h->tunnel;
    o->tunnel_reused = h->tunnel_reused;
  }
  // HTTP/2 has no status line and no reason phrase: written as curl does,
  // "HTTP/2 200". HTTP/1.x, and SPDY/3.1 (":version" HTTP/1.1, ":status"
  // with its reason): HTTP/1.1's syntax keeps the space before an empty
  // reason. Put together by copies, not printf (one per response).
  bool h2 = ti.protocol == CN_PROTO_HTTP2;
  const char *version = h2 ? "HTTP/2 "
                        : head->http_version == CN_HTTP_VERSION_1_0 ? "HTTP/1.0 "
                                                                    : "HTTP/1.1 ";
  char digits[CN_U64_DEC_MAX];
  size_t ndigits = cn_u64_to_dec((uint64_t)(head->status > 0 ? head->status : 0), digits);
  const char *reason = h2 || !head->reason ? "" : head->reason;
  size_t nversion = strlen(version), nreason = strlen(reason);
  size_t len = nversion + ndigits + (h2 ? 0 : 1 + nreason);
  char *line = l->status_inline;
  if (len >= sizeof(l->status_inline)) {  // a long reason: in the arena, its own size
    cn_arena_reserve(a, len + 1);
    line = cn_arena_alloc(a, len + 1);
  }
  char *w = line;
  memcpy(w, version, nversion);
  w += nversion;
  memcpy(w, digits, ndigits);
  w += ndigits;
  if (!h2) {
    *w++ = ' ';
    memcpy(w, reason, nreason);
    w += nreason;
  }
  *w = '\0';
  l->status_line = line;
}

// A response's fields as the API hands them out, valid while the callback
// runs: pointers into the response head (its names and values are already
// NUL-terminated, and a request destroyed inside the callback is freed only
// after it), in a stack array for a usual head. No per-field copy.
#define API_HEADERS_INLINE 32
typedef struct api_headers {
  cnet_header *items;
  cnet_header inline_items[API_HEADERS_INLINE];
  size_t count;
} api_headers;

static void api_headers_make(api_headers *out, const cn_http_headers *src) {
  size_t n = cn_http_headers_count(src);
  out->count = n;
  out->items = n <= API_HEADERS_INLINE ? out->inline_items : cn_xcalloc(n, sizeof(*out->items));
  for (size_t i = 0; i < n; i++) {
    const cn_http_header *h = cn_http_headers_at(src, i);
    out->items[i].name = h->name;
    out->items[i].value = h->value;
  }
}

static void api_headers_free(api_headers *h) {
  if (h->items != h->inline_items)
    free(h->items);
}

static bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static bool same_origin(const cn_url *a, const cn_url *b) {
  return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->host, b->host) == 0 &&
         a->port == b->port;
}

// What follow() returns besides CN_ERR_IO_PENDING and errors.
#define FOLLOW_STOPPED 1  // the hook said stop: deliver the 3xx
#define FOLLOW_GONE 2     // the request was cancelled inside the hook (freed)

// Asks the application's on_redirect hook about |next|: CN_OK to follow,
// FOLLOW_STOPPED, FOLLOW_GONE or CN_ERR_ABORTED.
static int ask_redirect_hook(cnet_request *r, const cn_http_response_head *head,
                             const cn_url *next) {
  if (!r->on_redirect)
    return CN_OK;
  char *text = cn_url_to_string(next);
  api_headers h;
  api_headers_make(&h, &head->headers);
  r->in_callback++;
  r->in_redirect_hook = true;
  cnet_redirect_action action = r->on_redirect(r, r->arg, head->status, text, h.items, h.count);
  r->in_redirect_hook = false;
  api_headers_free(&h);
  free(text);
  if (after_callback(r))
    return FOLLOW_GONE;
  if (action == CNET_REDIRECT_STOP)
    return FOLLOW_STOPPED;
  if (action == CNET_REDIRECT_CANCEL)
    return CN_ERR_ABORTED;
  return CN_OK;
}

// Moves the request to the Location of |head|. Returns CN_ERR_IO_PENDING
// (the next exchange runs), FOLLOW_STOPPED, FOLLOW_GONE or an error.
static int follow(cnet_request *r, const cn_http_response_head *head) {
  if (++r->redirects > r->max_redirects)
    return CN_ERR_TOO_MANY_REDIRECTS;
  cn_url next;
  int rv = cn_url_resolve(&r->url, cn_http_headers_get(&head->headers, "Location"), &next);
  if (rv == CN_ERR_UNKNOWN_URL_SCHEME)
    return CN_ERR_UNSAFE_REDIRECT;
  if (rv != CN_OK)
    return rv;
  if (!same_origin(&r->url, &next)) {
    // Credentials the application gave for one origin are not sent to
    // another (the Fetch standard; curl without --location-trusted). Before
    // the hook: a field it sets for the next origin is meant for it.
    cn_http_headers_remove(&r->headers, "Authorization");
    cn_http_headers_remove(&r->headers, "Cookie");
  }
  rv = ask_redirect_hook(r, head, &next);
  if (rv != CN_OK) {
    cn_url_free(&next);
    if (rv == FOLLOW_STOPPED)
      r->redirects--;  // not followed
    return rv;
  }
  if (head->status == 303 ||
      ((head->status == 301 || head->status == 302) && strcmp(r->info.method, "POST") == 0)) {
    request_set_method(r, "GET");
    cn_http_upload_destroy(r->info.upload);
    r->info.upload = NULL;
    r->cb_upload = NULL;  // it was |info.upload|
  } else if (r->info.upload && cn_http_upload_rewind(r->info.upload) != CN_OK) {
    cn_url_free(&next);
    return CN_ERR_UPLOAD_FILE_CHANGED;  // a body we cannot send again
  }
  cn_http_transaction_destroy(r->txn);  // drains a small body: connection kept
  r->txn = NULL;
  cn_url_free(&r->url);
  r->url = next;
  free(r->url_text);
  r->url_text = NULL;  // made again when asked
  return begin_exchange(r);
}

static void ask_auth(cnet_request *r);

static void on_started(void *arg, int rv) {
  cnet_request *r = arg;
  if ((rv == CN_OK || rv == CN_ERR_PROXY_AUTH_REQUESTED) &&
      cn_http_transaction_auth_challenge(r->txn)) {
    ask_auth(r);
    return;
  }
  if (rv < 0) {
    complete(r, rv);
    return;
  }
  const cn_http_response_head *head = cn_http_transaction_response(r->txn);
  if (r->follow_redirects && is_redirect(head->status) &&
      cn_http_headers_get(&head->headers, "Location")) {
    rv = follow(r, head);
    if (rv == FOLLOW_GONE || rv == CN_ERR_IO_PENDING)
      return;
    if (rv != FOLLOW_STOPPED) {
      complete(r, rv);
      return;
    }
  }
  // A SPDY/HTTP2 stream logs no SEND_REQUEST / READ_HEADERS: the
  // transaction's own times of the exchange fill what the NetLog did not.
  cn_http_transaction_times tt;
  cn_http_transaction_get_times(r->txn, &tt);
  request_timing *rt = &r->timing;
  if (!rt->at[TS_SEND_START] && tt.send_start_us)
    timing_set(rt, TS_SEND_START, tt.send_start_us);
  if (!rt->at[TS_SEND_END] && tt.send_end_us)
    timing_set(rt, TS_SEND_END, tt.send_end_us);
  if (!rt->at[TS_RECEIVE_HEADERS_START] && tt.headers_start_us)
    timing_set(rt, TS_RECEIVE_HEADERS_START, tt.headers_start_us);
  if (!rt->at[TS_RECEIVE_HEADERS_END])
    timing_set(rt, TS_RECEIVE_HEADERS_END,
               tt.headers_end_us ? tt.headers_end_us : cn_socket_timing_now());
  note_connection(r, head);
  api_headers h;
  api_headers_make(&h, &head->headers);
  r->in_callback++;
  r->cb.on_response(r, r->arg, head->status, h.items, h.count);
  api_headers_free(&h);
  if (after_callback(r))
    return;
  r->body_started = true;
  if (r->paused)
    return;  // cnet_request_resume() starts the body
  read_body(r, read_more(r));
}

// --- authentication ---

static void on_started(void *arg, int rv);

// The transaction stopped at a challenge: the application is asked.
static void ask_auth(cnet_request *r) {
  const cn_http_auth_challenge_info *ci = cn_http_transaction_auth_challenge(r->txn);
  request_auth *a = r->auth;  // asked only with a hook, so it exists
  a->waiting = true;
  a->tunnel = ci->tunnel;
  a->proxy = ci->target == CN_HTTP_AUTH_PROXY;
  cnet_auth_challenge c = {
      .target = ci->target == CN_HTTP_AUTH_PROXY ? CNET_AUTH_PROXY : CNET_AUTH_ORIGIN,
      .tunnel = ci->tunnel,
      .server = ci->server,
      .scheme = ci->scheme,
      .realm = ci->realm,
  };
  r->in_callback++;
  a->on_auth(r, r->arg, &c);
  after_callback(r);
}

// The application's answer, from the loop.
static void on_auth_answer(void *obj) {
  cnet_request *r = obj;
  request_auth *a = r->auth;
  a->tick = NULL;
  if (a->cancel) {
    cn_http_transaction_decline_auth(r->txn);
    if (a->tunnel) {
      complete(r, CN_ERR_TUNNEL_CONNECTION_FAILED);
    } else if (a->proxy) {
      complete(r, CN_ERR_PROXY_AUTH_REQUESTED);
    } else {
      on_started(r, CN_OK);  // the 401 is the response
    }
    return;
  }
  int rv = cn_http_transaction_restart_with_auth(r->txn, a->answer_user, a->answer_password,
                                                 on_started, r);
  free(a->answer_user);
  if (a->answer_password)
    memset(a->answer_password, 0, strlen(a->answer_password));
  free(a->answer_password);
  a->answer_user = a->answer_password = NULL;
  if (rv != CN_ERR_IO_PENDING)
    on_started(r, rv);
}

int cnet_request_set_auth(cnet_request *r, const char *user, const char *password) {
  if (!r || !r->auth || !r->auth->waiting || !user)
    return CN_ERR_INVALID_ARGUMENT;
  request_auth *a = r->auth;
  a->waiting = false;
  a->cancel = false;
  a->answer_user = cn_xstrdup(user);
  a->answer_password = cn_xstrdup(password ? password : "");
  a->tick = cn_tick_post(r->ctx->ticks, on_auth_answer, r);
  return CN_OK;
}

int cnet_request_cancel_auth(cnet_request *r) {
  if (!r || !r->auth || !r->auth->waiting)
    return CN_ERR_INVALID_ARGUMENT;
  r->auth->waiting = false;
  r->auth->cancel = true;
  r->auth->tick = cn_tick_post(r->ctx->ticks, on_auth_answer, r);
  return CN_OK;
}

static int begin_exchange(cnet_request *r) {
  r->info.url = &r->url;
  r->info.extra_headers = &r->headers;
  r->info.accept_encoding = r->decode;
  // The total spans the redirects: each exchange gets what is left of it
  // (r->timeouts.total_ms counts from r->start_ms; the transaction borrows
  // r->timeouts).
  if (r->timeouts.total_ms) {
    uint64_t now = uv_now(r->ctx->loop);
    uint64_t spent = now - r->start_ms;
    if (spent >= r->timeouts.total_ms)
      return CN_ERR_TIMED_OUT;
    r->timeouts.total_ms -= (uint32_t)spent;
    r->start_ms = now;
  }
  r->txn = cn_http_transaction_new(r->ctx->session, (cn_request_priority)r->priority);
  if (r->proxy_service)
    cn_http_transaction_set_proxy_service(r->txn, r->proxy_service);
  // The steps of the exchange that serves the response are reported.
  r->txn_source = cn_http_transaction_source(r->txn);
  timing_reset(&r->timing);
  cn_http_transaction_set_timeouts(r->txn, &r->timeouts);
  cn_http_auth_params ap = {0};
  const request_auth *a = r->auth;
  if (a && a->user && same_origin(&r->url, &a->url)) {  // never another origin's
    ap.user = a->user;
    ap.password = a->password;
  }
  ap.schemes = r->auth_schemes;
  ap.proxy_schemes = r->ctx->proxy_auth_schemes;
  ap.ask = a && a->on_auth != NULL;
  cn_http_transaction_set_auth(r->txn, &ap);
  int rv = cn_http_transaction_start(r->txn, &r->info, on_started, r);
  if (rv == CN_ERR_IO_PENDING)
    return rv;
  if (rv < 0)
    return rv;
  // Synchronous success is not possible today (there is always I/O), but
  // keep the convention: deliver from the loop via the same path.
  on_started(r, rv);
  return CN_ERR_IO_PENDING;
}

// The first exchange starts from the loop so that no callback can run
// inside cnet_request_start.
static void on_first_tick(void *obj) {
  cnet_request *r = obj;
  r->tick = NULL;
  int rv = begin_exchange(r);
  if (rv != CN_ERR_IO_PENDING)
    complete(r, rv);
}

static cn_request_priority map_priority(cnet_priority p) {
  switch (p) {
    case CNET_PRIORITY_IDLE:
      return CN_PRIORITY_IDLE;
    case CNET_PRIORITY_LOWEST:
      return CN_PRIORITY_LOWEST;
    case CNET_PRIORITY_LOW:
      return CN_PRIORITY_LOW;
    case CNET_PRIORITY_HIGHEST:
      return CN_PRIORITY_HIGHEST;
    default:
      return CN_PRIORITY_MEDIUM;
  }
}

void cnet_request_options_init(cnet_request_options *o) {
  memset(o, 0, sizeof(*o));
  o->struct_size = sizeof(*o);
  o->connection_timeout_ms = o->stream_wait_timeout_ms = o->response_headers_timeout_ms =
      o->body_idle_timeout_ms = o->total_timeout_ms = CNET_TIMEOUT_DEFAULT;
}

// A request's timeout: the context's |def| unless the application's struct
// (|app_size| bytes; 0: not from _init) set one.
static uint64_t request_timeout(uint64_t value, size_t offset, size_t app_size, uint64_t def) {
  value = timeout_field(value, offset, app_size, CNET_TIMEOUT_DEFAULT);
  return value == CNET_TIMEOUT_DEFAULT ? def : value;
}
#define REQUEST_TIMEOUT(o, field, app_size, def) \
  request_timeout((o)->field, offsetof(cnet_request_options, field), (app_size), (def))

int cnet_request_start(cnet_context *c, const cnet_request_options *o,
                       const cnet_request_callbacks *cb, void *arg, cnet_request **out) {
  *out = NULL;
  cnet_request_options opts;
  size_t app_size = o ? o->struct_size : 0;
  if (o) {
    copy_options(&opts, sizeof(opts), o, o->struct_size);
    o = &opts;
  }
  if (!c || !o || !o->url || !cb || !cb->on_response || !cb->on_data || !cb->on_complete)
    return CN_ERR_INVALID_ARGUMENT;
  cnet_request *r = CN_NEW(cnet_request);
  r->error_hop = CN_HOP_UNSET;
  cn_http_headers_init(&r->headers);
  int rv = cn_url_parse(o->url, &r->url);
  if (rv == CN_OK && strcmp(r->url.scheme, "http") != 0 && strcmp(r->url.scheme, "https") != 0)
    rv = CN_ERR_UNKNOWN_URL_SCHEME;
  for (size_t i = 0; rv == CN_OK && i < o->num_headers; i++) {
    if (!o->headers[i].name || !o->headers[i].value)
      rv = CN_ERR_INVALID_HEADER;
    else
      rv = cn_http_headers_add(&r->headers, o->headers[i].name, o->headers[i].value);
  }
  if (rv == CN_OK && o->proxy)
    rv = make_request_proxy_service(c, o->proxy, &r->proxy_service);
  if (rv != CN_OK) {
    free_request(r);
    return rv;
  }
  r->ctx = c;
  r->cb = *cb;
  r->arg = arg;
  bool has_body = o->body || o->upload_read;
  request_set_method(r, o->method ? o->method : has_body ? "POST" : "GET");
  if (o->upload_read) {
    callback_upload *u = CN_NEW(callback_upload);
    u->base.ops = &kCallbackUploadOps;
    u->ticks = c->ticks;
    u->read = o->upload_read;
    u->arg = o->upload_arg;
    u->length = o->upload_length;
    r->info.upload = &u->base;
    r->cb_upload = u;
  } else if (o->body) {
    r->info.upload = cn_http_upload_new_copy(o->body, o->body_len);
  }
  r->priority = (uint8_t)map_priority(o->priority);
  r->follow_redirects = o->follow_redirects;
  r->max_redirects = o->max_redirects > 0 ? o->max_redirects : o->max_redirects < 0 ? 0 : 20;
  r->decode = !o->no_decoding;
  r->on_redirect = o->on_redirect;
  r->auth_schemes = o->auth_schemes;
  if (o->on_auth_required || o->user) {
    request_auth *a = r->auth = CN_NEW(request_auth);
    a->on_auth = o->on_auth_required;
    if (o->user) {
      a->user = cn_xstrdup(o->user);
      a->password = cn_xstrdup(o->password ? o->password : "");
      cn_url_copy(&a->url, &r->url);
    }
  }
  r->timing.start = cn_socket_timing_now();
  const cn_http_timeouts *d = &c->timeouts;
  // (Clamped to 32 bits, cn_http_timeout_ms: 49.7 days.)
  r->timeouts.connect_ms =
      cn_http_timeout_ms(REQUEST_TIMEOUT(o, connection_timeout_ms, app_size, d->connect_ms));
  r->timeouts.stream_wait_ms =
      cn_http_timeout_ms(REQUEST_TIMEOUT(o, stream_wait_timeout_ms, app_size, d->stream_wait_ms));
  r->timeouts.response_headers_ms = cn_http_timeout_ms(
      REQUEST_TIMEOUT(o, response_headers_timeout_ms, app_size, d->response_headers_ms));
  r->timeouts.body_idle_ms =
      cn_http_timeout_ms(REQUEST_TIMEOUT(o, body_idle_timeout_ms, app_size, d->body_idle_ms));
  r->timeouts.total_ms =
      cn_http_timeout_ms(REQUEST_TIMEOUT(o, total_timeout_ms, app_size, d->total_ms));
  uv_update_time(c->loop);
  r->start_ms = uv_now(c->loop);
  cn_list_push_back(&c->requests, &r->link);
  // Start on the next loop turn (see on_first_tick); the tick points back
  // at the request until then.
  r->tick = cn_tick_post(c->ticks, on_first_tick, r);
  *out = r;
  return CN_OK;
}

void cnet_request_cancel(cnet_request *r) {
  if (!r || r->cancelled)
    return;
  r->cancelled = true;
  cn_list_remove(&r->link);
  if (r->in_callback)
    return;  // freed when the callback returns
  free_request(r);
}

void cnet_request_get_info(const cnet_request *r, cnet_request_info *out) {
  // The URL's text is a cache the request makes on the first call (most
  // requests are never asked): the request itself is not the caller's
  // constant, only the handle's view of it.
  cnet_request *mut = (cnet_request *)r;
  if (!mut->url_text)
    mut->url_text = cn_url_to_string(&mut->url);
  out->url = r->url_text;
  const route_report *l = &r->route;
  out->proxy_chain = l->proxy_chain ? l->proxy_chain : "direct";
  out->reused_connection = l->connection_reused;
  out->resends = l->resends;
  out->redirects = r->redirects;
  out->tls_version = l->proxy_chain ? l->origin_tls.version : "";
  out->tls_cipher = l->proxy_chain ? l->origin_tls.cipher : "";
  out->alpn = l->proxy_chain ? l->origin_tls.alpn : "";
  out->tls_resumed = l->origin_tls.resumed;
}

_Static_assert(CNET_HOP_ORIGIN == CN_HOP_ORIGIN && CNET_HOP_NONE == CN_HOP_UNSET,
              "cnet.h's hops are the stack's");

void cnet_request_get_error_source(const cnet_request *r, cnet_error_source *out) {
  out->hop = r->error_hop;
  out->proxy = r->failure ? r->failure->error_proxy : "";
  out->description = r->failure ? r->failure->error_description : "";
}

const char *cnet_request_status_line(const cnet_request *r) {
  return r->route.status_line ? r->route.status_line : "";
}

void cnet_request_get_layers(const cnet_request *r, cnet_request_layers *out) {
  const route_report *l = &r->route;
  memset(out, 0, sizeof(*out));
  if (!l->proxy_chain) {  // before on_response: nothing known yet
    out->proxy_chain = out->protocol = out->proxy_protocol = "";
    out->proxy_tls.version = out->proxy_tls.cipher = out->proxy_tls.alpn = "";
    out->origin_tls = out->proxy_tls;
    return;
  }
  out->has_proxy = l->has_proxy;
  out->proxy_chain = l->proxy_chain;
  out->proxy_protocol = "";
  out->proxy_tls.version = out->proxy_tls.cipher = out->proxy_tls.alpn = "";
  if (l->num_hops) {
    // The proxy's fields are the last hop's (what the request went to or
    // through), as cn_http_transaction_info has them: not kept twice.
    const cnet_proxy_hop *last = &l->hops[l->num_hops - 1];
    out->proxy_reused = last->reused;
    out->proxy_tls = last->tls;
    out->proxy_protocol = last->protocol;
    out->proxy_session = last->session;
    out->tunnel = last->tunnel;
    out->tunnel_reused = last->tunnel_reused;
  }
  out->origin_tls = l->origin_tls;
  out->protocol = l->protocol;
  out->session = l->session;
  out->connection_reused = l->connection_reused;
  out->num_hops = l->num_hops;
  if (l->num_hops)
    memcpy(out->hops, l->hops, l->num_hops * sizeof(*l->hops));
}
