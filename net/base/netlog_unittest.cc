#include "net/base/netlog.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "net/base/net_errors.h"
#include "net/base/netlog_counters.h"
#include "net/base/netlog_json.h"

namespace {

struct Recorder {
  cn_netlog_observer obs;
  std::vector<std::string> lines;
};

void Record(cn_netlog_observer *obs, const cn_netlog_entry *e) {
  Recorder *r = reinterpret_cast<Recorder *>(obs);
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  cn_netlog_entry_to_json(e, &b);
  char *s = cn_bytebuf_steal_str(&b);
  r->lines.push_back(s);
  free(s);
  cn_bytebuf_free(&b);
}

void Log(cn_netlog *log, cn_netlog_source src, cn_netlog_event_type type, cn_netlog_phase phase,
         std::vector<cn_netlog_param> params = {}) {
  cn_netlog_add_entry(log, src, type, phase, params.data(), params.size());
}

cn_netlog_param IntParam(const char *k, int64_t v) {
  cn_netlog_param p{};
  p.key = k;
  p.kind = CN_NETLOG_PARAM_INT;
  p.i = v;
  return p;
}

cn_netlog_param StrParam(const char *k, const char *v) {
  cn_netlog_param p{};
  p.key = k;
  p.kind = CN_NETLOG_PARAM_STR;
  p.s = v;
  return p;
}

TEST(NetLogTest, SourcesAreUniqueAndNullLogIsSilent) {
  cn_netlog log;
  cn_netlog_init(&log);
  cn_netlog_source a = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_SOCKET);
  cn_netlog_source b = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_SOCKET);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(0u, a.id);
  cn_netlog_source none = cn_netlog_new_source(nullptr, CN_NETLOG_SOURCE_SOCKET);
  EXPECT_EQ(0u, none.id);
  Log(nullptr, none, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_BEGIN);  // no crash
  EXPECT_FALSE(cn_netlog_is_capturing(&log));
  cn_netlog_destroy(&log);
}

TEST(NetLogTest, JsonSerialisationEscapes) {
  cn_netlog log;
  cn_netlog_init(&log);
  Recorder r;
  r.obs.on_entry = Record;
  cn_netlog_add_observer(&log, &r.obs);
  EXPECT_TRUE(cn_netlog_is_capturing(&log));
  cn_netlog_source src = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_SOCKET);
  Log(&log, src, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_BEGIN,
      {StrParam("host", "a\"b\\c\n\x01\xff"), IntParam("port", 443)});
  ASSERT_EQ(1u, r.lines.size());
  const std::string &line = r.lines[0];
  EXPECT_NE(std::string::npos, line.find("\"type\":\"TCP_CONNECT\",\"phase\":\"BEGIN\""));
  EXPECT_NE(std::string::npos, line.find("\"source\":{\"type\":\"SOCKET\",\"id\":1}"));
  EXPECT_NE(std::string::npos, line.find("\"host\":\"a\\\"b\\\\c\\n\\u0001\\u00ff\""));
  EXPECT_NE(std::string::npos, line.find("\"port\":443"));
  cn_netlog_remove_observer(&r.obs);
  Log(&log, src, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_END);
  EXPECT_EQ(1u, r.lines.size());
  cn_netlog_destroy(&log);
}

TEST(NetLogTest, JsonWriterWritesOneLinePerEvent) {
  cn_netlog log;
  cn_netlog_init(&log);
  FILE *f = tmpfile();
  ASSERT_NE(nullptr, f);
  cn_netlog_json_writer w;
  cn_netlog_json_writer_attach(&w, &log, f);
  cn_netlog_source src = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_REQUEST);
  Log(&log, src, CN_NETLOG_REQUEST_ALIVE, CN_NETLOG_PHASE_BEGIN);
  cn_netlog_end_with_error(&log, src, CN_NETLOG_REQUEST_ALIVE, CN_ERR_TIMED_OUT);
  cn_netlog_json_writer_detach(&w);
  rewind(f);
  char line[512];
  std::vector<std::string> lines;
  while (fgets(line, sizeof(line), f))
    lines.push_back(line);
  fclose(f);
  ASSERT_EQ(2u, lines.size());
  EXPECT_NE(std::string::npos, lines[1].find("\"phase\":\"END\",\"params\":{\"net_error\":-7}}"));
  EXPECT_EQ('\n', lines[1].back());
}

TEST(NetLogTest, CountersCountSuccessfulEndsAndPointEvents) {
  cn_netlog log;
  cn_netlog_init(&log);
  cn_netlog_counters c;
  cn_netlog_counters_attach(&c, &log);
  cn_netlog_source s = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_SOCKET);
  Log(&log, s, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_BEGIN);
  EXPECT_EQ(0u, c.tcp_connects);  // counted at END
  Log(&log, s, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_END);
  Log(&log, s, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_BEGIN);
  Log(&log, s, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_END,
      {IntParam("net_error", CN_ERR_CONNECTION_REFUSED)});
  Log(&log, s, CN_NETLOG_SSL_CONNECT, CN_NETLOG_PHASE_END, {IntParam("net_error", 0)});
  Log(&log, s, CN_NETLOG_STREAM_ALIVE, CN_NETLOG_PHASE_NONE);
  Log(&log, s, CN_NETLOG_SOCKET_BYTES_SENT, CN_NETLOG_PHASE_NONE);
  EXPECT_EQ(1u, c.tcp_connects);
  EXPECT_EQ(1u, c.tls_handshakes);
  EXPECT_EQ(1u, c.streams);
  EXPECT_EQ(0u, c.sessions);
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  cn_netlog_counters_to_json(&c, &b);
  char *json = cn_bytebuf_steal_str(&b);
  EXPECT_STREQ(
      "{\"tcp_connects\":1,\"tls_handshakes\":1,\"tunnels\":0,\"sessions\":0,\"streams\":1,"
      "\"requests\":0}",
      json);
  free(json);
  cn_bytebuf_free(&b);
  cn_netlog_counters_detach(&c);
  cn_netlog_destroy(&log);
}

}  // namespace

// Lazy parameters: built once per capture mode in use, never for TYPES
// observers, and each observer gets its own mode's set.
struct LazyCtx {
  int builds[CN_NETLOG_CAPTURE_EVERYTHING + 1] = {};
};

void BuildLazy(const void *ctx, cn_netlog_capture_mode mode, cn_netlog_params *out) {
  LazyCtx *c = const_cast<LazyCtx *>(static_cast<const LazyCtx *>(ctx));
  c->builds[mode]++;
  cn_netlog_params_add(out, IntParam("mode", mode));
  if (mode >= CN_NETLOG_CAPTURE_EVERYTHING) {
    char *v = static_cast<char *>(malloc(6));
    memcpy(v, "value", 6);
    cn_netlog_params_add_owned_str(out, "header", v);  // freed by the log (ASan checks)
  }
}

TEST(NetLogTest, LazyParamsAreBuiltOncePerModeInUse) {
  cn_netlog log;
  cn_netlog_init(&log);
  LazyCtx ctx;
  cn_netlog_source src = cn_netlog_new_source(&log, CN_NETLOG_SOURCE_SOCKET);
  // Nobody observes: nothing is built.
  cn_netlog_add_entry_lazy(&log, src, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_NONE, BuildLazy, &ctx);
  EXPECT_EQ(CN_NETLOG_CAPTURE_NONE, cn_netlog_capture_mode_of(&log));

  // The counters capture TYPES: they see the event, and nothing is built.
  cn_netlog_counters counters;
  cn_netlog_counters_attach(&counters, &log);
  EXPECT_TRUE(cn_netlog_is_capturing(&log));
  EXPECT_FALSE(cn_netlog_wants_params(&log));
  cn_netlog_add_entry_lazy(&log, src, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_END, BuildLazy, &ctx);
  EXPECT_EQ(1u, counters.tcp_connects);
  for (int m = 0; m <= CN_NETLOG_CAPTURE_EVERYTHING; m++)
    EXPECT_EQ(0, ctx.builds[m]) << "mode " << m;

  Recorder names, all1, all2;
  names.obs.on_entry = Record;
  all1.obs.on_entry = Record;
  all2.obs.on_entry = Record;
  cn_netlog_add_observer_with_mode(&log, &names.obs, CN_NETLOG_CAPTURE_NO_HEADER_VALUES);
  EXPECT_TRUE(cn_netlog_wants_params(&log));
  cn_netlog_add_observer(&log, &all1.obs);
  cn_netlog_add_observer(&log, &all2.obs);
  EXPECT_EQ(CN_NETLOG_CAPTURE_EVERYTHING, cn_netlog_capture_mode_of(&log));
  cn_netlog_add_entry_lazy(&log, src, CN_NETLOG_TCP_CONNECT, CN_NETLOG_PHASE_END, BuildLazy, &ctx);
  EXPECT_EQ(2u, counters.tcp_connects);
  EXPECT_EQ(0, ctx.builds[CN_NETLOG_CAPTURE_TYPES]);
  EXPECT_EQ(1, ctx.builds[CN_NETLOG_CAPTURE_NO_HEADER_VALUES]);
  EXPECT_EQ(1, ctx.builds[CN_NETLOG_CAPTURE_EVERYTHING]);  // two observers, one build
  ASSERT_EQ(1u, names.lines.size());
  ASSERT_EQ(1u, all1.lines.size());
  ASSERT_EQ(1u, all2.lines.size());
  EXPECT_NE(std::string::npos, names.lines[0].find("\"params\":{\"mode\":3}")) << names.lines[0];
  EXPECT_EQ(std::string::npos, names.lines[0].find("value"));
  EXPECT_NE(std::string::npos, all1.lines[0].find("\"mode\":4,\"header\":\"value\"")) << all1.lines[0];
  EXPECT_EQ(all1.lines[0], all2.lines[0]);

  // Removing the EVERYTHING observers lowers the log's mode again.
  cn_netlog_remove_observer(&all1.obs);
  cn_netlog_remove_observer(&all2.obs);
  EXPECT_EQ(CN_NETLOG_CAPTURE_NO_HEADER_VALUES, cn_netlog_capture_mode_of(&log));
  cn_netlog_remove_observer(&names.obs);
  EXPECT_FALSE(cn_netlog_wants_params(&log));
  EXPECT_TRUE(cn_netlog_is_capturing(&log));
  cn_netlog_counters_detach(&counters);
  EXPECT_EQ(CN_NETLOG_CAPTURE_NONE, cn_netlog_capture_mode_of(&log));
  cn_netlog_destroy(&log);
}
