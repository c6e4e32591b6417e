#include "net/proxy_resolution/proxy_server.h"

#include <gtest/gtest.h>

#include <string>

#include "net/base/error_hop.h"
#include "net/base/net_errors.h"
#include "net/proxy_resolution/proxy_fallback.h"

namespace {

std::string ToString(const cn_proxy_server &s) {
  char buf[CN_PROXY_SERVER_STR_SIZE];
  return cn_proxy_server_to_string(&s, buf, sizeof(buf));
}

struct ValidCase {
  const char *input;
  const char *expected;  // to_string
  const char *username;  // nullptr: no credentials
  const char *password;
};

TEST(ProxyServerTest, ParsesValidForms) {
  const ValidCase kCases[] = {
      {"https://proxy.test:443", "https://proxy.test:443", nullptr, nullptr},
      {"http://proxy:3128", "http://proxy:3128", nullptr, nullptr},
      // Scheme defaults to http; ports default per scheme.
      {"proxy:3128", "http://proxy:3128", nullptr, nullptr},
      {"proxy", "http://proxy:80", nullptr, nullptr},
      {"http://proxy", "http://proxy:80", nullptr, nullptr},
      {"https://proxy.test", "https://proxy.test:443", nullptr, nullptr},
      // Canonical: scheme and host case, surrounding blanks, a lone '/'.
      {"HTTPS://Proxy.TEST:8443", "https://proxy.test:8443", nullptr, nullptr},
      {"  \thttp://p:1 ", "http://p:1", nullptr, nullptr},
      {"http://127.0.0.1:3128/", "http://127.0.0.1:3128", nullptr, nullptr},
      // IPv6 literals.
      {"http://[::1]:8080", "http://[::1]:8080", nullptr, nullptr},
      {"[0:0::1]:3128", "http://[::1]:3128", nullptr, nullptr},
      {"https://[2001:db8::1]", "https://[2001:db8::1]:443", nullptr, nullptr},
      // DIRECT spellings.
      {"direct://", "direct://", nullptr, nullptr},
      {"DIRECT", "direct://", nullptr, nullptr},
      {"Direct://", "direct://", nullptr, nullptr},
      {" direct ", "direct://", nullptr, nullptr},
      // Only exactly "direct" is DIRECT; "directx" is a host name.
      {"directx", "http://directx:80", nullptr, nullptr},
      // Credentials: percent-decoded, kept out of the string form.
      {"https://user:p%40ss@proxy.test:443", "https://proxy.test:443", "user", "p@ss"},
      {"user:pass@proxy:3128", "http://proxy:3128", "user", "pass"},
      {"http://user@proxy", "http://proxy:80", "user", ""},
      {"http://a%3Ab:c%2Fd@p:1", "http://p:1", "a:b", "c/d"},
      // SOCKS5 (curl's names): default port 1080, credentials for RFC 1929.
      {"socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080", nullptr, nullptr},
      {"socks5://s.test", "socks5://s.test:1080", nullptr, nullptr},
      {"SOCKS5H://S.test:9050", "socks5h://s.test:9050", nullptr, nullptr},
      {"socks5h://s.test", "socks5h://s.test:1080", nullptr, nullptr},
      {"socks5h://s.test:80", "socks5h://s.test:80", nullptr, nullptr},
      {"socks5://[::1]", "socks5://[::1]:1080", nullptr, nullptr},
      {"socks5://[::1]:1081", "socks5://[::1]:1081", nullptr, nullptr},
      {"socks5h://u%3A1:p%40ss@s.test", "socks5h://s.test:1080", "u:1", "p@ss"},
      {"socks5://u:x%3A9@s.test:2", "socks5://s.test:2", "u", "x:9"},
  };
  for (const ValidCase &c : kCases) {
    SCOPED_TRACE(c.input);
    cn_proxy_server s;
    ASSERT_EQ(CN_OK, cn_proxy_server_parse(c.input, &s));
    EXPECT_EQ(c.expected, ToString(s));
    if (c.username) {
      ASSERT_TRUE(cn_proxy_server_has_credentials(&s));
      EXPECT_STREQ(c.username, s.username);
      EXPECT_STREQ(c.password, s.password);
    } else {
      EXPECT_FALSE(cn_proxy_server_has_credentials(&s));
      EXPECT_EQ(nullptr, s.password);
    }
    cn_proxy_server_free(&s);
  }
}

TEST(ProxyServerTest, SchemesAndDefaults) {
  cn_proxy_server s;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://p.test", &s));
  EXPECT_TRUE(cn_proxy_server_is_https(&s));
  EXPECT_FALSE(cn_proxy_server_is_direct(&s));
  EXPECT_STREQ("p.test", s.host_port.host);
  EXPECT_EQ(443, s.host_port.port);
  cn_proxy_server_free(&s);

  ASSERT_EQ(CN_OK, cn_proxy_server_parse("p.test", &s));
  EXPECT_EQ(CN_PROXY_SCHEME_HTTP, s.scheme);
  EXPECT_EQ(80, s.host_port.port);
  cn_proxy_server_free(&s);

  ASSERT_EQ(CN_OK, cn_proxy_server_parse("direct://", &s));
  EXPECT_TRUE(cn_proxy_server_is_direct(&s));
  EXPECT_STREQ("", s.host_port.host);
  cn_proxy_server_free(&s);

  EXPECT_STREQ("https", cn_proxy_scheme_name(CN_PROXY_SCHEME_HTTPS));
  EXPECT_STREQ("http", cn_proxy_scheme_name(CN_PROXY_SCHEME_HTTP));
  EXPECT_STREQ("direct", cn_proxy_scheme_name(CN_PROXY_SCHEME_DIRECT));
  EXPECT_STREQ("socks5", cn_proxy_scheme_name(CN_PROXY_SCHEME_SOCKS5));
  EXPECT_STREQ("socks5h", cn_proxy_scheme_name(CN_PROXY_SCHEME_SOCKS5H));

  ASSERT_EQ(CN_OK, cn_proxy_server_parse("socks5://s.test", &s));
  EXPECT_EQ(CN_PROXY_SCHEME_SOCKS5, s.scheme);
  EXPECT_TRUE(cn_proxy_server_is_socks(&s));
  EXPECT_FALSE(cn_proxy_server_is_https(&s));
  EXPECT_EQ(CN_SOCKS_DEFAULT_PORT, s.host_port.port);
  cn_proxy_server_free(&s);
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("socks5h://s.test", &s));
  EXPECT_EQ(CN_PROXY_SCHEME_SOCKS5H, s.scheme);
  EXPECT_TRUE(cn_proxy_server_is_socks(&s));
  cn_proxy_server_free(&s);
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://s.test", &s));
  EXPECT_FALSE(cn_proxy_server_is_socks(&s));
  cn_proxy_server_free(&s);

  // Same host:port, different scheme: different servers.
  cn_proxy_server a, b;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("socks5://s.test:1080", &a));
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("socks5h://s.test:1080", &b));
  EXPECT_FALSE(cn_proxy_server_equal(&a, &b));
  cn_proxy_server_free(&a);
  cn_proxy_server_free(&b);
}

TEST(ProxyServerTest, RejectsInvalidForms) {
  const struct {
    const char *input;
    int error;
  } kCases[] = {
      {"", CN_ERR_INVALID_ARGUMENT},
      {"   ", CN_ERR_INVALID_ARGUMENT},
      {"http://", CN_ERR_INVALID_ARGUMENT},
      {"https://:443", CN_ERR_INVALID_ARGUMENT},
      {"http://proxy:0", CN_ERR_INVALID_ARGUMENT},
      {"http://proxy:65536", CN_ERR_INVALID_ARGUMENT},
      {"http://proxy:abc", CN_ERR_INVALID_ARGUMENT},
      {"proxy:", CN_ERR_INVALID_ARGUMENT},
      {"http://proxy:3128/path", CN_ERR_INVALID_ARGUMENT},
      {"http://proxy/?x", CN_ERR_INVALID_ARGUMENT},
      {"http://proxy#f", CN_ERR_INVALID_ARGUMENT},
      {"direct://x", CN_ERR_INVALID_ARGUMENT},
      {"http://pro xy", CN_ERR_INVALID_ARGUMENT},
      {"://proxy", CN_ERR_INVALID_ARGUMENT},
      {"1http://p", CN_ERR_INVALID_ARGUMENT},
      {"http://[::1", CN_ERR_INVALID_ARGUMENT},
      {"::1", CN_ERR_INVALID_ARGUMENT},  // bare IPv6 is ambiguous with a port
      {"http://u:p%00w@p:1", CN_ERR_INVALID_ARGUMENT},
      {"socks://p", CN_ERR_UNKNOWN_URL_SCHEME},  // SOCKS4 to curl
      {"socks4://p:1080", CN_ERR_UNKNOWN_URL_SCHEME},
      {"socks4a://p:1080", CN_ERR_UNKNOWN_URL_SCHEME},
      {"socks5://", CN_ERR_INVALID_ARGUMENT},
      {"socks5://p:", CN_ERR_INVALID_ARGUMENT},
      {"socks5h://p:0", CN_ERR_INVALID_ARGUMENT},
      {"socks5h://p:1080/x", CN_ERR_INVALID_ARGUMENT},
      {"quic://p:443", CN_ERR_UNKNOWN_URL_SCHEME},
      {"ftp://p", CN_ERR_UNKNOWN_URL_SCHEME},
      {"wss://p", CN_ERR_UNKNOWN_URL_SCHEME},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.input);
    cn_proxy_server s;
    EXPECT_EQ(c.error, cn_proxy_server_parse(c.input, &s));
    EXPECT_EQ(CN_PROXY_SCHEME_INVALID, s.scheme);
    EXPECT_EQ(nullptr, s.username);
  }
}

TEST(ProxyServerTest, ParseNDoesNotReadPastLength) {
  const char text[] = "https://a.test:443,https://b.test:443";
  cn_proxy_server s;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse_n(text, 18, &s));
  EXPECT_EQ("https://a.test:443", ToString(s));
  cn_proxy_server_free(&s);
}

TEST(ProxyServerTest, EqualityIgnoresCredentials) {
  cn_proxy_server a, b, c, d, e, f;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://a.test:443", &a));
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://user:pw@A.test", &b));
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("http://a.test:443", &c));
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://a.test:444", &d));
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("DIRECT", &e));
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("direct://", &f));
  EXPECT_TRUE(cn_proxy_server_equal(&a, &b));
  EXPECT_FALSE(cn_proxy_server_equal(&a, &c));
  EXPECT_FALSE(cn_proxy_server_equal(&a, &d));
  EXPECT_FALSE(cn_proxy_server_equal(&a, &e));
  EXPECT_TRUE(cn_proxy_server_equal(&e, &f));
  for (cn_proxy_server *s : {&a, &b, &c, &d, &e, &f})
    cn_proxy_server_free(s);
}

TEST(ProxyServerTest, CopyIsDeep) {
  cn_proxy_server a, b;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://user:secret@p.test:443", &a));
  cn_proxy_server_copy(&b, &a);
  cn_proxy_server_free(&a);
  EXPECT_STREQ("user", b.username);
  EXPECT_STREQ("secret", b.password);
  EXPECT_EQ("https://p.test:443", ToString(b));
  cn_proxy_server_free(&b);
}

TEST(ProxyFallbackTest, ErrorsThatAllowFallback) {
  const struct {
    int err;
    bool fallback;
  } kCases[] = {
      {CN_ERR_PROXY_CONNECTION_FAILED, true},
      {CN_ERR_NAME_NOT_RESOLVED, true},
      {CN_ERR_INTERNET_DISCONNECTED, true},
      {CN_ERR_ADDRESS_UNREACHABLE, true},
      {CN_ERR_CONNECTION_CLOSED, true},
      {CN_ERR_CONNECTION_RESET, true},
      {CN_ERR_CONNECTION_REFUSED, true},
      {CN_ERR_CONNECTION_ABORTED, true},
      {CN_ERR_CONNECTION_TIMED_OUT, true},
      {CN_ERR_CONNECTION_FAILED, true},
      {CN_ERR_TIMED_OUT, true},
      {CN_ERR_PROXY_CERTIFICATE_INVALID, true},
      {CN_ERR_SSL_PROTOCOL_ERROR, true},
      {CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH, true},
      {CN_ERR_SSL_HANDSHAKE_NOT_COMPLETED, true},
      {CN_ERR_SOCKS_CONNECTION_FAILED, true},
      {CN_ERR_SOCKS_MALFORMED_REPLY, true},
      {CN_ERR_SOCKS_CONNECTION_HOST_UNREACHABLE, false},
      {CN_ERR_SOCKS_CONNECTION_REFUSED, false},
      {CN_ERR_SOCKS_CONNECTION_NOT_ALLOWED, false},
      {CN_ERR_SOCKS_AUTH_FAILED, false},
      {CN_ERR_SOCKS_NO_ACCEPTABLE_METHOD, false},
      {CN_ERR_TUNNEL_CONNECTION_FAILED, false},
      {CN_ERR_HTTP_1_1_REQUIRED, false},
      {CN_ERR_PROXY_HTTP_1_1_REQUIRED, false},
      {CN_ERR_PROXY_AUTH_REQUESTED, false},
      {CN_ERR_CERT_AUTHORITY_INVALID, false},
      {CN_ERR_HTTPS_PROXY_TUNNEL_RESPONSE_REDIRECT, false},
      // What a proxy that was reached says wrong: its own error, no reason
      // to try another (as Chromium).
      {CN_ERR_HTTP2_PROTOCOL_ERROR, false},
      {CN_ERR_RESPONSE_HEADERS_TOO_BIG, false},
      {CN_ERR_INVALID_RESPONSE, false},
      {CN_ERR_EMPTY_RESPONSE, false},
      {CN_ERR_ABORTED, false},
      {CN_ERR_IO_PENDING, false},
      {CN_OK, false},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(cn_error_name(c.err));
    EXPECT_EQ(c.fallback, cn_proxy_error_allows_fallback(c.err));
    // The same error from a proxy (any hop of the chain) falls back as the
    // list says; from the origin, or from no peer, never.
    EXPECT_EQ(c.fallback, cn_proxy_hop_failure_allows_fallback(c.err, 0));
    EXPECT_EQ(c.fallback, cn_proxy_hop_failure_allows_fallback(c.err, 2));
    EXPECT_FALSE(cn_proxy_hop_failure_allows_fallback(c.err, CN_HOP_ORIGIN));
    EXPECT_FALSE(cn_proxy_hop_failure_allows_fallback(c.err, CN_HOP_UNSET));
  }
}

}  // namespace
