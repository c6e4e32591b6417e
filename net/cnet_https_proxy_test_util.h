// Test-only: an HTTPS origin for origin.test behind an in-process HTTPS
// proxy (the test server in both roles), and context options that reach the
// origin through the proxy trusting both CAs — what the API tests of the
// NetLog export and of load timing run their requests through.
#ifndef CNET_NET_CNET_HTTPS_PROXY_TEST_UTIL_H_
#define CNET_NET_CNET_HTTPS_PROXY_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "net/cnet.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

namespace cnet_test {

class HttpsProxyAndOrigin {
 public:
  // Starts both servers on |loop| and writes their CAs to per-process temp
  // files named after |tag|. Check HasFatalFailure() after it. |h2|: both
  // servers prefer HTTP/2 (F6: an h2 session to the proxy, h2 inside).
  void Start(uv_loop_t *loop, const std::string &tag, bool h2 = false) {
    h2_ = h2;
    cn_test_server_options oo{};
    oo.names = names_;
    oo.num_names = 1;
    if (h2) {
      oo.alpn[0] = CN_PROTO_HTTP2;
      oo.alpn[1] = CN_PROTO_HTTP11;
      oo.num_alpn = 2;
    }
    ASSERT_EQ(CN_OK, cn_test_server_new(loop, &oo, &origin_));
    cn_test_server_options po{};
    po.proxy = true;
    po.proxy_options.map = &map_;
    po.proxy_options.num_map = 1;
    if (h2) {
      po.alpn[0] = CN_PROTO_HTTP2;
      po.alpn[1] = CN_PROTO_HTTP11;
      po.num_alpn = 2;
    }
    ASSERT_EQ(CN_OK, cn_test_server_new(loop, &po, &proxy_));
    std::string prefix = ::testing::TempDir() + std::to_string(getpid()) + "_" + tag;
    origin_ca_ = prefix + "_origin_ca.pem";
    proxy_ca_ = prefix + "_proxy_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(origin_ca_.c_str(), cn_test_server_ca_pem(origin_)));
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(proxy_ca_.c_str(), cn_test_server_ca_pem(proxy_)));
    proxy_url_ = "https://127.0.0.1:" + std::to_string(cn_test_server_port(proxy_));
    url_ = "https://origin.test:" + std::to_string(cn_test_server_port(origin_)) + "/";
  }
  // Options for a context on |loop| that goes through the proxy; the
  // strings belong to this object.
  void FillOptions(uv_loop_t *loop, cnet_context_options *o) const {
    o->loop = loop;
    o->proxy = proxy_url_.c_str();
    o->ca_file = origin_ca_.c_str();
    o->proxy_ca_file = proxy_ca_.c_str();
    if (h2_) {
      o->origin_protocols = "h2,http/1.1";
      o->proxy_protocols = "h2,http/1.1";
    }
  }
  // Destroys the servers (run the loop until it is empty afterwards) and
  // removes the CA files.
  void Stop() {
    cn_test_server_destroy(proxy_);
    cn_test_server_destroy(origin_);
    proxy_ = origin_ = nullptr;
    unlink(origin_ca_.c_str());
    unlink(proxy_ca_.c_str());
  }
  const std::string &url() const { return url_; }

 private:
  const char *names_[1] = {"origin.test"};
  cn_test_server_host_mapping map_ = {"origin.test", "127.0.0.1"};
  cn_test_server *origin_ = nullptr;
  cn_test_server *proxy_ = nullptr;
  std::string origin_ca_, proxy_ca_, proxy_url_, url_;
  bool h2_ = false;
};

}  // namespace cnet_test

#endif  // CNET_NET_CNET_HTTPS_PROXY_TEST_UTIL_H_
