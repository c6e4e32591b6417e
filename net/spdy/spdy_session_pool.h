// The session pool: live SPDY/3.1 and HTTP/2 sessions by session key, so
// that every request for a key shares one multiplexed session (behaviour 5)
// and a redundant connection made by a race is dropped (behaviour 5's
// "several requests racing to the same new session").
//
// Session key (architecture, "Keys"): the host:port the session speaks to,
// the proxy chain used to reach it and the privacy mode, written as one
// string by cn_spdy_session_key_format(). A session to a proxy has the
// proxy's host:port and the DIRECT chain; a session to an origin through a
// tunnel has the origin's host:port *with* the chain, so it is never taken
// for a direct session to that origin (nor used for http://, which goes to
// the proxy's own session).
//
// Lifetime of a pooled session: cn_spdy_session_pool_add() adopts a
// connected socket whose TLS negotiated spdy/3.1 or h2 and starts a session
// over it; the pool becomes the session's delegate. When the session becomes
// unavailable (GOAWAY, error, stream ids used up) it leaves the key's slot
// at once — find() never returns a going-away or broken session — but stays
// alive while its streams finish; when it closes, the pool destroys it.
//
// Races: requests for a key with no session yet may coordinate with
// cn_spdy_session_pool_start_creating(): the first becomes the creator, the
// others wait (cn_spdy_session_waiter) and are woken when a session for the
// key is added or the creator gives up (cn_spdy_session_pool_creation_done),
// then look again. Independently of that, add() checks the pool again after
// the connection is made (Chromium's approach): if a session for the key
// already exists, the new socket is destroyed and the existing session
// returned, so racing connections still end on one session.
//
// Idle sessions: the pool registers as a cn_higher_layer with the socket
// pools below it (cn_spdy_session_pool_add_lower_pool); a lower pool at its
// limit asks it to close a session with no streams, which gives back a
// socket of that pool (behaviour 4).
//
// Callbacks (waiters) run from the loop, never from inside a pool call.
//
// Ownership: the creator owns the pool. Sessions are owned by the pool;
// callers borrow them (valid until the session closes: hold a stream, which
// keeps the session's memory, rather than the session pointer, across
// loop turns). Destroying the pool destroys every session (their streams
// fail with CN_ERR_ABORTED) and cancels waiters silently.
#ifndef CNET_NET_SPDY_SPDY_SESSION_POOL_H_
#define CNET_NET_SPDY_SPDY_SESSION_POOL_H_

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "base/list.h"
#include "net/base/host_port.h"
#include "net/base/netlog.h"
#include "net/socket/client_socket_pool.h"
#include "net/socket/stream_socket.h"
#include "net/spdy/spdy_session.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_session_pool cn_spdy_session_pool;

// The session key for |dest| reached through the chain |chain_key| (NULL or
// "" for DIRECT) in |privacy_mode|: "host:port|chain|privacy". Returns a
// string the caller frees.
char *cn_spdy_session_key_format(const cn_host_port *dest, const char *chain_key,
                                 bool privacy_mode);
// The same key written into |buf| (|size| bytes, NUL-terminated, truncated
// when too small). Returns the key's length: |size| or more means |buf| was
// too small.
size_t cn_spdy_session_key_write(char *buf, size_t size, const cn_host_port *dest,
                                 const char *chain_key, bool privacy_mode);

// |session_opts| (may be NULL: defaults) is copied and used for every
// session the pool starts; the protocol is each socket's negotiated one,
// or |session_opts->protocol| for a socket that negotiated nothing. |netlog| may
// be NULL.
cn_spdy_session_pool *cn_spdy_session_pool_new(uv_loop_t *loop,
                                               const cn_spdy_session_options *session_opts,
                                               cn_netlog *netlog);
// See "Ownership". Accepts NULL.
void cn_spdy_session_pool_destroy(cn_spdy_session_pool *pool);

// An available session for |key| (borrowed), or NULL. Never a session that
// is going away, failed or closed.
cn_spdy_session *cn_spdy_session_pool_find(cn_spdy_session_pool *pool, const char *key);

// Adopts |socket| (connected, negotiated SPDY/3.1 or HTTP/2; ownership is
// taken in every case) as the session for |key|:
//   - an available session for |key| exists already (a racing connection
//     won): |socket| is destroyed, |*out| is that session, |*reused| true;
//   - else a new session is started over |socket| and becomes the key's.
// Either way waiters for |key| are woken and the creating mark is cleared.
// Returns CN_OK, or the error of cn_spdy_session_create (socket destroyed).
// |reused| may be NULL.
int cn_spdy_session_pool_add(cn_spdy_session_pool *pool, const char *key,
                             cn_stream_socket *socket, cn_spdy_session **out, bool *reused);

// Race coordination, see "Races". Returns true if the caller is now the
// creator for |key| (nobody else was); false if a creation is in progress.
bool cn_spdy_session_pool_start_creating(cn_spdy_session_pool *pool, const char *key);
// The creator ends its attempt without adding a session (the connection
// failed, or negotiated HTTP/1.1): waiters are woken to look for themselves.
void cn_spdy_session_pool_creation_done(cn_spdy_session_pool *pool, const char *key);
bool cn_spdy_session_pool_is_creating(const cn_spdy_session_pool *pool, const char *key);
// True once a session was ever added for |key|: the server is known to
// speak SPDY/HTTP2, so requests racing to it may wait for one creator
// instead of each opening a connection.
bool cn_spdy_session_pool_known_multiplexed(const cn_spdy_session_pool *pool, const char *key);
// A connection for |key| offered SPDY/HTTP2 and negotiated HTTP/1.1: until a
// session is added for it, the server is known not to multiplex.
void cn_spdy_session_pool_note_http11(cn_spdy_session_pool *pool, const char *key);
// Should requests racing for |key| coordinate (one creator, the others
// waiting for its session)? For a server known to speak SPDY/HTTP2, and for
// one never tried when the connection would offer them (|offered|): a
// thousand requests started at once to a new HTTP/2 proxy make one
// connection, not one each. Not once the server answered with HTTP/1.1.
bool cn_spdy_session_pool_should_coordinate(const cn_spdy_session_pool *pool, const char *key,
                                            bool offered);

// A request waiting for a session being created. Embedded by its owner;
// zero it before first use.
typedef struct cn_spdy_session_waiter {
  // Private.
  cn_list_node link;
  struct cn_spdy_session_pool *pool;
  char *key;
  cn_completion_cb cb;
  void *arg;
  bool notifying;
} cn_spdy_session_waiter;

// Waits until a session for |key| is added or the creation ends; then |cb|
// runs once with CN_OK, from the loop: look again with find() (and, if
// still nothing, connect yourself). Returns CN_ERR_IO_PENDING, or CN_OK at
// once (nothing to wait for: no creation in progress; |cb| will not run).
int cn_spdy_session_pool_wait(cn_spdy_session_pool *pool, const char *key,
                              cn_spdy_session_waiter *w, cn_completion_cb cb, void *arg);
// Stops waiting (no callback afterwards). Safe on a waiter not waiting.
void cn_spdy_session_waiter_cancel(cn_spdy_session_waiter *w);

// Registers the pool with |lower| as a higher layer holding idle items (its
// idle sessions). Up to CN_SPDY_SESSION_POOL_MAX_LOWER_POOLS pools; the
// registrations are removed when the session pool is destroyed, so
// |lower| must outlive it or be destroyed after it.
#define CN_SPDY_SESSION_POOL_MAX_LOWER_POOLS 4
void cn_spdy_session_pool_add_lower_pool(cn_spdy_session_pool *pool,
                                         cn_client_socket_pool *lower);

// Closes one session without streams (the least recently added); true if
// one was closed.
bool cn_spdy_session_pool_close_one_idle(cn_spdy_session_pool *pool);
// The same among the sessions for which |match(session, arg)| is true.
bool cn_spdy_session_pool_close_one_idle_matching(cn_spdy_session_pool *pool,
                                                  bool (*match)(const cn_spdy_session *s,
                                                                void *arg),
                                                  void *arg);

// What the owner of the layers above hears about pooled sessions, from the
// loop (each callback may be NULL):
//   on_stalled: the session's peer stream limit is reached with streams
//     waiting (cn_spdy_session_delegate.on_stalled). The owner frees a slot
//     if an idle connection of its own holds one: an idle tunnel's CONNECT
//     stream is never closed by anything else, so a request waiting for a
//     stream of that proxy session would wait for good.
//   on_idle: the session's last stream closed (on_idle of the session);
//     the owner may close it (cn_spdy_session_pool_close_one_idle_matching)
//     if it rides on a stalled session.
typedef struct cn_spdy_session_pool_observer {
  void *arg;
  void (*on_stalled)(void *arg, cn_spdy_session *session);
  void (*on_idle)(void *arg, cn_spdy_session *session);
} cn_spdy_session_pool_observer;
// Copied; NULL: none.
void cn_spdy_session_pool_set_observer(cn_spdy_session_pool *pool,
                                       const cn_spdy_session_pool_observer *observer);
// Closes every session without streams.
void cn_spdy_session_pool_close_idle(cn_spdy_session_pool *pool);
// The network changed: every session that still takes streams goes away
// gracefully (GOAWAY; no new streams, open ones finish, then it closes), as
// Chromium's SpdySessionPool does on an IP address change. Returns how many
// sessions it sent away.
size_t cn_spdy_session_pool_make_all_going_away(cn_spdy_session_pool *pool);

// Counts, for tests and stats: sessions alive (available or draining), and
// available ones.
size_t cn_spdy_session_pool_session_count(const cn_spdy_session_pool *pool);
size_t cn_spdy_session_pool_available_count(const cn_spdy_session_pool *pool);

// The key |s| was added under (NULL if it is not the pool's).
const char *cn_spdy_session_pool_key_of(const cn_spdy_session_pool *pool,
                                        const cn_spdy_session *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_SESSION_POOL_H_
