// ci/serve/server.h — the webhook endpoint (cpp-httplib): POST /webhook (and /)
// answers 413 past the body limit, 401 to a missing or wrong X-Hub-Signature-256
// before reading the payload, 200 to a delivery id seen before, then queues what
// events.h decides (checking a commenter's permission with GitHub first); GET
// /healthz says it is up. Running jobs is worker.h's; the queue is job_queue.h's.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "base/expected.h"
#include "base/redact.h"
#include "ci/serve/config.h"
#include "ci/serve/github.h"
#include "ci/serve/job_queue.h"
#include "ci/serve/worker.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace faultline::ci::serve {

// What the endpoint answers: HTTP status and a one-line text body.
struct Answer {
  int status = 200;
  std::string text;
};

class WebhookServer {
 public:
  WebhookServer(const BotConfig& config, std::string secret, JobQueue& queue,
                PullRequestPoster& github, Workers& workers, const Redactor& redactor,
                std::ostream* log);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Binds config.host:config.port (port 0: any free port) and returns the port.
  Expected<int> bind();
  void listen();  // serves until stop()
  void stop();    // from any thread, a signal thread included

  // One delivery, as the endpoint handles it (the headers by name, any case).
  Answer deliver(const std::string& signature, const std::string& delivery,
                 const std::string& event, const std::string& body);

 private:
  Answer queue_job(const Job& job, const std::string& delivery);
  Answer command(Job job, const std::string& user, const std::string& delivery);
  Answer decided(const std::string& event, const std::string& delivery, const std::string& body);
  void note(const std::string& line);

  const BotConfig& m_config;
  std::string m_secret;
  JobQueue& m_queue;
  PullRequestPoster& m_github;
  Workers& m_workers;
  const Redactor& m_redactor;
  std::ostream* m_log;
  std::unique_ptr<httplib::Server> m_http;
};

}  // namespace faultline::ci::serve
