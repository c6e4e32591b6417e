#include "tools/fetch/fetch_writeout.h"

#include <inttypes.h>
#include <string.h>

static const char *const kVariables[] = {
    "http_code",       "response_code",   "http_version",     "url_effective",
    "method",          "scheme",          "content_type",     "remote_ip",
    "remote_port",     "proxy_chain",     "tunnel_reused",    "session_reused",
    "num_connects",    "num_redirects",   "size_download",    "size_header",
    "size_upload",     "speed_download",  "speed_upload",     "time_namelookup",
    "time_connect",    "time_appconnect", "time_pretransfer", "time_starttransfer",
    "time_total",      "exitcode",        "errormsg",         NULL,
};

const char *const *fetch_write_out_variables(void) { return kVariables; }

bool fetch_write_out_needs_netlog(const char *format) {
  static const char *const kFromNetLog[] = {
      "%{remote_ip}",       "%{remote_port}",    "%{num_connects}",    "%{time_namelookup}",
      "%{time_connect}",    "%{time_appconnect}", "%{time_pretransfer}",
  };
  for (size_t i = 0; i < sizeof(kFromNetLog) / sizeof(kFromNetLog[0]); i++)
    if (strstr(format, kFromNetLog[i]))
      return true;
  return false;
}

// Writes variable |name| (|len| bytes) of |r|; false when unknown.
static bool write_variable(const char *name, size_t len, const fetch_report *r, FILE *f) {
#define IS(s) (len == strlen(s) && strncmp(name, s, len) == 0)
  double total = r->time_total > 0 ? r->time_total : 0;
  if (IS("http_code") || IS("response_code"))
    fprintf(f, "%03d", r->http_code);
  else if (IS("http_version"))
    fputs(r->http_version, f);
  else if (IS("url_effective"))
    fputs(r->url_effective, f);
  else if (IS("method"))
    fputs(r->method, f);
  else if (IS("scheme"))
    fputs(r->scheme, f);
  else if (IS("content_type"))
    fputs(r->content_type, f);
  else if (IS("remote_ip"))
    fputs(r->remote_ip, f);
  else if (IS("remote_port"))
    fprintf(f, "%d", r->remote_port);
  else if (IS("proxy_chain"))
    fputs(r->proxy_chain, f);
  else if (IS("tunnel_reused"))
    fputs(r->tunnel_reused ? "1" : "0", f);
  else if (IS("session_reused"))
    fputs(r->session_reused ? "1" : "0", f);
  else if (IS("num_connects"))
    fprintf(f, "%d", r->num_connects);
  else if (IS("num_redirects"))
    fprintf(f, "%d", r->num_redirects);
  else if (IS("size_download"))
    fprintf(f, "%" PRIu64, r->size_download);
  else if (IS("size_header"))
    fprintf(f, "%" PRIu64, r->size_header);
  else if (IS("size_upload"))
    fprintf(f, "%" PRIu64, r->size_upload);
  else if (IS("speed_download"))
    fprintf(f, "%.0f", total > 0 ? (double)r->size_download / total : 0);
  else if (IS("speed_upload"))
    fprintf(f, "%.0f", total > 0 ? (double)r->size_upload / total : 0);
  else if (IS("time_namelookup"))
    fprintf(f, "%.6f", r->time_namelookup);
  else if (IS("time_connect"))
    fprintf(f, "%.6f", r->time_connect);
  else if (IS("time_appconnect"))
    fprintf(f, "%.6f", r->time_appconnect);
  else if (IS("time_pretransfer"))
    fprintf(f, "%.6f", r->time_pretransfer);
  else if (IS("time_starttransfer"))
    fprintf(f, "%.6f", r->time_starttransfer);
  else if (IS("time_total"))
    fprintf(f, "%.6f", r->time_total);
  else if (IS("exitcode"))
    fprintf(f, "%d", r->exitcode);
  else if (IS("errormsg"))
    fputs(r->errormsg, f);
  else
    return false;
  return true;
#undef IS
}

void fetch_write_out(const char *format, const fetch_report *r, FILE *out, FILE *err) {
  FILE *f = out;
  for (const char *p = format; *p; p++) {
    if (p[0] == '%' && p[1] == '%') {
      fputc('%', f);
      p++;
    } else if (p[0] == '%' && p[1] == '{' && strchr(p + 2, '}')) {
      const char *name = p + 2;
      size_t len = (size_t)(strchr(name, '}') - name);
      if (len == 6 && strncmp(name, "stderr", 6) == 0)
        f = err;
      else if (len == 6 && strncmp(name, "stdout", 6) == 0)
        f = out;
      else if (!write_variable(name, len, r, f))
        fprintf(err, "fetch: unknown --write-out variable: '%.*s'\n", (int)len, name);
      p = name + len;
    } else if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r' || p[1] == 't')) {
      fputc(p[1] == 'n' ? '\n' : p[1] == 'r' ? '\r' : '\t', f);
      p++;
    } else {
      fputc(*p, f);
    }
  }
  fflush(f);
}
