// How the floor tools stop early: a bad option (exit 2) or a failed system call (exit 1).
#pragma once
#include <errno.h>  // program_invocation_short_name (glibc)

#include <cstdio>
#include <cstdlib>

[[noreturn]] inline void usage_error(const char* what) {
    std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
    std::exit(2);
}

[[noreturn]] inline void die(const char* what) {
    std::perror(what);
    std::exit(1);
}
