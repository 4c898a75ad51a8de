// Small helpers shared by the store tests: put one event, run a query and collect ids.
#pragma once
#include <string>
#include <vector>

#include "nostr/event.h"
#include "nostr/filter.h"
#include "store/store.h"

namespace store_test {

constexpr int64_t kNow = 1'700'000'000;

store::PutResult put_one(store::Store& store, const nostr::Event& event);
std::vector<store::PutResult> put_all(store::Store& store, const std::vector<nostr::Event>& events);

// Ids (hex) returned by a query, in the order returned.
std::vector<std::string> query_ids(store::Store& store, const std::vector<nostr::Filter>& filters,
                                   int64_t now = kNow, uint64_t max_limit = 100000,
                                   uint64_t default_limit = 100000);
std::vector<std::string> query_ids(store::Store& store, const nostr::Filter& filter,
                                   int64_t now = kNow);

// Parses a filter from JSON; fails the test on error.
nostr::Filter filter(const std::string& json);

std::string hex(const nostr::Event& event);

}  // namespace store_test
