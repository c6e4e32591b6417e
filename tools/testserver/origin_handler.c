#include "tools/testserver/origin_handler.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "base/timer.h"
#include "tools/testserver/fault_response.h"

// Sizes beyond these are refused (400) rather than tying the server up.
#define MAX_STREAM_BYTES ((uint64_t)1 << 40)  // generated on the fly
#define MAX_GZIP_BYTES ((uint64_t)64 << 20)    // compressed in memory
#define MAX_SLOW_MS 600000
// /bytes and /no-length write this much per writable callback.
#define STREAM_PIECE (64 * 1024)
#define SLOW_BODY 1000
#define SLOW_PIECES 10
#define CLOSE_AFTER_EXTRA 1000
#define LONG_BODY_EXTRA 1000

// /chunked's chunk sizes, in turn: tiny, odd and record-sized ones, so a
// client's chunk parser meets sizes split across reads and TLS records.
static const size_t kChunkSizes[] = {1, 13, 256, 1000, 4096, 16384};

void cn_ts_pattern_fill(uint8_t *out, uint64_t offset, size_t len) {
  // The pattern repeats every 256 bytes: compute one period, then copy
  // (large bodies are generated at memcpy speed, not byte by byte).
  size_t first = len < 256 ? len : 256;
  for (size_t i = 0; i < first; i++)
    out[i] = cn_ts_pattern_byte(offset + i);
  for (size_t done = first; done < len;) {
    // |done| stays a multiple of 256, so copying from the start keeps the
    // phase.
    size_t n = done <= len - done ? done : len - done;
    memcpy(out + done, out, n);
    done += n;
  }
}

typedef struct origin_handler {
  cn_ts_handler base;
  uv_loop_t *loop;
} origin_handler;

static bool is_head(const cn_ts_exchange *ex) { return strcmp(ex->request.method, "HEAD") == 0; }

// Responds with |status| and a small text body (or none for bodiless
// statuses), then finishes.
static void respond_text(cn_ts_exchange *ex, int status, const char *content_type,
                         const char *body) {
  cn_ts_response r;
  cn_ts_response_init(&r, status);
  size_t len = cn_ts_status_has_body(status) ? strlen(body) : 0;
  if (len)
    cn_ts_headers_add(&r.headers, "Content-Type", content_type);
  r.content_length = (int64_t)len;
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  cn_ts_exchange_write(ex, body, len);
  cn_ts_exchange_finish(ex);
}

// Parses the decimal N after |prefix| in |path| (digits only, <= max).
static bool route_number(const char *path, const char *prefix, uint64_t max, uint64_t *out) {
  const char *s = path + strlen(prefix);
  if (!*s || strlen(s) > 19)
    return false;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return false;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  if (v > max)
    return false;
  *out = v;
  return true;
}

static bool has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

// --- streamed pattern bodies (/bytes, /chunked, /no-length, /close-after,
// /slow) ---

typedef struct pattern_stream {
  uint64_t offset;
  uint64_t total;
  bool vary_chunks;   // /chunked
  bool abort_at_end;  // /close-after
  bool hang_at_end;   // /hang-body: neither finish nor abort
  unsigned chunk_index;
  // /slow: one piece per timer tick.
  cn_ts_exchange *ex;
  cn_timer *timer;
  uint64_t interval_ms;
} pattern_stream;

static void release_stream(void *arg) {
  pattern_stream *ps = arg;
  cn_timer_destroy(ps->timer);
  free(ps);
}

static size_t next_piece(pattern_stream *ps) {
  size_t want = ps->vary_chunks
                    ? kChunkSizes[ps->chunk_index++ % (sizeof(kChunkSizes) / sizeof(kChunkSizes[0]))]
                    : STREAM_PIECE;
  if (ps->timer)
    want = SLOW_BODY / SLOW_PIECES;
  uint64_t left = ps->total - ps->offset;
  return left < want ? (size_t)left : want;
}

static void write_piece(pattern_stream *ps, cn_ts_exchange *ex, size_t n) {
  cn_iobuf *buf = cn_iobuf_new(n);
  cn_ts_pattern_fill(buf->data, ps->offset, n);
  cn_ts_exchange_write_buf(ex, buf, 0, n);
  cn_iobuf_unref(buf);
  ps->offset += n;
}

// Ends the body. May release |ps| (never synchronously: the release hook
// runs from the loop), so nothing touches |ps| after this.
static void end_stream(pattern_stream *ps, cn_ts_exchange *ex) {
  if (ps->hang_at_end)
    return;  // the body stalls; the connection releases the exchange
  if (ps->abort_at_end)
    cn_ts_exchange_abort(ex);
  else
    cn_ts_exchange_finish(ex);
}

static void on_writable(void *arg, cn_ts_exchange *ex) {
  pattern_stream *ps = arg;
  if (ps->offset < ps->total)
    write_piece(ps, ex, next_piece(ps));
  if (ps->offset == ps->total)
    end_stream(ps, ex);
  else
    cn_ts_exchange_want_writable(ex, on_writable, ps);
}

static void on_slow_tick(void *arg) {
  pattern_stream *ps = arg;
  write_piece(ps, ps->ex, next_piece(ps));
  if (ps->offset == ps->total)
    end_stream(ps, ps->ex);
  else
    cn_timer_start(ps->timer, ps->interval_ms, 0);
}

// Responds with |content_length| announced and streams |total| pattern
// bytes after it.
// How a streamed pattern body ends.
typedef enum stream_end {
  END_FINISH,   // normally
  END_ABORT,    // /close-after: the connection (or stream) is cut
  END_HANG,     // /hang-body: nothing more is ever sent
  END_OVERRUN,  // /long-body: more than announced is sent, then finish
} stream_end;

static void stream_pattern(cn_ts_exchange *ex, int64_t content_length, uint64_t total,
                           bool vary_chunks, stream_end end) {
  cn_ts_response r;
  cn_ts_response_init(&r, 200);
  cn_ts_headers_add(&r.headers, "Content-Type", "application/octet-stream");
  r.content_length = content_length;
  r.overrun_length = end == END_OVERRUN;
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  if (is_head(ex)) {
    cn_ts_exchange_finish(ex);
    return;
  }
  pattern_stream *ps = CN_NEW(pattern_stream);
  ps->total = total;
  ps->vary_chunks = vary_chunks;
  ps->abort_at_end = end == END_ABORT;
  ps->hang_at_end = end == END_HANG;
  cn_ts_exchange_set_user(ex, ps, release_stream);
  on_writable(ps, ex);
}

static void serve_slow(origin_handler *h, cn_ts_exchange *ex, uint64_t ms) {
  cn_ts_response r;
  cn_ts_response_init(&r, 200);
  cn_ts_headers_add(&r.headers, "Content-Type", "application/octet-stream");
  r.content_length = SLOW_BODY;
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  if (is_head(ex)) {
    cn_ts_exchange_finish(ex);
    return;
  }
  pattern_stream *ps = CN_NEW(pattern_stream);
  ps->total = SLOW_BODY;
  ps->ex = ex;
  ps->interval_ms = ms / SLOW_PIECES;
  ps->timer = cn_timer_new(h->loop, on_slow_tick, ps);
  cn_ts_exchange_set_user(ex, ps, release_stream);
  cn_timer_start(ps->timer, ps->interval_ms, 0);
}

// --- the other routes ---

static void serve_root(cn_ts_exchange *ex) {
  char body[512];
  snprintf(body, sizeof(body),
           "<!DOCTYPE html>\n"
           "<html><head><title>cnet-testserver</title></head>\n"
           "<body><h1>cnet-testserver</h1>\n"
           "<p>The cnet test origin (%s).</p>\n"
           "<p>Routes: /bytes/N /chunked/N /echo /headers /status/N /slow/N "
           "/close-after/N /reset /no-length/N /gzip/N /redirect/N /redirect-to?PATH /set-cookie?V /pac?SCRIPT /page</p>\n"
           "</body></html>\n",
           ex->request.tls ? "https" : "http");
  respond_text(ex, 200, "text/html; charset=utf-8", body);
}

// /page: a small HTML page with sub-resources, for clients that load a page
// and then what it references (docs/examples/shell.c).
static void serve_page(cn_ts_exchange *ex) {
  respond_text(ex, 200, "text/html; charset=utf-8",
               "<!DOCTYPE html>\n<html><head><title>cnet test page</title>\n"
               "<link rel=\"stylesheet\" href=\"/bytes/2000\">\n"
               "<script src=\"/chunked/3000\"></script></head>\n"
               "<body><img src=\"/gzip/4000\"><img src=\"/bytes/5000\">"
               "<img src=\"/slow/50\"></body></html>\n");
}

static void serve_echo(cn_ts_exchange *ex) {
  const cn_ts_request *req = &ex->request;
  const char *type = cn_ts_headers_get(&req->headers, "Content-Type");
  cn_ts_response r;
  cn_ts_response_init(&r, 200);
  cn_ts_headers_add(&r.headers, "Content-Type", type ? type : "application/octet-stream");
  r.content_length = (int64_t)cn_bytebuf_len(&req->body);
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  cn_ts_exchange_write(ex, cn_bytebuf_head(&req->body), cn_bytebuf_len(&req->body));
  cn_ts_exchange_finish(ex);
}

static void serve_headers(cn_ts_exchange *ex) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  const cn_ts_headers *h = &ex->request.headers;
  for (size_t i = 0; i < h->count; i++)
    cn_bytebuf_appendf(&b, "%s: %s\n", h->items[i].name, h->items[i].value);
  char *text = cn_bytebuf_steal_str(&b);
  respond_text(ex, 200, "text/plain", text);
  free(text);
  cn_bytebuf_free(&b);
}

static void serve_status(cn_ts_exchange *ex, uint64_t status) {
  char body[32];
  snprintf(body, sizeof(body), "status %" PRIu64 "\n", status);
  respond_text(ex, (int)status, "text/plain", body);
}

// /redirect/N: a chain of N 302s down to /redirect/0, which answers
// "redirected\n" — for clients' redirect following and limits. Locations
// are relative, so a client must resolve them against the request URL.
static void serve_redirect(cn_ts_exchange *ex, uint64_t n) {
  if (n == 0) {
    respond_text(ex, 200, "text/plain", "redirected\n");
    return;
  }
  char location[48];
  snprintf(location, sizeof(location), "/redirect/%" PRIu64, n - 1);
  cn_ts_response r;
  cn_ts_response_init(&r, 302);
  cn_ts_headers_add(&r.headers, "Location", location);
  cn_ts_headers_add(&r.headers, "Content-Type", "text/plain");
  static const char kBody[] = "a redirect body nobody should show\n";
  r.content_length = (int64_t)(sizeof(kBody) - 1);
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  cn_ts_exchange_write(ex, kBody, sizeof(kBody) - 1);
  cn_ts_exchange_finish(ex);
}

// /redirect-to?TARGET: one 302 to TARGET (any URL, e.g. another server or
// an unsafe scheme), with status 302 unless TARGET is preceded by "NNN,"
// (e.g. /redirect-to?307,/echo).
static void serve_redirect_to(cn_ts_exchange *ex, const char *query) {
  int status = 302;
  if (strlen(query) > 4 && query[3] == ',' && query[0] == '3') {
    status = atoi(query);
    query += 4;
  }
  cn_ts_response r;
  cn_ts_response_init(&r, status);
  cn_ts_headers_add(&r.headers, "Location", query);
  r.content_length = 0;
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  cn_ts_exchange_finish(ex);
}

// /set-cookie?V1&V2...: a 200 "ok" with one Set-Cookie field per value,
// each percent-decoded ("a=1%3B%20Path%3D%2F" is "a=1; Path=/").
static void serve_set_cookie(cn_ts_exchange *ex, const char *query) {
  cn_ts_response r;
  cn_ts_response_init(&r, 200);
  cn_ts_headers_add(&r.headers, "Content-Type", "text/plain");
  char *copy = cn_xstrdup(query);
  for (char *v = copy, *next; v; v = next) {
    next = strchr(v, '&');
    if (next)
      *next++ = '\0';
    char *w = v;
    for (const char *p = v; *p; p++) {
      unsigned hex;
      if (*p == '%' && sscanf(p + 1, "%2x", &hex) == 1 && isxdigit((unsigned char)p[2])) {
        *w++ = (char)hex;
        p += 2;
      } else {
        *w++ = *p;
      }
    }
    *w = '\0';
    if (*v)
      cn_ts_headers_add(&r.headers, "Set-Cookie", v);
  }
  free(copy);
  static const char kBody[] = "ok\n";
  r.content_length = sizeof(kBody) - 1;
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  cn_ts_exchange_write(ex, kBody, sizeof(kBody) - 1);
  cn_ts_exchange_finish(ex);
}

// Compresses |n| pattern bytes as one gzip member. Returns the compressed
// bytes (caller frees) and their length, or NULL if zlib failed.
static uint8_t *gzip_pattern(uint64_t n, size_t *out_len) {
  z_stream z;
  memset(&z, 0, sizeof(z));
  // windowBits 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  size_t cap = deflateBound(&z, (uLong)n) + 64;
  uint8_t *out = cn_xmalloc(cap);
  uint8_t piece[STREAM_PIECE];
  uint64_t off = 0;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rv = Z_OK;
  do {
    size_t len = n - off < sizeof(piece) ? (size_t)(n - off) : sizeof(piece);
    cn_ts_pattern_fill(piece, off, len);
    off += len;
    z.next_in = piece;
    z.avail_in = (uInt)len;
    rv = deflate(&z, off == n ? Z_FINISH : Z_NO_FLUSH);
  } while (off < n && rv == Z_OK);
  *out_len = cap - z.avail_out;
  deflateEnd(&z);
  if (rv != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

static void serve_gzip(cn_ts_exchange *ex, uint64_t n) {
  size_t len;
  uint8_t *body = gzip_pattern(n, &len);
  if (!body) {
    respond_text(ex, 500, "text/plain", "gzip failed\n");
    return;
  }
  cn_ts_response r;
  cn_ts_response_init(&r, 200);
  cn_ts_headers_add(&r.headers, "Content-Type", "application/octet-stream");
  cn_ts_headers_add(&r.headers, "Content-Encoding", "gzip");
  r.content_length = (int64_t)len;
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  cn_ts_exchange_write(ex, body, len);
  cn_ts_exchange_finish(ex);
  free(body);
}

// /pac?SCRIPT: the percent-decoded query as a PAC script (a test writes the
// script into its URL; docs/pac.md).
static void serve_pac(cn_ts_exchange *ex, const char *query) {
  size_t len = strlen(query);
  char *text = cn_xmalloc(len + 1), *out = text;
  for (size_t i = 0; i < len; i++) {
    unsigned hi, lo;
    if (query[i] == '%' && i + 2 < len && sscanf(query + i + 1, "%1x%1x", &hi, &lo) == 2) {
      *out++ = (char)(hi * 16 + lo);
      i += 2;
    } else {
      *out++ = query[i] == '+' ? ' ' : query[i];
    }
  }
  *out = '\0';
  respond_text(ex, 200, "application/x-ns-proxy-autoconfig", text);
  free(text);
}

static void handle(cn_ts_handler *base, cn_ts_exchange *ex) {
  origin_handler *h = (origin_handler *)base;
  char path[1024];
  cn_ts_request_path(&ex->request, path, sizeof(path));
  uint64_t n = 0;
  bool ok = true;
  if (strcmp(path, "/") == 0) {
    serve_root(ex);
  } else if (strcmp(path, "/page") == 0) {
    serve_page(ex);
  } else if (has_prefix(path, "/bytes/")) {
    if ((ok = route_number(path, "/bytes/", MAX_STREAM_BYTES, &n)))
      stream_pattern(ex, (int64_t)n, n, false, END_FINISH);
  } else if (has_prefix(path, "/chunked/")) {
    if ((ok = route_number(path, "/chunked/", MAX_STREAM_BYTES, &n)))
      stream_pattern(ex, CN_TS_LENGTH_UNKNOWN, n, true, END_FINISH);
  } else if (has_prefix(path, "/no-length/")) {
    if ((ok = route_number(path, "/no-length/", MAX_STREAM_BYTES, &n)))
      stream_pattern(ex, CN_TS_LENGTH_UNTIL_CLOSE, n, false, END_FINISH);
  } else if (has_prefix(path, "/close-after/")) {
    if ((ok = route_number(path, "/close-after/", MAX_STREAM_BYTES, &n)))
      stream_pattern(ex, (int64_t)(n + CLOSE_AFTER_EXTRA), n, false, END_ABORT);
  } else if (has_prefix(path, "/hang-body/")) {
    if ((ok = route_number(path, "/hang-body/", MAX_STREAM_BYTES, &n)))
      stream_pattern(ex, (int64_t)(n + CLOSE_AFTER_EXTRA), n, false, END_HANG);
  } else if (has_prefix(path, "/long-body/")) {
    if ((ok = route_number(path, "/long-body/", MAX_STREAM_BYTES, &n)))
      stream_pattern(ex, (int64_t)n, n + LONG_BODY_EXTRA, false, END_OVERRUN);
  } else if (has_prefix(path, "/fault/")) {
    cn_test_server_answer_fault fault;
    ok = cn_test_server_answer_fault_parse(path + strlen("/fault/"), &fault) &&
         fault != CN_TEST_SERVER_ANSWER_FAULT_NONE;
    if (ok)
      cn_ts_respond_fault(ex, fault);
  } else if (strcmp(path, "/echo") == 0) {
    serve_echo(ex);
  } else if (strcmp(path, "/headers") == 0) {
    serve_headers(ex);
  } else if (has_prefix(path, "/status/")) {
    ok = route_number(path, "/status/", 599, &n) && n >= 200;
    if (ok)
      serve_status(ex, n);
  } else if (has_prefix(path, "/slow/")) {
    if ((ok = route_number(path, "/slow/", MAX_SLOW_MS, &n)))
      serve_slow(h, ex, n);
  } else if (strcmp(path, "/reset") == 0) {
    cn_ts_exchange_abort(ex);
  } else if (has_prefix(path, "/redirect/")) {
    if ((ok = route_number(path, "/redirect/", 1000, &n)))
      serve_redirect(ex, n);
  } else if (strcmp(path, "/redirect-to") == 0) {
    const char *q = strchr(ex->request.target, '?');
    ok = q && q[1];
    if (ok)
      serve_redirect_to(ex, q + 1);
  } else if (strcmp(path, "/set-cookie") == 0) {
    const char *q = strchr(ex->request.target, '?');
    serve_set_cookie(ex, q ? q + 1 : "");
  } else if (strcmp(path, "/pac") == 0) {
    const char *q = strchr(ex->request.target, '?');
    serve_pac(ex, q ? q + 1 : "");
  } else if (has_prefix(path, "/gzip/")) {
    if ((ok = route_number(path, "/gzip/", MAX_GZIP_BYTES, &n)))
      serve_gzip(ex, n);
  } else {
    respond_text(ex, 404, "text/plain", "not found\n");
  }
  if (!ok)
    respond_text(ex, 400, "text/plain", "bad number in path\n");
}

static void destroy(cn_ts_handler *base) { free(base); }

static const cn_ts_handler_ops kOriginOps = {
    .handle = handle,
    .destroy = destroy,
};

cn_ts_handler *cn_ts_origin_handler_new(uv_loop_t *loop) {
  origin_handler *h = CN_NEW(origin_handler);
  h->base.ops = &kOriginOps;
  h->loop = loop;
  return &h->base;
}
