// cnet_context_options.netlog_chrome_path: a real HTTPS request through the
// in-process HTTPS proxy (a CONNECT tunnel, TLS to the proxy and to the
// origin) written as Chromium's NetLog JSON, parsed back and checked: the
// constants name every type used, the types are Chromium's, every BEGIN has
// its END on the same source, sources keep one type, time never goes back.
#include <gtest/gtest.h>
#include <jansson.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "net/cnet.h"
#include "net/cnet_https_proxy_test_util.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::HttpsProxyAndOrigin;
using cnet_test::TestLoop;

struct Done {
  int completes = 0;
  int error = 1;
  int status = 0;
};

const cnet_request_callbacks kCallbacks = {
    [](cnet_request *, void *arg, int status, const cnet_header *, size_t) {
      static_cast<Done *>(arg)->status = status;
    },
    [](cnet_request *, void *, const uint8_t *, size_t) {},
    [](cnet_request *, void *arg, int error) {
      auto *d = static_cast<Done *>(arg);
      d->completes++;
      d->error = error;
    }};

// Name -> number of one constants table, and the reverse.
std::map<std::string, int> Table(json_t *constants, const char *name) {
  std::map<std::string, int> out;
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(constants, name), key, v) {
    out[key] = static_cast<int>(json_integer_value(v));
  }
  return out;
}

std::map<int, std::string> Reverse(const std::map<std::string, int> &t) {
  std::map<int, std::string> out;
  for (auto &kv : t)
    out[kv.second] = kv.first;
  return out;
}

TEST(CnetNetLogChromeTest, HttpsThroughAProxyInChromiumsFormat) {
  TestLoop loop;
  HttpsProxyAndOrigin servers;
  servers.Start(loop.get(), "nlchrome");
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  std::string url = servers.url();
  std::string path = ::testing::TempDir() + std::to_string(getpid()) + "_nlchrome.json";
  cnet_context_options o;
  cnet_context_options_init(&o);
  servers.FillOptions(loop.get(), &o);
  o.netlog_chrome_path = path.c_str();
  cnet_context *ctx = nullptr;
  char err[256];
  ASSERT_EQ(0, cnet_context_new(&o, &ctx, err, sizeof(err))) << err;
  Done done;
  cnet_request_options ro;
  cnet_request_options_init(&ro);
  ro.url = url.c_str();
  cnet_request *req = nullptr;
  ASSERT_EQ(0, cnet_request_start(ctx, &ro, &kCallbacks, &done, &req));
  ASSERT_TRUE(cnet_test::RunUntil(loop.get(), [&] { return done.completes > 0; }));
  EXPECT_EQ(0, done.error);
  EXPECT_EQ(200, done.status);
  cnet_context_destroy(ctx);  // closes the file with "]}"
  servers.Stop();
  cnet_test::RunUntilLoopEmpty(loop.get());

  json_error_t jerr;
  json_t *root = json_load_file(path.c_str(), 0, &jerr);
  ASSERT_NE(nullptr, root) << jerr.text << " line " << jerr.line;
  json_t *constants = json_object_get(root, "constants");
  auto event_types = Table(constants, "logEventTypes");
  auto source_types = Table(constants, "logSourceType");
  auto phases = Table(constants, "logEventPhase");
  EXPECT_EQ(1, phases["PHASE_BEGIN"]);
  EXPECT_EQ(2, phases["PHASE_END"]);
  EXPECT_EQ(0, phases["PHASE_NONE"]);
  EXPECT_EQ(-202, Table(constants, "netError")["ERR_CERT_AUTHORITY_INVALID"]);
  EXPECT_TRUE(json_is_string(json_object_get(constants, "timeTickOffset")));
  EXPECT_TRUE(json_is_object(json_object_get(constants, "clientInfo")));
  auto event_name = Reverse(event_types);
  auto source_name = Reverse(source_types);

  json_t *events = json_object_get(root, "events");
  ASSERT_GT(json_array_size(events), 10u);
  std::set<std::string> seen_events, seen_sources;
  std::map<int, int> type_of_source;                // id -> source type
  std::map<std::pair<int, int>, int> open_spans;    // (source id, event type) -> depth
  long long last_time = -1;
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    long long t = std::stoll(json_string_value(json_object_get(e, "time")));
    EXPECT_GE(t, last_time) << "event " << i;
    last_time = t;
    int type = static_cast<int>(json_integer_value(json_object_get(e, "type")));
    int phase = static_cast<int>(json_integer_value(json_object_get(e, "phase")));
    json_t *src = json_object_get(e, "source");
    int id = static_cast<int>(json_integer_value(json_object_get(src, "id")));
    int stype = static_cast<int>(json_integer_value(json_object_get(src, "type")));
    ASSERT_TRUE(event_name.count(type)) << "event " << i << " has a type the constants lack";
    ASSERT_TRUE(source_name.count(stype)) << "event " << i;
    ASSERT_TRUE(json_is_object(json_object_get(e, "params")));
    EXPECT_LE(std::stoll(json_string_value(json_object_get(src, "start_time"))), t);
    seen_events.insert(event_name[type]);
    seen_sources.insert(source_name[stype]);
    if (id) {
      auto it = type_of_source.emplace(id, stype).first;
      EXPECT_EQ(it->second, stype) << "source " << id << " changed type";
    }
    auto key = std::make_pair(id, type);
    if (phase == 1) {
      open_spans[key]++;
    } else if (phase == 2) {
      EXPECT_GT(open_spans[key], 0) << "END without BEGIN: " << event_name[type] << " on " << id;
      open_spans[key]--;
    }
  }
  for (auto &kv : open_spans)
    EXPECT_EQ(0, kv.second) << "BEGIN without END: " << event_name[kv.first.second] << " on "
                            << kv.first.first;
  // Chromium's names for what a request through an HTTPS proxy does.
  for (const char *name : {"REQUEST_ALIVE", "PROXY_RESOLUTION_SERVICE", "CONNECT_JOB",
                           "TCP_CONNECT", "SSL_CONNECT", "HTTP_PROXY_CONNECT_JOB_CONNECT",
                           "SOCKET_POOL_BOUND_TO_SOCKET", "HTTP_TRANSACTION_SEND_REQUEST",
                           "HTTP_TRANSACTION_READ_HEADERS", "SOCKET_ALIVE"})
    EXPECT_TRUE(seen_events.count(name)) << name;
  for (const char *name : {"URL_REQUEST", "SOCKET", "TRANSPORT_CONNECT_JOB", "SSL_CONNECT_JOB",
                           "HTTP_PROXY_CONNECT_JOB"})
    EXPECT_TRUE(seen_sources.count(name)) << name;
  json_decref(root);
  unlink(path.c_str());
}

}  // namespace
