// The standard PAC helpers that need no DNS, as JavaScript source evaluated
// into every PAC heap before the script (as Chromium's pac_js_library.h):
// isPlainHostName, dnsDomainIs, localHostOrDomainIs, dnsDomainLevels,
// shExpMatch, isResolvable, isResolvableEx, isInNet, weekdayRange,
// dateRange, timeRange. isResolvable(Ex) and isInNet call the C helpers
// dnsResolve(Ex) (pac_script.c); the date helpers read the time from the C
// helper __cnNow() so that tests can fix it. Names starting with __cn are
// internal.
#ifndef CNET_NET_PROXY_RESOLUTION_PAC_LIBRARY_H_
#define CNET_NET_PROXY_RESOLUTION_PAC_LIBRARY_H_

#ifdef __cplusplus
extern "C" {
#endif

// NUL-terminated JavaScript source.
extern const char kCnPacLibrary[];

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PAC_LIBRARY_H_
