//===- lowbit-bench.cpp - Run, check and time one kernel configuration ----===//
//
// Generates the kernel for y[M, N] = x[M, K] * dequant(W[N, K])^T, compiles
// it with the system C++ compiler, runs it on fresh random data, checks it
// against a float64 reference and times it against the read bandwidth
// measured in the same run. See docs/lowbit-bench.md.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Format.h"
#include "lowbit/Numerics/Pack.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Support/Npy.h"
#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Target/GPU/GpuKernel.h"

#include "BenchConfig.h"
#include "GpuEmulator.h"
#include "GpuProbe.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <random>
#include <thread>
#include <unistd.h>

using namespace lowbit;
using bench::Config;
using bench::gpuSpec;
namespace cl = llvm::cl;

static cl::OptionCategory category("lowbit-bench options");
static cl::opt<std::string> target("target", cl::desc("cpu, cuda or hip"),
                                   cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    arch("arch",
         cl::desc("GPU architecture to compile for (cuda: sm_80, sm_90, "
                  "sm_90a; hip: gfx90a, gfx942); default sm_90a / gfx90a"),
         cl::init(""), cl::cat(category));
static cl::opt<int64_t> optM("m", cl::desc("rows of activations"), cl::init(1),
                             cl::cat(category));
static cl::opt<int64_t> optN("n", cl::desc("output features"), cl::init(4096),
                             cl::cat(category));
static cl::opt<int64_t> optK("k", cl::desc("input features"), cl::init(4096),
                             cl::cat(category));
static cl::opt<std::string>
    weightName("weight",
               cl::desc("weight format: int1..int8, uint1..uint8, eXmY, nf4, "
                        "ternary, mxfp4, nvfp4"),
               cl::init("int4"), cl::cat(category));
static cl::opt<int64_t> optGroup("group", cl::desc("group size along K"),
                                 cl::init(0), cl::cat(category));
static cl::opt<std::string> zeroName("zero",
                                     cl::desc("none, int, float, asym-fp"),
                                     cl::init("none"), cl::cat(category));
static cl::opt<std::string> scaleName("scale",
                                      cl::desc("f32, f16, bf16, e8m0, e4m3"),
                                      cl::init(""), cl::cat(category));
static cl::opt<std::string>
    gpuTile("gpu-tile",
            cl::desc("GPU decomposition tilesN,warpsN,warpsK,splitK"
                     "[,stages[,wgmma]] (default: the emitter's choice; "
                     "stages 2..8: CUDA cp.async stages; wgmma 1: M > 8 on "
                     "sm_90a wgmma)"),
            cl::init(""), cl::cat(category));
static cl::opt<std::string>
    cpuSchedule("cpu-schedule",
                cl::desc("CPU schedule rows=R,acc=A,kblock=B,threads=T,panel=P "
                         "(any subset; default: the emitter's; "
                         "docs/tuning.md)"),
                cl::init(""), cl::cat(category));
static cl::opt<std::string> sweep(
    "sweep",
    cl::desc("CPU: also time these schedules, ';'-separated (each "
             "rows=R,acc=A,kblock=B,threads=T), on the same data in the same "
             "run; reported under \"sweep\""),
    cl::init(""), cl::cat(category));
static cl::opt<std::string> actName("act",
                                    cl::desc("f32, f16, bf16, or int8 (CPU: "
                                             "f32 quantized at run time; "
                                             "default f32 on the CPU, f16 on "
                                             "GPUs)"),
                                    cl::init("f32"), cl::cat(category));
static cl::opt<int64_t>
    lutGroup("lut-group",
             cl::desc("lut strategy: activations per table (1, 2, 4, 8)"),
             cl::init(4), cl::cat(category));
static cl::opt<bool>
    lutExact("lut-exact",
             cl::desc("lut strategy: f32 tables (vector ISAs: int8 "
                      "otherwise)"),
             cl::cat(category));
static cl::opt<std::string> strategyName(
    "strategy",
    cl::desc("dequant, int8-dot (CPU only: activations quantized to int8 "
             "at run time), lut, bf16-dot (CPU only: --act=bf16, "
             "--isa=avx512 or scalar) or auto (default dequant; int8-dot "
             "with --act=int8; auto is dequant on GPUs)"),
    cl::init("dequant"), cl::cat(category));
static cl::opt<std::string> isaName("isa", cl::desc("scalar, avx2, avx512, neon"),
                                    cl::init("avx512"), cl::cat(category));
// --threads is parsed by hand (see bench::takeThreadsFlag): the shared libLLVM
// already registers a command-line option of that name.
static int threads = 0;
static cl::opt<uint64_t> seed("seed", cl::desc("random seed (0: fresh)"),
                              cl::init(0), cl::cat(category));
static cl::opt<bool> check("check", cl::desc("compare with float64"),
                           cl::cat(category));
static cl::opt<int> repeats("repeats", cl::desc("timed calls (0: no timing)"),
                            cl::init(20), cl::cat(category));
static cl::opt<std::string> dumpDir("dump", cl::desc("write .npy files here"),
                                    cl::init(""), cl::cat(category));
static cl::opt<bool> json("json", cl::desc("print one JSON object"),
                          cl::cat(category));
static cl::opt<bool> compileOnly(
    "compile-only",
    cl::desc("stop after generating and compiling the kernel (for ISAs this "
             "machine cannot run)"),
    cl::cat(category));
static cl::opt<std::string>
    cxx("cxx",
        cl::desc("C++ compiler command for kernels, with any flags, e.g. "
                 "\"clang++-22 --target=aarch64-linux-gnu\" (default: $CXX, "
                 "else g++)"),
        cl::init(""), cl::cat(category));
static cl::opt<std::string> emulator(
    "emulator",
    cl::desc("build the kernel into a static program and run it under this "
             "command (e.g. qemu-aarch64) instead of loading it: for ISAs of "
             "another architecture, with a cross compiler in --cxx; checks "
             "only (--repeats=0)"),
    cl::init(""), cl::cat(category));

static cl::opt<std::string> emulateIsa(
    "emulate-isa",
    cl::desc("x86 kernels: compile against SIMDe, the portable "
             "implementation of the x86 intrinsics whose headers are in this "
             "directory (scripts/setup.sh installs the simde-py package; "
             "python3 -c \"import simde_py; print(simde_py.get_include())\"), "
             "so kernels for instructions this CPU lacks (AVX-512, VNNI) run "
             "here; checks only (--repeats=0)"),
    cl::value_desc("dir"), cl::init(""), cl::cat(category));

static cl::opt<std::string> kernelCache(
    "kernel-cache",
    cl::desc("keep compiled CPU kernels in this directory, named by a hash "
             "of their source, compiler command and flags, and load them "
             "from there when the same kernel comes again (sweeps over M, "
             "which is a run-time argument)"),
    cl::value_desc("dir"), cl::init(""), cl::cat(category));

static cl::opt<bool> emulateGpu(
    "emulate-gpu",
    cl::desc("--target=cuda|hip: build the kernel (tensor-core or lut) and "
             "the probe for this CPU with an emulation of the GPU runtime "
             "(one thread per GPU thread) and check it (--repeats=0); no "
             "GPU needed"),
    cl::cat(category));

static cl::opt<std::string> gpuEmulationKit(
    "gpu-emulation-kit",
    cl::desc("write the CPU emulation of the CUDA and HIP runtimes (headers "
             "under <dir>/include) and, with --kernel-source, that emitted "
             "CUDA or HIP source with its launches rewritten for it "
             "(<dir>/kernel-emu.cpp), print the command that builds it (also "
             "in <dir>/compile-command), and exit: runs an emitted GPU library "
             "on this CPU, for tests"),
    cl::value_desc("dir"), cl::init(""), cl::cat(category));

static cl::opt<std::string> kernelSource(
    "kernel-source",
    cl::desc("--gpu-emulation-kit: the emitted .cu or .hip file to rewrite"),
    cl::value_desc("file"), cl::init(""), cl::cat(category));

namespace {
/// Prints a one-line error and exits with status 2 (bad arguments).
[[noreturn]] void usageError(const llvm::Twine &message) {
  llvm::errs() << "lowbit-bench: error: " << message << "\n";
  std::exit(2);
}

/// The configuration the flags name, or a usage error.
bench::Config parseConfig() {
  bench::BenchFlags flags;
  flags.target = target;
  flags.arch = arch;
  flags.m = optM;
  flags.n = optN;
  flags.k = optK;
  flags.weight = weightName;
  flags.group = optGroup;
  flags.zero = zeroName;
  flags.scale = scaleName;
  flags.cpuSchedule = cpuSchedule;
  flags.sweep = sweep;
  flags.act = actName;
  flags.actGiven = actName.getNumOccurrences() != 0;
  flags.strategy = strategyName;
  flags.strategyGiven = strategyName.getNumOccurrences() > 0;
  flags.lutGroup = lutGroup;
  flags.lutExact = lutExact;
  flags.lutGiven =
      lutGroup.getNumOccurrences() > 0 || lutExact.getNumOccurrences() > 0;
  flags.isa = isaName;
  std::string error;
  std::optional<bench::Config> config = bench::validateFlags(flags, error);
  if (!config)
    usageError(error);
  return *config;
}

/// Refuses sizes whose host arrays (float64 weights and their dequantization,
/// codes, activations, output and reference) need more than this machine's
/// memory, before allocating any of them. The sizes fit in 64 bits
/// (bench::validateFlags checked), so the estimate is finite.
void checkHostMemory(int64_t m, int64_t n, int64_t k) {
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || pageSize <= 0)
    return;
  double gib = 1024.0 * 1024.0 * 1024.0;
  double available = double(pages) * double(pageSize) / gib;
  double needed = (double(n) * double(k) * 20 + double(m) * double(k) * 8 +
                   double(m) * double(n) * 16) /
                  gib;
  auto text = [](double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.3g", value);
    return std::string(buffer);
  };
  if (needed > available)
    usageError("--m=" + llvm::Twine(m) + ", --n=" + llvm::Twine(n) +
               " and --k=" + llvm::Twine(k) + " need about " + text(needed) +
               " GiB of host memory, more than this machine's " +
               text(available) + " GiB");
}

/// `dir`/`name`.
std::string pathIn(llvm::StringRef dir, llvm::StringRef name) {
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

void writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec);
  if (ec)
    usageError("cannot write " + path + ": " + ec.message());
  out << text;
}

/// Runs a program with its output going to `log`; returns its exit status.
int runLogged(llvm::ArrayRef<llvm::StringRef> args, llvm::StringRef log) {
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log, log};
  return llvm::sys::ExecuteAndWait(args[0], args, std::nullopt, redirects);
}

/// A probe compiled with the kernel's flags: reads `words` 64-bit words with
/// `threads` threads, so both are measured by the same compiler and machine.
/// Blocks of 256 bytes, each folded by a tree of independent loads the
/// compiler vectorizes (a chain of dependent scalar loads reads about a sixth
/// less on the machines measured in docs/lowbit-bench.md).
const char *kBandwidthProbe = R"cpp(
#include <stdint.h>
extern "C" double lowbit_probe_read(const uint64_t *p, int64_t words, int threads) {
  uint64_t total = 0;
  int64_t blocks = words / 32;
#pragma omp parallel for reduction(^ : total) schedule(static) num_threads(threads)
  for (int64_t b = 0; b < blocks; ++b) {
    uint64_t block = 0;
    for (int j = 0; j < 32; ++j)
      block ^= p[32 * b + j];
    total ^= block;
  }
  for (int64_t i = 32 * blocks; i < words; ++i)
    total ^= p[i];
  return double(total & 1);
}
)cpp";

/// The words of a command line (split at spaces) with the program resolved
/// on PATH; a usage error naming `what` when it cannot be found.
std::vector<std::string> commandWords(llvm::StringRef text,
                                      llvm::StringRef what) {
  llvm::SmallVector<llvm::StringRef> words;
  text.split(words, ' ', -1, false);
  if (words.empty())
    usageError(what + " is empty");
  llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(words[0]);
  if (!path)
    usageError("cannot find the " + what + " '" + words[0] + "'");
  std::vector<std::string> result = {*path};
  result.insert(result.end(), words.begin() + 1, words.end());
  return result;
}

/// The host C++ compiler's command: --cxx, else $CXX, else g++.
std::vector<std::string> hostCompiler() {
  std::string compiler = cxx;
  if (compiler.empty())
    compiler = std::getenv("CXX") ? std::getenv("CXX") : "g++";
  return commandWords(compiler, "C++ compiler");
}

/// The GPU probe's source including the kernel from `kernelFile`.
std::string probeIncluding(llvm::StringRef kernelFile) {
  std::string source = kGpuProbeSource;
  size_t at = source.find("kernel.cu");
  source.replace(at, 9, kernelFile.str());
  return source;
}

/// What compileKernel builds from the emitted kernel.
enum class Build {
  Load,    ///< A shared object with the bandwidth probe, loaded.
  Object,  ///< An object file only (--compile-only): no target libraries.
  Program, ///< A static program with runner.cpp (--emulator).
};

/// The program --emulator runs: reads one call's operands from the files
/// lowbit-bench writes in the directory it is given, calls the kernel once
/// with one thread, and writes y. Plain C library calls only, so it links
/// statically without a C++ library for the target.
std::string runnerSource(const cpu::KernelSpec &spec) {
  return R"cpp(#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
extern "C" void )cpp" +
         spec.name + R"cpp((const void *, int64_t, const uint32_t *,
    const void *, const float *, const void *, float, const void *, void *, int);
static void *readAll(const char *dir, const char *name, long *size) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "runner: cannot open %s\n", path); exit(2); }
  fseek(f, 0, SEEK_END);
  *size = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *data = *size ? malloc(*size) : NULL;
  if (*size && fread(data, 1, *size, f) != (size_t)*size) { fprintf(stderr, "runner: cannot read %s\n", path); exit(2); }
  fclose(f);
  return data;
}
int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: runner DIR\n"); return 2; }
  long size;
  const int64_t *call = (const int64_t *)readAll(argv[1], "call.bin", &size);
  if (size != 24) { fprintf(stderr, "runner: call.bin is not 24 bytes\n"); return 2; }
  float tensorScale;
  const int64_t m = call[0], yBytes = call[2];
  tensorScale = *(const float *)&call[1];
  void *x = readAll(argv[1], "x.bin", &size);
  void *w = readAll(argv[1], "w.bin", &size);
  void *scales = readAll(argv[1], "scales.bin", &size);
  void *zeros = readAll(argv[1], "zeros.bin", &size);
  void *negScales = readAll(argv[1], "neg_scales.bin", &size);
  void *y = malloc(yBytes);
  )cpp" + spec.name +
         R"cpp((x, m, (const uint32_t *)w, scales, (const float *)zeros, negScales,
      tensorScale, NULL, y, 1);
  char path[4096];
  snprintf(path, sizeof path, "%s/y.bin", argv[1]);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(y, 1, yBytes, f) != (size_t)yBytes) { fprintf(stderr, "runner: cannot write %s\n", path); return 2; }
  fclose(f);
  return 0;
}
)cpp";
}

/// The whole text of `path`, or a usage error.
std::string readText(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    usageError("cannot read " + path + ": " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

/// The emitted x86 kernel `source` for --emulate-isa: SIMDe's headers, with
/// their native aliases, follow its <immintrin.h>, so every `_mm512_*` call
/// and `__m512*` type the host cannot execute resolves to SIMDe's portable
/// implementation (built from the host's AVX2). The prelude is shared with
/// the epilogue test's driver (SimdePrelude.inc).
std::string simdeSource(std::string source) {
  static constexpr llvm::StringLiteral include = "#include <immintrin.h>\n";
  static constexpr const char *prelude =
#include "SimdePrelude.inc"
      ;
  size_t at = source.find(include.data());
  if (at == std::string::npos)
    usageError("--emulate-isa: the kernel does not include <immintrin.h>");
  source.insert(at + include.size(), prelude);
  return source;
}

/// Whether the first kernel compileKernel built came from --kernel-cache:
/// "hit" or "miss"; "" without the flag.
std::string kernelCacheUse;

/// Where --kernel-cache keeps the shared object that `compilerArgs` (without
/// the output and input paths) build from `source`; the bandwidth probe is
/// part of every object, so it is part of the key.
std::string cachedKernelPath(llvm::ArrayRef<llvm::StringRef> compilerArgs,
                             llvm::StringRef source) {
  llvm::SHA256 hash;
  for (llvm::StringRef arg : compilerArgs) {
    hash.update(arg);
    hash.update(llvm::StringRef("\0", 1));
  }
  hash.update(source);
  hash.update(llvm::StringRef("\0", 1));
  hash.update(kBandwidthProbe);
  std::array<uint8_t, 32> digest = hash.final();
  std::string name = llvm::toHex(digest, /*LowerCase=*/true) + ".so";
  if (std::error_code error = llvm::sys::fs::create_directories(kernelCache))
    usageError("cannot create --kernel-cache directory " + kernelCache + ": " +
               error.message());
  return pathIn(kernelCache, name);
}

/// Copies the freshly built `so` into the cache as `cached`, through a
/// temporary name, so that a concurrent run never loads half a file.
void storeInCache(llvm::StringRef so, llvm::StringRef cached) {
  std::string partial = (cached + "." + llvm::Twine(::getpid())).str();
  if (std::error_code error = llvm::sys::fs::copy_file(so, partial))
    usageError("cannot write " + partial + ": " + error.message());
  if (std::error_code error = llvm::sys::fs::rename(partial, cached))
    usageError("cannot write " + cached + ": " + error.message());
}

/// Compiles the emitted `dir`/kernel.cpp as `build` says; returns the loaded
/// shared object for Build::Load, else nullptr.
void *compileKernel(llvm::StringRef dir, const cpu::KernelSpec &spec,
                    Build build) {
  cpu::Isa isa = spec.isa;
  std::string cpp = pathIn(dir, "kernel.cpp"), probe = pathIn(dir, "probe.cpp");
  std::string so = pathIn(dir, "kernel.so"), log = pathIn(dir, "compile.log");
  std::string object = pathIn(dir, "kernel.o");
  std::string program = pathIn(dir, "kernel.exe");
  std::string runner = pathIn(dir, "runner.cpp");
  std::vector<std::string> command = hostCompiler();
  // Warnings are errors: emitted kernels must compile cleanly. Tuning for
  // this machine only when the kernel runs on its architecture.
  llvm::SmallVector<llvm::StringRef> args(command.begin(), command.end());
  args.append({"-O3", "-Wall", "-Wextra", "-Werror"});
  if (cpu::isaIsNative(isa))
    args.push_back("-mtune=native");
  llvm::SmallVector<llvm::StringRef> isaFlags;
  // Under --emulate-isa the kernel is compiled for the host's AVX2 (SIMDe
  // implements the wider intrinsics with it), not for its own ISA.
  bool simde = !emulateIsa.empty();
  std::string flagText =
      simde ? cpu::isaCompileFlags(cpu::Isa::AVX2) : cpu::compileFlags(spec);
  std::string simdeInclude = "-isystem" + emulateIsa;
  if (simde) {
    cpp = pathIn(dir, "kernel-simde.cpp");
    writeFile(cpp, simdeSource(readText(pathIn(dir, "kernel.cpp"))));
    // SIMDe's 512-bit vector types pass in memory without AVX-512, which
    // GCC notes as an ABI change (-Wpsabi): the kernel is one unit.
    args.append({simdeInclude, "-Wno-psabi"});
  }
  llvm::StringRef(flagText).split(isaFlags, ' ', -1, false);
  args.append(isaFlags.begin(), isaFlags.end());
  // GCC 12's avx512fintrin.h reads `__Y` uninitialized in its own inline
  // intrinsics; the same kernel structure is checked warning-free on the
  // other ISAs.
  if (isa == cpu::Isa::AVX512 && !simde)
    args.append({"-Wno-uninitialized", "-Wno-maybe-uninitialized"});
  // --kernel-cache: the cached object is named by everything that makes it.
  std::string cached;
  bool cacheHit = false;
  switch (build) {
  case Build::Load:
    writeFile(probe, kBandwidthProbe);
    args.append({"-fopenmp", "-shared", "-fPIC"});
    if (!kernelCache.empty()) {
      cached = cachedKernelPath(args, readText(cpp));
      cacheHit = llvm::sys::fs::exists(cached);
      if (cacheHit)
        so = cached;
      if (kernelCacheUse.empty())
        kernelCacheUse = cacheHit ? "hit" : "miss";
    }
    args.append({"-o", so, cpp, probe});
    break;
  case Build::Object:
    args.append({"-fopenmp", "-c", "-o", object, cpp});
    break;
  case Build::Program:
    // One thread: the kernel's OpenMP pragmas are compiled out, so the
    // program needs no OpenMP runtime for the target.
    writeFile(runner, runnerSource(spec));
    args.append({"-static", "-o", program, cpp, runner});
    break;
  }
  if (!cacheHit) {
    if (int rc = runLogged(args, log)) {
      llvm::errs() << "lowbit-bench: error: the kernel did not compile (" << rc
                   << "); see " << log << "\n";
      std::exit(1);
    }
    if (!cached.empty())
      storeInCache(so, cached);
  }
  if (build != Build::Load)
    return nullptr;
  void *handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    usageError(llvm::Twine("cannot load the kernel: ") + dlerror());
  return handle;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// Rounds to the activation type, returning the value the kernel sees and
/// its bits in memory.
float roundActivation(double value, cpu::ScalarType type, uint16_t &bits) {
  switch (type) {
  case cpu::ScalarType::F32:
    return static_cast<float>(value);
  case cpu::ScalarType::F16:
    bits = numerics::toF16Bits(static_cast<float>(value));
    return numerics::fromF16Bits(bits);
  case cpu::ScalarType::BF16:
    bits = numerics::toBF16Bits(static_cast<float>(value));
    return numerics::fromBF16Bits(bits);
  }
  return 0;
}

float loadOutput(const std::vector<uint8_t> &y, size_t i,
                 cpu::ScalarType type) {
  if (type == cpu::ScalarType::F32) {
    float v;
    std::memcpy(&v, y.data() + 4 * i, 4);
    return v;
  }
  uint16_t bits;
  std::memcpy(&bits, y.data() + 2 * i, 2);
  return type == cpu::ScalarType::F16 ? numerics::fromF16Bits(bits)
                                      : numerics::fromBF16Bits(bits);
}

/// Writes `dir`/`name` as a .npy file.
void writeNpy(llvm::StringRef dir, llvm::StringRef name, llvm::StringRef dtype,
              std::vector<int64_t> shape, const void *data, size_t bytes) {
  if (llvm::Error error =
          lowbit::writeNpy(pathIn(dir, name), dtype, shape, data, bytes))
    usageError(llvm::toString(std::move(error)));
}

/// Scale values (already representable in `type`) as stored bytes.
std::vector<uint8_t> storeScales(const std::vector<double> &values,
                                 numerics::ScaleType type) {
  size_t width = numerics::scaleTypeBits(type) / 8;
  std::vector<uint8_t> bytes(values.size() * width);
  for (size_t i = 0; i < values.size(); ++i) {
    // Little-endian: the low bytes of the bit pattern are the stored scale.
    uint32_t bits = numerics::encodeScale(values[i], type);
    std::memcpy(bytes.data() + i * width, &bits, width);
  }
  return bytes;
}

/// The MLIR spelling of a weight format: a builtin type where one exists.
std::string weightTypeName(const numerics::Format &format) {
  using numerics::FloatConvention;
  switch (format.kind()) {
  case numerics::FormatKind::SignedInt:
    return "si" + std::to_string(format.bits());
  case numerics::FormatKind::UnsignedInt:
    return "ui" + std::to_string(format.bits());
  case numerics::FormatKind::Codebook:
    return "!lowbit.codebook<nf4>";
  case numerics::FormatKind::Ternary:
    return "!lowbit.ternary";
  case numerics::FormatKind::ExponentOnly:
    return "f8E8M0FNU";
  case numerics::FormatKind::Float:
    break;
  }
  const numerics::FloatSpec &fs = format.floatSpec();
  int defaultBias = (1 << (fs.exponentBits - 1)) - 1;
  auto is = [&](unsigned e, unsigned m, FloatConvention c) {
    return fs.exponentBits == e && fs.mantissaBits == m && fs.convention == c &&
           fs.bias == defaultBias;
  };
  if (is(2, 1, FloatConvention::Finite))
    return "f4E2M1FN";
  if (is(2, 3, FloatConvention::Finite))
    return "f6E2M3FN";
  if (is(3, 2, FloatConvention::Finite))
    return "f6E3M2FN";
  if (is(4, 3, FloatConvention::FiniteNaN))
    return "f8E4M3FN";
  if (is(5, 2, FloatConvention::IEEE))
    return "f8E5M2";
  const char *convention = fs.convention == FloatConvention::IEEE ? "ieee"
                           : fs.convention == FloatConvention::FiniteNaN
                               ? "fn"
                               : "finite";
  return "!lowbit.float<e" + std::to_string(fs.exponentBits) + "m" +
         std::to_string(fs.mantissaBits) + ", " + convention +
         ", bias = " + std::to_string(fs.bias) + ">";
}

const char *scaleTypeIRName(numerics::ScaleType type) {
  switch (type) {
  case numerics::ScaleType::F32:
    return "f32";
  case numerics::ScaleType::F16:
    return "f16";
  case numerics::ScaleType::BF16:
    return "bf16";
  case numerics::ScaleType::E8M0:
    return "f8E8M0FNU";
  case numerics::ScaleType::E4M3:
    return "f8E4M3FN";
  }
  return "f32";
}

/// The graph-level IR of y = x . dequant(W)^T: lowbit.dequantize feeding a
/// transposed-weight linalg.matmul, as a model importer writes it.
std::string buildModule(const cpu::KernelSpec &spec, int64_t m) {
  const int64_t n = spec.n, k = spec.k, g = k / cpu::groupSize(spec);
  std::string act = cpu::scalarTypeName(spec.activation);
  std::string scale = scaleTypeIRName(spec.scheme.scaleType);
  auto tensor = [](int64_t a, int64_t b, const std::string &t) {
    return "tensor<" + std::to_string(a) + "x" + std::to_string(b) + "x" + t +
           ">";
  };
  std::string xType = tensor(m, k, act), yType = tensor(m, n, act);
  std::string qType = tensor(n, k, weightTypeName(spec.weight));
  std::string sType = tensor(n, g, scale), wType = tensor(n, k, act);
  std::string args = "%x: " + xType + ", %q: " + qType + ", %s: " + sType;
  std::string operands = "%q, %s", types = qType + ", " + sType;
  std::string schemeText = "<group = [1, " +
                           std::to_string(cpu::groupSize(spec)) +
                           "], scale = " + scale;
  switch (spec.scheme.zeroPoint) {
  case numerics::ZeroPointMode::None:
    break;
  case numerics::ZeroPointMode::Integer:
  case numerics::ZeroPointMode::Float: {
    bool integer = spec.scheme.zeroPoint == numerics::ZeroPointMode::Integer;
    std::string zType = tensor(n, g, integer ? "i32" : scale);
    args += ", %z: " + zType;
    operands += " zeros %z";
    types += ", " + zType;
    schemeText += integer ? ", zero = int" : ", zero = float";
    break;
  }
  case numerics::ZeroPointMode::AsymFloat:
    args += ", %sn: " + sType;
    operands += " neg_scales %sn";
    types += ", " + sType;
    schemeText += ", zero = asym_fp";
    break;
  }
  if (spec.scheme.tensorScale) {
    args += ", %t: tensor<f32>";
    operands += " tensor_scale %t";
    types += ", tensor<f32>";
    schemeText += ", tensor_scale = f32";
  }
  schemeText += ">";
  return "func.func @" + spec.name + "(" + args + ") -> " + yType + " {\n" +
         "  %w = lowbit.dequantize " + operands + " scheme " + schemeText +
         "\n      : (" + types + ") -> " + wType + "\n" +
         "  %zero = arith.constant 0.0 : " + act + "\n" +
         "  %e = tensor.empty() : " + yType + "\n" +
         "  %f = linalg.fill ins(%zero : " + act + ") outs(%e : " + yType +
         ") -> " + yType + "\n" +
         "  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, "
         "k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, "
         "n)>]\n      ins(%x, %w : " +
         xType + ", " + wType + ") outs(%f : " + yType + ") -> " + yType +
         "\n  return %y : " + yType + "\n}\n";
}

/// Path of a tool that sits beside this executable.
std::string siblingTool(const char *argv0, llvm::StringRef name) {
  std::string self =
      llvm::sys::fs::getMainExecutable(argv0, (void *)&usageError);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(path, name);
  if (!llvm::sys::fs::can_execute(path))
    usageError("cannot find " + name + " beside lowbit-bench (looked for " +
               path + ")");
  return std::string(path);
}

/// Runs a tool, failing with its output on error.
void runTool(llvm::ArrayRef<llvm::StringRef> args, llvm::StringRef log) {
  if (runLogged(args, log) != 0) {
    auto buffer = llvm::MemoryBuffer::getFile(log);
    llvm::errs() << (buffer ? (*buffer)->getBuffer() : llvm::StringRef());
    usageError(args[0] + " failed on the generated IR");
  }
}

/// Writes `ir`, runs `lowbit-opt --lowbit-cpu-pipeline` and
/// `lowbit-translate --emit-cpu` on it, and returns the kernel source; the
/// scheduled IR is returned in `scheduled`.
std::string compileThroughPipeline(const char *argv0, const std::string &ir,
                                   const Config &config, llvm::StringRef dir,
                                   std::string &scheduled) {
  std::string model = pathIn(dir, "model.mlir");
  std::string sched = pathIn(dir, "scheduled.mlir");
  std::string kernel =
      pathIn(dir, !config.gpuTarget ? "kernel.cpp"
                  : *config.gpuTarget == gpu::Target::CUDA ? "kernel.cu"
                                                           : "kernel.hip");
  std::string log = pathIn(dir, "tools.log");
  writeFile(model, ir);
  std::string opt = siblingTool(argv0, "lowbit-opt");
  std::string translate = siblingTool(argv0, "lowbit-translate");
  if (config.gpuTarget) {
    const char *name = gpu::targetName(*config.gpuTarget);
    runTool({opt, model,
             std::string("--lowbit-gpu-pipeline=target=") + name +
                 " strategy=" + cpu::strategyName(config.spec.strategy),
             "-o", sched},
            log);
    std::string tileFlag = "--gpu-tile=" + gpuTile;
    runTool({translate, std::string("--emit-") + name, tileFlag, sched, "-o",
             kernel},
            log);
  } else {
    cpu::Isa isa = config.spec.isa;
    std::string pipeline = std::string("--lowbit-cpu-pipeline=isa=") +
                           cpu::isaName(isa) + " strategy=" +
                           cpu::strategyName(config.spec.strategy);
    if (config.spec.strategy == cpu::Strategy::Lut)
      pipeline += " lut-group=" + std::to_string(config.spec.lut.group) +
                  " lut-exact=" +
                  (config.spec.lut.exactTables ? "true" : "false");
    std::string isaFlag = std::string("--cpu-isa=") + cpu::isaName(isa);
    runTool({opt, model, pipeline, "-o", sched}, log);
    runTool({translate, "--emit-cpu", isaFlag,
             "--cpu-schedule=" + cpu::formatSchedule(config.spec.schedule),
             sched, "-o", kernel},
            log);
  }
  scheduled = readText(sched);
  return readText(kernel);
}

/// The error of an output against a reference, element by element.
struct ErrorNorms {
  double maxAbs = 0, diff2 = 0, ref2 = 0, abs2 = 0;
  /// `magnitude`: the sum of the products' magnitudes, sum |x w|, which
  /// bounds the partial sums the kernel rounds (0 when not known).
  void add(double got, double reference, double magnitude = 0) {
    double diff = got - reference;
    maxAbs = std::max(maxAbs, std::fabs(diff));
    diff2 += diff * diff;
    ref2 += reference * reference;
    abs2 += magnitude * magnitude;
  }
  /// ||got - reference|| / ||reference|| (Frobenius).
  double relative() const { return std::sqrt(diff2 / std::max(ref2, 1e-300)); }
  /// ||sum |x w||| / ||reference||: how much the sums cancel.
  double cancellation() const {
    return std::sqrt(abs2 / std::max(ref2, 1e-300));
  }
};

/// Tolerance of the relative Frobenius error: f32 accumulation over K plus
/// the rounding of the output type. The accumulation's rounding is
/// relative to the partial sums, so outputs whose products cancel more
/// than random data's do (`cancellation` above sqrt(K): small K, a single
/// output near zero) widen it by that factor.
double tolerance(cpu::ScalarType output, int64_t k, double cancellation = 0) {
  double accumulate = 4.0 * std::max(std::sqrt(double(k)), cancellation) *
                      std::ldexp(1.0, -24);
  switch (output) {
  case cpu::ScalarType::F32:
    return accumulate + 1e-6;
  case cpu::ScalarType::F16:
    return accumulate + std::ldexp(1.0, -10);
  case cpu::ScalarType::BF16:
    return accumulate + std::ldexp(1.0, -7);
  }
  return accumulate;
}
} // namespace

/// meta.h of the GPU probe: shapes, the scheme, every code's value, the
/// finite codes, and scale values exact in the scale and activation types.
std::string gpuProbeMeta(const Config &config) {
  const cpu::KernelSpec &spec = config.spec;
  const numerics::Format &format = spec.weight;
  std::string out;
  llvm::raw_string_ostream os(out);
  auto literal = [](double v) {
    char buffer[64];
    snprintf(buffer, sizeof(buffer), "%a", v);
    return std::string(buffer);
  };
  unsigned codes = 1u << format.bits();
  os << "// Generated by lowbit-bench for the GPU probe.\n"
     << "#define LB_NAME " << spec.name << "\nnamespace meta {\n"
     << "constexpr const char *KERNEL = \"" << spec.name << "\";\n"
     << "constexpr const char *FORMAT = \"" << config.formatName << "\";\n"
     << "constexpr const char *ZERO_NAME = \""
     << numerics::zeroPointModeName(spec.scheme.zeroPoint) << "\";\n"
     << "constexpr const char *SCALE_NAME = \""
     << numerics::scaleTypeName(spec.scheme.scaleType) << "\";\n"
     << "constexpr int64_t N = " << spec.n << ", K = " << spec.k
     << ", G = " << cpu::groupSize(spec) << ";\n"
     << "constexpr int ZERO = " << int(spec.scheme.zeroPoint) << ";\n"
     << "constexpr bool TENSOR_SCALE = "
     << (spec.scheme.tensorScale ? "true" : "false") << ";\n"
     << "constexpr bool ACT_BF16 = "
     << (spec.activation == cpu::ScalarType::BF16 ? "true" : "false")
     << ";\nconstexpr int OUT = "
     << (spec.output == cpu::ScalarType::F32   ? 0
         : spec.output == cpu::ScalarType::F16 ? 1
                                               : 2)
     << ";\n";
  bool integer = format.kind() == numerics::FormatKind::SignedInt ||
                 format.kind() == numerics::FormatKind::UnsignedInt;
  int zmin = spec.scheme.zeroPoint == numerics::ZeroPointMode::Float ? -16
             : integer ? int(format.minValue())
                       : 0;
  int zmax = spec.scheme.zeroPoint == numerics::ZeroPointMode::Float ? 16
             : integer ? int(format.maxValue())
                       : 0;
  os << "constexpr int ZMIN = " << zmin << ", ZMAX = " << zmax << ";\n";
  std::vector<uint32_t> finite;
  os << "static const double kValue[" << codes << "] = {";
  for (uint32_t code = 0; code < codes; ++code) {
    bool ok = format.isFiniteCode(code);
    if (ok)
      finite.push_back(code);
    os << (code ? ", " : "") << literal(ok ? format.decode(code) : 0.0);
  }
  os << "};\nconstexpr int NUM_CODES = " << finite.size() << ";\n"
     << "static const uint32_t kCodes[] = {";
  for (size_t i = 0; i < finite.size(); ++i)
    os << (i ? ", " : "") << finite[i];
  os << "};\n";
  // Scales 2^e * (1 + i/8) around 2^-4 / maxAbs (weights of magnitude up to
  // about 1/8, outputs well inside f16), as stored and decoded, kept when
  // exact in the activation type; plain powers of two if none is.
  std::vector<std::pair<uint32_t, double>> scales;
  int center = -int(std::ceil(std::log2(format.maxAbs()))) - 4;
  for (int e = center - 2; e <= center + 2; ++e)
    for (int i = 0; i < 8; ++i) {
      uint32_t bits =
          numerics::encodeScale(std::ldexp(1.0 + i / 8.0, e),
                                spec.scheme.scaleType);
      double value = numerics::decodeScale(bits, spec.scheme.scaleType);
      uint16_t unused;
      bool exact = roundActivation(value, spec.activation, unused) == value;
      bool seen = std::any_of(scales.begin(), scales.end(), [&](auto &p) {
        return p.first == bits;
      });
      if (exact && !seen && value > 0)
        scales.push_back({bits, value});
    }
  for (int e = -8; scales.empty() && e <= -4; ++e) {
    uint32_t bits =
        numerics::encodeScale(std::ldexp(1.0, e), spec.scheme.scaleType);
    scales.push_back({bits, numerics::decodeScale(bits, spec.scheme.scaleType)});
  }
  os << "constexpr int NUM_SCALES = " << scales.size() << ";\n"
     << "static const uint32_t kScaleBits[] = {";
  for (size_t i = 0; i < scales.size(); ++i)
    os << (i ? ", " : "") << scales[i].first << "u";
  os << "};\nstatic const double kScaleValue[] = {";
  for (size_t i = 0; i < scales.size(); ++i)
    os << (i ? ", " : "") << literal(scales[i].second);
  os << "};\n} // namespace meta\n";
  return out;
}

/// Compares the packing the GPU probe wrote (the codes, then the words of
/// the kernel's own host packer) with numerics::pack in the layout the
/// IR's lowbit.pack uses for the kernel (gpu::weightLayout): "" when they
/// agree, else what differs.
std::string checkPacking(llvm::StringRef path, const gpu::KernelSpec &spec) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return "the GPU probe wrote no packing to " + path.str();
  llvm::StringRef bytes = (*buffer)->getBuffer();
  numerics::PackLayout layout =
      gpu::weightLayout(spec.weight.bits(), spec.strategy);
  size_t count = size_t(spec.n) * size_t(spec.k);
  size_t words = size_t(spec.n) * size_t(layout.wordsPerRow(spec.k));
  if (bytes.size() != count + 4 * words)
    return "the GPU probe's packing in " + path.str() + " has " +
           std::to_string(bytes.size()) + " bytes, expected " +
           std::to_string(count + 4 * words);
  std::vector<uint32_t> codes(count);
  for (size_t i = 0; i < count; ++i)
    codes[i] = uint8_t(bytes[i]);
  std::vector<uint64_t> expected =
      numerics::pack(codes, spec.n, spec.k, layout);
  for (size_t i = 0; i < words; ++i) {
    uint32_t word;
    std::memcpy(&word, bytes.data() + count + 4 * i, 4);
    if (word != uint32_t(expected[i]))
      return "the kernel's host packer and numerics::pack (lowbit.pack) "
             "disagree at word " +
             std::to_string(i) + " of " + std::to_string(words);
  }
  return "";
}

/// `source` with its launches rewritten for the emulated runtime, or a usage
/// error.
std::string emulatedLaunches(std::string source) {
  std::optional<std::string> rewritten =
      emulation::rewriteLaunches(std::move(source));
  if (!rewritten)
    usageError("cannot rewrite the kernel launch for the emulation");
  return *rewritten;
}

/// Writes the emulated runtime headers into `include`, or a usage error.
void writeGpuEmulationHeaders(llvm::StringRef include) {
  if (std::string error = emulation::writeHeaders(include); !error.empty())
    usageError(error);
}

/// The host compiler for an emulated kernel (emulation::compilerCommand,
/// with --cxx), or a usage error.
std::vector<std::string> emulationCompiler(bool cudaTarget) {
  std::string error;
  std::vector<std::string> command =
      emulation::compilerCommand(cudaTarget, cxx, error);
  if (command.empty())
    usageError(error);
  return command;
}

/// --gpu-emulation-kit=DIR: the headers, the --kernel-source rewritten for
/// them, and the command that builds it (printed, and written to
/// DIR/compile-command). Returns the exit status.
int writeGpuEmulationKit() {
  std::string include = pathIn(gpuEmulationKit, "include");
  writeGpuEmulationHeaders(include);
  if (kernelSource.empty())
    return 0;
  llvm::StringRef extension = llvm::sys::path::extension(kernelSource);
  if (extension != ".cu" && extension != ".hip")
    usageError("--kernel-source: '" + kernelSource +
               "' is not an emitted .cu or .hip file");
  std::string kernel = pathIn(gpuEmulationKit, "kernel-emu.cpp");
  writeFile(kernel, emulatedLaunches(readText(kernelSource)));
  std::vector<std::string> command = emulationCompiler(extension == ".cu");
  for (llvm::StringRef flag : emulation::kFlags)
    command.push_back(flag.str());
  command.insert(command.end(), {"-I" + include, kernel});
  std::string line = llvm::join(command, " ") + "\n";
  writeFile(pathIn(gpuEmulationKit, "compile-command"), line);
  llvm::outs() << line;
  return 0;
}

/// lowbit-bench --target=cuda|hip: emits the kernel through the pipeline,
/// writes the probe beside it, compiles both with nvcc or hipcc, and runs
/// the probe when the machine has the GPU. Returns the exit status.
int runGpu(const char *argv0, const Config &config) {
  gpu::Target gpuTarget = *config.gpuTarget;
  bool cudaTarget = gpuTarget == gpu::Target::CUDA;
  llvm::SmallString<128> dir;
  if (!dumpDir.empty()) {
    dir = dumpDir;
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      usageError("cannot create " + dumpDir + ": " + ec.message());
  } else if (std::error_code ec =
                 llvm::sys::fs::createUniqueDirectory("lowbit-bench", dir)) {
    usageError("cannot create a temporary directory: " + ec.message());
  }
  std::string ir = buildModule(config.spec, optM), scheduled;
  std::string source =
      compileThroughPipeline(argv0, ir, config, dir, scheduled);
  std::string probeName = cudaTarget ? "probe.cu" : "probe.hip";
  std::string kernelFile = cudaTarget ? "kernel.cu" : "kernel.hip";
  writeFile(pathIn(dir, "meta.h"), gpuProbeMeta(config));
  writeFile(pathIn(dir, probeName), probeIncluding(kernelFile));
  std::string binary = pathIn(dir, "probe"), log = pathIn(dir, "compile.log");

  if (emulateGpu) {
    // The emitted source with its launches rewritten for the emulated
    // runtime, compiled with the probe by the host compiler.
    std::string include = pathIn(dir, "emu");
    writeGpuEmulationHeaders(include);
    writeFile(pathIn(dir, "kernel-emu.cpp"), emulatedLaunches(source));
    std::string probePath = pathIn(dir, "probe-emu.cpp");
    writeFile(probePath, probeIncluding("kernel-emu.cpp"));
    std::vector<std::string> command = emulationCompiler(cudaTarget);
    llvm::SmallVector<llvm::StringRef> args(command.begin(), command.end());
    std::string includeFlag = "-I" + include;
    args.append(emulation::kFlags.begin(), emulation::kFlags.end());
    args.append({includeFlag, "-o", binary, probePath});
    if (int rc = runLogged(args, log)) {
      auto buffer = llvm::MemoryBuffer::getFile(log);
      llvm::errs() << (buffer ? (*buffer)->getBuffer() : llvm::StringRef())
                   << "lowbit-bench: error: the emulated kernel did not "
                      "compile ("
                   << rc << "); see " << log << "\n";
      return 1;
    }
    llvm::outs() << "emitted " << config.spec.name << " (" << source.size()
                 << " bytes of " << (cudaTarget ? "CUDA" : "HIP")
                 << " C++) and built it for the CPU emulation of the "
                 << (cudaTarget ? "CUDA" : "HIP") << " runtime in " << dir
                 << "\n";
  }

  std::string archName = !arch.empty() ? std::string(arch)
                         : cudaTarget  ? "sm_90a"
                                       : "gfx90a";
  if (!emulateGpu) {
    const char *compilerName = cudaTarget ? "nvcc" : "hipcc";
    llvm::ErrorOr<std::string> compiler =
        llvm::sys::findProgramByName(compilerName);
    if (!compiler && cudaTarget)
      compiler = llvm::sys::findProgramByName(compilerName,
                                              {"/usr/local/cuda/bin"});
    if (!compiler)
      usageError(llvm::Twine("cannot find ") + compilerName +
                 " to compile the kernel");
    std::string probePath = pathIn(dir, probeName);
    std::string archFlag =
        cudaTarget ? "-gencode=arch=compute_" + archName.substr(3) + ",code=" +
                         archName
                   : "--offload-arch=" + archName;
    llvm::SmallVector<llvm::StringRef> args = {*compiler, "-O3", "-std=c++17",
                                               archFlag};
    if (cudaTarget)
      args.append({"-Xptxas", "-v", "-Xcompiler", "-Wall"});
    args.append({"-o", binary, probePath});
    if (int rc = runLogged(args, log)) {
      auto buffer = llvm::MemoryBuffer::getFile(log);
      llvm::errs() << (buffer ? (*buffer)->getBuffer() : llvm::StringRef())
                   << "lowbit-bench: error: the kernel did not compile (" << rc
                   << "); see " << log << "\n";
      return 1;
    }
    llvm::outs() << "emitted and compiled " << config.spec.name << " for "
                 << archName << " (" << source.size() << " bytes of "
                 << (cudaTarget ? "CUDA" : "HIP") << " C++) in " << dir << "\n";
  }
  if (compileOnly)
    return 0;
  std::string output = pathIn(dir, "probe.json");
  std::string mText = std::to_string(int64_t(optM));
  std::string seedText = std::to_string(uint64_t(seed));
  std::string repeatText = std::to_string(int(repeats));
  std::optional<llvm::StringRef> redirects[] = {std::nullopt,
                                                llvm::StringRef(output),
                                                std::nullopt};
  std::string packing = pathIn(dir, "packing.bin");
  int rc = llvm::sys::ExecuteAndWait(
      binary,
      {binary, "--m", mText, "--seed", seedText, "--repeats", repeatText,
       "--packing", packing},
      std::nullopt, redirects);
  auto result = llvm::MemoryBuffer::getFile(output);
  if (rc == 3) {
    llvm::outs() << "no " << (cudaTarget ? "CUDA" : "HIP")
                 << " device on this machine: stopped after emitting and "
                    "compiling\n";
    return 0;
  }
  if (result)
    llvm::outs() << (*result)->getBuffer();
  if (std::string error = checkPacking(packing, gpuSpec(config));
      !error.empty()) {
    llvm::errs() << "lowbit-bench: " << error << "\n";
    return 1;
  }
  if (rc != 0)
    llvm::errs() << "lowbit-bench: the GPU probe "
                 << (rc == 1 ? "check failed" : "failed") << " (exit " << rc
                 << ")\n";
  return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  std::string threadsError;
  if (!bench::takeThreadsFlag(argc, argv, threads, threadsError))
    usageError(threadsError);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "lowbit-bench: run, check and time one "
                              "mixed-precision matmul kernel\n\n"
                              "  --threads=<int> - threads (0: all cores)\n");
  if (!gpuEmulationKit.empty())
    return writeGpuEmulationKit();
  if (!kernelSource.empty())
    usageError("--kernel-source goes with --gpu-emulation-kit");
  Config config = parseConfig();
  if (!emulator.empty() && config.gpuTarget)
    usageError("--emulator runs CPU kernels; GPU kernels run on the GPU (or "
               "with --emulate-gpu, on CPU threads)");
  if (emulateGpu) {
    if (!config.gpuTarget)
      usageError("--emulate-gpu runs GPU kernels (--target=cuda or hip); CPU "
                 "kernels run natively, or under --emulate-isa or --emulator");
    if (repeats > 0)
      usageError("--emulate-gpu runs the kernel to check it; timings of the "
                 "emulation mean nothing: pass --repeats=0");
    if (compileOnly)
      usageError("--emulate-gpu builds and runs the kernel; --compile-only "
                 "stops before");
  }
  if (!emulateIsa.empty()) {
    cpu::Isa isa = config.spec.isa;
    if (config.gpuTarget || (isa != cpu::Isa::AVX2 && isa != cpu::Isa::AVX512))
      usageError("--emulate-isa runs x86 vector kernels (--target=cpu "
                 "--isa=avx512 or --isa=avx2)");
    if (repeats > 0)
      usageError("--emulate-isa runs the kernel to check it; timings of the "
                 "emulation mean nothing: pass --repeats=0");
    if (compileOnly || !emulator.empty() || !sweep.empty())
      usageError("--emulate-isa builds, runs and checks one kernel: it takes "
                 "no --compile-only, --emulator or --sweep");
    llvm::SmallString<256> header(emulateIsa);
    llvm::sys::path::append(header, "simde", "x86", "avx512.h");
    if (!llvm::sys::fs::exists(header))
      usageError("--emulate-isa: no SIMDe headers in '" + emulateIsa + "' (" +
                 header + " is missing)");
    cpu::KernelSpec host = config.spec;
    host.isa = cpu::Isa::AVX2;
    host.strategy = cpu::Strategy::Dequant;
    std::string missing = cpu::missingCpuFeatures(host);
    if (!missing.empty())
      usageError("--emulate-isa builds SIMDe on this CPU's AVX2, FMA and "
                 "F16C; it lacks " +
                 missing);
  }
  if (config.gpuTarget)
    return runGpu(argv[0], config);
  cpu::KernelSpec &spec = config.spec;
  if (!emulator.empty() && repeats > 0)
    usageError("--emulator runs the kernel once to check it; timings under "
               "an emulator mean nothing: pass --repeats=0");
  if (!emulator.empty() && !config.sweep.empty())
    usageError("--sweep times schedules, which --emulator cannot");
  if (!cpu::isaIsNative(spec.isa) && emulator.empty() && !compileOnly)
    usageError(llvm::Twine("--isa=") + cpu::isaName(spec.isa) +
               " kernels do not run on this machine's architecture: pass "
               "--compile-only, or --emulator with a cross compiler in --cxx");
  if (emulator.empty() && emulateIsa.empty() && !compileOnly) {
    std::string missing = cpu::missingCpuFeatures(spec);
    if (!missing.empty())
      usageError(llvm::Twine("this CPU lacks ") + missing +
                 ", which --isa=" + cpu::isaName(spec.isa) + " " +
                 cpu::strategyName(spec.strategy) +
                 " kernels need: pass --isa=" +
                 cpu::isaName(cpu::widestRunnableIsa(spec)) +
                 " (the widest it runs), or --compile-only");
  }
  const int64_t m = optM, n = optN, k = optK, group = cpu::groupSize(spec);
  checkHostMemory(m, n, k);
  const int64_t groups = k / group;
  int nthreads = threads > 0 ? int(threads)
                 : spec.schedule.threads > 0
                     ? spec.schedule.threads
                     : int(std::max(1u, std::thread::hardware_concurrency()));
  if (!emulator.empty())
    nthreads = 1; // The program runs the kernel on one thread.
  uint64_t actualSeed = seed ? uint64_t(seed) : std::random_device{}();
  std::mt19937_64 rng(actualSeed);

  // Weights, quantized and packed with the reference numerics.
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> weights(n * k);
  for (double &value : weights)
    value = normal(rng);
  numerics::QuantParams params =
      numerics::calibrate(weights, {n, k}, spec.weight, spec.scheme);
  std::vector<uint32_t> codes =
      numerics::quantize(weights, {n, k}, spec.weight, spec.scheme, params);
  std::vector<double> dequantized =
      numerics::dequantize(codes, {n, k}, spec.weight, spec.scheme, params);
  numerics::PackLayout layout = cpu::weightLayout(spec);
  std::vector<uint64_t> packed64 = numerics::pack(codes, n, k, layout);
  // The kernel reads 32-bit words, or bytes (int8-dot) or 16-bit words
  // (bf16-dot) through the same pointer: rows are whole periods of 32 bytes
  // or 64.
  std::vector<uint32_t> packed;
  if (layout.wordBits == 32) {
    packed.assign(packed64.begin(), packed64.end());
  } else {
    const unsigned wordBytes = layout.wordBits / 8;
    std::vector<uint8_t> bytes(packed64.size() * wordBytes);
    for (size_t i = 0; i < packed64.size(); ++i)
      for (unsigned b = 0; b < wordBytes; ++b)
        bytes[i * wordBytes + b] = uint8_t(packed64[i] >> (8 * b));
    packed.resize((bytes.size() + 3) / 4);
    std::memcpy(packed.data(), bytes.data(), bytes.size());
  }
  auto toFloats = [](const std::vector<double> &values) {
    return std::vector<float>(values.begin(), values.end());
  };
  std::vector<float> scales = toFloats(params.scales);
  std::vector<float> zeros = toFloats(params.zeros);
  std::vector<float> negScales = toFloats(params.negScales);
  // The kernel reads scales in their stored type.
  std::vector<uint8_t> storedScales =
      storeScales(params.scales, spec.scheme.scaleType);
  std::vector<uint8_t> storedNegScales =
      storeScales(params.negScales, spec.scheme.scaleType);
  float tensorScale = spec.scheme.tensorScale ? float(params.tensorScale) : 1.f;

  // Activations in their memory type, and the values the kernel sees.
  size_t actBytes = spec.activation == cpu::ScalarType::F32 ? 4 : 2;
  std::vector<uint8_t> x(m * k * actBytes);
  std::vector<float> xValues(m * k);
  for (int64_t i = 0; i < m * k; ++i) {
    uint16_t bits = 0;
    xValues[i] = roundActivation(normal(rng), spec.activation, bits);
    if (actBytes == 4)
      std::memcpy(x.data() + 4 * i, &xValues[i], 4);
    else
      std::memcpy(x.data() + 2 * i, &bits, 2);
  }
  std::vector<uint8_t> y(m * n * actBytes);

  // Generate, compile, load.
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("lowbit-bench", dir))
    usageError("cannot create a temporary directory: " + ec.message());
  // IR in, pipeline, emission: the kernel comes out of the compiler.
  std::string ir = buildModule(spec, m), scheduled;
  std::string source =
      compileThroughPipeline(argv[0], ir, config, dir, scheduled);
  bool emulated = !emulator.empty();
  void *handle = compileKernel(dir, spec,
                               compileOnly ? Build::Object
                               : emulated  ? Build::Program
                                           : Build::Load);
  if (compileOnly) {
    llvm::sys::fs::remove_directories(dir);
    llvm::outs() << "compiled " << spec.name << " for "
                 << cpu::isaName(spec.isa) << " (" << source.size()
                 << " bytes of C++); not run (--compile-only)\n";
    return 0;
  }
  using KernelFn =
      void (*)(const void *, int64_t, const uint32_t *, const void *,
               const float *, const void *, float, const void *, void *, int);
  using ProbeFn = double (*)(const uint64_t *, int64_t, int);
  KernelFn kernel = nullptr;
  ProbeFn probe = nullptr;
  if (handle) {
    kernel = reinterpret_cast<KernelFn>(dlsym(handle, spec.name.c_str()));
    probe = reinterpret_cast<ProbeFn>(dlsym(handle, "lowbit_probe_read"));
    if (!kernel || !probe)
      usageError("the compiled kernel lacks its entry points");
  }

  // What a call reads on the weights' side: the packed words, the scales,
  // the zero points and the negative scales (null when absent).
  struct WeightOperands {
    const uint32_t *words;
    const uint8_t *scales;
    const float *zeros;
    const uint8_t *negScales;
  };
  auto operandsOf = [](const std::vector<uint32_t> &words,
                       const std::vector<uint8_t> &scaleBytes,
                       const std::vector<float> &zeroValues,
                       const std::vector<uint8_t> &negScaleBytes) {
    return WeightOperands{words.data(), scaleBytes.data(),
                          zeroValues.empty() ? nullptr : zeroValues.data(),
                          negScaleBytes.empty() ? nullptr
                                                : negScaleBytes.data()};
  };
  const WeightOperands original =
      operandsOf(packed, storedScales, zeros, storedNegScales);
  // One call of a kernel of this configuration on weights `w`.
  auto call = [&](KernelFn fn, const WeightOperands &w, int fnThreads) {
    fn(x.data(), m, w.words, w.scales, w.zeros, w.negScales, tensorScale,
       nullptr, y.data(), fnThreads);
  };
  // Under --emulator: the operands go to files, the program runs once.
  auto runEmulated = [&](const WeightOperands &w) {
    auto bytesOf = [](const auto &v) {
      return llvm::StringRef(reinterpret_cast<const char *>(v.data()),
                             v.size() * sizeof(v[0]));
    };
    int64_t callWords[3] = {m, 0, int64_t(y.size())};
    std::memcpy(&callWords[1], &tensorScale, sizeof tensorScale);
    writeFile(pathIn(dir, "call.bin"),
              llvm::StringRef(reinterpret_cast<const char *>(callWords),
                              sizeof callWords));
    writeFile(pathIn(dir, "x.bin"), bytesOf(x));
    writeFile(pathIn(dir, "w.bin"),
              llvm::StringRef(reinterpret_cast<const char *>(w.words),
                              packed.size() * 4));
    writeFile(pathIn(dir, "scales.bin"), bytesOf(storedScales));
    writeFile(pathIn(dir, "zeros.bin"), bytesOf(zeros));
    writeFile(pathIn(dir, "neg_scales.bin"), bytesOf(storedNegScales));
    std::vector<std::string> words = commandWords(emulator, "emulator");
    words.push_back(pathIn(dir, "kernel.exe"));
    words.push_back(std::string(dir));
    llvm::SmallVector<llvm::StringRef> args(words.begin(), words.end());
    std::string log = pathIn(dir, "run.log");
    if (int rc = runLogged(args, log)) {
      llvm::errs() << "lowbit-bench: error: the kernel program failed under "
                   << emulator << " (" << rc << "); see " << log << "\n";
      std::exit(1);
    }
    auto result = llvm::MemoryBuffer::getFile(pathIn(dir, "y.bin"));
    if (!result || (*result)->getBufferSize() != y.size())
      usageError("the kernel program wrote no complete y.bin");
    std::memcpy(y.data(), (*result)->getBufferStart(), y.size());
  };
  auto run = [&](const WeightOperands &w) {
    if (emulated)
      runEmulated(w);
    else
      call(kernel, w, nthreads);
  };
  run(original);
  const std::vector<uint8_t> firstOutput = y;

  llvm::json::Object result{
      {"target", "cpu"},
      {"isa", cpu::isaName(spec.isa)},
      {"isa_emulation", emulateIsa.empty() ? "none" : "simde"},
      {"m", m},
      {"n", n},
      {"k", k},
      {"weight", config.formatName},
      {"group", group},
      {"zero", numerics::zeroPointModeName(spec.scheme.zeroPoint)},
      {"scale", numerics::scaleTypeName(spec.scheme.scaleType)},
      {"act", cpu::scalarTypeName(spec.activation)},
      {"strategy", cpu::strategyName(spec.strategy)},
      {"lut_group", spec.lut.group},
      {"lut_exact", spec.lut.exactTables},
      {"threads", nthreads},
      {"schedule", cpu::formatSchedule(spec.schedule)},
      {"seed", int64_t(actualSeed)}};
  if (!kernelCacheUse.empty())
    result["kernel_cache"] = kernelCacheUse;
  bool failed = false;
  if (check) {
    // int8-dot kernels multiply quantized activations: they are checked
    // tightly against a float64 reference on those, and the error against
    // the exact activations may exceed the f32 tolerance by exactly the
    // error the quantization itself causes in float64.
    bool quantized = spec.strategy == cpu::Strategy::Int8Dot;
    std::vector<double> xq;
    if (quantized)
      xq = cpu::quantizeActivationsInt8(xValues, m, k);
    ErrorNorms error, errorQuantized, quantization;
    for (int64_t row = 0; row < m; ++row)
      for (int64_t col = 0; col < n; ++col) {
        double reference = 0, referenceQuantized = 0, magnitude = 0;
        const double *wrow = dequantized.data() + col * k;
        for (int64_t i = 0; i < k; ++i) {
          reference += double(xValues[row * k + i]) * wrow[i];
          magnitude += std::fabs(double(xValues[row * k + i]) * wrow[i]);
        }
        double got = loadOutput(y, row * n + col, spec.output);
        error.add(got, reference, magnitude);
        if (!quantized)
          continue;
        for (int64_t i = 0; i < k; ++i)
          referenceQuantized += xq[row * k + i] * wrow[i];
        errorQuantized.add(got, referenceQuantized);
        quantization.add(referenceQuantized, reference);
      }
    double base = tolerance(spec.output, k, error.cancellation());
    // Vector lut kernels round their activation tables to int8: 0.4 % to
    // 1.5 % on normal data, up to 3.3 % for 1-bit weights with integer
    // zero points (docs/lut-kernels.md, whose unit test asserts the
    // per-element bound); exact tables and the scalar kernel keep f32.
    if (spec.strategy == cpu::Strategy::Lut && spec.isa != cpu::Isa::Scalar &&
        !spec.lut.exactTables)
      base += 0.05;
    double relative = error.relative();
    double limit = base + (quantized ? quantization.relative() * 1.001 : 0.0);
    failed = !(relative <= limit);
    result["max_abs_error"] = error.maxAbs;
    result["rel_frobenius_error"] = relative;
    result["tolerance"] = limit;
    if (quantized) {
      double tight = errorQuantized.relative();
      failed |= !(tight <= base);
      result["rel_frobenius_error_quantized_act"] = tight;
      result["tolerance_quantized_act"] = base;
      result["activation_quantization_error"] = quantization.relative();
    }
    result["check"] = failed ? "fail" : "pass";
  }

  if (!dumpDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir))
      usageError("cannot create " + dumpDir + ": " + ec.message());
    writeNpy(dumpDir, "x.npy", "<f4", {m, k}, xValues.data(), m * k * 4);
    std::vector<int32_t> logical(codes.size());
    bool integer = spec.weight.kind() == numerics::FormatKind::SignedInt ||
                   spec.weight.kind() == numerics::FormatKind::UnsignedInt;
    for (size_t i = 0; i < codes.size(); ++i)
      logical[i] =
          integer ? int32_t(spec.weight.decode(codes[i])) : int32_t(codes[i]);
    writeNpy(dumpDir, "codes.npy", "<i4", {n, k}, logical.data(),
             logical.size() * 4);
    writeNpy(dumpDir, "scales.npy", "<f4", {n, groups}, scales.data(),
             scales.size() * 4);
    std::vector<float> zeroDump =
        zeros.empty() ? std::vector<float>(n * groups, 0.f) : zeros;
    writeNpy(dumpDir, "zeros.npy", "<f4", {n, groups}, zeroDump.data(),
             zeroDump.size() * 4);
    if (!negScales.empty())
      writeNpy(dumpDir, "neg_scales.npy", "<f4", {n, groups}, negScales.data(),
               negScales.size() * 4);
    std::vector<float> yDump(m * n);
    for (int64_t i = 0; i < m * n; ++i)
      yDump[i] = loadOutput(y, i, spec.output);
    writeNpy(dumpDir, "y.npy", "<f4", {m, n}, yDump.data(), yDump.size() * 4);
    llvm::json::Object meta = result;
    meta["format"] = spec.weight.name();
    meta["codes"] = integer ? "integer values" : "raw bit codes";
    meta["tensor_scale"] = double(tensorScale);
    meta["formula"] = "y = x . dequant(W)^T, dequant by docs/numerics.md";
    writeFile(pathIn(dumpDir, "model.mlir"), ir);
    writeFile(pathIn(dumpDir, "scheduled.mlir"), scheduled);
    writeFile(pathIn(dumpDir, "kernel.cpp"), source);
    writeFile(
        pathIn(dumpDir, "meta.json"),
        llvm::formatv("{0:2}\n", llvm::json::Value(std::move(meta))).str());
  }

  if (repeats > 0) {
    // Rotate among copies of the weights with their scales and zero points,
    // totalling at least 256 MiB, so each call reads all of them from
    // memory, not from cache, as a model's layers do.
    size_t weightBytes = packed.size() * 4;
    size_t paramBytes = storedScales.size() + storedNegScales.size() +
                        zeros.size() * sizeof(float);
    size_t copies =
        std::max<size_t>(2, (256u << 20) / (weightBytes + paramBytes) + 1);
    std::vector<std::vector<uint32_t>> rotatedWords(copies, packed);
    std::vector<std::vector<uint8_t>> rotatedScales(copies, storedScales),
        rotatedNegScales(copies, storedNegScales);
    std::vector<std::vector<float>> rotatedZeros(copies, zeros);
    auto rotation = [&](size_t i) {
      i %= copies;
      return operandsOf(rotatedWords[i], rotatedScales[i], rotatedZeros[i],
                        rotatedNegScales[i]);
    };
    // Each timed call is followed by the read-bandwidth probe over another
    // copy's words (the one least recently read), so kernel and probe are
    // measured in the same moments of a machine whose speed drifts, and on
    // buffers of the same size.
    int64_t probeWords = int64_t(weightBytes / 8);
    std::vector<double> times, probeTimes;
    for (int i = 0; i < repeats + 2; ++i) {
      auto start = std::chrono::steady_clock::now();
      run(rotation(i));
      double kernelSeconds = secondsSince(start);
      start = std::chrono::steady_clock::now();
      probe(reinterpret_cast<const uint64_t *>(
                rotatedWords[(i + copies / 2) % copies].data()),
            probeWords, nthreads);
      double probeSeconds = secondsSince(start);
      if (i >= 2) {
        times.push_back(kernelSeconds);
        probeTimes.push_back(probeSeconds);
      }
    }
    // The timed calls read copies of the operands: their output must be the
    // first call's, bit for bit (same kernel, data and summation order).
    if (y != firstOutput) {
      llvm::errs() << "lowbit-bench: error: the timed calls, on copies of the "
                      "weights, wrote another output than the first call\n";
      result["timed_output"] = "differs";
      failed = true;
    }
    // Other schedules of the same kernel on the same data: each is built
    // through the pipeline, checked against the first kernel's output and
    // timed in round-robin rounds.
    if (!config.sweep.empty()) {
      std::vector<uint8_t> reference = y;
      struct Variant {
        cpu::CpuSchedule schedule;
        KernelFn fn;
        int threads;
        bool agrees;
        std::vector<double> samples;
      };
      std::vector<Variant> variants;
      // parseConfig parsed and verified every schedule.
      for (size_t i = 0; i < config.sweep.size(); ++i) {
        const cpu::CpuSchedule &schedule = config.sweep[i];
        Config variant = config;
        variant.spec.schedule = schedule;
        llvm::SmallString<128> sub(dir);
        llvm::sys::path::append(sub, "sweep" + std::to_string(i));
        llvm::sys::fs::create_directories(sub);
        std::string unused;
        compileThroughPipeline(argv[0], ir, variant, sub, unused);
        void *sweepHandle = compileKernel(sub, variant.spec, Build::Load);
        auto fn = reinterpret_cast<KernelFn>(
            dlsym(sweepHandle, spec.name.c_str()));
        if (!fn)
          usageError("the compiled kernel lacks its entry point");
        int fnThreads = schedule.threads > 0 ? schedule.threads : nthreads;
        call(fn, original, fnThreads);
        // Summation order differs between schedules: compare with the
        // check's tolerance.
        ErrorNorms error;
        for (int64_t e = 0; e < m * n; ++e)
          error.add(loadOutput(y, e, spec.output),
                    loadOutput(reference, e, spec.output));
        bool agrees = error.relative() <= tolerance(spec.output, k);
        failed |= !agrees;
        variants.push_back({schedule, fn, fnThreads, agrees, {}});
      }
      // Round robin: every round times each schedule once (after one
      // untimed call), so a machine whose speed drifts during the run
      // (thermal or shared-host throttling) biases no schedule.
      size_t calls = 0;
      for (int round = 0; round < repeats; ++round)
        for (Variant &v : variants) {
          for (int i = 0; i < 2; ++i) {
            auto start = std::chrono::steady_clock::now();
            call(v.fn, rotation(calls++), v.threads);
            if (i == 1)
              v.samples.push_back(secondsSince(start));
          }
        }
      llvm::json::Array swept;
      for (Variant &v : variants)
        swept.push_back(llvm::json::Object{
            {"schedule", cpu::formatSchedule(v.schedule)},
            {"threads", v.threads},
            {"agrees", v.agrees},
            {"time_us", median(v.samples) * 1e6}});
      result["sweep"] = std::move(swept);
    }
    // Medians of both: the kernel's and the probe's typical call.
    double readBandwidth = double(probeWords * 8) / median(probeTimes);
    double bestRead = double(probeWords * 8) /
                      *std::min_element(probeTimes.begin(), probeTimes.end());
    double seconds = median(times);
    double achieved = double(weightBytes + paramBytes) / seconds;
    result["time_us"] = seconds * 1e6;
    result["weight_bytes"] = int64_t(weightBytes + paramBytes);
    result["weight_gbps"] = achieved / 1e9;
    result["read_gbps"] = readBandwidth / 1e9;
    result["read_gbps_best"] = bestRead / 1e9;
    result["bandwidth_fraction"] = achieved / readBandwidth;
  }
  // The kernel stays loaded: OpenMP's worker threads live on in it.
  llvm::sys::fs::remove_directories(dir);

  if (json) {
    llvm::outs() << llvm::json::Value(std::move(result)) << "\n";
  } else {
    std::vector<std::string> keys;
    for (const auto &entry : result)
      keys.push_back(entry.first.str());
    std::sort(keys.begin(), keys.end());
    for (const std::string &key : keys)
      llvm::outs() << key << ": " << *result.get(key) << "\n";
  }
  if (failed)
    llvm::errs() << "lowbit-bench: check failed (seed " << actualSeed << ")\n";
  return failed ? 1 : 0;
}
