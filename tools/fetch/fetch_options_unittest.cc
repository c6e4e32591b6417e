#include "tools/fetch/fetch_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Args {
  std::vector<std::string> storage;
  std::vector<char *> argv;
  explicit Args(std::initializer_list<const char *> list) {
    storage.push_back("fetch");
    for (const char *a : list)
      storage.push_back(a);
    for (auto &s : storage)
      argv.push_back(&s[0]);
  }
};

bool Parse(Args &a, fetch_options *o, std::string *err) {
  char buf[256] = "";
  bool ok = fetch_options_parse(static_cast<int>(a.argv.size()), a.argv.data(), o, buf, sizeof(buf));
  *err = buf;
  return ok;
}

TEST(FetchOptionsTest, ParsesCurlLikeOptions) {
  Args a({"-v", "--cacert", "/tmp/ca.pem", "--resolve=origin.test:443:127.0.0.1", "-H",
          "X-A: 1", "-HX-B: 2", "-o", "out.bin", "--stats", "--netlog", "log.json",
          "https://origin.test/", "http://b/", "--max-time", "2.5"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  EXPECT_TRUE(o.verbose);
  EXPECT_TRUE(o.stats);
  EXPECT_STREQ("/tmp/ca.pem", o.cacert);
  ASSERT_EQ(1u, o.num_resolve);
  EXPECT_STREQ("origin.test:443:127.0.0.1", o.resolve[0]);
  ASSERT_EQ(2u, o.num_headers);
  EXPECT_STREQ("X-B: 2", o.headers[1]);
  ASSERT_EQ(1u, o.num_outputs);
  EXPECT_STREQ("out.bin", o.outputs[0].file);
  EXPECT_STREQ("log.json", o.netlog);
  ASSERT_EQ(2u, o.num_urls);
  EXPECT_STREQ("http://b/", o.urls[1]);
  EXPECT_DOUBLE_EQ(2.5, o.max_time);
  fetch_options_free(&o);
}

TEST(FetchOptionsTest, ErrorsNameTheBadArgument) {
  struct Case {
    Args args;
    const char *message_part;
  } cases[] = {
      {Args({"--bogus", "http://a/"}), "unknown option '--bogus'"},
      {Args({"http://a/", "-o"}), "option '-o' needs a value"},
      {Args({"-H", "NoColon", "http://a/"}), "expected 'Name: value'"},
      {Args({"--max-time", "soon", "http://a/"}), "--max-time 'soon'"},
      {Args({"-v"}), "no URL given"},
      {Args({"--trace", "sequence", "http://a/"}), "--trace 'sequence': the only trace is 'ladder'"},
      {Args({"--trace=", "http://a/"}), "'': the only trace is 'ladder'"},
      {Args({"--trace"}), "option '--trace' needs a value"},
      {Args({"--trace-proxy-netlog", "p.json", "http://a/"}), "'p.json' needs --trace ladder"},
      {Args({"--protocols", "h3", "http://a/"}), "--protocols 'h3': unknown protocol 'h3'"},
      {Args({"--proxy-protocols", "h2,,http/1.1", "http://a/"}),
       "--proxy-protocols 'h2,,http/1.1': unknown protocol ''"},
      {Args({"--protocols", "h2,spdy/3", "http://a/"}), "unknown protocol 'spdy/3'"},
  };
  for (auto &c : cases) {
    fetch_options o;
    std::string err;
    EXPECT_FALSE(Parse(c.args, &o, &err));
    EXPECT_NE(std::string::npos, err.find(c.message_part)) << err;
  }
}

TEST(FetchOptionsTest, DoubleDashEndsOptions) {
  Args a({"--", "-not-an-option"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  ASSERT_EQ(1u, o.num_urls);
  EXPECT_STREQ("-not-an-option", o.urls[0]);
  fetch_options_free(&o);
}

}  // namespace

namespace {

TEST(FetchOptionsTest, ProxyProtocolsApartFromOriginProtocols) {
  Args a({"--protocols", "h2,http/1.1", "--proxy-protocols=spdy/3.1,h2", "-x",
          "https://proxy.test:443", "http://a/"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  EXPECT_STREQ("h2,http/1.1", o.protocols);
  EXPECT_STREQ("spdy/3.1,h2", o.proxy_protocols);
  EXPECT_STREQ("https://proxy.test:443", o.proxy);
  fetch_options_free(&o);
}

}  // namespace

namespace {

TEST(FetchOptionsTest, ProgressAndTraceOptions) {
  Args a({"-s", "--no-progress", "--trace", "ladder", "--trace-proxy-netlog=proxy.json",
          "http://a/"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  EXPECT_TRUE(o.silent);
  EXPECT_TRUE(o.no_progress);
  EXPECT_TRUE(o.trace_ladder);
  EXPECT_STREQ("proxy.json", o.trace_proxy_netlog);
  fetch_options_free(&o);

  Args plain({"http://a/"});
  ASSERT_TRUE(Parse(plain, &o, &err)) << err;
  EXPECT_FALSE(o.silent);
  EXPECT_FALSE(o.no_progress);
  EXPECT_FALSE(o.trace_ladder);
  EXPECT_EQ(nullptr, o.trace_proxy_netlog);
  fetch_options_free(&o);
}

}  // namespace

namespace {

TEST(FetchOptionsTest, ShortFlagsBundleAsInCurl) {
  Args a({"-fsSL", "-sSo", "out", "-XPUT", "-Hx: 1", "-m2", "http://a/"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  EXPECT_TRUE(o.fail);
  EXPECT_TRUE(o.silent);
  EXPECT_TRUE(o.show_error);
  EXPECT_TRUE(o.location);
  ASSERT_EQ(1u, o.num_outputs);
  EXPECT_STREQ("out", o.outputs[0].file);
  EXPECT_STREQ("PUT", o.method);
  EXPECT_DOUBLE_EQ(2, o.max_time);
  fetch_options_free(&o);

  Args bad({"-sZ", "http://a/"});
  EXPECT_FALSE(Parse(bad, &o, &err));
  EXPECT_NE(std::string::npos, err.find("unknown option '-Z' in '-sZ'")) << err;
}

TEST(FetchOptionsTest, OutputsPairWithUrlsInOrder) {
  Args a({"-o", "a", "http://a/", "-O", "http://b/x", "-o", "-", "http://c/", "--output-dir",
          "d"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  ASSERT_EQ(3u, o.num_outputs);
  EXPECT_STREQ("a", o.outputs[0].file);
  EXPECT_TRUE(o.outputs[1].remote_name);
  EXPECT_STREQ("-", o.outputs[2].file);
  EXPECT_STREQ("d", o.output_dir);
  fetch_options_free(&o);
}

TEST(FetchOptionsTest, DnsServers) {
  Args a({"--dns-servers", "127.0.0.1:5353,[::1]:53", "http://a/"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  EXPECT_STREQ("127.0.0.1:5353,[::1]:53", o.dns_servers);
  fetch_options_free(&o);
}

TEST(FetchOptionsTest, CurlRequestOptions) {
  Args a({"-d", "a=1", "--data-binary", "@f", "--data-raw", "@x", "--json", "{}", "-A", "ua",
          "-e", "http://ref/", "-u", "me:pw", "--retry", "3", "--retry-delay", "0.5",
          "--connect-timeout", "1.5", "--compressed", "--http1.1", "-k", "--proxy-insecure",
          "--noproxy", "*", "--connect-to", "a:1:b:1", "-w", "%{http_code}", "-i", "http://a/"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  ASSERT_EQ(4u, o.num_data);
  EXPECT_EQ(FETCH_DATA_ASCII, o.data[0].kind);
  EXPECT_EQ(FETCH_DATA_BINARY, o.data[1].kind);
  EXPECT_EQ(FETCH_DATA_RAW, o.data[2].kind);
  EXPECT_EQ(FETCH_DATA_JSON, o.data[3].kind);
  EXPECT_STREQ("ua", o.user_agent);
  EXPECT_STREQ("http://ref/", o.referer);
  EXPECT_STREQ("me:pw", o.user);
  EXPECT_EQ(3, o.retry);
  EXPECT_DOUBLE_EQ(0.5, o.retry_delay);
  EXPECT_DOUBLE_EQ(1.5, o.connect_timeout);
  EXPECT_TRUE(o.compressed);
  EXPECT_STREQ("http/1.1", o.protocols);
  EXPECT_TRUE(o.insecure);
  EXPECT_TRUE(o.proxy_insecure);
  EXPECT_STREQ("*", o.noproxy);
  ASSERT_EQ(1u, o.num_connect_to);
  EXPECT_STREQ("%{http_code}", o.write_out);
  EXPECT_TRUE(o.include);
  fetch_options_free(&o);
}

TEST(FetchOptionsTest, OneBodyKind) {
  Args a({"-d", "x", "-F", "a=b", "http://a/"});
  fetch_options o;
  std::string err;
  EXPECT_FALSE(Parse(a, &o, &err));
  EXPECT_NE(std::string::npos, err.find("cannot be combined")) << err;
  Args f({"-F", "novalue", "http://a/"});
  EXPECT_FALSE(Parse(f, &o, &err));
  EXPECT_NE(std::string::npos, err.find("-F 'novalue'")) << err;
  Args v({"--fail=yes", "http://a/"});
  EXPECT_FALSE(Parse(v, &o, &err));
  EXPECT_NE(std::string::npos, err.find("takes no value")) << err;
}

}  // namespace

// -m / --connect-timeout seconds become the API's milliseconds: fractions
// kept, rounded up, and never 0 (which the API reads as "no limit").
TEST(FetchOptionsTest, SecondsBecomeMillisecondsNeverZero) {
  EXPECT_EQ(2500u, fetch_seconds_to_ms(2.5));
  EXPECT_EQ(500u, fetch_seconds_to_ms(0.5));
  EXPECT_EQ(1u, fetch_seconds_to_ms(0.0001));
  EXPECT_EQ(2u, fetch_seconds_to_ms(0.0011));
  EXPECT_EQ(3600000u, fetch_seconds_to_ms(3600));
}

namespace {

// curl's authentication flags: the last of each group wins; the origin's
// and the proxy's are apart.
TEST(FetchOptionsTest, AuthSchemeFlags) {
  Args a({"-u", "alice:s3cret", "--digest", "--proxy-basic", "http://a/"});
  fetch_options o;
  std::string err;
  ASSERT_TRUE(Parse(a, &o, &err)) << err;
  EXPECT_STREQ("alice:s3cret", o.user);
  EXPECT_EQ(FETCH_AUTH_DIGEST, o.auth);
  EXPECT_EQ(FETCH_AUTH_BASIC, o.proxy_auth);
  fetch_options_free(&o);
  Args b({"--digest", "--anyauth", "--proxy-digest", "--proxy-anyauth", "http://a/"});
  ASSERT_TRUE(Parse(b, &o, &err)) << err;
  EXPECT_EQ(FETCH_AUTH_ANY, o.auth);
  EXPECT_EQ(FETCH_AUTH_ANY, o.proxy_auth);
  fetch_options_free(&o);
  Args c({"-u", "alice:s3cret", "http://a/"});
  ASSERT_TRUE(Parse(c, &o, &err)) << err;
  EXPECT_EQ(FETCH_AUTH_DEFAULT, o.auth);  // curl's: Basic up front
  EXPECT_EQ(FETCH_AUTH_DEFAULT, o.proxy_auth);
  fetch_options_free(&o);
}

}  // namespace
