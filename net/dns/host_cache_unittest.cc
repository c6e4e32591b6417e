#include "net/dns/host_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/base/net_errors.h"

namespace {

cn_address_list List(const char *a, const char *b = nullptr) {
  cn_address_list l;
  cn_address_list_init(&l);
  cn_ip_endpoint ep;
  EXPECT_TRUE(cn_ip_endpoint_from_literal(a, 1234, &ep));
  cn_address_list_append(&l, &ep);
  if (b) {
    EXPECT_TRUE(cn_ip_endpoint_from_literal(b, 1234, &ep));
    cn_address_list_append(&l, &ep);
  }
  return l;
}

class HostResolverCacheTest : public ::testing::Test {
 protected:
  void TearDown() override { cn_host_cache_free(&cache_); }

  void Set(const char *host, const char *addr, uint64_t now, uint64_t ttl) {
    cn_address_list l = List(addr);
    cn_host_cache_set(&cache_, host, AF_UNSPEC, CN_OK, &l, now, ttl);
    cn_address_list_free(&l);
  }
  // "miss", "error -105" or the address list.
  std::string Get(const char *host, uint64_t now, int family = AF_UNSPEC) {
    cn_address_list out;
    cn_address_list_init(&out);
    int err = 1;
    if (!cn_host_cache_lookup(&cache_, host, family, now, &err, &out))
      return "miss";
    if (err != CN_OK)
      return "error " + std::to_string(err);
    char *s = cn_address_list_to_string(&out);
    std::string r = s;
    free(s);
    cn_address_list_free(&out);
    return r;
  }

  cn_host_cache cache_;
};

TEST_F(HostResolverCacheTest, HitUntilExpiry) {
  cn_host_cache_init(&cache_, 10);
  cn_address_list l = List("10.0.0.1", "::1");
  cn_host_cache_set(&cache_, "a.test", AF_UNSPEC, CN_OK, &l, 1000, 500);
  cn_address_list_free(&l);
  EXPECT_EQ(1u, cn_host_cache_size(&cache_));
  // Ports are not cached: the resolver applies the requested one.
  EXPECT_EQ("[10.0.0.1:0, [::1]:0]", Get("a.test", 1000));
  EXPECT_EQ("[10.0.0.1:0, [::1]:0]", Get("a.test", 1499));
  EXPECT_EQ("miss", Get("a.test", 1500));
  EXPECT_EQ(0u, cn_host_cache_size(&cache_));  // expired entries are dropped
  EXPECT_EQ("miss", Get("b.test", 1000));
}

TEST_F(HostResolverCacheTest, FamilyIsPartOfTheKey) {
  cn_host_cache_init(&cache_, 10);
  Set("a.test", "10.0.0.1", 0, 100);
  EXPECT_EQ("miss", Get("a.test", 0, AF_INET6));
  EXPECT_EQ("[10.0.0.1:0]", Get("a.test", 0, AF_UNSPEC));
}

TEST_F(HostResolverCacheTest, NegativeEntriesReplaceAndClear) {
  cn_host_cache_init(&cache_, 10);
  cn_host_cache_set(&cache_, "bad.test", AF_UNSPEC, CN_ERR_NAME_NOT_RESOLVED, nullptr, 0, 50);
  EXPECT_EQ("error -105", Get("bad.test", 49));
  Set("bad.test", "10.0.0.9", 10, 50);  // replaces
  EXPECT_EQ(1u, cn_host_cache_size(&cache_));
  EXPECT_EQ("[10.0.0.9:0]", Get("bad.test", 59));
  // TTL 0 stores nothing.
  Set("zero.test", "10.0.0.1", 0, 0);
  EXPECT_EQ("miss", Get("zero.test", 0));
  cn_host_cache_clear(&cache_);
  EXPECT_EQ(0u, cn_host_cache_size(&cache_));
  EXPECT_EQ("miss", Get("bad.test", 11));
  // Usable after clear.
  Set("c.test", "10.0.0.3", 0, 10);
  EXPECT_EQ("[10.0.0.3:0]", Get("c.test", 0));
}

TEST_F(HostResolverCacheTest, EvictsExpiredThenSoonestToExpire) {
  cn_host_cache_init(&cache_, 3);
  Set("a.test", "10.0.0.1", 0, 100);   // expires 100
  Set("b.test", "10.0.0.2", 10, 100);  // expires 110
  Set("c.test", "10.0.0.3", 20, 100);  // expires 120
  Set("d.test", "10.0.0.4", 30, 100);  // full: evicts a (soonest)
  EXPECT_EQ(3u, cn_host_cache_size(&cache_));
  EXPECT_EQ("miss", Get("a.test", 30));
  EXPECT_EQ("[10.0.0.2:0]", Get("b.test", 30));
  // At 115, b is expired: inserting drops it rather than c or d.
  Set("e.test", "10.0.0.5", 115, 100);
  EXPECT_EQ(3u, cn_host_cache_size(&cache_));
  EXPECT_EQ("[10.0.0.3:0]", Get("c.test", 115));
  EXPECT_EQ("[10.0.0.4:0]", Get("d.test", 115));
  EXPECT_EQ("[10.0.0.5:0]", Get("e.test", 115));
  // Many insertions stay bounded.
  for (int i = 0; i < 100; i++)
    Set(("n" + std::to_string(i) + ".test").c_str(), "10.0.0.6", 200 + i, 1000);
  EXPECT_EQ(3u, cn_host_cache_size(&cache_));
  EXPECT_EQ("[10.0.0.6:0]", Get("n99.test", 300));
  EXPECT_EQ("miss", Get("n96.test", 300));
}

TEST_F(HostResolverCacheTest, ZeroCapacityAndHugeTtl) {
  cn_host_cache_init(&cache_, 0);
  Set("a.test", "10.0.0.1", 0, 100);
  EXPECT_EQ("miss", Get("a.test", 0));
  cn_host_cache_free(&cache_);
  cn_host_cache_init(&cache_, 1);
  // now + ttl would wrap around; it must saturate, not expire at once.
  Set("a.test", "10.0.0.1", 1000, UINT64_MAX);
  EXPECT_EQ("[10.0.0.1:0]", Get("a.test", 2000));
}

}  // namespace
