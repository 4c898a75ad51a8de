// Key layouts of the LMDB indexes. Every index key ends in a 40-byte "order suffix":
// the bitwise complement of created_at (big-endian) then the event id, so a forward scan
// yields newest first and, among equal timestamps, the lowest id first (NIP-01 limit order).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "nostr/event.h"

namespace store::lmdb {

constexpr size_t kOrderSuffixSize = 40;

void append_be64(std::string& out, uint64_t value);
void append_be32(std::string& out, uint32_t value);
uint64_t read_be64(const char* data);
uint32_t read_be32(const char* data);

// ~created_at (8 bytes) + id (32 bytes).
void append_order_suffix(std::string& out, int64_t created_at, const nostr::Bytes32& id);
int64_t suffix_created_at(std::string_view suffix);
nostr::Bytes32 suffix_id(std::string_view suffix);

// Variable-length values (tag values, `d` identifiers) inside a key: a length byte and the
// bytes, or for long values a marker byte and their SHA-256, so keys stay under LMDB's
// 511-byte limit and no value is a prefix of another.
void append_value_key(std::string& out, std::string_view value);

// A record's sequence number as a key or index value: big-endian, so keys sort by number.
std::string seq_key(uint64_t seq);

std::string created_prefix();
std::string pubkey_prefix(const nostr::Bytes32& pubkey);
std::string kind_prefix(uint32_t kind);
std::string pubkey_kind_prefix(const nostr::Bytes32& pubkey, uint32_t kind);
std::string tag_prefix(char letter, std::string_view value);

// Key of the slot a replaceable (pubkey, kind) or addressable (pubkey, kind, d) event holds.
std::string replaceable_key(const nostr::Bytes32& pubkey, uint32_t kind, std::string_view d_tag);
std::string replaceable_key(const nostr::Event& event);

// A NIP-09 `e` tombstone: id (32 bytes) + pubkey of the requester (32 bytes). One per
// (id, requester), so a request by someone else naming the same id cannot replace the
// author's own tombstone; an event is blocked iff the key of its id and pubkey exists.
std::string deleted_id_key(const nostr::Bytes32& id, const nostr::Bytes32& pubkey);

// expiration (8 bytes) + id
std::string expiration_key(int64_t expiration, const nostr::Bytes32& id);

}  // namespace store::lmdb
