#include "net/detail/server_context.h"

#include "net/detail/message_limits.h"
#include "relay/relay.h"

namespace net::detail {

ServerContext::ServerContext(relay::Relay& relay)
    : relay(relay),
      max_message_bytes(relay.config().limits.max_message_bytes),
      hard_message_cap(detail::hard_message_cap(max_message_bytes)),
      max_outbound_bytes(relay.config().limits.max_outbound_bytes),
      slow_reader_notice(detail::slow_reader_notice(max_outbound_bytes)),
      idle(std::chrono::seconds(relay.config().limits.ping_interval_seconds),
           std::chrono::seconds(relay.config().limits.idle_timeout_seconds)) {}

}  // namespace net::detail
