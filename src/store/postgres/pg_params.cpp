#include "store/postgres/pg_params.h"

namespace store::pg {
namespace {

// Array type OIDs of the element types above.
unsigned array_oid(Oid element) {
    switch (element) {
        case Oid::bytea:
            return 1001;
        case Oid::int8:
            return 1016;
        case Oid::int4:
            return 1007;
        case Oid::text:
            return 1009;
    }
    return 0;
}

void put_be32(std::string& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
void put_be64(std::string& out, uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

// The binary array format (array_recv): ndim, has-nulls flag, element type, then per
// dimension its length and lower bound, then each element as a length (-1 = NULL) and bytes.
class ArrayWriter {
  public:
    ArrayWriter(Oid element, size_t count, bool has_nulls) {
        put_be32(out_, count == 0 ? 0 : 1);
        put_be32(out_, has_nulls ? 1 : 0);
        put_be32(out_, static_cast<uint32_t>(element));
        if (count == 0) return;
        put_be32(out_, static_cast<uint32_t>(count));
        put_be32(out_, 1);
    }
    void element(std::string_view bytes) {
        put_be32(out_, static_cast<uint32_t>(bytes.size()));
        out_.append(bytes);
    }
    void null() { put_be32(out_, UINT32_MAX); }  // -1
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

std::string be64(int64_t value) {
    std::string out;
    put_be64(out, static_cast<uint64_t>(value));
    return out;
}
std::string be32(int32_t value) {
    std::string out;
    put_be32(out, static_cast<uint32_t>(value));
    return out;
}
std::string_view view(const nostr::Bytes32& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::string Params::push(unsigned type, std::optional<std::string> data) {
    types_.push_back(type);
    lengths_.push_back(data ? static_cast<int>(data->size()) : 0);
    formats_.push_back(1);  // binary
    data_.push_back(std::move(data));
    return "$" + std::to_string(data_.size());
}

std::string Params::add_int8(int64_t value) {
    return push(static_cast<unsigned>(Oid::int8), be64(value));
}
std::string Params::add_int4(int32_t value) {
    return push(static_cast<unsigned>(Oid::int4), be32(value));
}
std::string Params::add_bytea(std::string_view bytes) {
    return push(static_cast<unsigned>(Oid::bytea), std::string(bytes));
}
std::string Params::add_bytea(const nostr::Bytes32& bytes) {
    return add_bytea(view(bytes));
}
std::string Params::add_text(std::string_view text) {
    return push(static_cast<unsigned>(Oid::text), std::string(text));
}
std::string Params::add_null(Oid type) {
    return push(static_cast<unsigned>(type), std::nullopt);
}

std::string Params::add_int8_array(const std::vector<std::optional<int64_t>>& values) {
    bool has_nulls = false;
    for (const auto& value : values) has_nulls |= !value;
    ArrayWriter array(Oid::int8, values.size(), has_nulls);
    for (const auto& value : values) value ? array.element(be64(*value)) : array.null();
    return push(array_oid(Oid::int8), array.take());
}

std::string Params::add_int4_array(const std::vector<int32_t>& values) {
    ArrayWriter array(Oid::int4, values.size(), false);
    for (int32_t value : values) array.element(be32(value));
    return push(array_oid(Oid::int4), array.take());
}

std::string Params::add_bytea_array(const std::vector<std::optional<std::string>>& values) {
    bool has_nulls = false;
    for (const auto& value : values) has_nulls |= !value;
    ArrayWriter array(Oid::bytea, values.size(), has_nulls);
    for (const auto& value : values) value ? array.element(*value) : array.null();
    return push(array_oid(Oid::bytea), array.take());
}

std::string Params::add_bytea_array(const std::vector<nostr::Bytes32>& values) {
    ArrayWriter array(Oid::bytea, values.size(), false);
    for (const auto& value : values) array.element(view(value));
    return push(array_oid(Oid::bytea), array.take());
}

std::string Params::add_text_array(const std::vector<std::string_view>& values) {
    ArrayWriter array(Oid::text, values.size(), false);
    for (auto value : values) array.element(value);
    return push(array_oid(Oid::text), array.take());
}

const char* const* Params::values() {
    pointers_.clear();
    for (const auto& value : data_) pointers_.push_back(value ? value->data() : nullptr);
    return pointers_.data();
}

}  // namespace store::pg
