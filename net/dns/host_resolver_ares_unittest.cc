// cn_host_resolver with its default backend, c-ares, against a DNS server
// the test runs on loopback (dns_test_server.h): both families, real TTLs,
// merged and cancelled lookups, the bounded cache, NXDOMAIN, a silent
// server, the hosts file, search domains, and --resolve rules winning.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/dns/dns_test_server.h"
#include "net/dns/host_resolver.h"
#include "net/dns/host_resolver_test_util.h"
#include "net/dns/host_resolver_ares.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::ManualClock;
using Result = cnet_test::ResolveResult;
using cnet_test::AddressListToString;

constexpr int kTypeA = 1;
constexpr int kTypeAAAA = 28;

// The END params of the last HOST_RESOLVER_JOB, "key=value" joined by ' '.
struct JobEndRecorder {
  static void OnEntry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
    JobEndRecorder *r = reinterpret_cast<JobEndRecorder *>(
        reinterpret_cast<char *>(obs) - offsetof(JobEndRecorder, observer));
    if (e->type != CN_NETLOG_HOST_RESOLVER_JOB || e->phase != CN_NETLOG_PHASE_END)
      return;
    r->last.clear();
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      r->last += std::string(p.key) + "=" +
                 (p.kind == CN_NETLOG_PARAM_STR ? std::string(p.s ? p.s : "")
                                                : std::to_string(p.i)) +
                 " ";
    }
  }
  cn_netlog_observer observer{};
  std::string last;
};

class HostResolverAresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dns_.Start());
    cn_netlog_init(&netlog_);
    jobs_.observer.on_entry = JobEndRecorder::OnEntry;
    cn_netlog_add_observer(&netlog_, &jobs_.observer);
    cn_host_resolver_options_init(&opts_);
    servers_ = dns_.address();
    opts_.dns.servers = servers_.c_str();
    opts_.dns.search_domains = "";  // nothing from this machine's resolv.conf
    opts_.dns.ndots = 1;
    opts_.hosts_file = "";
    opts_.now_ms = ManualClock::Now;
    opts_.clock_ctx = &clock_;
  }
  void TearDown() override {
    cn_host_resolver_destroy(resolver_);
    cnet_test::RunUntilIdle(loop_.get());
    cn_netlog_destroy(&netlog_);
  }
  void Create() {
    char err[256] = "";
    ASSERT_EQ(CN_OK, cn_host_resolver_create(loop_.get(), &opts_, &resolver_, err, sizeof(err)))
        << err;
    ASSERT_NE(nullptr, cn_host_resolver_ares_backend(resolver_)) << "c-ares is the default";
  }
  int Resolve(const char *host, uint16_t port, Result *res) {
    cn_netlog_source src = cn_netlog_new_source(&netlog_, CN_NETLOG_SOURCE_CONNECT_JOB);
    return cn_host_resolver_resolve(resolver_, host, port, &netlog_, src, &res->req, &res->addrs,
                                    Result::OnDone, res);
  }
  // Resolves |host| and waits for the answer.
  int ResolveAndWait(const char *host, uint16_t port, Result *res) {
    int rv = Resolve(host, port, res);
    if (rv != CN_ERR_IO_PENDING)
      return rv;
    EXPECT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return res->calls > 0; }));
    EXPECT_EQ(1, res->calls);
    return res->rv;
  }
  // A per-process temp file with |text|; removed at the end of the test.
  std::string WriteTempFile(const std::string &tag, const std::string &text) {
    std::string path = "/tmp/cnet_dns_test_" + tag + "_" + std::to_string(getpid());
    std::ofstream(path) << text;
    temp_files_.push_back(path);
    return path;
  }
  ~HostResolverAresTest() override {
    for (const std::string &p : temp_files_)
      std::remove(p.c_str());
  }

  cnet_test::TestLoop loop_;
  cnet_test::DnsTestServer dns_{loop_.get()};
  cn_netlog netlog_;
  JobEndRecorder jobs_;
  ManualClock clock_;
  std::string servers_;
  cn_host_resolver_options opts_;
  cn_host_resolver *resolver_ = nullptr;
  std::vector<std::string> temp_files_;
};

TEST_F(HostResolverAresTest, AskesForBothFamiliesAndReturnsBoth) {
  dns_.Add("both.test", "127.0.0.5");
  dns_.Add("both.test", "::1");
  Create();
  Result res;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("both.test", 443, &res));
  EXPECT_EQ(0, res.calls) << "never answered from inside resolve";
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return res.calls > 0; }));
  ASSERT_EQ(CN_OK, res.rv);
  std::string addrs = res.Addrs();
  EXPECT_NE(std::string::npos, addrs.find("127.0.0.5:443")) << addrs;
  EXPECT_NE(std::string::npos, addrs.find("[::1]:443")) << addrs;
  EXPECT_EQ(2u, res.addrs.count);
  EXPECT_EQ(1, dns_.queries("both.test", kTypeA));
  EXPECT_EQ(1, dns_.queries("both.test", kTypeAAAA));
}

TEST_F(HostResolverAresTest, OneFamilyOnlyIsEnough) {
  dns_.Add("v4only.test", "127.0.0.6");
  Create();
  Result res;
  ASSERT_EQ(CN_OK, ResolveAndWait("v4only.test", 80, &res));
  EXPECT_EQ("[127.0.0.6:80]", res.Addrs());
}

TEST_F(HostResolverAresTest, AnswersLiveForTheirTtl) {
  dns_.Add("ttl.test", "127.0.0.7", /*ttl_s=*/5);
  Create();
  Result first;
  ASSERT_EQ(CN_OK, ResolveAndWait("ttl.test", 80, &first));
  EXPECT_NE(std::string::npos, jobs_.last.find("ttl_ms=5000")) << jobs_.last;
  int asked = dns_.total_queries();

  clock_.now += 4999;  // still fresh: answered from the cache
  Result cached;
  ASSERT_EQ(CN_OK, Resolve("ttl.test", 81, &cached));
  EXPECT_EQ("[127.0.0.7:81]", cached.Addrs());
  EXPECT_EQ(asked, dns_.total_queries());

  clock_.now += 1;  // expired: asked again
  dns_.Remove("ttl.test");
  dns_.Add("ttl.test", "127.0.0.8", 5);
  Result again;
  ASSERT_EQ(CN_OK, ResolveAndWait("ttl.test", 80, &again));
  EXPECT_EQ("[127.0.0.8:80]", again.Addrs());
  EXPECT_GT(dns_.total_queries(), asked);
}

TEST_F(HostResolverAresTest, ZeroTtlIsNotCached) {
  dns_.Add("zero.test", "127.0.0.9", 0);
  Create();
  Result a, b;
  ASSERT_EQ(CN_OK, ResolveAndWait("zero.test", 80, &a));
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));
  ASSERT_EQ(CN_OK, ResolveAndWait("zero.test", 80, &b));
  EXPECT_EQ(2, dns_.queries("zero.test", kTypeA));
}

TEST_F(HostResolverAresTest, DuplicateLookupsShareOneQuery) {
  dns_.Add("dup.test", "127.0.0.10");
  Create();
  Result a, b, c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("dup.test", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("DUP.test", 443, &b));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("dup.test", 8080, &c));
  EXPECT_EQ(1u, cn_host_resolver_job_count(resolver_));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return a.calls && b.calls && c.calls; }));
  EXPECT_EQ("[127.0.0.10:80]", a.Addrs());
  EXPECT_EQ("[127.0.0.10:443]", b.Addrs());
  EXPECT_EQ("[127.0.0.10:8080]", c.Addrs());
  EXPECT_EQ(1, dns_.queries("dup.test", kTypeA));
  EXPECT_EQ(1, dns_.queries("dup.test", kTypeAAAA));
}

TEST_F(HostResolverAresTest, CancellingOneOfTwoKeepsTheLookupForTheOther) {
  dns_.Add("keep.test", "127.0.0.11");
  Create();
  Result a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("keep.test", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("keep.test", 80, &b));
  cn_host_resolve_request_cancel(a.req);
  EXPECT_EQ(1u, cn_host_resolver_job_count(resolver_));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return b.calls > 0; }));
  EXPECT_EQ(CN_OK, b.rv);
  EXPECT_EQ(0, a.calls);
}

TEST_F(HostResolverAresTest, CancellingTheLastRequestAbandonsTheLookup) {
  dns_.Add("gone.test", "127.0.0.12");
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("gone.test", 80, &a));
  cn_host_resolve_request_cancel(a.req);
  EXPECT_EQ(0u, cn_host_resolver_job_count(resolver_));
  // c-ares cannot cancel one query: it finishes (the server answers) and is
  // freed without a callback and without filling the cache.
  cn_ares_backend *ares = cn_host_resolver_ares_backend(resolver_);
  EXPECT_EQ(1u, cn_ares_backend_lookup_count(ares));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(),
                                  [&] { return cn_ares_backend_lookup_count(ares) == 0; }));
  EXPECT_EQ(0, a.calls);
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));
}

TEST_F(HostResolverAresTest, DestroyingTheResolverWithALookupInFlight) {
  dns_.set_silent(true);
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("inflight.test", 80, &a));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return dns_.total_queries() > 0; }));
  cn_host_resolver_destroy(resolver_);
  resolver_ = nullptr;
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(0, a.calls);  // TestLoop's destructor checks every handle closed
}

TEST_F(HostResolverAresTest, DestroyingTheResolverFromItsCallback) {
  dns_.Add("a.test", "127.0.0.13");
  Create();
  Result a, b;
  a.on_done = [&](Result *) {
    cn_host_resolver_destroy(resolver_);
    resolver_ = nullptr;
  };
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &b));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return a.calls > 0; }));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(CN_OK, a.rv);
  EXPECT_EQ(0, b.calls) << "requests of a destroyed resolver never complete";
}

TEST_F(HostResolverAresTest, TheCacheStaysBounded) {
  for (int i = 0; i < 4; i++)
    dns_.Add("n" + std::to_string(i) + ".test", "127.0.1." + std::to_string(i), 300 + i);
  opts_.cache_max_entries = 2;
  Create();
  for (int i = 0; i < 4; i++) {
    Result r;
    ASSERT_EQ(CN_OK, ResolveAndWait(("n" + std::to_string(i) + ".test").c_str(), 80, &r));
    EXPECT_LE(cn_host_resolver_cache_size(resolver_), 2u);
  }
  EXPECT_EQ(2u, cn_host_resolver_cache_size(resolver_));
  // The newest answers stayed (the oldest expire soonest and went first).
  int asked = dns_.total_queries();
  Result newest;
  ASSERT_EQ(CN_OK, Resolve("n3.test", 80, &newest));
  EXPECT_EQ(asked, dns_.total_queries());
}

TEST_F(HostResolverAresTest, NxdomainIsNameNotResolved) {
  Create();
  Result res;
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, ResolveAndWait("missing.test", 80, &res));
  EXPECT_NE(std::string::npos, jobs_.last.find("host=missing.test")) << jobs_.last;
  EXPECT_NE(std::string::npos, jobs_.last.find("dns_error=ERR_NAME_NOT_RESOLVED")) << jobs_.last;
}

TEST_F(HostResolverAresTest, ASilentServerEndsInBoundedTime) {
  dns_.set_silent(true);
  opts_.dns.attempt_timeout_ms = 100;
  opts_.dns.attempts = 1;
  Create();
  Result res;
  uv_update_time(loop_.get());
  uint64_t start = uv_now(loop_.get());
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, ResolveAndWait("silent.test", 80, &res));
  uint64_t took = uv_now(loop_.get()) - start;
  EXPECT_GE(took, 90u);
  EXPECT_LT(took, 2000u);
  EXPECT_NE(std::string::npos, jobs_.last.find("dns_error=ERR_DNS_TIMED_OUT")) << jobs_.last;
  EXPECT_NE(std::string::npos, jobs_.last.find("host=silent.test")) << jobs_.last;
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_)) << "a timeout is not cached";
}

TEST_F(HostResolverAresTest, TheHostsFileAnswersFirst) {
  dns_.Add("local.test", "127.0.0.99");
  std::string hosts = WriteTempFile("hosts",
                                    "# comment\n"
                                    "127.0.0.20  local.test alias.test  # trailing\n"
                                    "::2 local.test\n"
                                    "not-an-ip bogus.test\n");
  opts_.hosts_file = hosts.c_str();
  Create();
  Result res, alias, bogus;
  ASSERT_EQ(CN_OK, Resolve("LOCAL.test", 8080, &res));
  EXPECT_EQ("[127.0.0.20:8080, [::2]:8080]", res.Addrs());
  ASSERT_EQ(CN_OK, Resolve("alias.test", 1, &alias));
  EXPECT_EQ("[127.0.0.20:1]", alias.Addrs());
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, ResolveAndWait("bogus.test", 80, &bogus));
  EXPECT_EQ(0, dns_.queries("local.test"));

  // An edit is seen at the next lookup.
  std::ofstream(hosts) << "127.0.0.21 local.test\n# a longer file than before\n";
  Result edited;
  ASSERT_EQ(CN_OK, Resolve("local.test", 80, &edited));
  EXPECT_EQ("[127.0.0.21:80]", edited.Addrs());
}

TEST_F(HostResolverAresTest, SearchDomainsFromOptions) {
  dns_.Add("intranet.corp.test", "127.0.0.30");
  opts_.dns.search_domains = "other.test,corp.test";
  Create();
  Result res;
  ASSERT_EQ(CN_OK, ResolveAndWait("intranet", 80, &res));
  EXPECT_EQ("[127.0.0.30:80]", res.Addrs());
  EXPECT_GE(dns_.queries("intranet.other.test"), 1);
}

TEST_F(HostResolverAresTest, SearchDomainsAndNdotsFromResolvConf) {
  dns_.Add("wiki.corp.test", "127.0.0.31");
  std::string conf = WriteTempFile("resolv", "search corp.test\noptions ndots:2\n");
  opts_.dns.resolv_conf = conf.c_str();
  opts_.dns.search_domains = nullptr;
  opts_.dns.ndots = -1;
  Create();
  Result res;
  ASSERT_EQ(CN_OK, ResolveAndWait("wiki", 80, &res));
  EXPECT_EQ("[127.0.0.31:80]", res.Addrs());
}

TEST_F(HostResolverAresTest, ResolveRulesStillWin) {
  dns_.Add("ruled.test", "127.0.0.40");
  Create();
  char err[256];
  ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(cn_host_resolver_rules(resolver_),
                                               "ruled.test:80:127.0.0.41", err, sizeof(err)))
      << err;
  Result res;
  ASSERT_EQ(CN_OK, Resolve("ruled.test", 80, &res));
  EXPECT_EQ("[127.0.0.41:80]", res.Addrs());
  EXPECT_EQ(0, dns_.total_queries());
}

TEST_F(HostResolverAresTest, NetworkChangeClearsTheCacheAndOldAnswersAreNotCached) {
  dns_.Add("net.test", "127.0.0.50");
  Create();
  Result a;
  ASSERT_EQ(CN_OK, ResolveAndWait("net.test", 80, &a));
  EXPECT_EQ(1u, cn_host_resolver_cache_size(resolver_));
  cn_host_resolver_on_network_changed(resolver_);
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));

  // A lookup running across a change answers but is not cached.
  Result b;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("net.test", 80, &b));
  cn_host_resolver_on_network_changed(resolver_);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return b.calls > 0; }));
  EXPECT_EQ(CN_OK, b.rv);
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));
}

TEST_F(HostResolverAresTest, BadServersAreRejectedWithTheReason) {
  opts_.dns.servers = "not an address";
  char err[256] = "";
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_host_resolver_create(loop_.get(), &opts_, &resolver_, err, sizeof(err)));
  EXPECT_EQ(nullptr, resolver_);
  EXPECT_NE(std::string::npos, std::string(err).find("not an address")) << err;
}

TEST_F(HostResolverAresTest, SystemResolverStaysAvailable) {
  opts_.use_system_resolver = true;
  char err[256] = "";
  ASSERT_EQ(CN_OK, cn_host_resolver_create(loop_.get(), &opts_, &resolver_, err, sizeof(err)));
  EXPECT_EQ(nullptr, cn_host_resolver_ares_backend(resolver_));
  Result res;
  ASSERT_EQ(CN_OK, Resolve("localhost", 80, &res));  // answered locally either way
}

}  // namespace
