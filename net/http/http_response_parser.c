#include "net/http/http_response_parser.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

enum {
  ST_STATUS_LINE,
  ST_HEADER_LINE,
  ST_BODY_LENGTH,
  ST_BODY_CLOSE,
  ST_CHUNK_SIZE,
  ST_CHUNK_DATA,
  ST_CHUNK_CRLF,
  ST_TRAILER_LINE,
  ST_DONE,
};

static const uint64_t kInt64Max = (uint64_t)INT64_MAX;

void cn_http_response_parser_init(cn_http_response_parser *p,
                                  const cn_http_response_parser_options *opts) {
  memset(p, 0, sizeof(*p));
  if (opts)
    p->opts = *opts;
  if (!p->opts.max_header_bytes)
    p->opts.max_header_bytes = CN_HTTP_DEFAULT_MAX_HEADER_BYTES;
  if (!p->opts.max_trailer_bytes)
    p->opts.max_trailer_bytes = CN_HTTP_DEFAULT_MAX_TRAILER_BYTES;
  p->state = ST_STATUS_LINE;
  cn_bytebuf_init(&p->line);
  cn_http_headers_init(&p->head.headers);
  cn_http_headers_init(&p->trailers);
  p->head.reason = cn_xstrdup("");
  p->content_length = -1;
}

void cn_http_response_parser_free(cn_http_response_parser *p) {
  cn_bytebuf_free(&p->line);
  cn_http_headers_free(&p->head.headers);
  cn_http_headers_free(&p->trailers);
  free(p->head.reason);
  p->head.reason = NULL;
}

static bool is_ows(uint8_t c) { return c == ' ' || c == '\t'; }
static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// The byte counter and limit of the line-oriented state |state|, so one
// line reader serves the head, chunk-size lines and trailers.
typedef struct line_limits {
  size_t *counter;
  size_t max;
  int too_big;  // error when the limit is passed
  int invalid;  // error for a malformed line
} line_limits;

static line_limits limits_for(cn_http_response_parser *p) {
  line_limits l;
  switch (p->state) {
    case ST_CHUNK_SIZE:
      // The counter is the length of the current line only: a chunk-size
      // line is short, the body around it can be any length.
      l.counter = &p->chunk_line_bytes;
      l.max = CN_HTTP_MAX_CHUNK_LINE;
      l.too_big = CN_ERR_INVALID_CHUNKED_ENCODING;
      l.invalid = CN_ERR_INVALID_CHUNKED_ENCODING;
      break;
    case ST_TRAILER_LINE:
      l.counter = &p->trailer_bytes;
      l.max = p->opts.max_trailer_bytes;
      l.too_big = CN_ERR_RESPONSE_HEADERS_TOO_BIG;
      l.invalid = CN_ERR_INVALID_CHUNKED_ENCODING;
      break;
    default:
      l.counter = &p->head_bytes;
      l.max = p->opts.max_header_bytes;
      l.too_big = CN_ERR_RESPONSE_HEADERS_TOO_BIG;
      l.invalid = CN_ERR_INVALID_RESPONSE;
      break;
  }
  return l;
}

// Without HTTP/0.9 support, anything that does not start with "HTTP/" can
// be refused at once instead of buffering up to the header limit.
static bool status_prefix_ok(const cn_http_response_parser *p, const uint8_t *data, size_t len) {
  static const char kPrefix[] = "HTTP/";
  size_t have = cn_bytebuf_len(&p->line);
  const uint8_t *buffered = cn_bytebuf_head(&p->line);
  for (size_t i = 0; i < 5; i++) {
    uint8_t c;
    if (i < have)
      c = buffered[i];
    else if (i - have < len)
      c = data[i - have];
    else
      return true;  // not enough bytes yet
    if (c != (uint8_t)kPrefix[i])
      return false;
  }
  return true;
}

// Takes the next line from |data| at |*pos|. Returns 1 with the line
// (without LF or CRLF) in |*line|/|*line_len|, 0 when the input ended first
// (the partial line is buffered), or an error. The line points into |data|
// or into p->line, valid until the next call.
static int take_line(cn_http_response_parser *p, const uint8_t *data, size_t len, size_t *pos,
                     const uint8_t **line, size_t *line_len) {
  line_limits lim = limits_for(p);
  const uint8_t *start = data + *pos;
  size_t avail = len - *pos;
  if (p->state == ST_STATUS_LINE && !status_prefix_ok(p, start, avail))
    return CN_ERR_INVALID_RESPONSE;
  const uint8_t *lf = memchr(start, '\n', avail);
  size_t n = lf ? (size_t)(lf - start) + 1 : avail;
  if (n > lim.max - *lim.counter) {
    *pos += n;  // consumed as far as we looked; the error is sticky anyway
    return lim.too_big;
  }
  *lim.counter += n;
  *pos += n;
  if (!lf) {
    cn_bytebuf_append(&p->line, start, n);
    return 0;
  }
  const uint8_t *l = start;
  size_t ll = n;
  if (cn_bytebuf_len(&p->line)) {
    cn_bytebuf_append(&p->line, start, n);
    l = cn_bytebuf_head(&p->line);
    ll = cn_bytebuf_len(&p->line);
  }
  ll--;  // the LF
  if (ll > 0 && l[ll - 1] == '\r')
    ll--;
  // A CR not ending the line, or a NUL anywhere, is never valid in a head,
  // a chunk-size line or a trailer; refusing them here keeps the per-line
  // parsers simple.
  if (memchr(l, '\r', ll) || memchr(l, '\0', ll))
    return lim.invalid;
  *line = l;
  *line_len = ll;
  return 1;
}

static int parse_status_line(cn_http_response_parser *p, const uint8_t *l, size_t n) {
  // "HTTP/1.1 200" is the shortest valid form.
  if (n < 12 || memcmp(l, "HTTP/", 5) != 0 || l[5] != '1' || l[6] != '.' || !is_digit(l[7]) ||
      l[8] != ' ' || !is_digit(l[9]) || !is_digit(l[10]) || !is_digit(l[11]))
    return CN_ERR_INVALID_RESPONSE;
  int status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
  if (status < 100 || status > 599)
    return CN_ERR_INVALID_RESPONSE;
  const uint8_t *reason = l + 12;
  size_t reason_len = 0;
  if (n > 12) {
    if (l[12] != ' ')
      return CN_ERR_INVALID_RESPONSE;
    reason = l + 13;
    reason_len = n - 13;
  }
  p->head.http_version = l[7] == '0' ? CN_HTTP_VERSION_1_0 : CN_HTTP_VERSION_1_1;
  p->head.status = status;
  free(p->head.reason);
  p->head.reason = cn_xstrndup((const char *)reason, reason_len);
  return CN_OK;
}

// A "name: value" line into |h|. |invalid| is the error for a bad line.
static int parse_field_line(const uint8_t *l, size_t n, cn_http_headers *h, int invalid) {
  // obs-fold (RFC 9112 §5.2) is refused: a continuation line could hide a
  // field from one parser and show it to another.
  if (is_ows(l[0]))
    return invalid;
  const uint8_t *colon = memchr(l, ':', n);
  if (!colon)
    return invalid;
  size_t name_len = (size_t)(colon - l);
  // The token check also refuses whitespace between name and colon, which
  // RFC 9112 §5.1 forbids.
  if (!cn_http_is_token((const char *)l, name_len))
    return invalid;
  if (cn_http_headers_count(h) >= CN_HTTP_MAX_HEADER_FIELDS)
    return CN_ERR_RESPONSE_HEADERS_TOO_BIG;
  const char *value = (const char *)colon + 1;
  size_t value_len = n - name_len - 1;
  if (cn_http_headers_add_n(h, (const char *)l, name_len, value, value_len) != CN_OK)
    return invalid;
  return CN_OK;
}

// All Content-Length fields must agree; a field may itself be a list of
// identical values ("5, 5"), RFC 9110 §8.6.
static int parse_content_length(const cn_http_headers *h, int64_t *out) {
  *out = -1;
  bool multiple = false;
  for (size_t i = 0; i < cn_http_headers_count(h); i++) {
    const cn_http_header *f = cn_http_headers_at(h, i);
    if (f->name_len != 14 || strncasecmp(f->name, "Content-Length", 14) != 0)
      continue;
    const char *s = f->value;
    const char *end = s + f->value_len;
    while (true) {
      while (s < end && is_ows((uint8_t)*s))
        s++;
      uint64_t v = 0;
      const char *digits = s;
      while (s < end && is_digit((uint8_t)*s)) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (kInt64Max - d) / 10)
          return CN_ERR_INVALID_RESPONSE;
        v = v * 10 + d;
        s++;
      }
      if (s == digits)
        return CN_ERR_INVALID_RESPONSE;
      while (s < end && is_ows((uint8_t)*s))
        s++;
      if (*out >= 0 && (uint64_t)*out != v)
        multiple = true;
      *out = (int64_t)v;
      if (s == end)
        break;
      if (*s != ',')
        return CN_ERR_INVALID_RESPONSE;
      s++;
    }
  }
  return multiple ? CN_ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH : CN_OK;
}

// Decides keep-alive from the version and Connection (or the legacy
// Proxy-Connection, which HTTP/1.0 proxies send).
static bool connection_keep_alive(const cn_http_response_head *head) {
  const cn_http_headers *h = &head->headers;
  if (cn_http_headers_has_token(h, "Connection", "close") ||
      cn_http_headers_has_token(h, "Proxy-Connection", "close"))
    return false;
  if (head->http_version >= CN_HTTP_VERSION_1_1)
    return true;
  return cn_http_headers_has_token(h, "Connection", "keep-alive") ||
         cn_http_headers_has_token(h, "Proxy-Connection", "keep-alive");
}

// The head of the final response is complete: decide the body framing.
static int finish_head(cn_http_response_parser *p) {
  const cn_http_response_head *head = &p->head;
  int rv = parse_content_length(&head->headers, &p->content_length);
  if (rv != CN_OK)
    return rv;
  p->keep_alive = connection_keep_alive(head);
  int status = head->status;
  bool connect_ok = p->opts.request_is_connect && status >= 200 && status < 300;
  if (p->opts.request_is_head || status < 200 || status == 204 || status == 304 || connect_ok) {
    p->body_kind = CN_HTTP_BODY_NONE;
    // After 101 or a CONNECT 2xx the connection carries another protocol.
    if (status == 101 || connect_ok)
      p->keep_alive = false;
    p->state = ST_DONE;
    return CN_OK;
  }
  bool has_te = cn_http_headers_has(&head->headers, "Transfer-Encoding");
  if (has_te && head->http_version == CN_HTTP_VERSION_1_0) {
    p->body_kind = CN_HTTP_BODY_CLOSE_DELIMITED;
  } else if (has_te) {
    char *te = cn_http_headers_get_joined(&head->headers, "Transfer-Encoding");
    bool chunked = strcasecmp(te, "chunked") == 0;
    free(te);
    if (!chunked)
      return CN_ERR_INVALID_RESPONSE;
    p->body_kind = CN_HTTP_BODY_CHUNKED;
    if (p->content_length >= 0)
      p->keep_alive = false;
  } else if (p->content_length >= 0) {
    p->body_kind = CN_HTTP_BODY_CONTENT_LENGTH;
  } else {
    p->body_kind = CN_HTTP_BODY_CLOSE_DELIMITED;
  }
  switch (p->body_kind) {
    case CN_HTTP_BODY_CONTENT_LENGTH:
      p->remaining = (uint64_t)p->content_length;
      p->state = p->remaining ? ST_BODY_LENGTH : ST_DONE;
      break;
    case CN_HTTP_BODY_CHUNKED:
      p->state = ST_CHUNK_SIZE;
      break;
    default:
      p->keep_alive = false;
      p->state = ST_BODY_CLOSE;
      break;
  }
  return CN_OK;
}

// One complete line of the head.
// Returns CN_OK, CN_HTTP_PARSE_HEADERS at the end of the final head, or an
// error.
static int on_head_line(cn_http_response_parser *p, const uint8_t *l, size_t n) {
  if (p->state == ST_STATUS_LINE) {
    int rv = parse_status_line(p, l, n);
    if (rv == CN_OK)
      p->state = ST_HEADER_LINE;
    return rv;
  }
  if (n > 0)
    return parse_field_line(l, n, &p->head.headers, CN_ERR_INVALID_RESPONSE);
  // The blank line ending a head.
  if (p->head.status < 200 && p->head.status != 101 && !p->opts.request_is_connect) {
    // An interim response (100 Continue, 103 Early Hints): skipped; the
    // final response follows. Its bytes still count against the head limit.
    // (To CONNECT a 1xx is the answer: only a 200 opens a tunnel.)
    cn_http_headers_clear(&p->head.headers);
    p->state = ST_STATUS_LINE;
    return CN_OK;
  }
  int rv = finish_head(p);
  return rv == CN_OK ? CN_HTTP_PARSE_HEADERS : rv;
}

static int parse_chunk_size(cn_http_response_parser *p, const uint8_t *l, size_t n) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < n) {
    int d = hex_value(l[i]);
    if (d < 0)
      break;
    if (v > (kInt64Max >> 4))
      return CN_ERR_INVALID_CHUNKED_ENCODING;
    v = (v << 4) | (uint64_t)d;
    i++;
  }
  if (i == 0)
    return CN_ERR_INVALID_CHUNKED_ENCODING;
  while (i < n && is_ows(l[i]))
    i++;
  // Chunk extensions (";name=value") carry nothing cnet uses.
  if (i < n && l[i] != ';')
    return CN_ERR_INVALID_CHUNKED_ENCODING;
  p->chunk_line_bytes = 0;
  if (v == 0) {
    p->state = ST_TRAILER_LINE;
  } else {
    p->remaining = v;
    p->state = ST_CHUNK_DATA;
  }
  return CN_OK;
}

static bool is_line_state(int state) {
  return state == ST_STATUS_LINE || state == ST_HEADER_LINE || state == ST_CHUNK_SIZE ||
         state == ST_TRAILER_LINE;
}

static int fail(cn_http_response_parser *p, int err) {
  p->error = err;
  cn_bytebuf_free(&p->line);
  return err;
}

int cn_http_response_parser_parse(cn_http_response_parser *p, const uint8_t *data, size_t len,
                                  cn_http_parse_result *out) {
  out->consumed = 0;
  out->body = NULL;
  out->body_len = 0;
  if (p->error)
    return p->error;
  size_t pos = 0;
  int event = CN_HTTP_PARSE_NEED_MORE;
  while (event == CN_HTTP_PARSE_NEED_MORE) {
    if (p->state == ST_DONE) {
      event = CN_HTTP_PARSE_DONE;
      break;
    }
    if (pos == len)
      break;
    if (is_line_state(p->state)) {
      const uint8_t *l;
      size_t n;
      int rv = take_line(p, data, len, &pos, &l, &n);
      if (rv == 1) {
        if (p->state == ST_CHUNK_SIZE) {
          rv = parse_chunk_size(p, l, n);
        } else if (p->state == ST_TRAILER_LINE) {
          if (n == 0) {
            p->state = ST_DONE;
            rv = CN_OK;
          } else {
            rv = parse_field_line(l, n, &p->trailers, CN_ERR_INVALID_CHUNKED_ENCODING);
          }
        } else {
          rv = on_head_line(p, l, n);
        }
        cn_bytebuf_clear(&p->line);
        if (rv == CN_HTTP_PARSE_HEADERS)
          event = CN_HTTP_PARSE_HEADERS;
      }
      if (rv < 0) {
        p->bytes_received += pos;
        out->consumed = pos;
        return fail(p, rv);
      }
      continue;
    }
    switch (p->state) {
      case ST_BODY_CLOSE:
        out->body = data + pos;
        out->body_len = len - pos;
        pos = len;
        event = CN_HTTP_PARSE_BODY;
        break;
      case ST_BODY_LENGTH:
      case ST_CHUNK_DATA: {
        size_t avail = len - pos;
        size_t n = p->remaining < avail ? (size_t)p->remaining : avail;
        out->body = data + pos;
        out->body_len = n;
        pos += n;
        p->remaining -= n;
        if (p->remaining == 0)
          p->state = p->state == ST_BODY_LENGTH ? ST_DONE : ST_CHUNK_CRLF;
        event = CN_HTTP_PARSE_BODY;
        break;
      }
      case ST_CHUNK_CRLF: {
        uint8_t c = data[pos++];
        if (c == '\r' && !p->saw_cr) {
          p->saw_cr = true;
        } else if (c == '\n') {
          p->saw_cr = false;
          p->state = ST_CHUNK_SIZE;
        } else {
          p->bytes_received += pos;
          out->consumed = pos;
          return fail(p, CN_ERR_INVALID_CHUNKED_ENCODING);
        }
        break;
      }
      default:
        return fail(p, CN_ERR_UNEXPECTED);
    }
  }
  p->bytes_received += pos;
  out->consumed = pos;
  if (p->state == ST_DONE && event == CN_HTTP_PARSE_NEED_MORE)
    event = CN_HTTP_PARSE_DONE;
  if (event == CN_HTTP_PARSE_DONE)
    cn_bytebuf_free(&p->line);  // nothing more to buffer: give the memory back
  return event;
}

int cn_http_response_parser_finish(cn_http_response_parser *p) {
  if (p->error)
    return p->error;
  switch (p->state) {
    case ST_DONE:
      return CN_HTTP_PARSE_DONE;
    case ST_BODY_CLOSE:
      p->state = ST_DONE;
      return CN_HTTP_PARSE_DONE;
    case ST_STATUS_LINE:
    case ST_HEADER_LINE:
      return fail(p, p->bytes_received == 0 && cn_bytebuf_len(&p->line) == 0
                         ? CN_ERR_EMPTY_RESPONSE
                         : CN_ERR_RESPONSE_HEADERS_TRUNCATED);
    case ST_BODY_LENGTH:
      return fail(p, CN_ERR_CONTENT_LENGTH_MISMATCH);
    default:
      return fail(p, CN_ERR_INCOMPLETE_CHUNKED_ENCODING);
  }
}

const cn_http_response_head *cn_http_response_parser_head(const cn_http_response_parser *p) {
  return &p->head;
}

const cn_http_headers *cn_http_response_parser_trailers(const cn_http_response_parser *p) {
  return &p->trailers;
}

bool cn_http_response_parser_headers_complete(const cn_http_response_parser *p) {
  return p->state != ST_STATUS_LINE && p->state != ST_HEADER_LINE;
}

bool cn_http_response_parser_is_done(const cn_http_response_parser *p) {
  return !p->error && p->state == ST_DONE;
}

cn_http_body_kind cn_http_response_parser_body_kind(const cn_http_response_parser *p) {
  return p->body_kind;
}

int64_t cn_http_response_parser_content_length(const cn_http_response_parser *p) {
  return p->content_length;
}

bool cn_http_response_parser_is_keep_alive(const cn_http_response_parser *p) {
  return p->keep_alive;
}

uint64_t cn_http_response_parser_bytes_received(const cn_http_response_parser *p) {
  return p->bytes_received;
}

uint64_t cn_http_response_parser_body_remaining(const cn_http_response_parser *p) {
  return p->state == ST_BODY_LENGTH ? p->remaining : 0;
}
