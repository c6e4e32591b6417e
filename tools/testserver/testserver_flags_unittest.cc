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
          "wrong-host", "--alpn", "h2,http/1.1", "--ca-out", "/tmp/ca.pem", "--port-file=/tmp/p",
          "--netlog", "/tmp/server.jsonl"});
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
  EXPECT_STREQ("/tmp/server.jsonl", f.netlog);
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

TEST(TestServerFlagsTest, NpnOnly) {
  Args a({"--npn", "spdy/3.1,http/1.1"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_TRUE(f.server.npn_only);
  ASSERT_EQ(2u, f.server.num_alpn);
  EXPECT_EQ(CN_PROTO_SPDY31, f.server.alpn[0]);
  Args bad({"--npn", "none"});
  EXPECT_FALSE(Parse(bad, &f, &err));
  EXPECT_NE(std::string::npos, err.find("--npn")) << err;
}

TEST(TestServerFlagsTest, Tls12Only) {
  Args a({"--tls12", "--alpn", "h2"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_TRUE(f.server.tls12_only);
  EXPECT_FALSE(f.server.npn_only);
  Args bad({"--tls12=yes"});
  EXPECT_FALSE(Parse(bad, &f, &err));
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
      {{"--proxy", "--auth", "nocolon"}, "--auth"},
      {{"--proxy", "--refuse-connect", "200"}, "--refuse-connect"},
      {{"--proxy", "--refuse-connect", "600"}, "--refuse-connect"},
      {{"--proxy", "--refuse-connect", "199"}, "--refuse-connect"},
      {{"--proxy", "--answer-fault", "sometimes"}, "--answer-fault"},
      {{"--answer-fault", "garbage"}, "--answer-fault"},  // needs --proxy
      {{"--close-on-request", "0"}, "--close-on-request"},
      {{"--proxy", "--drop-at", "sometimes"}, "--drop-at"},
      {{"--proxy", "--drop-after", "-1"}, "--drop-after"},
      {{"--proxy", "--slow", "x"}, "--slow"},
      {{"--proxy", "--map", "origin.test"}, "--map"},
      {{"--proxy", "--map", "origin.test=not-an-ip"}, "--map"},
      {{"--proxy", "--map", "=127.0.0.1"}, "--map"},
      {{"--proxy", "--extra-after-200=yes"}, "--extra-after-200"},
      {{"--auth", "u:p"}, "--auth"},  // needs --proxy
      {{"--slow", "5", "--drop-at", "mid-tunnel"}, "--slow"},
  };
  for (auto &c : cases) {
    Args a(c.args);
    cn_ts_flags f;
    std::string err;
    EXPECT_FALSE(Parse(a, &f, &err)) << c.flag;
    EXPECT_NE(std::string::npos, err.find(c.flag)) << err;
  }
}

TEST(TestServerFlagsTest, ProxySwitches) {
  Args a({"--proxy", "--plain", "--auth", "user:pa:ss", "--auth-close", "--refuse-connect", "302",
          "--refuse-location=https://elsewhere.test/", "--drop-at", "mid-tunnel", "--drop-after",
          "100", "--slow=50", "--extra-after-200", "--map", "origin.test=127.0.0.1",
          "--map=B.test=::1"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_TRUE(f.server.proxy);
  EXPECT_TRUE(f.server.plain);
  const cn_test_server_proxy_options &p = f.server.proxy_options;
  EXPECT_STREQ("user:pa:ss", p.auth);
  EXPECT_TRUE(p.auth_close);
  EXPECT_EQ(302, p.refuse_connect);
  EXPECT_STREQ("https://elsewhere.test/", p.refuse_location);
  EXPECT_EQ(CN_TEST_SERVER_DROP_MID_TUNNEL, p.drop_at);
  EXPECT_EQ(100u, p.drop_after_bytes);
  EXPECT_EQ(50u, p.slow_ms);
  EXPECT_TRUE(p.extra_after_200);
  ASSERT_EQ(2u, p.num_map);
  EXPECT_STREQ("origin.test", p.map[0].host);
  EXPECT_STREQ("127.0.0.1", p.map[0].address);
  EXPECT_STREQ("b.test", p.map[1].host);  // canonical
  EXPECT_STREQ("::1", p.map[1].address);
  std::string usage = cn_ts_flags_usage();
  for (const char *flag : {"--proxy", "--auth", "--auth-close", "--refuse-connect", "--drop-at",
                           "--slow", "--extra-after-200", "--map"})
    EXPECT_NE(std::string::npos, usage.find(flag)) << flag;
}

// The fault matrix's switches: a 2xx refusal, the proxy's own faulty
// answers, a stalled TLS handshake.
TEST(TestServerFlagsTest, FaultSwitches) {
  Args a({"--proxy", "--refuse-connect", "201", "--answer-fault=many-headers", "--cert-mode",
          "stall-handshake", "--close-on-request", "2"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_EQ(201, f.server.proxy_options.refuse_connect);
  EXPECT_EQ(CN_TEST_SERVER_ANSWER_FAULT_MANY_HEADERS, f.server.proxy_options.answer_fault);
  EXPECT_EQ(CN_TEST_SERVER_CERT_STALL_HANDSHAKE, f.server.cert_mode);
  EXPECT_EQ(2u, f.server.close_on_request);
  for (int k = CN_TEST_SERVER_ANSWER_FAULT_NONE; k <= CN_TEST_SERVER_ANSWER_FAULT_HANG; k++) {
    cn_test_server_answer_fault parsed;
    const char *name =
        cn_test_server_answer_fault_name(static_cast<cn_test_server_answer_fault>(k));
    ASSERT_TRUE(cn_test_server_answer_fault_parse(name, &parsed)) << name;
    EXPECT_EQ(k, parsed);
  }
  std::string usage = cn_ts_flags_usage();
  for (const char *word : {"--answer-fault", "stall-handshake", "many-headers", "--close-on-request"})
    EXPECT_NE(std::string::npos, usage.find(word)) << word;
}

TEST(TestServerFlagsTest, ProxyDefaults) {
  Args a({"--proxy"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  EXPECT_TRUE(f.server.proxy);
  EXPECT_EQ(nullptr, f.server.proxy_options.auth);
  EXPECT_EQ(0, f.server.proxy_options.refuse_connect);
  EXPECT_EQ(CN_TEST_SERVER_DROP_NONE, f.server.proxy_options.drop_at);
  EXPECT_EQ(0u, f.server.proxy_options.num_map);
}

TEST(TestServerFlagsTest, CertModeNamesRoundTrip) {
  for (int m = CN_TEST_SERVER_CERT_GOOD; m <= CN_TEST_SERVER_CERT_STALL_HANDSHAKE; m++) {
    cn_test_server_cert_mode parsed;
    const char *name = cn_test_server_cert_mode_name(static_cast<cn_test_server_cert_mode>(m));
    ASSERT_TRUE(cn_test_server_cert_mode_parse(name, &parsed)) << name;
    EXPECT_EQ(m, parsed);
  }
  EXPECT_NE(std::string::npos, std::string(cn_ts_flags_usage()).find("--cert-mode"));
}

}  // namespace

namespace {

TEST(TestServerFlagsTest, SessionSwitches) {
  Args a({"--alpn", "h2,spdy/3.1,http/1.1", "--goaway-after", "3", "--rst-stream",
          "refused-stream", "--rst-path", "/bytes/", "--initial-window=1024",
          "--max-concurrent-streams", "4", "--bad-frame"});
  cn_ts_flags f;
  std::string err;
  ASSERT_TRUE(Parse(a, &f, &err)) << err;
  ASSERT_EQ(3u, f.server.num_alpn);
  EXPECT_EQ(CN_PROTO_SPDY31, f.server.alpn[1]);
  const cn_test_server_session_options &o = f.server.session_options;
  EXPECT_EQ(3u, o.goaway_after);
  EXPECT_TRUE(o.rst_stream);
  EXPECT_EQ(7u, o.rst_stream_code);
  EXPECT_STREQ("/bytes/", o.rst_stream_path);
  EXPECT_EQ(1024u, o.initial_window);
  EXPECT_EQ(4u, o.max_concurrent_streams);
  EXPECT_TRUE(o.bad_frame);

  Args n({"--rst-stream", "8"});
  ASSERT_TRUE(Parse(n, &f, &err)) << err;
  EXPECT_EQ(8u, f.server.session_options.rst_stream_code);
  EXPECT_EQ(nullptr, f.server.session_options.rst_stream_path);
}

TEST(TestServerFlagsTest, BadSessionSwitches) {
  for (std::vector<std::string> v : std::vector<std::vector<std::string>>{
           {"--goaway-after", "0"},
           {"--rst-stream", "no-such-code"},
           {"--rst-path", "/x"},  // without --rst-stream
           {"--rst-stream", "1", "--rst-path", "x"},
           {"--initial-window", "0"},
           {"--initial-window", "2147483648"},
           {"--max-concurrent-streams", "0"},
           {"--bad-frame=1"}}) {
    Args a(v);
    cn_ts_flags f;
    std::string err;
    EXPECT_FALSE(Parse(a, &f, &err)) << v[0];
    EXPECT_FALSE(err.empty());
  }
}

}  // namespace
