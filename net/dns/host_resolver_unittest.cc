#include "net/dns/host_resolver.h"
#include "net/dns/host_resolver_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/timer.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"

namespace {

using cnet_test::ManualClock;
using Result = cnet_test::ResolveResult;
using cnet_test::AddressListToString;

// A scripted backend: records every lookup and completes it only when the
// test says so, so ordering (dedupe, cancel, destroy) is deterministic and no
// DNS is involved.
struct FakeProc {
  struct Lookup {
    FakeProc *proc;
    std::string host;
    int family;
    cn_host_resolver_proc_done_cb done;
    void *done_arg;
    bool abandoned = false;
    bool completed = false;
  };

  static int Start(void *ctx, uv_loop_t *loop, const char *host, int family,
                   cn_host_resolver_proc_done_cb done, void *done_arg, void **out_lookup) {
    FakeProc *p = static_cast<FakeProc *>(ctx);
    if (p->start_error != CN_ERR_IO_PENDING)
      return p->start_error;
    auto l = std::make_unique<Lookup>();
    l->proc = p;
    l->host = host;
    l->family = family;
    l->done = done;
    l->done_arg = done_arg;
    *out_lookup = l.get();
    p->lookups.push_back(std::move(l));
    return CN_ERR_IO_PENDING;
  }
  static void Abandon(void *ctx, void *lookup) {
    Lookup *l = static_cast<Lookup *>(lookup);
    EXPECT_FALSE(l->abandoned);
    EXPECT_FALSE(l->completed);
    l->abandoned = true;
  }

  // Completes lookup |i| with |result| and |addrs| (IP literals).
  void Complete(size_t i, int result, const std::vector<std::string> &addrs = {}) {
    ASSERT_LT(i, lookups.size());
    Lookup *l = lookups[i].get();
    ASSERT_FALSE(l->abandoned) << "completing an abandoned lookup";
    ASSERT_FALSE(l->completed);
    l->completed = true;
    cn_address_list list;
    cn_address_list_init(&list);
    for (const std::string &a : addrs) {
      cn_ip_endpoint ep;
      ASSERT_TRUE(cn_ip_endpoint_from_literal(a.c_str(), 0, &ep));
      cn_address_list_append(&list, &ep);
    }
    l->done(l->done_arg, result, &list);
    EXPECT_EQ(0u, list.count) << "the resolver takes the addresses";
    cn_address_list_free(&list);
  }

  cn_host_resolver_proc vtable{Start, Abandon};
  int start_error = CN_ERR_IO_PENDING;
  std::vector<std::unique_ptr<Lookup>> lookups;
};

// Records NetLog entries as "TYPE PHASE src=N key=value ...".
struct Recorder {
  struct Entry {
    cn_netlog_event_type type;
    cn_netlog_phase phase;
    uint32_t source_id;
    std::map<std::string, std::string> params;
  };
  static void OnEntry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
    Recorder *r = reinterpret_cast<Recorder *>(reinterpret_cast<char *>(obs) -
                                               offsetof(Recorder, observer));
    Entry out{e->type, e->phase, e->source.id, {}};
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      out.params[p.key] = p.kind == CN_NETLOG_PARAM_STR ? std::string(p.s ? p.s : "(null)")
                                                         : std::to_string(p.i);
    }
    r->entries.push_back(out);
  }
  std::vector<Entry> Find(cn_netlog_event_type type, cn_netlog_phase phase) const {
    std::vector<Entry> v;
    for (const Entry &e : entries) {
      if (e.type == type && e.phase == phase)
        v.push_back(e);
    }
    return v;
  }
  cn_netlog_observer observer{};
  std::vector<Entry> entries;
};

class HostResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(0, uv_loop_init(&loop_));
    cn_netlog_init(&netlog_);
    recorder_.observer.on_entry = Recorder::OnEntry;
    cn_netlog_add_observer(&netlog_, &recorder_.observer);
    cn_host_resolver_options_init(&opts_);
    opts_.proc = &proc_.vtable;
    opts_.proc_ctx = &proc_;
    opts_.now_ms = ManualClock::Now;
    opts_.clock_ctx = &clock_;
  }
  void TearDown() override {
    cn_host_resolver_destroy(resolver_);
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(0, uv_loop_close(&loop_));
    cn_netlog_destroy(&netlog_);
  }
  void Create() { resolver_ = cn_host_resolver_new(&loop_, &opts_); }

  int Resolve(const char *host, uint16_t port, Result *res) {
    source_ = cn_netlog_new_source(&netlog_, CN_NETLOG_SOURCE_CONNECT_JOB);
    return cn_host_resolver_resolve(resolver_, host, port, &netlog_, source_, &res->req,
                                    &res->addrs, Result::OnDone, res);
  }

  uv_loop_t loop_;
  cn_netlog netlog_;
  Recorder recorder_;
  FakeProc proc_;
  ManualClock clock_;
  cn_host_resolver_options opts_;
  cn_host_resolver *resolver_ = nullptr;
  cn_netlog_source source_{};
};

TEST_F(HostResolverTest, IpLiteralsResolveSynchronously) {
  Create();
  struct {
    const char *host;
    uint16_t port;
    const char *expected;
  } cases[] = {
      {"127.0.0.1", 80, "[127.0.0.1:80]"},
      {"10.1.2.3", 65535, "[10.1.2.3:65535]"},
      {"::1", 443, "[[::1]:443]"},
      {"[::1]", 443, "[[::1]:443]"},
      {"[0:0:0::1]", 8443, "[[::1]:8443]"},
      {"2001:DB8::5", 1, "[[2001:db8::5]:1]"},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.host);
    Result res;
    ASSERT_EQ(CN_OK, Resolve(c.host, c.port, &res));
    EXPECT_EQ(nullptr, res.req);
    EXPECT_EQ(c.expected, res.Addrs());
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(proc_.lookups.empty());
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));  // literals are not cached
}

TEST_F(HostResolverTest, LocalhostIsLoopbackWithoutLookup) {
  Create();
  for (const char *host : {"localhost", "LocalHost", "foo.localhost", "a.b.localhost"}) {
    SCOPED_TRACE(host);
    Result res;
    ASSERT_EQ(CN_OK, Resolve(host, 8080, &res));
    EXPECT_EQ("[127.0.0.1:8080, [::1]:8080]", res.Addrs());
  }
  // Not localhost.
  Result res;
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("notlocalhost", 80, &res));
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("localhost.test", 80, &res));
  ASSERT_EQ(2u, proc_.lookups.size());
  EXPECT_EQ("notlocalhost", proc_.lookups[0]->host);
}

TEST_F(HostResolverTest, InvalidHostsFailSynchronously) {
  Create();
  for (const char *host : {"", "a b", "a/b", "[::1", "[example.com]", "x:y", "h\x01", "\xc3\xa9"}) {
    SCOPED_TRACE(host);
    Result res;
    EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, Resolve(host, 80, &res));
    EXPECT_EQ(nullptr, res.req);
  }
  Result res;
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED,
            cn_host_resolver_resolve(resolver_, nullptr, 80, nullptr, source_, &res.req,
                                     &res.addrs, Result::OnDone, &res));
  EXPECT_TRUE(proc_.lookups.empty());
  // Each failure is still logged (the NULL-netlog call logs nothing).
  EXPECT_EQ(8u, recorder_.Find(CN_NETLOG_HOST_RESOLVER_REQUEST, CN_NETLOG_PHASE_END).size());
}

TEST_F(HostResolverTest, HostRulesApplyFirst) {
  Create();
  cn_host_rules *rules = cn_host_resolver_rules(resolver_);
  ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(rules, "origin.test:443:127.0.0.1", nullptr, 0));
  ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(rules, "origin.test:*:127.0.0.2", nullptr, 0));
  ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(rules, "10.9.9.9:*:[::1]", nullptr, 0));
  ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(rules, "localhost:*:127.0.0.3", nullptr, 0));

  Result a, b, c, d;
  ASSERT_EQ(CN_OK, Resolve("Origin.TEST", 443, &a));
  EXPECT_EQ("[127.0.0.1:443]", a.Addrs());  // port-specific beats any-port
  uint32_t a_source = source_.id;
  ASSERT_EQ(CN_OK, Resolve("origin.test", 80, &b));
  EXPECT_EQ("[127.0.0.2:80]", b.Addrs());
  ASSERT_EQ(CN_OK, Resolve("10.9.9.9", 80, &c));  // rules beat literals
  EXPECT_EQ("[[::1]:80]", c.Addrs());
  ASSERT_EQ(CN_OK, Resolve("localhost", 80, &d));  // ... and localhost
  EXPECT_EQ("[127.0.0.3:80]", d.Addrs());
  EXPECT_TRUE(proc_.lookups.empty());

  auto applied = recorder_.Find(CN_NETLOG_HOST_RESOLVER_RULE_APPLIED, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(4u, applied.size());
  EXPECT_EQ(a_source, applied[0].source_id);
  EXPECT_EQ("origin.test", applied[0].params["host"]);
  EXPECT_EQ("443", applied[0].params["port"]);
  EXPECT_EQ("[127.0.0.1:443]", applied[0].params["addresses"]);
  EXPECT_EQ("0", applied[1].params["rule_port"]);

  // Rules beat the cache too, and are live: removing one falls through.
  ASSERT_TRUE(cn_host_rules_remove(rules, "origin.test", CN_HOST_RULE_ANY_PORT));
  Result e;
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("origin.test", 80, &e));
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  EXPECT_EQ(1, e.calls);
  ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(rules, "origin.test:80:127.0.0.9", nullptr, 0));
  Result f;
  ASSERT_EQ(CN_OK, Resolve("origin.test", 80, &f));
  EXPECT_EQ("[127.0.0.9:80]", f.Addrs());
  // A --connect-to rule answers with its own port.
  ASSERT_EQ(CN_OK,
            cn_host_rules_parse_connect_to(rules, "moved.test:443:127.0.0.4:9443", nullptr, 0));
  Result g;
  ASSERT_EQ(CN_OK, Resolve("moved.test", 443, &g));
  EXPECT_EQ("[127.0.0.4:9443]", g.Addrs());
}

TEST_F(HostResolverTest, AsyncResolveThenCacheHit) {
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &a));
  uint32_t a_source = source_.id;
  ASSERT_NE(nullptr, a.req);
  EXPECT_EQ(0, a.calls);  // never from inside resolve
  ASSERT_EQ(1u, proc_.lookups.size());
  EXPECT_EQ("a.test", proc_.lookups[0]->host);
  EXPECT_EQ(AF_UNSPEC, proc_.lookups[0]->family);
  EXPECT_EQ(1u, cn_host_resolver_job_count(resolver_));

  // The backend's order is kept.
  proc_.Complete(0, CN_OK, {"10.0.0.2", "::2", "10.0.0.1"});
  EXPECT_EQ(1, a.calls);
  EXPECT_EQ(CN_OK, a.rv);
  EXPECT_EQ("[10.0.0.2:80, [::2]:80, 10.0.0.1:80]", a.Addrs());
  EXPECT_EQ(0u, cn_host_resolver_job_count(resolver_));
  EXPECT_EQ(1u, cn_host_resolver_cache_size(resolver_));

  // Second resolve: synchronous, any port, any case.
  Result b;
  ASSERT_EQ(CN_OK, Resolve("A.Test", 443, &b));
  EXPECT_EQ(nullptr, b.req);
  EXPECT_EQ("[10.0.0.2:443, [::2]:443, 10.0.0.1:443]", b.Addrs());
  EXPECT_EQ(1u, proc_.lookups.size());

  auto hits = recorder_.Find(CN_NETLOG_HOST_RESOLVER_CACHE_HIT, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(1u, hits.size());
  EXPECT_EQ(source_.id, hits[0].source_id);
  EXPECT_EQ("a.test", hits[0].params["host"]);
  EXPECT_EQ("[10.0.0.2:443, [::2]:443, 10.0.0.1:443]", hits[0].params["addresses"]);

  // The request-level events: BEGIN host/port ... END addresses.
  auto begins = recorder_.Find(CN_NETLOG_HOST_RESOLVER_REQUEST, CN_NETLOG_PHASE_BEGIN);
  auto ends = recorder_.Find(CN_NETLOG_HOST_RESOLVER_REQUEST, CN_NETLOG_PHASE_END);
  ASSERT_EQ(2u, begins.size());
  ASSERT_EQ(2u, ends.size());
  EXPECT_EQ(a_source, begins[0].source_id);
  EXPECT_EQ("a.test", begins[0].params["host"]);
  EXPECT_EQ("80", begins[0].params["port"]);
  EXPECT_EQ(a_source, ends[0].source_id);
  EXPECT_EQ("[10.0.0.2:80, [::2]:80, 10.0.0.1:80]", ends[0].params["addresses"]);
  EXPECT_EQ(0u, ends[0].params.count("net_error"));

  // The job: its own source, BEGIN host/port, END addresses.
  auto job_begin = recorder_.Find(CN_NETLOG_HOST_RESOLVER_JOB, CN_NETLOG_PHASE_BEGIN);
  auto job_end = recorder_.Find(CN_NETLOG_HOST_RESOLVER_JOB, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, job_begin.size());
  ASSERT_EQ(1u, job_end.size());
  EXPECT_NE(a_source, job_begin[0].source_id);
  EXPECT_EQ(job_begin[0].source_id, job_end[0].source_id);
  EXPECT_EQ("a.test", job_begin[0].params["host"]);
  EXPECT_EQ("80", job_begin[0].params["port"]);
  EXPECT_EQ(std::to_string(a_source), job_begin[0].params["source_dependency"]);
  EXPECT_EQ("[10.0.0.2:80, [::2]:80, 10.0.0.1:80]", job_end[0].params["addresses"]);

  // clear_cache forgets it.
  cn_host_resolver_clear_cache(resolver_);
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));
  Result c;
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &c));
  EXPECT_EQ(2u, proc_.lookups.size());
}

TEST_F(HostResolverTest, CacheEntriesExpireAfterTtl) {
  opts_.cache_ttl_ms = 1000;
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &a));
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  clock_.now += 999;
  Result b;
  EXPECT_EQ(CN_OK, Resolve("a.test", 80, &b));
  clock_.now += 1;
  Result c;
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &c));
  ASSERT_EQ(2u, proc_.lookups.size());
  proc_.Complete(1, CN_OK, {"10.0.0.7"});
  EXPECT_EQ("[10.0.0.7:80]", c.Addrs());
  Result d;
  EXPECT_EQ(CN_OK, Resolve("a.test", 80, &d));
  EXPECT_EQ("[10.0.0.7:80]", d.Addrs());
}

TEST_F(HostResolverTest, DefaultTtlIsSixtySecondsOnTheLoopClock) {
  opts_.now_ms = nullptr;  // the real loop clock
  Create();
  cn_host_resolver_options defaults;
  cn_host_resolver_options_init(&defaults);
  EXPECT_EQ(60000u, defaults.cache_ttl_ms);
  EXPECT_EQ(0u, defaults.negative_ttl_ms);
  EXPECT_TRUE(defaults.resolve_localhost_locally);
  EXPECT_EQ(nullptr, defaults.proc);
  Result a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &a));
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  EXPECT_EQ(CN_OK, Resolve("a.test", 80, &b));
}

TEST_F(HostResolverTest, FailuresAreNotCachedByDefault) {
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("nx.invalid", 80, &a));
  proc_.Complete(0, CN_ERR_NAME_NOT_RESOLVED);
  EXPECT_EQ(1, a.calls);
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, a.rv);
  EXPECT_EQ(0u, a.addrs.count);
  auto job_end = recorder_.Find(CN_NETLOG_HOST_RESOLVER_JOB, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, job_end.size());
  EXPECT_EQ(std::to_string(CN_ERR_NAME_NOT_RESOLVED), job_end[0].params["net_error"]);
  auto req_end = recorder_.Find(CN_NETLOG_HOST_RESOLVER_REQUEST, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, req_end.size());
  EXPECT_EQ(std::to_string(CN_ERR_NAME_NOT_RESOLVED), req_end[0].params["net_error"]);

  Result b;
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("nx.invalid", 80, &b));
  EXPECT_EQ(2u, proc_.lookups.size());
}

TEST_F(HostResolverTest, NegativeCachingWhenConfigured) {
  opts_.negative_ttl_ms = 500;
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("nx.invalid", 80, &a));
  proc_.Complete(0, CN_ERR_NAME_NOT_RESOLVED);
  Result b;
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, Resolve("nx.invalid", 80, &b));
  EXPECT_EQ(nullptr, b.req);
  auto hits = recorder_.Find(CN_NETLOG_HOST_RESOLVER_CACHE_HIT, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(1u, hits.size());
  EXPECT_EQ(std::to_string(CN_ERR_NAME_NOT_RESOLVED), hits[0].params["net_error"]);
  // Other errors (not an answer about the name) are never cached.
  Result c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("flaky.test", 80, &c));
  proc_.Complete(1, CN_ERR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(CN_ERR_INSUFFICIENT_RESOURCES, c.rv);
  Result d;
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("flaky.test", 80, &d));
  clock_.now += 500;
  Result e;
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("nx.invalid", 80, &e));
}

TEST_F(HostResolverTest, CachingCanBeDisabledAndIsBounded) {
  opts_.cache_ttl_ms = 0;
  Create();
  Result a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &a));
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &b));
  proc_.Complete(1, CN_OK, {"10.0.0.1"});
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));
  cn_host_resolver_destroy(resolver_);

  opts_.cache_ttl_ms = 60000;
  opts_.cache_max_entries = 2;
  proc_.lookups.clear();
  Create();
  const char *hosts[] = {"a.test", "b.test", "c.test"};
  for (size_t i = 0; i < 3; i++) {
    Result r;
    clock_.now++;
    ASSERT_EQ(CN_ERR_IO_PENDING, Resolve(hosts[i], 80, &r));
    proc_.Complete(i, CN_OK, {"10.0.0.1"});
  }
  EXPECT_EQ(2u, cn_host_resolver_cache_size(resolver_));
  Result c, a2;
  EXPECT_EQ(CN_OK, Resolve("c.test", 80, &c));
  EXPECT_EQ(CN_ERR_IO_PENDING, Resolve("a.test", 80, &a2));  // the oldest was evicted
}

TEST_F(HostResolverTest, ConcurrentRequestsShareOneJob) {
  Create();
  Result a, b, other;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("shared.test", 80, &a));
  uint32_t a_source = source_.id;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("SHARED.test", 443, &b));
  uint32_t b_source = source_.id;
  EXPECT_EQ(1u, proc_.lookups.size());
  EXPECT_EQ(1u, cn_host_resolver_job_count(resolver_));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("other.test", 80, &other));
  EXPECT_EQ(2u, proc_.lookups.size());
  EXPECT_EQ(2u, cn_host_resolver_job_count(resolver_));

  // Both requests attach to the same job source.
  auto attach = recorder_.Find(CN_NETLOG_HOST_RESOLVER_JOB_ATTACH, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(3u, attach.size());
  EXPECT_EQ(a_source, attach[0].source_id);
  EXPECT_EQ(b_source, attach[1].source_id);
  EXPECT_EQ(attach[0].params["source_dependency"], attach[1].params["source_dependency"]);
  EXPECT_NE(attach[0].params["source_dependency"], attach[2].params["source_dependency"]);
  EXPECT_EQ(2u, recorder_.Find(CN_NETLOG_HOST_RESOLVER_JOB, CN_NETLOG_PHASE_BEGIN).size());

  // Callbacks run in request order, each with its own port.
  std::vector<char> order;
  a.on_done = [&](Result *) { order.push_back('a'); };
  b.on_done = [&](Result *) { order.push_back('b'); };
  proc_.Complete(0, CN_OK, {"10.0.0.1", "::1"});
  EXPECT_EQ((std::vector<char>{'a', 'b'}), order);
  EXPECT_EQ("[10.0.0.1:80, [::1]:80]", a.Addrs());
  EXPECT_EQ("[10.0.0.1:443, [::1]:443]", b.Addrs());
  EXPECT_EQ(0, other.calls);
  proc_.Complete(1, CN_ERR_NAME_NOT_RESOLVED);
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, other.rv);
}

TEST_F(HostResolverTest, CancelOneOfTwoKeepsTheJob) {
  Create();
  Result a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 81, &b));
  cn_host_resolve_request_cancel(a.req);
  EXPECT_FALSE(proc_.lookups[0]->abandoned);
  EXPECT_EQ(1u, cn_host_resolver_job_count(resolver_));
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(0, a.calls);
  EXPECT_EQ(0u, a.addrs.count);
  EXPECT_EQ(1, b.calls);
  EXPECT_EQ("[10.0.0.1:81]", b.Addrs());
  // The cancelled request's END says so.
  auto ends = recorder_.Find(CN_NETLOG_HOST_RESOLVER_REQUEST, CN_NETLOG_PHASE_END);
  ASSERT_EQ(2u, ends.size());
  EXPECT_EQ(std::to_string(CN_ERR_ABORTED), ends[0].params["net_error"]);
}

TEST_F(HostResolverTest, CancellingTheLastRequestAbandonsTheLookup) {
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 80, &a));
  cn_host_resolve_request_cancel(a.req);
  ASSERT_EQ(1u, proc_.lookups.size());
  EXPECT_TRUE(proc_.lookups[0]->abandoned);
  EXPECT_EQ(0u, cn_host_resolver_job_count(resolver_));
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(0, a.calls);
  auto job_end = recorder_.Find(CN_NETLOG_HOST_RESOLVER_JOB, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, job_end.size());
  EXPECT_EQ(std::to_string(CN_ERR_ABORTED), job_end[0].params["net_error"]);
  // A later resolve starts afresh.
  Result b;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 80, &b));
  ASSERT_EQ(2u, proc_.lookups.size());
  proc_.Complete(1, CN_OK, {"10.0.0.1"});
  EXPECT_EQ(1, b.calls);
  EXPECT_EQ(0, a.calls);
}

TEST_F(HostResolverTest, CallbackMayCancelASiblingOrResolveAgain) {
  Create();
  Result a, b, c, again;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 81, &b));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 82, &c));
  int again_rv = 1;
  a.on_done = [&](Result *) {
    cn_host_resolve_request_cancel(b.req);
    // The answer is already cached when callbacks run.
    again_rv = Resolve("h.test", 90, &again);
  };
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  EXPECT_EQ(1, a.calls);
  EXPECT_EQ(0, b.calls);
  EXPECT_EQ(1, c.calls);
  EXPECT_EQ(CN_OK, again_rv);
  EXPECT_EQ("[10.0.0.1:90]", again.Addrs());
  EXPECT_EQ(1u, proc_.lookups.size());
}

TEST_F(HostResolverTest, DestroyFromCallbackStopsFurtherCallbacks) {
  Create();
  Result a, b, other;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 81, &b));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("other.test", 80, &other));
  a.on_done = [&](Result *) {
    cn_host_resolver_destroy(resolver_);
    resolver_ = nullptr;
  };
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  EXPECT_EQ(1, a.calls);
  EXPECT_EQ(0, b.calls);
  EXPECT_TRUE(proc_.lookups[1]->abandoned);  // the other job's lookup
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(0, other.calls);
}

TEST_F(HostResolverTest, DestroyWithPendingRequests) {
  Create();
  Result a, b, c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 81, &b));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("i.test", 80, &c));
  cn_host_resolver_destroy(resolver_);
  resolver_ = nullptr;
  ASSERT_EQ(2u, proc_.lookups.size());
  EXPECT_TRUE(proc_.lookups[0]->abandoned);
  EXPECT_TRUE(proc_.lookups[1]->abandoned);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(0, a.calls + b.calls + c.calls);
}

TEST_F(HostResolverTest, BackendStartErrorIsSynchronous) {
  proc_.start_error = CN_ERR_INSUFFICIENT_RESOURCES;
  Create();
  Result a;
  EXPECT_EQ(CN_ERR_INSUFFICIENT_RESOURCES, Resolve("h.test", 80, &a));
  EXPECT_EQ(nullptr, a.req);
  EXPECT_EQ(0u, cn_host_resolver_job_count(resolver_));
  auto job_end = recorder_.Find(CN_NETLOG_HOST_RESOLVER_JOB, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, job_end.size());
  EXPECT_EQ(std::to_string(CN_ERR_INSUFFICIENT_RESOURCES), job_end[0].params["net_error"]);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(0, a.calls);
}

TEST_F(HostResolverTest, EmptySuccessIsNameNotResolved) {
  Create();
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("h.test", 80, &a));
  proc_.Complete(0, CN_OK, {});
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, a.rv);
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));
}

TEST_F(HostResolverTest, NullNetLogIsFine) {
  Create();
  Result a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_host_resolver_resolve(resolver_, "h.test", 80, nullptr, source_, &a.req, &a.addrs,
                                     Result::OnDone, &a));
  proc_.Complete(0, CN_OK, {"10.0.0.1"});
  EXPECT_EQ("[10.0.0.1:80]", a.Addrs());
  ASSERT_EQ(CN_OK, cn_host_resolver_resolve(resolver_, "h.test", 80, nullptr, source_, &b.req,
                                            &b.addrs, Result::OnDone, &b));
}

// The real backend (uv_getaddrinfo), with names that resolve from
// /etc/hosts or fail locally: no DNS traffic is needed.
class HostResolverSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(0, uv_loop_init(&loop_));
    cn_host_resolver_options_init(&opts_);
    // Reach getaddrinfo with "localhost" (answered from /etc/hosts by
    // getaddrinfo, not by the resolver's own hosts file step).
    opts_.resolve_localhost_locally = false;
    opts_.use_system_resolver = true;
    opts_.hosts_file = "";
    resolver_ = cn_host_resolver_new(&loop_, &opts_);
  }
  void TearDown() override {
    cn_host_resolver_destroy(resolver_);
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(0, uv_loop_close(&loop_));
  }
  int Resolve(const char *host, uint16_t port, Result *res) {
    cn_netlog_source none{};
    return cn_host_resolver_resolve(resolver_, host, port, nullptr, none, &res->req, &res->addrs,
                                    Result::OnDone, res);
  }

  uv_loop_t loop_;
  cn_host_resolver_options opts_;
  cn_host_resolver *resolver_ = nullptr;
};

TEST_F(HostResolverSystemTest, ResolvesLocalhostThroughGetaddrinfo) {
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("localhost", 8080, &a));
  EXPECT_EQ(0, a.calls);
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_EQ(1, a.calls);
  ASSERT_EQ(CN_OK, a.rv);
  EXPECT_NE(std::string::npos, a.Addrs().find("127.0.0.1:8080")) << a.Addrs();
  // Cached now.
  Result b;
  EXPECT_EQ(CN_OK, Resolve("localhost", 80, &b));
}

TEST_F(HostResolverSystemTest, InvalidTldFailsWithNameNotResolved) {
  // RFC 6761 .invalid never resolves. Bound glibc's DNS wait in case the
  // sandbox's resolver is slow to say so (no-op if the variable is set).
  setenv("RES_OPTIONS", "timeout:1 attempts:1", 0);
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("cnet-test-nxdomain.invalid", 80, &a));
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_EQ(1, a.calls);
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, a.rv);
  EXPECT_EQ(0u, a.addrs.count);
}

TEST_F(HostResolverSystemTest, CancelWhileGetaddrinfoRuns) {
  Result a;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("localhost", 80, &a));
  cn_host_resolve_request_cancel(a.req);
  EXPECT_EQ(0u, cn_host_resolver_job_count(resolver_));
  uv_run(&loop_, UV_RUN_DEFAULT);  // the abandoned lookup finishes and is freed
  EXPECT_EQ(0, a.calls);
  EXPECT_EQ(0u, cn_host_resolver_cache_size(resolver_));
}

TEST_F(HostResolverSystemTest, DestroyWhileGetaddrinfoRuns) {
  Result a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("localhost", 80, &a));
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("cnet-test-nxdomain.invalid", 80, &b));
  cn_host_resolver_destroy(resolver_);
  resolver_ = nullptr;
  uv_run(&loop_, UV_RUN_DEFAULT);  // must not touch the freed resolver (ASan)
  EXPECT_EQ(0, a.calls);
  EXPECT_EQ(0, b.calls);
}

}  // namespace
