// --event-handler-token / EVENT_HANDLER_TOKEN: the secret the websocket-handlers send to the
// event handler and the event handler requires (services/api_token.h). Both roles declare it
// with this function, so one configuration serves both. Its value is never printed: --help
// shows no default, a file value is shown as *** (config_file.cpp), and the validation
// message does not quote it.
#pragma once
#include <string>

namespace CLI {
class App;
}

namespace app {

void add_event_handler_token_option(CLI::App& command, std::string& token,
                                    const std::string& description);

}  // namespace app
