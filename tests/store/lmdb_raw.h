// Test helpers for looking at an LMDB store from outside: a temporary directory and the
// environment opened directly, the way LmdbStore opens it.
#pragma once
#include <lmdb.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "store/lmdb/lmdb_handle.h"

namespace store_test {

constexpr uint64_t kMapSize = uint64_t{1} << 30;

class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "nostpp-lmdb-raw-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The environment of a store directory (no LmdbStore may have it open in this process).
class RawEnv {
public:
    explicit RawEnv(const std::string& dir) {
        store::lmdb::check(mdb_env_create(&env_), "mdb_env_create");
        store::lmdb::check(mdb_env_set_maxdbs(env_, 16), "mdb_env_set_maxdbs");
        store::lmdb::check(mdb_env_set_mapsize(env_, kMapSize), "mdb_env_set_mapsize");
        store::lmdb::check(mdb_env_open(env_, dir.c_str(), MDB_NOTLS, 0644), "mdb_env_open");
    }
    ~RawEnv() { mdb_env_close(env_); }
    MDB_env* get() const { return env_; }
    MDB_dbi open(store::lmdb::Txn& txn, const char* name) const {
        MDB_dbi dbi;
        store::lmdb::check(mdb_dbi_open(txn.get(), name, MDB_CREATE, &dbi), "mdb_dbi_open");
        return dbi;
    }
    size_t entries(const char* name) const {
        store::lmdb::Txn txn(env_, false);
        MDB_stat stat;
        store::lmdb::check(mdb_stat(txn.get(), open(txn, name), &stat), "mdb_stat");
        return stat.ms_entries;
    }

private:
    MDB_env* env_ = nullptr;
};

}  // namespace store_test
