// W3C traceparent parsing and formatting, including every input the spec says to ignore.
#include "telemetry/trace_context.h"

#include <gtest/gtest.h>

#include <set>

namespace {

using telemetry::format_traceparent;
using telemetry::parse_traceparent;

constexpr const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(Traceparent, ParsesTheSpecExample) {
    auto context = parse_traceparent(kValid);
    ASSERT_TRUE(context);
    EXPECT_EQ(context->trace_id[0], 0x4b);
    EXPECT_EQ(context->trace_id[15], 0x36);
    EXPECT_EQ(context->span_id[0], 0x00);
    EXPECT_EQ(context->span_id[7], 0xb7);
    EXPECT_TRUE(context->sampled());
    EXPECT_TRUE(context->valid());
    EXPECT_EQ(format_traceparent(*context), kValid);
}

TEST(Traceparent, NotSampledFlag) {
    auto context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    ASSERT_TRUE(context);
    EXPECT_FALSE(context->sampled());
    EXPECT_EQ(format_traceparent(*context).substr(53), "00");
}

TEST(Traceparent, FormatKeepsOnlyTheSampledBit) {
    auto context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
    ASSERT_TRUE(context);
    EXPECT_TRUE(context->sampled());
    EXPECT_EQ(format_traceparent(*context), kValid);
}

TEST(Traceparent, LaterVersionsAreReadAsVersion00) {
    EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    EXPECT_TRUE(
        parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever"));
    // ... but what follows the 55 characters must start with '-'.
    EXPECT_FALSE(
        parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01xwhatever"));
}

TEST(Traceparent, RejectsInvalidValues) {
    const char* invalid[] = {
        "",
        "00",
        // version 00 must be exactly 55 characters
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        // version ff is forbidden
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // uppercase hex
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // all-zero ids
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        // separators and characters
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    };
    for (const char* value : invalid) EXPECT_FALSE(parse_traceparent(value)) << value;
}

TEST(Traceparent, DefaultContextIsInvalid) {
    telemetry::SpanContext context;
    EXPECT_FALSE(context.valid());
    EXPECT_FALSE(context.sampled());
}

TEST(RandomIds, AreNonZeroAndDistinct) {
    std::set<telemetry::TraceId> traces;
    std::set<telemetry::SpanId> spans;
    for (int i = 0; i < 1000; ++i) {
        traces.insert(telemetry::random_trace_id());
        spans.insert(telemetry::random_span_id());
    }
    EXPECT_EQ(traces.size(), 1000u);
    EXPECT_EQ(spans.size(), 1000u);
    EXPECT_EQ(traces.count(telemetry::TraceId{}), 0u);
    EXPECT_EQ(spans.count(telemetry::SpanId{}), 0u);
}

}  // namespace
