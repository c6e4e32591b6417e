#include "net/socket/tcp_socket.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/mem.h"

// libuv handles and requests outlive the socket when it is destroyed with
// work in flight: uv_close() and cancelled requests call back later. Each
// handle and request is therefore its own allocation whose |data| points to
// the socket while it lives and is set to NULL on destroy; callbacks that
// find NULL only free their memory.

typedef enum tcp_state {
  TCP_IDLE,
  TCP_CONNECTING,
  TCP_CONNECTED,
  TCP_CLOSED,
} tcp_state;

typedef struct tcp_socket {
  cn_stream_socket base;
  uv_loop_t *loop;
  uv_tcp_t *handle;
  tcp_state state;
  // Connect.
  cn_address_list addrs;
  size_t addr_index;
  int first_error;
  uv_connect_t *connect_req;
  cn_completion_cb connect_cb;
  void *connect_arg;
  cn_ip_endpoint peer;
  bool has_peer;
  // The pending read (libuv reads straight into the caller's buffer).
  cn_iobuf *read_buf;
  size_t read_len;
  cn_completion_cb read_cb;
  void *read_arg;
  bool eof;
  // libuv's read watcher is on (uv_read_start). It stays on after a read
  // completes, whether or not the callee reads again, so neither a reader
  // that streams nor one that reads once per request (a keep-alive
  // connection between exchanges, idle in its pool) stops and restarts it
  // (two epoll_ctl calls) per read. It is stopped when libuv finds bytes or
  // EOF with no read outstanding (on_alloc gives no buffer): those stay in
  // the kernel, and the watcher is off until the next read.
  bool watching;
  // The last look at the kernel (a read, or the idle check's peek) found
  // nothing, at loop time |empty_ms|, and nothing has arrived since as far
  // as the loop knows. Within the same loop millisecond, with the watcher
  // on (so an arrival before the last poll would have been reported), that
  // answer stands: a read right after a write (a request, whose answer
  // cannot be back yet) waits on the watcher at once, and the pool's check
  // of a connection it took back a moment ago needs no second peek.
  bool known_empty;
  uint64_t empty_ms;
  // Reads answered synchronously from the kernel in this loop turn (the
  // turn known by its loop time, |sync_turn|; see read_).
  unsigned sync_reads;
  uint64_t sync_turn;
  // The pending write.
  uv_write_t *write_req;
  cn_completion_cb write_cb;
  void *write_arg;
} tcp_socket;

typedef struct write_req {
  uv_write_t req;  // first: libuv hands back &req
  cn_iobuf *buf;   // keeps the bytes alive while libuv writes them
  size_t total;    // reported to the caller on success
} write_req;

static tcp_socket *tcp_of(cn_stream_socket *s) { return (tcp_socket *)s; }

static void free_handle(uv_handle_t *h) { free(h); }

static void close_handle(tcp_socket *t) {
  if (!t->handle)
    return;
  t->handle->data = NULL;
  uv_close((uv_handle_t *)t->handle, free_handle);
  t->handle = NULL;
}

static int start_next_address(tcp_socket *t);

static int finish_connect(tcp_socket *t, int rv) {
  if (rv == CN_OK) {
    t->state = TCP_CONNECTED;
    uv_tcp_nodelay(t->handle, 1);
    char tmp[80];
    cn_netlog_end(t->base.netlog, t->base.source, CN_NETLOG_TCP_CONNECT,
                  CN_NL_STR("address", cn_ip_endpoint_to_string(&t->peer, tmp, sizeof(tmp))));
  } else {
    t->state = TCP_IDLE;
    cn_netlog_end_with_error(t->base.netlog, t->base.source, CN_NETLOG_TCP_CONNECT, rv);
  }
  return rv;
}

static void on_connect(uv_connect_t *req, int status) {
  tcp_socket *t = req->data;
  free(req);
  if (!t)
    return;  // destroyed meanwhile
  t->connect_req = NULL;
  int rv;
  if (status == 0) {
    rv = finish_connect(t, CN_OK);
  } else {
    int err = cn_error_from_uv(status);
    char tmp[80];
    cn_netlog_event(t->base.netlog, t->base.source, CN_NETLOG_TCP_CONNECT_ATTEMPT,
                    CN_NL_STR("address", cn_ip_endpoint_to_string(&t->peer, tmp, sizeof(tmp))),
                    CN_NL_ERROR(err));
    if (!t->first_error)
      t->first_error = err;
    close_handle(t);
    t->addr_index++;
    rv = start_next_address(t);
    if (rv == CN_ERR_IO_PENDING)
      return;
  }
  cn_completion_cb cb = t->connect_cb;
  t->connect_cb = NULL;
  cb(t->connect_arg, rv);
}

// Starts a connect to the next address not yet tried. Returns
// CN_ERR_IO_PENDING while an attempt is under way (on_connect continues),
// else the final result: the first address's error when all failed, as a
// browser reports the error of the address it tried first.
static int start_next_address(tcp_socket *t) {
  while (t->addr_index < t->addrs.count) {
    const cn_ip_endpoint *ep = &t->addrs.items[t->addr_index];
    char tmp[80];
    cn_netlog_event(t->base.netlog, t->base.source, CN_NETLOG_TCP_CONNECT_ATTEMPT,
                    CN_NL_STR("address", cn_ip_endpoint_to_string(ep, tmp, sizeof(tmp))));
    t->handle = cn_xmalloc(sizeof(*t->handle));
    uv_tcp_init(t->loop, t->handle);
    t->handle->data = t;
    t->peer = *ep;
    t->has_peer = true;
    t->connect_req = cn_xmalloc(sizeof(*t->connect_req));
    t->connect_req->data = t;
    int rv = uv_tcp_connect(t->connect_req, t->handle, (const struct sockaddr *)&ep->addr,
                            on_connect);
    if (rv == 0)
      return CN_ERR_IO_PENDING;
    // Synchronous failure (bad address family, fd limit): record, try next.
    free(t->connect_req);
    t->connect_req = NULL;
    close_handle(t);
    if (!t->first_error)
      t->first_error = cn_error_from_uv(rv);
    t->addr_index++;
  }
  return finish_connect(t, t->first_error ? t->first_error : CN_ERR_NAME_NOT_RESOLVED);
}

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  tcp_socket *t = tcp_of(s);
  if (t->state == TCP_CONNECTED)
    return CN_OK;
  if (t->state != TCP_IDLE)
    return CN_ERR_UNEXPECTED;
  t->state = TCP_CONNECTING;
  t->addr_index = 0;
  t->first_error = 0;
  cn_netlog_begin0(t->base.netlog, t->base.source, CN_NETLOG_TCP_CONNECT);
  int rv = start_next_address(t);
  if (rv == CN_ERR_IO_PENDING) {
    t->connect_cb = cb;
    t->connect_arg = arg;
  }
  return rv;
}

// --- reading ---
//
// A read first asks the kernel (recv with MSG_DONTWAIT): bytes already
// there are returned at once, with no loop turn and no watcher change
// between them and the caller (as Chromium's TCP socket reads). Only when
// the kernel has nothing does the read wait, through libuv's read watcher.
// A caller that reads on and on while bytes keep coming would never let the
// loop run (timers, other connections): after CN_TCP_MAX_SYNC_READS
// synchronous reads in a row the next one waits for the loop even if bytes
// are there (it then completes in the next turn). A turn is known by the
// loop's time (uv_now), which libuv updates once per turn.
#define CN_TCP_MAX_SYNC_READS 32

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out) {
  tcp_socket *t = h->data;
  if (!t || !t->read_buf) {
    out->base = NULL;
    out->len = 0;
    return;
  }
  out->base = (char *)t->read_buf->data;
  out->len = t->read_len;
}

static void stop_watching(tcp_socket *t) {
  if (t->watching && t->handle)
    uv_read_stop((uv_stream_t *)t->handle);
  t->watching = false;
}

static void log_received(tcp_socket *t, ssize_t n) {
  cn_netlog_event(t->base.netlog, t->base.source, CN_NETLOG_SOCKET_BYTES_RECEIVED,
                  CN_NL_INT("byte_count", n));
}

static void complete_read(tcp_socket *t, int rv) {
  cn_completion_cb cb = t->read_cb;
  void *arg = t->read_arg;
  cn_iobuf_unref(t->read_buf);
  t->read_buf = NULL;
  t->read_cb = NULL;
  t->sync_reads = 0;  // the loop ran: the next reads may be synchronous again
  cb(arg, rv);
  // The socket may be gone (|t| freed: destroy cleared handle->data) — the
  // caller of complete_read checks. A callee that read again left the
  // watcher on; one that did not gets it stopped by on_read.
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  tcp_socket *t = stream->data;
  if (!t)
    return;
  t->known_empty = false;  // something came (or an error)
  if (!t->read_cb) {
    // Bytes or EOF arrived with no reader (UV_ENOBUFS: on_alloc had no
    // buffer): leave them in the kernel for the next read.
    stop_watching(t);
    return;
  }
  if (nread == 0)
    return;
  if (nread > 0) {
    log_received(t, nread);
    complete_read(t, (int)nread);
  } else if (nread == UV_EOF) {
    t->eof = true;
    complete_read(t, 0);
  } else {
    complete_read(t, cn_error_from_uv((int)nread));
  }
  // The watcher stays on even if the callee did not read again (see
  // |watching|).
}

static void note_empty(tcp_socket *t) {
  t->known_empty = true;
  t->empty_ms = uv_now(t->loop);
}

// See |known_empty|.
static bool still_empty(const tcp_socket *t) {
  return t->known_empty && t->watching && t->empty_ms == uv_now(t->loop);
}

// Reads what the kernel holds without waiting: > 0 bytes, 0 EOF, an error,
// or CN_ERR_IO_PENDING when there is nothing yet.
static int read_now(tcp_socket *t, cn_iobuf *buf, size_t len) {
  uv_os_fd_t fd;
  if (uv_fileno((const uv_handle_t *)t->handle, &fd) != 0)
    return CN_ERR_IO_PENDING;  // let libuv report it
  ssize_t n;
  do {
    n = recv(fd, buf->data, len > INT_MAX ? INT_MAX : len, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    t->known_empty = false;
    log_received(t, n);
    return (int)n;
  }
  if (n == 0) {
    t->eof = true;
    return 0;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    note_empty(t);
    return CN_ERR_IO_PENDING;
  }
  return cn_error_from_uv(-errno);  // libuv's codes are negated errnos here
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  tcp_socket *t = tcp_of(s);
  if (t->state != TCP_CONNECTED)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (len == 0 || len > buf->size || t->read_cb)
    return CN_ERR_INVALID_ARGUMENT;
  if (t->eof)
    return 0;
  if (t->sync_turn != uv_now(t->loop)) {
    t->sync_turn = uv_now(t->loop);
    t->sync_reads = 0;
  }
  if (t->sync_reads < CN_TCP_MAX_SYNC_READS && !still_empty(t)) {
    int rv = read_now(t, buf, len);
    if (rv != CN_ERR_IO_PENDING) {
      t->sync_reads++;
      return rv;
    }
  }
  if (!t->watching) {
    int rv = uv_read_start((uv_stream_t *)t->handle, on_alloc, on_read);
    if (rv < 0)
      return cn_error_from_uv(rv);
    t->watching = true;
  }
  t->read_buf = cn_iobuf_ref(buf);
  t->read_len = len;
  t->read_cb = cb;
  t->read_arg = arg;
  return CN_ERR_IO_PENDING;
}

// --- writing ---

static void on_write(uv_write_t *req, int status) {
  write_req *w = (write_req *)req;
  tcp_socket *t = req->data;
  size_t total = w->total;
  cn_iobuf_unref(w->buf);
  free(w);
  if (!t)
    return;
  t->write_req = NULL;
  cn_completion_cb cb = t->write_cb;
  t->write_cb = NULL;
  if (status == 0) {
    cn_netlog_event(t->base.netlog, t->base.source, CN_NETLOG_SOCKET_BYTES_SENT,
                    CN_NL_INT("byte_count", total));
  }
  cb(t->write_arg, status == 0 ? (int)total : cn_error_from_uv(status));
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  tcp_socket *t = tcp_of(s);
  if (t->state != TCP_CONNECTED)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (len == 0 || len > buf->size || t->write_cb)
    return CN_ERR_INVALID_ARGUMENT;
  // Try the kernel first: most writes fit in the socket buffer and then
  // complete synchronously with no request allocated.
  uv_buf_t ub = uv_buf_init((char *)buf->data, (unsigned)len);
  int n = uv_try_write((uv_stream_t *)t->handle, &ub, 1);
  if (n < 0 && n != UV_EAGAIN)
    return cn_error_from_uv(n);
  size_t done = n > 0 ? (size_t)n : 0;
  if (done == len) {
    cn_netlog_event(t->base.netlog, t->base.source, CN_NETLOG_SOCKET_BYTES_SENT,
                    CN_NL_INT("byte_count", len));
    return (int)len;
  }
  write_req *w = cn_xmalloc(sizeof(*w));
  w->req.data = t;
  w->buf = cn_iobuf_ref(buf);
  w->total = len;
  ub = uv_buf_init((char *)buf->data + done, (unsigned)(len - done));
  int rv = uv_write(&w->req, (uv_stream_t *)t->handle, &ub, 1, on_write);
  if (rv < 0) {
    cn_iobuf_unref(w->buf);
    free(w);
    return cn_error_from_uv(rv);
  }
  t->write_req = &w->req;
  t->write_cb = cb;
  t->write_arg = arg;
  return CN_ERR_IO_PENDING;
}

// --- state ---

static void disconnect_(cn_stream_socket *s) {
  tcp_socket *t = tcp_of(s);
  if (t->connect_req) {
    t->connect_req->data = NULL;
    t->connect_req = NULL;
  }
  if (t->write_req) {
    t->write_req->data = NULL;
    t->write_req = NULL;
  }
  cn_iobuf_unref(t->read_buf);
  t->read_buf = NULL;
  t->read_cb = t->write_cb = t->connect_cb = NULL;
  t->watching = false;
  t->known_empty = false;
  close_handle(t);
  if (t->state != TCP_CLOSED && t->state != TCP_IDLE)
    cn_netlog_event0(t->base.netlog, t->base.source, CN_NETLOG_SOCKET_CLOSED);
  t->state = TCP_CLOSED;
}

static bool is_connected_(const cn_stream_socket *s) {
  const tcp_socket *t = (const tcp_socket *)s;
  if (t->state != TCP_CONNECTED || t->eof)
    return false;
  if (t->read_cb || still_empty(t))
    return true;  // a read is outstanding (libuv owns the stream's data), or see |known_empty|
  // Peek without consuming: EOF or an error means the peer has gone.
  uv_os_fd_t fd;
  if (uv_fileno((const uv_handle_t *)t->handle, &fd) != 0)
    return false;
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  // Not const: the answer is remembered (|known_empty|).
  tcp_socket *t = (tcp_socket *)s;
  if (t->state != TCP_CONNECTED || t->eof || t->read_cb)
    return false;
  if (still_empty(t))
    return true;
  uv_os_fd_t fd;
  if (uv_fileno((const uv_handle_t *)t->handle, &fd) != 0)
    return false;
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  // Idle only if nothing at all is waiting: unread bytes on an idle socket
  // are a protocol error, and EOF means the peer closed it.
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    note_empty(t);
    return true;
  }
  return false;
}

static void destroy_(cn_stream_socket *s) {
  tcp_socket *t = tcp_of(s);
  disconnect_(s);
  cn_address_list_free(&t->addrs);
  cn_stream_socket_log_destroyed(s);
  free(t);
}

static void set_keeps_loop_alive_(cn_stream_socket *s, bool keep) {
  tcp_socket *t = tcp_of(s);
  if (!t->handle)
    return;
  if (keep)
    uv_ref((uv_handle_t *)t->handle);
  else
    uv_unref((uv_handle_t *)t->handle);
}

static int query_(const cn_stream_socket *s, cn_socket_query q, void *out) {
  if (q != CN_SOCKET_QUERY_LAYER)
    return CN_ERR_NOT_IMPLEMENTED;
  *(cn_socket_layer *)out = CN_SOCKET_LAYER_TCP;
  return CN_OK;
}

static const cn_stream_socket_ops kTcpOps = {
    .name = "tcp",
    .connect = connect_,
    .read = read_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = NULL,
    .destroy = destroy_,
    .query = query_,
    .set_keeps_loop_alive = set_keeps_loop_alive_,
};

static tcp_socket *new_tcp(uv_loop_t *loop, cn_netlog *netlog) {
  tcp_socket *t = CN_NEW(tcp_socket);
  cn_stream_socket_init(&t->base, &kTcpOps, netlog);
  t->loop = loop;
  cn_address_list_init(&t->addrs);
  return t;
}

cn_stream_socket *cn_tcp_socket_new(uv_loop_t *loop, const cn_address_list *addrs,
                                    cn_netlog *netlog) {
  tcp_socket *t = new_tcp(loop, netlog);
  cn_address_list_copy(&t->addrs, addrs);
  return &t->base;
}

bool cn_tcp_socket_peer_address(const cn_stream_socket *s, cn_ip_endpoint *out) {
  const tcp_socket *t = (const tcp_socket *)s;
  if (s->ops != &kTcpOps || !t->has_peer)
    return false;
  *out = t->peer;
  return true;
}

bool cn_tcp_socket_local_address(const cn_stream_socket *s, cn_ip_endpoint *out) {
  const tcp_socket *t = (const tcp_socket *)s;
  if (s->ops != &kTcpOps || t->state != TCP_CONNECTED)
    return false;
  memset(out, 0, sizeof(*out));
  int len = sizeof(out->addr);
  return uv_tcp_getsockname(t->handle, (struct sockaddr *)&out->addr, &len) == 0;
}

// --- listener ---

struct cn_tcp_listener {
  uv_tcp_t *handle;
  uv_loop_t *loop;
  cn_netlog *netlog;
  cn_tcp_accept_cb cb;
  void *arg;
};

static void on_connection(uv_stream_t *server, int status) {
  cn_tcp_listener *l = server->data;
  if (!l || status < 0)
    return;
  tcp_socket *t = new_tcp(l->loop, l->netlog);
  t->handle = cn_xmalloc(sizeof(*t->handle));
  uv_tcp_init(l->loop, t->handle);
  t->handle->data = t;
  if (uv_accept(server, (uv_stream_t *)t->handle) != 0) {
    destroy_(&t->base);
    return;
  }
  t->state = TCP_CONNECTED;
  uv_tcp_nodelay(t->handle, 1);
  int len = sizeof(t->peer.addr);
  t->has_peer = uv_tcp_getpeername(t->handle, (struct sockaddr *)&t->peer.addr, &len) == 0;
  char tmp[80];
  cn_netlog_event(t->base.netlog, t->base.source, CN_NETLOG_TCP_ACCEPT,
                  CN_NL_STR("address", t->has_peer ? cn_ip_endpoint_to_string(&t->peer, tmp, sizeof(tmp)) : "?"));
  l->cb(l->arg, &t->base);
}

int cn_tcp_listener_new(uv_loop_t *loop, const cn_ip_endpoint *bind, cn_netlog *netlog,
                        cn_tcp_accept_cb cb, void *arg, cn_tcp_listener **out) {
  cn_tcp_listener *l = CN_NEW(cn_tcp_listener);
  l->loop = loop;
  l->netlog = netlog;
  l->cb = cb;
  l->arg = arg;
  l->handle = cn_xmalloc(sizeof(*l->handle));
  uv_tcp_init(loop, l->handle);
  l->handle->data = l;
  int rv = uv_tcp_bind(l->handle, (const struct sockaddr *)&bind->addr, 0);
  if (rv == 0)
    rv = uv_listen((uv_stream_t *)l->handle, 511, on_connection);
  if (rv != 0) {
    cn_tcp_listener_destroy(l);
    *out = NULL;
    return cn_error_from_uv(rv);
  }
  *out = l;
  return CN_OK;
}

cn_ip_endpoint cn_tcp_listener_address(const cn_tcp_listener *l) {
  cn_ip_endpoint ep;
  memset(&ep, 0, sizeof(ep));
  int len = sizeof(ep.addr);
  uv_tcp_getsockname(l->handle, (struct sockaddr *)&ep.addr, &len);
  return ep;
}

void cn_tcp_listener_destroy(cn_tcp_listener *l) {
  if (!l)
    return;
  l->handle->data = NULL;
  uv_close((uv_handle_t *)l->handle, free_handle);
  free(l);
}
