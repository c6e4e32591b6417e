#include "tools/fetch/fetch_exit.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

// Every ERR_* name cnet has (the one table of errors).
std::set<std::string> CnetErrorNames() {
  std::set<std::string> names;
#define CN_NET_ERROR(symbol, value, message) names.insert("ERR_" #symbol);
#include "net/base/net_error_list.h"
#undef CN_NET_ERROR
  return names;
}

TEST(FetchExitTest, CurlCodesOfTheIssue) {
  EXPECT_EQ(3, fetch_exit_code_for_error("ERR_INVALID_URL"));
  EXPECT_EQ(6, fetch_exit_code_for_error("ERR_NAME_NOT_RESOLVED"));
  EXPECT_EQ(7, fetch_exit_code_for_error("ERR_CONNECTION_REFUSED"));
  EXPECT_EQ(28, fetch_exit_code_for_error("ERR_TIMED_OUT"));
  EXPECT_EQ(35, fetch_exit_code_for_error("ERR_SSL_PROTOCOL_ERROR"));
  EXPECT_EQ(47, fetch_exit_code_for_error("ERR_TOO_MANY_REDIRECTS"));
  EXPECT_EQ(56, fetch_exit_code_for_error("ERR_CONNECTION_RESET"));
  EXPECT_EQ(60, fetch_exit_code_for_error("ERR_CERT_AUTHORITY_INVALID"));
  EXPECT_EQ(60, fetch_exit_code_for_error("ERR_CERT_DATE_INVALID"));
  EXPECT_EQ(97, fetch_exit_code_for_error("ERR_TUNNEL_CONNECTION_FAILED"));
  EXPECT_EQ(56, fetch_exit_code_for_error("ERR_NO_SUCH_THING"));
}

TEST(FetchExitTest, EveryErrorIsInTheTableOnceAndExists) {
  std::set<std::string> cnet = CnetErrorNames(), seen;
  for (int i = 0; const fetch_exit_row *row = fetch_exit_table_row(i); i++) {
    EXPECT_TRUE(cnet.count(row->error_name)) << row->error_name << " is not a cnet error";
    EXPECT_TRUE(seen.insert(row->error_name).second) << row->error_name << " twice";
    EXPECT_GT(row->code, 0) << row->error_name;
  }
  // Every error a transfer can end with has its row (IO_PENDING is never
  // an end).
  for (const std::string &name : cnet) {
    if (name != "ERR_IO_PENDING") {
      EXPECT_TRUE(seen.count(name)) << name << " has no exit code";
    }
  }
}

}  // namespace
