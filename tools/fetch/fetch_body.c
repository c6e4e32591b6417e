#include "tools/fetch/fetch_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/bytebuf.h"
#include "base/mem.h"

// Appends the bytes of |path| ("-": stdin). False when it cannot be read.
static bool append_file(cn_bytebuf *b, const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f)
    return false;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    cn_bytebuf_append(b, buf, n);
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
static bool append_data(cn_bytebuf *b, const fetch_data *d, char *err, size_t err_size) {
  if (d->kind == FETCH_DATA_RAW || d->value[0] != '@') {
    cn_bytebuf_append_str(b, d->value);
    return true;
  }
  const char *path = d->value + 1;
  if (d->kind != FETCH_DATA_ASCII)
    return append_file(b, path) || cannot_read("--data-binary/--json", path, err, err_size);
  cn_bytebuf file;
  cn_bytebuf_init(&file);
  bool ok = append_file(&file, path);
  const uint8_t *data = cn_bytebuf_head(&file);
  for (size_t i = 0; ok && i < cn_bytebuf_len(&file); i++)  // curl's -d @FILE drops CR and LF
    if (data[i] != '\r' && data[i] != '\n')
      cn_bytebuf_append(b, &data[i], 1);
  cn_bytebuf_free(&file);
  return ok || cannot_read("-d", path, err, err_size);
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
static bool append_form_part(cn_bytebuf *b, const char *boundary, const char *spec, char *err,
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
  cn_bytebuf_append_str(b, "--");
  cn_bytebuf_append_str(b, boundary);
  cn_bytebuf_append_str(b, "\r\nContent-Disposition: form-data; name=\"");
  cn_bytebuf_append_str(b, name);
  cn_bytebuf_append_str(b, "\"");
  bool ok = true;
  if (is_file) {
    if (!file_name)
      file_name = base_name(path);
    cn_bytebuf_append_str(b, "; filename=\"");
    cn_bytebuf_append_str(b, file_name);
    cn_bytebuf_append_str(b, "\"\r\nContent-Type: ");
    cn_bytebuf_append_str(b, type ? type : fetch_body_guess_type(file_name));
    cn_bytebuf_append_str(b, "\r\n\r\n");
    ok = append_file(b, path) || cannot_read("-F", path, err, err_size);
  } else if (is_content) {
    if (type) {
      cn_bytebuf_append_str(b, "\r\nContent-Type: ");
      cn_bytebuf_append_str(b, type);
    }
    cn_bytebuf_append_str(b, "\r\n\r\n");
    ok = append_file(b, path) || cannot_read("-F", path, err, err_size);
  } else {
    cn_bytebuf_append_str(b, "\r\n\r\n");
    cn_bytebuf_append_str(b, value);
  }
  cn_bytebuf_append_str(b, "\r\n");
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
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  bool ok = true;
  if (o->num_data) {
    out->present = true;
    out->method = "POST";
    for (size_t i = 0; ok && i < o->num_data; i++) {
      const fetch_data *d = &o->data[i];
      out->json = out->json || d->kind == FETCH_DATA_JSON;
      if (i > 0 && d->kind != FETCH_DATA_JSON)
        cn_bytebuf_append_str(&b, "&");
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
    cn_bytebuf_append_str(&b, "--");
    cn_bytebuf_append_str(&b, boundary);
    cn_bytebuf_append_str(&b, "--\r\n");
    size_t n = strlen(boundary) + 64;
    out->content_type = cn_xmalloc(n);
    snprintf(out->content_type, n, "multipart/form-data; boundary=%s", boundary);
  } else if (o->upload_file) {
    out->present = true;
    out->method = "PUT";
    ok = append_file(&b, o->upload_file) || cannot_read("-T", o->upload_file, err, err_size);
    out->content_type = cn_xstrdup("");
  }
  // The body may hold NULs: copied by length (cn_bytebuf_steal_str stops
  // at the first), with a NUL after it for convenience.
  out->len = cn_bytebuf_len(&b);
  out->data = cn_xmalloc(out->len + 1);
  if (out->len)
    memcpy(out->data, cn_bytebuf_head(&b), out->len);
  out->data[out->len] = '\0';
  cn_bytebuf_free(&b);
  if (!ok)
    fetch_body_free(out);
  return ok;
}

void fetch_body_free(fetch_body *b) {
  free(b->data);
  free(b->content_type);
  memset(b, 0, sizeof(*b));
}
