//===- SearchTest.cpp - Objectives, search space, database, descriptions --===//

#include "lowbit/Tune/Search.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

using namespace lowbit;
using namespace lowbit::tune;

namespace {
Candidate candidate(double us, double uj) {
  Candidate c;
  c.cost.seconds = us * 1e-6;
  c.cost.joules = uj * 1e-6;
  return c;
}

Objective objective(llvm::StringRef text) {
  std::string error;
  std::optional<Objective> parsed = parseObjective(text, error);
  EXPECT_TRUE(parsed) << error;
  return parsed.value_or(Objective{});
}
} // namespace

TEST(Search, ObjectivesPickDifferently) {
  // time (us), energy (uJ):   EDP
  std::vector<Candidate> c = {candidate(100, 100),  // 10000
                              candidate(105, 80),   //  8400
                              candidate(120, 60),   //  7200
                              candidate(300, 50)};  // 15000
  EXPECT_EQ(pick(c, objective("latency")), 0u);
  EXPECT_EQ(pick(c, objective("energy")), 3u);
  EXPECT_EQ(pick(c, objective("edp")), 2u);
  EXPECT_EQ(pick(c, objective("energy-within=10")), 1u);
  EXPECT_EQ(pick(c, objective("energy-within=20%")), 2u);
  EXPECT_EQ(pick(c, objective("energy-within=0")), 0u);
}

TEST(Search, ObjectiveErrors) {
  std::string error;
  EXPECT_FALSE(parseObjective("fast", error));
  EXPECT_NE(error.find("latency, energy, edp"), std::string::npos);
  EXPECT_FALSE(parseObjective("energy-within=-3", error));
  EXPECT_FALSE(parseObjective("energy-within=x", error));
  EXPECT_EQ(objectiveName(objective("energy-within=12.5")),
            "energy-within=12.5");
}

TEST(Search, Targets) {
  ASSERT_TRUE(parseTarget("cpu-avx2"));
  EXPECT_EQ(targetName(*parseTarget("cpu-avx2")), "cpu-avx2");
  EXPECT_TRUE(parseTarget("cuda")->gpu);
  EXPECT_FALSE(parseTarget("cpu-neon"));
  EXPECT_FALSE(parseTarget("avx2"));
}

TEST(Search, CpuSpaceIsLegalAndPruned) {
  llvm::Expected<Hardware> hw = loadHardware("zen1-2core");
  ASSERT_TRUE(bool(hw)) << llvm::toString(hw.takeError());
  Problem p;
  p.m = 16;
  p.n = 4096;
  p.k = 4096;
  p.scheme.groupShape = {1, 128};
  Target target = *parseTarget("cpu-avx2");
  llvm::Expected<SearchResult> result =
      search(p, target, *hw, Objective{});
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  // The row tiles (panel=0): rows 1..8, acc 1..8, 4 K-blockings, 1..2
  // threads = 128, less those needing more than 16 vector registers; and
  // the panel path (M = 16 reaches the default threshold) on 1 or 2
  // threads.
  EXPECT_EQ(result->candidates.size() + result->pruned, 130u);
  EXPECT_GT(result->pruned, 0u);
  int panels = 0;
  for (const Candidate &c : result->candidates) {
    if (c.cpu.panel > 0) {
      ++panels;
      EXPECT_EQ(c.cpu.panel, cpu::kDefaultPanelRows);
      EXPECT_EQ(c.cpu, (cpu::CpuSchedule{4, 1, 0, c.cpu.threads, 8}));
    } else {
      EXPECT_LE(cpuRegisters(p, target.isa, c.cpu), 16);
    }
    EXPECT_GT(c.cost.seconds, 0);
    EXPECT_GT(c.cost.joules, 0);
  }
  EXPECT_EQ(panels, 2);
  // The pick is the fastest.
  for (const Candidate &c : result->candidates)
    EXPECT_LE(result->candidates[result->chosen].cost.seconds,
              c.cost.seconds);
  // M = 1 has one row per tile: rows 1 only, keeping the default panel
  // threshold for larger calls.
  p.m = 1;
  result = search(p, target, *hw, Objective{});
  ASSERT_TRUE(bool(result));
  for (const Candidate &c : result->candidates) {
    EXPECT_EQ(c.cpu.rows, 1);
    EXPECT_EQ(c.cpu.panel, cpu::kDefaultPanelRows);
  }
}

TEST(Search, MismatchedHardware) {
  llvm::Expected<Hardware> hw = loadHardware("h100");
  ASSERT_TRUE(bool(hw)) << llvm::toString(hw.takeError());
  Problem p;
  p.n = p.k = 4096;
  p.scheme.groupShape = {1, 128};
  llvm::Expected<SearchResult> result =
      search(p, *parseTarget("cpu-avx2"), *hw, Objective{});
  ASSERT_FALSE(bool(result));
  EXPECT_NE(llvm::toString(result.takeError()).find("is a GPU"),
            std::string::npos);
}

TEST(Search, GpuSpace) {
  llvm::Expected<Hardware> hw = loadHardware("h100");
  ASSERT_TRUE(bool(hw));
  Problem p;
  p.m = 1;
  p.n = 4096;
  p.k = 4096;
  p.scheme.groupShape = {1, 128};
  p.activation = cpu::ScalarType::F16;
  llvm::Expected<SearchResult> result =
      search(p, *parseTarget("cuda"), *hw, Objective{});
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  EXPECT_GT(result->candidates.size(), 50u);
  size_t staged = 0;
  for (const Candidate &c : result->candidates) {
    EXPECT_LE(32 * c.gpu.warpsN * c.gpu.warpsK, 1024);
    staged += c.gpu.stages > 0;
  }
  // CUDA schedules include cp.async stages; HIP ones do not.
  EXPECT_GT(staged, 0u);
  // Register limits (ptxas on sm_90a): at most the generator's own tiles
  // (4 for int4, 2 for the table decode of e2m1), twice as many with stages.
  for (const Candidate &c : result->candidates)
    EXPECT_LE(c.gpu.tilesN, c.gpu.stages > 0 ? 8 : 4);
  Problem table = p;
  table.weight = *numerics::Format::parse("e2m1");
  llvm::Expected<SearchResult> tableResult =
      search(table, *parseTarget("cuda"), *hw, Objective{});
  ASSERT_TRUE(bool(tableResult)) << llvm::toString(tableResult.takeError());
  for (const Candidate &c : tableResult->candidates)
    EXPECT_LE(c.gpu.tilesN, c.gpu.stages > 0 ? 4 : 2);
  llvm::Expected<Hardware> mi300 = loadHardware("mi300x");
  ASSERT_TRUE(bool(mi300));
  llvm::Expected<SearchResult> hip =
      search(p, *parseTarget("hip"), *mi300, Objective{});
  ASSERT_TRUE(bool(hip)) << llvm::toString(hip.takeError());
  for (const Candidate &c : hip->candidates)
    EXPECT_EQ(c.gpu.stages, 0);
}

TEST(Hardware, BuiltinsLoad) {
  std::vector<std::string> names = builtinHardwareNames();
  for (const char *name :
       {"a100", "h100", "h200", "mi250", "mi300x", "zen1-2core"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end())
        << name;
  for (const std::string &name : names) {
    llvm::Expected<Hardware> hw = loadHardware(name);
    ASSERT_TRUE(bool(hw)) << llvm::toString(hw.takeError());
    EXPECT_EQ(hw->name, name);
  }
  EXPECT_EQ(loadHardware("h100")->cores, 132);
  EXPECT_EQ(loadHardware("mi300x")->warpSize, 64);
}

TEST(Hardware, PrintParseRoundTrip) {
  llvm::Expected<Hardware> loaded = loadHardware("zen1-2core");
  ASSERT_TRUE(bool(loaded)) << llvm::toString(loaded.takeError());
  Hardware hw = *loaded;
  llvm::Expected<Hardware> back =
      parseHardware(printHardware(hw, "a comment\nover two lines"), "x");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->cores, hw.cores);
  EXPECT_DOUBLE_EQ(back->dramBandwidth, hw.dramBandwidth);
  EXPECT_NEAR(back->fmaLatencyCycles, hw.fmaLatencyCycles,
              1e-5 * hw.fmaLatencyCycles);
}

TEST(Hardware, Errors) {
  auto message = [](llvm::StringRef text) {
    llvm::Expected<Hardware> hw = parseHardware(text, "t.mlir");
    return hw ? std::string() : llvm::toString(hw.takeError());
  };
  EXPECT_NE(message("module {}").find("no dlti.target_system_spec"),
            std::string::npos);
  EXPECT_NE(message("module attributes {dlti.target_system_spec = "
                    "#dlti.target_system_spec<\"x\" = "
                    "#dlti.target_device_spec<\"kind\" = \"gpu\">>} {}")
                .find("\"vendor\" is missing"),
            std::string::npos);
  EXPECT_NE(message("module attributes {dlti.target_system_spec = "
                    "#dlti.target_system_spec<\"x\" = "
                    "#dlti.target_device_spec<\"kind\" = \"tpu\">>} {}")
                .find("\"kind\" = \"cpu\" or \"gpu\""),
            std::string::npos);
  EXPECT_NE(message("module {").find("t.mlir:1"), std::string::npos);
  llvm::Expected<Hardware> missing = loadHardware("/no/such/file.mlir");
  ASSERT_FALSE(bool(missing));
  EXPECT_NE(llvm::toString(missing.takeError()).find("h100"),
            std::string::npos);
}

TEST(TuningDb, RoundTrip) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(
      llvm::sys::fs::createTemporaryFile("lowbit-db", "json", path));
  Problem p;
  p.n = p.k = 4096;
  p.scheme.groupShape = {1, 128};
  p.scheme.scaleType = numerics::ScaleType::F16;
  Target target = *parseTarget("cpu-avx2");
  std::string key = TuningDb::key(target, "zen1-2core", Objective{}, p);
  EXPECT_EQ(key, "cpu-avx2/zen1-2core/latency/m=1,n=4096,k=4096,w=int4,"
                 "g=128,z=none,s=f16,act=f32");
  TuningDb db;
  db.insert(key, {"rows=1,acc=4,kblock=0,threads=2", 1.5e-3, 2e-2, 1.6e-3});
  ASSERT_FALSE(bool(db.save(path)));
  llvm::Expected<TuningDb> loaded = TuningDb::load(path);
  ASSERT_TRUE(bool(loaded)) << llvm::toString(loaded.takeError());
  const TuningDb::Entry *entry = loaded->lookup(key);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->schedule, "rows=1,acc=4,kblock=0,threads=2");
  EXPECT_NEAR(entry->seconds, 1.5e-3, 1e-12);
  ASSERT_TRUE(entry->measuredSeconds);
  EXPECT_NEAR(*entry->measuredSeconds, 1.6e-3, 1e-12);
  llvm::sys::fs::remove(path);
  // Not a database.
  ASSERT_FALSE(
      llvm::sys::fs::createTemporaryFile("lowbit-db", "json", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << "{\"entries\": []}";
  }
  llvm::Expected<TuningDb> bad = TuningDb::load(path);
  ASSERT_FALSE(bool(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("not a lowbit tuning"),
            std::string::npos);
  llvm::sys::fs::remove(path);
}

TEST(Search, ScheduleText) {
  Target cpu = *parseTarget("cpu-avx2");
  llvm::Expected<Candidate> c =
      parseScheduleText(cpu, "rows=2,acc=4,kblock=1024,threads=1");
  ASSERT_TRUE(bool(c));
  // Keys left out keep their defaults (database entries written before the
  // panel path read as panel=8).
  EXPECT_EQ(scheduleText(cpu, *c),
            "rows=2,acc=4,kblock=1024,threads=1,panel=8");
  c = parseScheduleText(cpu, "rows=2,acc=4,kblock=1024,threads=1,panel=0");
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->cpu.panel, 0);
  Target cuda = *parseTarget("cuda");
  c = parseScheduleText(cuda, "tiles_n=2,warps_n=1,warps_k=8,split_k=4");
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->gpu.warpsK, 8);
  EXPECT_EQ(scheduleText(cuda, *c), "tiles_n=2,warps_n=1,warps_k=8,split_k=4");
  c = parseScheduleText(cuda, "tiles=2");
  EXPECT_FALSE(bool(c));
  llvm::consumeError(c.takeError());
  // cp.async stages: printed when there are some; 0 is the default.
  c = parseScheduleText(cuda,
                        "tiles_n=2,warps_n=2,warps_k=4,split_k=1,stages=3");
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->gpu.stages, 3);
  EXPECT_EQ(scheduleText(cuda, *c),
            "tiles_n=2,warps_n=2,warps_k=4,split_k=1,stages=3");
  c = parseScheduleText(cuda, "tiles_n=2,stages=0");
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->gpu.stages, 0);
  c = parseScheduleText(cuda, "tiles_n=0");
  ASSERT_FALSE(bool(c));
  EXPECT_NE(llvm::toString(c.takeError()).find("positive integer"),
            std::string::npos);
}
