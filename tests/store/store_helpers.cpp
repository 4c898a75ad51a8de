#include "store_helpers.h"

#include <gtest/gtest.h>

#include "nostr/client_message.h"

namespace store_test {

store::PutResult put_one(store::Store& store, const nostr::Event& event) {
    std::vector<store::PutResult> results;
    const nostr::Event* batch[] = {&event};
    store.put(batch, results);
    return results.at(0);
}

std::vector<store::PutResult> put_all(store::Store& store, const std::vector<nostr::Event>& events) {
    std::vector<const nostr::Event*> batch;
    for (const auto& event : events) batch.push_back(&event);
    std::vector<store::PutResult> results;
    store.put(batch, results);
    return results;
}

std::vector<std::string> query_ids(store::Store& store, const std::vector<nostr::Filter>& filters,
                                   int64_t now, uint64_t max_limit, uint64_t default_limit) {
    std::vector<std::string> ids;
    store::QueryOptions options{max_limit, default_limit, now};
    store.query(filters, options, [&](std::string_view json) {
        // "{\"id\":\"<64 hex>\"..." is how serialize_event starts.
        ids.emplace_back(json.substr(7, 64));
        return true;
    });
    return ids;
}

std::vector<std::string> query_ids(store::Store& store, const nostr::Filter& filter, int64_t now) {
    return query_ids(store, std::vector<nostr::Filter>{filter}, now);
}

nostr::Filter filter(const std::string& json) {
    auto message = nostr::parse_client_message("[\"REQ\",\"t\"," + json + "]");
    auto* req = std::get_if<nostr::ReqMessage>(&message);
    if (!req) {
        ADD_FAILURE() << "bad filter " << json << ": "
                      << std::get<nostr::RejectedMessage>(message).reply;
        return {};
    }
    return req->filters.at(0);
}

std::string hex(const nostr::Event& event) { return nostr::to_hex(event.id); }

}  // namespace store_test
