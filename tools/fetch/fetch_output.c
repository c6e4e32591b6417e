// How fetch writes a body (see fetch_output.h).
#include "tools/fetch/fetch_output.h"

#include <errno.h>
#include <unistd.h>

bool fetch_output_write(FILE *f, const void *data, size_t len) {
  if (len == 0)
    return true;
  if (len < FETCH_OUTPUT_DIRECT_MIN)
    return fwrite(data, 1, len, f) == len;
  // What the buffer holds goes first, so the bytes stay in order.
  if (fflush(f) != 0)
    return false;
  int fd = fileno(f);
  if (fd < 0)
    return fwrite(data, 1, len, f) == len;  // no descriptor (a memory stream)
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += n;
    len -= (size_t)n;
  }
  return true;
}
