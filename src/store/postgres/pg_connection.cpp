#include "store/postgres/pg_connection.h"

#include <cstring>
#include <optional>

namespace store::pg {
namespace {

std::string trimmed(const char* message) {
    std::string text = message ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// SQLSTATE classes meaning the session is gone: 08 connection exception, 57P01-57P03
// administrator shutdown / crash shutdown / cannot connect now.
bool is_connection_state(const std::string& sqlstate) {
    return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
           sqlstate == "57P03";
}

uint64_t read_be(const char* data, int size) {
    uint64_t value = 0;
    for (int i = 0; i < size; ++i) value = value << 8 | static_cast<unsigned char>(data[i]);
    return value;
}

// SQLSTATE 26000 invalid_sql_statement_name: the prepared statement is not there.
bool is_statement_gone(const PGresult* result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    return state && std::strcmp(state, "26000") == 0;
}

// Server notices ("relation already exists, skipping") are not errors; libpq's default
// prints them on stderr.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string_view Result::bytes(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column),
            static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

int64_t Result::int8(int row, int column) const {
    if (PQgetlength(result_.get(), row, column) != 8) throw PgError("expected int8", "", false);
    return static_cast<int64_t>(read_be(PQgetvalue(result_.get(), row, column), 8));
}

int32_t Result::int4(int row, int column) const {
    if (PQgetlength(result_.get(), row, column) != 4) throw PgError("expected int4", "", false);
    return static_cast<int32_t>(read_be(PQgetvalue(result_.get(), row, column), 4));
}

nostr::Bytes32 Result::bytes32(int row, int column) const {
    std::string_view value = bytes(row, column);
    if (value.size() != 32) throw PgError("expected 32 bytes", "", false);
    nostr::Bytes32 out;
    std::memcpy(out.data(), value.data(), 32);
    return out;
}

uint64_t Result::affected() const {
    const char* tuples = PQcmdTuples(result_.get());
    return tuples && *tuples ? std::strtoull(tuples, nullptr, 10) : 0;
}

Connection::Connection(ConnectionSettings settings, std::atomic<uint64_t>* round_trips)
    : settings_(std::move(settings)), round_trips_(round_trips) {}

Connection::~Connection() {
    close();
}

void Connection::close() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();  // a session's prepared statements end with it
}

void Connection::connect() {
    close();
    std::string connect_timeout = std::to_string(settings_.connect_timeout_s);
    // Keywords before "dbname" are defaults the URL may override; the URL is expanded in
    // place (expand_dbname = 1).
    const char* keys[] = {"application_name", "connect_timeout", "client_encoding", "dbname",
                          nullptr};
    const char* values[] = {"nostpp", connect_timeout.c_str(), "UTF8", settings_.url.c_str(),
                            nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (!conn_) throw PgError("cannot allocate a PostgreSQL connection", "", true);
    if (PQstatus(conn_) != CONNECTION_OK) {
        PgError failure("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_)), "",
                        true);
        close();
        throw failure;
    }
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    // Bounds every statement of this session, whatever the caller runs.
    Params params;
    std::string sql = "SELECT set_config('statement_timeout', " +
                      params.add_text(std::to_string(settings_.statement_timeout_ms)) + ", false)";
    exec(sql, params);
}

bool Connection::usable() {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return false;
    if (!PQconsumeInput(conn_) || PQstatus(conn_) != CONNECTION_OK) return false;
    return !PQisBusy(conn_) && PQtransactionStatus(conn_) == PQTRANS_IDLE &&
           PQpipelineStatus(conn_) == PQ_PIPELINE_OFF;
}

PgError Connection::error(const std::string& what, const PGresult* result) const {
    std::string sqlstate;
    std::string message;
    if (result) {
        const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        if (state) sqlstate = state;
        message = trimmed(PQresultErrorMessage(result));
    }
    if (message.empty() && conn_) message = trimmed(PQerrorMessage(conn_));
    bool lost = !conn_ || PQstatus(conn_) == CONNECTION_BAD || is_connection_state(sqlstate);
    return PgError(what + ": " + message, sqlstate, lost);
}

Result Connection::check(PGresult* raw, const std::string& sql) const {
    Result result(raw);
    ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return result;
    std::string head = sql.substr(0, sql.find_first_of("(\n"));
    throw error("PostgreSQL statement failed (" + head + ")", raw);
}

Result Connection::exec(const std::string& sql) {
    Params none;
    return exec(sql, none);
}

Result Connection::exec(const std::string& sql, Params& params) {
    if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
    count_round_trip();
    return check(PQexecParams(conn_, sql.c_str(), params.count(), params.types(), params.values(),
                              params.lengths(), params.formats(), 1),
                 sql);
}

Result Connection::exec_prepared(const std::string& sql, Params& params) {
    if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
    // The same text may be sent with other parameter types: they are part of the key.
    std::string key(reinterpret_cast<const char*>(params.types()),
                    sizeof(unsigned) * static_cast<size_t>(params.count()));
    key += sql;
    if (std::optional<std::string> name = prepared_.find(key)) {
        count_round_trip();
        PGresult* raw = PQexecPrepared(conn_, name->c_str(), params.count(), params.values(),
                                       params.lengths(), params.formats(), 1);
        if (raw && PQresultStatus(raw) == PGRES_FATAL_ERROR && is_statement_gone(raw)) {
            // Someone else's DISCARD ALL / DEALLOCATE (a pooler): prepare it again.
            PQclear(raw);
            prepared_.clear();
            return exec_prepared(sql, params);
        }
        return check(raw, sql);
    }
    PreparedStatements::Added added = prepared_.add(key);
    Statement evict{added.evict ? "DEALLOCATE " + *added.evict : "", {}};
    Statement statement{sql, params};
    std::vector<Outgoing> outgoing;
    if (added.evict) outgoing.push_back({&evict});
    outgoing.push_back({&statement, Send::prepare, &added.name});
    outgoing.push_back({&statement, Send::execute, &added.name});
    try {
        return std::move(send_pipeline(outgoing).back());
    } catch (const PgError& e) {
        if (added.evict && !e.connection_lost() && e.sqlstate() == "26000") {
            // The statement to deallocate was gone already (someone else's DISCARD ALL /
            // DEALLOCATE ALL). The pipeline stopped at that first statement, before the
            // PREPARE, and was synced: the session is as it was. Prepare it again.
            prepared_.clear();
            return exec_prepared(sql, params);
        }
        // Which of the pipeline's statements ran is unknown, so which ones this session
        // holds is too: start the session again (the pool reconnects it).
        close();
        throw;
    }
}

void Connection::exec_script(const std::string& sql) {
    if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
    count_round_trip();
    check(PQexec(conn_, sql.c_str()), "migration script");
}

std::vector<Result> Connection::pipeline(std::vector<Statement>& statements) {
    std::vector<Outgoing> outgoing;
    outgoing.reserve(statements.size());
    for (auto& statement : statements) outgoing.push_back({&statement});
    return send_pipeline(outgoing);
}

std::vector<Result> Connection::send_pipeline(const std::vector<Outgoing>& statements) {
    if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
    if (!PQenterPipelineMode(conn_)) throw error("cannot enter pipeline mode");
    count_round_trip();
    for (const Outgoing& out : statements) {
        Statement& st = *out.statement;
        int sent = 0;
        if (out.send == Send::prepare)
            sent = PQsendPrepare(conn_, out.name->c_str(), st.sql.c_str(), st.params.count(),
                                 st.params.types());
        else if (out.send == Send::execute)
            sent =
                PQsendQueryPrepared(conn_, out.name->c_str(), st.params.count(), st.params.values(),
                                    st.params.lengths(), st.params.formats(), 1);
        else
            sent =
                PQsendQueryParams(conn_, st.sql.c_str(), st.params.count(), st.params.types(),
                                  st.params.values(), st.params.lengths(), st.params.formats(), 1);
        if (!sent) {
            PgError failure = error("cannot send statement");
            close();  // the pipeline is half sent: this session cannot be trusted
            throw failure;
        }
    }
    if (!PQpipelineSync(conn_)) {
        PgError failure = error("cannot send pipeline");
        close();
        throw failure;
    }
    // Each statement yields one result followed by a NULL separator; then the sync result.
    std::vector<Result> results;
    std::optional<PgError> first_error;
    for (size_t i = 0; i < statements.size(); ++i) {
        PGresult* raw = PQgetResult(conn_);
        if (!raw) break;  // connection trouble: handled below
        Result result(raw);
        ExecStatusType status = PQresultStatus(raw);
        if (status == PGRES_FATAL_ERROR && !first_error) {
            const std::string& sql = statements[i].statement->sql;
            first_error = error(
                "PostgreSQL statement failed (" + sql.substr(0, sql.find_first_of("(\n")) + ")",
                raw);
        }
        results.push_back(std::move(result));
        while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    }
    bool synced = false;
    if (results.size() == statements.size()) {
        Result sync(PQgetResult(conn_));
        synced = sync.get() && PQresultStatus(sync.get()) == PGRES_PIPELINE_SYNC;
    }
    if (!synced || !PQexitPipelineMode(conn_)) {
        PgError failure = first_error ? *first_error : error("PostgreSQL pipeline failed");
        close();
        throw PgError(failure.what(), failure.sqlstate(), true);
    }
    if (first_error) throw *first_error;
    return results;
}

bool Connection::in_transaction() const {
    return conn_ && PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

void Connection::discard_transaction() {
    if (!conn_) return;
    PGTransactionStatusType status = PQtransactionStatus(conn_);
    if (status == PQTRANS_IDLE && PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) return;
    if ((status == PQTRANS_INTRANS || status == PQTRANS_INERROR) &&
        PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) {
        try {
            exec("ROLLBACK");
            return;
        } catch (const PgError&) {
        }
    }
    close();
}

}  // namespace store::pg
