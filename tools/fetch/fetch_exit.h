// fetch's exit codes: curl's, for the same situations (docs/fetch.md has
// the table). cnet's errors are known to fetch by name (cnet_error_name),
// as the public API gives them.
#ifndef CNET_TOOLS_FETCH_FETCH_EXIT_H_
#define CNET_TOOLS_FETCH_FETCH_EXIT_H_

#ifdef __cplusplus
extern "C" {
#endif

// curl's codes that fetch uses outside the table.
#define FETCH_EXIT_OK 0
#define FETCH_EXIT_USAGE 2               // bad usage (curl: CURLE_FAILED_INIT)
#define FETCH_EXIT_COULDNT_RESOLVE_PROXY 5
#define FETCH_EXIT_HTTP_RETURNED_ERROR 22  // -f and a status >= 400
#define FETCH_EXIT_WRITE_ERROR 23
#define FETCH_EXIT_READ_ERROR 26          // a -d @FILE, -F @FILE or -T FILE unreadable
#define FETCH_EXIT_OPERATION_TIMEDOUT 28
#define FETCH_EXIT_SSL_CONNECT_ERROR 35   // also a connection lost in the handshake
#define FETCH_EXIT_SSL_CACERT_BADFILE 77

// The exit code for the cnet error named |error_name| ("ERR_NAME_NOT_RESOLVED"
// -> 6). An unknown name gives 56 (CURLE_RECV_ERROR, the closest to "the
// transfer failed").
int fetch_exit_code_for_error(const char *error_name);

// The exit code for the same error coming from a proxy while the tunnel
// through it was set up (the error's hop a proxy, cnet_request_get_error_source,
// for an https:// URL): curl reports a broken CONNECT exchange — a reset, a
// close, a garbage, oversized or empty answer, an HTTP/2 error of the
// proxy's session — as CURLE_RECV_ERROR (56), so the codes a server's reply
// would get (8, 16, 52, 92) become 56; the TLS handshake with the proxy
// stays 35, its certificate 60, a refused CONNECT and SOCKS 97, a failed
// connect 7 (5: the proxy's name not resolved).
int fetch_exit_code_for_proxy_error(const char *error_name);

// For tests and docs: the |i|-th row of the table (NULL past the end).
typedef struct fetch_exit_row {
  const char *error_name;
  int code;
  const char *note;  // why, when curl has no code of its own ("" else)
} fetch_exit_row;
const fetch_exit_row *fetch_exit_table_row(int i);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_EXIT_H_
