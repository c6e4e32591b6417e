// The challenge parser, the Basic and Digest handlers (RFC 7616's worked
// examples), the auth cache's rules and the controller's choice of
// identity.
#include "net/http/http_auth.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/http/http_auth_cache.h"
#include "net/http/http_auth_controller.h"

namespace {

struct Parsed {
  cn_http_auth_challenge *c = nullptr;
  size_t n = 0;
  explicit Parsed(const char *value) { n = cn_http_auth_parse_value(value, &c); }
  ~Parsed() { cn_http_auth_challenges_free(c, n); }
  std::string param(size_t i, const char *name) const {
    const char *v = cn_http_auth_challenge_param(&c[i], name);
    return v ? v : "<none>";
  }
};

struct Headers {
  cn_http_headers h;
  Headers(const char *field, std::initializer_list<const char *> values) {
    cn_http_headers_init(&h);
    for (const char *v : values)
      cn_http_headers_add(&h, field, v);
  }
  ~Headers() { cn_http_headers_free(&h); }
};

std::string Take(char *s) {
  std::string out = s ? s : "<null>";
  free(s);
  return out;
}

// RFC 7616 section 3.9.1.
const char kRfcChallengeSha256[] =
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
const char kRfcChallengeMd5[] =
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
const char kRfcCnonce[] = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

TEST(HttpAuthParseTest, ChallengesAndParams) {
  Parsed p("Negotiate, Basic realm=\"a, Basic b\", Digest realm=r, nonce=\"n\\\"x\", qop=auth");
  ASSERT_EQ(3u, p.n);
  EXPECT_STREQ("Negotiate", p.c[0].scheme);
  EXPECT_EQ(0u, p.c[0].num_params);
  EXPECT_STREQ("Basic", p.c[1].scheme);
  EXPECT_EQ("a, Basic b", p.param(1, "realm"));  // a comma inside quotes
  EXPECT_STREQ("Digest", p.c[2].scheme);
  EXPECT_EQ("r", p.param(2, "REALM"));
  EXPECT_EQ("n\"x", p.param(2, "nonce"));  // a quoted-pair
  EXPECT_EQ("auth", p.param(2, "qop"));
}

TEST(HttpAuthParseTest, Token68AndSpaces) {
  Parsed p("Bearer abc.def==,  Basic  realm = \"x\"");
  ASSERT_EQ(2u, p.n);
  EXPECT_STREQ("Bearer", p.c[0].scheme);
  ASSERT_NE(nullptr, p.c[0].token68);
  EXPECT_STREQ("abc.def==", p.c[0].token68);
  EXPECT_EQ("x", p.param(1, "realm"));
}

TEST(HttpAuthParseTest, MalformedPartsAreSkipped) {
  Parsed p(",, \"junk\", Basic realm=\"unterminated");
  ASSERT_EQ(1u, p.n);
  EXPECT_STREQ("Basic", p.c[0].scheme);
  EXPECT_EQ("unterminated", p.param(0, "realm"));
  Parsed empty("");
  EXPECT_EQ(0u, empty.n);
}

TEST(HttpAuthParseTest, SeveralFields) {
  Headers h("WWW-Authenticate", {"Basic realm=a", "Digest realm=b, nonce=n"});
  cn_http_auth_challenge *c;
  size_t n = cn_http_auth_parse(&h.h, "WWW-Authenticate", &c);
  ASSERT_EQ(2u, n);
  EXPECT_STREQ("Digest", c[1].scheme);
  cn_http_auth_challenges_free(c, n);
}

TEST(HttpAuthHandlerTest, ChoosesTheStrongestAllowed) {
  Parsed p("Basic realm=\"b\", Digest realm=\"d\", nonce=\"n\", qop=auth");
  cn_http_auth_handler *h = cn_http_auth_handler_choose(p.c, p.n, CN_HTTP_AUTH_ANY);
  ASSERT_NE(nullptr, h);
  EXPECT_STREQ("Digest", h->ops->scheme);
  EXPECT_STREQ("d", h->realm);
  cn_http_auth_handler_free(h);
  h = cn_http_auth_handler_choose(p.c, p.n, CN_HTTP_AUTH_BASIC);
  ASSERT_NE(nullptr, h);
  EXPECT_STREQ("Basic", h->ops->scheme);
  cn_http_auth_handler_free(h);
  Parsed unusable("Digest realm=x, qop=auth-int, nonce=n, Digest realm=y, algorithm=SHA-512");
  EXPECT_EQ(nullptr, cn_http_auth_handler_choose(unusable.c, unusable.n, CN_HTTP_AUTH_ANY));
  Parsed other("Negotiate, NTLM");
  EXPECT_EQ(nullptr, cn_http_auth_handler_choose(other.c, other.n, CN_HTTP_AUTH_ANY));
}

TEST(HttpAuthHandlerTest, Basic) {
  Parsed p("Basic realm=\"WallyWorld\"");
  cn_http_auth_handler *h = cn_http_auth_handler_new(&p.c[0], CN_HTTP_AUTH_ANY);
  ASSERT_NE(nullptr, h);
  // RFC 7617 section 2's example.
  EXPECT_EQ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            Take(cn_http_auth_handler_generate(h, "Aladdin", "open sesame", "GET", "/")));
  EXPECT_EQ(CN_HTTP_AUTH_REJECT, h->ops->handle_another(h, &p.c[0]));
  cn_http_auth_handler_free(h);
}

std::string DigestResponse(const char *challenge, const char *uri = "/dir/index.html") {
  Parsed p(challenge);
  cn_http_auth_handler *h = cn_http_auth_handler_new(&p.c[0], CN_HTTP_AUTH_ANY);
  if (!h)
    return "<no handler>";
  cn_http_auth_digest_set_cnonce(h, kRfcCnonce);
  std::string v = Take(cn_http_auth_handler_generate(h, "Mufasa", "Circle of Life", "GET", uri));
  cn_http_auth_handler_free(h);
  return v;
}

TEST(HttpAuthDigestTest, Rfc7616Sha256) {
  std::string v = DigestResponse(kRfcChallengeSha256);
  EXPECT_NE(std::string::npos,
            v.find("response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""))
      << v;
  EXPECT_NE(std::string::npos, v.find("algorithm=SHA-256")) << v;
  EXPECT_NE(std::string::npos, v.find("qop=auth, nc=00000001")) << v;
  EXPECT_NE(std::string::npos, v.find("opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""));
  EXPECT_NE(std::string::npos, v.find("uri=\"/dir/index.html\""));
  EXPECT_EQ(0u, v.find("Digest username=\"Mufasa\", realm=\"http-auth@example.org\""));
}

TEST(HttpAuthDigestTest, Rfc7616Md5) {
  std::string v = DigestResponse(kRfcChallengeMd5);
  EXPECT_NE(std::string::npos, v.find("response=\"8ca523f5e9506fed4657c9700eebdbec\"")) << v;
  EXPECT_NE(std::string::npos, v.find("algorithm=MD5")) << v;
}

TEST(HttpAuthDigestTest, Rfc2617NoQop) {
  // RFC 2069 2.4's example (no qop): response = MD5(HA1:nonce:HA2).
  Parsed p("Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
  cn_http_auth_handler *h = cn_http_auth_handler_new(&p.c[0], CN_HTTP_AUTH_ANY);
  ASSERT_NE(nullptr, h);
  std::string v =
      Take(cn_http_auth_handler_generate(h, "Mufasa", "CircleOfLife", "GET", "/dir/index.html"));
  EXPECT_NE(std::string::npos, v.find("response=\"1949323746fe6a43ef61f9606e7febea\"")) << v;
  EXPECT_EQ(std::string::npos, v.find("nc=")) << v;
  EXPECT_EQ(std::string::npos, v.find("algorithm")) << v;  // none was named
  cn_http_auth_handler_free(h);
}

TEST(HttpAuthDigestTest, NonceCountAndStale) {
  Parsed p("Digest realm=\"r\", nonce=\"n1\", qop=auth");
  cn_http_auth_handler *h = cn_http_auth_handler_new(&p.c[0], CN_HTTP_AUTH_ANY);
  ASSERT_NE(nullptr, h);
  EXPECT_EQ(1u, cn_http_auth_digest_next_nc(h));
  std::string a = Take(cn_http_auth_handler_generate(h, "u", "p", "GET", "/"));
  std::string b = Take(cn_http_auth_handler_generate(h, "u", "p", "GET", "/"));
  EXPECT_NE(std::string::npos, a.find("nc=00000001"));
  EXPECT_NE(std::string::npos, b.find("nc=00000002"));
  // A fresh random cnonce per request.
  EXPECT_NE(a.substr(a.find("cnonce=")), b.substr(b.find("cnonce=")));
  Parsed stale("Digest realm=\"r\", nonce=\"n2\", qop=auth, stale=TRUE");
  EXPECT_EQ(CN_HTTP_AUTH_STALE, h->ops->handle_another(h, &stale.c[0]));
  std::string c = Take(cn_http_auth_handler_generate(h, "u", "p", "GET", "/"));
  EXPECT_NE(std::string::npos, c.find("nonce=\"n2\""));
  EXPECT_NE(std::string::npos, c.find("nc=00000001"));  // counted again from 1
  Parsed refused("Digest realm=\"r\", nonce=\"n3\", qop=auth");
  EXPECT_EQ(CN_HTTP_AUTH_REJECT, h->ops->handle_another(h, &refused.c[0]));
  Parsed other_realm("Digest realm=\"other\", nonce=\"n3\", stale=true");
  EXPECT_EQ(CN_HTTP_AUTH_REJECT, h->ops->handle_another(h, &other_realm.c[0]));
  cn_http_auth_handler_free(h);
}

TEST(HttpAuthDigestTest, SessAndUserhash) {
  Parsed p("Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=SHA-256-sess, userhash=true");
  cn_http_auth_handler *h = cn_http_auth_handler_new(&p.c[0], CN_HTTP_AUTH_ANY);
  ASSERT_NE(nullptr, h);
  std::string v = Take(cn_http_auth_handler_generate(h, "Mufasa", "pw", "GET", "/"));
  EXPECT_NE(std::string::npos, v.find("algorithm=SHA-256-sess")) << v;
  EXPECT_NE(std::string::npos, v.find("userhash=true")) << v;
  EXPECT_EQ(std::string::npos, v.find("Mufasa")) << v;  // the name goes hashed
  cn_http_auth_handler_free(h);
}

cn_http_auth_handler *NewHandler(const char *challenge) {
  Parsed p(challenge);
  return cn_http_auth_handler_new(&p.c[0], CN_HTTP_AUTH_ANY);
}

TEST(HttpAuthCacheTest, KeysAndPaths) {
  cn_http_auth_cache cache;
  cn_http_auth_cache_init(&cache);
  cn_http_auth_handler *h = NewHandler("Basic realm=\"r\"");
  cn_http_auth_cache_add(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80", h, "u", "p", "/x/y/page");
  // Known paths of the same server only.
  EXPECT_NE(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80",
                                                       "/x/y/other"));
  EXPECT_NE(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80",
                                                       "/x/y/z/deeper"));
  EXPECT_EQ(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80",
                                                       "/x/"));
  EXPECT_EQ(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_ORIGIN, "http://b:80",
                                                       "/x/y/other"));
  EXPECT_EQ(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_ORIGIN,
                                                       "http://a:8080", "/x/y/other"));
  // An origin's identity is never a proxy's, even at the same host:port.
  EXPECT_EQ(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_PROXY, "http://a:80",
                                                       "/x/y/other"));
  // Keyed by realm and scheme too.
  EXPECT_NE(nullptr,
            cn_http_auth_cache_lookup(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80", "r", "basic"));
  EXPECT_EQ(nullptr,
            cn_http_auth_cache_lookup(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80", "R", "Basic"));
  EXPECT_EQ(nullptr,
            cn_http_auth_cache_lookup(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80", "r", "Digest"));
  // A wider path replaces the narrower one.
  cn_http_auth_cache_entry *e =
      cn_http_auth_cache_add(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80", h, "u", "p2", "/x/q");
  EXPECT_EQ(1u, e->num_paths);
  EXPECT_STREQ("/x/", e->paths[0]);
  EXPECT_STREQ("p2", e->password);
  cn_http_auth_cache_remove(&cache, e);
  EXPECT_EQ(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_ORIGIN, "http://a:80",
                                                       "/x/y/other"));
  // Proxies: every request to that proxy, no path.
  cn_http_auth_cache_add(&cache, CN_HTTP_AUTH_PROXY, "http://proxy:3128", h, "pu", "pp", nullptr);
  EXPECT_NE(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_PROXY,
                                                       "http://proxy:3128", "/anything"));
  EXPECT_EQ(nullptr, cn_http_auth_cache_lookup_by_path(&cache, CN_HTTP_AUTH_ORIGIN,
                                                       "http://proxy:3128", "/anything"));
  cn_http_auth_handler_free(h);
  cn_http_auth_cache_free(&cache);
}

TEST(HttpAuthCacheTest, Bounded) {
  cn_http_auth_cache cache;
  cn_http_auth_cache_init(&cache);
  cn_http_auth_handler *h = NewHandler("Basic realm=\"r\"");
  for (int i = 0; i < CN_HTTP_AUTH_CACHE_MAX_ENTRIES + 5; i++) {
    std::string server = "http://h" + std::to_string(i) + ":80";
    cn_http_auth_cache_add(&cache, CN_HTTP_AUTH_ORIGIN, server.c_str(), h, "u", "p", "/");
  }
  EXPECT_EQ((size_t)CN_HTTP_AUTH_CACHE_MAX_ENTRIES, cache.num_entries);
  EXPECT_EQ(nullptr, cn_http_auth_cache_lookup(&cache, CN_HTTP_AUTH_ORIGIN, "http://h0:80", "r",
                                               "Basic"));  // the oldest went
  cn_http_auth_handler_free(h);
  cn_http_auth_cache_free(&cache);
}

struct Controller {
  cn_http_auth_cache cache;
  cn_http_auth_controller c;
  Controller(const char *user, const char *pass, unsigned allowed = 0) {
    cn_http_auth_cache_init(&cache);
    cn_http_auth_controller_init(&c, CN_HTTP_AUTH_ORIGIN, "http://a:80", &cache, allowed, user,
                                 pass, nullptr, cn_netlog_source{});
  }
  ~Controller() {
    cn_http_auth_controller_free(&c);
    cn_http_auth_cache_free(&cache);
  }
  int Challenge(const char *value) {
    Headers h("WWW-Authenticate", {value});
    return cn_http_auth_controller_on_challenge(&c, &h.h);
  }
  std::string Credentials(const char *path = "/d/p") {
    return Take(cn_http_auth_controller_credentials(&c, "GET", path, path));
  }
};

TEST(HttpAuthControllerTest, UpFrontThenApplicationThenCache) {
  Controller t("u", "wrong");
  EXPECT_EQ("<null>", t.Credentials());  // nothing known: nothing sent
  EXPECT_EQ(CN_HTTP_AUTH_RETRY, t.Challenge("Basic realm=\"r\""));
  EXPECT_EQ("Basic dTp3cm9uZw==", t.Credentials());
  // Refused: the up-front identity is not tried twice.
  EXPECT_EQ(CN_HTTP_AUTH_NEED_IDENTITY, t.Challenge("Basic realm=\"r\""));
  cn_http_auth_controller_set_identity(&t.c, "u", "right");
  EXPECT_EQ("Basic dTpyaWdodA==", t.Credentials());
  cn_http_auth_controller_on_success(&t.c, "/d/p");
  // A new request on the same server under /d/ sends them pre-emptively.
  cn_http_auth_controller c2;
  cn_http_auth_controller_init(&c2, CN_HTTP_AUTH_ORIGIN, "http://a:80", &t.cache, 0, nullptr,
                               nullptr, nullptr, cn_netlog_source{});
  EXPECT_EQ("Basic dTpyaWdodA==", Take(cn_http_auth_controller_credentials(&c2, "GET", "/d/x", "/d/x")));
  // ...and, refused, drops the cache entry and asks.
  Headers h("WWW-Authenticate", {"Basic realm=\"r\""});
  EXPECT_EQ(CN_HTTP_AUTH_NEED_IDENTITY, cn_http_auth_controller_on_challenge(&c2, &h.h));
  EXPECT_EQ(0u, t.cache.num_entries);
  cn_http_auth_controller_free(&c2);
}

TEST(HttpAuthControllerTest, CacheAnswersAChallengeOfItsRealm) {
  Controller t(nullptr, nullptr);
  cn_http_auth_handler *h = NewHandler("Basic realm=\"r\"");
  cn_http_auth_cache_add(&t.cache, CN_HTTP_AUTH_ORIGIN, "http://a:80", h, "cu", "cp", "/other/");
  cn_http_auth_handler_free(h);
  EXPECT_EQ("<null>", t.Credentials("/d/p"));  // not a known path
  EXPECT_EQ(CN_HTTP_AUTH_RETRY, t.Challenge("Basic realm=\"r\""));
  EXPECT_EQ(t.c.identity, CN_HTTP_AUTH_IDENTITY_CACHE);
  EXPECT_EQ("Basic Y3U6Y3A=", t.Credentials());
}

TEST(HttpAuthControllerTest, StaleNonceRetriesWithoutAsking) {
  Controller t(nullptr, nullptr);
  EXPECT_EQ(CN_HTTP_AUTH_NEED_IDENTITY, t.Challenge("Digest realm=\"r\", nonce=\"a\", qop=auth"));
  cn_http_auth_controller_set_identity(&t.c, "u", "p");
  EXPECT_NE(std::string::npos, t.Credentials().find("nonce=\"a\""));
  EXPECT_EQ(CN_HTTP_AUTH_RETRY,
            t.Challenge("Digest realm=\"r\", nonce=\"b\", qop=auth, stale=true"));
  std::string v = t.Credentials();
  EXPECT_NE(std::string::npos, v.find("nonce=\"b\""));
  EXPECT_NE(std::string::npos, v.find("nc=00000001"));
  // Not stale: refused, ask again.
  EXPECT_EQ(CN_HTTP_AUTH_NEED_IDENTITY, t.Challenge("Digest realm=\"r\", nonce=\"c\", qop=auth"));
}

TEST(HttpAuthControllerTest, AllowedSchemes) {
  Controller t("u", "p", CN_HTTP_AUTH_DIGEST);
  EXPECT_EQ(CN_HTTP_AUTH_NO_HANDLER, t.Challenge("Basic realm=\"r\""));
  EXPECT_EQ(CN_HTTP_AUTH_RETRY, t.Challenge("Basic realm=\"r\", Digest realm=\"r\", nonce=n"));
  EXPECT_EQ(0u, t.Credentials().find("Digest "));
}

}  // namespace
