// The stored form of an event in the `records` table (keyed by sequence number): a small
// binary header with what filters and store rules need (so queries can match without parsing
// JSON), then the event's JSON as sent to clients.
//   pubkey(32) created_at(8) kind(4) expiration(8, UINT64_MAX = none) tag_count(4)
//   tag_count x [letter(1) value_size(4) value]   (single-letter tags, first value)
//   json
// The json is serialize_event()'s, so it begins {"id":"<64 hex digits>": the id is read from
// there rather than stored twice.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nostr/event.h"
#include "store/lmdb/lmdb_keys.h"

namespace store::lmdb {

std::string encode_record(const nostr::Event& event);

class RecordView {
public:
    RecordView() = default;
    // `bytes` must come from encode_record() and outlive the view.
    explicit RecordView(std::string_view bytes);

    // Decoded from the json on each call: only ties in the query order, id filters and the
    // index rebuild need it. Throws if the json does not begin with it (a damaged record).
    nostr::Bytes32 id() const;
    const nostr::Bytes32& pubkey() const { return pubkey_; }
    int64_t created_at() const { return created_at_; }
    uint32_t kind() const { return kind_; }
    std::optional<int64_t> expiration() const { return expiration_; }
    std::string_view json() const { return json_; }

    bool has_tag(char letter, std::string_view value) const;
    // Calls fn(letter, value) for every indexed tag.
    template <class Fn>
    void for_each_tag(Fn&& fn) const {
        const char* at = tags_.data();
        const char* end = at + tags_.size();
        while (at < end) {
            char letter = at[0];
            uint32_t size = read_be32(at + 1);
            fn(letter, std::string_view(at + 5, size));
            at += 5 + size;
        }
    }

private:
    nostr::Bytes32 pubkey_{};
    int64_t created_at_ = 0;
    uint32_t kind_ = 0;
    std::optional<int64_t> expiration_;
    std::string_view tags_;
    std::string_view json_;
};

}  // namespace store::lmdb
