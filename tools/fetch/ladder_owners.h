// Private to tools/fetch/ladder*.c: which request each client event was
// done for.
//
// Each client event gets the REQUEST it was done for, from the links the
// NetLog records: a request's SOCKET_POOL_BOUND names the socket a connect
// job made (CONNECT_JOB_SET_SOCKET), that job's own SOCKET_POOL_BOUND the
// lower socket another job made, and so on down to the TCP connect; a
// tunnel job, which names no socket, is paired with the "new" bound of its
// pool group in the order the jobs finished; a stream names its owner (a
// request, or the tunnel job of a CONNECT); a session starts right after
// the bound of the TLS socket it runs on. Events none of this reaches (a
// connect job whose socket nobody took) go to the oldest request alive.
//
// Ownership: ladder_owners borrows the log it was made for (which must
// outlive it) and owns its arrays, freed by ladder_owners_free. When memory
// runs out while it is made, |event_owner| is NULL: nobody owns anything and
// the ladder falls back to time windows alone.
#ifndef CNET_TOOLS_FETCH_LADDER_OWNERS_H_
#define CNET_TOOLS_FETCH_LADDER_OWNERS_H_

#include <stddef.h>
#include <stdint.h>

#include "tools/fetch/ladder_parse.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LADDER_NO_OWNER (-1)

typedef struct ladder_owners {
  const ev_log *log;
  int64_t *event_owner;  // per client event: the REQUEST id, or LADDER_NO_OWNER
  int64_t *job_ids;      // CONNECT_JOB ids and their owners, computed lazily
  int64_t *job_owner;
  size_t njobs;
  int64_t *socket_ids;   // sockets a connect job made, and the job
  int64_t *socket_jobs;
  size_t nsockets;
} ladder_owners;

// Fills |o| for |log| (the client's NetLog).
void ladder_owners_init(ladder_owners *o, const ev_log *log);
// Frees the arrays; |o| is empty after.
void ladder_owners_free(ladder_owners *o);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_LADDER_OWNERS_H_
