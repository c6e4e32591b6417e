// Private to net/spdy/spdy_session.c and spdy_write_queue.c: the session's
// NetLog events that carry more than a few numbers — header blocks (with
// credentials stripped), settings lists, DATA counts and session errors.
// Control frames log their own one-line events where they are queued.
//
// DATA is not logged per frame: each frame adds to its stream's counts, and
// the counts become one SEND_DATA / RECV_DATA event per stream when a read
// chunk or a gathered write is done, or the stream closes. A stream with
// counts waiting is on the session's |log_pending| list.
//
// Ownership: nothing is kept; strings built for an event are freed before
// the call returns. Header blocks, settings and DATA counts cost nothing
// while the NetLog is not capturing.
#ifndef CNET_NET_SPDY_SPDY_SESSION_NETLOG_H_
#define CNET_NET_SPDY_SPDY_SESSION_NETLOG_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/spdy/spdy_framer.h"
#include "net/spdy/spdy_session.h"

#ifdef __cplusplus
extern "C" {
#endif

// SEND_HEADERS (|sent|) or RECV_HEADERS for a header block of stream |id|:
// the frame's name, the request/response pseudo-headers and every field,
// with the values of credential fields replaced by their length.
void cn_spdy_session_netlog_headers(cn_spdy_session *s, bool sent, cn_spdy_headers_kind kind,
                                    uint32_t id, bool fin, const cn_spdy_header *h, size_t num);
// SEND_SETTINGS (|sent|) or RECV_SETTINGS with the list as "id=value ...".
void cn_spdy_session_netlog_settings(cn_spdy_session *s, bool sent, const cn_spdy_setting *set,
                                     size_t num, bool ack);
// Counts one DATA frame of |st| (|bytes| of payload) towards its next
// SEND_DATA (|sent|) or RECV_DATA event.
void cn_spdy_session_netlog_note_data(cn_spdy_session *s, cn_spdy_stream *st, bool sent,
                                      size_t bytes, bool fin);
// Logs the DATA counts of |st| now (if any) and resets them.
void cn_spdy_session_netlog_data_counts(cn_spdy_session *s, cn_spdy_stream *st);
// Logs the DATA counts of every stream on |log_pending|.
void cn_spdy_session_netlog_flush_data(cn_spdy_session *s);
// SPDY_SESSION_ERROR: what failed the session, with a short |detail|.
void cn_spdy_session_netlog_error(cn_spdy_session *s, int err, const char *detail);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_SESSION_NETLOG_H_
