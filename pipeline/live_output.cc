#include "pipeline/live_output.h"

#include <cstdio>

#include "reporters/text.h"

namespace faultline::pipeline {

std::string Shown::operator()(std::string_view text) const {
  return reporters::terminal_text(m_redactor.apply(text));
}

std::size_t safe_cut(std::string_view text, std::size_t at, const Redactor& redactor) {
  for (bool moved = true; moved;) {
    moved = false;
    for (const std::string& secret : redactor.values()) {
      const std::size_t from = at >= secret.size() ? at - secret.size() + 1 : 0;
      const std::size_t hit = text.find(secret, from);
      if (hit != std::string_view::npos && hit < at && hit + secret.size() > at) {
        at = hit;
        moved = true;
      }
    }
  }
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  return at;
}

void LiveOutput::add(int stream, std::string_view bytes) {
  std::string& pending = m_pending[stream == 2 ? 1 : 0];
  pending.append(bytes);
  std::size_t end = pending.rfind('\n');
  if (end != std::string::npos) {
    write(stream, std::string_view(pending).substr(0, end + 1));
    pending.erase(0, end + 1);
  }
  if (pending.size() <= k_line_limit) return;
  end = safe_cut(pending, pending.size() - k_line_limit / 2, m_redactor);
  write(stream, std::string_view(pending).substr(0, end));
  pending.erase(0, end);
}

void LiveOutput::finish() {
  for (int stream : {1, 2}) {
    std::string& pending = m_pending[stream - 1];
    if (!pending.empty()) write(stream, pending + "\n");
    pending.clear();
  }
}

void LiveOutput::write(int stream, std::string_view lines) {
  std::FILE* to = stream == 2 ? stderr : stdout;
  const std::string text = m_shown(lines);
  std::fwrite(text.data(), 1, text.size(), to);
  std::fflush(to);
}

}  // namespace faultline::pipeline
