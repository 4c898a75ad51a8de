#include "wot/wot_metrics.h"

#include "telemetry/metrics.h"
#include "wot/wot_service.h"

namespace wot {

void add_wot_metrics(telemetry::MetricsRegistry& registry, WotService& service) {
    auto& duration =
        registry.histogram("nostpp_wot_rebuild_duration_seconds",
                           "Time to rebuild the web of trust set (fetch, read, persist)",
                           telemetry::latency_buckets_seconds());
    auto& failures = registry.counter("nostpp_wot_rebuild_failures_total",
                                      "Web of trust rebuilds that failed (the old set stayed)");
    service.set_build_observer([&duration, &failures](double seconds, bool ok) {
        if (ok)
            duration.observe(seconds);
        else
            failures.inc();
    });
    registry.add_collector([&service](telemetry::MetricsRegistry& m) {
        WotStats stats = service.stats();
        m.gauge("nostpp_wot_set_size", "Pubkeys in the web of trust set in force")
            .set(int64_t(stats.set_size));
        m.gauge("nostpp_wot_built", "1 once a web of trust set is in force, else 0")
            .set(stats.built ? 1 : 0);
        m.gauge("nostpp_wot_last_rebuild_timestamp_seconds", "Unix time the set in force was built")
            .set(stats.last_build_unix);
        telemetry::Counter& rejects = m.counter(
            "nostpp_wot_rejects_total", "Events refused with 'blocked: not in web of trust'");
        rejects.inc(stats.rejects - rejects.value());
        telemetry::Counter& builds =
            m.counter("nostpp_wot_rebuilds_total", "Web of trust sets built by this process");
        builds.inc(stats.builds - builds.value());
    });
}

}  // namespace wot
