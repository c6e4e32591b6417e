// Helpers for cn_host_resolver tests (//net/dns:test_support): an address
// list as text, a manual clock for the cache, and one resolve's outcome.
#ifndef CNET_NET_DNS_HOST_RESOLVER_TEST_UTIL_H_
#define CNET_NET_DNS_HOST_RESOLVER_TEST_UTIL_H_

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>

#include "net/dns/host_resolver.h"

namespace cnet_test {

// "[127.0.0.1:80, [::1]:80]".
inline std::string AddressListToString(const cn_address_list &l) {
  char *s = cn_address_list_to_string(&l);
  std::string r = s;
  free(s);
  return r;
}

// For cn_host_resolver_options.now_ms: time moves only when the test says.
struct ManualClock {
  static uint64_t Now(void *ctx) { return static_cast<ManualClock *>(ctx)->now; }
  uint64_t now = 1000;
};

// The result of one resolve, filled by the callback (OnDone with this as
// its arg); |on_done| runs inside the callback.
struct ResolveResult {
  static void OnDone(void *arg, int rv) {
    ResolveResult *r = static_cast<ResolveResult *>(arg);
    r->calls++;
    r->rv = rv;
    if (r->on_done)
      r->on_done(r);
  }
  ResolveResult() { cn_address_list_init(&addrs); }
  ~ResolveResult() { cn_address_list_free(&addrs); }
  ResolveResult(const ResolveResult &) = delete;
  ResolveResult &operator=(const ResolveResult &) = delete;
  std::string Addrs() const { return AddressListToString(addrs); }

  int calls = 0;
  int rv = 1;
  cn_address_list addrs;
  cn_host_resolve_request *req = nullptr;
  std::function<void(ResolveResult *)> on_done;
};

}  // namespace cnet_test

#endif  // CNET_NET_DNS_HOST_RESOLVER_TEST_UTIL_H_
