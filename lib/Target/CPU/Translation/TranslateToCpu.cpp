//===- TranslateToCpu.cpp - Scheduled lowbit IR to CPU C++ ----------------===//
//
// Turns a scheduled lowbit.matmul into a cpu::KernelSpec, printing its
// epilogue region as C++ statements, and prints the kernels of a module.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/TranslateToCpu.h"

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"
#include "lowbit/InitAll.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CommandLine.h"

#include <limits>

using namespace mlir;
using namespace lowbit;

//===----------------------------------------------------------------------===//
// Epilogue regions as C++
//===----------------------------------------------------------------------===//

static std::optional<cpu::EpilogueType> getEpilogueType(Type type) {
  if (type.isIndex())
    return cpu::EpilogueType::I64;
  if (std::optional<cpu::ScalarType> scalar = getScalarType(type)) {
    switch (*scalar) {
    case cpu::ScalarType::F32:
      return cpu::EpilogueType::F32;
    case cpu::ScalarType::F16:
      return cpu::EpilogueType::F16;
    case cpu::ScalarType::BF16:
      return cpu::EpilogueType::BF16;
    }
  }
  if (!type.isSignlessInteger())
    return std::nullopt;
  switch (type.getIntOrFloatBitWidth()) {
  case 1:
    return cpu::EpilogueType::I1;
  case 8:
    return cpu::EpilogueType::I8;
  case 16:
    return cpu::EpilogueType::I16;
  case 32:
    return cpu::EpilogueType::I32;
  case 64:
    return cpu::EpilogueType::I64;
  default:
    return std::nullopt;
  }
}

static constexpr const char *kEpilogueTypes =
    "f16, bf16, f32, i1, i8, i16, i32, i64 or index";

namespace {
/// A libm (or kernel helper) function an epilogue op maps to, and whether
/// its result is exact in the op's type, so that f16 and bf16 results need
/// no rounding.
struct Call {
  StringRef function;
  bool exact = false;
};

/// Prints the ops of a lowbit.matmul epilogue, in order, as the C++ body of
/// a cpu::Epilogue: one statement per op defining a local `v0`, `v1`, ...;
/// the block's arguments are `acc` and `e0`, `e1`, .... Float values of
/// every type are C floats holding a value of their type: results of f16
/// and bf16 ops are rounded after each op.
class EpiloguePrinter {
public:
  FailureOr<cpu::Epilogue> print(MatmulOp op);

private:
  /// The expression of `op`'s result before rounding to its type, or a
  /// located error; `exact` is cleared when the expression needs rounding.
  FailureOr<std::string> getExpression(Operation &op, bool &exact);
  std::string getCmpFExpression(arith::CmpFOp op);
  std::string getCmpIExpression(arith::CmpIOp op);
  std::string getConstant(arith::ConstantOp op);
  StringRef name(Value value) { return names.at(value); }

  llvm::DenseMap<Value, std::string> names;
};
} // namespace

static InFlightDiagnostic emitUnsupported(Operation &op) {
  return op.emitError("op '")
         << op.getName() << "' is not supported in CPU epilogues";
}

/// The functions of math ops and of arith ops that are calls in C.
static std::optional<Call> getCall(Operation &op) {
  return llvm::StringSwitch<std::optional<Call>>(op.getName().getStringRef())
      .Case("arith.maximumf", Call{"maximumF", true})
      .Case("arith.minimumf", Call{"minimumF", true})
      .Case("arith.maxnumf", Call{"fmaxf", true})
      .Case("arith.minnumf", Call{"fminf", true})
      .Case("arith.remf", Call{"fmodf", true})
      .Case("math.absf", Call{"fabsf", true})
      .Case("math.copysign", Call{"copysignf", true})
      .Case("math.floor", Call{"floorf", true})
      .Case("math.ceil", Call{"ceilf", true})
      .Case("math.trunc", Call{"truncf", true})
      .Case("math.round", Call{"roundf", true})
      .Case("math.roundeven", Call{"nearbyintf", true})
      .Case("math.isnan", Call{"isnan", true})
      .Case("math.isinf", Call{"isinf", true})
      .Case("math.isfinite", Call{"isfinite", true})
      .Case("math.exp", Call{"expf"})
      .Case("math.exp2", Call{"exp2f"})
      .Case("math.expm1", Call{"expm1f"})
      .Case("math.log", Call{"logf"})
      .Case("math.log2", Call{"log2f"})
      .Case("math.log10", Call{"log10f"})
      .Case("math.log1p", Call{"log1pf"})
      .Case("math.sin", Call{"sinf"})
      .Case("math.cos", Call{"cosf"})
      .Case("math.tan", Call{"tanf"})
      .Case("math.sinh", Call{"sinhf"})
      .Case("math.cosh", Call{"coshf"})
      .Case("math.tanh", Call{"tanhf"})
      .Case("math.asin", Call{"asinf"})
      .Case("math.acos", Call{"acosf"})
      .Case("math.atan", Call{"atanf"})
      .Case("math.asinh", Call{"asinhf"})
      .Case("math.acosh", Call{"acoshf"})
      .Case("math.atanh", Call{"atanhf"})
      .Case("math.atan2", Call{"atan2f"})
      .Case("math.erf", Call{"erff"})
      .Case("math.erfc", Call{"erfcf"})
      .Case("math.sqrt", Call{"sqrtf"})
      .Case("math.cbrt", Call{"cbrtf"})
      .Case("math.powf", Call{"powf"})
      .Case("math.fma", Call{"fmaf"})
      .Default(std::nullopt);
}

/// The C operator of binary arith ops that are one.
static std::optional<StringRef> getInfixOperator(Operation &op) {
  return llvm::StringSwitch<std::optional<StringRef>>(
             op.getName().getStringRef())
      .Case("arith.addf", "+")
      .Case("arith.subf", "-")
      .Case("arith.mulf", "*")
      .Case("arith.divf", "/")
      .Case("arith.andi", "&")
      .Case("arith.ori", "|")
      .Case("arith.xori", "^")
      .Default(std::nullopt);
}

std::string EpiloguePrinter::getCmpFExpression(arith::CmpFOp op) {
  std::string a = name(op.getLhs()).str(), b = name(op.getRhs()).str();
  // C comparisons are false on NaN, which makes them the ordered
  // predicates; the unordered ones are the negated opposites.
  switch (op.getPredicate()) {
  case arith::CmpFPredicate::AlwaysFalse:
    return "false";
  case arith::CmpFPredicate::OEQ:
    return a + " == " + b;
  case arith::CmpFPredicate::OGT:
    return a + " > " + b;
  case arith::CmpFPredicate::OGE:
    return a + " >= " + b;
  case arith::CmpFPredicate::OLT:
    return a + " < " + b;
  case arith::CmpFPredicate::OLE:
    return a + " <= " + b;
  case arith::CmpFPredicate::ONE:
    return "(" + a + " < " + b + " || " + a + " > " + b + ")";
  case arith::CmpFPredicate::ORD:
    return "(" + a + " == " + a + " && " + b + " == " + b + ")";
  case arith::CmpFPredicate::UEQ:
    return "!(" + a + " < " + b + " || " + a + " > " + b + ")";
  case arith::CmpFPredicate::UGT:
    return "!(" + a + " <= " + b + ")";
  case arith::CmpFPredicate::UGE:
    return "!(" + a + " < " + b + ")";
  case arith::CmpFPredicate::ULT:
    return "!(" + a + " >= " + b + ")";
  case arith::CmpFPredicate::ULE:
    return "!(" + a + " > " + b + ")";
  case arith::CmpFPredicate::UNE:
    return a + " != " + b;
  case arith::CmpFPredicate::UNO:
    return "(" + a + " != " + a + " || " + b + " != " + b + ")";
  case arith::CmpFPredicate::AlwaysTrue:
    return "true";
  }
  return "false";
}

std::string EpiloguePrinter::getCmpIExpression(arith::CmpIOp op) {
  Type type = op.getLhs().getType();
  unsigned width = type.isIndex() ? 64 : type.getIntOrFloatBitWidth();
  // Integers are held as intN_t, i1 as bool: the signed view of i1 true is
  // -1, the unsigned view of intN_t is uintN_t.
  auto view = [&](Value value, bool isSigned) {
    std::string operand = name(value).str();
    if (width == 1)
      return isSigned ? "-int(" + operand + ")" : operand;
    return isSigned ? operand
                    : "uint" + std::to_string(width) + "_t(" + operand + ")";
  };
  StringRef relation;
  bool isSigned = true;
  switch (op.getPredicate()) {
  case arith::CmpIPredicate::eq:
    relation = "==";
    break;
  case arith::CmpIPredicate::ne:
    relation = "!=";
    break;
  case arith::CmpIPredicate::slt:
    relation = "<";
    break;
  case arith::CmpIPredicate::sle:
    relation = "<=";
    break;
  case arith::CmpIPredicate::sgt:
    relation = ">";
    break;
  case arith::CmpIPredicate::sge:
    relation = ">=";
    break;
  case arith::CmpIPredicate::ult:
    relation = "<", isSigned = false;
    break;
  case arith::CmpIPredicate::ule:
    relation = "<=", isSigned = false;
    break;
  case arith::CmpIPredicate::ugt:
    relation = ">", isSigned = false;
    break;
  case arith::CmpIPredicate::uge:
    relation = ">=", isSigned = false;
    break;
  }
  return view(op.getLhs(), isSigned) + " " + relation.str() + " " +
         view(op.getRhs(), isSigned);
}

std::string EpiloguePrinter::getConstant(arith::ConstantOp op) {
  // Scalars of the supported types are float or integer attributes.
  if (auto value = dyn_cast<FloatAttr>(op.getValue()))
    return cpu::floatLiteral(value.getValueAsDouble());
  const APInt &bits = cast<IntegerAttr>(op.getValue()).getValue();
  if (bits.getBitWidth() == 1)
    return bits.isOne() ? "true" : "false";
  int64_t integer = bits.getSExtValue();
  // -2^63 has no decimal literal; every other value is one, cast back.
  if (integer == std::numeric_limits<int64_t>::min())
    return "INT64_MIN";
  return std::string(cpu::epilogueValueType(*getEpilogueType(op.getType()))) +
         "(" + std::to_string(integer) + "LL)";
}

FailureOr<std::string> EpiloguePrinter::getExpression(Operation &op,
                                                      bool &exact) {
  auto operandNames = [&] {
    SmallVector<std::string> operands;
    for (Value operand : op.getOperands())
      operands.push_back(name(operand).str());
    return llvm::join(operands, ", ");
  };
  if (std::optional<Call> call = getCall(op)) {
    exact = call->exact;
    return call->function.str() + "(" + operandNames() + ")";
  }
  if (std::optional<StringRef> infix = getInfixOperator(op)) {
    std::string expression = name(op.getOperand(0)).str() + " " + infix->str() +
                             " " + name(op.getOperand(1)).str();
    // Integer operators promote to int; cast back to the operands' type.
    if (!isa<FloatType>(op.getResult(0).getType()))
      return std::string(cpu::epilogueValueType(
                 *getEpilogueType(op.getResult(0).getType()))) +
             "(" + expression + ")";
    exact = false;
    return expression;
  }
  return llvm::TypeSwitch<Operation *, FailureOr<std::string>>(&op)
      .Case([&](arith::ConstantOp constant) { return getConstant(constant); })
      .Case([&](arith::NegFOp negf) {
        return "-" + name(negf.getOperand()).str();
      })
      .Case([&](arith::ExtFOp extf) { return name(extf.getIn()).str(); })
      .Case([&](arith::TruncFOp truncf) -> FailureOr<std::string> {
        std::optional<arith::RoundingMode> mode = truncf.getRoundingmode();
        if (mode && *mode != arith::RoundingMode::to_nearest_even)
          return truncf.emitError("op 'arith.truncf' rounds ")
                 << arith::stringifyRoundingMode(*mode)
                 << "; CPU epilogues round to_nearest_even only";
        exact = false;
        return name(truncf.getIn()).str();
      })
      .Case([&](arith::CmpFOp cmpf) { return getCmpFExpression(cmpf); })
      .Case([&](arith::CmpIOp cmpi) { return getCmpIExpression(cmpi); })
      .Case([&](arith::SelectOp select) {
        return name(select.getCondition()).str() + " ? " +
               name(select.getTrueValue()).str() + " : " +
               name(select.getFalseValue()).str();
      })
      .Case([&](math::RsqrtOp rsqrt) {
        exact = false;
        return "1.0f / sqrtf(" + name(rsqrt.getOperand()).str() + ")";
      })
      .Case<arith::SIToFPOp, arith::UIToFPOp>([&](Operation *convert) {
        Value in = convert->getOperand(0);
        unsigned width = in.getType().getIntOrFloatBitWidth();
        bool isSigned = isa<arith::SIToFPOp>(convert);
        exact = false;
        // i1 is a bool: signed true is -1.
        if (width == 1)
          return name(in).str() +
                 (isSigned ? " ? -1.0f : 0.0f" : " ? 1.0f : 0.0f");
        if (isSigned)
          return "float(" + name(in).str() + ")";
        return "float(uint" + std::to_string(width) + "_t(" + name(in).str() +
               "))";
      })
      .Default([&](Operation *) { return emitUnsupported(op); });
}

FailureOr<cpu::Epilogue> EpiloguePrinter::print(MatmulOp op) {
  cpu::Epilogue epilogue;
  Block *block = op.getEpilogueBlock();
  names[block->getArgument(0)] = "acc";
  for (auto [index, operand] : llvm::enumerate(op.getEpilogueOperands())) {
    auto type = cast<RankedTensorType>(operand.getType());
    std::optional<cpu::EpilogueType> elementType =
        getEpilogueType(type.getElementType());
    if (!elementType)
      return op.emitOpError("epilogue operand #")
             << index << " has element type " << type.getElementType()
             << ", which CPU kernels do not read; expected " << kEpilogueTypes;
    epilogue.operands.push_back({*elementType, type.getRank() == 1
                                                   ? cpu::EpilogueShape::N
                                                   : cpu::EpilogueShape::MN});
    names[block->getArgument(index + 1)] = "e" + std::to_string(index);
  }
  llvm::raw_string_ostream os(epilogue.body);
  unsigned locals = 0;
  for (Operation &inner : block->without_terminator()) {
    // Arith and math ops on scalars have one result, except the extended
    // multiplications, which have no C++ form here either.
    if (inner.getNumResults() != 1)
      return emitUnsupported(inner);
    // Types first: expressions name the C types of their results.
    Type type = inner.getResult(0).getType();
    std::optional<cpu::EpilogueType> resultType = getEpilogueType(type);
    if (!resultType)
      return inner.emitError("op '")
             << inner.getName() << "' has a result of type " << type
             << ", which CPU epilogues do not support; expected "
             << kEpilogueTypes;
    bool exact = true;
    FailureOr<std::string> expression = getExpression(inner, exact);
    if (failed(expression))
      return failure();
    std::string local = "v" + std::to_string(locals++);
    os << "const " << cpu::epilogueValueType(*resultType) << " " << local
       << " = ";
    if (!exact && *resultType == cpu::EpilogueType::F16)
      os << "roundF16(" << *expression << ");\n";
    else if (!exact && *resultType == cpu::EpilogueType::BF16)
      os << "roundBF16(" << *expression << ");\n";
    else
      os << *expression << ";\n";
    names[inner.getResult(0)] = local;
  }
  auto yield = cast<YieldOp>(block->getTerminator());
  os << "out = " << name(yield.getValue()) << ";";
  return epilogue;
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

FailureOr<cpu::Epilogue> lowbit::printEpilogue(MatmulOp op) {
  return EpiloguePrinter().print(op);
}

FailureOr<bool> lowbit::readScheduleAttr(
    MatmulOp op, StringRef target, StringRef kind,
    ArrayRef<std::pair<StringRef, int64_t *>> fields) {
  Attribute attr = op->getAttr(kScheduleAttrName);
  if (!attr)
    return false;
  auto dict = dyn_cast<DictionaryAttr>(attr);
  if (!dict)
    return op.emitOpError("'") << kScheduleAttrName
                               << "' must be a dictionary, got " << attr;
  for (NamedAttribute entry : dict) {
    StringRef key = entry.getName().getValue();
    if (key == "target") {
      auto name = dyn_cast<StringAttr>(entry.getValue());
      if (!name || name.getValue() != target)
        return op.emitOpError("was scheduled for ")
               << entry.getValue() << " but is emitted for " << target
               << "; rerun --lowbit-tile-search for this target";
      continue;
    }
    auto field = llvm::find_if(
        fields, [&](const auto &field) { return field.first == key; });
    if (field != fields.end()) {
      auto value = dyn_cast<IntegerAttr>(entry.getValue());
      if (!value)
        return op.emitOpError("schedule entry '") << key
                                                  << "' must be an integer";
      // The kernel generators verify each field's range; keep it within an
      // int for them.
      int64_t number = value.getInt();
      if (number < 0 || number > std::numeric_limits<int>::max())
        return op.emitOpError("schedule entry '")
               << key << "' = " << number << " is out of range";
      *field->second = number;
      continue;
    }
    // Predictions and provenance recorded by the search are informative.
    if (key == "time_us" || key == "energy_uj" || key == "objective" ||
        key == "source")
      continue;
    InFlightDiagnostic diag = op.emitOpError("unknown schedule entry '")
                              << key << "'; " << kind
                              << " schedules hold target";
    for (const auto &field : fields)
      diag << ", " << field.first;
    diag << " (and the search's time_us, energy_uj, objective, source)";
    return diag;
  }
  return true;
}

FailureOr<std::optional<cpu::CpuSchedule>>
lowbit::readCpuSchedule(MatmulOp op, cpu::Isa isa) {
  cpu::CpuSchedule schedule;
  int64_t rows = schedule.rows, acc = schedule.accumulators,
          kBlock = schedule.kBlock, threads = schedule.threads,
          panel = schedule.panel;
  FailureOr<bool> found =
      readScheduleAttr(op, std::string("cpu-") + cpu::isaName(isa), "CPU",
                       {{"rows", &rows},
                        {"acc", &acc},
                        {"kblock", &kBlock},
                        {"threads", &threads},
                        {"panel", &panel}});
  if (failed(found))
    return failure();
  if (!*found)
    return std::optional<cpu::CpuSchedule>();
  schedule.rows = int(rows);
  schedule.accumulators = int(acc);
  schedule.kBlock = kBlock;
  schedule.threads = int(threads);
  schedule.panel = panel;
  return std::optional<cpu::CpuSchedule>(schedule);
}

FailureOr<cpu::KernelSpec>
lowbit::getCpuKernelSpec(MatmulOp op, cpu::Isa isa, StringRef name,
                         std::optional<cpu::CpuSchedule> schedule) {
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
  setSpecStrategy(op, spec);
  numerics::PackLayout expected = cpu::weightLayout(spec);
  numerics::PackLayout actual = getNumericsLayout(layout);
  if (actual != expected) {
    InFlightDiagnostic diag = op.emitOpError("weights are packed as ")
                              << layout << " but the " << cpu::isaName(isa)
                              << " " << cpu::strategyName(spec.strategy)
                              << " kernel reads ";
    if (expected.planes())
      diag << "bit planes in tiles of " << expected.planeRows << " rows";
    else
      diag << "lanes = " << expected.order.size() / expected.slotsPerWord()
           << " of " << expected.wordBits << "-bit words";
    return diag << "; run --lowbit-pack-weights with isa="
                << cpu::isaName(isa);
  }
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
  if (op.getEpilogueBlock()) {
    FailureOr<cpu::Epilogue> epilogue = EpiloguePrinter().print(op);
    if (failed(epilogue))
      return failure();
    spec.epilogue = std::move(*epilogue);
  }
  spec.n = op.getOutputSize();
  spec.k = op.getReductionSize();
  if (ShapedType::isDynamic(spec.n) || ShapedType::isDynamic(spec.k))
    return op.emitOpError("CPU kernels need static N and K, got N = ")
           << (ShapedType::isDynamic(spec.n) ? "?" : std::to_string(spec.n))
           << " and K = "
           << (ShapedType::isDynamic(spec.k) ? "?" : std::to_string(spec.k));
  spec.scheme = getNumericsScheme(op.getScheme());
  spec.bias = static_cast<bool>(op.getBias());
  if (schedule) {
    spec.schedule = *schedule;
  } else {
    FailureOr<std::optional<cpu::CpuSchedule>> chosen =
        readCpuSchedule(op, isa);
    if (failed(chosen))
      return failure();
    if (*chosen)
      spec.schedule = **chosen;
  }
  std::string error = cpu::verifyKernelSpec(spec);
  if (!error.empty())
    return op.emitOpError("cannot be emitted for the CPU: ") << error;
  return spec;
}

LogicalResult lowbit::emitKernelPerFunction(
    Operation *module, raw_ostream &os, StringRef emitterName,
    function_ref<FailureOr<cpu::EmitResult>(MatmulOp, StringRef)> emit) {
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
             << " lowbit.matmul ops; the " << emitterName
             << " emitter makes one kernel per function";
    FailureOr<cpu::EmitResult> result =
        emit(matmuls.front(), func.getSymName());
    if (failed(result))
      return failure();
    if (!result->error.empty())
      return matmuls.front().emitOpError("cannot be emitted: ")
             << result->error;
    os << result->source << "\n";
    emitted = true;
  }
  if (!emitted)
    return moduleOp.emitError("no function holds a lowbit.matmul to emit");
  return success();
}

LogicalResult
lowbit::translateToCpu(Operation *module, raw_ostream &os, cpu::Isa isa,
                       std::optional<cpu::CpuSchedule> schedule) {
  return emitKernelPerFunction(
      module, os, "CPU",
      [&](MatmulOp op, StringRef name) -> FailureOr<cpu::EmitResult> {
        FailureOr<cpu::KernelSpec> spec =
            getCpuKernelSpec(op, isa, name, schedule);
        if (failed(spec))
          return failure();
        return cpu::emitCpuKernel(*spec);
      });
}

void lowbit::registerToCpuTranslation() {
  static llvm::cl::opt<std::string> isaName(
      "cpu-isa", llvm::cl::desc("CPU kernels' ISA: scalar, avx2, avx512, neon"),
      llvm::cl::init("avx512"));
  static llvm::cl::opt<std::string> scheduleText(
      "cpu-schedule",
      llvm::cl::desc("CPU kernels' schedule, e.g. rows=4,acc=2,kblock=0,"
                     "panel=8 (overrides the ops' lowbit.schedule "
                     "attributes)"),
      llvm::cl::init(""));
  TranslateFromMLIRRegistration registration(
      "emit-cpu", "emit C++ CPU kernels for scheduled lowbit.matmul ops",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        std::optional<cpu::Isa> isa = cpu::parseIsa(isaName.getValue());
        if (!isa)
          return op->emitError("--cpu-isa=")
                 << isaName.getValue() << " is not one of " << cpu::isaNames();
        std::optional<cpu::CpuSchedule> schedule;
        if (!scheduleText.empty()) {
          std::string error;
          schedule = cpu::parseSchedule(scheduleText.getValue(), error);
          if (!schedule)
            return op->emitError("--cpu-schedule=")
                   << scheduleText.getValue() << ": " << error;
        }
        return translateToCpu(op, os, *isa, schedule);
      },
      [](DialectRegistry &registry) { registerAllDialects(registry); });
}
