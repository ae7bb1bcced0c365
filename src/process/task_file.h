// File: task_file.h
// Opening a task's stdout/stderr file without trusting what its path names. Users choose these
// paths and the daemons open them on their event loop (or on a gRPC thread, for the console's
// tail and follow), so a FIFO there would block open() until someone opens the other end, or
// block a later write() for as long as its reader does not read; a device could be anything.
// Every open of a task's file therefore goes through OpenTaskFile: non-blocking, not following
// a final symbolic link, and accepted only if it is a regular file or /dev/null. Anything else
// is a FailedPrecondition that says what the path names instead.
//
//   ASSIGN_OR_RETURN(TaskFile out, OpenTaskFile(path, O_WRONLY | O_CREAT | O_APPEND));
//   if (out.dev_null) ...;  // output discarded: never rotated
//   write(out.fd.get(), data, size);
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace asgard::process {

struct TaskFile {
  UniqueFd fd;
  struct stat st {};      // of the opened file
  bool dev_null = false;  // the path names /dev/null (any spelling of it)
};

// Opens `path` with `flags` (O_RDONLY, or O_WRONLY | O_CREAT | O_APPEND ...) plus O_NONBLOCK,
// O_NOFOLLOW and O_CLOEXEC, and `mode` for a file it creates. Errors: NotFound if it does not
// exist (and O_CREAT is not given), FailedPrecondition if it is a symbolic link, a FIFO, a
// directory, a socket or a device other than /dev/null, else the errno of open() (EACCES is
// PermissionDenied).
absl::StatusOr<TaskFile> OpenTaskFile(const std::string& path, int flags, mode_t mode = 0644);

}  // namespace asgard::process
