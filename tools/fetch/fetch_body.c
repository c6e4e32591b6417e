#include "tools/fetch/fetch_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/mem.h"

// A growing byte string.
typedef struct bytes {
  char *data;
  size_t len;
  size_t cap;
} bytes;

static void bytes_append(bytes *b, const void *data, size_t len) {
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + len + 1)
      cap *= 2;
    b->data = cn_xrealloc(b->data, cap);
    b->cap = cap;
  }
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

static void bytes_puts(bytes *b, const char *s) { bytes_append(b, s, strlen(s)); }

// Appends the bytes of |path| ("-": stdin). False when it cannot be read.
static bool append_file(bytes *b, const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f)
    return false;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    bytes_append(b, buf, n);
  bool ok = !ferror(f);
  if (f != stdin)
    fclose(f);
  return ok;
}

static bool cannot_read(const char *what, const char *path, char *err, size_t err_size) {
  snprintf(err, err_size, "%s: cannot read the file '%s'", what, path);
  return false;
}

// One -d family piece, appended to |b|.
static bool append_data(bytes *b, const fetch_data *d, char *err, size_t err_size) {
  if (d->kind == FETCH_DATA_RAW || d->value[0] != '@') {
    bytes_puts(b, d->value);
    return true;
  }
  const char *path = d->value + 1;
  if (d->kind != FETCH_DATA_ASCII)
    return append_file(b, path) || cannot_read("--data-binary/--json", path, err, err_size);
  bytes file = {0};
  if (!append_file(&file, path)) {
    free(file.data);
    return cannot_read("-d", path, err, err_size);
  }
  for (size_t i = 0; i < file.len; i++)  // curl's -d @FILE drops CR and LF
    if (file.data[i] != '\r' && file.data[i] != '\n')
      bytes_append(b, &file.data[i], 1);
  free(file.data);
  return true;
}

const char *fetch_body_guess_type(const char *file_name) {
  static const struct {
    const char *ext;
    const char *type;
  } kTypes[] = {
      // curl's own list (lib/mime.c)
      {".gif", "image/gif"},   {".jpg", "image/jpeg"},     {".jpeg", "image/jpeg"},
      {".png", "image/png"},   {".svg", "image/svg+xml"},  {".txt", "text/plain"},
      {".htm", "text/html"},   {".html", "text/html"},     {".pdf", "application/pdf"},
      {".xml", "application/xml"},
  };
  size_t len = strlen(file_name);
  for (size_t i = 0; i < sizeof(kTypes) / sizeof(kTypes[0]); i++) {
    size_t el = strlen(kTypes[i].ext);
    if (len >= el && strcasecmp(file_name + len - el, kTypes[i].ext) == 0)
      return kTypes[i].type;
  }
  return "application/octet-stream";
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

// One -F part: "name=value", "name=@file[;type=T][;filename=F]",
// "name=<file[;type=T]".
static bool append_form_part(bytes *b, const char *boundary, const char *spec, char *err,
                             size_t err_size) {
  const char *eq = strchr(spec, '=');  // the parser made sure there is one
  char *name = cn_xstrndup(spec, (size_t)(eq - spec));
  const char *value = eq + 1;
  bool is_file = value[0] == '@', is_content = value[0] == '<';
  char *path = NULL;
  const char *type = NULL;
  const char *file_name = NULL;
  char *attrs = NULL;
  if (is_file || is_content) {
    path = cn_xstrdup(value + 1);
    // ";type=..." and ";filename=..." after the file name, as curl reads them.
    char *semi = strchr(path, ';');
    if (semi) {
      *semi = '\0';
      attrs = semi + 1;
      for (char *tok = strtok(attrs, ";"); tok; tok = strtok(NULL, ";")) {
        if (strncmp(tok, "type=", 5) == 0)
          type = tok + 5;
        else if (strncmp(tok, "filename=", 9) == 0)
          file_name = tok + 9;
      }
    }
  }
  bytes_puts(b, "--");
  bytes_puts(b, boundary);
  bytes_puts(b, "\r\nContent-Disposition: form-data; name=\"");
  bytes_puts(b, name);
  bytes_puts(b, "\"");
  bool ok = true;
  if (is_file) {
    if (!file_name)
      file_name = base_name(path);
    bytes_puts(b, "; filename=\"");
    bytes_puts(b, file_name);
    bytes_puts(b, "\"\r\nContent-Type: ");
    bytes_puts(b, type ? type : fetch_body_guess_type(file_name));
    bytes_puts(b, "\r\n\r\n");
    ok = append_file(b, path) || cannot_read("-F", path, err, err_size);
  } else if (is_content) {
    if (type) {
      bytes_puts(b, "\r\nContent-Type: ");
      bytes_puts(b, type);
    }
    bytes_puts(b, "\r\n\r\n");
    ok = append_file(b, path) || cannot_read("-F", path, err, err_size);
  } else {
    bytes_puts(b, "\r\n\r\n");
    bytes_puts(b, value);
  }
  bytes_puts(b, "\r\n");
  free(path);
  free(name);
  return ok;
}

// curl's boundary: 24 dashes and 22 random alphanumerics (8.x; 7.x used
// 16 hex digits).
static void random_boundary(char *out, size_t size) {
  static const char kChars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  unsigned char rnd[22];
  FILE *f = fopen("/dev/urandom", "rb");
  if (!f || fread(rnd, 1, sizeof(rnd), f) != sizeof(rnd)) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    unsigned seed = (unsigned)tv.tv_usec ^ (unsigned)getpid();
    for (size_t i = 0; i < sizeof(rnd); i++)
      rnd[i] = (unsigned char)rand_r(&seed);
  }
  if (f)
    fclose(f);
  size_t n = snprintf(out, size, "------------------------");
  for (size_t i = 0; i < sizeof(rnd) && n + 1 < size; i++)
    out[n++] = kChars[rnd[i] % (sizeof(kChars) - 1)];
  out[n] = '\0';
}

bool fetch_body_build(const fetch_options *o, const char *boundary, fetch_body *out, char *err,
                      size_t err_size) {
  memset(out, 0, sizeof(*out));
  bytes b = {0};
  bytes_append(&b, "", 0);
  bool ok = true;
  if (o->num_data) {
    out->present = true;
    out->method = "POST";
    for (size_t i = 0; ok && i < o->num_data; i++) {
      const fetch_data *d = &o->data[i];
      out->json = out->json || d->kind == FETCH_DATA_JSON;
      if (i > 0 && d->kind != FETCH_DATA_JSON)
        bytes_puts(&b, "&");
      ok = append_data(&b, d, err, err_size);
    }
    out->content_type =
        cn_xstrdup(out->json ? "application/json" : "application/x-www-form-urlencoded");
  } else if (o->num_forms) {
    out->present = true;
    out->method = "POST";
    char random[64];
    if (!boundary) {
      random_boundary(random, sizeof(random));
      boundary = random;
    }
    for (size_t i = 0; ok && i < o->num_forms; i++)
      ok = append_form_part(&b, boundary, o->forms[i], err, err_size);
    bytes_puts(&b, "--");
    bytes_puts(&b, boundary);
    bytes_puts(&b, "--\r\n");
    size_t n = strlen(boundary) + 64;
    out->content_type = cn_xmalloc(n);
    snprintf(out->content_type, n, "multipart/form-data; boundary=%s", boundary);
  } else if (o->upload_file) {
    out->present = true;
    out->method = "PUT";
    ok = append_file(&b, o->upload_file) || cannot_read("-T", o->upload_file, err, err_size);
    out->content_type = cn_xstrdup("");
  }
  out->data = b.data;
  out->len = b.len;
  if (!ok)
    fetch_body_free(out);
  return ok;
}

void fetch_body_free(fetch_body *b) {
  free(b->data);
  free(b->content_type);
  memset(b, 0, sizeof(*b));
}
