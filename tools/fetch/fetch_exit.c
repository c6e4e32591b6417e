#include "tools/fetch/fetch_exit.h"

#include <stddef.h>
#include <string.h>

// Every ERR_* of net/base/net_error_list.h that a transfer can end with.
// A note says where curl has no code of its own and the closest was taken.
// The same table is in docs/fetch.md; FetchExitTest checks that every name
// there is in net_error_list.h.
static const fetch_exit_row kTable[] = {
    // 1 CURLE_UNSUPPORTED_PROTOCOL
    {"ERR_UNKNOWN_URL_SCHEME", 1, ""},
    {"ERR_DISALLOWED_URL_SCHEME", 1, ""},
    // 3 CURLE_URL_MALFORMAT
    {"ERR_INVALID_URL", 3, ""},
    // 6 CURLE_COULDNT_RESOLVE_HOST (a proxy's name: 5, see fetch_main.c)
    {"ERR_NAME_NOT_RESOLVED", 6, ""},
    {"ERR_NAME_RESOLUTION_FAILED", 6, ""},
    {"ERR_DNS_MALFORMED_RESPONSE", 6, ""},
    {"ERR_DNS_SERVER_FAILED", 6, ""},
    {"ERR_DNS_CACHE_MISS", 6, ""},
    {"ERR_HOST_RESOLVER_QUEUE_TOO_LARGE", 6, "curl has no code for a full resolver queue"},
    // 7 CURLE_COULDNT_CONNECT
    {"ERR_CONNECTION_REFUSED", 7, ""},
    {"ERR_CONNECTION_FAILED", 7, ""},
    {"ERR_ADDRESS_UNREACHABLE", 7, ""},
    {"ERR_ADDRESS_INVALID", 7, ""},
    {"ERR_INTERNET_DISCONNECTED", 7, ""},
    {"ERR_NETWORK_ACCESS_DENIED", 7, ""},
    {"ERR_PROXY_CONNECTION_FAILED", 7, "curl: 7 when the proxy refuses; 5 when its name is not resolved"},
    {"ERR_UNSAFE_PORT", 7, "curl has no restricted ports; the connection is not made"},
    {"ERR_PRECONNECT_MAX_SOCKET_LIMIT", 7, "curl has no socket limit"},
    {"ERR_SOCKET_NOT_CONNECTED", 7, ""},
    // 8 CURLE_WEIRD_SERVER_REPLY
    {"ERR_INVALID_RESPONSE", 8, ""},
    {"ERR_RESPONSE_HEADERS_TOO_BIG", 8, "curl: 100 (CURLE_TOO_LARGE) in 8.x; 8 in 7.x"},
    {"ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH", 8, ""},
    {"ERR_UNEXPECTED_PROXY_AUTH", 8, ""},
    {"ERR_METHOD_NOT_SUPPORTED", 8, ""},
    // 16 CURLE_HTTP2
    {"ERR_HTTP2_PROTOCOL_ERROR", 16, "SPDY/3.1 errors too (curl has no SPDY)"},
    {"ERR_HTTP2_FLOW_CONTROL_ERROR", 16, ""},
    {"ERR_HTTP2_FRAME_SIZE_ERROR", 16, ""},
    {"ERR_HTTP2_COMPRESSION_ERROR", 16, ""},
    {"ERR_HTTP2_PING_FAILED", 16, ""},
    {"ERR_HTTP2_GOING_AWAY", 16, ""},
    {"ERR_HTTP_1_1_REQUIRED", 16, ""},
    // 92 CURLE_HTTP2_STREAM
    {"ERR_HTTP2_STREAM_CLOSED", 92, ""},
    {"ERR_HTTP2_SERVER_REFUSED_STREAM", 92, ""},
    // 18 CURLE_PARTIAL_FILE
    {"ERR_CONTENT_LENGTH_MISMATCH", 18, ""},
    {"ERR_INCOMPLETE_CHUNKED_ENCODING", 18, ""},
    // 23 CURLE_WRITE_ERROR
    {"ERR_FILE_NO_SPACE", 23, ""},
    {"ERR_FILE_EXISTS", 23, ""},
    {"ERR_FILE_PATH_TOO_LONG", 23, ""},
    {"ERR_ACCESS_DENIED", 23, ""},
    // 26 CURLE_READ_ERROR
    {"ERR_FILE_NOT_FOUND", 26, "an upload's file"},
    {"ERR_UPLOAD_FILE_CHANGED", 26, ""},
    {"ERR_FILE_TOO_BIG", 26, ""},
    // 27 CURLE_OUT_OF_MEMORY
    {"ERR_OUT_OF_MEMORY", 27, ""},
    {"ERR_INSUFFICIENT_RESOURCES", 27, ""},
    // 28 CURLE_OPERATION_TIMEDOUT
    {"ERR_TIMED_OUT", 28, ""},
    {"ERR_CONNECTION_TIMED_OUT", 28, ""},
    {"ERR_DNS_TIMED_OUT", 28, ""},
    // 35 CURLE_SSL_CONNECT_ERROR
    {"ERR_SSL_PROTOCOL_ERROR", 35, ""},
    {"ERR_SSL_VERSION_OR_CIPHER_MISMATCH", 35, ""},
    {"ERR_SSL_HANDSHAKE_NOT_COMPLETED", 35, ""},
    {"ERR_SSL_DECOMPRESSION_FAILURE_ALERT", 35, ""},
    {"ERR_SSL_BAD_RECORD_MAC_ALERT", 35, ""},
    {"ERR_SSL_UNRECOGNIZED_NAME_ALERT", 35, ""},
    {"ERR_SSL_RENEGOTIATION_REQUESTED", 35, ""},
    {"ERR_SSL_CLIENT_AUTH_CERT_NEEDED", 35, ""},
    {"ERR_BAD_SSL_CLIENT_AUTH_CERT", 35, "curl: 58 for a local certificate problem"},
    {"ERR_SSL_BAD_PEER_PUBLIC_KEY", 35, ""},
    {"ERR_SSL_SERVER_CERT_CHANGED", 35, ""},
    {"ERR_NO_SSL_VERSIONS_ENABLED", 35, ""},
    {"ERR_ALPN_NEGOTIATION_FAILED", 35, ""},
    {"ERR_NPN_NEGOTIATION_FAILED", 35, "curl has no NPN"},
    // 47 CURLE_TOO_MANY_REDIRECTS
    {"ERR_TOO_MANY_REDIRECTS", 47, ""},
    {"ERR_UNSAFE_REDIRECT", 1, "curl: 1 (unsupported protocol) for a redirect to another scheme"},
    // 52 CURLE_GOT_NOTHING
    {"ERR_EMPTY_RESPONSE", 52, ""},
    // 56 CURLE_RECV_ERROR
    {"ERR_CONNECTION_RESET", 56, ""},
    {"ERR_CONNECTION_CLOSED", 56, ""},
    {"ERR_CONNECTION_ABORTED", 56, ""},
    {"ERR_RESPONSE_HEADERS_TRUNCATED", 56, ""},
    {"ERR_INVALID_CHUNKED_ENCODING", 56, ""},
    // 60 CURLE_PEER_FAILED_VERIFICATION
    {"ERR_CERT_COMMON_NAME_INVALID", 60, ""},
    {"ERR_CERT_DATE_INVALID", 60, ""},
    {"ERR_CERT_AUTHORITY_INVALID", 60, ""},
    {"ERR_CERT_CONTAINS_ERRORS", 60, ""},
    {"ERR_CERT_NO_REVOCATION_MECHANISM", 60, ""},
    {"ERR_CERT_UNABLE_TO_CHECK_REVOCATION", 60, ""},
    {"ERR_CERT_REVOKED", 60, ""},
    {"ERR_CERT_INVALID", 60, ""},
    {"ERR_CERT_WEAK_SIGNATURE_ALGORITHM", 60, ""},
    {"ERR_CERT_NON_UNIQUE_NAME", 60, ""},
    {"ERR_CERT_WEAK_KEY", 60, ""},
    {"ERR_CERT_NAME_CONSTRAINT_VIOLATION", 60, ""},
    {"ERR_CERT_VALIDITY_TOO_LONG", 60, ""},
    {"ERR_PROXY_CERTIFICATE_INVALID", 60, "the proxy's certificate, as curl"},
    // 61 CURLE_BAD_CONTENT_ENCODING
    {"ERR_CONTENT_DECODING_FAILED", 61, ""},
    // 97 CURLE_PROXY: the proxy handshake
    {"ERR_TUNNEL_CONNECTION_FAILED", 97, "curl 7.x/8.x: 56 for a CONNECT answered with an error status"},
    {"ERR_PROXY_AUTH_REQUESTED", 97, "curl 7.x/8.x: 56 for a CONNECT answered 407"},
    {"ERR_PROXY_AUTH_UNSUPPORTED", 97, ""},
    {"ERR_HTTPS_PROXY_TUNNEL_RESPONSE_REDIRECT", 97, "curl: 56; cnet no longer gives it (a redirect to CONNECT is ERR_TUNNEL_CONNECTION_FAILED)"},
    {"ERR_PROXY_HTTP_1_1_REQUIRED", 97, ""},
    {"ERR_MANDATORY_PROXY_CONFIGURATION_FAILED", 97, "curl: 5"},
    // PAC (docs/pac.md): a request does not end with these (the PAC falls
    // back to DIRECT, or fails as ERR_MANDATORY_PROXY_CONFIGURATION_FAILED)
    {"ERR_PAC_STATUS_NOT_OK", 97, "curl has no PAC"},
    {"ERR_PAC_SCRIPT_FAILED", 97, "curl has no PAC"},
    {"ERR_PAC_SCRIPT_TERMINATED", 97, "curl has no PAC"},
    // SOCKS5: curl's 97 too (it details the SOCKS reply elsewhere)
    {"ERR_SOCKS_CONNECTION_FAILED", 97, ""},
    {"ERR_SOCKS_CONNECTION_HOST_UNREACHABLE", 97, ""},
    {"ERR_SOCKS_CONNECTION_NOT_ALLOWED", 97, ""},
    {"ERR_SOCKS_NETWORK_UNREACHABLE", 97, ""},
    {"ERR_SOCKS_CONNECTION_REFUSED", 97, ""},
    {"ERR_SOCKS_TTL_EXPIRED", 97, ""},
    {"ERR_SOCKS_COMMAND_NOT_SUPPORTED", 97, ""},
    {"ERR_SOCKS_ADDRESS_TYPE_NOT_SUPPORTED", 97, ""},
    {"ERR_SOCKS_AUTH_FAILED", 97, ""},
    {"ERR_SOCKS_NO_ACCEPTABLE_METHOD", 97, ""},
    {"ERR_SOCKS_MALFORMED_REPLY", 97, ""},
    // 67 CURLE_LOGIN_DENIED
    {"ERR_INVALID_AUTH_CREDENTIALS", 67, ""},
    // 42 CURLE_ABORTED_BY_CALLBACK
    {"ERR_ABORTED", 42, "cancelled"},
    {"ERR_CONTEXT_SHUT_DOWN", 42, "cancelled"},
    {"ERR_BLOCKED_BY_CLIENT", 42, ""},
    // 2 bad usage (curl: CURLE_FAILED_INIT, also what curl exits with for bad usage)
    {"ERR_INVALID_HEADER", 2, "fetch refuses a bad -H before sending"},
    {"ERR_INVALID_ARGUMENT", 2, ""},
    // 43 CURLE_BAD_FUNCTION_ARGUMENT and 56 for the generic ones
    {"ERR_INVALID_HANDLE", 43, "an internal error: curl has none"},
    {"ERR_NOT_IMPLEMENTED", 4, "CURLE_NOT_BUILT_IN"},
    {"ERR_FAILED", 56, "a generic failure: curl has none, 56 (receive error) is the closest"},
    {"ERR_UNEXPECTED", 56, "a generic failure: curl has none, 56 (receive error) is the closest"},
    {"ERR_SOCKET_IS_CONNECTED", 56, "an internal error: curl has none"},
};

#define TABLE_SIZE (sizeof(kTable) / sizeof(kTable[0]))

int fetch_exit_code_for_error(const char *error_name) {
  for (size_t i = 0; i < TABLE_SIZE; i++)
    if (strcmp(kTable[i].error_name, error_name) == 0)
      return kTable[i].code;
  return 56;
}

int fetch_exit_code_for_proxy_error(const char *error_name) {
  int code = fetch_exit_code_for_error(error_name);
  switch (code) {
    case 8:   // CURLE_WEIRD_SERVER_REPLY
    case 16:  // CURLE_HTTP2
    case 52:  // CURLE_GOT_NOTHING
    case 92:  // CURLE_HTTP2_STREAM
      return 56;  // CURLE_RECV_ERROR: the CONNECT exchange broke
    default:
      return code;
  }
}

const fetch_exit_row *fetch_exit_table_row(int i) {
  return i >= 0 && (size_t)i < TABLE_SIZE ? &kTable[i] : NULL;
}
