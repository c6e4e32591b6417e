// fetch: a curl-like command-line client on cnet.
//
// Each URL (repeated --repeat times) is fetched in turn through one network
// session, so later requests reuse earlier connections exactly as the
// session's pools allow; --stats shows the counts. Errors name the cnet
// error and the URL and exit 1; bad usage exits 2.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

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

typedef struct fetch_app {
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
  // The current transfer.
  size_t next_url;  // index into the repeated URL list
  const char *url_text;
  cn_url url;
  cn_http_headers headers;
  cn_http_request_info info;
  cn_http_transaction *txn;
  cn_iobuf *buf;
  int exit_code;
} fetch_app;

static void next_transfer(fetch_app *app);

static void fail(fetch_app *app, int err, const char *what) {
  fprintf(stderr, "fetch: %s (%s) %s %s\n", cn_error_name(err), cn_error_message(err), what,
          app->url_text ? app->url_text : "");
  app->exit_code = 1;
}

static void end_transfer(fetch_app *app) {
  cn_http_transaction_destroy(app->txn);
  app->txn = NULL;
  cn_iobuf_unref(app->buf);
  app->buf = NULL;
  cn_url_free(&app->url);
  cn_http_headers_free(&app->headers);
  if (app->info.upload) {
    cn_http_upload_destroy(app->info.upload);
    app->info.upload = NULL;
  }
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

static void describe_connection(fetch_app *app) {
  cn_http_transaction_info ti;
  cn_http_transaction_get_info(app->txn, &ti);
  fprintf(stderr, "* %s via %s (%s)\n", app->url_text, ti.proxy_chain, reuse_name(ti.reuse_type));
  if (ti.retries)
    fprintf(stderr, "* resent %d time(s) after a stale connection\n", ti.retries);
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

// Reads body bytes until the body ends, writing them out.
static void read_loop(fetch_app *app, int rv) {
  for (;;) {
    if (rv == CN_ERR_IO_PENDING)
      return;
    if (rv < 0) {
      fail(app, rv, "while reading the body of");
      end_transfer(app);
      uv_stop(&app->loop);
      return;
    }
    if (rv == 0) {
      end_transfer(app);
      next_transfer(app);
      return;
    }
    if (fwrite(app->buf->data, 1, (size_t)rv, app->out) != (size_t)rv) {
      fprintf(stderr, "fetch: cannot write the body: output error\n");
      app->exit_code = 1;
      end_transfer(app);
      uv_stop(&app->loop);
      return;
    }
    rv = cn_http_transaction_read(app->txn, app->buf, app->buf->size, on_read, app);
  }
}

static void on_read(void *arg, int rv) { read_loop(arg, rv); }

static void on_started(void *arg, int rv) {
  fetch_app *app = arg;
  if (rv < 0) {
    fail(app, rv, "while fetching");
    end_transfer(app);
    uv_stop(&app->loop);
    return;
  }
  const cn_http_response_head *head = cn_http_transaction_response(app->txn);
  if (app->o->verbose) {
    describe_connection(app);
    print_head(stderr, "< ", head);
  }
  if (app->o->head)
    print_head(app->out, "", head);
  app->buf = cn_iobuf_new(64 * 1024);
  read_loop(app, cn_http_transaction_read(app->txn, app->buf, app->buf->size, on_read, app));
}

// Adds "-H Name: value" to the request's headers.
static int add_header(fetch_app *app, const char *line) {
  const char *colon = strchr(line, ':');
  const char *value = colon + 1;
  while (*value == ' ' || *value == '\t')
    value++;
  return cn_http_headers_add_n(&app->headers, line, (size_t)(colon - line), value, strlen(value));
}

static void next_transfer(fetch_app *app) {
  const fetch_options *o = app->o;
  if (app->next_url >= o->num_urls * (size_t)o->repeat) {
    uv_stop(&app->loop);
    return;
  }
  app->url_text = o->urls[app->next_url % o->num_urls];
  app->next_url++;
  int rv = cn_url_parse(app->url_text, &app->url);
  if (rv != CN_OK) {
    fail(app, rv, "parsing");
    uv_stop(&app->loop);
    return;
  }
  cn_http_headers_init(&app->headers);
  for (size_t i = 0; i < o->num_headers; i++) {
    if (add_header(app, o->headers[i]) != CN_OK) {
      fprintf(stderr, "fetch: invalid header '%s'\n", o->headers[i]);
      app->exit_code = 2;
      end_transfer(app);
      uv_stop(&app->loop);
      return;
    }
  }
  memset(&app->info, 0, sizeof(app->info));
  app->info.method = o->method ? o->method : o->head ? "HEAD" : o->data ? "POST" : "GET";
  app->info.url = &app->url;
  app->info.extra_headers = &app->headers;
  app->info.accept_encoding = true;
  if (o->data)
    app->info.upload = cn_http_upload_new_copy(o->data, strlen(o->data));
  app->txn = cn_http_transaction_new(app->session, CN_PRIORITY_MEDIUM);
  if (o->verbose)
    fprintf(stderr, "> %s %s\n", app->info.method, app->url_text);
  rv = cn_http_transaction_start(app->txn, &app->info, on_started, app);
  if (rv != CN_ERR_IO_PENDING)
    on_started(app, rv);
}

static void on_deadline(void *arg) {
  fetch_app *app = arg;
  fail(app, CN_ERR_TIMED_OUT, "(--max-time) while fetching");
  end_transfer(app);
  uv_stop(&app->loop);
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

static int run(fetch_app *app) {
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
  app->session = cn_http_network_session_new(&sp);
  if (o->max_time > 0) {
    app->deadline = cn_timer_new(&app->loop, on_deadline, app);
    cn_timer_start(app->deadline, (uint64_t)(o->max_time * 1000), 0);
  }
  next_transfer(app);
  if (app->next_url > 0 && app->exit_code == 0 && app->txn)
    uv_run(&app->loop, UV_RUN_DEFAULT);
  else if (app->exit_code == 0)
    uv_run(&app->loop, UV_RUN_DEFAULT);
  return app->exit_code;
}

static void cleanup(fetch_app *app) {
  end_transfer(app);
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
