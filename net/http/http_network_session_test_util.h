// Test fixture base for the HTTP network session and everything built on it
// (tunnel connect jobs, transactions): a loop, a NetLog with counters and an
// event recorder, a resolver that sends every name to 127.0.0.1, a test CA
// trusted for origins, a mock client socket factory in front of the
// transport pool, and optionally a proxy service with fixed rules.
//
// Declaration order matters: the factory outlives the session (it owns the
// scripts the mock sockets read), the session outlives nothing of the test.
#ifndef CNET_NET_HTTP_HTTP_NETWORK_SESSION_TEST_UTIL_H_
#define CNET_NET_HTTP_HTTP_NETWORK_SESSION_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "net/base/netlog.h"
#include "net/base/netlog_counters.h"
#include "net/dns/host_resolver.h"
#include "net/http/http_network_session.h"
#include "net/proxy_resolution/proxy_config.h"
#include "net/proxy_resolution/proxy_service.h"
#include "net/socket/mock_client_socket_factory.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/ssl_context.h"
#include "net/test/cert_generator.h"

namespace cnet_test {

// Records NetLog entries (type, phase, source, params as strings).
struct EventRecorder {
  cn_netlog_observer obs;  // first: the callback casts back
  struct Entry {
    cn_netlog_event_type type;
    cn_netlog_phase phase;
    uint32_t source_id;
    std::map<std::string, std::string> params;
  };
  std::vector<Entry> entries;

  static void OnEntry(cn_netlog_observer *o, const cn_netlog_entry *e) {
    auto *self = reinterpret_cast<EventRecorder *>(o);
    Entry entry{e->type, e->phase, e->source.id, {}};
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      entry.params[p.key] = p.kind == CN_NETLOG_PARAM_STR ? std::string(p.s ? p.s : "")
                                                          : std::to_string(p.i);
    }
    self->entries.push_back(entry);
  }
  std::vector<Entry> Of(cn_netlog_event_type type, cn_netlog_phase phase) const {
    std::vector<Entry> out;
    for (const auto &e : entries) {
      if (e.type == type && e.phase == phase)
        out.push_back(e);
    }
    return out;
  }
};

class SessionTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_netlog_init(&netlog_);
    cn_netlog_counters_attach(&counters_, &netlog_);
    recorder_.obs.on_entry = &EventRecorder::OnEntry;
    cn_netlog_add_observer(&netlog_, &recorder_.obs);
    resolver_ = cn_host_resolver_new(loop_.get(), nullptr);
    ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(cn_host_resolver_rules(resolver_),
                                                 "*:*:127.0.0.1", nullptr, 0));
    ca_ = cn_test_cert_new_ca("session test CA");
    cn_ssl_client_context_options co = {};
    co.ca_pem = cn_test_cert_pem(ca_);
    ASSERT_EQ(CN_OK, cn_ssl_client_context_new(&co, &client_ctx_));
  }

  void TearDown() override {
    DestroySession();
    cn_proxy_service_free(proxy_service_);
    proxy_service_ = nullptr;
    cn_host_resolver_destroy(resolver_);
    cn_ssl_context_unref(client_ctx_);
    cn_test_cert_free(ca_);
    cn_netlog_remove_observer(&recorder_.obs);
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
    // Every socket the stack was given is gone with the session.
    EXPECT_EQ(0u, factory_.alive()) << "transport sockets leaked";
  }

  // Makes the session; |proxy_rules| ("" = no proxy service: DIRECT, or
  // the one the test put in proxy_service_) is cn_proxy_config_set_rules
  // syntax and replaces any earlier proxy service.
  void MakeSession(const std::string &proxy_rules = "") {
    if (!proxy_rules.empty()) {
      cn_proxy_service_free(proxy_service_);
      proxy_service_ = nullptr;
      cn_proxy_config cfg;
      cn_proxy_config_init(&cfg);
      char err[160] = "";
      ASSERT_EQ(CN_OK, cn_proxy_config_set_rules(&cfg, proxy_rules.c_str(), err, sizeof(err)))
          << err;
      cn_proxy_service_options po = {};
      po.netlog = &netlog_;
      proxy_service_ = cn_proxy_service_new_fixed(&cfg, &po);
      cn_proxy_config_free(&cfg);
    }
    cn_http_network_session_params p;
    cn_http_network_session_params_init(&p);
    p.loop = loop_.get();
    p.netlog = &netlog_;
    p.resolver = resolver_;
    p.proxy_service = proxy_service_;
    p.origin_ssl_context = client_ctx_;
    p.user_agent = "cnet-test";
    p.socket_factory = factory_.get();
    AdjustParams(&p);
    session_ = cn_http_network_session_new(&p);
  }
  virtual void AdjustParams(cn_http_network_session_params *) {}

  void DestroySession() {
    cn_http_network_session_destroy(session_);
    session_ = nullptr;
    RunUntilIdle(loop_.get());
  }

  cn_client_socket_pool *transport() { return cn_http_network_session_transport_pool(session_); }
  cn_client_socket_pool *tunnel() { return cn_http_network_session_tunnel_pool(session_); }
  cn_client_socket_pool *ssl_origin() {
    return cn_http_network_session_ssl_origin_pool(session_);
  }
  cn_client_socket_pool *ssl_proxy() { return cn_http_network_session_ssl_proxy_pool(session_); }
  size_t AllPoolSockets() {
    return cn_client_socket_pool_socket_count(transport()) +
           cn_client_socket_pool_socket_count(ssl_proxy()) +
           cn_client_socket_pool_socket_count(tunnel()) +
           cn_client_socket_pool_socket_count(ssl_origin());
  }

  TestLoop loop_;
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  EventRecorder recorder_{};
  MockClientSocketFactory factory_;
  cn_host_resolver *resolver_ = nullptr;
  cn_test_cert *ca_ = nullptr;
  cn_ssl_context *client_ctx_ = nullptr;
  cn_proxy_service *proxy_service_ = nullptr;
  cn_http_network_session *session_ = nullptr;
};

}  // namespace cnet_test

#endif  // CNET_NET_HTTP_HTTP_NETWORK_SESSION_TEST_UTIL_H_
