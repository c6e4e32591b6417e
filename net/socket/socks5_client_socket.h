// A SOCKS5 client (RFC 1928, with RFC 1929 username/password) as a stream
// socket: it takes a transport socket already connected to the SOCKS proxy,
// and its connect() runs the handshake that makes the proxy connect to the
// target. After that, reads and writes pass straight through to the
// transport: the socket is a tunnel to the target, like an HTTP CONNECT
// tunnel, and TLS to an origin runs over it unchanged.
//
// The handshake, as a state loop (each step may complete synchronously or
// not, and partial writes and split reads are handled):
//   greeting  -> VER 5, the methods offered: 0 (no authentication), and 2
//                (username/password) when credentials are given
//   <- method    VER 5, the method chosen; 0xFF: none acceptable
//   auth      -> VER 1, user name, password (only when method 2 was chosen)
//   <- status    VER 1, 0 = accepted
//   CONNECT   -> VER 5, CMD 1, RSV 0, the target: an IPv4 (ATYP 1) or IPv6
//                (ATYP 4) address when |address| is given or the target's
//                host is an IP literal, else the name (ATYP 3: the proxy
//                resolves it), then the port
//   <- reply     VER 5, REP, RSV, a bound address of any ATYP, port
// Errors, each naming what went wrong (net/base/net_error_list.h):
//   REP 1 general failure                    CN_ERR_SOCKS_CONNECTION_FAILED
//   REP 2 connection not allowed by ruleset  CN_ERR_SOCKS_CONNECTION_NOT_ALLOWED
//   REP 3 network unreachable                CN_ERR_SOCKS_NETWORK_UNREACHABLE
//   REP 4 host unreachable                   CN_ERR_SOCKS_CONNECTION_HOST_UNREACHABLE
//   REP 5 connection refused                 CN_ERR_SOCKS_CONNECTION_REFUSED
//   REP 6 TTL expired                        CN_ERR_SOCKS_TTL_EXPIRED
//   REP 7 command not supported              CN_ERR_SOCKS_COMMAND_NOT_SUPPORTED
//   REP 8 address type not supported         CN_ERR_SOCKS_ADDRESS_TYPE_NOT_SUPPORTED
//   REP 9..255 (unassigned)                  CN_ERR_SOCKS_CONNECTION_FAILED
//   method 0xFF                              CN_ERR_SOCKS_NO_ACCEPTABLE_METHOD
//   auth status not 0                        CN_ERR_SOCKS_AUTH_FAILED
//   a wrong version, a method not offered, an unknown ATYP, an empty name in
//   the reply, bytes after the method or auth answer (the proxy cannot have
//   answered a request not sent yet)         CN_ERR_SOCKS_MALFORMED_REPLY
//   end of stream before a complete answer   CN_ERR_CONNECTION_CLOSED
//   a transport error                        that error
//   a target name or credential longer than 255 bytes (the wire's length
//   byte), checked before anything is sent  CN_ERR_INVALID_ARGUMENT
// A failed reply is reported as soon as its first two bytes are in: a proxy
// that closes right after a short failure reply still gets its reply named.
// Limits: each answer is at most 262 bytes (a 255-byte name), read through a
// fixed 512-byte buffer; no message is ever larger than 513 bytes.
//
// Bytes that arrive in the same read just after the CONNECT reply (a target
// that speaks first) are kept and handed to the first read(s).
//
// NetLog (on this socket's source): SOCKS5_CONNECT BEGIN target, resolve
// ("local" when an address is sent for a name, else "proxy"), auth; END
// method, reply, atyp, or net_error. Its END feeds the "tunnels" counter.
//
// Queries (stream_socket.h): its layer is CN_SOCKET_LAYER_SOCKS_TUNNEL, its
// lower socket the transport; shutdown passes to the transport once the
// tunnel is up.
//
// Ownership: the socket takes |transport| (destroyed with it) and copies
// everything in the params. A socket whose handshake failed reports not
// connected and is not reused.
#ifndef CNET_NET_SOCKET_SOCKS5_CLIENT_SOCKET_H_
#define CNET_NET_SOCKET_SOCKS5_CLIENT_SOCKET_H_

#include "net/base/host_port.h"
#include "net/base/ip_endpoint.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_socks5_client_socket_params {
  const cn_host_port *target;      // required
  // The target's address resolved by the client (socks5://), sent instead of
  // its name; NULL to send the host as it is (socks5h://). Its port is
  // ignored: |target|'s is sent.
  const cn_ip_endpoint *address;
  const char *username;  // NULL: offer only "no authentication required"
  const char *password;  // with |username|; NULL counts as ""
} cn_socks5_client_socket_params;

// A SOCKS5 socket over |transport| (connected, taken). Call connect() once
// to run the handshake.
cn_stream_socket *cn_socks5_client_socket_new(cn_stream_socket *transport,
                                              const cn_socks5_client_socket_params *params,
                                              cn_netlog *netlog);

// The error for SOCKS5 reply code |rep| (1..255); CN_OK for 0.
int cn_socks5_reply_to_error(unsigned rep);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SOCKS5_CLIENT_SOCKET_H_
