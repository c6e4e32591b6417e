#include "net/dns/dns_test_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace cnet_test {

namespace {

constexpr int kTypeA = 1;
constexpr int kTypeAAAA = 28;
constexpr int kClassIN = 1;
constexpr int kRcodeNxDomain = 3;
constexpr int kRcodeFormErr = 1;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void Put16(std::string *out, int v) {
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

void Put32(std::string *out, uint32_t v) {
  Put16(out, static_cast<int>(v >> 16));
  Put16(out, static_cast<int>(v & 0xffff));
}

}  // namespace

DnsTestServer::DnsTestServer(uv_loop_t *loop) : loop_(loop) {}

DnsTestServer::~DnsTestServer() {
  if (udp_)
    uv_close(reinterpret_cast<uv_handle_t *>(udp_),
             [](uv_handle_t *h) { delete reinterpret_cast<uv_udp_t *>(h); });
}

bool DnsTestServer::Start() {
  udp_ = new uv_udp_t;
  uv_udp_init(loop_, udp_);
  udp_->data = this;
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  int rv = uv_udp_bind(udp_, reinterpret_cast<const struct sockaddr *>(&addr), 0);
  EXPECT_EQ(0, rv) << "DnsTestServer bind: " << uv_strerror(rv);
  if (rv != 0)
    return false;
  struct sockaddr_storage bound;
  int len = sizeof(bound);
  uv_udp_getsockname(udp_, reinterpret_cast<struct sockaddr *>(&bound), &len);
  port_ = ntohs(reinterpret_cast<struct sockaddr_in *>(&bound)->sin_port);
  rv = uv_udp_recv_start(udp_, OnAlloc, OnRecv);
  EXPECT_EQ(0, rv) << "DnsTestServer recv: " << uv_strerror(rv);
  return rv == 0;
}

void DnsTestServer::Add(const std::string &name, const std::string &ip, uint32_t ttl_s) {
  Record r;
  r.ttl = ttl_s;
  unsigned char bytes[16];
  if (inet_pton(AF_INET, ip.c_str(), bytes) == 1) {
    r.qtype = kTypeA;
    r.rdata.assign(reinterpret_cast<char *>(bytes), 4);
  } else {
    ASSERT_EQ(1, inet_pton(AF_INET6, ip.c_str(), bytes)) << "not an IP literal: " << ip;
    r.qtype = kTypeAAAA;
    r.rdata.assign(reinterpret_cast<char *>(bytes), 16);
  }
  records_[Lower(name)].push_back(r);
}

void DnsTestServer::Remove(const std::string &name) { records_.erase(Lower(name)); }

int DnsTestServer::queries(const std::string &name, int qtype) const {
  int n = 0;
  for (const auto &kv : counts_) {
    if (kv.first.first == Lower(name) && (qtype == 0 || kv.first.second == qtype))
      n += kv.second;
  }
  return n;
}

void DnsTestServer::OnAlloc(uv_handle_t *h, size_t, uv_buf_t *buf) {
  DnsTestServer *s = static_cast<DnsTestServer *>(h->data);
  *buf = uv_buf_init(s->buf_, sizeof(s->buf_));
}

void DnsTestServer::OnRecv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf,
                           const struct sockaddr *from, unsigned) {
  DnsTestServer *s = static_cast<DnsTestServer *>(h->data);
  if (n <= 0 || !from)
    return;
  s->Answer(reinterpret_cast<const uint8_t *>(buf->base), static_cast<size_t>(n), from);
}

void DnsTestServer::Answer(const uint8_t *q, size_t len, const struct sockaddr *from) {
  if (len < 12)
    return;
  // The question: labels up to the root, then type and class.
  size_t p = 12;
  std::string name;
  while (p < len && q[p] != 0) {
    size_t label = q[p];
    if (label > 63 || p + 1 + label > len)
      return;
    if (!name.empty())
      name += '.';
    name.append(reinterpret_cast<const char *>(q + p + 1), label);
    p += 1 + label;
  }
  if (p + 5 > len)
    return;
  p++;  // the root label
  int qtype = (q[p] << 8) | q[p + 1];
  int qclass = (q[p + 2] << 8) | q[p + 3];
  size_t question_end = p + 4;
  name = Lower(name);
  total_++;
  counts_[{name, qtype}]++;
  if (silent_)
    return;

  std::string out(reinterpret_cast<const char *>(q), 2);  // the id
  int rcode = 0;
  std::vector<const Record *> answers;
  if (qclass != kClassIN) {
    rcode = kRcodeFormErr;
  } else {
    auto it = records_.find(name);
    if (it == records_.end()) {
      rcode = kRcodeNxDomain;
    } else {
      for (const Record &r : it->second) {
        if (r.qtype == qtype)
          answers.push_back(&r);
      }
    }
  }
  // QR, opcode 0, AA, RD copied from the query, RA.
  Put16(&out, 0x8400 | (q[2] & 0x01) << 8 | 0x80 | rcode);
  Put16(&out, 1);
  Put16(&out, static_cast<int>(answers.size()));
  Put16(&out, 0);
  Put16(&out, 0);
  out.append(reinterpret_cast<const char *>(q + 12), question_end - 12);
  for (const Record *r : answers) {
    Put16(&out, 0xc00c);  // a pointer to the question's name
    Put16(&out, r->qtype);
    Put16(&out, kClassIN);
    Put32(&out, r->ttl);
    Put16(&out, static_cast<int>(r->rdata.size()));
    out += r->rdata;
  }
  uv_buf_t b = uv_buf_init(const_cast<char *>(out.data()), static_cast<unsigned>(out.size()));
  // Loopback UDP with an empty send queue: try_send sends at once.
  int rv = uv_udp_try_send(udp_, &b, 1, from);
  EXPECT_EQ(static_cast<int>(out.size()), rv) << "DnsTestServer send: " << uv_strerror(rv);
}

}  // namespace cnet_test
