// TLS (BoringSSL) over any cn_stream_socket: TCP, a pipe, a mock, a proxy
// tunnel, or another TLS socket (TLS inside TLS, as a tunnel through an
// HTTPS proxy needs). The result is itself a cn_stream_socket.
//
// Roles. A client context (cn_ssl_client_context_new) makes a client: it
// sends SNI (not for IP literals), offers ALPN from the config, resumes
// sessions from the context's cache under the caller's key, and verifies the
// server's chain against the context's trust anchors and |host| (DNS names
// against dNSName SANs, IP literals against iPAddress SANs; the subject CN
// is never used). A server context makes a server: it sends its chain and
// picks ALPN from its own preference list.
//
// connect() runs the handshake over an already connected transport (a
// transport that is not connected makes its first read or write fail, and
// that error is returned). Errors it reports:
//   CN_ERR_CERT_AUTHORITY_INVALID  no chain to a trusted anchor
//   CN_ERR_CERT_COMMON_NAME_INVALID  the certificate is not for |host|
//   CN_ERR_CERT_DATE_INVALID       expired or not yet valid
//   CN_ERR_CERT_INVALID            anything else wrong with the chain
//     (with several problems the most serious in this order wins, as in
//     Chromium; each failure is also logged as SSL_CERT_VERIFY_FAILED)
//   CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH  no common version or cipher
//   CN_ERR_ALPN_NEGOTIATION_FAILED the server required ALPN and nothing
//                                  overlapped
//   CN_ERR_CONNECTION_CLOSED       the transport reached EOF mid-handshake
//                                  (a peer that hung up: clearer than a
//                                  protocol error, and retryable)
//   a transport error              as the transport reported it (e.g.
//                                  CN_ERR_CONNECTION_RESET)
//   CN_ERR_SSL_PROTOCOL_ERROR      the peer is not speaking TLS (garbage)
//                                  or broke the protocol
//   CN_ERR_BAD_SSL_CLIENT_AUTH_CERT  (client) the server rejected us with a
//                                  certificate alert
//
// After the handshake, read() returns 0 at the peer's close_notify, and
// also at a transport EOF without close_notify: like browsers, cnet treats
// a truncated TLS stream as EOF, because many servers close without
// close_notify; HTTP framing (Content-Length, chunked) detects truncated
// bodies. Any other failure is returned as an error and repeats on later
// reads. A transport write failure is reported by the next write, and by a
// read that would otherwise wait for the peer.
//
// Data path: ciphertext is read from the transport in 64 KiB chunks and
// written in whatever BoringSSL produced (records of up to 16 KiB),
// gathered in a 64 KiB ring; both buffers are freed while empty. read()
// fills the caller's buffer with as many records as have already arrived.
// write() returns as soon as its bytes are encrypted and queued (a partial
// count when the queue fills), like a kernel socket buffer.
//
// Idle clients: until the first application data arrives, a client keeps a
// small (4 KiB) transport read pending, as Chromium does, so TLS 1.3 session
// tickets reach the session cache even on a connection that is never read
// (a preconnect), do not look like unread data to is_connected_and_idle(),
// and a peer closing the idle connection is noticed. A server sends its
// TLS 1.3 tickets right after the handshake.
//
// is_connected_and_idle() is false while any plaintext or ciphertext is
// buffered, once EOF, close_notify or an error was seen, after
// cn_ssl_socket_shutdown(), and while a read or write is pending.
//
// Ownership: cn_ssl_socket_new() takes ownership of |transport| (destroyed
// with the TLS socket, even when cn_ssl_socket_new fails) and a reference
// to the context; |params| and its strings are copied. Destroying the TLS
// socket cancels everything: no callback runs after destroy returns.
#ifndef CNET_NET_SOCKET_SSL_SOCKET_H_
#define CNET_NET_SOCKET_SSL_SOCKET_H_

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "net/socket/ssl_config.h"
#include "net/socket/ssl_context.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ssl_socket_params {
  cn_ssl_context *context;  // client or server context; required
  // NULL means the defaults (see ssl_config.h).
  const cn_ssl_config *config;
  // Client: the server's host name or IP literal ("origin.test",
  // "127.0.0.1", "::1" or "[::1]"): the SNI and the name the certificate
  // must match. Required for a client. Unused by a server.
  const char *host;
  // Client: the session cache key; NULL disables resumption for this
  // connection (nothing offered, nothing stored).
  const char *session_key;
  // The clock by which an idle spell is measured (after one of a second,
  // records start small again; see ssl_socket.c). Borrowed: it must outlive
  // the socket. NULL: the monotonic clock (cn_socket_timing_now).
  cn_clock *clock;
} cn_ssl_socket_params;

// Wraps |transport| (required). Returns NULL (after destroying |transport|)
// only when |params| is unusable: no context, or a client without |host|.
cn_stream_socket *cn_ssl_socket_new(cn_netlog *netlog, cn_stream_socket *transport,
                                    const cn_ssl_socket_params *params);


// What `fetch -v` prints about a connection. Strings are NUL-terminated,
// possibly truncated, "" when unknown.
typedef struct cn_ssl_info {
  uint16_t version;       // CN_SSL_VERSION_TLS1_2 or _TLS1_3
  char version_name[16];  // "TLSv1.3"
  char cipher[64];        // IETF name, "TLS_AES_128_GCM_SHA256"
  char group[32];         // key exchange group, "X25519"
  char alpn[16];          // the negotiated protocol's token, "h2"
  bool npn;               // negotiated through NPN rather than ALPN
  bool resumed;           // an abbreviated (resumed) handshake
  // The peer's leaf certificate (RFC 2253 names; a server sees no peer
  // certificate since cnet does not ask for client certificates).
  char subject[256];
  char issuer[256];
  char not_before[32];  // "Jan  2 03:04:05 2025 GMT"
  char not_after[32];
  // Server: the SNI the client sent.
  char server_name[256];
  // Client: the connect completed at our Finished, before the server's
  // (TLS 1.2 False Start: TLS 1.2, an ECDHE + AEAD cipher, ALPN or NPN
  // negotiated), so the first write went in the same flight.
  bool false_start;
} cn_ssl_info;

// Fills |info| once the handshake has completed. Returns CN_OK,
// CN_ERR_SOCKET_NOT_CONNECTED (no completed handshake) or
// CN_ERR_INVALID_ARGUMENT (not a TLS socket).
int cn_ssl_socket_get_info(const cn_stream_socket *s, cn_ssl_info *info);
// As cn_ssl_socket_get_info without the certificate and SNI fields (left
// empty): the version, cipher, group, ALPN and flags only, for a caller that
// reports the TLS in use on every request (cnet_request_get_layers) and
// should not format the leaf certificate's names and dates each time.
int cn_ssl_socket_get_session_info(const cn_stream_socket *s, cn_ssl_info *info);

// The certificate error of the last verification (a CN_ERR_CERT_* code), or
// CN_OK if verification passed or did not run.
int cn_ssl_socket_cert_error(const cn_stream_socket *s);
// The subject and issuer (RFC 2253) of the leaf certificate whose
// verification failed the handshake (cn_ssl_socket_cert_error), or "" for
// both when none did. Valid while |s| lives.
void cn_ssl_socket_cert_error_names(const cn_stream_socket *s, const char **subject,
                                    const char **issuer);

// Sends close_notify and completes once it has been handed to the
// transport: CN_OK, CN_ERR_IO_PENDING (then |cb|), or an error. It takes the
// write slot: no write may be pending, and later writes fail with
// CN_ERR_CONNECTION_CLOSED. Reads keep working until the peer closes.
int cn_ssl_socket_shutdown(cn_stream_socket *s, cn_completion_cb cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SSL_SOCKET_H_
