#include "bisect/families.h"

#include <gtest/gtest.h>

namespace faultline::bisect {
namespace {

using Hashes = std::vector<std::string>;

std::vector<Hashes> hashes(const std::vector<Family>& families) {
  std::vector<Hashes> out;
  for (const auto& f : families) out.push_back(f.signatures);
  return out;
}

const Manifestation k_segv{"5e90000000aa", "signal", ""};
const Manifestation k_ill{"111000000bbb", "signal", ""};
const Manifestation k_abrt{"abc000000ccc", "signal", ""};
const Manifestation k_panic{"90000000dddd", "go", ""};
const Manifestation k_uaf{"0af000000001", "asan", "worker_main"};
const Manifestation k_asan_segv{"0af000000002", "asan", "worker_main"};
const Manifestation k_double_free{"df0000000003", "asan", "acquire_frame"};
const Manifestation k_exit{"e00000000004", "exit", ""};

TEST(Families, SignalsAndAPanicInTheSameCellsAreOneBugLedByTheMostFrequent) {
  // A release build dying at random: SIGSEGV, SIGILL, SIGABRT or Go's one-line panic.
  const std::vector<CellSignatures> cells = {
      {{k_segv.hash, 4}, {k_ill.hash, 3}, {k_abrt.hash, 2}, {k_panic.hash, 1}},
      {{k_segv.hash, 3}, {k_ill.hash, 3}, {k_abrt.hash, 3}},
      {{k_segv.hash, 5}, {k_ill.hash, 2}, {k_abrt.hash, 2}, {k_panic.hash, 1}},
      {}};
  const auto families = group_families({k_ill, k_segv, k_abrt, k_panic}, cells);
  EXPECT_EQ(hashes(families),
            (std::vector<Hashes>{{k_segv.hash, k_ill.hash, k_abrt.hash, k_panic.hash}}));
  EXPECT_EQ(families[0].top_frame, "");
}

TEST(Families, OneRunPerCellLeavesTheSplitUntoldSoFramelessSignalsStayTogether) {
  // stop: first-crash: each crashing cell shows one signal, never two.
  const std::vector<CellSignatures> cells = {{{k_segv.hash, 1}},
                                             {{k_ill.hash, 1}},
                                             {{k_abrt.hash, 1}},
                                             {{k_segv.hash, 1}},
                                             {{k_abrt.hash, 1}}};
  EXPECT_EQ(hashes(group_families({k_segv, k_abrt, k_ill}, cells)),
            (std::vector<Hashes>{{k_segv.hash, k_abrt.hash, k_ill.hash}}));
}

TEST(Families, ARareManifestationWithTheSameTopFrameJoinsTheUsualOneWhichLeads) {
  // The example's callback use-after-free: now and then ASan reports a SEGV in the same function.
  const std::vector<CellSignatures> cells = {
      {{k_uaf.hash, 20}}, {{k_uaf.hash, 19}, {k_asan_segv.hash, 1}}, {{k_asan_segv.hash, 1}}};
  const auto families = group_families({k_asan_segv, k_uaf}, cells);
  EXPECT_EQ(hashes(families), (std::vector<Hashes>{{k_uaf.hash, k_asan_segv.hash}}));
  EXPECT_EQ(families[0].top_frame, "worker_main");
}

TEST(Families, SignaturesWithFramesOfTheirOwnStayApartEvenInTheSameCells) {
  const std::vector<CellSignatures> cells = {{{k_uaf.hash, 5}, {k_double_free.hash, 5}},
                                             {{k_uaf.hash, 4}, {k_double_free.hash, 6}}};
  EXPECT_EQ(hashes(group_families({k_uaf, k_double_free}, cells)),
            (std::vector<Hashes>{{k_uaf.hash}, {k_double_free.hash}}));
}

TEST(Families, FramelessSignaturesInDisjointCellsWithManyCrashesEachAreTwoBugs) {
  const std::vector<CellSignatures> cells = {
      {{k_segv.hash, 10}}, {{k_segv.hash, 10}}, {{k_abrt.hash, 10}}, {{k_abrt.hash, 10}}};
  EXPECT_EQ(hashes(group_families({k_segv, k_abrt}, cells)),
            (std::vector<Hashes>{{k_segv.hash}, {k_abrt.hash}}));
}

TEST(Families, AFramelessSignatureJoinsAFramedOneOnlyWhereTheyCrashTogether) {
  const std::vector<CellSignatures> apart = {{{k_uaf.hash, 1}}, {{k_segv.hash, 1}}};
  EXPECT_EQ(hashes(group_families({k_uaf, k_segv}, apart)),
            (std::vector<Hashes>{{k_uaf.hash}, {k_segv.hash}}));

  const std::vector<CellSignatures> together = {{{k_uaf.hash, 6}, {k_segv.hash, 2}},
                                                {{k_uaf.hash, 5}, {k_segv.hash, 3}}};
  const auto families = group_families({k_segv, k_uaf}, together);
  EXPECT_EQ(hashes(families), (std::vector<Hashes>{{k_uaf.hash, k_segv.hash}}));
  EXPECT_EQ(families[0].top_frame, "worker_main");
}

TEST(Families, ABareNonzeroExitIsNeverAManifestationOfAnotherBug) {
  const std::vector<CellSignatures> cells = {{{k_segv.hash, 3}, {k_exit.hash, 3}},
                                             {{k_segv.hash, 2}, {k_exit.hash, 2}}};
  EXPECT_EQ(hashes(group_families({k_segv, k_exit}, cells)),
            (std::vector<Hashes>{{k_segv.hash}, {k_exit.hash}}));
}

TEST(Families, NoCrashesNoFamilies) { EXPECT_TRUE(group_families({}, {{}, {}}).empty()); }

TEST(FamilyTarget, CountsItsSignaturesAndWhatNoFramesTellApartFromThem) {
  const FamilyTarget framed{{"0af000000002"}, "worker_main", false, false};
  EXPECT_TRUE(framed.matches(k_asan_segv));
  EXPECT_TRUE(framed.matches(k_uaf));  // not met before, same top frame
  EXPECT_FALSE(framed.matches(k_double_free));
  EXPECT_FALSE(framed.matches(k_segv));  // frame-less: this family has no frame-less member

  const FamilyTarget frameless{{"5e90"}, "", true, false};  // a prefix, as --signature takes it
  EXPECT_TRUE(frameless.matches(k_segv));
  EXPECT_TRUE(frameless.matches(k_ill));
  EXPECT_TRUE(frameless.matches(k_panic));
  EXPECT_FALSE(frameless.matches(k_exit));
  EXPECT_FALSE(frameless.matches(Manifestation{"f00000000005", "faultline", ""}));  // spawn-failed
  EXPECT_FALSE(frameless.matches(k_uaf));

  const FamilyTarget exact{{"0af000000002"}, "worker_main", false, true};
  EXPECT_TRUE(exact.matches(k_asan_segv));
  EXPECT_FALSE(exact.matches(k_uaf));
}

TEST(FamilyTarget, TheTopFrameOfACrashIsItsFirstMeaningfulFrame) {
  sanitizers::Crash crash;
  crash.frames = {{"__interceptor_free", "", 0, "libasan.so.8", 0, ""},
                  {"worker_main", "gate.c", 12, "", 0, ""},
                  {"start_thread", "", 0, "libc.so.6", 0, ""}};
  EXPECT_EQ(top_frame(crash), "worker_main");
  EXPECT_EQ(top_frame(sanitizers::Crash{}), "");
}

}  // namespace
}  // namespace faultline::bisect
