#include "ci/publish.h"

#include <algorithm>
#include <fstream>

namespace faultline::ci {

namespace {

using nlohmann::json;

// Characters, not bytes: GitHub counts characters (UTF-8 continuation bytes are not counted).
std::size_t characters(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The longest prefix of `s` with at most `n` characters.
std::string cut_characters(const std::string& s, std::size_t n) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n) return s.substr(0, i);
  }
  return s;
}

std::string plural(long long n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

long long total(const json& totals, const char* key) {
  return totals.contains(key) && totals[key].is_number_integer() ? totals[key].get<long long>() : 0;
}

std::string short_sha(const std::string& sha) { return sha.substr(0, 7); }

bool starts_with_marker(const json& comment, const std::string& mark) {
  if (!comment.is_object() || !comment.contains("body") || !comment["body"].is_string())
    return false;
  const std::string& body = comment["body"].get_ref<const std::string&>();
  std::size_t start = body.find_first_not_of(" \t\r\n");
  return start != std::string::npos && body.compare(start, mark.size(), mark) == 0;
}

long long id_of(const json& comment) { return comment.value("id", 0LL); }

}  // namespace

std::string marker(const std::string& name) { return "<!-- faultline:" + name + " -->"; }

Status check_name(const std::string& name) {
  if (name.empty()) return fail(bad_input("the name is empty: give --name or a matrix `name:`"));
  if (name.size() > 100 || name.find("--") != std::string::npos ||
      name.find_first_of("<>\r\n") != std::string::npos)
    return fail(bad_input("name '" + name +
                          "' cannot be a comment marker: at most 100 characters, without '--', "
                          "'<', '>' or a line break"));
  return Ok{};
}

std::size_t markdown_budget(const std::string& name) {
  return k_max_comment_chars - marker(name).size() - 1;
}

std::string comment_body(const std::string& name, const std::string& markdown) {
  std::string body = marker(name) + "\n" + markdown;
  if (characters(body) <= k_max_comment_chars) return body;
  const std::string note = "\n\n… (cut at GitHub's limit of 65,536 characters)\n";
  return cut_characters(body, k_max_comment_chars - characters(note)) + note;
}

CommitStatus status_for(const json& results) {
  const json totals = results.contains("totals") && results["totals"].is_object()
                          ? results["totals"]
                          : json::object();
  const long long cells = total(totals, "cells"), crash = total(totals, "crash"),
                  hang = total(totals, "hang");
  const long long runs = total(totals, "runs"), build_error = total(totals, "build_error"),
                  sigs = total(totals, "signatures");
  CommitStatus s;
  if (crash + hang > 0) {
    s.state = "failure";
    s.description =
        std::to_string(crash + hang) + " of " + plural(cells, "cell", "cells") + " failed";
    if (crash) s.description += ", " + plural(sigs, "crash signature", "crash signatures");
    if (hang) s.description += ", " + plural(hang, "hang", "hangs");
  } else if (results.value("interrupted", false)) {
    s.state = "error";
    s.description = "interrupted; no crash so far";
  } else if (cells > 0 && build_error == cells) {
    s.state = "error";
    s.description = "no cell could run: every build failed";
  } else if (build_error > 0) {
    s.state = "error";  // the matrix did not fully run: never a green check
    s.description = std::to_string(build_error) + " of " + plural(cells, "cell", "cells") +
                    " did not run (build failed); no crash in the rest";
  } else {
    s.state = "success";
    s.description = "no crash in " + plural(cells, "cell", "cells");
  }
  s.description += "; " + plural(runs, "run", "runs");
  s.description = cut_characters(s.description, k_max_description_chars);
  return s;
}

CommitStatus pending_status(std::size_t cells) {
  return {"pending", "running " + plural(static_cast<long long>(cells), "cell", "cells")};
}

Publisher::Publisher(GitHubClient& client, Target target, PublishOptions options)
    : m_client(client), m_target(std::move(target)), m_options(std::move(options)) {}

void Publisher::note(const std::string& line) const {
  if (m_options.log) *m_options.log << m_client.redactor().apply(line) << "\n" << std::flush;
}

std::string Publisher::pr_text() const {
  return "pull request #" + std::to_string(*m_target.pr) + " in " + m_target.repo;
}

// A mutating call: GitHub's answer, or denied when it refuses the token (403 that is no rate
// limit).
Expected<Publisher::Write> Publisher::write(const ApiRequest& request) {
  FAULTLINE_TRY(ApiResponse r, m_client.send(request));
  if (r.status == 403 && !is_rate_limited(r)) {
    const std::string message = r.message();
    return Write{json(), true, "403" + (message.empty() ? "" : " " + message)};
  }
  if (!r.ok()) return fail(m_client.explain(r, request));
  return Write{std::move(r.body), false, ""};
}

Status Publisher::check_head(Published& out) {
  ApiRequest get{"GET", "/repos/" + m_target.repo + "/pulls/" + std::to_string(*m_target.pr),
                 std::nullopt, "reading " + pr_text()};
  FAULTLINE_TRY(json pull, m_client.call(get));
  std::string head;
  if (pull.contains("head") && pull["head"].is_object() && pull["head"].contains("sha") &&
      pull["head"]["sha"].is_string())
    head = pull["head"]["sha"].get<std::string>();
  if (head.empty()) return fail(infrastructure(get.what + ": GitHub's answer has no head.sha"));
  if (m_target.sha.empty()) m_target.sha = head;
  if (head != m_target.sha) {
    out.stale = true;
    out.warning = pr_text() + " has moved on to " + short_sha(head) + " since " +
                  short_sha(m_target.sha) +
                  " was tested; the newer push wins, so faultline leaves its comment alone (the "
                  "status goes to " +
                  short_sha(m_target.sha) + " only)";
  }
  return Ok{};
}

Status Publisher::set_status(const CommitStatus& status, Published& out) {
  json body = {{"state", status.state},
               {"description", cut_characters(status.description, k_max_description_chars)},
               {"context", "faultline/" + m_options.name}};
  if (!m_target.target_url.empty()) body["target_url"] = m_target.target_url;
  ApiRequest post{"POST", "/repos/" + m_target.repo + "/statuses/" + m_target.sha, body,
                  "setting status faultline/" + m_options.name + " on " + short_sha(m_target.sha) +
                      " in " + m_target.repo};
  FAULTLINE_TRY(Write w, write(post));
  if (w.denied) {
    out.denied = true;
    out.refusal = w.refusal;
    return Ok{};
  }
  out.status_set = true;
  note("faultline: status faultline/" + m_options.name + " " + status.state + " on " +
       short_sha(m_target.sha) + ": " + status.description);
  return Ok{};
}

// The comments that start with this name's marker, oldest first.
Expected<std::vector<json>> Publisher::sticky_comments() {
  ApiRequest list{"GET",
                  "/repos/" + m_target.repo + "/issues/" + std::to_string(*m_target.pr) +
                      "/comments?per_page=100",
                  std::nullopt, "listing the comments of " + pr_text()};
  FAULTLINE_TRY(std::vector<json> all, m_client.paginate(list));
  const std::string mark = marker(m_options.name);
  std::vector<json> mine;
  for (auto& c : all)
    if (starts_with_marker(c, mark)) mine.push_back(std::move(c));
  std::stable_sort(mine.begin(), mine.end(), [](const json& a, const json& b) {
    const std::string ta = a.value("created_at", ""), tb = b.value("created_at", "");
    return ta != tb ? ta < tb : id_of(a) < id_of(b);
  });
  return mine;
}

// Every sticky comment but the oldest; one already gone (another job deleted it) is fine.
Status Publisher::remove_duplicates(const std::vector<json>& mine) {
  for (std::size_t i = 1; i < mine.size(); ++i) {
    const std::string id = std::to_string(id_of(mine[i]));
    ApiRequest del{"DELETE", "/repos/" + m_target.repo + "/issues/comments/" + id, std::nullopt,
                   "deleting duplicate comment " + id + " on " + pr_text()};
    FAULTLINE_TRY(ApiResponse r, m_client.send(del));
    if (!r.ok() && r.status != 404) return fail(m_client.explain(r, del));
    note("faultline: deleted duplicate comment " + id + " (another job posted at the same moment)");
  }
  return Ok{};
}

Status Publisher::upsert_comment(const std::string& body, Published& out) {
  FAULTLINE_TRY(std::vector<json> mine, sticky_comments());
  const std::string comments = "/repos/" + m_target.repo + "/issues/";
  if (mine.empty()) {
    ApiRequest create{"POST", comments + std::to_string(*m_target.pr) + "/comments",
                      json{{"body", body}}, "commenting on " + pr_text()};
    FAULTLINE_TRY(Write w, write(create));
    if (w.denied) {
      out.denied = true;
      out.refusal = w.refusal;
      return Ok{};
    }
    out.comment_action = "created";
    out.comment_id = id_of(w.body);
    out.comment_url = w.body.value("html_url", "");
    // Another job may have created its own at the same moment: keep the oldest.
    auto again = sticky_comments();
    if (!again) return fail(again.error());
    mine = std::move(*again);
    if (auto s = remove_duplicates(mine); !s) return s;
    if (mine.empty() || id_of(mine.front()) == out.comment_id) return Ok{};
  } else if (auto s = remove_duplicates(mine); !s) {
    return s;
  }
  const json& keep = mine.front();
  out.comment_id = id_of(keep);
  out.comment_url = keep.value("html_url", "");
  if (keep.value("body", "") == body) {
    if (out.comment_action.empty()) out.comment_action = "unchanged";
    return Ok{};
  }
  ApiRequest update{"PATCH", comments + "comments/" + std::to_string(out.comment_id),
                    json{{"body", body}},
                    "updating comment " + std::to_string(out.comment_id) + " on " + pr_text()};
  FAULTLINE_TRY(Write w, write(update));
  if (w.denied) {
    out.denied = true;
    out.refusal = w.refusal;
    return Ok{};
  }
  out.comment_action = "updated";
  return Ok{};
}

void Publisher::deny(Published& out, const std::string& what, const std::string& markdown) {
  out.warning = "GitHub refused to let the token write " + what + " (" + out.refusal +
                "; a pull request from a fork gets a read-only token); ";
  if (m_options.summary_written) {
    out.warning += "the report is in the job summary instead";
  } else if (m_options.summary_path.empty()) {
    out.warning +=
        "GITHUB_STEP_SUMMARY is not set, so the report is posted nowhere (`faultline report "
        "--format md` renders it)";
  } else {
    std::ofstream summary(m_options.summary_path, std::ios::app | std::ios::binary);
    summary << markdown << "\n";
    out.warning += summary ? "the report is in the job summary instead"
                           : "and the job summary " + m_options.summary_path + " cannot be written";
  }
}

Expected<Published> Publisher::pending(std::size_t cells) {
  Published out;
  if (m_target.pr)
    if (auto s = check_head(out); !s) return fail(s.error());
  out.sha = m_target.sha;
  if (auto s = set_status(pending_status(cells), out); !s) return fail(s.error());
  if (out.denied)
    out.warning = "GitHub refused to let the token set a commit status (" + out.refusal +
                  "; a pull request from a fork gets a read-only token)";
  return out;
}

Expected<Published> Publisher::results(const CommitStatus& status, const std::string& markdown) {
  Published out;
  if (m_target.pr) {
    if (auto s = check_head(out); !s) return fail(s.error());
    if (!out.stale)
      if (auto s = upsert_comment(comment_body(m_options.name, markdown), out); !s)
        return fail(s.error());
  }
  out.sha = m_target.sha;
  if (!out.denied)
    if (auto s = set_status(status, out); !s) return fail(s.error());
  if (out.denied)
    deny(out, m_target.pr ? "to " + pr_text() : "a commit status in " + m_target.repo, markdown);
  if (!out.comment_action.empty())
    note("faultline: " + out.comment_action + " the comment " + out.comment_url);
  return out;
}

}  // namespace faultline::ci
