// Authentication through the transaction, over mock sockets: a 401 from
// the origin answered on the same connection (Basic from the URL, Digest
// with the caller's identity given later), 407 then 401 in one request
// (Chromium's BasicAuthProxyThenServer), the cache's pre-emptive
// credentials on known paths and never to another host, and the NetLog
// events (never the password).
#include "net/http/http_transaction.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/http/http_auth_cache.h"
#include "net/http/http_network_session.h"
#include "net/http/http_network_session_test_util.h"
#include "net/http/http_transaction_test_util.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::SocketScript;
using cnet_test::TestCompletion;

using cnet_test::Get;
using cnet_test::kOk;
const char k401Basic[] =
    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"site\"\r\n"
    "Content-Length: 6\r\n\r\ndenied";
const char k407Basic[] =
    "HTTP/1.1 407 Proxy Authentication Required\r\n"
    "Proxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 6\r\n\r\ndenied";
const char kOriginAuth[] = "Authorization: Basic dTpw\r\n";         // u:p
const char kProxyAuth[] = "Proxy-Authorization: Basic cHU6cHA=\r\n";  // pu:pp

class AuthTxn {
 public:
  AuthTxn(cn_http_network_session *session, uv_loop_t *loop, const std::string &url,
          bool ask = false)
      : loop_(loop) {
    EXPECT_EQ(CN_OK, cn_url_parse(url.c_str(), &url_));
    info_.method = "GET";
    info_.url = &url_;
    t_ = cn_http_transaction_new(session, CN_PRIORITY_MEDIUM);
    cn_http_auth_params p = {};
    p.ask = ask;
    cn_http_transaction_set_auth(t_, &p);
  }
  ~AuthTxn() {
    cn_http_transaction_destroy(t_);
    cn_url_free(&url_);
  }
  int Start() { return c_.WaitForResult(loop_, cn_http_transaction_start(t_, &info_, c_.cb(), c_.arg())); }
  int Restart(const char *user, const char *pass) {
    TestCompletion c;
    return c.WaitForResult(
        loop_, cn_http_transaction_restart_with_auth(t_, user, pass, c.cb(), c.arg()));
  }
  int status() const {
    const cn_http_response_head *h = cn_http_transaction_response(t_);
    return h ? h->status : -1;
  }
  std::string Body() {
    std::string out;
    for (;;) {
      cn_iobuf *buf = cn_iobuf_new(4096);
      TestCompletion c;
      int rv = c.WaitForResult(loop_, cn_http_transaction_read(t_, buf, buf->size, c.cb(), c.arg()));
      if (rv > 0)
        out.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
      cn_iobuf_unref(buf);
      if (rv <= 0)
        return rv == 0 ? out : "error " + std::to_string(rv);
    }
  }
  const cn_http_auth_challenge_info *challenge() const {
    return cn_http_transaction_auth_challenge(t_);
  }

 private:
  uv_loop_t *loop_;
  cn_url url_{};
  cn_http_request_info info_{};
  cn_http_transaction *t_;
  TestCompletion c_;
};

class HttpTransactionAuthTest : public cnet_test::SessionTestBase {
 protected:
  // The Digest credentials for the challenge of |response| (a 401), nonce
  // count 1, cnonce "c0ffee", user Mufasa.
  static std::string Expected(const char *response, const char *uri) {
    std::string r(response);
    size_t at = r.find("WWW-Authenticate: ") + 18;
    std::string value = r.substr(at, r.find("\r\n", at) - at);
    cn_http_auth_challenge *c;
    size_t n = cn_http_auth_parse_value(value.c_str(), &c);
    cn_http_auth_handler *h = n ? cn_http_auth_handler_new(&c[0], CN_HTTP_AUTH_ANY) : nullptr;
    cn_http_auth_challenges_free(c, n);
    if (!h)
      return "<no handler>";
    cn_http_auth_digest_set_cnonce(h, "c0ffee");
    char *v = cn_http_auth_handler_generate(h, "Mufasa", "secret", "GET", uri);
    std::string out = v;
    free(v);
    cn_http_auth_handler_free(h);
    return out;
  }
  // A GET run to its end: "STATUS body" or "error N".
  std::string Fetch(const std::string &url) {
    AuthTxn t(session_, loop_.get(), url);
    int rv = t.Start();
    if (rv != CN_OK)
      return "error " + std::to_string(rv);
    return std::to_string(t.status()) + " " + t.Body();
  }
};

TEST_F(HttpTransactionAuthTest, Origin401AnsweredWithTheUrlsCredentialsOnTheSameConnection) {
  MakeSession();
  factory_.AddMock(SocketScript()
                       .Write(Get("/a/page", "origin.test"))
                       .Read(k401Basic)
                       .Write(Get("/a/page", "origin.test", kOriginAuth))
                       .Read(kOk)
                       // Taken: a path under /a/ of the same origin sends them up front...
                       .Write(Get("/a/other", "origin.test", kOriginAuth))
                       .Read(kOk)
                       // ...one outside it does not.
                       .Write(Get("/b", "origin.test"))
                       .Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://u:p@origin.test/a/page"));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/a/other"));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/b"));
  EXPECT_EQ(1u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionAuthTest, CachedCredentialsNeverGoToAnotherHost) {
  MakeSession();
  factory_.AddMock(SocketScript()
                       .Write(Get("/", "origin.test"))
                       .Read(k401Basic)
                       .Write(Get("/", "origin.test", kOriginAuth))
                       .Read(kOk));
  factory_.AddMock(SocketScript().Write(Get("/", "other.test")).Read(k401Basic));
  EXPECT_EQ("200 ok", Fetch("http://u:p@origin.test/"));
  // Another host asks for the same realm: nothing is sent, the 401 is the
  // response (no identity for it, nobody to ask).
  EXPECT_EQ("401 denied", Fetch("http://other.test/"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionAuthTest, Origin401WithoutIdentityIsTheResponse) {
  MakeSession();
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(k401Basic));
  EXPECT_EQ("401 denied", Fetch("http://origin.test/"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionAuthTest, DigestAnsweredLaterByTheCallerThenStale) {
  MakeSession();
  const char k401Digest[] =
      "HTTP/1.1 401 Unauthorized\r\n"
      "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-256\r\n"
      "Content-Length: 0\r\n\r\n";
  const char k401Stale[] =
      "HTTP/1.1 401 Unauthorized\r\n"
      "WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", algorithm=SHA-256, "
      "stale=true\r\nContent-Length: 0\r\n\r\n";
  // The mock compares writes exactly: a fixed cnonce, and the expected
  // Authorization made by a handler of each challenge.
  cn_http_network_session_auth_cache(session_)->fixed_cnonce = "c0ffee";
  std::string first = Expected(k401Digest, "/x");
  std::string second = Expected(k401Stale, "/x");
  ASSERT_NE(std::string::npos, first.find("nonce=\"n1\", uri=\"/x\", algorithm=SHA-256"));
  ASSERT_NE(std::string::npos, second.find("nonce=\"n2\""));
  factory_.AddMock(SocketScript()
                       .Write(Get("/x", "origin.test"))
                       .Read(k401Digest)
                       .Write(Get("/x", "origin.test", "Authorization: " + first + "\r\n"))
                       .Read(k401Stale)
                       .Write(Get("/x", "origin.test", "Authorization: " + second + "\r\n"))
                       .Read(kOk));
  AuthTxn t(session_, loop_.get(), "http://origin.test/x", /*ask=*/true);
  ASSERT_EQ(CN_OK, t.Start());
  EXPECT_EQ(401, t.status());
  const cn_http_auth_challenge_info *ci = t.challenge();
  ASSERT_NE(nullptr, ci);
  EXPECT_EQ(CN_HTTP_AUTH_ORIGIN, ci->target);
  EXPECT_FALSE(ci->tunnel);
  EXPECT_STREQ("origin.test:80", ci->server);
  EXPECT_STREQ("Digest", ci->scheme);
  EXPECT_STREQ("r", ci->realm);
  // The stale nonce is answered without asking again.
  ASSERT_EQ(CN_OK, t.Restart("Mufasa", "secret"));
  EXPECT_EQ(200, t.status());
  EXPECT_EQ(nullptr, t.challenge());
  EXPECT_EQ("ok", t.Body());
  auto sent = recorder_.Of(CN_NETLOG_AUTH_CREDENTIALS_SENT, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(2u, sent.size());
  EXPECT_EQ("Digest", sent[0].params["scheme"]);
  EXPECT_EQ("application", sent[0].params["identity"]);
  EXPECT_EQ("1", sent[1].params["nc"]);  // the new nonce counts from 1
  // Never the password, in any event.
  for (const auto &e : recorder_.entries)
    for (const auto &p : e.params)
      EXPECT_EQ(std::string::npos, p.second.find("secret")) << p.first;
  auto headers = recorder_.Of(CN_NETLOG_HTTP_TRANSACTION_SEND_REQUEST_HEADERS, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(3u, headers.size());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionAuthTest, ProxyThenServer) {
  // Chromium's BasicAuthProxyThenServer: 407, then 401, then 200, each
  // answered with its own target's identity, on one connection.
  MakeSession("http://pu:pp@proxy.test:8080");
  factory_.AddMock(
      SocketScript()
          .Write(Get("http://origin.test/", "origin.test"))
          .Read(k407Basic)
          .Write(Get("http://origin.test/", "origin.test", kProxyAuth))
          .Read(k401Basic)
          .Write(Get("http://origin.test/", "origin.test", std::string(kOriginAuth) + kProxyAuth))
          .Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://u:p@origin.test/"));
  EXPECT_EQ(1u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionAuthTest, Proxy407WithoutIdentityAskedWhenTheCallerAnswers) {
  MakeSession("http://proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://origin.test/", "origin.test"))
                       .Read(k407Basic)
                       .Write(Get("http://origin.test/", "origin.test", kProxyAuth))
                       .Read(kOk));
  AuthTxn t(session_, loop_.get(), "http://origin.test/", /*ask=*/true);
  ASSERT_EQ(CN_OK, t.Start());
  EXPECT_EQ(407, t.status());
  ASSERT_NE(nullptr, t.challenge());
  EXPECT_EQ(CN_HTTP_AUTH_PROXY, t.challenge()->target);
  EXPECT_STREQ("proxy.test:8080", t.challenge()->server);
  ASSERT_EQ(CN_OK, t.Restart("pu", "pp"));
  EXPECT_EQ(200, t.status());
  factory_.ExpectAllUsedAndDone();
}

}  // namespace
