// gatebind.h — gatebind, the C++ binding of libgate in the ffi-race example (versions
// 0.6 … 0.10, chosen at build time with -DGATEBIND_VERSION_MINOR=N). Calls are marshalled
// through call frames; the planted frame-pool bug of 0.8 and 0.9 is described in gatebind.cc.
// libgate owns the worker threads and the callback registration; the binding owns listeners.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

struct gate;

namespace gatebind {

const char* version();          // "0.N"
const char* library_version();  // libgate's "1.N"

class Client {
 public:
  Client();  // throws std::runtime_error if libgate cannot start
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Evaluates gate `name`; returns libgate's JSON answer. Thread-safe.
  std::string check(const std::string& name);

  // Exposure listener, called on a libgate worker thread for every check() while set.
  void on_exposure(std::function<void(const std::string&)> fn);
  void clear_exposure();

  struct Exposures;  // opaque: libgate's callback context, holding the current listener

 private:
  gate* handle_;
  std::mutex registration_mu_;  // serialises (un)registration, as libgate requires
  std::unique_ptr<Exposures> exposures_;
};

}  // namespace gatebind
