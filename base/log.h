// Human-oriented diagnostic logging. Structured, machine-readable events go
// to the NetLog (net/base/netlog.h); this is for messages a developer reads.
//
// There is no global logger: whoever wants messages owns a cn_logger and
// hands it to the objects that should log (NULL means "log nothing").
#ifndef CNET_BASE_LOG_H_
#define CNET_BASE_LOG_H_

#include <stdarg.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_log_level {
  CN_LOG_DEBUG = 0,
  CN_LOG_INFO = 1,
  CN_LOG_WARNING = 2,
  CN_LOG_ERROR = 3,
} cn_log_level;

typedef struct cn_logger {
  cn_log_level min_level;
  // Where messages go; NULL sink writes to |out| (stderr when NULL).
  void (*sink)(void *arg, cn_log_level level, const char *msg);
  void *sink_arg;
  FILE *out;
} cn_logger;

const char *cn_log_level_name(cn_log_level level);
void cn_log(const cn_logger *logger, cn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_LOG_H_
