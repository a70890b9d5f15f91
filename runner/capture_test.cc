#include "runner/capture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sanitizers/parser.h"

namespace faultline::runner {
namespace {

TEST(RunnerCapture, KeepsEverythingUnderTheBound) {
  Capture capture({8, 8});
  capture.append("hello ");
  capture.append("world\n");
  EXPECT_EQ(capture.total_bytes(), 12u);
  EXPECT_FALSE(capture.truncated());
  EXPECT_EQ(capture.head(), "hello wo");
  EXPECT_EQ(capture.tail(), "rld\n");
  EXPECT_EQ(capture.text(), "hello world\n");
}

TEST(RunnerCapture, ExactlyHeadPlusTailIsNotTruncated) {
  Capture capture({4, 4});
  capture.append("abcdefgh");
  EXPECT_FALSE(capture.truncated());
  EXPECT_EQ(capture.text(), "abcdefgh");
}

TEST(RunnerCapture, DropsTheMiddleWithAMarkerLine) {
  Capture capture({4, 4});
  capture.append("abc\n");
  for (int i = 0; i < 10; ++i) capture.append("0123456789");
  capture.append("xyz\n");
  EXPECT_EQ(capture.total_bytes(), 108u);
  EXPECT_TRUE(capture.truncated());
  EXPECT_EQ(capture.omitted_bytes(), 100u);
  EXPECT_EQ(capture.tail(), "xyz\n");
  EXPECT_EQ(capture.text(), "abc\n[... 100 bytes omitted ...]\nxyz\n");
}

TEST(RunnerCapture, MarkerStartsOnItsOwnLine) {
  Capture capture({3, 3});
  capture.append("abcdefghij");
  EXPECT_EQ(capture.text(), "abc\n[... 4 bytes omitted ...]\nhij");
}

TEST(RunnerCapture, RingWrapsAcrossManySmallAppends) {
  Capture capture({2, 5});
  std::string all;
  for (char c = 'a'; c <= 'z'; ++c) {
    capture.append(std::string(1, c));
    all += c;
  }
  EXPECT_EQ(capture.head(), "ab");
  EXPECT_EQ(capture.tail(), "vwxyz");
  EXPECT_EQ(capture.omitted_bytes(), 26u - 7u);
}

TEST(RunnerCapture, ChunkLargerThanTheTailKeepsItsEnd) {
  Capture capture({2, 4});
  capture.append("ab");
  capture.append("cd");
  capture.append(std::string(1000, '.') + "WXYZ");
  EXPECT_EQ(capture.tail(), "WXYZ");
  capture.append("12");
  EXPECT_EQ(capture.tail(), "YZ12");
  EXPECT_EQ(capture.total_bytes(), 1010u);
}

TEST(RunnerCapture, ZeroTailKeepsOnlyTheHead) {
  Capture capture({3, 0});
  capture.append("abcdef");
  EXPECT_EQ(capture.text(), "abc\n[... 3 bytes omitted ...]\n");
}

TEST(RunnerCapture, DefaultBoundIsOneMebibyteEachSide) {
  Capture capture;
  std::string mib(1 << 20, 'h');
  capture.append(mib);
  capture.append(std::string(1 << 20, 'm'));
  capture.append(std::string(1 << 20, 't'));
  EXPECT_EQ(capture.head(), mib);
  EXPECT_EQ(capture.tail(), std::string(1 << 20, 't'));
  EXPECT_EQ(capture.omitted_bytes(), 1u << 20);
}

// ---- Crash reports anywhere in the stream (ReportRegions) ----

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(RUNNER_FIXTURES) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string chatter(std::size_t lines, std::size_t first = 0) {
  std::string out;
  for (std::size_t i = first; i < first + lines; ++i)
    out += "worker " + std::to_string(i % 7) + ": ok\n";
  return out;
}

// `text` fed to a capture in chunks of `chunk` bytes (reports straddle chunk edges).
Capture captured(const std::string& text, std::size_t chunk, CaptureLimits limits = {4096, 4096}) {
  Capture capture(limits);
  for (std::size_t at = 0; at < text.size(); at += chunk)
    capture.append(std::string_view(text).substr(at, chunk));
  return capture;
}

std::vector<std::string> kinds(const Capture& capture) {
  std::vector<std::string> out;
  for (const auto& crash : sanitizers::parse_output(capture.text(), {0, std::nullopt}))
    out.push_back(crash.tool + " " + crash.kind + " " + crash.signature.hash);
  return out;
}

TEST(RunnerCaptureReports, AReportInTheMiddleOfALongStreamIsKeptWhole) {
  const std::string report = fixture("asan_uaf_clang14.txt");
  const std::string from_error = report.substr(report.find("==6351==ERROR"));
  const std::string alone = sanitizers::parse_output(report).at(0).signature.hash;
  const std::string text = chatter(20000) + report + chatter(20000);
  for (std::size_t chunk : {std::size_t{65536}, std::size_t{4093}, std::size_t{7}}) {
    Capture capture = captured(text, chunk);
    EXPECT_EQ(kinds(capture), std::vector<std::string>{"asan heap-use-after-free " + alone})
        << "chunk " << chunk;
    EXPECT_NE(capture.text().find("omitted ...]\n" + from_error), std::string::npos)
        << "chunk " << chunk;
    EXPECT_EQ(capture.dropped_reports(), 0u);
  }
}

TEST(RunnerCaptureReports, EveryReportOfAHaltOnErrorZeroRunIsKept) {
  const std::string asan = fixture("asan_uaf_clang14.txt");
  const std::string tsan = fixture("tsan_race_gcc12.txt");
  const std::string text =
      chatter(10000) + asan + chatter(10000) + tsan + chatter(10000) + asan + chatter(10000);
  Capture capture = captured(text, 65536);
  std::vector<std::string> found = kinds(capture);
  ASSERT_EQ(found.size(), 3u) << capture.text().substr(0, 20000);
  EXPECT_EQ(found[0].substr(0, 24), "asan heap-use-after-free");
  EXPECT_EQ(found[1].substr(0, 15), "tsan data-race ");
  EXPECT_EQ(found[2], found[0]);
}

TEST(RunnerCaptureReports, LinesThatOnlyLookLikeReportsAreNotKept) {
  std::string noise;
  for (int i = 0; i < 3000; ++i) noise += "*** SIGNAL handler installed; no panic ***\n";
  Capture capture = captured(chatter(1000) + noise + chatter(1000), 4096);
  EXPECT_EQ(capture.omitted_bytes(), capture.total_bytes() - 8192);
  EXPECT_EQ(capture.text().find("SIGNAL"), std::string::npos);
}

TEST(RunnerCaptureReports, ReportsPastTheBudgetAreDroppedUnlessTheyAreNew) {
  const std::string asan = fixture("asan_uaf_clang14.txt");
  const std::string tsan = fixture("tsan_race_gcc12.txt");
  std::string text;
  for (int i = 0; i < 40; ++i) text += chatter(300) + asan;
  text += chatter(300) + tsan + chatter(3000);
  CaptureLimits limits{4096, 4096, 16384};
  Capture capture = captured(text, 65536, limits);
  std::vector<std::string> found = kinds(capture);
  // A region is one ASan report and the 256 lines after its SUMMARY (about 7 KiB):
  // the budget holds two; the TSan report is a new signature, so it is kept too.
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found.back().substr(0, 15), "tsan data-race ");
  EXPECT_EQ(capture.dropped_reports(), 38u);
  EXPECT_LT(capture.text().size(), 4096 + 4096 + 2 * 16384 + 1024);
}

TEST(RunnerCaptureReports, NoReportsAreKeptWithABudgetOfZero) {
  Capture capture = captured(chatter(2000) + fixture("asan_uaf_clang14.txt") + chatter(2000), 4096,
                             {4096, 4096, 0});
  EXPECT_TRUE(kinds(capture).empty());
}

// ---- OutputCaptures: the interleaved copy shares one stream's bytes until both write ----

// Each step is (stream, bytes). The reference: three Captures fed as the runner fed
// them before OutputCaptures, every byte copied into the interleaved one at once.
using Steps = std::vector<std::pair<int, std::string>>;

struct Three {
  Capture out, err, both;
};

// How the runner feeds OutputCaptures: append() (as the fake runner does), or
// read() into space() and commit() (as process_posix.cc does), here with reads of
// at most 3000 bytes, some shorter, some failing (a space() never committed).
enum class Feed { append, read_in_place };

void read_in_place(OutputCaptures& output, int stream, std::string_view bytes) {
  std::mt19937 random(static_cast<unsigned>(bytes.size()));
  while (!bytes.empty()) {
    std::span<char> into = output.space(stream, 3000);
    if (random() % 5 == 0) continue;  // EAGAIN: nothing read
    std::size_t n = std::min({into.size(), bytes.size(), std::size_t{1} + random() % 3000});
    std::memcpy(into.data(), bytes.data(), n);
    EXPECT_EQ(output.commit(stream, n), bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
}

Three by_output_captures(const Steps& steps, CaptureLimits limits, Feed feed = Feed::append) {
  OutputCaptures output(limits);
  for (const auto& [stream, bytes] : steps) {
    if (feed == Feed::append) output.append(stream, bytes);
    if (feed == Feed::read_in_place) read_in_place(output, stream, bytes);
  }
  Three got;
  output.finish(got.out, got.err, got.both);
  return got;
}

Three by_reference(const Steps& steps, CaptureLimits limits) {
  CaptureLimits plain = limits;
  plain.report_bytes = 0;
  Three want{Capture(plain), Capture(plain), Capture(limits)};
  for (const auto& [stream, bytes] : steps) {
    (stream == 1 ? want.out : want.err).append(bytes);
    want.both.append(bytes);
  }
  return want;
}

void expect_same(const Capture& got, const Capture& want, const std::string& what) {
  EXPECT_EQ(got.total_bytes(), want.total_bytes()) << what;
  EXPECT_EQ(got.head(), want.head()) << what;
  EXPECT_EQ(got.tail(), want.tail()) << what;
  EXPECT_EQ(got.omitted_bytes(), want.omitted_bytes()) << what;
  EXPECT_EQ(got.dropped_reports(), want.dropped_reports()) << what;
  EXPECT_EQ(got.text(), want.text()) << what;
}

void expect_like_reference(const Steps& steps, CaptureLimits limits, const std::string& what) {
  Three want = by_reference(steps, limits);
  for (Feed feed : {Feed::append, Feed::read_in_place}) {
    Three got = by_output_captures(steps, limits, feed);
    std::string how = what + (feed == Feed::append ? ", appended" : ", read in place");
    expect_same(got.out, want.out, how + ", stdout");
    expect_same(got.err, want.err, how + ", stderr");
    expect_same(got.both, want.both, how + ", interleaved");
  }
}

// `text` as steps of stream `stream`, in chunks of `chunk` bytes.
Steps chunks_of(int stream, const std::string& text, std::size_t chunk) {
  Steps out;
  for (std::size_t at = 0; at < text.size(); at += chunk)
    out.emplace_back(stream, text.substr(at, chunk));
  return out;
}

TEST(RunnerOutputCaptures, OneStreamOnlyGivesTheInterleavedCopyItsBytes) {
  Three got = by_output_captures({{1, "abc\n"}, {1, "0123456789"}, {1, "xyz\n"}}, {4, 4});
  EXPECT_EQ(got.both.text(), "abc\n[... 10 bytes omitted ...]\nxyz\n");
  EXPECT_EQ(got.out.text(), got.both.text());
  EXPECT_EQ(got.err.total_bytes(), 0u);
  Three err_only = by_output_captures({{2, "only stderr\n"}}, {4, 4});
  EXPECT_EQ(err_only.both.text(), "only\n[... 4 bytes omitted ...]\nerr\n");
  EXPECT_EQ(err_only.out.text(), "");
}

TEST(RunnerOutputCaptures, NothingWrittenLeavesThreeEmptyCaptures) {
  Three got = by_output_captures({}, {4, 4});
  EXPECT_EQ(got.both.total_bytes(), 0u);
  EXPECT_EQ(got.both.text(), "");
  EXPECT_EQ(got.out.text(), "");
}

TEST(RunnerOutputCaptures, TheOtherStreamsFirstBytesFollowTheKeptOnes) {
  // stdout filled head and wrapped its tail before stderr's first write.
  Three got =
      by_output_captures({{1, "head"}, {1, std::string(50, '.')}, {1, "WXYZ"}, {2, "E!"}}, {4, 4});
  EXPECT_EQ(got.both.text(), "head\n[... 52 bytes omitted ...]\nYZE!");
  EXPECT_EQ(got.out.text(), "head\n[... 50 bytes omitted ...]\nWXYZ");
  EXPECT_EQ(got.err.text(), "E!");
}

TEST(RunnerOutputCaptures, MatchesThreeCapturesFedEveryByteWhereTheStreamsSwitch) {
  const std::string asan = fixture("asan_uaf_clang14.txt");
  const std::string text = chatter(3000) + asan + chatter(3000);
  const CaptureLimits limits{4096, 4096, 65536};
  for (std::size_t switch_at :
       {std::size_t{0}, std::size_t{100}, std::size_t{4096}, std::size_t{6000},
        text.find("==6351==ERROR") + 20, text.size() - 10, text.size()}) {
    Steps steps = chunks_of(1, text.substr(0, switch_at), 4093);
    Steps rest = chunks_of(2, text.substr(switch_at), 4093);
    steps.insert(steps.end(), rest.begin(), rest.end());
    expect_like_reference(steps, limits, "switch at " + std::to_string(switch_at));
    EXPECT_EQ(kinds(by_output_captures(steps, limits).both).size(), 1u) << switch_at;
  }
}

TEST(RunnerOutputCaptures, MatchesThreeCapturesFedEveryByteForRandomInterleavings) {
  const std::string asan = fixture("asan_uaf_clang14.txt");
  const std::string text = chatter(2000) + asan + chatter(2000) + asan + chatter(500);
  std::mt19937 random(14);
  for (int trial = 0; trial < 12; ++trial) {
    Steps steps;
    int stream = 1 + static_cast<int>(random() % 2);
    for (std::size_t at = 0; at < text.size();) {
      std::size_t chunk = 1 + random() % 9000;
      steps.emplace_back(stream, text.substr(at, chunk));
      at += chunk;
      if (random() % (trial + 2) == 0) stream = 3 - stream;  // later trials switch rarely
    }
    for (CaptureLimits limits : {CaptureLimits{2048, 3000, 65536}, CaptureLimits{0, 4096, 65536},
                                 CaptureLimits{100, 0, 65536}, CaptureLimits{0, 0, 65536}})
      expect_like_reference(steps, limits,
                            "trial " + std::to_string(trial) + ", head " +
                                std::to_string(limits.head_bytes) + ", tail " +
                                std::to_string(limits.tail_bytes));
  }
}

TEST(RunnerOutputCaptures, ACrlfReportReadAcrossTheRingsEndIsKept) {
  // CRLF lines after invalid UTF-8, in a stream whose ring (4096 bytes) wraps many
  // times, read in place in pieces of up to 3000 bytes: reads stop at the ring's end,
  // so the report is split there as well as between reads.
  const std::string asan = fixture("asan_uaf_clang14.txt");
  std::string crlf;
  for (std::size_t at = 0, next = 0; at < asan.size(); at = next) {
    next = asan.find('\n', at) + 1;
    crlf += asan.substr(at, next - at - 1) + "\r\n";
  }
  const std::string text = chatter(3000) + "\xff\xfe garbage \xc3\n" + crlf + chatter(3000);
  const CaptureLimits limits{4096, 4096, 65536};
  Steps steps = chunks_of(1, text, 9000);
  Three got = by_output_captures(steps, limits, Feed::read_in_place);
  const std::string alone = sanitizers::parse_output(asan).at(0).signature.hash;
  EXPECT_EQ(kinds(got.both), std::vector<std::string>{"asan heap-use-after-free " + alone});
  EXPECT_NE(got.both.text().find(crlf.substr(crlf.find("==6351==ERROR"), 200)), std::string::npos);
  expect_like_reference(steps, limits, "crlf");
}

}  // namespace
}  // namespace faultline::runner
