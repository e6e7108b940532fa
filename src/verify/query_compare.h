// Query comparison (--query-file): each query of a file runs on both sides,
// in their snapshots and pinned sessions, and the results are compared —
// row by row in order when the query ends with an ORDER BY at its outer
// level, as multisets otherwise.
//
// File format: queries end with a semicolon at the end of a line, or with a
// blank line; lines starting with "--" are comments. Queries should be
// read-only (both sessions are READ ONLY transactions anyway).
//
// Thread safety: plain functions; connections belong to the caller.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"
#include "verify/verify.h"

namespace pgshuttle::verify {

// Splits a query file's text into queries.
std::vector<std::string> split_queries(const std::string& text);

// True when the outermost level of `sql` has an ORDER BY (outside
// parentheses, quotes and comments).
bool has_outer_order_by(const std::string& sql);

// Runs every query of `file` on both sides; appends summaries and differences.
Status compare_query_file(pg::Connection& source, pg::Connection& target, const std::string& file,
                          std::vector<QueryResultSummary>& summaries,
                          std::vector<Difference>& differences);

}  // namespace pgshuttle::verify
