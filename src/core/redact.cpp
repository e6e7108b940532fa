#include "core/redact.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <regex>
#include <set>

namespace pgshuttle {
namespace {

std::mutex& secrets_mutex() {
  static std::mutex m;
  return m;
}

std::set<std::string, std::greater<>>& secrets() {  // longest-first by ordering
  static std::set<std::string, std::greater<>> s;
  return s;
}

struct PatternRule {
  std::regex pattern;
  std::string replacement;
};

const std::vector<PatternRule>& rules() {
  static const std::vector<PatternRule> r = [] {
    const auto icase = std::regex::ECMAScript | std::regex::icase;
    return std::vector<PatternRule>{
        // scheme://user:password@host -> scheme://user:***@host
        {std::regex(R"(([a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^@\s/]*@)", icase), "$1***@"},
        // password=secret or password='se cret' in libpq key=value strings
        {std::regex(R"((\bpassword\s*=\s*)('([^'\\]|\\.)*'|[^\s&]+))", icase), "$1***"},
        // presigned URL parameters and Authorization header signatures
        {std::regex(R"((X-Amz-(Signature|Credential|Security-Token)=)[^&\s"'<>]+)", icase),
         "$1***"},
        {std::regex(R"((Signature=)[0-9a-f]{16,})", icase), "$1***"},
        {std::regex(R"((Credential=)[^,\s&"'<>]+)", icase), "$1***"},
        {std::regex(R"((aws_secret_access_key\s*=\s*)\S+)", icase), "$1***"},
    };
  }();
  return r;
}

}  // namespace

void register_secret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(secrets_mutex());
  secrets().emplace(secret);
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    std::lock_guard lock(secrets_mutex());
    for (const auto& s : secrets()) {
      for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos)) {
        out.replace(pos, s.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  for (const auto& rule : rules()) out = std::regex_replace(out, rule.pattern, rule.replacement);
  return out;
}

}  // namespace pgshuttle
