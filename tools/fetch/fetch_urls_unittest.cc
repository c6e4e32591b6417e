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

TEST(FetchUrlsTest, ConnectToBecomesAConnectRule) {
  char *ct[] = {const_cast<char *>("origin.test:443:127.0.0.1:"),
                const_cast<char *>("b.test:80:[::1]:8080"),
                const_cast<char *>("c.test:443::"),  // changes nothing
                const_cast<char *>("127.0.0.3:80::8081")};  // HOST1's address, new port
  char *rs[] = {const_cast<char *>("c.test:1:127.0.0.2")};
  fetch_options o = {};
  o.connect_to = ct;
  o.num_connect_to = 4;
  o.resolve = rs;
  o.num_resolve = 1;
  fetch_resolve_list l;
  char err[256] = "";
  ASSERT_TRUE(fetch_resolve_list_build(&o, &l, err, sizeof(err))) << err;
  ASSERT_EQ(1u, l.count);
  EXPECT_STREQ("c.test:1:127.0.0.2", l.rules[0]);
  ASSERT_EQ(3u, l.num_connect_rules);
  EXPECT_STREQ("origin.test:443:127.0.0.1:", l.connect_rules[0]);
  EXPECT_STREQ("b.test:80:[::1]:8080", l.connect_rules[1]);
  EXPECT_STREQ("127.0.0.3:80:127.0.0.3:8081", l.connect_rules[2]);
  fetch_resolve_list_free(&l);

  char *short_spec[] = {const_cast<char *>("a.test:443")};
  o.connect_to = short_spec;
  o.num_connect_to = 1;
  EXPECT_FALSE(fetch_resolve_list_build(&o, &l, err, sizeof(err)));
  EXPECT_NE(nullptr, strstr(err, "HOST1:PORT1:HOST2:PORT2")) << err;
  char *no_host[] = {const_cast<char *>(":443::8443")};
  o.connect_to = no_host;
  EXPECT_FALSE(fetch_resolve_list_build(&o, &l, err, sizeof(err)));
  EXPECT_NE(nullptr, strstr(err, "needs HOST1 or HOST2")) << err;
}

}  // namespace
