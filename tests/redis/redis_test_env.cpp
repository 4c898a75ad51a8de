#include "redis_test_env.h"

#include <cstdlib>
#include <fstream>
#include <thread>

#include "bus/redis_url.h"

namespace redis_test {

std::string server_dir() {
    const char* dir = std::getenv("NOSTPP_TEST_REDIS_DIR");
    return dir ? dir : "";
}

std::string server_url(std::string& error) {
    std::string dir = server_dir();
    if (dir.empty()) {
        error =
            "NOSTPP_TEST_REDIS_DIR is not set: run these tests through ctest (fixture "
            "redis_server), or run scripts/test-server.sh redis start DIR and export "
            "NOSTPP_TEST_REDIS_DIR=DIR";
        return {};
    }
    std::ifstream in(dir + "/url");
    std::string url;
    if (!std::getline(in, url) || url.empty()) {
        error = "no Redis test server: " + dir +
                "/url is missing (did the redis_server_start fixture fail? is redis-server "
                "installed?)";
        return {};
    }
    return url;
}

bool server_control(const std::string& action) {
    std::string command = std::string(NOSTPP_SOURCE_DIR) + "/scripts/test-server.sh redis " +
                          action + " '" + server_dir() + "' >/dev/null";
    return std::system(command.c_str()) == 0;
}

std::unique_ptr<bus::RedisConnection> raw_connection(const std::string& url) {
    return std::make_unique<bus::RedisConnection>(bus::parse_redis_url(url), bus::RedisTimeouts{});
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string unique_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("nostpp-test:") + info->test_suite_name() + "." + info->name() + ":" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ":";
}

void RedisTest::SetUp() {
    std::string error;
    url_ = server_url(error);
    ASSERT_FALSE(url_.empty()) << error;
}

ServerDown::ServerDown() : ok_(server_control("stop")) {}

ServerDown::~ServerDown() {
    if (!server_control("start")) ADD_FAILURE() << "could not restart the Redis test server";
}

}  // namespace redis_test
