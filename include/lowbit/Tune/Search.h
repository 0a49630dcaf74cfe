//===- Search.h - Schedule search and the tuning database ------*- C++ -*-===//
//
// Enumerates the legal schedules of a matmul for a target, prunes them by
// resources, prices each with the cost model, and picks one by objective.
// Results are kept in a tuning database (a JSON file keyed by target,
// hardware, objective and op signature) that later compiles reuse.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TUNE_SEARCH_H
#define LOWBIT_TUNE_SEARCH_H

#include "lowbit/Tune/CostModel.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lowbit::tune {

/// What the search minimizes.
struct Objective {
  enum Kind { Latency, Energy, EDP, EnergyWithin } kind = Latency;
  /// EnergyWithin: least energy among schedules at most `percent` % slower
  /// than the fastest.
  double percent = 0;
};
/// latency, energy, edp, energy-within=<percent>.
std::optional<Objective> parseObjective(llvm::StringRef text,
                                        std::string &error);
std::string objectiveName(const Objective &objective);

/// Where the kernel runs: a CPU ISA or a GPU family.
struct Target {
  bool gpu = false;
  cpu::Isa isa = cpu::Isa::AVX512;
  gpu::Target gpuTarget = gpu::Target::CUDA;
};
/// cpu-avx512, cpu-avx2, cpu-scalar, cuda, hip.
std::optional<Target> parseTarget(llvm::StringRef text);
std::string targetName(const Target &target);

/// One schedule with its predicted cost.
struct Candidate {
  cpu::CpuSchedule cpu;  ///< CPU targets.
  gpu::TileConfig gpu;   ///< GPU targets.
  Cost cost;
};
/// The schedule as text: formatSchedule's form on CPUs,
/// "tiles_n=4,warps_n=2,warps_k=4,split_k=1" on GPUs.
std::string scheduleText(const Target &target, const Candidate &candidate);

struct SearchResult {
  std::vector<Candidate> candidates; ///< Every legal schedule, priced.
  size_t chosen = 0;                 ///< Index of the objective's pick.
  size_t pruned = 0;                 ///< Schedules dropped by resources.
};

/// Called after each priced candidate with (done, total).
using Progress = std::function<void(size_t, size_t)>;

/// The legal schedules of `problem` on `target` (CPU: rows, accumulators,
/// K passes, threads; GPU: tiles per warp, warps along N and K, split K),
/// pruned by registers and the generator's own checks, priced, and the pick.
llvm::Expected<SearchResult> search(const Problem &problem,
                                    const Target &target, const Hardware &hw,
                                    const Objective &objective,
                                    const Calibration &calibration = {},
                                    const Progress &progress = {});

/// Index of the candidate `objective` picks (candidates must not be empty).
size_t pick(const std::vector<Candidate> &candidates,
            const Objective &objective);

/// The database key of a problem: "m=1,n=4096,k=4096,w=int4,g=128,z=none,
/// s=f16,act=f32".
std::string problemKey(const Problem &problem);

/// A tuning database: a JSON file of entries keyed by target, hardware,
/// objective and problem (docs/tuning.md shows the format).
class TuningDb {
public:
  struct Entry {
    std::string schedule; ///< scheduleText's form.
    double seconds = 0, joules = 0; ///< Predicted.
    std::optional<double> measuredSeconds;
  };

  /// Reads `path`; a missing file is an empty database.
  static llvm::Expected<TuningDb> load(llvm::StringRef path);
  /// Writes the database to `path`, sorted by key.
  llvm::Error save(llvm::StringRef path) const;

  static std::string key(const Target &target, llvm::StringRef hardware,
                         const Objective &objective, const Problem &problem);
  const Entry *lookup(const std::string &key) const;
  void insert(const std::string &key, Entry entry);
  size_t size() const { return entries.size(); }

private:
  std::map<std::string, Entry> entries;
};

/// Parses scheduleText's form back into a candidate's schedule.
llvm::Expected<Candidate> parseScheduleText(const Target &target,
                                            llvm::StringRef text);

} // namespace lowbit::tune

#endif // LOWBIT_TUNE_SEARCH_H
