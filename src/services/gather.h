// Collects the answers to the items of one request (a batch of events or queries), which
// come back on any thread in any order; the last one sends the response: an array for a
// batch, the one answer otherwise, or the answers one after the other (POST /query's line
// answer, whose items end with their own newline).
#pragma once
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace services {

class Gather {
  public:
    // How the answers make the response: `one` for a single item.
    enum class Join { one, array, concatenate };
    Gather(std::function<void(std::string)> send, Join join, size_t items)
        : send_(std::move(send)), join_(join), answers_(items), remaining_(items + 1) {}

    // Thread-safe. `answer` is the item's JSON (its line, for `concatenate`).
    void set(size_t index, std::string answer) {
        {
            std::lock_guard lock(mutex_);
            answers_[index] = std::move(answer);
        }
        settle();
    }
    // Every item is handed out: until then an early last answer must not send.
    void seal() { settle(); }

  private:
    void settle() {
        {
            std::lock_guard lock(mutex_);
            if (--remaining_ > 0) return;
        }
        if (join_ != Join::array && answers_.size() == 1) return send_(std::move(answers_[0]));
        size_t bytes = 2 + answers_.size();  // brackets and commas
        for (const std::string& answer : answers_) bytes += answer.size();
        std::string out;
        out.reserve(bytes);
        if (join_ == Join::array) out.push_back('[');
        for (size_t i = 0; i < answers_.size(); ++i) {
            if (i && join_ != Join::concatenate) out.push_back(',');
            out += answers_[i];
        }
        if (join_ == Join::array) out.push_back(']');
        send_(std::move(out));
    }

    std::function<void(std::string)> send_;
    const Join join_;
    std::mutex mutex_;
    std::vector<std::string> answers_;
    size_t remaining_;
};

}  // namespace services
