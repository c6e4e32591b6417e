// cnet_request_get_cert_error: which hop's certificate failed a request,
// with which error, and the leaf's subject and issuer — for an origin and
// for a proxy (the test server's certificate faults).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

namespace {

using cnet_test::TestLoop;

struct Outcome {
  int completes = 0;
  int error = 1;
  bool has_cert_error = false;
  int cert_error = 0;
  bool is_proxy = false;
  int proxy_index = -2;
  std::string url, subject, issuer;
};

const cnet_request_callbacks kCallbacks = {
    [](cnet_request *, void *, int, const cnet_header *, size_t) {},
    [](cnet_request *, void *, const uint8_t *, size_t) {},
    [](cnet_request *r, void *arg, int error) {
      auto *o = static_cast<Outcome *>(arg);
      o->completes++;
      o->error = error;
      cnet_cert_error ce;
      o->has_cert_error = cnet_request_get_cert_error(r, &ce);
      if (o->has_cert_error) {
        o->cert_error = ce.error;
        o->is_proxy = ce.is_proxy;
        o->proxy_index = ce.proxy_index;
        o->url = ce.url;
        o->subject = ce.subject;
        o->issuer = ce.issuer;
      }
    }};

class CnetCertErrorTest : public ::testing::Test {
 protected:
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(proxy_);
    cn_test_server_destroy(origin_);
    cnet_test::RunUntilLoopEmpty(loop_.get());
    unlink(origin_ca_.c_str());
    unlink(proxy_ca_.c_str());
  }
  // An HTTPS origin for origin.test, optionally behind an HTTPS proxy; each
  // with its certificate mode. The client trusts each server's published CA.
  void Start(cn_test_server_cert_mode origin_mode, bool with_proxy,
             cn_test_server_cert_mode proxy_mode) {
    cn_test_server_options oo{};
    const char *names[] = {"origin.test"};
    oo.names = names;
    oo.num_names = 1;
    oo.cert_mode = origin_mode;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &origin_));
    std::string prefix = ::testing::TempDir() + std::to_string(getpid());
    origin_ca_ = prefix + "_certerr_origin_ca.pem";
    proxy_ca_ = prefix + "_certerr_proxy_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(origin_ca_.c_str(), cn_test_server_ca_pem(origin_)));
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.ca_file = origin_ca_.c_str();
    std::string resolve = "origin.test:" + std::to_string(cn_test_server_port(origin_)) +
                          ":127.0.0.1";
    const char *rules[] = {resolve.c_str()};
    if (with_proxy) {
      map_ = {"origin.test", "127.0.0.1"};
      cn_test_server_options po{};
      po.proxy = true;
      po.cert_mode = proxy_mode;
      po.proxy_options.map = &map_;
      po.proxy_options.num_map = 1;
      ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &proxy_));
      ASSERT_EQ(CN_OK, cn_test_write_pem_file(proxy_ca_.c_str(), cn_test_server_ca_pem(proxy_)));
      proxy_url_ = "https://127.0.0.1:" + std::to_string(cn_test_server_port(proxy_));
      o.proxy = proxy_url_.c_str();
      o.proxy_ca_file = proxy_ca_.c_str();
    } else {
      o.resolve_rules = rules;
      o.num_resolve_rules = 1;
    }
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
    origin_url_ = "https://origin.test:" + std::to_string(cn_test_server_port(origin_));
  }
  void Fetch(Outcome *out) {
    cnet_request_options ro;
    cnet_request_options_init(&ro);
    std::string url = origin_url_ + "/";
    ro.url = url.c_str();
    cnet_request *r = nullptr;
    ASSERT_EQ(0, cnet_request_start(ctx_, &ro, &kCallbacks, out, &r));
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return out->completes > 0; }));
  }

  TestLoop loop_;
  cn_test_server *origin_ = nullptr;
  cn_test_server *proxy_ = nullptr;
  cn_test_server_host_mapping map_{};
  cnet_context *ctx_ = nullptr;
  std::string origin_ca_, proxy_ca_, proxy_url_, origin_url_;
};

TEST_F(CnetCertErrorTest, OriginWithAnUnknownAuthority) {
  Start(CN_TEST_SERVER_CERT_UNKNOWN_CA, false, CN_TEST_SERVER_CERT_GOOD);
  Outcome out;
  Fetch(&out);
  EXPECT_EQ(CNET_ERR_CERT_AUTHORITY_INVALID, out.error);
  ASSERT_TRUE(out.has_cert_error);
  EXPECT_EQ(CNET_ERR_CERT_AUTHORITY_INVALID, out.cert_error);
  EXPECT_FALSE(out.is_proxy);
  EXPECT_EQ(-1, out.proxy_index);
  EXPECT_EQ(origin_url_, out.url);
  EXPECT_NE(std::string::npos, out.subject.find("CN=")) << out.subject;
  EXPECT_NE(std::string::npos, out.issuer.find("CN=")) << out.issuer;
  EXPECT_NE(out.subject, out.issuer);
}

TEST_F(CnetCertErrorTest, OriginThroughAProxyWithAWrongName) {
  Start(CN_TEST_SERVER_CERT_WRONG_HOST, true, CN_TEST_SERVER_CERT_GOOD);
  Outcome out;
  Fetch(&out);
  EXPECT_EQ(CNET_ERR_CERT_COMMON_NAME_INVALID, out.error);
  ASSERT_TRUE(out.has_cert_error);
  EXPECT_FALSE(out.is_proxy);
  EXPECT_EQ(origin_url_, out.url);
  EXPECT_FALSE(out.subject.empty());
}

TEST_F(CnetCertErrorTest, ProxyWithAnExpiredCertificate) {
  Start(CN_TEST_SERVER_CERT_GOOD, true, CN_TEST_SERVER_CERT_EXPIRED);
  Outcome out;
  Fetch(&out);
  EXPECT_EQ(CNET_ERR_PROXY_CERTIFICATE_INVALID, out.error);
  ASSERT_TRUE(out.has_cert_error);
  EXPECT_EQ(CNET_ERR_CERT_DATE_INVALID, out.cert_error);
  EXPECT_TRUE(out.is_proxy);
  EXPECT_EQ(0, out.proxy_index);
  EXPECT_EQ(proxy_url_, out.url);
  EXPECT_NE(std::string::npos, out.subject.find("CN=")) << out.subject;
  EXPECT_NE(std::string::npos, out.issuer.find("CN=")) << out.issuer;
}

TEST_F(CnetCertErrorTest, NoneForASuccessOrAnotherError) {
  Start(CN_TEST_SERVER_CERT_GOOD, true, CN_TEST_SERVER_CERT_GOOD);
  Outcome ok;
  Fetch(&ok);
  EXPECT_EQ(0, ok.error);
  EXPECT_FALSE(ok.has_cert_error);
}

}  // namespace
