//===- Probe.h - Measures this CPU for its hardware description -*- C++ -*-===//

#ifndef LOWBIT_TOOLS_LOWBIT_TUNE_PROBE_H
#define LOWBIT_TOOLS_LOWBIT_TUNE_PROBE_H

#include "lowbit/Tune/Hardware.h"

namespace lowbit::tune {

struct ProbeResult {
  Hardware hardware;
  std::string measured; ///< The probe's raw JSON.
};

/// Compiles and runs the probe with `compiler`; the description is named
/// `name`.
llvm::Expected<ProbeResult> probeCpu(llvm::StringRef compiler,
                                     llvm::StringRef name);

/// The comment written above a probed description: what was measured, how,
/// and which figures are estimates.
std::string probeHeader(const ProbeResult &result);

} // namespace lowbit::tune

#endif // LOWBIT_TOOLS_LOWBIT_TUNE_PROBE_H
