// Forwarding header: the session helpers moved to pipeline/session.h. Kept so
// code not yet moved (cli/bisect*.cc) compiles; new code includes pipeline/.
#pragma once

#include "pipeline/session.h"

namespace faultline::cli {
using pipeline::catch_interrupts;
using pipeline::claimant_alive;
using pipeline::default_jobs;
using pipeline::default_repo_root;
using pipeline::describe;
using pipeline::interrupted;
using pipeline::Places;
using pipeline::places_for;
using pipeline::replaceable_output;
using pipeline::this_process;
}  // namespace faultline::cli
