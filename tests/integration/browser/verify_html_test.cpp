// verify's --html report as a person sees it: opened in headless Chromium,
// checked through the rendered page (title, visible text, table rows and the
// styles applied to them), with a screenshot kept as a test artifact in
// <build>/test-artifacts/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "headless_chromium.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What the page shows: title, verdict heading (text and colour), the whole
// visible text, and for each row of #tables and #differences its class, the
// text of its cells and the background of its status cell.
constexpr const char* kReadPage = R"(
const verdict = document.getElementById('verdict');
const rows = (id) => Array.from(document.querySelectorAll('#' + id + ' tr')).slice(1).map(tr => {
  const status = tr.querySelector('td.status, td.sev') || tr.cells[0];
  return {cls: tr.className, cells: Array.from(tr.cells).map(td => td.innerText),
          statusBackground: getComputedStyle(status).backgroundColor};
});
return {title: document.title,
        verdict: verdict ? verdict.innerText : null,
        verdictColor: verdict ? getComputedStyle(verdict).color : null,
        text: document.body.innerText,
        tables: rows('tables'), differences: rows('differences'),
        height: document.documentElement.scrollHeight};
)";

// <build>/test-artifacts: the test binary is <build>/tests/it_browser.
fs::path artifact_dir() {
  fs::path dir = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "test-artifacts";
  fs::create_directories(dir);
  return dir;
}

struct RenderedReport {
  json page;
  fs::path screenshot;
};

// Opens `html` in Chromium, reads the page and saves a screenshot as `png_name`.
RenderedReport render(const fs::path& html, const std::string& png_name) {
  browser::HeadlessChromium chromium;
  chromium.open("file://" + fs::absolute(html).string());
  RenderedReport out{chromium.evaluate(kReadPage), artifact_dir() / png_name};
  std::string png = chromium.screenshot_png();
  std::ofstream(out.screenshot, std::ios::binary) << png;
  std::cout << "screenshot: " << out.screenshot.string() << " (" << png.size() << " bytes)\n";
  return out;
}

// Runs verify with --html and returns the report's path; expects `exit_code`.
fs::path verify_html(const rig::ScratchDatabase& source, const rig::ScratchDatabase& target,
                     int exit_code) {
  fs::path html = fs::temp_directory_path() / (rig::unique_name("verify_report") + ".html");
  auto r = rig::run_pgshuttle({"verify", source.url(), target.url(), "--html", html.string()});
  EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
  EXPECT_TRUE(fs::exists(html)) << r.err;
  return html;
}

const json* find_row(const json& rows, size_t column, const std::string& needle) {
  for (const auto& row : rows) {
    if (row["cells"].size() > column &&
        row["cells"][column].get<std::string>().find(needle) != std::string::npos) {
      return &row;
    }
  }
  return nullptr;
}

// Red and green channels of a computed "rgb(r, g, b)" colour.
std::pair<int, int> red_green(const std::string& css) {
  int r = -1, g = -1, b = -1;
  std::sscanf(css.c_str(), "rgb(%d, %d, %d)", &r, &g, &b);
  return {r, g};
}

bool contains(const json& text, const std::string& needle) {
  return text.get<std::string>().find(needle) != std::string::npos;
}

void expect_png(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string magic(8, '\0');
  in.read(magic.data(), 8);
  EXPECT_EQ(magic, "\x89PNG\r\n\x1a\n") << file;
  EXPECT_GT(fs::file_size(file), 10000u) << "a blank page compresses smaller: " << file;
}

struct Northwind {
  rig::ScratchDatabase source{rig::Server::kSource, "browser_src"};
  rig::ScratchDatabase target{rig::Server::kTarget, "browser_tgt"};
  Northwind() {
    rig::load_sample(source.url(), "northwind");
    rig::load_sample(target.url(), "northwind");
  }
};

// Rows of the differences table that are differences, not warnings.
size_t count_differences(const json& rows) {
  size_t n = 0;
  for (const auto& row : rows) {
    if (row.value("cls", "") != "warning") ++n;
  }
  return n;
}

TEST(VerifyHtmlInBrowser, DifferencesAreShownPerTableAndRow) {
  Northwind db;
  rig::psql(db.target.admin_url(),
            "DELETE FROM order_details WHERE order_id = 10248 AND product_id = 11;"
            "UPDATE shippers SET phone = '(503) 555-0000' WHERE shipper_id = 2;");
  fs::path html = verify_html(db.source, db.target, 6);
  RenderedReport shown = render(html, "verify-report.png");
  const json& page = shown.page;

  EXPECT_EQ(page["title"], "pgshuttle verify: FAILED");
  ASSERT_TRUE(page["verdict"].is_string()) << "no #verdict heading rendered";
  // Per differing table: its "table data" summary and one line per row.
  EXPECT_TRUE(contains(page["verdict"], "Failed: 4 differences")) << page["verdict"];
  auto [red, green] = red_green(page["verdictColor"]);
  EXPECT_GT(red, green) << "a failed verdict is shown in red: " << page["verdictColor"];

  // The two tables that differ, and one that matches, as rendered rows.
  const json* details = find_row(page["tables"], 0, "public.order_details");
  const json* shippers = find_row(page["tables"], 0, "public.shippers");
  const json* customers = find_row(page["tables"], 0, "public.customers");
  ASSERT_TRUE(details && shippers && customers) << page["tables"].dump(1);
  EXPECT_EQ((*details)["cells"][1], "differ");
  EXPECT_EQ((*details)["cells"][4], "1") << "one row missing on target";
  EXPECT_EQ((*shippers)["cells"][1], "differ");
  EXPECT_EQ((*shippers)["cells"][6], "1") << "one row changed";
  EXPECT_EQ((*customers)["cells"][1], "match");
  EXPECT_EQ((*customers)["cells"][2], (*customers)["cells"][3]) << "same row counts";
  EXPECT_NE((*details)["statusBackground"], (*customers)["statusBackground"])
      << "differing and matching tables are coloured apart";
  EXPECT_EQ(page["tables"].size(), 14u) << "every Northwind table is listed";

  // Each difference names its row by key.
  const json* deleted = find_row(page["differences"], 2, "order_id=10248");
  ASSERT_NE(deleted, nullptr) << page["differences"].dump(1);
  EXPECT_TRUE(contains((*deleted)["cells"][2], "public.order_details"));
  EXPECT_TRUE(contains((*deleted)["cells"][2], "product_id=11"));
  EXPECT_TRUE(contains((*deleted)["cells"][4], "missing on target"));
  const json* changed = find_row(page["differences"], 2, "public.shippers shipper_id=2");
  ASSERT_NE(changed, nullptr) << page["differences"].dump(1);
  EXPECT_TRUE(contains((*changed)["cells"][6], "(503) 555-0000")) << (*changed).dump();
  const json* summary = find_row(page["differences"], 5, "1 missing");
  ASSERT_NE(summary, nullptr) << page["differences"].dump(1);
  EXPECT_EQ((*summary)["cells"][2], "public.order_details");
  // Server settings that differ are listed too, as warnings; four real differences.
  EXPECT_EQ(count_differences(page["differences"]), 4u) << page["differences"].dump(1);

  // Connection strings are shown, their passwords are not.
  EXPECT_TRUE(contains(page["text"], "app:***@")) << page["text"];
  EXPECT_FALSE(contains(page["text"], ":" + rig::env("RIG_TARGET_APP_PASSWORD") + "@"));

  expect_png(shown.screenshot);
  fs::remove(html);
}

TEST(VerifyHtmlInBrowser, IdenticalDatabasesPass) {
  Northwind db;
  fs::path html = verify_html(db.source, db.target, 0);
  RenderedReport shown = render(html, "verify-report-passed.png");
  const json& page = shown.page;

  EXPECT_EQ(page["title"], "pgshuttle verify: passed");
  ASSERT_TRUE(page["verdict"].is_string()) << "no #verdict heading rendered";
  EXPECT_TRUE(contains(page["verdict"], "Passed: 0 differences")) << page["verdict"];
  auto [red, green] = red_green(page["verdictColor"]);
  EXPECT_GT(green, red) << "a passed verdict is shown in green: " << page["verdictColor"];
  EXPECT_EQ(count_differences(page["differences"]), 0u) << page["differences"].dump(1);
  ASSERT_EQ(page["tables"].size(), 14u) << page["tables"].dump(1);
  for (const auto& row : page["tables"]) EXPECT_EQ(row["cells"][1], "match") << row.dump();
  expect_png(shown.screenshot);
  fs::remove(html);
}

}  // namespace
}  // namespace pgshuttle
