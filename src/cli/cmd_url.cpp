// pgshuttle url s3://bucket/key [--expires 5m]: a presigned GET URL, made
// locally (no request to S3), for a restore on a machine without credentials.
#include <iostream>

#include "cli/command.h"
#include "core/human.h"
#include "storage/storage.h"

namespace pgshuttle::cli {
namespace {

struct UrlOptions {
  std::string location;
  std::string expires = "5m";
  storage::S3Options s3;
};

Status run_url(const CliContext& ctx, const UrlOptions& o) {
  auto expires = parse_duration(o.expires);
  if (!expires) {
    return make_error(ErrorCode::kUsage, "cannot read --expires '" + o.expires + "'",
                      "write a duration such as 300, 90s, 5m, 2h or 7d");
  }
  PGS_ASSIGN_OR_RETURN(std::string url, storage::presign_get_url(o.location, *expires, o.s3));
  auto until = std::chrono::system_clock::now() + *expires;
  if (ctx.json) {
    // Printed verbatim: the URL is what the user asked for (print_json would redact it).
    nlohmann::json j = {{"url", url},
                        {"expires_in_seconds", expires->count()},
                        {"expires_at", std::chrono::system_clock::to_time_t(until)}};
    std::cout << j.dump(2) << std::endl;
  } else {
    std::cout << url << std::endl;
  }
  return ok_status();
}

void register_url(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<UrlOptions>();
  auto* cmd = app.add_subcommand("url",
                                 "Print a presigned GET URL for s3://bucket/key (no "
                                 "credentials needed to download with it)");
  cmd->add_option("LOCATION", opts->location, "s3://bucket/key")->required();
  cmd->add_option("--expires", opts->expires, "Validity: 90s, 5m, 2h, 7d (default 5m, max 7d)");
  add_s3_options(cmd, opts->s3);
  cmd->callback([&ctx, opts] { ctx.run = [&ctx, opts] { return run_url(ctx, *opts); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(url, register_url);

}  // namespace pgshuttle::cli
