//===- TranslateToCpu.cpp - Scheduled lowbit IR to CPU C++ ----------------===//

#include "lowbit/Target/CPU/TranslateToCpu.h"

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;
using namespace lowbit;

static std::optional<cpu::ScalarType> getScalarType(Type type) {
  if (type.isF32())
    return cpu::ScalarType::F32;
  if (type.isF16())
    return cpu::ScalarType::F16;
  if (type.isBF16())
    return cpu::ScalarType::BF16;
  return std::nullopt;
}

FailureOr<cpu::KernelSpec> lowbit::getCpuKernelSpec(MatmulOp op, cpu::Isa isa,
                                                    StringRef name) {
  cpu::KernelSpec spec;
  spec.name = name.str();
  spec.isa = isa;
  LayoutAttr layout = op.getLayoutAttr();
  if (!layout)
    return op.emitOpError("has unpacked weights; run --lowbit-pack-weights "
                          "before emitting CPU code");
  if (!op.getTransposeB())
    return op.emitOpError("packed weights must be stored [N, K] "
                          "(transpose_b)");
  std::optional<numerics::Format> format =
      getElementFormat(*op.getWeightType());
  if (!format)
    return op.emitOpError("has no numerics format for weight type ")
           << *op.getWeightType();
  spec.weight = *format;
  numerics::PackLayout expected = cpu::weightLayout(spec);
  numerics::PackLayout actual = getNumericsLayout(layout);
  if (actual.bits != expected.bits || actual.wordBits != expected.wordBits ||
      actual.aligned != expected.aligned || actual.order != expected.order)
    return op.emitOpError("weights are packed as ")
           << layout << " but the " << cpu::isaName(isa)
           << " kernel reads lanes = " << cpu::isaLanes(isa)
           << " of 32-bit words; run --lowbit-pack-weights with isa="
           << cpu::isaName(isa);
  RankedTensorType input = op.getInput().getType();
  RankedTensorType result = op.getResult().getType();
  std::optional<cpu::ScalarType> act = getScalarType(input.getElementType());
  std::optional<cpu::ScalarType> out = getScalarType(result.getElementType());
  if (!act || !out)
    return op.emitOpError("CPU kernels take f32, f16 or bf16 activations and "
                          "results");
  spec.activation = *act;
  spec.output = *out;
  if (!op.getAccumulatorType().isF32())
    return op.emitOpError("CPU kernels accumulate in f32, not ")
           << op.getAccumulatorType();
  if (op.getEpilogue().getBlocks().size() != 0)
    return op.emitOpError("fused epilogues are not emitted for the CPU yet");
  spec.n = op.getOutputSize();
  spec.k = op.getReductionSize();
  if (ShapedType::isDynamic(spec.n) || ShapedType::isDynamic(spec.k))
    return op.emitOpError("CPU kernels need static N and K, got N = ")
           << (ShapedType::isDynamic(spec.n) ? "?" : std::to_string(spec.n))
           << " and K = "
           << (ShapedType::isDynamic(spec.k) ? "?" : std::to_string(spec.k));
  spec.scheme = getNumericsScheme(op.getScheme());
  spec.bias = static_cast<bool>(op.getBias());
  std::string error = cpu::verifyKernelSpec(spec);
  if (!error.empty())
    return op.emitOpError("cannot be emitted for the CPU: ") << error;
  return spec;
}

LogicalResult lowbit::translateToCpu(Operation *module, raw_ostream &os,
                                     cpu::Isa isa) {
  auto moduleOp = dyn_cast<ModuleOp>(module);
  if (!moduleOp)
    return module->emitError("expected a builtin.module");
  bool emitted = false;
  for (auto func : moduleOp.getOps<func::FuncOp>()) {
    SmallVector<MatmulOp> matmuls(func.getOps<MatmulOp>());
    if (matmuls.empty())
      continue;
    if (matmuls.size() > 1)
      return func.emitError("function '")
             << func.getSymName() << "' holds " << matmuls.size()
             << " lowbit.matmul ops; the CPU emitter makes one kernel per "
                "function";
    FailureOr<cpu::KernelSpec> spec =
        getCpuKernelSpec(matmuls.front(), isa, func.getSymName());
    if (failed(spec))
      return failure();
    cpu::EmitResult result = cpu::emitCpuKernel(*spec);
    if (!result.error.empty())
      return matmuls.front().emitOpError("cannot be emitted: ")
             << result.error;
    os << result.source << "\n";
    emitted = true;
  }
  if (!emitted)
    return moduleOp.emitError("no function holds a lowbit.matmul to emit");
  return success();
}

void lowbit::registerToCpuTranslation() {
  static llvm::cl::opt<std::string> isaName(
      "cpu-isa", llvm::cl::desc("CPU kernels' ISA: avx512, avx2, scalar"),
      llvm::cl::init("avx512"));
  TranslateFromMLIRRegistration registration(
      "emit-cpu", "emit C++ CPU kernels for scheduled lowbit.matmul ops",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        std::optional<cpu::Isa> isa = cpu::parseIsa(isaName.getValue());
        if (!isa)
          return op->emitError("--cpu-isa=")
                 << isaName.getValue() << " is not one of avx512, avx2, scalar";
        return translateToCpu(op, os, *isa);
      },
      [](DialectRegistry &registry) { registerAllDialects(registry); });
}
