//===- BenchConfig.cpp - lowbit-bench's flags and their validation -------===//

#include "BenchConfig.h"

#include "lowbit/Numerics/Format.h"
#include "lowbit/Numerics/Quantize.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace lowbit;
using namespace lowbit::bench;

gpu::KernelSpec lowbit::bench::gpuSpec(const Config &config) {
  gpu::KernelSpec spec;
  spec.name = config.spec.name;
  spec.target = *config.gpuTarget;
  spec.weight = config.spec.weight;
  spec.scheme = config.spec.scheme;
  spec.activation = config.spec.activation;
  spec.output = config.spec.output;
  spec.n = config.spec.n;
  spec.k = config.spec.k;
  spec.strategy = config.spec.strategy;
  return spec;
}

namespace {
/// Sets `error` and returns std::nullopt, for one-line failures.
std::nullopt_t fail(std::string &error, std::string message) {
  error = std::move(message);
  return std::nullopt;
}

/// Checks that an `a` x `b` matrix of 8-byte values (lowbit-bench's float64
/// weights and reference) has a byte size that fits in 64 bits, so that no
/// size computed from the flags wraps around before allocating.
bool fitsInBytes(int64_t a, int64_t b) {
  int64_t elements, bytes;
  return !llvm::MulOverflow(a, b, elements) &&
         !llvm::MulOverflow(elements, int64_t(8), bytes);
}

/// Checks a GPU architecture name against the target's naming scheme (the
/// compiler flag is built from it).
bool isArchFor(gpu::Target target, llvm::StringRef arch) {
  if (target == gpu::Target::CUDA) {
    if (!arch.consume_front("sm_"))
      return false;
    arch.consume_back("a");
    unsigned version;
    return !arch.empty() && !arch.getAsInteger(10, version);
  }
  return arch.consume_front("gfx") && !arch.empty() &&
         llvm::all_of(arch, llvm::isAlnum);
}
} // namespace

std::optional<Config> lowbit::bench::validateFlags(const BenchFlags &flags,
                                                   std::string &error) {
  Config config;
  cpu::KernelSpec &spec = config.spec;
  if (flags.target != "cpu") {
    config.gpuTarget = gpu::parseTarget(flags.target);
    if (!config.gpuTarget)
      return fail(error,
                  "--target=" + flags.target + " is not one of cpu, cuda, hip");
  }
  // --arch and --sweep are ignored on the targets they do not apply to.
  if (!flags.arch.empty() && config.gpuTarget) {
    if (!isArchFor(*config.gpuTarget, flags.arch))
      return fail(error, "--arch=" + flags.arch + " is not a " +
                             (*config.gpuTarget == gpu::Target::CUDA
                                  ? "CUDA architecture (sm_NN or sm_NNa)"
                                  : "HIP architecture (gfxNNN)"));
  }
  if (flags.strategy != "auto" && !cpu::parseStrategy(flags.strategy))
    return fail(error, "--strategy=" + flags.strategy + " is not one of " +
                           cpu::strategyNames() + ", auto");
  if (config.gpuTarget && flags.strategyGiven && flags.strategy != "auto")
    if (std::string refusal =
            gpu::strategyError(*cpu::parseStrategy(flags.strategy));
        !refusal.empty())
      return fail(error, "--strategy=" + flags.strategy + ": " + refusal);
  if (flags.m < 1 || flags.n < 1 || flags.k < 1)
    return fail(error, "--m, --n and --k must be positive");
  if (!fitsInBytes(flags.m, flags.k) || !fitsInBytes(flags.n, flags.k) ||
      !fitsInBytes(flags.m, flags.n))
    return fail(error, "--m=" + std::to_string(flags.m) +
                           ", --n=" + std::to_string(flags.n) +
                           " and --k=" + std::to_string(flags.k) +
                           " are too large: the sizes of the matrices "
                           "overflow 64 bits");
  std::optional<cpu::Isa> isa = cpu::parseIsa(flags.isa);
  if (!isa)
    return fail(error,
                "--isa=" + flags.isa + " is not one of " + cpu::isaNames());
  spec.isa = *isa;
  // --act=int8: f32 activations that the kernel quantizes to int8 at run
  // time, which the int8-dot strategy does (and lut and auto may).
  bool int8Act = flags.act == "int8";
  if (int8Act && (config.gpuTarget ||
                  (flags.strategyGiven && flags.strategy == "dequant")))
    return fail(error, "--act=int8 (activations quantized to int8 at run "
                       "time) needs --target=cpu and --strategy=int8-dot, "
                       "lut or auto, not " +
                           (config.gpuTarget ? "a GPU target"
                                             : "--strategy=" + flags.strategy));
  std::optional<cpu::ScalarType> act = cpu::parseScalarType(
      int8Act ? "f32"
      : config.gpuTarget && !flags.actGiven ? "f16"
                                            : flags.act);
  if (!act)
    return fail(error,
                "--act=" + flags.act + " is not one of f32, f16, bf16, int8");
  spec.activation = *act;
  spec.output = *act;
  std::optional<numerics::ZeroPointMode> zero =
      numerics::parseZeroPointMode(flags.zero);
  if (!zero)
    return fail(error, "--zero=" + flags.zero +
                           " is not one of none, int, float, asym-fp");

  // MX and NV formats fix their scale type and group; others default to f16
  // scales and groups of 128.
  std::string scale = flags.scale;
  int64_t group = flags.group;
  std::string format = flags.weight;
  if (flags.weight == "mxfp4" || flags.weight == "nvfp4") {
    bool mx = flags.weight == "mxfp4";
    const char *fixedScale = mx ? "e8m0" : "e4m3";
    int64_t fixedGroup = mx ? 32 : 16;
    if (!scale.empty() && scale != fixedScale)
      return fail(error, "--weight=" + flags.weight + " uses " + fixedScale +
                             " scales, not --scale=" + scale);
    if (group != 0 && group != fixedGroup)
      return fail(error, "--weight=" + flags.weight + " uses groups of " +
                             std::to_string(fixedGroup) +
                             ", not --group=" + std::to_string(group));
    if (*zero != numerics::ZeroPointMode::None)
      return fail(error, "--weight=" + flags.weight + " has no zero points");
    scale = fixedScale;
    group = fixedGroup;
    format = "e2m1";
    spec.scheme.tensorScale = !mx;
  }
  std::optional<numerics::Format> parsed =
      numerics::Format::parse(format, &error);
  if (!parsed)
    return std::nullopt;
  if (parsed->kind() == numerics::FormatKind::ExponentOnly)
    return fail(error, "e8m0 is a scale format, not a weight format");
  spec.weight = *parsed;
  config.formatName = flags.weight;
  std::optional<numerics::ScaleType> scaleType =
      numerics::parseScaleType(scale.empty() ? "f16" : scale);
  if (!scaleType)
    return fail(error, "--scale=" + scale +
                           " is not one of f32, f16, bf16, e8m0, e4m3");
  spec.scheme.scaleType = *scaleType;
  spec.scheme.zeroPoint = *zero;
  spec.scheme.groupShape = {1,
                            group == 0 ? std::min<int64_t>(128, flags.k) : group};
  spec.n = flags.n;
  spec.k = flags.k;
  spec.name = "lowbit_bench_kernel";
  if (!flags.cpuSchedule.empty()) {
    if (config.gpuTarget)
      return fail(error, "--cpu-schedule applies to --target=cpu; GPU kernels "
                         "take --gpu-tile");
    std::string scheduleError;
    std::optional<cpu::CpuSchedule> schedule =
        cpu::parseSchedule(flags.cpuSchedule, scheduleError);
    if (!schedule)
      return fail(error, "--cpu-schedule=" + flags.cpuSchedule + ": " +
                             scheduleError);
    spec.schedule = *schedule;
  }
  if (!config.gpuTarget) {
    std::string name = int8Act && !flags.strategyGiven ? "int8-dot"
                                                       : flags.strategy;
    spec.strategy =
        name == "auto" ? cpu::autoStrategy(spec) : *cpu::parseStrategy(name);
    if (flags.lutGiven && spec.strategy != cpu::Strategy::Lut)
      return fail(error, std::string("--lut-group and --lut-exact apply to "
                                     "the lut strategy, not ") +
                             cpu::strategyName(spec.strategy));
    spec.lut.group = int(flags.lutGroup);
    spec.lut.exactTables = flags.lutExact;
  } else if (flags.lutGiven) {
    return fail(error, "--lut-group and --lut-exact apply to --target=cpu");
  } else {
    // auto is dequant on GPUs: the lut kernels have not been measured there.
    spec.strategy = flags.strategy == "lut" ? cpu::Strategy::Lut
                                            : cpu::Strategy::Dequant;
  }
  std::string invalid = config.gpuTarget ? gpu::verifyKernelSpec(gpuSpec(config))
                                         : cpu::verifyKernelSpec(spec);
  if (!invalid.empty())
    return fail(error, invalid);
  if (!flags.sweep.empty() && !config.gpuTarget) {
    llvm::SmallVector<llvm::StringRef> items;
    llvm::StringRef(flags.sweep).split(items, ';', -1, false);
    for (llvm::StringRef item : items) {
      std::string scheduleError;
      std::optional<cpu::CpuSchedule> schedule =
          cpu::parseSchedule(item.trim(), scheduleError);
      if (!schedule)
        return fail(error, "--sweep: " + item.str() + ": " + scheduleError);
      cpu::KernelSpec variant = spec;
      variant.schedule = *schedule;
      std::string invalid = cpu::verifyKernelSpec(variant);
      if (!invalid.empty())
        return fail(error, "--sweep: " + item.str() + ": " + invalid);
      config.sweep.push_back(*schedule);
    }
  }
  return config;
}

bool lowbit::bench::takeThreadsFlag(int &argc, char **argv, int &threads,
                                    std::string &error) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    llvm::StringRef value;
    if (arg.consume_front("--threads") || arg.consume_front("-threads")) {
      if (arg.consume_front("="))
        value = arg;
      else if (arg.empty() && i + 1 < argc)
        value = argv[++i];
      else {
        error = "--threads needs a value, as in --threads=2";
        return false;
      }
      if (value.getAsInteger(10, threads) || threads < 0) {
        error = "--threads=" + value.str() + " is not a non-negative integer";
        return false;
      }
      continue;
    }
    argv[out++] = argv[i];
  }
  argc = out;
  return true;
}
