#include "tools/testserver/testserver_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/host_port.h"
#include "net/base/ip_endpoint.h"

const char *cn_ts_flags_usage(void) {
  return "usage: testserver [--port N] [--bind ADDR] [--plain] [--name HOST]...\n"
         "                  [--cert-mode good|expired|wrong-host|unknown-ca|cut-handshake|\n"
         "                               stall-handshake]\n"
         "                  [--alpn PROTO[,PROTO...] | --npn PROTO[,PROTO...]]\n"
         "                  [--ca-out FILE] [--port-file FILE]\n"
         "                  [--netlog FILE] [--close-on-request N]\n"
         "       testserver --proxy [the flags above] [--auth USER:PASS] [--auth-close]\n"
         "                  [--refuse-connect STATUS] [--refuse-location URL]\n"
         "                  [--drop-at STEP] [--drop-after N] [--slow MS]\n"
         "                  [--extra-after-200] [--answer-fault KIND] [--map HOST=ADDR]...\n"
         "       SPDY/3.1 and HTTP/2 sessions (with --alpn h2 / spdy/3.1):\n"
         "                  [--goaway-after N] [--rst-stream CODE] [--rst-path PREFIX]\n"
         "                  [--initial-window N] [--max-concurrent-streams N] [--bad-frame]\n"
         "\n"
         "Serves the cnet test origin (or, with --proxy, a proxy) on ADDR\n"
         "(default 127.0.0.1) until SIGINT or SIGTERM.\n"
         "  --port N          port to listen on (default 0: any free port)\n"
         "  --bind ADDR       IP address to listen on\n"
         "  --plain           plain HTTP instead of HTTPS\n"
         "  --name HOST       also put HOST in the certificate (repeatable); localhost,\n"
         "                    127.0.0.1 and ::1 are always there\n"
         "  --cert-mode MODE  certificate fault to serve (default good)\n"
         "  --alpn LIST       ALPN protocols in preference order: http/1.1, h2, spdy/3.1\n"
         "                    (default http/1.1); \"none\" ignores ALPN\n"
         "  --npn LIST        a server of the SPDY era: TLS 1.2 only, ALPN ignored, LIST\n"
         "                    advertised through NPN (the client picks)\n"
         "  --tls12           TLS 1.2 at most (ALPN as --alpn; for TLS 1.2 False Start)\n"
         "  --ca-out FILE     write the CA certificate (PEM) to FILE, for fetch --cacert\n"
         "  --port-file FILE  write the port number to FILE once listening\n"
         "  --netlog FILE     write the server's NetLog to FILE (JSON lines, one flush per\n"
         "                    line): its TLS handshakes, requests, sessions and, as a\n"
         "                    proxy, its connections and requests to origins\n"
         "  --close-on-request N  over HTTP/1.x, close a connection without an answer\n"
         "                    when its Nth request arrives (a stale keep-alive)\n"
         "  --proxy           be an HTTPS proxy (HTTP proxy with --plain): absolute-form\n"
         "                    requests are forwarded, CONNECT opens a tunnel\n"
         "  --auth USER:PASS  require Proxy-Authorization: Basic (else 407)\n"
         "  --auth-close      the 407 closes the connection\n"
         "  --refuse-connect STATUS  answer every CONNECT with STATUS (201..599 but\n"
         "                    200: a 2xx says success without a tunnel)\n"
         "  --refuse-location URL    Location of a 3xx refusal\n"
         "  --drop-at STEP    close without answering at STEP: after-connect-request,\n"
         "                    before-response, mid-response, mid-tunnel\n"
         "  --drop-after N    bytes relayed before mid-response / mid-tunnel cut (0)\n"
         "  --slow MS         wait MS milliseconds before every answer\n"
         "  --extra-after-200 send bytes right after \"200 Connection Established\"\n"
         "  --answer-fault KIND  answer every request from the proxy itself with a\n"
         "                    fault: garbage, big-head, many-headers, hang\n"
         "  --map HOST=ADDR   connect to ADDR for HOST (repeatable)\n"
         "  --goaway-after N  a session sends GOAWAY once N streams arrived\n"
         "  --rst-stream CODE reset streams with CODE (an HTTP/2 error code, a number or\n"
         "                    protocol-error, internal-error, refused-stream, cancel...)\n"
         "  --rst-path PREFIX only streams whose path starts with PREFIX (default: all)\n"
         "  --initial-window N  our stream receive window (SETTINGS_INITIAL_WINDOW_SIZE)\n"
         "  --max-concurrent-streams N  streams a client may open at once\n"
         "  --bad-frame       write a malformed frame when a session's first stream arrives\n"
         "  --help            this text\n"
         "Prints \"listening on https://ADDR:PORT\" when ready.\n";
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out) {
  if (!*s || strlen(s) > 19)
    return false;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return false;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  if (v > max)
    return false;
  *out = v;
  return true;
}

// An HTTP/2 error code by number or name.
static bool parse_h2_code(const char *s, uint32_t *out) {
  static const char *const kNames[] = {
      "no-error",       "protocol-error",      "internal-error",      "flow-control-error",
      "settings-timeout", "stream-closed",     "frame-size-error",    "refused-stream",
      "cancel",         "compression-error",   "connect-error",       "enhance-your-calm",
      "inadequate-security", "http-1-1-required"};
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); i++) {
    if (strcmp(s, kNames[i]) == 0) {
      *out = (uint32_t)i;
      return true;
    }
  }
  uint64_t v;
  if (!parse_u64(s, UINT32_MAX, &v))
    return false;
  *out = (uint32_t)v;
  return true;
}

// HOST=ADDR into the next map slot.
static bool parse_map(const char *value, cn_ts_flags *out) {
  const char *eq = strchr(value, '=');
  if (!eq || eq == value)
    return false;
  size_t i = out->server.proxy_options.num_map;
  if (cn_host_canonicalize(value, (size_t)(eq - value), out->map_hosts[i], NULL) != 0)
    return false;
  cn_ip_endpoint ep;
  if (!cn_ip_endpoint_from_literal(eq + 1, 0, &ep))
    return false;
  out->maps[i].host = out->map_hosts[i];
  out->maps[i].address = eq + 1;
  out->server.proxy_options.num_map++;
  return true;
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
  out->server.proxy_options.map = out->maps;
  const char *proxy_flag = NULL;  // the first proxy switch seen
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
                       strcmp(flag, "--alpn") == 0 || strcmp(flag, "--npn") == 0 ||
                       strcmp(flag, "--ca-out") == 0 ||
                       strcmp(flag, "--port-file") == 0 || strcmp(flag, "--netlog") == 0 ||
                       strcmp(flag, "--auth") == 0 ||
                       strcmp(flag, "--refuse-connect") == 0 ||
                       strcmp(flag, "--refuse-location") == 0 || strcmp(flag, "--drop-at") == 0 ||
                       strcmp(flag, "--drop-after") == 0 || strcmp(flag, "--slow") == 0 ||
                       strcmp(flag, "--map") == 0 || strcmp(flag, "--answer-fault") == 0 ||
                       strcmp(flag, "--close-on-request") == 0 || strcmp(flag, "--goaway-after") == 0 ||
                       strcmp(flag, "--rst-stream") == 0 || strcmp(flag, "--rst-path") == 0 ||
                       strcmp(flag, "--initial-window") == 0 ||
                       strcmp(flag, "--max-concurrent-streams") == 0;
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
    } else if (strcmp(flag, "--npn") == 0) {
      if (strcmp(value, "none") == 0 || !parse_alpn(value, &out->server))
        goto bad_value;
      out->server.npn_only = true;
    } else if (strcmp(flag, "--tls12") == 0) {
      out->server.tls12_only = true;
    } else if (strcmp(flag, "--ca-out") == 0) {
      out->ca_out = value;
    } else if (strcmp(flag, "--port-file") == 0) {
      out->port_file = value;
    } else if (strcmp(flag, "--netlog") == 0) {
      out->netlog = value;
    } else if (strcmp(flag, "--proxy") == 0) {
      out->server.proxy = true;
    } else if (strcmp(flag, "--auth") == 0) {
      if (!strchr(value, ':'))
        goto bad_value;
      out->server.proxy_options.auth = value;
      proxy_flag = proxy_flag ? proxy_flag : "--auth";
    } else if (strcmp(flag, "--auth-close") == 0) {
      out->server.proxy_options.auth_close = true;
      proxy_flag = proxy_flag ? proxy_flag : "--auth-close";
    } else if (strcmp(flag, "--refuse-connect") == 0) {
      uint64_t status;
      if (!parse_u64(value, 599, &status) || status <= 200)
        goto bad_value;
      out->server.proxy_options.refuse_connect = (int)status;
      proxy_flag = proxy_flag ? proxy_flag : "--refuse-connect";
    } else if (strcmp(flag, "--refuse-location") == 0) {
      out->server.proxy_options.refuse_location = value;
      proxy_flag = proxy_flag ? proxy_flag : "--refuse-location";
    } else if (strcmp(flag, "--drop-at") == 0) {
      if (!cn_test_server_drop_step_parse(value, &out->server.proxy_options.drop_at))
        goto bad_value;
      proxy_flag = proxy_flag ? proxy_flag : "--drop-at";
    } else if (strcmp(flag, "--drop-after") == 0) {
      if (!parse_u64(value, UINT64_MAX / 2, &out->server.proxy_options.drop_after_bytes))
        goto bad_value;
      proxy_flag = proxy_flag ? proxy_flag : "--drop-after";
    } else if (strcmp(flag, "--slow") == 0) {
      if (!parse_u64(value, 600000, &out->server.proxy_options.slow_ms))
        goto bad_value;
      proxy_flag = proxy_flag ? proxy_flag : "--slow";
    } else if (strcmp(flag, "--extra-after-200") == 0) {
      out->server.proxy_options.extra_after_200 = true;
      proxy_flag = proxy_flag ? proxy_flag : "--extra-after-200";
    } else if (strcmp(flag, "--close-on-request") == 0) {
      if (!parse_u64(value, UINT32_MAX, &out->server.close_on_request) ||
          out->server.close_on_request == 0)
        goto bad_value;
    } else if (strcmp(flag, "--answer-fault") == 0) {
      if (!cn_test_server_answer_fault_parse(value, &out->server.proxy_options.answer_fault))
        goto bad_value;
      proxy_flag = proxy_flag ? proxy_flag : "--answer-fault";
    } else if (strcmp(flag, "--map") == 0) {
      if (out->server.proxy_options.num_map == CN_TS_MAX_MAPS) {
        snprintf(err, err_size, "--map: more than %d entries", CN_TS_MAX_MAPS);
        return false;
      }
      if (!parse_map(value, out))
        goto bad_value;
      proxy_flag = proxy_flag ? proxy_flag : "--map";
    } else if (strcmp(flag, "--goaway-after") == 0) {
      uint64_t v;
      if (!parse_u64(value, UINT32_MAX, &v) || v == 0)
        goto bad_value;
      out->server.session_options.goaway_after = (uint32_t)v;
    } else if (strcmp(flag, "--rst-stream") == 0) {
      if (!parse_h2_code(value, &out->server.session_options.rst_stream_code))
        goto bad_value;
      out->server.session_options.rst_stream = true;
    } else if (strcmp(flag, "--rst-path") == 0) {
      if (value[0] != '/')
        goto bad_value;
      out->server.session_options.rst_stream_path = value;
    } else if (strcmp(flag, "--initial-window") == 0) {
      uint64_t v;
      // HTTP/2's limit (RFC 9113 6.5.2); 0 would stall every upload.
      if (!parse_u64(value, 0x7fffffff, &v) || v == 0)
        goto bad_value;
      out->server.session_options.initial_window = (uint32_t)v;
    } else if (strcmp(flag, "--max-concurrent-streams") == 0) {
      uint64_t v;
      if (!parse_u64(value, UINT32_MAX, &v) || v == 0)
        goto bad_value;
      out->server.session_options.max_concurrent_streams = (uint32_t)v;
    } else if (strcmp(flag, "--bad-frame") == 0) {
      out->server.session_options.bad_frame = true;
    } else {
      snprintf(err, err_size, "unknown flag %s", flag);
      return false;
    }
    continue;
  bad_value:
    snprintf(err, err_size, "%s: bad value \"%s\"", flag, value);
    return false;
  }
  if (proxy_flag && !out->server.proxy) {
    snprintf(err, err_size, "%s needs --proxy", proxy_flag);
    return false;
  }
  if (out->server.session_options.rst_stream_path && !out->server.session_options.rst_stream) {
    snprintf(err, err_size, "--rst-path needs --rst-stream");
    return false;
  }
  if (out->server.plain && out->ca_out) {
    snprintf(err, err_size, "--ca-out: a --plain server has no CA");
    return false;
  }
  return true;
}
