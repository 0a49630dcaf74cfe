//===- Search.cpp - Schedule search and the tuning database ---------------===//

#include "lowbit/Tune/Search.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

using namespace lowbit;
using namespace lowbit::tune;
using llvm::StringRef;

namespace {
llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
} // namespace

std::optional<Objective> lowbit::tune::parseObjective(StringRef text,
                                                      std::string &message) {
  Objective objective;
  if (text == "latency")
    objective.kind = Objective::Latency;
  else if (text == "energy")
    objective.kind = Objective::Energy;
  else if (text == "edp")
    objective.kind = Objective::EDP;
  else if (text.consume_front("energy-within=")) {
    text.consume_back("%");
    objective.kind = Objective::EnergyWithin;
    if (text.getAsDouble(objective.percent) || objective.percent < 0 ||
        !std::isfinite(objective.percent)) {
      message = "energy-within needs a non-negative percentage, as in "
                "energy-within=10";
      return std::nullopt;
    }
  } else {
    message = "'" + text.str() +
              "' is not an objective: latency, energy, edp or "
              "energy-within=<percent>";
    return std::nullopt;
  }
  return objective;
}

std::string lowbit::tune::objectiveName(const Objective &objective) {
  switch (objective.kind) {
  case Objective::Latency:
    return "latency";
  case Objective::Energy:
    return "energy";
  case Objective::EDP:
    return "edp";
  case Objective::EnergyWithin: {
    char text[32];
    std::snprintf(text, sizeof text, "%g", objective.percent);
    return std::string("energy-within=") + text;
  }
  }
  return "latency";
}

std::optional<Target> lowbit::tune::parseTarget(StringRef text) {
  Target target;
  if (text.consume_front("cpu-")) {
    std::optional<cpu::Isa> isa = cpu::parseIsa(text);
    // The search measures dequant and int8-dot kernels, which neon lacks.
    if (!isa || *isa == cpu::Isa::Neon)
      return std::nullopt;
    target.isa = *isa;
    return target;
  }
  std::optional<gpu::Target> gpuTarget = gpu::parseTarget(text);
  if (!gpuTarget)
    return std::nullopt;
  target.gpu = true;
  target.gpuTarget = *gpuTarget;
  return target;
}

std::string lowbit::tune::targetName(const Target &target) {
  return target.gpu ? gpu::targetName(target.gpuTarget)
                    : std::string("cpu-") + cpu::isaName(target.isa);
}

std::string lowbit::tune::scheduleText(const Target &target,
                                       const Candidate &candidate) {
  if (!target.gpu)
    return cpu::formatSchedule(candidate.cpu);
  const gpu::TileConfig &t = candidate.gpu;
  return "tiles_n=" + std::to_string(t.tilesN) +
         ",warps_n=" + std::to_string(t.warpsN) +
         ",warps_k=" + std::to_string(t.warpsK) +
         ",split_k=" + std::to_string(t.splitK) +
         (t.stages > 0 ? ",stages=" + std::to_string(t.stages) : "");
}

llvm::Expected<Candidate> lowbit::tune::parseScheduleText(const Target &target,
                                                          StringRef text) {
  Candidate candidate;
  if (!target.gpu) {
    std::string message;
    std::optional<cpu::CpuSchedule> schedule =
        cpu::parseSchedule(text, message);
    if (!schedule)
      return error(message);
    candidate.cpu = *schedule;
    return candidate;
  }
  llvm::SmallVector<StringRef> items;
  text.split(items, ',', -1, false);
  for (StringRef item : items) {
    auto [key, value] = item.split('=');
    int number = 0;
    // stages=0 (the default) keeps the weights in registers.
    int least = key == "stages" ? 0 : 1;
    if (value.getAsInteger(10, number) || number < least)
      return error("'" + item + "' is not key=<" +
                   (least ? "positive" : "non-negative") + " integer>");
    if (key == "tiles_n")
      candidate.gpu.tilesN = number;
    else if (key == "warps_n")
      candidate.gpu.warpsN = number;
    else if (key == "warps_k")
      candidate.gpu.warpsK = number;
    else if (key == "split_k")
      candidate.gpu.splitK = number;
    else if (key == "stages")
      candidate.gpu.stages = number;
    else
      return error("unknown GPU schedule key '" + key +
                   "'; expected tiles_n, warps_n, warps_k, split_k, stages");
  }
  return candidate;
}

size_t lowbit::tune::pick(const std::vector<Candidate> &candidates,
                          const Objective &objective) {
  auto better = [&](const Candidate &a, const Candidate &b) {
    switch (objective.kind) {
    case Objective::Latency:
      return a.cost.seconds < b.cost.seconds;
    case Objective::Energy:
    case Objective::EnergyWithin:
      return a.cost.joules < b.cost.joules;
    case Objective::EDP:
      return a.cost.joules * a.cost.seconds < b.cost.joules * b.cost.seconds;
    }
    return false;
  };
  double fastest = INFINITY;
  for (const Candidate &c : candidates)
    fastest = std::min(fastest, c.cost.seconds);
  double bound = fastest * (1 + objective.percent / 100);
  size_t best = candidates.size();
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (objective.kind == Objective::EnergyWithin &&
        candidates[i].cost.seconds > bound)
      continue;
    if (best == candidates.size() || better(candidates[i], candidates[best]))
      best = i;
  }
  return best;
}

llvm::Expected<SearchResult>
lowbit::tune::search(const Problem &problem, const Target &target,
                     const Hardware &hw, const Objective &objective,
                     const Calibration &calibration,
                     const Progress &progress) {
  if (hw.gpu != target.gpu)
    return error("hardware '" + hw.name + "' is a " +
                 (hw.gpu ? "GPU" : "CPU") + " but the target " +
                 targetName(target) + " is not");
  if (problem.m < 1 || problem.n < 1 || problem.k < 1)
    return error("the shape M = " + std::to_string(problem.m) +
                 ", N = " + std::to_string(problem.n) + ", K = " +
                 std::to_string(problem.k) + " must be positive");
  SearchResult result;
  std::vector<Candidate> space;
  std::string firstError;
  // Counts a candidate the kernel generator refuses (keeping the first
  // reason for the error when nothing is left); false when it is legal.
  auto refused = [&](const std::string &invalid) {
    if (invalid.empty())
      return false;
    if (firstError.empty())
      firstError = invalid;
    ++result.pruned;
    return true;
  };
  if (!target.gpu) {
    cpu::KernelSpec spec = cpuKernelSpec(problem, target.isa);
    int64_t quantum = cpu::kBlockQuantum(spec);
    std::set<int64_t> kBlocks = {0};
    for (int64_t parts : {2, 4, 8}) {
      int64_t block = (problem.k / parts + quantum - 1) / quantum * quantum;
      if (block >= quantum && block < problem.k)
        kBlocks.insert(block);
    }
    int maxRows = 1;
    while (maxRows < problem.m && maxRows < 8)
      maxRows *= 2;
    // Adds `schedule` to the space unless the generator rejects it or,
    // for the row tiles, it needs more vector registers than there are.
    auto offer = [&](const cpu::CpuSchedule &schedule, bool rowTiles) {
      spec.schedule = schedule;
      if (refused(cpu::verifyKernelSpec(spec)))
        return;
      if (rowTiles && target.isa != cpu::Isa::Scalar &&
          cpuRegisters(problem, target.isa, schedule) > hw.vectorRegisters) {
        ++result.pruned;
        return;
      }
      Candidate c;
      c.cpu = schedule;
      space.push_back(c);
    };
    // At M of at least the default panel threshold the choice is between
    // the panel path (whose blocking is fixed) and the row tiles (panel=0);
    // below it the row tiles run, and larger calls keep the panel path.
    const bool panelChoice =
        target.isa != cpu::Isa::Scalar && problem.m >= cpu::kDefaultPanelRows;
    if (panelChoice)
      for (int threads = 1; threads <= hw.cores; ++threads) {
        cpu::CpuSchedule panel;
        panel.threads = threads;
        offer(panel, /*rowTiles=*/false);
      }
    for (int rows = 1; rows <= maxRows; rows *= 2)
      for (int acc : {1, 2, 4, 8}) {
        if (target.isa == cpu::Isa::Scalar && acc != 1)
          continue; // the scalar kernel has one accumulator per row
        for (int64_t kBlock : kBlocks)
          for (int threads = 1; threads <= hw.cores; ++threads)
            offer({rows, acc, kBlock, threads,
                   panelChoice ? 0 : cpu::kDefaultPanelRows},
                  /*rowTiles=*/true);
      }
  } else {
    gpu::KernelSpec spec = gpuKernelSpec(problem, target.gpuTarget);
    int64_t steps = (problem.k / 128 + 3) / 4;
    // cp.async stages are CUDA's: none (weights double-buffered in
    // registers) or 2..4 stages in shared memory.
    std::vector<int> stageChoices = {0};
    if (target.gpuTarget == gpu::Target::CUDA)
      stageChoices = {0, 2, 3, 4};
    // The generator's own tiles (which the compile tests keep free of
    // spills for every format), twice as many with stages (one register
    // buffer). It takes fewer tiles for the decodes that need more
    // temporaries (float bits, tables, asym-fp scales); ptxas -v on sm_90a
    // spilled beyond these bounds: 8 tiles of 2-bit codes, or 4 of e2m0 or
    // 3-bit codes with asym-fp scales, without stages; 8 tiles of e2m0 with
    // asym-fp scales with stages. Within them, 8 staged tiles of every
    // format the generator gives 4 tiles (32 kernels) and 4 staged tiles of
    // the others (77) compiled without spills.
    const int defaultTiles = gpu::defaultTileConfig(spec).tilesN;
    for (int tilesN : {1, 2, 4, 8})
      for (int warpsN : {1, 2, 4})
        for (int warpsK : {1, 2, 4, 8})
          for (int splitK : {1, 2, 4, 8, 16, 32, 64})
            for (int stages : stageChoices) {
              // Each warp needs at least one 4-chunk step of K.
              if (int64_t(warpsK) * splitK > std::max<int64_t>(steps, 1))
                continue;
              if (tilesN > (stages > 0 ? 2 : 1) * defaultTiles) {
                ++result.pruned;
                continue;
              }
              Candidate c;
              c.gpu = {tilesN, warpsN, warpsK, splitK, stages};
              spec.tile = c.gpu;
              if (refused(gpu::verifyKernelSpec(spec)))
                continue;
              // A lane's weights (4 * bits words a tile and buffer; two
              // buffers without stages) must stay far from the 255-register
              // limit.
              int buffers = stages > 0 ? 1 : 2;
              int weightRegisters =
                  4 * buffers * int(problem.weight.bits()) * tilesN;
              if (weightRegisters > 128) {
                ++result.pruned;
                continue;
              }
              // CUDA: ptxas caps registers at 65536 / (threads x blocks the
              // kernel is built for); the weight buffers alone must fit (4
              // tiles of int4 in 1024-thread blocks get 64 registers and ran
              // 2.5x slower than the best schedule on an H100).
              if (target.gpuTarget == gpu::Target::CUDA) {
                int threads = 32 * warpsN * warpsK;
                int budget = std::min(
                    255, 65536 / (threads * gpu::minBlocksPerMultiprocessor(
                                                spec, c.gpu)));
                if (weightRegisters > budget) {
                  ++result.pruned;
                  continue;
                }
              }
              space.push_back(c);
            }
  }
  if (space.empty())
    return error("no legal schedule for " + targetName(target) +
                 (firstError.empty() ? std::string()
                                     : ": " + firstError));
  for (size_t i = 0; i < space.size(); ++i) {
    Candidate &c = space[i];
    c.cost = target.gpu
                 ? predictGpu(problem, target.gpuTarget, c.gpu, hw,
                              calibration)
                 : predictCpu(problem, target.isa, c.cpu, hw, calibration);
    if (progress)
      progress(i + 1, space.size());
  }
  result.candidates = std::move(space);
  result.chosen = pick(result.candidates, objective);
  return result;
}

//===----------------------------------------------------------------------===//
// Tuning database
//===----------------------------------------------------------------------===//

std::string lowbit::tune::problemKey(const Problem &p) {
  int64_t group = p.scheme.groupShape.size() == 2 ? p.scheme.groupShape[1] : 0;
  return "m=" + std::to_string(p.m) + ",n=" + std::to_string(p.n) +
         ",k=" + std::to_string(p.k) + ",w=" + p.weight.name() +
         ",g=" + std::to_string(group) +
         ",z=" + numerics::zeroPointModeName(p.scheme.zeroPoint) +
         ",s=" + numerics::scaleTypeName(p.scheme.scaleType) +
         (p.scheme.tensorScale ? ",ts" : "") +
         ",act=" + cpu::scalarTypeName(p.activation);
}

std::string lowbit::tune::TuningDb::key(const Target &target,
                                        StringRef hardware,
                                        const Objective &objective,
                                        const Problem &problem) {
  return targetName(target) + "/" + hardware.str() + "/" +
         objectiveName(objective) + "/" + problemKey(problem);
}

const TuningDb::Entry *
lowbit::tune::TuningDb::lookup(const std::string &key) const {
  auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

void lowbit::tune::TuningDb::insert(const std::string &key, Entry entry) {
  entries[key] = std::move(entry);
}

llvm::Expected<TuningDb> lowbit::tune::TuningDb::load(StringRef path) {
  TuningDb db;
  if (!llvm::sys::fs::exists(path))
    return db;
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return error("cannot read tuning database " + path + ": " +
                 buffer.getError().message());
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return error(path + ": " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *list = root ? root->getArray("entries") : nullptr;
  std::optional<int64_t> version =
      root ? root->getInteger("lowbit_tuning_db") : std::nullopt;
  if (!list || version != 1)
    return error(path + ": not a lowbit tuning database (expected an object "
                        "with \"lowbit_tuning_db\": 1 and \"entries\")");
  for (size_t i = 0; i < list->size(); ++i) {
    const llvm::json::Object *item = (*list)[i].getAsObject();
    std::optional<StringRef> key = item ? item->getString("key") : std::nullopt;
    std::optional<StringRef> schedule =
        item ? item->getString("schedule") : std::nullopt;
    std::optional<double> timeUs =
        item ? item->getNumber("time_us") : std::nullopt;
    std::optional<double> energyUj =
        item ? item->getNumber("energy_uj") : std::nullopt;
    if (!key || !schedule || !timeUs || !energyUj)
      return error(path + ": entry " + std::to_string(i) +
                   " needs \"key\", \"schedule\", \"time_us\" and "
                   "\"energy_uj\"");
    Entry entry;
    entry.schedule = schedule->str();
    entry.seconds = *timeUs * 1e-6;
    entry.joules = *energyUj * 1e-6;
    if (std::optional<double> measured = item->getNumber("measured_us"))
      entry.measuredSeconds = *measured * 1e-6;
    db.entries[key->str()] = entry;
  }
  return db;
}

llvm::Error lowbit::tune::TuningDb::save(StringRef path) const {
  llvm::json::Array list;
  for (const auto &[key, entry] : entries) {
    llvm::json::Object item{{"key", key},
                            {"schedule", entry.schedule},
                            {"time_us", entry.seconds * 1e6},
                            {"energy_uj", entry.joules * 1e6}};
    if (entry.measuredSeconds)
      item["measured_us"] = *entry.measuredSeconds * 1e6;
    list.push_back(std::move(item));
  }
  llvm::json::Object root{{"lowbit_tuning_db", 1},
                          {"entries", std::move(list)}};
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return error("cannot write tuning database " + path + ": " + ec.message());
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return llvm::Error::success();
}
