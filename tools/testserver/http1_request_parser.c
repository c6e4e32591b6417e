#include "tools/testserver/http1_request_parser.h"

#include <string.h>
#include <strings.h>

#include "base/mem.h"

cn_ts_h1_limits cn_ts_h1_default_limits(void) {
  cn_ts_h1_limits l = {
      .max_line = 8 * 1024,
      .max_header_bytes = 64 * 1024,
      .max_headers = 100,
      .max_body = 64 * 1024 * 1024,
  };
  return l;
}

void cn_ts_h1_parser_init(cn_ts_h1_parser *p, const cn_ts_h1_limits *limits) {
  memset(p, 0, sizeof(*p));
  p->limits = limits ? *limits : cn_ts_h1_default_limits();
  p->state = CN_TS_H1_REQUEST_LINE;
  cn_ts_request_init(&p->request);
}

void cn_ts_h1_parser_free(cn_ts_h1_parser *p) { cn_ts_request_free(&p->request); }

static cn_ts_h1_result fail(cn_ts_h1_parser *p, int status, const char *why) {
  p->state = CN_TS_H1_FAILED;
  p->error_status = status;
  p->error = why;
  return CN_TS_H1_ERROR;
}

// RFC 9110 5.6.2 tchar.
static bool is_tchar(uint8_t c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
    return true;
  return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token(const uint8_t *s, size_t n) {
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (!is_tchar(s[i]))
      return false;
  }
  return true;
}

static int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Finds the next complete line in |data|: returns its length without the
// CRLF (and sets *line_total to the length with it), 0 with *line_total 0
// when more bytes are needed, -1 for a line ending in a bare LF, -2 for a
// line longer than the limit.
static long next_line(const cn_ts_h1_parser *p, const uint8_t *data, size_t len,
                      size_t *line_total) {
  *line_total = 0;
  size_t window = len < p->limits.max_line + 2 ? len : p->limits.max_line + 2;
  const uint8_t *lf = memchr(data, '\n', window);
  if (!lf)
    return window == p->limits.max_line + 2 ? -2 : 0;
  size_t n = (size_t)(lf - data);
  if (n == 0 || data[n - 1] != '\r')
    return -1;  // bare LF
  *line_total = n + 1;
  return (long)(n - 1);
}

static cn_ts_h1_result parse_request_line(cn_ts_h1_parser *p, const uint8_t *s, size_t n) {
  const uint8_t *sp1 = memchr(s, ' ', n);
  if (!sp1)
    return fail(p, 400, "malformed request line");
  size_t mlen = (size_t)(sp1 - s);
  const uint8_t *target = sp1 + 1;
  const uint8_t *end = s + n;
  const uint8_t *sp2 = memchr(target, ' ', (size_t)(end - target));
  if (!sp2)
    return fail(p, 400, "malformed request line");
  size_t tlen = (size_t)(sp2 - target);
  const uint8_t *version = sp2 + 1;
  size_t vlen = (size_t)(end - version);
  if (!is_token(s, mlen))
    return fail(p, 400, "invalid method");
  if (tlen == 0)
    return fail(p, 400, "empty request target");
  for (size_t i = 0; i < tlen; i++) {
    if (target[i] <= 0x20 || target[i] >= 0x7f)
      return fail(p, 400, "invalid character in request target");
  }
  if (vlen != 8 || memcmp(version, "HTTP/", 5) != 0 || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
    return fail(p, 400, "malformed HTTP version");
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
    return fail(p, 505, "unsupported HTTP version");
  p->request.method = cn_xstrndup((const char *)s, mlen);
  p->request.target = cn_xstrndup((const char *)target, tlen);
  p->request.http_version = 10 + (version[7] - '0');
  p->state = CN_TS_H1_HEADERS;
  return CN_TS_H1_NEED_MORE;
}

// One header or trailer line; trailers are checked but not kept.
static cn_ts_h1_result parse_field(cn_ts_h1_parser *p, const uint8_t *s, size_t n, bool keep) {
  if (s[0] == ' ' || s[0] == '\t')
    return fail(p, 400, "obsolete line folding");
  if (++p->header_fields > p->limits.max_headers)
    return fail(p, 431, "too many header fields");
  const uint8_t *colon = memchr(s, ':', n);
  if (!colon)
    return fail(p, 400, "header line without a colon");
  size_t name_len = (size_t)(colon - s);
  if (!is_token(s, name_len))
    return fail(p, 400, "invalid header name");
  const uint8_t *v = colon + 1;
  const uint8_t *end = s + n;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  for (const uint8_t *c = v; c < end; c++) {
    if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
      return fail(p, 400, "control character in header value");
  }
  if (keep)
    cn_ts_headers_add_n(&p->request.headers, (const char *)s, name_len, (const char *)v,
                        (size_t)(end - v));
  return CN_TS_H1_NEED_MORE;
}

static bool parse_decimal(const char *s, uint64_t *out) {
  if (!*s)
    return false;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return false;
    if (v > (UINT64_MAX - 9) / 10)
      return false;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  *out = v;
  return true;
}

// The header block is complete: decide how the body is framed.
static cn_ts_h1_result end_of_headers(cn_ts_h1_parser *p) {
  const cn_ts_headers *h = &p->request.headers;
  size_t hosts = cn_ts_headers_count(h, "Host");
  if (hosts > 1 || (p->request.http_version == 11 && hosts == 0))
    return fail(p, 400, hosts ? "more than one Host header" : "missing Host header");
  size_t te = cn_ts_headers_count(h, "Transfer-Encoding");
  size_t cl = cn_ts_headers_count(h, "Content-Length");
  if (te && cl)
    return fail(p, 400, "both Content-Length and Transfer-Encoding");
  if (te) {
    if (p->request.http_version == 10)
      return fail(p, 400, "Transfer-Encoding in an HTTP/1.0 request");
    if (te > 1 || strcasecmp(cn_ts_headers_get(h, "Transfer-Encoding"), "chunked") != 0)
      return fail(p, 501, "unsupported transfer coding");
    p->state = CN_TS_H1_CHUNK_SIZE;
    return CN_TS_H1_NEED_MORE;
  }
  if (cl) {
    uint64_t n;
    if (cl > 1 || !parse_decimal(cn_ts_headers_get(h, "Content-Length"), &n))
      return fail(p, 400, "invalid Content-Length");
    if (n > p->limits.max_body)
      return fail(p, 413, "request body too large");
    p->remaining = n;
    p->state = n ? CN_TS_H1_BODY : CN_TS_H1_COMPLETE;
    return n ? CN_TS_H1_NEED_MORE : CN_TS_H1_DONE;
  }
  p->state = CN_TS_H1_COMPLETE;
  return CN_TS_H1_DONE;
}

static cn_ts_h1_result parse_chunk_size(cn_ts_h1_parser *p, const uint8_t *s, size_t n) {
  size_t i = 0;
  uint64_t size = 0;
  for (; i < n && hex_value(s[i]) >= 0; i++) {
    if (i >= 15)
      return fail(p, 400, "chunk size too long");
    size = size * 16 + (uint64_t)hex_value(s[i]);
  }
  if (i == 0)
    return fail(p, 400, "invalid chunk size");
  if (i < n && s[i] != ';')
    return fail(p, 400, "invalid chunk size");  // extensions are ignored
  if (size > p->limits.max_body - cn_bytebuf_len(&p->request.body))
    return fail(p, 413, "request body too large");
  p->remaining = size;
  if (size == 0) {
    p->header_bytes = 0;  // the trailer block has its own budget
    p->state = CN_TS_H1_TRAILERS;
  } else {
    p->state = CN_TS_H1_CHUNK_DATA;
  }
  return CN_TS_H1_NEED_MORE;
}

// Runs one step on the bytes at |data|; sets *used.
static cn_ts_h1_result step(cn_ts_h1_parser *p, const uint8_t *data, size_t len, size_t *used) {
  *used = 0;
  switch (p->state) {
    case CN_TS_H1_BODY:
    case CN_TS_H1_CHUNK_DATA: {
      size_t n = len < p->remaining ? len : (size_t)p->remaining;
      cn_bytebuf_append(&p->request.body, data, n);
      p->remaining -= n;
      *used = n;
      if (p->remaining == 0) {
        if (p->state == CN_TS_H1_BODY) {
          p->state = CN_TS_H1_COMPLETE;
          return CN_TS_H1_DONE;
        }
        p->state = CN_TS_H1_CHUNK_END;
      }
      return CN_TS_H1_NEED_MORE;
    }
    case CN_TS_H1_CHUNK_END:
      if (len < 2)
        return CN_TS_H1_NEED_MORE;
      if (data[0] != '\r' || data[1] != '\n')
        return fail(p, 400, "chunk data not followed by CRLF");
      *used = 2;
      p->state = CN_TS_H1_CHUNK_SIZE;
      return CN_TS_H1_NEED_MORE;
    case CN_TS_H1_COMPLETE:
      return CN_TS_H1_DONE;
    case CN_TS_H1_FAILED:
      return CN_TS_H1_ERROR;
    default:
      break;
  }

  // Line-based states.
  size_t total;
  long n = next_line(p, data, len, &total);
  if (n == -1)
    return fail(p, 400, "line not ending in CRLF");
  if (n == -2) {
    if (p->state == CN_TS_H1_REQUEST_LINE)
      return fail(p, 414, "request line too long");
    if (p->state == CN_TS_H1_CHUNK_SIZE)
      return fail(p, 400, "chunk size line too long");
    return fail(p, 431, "header line too long");
  }
  if (total == 0)
    return CN_TS_H1_NEED_MORE;
  *used = total;
  const uint8_t *s = data;
  switch (p->state) {
    case CN_TS_H1_REQUEST_LINE:
      if (n == 0)
        return CN_TS_H1_NEED_MORE;  // a stray CRLF between requests
      return parse_request_line(p, s, (size_t)n);
    case CN_TS_H1_HEADERS:
    case CN_TS_H1_TRAILERS: {
      bool trailers = p->state == CN_TS_H1_TRAILERS;
      p->header_bytes += total;
      if (p->header_bytes > p->limits.max_header_bytes)
        return fail(p, 431, "header block too large");
      if (n == 0) {
        if (trailers) {
          p->state = CN_TS_H1_COMPLETE;
          return CN_TS_H1_DONE;
        }
        return end_of_headers(p);
      }
      return parse_field(p, s, (size_t)n, !trailers);
    }
    case CN_TS_H1_CHUNK_SIZE:
      return parse_chunk_size(p, s, (size_t)n);
    default:
      return fail(p, 400, "internal parser state");
  }
}

cn_ts_h1_result cn_ts_h1_parser_feed(cn_ts_h1_parser *p, const uint8_t *data, size_t len,
                                     size_t *consumed) {
  size_t off = 0;
  cn_ts_h1_result rv = CN_TS_H1_NEED_MORE;
  for (;;) {
    size_t used;
    rv = step(p, data + off, len - off, &used);
    off += used;
    if (rv != CN_TS_H1_NEED_MORE || used == 0 || off == len)
      break;
  }
  // A request ending with the bytes just consumed reports DONE now, not on
  // the next call.
  if (rv == CN_TS_H1_NEED_MORE && p->state == CN_TS_H1_COMPLETE)
    rv = CN_TS_H1_DONE;
  *consumed = off;
  return rv;
}

bool cn_ts_h1_parser_awaiting_body(const cn_ts_h1_parser *p) {
  return p->state == CN_TS_H1_BODY || p->state == CN_TS_H1_CHUNK_SIZE ||
         p->state == CN_TS_H1_CHUNK_DATA || p->state == CN_TS_H1_CHUNK_END ||
         p->state == CN_TS_H1_TRAILERS;
}

void cn_ts_h1_parser_take_request(cn_ts_h1_parser *p, cn_ts_request *out) {
  *out = p->request;
  cn_ts_h1_limits limits = p->limits;
  cn_ts_h1_parser_init(p, &limits);
}
