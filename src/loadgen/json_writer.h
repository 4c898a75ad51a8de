// A tiny builder for the one-line BENCH_JSON report: compact, keys in insertion order.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

class JsonObject {
  public:
    void add(std::string_view key, std::string_view value);
    void add(std::string_view key, const char* value) { add(key, std::string_view(value)); }
    void add(std::string_view key, const std::string& value) { add(key, std::string_view(value)); }
    void add(std::string_view key, bool value);
    void add(std::string_view key, double value);
    void add(std::string_view key, int64_t value);
    void add(std::string_view key, uint64_t value);
    void add(std::string_view key, int value) { add(key, static_cast<int64_t>(value)); }
    void add(std::string_view key, uint32_t value) { add(key, static_cast<uint64_t>(value)); }
    void add(std::string_view key, const JsonObject& value);
    void add(std::string_view key, const std::vector<std::string>& values);
    void add(std::string_view key, const std::vector<JsonObject>& values);

    std::string str() const { return "{" + body_ + "}"; }

  private:
    void key(std::string_view k);
    std::string body_;
};

}  // namespace loadgen
