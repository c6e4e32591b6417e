#include "net/base/url.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/base/net_errors.h"

namespace {

// Takes ownership of a heap string returned by the url helpers.
std::string Take(char *s) {
  std::string r = s ? s : "<null>";
  free(s);
  return r;
}

struct ValidCase {
  const char *input;
  const char *scheme;
  const char *user;
  const char *password;
  const char *host;
  uint16_t port;
  const char *target;     // request target (origin-form)
  const char *authority;  // Host header
  const char *absolute;   // absolute-form
};

TEST(UrlTest, ValidTable) {
  const ValidCase cases[] = {
      {"http://example.com", "http", "", "", "example.com", 80, "/", "example.com",
       "http://example.com/"},
      {"http://example.com/", "http", "", "", "example.com", 80, "/", "example.com",
       "http://example.com/"},
      {"HTTPS://Example.COM/Path/To?Q=1#frag", "https", "", "", "example.com", 443,
       "/Path/To?Q=1", "example.com", "https://example.com/Path/To?Q=1"},
      {"https://origin.test:8443/a", "https", "", "", "origin.test", 8443, "/a",
       "origin.test:8443", "https://origin.test:8443/a"},
      // Explicit default port: omitted from the authority.
      {"http://h:80/x", "http", "", "", "h", 80, "/x", "h", "http://h/x"},
      {"https://h:443", "https", "", "", "h", 443, "/", "h", "https://h/"},
      // A non-default port for the scheme.
      {"https://h:80/", "https", "", "", "h", 80, "/", "h:80", "https://h:80/"},
      {"http://h:443/", "http", "", "", "h", 443, "/", "h:443", "http://h:443/"},
      // Empty port means the default.
      {"http://h:/p", "http", "", "", "h", 80, "/p", "h", "http://h/p"},
      {"http://h:0080/", "http", "", "", "h", 80, "/", "h", "http://h/"},
      {"http://h:65535/", "http", "", "", "h", 65535, "/", "h:65535", "http://h:65535/"},
      // IPv4 / IPv6 literals.
      {"http://127.0.0.1:8080/x", "http", "", "", "127.0.0.1", 8080, "/x", "127.0.0.1:8080",
       "http://127.0.0.1:8080/x"},
      {"http://[::1]/", "http", "", "", "::1", 80, "/", "[::1]", "http://[::1]/"},
      {"https://[2001:DB8:0::1]:8443/p", "https", "", "", "2001:db8::1", 8443, "/p",
       "[2001:db8::1]:8443", "https://[2001:db8::1]:8443/p"},
      // Userinfo: split and percent-decoded; never part of the request.
      {"http://user:pa%20ss@h/", "http", "user", "pa ss", "h", 80, "/", "h", "http://h/"},
      {"http://us%3Aer:p:w@h/", "http", "us:er", "p:w", "h", 80, "/", "h", "http://h/"},
      {"http://user@h/", "http", "user", "", "h", 80, "/", "h", "http://h/"},
      {"http://:secret@h/", "http", "", "secret", "h", 80, "/", "h", "http://h/"},
      {"http://@h/", "http", "", "", "h", 80, "/", "h", "http://h/"},
      // Query and fragment.
      {"http://h?q=1", "http", "", "", "h", 80, "/?q=1", "h", "http://h/?q=1"},
      {"http://h/p?", "http", "", "", "h", 80, "/p?", "h", "http://h/p?"},
      {"http://h/p#", "http", "", "", "h", 80, "/p", "h", "http://h/p"},
      {"http://h/p?a=b/c?d#e?f", "http", "", "", "h", 80, "/p?a=b/c?d", "h",
       "http://h/p?a=b/c?d"},
      // Path normalisation: dot segments, escaped unreserved characters.
      {"http://h/a/./b/../c", "http", "", "", "h", 80, "/a/c", "h", "http://h/a/c"},
      {"http://h/../../x", "http", "", "", "h", 80, "/x", "h", "http://h/x"},
      {"http://h/a/", "http", "", "", "h", 80, "/a/", "h", "http://h/a/"},
      {"http://h/a//b", "http", "", "", "h", 80, "/a//b", "h", "http://h/a//b"},
      {"http://h/%7e%41%20%2F", "http", "", "", "h", 80, "/~A%20%2F", "h",
       "http://h/~A%20%2F"},
      // Percent-encoded host names are decoded and canonicalised.
      {"http://ex%41mple.com/", "http", "", "", "example.com", 80, "/", "example.com",
       "http://example.com/"},
      // ws/wss have their defaults too.
      {"ws://h/chat", "ws", "", "", "h", 80, "/chat", "h", "ws://h/chat"},
      {"wss://h/chat", "wss", "", "", "h", 443, "/chat", "h", "wss://h/chat"},
  };
  for (const ValidCase &c : cases) {
    SCOPED_TRACE(c.input);
    cn_url url;
    ASSERT_EQ(CN_OK, cn_url_parse(c.input, &url));
    EXPECT_STREQ(c.scheme, url.scheme);
    EXPECT_STREQ(c.user, url.username);
    EXPECT_STREQ(c.password, url.password);
    EXPECT_STREQ(c.host, url.host);
    EXPECT_EQ(c.port, url.port);
    EXPECT_EQ(c.target, Take(cn_url_request_target(&url)));
    EXPECT_EQ(c.authority, Take(cn_url_authority(&url)));
    EXPECT_EQ(c.absolute, Take(cn_url_absolute_form(&url)));
    cn_url_free(&url);
  }
}

struct InvalidCase {
  const char *input;
  int error;
};

TEST(UrlTest, InvalidTable) {
  const InvalidCase cases[] = {
      {"", CN_ERR_INVALID_URL},
      {"example.com", CN_ERR_INVALID_URL},       // no scheme
      {"example.com/path", CN_ERR_INVALID_URL},  // no scheme
      {"//example.com/", CN_ERR_INVALID_URL},    // scheme-relative
      {"/path", CN_ERR_INVALID_URL},
      {"http:", CN_ERR_INVALID_URL},
      {"http:/x", CN_ERR_INVALID_URL},  // no authority
      {"http:x", CN_ERR_INVALID_URL},
      {"http://", CN_ERR_INVALID_URL},  // empty host
      {"http:///path", CN_ERR_INVALID_URL},
      {"http://:80/", CN_ERR_INVALID_URL},
      {"http://user@/", CN_ERR_INVALID_URL},
      {"http://h:0/", CN_ERR_INVALID_URL},
      {"http://h:65536/", CN_ERR_INVALID_URL},
      {"http://h:99999999999/", CN_ERR_INVALID_URL},
      {"http://h:8a/", CN_ERR_INVALID_URL},
      {"http://h:-1/", CN_ERR_INVALID_URL},
      {"http://h /", CN_ERR_INVALID_URL},
      {"http://h/a b", CN_ERR_INVALID_URL},
      {" http://h/", CN_ERR_INVALID_URL},
      {"http://h/ ", CN_ERR_INVALID_URL},
      {"http://h/\t", CN_ERR_INVALID_URL},
      {"http://h/\r\nX: y", CN_ERR_INVALID_URL},  // header injection
      {"http://h/\x7f", CN_ERR_INVALID_URL},
      {"http://h/\xc3\xa9", CN_ERR_INVALID_URL},
      {"http://h\xc3\xa9.test/", CN_ERR_INVALID_URL},
      {"http://h/a|b", CN_ERR_INVALID_URL},
      {"http://h\\x/", CN_ERR_INVALID_URL},
      {"http://[::1/", CN_ERR_INVALID_URL},
      {"http://[v1.x]/", CN_ERR_INVALID_URL},        // IPvFuture
      {"http://[fe80::1%25eth0]/", CN_ERR_INVALID_URL},  // zone ids unsupported
      {"http://h%20x/", CN_ERR_INVALID_URL},        // decoded space in host
      {"http://h%00x/", CN_ERR_INVALID_URL},
      {"http://h%zz/", CN_ERR_INVALID_URL},
      {"http://u%00@h/", CN_ERR_INVALID_URL},       // NUL smuggling in userinfo
      {"http://u%4@h/", CN_ERR_INVALID_URL},
      {"http://h!x/", CN_ERR_INVALID_URL},          // sub-delims are not host chars
      {"http://a@b@c/", CN_ERR_INVALID_URL},
      // Valid syntax, but not a scheme cnet speaks.
      {"ftp://example.com/", CN_ERR_UNKNOWN_URL_SCHEME},
      {"file:///etc/passwd", CN_ERR_UNKNOWN_URL_SCHEME},
      {"mailto:a@b.c", CN_ERR_UNKNOWN_URL_SCHEME},
      {"javascript:alert(1)", CN_ERR_UNKNOWN_URL_SCHEME},
      {"httpx://h/", CN_ERR_UNKNOWN_URL_SCHEME},
  };
  for (const InvalidCase &c : cases) {
    SCOPED_TRACE(c.input);
    cn_url url;
    EXPECT_EQ(c.error, cn_url_parse(c.input, &url));
    EXPECT_EQ(nullptr, url.scheme);
    EXPECT_EQ(nullptr, url.host);
    cn_url_free(&url);  // harmless on a zeroed url
  }
  cn_url url;
  EXPECT_EQ(CN_ERR_INVALID_URL, cn_url_parse(nullptr, &url));
  // A host longer than any DNS name.
  std::string long_host = "http://" + std::string(CN_HOST_MAX_LEN + 1, 'a') + "/";
  EXPECT_EQ(CN_ERR_INVALID_URL, cn_url_parse(long_host.c_str(), &url));
}

TEST(UrlTest, HelpersAndToString) {
  cn_url url;
  ASSERT_EQ(CN_OK, cn_url_parse("https://us%20er:p%40ss:x@[::1]:8443/p?q#f", &url));
  EXPECT_TRUE(url.host_is_ipv6);
  EXPECT_TRUE(cn_url_is_secure(&url));
  EXPECT_FALSE(cn_url_has_default_port(&url));
  EXPECT_STREQ("us er", url.username);
  EXPECT_STREQ("p@ss:x", url.password);
  EXPECT_STREQ("f", url.fragment);
  EXPECT_EQ("[::1]", Take(cn_url_host_bracketed(&url)));
  EXPECT_EQ("https://us%20er:p%40ss:x@[::1]:8443/p?q#f", Take(cn_url_to_string(&url)));
  cn_host_port hp;
  cn_url_host_port(&url, &hp);
  EXPECT_STREQ("::1", hp.host);
  EXPECT_EQ(8443, hp.port);

  cn_url copy;
  cn_url_copy(&copy, &url);
  cn_url_free(&url);
  EXPECT_EQ("https://us%20er:p%40ss:x@[::1]:8443/p?q#f", Take(cn_url_to_string(&copy)));
  cn_url_free(&copy);

  ASSERT_EQ(CN_OK, cn_url_parse("http://Example.com", &url));
  EXPECT_FALSE(url.host_is_ipv6);
  EXPECT_FALSE(cn_url_is_secure(&url));
  EXPECT_TRUE(cn_url_has_default_port(&url));
  EXPECT_EQ(nullptr, url.query);
  EXPECT_EQ(nullptr, url.fragment);
  EXPECT_EQ("example.com", Take(cn_url_host_bracketed(&url)));
  EXPECT_EQ("http://example.com/", Take(cn_url_to_string(&url)));
  // to_string output parses back to the same URL.
  cn_url again;
  char *s = cn_url_to_string(&url);
  ASSERT_EQ(CN_OK, cn_url_parse(s, &again));
  free(s);
  EXPECT_STREQ(url.host, again.host);
  EXPECT_STREQ(url.path, again.path);
  cn_url_free(&again);
  cn_url_free(&url);

  EXPECT_EQ(80, cn_url_default_port("http"));
  EXPECT_EQ(443, cn_url_default_port("https"));
  EXPECT_EQ(80, cn_url_default_port("ws"));
  EXPECT_EQ(443, cn_url_default_port("wss"));
  EXPECT_EQ(0, cn_url_default_port("ftp"));
}

struct ResolveCase {
  const char *ref;
  const char *expected;  // nullptr: expect |error|
  int error;
};

TEST(UrlTest, ResolveRelative) {
  cn_url base;
  ASSERT_EQ(CN_OK, cn_url_parse("http://user:pw@a.test:8080/b/c/d;p?q#frag", &base));
  // RFC 3986 §5.4 examples (userinfo and port carried over for same-authority
  // references), plus redirect-style references.
  const ResolveCase cases[] = {
      {"g", "http://user:pw@a.test:8080/b/c/g", CN_OK},
      {"./g", "http://user:pw@a.test:8080/b/c/g", CN_OK},
      {"g/", "http://user:pw@a.test:8080/b/c/g/", CN_OK},
      {"/g", "http://user:pw@a.test:8080/g", CN_OK},
      {"//other.test/g", "http://other.test/g", CN_OK},
      {"?y", "http://user:pw@a.test:8080/b/c/d;p?y", CN_OK},
      {"g?y", "http://user:pw@a.test:8080/b/c/g?y", CN_OK},
      {"#s", "http://user:pw@a.test:8080/b/c/d;p?q#s", CN_OK},
      {"g#s", "http://user:pw@a.test:8080/b/c/g#s", CN_OK},
      {"", "http://user:pw@a.test:8080/b/c/d;p?q", CN_OK},
      {".", "http://user:pw@a.test:8080/b/c/", CN_OK},
      {"..", "http://user:pw@a.test:8080/b/", CN_OK},
      {"../g", "http://user:pw@a.test:8080/b/g", CN_OK},
      {"../../../../g", "http://user:pw@a.test:8080/g", CN_OK},
      {"/./g", "http://user:pw@a.test:8080/g", CN_OK},
      {"https://secure.test/x", "https://secure.test/x", CN_OK},
      {"HTTPS://Secure.Test:443/x", "https://secure.test/x", CN_OK},
      {"https://[::1]:9/x?y", "https://[::1]:9/x?y", CN_OK},
      {"ftp://x.test/", nullptr, CN_ERR_UNKNOWN_URL_SCHEME},
      {"/a b", nullptr, CN_ERR_INVALID_URL},
      {"http://", nullptr, CN_ERR_INVALID_URL},
      {"//", nullptr, CN_ERR_INVALID_URL},
      {"http://h:99999/", nullptr, CN_ERR_INVALID_URL},
  };
  for (const ResolveCase &c : cases) {
    SCOPED_TRACE(c.ref);
    cn_url out;
    int rv = cn_url_resolve(&base, c.ref, &out);
    if (!c.expected) {
      EXPECT_EQ(c.error, rv);
      EXPECT_EQ(nullptr, out.host);
      continue;
    }
    ASSERT_EQ(CN_OK, rv);
    EXPECT_EQ(c.expected, Take(cn_url_to_string(&out)));
    cn_url_free(&out);
  }
  cn_url out;
  EXPECT_EQ(CN_ERR_INVALID_URL, cn_url_resolve(&base, nullptr, &out));
  cn_url_free(&base);
}

// WHATWG URL IPv4 hosts (the URL Standard's host parser and the IPv4 cases
// of its web-platform-tests urltestdata.json): every numeric form becomes a
// dotted quad; a host that ends in a number but is no IPv4 address fails.
struct Ipv4Case {
  const char *input;
  const char *host;  // nullptr: CN_ERR_INVALID_URL
};

TEST(UrlTest, WhatwgIpv4Hosts) {
  const Ipv4Case cases[] = {
      {"http://127.0.0.1/", "127.0.0.1"},
      {"http://0177.0.0.1/", "127.0.0.1"},          // octal
      {"http://0x7f.1/", "127.0.0.1"},              // hex, two parts
      {"http://0X7F.0.0.1/", "127.0.0.1"},
      {"http://127.1/", "127.0.0.1"},               // last part fills 3 bytes
      {"http://127.0.1/", "127.0.0.1"},             // last part fills 2 bytes
      {"http://2130706433/", "127.0.0.1"},          // one number
      {"http://127.0.0.1./", "127.0.0.1"},          // one trailing dot
      {"http://2130706433./", "127.0.0.1"},
      {"http://4294967295/", "255.255.255.255"},
      {"http://0xffffffff/", "255.255.255.255"},
      {"https://0x.0x.0/", "0.0.0.0"},              // "0x" alone is 0
      {"https://00.00.00.00/", "0.0.0.0"},
      {"http://0Xc0.0250.01/", "192.168.0.1"},
      {"http://192.0x00A80001/", "192.168.0.1"},
      {"http://%30%78%63%30%2e%30%32%35%30.01/", "192.168.0.1"},  // decoded first
      {"http://1.2.3.4:8080/", "1.2.3.4"},
      {"http://0/", "0.0.0.0"},
      // Names: the last part is not a number.
      {"http://foo.09../", "foo.09.."},
      {"http://1.2.3.4.test/", "1.2.3.4.test"},
      {"http://0x7g.1.test/", "0x7g.1.test"},
      {"http://example.0xtest/", "example.0xtest"},
      // Ends in a number, but no IPv4 address.
      {"http://1.2.3.4.5/", nullptr},               // five parts
      {"http://1.2.3.4.5./", nullptr},
      {"http://0x7f.1.2.3.4/", nullptr},
      {"http://0x1.2.3.4.5/", nullptr},
      {"http://01.2.3.4.5./", nullptr},
      {"http://256.256.256.256/", nullptr},
      {"http://256.256.256.256.256./", nullptr},
      {"http://192.168.0.257/", nullptr},           // a part out of range
      {"https://256.0.0.1/test", nullptr},
      {"http://0x100.2.3.4/", nullptr},
      {"http://1.2.65536/", nullptr},               // last of 3 parts > 2 bytes
      {"http://1.16777216/", nullptr},              // last of 2 parts > 3 bytes
      {"http://4294967296/", nullptr},              // one number > 32 bits
      {"http://10000000000/", nullptr},
      {"http://0xffffffff1/", nullptr},
      {"https://0x100000000/test", nullptr},
      {"http://0999999999999999999/", nullptr},     // '9' is no octal digit
      {"http://99999999999999999999999999/", nullptr},
      {"http://1.2.3.08/", nullptr},
      {"http://1.2.3.09./", nullptr},
      {"http://09.2.3.4/", nullptr},
      {"http://0..0x300/", nullptr},                // empty part
      {"http://0..0x300./", nullptr},
      {"http://.1.2.3/", nullptr},
      {"http://foo.1.2.3.4/", nullptr},
      {"http://foo.2.3.4/", nullptr},
      {"http://foo.09/", nullptr},
      {"http://foo.0x4/", nullptr},
      {"http://foo.0x/", nullptr},
      {"http://foo.0XFfFfFfFfFfFfFfFfFfAcE123/", nullptr},
  };
  for (const Ipv4Case &c : cases) {
    SCOPED_TRACE(c.input);
    cn_url url;
    int rv = cn_url_parse(c.input, &url);
    if (!c.host) {
      EXPECT_EQ(CN_ERR_INVALID_URL, rv);
      EXPECT_EQ(nullptr, url.host);
      continue;
    }
    ASSERT_EQ(CN_OK, rv);
    EXPECT_EQ(c.host, std::string(url.host));
    EXPECT_FALSE(url.host_is_ipv6);
    // The canonical form parses to itself.
    std::string canonical = Take(cn_url_to_string(&url));
    cn_url again;
    ASSERT_EQ(CN_OK, cn_url_parse(canonical.c_str(), &again));
    EXPECT_EQ(canonical, Take(cn_url_to_string(&again)));
    cn_url_free(&again);
    cn_url_free(&url);
  }
  // A relative reference's host is canonicalised the same way.
  cn_url base;
  ASSERT_EQ(CN_OK, cn_url_parse("http://a.test/", &base));
  cn_url out;
  ASSERT_EQ(CN_OK, cn_url_resolve(&base, "//0x7f.1:81/x", &out));
  EXPECT_EQ("http://127.0.0.1:81/x", Take(cn_url_to_string(&out)));
  cn_url_free(&out);
  EXPECT_EQ(CN_ERR_INVALID_URL, cn_url_resolve(&base, "//1.2.3.4.5/", &out));
  cn_url_free(&base);
}

}  // namespace
