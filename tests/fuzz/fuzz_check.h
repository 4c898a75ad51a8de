// What the fuzz harnesses share: a check that stops the run with the offending text (libFuzzer
// saves the input that got there), and the relay's refusal prefixes.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fuzz {

[[noreturn]] inline void fail(const char* condition, const char* file, int line,
                              std::string_view detail) {
    std::fprintf(stderr, "fuzz property violated: %s (%s:%d)\n%.*s\n", condition, file, line,
                 static_cast<int>(detail.size() > 2000 ? 2000 : detail.size()), detail.data());
    std::abort();
}

// NIP-01 machine-readable prefixes the relay uses in OK false, CLOSED and NOTICE messages.
inline bool has_known_prefix(std::string_view message) {
    for (std::string_view prefix :
         {"invalid: ", "unsupported: ", "error: ", "blocked: ", "duplicate: ", "restricted: ",
          "auth-required: ", "rate-limited: ", "pow: ", "mute: "})
        if (message.substr(0, prefix.size()) == prefix) return true;
    return false;
}

}  // namespace fuzz

// Like assert, but always on and with the text that explains the failure.
#define FUZZ_CHECK(condition, detail) \
    ((condition) ? void() : ::fuzz::fail(#condition, __FILE__, __LINE__, (detail)))
