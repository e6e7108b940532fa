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
  int secret_group;  // the submatch that is the secret itself
};

const std::vector<PatternRule>& rules() {
  static const std::vector<PatternRule> r = [] {
    const auto icase = std::regex::ECMAScript | std::regex::icase;
    return std::vector<PatternRule>{
        // scheme://user:password@host -> scheme://user:***@host
        {std::regex(R"(([a-z][a-z0-9+.-]*://[^:/?#@\s]*:)([^@\s/]*)@)", icase), "$1***@", 2},
        // password=secret or password='se cret' in libpq key=value strings
        {std::regex(R"((\bpassword\s*=\s*)('([^'\\]|\\.)*'|[^\s&]+))", icase), "$1***", 2},
        // presigned URL parameters and Authorization header signatures
        {std::regex(R"((X-Amz-(Signature|Credential|Security-Token)=)([^&\s"'<>]+))", icase),
         "$1***", 3},
        {std::regex(R"((Signature=)([0-9a-f]{16,}))", icase), "$1***", 2},
        {std::regex(R"((Credential=)([^,\s&"'<>]+))", icase), "$1***", 2},
        {std::regex(R"((aws_secret_access_key\s*=\s*)(\S+))", icase), "$1***", 2},
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

std::string mask_secrets(std::string_view text) {
  // Matches are found in the original text: a masked secret must not change
  // what the next rule sees as a word boundary or a quote.
  const std::string original(text);
  std::string out(text);
  for (const auto& rule : rules()) {
    for (std::sregex_iterator m(original.begin(), original.end(), rule.pattern), end; m != end;
         ++m) {
      const auto& secret = (*m)[rule.secret_group];
      if (!secret.matched) continue;
      size_t at = static_cast<size_t>(secret.first - original.begin());
      std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at), secret.length(), '*');
    }
  }
  return out;
}

}  // namespace pgshuttle
