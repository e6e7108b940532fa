// Renderings of a VerifyReport: a terminal table, JSON, a self-contained
// HTML page (inline CSS, no scripts or external resources) and JUnit XML
// for CI (one test case per table, schema object kind and query).
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "verify/verify.h"

namespace pgshuttle::verify {

std::string to_text(const VerifyReport& report);
nlohmann::json to_json(const VerifyReport& report);
std::string to_html(const VerifyReport& report);
std::string to_junit(const VerifyReport& report);

// Escapes &, <, >, " and ' for HTML and XML text and attributes.
std::string xml_escape(std::string_view text);

}  // namespace pgshuttle::verify
