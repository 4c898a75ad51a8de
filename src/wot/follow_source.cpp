#include "wot/follow_source.h"

#include <algorithm>
#include <chrono>

#include "nostr/event_parser.h"
#include "wot/follow_graph.h"

namespace wot {
namespace {

constexpr size_t kAuthorsPerQuery = 1000;
constexpr size_t kEventsPerCommit = 500;

int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

FollowLists load_follow_lists(store::Store& store, const std::vector<nostr::Bytes32>& authors) {
    FollowLists lists;
    store::QueryOptions options;
    options.now = now_seconds();
    for (size_t start = 0; start < authors.size(); start += kAuthorsPerQuery) {
        size_t end = std::min(authors.size(), start + kAuthorsPerQuery);
        nostr::Filter filter;
        filter.kinds = std::vector<uint32_t>{3};
        filter.authors =
            std::vector<nostr::Bytes32>(authors.begin() + start, authors.begin() + end);
        filter.limit = end - start;  // at most one stored kind-3 per author
        filter.normalize();
        options.max_limit = options.default_limit = end - start;
        store.query({filter}, options, [&](std::string_view json) {
            nostr::Event event;
            std::string error;
            if (nostr::parse_event_json(json, event, error))
                lists[event.pubkey] = parse_follows(event);
            return true;
        });
    }
    return lists;
}

size_t store_follow_lists(store::Store& store, const std::vector<nostr::Event>& events) {
    size_t stored = 0;
    std::vector<const nostr::Event*> batch;
    std::vector<store::PutResult> results;
    for (size_t start = 0; start < events.size(); start += kEventsPerCommit) {
        batch.clear();
        for (size_t i = start; i < std::min(events.size(), start + kEventsPerCommit); ++i)
            batch.push_back(&events[i]);
        store.put(batch, results);
        for (const auto& result : results) stored += result.outcome == store::PutOutcome::stored;
    }
    return stored;
}

}  // namespace wot
