// gatebind.cc — gatebind 0.6 … 0.10: marshals each call into libgate through a call frame
// whose return slot keeps the C string libgate returned until the call releases it.
// PLANTED BUG (0.8, 0.9): frames come from a small global pool indexed by a shared counter
// with no ownership, and a frame releases its previous call's answer when it is reused; two
// concurrent callers that get the same frame both free the same buffer (the purego bug of
// seed 000): a double free (ASan, glibc), heap corruption and, in release builds, a wrong
// answer or a SIGSEGV later on; a data race (TSan).
// 0.6/0.7 use a frame per call; 0.10 a thread-local one.
#include "gatebind.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "gate.h"

#ifndef GATEBIND_VERSION_MINOR
#error "build with -DGATEBIND_VERSION_MINOR=N (N = 6 … 10)"
#endif
#if GATEBIND_VERSION_MINOR < 6 || GATEBIND_VERSION_MINOR > 10
#error "gatebind versions are 0.6 … 0.10"
#endif

#define GATEBIND_STR2(x) #x
#define GATEBIND_STR(x) GATEBIND_STR2(x)

namespace gatebind {
namespace {

// One marshalled call's return slot: the C string libgate returned, kept in the frame until
// the frame releases it.
struct Frame {
  char* ret = nullptr;
};

[[gnu::noinline]] void release(Frame& f) { gate_free_string(f.ret); }

#if GATEBIND_VERSION_MINOR == 8 || GATEBIND_VERSION_MINOR == 9
// 0.8 changelog: "reuse call frames from a pool instead of allocating one per call; a frame's
// answer is released when the frame is next used, off the caller's critical path".
constexpr unsigned kPoolFrames = 4;
Frame g_pool[kPoolFrames];
#if GATEBIND_VERSION_MINOR == 8
unsigned g_next_frame = 0;  // BUG: unlocked counter, and frames have no owner
Frame& next_frame() { return g_pool[g_next_frame++ % kPoolFrames]; }
#else
// 0.9 changelog: "make the frame counter atomic (fixes a TSan report)". Still wrong: a frame
// is handed out again after kPoolFrames calls even if its first caller is still using it.
std::atomic<unsigned> g_next_frame{0};
Frame& next_frame() {
  return g_pool[g_next_frame.fetch_add(1, std::memory_order_relaxed) % kPoolFrames];
}
#endif
// BUG: two callers that get the same frame both release the answer its previous call left.
[[gnu::noinline]] Frame& acquire_frame() {
  Frame& f = next_frame();
  release(f);
  return f;
}
void release_after_call(Frame&) {}  // deferred to the frame's next use
#elif GATEBIND_VERSION_MINOR == 10
// 0.10 changelog: "one frame per thread, released after each call; fixes double frees".
Frame& acquire_frame() {
  thread_local Frame frame;
  return frame;
}
void release_after_call(Frame& f) { release(f); }
#endif

// Calls libgate, converts the answer, and leaves the C string in the frame.
[[gnu::noinline]] std::string dispatch(Frame& f, gate* handle, const std::string& name) {
  char* ret = gate_check(handle, name.c_str());
  if (!ret) throw std::runtime_error("gatebind: gate_check failed for " + name);
  std::string answer(ret);
  f.ret = ret;
  return answer;
}

}  // namespace

// libgate's callback context, alive as long as the client: the current listener, swapped
// under a lock, so a late call from a libgate worker never reaches a deleted listener.
struct Client::Exposures {
  std::mutex mu;
  std::function<void(const std::string&)> listener;

  void deliver(const char* event) {
    std::function<void(const std::string&)> fn;
    {
      std::lock_guard<std::mutex> lock(mu);
      fn = listener;
    }
    if (fn) fn(event ? event : "");
  }
};

namespace {
void exposure_trampoline(void* ctx, const char* event) {
  try {
    static_cast<Client::Exposures*>(ctx)->deliver(event);
  } catch (...) {
    std::fputs("gatebind: exception escaped an exposure listener\n", stderr);
    std::abort();
  }
}
}  // namespace

const char* version() { return "0." GATEBIND_STR(GATEBIND_VERSION_MINOR); }
const char* library_version() { return gate_version(); }

Client::Client() : handle_(gate_create()), exposures_(std::make_unique<Exposures>()) {
  if (!handle_) throw std::runtime_error("gatebind: gate_create failed");
}

Client::~Client() { gate_destroy(handle_); }  // joins libgate's workers before exposures_ goes

std::string Client::check(const std::string& name) {
#if GATEBIND_VERSION_MINOR <= 7
  Frame f;  // a frame per call
  std::string answer = dispatch(f, handle_, name);
  release(f);
#else
  Frame& f = acquire_frame();
  std::string answer = dispatch(f, handle_, name);
  release_after_call(f);
#endif
  return answer;
}

void Client::on_exposure(std::function<void(const std::string&)> fn) {
  std::lock_guard<std::mutex> lock(registration_mu_);
  {
    std::lock_guard<std::mutex> swap(exposures_->mu);
    exposures_->listener = std::move(fn);
  }
  if (gate_set_callback(handle_, &exposure_trampoline, exposures_.get()) != 0)
    throw std::runtime_error("gatebind: gate_set_callback failed");
}

void Client::clear_exposure() {
  std::lock_guard<std::mutex> lock(registration_mu_);
  gate_clear_callback(handle_);
  std::lock_guard<std::mutex> swap(exposures_->mu);
  exposures_->listener = nullptr;
}

}  // namespace gatebind
