#include "net/dns/hosts_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

std::string Lookup(cn_hosts_file *h, const char *host) {
  cn_address_list l;
  cn_address_list_init(&l);
  std::string out = "(none)";
  if (cn_hosts_file_lookup(h, host, &l)) {
    char *s = cn_address_list_to_string(&l);
    out = s;
    free(s);
  }
  cn_address_list_free(&l);
  return out;
}

class HostsFileTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = "/tmp/cnet_hosts_file_test_" + std::to_string(getpid()); }
  void TearDown() override {
    cn_hosts_file_free(&hosts_);
    std::remove(path_.c_str());
  }
  void Write(const std::string &text) { std::ofstream(path_) << text; }

  std::string path_;
  cn_hosts_file hosts_;
};

TEST_F(HostsFileTest, ParsesNamesAliasesCommentsAndBothFamilies) {
  Write(
      "# a comment line\n"
      "\n"
      "127.0.0.1\tlocalhost\r\n"
      "10.0.0.1   web.test  www.test # alias and a comment\n"
      "fe80::1 web.test\n"
      "10.0.0.1 web.test\n"  // a duplicate: listed once
      "10.0.0.2 WEB.test\n"
      "300.1.1.1 bad.test\n"  // not an address: skipped
      "10.0.0.3 bad_name!\n"
      "10.0.0.4 10.0.0.5\n"  // an address is not a name
      "10.0.0.6");           // no name, no newline
  cn_hosts_file_init(&hosts_, path_.c_str());
  EXPECT_EQ("[127.0.0.1:0]", Lookup(&hosts_, "localhost"));
  EXPECT_EQ("[10.0.0.1:0, [fe80::1]:0, 10.0.0.2:0]", Lookup(&hosts_, "web.test"));
  EXPECT_EQ("[10.0.0.1:0]", Lookup(&hosts_, "www.test"));
  EXPECT_EQ("(none)", Lookup(&hosts_, "bad.test"));
  EXPECT_EQ("(none)", Lookup(&hosts_, "10.0.0.5"));
  EXPECT_EQ("(none)", Lookup(&hosts_, "other.test"));
}

TEST_F(HostsFileTest, AMissingFileIsEmptyAndAppearingLaterIsSeen) {
  cn_hosts_file_init(&hosts_, path_.c_str());
  EXPECT_EQ("(none)", Lookup(&hosts_, "late.test"));
  Write("10.1.1.1 late.test\n");
  EXPECT_EQ("[10.1.1.1:0]", Lookup(&hosts_, "late.test"));
  std::remove(path_.c_str());
  EXPECT_EQ("(none)", Lookup(&hosts_, "late.test"));
}

TEST_F(HostsFileTest, NoPathMatchesNothing) {
  cn_hosts_file_init(&hosts_, "");
  EXPECT_EQ("(none)", Lookup(&hosts_, "localhost"));
}

TEST_F(HostsFileTest, ParseTakesTextWithoutTerminator) {
  cn_hosts_file_init(&hosts_, nullptr);
  const char text[] = "10.2.2.2 cut.test 10.3.3.3 x";
  cn_hosts_file_parse(&hosts_, text, strlen("10.2.2.2 cut.test"));
  cn_address_list l;
  cn_address_list_init(&l);
  // No path: lookups say nothing, but the parsed entries are there.
  EXPECT_EQ(1u, cn_hashmap_count(&hosts_.entries));
  EXPECT_NE(nullptr, cn_hashmap_get(&hosts_.entries, "cut.test"));
  cn_address_list_free(&l);
}

}  // namespace
