//===- bench_flags_fuzzer.cpp - libFuzzer target: lowbit-bench's flags ----===//
//
// The input is one flag per line (`--name=value`), as lowbit-bench takes
// them: --threads goes through bench::takeThreadsFlag, the rest set the
// flag values (integers parsed as the command-line library does) and
// bench::validateFlags checks them. A configuration that validates must emit
// its kernel source without error. Bad flags must get a message, never a
// crash, hang or leak; nothing is compiled or run.
//
//===----------------------------------------------------------------------===//

#include "BenchConfig.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSwitch.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

using namespace lowbit;

namespace {
/// Sets the flag `name` to `value`; false for an unknown flag or a value the
/// command-line library would refuse.
bool setFlag(bench::BenchFlags &flags, llvm::StringRef name,
             llvm::StringRef value) {
  auto integer = [&](int64_t &out) { return !value.getAsInteger(10, out); };
  if (name == "m")
    return integer(flags.m);
  if (name == "n")
    return integer(flags.n);
  if (name == "k")
    return integer(flags.k);
  if (name == "group")
    return integer(flags.group);
  std::string *text = llvm::StringSwitch<std::string *>(name)
                          .Case("target", &flags.target)
                          .Case("arch", &flags.arch)
                          .Case("weight", &flags.weight)
                          .Case("zero", &flags.zero)
                          .Case("scale", &flags.scale)
                          .Case("cpu-schedule", &flags.cpuSchedule)
                          .Case("sweep", &flags.sweep)
                          .Case("act", &flags.act)
                          .Case("strategy", &flags.strategy)
                          .Case("isa", &flags.isa)
                          .Default(nullptr);
  if (!text)
    return false;
  *text = value.str();
  flags.actGiven |= name == "act";
  return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(reinterpret_cast<const char *>(data), size)
      .split(lines, '\n', -1, false);
  std::vector<std::string> storage = {"lowbit-bench"};
  for (llvm::StringRef line : lines)
    storage.push_back(line.str());
  std::vector<char *> argv;
  for (std::string &arg : storage)
    argv.push_back(arg.data());
  int argc = int(argv.size());
  int threads = 0;
  std::string error;
  if (!bench::takeThreadsFlag(argc, argv.data(), threads, error))
    return 0;

  bench::BenchFlags flags;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    if (!arg.consume_front("--") && !arg.consume_front("-"))
      return 0; // lowbit-bench takes no positional arguments.
    auto [name, value] = arg.split('=');
    if (!setFlag(flags, name, value))
      return 0;
  }
  std::optional<bench::Config> config = bench::validateFlags(flags, error);
  if (!config)
    return 0;
  // A configuration that validates must have a kernel.
  cpu::EmitResult emitted = config->gpuTarget
                                ? gpu::emitGpuKernel(bench::gpuSpec(*config))
                                : cpu::emitCpuKernel(config->spec);
  if (!emitted.error.empty() || emitted.source.empty())
    __builtin_trap();
  return 0;
}
