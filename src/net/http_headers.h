// Extra HTTP headers, name and value, for the HTTP client's requests and the HTTP server's
// answers.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace net {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

}  // namespace net
