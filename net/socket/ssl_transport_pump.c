// The TLS socket's transport side (see ssl_transport_pump.h).
#include "net/socket/ssl_transport_pump.h"

#include <string.h>

#include <openssl/bio.h>

#include "net/socket/ssl_internal.h"
#include "net/socket/ssl_socket_internal.h"

// See |full_read_size|.
static bool streaming(const ssl_socket *s) { return s->full_read_size >= CN_SSL_READ_CHUNK; }

static void note_transport_read(ssl_socket *s, int rv) {
  s->full_read_size = rv > 0 && s->rbuf && (size_t)rv == s->rbuf->size ? s->rbuf->size : 0;
  if (rv > 0) {
    s->rbuf_off = 0;
    s->rbuf_len = (size_t)rv;
  } else if (rv == 0) {
    s->transport_eof = true;
  } else {
    s->transport_read_error = rv;
  }
}

static void on_transport_read(void *arg, int rv) {
  ssl_socket *s = arg;
  s->transport_read_pending = false;
  note_transport_read(s, rv);
  cn_ssl_socket_pump_(s);
}

static void start_transport_read(ssl_socket *s) {
  // A transport that offers read_now hands over what arrives next that
  // way: a read that must wait only needs to learn that something came.
  // Otherwise one record's worth, 64 KiB while reads come back full, and
  // 256 KiB while those do (a bulk transfer streaming in).
  size_t size = s->peeking || s->transport_reads_now ? CN_SSL_PEEK_CHUNK
                : streaming(s)                        ? CN_SSL_STREAMING_READ_CHUNK
                : s->full_read_size                   ? CN_SSL_READ_CHUNK
                                                      : CN_SSL_SMALL_CHUNK;
  if (s->rbuf && s->rbuf->size != size) {
    cn_iobuf_unref(s->rbuf);  // kept from a read of another size (empty: reads start only then)
    s->rbuf = NULL;
  }
  if (!s->rbuf)
    s->rbuf = cn_iobuf_new(size);
  s->transport_read_pending = true;
  int rv = cn_stream_socket_read(s->transport, s->rbuf, size, on_transport_read, s);
  if (rv == CN_ERR_IO_PENDING)
    return;
  s->transport_read_pending = false;
  note_transport_read(s, rv);
}

int cn_ssl_bio_read_(BIO *bio, char *out, int len) {
  ssl_socket *s = BIO_get_data(bio);
  BIO_clear_retry_flags(bio);
  if (len <= 0)
    return 0;
  if (s->rbuf_len == 0 && !s->transport_read_pending && !s->transport_eof &&
      !s->transport_read_error) {
    // TLS inside TLS: the transport (the outer TLS, through the tunnel)
    // decrypts its records straight into BoringSSL's buffer, where a read
    // into |rbuf| would cost a copy more. Not for the idle client's peek,
    // which keeps only a small read pending.
    if (!s->peeking) {
      int rv = cn_stream_socket_read_now(s->transport, (uint8_t *)out, (size_t)len,
                                         !s->no_new_transport_reads);
      s->transport_reads_now = rv != CN_ERR_NOT_IMPLEMENTED;
      if (rv > 0)
        return rv;
      if (rv != CN_ERR_IO_PENDING && rv != CN_ERR_NOT_IMPLEMENTED)
        note_transport_read(s, rv);  // EOF or an error, as a read's
    }
    if ((!s->no_new_transport_reads || streaming(s)) && !s->transport_eof &&
        !s->transport_read_error)
      start_transport_read(s);
  }
  if (s->rbuf_len == 0) {
    if (s->transport_read_error)
      return -1;
    if (s->transport_eof)
      return 0;
    // With nothing to read now, a failed write is reported here: otherwise
    // a connection whose writes fail could wait forever for an answer that
    // will not come.
    if (s->transport_write_error)
      return -1;
    BIO_set_retry_read(bio);
    return -1;
  }
  size_t n = cn_ssl_min_size((size_t)len, s->rbuf_len);
  memcpy(out, s->rbuf->data + s->rbuf_off, n);
  s->rbuf_off += n;
  s->rbuf_len -= n;
  return (int)n;
}

static void note_transport_write(ssl_socket *s, int rv) {
  if (rv > 0) {
    size_t n = cn_ssl_min_size((size_t)rv, s->wbuf_len);
    s->wbuf_off = (s->wbuf_off + n) % s->wbuf->size;
    s->wbuf_len -= n;
    if (s->wbuf_len == 0)
      s->wbuf_off = 0;
  } else {
    // 0 breaks the write convention; treat it as a failure rather than spin.
    s->transport_write_error = rv < 0 ? rv : CN_ERR_UNEXPECTED;
    s->wbuf_off = 0;
    s->wbuf_len = 0;
  }
}

static void on_transport_write(void *arg, int rv);

// Hands the front of the ring to the transport until it stops completing
// synchronously.
void cn_ssl_transport_flush(ssl_socket *s) {
  while (s->wbuf_len > 0 && !s->transport_write_pending && !s->transport_write_error) {
    size_t n = cn_ssl_min_size(s->wbuf_len, s->wbuf->size - s->wbuf_off);
    cn_iobuf *chunk = cn_iobuf_slice(s->wbuf, s->wbuf_off, n);
    s->transport_write_pending = true;
    int rv = cn_stream_socket_write(s->transport, chunk, n, on_transport_write, s);
    cn_iobuf_unref(chunk);  // a pending write holds its own reference
    if (rv == CN_ERR_IO_PENDING)
      return;
    s->transport_write_pending = false;
    note_transport_write(s, rv);
  }
}

static void on_transport_write(void *arg, int rv) {
  ssl_socket *s = arg;
  s->transport_write_pending = false;
  note_transport_write(s, rv);
  cn_ssl_transport_flush(s);
  cn_ssl_socket_pump_(s);
}

int cn_ssl_bio_write_(BIO *bio, const char *in, int len) {
  ssl_socket *s = BIO_get_data(bio);
  BIO_clear_retry_flags(bio);
  if (s->transport_write_error)
    return -1;
  if (len <= 0)
    return 0;
  // A write of a full record or more gets the large ring (replacing a
  // small one that is empty); a handshake flight or a small write, the
  // small one.
  size_t ring = s->write_len - s->write_progress >= CN_SSL_FULL_RECORD ? CN_SSL_WRITE_RING
                                                                       : CN_SSL_SMALL_CHUNK;
  if (s->wbuf && s->wbuf->size < ring && s->wbuf_len == 0 && !s->transport_write_pending) {
    cn_iobuf_unref(s->wbuf);
    s->wbuf = NULL;
  }
  if (!s->wbuf) {
    s->wbuf = cn_iobuf_new(ring);
    s->wbuf_off = 0;
    s->wbuf_len = 0;
  }
  size_t cap = s->wbuf->size;
  if (s->wbuf_len == cap) {
    // Full: the transport takes some now, or a write of it is pending and
    // its callback pumps us again.
    cn_ssl_transport_flush(s);
    if (s->transport_write_error)
      return -1;
  }
  size_t n = cn_ssl_min_size((size_t)len, cap - s->wbuf_len);
  if (n == 0) {
    BIO_set_retry_write(bio);
    return -1;
  }
  size_t end = (s->wbuf_off + s->wbuf_len) % cap;
  size_t first = cn_ssl_min_size(n, cap - end);
  memcpy(s->wbuf->data + end, in, first);
  memcpy(s->wbuf->data, in + first, n - first);
  s->wbuf_len += n;
  // Not handed to the transport yet: the TLS socket flushes once the
  // SSL_* call (or several: every record of one write) is done, so the
  // records of one operation leave in one transport write.
  return (int)n;
}

long cn_ssl_bio_ctrl_(BIO *bio, int cmd, long larg, void *parg) {
  // BoringSSL flushes after each handshake flight (and fails if the flush
  // does): the flight leaves now, in one transport write, before the
  // handshake reads the answer.
  if (cmd != BIO_CTRL_FLUSH)
    return 0;
  cn_ssl_transport_flush(BIO_get_data(bio));
  return 1;
}

// Frees empty buffers so an idle connection holds none.
void cn_ssl_transport_trim_buffers(ssl_socket *s) {
  if (s->rbuf && s->rbuf_len == 0 && !s->transport_read_pending && !streaming(s)) {
    cn_iobuf_unref(s->rbuf);
    s->rbuf = NULL;
  }
  if (s->wbuf && s->wbuf_len == 0 && !s->transport_write_pending) {
    cn_iobuf_unref(s->wbuf);
    s->wbuf = NULL;
  }
}

// Room left in the write ring.
size_t cn_ssl_transport_ring_room(const ssl_socket *s) {
  return s->wbuf ? s->wbuf->size - s->wbuf_len : CN_SSL_WRITE_RING;
}

// After the transport was disconnected or destroyed: its pending operations
// are cancelled, so our buffers are ours alone.
void cn_ssl_transport_drop_buffers(ssl_socket *s) {
  s->transport_read_pending = false;
  s->transport_write_pending = false;
  cn_iobuf_unref(s->rbuf);
  s->rbuf = NULL;
  s->rbuf_len = 0;
  s->full_read_size = 0;
  cn_iobuf_unref(s->wbuf);
  s->wbuf = NULL;
  s->wbuf_len = 0;
}
