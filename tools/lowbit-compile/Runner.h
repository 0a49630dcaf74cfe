//===- Runner.h - Run a built library against the reference ----*- C++ -*-===//
//
// `lowbit-compile --run`: loads the built library, calls every layer's
// kernel on fresh random activations with the layer's own packed weights,
// compares with a float64 reference computed through the numerics library
// (unpack, dequantize, the epilogue evaluated op by op), and times it. GPU
// libraries run built for the CPU emulation of the GPU runtime
// (--emulate-gpu), through the GPU ABI, untimed.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_COMPILE_RUNNER_H
#define LOWBIT_TOOLS_LOWBIT_COMPILE_RUNNER_H

#include "lowbit/Compile/ModelCompiler.h"

#include <cstdint>
#include <string>

namespace lowbit::compile {

struct RunOptions {
  std::string library; ///< Path of liblowbit_model.so (CPU, or GPU emulated).
  int64_t rows = 1;    ///< M, where the model leaves it dynamic.
  int threads = 0;     ///< 0: the OpenMP default.
  uint64_t seed = 0;
  int repeats = 20; ///< Timed calls per layer (0: no timing).
  bool json = false;
};

/// Runs every layer; prints one line per layer (or JSON lines) and returns
/// the number of layers that failed the check, or -1 when the library
/// cannot be loaded (the message is printed).
int runLibrary(const CompiledModel &model, const RunOptions &options);

} // namespace lowbit::compile

#endif // LOWBIT_TOOLS_LOWBIT_COMPILE_RUNNER_H
