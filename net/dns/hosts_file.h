// A hosts file (/etc/hosts syntax): "ADDRESS NAME [ALIAS...]  # comment",
// one entry a line. The resolver answers names in it before the cache and
// before any DNS query, as Chromium's own resolver does with its parsed
// DnsHosts (c-ares is told not to read the file itself, so one path option
// decides which file counts and tests can use their own).
//
// The file is read when first needed and again whenever its modification
// time or size changes (a stat per lookup: cheap next to a DNS query, and an
// edit of /etc/hosts takes effect at once). A missing or unreadable file is
// an empty one.
//
// Names are matched case-insensitively; a name listed with several
// addresses gets all of them in file order (duplicates dropped), both
// families in one list. Invalid addresses and names are skipped.
//
// Ownership: embed a cn_hosts_file; release it with cn_hosts_file_free().
#ifndef CNET_NET_DNS_HOSTS_FILE_H_
#define CNET_NET_DNS_HOSTS_FILE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hashmap.h"
#include "net/base/ip_endpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_hosts_file {
  char *path;          // NULL: no file (nothing ever matches)
  cn_hashmap entries;  // canonical name -> cn_address_list *
  bool loaded;
  int64_t mtime_ns;    // of the contents in |entries|
  int64_t size;
} cn_hosts_file;

// |path| (copied) may be NULL or "" for none.
void cn_hosts_file_init(cn_hosts_file *h, const char *path);
void cn_hosts_file_free(cn_hosts_file *h);

// Replaces the entries with those parsed from |text| (|len| bytes, need not
// be NUL-terminated). Used by the file loader; tests and the fuzzer call it
// directly.
void cn_hosts_file_parse(cn_hosts_file *h, const char *text, size_t len);

// Looks |host| (canonical: lower case, no brackets) up, re-reading the file
// first if it changed. On a match returns true and replaces *out (an
// initialised list) with the addresses, port 0.
bool cn_hosts_file_lookup(cn_hosts_file *h, const char *host, cn_address_list *out);

// Forgets the parsed contents so the next lookup reads the file again.
void cn_hosts_file_invalidate(cn_hosts_file *h);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_DNS_HOSTS_FILE_H_
