#include "tools/testserver/proxy_handler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "net/base/base64.h"
#include "net/base/ip_endpoint.h"
#include "net/dns/host_rules.h"
#include "tools/testserver/fault_response.h"
#include "tools/testserver/proxy_internal.h"
#include "tools/testserver/tunnel.h"

// A tunnel the proxy keeps until it ends (or the proxy goes).
typedef struct tunnel_entry {
  cn_list_node link;  // in proxy->tunnels
  cn_ts_proxy *proxy;
  cn_ts_tunnel *tunnel;
} tunnel_entry;

static const char *const kDropStepNames[] = {
    [CN_TEST_SERVER_DROP_NONE] = "none",
    [CN_TEST_SERVER_DROP_AFTER_CONNECT_REQUEST] = "after-connect-request",
    [CN_TEST_SERVER_DROP_BEFORE_RESPONSE] = "before-response",
    [CN_TEST_SERVER_DROP_MID_RESPONSE] = "mid-response",
    [CN_TEST_SERVER_DROP_MID_TUNNEL] = "mid-tunnel",
};

const char *cn_test_server_drop_step_name(cn_test_server_drop_step step) {
  if ((size_t)step < sizeof(kDropStepNames) / sizeof(kDropStepNames[0]))
    return kDropStepNames[step];
  return "?";
}

bool cn_test_server_drop_step_parse(const char *name, cn_test_server_drop_step *out) {
  for (size_t i = 0; i < sizeof(kDropStepNames) / sizeof(kDropStepNames[0]); i++) {
    if (strcmp(name, kDropStepNames[i]) == 0) {
      *out = (cn_test_server_drop_step)i;
      return true;
    }
  }
  return false;
}

// --- answers ---

void cn_ts_proxy_respond_text(cn_ts_exchange *ex, int status, const char *body, bool close,
                              const char *extra_name, const char *extra_value) {
  cn_ts_response resp;
  cn_ts_response_init(&resp, status);
  size_t len = strlen(body);
  cn_ts_headers_add(&resp.headers, "Content-Type", "text/plain");
  if (extra_name)
    cn_ts_headers_add(&resp.headers, extra_name, extra_value);
  resp.content_length = (int64_t)len;
  resp.close_connection = close;
  cn_ts_exchange_respond(ex, &resp);
  cn_ts_response_free(&resp);
  cn_ts_exchange_write(ex, body, len);
  cn_ts_exchange_finish(ex);
}

void cn_ts_proxy_respond_bad_gateway(cn_ts_proxy_request *r, int error) {
  char dest[CN_HOST_PORT_STR_SIZE];
  cn_host_port_to_string(&r->dest, dest, sizeof(dest));
  char body[CN_HOST_PORT_STR_SIZE + 128];
  snprintf(body, sizeof(body), "cnet-testserver proxy: cannot reach %s: %s\n", dest,
           cn_error_name(error));
  cn_ts_proxy_respond_text(r->ex, 502, body, false, NULL, NULL);
}

static void bad_target(cn_ts_proxy_request *r, const char *why) {
  r->proxy->counters.bad_targets++;
  char body[160];
  snprintf(body, sizeof(body), "cnet-testserver proxy: %s\n", why);
  cn_ts_proxy_respond_text(r->ex, 400, body, false, NULL, NULL);
}

static void drop(cn_ts_proxy_request *r) {
  r->proxy->counters.dropped++;
  cn_ts_exchange_abort(r->ex);
}

// --- Basic authentication ---

// True if |value| ("Basic <token>", the scheme in any case) carries the
// expected token.
static bool credentials_match(const char *value, const char *expected) {
  if (!value)
    return false;
  while (*value == ' ' || *value == '\t')
    value++;
  if (strncasecmp(value, "Basic", 5) != 0 || (value[5] != ' ' && value[5] != '\t'))
    return false;
  value += 5;
  while (*value == ' ' || *value == '\t')
    value++;
  return strcmp(value, expected + strlen("Basic ")) == 0;
}

static bool authorized(cn_ts_proxy_request *r) {
  cn_ts_proxy *p = r->proxy;
  if (!p->expected_credentials)
    return true;
  const cn_ts_headers *h = &r->ex->request.headers;
  for (size_t i = 0; i < h->count; i++) {
    if (strcasecmp(h->items[i].name, "Proxy-Authorization") == 0 &&
        credentials_match(h->items[i].value, p->expected_credentials))
      return true;
  }
  return false;
}

static void challenge(cn_ts_proxy_request *r) {
  r->proxy->counters.auth_challenges++;
  cn_ts_proxy_respond_text(r->ex, 407, "cnet-testserver proxy: authentication required\n",
                           r->proxy->auth_close, "Proxy-Authenticate",
                           "Basic realm=\"" CN_TEST_SERVER_PROXY_REALM "\"");
}

// --- tunnels ---

static void on_tunnel_done(void *arg, cn_ts_tunnel *t, cn_ts_tunnel_end why) {
  tunnel_entry *e = arg;
  cn_ts_proxy *p = e->proxy;
  p->counters.tunnel_bytes_up += cn_ts_tunnel_bytes_up(t);
  p->counters.tunnel_bytes_down += cn_ts_tunnel_bytes_down(t);
  p->counters.tunnels_open--;
  if (why == CN_TS_TUNNEL_CUT)
    p->counters.dropped++;
  cn_list_remove(&e->link);
  cn_ts_tunnel_destroy(t);
  free(e);
}

// The 200 is on the wire: relay between the client and the target.
static void on_client_stream(void *arg, cn_ts_exchange *ex, cn_stream_socket *client) {
  cn_ts_proxy_request *r = arg;
  cn_ts_proxy *p = r->proxy;
  cn_ts_tunnel_options o = {.cut_after_downstream_bytes = -1};
  if (p->extra_after_200) {
    o.preamble = (const uint8_t *)CN_TEST_SERVER_PROXY_EXTRA_BYTES;
    o.preamble_len = strlen(CN_TEST_SERVER_PROXY_EXTRA_BYTES);
  }
  if (p->drop_at == CN_TEST_SERVER_DROP_MID_TUNNEL)
    o.cut_after_downstream_bytes = (int64_t)p->drop_after_bytes;
  tunnel_entry *e = CN_NEW(tunnel_entry);
  e->proxy = p;
  cn_stream_socket *upstream = r->upstream;
  r->upstream = NULL;
  e->tunnel = cn_ts_tunnel_start(p->loop, client, upstream, &o, on_tunnel_done, e);
  cn_list_push_back(&p->tunnels, &e->link);
  p->counters.tunnels_open++;
}

static void tunnel_connected(cn_ts_proxy_request *r, int rv, cn_stream_socket *socket) {
  cn_ts_proxy *p = r->proxy;
  cn_ts_exchange *ex = r->ex;
  r->tunnel_logging = false;
  if (rv != CN_OK) {
    cn_netlog_end(p->netlog, ex->source, CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NL_INT("status", 502),
                  CN_NL_ERROR(rv));
    cn_ts_proxy_respond_bad_gateway(r, rv);
    return;
  }
  r->upstream = socket;
  p->counters.tunnels_opened++;
  cn_netlog_end(p->netlog, ex->source, CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NL_INT("status", 200));
  cn_ts_response resp;
  cn_ts_response_init(&resp, 200);
  resp.reason = "Connection Established";
  cn_ts_exchange_respond(ex, &resp);
  cn_ts_response_free(&resp);
  cn_ts_exchange_take_stream(ex, on_client_stream, r);
}

static void on_tunnel_upstream(void *arg, int rv, cn_stream_socket *socket) {
  cn_ts_proxy_request *r = arg;
  r->connecting = NULL;
  tunnel_connected(r, rv, socket);
}

static void handle_connect(cn_ts_proxy_request *r) {
  cn_ts_proxy *p = r->proxy;
  cn_ts_exchange *ex = r->ex;
  // authority-form only: "host:port", the port required.
  if (cn_host_port_parse(ex->request.target, 0, &r->dest) != CN_OK) {
    bad_target(r, "CONNECT needs host:port");
    return;
  }
  if (p->refuse_connect) {
    p->counters.refused++;
    bool redirect = p->refuse_connect >= 300 && p->refuse_connect < 400;
    cn_ts_proxy_respond_text(ex, p->refuse_connect, CN_TEST_SERVER_PROXY_REFUSAL_BODY, false,
                             redirect ? "Location" : NULL, redirect ? p->refuse_location : NULL);
    return;
  }
  cn_netlog_begin(p->netlog, ex->source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                  CN_NL_STR("target", ex->request.target));
  r->tunnel_logging = true;
  cn_stream_socket *socket;
  bool reused;
  int rv = cn_ts_upstream_pool_connect(p->pool, &r->dest, false, ex->source, &socket, &reused,
                                       on_tunnel_upstream, r, &r->connecting);
  if (rv != CN_ERR_IO_PENDING)
    tunnel_connected(r, rv, socket);
}

// --- dispatch ---

// Runs once the request may be answered (after |slow_ms|).
static void dispatch(cn_ts_proxy_request *r) {
  cn_ts_proxy *p = r->proxy;
  const cn_ts_request *req = &r->ex->request;
  bool connect = strcmp(req->method, "CONNECT") == 0;
  if (connect && p->drop_at == CN_TEST_SERVER_DROP_AFTER_CONNECT_REQUEST) {
    drop(r);
    return;
  }
  if (!authorized(r)) {
    challenge(r);
    return;
  }
  if (p->answer_fault != CN_TEST_SERVER_ANSWER_FAULT_NONE) {
    cn_ts_respond_fault(r->ex, p->answer_fault);
    return;
  }
  if (connect) {
    handle_connect(r);
    return;
  }
  if (strncasecmp(req->target, "http://", 7) != 0 && strncasecmp(req->target, "https://", 8) != 0) {
    bad_target(r, "a proxy needs an absolute-form target (http://host/path) or CONNECT");
    return;
  }
  cn_ts_proxy_forward(r);
}

static void on_slow(void *arg) { dispatch(arg); }

static void release_request(void *arg) {
  cn_ts_proxy_request *r = arg;
  if (r->tunnel_logging)  // the client went while the target was connecting
    cn_netlog_end(r->proxy->netlog, r->ex->source, CN_NETLOG_HTTP_TUNNEL_CONNECT,
                  CN_NL_ERROR(CN_ERR_ABORTED));
  cn_ts_proxy_forward_release(r);
  cn_ts_upstream_request_cancel(r->connecting);
  cn_stream_socket_destroy(r->upstream);
  cn_timer_destroy(r->slow);
  free(r);
}

static void handle(cn_ts_handler *base, cn_ts_exchange *ex) {
  cn_ts_proxy *p = (cn_ts_proxy *)base;
  cn_ts_proxy_request *r = CN_NEW(cn_ts_proxy_request);
  r->proxy = p;
  r->ex = ex;
  cn_http_headers_init(&r->fields);
  cn_ts_exchange_set_user(ex, r, release_request);
  if (strcmp(ex->request.method, "CONNECT") == 0)
    p->counters.connect_requests++;
  else
    p->counters.forward_requests++;
  if (p->slow_ms) {
    r->slow = cn_timer_new(p->loop, on_slow, r);
    cn_timer_start(r->slow, p->slow_ms, 0);
    return;
  }
  dispatch(r);
}

static void destroy(cn_ts_handler *base) {
  cn_ts_proxy *p = (cn_ts_proxy *)base;
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &p->tunnels) {
    tunnel_entry *e = CN_CONTAINER_OF(it, tunnel_entry, link);
    cn_list_remove(&e->link);
    cn_ts_tunnel_destroy(e->tunnel);
    free(e);
  }
  cn_ts_upstream_pool_destroy(p->pool);
  free(p->expected_credentials);
  free(p->refuse_location);
  free(p);
}

static const cn_ts_handler_ops kProxyOps = {
    .handle = handle,
    .destroy = destroy,
};

// Host map -> resolver host rules (any port).
static int build_rules(const cn_test_server_proxy_options *o, cn_host_rules *rules) {
  for (size_t i = 0; i < o->num_map; i++) {
    const cn_test_server_host_mapping *m = &o->map[i];
    cn_ip_endpoint ep;
    if (!m->host || !m->address || !cn_ip_endpoint_from_literal(m->address, 0, &ep))
      return CN_ERR_INVALID_ARGUMENT;
    cn_address_list addrs;
    cn_address_list_init(&addrs);
    cn_address_list_append(&addrs, &ep);
    int rv = cn_host_rules_add(rules, m->host, CN_HOST_RULE_ANY_PORT, &addrs);
    cn_address_list_free(&addrs);
    if (rv != CN_OK)
      return CN_ERR_INVALID_ARGUMENT;
  }
  return CN_OK;
}

int cn_ts_proxy_handler_new(uv_loop_t *loop, cn_netlog *netlog,
                            const cn_test_server_proxy_options *options, cn_ts_handler **out) {
  *out = NULL;
  cn_test_server_proxy_options none;
  if (!options) {
    memset(&none, 0, sizeof(none));
    options = &none;
  }
  if (options->refuse_connect && (options->refuse_connect <= 200 || options->refuse_connect > 599))
    return CN_ERR_INVALID_ARGUMENT;
  if ((unsigned)options->drop_at >= sizeof(kDropStepNames) / sizeof(kDropStepNames[0]))
    return CN_ERR_INVALID_ARGUMENT;
  char *credentials = NULL;
  if (options->auth) {
    const char *colon = strchr(options->auth, ':');
    if (!colon)
      return CN_ERR_INVALID_ARGUMENT;
    char *user = cn_xstrndup(options->auth, (size_t)(colon - options->auth));
    credentials = cn_http_basic_credentials(user, colon + 1);
    free(user);
  }
  cn_host_rules rules;
  cn_host_rules_init(&rules);
  int rv = build_rules(options, &rules);
  if (rv != CN_OK) {
    cn_host_rules_free(&rules);
    free(credentials);
    return rv;
  }
  cn_ts_proxy *p = CN_NEW(cn_ts_proxy);
  p->base.ops = &kProxyOps;
  p->loop = loop;
  p->netlog = netlog;
  p->expected_credentials = credentials;
  p->auth_close = options->auth_close;
  p->refuse_connect = options->refuse_connect;
  p->refuse_location = cn_xstrdup(options->refuse_location ? options->refuse_location
                                                           : CN_TEST_SERVER_PROXY_REFUSAL_LOCATION);
  p->drop_at = options->drop_at;
  p->drop_after_bytes = options->drop_after_bytes;
  p->slow_ms = options->slow_ms;
  p->extra_after_200 = options->extra_after_200;
  p->answer_fault = options->answer_fault;
  cn_list_init(&p->tunnels);
  p->pool = cn_ts_upstream_pool_new(loop, netlog, &rules, &p->counters);
  cn_host_rules_free(&rules);
  *out = &p->base;
  return CN_OK;
}

void cn_ts_proxy_handler_get_counters(const cn_ts_handler *h, cn_test_server_proxy_counters *out) {
  const cn_ts_proxy *p = (const cn_ts_proxy *)h;
  *out = p->counters;
  // Live tunnels' bytes too, so a test can watch a tunnel that is still
  // open.
  for (const cn_list_node *it = p->tunnels.next; it != &p->tunnels; it = it->next) {
    const tunnel_entry *e = CN_CONTAINER_OF(it, tunnel_entry, link);
    out->tunnel_bytes_up += cn_ts_tunnel_bytes_up(e->tunnel);
    out->tunnel_bytes_down += cn_ts_tunnel_bytes_down(e->tunnel);
  }
}
