#include "tools/fetch/fetch_urls.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

std::string Take(char *s) {
  std::string out = s ? s : "(null)";
  free(s);
  return out;
}

TEST(FetchUrlsTest, MissingSchemeMeansHttp) {
  EXPECT_EQ("http://example.test/a", Take(fetch_url_with_scheme("example.test/a")));
  EXPECT_EQ("http://127.0.0.1:8080", Take(fetch_url_with_scheme("127.0.0.1:8080")));
  EXPECT_EQ("https://a.test/", Take(fetch_url_with_scheme("https://a.test/")));
}

TEST(FetchUrlsTest, RemoteNameIsTheLastPathSegment) {
  EXPECT_EQ("file.bin", Take(fetch_remote_name("https://a.test/dir/file.bin?x=1#f")));
  EXPECT_EQ("7", Take(fetch_remote_name("http://a.test/bytes/7")));
  EXPECT_EQ("(null)", Take(fetch_remote_name("http://a.test/dir/")));
  EXPECT_EQ("(null)", Take(fetch_remote_name("http://a.test")));
}

TEST(FetchUrlsTest, NoproxyNamesCoverSubdomains) {
  EXPECT_EQ("example.com,*.example.com,10.0.0.0/8,127.0.0.1",
            Take(fetch_noproxy_to_bypass(".example.com, 10.0.0.0/8 127.0.0.1")));
  EXPECT_EQ("*", Take(fetch_noproxy_to_bypass("*")));
  EXPECT_EQ("::1", Take(fetch_noproxy_to_bypass("::1")));
}

TEST(FetchUrlsTest, ConnectToBecomesAResolveRule) {
  char *ct[] = {const_cast<char *>("origin.test:443:127.0.0.1:"),
                const_cast<char *>("b.test:80:[::1]:80")};
  char *rs[] = {const_cast<char *>("c.test:1:127.0.0.2")};
  fetch_options o = {};
  o.connect_to = ct;
  o.num_connect_to = 2;
  o.resolve = rs;
  o.num_resolve = 1;
  fetch_resolve_list l;
  char err[256] = "";
  ASSERT_TRUE(fetch_resolve_list_build(&o, &l, err, sizeof(err))) << err;
  ASSERT_EQ(3u, l.count);
  EXPECT_STREQ("c.test:1:127.0.0.2", l.rules[0]);
  EXPECT_STREQ("origin.test:443:127.0.0.1", l.rules[1]);
  EXPECT_STREQ("b.test:80:[::1]", l.rules[2]);
  fetch_resolve_list_free(&l);

  char *other_port[] = {const_cast<char *>("a.test:443:127.0.0.1:8443")};
  o.connect_to = other_port;
  o.num_connect_to = 1;
  EXPECT_FALSE(fetch_resolve_list_build(&o, &l, err, sizeof(err)));
  EXPECT_NE(nullptr, strstr(err, "PORT2 must be empty or 443")) << err;
  char *short_spec[] = {const_cast<char *>("a.test:443")};
  o.connect_to = short_spec;
  EXPECT_FALSE(fetch_resolve_list_build(&o, &l, err, sizeof(err)));
  EXPECT_NE(nullptr, strstr(err, "HOST1:PORT1:HOST2:PORT2")) << err;
}

}  // namespace
