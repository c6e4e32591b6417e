// libFuzzer target: bypass rules in both syntaxes (an explicit
// --proxy-bypass-list and a no_proxy value) and their matching. Input: the
// rules text, then after a NUL a URL. Checks: a rejected explicit list
// leaves the rules unchanged; an accepted one prints text that parses back
// to rules printing the same and matching the URL alike; a copy matches
// alike; and a trailing dot on the URL's host changes no answer (the
// header's promise).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/proxy_resolution/proxy_bypass_rules.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "proxy_bypass_rules_fuzzer: %s\n", what);
    abort();
  }
}

// |url| with a dot appended to its host name ("http://h.test./"), when that
// gives a URL; NULL for IP literals (a dot makes those a different host).
static bool with_trailing_dot(const cn_url *url, cn_url *out) {
  size_t n = strlen(url->host);
  if (url->host_is_ipv6 || n == 0 || url->host[n - 1] == '.' ||
      strspn(url->host, "0123456789.") == n || url->username[0] || url->password[0])
    return false;
  // Without userinfo the host follows "://" directly: rebuild as
  // scheme://host.:port/path.
  char *text = cn_url_to_string(url);
  char *dotted = malloc(strlen(text) + 2);
  const char *host_at = strstr(text, "://") + 3;
  size_t prefix = (size_t)(host_at - text);
  memcpy(dotted, text, prefix + n);
  dotted[prefix + n] = '.';
  strcpy(dotted + prefix + n + 1, host_at + n);
  bool ok = cn_url_parse(dotted, out) == CN_OK;
  free(dotted);
  free(text);
  return ok;
}

static void check_matching(const cn_proxy_bypass_rules *rules, const cn_url *url) {
  bool m = cn_proxy_bypass_rules_matches(rules, url);
  cn_proxy_bypass_rules copy;
  cn_proxy_bypass_rules_copy(&copy, rules);
  check(cn_proxy_bypass_rules_matches(&copy, url) == m, "copy matches differently");
  cn_proxy_bypass_rules_free(&copy);
  cn_url dotted;
  if (with_trailing_dot(url, &dotted)) {
    check(cn_proxy_bypass_rules_matches(rules, &dotted) == m, "trailing dot changed the match");
    cn_url_free(&dotted);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *url_text;
  char *text = fuzz_text_dup(data, size, &url_text);
  cn_url url;
  bool have_url = cn_url_parse(url_text, &url) == CN_OK;

  // Syntax 1: explicit list, appended to an existing rule.
  cn_proxy_bypass_rules rules;
  cn_proxy_bypass_rules_init(&rules);
  check(cn_proxy_bypass_rules_parse(&rules, "<local>", NULL, 0) == CN_OK, "seed rule");
  char err[128] = "";
  if (cn_proxy_bypass_rules_parse(&rules, text, err, sizeof(err)) != CN_OK) {
    check(err[0] != '\0', "error without a reason");
    check(rules.count == 1, "a rejected list changed the rules");
  } else {
    char *s = cn_proxy_bypass_rules_to_string(&rules);
    cn_proxy_bypass_rules again;
    cn_proxy_bypass_rules_init(&again);
    check(cn_proxy_bypass_rules_parse(&again, s, err, sizeof(err)) == CN_OK,
          "printed rules do not parse back");
    char *s2 = cn_proxy_bypass_rules_to_string(&again);
    check(strcmp(s, s2) == 0, "printed rules are not stable");
    if (have_url)
      check(cn_proxy_bypass_rules_matches(&rules, &url) ==
                cn_proxy_bypass_rules_matches(&again, &url),
            "printed rules match differently");
    free(s2);
    free(s);
    cn_proxy_bypass_rules_free(&again);
  }
  if (have_url)
    check_matching(&rules, &url);
  cn_proxy_bypass_rules_free(&rules);

  // Syntax 2: no_proxy, which never fails.
  cn_proxy_bypass_rules_init(&rules);
  size_t ignored = cn_proxy_bypass_rules_parse_no_proxy(&rules, text);
  (void)ignored;
  if (have_url)
    check_matching(&rules, &url);
  char *s = cn_proxy_bypass_rules_to_string(&rules);
  free(s);
  cn_proxy_bypass_rules_free(&rules);

  if (have_url)
    cn_url_free(&url);
  free(text);
  return 0;
}
