// The default lookup backend under cn_host_resolver (which calls it
// directly, not through a cn_host_resolver_proc, to get the TTLs): c-ares (Debian's
// libc-ares-dev), an asynchronous stub resolver driven by the libuv loop
// with no threads. It asks for A and AAAA at once (ares_getaddrinfo with
// AF_UNSPEC; addresses sorted by RFC 6724 as getaddrinfo sorts them), reports
// the records' real TTLs, and applies the search domains and ndots of
// resolv.conf or of its options.
//
// It does not read /etc/hosts: the resolver answers from its own
// cn_hosts_file first (net/dns/hosts_file.h), so one option names the file
// for both backends and tests can use their own.
//
// Loop integration: c-ares reports each socket it wants watched (its socket
// state callback), which becomes a uv_poll handle; its next timeout
// (ares_timeout) is one cn_timer. Every answer, error and timeout is handled
// from the loop.
//
// Errors (the done callback's result): NXDOMAIN or no address of either family ->
// CN_ERR_NAME_NOT_RESOLVED; every server silent for all attempts ->
// CN_ERR_DNS_TIMED_OUT; SERVFAIL, REFUSED, a refused UDP port ->
// CN_ERR_DNS_SERVER_FAILED; a malformed answer ->
// CN_ERR_DNS_MALFORMED_RESPONSE. A lookup ends within about
// attempt_timeout_ms * (2^attempts - 1) per server and search name (c-ares
// doubles the timeout each round).
//
// Threading: loop thread only. No global state beyond c-ares' own
// reference-counted library init.
#ifndef CNET_NET_DNS_HOST_RESOLVER_ARES_H_
#define CNET_NET_DNS_HOST_RESOLVER_ARES_H_

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "net/base/ip_endpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ares_options {
  // DNS servers, comma separated: "127.0.0.1:5353,[::1]:53,10.0.0.1"
  // (port 53 when none). NULL or "": resolv.conf's nameservers.
  const char *servers;
  // The resolv.conf to read (nameservers, search, options ndots). NULL:
  // /etc/resolv.conf.
  const char *resolv_conf;
  // Search domains, comma separated ("corp.example,example.org"); "" for
  // none. NULL: resolv.conf's search/domain lines.
  const char *search_domains;
  // Names with fewer dots than this are tried with the search domains
  // first. Negative: resolv.conf's (1 when it says nothing).
  int ndots;
  // The first attempt's timeout per server; 0: 2000 ms.
  uint64_t attempt_timeout_ms;
  // Rounds over the servers; 0: 2.
  int attempts;
} cn_ares_options;

// Fills |o| with the defaults above (everything from resolv.conf).
void cn_ares_options_init(cn_ares_options *o);

typedef struct cn_ares_backend cn_ares_backend;

// Makes a backend on |loop|. |o| may be NULL for the defaults; its strings
// are used during the call only. Returns CN_OK and the backend in *out, or
// CN_ERR_INVALID_ARGUMENT (a bad |servers| string) / CN_ERR_FAILED (c-ares
// could not start) with a one-line reason in |err| (|err_size| bytes; may be
// NULL). The caller owns the backend: cn_ares_backend_destroy().
int cn_ares_backend_new(uv_loop_t *loop, const cn_ares_options *o, cn_ares_backend **out,
                        char *err, size_t err_size);

// Destroys the backend. Every lookup must have completed or been abandoned.
// Safe to call from inside a lookup's done callback (the backend then goes
// away when c-ares returns to it). Its uv handles close asynchronously: run
// the loop before uv_loop_close(). Accepts NULL.
void cn_ares_backend_destroy(cn_ares_backend *b);

// Number of lookups c-ares is still running (abandoned ones included), for
// tests.
size_t cn_ares_backend_lookup_count(const cn_ares_backend *b);

// Like cn_host_resolver_proc_done_cb, with the answer's time to live in
// milliseconds: for CN_OK the smallest TTL of its records (CNAMEs
// included); -1 when unknown (errors).
typedef void (*cn_ares_done_cb)(void *done_arg, int result, cn_address_list *addrs,
                                int64_t ttl_ms);

// Starts resolving |host| (a canonical name, never an IP literal) for
// |family| (AF_UNSPEC: A and AAAA). The contract of cn_host_resolver_proc's
// start: returns CN_ERR_IO_PENDING with *out_lookup set, and |done| runs
// exactly once later from the loop (never from inside this call) with the
// result above, taking the contents of *addrs; or an error synchronously.
int cn_ares_backend_start(cn_ares_backend *b, const char *host, int family, cn_ares_done_cb done,
                          void *done_arg, void **out_lookup);
// The caller no longer wants the answer: |done| will not run. c-ares cannot
// cancel one query, so it keeps running until answered or timed out and is
// freed then.
void cn_ares_backend_abandon(cn_ares_backend *b, void *lookup);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_DNS_HOST_RESOLVER_ARES_H_
