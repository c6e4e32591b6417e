// libFuzzer target: the gzip/deflate content decoder on an untrusted body
// (a server or proxy picks both the Content-Encoding and the bytes). The
// first input byte picks the coding list and the size of the output space
// per call; the rest is the body, fed in slices of the same size. Checks
// what the header promises: no call writes beyond its output space or takes
// more input than it was given, the decoded total never passes the output
// limit, the byte counters add up, and the decoder always makes progress or
// says it needs more input (no spin).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "net/base/net_errors.h"
#include "net/http/http_content_decoder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "http_content_decoder_fuzzer: %s\n", what);
    abort();
  }
}

// Coding lists as servers send them, including stacked and unknown ones.
static const char *const kEncodings[] = {
    "gzip", "deflate", "x-gzip", "deflate, gzip", "gzip, gzip", "identity, gzip", "GZIP",
    "deflate,deflate", "br",
};

// Limits low enough for small inputs to reach both bomb checks: the ratio
// check starts after CN_HTTP_DECODER_RATIO_SLACK decoded bytes.
#define kMaxOutput (CN_HTTP_DECODER_RATIO_SLACK + 512 * 1024)
#define kMaxRatio 100

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const char *encodings = kEncodings[(data[0] & 15) % (sizeof(kEncodings) / sizeof(kEncodings[0]))];
  size_t slice = (size_t)16 << (data[0] >> 4);  // 16 B .. 512 KiB per call
  data++;
  size--;
  cn_http_content_decoder_options opts = {.max_output_bytes = kMaxOutput, .max_ratio = kMaxRatio};
  cn_http_content_decoder *d = NULL;
  int rv = cn_http_content_decoder_create(encodings, &opts, &d);
  if (rv != CN_OK) {
    check(rv == CN_ERR_CONTENT_DECODING_FAILED && d == NULL, "create error");
    return 0;
  }
  check(d != NULL, "gzip/deflate must get a decoder");
  // One guard byte after the output space: a write past |slice| changes it
  // (ASan sees it too, this also catches an in-bounds overrun of the slice).
  uint8_t *out = malloc(slice + 1);
  uint64_t produced = 0;
  size_t at = 0;
  bool failed = false;
  while (!failed) {
    size_t in_len = size - at < slice ? size - at : slice;
    size_t used = 0;
    out[slice] = 0xA5;
    int n = cn_http_content_decoder_decode(d, data + at, in_len, &used, out, slice);
    check(out[slice] == 0xA5, "wrote past the output space");
    if (n < 0) {
      check(n == CN_ERR_CONTENT_DECODING_FAILED, "decode error code");
      failed = true;
      break;
    }
    check((size_t)n <= slice, "returned more than the output space");
    check(used <= in_len, "took more input than given");
    at += used;
    produced += (uint64_t)n;
    check(produced <= kMaxOutput, "decoded past max_output_bytes");
    if (n == 0 && used == 0 && in_len == 0)
      break;  // drained, and no input left
    check(n > 0 || used > 0 || at == size, "no progress with input left");
  }
  // A call that fails on a limit has counted what it decoded before failing.
  check(failed ? cn_http_content_decoder_bytes_out(d) >= produced
               : cn_http_content_decoder_bytes_out(d) == produced,
        "bytes_out counter");
  check(cn_http_content_decoder_bytes_in(d) <= size, "bytes_in counter");
  if (!failed) {
    rv = cn_http_content_decoder_finish(d);
    check(rv == CN_OK || rv == CN_ERR_CONTENT_DECODING_FAILED, "finish error code");
  }
  free(out);
  cn_http_content_decoder_destroy(d);
  return 0;
}
