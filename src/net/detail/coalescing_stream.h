// A stream layer under beast::websocket::stream that turns many small frame writes into few
// socket writes. A write is copied into a pending buffer and completes at once; the buffer
// goes to the socket in one write (a non-blocking send straight away when the socket takes
// it all, else an asynchronous write), and whatever is written while that write is in flight
// goes out together in the next. The first frame is never delayed unless the writer corks the
// stream because more frames are already queued (then they all go in one write), and a burst
// (a REQ's results, a fan-out, many OKs) costs one syscall per socket write instead of one
// per frame.
// Write errors surface on the socket (the pending read fails and the session ends).
// It also notes when bytes last arrived from the peer: the websocket stream reports whole
// messages only, while a pong or part of a large frame also shows that the peer is there.
// Backpressure: once kHighWater bytes are pending behind an in-flight socket write, further
// writes complete only when that write finishes, so unsent frames stay in the connection's
// bounded OutboundQueue (where a slow reader is detected) instead of piling up here.
// Private to net/: included only by ws_session.cpp.
#pragma once
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net::detail {

template <class NextLayer>
class CoalescingStream {
public:
    using executor_type = typename NextLayer::executor_type;

    explicit CoalescingStream(NextLayer&& next) : next_(std::move(next)) {}

    executor_type get_executor() noexcept { return next_.get_executor(); }
    NextLayer& next_layer() noexcept { return next_; }
    const NextLayer& next_layer() const noexcept { return next_; }

    // The object that owns this stream; kept alive while a socket write is in flight.
    // Must be set before the first write.
    void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

    // When the last read returned bytes (the stream's creation until then).
    std::chrono::steady_clock::time_point last_received() const { return last_received_; }

    template <class MutableBuffers, class ReadHandler>
    auto async_read_some(const MutableBuffers& buffers, ReadHandler&& handler) {
        return boost::asio::async_initiate<ReadHandler,
                                           void(boost::beast::error_code, std::size_t)>(
            [this](auto completion, const MutableBuffers& data) {
                // The caller's handler keeps its executor (the connection's strand).
                auto executor = boost::asio::get_associated_executor(completion, get_executor());
                next_.async_read_some(
                    data, boost::asio::bind_executor(
                              executor, [this, completion = std::move(completion)](
                                            boost::beast::error_code ec, std::size_t size) mutable {
                                  if (size > 0) last_received_ = std::chrono::steady_clock::now();
                                  std::move(completion)(ec, size);
                              }));
            },
            handler, buffers);
    }

    template <class ConstBuffers, class WriteHandler>
    auto async_write_some(const ConstBuffers& buffers, WriteHandler&& handler) {
        return boost::asio::async_initiate<WriteHandler, void(boost::beast::error_code, std::size_t)>(
            [this](auto completion, const ConstBuffers& data) {
                std::size_t size = 0;
                boost::beast::error_code ec = failed_;
                if (!ec) {
                    for (auto buffer : boost::beast::buffers_range_ref(data)) {
                        pending_.append(static_cast<const char*>(buffer.data()), buffer.size());
                        size += buffer.size();
                    }
                    if (!corked_ || pending_.size() >= kHighWater) flush();
                }
                auto done = boost::beast::bind_front_handler(std::move(completion), ec, size);
                if (flushing_ && pending_.size() >= kHighWater) {
                    space_waiters_.push_back(make_waiter(
                        [ex = get_executor(), done = std::move(done)]() mutable {
                            boost::asio::post(ex, std::move(done));
                        }));
                    return;
                }
                boost::asio::post(get_executor(), std::move(done));
            },
            handler, buffers);
    }

    // Bytes of the owner's own (whole websocket frames it built), on the same strand as the
    // websocket stream's writes: appended whole, so the two never interleave. Like a write
    // through the stream, they gather while corked. Returns the socket's failure, if any.
    boost::beast::error_code append(std::string_view header, std::string_view payload) {
        if (failed_) return failed_;
        pending_.append(header);
        pending_.append(payload);
        if (!corked_ || pending_.size() >= kHighWater) flush();
        return {};
    }
    // Backpressure for append(): true while kHighWater bytes wait behind a socket write.
    bool full() const { return flushing_ && pending_.size() >= kHighWater; }
    // Posts `task` once the socket write in flight is over (when full()).
    template <class Task>
    void when_room(Task&& task) {
        space_waiters_.push_back(make_waiter(
            [ex = get_executor(), task = std::forward<Task>(task)]() mutable {
                boost::asio::post(ex, std::move(task));
            }));
    }

    // While corked, writes only gather in the pending buffer (up to kHighWater); uncork()
    // sends what gathered. The writer corks while it knows more frames are queued.
    void cork() { corked_ = true; }
    void uncork() {
        corked_ = false;
        flush();
    }

    // Runs `task` once everything written so far has reached the socket (or failed).
    template <class Task>
    void after_flush(Task&& task) {
        auto entry = make_waiter(std::forward<Task>(task));
        if (!flushing_ && pending_.empty()) {
            boost::asio::post(get_executor(),
                              [entry = std::shared_ptr<WaiterBase>(std::move(entry))] { entry->run(); });
            return;
        }
        drain_waiters_.push_back(std::move(entry));
    }

private:
    static constexpr std::size_t kHighWater = 256 * 1024;

    struct WaiterBase {
        virtual ~WaiterBase() = default;
        virtual void run() = 0;
    };
    template <class Task>
    struct Waiter final : WaiterBase {
        explicit Waiter(Task task) : task(std::move(task)) {}
        void run() override { task(); }
        Task task;
    };

    template <class Task>
    static std::unique_ptr<WaiterBase> make_waiter(Task&& task) {
        return std::make_unique<Waiter<std::decay_t<Task>>>(std::forward<Task>(task));
    }

    static void run_all(std::vector<std::unique_ptr<WaiterBase>>& waiters) {
        auto batch = std::move(waiters);
        waiters.clear();
        for (auto& waiter : batch) waiter->run();
    }

    void flush() {
        if (flushing_ || pending_.empty()) return;
        auto keep_alive = owner_.lock();
        if (!keep_alive) {  // the owner is being destroyed: nobody is left to write to
            pending_.clear();
            return;
        }
        if (send_now(keep_alive)) return;
        flushing_ = true;
        sending_.swap(pending_);
        boost::asio::async_write(
            next_, boost::asio::buffer(sending_),
            [this, keep_alive](boost::beast::error_code ec, std::size_t) {
                flushing_ = false;
                sending_.clear();
                if (ec) {
                    failed_ = ec;
                    pending_.clear();
                }
                flush();  // what was written meanwhile, if anything
                run_all(space_waiters_);
                if (!flushing_) run_all(drain_waiters_);
            });
    }

    // Hands the pending bytes to the socket at once, without blocking: the socket's send
    // buffer usually has room, and then no asynchronous write (an operation object and a
    // completion handler through the strand, per flush) is needed. True when nothing is left
    // to send; otherwise the rest goes by an asynchronous write.
    bool send_now(const std::shared_ptr<void>& keep_alive) {
        auto& socket = next_.socket();
        boost::beast::error_code ec;
        if (!non_blocking_) {
            socket.non_blocking(true, ec);
            if (ec) return false;
            non_blocking_ = true;
        }
        std::size_t sent = socket.write_some(boost::asio::buffer(pending_), ec);
        if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
            ec = {};
            sent = 0;
        }
        if (ec) {
            failed_ = ec;
            pending_.clear();
        } else if (sent < pending_.size()) {
            pending_.erase(0, sent);
            return false;
        } else {
            pending_.clear();
        }
        // Waiters queued while bytes were pending (after_flush) run now that none are; not
        // from inside this call, which may be a write's initiation.
        if (!drain_waiters_.empty())
            boost::asio::post(get_executor(), [this, keep_alive] {
                if (!flushing_ && pending_.empty()) run_all(drain_waiters_);
            });
        return true;
    }

    NextLayer next_;
    std::weak_ptr<void> owner_;
    std::chrono::steady_clock::time_point last_received_ = std::chrono::steady_clock::now();
    std::string pending_;  // written by the websocket stream, not yet on the socket
    std::string sending_;  // the socket write in flight
    bool flushing_ = false;
    bool corked_ = false;
    bool non_blocking_ = false;  // the socket's synchronous writes return would_block
    boost::beast::error_code failed_;
    std::vector<std::unique_ptr<WaiterBase>> space_waiters_;  // writes held by backpressure
    std::vector<std::unique_ptr<WaiterBase>> drain_waiters_;  // run once all is sent
};

// Tearing down (after the close handshake) must first send the buffered close frame.
template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
                    TeardownHandler&& handler) {
    stream.after_flush([role, &stream, handler = std::move(handler)]() mutable {
        using boost::beast::websocket::async_teardown;  // plus ADL: beast::basic_stream
        async_teardown(role, stream.next_layer(), std::move(handler));
    });
}

template <class NextLayer>
void teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
              boost::beast::error_code& ec) {
    using boost::beast::websocket::teardown;
    // The blocking teardown reads until the peer closes: undo send_now()'s non-blocking mode.
    stream.next_layer().socket().non_blocking(false, ec);
    if (ec) return;
    teardown(role, stream.next_layer(), ec);
}

}  // namespace net::detail
