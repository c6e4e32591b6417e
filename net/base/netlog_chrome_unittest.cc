// The Chromium-format NetLog writer (netlog_chrome.h): the file it writes
// parses as JSON, names types as Chromium does, and is valid when cut
// short once "]}" is added (what Chromium's viewer does with a truncated
// log).
#include "net/base/netlog_chrome.h"

#include <gtest/gtest.h>
#include <jansson.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "net/base/net_errors.h"

namespace {

std::string ReadAll(FILE *f) {
  std::string s;
  rewind(f);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    s.append(buf, n);
  return s;
}

void Log(cn_netlog *log, cn_netlog_source src, cn_netlog_event_type type, cn_netlog_phase phase,
         std::vector<cn_netlog_param> params = {}) {
  cn_netlog_add_entry(log, src, type, phase, params.data(), params.size());
}

cn_netlog_param Param(const char *k, int64_t v) {
  cn_netlog_param p{};
  p.key = k;
  p.kind = CN_NETLOG_PARAM_INT;
  p.i = v;
  return p;
}

cn_netlog_param Param(const char *k, const char *v) {
  cn_netlog_param p{};
  p.key = k;
  p.kind = CN_NETLOG_PARAM_STR;
  p.s = v;
  return p;
}

cn_netlog_param Param(const char *k, cn_netlog_source src) {
  cn_netlog_param p{};
  p.key = k;
  p.kind = CN_NETLOG_PARAM_SOURCE;
  p.i = src.id;
  p.source_type = src.type;
  return p;
}

// The number the constants give |name| in |table|, or -1000.
int Constant(json_t *root, const char *table, const char *name) {
  json_t *v = json_object_get(json_object_get(json_object_get(root, "constants"), table), name);
  return json_is_integer(v) ? static_cast<int>(json_integer_value(v)) : -1000;
}

TEST(NetLogChromeTest, EveryCnetEventHasAnExportedName) {
  for (int t = 0; t < CN_NETLOG_EVENT_COUNT; t++) {
    const char *name = cn_netlog_chrome_event_name(static_cast<cn_netlog_event_type>(t));
    EXPECT_STRNE("UNKNOWN", name) << cn_netlog_event_name(static_cast<cn_netlog_event_type>(t));
  }
  EXPECT_STREQ("HTTP2_SESSION", cn_netlog_chrome_event_name(CN_NETLOG_SESSION_ALIVE));
  EXPECT_STREQ("PROXY_RESOLUTION_SERVICE", cn_netlog_chrome_event_name(CN_NETLOG_PROXY_RESOLUTION));
  EXPECT_TRUE(cn_netlog_chrome_event_is_chromium(CN_NETLOG_TCP_CONNECT));
  EXPECT_FALSE(cn_netlog_chrome_event_is_chromium(CN_NETLOG_SSL_CERT_VERIFY_FAILED));
}

TEST(NetLogChromeTest, WritesConstantsAndEventsInChromiumsShape) {
  FILE *f = tmpfile();
  ASSERT_NE(nullptr, f);
  cn_netlog log;
  cn_netlog_init(&log);
  cn_netlog_chrome_writer w;
  cn_netlog_chrome_writer_attach(&w, &log, f, "unit", "1.2.3");
  cn_netlog_source req = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_REQUEST);
  cn_netlog_source job = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_CONNECT_JOB);
  cn_netlog_source sess = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_SESSION);
  const auto BEGIN = CN_NETLOG_PHASE_BEGIN, END = CN_NETLOG_PHASE_END, NONE = CN_NETLOG_PHASE_NONE;
  Log(&log, req, CN_NETLOG_REQUEST_ALIVE, BEGIN, {Param("url", "https://a.test/\"q\"")});
  Log(&log, job, CN_NETLOG_CONNECT_JOB, BEGIN,
      {Param("kind", "ssl"), Param("group_id", "ssl/a.test:443")});
  Log(&log, job, CN_NETLOG_CONNECT_JOB, END, {Param("net_error", static_cast<int64_t>(CN_ERR_CONNECTION_REFUSED))});
  Log(&log, req, CN_NETLOG_SOCKET_POOL_BOUND, NONE,
      {Param("socket", job), Param("big", static_cast<int64_t>(5000000000LL))});
  Log(&log, sess, CN_NETLOG_SPDY_SESSION_RECV_PING, NONE, {Param("id", static_cast<int64_t>(7))});
  Log(&log, req, CN_NETLOG_REQUEST_ALIVE, END);
  std::string truncated = ReadAll(f);  // what a crash would leave (flushed)
  fseek(f, 0, SEEK_END);
  cn_netlog_chrome_writer_detach(&w);
  cn_netlog_destroy(&log);
  std::string text = ReadAll(f);
  fclose(f);

  json_error_t jerr;
  json_t *root = json_loads(text.c_str(), 0, &jerr);
  ASSERT_NE(nullptr, root) << jerr.text << " at " << jerr.position << "\n" << text;
  EXPECT_EQ(1, Constant(root, "logEventPhase", "PHASE_BEGIN"));
  EXPECT_EQ(2, Constant(root, "logEventPhase", "PHASE_END"));
  EXPECT_EQ(0, Constant(root, "logEventPhase", "PHASE_NONE"));
  EXPECT_EQ(-102, Constant(root, "netError", "ERR_CONNECTION_REFUSED"));
  json_t *constants = json_object_get(root, "constants");
  EXPECT_EQ(1, json_integer_value(json_object_get(constants, "logFormatVersion")));
  EXPECT_TRUE(json_is_string(json_object_get(constants, "timeTickOffset")));
  EXPECT_STREQ("unit", json_string_value(
                           json_object_get(json_object_get(constants, "clientInfo"), "name")));
  int ping = Constant(root, "logEventTypes", "HTTP2_SESSION_PING");
  int alive = Constant(root, "logEventTypes", "REQUEST_ALIVE");
  int bound = Constant(root, "logEventTypes", "SOCKET_POOL_BOUND_TO_SOCKET");
  int url_request = Constant(root, "logSourceType", "URL_REQUEST");
  int ssl_job = Constant(root, "logSourceType", "SSL_CONNECT_JOB");
  ASSERT_GE(ping, 0);
  ASSERT_GE(alive, 0);
  ASSERT_GE(url_request, 0);
  ASSERT_GE(ssl_job, 0);

  json_t *events = json_object_get(root, "events");
  ASSERT_EQ(6u, json_array_size(events));
  json_t *first = json_array_get(events, 0);
  EXPECT_EQ(alive, json_integer_value(json_object_get(first, "type")));
  EXPECT_EQ(1, json_integer_value(json_object_get(first, "phase")));
  EXPECT_TRUE(json_is_string(json_object_get(first, "time")));
  json_t *src = json_object_get(first, "source");
  EXPECT_EQ(req.id, json_integer_value(json_object_get(src, "id")));
  EXPECT_EQ(url_request, json_integer_value(json_object_get(src, "type")));
  EXPECT_TRUE(json_is_string(json_object_get(src, "start_time")));
  EXPECT_STREQ("https://a.test/\"q\"",
               json_string_value(json_object_get(json_object_get(first, "params"), "url")));
  // The connect job is exported as the job type of its kind, and a
  // reference to it says so too.
  json_t *job_end = json_array_get(events, 2);
  EXPECT_EQ(ssl_job, json_integer_value(json_object_get(json_object_get(job_end, "source"), "type")));
  EXPECT_EQ(-102, json_integer_value(json_object_get(json_object_get(job_end, "params"), "net_error")));
  json_t *bound_ev = json_array_get(events, 3);
  EXPECT_EQ(bound, json_integer_value(json_object_get(bound_ev, "type")));
  json_t *dep = json_object_get(json_object_get(bound_ev, "params"), "source_dependency");
  EXPECT_EQ(job.id, json_integer_value(json_object_get(dep, "id")));
  EXPECT_EQ(ssl_job, json_integer_value(json_object_get(dep, "type")));
  // Beyond 32 bits a number is a string, as Chromium writes it.
  EXPECT_STREQ("5000000000",
               json_string_value(json_object_get(json_object_get(bound_ev, "params"), "big")));
  json_t *ping_ev = json_array_get(events, 4);
  EXPECT_EQ(ping, json_integer_value(json_object_get(ping_ev, "type")));
  EXPECT_STREQ("received",
               json_string_value(json_object_get(json_object_get(ping_ev, "params"), "type")));
  json_decref(root);

  // Cut before the end: adding "]}" (the viewer's repair) makes it whole.
  truncated += "]}";
  json_t *repaired = json_loads(truncated.c_str(), 0, &jerr);
  ASSERT_NE(nullptr, repaired) << jerr.text;
  EXPECT_EQ(6u, json_array_size(json_object_get(repaired, "events")));
  json_decref(repaired);
}

}  // namespace
