// The store rule suite, written once and instantiated for every Store backend
// (INSTANTIATE_TEST_SUITE_P(Backend, StoreSuite, Values(factory))).
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

namespace store_test {

struct StoreFactory {
    std::string name;
    // Returns an empty store. Called once per test; the store is destroyed before the next.
    std::function<std::unique_ptr<store::Store>()> create;
    // Closes and reopens the same store (durability checks); may return nullptr if the
    // backend cannot reopen.
    std::function<std::unique_ptr<store::Store>(std::unique_ptr<store::Store>)> reopen;
};

inline std::string PrintToString(const StoreFactory& factory) { return factory.name; }

class StoreSuite : public ::testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override { store_ = GetParam().create(); }
    void TearDown() override { store_.reset(); }
    std::unique_ptr<store::Store> store_;
};

}  // namespace store_test
