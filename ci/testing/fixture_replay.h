// ci/testing/fixture_replay.h — replays one recorded GitHub exchange from the npm
// package @octokit/fixtures (a scenario's normalized-fixture.json) on 127.0.0.1:
// each request must be the next one recorded (method and path); the answer is
// GitHub's real status, headers and body, with links pointed at this server.
// So the client's parsing is checked against what GitHub really sends.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace faultline::ci::testing {

class FixtureReplay {
 public:
  explicit FixtureReplay(nlohmann::json scenario);  // the normalized-fixture.json array
  ~FixtureReplay();
  FixtureReplay(const FixtureReplay&) = delete;
  FixtureReplay& operator=(const FixtureReplay&) = delete;

  std::string url() const;     // http://127.0.0.1:PORT, standing for https://api.github.com
  std::size_t served() const;  // recorded exchanges answered so far
  std::vector<std::string> mismatches() const;         // "expected GET /x, got POST /y", in order
  std::vector<nlohmann::json> request_bodies() const;  // each request's body as JSON (null if none)

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace faultline::ci::testing
