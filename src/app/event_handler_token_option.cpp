#include "app/event_handler_token_option.h"

#include <CLI/CLI.hpp>

#include "services/api_token.h"

namespace app {

void add_event_handler_token_option(CLI::App& command, std::string& token,
                                    const std::string& description) {
    command.add_option("--event-handler-token", token, description)
        ->envname("EVENT_HANDLER_TOKEN")
        ->type_name("SECRET")
        ->check(CLI::Validator(
            [](std::string& value) {
                return value.empty() ? std::string() : services::ApiToken::problem(value);
            },
            "", "event handler token"));
}

}  // namespace app
