#include "pipeline/bisect.h"

#include "base/exit_status.h"
#include "pipeline/bisect_results.h"
#include "pipeline/bisect_session.h"
#include "store/store.h"

namespace faultline::pipeline {

namespace {

// The evidence of an earlier run: --results, else STATE/results.json when it
// records this matrix. The exit status when --results names no usable file.
std::optional<int> take_evidence(Context& ctx) {
  if (ctx.flags.no_results) return std::nullopt;
  const std::string path =
      ctx.flags.results.empty() ? ctx.places.state_dir + "/results.json" : ctx.flags.results;
  std::string why;
  if (auto r = matching_results(path, ctx.in, why)) {
    ctx.evidence = std::move(*r);
  } else if (!ctx.flags.results.empty()) {
    ctx.log << "faultline bisect: --results: " << (why.empty() ? path + " does not exist" : why)
            << "\n";
    return k_exit_bad_input;
  } else if (!why.empty()) {
    ctx.log << "bisect: " << why << "\n";
  }
  return std::nullopt;
}

CellProber make_prober(const BisectRequest& request, BisectMatrix in, const BisectPlace& place,
                       BisectProgress& progress) {
  runner::BuildOptions bopts;
  bopts.on_done = [&progress](std::size_t, const runner::BuildOutcome& o) {
    progress.build_finished(o);
  };
  bopts.state_dir = place.state_dir;
  bopts.matrix_dir = place.matrix_dir;
  bopts.jobs = place.jobs;
  bopts.matrix_file = request.file;
  bopts.cancel = place.cancel;
  bopts.redactor = Redactor::from_environment(in.config.secrets);
  bopts.processes = place.processes;
  runner::StressOptions sopts;
  sopts.jobs = place.jobs;
  sopts.matrix_dir = place.matrix_dir;
  sopts.state_dir = place.state_dir;
  sopts.cancel = place.cancel;
  sopts.processes = place.processes;
  CellProber prober(in, bopts, sopts);
  prober.any_crash = request.any_crash;
  prober.progress = &progress;
  return prober;
}

}  // namespace

int run_bisect(const BisectRequest& request, BisectMatrix in, const Plane& plane,
               const BisectPlace& place, const BisectOutput& output) {
  BisectProgress progress(
      output.progress, output.log, output.out_on_terminal ? &output.out : nullptr,
      [&](std::size_t cell) { return cell_label(in.expansion.cells, plane.axes, cell); });
  CellProber prober = make_prober(request, in, place, progress);
  auto db = store::Store::open(place.db_path);
  if (!db) {
    output.log << "faultline bisect: " << db.error().message << "\n";
    return exit_status_for(db.error());
  }
  Context ctx{request, in,     place, output,    output.out, output.log,
              prober,  json(), "",    db->get(), "",         json()};
  ctx.progress = &progress;
  if (auto status = take_evidence(ctx)) return *status;
  return plane.axes.size() == 2 ? bisect_plane(ctx, plane) : bisect_line(ctx, plane);
}

}  // namespace faultline::pipeline
