#include "net/spdy/spdy_stream_map.h"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

namespace {

// Streams are only pointed to, never touched: any distinct addresses do.
cn_spdy_stream *Fake(uint32_t id) {
  return reinterpret_cast<cn_spdy_stream *>(static_cast<uintptr_t>(id) * 8);
}

// A long-lived session's pattern (what bench/soak/run.sh drives through
// the API): ids only go up, at most |live| streams open at once, each
// removed when it closes. The table must stay the size the open streams
// need — its tombstones are rehashed away instead of growing it — or a
// session would cost memory per request it ever carried.
TEST(SpdyStreamMapTest, StaysBoundedOverManyStreams) {
  const size_t kLive = 50;
  const uint32_t kStreams = 200000;
  cn_spdy_stream_map m = {};
  std::deque<uint32_t> open;
  size_t max_cap = 0;
  // Ids go up with gaps a peer may leave (RFC 9113 §5.1.1 lets it skip
  // ids; a server-role session sees the peer's): consecutive ids alone
  // would fall into distinct slots and never exercise the rehash.
  uint32_t id = 1, rnd = 12345;
  for (uint32_t n = 0; n < kStreams; n++) {
    rnd = rnd * 1103515245u + 12345u;
    id += 2 * (1 + ((rnd >> 16) % 8));
    ASSERT_EQ(nullptr, cn_spdy_stream_map_get(&m, id));
    cn_spdy_stream_map_put(&m, id, Fake(id));
    open.push_back(id);
    if (open.size() > kLive) {
      // The oldest closes (not always the same slot as the newest: probes
      // run over tombstones).
      uint32_t done = open.front();
      open.pop_front();
      ASSERT_EQ(Fake(done), cn_spdy_stream_map_get(&m, done));
      cn_spdy_stream_map_remove(&m, done);
      ASSERT_EQ(nullptr, cn_spdy_stream_map_get(&m, done));
    }
    if (m.cap > max_cap)
      max_cap = m.cap;
  }
  EXPECT_EQ(kLive, m.count);
  // At most the power of two above 4 x the open streams (the map doubles
  // only while the live entries fill a quarter of it), however many
  // streams went through.
  EXPECT_LE(max_cap, 256u);
  EXPECT_LE(m.used, m.cap * 3 / 4);
  for (uint32_t live : open)
    EXPECT_EQ(Fake(live), cn_spdy_stream_map_get(&m, live));
  cn_spdy_stream_map_free(&m);
  EXPECT_EQ(0u, m.cap);
}

// Bursts: 1,000 streams open at once, then all close, again and again with
// new ids. Tombstones from earlier bursts may double the table once more
// while live entries still fill a quarter of it, but never past the power
// of two above 4 x 1,000: later bursts rehash tombstones away instead.
TEST(SpdyStreamMapTest, RepeatedBurstsDoNotGrowIt) {
  cn_spdy_stream_map m = {};
  uint32_t next = 1, rnd = 777;
  std::vector<uint32_t> burst;
  for (int round = 0; round < 20; round++) {
    burst.clear();
    for (int i = 0; i < 1000; i++) {
      rnd = rnd * 1103515245u + 12345u;
      next += 2 * (1 + ((rnd >> 16) % 8));  // gaps, as in the test above
      cn_spdy_stream_map_put(&m, next, Fake(next));
      burst.push_back(next);
    }
    EXPECT_EQ(1000u, m.count);
    EXPECT_LE(m.cap, 4096u) << "round " << round;
    for (uint32_t id : burst)
      cn_spdy_stream_map_remove(&m, id);
    EXPECT_EQ(0u, m.count);
  }
  cn_spdy_stream_map_free(&m);
}

}  // namespace
