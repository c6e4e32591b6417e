// HTTP/2 framer: round trips through our encoder and decoder, known answers
// from RFC 7541 Appendix C and RFC 9113's frame layouts (so the decoder is not
// only checked against our own encoder), any input split, and every rejection.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/bytebuf.h"
#include "net/base/net_errors.h"
#include "net/spdy/http2_hpack.h"
#include "net/spdy/spdy_framer.h"
// cn_http2_framer_new is declared in the internal header, written for the C
// framers; C linkage is asked for here whether or not it asks for it itself.
extern "C" {
#include "net/spdy/spdy_framer_internal.h"
}

namespace {

const char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::string Hex(const std::string &hex) {
  std::string out;
  std::string digits;
  for (char c : hex)
    if (isxdigit(static_cast<unsigned char>(c)))
      digits += c;
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    out += static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16));
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

// A frame laid out by hand per RFC 9113 §4.1.
std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string &payload) {
  std::string s;
  s += static_cast<char>(payload.size() >> 16);
  s += static_cast<char>(payload.size() >> 8);
  s += static_cast<char>(payload.size());
  s += static_cast<char>(type);
  s += static_cast<char>(flags);
  s += Be32(stream);
  return s + payload;
}

std::string Setting(uint16_t id, uint32_t value) {
  std::string s;
  s += static_cast<char>(id >> 8);
  s += static_cast<char>(id);
  return s + Be32(value);
}

// The peer's first frame, which every framer requires.
std::string EmptySettings() { return Frame(0x4, 0, 0, ""); }

std::string Str(const cn_bytebuf &b) {
  return std::string(reinterpret_cast<const char *>(cn_bytebuf_head(&b)), cn_bytebuf_len(&b));
}

// Every event as a line, so that decodes compare as strings.
struct Recorder {
  std::vector<std::string> events;
  // For the zero-copy test: where DATA pointed.
  std::vector<const uint8_t *> data_ptrs;
  int fail_with = 0;  // returned by every callback when set

  static std::string S(const char *p, size_t n) { return std::string(p, n); }

  static int OnHeaders(void *ctx, const cn_spdy_headers_frame *f) {
    auto *r = static_cast<Recorder *>(ctx);
    std::string e = "HEADERS id=" + std::to_string(f->stream_id) +
                    " kind=" + std::to_string(f->kind) + " fin=" + std::to_string(f->fin);
    if (f->has_priority)
      e += " dep=" + std::to_string(f->depends_on) + " excl=" + std::to_string(f->exclusive) +
           " weight=" + std::to_string(f->weight);
    if (f->associated_stream_id)
      e += " promised=" + std::to_string(f->associated_stream_id);
    for (size_t i = 0; i < f->num_headers; i++)
      e += " [" + S(f->headers[i].name, f->headers[i].name_len) + ": " +
           S(f->headers[i].value, f->headers[i].value_len) + "]";
    r->events.push_back(e);
    return r->fail_with;
  }
  static int OnData(void *ctx, uint32_t id, const uint8_t *data, size_t len, bool fin,
                    size_t flow_len) {
    auto *r = static_cast<Recorder *>(ctx);
    r->events.push_back("DATA id=" + std::to_string(id) + " [" +
                        std::string(reinterpret_cast<const char *>(data), len) +
                        "] fin=" + std::to_string(fin) + " flow=" + std::to_string(flow_len));
    r->data_ptrs.push_back(data);
    return r->fail_with;
  }
  static int OnRst(void *ctx, uint32_t id, uint32_t code) {
    auto *r = static_cast<Recorder *>(ctx);
    r->events.push_back("RST id=" + std::to_string(id) + " code=" + std::to_string(code));
    return r->fail_with;
  }
  static int OnSettings(void *ctx, const cn_spdy_setting *s, size_t num, bool ack) {
    auto *r = static_cast<Recorder *>(ctx);
    std::string e = "SETTINGS ack=" + std::to_string(ack);
    for (size_t i = 0; i < num; i++)
      e += " " + std::to_string(s[i].id) + "=" + std::to_string(s[i].value);
    r->events.push_back(e);
    return r->fail_with;
  }
  static int OnPing(void *ctx, uint64_t opaque, bool ack) {
    auto *r = static_cast<Recorder *>(ctx);
    r->events.push_back("PING " + std::to_string(opaque) + " ack=" + std::to_string(ack));
    return r->fail_with;
  }
  static int OnGoaway(void *ctx, uint32_t last, uint32_t code, const uint8_t *debug,
                      size_t len) {
    auto *r = static_cast<Recorder *>(ctx);
    r->events.push_back("GOAWAY last=" + std::to_string(last) + " code=" + std::to_string(code) +
                        " [" + std::string(reinterpret_cast<const char *>(debug), len) + "]");
    return r->fail_with;
  }
  static int OnWindowUpdate(void *ctx, uint32_t id, uint32_t delta) {
    auto *r = static_cast<Recorder *>(ctx);
    r->events.push_back("WINDOW_UPDATE id=" + std::to_string(id) +
                        " delta=" + std::to_string(delta));
    return r->fail_with;
  }
  static int OnPriority(void *ctx, uint32_t id, uint32_t dep, bool excl, uint16_t weight) {
    auto *r = static_cast<Recorder *>(ctx);
    r->events.push_back("PRIORITY id=" + std::to_string(id) + " dep=" + std::to_string(dep) +
                        " excl=" + std::to_string(excl) + " weight=" + std::to_string(weight));
    return r->fail_with;
  }

  cn_spdy_frame_visitor Visitor() {
    cn_spdy_frame_visitor v = {};
    v.ctx = this;
    v.on_headers = OnHeaders;
    v.on_data = OnData;
    v.on_rst_stream = OnRst;
    v.on_settings = OnSettings;
    v.on_ping = OnPing;
    v.on_goaway = OnGoaway;
    v.on_window_update = OnWindowUpdate;
    v.on_priority = OnPriority;
    return v;
  }
};

class Framer {
 public:
  explicit Framer(bool is_server, const cn_spdy_framer_limits *limits = nullptr)
      : f_(cn_http2_framer_new(is_server, limits)) {
    cn_bytebuf_init(&out_);
  }
  ~Framer() {
    cn_spdy_framer_destroy(f_);
    cn_bytebuf_free(&out_);
  }
  Framer(const Framer &) = delete;
  Framer &operator=(const Framer &) = delete;

  cn_spdy_framer *get() { return f_; }
  // Feeds |in| in one call.
  int Feed(const std::string &in) {
    cn_spdy_frame_visitor v = rec.Visitor();
    return cn_spdy_framer_process(f_, reinterpret_cast<const uint8_t *>(in.data()), in.size(),
                                  &v);
  }
  // Takes what the encoders wrote.
  std::string Take() {
    std::string s = Str(out_);
    cn_bytebuf_clear(&out_);
    return s;
  }
  cn_bytebuf *out() { return &out_; }

  Recorder rec;

 private:
  cn_spdy_framer *f_;
  cn_bytebuf out_;
};

// Header fields with the storage they point into.
class HeaderList {
 public:
  HeaderList(std::initializer_list<std::pair<std::string, std::string>> fields)
      : fields_(fields) {
    for (const auto &kv : fields_)
      headers_.push_back({kv.first.data(), kv.first.size(), kv.second.data(), kv.second.size()});
  }
  const cn_spdy_header *data() const { return headers_.data(); }
  size_t size() const { return headers_.size(); }

 private:
  const std::vector<std::pair<std::string, std::string>> fields_;
  std::vector<cn_spdy_header> headers_;
};

// Decodes |wire| cut at |cuts| (sorted offsets) by a fresh framer; returns
// the events and the last result.
std::pair<std::vector<std::string>, int> DecodeSplit(bool is_server, const std::string &wire,
                                                     const std::vector<size_t> &cuts) {
  Framer f(is_server);
  int rv = CN_OK;
  size_t pos = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(wire.size());
  for (size_t end : ends) {
    // Each piece is copied to its own allocation so that ASan catches any
    // pointer kept past the call.
    std::vector<uint8_t> piece(wire.begin() + pos, wire.begin() + end);
    cn_spdy_frame_visitor v = f.rec.Visitor();
    rv = cn_spdy_framer_process(f.get(), piece.data(), piece.size(), &v);
    pos = end;
    if (rv < 0)
      break;
  }
  return {f.rec.events, rv};
}

// A client's whole first flight: every frame the encoder can write.
std::string ClientFlight(Framer &c) {
  cn_spdy_framer_write_preface(c.get(), c.out());
  cn_spdy_setting settings[] = {{CN_HTTP2_SETTINGS_ENABLE_PUSH, 0, 0},
                                {CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535, 0},
                                {CN_HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 262144, 0}};
  cn_spdy_framer_write_settings(c.get(), settings, 3, c.out());
  cn_spdy_framer_write_settings_ack(c.get(), c.out());
  HeaderList h({{":method", "CONNECT"},
                        {":authority", "example.com:443"},
                        {"proxy-authorization", "Basic c2VjcmV0"},
                        {"user-agent", "cnet"}});
  cn_spdy_headers_frame hf = {};
  hf.stream_id = 1;
  hf.kind = CN_SPDY_HEADERS_REQUEST;
  hf.has_priority = true;
  hf.depends_on = 0;
  hf.exclusive = true;
  hf.weight = 256;
  hf.headers = h.data();
  hf.num_headers = h.size();
  EXPECT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  const char body[] = "hello";
  cn_spdy_framer_write_data(c.get(), 1, reinterpret_cast<const uint8_t *>(body), 5, false,
                            c.out());
  cn_spdy_framer_write_data(c.get(), 1, nullptr, 0, true, c.out());
  hf.stream_id = 3;
  hf.has_priority = false;
  hf.fin = true;
  EXPECT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  cn_spdy_framer_write_rst_stream(c.get(), 3, CN_HTTP2_CANCEL, c.out());
  cn_spdy_framer_write_ping(c.get(), 0x0102030405060708ull, false, c.out());
  cn_spdy_framer_write_ping(c.get(), UINT64_MAX, true, c.out());
  cn_spdy_framer_write_window_update(c.get(), 0, 0x7fffffff, c.out());
  cn_spdy_framer_write_window_update(c.get(), 1, 1, c.out());
  cn_spdy_framer_write_goaway(c.get(), 7, CN_HTTP2_NO_ERROR, c.out());
  return c.Take();
}

const std::vector<std::string> kClientFlightEvents = {
    "SETTINGS ack=0 2=0 4=65535 6=262144",
    "SETTINGS ack=1",
    "HEADERS id=1 kind=0 fin=0 dep=0 excl=1 weight=256 [:method: CONNECT] "
    "[:authority: example.com:443] [proxy-authorization: Basic c2VjcmV0] [user-agent: cnet]",
    "DATA id=1 [hello] fin=0 flow=5",
    "DATA id=1 [] fin=1 flow=0",
    "HEADERS id=3 kind=0 fin=1 [:method: CONNECT] [:authority: example.com:443] "
    "[proxy-authorization: Basic c2VjcmV0] [user-agent: cnet]",
    "RST id=3 code=8",
    "PING 72623859790382856 ack=0",
    "PING 18446744073709551615 ack=1",
    "WINDOW_UPDATE id=0 delta=2147483647",
    "WINDOW_UPDATE id=1 delta=1",
    "GOAWAY last=7 code=0 []",
};

TEST(Http2FramerTest, Protocol) {
  Framer f(false);
  EXPECT_EQ(CN_PROTO_HTTP2, cn_spdy_framer_protocol(f.get()));
}

TEST(Http2FramerTest, PrefaceIsTheMagicOnlyAndOnlyFromClients) {
  Framer c(false), s(true);
  cn_spdy_framer_write_preface(c.get(), c.out());
  EXPECT_EQ(std::string(kPreface), c.Take());
  cn_spdy_framer_write_preface(s.get(), s.out());
  EXPECT_EQ("", s.Take());
}

TEST(Http2FramerTest, ClientToServerRoundTrip) {
  Framer c(false), s(true);
  std::string wire = ClientFlight(c);
  ASSERT_EQ(CN_OK, s.Feed(wire));
  EXPECT_EQ(kClientFlightEvents, s.rec.events);
}

TEST(Http2FramerTest, ServerToClientRoundTrip) {
  Framer c(false), s(true);
  cn_spdy_setting st[] = {{CN_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100, 0},
                          {CN_HTTP2_SETTINGS_MAX_FRAME_SIZE, 16384, 0},
                          {0xabc, 7, 0}};  // unknown ids are passed on
  cn_spdy_framer_write_settings(s.get(), st, 3, s.out());
  for (int i = 0; i < 3; i++) {  // the dynamic table carries over blocks
    HeaderList h({{":status", "200"}, {"server", "test"}, {"x-n", std::to_string(i)}});
    cn_spdy_headers_frame hf = {};
    hf.stream_id = 1;
    hf.kind = CN_SPDY_HEADERS_RESPONSE;  // written as HEADERS like any other
    hf.headers = h.data();
    hf.num_headers = h.size();
    ASSERT_EQ(CN_OK, cn_spdy_framer_write_headers(s.get(), &hf, s.out()));
  }
  cn_spdy_framer_write_data(s.get(), 1, reinterpret_cast<const uint8_t *>("body"), 4, true,
                            s.out());
  cn_spdy_framer_write_goaway(s.get(), 1, CN_HTTP2_HTTP_1_1_REQUIRED, s.out());
  ASSERT_EQ(CN_OK, c.Feed(s.Take()));
  std::vector<std::string> want = {
      "SETTINGS ack=0 3=100 5=16384 2748=7",
      "HEADERS id=1 kind=0 fin=0 [:status: 200] [server: test] [x-n: 0]",
      "HEADERS id=1 kind=0 fin=0 [:status: 200] [server: test] [x-n: 1]",
      "HEADERS id=1 kind=0 fin=0 [:status: 200] [server: test] [x-n: 2]",
      "DATA id=1 [body] fin=1 flow=4",
      "GOAWAY last=1 code=13 []",
  };
  EXPECT_EQ(want, c.rec.events);
}

TEST(Http2FramerTest, DynamicTableIsUsedAndFollowsPeerTableSize) {
  Framer c(false), s(true);
  ASSERT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings()));
  s.rec.events.clear();
  HeaderList h({{":method", "GET"}, {"x-long-header-name", std::string(200, 'v')}});
  cn_spdy_headers_frame hf = {};
  hf.stream_id = 1;
  hf.headers = h.data();
  hf.num_headers = h.size();
  ASSERT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  std::string first = c.Take();
  hf.stream_id = 3;
  ASSERT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  std::string second = c.Take();
  EXPECT_LT(second.size(), 20u);  // indexed
  // A peer that allows no table: the next block starts with a size update
  // and repeats the literal.
  cn_spdy_framer_set_peer_header_table_size(c.get(), 0);
  hf.stream_id = 5;
  ASSERT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  std::string third = c.Take();
  EXPECT_GT(third.size(), 150u);
  ASSERT_EQ(CN_OK, s.Feed(first + second + third));
  ASSERT_EQ(3u, s.rec.events.size());
  std::string fields = " [:method: GET] [x-long-header-name: " + std::string(200, 'v') + "]";
  EXPECT_EQ("HEADERS id=1 kind=0 fin=0" + fields, s.rec.events[0]);
  EXPECT_EQ("HEADERS id=3 kind=0 fin=0" + fields, s.rec.events[1]);
  EXPECT_EQ("HEADERS id=5 kind=0 fin=0" + fields, s.rec.events[2]);
}

TEST(Http2FramerTest, CredentialsAreNeverIndexed) {
  Framer c(false);
  // (nghttp2 protects "authorization" by itself; "proxy-authorization" is
  // ours to mark.)
  HeaderList h({{"proxy-authorization", "Basic c2VjcmV0"}});
  cn_spdy_headers_frame hf = {};
  hf.stream_id = 1;
  hf.headers = h.data();
  hf.num_headers = h.size();
  for (int i = 0; i < 2; i++) {
    ASSERT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
    std::string w = c.Take();
    // RFC 7541 §6.2.3: "never indexed" literal, 0001xxxx with a 4-bit
    // prefix; proxy-authorization is static index 49 (0x1f, 49 - 15 = 0x22).
    ASSERT_GT(w.size(), 11u);
    EXPECT_EQ(0x1f, static_cast<uint8_t>(w[9])) << i;
    EXPECT_EQ(0x22, static_cast<uint8_t>(w[10])) << i;
  }
}

// Every split of the same bytes gives the same events.
TEST(Http2FramerTest, AnySplitGivesTheSameEvents) {
  Framer c(false);
  std::string wire = ClientFlight(c);
  auto whole = DecodeSplit(true, wire, {});
  ASSERT_EQ(CN_OK, whole.second);
  ASSERT_EQ(kClientFlightEvents, whole.first);

  std::vector<size_t> every;
  for (size_t i = 1; i < wire.size(); i++)
    every.push_back(i);
  auto bytewise = DecodeSplit(true, wire, every);
  EXPECT_EQ(CN_OK, bytewise.second);
  EXPECT_EQ(whole.first, bytewise.first);

  std::mt19937 rng(12345);
  for (int trial = 0; trial < 200; trial++) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < wire.size(); i++)
      if (rng() % 8 == 0)
        cuts.push_back(i);
    auto r = DecodeSplit(true, wire, cuts);
    ASSERT_EQ(CN_OK, r.second) << trial;
    ASSERT_EQ(whole.first, r.first) << trial;
  }
}

TEST(Http2FramerTest, DataIsPassedInPlaceWhenTheFrameIsWhole) {
  Framer s(true);
  std::string wire = std::string(kPreface) + EmptySettings() + Frame(0x0, 0, 1, "abcdef");
  ASSERT_EQ(CN_OK, s.Feed(wire));
  ASSERT_EQ(1u, s.rec.data_ptrs.size());
  // Feed() passes wire.data() itself.
  EXPECT_EQ(reinterpret_cast<const uint8_t *>(wire.data()) + wire.size() - 6,
            s.rec.data_ptrs[0]);
}

TEST(Http2FramerTest, HeadersSplitIntoContinuations) {
  for (bool prio : {false, true}) {
    Framer c(false), s(true);
    ASSERT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings()));
    s.rec.events.clear();
    // 50000 bytes that HPACK cannot shrink much: at least three frames.
    std::string big;
    std::mt19937 rng(7);
    for (int i = 0; i < 50000; i++)
      big += static_cast<char>('!' + rng() % 90);
    for (char &ch : big)
      if (ch >= 'A' && ch <= 'Z')
        ch = 'a';
    HeaderList h({{":method", "GET"}, {"x-big", big}});
    cn_spdy_headers_frame hf = {};
    hf.stream_id = 5;
    hf.fin = true;
    hf.has_priority = prio;
    hf.depends_on = 3;
    hf.weight = 16;
    hf.headers = h.data();
    hf.num_headers = h.size();
    cn_spdy_framer_set_peer_max_frame_size(c.get(), 1000);  // raised to the minimum, 16384
    ASSERT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
    std::string wire = c.Take();

    // Walk the frames: HEADERS (END_STREAM, no END_HEADERS), CONTINUATIONs,
    // the last with END_HEADERS; each at most 16384.
    size_t pos = 0;
    std::vector<std::pair<int, int>> frames;  // type, flags
    while (pos < wire.size()) {
      ASSERT_LE(pos + 9, wire.size());
      size_t len = static_cast<uint8_t>(wire[pos]) << 16 | static_cast<uint8_t>(wire[pos + 1]) << 8 |
                   static_cast<uint8_t>(wire[pos + 2]);
      EXPECT_LE(len, 16384u);
      EXPECT_EQ(std::string("\0\0\0\5", 4), wire.substr(pos + 5, 4));
      frames.emplace_back(static_cast<uint8_t>(wire[pos + 3]), static_cast<uint8_t>(wire[pos + 4]));
      pos += 9 + len;
    }
    ASSERT_EQ(wire.size(), pos);
    ASSERT_GE(frames.size(), 3u);
    EXPECT_EQ(std::make_pair(1, prio ? 0x21 : 0x01), frames[0]);
    for (size_t i = 1; i + 1 < frames.size(); i++)
      EXPECT_EQ(std::make_pair(9, 0), frames[i]);
    EXPECT_EQ(std::make_pair(9, 4), frames.back());

    ASSERT_EQ(CN_OK, s.Feed(wire));
    ASSERT_EQ(1u, s.rec.events.size());
    EXPECT_EQ(std::string("HEADERS id=5 kind=0 fin=1") +
                  (prio ? " dep=3 excl=0 weight=16" : "") + " [:method: GET] [x-big: " + big + "]",
              s.rec.events[0]);
  }
}

TEST(Http2FramerTest, LargerLocalFrameLimit) {
  cn_spdy_framer_limits l;
  cn_spdy_framer_limits_init(&l, CN_PROTO_HTTP2);
  l.max_frame_payload = 100000;
  Framer s(true, &l);
  std::string body(100000, 'x');
  ASSERT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() + Frame(0x0, 0x1, 1, body)));
  ASSERT_EQ(2u, s.rec.events.size());
  EXPECT_EQ("DATA id=1 [" + body + "] fin=1 flow=100000", s.rec.events[1]);
}

// --- Known answers: RFC 7541 Appendix C ---

struct Hpack {
  const char *hex;
  const char *want;
};

void CheckHpackSequence(const std::vector<Hpack> &blocks) {
  Framer s(true);
  ASSERT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings()));
  uint32_t id = 1;
  for (const Hpack &b : blocks) {
    ASSERT_EQ(CN_OK, s.Feed(Frame(0x1, 0x4 | 0x1, id, Hex(b.hex))));
    ASSERT_FALSE(s.rec.events.empty());
    EXPECT_EQ("HEADERS id=" + std::to_string(id) + " kind=0 fin=1 " + b.want, s.rec.events.back());
    id += 2;
  }
}

TEST(Http2FramerTest, Rfc7541C3RequestsWithoutHuffman) {
  CheckHpackSequence({
      {"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
       "[:method: GET] [:scheme: http] [:path: /] [:authority: www.example.com]"},
      {"8286 84be 5808 6e6f 2d63 6163 6865",
       "[:method: GET] [:scheme: http] [:path: /] [:authority: www.example.com] "
       "[cache-control: no-cache]"},
      {"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
       "[:method: GET] [:scheme: https] [:path: /index.html] [:authority: www.example.com] "
       "[custom-key: custom-value]"},
  });
}

TEST(Http2FramerTest, Rfc7541C4RequestsWithHuffman) {
  CheckHpackSequence({
      {"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
       "[:method: GET] [:scheme: http] [:path: /] [:authority: www.example.com]"},
      {"8286 84be 5886 a8eb 1064 9cbf",
       "[:method: GET] [:scheme: http] [:path: /] [:authority: www.example.com] "
       "[cache-control: no-cache]"},
      {"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
       "[:method: GET] [:scheme: https] [:path: /index.html] [:authority: www.example.com] "
       "[custom-key: custom-value]"},
  });
}

const char kC31[] = "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
const char kC31Fields[] = "[:method: GET] [:scheme: http] [:path: /] [:authority: www.example.com]";

// A known block spread over HEADERS + two CONTINUATIONs, cut inside a field.
TEST(Http2FramerTest, HandMadeContinuations) {
  std::string block = Hex(kC31);
  Framer s(true);
  ASSERT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() +
                          Frame(0x1, 0x1, 1, block.substr(0, 5)) +
                          Frame(0x9, 0, 1, block.substr(5, 0)) +  // empty is allowed
                          Frame(0x9, 0, 1, block.substr(5, 4)) +
                          Frame(0x9, 0x4, 1, block.substr(9))));
  ASSERT_EQ(2u, s.rec.events.size());
  EXPECT_EQ(std::string("HEADERS id=1 kind=0 fin=1 ") + kC31Fields, s.rec.events[1]);
}

// --- Known answers: RFC 9113 frame layouts ---

TEST(Http2FramerTest, EncodersMatchRfc9113Layouts) {
  Framer c(false);
  cn_spdy_framer_write_data(c.get(), 3, reinterpret_cast<const uint8_t *>("hi"), 2, true,
                            c.out());
  EXPECT_EQ(Hex("000002 00 01 00000003 6869"), c.Take());
  cn_spdy_framer_write_rst_stream(c.get(), 5, CN_HTTP2_REFUSED_STREAM, c.out());
  EXPECT_EQ(Hex("000004 03 00 00000005 00000007"), c.Take());
  cn_spdy_setting st[] = {{CN_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100, 0},
                          {CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff, 0}};
  cn_spdy_framer_write_settings(c.get(), st, 2, c.out());
  EXPECT_EQ(Hex("00000c 04 00 00000000 0003 00000064 0004 7fffffff"), c.Take());
  cn_spdy_framer_write_settings_ack(c.get(), c.out());
  EXPECT_EQ(Hex("000000 04 01 00000000"), c.Take());
  cn_spdy_framer_write_ping(c.get(), 0x1122334455667788ull, true, c.out());
  EXPECT_EQ(Hex("000008 06 01 00000000 1122334455667788"), c.Take());
  cn_spdy_framer_write_goaway(c.get(), 0x80000009u, CN_HTTP2_PROTOCOL_ERROR, c.out());
  EXPECT_EQ(Hex("000008 07 00 00000000 00000009 00000001"), c.Take());
  cn_spdy_framer_write_window_update(c.get(), 7, 0x80001000u, c.out());
  EXPECT_EQ(Hex("000004 08 00 00000007 00001000"), c.Take());
  // HEADERS with priority: E bit, dependency, weight - 1; then the HPACK
  // block (":method: GET" is static index 2).
  HeaderList h({{":method", "GET"}});
  cn_spdy_headers_frame hf = {};
  hf.stream_id = 9;
  hf.fin = true;
  hf.has_priority = true;
  hf.exclusive = true;
  hf.depends_on = 3;
  hf.weight = 1;
  hf.headers = h.data();
  hf.num_headers = 1;
  ASSERT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  EXPECT_EQ(Hex("000006 01 25 00000009 80000003 00 82"), c.Take());
}

TEST(Http2FramerTest, DecodesHandMadeFrames) {
  std::string block = Hex(kC31);
  Framer s(true);
  std::string wire =
      std::string(kPreface) +
      Frame(0x4, 0, 0, Setting(0x1, 8192) + Setting(0x2, 0) + Setting(0x5, 16777215)) +
      // DATA, padded: pad length 3 + "data" + 3 zeros; flow counts all 8.
      Frame(0x0, 0x8 | 0x1, 1, std::string("\x03", 1) + "data" + std::string(3, '\0')) +
      // Padded with an empty payload: pad length = payload length - 1.
      Frame(0x0, 0x8, 1, std::string("\x02\0\0", 3)) +
      // HEADERS padded with priority: pad 2, E|dep 1, weight 255 → 256.
      Frame(0x1, 0x8 | 0x20 | 0x4, 3,
            std::string("\x02", 1) + Be32(0x80000001u) + "\xff" + block + std::string(2, '\0')) +
      Frame(0x2, 0, 5, Be32(3) + std::string("\x0f", 1)) +  // PRIORITY: dep 3, weight 16
      Frame(0x3, 0, 3, Be32(0x2)) +                          // RST_STREAM INTERNAL_ERROR
      Frame(0x6, 0, 0, Hex("0000000000000001")) +            // PING
      Frame(0x7, 0, 0, Be32(0x80000003u) + Be32(0xb) + "calm down") +  // GOAWAY, R bit set
      Frame(0x8, 0, 0, Be32(0x80000010u)) +                  // WINDOW_UPDATE, R bit set
      Frame(0x8, 0, 1, Be32(0)) +                            // 0 on a stream: passed on
      Frame(0xfa, 0xff, 0, "extension payload") +            // unknown: skipped
      Frame(0x4, 0x1, 0x0, "");                              // SETTINGS ACK
  ASSERT_EQ(CN_OK, s.Feed(wire));
  std::vector<std::string> want = {
      "SETTINGS ack=0 1=8192 2=0 5=16777215",
      "DATA id=1 [data] fin=1 flow=8",
      "DATA id=1 [] fin=0 flow=3",
      std::string("HEADERS id=3 kind=0 fin=0 dep=1 excl=1 weight=256 ") + kC31Fields,
      "PRIORITY id=5 dep=3 excl=0 weight=16",
      "RST id=3 code=2",
      "PING 1 ack=0",
      "GOAWAY last=3 code=11 [calm down]",
      "WINDOW_UPDATE id=0 delta=16",
      "WINDOW_UPDATE id=1 delta=0",
      "SETTINGS ack=1",
  };
  EXPECT_EQ(want, s.rec.events);
  // The same bytes byte by byte.
  std::vector<size_t> every;
  for (size_t i = 1; i < wire.size(); i++)
    every.push_back(i);
  auto r = DecodeSplit(true, wire, every);
  EXPECT_EQ(CN_OK, r.second);
  EXPECT_EQ(want, r.first);
}

TEST(Http2FramerTest, DecodesPushPromise) {
  std::string block = Hex(kC31);
  Framer c(false);
  ASSERT_EQ(CN_OK, c.Feed(EmptySettings() +
                          Frame(0x5, 0x8, 1,
                                std::string("\x01", 1) + Be32(0x80000002u) +
                                    block.substr(0, 3) + std::string(1, '\0')) +
                          Frame(0x9, 0x4, 1, block.substr(3))));
  ASSERT_EQ(2u, c.rec.events.size());
  EXPECT_EQ(std::string("HEADERS id=1 kind=3 fin=0 promised=2 ") + kC31Fields, c.rec.events[1]);
}

TEST(Http2FramerTest, UnknownFramesAreSkippedAcrossCalls) {
  Framer s(true);
  std::string wire = std::string(kPreface) + EmptySettings() +
                     Frame(0x20, 0, 3, std::string(1000, 'u')) + Frame(0x6, 0, 0, Be32(0) + Be32(9));
  std::vector<size_t> cuts = {40, 41, 500, 1040};
  auto r = DecodeSplit(true, wire, cuts);
  EXPECT_EQ(CN_OK, r.second);
  EXPECT_EQ((std::vector<std::string>{"SETTINGS ack=0", "PING 9 ack=0"}), r.first);
}

// --- Rejections ---

struct Reject {
  const char *what;
  std::string frames;  // after the preface and the first SETTINGS
  int want;
};

void ExpectRejected(const Reject &r, bool is_server = true,
                    const cn_spdy_framer_limits *limits = nullptr) {
  SCOPED_TRACE(r.what);
  std::string head = (is_server ? std::string(kPreface) : std::string()) + EmptySettings();
  {
    Framer f(is_server, limits);
    EXPECT_EQ(r.want, f.Feed(head + r.frames));
    // Sticky: nothing is accepted afterwards.
    EXPECT_EQ(r.want, f.Feed(EmptySettings()));
  }
  {
    // The same, byte by byte: errors do not depend on the split.
    Framer f(is_server, limits);
    std::string wire = head + r.frames;
    int rv = CN_OK;
    for (size_t i = 0; i < wire.size() && rv == CN_OK; i++)
      rv = f.Feed(wire.substr(i, 1));
    EXPECT_EQ(r.want, rv);
  }
}

TEST(Http2FramerTest, RejectsBadPreface) {
  Framer s(true);
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, s.Feed("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, s.Feed(kPreface));  // sticky
  Framer s2(true);
  // Right up to the last byte.
  EXPECT_EQ(CN_OK, s2.Feed(std::string(kPreface, 23)));
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, s2.Feed("X"));
  // A client framer expects none: the magic is not a frame it accepts.
  Framer c(false);
  EXPECT_NE(CN_OK, c.Feed(kPreface));
}

TEST(Http2FramerTest, RejectsFirstFrameOtherThanSettings) {
  Framer s(true);
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR,
            s.Feed(std::string(kPreface) + Frame(0x6, 0, 0, std::string(8, 'p'))));
  Framer c(false);
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, c.Feed(Frame(0x4, 0x1, 0, "")));  // an ACK
  Framer c2(false);
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, c2.Feed(Frame(0x20, 0, 0, "")));  // even unknown
}

TEST(Http2FramerTest, RejectsContinuationMisuse) {
  std::string block = Hex(kC31);
  std::string open = Frame(0x1, 0, 1, block.substr(0, 4));  // no END_HEADERS
  std::string rest = block.substr(4);
  const int kProto = CN_ERR_HTTP2_PROTOCOL_ERROR;
  ExpectRejected({"DATA inside a block", open + Frame(0x0, 0, 1, "x"), kProto});
  ExpectRejected({"PING inside a block", open + Frame(0x6, 0, 0, std::string(8, 'p')), kProto});
  ExpectRejected({"unknown inside a block", open + Frame(0x20, 0, 1, ""), kProto});
  ExpectRejected({"HEADERS inside a block", open + Frame(0x1, 0x4, 3, block), kProto});
  ExpectRejected({"CONTINUATION on another stream", open + Frame(0x9, 0x4, 3, rest), kProto});
  ExpectRejected({"CONTINUATION without a block", Frame(0x9, 0x4, 1, block), kProto});
  ExpectRejected({"CONTINUATION after the block ended",
                  Frame(0x1, 0x4, 1, block) + Frame(0x9, 0x4, 1, ""), kProto});
  // Push promises too.
  ExpectRejected({"DATA inside a push promise",
                  Frame(0x5, 0, 1, Be32(2) + block.substr(0, 4)) + Frame(0x0, 0, 1, "x"), kProto},
                 false);
  // Positive control: the same block finished properly is accepted.
  Framer s(true);
  EXPECT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() + open +
                          Frame(0x9, 0x4, 1, rest)));
}

TEST(Http2FramerTest, RejectsWrongStreamIds) {
  std::string block = Hex(kC31);
  const int kProto = CN_ERR_HTTP2_PROTOCOL_ERROR;
  ExpectRejected({"DATA on 0", Frame(0x0, 0, 0, "x"), kProto});
  ExpectRejected({"HEADERS on 0", Frame(0x1, 0x4, 0, block), kProto});
  ExpectRejected({"PRIORITY on 0", Frame(0x2, 0, 0, Be32(1) + "x"), kProto});
  ExpectRejected({"RST_STREAM on 0", Frame(0x3, 0, 0, Be32(8)), kProto});
  ExpectRejected({"SETTINGS on 1", Frame(0x4, 0, 1, ""), kProto});
  ExpectRejected({"PUSH_PROMISE on 0", Frame(0x5, 0x4, 0, Be32(2) + block), kProto}, false);
  ExpectRejected({"PING on 1", Frame(0x6, 0, 1, std::string(8, 'p')), kProto});
  ExpectRejected({"GOAWAY on 1", Frame(0x7, 0, 1, Be32(0) + Be32(0)), kProto});
  ExpectRejected({"CONTINUATION on 0", Frame(0x1, 0, 1, "") + Frame(0x9, 0x4, 0, block), kProto});
  ExpectRejected({"PUSH_PROMISE promising 0", Frame(0x5, 0x4, 1, Be32(0) + block), kProto},
                 false);
  ExpectRejected({"PUSH_PROMISE to a server", Frame(0x5, 0x4, 1, Be32(2) + block), kProto});
  ExpectRejected({"WINDOW_UPDATE of 0 on the connection", Frame(0x8, 0, 0, Be32(0)), kProto});
}

TEST(Http2FramerTest, RejectsBadSizes) {
  const int kSize = CN_ERR_HTTP2_FRAME_SIZE_ERROR;
  ExpectRejected({"SETTINGS of 5", Frame(0x4, 0, 0, std::string(5, '\0')), kSize});
  ExpectRejected({"SETTINGS of 13", Frame(0x4, 0, 0, std::string(13, '\0')), kSize});
  ExpectRejected({"SETTINGS ACK with payload", Frame(0x4, 0x1, 0, Setting(3, 1)), kSize});
  ExpectRejected({"PING of 7", Frame(0x6, 0, 0, std::string(7, 'p')), kSize});
  ExpectRejected({"PING of 9", Frame(0x6, 0, 0, std::string(9, 'p')), kSize});
  ExpectRejected({"PRIORITY of 4", Frame(0x2, 0, 1, Be32(3)), kSize});
  ExpectRejected({"RST_STREAM of 5", Frame(0x3, 0, 1, Be32(3) + "x"), kSize});
  ExpectRejected({"WINDOW_UPDATE of 3", Frame(0x8, 0, 1, "abc"), kSize});
  ExpectRejected({"GOAWAY of 7", Frame(0x7, 0, 0, std::string(7, '\0')), kSize});
  ExpectRejected({"padded DATA of 0", Frame(0x0, 0x8, 1, ""), kSize});
  ExpectRejected({"HEADERS too short for priority", Frame(0x1, 0x24, 1, "abcd"), kSize});
  ExpectRejected({"PUSH_PROMISE too short for its id", Frame(0x5, 0x4, 1, "abc"), kSize}, false);
  // Over the limit: refused from the frame header alone, before any payload.
  ExpectRejected({"DATA of 16385", Frame(0x0, 0, 1, "").replace(0, 3, "\x00\x40\x01", 3), kSize});
  ExpectRejected({"unknown type of 16385", Frame(0x20, 0, 1, "").replace(0, 3, "\x00\x40\x01", 3),
                  kSize});
  // Positive control: exactly 16384 passes.
  Framer s(true);
  EXPECT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() +
                          Frame(0x0, 0, 1, std::string(16384, 'd'))));
}

TEST(Http2FramerTest, RejectsPaddingLongerThanThePayload) {
  std::string block = Hex(kC31);
  const int kProto = CN_ERR_HTTP2_PROTOCOL_ERROR;
  ExpectRejected({"DATA pad = length", Frame(0x0, 0x8, 1, std::string("\x04xyz", 4)), kProto});
  ExpectRejected({"DATA pad > length", Frame(0x0, 0x8, 1, std::string("\xff", 1)), kProto});
  ExpectRejected({"HEADERS pad over the block",
                  Frame(0x1, 0x8 | 0x4, 1, std::string("\x15", 1) + block), kProto});
  ExpectRejected({"HEADERS pad into the priority",
                  Frame(0x1, 0x8 | 0x20 | 0x4, 1, std::string("\x03", 1) + Be32(0) + "\x10"),
                  kProto});
  ExpectRejected({"PUSH_PROMISE pad into the promised id",
                  Frame(0x5, 0x8 | 0x4, 1, std::string("\x02", 1) + Be32(2)), kProto},
                 false);
}

TEST(Http2FramerTest, RejectsBadSettingValues) {
  ExpectRejected({"ENABLE_PUSH 2", Frame(0x4, 0, 0, Setting(2, 2)), CN_ERR_HTTP2_PROTOCOL_ERROR});
  ExpectRejected({"ENABLE_PUSH 1 from a server", Frame(0x4, 0, 0, Setting(2, 1)),
                  CN_ERR_HTTP2_PROTOCOL_ERROR},
                 false);
  ExpectRejected({"INITIAL_WINDOW_SIZE 2^31", Frame(0x4, 0, 0, Setting(4, 0x80000000u)),
                  CN_ERR_HTTP2_FLOW_CONTROL_ERROR});
  ExpectRejected({"MAX_FRAME_SIZE 16383", Frame(0x4, 0, 0, Setting(5, 16383)),
                  CN_ERR_HTTP2_PROTOCOL_ERROR});
  ExpectRejected({"MAX_FRAME_SIZE 2^24", Frame(0x4, 0, 0, Setting(5, 1u << 24)),
                  CN_ERR_HTTP2_PROTOCOL_ERROR});
  // ENABLE_PUSH 1 from a client is fine.
  Framer s(true);
  EXPECT_EQ(CN_OK, s.Feed(std::string(kPreface) + Frame(0x4, 0, 0, Setting(2, 1))));
}

TEST(Http2FramerTest, RejectsBadHpack) {
  const int kComp = CN_ERR_HTTP2_COMPRESSION_ERROR;
  // Index 127 + 0xff... : beyond both tables.
  ExpectRejected({"index out of range", Frame(0x1, 0x4, 1, Hex("ff ff ff 7f")), kComp});
  ExpectRejected({"index 0", Frame(0x1, 0x4, 1, Hex("80")), kComp});
  // The block ends inside a literal (length 10, 3 bytes given).
  ExpectRejected({"truncated literal", Frame(0x1, 0x4, 1, Hex("40 0a 61 62 63")), kComp});
  // A table size update above the 4096 we allow.
  ExpectRejected({"table size over the setting", Frame(0x1, 0x4, 1, Hex("3f e1 3f 82")), kComp});
  // Invalid Huffman (EOS padding of zeros).
  ExpectRejected({"bad huffman", Frame(0x1, 0x4, 1, Hex("00 81 00 81 00")), kComp});
}

TEST(Http2FramerTest, RejectsFieldsHttp2Forbids) {
  const int kProto = CN_ERR_HTTP2_PROTOCOL_ERROR;
  // Literal without indexing, new name: 00, name len, name, value len, value.
  ExpectRejected({"upper-case name", Frame(0x1, 0x4, 1, Hex("00 03 466f6f 03 626172")), kProto});
  ExpectRejected({"space in name", Frame(0x1, 0x4, 1, Hex("00 03 612062 01 76")), kProto});
  ExpectRejected({"colon inside name", Frame(0x1, 0x4, 1, Hex("00 03 613a62 01 76")), kProto});
  ExpectRejected({"empty name", Frame(0x1, 0x4, 1, Hex("00 00 01 76")), kProto});
  ExpectRejected({"CRLF in value",
                  Frame(0x1, 0x4, 1, Hex("00 01 61 09 780d0a782d793a207a")), kProto});
  ExpectRejected({"NUL in value", Frame(0x1, 0x4, 1, Hex("00 01 61 01 00")), kProto});
  // Positive control: the same shape, lower-case.
  Framer s(true);
  EXPECT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() +
                          Frame(0x1, 0x4, 1, Hex("00 03 666f6f 03 626172"))));
  ASSERT_EQ(2u, s.rec.events.size());
  EXPECT_EQ("HEADERS id=1 kind=0 fin=0 [foo: bar]", s.rec.events[1]);
}

TEST(Http2FramerTest, RejectsHeaderBlocksOverTheLimits) {
  std::string block = Hex(kC31);  // fields: 42 + 43 + 38 + 57 = 180 bytes
  cn_spdy_framer_limits l;
  cn_spdy_framer_limits_init(&l, CN_PROTO_HTTP2);
  l.max_header_list = 179;
  ExpectRejected({"list over the limit", Frame(0x1, 0x4, 1, block),
                  CN_ERR_HTTP2_COMPRESSION_ERROR},
                 true, &l);
  l.max_header_list = 180;
  {
    Framer s(true, &l);
    EXPECT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() + Frame(0x1, 0x4, 1, block)));
  }
  // The compressed block, over HEADERS + CONTINUATION (padding not counted).
  cn_spdy_framer_limits_init(&l, CN_PROTO_HTTP2);
  l.max_header_block = block.size() - 1;
  ExpectRejected({"block over the limit",
                  Frame(0x1, 0, 1, block.substr(0, 8)) + Frame(0x9, 0x4, 1, block.substr(8)),
                  CN_ERR_HTTP2_COMPRESSION_ERROR},
                 true, &l);
  l.max_header_block = block.size();
  {
    Framer s(true, &l);
    EXPECT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() +
                            Frame(0x1, 0x8, 1, std::string("\x05", 1) + block.substr(0, 8) +
                                                   std::string(5, '\0')) +
                            Frame(0x9, 0x4, 1, block.substr(8))));
  }
  // A "bomb": one literal, then 1-byte references to it (index 62) far past
  // the default 256 KiB list limit; refused as the list grows.
  // Literal with indexing, name "x", value of 4000 (7-bit prefix: 7f a1 1e):
  // a 4033-byte entry; each 0xbe (index 62) repeats it.
  std::string bomb = Hex("40 01 78 7f a1 1e") + std::string(4000, 'v') + std::string(100, '\xbe');
  ExpectRejected({"bomb", Frame(0x1, 0x4, 1, bomb), CN_ERR_HTTP2_COMPRESSION_ERROR});
}

TEST(Http2FramerTest, RejectsEndlessContinuations) {
  std::string frames = Frame(0x1, 0, 1, "");
  for (int i = 0; i < 1025; i++)
    frames += Frame(0x9, 0, 1, "");
  Framer s(true);
  EXPECT_EQ(CN_ERR_HTTP2_COMPRESSION_ERROR, s.Feed(std::string(kPreface) + EmptySettings() + frames));
  // 1024 are accepted.
  Framer s2(true);
  EXPECT_EQ(CN_OK, s2.Feed(std::string(kPreface) + EmptySettings() +
                           frames.substr(0, 9 + 1023 * 9) + Frame(0x9, 0x4, 1, Hex("82"))));
}

TEST(Http2FramerTest, VisitorErrorsStopAndStick) {
  Framer s(true);
  s.rec.fail_with = CN_ERR_ABORTED;
  EXPECT_EQ(CN_ERR_ABORTED, s.Feed(std::string(kPreface) + EmptySettings() + EmptySettings()));
  EXPECT_EQ(1u, s.rec.events.size());  // stopped at the first
  EXPECT_EQ(CN_ERR_ABORTED, s.Feed(EmptySettings()));
  // A NULL visitor ignores everything.
  Framer s2(true);
  std::string wire = std::string(kPreface) + EmptySettings() + Frame(0x0, 0, 1, "x");
  EXPECT_EQ(CN_OK, cn_spdy_framer_process(s2.get(), reinterpret_cast<const uint8_t *>(wire.data()),
                                          wire.size(), nullptr));
}

TEST(Http2FramerTest, EncoderRefusals) {
  Framer c(false);
  HeaderList bad({{"Content-Type", "text/plain"}});
  cn_spdy_headers_frame hf = {};
  hf.stream_id = 1;
  hf.headers = bad.data();
  hf.num_headers = 1;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  HeaderList injected({{"x", "a\r\nb: c"}});
  hf.headers = injected.data();
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  EXPECT_EQ("", c.Take());
  HeaderList good({{"x", "y"}});
  hf.headers = good.data();
  hf.stream_id = 0;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  hf.stream_id = 1;
  hf.kind = CN_SPDY_HEADERS_PUSH;
  EXPECT_EQ(CN_ERR_NOT_IMPLEMENTED, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  EXPECT_EQ("", c.Take());
  // The context is still usable after refusals.
  hf.kind = CN_SPDY_HEADERS_REQUEST;
  EXPECT_EQ(CN_OK, cn_spdy_framer_write_headers(c.get(), &hf, c.out()));
  Framer s(true);
  EXPECT_EQ(CN_OK, s.Feed(std::string(kPreface) + EmptySettings() + c.Take()));
  EXPECT_EQ("HEADERS id=1 kind=0 fin=0 [x: y]", s.rec.events.back());
}

// --- The decoder's reuse of a repeated block ---

// Decodes |hex| as one whole block (or, with |split|, as two fragments) and
// returns its fields as "[name: value]..." ("error N" on failure).
std::string DecodeBlock(cn_http2_hpack_decoder *d, const char *hex, bool split = false) {
  std::string block = Hex(hex);
  const uint8_t *p = reinterpret_cast<const uint8_t *>(block.data());
  int rv;
  if (split) {
    size_t half = block.size() / 2;
    rv = cn_http2_hpack_decode(d, p, half, false);
    if (rv == CN_OK)
      rv = cn_http2_hpack_decode(d, p + half, block.size() - half, true);
  } else {
    rv = cn_http2_hpack_decode(d, p, block.size(), true);
  }
  std::string out;
  if (rv != CN_OK) {
    out = "error " + std::to_string(rv);
  } else {
    size_t n = 0;
    const cn_spdy_header *h = cn_http2_hpack_decoded(d, &n);
    for (size_t i = 0; i < n; i++)
      out += "[" + std::string(h[i].name, h[i].name_len) + ": " +
             std::string(h[i].value, h[i].value_len) + "]";
  }
  cn_http2_hpack_decoder_reset(d);
  return out;
}

// :status 200 (static), then "server: nginx" and "x: 1" as literals without
// indexing: a block that leaves the dynamic table alone.
const char kPlainBlock[] = "88 0f27 056e 6769 6e78 0001 78 0131";
const char kPlainFields[] = "[:status: 200][server: nginx][x: 1]";

TEST(Http2HpackDecoderTest, RepeatedBlockIsReusedAndDecodesAlike) {
  cn_http2_hpack_decoder *d = cn_http2_hpack_decoder_new(64 * 1024);
  for (int i = 0; i < 3; i++)
    EXPECT_EQ(kPlainFields, DecodeBlock(d, kPlainBlock)) << i;
  EXPECT_EQ(2u, cn_http2_hpack_decoder_reused(d));
  // Another block in between: the next one is decoded afresh, and right.
  EXPECT_EQ("[:status: 404]", DecodeBlock(d, "8d"));
  EXPECT_EQ(kPlainFields, DecodeBlock(d, kPlainBlock));
  EXPECT_EQ(2u, cn_http2_hpack_decoder_reused(d));
  // A block in fragments is never taken from (nor kept for) reuse.
  EXPECT_EQ(kPlainFields, DecodeBlock(d, kPlainBlock, true));
  EXPECT_EQ(kPlainFields, DecodeBlock(d, kPlainBlock, true));
  EXPECT_EQ(2u, cn_http2_hpack_decoder_reused(d));
  cn_http2_hpack_decoder_destroy(d);
}

// A block that changes the table is never reused: decoding it again adds a
// second entry (which a reference to index 63 then needs); a table size
// update neither. And a kept block that refers to the table is dropped once
// another block has changed it: the same bytes then mean other fields.
TEST(Http2HpackDecoderTest, TableChangesAreNeverSkipped) {
  cn_http2_hpack_decoder *d = cn_http2_hpack_decoder_new(64 * 1024);
  const char kAddA1[] = "40 0161 0131";  // literal with incremental indexing, a: 1
  const char kSizeUpdate[] = "3f e1 1f 88";  // table size 4096, then :status 200
  const std::pair<const char *, const char *> steps[] = {
      {kAddA1, "[a: 1]"},
      {kAddA1, "[a: 1]"},
      {"be bf", "[a: 1][a: 1]"},
      {kSizeUpdate, "[:status: 200]"},
      {kSizeUpdate, "[:status: 200]"},
      {"be", "[a: 1]"},
      {"be", "[a: 1]"},  // kept: the only reuse
      {"40 0162 0132", "[b: 2]"},
      {"be", "[b: 2]"},
  };
  for (const auto &step : steps)
    EXPECT_EQ(step.second, DecodeBlock(d, step.first)) << step.first;
  EXPECT_EQ(1u, cn_http2_hpack_decoder_reused(d));
  cn_http2_hpack_decoder_destroy(d);
}

// Encodes |fields| as the framer does (bound, then encode); returns the bytes
// ("error N" on failure).
std::string EncodeBlock(cn_http2_hpack_encoder *e, const HeaderList &fields) {
  size_t bound = cn_http2_hpack_encode_bound(e, fields.data(), fields.size());
  std::string out(bound, '\0');
  long rv = cn_http2_hpack_encode(e, fields.data(), fields.size(),
                                  reinterpret_cast<uint8_t *>(&out[0]), bound);
  if (rv < 0)
    return "error " + std::to_string(rv);
  out.resize(static_cast<size_t>(rv));
  return out;
}

std::string HexOf(const std::string &bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// Requests that repeat are copied from the kept block once their encoding
// leaves the table alone, and every block still decodes to its fields.
TEST(Http2HpackEncoderTest, RepeatedFieldsReuseTheKeptBlock) {
  cn_http2_hpack_encoder *e = cn_http2_hpack_encoder_new();
  cn_http2_hpack_decoder *d = cn_http2_hpack_decoder_new(64 * 1024);
  HeaderList get({{":method", "GET"}, {":authority", "origin.test"}, {":scheme", "https"},
                  {":path", "/1k"}, {"user-agent", "cnet"}});
  const char kGet[] = "[:method: GET][:authority: origin.test][:scheme: https][:path: /1k]"
                      "[user-agent: cnet]";
  std::string first = EncodeBlock(e, get);   // adds :authority and user-agent
  std::string second = EncodeBlock(e, get);  // indexed: kept
  std::string third = EncodeBlock(e, get);   // copied
  EXPECT_NE(first, second);
  EXPECT_EQ(HexOf(second), HexOf(third));
  EXPECT_EQ(1u, cn_http2_hpack_encoder_reused(e));
  for (const std::string *b : {&first, &second, &third})
    EXPECT_EQ(kGet, DecodeBlock(d, HexOf(*b).c_str()));
  // One field different: encoded afresh (and right).
  HeaderList other({{":method", "GET"}, {":authority", "origin.test"}, {":scheme", "https"},
                    {":path", "/2k"}, {"user-agent", "cnet"}});
  EXPECT_EQ("[:method: GET][:authority: origin.test][:scheme: https][:path: /2k]"
            "[user-agent: cnet]",
            DecodeBlock(d, HexOf(EncodeBlock(e, other)).c_str()));
  EXPECT_EQ(1u, cn_http2_hpack_encoder_reused(e));
  // Back to the first fields: encoded afresh once, then copied.
  EXPECT_EQ(kGet, DecodeBlock(d, HexOf(EncodeBlock(e, get)).c_str()));
  EXPECT_EQ(1u, cn_http2_hpack_encoder_reused(e));
  EXPECT_EQ(kGet, DecodeBlock(d, HexOf(EncodeBlock(e, get)).c_str()));
  EXPECT_EQ(2u, cn_http2_hpack_encoder_reused(e));
  // A new table size: the next block starts with the update, never a copy.
  cn_http2_hpack_encoder_set_table_size(e, 0);
  std::string resized = EncodeBlock(e, get);
  ASSERT_FALSE(resized.empty());
  EXPECT_EQ(0x20, static_cast<unsigned char>(resized[0]) & 0xe0) << HexOf(resized);
  EXPECT_EQ(kGet, DecodeBlock(d, HexOf(resized).c_str()));
  EXPECT_EQ(2u, cn_http2_hpack_encoder_reused(e));
  cn_http2_hpack_decoder_destroy(d);
  cn_http2_hpack_encoder_destroy(e);
}

// The name and value rules byte by byte, against RFC 9113 §8.2.1 written
// out: names are visible ASCII without upper case or ':' (but a leading one);
// values may hold anything but NUL, CR and LF.
TEST(Http2HpackDecoderTest, FieldRulesForEveryByte) {
  for (int c = 0; c < 256; c++) {
    bool name_ok = c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z') && c != ':';
    uint8_t name[2] = {'x', static_cast<uint8_t>(c)};
    EXPECT_EQ(name_ok, cn_http2_valid_field_name(name, 2)) << c;
    uint8_t pseudo[2] = {':', static_cast<uint8_t>(c)};
    EXPECT_EQ(name_ok, cn_http2_valid_field_name(pseudo, 2)) << c;
    uint8_t value[3] = {'a', static_cast<uint8_t>(c), 'b'};
    EXPECT_EQ(c != 0 && c != '\r' && c != '\n', cn_http2_valid_field_value(value, 3)) << c;
  }
  EXPECT_FALSE(cn_http2_valid_field_name(reinterpret_cast<const uint8_t *>(":"), 1));
  EXPECT_FALSE(cn_http2_valid_field_name(reinterpret_cast<const uint8_t *>("a"), 0));
}

}  // namespace
