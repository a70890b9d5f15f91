// gatebind.cc — gatebind 0.6 … 0.10: marshals each call into libgate through a call frame
// (argument in, return pointer out). PLANTED BUG (0.8, 0.9): frames come from a small
// global pool indexed by a shared counter with no ownership, so concurrent callers share a
// frame and receive each other's return pointers (the purego bug of seed 000): wrong results,
// double frees, use-after-free, data races. 0.6/0.7 use a frame per call; 0.10 a thread-local one.
#include "gatebind.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
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

using Thunk = char* (*)(gate*, const char*);

// One marshalled call: what the generic dispatcher reads and writes.
struct Frame {
  Thunk fn = nullptr;
  gate* handle = nullptr;
  const char* arg = nullptr;  // marshalled argument (the caller's C string)
  char* ret = nullptr;        // marshalled return value (read back after the call)
};

#if GATEBIND_VERSION_MINOR == 8 || GATEBIND_VERSION_MINOR == 9
// 0.8 changelog: "reuse call frames from a pool instead of allocating one per call".
constexpr unsigned kPoolFrames = 4;
Frame g_pool[kPoolFrames];
#if GATEBIND_VERSION_MINOR == 8
unsigned g_next_frame = 0;  // BUG: unlocked counter, and frames have no owner
Frame& acquire_frame() { return g_pool[g_next_frame++ % kPoolFrames]; }
#else
// 0.9 changelog: "make the frame counter atomic (fixes a TSan report)". Still wrong: a frame
// is handed out again after kPoolFrames calls even if its first caller is still using it.
std::atomic<unsigned> g_next_frame{0};
Frame& acquire_frame() { return g_pool[g_next_frame.fetch_add(1, std::memory_order_relaxed) % kPoolFrames]; }
#endif
#elif GATEBIND_VERSION_MINOR == 10
// 0.10 changelog: "one frame per thread; fixes swapped results under concurrency".
Frame& acquire_frame() {
  thread_local Frame frame;
  return frame;
}
#endif

// The generic dispatcher: calls frame->fn with the marshalled argument, stores the result.
[[gnu::noinline]] void dispatch(Frame* f) { f->ret = f->fn(f->handle, f->arg); }

void marshal(Frame& f, gate* handle, const std::string& name) {
  f.fn = &gate_check;
  f.handle = handle;
  f.arg = name.c_str();
}

}  // namespace

struct Client::Listener {
  std::function<void(const std::string&)> fn;
};

namespace {
void exposure_trampoline(void* ctx, const char* event) {
  try {
    static_cast<Client::Listener*>(ctx)->fn(event ? event : "");
  } catch (...) {
    std::fputs("gatebind: exception escaped an exposure listener\n", stderr);
    std::abort();
  }
}
}  // namespace

const char* version() { return "0." GATEBIND_STR(GATEBIND_VERSION_MINOR); }
const char* library_version() { return gate_version(); }

Client::Client() : handle_(gate_create()) {
  if (!handle_) throw std::runtime_error("gatebind: gate_create failed");
}

Client::~Client() {
  gate_destroy(handle_);
  delete listener_;
}

std::string Client::check(const std::string& name) {
#if GATEBIND_VERSION_MINOR <= 7
  Frame own;
  Frame& f = own;
#else
  Frame& f = acquire_frame();
#endif
  marshal(f, handle_, name);
  dispatch(&f);
  if (!f.ret) throw std::runtime_error("gatebind: gate_check failed for " + name);
  std::string result(f.ret);
  gate_free_string(f.ret);
  return result;
}

void Client::on_exposure(std::function<void(const std::string&)> fn) {
  auto* next = new Listener{std::move(fn)};
  std::lock_guard<std::mutex> lock(listener_mu_);
  if (gate_set_callback(handle_, &exposure_trampoline, next) != 0) {
    delete next;
    throw std::runtime_error("gatebind: gate_set_callback failed");
  }
  delete listener_;  // libgate promises the old listener is no longer called
  listener_ = next;
}

void Client::clear_exposure() {
  std::lock_guard<std::mutex> lock(listener_mu_);
  gate_clear_callback(handle_);
  delete listener_;
  listener_ = nullptr;
}

}  // namespace gatebind
