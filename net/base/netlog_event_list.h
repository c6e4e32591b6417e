// The NetLog event types: CN_NETLOG_EVENT(symbol, counter).
// |counter| names the cn_netlog_counters field the event adds one to (or
// NONE). A BEGIN/END event counts once, at its END, and only when the END
// carries no negative "net_error"; a point event (phase NONE) counts when
// logged. Later layers add their events here; the list is the schema
// documented in docs/netlog.md.
// No include guard: included more than once on purpose.

// Requests (the public API and fetch).
CN_NETLOG_EVENT(REQUEST_ALIVE, requests)
// Host resolution: params host, port; END: addresses or net_error.
CN_NETLOG_EVENT(HOST_RESOLVER_JOB, NONE)
CN_NETLOG_EVENT(HOST_RESOLVER_CACHE_HIT, NONE)
CN_NETLOG_EVENT(HOST_RESOLVER_RULE_APPLIED, NONE)
// On the caller's source, around one resolve: BEGIN host, port; END
// addresses or net_error. JOB_ATTACH (source_dependency = the job) when the
// request waits on a shared lookup job.
CN_NETLOG_EVENT(HOST_RESOLVER_REQUEST, NONE)
CN_NETLOG_EVENT(HOST_RESOLVER_JOB_ATTACH, NONE)
// TCP: the whole connect (all addresses), and each attempt.
CN_NETLOG_EVENT(TCP_CONNECT, tcp_connects)
CN_NETLOG_EVENT(TCP_CONNECT_ATTEMPT, NONE)
CN_NETLOG_EVENT(TCP_ACCEPT, NONE)
// Socket lifetime and traffic (point events with byte counts).
CN_NETLOG_EVENT(SOCKET_ALIVE, NONE)
CN_NETLOG_EVENT(SOCKET_BYTES_SENT, NONE)
CN_NETLOG_EVENT(SOCKET_BYTES_RECEIVED, NONE)
CN_NETLOG_EVENT(SOCKET_CLOSED, NONE)
// TLS handshake: params host (SNI), role; END: version, cipher, alpn,
// resumed, or net_error.
CN_NETLOG_EVENT(SSL_CONNECT, tls_handshakes)
CN_NETLOG_EVENT(SSL_CERT_VERIFY_FAILED, NONE)
// Later layers: tunnels, sessions and streams.
CN_NETLOG_EVENT(HTTP_TUNNEL_CONNECT, tunnels)
CN_NETLOG_EVENT(SESSION_ALIVE, sessions)
CN_NETLOG_EVENT(STREAM_ALIVE, streams)
