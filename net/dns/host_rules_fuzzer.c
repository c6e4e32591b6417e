// libFuzzer target: host rules (curl's --resolve and --connect-to syntaxes,
// from fetch's command line or the API's options). Input: newline-separated
// entries, applied in order to one rule set; a line starting with '>' is a
// --connect-to entry (without the '>'), any other a --resolve entry. Checks: a rejected entry leaves the
// rules as they were and says why; every rule holds a canonical host (or
// "*") and at least one address; a host's rule is found by matching its
// own host and port; a copy matches alike.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/dns/host_rules.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "host_rules_fuzzer: %s\n", what);
    abort();
  }
}

static void check_rules(const cn_host_rules *rules) {
  cn_host_rules copy;
  cn_host_rules_copy(&copy, rules);
  for (size_t i = 0; i < rules->count; i++) {
    const cn_host_rule *r = &rules->items[i];
    check(r->addrs.count > 0, "a rule without addresses");
    if (strcmp(r->host, "*") != 0) {
      char canonical[CN_HOST_BUF_SIZE];
      check(cn_host_canonicalize(r->host, strlen(r->host), canonical, NULL) == CN_OK &&
                strcmp(canonical, r->host) == 0,
            "a rule's host is not canonical");
    }
    // Asking for exactly a rule's host and port finds that rule first (one
    // rule per host and port; CN_HOST_RULE_ANY_PORT asks for the any-port
    // rule itself).
    const cn_host_rule *m = cn_host_rules_match(rules, r->host, r->port);
    check(m == r, "a rule does not match its own host and port");
    // A --connect-to rule answers one address; a --resolve entry replacing
    // it must drop its port too.
    check(r->to_port == 0 || r->addrs.count == 1, "a stale --connect-to port");
    const cn_host_rule *mc = cn_host_rules_match(&copy, r->host, r->port);
    check(mc && strcmp(m->host, mc->host) == 0 && m->port == mc->port &&
              m->to_port == mc->to_port && m->addrs.count == mc->addrs.count,
          "copy matches differently");
  }
  cn_host_rules_free(&copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text_dup(data, size, NULL);
  cn_host_rules rules;
  cn_host_rules_init(&rules);
  char *line = text;
  while (line) {
    char *nl = strchr(line, '\n');
    if (nl)
      *nl = '\0';
    size_t before = rules.count;
    char err[128] = "";
    int rv = line[0] == '>' ? cn_host_rules_parse_connect_to(&rules, line + 1, err, sizeof(err))
                            : cn_host_rules_parse_resolve(&rules, line, err, sizeof(err));
    if (rv != CN_OK) {
      check(rv == CN_ERR_INVALID_ARGUMENT, "error code");
      check(err[0] != '\0', "error without a reason");
      check(rules.count == before, "a rejected entry changed the rules");
    }
    check_rules(&rules);
    line = nl ? nl + 1 : NULL;
  }
  cn_host_rules_free(&rules);
  free(text);
  return 0;
}
