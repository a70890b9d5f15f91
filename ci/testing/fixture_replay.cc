#include "ci/testing/fixture_replay.h"

#include <httplib.h>

#include <algorithm>
#include <mutex>
#include <thread>

namespace faultline::ci::testing {

namespace {

constexpr const char* k_recorded_origin = "https://api.github.com";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
  return s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

struct FixtureReplay::State {
  nlohmann::json scenario;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mutex;
  std::size_t next = 0;
  std::vector<std::string> mismatches;
  std::vector<nlohmann::json> bodies;

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }

  void answer(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    bodies.push_back(body.is_discarded() ? nlohmann::json() : body);
    if (next >= scenario.size()) {
      mismatches.push_back("no more recorded exchanges, got " + req.method + " " + req.target);
      res.status = 500;
      return;
    }
    const auto& e = scenario[next];
    const std::string want = upper(e.value("method", "")) + " " + e.value("path", "");
    if (want != req.method + " " + req.target) {
      mismatches.push_back("expected " + want + ", got " + req.method + " " + req.target);
      res.status = 500;
      return;
    }
    ++next;
    res.status = e.value("status", 200);
    if (e.contains("headers") && e["headers"].is_object())
      for (const auto& [name, value] : e["headers"].items()) {
        if (name == "content-length" || name == "connection" || name == "transfer-encoding" ||
            name == "content-encoding")
          continue;
        if (value.is_string())
          res.set_header(name, replace_all(value.get<std::string>(), k_recorded_origin, base()));
      }
    const auto& response = e.contains("response") ? e["response"] : nlohmann::json();
    const std::string text = response.is_string() ? response.get<std::string>() : response.dump();
    if (res.status != 204 && res.status != 304)
      res.set_content(text, "application/json; charset=utf-8");
  }
};

FixtureReplay::FixtureReplay(nlohmann::json scenario) : m_state(std::make_unique<State>()) {
  State& s = *m_state;
  s.scenario = std::move(scenario);
  auto handler = [&s](const httplib::Request& req, httplib::Response& res) { s.answer(req, res); };
  // Catch-all routes, so httplib reads each body first; the fake routes by itself.
  s.server.Get(".*", handler)
      .Post(".*", handler)
      .Patch(".*", handler)
      .Put(".*", handler)
      .Delete(".*", handler);
  s.port = s.server.bind_to_any_port("127.0.0.1");
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  while (!s.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FixtureReplay::~FixtureReplay() {
  m_state->server.stop();
  if (m_state->thread.joinable()) m_state->thread.join();
}

std::string FixtureReplay::url() const { return m_state->base(); }

std::size_t FixtureReplay::served() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return m_state->next;
}

std::vector<std::string> FixtureReplay::mismatches() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return m_state->mismatches;
}

std::vector<nlohmann::json> FixtureReplay::request_bodies() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return m_state->bodies;
}

}  // namespace faultline::ci::testing
