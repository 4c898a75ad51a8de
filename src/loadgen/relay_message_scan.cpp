#include "loadgen/relay_message_scan.h"

namespace loadgen {
namespace {

// A forward-only JSON cursor that validates just enough structure to find values, tolerating
// whitespace anywhere JSON allows it.
class Cursor {
  public:
    explicit Cursor(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

    bool eat(char c) {
        skip_ws();
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }

    bool string(std::string_view& out) {
        skip_ws();
        if (p_ >= end_ || *p_ != '"') return false;
        const char* start = ++p_;
        while (p_ < end_ && *p_ != '"') {
            if (*p_ == '\\' && p_ + 1 < end_) ++p_;  // the escaped character can be a quote
            ++p_;
        }
        if (p_ >= end_) return false;
        out = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
    }

    bool literal(std::string_view word) {
        skip_ws();
        if (static_cast<size_t>(end_ - p_) < word.size() ||
            std::string_view(p_, word.size()) != word)
            return false;
        p_ += word.size();
        return true;
    }

    bool skip_value(int depth = 0) {
        if (depth > 64) return false;
        skip_ws();
        if (p_ >= end_) return false;
        std::string_view ignored;
        switch (*p_) {
            case '"':
                return string(ignored);
            case '[':
                ++p_;
                if (eat(']')) return true;
                do {
                    if (!skip_value(depth + 1)) return false;
                } while (eat(','));
                return eat(']');
            case '{':
                ++p_;
                if (eat('}')) return true;
                do {
                    if (!string(ignored) || !eat(':') || !skip_value(depth + 1)) return false;
                } while (eat(','));
                return eat('}');
            default: {
                const char* start = p_;
                while (p_ < end_ && !is_delimiter(*p_)) ++p_;
                return p_ > start;
            }
        }
    }

  private:
    static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    static bool is_delimiter(char c) { return is_ws(c) || c == ',' || c == ']' || c == '}'; }
    void skip_ws() {
        while (p_ < end_ && is_ws(*p_)) ++p_;
    }

    const char* p_;
    const char* end_;
};

Verb classify(std::string_view verb) {
    if (verb == "EVENT") return Verb::event;
    if (verb == "OK") return Verb::ok;
    if (verb == "EOSE") return Verb::eose;
    if (verb == "CLOSED") return Verb::closed;
    if (verb == "NOTICE") return Verb::notice;
    return Verb::other;
}

// Finds the top-level "id" of the event object that follows.
bool scan_event_id(Cursor& c, std::string_view& id) {
    if (!c.eat('{')) return false;
    if (c.eat('}')) return false;
    do {
        std::string_view key;
        if (!c.string(key) || !c.eat(':')) return false;
        if (key == "id") return c.string(id);
        if (!c.skip_value()) return false;
    } while (c.eat(','));
    return false;
}

}  // namespace

bool scan_relay_message(std::string_view raw, RelayMessage& out) {
    out = RelayMessage{};
    Cursor c(raw);
    if (!c.eat('[') || !c.string(out.verb_text)) return false;
    out.verb = classify(out.verb_text);
    switch (out.verb) {
        case Verb::notice:
            c.eat(',') && c.string(out.text);
            return true;
        case Verb::eose:
            c.eat(',') && c.string(out.first);
            return true;
        case Verb::closed:
            c.eat(',') && c.string(out.first) && c.eat(',') && c.string(out.text);
            return true;
        case Verb::event:
            if (!c.eat(',') || !c.string(out.first) || !c.eat(',') ||
                !scan_event_id(c, out.event_id))
                out.verb = Verb::unknown;
            return true;
        case Verb::ok:
            if (!c.eat(',') || !c.string(out.first) || !c.eat(',')) {
                out.verb = Verb::unknown;
                return true;
            }
            if (c.literal("true"))
                out.accepted = true;
            else if (!c.literal("false"))
                out.verb = Verb::unknown;
            c.eat(',') && c.string(out.text);
            return true;
        default:
            return true;
    }
}

}  // namespace loadgen
