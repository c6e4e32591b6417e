// Private to net/socket/ssl_socket.c and its helpers, ssl_transport_pump.c
// (the transport side) and ssl_cert_verify.c (certificate verification):
// the TLS socket's structure and the calls between these files.
//
// The names (ssl_socket, ssl_state, ST_*) are those the socket had when it
// was one file; nothing outside these three files sees them.
//
// Ownership: an ssl_socket owns its transport socket, its SSL (which owns
// the BIO) and its buffers, and holds a reference on its cn_ssl_context.
// BoringSSL's callbacks find the socket with SSL_get_app_data() (the SSL
// callbacks) or BIO_get_data() (the BIO); both pointers are set by
// cn_ssl_socket_new and are valid while the SSL lives.
#ifndef CNET_NET_SOCKET_SSL_SOCKET_INTERNAL_H_
#define CNET_NET_SOCKET_SSL_SOCKET_INTERNAL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/base.h>

#include "base/iobuf.h"
#include "net/socket/ssl_context.h"
#include "net/socket/ssl_socket.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ssl_state {
  ST_IDLE,       // made, connect not called
  ST_HANDSHAKE,  // connect in progress
  ST_CONNECTED,  // handshake done
  ST_FAILED,     // handshake failed
  ST_CLOSED,     // disconnected
} ssl_state;

typedef struct ssl_socket {
  cn_stream_socket base;
  cn_stream_socket *transport;  // owned
  cn_ssl_context *ctx;          // a reference
  SSL *ssl;
  cn_ssl_config config;
  bool is_server;
  char *host;         // client: as given (for logs)
  char *verify_name;  // client: without [] or a trailing dot
  bool host_is_ip;
  char *session_key;       // client, may be NULL
  uint8_t proto_wire[32];  // config.protos in ALPN/NPN wire format
  size_t proto_wire_len;

  ssl_state state;
  bool handshake_completed;  // stays true after disconnect (for get_info)
  cn_next_proto proto;
  bool proto_via_npn;
  // The connect completed at our Finished, before the server's (TLS 1.2
  // False Start; SSL_in_false_start is false again once it arrives).
  bool false_started;
  int cert_error;
  unsigned verify_problems;
  long verify_detail;  // the first X509_V_ERR_* seen
  // The leaf of a failed verification (RFC 2253), for error reports.
  char verify_subject[256];
  char verify_issuer[256];

  // --- The transport side (ssl_transport_pump.c) ---
  // Ciphertext read from the transport, not yet taken by BoringSSL:
  // rbuf->data[rbuf_off, rbuf_off + rbuf_len).
  cn_iobuf *rbuf;
  size_t rbuf_off;
  size_t rbuf_len;
  bool transport_read_pending;
  bool transport_eof;
  int transport_read_error;
  // Set while read() gathers records that already arrived, so that it
  // returns instead of starting a transport read that could leave a large
  // buffer pending on an idle connection (unless streaming, below).
  bool no_new_transport_reads;
  // The transport offers cn_stream_socket_read_now (TLS inside TLS): the
  // transport reads that must wait are small (CN_SSL_PEEK_CHUNK), as what
  // arrives is then taken by read_now, with no copy through |rbuf|.
  bool transport_reads_now;
  // The size of the last transport read if it came back full, else 0: the
  // next read's size (ssl_transport_pump.c). Full at CN_SSL_READ_CHUNK or
  // more, a bulk transfer is streaming in: reads are then
  // CN_SSL_STREAMING_READ_CHUNK, |rbuf| is kept while empty, and reads start
  // even while |no_new_transport_reads|. The first short read (or EOF, an
  // error) ends it. (A transfer whose last read was exactly full keeps the
  // buffer, or a read of that size pending, until the connection's next
  // read or close.)
  size_t full_read_size;
  // Client: the post-handshake peek (see do_peek) is running, or is over.
  bool peeking;
  bool peek_done;

  // Ciphertext waiting for the transport: a ring, wbuf_len bytes from
  // wbuf_off (wrapping). A pending transport write covers the front of it
  // through a slice, so only the free part is ever written to.
  cn_iobuf *wbuf;
  size_t wbuf_off;
  size_t wbuf_len;
  bool transport_write_pending;
  int transport_write_error;
  // Record sizes (ssl_socket.c): bytes written since the connection began
  // or was last idle, when the last write began (ms on |clock|, or on the
  // monotonic clock without one), and the size set in BoringSSL (0: its
  // default, 16 KiB).
  cn_clock *clock;  // borrowed; may be NULL
  uint64_t sent_since_idle;
  uint64_t last_write_ms;
  bool wrote_before;
  size_t record_size;

  // --- The caller's operations ---
  cn_completion_cb connect_cb;
  void *connect_arg;
  cn_iobuf *read_buf;
  size_t read_len;
  cn_completion_cb read_cb;
  void *read_arg;
  cn_iobuf *write_buf;
  size_t write_len;
  cn_completion_cb write_cb;
  void *write_arg;
  size_t write_progress;  // bytes of write_buf already encrypted
  bool write_is_shutdown;
  bool shutdown_sent;
  // EOF (0) or an error seen while read() was returning data; every later
  // read returns it.
  bool has_read_result;
  int read_result;
  int write_error;  // sticky, as read_result

  // pump() runs callers' callbacks; a callback may destroy the socket, so
  // destroy() defers the free while a pump is on the stack.
  unsigned pump_depth;
  bool destroyed;
} ssl_socket;

static inline size_t cn_ssl_min_size(size_t a, size_t b) { return a < b ? a : b; }

// --- ssl_socket.c, for ssl_transport_pump.c ---
// Retries whatever waits on the transport and runs the callbacks of what
// finished. Called only from transport callbacks, so callers' callbacks
// never run inside their own calls. A callback may destroy the socket; the
// free is deferred until the outermost pump returns.
void cn_ssl_socket_pump_(ssl_socket *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SSL_SOCKET_INTERNAL_H_
