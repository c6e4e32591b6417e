// SPDY/3 header-block compression (SPDY/3.1 spec §2.6.10.1): every
// name/value block is zlib data primed with the spec's dictionary, and each
// direction of a session is ONE zlib stream that lives as long as the session,
// ended by a SYNC_FLUSH after each block so the peer can decode the block
// without the next one. Losing a block (or decoding one half-way) breaks
// every later block of that direction, so a decode error here is always a
// session error.
//
// Private to net/spdy (the framer and its tests). Each context is embedded by
// its owner: init, use, free.
#ifndef CNET_NET_SPDY_SPDY3_ZLIB_H_
#define CNET_NET_SPDY_SPDY3_ZLIB_H_

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "base/bytebuf.h"

#ifdef __cplusplus
extern "C" {
#endif

// The SPDY/3 dictionary, exactly as the spec gives it (1423 bytes).
#define CN_SPDY3_DICTIONARY_LEN 1423
extern const uint8_t cn_spdy3_dictionary[CN_SPDY3_DICTIONARY_LEN];

// What we write.
typedef struct cn_spdy3_deflater {
  z_stream z;
} cn_spdy3_deflater;

void cn_spdy3_deflater_init(cn_spdy3_deflater *d);
void cn_spdy3_deflater_free(cn_spdy3_deflater *d);
// Compresses |len| bytes as one header block, appending it (ending in a
// sync flush) to |out|.
void cn_spdy3_deflate_block(cn_spdy3_deflater *d, const uint8_t *in, size_t len,
                            cn_bytebuf *out);

// What we read. The output buffer is owned by the inflater and reused for
// every block; it never grows beyond the |limit| passed to
// cn_spdy3_inflate_block.
typedef struct cn_spdy3_inflater {
  z_stream z;
  uint8_t *buf;
  size_t cap;
} cn_spdy3_inflater;

void cn_spdy3_inflater_init(cn_spdy3_inflater *inf);
void cn_spdy3_inflater_free(cn_spdy3_inflater *inf);
// Decompresses one header block of |len| bytes. On success returns CN_OK and
// points |*out| (valid until the next call) at the |*out_len| decompressed
// bytes. Returns CN_ERR_HTTP2_COMPRESSION_ERROR when the data is not zlib,
// names another dictionary, ends the zlib stream, or would decompress to
// more than |limit| bytes (detected without allocating more than |limit|).
int cn_spdy3_inflate_block(cn_spdy3_inflater *inf, const uint8_t *in, size_t len, size_t limit,
                           const uint8_t **out, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY3_ZLIB_H_
