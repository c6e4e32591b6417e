// A DNS server for tests, in-process on the test's libuv loop: UDP on
// 127.0.0.1 at a free port, answering A and AAAA queries from a table the
// test fills (with the TTL it chooses), NXDOMAIN for names not in it,
// NOERROR with no answer (NODATA) for a listed name without records of the
// asked type. It counts the queries per name and type, so tests can see
// lookups merged or served from the cache, and can go silent (read and drop
// every query) to test timeouts.
//
// Test-only (//net/dns:test_support). Loop thread only; the loop must be run
// for it to answer. The destructor closes its socket; run the loop
// afterwards (TestLoop's destructor does).
#ifndef CNET_NET_DNS_DNS_TEST_SERVER_H_
#define CNET_NET_DNS_DNS_TEST_SERVER_H_

#include <uv.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cnet_test {

class DnsTestServer {
 public:
  explicit DnsTestServer(uv_loop_t *loop);
  ~DnsTestServer();
  DnsTestServer(const DnsTestServer &) = delete;
  DnsTestServer &operator=(const DnsTestServer &) = delete;

  // Binds 127.0.0.1:0 and starts answering. False (and a gtest failure) if
  // the socket could not be made.
  bool Start();
  uint16_t port() const { return port_; }
  // "127.0.0.1:PORT", for the servers option.
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Adds an address record for |name| (case-insensitive, no trailing dot):
  // A for an IPv4 literal, AAAA for an IPv6 one, with |ttl_s|.
  void Add(const std::string &name, const std::string &ip, uint32_t ttl_s = 300);
  // Drops every record of |name| (it then gets NXDOMAIN).
  void Remove(const std::string &name);
  // Silent: every query is read and dropped.
  void set_silent(bool silent) { silent_ = silent; }

  // Queries seen for |name| of |qtype| (1: A, 28: AAAA; 0: any type).
  int queries(const std::string &name, int qtype = 0) const;
  int total_queries() const { return total_; }

 private:
  struct Record {
    int qtype;
    std::string rdata;  // 4 or 16 bytes
    uint32_t ttl;
  };
  static void OnAlloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
  static void OnRecv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf, const struct sockaddr *from,
                     unsigned flags);
  void Answer(const uint8_t *q, size_t len, const struct sockaddr *from);

  uv_loop_t *loop_;
  uv_udp_t *udp_ = nullptr;  // heap: freed by its close callback
  uint16_t port_ = 0;
  bool silent_ = false;
  std::map<std::string, std::vector<Record>> records_;
  std::map<std::pair<std::string, int>, int> counts_;
  int total_ = 0;
  char buf_[1500];
};

}  // namespace cnet_test

#endif  // CNET_NET_DNS_DNS_TEST_SERVER_H_
