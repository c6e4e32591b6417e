#include "net/base/url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uriparser/Uri.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"

// The schemes cnet speaks and their default ports (immutable table).
static const struct {
  const char *scheme;
  uint16_t port;
  bool secure;
} kSchemes[] = {
    {"http", 80, false},
    {"https", 443, true},
    {"ws", 80, false},
    {"wss", 443, true},
};

uint16_t cn_url_default_port(const char *scheme) {
  for (size_t i = 0; i < sizeof(kSchemes) / sizeof(kSchemes[0]); i++) {
    if (strcmp(kSchemes[i].scheme, scheme) == 0)
      return kSchemes[i].port;
  }
  return 0;
}

bool cn_url_is_secure(const cn_url *url) {
  for (size_t i = 0; i < sizeof(kSchemes) / sizeof(kSchemes[0]); i++) {
    if (strcmp(kSchemes[i].scheme, url->scheme) == 0)
      return kSchemes[i].secure;
  }
  return false;
}

bool cn_url_has_default_port(const cn_url *url) {
  return url->port == cn_url_default_port(url->scheme);
}

// uriparser already refuses most of these, but checking first gives one
// clear rule (no whitespace, controls or raw non-ASCII anywhere) that does
// not depend on the library's grammar details.
static bool has_forbidden_bytes(const char *text) {
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p <= 0x20 || *p >= 0x7f)
      return true;
  }
  return false;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Percent-decodes |len| bytes into a fresh heap string. NULL for a malformed
// escape or an encoded NUL, which would silently truncate the C string
// (a classic way to smuggle "user%00@evil" past checks).
static char *percent_decode(const char *s, size_t len) {
  char *out = cn_xmalloc(len + 1);
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] != '%') {
      out[n++] = s[i];
      continue;
    }
    int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
    if (lo < 0 || (hi == 0 && lo == 0)) {
      free(out);
      return NULL;
    }
    out[n++] = (char)(hi * 16 + lo);
    i += 2;
  }
  out[n] = '\0';
  return out;
}

static bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_sub_delim(unsigned char c) { return c != '\0' && strchr("!$&'()*+,;=", c); }

// Appends |s| encoded for the userinfo component; ':' is encoded in the user
// name (it separates the password) but not in the password.
static void append_userinfo_part(cn_bytebuf *b, const char *s, bool encode_colon) {
  static const char kHex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (is_unreserved(*p) || is_sub_delim(*p) || (*p == ':' && !encode_colon)) {
      cn_bytebuf_append(b, p, 1);
    } else {
      char esc[3] = {'%', kHex[*p >> 4], kHex[*p & 15]};
      cn_bytebuf_append(b, esc, 3);
    }
  }
}

static size_t range_len(const UriTextRangeA *r) { return (size_t)(r->afterLast - r->first); }

// WHATWG URL "IPv4 number parser" on the |len| bytes at |s|: decimal, octal
// after a leading '0', hex after "0x" ("0x" alone is 0). Saturates above
// 2^32 (every such value is out of range for any IPv4 part). False when
// empty or a digit is outside the radix.
static bool parse_ipv4_number(const char *s, size_t len, uint64_t *out) {
  if (len == 0)
    return false;
  unsigned radix = 10;
  if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    radix = 16;
    s += 2;
    len -= 2;
  } else if (len >= 2 && s[0] == '0') {
    radix = 8;
    s++;
    len--;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    int d = hex_value(s[i]);
    if (d < 0 || (unsigned)d >= radix)
      return false;
    v = v * radix + (unsigned)d;
    if (v > UINT64_C(0xffffffff))
      v = UINT64_C(0x100000000);  // saturate: already out of range
  }
  *out = v;
  return true;
}

// The WHATWG URL "ends in a number checker": true when the host's last
// dot-separated part (ignoring one trailing dot) is all decimal digits or
// a valid IPv4 number, so the host must be an IPv4 address or nothing.
static bool ends_in_a_number(const char *host, size_t len) {
  if (len > 0 && host[len - 1] == '.') {
    len--;
    if (len == 0)
      return false;  // "." alone is one empty part
  }
  const char *dot = len > 0 ? memrchr(host, '.', len) : NULL;
  const char *last = dot ? dot + 1 : host;
  size_t last_len = len - (size_t)(last - host);
  if (last_len == 0)
    return false;
  if (strspn(last, "0123456789") >= last_len)
    return true;
  uint64_t ignored;
  return parse_ipv4_number(last, last_len, &ignored);
}

// The WHATWG URL IPv4 parser on the canonical (lower-cased) host |host|,
// rewritten in place to its dotted quad ("0x7f.1" -> "127.0.0.1",
// "2130706433." -> "127.0.0.1"). Returns CN_OK when |host| is not an IPv4
// form at all (a name: left alone), CN_OK after rewriting, or
// CN_ERR_INVALID_URL for a host that ends in a number but is no valid IPv4
// address ("1.2.3.4.5", "1.2.3.256", "0x7f.1.2.3.4", "foo.09").
static int canonicalize_ipv4_host(char host[CN_HOST_BUF_SIZE]) {
  size_t len = strlen(host);
  if (!ends_in_a_number(host, len))
    return CN_OK;
  if (host[len - 1] == '.')
    len--;  // one trailing dot is allowed
  uint64_t parts[4];
  size_t n = 0;
  const char *p = host;
  const char *end = host + len;
  for (;;) {
    const char *dot = memchr(p, '.', (size_t)(end - p));
    const char *part_end = dot ? dot : end;
    if (n == 4 || !parse_ipv4_number(p, (size_t)(part_end - p), &parts[n]))
      return CN_ERR_INVALID_URL;
    n++;
    if (!dot)
      break;
    p = dot + 1;
  }
  // Every part but the last is one byte; the last fills the bytes left.
  for (size_t i = 0; i + 1 < n; i++) {
    if (parts[i] > 255)
      return CN_ERR_INVALID_URL;
  }
  uint64_t last_limit = UINT64_C(1) << (8 * (5 - n));
  if (parts[n - 1] >= last_limit)
    return CN_ERR_INVALID_URL;
  uint64_t addr = parts[n - 1];
  for (size_t i = 0; i + 1 < n; i++)
    addr += parts[i] << (8 * (3 - i));
  // The dotted quad may be longer than the input ("1" -> "0.0.0.1"): |host|
  // is the caller's CN_HOST_BUF_SIZE buffer, which always has room.
  snprintf(host, CN_HOST_BUF_SIZE, "%u.%u.%u.%u", (unsigned)(addr >> 24) & 255,
           (unsigned)(addr >> 16) & 255, (unsigned)(addr >> 8) & 255, (unsigned)addr & 255);
  return CN_OK;
}

static int parse_host(const UriUriA *u, cn_url *out) {
  char buf[CN_HOST_BUF_SIZE];
  if (!u->hostText.first || u->hostText.first == u->hostText.afterLast)
    return CN_ERR_INVALID_URL;
  if (u->hostData.ipFuture.first)
    return CN_ERR_INVALID_URL;  // "[v1.x]": nothing can connect to it
  if (u->hostData.ip6) {
    if (!inet_ntop(AF_INET6, u->hostData.ip6->data, buf, sizeof(buf)))
      return CN_ERR_INVALID_URL;
    out->host = cn_xstrdup(buf);
    out->host_is_ipv6 = true;
    return CN_OK;
  }
  // A reg-name may be percent-encoded; decode before validating so that
  // "ex%41mple.com" and "example.com" are one host.
  char *decoded = percent_decode(u->hostText.first, range_len(&u->hostText));
  if (!decoded)
    return CN_ERR_INVALID_URL;
  bool is_v6 = false;
  int rv = cn_host_canonicalize(decoded, strlen(decoded), buf, &is_v6);
  free(decoded);
  // A decoded reg-name must not turn into an IPv6 literal (it would need
  // brackets to be one).
  if (rv != CN_OK || is_v6)
    return CN_ERR_INVALID_URL;
  // Numeric hosts are IPv4 addresses in every form WHATWG URL allows, so
  // "http://0x7f.1/" connects where a browser would and keys the same pool
  // as "http://127.0.0.1/".
  if (canonicalize_ipv4_host(buf) != CN_OK)
    return CN_ERR_INVALID_URL;
  out->host = cn_xstrdup(buf);
  return CN_OK;
}

static int parse_userinfo(const UriUriA *u, cn_url *out) {
  if (!u->userInfo.first)
    return CN_OK;  // NULL: "" once packed
  const char *s = u->userInfo.first;
  size_t len = range_len(&u->userInfo);
  const char *colon = memchr(s, ':', len);
  size_t user_len = colon ? (size_t)(colon - s) : len;
  out->username = percent_decode(s, user_len);
  out->password = colon ? percent_decode(colon + 1, len - user_len - 1) : cn_xstrdup("");
  return out->username && out->password ? CN_OK : CN_ERR_INVALID_URL;
}

// Everything after the uriparser parse; |u| has been normalised.
static int fill_from_uri(const UriUriA *u, cn_url *out) {
  if (!u->scheme.first || u->scheme.first == u->scheme.afterLast)
    return CN_ERR_INVALID_URL;
  out->scheme = cn_xstrndup(u->scheme.first, range_len(&u->scheme));
  for (char *p = out->scheme; *p; p++) {
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p + ('a' - 'A'));
  }
  uint16_t default_port = cn_url_default_port(out->scheme);
  if (default_port == 0)
    return CN_ERR_UNKNOWN_URL_SCHEME;

  int rv = parse_host(u, out);
  if (rv != CN_OK)
    return rv;
  rv = parse_userinfo(u, out);
  if (rv != CN_OK)
    return rv;

  out->port = default_port;
  // "http://h:/" has an empty port, which RFC 3986 §6.2.3 equates with the
  // default.
  if (u->portText.first && u->portText.first != u->portText.afterLast &&
      !cn_port_parse(u->portText.first, range_len(&u->portText), &out->port))
    return CN_ERR_INVALID_URL;

  // With an authority the path is always absolute: join the segments with
  // '/' ("http://h" has none and "http://h/" one empty segment: both "/").
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  if (!u->pathHead)
    cn_bytebuf_append_str(&b, "/");
  for (const UriPathSegmentA *seg = u->pathHead; seg; seg = seg->next) {
    cn_bytebuf_append_str(&b, "/");
    cn_bytebuf_append(&b, seg->text.first, range_len(&seg->text));
  }
  out->path = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);

  if (u->query.first)
    out->query = cn_xstrndup(u->query.first, range_len(&u->query));
  if (u->fragment.first)
    out->fragment = cn_xstrndup(u->fragment.first, range_len(&u->fragment));
  return CN_OK;
}

static void pack(cn_url *dst, const cn_url *src);
static void free_parts(cn_url *url);

int cn_url_parse(const char *text, cn_url *out) {
  memset(out, 0, sizeof(*out));
  if (!text || has_forbidden_bytes(text))
    return CN_ERR_INVALID_URL;
  UriUriA u;
  if (uriParseSingleUriA(&u, text, NULL) != URI_SUCCESS)
    return CN_ERR_INVALID_URL;  // uriparser frees its members on failure
  int rv = CN_OK;
  // Removes dot segments and decodes escaped unreserved characters in the
  // path, so "/a/./b/../c" is requested as "/a/c" as browsers do.
  if (uriNormalizeSyntaxExA(&u, URI_NORMALIZE_PATH) != URI_SUCCESS)
    rv = CN_ERR_INVALID_URL;
  cn_url parts = {0};
  if (rv == CN_OK)
    rv = fill_from_uri(&u, &parts);
  uriFreeUriMembersA(&u);
  if (rv == CN_OK)
    pack(out, &parts);
  free_parts(&parts);
  return rv;
}

// A parsed URL's strings live in one allocation, |scheme| first (one
// chunk per URL instead of seven: a request holds its URL while its stream
// is open). A NULL username or password of |src| is "" in |dst|.
static void pack(cn_url *dst, const cn_url *src) {
  if (!src->scheme) {  // a zeroed URL
    memset(dst, 0, sizeof(*dst));
    return;
  }
  const char *parts[7] = {src->scheme, src->username ? src->username : "",
                          src->password ? src->password : "", src->host,
                          src->path, src->query, src->fragment};
  size_t total = 0;
  for (size_t i = 0; i < 7; i++)
    total += parts[i] ? strlen(parts[i]) + 1 : 0;
  char *block = cn_xmalloc(total);
  char *at[7];
  for (size_t i = 0; i < 7; i++) {
    at[i] = NULL;
    if (!parts[i])
      continue;
    size_t n = strlen(parts[i]) + 1;
    at[i] = memcpy(block, parts[i], n);
    block += n;
  }
  dst->scheme = at[0];  // the block's start
  dst->username = at[1];
  dst->password = at[2];
  dst->host = at[3];
  dst->host_is_ipv6 = src->host_is_ipv6;
  dst->port = src->port;
  dst->path = at[4];
  dst->query = at[5];
  dst->fragment = at[6];
}

// A URL during parsing: each string its own allocation.
static void free_parts(cn_url *url) {
  free(url->scheme);
  free(url->username);
  free(url->password);
  free(url->host);
  free(url->path);
  free(url->query);
  free(url->fragment);
  memset(url, 0, sizeof(*url));
}

void cn_url_free(cn_url *url) {
  free(url->scheme);  // the block of every string (pack)
  memset(url, 0, sizeof(*url));
}

void cn_url_copy(cn_url *dst, const cn_url *src) { pack(dst, src); }

static void append_request_target(cn_bytebuf *b, const cn_url *url) {
  cn_bytebuf_append_str(b, url->path);
  if (url->query) {
    cn_bytebuf_append_str(b, "?");
    cn_bytebuf_append_str(b, url->query);
  }
}

// Without printf: URLs and authorities are made per request.
static void append_authority(cn_bytebuf *b, const cn_url *url) {
  if (url->host_is_ipv6)
    cn_bytebuf_append(b, "[", 1);
  cn_bytebuf_append_str(b, url->host);
  if (url->host_is_ipv6)
    cn_bytebuf_append(b, "]", 1);
  if (!cn_url_has_default_port(url)) {
    cn_bytebuf_append(b, ":", 1);
    cn_bytebuf_append_u64(b, url->port);
  }
}

static void append_scheme(cn_bytebuf *b, const cn_url *url) {
  cn_bytebuf_append_str(b, url->scheme);
  cn_bytebuf_append(b, "://", 3);
}

static char *finish(cn_bytebuf *b) {
  char *s = cn_bytebuf_steal_str(b);
  cn_bytebuf_free(b);
  return s;
}

char *cn_url_request_target(const cn_url *url) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  append_request_target(&b, url);
  return finish(&b);
}

char *cn_url_host_bracketed(const cn_url *url) {
  return url->host_is_ipv6 ? cn_xasprintf("[%s]", url->host) : cn_xstrdup(url->host);
}

char *cn_url_authority(const cn_url *url) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  append_authority(&b, url);
  return finish(&b);
}

char *cn_url_absolute_form(const cn_url *url) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  append_scheme(&b, url);
  append_authority(&b, url);
  append_request_target(&b, url);
  return finish(&b);
}

char *cn_url_to_string(const cn_url *url) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  append_scheme(&b, url);
  if (url->username[0] || url->password[0]) {
    append_userinfo_part(&b, url->username, true);
    if (url->password[0]) {
      cn_bytebuf_append_str(&b, ":");
      append_userinfo_part(&b, url->password, false);
    }
    cn_bytebuf_append_str(&b, "@");
  }
  append_authority(&b, url);
  append_request_target(&b, url);
  if (url->fragment) {
    cn_bytebuf_append_str(&b, "#");
    cn_bytebuf_append_str(&b, url->fragment);
  }
  return finish(&b);
}

void cn_url_host_port(const cn_url *url, cn_host_port *out) {
  memset(out, 0, sizeof(*out));
  // url->host is already canonical and shorter than the buffer.
  strncpy(out->host, url->host, sizeof(out->host) - 1);
  out->port = url->port;
}

int cn_url_resolve(const cn_url *base, const char *ref, cn_url *out) {
  memset(out, 0, sizeof(*out));
  if (!ref || has_forbidden_bytes(ref))
    return CN_ERR_INVALID_URL;
  char *base_text = cn_url_to_string(base);
  UriUriA base_uri, ref_uri, abs_uri;
  int rv = CN_ERR_INVALID_URL;
  if (uriParseSingleUriA(&base_uri, base_text, NULL) != URI_SUCCESS) {
    free(base_text);
    return rv;
  }
  if (uriParseSingleUriA(&ref_uri, ref, NULL) != URI_SUCCESS) {
    uriFreeUriMembersA(&base_uri);
    free(base_text);
    return rv;
  }
  char *resolved = NULL;
  if (uriAddBaseUriExA(&abs_uri, &ref_uri, &base_uri, URI_RESOLVE_STRICTLY) == URI_SUCCESS) {
    int chars = 0;
    if (uriToStringCharsRequiredA(&abs_uri, &chars) == URI_SUCCESS) {
      resolved = cn_xmalloc((size_t)chars + 1);
      if (uriToStringA(resolved, &abs_uri, chars + 1, NULL) != URI_SUCCESS) {
        free(resolved);
        resolved = NULL;
      }
    }
    uriFreeUriMembersA(&abs_uri);
  }
  uriFreeUriMembersA(&ref_uri);
  uriFreeUriMembersA(&base_uri);
  free(base_text);
  if (resolved) {
    rv = cn_url_parse(resolved, out);
    free(resolved);
  }
  return rv;
}
