// Private to tools/fetch/ladder*.c: NetLog JSON lines (docs/netlog.md)
// parsed into events, and the lookups the ladder makes on them.
//
// A line becomes an |ev| when it is a JSON object with "time_us", "source"
// {type, id}, "type" and "phase" (BEGIN, END or NONE) and, if present, an
// object "params"; any other line is counted as bad (the first one's line
// number and reason are kept for the diagram's footer), never fatal.
//
// Ownership: an ev_log owns its array and every event's JSON (|root|); the
// strings and |params| of an event point into its JSON and live until
// ev_log_free. Strings the lookups return point into the events too (or are
// static ""). A zeroed ev_log is empty and valid.
#ifndef CNET_TOOLS_FETCH_LADDER_PARSE_H_
#define CNET_TOOLS_FETCH_LADDER_PARSE_H_

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ev_phase { PHASE_NONE, PHASE_BEGIN, PHASE_END } ev_phase;

// One parsed NetLog line. |root| owns the JSON; the strings point into it.
typedef struct ev {
  uint64_t t;
  const char *src_type;
  int64_t src_id;
  const char *type;
  ev_phase phase;
  json_t *params;  // an object (empty when the line had none)
  json_t *root;
} ev;

// The events of one NetLog, in the order of their lines (which is time
// order: a NetLog is written as events happen).
typedef struct ev_log {
  ev *v;
  size_t n, cap;
  size_t bad;             // lines that were not NetLog JSON
  size_t lines;           // lines seen
  size_t first_bad_line;  // 1-based
  char first_bad_reason[96];
} ev_log;

// --- Parsing ---

// Parses one NetLog line (a trailing newline is ignored) into |log|, or
// counts it as bad.
void ev_log_add_line(ev_log *log, const char *line, size_t len);
// Reads the NetLog file at |path| (JSON lines, any length) into |log|.
// Returns 0, or -1 with "cannot read the WHO's NetLog PATH" in |err|.
int ev_log_read_file(ev_log *log, const char *who, const char *path, char *err,
                     size_t err_size);
// Frees the events and their JSON; |log| is empty after.
void ev_log_free(ev_log *log);

// --- An event's parameters ---

// The string parameter |key|, or "" when absent or not a string.
const char *ev_str(const ev *e, const char *key);
// Whether parameter |key| is present.
bool ev_has(const ev *e, const char *key);
// The integer parameter |key|, or 0.
int64_t ev_int(const ev *e, const char *key);
// Whether parameter |key| is true.
bool ev_bool(const ev *e, const char *key);
// The id of a {"type","id"} reference parameter, or -1.
int64_t ev_ref(const ev *e, const char *key);
// The type of a {"type","id"} reference parameter, or "".
const char *ev_ref_type(const ev *e, const char *key);
// Whether |e| is event |type| with |phase|.
bool ev_is(const ev *e, const char *type, ev_phase phase);
// Whether |e| was logged by source |src_type| / |id|.
bool ev_from(const ev *e, const char *src_type, int64_t id);

// --- Lookups in a log ---

// The first event |type|/|phase| of source |src_type|/|id|, or NULL.
const ev *ev_log_find(const ev_log *log, const char *src_type, int64_t id, const char *type,
                      ev_phase phase);
// The group id of the connect job that connected |socket_id|
// (CONNECT_JOB_SET_SOCKET), or "".
const char *ev_log_socket_group(const ev_log *log, int64_t socket_id);
// A stream's STREAM_ALIVE BEGIN by (session, stream id), or NULL.
const ev *ev_log_find_stream(const ev_log *log, int64_t session, int64_t stream_id);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_LADDER_PARSE_H_
