// What fetch does to URLs and host lists before cnet sees them, as curl
// does: a missing scheme, -O's file name, --connect-to, --noproxy.
#ifndef CNET_TOOLS_FETCH_FETCH_URLS_H_
#define CNET_TOOLS_FETCH_FETCH_URLS_H_

#include <stdbool.h>
#include <stddef.h>

#include "tools/fetch/fetch_options.h"

#ifdef __cplusplus
extern "C" {
#endif

// "http://" before a URL without a scheme, as curl does ("host/path" ->
// "http://host/path"). Returns a new string.
char *fetch_url_with_scheme(const char *url);
// The file name -O takes from |url|: its path's last segment, without the
// query; NULL when there is none (a URL ending in '/').
char *fetch_remote_name(const char *url);

// --resolve rules, and the --connect-to rules for cnet's connect_to_rules:
// HOST1:PORT1:HOST2:PORT2 with HOST2 an IP address (a name is resolved once,
// here; an empty HOST2 is HOST1's address) and PORT2 as given (empty: the
// URL's port). A --connect-to with neither HOST2 nor PORT2 changes nothing
// and adds no rule.
typedef struct fetch_resolve_list {
  char **rules;  // owned
  size_t count;
  char **connect_rules;  // owned
  size_t num_connect_rules;
} fetch_resolve_list;
bool fetch_resolve_list_build(const fetch_options *o, fetch_resolve_list *out, char *err,
                              size_t err_size);
void fetch_resolve_list_free(fetch_resolve_list *l);

// curl's --noproxy list ("example.com,10.0.0.0/8", "*") in cnet's bypass
// syntax: a name covers its subdomains too ("example.com,*.example.com").
// Returns a new string.
char *fetch_noproxy_to_bypass(const char *noproxy);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_URLS_H_
