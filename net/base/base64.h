// Base64 (RFC 4648, standard alphabet, with padding): what HTTP Basic
// authentication needs.
#ifndef CNET_NET_BASE_BASE64_H_
#define CNET_NET_BASE_BASE64_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Encodes |len| bytes; returns a NUL-terminated heap string the caller frees.
char *cn_base64_encode(const void *data, size_t len);
// "Basic base64(user:password)" for a Proxy-Authorization or Authorization
// header; a heap string the caller frees.
char *cn_http_basic_credentials(const char *user, const char *password);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_BASE64_H_
