// File: field_limits.h
// The size limit of every text the API takes, in bytes of UTF-8, checked before anything is
// stored or looked up; a longer value is a 400 that names the field and the limit
// ("name: at most 128 bytes (got 7340032)"). docs/api.md lists them for operators.
//
// Each limit is generous for its use and no larger than the MySQL column that keeps the value
// (varchar(N) counts characters, so N bytes always fit), so that whatever the API accepts, both
// stores keep; and a whole task definition stays under 100 kB, far below gRPC's 16 MiB message
// limit between web, master and agent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace asgard::web {

// Ids (of tasks, agents, groups, users): the columns that refer to them are int(11).
inline constexpr int64_t kMaxId = 2147483647;

// Apps, jobs and timings.
inline constexpr size_t kMaxTaskNameBytes = 128;     // column 1000
inline constexpr size_t kMaxTaskPathBytes = 2000;    // dir, program, std_out, std_err: 2000
inline constexpr size_t kMaxTaskArgsBytes = 2000;    // column 2000
inline constexpr size_t kMaxTaskUserBytes = 100;     // column 100 (Linux names: 32)
inline constexpr size_t kMaxSpecBytes = 255;         // column varchar(255) (migration 5)
inline constexpr size_t kMaxShortWordBytes = 16;     // stop_signal, concurrency: 16
inline constexpr size_t kMaxTimeTextBytes = 64;      // an RFC 3339 time
// env: variables, each name, and the whole map as stored (JSON, in a TEXT column of 65,535).
inline constexpr size_t kMaxEnvVariables = 256;
inline constexpr size_t kMaxEnvNameBytes = 256;
inline constexpr size_t kMaxEnvJsonBytes = 60 * 1024;

// The limit of a task's text field by its API name; 0 for a field that is not text.
inline constexpr size_t TaskFieldLimit(std::string_view field) {
  if (field == "name") return kMaxTaskNameBytes;
  if (field == "dir" || field == "program" || field == "std_out" || field == "std_err") {
    return kMaxTaskPathBytes;
  }
  if (field == "args") return kMaxTaskArgsBytes;
  if (field == "user") return kMaxTaskUserBytes;
  if (field == "spec") return kMaxSpecBytes;
  if (field == "stop_signal" || field == "concurrency") return kMaxShortWordBytes;
  if (field == "time") return kMaxTimeTextBytes;
  return 0;
}

// Groups, agents, users.
inline constexpr size_t kMaxGroupNameBytes = 128;  // column 500
inline constexpr size_t kMaxAgentAliasBytes = 32;  // column 32
inline constexpr size_t kMaxNicknameBytes = 100;   // column 100
inline constexpr size_t kMaxEmailBytes = 200;      // column 200
inline constexpr size_t kMaxMobileBytes = 50;      // column 50
inline constexpr size_t kMaxAvatarBytes = 500;     // column 500 (a URL)
inline constexpr size_t kMaxRoleBytes = 32;        // Administrator or User
// A password is hashed, never stored: the bound only keeps one request's work small.
inline constexpr size_t kMaxPasswordBytes = 1024;

// Login: the name is a nickname, an e-mail or a mobile number, so the longest of those.
inline constexpr size_t kMaxLoginNameBytes = kMaxEmailBytes;

// /cron/next, and the text filters of the lists (name, alias, nickname, email, phone).
inline constexpr size_t kMaxZoneNameBytes = 64;
inline constexpr size_t kMaxFilterBytes = 256;

}  // namespace asgard::web
