//===- Probe.cpp - Measures this CPU for its hardware description ---------===//
//
// `lowbit-tune --probe` compiles a small program with the system C++
// compiler (-O3 -march=native -fopenmp), runs it, and fills a CPU
// description from what it measured: read bandwidth from memory (one core,
// all cores) and from each cache level on one core, vector FMA latency and
// throughput, and the issue rate of other vector instructions. Cache sizes
// come from sysfs, the clock from /proc/cpuinfo. Energy figures cannot be
// measured here (no power counters in a VM) and are estimates, marked so in
// the written file.
//
//===----------------------------------------------------------------------===//

#include "Probe.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>
#include <sstream>
#include <thread>

using namespace lowbit;
using namespace lowbit::tune;

namespace {
const char *kProbeSource = R"cpp(
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// Reads `bytes` of `p` `reps` times with `threads` threads; returns bytes/s.
static double readBandwidth(const char *p, size_t bytes, int reps,
                            int threads) {
  double best = 0;
  for (int trial = 0; trial < 3; ++trial) {
    __m256i sum = _mm256_setzero_si256();
    double t0 = now();
#pragma omp parallel num_threads(threads)
    {
      __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
      for (int r = 0; r < reps; ++r) {
#pragma omp for schedule(static) nowait
        for (size_t i = 0; i < bytes / 128; ++i) {
          const __m256i *q = (const __m256i *)(p + i * 128);
          a = _mm256_xor_si256(a, _mm256_load_si256(q));
          b = _mm256_xor_si256(b, _mm256_load_si256(q + 1));
          c = _mm256_xor_si256(c, _mm256_load_si256(q + 2));
          d = _mm256_xor_si256(d, _mm256_load_si256(q + 3));
        }
      }
      a = _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d));
#pragma omp critical
      sum = _mm256_xor_si256(sum, a);
    }
    double t = now() - t0;
    volatile int sink = _mm256_extract_epi32(sum, 0);
    (void)sink;
    double bw = double(bytes) * reps / t;
    if (bw > best) best = bw;
  }
  return best;
}

// One core re-reading `bytes` (a cache level) `reps` times; bytes/s.
static double cacheBandwidth(const char *p, size_t bytes, long reps) {
  double best = 0;
  for (int trial = 0; trial < 3; ++trial) {
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    double t0 = now();
    for (long r = 0; r < reps; ++r)
      for (size_t i = 0; i < bytes / 128; ++i) {
        const __m256i *q = (const __m256i *)(p + i * 128);
        a = _mm256_add_epi32(a, _mm256_load_si256(q));
        b = _mm256_add_epi32(b, _mm256_load_si256(q + 1));
        c = _mm256_add_epi32(c, _mm256_load_si256(q + 2));
        d = _mm256_add_epi32(d, _mm256_load_si256(q + 3));
      }
    double t = now() - t0;
    a = _mm256_add_epi32(_mm256_add_epi32(a, b), _mm256_add_epi32(c, d));
    volatile int sink = _mm256_extract_epi32(a, 0);
    (void)sink;
    double bw = double(bytes) * reps / t;
    if (bw > best) best = bw;
  }
  return best;
}

// Inline assembly, so the compiler neither reorders nor folds the chains.
#define FMA1(v) __asm__ volatile("vfmadd231ps %1, %2, %0" : "+x"(v) : "x"(y), "x"(x))
#define FMA4(k) __asm__ volatile("vfmadd231ps %1, %2, %0" : "+x"(c##k) : "x"(y), "x"(x))
#define SHIFT(k) __asm__ volatile("vpsrld $3, %0, %0" : "+x"(v##k))
#define OPS(k)                                                                \
  __asm__ volatile("vpaddd %1, %0, %0\n\tvpand %1, %0, %0" : "+x"(v##k) : "x"(mask))

int main() {
  int cores = omp_get_num_procs();
  size_t big = size_t(1) << 30;
  char *p = (char *)aligned_alloc(64, big);
  memset(p, 1, big);
  double dram1 = readBandwidth(p, big, 1, 1);
  double dramAll = readBandwidth(p, big, 1, cores);
  double l1 = cacheBandwidth(p, 16 << 10, 100000);
  double l2 = cacheBandwidth(p, 256 << 10, 5000);
  double l3 = cacheBandwidth(p, 3 << 20, 300);
  free(p);

  const long n = 200000000;
  __m256 x = _mm256_set1_ps(1.0f), y = _mm256_set1_ps(0.999999f);
  // Latency: one dependent chain.
  __m256 acc = _mm256_setzero_ps();
  double t0 = now();
  for (long i = 0; i < n / 4; ++i) {  // four per iteration: no loop overhead
    FMA1(acc); FMA1(acc); FMA1(acc); FMA1(acc);
  }
  double latencyNs = (now() - t0) * 1e9 / (n / 4 * 4);
  // Throughput: twelve independent chains.
  __m256 c0 = x, c1 = y, c2 = x, c3 = y, c4 = x, c5 = y, c6 = x, c7 = y,
         c8 = x, c9 = y, c10 = x, c11 = y;
  t0 = now();
  for (long i = 0; i < n / 4; ++i) {
    FMA4(0); FMA4(1); FMA4(2); FMA4(3); FMA4(4); FMA4(5);
    FMA4(6); FMA4(7); FMA4(8); FMA4(9); FMA4(10); FMA4(11);
  }
  double fmaPerNs = double(n / 4) * 12 / ((now() - t0) * 1e9);
  acc = _mm256_add_ps(acc, _mm256_add_ps(_mm256_add_ps(c0, c1), c2));
  acc = _mm256_add_ps(acc, _mm256_add_ps(_mm256_add_ps(c3, c4), c5));
  acc = _mm256_add_ps(acc, _mm256_add_ps(_mm256_add_ps(c6, c7), c8));
  acc = _mm256_add_ps(acc, _mm256_add_ps(_mm256_add_ps(c9, c10), c11));
  // Other vector instructions: adds and masks on eight independent integer
  // chains (what a decode is made of).
  __m256i v0 = _mm256_set1_epi32(1), v1 = _mm256_set1_epi32(2),
          v2 = _mm256_set1_epi32(3), v3 = _mm256_set1_epi32(4),
          v4 = _mm256_set1_epi32(5), v5 = _mm256_set1_epi32(6),
          v6 = _mm256_set1_epi32(7), v7 = _mm256_set1_epi32(8);
  const __m256i mask = _mm256_set1_epi32(0x7fffffff);
  t0 = now();
  for (long i = 0; i < n / 4; ++i) {
    OPS(0); OPS(1); OPS(2); OPS(3); OPS(4); OPS(5); OPS(6); OPS(7);
  }
  double opsPerNs = double(n / 4) * 16 / ((now() - t0) * 1e9);
  t0 = now();
  for (long i = 0; i < n / 4; ++i) {
    SHIFT(0); SHIFT(1); SHIFT(2); SHIFT(3); SHIFT(4); SHIFT(5); SHIFT(6); SHIFT(7);
  }
  double shiftsPerNs = double(n / 4) * 8 / ((now() - t0) * 1e9);
  // Memory latency: a pointer chase through 256 MiB in random order.
  size_t slots = (size_t(256) << 20) / sizeof(size_t);
  size_t *chain = (size_t *)malloc(slots * sizeof(size_t));
  for (size_t i = 0; i < slots; ++i) chain[i] = i;
  unsigned long long rng = 88172645463325252ull;
  for (size_t i = slots - 1; i > 0; --i) {  // Sattolo: one cycle
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    size_t j = rng % i;
    size_t t = chain[i]; chain[i] = chain[j]; chain[j] = t;
  }
  const long steps = 2000000;
  size_t at = 0;
  t0 = now();
  for (long i = 0; i < steps; ++i) at = chain[at];
  double latencySec = (now() - t0) / steps;
  free(chain);
  __m256i s = _mm256_xor_si256(_mm256_xor_si256(v0, v1), _mm256_xor_si256(v2, v3));
  s = _mm256_xor_si256(s, _mm256_xor_si256(_mm256_xor_si256(v4, v5), _mm256_xor_si256(v6, v7)));
  volatile float sink = _mm256_cvtss_f32(acc) + _mm256_extract_epi32(s, 0) + at;
  (void)sink;
  printf("{\"cores\": %d, \"dram_1\": %.6e, \"dram_all\": %.6e, \"l1\": %.6e, "
         "\"l2\": %.6e, \"l3\": %.6e, \"fma_latency_ns\": %.6e, "
         "\"fma_per_ns\": %.6e, \"ops_per_ns\": %.6e, \"shifts_per_ns\": %.6e, "
         "\"dram_latency_s\": %.6e, \"avx512\": %d}\n",
         cores, dram1, dramAll, l1, l2, l3, latencyNs, fmaPerNs, opsPerNs,
         shiftsPerNs, latencySec,
         __builtin_cpu_supports("avx512f") ? 1 : 0);
  return 0;
}
)cpp";

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// A sysfs cache size ("32K", "8192K") in bytes, 0 when unknown.
int64_t cacheBytes(int level, bool data) {
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    std::ifstream levelFile(dir + "/level"), typeFile(dir + "/type"),
        sizeFile(dir + "/size");
    int l = 0;
    std::string type, size;
    if (!(levelFile >> l) || !(typeFile >> type) || !(sizeFile >> size))
      continue;
    if (l != level || (data && type == "Instruction"))
      continue;
    int64_t value = std::atoll(size.c_str());
    if (!size.empty() && size.back() == 'K')
      value <<= 10;
    if (!size.empty() && size.back() == 'M')
      value <<= 20;
    return value;
  }
  return 0;
}

double clockHz() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("cpu MHz", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos)
        return std::atof(line.c_str() + colon + 1) * 1e6;
    }
  return 0;
}
} // namespace

llvm::Expected<ProbeResult> lowbit::tune::probeCpu(llvm::StringRef compiler,
                                                   llvm::StringRef name) {
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("lowbit-probe", dir))
    return error("cannot create a temporary folder: " + ec.message());
  llvm::SmallString<128> source(dir), binary(dir), output(dir), log(dir);
  llvm::sys::path::append(source, "probe.cpp");
  llvm::sys::path::append(binary, "probe");
  llvm::sys::path::append(output, "probe.json");
  llvm::sys::path::append(log, "probe.log");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(source, ec);
    if (ec)
      return error("cannot write " + source + ": " + ec.message());
    os << kProbeSource;
  }
  llvm::ErrorOr<std::string> cxx = llvm::sys::findProgramByName(compiler);
  if (!cxx)
    return error("cannot find the C++ compiler '" + compiler + "'");
  std::string sourcePath(source), binaryPath(binary), logPath(log),
      outputPath(output);
  llvm::SmallVector<llvm::StringRef> compile = {
      *cxx, "-O3", "-march=native", "-fopenmp", sourcePath, "-o", binaryPath};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath,
                                                logPath};
  if (llvm::sys::ExecuteAndWait(*cxx, compile, std::nullopt, redirects) != 0)
    return error("compiling the probe failed; see " + logPath);
  std::optional<llvm::StringRef> runRedirects[] = {std::nullopt, outputPath,
                                                   logPath};
  if (llvm::sys::ExecuteAndWait(binaryPath, {binaryPath}, std::nullopt,
                                runRedirects) != 0)
    return error("running the probe failed; see " + logPath);
  auto buffer = llvm::MemoryBuffer::getFile(outputPath);
  if (!buffer)
    return error("the probe wrote no result");
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return json.takeError();
  const llvm::json::Object *object = json->getAsObject();
  auto number = [&](const char *key) {
    return object ? object->getNumber(key).value_or(0) : 0;
  };
  ProbeResult result;
  result.measured = (*buffer)->getBuffer().trim().str();
  Hardware &hw = result.hardware;
  hw.name = name.str();
  hw.gpu = false;
  hw.vendor = "x86";
  bool avx512 = number("avx512") > 0;
  hw.arch = avx512 ? "avx512" : "avx2";
  hw.cores = std::max<int64_t>(1, int64_t(number("cores")));
  hw.clockHz = clockHz();
  if (hw.clockHz <= 0)
    hw.clockHz = 1e9; // Cycles are then nanoseconds; ratios still hold.
  hw.vectorBits = avx512 ? 512 : 256;
  hw.vectorRegisters = avx512 ? 32 : 16;
  double ghz = hw.clockHz * 1e-9;
  hw.fmaLatencyCycles = number("fma_latency_ns") * ghz;
  // The probe issues 256-bit instructions; a 512-bit core's rates are
  // taken as the same instruction counts at the wider width.
  hw.fmaPerCycle = number("fma_per_ns") / ghz;
  hw.vectorOpsPerCycle = number("ops_per_ns") / ghz;
  hw.vectorShiftsPerCycle = number("shifts_per_ns") / ghz;
  hw.dramLatencySeconds = number("dram_latency_s");
  // Not measurable by timing alone: AMD family 17h's retire queue (Software
  // Optimization Guide for AMD Family 17h Processors, 192 entries); edit
  // the file for other cores (e.g. 224 Skylake, 256 Zen 3, 448 Zen 5).
  hw.reorderBuffer = 192;
  hw.l1Bytes = cacheBytes(1, true);
  hw.l2Bytes = cacheBytes(2, true);
  hw.l3Bytes = cacheBytes(3, true);
  hw.l1Bandwidth = number("l1");
  hw.l2Bandwidth = number("l2");
  hw.l3Bandwidth = number("l3");
  hw.dramBandwidthPerCore = number("dram_1");
  hw.dramBandwidth = std::max(number("dram_all"), number("dram_1"));
  // Estimates (see the file's header).
  hw.energyFmaPj = 40;
  hw.energyOpPj = 25;
  hw.energyL1PjPerByte = 0.5;
  hw.energyL2PjPerByte = 2;
  hw.energyDramPjPerByte = 120;
  hw.staticWatts = 10;
  hw.coreWatts = 5;
  return result;
}

std::string lowbit::tune::probeHeader(const ProbeResult &result) {
  return "The CPU lowbit-tune --probe ran on, as it measured it.\n"
         "Measured (compiled with -O3 -march=native -fopenmp; best of three):\n"
         "  dram_bandwidth_per_core, dram_bandwidth: reading 1 GiB with one\n"
         "    core and with all; l1/l2/l3 bandwidth: one core re-reading\n"
         "    16 KiB / 256 KiB / 3 MiB; fma_latency_cycles, fma_per_cycle:\n"
         "    256-bit FMAs in one chain and in twelve; vector_ops_per_cycle:\n"
         "    256-bit integer add/and in eight chains; vector_shifts_per_cycle:\n"
         "    vpsrld in eight chains; dram_latency_s: a pointer chase through\n"
         "    256 MiB in random order.\n"
         "  clock_hz: /proc/cpuinfo \"cpu MHz\"; cache sizes: sysfs.\n"
         "  raw: " + result.measured + "\n"
         "Not measured: reorder_buffer 192 (AMD family 17h Software\n"
         "  Optimization Guide; edit for other cores).\n"
         "Estimates (no power counters are readable here): energy_fma_pj 40\n"
         "  and energy_op_pj 25 per 256-bit instruction, energy_l1 0.5 and\n"
         "  energy_l2 2 pJ/B, energy_dram 120 pJ/B (15 pJ/bit DDR4 with I/O),\n"
         "  static_watts 10, core_watts 5: orders of magnitude from Horowitz,\n"
         "  \"Computing's energy problem\", ISSCC 2014, scaled to 14 nm.";
}
