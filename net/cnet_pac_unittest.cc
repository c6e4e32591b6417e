// PAC through the embedding API: a script's proxy list with fallback from a
// dead proxy to a live one and to DIRECT, the script from a file and from an
// http:// URL (fetched direct), and Chromium's rules for failing scripts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>

#include "net/base/net_errors.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "tools/testserver/test_server.h"

namespace {

struct Outcome {
  int status = 0;
  std::string body;
  int completes = 0;
  int error = 1;
  std::string chain;
};

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *, size_t) {
  auto *o = static_cast<Outcome *>(arg);
  o->status = status;
  cnet_request_info info;
  cnet_request_get_info(r, &info);
  o->chain = info.proxy_chain;
}
void OnData(cnet_request *, void *arg, const uint8_t *data, size_t len) {
  static_cast<Outcome *>(arg)->body.append(reinterpret_cast<const char *>(data), len);
}
void OnComplete(cnet_request *, void *arg, int error) {
  auto *o = static_cast<Outcome *>(arg);
  o->completes++;
  o->error = error;
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

void OnNetLog(void *arg, const char *line, size_t len) {
  static_cast<std::string *>(arg)->append(line, len).append("\n");
}

class CnetPacTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_test_server_options oo{};
    oo.plain = true;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &origin_));
    cn_test_server_options po{};
    po.plain = true;
    po.proxy = true;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &proxy_));
    // A port nobody listens on: a server's, once it is gone.
    cn_test_server *gone = nullptr;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &gone));
    dead_port_ = cn_test_server_port(gone);
    cn_test_server_destroy(gone);
    origin_url_ = "http://127.0.0.1:" + std::to_string(cn_test_server_port(origin_)) + "/bytes/64";
    live_ = "127.0.0.1:" + std::to_string(cn_test_server_port(proxy_));
    dead_ = "127.0.0.1:" + std::to_string(dead_port_);
    pac_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_pac_test.pac";
  }
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(origin_);
    cn_test_server_destroy(proxy_);
    cnet_test::RunUntilLoopEmpty(loop_.get());
    remove(pac_path_.c_str());
  }

  // A script answering |answer| for every URL.
  static std::string Script(const std::string &answer) {
    return "function FindProxyForURL(url, host) { return '" + answer + "'; }\n";
  }
  void WriteFile(const std::string &text) {
    FILE *f = fopen(pac_path_.c_str(), "w");
    ASSERT_NE(nullptr, f);
    fputs(text.c_str(), f);
    fclose(f);
  }
  int MakeContext(const std::string &pac_url, bool mandatory = false, const char *proxy = nullptr) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.pac_url = pac_url.c_str();
    o.pac_mandatory = mandatory;
    o.proxy = proxy;
    o.netlog = OnNetLog;
    o.netlog_arg = &netlog_;
    err_[0] = '\0';
    return cnet_context_new(&o, &ctx_, err_, sizeof(err_));
  }
  void Start(const std::string &url, Outcome *out) {
    cnet_request_options o;
    cnet_request_options_init(&o);
    o.url = url.c_str();
    cnet_request *r = nullptr;
    EXPECT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, out, &r));
  }
  Outcome Fetch(const std::string &url) {
    Outcome out;
    Start(url, &out);
    EXPECT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return out.completes > 0; }));
    return out;
  }
  uint64_t Forwarded() {
    cn_test_server_proxy_counters c;
    cn_test_server_get_proxy_counters(proxy_, &c);
    return c.forwarded;
  }

  cnet_test::TestLoop loop_;
  cn_test_server *origin_ = nullptr;
  cn_test_server *proxy_ = nullptr;
  uint16_t dead_port_ = 0;
  std::string origin_url_, live_, dead_, pac_path_, netlog_;
  cnet_context *ctx_ = nullptr;
  char err_[256];
};

TEST_F(CnetPacTest, DeadProxyFallsBackToTheLiveOne) {
  WriteFile(Script("PROXY " + dead_ + "; PROXY " + live_ + "; DIRECT"));
  ASSERT_EQ(0, MakeContext(pac_path_)) << err_;
  Outcome o = Fetch(origin_url_);
  EXPECT_EQ(0, o.error) << cnet_error_name(o.error);
  EXPECT_EQ(200, o.status);
  EXPECT_EQ(64u, o.body.size());
  EXPECT_EQ("http://" + live_, o.chain);
  EXPECT_EQ(1u, Forwarded());
  EXPECT_NE(std::string::npos, netlog_.find("PROXY_FALLBACK")) << netlog_;
  // The dead proxy is now known bad: the next request goes straight to the
  // live one (the bad-proxy memory), still through the PAC list.
  Outcome again = Fetch(origin_url_);
  EXPECT_EQ(0, again.error);
  EXPECT_EQ("http://" + live_, again.chain);
  EXPECT_NE(std::string::npos, netlog_.find("\"deprioritized\":1")) << netlog_;
}

TEST_F(CnetPacTest, EveryProxyDeadFallsBackToDirect) {
  WriteFile(Script("PROXY " + dead_ + "; DIRECT"));
  ASSERT_EQ(0, MakeContext(pac_path_)) << err_;
  Outcome o = Fetch(origin_url_);
  EXPECT_EQ(0, o.error) << cnet_error_name(o.error);
  EXPECT_EQ(200, o.status);
  EXPECT_EQ("direct", o.chain);
  EXPECT_EQ(0u, Forwarded());
}

TEST_F(CnetPacTest, ScriptFromAnHttpUrlIsFetchedDirect) {
  std::string script = "function FindProxyForURL(url, host) {\n"
                       "  alert('pac saw ' + host);\n"
                       "  return 'PROXY " + live_ + "';\n}\n";
  std::string encoded;
  for (char ch : script) {
    char buf[4];
    snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(ch));
    encoded += isalnum(static_cast<unsigned char>(ch)) ? std::string(1, ch) : std::string(buf);
  }
  std::string pac_url =
      "http://127.0.0.1:" + std::to_string(cn_test_server_port(origin_)) + "/pac?" + encoded;
  ASSERT_EQ(0, MakeContext(pac_url)) << err_;
  Outcome o = Fetch(origin_url_);
  EXPECT_EQ(0, o.error) << cnet_error_name(o.error);
  EXPECT_EQ("http://" + live_, o.chain);
  EXPECT_EQ(1u, Forwarded());  // the script's own fetch did not use the proxy
  EXPECT_NE(std::string::npos, netlog_.find("PAC_FILE_FETCH")) << netlog_;
  EXPECT_NE(std::string::npos, netlog_.find("pac saw 127.0.0.1")) << netlog_;
  // Fetched once per context.
  Outcome again = Fetch(origin_url_);
  EXPECT_EQ(0, again.error);
  size_t fetches = 0;
  for (size_t at = 0; (at = netlog_.find("\"PAC_FILE_FETCH\",\"phase\":\"BEGIN\"", at)) !=
                      std::string::npos;
       at++)
    fetches++;
  EXPECT_EQ(1u, fetches) << netlog_;
}

TEST_F(CnetPacTest, UnreachableScriptUrlGoesDirectUnlessMandatory) {
  std::string pac_url = "http://" + dead_ + "/proxy.pac";
  ASSERT_EQ(0, MakeContext(pac_url)) << err_;
  Outcome o = Fetch(origin_url_);
  EXPECT_EQ(0, o.error) << cnet_error_name(o.error);
  EXPECT_EQ("direct", o.chain);
  EXPECT_NE(std::string::npos, netlog_.find("cannot fetch the PAC script")) << netlog_;
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;
  ASSERT_EQ(0, MakeContext(pac_url, /*mandatory=*/true)) << err_;
  Outcome m = Fetch(origin_url_);
  EXPECT_EQ(CN_ERR_MANDATORY_PROXY_CONFIGURATION_FAILED, m.error) << cnet_error_name(m.error);
}

TEST_F(CnetPacTest, FailingScriptGoesDirectUnlessMandatory) {
  WriteFile("function FindProxyForURL(url, host) { return missing(); }\n");
  ASSERT_EQ(0, MakeContext(pac_path_)) << err_;
  Outcome o = Fetch(origin_url_);
  EXPECT_EQ(0, o.error);
  EXPECT_EQ("direct", o.chain);
  EXPECT_NE(std::string::npos, netlog_.find("PAC_JAVASCRIPT_ERROR")) << netlog_;
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;
  ASSERT_EQ(0, MakeContext(pac_path_, /*mandatory=*/true)) << err_;
  Outcome m = Fetch(origin_url_);
  EXPECT_EQ(CN_ERR_MANDATORY_PROXY_CONFIGURATION_FAILED, m.error);
  EXPECT_EQ(0, m.status);
}

TEST_F(CnetPacTest, WpadIsOptInAndA404GoesDirect) {
  // http://wpad/wpad.dat, sent to the origin server by a --connect-to rule.
  std::string rule = "wpad:80:127.0.0.1:" + std::to_string(cn_test_server_port(origin_));
  const char *rules[] = {rule.c_str()};
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.loop = loop_.get();
  o.pac_wpad = true;
  o.connect_to_rules = rules;
  o.num_connect_to_rules = 1;
  o.netlog = OnNetLog;
  o.netlog_arg = &netlog_;
  ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err_, sizeof(err_))) << err_;
  Outcome r = Fetch(origin_url_);
  EXPECT_EQ(0, r.error) << cnet_error_name(r.error);
  EXPECT_EQ("direct", r.chain);
  EXPECT_NE(std::string::npos, netlog_.find("\"url\":\"http://wpad/wpad.dat\"")) << netlog_;
  EXPECT_NE(std::string::npos, netlog_.find("answered 404, not 200")) << netlog_;
  EXPECT_NE(std::string::npos, netlog_.find("\"net_error\":-326")) << netlog_;  // PAC_STATUS_NOT_OK
}

TEST_F(CnetPacTest, ContextErrors) {
  EXPECT_EQ(CN_ERR_FILE_NOT_FOUND, MakeContext(pac_path_ + ".missing"));
  EXPECT_NE(nullptr, strstr(err_, "cannot read the PAC script")) << err_;
  WriteFile(Script("DIRECT"));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, MakeContext(pac_path_, false, "http://p:1"));
  EXPECT_NE(nullptr, strstr(err_, "exclusive")) << err_;
  EXPECT_EQ(nullptr, ctx_);
}

TEST_F(CnetPacTest, DestroyWhileTheScriptIsBeingFetched) {
  // The origin's /slow/ route answers late: the fetch is still out.
  std::string pac_url =
      "http://127.0.0.1:" + std::to_string(cn_test_server_port(origin_)) + "/slow/5000";
  ASSERT_EQ(0, MakeContext(pac_url)) << err_;
  Outcome o;
  Start(origin_url_, &o);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    cn_test_server_counters c;
    cn_test_server_get_counters(origin_, &c);
    return c.requests >= 1;
  }));
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;
  EXPECT_EQ(0, o.completes);  // cancelled: no callback
}

}  // namespace
