// Thin RAII wrappers over the LMDB C API: errors become exceptions, transactions abort
// unless committed, cursors close with their scope.
#pragma once
#include <lmdb.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace store::lmdb {

struct LmdbError : std::runtime_error {
    LmdbError(const char* what, int rc)
        : std::runtime_error(std::string(what) + ": " + mdb_strerror(rc)), code(rc) {}
    int code;
};

inline void check(int rc, const char* what) {
    if (rc != MDB_SUCCESS) throw LmdbError(what, rc);
}

inline MDB_val to_val(std::string_view bytes) {
    return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};
}
inline std::string_view to_view(const MDB_val& val) {
    return {static_cast<const char*>(val.mv_data), val.mv_size};
}

class Txn {
public:
    Txn(MDB_env* env, bool read_only) {
        check(mdb_txn_begin(env, nullptr, read_only ? MDB_RDONLY : 0, &txn_), "mdb_txn_begin");
    }
    ~Txn() {
        if (txn_) mdb_txn_abort(txn_);
    }
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;
    void commit() {
        MDB_txn* txn = txn_;
        txn_ = nullptr;  // mdb_txn_commit frees the handle even when it fails
        check(mdb_txn_commit(txn), "mdb_txn_commit");
    }
    MDB_txn* get() const { return txn_; }

    // Value for `key`, or nullopt-like empty view with found=false.
    bool get(MDB_dbi dbi, std::string_view key, std::string_view& value) const {
        MDB_val k = to_val(key), v;
        int rc = mdb_get(txn_, dbi, &k, &v);
        if (rc == MDB_NOTFOUND) return false;
        check(rc, "mdb_get");
        value = to_view(v);
        return true;
    }
    void put(MDB_dbi dbi, std::string_view key, std::string_view value) {
        MDB_val k = to_val(key), v = to_val(value);
        check(mdb_put(txn_, dbi, &k, &v, 0), "mdb_put");
    }
    // Puts a key greater than every key in the table: LMDB fills the last page instead of
    // searching and splitting.
    void append(MDB_dbi dbi, std::string_view key, std::string_view value) {
        MDB_val k = to_val(key), v = to_val(value);
        check(mdb_put(txn_, dbi, &k, &v, MDB_APPEND), "mdb_put(MDB_APPEND)");
    }
    // True when the key existed.
    bool del(MDB_dbi dbi, std::string_view key) {
        MDB_val k = to_val(key);
        int rc = mdb_del(txn_, dbi, &k, nullptr);
        if (rc == MDB_NOTFOUND) return false;
        check(rc, "mdb_del");
        return true;
    }

private:
    MDB_txn* txn_ = nullptr;
};

class Cursor {
public:
    Cursor(const Txn& txn, MDB_dbi dbi) { check(mdb_cursor_open(txn.get(), dbi, &cursor_), "mdb_cursor_open"); }
    ~Cursor() {
        if (cursor_) mdb_cursor_close(cursor_);
    }
    Cursor(Cursor&& other) noexcept : cursor_(other.cursor_) { other.cursor_ = nullptr; }
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    // Positions at the first key >= `key`; false when there is none.
    bool seek(std::string_view key, std::string_view& found_key, std::string_view& value) {
        MDB_val k = to_val(key), v;
        return step(mdb_cursor_get(cursor_, &k, &v, MDB_SET_RANGE), k, v, found_key, value);
    }
    bool next(std::string_view& found_key, std::string_view& value) {
        MDB_val k, v;
        return step(mdb_cursor_get(cursor_, &k, &v, MDB_NEXT), k, v, found_key, value);
    }
    bool first(std::string_view& found_key, std::string_view& value) {
        MDB_val k, v;
        return step(mdb_cursor_get(cursor_, &k, &v, MDB_FIRST), k, v, found_key, value);
    }
    bool prev(std::string_view& found_key, std::string_view& value) {
        MDB_val k, v;
        return step(mdb_cursor_get(cursor_, &k, &v, MDB_PREV), k, v, found_key, value);
    }
    bool last(std::string_view& found_key, std::string_view& value) {
        MDB_val k, v;
        return step(mdb_cursor_get(cursor_, &k, &v, MDB_LAST), k, v, found_key, value);
    }
    // Replaces the value at the cursor's position (the table has no duplicate keys).
    void replace_current(std::string_view key, std::string_view value) {
        MDB_val k = to_val(key), v = to_val(value);
        check(mdb_cursor_put(cursor_, &k, &v, MDB_CURRENT), "mdb_cursor_put(MDB_CURRENT)");
    }
    // Writes `key` (replacing its value) and leaves the cursor on it, so that a following put
    // of a nearby key starts from this leaf instead of the root.
    void put(std::string_view key, std::string_view value) {
        MDB_val k = to_val(key), v = to_val(value);
        check(mdb_cursor_put(cursor_, &k, &v, 0), "mdb_cursor_put");
    }
    // Deletes `key`; false when it is not there.
    bool erase(std::string_view key) {
        MDB_val k = to_val(key), v;
        int rc = mdb_cursor_get(cursor_, &k, &v, MDB_SET);
        if (rc == MDB_NOTFOUND) return false;
        check(rc, "mdb_cursor_get(MDB_SET)");
        check(mdb_cursor_del(cursor_, 0), "mdb_cursor_del");
        return true;
    }
    // Deletes the entry at the cursor's position and moves to the one after it.
    bool erase_and_next(std::string_view& found_key, std::string_view& value) {
        check(mdb_cursor_del(cursor_, 0), "mdb_cursor_del");
        return next(found_key, value);  // after a delete, LMDB's NEXT yields the following entry
    }

private:
    static bool step(int rc, const MDB_val& k, const MDB_val& v, std::string_view& key,
                     std::string_view& value) {
        if (rc == MDB_NOTFOUND) return false;
        check(rc, "mdb_cursor_get");
        key = to_view(k);
        value = to_view(v);
        return true;
    }
    MDB_cursor* cursor_ = nullptr;
};

}  // namespace store::lmdb
