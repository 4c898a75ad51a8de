// Access to the shared test vectors (NOSTPP_VECTORS_DIR, set by tests/unit/CMakeLists.txt).
// Tests ASSERT on the result: a missing vector file is a failure, never a skip.
#pragma once
#include <fstream>
#include <sstream>
#include <string>

#ifndef NOSTPP_VECTORS_DIR
#error "NOSTPP_VECTORS_DIR must point at the shared vectors directory"
#endif

namespace test_support {

inline std::string vector_path(const std::string& name) {
    return std::string(NOSTPP_VECTORS_DIR) + "/" + name;
}

// Reads the whole file into `out`; false when it cannot be opened.
inline bool read_vector_file(const std::string& name, std::string& out) {
    std::ifstream in(vector_path(name), std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    out = buffer.str();
    return true;
}

}  // namespace test_support
