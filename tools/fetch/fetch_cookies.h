// fetch's cookie engine, curl's -b/--cookie and -c/--cookie-jar: a jar of
// cookies read from a file (Netscape format, or Set-Cookie header lines as
// curl accepts them), filled from the Set-Cookie fields of responses
// (RFC 6265 section 5.2, simplified: no public-suffix list), matched to each
// request's URL (domain, path, Secure, expiry: RFC 6265 section 5.4) and
// written back as a Netscape cookie file.
//
// This is fetch's, not cnet's: cnet (like Chromium's //net without its
// CookieStore) sends the Cookie field an application gives it. The engine
// is enabled by -b or -c; without them fetch sends no cookies, as curl.
//
// Ownership: the jar owns its cookies (copies of every string). Not
// thread-safe (fetch's loop thread only).
#ifndef CNET_TOOLS_FETCH_FETCH_COOKIES_H_
#define CNET_TOOLS_FETCH_FETCH_COOKIES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fetch_cookie {
  char *name;
  char *value;
  char *domain;    // lower case, no leading dot
  char *path;      // starts with '/'
  bool host_only;  // no Domain attribute: only |domain| itself matches
  bool secure;     // only over https://
  bool http_only;  // kept and written back ("#HttpOnly_" prefix)
  int64_t expires;  // Unix seconds; 0: a session cookie
} fetch_cookie;

typedef struct fetch_cookie_jar {
  fetch_cookie *items;
  size_t count;
  // -b "NAME=VALUE; ...": sent as given to every request, as curl does.
  char *literal;
} fetch_cookie_jar;

void fetch_cookie_jar_init(fetch_cookie_jar *jar);
void fetch_cookie_jar_free(fetch_cookie_jar *jar);

// Takes one -b argument: text with a '=' is a literal Cookie value; anything
// else names a file read as curl reads one (Netscape lines, "Set-Cookie:"
// lines; '#' comments, except "#HttpOnly_"). A file that cannot be opened
// adds nothing and is no error (curl's "-b none" habit of just enabling the
// engine); a line that is neither form is skipped. |now| expires old
// entries.
void fetch_cookie_jar_load(fetch_cookie_jar *jar, const char *arg, int64_t now);

// Takes one Set-Cookie field |value| of a response to |host||path| (the
// request URL's host, lower case, and path). A cookie whose Domain does not
// cover |host| is ignored (RFC 6265 5.3 step 6); one already expired
// (Max-Age <= 0, Expires in the past) removes its match. Returns whether
// the jar changed.
bool fetch_cookie_jar_set(fetch_cookie_jar *jar, const char *host, const char *path, bool https,
                          const char *value, int64_t now);

// The Cookie field value for a request to |host||path| ("a=1; b=2": longer
// paths first, then older first; the -b literal first), or NULL when
// nothing matches. Caller frees.
char *fetch_cookie_jar_header(const fetch_cookie_jar *jar, const char *host, const char *path,
                              bool https, int64_t now);

// Writes the jar's unexpired cookies to |path| ("-": stdout) in the Netscape
// format curl writes. Returns false with a reason in |err| when the file
// cannot be written.
bool fetch_cookie_jar_save(const fetch_cookie_jar *jar, const char *path, int64_t now, char *err,
                           size_t err_size);

// Splits an http(s) URL into what the jar matches on: |host| (lower case,
// without port or brackets), |path| (from the first '/', without query or
// fragment; "/" when empty) and whether it is https. Returns false when
// |url| has no scheme://host.
bool fetch_cookie_url_parts(const char *url, char *host, size_t host_size, char *path,
                            size_t path_size, bool *https);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_COOKIES_H_
