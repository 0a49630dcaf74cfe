//===- Hardware.cpp - Hardware descriptions for the cost model ------------===//
//
// Reads DLTI target-system specs into Hardware records, and prints them back.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Tune/Hardware.h"

#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <functional>
#include <sstream>

using namespace lowbit;
using namespace lowbit::tune;
using llvm::StringRef;

namespace {
/// The built-in descriptions: data/hardware/*.mlir, embedded at configure
/// time (see lib/Tune/CMakeLists.txt).
struct Builtin {
  const char *name;
  const char *text;
};
const Builtin kBuiltins[] = {
#include "BuiltinHardware.inc"
};

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// One key of a description: where it goes and whether a device kind needs
/// it.
struct Field {
  const char *key;
  enum Kind { Int, Float, String } kind;
  enum Need { Cpu, Gpu, Both } need;
  std::function<void(Hardware &, double, StringRef)> set;
  std::function<std::string(const Hardware &)> get;
};

#define INT_FIELD(KEY, NEED, MEMBER)                                          \
  Field{KEY, Field::Int, Field::NEED,                                         \
        [](Hardware &h, double v, StringRef) { h.MEMBER = int64_t(v); },      \
        [](const Hardware &h) { return std::to_string(h.MEMBER) + " : i64"; }}
#define FLOAT_FIELD(KEY, NEED, MEMBER)                                        \
  Field{KEY, Field::Float, Field::NEED,                                       \
        [](Hardware &h, double v, StringRef) { h.MEMBER = v; },               \
        [](const Hardware &h) { return printFloat(h.MEMBER); }}
#define STRING_FIELD(KEY, NEED, MEMBER)                                       \
  Field{KEY, Field::String, Field::NEED,                                      \
        [](Hardware &h, double, StringRef s) { h.MEMBER = s.str(); },         \
        [](const Hardware &h) { return "\"" + h.MEMBER + "\""; }}

std::string printFloat(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6e : f64", value);
  return buffer;
}

const std::vector<Field> &fields() {
  static const std::vector<Field> all = {
      STRING_FIELD("vendor", Both, vendor),
      STRING_FIELD("arch", Both, arch),
      INT_FIELD("cores", Cpu, cores),
      INT_FIELD("compute_units", Gpu, cores),
      FLOAT_FIELD("clock_hz", Both, clockHz),
      INT_FIELD("vector_bits", Cpu, vectorBits),
      INT_FIELD("vector_registers", Cpu, vectorRegisters),
      FLOAT_FIELD("fma_per_cycle", Cpu, fmaPerCycle),
      FLOAT_FIELD("fma_latency_cycles", Cpu, fmaLatencyCycles),
      INT_FIELD("reorder_buffer", Cpu, reorderBuffer),
      FLOAT_FIELD("vector_ops_per_cycle", Cpu, vectorOpsPerCycle),
      FLOAT_FIELD("vector_shifts_per_cycle", Cpu, vectorShiftsPerCycle),
      FLOAT_FIELD("dram_latency_s", Cpu, dramLatencySeconds),
      INT_FIELD("l1_bytes", Cpu, l1Bytes),
      INT_FIELD("l2_bytes_per_core", Cpu, l2Bytes),
      INT_FIELD("l3_bytes", Cpu, l3Bytes),
      FLOAT_FIELD("l1_bandwidth", Cpu, l1Bandwidth),
      FLOAT_FIELD("l2_bandwidth_per_core", Cpu, l2Bandwidth),
      FLOAT_FIELD("l3_bandwidth_per_core", Cpu, l3Bandwidth),
      FLOAT_FIELD("dram_bandwidth_per_core", Cpu, dramBandwidthPerCore),
      FLOAT_FIELD("energy_fma_pj", Cpu, energyFmaPj),
      FLOAT_FIELD("energy_op_pj", Cpu, energyOpPj),
      FLOAT_FIELD("energy_l1_pj_per_byte", Cpu, energyL1PjPerByte),
      FLOAT_FIELD("energy_l2_pj_per_byte", Both, energyL2PjPerByte),
      FLOAT_FIELD("core_watts", Cpu, coreWatts),
      INT_FIELD("warp_size", Gpu, warpSize),
      INT_FIELD("registers_per_cu", Gpu, registersPerCu),
      INT_FIELD("max_warps_per_cu", Gpu, maxWarpsPerCu),
      INT_FIELD("shared_bytes_per_cu", Gpu, sharedBytesPerCu),
      INT_FIELD("l2_bytes", Gpu, l2BytesTotal),
      INT_FIELD("llc_bytes", Gpu, llcBytes),
      FLOAT_FIELD("l2_bandwidth", Gpu, l2BandwidthTotal),
      FLOAT_FIELD("tensor_f16_flops", Gpu, tensorF16Flops),
      FLOAT_FIELD("tensor_int8_ops", Gpu, tensorInt8Ops),
      FLOAT_FIELD("vector_f32_flops", Gpu, vectorF32Flops),
      FLOAT_FIELD("int32_ops_per_cycle_per_cu", Gpu, int32OpsPerCyclePerCu),
      FLOAT_FIELD("energy_tensor_pj_per_flop", Gpu, energyTensorPjPerFlop),
      FLOAT_FIELD("energy_int_op_pj", Gpu, energyIntOpPj),
      FLOAT_FIELD("energy_shared_pj_per_byte", Gpu, energySharedPjPerByte),
      FLOAT_FIELD("tdp_watts", Gpu, tdpWatts),
      FLOAT_FIELD("dram_bandwidth", Both, dramBandwidth),
      FLOAT_FIELD("energy_dram_pj_per_byte", Both, energyDramPjPerByte),
      FLOAT_FIELD("static_watts", Both, staticWatts),
  };
  return all;
}
} // namespace

llvm::Expected<Hardware> lowbit::tune::parseHardware(StringRef text,
                                                     StringRef bufferName) {
  mlir::MLIRContext context;
  context.loadDialect<mlir::DLTIDialect>();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    if (auto loc = llvm::dyn_cast<mlir::FileLineColLoc>(diag.getLocation()))
      os << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
         << loc.getColumn();
    else
      os << diag.getLocation();
    os << ": " << diag.str() << "\n";
    return mlir::success();
  });
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config, bufferName);
  if (!module)
    return error(diagnostics.empty() ? bufferName + ": cannot be parsed"
                                     : StringRef(diagnostics).rtrim());
  auto system = (*module)->getAttrOfType<mlir::TargetSystemSpecAttr>(
      "dlti.target_system_spec");
  if (!system || system.getEntries().empty())
    return error(bufferName +
                 ": the module has no dlti.target_system_spec attribute "
                 "with a device");
  mlir::DataLayoutEntryInterface device = system.getEntries().front();
  auto id = llvm::dyn_cast_if_present<mlir::StringAttr>(device.getKey());
  auto spec = llvm::dyn_cast<mlir::TargetDeviceSpecAttr>(device.getValue());
  if (!id || !spec)
    return error(bufferName + ": the first device is not a string id with a "
                              "#dlti.target_device_spec");
  Hardware hw;
  hw.name = id.getValue().str();
  llvm::StringMap<mlir::Attribute> values;
  for (mlir::DataLayoutEntryInterface entry : spec.getEntries()) {
    auto key = llvm::dyn_cast_if_present<mlir::StringAttr>(entry.getKey());
    if (!key)
      return error(bufferName + ": device '" + hw.name +
                   "' has a key that is not a string");
    values[key.getValue()] = entry.getValue();
  }
  auto kind = llvm::dyn_cast_if_present<mlir::StringAttr>(values.lookup("kind"));
  if (!kind || (kind.getValue() != "cpu" && kind.getValue() != "gpu"))
    return error(bufferName + ": device '" + hw.name +
                 "' needs \"kind\" = \"cpu\" or \"gpu\"");
  hw.gpu = kind.getValue() == "gpu";
  for (const Field &field : fields()) {
    if ((field.need == Field::Cpu && hw.gpu) ||
        (field.need == Field::Gpu && !hw.gpu))
      continue;
    mlir::Attribute value = values.lookup(field.key);
    std::string where = (bufferName + ": device '" + hw.name + "': \"" +
                         field.key + "\"")
                            .str();
    if (!value)
      return error(where + " is missing");
    switch (field.kind) {
    case Field::String:
      if (auto s = llvm::dyn_cast<mlir::StringAttr>(value)) {
        field.set(hw, 0, s.getValue());
        continue;
      }
      return error(where + " must be a string");
    case Field::Int:
      if (auto i = llvm::dyn_cast<mlir::IntegerAttr>(value)) {
        if (i.getType().isIndex() || i.getType().getIntOrFloatBitWidth() > 1) {
          if (i.getInt() < 0)
            return error(where + " must not be negative");
          field.set(hw, double(i.getInt()), "");
          continue;
        }
      }
      return error(where + " must be an integer");
    case Field::Float: {
      double number;
      if (auto f = llvm::dyn_cast<mlir::FloatAttr>(value))
        number = f.getValueAsDouble();
      else if (auto i = llvm::dyn_cast<mlir::IntegerAttr>(value))
        number = double(i.getInt());
      else
        return error(where + " must be a number");
      if (!std::isfinite(number) || number < 0)
        return error(where + " must be a finite non-negative number");
      field.set(hw, number, "");
      continue;
    }
    }
  }
  // Figures the model divides by.
  auto positive = [&](double v, const char *key) -> llvm::Error {
    if (v > 0)
      return llvm::Error::success();
    return error(bufferName + ": device '" + hw.name + "': \"" + key +
                 "\" must be positive");
  };
  if (auto e = positive(double(hw.cores), hw.gpu ? "compute_units" : "cores"))
    return std::move(e);
  if (auto e = positive(hw.clockHz, "clock_hz"))
    return std::move(e);
  if (auto e = positive(hw.dramBandwidth, "dram_bandwidth"))
    return std::move(e);
  if (hw.gpu) {
    if (auto e = positive(hw.tensorF16Flops, "tensor_f16_flops"))
      return std::move(e);
    if (auto e = positive(double(hw.warpSize), "warp_size"))
      return std::move(e);
  } else {
    for (auto [v, key] :
         {std::pair{hw.fmaPerCycle, "fma_per_cycle"},
          {hw.vectorOpsPerCycle, "vector_ops_per_cycle"},
          {hw.vectorShiftsPerCycle, "vector_shifts_per_cycle"},
          {hw.l1Bandwidth, "l1_bandwidth"},
          {hw.l2Bandwidth, "l2_bandwidth_per_core"},
          {hw.l3Bandwidth, "l3_bandwidth_per_core"},
          {hw.dramBandwidthPerCore, "dram_bandwidth_per_core"},
          {double(hw.vectorBits), "vector_bits"},
          {double(hw.vectorRegisters), "vector_registers"}})
      if (auto e = positive(v, key))
        return std::move(e);
  }
  return hw;
}

std::vector<std::string> lowbit::tune::builtinHardwareNames() {
  std::vector<std::string> names;
  for (const Builtin &builtin : kBuiltins)
    names.push_back(builtin.name);
  return names;
}

StringRef lowbit::tune::builtinHardwareText(StringRef name) {
  for (const Builtin &builtin : kBuiltins)
    if (name == builtin.name)
      return builtin.text;
  return "";
}

llvm::Expected<Hardware> lowbit::tune::loadHardware(StringRef nameOrPath) {
  StringRef text = builtinHardwareText(nameOrPath);
  if (!text.empty())
    return parseHardware(text, nameOrPath);
  auto buffer = llvm::MemoryBuffer::getFile(nameOrPath);
  if (!buffer) {
    std::string names;
    for (const std::string &name : builtinHardwareNames())
      names += (names.empty() ? "" : ", ") + name;
    return error("'" + nameOrPath + "' is neither a built-in hardware "
                 "description (" + names + ") nor a readable file: " +
                 buffer.getError().message());
  }
  return parseHardware((*buffer)->getBuffer(), nameOrPath);
}

std::string lowbit::tune::printHardware(const Hardware &hw,
                                        StringRef headerComment) {
  std::ostringstream os;
  std::istringstream header(headerComment.str());
  for (std::string line; std::getline(header, line);)
    os << "// " << line << "\n";
  os << "module attributes {dlti.target_system_spec = "
        "#dlti.target_system_spec<\n  \""
     << hw.name << "\" = #dlti.target_device_spec<\n    \"kind\" = \""
     << (hw.gpu ? "gpu" : "cpu") << "\"";
  for (const Field &field : fields()) {
    if ((field.need == Field::Cpu && hw.gpu) ||
        (field.need == Field::Gpu && !hw.gpu))
      continue;
    os << ",\n    \"" << field.key << "\" = " << field.get(hw);
  }
  os << ">>} {\n}\n";
  return os.str();
}
