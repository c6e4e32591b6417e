#include "tools/testserver/testserver_flags.h"

#include <stdio.h>
#include <string.h>

#include "net/base/host_port.h"
#include "net/base/ip_endpoint.h"

const char *cn_ts_flags_usage(void) {
  return "usage: testserver [--port N] [--bind ADDR] [--plain] [--name HOST]...\n"
         "                  [--cert-mode good|expired|wrong-host|unknown-ca|cut-handshake]\n"
         "                  [--alpn PROTO[,PROTO...]] [--ca-out FILE] [--port-file FILE]\n"
         "\n"
         "Serves the cnet test origin on ADDR (default 127.0.0.1) until SIGINT or SIGTERM.\n"
         "  --port N          port to listen on (default 0: any free port)\n"
         "  --bind ADDR       IP address to listen on\n"
         "  --plain           plain HTTP instead of HTTPS\n"
         "  --name HOST       also put HOST in the certificate (repeatable); localhost,\n"
         "                    127.0.0.1 and ::1 are always there\n"
         "  --cert-mode MODE  certificate fault to serve (default good)\n"
         "  --alpn LIST       ALPN protocols in preference order: http/1.1, h2, spdy/3.1\n"
         "                    (default http/1.1); \"none\" ignores ALPN\n"
         "  --ca-out FILE     write the CA certificate (PEM) to FILE, for fetch --cacert\n"
         "  --port-file FILE  write the port number to FILE once listening\n"
         "  --help            this text\n"
         "Prints \"listening on https://ADDR:PORT\" when ready.\n";
}

static bool parse_alpn(const char *list, cn_test_server_options *o) {
  if (strcmp(list, "none") == 0) {
    o->no_alpn = true;
    return true;
  }
  o->num_alpn = 0;
  const char *p = list;
  for (;;) {
    size_t len = strcspn(p, ",");
    cn_next_proto proto = cn_next_proto_from_alpn(p, len);
    if (proto == CN_PROTO_UNKNOWN || o->num_alpn == CN_SSL_MAX_PROTOS)
      return false;
    o->alpn[o->num_alpn++] = proto;
    if (!p[len])
      return true;
    p += len + 1;
  }
}

bool cn_ts_flags_parse(int argc, char **argv, cn_ts_flags *out, char *err, size_t err_size) {
  memset(out, 0, sizeof(*out));
  out->server.names = out->names;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    char flag[64];
    const char *value = NULL;
    const char *eq = strchr(arg, '=');
    if (strncmp(arg, "--", 2) == 0 && eq && (size_t)(eq - arg) < sizeof(flag)) {
      memcpy(flag, arg, (size_t)(eq - arg));
      flag[eq - arg] = '\0';
      value = eq + 1;
    } else {
      snprintf(flag, sizeof(flag), "%s", arg);
    }
    bool takes_value = strcmp(flag, "--port") == 0 || strcmp(flag, "--bind") == 0 ||
                       strcmp(flag, "--name") == 0 || strcmp(flag, "--cert-mode") == 0 ||
                       strcmp(flag, "--alpn") == 0 || strcmp(flag, "--ca-out") == 0 ||
                       strcmp(flag, "--port-file") == 0;
    if (takes_value && !value) {
      if (i + 1 >= argc) {
        snprintf(err, err_size, "%s needs a value", flag);
        return false;
      }
      value = argv[++i];
    } else if (!takes_value && value) {
      snprintf(err, err_size, "%s takes no value", flag);
      return false;
    }

    if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
      out->help = true;
    } else if (strcmp(flag, "--plain") == 0) {
      out->server.plain = true;
    } else if (strcmp(flag, "--port") == 0) {
      uint16_t port;
      if (strcmp(value, "0") == 0)
        port = 0;
      else if (!cn_port_parse(value, strlen(value), &port))
        goto bad_value;
      out->server.port = port;
    } else if (strcmp(flag, "--bind") == 0) {
      cn_ip_endpoint ep;
      if (!cn_ip_endpoint_from_literal(value, 0, &ep))
        goto bad_value;
      out->server.bind_address = value;
    } else if (strcmp(flag, "--name") == 0) {
      char canon[CN_HOST_BUF_SIZE];
      if (cn_host_canonicalize(value, strlen(value), canon, NULL) != 0)
        goto bad_value;
      if (out->server.num_names == CN_TS_MAX_NAMES) {
        snprintf(err, err_size, "--name: more than %d names", CN_TS_MAX_NAMES);
        return false;
      }
      out->names[out->server.num_names++] = value;
    } else if (strcmp(flag, "--cert-mode") == 0) {
      if (!cn_test_server_cert_mode_parse(value, &out->server.cert_mode))
        goto bad_value;
    } else if (strcmp(flag, "--alpn") == 0) {
      if (!parse_alpn(value, &out->server))
        goto bad_value;
    } else if (strcmp(flag, "--ca-out") == 0) {
      out->ca_out = value;
    } else if (strcmp(flag, "--port-file") == 0) {
      out->port_file = value;
    } else {
      snprintf(err, err_size, "unknown flag %s", flag);
      return false;
    }
    continue;
  bad_value:
    snprintf(err, err_size, "%s: bad value \"%s\"", flag, value);
    return false;
  }
  if (out->server.plain && out->ca_out) {
    snprintf(err, err_size, "--ca-out: a --plain server has no CA");
    return false;
  }
  return true;
}
