// Private to net/spdy: HPACK (RFC 7541) for the HTTP/2 framer, on nghttp2's
// HPACK-only API (nghttp2_hd_*; nghttp2's session is not used). One encoder
// per connection for what we send and one decoder for what the peer sends:
// each is a compression context that must see every header block of its
// direction, in order.
#ifndef CNET_NET_SPDY_HTTP2_HPACK_H_
#define CNET_NET_SPDY_HTTP2_HPACK_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytebuf.h"
#include "net/spdy/spdy_framer.h"

#ifdef __cplusplus
extern "C" {
#endif

// --- Decoder ---

typedef struct cn_http2_hpack_decoder cn_http2_hpack_decoder;

// |max_header_list| bounds the decoded list, counted as RFC 9113 §6.5.2 does
// (name + value + 32 per field).
cn_http2_hpack_decoder *cn_http2_hpack_decoder_new(size_t max_header_list);
void cn_http2_hpack_decoder_destroy(cn_http2_hpack_decoder *d);

// Decodes one fragment of a header block (a HEADERS, PUSH_PROMISE or
// CONTINUATION payload without padding); |last| for the fragment that ends the
// block. A field may straddle fragments. Returns CN_OK or:
//   CN_ERR_HTTP2_COMPRESSION_ERROR  not valid HPACK, a block that ends inside
//                                   a field, a literal over nghttp2's 64 KiB
//                                   per-field cap, or the list over its limit;
//   CN_ERR_HTTP2_PROTOCOL_ERROR     a field HTTP/2 forbids (RFC 9113 §8.2.1:
//                                   upper-case or invalid name characters, a
//                                   value containing NUL, CR or LF).
// After an error the decoder is unusable (the context is out of sync), as the
// connection is.
int cn_http2_hpack_decode(cn_http2_hpack_decoder *d, const uint8_t *in, size_t len, bool last);

// The block decoded so far (complete once |last| was given). Valid until the
// next decode or reset.
const cn_spdy_header *cn_http2_hpack_decoded(cn_http2_hpack_decoder *d, size_t *num);

// Forgets the decoded list (not the compression context), for the next block.
// A block that came in one fragment and left the dynamic table unchanged is
// kept (up to 1 KiB): when the next block is the same bytes, its fields are
// the kept ones, without decoding (the table is then in the same state, so
// the result is the same).
void cn_http2_hpack_decoder_reset(cn_http2_hpack_decoder *d);

// How many blocks were answered from the kept one (for tests).
uint64_t cn_http2_hpack_decoder_reused(const cn_http2_hpack_decoder *d);

// --- Encoder ---

typedef struct cn_http2_hpack_encoder cn_http2_hpack_encoder;

cn_http2_hpack_encoder *cn_http2_hpack_encoder_new(void);
void cn_http2_hpack_encoder_destroy(cn_http2_hpack_encoder *e);

// An upper bound of the encoded size of |headers|.
size_t cn_http2_hpack_encode_bound(cn_http2_hpack_encoder *e, const cn_spdy_header *headers,
                                   size_t num);

// Encodes |headers| into |dst| (|cap| bytes, at least the bound above).
// Returns the encoded length, CN_ERR_INVALID_ARGUMENT for a field HTTP/2
// cannot carry (see the decoder's rules; nothing is encoded, the context is
// unchanged), or CN_ERR_HTTP2_COMPRESSION_ERROR when nghttp2 fails (the
// context is then unusable).
long cn_http2_hpack_encode(cn_http2_hpack_encoder *e, const cn_spdy_header *headers, size_t num,
                           uint8_t *dst, size_t cap);

// How many blocks were copied from the last one instead of encoded: a block
// whose encoding left the dynamic table unchanged is kept (up to 1 KiB), and
// the same fields next time give the same bytes (for tests).
uint64_t cn_http2_hpack_encoder_reused(const cn_http2_hpack_encoder *e);

// The peer's SETTINGS_HEADER_TABLE_SIZE, once acknowledged. The encoder never
// uses more than 4096 bytes of table (the default), whatever the peer allows.
void cn_http2_hpack_encoder_set_table_size(cn_http2_hpack_encoder *e, uint32_t size);

// RFC 9113 §8.2.1 field rules, shared by both directions.
bool cn_http2_valid_field_name(const uint8_t *name, size_t len);
bool cn_http2_valid_field_value(const uint8_t *value, size_t len);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_HTTP2_HPACK_H_
