// The origin's routes: the request handler a test-server origin runs.
//
//   /               a small HTML page naming the server
//   /bytes/N        N pattern bytes, Content-Length
//   /chunked/N      N pattern bytes, length unknown (chunked in HTTP/1.1),
//                   in chunks of 1, 13, 256, 1000, 4096, 16384, 1, 13, … bytes
//   /echo           the request body back (Content-Type copied, else
//                   application/octet-stream); any method
//   /headers        the request headers as text/plain "Name: value\n"
//                   lines, in the order and case received
//   /status/N       status N (200..599); 204 and 304 have no body, others
//                   "status N\n"
//   /slow/N         Content-Length 1000 pattern bytes sent as 10 pieces of
//                   100, one every N/10 ms after the headers (timers, never
//                   blocking): the last byte leaves about N ms after the
//                   headers
//   /close-after/N  announces Content-Length N + 1000, sends N pattern bytes,
//                   then closes the connection (a truncated body)
//   /reset          closes the connection without any response
//   /hang-body/N    announces Content-Length N + 1000, sends N pattern bytes,
//                   then nothing more (a body that stalls)
//   /long-body/N    announces Content-Length N and sends N + 1000 pattern
//                   bytes (a body longer than announced)
//   /fault/NAME     a faulty answer (fault_response.h): garbage, big-head,
//                   many-headers, hang (no answer at all)
//   /no-length/N    N pattern bytes, no Content-Length, Connection: close,
//                   the body ends with the connection (HTTP/1.0 style)
//   /gzip/N         N pattern bytes gzip-compressed, Content-Encoding: gzip,
//                   Content-Length of the compressed form (N <= 64 MiB)
//   /redirect/N     302 to the relative "/redirect/N-1"; /redirect/0 answers
//                   "redirected" (N <= 1000)
//   /redirect-to?T  302 (or NNN with "?NNN,T", e.g. "?307,/echo") to T, any
//                   URL — another server, an unsafe scheme
//   /set-cookie?V&W 200 "ok" with a Set-Cookie field per value (each
//                   percent-decoded: "a=1%3B%20Path%3D%2F")
//   /page           an HTML page referencing five sub-resources (href/src)
//   anything else   404
// A malformed N is a 400. HEAD works on every route (headers only). The
// query string is ignored (but by /redirect-to and /set-cookie). Absolute-form targets ("http://host/bytes/5")
// are served like their path.
//
// The pattern: byte i of a body is (i * 31 + 7) & 0xff, so tests can check
// any range of a body without keeping a copy.
//
// Ownership: the caller owns the handler (cn_ts_handler_destroy). The loop
// must outlive it; exchanges in progress must be gone (their connections
// destroyed) before the handler is destroyed.
#ifndef CNET_TOOLS_TESTSERVER_ORIGIN_HANDLER_H_
#define CNET_TOOLS_TESTSERVER_ORIGIN_HANDLER_H_

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "tools/testserver/exchange.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline uint8_t cn_ts_pattern_byte(uint64_t i) { return (uint8_t)((i * 31 + 7) & 0xff); }
// Fills |out| with pattern bytes |offset| .. |offset| + |len| - 1.
void cn_ts_pattern_fill(uint8_t *out, uint64_t offset, size_t len);

cn_ts_handler *cn_ts_origin_handler_new(uv_loop_t *loop);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_ORIGIN_HANDLER_H_
