#include "net/socket/connect_job.h"

#include <stddef.h>

void cn_connect_job_init(cn_connect_job *job, const cn_connect_job_ops *ops, cn_netlog *netlog,
                         const char *group_id, cn_request_priority priority) {
  job->ops = ops;
  job->socket = NULL;
  job->netlog = netlog;
  job->priority = priority;
  job->on_complete = NULL;
  job->owner = NULL;
  job->on_phase_start = NULL;
  job->timed_from_phase_start = false;
  job->phase_started = false;
  job->error_hop = CN_HOP_UNSET;
  job->source = cn_netlog_new_source(netlog, CN_NETLOG_SOURCE_CONNECT_JOB);
  cn_netlog_begin(netlog, job->source, CN_NETLOG_CONNECT_JOB, CN_NL_STR("kind", ops->name),
                  CN_NL_STR("group_id", group_id));
}

void cn_connect_job_complete(cn_connect_job *job, int result) {
  cn_netlog_end_with_error(job->netlog, job->source, CN_NETLOG_CONNECT_JOB, result);
  job->on_complete(job, result);
}

void cn_connect_job_phase_started(cn_connect_job *job) {
  job->phase_started = true;
  if (job->on_phase_start)
    job->on_phase_start(job);
}

cn_stream_socket *cn_connect_job_take_socket(cn_connect_job *job) {
  cn_stream_socket *s = job->socket;
  job->socket = NULL;
  return s;
}
