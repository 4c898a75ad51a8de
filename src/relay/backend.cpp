#include "relay/backend.h"

#include "telemetry/tracer.h"

namespace relay {

void Backend::query_batch(std::vector<QueryBatchItem> items, store::QueryOptions options) {
    for (QueryBatchItem& item : items) {
        telemetry::ContextScope scope(item.trace);
        query(std::move(item.filters), options, std::move(item.done));
    }
}

}  // namespace relay
