// The target family of a bisect: --signature, the evidence of an earlier run, or the first crash
// met.
#include "base/redact.h"
#include "base/text.h"
#include "pipeline/bisect_results.h"
#include "pipeline/bisect_session.h"
#include "reporters/results.h"
#include "reporters/text.h"

namespace faultline::pipeline {

namespace {

json target_json(const bisect::FamilyTarget& t, bool widened) {
  return {{"signatures", t.signatures},
          {"top_frame", t.top_frame},
          {"frameless", t.frameless},
          {"exact", t.exact},
          {"widened", widened}};
}

}  // namespace

// "the family of 0af3… (asan SEGV: worker_main): 2 signatures, every crash in worker_main".
std::string target_words(const Context& ctx) {
  if (ctx.prober.any_crash) return "any crash";
  const bisect::FamilyTarget& t = ctx.prober.target;
  std::string words =
      ctx.target +
      (ctx.target_text.empty() ? "" : " (" + reporters::terminal_text(ctx.target_text) + ")");
  if (t.exact) return words;
  std::vector<std::string> what;
  if (t.signatures.size() > 1) what.push_back(std::to_string(t.signatures.size()) + " signatures");
  if (!t.top_frame.empty()) what.push_back("every crash whose top frame is " + t.top_frame);
  if (t.frameless)
    what.push_back("every frame-less crash (a signal alone, a one-line runtime panic)");
  return "the family of " + words + (what.empty() ? "" : ": " + join(what, ", "));
}

void set_target(Context& ctx, bisect::FamilyTarget t, std::string hash, std::string text,
                bool widened) {
  ctx.prober.target = std::move(t);
  ctx.target = std::move(hash);
  ctx.target_text = Redactor::from_environment(ctx.in.config.secrets).apply(text);
  ctx.family = target_json(ctx.prober.target, widened);
}

// A crash's family, as far as one crash tells: its signature, every crash with
// its top frame, or (with none) every frame-less crash. A bare exit stands alone.
bisect::FamilyTarget family_of_crash(const sanitizers::Crash& c) {
  const std::string top = bisect::top_frame(c);
  return {{c.signature.hash},
          top,
          top.empty() && !bisect::stands_alone(c.tool),
          bisect::stands_alone(c.tool)};
}

// --signature S found in the earlier run's results: S alone when it has frames
// of its own, else widened to its family, saying so. False when the evidence lacks S.
bool signature_from_evidence(Context& ctx) {
  const std::string& s = ctx.flags.signature;
  const json* sig = nullptr;
  const json* family = ctx.evidence.is_null() ? nullptr : family_with(ctx.evidence, s, &sig);
  if (!family || !sig) return false;
  const bisect::Manifestation m = reporters::manifestation_of(*sig);
  const bool framed = !m.top_frame.empty() || bisect::stands_alone(m.tool);
  bisect::FamilyTarget t = framed ? bisect::FamilyTarget{{s}, m.top_frame, false, true}
                                  : family_target(ctx.evidence, *family);
  t.frameless = t.frameless || !framed;
  set_target(ctx, std::move(t), s, sig->value("text", ""), !framed);
  ctx.log << "bisect: target " << target_words(ctx)
          << (framed ? "" : " (it has no frames: widened to its family)") << "\n";
  return true;
}

// --signature S: S alone when it has frames of its own; else widened to its
// family (from the earlier run's results, or what its first crash at the bad
// end shows), saying so. The bad end's runs when it had to look.
Expected<std::optional<bisect::Observation>> signature_target(Context& ctx, std::size_t bad_cell,
                                                              const std::string& where) {
  const std::string& s = ctx.flags.signature;
  if (signature_from_evidence(ctx)) return std::optional<bisect::Observation>{};
  set_target(ctx, bisect::FamilyTarget{{s}, "", false, true}, s, "", false);
  ctx.log << "bisect: looking for " << s << " at " << where << "\n";
  const std::size_t from = ctx.prober.records().size();
  FAULTLINE_TRY(bisect::Observation seen, ctx.prober.observe(bad_cell, 20, true));
  for (std::size_t i = from; i < ctx.prober.records().size(); ++i)
    for (const auto& c : ctx.prober.records()[i].crashes)
      if (c.signature.hash.rfind(s, 0) == 0) {
        bisect::FamilyTarget t = family_of_crash(c);
        const bool widened = !t.exact && t.top_frame.empty();
        if (!widened) t = {{s}, t.top_frame, false, true};
        set_target(ctx, std::move(t), s, c.signature.text, widened);
        ctx.log << "bisect: target " << target_words(ctx)
                << (widened ? " (it has no frames: widened to its family)" : "") << "\n";
        return std::optional<bisect::Observation>{ctx.prober.recount(bad_cell, from)};
      }
  return std::optional<bisect::Observation>{seen};
}

// The target family: that of --signature; else the family most runs showed at
// the bad end in the earlier run's results; else the family of the first crash
// in up to 20 runs there. nullopt with a message when the bad end does not crash (exit 0).
Expected<std::optional<bisect::Observation>> find_target(Context& ctx, std::size_t bad_cell,
                                                         const std::string& where) {
  CellProber& prober = ctx.prober;
  if (prober.any_crash) return std::optional<bisect::Observation>{};
  if (!ctx.flags.signature.empty()) return signature_target(ctx, bad_cell, where);
  if (!ctx.evidence.is_null())
    if (const json* f = most_frequent_family(ctx.evidence, ctx.in.expansion.cells.hash(bad_cell))) {
      set_target(ctx, family_target(ctx.evidence, *f), f->value("hash", ""), f->value("text", ""),
                 false);
      ctx.log << "bisect: target " << target_words(ctx) << ", the most frequent crash at " << where
              << " in the earlier run\n";
      return std::optional<bisect::Observation>{};
    }
  ctx.log << "bisect: finding the target crash at " << where << "\n";
  const std::size_t from = prober.records().size();
  FAULTLINE_TRY(bisect::Observation seen, prober.observe(bad_cell, 20, true));
  (void)seen;
  if (!prober.first_crash()) return std::optional<bisect::Observation>{std::nullopt};
  const sanitizers::Crash& c = *prober.first_crash();
  set_target(ctx, family_of_crash(c), c.signature.hash, c.signature.text, false);
  ctx.log << "bisect: target " << target_words(ctx) << "\n";
  return std::optional<bisect::Observation>{prober.recount(bad_cell, from)};
}

}  // namespace faultline::pipeline
