// Proxy configuration: which proxy list a URL gets. Three shapes, as
// Chromium's ProxyConfig::ProxyRules:
//   NONE        no proxy: everything DIRECT
//   LIST        one proxy list for every URL ("https://p1:443,direct://")
//   PER_SCHEME  a list per URL scheme ("http=p1:3128;https=https://p2:443");
//               a scheme without a list goes DIRECT
// plus bypass rules (proxy_bypass_rules.h) whose matches go DIRECT.
//
// Rules text (cn_proxy_config_set_rules), Chromium's --proxy-server syntax:
//   ""                               NONE
//   LIST                             a comma-separated proxy list
//                                    (proxy_list.h): "proxy:3128",
//                                    "https://p1:443,https://p2:443,direct://"
//   SCHEME=LIST[;SCHEME=LIST]...     per scheme; SCHEME is http or https
//                                    ("ftp=" is accepted and ignored, cnet
//                                    has no FTP); blanks around parts ignored
// Scheme-less proxies are http:// (proxy_server.h); socks5:// and socks5h://
// URIs are proxies like any other in a list. Chromium's socks= key (a SOCKS
// fallback for every scheme) and other keys are errors, as are mixing the
// two forms and empty lists.
//
// WebSocket URLs use, as Chromium does after RFC 6455 §4.1.3, the fallback
// list if any, else the https list, else the http list: a WebSocket goes
// through a proxy with CONNECT, like https.
//
// From the environment (cn_proxy_config_from_env), with curl's semantics:
//   http://  URLs: http_proxy (lower case only: HTTP_PROXY is ignored, as
//            curl does, because CGI servers put the client's "Proxy:" header
//            there — "httpoxy"), else all_proxy, else ALL_PROXY
//   https:// URLs: https_proxy, else HTTPS_PROXY, else all_proxy, else
//            ALL_PROXY
//   ws/wss:  all_proxy/ALL_PROXY as the fallback list (see above)
//   no_proxy, else NO_PROXY: bypass rules with curl's no_proxy syntax
// Each proxy variable holds one proxy (a scheme-less value is http://, as in
// curl; all_proxy=socks5h://host:1080 is a SOCKS5 proxy resolving names, as
// curl takes it). An empty variable counts as unset (curl does the same). The
// environment is read through |getenv_fn| so that the library never reads
// process globals and tests inject their own.
//
// Ownership: a cn_proxy_config owns everything in it; release with
// cn_proxy_config_free(), duplicate with cn_proxy_config_copy().
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_CONFIG_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_CONFIG_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/base/url.h"
#include "net/proxy_resolution/proxy_bypass_rules.h"
#include "net/proxy_resolution/proxy_list.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_proxy_rules_type {
  CN_PROXY_RULES_NONE = 0,
  CN_PROXY_RULES_LIST,
  CN_PROXY_RULES_PER_SCHEME,
} cn_proxy_rules_type;

typedef struct cn_proxy_config {
  cn_proxy_rules_type type;
  cn_proxy_list single;     // LIST
  cn_proxy_list for_http;   // PER_SCHEME; empty: DIRECT for http://
  cn_proxy_list for_https;  // PER_SCHEME; empty: DIRECT for https://
  cn_proxy_list fallback;   // PER_SCHEME; for schemes without their own list
  cn_proxy_bypass_rules bypass;
} cn_proxy_config;

// Reads one environment variable: its value (owned by the callee, valid
// until the next call) or NULL when unset.
typedef const char *(*cn_getenv_fn)(void *arg, const char *name);

// A NONE (all DIRECT) configuration without bypass rules.
void cn_proxy_config_init(cn_proxy_config *cfg);
void cn_proxy_config_free(cn_proxy_config *cfg);
// Deep copy into |dst| (overwritten, not freed).
void cn_proxy_config_copy(cn_proxy_config *dst, const cn_proxy_config *src);

// Replaces the proxy rules (not the bypass rules) with |rules| (syntax
// above). Returns CN_OK, or CN_ERR_INVALID_ARGUMENT /
// CN_ERR_UNKNOWN_URL_SCHEME with |cfg| unchanged and a one-line reason in
// |err| (may be NULL; |err_size| bytes, 160 is plenty).
int cn_proxy_config_set_rules(cn_proxy_config *cfg, const char *rules, char *err,
                              size_t err_size);
// Appends the explicit bypass list |bypass| (proxy_bypass_rules.h syntax 1).
// Errors as cn_proxy_config_set_rules.
int cn_proxy_config_add_bypass(cn_proxy_config *cfg, const char *bypass, char *err,
                               size_t err_size);

// Builds |cfg| (overwritten, not freed) from the environment read through
// |getenv_fn(arg, name)|, with the semantics above. Returns CN_OK, or the
// parse error of a proxy variable with |cfg| left NONE and the variable
// named in |err| (without its value, which may hold credentials). A proxy
// cnet cannot use (socks5://...) is an error rather than silently DIRECT:
// the user asked for a proxy.
int cn_proxy_config_from_env(cn_proxy_config *cfg, cn_getenv_fn getenv_fn, void *arg, char *err,
                             size_t err_size);

// Writes the proxy list for |url| into |out| (overwritten, not freed):
// DIRECT for NONE, for a bypassed URL and for a scheme without a list.
// |bypassed| (may be NULL) says whether a bypass rule decided it.
void cn_proxy_config_apply(const cn_proxy_config *cfg, const cn_url *url, cn_proxy_list *out,
                           bool *bypassed);

// A one-line description for logs, without credentials, e.g.
// "http=http://p:80;https=https://q:443 bypass=<local>,*.test"; "direct"
// for NONE. Heap string; the caller frees it.
char *cn_proxy_config_to_string(const cn_proxy_config *cfg);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_CONFIG_H_
