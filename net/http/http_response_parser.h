// An incremental, strict and bounded HTTP/1.x response parser (RFC 9112).
//
// Feed it bytes as they arrive, in any split: the result is the same for
// any split of the same input (the tests feed byte by byte and at random
// splits). It never reads past what one response owns, so the caller knows
// exactly which bytes follow the response. The body is returned as spans
// pointing into the caller's input — no copy.
//
// Use:
//   cn_http_parse_result r;
//   rv = cn_http_response_parser_parse(p, data, len, &r);
//   data += r.consumed; len -= r.consumed;
// and act on |rv|:
//   CN_HTTP_PARSE_NEED_MORE  every byte was used; call again with more input,
//                            or cn_http_response_parser_finish() at EOF
//   CN_HTTP_PARSE_HEADERS    the final response's head is complete (1xx
//                            interim responses other than 101 are skipped);
//                            see cn_http_response_parser_response()
//   CN_HTTP_PARSE_BODY       r.body/r.body_len: body bytes (inside the input)
//   CN_HTTP_PARSE_DONE       the response is complete; input after
//                            r.consumed belongs to whatever follows
//   < 0                      an error (sticky: later calls return it again)
//
// What is accepted, and what is refused:
//   - status line "HTTP/1.x SP 3DIGIT [SP reason]" — HTTP/1.0 and 1.1 (1.x
//     above 1 is treated as 1.1), status 100..599, the reason optional. No
//     HTTP/0.9: a response not starting with "HTTP/" is refused as soon as
//     its first five bytes are in. → CN_ERR_INVALID_RESPONSE
//   - lines end in CRLF or a bare LF (RFC 9112 §2.2 allows recognising LF,
//     and servers send it); a CR anywhere else, or a NUL anywhere in the
//     head, is refused. → CN_ERR_INVALID_RESPONSE
//   - field names must be tokens with no whitespace before the colon; values
//     are trimmed of OWS; obs-fold (a line starting with SP/HTAB) is
//     refused. → CN_ERR_INVALID_RESPONSE
//   - the head of the response (status lines and fields of interim and final
//     responses together) is limited to |max_header_bytes| (default
//     256 KiB) and CN_HTTP_MAX_HEADER_FIELDS fields.
//     → CN_ERR_RESPONSE_HEADERS_TOO_BIG
//   - Content-Length: 1*DIGIT (a comma list of identical values, or repeated
//     identical fields, is one value); anything else, or a value above
//     INT64_MAX → CN_ERR_INVALID_RESPONSE; differing values →
//     CN_ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH. Checked on every
//     response, even those without a body.
//   - Transfer-Encoding (HTTP/1.1): exactly "chunked" frames the body as
//     chunks and overrides Content-Length (the connection is then not
//     reused: such a message may be a smuggling attempt, RFC 9112 §6.3).
//     Any other transfer coding is refused (CN_ERR_INVALID_RESPONSE): cnet
//     decodes only chunked and never hands coded bytes over as the body.
//     In an HTTP/1.0 response Transfer-Encoding means faulty framing
//     (RFC 9112 §6.3): the body is read to EOF and the connection closed.
//   - chunked: chunk-size is 1*HEXDIG with value <= INT64_MAX, optionally
//     BWS and ";extensions" (ignored); the chunk-size line is limited to
//     CN_HTTP_MAX_CHUNK_LINE bytes; chunk data must be followed by CRLF (or
//     LF). → CN_ERR_INVALID_CHUNKED_ENCODING. Trailer fields are parsed like
//     header fields (errors → CN_ERR_INVALID_CHUNKED_ENCODING), kept apart
//     from the headers and limited to |max_trailer_bytes| (default 64 KiB)
//     → CN_ERR_RESPONSE_HEADERS_TOO_BIG.
//   - no body: responses to HEAD, 1xx (101 ends the response: what follows
//     is the upgraded protocol), 204, 304, and 2xx to CONNECT (what follows
//     is the tunnel).
//   - otherwise the body is chunked, Content-Length bytes, or everything up
//     to EOF (close-delimited).
// At EOF (cn_http_response_parser_finish):
//   no byte received → CN_ERR_EMPTY_RESPONSE; inside the head →
//   CN_ERR_RESPONSE_HEADERS_TRUNCATED; before Content-Length bytes →
//   CN_ERR_CONTENT_LENGTH_MISMATCH; before the last chunk and its trailer
//   section → CN_ERR_INCOMPLETE_CHUNKED_ENCODING; a close-delimited body
//   (or a complete response) → CN_HTTP_PARSE_DONE.
//
// Keep-alive (cn_http_response_parser_is_keep_alive, valid after HEADERS):
//   HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
//   "Connection: keep-alive" (or Proxy-Connection); never for a
//   close-delimited body, 101, a 2xx CONNECT answer, or Transfer-Encoding
//   with Content-Length.
//
// Ownership: the caller embeds the parser (init/free). Strings and headers
// returned belong to the parser and live until it is reset or freed.
#ifndef CNET_NET_HTTP_HTTP_RESPONSE_PARSER_H_
#define CNET_NET_HTTP_HTTP_RESPONSE_PARSER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytebuf.h"
#include "net/http/http_headers.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CN_HTTP_DEFAULT_MAX_HEADER_BYTES (256 * 1024)
#define CN_HTTP_DEFAULT_MAX_TRAILER_BYTES (64 * 1024)
#define CN_HTTP_MAX_HEADER_FIELDS 1000
#define CN_HTTP_MAX_CHUNK_LINE 4096

// HTTP versions as major * 10 + minor.
#define CN_HTTP_VERSION_1_0 10
#define CN_HTTP_VERSION_1_1 11

typedef enum cn_http_parse_event {
  CN_HTTP_PARSE_NEED_MORE = 0,
  CN_HTTP_PARSE_HEADERS = 1,
  CN_HTTP_PARSE_BODY = 2,
  CN_HTTP_PARSE_DONE = 3,
} cn_http_parse_event;

typedef enum cn_http_body_kind {
  CN_HTTP_BODY_NONE,            // no body (HEAD, 1xx, 204, 304, CONNECT 2xx)
  CN_HTTP_BODY_CONTENT_LENGTH,  // exactly content_length bytes (may be 0)
  CN_HTTP_BODY_CHUNKED,
  CN_HTTP_BODY_CLOSE_DELIMITED,  // until EOF
} cn_http_body_kind;

typedef struct cn_http_parse_result {
  size_t consumed;     // input bytes used by this call
  const uint8_t *body;  // CN_HTTP_PARSE_BODY: the body bytes (inside the input)
  size_t body_len;
} cn_http_parse_result;

typedef struct cn_http_response_parser_options {
  bool request_is_head;     // the request was HEAD: no body whatever the headers say
  // The request was CONNECT: a 2xx has no body, and a 1xx is the final
  // answer (a refused tunnel), not an interim response to skip.
  bool request_is_connect;
  size_t max_header_bytes;  // 0: CN_HTTP_DEFAULT_MAX_HEADER_BYTES
  size_t max_trailer_bytes;  // 0: CN_HTTP_DEFAULT_MAX_TRAILER_BYTES
} cn_http_response_parser_options;

// The parsed head of the final response.
typedef struct cn_http_response_head {
  int http_version;  // CN_HTTP_VERSION_1_0 or CN_HTTP_VERSION_1_1
  int status;        // 100..599
  char *reason;      // "" when absent
  cn_http_headers headers;
} cn_http_response_head;

typedef struct cn_http_response_parser {
  // Private: use the functions below.
  cn_http_response_parser_options opts;
  int state;
  int error;
  cn_bytebuf line;  // a line split across inputs
  size_t head_bytes;
  size_t trailer_bytes;
  size_t chunk_line_bytes;
  uint64_t bytes_received;
  cn_http_response_head head;
  cn_http_headers trailers;
  cn_http_body_kind body_kind;
  int64_t content_length;  // -1 when absent
  uint64_t remaining;      // of the Content-Length body or the current chunk
  bool keep_alive;
  bool saw_cr;  // after chunk data: the CR of its CRLF has been seen
} cn_http_response_parser;

// |opts| may be NULL (defaults).
void cn_http_response_parser_init(cn_http_response_parser *p,
                                  const cn_http_response_parser_options *opts);
void cn_http_response_parser_free(cn_http_response_parser *p);

// Parses from |data| (see the top of this file). |out| is always filled.
int cn_http_response_parser_parse(cn_http_response_parser *p, const uint8_t *data, size_t len,
                                  cn_http_parse_result *out);
// The connection reached EOF: returns CN_HTTP_PARSE_DONE if the response
// is complete (a close-delimited body ends here) or the error for a
// truncated response (see above).
int cn_http_response_parser_finish(cn_http_response_parser *p);

// The final response's head; valid once HEADERS was returned.
const cn_http_response_head *cn_http_response_parser_head(const cn_http_response_parser *p);
// Trailer fields of a chunked body (empty until DONE, or without trailers).
const cn_http_headers *cn_http_response_parser_trailers(const cn_http_response_parser *p);
bool cn_http_response_parser_headers_complete(const cn_http_response_parser *p);
bool cn_http_response_parser_is_done(const cn_http_response_parser *p);
cn_http_body_kind cn_http_response_parser_body_kind(const cn_http_response_parser *p);
// The Content-Length value (also of HEAD/304 responses), or -1 when absent.
int64_t cn_http_response_parser_content_length(const cn_http_response_parser *p);
bool cn_http_response_parser_is_keep_alive(const cn_http_response_parser *p);
// For a Content-Length body: the body bytes still expected (0 once done);
// lets a reader ask the socket for no more than the response owns.
uint64_t cn_http_response_parser_body_remaining(const cn_http_response_parser *p);
// Bytes given to the parser so far (consumed ones); 0 means the peer sent
// nothing, which is what a stale-connection retry needs to know.
uint64_t cn_http_response_parser_bytes_received(const cn_http_response_parser *p);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_RESPONSE_PARSER_H_
