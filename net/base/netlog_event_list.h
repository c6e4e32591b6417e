// The NetLog event types: CN_NETLOG_EVENT(symbol, counter).
// |counter| names the cn_netlog_counters field the event adds one to (or
// NONE). A BEGIN/END event counts once, at its END, and only when the END
// carries no negative "net_error"; a point event (phase NONE) counts when
// logged. Later layers add their events here; the list is the schema
// documented in docs/netlog.md.
// No include guard: included more than once on purpose.

// Requests (the public API and fetch).
CN_NETLOG_EVENT(REQUEST_ALIVE, requests)
// A request's phase took longer than its timeout (params phase, timeout_ms,
// server: the proxy or origin the phase waited on, proxy_chain, net_error).
CN_NETLOG_EVENT(REQUEST_TIMED_OUT, NONE)
// Host resolution: params host, port; END: addresses or net_error.
CN_NETLOG_EVENT(HOST_RESOLVER_JOB, NONE)
CN_NETLOG_EVENT(HOST_RESOLVER_CACHE_HIT, NONE)
CN_NETLOG_EVENT(HOST_RESOLVER_RULE_APPLIED, NONE)
// A name answered from the hosts file (params host, addresses).
CN_NETLOG_EVENT(HOST_RESOLVER_HOSTS_FILE_HIT, NONE)
// On the caller's source, around one resolve: BEGIN host, port; END
// addresses or net_error. JOB_ATTACH (source_dependency = the job) when the
// request waits on a shared lookup job.
CN_NETLOG_EVENT(HOST_RESOLVER_REQUEST, NONE)
CN_NETLOG_EVENT(HOST_RESOLVER_JOB_ATTACH, NONE)
// The application said the network changed (cnet_context_network_changed),
// on a source of its own: idle_sockets_closed, sessions_going_away,
// host_cache_cleared (entries dropped).
CN_NETLOG_EVENT(NETWORK_CHANGED, NONE)
// TCP: the whole connect (all addresses), and each attempt.
CN_NETLOG_EVENT(TCP_CONNECT, tcp_connects)
CN_NETLOG_EVENT(TCP_CONNECT_ATTEMPT, NONE)
CN_NETLOG_EVENT(TCP_ACCEPT, NONE)
// Happy eyeballs (net/socket/happy_eyeballs.h), on the connect job's
// source: an attempt started (attempt, address, backup, socket) or ended
// (attempt, address, net_error or result won/lost/cancelled).
CN_NETLOG_EVENT(TRANSPORT_CONNECT_ATTEMPT, NONE)
// Socket lifetime and traffic (point events with byte counts).
CN_NETLOG_EVENT(SOCKET_ALIVE, NONE)
CN_NETLOG_EVENT(SOCKET_BYTES_SENT, NONE)
CN_NETLOG_EVENT(SOCKET_BYTES_RECEIVED, NONE)
CN_NETLOG_EVENT(SOCKET_CLOSED, NONE)
// TLS handshake: params host (SNI), role; END: version, cipher, alpn,
// resumed, or net_error.
CN_NETLOG_EVENT(SSL_CONNECT, tls_handshakes)
CN_NETLOG_EVENT(SSL_CERT_VERIFY_FAILED, NONE)
// A TLS connect job failed on a certificate (net/socket/ssl_connect_job.c),
// on the job's source: net_error (the CERT_* error, before a proxy's is
// reported as PROXY_CERTIFICATE_INVALID), hop ("origin" or "proxy"),
// server (host:port), subject and issuer of the leaf. The API's
// cnet_request_get_cert_error reads it.
CN_NETLOG_EVENT(SSL_CERT_ERROR, NONE)
// Later layers: tunnels, sessions and streams.
CN_NETLOG_EVENT(HTTP_TUNNEL_CONNECT, tunnels)
// A SOCKS5 handshake (net/socket/socks5_client_socket.h), on the SOCKS
// socket's source: BEGIN target, resolve ("local" or "proxy"), auth (whether
// credentials are offered); END method (the proxy's choice), atyp, reply
// (the proxy's reply code) and on failure net_error. A tunnel like
// HTTP_TUNNEL_CONNECT, so it feeds the same counter.
CN_NETLOG_EVENT(SOCKS5_CONNECT, tunnels)
CN_NETLOG_EVENT(SESSION_ALIVE, sessions)
CN_NETLOG_EVENT(STREAM_ALIVE, streams)
// HTTP/1.1 exchange (net/http/http_basic_stream.h), on the owning request's
// source. SEND_REQUEST BEGIN/END (END: body_bytes or net_error);
// SEND_REQUEST_HEADERS: line, headers (credential values redacted).
// READ_HEADERS BEGIN/END (END: status or net_error);
// READ_RESPONSE_HEADERS: line, headers (Set-Cookie redacted).
// READ_BODY: once, when the body ends or the stream goes: bytes (as
// framed on the wire, without chunk framing), decoded_bytes, complete,
// net_error.
CN_NETLOG_EVENT(HTTP_TRANSACTION_SEND_REQUEST, NONE)
CN_NETLOG_EVENT(HTTP_TRANSACTION_SEND_REQUEST_HEADERS, NONE)
CN_NETLOG_EVENT(HTTP_TRANSACTION_READ_HEADERS, NONE)
CN_NETLOG_EVENT(HTTP_TRANSACTION_READ_RESPONSE_HEADERS, NONE)
CN_NETLOG_EVENT(HTTP_TRANSACTION_READ_BODY, NONE)
// Authentication (net/http/http_auth_controller.h), on the request's or
// the CONNECT job's source. AUTH_CHALLENGE: a 401/407 offered schemes:
// target ("origin"/"proxy"), server, challenges (the challenge fields as
// received). AUTH_SCHEME_CHOSEN: scheme, realm. AUTH_CREDENTIALS_SENT:
// scheme, realm, identity ("up_front", "cache", "application"),
// preemptive, nc (Digest's nonce count) — never a password.
CN_NETLOG_EVENT(AUTH_CHALLENGE, NONE)
CN_NETLOG_EVENT(AUTH_SCHEME_CHOSEN, NONE)
CN_NETLOG_EVENT(AUTH_CREDENTIALS_SENT, NONE)
// Proxy resolution (net/proxy_resolution), on the request's source.
// PROXY_RESOLUTION: BEGIN url; END proxy_list (chain keys, bad chains last),
// bypassed, deprioritized, or net_error. PROXY_FALLBACK: chain, net_error,
// next. PROXY_MARKED_BAD: chain, net_error, retry_ms.
CN_NETLOG_EVENT(PROXY_RESOLUTION, NONE)
CN_NETLOG_EVENT(PROXY_FALLBACK, NONE)
CN_NETLOG_EVENT(PROXY_MARKED_BAD, NONE)
// PAC (net/proxy_resolution/pac_resolver.c), on the resolver's PAC_RESOLVER
// source. PAC_FILE_FETCH: BEGIN url; END bytes or net_error, message.
// PAC_JAVASCRIPT_ALERT: message. PAC_JAVASCRIPT_ERROR: message, net_error,
// fallback ("direct", or "none" for a mandatory PAC). PAC_DNS_RERUN: run,
// lookups (the names the script waits for). PAC_RESULT: result, skipped.
CN_NETLOG_EVENT(PAC_FILE_FETCH, NONE)
CN_NETLOG_EVENT(PAC_JAVASCRIPT_ALERT, NONE)
CN_NETLOG_EVENT(PAC_JAVASCRIPT_ERROR, NONE)
CN_NETLOG_EVENT(PAC_DNS_RERUN, NONE)
CN_NETLOG_EVENT(PAC_RESULT, NONE)
// Socket pools: a connect job's life (params kind, group_id; END net_error),
// and a request bound to a socket (params group_id, reuse).
CN_NETLOG_EVENT(CONNECT_JOB, NONE)
CN_NETLOG_EVENT(SOCKET_POOL_BOUND, NONE)
// A connect job names the socket it is connecting (param: socket source).
CN_NETLOG_EVENT(CONNECT_JOB_SET_SOCKET, NONE)
// A connect job's layer took longer than its pool's timeout (params pool,
// phase "tcp_connect" / "tls_handshake" / "tunnel", group_id, timeout_ms);
// the job then ends with ERR_TIMED_OUT and its requests get
// ERR_CONNECTION_TIMED_OUT.
CN_NETLOG_EVENT(CONNECT_JOB_TIMED_OUT, NONE)
// A connect job to a proxy failed with this error, reported upward as
// ERR_PROXY_CONNECTION_FAILED (the TCP connect, or resolving the proxy's
// name) or ERR_PROXY_CERTIFICATE_INVALID (its certificate). Every other
// failure of a proxy goes up as it is.
CN_NETLOG_EVENT(PROXY_CONNECT_ERROR, NONE)
// SPDY/3.1 and HTTP/2 sessions (net/spdy/spdy_session.h), on the SESSION
// source. SESSION_ALIVE BEGIN: protocol, role, socket; END: close_error
// (the error that closed it, as a parameter of its own rather than
// net_error, so every session counts once whatever ended it). Frames sent
// and received: HEADERS (frame = SYN_STREAM, SYN_REPLY, HEADERS; stream_id,
// fin, method, path, authority, status, headers), DATA (stream_id, bytes,
// frames, fin: aggregated per stream over one read chunk or one write),
// RST_STREAM (stream_id, code, error), SETTINGS (settings, ack), PING (id,
// ack), GOAWAY (last_stream_id, code, error), WINDOW_UPDATE (stream_id,
// delta). STREAM_QUEUED: a stream waits for a slot (priority, queued).
// ERROR: a connection error (net_error, detail).
CN_NETLOG_EVENT(SPDY_SESSION_SEND_HEADERS, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_RECV_HEADERS, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_SEND_DATA, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_RECV_DATA, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_SEND_RST_STREAM, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_RECV_RST_STREAM, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_SEND_SETTINGS, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_RECV_SETTINGS, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_SEND_PING, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_RECV_PING, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_SEND_GOAWAY, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_RECV_GOAWAY, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_SEND_WINDOW_UPDATE, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_RECV_WINDOW_UPDATE, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_STREAM_QUEUED, NONE)
CN_NETLOG_EVENT(SPDY_SESSION_ERROR, NONE)
// A SPDY/HTTP2 stream (net/spdy/spdy_stream.h), on the STREAM source:
// STREAM_ALIVE BEGIN: stream_id, session, priority, local, owner (when its
// id is taken, or when the peer opens it); END: net_error when the network
// ended it with an error, cancelled when its owner did.
