//===- ModelCompiler.cpp - A model module to a kernel library -------------===//
//
// Collects every lowbit.matmul of a scheduled model, deduplicates the
// kernels (two layers share one when their emitted source is the same up
// to the kernel's name) and gathers each layer's constant operands in the
// kernels' ABI. LibraryWriter.cpp writes the folder.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Compile/ModelCompiler.h"

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Target/CPU/TranslateToCpu.h"
#include "lowbit/Target/GPU/TranslateToGpu.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::compile;

std::optional<Target> lowbit::compile::parseTarget(StringRef name) {
  if (name == "cpu")
    return Target::CPU;
  if (name == "cuda")
    return Target::CUDA;
  if (name == "hip")
    return Target::HIP;
  return std::nullopt;
}

const char *lowbit::compile::targetName(Target target) {
  switch (target) {
  case Target::CPU:
    return "cpu";
  case Target::CUDA:
    return "cuda";
  case Target::HIP:
    return "hip";
  }
  return "?";
}

namespace {

std::string locationString(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  if (auto named = dyn_cast<NameLoc>(loc))
    return locationString(named.getChildLoc());
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations()) {
      std::string text = locationString(inner);
      if (!text.empty())
        return text;
    }
  return "";
}

/// A C identifier from arbitrary text: other characters become '_'.
std::string identifier(StringRef text) {
  std::string out;
  for (char c : text)
    out += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (out.empty() || llvm::isDigit(out.front()))
    out = "k_" + out;
  return out;
}

/// The ABI name of an element type as the manifest spells it.
std::string dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (isa<Float8E8M0FNUType>(type))
    return "e8m0";
  if (isa<Float8E4M3FNType>(type))
    return "e4m3";
  if (isa<IndexType>(type))
    return "i64";
  if (auto integer = dyn_cast<IntegerType>(type)) {
    if (integer.getWidth() == 1)
      return "u8"; // i1 travels as one byte per element.
    return (integer.isUnsigned() ? "u" : "i") +
           std::to_string(integer.getWidth());
  }
  return "";
}

/// Appends `value`'s low `bytes` bytes, little-endian.
void appendLittleEndian(std::vector<uint8_t> &out, uint64_t value,
                        unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i)
    out.push_back(uint8_t(value >> (8 * i)));
}

/// The bytes of a constant tensor as the kernels read it: integers and
/// floats at their storage width (i1 as one byte), or f32 when `asF32`
/// (zero points, which every kernel reads as floats).
std::optional<std::vector<uint8_t>> constantBytes(DenseElementsAttr attr,
                                                  bool asF32) {
  Type element = attr.getElementType();
  std::vector<uint8_t> out;
  int64_t count = attr.getNumElements();
  out.reserve(count * 4);
  if (auto floatType = dyn_cast<FloatType>(element)) {
    for (APFloat value : attr.getValues<APFloat>()) {
      if (asF32) {
        float f = float(value.convertToDouble());
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        appendLittleEndian(out, bits, 4);
      } else {
        appendLittleEndian(out, value.bitcastToAPInt().getZExtValue(),
                           (floatType.getWidth() + 7) / 8);
      }
    }
    return out;
  }
  if (isa<IndexType>(element)) {
    for (APInt value : attr.getValues<APInt>())
      appendLittleEndian(out, value.getSExtValue(), 8);
    return out;
  }
  if (auto integer = dyn_cast<IntegerType>(element)) {
    for (APInt value : attr.getValues<APInt>()) {
      if (asF32) {
        float f = integer.isUnsigned() || integer.getWidth() == 1
                      ? float(value.getZExtValue())
                      : float(value.getSExtValue());
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        appendLittleEndian(out, bits, 4);
      } else {
        appendLittleEndian(out, value.getZExtValue(),
                           std::max(1u, (integer.getWidth() + 7) / 8));
      }
    }
    return out;
  }
  return std::nullopt;
}

/// The constant a value folds to, if any.
DenseElementsAttr constantOf(Value value) {
  Attribute attr;
  if (Operation *def = value.getDefiningOp())
    if (def->hasTrait<OpTrait::ConstantLike>()) {
      SmallVector<OpFoldResult> folded;
      if (succeeded(def->fold(folded)) && folded.size() == 1)
        attr = dyn_cast_if_present<Attribute>(folded.front());
    }
  return dyn_cast_or_null<DenseElementsAttr>(attr);
}

std::string producerOf(Value value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    os << "argument " << arg.getArgNumber();
    if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
      os << " of @" << func.getSymName();
    return text;
  }
  Operation *def = value.getDefiningOp();
  os << "the result of " << def->getName();
  std::string loc = locationString(def->getLoc());
  if (!loc.empty())
    os << " at " << loc;
  return text;
}

/// One operand of a layer: its bytes when constant, else who supplies it.
FailureOr<LayerOperand> describeOperand(MatmulOp op, StringRef role,
                                        Value value, bool asF32) {
  auto type = cast<RankedTensorType>(value.getType());
  LayerOperand operand;
  operand.role = role.str();
  operand.shape.assign(type.getShape().begin(), type.getShape().end());
  // Packed weights are unsigned words: 32-bit (the dequant and lut
  // layouts) or bytes (the int8-dot layout); every kernel ABI takes them as
  // a uint32_t pointer.
  operand.dtype =
      role == "weights"
          ? "u" + std::to_string(type.getElementType().getIntOrFloatBitWidth())
      : asF32 ? "f32"
              : dtypeName(type.getElementType());
  if (operand.dtype.empty())
    return op.emitOpError("operand '")
           << role << "' has element type " << type.getElementType()
           << ", which no kernel ABI passes";
  if (DenseElementsAttr attr = constantOf(value)) {
    operand.bytes = constantBytes(attr, asF32);
    if (!operand.bytes)
      return op.emitOpError("cannot read the constant '") << role << "'";
  } else {
    operand.producer = producerOf(value);
  }
  return operand;
}

/// The constant column permutation of a gather feeding the activations
/// (GPTQ act-order imports: x[:, perm] as a linalg.generic that reads a
/// constant [K] index tensor and extracts from the activations), if any.
Value inputPermutation(MatmulOp op) {
  auto gather = op.getInput().getDefiningOp<linalg::GenericOp>();
  if (!gather || gather.getNumDpsInputs() != 1)
    return {};
  Value perm = gather.getDpsInputOperand(0)->get();
  auto type = dyn_cast<RankedTensorType>(perm.getType());
  bool extracts = false;
  gather.getBody()->walk([&](tensor::ExtractOp) { extracts = true; });
  if (!extracts || !type || type.getRank() != 1 ||
      type.getDimSize(0) != op.getReductionSize() ||
      !type.getElementType().isIntOrIndex() || !constantOf(perm))
    return {};
  return perm;
}

FailureOr<Layer> describeLayer(MatmulOp op) {
  Layer layer;
  layer.op = op;
  layer.location = locationString(op.getLoc());
  auto add = [&](StringRef role, Value value, bool asF32) -> LogicalResult {
    if (!value)
      return success();
    FailureOr<LayerOperand> operand = describeOperand(op, role, value, asF32);
    if (failed(operand))
      return failure();
    layer.operands.push_back(std::move(*operand));
    return success();
  };
  if (failed(add("weights", op.getWeights(), false)) ||
      failed(add("scales", op.getScales(), false)) ||
      failed(add("zeros", op.getZeros(), true)) ||
      failed(add("neg_scales", op.getNegScales(), false)) ||
      failed(add("bias", op.getBias(), false)))
    return failure();
  // The caller gathers the activations' columns by this permutation before
  // calling the kernel: the kernel itself takes the gathered activations.
  if (Value perm = inputPermutation(op))
    if (failed(add("input_permutation", perm, false)))
      return failure();
  for (auto [i, value] : llvm::enumerate(op.getEpilogueOperands()))
    if (failed(add("epilogue." + std::to_string(i), value, false)))
      return failure();
  if (Value scale = op.getTensorScale()) {
    DenseElementsAttr attr = constantOf(scale);
    if (!attr)
      return op.emitOpError("has a tensor scale that is not a constant; "
                            "lowbit-compile writes it into the manifest");
    layer.tensorScale = (*attr.getValues<APFloat>().begin()).convertToDouble();
  }
  return layer;
}

/// Kernel names: format, shape and group, e.g. int4_4096x4096_g128.
std::string kernelBaseName(MatmulOp op) {
  std::optional<numerics::Format> format =
      getElementFormat(op.getLogicalWeightType().getElementType());
  std::string name = format ? format->name() : "weights";
  name += "_" + std::to_string(op.getOutputSize()) + "x" +
          std::to_string(op.getReductionSize());
  std::vector<int64_t> group = getNumericsScheme(op.getScheme()).groupShape;
  if (group.size() == 2)
    name += "_g" + std::to_string(group[1]);
  return identifier(name);
}

std::string cType(cpu::ScalarType type) {
  return type == cpu::ScalarType::F32 ? "float" : "uint16_t";
}

std::string scaleCType(numerics::ScaleType type) {
  switch (numerics::scaleTypeBits(type)) {
  case 32:
    return "float";
  case 16:
    return "uint16_t";
  default:
    return "uint8_t";
  }
}

std::string schemeSummary(const numerics::Format &weight,
                          const numerics::Scheme &scheme, int64_t n,
                          int64_t k) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << weight.name() << " weights [" << n << ", " << k << "], groups of "
     << (scheme.groupShape.size() == 2 ? scheme.groupShape[1] : 0)
     << " along K, " << numerics::scaleTypeName(scheme.scaleType)
     << " scales, zero points " << numerics::zeroPointModeName(scheme.zeroPoint)
     << (scheme.tensorScale ? ", tensor scale" : "");
  return text;
}

/// The header comment of a kernel's prototype, up to the target's words.
template <typename Spec>
void printDeclarationComment(llvm::raw_ostream &os, const Spec &spec) {
  os << "/// y[m, " << spec.n << "] = x[m, " << spec.k
     << "] . dequant(W)^T (+ bias)"
     << (spec.epilogue ? ", then the epilogue" : "") << "\n/// "
     << schemeSummary(spec.weight, spec.scheme, spec.n, spec.k)
     << ".\n/// Activations " << cpu::scalarTypeName(spec.activation)
     << ", output " << cpu::scalarTypeName(spec.output) << "; ";
}

std::string cpuDeclaration(const cpu::KernelSpec &spec) {
  std::string act = cType(spec.activation), out = cType(spec.output);
  std::string scale = scaleCType(spec.scheme.scaleType);
  std::string text;
  llvm::raw_string_ostream os(text);
  printDeclarationComment(os, spec);
  os << "ISA " << cpu::isaName(spec.isa) << ", strategy "
     << cpu::strategyName(spec.strategy);
  if (spec.strategy == cpu::Strategy::Int8Dot)
    os << " (activations quantized to int8 at run time, blocks of "
       << cpu::kInt8Block << " along K)";
  if (spec.strategy == cpu::Strategy::Bf16Dot)
    os << " (bf16 dot products, vdpbf16ps)";
  if (spec.strategy == cpu::Strategy::Lut)
    os << " (table lookup, " << spec.lut.group << " activations per table, "
       << (spec.isa == cpu::Isa::Scalar || spec.lut.exactTables ? "f32"
                                                                : "int8")
       << " tables)";
  os << ".\n/// ABI: docs/cpu-kernels.md.\n"
     << "void " << spec.name << "(const " << act
     << " *x, int64_t m, const uint32_t *w, const " << scale
     << " *scales, const float *zeros, const " << scale
     << " *negScales, float tensorScale, const " << out << " *bias, " << out
     << " *y, int threads"
     << (spec.epilogue ? ", const void *const *epilogueOperands" : "")
     << ");\n";
  return text;
}

std::string gpuDeclaration(const gpu::KernelSpec &spec) {
  std::string out = cType(spec.output);
  std::string scale = scaleCType(spec.scheme.scaleType);
  std::string text;
  llvm::raw_string_ostream os(text);
  printDeclarationComment(os, spec);
  os << gpu::targetName(spec.target)
     << ". Device pointers; returns 0 or the launch error. ABI: "
        "docs/gpu-kernels.md.\n"
     << "int " << spec.name
     << "(const uint16_t *x, int64_t m, const uint32_t *w, const " << scale
     << " *scales, const float *zeros, const " << scale
     << " *negScales, float tensorScale, const " << out << " *bias, " << out
     << " *y, void *workspace"
     << (spec.epilogue ? ", const void *const *epilogueOperands" : "")
     << ", void *stream);\n"
     << "size_t " << spec.name << "_workspace_bytes(int64_t m);\n"
     << "size_t " << spec.name << "_packed_words(void);\n"
     << "void " << spec.name
     << "_pack_weights(const uint8_t *codes, uint32_t *words);\n";
  return text;
}

/// GPU libraries' host-side packers describe the dequant kernels' layouts
/// only: any other strategy is a located error there.
LogicalResult requireGpuDequant(MatmulOp op, cpu::Strategy strategy) {
  if (strategy == cpu::Strategy::Dequant)
    return success();
  return op.emitOpError("has strategy ")
         << cpu::strategyName(strategy)
         << "; GPU kernel libraries take dequant kernels only (run "
            "lowbit-bench or lowbit-translate --emit-cuda/--emit-hip for "
         << cpu::strategyName(strategy) << " kernels)";
}

/// Emits `op`'s kernel under `name` for the target.
FailureOr<Kernel> emitKernel(MatmulOp op, const Options &options,
                             StringRef name) {
  Kernel kernel;
  kernel.name = name.str();
  cpu::EmitResult result;
  if (options.target == Target::CPU) {
    FailureOr<cpu::KernelSpec> spec = getCpuKernelSpec(op, options.isa, name);
    if (failed(spec))
      return failure();
    kernel.cpu = *spec;
    kernel.declaration = cpuDeclaration(*spec);
    kernel.summary =
        schemeSummary(spec->weight, spec->scheme, spec->n, spec->k);
    result = cpu::emitCpuKernel(*spec);
  } else {
    gpu::Target target =
        options.target == Target::CUDA ? gpu::Target::CUDA : gpu::Target::HIP;
    FailureOr<gpu::KernelSpec> spec =
        getGpuKernelSpec(op, target, name, options.gpuTile);
    if (failed(spec))
      return failure();
    if (failed(requireGpuDequant(op, spec->strategy)))
      return failure();
    kernel.gpu = *spec;
    kernel.declaration = gpuDeclaration(*spec);
    kernel.summary =
        schemeSummary(spec->weight, spec->scheme, spec->n, spec->k);
    result = gpu::emitGpuKernel(*spec);
  }
  if (!result.error.empty())
    return op.emitOpError("cannot be emitted: ") << result.error;
  kernel.source = std::move(result.source);
  return kernel;
}

std::string pipelineFor(const Options &options) {
  std::string pipeline;
  if (options.target == Target::CPU) {
    pipeline =
        std::string("lowbit-cpu-pipeline{isa=") + cpu::isaName(options.isa);
    if (!options.cpuStrategy.empty())
      pipeline += " strategy=" + options.cpuStrategy;
  } else {
    pipeline =
        std::string("lowbit-gpu-pipeline{target=") + targetName(options.target);
  }
  pipeline += "},canonicalize";
  if (options.tileSearch) {
    std::string target = options.target == Target::CPU
                             ? std::string("cpu-") + cpu::isaName(options.isa)
                             : std::string(targetName(options.target));
    pipeline += ",lowbit-tile-search{target=" + target;
    if (!options.tileSearch->empty())
      pipeline += " " + *options.tileSearch;
    pipeline += "}";
  }
  return pipeline;
}

} // namespace

FailureOr<CompiledModel>
lowbit::compile::compileModule(ModuleOp module, const Options &options) {
  PassManager pm(module.getContext());
  if (failed(parsePassPipeline(pipelineFor(options), pm))) {
    return module.emitError("cannot build the pipeline '")
           << pipelineFor(options) << "'";
  }
  if (failed(pm.run(module)))
    return failure();

  CompiledModel model;
  model.options = options;
  // Source text with a placeholder name -> kernel index.
  llvm::StringMap<unsigned> bySource;
  llvm::StringMap<unsigned> nameUses;
  llvm::StringMap<unsigned> layerNames;
  bool failedAny = false;
  module.walk([&](func::FuncOp func) {
    SmallVector<MatmulOp> matmuls;
    func.walk([&](MatmulOp op) { matmuls.push_back(op); });
    for (auto [i, op] : llvm::enumerate(matmuls)) {
      FailureOr<Layer> layer = describeLayer(op);
      if (failed(layer)) {
        failedAny = true;
        continue;
      }
      layer->function = func.getSymName().str();
      std::string name = identifier(func.getSymName());
      if (matmuls.size() > 1)
        name += "_" + std::to_string(i);
      if (unsigned uses = layerNames[name]++)
        name += "_" + std::to_string(uses);
      layer->name = name;

      FailureOr<Kernel> probe = emitKernel(op, options, "lowbit_kernel");
      if (failed(probe)) {
        failedAny = true;
        continue;
      }
      auto [it, inserted] =
          bySource.try_emplace(probe->source, model.kernels.size());
      if (inserted) {
        std::string kernelName = kernelBaseName(op);
        if (unsigned uses = nameUses[kernelName]++)
          kernelName += "_" + std::to_string(uses);
        FailureOr<Kernel> kernel = emitKernel(op, options, kernelName);
        if (failed(kernel)) {
          failedAny = true;
          continue;
        }
        model.kernels.push_back(std::move(*kernel));
      }
      layer->kernel = it->second;
      model.kernels[it->second].layers.push_back(model.layers.size());
      model.layers.push_back(std::move(*layer));
    }
  });
  if (failedAny)
    return failure();
  if (model.layers.empty())
    return module.emitError("the module holds no lowbit.matmul (after "
                            "--lowbit-fuse-dequant): nothing to compile");
  return model;
}
