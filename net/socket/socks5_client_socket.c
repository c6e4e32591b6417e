#include "net/socket/socks5_client_socket.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

enum {
  kSocksVersion = 5,
  kAuthVersion = 1,  // RFC 1929's sub-negotiation version
  kMethodNone = 0x00,
  kMethodUserPass = 0x02,
  kMethodNoneAcceptable = 0xff,
  kCmdConnect = 1,
  kAtypIpv4 = 1,
  kAtypDomain = 3,
  kAtypIpv6 = 4,
  kMaxField = 255,  // a name, user name or password: one length byte
  // The largest answer: VER REP RSV ATYP, a length byte, a 255-byte name and
  // a port (262 bytes). Reads go through this much room.
  kInBufSize = 512,
};

// What the loop does next.
typedef enum io_state {
  ST_NONE,        // connect() not called
  ST_WRITE,       // write the rest of |out|
  ST_WRITE_DONE,
  ST_READ,        // read more of the current answer
  ST_READ_DONE,
  ST_DONE,        // tunnel up: pass-through
  ST_FAILED,      // handshake failed or disconnected
} io_state;

// Which message is being exchanged.
typedef enum phase { PH_GREETING, PH_AUTH, PH_CONNECT } phase;

typedef struct socks5_socket {
  cn_stream_socket base;
  cn_stream_socket *transport;
  cn_host_port target;
  bool has_address;
  cn_ip_endpoint address;
  char *username;  // NULL: no credentials
  char *password;
  io_state state;
  phase phase;
  cn_iobuf *out;   // the message being written
  size_t out_off;
  cn_iobuf *rbuf;  // what reads go into (a pending read holds its own ref)
  uint8_t in[kInBufSize];  // the answer so far; after the reply, early data
  size_t in_len;
  size_t in_off;  // after the reply: bytes of |in| already handed to reads
  cn_completion_cb connect_cb;
  void *connect_arg;
  bool logged_begin;
  int method;  // the proxy's choice, -1 before it
  int reply;   // REP, -1 before it
  int atyp;    // the reply's ATYP, -1 before it
} socks5_socket;

int cn_socks5_reply_to_error(unsigned rep) {
  switch (rep) {
    case 0:
      return CN_OK;
    case 2:
      return CN_ERR_SOCKS_CONNECTION_NOT_ALLOWED;
    case 3:
      return CN_ERR_SOCKS_NETWORK_UNREACHABLE;
    case 4:
      return CN_ERR_SOCKS_CONNECTION_HOST_UNREACHABLE;
    case 5:
      return CN_ERR_SOCKS_CONNECTION_REFUSED;
    case 6:
      return CN_ERR_SOCKS_TTL_EXPIRED;
    case 7:
      return CN_ERR_SOCKS_COMMAND_NOT_SUPPORTED;
    case 8:
      return CN_ERR_SOCKS_ADDRESS_TYPE_NOT_SUPPORTED;
    default:  // 1, general failure, and the unassigned codes
      return CN_ERR_SOCKS_CONNECTION_FAILED;
  }
}

static void set_out(socks5_socket *s, const uint8_t *msg, size_t len) {
  cn_iobuf_unref(s->out);
  s->out = cn_iobuf_from_copy(msg, len);
  s->out_off = 0;
  s->in_len = 0;
  s->state = ST_WRITE;
}

static void build_greeting(socks5_socket *s) {
  uint8_t msg[4] = {kSocksVersion, 1, kMethodNone, 0};
  if (s->username) {
    msg[1] = 2;
    msg[3] = kMethodUserPass;
  }
  s->phase = PH_GREETING;
  set_out(s, msg, s->username ? 4 : 3);
}

static void build_auth(socks5_socket *s) {
  uint8_t msg[3 + 2 * kMaxField];
  size_t ulen = strlen(s->username), plen = strlen(s->password);
  size_t n = 0;
  msg[n++] = kAuthVersion;
  msg[n++] = (uint8_t)ulen;
  memcpy(msg + n, s->username, ulen);
  n += ulen;
  msg[n++] = (uint8_t)plen;
  memcpy(msg + n, s->password, plen);
  n += plen;
  s->phase = PH_AUTH;
  set_out(s, msg, n);
  // The message held the password: do not leave it on the stack.
  memset(msg, 0, sizeof(msg));
}

static void build_connect(socks5_socket *s) {
  uint8_t msg[4 + 1 + kMaxField + 2];
  size_t n = 0;
  msg[n++] = kSocksVersion;
  msg[n++] = kCmdConnect;
  msg[n++] = 0;
  cn_ip_endpoint literal;
  const cn_ip_endpoint *ep = NULL;
  if (s->has_address)
    ep = &s->address;
  else if (cn_ip_endpoint_from_literal(s->target.host, 0, &literal))
    ep = &literal;
  if (ep && cn_ip_endpoint_family(ep) == AF_INET) {
    msg[n++] = kAtypIpv4;
    memcpy(msg + n, &((const struct sockaddr_in *)&ep->addr)->sin_addr, 4);
    n += 4;
  } else if (ep) {
    msg[n++] = kAtypIpv6;
    memcpy(msg + n, &((const struct sockaddr_in6 *)&ep->addr)->sin6_addr, 16);
    n += 16;
  } else {
    size_t len = strlen(s->target.host);  // checked <= 255 by connect()
    msg[n++] = kAtypDomain;
    msg[n++] = (uint8_t)len;
    memcpy(msg + n, s->target.host, len);
    n += len;
  }
  msg[n++] = (uint8_t)(s->target.port >> 8);
  msg[n++] = (uint8_t)(s->target.port & 0xff);
  s->phase = PH_CONNECT;
  set_out(s, msg, n);
}

// Looks at the answer so far. Returns CN_ERR_IO_PENDING when more bytes are
// needed, CN_OK when the phase is over (the next state is set), or an error.
static int parse_answer(socks5_socket *s) {
  const uint8_t *in = s->in;
  size_t len = s->in_len;
  switch (s->phase) {
    case PH_GREETING:
      if (in[0] != kSocksVersion)
        return CN_ERR_SOCKS_MALFORMED_REPLY;
      if (len < 2)
        return CN_ERR_IO_PENDING;
      s->method = in[1];
      if (len > 2)
        return CN_ERR_SOCKS_MALFORMED_REPLY;
      if (in[1] == kMethodNoneAcceptable)
        return CN_ERR_SOCKS_NO_ACCEPTABLE_METHOD;
      if (in[1] == kMethodNone) {
        build_connect(s);
      } else if (in[1] == kMethodUserPass && s->username) {
        build_auth(s);
      } else {
        return CN_ERR_SOCKS_MALFORMED_REPLY;  // a method we did not offer
      }
      return CN_OK;
    case PH_AUTH:
      if (in[0] != kAuthVersion)
        return CN_ERR_SOCKS_MALFORMED_REPLY;
      if (len < 2)
        return CN_ERR_IO_PENDING;
      if (len > 2)
        return CN_ERR_SOCKS_MALFORMED_REPLY;
      if (in[1] != 0)
        return CN_ERR_SOCKS_AUTH_FAILED;
      build_connect(s);
      return CN_OK;
    case PH_CONNECT: {
      if (in[0] != kSocksVersion)
        return CN_ERR_SOCKS_MALFORMED_REPLY;
      if (len < 2)
        return CN_ERR_IO_PENDING;
      s->reply = in[1];
      if (in[1] != 0)
        return cn_socks5_reply_to_error(in[1]);
      if (len < 4)
        return CN_ERR_IO_PENDING;
      s->atyp = in[3];
      size_t total;
      if (in[3] == kAtypIpv4) {
        total = 4 + 4 + 2;
      } else if (in[3] == kAtypIpv6) {
        total = 4 + 16 + 2;
      } else if (in[3] == kAtypDomain) {
        if (len < 5)
          return CN_ERR_IO_PENDING;
        if (in[4] == 0)
          return CN_ERR_SOCKS_MALFORMED_REPLY;
        total = 4 + 1 + in[4] + 2;
      } else {
        return CN_ERR_SOCKS_MALFORMED_REPLY;
      }
      if (len < total)
        return CN_ERR_IO_PENDING;
      s->in_off = total;  // what follows is the target's
      s->state = ST_DONE;
      return CN_OK;
    }
  }
  return CN_ERR_UNEXPECTED;
}

static void on_io(void *arg, int rv);

static int do_loop(socks5_socket *s, int rv) {
  for (;;) {
    switch (s->state) {
      case ST_WRITE: {
        s->state = ST_WRITE_DONE;
        cn_iobuf *rest = cn_iobuf_slice(s->out, s->out_off, s->out->size - s->out_off);
        rv = cn_stream_socket_write(s->transport, rest, rest->size, on_io, s);
        cn_iobuf_unref(rest);
        break;
      }
      case ST_WRITE_DONE:
        if (rv == 0)
          rv = CN_ERR_CONNECTION_CLOSED;
        if (rv < 0)
          return rv;
        s->out_off += (size_t)rv;
        s->state = s->out_off < s->out->size ? ST_WRITE : ST_READ;
        rv = CN_OK;
        break;
      case ST_READ:
        s->state = ST_READ_DONE;
        rv = cn_stream_socket_read(s->transport, s->rbuf, kInBufSize - s->in_len, on_io, s);
        break;
      case ST_READ_DONE:
        if (rv == 0)
          rv = CN_ERR_CONNECTION_CLOSED;  // EOF before a complete answer
        if (rv < 0)
          return rv;
        memcpy(s->in + s->in_len, s->rbuf->data, (size_t)rv);
        s->in_len += (size_t)rv;
        s->state = ST_READ;  // unless the answer is complete
        rv = parse_answer(s);
        if (rv == CN_ERR_IO_PENDING)
          rv = CN_OK;  // read on
        else if (rv < 0)
          return rv;
        break;
      case ST_DONE:
        return CN_OK;
      default:
        return CN_ERR_UNEXPECTED;
    }
    if (rv == CN_ERR_IO_PENDING)
      return rv;
  }
}

// Ends the handshake: logs SOCKS5_CONNECT END and settles the state.
static void finish(socks5_socket *s, int rv) {
  if (rv != CN_OK)
    s->state = ST_FAILED;
  cn_iobuf_unref(s->out);
  s->out = NULL;
  if (!s->logged_begin)
    return;
  s->logged_begin = false;
  if (rv < 0)
    cn_netlog_end(s->base.netlog, s->base.source, CN_NETLOG_SOCKS5_CONNECT, CN_NL_ERROR(rv),
                  CN_NL_INT("method", s->method), CN_NL_INT("reply", s->reply));
  else
    cn_netlog_end(s->base.netlog, s->base.source, CN_NETLOG_SOCKS5_CONNECT,
                  CN_NL_INT("method", s->method), CN_NL_INT("reply", s->reply),
                  CN_NL_INT("atyp", s->atyp));
}

static void on_io(void *arg, int rv) {
  socks5_socket *s = arg;
  rv = do_loop(s, rv);
  if (rv == CN_ERR_IO_PENDING)
    return;
  finish(s, rv);
  cn_completion_cb cb = s->connect_cb;
  s->connect_cb = NULL;
  cb(s->connect_arg, rv);  // may destroy |s|
}

static int connect_(cn_stream_socket *base, cn_completion_cb cb, void *arg) {
  socks5_socket *s = (socks5_socket *)base;
  if (s->state != ST_NONE)
    return s->state == ST_DONE ? CN_ERR_SOCKET_IS_CONNECTED : CN_ERR_UNEXPECTED;
  char target[CN_HOST_PORT_STR_SIZE];
  cn_host_port_to_string(&s->target, target, sizeof(target));
  char address[64] = "";
  if (s->has_address)
    cn_ip_endpoint_to_string(&s->address, address, sizeof(address));
  cn_netlog_begin(base->netlog, base->source, CN_NETLOG_SOCKS5_CONNECT,
                  CN_NL_STR("target", target), CN_NL_STR("address", address),
                  CN_NL_STR("resolve", s->has_address ? "local" : "proxy"),
                  CN_NL_BOOL("auth", s->username != NULL));
  s->logged_begin = true;
  // Every field the wire carries with a length byte must fit in it.
  if (strlen(s->target.host) > kMaxField ||
      (s->username && (strlen(s->username) > kMaxField || strlen(s->password) > kMaxField))) {
    finish(s, CN_ERR_INVALID_ARGUMENT);
    return CN_ERR_INVALID_ARGUMENT;
  }
  build_greeting(s);
  int rv = do_loop(s, CN_OK);
  if (rv == CN_ERR_IO_PENDING) {
    s->connect_cb = cb;
    s->connect_arg = arg;
    return rv;
  }
  finish(s, rv);
  return rv;
}

static int read_(cn_stream_socket *base, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                 void *arg) {
  socks5_socket *s = (socks5_socket *)base;
  if (s->state != ST_DONE)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (s->in_off < s->in_len && len > 0) {
    // The target's first bytes came with the reply.
    size_t n = s->in_len - s->in_off;
    if (n > len)
      n = len;
    memcpy(buf->data, s->in + s->in_off, n);
    s->in_off += n;
    return (int)n;
  }
  return cn_stream_socket_read(s->transport, buf, len, cb, arg);
}

static int write_(cn_stream_socket *base, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  socks5_socket *s = (socks5_socket *)base;
  if (s->state != ST_DONE)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  return cn_stream_socket_write(s->transport, buf, len, cb, arg);
}

static void disconnect_(cn_stream_socket *base) {
  socks5_socket *s = (socks5_socket *)base;
  cn_stream_socket_disconnect(s->transport);  // cancels a pending handshake step
  if (s->state != ST_DONE && s->state != ST_FAILED && s->state != ST_NONE)
    finish(s, CN_ERR_ABORTED);
  s->connect_cb = NULL;
  s->state = ST_FAILED;
}

static bool is_connected_(const cn_stream_socket *base) {
  const socks5_socket *s = (const socks5_socket *)base;
  return s->state == ST_DONE && cn_stream_socket_is_connected(s->transport);
}

static bool is_connected_and_idle_(const cn_stream_socket *base) {
  const socks5_socket *s = (const socks5_socket *)base;
  return s->state == ST_DONE && s->in_off == s->in_len &&
         cn_stream_socket_is_connected_and_idle(s->transport);
}

static int shutdown_(cn_stream_socket *base, cn_completion_cb cb, void *arg) {
  socks5_socket *s = (socks5_socket *)base;
  if (s->state != ST_DONE)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  return cn_stream_socket_shutdown(s->transport, cb, arg);
}

static int query_(const cn_stream_socket *base, cn_socket_query q, void *out) {
  const socks5_socket *s = (const socks5_socket *)base;
  switch (q) {
    case CN_SOCKET_QUERY_LAYER:
      *(cn_socket_layer *)out = CN_SOCKET_LAYER_SOCKS_TUNNEL;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER:
      *(const cn_stream_socket **)out = s->transport;
      return CN_OK;
    default:
      return CN_ERR_NOT_IMPLEMENTED;
  }
}

static void destroy_(cn_stream_socket *base) {
  socks5_socket *s = (socks5_socket *)base;
  if (s->state != ST_DONE && s->state != ST_FAILED && s->state != ST_NONE)
    finish(s, CN_ERR_ABORTED);  // destroyed mid-handshake
  cn_stream_socket_destroy(s->transport);  // cancels whatever is pending
  cn_iobuf_unref(s->out);
  cn_iobuf_unref(s->rbuf);
  free(s->username);
  if (s->password) {
    memset(s->password, 0, strlen(s->password));
    free(s->password);
  }
  cn_stream_socket_log_destroyed(base);
  free(s);
}

static const cn_stream_socket_ops kSocks5Ops = {
    .name = "socks5",
    .connect = connect_,
    .read = read_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = NULL,  // the tunnel negotiates nothing itself
    .destroy = destroy_,
    .shutdown = shutdown_,
    .query = query_,
};

cn_stream_socket *cn_socks5_client_socket_new(cn_stream_socket *transport,
                                              const cn_socks5_client_socket_params *params,
                                              cn_netlog *netlog) {
  socks5_socket *s = CN_NEW(socks5_socket);
  cn_stream_socket_init(&s->base, &kSocks5Ops, netlog);
  s->transport = transport;
  s->target = *params->target;
  if (params->address) {
    s->has_address = true;
    s->address = *params->address;
  }
  if (params->username) {
    s->username = cn_xstrdup(params->username);
    s->password = cn_xstrdup(params->password ? params->password : "");
  }
  s->rbuf = cn_iobuf_new(kInBufSize);
  s->method = -1;
  s->reply = -1;
  s->atyp = -1;
  return &s->base;
}
