#include "tools/fetch/fetch_cookies.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/mem.h"

// Cookies and fields bigger than this are dropped (RFC 6265 6.1 asks for
// at least 4096 bytes per cookie; browsers stop near there too).
#define MAX_COOKIE_BYTES 8192
// A jar holds at most this many cookies; the oldest go first.
#define MAX_COOKIES 3000

void fetch_cookie_jar_init(fetch_cookie_jar *jar) { memset(jar, 0, sizeof(*jar)); }

static void cookie_free(fetch_cookie *c) {
  free(c->name);
  free(c->value);
  free(c->domain);
  free(c->path);
}

void fetch_cookie_jar_free(fetch_cookie_jar *jar) {
  for (size_t i = 0; i < jar->count; i++)
    cookie_free(&jar->items[i]);
  free(jar->items);
  free(jar->literal);
  memset(jar, 0, sizeof(*jar));
}

static void remove_at(fetch_cookie_jar *jar, size_t i) {
  cookie_free(&jar->items[i]);
  memmove(&jar->items[i], &jar->items[i + 1], (jar->count - i - 1) * sizeof(jar->items[0]));
  jar->count--;
}

static bool expired(const fetch_cookie *c, int64_t now) { return c->expires && c->expires <= now; }

// Replaces the cookie with the same name, domain and path (RFC 6265 5.3
// step 11), or appends; |c|'s strings move into the jar. An expired |c|
// only removes its match.
static bool jar_put(fetch_cookie_jar *jar, fetch_cookie *c, int64_t now) {
  bool changed = false;
  for (size_t i = 0; i < jar->count; i++) {
    fetch_cookie *o = &jar->items[i];
    if (strcmp(o->name, c->name) == 0 && strcmp(o->domain, c->domain) == 0 &&
        strcmp(o->path, c->path) == 0) {
      remove_at(jar, i);
      changed = true;
      break;
    }
  }
  if (expired(c, now)) {
    cookie_free(c);
    return changed;
  }
  if (jar->count == MAX_COOKIES)
    remove_at(jar, 0);
  jar->items = cn_xrealloc(jar->items, (jar->count + 1) * sizeof(jar->items[0]));
  jar->items[jar->count++] = *c;
  return true;
}

static void lower(char *s) {
  for (; *s; s++)
    *s = (char)tolower((unsigned char)*s);
}

static char *trimmed_dup(const char *s, size_t n) {
  while (n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    n--;
  return cn_xstrndup(s, n);
}

// --- dates: RFC 6265 5.1.1 ---

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return false;
  return n > 0;
}

// Parses a cookie date ("Wed, 21 Oct 2015 07:28:00 GMT", the old
// "Wednesday, 21-Oct-15 ..." and asctime forms) into Unix seconds; false
// when a part is missing or out of range.
static bool parse_cookie_date(const char *s, int64_t *out) {
  static const char kMonths[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  int hour = -1, min = 0, sec = 0, day = -1, month = -1, year = -1;
  while (*s) {
    // Tokens are runs of non-delimiters (5.1.1: delimiters are most
    // punctuation; ':' belongs to the time token).
    while (*s && !isalnum((unsigned char)*s) && *s != ':')
      s++;
    const char *t = s;
    while (*s && (isalnum((unsigned char)*s) || *s == ':'))
      s++;
    size_t n = (size_t)(s - t);
    if (!n)
      continue;
    int h, m, sc;
    char tail;
    char buf[32];
    snprintf(buf, sizeof(buf), "%.*s", (int)(n < 31 ? n : 31), t);
    if (hour < 0 && sscanf(buf, "%2d:%2d:%2d%c", &h, &m, &sc, &tail) == 3) {
      hour = h, min = m, sec = sc;
    } else if (day < 0 && n <= 2 && all_digits(t, n)) {
      day = atoi(buf);
    } else if (month < 0 && n >= 3 && isalpha((unsigned char)t[0])) {
      for (int i = 0; i < 12; i++)
        if (strncasecmp(t, kMonths + 3 * i, 3) == 0)
          month = i;
    } else if (year < 0 && (n == 2 || n == 4) && all_digits(t, n)) {
      year = atoi(buf);
    }
  }
  if (year >= 70 && year <= 99)
    year += 1900;
  else if (year >= 0 && year <= 69)
    year += 2000;
  if (hour < 0 || day < 1 || day > 31 || month < 0 || year < 1601 || hour > 23 || min > 59 ||
      sec > 59)
    return false;
  struct tm tm = {.tm_year = year - 1900, .tm_mon = month, .tm_mday = day,
                  .tm_hour = hour, .tm_min = min, .tm_sec = sec};
  *out = (int64_t)timegm(&tm);
  return true;
}

// --- matching: RFC 6265 5.1.3 and 5.1.4 ---

static bool is_ip_literal(const char *host) {
  if (strchr(host, ':'))
    return true;
  for (const char *p = host; *p; p++)
    if (!isdigit((unsigned char)*p) && *p != '.')
      return false;
  return true;
}

static bool domain_matches(const char *host, const char *domain) {
  if (strcmp(host, domain) == 0)
    return true;
  size_t h = strlen(host), d = strlen(domain);
  return h > d && host[h - d - 1] == '.' && strcmp(host + h - d, domain) == 0 &&
         !is_ip_literal(host);
}

static bool path_matches(const char *req, const char *cookie) {
  size_t n = strlen(cookie);
  if (strncmp(req, cookie, n) != 0)
    return false;
  return req[n] == '\0' || cookie[n - 1] == '/' || req[n] == '/';
}

static bool cookie_matches(const fetch_cookie *c, const char *host, const char *path, bool https,
                           int64_t now) {
  if (expired(c, now) || (c->secure && !https))
    return false;
  if (c->host_only ? strcmp(host, c->domain) != 0 : !domain_matches(host, c->domain))
    return false;
  return path_matches(path, c->path);
}

// The default path of a request path (5.1.4): up to, not including, its
// last '/'; "/" when that leaves nothing.
static char *default_path(const char *path) {
  const char *slash = strrchr(path, '/');
  if (path[0] != '/' || !slash || slash == path)
    return cn_xstrdup("/");
  return cn_xstrndup(path, (size_t)(slash - path));
}

// --- Set-Cookie: RFC 6265 5.2 ---

bool fetch_cookie_jar_set(fetch_cookie_jar *jar, const char *host, const char *path, bool https,
                          const char *value, int64_t now) {
  if (strlen(value) > MAX_COOKIE_BYTES)
    return false;
  const char *semi = strchr(value, ';');
  size_t pair_len = semi ? (size_t)(semi - value) : strlen(value);
  const char *eq = memchr(value, '=', pair_len);
  if (!eq)
    return false;  // no name=value: ignored (5.2 step 2)
  fetch_cookie c = {0};
  c.name = trimmed_dup(value, (size_t)(eq - value));
  c.value = trimmed_dup(eq + 1, pair_len - (size_t)(eq + 1 - value));
  if (!c.name[0]) {
    cookie_free(&c);
    return false;
  }
  bool have_max_age = false;
  int64_t max_age_expiry = 0;
  for (const char *a = semi; a && *a;) {
    a++;  // past ';'
    const char *end = strchr(a, ';');
    size_t len = end ? (size_t)(end - a) : strlen(a);
    const char *aeq = memchr(a, '=', len);
    char *name = trimmed_dup(a, aeq ? (size_t)(aeq - a) : len);
    char *val = aeq ? trimmed_dup(aeq + 1, len - (size_t)(aeq + 1 - a)) : cn_xstrdup("");
    if (strcasecmp(name, "expires") == 0) {
      int64_t t;
      if (parse_cookie_date(val, &t) && !have_max_age)
        c.expires = t <= 0 ? 1 : t;
    } else if (strcasecmp(name, "max-age") == 0) {
      char *e;
      errno = 0;
      long long secs = strtoll(val, &e, 10);
      if (*val && !*e && errno == 0) {
        have_max_age = true;
        max_age_expiry = secs <= 0 ? 1 : now + secs;  // 1: already expired
      }
    } else if (strcasecmp(name, "domain") == 0 && val[0]) {
      free(c.domain);
      c.domain = cn_xstrdup(val[0] == '.' ? val + 1 : val);
      lower(c.domain);
    } else if (strcasecmp(name, "path") == 0 && val[0] == '/') {
      free(c.path);
      c.path = cn_xstrdup(val);
    } else if (strcasecmp(name, "secure") == 0) {
      c.secure = true;
    } else if (strcasecmp(name, "httponly") == 0) {
      c.http_only = true;
    }
    free(name);
    free(val);
    a = end;
  }
  if (have_max_age)
    c.expires = max_age_expiry;
  if (c.domain && c.domain[0]) {
    if (!domain_matches(host, c.domain)) {  // another site's cookie
      cookie_free(&c);
      return false;
    }
  } else {
    free(c.domain);
    c.domain = cn_xstrdup(host);
    c.host_only = true;
  }
  if (!c.path)
    c.path = default_path(path);
  if (c.secure && !https) {  // RFC 6265bis: only a secure origin sets Secure
    cookie_free(&c);
    return false;
  }
  return jar_put(jar, &c, now);
}

// --- the Cookie field ---

typedef struct {
  const fetch_cookie *c;
  size_t order;
} ranked;

static int by_path_then_age(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  size_t lx = strlen(x->c->path), ly = strlen(y->c->path);
  if (lx != ly)
    return lx > ly ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

char *fetch_cookie_jar_header(const fetch_cookie_jar *jar, const char *host, const char *path,
                              bool https, int64_t now) {
  ranked *list = cn_xcalloc(jar->count + 1, sizeof(*list));
  size_t n = 0;
  for (size_t i = 0; i < jar->count; i++)
    if (cookie_matches(&jar->items[i], host, path, https, now))
      list[n++] = (ranked){&jar->items[i], i};
  qsort(list, n, sizeof(*list), by_path_then_age);
  char *out = NULL;
  size_t size = 0;
  FILE *mem = open_memstream(&out, &size);
  if (jar->literal)
    fputs(jar->literal, mem);
  for (size_t i = 0; i < n; i++)
    fprintf(mem, "%s%s=%s", ftell(mem) ? "; " : "", list[i].c->name, list[i].c->value);
  fclose(mem);
  free(list);
  if (!size) {
    free(out);
    return NULL;
  }
  return out;
}

// --- files ---

static bool bool_field(const char *s) { return strcasecmp(s, "TRUE") == 0; }

// One Netscape line: domain, include-subdomains, path, secure, expires,
// name, value (tab separated; a value may be empty).
static void load_netscape_line(fetch_cookie_jar *jar, char *line, int64_t now) {
  bool http_only = false;
  if (strncmp(line, "#HttpOnly_", 10) == 0) {
    http_only = true;
    line += 10;
  }
  char *f[7] = {0};
  size_t n = 0;
  for (char *p = line; n < 7;) {
    f[n++] = p;
    char *tab = strchr(p, '\t');
    if (!tab)
      break;
    *tab = '\0';
    p = tab + 1;
  }
  if (n < 6)
    return;
  char *e;
  long long expires = strtoll(f[4], &e, 10);
  if (*e || !f[5][0] || f[2][0] != '/')
    return;
  fetch_cookie c = {0};
  c.domain = cn_xstrdup(f[0][0] == '.' ? f[0] + 1 : f[0]);
  lower(c.domain);
  c.host_only = !bool_field(f[1]);
  c.path = cn_xstrdup(f[2]);
  c.secure = bool_field(f[3]);
  c.expires = expires;
  c.name = cn_xstrdup(f[5]);
  c.value = cn_xstrdup(n == 7 ? f[6] : "");
  c.http_only = http_only;
  jar_put(jar, &c, now);
}

// A "Set-Cookie:" line of a saved header dump: the cookie's domain must be
// in it, or it has none to match against (curl needs it too).
static void load_set_cookie_line(fetch_cookie_jar *jar, const char *value, int64_t now) {
  const char *d = strcasestr(value, "domain=");
  if (!d)
    return;
  d += 7;
  if (*d == '.')
    d++;
  size_t n = strcspn(d, "; \t");
  char host[256];
  snprintf(host, sizeof(host), "%.*s", (int)(n < 255 ? n : 255), d);
  lower(host);
  fetch_cookie_jar_set(jar, host, "/", true, value, now);
}

void fetch_cookie_jar_load(fetch_cookie_jar *jar, const char *arg, int64_t now) {
  if (strchr(arg, '=')) {
    if (jar->literal) {
      char *joined = cn_xasprintf("%s; %s", jar->literal, arg);
      free(jar->literal);
      jar->literal = joined;
    } else {
      jar->literal = cn_xstrdup(arg);
    }
    return;
  }
  FILE *f = strcmp(arg, "-") == 0 ? stdin : fopen(arg, "r");
  if (!f)
    return;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline(&line, &cap, f)) > 0) {
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (strncasecmp(line, "Set-Cookie:", 11) == 0)
      load_set_cookie_line(jar, line + 11, now);
    else if (line[0] && (line[0] != '#' || strncmp(line, "#HttpOnly_", 10) == 0))
      load_netscape_line(jar, line, now);
  }
  free(line);
  if (f != stdin)
    fclose(f);
}

bool fetch_cookie_jar_save(const fetch_cookie_jar *jar, const char *path, int64_t now, char *err,
                           size_t err_size) {
  FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
  if (!f) {
    snprintf(err, err_size, "cannot write the cookie jar '%s': %s", path, strerror(errno));
    return false;
  }
  fputs("# Netscape HTTP Cookie File\n"
        "# Written by fetch (cnet); the format of curl's -c.\n\n",
        f);
  for (size_t i = 0; i < jar->count; i++) {
    const fetch_cookie *c = &jar->items[i];
    if (expired(c, now))
      continue;
    fprintf(f, "%s%s%s\t%s\t%s\t%s\t%" PRId64 "\t%s\t%s\n", c->http_only ? "#HttpOnly_" : "",
            c->host_only ? "" : ".", c->domain, c->host_only ? "FALSE" : "TRUE", c->path,
            c->secure ? "TRUE" : "FALSE", c->expires, c->name, c->value);
  }
  bool ok = !ferror(f);
  if (f != stdout)
    ok = fclose(f) == 0 && ok;
  else
    fflush(f);
  if (!ok)
    snprintf(err, err_size, "cannot write the cookie jar '%s': %s", path, strerror(errno));
  return ok;
}

bool fetch_cookie_url_parts(const char *url, char *host, size_t host_size, char *path,
                            size_t path_size, bool *https) {
  const char *sep = strstr(url, "://");
  if (!sep)
    return false;
  *https = (size_t)(sep - url) == 5 && strncasecmp(url, "https", 5) == 0;
  const char *h = sep + 3;
  const char *at = NULL;
  size_t auth_len = strcspn(h, "/?#");
  for (size_t i = 0; i < auth_len; i++)
    if (h[i] == '@')
      at = h + i;
  if (at) {
    auth_len -= (size_t)(at + 1 - h);
    h = at + 1;
  }
  size_t n;
  if (h[0] == '[') {
    const char *close = memchr(h, ']', auth_len);
    if (!close)
      return false;
    h++;
    n = (size_t)(close - h);
  } else {
    const char *colon = memchr(h, ':', auth_len);
    n = colon ? (size_t)(colon - h) : auth_len;
  }
  if (!n || n >= host_size)
    return false;
  snprintf(host, host_size, "%.*s", (int)n, h);
  lower(host);
  const char *p = sep + 3 + strcspn(sep + 3, "/?#");
  size_t plen = *p == '/' ? strcspn(p, "?#") : 0;
  if (!plen)
    snprintf(path, path_size, "/");
  else
    snprintf(path, path_size, "%.*s", (int)plen, p);
  return true;
}
