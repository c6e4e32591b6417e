// fetch: a curl-like command-line client on cnet.
//
// The URL list (repeated --repeat times) is fetched through one network
// session, up to --parallel transfers at once, so later requests reuse
// earlier connections exactly as the session's pools allow; --stats shows
// the counts. Bodies are written in URL order even when transfers run in
// parallel (a transfer ahead of its turn keeps its body in memory). Errors
// name the cnet error and the URL and exit 1; bad usage exits 2.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "base/timer.h"
#include "net/base/netlog_counters.h"
#include "net/base/netlog_json.h"
#include "net/base/url.h"
#include "net/dns/host_resolver.h"
#include "net/http/http_network_session.h"
#include "net/http/http_transaction.h"
#include "net/http/http_upload.h"
#include "net/proxy_resolution/proxy_config.h"
#include "net/proxy_resolution/proxy_service.h"
#include "net/socket/ssl_socket.h"
#include "tools/fetch/fetch_options.h"

#define FETCH_VERSION "fetch (cnet) 0.1"

typedef struct fetch_app fetch_app;

// One URL's transfer, including the redirects it follows.
typedef struct transfer {
  fetch_app *app;
  size_t index;          // position in the run: bodies are written in this order
  const char *url_text;  // as given
  char *current;         // the URL being fetched (after redirects)
  cn_url url;
  cn_http_headers headers;
  cn_http_request_info info;
  cn_http_transaction *txn;
  cn_iobuf *buf;
  int redirects;
  bool done;
  cn_bytebuf held;  // body bytes waiting for earlier transfers to finish
} transfer;

struct fetch_app {
  uv_loop_t loop;
  const fetch_options *o;
  cn_netlog netlog;
  cn_netlog_counters counters;
  cn_netlog_json_writer json;
  FILE *netlog_file;
  cn_host_resolver *resolver;
  cn_ssl_context *origin_ctx;
  cn_ssl_context *proxy_ctx;
  cn_proxy_service *proxy_service;
  cn_http_network_session *session;
  FILE *out;
  cn_timer *deadline;
  transfer *transfers;  // every transfer of the run, in order
  size_t total;
  size_t started;
  size_t running;
  size_t written;  // transfers whose body is completely written out
  bool stopping;
  int exit_code;
};

static void start_more(fetch_app *app);
static int begin_request(transfer *t);

static void stop(fetch_app *app, int exit_code) {
  if (!app->exit_code)
    app->exit_code = exit_code;
  app->stopping = true;
  uv_stop(&app->loop);
}

static void fail(transfer *t, int err, const char *what) {
  fprintf(stderr, "fetch: %s (%s) %s %s\n", cn_error_name(err), cn_error_message(err), what,
          t->current ? t->current : t->url_text);
  stop(t->app, 1);
}

// Frees the request side (kept: |held| and the transfer's place).
static void end_request(transfer *t) {
  cn_http_transaction_destroy(t->txn);
  t->txn = NULL;
  cn_iobuf_unref(t->buf);
  t->buf = NULL;
  cn_url_free(&t->url);
  cn_http_headers_free(&t->headers);
  if (t->info.upload) {
    cn_http_upload_destroy(t->info.upload);
    t->info.upload = NULL;
  }
}

static bool write_out(fetch_app *app, const void *data, size_t len) {
  if (len && fwrite(data, 1, len, app->out) != len) {
    fprintf(stderr, "fetch: cannot write the body: output error\n");
    stop(app, 1);
    return false;
  }
  return true;
}

// Writes out, in order, the bodies of finished transfers now at the front.
static void flush_in_order(fetch_app *app) {
  while (app->written < app->total) {
    transfer *t = &app->transfers[app->written];
    if (!write_out(app, cn_bytebuf_head(&t->held), cn_bytebuf_len(&t->held)))
      return;
    cn_bytebuf_free(&t->held);
    if (!t->done)
      return;
    app->written++;
  }
}

static void finish_transfer(transfer *t) {
  fetch_app *app = t->app;
  end_request(t);
  t->done = true;
  app->running--;
  flush_in_order(app);
  start_more(app);
}

static void print_head(FILE *f, const char *prefix, const cn_http_response_head *head) {
  fprintf(f, "%sHTTP/1.%d %d %s\r\n", prefix, head->http_version == CN_HTTP_VERSION_1_0 ? 0 : 1,
          head->status, head->reason);
  for (size_t i = 0; i < cn_http_headers_count(&head->headers); i++) {
    const cn_http_header *h = cn_http_headers_at(&head->headers, i);
    fprintf(f, "%s%.*s: %.*s\r\n", prefix, (int)h->name_len, h->name, (int)h->value_len, h->value);
  }
  fprintf(f, "%s\r\n", prefix);
}

static const char *reuse_name(cn_socket_reuse_type t) {
  switch (t) {
    case CN_SOCKET_REUSED_IDLE:
      return "reused an idle connection";
    case CN_SOCKET_UNUSED_IDLE:
      return "used a preconnected connection";
    default:
      return "new connection";
  }
}

static void describe_connection(transfer *t) {
  cn_http_transaction_info ti;
  cn_http_transaction_get_info(t->txn, &ti);
  fprintf(stderr, "* %s via %s (%s)\n", t->current, ti.proxy_chain, reuse_name(ti.reuse_type));
  if (ti.retries)
    fprintf(stderr, "* resent %d time(s) after a stale connection\n", ti.retries);
  // Each layer's protocol: the proxy's connection, then the request's own.
  if (ti.proxy_protocol != CN_PROTO_UNKNOWN)
    fprintf(stderr, "* proxy speaks %s\n", cn_next_proto_alpn(ti.proxy_protocol));
  fprintf(stderr, "* request over %s%s\n", cn_next_proto_alpn(ti.protocol),
          ti.socket ? "" : " (a stream of a multiplexed session)");
  cn_ssl_info si;
  if (ti.socket && cn_ssl_socket_get_info(ti.socket, &si) == CN_OK) {
    fprintf(stderr, "* TLS %s %s, group %s, ALPN %s%s%s\n", si.version_name, si.cipher, si.group,
            si.alpn[0] ? si.alpn : "(none)", si.npn ? " (NPN)" : "",
            si.resumed ? ", resumed" : "");
    fprintf(stderr, "* certificate: %s, issued by %s, valid until %s\n", si.subject, si.issuer,
            si.not_after);
  }
}

static void on_read(void *arg, int rv);

// Reads body bytes until the body ends: written at once when this transfer
// is next in order, else held.
static void read_loop(transfer *t, int rv) {
  fetch_app *app = t->app;
  for (;;) {
    if (rv == CN_ERR_IO_PENDING)
      return;
    if (rv < 0) {
      fail(t, rv, "while reading the body of");
      return;
    }
    if (rv == 0) {
      finish_transfer(t);
      return;
    }
    if (app->written == t->index) {
      if (!write_out(app, t->buf->data, (size_t)rv))
        return;
    } else {
      cn_bytebuf_append(&t->held, t->buf->data, (size_t)rv);
    }
    rv = cn_http_transaction_read(t->txn, t->buf, t->buf->size, on_read, t);
  }
}

static void on_read(void *arg, int rv) { read_loop(arg, rv); }

static bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// -L: moves |t| to the Location of its response. Returns CN_OK (a new
// request started or finished), CN_ERR_IO_PENDING, or an error.
static int follow_redirect(transfer *t, const cn_http_response_head *head) {
  const char *location = cn_http_headers_get(&head->headers, "Location");
  if (++t->redirects > t->app->o->max_redirs)
    return CN_ERR_TOO_MANY_REDIRECTS;
  cn_url next;
  int rv = cn_url_resolve(&t->url, location, &next);
  if (rv == CN_ERR_UNKNOWN_URL_SCHEME)
    return CN_ERR_UNSAFE_REDIRECT;
  if (rv != CN_OK)
    return rv;
  char *next_text = cn_url_to_string(&next);
  cn_url_free(&next);
  if (t->app->o->verbose)
    fprintf(stderr, "* redirect %d to %s\n", head->status, next_text);
  // 303, and 301/302 after POST, switch to GET as browsers do.
  bool to_get = head->status == 303 ||
                ((head->status == 301 || head->status == 302) && t->info.method &&
                 strcmp(t->info.method, "POST") == 0);
  const char *method = to_get ? "GET" : t->info.method;
  end_request(t);
  free(t->current);
  t->current = next_text;
  t->info.method = method;
  return begin_request(t);
}

static void on_started(void *arg, int rv) {
  transfer *t = arg;
  fetch_app *app = t->app;
  if (rv < 0) {
    fail(t, rv, "while fetching");
    return;
  }
  const cn_http_response_head *head = cn_http_transaction_response(t->txn);
  if (app->o->verbose) {
    describe_connection(t);
    print_head(stderr, "< ", head);
  }
  if (app->o->location && is_redirect(head->status) &&
      cn_http_headers_get(&head->headers, "Location")) {
    rv = follow_redirect(t, head);
    if (rv < 0 && rv != CN_ERR_IO_PENDING)
      fail(t, rv, "following a redirect from");
    return;
  }
  if (app->o->head) {
    // Headers belong to the output stream in order too.
    FILE *mem = NULL;
    char *text = NULL;
    size_t len = 0;
    mem = open_memstream(&text, &len);
    print_head(mem, "", head);
    fclose(mem);
    if (app->written == t->index)
      write_out(app, text, len);
    else
      cn_bytebuf_append(&t->held, text, len);
    free(text);
  }
  t->buf = cn_iobuf_new(64 * 1024);
  read_loop(t, cn_http_transaction_read(t->txn, t->buf, t->buf->size, on_read, t));
}

// Adds "-H Name: value" to the request's headers.
static int add_header(transfer *t, const char *line) {
  const char *colon = strchr(line, ':');
  const char *value = colon + 1;
  while (*value == ' ' || *value == '\t')
    value++;
  return cn_http_headers_add_n(&t->headers, line, (size_t)(colon - line), value, strlen(value));
}

// Starts the request for t->current with t->info.method. Returns
// CN_ERR_IO_PENDING or CN_OK with on_started already run, or an error.
static int begin_request(transfer *t) {
  const fetch_options *o = t->app->o;
  int rv = cn_url_parse(t->current, &t->url);
  if (rv != CN_OK)
    return rv;
  cn_http_headers_init(&t->headers);
  for (size_t i = 0; i < o->num_headers; i++) {
    if (add_header(t, o->headers[i]) != CN_OK)
      return CN_ERR_INVALID_HEADER;
  }
  const char *method = t->info.method;
  memset(&t->info, 0, sizeof(t->info));
  t->info.method = method;
  t->info.url = &t->url;
  t->info.extra_headers = &t->headers;
  t->info.accept_encoding = true;
  if (o->data && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
    t->info.upload = cn_http_upload_new_copy(o->data, strlen(o->data));
  t->txn = cn_http_transaction_new(t->app->session, CN_PRIORITY_MEDIUM);
  if (o->verbose)
    fprintf(stderr, "> %s %s\n", method, t->current);
  rv = cn_http_transaction_start(t->txn, &t->info, on_started, t);
  if (rv != CN_ERR_IO_PENDING) {
    if (rv < 0)
      return rv;
    on_started(t, rv);
  }
  return CN_ERR_IO_PENDING;
}

static void start_more(fetch_app *app) {
  const fetch_options *o = app->o;
  while (!app->stopping && app->running < (size_t)o->parallel && app->started < app->total) {
    transfer *t = &app->transfers[app->started++];
    app->running++;
    t->current = cn_xstrdup(t->url_text);
    t->info.method = o->method ? o->method : o->head ? "HEAD" : o->data ? "POST" : "GET";
    int rv = begin_request(t);
    if (rv < 0 && rv != CN_ERR_IO_PENDING) {
      fail(t, rv, rv == CN_ERR_INVALID_HEADER ? "building the request for" : "fetching");
      if (rv == CN_ERR_INVALID_HEADER)
        app->exit_code = 2;
      return;
    }
  }
  if (app->running == 0 && app->started == app->total)
    uv_stop(&app->loop);
}

static void on_deadline(void *arg) {
  fetch_app *app = arg;
  fprintf(stderr, "fetch: %s (%s) after --max-time\n", cn_error_name(CN_ERR_TIMED_OUT),
          cn_error_message(CN_ERR_TIMED_OUT));
  stop(app, 1);
}

static const char *env_get(void *arg, const char *name) { return getenv(name); }

// Puts --proxy-user credentials on every proxy of |list| that has none.
static void apply_proxy_user(cn_proxy_list *list, const char *user_pass) {
  const char *colon = strchr(user_pass, ':');
  for (size_t i = 0; i < list->count; i++) {
    cn_proxy_chain *chain = &list->chains[i];
    for (size_t k = 0; k < chain->count; k++) {
      cn_proxy_server *s = &chain->servers[k];
      if (s->username)
        continue;
      s->username = cn_xstrndup(user_pass, (size_t)(colon - user_pass));
      s->password = cn_xstrdup(colon + 1);
    }
  }
}

static int make_proxy_service(fetch_app *app) {
  const fetch_options *o = app->o;
  cn_proxy_config cfg;
  cn_proxy_config_init(&cfg);
  char err[256] = "";
  int rv = CN_OK;
  if (o->proxy)
    rv = cn_proxy_config_set_rules(&cfg, o->proxy, err, sizeof(err));
  else if (!o->no_proxy_env)
    rv = cn_proxy_config_from_env(&cfg, env_get, NULL, err, sizeof(err));
  if (rv != CN_OK) {
    fprintf(stderr, "fetch: %s (%s): %s\n", cn_error_name(rv), o->proxy ? "--proxy" : "environment",
            err);
    cn_proxy_config_free(&cfg);
    return rv;
  }
  if (o->proxy_user) {
    apply_proxy_user(&cfg.single, o->proxy_user);
    apply_proxy_user(&cfg.for_http, o->proxy_user);
    apply_proxy_user(&cfg.for_https, o->proxy_user);
    apply_proxy_user(&cfg.fallback, o->proxy_user);
  }
  cn_proxy_service_options so = {0};
  so.netlog = &app->netlog;
  app->proxy_service = cn_proxy_service_new_fixed(&cfg, &so);
  cn_proxy_config_free(&cfg);
  return CN_OK;
}

static int make_ssl_context(const char *ca_file, cn_ssl_context **out, const char *what) {
  cn_ssl_client_context_options co = {0};
  co.ca_file = ca_file;
  int rv = cn_ssl_client_context_new(&co, out);
  if (rv != CN_OK)
    fprintf(stderr, "fetch: %s (%s) loading %s %s\n", cn_error_name(rv), cn_error_message(rv),
            what, ca_file ? ca_file : CN_SSL_SYSTEM_CA_FILE);
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
    p = end ? end + 1 : p + len;
  }
  return cfg->num_protos ? CN_OK : CN_ERR_INVALID_ARGUMENT;
}

static int setup(fetch_app *app) {
  const fetch_options *o = app->o;
  if (o->stats)
    cn_netlog_counters_attach(&app->counters, &app->netlog);
  if (o->netlog) {
    app->netlog_file = fopen(o->netlog, "w");
    if (!app->netlog_file) {
      fprintf(stderr, "fetch: cannot write the NetLog to %s\n", o->netlog);
      return 2;
    }
    cn_netlog_json_writer_attach(&app->json, &app->netlog, app->netlog_file);
  }
  app->out = stdout;
  if (o->output) {
    app->out = fopen(o->output, "wb");
    if (!app->out) {
      fprintf(stderr, "fetch: cannot write to %s\n", o->output);
      return 2;
    }
  }
  app->resolver = cn_host_resolver_new(&app->loop, NULL);
  for (size_t i = 0; i < o->num_resolve; i++) {
    char err[160];
    if (cn_host_rules_parse_resolve(cn_host_resolver_rules(app->resolver), o->resolve[i], err,
                                    sizeof(err)) != CN_OK) {
      fprintf(stderr, "fetch: %s\n", err);
      return 2;
    }
  }
  if (make_ssl_context(o->cacert, &app->origin_ctx, "the CA file") != CN_OK)
    return 2;
  if (o->proxy_cacert &&
      make_ssl_context(o->proxy_cacert, &app->proxy_ctx, "the proxy CA file") != CN_OK)
    return 2;
  if (make_proxy_service(app) != CN_OK)
    return 2;
  cn_http_network_session_params sp;
  cn_http_network_session_params_init(&sp);
  sp.loop = &app->loop;
  sp.netlog = &app->netlog;
  sp.resolver = app->resolver;
  sp.proxy_service = app->proxy_service;
  sp.origin_ssl_context = app->origin_ctx;
  sp.proxy_ssl_context = app->proxy_ctx;
  sp.user_agent = "cnet-fetch/0.1";
  if (o->protocols && parse_protocols(o->protocols, &sp.origin_ssl_config) != CN_OK) {
    fprintf(stderr, "fetch: --protocols '%s': expected a list of h2, spdy/3.1, http/1.1\n",
            o->protocols);
    return 2;
  }
  if (o->proxy_protocols &&
      parse_protocols(o->proxy_protocols, &sp.proxy_ssl_config) != CN_OK) {
    fprintf(stderr,
            "fetch: --proxy-protocols '%s': expected a list of h2, spdy/3.1, http/1.1\n",
            o->proxy_protocols);
    return 2;
  }
  app->session = cn_http_network_session_new(&sp);
  return 0;
}

static int run(fetch_app *app) {
  int rv = setup(app);
  if (rv)
    return rv;
  const fetch_options *o = app->o;
  app->total = o->num_urls * (size_t)o->repeat;
  app->transfers = cn_xcalloc(app->total, sizeof(transfer));
  for (size_t i = 0; i < app->total; i++) {
    transfer *t = &app->transfers[i];
    t->app = app;
    t->index = i;
    t->url_text = o->urls[i % o->num_urls];
    cn_bytebuf_init(&t->held);
  }
  if (o->max_time > 0) {
    app->deadline = cn_timer_new(&app->loop, on_deadline, app);
    cn_timer_start(app->deadline, (uint64_t)(o->max_time * 1000), 0);
  }
  start_more(app);
  if (!app->stopping && app->running > 0)
    uv_run(&app->loop, UV_RUN_DEFAULT);
  return app->exit_code;
}

static void cleanup(fetch_app *app) {
  for (size_t i = 0; i < app->total; i++) {
    transfer *t = &app->transfers[i];
    end_request(t);
    free(t->current);
    cn_bytebuf_free(&t->held);
  }
  free(app->transfers);
  cn_timer_destroy(app->deadline);
  cn_http_network_session_destroy(app->session);
  cn_proxy_service_free(app->proxy_service);
  cn_host_resolver_destroy(app->resolver);
  cn_ssl_context_unref(app->origin_ctx);
  cn_ssl_context_unref(app->proxy_ctx);
  // Let libuv finish closing handles (and abandoned lookups) before closing.
  uv_run(&app->loop, UV_RUN_DEFAULT);
  uv_loop_close(&app->loop);
  if (app->o->stats) {
    cn_bytebuf b;
    cn_bytebuf_init(&b);
    cn_netlog_counters_to_json(&app->counters, &b);
    fprintf(stderr, "%.*s\n", (int)cn_bytebuf_len(&b), (const char *)cn_bytebuf_head(&b));
    cn_bytebuf_free(&b);
    cn_netlog_counters_detach(&app->counters);
  }
  if (app->netlog_file) {
    cn_netlog_json_writer_detach(&app->json);
    fclose(app->netlog_file);
  }
  cn_netlog_destroy(&app->netlog);
  if (app->out && app->out != stdout)
    fclose(app->out);
  else
    fflush(stdout);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  fetch_options o;
  char err[256];
  if (!fetch_options_parse(argc, argv, &o, err, sizeof(err))) {
    fprintf(stderr, "fetch: %s\n", err);
    return 2;
  }
  if (o.help || o.version) {
    fputs(o.help ? fetch_options_usage() : FETCH_VERSION "\n", stdout);
    fetch_options_free(&o);
    return 0;
  }
  fetch_app app;
  memset(&app, 0, sizeof(app));
  app.o = &o;
  uv_loop_init(&app.loop);
  cn_netlog_init(&app.netlog);
  int rv = run(&app);
  cleanup(&app);
  fetch_options_free(&o);
  return rv;
}
