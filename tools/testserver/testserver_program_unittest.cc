// The `testserver` program itself (built beside net_unittests): startup
// line, CA and port files, serving, clean exit on SIGTERM, bad flags, proxy
// mode.
#include <gtest/gtest.h>
#include <limits.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "net/socket/socket_test_util.h"
#include "tools/testserver/test_server_test_util.h"
#include "tools/testserver/test_server.h"

namespace cnet_test {
namespace {

std::string ProgramPath() {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0)
    return "";
  std::string path(exe, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + "testserver";
}

std::string ReadFile(const std::string &path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class TestServerProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = ProgramPath();
    ASSERT_EQ(0, access(program_.c_str(), X_OK)) << program_ << " not built";
    dir_ = ::testing::TempDir() + "testserver_program_" + std::to_string(getpid()) + "_";
  }
  TestLoop loop_;
  std::string program_;
  std::string dir_;
};

TEST_F(TestServerProgramTest, ServesUntilSigterm) {
  std::string ca = dir_ + "ca.pem", port_file = dir_ + "port";
  unlink(port_file.c_str());
  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {program_, "--port", "0", "--name", "origin.test", "--ca-out",
                                    ca, "--port-file", port_file}));
  ASSERT_TRUE(p.RunUntil([&] { return p.out().find('\n') != std::string::npos || p.exited(); }))
      << "no startup line";
  const std::string prefix = "listening on https://127.0.0.1:";
  ASSERT_EQ(0u, p.out().find(prefix)) << p.out();
  int port = std::atoi(p.out().c_str() + prefix.size());
  ASSERT_GT(port, 0);
  EXPECT_EQ(std::to_string(port) + "\n", ReadFile(port_file));

  cn_ssl_client_context_options co = {};
  co.ca_file = ca.c_str();
  cn_ssl_context *ctx = nullptr;
  ASSERT_EQ(CN_OK, cn_ssl_client_context_new(&co, &ctx));
  cn_ip_endpoint ep;
  ASSERT_TRUE(cn_ip_endpoint_from_literal("127.0.0.1", static_cast<uint16_t>(port), &ep));
  int rv;
  cn_stream_socket *s = ConnectTls(loop_.get(), ep, ctx, "origin.test", &rv);
  ASSERT_EQ(CN_OK, rv) << cn_error_name(rv);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, "GET /bytes/4000 HTTP/1.1\r\nHost: origin.test\r\n\r\n"));
  ResponseReader reader(loop_.get(), s);
  Response r = reader.Read();
  EXPECT_EQ(200, r.status);
  EXPECT_TRUE(r.body == PatternBytes(0, 4000));

  // SIGTERM with the connection still open: the server closes it and exits 0.
  p.Kill(SIGTERM);
  ProcessResult res = p.Wait();
  EXPECT_EQ(0, res.exit_status) << res.err;
  EXPECT_EQ(0, res.term_signal);
  EXPECT_LE(reader.ReadMore(), 0);
  cn_stream_socket_destroy(s);
  cn_ssl_context_unref(ctx);
  unlink(ca.c_str());
  unlink(port_file.c_str());
}

TEST_F(TestServerProgramTest, PlainAndSigint) {
  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {program_, "--plain", "--bind", "127.0.0.1"}));
  ASSERT_TRUE(p.RunUntil([&] { return p.out().find('\n') != std::string::npos || p.exited(); }));
  EXPECT_EQ(0u, p.out().find("listening on http://127.0.0.1:")) << p.out();
  p.Kill(SIGINT);
  EXPECT_EQ(0, p.Wait().exit_status);
}

// The program as a plain HTTP proxy with a host map, in front of an
// in-process origin.
TEST_F(TestServerProgramTest, PlainProxyWithHostMap) {
  cn_test_server_options oo = {};
  oo.plain = true;
  cn_test_server *origin = nullptr;
  ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &origin));
  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {program_, "--proxy", "--plain", "--map",
                                    "origin.test=127.0.0.1"}));
  ASSERT_TRUE(p.RunUntil([&] { return p.out().find('\n') != std::string::npos || p.exited(); }));
  const std::string prefix = "listening on http://127.0.0.1:";
  ASSERT_EQ(0u, p.out().find(prefix)) << p.out();
  int port = std::atoi(p.out().c_str() + prefix.size());
  cn_ip_endpoint ep;
  ASSERT_TRUE(cn_ip_endpoint_from_literal("127.0.0.1", static_cast<uint16_t>(port), &ep));
  int rv;
  cn_stream_socket *s = ConnectTcp(loop_.get(), ep, &rv);
  ASSERT_EQ(CN_OK, rv);
  std::string authority = "origin.test:" + std::to_string(cn_test_server_port(origin));
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s,
                            "GET http://" + authority + "/bytes/3000 HTTP/1.1\r\nHost: " +
                                authority + "\r\n\r\n"));
  ResponseReader reader(loop_.get(), s);
  Response r = reader.Read();
  EXPECT_EQ(200, r.status);
  EXPECT_TRUE(r.body == PatternBytes(0, 3000));
  cn_stream_socket_destroy(s);
  p.Kill(SIGTERM);
  EXPECT_EQ(0, p.Wait().exit_status);
  cn_test_server_destroy(origin);
}

TEST_F(TestServerProgramTest, HttpsProxyStartsAndBadProxyFlag) {
  std::string ca = dir_ + "proxy_ca.pem";
  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {program_, "--proxy", "--auth", "u:p", "--ca-out", ca}));
  ASSERT_TRUE(p.RunUntil([&] { return p.out().find('\n') != std::string::npos || p.exited(); }));
  EXPECT_EQ(0u, p.out().find("listening on https://127.0.0.1:")) << p.out();
  EXPECT_NE(std::string::npos, ReadFile(ca).find("BEGIN CERTIFICATE"));
  p.Kill(SIGTERM);
  EXPECT_EQ(0, p.Wait().exit_status);
  unlink(ca.c_str());

  Subprocess q;
  ASSERT_TRUE(q.Start(loop_.get(), {program_, "--drop-at", "mid-tunnel"}));
  ProcessResult r = q.Wait();
  EXPECT_EQ(2, r.exit_status);
  EXPECT_NE(std::string::npos, r.err.find("--drop-at needs --proxy")) << r.err;
}

TEST_F(TestServerProgramTest, BadFlagExits2) {
  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {program_, "--cert-mode", "sloppy"}));
  ProcessResult r = p.Wait();
  EXPECT_EQ(2, r.exit_status);
  EXPECT_NE(std::string::npos, r.err.find("--cert-mode")) << r.err;
  EXPECT_NE(std::string::npos, r.err.find("usage:")) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(TestServerProgramTest, Help) {
  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {program_, "--help"}));
  ProcessResult r = p.Wait();
  EXPECT_EQ(0, r.exit_status);
  EXPECT_NE(std::string::npos, r.out.find("usage: testserver")) << r.out;
}

}  // namespace
}  // namespace cnet_test
