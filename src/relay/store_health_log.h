// Logs a store that stopped working once (a warning) and once more when it works again,
// however many operations fail in between: an unreachable database fails every query and
// write, and how many did is in nostpp_store_errors_total. Thread-safe.
#pragma once
#include <spdlog/spdlog.h>

#include <atomic>
#include <string_view>

namespace relay {

class StoreHealthLog {
  public:
    // `error` is the store's message, which never holds a password (see docs/observability.md).
    void failed(std::string_view operation, std::string_view error) {
        if (!down_.exchange(true, std::memory_order_relaxed))
            spdlog::warn(
                "store {} failed: {} (further failures are only counted until the store "
                "works again)",
                operation, error);
    }
    void succeeded() {
        if (down_.load(std::memory_order_relaxed) &&
            down_.exchange(false, std::memory_order_relaxed))
            spdlog::info("store works again");
    }

  private:
    std::atomic<bool> down_{false};
};

}  // namespace relay
