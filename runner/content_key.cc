#include "runner/content_key.h"

#include <fnmatch.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

namespace faultline::runner {

namespace fs = std::filesystem;

struct ContentKey::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

ContentKey::ContentKey() : m_context(std::make_unique<Context>()) {
  EVP_DigestInit_ex(m_context->ctx, EVP_sha256(), nullptr);
}
ContentKey::ContentKey(ContentKey&&) noexcept = default;
ContentKey& ContentKey::operator=(ContentKey&&) noexcept = default;
ContentKey::~ContentKey() = default;

ContentKey& ContentKey::add(std::string_view field) {
  std::array<unsigned char, 8> length{};
  std::uint64_t n = field.size();
  for (auto& byte : length) {
    byte = static_cast<unsigned char>(n & 0xff);
    n >>= 8;
  }
  EVP_DigestUpdate(m_context->ctx, length.data(), length.size());
  EVP_DigestUpdate(m_context->ctx, field.data(), field.size());
  return *this;
}

std::string ContentKey::hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(m_context->ctx, digest.data(), &size);
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += k_digits[digest[i] >> 4];
    out += k_digits[digest[i] & 0xf];
  }
  return out;
}

Expected<std::string> file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(infrastructure("cannot read " + path));
  ContentKey key;
  std::string chunk(1 << 16, '\0');
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
    key.add(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())));
  if (in.bad()) return fail(infrastructure("cannot read " + path));
  return key.hex();
}

namespace {

std::vector<std::string_view> names_of(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Globs names [g, g_end) against names [p, p_end); a folder match (names left over) counts.
bool match_names(const std::vector<std::string_view>& g, std::size_t gi,
                 const std::vector<std::string_view>& p, std::size_t pi) {
  if (gi == g.size()) return true;  // the glob named this file or a folder above it
  if (g[gi] == "**") {
    for (std::size_t skip = pi; skip <= p.size(); ++skip)
      if (match_names(g, gi + 1, p, skip)) return true;
    return false;
  }
  if (pi == p.size()) return false;
  const std::string glob_name(g[gi]), name(p[pi]);
  return fnmatch(glob_name.c_str(), name.c_str(), FNM_PERIOD) == 0 &&
         match_names(g, gi + 1, p, pi + 1);
}

}  // namespace

bool glob_matches(std::string_view glob, std::string_view path) {
  const auto g = names_of(glob);
  return !g.empty() && match_names(g, 0, names_of(path), 0);
}

Expected<std::string> inputs_digest(const InputFiles& inputs) {
  const fs::path root = fs::absolute(inputs.folder).lexically_normal();
  std::vector<fs::path> skip;
  for (const auto& s : inputs.skip)
    if (!s.empty()) skip.push_back(fs::absolute(s).lexically_normal());
  std::vector<std::pair<std::string, fs::path>> files;  // relative path, absolute path
  std::vector<bool> used(inputs.globs.size(), false);
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  if (ec)
    return fail(infrastructure("cannot read the folder " + root.string() + ": " + ec.message()));
  for (; it != end; it.increment(ec)) {
    if (ec) return fail(infrastructure("cannot read " + root.string() + ": " + ec.message()));
    const fs::path path = it->path().lexically_normal();
    const std::string name = path.filename().string();
    const bool dot = !name.empty() && name[0] == '.';
    // Another faultline state folder (`--state-dir`, a results store inside) is output, not input.
    const bool state_folder = it->is_directory(ec) && fs::exists(path / "faultline.db", ec);
    if (name == ".git" || state_folder || std::find(skip.begin(), skip.end(), path) != skip.end() ||
        (dot && inputs.globs.empty())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = path.lexically_relative(root).generic_string();
    bool wanted = inputs.globs.empty();
    for (std::size_t g = 0; g < inputs.globs.size(); ++g)
      if (glob_matches(inputs.globs[g], rel)) wanted = used[g] = true;
    if (wanted) files.emplace_back(rel, path);
  }
  for (std::size_t g = 0; g < inputs.globs.size(); ++g)
    if (!used[g])
      return fail(
          bad_input("inputs: '" + inputs.globs[g] + "' matches no file in " + root.string()));
  std::sort(files.begin(), files.end());
  ContentKey key;
  for (const auto& [rel, path] : files) {
    const auto perms = fs::status(path, ec).permissions();
    FAULTLINE_TRY(const std::string digest, file_digest(path.string()));
    key.add(rel).add((perms & fs::perms::owner_exec) != fs::perms::none ? "x" : "-").add(digest);
  }
  return key.hex();
}

}  // namespace faultline::runner
