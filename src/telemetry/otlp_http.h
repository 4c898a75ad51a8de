// One OTLP/HTTP POST, synchronous, for the exporter thread: connect, send the JSON body, read
// the answer, all within a deadline; a new connection each time (one export a second or
// less). Beast stays in the .cpp file.
#pragma once
#include <chrono>
#include <functional>
#include <string>

#include "telemetry/otel_config.h"

namespace telemetry {

struct OtlpPostResult {
    int status = 0;     // HTTP status, 0 when no answer came
    std::string error;  // why there was no answer ("connection refused", "timed out", ...)
    bool ok() const { return error.empty() && status >= 200 && status < 300; }
    // A short description for logs and counters: "HTTP 503" or the error.
    std::string describe() const;
};

// POSTs `body` as application/json to `endpoint` with its headers. Gives up at `timeout`, or
// within ~50 ms once `cancelled` (polled) returns true.
OtlpPostResult post_otlp(const OtlpEndpoint& endpoint, const std::string& body,
                         std::chrono::milliseconds timeout,
                         const std::function<bool()>& cancelled = {});

}  // namespace telemetry
