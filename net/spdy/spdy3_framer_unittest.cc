// Tests of the SPDY/3.1 framer through the public cn_spdy_framer_* calls.
// Frames are written by one framer and read by another (a client/server pair,
// so their compression contexts match), checked byte-for-byte against the
// spec's layout, and read from hand-made bytes: header blocks compressed by
// the test's own zlib stream (to send what our encoder refuses to), and a
// known-answer vector made by an independent SPDY implementation.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/bytebuf.h"
#include "net/base/net_errors.h"
#include "net/spdy/spdy3_zlib.h"
#include "net/spdy/spdy_framer.h"
// The internal header has no C++ guard of its own.
extern "C" {
#include "net/spdy/spdy_framer_internal.h"
}

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string Str(const cn_bytebuf &b) {
  return std::string(reinterpret_cast<const char *>(cn_bytebuf_head(&b)), cn_bytebuf_len(&b));
}

std::string Hex(const std::string &s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Unhex(const std::string &hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string Be32(uint32_t v) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(v >> 24);
  s[1] = static_cast<char>(v >> 16);
  s[2] = static_cast<char>(v >> 8);
  s[3] = static_cast<char>(v);
  return s;
}

std::string Be24(uint32_t v) { return Be32(v).substr(1); }

// A control frame as the spec lays it out (§2.2.1).
std::string Control(uint16_t type, uint8_t flags, const std::string &payload,
                    uint16_t version = 3) {
  std::string s;
  s.push_back(static_cast<char>(0x80 | (version >> 8)));
  s.push_back(static_cast<char>(version));
  s.push_back(static_cast<char>(type >> 8));
  s.push_back(static_cast<char>(type));
  s.push_back(static_cast<char>(flags));
  s += Be24(static_cast<uint32_t>(payload.size()));
  return s + payload;
}

// A data frame (§2.2.2).
std::string Data(uint32_t stream_id, uint8_t flags, const std::string &payload) {
  std::string s = Be32(stream_id & 0x7fffffff);
  s.push_back(static_cast<char>(flags));
  s += Be24(static_cast<uint32_t>(payload.size()));
  return s + payload;
}

// An uncompressed name/value block (§2.6.10); |count| overrides the pair
// count when given.
std::string RawBlock(const Headers &h, int64_t count = -1) {
  std::string s = Be32(count < 0 ? static_cast<uint32_t>(h.size()) : static_cast<uint32_t>(count));
  for (const auto &kv : h) {
    s += Be32(static_cast<uint32_t>(kv.first.size())) + kv.first;
    s += Be32(static_cast<uint32_t>(kv.second.size())) + kv.second;
  }
  return s;
}

// The test's own compressor: what a peer's zlib stream would produce, for
// blocks our encoder refuses to write.
class PeerDeflater {
 public:
  explicit PeerDeflater(int level = Z_DEFAULT_COMPRESSION, int window_bits = 15) {
    memset(&z_, 0, sizeof(z_));
    EXPECT_EQ(Z_OK, deflateInit2(&z_, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY));
    EXPECT_EQ(Z_OK, deflateSetDictionary(&z_, cn_spdy3_dictionary, CN_SPDY3_DICTIONARY_LEN));
  }
  ~PeerDeflater() { deflateEnd(&z_); }

  std::string Compress(const std::string &raw) {
    std::string out;
    z_.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.data()));
    z_.avail_in = static_cast<uInt>(raw.size());
    for (;;) {
      unsigned char buf[16384];
      z_.next_out = buf;
      z_.avail_out = sizeof(buf);
      int rv = deflate(&z_, Z_SYNC_FLUSH);
      EXPECT_TRUE(rv == Z_OK || rv == Z_BUF_ERROR);
      out.append(reinterpret_cast<char *>(buf), sizeof(buf) - z_.avail_out);
      if (z_.avail_in == 0 && z_.avail_out > 0)
        break;
    }
    return out;
  }

 private:
  z_stream z_;
};

// The test's own decompressor, to check what our encoder wrote without our
// decoder.
class PeerInflater {
 public:
  PeerInflater() {
    memset(&z_, 0, sizeof(z_));
    EXPECT_EQ(Z_OK, inflateInit(&z_));
  }
  ~PeerInflater() { inflateEnd(&z_); }

  std::string Decompress(const std::string &in) {
    std::string out;
    z_.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    for (;;) {
      unsigned char buf[4096];
      z_.next_out = buf;
      z_.avail_out = sizeof(buf);
      int rv = inflate(&z_, Z_SYNC_FLUSH);
      if (rv == Z_NEED_DICT) {
        EXPECT_EQ(Z_OK,
                  inflateSetDictionary(&z_, cn_spdy3_dictionary, CN_SPDY3_DICTIONARY_LEN));
        continue;
      }
      EXPECT_TRUE(rv == Z_OK || rv == Z_BUF_ERROR) << rv;
      out.append(reinterpret_cast<char *>(buf), sizeof(buf) - z_.avail_out);
      if (z_.avail_in == 0 && z_.avail_out > 0)
        break;
      if (rv != Z_OK && rv != Z_BUF_ERROR)
        break;
    }
    return out;
  }

 private:
  z_stream z_;
};

// Records every event as a line of text, so whole sequences compare at once.
struct Recorder {
  std::vector<std::string> events;
  std::vector<Headers> header_lists;
  int fail_at = -1;  // event index whose callback returns |fail_with|
  int fail_with = CN_ERR_FAILED;

  int Add(std::string e) {
    events.push_back(std::move(e));
    return static_cast<int>(events.size()) - 1 == fail_at ? fail_with : CN_OK;
  }

  static const char *Kind(cn_spdy_headers_kind k) {
    switch (k) {
      case CN_SPDY_HEADERS_REQUEST:
        return "REQUEST";
      case CN_SPDY_HEADERS_RESPONSE:
        return "RESPONSE";
      case CN_SPDY_HEADERS_TRAILERS:
        return "TRAILERS";
      case CN_SPDY_HEADERS_PUSH:
        return "PUSH";
    }
    return "?";
  }

  cn_spdy_frame_visitor Visitor() {
    cn_spdy_frame_visitor v;
    memset(&v, 0, sizeof(v));
    v.ctx = this;
    v.on_headers = [](void *ctx, const cn_spdy_headers_frame *f) {
      auto *r = static_cast<Recorder *>(ctx);
      Headers h;
      std::string e = std::string("HEADERS ") + Kind(f->kind) + " stream=" +
                      std::to_string(f->stream_id) + " fin=" + std::to_string(f->fin) +
                      " has_pri=" + std::to_string(f->has_priority) +
                      " pri=" + std::to_string(f->spdy_priority) +
                      " assoc=" + std::to_string(f->associated_stream_id);
      for (size_t i = 0; i < f->num_headers; i++) {
        std::string name(f->headers[i].name, f->headers[i].name_len);
        std::string value(f->headers[i].value, f->headers[i].value_len);
        e += " [" + name + ": " + value + "]";
        h.emplace_back(name, value);
      }
      r->header_lists.push_back(h);
      return r->Add(e);
    };
    v.on_data = [](void *ctx, uint32_t stream_id, const uint8_t *data, size_t len, bool fin,
                   size_t flow_len) {
      return static_cast<Recorder *>(ctx)->Add(
          "DATA stream=" + std::to_string(stream_id) + " len=" + std::to_string(len) +
          " fin=" + std::to_string(fin) + " flow=" + std::to_string(flow_len) + " data=" +
          (len <= 64 ? std::string(reinterpret_cast<const char *>(data), len)
                     : "#" + std::to_string(std::hash<std::string>()(std::string(
                                 reinterpret_cast<const char *>(data), len)))));
    };
    v.on_rst_stream = [](void *ctx, uint32_t stream_id, uint32_t code) {
      return static_cast<Recorder *>(ctx)->Add("RST stream=" + std::to_string(stream_id) +
                                               " code=" + std::to_string(code));
    };
    v.on_settings = [](void *ctx, const cn_spdy_setting *s, size_t num, bool ack) {
      std::string e = "SETTINGS ack=" + std::to_string(ack);
      for (size_t i = 0; i < num; i++)
        e += " [" + std::to_string(s[i].id) + "=" + std::to_string(s[i].value) +
             " flags=" + std::to_string(s[i].spdy_flags) + "]";
      return static_cast<Recorder *>(ctx)->Add(e);
    };
    v.on_ping = [](void *ctx, uint64_t opaque, bool ack) {
      return static_cast<Recorder *>(ctx)->Add("PING " + std::to_string(opaque) +
                                               " ack=" + std::to_string(ack));
    };
    v.on_goaway = [](void *ctx, uint32_t last, uint32_t code, const uint8_t *debug,
                     size_t debug_len) {
      return static_cast<Recorder *>(ctx)->Add(
          "GOAWAY last=" + std::to_string(last) + " code=" + std::to_string(code) +
          " debug=" + std::string(reinterpret_cast<const char *>(debug), debug_len));
    };
    v.on_window_update = [](void *ctx, uint32_t stream_id, uint32_t delta) {
      return static_cast<Recorder *>(ctx)->Add("WINDOW stream=" + std::to_string(stream_id) +
                                               " delta=" + std::to_string(delta));
    };
    v.on_priority = [](void *ctx, uint32_t, uint32_t, bool, uint16_t) {
      return static_cast<Recorder *>(ctx)->Add("PRIORITY");
    };
    return v;
  }
};

std::vector<cn_spdy_header> ToC(const Headers &h) {
  std::vector<cn_spdy_header> out;
  for (const auto &kv : h)
    out.push_back({kv.first.data(), kv.first.size(), kv.second.data(), kv.second.size()});
  return out;
}

// One framer per side: |client| writes what |server| reads and back.
class Spdy3FramerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = cn_spdy3_framer_new(false, nullptr);
    server_ = cn_spdy3_framer_new(true, nullptr);
    cn_bytebuf_init(&out_);
  }
  void TearDown() override {
    cn_spdy_framer_destroy(client_);
    cn_spdy_framer_destroy(server_);
    cn_bytebuf_free(&out_);
  }

  // Encodes with |f| into a fresh string.
  std::string WriteHeaders(cn_spdy_framer *f, cn_spdy_headers_kind kind, uint32_t stream_id,
                           const Headers &h, bool fin = false, int priority = -1,
                           uint32_t assoc = 0, int expect = CN_OK) {
    std::vector<cn_spdy_header> c = ToC(h);
    cn_spdy_headers_frame frame;
    memset(&frame, 0, sizeof(frame));
    frame.stream_id = stream_id;
    frame.kind = kind;
    frame.fin = fin;
    frame.has_priority = priority >= 0;
    frame.spdy_priority = static_cast<uint8_t>(priority < 0 ? 0 : priority);
    frame.associated_stream_id = assoc;
    frame.headers = c.data();
    frame.num_headers = c.size();
    cn_bytebuf_clear(&out_);
    EXPECT_EQ(expect, cn_spdy_framer_write_headers(f, &frame, &out_));
    return Str(out_);
  }

  static int Feed(cn_spdy_framer *f, const std::string &bytes, Recorder *r) {
    cn_spdy_frame_visitor v = r->Visitor();
    return cn_spdy_framer_process(f, reinterpret_cast<const uint8_t *>(bytes.data()),
                                  bytes.size(), &v);
  }

  // Feeds |bytes| to a fresh server-side framer with |limits| (or defaults);
  // returns the result of the call that failed, or CN_OK.
  static int DecodeFresh(const std::string &bytes, Recorder *r,
                         const cn_spdy_framer_limits *limits = nullptr, bool is_server = true) {
    cn_spdy_framer *f = cn_spdy3_framer_new(is_server, limits);
    int rv = Feed(f, bytes, r);
    // Sticky: any later input gets the same error back, and no events.
    if (rv < 0) {
      size_t before = r->events.size();
      EXPECT_EQ(rv, Feed(f, Data(1, 0, "x"), r));
      EXPECT_EQ(before, r->events.size());
    }
    cn_spdy_framer_destroy(f);
    return rv;
  }

  cn_spdy_framer *client_ = nullptr;
  cn_spdy_framer *server_ = nullptr;
  cn_bytebuf out_;
};

const Headers kGetViaProxy = {
    {":method", "GET"},   {":path", "http://origin/"}, {":version", "HTTP/1.1"},
    {":host", "origin"},  {":scheme", "http"},         {"user-agent", "cnet"},
};
const Headers kConnect = {
    {":method", "CONNECT"},
    {":path", "origin:443"},
    {":version", "HTTP/1.1"},
    {":host", "origin:443"},
};
const Headers kReply200 = {{":status", "200"}, {":version", "HTTP/1.1"}};

TEST_F(Spdy3FramerTest, ProtocolAndNoOps) {
  EXPECT_EQ(CN_PROTO_SPDY31, cn_spdy_framer_protocol(client_));
  cn_spdy_framer_write_preface(client_, &out_);
  cn_spdy_framer_write_settings_ack(client_, &out_);
  cn_spdy_framer_set_peer_max_frame_size(client_, 100);
  cn_spdy_framer_set_peer_header_table_size(client_, 0);
  EXPECT_EQ(0u, cn_bytebuf_len(&out_));
  // A server framer expects no preface either: a frame is read at once.
  Recorder r;
  cn_spdy_framer_write_ping(client_, 1, false, &out_);
  EXPECT_EQ(CN_OK, Feed(server_, Str(out_), &r));
  EXPECT_EQ(std::vector<std::string>{"PING 1 ack=0"}, r.events);
}

// The flows of the seed: F4's SYN_STREAM GET http://origin/ and F5's CONNECT,
// each answered by a SYN_REPLY 200, then DATA both ways.
TEST_F(Spdy3FramerTest, SeedFlowsRoundTrip) {
  std::string wire = WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, kGetViaProxy, true, 2);
  wire += WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 3, kConnect, false, 0);
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_data(client_, 3, reinterpret_cast<const uint8_t *>("\x16\x03\x01"), 3,
                            false, &out_);
  wire += Str(out_);
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, wire, &r));
  EXPECT_EQ((std::vector<std::string>{
                "HEADERS REQUEST stream=1 fin=1 has_pri=1 pri=2 assoc=0 [:method: GET] "
                "[:path: http://origin/] [:version: HTTP/1.1] [:host: origin] [:scheme: http] "
                "[user-agent: cnet]",
                "HEADERS REQUEST stream=3 fin=0 has_pri=1 pri=0 assoc=0 [:method: CONNECT] "
                "[:path: origin:443] [:version: HTTP/1.1] [:host: origin:443]",
                "DATA stream=3 len=3 fin=0 flow=3 data=\x16\x03\x01",
            }),
            r.events);

  std::string back = WriteHeaders(server_, CN_SPDY_HEADERS_RESPONSE, 1, kReply200);
  back += WriteHeaders(server_, CN_SPDY_HEADERS_RESPONSE, 3, kReply200);
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_data(server_, 1, reinterpret_cast<const uint8_t *>("hello"), 5, true,
                            &out_);
  back += Str(out_);
  Recorder rc;
  ASSERT_EQ(CN_OK, Feed(client_, back, &rc));
  EXPECT_EQ((std::vector<std::string>{
                "HEADERS RESPONSE stream=1 fin=0 has_pri=0 pri=0 assoc=0 [:status: 200] "
                "[:version: HTTP/1.1]",
                "HEADERS RESPONSE stream=3 fin=0 has_pri=0 pri=0 assoc=0 [:status: 200] "
                "[:version: HTTP/1.1]",
                "DATA stream=1 len=5 fin=1 flow=5 data=hello",
            }),
            rc.events);
}

// Every frame type, written by one side and read by the other.
TEST_F(Spdy3FramerTest, RoundTripEveryFrame) {
  std::string c2s;
  c2s += WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 5, {{":method", "POST"}}, false, 7);
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_data(client_, 5, reinterpret_cast<const uint8_t *>("body"), 4, false,
                            &out_);
  cn_spdy_framer_write_data(client_, 5, nullptr, 0, true, &out_);
  cn_spdy_framer_write_rst_stream(client_, 5, CN_SPDY3_CANCEL, &out_);
  cn_spdy_setting settings[] = {
      {CN_SPDY3_SETTINGS_MAX_CONCURRENT_STREAMS, 100, 0},
      {CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE, 65536, 2},
  };
  cn_spdy_framer_write_settings(client_, settings, 2, &out_);
  cn_spdy_framer_write_settings(client_, nullptr, 0, &out_);
  cn_spdy_framer_write_ping(client_, 0x100000001ull, false, &out_);  // low 32 bits go out
  cn_spdy_framer_write_ping(client_, 2, true, &out_);                // echo of a server ping
  cn_spdy_framer_write_goaway(client_, 0x80000007u, CN_SPDY3_GOAWAY_PROTOCOL_ERROR, &out_);
  cn_spdy_framer_write_window_update(client_, 0, 0x7fffffff, &out_);
  cn_spdy_framer_write_window_update(client_, 5, 1, &out_);
  c2s += Str(out_);
  c2s += WriteHeaders(client_, CN_SPDY_HEADERS_TRAILERS, 5, {{"x-trailer", "t"}}, true);

  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, c2s, &r));
  EXPECT_EQ((std::vector<std::string>{
                "HEADERS REQUEST stream=5 fin=0 has_pri=1 pri=7 assoc=0 [:method: POST]",
                "DATA stream=5 len=4 fin=0 flow=4 data=body",
                "DATA stream=5 len=0 fin=1 flow=0 data=",
                "RST stream=5 code=5",
                "SETTINGS ack=0 [4=100 flags=0] [7=65536 flags=2]",
                "SETTINGS ack=0",
                "PING 1 ack=0",  // odd: a client's ping, not ours (we are the server)
                "PING 2 ack=1",  // even: the server's own ping coming back
                "GOAWAY last=7 code=1 debug=",
                "WINDOW stream=0 delta=2147483647",
                "WINDOW stream=5 delta=1",
                "HEADERS TRAILERS stream=5 fin=1 has_pri=0 pri=0 assoc=0 [x-trailer: t]",
            }),
            r.events);

  // Server → client, including a pushed stream (SYN_STREAM with an
  // associated stream id).
  std::string s2c =
      WriteHeaders(server_, CN_SPDY_HEADERS_RESPONSE, 5, kReply200, false);
  s2c += WriteHeaders(server_, CN_SPDY_HEADERS_REQUEST, 2, {{":path", "/pushed"}}, false, 1, 5);
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_ping(server_, 1, true, &out_);
  cn_spdy_framer_write_ping(server_, 4, false, &out_);
  s2c += Str(out_);
  Recorder rc;
  ASSERT_EQ(CN_OK, Feed(client_, s2c, &rc));
  EXPECT_EQ((std::vector<std::string>{
                "HEADERS RESPONSE stream=5 fin=0 has_pri=0 pri=0 assoc=0 [:status: 200] "
                "[:version: HTTP/1.1]",
                "HEADERS REQUEST stream=2 fin=0 has_pri=1 pri=1 assoc=5 [:path: /pushed]",
                "PING 1 ack=1",
                "PING 4 ack=0",
            }),
            rc.events);
}

// The fixed frames, byte for byte against the spec's layouts.
TEST_F(Spdy3FramerTest, FixedFramesWireBytes) {
  cn_spdy_framer_write_rst_stream(client_, 0x80000003u, CN_SPDY3_REFUSED_STREAM, &out_);
  EXPECT_EQ("8003000300000008" "00000003" "00000003", Hex(Str(out_)));
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_ping(client_, 0xdeadbeef, false, &out_);
  EXPECT_EQ("8003000600000004" "deadbeef", Hex(Str(out_)));
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_goaway(client_, 9, CN_SPDY3_GOAWAY_INTERNAL_ERROR, &out_);
  EXPECT_EQ("8003000700000008" "00000009" "00000002", Hex(Str(out_)));
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_window_update(client_, 0, 0x10000, &out_);
  EXPECT_EQ("8003000900000008" "00000000" "00010000", Hex(Str(out_)));
  cn_bytebuf_clear(&out_);
  cn_spdy_setting s = {CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE, 0x12345678, 1};
  cn_spdy_framer_write_settings(client_, &s, 1, &out_);
  EXPECT_EQ("800300040000000c" "00000001" "01000007" "12345678", Hex(Str(out_)));
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_data(client_, 7, reinterpret_cast<const uint8_t *>("ab"), 2, true, &out_);
  EXPECT_EQ("00000007" "01000002" "6162", Hex(Str(out_)));
}

// Our SYN_STREAM, checked with the test's own zlib stream: the fixed part,
// the zlib header naming the SPDY/3 dictionary, and the name/value block.
TEST_F(Spdy3FramerTest, SynStreamWireFormat) {
  Headers h = {{":method", "GET"}, {"accept", "a"}, {":path", "/"}, {"accept", "b"},
               {"empty", ""}};
  std::string wire = WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, h, true, 5, 0);
  ASSERT_GT(wire.size(), 18u);
  EXPECT_EQ("80030001" "01", Hex(wire.substr(0, 5)));  // control, v3, SYN_STREAM, FIN
  EXPECT_EQ(wire.size() - 8, (static_cast<unsigned char>(wire[5]) << 16 |
                              static_cast<unsigned char>(wire[6]) << 8 |
                              static_cast<unsigned char>(wire[7])));
  EXPECT_EQ("00000001" "00000000" "a0" "00", Hex(wire.substr(8, 10)));  // pri 5 << 5, slot 0
  // zlib header with FDICT, then the dictionary's Adler-32 (the spec's
  // dictionary id, as independent implementations compute it).
  EXPECT_EQ(0x20, static_cast<unsigned char>(wire[19]) & 0x20);
  EXPECT_EQ("e3c6a7c2", Hex(wire.substr(20, 4)));
  // The block ends with the sync flush's empty stored block.
  EXPECT_EQ("0000ffff", Hex(wire.substr(wire.size() - 4)));

  PeerInflater peer;
  std::string raw = peer.Decompress(wire.substr(18));
  // Same-name headers folded into one NUL-joined value, in order; four
  // distinct names.
  EXPECT_EQ(RawBlock({{":method", "GET"},
                      {"accept", std::string("a\0b", 3)},
                      {":path", "/"},
                      {"empty", ""}}),
            raw);

  // The next block continues the same zlib stream (no new zlib header).
  std::string wire2 = WriteHeaders(client_, CN_SPDY_HEADERS_TRAILERS, 1, {{"x", "y"}});
  EXPECT_EQ("8003000800", Hex(wire2.substr(0, 5)));
  EXPECT_EQ(RawBlock({{"x", "y"}}), peer.Decompress(wire2.substr(12)));
}

// A known answer from an independent implementation: these frames were
// written by node's spdy-transport 3.0.0 (its own framer and zlib binding):
// requestFrame({id: 1, fin: true, method: 'GET', path: 'http://origin/',
// host: 'origin', scheme: 'http', priority: 3, headers: {'user-agent': 'kat',
// accept: ['a', 'b']}}), then requestFrame({id: 3, method: 'CONNECT', path:
// 'origin:443', host: 'origin:443', scheme: 'https'}) on the same stream.
TEST_F(Spdy3FramerTest, KnownAnswerFromSpdyTransport) {
  const std::string wire = Unhex(
      "800300010100005a0000000100000000600038ace3c6a7c202a5458c04cf9c9d588252e43227322481545a21"
      "d2b6bb6b0828f15a614fc8ac560589e0928d2fa3a4a4c04a5f1f9256f5c186142767a4e6828b2a90245835b4"
      "3882266900000000ffff8003000100000030000000030000000060000209a15ac7eeecefe7e7ea4c94955c10"
      "43ac4c4c8c51ad630559578c6c1f925200000000ffff");
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, wire, &r));
  EXPECT_EQ((std::vector<std::string>{
                "HEADERS REQUEST stream=1 fin=1 has_pri=1 pri=3 assoc=0 [user-agent: kat] "
                "[accept: a] [accept: b] [:method: GET] [:version: HTTP/1.1] "
                "[:path: http://origin/] [:scheme: http] [:host: origin]",
                "HEADERS REQUEST stream=3 fin=0 has_pri=1 pri=3 assoc=0 [:method: CONNECT] "
                "[:version: HTTP/1.1] [:path: origin:443] [:scheme: https] [:host: origin:443]",
            }),
            r.events);
  // The second frame alone does not decode: it depends on the first's
  // compression state.
  Recorder r2;
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR, DecodeFresh(wire.substr(98), &r2));
  EXPECT_TRUE(r2.events.empty());
}

// Blocks from a peer whose zlib uses other settings (level 9, 32 KiB window).
TEST_F(Spdy3FramerTest, DecodesAnyPeerCompressionSettings) {
  PeerDeflater peer(9, 15);
  std::string wire;
  for (uint32_t id = 1; id <= 9; id += 2)
    wire += Control(1, 0, Be32(id) + Be32(0) + std::string("\x40\x00", 2) +
                              peer.Compress(RawBlock({{":path", "/" + std::to_string(id)}})));
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, wire, &r));
  ASSERT_EQ(5u, r.header_lists.size());
  EXPECT_EQ((Headers{{":path", "/9"}}), r.header_lists[4]);
}

TEST_F(Spdy3FramerTest, MultiValueHeaders) {
  // Decoding: one NUL-joined value becomes one entry per value.
  PeerDeflater peer;
  std::string wire = Control(2, 0, Be32(1) + peer.Compress(RawBlock({
                                                 {"set-cookie", std::string("a=1\0b=2\0c=3", 11)},
                                                 {"vary", "x"},
                                             })));
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(client_, wire, &r));
  ASSERT_EQ(1u, r.header_lists.size());
  EXPECT_EQ((Headers{{"set-cookie", "a=1"}, {"set-cookie", "b=2"}, {"set-cookie", "c=3"},
                     {"vary", "x"}}),
            r.header_lists[0]);

  // Encoding joins them again (empty values dropped from a join), and the
  // round trip gives the entries back grouped by name.
  std::string w2 = WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1,
                                {{"cookie", "a"}, {"x", "1"}, {"cookie", ""}, {"cookie", "b"}});
  Recorder rs;
  ASSERT_EQ(CN_OK, Feed(server_, w2, &rs));
  ASSERT_EQ(1u, rs.header_lists.size());
  EXPECT_EQ((Headers{{"cookie", "a"}, {"cookie", "b"}, {"x", "1"}}), rs.header_lists[0]);
}

// One compression context per direction, kept across frames: later blocks
// repeating earlier headers shrink, and all of them decode.
TEST_F(Spdy3FramerTest, SequenceReusesCompressionContext) {
  std::vector<size_t> sizes;
  std::string wire;
  for (uint32_t i = 0; i < 50; i++) {
    Headers h = kGetViaProxy;
    h.push_back({"cookie", "session=0123456789abcdef0123456789abcdef"});
    h.push_back({"x-request", std::to_string(i)});
    std::string f = WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 2 * i + 1, h, true, 3);
    sizes.push_back(f.size());
    wire += f;
  }
  EXPECT_LT(sizes[1] * 2, sizes[0]);  // the repeat costs a fraction of the first
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, wire, &r));
  ASSERT_EQ(50u, r.header_lists.size());
  EXPECT_EQ("49", r.header_lists[49].back().second);
  EXPECT_EQ("session=0123456789abcdef0123456789abcdef", r.header_lists[49][6].second);
  // Interleaving another framer's blocks would break the stream: a fresh
  // reader fails on any block but the first.
  Recorder bad;
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR,
            DecodeFresh(wire.substr(sizes[0], sizes[1]), &bad));
}

// A mixed stream of frames, whole, byte by byte and at random splits.
TEST_F(Spdy3FramerTest, AnySplitGivesTheSameEvents) {
  std::string wire;
  std::mt19937 rng(1234);
  std::string big(70000, '\0');
  for (char &c : big)
    c = static_cast<char>(rng());
  for (uint32_t i = 0; i < 6; i++) {
    uint32_t id = 2 * i + 1;
    wire += WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, id, kGetViaProxy, false, i % 8);
    cn_bytebuf_clear(&out_);
    cn_spdy_framer_write_data(client_, id, reinterpret_cast<const uint8_t *>(big.data()),
                              i == 2 ? big.size() : i * 100, i % 2, &out_);
    cn_spdy_framer_write_window_update(client_, 0, 1000 + i, &out_);
    cn_spdy_framer_write_ping(client_, i, false, &out_);
    cn_spdy_setting s = {CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE, i, 0};
    cn_spdy_framer_write_settings(client_, &s, 1, &out_);
    wire += Str(out_);
    wire += Control(10, 0, std::string(i * 7, 'c'));  // CREDENTIAL: ignored
    wire += WriteHeaders(client_, CN_SPDY_HEADERS_TRAILERS, id, {{"t", std::to_string(i)}}, true);
    cn_bytebuf_clear(&out_);
    cn_spdy_framer_write_rst_stream(client_, id, CN_SPDY3_CANCEL, &out_);
    cn_spdy_framer_write_goaway(client_, id, 0, &out_);
    wire += Str(out_);
  }

  Recorder whole;
  ASSERT_EQ(CN_OK, DecodeFresh(wire, &whole));
  ASSERT_EQ(6u * 8, whole.events.size());  // CREDENTIAL gives none

  {
    Recorder r;
    cn_spdy_framer *f = cn_spdy3_framer_new(true, nullptr);
    for (char c : wire)
      ASSERT_EQ(CN_OK, Feed(f, std::string(1, c), &r));
    cn_spdy_framer_destroy(f);
    EXPECT_EQ(whole.events, r.events);
  }
  for (int round = 0; round < 20; round++) {
    Recorder r;
    cn_spdy_framer *f = cn_spdy3_framer_new(true, nullptr);
    size_t pos = 0;
    while (pos < wire.size()) {
      size_t n = rng() % (round < 10 ? 16 : 20000);
      n = std::min(n, wire.size() - pos);
      ASSERT_EQ(CN_OK, Feed(f, wire.substr(pos, n), &r));  // empty chunks too
      pos += n;
    }
    cn_spdy_framer_destroy(f);
    EXPECT_EQ(whole.events, r.events) << "round " << round;
  }
}

TEST_F(Spdy3FramerTest, UnknownControlFramesAreSkipped) {
  std::string ping = Control(6, 0, Be32(3));
  std::string wire = Control(10, 0, "credential") + Control(5, 0, "") +
                     Control(0xffff, 0xff, std::string(5000, 'z')) + ping;
  Recorder r;
  EXPECT_EQ(CN_OK, DecodeFresh(wire, &r));
  EXPECT_EQ(std::vector<std::string>{"PING 3 ack=0"}, r.events);
  // Split inside the skipped payload too.
  Recorder r2;
  cn_spdy_framer *f = cn_spdy3_framer_new(true, nullptr);
  for (size_t pos = 0; pos < wire.size(); pos += 333)
    ASSERT_EQ(CN_OK, Feed(f, wire.substr(pos, 333), &r2));
  cn_spdy_framer_destroy(f);
  EXPECT_EQ(r.events, r2.events);
  // Still bounded by the frame limit.
  cn_spdy_framer_limits limits;
  cn_spdy_framer_limits_init(&limits, CN_PROTO_SPDY31);
  limits.max_frame_payload = 4999;
  Recorder r3;
  EXPECT_EQ(CN_ERR_HTTP2_FRAME_SIZE_ERROR, DecodeFresh(wire, &r3, &limits));
}

TEST_F(Spdy3FramerTest, RejectsOtherVersions) {
  Recorder r;
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, DecodeFresh(Control(6, 0, Be32(1), 2), &r));
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, DecodeFresh(Control(6, 0, Be32(1), 4), &r));
  // Caught from the header alone: nothing of the payload is needed.
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, DecodeFresh(Control(6, 0, Be32(1), 2).substr(0, 8), &r));
  EXPECT_TRUE(r.events.empty());
}

TEST_F(Spdy3FramerTest, RejectsWrongFixedSizes) {
  struct Case {
    uint16_t type;
    size_t len;
  } cases[] = {
      {3, 4},  {3, 12}, {6, 0},  {6, 8}, {7, 4}, {7, 12}, {9, 4}, {9, 0},
      {4, 0},  {4, 5},  {4, 11}, {1, 9}, {1, 0}, {2, 3},  {8, 0}, {8, 2},
  };
  for (const Case &c : cases) {
    Recorder r;
    EXPECT_EQ(CN_ERR_HTTP2_FRAME_SIZE_ERROR,
              DecodeFresh(Control(c.type, 0, std::string(c.len, '\x01')), &r))
        << "type " << c.type << " len " << c.len;
    EXPECT_TRUE(r.events.empty());
  }
  // SETTINGS whose count disagrees with its length.
  Recorder r;
  EXPECT_EQ(CN_ERR_HTTP2_FRAME_SIZE_ERROR,
            DecodeFresh(Control(4, 0, Be32(2) + Be32(4) + Be32(100)), &r));
  EXPECT_EQ(CN_ERR_HTTP2_FRAME_SIZE_ERROR, DecodeFresh(Control(4, 0, Be32(0) + Be32(4) + Be32(1)), &r));
  EXPECT_TRUE(r.events.empty());
}

TEST_F(Spdy3FramerTest, RejectsFramesOverTheLimit) {
  cn_spdy_framer_limits limits;
  cn_spdy_framer_limits_init(&limits, CN_PROTO_SPDY31);
  EXPECT_EQ((1u << 24) - 1, limits.max_frame_payload);
  limits.max_frame_payload = 1000;
  Recorder r;
  EXPECT_EQ(CN_OK, DecodeFresh(Data(1, 0, std::string(1000, 'd')), &r, &limits));
  EXPECT_EQ(1u, r.events.size());
  // Refused from the 8-byte header, before any payload arrives.
  EXPECT_EQ(CN_ERR_HTTP2_FRAME_SIZE_ERROR,
            DecodeFresh(Data(1, 0, std::string(1001, 'd')).substr(0, 8), &r, &limits));
  EXPECT_EQ(CN_ERR_HTTP2_FRAME_SIZE_ERROR,
            DecodeFresh(Control(1, 0, std::string(1001, 'd')).substr(0, 8), &r, &limits));
  EXPECT_EQ(1u, r.events.size());
}

TEST_F(Spdy3FramerTest, RejectsHeaderBlocksOverTheLimit) {
  cn_spdy_framer_limits limits;
  cn_spdy_framer_limits_init(&limits, CN_PROTO_SPDY31);
  limits.max_header_block = 100;
  Recorder r;
  // 10 fixed bytes + 101 of block: refused from the header.
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR,
            DecodeFresh(Control(1, 0, std::string(111, 'b')).substr(0, 8), &r, &limits));
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR,
            DecodeFresh(Control(2, 0, std::string(105, 'b')).substr(0, 8), &r, &limits));
  // Exactly at the limit the block is taken; one byte less and it is not.
  Recorder ok;
  PeerDeflater peer(9);
  std::string good = peer.Compress(RawBlock({{"a", std::string(60, 'v')}}));
  limits.max_header_block = good.size();
  EXPECT_EQ(CN_OK, DecodeFresh(Control(2, 0, Be32(1) + good), &ok, &limits));
  EXPECT_EQ(1u, ok.events.size());
  limits.max_header_block = good.size() - 1;
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR,
            DecodeFresh(Control(2, 0, Be32(1) + good), &ok, &limits));
  EXPECT_EQ(1u, ok.events.size());
}

TEST_F(Spdy3FramerTest, RejectsStreamZero) {
  PeerDeflater p1, p2, p3;
  std::string block = RawBlock({{"a", "b"}});
  std::string cases[] = {
      Data(0, 0, "x"),
      Data(0x80000000u, 1, ""),  // the reserved bit is not part of the id
      Control(1, 0, Be32(0) + Be32(0) + std::string(2, '\0') + p1.Compress(block)),
      Control(2, 0, Be32(0x80000000u) + p2.Compress(block)),
      Control(8, 0, Be32(0) + p3.Compress(block)),
      Control(3, 0, Be32(0) + Be32(CN_SPDY3_CANCEL)),
  };
  for (const std::string &c : cases) {
    Recorder r;
    EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, DecodeFresh(c, &r)) << Hex(c.substr(0, 8));
    EXPECT_TRUE(r.events.empty());
  }
  // Where stream 0 means the session it is accepted: WINDOW_UPDATE (and
  // GOAWAY's last-good-stream-id before any stream).
  Recorder r;
  EXPECT_EQ(CN_OK, DecodeFresh(Control(9, 0, Be32(0) + Be32(5)) +
                                   Control(7, 0, Be32(0) + Be32(0)),
                               &r));
  EXPECT_EQ((std::vector<std::string>{"WINDOW stream=0 delta=5", "GOAWAY last=0 code=0 debug="}),
            r.events);
}

// Name/value blocks that decompress fine but break §2.6.10.
TEST_F(Spdy3FramerTest, RejectsMalformedBlocks) {
  struct Case {
    std::string raw;
    int expect;
    const char *what;
  } cases[] = {
      {RawBlock({{"Host", "x"}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "upper-case name"},
      {RawBlock({{"ok", "1"}, {"x-Foo", "x"}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "upper-case inside"},
      {RawBlock({{"", "x"}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "empty name"},
      {RawBlock({{std::string("a\0b", 3), "x"}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "NUL in name"},
      {RawBlock({{"a", std::string("\0x", 2)}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "leading NUL"},
      {RawBlock({{"a", std::string("x\0", 2)}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "trailing NUL"},
      {RawBlock({{"a", std::string("x\0\0y", 4)}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "empty piece"},
      {RawBlock({{"a", std::string("\0", 1)}}), CN_ERR_HTTP2_PROTOCOL_ERROR, "NUL alone"},
      {RawBlock({{"a", "b"}}, 2), CN_ERR_HTTP2_PROTOCOL_ERROR, "count over the pairs"},
      {RawBlock({{"a", "b"}}, 0), CN_ERR_HTTP2_PROTOCOL_ERROR, "bytes after the pairs"},
      {RawBlock({{"a", "b"}}, 0xffffffff), CN_ERR_HTTP2_PROTOCOL_ERROR, "absurd count"},
      {RawBlock({{"a", "bcd"}}).substr(0, 12), CN_ERR_HTTP2_PROTOCOL_ERROR, "truncated value"},
      {RawBlock({{"abc", "d"}}).substr(0, 6), CN_ERR_HTTP2_PROTOCOL_ERROR, "truncated name"},
      {RawBlock({{"a", "b"}}).substr(0, 9), CN_ERR_HTTP2_PROTOCOL_ERROR, "no value length"},
      {std::string("\0\0\0", 3), CN_ERR_HTTP2_PROTOCOL_ERROR, "short count"},
      {"", CN_ERR_HTTP2_PROTOCOL_ERROR, "nothing"},
      {RawBlock({}), CN_OK, "no headers is fine"},
      {RawBlock({{"a", ""}}), CN_OK, "empty value is fine"},
      {RawBlock({{":a", "\x01\xff"}}), CN_OK, "any other byte is fine"},
  };
  for (const Case &c : cases) {
    for (uint16_t type : {1, 2, 8}) {
      PeerDeflater peer;
      std::string fixed = type == 1 ? Be32(1) + Be32(0) + std::string(2, '\0') : Be32(1);
      Recorder r;
      EXPECT_EQ(c.expect, DecodeFresh(Control(type, 0, fixed + peer.Compress(c.raw)), &r))
          << c.what << " in type " << type;
      EXPECT_EQ(c.expect == CN_OK ? 1u : 0u, r.events.size()) << c.what;
    }
  }
}

TEST_F(Spdy3FramerTest, RejectsBadZlib) {
  PeerDeflater peer;
  std::string good = peer.Compress(RawBlock(kGetViaProxy));
  Recorder r;
  // Not zlib at all.
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR,
            DecodeFresh(Control(2, 0, Be32(1) + "this is not zlib data"), &r));
  // Corrupted in the middle.
  std::string bad = good;
  for (size_t i = 8; i < 20; i++)
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  int rv = DecodeFresh(Control(2, 0, Be32(1) + bad), &r);
  EXPECT_TRUE(rv == CN_ERR_HTTP2_COMPRESSION_ERROR || rv == CN_ERR_HTTP2_PROTOCOL_ERROR) << rv;
  // Primed with another dictionary (zlib checks the dictionary id).
  {
    z_stream z;
    memset(&z, 0, sizeof(z));
    ASSERT_EQ(Z_OK, deflateInit(&z, 6));
    static const unsigned char kOther[] = "some other dictionary";
    ASSERT_EQ(Z_OK, deflateSetDictionary(&z, kOther, sizeof(kOther)));
    std::string raw = RawBlock({{"a", "b"}});
    unsigned char buf[256];
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.data()));
    z.avail_in = static_cast<uInt>(raw.size());
    z.next_out = buf;
    z.avail_out = sizeof(buf);
    ASSERT_EQ(Z_OK, deflate(&z, Z_SYNC_FLUSH));
    std::string other(reinterpret_cast<char *>(buf), sizeof(buf) - z.avail_out);
    deflateEnd(&z);
    EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR, DecodeFresh(Control(2, 0, Be32(1) + other), &r));
  }
  // A block that ends the zlib stream: SPDY's stream never ends.
  {
    z_stream z;
    memset(&z, 0, sizeof(z));
    ASSERT_EQ(Z_OK, deflateInit(&z, 6));
    ASSERT_EQ(Z_OK, deflateSetDictionary(&z, cn_spdy3_dictionary, CN_SPDY3_DICTIONARY_LEN));
    std::string raw = RawBlock({{"a", "b"}});
    unsigned char buf[256];
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.data()));
    z.avail_in = static_cast<uInt>(raw.size());
    z.next_out = buf;
    z.avail_out = sizeof(buf);
    ASSERT_EQ(Z_STREAM_END, deflate(&z, Z_FINISH));
    std::string ended(reinterpret_cast<char *>(buf), sizeof(buf) - z.avail_out);
    deflateEnd(&z);
    EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR, DecodeFresh(Control(2, 0, Be32(1) + ended), &r));
  }
  // A block cut short: its name/value data is incomplete.
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR,
            DecodeFresh(Control(2, 0, Be32(1) + good.substr(0, good.size() / 2)), &r));
  EXPECT_TRUE(r.events.empty());
}

// A zlib bomb: a few KiB that inflate to megabytes. Refused without
// allocating past the limit; exactly at the limit it is accepted.
TEST_F(Spdy3FramerTest, RejectsZlibBomb) {
  std::string raw = RawBlock({{"x", std::string(8 << 20, 'a')}});
  PeerDeflater peer(9);
  std::string bomb = peer.Compress(raw);
  ASSERT_LT(bomb.size(), 16u * 1024);  // under max_header_block (256 KiB)
  Recorder r;
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR, DecodeFresh(Control(2, 0, Be32(1) + bomb), &r));
  EXPECT_TRUE(r.events.empty());

  // The inflater's own bound: its buffer never exceeds the limit.
  for (size_t limit : {size_t{0}, size_t{1000}, size_t{256 * 1024}, raw.size() - 1}) {
    cn_spdy3_inflater inf;
    cn_spdy3_inflater_init(&inf);
    const uint8_t *out;
    size_t out_len;
    EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR,
              cn_spdy3_inflate_block(&inf, reinterpret_cast<const uint8_t *>(bomb.data()),
                                     bomb.size(), limit, &out, &out_len));
    EXPECT_LE(inf.cap, limit);
    cn_spdy3_inflater_free(&inf);
  }
  {
    cn_spdy3_inflater inf;
    cn_spdy3_inflater_init(&inf);
    const uint8_t *out;
    size_t out_len;
    ASSERT_EQ(CN_OK,
              cn_spdy3_inflate_block(&inf, reinterpret_cast<const uint8_t *>(bomb.data()),
                                     bomb.size(), raw.size(), &out, &out_len));
    EXPECT_EQ(raw.size(), out_len);
    EXPECT_TRUE(memcmp(raw.data(), out, out_len) == 0);
    cn_spdy3_inflater_free(&inf);
  }
}

// The decoded list counts name + value + 32 per entry against
// max_header_list, split values each counted.
TEST_F(Spdy3FramerTest, HeaderListLimit) {
  cn_spdy_framer_limits limits;
  cn_spdy_framer_limits_init(&limits, CN_PROTO_SPDY31);
  std::string raw = RawBlock({{"ab", std::string("xyz\0uv", 6)}});
  limits.max_header_list = (2 + 3 + 32) + (2 + 2 + 32);
  for (int extra : {0, -1}) {
    cn_spdy_framer_limits l = limits;
    l.max_header_list += extra;
    PeerDeflater peer;
    Recorder r;
    EXPECT_EQ(extra == 0 ? CN_OK : CN_ERR_HTTP2_COMPRESSION_ERROR,
              DecodeFresh(Control(2, 0, Be32(1) + peer.Compress(raw)), &r, &l));
  }
}

TEST_F(Spdy3FramerTest, SettingsIgnoreUnknownAndRepeatedIds) {
  std::string payload = Be32(6);
  payload += std::string("\x01\x00\x00\x04", 4) + Be32(100);  // persist, MAX_CONCURRENT
  payload += std::string("\x00\x00\x00\x09", 4) + Be32(1);    // unknown id 9
  payload += std::string("\x00\x01\x00\x04", 4) + Be32(5);    // unknown id 0x10004
  payload += std::string("\x02\x00\x00\x07", 4) + Be32(1 << 20);  // persisted, INITIAL_WINDOW
  payload += std::string("\x00\x00\x00\x04", 4) + Be32(1);    // repeat: first one wins
  payload += std::string("\x00\x00\x00\x00", 4) + Be32(1);    // id 0
  Recorder r;
  EXPECT_EQ(CN_OK, DecodeFresh(Control(4, 1, payload), &r));
  EXPECT_EQ(std::vector<std::string>{"SETTINGS ack=0 [4=100 flags=1] [7=1048576 flags=2]"},
            r.events);
}

TEST_F(Spdy3FramerTest, VisitorErrorStopsAndSticks) {
  cn_bytebuf_clear(&out_);
  cn_spdy_framer_write_ping(client_, 1, false, &out_);
  cn_spdy_framer_write_ping(client_, 3, false, &out_);
  cn_spdy_framer_write_ping(client_, 5, false, &out_);
  Recorder r;
  r.fail_at = 1;
  r.fail_with = CN_ERR_HTTP2_FLOW_CONTROL_ERROR;
  EXPECT_EQ(CN_ERR_HTTP2_FLOW_CONTROL_ERROR, Feed(server_, Str(out_), &r));
  EXPECT_EQ(2u, r.events.size());
  r.fail_at = -1;
  EXPECT_EQ(CN_ERR_HTTP2_FLOW_CONTROL_ERROR, Feed(server_, Str(out_), &r));
  EXPECT_EQ(2u, r.events.size());
}

// Callbacks may be NULL; header blocks are still decompressed so the stream
// stays in step.
TEST_F(Spdy3FramerTest, NullCallbacksKeepCompressionInStep) {
  std::string wire = WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, kGetViaProxy);
  wire += WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 3, kConnect);
  cn_spdy_frame_visitor none;
  memset(&none, 0, sizeof(none));
  ASSERT_EQ(CN_OK, cn_spdy_framer_process(server_,
                                          reinterpret_cast<const uint8_t *>(wire.data()),
                                          wire.size() - 3, &none));
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, wire.substr(wire.size() - 3), &r));
  ASSERT_EQ(1u, r.header_lists.size());
  EXPECT_EQ(kConnect, r.header_lists[0]);
}

TEST_F(Spdy3FramerTest, EncoderRefusesWhatSpdyCannotCarry) {
  size_t before = 0;
  WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, {{"Host", "x"}}, false, -1, 0,
               CN_ERR_INVALID_ARGUMENT);
  WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, {{"", "x"}}, false, -1, 0,
               CN_ERR_INVALID_ARGUMENT);
  WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, {{"a", std::string("x\0y", 3)}}, false, -1,
               0, CN_ERR_INVALID_ARGUMENT);
  WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 0, {{"a", "b"}}, false, -1, 0,
               CN_ERR_INVALID_ARGUMENT);
  WriteHeaders(client_, CN_SPDY_HEADERS_PUSH, 1, {{"a", "b"}}, false, -1, 0,
               CN_ERR_INVALID_ARGUMENT);
  WriteHeaders(client_, CN_SPDY_HEADERS_RESPONSE, 1, {{"big", std::string(1 << 24, 'x')}}, false,
               -1, 0, CN_ERR_HTTP2_FRAME_SIZE_ERROR);
  EXPECT_EQ(before, cn_bytebuf_len(&out_));
  // Refusals left the compressor untouched: the next block still decodes,
  // and an out-of-range priority is clamped to 7; no priority writes 3.
  std::string wire = WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, {{"a", "b"}}, false, 9);
  wire += WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 3, {{"a", "b"}});
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, wire, &r));
  EXPECT_EQ((std::vector<std::string>{
                "HEADERS REQUEST stream=1 fin=0 has_pri=1 pri=7 assoc=0 [a: b]",
                "HEADERS REQUEST stream=3 fin=0 has_pri=1 pri=3 assoc=0 [a: b]",
            }),
            r.events);
}

// A large header block, compressed and decompressed across many zlib rounds.
TEST_F(Spdy3FramerTest, LargeHeaderBlock) {
  Headers h;
  std::mt19937 rng(7);
  for (int i = 0; i < 500; i++) {
    std::string v(200, '\0');
    for (char &c : v)
      c = static_cast<char>('a' + rng() % 26);
    h.push_back({"x-h" + std::to_string(i), v});
  }
  std::string wire = WriteHeaders(client_, CN_SPDY_HEADERS_REQUEST, 1, h);
  Recorder r;
  ASSERT_EQ(CN_OK, Feed(server_, wire, &r));
  ASSERT_EQ(1u, r.header_lists.size());
  EXPECT_EQ(h, r.header_lists[0]);
}

}  // namespace
