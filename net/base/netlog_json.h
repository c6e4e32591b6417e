// A NetLog observer that writes every event as one JSON object per line
// (JSON Lines). Schema (docs/netlog.md):
//   {"time_us":N,"source":{"type":"SOCKET","id":N},"type":"TCP_CONNECT",
//    "phase":"BEGIN"|"END"|"NONE","params":{...}}
// Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
// written as \u00XX so every line is valid JSON.
//
// Ownership: the writer does not own |out|; the caller closes it after
// detaching the writer.
#ifndef CNET_NET_BASE_NETLOG_JSON_H_
#define CNET_NET_BASE_NETLOG_JSON_H_

#include <stdio.h>

#include "base/bytebuf.h"
#include "net/base/netlog.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_netlog_json_writer {
  FILE *out;
  cn_bytebuf line;              // private: reused per event
  cn_netlog_observer observer;  // private
} cn_netlog_json_writer;

void cn_netlog_json_writer_attach(cn_netlog_json_writer *w, cn_netlog *log, FILE *out);
// Detaches and flushes; frees the writer's buffer.
void cn_netlog_json_writer_detach(cn_netlog_json_writer *w);

// Serialises one entry (no trailing newline). Exposed for tests and for the
// ladder renderer.
void cn_netlog_entry_to_json(const cn_netlog_entry *e, cn_bytebuf *out);
// Appends the value of |p| as cnet's JSON lines write it (a number, string,
// boolean, or {"type":NAME,"id":N} for a source).
void cn_netlog_param_value_to_json(const cn_netlog_param *p, cn_bytebuf *out);
// Appends |s| as a quoted JSON string.
void cn_json_append_string(cn_bytebuf *out, const char *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_NETLOG_JSON_H_
