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

// The same errors from a proxy setting up a tunnel: what curl says for a
// broken CONNECT exchange (56), the proxy's TLS (35), its certificate (60),
// a refused CONNECT or SOCKS (97), a failed connect (7).
TEST(FetchExitTest, ProxySideFailuresAreCurlsProxyCodes) {
  EXPECT_EQ(56, fetch_exit_code_for_proxy_error("ERR_HTTP2_PROTOCOL_ERROR"));
  EXPECT_EQ(56, fetch_exit_code_for_proxy_error("ERR_HTTP2_STREAM_CLOSED"));
  EXPECT_EQ(56, fetch_exit_code_for_proxy_error("ERR_RESPONSE_HEADERS_TOO_BIG"));
  EXPECT_EQ(56, fetch_exit_code_for_proxy_error("ERR_INVALID_RESPONSE"));
  EXPECT_EQ(56, fetch_exit_code_for_proxy_error("ERR_EMPTY_RESPONSE"));
  EXPECT_EQ(56, fetch_exit_code_for_proxy_error("ERR_CONNECTION_RESET"));
  EXPECT_EQ(35, fetch_exit_code_for_proxy_error("ERR_SSL_PROTOCOL_ERROR"));
  EXPECT_EQ(35, fetch_exit_code_for_proxy_error("ERR_SSL_VERSION_OR_CIPHER_MISMATCH"));
  EXPECT_EQ(60, fetch_exit_code_for_proxy_error("ERR_PROXY_CERTIFICATE_INVALID"));
  EXPECT_EQ(97, fetch_exit_code_for_proxy_error("ERR_TUNNEL_CONNECTION_FAILED"));
  EXPECT_EQ(97, fetch_exit_code_for_proxy_error("ERR_SOCKS_CONNECTION_FAILED"));
  EXPECT_EQ(7, fetch_exit_code_for_proxy_error("ERR_PROXY_CONNECTION_FAILED"));
  // From the server itself, the table's own codes.
  EXPECT_EQ(16, fetch_exit_code_for_error("ERR_HTTP2_PROTOCOL_ERROR"));
  EXPECT_EQ(8, fetch_exit_code_for_error("ERR_INVALID_RESPONSE"));
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
