// The tracer: nothing recorded without one, children inherit the trace, the sampler's
// decision travels in the context, the per-thread current context, and the bounded queue.
#include "telemetry/tracer.h"

#include <gtest/gtest.h>

#include <thread>

#include "telemetry/span_queue.h"

namespace {

using telemetry::SpanKind;

std::vector<telemetry::SpanData> drain(telemetry::SpanQueue& queue) {
    std::vector<telemetry::SpanData> out;
    queue.take(out, 1000, std::chrono::steady_clock::now());
    return out;
}

// Installs a tracer for one test and removes it afterwards.
class TracerTest : public ::testing::Test {
  protected:
    void install(telemetry::Sampler sampler = {telemetry::SamplerType::always_on, 1.0}) {
        telemetry::install_tracer(std::make_shared<const telemetry::Tracer>(sampler, queue_));
    }
    ~TracerTest() override { telemetry::install_tracer(nullptr); }
    std::shared_ptr<telemetry::SpanQueue> queue_ = std::make_shared<telemetry::SpanQueue>(4, 4);
};

TEST_F(TracerTest, WithoutATracerSpansRecordNothing) {
    EXPECT_FALSE(telemetry::tracing_enabled());
    telemetry::Span span = telemetry::start_span("x", SpanKind::server);
    EXPECT_FALSE(span.recording());
    EXPECT_FALSE(span.context().valid());
    span.set_attribute("k", "v");
    span.end();
    EXPECT_EQ(queue_->size(), 0u);
}

TEST_F(TracerTest, ChildrenShareTheTraceAndNameTheirParent) {
    install();
    telemetry::Span root = telemetry::start_span("root", SpanKind::server, {});
    ASSERT_TRUE(root.recording());
    EXPECT_TRUE(root.context().sampled());
    telemetry::Span child = telemetry::start_span("child", SpanKind::client, root.context());
    EXPECT_EQ(child.context().trace_id, root.context().trace_id);
    EXPECT_NE(child.context().span_id, root.context().span_id);
    child.set_attribute("n", uint64_t{7});
    child.set_attribute("n", 8);  // set again: replaced, not added
    child.set_error("error: broken");
    child.end();
    child.end();  // once only
    root.end();
    auto spans = drain(*queue_);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].name, "child");
    EXPECT_EQ(spans[0].kind, SpanKind::client);
    EXPECT_EQ(spans[0].parent_span_id, root.context().span_id);
    ASSERT_EQ(spans[0].attributes.size(), 1u);
    EXPECT_EQ(std::get<int64_t>(spans[0].attributes[0].value), 8);
    EXPECT_TRUE(spans[0].error);
    EXPECT_EQ(spans[0].status_message, "error: broken");
    EXPECT_LE(spans[0].start_unix_ns, spans[0].end_unix_ns);
    EXPECT_EQ(spans[1].parent_span_id, telemetry::SpanId{});
}

TEST_F(TracerTest, CopiesShareOneRecording) {
    install();
    telemetry::Span span = telemetry::start_span("x", SpanKind::internal, {});
    telemetry::Span copy = span;
    copy.set_attribute("a", true);
    copy.end();
    span.end();
    auto spans = drain(*queue_);
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].attributes.size(), 1u);
}

TEST_F(TracerTest, AnUnsampledSpanStillCarriesItsContext) {
    install({telemetry::SamplerType::always_off, 1.0});
    telemetry::Span span = telemetry::start_span("x", SpanKind::server, {});
    EXPECT_FALSE(span.recording());
    EXPECT_TRUE(span.context().valid());
    EXPECT_FALSE(span.context().sampled());
    span.end();
    EXPECT_EQ(queue_->size(), 0u);
}

TEST_F(TracerTest, ParentBasedHonoursTheParentsDecision) {
    install({telemetry::SamplerType::parent_based_always_on, 1.0});
    auto unsampled =
        *telemetry::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    telemetry::Span child = telemetry::start_span("x", SpanKind::server, unsampled);
    EXPECT_FALSE(child.recording());
    EXPECT_EQ(child.context().trace_id, unsampled.trace_id);
    auto sampled =
        *telemetry::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    EXPECT_TRUE(telemetry::start_span("y", SpanKind::server, sampled).recording());
}

TEST_F(TracerTest, TheCurrentContextIsPerThreadAndScoped) {
    install();
    telemetry::Span outer = telemetry::start_span("outer", SpanKind::server, {});
    EXPECT_FALSE(telemetry::current_context().valid());
    {
        telemetry::ContextScope scope(outer.context());
        EXPECT_EQ(telemetry::current_context().span_id, outer.context().span_id);
        telemetry::Span inner = telemetry::start_span("inner", SpanKind::internal);
        EXPECT_EQ(inner.context().trace_id, outer.context().trace_id);
        {
            telemetry::ContextScope nested(inner.context());
            EXPECT_EQ(telemetry::current_context().span_id, inner.context().span_id);
            std::thread([] { EXPECT_FALSE(telemetry::current_context().valid()); }).join();
        }
        EXPECT_EQ(telemetry::current_context().span_id, outer.context().span_id);
    }
    EXPECT_FALSE(telemetry::current_context().valid());
}

TEST_F(TracerTest, SpansOutliveTheirTracer) {
    install();
    telemetry::Span span = telemetry::start_span("late", SpanKind::internal, {});
    telemetry::install_tracer(nullptr);
    EXPECT_FALSE(telemetry::start_span("after", SpanKind::internal, {}).recording());
    span.end();  // still reaches the queue it started with
    EXPECT_EQ(queue_->size(), 1u);
}

TEST(SpanQueue, AFullQueueDropsAndCountsWithoutWaiting) {
    telemetry::SpanQueue queue(3, 3);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(queue.try_push({}));
    EXPECT_FALSE(queue.try_push({}));
    EXPECT_FALSE(queue.try_push({}));
    EXPECT_EQ(queue.dropped(), 2u);
    std::vector<telemetry::SpanData> out;
    EXPECT_TRUE(queue.take(out, 2, std::chrono::steady_clock::now()));
    EXPECT_EQ(out.size(), 2u);
    EXPECT_TRUE(queue.try_push({}));
    queue.close();
    EXPECT_FALSE(queue.try_push({}));
    EXPECT_EQ(queue.dropped(), 3u);
    out.clear();
    EXPECT_TRUE(queue.take(out, 10, std::chrono::steady_clock::now()));
    EXPECT_EQ(out.size(), 2u);
    EXPECT_FALSE(queue.take(out, 10, std::chrono::steady_clock::now()));
}

TEST(SpanQueue, TakeWakesAsSoonAsABatchIsQueued) {
    telemetry::SpanQueue queue(100, 2);
    std::thread producer([&] {
        queue.try_push({});
        queue.try_push({});
    });
    std::vector<telemetry::SpanData> out;
    // A deadline far away: only the batch (or a hang, caught by the test timeout) ends this.
    while (out.size() < 2)
        queue.take(out, 10, std::chrono::steady_clock::now() + std::chrono::hours(1));
    producer.join();
    EXPECT_EQ(out.size(), 2u);
}

}  // namespace
