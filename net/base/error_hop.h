// Which hop of a request's route an error came from — the error's source,
// reported with it (the transaction, the API's cnet_request_get_error_source,
// the NetLog, fetch's message) and half of the proxy fallback decision
// (net/proxy_resolution/proxy_fallback.h).
//
// A hop is an int: a proxy of the chain by its index (0 is the proxy
// connected to, as in cn_proxy_chain), or one of the values below.
#ifndef CNET_NET_BASE_ERROR_HOP_H_
#define CNET_NET_BASE_ERROR_HOP_H_

// The origin (a direct connection's failures are the origin's).
#define CN_HOP_ORIGIN (-1)
// Not said: for a connect job, the hop its params talk to
// (net/socket/connect_job.h); for a request, no failure or one that came
// from no peer (proxy resolution, the request's own upload).
#define CN_HOP_UNSET (-2)

#endif  // CNET_NET_BASE_ERROR_HOP_H_
