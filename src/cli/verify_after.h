// The verify that `copy` and `restore --verify-against` run at their end:
// the target compared with a source database, recorded as a vNNN transfer,
// a one-line summary (or the full report when they differ) on stdout, and
// kVerifyFailed when they differ.
//
// Thread safety: call from the command's thread.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "cli/command.h"
#include "pg/conninfo.h"
#include "verify/verify.h"

namespace pgshuttle::cli {

// `what` names the target in messages ("the copy", "the restored database");
// `why_different` is the hint when the databases differ; `follows` is the
// id of the copy or restore it closes (`pgshuttle cancel` of that id
// reaches this verify). The verify's id and counts go to json["verify"].
Status verify_after(const CliContext& ctx, const pg::ConnInfo& source, const pg::ConnInfo& target,
                    const verify::VerifyOptions& options, const std::string& what,
                    const std::string& follows, const std::string& why_different,
                    nlohmann::json& json);

}  // namespace pgshuttle::cli
