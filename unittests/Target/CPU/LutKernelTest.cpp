//===- LutKernelTest.cpp - Execution tests of the CPU table-lookup kernels ===//
//
// Emits Lut kernels (cpu::Strategy::Lut) for every integer width, signed and
// unsigned, every zero-point mode, and ternary, on odd shapes; compiles them
// with the system C++ compiler, runs them through dlopen on fresh random
// data and compares each output with a float64 reference over the
// dequantized weights. The scalar kernel (exact f32 tables) must agree to
// f32 accumulation error; the AVX2 kernel (int8 tables) within the bound
// its table quantization allows (docs/lut-kernels.md, "Accuracy"). AVX-512
// kernels are compiled only.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/CpuKernel.h"

#include "../../Numerics/TestRandom.h"

#include "gtest/gtest.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

using namespace lowbit;
using numerics::Format;
using numerics::ScaleType;
using numerics::ZeroPointMode;

namespace {

/// The C++ compiler the tests use: $CXX, else g++.
std::string compiler() {
  const char *cxx = std::getenv("CXX");
  return cxx && *cxx ? cxx : "g++";
}

bool haveCompiler(const std::string &cxx) {
  return std::system((cxx + " --version > /dev/null 2>&1").c_str()) == 0;
}

/// A fresh directory for one batch of kernels.
std::string makeTempDir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/lowbit-lut-XXXXXX";
  std::vector<char> path(pattern.begin(), pattern.end());
  path.push_back('\0');
  return mkdtemp(path.data()) ? std::string(path.data()) : "";
}

/// Compiles `source` with `flags`; returns the compiler's output on
/// failure, "" on success.
std::string compile(const std::string &cxx, const std::string &source,
                    const std::string &dir, const std::string &flags,
                    const std::string &output) {
  std::string cpp = dir + "/kernels.cpp", log = dir + "/compile.log";
  std::ofstream(cpp) << source;
  std::string command = cxx + " -std=c++17 -Wall -Wextra -Werror " + flags +
                        " " + cpp + " -o " + output + " > " + log + " 2>&1";
  if (std::system(command.c_str()) == 0)
    return "";
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return command + "\n" + text.str();
}

/// One kernel of a test batch.
struct Case {
  std::string format;
  ZeroPointMode zero = ZeroPointMode::None;
  int64_t m = 3, n = 37, k = 4160, group = 64;
  ScaleType scale = ScaleType::F16;
  cpu::ScalarType activation = cpu::ScalarType::F32;
  cpu::ScalarType output = cpu::ScalarType::F32;
  bool bias = false, tensorScale = false, epilogue = false;

  std::string describe() const {
    std::ostringstream out;
    out << format << " zero=" << numerics::zeroPointModeName(zero)
        << " scale=" << numerics::scaleTypeName(scale) << " M=" << m
        << " N=" << n << " K=" << k << " G=" << group
        << " act=" << cpu::scalarTypeName(activation)
        << " out=" << cpu::scalarTypeName(output) << (bias ? " bias" : "")
        << (tensorScale ? " tensor-scale" : "")
        << (epilogue ? " epilogue" : "");
    return out.str();
  }
};

cpu::KernelSpec specFor(const Case &c, cpu::Isa isa, size_t index) {
  cpu::KernelSpec spec;
  spec.name = "lut_kernel_" + std::to_string(index);
  spec.isa = isa;
  spec.strategy = cpu::Strategy::Lut;
  spec.weight = *Format::parse(c.format);
  spec.scheme.groupShape = {1, c.group};
  spec.scheme.scaleType = c.scale;
  spec.scheme.zeroPoint = c.zero;
  spec.scheme.tensorScale = c.tensorScale;
  spec.activation = c.activation;
  spec.output = c.output;
  spec.n = c.n;
  spec.k = c.k;
  spec.bias = c.bias;
  if (c.epilogue) {
    // out = acc * e0[n] - e1[m, n]
    spec.epilogue =
        cpu::Epilogue{{{cpu::EpilogueType::F32, cpu::EpilogueShape::N},
                       {cpu::EpilogueType::F32, cpu::EpilogueShape::MN}},
                      "out = acc * e0 - e1;"};
  }
  return spec;
}

/// Every integer width signed and unsigned with every zero mode it admits,
/// and ternary, on N = 37 (a full 32-row tile and a tail of 5), K = 4160 in
/// groups of 64, M = 3 and M = 1.
std::vector<Case> formatMatrix() {
  std::vector<Case> cases;
  auto add = [&](const std::string &format, ZeroPointMode zero) {
    for (int64_t m : {3, 1}) {
      Case c;
      c.format = format;
      c.zero = zero;
      c.m = m;
      cases.push_back(c);
    }
  };
  for (int bits = 1; bits <= 8; ++bits) {
    std::string width = std::to_string(bits);
    for (ZeroPointMode zero :
         {ZeroPointMode::None, ZeroPointMode::Integer, ZeroPointMode::Float})
      for (const char *sign : {"int", "uint"})
        add(sign + width, zero);
    if (bits >= 2)
      add("int" + width, ZeroPointMode::AsymFloat);
  }
  for (ZeroPointMode zero :
       {ZeroPointMode::None, ZeroPointMode::Float, ZeroPointMode::AsymFloat})
    add("ternary", zero);
  return cases;
}

/// Shapes and options around the matrix: tile boundaries, groups longer
/// than one int8 table block (4160 = 5 * 832), other scale types, 16-bit
/// activations and outputs, bias, tensor scale, an epilogue.
std::vector<Case> edgeCases() {
  std::vector<Case> cases;
  auto make = [](std::string format, int64_t m, int64_t n, int64_t k,
                 int64_t group) {
    Case c;
    c.format = std::move(format);
    c.m = m;
    c.n = n;
    c.k = k;
    c.group = group;
    return c;
  };
  cases.push_back(make("int4", 2, 64, 256, 128));  // Two full tiles.
  cases.push_back(make("uint2", 5, 100, 512, 32)); // Three tiles and 4.
  cases.push_back(make("int3", 1, 5, 136, 8));     // One short tile.
  Case perChannel = make("int2", 2, 33, 4160, 4160);
  perChannel.zero = ZeroPointMode::Integer;
  cases.push_back(perChannel);
  Case bf16 = make("uint4", 3, 40, 1024, 128);
  bf16.scale = ScaleType::BF16;
  bf16.activation = cpu::ScalarType::BF16;
  bf16.output = cpu::ScalarType::F16;
  bf16.bias = true;
  cases.push_back(bf16);
  Case e8m0 = make("int4", 4, 70, 640, 32);
  e8m0.scale = ScaleType::E8M0;
  e8m0.activation = cpu::ScalarType::F16;
  e8m0.zero = ZeroPointMode::AsymFloat;
  cases.push_back(e8m0);
  Case tensor = make("ternary", 2, 65, 512, 64);
  tensor.scale = ScaleType::E4M3;
  tensor.tensorScale = true;
  tensor.bias = true;
  tensor.epilogue = true;
  cases.push_back(tensor);
  Case f32 = make("int8", 3, 31, 384, 128);
  f32.scale = ScaleType::F32;
  f32.zero = ZeroPointMode::Float;
  f32.epilogue = true;
  cases.push_back(f32);
  return cases;
}

/// The ABI's pointer-typed view of one kernel.
using KernelFn = void (*)(const void *, int64_t, const uint32_t *, const void *,
                          const float *, const void *, float, const void *,
                          void *, int);
using EpilogueKernelFn = void (*)(const void *, int64_t, const uint32_t *,
                                  const void *, const float *, const void *,
                                  float, const void *, void *, int,
                                  const void *const *);

float roundTo(cpu::ScalarType type, double value, uint16_t &bits) {
  switch (type) {
  case cpu::ScalarType::F32:
    return float(value);
  case cpu::ScalarType::F16:
    bits = uint16_t(numerics::encodeScale(value, ScaleType::F16));
    return float(numerics::decodeScale(bits, ScaleType::F16));
  case cpu::ScalarType::BF16:
    bits = uint16_t(numerics::encodeScale(value, ScaleType::BF16));
    return float(numerics::decodeScale(bits, ScaleType::BF16));
  }
  return 0;
}

std::vector<uint8_t> storeScales(const std::vector<double> &values,
                                 ScaleType type) {
  size_t width = numerics::scaleTypeBits(type) / 8;
  std::vector<uint8_t> bytes(values.size() * width);
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits = numerics::encodeScale(values[i], type);
    std::memcpy(bytes.data() + i * width, &bits, width);
  }
  return bytes;
}

/// What one run of a kernel gave against the reference.
struct Outcome {
  double relativeError = 0; ///< ||y - ref||_F / ||ref||_F.
  /// max over elements of |y - ref| / bound, with the per-element bound:
  /// f32 accumulation error, plus the int8-table bound for vector ISAs.
  double worstBoundRatio = 0;
};

/// Runs kernel `symbol` of `handle` for case `c` on fresh random data.
Outcome runCase(void *handle, const cpu::KernelSpec &spec, const Case &c,
                std::mt19937_64 &rng) {
  const int64_t m = c.m, n = c.n, k = c.k, groups = k / c.group;
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> weights(n * k);
  for (double &value : weights)
    value = normal(rng);
  numerics::QuantParams params =
      numerics::calibrate(weights, {n, k}, spec.weight, spec.scheme);
  std::vector<uint32_t> codes =
      numerics::quantize(weights, {n, k}, spec.weight, spec.scheme, params);
  std::vector<double> w =
      numerics::dequantize(codes, {n, k}, spec.weight, spec.scheme, params);
  std::vector<uint64_t> packed64 =
      numerics::pack(codes, n, k, cpu::weightLayout(spec));
  std::vector<uint32_t> packed(packed64.begin(), packed64.end());
  std::vector<uint8_t> scales = storeScales(params.scales, c.scale);
  std::vector<uint8_t> negScales = storeScales(params.negScales, c.scale);
  std::vector<float> zeros(params.zeros.begin(), params.zeros.end());
  float tensorScale = c.tensorScale ? float(params.tensorScale) : 1.0f;

  size_t actBytes = c.activation == cpu::ScalarType::F32 ? 4 : 2;
  size_t outBytes = c.output == cpu::ScalarType::F32 ? 4 : 2;
  std::vector<uint8_t> x(m * k * actBytes), y(m * n * outBytes, 0xff),
      bias(n * outBytes);
  std::vector<float> xv(m * k), biasValues(n, 0.0f);
  for (int64_t i = 0; i < m * k; ++i) {
    uint16_t bits = 0;
    xv[i] = roundTo(c.activation, normal(rng), bits);
    std::memcpy(x.data() + i * actBytes, actBytes == 4 ? (void *)&xv[i] : &bits,
                actBytes);
  }
  for (int64_t i = 0; c.bias && i < n; ++i) {
    uint16_t bits = 0;
    biasValues[i] = roundTo(c.output, normal(rng), bits);
    std::memcpy(bias.data() + i * outBytes,
                outBytes == 4 ? (void *)&biasValues[i] : &bits, outBytes);
  }
  std::vector<float> e0(n), e1(m * n);
  for (float &v : e0)
    v = float(normal(rng));
  for (float &v : e1)
    v = float(normal(rng));
  const void *operands[] = {e0.data(), e1.data()};

  void *symbol = dlsym(handle, spec.name.c_str());
  EXPECT_NE(symbol, nullptr) << spec.name;
  if (!symbol)
    return {1e30, 1e30};
  const void *biasArg = c.bias ? bias.data() : nullptr;
  const float *zerosArg = zeros.empty() ? nullptr : zeros.data();
  const void *negArg = negScales.empty() ? nullptr : negScales.data();
  if (c.epilogue)
    reinterpret_cast<EpilogueKernelFn>(symbol)(
        x.data(), m, packed.data(), scales.data(), zerosArg, negArg,
        tensorScale, biasArg, y.data(), 2, operands);
  else
    reinterpret_cast<KernelFn>(symbol)(x.data(), m, packed.data(),
                                       scales.data(), zerosArg, negArg,
                                       tensorScale, biasArg, y.data(), 2);

  // The int8-table bound of docs/lut-kernels.md: each lookup is off by at
  // most half a table step t = max|T| / 127 of its block, and a group's
  // part adds (1/2) * 2^e of each stream's lookups, per 4 elements; so the
  // error of y is at most sum over blocks of |scale| * t / 4 * (block / 4)
  // * W, with W = sum of 2^e over the part's streams: 2^b - 1 for plain
  // integer codes, 3 for ternary, and for asym-fp 2^(b-1) - 1 (positive
  // part) and 2^b - 1 (negative part), ternary 1 and 2.
  bool vector = spec.isa != cpu::Isa::Scalar;
  int64_t block = c.group;
  while (block > 1024 || c.group % block != 0 || block % 8 != 0)
    block -= 8;
  unsigned bits = spec.weight.bits();
  bool ternary = spec.weight.kind() == numerics::FormatKind::Ternary;
  bool asym = c.zero == ZeroPointMode::AsymFloat;
  double plainWeight = ternary ? 3 : std::ldexp(1.0, bits) - 1;
  double posWeight =
      asym ? (ternary ? 1 : std::ldexp(1.0, bits - 1) - 1) : plainWeight;
  double negWeight = asym ? (ternary ? 2 : std::ldexp(1.0, bits) - 1) : 0;

  double errorSquares = 0, referenceSquares = 0, worst = 0;
  for (int64_t row = 0; row < m; ++row) {
    // Table steps of this activation row, one per block.
    std::vector<double> step(k / block, 0.0);
    for (int64_t t = 0; vector && t < k / 4; ++t) {
      double absSum = 0;
      for (int j = 0; j < 4; ++j)
        absSum += std::fabs(xv[row * k + 4 * t + j]);
      double &s = step[4 * t / block];
      s = std::max(s, absSum / 127);
    }
    for (int64_t col = 0; col < n; ++col) {
      double acc = 0, magnitude = 0, tableBound = 0;
      // The kernels add codes of up to 2^b (and zero points) times the
      // activations before the offsets cancel: their f32 rounding scales
      // with these terms, not only with |x w|.
      for (int64_t i = 0; i < k; ++i) {
        int64_t g = col * groups + i / c.group;
        double scale = std::fabs(params.scales[g] * tensorScale);
        double zero = params.zeros.empty() ? 0 : std::fabs(params.zeros[g]);
        double codeScale =
            scale * std::ldexp(1.0, bits) +
            (c.zero == ZeroPointMode::Integer ? scale * zero : zero) +
            (asym ? std::fabs(params.negScales[g] * tensorScale) *
                        std::ldexp(1.0, bits)
                  : 0);
        acc += double(xv[row * k + i]) * w[col * k + i];
        magnitude += std::fabs(xv[row * k + i]) *
                     (std::fabs(w[col * k + i]) + codeScale);
      }
      for (int64_t b = 0; vector && b < k / block; ++b) {
        int64_t g = b * block / c.group;
        double scale = params.scales[col * groups + g] * tensorScale;
        double negScale =
            asym ? params.negScales[col * groups + g] * tensorScale : 0;
        tableBound +=
            step[b] / 4 * (block / 4) *
            (std::fabs(scale) * posWeight + std::fabs(negScale) * negWeight);
      }
      double reference = acc + biasValues[col];
      // f32 accumulation: 4 ulps of the sum of |terms|.
      double f32Bound = std::ldexp(magnitude + std::fabs(reference), -22);
      if (c.epilogue)
        reference = float(reference) * e0[col] - e1[row * n + col];
      double epilogueFactor = c.epilogue ? std::fabs(e0[col]) : 1.0;
      double outputBound = 0;
      float got;
      if (c.output == cpu::ScalarType::F32) {
        std::memcpy(&got, y.data() + 4 * (row * n + col), 4);
      } else {
        uint16_t bitsOut;
        std::memcpy(&bitsOut, y.data() + 2 * (row * n + col), 2);
        ScaleType type =
            c.output == cpu::ScalarType::F16 ? ScaleType::F16 : ScaleType::BF16;
        got = float(numerics::decodeScale(bitsOut, type));
        outputBound = std::fabs(reference) *
                      std::ldexp(1.0, type == ScaleType::F16 ? -11 : -8);
      }
      double error = std::fabs(double(got) - reference);
      double bound =
          (f32Bound + tableBound) * epilogueFactor + outputBound + 1e-6;
      worst = std::max(worst, std::isfinite(got) ? error / bound : 1e30);
      errorSquares += error * error;
      referenceSquares += reference * reference;
    }
  }
  return {std::sqrt(errorSquares / referenceSquares), worst};
}

/// Emits `cases` for `isa` into one source file, compiles it, runs each
/// case on fresh random data and checks it against the reference.
void checkCases(cpu::Isa isa, const std::vector<Case> &cases,
                double relativeLimit) {
  std::string cxx = compiler();
  if (!haveCompiler(cxx))
    GTEST_SKIP() << "no C++ compiler (" << cxx << ")";
  if (isa == cpu::Isa::AVX2 &&
      !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c")))
    GTEST_SKIP() << "the CPU lacks AVX2, FMA or F16C";
  std::string source;
  std::vector<cpu::KernelSpec> specs;
  for (size_t i = 0; i < cases.size(); ++i) {
    specs.push_back(specFor(cases[i], isa, i));
    cpu::EmitResult result = cpu::emitCpuKernel(specs.back());
    ASSERT_EQ(result.error, "") << cases[i].describe();
    source += result.source;
  }
  std::string dir = makeTempDir();
  ASSERT_NE(dir, "");
  std::string so = dir + "/kernels.so";
  ASSERT_EQ(compile(cxx, source, dir,
                    std::string("-O2 -fopenmp -shared -fPIC ") +
                        cpu::isaCompileFlags(isa),
                    so),
            "");
  void *handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  LOWBIT_SEEDED_RNG(rng);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].describe() + " isa=" + cpu::isaName(isa));
    Outcome outcome = runCase(handle, specs[i], cases[i], rng);
    EXPECT_LE(outcome.worstBoundRatio, 1.0);
    double outputLimit = cases[i].output == cpu::ScalarType::F16    ? 1e-3
                         : cases[i].output == cpu::ScalarType::BF16 ? 1e-2
                                                                    : 0.0;
    EXPECT_LE(outcome.relativeError, std::max(relativeLimit, outputLimit));
    if (std::getenv("LOWBIT_LUT_VERBOSE")) {
      std::printf("%-70s rel %.3g, worst/bound %.3g\n",
                  cases[i].describe().c_str(), outcome.relativeError,
                  outcome.worstBoundRatio);
      std::fflush(stdout);
    }
  }
  // No dlclose: the kernels' OpenMP thread pool outlives the call, and
  // unloading libgomp under it crashes.
  std::system(("rm -rf " + dir).c_str());
}

std::vector<Case> allCases() {
  std::vector<Case> cases = formatMatrix();
  for (const Case &c : edgeCases())
    cases.push_back(c);
  return cases;
}

// Exact f32 tables: f32 rounding only (16-bit outputs add their rounding).
TEST(LutKernelTest, ScalarMatchesTheReference) {
  checkCases(cpu::Isa::Scalar, allCases(), 1e-5);
}

// Int8 tables: within the per-element bound, and a relative Frobenius
// error of a few percent at most (about 0.5 % for 4-bit weights; up to
// 3.3 % measured for 1-bit weights with integer zero points, whose values 0
// and +-s give outputs of about half the norm for the same lookup error).
TEST(LutKernelTest, Avx2MatchesTheReference) {
  checkCases(cpu::Isa::AVX2, allCases(), 5e-2);
}

// Every ISA's kernels compile warning-free with g++ and with clang++ where
// it exists; AVX-512 ones only compile here (this machine may lack it).
TEST(LutKernelTest, CompilesWithGccAndClang) {
  std::vector<Case> cases = edgeCases();
  for (const char *format : {"int1", "uint3", "int4", "ternary"}) {
    Case c;
    c.format = format;
    c.zero = std::string(format) == "uint3" ? ZeroPointMode::Integer
                                            : ZeroPointMode::None;
    cases.push_back(c);
  }
  int compiled = 0;
  for (cpu::Isa isa : {cpu::Isa::Scalar, cpu::Isa::AVX2, cpu::Isa::AVX512}) {
    std::string source;
    for (size_t i = 0; i < cases.size(); ++i) {
      cpu::EmitResult result = cpu::emitCpuKernel(specFor(cases[i], isa, i));
      ASSERT_EQ(result.error, "") << cases[i].describe();
      source += result.source;
    }
    for (std::string cxx : {compiler(), std::string("clang++")}) {
      if (!haveCompiler(cxx))
        continue;
      std::string dir = makeTempDir();
      ASSERT_NE(dir, "");
      // GCC 12's own avx512fintrin.h trips -Wuninitialized.
      EXPECT_EQ(compile(cxx, source, dir,
                        std::string("-O2 -fopenmp -c -Wno-uninitialized ") +
                            cpu::isaCompileFlags(isa),
                        dir + "/kernels.o"),
                "")
          << cxx << " " << cpu::isaName(isa);
      std::system(("rm -rf " + dir).c_str());
      ++compiled;
    }
  }
  if (compiled == 0)
    GTEST_SKIP() << "no C++ compiler";
}

TEST(LutKernelTest, RejectsWhatItCannotGenerate) {
  cpu::KernelSpec spec = specFor(formatMatrix()[0], cpu::Isa::AVX2, 0);
  EXPECT_EQ(cpu::verifyKernelSpec(spec), "");
  EXPECT_EQ(cpu::weightLayout(spec).planeRows, 32u);

  cpu::KernelSpec nf4 = spec;
  nf4.weight = Format::nf4();
  EXPECT_EQ(cpu::verifyKernelSpec(nf4),
            "the lut strategy takes integer and ternary weights, not nf4; "
            "use the dequant strategy");
  cpu::KernelSpec e2m1 = spec;
  e2m1.weight = *Format::parse("e2m1");
  EXPECT_EQ(cpu::verifyKernelSpec(e2m1),
            "the lut strategy takes integer and ternary weights, not e2m1; "
            "use the dequant strategy");
  EXPECT_EQ(cpu::emitCpuKernel(e2m1).source, "");

  cpu::KernelSpec group4 = spec;
  group4.scheme.groupShape = {1, 4};
  EXPECT_EQ(cpu::verifyKernelSpec(group4),
            "the lut strategy needs a group size that is a multiple of 8 (a "
            "byte of index nibbles spans two tables of 4 activations), got 4; "
            "use the dequant strategy");

  cpu::KernelSpec passes = spec;
  passes.schedule.kBlock = 128;
  EXPECT_EQ(cpu::verifyKernelSpec(passes),
            "the lut strategy makes one pass over K, got schedule "
            "kblock=128; use kblock=0");
}

// Timing on M = 1, N = 4096, K = 14336, groups of 128 with f16 scales (the
// numbers in docs/lut-kernels.md): not a test, run with
//   LutKernelTest --gtest_also_run_disabled_tests --gtest_filter='*Timing*'
// LOWBIT_TIMING_FORMATS, _STRATEGIES, _ISA, _THREADS, _REPEATS override
// int1,int2,int3,int4 / lut,dequant / avx2 / 2 / 50.
TEST(LutKernelTest, DISABLED_Timing) {
  auto env = [](const char *name, const char *fallback) {
    const char *value = std::getenv(name);
    return std::string(value && *value ? value : fallback);
  };
  auto split = [](const std::string &list) {
    std::vector<std::string> items;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');)
      items.push_back(item);
    return items;
  };
  cpu::Isa isa = *cpu::parseIsa(env("LOWBIT_TIMING_ISA", "avx2"));
  int threads = std::stoi(env("LOWBIT_TIMING_THREADS", "2"));
  int repeats = std::stoi(env("LOWBIT_TIMING_REPEATS", "50"));
  const int64_t m = 1, n = 4096, k = 14336, group = 128;
  std::string cxx = compiler();
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(m * k), y(m * n);
  for (float &v : x)
    v = normal(rng);
  std::vector<uint16_t> scales(n * k / group);
  for (uint16_t &v : scales)
    v = numerics::toF16Bits(0.01f * (1.0f + std::fabs(normal(rng))));
  std::vector<float> zeros(n * k / group, 1.0f);
  std::printf("M=%lld N=%lld K=%lld group %lld f16 scales, %s, %d threads, "
              "median of %d calls (min in brackets)\n",
              (long long)m, (long long)n, (long long)k, (long long)group,
              cpu::isaName(isa), threads, repeats);
  for (const std::string &format :
       split(env("LOWBIT_TIMING_FORMATS", "int1,int2,int3,int4"))) {
    for (const std::string &strategy :
         split(env("LOWBIT_TIMING_STRATEGIES", "lut,dequant"))) {
      cpu::KernelSpec spec;
      spec.name = "timed";
      spec.isa = isa;
      spec.strategy = *cpu::parseStrategy(strategy);
      spec.weight = *Format::parse(format);
      spec.scheme.groupShape = {1, group};
      spec.scheme.scaleType = ScaleType::F16;
      spec.n = n;
      spec.k = k;
      cpu::EmitResult result = cpu::emitCpuKernel(spec);
      ASSERT_EQ(result.error, "") << format << " " << strategy;
      std::string dir = makeTempDir();
      std::string so = dir + "/timed.so";
      ASSERT_EQ(compile(cxx, result.source, dir,
                        std::string("-O3 -fopenmp -shared -fPIC ") +
                            cpu::isaCompileFlags(isa),
                        so),
                "");
      void *handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
      ASSERT_NE(handle, nullptr) << dlerror();
      auto kernel = reinterpret_cast<KernelFn>(dlsym(handle, "timed"));
      ASSERT_NE(kernel, nullptr);
      // Random codes: the values do not change the time.
      std::uniform_int_distribution<uint32_t> anyCode(
          0, spec.weight.numCodes() - 1);
      std::vector<uint32_t> codes(n * k);
      for (uint32_t &code : codes)
        code = anyCode(rng);
      std::vector<uint64_t> packed64 =
          numerics::pack(codes, n, k, cpu::weightLayout(spec));
      std::vector<uint32_t> packed(packed64.begin(), packed64.end());
      auto call = [&] {
        kernel(x.data(), m, packed.data(), scales.data(), zeros.data(), nullptr,
               1.0f, nullptr, y.data(), threads);
      };
      for (int i = 0; i < 3; ++i)
        call();
      std::vector<double> seconds;
      for (int i = 0; i < repeats; ++i) {
        auto start = std::chrono::steady_clock::now();
        call();
        seconds.push_back(std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count());
      }
      std::sort(seconds.begin(), seconds.end());
      double median = seconds[seconds.size() / 2];
      double weightBytes = 4.0 * packed.size();
      double allBytes = weightBytes + 2.0 * scales.size();
      std::printf("%-6s %-8s %8.3f ms (%.3f)  %6.2f GB/s weights, %6.2f GB/s "
                  "with scales\n",
                  format.c_str(), strategy.c_str(), median * 1e3,
                  seconds.front() * 1e3, weightBytes / median * 1e-9,
                  allBytes / median * 1e-9);
      std::fflush(stdout);
      std::system(("rm -rf " + dir).c_str());
    }
  }
}

} // namespace
