// libFuzzer target: proxy configuration text as users and environments give
// it: --proxy-server rules, a bypass list, and the proxy environment
// variables (http_proxy, https_proxy, all_proxy, no_proxy and their upper
// case forms), read through the injectable getenv of
// cn_proxy_config_from_env exactly as the API reads them (the process
// environment is never touched). The input is NUL-separated fields: rules,
// bypass list, the seven variables (a missing field is an unset variable,
// an empty one an empty variable), then a URL to apply the result to.
// Checks: a rejected rules or bypass text leaves the config unchanged;
// HTTP_PROXY is ignored (httpoxy); a bypassed URL goes DIRECT and every URL
// gets a non-empty list; a copy applies the same way as the original.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/proxy_resolution/proxy_config.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "proxy_config_fuzzer: %s\n", what);
    abort();
  }
}

enum { kRules, kBypass, kFirstVar, kNumVars = 7, kUrl = kFirstVar + kNumVars, kNumFields };

static const char *const kVarNames[kNumVars] = {
    "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
};

typedef struct fake_env {
  const char *fields[kNumFields];  // NULL: missing
  const char *http_proxy_upper;    // what HTTP_PROXY holds (must not matter)
} fake_env;

static const char *fake_getenv(void *arg, const char *name) {
  const fake_env *e = arg;
  for (int i = 0; i < kNumVars; i++) {
    if (strcmp(name, kVarNames[i]) == 0)
      return e->fields[kFirstVar + i];
  }
  if (strcmp(name, "HTTP_PROXY") == 0)
    return e->http_proxy_upper;
  return NULL;
}

// to_string leaves the bypass rules out for NONE, so count them too.
static void check_unchanged(const cn_proxy_config *cfg, const char *before, size_t bypass_count,
                            const char *what) {
  char *after = cn_proxy_config_to_string(cfg);
  check(strcmp(before, after) == 0 && cfg->bypass.count == bypass_count, what);
  free(after);
}

static void apply_checks(const cn_proxy_config *cfg, const char *url_text) {
  cn_url url;
  if (!url_text || cn_url_parse(url_text, &url) != CN_OK)
    return;
  cn_proxy_list out, out_copy;
  cn_proxy_list_init(&out);
  cn_proxy_list_init(&out_copy);
  bool bypassed = false, bypassed_copy = false;
  cn_proxy_config_apply(cfg, &url, &out, &bypassed);
  check(out.count > 0, "apply gave an empty list");
  if (bypassed)
    check(cn_proxy_list_is_direct(&out), "a bypassed URL must go DIRECT");
  cn_proxy_config copy;
  cn_proxy_config_copy(&copy, cfg);
  cn_proxy_config_apply(&copy, &url, &out_copy, &bypassed_copy);
  check(bypassed == bypassed_copy && cn_proxy_list_equal(&out, &out_copy), "copy applies alike");
  cn_proxy_config_free(&copy);
  cn_proxy_list_free(&out_copy);
  cn_proxy_list_free(&out);
  cn_url_free(&url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text_dup(data, size, NULL);
  fake_env env = {0};
  char *p = text;
  for (int i = 0; i < kNumFields && p <= text + size; i++) {
    env.fields[i] = p;
    p += strlen(p) + 1;
  }
  char err[160];

  // Explicit rules and bypass list, as cnet_context options give them.
  cn_proxy_config cfg;
  cn_proxy_config_init(&cfg);
  char *before = cn_proxy_config_to_string(&cfg);
  size_t bypass_count = cfg.bypass.count;
  if (env.fields[kRules] && cn_proxy_config_set_rules(&cfg, env.fields[kRules], err,
                                                      sizeof(err)) != CN_OK) {
    check(err[0] != '\0', "rules error without a reason");
    check_unchanged(&cfg, before, bypass_count, "rejected rules changed the config");
  }
  free(before);
  before = cn_proxy_config_to_string(&cfg);
  bypass_count = cfg.bypass.count;
  if (env.fields[kBypass] && cn_proxy_config_add_bypass(&cfg, env.fields[kBypass], err,
                                                        sizeof(err)) != CN_OK) {
    check(err[0] != '\0', "bypass error without a reason");
    check_unchanged(&cfg, before, bypass_count, "a rejected bypass list changed the config");
  }
  free(before);
  apply_checks(&cfg, env.fields[kUrl]);
  cn_proxy_config_free(&cfg);

  // The environment, once without and once with HTTP_PROXY set.
  cn_proxy_config from_env, with_httpoxy;
  err[0] = '\0';
  int rv = cn_proxy_config_from_env(&from_env, fake_getenv, &env, err, sizeof(err));
  env.http_proxy_upper = "http://attacker.test:1";
  int rv2 = cn_proxy_config_from_env(&with_httpoxy, fake_getenv, &env, err, sizeof(err));
  check(rv == rv2, "HTTP_PROXY changed the outcome");
  char *a = cn_proxy_config_to_string(&from_env);
  char *b = cn_proxy_config_to_string(&with_httpoxy);
  check(strcmp(a, b) == 0, "HTTP_PROXY changed the config");
  if (rv != CN_OK) {
    check(err[0] != '\0', "environment error without a reason");
    check(strcmp(a, "direct") == 0, "a rejected environment must leave the config NONE");
  }
  free(a);
  free(b);
  apply_checks(&from_env, env.fields[kUrl]);
  cn_proxy_config_free(&with_httpoxy);
  cn_proxy_config_free(&from_env);
  free(text);
  return 0;
}
