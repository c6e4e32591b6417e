// Private to net/spdy: a session's streams by id (spdy_session.c finds the
// stream a frame is for).
//
// Open addressing with linear probing; ids are never 0 (0 marks an empty
// slot) and a removed slot becomes a tombstone so probes go on past it.
// The table grows (or just rehashes away tombstones) at three quarters full.
//
// Ownership: the map owns only its arrays. It does not own the streams it
// points to: a stream is removed before it is freed (its |in_map| flag says
// whether it is in). A zeroed map is empty and valid; cn_spdy_stream_map_free
// releases the arrays and leaves it zeroed.
#ifndef CNET_NET_SPDY_SPDY_STREAM_MAP_H_
#define CNET_NET_SPDY_SPDY_STREAM_MAP_H_

#include <stddef.h>
#include <stdint.h>

#include "net/spdy/spdy_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_stream_map {
  uint32_t *keys;  // 0 empty, CN_SPDY_MAP_TOMBSTONE removed
  cn_spdy_stream **values;
  size_t cap;   // power of two or 0
  size_t used;  // live + tombstones
  size_t count;
} cn_spdy_stream_map;
#define CN_SPDY_MAP_TOMBSTONE 0xffffffffu

// The stream with |id|, or NULL.
cn_spdy_stream *cn_spdy_stream_map_get(const cn_spdy_stream_map *m, uint32_t id);
// Adds |st| under |id| (1 .. 2^31-1; not already in the map).
void cn_spdy_stream_map_put(cn_spdy_stream_map *m, uint32_t id, cn_spdy_stream *st);
// Removes |id| if present.
void cn_spdy_stream_map_remove(cn_spdy_stream_map *m, uint32_t id);
// Frees the arrays (not the streams); the map is empty and reusable after.
void cn_spdy_stream_map_free(cn_spdy_stream_map *m);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_STREAM_MAP_H_
