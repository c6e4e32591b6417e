#include "net/base/net_errors.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <set>
#include <string>

namespace {

TEST(NetErrorsTest, NamesAndMessages) {
  EXPECT_STREQ("OK", cn_error_name(CN_OK));
  EXPECT_STREQ("ERR_IO_PENDING", cn_error_name(CN_ERR_IO_PENDING));
  EXPECT_STREQ("ERR_CONNECTION_REFUSED", cn_error_name(CN_ERR_CONNECTION_REFUSED));
  EXPECT_STREQ("ERR_CERT_AUTHORITY_INVALID", cn_error_name(CN_ERR_CERT_AUTHORITY_INVALID));
  EXPECT_STREQ("ERR_UNKNOWN", cn_error_name(-99999));
  EXPECT_STREQ("the connection attempt was refused", cn_error_message(CN_ERR_CONNECTION_REFUSED));
}

TEST(NetErrorsTest, CodesAreUniqueAndNegative) {
  const int codes[] = {
#define CN_NET_ERROR(sym, value, msg) value,
#include "net/base/net_error_list.h"
#undef CN_NET_ERROR
  };
  std::set<int> seen;
  for (int c : codes) {
    EXPECT_LT(c, 0);
    EXPECT_TRUE(seen.insert(c).second) << "duplicate code " << c;
    EXPECT_EQ(0, std::string(cn_error_name(c)).rfind("ERR_", 0));
  }
}

TEST(NetErrorsTest, CertificateRange) {
  EXPECT_TRUE(cn_error_is_certificate_error(CN_ERR_CERT_DATE_INVALID));
  EXPECT_TRUE(cn_error_is_certificate_error(CN_ERR_CERT_COMMON_NAME_INVALID));
  EXPECT_FALSE(cn_error_is_certificate_error(CN_ERR_SSL_PROTOCOL_ERROR));
}

TEST(NetErrorsTest, FromUv) {
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, cn_error_from_uv(UV_ECONNREFUSED));
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, cn_error_from_uv(UV_ECONNRESET));
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, cn_error_from_uv(UV_EAI_NONAME));
  EXPECT_EQ(CN_ERR_FAILED, cn_error_from_uv(UV_E2BIG));
}

}  // namespace
