// The OTEL_TRACES_SAMPLER samplers: root decisions, ratio decisions by trace id, and
// parent-based samplers following the parent's sampled flag.
#include "telemetry/sampler.h"

#include <gtest/gtest.h>

namespace {

using telemetry::Sampler;
using telemetry::SamplerType;
using telemetry::SpanContext;
using telemetry::TraceId;

// A trace id whose last 8 bytes (the part the ratio sampler reads) are `low`.
TraceId trace_with_low(uint64_t low) {
    TraceId id{};
    id[0] = 0xab;
    for (int i = 0; i < 8; ++i) id[15 - i] = uint8_t(low >> (8 * i));
    return id;
}

SpanContext parent(bool sampled) {
    SpanContext context;
    context.trace_id = trace_with_low(1);
    context.span_id = {1, 2, 3, 4, 5, 6, 7, 8};
    context.flags = sampled ? SpanContext::kSampledFlag : 0;
    return context;
}

const TraceId kLow = trace_with_low(0x1000);                    // sampled at any ratio > 0
const TraceId kHigh = trace_with_low(0xF000000000000000ull);    // sampled only near 1
const TraceId kMiddle = trace_with_low(0x7000000000000000ull);  // 0.4375 of the range

TEST(Sampler, AlwaysOnAndOffIgnoreTheParent) {
    Sampler on{SamplerType::always_on, 1.0};
    Sampler off{SamplerType::always_off, 1.0};
    EXPECT_TRUE(on.should_sample({}, kHigh));
    EXPECT_TRUE(on.should_sample(parent(false), kHigh));
    EXPECT_FALSE(off.should_sample({}, kLow));
    EXPECT_FALSE(off.should_sample(parent(true), kLow));
}

TEST(Sampler, TraceIdRatioDecidesByTheTraceIdAlone) {
    Sampler half{SamplerType::trace_id_ratio, 0.5};
    EXPECT_TRUE(half.should_sample({}, kLow));
    EXPECT_TRUE(half.should_sample({}, kMiddle));
    EXPECT_FALSE(half.should_sample({}, kHigh));
    EXPECT_FALSE(half.should_sample(parent(true), kHigh));  // not parent-based
    Sampler none{SamplerType::trace_id_ratio, 0.0};
    EXPECT_FALSE(none.should_sample({}, kLow));
    Sampler all{SamplerType::trace_id_ratio, 1.0};
    EXPECT_TRUE(all.should_sample({}, kHigh));
    Sampler quarter{SamplerType::trace_id_ratio, 0.25};
    EXPECT_FALSE(quarter.should_sample({}, kMiddle));
}

TEST(Sampler, RatioSamplesAboutTheRatioOfRandomTraces) {
    Sampler tenth{SamplerType::trace_id_ratio, 0.1};
    int sampled = 0;
    for (int i = 0; i < 10000; ++i)
        sampled += tenth.should_sample({}, telemetry::random_trace_id());
    EXPECT_GT(sampled, 700);
    EXPECT_LT(sampled, 1300);
}

TEST(Sampler, ParentBasedFollowsAValidParent) {
    for (auto type : {SamplerType::parent_based_always_on, SamplerType::parent_based_always_off,
                      SamplerType::parent_based_trace_id_ratio}) {
        Sampler sampler{type, 0.5};
        EXPECT_TRUE(sampler.should_sample(parent(true), kHigh));
        EXPECT_FALSE(sampler.should_sample(parent(false), kLow));
    }
}

TEST(Sampler, ParentBasedUsesItsRootSamplerWithoutAParent) {
    EXPECT_TRUE((Sampler{SamplerType::parent_based_always_on, 1.0}.should_sample({}, kHigh)));
    EXPECT_FALSE((Sampler{SamplerType::parent_based_always_off, 1.0}.should_sample({}, kLow)));
    Sampler ratio{SamplerType::parent_based_trace_id_ratio, 0.5};
    EXPECT_TRUE(ratio.should_sample({}, kLow));
    EXPECT_FALSE(ratio.should_sample({}, kHigh));
}

TEST(Sampler, TheDefaultIsParentBasedAlwaysOn) {
    EXPECT_EQ(Sampler{}.type, SamplerType::parent_based_always_on);
}

TEST(Sampler, NamesAreTheSpecificationsNames) {
    EXPECT_EQ(Sampler::type_from_name("always_on"), SamplerType::always_on);
    EXPECT_EQ(Sampler::type_from_name("always_off"), SamplerType::always_off);
    EXPECT_EQ(Sampler::type_from_name("traceidratio"), SamplerType::trace_id_ratio);
    EXPECT_EQ(Sampler::type_from_name("parentbased_always_on"),
              SamplerType::parent_based_always_on);
    EXPECT_EQ(Sampler::type_from_name("parentbased_always_off"),
              SamplerType::parent_based_always_off);
    EXPECT_EQ(Sampler::type_from_name("parentbased_traceidratio"),
              SamplerType::parent_based_trace_id_ratio);
    EXPECT_FALSE(Sampler::type_from_name("jaeger_remote"));
    EXPECT_EQ((Sampler{SamplerType::trace_id_ratio, 0.25}.describe()), "traceidratio 0.250000");
    EXPECT_EQ(Sampler{}.describe(), "parentbased_always_on");
}

}  // namespace
