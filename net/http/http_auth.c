#include "net/http/http_auth.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/bytebuf.h"
#include "base/mem.h"

const char *cn_http_auth_challenge_field(cn_http_auth_target target) {
  return target == CN_HTTP_AUTH_PROXY ? "Proxy-Authenticate" : "WWW-Authenticate";
}

const char *cn_http_auth_credentials_field(cn_http_auth_target target) {
  return target == CN_HTTP_AUTH_PROXY ? "Proxy-Authorization" : "Authorization";
}

// --- the challenge parser (RFC 9110 11.6.1) ---
//
//   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
//
// Challenges and their auth-params share one comma-separated list, so an
// element that is a bare token (no "=") starts the next challenge.

static bool is_tchar(char c) {
  return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token68_char(char c) {
  return isalnum((unsigned char)c) || (c && strchr("-._~+/", c) != NULL);
}

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static const char *skip_token(const char *p) {
  while (is_tchar(*p))
    p++;
  return p;
}

// Reads a quoted-string at |p| (the opening quote) into |out|; returns the
// position after the closing quote (or the end when it is unterminated).
static const char *read_quoted(const char *p, cn_bytebuf *out) {
  for (p++; *p && *p != '"'; p++) {
    if (*p == '\\' && p[1])
      p++;
    cn_bytebuf_append(out, p, 1);
  }
  return *p == '"' ? p + 1 : p;
}

// Skips to after the next list comma outside quotes (a malformed element).
static const char *skip_element(const char *p) {
  bool quoted = false;
  for (; *p; p++) {
    if (quoted && *p == '\\' && p[1])
      p++;
    else if (*p == '"')
      quoted = !quoted;
    else if (*p == ',' && !quoted)
      return p + 1;
  }
  return p;
}

static char *lower_dup(const char *s, size_t n) {
  char *d = cn_xstrndup(s, n);
  for (char *q = d; *q; q++)
    *q = (char)tolower((unsigned char)*q);
  return d;
}

static void add_param(cn_http_auth_challenge *c, char *name, char *value) {
  c->params = cn_xrealloc(c->params, (c->num_params + 1) * sizeof(*c->params));
  c->params[c->num_params++] = (cn_http_auth_param){name, value};
}

typedef struct challenge_list {
  cn_http_auth_challenge *items;
  size_t count;
} challenge_list;

static cn_http_auth_challenge *add_challenge(challenge_list *l, const char *scheme, size_t n) {
  l->items = cn_xrealloc(l->items, (l->count + 1) * sizeof(*l->items));
  cn_http_auth_challenge *c = &l->items[l->count++];
  memset(c, 0, sizeof(*c));
  c->scheme = cn_xstrndup(scheme, n);
  return c;
}

static void parse_into(const char *p, challenge_list *l) {
  cn_http_auth_challenge *cur = NULL;
  bool first_after_scheme = false;  // where a token68 may stand
  while (*p) {
    p = skip_ws(p);
    if (*p == ',') {
      p++;
      continue;
    }
    if (!*p)
      break;
    const char *tok = p;
    const char *tok_end = skip_token(p);
    if (tok_end == tok) {
      p = skip_element(p);  // not a token: skip the element
      continue;
    }
    const char *q = skip_ws(tok_end);
    if (cur && *q == '=' && q[1] != '=' && q[1] != ',' && q[1] != '\0') {
      // An auth-param of the current challenge.
      q = skip_ws(q + 1);
      cn_bytebuf value;
      cn_bytebuf_init(&value);
      if (*q == '"') {
        q = read_quoted(q, &value);
      } else {
        const char *v_end = skip_token(q);
        cn_bytebuf_append(&value, q, (size_t)(v_end - q));
        q = v_end;
      }
      cn_bytebuf_append(&value, "", 1);
      add_param(cur, lower_dup(tok, (size_t)(tok_end - tok)), cn_bytebuf_steal_str(&value));
      cn_bytebuf_free(&value);
      first_after_scheme = false;
      q = skip_ws(q);
      p = *q == ',' ? q + 1 : (*q ? skip_element(q) : q);
      continue;
    }
    if (cur && first_after_scheme && tok_end > tok) {
      // A token68 ("Negotiate abc==", "Bearer x.y"): the token and any
      // trailing '='.
      const char *t_end = tok;
      while (is_token68_char(*t_end))
        t_end++;
      while (*t_end == '=')
        t_end++;
      const char *after = skip_ws(t_end);
      if (t_end > tok && (*after == ',' || *after == '\0')) {
        cur->token68 = cn_xstrndup(tok, (size_t)(t_end - tok));
        first_after_scheme = false;
        p = *after == ',' ? after + 1 : after;
        continue;
      }
    }
    // A new challenge: the scheme, then (after spaces) its parameters.
    cur = add_challenge(l, tok, (size_t)(tok_end - tok));
    first_after_scheme = *tok_end == ' ' || *tok_end == '\t';
    p = tok_end;
  }
}

size_t cn_http_auth_parse_value(const char *value, cn_http_auth_challenge **out) {
  challenge_list l = {0};
  if (value)
    parse_into(value, &l);
  *out = l.items;
  return l.count;
}

size_t cn_http_auth_parse(const cn_http_headers *headers, const char *field,
                          cn_http_auth_challenge **out) {
  challenge_list l = {0};
  const char *v;
  for (size_t n = 0; (v = cn_http_headers_get_nth(headers, field, n)); n++)
    parse_into(v, &l);
  *out = l.items;
  return l.count;
}

void cn_http_auth_challenges_free(cn_http_auth_challenge *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(c[i].scheme);
    for (size_t k = 0; k < c[i].num_params; k++) {
      free(c[i].params[k].name);
      free(c[i].params[k].value);
    }
    free(c[i].params);
    free(c[i].token68);
  }
  free(c);
}

const char *cn_http_auth_challenge_param(const cn_http_auth_challenge *c, const char *name) {
  for (size_t k = 0; k < c->num_params; k++)
    if (strcasecmp(c->params[k].name, name) == 0)
      return c->params[k].value;
  return NULL;
}

// --- handlers ---

static const cn_http_auth_handler_ops *const kSchemes[] = {
    &cn_http_auth_basic_ops,
    &cn_http_auth_digest_ops,
};

cn_http_auth_handler *cn_http_auth_handler_new(const cn_http_auth_challenge *c, unsigned allowed) {
  for (size_t i = 0; i < sizeof(kSchemes) / sizeof(kSchemes[0]); i++) {
    const cn_http_auth_handler_ops *ops = kSchemes[i];
    if (!(allowed & ops->bit) || strcasecmp(c->scheme, ops->scheme) != 0)
      continue;
    cn_http_auth_handler *h = CN_NEW(cn_http_auth_handler);
    h->ops = ops;
    const char *realm = cn_http_auth_challenge_param(c, "realm");
    h->realm = cn_xstrdup(realm ? realm : "");
    if (!ops->init(h, c)) {
      cn_http_auth_handler_free(h);
      return NULL;
    }
    return h;
  }
  return NULL;
}

cn_http_auth_handler *cn_http_auth_handler_choose(const cn_http_auth_challenge *challenges,
                                                  size_t n, unsigned allowed) {
  cn_http_auth_handler *best = NULL;
  for (size_t i = 0; i < n; i++) {
    cn_http_auth_handler *h = cn_http_auth_handler_new(&challenges[i], allowed);
    if (!h)
      continue;
    if (!best || h->ops->score > best->ops->score) {
      cn_http_auth_handler_free(best);
      best = h;
    } else {
      cn_http_auth_handler_free(h);
    }
  }
  return best;
}

cn_http_auth_handler *cn_http_auth_handler_clone(const cn_http_auth_handler *h) {
  cn_http_auth_handler *c = CN_NEW(cn_http_auth_handler);
  c->ops = h->ops;
  c->realm = cn_xstrdup(h->realm);
  c->state = h->ops->clone_state ? h->ops->clone_state(h) : NULL;
  return c;
}

void cn_http_auth_handler_free(cn_http_auth_handler *h) {
  if (!h)
    return;
  if (h->ops->free_state)
    h->ops->free_state(h);
  free(h->realm);
  free(h);
}
