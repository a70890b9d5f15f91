#include "ci/serve/events.h"

#include <sstream>

namespace faultline::ci::serve {

namespace {

using nlohmann::json;

std::string string_at(const json& doc, const json::json_pointer& where) {
  if (!doc.contains(where) || !doc.at(where).is_string()) return "";
  return doc.at(where).get<std::string>();
}

bool is_hex_sha(const std::string& sha) {
  return (sha.size() == 40 || sha.size() == 64) &&
         sha.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Decision with(Decision::Kind kind, std::string why) {
  Decision d;
  d.kind = kind;
  d.why = std::move(why);
  return d;
}

// "/faultline run" or "/faultline bisect" on the comment's first line, else "".
std::string command_in(const std::string& body) {
  std::istringstream in(body);
  std::string first, word, verb;
  in >> first >> verb;
  if (first != "/faultline") return "";
  return verb == "run" || verb == "bisect" ? verb : "";
}

Decision pull_request(const BotConfig& config, const json& payload, const std::string& repo) {
  const std::string action = string_at(payload, "/action"_json_pointer);
  if (action != "opened" && action != "synchronize" && action != "reopened")
    return with(Decision::Kind::ignore,
                "pull_request action '" + action + "' does not start a job");
  Decision d;
  d.kind = Decision::Kind::queue;
  d.job.repo = repo;
  d.job.clone_url = string_at(payload, "/repository/clone_url"_json_pointer);
  d.job.reason = "pull_request " + action;
  const json& pull = payload.contains("pull_request") ? payload["pull_request"] : json::object();
  bool refused = false;
  if (!read_pull(config, pull, d.job, d.why, refused))
    d.kind = refused ? Decision::Kind::refuse : Decision::Kind::invalid;
  return d;
}

Decision issue_comment(const json& payload, const std::string& repo) {
  if (string_at(payload, "/action"_json_pointer) != "created")
    return with(Decision::Kind::ignore, "only new comments carry commands");
  if (!payload.contains("/issue/pull_request"_json_pointer))
    return with(Decision::Kind::ignore, "the comment is on an issue, not a pull request");
  const std::string command = command_in(string_at(payload, "/comment/body"_json_pointer));
  if (command.empty())
    return with(Decision::Kind::ignore, "the comment holds no /faultline command");
  const json& number = payload.contains("/issue/number"_json_pointer)
                           ? payload.at("/issue/number"_json_pointer)
                           : json();
  const std::string user = string_at(payload, "/comment/user/login"_json_pointer);
  if (!number.is_number_integer() || user.empty())
    return with(Decision::Kind::invalid,
                "the issue_comment payload lacks issue.number or comment.user.login");
  Decision d;
  d.kind = Decision::Kind::command;
  d.job.repo = repo;
  d.job.pr = number.get<int>();
  d.job.command = command;
  d.job.clone_url = string_at(payload, "/repository/clone_url"_json_pointer);
  d.user = user;
  d.job.reason = "/faultline " + command + " by " + user;
  return d;
}

}  // namespace

bool read_pull(const BotConfig& config, const json& pull, Job& job, std::string& why,
               bool& refused) {
  const json& number = pull.contains("number") ? pull["number"] : json();
  job.sha = string_at(pull, "/head/sha"_json_pointer);
  job.head_ref = string_at(pull, "/head/ref"_json_pointer);
  // The event's repository.clone_url stands in when the pull request object lacks it.
  if (auto base_url = string_at(pull, "/base/repo/clone_url"_json_pointer); !base_url.empty())
    job.clone_url = base_url;
  job.head_clone_url = string_at(pull, "/head/repo/clone_url"_json_pointer);
  const std::string head_repo = string_at(pull, "/head/repo/full_name"_json_pointer);
  const std::string base_repo = string_at(pull, "/base/repo/full_name"_json_pointer);
  if (!number.is_number_integer() || job.sha.empty() || job.clone_url.empty() ||
      base_repo.empty()) {
    why = "the pull request lacks number, head.sha, a clone URL or base.repo.full_name";
    return false;
  }
  job.pr = number.get<int>();
  if (!is_hex_sha(job.sha) || job.clone_url[0] == '-' ||
      (!job.head_clone_url.empty() && job.head_clone_url[0] == '-')) {
    why = "pull request #" + std::to_string(job.pr) + " has a malformed head.sha or clone URL";
    return false;
  }
  if (job.head_clone_url.empty()) job.head_clone_url = job.clone_url;  // head repository deleted
  if (head_repo != base_repo && !config.allow_forks) {
    refused = true;
    why = "pull request #" + std::to_string(job.pr) + " comes from the fork '" + head_repo +
          "' and allow_forks is false: the bot does not run code from forks";
    return false;
  }
  return true;
}

Decision decide(const BotConfig& config, const std::string& event, const json& payload) {
  if (event == "ping") return with(Decision::Kind::ignore, "pong");
  if (event != "pull_request" && event != "issue_comment")
    return with(Decision::Kind::ignore, "event '" + event + "' is not one the bot handles");
  const std::string repo = string_at(payload, "/repository/full_name"_json_pointer);
  if (repo.empty()) return with(Decision::Kind::invalid, "the payload lacks repository.full_name");
  if (!config.allows(repo))
    return with(Decision::Kind::refuse, "repository '" + repo + "' is not in the bot's allow list");
  return event == "pull_request" ? pull_request(config, payload, repo)
                                 : issue_comment(payload, repo);
}

}  // namespace faultline::ci::serve
