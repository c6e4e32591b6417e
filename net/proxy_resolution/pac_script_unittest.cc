// The PAC evaluator: every helper, Microsoft's Ex variants, the DNS table
// (non-blocking mode), the time and memory limits, script errors.
#include "net/proxy_resolution/pac_script.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "net/base/net_errors.h"

namespace {

// Monday 7 December 2026, 10:30:15 UTC.
double FixedNow(void *) {
  struct tm tm = {};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 11;
  tm.tm_mday = 7;
  tm.tm_hour = 10;
  tm.tm_min = 30;
  tm.tm_sec = 15;
  return (double)timegm(&tm) * 1000.0;
}

class PacScriptTest : public ::testing::Test {
 protected:
  void SetUp() override { cn_pac_dns_table_init(&dns_); }
  void TearDown() override {
    cn_pac_script_free(script_);
    cn_pac_dns_table_free(&dns_);
  }

  static void OnAlert(void *arg, const char *msg) {
    static_cast<PacScriptTest *>(arg)->alerts_.push_back(msg);
  }

  int Load(const std::string &text) {
    cn_pac_script_options o = {};
    o.now_ms = FixedNow;
    o.time_limit_ms = time_limit_ms_;
    o.memory_limit = memory_limit_;
    o.alert = OnAlert;
    o.alert_arg = this;
    cn_pac_script_free(script_);
    script_ = nullptr;
    err_[0] = '\0';
    return cn_pac_script_new(text.data(), text.size(), &o, &script_, err_, sizeof(err_));
  }

  // Runs FindProxyForURL(url, host); the answer in |result_|.
  int Run(const char *url = "http://a.test/", const char *host = "a.test", bool final = true) {
    char *r = nullptr;
    err_[0] = '\0';
    int rv = cn_pac_script_run(script_, url, host, &dns_, final, &r, err_, sizeof(err_));
    result_ = r ? r : "<none>";
    free(r);
    return rv;
  }

  // The value of the JavaScript expression |expr| as a string.
  std::string Eval(const std::string &expr) {
    EXPECT_EQ(CN_OK, Load("function FindProxyForURL(url, host) { return String(" + expr +
                          "); }"))
        << err_;
    EXPECT_EQ(CN_OK, Run()) << expr << ": " << err_;
    return result_;
  }

  void Answer(const char *host, bool ex, const char *answer) {
    dns_.items = static_cast<cn_pac_dns_entry *>(
        realloc(dns_.items, (dns_.count + 1) * sizeof(cn_pac_dns_entry)));
    cn_pac_dns_entry *e = &dns_.items[dns_.count++];
    memset(e, 0, sizeof(*e));
    e->host = strdup(host);
    e->ex = ex;
    cn_pac_dns_table_answer(&dns_, dns_.count - 1, answer);
  }

  cn_pac_script *script_ = nullptr;
  cn_pac_dns_table dns_;
  char err_[300];
  std::string result_;
  std::vector<std::string> alerts_;
  uint64_t time_limit_ms_ = 0;
  size_t memory_limit_ = 0;
};

TEST_F(PacScriptTest, FindProxyForURLGetsUrlAndHost) {
  ASSERT_EQ(CN_OK, Load("function FindProxyForURL(u, h) { return 'PROXY ' + h + ':1; ' + u; }"));
  ASSERT_EQ(CN_OK, Run("http://x.test/p?q", "x.test"));
  EXPECT_EQ("PROXY x.test:1; http://x.test/p?q", result_);
}

TEST_F(PacScriptTest, FindProxyForURLExWinsWhenDefined) {
  ASSERT_EQ(CN_OK, Load("function FindProxyForURL(u, h) { return 'A'; }\n"
                        "function FindProxyForURLEx(u, h) { return 'B'; }"));
  ASSERT_EQ(CN_OK, Run());
  EXPECT_EQ("B", result_);
  ASSERT_EQ(CN_OK, Load("function FindProxyForURLEx(u, h) { return 'only ex'; }"));
  ASSERT_EQ(CN_OK, Run());
  EXPECT_EQ("only ex", result_);
}

TEST_F(PacScriptTest, PlainHostNameDomainLevelsLocalHost) {
  EXPECT_EQ("true", Eval("isPlainHostName('www')"));
  EXPECT_EQ("false", Eval("isPlainHostName('www.test')"));
  EXPECT_EQ("false", Eval("isPlainHostName('::1')"));
  EXPECT_EQ("true", Eval("dnsDomainIs('www.corp.test', '.corp.test')"));
  EXPECT_EQ("false", Eval("dnsDomainIs('www', '.corp.test')"));
  EXPECT_EQ("false", Eval("dnsDomainIs('a.test', 'www.a.test')"));
  EXPECT_EQ("true", Eval("localHostOrDomainIs('www', 'www.corp.test')"));
  EXPECT_EQ("true", Eval("localHostOrDomainIs('www.corp.test', 'www.corp.test')"));
  EXPECT_EQ("false", Eval("localHostOrDomainIs('www.other.test', 'www.corp.test')"));
  EXPECT_EQ("false", Eval("localHostOrDomainIs('home', 'www.corp.test')"));
  EXPECT_EQ("0", Eval("dnsDomainLevels('www')"));
  EXPECT_EQ("2", Eval("dnsDomainLevels('www.corp.test')"));
}

TEST_F(PacScriptTest, ShExpMatch) {
  EXPECT_EQ("true", Eval("shExpMatch('http://a.test/x/y.html', '*/x/*')"));
  EXPECT_EQ("true", Eval("shExpMatch('a.test', 'a.tes?')"));
  EXPECT_EQ("false", Eval("shExpMatch('abtest', 'a.test')"));  // '.' is literal
  EXPECT_EQ("false", Eval("shExpMatch('a.test.evil', '*.test')"));
  EXPECT_EQ("true", Eval("shExpMatch('(a+b)', '(a+b)')"));  // regex characters are literal
}

TEST_F(PacScriptTest, DnsHelpersReadTheTable) {
  Answer("known.test", false, "10.1.2.3");
  Answer("known.test", true, "fe80::1;10.1.2.3");
  Answer("gone.test", false, nullptr);
  Answer("gone.test", true, nullptr);
  EXPECT_EQ("10.1.2.3", Eval("dnsResolve('known.test')"));
  EXPECT_EQ("null", Eval("dnsResolve('gone.test')"));
  EXPECT_EQ("true", Eval("isResolvable('known.test')"));
  EXPECT_EQ("false", Eval("isResolvable('gone.test')"));
  EXPECT_EQ("fe80::1;10.1.2.3", Eval("dnsResolveEx('known.test')"));
  EXPECT_EQ("", Eval("dnsResolveEx('gone.test')"));
  EXPECT_EQ("true", Eval("isResolvableEx('known.test')"));
  EXPECT_EQ("false", Eval("isResolvableEx('gone.test')"));
  // IP literals answer themselves without a lookup.
  EXPECT_EQ("192.0.2.7", Eval("dnsResolve('192.0.2.7')"));
  EXPECT_EQ("::1", Eval("dnsResolveEx('::1')"));
  EXPECT_EQ(4u, dns_.count);
}

TEST_F(PacScriptTest, IsInNet) {
  Answer("known.test", false, "10.1.2.3");
  EXPECT_EQ("true", Eval("isInNet('10.1.2.3', '10.0.0.0', '255.0.0.0')"));
  EXPECT_EQ("false", Eval("isInNet('11.1.2.3', '10.0.0.0', '255.0.0.0')"));
  EXPECT_EQ("true", Eval("isInNet('known.test', '10.1.0.0', '255.255.0.0')"));
  // The top bit set: no sign trouble.
  EXPECT_EQ("true", Eval("isInNet('200.1.2.3', '200.1.0.0', '255.255.0.0')"));
  EXPECT_EQ("false", Eval("isInNet('300.1.2.3', '10.0.0.0', '255.0.0.0')"));
  EXPECT_EQ("false", Eval("isInNet('unknown.test', '10.0.0.0', '255.0.0.0')"));
}

TEST_F(PacScriptTest, IsInNetEx) {
  EXPECT_EQ("true", Eval("isInNetEx('198.95.249.79', '198.95.0.0/16')"));
  EXPECT_EQ("false", Eval("isInNetEx('198.96.249.79', '198.95.0.0/16')"));
  EXPECT_EQ("true", Eval("isInNetEx('3ffe:8311:ffff:abcd::1', '3ffe:8311:ffff::/48')"));
  EXPECT_EQ("false", Eval("isInNetEx('3ffe:8311:fffe::1', '3ffe:8311:ffff::/48')"));
  EXPECT_EQ("false", Eval("isInNetEx('10.0.0.1', '::/0')"));  // families differ
  EXPECT_EQ("false", Eval("isInNetEx('10.0.0.1', '10.0.0.0/33')"));
  EXPECT_EQ("false", Eval("isInNetEx('10.0.0.1', '10.0.0.0')"));
  EXPECT_EQ("true", Eval("isInNetEx('10.0.0.1', '0.0.0.0/0')"));
}

TEST_F(PacScriptTest, SortIpAddressList) {
  EXPECT_EQ("::1;fe80::2;10.0.0.2;192.168.1.1",
            Eval("sortIpAddressList('192.168.1.1;fe80::2;10.0.0.2; ::1')"));
  EXPECT_EQ("false", Eval("sortIpAddressList('10.0.0.1;not-an-ip')"));
  EXPECT_EQ("false", Eval("sortIpAddressList('')"));
}

TEST_F(PacScriptTest, MyIpAddress) {
  std::string v4 = Eval("myIpAddress()");
  unsigned char buf[16];
  EXPECT_EQ(1, inet_pton(AF_INET, v4.c_str(), buf)) << v4;
  std::string ex = Eval("myIpAddressEx()");
  // Every ';'-separated entry is an address (the machine may have no route:
  // then the list is empty).
  size_t start = 0;
  while (!ex.empty() && start <= ex.size()) {
    size_t semi = ex.find(';', start);
    std::string one = ex.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    EXPECT_TRUE(inet_pton(AF_INET, one.c_str(), buf) == 1 ||
                inet_pton(AF_INET6, one.c_str(), buf) == 1)
        << ex;
    if (semi == std::string::npos)
      break;
    start = semi + 1;
  }
  EXPECT_EQ("1.0", Eval("getClientVersion()"));
}

TEST_F(PacScriptTest, WeekdayRange) {
  // Monday, 10:30:15 GMT.
  EXPECT_EQ("true", Eval("weekdayRange('MON', 'GMT')"));
  EXPECT_EQ("false", Eval("weekdayRange('TUE', 'GMT')"));
  EXPECT_EQ("true", Eval("weekdayRange('SUN', 'TUE', 'GMT')"));
  EXPECT_EQ("true", Eval("weekdayRange('FRI', 'MON', 'GMT')"));  // wraps
  EXPECT_EQ("false", Eval("weekdayRange('TUE', 'SUN', 'GMT')"));
  EXPECT_EQ("false", Eval("weekdayRange('XYZ', 'GMT')"));
}

TEST_F(PacScriptTest, DateRange) {
  EXPECT_EQ("true", Eval("dateRange(7, 'GMT')"));
  EXPECT_EQ("false", Eval("dateRange(8, 'GMT')"));
  EXPECT_EQ("true", Eval("dateRange('DEC', 'GMT')"));
  EXPECT_EQ("true", Eval("dateRange(2026, 'GMT')"));
  EXPECT_EQ("false", Eval("dateRange(2025, 'GMT')"));
  EXPECT_EQ("true", Eval("dateRange(1, 15, 'GMT')"));
  EXPECT_EQ("true", Eval("dateRange('NOV', 'FEB', 'GMT')"));  // wraps
  EXPECT_EQ("false", Eval("dateRange('JAN', 'NOV', 'GMT')"));
  EXPECT_EQ("true", Eval("dateRange(1, 'DEC', 31, 'DEC', 'GMT')"));
  EXPECT_EQ("false", Eval("dateRange(8, 'DEC', 31, 'DEC', 'GMT')"));
  EXPECT_EQ("true", Eval("dateRange('OCT', 2026, 'JAN', 2027, 'GMT')"));
  EXPECT_EQ("false", Eval("dateRange('JAN', 2027, 'MAR', 2027, 'GMT')"));
  EXPECT_EQ("true", Eval("dateRange(1, 'JUN', 2026, 7, 'DEC', 2026, 'GMT')"));
  EXPECT_EQ("false", Eval("dateRange(1, 'JUN', 2026, 6, 'DEC', 2026, 'GMT')"));
  EXPECT_EQ("false", Eval("dateRange('DEC', 5, 'GMT')"));  // halves differ
}

TEST_F(PacScriptTest, TimeRange) {
  EXPECT_EQ("true", Eval("timeRange(10, 'GMT')"));
  EXPECT_EQ("false", Eval("timeRange(11, 'GMT')"));
  EXPECT_EQ("true", Eval("timeRange(9, 11, 'GMT')"));
  EXPECT_EQ("false", Eval("timeRange(11, 9, 'GMT')"));
  EXPECT_EQ("true", Eval("timeRange(22, 11, 'GMT')"));  // wraps past midnight
  EXPECT_EQ("true", Eval("timeRange(10, 30, 10, 31, 'GMT')"));
  EXPECT_EQ("false", Eval("timeRange(10, 31, 11, 0, 'GMT')"));
  EXPECT_EQ("true", Eval("timeRange(10, 30, 15, 10, 30, 16, 'GMT')"));
  EXPECT_EQ("false", Eval("timeRange(10, 30, 16, 10, 30, 17, 'GMT')"));
  EXPECT_EQ("false", Eval("timeRange('x', 'GMT')"));
}

TEST_F(PacScriptTest, AlertGoesToTheCallback) {
  ASSERT_EQ(CN_OK, Load("alert('loading');\n"
                        "function FindProxyForURL(u, h) { alert('for ' + h); return 'DIRECT'; }"));
  ASSERT_EQ(CN_OK, Run("http://a.test/", "a.test"));
  ASSERT_EQ(2u, alerts_.size());
  EXPECT_EQ("loading", alerts_[0]);
  EXPECT_EQ("for a.test", alerts_[1]);
}

TEST_F(PacScriptTest, NoIoFunctions) {
  EXPECT_EQ("undefined", Eval("typeof Duktape"));
  EXPECT_EQ("undefined", Eval("typeof require"));
  EXPECT_EQ("undefined", Eval("typeof print"));
  EXPECT_EQ("undefined", Eval("typeof XMLHttpRequest"));
}

TEST_F(PacScriptTest, UnknownNameAbandonsTheRunAndIsRecorded) {
  ASSERT_EQ(CN_OK, Load("function FindProxyForURL(u, h) {\n"
                        "  try { dnsResolve('a.test'); } catch (e) {}\n"  // caught: still abandoned
                        "  return isResolvable('b.test') ? 'PROXY p:1' : 'DIRECT';\n"
                        "}"));
  // The run goes on after the caught error and records b.test too, so one
  // batch of lookups answers both.
  EXPECT_EQ(CN_PAC_NEEDS_DNS, Run("http://x/", "x", false));
  ASSERT_EQ(2u, dns_.count);
  EXPECT_STREQ("a.test", dns_.items[0].host);
  EXPECT_FALSE(dns_.items[0].answered);
  EXPECT_STREQ("b.test", dns_.items[1].host);
  cn_pac_dns_table_answer(&dns_, 0, "10.0.0.1");
  EXPECT_EQ(CN_PAC_NEEDS_DNS, Run("http://x/", "x", false));  // b.test still unknown
  EXPECT_EQ(2u, dns_.count);
  cn_pac_dns_table_answer(&dns_, 1, "10.0.0.2");
  ASSERT_EQ(CN_OK, Run("http://x/", "x", false));
  EXPECT_EQ("PROXY p:1", result_);
}

TEST_F(PacScriptTest, FinalRunAnswersUnknownNamesAsUnresolvable) {
  ASSERT_EQ(CN_OK, Load("function FindProxyForURL(u, h) {\n"
                        "  return isResolvable('b.test') ? 'PROXY p:1' : 'DIRECT';\n"
                        "}"));
  ASSERT_EQ(CN_OK, Run("http://x/", "x", true));
  EXPECT_EQ("DIRECT", result_);
}

TEST_F(PacScriptTest, SyntaxErrorNamesTheLine) {
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_FAILED, Load("function FindProxyForURL(u, h) {\n  return (;\n}"));
  EXPECT_EQ(nullptr, script_);
  EXPECT_NE(nullptr, strstr(err_, "SyntaxError")) << err_;
  EXPECT_NE(nullptr, strstr(err_, "line 2")) << err_;
}

TEST_F(PacScriptTest, MissingFunctionIsAnError) {
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_FAILED, Load("var x = 1;"));
  EXPECT_NE(nullptr, strstr(err_, "no FindProxyForURL")) << err_;
}

TEST_F(PacScriptTest, RuntimeErrorAndNonStringResult) {
  ASSERT_EQ(CN_OK, Load("function FindProxyForURL(u, h) {\n  return undefinedThing.x;\n}"));
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_FAILED, Run());
  EXPECT_NE(nullptr, strstr(err_, "ReferenceError")) << err_;
  EXPECT_NE(nullptr, strstr(err_, "line 2")) << err_;
  ASSERT_EQ(CN_OK, Load("function FindProxyForURL(u, h) { return 42; }"));
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_FAILED, Run());
  EXPECT_NE(nullptr, strstr(err_, "not a string")) << err_;
}

TEST_F(PacScriptTest, TimeLimitStopsAnEndlessLoopAndTheScriptRecovers) {
  time_limit_ms_ = 100;
  ASSERT_EQ(CN_OK, Load("var calls = 0;\n"
                        "function FindProxyForURL(u, h) {\n"
                        "  calls++;\n"
                        "  if (h == 'loop') { for (;;) { try { for (;;) {} } catch (e) {} } }\n"
                        "  return 'DIRECT ' + calls;\n"
                        "}"));
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_TERMINATED, Run("http://loop/", "loop"));
  EXPECT_NE(nullptr, strstr(err_, "time limit of 100 ms")) << err_;
  // A fresh heap: the counter starts again.
  ASSERT_EQ(CN_OK, Run("http://a/", "a"));
  EXPECT_EQ("DIRECT 1", result_);
}

TEST_F(PacScriptTest, TimeLimitAppliesToTheTopLevel) {
  time_limit_ms_ = 50;
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_TERMINATED,
            Load("while (true) {}\nfunction FindProxyForURL(u, h) { return 'DIRECT'; }"));
  EXPECT_EQ(nullptr, script_);
}

TEST_F(PacScriptTest, MemoryLimitStopsAGreedyScript) {
  // A generous time limit: near the cap every allocation runs duktape's
  // emergency collection, which is slow in a debug build.
  memory_limit_ = 1024 * 1024;
  time_limit_ms_ = 30000;
  ASSERT_EQ(CN_OK, Load("function FindProxyForURL(u, h) {\n"
                        "  var a = [];\n"
                        "  if (h == 'greedy') for (;;) a.push('x' + a.length + new Array(100).join('y'));\n"
                        "  return 'DIRECT';\n"
                        "}"));
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_TERMINATED, Run("http://greedy/", "greedy"));
  EXPECT_NE(nullptr, strstr(err_, "memory limit")) << err_;
  ASSERT_EQ(CN_OK, Run("http://a/", "a"));
  EXPECT_EQ("DIRECT", result_);
}

}  // namespace
