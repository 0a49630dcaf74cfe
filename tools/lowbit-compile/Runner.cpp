//===- Runner.cpp - Run a built library against the reference -------------===//

#include "Runner.h"

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Pack.h"
#include "lowbit/Target/GPU/GpuKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <random>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::compile;

namespace {

using CpuKernelFn = void (*)(const void *, int64_t, const uint32_t *,
                             const void *, const float *, const void *, float,
                             const void *, void *, int);
using CpuEpilogueKernelFn = void (*)(const void *, int64_t, const uint32_t *,
                                     const void *, const float *, const void *,
                                     float, const void *, void *, int,
                                     const void *const *);
// The GPU ABI (docs/gpu-kernels.md): device pointers, which are host
// pointers in the CPU emulation of the GPU runtime.
using GpuKernelFn = int (*)(const void *, int64_t, const uint32_t *,
                            const void *, const float *, const void *, float,
                            const void *, void *, void *, void *);
using GpuEpilogueKernelFn = int (*)(const void *, int64_t, const uint32_t *,
                                    const void *, const float *, const void *,
                                    float, const void *, void *, void *,
                                    const void *const *, void *);
using WorkspaceBytesFn = size_t (*)(int64_t);

/// What the runner needs of a kernel's specification, for CPU and GPU
/// kernels alike: a GPU kernel's fields in a cpu::KernelSpec.
cpu::KernelSpec runSpec(const Kernel &kernel) {
  if (!kernel.gpu)
    return kernel.cpu;
  const gpu::KernelSpec &g = *kernel.gpu;
  cpu::KernelSpec spec;
  spec.name = g.name;
  spec.weight = g.weight;
  spec.scheme = g.scheme;
  spec.activation = g.activation;
  spec.strategy = g.strategy;
  spec.output = g.output;
  spec.n = g.n;
  spec.k = g.k;
  spec.bias = g.bias;
  spec.epilogue = g.epilogue;
  return spec;
}

/// `value` rounded to the float type `type` (f32, f16, bf16).
double roundTo(Type type, double value) {
  if (type.isF16())
    return numerics::fromF16Bits(numerics::toF16Bits(float(value)));
  if (type.isBF16())
    return numerics::fromBF16Bits(numerics::toBF16Bits(float(value)));
  if (type.isF32())
    return float(value);
  return value;
}

bool compareF(arith::CmpFPredicate predicate, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (predicate) {
  case arith::CmpFPredicate::AlwaysFalse:
    return false;
  case arith::CmpFPredicate::OEQ:
    return !unordered && a == b;
  case arith::CmpFPredicate::OGT:
    return !unordered && a > b;
  case arith::CmpFPredicate::OGE:
    return !unordered && a >= b;
  case arith::CmpFPredicate::OLT:
    return !unordered && a < b;
  case arith::CmpFPredicate::OLE:
    return !unordered && a <= b;
  case arith::CmpFPredicate::ONE:
    return !unordered && a != b;
  case arith::CmpFPredicate::ORD:
    return !unordered;
  case arith::CmpFPredicate::UEQ:
    return unordered || a == b;
  case arith::CmpFPredicate::UGT:
    return unordered || a > b;
  case arith::CmpFPredicate::UGE:
    return unordered || a >= b;
  case arith::CmpFPredicate::ULT:
    return unordered || a < b;
  case arith::CmpFPredicate::ULE:
    return unordered || a <= b;
  case arith::CmpFPredicate::UNE:
    return unordered || a != b;
  case arith::CmpFPredicate::UNO:
    return unordered;
  case arith::CmpFPredicate::AlwaysTrue:
    return true;
  }
  return false;
}

/// Evaluates an epilogue region in float64, rounding every float result to
/// its type. Supports the float arithmetic, comparisons, selects, casts and
/// math functions epilogues use; `unsupported` names the first op it
/// cannot evaluate.
class EpilogueEvaluator {
public:
  explicit EpilogueEvaluator(Block &block) : block(block) {}

  std::optional<double> run(double acc, llvm::ArrayRef<double> operands,
                            std::string &unsupported) {
    values.clear();
    values[block.getArgument(0)] = acc;
    for (auto [i, value] : llvm::enumerate(operands))
      values[block.getArgument(i + 1)] = value;
    for (Operation &op : block) {
      if (auto yield = dyn_cast<YieldOp>(op))
        return values.lookup(yield.getValue());
      std::optional<double> result = evaluate(op);
      if (!result) {
        unsupported = op.getName().getStringRef().str();
        return std::nullopt;
      }
      Type type = op.getResult(0).getType();
      values[op.getResult(0)] =
          isa<FloatType>(type) ? roundTo(type, *result) : *result;
    }
    return std::nullopt;
  }

private:
  double in(Operation &op, unsigned i) {
    return values.lookup(op.getOperand(i));
  }

  std::optional<double> evaluate(Operation &op) {
    using Unary = double (*)(double);
    std::optional<Unary> unary =
        llvm::StringSwitch<std::optional<Unary>>(op.getName().getStringRef())
            .Case("math.exp", [](double v) { return std::exp(v); })
            .Case("math.exp2", [](double v) { return std::exp2(v); })
            .Case("math.expm1", [](double v) { return std::expm1(v); })
            .Case("math.log", [](double v) { return std::log(v); })
            .Case("math.log2", [](double v) { return std::log2(v); })
            .Case("math.log1p", [](double v) { return std::log1p(v); })
            .Case("math.tanh", [](double v) { return std::tanh(v); })
            .Case("math.erf", [](double v) { return std::erf(v); })
            .Case("math.sqrt", [](double v) { return std::sqrt(v); })
            .Case("math.rsqrt", [](double v) { return 1.0 / std::sqrt(v); })
            .Case("math.absf", [](double v) { return std::fabs(v); })
            .Case("math.floor", [](double v) { return std::floor(v); })
            .Case("math.ceil", [](double v) { return std::ceil(v); })
            .Case("math.sin", [](double v) { return std::sin(v); })
            .Case("math.cos", [](double v) { return std::cos(v); })
            .Case("arith.negf", [](double v) { return -v; })
            .Case("arith.extf", [](double v) { return v; })
            .Case("arith.truncf", [](double v) { return v; })
            .Case("arith.sitofp", [](double v) { return v; })
            .Case("arith.uitofp", [](double v) { return v; })
            .Default(std::nullopt);
    if (unary)
      return (*unary)(in(op, 0));
    return llvm::TypeSwitch<Operation *, std::optional<double>>(&op)
        .Case([&](arith::ConstantOp constant) -> std::optional<double> {
          if (auto f = dyn_cast<FloatAttr>(constant.getValue()))
            return f.getValueAsDouble();
          if (auto i = dyn_cast<IntegerAttr>(constant.getValue()))
            return double(i.getValue().getSExtValue());
          return std::nullopt;
        })
        .Case([&](arith::AddFOp) { return in(op, 0) + in(op, 1); })
        .Case([&](arith::SubFOp) { return in(op, 0) - in(op, 1); })
        .Case([&](arith::MulFOp) { return in(op, 0) * in(op, 1); })
        .Case([&](arith::DivFOp) { return in(op, 0) / in(op, 1); })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>(
            [&](Operation *) { return std::max(in(op, 0), in(op, 1)); })
        .Case<arith::MinimumFOp, arith::MinNumFOp>(
            [&](Operation *) { return std::min(in(op, 0), in(op, 1)); })
        .Case([&](math::PowFOp) { return std::pow(in(op, 0), in(op, 1)); })
        .Case([&](math::FmaOp) { return in(op, 0) * in(op, 1) + in(op, 2); })
        .Case([&](arith::CmpFOp cmp) {
          return compareF(cmp.getPredicate(), in(op, 0), in(op, 1)) ? 1.0 : 0.0;
        })
        .Case([&](arith::SelectOp) {
          return in(op, 0) != 0.0 ? in(op, 1) : in(op, 2);
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  Block &block;
  llvm::DenseMap<Value, double> values;
};

/// Random values of an ABI dtype: the bytes, and the values they hold.
void randomFill(const std::string &dtype, int64_t count, std::mt19937_64 &rng,
                std::vector<uint8_t> &bytes, std::vector<double> &values) {
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  bytes.clear();
  values.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    double v = uniform(rng);
    if (dtype == "f32") {
      float f = float(v);
      values[i] = f;
      bytes.resize(bytes.size() + 4);
      std::memcpy(bytes.data() + bytes.size() - 4, &f, 4);
    } else if (dtype == "f16" || dtype == "bf16") {
      uint16_t bits = dtype == "f16" ? numerics::toF16Bits(float(v))
                                     : numerics::toBF16Bits(float(v));
      values[i] = dtype == "f16" ? numerics::fromF16Bits(bits)
                                 : numerics::fromBF16Bits(bits);
      bytes.push_back(uint8_t(bits));
      bytes.push_back(uint8_t(bits >> 8));
    } else {
      // Integers (and i1 as one byte): small values.
      int64_t value = dtype == "u8" ? (v > 0) : int64_t(std::lround(v * 8));
      values[i] = double(value);
      unsigned width = dtype == "u8" || dtype == "i8" ? 1
                       : dtype == "i16"               ? 2
                       : dtype == "i32"               ? 4
                                                      : 8;
      for (unsigned b = 0; b < width; ++b)
        bytes.push_back(uint8_t(uint64_t(value) >> (8 * b)));
    }
  }
}

double loadValue(const std::string &dtype, const std::vector<uint8_t> &bytes,
                 int64_t i) {
  if (dtype == "f32") {
    float f;
    std::memcpy(&f, bytes.data() + 4 * i, 4);
    return f;
  }
  uint16_t bits = uint16_t(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  return dtype == "f16" ? numerics::fromF16Bits(bits)
                        : numerics::fromBF16Bits(bits);
}

uint32_t loadBits(const std::vector<uint8_t> &bytes, int64_t i,
                  unsigned width) {
  uint32_t bits = 0;
  for (unsigned b = 0; b < width; ++b)
    bits |= uint32_t(bytes[i * width + b]) << (8 * b);
  return bits;
}

const LayerOperand *findOperand(const Layer &layer, llvm::StringRef role) {
  for (const LayerOperand &operand : layer.operands)
    if (operand.role == role)
      return &operand;
  return nullptr;
}

/// Tolerance of the relative Frobenius error: f32 accumulation over K, the
/// output type's rounding, and f32 transcendental functions in epilogues.
/// Vector lut kernels round their activation tables to int8, which costs
/// 0.4 % to 3.3 % (docs/lut-kernels.md): 5 % more for them, as lowbit-bench
/// allows. Int8-dot kernels are compared with a reference on the
/// activations quantized as they quantize them, so they keep the f32 bound.
/// GPU kernels (run in the emulation) take the GPU probe's bound.
double tolerance(const cpu::KernelSpec &spec, bool epilogue, bool gpu) {
  // GPU kernels round every dequantized weight to the activation type
  // before the tensor cores multiply (lowbit-bench's GPU probe allows the
  // same: 4e-3, or 1.6e-2 with bf16 activations or outputs); their lut
  // tables are f32.
  if (gpu)
    return (spec.activation == cpu::ScalarType::BF16 ||
                    spec.output == cpu::ScalarType::BF16
                ? 1.6e-2
                : 4e-3) +
           (epilogue ? 1e-5 : 0.0);
  double tol = 4.0 * std::sqrt(double(spec.k)) * std::ldexp(1.0, -24) +
               (epilogue ? 1e-5 : 1e-6);
  if (spec.output == cpu::ScalarType::F16)
    tol += std::ldexp(1.0, -10);
  if (spec.output == cpu::ScalarType::BF16)
    tol += std::ldexp(1.0, -7);
  if (spec.strategy == cpu::Strategy::Lut && spec.isa != cpu::Isa::Scalar &&
      !spec.lut.exactTables)
    tol += 0.05;
  return tol;
}

struct LayerResult {
  std::string status = "ok"; ///< ok, FAIL, or why it was not checked.
  double error = 0, tol = 0, seconds = 0, gbps = 0;
  /// Int8-dot layers: the error against the exact activations, which
  /// includes the activation quantization's own error.
  std::optional<double> exactActivationError;
  int64_t rows = 0;
};

LayerResult runLayer(const CompiledModel &model, const Layer &layer,
                     void *library, const RunOptions &options,
                     std::mt19937_64 &rng) {
  LayerResult result;
  const Kernel &kernel = model.kernels[layer.kernel];
  const cpu::KernelSpec spec = runSpec(kernel);
  const bool gpuKernel = kernel.gpu.has_value();
  const LayerOperand *weights = findOperand(layer, "weights");
  const LayerOperand *scales = findOperand(layer, "scales");
  if (!weights->bytes || !scales->bytes) {
    result.status = "not run: weights or scales are supplied at run time";
    return result;
  }
  void *symbol = dlsym(library, spec.name.c_str());
  void *workspaceSymbol =
      gpuKernel ? dlsym(library, (spec.name + "_workspace_bytes").c_str())
                : nullptr;
  if (!symbol || (gpuKernel && !workspaceSymbol)) {
    result.status = "FAIL: the library has no symbol " + spec.name +
                    (symbol ? "_workspace_bytes" : "");
    return result;
  }
  const int64_t n = spec.n, k = spec.k;
  // Rows: the module's static M (and batch), else the option.
  RankedTensorType inputType = MatmulOp(layer.op).getInput().getType();
  int64_t rows = 1;
  for (int64_t dim : inputType.getShape().drop_back())
    rows *= ShapedType::isDynamic(dim) ? options.rows : dim;
  result.rows = rows;

  // Activations, rounded to their type.
  std::string actType = cpu::scalarTypeName(spec.activation);
  std::vector<uint8_t> xBytes;
  std::vector<double> x;
  randomFill(actType, rows * k, rng, xBytes, x);
  // Int8-dot kernels multiply the activations quantized in blocks of 32:
  // the reference does too (xRef), and also keeps the exact ones (x) to
  // report what the quantization costs.
  const bool quantized = spec.strategy == cpu::Strategy::Int8Dot;
  std::vector<double> xRef = x;
  if (quantized)
    xRef = cpu::quantizeActivationsInt8(std::vector<float>(x.begin(), x.end()),
                                        rows, k);

  // The reference weights through the numerics library.
  numerics::PackLayout layout =
      gpuKernel ? gpu::weightLayout(spec.weight.bits(), spec.strategy)
                : cpu::weightLayout(spec);
  const unsigned wordBytes = layout.wordBits / 8;
  std::vector<uint64_t> words(weights->bytes->size() / wordBytes);
  for (size_t i = 0; i < words.size(); ++i)
    words[i] = loadBits(*weights->bytes, i, wordBytes);
  std::vector<uint32_t> codes = numerics::unpack(words, n, k, layout);
  numerics::QuantParams params;
  unsigned scaleWidth = numerics::scaleTypeBits(spec.scheme.scaleType) / 8;
  auto decodeScales = [&](const LayerOperand &operand) {
    std::vector<double> values(operand.bytes->size() / scaleWidth);
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = numerics::decodeScale(loadBits(*operand.bytes, i, scaleWidth),
                                        spec.scheme.scaleType);
    return values;
  };
  params.scales = decodeScales(*scales);
  const LayerOperand *zeros = findOperand(layer, "zeros");
  const LayerOperand *negScales = findOperand(layer, "neg_scales");
  if ((zeros && !zeros->bytes) || (negScales && !negScales->bytes)) {
    result.status = "not run: zero points are supplied at run time";
    return result;
  }
  if (zeros)
    for (int64_t i = 0; i < int64_t(zeros->bytes->size() / 4); ++i)
      params.zeros.push_back(loadValue("f32", *zeros->bytes, i));
  if (negScales)
    params.negScales = decodeScales(*negScales);
  params.tensorScale = layer.tensorScale.value_or(1.0);
  std::vector<double> w =
      numerics::dequantize(codes, {n, k}, spec.weight, spec.scheme, params);
  // Kernels dequantize in f32: weights beyond its range (e8m0 scales near
  // 2^127, as random MXFP4 blocks have) are infinite there, in ggml too.
  for (double value : w)
    if (std::fabs(value) > double(FLT_MAX)) {
      result.status = "not checked: dequantized weights reach " +
                      llvm::formatv("{0:e2}", std::fabs(value)).str() +
                      ", beyond f32";
      return result;
    }

  // Bias and epilogue operands: the module's constants, or random values.
  std::vector<double> bias;
  std::vector<uint8_t> biasBytes;
  if (const LayerOperand *b = findOperand(layer, "bias")) {
    if (b->bytes) {
      biasBytes = *b->bytes;
      for (int64_t i = 0; i < n; ++i)
        bias.push_back(loadValue(b->dtype, biasBytes, i));
    } else {
      randomFill(b->dtype, n, rng, biasBytes, bias);
    }
  }
  struct EpilogueInput {
    std::vector<uint8_t> bytes;
    std::vector<double> values;
    bool perRow = false;
  };
  std::vector<EpilogueInput> epilogueInputs;
  if (spec.epilogue)
    for (size_t i = 0; i < spec.epilogue->operands.size(); ++i) {
      const LayerOperand *operand =
          findOperand(layer, "epilogue." + std::to_string(i));
      EpilogueInput input;
      input.perRow = spec.epilogue->operands[i].shape != cpu::EpilogueShape::N;
      int64_t count = input.perRow ? rows * n : n;
      if (operand->bytes &&
          (operand->dtype == "f32" || operand->dtype == "f16" ||
           operand->dtype == "bf16")) {
        input.bytes = *operand->bytes;
        for (int64_t j = 0; j < count; ++j)
          input.values.push_back(loadValue(operand->dtype, input.bytes, j));
      } else if (operand->bytes) {
        result.status = "not run: integer constant epilogue operands";
        return result;
      } else {
        randomFill(operand->dtype, count, rng, input.bytes, input.values);
      }
      epilogueInputs.push_back(std::move(input));
    }

  // Run the kernel; a NaN-poisoned output shows unwritten elements.
  std::string outType = cpu::scalarTypeName(spec.output);
  size_t outWidth = spec.output == cpu::ScalarType::F32 ? 4 : 2;
  std::vector<uint8_t> y(rows * n * outWidth, 0xFF);
  std::vector<const void *> epiloguePointers;
  for (EpilogueInput &input : epilogueInputs)
    epiloguePointers.push_back(input.bytes.data());
  const float *zerosPtr =
      zeros ? reinterpret_cast<const float *>(zeros->bytes->data()) : nullptr;
  const void *negPtr = negScales ? negScales->bytes->data() : nullptr;
  const void *biasPtr = biasBytes.empty() ? nullptr : biasBytes.data();
  // GPU kernels with split K add partial sums into a workspace that every
  // call leaves zero.
  std::vector<uint8_t> workspace;
  if (gpuKernel)
    workspace.assign(reinterpret_cast<WorkspaceBytesFn>(workspaceSymbol)(rows),
                     0);
  int gpuStatus = 0;
  auto call = [&] {
    const uint32_t *wPtr =
        reinterpret_cast<const uint32_t *>(weights->bytes->data());
    float tensorScale = float(params.tensorScale);
    void *ws = workspace.empty() ? nullptr : workspace.data();
    if (gpuKernel && spec.epilogue)
      gpuStatus = reinterpret_cast<GpuEpilogueKernelFn>(symbol)(
          xBytes.data(), rows, wPtr, scales->bytes->data(), zerosPtr, negPtr,
          tensorScale, biasPtr, y.data(), ws, epiloguePointers.data(), nullptr);
    else if (gpuKernel)
      gpuStatus = reinterpret_cast<GpuKernelFn>(symbol)(
          xBytes.data(), rows, wPtr, scales->bytes->data(), zerosPtr, negPtr,
          tensorScale, biasPtr, y.data(), ws, nullptr);
    else if (spec.epilogue)
      reinterpret_cast<CpuEpilogueKernelFn>(symbol)(
          xBytes.data(), rows, wPtr, scales->bytes->data(), zerosPtr, negPtr,
          tensorScale, biasPtr, y.data(), options.threads,
          epiloguePointers.data());
    else
      reinterpret_cast<CpuKernelFn>(symbol)(
          xBytes.data(), rows, wPtr, scales->bytes->data(), zerosPtr, negPtr,
          tensorScale, biasPtr, y.data(), options.threads);
  };
  call();
  if (gpuStatus != 0) {
    result.status = "FAIL: the kernel returned " + std::to_string(gpuStatus);
    return result;
  }

  // The float64 reference.
  std::optional<EpilogueEvaluator> evaluator;
  if (Block *block = MatmulOp(layer.op).getEpilogueBlock())
    evaluator.emplace(*block);
  double diff = 0, norm = 0, refMax = 0, absMax = 0;
  double exactDiff = 0, exactNorm = 0;
  std::string unsupported;
  // The reference output of row m, column j on activations `xs`.
  auto reference = [&](const std::vector<double> &xs, int64_t m, int64_t j,
                       double &absDot) -> std::optional<double> {
    double acc = bias.empty() ? 0.0 : bias[j];
    const double *xr = xs.data() + m * k, *wr = w.data() + j * k;
    double dot = 0;
    absDot = std::fabs(acc);
    for (int64_t i = 0; i < k; ++i) {
      dot += xr[i] * wr[i];
      absDot += std::fabs(xr[i] * wr[i]);
    }
    acc += dot;
    if (!evaluator)
      return acc;
    llvm::SmallVector<double> operands;
    for (EpilogueInput &input : epilogueInputs)
      operands.push_back(input.values[input.perRow ? m * n + j : j]);
    return evaluator->run(acc, operands, unsupported);
  };
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t j = 0; j < n; ++j) {
      double absDot = 0;
      std::optional<double> ref = reference(xRef, m, j, absDot);
      if (!ref) {
        result.status =
            "not checked: the reference cannot evaluate " + unsupported;
        return result;
      }
      absMax = std::max(absMax, absDot);
      refMax = std::max(refMax, std::fabs(*ref));
      double got = loadValue(outType, y, m * n + j);
      diff += (got - *ref) * (got - *ref);
      norm += *ref * *ref;
      if (std::isnan(got) && !std::isnan(*ref))
        diff = INFINITY;
      if (quantized) {
        double exactAbs = 0;
        std::optional<double> exact = reference(x, m, j, exactAbs);
        exactDiff += (got - *exact) * (got - *exact);
        exactNorm += *exact * *exact;
      }
    }
  // Outputs beyond the output type's range (weights scaled near the f32
  // limit, e8m0 scales up to 2^127) have no representable answer, and
  // where sum |x w| exceeds the f32 range a partial sum in the kernel's f32
  // accumulator may overflow whatever the order of summation.
  if (!(absMax <= double(FLT_MAX))) {
    result.status = "not checked: sum |x w| reaches " +
                    llvm::formatv("{0:e2}", absMax).str() +
                    ", beyond the f32 accumulator";
    return result;
  }
  double outMax =
      spec.output == cpu::ScalarType::F16 ? 65504.0 : double(FLT_MAX);
  if (!(refMax <= outMax)) {
    result.status = "not checked: reference outputs reach " +
                    llvm::formatv("{0:e2}", refMax).str() + ", beyond " +
                    cpu::scalarTypeName(spec.output);
    return result;
  }
  result.error = norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
  if (quantized)
    result.exactActivationError =
        exactNorm > 0 ? std::sqrt(exactDiff / exactNorm) : std::sqrt(exactDiff);
  result.tol = tolerance(spec, spec.epilogue.has_value(), gpuKernel);
  if (!(result.error <= result.tol))
    result.status = "FAIL";

  if (options.repeats > 0) {
    std::vector<double> times;
    for (int r = 0; r < options.repeats; ++r) {
      auto start = std::chrono::steady_clock::now();
      call();
      times.push_back(std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    }
    std::sort(times.begin(), times.end());
    result.seconds = times[times.size() / 2];
    double bytes = double(weights->bytes->size() + scales->bytes->size()) +
                   (zeros ? zeros->bytes->size() : 0) +
                   (negScales ? negScales->bytes->size() : 0);
    result.gbps = bytes / result.seconds / 1e9;
  }
  return result;
}

} // namespace

int lowbit::compile::runLibrary(const CompiledModel &model,
                                const RunOptions &options) {
  void *library = dlopen(options.library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    llvm::errs() << "lowbit-compile: error: cannot load " << options.library
                 << ": " << dlerror() << "\n";
    return -1;
  }
  uint64_t seed = options.seed ? options.seed : std::random_device{}();
  std::mt19937_64 rng(seed);
  if (!options.json)
    llvm::outs() << "run: seed " << seed
                 << ", float64 reference (int8-dot layers: on the "
                    "activations quantized as the kernel quantizes them)\n"
                 << llvm::formatv("{0,-24} {1,-28} {2,4} {3,-8} {4,10} "
                                  "{5,10} {6,10} {7,8}  {8}\n",
                                  "layer", "kernel", "M", "strategy", "rel.err",
                                  "tol", "us", "GB/s", "status");
  int failures = 0;
  for (const Layer &layer : model.layers) {
    LayerResult r = runLayer(model, layer, library, options, rng);
    if (llvm::StringRef(r.status).starts_with("FAIL"))
      ++failures;
    const char *strategy =
        cpu::strategyName(runSpec(model.kernels[layer.kernel]).strategy);
    if (options.json) {
      llvm::json::Object line{
          {"layer", layer.name},  {"kernel", model.kernels[layer.kernel].name},
          {"strategy", strategy}, {"m", r.rows},
          {"rel_error", r.error}, {"tolerance", r.tol},
          {"seconds", r.seconds}, {"weight_gbps", r.gbps},
          {"status", r.status},   {"seed", int64_t(seed)}};
      if (r.exactActivationError)
        line["rel_error_exact_activations"] = *r.exactActivationError;
      llvm::outs() << llvm::json::Value(std::move(line)) << "\n";
      continue;
    }
    llvm::outs() << llvm::formatv("{0,-24} {1,-28} {2,4} {3,-8} {4,10:e2} "
                                  "{5,10:e2} {6,10:f1} {7,8:f1}  {8}\n",
                                  layer.name, model.kernels[layer.kernel].name,
                                  r.rows, strategy, r.error, r.tol,
                                  r.seconds * 1e6, r.gbps, r.status);
  }
  return failures;
}
