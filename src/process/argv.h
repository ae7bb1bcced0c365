// File: argv.h
// Builds argv from `program` and `args` with shell-like quoting, but no shell: "a b" and 'a b'
// are one argument, backslash escapes the next character (inside double quotes only before
// " \ $ `), and runs of blanks separate arguments. No globbing, no variables, no pipes.
//
//   SplitArgs(R"(-c "echo 'hi there'" x\ y)") -> {"-c", "echo 'hi there'", "x y"}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace asgard::process {

// InvalidArgument for an unterminated quote or a trailing backslash, naming the column.
absl::StatusOr<std::vector<std::string>> SplitArgs(std::string_view args);

// Where `program` will be executed from: a name without '/' is looked up on `path_env`
// (the PATH of the run), a relative path with '/' is taken against `dir`. NotFound when
// nothing executable is there ("program 'foo' not found on PATH").
absl::StatusOr<std::string> ResolveProgram(const std::string& program, const std::string& dir,
                                           const std::string& path_env);

}  // namespace asgard::process
