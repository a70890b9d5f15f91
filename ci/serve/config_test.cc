#include "ci/serve/config.h"

#include <gtest/gtest.h>

namespace faultline::ci::serve {
namespace {

const std::string k_minimal = "secret_env: BOT_SECRET\nrepositories: [acme/widgets]\n";

TEST(BotConfig, DefaultsFollowTheDocumentation) {
  auto cfg = parse_config(k_minimal, "bot.yaml");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->host, "127.0.0.1");
  EXPECT_EQ(cfg->port, 8080);
  EXPECT_EQ(cfg->token_env, "GITHUB_TOKEN");
  EXPECT_EQ(cfg->api_url, "https://api.github.com");
  EXPECT_EQ(cfg->matrix, "faultline.yaml");
  EXPECT_FALSE(cfg->allow_forks);
  EXPECT_EQ(cfg->max_body_bytes, 25u * 1024 * 1024);
  EXPECT_EQ(cfg->db, ".faultline/faultline.db");
  EXPECT_FALSE(cfg->runs);
}

TEST(BotConfig, ReadsEverySetting) {
  auto cfg = parse_config(
      "listen: 0.0.0.0:9000\nsecret_env: S\ntoken_env: T\napi_url: http://127.0.0.1:1\n"
      "repositories: [a/b, C/D]\nmatrix: ci/matrix.yaml\nruns: 3\nallow_forks: "
      "true\nmax_body_bytes: 4096\n"
      "workdir: /tmp/w\ndb: /tmp/d.db\nname: gate\njobs: 2\njob_timeout: 60\n",
      "bot.yaml");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->host, "0.0.0.0");
  EXPECT_EQ(cfg->port, 9000);
  EXPECT_EQ(cfg->runs, 3);
  EXPECT_TRUE(cfg->allow_forks);
  EXPECT_EQ(cfg->max_body_bytes, 4096u);
  EXPECT_EQ(cfg->jobs, 2);
  EXPECT_EQ(cfg->job_timeout.count(), 60);
  EXPECT_TRUE(cfg->allows("c/d"));
  EXPECT_TRUE(cfg->allows("A/B"));
  EXPECT_FALSE(cfg->allows("a/c"));
}

TEST(BotConfig, ErrorsNameFileLineAndColumn) {
  auto cfg = parse_config(
      "secret_env: my secret value\nrepositories: [acme]\nlisten: nowhere\nallow_frks: true\n",
      "bot.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().kind, ErrorKind::bad_input);
  EXPECT_EQ(cfg.error().message,
            "bot.yaml:1:13: error: 'secret_env' names an environment variable (e.g. "
            "FAULTLINE_WEBHOOK_SECRET), not "
            "'my secret value'; the value itself never goes in this file\n"
            "bot.yaml:2:16: error: repository 'acme' must be OWNER/NAME\n"
            "bot.yaml:3:9: error: 'listen' must be HOST:PORT (e.g. 127.0.0.1:8080), not 'nowhere'\n"
            "bot.yaml:4:1: error: unknown setting 'allow_frks' (did you mean 'allow_forks'?)\n");
}

TEST(BotConfig, MissingRequiredSettingsAndBadNumbers) {
  auto cfg = parse_config("max_body_bytes: 99999999999\n", "bot.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(
      cfg.error().message,
      "bot.yaml:1:17: error: 'max_body_bytes' must be a whole number from 1024 to 26214400, not "
      "'99999999999'\n"
      "bot.yaml:1:1: error: missing setting 'secret_env'\n"
      "bot.yaml:1:1: error: missing setting 'repositories'\n");
}

TEST(BotConfig, SyntaxErrorsArePlaced) {
  auto cfg = parse_config("secret_env: [unclosed\n", "bot.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message.rfind("bot.yaml:2:1: error: ", 0), 0u) << cfg.error().message;
}

TEST(BotConfig, UnreadableFileIsBadInput) {
  auto cfg = load_config("/nonexistent/bot.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().kind, ErrorKind::bad_input);
  EXPECT_EQ(
      cfg.error().message,
      "/nonexistent/bot.yaml: error: cannot read the bot configuration: No such file or directory");
}

}  // namespace
}  // namespace faultline::ci::serve
