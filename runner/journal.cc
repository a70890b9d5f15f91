#include "runner/journal.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_map>

namespace faultline::runner {

using nlohmann::json;

namespace {

json crash_to_json(const sanitizers::Crash& c) {
  json frames = json::array();
  for (const auto& f : c.frames) frames.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line},
                                                   {"module", f.module}, {"offset", f.offset}});
  return {{"tool", c.tool}, {"kind", c.kind}, {"signature", c.signature.hash}, {"signature_text", c.signature.text},
          {"location", c.location}, {"summary", c.summary}, {"frames", frames}, {"excerpt", c.excerpt}};
}

sanitizers::Crash crash_from_json(const json& j) {
  sanitizers::Crash c;
  c.tool = j.value("tool", "");
  c.kind = j.value("kind", "");
  c.signature.hash = j.value("signature", "");
  c.signature.text = j.value("signature_text", "");
  c.location = j.value("location", "");
  c.summary = j.value("summary", "");
  c.excerpt = j.value("excerpt", "");
  for (const auto& f : j.value("frames", json::array())) {
    sanitizers::Frame fr;
    fr.function = f.value("function", "");
    fr.file = f.value("file", "");
    fr.line = f.value("line", 0);
    fr.module = f.value("module", "");
    fr.offset = f.value("offset", std::uint64_t{0});
    c.frames.push_back(std::move(fr));
  }
  return c;
}

}  // namespace

std::string record_to_json_line(const RunRecord& r, const matrix::CellTable& cells) {
  json crashes = json::array();
  for (const auto& c : r.crashes) crashes.push_back(crash_to_json(c));
  json j = {{"type", "run"}, {"cell", cells.hash(r.cell)}, {"index", r.index}, {"outcome", r.outcome},
            {"exit_code", r.exit_code ? json(*r.exit_code) : json()}, {"signal", r.signal ? json(*r.signal) : json()},
            {"core_dumped", r.core_dumped}, {"wall_seconds", r.wall_seconds}, {"cpu_seconds", r.cpu_seconds},
            {"peak_rss_bytes", r.peak_rss_bytes}, {"stdout_bytes", r.stdout_bytes}, {"stderr_bytes", r.stderr_bytes},
            {"crashes", crashes}};
  if (!r.hung_stacks.empty()) j["hung_stacks"] = r.hung_stacks;
  // Captured output may hold any bytes: replace what is not UTF-8 rather than fail.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

Journal::~Journal() {
  if (m_file) std::fclose(m_file);
}

Expected<std::unique_ptr<Journal>> Journal::create(const std::string& path, const std::string& fingerprint) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return fail(infrastructure("cannot write " + path + ": " + std::strerror(errno)));
  std::unique_ptr<Journal> journal(new Journal(f));
  std::string header = json{{"type", "session"}, {"fingerprint", fingerprint}}.dump() + "\n";
  std::fputs(header.c_str(), f);
  std::fflush(f);
  return journal;
}

Expected<std::unique_ptr<Journal>> Journal::resume(const std::string& path, const std::string& fingerprint,
                                                   const matrix::CellTable& cells, std::vector<RunRecord>& previous) {
  std::ifstream in(path);
  if (!in) return fail(bad_input("--resume: there is no interrupted run to resume (" + path + " does not exist)"));
  std::unordered_map<std::string, std::size_t> by_hash;
  for (std::size_t c = 0; c < cells.size(); ++c) by_hash.emplace(cells.hash(c), c);
  std::string line;
  bool header = false;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;  // a line cut short by a kill
    if (j.value("type", "") == "session") {
      if (j.value("fingerprint", "") != fingerprint)
        return fail(bad_input("--resume: the matrix file changed since the run recorded in " + path +
                              "; run again without --resume to start afresh"));
      header = true;
      continue;
    }
    auto it = by_hash.find(j.value("cell", ""));
    if (!header || it == by_hash.end()) continue;
    RunRecord r;
    r.cell = it->second;
    r.index = j.value("index", 0);
    r.outcome = j.value("outcome", "");
    if (j["exit_code"].is_number()) r.exit_code = j["exit_code"].get<int>();
    if (j["signal"].is_number()) r.signal = j["signal"].get<int>();
    r.wall_seconds = j.value("wall_seconds", 0.0);
    for (const auto& c : j.value("crashes", json::array())) r.crashes.push_back(crash_from_json(c));
    previous.push_back(std::move(r));
  }
  if (!header) return fail(bad_input("--resume: " + path + " is not a faultline run journal"));
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return fail(infrastructure("cannot append to " + path + ": " + std::strerror(errno)));
  return std::unique_ptr<Journal>(new Journal(f));
}

Status Journal::append(const RunRecord& record, const matrix::CellTable& cells) {
  std::string line = m_redactor.apply(record_to_json_line(record, cells));
  std::lock_guard<std::mutex> lock(m_mutex);
  if (std::fputs(line.c_str(), m_file) < 0 || std::fflush(m_file) != 0)
    return fail(infrastructure(std::string("cannot write the run journal: ") + std::strerror(errno)));
  return Ok{};
}

}  // namespace faultline::runner
