// Every open connection of a server, so that stopping the server can close them all and know
// when the last one is gone. No Beast here: sessions register through the Connection interface.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace net::detail {

class Connection {
  public:
    virtual ~Connection() = default;
    // Thread-safe: begin closing (politely where the protocol allows it).
    virtual void shutdown() = 0;
};

class ConnectionRegistry {
  public:
    // Returns false when the server is stopping: the caller should close at once.
    bool add(const std::shared_ptr<Connection>& connection);
    // Called from the connection's destructor (the weak_ptr has already expired by then).
    void remove(const Connection* connection);

    // Marks the registry as stopping, calls shutdown() on every connection, and arranges for
    // `on_empty` to run (on whichever thread removes the last connection, or right here if
    // there are none). Later calls do nothing.
    void shutdown_all(std::function<void()> on_empty);

    // Drops the on_empty callback (its target is going away).
    void forget_on_empty();

    size_t size();

  private:
    std::mutex mutex_;
    std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;
    bool stopping_ = false;
    std::function<void()> on_empty_;
};

}  // namespace net::detail
