// The private redis-server of this test run (ctest fixture redis_server, started by
// scripts/test-server.sh into $NOSTPP_TEST_REDIS_DIR) and helpers to stop, restart and
// inspect it. Tests derive from RedisTest, which fails (never skips) without a server.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "bus/redis_connection.h"

namespace redis_test {

// $NOSTPP_TEST_REDIS_DIR/url, or "" with `error` set.
std::string server_url(std::string& error);

// scripts/test-server.sh redis <action> $NOSTPP_TEST_REDIS_DIR; false on failure.
bool server_control(const std::string& action);
std::string server_dir();

// A plain connection to the test server, for setting up and inspecting state.
std::unique_ptr<bus::RedisConnection> raw_connection(const std::string& url);

// Polls `condition` every 10 ms until true or `timeout` passes.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A name unique to the running test, for channels and key prefixes.
std::string unique_name();

class RedisTest : public ::testing::Test {
protected:
    void SetUp() override;
    std::string url_;
};

// Stops the server for the scope's lifetime; starts it again (same port) when leaving, also
// when an assertion failed.
class ServerDown {
public:
    ServerDown();
    ~ServerDown();
    bool ok() const { return ok_; }

private:
    bool ok_;
};

}  // namespace redis_test
