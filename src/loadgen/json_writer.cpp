#include "loadgen/json_writer.h"

#include <cmath>
#include <cstdio>

#include "nostr/canonical.h"

namespace loadgen {

void JsonObject::key(std::string_view k) {
    if (!body_.empty()) body_ += ',';
    nostr::append_json_string(body_, k);
    body_ += ':';
}

void JsonObject::add(std::string_view k, std::string_view value) {
    key(k);
    nostr::append_json_string(body_, value);
}

void JsonObject::add(std::string_view k, bool value) {
    key(k);
    body_ += value ? "true" : "false";
}

void JsonObject::add(std::string_view k, double value) {
    key(k);
    // JSON has no NaN/Infinity; a rate over a zero-length phase is reported as 0.
    if (!std::isfinite(value)) value = 0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", value);
    body_ += buf;
}

void JsonObject::add(std::string_view k, int64_t value) {
    key(k);
    body_ += std::to_string(value);
}

void JsonObject::add(std::string_view k, uint64_t value) {
    key(k);
    body_ += std::to_string(value);
}

void JsonObject::add(std::string_view k, const JsonObject& value) {
    key(k);
    body_ += value.str();
}

void JsonObject::add(std::string_view k, const std::vector<std::string>& values) {
    key(k);
    body_ += '[';
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) body_ += ',';
        nostr::append_json_string(body_, values[i]);
    }
    body_ += ']';
}

void JsonObject::add(std::string_view k, const std::vector<JsonObject>& values) {
    key(k);
    body_ += '[';
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) body_ += ',';
        body_ += values[i].str();
    }
    body_ += ']';
}

}  // namespace loadgen
