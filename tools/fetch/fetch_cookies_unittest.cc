#include "tools/fetch/fetch_cookies.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

// 2026-01-01T00:00:00Z: every test's "now".
constexpr int64_t kNow = 1767225600;

class FetchCookiesTest : public ::testing::Test {
 protected:
  void SetUp() override { fetch_cookie_jar_init(&jar_); }
  void TearDown() override { fetch_cookie_jar_free(&jar_); }

  bool Set(const char *url_host, const char *path, const char *value, bool https = false,
           int64_t now = kNow) {
    return fetch_cookie_jar_set(&jar_, url_host, path, https, value, now);
  }
  std::string Header(const char *host, const char *path, bool https = false,
                     int64_t now = kNow) {
    char *h = fetch_cookie_jar_header(&jar_, host, path, https, now);
    std::string out = h ? h : "(none)";
    free(h);
    return out;
  }
  std::string TempPath(const char *name) {
    return std::string("/tmp/fetch_cookies_") + std::to_string(getpid()) + "_" + name;
  }

  fetch_cookie_jar jar_;
};

TEST_F(FetchCookiesTest, HostOnlyCookieGoesToItsHostAlone) {
  EXPECT_TRUE(Set("a.test", "/", "sid=1"));
  EXPECT_EQ("sid=1", Header("a.test", "/x"));
  EXPECT_EQ("(none)", Header("sub.a.test", "/"));
  EXPECT_EQ("(none)", Header("b.test", "/"));
}

TEST_F(FetchCookiesTest, DomainCookieCoversSubdomainsButNotOtherSites) {
  EXPECT_TRUE(Set("www.a.test", "/", "d=1; Domain=.A.test"));
  EXPECT_EQ("d=1", Header("a.test", "/"));
  EXPECT_EQ("d=1", Header("x.y.a.test", "/"));
  EXPECT_EQ("(none)", Header("bada.test", "/"));
  // A Domain that does not cover the host is refused.
  EXPECT_FALSE(Set("www.a.test", "/", "evil=1; Domain=b.test"));
  EXPECT_EQ("(none)", Header("b.test", "/"));
}

TEST_F(FetchCookiesTest, PathMatchingAndDefaultPath) {
  EXPECT_TRUE(Set("a.test", "/dir/page", "p=1"));  // default path /dir
  EXPECT_EQ("p=1", Header("a.test", "/dir"));
  EXPECT_EQ("p=1", Header("a.test", "/dir/x"));
  EXPECT_EQ("(none)", Header("a.test", "/dirt"));
  EXPECT_EQ("(none)", Header("a.test", "/"));
  // Longer paths first.
  EXPECT_TRUE(Set("a.test", "/", "root=1; Path=/"));
  EXPECT_TRUE(Set("a.test", "/", "deep=1; Path=/dir/x"));
  EXPECT_EQ("deep=1; p=1; root=1", Header("a.test", "/dir/x/y"));
}

TEST_F(FetchCookiesTest, SecureOnlyOverHttpsAndOnlySetByHttps) {
  EXPECT_FALSE(Set("a.test", "/", "s=1; Secure", /*https=*/false));
  EXPECT_TRUE(Set("a.test", "/", "s=1; Secure", /*https=*/true));
  EXPECT_EQ("(none)", Header("a.test", "/", false));
  EXPECT_EQ("s=1", Header("a.test", "/", true));
}

TEST_F(FetchCookiesTest, ExpiryByMaxAgeAndExpires) {
  EXPECT_TRUE(Set("a.test", "/", "m=1; Max-Age=60"));
  EXPECT_TRUE(Set("a.test", "/", "e=1; Expires=Wed, 01 Jan 2031 00:00:00 GMT"));
  // Already expired: not kept (and nothing to replace: no change).
  EXPECT_FALSE(Set("a.test", "/", "old=1; Expires=Thu, 01-Jan-1970 00:00:10 GMT"));
  EXPECT_EQ("m=1; e=1", Header("a.test", "/"));
  EXPECT_EQ("e=1", Header("a.test", "/", false, kNow + 61));
  // Max-Age wins over Expires; 0 deletes.
  EXPECT_TRUE(Set("a.test", "/", "e=2; Expires=Wed, 01 Jan 2031 00:00:00 GMT; Max-Age=0"));
  EXPECT_EQ("m=1", Header("a.test", "/"));
}

TEST_F(FetchCookiesTest, SameNameDomainPathReplaces) {
  EXPECT_TRUE(Set("a.test", "/", "k=1"));
  EXPECT_TRUE(Set("a.test", "/", "k=2"));
  EXPECT_EQ("k=2", Header("a.test", "/"));
  EXPECT_EQ(1u, jar_.count);
}

TEST_F(FetchCookiesTest, MalformedSetCookieIsIgnored) {
  EXPECT_FALSE(Set("a.test", "/", "novalue"));
  EXPECT_FALSE(Set("a.test", "/", "=v"));
  EXPECT_FALSE(Set("a.test", "/", std::string(9000, 'x').append("=1").c_str()));
  EXPECT_EQ(0u, jar_.count);
}

TEST_F(FetchCookiesTest, LiteralGoesToEveryRequestFirst) {
  fetch_cookie_jar_load(&jar_, "a=1; b=2", kNow);
  fetch_cookie_jar_load(&jar_, "c=3", kNow);
  EXPECT_TRUE(Set("x.test", "/", "k=v"));
  EXPECT_EQ("a=1; b=2; c=3; k=v", Header("x.test", "/"));
  EXPECT_EQ("a=1; b=2; c=3", Header("y.test", "/"));
}

TEST_F(FetchCookiesTest, SaveThenLoadRoundTripsNetscapeFormat) {
  EXPECT_TRUE(Set("www.a.test", "/", "d=1; Domain=a.test; Path=/p; Max-Age=100"));
  EXPECT_TRUE(Set("a.test", "/", "h=2; HttpOnly", true));
  EXPECT_TRUE(Set("a.test", "/", "s=3; Secure", true));
  std::string path = TempPath("jar");
  char err[256];
  ASSERT_TRUE(fetch_cookie_jar_save(&jar_, path.c_str(), kNow, err, sizeof(err))) << err;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(std::string::npos, text.str().find("# Netscape HTTP Cookie File"));
  EXPECT_NE(std::string::npos,
            text.str().find(".a.test\tTRUE\t/p\tFALSE\t" + std::to_string(kNow + 100) + "\td\t1\n"));
  EXPECT_NE(std::string::npos, text.str().find("#HttpOnly_a.test\tFALSE\t/\tFALSE\t0\th\t2\n"));
  EXPECT_NE(std::string::npos, text.str().find("a.test\tFALSE\t/\tTRUE\t0\ts\t3\n"));

  fetch_cookie_jar loaded;
  fetch_cookie_jar_init(&loaded);
  fetch_cookie_jar_load(&loaded, path.c_str(), kNow);
  ASSERT_EQ(3u, loaded.count);
  char *h = fetch_cookie_jar_header(&loaded, "b.a.test", "/p/q", true, kNow);
  ASSERT_NE(nullptr, h);
  EXPECT_STREQ("d=1", h);  // h and s are host-only
  free(h);
  h = fetch_cookie_jar_header(&loaded, "a.test", "/p", true, kNow);
  EXPECT_STREQ("d=1; h=2; s=3", h);
  free(h);
  fetch_cookie_jar_free(&loaded);
  unlink(path.c_str());
}

TEST_F(FetchCookiesTest, LoadSkipsExpiredAndBadLinesAndReadsSetCookieLines) {
  std::string path = TempPath("in");
  {
    std::ofstream out(path);
    out << "# comment\n"
        << "a.test\tFALSE\t/\tFALSE\t0\tok\tyes\n"
        << "a.test\tFALSE\t/\tFALSE\t100\tstale\tno\n"  // expired in 1970
        << "garbage line\n"
        << "a.test\tFALSE\tnoslash\tFALSE\t0\tbad\tpath\n"
        << "Set-Cookie: sc=1; domain=a.test; path=/\n";
  }
  fetch_cookie_jar_load(&jar_, path.c_str(), kNow);
  EXPECT_EQ("ok=yes; sc=1", Header("a.test", "/"));
  unlink(path.c_str());
  // A missing file only enables the engine.
  fetch_cookie_jar_load(&jar_, TempPath("missing").c_str(), kNow);
  EXPECT_EQ(2u, jar_.count);
}

TEST_F(FetchCookiesTest, SaveReportsAnUnwritablePath) {
  char err[256] = "";
  EXPECT_FALSE(fetch_cookie_jar_save(&jar_, "/nonexistent-dir/jar", kNow, err, sizeof(err)));
  EXPECT_NE(nullptr, strstr(err, "/nonexistent-dir/jar"));
}

TEST(FetchCookieUrlPartsTest, SplitsHostPathAndScheme) {
  char host[256], path[1024];
  bool https = false;
  ASSERT_TRUE(fetch_cookie_url_parts("https://U:P@WWW.A.test:8443/x/y?q#f", host, sizeof(host),
                                     path, sizeof(path), &https));
  EXPECT_STREQ("www.a.test", host);
  EXPECT_STREQ("/x/y", path);
  EXPECT_TRUE(https);
  ASSERT_TRUE(fetch_cookie_url_parts("http://[::1]:80", host, sizeof(host), path, sizeof(path),
                                     &https));
  EXPECT_STREQ("::1", host);
  EXPECT_STREQ("/", path);
  EXPECT_FALSE(https);
  EXPECT_FALSE(fetch_cookie_url_parts("nourl", host, sizeof(host), path, sizeof(path), &https));
}

}  // namespace
