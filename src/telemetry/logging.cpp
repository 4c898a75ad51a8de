#include "telemetry/logging.h"

#include <simdjson.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "nostr/canonical.h"

namespace telemetry {
namespace {

// "2024-05-01T12:00:00.123Z"
void append_utc_time(std::string& out, spdlog::log_clock::time_point time) {
    using namespace std::chrono;
    auto since_epoch = time.time_since_epoch();
    std::time_t seconds = duration_cast<std::chrono::seconds>(since_epoch).count();
    auto millis = duration_cast<milliseconds>(since_epoch).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buf[40];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", int(millis));
    out += buf;
}

class JsonLogFormatter final : public spdlog::formatter {
  public:
    explicit JsonLogFormatter(std::string role) : role_(std::move(role)) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        std::string line = "{\"time\":\"";
        append_utc_time(line, msg.time);
        line += "\",\"level\":";
        auto level = spdlog::level::to_string_view(msg.level);
        nostr::append_json_string(line, std::string_view(level.data(), level.size()));
        line += ",\"logger\":";
        nostr::append_json_string(line,
                                  std::string_view(msg.logger_name.data(), msg.logger_name.size()));
        line += ",\"role\":";
        nostr::append_json_string(line, role_);
        line += ",\"message\":";
        std::string_view message(msg.payload.data(), msg.payload.size());
        if (simdjson::validate_utf8(message.data(), message.size())) {
            nostr::append_json_string(line, message);
        } else {
            std::string ascii(message);
            for (char& c : ascii)
                if (static_cast<unsigned char>(c) >= 0x80) c = '?';
            nostr::append_json_string(line, ascii);
        }
        line += "}\n";
        dest.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonLogFormatter>(role_);
    }

  private:
    std::string role_;
};

}  // namespace

bool parse_log_format(std::string_view name, LogFormat& out) {
    if (name == "text")
        out = LogFormat::text;
    else if (name == "json")
        out = LogFormat::json;
    else
        return false;
    return true;
}

std::unique_ptr<spdlog::formatter> make_json_log_formatter(std::string role) {
    return std::make_unique<JsonLogFormatter>(std::move(role));
}

void configure_logging(spdlog::level::level_enum level, LogFormat format, std::string_view role) {
    spdlog::set_level(level);
    if (format == LogFormat::json) {
        spdlog::set_formatter(make_json_log_formatter(std::string(role)));
    } else {
        spdlog::set_formatter(std::make_unique<spdlog::pattern_formatter>(
            "[%Y-%m-%d %H:%M:%S.%e] [" + std::string(role) + "] [%^%l%$] %v"));
    }
}

}  // namespace telemetry
