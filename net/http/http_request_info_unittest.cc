#include "net/http/http_request_info.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "base/bytebuf.h"
#include "net/base/net_errors.h"
#include "net/http/http_upload.h"

namespace {

// A body of unknown size (sent chunked); never actually read here.
int64_t UnknownSize(const cn_http_upload *) { return -1; }
int NoRead(cn_http_upload *, cn_iobuf *, size_t, cn_completion_cb, void *) { return 0; }
void NoDestroy(cn_http_upload *) {}
const cn_http_upload_ops kUnknownSizeOps = {UnknownSize, NoRead, nullptr, nullptr, NoDestroy};

class HttpRequestInfoTest : public ::testing::Test {
 protected:
  HttpRequestInfoTest() { cn_http_headers_init(&extra_); }
  ~HttpRequestInfoTest() override {
    cn_url_free(&url_);
    cn_http_headers_free(&extra_);
  }

  void SetUrl(const char *text) {
    cn_url_free(&url_);
    ASSERT_EQ(CN_OK, cn_url_parse(text, &url_)) << text;
  }

  cn_http_request_info Info(const char *method) {
    cn_http_request_info info{};
    info.method = method;
    info.url = &url_;
    return info;
  }

  std::string Head(const cn_http_request_info &info, int *rv_out = nullptr) {
    cn_bytebuf b;
    cn_bytebuf_init(&b);
    int rv = cn_http_request_write_head(&info, &b);
    if (rv_out)
      *rv_out = rv;
    else
      EXPECT_EQ(CN_OK, rv);
    std::string s(reinterpret_cast<const char *>(cn_bytebuf_head(&b)), cn_bytebuf_len(&b));
    cn_bytebuf_free(&b);
    return s;
  }

  cn_url url_{};
  cn_http_headers extra_;
};

TEST_F(HttpRequestInfoTest, OriginFormWithDefaultPortOmitted) {
  SetUrl("http://Example.COM:80/a/b?x=1&y=2#frag");
  EXPECT_EQ("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\n\r\n", Head(Info("GET")));
  SetUrl("https://example.com:443/");
  EXPECT_EQ("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", Head(Info("GET")));
}

TEST_F(HttpRequestInfoTest, HostCarriesNonDefaultPort) {
  SetUrl("http://example.com:8080/p");
  EXPECT_EQ("GET /p HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", Head(Info("GET")));
  SetUrl("https://example.com:80/");
  EXPECT_EQ("GET / HTTP/1.1\r\nHost: example.com:80\r\n\r\n", Head(Info("GET")));
}

TEST_F(HttpRequestInfoTest, Ipv6HostIsBracketed) {
  SetUrl("http://[::1]:8080/x");
  EXPECT_EQ("GET /x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", Head(Info("GET")));
  SetUrl("http://[2001:db8::1]/");
  EXPECT_EQ("GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n", Head(Info("GET")));
  auto info = Info("GET");
  info.use_absolute_form = true;
  EXPECT_EQ("GET http://[2001:db8::1]/ HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n", Head(info));
}

TEST_F(HttpRequestInfoTest, AbsoluteFormToProxyWithoutUserinfoOrFragment) {
  SetUrl("http://user:pass@origin.test:81/p?q#f");
  auto info = Info("GET");
  info.use_absolute_form = true;
  EXPECT_EQ("GET http://origin.test:81/p?q HTTP/1.1\r\nHost: origin.test:81\r\n\r\n", Head(info));
}

TEST_F(HttpRequestInfoTest, ConnectUsesAuthorityFormWithPort) {
  SetUrl("https://origin.test/");
  EXPECT_EQ("CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n",
            Head(Info("CONNECT")));
  SetUrl("https://[::1]:8443/");
  EXPECT_EQ("CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", Head(Info("CONNECT")));
}

TEST_F(HttpRequestInfoTest, GeneratedAndExtraHeadersInOrder) {
  SetUrl("http://h.test/");
  cn_http_headers_add(&extra_, "Accept", "*/*");
  cn_http_headers_add(&extra_, "Cookie", "a=b");
  auto info = Info("GET");
  info.user_agent = "cnet/1";
  info.accept_encoding = true;
  info.extra_headers = &extra_;
  EXPECT_EQ(
      "GET / HTTP/1.1\r\nHost: h.test\r\nUser-Agent: cnet/1\r\nAccept-Encoding: gzip, deflate\r\n"
      "Accept: */*\r\nCookie: a=b\r\n\r\n",
      Head(info));
}

TEST_F(HttpRequestInfoTest, ExtraHeadersOverrideGeneratedOnes) {
  SetUrl("http://h.test/");
  cn_http_headers_add(&extra_, "User-Agent", "mine");
  cn_http_headers_add(&extra_, "accept-encoding", "identity");
  cn_http_headers_add(&extra_, "host", "virtual.test");
  auto info = Info("GET");
  info.user_agent = "cnet/1";
  info.accept_encoding = true;
  info.extra_headers = &extra_;
  EXPECT_EQ(
      "GET / HTTP/1.1\r\nHost: virtual.test\r\nUser-Agent: mine\r\naccept-encoding: identity\r\n"
      "\r\n",
      Head(info));
}

TEST_F(HttpRequestInfoTest, BodyFraming) {
  SetUrl("http://h.test/up");
  cn_http_upload *body = cn_http_upload_new_copy("hello", 5);
  auto info = Info("POST");
  info.upload = body;
  EXPECT_EQ("POST /up HTTP/1.1\r\nHost: h.test\r\nContent-Length: 5\r\n\r\n", Head(info));
  cn_http_upload_destroy(body);

  cn_http_upload chunked{&kUnknownSizeOps};
  info.upload = &chunked;
  EXPECT_EQ("POST /up HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: chunked\r\n\r\n", Head(info));

  // POST/PUT/PATCH without a body still say Content-Length: 0; GET does not.
  info.upload = nullptr;
  EXPECT_EQ("POST /up HTTP/1.1\r\nHost: h.test\r\nContent-Length: 0\r\n\r\n", Head(info));
  EXPECT_EQ("PUT /up HTTP/1.1\r\nHost: h.test\r\nContent-Length: 0\r\n\r\n", Head(Info("PUT")));
  EXPECT_EQ("DELETE /up HTTP/1.1\r\nHost: h.test\r\n\r\n", Head(Info("DELETE")));

  cn_http_upload *empty = cn_http_upload_new_copy("", 0);
  info = Info("GET");
  info.upload = empty;
  EXPECT_EQ("GET /up HTTP/1.1\r\nHost: h.test\r\nContent-Length: 0\r\n\r\n", Head(info));
  cn_http_upload_destroy(empty);
}

TEST_F(HttpRequestInfoTest, RefusesBadInput) {
  SetUrl("http://h.test/");
  int rv = 0;
  EXPECT_EQ("", Head(Info("G ET"), &rv));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, rv);
  Head(Info(""), &rv);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, rv);
  Head(Info(nullptr), &rv);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, rv);
  auto info = Info("GET");
  info.url = nullptr;
  Head(info, &rv);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, rv);

  // Framing is cnet's: the caller may not set it.
  cn_http_headers_add(&extra_, "Content-Length", "3");
  info = Info("POST");
  info.extra_headers = &extra_;
  EXPECT_EQ("", Head(info, &rv));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, rv);
  cn_http_headers_clear(&extra_);
  cn_http_headers_add(&extra_, "transfer-encoding", "chunked");
  Head(info, &rv);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, rv);
}

TEST_F(HttpRequestInfoTest, MethodHelpers) {
  EXPECT_TRUE(cn_http_method_is_head("HEAD"));
  EXPECT_FALSE(cn_http_method_is_head("GET"));
  EXPECT_TRUE(cn_http_method_is_connect("CONNECT"));
  EXPECT_FALSE(cn_http_method_is_connect(nullptr));
}

}  // namespace
