#include "tools/testserver/test_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/list.h"
#include "base/mem.h"
#include "net/socket/ssl_context.h"
#include "net/socket/ssl_socket.h"
#include "net/socket/tcp_socket.h"
#include "tools/testserver/connection.h"
#include "tools/testserver/origin_handler.h"
#include "tools/testserver/proxy_handler.h"
#include "tools/testserver/server_certs.h"

// Enough for any ClientHello (cut-handshake mode reads one and hangs up).
#define CLIENT_HELLO_READ (16 * 1024)

static const char *const kDefaultNames[] = {"localhost", "127.0.0.1", "::1"};

struct cn_test_server {
  uv_loop_t *loop;
  cn_netlog *netlog;
  bool plain;
  cn_test_server_cert_mode cert_mode;
  cn_ts_certs certs;
  cn_ssl_context *ssl_ctx;
  cn_ssl_config ssl_config;
  cn_tcp_listener *listener;
  cn_ip_endpoint address;
  cn_test_server_counters counters;
  cn_ts_handler *handler;
  bool proxy;
  cn_test_server_session_options session_options;  // rst_stream_path owned
  cn_ts_connection_host host;
  // Sockets not yet handed to a protocol connection: TLS handshakes in
  // progress, and cut-handshake reads.
  cn_list_node pending;
};

// An accepted socket before its protocol connection exists.
typedef struct pending_socket {
  cn_list_node link;
  cn_test_server *server;
  cn_stream_socket *socket;
  cn_iobuf *hello;  // cut-handshake and stall-handshake modes' read buffer
  bool stalled;     // stall-handshake: counted in tls_handshakes_stalled
} pending_socket;

static const char *const kCertModeNames[] = {
    [CN_TEST_SERVER_CERT_GOOD] = "good",
    [CN_TEST_SERVER_CERT_EXPIRED] = "expired",
    [CN_TEST_SERVER_CERT_WRONG_HOST] = "wrong-host",
    [CN_TEST_SERVER_CERT_UNKNOWN_CA] = "unknown-ca",
    [CN_TEST_SERVER_CERT_CUT_HANDSHAKE] = "cut-handshake",
    [CN_TEST_SERVER_CERT_STALL_HANDSHAKE] = "stall-handshake",
};

const char *cn_test_server_cert_mode_name(cn_test_server_cert_mode mode) {
  if ((size_t)mode < sizeof(kCertModeNames) / sizeof(kCertModeNames[0]))
    return kCertModeNames[mode];
  return "?";
}

bool cn_test_server_cert_mode_parse(const char *name, cn_test_server_cert_mode *out) {
  for (size_t i = 0; i < sizeof(kCertModeNames) / sizeof(kCertModeNames[0]); i++) {
    if (strcmp(name, kCertModeNames[i]) == 0) {
      *out = (cn_test_server_cert_mode)i;
      return true;
    }
  }
  return false;
}

static void pending_free(pending_socket *p) {
  cn_list_remove(&p->link);
  cn_stream_socket_destroy(p->socket);
  cn_iobuf_unref(p->hello);
  free(p);
}

static void on_hello_read(void *arg, int rv);

// Reads (and discards) the next bytes; on_hello_read decides what follows.
static void read_hello(pending_socket *p) {
  int rv = cn_stream_socket_read(p->socket, p->hello, CLIENT_HELLO_READ, on_hello_read, p);
  if (rv != CN_ERR_IO_PENDING)
    on_hello_read(p, rv);
}

static void on_hello_read(void *arg, int rv) {
  pending_socket *p = arg;
  // stall-handshake: the ClientHello (and anything after it) is read and
  // never answered; only the client's EOF or an error ends the socket.
  if (p->server->cert_mode == CN_TEST_SERVER_CERT_STALL_HANDSHAKE && rv > 0) {
    if (!p->stalled)
      p->server->counters.tls_handshakes_stalled++;
    p->stalled = true;
    read_hello(p);
    return;
  }
  // Whatever arrived (the ClientHello, or an early EOF), the handshake is
  // cut here: the client reads EOF mid-handshake.
  p->server->counters.tls_handshake_failures++;
  pending_free(p);
}

static void on_handshake(void *arg, int rv) {
  pending_socket *p = arg;
  cn_test_server *s = p->server;
  if (rv < 0) {
    s->counters.tls_handshake_failures++;
    pending_free(p);
    return;
  }
  s->counters.tls_handshakes++;
  cn_stream_socket *socket = p->socket;
  p->socket = NULL;
  pending_free(p);
  cn_ts_connection_new_for_protocol(&s->host, socket, cn_stream_socket_negotiated_protocol(socket),
                                    true);
}

void cn_test_server_serve_socket(cn_test_server *s, cn_stream_socket *socket) {
  s->counters.connections_accepted++;
  if (s->plain) {
    cn_ts_connection_new_for_protocol(&s->host, socket, CN_PROTO_UNKNOWN, false);
    return;
  }
  pending_socket *p = CN_NEW(pending_socket);
  p->server = s;
  cn_list_push_back(&s->pending, &p->link);
  int rv;
  if (s->cert_mode == CN_TEST_SERVER_CERT_CUT_HANDSHAKE ||
      s->cert_mode == CN_TEST_SERVER_CERT_STALL_HANDSHAKE) {
    p->socket = socket;
    p->hello = cn_iobuf_new(CLIENT_HELLO_READ);
    read_hello(p);
    return;
  }
  cn_ssl_socket_params params = {.context = s->ssl_ctx, .config = &s->ssl_config};
  p->socket = cn_ssl_socket_new(s->netlog, socket, &params);
  if (!p->socket) {
    on_handshake(p, CN_ERR_UNEXPECTED);  // unreachable: the params are complete
    return;
  }
  rv = cn_stream_socket_connect(p->socket, on_handshake, p);
  if (rv != CN_ERR_IO_PENDING)
    on_handshake(p, rv);
}

static void on_accept(void *arg, cn_stream_socket *accepted) {
  cn_test_server_serve_socket(arg, accepted);
}

// Sets up certificates and the server TLS context.
static int setup_tls(cn_test_server *s, const cn_test_server_options *o) {
  size_t n = sizeof(kDefaultNames) / sizeof(kDefaultNames[0]);
  const char **names = cn_xcalloc(n + o->num_names, sizeof(*names));
  for (size_t i = 0; i < n; i++)
    names[i] = kDefaultNames[i];
  for (size_t i = 0; i < o->num_names; i++)
    names[n + i] = o->names[i];
  int rv = cn_ts_certs_init(&s->certs, o->cert_mode, names, n + o->num_names, o->issuer);
  free(names);
  if (rv != CN_OK)
    return rv;
  rv = cn_ssl_server_context_new(s->certs.leaf_chain_pem, s->certs.leaf_key_pem, &s->ssl_ctx);
  if (rv != CN_OK)
    return rv;
  memset(&s->ssl_config, 0, sizeof(s->ssl_config));
  if (o->num_alpn > CN_SSL_MAX_PROTOS)
    return CN_ERR_INVALID_ARGUMENT;
  if (o->no_alpn) {
    s->ssl_config.disable_alpn = true;
  } else if (o->num_alpn == 0) {
    s->ssl_config.protos[0] = CN_PROTO_HTTP11;
    s->ssl_config.num_protos = 1;
  } else {
    for (size_t i = 0; i < o->num_alpn; i++) {
      if (o->alpn[i] == CN_PROTO_UNKNOWN)
        return CN_ERR_INVALID_ARGUMENT;
      s->ssl_config.protos[i] = o->alpn[i];
    }
    s->ssl_config.num_protos = o->num_alpn;
  }
  if (o->npn_only) {
    s->ssl_config.disable_alpn = true;
    s->ssl_config.enable_npn = true;
    s->ssl_config.version_max = CN_SSL_VERSION_TLS1_2;  // NPN has no TLS 1.3
  }
  if (o->tls12_only)
    s->ssl_config.version_max = CN_SSL_VERSION_TLS1_2;
  return CN_OK;
}

int cn_test_server_new(uv_loop_t *loop, const cn_test_server_options *options,
                       cn_test_server **out) {
  *out = NULL;
  cn_test_server_options defaults;
  if (!options) {
    memset(&defaults, 0, sizeof(defaults));
    options = &defaults;
  }
  cn_test_server *s = CN_NEW(cn_test_server);
  s->loop = loop;
  s->netlog = options->netlog;
  s->plain = options->plain;
  s->cert_mode = options->cert_mode;
  cn_list_init(&s->pending);
  int rv = CN_OK;
  s->proxy = options->proxy;
  if (s->proxy)
    rv = cn_ts_proxy_handler_new(loop, s->netlog, &options->proxy_options, &s->handler);
  else
    s->handler = cn_ts_origin_handler_new(loop);
  cn_ts_host_init(&s->host, loop, s->netlog, s->handler, &s->counters);
  s->session_options = options->session_options;
  if (s->session_options.rst_stream_path)
    s->session_options.rst_stream_path = cn_xstrdup(s->session_options.rst_stream_path);
  s->host.session_options = &s->session_options;
  s->host.close_on_request = options->close_on_request;

  cn_ip_endpoint bind;
  const char *addr = options->bind_address ? options->bind_address : "127.0.0.1";
  if (rv == CN_OK && !cn_ip_endpoint_from_literal(addr, options->port, &bind))
    rv = CN_ERR_INVALID_ARGUMENT;
  if (rv == CN_OK && !s->plain)
    rv = setup_tls(s, options);
  if (rv == CN_OK)
    rv = cn_tcp_listener_new(loop, &bind, s->netlog, on_accept, s, &s->listener);
  if (rv != CN_OK) {
    cn_test_server_destroy(s);
    return rv;
  }
  s->address = cn_tcp_listener_address(s->listener);
  *out = s;
  return CN_OK;
}

void cn_test_server_destroy(cn_test_server *s) {
  if (!s)
    return;
  cn_tcp_listener_destroy(s->listener);
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &s->pending) {
    pending_free(CN_CONTAINER_OF(it, pending_socket, link));
  }
  // Connections first: their exchanges' release hooks belong to the
  // handler.
  cn_ts_host_close_all(&s->host);
  cn_ts_handler_destroy(s->handler);
  cn_ssl_context_unref(s->ssl_ctx);
  cn_ts_certs_free(&s->certs);
  free((char *)s->session_options.rst_stream_path);
  free(s);
}

cn_ip_endpoint cn_test_server_address(const cn_test_server *s) { return s->address; }

uint16_t cn_test_server_port(const cn_test_server *s) { return cn_ip_endpoint_port(&s->address); }

const char *cn_test_server_base_url(const cn_test_server *s, char *buf, size_t size) {
  char hostport[80];
  cn_ip_endpoint_to_string(&s->address, hostport, sizeof(hostport));
  snprintf(buf, size, "%s://%s", s->plain ? "http" : "https", hostport);
  return buf;
}

const char *cn_test_server_ca_pem(const cn_test_server *s) { return s->certs.ca_pem; }

void cn_test_server_get_counters(const cn_test_server *s, cn_test_server_counters *out) {
  *out = s->counters;
}

void cn_test_server_get_proxy_counters(const cn_test_server *s,
                                       cn_test_server_proxy_counters *out) {
  if (s->proxy)
    cn_ts_proxy_handler_get_counters(s->handler, out);
  else
    memset(out, 0, sizeof(*out));
}
