// Helpers the sync tests share: the pgshuttle sync process in the
// background, a pgbench write load on the source, waiting for the sync to
// stream, and the independent comparison of chosen tables (never
// pgshuttle's own verify or counters).
#pragma once

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/subprocess.h"
#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle::sync::test {

using namespace std::chrono_literals;

// `pgshuttle sync SOURCE TARGET` running in the background.
// `faults`: PGSHUTTLE_FAULTS for it (core/fault.h); `global`: options
// before the command (--json); `extra`: options after it (--exclude ...).
inline Subprocess start_sync(const std::string& dir, const std::string& source,
                             const std::string& target, const std::string& faults = {},
                             const std::vector<std::string>& global = {},
                             const std::vector<std::string>& extra = {}) {
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(),
            "--state-dir",
            dir,
            "sync",
            source,
            target,
            "--jobs",
            "2",
            "--fence-grace",
            "1"};
  o.argv.insert(o.argv.end(), extra.begin(), extra.end());
  o.argv.insert(o.argv.begin() + 1, global.begin(), global.end());
  o.inherit = {"*"};
  if (!faults.empty()) o.env["PGSHUTTLE_FAULTS"] = faults;
  auto child = Subprocess::spawn(o);
  if (!child.ok()) throw std::runtime_error(child.error().to_string());
  return std::move(*child);
}

// pgbench on the source with `script` at `rate` transactions a second for
// `seconds` (its clients are ended by the cutover's fence).
inline Subprocess start_pgbench(const std::string& url, const std::string& script, int rate,
                                int seconds, int clients = 3) {
  std::string file = "/tmp/" + rig::unique_name("sync_pgbench") + ".sql";
  std::ofstream(file) << script;
  SubprocessOptions o;
  o.argv = {"pgbench", "-n",
            "-c",      std::to_string(clients),
            "-R",      std::to_string(rate),
            "-T",      std::to_string(seconds),
            "-f",      file,
            url};
  o.inherit = {"*"};
  auto child = Subprocess::spawn(o);
  if (!child.ok()) throw std::runtime_error(child.error().to_string());
  return std::move(*child);
}

// Waits until the sync streams: its applier made pgshuttle.sync_state.
inline bool wait_streaming(const std::string& target_admin_url, Subprocess& sync,
                           std::chrono::seconds limit = 120s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (rig::psql(target_admin_url, "SELECT to_regclass('pgshuttle.sync_state') IS NOT NULL") ==
        "t") {
      return true;
    }
    if (::kill(sync.pid(), 0) != 0) return false;
    std::this_thread::sleep_for(200ms);
  }
  // Stopped, so that its stderr is complete for the failure message, after
  // showing what the target's sessions were doing.
  std::cerr << "the sync did not stream within " << limit.count() << " s; target sessions:\n"
            << rig::psql(target_admin_url,
                         "SELECT pid, state, wait_event_type, wait_event, application_name, "
                         "left(query, 120) FROM pg_stat_activity WHERE datname = "
                         "current_database() AND pid <> pg_backend_pid()")
            << std::endl;
  sync.kill(SIGKILL);
  (void)sync.wait();
  return false;
}

// "table count md5" of each table, rows in a pinned text form.
inline std::string digest(const std::string& url, const std::vector<std::string>& tables) {
  std::string sql = rig::kPinnedText;
  for (const auto& t : tables) {
    sql += "SELECT '" + t + "', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY " +
           "x::text), '')) FROM public." + t + " x;";
  }
  return rig::psql(url, sql);
}

// Runs `pgshuttle cutover ID`; returns its result.
inline rig::CommandResult cutover(const std::string& dir, const std::string& id) {
  return rig::run_pgshuttle({"--state-dir", dir, "cutover", id, "--timeout", "300"});
}

// The slots and publications left on the source database.
inline std::string leftovers(const std::string& source_admin_url) {
  return rig::psql(source_admin_url,
                   "SELECT (SELECT count(*) FROM pg_replication_slots WHERE database = "
                   "current_database()) || ' slots, ' || (SELECT count(*) FROM "
                   "pg_publication) || ' publications'");
}

// A trigger on the target's `table` that counts every time the apply
// writes a row (by `id`) into applied_count: a change applied twice
// counts 2. Made by the target's superuser; ENABLE ALWAYS, as a trigger
// meant to fire on a subscriber's apply is.
inline void count_applications(const std::string& target_admin_url, const std::string& table) {
  rig::psql(target_admin_url,
            "CREATE TABLE public.applied_count (id bigint PRIMARY KEY, n int NOT NULL);"
            "CREATE FUNCTION public.count_apply() RETURNS trigger LANGUAGE plpgsql "
            "SECURITY DEFINER SET search_path = public AS $$ BEGIN "
            "INSERT INTO public.applied_count VALUES (NEW.id, 1) ON CONFLICT (id) DO UPDATE "
            "SET n = applied_count.n + 1; RETURN NEW; END $$;"
            "CREATE TRIGGER count_apply AFTER INSERT OR UPDATE ON public." +
                table +
                " FOR EACH ROW EXECUTE FUNCTION public.count_apply();"
                // Fires on a replica too: sync keeps only such triggers on.
                "ALTER TABLE public." +
                table + " ENABLE ALWAYS TRIGGER count_apply;");
}

}  // namespace pgshuttle::sync::test
