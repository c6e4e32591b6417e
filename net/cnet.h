// cnet — the embedding API. This is the only header an application needs.
//
// An application creates one cnet_context on its own libuv loop, then starts
// requests on it. cnet resolves the proxy for each request, builds or reuses
// the layered connections it needs (TCP, TLS to the proxy, CONNECT tunnels,
// TLS to the origin) and calls the request's callbacks as the response
// arrives.
//
// Threads: everything runs on the loop's thread. Every cnet function must be
// called on that thread; callbacks run on it, from the loop (never from
// inside the cnet call that started the work).
//
// Ownership and callbacks:
//   - The application owns the context and destroys it with
//     cnet_context_destroy(), after which no callback of any of its requests
//     runs. The loop must outlive the context; after destroying the context,
//     run the loop until it is idle before uv_loop_close().
//   - cnet owns each request. Its callbacks run in this order: on_response
//     once (the final response head), on_data zero or more times, then
//     on_complete exactly once — or on_complete alone when the request fails
//     before a response. The request is freed right after on_complete
//     returns; the handle must not be used after that.
//   - cnet_request_cancel() may be called at any time before on_complete
//     (including from inside on_response, on_data or on_redirect): no
//     callback runs after it, and the request is freed.
//   - cnet_context_destroy() may be called from inside on_response,
//     on_data, on_complete or on_redirect: no callback of any request runs
//     afterwards, and the request whose callback is running is freed when
//     that callback returns (its handle must not be used after the
//     destroy). Not from inside an upload callback or the NetLog callback.
//
// The loop: cnet keeps the loop running only while it has work for a
// request. Idle pooled connections, idle SPDY/HTTP2 sessions and their
// housekeeping timers are uv_unref'd, so uv_run(loop, UV_RUN_DEFAULT)
// returns once the application's requests are done; the idle connections
// stay pooled for later requests (until cnet_context_destroy() or their
// idle timeout).
//   - Strings and arrays passed in are copied; pointers passed to callbacks
//     are valid only during the callback.
//
// Errors are negative codes (CNET_ERR_* are cnet's net error codes, e.g.
// -102 connection refused, -130 proxy connection failed, -202 certificate
// authority invalid); cnet_error_name() gives "ERR_CONNECTION_REFUSED" and
// cnet_error_message() a sentence.
#ifndef CNET_CNET_H_
#define CNET_CNET_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CNET_IMPLEMENTATION)
#define CNET_EXPORT __attribute__((visibility("default")))
#else
#define CNET_EXPORT
#endif

// The application's libuv loop (uv_loop_t is struct uv_loop_s). Declared,
// not included: <uv.h> needs POSIX types that a strict -std=c11 build does
// not declare, and cnet.h must compile under it. Applications include <uv.h>
// themselves to run the loop.
struct uv_loop_s;

// ---------------------------------------------------------------------------
// Version and ABI
//
// libcnet.so.MAJOR: the major version changes when the ABI breaks (a
// function removed or changed, a struct field moved); minor versions only
// add (functions, fields at the end of options structs, error codes);
// patch versions only fix. docs/api.md has the whole policy.
#define CNET_VERSION_MAJOR 0
#define CNET_VERSION_MINOR 1
#define CNET_VERSION_PATCH 0

// "cnet/0.1.0 BoringSSL/<revision> libuv/1.44.2 nghttp2/1.52.0 zlib/1.2.13":
// this library's version and the versions of what it was built with
// (BoringSSL is inside libcnet; the others are shared libraries). A static
// string.
CNET_EXPORT const char *cnet_version(void);

typedef struct cnet_context cnet_context;
typedef struct cnet_request cnet_request;

// ---------------------------------------------------------------------------
// Context

// Options structs grow at the end in minor versions. |struct_size| tells
// cnet which fields the application knows: cnet_context_options_init() and
// cnet_request_options_init() set it to sizeof the struct the application
// was compiled with; cnet reads no field beyond it (those keep their
// defaults). 0 (a zero-initialised struct without _init) is read as the
// library's own layout: fine when the application is built against the
// header of the library it runs with; a binary that must keep working with
// later minor versions calls the _init functions.
typedef struct cnet_context_options {
  size_t struct_size;      // set by cnet_context_options_init()
  struct uv_loop_s *loop;  // required: the application's loop (uv_loop_t *)

  // Proxies. |proxy| is a proxy URL or a fallback list in Chromium's syntax:
  // "https://proxy:443", "http://user:pass@proxy:3128",
  // "https://p1:443,https://p2:443,direct://", or per scheme
  // "http=p1:3128;https=https://p2:443". SOCKS5 proxies as curl names them:
  // "socks5://host:1080" (cnet resolves the target), "socks5h://u:p@host"
  // (the proxy resolves it; RFC 1929 credentials), also as a chain's first
  // hop "[socks5://127.0.0.1:1080 https://p2:443]". NULL: none, unless
  // |proxy_from_env|.
  const char *proxy;
  // Read http_proxy / https_proxy / all_proxy / no_proxy (curl's rules) when
  // |proxy| is NULL.
  bool proxy_from_env;
  // Hosts that go DIRECT ("*.example.com,10.0.0.0/8,<local>"); may be NULL.
  const char *proxy_bypass;
  // Credentials for proxies that have none in their URL ("user:password").
  const char *proxy_user;

  // Trust. PEM files of CA certificates for origins and for HTTPS proxies;
  // NULL: the system store (and, for proxies, the origins' setting).
  const char *ca_file;
  const char *proxy_ca_file;

  // Host resolution overrides in curl's --resolve syntax
  // ("origin.test:443:127.0.0.1"; port may be "*").
  const char *const *resolve_rules;
  size_t num_resolve_rules;

  // ALPN offers: comma lists of "h2", "spdy/3.1", "http/1.1"; NULL:
  // "http/1.1".
  const char *origin_protocols;
  const char *proxy_protocols;

  // Connection limits; 0 keeps the default (256 in all, 6 per host, 32 per
  // proxy).
  size_t max_sockets;
  size_t max_sockets_per_host;
  size_t max_sockets_per_proxy;

  const char *user_agent;  // NULL: "cnet"

  // NetLog: every event as one JSON line (docs/netlog.md), without the
  // trailing newline (|json_line| is NUL-terminated; valid during the call).
  // NULL: no NetLog. It also runs inside cnet_context_destroy(), for the
  // events of closing connections; it must not call cnet functions.
  void (*netlog)(void *arg, const char *json_line, size_t len);
  void *netlog_arg;

  // Added in 0.1 by fetch's curl options (at the end: options structs grow
  // there).
  // Shorthand kept from 0.1: when non-zero, the limit of each connect layer
  // — TCP, TLS, a tunnel — replacing tcp_connect_timeout_ms,
  // tls_handshake_timeout_ms and tunnel_timeout_ms below; the request fails
  // with ERR_CONNECTION_TIMED_OUT. 0 keeps those fields as they are.
  uint64_t connect_timeout_ms;
  // Per-hop overrides, for a user who explicitly asked (curl's -k and
  // --proxy-insecure): accept an origin's / an HTTPS proxy's certificate
  // even when it fails verification. The check still runs and a failure is
  // still logged (SSL_CERT_VERIFY_FAILED in the NetLog) so the application
  // can warn; the connection goes on. Never on by default; one hop's
  // setting never changes the other's.
  bool origin_tls_verify_disabled;
  bool proxy_tls_verify_disabled;
  // Connection overrides in curl's --connect-to syntax (CURLOPT_CONNECT_TO),
  // HOST1:PORT1:HOST2:PORT2: a connection for HOST1:PORT1 (either empty:
  // any) goes to HOST2 (an IP literal, IPv6 in brackets) at PORT2 (empty:
  // PORT1). The connection still belongs to HOST1:PORT1: TLS checks HOST1's
  // name and pools key on it. Applied like |resolve_rules| (after them: a
  // rule for the same HOST1:PORT1 replaces one).
  const char *const *connect_to_rules;
  size_t num_connect_to_rules;

  // NetLog in Chromium's JSON format (docs/netlog.md "Chromium's format"):
  // cnet creates (truncates) this file, writes the constants at once and
  // every event as it is logged, and closes it with "]}" in
  // cnet_context_destroy(). Chromium's netlog viewer opens it. Independent
  // of |netlog| (both may be set). NULL: none.
  const char *netlog_chrome_path;

  // Added in 0.1: timeouts, in milliseconds, per phase (docs/api.md
  // "Timeouts" gives the reasons for the defaults). cnet_context_options_init
  // fills the defaults shown; 0 means no limit. In a struct that was not
  // made by cnet_context_options_init (struct_size 0) a 0 here means the
  // default — a zeroed struct must not turn every timeout off — and fields
  // past the application's struct_size have their defaults. Each timeout
  // ends the request with the error named and a NetLog event naming the
  // phase and the server (CONNECT_JOB_TIMED_OUT for a layer,
  // REQUEST_TIMED_OUT for a request phase; docs/netlog.md).
  // Each connect layer, measured from when that layer begins (so a slow
  // TCP connect does not use up a TLS handshake's time):
  uint64_t tcp_connect_timeout_ms;    // 30 s: name resolution and TCP, every attempt
  uint64_t tls_handshake_timeout_ms;  // 30 s: TLS to each proxy and to the origin
  uint64_t tunnel_timeout_ms;         // 30 s: each CONNECT exchange or SOCKS5 handshake
  // ERR_CONNECTION_TIMED_OUT for each of those three. The request's phases,
  // defaults of cnet_request_options' fields of the same names:
  uint64_t connection_timeout_ms;        // 0: the whole connection setup (curl's --connect-timeout); ERR_CONNECTION_TIMED_OUT
  uint64_t stream_wait_timeout_ms;       // 60 s: a stream on a session whose peer allows no more streams
  uint64_t response_headers_timeout_ms;  // 300 s: request sent to response head
  uint64_t body_idle_timeout_ms;         // 300 s: no byte of the request or response body moves
  uint64_t total_timeout_ms;             // 0: the request from start to end, redirects included

  // Added in 0.1 by authentication (docs/auth.md): the schemes a proxy's
  // 407 may be answered with (CNET_AUTH_BASIC | CNET_AUTH_DIGEST; curl's
  // --proxy-basic, --proxy-digest, --proxy-anyauth); 0: both, the
  // strongest offered (Digest over Basic).
  unsigned proxy_auth_schemes;

  // Added in 0.1: name resolution (docs/api.md "Name resolution"). cnet
  // resolves with c-ares on the application's loop: A and AAAA, each answer
  // cached for its DNS TTL, the hosts file first, resolv.conf's search
  // domains; |resolve_rules| still come before all of it.
  // DNS servers asked instead of resolv.conf's, comma separated, as curl's
  // --dns-servers: "127.0.0.1:5353,[::1]:53,10.0.0.1" (port 53 when none).
  // NULL: the system's. A bad list fails cnet_context_new.
  const char *dns_servers;
  // Most host names cached at once (expired ones, then those expiring
  // soonest, make room); 0: 1000.
  size_t host_cache_size;
  // The hosts file read before DNS. NULL: /etc/hosts; "": none.
  const char *hosts_file;

  // Added in 0.1 by happy eyeballs (RFC 8305) and the backup connect
  // (docs/architecture.md "Happy eyeballs"). A host's addresses are tried
  // with the families interleaved; the next attempt starts
  // |connection_attempt_delay_ms| after the previous one if nothing has
  // connected (or at once when one fails), and an address whose SYN got no
  // answer gets a second, backup attempt as long after. The first to
  // connect wins. 0: 250 ms (RFC 8305's Connection Attempt Delay).
  uint64_t connection_attempt_delay_ms;
  // The limit of each attempt (it fails with ERR_CONNECTION_TIMED_OUT and
  // the next one starts at once); tcp_connect_timeout_ms still bounds the
  // whole. 0: none.
  uint64_t tcp_attempt_timeout_ms;

  // Added in 0.1 by the performance pass: how much of each event the
  // |netlog| callback gets (docs/netlog.md "Capture modes"), a
  // cnet_netlog_capture value. 0 (CNET_NETLOG_CAPTURE_EVERYTHING) is every
  // parameter, as before. The less it asks for, the less cnet formats.
  int netlog_capture;

  // Added in 0.1: PAC (docs/pac.md). A proxy auto-config script decides
  // each request's proxy list: a file path (read by cnet_context_new, which
  // fails when it cannot be read) or an http:// or https:// URL, fetched by
  // cnet itself, DIRECT, when the first request needs it, once per context.
  // Replaces |proxy| and |proxy_from_env|; |proxy_bypass| does not apply.
  // Its answers ("PROXY p:3128; HTTPS q:443; SOCKS5 s:1080; DIRECT") get
  // the same fallback and bad-proxy memory as a |proxy| list. A script that
  // cannot be fetched, fails, runs past its time (1 s) or memory (16 MiB)
  // limit, or answers nothing usable sends the request DIRECT, as Chromium
  // does, unless |pac_mandatory|. NULL: no PAC.
  const char *pac_url;
  // Fail such requests with ERR_MANDATORY_PROXY_CONFIGURATION_FAILED
  // instead of going DIRECT.
  bool pac_mandatory;
  // WPAD over DNS, opt-in: with no |pac_url|, use
  // http://wpad/wpad.dat (the name "wpad" in the system's search domains).
  bool pac_wpad;

  // Added in 0.1 (issue #13): optimistic tunnels through the context's
  // proxies (fetch --proxy-optimistic). An HTTPS origin reached through an
  // HTTP/1.1 CONNECT gets its TLS ClientHello sent right behind the
  // CONNECT, in the same flight, instead of after the proxy's 200: one
  // round trip to the proxy less for every new tunnel. Over SPDY/HTTP2 it
  // goes as DATA on the CONNECT stream (a session made for the tunnel);
  // there a GOAWAY before the proxy took the stream is an error, not
  // retried on a new session. A proxy that refuses
  // gives the same error as without it (its hop named the same way) and its
  // connection is closed, never reused. Used only where nothing would be
  // retried on that tunnel's behalf: a new connection to the proxy, and no
  // credentials involved (none for the proxy, none sent; a 407 is then
  // left for on_auth_required as without it).
  // Off by default: some proxies drop bytes sent before their answer.
  bool proxy_optimistic_tunnel;
} cnet_context_options;

// cnet_context_options.netlog_capture.
enum cnet_netlog_capture {
  CNET_NETLOG_CAPTURE_EVERYTHING = 0,
  // Every parameter, but header blocks carry header names only (values
  // become "[N bytes]") and SPDY/HTTP2 request paths are left out.
  CNET_NETLOG_CAPTURE_NO_HEADER_VALUES = 1,
  // Events with only the parameters that cost nothing to build (net_error,
  // ids, counts, names): no URL, header block or address list is formatted.
  CNET_NETLOG_CAPTURE_EVENTS = 2,
  // Added in 0.1 (issue #13): only the events that report a failure (a
  // negative net_error parameter: a failed connect, handshake, proxy
  // connect, certificate verification), with the parameters logged with
  // them at hand. Every other event is dropped before anything is
  // formatted, so a run without failures costs the callback nothing
  // (`fetch` uses it for its exit status when no -v, -w, --netlog, --trace
  // or -k asks for more).
  CNET_NETLOG_CAPTURE_ERRORS = 3,
};

// Fills |o| with the defaults (everything zero/NULL but the timeouts, which
// get the values above) and sets struct_size.
CNET_EXPORT void cnet_context_options_init(cnet_context_options *o);

// Creates a context. Returns 0 and the context in |*out|, or an error with a
// one-line reason in |err| (may be NULL; |err_size| bytes, 256 is plenty):
// a bad proxy string, an unreadable CA file, a bad resolve rule, an unknown
// protocol name.
CNET_EXPORT int cnet_context_new(const cnet_context_options *o, cnet_context **out, char *err,
                                 size_t err_size);
// Cancels every request (no callbacks), closes every connection, frees the
// context. Accepts NULL.
CNET_EXPORT void cnet_context_destroy(cnet_context *c);

// Counts since the context was made (from its NetLog events): how many
// connections, handshakes, tunnels, sessions and streams the requests took.
typedef struct cnet_stats {
  uint64_t tcp_connects;
  uint64_t tls_handshakes;
  uint64_t tunnels;
  uint64_t sessions;
  uint64_t streams;
  uint64_t requests;
} cnet_stats;
CNET_EXPORT void cnet_context_get_stats(const cnet_context *c, cnet_stats *out);
// Destroys the context as cnet_context_destroy() does and fills |out| (may
// be NULL) with the stats once every connection is closed. A session or a
// stream counts when it ends, so sessions still open at the end of a run
// count only here (what `fetch --stats` prints). Accepts c == NULL (then
// |out| is zeroed).
CNET_EXPORT void cnet_context_destroy_with_stats(cnet_context *c, cnet_stats *out);

// Closes idle connections (e.g. when the application goes to background).
CNET_EXPORT void cnet_context_close_idle(cnet_context *c);

// Tells cnet the network changed (an address came or went, Wi-Fi to
// cellular, a VPN went up): cnet has no watcher of its own, the application
// calls this from its loop thread when its platform says so. As Chromium on
// an IP address change, it closes every idle connection (their path may be
// gone), sends every SPDY/HTTP2 session away (no new streams on it; streams
// already open finish), and forgets every cached DNS answer (lookups
// already running answer their requests but are not cached). Requests in
// progress go on. Logs NETWORK_CHANGED. Never calls a callback from inside.
CNET_EXPORT void cnet_context_network_changed(cnet_context *c);

// ---------------------------------------------------------------------------
// Requests

typedef struct cnet_header {
  const char *name;
  const char *value;
} cnet_header;

typedef enum cnet_priority {
  CNET_PRIORITY_IDLE = 1,
  CNET_PRIORITY_LOWEST,
  CNET_PRIORITY_LOW,
  CNET_PRIORITY_MEDIUM,  // the default
  CNET_PRIORITY_HIGHEST,
} cnet_priority;

typedef struct cnet_request_callbacks {
  // The final response head (after any redirects followed). |headers| in
  // the order received.
  void (*on_response)(cnet_request *r, void *arg, int status, const cnet_header *headers,
                      size_t num_headers);
  // Body bytes, decoded (gzip/deflate) unless the request said otherwise.
  void (*on_data)(cnet_request *r, void *arg, const uint8_t *data, size_t len);
  // The end: 0 when the body was received completely, else the error.
  void (*on_complete)(cnet_request *r, void *arg, int error);
} cnet_request_callbacks;

// An upload read by callback: fill up to |len| bytes of |buf| and return the
// count, 0 at the end, a negative error (a CNET_ERR_*), which fails the
// request with that error, or CNET_UPLOAD_PENDING when no data is there
// yet. CNET_ERR_IO_PENDING (-1) is no error of the upload's: it fails the
// request with CNET_ERR_FAILED. |buf| is valid only during the call. The
// callback runs deep inside cnet: it must call no cnet function but
// cnet_request_upload_resume().
typedef int (*cnet_upload_read_fn)(void *arg, uint8_t *buf, size_t len);

// What an upload callback returns when it has no data yet: the request
// waits (sends nothing more of the body) until the application calls
// cnet_request_upload_resume(), then calls the upload callback again. Works
// for sized and chunked bodies, over HTTP/1.1 and as SPDY/HTTP2 streams.
// Outside the error table (no CNET_ERR_* has this value).
#define CNET_UPLOAD_PENDING (-1000000)

// What an on_redirect hook decides (cnet_request_options.on_redirect).
typedef enum cnet_redirect_action {
  CNET_REDIRECT_FOLLOW = 0,  // follow it, as without a hook
  // Do not follow: the 3xx is the final response (on_response, its body,
  // on_complete with 0).
  CNET_REDIRECT_STOP = 1,
  // Fail the request: on_complete with CNET_ERR_ABORTED, no on_response.
  CNET_REDIRECT_CANCEL = 2,
} cnet_redirect_action;

// Called before a redirect is followed (only when follow_redirects is set,
// and not for a redirect the request would refuse anyway: too many, or to
// a scheme that is not http/https), with the 3xx |status|, the URL it
// leads to, resolved against the current URL, and the 3xx's header fields
// in the order received (all valid during the call; e.g. its Set-Cookie
// for an application's cookie store). |arg| is the request's. The hook may
// change the next request's fields with cnet_request_set_redirect_header()
// (a cross-origin redirect has already dropped Authorization and Cookie),
// and may call cnet_request_cancel(r) (then no further callback runs,
// whatever it returns); it must not destroy the context.
typedef cnet_redirect_action (*cnet_redirect_fn)(cnet_request *r, void *arg, int status,
                                                 const char *new_url,
                                                 const cnet_header *headers,
                                                 size_t num_headers);

// Authentication (docs/auth.md). A 401 from the origin or a 407 from a
// proxy is answered with Basic or Digest (RFC 7617, RFC 7616: MD5 and
// SHA-256, qop=auth) and an identity from, in turn: the URL's user:pass
// (or the request's |user|/|password|; for a proxy, its URL's or the
// context's proxy_user), the context's auth cache (identities that server
// and realm took before), and the application's on_auth_required. Once a
// server took an identity, later requests to it — for an origin, to paths
// under the same directory — send it before being asked. Origin
// identities are never sent to a proxy, proxy identities never through a
// tunnel, and neither to another host.

#define CNET_AUTH_BASIC 1u
#define CNET_AUTH_DIGEST 2u

typedef enum cnet_auth_target {
  CNET_AUTH_ORIGIN = 0,  // a 401 (WWW-Authenticate)
  CNET_AUTH_PROXY = 1,   // a 407 (Proxy-Authenticate)
} cnet_auth_target;

// Who asks for credentials, and for what (valid during the callback).
typedef struct cnet_auth_challenge {
  cnet_auth_target target;
  bool tunnel;         // a proxy's answer to the CONNECT for an https:// URL
  const char *server;  // "host:port" of the origin or the proxy
  const char *scheme;  // "Basic" or "Digest": the strongest allowed one offered
  const char *realm;   // "" when the challenge named none
} cnet_auth_challenge;

// Called when a challenge has no identity left to try (none given, or
// those given were refused). The application answers — from inside the
// callback or later — with exactly one of cnet_request_set_auth() or
// cnet_request_cancel_auth() (or cancels the request). Until then nothing
// more happens for the request (a total timeout keeps counting).
typedef void (*cnet_auth_fn)(cnet_request *r, void *arg, const cnet_auth_challenge *challenge);

typedef struct cnet_request_options {
  size_t struct_size;  // set by cnet_request_options_init(); see above
  const char *url;     // required: http:// or https://
  const char *method;  // NULL: "GET" ("POST" when a body is given)
  const cnet_header *headers;
  size_t num_headers;
  // A body in memory (copied) ...
  const void *body;
  size_t body_len;
  // ... or read by callback: |upload_length| bytes, or -1 for chunked.
  cnet_upload_read_fn upload_read;
  void *upload_arg;
  int64_t upload_length;
  cnet_priority priority;  // 0: MEDIUM
  // Follow 301/302/303/307/308. A redirect to another origin (scheme, host
  // or port) drops the request's Authorization and Cookie headers, as
  // browsers and curl do: credentials meant for one host never reach
  // another.
  bool follow_redirects;
  // At most this many redirects are followed (then the request fails with
  // ERR_TOO_MANY_REDIRECTS). 0: 20; negative: none (the first redirect
  // fails).
  int max_redirects;
  bool no_decoding;       // deliver the body as received (no gzip/deflate)

  // Added in 0.1 by the embedding API (at the end: options structs grow
  // there).
  // This request's proxy, overriding the context's proxy, proxy_from_env
  // and proxy_bypass: the syntax of cnet_context_options.proxy, chains and
  // SOCKS included; "direct://" goes DIRECT. The context's proxy_user is
  // applied to proxies without credentials. NULL: the context's proxy.
  // Connections are pooled per proxy chain, so requests with different
  // proxies never share a connection they should not, and requests with
  // the same chain share the context's idle connections and sessions. A
  // string that does not parse fails cnet_request_start (the error of the
  // parse, e.g. CNET_ERR_INVALID_ARGUMENT or CNET_ERR_UNKNOWN_URL_SCHEME).
  // A failed proxy is skipped for this request only (the context's own list
  // remembers its failures across requests; this one does not).
  const char *proxy;
  // Decides about each redirect before it is followed; NULL: follow.
  cnet_redirect_fn on_redirect;
  // Added in 0.1: this request's timeouts (the context's fields of the same
  // names say what each bounds). cnet_request_options_init sets each to
  // CNET_TIMEOUT_DEFAULT: the context's value. 0: no limit. As for the
  // context, a struct with struct_size 0 reads a 0 here as the default.
  uint64_t connection_timeout_ms;        // ERR_CONNECTION_TIMED_OUT
  uint64_t stream_wait_timeout_ms;       // ERR_TIMED_OUT (this and the rest)
  uint64_t response_headers_timeout_ms;
  uint64_t body_idle_timeout_ms;
  uint64_t total_timeout_ms;  // counted from cnet_request_start, redirects included

  // Added in 0.1 by authentication (see "Authentication" above).
  // Asked when a 401/407 has no identity to answer with. NULL: an origin's
  // 401 is the response (on_response with 401); a proxy's 407 fails the
  // request with CNET_ERR_PROXY_AUTH_REQUESTED.
  cnet_auth_fn on_auth_required;
  // The origin's identity, answering its first challenge (instead of the
  // URL's user:pass); used only for the URL's own origin, never after a
  // redirect to another. NULL: the URL's, if any. A request with its own
  // Authorization header field is left alone (its 401 is the response).
  const char *user;
  const char *password;
  // The schemes the origin may be answered with (CNET_AUTH_*); 0: both,
  // the strongest offered (curl's --anyauth; --basic, --digest).
  unsigned auth_schemes;
} cnet_request_options;

// A request timeout field's value meaning "the context's" (set by
// cnet_request_options_init).
#define CNET_TIMEOUT_DEFAULT UINT64_MAX

// Fills |o| with the defaults (everything zero/NULL, the timeouts
// CNET_TIMEOUT_DEFAULT) and sets struct_size.
CNET_EXPORT void cnet_request_options_init(cnet_request_options *o);

// Inside on_redirect only: sets the field |name| of the request that
// follows the redirect to |value| (replacing any), or removes it when
// |value| is NULL (Chromium's modified/removed headers of a followed
// redirect). Returns 0, CNET_ERR_INVALID_ARGUMENT outside the hook, or
// CNET_ERR_INVALID_HEADER for a bad name or value.
CNET_EXPORT int cnet_request_set_redirect_header(cnet_request *r, const char *name,
                                                 const char *value);

// Starts a request. Returns 0 and the request in |*out| (callbacks will
// follow), or an error at once (a bad URL, bad header, missing callback);
// then no callback runs and nothing needs freeing.
CNET_EXPORT int cnet_request_start(cnet_context *c, const cnet_request_options *o,
                                   const cnet_request_callbacks *cb, void *arg,
                                   cnet_request **out);
// Cancels the request: no callback runs afterwards; the request is freed.
CNET_EXPORT void cnet_request_cancel(cnet_request *r);

// Answers the request's pending on_auth_required: the request goes again
// with |user| and |password| (copied). Returns 0, or
// CNET_ERR_INVALID_ARGUMENT when no challenge is pending. The request goes
// on from the loop, never inside this call.
CNET_EXPORT int cnet_request_set_auth(cnet_request *r, const char *user, const char *password);
// Declines the pending challenge: an origin's 401 becomes the response
// (on_response with 401 and its body); a proxy's 407 fails the request
// with CNET_ERR_PROXY_AUTH_REQUESTED, or CNET_ERR_TUNNEL_CONNECTION_FAILED
// for a CONNECT (Chromium's errors). Returns 0, or
// CNET_ERR_INVALID_ARGUMENT when no challenge is pending.
CNET_EXPORT int cnet_request_cancel_auth(cnet_request *r);

// Backpressure. cnet_request_pause() stops on_data: no on_data (and no
// on_complete) runs until cnet_request_resume(). Nothing more is read for
// the request while it is paused, so the pause reaches the peer: over
// HTTP/2 and SPDY/3.1 the stream's receive window is not reopened (no
// WINDOW_UPDATE for it), so the server stops sending once the window is
// full; over HTTP/1.1 cnet stops reading the connection (the TCP window
// closes). At most one buffer of body read already is held back. Both may
// be called any time after cnet_request_start (from on_response or on_data
// too); pausing a paused request or resuming a running one does nothing.
// Delivery resumes from the loop, never inside cnet_request_resume().
CNET_EXPORT void cnet_request_pause(cnet_request *r);
CNET_EXPORT void cnet_request_resume(cnet_request *r);

// After the upload callback returned CNET_UPLOAD_PENDING: data is there (or
// the body ended); cnet calls the upload callback again, from the loop
// (never inside this call). A call while no read waits (say, from inside
// the upload callback before it returns CNET_UPLOAD_PENDING, or before the
// body is read at all) is remembered: the next CNET_UPLOAD_PENDING is
// followed by another call at once. Does nothing for a request without an
// upload callback.
CNET_EXPORT void cnet_request_upload_resume(cnet_request *r);

// What served the request, for logs and tools (`fetch -v`); valid from
// on_response until on_complete returns (|url| also inside on_redirect: the
// URL that answered with the redirect). Strings are owned by the request.
typedef struct cnet_request_info {
  const char *url;          // the URL fetched (after redirects)
  const char *proxy_chain;  // "direct" or the proxy ("https://proxy:443")
  bool reused_connection;   // an idle connection (or live session) was reused
  int resends;              // times the request was resent on a new connection
  int redirects;            // redirects followed
  const char *tls_version;  // "TLSv1.3" ("" for plain HTTP)
  const char *tls_cipher;
  const char *alpn;  // negotiated with the origin ("" if none)
  bool tls_resumed;
} cnet_request_info;
CNET_EXPORT void cnet_request_get_info(const cnet_request *r, cnet_request_info *out);

// The final response's status line, e.g. "HTTP/1.1 302 Found". SPDY/3.1
// carries a version and a reason ("HTTP/1.1 200 OK"); HTTP/2 has neither,
// and its line is written as curl does: "HTTP/2 200". Valid from
// on_response until on_complete returns; owned by the request.
CNET_EXPORT const char *cnet_request_status_line(const cnet_request *r);

// The TLS of one connection; strings are "" when it has no TLS.
typedef struct cnet_tls_info {
  const char *version;  // "TLSv1.3"
  const char *cipher;   // "TLS_AES_128_GCM_SHA256"
  const char *alpn;     // the protocol negotiated ("h2"), "" if none
  bool resumed;         // an abbreviated handshake (a resumed TLS session)
} cnet_tls_info;

// At most this many hops of a proxy chain are reported (a longer chain is
// refused when the proxy string is parsed).
#define CNET_MAX_PROXY_HOPS 8

// One proxy of the chain under a request (cnet_request_layers.hops).
typedef struct cnet_proxy_hop {
  const char *proxy;     // "https://p1:443" (never credentials)
  bool reused;           // the connection (or session) to it existed before
  cnet_tls_info tls;     // an HTTPS proxy's TLS
  const char *protocol;  // what the connection to it speaks: "h2", "spdy/3.1", "http/1.1"
  bool session;          // that connection is a SPDY/HTTP2 session
  // A CONNECT tunnel through this proxy (to the next hop, or to the origin
  // from the last), and whether it existed before this request.
  bool tunnel;
  bool tunnel_reused;
} cnet_proxy_hop;

// What each layer under a request was and whether it existed before the
// request (reused) or was made for it — `fetch -v` prints one line per
// layer. "Reused" follows the layers: a reused connection to the origin
// reuses the tunnel and the proxy connection under it. Valid from
// on_response until on_complete returns; strings are owned by the request.
typedef struct cnet_request_layers {
  // The proxy the request went to (http://) or through (https://);
  // |has_proxy| false: DIRECT, and the proxy fields are empty.
  bool has_proxy;
  const char *proxy_chain;  // "https://proxy:443"
  // The TCP connection to the proxy — and its session, when it speaks
  // SPDY/HTTP2 — existed before this request.
  bool proxy_reused;
  cnet_tls_info proxy_tls;     // an HTTPS proxy's TLS
  const char *proxy_protocol;  // "h2", "spdy/3.1", "http/1.1"; "" if none
  bool proxy_session;          // the proxy connection is a SPDY/HTTP2 session
  // A CONNECT tunnel through the proxy (https:// through a proxy), and
  // whether it existed before this request.
  bool tunnel;
  bool tunnel_reused;
  // The origin's TLS (https://), and what the request itself went over:
  // "http/1.1", or "h2"/"spdy/3.1" as a stream of a session (for http://
  // through a proxy, the proxy's connection or session).
  cnet_tls_info origin_tls;
  const char *protocol;
  bool session;            // the request was a stream of a SPDY/HTTP2 session
  bool connection_reused;  // that connection or session existed before
  // Every hop of the proxy chain, the one connected to first; the proxy_*
  // and tunnel fields above repeat the last hop (the one the request went
  // to or through).
  size_t num_hops;
  cnet_proxy_hop hops[CNET_MAX_PROXY_HOPS];
} cnet_request_layers;
CNET_EXPORT void cnet_request_get_layers(const cnet_request *r, cnet_request_layers *out);

// Where a request's error came from — which hop of its route failed
// (cnet_request_get_error_source).
#define CNET_HOP_ORIGIN (-1)  // the origin (a direct connection's failures too)
#define CNET_HOP_NONE (-2)    // no peer: no error, or cnet's own (a bad URL,
                              // too many redirects, the upload callback)
typedef struct cnet_error_source {
  // A proxy's index in the chain (0: the one connected to, as in
  // cnet_request_layers.hops), CNET_HOP_ORIGIN or CNET_HOP_NONE.
  int hop;
  // For a proxy: its URL ("https://p:443", never credentials); else "".
  const char *proxy;
  // "origin", "proxy https://p:443", or "" for CNET_HOP_NONE — what
  // `fetch` prints after "from": "ERR_HTTP2_PROTOCOL_ERROR from proxy
  // https://p:443".
  const char *description;
} cnet_error_source;
// Fills |out| with the hop the request's error came from. Valid inside
// on_complete (strings owned by the request, valid during the callback);
// with error 0, or before on_complete, the hop is CNET_HOP_NONE. A request
// that fell back from a failed proxy to the next one and failed there
// reports the last failure.
CNET_EXPORT void cnet_request_get_error_source(const cnet_request *r, cnet_error_source *out);

// ---------------------------------------------------------------------------
// Load timing

// When each step of a request happened, like Chromium's LoadTimingInfo.
// Times are absolute monotonic microseconds (uv_hrtime() / 1000: the clock
// of the NetLog's "time_us"); 0 means the step did not happen for this
// request: a layer that existed before the request (a reused connection,
// tunnel or proxy connection) has no times, as in Chromium. A layer made
// for another request but finished after this one started (late binding)
// has its start clamped to |request_start|. Connect steps are those of the
// connection that carried the final exchange (after redirects); what each
// layer speaks is in cnet_request_get_layers.
typedef struct cnet_load_timing {
  uint64_t request_start;  // cnet_request_start
  uint64_t proxy_resolve_start, proxy_resolve_end;
  // The first hop's (the first proxy's, else the origin's) resolution and
  // TCP connect. Unlike Chromium's connect_end, connect_end is the TCP
  // connect's end: the TLS steps follow.
  uint64_t dns_start, dns_end;
  uint64_t connect_start, connect_end;
  // TLS to the first proxy (an HTTPS proxy), and to every proxy of the
  // chain in |hop_tls_*| (the first one repeats proxy_tls_*).
  uint64_t proxy_tls_start, proxy_tls_end;
  uint64_t hop_tls_start[CNET_MAX_PROXY_HOPS], hop_tls_end[CNET_MAX_PROXY_HOPS];
  // The CONNECT to the origin through the last proxy: from sending it to
  // the proxy's answer.
  uint64_t tunnel_start, tunnel_end;
  uint64_t origin_tls_start, origin_tls_end;
  // The request sent, and its response head read (over HTTP/1.1 and over a
  // SPDY/HTTP2 stream alike). receive_headers_start is when reading the head began, right after the
  // request was sent; receive_headers_end when the head was complete.
  uint64_t send_start, send_end;
  uint64_t receive_headers_start, receive_headers_end;
  uint64_t end;  // on_complete
  // The connection that carried the request existed before it (then every
  // connect step above is 0), and its lower layers: the tunnel, the
  // connection to the first proxy.
  bool socket_reused;
  bool tunnel_reused;
  bool proxy_reused;
} cnet_load_timing;

// Fills |out| with what is known so far: valid from on_response on (the
// connect and send steps) and complete in on_complete (|end|). Before a
// response only request_start and the proxy resolution are set.
CNET_EXPORT void cnet_request_get_load_timing(const cnet_request *r, cnet_load_timing *out);

// ---------------------------------------------------------------------------
// Certificate errors

// Which certificate failed a request, and why. A proxy's certificate error
// reaches on_complete as CNET_ERR_PROXY_CERTIFICATE_INVALID (so that the
// request may fall back to the next proxy); |error| here is the proxy's own
// CNET_ERR_CERT_*.
typedef struct cnet_cert_error {
  int error;         // CNET_ERR_CERT_* (e.g. CNET_ERR_CERT_AUTHORITY_INVALID)
  bool is_proxy;     // the failing hop: a proxy of the chain, or the origin
  int proxy_index;   // that proxy's place in the chain (0: the first); -1: origin
  const char *url;   // the hop: "https://host:port" (a proxy without credentials)
  // The leaf certificate's subject and issuer, one line each in RFC 2253
  // form ("CN=origin.test,O=cnet test"); "" if the certificate could not be
  // parsed.
  const char *subject;
  const char *issuer;
} cnet_cert_error;

// When the request failed on a certificate (on_complete's error is a
// CNET_ERR_CERT_* or CNET_ERR_PROXY_CERTIFICATE_INVALID), fills |out| and
// returns true; otherwise returns false and zeroes |out|. Call it from
// on_complete; strings are owned by the request.
CNET_EXPORT bool cnet_request_get_cert_error(const cnet_request *r, cnet_cert_error *out);

// ---------------------------------------------------------------------------
// Versions

// The versions of the libraries cnet runs with, each as the library itself
// reports it at run time (cnet_version() gives those it was built with).
// For `fetch --version` and bug reports. Static strings.
typedef struct cnet_library_versions {
  const char *boringssl;  // its revision (it is inside libcnet), "<rev> (Debian <version>)"
  const char *libuv;      // uv_version_string(), e.g. "1.44.2"
  const char *nghttp2;    // nghttp2_version(0)->version_str (its HPACK), e.g. "1.52.0"
  const char *zlib;       // zlibVersion(), e.g. "1.2.13"
} cnet_library_versions;
CNET_EXPORT void cnet_get_library_versions(cnet_library_versions *out);

// ---------------------------------------------------------------------------
// Errors

// Every error code, CNET_ERR_<NAME> (e.g. CNET_ERR_TIMED_OUT = -7,
// CNET_ERR_INVALID_HEADER = -360, CNET_ERR_CONNECTION_REFUSED = -102), from
// cnet's one error table, installed beside this header. Numbers never
// change; minor versions may add codes.
enum cnet_error {
  CNET_OK = 0,
#define CN_NET_ERROR(name, value, message) CNET_ERR_##name = (value),
#include "base/net_error_list.h"
#undef CN_NET_ERROR
};

CNET_EXPORT const char *cnet_error_name(int error);
CNET_EXPORT const char *cnet_error_message(int error);

#ifdef __cplusplus
}
#endif

#endif  // CNET_CNET_H_
