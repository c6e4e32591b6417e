// Request priorities, lowest to highest (Chromium's order). Pools serve
// pending requests highest first; equal priorities are served in order of
// arrival.
#ifndef CNET_NET_BASE_REQUEST_PRIORITY_H_
#define CNET_NET_BASE_REQUEST_PRIORITY_H_

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_request_priority {
  CN_PRIORITY_THROTTLED = 0,
  CN_PRIORITY_IDLE,
  CN_PRIORITY_LOWEST,
  CN_PRIORITY_LOW,
  CN_PRIORITY_MEDIUM,
  CN_PRIORITY_HIGHEST,
} cn_request_priority;

#define CN_PRIORITY_DEFAULT CN_PRIORITY_MEDIUM

// "MEDIUM" etc.; "?" for an out-of-range value.
const char *cn_request_priority_name(cn_request_priority p);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_REQUEST_PRIORITY_H_
