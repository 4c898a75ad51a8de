// Key layouts of the LMDB indexes. Every order-suffix index key ends in a 24-byte "order
// suffix": the bitwise complement of created_at (big-endian), the first 8 bytes of the event
// id, then the record's sequence number (big-endian). A forward scan yields newest first and,
// among equal timestamps, ids in order of their first 8 bytes; the sequence number makes the
// key unique and names the record, so the entry needs no value. Two events of one second
// whose ids share 8 bytes (1 in 2^64 by chance, but an author can grind for it) come out by
// sequence number: the query puts those in full id order (lmdb_query.cpp), which NIP-01's
// limit needs. A random insert dirties a page per entry, so entry size is what an ingest
// commit writes: 24 bytes instead of layout 2's 40 + 8 (with the 8-byte prefixes below, -29%
// bytes written per event at ingest, docs/benchmarks.md).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "nostr/event.h"

namespace store::lmdb {

constexpr size_t kOrderSuffixSize = 24;
// Its first part: ~created_at, big-endian, so newer events sort first.
constexpr size_t kOrderTimeSize = 8;
// The part of the suffix that orders: ~created_at and the id's first 8 bytes.
constexpr size_t kOrderHeadSize = 16;

void append_be64(std::string& out, uint64_t value);
void append_be32(std::string& out, uint32_t value);
uint64_t read_be64(const char* data);
uint32_t read_be32(const char* data);

// ~created_at (8 bytes) + id[0..8) + seq (8 bytes).
void append_order_suffix(std::string& out, int64_t created_at, const nostr::Bytes32& id,
                         uint64_t seq);
// The record key (sequence number) at the end of a suffix.
inline std::string_view suffix_seq(std::string_view suffix) {
    return suffix.substr(kOrderHeadSize, 8);
}

// Variable-length values (tag values, `d` identifiers) inside a key: a length byte and the
// bytes, or for long values a marker byte and their SHA-256, so keys stay under LMDB's
// 511-byte limit and no value is a prefix of another.
void append_value_key(std::string& out, std::string_view value);
// Index prefixes are allowed to be lossy: a query checks every candidate's record against
// its whole filter, so an index only has to keep entries of other values rare. A pubkey, or
// a tag value of 64 lowercase hex digits (the ids and pubkeys of `e` and `p` tags, most of a
// store's tag entries), is cut to the first 8 bytes it spells: finding a key that collides
// with a given one takes about 2^64 tries, and idx_pubkey, idx_pubkey_kind and idx_tag
// entries are 24 bytes shorter. Keys that must tell values apart (replaceable slots,
// tombstones, `ids`) keep the whole value.
constexpr size_t kIndexedValueBytes = 8;

// A tag value inside an idx_tag key: like append_value_key, except that 64 lowercase hex
// digits take a marker byte and the first 8 of the 32 bytes they spell.
void append_tag_value_key(std::string& out, std::string_view value);

// A record's sequence number as a key or index value: big-endian, so keys sort by number.
std::string seq_key(uint64_t seq);

std::string created_prefix();
std::string pubkey_prefix(const nostr::Bytes32& pubkey);  // kIndexedValueBytes of it
std::string kind_prefix(uint32_t kind);
std::string pubkey_kind_prefix(const nostr::Bytes32& pubkey, uint32_t kind);
std::string tag_prefix(char letter, std::string_view value);

// Key of the slot a replaceable (pubkey, kind) or addressable (pubkey, kind, d) event holds:
// the whole pubkey (32 bytes), kind (4 bytes) and, for addressable kinds, the d value key.
std::string replaceable_key(const nostr::Bytes32& pubkey, uint32_t kind, std::string_view d_tag);
std::string replaceable_key(const nostr::Event& event);

// A NIP-09 `e` tombstone: id (32 bytes) + pubkey of the requester (32 bytes). One per
// (id, requester), so a request by someone else naming the same id cannot replace the
// author's own tombstone; an event is blocked iff the key of its id and pubkey exists.
std::string deleted_id_key(const nostr::Bytes32& id, const nostr::Bytes32& pubkey);

// expiration (8 bytes) + id
std::string expiration_key(int64_t expiration, const nostr::Bytes32& id);

}  // namespace store::lmdb
