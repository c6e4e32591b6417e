#include "tools/testserver/testserver_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Args {
  explicit Args(std::vector<std::string> a) : strings(std::move(a)) {
    strings.insert(strings.begin(), "testserver");
    for (auto &s : strings)
      argv.push_back(&s[0]);
  }
  int argc() const { return static_cast<int>(argv.size()); }
  std::vector<std::string> strings;
  std::vector<char *> argv;
};

bool Parse(Args &a, cn_ts_flags *f, std::string *err) {
  char buf[256] = "";
  bool ok = cn_ts_flags_parse(a.argc(), a.argv.data(), f, buf, sizeof(buf));
  *err = buf;
  return ok;
}

TEST(TestServerFlagsTest, Defaults) {
  Args a({});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_EQ(0, f.server.port);
  EXPECT_FALSE(f.server.plain);
  EXPECT_EQ(nullptr, f.server.bind_address);
  EXPECT_EQ(0u, f.server.num_names);
  EXPECT_EQ(CN_TEST_SERVER_CERT_GOOD, f.server.cert_mode);
  EXPECT_EQ(0u, f.server.num_alpn);
  EXPECT_FALSE(f.help);
}

TEST(TestServerFlagsTest, Everything) {
  Args a({"--port", "8443", "--bind=::1", "--name", "origin.test", "--name=b.test", "--cert-mode",
          "wrong-host", "--alpn", "h2,http/1.1", "--ca-out", "/tmp/ca.pem", "--port-file=/tmp/p"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_EQ(8443, f.server.port);
  EXPECT_STREQ("::1", f.server.bind_address);
  ASSERT_EQ(2u, f.server.num_names);
  EXPECT_STREQ("origin.test", f.server.names[0]);
  EXPECT_STREQ("b.test", f.server.names[1]);
  EXPECT_EQ(CN_TEST_SERVER_CERT_WRONG_HOST, f.server.cert_mode);
  ASSERT_EQ(2u, f.server.num_alpn);
  EXPECT_EQ(CN_PROTO_HTTP2, f.server.alpn[0]);
  EXPECT_EQ(CN_PROTO_HTTP11, f.server.alpn[1]);
  EXPECT_STREQ("/tmp/ca.pem", f.ca_out);
  EXPECT_STREQ("/tmp/p", f.port_file);
}

TEST(TestServerFlagsTest, PlainAndHelpAndNoAlpn) {
  Args a({"--plain", "--help", "--alpn", "none"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_TRUE(f.server.plain);
  EXPECT_TRUE(f.help);
  EXPECT_TRUE(f.server.no_alpn);
}

TEST(TestServerFlagsTest, ErrorsNameTheFlag) {
  struct {
    std::vector<std::string> args;
    const char *flag;
  } cases[] = {
      {{"--bogus"}, "--bogus"},
      {{"--port"}, "--port"},
      {{"--port", "70000"}, "--port"},
      {{"--port", "x"}, "--port"},
      {{"--bind", "localhost"}, "--bind"},
      {{"--cert-mode", "weird"}, "--cert-mode"},
      {{"--alpn", "h3"}, "--alpn"},
      {{"--alpn", "h2,"}, "--alpn"},
      {{"--name", "bad name"}, "--name"},
      {{"--plain=yes"}, "--plain"},
      {{"--plain", "--ca-out", "x"}, "--ca-out"},
  };
  for (auto &c : cases) {
    Args a(c.args);
    cn_ts_flags f;
    std::string err;
    EXPECT_FALSE(Parse(a, &f, &err)) << c.flag;
    EXPECT_NE(std::string::npos, err.find(c.flag)) << err;
  }
}

TEST(TestServerFlagsTest, CertModeNamesRoundTrip) {
  for (int m = CN_TEST_SERVER_CERT_GOOD; m <= CN_TEST_SERVER_CERT_CUT_HANDSHAKE; m++) {
    cn_test_server_cert_mode parsed;
    const char *name = cn_test_server_cert_mode_name(static_cast<cn_test_server_cert_mode>(m));
    ASSERT_TRUE(cn_test_server_cert_mode_parse(name, &parsed)) << name;
    EXPECT_EQ(m, parsed);
  }
  EXPECT_NE(std::string::npos, std::string(cn_ts_flags_usage()).find("--cert-mode"));
}

}  // namespace
