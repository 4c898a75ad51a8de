// Parameters of one SQL statement, all in PostgreSQL's binary format: values never become
// part of the SQL text (no quoting, no injection), and arrays let one statement carry a whole
// batch (`unnest($1::bytea[], ...)`), so the number of round trips does not grow with it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nostr/hex.h"

namespace store::pg {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across server versions.
enum class Oid : unsigned { bytea = 17, int8 = 20, int4 = 23, text = 25 };

class Params {
  public:
    // Each add returns the placeholder to write into the SQL ("$1", "$2"...).
    std::string add_int8(int64_t value);
    std::string add_int4(int32_t value);
    std::string add_bytea(std::string_view bytes);
    std::string add_bytea(const nostr::Bytes32& bytes);
    std::string add_text(std::string_view text);
    std::string add_null(Oid type);

    // One-dimensional arrays; nullopt elements are SQL NULLs.
    std::string add_int8_array(const std::vector<std::optional<int64_t>>& values);
    std::string add_int4_array(const std::vector<int32_t>& values);
    std::string add_bytea_array(const std::vector<std::optional<std::string>>& values);
    std::string add_bytea_array(const std::vector<nostr::Bytes32>& values);
    std::string add_text_array(const std::vector<std::string_view>& values);

    // The arrays PQexecParams / PQsendQueryParams take; valid until the next add.
    int count() const { return static_cast<int>(data_.size()); }
    const unsigned* types() const { return types_.data(); }
    const char* const* values();
    const int* lengths() const { return lengths_.data(); }
    const int* formats() const { return formats_.data(); }

  private:
    std::string push(unsigned type, std::optional<std::string> data);
    std::vector<unsigned> types_;
    std::vector<std::optional<std::string>> data_;
    std::vector<int> lengths_;
    std::vector<int> formats_;
    std::vector<const char*> pointers_;
};

}  // namespace store::pg
