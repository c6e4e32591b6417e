#include "net/proxy_resolution/proxy_fallback.h"

#include "net/base/net_errors.h"

bool cn_proxy_error_allows_fallback(int err) {
  switch (err) {
    case CN_ERR_PROXY_CONNECTION_FAILED:
    case CN_ERR_NAME_NOT_RESOLVED:
    case CN_ERR_INTERNET_DISCONNECTED:
    case CN_ERR_ADDRESS_UNREACHABLE:
    case CN_ERR_CONNECTION_CLOSED:
    case CN_ERR_CONNECTION_RESET:
    case CN_ERR_CONNECTION_REFUSED:
    case CN_ERR_CONNECTION_ABORTED:
    case CN_ERR_CONNECTION_TIMED_OUT:
    // Chromium's list lacks CONNECTION_FAILED because its transport layer
    // reports specific errors; cnet's may report this generic one for the
    // same TCP-level failures.
    case CN_ERR_CONNECTION_FAILED:
    case CN_ERR_TIMED_OUT:
    case CN_ERR_PROXY_CERTIFICATE_INVALID:
    case CN_ERR_SSL_PROTOCOL_ERROR:
    // Chromium renames every failed TLS handshake with a proxy
    // PROXY_CONNECTION_FAILED, which falls back; cnet shows the handshake's
    // own error, so those errors are on the list themselves (a TLS version
    // or cipher mismatch, a handshake cut short).
    case CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH:
    case CN_ERR_SSL_HANDSHAKE_NOT_COMPLETED:
    case CN_ERR_SOCKS_CONNECTION_FAILED:
    case CN_ERR_SOCKS_MALFORMED_REPLY:
      return true;
    default:
      return false;
  }
}

bool cn_proxy_hop_failure_allows_fallback(int err, int hop) {
  return hop >= 0 && cn_proxy_error_allows_fallback(err);
}
