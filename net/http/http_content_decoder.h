// Streaming decoder of HTTP content codings (RFC 9110 §8.4): gzip and
// deflate, through zlib.
//
//   - "gzip" (and its alias "x-gzip"): the gzip format. Bytes after the end
//     of the first gzip member are ignored, as browsers do.
//   - "deflate": RFC 9110 means the zlib format, but servers have long sent
//     raw deflate too, and browsers accept both; the first two bytes decide
//     (a valid zlib header → zlib, else raw).
//   - "identity" and empty list elements are skipped.
//   - several codings ("deflate, gzip") are undone in reverse order, at most
//     CN_HTTP_MAX_CONTENT_CODINGS of them.
//   - any other coding (br, zstd, compress…) fails the decoder's creation
//     with CN_ERR_CONTENT_DECODING_FAILED. cnet only offers gzip and deflate,
//     so another coding is a server error, and handing encoded bytes to the
//     caller as if they were the content would be worse than failing. (A
//     caller wanting the raw bytes does not enable decoding.)
//
// Limits against decompression bombs, chosen by the caller: the total
// decoded size (|max_output_bytes|) and the ratio of decoded to encoded
// bytes (|max_ratio|, applied once more than CN_HTTP_DECODER_RATIO_SLACK
// bytes came out). Passing one gives CN_ERR_CONTENT_DECODING_FAILED. Memory
// stays bounded whatever the input: each call writes at most the caller's
// output space, and each coding holds one zlib state and a 16 KiB buffer.
//
// Ownership: the caller owns the decoder (create/destroy).
#ifndef CNET_NET_HTTP_HTTP_CONTENT_DECODER_H_
#define CNET_NET_HTTP_HTTP_CONTENT_DECODER_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CN_HTTP_MAX_CONTENT_CODINGS 4
#define CN_HTTP_DECODER_RATIO_SLACK (1024 * 1024)

typedef struct cn_http_content_decoder cn_http_content_decoder;

typedef struct cn_http_content_decoder_options {
  uint64_t max_output_bytes;  // 0: no limit
  uint32_t max_ratio;         // 0: no limit
} cn_http_content_decoder_options;

// Creates a decoder for the Content-Encoding value |encodings| (the field's
// values joined with ", "; may be NULL). Sets |*out| to NULL and returns CN_OK
// when there is nothing to decode; returns CN_ERR_CONTENT_DECODING_FAILED
// for an unknown coding or too many codings. |opts| may be NULL (no limits).
int cn_http_content_decoder_create(const char *encodings,
                                   const cn_http_content_decoder_options *opts,
                                   cn_http_content_decoder **out);

// Decodes from |in| (|in_len| bytes) into |out| (|out_len| bytes). Sets
// |*in_used| to the input bytes taken (the rest must be passed again) and
// returns the bytes written (>= 0) or CN_ERR_CONTENT_DECODING_FAILED.
// A return of 0 with all input used means more input is needed. zlib may
// hold decoded bytes when |out| fills up: call again with |in_len| 0 to
// drain them.
int cn_http_content_decoder_decode(cn_http_content_decoder *d, const uint8_t *in, size_t in_len,
                                   size_t *in_used, uint8_t *out, size_t out_len);

// At the end of the body, after draining (decode returned 0 for no input):
// CN_OK if every coding's stream ended (or no byte came at all: an empty
// body needs no framing), else CN_ERR_CONTENT_DECODING_FAILED (truncated).
int cn_http_content_decoder_finish(cn_http_content_decoder *d);

// Encoded bytes taken and decoded bytes produced so far.
uint64_t cn_http_content_decoder_bytes_in(const cn_http_content_decoder *d);
uint64_t cn_http_content_decoder_bytes_out(const cn_http_content_decoder *d);

// Accepts NULL.
void cn_http_content_decoder_destroy(cn_http_content_decoder *d);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_CONTENT_DECODER_H_
