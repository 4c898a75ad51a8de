// One PostgreSQL connection (libpq) with RAII results and the only ways statements are sent:
// parameterised exec (PQexecParams) and pipelines (several statements, one round trip).
// Errors become PgError, which tells whether the connection itself was lost, so callers can
// reconnect and, when nothing was committed yet, retry.
#pragma once
#include <libpq-fe.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "nostr/hex.h"
#include "store/postgres/pg_params.h"
#include "store/postgres/pg_prepared.h"

namespace store::pg {

struct ConnectionSettings {
    std::string url;  // postgresql://... URL or "key=value" conninfo
    int statement_timeout_ms = 10000;
    int connect_timeout_s = 10;
};

class PgError : public std::runtime_error {
  public:
    PgError(const std::string& message, std::string sqlstate, bool connection_lost)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)), lost_(connection_lost) {}
    const std::string& sqlstate() const { return sqlstate_; }
    // The connection is gone (server down, restarted, network): reconnecting may help.
    bool connection_lost() const { return lost_; }

  private:
    std::string sqlstate_;
    bool lost_;
};

// A statement's result; binary format, so numbers are big-endian and bytea is raw bytes.
class Result {
  public:
    Result() = default;
    explicit Result(PGresult* result) : result_(result, &PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column); }
    std::string_view bytes(int row, int column) const;
    int64_t int8(int row, int column) const;
    int32_t int4(int row, int column) const;
    nostr::Bytes32 bytes32(int row, int column) const;
    // Rows touched by INSERT/UPDATE/DELETE.
    uint64_t affected() const;
    PGresult* get() const { return result_.get(); }

  private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> result_{nullptr, &PQclear};
};

struct Statement {
    std::string sql;
    Params params;
};

class Connection {
  public:
    // `round_trips`, when given, counts every exchange with the server (for statistics).
    explicit Connection(ConnectionSettings settings, std::atomic<uint64_t>* round_trips = nullptr);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // (Re)connects and applies the session settings (statement_timeout). Throws PgError.
    void connect();
    void close();
    // Connected, idle, and the server has not hung up since the last use (checked without a
    // round trip: libpq reads whatever the server sent, e.g. a shutdown notice or EOF).
    bool usable();

    Result exec(const std::string& sql);
    Result exec(const std::string& sql, Params& params);
    // As exec, as a statement this session prepared: parsed once, and planned once when
    // the server finds a generic plan as good as a custom one (plan_cache_mode). The first
    // use prepares and executes in one round trip. Outside a transaction block only.
    Result exec_prepared(const std::string& sql, Params& params);
    // Statements this session holds prepared now (at most kMaxPrepared).
    size_t prepared_count() const { return prepared_.size(); }
    static constexpr size_t kMaxPrepared = 64;
    // A static multi-statement script (migrations); it carries no values.
    void exec_script(const std::string& sql);
    // Sends every statement and a sync point, then reads all results: one round trip. The
    // first failing statement's error is thrown after the pipeline is drained; statements
    // after it are not executed.
    std::vector<Result> pipeline(std::vector<Statement>& statements);

    // An open (or failed) transaction block is pending; the pool rolls it back on return.
    bool in_transaction() const;
    // Ends whatever a failed caller left behind: rolls back an open transaction, or closes
    // the connection when its state is unknown (it reconnects on next use).
    void discard_transaction();

  private:
    // How a pipeline sends a statement: as SQL text (parsed and planned each time), as the
    // preparation of `name` (the params give the types only), or as an execution of `name`.
    enum class Send { text, prepare, execute };
    struct Outgoing {
        Statement* statement;
        Send send = Send::text;
        const std::string* name = nullptr;
    };
    std::vector<Result> send_pipeline(const std::vector<Outgoing>& outgoing);
    PgError error(const std::string& what, const PGresult* result = nullptr) const;
    Result check(PGresult* raw, const std::string& sql) const;
    void count_round_trip() {
        if (round_trips_) round_trips_->fetch_add(1, std::memory_order_relaxed);
    }

    ConnectionSettings settings_;
    std::atomic<uint64_t>* round_trips_;
    PGconn* conn_ = nullptr;
    PreparedStatements prepared_{kMaxPrepared};
};

}  // namespace store::pg
