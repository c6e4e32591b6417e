// The Digest scheme (RFC 7616), as Chromium's HttpAuthHandlerDigest and
// curl answer it: algorithms MD5, MD5-sess, SHA-256 and SHA-256-sess (the
// digests are BoringSSL's), qop=auth (or RFC 2069's no-qop form when the
// challenge names none), a fresh random cnonce per request, the nonce
// count (nc) counted up for every use of one nonce, opaque echoed, and
// userhash. A new challenge with stale=true only renews the nonce: the
// same identity is sent again without asking the application (RFC 7616
// 3.3); any other new challenge means the identity was refused.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/digest.h>
#include <openssl/rand.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/http/http_auth.h"

typedef struct digest_state {
  char *nonce;
  char *opaque;     // NULL: none
  const EVP_MD *md;
  const char *algorithm;  // as sent back: "MD5", "SHA-256", "MD5-sess", ...; NULL when the challenge named none
  bool sess;
  bool qop_auth;    // the challenge offered qop=auth (else RFC 2069 form)
  bool userhash;
  unsigned nc;      // uses of |nonce| so far
  char *fixed_cnonce;  // tests only
} digest_state;

static bool qop_offers_auth(const char *qop) {
  // A comma list ("auth,auth-int"); only "auth" is answered.
  const char *p = qop;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    const char *e = p;
    while (*e && *e != ',' && *e != ' ' && *e != '\t')
      e++;
    if (e - p == 4 && strncasecmp(p, "auth", 4) == 0)
      return true;
    p = e;
  }
  return false;
}

static bool parse_algorithm(digest_state *s, const char *alg) {
  if (!alg) {
    s->md = EVP_md5();
    return true;
  }
  static const struct {
    const char *name;
    bool sha256;
    bool sess;
  } kAlgs[] = {{"MD5", false, false},
               {"MD5-sess", false, true},
               {"SHA-256", true, false},
               {"SHA-256-sess", true, true}};
  for (size_t i = 0; i < sizeof(kAlgs) / sizeof(kAlgs[0]); i++) {
    if (strcasecmp(alg, kAlgs[i].name) == 0) {
      s->md = kAlgs[i].sha256 ? EVP_sha256() : EVP_md5();
      s->sess = kAlgs[i].sess;
      s->algorithm = kAlgs[i].name;
      return true;
    }
  }
  return false;  // SHA-512-256 and anything else: not offered by this handler
}

static void state_free(digest_state *s) {
  if (!s)
    return;
  free(s->nonce);
  free(s->opaque);
  free(s->fixed_cnonce);
  free(s);
}

static bool digest_init(cn_http_auth_handler *h, const cn_http_auth_challenge *c) {
  const char *nonce = cn_http_auth_challenge_param(c, "nonce");
  const char *qop = cn_http_auth_challenge_param(c, "qop");
  if (!nonce || (qop && !qop_offers_auth(qop)))
    return false;  // no nonce, or only auth-int (body hashing) offered
  digest_state *s = CN_NEW(digest_state);
  if (!parse_algorithm(s, cn_http_auth_challenge_param(c, "algorithm"))) {
    state_free(s);
    return false;
  }
  s->nonce = cn_xstrdup(nonce);
  const char *opaque = cn_http_auth_challenge_param(c, "opaque");
  s->opaque = opaque ? cn_xstrdup(opaque) : NULL;
  s->qop_auth = qop != NULL;
  const char *userhash = cn_http_auth_challenge_param(c, "userhash");
  s->userhash = userhash && strcasecmp(userhash, "true") == 0;
  h->state = s;
  return true;
}

// Lower-case hex of the digest of |data|.
static void hex_digest(const EVP_MD *md, const char *data, size_t len, char *out) {
  uint8_t d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data, len, d, &n, md, NULL);
  for (unsigned i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
  out[2 * n] = '\0';
}

// H(a ":" b ":" c ...) of NULL-terminated parts.
static void hash_parts(const EVP_MD *md, char *out, const char *first, ...) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  va_list ap;
  va_start(ap, first);
  for (const char *p = first; p; p = va_arg(ap, const char *)) {
    if (p != first)
      cn_bytebuf_append(&b, ":", 1);
    cn_bytebuf_append_str(&b, p);
  }
  va_end(ap);
  hex_digest(md, (const char *)cn_bytebuf_head(&b), cn_bytebuf_len(&b), out);
  cn_bytebuf_free(&b);
}

// A quoted-string of |v| (backslash before '"' and '\').
static void append_quoted(cn_bytebuf *b, const char *name, const char *v) {
  cn_bytebuf_appendf(b, ", %s=\"", name);
  for (; *v; v++) {
    if (*v == '"' || *v == '\\')
      cn_bytebuf_append(b, "\\", 1);
    cn_bytebuf_append(b, v, 1);
  }
  cn_bytebuf_append(b, "\"", 1);
}

static char *digest_generate(cn_http_auth_handler *h, const char *user, const char *password,
                             const char *method, const char *uri) {
  digest_state *s = h->state;
  char cnonce[128];
  if (s->fixed_cnonce) {
    snprintf(cnonce, sizeof(cnonce), "%s", s->fixed_cnonce);
  } else {
    uint8_t r[16];
    RAND_bytes(r, sizeof(r));
    for (size_t i = 0; i < sizeof(r); i++)
      snprintf(cnonce + 2 * i, 3, "%02x", r[i]);
  }
  char nc[9];
  snprintf(nc, sizeof(nc), "%08x", ++s->nc);
  char ha1[2 * EVP_MAX_MD_SIZE + 1], ha2[sizeof(ha1)], response[sizeof(ha1)];
  hash_parts(s->md, ha1, user, h->realm, password, NULL);
  if (s->sess) {
    char base[sizeof(ha1)];
    memcpy(base, ha1, sizeof(ha1));
    hash_parts(s->md, ha1, base, s->nonce, cnonce, NULL);
  }
  hash_parts(s->md, ha2, method, uri, NULL);
  if (s->qop_auth)
    hash_parts(s->md, response, ha1, s->nonce, nc, cnonce, "auth", ha2, NULL);
  else
    hash_parts(s->md, response, ha1, s->nonce, ha2, NULL);

  cn_bytebuf b;
  cn_bytebuf_init(&b);
  cn_bytebuf_append_str(&b, "Digest ");
  if (s->userhash) {
    char uh[sizeof(ha1)];
    hash_parts(s->md, uh, user, h->realm, NULL);
    cn_bytebuf_appendf(&b, "username=\"%s\"", uh);
  } else {
    // RFC 7616 3.4.4 wants username* for names that a quoted-string cannot
    // carry; those are sent quoted as they are (what curl does).
    cn_bytebuf_append_str(&b, "username=\"");
    for (const char *v = user; *v; v++) {
      if (*v == '"' || *v == '\\')
        cn_bytebuf_append(&b, "\\", 1);
      cn_bytebuf_append(&b, v, 1);
    }
    cn_bytebuf_append(&b, "\"", 1);
  }
  append_quoted(&b, "realm", h->realm);
  append_quoted(&b, "nonce", s->nonce);
  append_quoted(&b, "uri", uri);
  if (s->algorithm)
    cn_bytebuf_appendf(&b, ", algorithm=%s", s->algorithm);
  cn_bytebuf_appendf(&b, ", response=\"%s\"", response);
  if (s->qop_auth)
    cn_bytebuf_appendf(&b, ", qop=auth, nc=%s, cnonce=\"%s\"", nc, cnonce);
  if (s->opaque)
    append_quoted(&b, "opaque", s->opaque);
  if (s->userhash)
    cn_bytebuf_append_str(&b, ", userhash=true");
  cn_bytebuf_append(&b, "", 1);
  char *out = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return out;
}

static cn_http_auth_verdict digest_handle_another(cn_http_auth_handler *h,
                                                  const cn_http_auth_challenge *c) {
  const char *stale = cn_http_auth_challenge_param(c, "stale");
  const char *realm = cn_http_auth_challenge_param(c, "realm");
  if (!stale || strcasecmp(stale, "true") != 0 || strcmp(realm ? realm : "", h->realm) != 0)
    return CN_HTTP_AUTH_REJECT;
  // Same realm, the nonce only went stale: take the new one, count from 1.
  cn_http_auth_handler tmp = {.ops = h->ops, .realm = h->realm};
  if (!digest_init(&tmp, c))
    return CN_HTTP_AUTH_REJECT;
  digest_state *old = h->state;
  digest_state *s = tmp.state;
  if (old->fixed_cnonce)
    s->fixed_cnonce = cn_xstrdup(old->fixed_cnonce);
  state_free(old);
  h->state = s;
  return CN_HTTP_AUTH_STALE;
}

static void *digest_clone_state(const cn_http_auth_handler *h) {
  const digest_state *s = h->state;
  digest_state *c = CN_NEW(digest_state);
  *c = *s;
  c->nonce = cn_xstrdup(s->nonce);
  c->opaque = s->opaque ? cn_xstrdup(s->opaque) : NULL;
  c->fixed_cnonce = s->fixed_cnonce ? cn_xstrdup(s->fixed_cnonce) : NULL;
  return c;
}

static void digest_free_state(cn_http_auth_handler *h) { state_free(h->state); }

const cn_http_auth_handler_ops cn_http_auth_digest_ops = {
    .scheme = "Digest",
    .bit = CN_HTTP_AUTH_DIGEST,
    .score = 2,
    .init = digest_init,
    .generate = digest_generate,
    .handle_another = digest_handle_another,
    .clone_state = digest_clone_state,
    .free_state = digest_free_state,
};

void cn_http_auth_digest_set_cnonce(cn_http_auth_handler *h, const char *cnonce) {
  if (h->ops != &cn_http_auth_digest_ops)
    return;
  digest_state *s = h->state;
  free(s->fixed_cnonce);
  s->fixed_cnonce = cn_xstrdup(cnonce);
}

unsigned cn_http_auth_digest_next_nc(const cn_http_auth_handler *h) {
  if (h->ops != &cn_http_auth_digest_ops)
    return 0;
  return ((const digest_state *)h->state)->nc + 1;
}
