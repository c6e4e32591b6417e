// The PAC resolver: the URL the script sees, the DNS re-run path (lookups
// answered later by a scripted backend), a script set later (a fetch), and
// Chromium's fallback rules for failing scripts.
#include "net/proxy_resolution/pac_resolver.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "net/base/net_errors.h"

namespace {

std::string ScriptUrl(const char *text) {
  cn_url url;
  EXPECT_EQ(CN_OK, cn_url_parse(text, &url)) << text;
  char *s = cn_pac_script_url(&url);
  std::string r = s;
  free(s);
  cn_url_free(&url);
  return r;
}

TEST(PacScriptUrlTest, HttpsIsStrippedToSchemeHostPort) {
  EXPECT_EQ("https://secret.test/", ScriptUrl("https://u:p@secret.test/a/b?token=1#f"));
  EXPECT_EQ("https://secret.test:8443/", ScriptUrl("https://secret.test:8443/path"));
  EXPECT_EQ("wss://[::1]:9/", ScriptUrl("wss://[::1]:9/chat?x"));
  // http keeps its path and query; credentials and fragment go.
  EXPECT_EQ("http://a.test/p?q=1", ScriptUrl("http://u:p@a.test:80/p?q=1#frag"));
  EXPECT_EQ("http://a.test:8080/", ScriptUrl("http://a.test:8080/"));
}

// Host lookups answered when the test says so, by name.
struct ScriptedDns {
  struct Pending {
    std::string host;
    cn_host_resolver_proc_done_cb done;
    void *done_arg;
    bool live;
  };
  static int Start(void *ctx, uv_loop_t *, const char *host, int, cn_host_resolver_proc_done_cb done,
                   void *done_arg, void **out) {
    auto *d = static_cast<ScriptedDns *>(ctx);
    d->pending.push_back(new Pending{host, done, done_arg, true});
    d->started.push_back(host);
    *out = d->pending.back();
    return CN_ERR_IO_PENDING;
  }
  static void Abandon(void *, void *lookup) { static_cast<Pending *>(lookup)->live = false; }
  // Answers every live lookup from |answers| (absent: NXDOMAIN).
  void AnswerAll() {
    std::vector<Pending *> now;
    now.swap(pending);
    for (Pending *p : now) {
      if (p->live) {
        cn_address_list list;
        cn_address_list_init(&list);
        auto it = answers.find(p->host);
        if (it != answers.end()) {
          for (const std::string &a : it->second) {
            cn_ip_endpoint ep;
            EXPECT_TRUE(cn_ip_endpoint_from_literal(a.c_str(), 0, &ep));
            cn_address_list_append(&list, &ep);
          }
        }
        p->done(p->done_arg, list.count ? CN_OK : CN_ERR_NAME_NOT_RESOLVED, &list);
        cn_address_list_free(&list);
      }
      delete p;
    }
  }
  ~ScriptedDns() {
    for (Pending *p : pending)
      delete p;
  }
  cn_host_resolver_proc vtable{Start, Abandon};
  std::vector<Pending *> pending;
  std::vector<std::string> started;
  std::map<std::string, std::vector<std::string>> answers;
};

class PacResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    cn_host_resolver_options ho;
    cn_host_resolver_options_init(&ho);
    ho.proc = &dns_.vtable;
    ho.proc_ctx = &dns_;
    host_resolver_ = cn_host_resolver_new(&loop_, &ho);
    cn_netlog_init(&netlog_);
    cn_list_init(&observer_.obs.link);
    observer_.obs.on_entry = OnEntry;
    observer_.test = this;
    cn_netlog_add_observer(&netlog_, &observer_.obs);
    cn_proxy_list_init(&list_);
  }
  void TearDown() override {
    if (req_)
      cn_proxy_resolver_cancel(resolver_, req_);
    cn_proxy_resolver_destroy(resolver_);
    cn_proxy_list_free(&list_);
    cn_host_resolver_destroy(host_resolver_);
    cn_netlog_destroy(&netlog_);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  struct Observer {
    cn_netlog_observer obs;
    PacResolverTest *test;
  };
  static void OnEntry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
    PacResolverTest *t = reinterpret_cast<Observer *>(obs)->test;
    std::string line = cn_netlog_event_name(e->type);
    const cn_netlog_param *m = cn_netlog_entry_param(e, "message");
    if (m && m->s)
      line += std::string(" ") + m->s;
    t->events_.push_back(line);
  }
  int Count(const std::string &prefix) {
    int n = 0;
    for (const std::string &e : events_)
      n += e.compare(0, prefix.size(), prefix) == 0;
    return n;
  }

  static void NeedScript(void *arg) { static_cast<PacResolverTest *>(arg)->need_script_++; }

  void Make(const char *script, bool mandatory = false) {
    cn_pac_resolver_options o = {};
    o.host_resolver = host_resolver_;
    o.netlog = &netlog_;
    o.mandatory = mandatory;
    o.max_dns_reruns = max_reruns_;
    o.on_need_script = NeedScript;
    o.need_script_arg = this;
    resolver_ = cn_pac_resolver_new(&o);
    if (script)
      cn_pac_resolver_set_script(resolver_, CN_OK, script, strlen(script), nullptr);
  }

  static void OnDone(void *arg, int rv) {
    auto *t = static_cast<PacResolverTest *>(arg);
    t->req_ = nullptr;
    t->done_rv_ = rv;
    t->done_count_++;
  }

  int Resolve(const char *text) {
    cn_url url;
    EXPECT_EQ(CN_OK, cn_url_parse(text, &url));
    cn_proxy_list_free(&list_);
    cn_proxy_list_init(&list_);
    bool bypassed = true;
    int rv = cn_proxy_resolver_resolve(resolver_, &url, &list_, &bypassed, OnDone, this, &req_);
    EXPECT_FALSE(bypassed);
    cn_url_free(&url);  // the resolver copies what it needs
    return rv;
  }

  std::string List() {
    char *s = cn_proxy_list_to_string(&list_);
    std::string r = s;
    free(s);
    return r;
  }

  uv_loop_t loop_;
  ScriptedDns dns_;
  cn_host_resolver *host_resolver_ = nullptr;
  cn_netlog netlog_;
  Observer observer_;
  cn_proxy_resolver *resolver_ = nullptr;
  cn_proxy_resolver_request *req_ = nullptr;
  cn_proxy_list list_;
  std::vector<std::string> events_;
  int need_script_ = 0;
  int done_rv_ = 1;
  int done_count_ = 0;
  int max_reruns_ = 0;
};

TEST_F(PacResolverTest, AnswersWithoutDnsAtOnce) {
  Make("function FindProxyForURL(u, h) { return 'PROXY p.test:3128; DIRECT'; }");
  ASSERT_EQ(CN_OK, Resolve("http://a.test/"));
  EXPECT_EQ("http://p.test:3128,direct", List());
  EXPECT_EQ(0, need_script_);
}

TEST_F(PacResolverTest, RerunsOnceLookupsAreAnswered) {
  Make("function FindProxyForURL(u, h) {\n"
       "  if (!isResolvable('intranet.test')) return 'DIRECT';\n"
       "  if (isInNet(dnsResolve(h), '10.0.0.0', '255.0.0.0')) return 'HTTPS in.test:443';\n"
       "  return 'PROXY out.test:80';\n"
       "}");
  dns_.answers["intranet.test"] = {"10.0.0.1"};
  dns_.answers["host.test"] = {"::1", "10.9.9.9"};
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("https://host.test/secret"));
  ASSERT_EQ(std::vector<std::string>{"intranet.test"}, dns_.started);
  dns_.AnswerAll();  // the script runs again and now asks for host.test
  EXPECT_EQ(0, done_count_);
  ASSERT_EQ(2u, dns_.started.size());
  EXPECT_EQ("host.test", dns_.started[1]);
  dns_.AnswerAll();
  ASSERT_EQ(1, done_count_);
  EXPECT_EQ(CN_OK, done_rv_);
  EXPECT_EQ("https://in.test:443", List());
  EXPECT_EQ(2, Count("PAC_DNS_RERUN"));
  // The answers are cached by the host resolver: the next URL needs no wait.
  ASSERT_EQ(CN_OK, Resolve("https://host.test/other"));
  EXPECT_EQ("https://in.test:443", List());
}

TEST_F(PacResolverTest, RerunCapAnswersUnknownNamesAsUnresolvable) {
  max_reruns_ = 2;
  // Every run asks for a new name: the cap ends it.
  Make("var n = 0;\n"
       "function FindProxyForURL(u, h) {\n"
       "  for (var i = 0; i < 10; i++) if (!isResolvable('n' + i + '.test')) return 'PROXY p:' + (i + 1);\n"
       "  return 'DIRECT';\n"
       "}");
  for (int i = 0; i < 10; i++)
    dns_.answers["n" + std::to_string(i) + ".test"] = {"10.0.0.1"};
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("http://a.test/"));
  dns_.AnswerAll();
  dns_.AnswerAll();
  ASSERT_EQ(1, done_count_);
  EXPECT_EQ(CN_OK, done_rv_);
  // n0 and n1 resolved; n2 was never looked up and counts as unresolvable.
  EXPECT_EQ("http://p:3", List());
}

TEST_F(PacResolverTest, CancelWhileLookupsArePending) {
  Make("function FindProxyForURL(u, h) { return isResolvable(h) ? 'DIRECT' : 'DIRECT'; }");
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("http://slow.test/"));
  cn_proxy_resolver_cancel(resolver_, req_);
  req_ = nullptr;
  dns_.AnswerAll();  // abandoned: nothing runs
  EXPECT_EQ(0, done_count_);
}

TEST_F(PacResolverTest, ScriptSetLaterAnswersWaitingRequests) {
  Make(nullptr);
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("http://a.test/"));
  EXPECT_EQ(1, need_script_);
  cn_proxy_resolver_request *first = req_;
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("http://b.test/"));
  EXPECT_EQ(1, need_script_);  // asked for once
  cn_proxy_resolver_cancel(resolver_, first);
  const char *script = "function FindProxyForURL(u, h) { return 'PROXY ' + h + ':1'; }";
  cn_pac_resolver_set_script(resolver_, CN_OK, script, strlen(script), nullptr);
  ASSERT_EQ(1, done_count_);  // the cancelled one never answers
  EXPECT_EQ(CN_OK, done_rv_);
  EXPECT_EQ("http://b.test:1", List());
}

TEST_F(PacResolverTest, FailingFetchGoesDirect) {
  Make(nullptr);
  ASSERT_EQ(CN_ERR_IO_PENDING, Resolve("http://a.test/"));
  cn_pac_resolver_set_script(resolver_, CN_ERR_PAC_STATUS_NOT_OK, nullptr, 0,
                             "http://pac.test/proxy.pac answered 404");
  ASSERT_EQ(1, done_count_);
  EXPECT_EQ(CN_OK, done_rv_);
  EXPECT_EQ("direct", List());
  EXPECT_EQ(1, Count("PAC_JAVASCRIPT_ERROR http://pac.test/proxy.pac answered 404"));
  // Remembered for later requests.
  ASSERT_EQ(CN_OK, Resolve("http://b.test/"));
  EXPECT_EQ("direct", List());
}

TEST_F(PacResolverTest, ScriptErrorGoesDirectUnlessMandatory) {
  const char *script = "function FindProxyForURL(u, h) { return nope(); }";
  Make(script);
  ASSERT_EQ(CN_OK, Resolve("http://a.test/"));
  EXPECT_EQ("direct", List());
  EXPECT_EQ(1, Count("PAC_JAVASCRIPT_ERROR FindProxyForURL: ReferenceError"));
  cn_proxy_resolver_destroy(resolver_);
  Make(script, /*mandatory=*/true);
  EXPECT_EQ(CN_ERR_MANDATORY_PROXY_CONFIGURATION_FAILED, Resolve("http://a.test/"));
  EXPECT_EQ(0u, list_.count);
}

TEST_F(PacResolverTest, UnusableAnswerGoesDirect) {
  Make("function FindProxyForURL(u, h) { return 'SOCKS s:1; nonsense'; }");
  ASSERT_EQ(CN_OK, Resolve("http://a.test/"));
  EXPECT_EQ("direct", List());
  EXPECT_EQ(1, Count("PAC_JAVASCRIPT_ERROR FindProxyForURL returned no usable proxy"));
}

TEST_F(PacResolverTest, AlertsGoToTheNetLog) {
  Make("function FindProxyForURL(u, h) { alert('looking at ' + u); return 'DIRECT'; }");
  ASSERT_EQ(CN_OK, Resolve("https://a.test/private"));
  EXPECT_EQ(1, Count("PAC_JAVASCRIPT_ALERT looking at https://a.test/"));
}

}  // namespace
