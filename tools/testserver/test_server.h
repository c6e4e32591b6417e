// The cnet test server as a library: an HTTPS (or plain HTTP) origin on
// loopback, or an HTTPS (or plain HTTP) proxy with fault switches
// (options.proxy), speaking HTTP/1.1, and over TLS SPDY/3.1 and HTTP/2 when
// ALPN picks them, run on the caller's libuv loop, for tests and for the
// `testserver` program.
//
// Shape (a file per concept, so the proxy, SPDY/3.1 and HTTP/2 slot in):
//   cn_tcp_listener (or cn_test_server_serve_socket for any stream socket)
//     -> optional TLS (cn_ssl_socket, server role; ALPN picks the protocol)
//     -> a protocol connection (connection.h: http1_connection.h, or
//        spdy_connection.h for SPDY/3.1 and HTTP/2)
//     -> the request handler (exchange.h): origin_handler.h's routes, or
//        proxy_handler.h (absolute-form forwarding and CONNECT tunnels)
// Each server makes its own test CA and leaf (server_certs.h) unless given
// an issuer.
//
// Ownership and lifetime: cn_test_server_new() returns a server the caller
// destroys with cn_test_server_destroy(), which closes the listener and every
// connection at once; no callback (of the server, its handler or any socket
// it owns) runs after it returns. The libuv loop must outlive the server and
// be run by the caller (the server never blocks).
#ifndef CNET_TOOLS_TESTSERVER_TEST_SERVER_H_
#define CNET_TOOLS_TESTSERVER_TEST_SERVER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "net/base/ip_endpoint.h"
#include "net/base/netlog.h"
#include "net/socket/ssl_config.h"
#include "net/socket/stream_socket.h"
#include "net/test/cert_generator.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_test_server_cert_mode {
  CN_TEST_SERVER_CERT_GOOD = 0,  // a leaf for the server's names, valid now
  CN_TEST_SERVER_CERT_EXPIRED,   // the same leaf, expired yesterday
  // A leaf for CN_TEST_SERVER_WRONG_HOST only (none of the server's names).
  CN_TEST_SERVER_CERT_WRONG_HOST,
  // A leaf for the right names signed by a second CA; the CA the server
  // publishes (cn_test_server_ca_pem) is not it.
  CN_TEST_SERVER_CERT_UNKNOWN_CA,
  // Reads the ClientHello, then closes the TCP connection: the client's
  // handshake sees EOF (CN_ERR_CONNECTION_CLOSED).
  CN_TEST_SERVER_CERT_CUT_HANDSHAKE,
  // Reads the ClientHello and everything after it, and never answers: the
  // client's handshake stalls until its own timeout ends it (the fault
  // matrix's "TLS stalls"). The socket closes when the client closes or the
  // server is destroyed.
  CN_TEST_SERVER_CERT_STALL_HANDSHAKE,
} cn_test_server_cert_mode;

#define CN_TEST_SERVER_WRONG_HOST "wrong-host.test"

// "good", "expired", "wrong-host", "unknown-ca", "cut-handshake",
// "stall-handshake".
const char *cn_test_server_cert_mode_name(cn_test_server_cert_mode mode);
// Parses a name above; false if unknown.
bool cn_test_server_cert_mode_parse(const char *name, cn_test_server_cert_mode *out);

// Proxy mode: where the proxy closes a connection without answering.
typedef enum cn_test_server_drop_step {
  CN_TEST_SERVER_DROP_NONE = 0,
  // A CONNECT request arrived: close without an answer (and without
  // connecting to the target).
  CN_TEST_SERVER_DROP_AFTER_CONNECT_REQUEST,
  // An absolute-form request was forwarded and the origin's answer head
  // read: close the client's connection without a byte of it.
  CN_TEST_SERVER_DROP_BEFORE_RESPONSE,
  // An absolute-form request: the origin's head and |drop_after_bytes|
  // bytes of its body are relayed, then the client's connection closes (a
  // truncated body).
  CN_TEST_SERVER_DROP_MID_RESPONSE,
  // A CONNECT tunnel: once |drop_after_bytes| bytes from the target reached
  // the client, both sides are closed abruptly (0: the target's first bytes
  // are dropped with the connection).
  CN_TEST_SERVER_DROP_MID_TUNNEL,
} cn_test_server_drop_step;

// "none", "after-connect-request", "before-response", "mid-response",
// "mid-tunnel".
const char *cn_test_server_drop_step_name(cn_test_server_drop_step step);
// Parses a name above; false if unknown.
bool cn_test_server_drop_step_parse(const char *name, cn_test_server_drop_step *out);

// A faulty answer (fault_response.h): the origin's /fault/NAME routes and
// the proxy's answer_fault.
typedef enum cn_test_server_answer_fault {
  CN_TEST_SERVER_ANSWER_FAULT_NONE = 0,
  // A status line that is not HTTP ("GARBAGE not a status line"; over
  // SPDY/3.1 and HTTP/2 the same text as :status).
  CN_TEST_SERVER_ANSWER_FAULT_GARBAGE,
  // A 200 whose head holds one field of CN_TEST_SERVER_BIG_HEAD_BYTES.
  CN_TEST_SERVER_ANSWER_FAULT_BIG_HEAD,
  // A 200 with CN_TEST_SERVER_MANY_HEADERS header lines of
  // CN_TEST_SERVER_MANY_HEADERS_VALUE bytes each (400 KB in all): the
  // "endless headers" a client must cut off. (Not more lines: the SPDY/3.1
  // header block encoder takes seconds for 20,000 names.)
  CN_TEST_SERVER_ANSWER_FAULT_MANY_HEADERS,
  // No answer at all, until the peer or the server goes.
  CN_TEST_SERVER_ANSWER_FAULT_HANG,
} cn_test_server_answer_fault;

#define CN_TEST_SERVER_BIG_HEAD_BYTES (300 * 1024)
#define CN_TEST_SERVER_MANY_HEADERS 2000
#define CN_TEST_SERVER_MANY_HEADERS_VALUE 200

// "none", "garbage", "big-head", "many-headers", "hang".
const char *cn_test_server_answer_fault_name(cn_test_server_answer_fault fault);
// Parses a name above; false if unknown.
bool cn_test_server_answer_fault_parse(const char *name, cn_test_server_answer_fault *out);

// A host map entry of a proxy: requests for |host| (any port) go to
// |address| (an IP literal) instead of what DNS says.
typedef struct cn_test_server_host_mapping {
  const char *host;
  const char *address;
} cn_test_server_host_mapping;

// The body of a refused CONNECT (refuse_connect): a client must never show
// it as if it came from the origin, so tests look for this marker.
#define CN_TEST_SERVER_PROXY_REFUSAL_BODY "cnet-testserver proxy refusal: not the origin's body\n"
// Where a refused CONNECT with a 3xx status points by default.
#define CN_TEST_SERVER_PROXY_REFUSAL_LOCATION "https://refused.test/"
// What extra_after_200 sends right after "200 Connection Established".
#define CN_TEST_SERVER_PROXY_EXTRA_BYTES "EXTRA-BYTES-AFTER-200\r\n"
// The realm of the proxy's Basic challenge.
#define CN_TEST_SERVER_PROXY_REALM "cnet-test"

// Proxy mode's switches (proxy_handler.h describes the proxy itself). All
// zero: a proxy without faults or authentication.
typedef struct cn_test_server_proxy_options {
  // "user:pass": every request must carry "Proxy-Authorization: Basic
  // base64(user:pass)", else 407 with
  // `Proxy-Authenticate: Basic realm="cnet-test"` and a small body. NULL: no
  // authentication. Copied.
  const char *auth;
  // The 407 carries "Connection: close" and the connection closes (default:
  // keep-alive, the client may retry on the same connection).
  bool auth_close;
  // Non-zero: every CONNECT is answered with this status (400..599, a 3xx
  // with a Location field, or a 2xx other than 200: a proxy that says
  // success without opening a tunnel) and CN_TEST_SERVER_PROXY_REFUSAL_BODY
  // (no body with a 2xx), the connection kept alive. 200 is not allowed
  // (that is a tunnel).
  int refuse_connect;
  // The Location of a 3xx refusal; NULL: CN_TEST_SERVER_PROXY_REFUSAL_LOCATION.
  // Copied.
  const char *refuse_location;
  cn_test_server_drop_step drop_at;
  uint64_t drop_after_bytes;  // for MID_RESPONSE and MID_TUNNEL
  // Every answer (CONNECT's 200, refusals, 407, forwarded responses, errors)
  // waits this long after the request arrived. 0: none.
  uint64_t slow_ms;
  // Send CN_TEST_SERVER_PROXY_EXTRA_BYTES right after the CONNECT's 200,
  // before any byte from the target: a lying proxy.
  bool extra_after_200;
  // Host map (copied); names not in it are resolved by cnet's resolver
  // (IP literals and "localhost" without DNS).
  const cn_test_server_host_mapping *map;
  size_t num_map;
  // Every request (CONNECT or absolute-form), once slow_ms, drop_at
  // after-connect-request and auth let it through, gets this faulty answer
  // from the proxy itself instead of a tunnel or a forward.
  cn_test_server_answer_fault answer_fault;
} cn_test_server_proxy_options;

// Faults and limits of SPDY/3.1 and HTTP/2 sessions (spdy_connection.h).
// All zero: a well-behaved session with the session's defaults.
typedef struct cn_test_server_session_options {
  // > 0: once this many streams have arrived on a session, it sends GOAWAY
  // (NO_ERROR) and closes when they are done.
  uint32_t goaway_after;
  // Reset matching streams (rst_stream_path prefix; NULL: every stream)
  // with |rst_stream_code| (an HTTP/2 error code; SPDY gets its status)
  // instead of answering them.
  bool rst_stream;
  uint32_t rst_stream_code;
  const char *rst_stream_path;  // copied
  // Our stream receive window (SETTINGS_INITIAL_WINDOW_SIZE). 0: default.
  uint32_t initial_window;
  // Streams a client may open at once (SETTINGS_MAX_CONCURRENT_STREAMS).
  // 0: the session's default.
  uint32_t max_concurrent_streams;
  // When the first stream of a session arrives, write a malformed frame
  // (HTTP/2: a SETTINGS frame of 3 bytes; SPDY/3.1: a SETTINGS frame whose
  // length is short of its count): the client must fail the session.
  bool bad_frame;
} cn_test_server_session_options;

typedef struct cn_test_server_options {
  // Address to listen on (IP literal); NULL means "127.0.0.1". Port 0 picks
  // a free port.
  const char *bind_address;
  uint16_t port;
  // Plain HTTP: no TLS, no certificates.
  bool plain;
  // Names the leaf certificate is for, besides the defaults "localhost",
  // "127.0.0.1" and "::1" (IP literals become IP SANs). Copied.
  const char *const *names;
  size_t num_names;
  cn_test_server_cert_mode cert_mode;
  // The CA that signs the leaf (kept by the caller, who must keep it alive
  // only during cn_test_server_new). NULL: a fresh CA for this server. Lets
  // several servers (an origin and a proxy) share one trust anchor.
  const cn_test_cert *issuer;
  // ALPN, the server's preference order. num_alpn == 0 means
  // {http/1.1}; no_alpn makes the server ignore ALPN entirely.
  cn_next_proto alpn[CN_SSL_MAX_PROTOS];
  size_t num_alpn;
  bool no_alpn;
  // A server of the SPDY era: TLS 1.2 at most, ALPN ignored, and |alpn|
  // advertised through NPN instead (the client picks).
  bool npn_only;
  // TLS 1.2 at most (ALPN as |alpn|): a server for TLS 1.2 False Start.
  bool tls12_only;
  // Where the server's sockets and requests log (REQUEST_ALIVE per request
  // on a REQUEST source). May be NULL. Give the server its own NetLog: its
  // TLS sockets log SSL_CONNECT like a client's would, and a proxy's
  // upstream sockets TCP_CONNECT.
  cn_netlog *netlog;
  // Proxy mode: the server is a proxy (over TLS unless |plain|; HTTP/1.1,
  // or SPDY/3.1 / HTTP/2 as ALPN picks) instead of an origin, with the
  // switches in |proxy_options|.
  bool proxy;
  cn_test_server_proxy_options proxy_options;
  // SPDY/3.1 and HTTP/2 (when ALPN picks them): faults and limits.
  cn_test_server_session_options session_options;
  // > 0: over HTTP/1.x, the request with this index on its connection (1 is
  // the first) gets no answer: the connection closes (a keep-alive
  // connection gone stale under the client). Origin or proxy.
  uint64_t close_on_request;
} cn_test_server_options;

// What the tests assert reuse with. All counts since the server started.
typedef struct cn_test_server_counters {
  uint64_t connections_accepted;    // TCP accepts (and served sockets)
  uint64_t tls_handshakes;          // completed server handshakes
  uint64_t tls_handshake_failures;  // failed ones (and cut handshakes)
  uint64_t http1_connections;       // connections served with HTTP/1.x
  uint64_t unsupported_protocol;    // ALPN chose a protocol not served yet
  uint64_t requests;                // complete requests handed to a handler
  uint64_t bad_requests;            // rejected by a parser (400-class answer)
  uint64_t connections_open;        // live protocol connections right now
  uint64_t spdy_sessions;           // connections served with SPDY/3.1
  uint64_t http2_sessions;          // connections served with HTTP/2
  uint64_t spdy_streams;            // peer streams received on SPDY/3.1
  uint64_t http2_streams;           // peer streams received on HTTP/2
  uint64_t streams_reset;           // streams the server reset (rst_stream,
                                    // aborted exchanges, bad requests)
  uint64_t goaways_sent;            // goaway_after fired
  uint64_t bad_frames_sent;         // bad_frame fired
  uint64_t tls_handshakes_stalled;  // stall-handshake: ClientHellos left
                                    // unanswered
  uint64_t closed_on_request;       // close_on_request fired
} cn_test_server_counters;

// Proxy mode's counters (all zero for an origin). The seed's ladder
// diagrams draw steps 9-13 from these. All counts since the server started.
typedef struct cn_test_server_proxy_counters {
  uint64_t connect_requests;     // CONNECT requests received
  uint64_t tunnels_opened;       // "200 Connection Established" sent
  uint64_t tunnels_open;         // tunnels relaying right now
  uint64_t tunnel_bytes_up;      // relayed client -> target (all tunnels)
  uint64_t tunnel_bytes_down;    // relayed target -> client (all tunnels)
  uint64_t forward_requests;     // absolute-form requests received
  uint64_t forwarded;            // of them, sent on to an origin
  uint64_t upstream_connects;    // new TCP connections to origins/targets
  uint64_t upstream_reused;      // forwards sent on an idle origin connection
  uint64_t upstream_failures;    // resolve or connect failures (502 answers)
  uint64_t auth_challenges;      // 407 answers
  uint64_t refused;              // refuse_connect answers
  uint64_t dropped;              // connections closed by drop_at
  uint64_t bad_targets;          // 400 answers (bad CONNECT target, not a
                                 // proxy request)
} cn_test_server_proxy_counters;

typedef struct cn_test_server cn_test_server;

// Starts listening. Returns CN_OK with *out set, or an error:
// CN_ERR_INVALID_ARGUMENT (bad address, bad option, a bad proxy option: auth
// without ':', a map address that is not an IP literal, a refusal status out
// of range), or the listener's
// error (the port is taken, …).
int cn_test_server_new(uv_loop_t *loop, const cn_test_server_options *options,
                       cn_test_server **out);
// Accepts NULL.
void cn_test_server_destroy(cn_test_server *server);

// The bound address (with the real port), and the port alone.
cn_ip_endpoint cn_test_server_address(const cn_test_server *server);
uint16_t cn_test_server_port(const cn_test_server *server);
// "https://127.0.0.1:PORT" ("http://" when plain, "[::1]" for IPv6), into
// |buf|; returns |buf|.
const char *cn_test_server_base_url(const cn_test_server *server, char *buf, size_t size);
// PEM of the CA clients should trust; NULL for a plain server. Owned by the
// server.
const char *cn_test_server_ca_pem(const cn_test_server *server);

void cn_test_server_get_counters(const cn_test_server *server, cn_test_server_counters *out);
// Proxy mode's counters (zeroes for an origin).
void cn_test_server_get_proxy_counters(const cn_test_server *server,
                                       cn_test_server_proxy_counters *out);

// Serves an already connected stream socket as if it had just been
// accepted (TLS first unless plain): the hook for serving over a pipe or a
// proxy tunnel without TCP. Takes ownership of |socket|.
void cn_test_server_serve_socket(cn_test_server *server, cn_stream_socket *socket);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_TEST_SERVER_H_
