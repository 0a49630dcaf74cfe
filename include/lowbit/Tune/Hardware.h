//===- Hardware.h - Hardware descriptions for the cost model ----*- C++ -*-===//
//
// A hardware description is data: an MLIR DLTI target-system spec
// (`#dlti.target_system_spec<"h100" = #dlti.target_device_spec<...>>`) with
// the figures the cost model reads, each with its source in a comment.
// lowbit ships descriptions of the GPUs it targets (data/hardware/*.mlir,
// built into the library) and `lowbit-tune --probe` writes one for the
// machine it runs on. docs/tuning.md lists every key.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TUNE_HARDWARE_H
#define LOWBIT_TUNE_HARDWARE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace lowbit::tune {

/// The figures of one device. CPU figures are per core where the name says
/// so; GPU figures per SM or CU ("cu") likewise. Units: bytes, bytes per
/// second, operations per cycle, Hz, picojoules, watts.
struct Hardware {
  std::string name;   ///< The device id, e.g. "h100", "local-cpu".
  bool gpu = false;   ///< "kind" = "gpu" (else "cpu").
  std::string vendor; ///< "nvidia", "amd", or the CPU vendor.
  std::string arch;   ///< avx2, avx512, scalar; sm_80, sm_90a, gfx90a, ...
  int64_t cores = 1;  ///< CPU cores, or SMs / CUs ("compute_units").
  double clockHz = 1e9;

  // CPU.
  int64_t vectorBits = 256;
  int64_t vectorRegisters = 16;
  double fmaPerCycle = 1;       ///< Vector FMA instructions per cycle, core.
  double fmaLatencyCycles = 5;  ///< Cycles from an FMA to its dependent one.
  int64_t reorderBuffer = 192;  ///< Instructions in flight (out of order).
  double vectorOpsPerCycle = 2; ///< Other vector instructions per cycle.
  double vectorShiftsPerCycle = 1; ///< Vector shifts by an immediate.
  double dramLatencySeconds = 100e-9; ///< A dependent load from memory.
  int64_t l1Bytes = 32 << 10, l2Bytes = 512 << 10, l3Bytes = 8 << 20;
  double l1Bandwidth = 0, l2Bandwidth = 0, l3Bandwidth = 0; ///< Per core.
  double dramBandwidthPerCore = 0; ///< What one core alone reads.
  double energyFmaPj = 0;          ///< Per vector FMA instruction.
  double energyOpPj = 0;           ///< Per other vector instruction.
  double energyL1PjPerByte = 0;
  double coreWatts = 0; ///< Power of a busy core beyond the package idle.

  // GPU.
  int64_t warpSize = 32;
  int64_t registersPerCu = 65536;
  int64_t maxWarpsPerCu = 64;
  int64_t sharedBytesPerCu = 0;
  int64_t llcBytes = 0;
  double tensorF16Flops = 0, tensorInt8Ops = 0, vectorF32Flops = 0;
  double int32OpsPerCyclePerCu = 64;
  double energyTensorPjPerFlop = 0, energyIntOpPj = 0;
  double energySharedPjPerByte = 0;
  double tdpWatts = 0;

  // Both.
  int64_t l2BytesTotal = 0;      ///< GPU "l2_bytes".
  double dramBandwidth = 0;      ///< Whole device.
  double l2BandwidthTotal = 0;   ///< GPU "l2_bandwidth".
  double energyDramPjPerByte = 0;
  double energyL2PjPerByte = 0;
  double staticWatts = 0; ///< Idle power of the package or board.
};

/// Reads the first device of the `dlti.target_system_spec` attribute of the
/// module in `text` (an MLIR source file); `bufferName` names it in errors.
/// Every key the device kind needs must be present (docs/tuning.md).
llvm::Expected<Hardware> parseHardware(llvm::StringRef text,
                                       llvm::StringRef bufferName);

/// The description `nameOrPath` names: a built-in one ("a100", "h100",
/// "h200", "mi250", "mi300x", "zen1-2core") or an .mlir file.
llvm::Expected<Hardware> loadHardware(llvm::StringRef nameOrPath);

/// The names of the built-in descriptions.
std::vector<std::string> builtinHardwareNames();

/// The source text of a built-in description (empty if none has the name).
llvm::StringRef builtinHardwareText(llvm::StringRef name);

/// `hw` as a description file, loadable by parseHardware, after
/// `headerComment` (lines printed as // comments).
std::string printHardware(const Hardware &hw,
                          llvm::StringRef headerComment = "");

} // namespace lowbit::tune

#endif // LOWBIT_TUNE_HARDWARE_H
