// FedChild: runs pg_restore or psql with its stdin fed from a ByteStream
// (the archive as it arrives from a file, URL or S3) and its stderr written
// to a file, so a chatty child can never block on a full pipe while we block
// writing its input. A transform (gunzip, SQL filter) may sit in between.
//
// Also ScratchDir, a private temporary directory removed on destruction,
// for the TOC list and the children's stderr. It never holds the archive.
// Its name carries the host and pid; create() removes the scratch
// directories of restores that were killed (core/owned_temp.h).
//
// Thread safety: one thread per call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/result.h"
#include "storage/byte_source.h"

namespace pgshuttle::restore {

class ScratchDir {
 public:
  static Result<ScratchDir> create();
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  ScratchDir() = default;
  std::string path_;
};

struct ChildRun {
  int exit_status = -1;
  std::string stderr_text;
  uint64_t bytes_fed = 0;
  bool input_refused = false;  // the child exited before reading everything
  bool cancelled = false;
};

// Transforms a chunk of input (end=true once, after the last chunk).
using ChunkTransform = std::function<Result<std::string>(std::string_view chunk, bool end)>;

struct ChildSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::optional<std::string>> env;
  std::vector<int> inherit_fds;          // e.g. a passfile's memfd (pg/passfile.h)
  std::string stderr_file;               // required
  storage::ByteStream* input = nullptr;  // nullptr: stdin is /dev/null
  ChunkTransform transform;              // optional
  Progress* progress = nullptr;          // counts input bytes read
  // The phase `progress` shows once all input is read and the child still
  // works (pg_restore builds the indexes then); empty: unchanged.
  std::string phase_after_input;
};

// Runs the child to completion. A storage error while reading the input
// kills the child and is returned.
Result<ChildRun> run_child(const ChildSpec& spec);

}  // namespace pgshuttle::restore
