#include "net/proxy_resolution/proxy_service.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "net/base/net_errors.h"
#include "net/base/netlog.h"

namespace {

constexpr uint64_t kFiveMinutesMs = 5 * 60 * 1000;

std::string Take(char *s) {
  std::string r = s ? s : "<null>";
  free(s);
  return r;
}

// One logged event with its parameters rendered as strings.
struct Event {
  cn_netlog_event_type type;
  cn_netlog_phase phase;
  uint32_t source_id;
  std::map<std::string, std::string> params;
};

struct Recorder {
  cn_netlog_observer obs;  // first, so the observer pointer is the recorder's
  std::vector<Event> events;

  static void OnEntry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
    Recorder *self = reinterpret_cast<Recorder *>(obs);
    Event ev{e->type, e->phase, e->source.id, {}};
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      switch (p.kind) {
        case CN_NETLOG_PARAM_STR:
          ev.params[p.key] = p.s;
          break;
        case CN_NETLOG_PARAM_BOOL:
          ev.params[p.key] = p.i ? "true" : "false";
          break;
        default:
          ev.params[p.key] = std::to_string(p.i);
          break;
      }
    }
    self->events.push_back(ev);
  }

  std::vector<Event> OfType(cn_netlog_event_type type) const {
    std::vector<Event> out;
    for (const Event &e : events) {
      if (e.type == type)
        out.push_back(e);
    }
    return out;
  }
};

struct FakeClock {
  uint64_t now = 1000000;
  static uint64_t Now(void *arg) { return static_cast<FakeClock *>(arg)->now; }
};

// A resolver that answers only when the test says so, to exercise the
// service's asynchronous path.
struct MockResolver {
  cn_proxy_resolver base;  // first: the service sees &base
  struct Pending {
    cn_proxy_list *out = nullptr;
    bool *bypassed = nullptr;
    cn_completion_cb cb = nullptr;
    void *arg = nullptr;
  } pending;
  bool has_pending = false;
  int resolves = 0;
  int cancels = 0;
  bool *destroyed = nullptr;

  static int Resolve(cn_proxy_resolver *self, const cn_url *url, cn_proxy_list *out,
                     bool *bypassed, cn_completion_cb cb, void *arg,
                     cn_proxy_resolver_request **req) {
    MockResolver *m = reinterpret_cast<MockResolver *>(self);
    EXPECT_FALSE(m->has_pending);
    m->resolves++;
    m->pending = {out, bypassed, cb, arg};
    m->has_pending = true;
    *req = reinterpret_cast<cn_proxy_resolver_request *>(&m->pending);
    return CN_ERR_IO_PENDING;
  }
  static void Cancel(cn_proxy_resolver *self, cn_proxy_resolver_request *req) {
    MockResolver *m = reinterpret_cast<MockResolver *>(self);
    EXPECT_EQ(reinterpret_cast<cn_proxy_resolver_request *>(&m->pending), req);
    m->cancels++;
    m->has_pending = false;
  }
  static void Destroy(cn_proxy_resolver *self) {
    MockResolver *m = reinterpret_cast<MockResolver *>(self);
    EXPECT_FALSE(m->has_pending) << "destroyed with a request pending";
    if (m->destroyed)
      *m->destroyed = true;
    delete m;
  }
  static constexpr cn_proxy_resolver_ops kOps = {Resolve, Cancel, Destroy};

  MockResolver() { base.ops = &kOps; }

  // Completes the pending request with |list_text| (CN_OK) or |error|.
  void Complete(const char *list_text, int error = CN_OK, bool bypassed = false) {
    ASSERT_TRUE(has_pending);
    has_pending = false;
    if (error == CN_OK && list_text) {
      cn_proxy_list l;
      ASSERT_EQ(CN_OK, cn_proxy_list_parse(list_text, strlen(list_text), &l));
      cn_proxy_list_copy(pending.out, &l);
      cn_proxy_list_free(&l);
      *pending.bypassed = bypassed;
    }
    pending.cb(pending.arg, error);
  }
};

struct Completion {
  int calls = 0;
  int result = 1;
  static void Cb(void *arg, int rv) {
    auto *c = static_cast<Completion *>(arg);
    c->calls++;
    c->result = rv;
  }
};

class ProxyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_netlog_init(&netlog_);
    recorder_.obs.on_entry = &Recorder::OnEntry;
    cn_netlog_add_observer(&netlog_, &recorder_.obs);
    source_ = cn_netlog_new_source(&netlog_, CN_NETLOG_SOURCE_REQUEST);
    cn_proxy_info_init(&info_);
    ASSERT_EQ(CN_OK, cn_url_parse("https://origin.test/path?q=1", &url_));
  }
  void TearDown() override {
    cn_proxy_service_free(svc_);
    cn_proxy_info_free(&info_);
    cn_url_free(&url_);
    cn_netlog_destroy(&netlog_);
  }

  cn_proxy_service_options Options() {
    cn_proxy_service_options o{};
    o.now_ms = &FakeClock::Now;
    o.clock_arg = &clock_;
    o.netlog = &netlog_;
    return o;
  }

  void MakeService(const char *rules, const char *bypass = nullptr, uint64_t retry_ms = 0) {
    cn_proxy_config cfg;
    cn_proxy_config_init(&cfg);
    ASSERT_EQ(CN_OK, cn_proxy_config_set_rules(&cfg, rules, nullptr, 0));
    if (bypass) {
      ASSERT_EQ(CN_OK, cn_proxy_config_add_bypass(&cfg, bypass, nullptr, 0));
    }
    cn_proxy_service_options o = Options();
    o.retry_ms = retry_ms;
    svc_ = cn_proxy_service_new_fixed(&cfg, &o);
    cn_proxy_config_free(&cfg);  // the service has its own copy
  }

  // Resolves url_ synchronously (fixed config) into info_.
  int Resolve() {
    Completion c;
    int rv = cn_proxy_service_resolve(svc_, &url_, source_, &info_, &Completion::Cb, &c, nullptr);
    EXPECT_NE(CN_ERR_IO_PENDING, rv);
    EXPECT_EQ(0, c.calls);
    return rv;
  }

  std::string List() { return Take(cn_proxy_list_to_string(&info_.list)); }
  std::string Current() {
    const cn_proxy_chain *c = cn_proxy_info_chain(&info_);
    return c ? Take(cn_proxy_chain_key(c)) : "<none>";
  }
  const cn_proxy_retry_info *BadInfo(const char *chain_text) {
    cn_proxy_chain chain;
    EXPECT_EQ(CN_OK, cn_proxy_chain_parse(chain_text, strlen(chain_text), &chain));
    const cn_proxy_retry_info *r = cn_proxy_service_bad_info(svc_, &chain);
    cn_proxy_chain_free(&chain);
    return r;
  }

  cn_netlog netlog_;
  Recorder recorder_;
  cn_netlog_source source_;
  FakeClock clock_;
  cn_proxy_service *svc_ = nullptr;
  cn_proxy_info info_;
  cn_url url_;
};

TEST_F(ProxyServiceTest, ResolvesSynchronouslyAndLogs) {
  MakeService("https://p1:443,https://p2:443,direct://");
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p1:443,https://p2:443,direct", List());
  EXPECT_EQ("https://p1:443", Current());
  EXPECT_FALSE(info_.bypassed);

  auto events = recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION);
  ASSERT_EQ(2u, events.size());
  EXPECT_EQ(CN_NETLOG_PHASE_BEGIN, events[0].phase);
  EXPECT_EQ(source_.id, events[0].source_id);
  EXPECT_EQ("https://origin.test/path?q=1", events[0].params["url"]);
  EXPECT_EQ(CN_NETLOG_PHASE_END, events[1].phase);
  EXPECT_EQ("https://p1:443,https://p2:443,direct", events[1].params["proxy_list"]);
  EXPECT_EQ("false", events[1].params["bypassed"]);
  EXPECT_EQ("0", events[1].params["deprioritized"]);
  EXPECT_EQ(0u, events[1].params.count("net_error"));
}

TEST_F(ProxyServiceTest, BypassedUrlIsDirectAndSaysSo) {
  MakeService("https://p1:443", "*.test");
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("direct", List());
  EXPECT_TRUE(info_.bypassed);
  EXPECT_TRUE(cn_proxy_info_is_direct(&info_));
  auto events = recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION);
  ASSERT_EQ(2u, events.size());
  EXPECT_EQ("true", events[1].params["bypassed"]);
}

TEST_F(ProxyServiceTest, FailedProxyIsMarkedBadOnlyWhenALaterChainSucceeds) {
  MakeService("https://p1:443,https://p2:443,direct://");
  ASSERT_EQ(CN_OK, Resolve());
  ASSERT_EQ(CN_OK, cn_proxy_info_fallback(&info_, CN_ERR_CONNECTION_REFUSED));
  EXPECT_EQ("https://p2:443", Current());
  // Recorded, not yet marked.
  EXPECT_EQ(nullptr, BadInfo("https://p1:443"));
  auto fallbacks = recorder_.OfType(CN_NETLOG_PROXY_FALLBACK);
  ASSERT_EQ(1u, fallbacks.size());
  EXPECT_EQ("https://p1:443", fallbacks[0].params["chain"]);
  EXPECT_EQ(std::to_string(CN_ERR_CONNECTION_REFUSED), fallbacks[0].params["net_error"]);
  EXPECT_EQ("https://p2:443", fallbacks[0].params["next"]);
  EXPECT_EQ(source_.id, fallbacks[0].source_id);

  // p2 worked: p1 becomes bad, with its reason, for 5 minutes.
  cn_proxy_service_report_success(svc_, &info_);
  const cn_proxy_retry_info *bad = BadInfo("https://p1:443");
  ASSERT_NE(nullptr, bad);
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, bad->net_error);
  EXPECT_EQ(kFiveMinutesMs, bad->retry_ms);
  EXPECT_EQ(clock_.now + kFiveMinutesMs, bad->bad_until_ms);
  EXPECT_EQ(nullptr, BadInfo("https://p2:443"));
  auto marked = recorder_.OfType(CN_NETLOG_PROXY_MARKED_BAD);
  ASSERT_EQ(1u, marked.size());
  EXPECT_EQ("https://p1:443", marked[0].params["chain"]);
  EXPECT_EQ(std::to_string(CN_ERR_CONNECTION_REFUSED), marked[0].params["net_error"]);
  EXPECT_EQ(std::to_string(kFiveMinutesMs), marked[0].params["retry_ms"]);
  EXPECT_EQ(source_.id, marked[0].source_id);

  // Reporting again changes nothing.
  cn_proxy_service_report_success(svc_, &info_);
  EXPECT_EQ(1u, recorder_.OfType(CN_NETLOG_PROXY_MARKED_BAD).size());

  // The next request tries p1 last, but still tries it.
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p2:443,direct,https://p1:443", List());
  EXPECT_EQ("https://p2:443", Current());
  auto res = recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION);
  ASSERT_EQ(4u, res.size());
  EXPECT_EQ("https://p2:443,direct,https://p1:443", res[3].params["proxy_list"]);
  EXPECT_EQ("1", res[3].params["deprioritized"]);
}

TEST_F(ProxyServiceTest, NothingIsMarkedWhenEveryChainFails) {
  MakeService("https://p1:443,https://p2:443");
  ASSERT_EQ(CN_OK, Resolve());
  ASSERT_EQ(CN_OK, cn_proxy_info_fallback(&info_, CN_ERR_CONNECTION_REFUSED));
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED,
            cn_proxy_info_fallback(&info_, CN_ERR_PROXY_CONNECTION_FAILED));
  EXPECT_EQ("<none>", Current());
  EXPECT_EQ(nullptr, BadInfo("https://p1:443"));
  EXPECT_EQ(nullptr, BadInfo("https://p2:443"));
  EXPECT_TRUE(recorder_.OfType(CN_NETLOG_PROXY_MARKED_BAD).empty());
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p1:443,https://p2:443", List());
}

TEST_F(ProxyServiceTest, ErrorWithoutFallbackMarksNothing) {
  MakeService("https://p1:443,direct");
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED,
            cn_proxy_info_fallback(&info_, CN_ERR_TUNNEL_CONNECTION_FAILED));
  EXPECT_EQ("https://p1:443", Current());
  cn_proxy_service_report_success(svc_, &info_);  // e.g. a retry on p1 worked
  EXPECT_EQ(nullptr, BadInfo("https://p1:443"));
  EXPECT_TRUE(recorder_.OfType(CN_NETLOG_PROXY_FALLBACK).empty());
}

TEST_F(ProxyServiceTest, SeveralFailuresAreAllMarked) {
  MakeService("https://p1:443,https://p2:443,https://p3:443");
  ASSERT_EQ(CN_OK, Resolve());
  ASSERT_EQ(CN_OK, cn_proxy_info_fallback(&info_, CN_ERR_CONNECTION_REFUSED));
  ASSERT_EQ(CN_OK, cn_proxy_info_fallback(&info_, CN_ERR_PROXY_CERTIFICATE_INVALID));
  cn_proxy_service_report_success(svc_, &info_);
  ASSERT_NE(nullptr, BadInfo("https://p1:443"));
  ASSERT_NE(nullptr, BadInfo("https://p2:443"));
  EXPECT_EQ(CN_ERR_PROXY_CERTIFICATE_INVALID, BadInfo("https://p2:443")->net_error);
  EXPECT_EQ(nullptr, BadInfo("https://p3:443"));
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p3:443,https://p1:443,https://p2:443", List());
  EXPECT_EQ("2", recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION).back().params["deprioritized"]);
}

TEST_F(ProxyServiceTest, BadMarkExpiresWithTheClock) {
  MakeService("https://p1:443,https://p2:443");
  ASSERT_EQ(CN_OK, Resolve());
  ASSERT_EQ(CN_OK, cn_proxy_info_fallback(&info_, CN_ERR_CONNECTION_TIMED_OUT));
  cn_proxy_service_report_success(svc_, &info_);

  clock_.now += kFiveMinutesMs - 1;
  ASSERT_NE(nullptr, BadInfo("https://p1:443"));
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p2:443,https://p1:443", List());

  clock_.now += 1;
  EXPECT_EQ(nullptr, BadInfo("https://p1:443"));
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p1:443,https://p2:443", List());
  EXPECT_EQ("0", recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION).back().params["deprioritized"]);
}

TEST_F(ProxyServiceTest, RetryDurationIsConfigurable) {
  MakeService("https://p1:443,https://p2:443", nullptr, 1000);
  ASSERT_EQ(CN_OK, Resolve());
  ASSERT_EQ(CN_OK, cn_proxy_info_fallback(&info_, CN_ERR_CONNECTION_RESET));
  cn_proxy_service_report_success(svc_, &info_);
  ASSERT_NE(nullptr, BadInfo("https://p1:443"));
  EXPECT_EQ(1000u, BadInfo("https://p1:443")->retry_ms);
  clock_.now += 1000;
  EXPECT_EQ(nullptr, BadInfo("https://p1:443"));
}

TEST_F(ProxyServiceTest, MarkBadDirectlyAndClear) {
  MakeService("https://p1:443,https://p2:443,direct");
  cn_proxy_chain p2, direct;
  ASSERT_EQ(CN_OK, cn_proxy_chain_parse("https://p2:443", 14, &p2));
  cn_proxy_chain_init_direct(&direct);
  cn_proxy_service_mark_bad(svc_, &p2, CN_ERR_SSL_PROTOCOL_ERROR, source_);
  cn_proxy_service_mark_bad(svc_, &direct, CN_ERR_CONNECTION_REFUSED, source_);  // ignored
  EXPECT_NE(nullptr, cn_proxy_service_bad_info(svc_, &p2));
  EXPECT_EQ(nullptr, cn_proxy_service_bad_info(svc_, &direct));
  EXPECT_EQ(1u, recorder_.OfType(CN_NETLOG_PROXY_MARKED_BAD).size());
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p1:443,direct,https://p2:443", List());

  cn_proxy_service_clear_bad(svc_);
  EXPECT_EQ(nullptr, cn_proxy_service_bad_info(svc_, &p2));
  ASSERT_EQ(CN_OK, Resolve());
  EXPECT_EQ("https://p1:443,https://p2:443,direct", List());
  cn_proxy_chain_free(&p2);
}

TEST_F(ProxyServiceTest, CredentialsReachTheInfoButNotTheLog) {
  MakeService("https://user:secret@p1:443");
  ASSERT_EQ(CN_OK, Resolve());
  const cn_proxy_chain *chain = cn_proxy_info_chain(&info_);
  ASSERT_NE(nullptr, chain);
  EXPECT_STREQ("secret", chain->servers[0].password);
  for (const Event &e : recorder_.events) {
    for (const auto &kv : e.params)
      EXPECT_EQ(std::string::npos, kv.second.find("secret")) << kv.first;
  }
}

TEST_F(ProxyServiceTest, WorksWithoutNetLogOrClock) {
  cn_proxy_config cfg;
  cn_proxy_config_init(&cfg);
  ASSERT_EQ(CN_OK, cn_proxy_config_set_rules(&cfg, "https://p1:443,direct", nullptr, 0));
  svc_ = cn_proxy_service_new_fixed(&cfg, nullptr);
  cn_proxy_config_free(&cfg);
  ASSERT_EQ(CN_OK, Resolve());
  ASSERT_EQ(CN_OK, cn_proxy_info_fallback(&info_, CN_ERR_CONNECTION_REFUSED));
  cn_proxy_service_report_success(svc_, &info_);
  // The real monotonic clock: five minutes have not passed.
  EXPECT_NE(nullptr, BadInfo("https://p1:443"));
  EXPECT_TRUE(recorder_.events.empty());
}

class ProxyServiceAsyncTest : public ProxyServiceTest {
 protected:
  void MakeAsyncService() {
    mock_ = new MockResolver();
    mock_->destroyed = &destroyed_;
    cn_proxy_service_options o = Options();
    svc_ = cn_proxy_service_new(&mock_->base, &o);
  }
  MockResolver *mock_ = nullptr;  // owned by svc_
  bool destroyed_ = false;
};

TEST_F(ProxyServiceAsyncTest, PendingThenCallbackOnce) {
  MakeAsyncService();
  Completion c;
  cn_proxy_service_request *req = nullptr;
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_proxy_service_resolve(svc_, &url_, source_, &info_, &Completion::Cb, &c, &req));
  EXPECT_NE(nullptr, req);
  EXPECT_EQ(0, c.calls);
  EXPECT_EQ(1u, recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION).size());  // BEGIN only

  // Bad-proxy handling applies to asynchronous answers too.
  cn_proxy_chain p1;
  ASSERT_EQ(CN_OK, cn_proxy_chain_parse("https://p1:443", 14, &p1));
  cn_proxy_service_mark_bad(svc_, &p1, CN_ERR_CONNECTION_REFUSED, source_);
  cn_proxy_chain_free(&p1);

  mock_->Complete("https://p1:443,https://p2:443");
  EXPECT_EQ(1, c.calls);
  EXPECT_EQ(CN_OK, c.result);
  EXPECT_EQ("https://p2:443,https://p1:443", List());
  auto events = recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION);
  ASSERT_EQ(2u, events.size());
  EXPECT_EQ(CN_NETLOG_PHASE_END, events[1].phase);
  EXPECT_EQ("https://p2:443,https://p1:443", events[1].params["proxy_list"]);
  EXPECT_EQ("1", events[1].params["deprioritized"]);
}

TEST_F(ProxyServiceAsyncTest, ResolverErrorReachesTheCaller) {
  MakeAsyncService();
  Completion c;
  cn_proxy_service_request *req = nullptr;
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_proxy_service_resolve(svc_, &url_, source_, &info_, &Completion::Cb, &c, &req));
  mock_->Complete(nullptr, CN_ERR_MANDATORY_PROXY_CONFIGURATION_FAILED);
  EXPECT_EQ(1, c.calls);
  EXPECT_EQ(CN_ERR_MANDATORY_PROXY_CONFIGURATION_FAILED, c.result);
  EXPECT_EQ(0u, info_.list.count);
  auto events = recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION);
  ASSERT_EQ(2u, events.size());
  EXPECT_EQ(std::to_string(CN_ERR_MANDATORY_PROXY_CONFIGURATION_FAILED),
            events[1].params["net_error"]);
}

TEST_F(ProxyServiceAsyncTest, EmptyAnswerIsAnError) {
  MakeAsyncService();
  Completion c;
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_proxy_service_resolve(svc_, &url_, source_, &info_, &Completion::Cb, &c, nullptr));
  mock_->Complete(nullptr, CN_OK);
  EXPECT_EQ(1, c.calls);
  EXPECT_EQ(CN_ERR_UNEXPECTED, c.result);
  EXPECT_EQ(nullptr, cn_proxy_info_chain(&info_));
}

TEST_F(ProxyServiceAsyncTest, CancelMeansNoCallback) {
  MakeAsyncService();
  Completion c;
  cn_proxy_service_request *req = nullptr;
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_proxy_service_resolve(svc_, &url_, source_, &info_, &Completion::Cb, &c, &req));
  cn_proxy_service_cancel(svc_, req);
  EXPECT_EQ(1, mock_->cancels);
  EXPECT_FALSE(mock_->has_pending);
  EXPECT_EQ(0, c.calls);
  auto events = recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION);
  ASSERT_EQ(2u, events.size());
  EXPECT_EQ(std::to_string(CN_ERR_ABORTED), events[1].params["net_error"]);

  // The service still works afterwards.
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_proxy_service_resolve(svc_, &url_, source_, &info_, &Completion::Cb, &c, &req));
  mock_->Complete("direct");
  EXPECT_EQ(1, c.calls);
  EXPECT_EQ("direct", List());
}

TEST_F(ProxyServiceAsyncTest, FreeCancelsPendingRequests) {
  MakeAsyncService();
  Completion c;
  cn_proxy_service_request *req = nullptr;
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_proxy_service_resolve(svc_, &url_, source_, &info_, &Completion::Cb, &c, &req));
  cn_proxy_service_free(svc_);
  svc_ = nullptr;
  EXPECT_TRUE(destroyed_);
  EXPECT_EQ(0, c.calls);
  auto events = recorder_.OfType(CN_NETLOG_PROXY_RESOLUTION);
  ASSERT_EQ(2u, events.size());
  EXPECT_EQ(std::to_string(CN_ERR_ABORTED), events[1].params["net_error"]);
}

}  // namespace
