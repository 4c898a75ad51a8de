// Log formats: JSON lines that always parse (quotes, newlines, non-UTF-8 bytes in messages),
// and text lines that name the role.
#include "telemetry/logging.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

// Logs through a private logger with `formatter` and returns its lines.
template <class Log>
std::vector<std::string> lines_of(std::unique_ptr<spdlog::formatter> formatter, Log log) {
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>(
        "nostpp", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::trace);
    log(*logger);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string field(simdjson::dom::element object, const char* name) {
    std::string_view value;
    if (object[name].get_string().get(value)) return "<missing " + std::string(name) + ">";
    return std::string(value);
}

TEST(Logging, JsonLinesCarryTimeLevelLoggerRoleAndMessage) {
    auto lines = lines_of(telemetry::make_json_log_formatter("event-handler"), [](auto& log) {
        log.info("plain {}", 42);
        log.warn("quote \" backslash \\ newline \n tab \t control \x01 done");
        log.debug(std::string("bytes \xff\xfe here"));
    });
    ASSERT_EQ(lines.size(), 3u);  // the newline in a message stays escaped: one line each
    simdjson::dom::parser parser;
    std::vector<std::string> messages, levels;
    for (const std::string& line : lines) {
        simdjson::dom::element object;
        ASSERT_EQ(parser.parse(line).get(object), simdjson::SUCCESS) << line;
        EXPECT_EQ(field(object, "role"), "event-handler");
        EXPECT_EQ(field(object, "logger"), "nostpp");
        std::string time = field(object, "time");
        // 2024-05-01T12:00:00.123Z
        EXPECT_EQ(time.size(), 24u) << time;
        EXPECT_EQ(time[10], 'T');
        EXPECT_EQ(time.back(), 'Z');
        messages.push_back(field(object, "message"));
        levels.push_back(field(object, "level"));
    }
    EXPECT_EQ(levels, (std::vector<std::string>{"info", "warning", "debug"}));
    EXPECT_EQ(messages[0], "plain 42");
    EXPECT_EQ(messages[1], "quote \" backslash \\ newline \n tab \t control \x01 done");
    EXPECT_EQ(messages[2], "bytes ?? here");
}

TEST(Logging, TextLinesNameTheRole) {
    auto previous = spdlog::default_logger();
    std::ostringstream out;
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "nostpp", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
    telemetry::configure_logging(spdlog::level::info, telemetry::LogFormat::text, "relay");
    spdlog::info("hello");
    spdlog::debug("hidden at info level");
    spdlog::set_default_logger(previous);
    EXPECT_NE(out.str().find("] [relay] [info] hello\n"), std::string::npos) << out.str();
    EXPECT_EQ(out.str().find("hidden"), std::string::npos) << out.str();
}

TEST(Logging, ParsesFormatNames) {
    telemetry::LogFormat format = telemetry::LogFormat::text;
    EXPECT_TRUE(telemetry::parse_log_format("json", format));
    EXPECT_EQ(format, telemetry::LogFormat::json);
    EXPECT_TRUE(telemetry::parse_log_format("text", format));
    EXPECT_EQ(format, telemetry::LogFormat::text);
    EXPECT_FALSE(telemetry::parse_log_format("xml", format));
}

}  // namespace
