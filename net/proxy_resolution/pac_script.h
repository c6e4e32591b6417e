// One PAC script in its own duktape heap: FindProxyForURL(url, host) (or
// FindProxyForURLEx when the script defines it), run synchronously on the
// loop thread, with the standard helpers (pac_library.h for the pure ones;
// here, in C: dnsResolve, dnsResolveEx, myIpAddress, myIpAddressEx,
// isInNetEx, sortIpAddressList, alert).
//
// DNS never blocks. The DNS helpers answer from a lookup table the caller
// owns (cn_pac_dns_table). A lookup the table has no answer for is added to
// it, and the run is abandoned (Chromium's "non-blocking DNS" mode of
// ProxyResolverV8Tracing): cn_pac_script_run() returns CN_PAC_NEEDS_DNS,
// the caller resolves the new entries asynchronously and runs the script
// again with the answers. With |dns_final| set, an unknown name is answered
// as unresolvable instead (the caller's cap on re-runs).
//
// Sandbox: the heap has no I/O functions (duktape's built-ins have none;
// the Duktape object is removed), allocations are capped (memory_limit) and
// every run, the script's first evaluation included, is stopped after
// time_limit_ms by duktape's execution-timeout hook (third_party/duktape).
// A script stopped by a limit gets a fresh heap on its next run (the old
// one may be half-way through anything).
//
// Ownership: the caller owns the script (cn_pac_script_free) and the table
// (cn_pac_dns_table_free). Not thread-safe; one run at a time.
#ifndef CNET_NET_PROXY_RESOLUTION_PAC_SCRIPT_H_
#define CNET_NET_PROXY_RESOLUTION_PAC_SCRIPT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/base/net_errors.h"

#ifdef __cplusplus
extern "C" {
#endif

// cn_pac_script_run(): lookups are missing from the table (a positive
// value: not an error, and not CN_ERR_IO_PENDING since nothing is pending).
#define CN_PAC_NEEDS_DNS 1

#define CN_PAC_DEFAULT_TIME_LIMIT_MS 1000
#define CN_PAC_DEFAULT_MEMORY_LIMIT (16u * 1024 * 1024)

// One lookup a script asked for: dnsResolve(host) (|ex| false: the first
// IPv4 address) or dnsResolveEx(host) (|ex| true: every address,
// ';'-separated).
typedef struct cn_pac_dns_entry {
  char *host;
  bool ex;
  bool answered;
  char *answer;  // when answered: the helper's result; NULL: unresolvable
} cn_pac_dns_entry;

typedef struct cn_pac_dns_table {
  cn_pac_dns_entry *items;
  size_t count;
} cn_pac_dns_table;

void cn_pac_dns_table_init(cn_pac_dns_table *t);
void cn_pac_dns_table_free(cn_pac_dns_table *t);
// Answers entry |i| with |answer| (copied; NULL: unresolvable).
void cn_pac_dns_table_answer(cn_pac_dns_table *t, size_t i, const char *answer);

typedef struct cn_pac_script_options {
  uint64_t time_limit_ms;  // per run; 0: CN_PAC_DEFAULT_TIME_LIMIT_MS
  size_t memory_limit;     // heap bytes; 0: CN_PAC_DEFAULT_MEMORY_LIMIT
  // The wall clock of the date helpers, in ms since the epoch; NULL: the
  // system's. Tests fix the date here.
  double (*now_ms)(void *arg);
  void *clock_arg;
  // alert(message) from the script; NULL: ignored. |message| is valid
  // during the call.
  void (*alert)(void *arg, const char *message);
  void *alert_arg;
} cn_pac_script_options;

typedef struct cn_pac_script cn_pac_script;

// Loads the script (|len| bytes at |text|, copied) into a new heap and
// runs its top level. |o| may be NULL (defaults; it is copied). Returns
// CN_OK, or with |*out| NULL and a one-line reason in |err| (|err_size|
// bytes; 200 is plenty): CN_ERR_PAC_SCRIPT_FAILED (a syntax or top-level
// error, with its line, or no FindProxyForURL function), or
// CN_ERR_PAC_SCRIPT_TERMINATED (a limit was hit).
int cn_pac_script_new(const char *text, size_t len, const cn_pac_script_options *o,
                      cn_pac_script **out, char *err, size_t err_size);
// Accepts NULL.
void cn_pac_script_free(cn_pac_script *s);

// Runs FindProxyForURL(|url|, |host|) (FindProxyForURLEx when defined)
// with |dns| as the DNS answers. Returns:
//   CN_OK: |*result| is the script's answer (heap string, the caller frees
//     it; not parsed, see pac_result.h);
//   CN_PAC_NEEDS_DNS: unanswered lookups were added to |dns|;
//   CN_ERR_PAC_SCRIPT_FAILED: a JavaScript error or a non-string answer,
//     described in |err| (with the line when known);
//   CN_ERR_PAC_SCRIPT_TERMINATED: the time or memory limit stopped it.
int cn_pac_script_run(cn_pac_script *s, const char *url, const char *host,
                      cn_pac_dns_table *dns, bool dns_final, char **result, char *err,
                      size_t err_size);

// The address myIpAddress() answers: the source address of a route to a
// public address (found with a connected UDP socket, which sends nothing),
// else "127.0.0.1". |family| AF_INET or AF_INET6; returns false when the
// family has no route. Exposed for tests.
bool cn_pac_my_ip_address(int family, char *buf, size_t size);

// sortIpAddressList(): the ';'-separated addresses IPv6 first then IPv4,
// each in ascending numeric order, as Chromium sorts them. Returns a heap
// string, or NULL when an entry is not an IP literal (the helper's false).
char *cn_pac_sort_ip_address_list(const char *list);
// isInNetEx(ip, prefix): |ip| an IP literal, |prefix| "addr/bits" of the
// same family. False for anything malformed.
bool cn_pac_is_in_net_ex(const char *ip, const char *prefix);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PAC_SCRIPT_H_
