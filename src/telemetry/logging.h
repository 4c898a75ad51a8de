// How a server role logs: spdlog's default logger at the configured level, as text or as JSON
// lines (one object per line: time, level, logger, role, message), which log collectors
// (Loki, Datadog, Elasticsearch...) take without a parsing rule. Logs go to stderr.
#pragma once
#include <spdlog/common.h>
#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace telemetry {

enum class LogFormat { text, json };

// "text" or "json"; false for anything else.
bool parse_log_format(std::string_view name, LogFormat& out);

// A formatter writing {"time":"2024-05-01T12:00:00.123Z","level":"info","logger":"nostpp",
// "role":"relay","message":"..."} and a newline. The message is escaped as JSON; bytes that
// are not UTF-8 become '?', so every line parses.
std::unique_ptr<spdlog::formatter> make_json_log_formatter(std::string role);

// Sets the level and format of the default logger. Text lines name the role too, so the logs
// of several roles can share one stream.
void configure_logging(spdlog::level::level_enum level, LogFormat format, std::string_view role);

}  // namespace telemetry
