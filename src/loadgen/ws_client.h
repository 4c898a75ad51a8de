// One client WebSocket connection to the relay. The interface hides Beast so that only
// ws_client.cpp pays its compile time.
//
// Threading: every handler of a connection runs on that connection's strand, one at a time,
// so per-connection workload state needs no locking. send() and close() may be called from
// any thread.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "loadgen/endpoint.h"

namespace loadgen {

class EventLoop;

class WsClient {
  public:
    struct Handlers {
        // One text message; the view is valid only during the call.
        std::function<void(std::string_view)> on_message;
        // The connection failed or the relay closed it (not called after our own close()).
        std::function<void(const std::string& error)> on_error;
    };

    static std::shared_ptr<WsClient> create(EventLoop& loop, Handlers handlers);
    virtual ~WsClient() = default;

    // TCP connect + WebSocket handshake; `done` gets "" on success, else the error.
    virtual void connect(const Endpoint& endpoint, std::function<void(std::string)> done) = 0;
    // Queues a text message; messages go out in call order.
    virtual void send(std::string message) = 0;
    // Runs `fn` on this connection's strand (to touch state its handlers own).
    virtual void post(std::function<void()> fn) = 0;
    // Starts the closing handshake once queued messages are written.
    virtual void close() = 0;
    // True once the connection is closed, failed, or never opened.
    virtual bool closed() const = 0;
};

}  // namespace loadgen
