//===- CpuLutKernel.cpp - Table-lookup CPU kernels ------------------------===//
//
// The Lut strategy: not generated yet; every spec is rejected with a
// message saying so.
//
//===----------------------------------------------------------------------===//

#include "CpuLutKernel.h"

using namespace lowbit;
using namespace lowbit::cpu;

numerics::PackLayout lut::weightLayout(const KernelSpec &spec) {
  return numerics::laneLayout(spec.weight.bits(), 32, isaLanes(spec.isa));
}

int64_t lut::kBlockQuantum(const KernelSpec &spec) {
  return std::max<int64_t>(groupSize(spec), 1);
}

std::string lut::verifyKernelSpec(const KernelSpec &) {
  return "the lut strategy is not implemented for CPU kernels yet; use "
         "dequant or int8-dot";
}

std::string lut::printKernel(const KernelSpec &) { return ""; }
