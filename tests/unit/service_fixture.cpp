#include "service_fixture.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "store/lmdb/lmdb_store.h"

namespace service_test {

LocalStack::LocalStack() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "nostpp-service-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    store_ = store::LmdbStore::open(dir_, uint64_t{1} << 30);
    bus_ = std::make_unique<bus::LocalBus>();
    backend_ = std::make_unique<relay::LocalBackend>(*store_, *bus_, metrics_,
                                                     relay::LocalBackendOptions{2, 0});
    backend_->start();
}

LocalStack::~LocalStack() {
    backend_->stop();
    bus_.reset();
    backend_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
}

void CaptureOutbound::send(std::string text) {
    std::lock_guard lock(mutex_);
    frames_.push_back(std::move(text));
    changed_.notify_all();
}

std::string CaptureOutbound::next() {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return taken_ < frames_.size(); });
    return taken_ < frames_.size() ? frames_[taken_++] : "<nothing>";
}

void expect_one_error_per_route(const std::string& prometheus_text) {
    for (const char* route : {"/event", "/query", "/count"})
        EXPECT_THAT(prometheus_text,
                    ::testing::HasSubstr(std::string("nostpp_event_handler_errors_total{route=\"") +
                                         route + "\"} 1\n"))
            << prometheus_text;
}

net::HttpServerResponse call(const net::HttpHandler& handler, std::string method,
                             std::string target, std::string body, bool body_too_large) {
    auto promise = std::make_shared<std::promise<net::HttpServerResponse>>();
    auto future = promise->get_future();
    handler(
        {std::move(method), std::move(target), std::move(body), body_too_large, {}},
        [promise](net::HttpServerResponse response) { promise->set_value(std::move(response)); });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {0, "", ""};
    return future.get();
}

}  // namespace service_test
