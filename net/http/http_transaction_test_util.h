// What the transaction tests share: the request head the session's
// transactions write (User-Agent "cnet-test", as SessionTestBase sets) and
// a small keep-alive answer.
#ifndef CNET_NET_HTTP_HTTP_TRANSACTION_TEST_UTIL_H_
#define CNET_NET_HTTP_HTTP_TRANSACTION_TEST_UTIL_H_

#include <string>

namespace cnet_test {

// "GET |target| HTTP/1.1" with Host |host|, then |extra| fields.
inline std::string Get(const std::string &target, const std::string &host,
                       const std::string &extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: cnet-test\r\n" + extra +
         "\r\n";
}

constexpr char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

}  // namespace cnet_test

#endif  // CNET_NET_HTTP_HTTP_TRANSACTION_TEST_UTIL_H_
