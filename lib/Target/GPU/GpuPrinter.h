//===- GpuPrinter.h - The printer of GPU kernel source ----------*- C++ -*-===//
//
// Private to LowbitTargetGPU: the class that prints one kernel's CUDA or HIP
// source. GpuKernel.cpp prints the pieces every kernel shares and the
// tensor-core (dequant) kernel; GpuLutKernel.cpp prints the lut kernel.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_GPU_GPUPRINTER_H
#define LOWBIT_LIB_TARGET_GPU_GPUPRINTER_H

#include "lowbit/Target/GPU/GpuKernel.h"

#include <sstream>
#include <string>

namespace lowbit::gpu::detail {

template <typename... Args> std::string cat(const Args &...args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

inline bool isBF16(const KernelSpec &spec) {
  return spec.activation == cpu::ScalarType::BF16;
}

inline bool isIntegerFormat(const numerics::Format &format) {
  return format.kind() == numerics::FormatKind::SignedInt ||
         format.kind() == numerics::FormatKind::UnsignedInt ||
         format.kind() == numerics::FormatKind::Ternary;
}

class GpuPrinter {
public:
  explicit GpuPrinter(const KernelSpec &spec)
      : spec(spec), cuda(spec.target == Target::CUDA),
        lut(spec.strategy == cpu::Strategy::Lut),
        tile(spec.tile ? *spec.tile : defaultTileConfig(spec)),
        decode(chooseDecode(spec)), bits(spec.weight.bits()),
        group(spec.scheme.groupShape[1]), divides(32 % spec.weight.bits() == 0),
        swapped(hasSwappedKernel(spec, tile)), wgmma(tile.wgmma) {}

  std::string print();

private:
  // Shared by both strategies (GpuKernel.cpp).
  void printHeader();
  void printConversions();
  void printScaleAndTypes();
  void printEpilogue();
  void printFinish();
  void printWorkspaceBytes(const std::string &tileRows);
  void printLauncher(const std::string &checks, const std::string &launch);
  void printSplitKFinish(const std::string &tileIndex, const std::string &rows,
                         const std::string &columns, const std::string &m0,
                         const std::string &n0);
  // The tensor-core kernel (GpuKernel.cpp).
  void printConstants();
  void printPairHelpers();
  void printDecode();
  void printStageHelpers();
  void printWeightLoaders();
  /// The tensor-core kernels: `kernel` (activations as the mma's A
  /// operand), `kernelSwapped` (M <= 8, weights as A) and `kernelWgmma`
  /// (weights as the register A operand of wgmma, activations from shared
  /// memory).
  enum class Variant { Plain, Swapped, Wgmma };
  void printWgmmaHelpers();
  void printKernel(Variant variant);
  void printStep(int j, Variant variant);
  void printHost();
  // The lut kernel (GpuLutKernel.cpp).
  void printLutConstants();
  void printLutHelpers();
  void printLutKernel();
  void printLutHost();

  /// The striped layout's run length at chunk cb (a multiple of 4), and
  /// the offset of piece v of a lane's chunk in uint4s from its first piece.
  /// With 1-bit codes a chunk is one piece and the stripe is the identity.
  std::string runLine() const {
    return bits == 1 ? "" : "  const int run = min(4, KCH - cb);\n";
  }
  std::string pieceOffset() const { return bits == 1 ? "v" : "v * run"; }

  const char *outType() const {
    return spec.output == cpu::ScalarType::F32 ? "float" : "uint16_t";
  }
  size_t numOperands() const {
    return spec.epilogue ? spec.epilogue->operands.size() : 0;
  }

  const KernelSpec &spec;
  bool cuda;
  bool lut; ///< The lut strategy.
  TileConfig tile;
  Decode decode;
  unsigned bits;
  int64_t group;
  bool divides; ///< bits divides 32: the interleaved layout.
  /// CUDA tensor-core kernels with an even tilesN also get kernelSwapped,
  /// which the launcher runs for M <= 8.
  bool swapped;
  /// M > 8 runs kernelWgmma instead of kernel (TileConfig::wgmma).
  bool wgmma;
  std::ostringstream os;
};

} // namespace lowbit::gpu::detail

#endif // LOWBIT_LIB_TARGET_GPU_GPUPRINTER_H
