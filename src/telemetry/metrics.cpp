#include "telemetry/metrics.h"

#include <stdexcept>

namespace telemetry {
namespace {

bool is_name_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

void check_name(std::string_view name) {
    bool ok = !name.empty();
    for (size_t i = 0; ok && i < name.size(); ++i) ok = is_name_char(name[i], i == 0);
    if (!ok) throw std::logic_error("invalid metric name '" + std::string(name) + "'");
}

// Label values escape backslash, double quote and newline; help text backslash and newline.
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out.push_back(c);
    }
}

std::string render_labels(const Labels& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (size_t i = 0; i < labels.size(); ++i) {
        check_name(labels[i].first);
        if (i) out.push_back(',');
        out += labels[i].first;
        out += "=\"";
        append_escaped(out, labels[i].second, true);
        out.push_back('"');
    }
    out.push_back('}');
    return out;
}

}  // namespace

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help,
                                                 bool is_counter) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        check_name(name);
        it = families_.emplace(std::string(name), Family{}).first;
        it->second.help = std::string(help);
        it->second.is_counter = is_counter;
    } else if (it->second.is_counter != is_counter) {
        throw std::logic_error("metric '" + std::string(name) + "' registered with two types");
    }
    return it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
    std::string key = render_labels(labels);
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, true).counters[key];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    std::string key = render_labels(labels);
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, false).gauges[key];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

void MetricsRegistry::add_collector(std::function<void(MetricsRegistry&)> refresh) {
    std::lock_guard lock(collectors_mutex_);
    collectors_.push_back(std::move(refresh));
}

std::string MetricsRegistry::prometheus_text() const {
    {
        // Collectors update series of this registry: logically a refresh before reading.
        std::lock_guard lock(collectors_mutex_);
        for (const auto& refresh : collectors_) refresh(const_cast<MetricsRegistry&>(*this));
    }
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + ' ';
        append_escaped(out, family.help, false);
        out += "\n# TYPE " + name + (family.is_counter ? " counter\n" : " gauge\n");
        for (const auto& [labels, counter] : family.counters)
            out += name + labels + ' ' + std::to_string(counter->value()) + '\n';
        for (const auto& [labels, gauge] : family.gauges)
            out += name + labels + ' ' + std::to_string(gauge->value()) + '\n';
    }
    return out;
}

}  // namespace telemetry
