// The load generator's events: created_at in runs (`nostpp bench --created-at-rate`), so that
// an ingest run can look like a relay's live traffic instead of 100,000 events in one second.
#include <gtest/gtest.h>

#include "loadgen/event_factory.h"

namespace {

loadgen::BatchSpec unsigned_batch(uint64_t count, int64_t first_created_at) {
    loadgen::BatchSpec spec;
    spec.label = "t";
    spec.count = count;
    spec.first_created_at = first_created_at;
    spec.sign = false;
    return spec;
}

std::vector<int64_t> created_at_of(const loadgen::BatchSpec& spec) {
    loadgen::EventFactory factory(1, 4);
    std::vector<int64_t> out;
    for (const auto& event : factory.make_batch(spec)) out.push_back(event.created_at);
    return out;
}

TEST(EventFactory, CreatedAtAdvancesOneStepPerRun) {
    loadgen::BatchSpec spec = unsigned_batch(7, 100);
    spec.created_at_step = 1;
    spec.run_length = 3;
    EXPECT_EQ(created_at_of(spec), (std::vector<int64_t>{100, 100, 100, 101, 101, 101, 102}));
}

TEST(EventFactory, DefaultsGiveEveryEventTheSameSecondOrOneStepEach) {
    EXPECT_EQ(created_at_of(unsigned_batch(3, 50)), (std::vector<int64_t>{50, 50, 50}));
    loadgen::BatchSpec stepped = unsigned_batch(3, 50);
    stepped.created_at_step = 1;
    EXPECT_EQ(created_at_of(stepped), (std::vector<int64_t>{50, 51, 52}));
}

}  // namespace
