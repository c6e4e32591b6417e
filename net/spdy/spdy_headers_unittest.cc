#include "net/spdy/spdy_headers.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "net/base/net_errors.h"
#include "net/spdy/spdy_stream.h"

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields Build(cn_next_proto proto, const char *method, const char *url_text, bool absolute,
             const Fields &extra = {}) {
  cn_url url;
  EXPECT_EQ(CN_OK, cn_url_parse(url_text, &url));
  std::vector<cn_spdy_header> h;
  for (const auto &f : extra)
    h.push_back({f.first.data(), f.first.size(), f.second.data(), f.second.size()});
  cn_spdy_header_list list;
  cn_spdy_header_list_init(&list);
  EXPECT_EQ(CN_OK, cn_spdy_build_request_headers(proto, method, &url, absolute, h.data(), h.size(),
                                                 &list));
  Fields out;
  for (size_t i = 0; i < list.count; i++)
    out.push_back({std::string(list.items[i].name, list.items[i].name_len),
                   std::string(list.items[i].value, list.items[i].value_len)});
  cn_spdy_header_list_free(&list);
  cn_url_free(&url);
  return out;
}

TEST(SpdyHeadersTest, Spdy3GetToProxyUsesTheAbsoluteUrl) {
  // F4: the request to a SPDY proxy names the whole URL in :path.
  Fields f = Build(CN_PROTO_SPDY31, "GET", "http://origin.test/a?b=1#frag", true);
  Fields want = {{":method", "GET"},
                 {":path", "http://origin.test/a?b=1"},
                 {":version", "HTTP/1.1"},
                 {":host", "origin.test"},
                 {":scheme", "http"}};
  EXPECT_EQ(want, f);
}

TEST(SpdyHeadersTest, Spdy3GetToOriginUsesThePath) {
  Fields f = Build(CN_PROTO_SPDY31, "GET", "https://origin.test:8443/x", false);
  Fields want = {{":method", "GET"},
                 {":path", "/x"},
                 {":version", "HTTP/1.1"},
                 {":host", "origin.test:8443"},
                 {":scheme", "https"}};
  EXPECT_EQ(want, f);
}

TEST(SpdyHeadersTest, Http2Get) {
  // HTTP/2 carries the origin in :scheme/:authority even towards a proxy.
  Fields f = Build(CN_PROTO_HTTP2, "GET", "http://origin.test/a", true);
  Fields want = {{":method", "GET"},
                 {":authority", "origin.test"},
                 {":scheme", "http"},
                 {":path", "/a"}};
  EXPECT_EQ(want, f);
}

TEST(SpdyHeadersTest, ConnectPerProtocol) {
  Fields spdy = Build(CN_PROTO_SPDY31, "CONNECT", "https://origin.test/", false);
  Fields want_spdy = {{":method", "CONNECT"},
                      {":path", "origin.test:443"},
                      {":host", "origin.test:443"},
                      {":version", "HTTP/1.1"}};
  EXPECT_EQ(want_spdy, spdy);
  Fields h2 = Build(CN_PROTO_HTTP2, "CONNECT", "https://[::1]:8443/", false);
  Fields want_h2 = {{":method", "CONNECT"}, {":authority", "[::1]:8443"}};
  EXPECT_EQ(want_h2, h2);
}

TEST(SpdyHeadersTest, ExtraHeadersLowerCasedAndConnectionFieldsDropped) {
  Fields extra = {{"User-Agent", "cnet"},   {"Connection", "keep-alive"},
                  {"Host", "evil"},         {"Proxy-Connection", "x"},
                  {"Transfer-Encoding", "chunked"}, {"TE", "trailers"},
                  {"te", "gzip"},           {"Accept", "*/*"}};
  Fields h2 = Build(CN_PROTO_HTTP2, "GET", "https://o.test/", false, extra);
  Fields tail(h2.begin() + 4, h2.end());
  Fields want = {{"user-agent", "cnet"}, {"te", "trailers"}, {"accept", "*/*"}};
  EXPECT_EQ(want, tail);
  Fields spdy = Build(CN_PROTO_SPDY31, "GET", "https://o.test/", false, extra);
  Fields spdy_tail(spdy.begin() + 5, spdy.end());
  Fields want_spdy = {{"user-agent", "cnet"}, {"te", "trailers"}, {"te", "gzip"}, {"accept", "*/*"}};
  EXPECT_EQ(want_spdy, spdy_tail);
}

TEST(SpdyHeadersTest, RejectsBadArguments) {
  cn_url url;
  ASSERT_EQ(CN_OK, cn_url_parse("https://o.test/", &url));
  cn_spdy_header_list list;
  cn_spdy_header_list_init(&list);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_spdy_build_request_headers(CN_PROTO_HTTP11, "GET", &url, false, nullptr, 0, &list));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_spdy_build_request_headers(CN_PROTO_HTTP2, "", &url, false, nullptr, 0, &list));
  EXPECT_EQ(0u, list.count);
  cn_url_free(&url);
}

TEST(SpdyHeadersTest, Status) {
  auto status = [](const char *v) {
    cn_spdy_header h = {":status", 7, v, strlen(v)};
    return cn_spdy_headers_status(&h, 1);
  };
  EXPECT_EQ(200, status("200"));
  EXPECT_EQ(404, status("404 Not Found"));  // SPDY/3 style
  EXPECT_EQ(-1, status("20"));
  EXPECT_EQ(-1, status("2000"));
  EXPECT_EQ(-1, status("abc"));
  EXPECT_EQ(-1, cn_spdy_headers_status(nullptr, 0));
}

TEST(SpdyHeadersTest, ListOwnsLowerCasedCopies) {
  cn_spdy_header_list l;
  cn_spdy_header_list_init(&l);
  std::string name = "X-Foo", value = "bar";
  cn_spdy_header_list_add(&l, name.data(), name.size(), value.data(), value.size());
  name = "zzzzz";
  value = "qqq";
  EXPECT_STREQ("bar", cn_spdy_header_list_get(&l, "x-foo"));
  EXPECT_EQ(nullptr, cn_spdy_header_list_get(&l, "X-Foo"));
  cn_spdy_header_list_free(&l);
  EXPECT_EQ(0u, l.count);
}

// A block appended whole keeps exactly its fields (no spare slots) and its
// bytes in one piece of the arena: each field's copy follows the previous.
TEST(SpdyHeadersTest, AppendedBlockIsSizedExactly) {
  cn_spdy_header h[3] = {{":status", 7, "200", 3}, {"Content-Length", 14, "5", 1},
                         {"x-empty", 7, "", 0}};
  cn_spdy_header_list l;
  cn_spdy_header_list_init(&l);
  cn_spdy_header_list_append(&l, h, 3);
  ASSERT_EQ(3u, l.count);
  EXPECT_EQ(3u, l.cap);
  EXPECT_EQ(l.items[0].name + 7 + 3 + 2, l.items[1].name);
  EXPECT_EQ(l.items[1].name + 14 + 1 + 2, l.items[2].name);
  EXPECT_STREQ("content-length", l.items[1].name);
  EXPECT_STREQ("5", l.items[1].value);
  EXPECT_STREQ("", l.items[2].value);
  // More fields later still work (the list grows as before).
  cn_spdy_header_list_add_str(&l, "a", "b");
  cn_spdy_header_list_append(&l, h, 1);
  ASSERT_EQ(5u, l.count);
  EXPECT_STREQ("b", cn_spdy_header_list_get(&l, "a"));
  EXPECT_STREQ("200", l.items[4].value);
  EXPECT_STREQ("200", l.items[0].value);
  cn_spdy_header_list_free(&l);
}

TEST(SpdyPriorityTest, Mappings) {
  EXPECT_EQ(0, cn_spdy_priority_from_request_priority(CN_PRIORITY_HIGHEST));
  EXPECT_EQ(1, cn_spdy_priority_from_request_priority(CN_PRIORITY_MEDIUM));
  EXPECT_EQ(5, cn_spdy_priority_from_request_priority(CN_PRIORITY_THROTTLED));
  for (int p = CN_PRIORITY_THROTTLED; p <= CN_PRIORITY_HIGHEST; p++) {
    auto rp = static_cast<cn_request_priority>(p);
    uint8_t sp = cn_spdy_priority_from_request_priority(rp);
    EXPECT_EQ(rp, cn_spdy_priority_to_request_priority(sp));
    EXPECT_EQ(sp, cn_http2_weight_to_spdy_priority(cn_spdy_priority_to_http2_weight(sp)));
  }
  EXPECT_EQ(253, cn_spdy_priority_to_http2_weight(0));
  EXPECT_EQ(1, cn_spdy_priority_to_http2_weight(7));
  EXPECT_EQ(0, cn_http2_weight_to_spdy_priority(256));
  EXPECT_EQ(7, cn_http2_weight_to_spdy_priority(1));
}

}  // namespace
