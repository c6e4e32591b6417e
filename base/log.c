#include "base/log.h"

#include <stdlib.h>

#include "base/mem.h"

const char *cn_log_level_name(cn_log_level level) {
  static const char *const kNames[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
  return (unsigned)level < 4 ? kNames[level] : "?";
}

void cn_log(const cn_logger *logger, cn_log_level level, const char *fmt, ...) {
  if (!logger || level < logger->min_level)
    return;
  va_list ap;
  va_start(ap, fmt);
  if (logger->sink) {
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    logger->sink(logger->sink_arg, level, buf);
  } else {
    FILE *out = logger->out ? logger->out : stderr;
    fprintf(out, "[cnet %s] ", cn_log_level_name(level));
    vfprintf(out, fmt, ap);
    fputc('\n', out);
  }
  va_end(ap);
}
