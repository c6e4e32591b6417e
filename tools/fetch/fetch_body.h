// The request body of a fetch run, built from -d/--data-*/--json, -F or -T
// as curl builds it, so that a server receives the same bytes from both.
#ifndef CNET_TOOLS_FETCH_FETCH_BODY_H_
#define CNET_TOOLS_FETCH_FETCH_BODY_H_

#include <stdbool.h>
#include <stddef.h>

#include "tools/fetch/fetch_options.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fetch_body {
  bool present;  // a body was asked for (it may be empty: -d '')
  char *data;    // owned; NUL-terminated for convenience
  size_t len;
  // The Content-Type to send unless -H gives one ("" for none: -T), e.g.
  // "application/x-www-form-urlencoded" or "multipart/form-data;
  // boundary=...". Owned.
  char *content_type;
  bool json;              // --json: also "Accept: application/json"
  const char *method;     // "POST", or "PUT" for -T (unless -X)
} fetch_body;

// Builds the body of |o|: the -d family joined as curl joins them ('&'
// between pieces; --json pieces are concatenated), @FILE read (-d and
// --data-ascii without CR and LF, --data-binary and --json exactly, "@-"
// stdin), -F as multipart/form-data with |boundary| (NULL: a random one;
// tests pass their own), -T FILE's bytes ("-": stdin). Returns true, or
// false with a message naming the unreadable file in |err|.
bool fetch_body_build(const fetch_options *o, const char *boundary, fetch_body *out, char *err,
                      size_t err_size);
void fetch_body_free(fetch_body *b);

// The Content-Type curl guesses for a -F file from its extension
// ("a.txt" -> "text/plain"); "application/octet-stream" when unknown.
const char *fetch_body_guess_type(const char *file_name);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_BODY_H_
