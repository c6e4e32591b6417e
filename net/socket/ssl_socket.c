// The TLS socket: BoringSSL over any stream socket (see ssl_socket.h).
//
// Layout of this file: error mapping; SSL_CTX callbacks; handshake, read,
// write and the pump; the stream socket interface. Elsewhere: the transport
// side, moving ciphertext between BoringSSL's BIO and the transport
// (ssl_transport_pump.c), and certificate verification (ssl_cert_verify.c).
#include "net/socket/ssl_socket.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

// Fails the build if OpenSSL's headers were picked up instead of BoringSSL's.
#include <openssl/is_boringssl.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/iobuf.h"
#include "base/mem.h"
#include "net/socket/ssl_cert_verify.h"
#include "net/socket/ssl_internal.h"
#include "net/socket/ssl_socket_internal.h"
#include "net/socket/ssl_transport_pump.h"

// Record sizes of what we send (issue #13: small records first, then
// sized for throughput), as nginx's dynamic TLS records do: until
// CN_SSL_SMALL_RECORD_BYTES have been written since the connection began,
// or since it was idle for CN_SSL_IDLE_RESTART_MS, a record carries at
// most CN_SSL_SMALL_RECORD bytes — one TCP segment, which the receiver can
// decrypt as soon as it arrives, rather than waiting for the dozen segments
// of a full record. After that, full 16 KiB records: fewer seals, headers
// and tags per byte for a large transfer.
#define CN_SSL_SMALL_RECORD 1369  // a segment's payload less TLS overhead (nginx's figure)
#define CN_SSL_SMALL_RECORD_BYTES (64 * 1024)
#define CN_SSL_IDLE_RESTART_MS 1000

static const cn_stream_socket_ops kSslOps;

// This module's own check of the sockets its public functions are given.
static bool is_ssl(const cn_stream_socket *s) { return s && s->ops == &kSslOps; }

static ssl_socket *ssl_of(cn_stream_socket *s) { return (ssl_socket *)s; }

// ---------------------------------------------------------------------------
// Error mapping.

static int map_lib_error(ssl_socket *s) {
  // The first error in the queue is the cause; later ones are context.
  uint32_t e = ERR_get_error();
  if (ERR_GET_LIB(e) != ERR_LIB_SSL)
    return CN_ERR_SSL_PROTOCOL_ERROR;
  switch (ERR_GET_REASON(e)) {
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return s->cert_error ? s->cert_error : CN_ERR_CERT_INVALID;
    case SSL_R_NO_CIPHER_MATCH:
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUP:
    case SSL_R_NO_COMMON_SIGNATURE_ALGORITHMS:
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY:
      return CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH;
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE: {
      // A handshake_failure alert in answer to our ClientHello means the
      // server found nothing in common with it.
      uint32_t next = ERR_peek_error();
      if (ERR_GET_LIB(next) == ERR_LIB_SSL &&
          ERR_GET_REASON(next) == SSL_R_HANDSHAKE_FAILURE_ON_CLIENT_HELLO)
        return CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH;
      return CN_ERR_SSL_PROTOCOL_ERROR;
    }
    case SSL_R_NO_APPLICATION_PROTOCOL:
    case SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL:
      return CN_ERR_ALPN_NEGOTIATION_FAILED;
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      // A client hearing this was refused for its (absent) certificate; a
      // server hearing it had its own certificate rejected, for which there
      // is no closer code.
      return s->is_server ? CN_ERR_SSL_PROTOCOL_ERROR : CN_ERR_BAD_SSL_CLIENT_AUTH_CERT;
    case SSL_R_SSLV3_ALERT_DECOMPRESSION_FAILURE:
      return CN_ERR_SSL_DECOMPRESSION_FAILURE_ALERT;
    case SSL_R_SSLV3_ALERT_BAD_RECORD_MAC:
      return CN_ERR_SSL_BAD_RECORD_MAC_ALERT;
    case SSL_R_TLSV1_ALERT_UNRECOGNIZED_NAME:
      return CN_ERR_SSL_UNRECOGNIZED_NAME_ALERT;
    case SSL_R_SERVER_CERT_CHANGED:
      return CN_ERR_SSL_SERVER_CERT_CHANGED;
    case SSL_R_NO_RENEGOTIATION:
      return CN_ERR_SSL_RENEGOTIATION_REQUESTED;
    default:
      return CN_ERR_SSL_PROTOCOL_ERROR;
  }
}

// Maps a failed SSL_* call. Returns 0 for end of stream (close_notify, or
// transport EOF), otherwise a CN_ERR_*. |writing| prefers the write side's
// transport error when both sides failed.
static int map_error(ssl_socket *s, int ssl_err, bool writing) {
  int rv;
  switch (ssl_err) {
    case SSL_ERROR_ZERO_RETURN:
      rv = 0;
      break;
    case SSL_ERROR_SYSCALL:
      // The BIO failed: the transport's own result says why, in the order
      // the BIO reports them.
      if (writing && s->transport_write_error)
        rv = s->transport_write_error;
      else if (s->transport_read_error)
        rv = s->transport_read_error;
      else if (s->transport_eof)
        rv = 0;
      else if (s->transport_write_error)
        rv = s->transport_write_error;
      else
        rv = CN_ERR_SSL_PROTOCOL_ERROR;
      break;
    case SSL_ERROR_SSL:
      rv = map_lib_error(s);
      break;
    default:
      rv = CN_ERR_SSL_PROTOCOL_ERROR;
      break;
  }
  ERR_clear_error();
  return rv;
}

// ---------------------------------------------------------------------------
// SSL_CTX callbacks (installed by ssl_context.c).

int cn_ssl_on_new_session_(SSL *ssl, SSL_SESSION *session) {
  ssl_socket *s = SSL_get_app_data(ssl);
  if (!s->session_key || !SSL_SESSION_is_resumable(session))
    return 0;  // not kept: BoringSSL keeps its reference
  cn_ssl_context_put_session_(s->ctx, s->session_key, session);
  return 1;  // the cache took the reference
}

// Finds |token| in a wire-format list; returns its offset or -1.
static long find_proto(const uint8_t *list, size_t list_len, const char *token) {
  size_t tlen = strlen(token);
  for (size_t i = 0; i < list_len;) {
    size_t l = list[i];
    if (i + 1 + l > list_len)
      break;
    if (l == tlen && memcmp(list + i + 1, token, l) == 0)
      return (long)i;
    i += 1 + l;
  }
  return -1;
}

int cn_ssl_on_alpn_select_(SSL *ssl, const uint8_t **out, uint8_t *out_len, const uint8_t *in,
                           unsigned in_len, void *arg) {
  ssl_socket *s = SSL_get_app_data(ssl);
  if (s->config.disable_alpn)
    return SSL_TLSEXT_ERR_NOACK;
  // Server preference: the first of our protocols that the client offers.
  for (size_t i = 0; i < s->config.num_protos; i++) {
    const char *token = cn_next_proto_alpn(s->config.protos[i]);
    long at = *token ? find_proto(in, in_len, token) : -1;
    if (at >= 0) {
      *out = in + at + 1;  // points into |in|, which outlives the callback
      *out_len = in[at];
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return s->config.alpn_required ? SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_NOACK;
}

int cn_ssl_on_npn_advertise_(SSL *ssl, const uint8_t **out, unsigned *out_len, void *arg) {
  ssl_socket *s = SSL_get_app_data(ssl);
  if (!s->config.enable_npn || s->proto_wire_len == 0)
    return SSL_TLSEXT_ERR_NOACK;
  *out = s->proto_wire;
  *out_len = (unsigned)s->proto_wire_len;
  return SSL_TLSEXT_ERR_OK;
}

int cn_ssl_on_npn_select_(SSL *ssl, uint8_t **out, uint8_t *out_len, const uint8_t *in,
                          unsigned in_len, void *arg) {
  ssl_socket *s = SSL_get_app_data(ssl);
  // Only sockets with a protocol list use the NPN-enabled SSL_CTX, so
  // proto_wire is not empty. Client preference decides. With no overlap
  // the client may pick anything; like Chromium it picks its least
  // preferred protocol (http/1.1 by convention) rather than its first, so
  // a server that advertised only protocols we don't speak is not spoken
  // to in SPDY/HTTP2 it never agreed to.
  size_t at = 0, last = 0;
  bool found = false;
  for (size_t i = 0; i < s->proto_wire_len;) {
    size_t l = s->proto_wire[i];
    char token[256];
    memcpy(token, s->proto_wire + i + 1, l);
    token[l] = '\0';
    if (find_proto(in, in_len, token) >= 0) {
      at = i;
      found = true;
      break;
    }
    last = i;
    i += 1 + l;
  }
  if (!found)
    at = last;
  *out = s->proto_wire + at + 1;
  *out_len = s->proto_wire[at];
  return SSL_TLSEXT_ERR_OK;
}

// ---------------------------------------------------------------------------
// Handshake, read, write.

static void handshake_done(ssl_socket *s) {
  s->state = ST_CONNECTED;
  s->handshake_completed = true;
  s->false_started = SSL_in_false_start(s->ssl);
  const uint8_t *p;
  unsigned len;
  SSL_get0_alpn_selected(s->ssl, &p, &len);
  if (len) {
    s->proto = cn_next_proto_from_alpn((const char *)p, len);
  } else {
    SSL_get0_next_proto_negotiated(s->ssl, &p, &len);
    if (len) {
      s->proto = cn_next_proto_from_alpn((const char *)p, len);
      s->proto_via_npn = true;
    }
  }
  if (s->is_server) {
    // BoringSSL holds TLS 1.3 session tickets back until the server's first
    // write (so a client that never reads cannot stall a server with a small
    // buffer); our ring takes them at once, so a zero-byte write sends them
    // now and a client that connects ahead of time can resume later.
    uint8_t unused = 0;
    ERR_clear_error();
    SSL_write(s->ssl, &unused, 0);
    ERR_clear_error();
  }
  const SSL_CIPHER *cipher = SSL_get_current_cipher(s->ssl);
  cn_netlog_end(s->base.netlog, s->base.source, CN_NETLOG_SSL_CONNECT,
                CN_NL_STR("version", SSL_get_version(s->ssl)),
                CN_NL_STR("cipher", cipher ? SSL_CIPHER_standard_name(cipher) : ""),
                CN_NL_STR("alpn", cn_next_proto_alpn(s->proto)),
                CN_NL_BOOL("npn", s->proto_via_npn),
                CN_NL_BOOL("resumed", SSL_session_reused(s->ssl)),
                CN_NL_BOOL("false_start", s->false_started));
}

static void handshake_failed(ssl_socket *s, int rv) {
  s->state = ST_FAILED;
  cn_netlog_end_with_error(s->base.netlog, s->base.source, CN_NETLOG_SSL_CONNECT, rv);
}

static int do_handshake(ssl_socket *s) {
  ERR_clear_error();
  int ret = SSL_do_handshake(s->ssl);
  if (ret == 1) {
    handshake_done(s);
    return CN_OK;
  }
  int err = SSL_get_error(s->ssl, ret);
  // The BIO only asks to retry while a transport read or write is pending,
  // so the transport's callback will pump us again.
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    return CN_ERR_IO_PENDING;
  int rv = map_error(s, err, false);
  if (rv == 0)
    rv = CN_ERR_CONNECTION_CLOSED;  // the peer hung up mid-handshake
  handshake_failed(s, rv);
  return rv;
}

// Decrypts into |out| (up to |len| bytes) every record that has already
// arrived, starting no new transport read once there is something to
// return — nor for the first record when |may_start_read| is false.
static int read_records(ssl_socket *s, uint8_t *out, size_t len, bool may_start_read) {
  if (s->has_read_result)
    return s->read_result;
  size_t want = cn_ssl_min_size(len, INT_MAX);
  size_t total = 0;
  int rv = CN_ERR_IO_PENDING;
  s->no_new_transport_reads = !may_start_read;
  while (total < want) {
    // (SSL_read clears the error queue itself, as SSL_get_error needs.)
    int ret = SSL_read(s->ssl, out + total, (int)(want - total));
    if (ret > 0) {
      total += (size_t)ret;
      s->no_new_transport_reads = true;
      continue;
    }
    int err = SSL_get_error(s->ssl, ret);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
      break;
    rv = map_error(s, err, false);  // (which clears the error queue; a WANT_READ leaves none)
    s->has_read_result = true;
    s->read_result = rv;
    break;
  }
  s->no_new_transport_reads = false;
  cn_ssl_transport_flush(s);  // what SSL_read wrote (an alert, a KeyUpdate's answer)
  if (total > 0)
    s->peek_done = true;  // application data flows: no more peeking
  // With data in hand, an EOF or error behind it waits for the next read.
  return total > 0 ? (int)total : rv;
}

static int do_read(ssl_socket *s) {
  return read_records(s, s->read_buf->data, s->read_len, true);
}

static int do_shutdown(ssl_socket *s) {
  if (!s->shutdown_sent) {
    ERR_clear_error();
    int ret = SSL_shutdown(s->ssl);
    if (ret < 0) {
      int err = SSL_get_error(s->ssl, ret);
      if (err == SSL_ERROR_WANT_WRITE)
        return CN_ERR_IO_PENDING;
      int rv = map_error(s, err, true);
      return rv ? rv : CN_ERR_CONNECTION_CLOSED;
    }
    s->shutdown_sent = true;
  }
  cn_ssl_transport_flush(s);
  if (s->transport_write_error)
    return s->transport_write_error;
  return s->wbuf_len > 0 ? CN_ERR_IO_PENDING : CN_OK;
}

// Sets the size of the records BoringSSL makes next (a change only between
// records: an SSL_write being retried keeps the size it began with).
static void set_record_size(ssl_socket *s, size_t size) {
  if (s->record_size == size)
    return;
  SSL_set_max_send_fragment(s->ssl, size);
  s->record_size = size;
}

// At the start of a write: small records again after an idle spell.
static void restart_records_if_idle(ssl_socket *s) {
  uint64_t now = s->clock ? cn_clock_now_ms(s->clock) : cn_socket_timing_now() / 1000;
  if (s->wrote_before && now - s->last_write_ms >= CN_SSL_IDLE_RESTART_MS)
    s->sent_since_idle = 0;
  s->wrote_before = true;
  s->last_write_ms = now;
  set_record_size(s, s->sent_since_idle < CN_SSL_SMALL_RECORD_BYTES ? CN_SSL_SMALL_RECORD
                                                                    : CN_SSL_FULL_RECORD);
}

// After each record: full records once the transfer is large.
static void note_record_sent(ssl_socket *s, size_t n) {
  s->sent_since_idle += n;
  if (s->sent_since_idle >= CN_SSL_SMALL_RECORD_BYTES)
    set_record_size(s, CN_SSL_FULL_RECORD);
}

// The largest record the next SSL_write may make, on the wire (its data,
// and the header, tag and padding of the cipher in use).
static size_t next_record_max(const ssl_socket *s) {
  return (s->record_size ? s->record_size : CN_SSL_FULL_RECORD) + SSL_max_seal_overhead(s->ssl);
}

// Encrypts the caller's write into the ring (see do_write).
static int encrypt_write(ssl_socket *s) {
  if (s->write_error)
    return s->write_error;
  if (s->write_is_shutdown)
    return do_shutdown(s);
  // Encrypt record after record while the ring surely has room for the
  // next one. A record that did not fit stays inside BoringSSL, which must
  // be retried with the same pointer and length: so the operation then
  // stays pending (keeping |write_progress|) rather than report fewer bytes
  // than were committed.
  size_t len = s->write_len;
  for (;;) {
    // (SSL_write clears the error queue itself, as SSL_get_error needs.)
    int ret = SSL_write(s->ssl, s->write_buf->data + s->write_progress,
                        (int)cn_ssl_min_size(len - s->write_progress, INT_MAX));
    if (ret > 0) {
      s->write_progress += (size_t)ret;
      note_record_sent(s, (size_t)ret);
      if (s->write_progress == len)
        break;
      if (cn_ssl_transport_ring_room(s) < next_record_max(s)) {
        // The transport takes what the ring holds; go on if it took it
        // at once, else report what was written so far.
        cn_ssl_transport_flush(s);
        if (cn_ssl_transport_ring_room(s) < next_record_max(s))
          break;
      }
      continue;
    }
    int err = SSL_get_error(s->ssl, ret);
    if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
      return CN_ERR_IO_PENDING;
    int rv = map_error(s, err, true);
    s->write_error = rv ? rv : CN_ERR_CONNECTION_CLOSED;
    if (s->write_progress == 0)
      return s->write_error;
    break;  // report what was written; the error comes with the next write
  }
  int total = (int)s->write_progress;
  s->write_progress = 0;
  return total;
}

// Encrypts the caller's write (or close_notify), then hands the ring to
// the transport: the records of one write leave in one transport write.
static int do_write(ssl_socket *s) {
  int rv = encrypt_write(s);
  cn_ssl_transport_flush(s);
  return rv;
}

// The post-handshake peek (as Chromium's): until the first application
// data, an idle client keeps a small transport read pending and lets
// BoringSSL look at what arrives. TLS 1.3 session tickets come after the
// handshake; processed here, they reach the session cache even if the
// connection is never read (a preconnect), and they are not mistaken for
// unread data by is_connected_and_idle. A peer closing an idle connection
// is noticed at once too.
static void do_peek(ssl_socket *s) {
  if (s->is_server || s->state != ST_CONNECTED || s->peek_done || s->read_cb ||
      s->has_read_result || s->transport_read_pending)
    return;
  uint8_t byte;
  ERR_clear_error();
  s->peeking = true;
  int ret = SSL_peek(s->ssl, &byte, 1);
  s->peeking = false;
  if (ret > 0) {
    s->peek_done = true;  // application data is waiting for read()
    return;
  }
  int err = SSL_get_error(s->ssl, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return;  // a transport read (or write) is pending: we run again after it
  }
  // EOF or an error: the next read() reports it.
  s->has_read_result = true;
  s->read_result = map_error(s, err, false);
}

void cn_ssl_socket_pump_(ssl_socket *s) {
  s->pump_depth++;
  if (s->connect_cb) {
    int rv = do_handshake(s);
    cn_ssl_transport_flush(s);  // the flight it wrote
    if (rv != CN_ERR_IO_PENDING) {
      cn_completion_cb cb = s->connect_cb;
      s->connect_cb = NULL;
      cb(s->connect_arg, rv);
      if (s->destroyed)
        goto out;
    }
  }
  if (s->read_cb) {
    int rv = do_read(s);
    if (rv != CN_ERR_IO_PENDING) {
      cn_completion_cb cb = s->read_cb;
      void *arg = s->read_arg;
      cn_iobuf_unref(s->read_buf);
      s->read_buf = NULL;
      s->read_cb = NULL;
      cb(arg, rv);
      if (s->destroyed)
        goto out;
    }
  }
  if (s->write_cb) {
    int rv = do_write(s);
    if (rv != CN_ERR_IO_PENDING) {
      cn_completion_cb cb = s->write_cb;
      void *arg = s->write_arg;
      cn_iobuf_unref(s->write_buf);
      s->write_buf = NULL;
      s->write_cb = NULL;
      s->write_is_shutdown = false;
      cb(arg, rv);
      if (s->destroyed)
        goto out;
    }
  }
  do_peek(s);
  cn_ssl_transport_flush(s);
  cn_ssl_transport_trim_buffers(s);
out:
  if (--s->pump_depth == 0 && s->destroyed)
    free(s);
}

// ---------------------------------------------------------------------------
// The stream socket interface.

static int configure_ssl(ssl_socket *s) {
  uint16_t min = s->config.version_min ? s->config.version_min : CN_SSL_VERSION_TLS1_2;
  uint16_t max = s->config.version_max ? s->config.version_max : CN_SSL_VERSION_TLS1_3;
  if (min < CN_SSL_VERSION_TLS1_2)
    min = CN_SSL_VERSION_TLS1_2;  // older versions are never spoken
  if (max > CN_SSL_VERSION_TLS1_3)
    max = CN_SSL_VERSION_TLS1_3;
  if (min > max)
    return CN_ERR_NO_SSL_VERSIONS_ENABLED;
  SSL_set_min_proto_version(s->ssl, min);
  SSL_set_max_proto_version(s->ssl, max);
  // SSL_write then returns after each record, and do_write decides how
  // many records one write() encrypts.
  SSL_set_mode(s->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (s->is_server) {
    SSL_set_accept_state(s->ssl);
    return CN_OK;
  }
  SSL_set_connect_state(s->ssl);
  // TLS 1.2 False Start (issue #13, as Chromium): the connect completes
  // once our Finished is written, so the first application write goes in
  // the same flight instead of a round trip later. BoringSSL false starts
  // only where it is safe: TLS 1.2 exactly, an ECDHE + AEAD cipher, and
  // ALPN (or NPN) negotiated. The certificate is verified before: the
  // custom verify callback below runs when the server's Certificate
  // arrives, before our key exchange and Finished are written.
  SSL_set_mode(s->ssl, SSL_MODE_ENABLE_FALSE_START);
  if (!s->host_is_ip && !SSL_set_tlsext_host_name(s->ssl, s->verify_name)) {
    ERR_clear_error();
    return CN_ERR_INVALID_ARGUMENT;
  }
  if (s->proto_wire_len && SSL_set_alpn_protos(s->ssl, s->proto_wire, (unsigned)s->proto_wire_len))
    return CN_ERR_INVALID_ARGUMENT;  // (returns 0 on success)
  SSL_set_custom_verify(s->ssl, SSL_VERIFY_PEER, cn_ssl_cert_verify_peer);
  SSL_SESSION *session = cn_ssl_context_take_session_(s->ctx, s->session_key);
  if (session) {
    SSL_set_session(s->ssl, session);
    SSL_SESSION_free(session);
  }
  return CN_OK;
}

static int connect_(cn_stream_socket *base, cn_completion_cb cb, void *arg) {
  ssl_socket *s = ssl_of(base);
  if (s->state == ST_CONNECTED)
    return CN_ERR_SOCKET_IS_CONNECTED;
  if (s->state != ST_IDLE)
    return CN_ERR_UNEXPECTED;  // a second connect, or after failure/close
  if (s->is_server)
    cn_netlog_begin(base->netlog, base->source, CN_NETLOG_SSL_CONNECT, CN_NL_STR("role", "server"),
                    CN_NL_SOURCE("transport", s->transport->source));
  else
    cn_netlog_begin(base->netlog, base->source, CN_NETLOG_SSL_CONNECT, CN_NL_STR("role", "client"),
                    CN_NL_STR("host", s->host), CN_NL_SOURCE("transport", s->transport->source));
  // An unconnected transport is not checked for here: its first read or
  // write reports it, with its own error.
  int rv = configure_ssl(s);
  if (rv != CN_OK) {
    handshake_failed(s, rv);
    return rv;
  }
  s->state = ST_HANDSHAKE;
  rv = do_handshake(s);
  if (rv == CN_ERR_IO_PENDING) {
    s->connect_cb = cb;
    s->connect_arg = arg;
  }
  do_peek(s);
  cn_ssl_transport_flush(s);  // the ClientHello (or what the handshake wrote)
  cn_ssl_transport_trim_buffers(s);
  return rv;
}

static int read_(cn_stream_socket *base, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                 void *arg) {
  ssl_socket *s = ssl_of(base);
  if (s->state != ST_CONNECTED)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (s->read_cb)
    return CN_ERR_UNEXPECTED;  // one read at a time
  if (len == 0 || len > buf->size)
    return CN_ERR_INVALID_ARGUMENT;
  s->read_buf = buf;
  s->read_len = len;
  int rv = do_read(s);
  if (rv == CN_ERR_IO_PENDING) {
    cn_iobuf_ref(buf);
    s->read_cb = cb;
    s->read_arg = arg;
  } else {
    s->read_buf = NULL;
  }
  cn_ssl_transport_trim_buffers(s);
  return rv;
}

// cn_stream_socket_read_now: the records that arrived, decrypted straight
// into |out|. A transport read it starts (|may_start_read|) and leaves
// pending is the socket's own: what it brings waits in |rbuf| for the next
// read.
static int read_now_(cn_stream_socket *base, uint8_t *out, size_t len, bool may_start_read) {
  ssl_socket *s = ssl_of(base);
  if (s->state != ST_CONNECTED)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (s->read_cb)
    return CN_ERR_UNEXPECTED;  // one read at a time
  if (len == 0)
    return CN_ERR_INVALID_ARGUMENT;
  int rv = read_records(s, out, len, may_start_read);
  cn_ssl_transport_trim_buffers(s);
  return rv;
}

static int start_write(ssl_socket *s, cn_iobuf *buf, size_t len, bool shutdown, cn_completion_cb cb,
                       void *arg) {
  if (s->state != ST_CONNECTED)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (s->write_cb)
    return CN_ERR_UNEXPECTED;  // one write at a time
  if (s->shutdown_sent && !shutdown)
    return CN_ERR_CONNECTION_CLOSED;
  s->write_buf = buf;
  s->write_len = len;
  s->write_progress = 0;
  s->write_is_shutdown = shutdown;
  if (!shutdown)
    restart_records_if_idle(s);
  int rv = do_write(s);
  if (rv == CN_ERR_IO_PENDING) {
    if (buf)
      cn_iobuf_ref(buf);
    s->write_cb = cb;
    s->write_arg = arg;
  } else {
    s->write_buf = NULL;
    s->write_is_shutdown = false;
  }
  cn_ssl_transport_trim_buffers(s);
  return rv;
}

static int write_(cn_stream_socket *base, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  if (len == 0 || len > buf->size)
    return CN_ERR_INVALID_ARGUMENT;
  return start_write(ssl_of(base), buf, len, false, cb, arg);
}

int cn_ssl_socket_shutdown(cn_stream_socket *base, cn_completion_cb cb, void *arg) {
  if (!is_ssl(base))
    return CN_ERR_INVALID_ARGUMENT;
  return start_write(ssl_of(base), NULL, 0, true, cb, arg);
}

// Drops the caller's pending operations without running their callbacks.
static void cancel_ops(ssl_socket *s) {
  if (s->state == ST_HANDSHAKE)
    handshake_failed(s, CN_ERR_ABORTED);  // close the SSL_CONNECT span
  s->connect_cb = NULL;
  cn_iobuf_unref(s->read_buf);
  s->read_buf = NULL;
  s->read_cb = NULL;
  cn_iobuf_unref(s->write_buf);
  s->write_buf = NULL;
  s->write_cb = NULL;
  s->write_is_shutdown = false;
}

static void disconnect_(cn_stream_socket *base) {
  ssl_socket *s = ssl_of(base);
  if (s->state == ST_CLOSED)
    return;
  cancel_ops(s);
  cn_stream_socket_disconnect(s->transport);
  cn_ssl_transport_drop_buffers(s);
  s->state = ST_CLOSED;
}

static bool has_buffered_input(const ssl_socket *s) {
  return s->rbuf_len > 0 || SSL_has_pending(s->ssl);
}

static bool is_connected_(const cn_stream_socket *base) {
  const ssl_socket *s = (const ssl_socket *)base;
  if (s->state != ST_CONNECTED)
    return false;
  // Unread data still counts as connected, as for TCP.
  if (has_buffered_input(s))
    return true;
  if (s->has_read_result || s->transport_eof || s->transport_read_error)
    return false;
  return cn_stream_socket_is_connected(s->transport);
}

static bool is_connected_and_idle_(const cn_stream_socket *base) {
  const ssl_socket *s = (const ssl_socket *)base;
  if (s->state != ST_CONNECTED || has_buffered_input(s) || s->read_cb || s->write_cb)
    return false;
  if (s->has_read_result || s->transport_eof || s->transport_read_error ||
      s->transport_write_error || s->write_error || s->shutdown_sent)
    return false;
  // With the peek's read pending nothing has arrived (it would have
  // completed), but the transport counts that read as activity: ask it only
  // whether it is still up.
  if (s->transport_read_pending)
    return cn_stream_socket_is_connected(s->transport);
  return cn_stream_socket_is_connected_and_idle(s->transport);
}

static cn_next_proto negotiated_protocol_(const cn_stream_socket *base) {
  return ((const ssl_socket *)base)->proto;
}

static void destroy_(cn_stream_socket *base) {
  ssl_socket *s = ssl_of(base);
  cancel_ops(s);
  // Destroying the transport cancels its callbacks into us.
  cn_stream_socket_destroy(s->transport);
  s->transport = NULL;
  cn_ssl_transport_drop_buffers(s);
  SSL_free(s->ssl);  // frees the BIO too
  s->ssl = NULL;
  cn_ssl_context_unref(s->ctx);
  free(s->host);
  free(s->verify_name);
  free(s->session_key);
  cn_stream_socket_log_destroyed(base);
  s->destroyed = true;
  if (s->pump_depth == 0)
    free(s);
}

static int query_(const cn_stream_socket *base, cn_socket_query q, void *out) {
  switch (q) {
    case CN_SOCKET_QUERY_LAYER:
      *(cn_socket_layer *)out = CN_SOCKET_LAYER_TLS;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER:
      *(const cn_stream_socket **)out = ((const ssl_socket *)base)->transport;
      return CN_OK;
    default:
      return CN_ERR_NOT_IMPLEMENTED;
  }
}

static const cn_stream_socket_ops kSslOps = {
    .name = "ssl",
    .connect = connect_,
    .read = read_,
    .read_now = read_now_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = negotiated_protocol_,
    .destroy = destroy_,
    .shutdown = cn_ssl_socket_shutdown,
    .query = query_,
};

static void set_host(ssl_socket *s, const char *host) {
  s->host = cn_xstrdup(host);
  size_t len = strlen(host);
  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    s->verify_name = cn_xstrndup(host + 1, len - 2);
  else if (len >= 2 && host[len - 1] == '.')
    s->verify_name = cn_xstrndup(host, len - 1);  // "example.com." names example.com
  else
    s->verify_name = cn_xstrdup(host);
  struct in_addr a4;
  struct in6_addr a6;
  s->host_is_ip =
      inet_pton(AF_INET, s->verify_name, &a4) == 1 || inet_pton(AF_INET6, s->verify_name, &a6) == 1;
}

static void build_proto_wire(ssl_socket *s) {
  size_t n = cn_ssl_min_size(s->config.num_protos, CN_SSL_MAX_PROTOS);
  s->config.num_protos = n;
  for (size_t i = 0; i < n; i++) {
    const char *token = cn_next_proto_alpn(s->config.protos[i]);
    size_t l = strlen(token);
    if (l == 0 || s->proto_wire_len + 1 + l > sizeof(s->proto_wire))
      continue;
    s->proto_wire[s->proto_wire_len++] = (uint8_t)l;
    memcpy(s->proto_wire + s->proto_wire_len, token, l);
    s->proto_wire_len += l;
  }
}

cn_stream_socket *cn_ssl_socket_new(cn_netlog *netlog, cn_stream_socket *transport,
                                    const cn_ssl_socket_params *params) {
  if (!transport)
    return NULL;
  if (!params || !params->context ||
      (!cn_ssl_context_is_server(params->context) && (!params->host || !*params->host))) {
    cn_stream_socket_destroy(transport);
    return NULL;
  }
  ssl_socket *s = CN_NEW(ssl_socket);
  cn_stream_socket_init(&s->base, &kSslOps, netlog);
  s->transport = transport;
  s->ctx = cn_ssl_context_ref(params->context);
  s->clock = params->clock;
  s->is_server = cn_ssl_context_is_server(params->context);
  if (params->config)
    s->config = *params->config;
  build_proto_wire(s);
  if (!s->is_server) {
    set_host(s, params->host);
    s->session_key = cn_xstrdup(params->session_key);
  }
  bool variant =
      s->is_server ? s->config.disable_alpn : s->config.enable_npn && s->proto_wire_len > 0;
  s->ssl = cn_ssl_context_new_ssl_(s->ctx, variant);
  SSL_set_app_data(s->ssl, s);
  BIO *bio = BIO_new(cn_ssl_context_bio_method_(s->ctx));
  if (!bio)
    abort();  // out of memory
  BIO_set_data(bio, s);
  BIO_set_init(bio, 1);
  SSL_set_bio(s->ssl, bio, bio);  // one reference, for both directions
  return &s->base;
}


int cn_ssl_socket_cert_error(const cn_stream_socket *base) {
  if (!is_ssl(base))
    return CN_ERR_INVALID_ARGUMENT;
  return ((const ssl_socket *)base)->cert_error;
}

void cn_ssl_socket_cert_error_names(const cn_stream_socket *base, const char **subject,
                                    const char **issuer) {
  *subject = *issuer = "";
  if (!is_ssl(base) || !((const ssl_socket *)base)->cert_error)
    return;
  *subject = ((const ssl_socket *)base)->verify_subject;
  *issuer = ((const ssl_socket *)base)->verify_issuer;
}

static void copy_str(char *out, size_t size, const char *in) {
  if (!in)
    in = "";
  size_t len = cn_ssl_min_size(strlen(in), size - 1);
  memcpy(out, in, len);
  out[len] = '\0';
}

int cn_ssl_socket_get_session_info(const cn_stream_socket *base, cn_ssl_info *info) {
  memset(info, 0, sizeof(*info));
  if (!is_ssl(base))
    return CN_ERR_INVALID_ARGUMENT;
  const ssl_socket *s = (const ssl_socket *)base;
  if (!s->handshake_completed || !s->ssl)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  info->version = (uint16_t)SSL_version(s->ssl);
  copy_str(info->version_name, sizeof(info->version_name), SSL_get_version(s->ssl));
  const SSL_CIPHER *cipher = SSL_get_current_cipher(s->ssl);
  copy_str(info->cipher, sizeof(info->cipher), cipher ? SSL_CIPHER_standard_name(cipher) : "");
  uint16_t group = SSL_get_curve_id(s->ssl);
  copy_str(info->group, sizeof(info->group), group ? SSL_get_curve_name(group) : "");
  copy_str(info->alpn, sizeof(info->alpn), cn_next_proto_alpn(s->proto));
  info->npn = s->proto_via_npn;
  info->resumed = SSL_session_reused(s->ssl) == 1;
  info->false_start = s->false_started;
  return CN_OK;
}

int cn_ssl_socket_get_info(const cn_stream_socket *base, cn_ssl_info *info) {
  int rv = cn_ssl_socket_get_session_info(base, info);
  if (rv != CN_OK)
    return rv;
  const ssl_socket *s = (const ssl_socket *)base;
  X509 *leaf = SSL_get_peer_certificate(s->ssl);
  if (leaf) {
    cn_ssl_cert_name_to_str(X509_get_subject_name(leaf), info->subject, sizeof(info->subject));
    cn_ssl_cert_name_to_str(X509_get_issuer_name(leaf), info->issuer, sizeof(info->issuer));
    cn_ssl_cert_time_to_str(X509_get0_notBefore(leaf), info->not_before, sizeof(info->not_before));
    cn_ssl_cert_time_to_str(X509_get0_notAfter(leaf), info->not_after, sizeof(info->not_after));
    X509_free(leaf);
  }
  if (s->is_server)
    copy_str(info->server_name, sizeof(info->server_name),
             SSL_get_servername(s->ssl, TLSEXT_NAMETYPE_host_name));
  ERR_clear_error();
  return CN_OK;
}
