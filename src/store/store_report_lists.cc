// File: store_report_lists.cc
// Archives and exceptions read back, newest first: the recent ones (master, CLI) and the web
// node's pages with their filters.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/sql_store.h"
#include "store/store_internal.h"

namespace asgard::store {
namespace {

constexpr int kMaxListRows = 100000;

constexpr char kArchiveColumns[] =
    "id, type, related_id, uuid, seq, pid, begin_time, end_time, status, `signal`, created_at";
constexpr char kExceptionColumns[] = "id, type, related_id, uuid, seq, `desc`, created_at";

ArchiveRecord ReadArchive(const SqlRow& row) {
  RowReader r(row);
  ArchiveRecord a;
  a.id = r.Int();
  a.type = static_cast<int>(r.Int());
  a.related_id = r.Int();
  a.uuid = r.Str();
  a.seq = r.Int();
  a.pid = r.Int();
  a.begin_time = r.Time();
  a.end_time = r.Time();
  a.status = static_cast<int>(r.Int());
  a.signal = r.Str();
  a.created_at = r.Time();
  return a;
}

ExceptionRecord ReadException(const SqlRow& row) {
  RowReader r(row);
  ExceptionRecord e;
  e.id = r.Int();
  e.type = static_cast<int>(r.Int());
  e.related_id = r.Int();
  e.uuid = r.Str();
  e.seq = r.Int();
  e.desc = r.Str();
  e.created_at = r.Time();
  return e;
}

template <typename T>
std::vector<T> ReadAll(const std::vector<SqlRow>& rows, T (*read)(const SqlRow&)) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) out.push_back(read(row));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<ArchiveRecord>> SqlStore::ListArchives(int type, int64_t related_id,
                                                                  int limit) {
  return Read([&](SqlConn& c) -> absl::StatusOr<std::vector<ArchiveRecord>> {
    ASSIGN_OR_RETURN(auto rows,
                     c.Query(absl::StrCat("SELECT ", kArchiveColumns,
                                          " FROM archives WHERE type = ? AND "
                                          "related_id = ? ORDER BY id DESC LIMIT ?"),
                             {type, related_id, std::clamp(limit, 1, kMaxListRows)}));
    return ReadAll(rows, &ReadArchive);
  });
}

absl::StatusOr<std::vector<ExceptionRecord>> SqlStore::ListExceptions(int limit) {
  return Read([&](SqlConn& c) -> absl::StatusOr<std::vector<ExceptionRecord>> {
    ASSIGN_OR_RETURN(auto rows, c.Query(absl::StrCat("SELECT ", kExceptionColumns,
                                                     " FROM exceptions ORDER BY id DESC "
                                                     "LIMIT ?"),
                                        {std::clamp(limit, 1, kMaxListRows)}));
    return ReadAll(rows, &ReadException);
  });
}

absl::StatusOr<Page<ArchiveRecord>> SqlStore::ListArchivesPage(int type, int64_t related_id,
                                                               int page, int size) {
  internal::Where where;
  where.Add("type = ?", type);
  where.Add("related_id = ?", related_id);
  return Read([&](SqlConn& c) {
    return internal::NewestPage(c, kArchiveColumns, "archives", where, page, size, &ReadArchive);
  });
}

absl::StatusOr<Page<ExceptionRecord>> SqlStore::ListExceptionsPage(const ExceptionFilter& filter) {
  internal::Where where;
  if (filter.type) where.Add("type = ?", *filter.type);
  if (filter.related_id) where.Add("related_id = ?", *filter.related_id);
  if (filter.creator) {
    // Exceptions of the user's own tasks, whichever kind; those of agents (type 1) never match.
    absl::StrAppend(&where.sql, " AND (");
    for (TaskKind kind : {TaskKind::kApp, TaskKind::kJob, TaskKind::kTiming}) {
      absl::StrAppend(&where.sql, kind == TaskKind::kApp ? "" : " OR ", "(type = ",
                      static_cast<int>(kind), " AND related_id IN (SELECT id FROM `",
                      TaskTable(kind), "` WHERE creator = ?))");
      where.params.push_back(*filter.creator);
    }
    absl::StrAppend(&where.sql, ")");
  }
  return Read([&](SqlConn& c) {
    return internal::NewestPage(c, kExceptionColumns, "exceptions", where, filter.page,
                                filter.size, &ReadException);
  });
}

}  // namespace asgard::store
