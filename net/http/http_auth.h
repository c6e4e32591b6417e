// HTTP authentication (RFC 9110 section 11): the challenge parser shared by
// WWW-Authenticate and Proxy-Authenticate, and the per-scheme handlers
// behind one small vtable (Chromium's HttpAuthHandler). A handler is made
// from one challenge, remembers what the scheme needs from it (Digest's
// nonce, opaque, algorithm and nonce count) and writes the Authorization /
// Proxy-Authorization value for an identity. The schemes, one file each:
// http_auth_basic.c (RFC 7617), http_auth_digest.c (RFC 7616).
//
// Ownership: challenges returned by cn_http_auth_parse are the caller's
// (cn_http_auth_challenges_free); a handler is its creator's
// (cn_http_auth_handler_free). Strings returned are heap strings the caller
// frees.
#ifndef CNET_NET_HTTP_HTTP_AUTH_H_
#define CNET_NET_HTTP_HTTP_AUTH_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/http/http_headers.h"

#ifdef __cplusplus
extern "C" {
#endif

// Who asked: the origin (401, WWW-Authenticate, Authorization) or a proxy
// (407, Proxy-Authenticate, Proxy-Authorization).
typedef enum cn_http_auth_target {
  CN_HTTP_AUTH_ORIGIN = 0,
  CN_HTTP_AUTH_PROXY = 1,
} cn_http_auth_target;

// The challenge field and the credentials field of |target|.
const char *cn_http_auth_challenge_field(cn_http_auth_target target);
const char *cn_http_auth_credentials_field(cn_http_auth_target target);

// Schemes, as a bit set of those allowed (curl's --basic, --digest,
// --anyauth).
#define CN_HTTP_AUTH_BASIC 1u
#define CN_HTTP_AUTH_DIGEST 2u
#define CN_HTTP_AUTH_ANY (CN_HTTP_AUTH_BASIC | CN_HTTP_AUTH_DIGEST)

typedef struct cn_http_auth_param {
  char *name;   // lower-cased
  char *value;  // unquoted (quoted-pairs resolved)
} cn_http_auth_param;

// One challenge: a scheme and its auth-params, or a token68.
typedef struct cn_http_auth_challenge {
  char *scheme;  // as sent ("Digest"); compare case-insensitively
  cn_http_auth_param *params;
  size_t num_params;
  char *token68;  // NULL unless the challenge carried one
} cn_http_auth_challenge;

// Parses every challenge of every |field| field of |headers| (several
// fields, or several comma-separated challenges in one field, or both;
// commas inside quoted strings are not separators). Malformed parts are
// skipped, never fatal. Returns the count and the array in |*out| (NULL
// when 0).
size_t cn_http_auth_parse(const cn_http_headers *headers, const char *field,
                          cn_http_auth_challenge **out);
// The same for one field value.
size_t cn_http_auth_parse_value(const char *value, cn_http_auth_challenge **out);
void cn_http_auth_challenges_free(cn_http_auth_challenge *c, size_t n);
// The value of the auth-param |name| (case-insensitive), or NULL.
const char *cn_http_auth_challenge_param(const cn_http_auth_challenge *c, const char *name);

// What a handler makes of a new challenge of its scheme after credentials
// were sent (Chromium's HandleAnotherChallenge).
typedef enum cn_http_auth_verdict {
  CN_HTTP_AUTH_REJECT,  // the identity was refused: ask for another
  CN_HTTP_AUTH_STALE,   // only the nonce was old: same identity, new nonce
} cn_http_auth_verdict;

typedef struct cn_http_auth_handler cn_http_auth_handler;

typedef struct cn_http_auth_handler_ops {
  const char *scheme;  // "Basic", "Digest"
  unsigned bit;        // CN_HTTP_AUTH_*
  int score;           // stronger schemes score higher
  // Takes what the scheme needs from |c|; false: a challenge the scheme
  // cannot answer (no nonce, an unknown algorithm, no qop it supports).
  bool (*init)(cn_http_auth_handler *h, const cn_http_auth_challenge *c);
  // The credentials field's value for one request (|method|, |uri|: the
  // request-target as sent). May change the handler (Digest counts nonces).
  char *(*generate)(cn_http_auth_handler *h, const char *user, const char *password,
                    const char *method, const char *uri);
  cn_http_auth_verdict (*handle_another)(cn_http_auth_handler *h,
                                         const cn_http_auth_challenge *c);
  void *(*clone_state)(const cn_http_auth_handler *h);  // NULL: no state
  void (*free_state)(cn_http_auth_handler *h);
} cn_http_auth_handler_ops;

struct cn_http_auth_handler {
  const cn_http_auth_handler_ops *ops;
  char *realm;  // "" when the challenge named none
  void *state;  // the scheme's
};

extern const cn_http_auth_handler_ops cn_http_auth_basic_ops;
extern const cn_http_auth_handler_ops cn_http_auth_digest_ops;

// A handler for |c| if its scheme is among |allowed| and the challenge is
// usable, else NULL.
cn_http_auth_handler *cn_http_auth_handler_new(const cn_http_auth_challenge *c, unsigned allowed);
// The strongest usable challenge of |challenges| among |allowed| (Digest
// over Basic, as curl's --anyauth and Chromium pick), or NULL.
cn_http_auth_handler *cn_http_auth_handler_choose(const cn_http_auth_challenge *challenges,
                                                  size_t n, unsigned allowed);
// A handler of the same scheme and state (a cache keeps its own copy).
cn_http_auth_handler *cn_http_auth_handler_clone(const cn_http_auth_handler *h);
void cn_http_auth_handler_free(cn_http_auth_handler *h);
static inline char *cn_http_auth_handler_generate(cn_http_auth_handler *h, const char *user,
                                                  const char *password, const char *method,
                                                  const char *uri) {
  return h->ops->generate(h, user, password, method, uri);
}

// Digest only, for tests (RFC 7616's worked examples): use |cnonce| instead
// of a random one. No-op for other schemes.
void cn_http_auth_digest_set_cnonce(cn_http_auth_handler *h, const char *cnonce);
// Digest only: the nonce count the next generate() sends (1 after a new
// nonce); 0 for other schemes.
unsigned cn_http_auth_digest_next_nc(const cn_http_auth_handler *h);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_AUTH_H_
