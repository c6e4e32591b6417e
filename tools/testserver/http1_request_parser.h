// A small, strict, incremental HTTP/1.x request parser (server side).
//
// Strict because the test server must notice client bugs rather than paper
// over them: lines end in CRLF (a bare LF is an error), no whitespace
// between a header name and its colon, no obsolete line folding, no control
// characters in values, exactly one Host in HTTP/1.1, never both
// Content-Length and Transfer-Encoding, only the "chunked" transfer coding,
// and limits on every size. Empty lines before a request line are skipped
// (RFC 9112 2.2: clients may send a CRLF after a POST body).
//
// Incremental: feed whatever bytes arrived; the parser consumes complete
// lines and body bytes and leaves an incomplete line unconsumed, so the
// caller keeps it and feeds it again with more bytes behind it.
//
// Ownership: the parser owns the request being built until
// cn_ts_h1_parser_take_request() moves it out.
#ifndef CNET_TOOLS_TESTSERVER_HTTP1_REQUEST_PARSER_H_
#define CNET_TOOLS_TESTSERVER_HTTP1_REQUEST_PARSER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/testserver/http_message.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ts_h1_limits {
  size_t max_line;          // request line, header line, chunk-size line
  size_t max_header_bytes;  // the whole header block (and trailers)
  size_t max_headers;       // header fields (and trailer fields)
  uint64_t max_body;        // decoded body bytes
} cn_ts_h1_limits;

// 8 KiB lines, 64 KiB of headers, 100 fields, 64 MiB of body.
cn_ts_h1_limits cn_ts_h1_default_limits(void);

typedef enum cn_ts_h1_result {
  CN_TS_H1_ERROR = -1,     // see error_status / error
  CN_TS_H1_NEED_MORE = 0,  // feed more bytes
  CN_TS_H1_DONE = 1,       // a whole request: take it
} cn_ts_h1_result;

typedef enum cn_ts_h1_state {
  CN_TS_H1_REQUEST_LINE,
  CN_TS_H1_HEADERS,
  CN_TS_H1_BODY,         // Content-Length body
  CN_TS_H1_CHUNK_SIZE,
  CN_TS_H1_CHUNK_DATA,
  CN_TS_H1_CHUNK_END,    // the CRLF after chunk data
  CN_TS_H1_TRAILERS,
  CN_TS_H1_COMPLETE,
  CN_TS_H1_FAILED,
} cn_ts_h1_state;

typedef struct cn_ts_h1_parser {
  cn_ts_h1_limits limits;
  cn_ts_h1_state state;
  cn_ts_request request;
  size_t header_bytes;
  size_t header_fields;
  uint64_t remaining;  // of the body or the current chunk
  // After CN_TS_H1_ERROR: the status to answer (400, 413, 414, 431, 501,
  // 505) and a short reason for the body and the log.
  int error_status;
  const char *error;
} cn_ts_h1_parser;

// |limits| NULL means the defaults.
void cn_ts_h1_parser_init(cn_ts_h1_parser *p, const cn_ts_h1_limits *limits);
void cn_ts_h1_parser_free(cn_ts_h1_parser *p);

// Parses from |data|; sets |*consumed| to how many bytes were used (the
// rest, if any, is an incomplete line or the next request). After DONE or
// ERROR further calls consume nothing and return the same result.
cn_ts_h1_result cn_ts_h1_parser_feed(cn_ts_h1_parser *p, const uint8_t *data, size_t len,
                                     size_t *consumed);

// True once the header block is complete and the body is still coming
// (when a client that sent "Expect: 100-continue" waits for a 100).
bool cn_ts_h1_parser_awaiting_body(const cn_ts_h1_parser *p);
// The request headers parsed so far (valid until take/free).
static inline const cn_ts_request *cn_ts_h1_parser_request(const cn_ts_h1_parser *p) {
  return &p->request;
}

// After DONE: moves the request into |out| (the caller frees it) and
// resets the parser for the next request on the connection.
void cn_ts_h1_parser_take_request(cn_ts_h1_parser *p, cn_ts_request *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_HTTP1_REQUEST_PARSER_H_
