// What an HTTP/1.1 request is made of, and its serialisation to the wire
// (RFC 9112 §3): the request line, the header fields and the blank line.
// The body itself is streamed by cn_http_basic_stream from the upload.
//
// The request-target form follows the destination:
//   - origin-form "GET /path?q HTTP/1.1" to an origin and through a tunnel;
//   - absolute-form "GET http://host:port/path?q HTTP/1.1" when
//     |use_absolute_form| is set (an http:// URL sent to a proxy);
//   - authority-form "CONNECT host:port HTTP/1.1" for the CONNECT method
//     (the port always present, IPv6 in brackets).
// The fragment and userinfo of the URL are never sent.
//
// Fields, in this order:
//   Host            the URL's authority, the port only when not the scheme's
//                   default ("[::1]:8080"); a Host in |extra_headers|
//                   replaces it (still first)
//   User-Agent      |user_agent|, unless |extra_headers| has one
//   Accept-Encoding "gzip, deflate" when |accept_encoding|, unless
//                   |extra_headers| has one
//   |extra_headers| in their order
//   Content-Length  the upload's size; "0" for POST/PUT/PATCH without body
//   Transfer-Encoding: chunked   for an upload of unknown size
// Framing is cnet's job: Content-Length or Transfer-Encoding in
// |extra_headers| is refused (CN_ERR_INVALID_ARGUMENT), since a wrong one
// would desynchronise the connection.
//
// Ownership: a cn_http_request_info only borrows what it points to; the
// caller keeps the URL, headers and upload alive until the request has been
// sent (or its stream destroyed).
#ifndef CNET_NET_HTTP_HTTP_REQUEST_INFO_H_
#define CNET_NET_HTTP_HTTP_REQUEST_INFO_H_

#include <stdbool.h>

#include "base/bytebuf.h"
#include "net/base/url.h"
#include "net/http/http_headers.h"
#include "net/http/http_upload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_http_request_info {
  const char *method;                    // required; a token: "GET", "POST", "CONNECT"…
  const cn_url *url;                     // required
  const cn_http_headers *extra_headers;  // may be NULL
  const char *user_agent;                // may be NULL (no User-Agent)
  bool use_absolute_form;                // http:// URL sent to a proxy
  bool accept_encoding;                  // offer gzip/deflate and decode the response body
  cn_http_upload *upload;                // the body; may be NULL
} cn_http_request_info;

// The Accept-Encoding value sent when |accept_encoding| is set.
#define CN_HTTP_ACCEPT_ENCODING "gzip, deflate"

// Appends the request head (request line, fields, CRLF) to |out|. Returns
// CN_OK, or CN_ERR_INVALID_ARGUMENT (missing method or URL, a method that is
// not a token, framing fields in |extra_headers|, an upload whose size() is
// below -1); on error |out| is unchanged.
int cn_http_request_write_head(const cn_http_request_info *info, cn_bytebuf *out);

// True for methods whose responses never have a body (HEAD) — the response
// parser needs to know.
bool cn_http_method_is_head(const char *method);
bool cn_http_method_is_connect(const char *method);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_REQUEST_INFO_H_
