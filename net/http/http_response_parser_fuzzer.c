// libFuzzer target: the HTTP/1.1 response parser on untrusted bytes, split
// at a point chosen by the input, then finished as at EOF. The first byte
// picks the request kind (HEAD, CONNECT, plain) and the split.
#include <stddef.h>
#include <stdint.h>

#include "net/http/http_response_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Feeds |len| bytes until they are used up or the parser stops.
static int feed(cn_http_response_parser *p, const uint8_t *data, size_t len) {
  while (len > 0) {
    cn_http_parse_result r;
    int rv = cn_http_response_parser_parse(p, data, len, &r);
    if (rv < 0 || rv == CN_HTTP_PARSE_DONE)
      return rv;
    if (rv == CN_HTTP_PARSE_HEADERS) {
      // Touch the head as a client would.
      const cn_http_response_head *h = cn_http_response_parser_head(p);
      volatile size_t n = cn_http_headers_count(&h->headers) + (size_t)h->status;
      (void)n;
    }
    if (r.consumed == 0 && rv == CN_HTTP_PARSE_NEED_MORE)
      return rv;
    data += r.consumed;
    len -= r.consumed;
  }
  return CN_HTTP_PARSE_NEED_MORE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  cn_http_response_parser_options o = {0};
  o.request_is_head = (data[0] & 3) == 1;
  o.request_is_connect = (data[0] & 3) == 2;
  o.max_header_bytes = 4096;  // small limits reach the limit paths
  o.max_trailer_bytes = 1024;
  size_t split = size > 1 ? (data[0] >> 2) % size : 0;
  data++;
  size--;
  if (split > size)
    split = size;
  cn_http_response_parser p;
  cn_http_response_parser_init(&p, &o);
  int rv = feed(&p, data, split);
  if (rv >= 0 && rv != CN_HTTP_PARSE_DONE)
    rv = feed(&p, data + split, size - split);
  if (rv >= 0 && rv != CN_HTTP_PARSE_DONE)
    cn_http_response_parser_finish(&p);
  cn_http_response_parser_free(&p);
  return 0;
}
