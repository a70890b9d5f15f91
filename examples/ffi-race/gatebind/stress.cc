// stress.cc — the ffi-race stress driver (installed as PREFIX/bin/stress): N threads call
// libgate through gatebind for S seconds and check every answer. It plants no bug; it makes
// the planted ones visible: a swapped result aborts with "stress: result mismatch: …".
//   usage: stress --mode gates|callbacks --threads N --seconds S
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "gatebind.h"

namespace {

[[noreturn]] void die(const std::string& message) {
  std::string shown;  // a swapped pointer may point at garbage: keep the message printable
  for (unsigned char c : message) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", c);
    shown += (c >= 0x20 && c < 0x7f) ? std::string(1, static_cast<char>(c)) : std::string(hex);
  }
  std::fprintf(stderr, "stress: %s\n", shown.c_str());
  std::fflush(stderr);
  std::abort();
}

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr, "stress: %s\nusage: stress --mode gates|callbacks --threads N --seconds S\n",
               problem.c_str());
  std::exit(2);
}

// The gate name in libgate's answer {"gate":"NAME",...}, or the whole answer if malformed.
std::string gate_of(const std::string& answer) {
  const std::string key = "{\"gate\":\"";
  if (answer.compare(0, key.size(), key) != 0) return answer;
  auto end = answer.find('"', key.size());
  if (end == std::string::npos) return answer;
  return answer.substr(key.size(), end - key.size());
}

void check_answer(int thread, const std::string& asked, const std::string& answer) {
  std::string got = gate_of(answer);
  if (got != asked)
    die("result mismatch: thread " + std::to_string(thread) + " asked for " + asked + " but got " +
        got);
}

// What one thread's exposure listener sees. Listeners may be called for other threads'
// checks (there is one listener slot per client), so counts are only compared in total.
struct Seen {
  std::atomic<std::uint64_t> events{0};
};

struct Options {
  std::string mode;
  int threads = 0;
  double seconds = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage("missing value for " + a);
    std::string v = argv[++i];
    char* end = nullptr;
    if (a == "--mode") {
      o.mode = v;
    } else if (a == "--threads") {
      long n = std::strtol(v.c_str(), &end, 10);
      if (*end || n < 1 || n > 1024) usage("--threads wants 1 … 1024, not " + v);
      o.threads = static_cast<int>(n);
    } else if (a == "--seconds") {
      o.seconds = std::strtod(v.c_str(), &end);
      if (*end || !(o.seconds > 0 && o.seconds <= 3600))
        usage("--seconds wants a number in (0, 3600], not " + v);
    } else {
      usage("unknown option " + a);
    }
  }
  if (o.mode != "gates" && o.mode != "callbacks") usage("--mode wants gates or callbacks");
  if (o.threads == 0 || o.seconds == 0) usage("--threads and --seconds are required");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse(argc, argv);
  bool callbacks = opt.mode == "callbacks";
  std::printf("stress: mode=%s threads=%d seconds=%g gatebind=%s libgate=%s\n", opt.mode.c_str(),
              opt.threads, opt.seconds, gatebind::version(), gatebind::library_version());
  std::fflush(stdout);

  try {
    gatebind::Client client;
    std::atomic<bool> stop{false};
    std::vector<std::uint64_t> ops(opt.threads, 0);
    std::vector<Seen> seen(opt.threads);
    std::vector<std::thread> pool;

    auto body = [&](int t) {
      std::uint64_t n = 0;
      for (; !stop.load(std::memory_order_relaxed); ++n) {
        std::string asked = "gate-" + std::to_string(t) + "-" + std::to_string(n);
        if (callbacks) {
          Seen* mine = &seen[t];
          client.on_exposure([mine](const std::string& event) {
            if (gate_of(event).compare(0, 5, "gate-") != 0)
              die("malformed exposure event: " + event);
            mine->events.fetch_add(1, std::memory_order_relaxed);
          });
        }
        check_answer(t, asked, client.check(asked));
        if (callbacks) client.clear_exposure();
      }
      ops[t] = n;
    };

    auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < opt.threads; ++t) pool.emplace_back(body, t);
    std::this_thread::sleep_for(std::chrono::duration<double>(opt.seconds));
    stop.store(true);
    for (auto& th : pool) th.join();
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::uint64_t total = 0, events = 0;
    for (int t = 0; t < opt.threads; ++t) {
      total += ops[t];
      events += seen[t].events.load();
    }
    // Alone, a thread's listener must see exactly one exposure per check; together, at most.
    if (callbacks && (opt.threads == 1 ? events != total : events > total))
      die("exposures do not add up: " + std::to_string(events) + " for " + std::to_string(total) +
          " checks");
    std::printf("stress: %llu ops in %.2f s (%.0f ops/s)\n", static_cast<unsigned long long>(total),
                elapsed, total / elapsed);
  } catch (const std::exception& e) {
    die(std::string("error: ") + e.what());
  }
  return 0;
}
