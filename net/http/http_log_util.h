// NetLog helpers for HTTP heads: the text logged for request and response
// heads, with credentials taken out. A NetLog may be written to disk or
// shown to people, so the values of Authorization, Proxy-Authorization,
// Cookie, Set-Cookie and Set-Cookie2 are replaced by
// "[N bytes were stripped]" (N the value's length, which helps debugging
// without revealing anything usable).
//
// Ownership: the returned strings are heap strings the caller frees.
#ifndef CNET_NET_HTTP_HTTP_LOG_UTIL_H_
#define CNET_NET_HTTP_HTTP_LOG_UTIL_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/http/http_headers.h"

#ifdef __cplusplus
extern "C" {
#endif

// True for the fields whose values are never logged.
bool cn_http_header_is_sensitive(const char *name, size_t name_len);

// Splits a serialised head ("line\r\nName: value\r\n...\r\n\r\n", |len|
// bytes; LF-only lines accepted) into its first line and its field lines
// joined with "\n", sensitive values redacted. Either out-pointer may be
// NULL.
void cn_http_head_for_log(const char *head, size_t len, char **first_line, char **fields);

// The fields of |h| as "Name: value" lines joined with "\n", redacted.
char *cn_http_headers_for_log(const cn_http_headers *h);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_LOG_UTIL_H_
