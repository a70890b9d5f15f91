#include "runner/fake_process_runner.h"

#include <signal.h>

#include <thread>

namespace faultline::runner {
namespace {

FakeCall call_of(const ProcessOptions& options) {
  FakeCall call;
  call.argv = options.argv;
  call.working_directory = options.working_directory;
  call.timeout = options.timeout;
  call.core_dumps = options.core_dumps;
  if (options.environment)
    for (const std::string& entry : *options.environment) {
      const std::size_t eq = entry.find('=');
      call.environment[entry.substr(0, eq)] = eq == std::string::npos ? "" : entry.substr(eq + 1);
    }
  return call;
}

void wait_for_cancel(const ProcessOptions& options) {
  while (options.cancel && !options.cancel->load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// The output, as the real runner delivers it: on_output, then each capture.
void deliver(const FakeProcess& script, const ProcessOptions& options, ProcessResult& result) {
  OutputCaptures output(options.capture);
  for (int stream : {1, 2}) {
    const std::string& bytes = stream == 1 ? script.stdout_text : script.stderr_text;
    if (bytes.empty()) continue;
    if (options.on_output) options.on_output(stream, bytes);
    output.append(stream, bytes);
  }
  output.finish(result.stdout_capture, result.stderr_capture, result.interleaved);
}

ProcessResult result_of(const FakeProcess& script, const ProcessOptions& options) {
  ProcessResult result;
  result.pid = 0;
  result.exit_code = script.exit_code;
  result.signal = script.signal;
  result.core_dumped = script.core_dumped;
  result.wall = script.wall;
  deliver(script, options, result);
  if (script.time_out) {
    result.timed_out = true;
    result.exit_code.reset();
    result.signal = SIGTERM;
    result.wall = options.timeout;
  } else if (script.wait_for_cancel) {
    wait_for_cancel(options);
    result.cancelled = true;
    result.exit_code.reset();
    result.signal = SIGKILL;
  }
  return result;
}

}  // namespace

std::string FakeCall::env(std::string_view name) const {
  auto it = environment.find(std::string(name));
  return it == environment.end() ? "" : it->second;
}

Expected<ProcessResult> FakeProcessRunner::run(const ProcessOptions& options) {
  const FakeCall call = call_of(options);
  enter(call);
  const FakeProcess script = m_script ? m_script(call) : FakeProcess{};
  if (script.spawn_error) {
    leave();
    return fail(infrastructure(*script.spawn_error));
  }
  ProcessResult result = result_of(script, options);
  leave();
  return result;
}

void FakeProcessRunner::enter(const FakeCall& call) {
  std::unique_lock lock(m_mutex);
  m_calls.push_back(call);
  m_max_in_flight = std::max(m_max_in_flight, ++m_in_flight);
  // Met once: a waiter woken after another call already left still goes on.
  m_rendezvous_met = m_rendezvous_met || m_in_flight >= m_rendezvous;
  m_changed.notify_all();
  if (static_cast<int>(m_calls.size()) > m_rendezvous) return;
  m_changed.wait_for(lock, m_rendezvous_limit, [&] { return m_rendezvous_met; });
}

void FakeProcessRunner::leave() {
  std::lock_guard lock(m_mutex);
  --m_in_flight;
  m_changed.notify_all();
}

std::vector<FakeCall> FakeProcessRunner::calls() const {
  std::lock_guard lock(m_mutex);
  return m_calls;
}

int FakeProcessRunner::max_in_flight() const {
  std::lock_guard lock(m_mutex);
  return m_max_in_flight;
}

void FakeProcessRunner::rendezvous(int calls, milliseconds limit) {
  std::lock_guard lock(m_mutex);
  m_rendezvous = calls;
  m_rendezvous_limit = limit;
}

}  // namespace faultline::runner
