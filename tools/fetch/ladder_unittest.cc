// The ladder diagram drawn from real NetLog captures (tools/fetch/testdata:
// fetch through the test server's proxy, or a chain of them, each flow's URL
// fetched twice in one run, recorded with `fetch --netlog` and `testserver
// --netlog` by testdata/record.sh). The
// assertions are on structure, not bytes: which steps appear and in what
// order, where the "jump to step N" lines are (and that there are no
// others), what the TLS and frame lines say.
#include "tools/fetch/ladder.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string TestData(const std::string &name) {
  return std::string(CNET_LADDER_TESTDATA) + "/" + name;
}

std::string Write(const fetch_ladder *l) {
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  EXPECT_NE(nullptr, f);
  fetch_ladder_write(l, f);
  fclose(f);
  std::string s(buf, len);
  free(buf);
  return s;
}

// The ladder of capture |name|: NAME.client.jsonl, and NAME + each of
// |proxy_logs| + ".jsonl" as the proxies' NetLogs.
std::string DrawCapture(const std::string &name, const std::vector<std::string> &proxy_logs) {
  fetch_ladder *l = fetch_ladder_new();
  std::ifstream in(TestData(name + ".client.jsonl"));
  EXPECT_TRUE(in.good()) << name;
  std::string line;
  while (std::getline(in, line))
    fetch_ladder_add_client_line(l, line.data(), line.size());
  for (const std::string &proxy : proxy_logs) {
    char err[256] = "";
    std::string path = TestData(name + proxy + ".jsonl");
    EXPECT_EQ(0, fetch_ladder_add_proxy_netlog(l, path.c_str(), err, sizeof(err))) << err;
  }
  std::string out = Write(l);
  fetch_ladder_free(l);
  return out;
}

// The ladder of capture |flow| (e.g. "F6-h2"), with the proxy's NetLog or
// without it.
std::string Draw(const std::string &flow, bool with_proxy) {
  return DrawCapture(flow, with_proxy ? std::vector<std::string>{".proxy"}
                                      : std::vector<std::string>{});
}

// The ladder of chain capture |name| (e.g. "C2-mixed"), with the NetLogs of
// the proxies listed in |proxies| (1-based hops; a SOCKS hop has none).
std::string DrawChain(const std::string &name, const std::vector<int> &proxies) {
  std::vector<std::string> logs;
  for (int k : proxies)
    logs.push_back(".proxy" + std::to_string(k));
  return DrawCapture(name, logs);
}

// One request's part of the diagram.
struct Request {
  std::vector<std::string> steps;  // "1-3", "4", ... in order
  std::vector<std::string> lines;  // every line, with its text
  std::string header;               // the column names
  int jumps = 0;
  std::string jump;  // the jump line, if any

  // The text of the first line of step |step|, or "".
  std::string Step(const std::string &step) const {
    for (const auto &l : lines) {
      if (l.rfind(step + ")", 0) == 0)
        return l;
    }
    return "";
  }
};

std::vector<Request> Parse(const std::string &diagram) {
  std::vector<Request> reqs;
  std::istringstream in(diagram);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("== request ", 0) == 0) {
      reqs.emplace_back();
      continue;
    }
    if (reqs.empty())
      continue;
    Request &r = reqs.back();
    if (line.rfind("step ", 0) == 0) {
      r.header = line;
      continue;
    }
    r.lines.push_back(line);
    size_t paren = line.find(')');
    if (paren != std::string::npos && paren < 6 && isdigit(static_cast<unsigned char>(line[0])))
      r.steps.push_back(line.substr(0, paren));
    if (line.find("jump to step") != std::string::npos) {
      r.jumps++;
      r.jump = line;
    }
  }
  return reqs;
}

bool Contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

const std::vector<std::string> kTunnelSteps = {"1-3", "4",  "5-8",   "9",  "10-12",
                                               "13",  "14", "15-18", "19", "20"};
const std::vector<std::string> kForwardSteps = {"1-3", "4", "5-8", "9", "10-12", "13", "14", "15"};

// F2, F3, F5, F6: the first request walks every step, the second reuses
// the tunnel (or the origin session inside it) and jumps to 19.
void ExpectTunnelFlow(const std::string &flow, const std::string &proxy_alpn,
                      const std::string &origin_alpn) {
  SCOPED_TRACE(flow);
  std::string d = Draw(flow, /*with_proxy=*/true);
  std::vector<Request> reqs = Parse(d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_EQ(kTunnelSteps, reqs[0].steps) << d;
  EXPECT_EQ(0, reqs[0].jumps) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("5-8"), "TLSv1.3")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("5-8"), "ALPN " + proxy_alpn + ",")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("5-8"), "resumed no")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("15-18"), "ALPN " + origin_alpn + ",")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("14"), "Client Hello (SNI origin.test)")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("10-12"), "TCP connect 127.0.0.1:")) << d;

  std::vector<std::string> jumped = {"19", "20"};
  EXPECT_EQ(jumped, reqs[1].steps) << d;
  ASSERT_EQ(1, reqs[1].jumps) << d;
  EXPECT_TRUE(Contains(reqs[1].jump, "tunnel to the origin exists")) << d;
  EXPECT_TRUE(Contains(reqs[1].jump, "jump to step 19 ***")) << d;

  // The CONNECT as each protocol to the proxy writes it, and the answer.
  std::string connect = reqs[0].Step("9"), answer = reqs[0].Step("13");
  if (proxy_alpn == "http/1.1") {
    EXPECT_TRUE(Contains(connect, "CONNECT origin.test:")) << d;
    EXPECT_TRUE(Contains(connect, " HTTP/1.1")) << d;
    EXPECT_TRUE(Contains(answer, "HTTP/1.1 200 Connection Established")) << d;
  } else if (proxy_alpn == "spdy/3.1") {
    EXPECT_TRUE(Contains(connect, "SYN_STREAM stream_id=1 method=CONNECT url=origin.test:")) << d;
    EXPECT_TRUE(Contains(answer, "SYN_REPLY stream_id=1 status=200 Connection Established")) << d;
  } else {
    EXPECT_TRUE(Contains(connect, "HEADERS stream_id=1 :method=CONNECT :authority=origin.test:"))
        << d;
    EXPECT_TRUE(Contains(answer, "HEADERS stream_id=1 :status=200")) << d;
  }
  // The request inside the tunnel, first and second time.
  if (origin_alpn == "http/1.1") {
    EXPECT_TRUE(Contains(reqs[0].Step("19"), "GET /bytes/3 HTTP/1.1")) << d;
    EXPECT_TRUE(Contains(reqs[1].Step("20"), "HTTP/1.1 200 OK")) << d;
    EXPECT_TRUE(Contains(reqs[1].jump, "ssl_origin socket")) << d;
  } else if (origin_alpn == "spdy/3.1") {
    EXPECT_TRUE(Contains(reqs[0].Step("19"), "SYN_STREAM stream_id=1 method=GET url=/bytes/3")) << d;
    EXPECT_TRUE(Contains(reqs[1].Step("19"), "SYN_STREAM stream_id=3 method=GET")) << d;
    EXPECT_TRUE(Contains(reqs[1].Step("20"), "SYN_REPLY stream_id=3 status=200 OK")) << d;
    EXPECT_TRUE(Contains(reqs[1].jump, "spdy/3.1 session")) << d;
  } else {
    EXPECT_TRUE(Contains(reqs[0].Step("19"), "HEADERS stream_id=1 :method=GET")) << d;
    EXPECT_TRUE(Contains(reqs[1].Step("19"), "HEADERS stream_id=3 :method=GET")) << d;
    EXPECT_TRUE(Contains(reqs[1].Step("20"), "HEADERS stream_id=3 :status=200")) << d;
    EXPECT_TRUE(Contains(reqs[1].jump, "h2 session")) << d;
  }
  EXPECT_FALSE(Contains(d, "not observed")) << d;
  EXPECT_FALSE(Contains(d, "were not NetLog JSON")) << d;
}

// F1, F4: the second request reuses the connection (or session) to the
// proxy and jumps to 9; the proxy's own steps come from its NetLog.
void ExpectForwardFlow(const std::string &flow, const std::string &proxy_alpn) {
  SCOPED_TRACE(flow);
  std::string d = Draw(flow, /*with_proxy=*/true);
  std::vector<Request> reqs = Parse(d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_EQ(kForwardSteps, reqs[0].steps) << d;
  EXPECT_EQ(0, reqs[0].jumps) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("5-8"), "ALPN " + proxy_alpn + ",")) << d;
  std::vector<std::string> jumped = {"9", "10-12", "13", "14", "15"};
  EXPECT_EQ(jumped, reqs[1].steps) << d;
  ASSERT_EQ(1, reqs[1].jumps) << d;
  EXPECT_TRUE(Contains(reqs[1].jump, "connection to the proxy exists")) << d;
  EXPECT_TRUE(Contains(reqs[1].jump, "jump to step 9 ***")) << d;
  // The proxy: a new connection to the origin, then its idle one again.
  EXPECT_TRUE(Contains(reqs[0].Step("10-12"), "TCP connect 127.0.0.1:")) << d;
  EXPECT_TRUE(Contains(reqs[1].Step("10-12"), "reuses its idle connection")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("13"), "GET /bytes/3 HTTP/1.1")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("14"), "HTTP/1.1 200 OK")) << d;
  if (proxy_alpn == "http/1.1") {
    EXPECT_TRUE(Contains(reqs[0].Step("9"), "GET http://origin.test:")) << d;
    EXPECT_TRUE(Contains(reqs[1].Step("15"), "HTTP/1.1 200 OK")) << d;
    EXPECT_TRUE(Contains(reqs[1].jump, "ssl_proxy socket")) << d;
  } else if (proxy_alpn == "spdy/3.1") {
    EXPECT_TRUE(Contains(reqs[0].Step("9"),
                         "SYN_STREAM stream_id=1 method=GET url=http://origin.test:"))
        << d;
    EXPECT_TRUE(Contains(reqs[1].Step("15"), "SYN_REPLY stream_id=3 status=200 OK")) << d;
    EXPECT_TRUE(Contains(reqs[1].jump, "spdy/3.1 session")) << d;
  } else {
    EXPECT_TRUE(Contains(reqs[0].Step("9"), "HEADERS stream_id=1 :method=GET :scheme=http")) << d;
    EXPECT_TRUE(Contains(reqs[1].Step("15"), "HEADERS stream_id=3 :status=200")) << d;
    EXPECT_TRUE(Contains(reqs[1].jump, "h2 session")) << d;
  }
  EXPECT_FALSE(Contains(d, "not observed")) << d;
}

TEST(LadderTest, F1AbsoluteUriThroughHttp11Proxy) { ExpectForwardFlow("F1", "http/1.1"); }
TEST(LadderTest, F4OverSpdy) { ExpectForwardFlow("F4-spdy", "spdy/3.1"); }
TEST(LadderTest, F4OverHttp2) { ExpectForwardFlow("F4-h2", "h2"); }
TEST(LadderTest, F2Http11InHttp11Tunnel) { ExpectTunnelFlow("F2", "http/1.1", "http/1.1"); }
TEST(LadderTest, F3SpdyInHttp11Tunnel) { ExpectTunnelFlow("F3-spdy", "http/1.1", "spdy/3.1"); }
TEST(LadderTest, F3Http2InHttp11Tunnel) { ExpectTunnelFlow("F3-h2", "http/1.1", "h2"); }
TEST(LadderTest, F5Http11InSpdyTunnel) { ExpectTunnelFlow("F5-spdy", "spdy/3.1", "http/1.1"); }
TEST(LadderTest, F5Http11InHttp2Tunnel) { ExpectTunnelFlow("F5-h2", "h2", "http/1.1"); }
TEST(LadderTest, F6SpdyInSpdyTunnel) { ExpectTunnelFlow("F6-spdy", "spdy/3.1", "spdy/3.1"); }
TEST(LadderTest, F6Http2InHttp2Tunnel) { ExpectTunnelFlow("F6-h2", "h2", "h2"); }

// fetch --parallel 3 on a new proxy: the events of three requests
// interleave, yet each request gets exactly its own connection, CONNECT
// stream, tunnel and request (from the NetLog's links, not from time).
TEST(LadderTest, ParallelRequestsEachGetTheirOwnSteps) {
  std::string d = Draw("F5-h2-parallel", /*with_proxy=*/true);
  std::vector<Request> reqs = Parse(d);
  ASSERT_EQ(3u, reqs.size()) << d;
  std::vector<std::string> connects;
  for (const Request &r : reqs) {
    EXPECT_EQ(kTunnelSteps, r.steps) << d;
    EXPECT_EQ(0, r.jumps) << d;
    connects.push_back(r.Step("9"));
    EXPECT_TRUE(Contains(r.Step("10-12"), "TCP connect 127.0.0.1:")) << d;
  }
  // Three CONNECT streams, one per request, all on the first session.
  for (const char *id : {"stream_id=1 ", "stream_id=3 ", "stream_id=5 "}) {
    int n = 0;
    for (const auto &c : connects)
      n += Contains(c, id);
    EXPECT_EQ(1, n) << id << d;
  }
  size_t first = d.find("opened for another request");
  ASSERT_NE(std::string::npos, first) << d;
  EXPECT_NE(std::string::npos, d.find("opened for another request", first + 1)) << d;
}

// Where a step's arrow points: the column (by its name in the header)
// whose bar the arrowhead touches. '>' ends just left of the bar, '<'
// starts just right of the client's.
std::string ArrowTarget(const Request &r, const std::string &step) {
  std::string line = r.Step(step);
  size_t head = line.find('>');
  if (head == std::string::npos || line.find('<') != std::string::npos)
    return "";
  for (const char *name : {"HTTPS Proxy", "Proxy 1", "Proxy 2", "Proxy 3", "Origin Server"}) {
    if (r.header.find(name) == head)
      return name;
  }
  return "";
}

// What one step of a request must say: its line contains |text| and, when
// |col| is not empty, its arrow points right at that column.
struct StepWant {
  const char *step;
  const char *col;
  const char *text;
};

void ExpectSteps(const Request &r, const std::vector<StepWant> &wants, const std::string &d) {
  for (const StepWant &w : wants) {
    SCOPED_TRACE(w.step);
    if (*w.col) {
      EXPECT_EQ(w.col, ArrowTarget(r, w.step)) << d;
    }
    EXPECT_TRUE(Contains(r.Step(w.step), w.text)) << w.text << d;
  }
}

// The steps of a tunnel through |hops| proxies of HTTPS: each hop adds the
// seed's TLS and CONNECT steps ten further on.
std::vector<std::string> ChainTunnelSteps(int hops) {
  std::vector<std::string> steps = {"1-3", "4", "5-8"};
  for (int k = 0; k < hops; k++) {
    int o = 10 * k;
    if (k > 0) {
      steps.push_back(std::to_string(4 + o));
      steps.push_back(std::to_string(5 + o) + "-" + std::to_string(8 + o));
    }
    steps.push_back(std::to_string(9 + o));
    steps.push_back(std::to_string(10 + o) + "-" + std::to_string(12 + o));
    steps.push_back(std::to_string(13 + o));
  }
  int o = 10 * hops;
  for (const std::string &s : {std::to_string(4 + o),
                               std::to_string(5 + o) + "-" + std::to_string(8 + o),
                               std::to_string(9 + o), std::to_string(10 + o)})
    steps.push_back(s);
  return steps;
}

// The requests of chain capture |name| drawn as DrawChain does; the
// diagram in |d|, for the failure messages.
std::vector<Request> ChainRequests(const std::string &name, const std::vector<int> &proxies,
                                   std::string *d) {
  *d = DrawChain(name, proxies);
  return Parse(*d);
}

// The second request of a chain capture: its tunnel to the origin (|why|:
// what was reused) lets it start at the request to the origin, |step|.
// A request that starts at step |to| after the one jump line, which says
// |why|, and has then |steps|.
void ExpectJump(const Request &r, int to, const std::string &why,
                const std::vector<std::string> &steps, const std::string &d) {
  EXPECT_EQ(steps, r.steps) << d;
  ASSERT_EQ(1, r.jumps) << d;
  EXPECT_TRUE(Contains(r.jump, why)) << d;
  EXPECT_TRUE(Contains(r.jump, "jump to step " + std::to_string(to) + " ***")) << d;
}

void ExpectOriginJump(const Request &r, int step, const std::string &why, const std::string &d) {
  ExpectJump(r, step, "tunnel to the origin exists (" + why,
             {std::to_string(step), std::to_string(step + 1)}, d);
}

// Two HTTPS hops (HTTP/1.1 to proxy 1, HTTP/2 to proxy 2) and SPDY/3.1 to the
// origin: one column per proxy, each step between the right columns, the
// proxies' own steps from their own NetLogs, and the second request jumps
// to the origin's request (step 29) on the live origin session.
TEST(LadderTest, TwoHopChainHasAColumnPerProxy) {
  std::string d;
  std::vector<Request> reqs = ChainRequests("C2-mixed", {1, 2}, &d);
  ASSERT_EQ(2u, reqs.size()) << d;
  const Request &r = reqs[0];
  EXPECT_EQ("step   Client           Proxy 1            Proxy 2            Origin Server",
            r.header) << d;
  EXPECT_EQ(ChainTunnelSteps(2), r.steps) << d;
  EXPECT_EQ(0, r.jumps) << d;
  ExpectSteps(r,
              {
                  // Hop 1: TCP, TLS (http/1.1) and an HTTP/1.1 CONNECT to proxy 2.
                  {"1-3", "Proxy 1", "TCP connect 127.0.0.1:"},
                  {"5-8", "", "ALPN http/1.1,"},
                  {"9", "Proxy 1", "CONNECT 127.0.0.1:"},
                  {"9", "Proxy 1", " HTTP/1.1"},
                  {"10-12", "Proxy 2", "TCP connect 127.0.0.1:"},  // proxy 1's, from its log
                  {"13", "", "HTTP/1.1 200 Connection Established"},
                  // Hop 2, inside hop 1's tunnel: TLS (h2), a CONNECT stream to the origin.
                  {"14", "Proxy 2", "|=="},
                  {"15-18", "", "ALPN h2,"},
                  {"19", "Proxy 2", "HEADERS stream_id=1 :method=CONNECT :authority=origin.test:"},
                  {"20-22", "Origin Server", "for origin.test:"},  // from proxy 2's log
                  {"23", "", "HEADERS stream_id=1 :status=200"},
                  // The origin, inside hop 2's tunnel.
                  {"24", "Origin Server", "Client Hello (SNI origin.test)"},
                  {"25-28", "", "ALPN spdy/3.1,"},
                  {"29", "Origin Server", "SYN_STREAM stream_id=1 method=GET url=/bytes/3"},
              },
              d);
  EXPECT_TRUE(Contains(d, "through the tunnel of Proxy 1")) << d;
  EXPECT_TRUE(Contains(d, "flow F6 through 2 proxies: http/1.1 to proxy 1, h2 to proxy 2, "
                          "spdy/3.1 to the origin;"))
      << d;

  ExpectOriginJump(reqs[1], 29, "spdy/3.1 session", d);
  EXPECT_TRUE(Contains(reqs[1].Step("29"), "SYN_STREAM stream_id=3")) << d;
  EXPECT_FALSE(Contains(d, "not observed")) << d;
}

// Three hops (HTTP/2, SPDY/3.1, HTTP/1.1) and HTTP/2 to the origin.
TEST(LadderTest, ThreeHopChainDrawsEveryHopInItsColumn) {
  std::string d;
  std::vector<Request> reqs = ChainRequests("C3-mixed", {1, 2, 3}, &d);
  ASSERT_EQ(2u, reqs.size()) << d;
  const Request &r = reqs[0];
  EXPECT_TRUE(Contains(r.header, "Proxy 1            Proxy 2            Proxy 3            "
                                 "Origin Server"))
      << d;
  EXPECT_EQ(ChainTunnelSteps(3), r.steps) << d;
  ExpectSteps(r,
              {
                  {"9", "Proxy 1", "HEADERS stream_id=1 :method=CONNECT :authority=127.0.0.1:"},
                  {"10-12", "Proxy 2", "TCP connect 127.0.0.1:"},  // proxy 1's own
                  {"19", "Proxy 2", "SYN_STREAM stream_id=1 method=CONNECT url=127.0.0.1:"},
                  {"20-22", "Proxy 3", "TCP connect 127.0.0.1:"},
                  {"23", "", "SYN_REPLY stream_id=1 status=200"},
                  {"24", "Proxy 3", "Client Hello (SNI 127.0.0.1)"},
                  {"25-28", "", "ALPN http/1.1,"},
                  {"29", "Proxy 3", "CONNECT origin.test:"},
                  {"30-32", "Origin Server", "for origin.test:"},
                  {"33", "", "HTTP/1.1 200 Connection Established"},
                  {"34", "Origin Server", "Client Hello (SNI origin.test)"},
                  {"35-38", "", "ALPN h2,"},
                  {"39", "Origin Server", "HEADERS stream_id=1 :method=GET"},
              },
              d);
  EXPECT_TRUE(Contains(d, "h2 to proxy 1, spdy/3.1 to proxy 2, http/1.1 to proxy 3, h2 to the "
                          "origin;"))
      << d;
  ExpectOriginJump(reqs[1], 39, "h2 session", d);
  EXPECT_FALSE(Contains(d, "not observed")) << d;
}

// http:// through two hops: a tunnel to proxy 2, then the absolute URI to
// it; the second request reuses the connection to proxy 2 and jumps to 19.
TEST(LadderTest, ForwardThroughAChainJumpsToTheLastProxy) {
  std::string d;
  std::vector<Request> reqs = ChainRequests("C2-forward", {1, 2}, &d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_EQ(std::vector<std::string>({"1-3", "4", "5-8", "9", "10-12", "13", "14", "15-18", "19",
                                      "20-22", "23", "24", "25"}),
            reqs[0].steps)
      << d;
  EXPECT_EQ("Proxy 2", ArrowTarget(reqs[0], "19")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("19"), "GET http://origin.test:")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("23"), "GET /bytes/3 HTTP/1.1")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("25"), "HTTP/1.1 200 OK")) << d;
  ExpectJump(reqs[1], 19, "connection to proxy 2 exists (ssl_proxy socket",
             {"19", "20-22", "23", "24", "25"}, d);
  EXPECT_TRUE(Contains(reqs[1].Step("20-22"), "reuses its idle connection")) << d;
  // Both requests name the protocols of both hops (the second recalls them).
  size_t at = d.find("flow F1 through 2 proxies: h2 to proxy 1, http/1.1 to proxy 2,");
  ASSERT_NE(std::string::npos, at) << d;
  EXPECT_NE(std::string::npos,
            d.find("flow F1 through 2 proxies: h2 to proxy 1, http/1.1 to proxy 2,", at + 1))
      << d;
}

// A SOCKS5 first hop: its CONNECT is steps 9 and 13, its own connection
// onward never observed; TLS to the HTTPS second hop goes through it.
TEST(LadderTest, SocksFirstHopIsItsOwnColumn) {
  std::string d;
  std::vector<Request> reqs = ChainRequests("C2-socks", {2}, &d);
  ASSERT_EQ(2u, reqs.size()) << d;
  std::vector<std::string> socks = {"1-3", "9", "10-12", "13"};  // then hop 2 as in any chain
  std::vector<std::string> rest = ChainTunnelSteps(2);
  socks.insert(socks.end(), rest.begin() + 6, rest.end());
  EXPECT_EQ(socks, reqs[0].steps) << d;
  EXPECT_EQ("Proxy 1", ArrowTarget(reqs[0], "9")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("9"), "SOCKS5 CONNECT 127.0.0.1:")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("10-12"), "(not observed: SOCKS proxy side)")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("13"), "SOCKS5 reply 0")) << d;
  EXPECT_EQ("Proxy 2", ArrowTarget(reqs[0], "14")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("20-22"), "TCP connect 127.0.0.1:")) << d;
  EXPECT_TRUE(Contains(d, "socks5 to proxy 1, h2 to proxy 2, http/1.1 to the origin")) << d;
  ExpectOriginJump(reqs[1], 29, "ssl_origin socket", d);
}

// Without a proxy's NetLog only that proxy's steps are not observed.
TEST(LadderTest, ChainWithOneProxyLogObservesOnlyThatProxy) {
  std::string d;
  std::vector<Request> reqs = ChainRequests("C2-mixed", {2}, &d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_EQ(ChainTunnelSteps(2), reqs[0].steps) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("10-12"), "not observed")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("20-22"), "TCP connect 127.0.0.1:")) << d;
  reqs = ChainRequests("C2-mixed", {}, &d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("10-12"), "(not observed: proxy side)")) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("20-22"), "(not observed: proxy side)")) << d;
  EXPECT_EQ(1, reqs[1].jumps) << d;
}

// A one-hop ladder keeps the seed's layout to the character.
TEST(LadderTest, OneHopLayoutIsUnchanged) {
  std::string d = Draw("F2", /*with_proxy=*/true);
  std::vector<Request> reqs = Parse(d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_EQ("step   Client           HTTPS Proxy        Origin Server", reqs[0].header) << d;
  EXPECT_EQ(0u, reqs[0].Step("1-3").find("1-3)   |---------------->|                  | TCP"))
      << d;
  EXPECT_EQ(0u, reqs[0].Step("10-12").find("10-12) |                 |----------------->| "))
      << d;
  EXPECT_EQ(0u, reqs[0].Step("13").find("13)    |<----------------|                  | ")) << d;
  EXPECT_EQ(0u, reqs[0].Step("19").find("19)    |==================================>| GET")) << d;
  EXPECT_EQ(0u, reqs[0].Step("20").find("20)    |<==================================| HTTP")) << d;
  EXPECT_TRUE(Contains(d, "*** Client sends CONNECT request to Proxy ***")) << d;
  EXPECT_TRUE(Contains(d, "*** Proxy connects (or reuses connection) to origin ***")) << d;
  EXPECT_TRUE(Contains(d, "== request 1: GET https://origin.test:")) << d;
}

TEST(LadderTest, FlowNamesInTheSummary) {
  const char *const kFlows[][2] = {{"F1", "flow F1"},       {"F2", "flow F2"},
                                   {"F3-h2", "flow F3"},    {"F4-spdy", "flow F4"},
                                   {"F5-h2", "flow F5"},    {"F6-spdy", "flow F6"}};
  for (const auto &f : kFlows) {
    std::string d = Draw(f[0], false);
    // Both requests, the reused one included, name the flow.
    size_t first = d.find(f[1]);
    ASSERT_NE(std::string::npos, first) << d;
    EXPECT_NE(std::string::npos, d.find(f[1], first + 1)) << d;
  }
}

TEST(LadderTest, WithoutTheProxyLogItsStepsAreNotObserved) {
  std::string d = Draw("F4-h2", /*with_proxy=*/false);
  std::vector<Request> reqs = Parse(d);
  ASSERT_EQ(2u, reqs.size()) << d;
  // Same steps and jumps: only their text says what could not be seen.
  EXPECT_EQ(kForwardSteps, reqs[0].steps) << d;
  EXPECT_EQ(1, reqs[1].jumps) << d;
  for (const char *step : {"10-12", "13", "14"})
    EXPECT_TRUE(Contains(reqs[0].Step(step), "(not observed: proxy side)")) << step << d;
  EXPECT_TRUE(Contains(d, "no proxy NetLog given")) << d;

  d = Draw("F6-spdy", false);
  reqs = Parse(d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_EQ(kTunnelSteps, reqs[0].steps) << d;
  EXPECT_TRUE(Contains(reqs[0].Step("10-12"), "(not observed: proxy side)")) << d;
}

TEST(LadderTest, MalformedLinesAreCountedAndSkipped) {
  fetch_ladder *l = fetch_ladder_new();
  const char *const kBad[] = {
      "not json at all",
      "{}",
      "[1,2,3]",
      "{\"time_us\":1,\"source\":{\"type\":\"REQUEST\",\"id\":1},\"type\":\"X\",\"phase\":\"MIDDLE\"}",
      "{\"time_us\":-5,\"source\":{\"type\":\"REQUEST\",\"id\":1},\"type\":\"X\",\"phase\":\"NONE\"}",
      "{\"time_us\":1,\"source\":{\"type\":\"REQUEST\"},\"type\":\"X\",\"phase\":\"NONE\"}",
      R"({"time_us":1,"source":{"type":"REQUEST","id":1},"type":"X","phase":"NONE","params":[]})",
      "{\"time_us\":1,\"source\":{\"type\":\"REQUEST\",\"id\":1},\"type\":\"X\"",  // cut
      "",
  };
  // Malformed lines between the real ones of a capture change nothing.
  std::ifstream in(TestData("F2.client.jsonl"));
  std::string line;
  size_t n = 0, bad = 0;
  while (std::getline(in, line)) {
    if (n % 7 == 3) {
      const char *b = kBad[bad % (sizeof(kBad) / sizeof(kBad[0]))];
      fetch_ladder_add_client_line(l, b, strlen(b));
      bad++;
    }
    fetch_ladder_add_client_line(l, line.data(), line.size());
    n++;
  }
  ASSERT_GT(bad, 9u);
  std::string d = Write(l);
  fetch_ladder_free(l);
  std::vector<Request> reqs = Parse(d);
  ASSERT_EQ(2u, reqs.size()) << d;
  EXPECT_EQ(kTunnelSteps, reqs[0].steps) << d;
  EXPECT_EQ(1, reqs[1].jumps) << d;
  EXPECT_TRUE(Contains(d, "(" + std::to_string(bad) + " of the client's " +
                              std::to_string(n + bad) + " NetLog lines were not NetLog JSON"))
      << d;
  EXPECT_TRUE(Contains(d, "first: line 4, not JSON")) << d;
}

// Every line of a capture cut short at several points, and with values of
// the wrong type: whatever survives parsing is drawn without a crash (run
// under ASan), and the cut lines are counted.
TEST(LadderTest, TruncatedAndMistypedLinesNeverCrash) {
  for (const char *flow : {"F6-h2", "F5-spdy", "F1", "C3-mixed", "C2-socks"}) {
    SCOPED_TRACE(flow);
    std::ifstream in(TestData(std::string(flow) + ".client.jsonl"));
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
      lines.push_back(line);
    ASSERT_FALSE(lines.empty());
    for (size_t cut : {1, 2, 3, 5}) {
      fetch_ladder *l = fetch_ladder_new();
      for (const auto &whole : lines) {
        std::string t = whole.substr(0, whole.size() * cut / 6);
        fetch_ladder_add_client_line(l, t.data(), t.size());
      }
      std::string d = Write(l);
      fetch_ladder_free(l);
      EXPECT_TRUE(Contains(d, "were not NetLog JSON")) << d;
    }
    // Numbers where strings belong and the other way round.
    fetch_ladder *l = fetch_ladder_new();
    for (auto t : lines) {
      for (const char *key : {"\"stream_id\":", "\"id\":", "\"reuse\":", "\"fin\":"}) {
        size_t at = t.find(key);
        if (at != std::string::npos)
          t.insert(at + strlen(key), "\"x\",\"was\":");
      }
      size_t at = t.find("\"url\":");
      if (at != std::string::npos)
        t.replace(at, 6, "\"url\":7,\"old_url\"");
      fetch_ladder_add_client_line(l, t.data(), t.size());
    }
    std::string d = Write(l);
    fetch_ladder_free(l);
    EXPECT_FALSE(d.empty());
  }
}

TEST(LadderTest, OnlyGarbageDrawsNoRequests) {
  fetch_ladder *l = fetch_ladder_new();
  const char kLine[] = "\x01\x02 {\"truncated";
  fetch_ladder_add_client_line(l, kLine, sizeof(kLine) - 1);
  // A line that is NetLog JSON but of no request.
  const char kSocket[] =
      "{\"time_us\":7,\"source\":{\"type\":\"SOCKET\",\"id\":3},\"type\":\"TCP_CONNECT\","
      "\"phase\":\"END\",\"params\":{\"address\":\"127.0.0.1:1\"}}\n";
  fetch_ladder_add_client_line(l, kSocket, sizeof(kSocket) - 1);
  std::string d = Write(l);
  fetch_ladder_free(l);
  EXPECT_TRUE(Contains(d, "(no requests in the NetLog)")) << d;
  EXPECT_TRUE(Contains(d, "(1 of the client's 2 NetLog lines were not NetLog JSON")) << d;
  EXPECT_FALSE(Contains(d, "jump to step")) << d;
}

TEST(LadderTest, UnreadableProxyLogIsAnError) {
  fetch_ladder *l = fetch_ladder_new();
  char err[256] = "";
  EXPECT_EQ(-1, fetch_ladder_add_proxy_netlog(l, "/nonexistent/proxy.jsonl", err, sizeof(err)));
  EXPECT_TRUE(Contains(err, "/nonexistent/proxy.jsonl")) << err;
  EXPECT_EQ(-1, fetch_ladder_add_client_netlog(l, "/nonexistent/client.jsonl", err, sizeof(err)));
  EXPECT_TRUE(Contains(err, "client")) << err;
  fetch_ladder_free(l);
  fetch_ladder_free(nullptr);
}

// A request that failed before any connection: no steps, no jump.
TEST(LadderTest, FailedRequestHasNoJump) {
  const char *const kLines[] = {
      "{\"time_us\":1,\"source\":{\"type\":\"REQUEST\",\"id\":1},\"type\":\"REQUEST_ALIVE\","
      "\"phase\":\"BEGIN\",\"params\":{\"method\":\"GET\",\"url\":\"https://a.test/\"}}",
      "{\"time_us\":2,\"source\":{\"type\":\"REQUEST\",\"id\":1},\"type\":\"PROXY_RESOLUTION\","
      "\"phase\":\"END\",\"params\":{\"proxy_list\":\"https://127.0.0.1:1\"}}",
      "{\"time_us\":3,\"source\":{\"type\":\"SOCKET\",\"id\":2},\"type\":\"TCP_CONNECT\","
      "\"phase\":\"END\",\"params\":{\"net_error\":-102}}",
      "{\"time_us\":4,\"source\":{\"type\":\"REQUEST\",\"id\":1},\"type\":\"REQUEST_ALIVE\","
      "\"phase\":\"END\",\"params\":{\"net_error\":-130}}",
  };
  fetch_ladder *l = fetch_ladder_new();
  for (const char *line : kLines)
    fetch_ladder_add_client_line(l, line, strlen(line));
  std::string d = Write(l);
  fetch_ladder_free(l);
  EXPECT_FALSE(Contains(d, "jump to step")) << d;
  EXPECT_TRUE(Contains(d, "TCP connect failed: ERR_CONNECTION_REFUSED")) << d;
  EXPECT_TRUE(Contains(d, "request failed: ERR_PROXY_CONNECTION_FAILED")) << d;
}

}  // namespace
