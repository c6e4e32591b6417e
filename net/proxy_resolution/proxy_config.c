#include "net/proxy_resolution/proxy_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"

void cn_proxy_config_init(cn_proxy_config *cfg) {
  cfg->type = CN_PROXY_RULES_NONE;
  cn_proxy_list_init(&cfg->single);
  cn_proxy_list_init(&cfg->for_http);
  cn_proxy_list_init(&cfg->for_https);
  cn_proxy_list_init(&cfg->fallback);
  cn_proxy_bypass_rules_init(&cfg->bypass);
}

// Frees the proxy lists only (the bypass rules are configured separately).
static void free_lists(cn_proxy_config *cfg) {
  cn_proxy_list_free(&cfg->single);
  cn_proxy_list_free(&cfg->for_http);
  cn_proxy_list_free(&cfg->for_https);
  cn_proxy_list_free(&cfg->fallback);
  cfg->type = CN_PROXY_RULES_NONE;
}

void cn_proxy_config_free(cn_proxy_config *cfg) {
  free_lists(cfg);
  cn_proxy_bypass_rules_free(&cfg->bypass);
}

void cn_proxy_config_copy(cn_proxy_config *dst, const cn_proxy_config *src) {
  dst->type = src->type;
  cn_proxy_list_copy(&dst->single, &src->single);
  cn_proxy_list_copy(&dst->for_http, &src->for_http);
  cn_proxy_list_copy(&dst->for_https, &src->for_https);
  cn_proxy_list_copy(&dst->fallback, &src->fallback);
  cn_proxy_bypass_rules_copy(&dst->bypass, &src->bypass);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *len) {
  while (*len > 0 && is_blank((*s)[0])) {
    (*s)++;
    (*len)--;
  }
  while (*len > 0 && is_blank((*s)[*len - 1]))
    (*len)--;
}

static void set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t err_size, const char *fmt, ...) {
  if (!err || !err_size)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_size, fmt, ap);
  va_end(ap);
}

// Appends the chains of |src| to |dst| and empties |src|.
static void append_list(cn_proxy_list *dst, cn_proxy_list *src) {
  for (size_t i = 0; i < src->count; i++)
    cn_proxy_list_add_chain(dst, &src->chains[i]);
  cn_proxy_list_free(src);
}

int cn_proxy_config_set_rules(cn_proxy_config *cfg, const char *rules, char *err,
                              size_t err_size) {
  set_err(err, err_size, "%s", "");
  cn_proxy_config next;
  cn_proxy_config_init(&next);
  int rv = CN_OK;
  bool saw_list_form = false;
  const char *p = rules;
  while (*p && rv == CN_OK) {
    size_t len = strcspn(p, ";");
    const char *tok = p;
    size_t tok_len = len;
    p += len;
    if (*p)
      p++;
    trim(&tok, &tok_len);
    if (tok_len == 0)
      continue;  // "a=b;" or an empty string
    const char *eq = memchr(tok, '=', tok_len);
    cn_proxy_list parsed;
    if (!eq) {
      if (saw_list_form || next.type != CN_PROXY_RULES_NONE) {
        set_err(err, err_size, "%s",
                "a proxy list without \"scheme=\" must be the only proxy rule");
        rv = CN_ERR_INVALID_ARGUMENT;
        break;
      }
      saw_list_form = true;
      rv = cn_proxy_list_parse(tok, tok_len, &parsed);
      if (rv != CN_OK) {
        // The text is not echoed: a proxy URI may carry a password.
        set_err(err, err_size, "invalid proxy list (%s)", cn_error_name(rv));
        break;
      }
      next.type = CN_PROXY_RULES_LIST;
      append_list(&next.single, &parsed);
      continue;
    }
    if (saw_list_form) {
      set_err(err, err_size, "%s", "a proxy list without \"scheme=\" must be the only proxy rule");
      rv = CN_ERR_INVALID_ARGUMENT;
      break;
    }
    const char *key = tok;
    size_t key_len = (size_t)(eq - tok);
    const char *value = eq + 1;
    size_t value_len = tok_len - key_len - 1;
    trim(&key, &key_len);
    trim(&value, &value_len);
    cn_proxy_list *target;
    if (key_len == 4 && strncasecmp(key, "http", 4) == 0) {
      target = &next.for_http;
    } else if (key_len == 5 && strncasecmp(key, "https", 5) == 0) {
      target = &next.for_https;
    } else if (key_len == 3 && strncasecmp(key, "ftp", 3) == 0) {
      target = NULL;  // Chromium-compatible strings may name FTP proxies.
    } else {
      set_err(err, err_size, "unsupported proxy rule scheme \"%.*s\"", (int)key_len, key);
      rv = key_len == 5 && strncasecmp(key, "socks", 5) == 0 ? CN_ERR_UNKNOWN_URL_SCHEME
                                                             : CN_ERR_INVALID_ARGUMENT;
      break;
    }
    next.type = CN_PROXY_RULES_PER_SCHEME;
    if (value_len == 0) {
      set_err(err, err_size, "empty proxy list for \"%.*s\"", (int)key_len, key);
      rv = CN_ERR_INVALID_ARGUMENT;
      break;
    }
    rv = cn_proxy_list_parse(value, value_len, &parsed);
    if (rv != CN_OK) {
      set_err(err, err_size, "invalid proxy list for \"%.*s\" (%s)", (int)key_len, key,
              cn_error_name(rv));
      break;
    }
    if (target)
      append_list(target, &parsed);
    else
      cn_proxy_list_free(&parsed);
  }
  if (rv != CN_OK) {
    cn_proxy_config_free(&next);
    return rv;
  }
  free_lists(cfg);
  cfg->type = next.type;
  cfg->single = next.single;
  cfg->for_http = next.for_http;
  cfg->for_https = next.for_https;
  cfg->fallback = next.fallback;
  cn_proxy_bypass_rules_free(&next.bypass);  // empty; set_rules leaves bypass alone
  return CN_OK;
}

int cn_proxy_config_add_bypass(cn_proxy_config *cfg, const char *bypass, char *err,
                               size_t err_size) {
  return cn_proxy_bypass_rules_parse(&cfg->bypass, bypass, err, err_size);
}

// A variable's value, with an empty value treated as unset (as curl does).
static const char *env(cn_getenv_fn getenv_fn, void *arg, const char *name) {
  const char *v = getenv_fn(arg, name);
  return v && v[0] ? v : NULL;
}

// The first set variable of |names| (NULL-terminated); its name in *which.
static const char *env_first(cn_getenv_fn getenv_fn, void *arg, const char *const *names,
                             const char **which) {
  for (; *names; names++) {
    const char *v = env(getenv_fn, arg, *names);
    if (v) {
      *which = *names;
      return v;
    }
  }
  return NULL;
}

// Parses one proxy variable into a one-chain list.
static int env_proxy(const char *name, const char *value, cn_proxy_list *out, char *err,
                     size_t err_size) {
  cn_proxy_server server;
  int rv = cn_proxy_server_parse(value, &server);
  if (rv != CN_OK) {
    set_err(err, err_size, "unusable proxy in %s (%s)", name, cn_error_name(rv));
    return rv;
  }
  cn_proxy_list_add_server(out, &server);
  cn_proxy_server_free(&server);
  return CN_OK;
}

int cn_proxy_config_from_env(cn_proxy_config *cfg, cn_getenv_fn getenv_fn, void *arg, char *err,
                             size_t err_size) {
  set_err(err, err_size, "%s", "");
  cn_proxy_config_init(cfg);
  // HTTP_PROXY is deliberately absent (httpoxy, see the header).
  static const char *const kHttp[] = {"http_proxy", NULL};
  static const char *const kHttps[] = {"https_proxy", "HTTPS_PROXY", NULL};
  static const char *const kAll[] = {"all_proxy", "ALL_PROXY", NULL};
  static const char *const kNo[] = {"no_proxy", "NO_PROXY", NULL};
  const char *http_name = NULL, *https_name = NULL, *all_name = NULL, *no_name = NULL;
  const char *http = env_first(getenv_fn, arg, kHttp, &http_name);
  const char *https = env_first(getenv_fn, arg, kHttps, &https_name);
  const char *all = env_first(getenv_fn, arg, kAll, &all_name);
  const char *no = env_first(getenv_fn, arg, kNo, &no_name);

  int rv = CN_OK;
  cn_proxy_list all_list;
  cn_proxy_list_init(&all_list);
  if (all)
    rv = env_proxy(all_name, all, &all_list, err, err_size);
  if (rv == CN_OK && http)
    rv = env_proxy(http_name, http, &cfg->for_http, err, err_size);
  if (rv == CN_OK && https)
    rv = env_proxy(https_name, https, &cfg->for_https, err, err_size);
  if (rv != CN_OK) {
    cn_proxy_list_free(&all_list);
    cn_proxy_config_free(cfg);
    cn_proxy_config_init(cfg);
    return rv;
  }
  if (http || https || all) {
    cfg->type = CN_PROXY_RULES_PER_SCHEME;
    if (!http)
      cn_proxy_list_copy(&cfg->for_http, &all_list);
    if (!https)
      cn_proxy_list_copy(&cfg->for_https, &all_list);
    cfg->fallback = all_list;
  }
  if (no)
    cn_proxy_bypass_rules_parse_no_proxy(&cfg->bypass, no);
  return CN_OK;
}

// The list for |scheme| in a PER_SCHEME config, or NULL for DIRECT.
static const cn_proxy_list *list_for_scheme(const cn_proxy_config *cfg, const char *scheme) {
  const cn_proxy_list *own = NULL;
  if (strcmp(scheme, "http") == 0) {
    own = &cfg->for_http;
  } else if (strcmp(scheme, "https") == 0) {
    own = &cfg->for_https;
  } else if (strcmp(scheme, "ws") == 0 || strcmp(scheme, "wss") == 0) {
    if (cfg->fallback.count)
      return &cfg->fallback;
    if (cfg->for_https.count)
      return &cfg->for_https;
    if (cfg->for_http.count)
      return &cfg->for_http;
    return NULL;
  }
  if (own && own->count)
    return own;
  return cfg->fallback.count ? &cfg->fallback : NULL;
}

void cn_proxy_config_apply(const cn_proxy_config *cfg, const cn_url *url, cn_proxy_list *out,
                           bool *bypassed) {
  cn_proxy_list_init(out);
  if (bypassed)
    *bypassed = false;
  const cn_proxy_list *chosen = NULL;
  if (cfg->type != CN_PROXY_RULES_NONE && cn_proxy_bypass_rules_matches(&cfg->bypass, url)) {
    if (bypassed)
      *bypassed = true;
  } else if (cfg->type == CN_PROXY_RULES_LIST) {
    chosen = &cfg->single;
  } else if (cfg->type == CN_PROXY_RULES_PER_SCHEME) {
    chosen = list_for_scheme(cfg, url->scheme);
  }
  if (chosen && chosen->count)
    cn_proxy_list_copy(out, chosen);
  else
    cn_proxy_list_set_direct(out);
}

static void append_named_list(cn_bytebuf *b, const char *name, const cn_proxy_list *list,
                              bool *first) {
  if (!list->count)
    return;
  char *s = cn_proxy_list_to_string(list);
  cn_bytebuf_appendf(b, "%s%s=%s", *first ? "" : ";", name, s);
  free(s);
  *first = false;
}

char *cn_proxy_config_to_string(const cn_proxy_config *cfg) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  if (cfg->type == CN_PROXY_RULES_NONE) {
    cn_bytebuf_append_str(&b, "direct");
  } else if (cfg->type == CN_PROXY_RULES_LIST) {
    char *s = cn_proxy_list_to_string(&cfg->single);
    cn_bytebuf_append_str(&b, s);
    free(s);
  } else {
    bool first = true;
    append_named_list(&b, "http", &cfg->for_http, &first);
    append_named_list(&b, "https", &cfg->for_https, &first);
    append_named_list(&b, "fallback", &cfg->fallback, &first);
  }
  if (cfg->type != CN_PROXY_RULES_NONE && cfg->bypass.count) {
    char *s = cn_proxy_bypass_rules_to_string(&cfg->bypass);
    cn_bytebuf_appendf(&b, " bypass=%s", s);
    free(s);
  }
  // Storage must exist even for "": steal_str of a never-grown buffer would
  // copy from a NULL pointer.
  cn_bytebuf_reserve(&b, 1);
  char *s = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return s;
}
