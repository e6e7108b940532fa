// pgshuttle transfers | info ID | logs ID | cancel ID : the transfer registry
// (state/transfer_registry.h) from the command line.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "core/cancel.h"
#include "state/transfer_registry.h"

namespace pgshuttle::cli {
namespace {

std::string time_text(std::optional<int64_t> t) {
  if (!t) return "";
  std::time_t tt = static_cast<std::time_t>(*t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json to_json(const state::Transfer& t) {
  nlohmann::json j = {{"id", t.id},
                      {"status", t.status_text()},
                      {"source", t.source},
                      {"destination", t.destination},
                      {"bytes", t.bytes},
                      {"total_bytes", t.total_bytes},
                      {"sha256", t.sha256},
                      {"etag", t.etag},
                      {"started_at", time_text(t.started_at)},
                      {"finished_at", time_text(t.finished_at)},
                      {"warnings", t.warnings},
                      {"pending_uploads", t.pending_uploads},
                      {"cancel_requested", t.cancel_requested}};
  if (!t.follow_up.empty()) j["follow_up"] = t.follow_up;
  if (!t.error.empty()) j["error"] = t.error;
  return j;
}

bool running(const state::Transfer& t) {
  return t.status == state::TransferStatus::kRunning || t.status == state::TransferStatus::kPending;
}

// An upload a transfer that no longer runs left open costs storage until aborted.
std::string left_behind_hint(const state::Transfer& t, const std::string& upload) {
  std::string bucket = upload.substr(0, upload.find('/', 5));
  return fmt::format(
      "{} left an incomplete multipart upload: {}; the next backup to S3 aborts it, or "
      "pgshuttle storage uploads {} --abort-stale",
      t.id, upload, bucket);
}

Result<state::TransferRegistry> open_registry(const CliContext& ctx) {
  return state::TransferRegistry::open(state::default_state_dir(ctx.state_dir));
}

Status run_transfers(const CliContext& ctx) {
  PGS_ASSIGN_OR_RETURN(auto registry, open_registry(ctx));
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  if (ctx.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& t : all) j.push_back(to_json(t));
    ctx.print_json(j);
    return ok_status();
  }
  std::cout << fmt::format("{:<6} {:<26} {:<20} {:>10}  {} -> {}\n", "ID", "STATUS", "STARTED",
                           "SIZE", "SOURCE", "DESTINATION");
  for (const auto& t : all) {
    std::cout << fmt::format("{:<6} {:<26} {:<20} {:>10}  {} -> {}\n", t.id, t.status_text(),
                             time_text(t.started_at), t.bytes, t.source, t.destination);
  }
  for (const auto& t : all) {
    if (running(t)) continue;
    for (const auto& u : t.pending_uploads) std::cout << left_behind_hint(t, u) << "\n";
  }
  return ok_status();
}

Status run_info(const CliContext& ctx, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto registry, open_registry(ctx));
  PGS_ASSIGN_OR_RETURN(auto t, registry.get(id));
  if (ctx.json) {
    ctx.print_json(to_json(t));
    return ok_status();
  }
  std::cout << "id:          " << t.id << "\nstatus:      " << t.status_text()
            << "\nsource:      " << t.source << "\ndestination: " << t.destination
            << "\nsize:        " << t.bytes << " bytes\nsha256:      " << t.sha256
            << (t.etag.empty() ? "" : "\netag:        " + t.etag)
            << "\nstarted:     " << time_text(t.started_at)
            << "\nfinished:    " << time_text(t.finished_at) << "\n";
  if (!t.error.empty()) std::cout << "error:       " << t.error << "\n";
  for (const auto& w : t.warnings) std::cout << "warning:     " << w << "\n";
  for (const auto& u : t.pending_uploads) {
    std::cout << "upload:      " << (running(t) ? u : left_behind_hint(t, u)) << "\n";
  }
  return ok_status();
}

// With --follow, prints new lines every half second while the transfer
// runs (another process's), then its last lines; Ctrl-C stops following.
Status run_logs(const CliContext& ctx, const std::string& id, bool follow) {
  PGS_ASSIGN_OR_RETURN(auto registry, open_registry(ctx));
  size_t printed = 0;
  for (;;) {
    PGS_ASSIGN_OR_RETURN(auto t, registry.get(id));
    PGS_ASSIGN_OR_RETURN(auto lines, registry.logs(id));
    for (; printed < lines.size(); ++printed) {
      const auto& l = lines[printed];
      std::cout << time_text(l.at) << " " << l.level << ": " << l.line << "\n";
    }
    std::cout.flush();
    if (!follow || !running(t) || cancelled()) return ok_status();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

Status run_cancel(const CliContext& ctx, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto registry, open_registry(ctx));
  PGS_ASSIGN_OR_RETURN(std::string cancelled_id, registry.request_cancel(id));
  if (cancelled_id == id) {
    std::cout << "cancel requested for " << id << "\n";
  } else {
    std::cout << "cancel requested for " << cancelled_id << " (the closing verify of " << id
              << ", which ended)\n";
  }
  return ok_status();
}

void register_transfers(CLI::App& app, CliContext& ctx) {
  auto id = std::make_shared<std::string>();
  auto* list = app.add_subcommand("transfers", "List backups, restores, copies and verifies");
  list->callback([&ctx] { ctx.run = [&ctx] { return run_transfers(ctx); }; });
  auto* info = app.add_subcommand("info", "Show one transfer (status, sizes, sha256, errors)");
  info->add_option("ID", *id, "Transfer id, e.g. b001")->required();
  info->callback([&ctx, id] { ctx.run = [&ctx, id] { return run_info(ctx, *id); }; });
  auto* logs = app.add_subcommand("logs", "Print a transfer's log");
  logs->add_option("ID", *id, "Transfer id, e.g. b001")->required();
  auto follow = std::make_shared<bool>(false);
  logs->add_flag("-f,--follow", *follow, "Keep printing new lines until the transfer ends");
  logs->callback(
      [&ctx, id, follow] { ctx.run = [&ctx, id, follow] { return run_logs(ctx, *id, *follow); }; });
  auto* cancel = app.add_subcommand("cancel", "Cancel a running transfer (from any terminal)");
  cancel->add_option("ID", *id, "Transfer id, e.g. b001")->required();
  cancel->callback([&ctx, id] { ctx.run = [&ctx, id] { return run_cancel(ctx, *id); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(transfers, register_transfers);

}  // namespace pgshuttle::cli
