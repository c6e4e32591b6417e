#include "net/socket/mock_socket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "base/timer.h"

typedef struct mock_socket {
  cn_stream_socket base;
  cn_mock_socket_config config;
  cn_mock_op *ops;
  size_t num_ops;
  size_t pos;     // index of the next op to run
  size_t offset;  // bytes of ops[pos] already consumed (partial reads/writes)
  bool connected;
  bool closed;
  char *failure;
  // Pending operations, completed from |wake| (never re-entrantly).
  cn_completion_cb connect_cb;
  void *connect_arg;
  cn_iobuf *read_buf;
  size_t read_len;
  cn_completion_cb read_cb;
  void *read_arg;
  bool read_ready;  // ops[pos] is the read to deliver when |wake| fires
  cn_iobuf *write_buf;
  size_t write_len;
  cn_completion_cb write_cb;
  void *write_arg;
  int write_result;  // decided when the write was matched
  bool write_done;
  cn_timer *wake;
} mock_socket;

static mock_socket *mock_of(cn_stream_socket *s) { return (mock_socket *)s; }

static void fail(mock_socket *m, char *msg) {
  if (!m->failure)
    m->failure = msg;
  else
    free(msg);
}

// Printable, bounded excerpt of bytes for failure messages.
static char *excerpt(const uint8_t *data, size_t len) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  size_t n = len < 64 ? len : 64;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = data[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
      cn_bytebuf_append(&b, &c, 1);
    else
      cn_bytebuf_appendf(&b, "\\x%02x", c);
  }
  if (n < len)
    cn_bytebuf_appendf(&b, "...(%zu bytes)", len);
  char *s = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return s;
}

static void advance(mock_socket *m) {
  m->pos++;
  m->offset = 0;
}

static void schedule(mock_socket *m) {
  if (!cn_timer_is_active(m->wake))
    cn_timer_start(m->wake, 0, 0);
}

// Runs the read at ops[pos] into |buf|: bytes, EOF or the scripted error.
static int take_read(mock_socket *m, cn_iobuf *buf, size_t len) {
  cn_mock_op *op = &m->ops[m->pos];
  if (op->len == 0) {
    int rv = op->result;
    advance(m);
    return rv;
  }
  size_t left = op->len - m->offset;
  size_t n = left < len ? left : len;
  memcpy(buf->data, op->data + m->offset, n);
  m->offset += n;
  if (m->offset == op->len)
    advance(m);
  return (int)n;
}

// Matches a write against ops[pos]. Returns the count written or an error.
static int take_write(mock_socket *m, const uint8_t *data, size_t len) {
  cn_mock_op *op = &m->ops[m->pos];
  if (op->result < 0) {
    int rv = op->result;
    advance(m);
    return rv;
  }
  size_t left = op->len - m->offset;
  size_t n = left < len ? left : len;
  if (memcmp(data, op->data + m->offset, n) != 0 || n == 0) {
    char *want = excerpt((const uint8_t *)op->data + m->offset, left);
    char *got = excerpt(data, len);
    fail(m, cn_xasprintf("op %zu: write mismatch: expected \"%s\" got \"%s\"", m->pos, want, got));
    free(want);
    free(got);
    return CN_ERR_UNEXPECTED;
  }
  m->offset += n;
  if (m->offset == op->len)
    advance(m);
  return (int)n;
}

static bool next_is(const mock_socket *m, cn_mock_kind kind) {
  return m->pos < m->num_ops && m->ops[m->pos].kind == kind;
}

// Matches a write against the script: the next op must be a write with
// these bytes. Returns the count written or an error.
static int match_write(mock_socket *m, const uint8_t *data, size_t len) {
  if (!next_is(m, CN_MOCK_WRITE)) {
    char *got = excerpt(data, len);
    fail(m, m->pos < m->num_ops
                ? cn_xasprintf("op %zu: unexpected write \"%s\" (script expects a read)", m->pos, got)
                : cn_xasprintf("op %zu: write \"%s\" past the end of the script", m->pos, got));
    free(got);
    return CN_ERR_UNEXPECTED;
  }
  return take_write(m, data, len);
}

static void on_wake(void *arg) {
  mock_socket *m = arg;
  // Each completion may start new operations; re-check state after each.
  if (m->connect_cb && m->config.connect_result == CN_ERR_IO_PENDING)
    return;  // a connect that never completes
  if (m->connect_cb) {
    cn_completion_cb cb = m->connect_cb;
    m->connect_cb = NULL;
    m->connected = m->config.connect_result == CN_OK;
    cb(m->connect_arg, m->config.connect_result);
    return;  // let a later wake deliver reads/writes
  }
  if (m->write_cb && !m->write_done && !next_is(m, CN_MOCK_PAUSE)) {
    // A write that waited at a pause meets the script now.
    m->write_result = match_write(m, m->write_buf->data, m->write_len);
    m->write_done = true;
  }
  if (m->write_cb && m->write_done) {
    cn_completion_cb cb = m->write_cb;
    int rv = m->write_result;
    m->write_cb = NULL;
    m->write_done = false;
    cn_iobuf_unref(m->write_buf);
    m->write_buf = NULL;
    // A pending read may be unblocked by the write; schedule before the
    // callback, which may destroy the socket (destroy stops the timer).
    if (m->read_cb)
      schedule(m);
    cb(m->write_arg, rv);
    return;
  }
  if (m->read_cb && next_is(m, CN_MOCK_READ)) {
    cn_completion_cb cb = m->read_cb;
    void *cb_arg = m->read_arg;
    int rv = take_read(m, m->read_buf, m->read_len);
    cn_iobuf_unref(m->read_buf);
    m->read_buf = NULL;
    m->read_cb = NULL;
    cb(cb_arg, rv);
  }
}

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  mock_socket *m = mock_of(s);
  if (m->config.connect_mode == CN_MOCK_SYNC) {
    m->connected = m->config.connect_result == CN_OK;
    return m->config.connect_result;
  }
  m->connect_cb = cb;
  m->connect_arg = arg;
  schedule(m);
  return CN_ERR_IO_PENDING;
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  mock_socket *m = mock_of(s);
  if (!m->connected || m->closed)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (m->failure)
    return CN_ERR_UNEXPECTED;
  if (m->read_cb) {
    fail(m, cn_xasprintf("op %zu: a second read while one is pending", m->pos));
    return CN_ERR_UNEXPECTED;
  }
  if (next_is(m, CN_MOCK_READ) && m->ops[m->pos].mode == CN_MOCK_SYNC)
    return take_read(m, buf, len);
  // Async read, or the script is waiting for a write first, or the script
  // has ended (a read left pending forever, as on an idle connection).
  m->read_buf = cn_iobuf_ref(buf);
  m->read_len = len;
  m->read_cb = cb;
  m->read_arg = arg;
  if (next_is(m, CN_MOCK_READ))
    schedule(m);
  return CN_ERR_IO_PENDING;
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  mock_socket *m = mock_of(s);
  if (!m->connected || m->closed)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (m->failure)
    return CN_ERR_UNEXPECTED;
  bool paused = next_is(m, CN_MOCK_PAUSE);
  cn_mock_mode mode = paused ? CN_MOCK_ASYNC : m->pos < m->num_ops ? m->ops[m->pos].mode : CN_MOCK_SYNC;
  int rv = paused ? 0 : match_write(m, buf->data, len);
  if (mode == CN_MOCK_SYNC || rv == CN_ERR_UNEXPECTED) {
    if (m->read_cb && next_is(m, CN_MOCK_READ))
      schedule(m);
    return rv;
  }
  m->write_buf = cn_iobuf_ref(buf);
  m->write_len = len;
  m->write_cb = cb;
  m->write_arg = arg;
  m->write_result = rv;
  // At a pause the write is matched only after cn_mock_socket_resume.
  m->write_done = !paused;
  if (!paused)
    schedule(m);
  return CN_ERR_IO_PENDING;
}

static void cancel_all(mock_socket *m) {
  cn_iobuf_unref(m->read_buf);
  cn_iobuf_unref(m->write_buf);
  m->read_buf = m->write_buf = NULL;
  m->read_cb = m->write_cb = m->connect_cb = NULL;
  m->write_done = false;
  cn_timer_stop(m->wake);
}

static void disconnect_(cn_stream_socket *s) {
  mock_socket *m = mock_of(s);
  cancel_all(m);
  m->closed = true;
  m->connected = false;
}

static bool is_connected_(const cn_stream_socket *s) {
  const mock_socket *m = (const mock_socket *)s;
  if (!m->connected || m->closed)
    return false;
  // A scripted EOF or error next means the peer is gone.
  if (m->pos < m->num_ops && m->ops[m->pos].kind == CN_MOCK_READ && m->ops[m->pos].len == 0)
    return false;
  return true;
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  const mock_socket *m = (const mock_socket *)s;
  if (!is_connected_(s))
    return false;
  // A synchronous read waiting in the script stands for unread bytes.
  return !(m->pos < m->num_ops && m->ops[m->pos].kind == CN_MOCK_READ &&
           m->ops[m->pos].mode == CN_MOCK_SYNC);
}

static cn_next_proto negotiated_protocol_(const cn_stream_socket *s) {
  return ((const mock_socket *)s)->config.protocol;
}

static void destroy_(cn_stream_socket *s) {
  mock_socket *m = mock_of(s);
  cancel_all(m);
  cn_timer_destroy(m->wake);
  free(m->ops);
  free(m->failure);
  cn_stream_socket_log_destroyed(s);
  free(m);
}

static const cn_stream_socket_ops kMockOps = {
    .name = "mock",
    .connect = connect_,
    .read = read_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = negotiated_protocol_,
    .destroy = destroy_,
};

cn_stream_socket *cn_mock_socket_new(uv_loop_t *loop, cn_netlog *netlog,
                                     const cn_mock_socket_config *config,
                                     const cn_mock_op *ops, size_t num_ops) {
  mock_socket *m = CN_NEW(mock_socket);
  cn_stream_socket_init(&m->base, &kMockOps, netlog);
  if (config)
    m->config = *config;
  m->ops = cn_xmalloc(sizeof(*ops) * (num_ops ? num_ops : 1));
  if (num_ops)
    memcpy(m->ops, ops, sizeof(*ops) * num_ops);
  m->num_ops = num_ops;
  m->wake = cn_timer_new(loop, on_wake, m);
  return &m->base;
}

bool cn_mock_socket_all_consumed(const cn_stream_socket *s) {
  const mock_socket *m = (const mock_socket *)s;
  return m->pos == m->num_ops;
}

const char *cn_mock_socket_failure(const cn_stream_socket *s) {
  return ((const mock_socket *)s)->failure;
}

size_t cn_mock_socket_position(const cn_stream_socket *s) {
  return ((const mock_socket *)s)->pos;
}

bool cn_mock_socket_is_paused(const cn_stream_socket *s) {
  return next_is((const mock_socket *)s, CN_MOCK_PAUSE);
}

void cn_mock_socket_resume(cn_stream_socket *s) {
  mock_socket *m = mock_of(s);
  if (!next_is(m, CN_MOCK_PAUSE)) {
    fail(m, cn_xasprintf("op %zu: resume while the script is not paused", m->pos));
    return;
  }
  advance(m);
  if (m->write_cb || (m->read_cb && next_is(m, CN_MOCK_READ)))
    schedule(m);
}
