#include "tools/fetch/fetch_writeout.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

struct Written {
  std::string out, err;
};

Written Write(const char *format, const fetch_report &r) {
  char *out_text = nullptr, *err_text = nullptr;
  size_t out_len = 0, err_len = 0;
  FILE *out = open_memstream(&out_text, &out_len);
  FILE *err = open_memstream(&err_text, &err_len);
  fetch_write_out(format, &r, out, err);
  fclose(out);
  fclose(err);
  Written w{std::string(out_text, out_len), std::string(err_text, err_len)};
  free(out_text);
  free(err_text);
  return w;
}

fetch_report Sample() {
  fetch_report r = {};
  r.http_code = 200;
  r.http_version = "2";
  r.url_effective = "https://a.test/x";
  r.method = "GET";
  r.scheme = "https";
  r.content_type = "text/plain";
  r.remote_ip = "127.0.0.1";
  r.remote_port = 4433;
  r.proxy_chain = "https://127.0.0.1:8443";
  r.tunnel_reused = true;
  r.num_connects = 1;
  r.size_download = 1000;
  r.time_total = 0.5;
  r.time_connect = 0.001;
  r.errormsg = "";
  return r;
}

TEST(FetchWriteOutTest, CurlVariablesAndEscapes) {
  Written w = Write("%{http_code} %{http_version} %{remote_ip}:%{remote_port}\\n"
                    "%{size_download} %{speed_download} %{time_connect} %{num_connects}\\t%%",
                    Sample());
  EXPECT_EQ("200 2 127.0.0.1:4433\n1000 2000 0.001000 1\t%", w.out);
  EXPECT_EQ("", w.err);
}

TEST(FetchWriteOutTest, CnetVariables) {
  Written w = Write("%{proxy_chain} %{tunnel_reused} %{session_reused}", Sample());
  EXPECT_EQ("https://127.0.0.1:8443 1 0", w.out);
}

TEST(FetchWriteOutTest, NoResponseIsCode000AndStderrSwitches) {
  fetch_report r = Sample();
  r.http_code = 0;
  Written w = Write("%{http_code}%{stderr}to err%{stdout} back", r);
  EXPECT_EQ("000 back", w.out);
  EXPECT_EQ("to err", w.err);
}

TEST(FetchWriteOutTest, UnknownVariableIsReportedAndWritesNothing) {
  Written w = Write("a%{bogus}b", Sample());
  EXPECT_EQ("ab", w.out);
  EXPECT_NE(std::string::npos, w.err.find("unknown --write-out variable: 'bogus'"));
}

TEST(FetchWriteOutTest, EveryIssueVariableIsKnown) {
  const char *wanted[] = {"http_code", "http_version", "num_connects", "size_download",
                          "speed_download", "remote_ip", "time_namelookup", "time_connect",
                          "time_appconnect", "time_pretransfer", "time_starttransfer",
                          "time_total", "proxy_chain", "tunnel_reused", "session_reused"};
  for (const char *name : wanted) {
    std::string format = std::string("%{") + name + "}";
    Written w = Write(format.c_str(), Sample());
    EXPECT_EQ("", w.err) << name;
    EXPECT_NE("", w.out) << name;
  }
}

}  // namespace

namespace {

TEST(FetchWriteOutTest, OnlyConnectStepsAndPeerNeedTheNetLog) {
  EXPECT_FALSE(fetch_write_out_needs_netlog("%{size_download}\n"));
  EXPECT_FALSE(fetch_write_out_needs_netlog("%{http_code} %{time_total} %{time_starttransfer}"));
  EXPECT_TRUE(fetch_write_out_needs_netlog("%{http_code} %{time_connect}\n"));
  EXPECT_TRUE(fetch_write_out_needs_netlog("%{remote_ip}"));
  EXPECT_TRUE(fetch_write_out_needs_netlog("x%{num_connects}"));
  EXPECT_TRUE(fetch_write_out_needs_netlog("%{time_appconnect}"));
}

}  // namespace
