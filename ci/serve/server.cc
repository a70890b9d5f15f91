#include "ci/serve/server.h"

#include <httplib.h>

#include <mutex>

#include "ci/serve/events.h"
#include "ci/serve/signature.h"

namespace faultline::ci::serve {

namespace {

std::mutex g_log_mutex;

Answer answer(int status, std::string text) { return {status, std::move(text)}; }

}  // namespace

WebhookServer::WebhookServer(const BotConfig& config, std::string secret, JobQueue& queue,
                             PullRequestPoster& github, Workers& workers, const Redactor& redactor,
                             std::ostream* log)
    : m_config(config),
      m_secret(std::move(secret)),
      m_queue(queue),
      m_github(github),
      m_workers(workers),
      m_redactor(redactor),
      m_log(log),
      m_http(std::make_unique<httplib::Server>()) {
  m_http->set_payload_max_length(m_config.max_body_bytes);
  auto webhook = [this](const httplib::Request& req, httplib::Response& res) {
    Answer a = deliver(req.get_header_value("X-Hub-Signature-256"),
                       req.get_header_value("X-GitHub-Delivery"),
                       req.get_header_value("X-GitHub-Event"), req.body);
    res.status = a.status;
    res.set_content(a.text + "\n", "text/plain; charset=utf-8");
  };
  m_http->Post("/webhook", webhook);
  m_http->Post("/", webhook);
  m_http->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
}

WebhookServer::~WebhookServer() = default;

void WebhookServer::note(const std::string& line) {
  if (!m_log) return;
  std::lock_guard lock(g_log_mutex);
  *m_log << "faultline serve: " << m_redactor.apply(line) << "\n" << std::flush;
}

Expected<int> WebhookServer::bind() {
  int port = m_config.port == 0
                 ? m_http->bind_to_any_port(m_config.host)
                 : (m_http->bind_to_port(m_config.host, m_config.port) ? m_config.port : -1);
  if (port < 0)
    return fail(infrastructure(m_config.file + ": error: cannot listen on " + m_config.host + ":" +
                               std::to_string(m_config.port) +
                               " (in use, or not an address of this machine)"));
  return port;
}

void WebhookServer::listen() { m_http->listen_after_bind(); }

void WebhookServer::stop() { m_http->stop(); }

Answer WebhookServer::deliver(const std::string& signature, const std::string& delivery,
                              const std::string& event, const std::string& body) {
  if (signature.empty()) return answer(401, "missing X-Hub-Signature-256");
  if (!signature_matches(m_secret, body, signature))
    return answer(401, "X-Hub-Signature-256 does not match");
  if (delivery.empty() || event.empty())
    return answer(400, "missing X-GitHub-Delivery or X-GitHub-Event");
  auto first = m_queue.remember_delivery(delivery);
  if (!first) {
    note(first.error().message);
    return answer(500, "the bot cannot record the delivery");
  }
  if (!*first) return answer(200, "delivery " + delivery + " was already handled; ignored");
  Answer a = decided(event, delivery, body);
  if (a.status >= 500)
    (void)m_queue.forget_delivery(delivery);  // so GitHub's redelivery is handled
  note("delivery " + delivery + " (" + event + "): " + std::to_string(a.status) + " " + a.text);
  return a;
}

Answer WebhookServer::decided(const std::string& event, const std::string& delivery,
                              const std::string& body) {
  nlohmann::json payload = nlohmann::json::parse(body, nullptr, false);
  if (payload.is_discarded() || !payload.is_object())
    return answer(400, "the payload is not a JSON object");
  Decision d = decide(m_config, event, payload);
  switch (d.kind) {
    case Decision::Kind::queue:
      return queue_job(d.job, delivery);
    case Decision::Kind::command:
      return command(d.job, d.user, delivery);
    case Decision::Kind::ignore:
      return answer(200, d.why);
    case Decision::Kind::refuse:
      return answer(403, d.why);
    case Decision::Kind::invalid:
      return answer(400, d.why);
  }
  return answer(500, "unknown decision");
}

Answer WebhookServer::command(Job job, const std::string& user, const std::string& delivery) {
  auto permission = m_github.permission(job.repo, user);
  if (!permission)
    return answer(502, "cannot check " + user + "'s permission: " + permission.error().message);
  if (!may_command(*permission))
    return answer(403, user + " has '" + *permission + "' permission on " + job.repo +
                           "; commands need write, maintain or admin");
  auto pull = m_github.pull(job.repo, job.pr);
  if (!pull)
    return answer(
        502, "cannot read pull request #" + std::to_string(job.pr) + ": " + pull.error().message);
  std::string why;
  bool refused = false;
  if (!read_pull(m_config, *pull, job, why, refused)) return answer(refused ? 403 : 502, why);
  return queue_job(job, delivery);
}

Answer WebhookServer::queue_job(const Job& ready, const std::string& delivery) {
  Job job = ready;
  job.delivery = delivery;
  auto queued = m_queue.enqueue(job);
  if (!queued) {
    note(queued.error().message);
    return answer(500, "the bot cannot queue the job");
  }
  if (queued->running) m_workers.cancel(*queued->running);
  m_workers.wake();
  std::string text = "queued job " + std::to_string(queued->id) + " for " + job.repo + "#" +
                     std::to_string(job.pr) + " at " + job.sha.substr(0, 12);
  if (queued->running) text += "; cancelling running job " + std::to_string(*queued->running);
  return answer(202, text);
}

}  // namespace faultline::ci::serve
