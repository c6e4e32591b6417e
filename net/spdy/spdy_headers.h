// Header lists for SPDY/3.1 and HTTP/2 streams: an owned list of fields
// (what a stream keeps of what it received, and what it queues to send),
// and the request header list each protocol wants for a method and URL.
//
// Ownership: a cn_spdy_header_list is embedded by its owner
// (cn_spdy_header_list_init / cn_spdy_header_list_free) and owns a copy of
// every name and value. Names and values are NUL-terminated in their copies
// (the lengths in cn_spdy_header still count without the NUL), and stay
// valid until the list is cleared or freed.
#ifndef CNET_NET_SPDY_SPDY_HEADERS_H_
#define CNET_NET_SPDY_SPDY_HEADERS_H_

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "net/base/url.h"
#include "net/socket/next_proto.h"
#include "net/spdy/spdy_framer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_header_list {
  cn_spdy_header *items;
  size_t count;
  size_t cap;
  cn_arena strings;  // private: every field's "name\0value\0", freed together
} cn_spdy_header_list;

void cn_spdy_header_list_init(cn_spdy_header_list *l);
// Releases every field; the list is empty (and reusable) afterwards.
void cn_spdy_header_list_free(cn_spdy_header_list *l);
// Appends a copy of one field. The name is stored lower-cased: both
// protocols require lower-case names on the wire.
void cn_spdy_header_list_add(cn_spdy_header_list *l, const char *name, size_t name_len,
                             const char *value, size_t value_len);
// The same with NUL-terminated strings.
void cn_spdy_header_list_add_str(cn_spdy_header_list *l, const char *name, const char *value);
// Appends copies of |num| fields: the fields array grows to exactly what it
// holds, and their bytes take one arena block of exactly their size when
// the newest one is short (a block copied whole costs two allocations of
// its own size).
void cn_spdy_header_list_append(cn_spdy_header_list *l, const cn_spdy_header *h, size_t num);

// The value of the first field named |name| (lower-case, NUL-terminated) in
// |h|, or NULL; |*len| (may be NULL) gets its length. Works on any array of
// fields, including what a framer or stream hands out.
const char *cn_spdy_headers_find(const cn_spdy_header *h, size_t num, const char *name,
                                 size_t *len);
// cn_spdy_headers_find on a list; the result is NUL-terminated.
const char *cn_spdy_header_list_get(const cn_spdy_header_list *l, const char *name);

// The HTTP status of a response header list (":status", first three digits),
// or -1 when it is missing or malformed.
int cn_spdy_headers_status(const cn_spdy_header *h, size_t num);

// Builds the request header list for |method| and |url| in |proto|'s form
// into |out| (appended), pseudo-headers first:
//   SPDY/3.1: :method, :path, :version HTTP/1.1, :host, :scheme — :path is
//     the URL's origin-form target, or the whole URL (absolute form, no
//     fragment) when |absolute_form| (a request to an HTTP proxy: F4).
//   HTTP/2: :method, :authority, :scheme, :path (origin form; an HTTP/2
//     proxy learns the origin from :scheme and :authority, so
//     |absolute_form| changes nothing).
//   CONNECT (|method| "CONNECT"): SPDY/3.1 ":method CONNECT :path host:port
//     :host host:port :version HTTP/1.1"; HTTP/2 ":method CONNECT
//     :authority host:port" only (RFC 9113 §8.5). The port is always
//     written.
// Then |extra| (may be NULL when |num_extra| is 0) with names lower-cased,
// leaving out the fields neither protocol may carry (Connection,
// Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, and Host, which
// the pseudo-headers replace; for HTTP/2 also TE unless it is "trailers").
// Returns CN_OK, or CN_ERR_INVALID_ARGUMENT for an empty method or a
// protocol other than SPDY/3.1 or HTTP/2.
int cn_spdy_build_request_headers(cn_next_proto proto, const char *method, const cn_url *url,
                                  bool absolute_form, const cn_spdy_header *extra,
                                  size_t num_extra, cn_spdy_header_list *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_HEADERS_H_
