//===- ReadGguf.cpp - GGUF tensors to QuantizedLinear
//----------------------===//
//
// Turns each 2-D tensor of a supported quantized ggml type into a
// QuantizedLinear (ggml dims [ne0, ne1] are [K, N]; the blocks run along K
// row after row, so block i holds codes i * blockSize onward and groups
// i * groupsPerBlock onward), and reports every other tensor as skipped.
//
//===----------------------------------------------------------------------===//

#include "GgmlBlocks.h"

#include "lowbit/Import/Gguf.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>

using namespace lowbit;
using namespace lowbit::import;
using llvm::Expected;

/// Why a tensor is not imported, or "" if it is importable.
static std::string skipReason(const GgufTensor &tensor,
                              const GgmlTypeInfo &type,
                              const std::optional<GgmlBlockMapping> &mapping) {
  if (!mapping) {
    if (type.blockSize == 1)
      return std::string(type.name) + " tensors are not quantized";
    return "ggml type " + std::string(type.name) +
           " is not supported by the importer";
  }
  if (tensor.dims.size() != 2)
    return "a " + std::string(type.name) + " tensor of shape " +
           tensor.dimsString() + " is not a 2-D linear weight";
  if (tensor.dims[0] == 0 || tensor.dims[1] == 0)
    return "the tensor is empty (shape " + tensor.dimsString() + ")";
  return "";
}

/// Decodes the blocks of `tensor` into `linear` (codes and parameters).
static void decodeBlocks(const GgufTensor &tensor, const GgmlTypeInfo &type,
                         const GgmlBlockMapping &mapping,
                         QuantizedLinear &linear) {
  int64_t blocks = int64_t(tensor.data.size()) / type.typeSize;
  int64_t groupsPerBlock = type.blockSize / mapping.groupSize;
  linear.codes.resize(size_t(linear.n * linear.k));
  std::vector<double> &scales = linear.params.scales;
  std::vector<double> &zeros = linear.params.zeros;
  scales.resize(size_t(blocks * groupsPerBlock));
  bool hasZeros = mapping.zeroPoint == numerics::ZeroPointMode::Integer ||
                  mapping.zeroPoint == numerics::ZeroPointMode::Float;
  // Decoders write zeros only for the zero-point modes; others get a
  // scratch slot.
  std::vector<double> scratch(static_cast<size_t>(groupsPerBlock));
  if (hasZeros)
    zeros.resize(scales.size());
  for (int64_t i = 0; i < blocks; ++i)
    mapping.decode(tensor.data.data() + i * type.typeSize,
                   linear.codes.data() + i * type.blockSize,
                   scales.data() + i * groupsPerBlock,
                   hasZeros ? zeros.data() + i * groupsPerBlock
                            : scratch.data());
}

/// Adjusts what the lowbit formats cannot say as ggml does, or returns why
/// the tensor cannot be imported exactly.
static std::string reconcileWithGgml(QuantizedLinear &linear) {
  // TQ2_0 decodes code 3 as +2 (q - 1); lowbit's ternary format has no
  // such value, so such tensors become uint2 with integer zero point 1.
  if (linear.format.kind() == numerics::FormatKind::Ternary &&
      std::find(linear.codes.begin(), linear.codes.end(), 3) !=
          linear.codes.end()) {
    linear.format = numerics::Format::unsignedInt(2);
    linear.scheme.zeroPoint = numerics::ZeroPointMode::Integer;
    linear.params.zeros.assign(linear.params.scales.size(), 1.0);
  }
  // ggml reads e8m0 code 255 as 2^128; e8m0 (and lowbit) reads it as NaN.
  if (linear.scheme.scaleType == numerics::ScaleType::E8M0 &&
      std::any_of(linear.params.scales.begin(), linear.params.scales.end(),
                  [](double s) { return std::isnan(s); }))
    return "an MXFP4 block has scale code 255, which ggml reads as 2^128 "
           "but e8m0 defines as NaN";
  // A block whose f16 scale or minimum is inf or NaN dequantizes to inf or
  // NaN everywhere: a corrupt tensor, not a quantized weight.
  for (const auto &[what, values] :
       {std::pair<const char *, const std::vector<double> &>{
            "scale", linear.params.scales},
        {"minimum", linear.params.zeros}}) {
    auto bad = std::find_if(values.begin(), values.end(),
                            [](double v) { return !std::isfinite(v); });
    if (bad != values.end())
      return std::string("the ") + what + " of group " +
             std::to_string(bad - values.begin()) + " is " +
             (std::isnan(*bad) ? "NaN" : "inf") +
             "; expected finite values (a corrupt tensor?)";
  }
  return "";
}

Expected<ImportedModel>
lowbit::import::readGguf(llvm::MemoryBufferRef buffer,
                         const GgufReadOptions &options) {
  Expected<GgufFile> file = parseGguf(buffer);
  if (!file)
    return file.takeError();
  ImportedModel model;
  model.source = buffer.getBufferIdentifier().str();
  for (const auto &[index, tensor] : llvm::enumerate(file->tensors)) {
    if (options.select && !options.select(tensor.name))
      continue;
    const GgmlTypeInfo &type = *lookupGgmlType(tensor.type);
    std::optional<GgmlBlockMapping> mapping = getGgmlBlockMapping(tensor.type);
    std::string reason = skipReason(tensor, type, mapping);
    if (!reason.empty()) {
      model.skipped.emplace_back(tensor.name, std::move(reason));
      continue;
    }
    QuantizedLinear linear;
    linear.name = tensor.name;
    linear.origin = model.source + ": tensor " + std::to_string(index) + " (" +
                    type.name + ")";
    linear.k = tensor.dims[0];
    linear.n = tensor.dims[1];
    linear.format = mapping->format;
    linear.scheme.groupShape = {1, mapping->groupSize};
    linear.scheme.scaleType = mapping->scaleType;
    linear.scheme.zeroPoint = mapping->zeroPoint;
    decodeBlocks(tensor, type, *mapping, linear);
    reason = reconcileWithGgml(linear);
    if (!reason.empty()) {
      model.skipped.emplace_back(tensor.name, std::move(reason));
      continue;
    }
    model.linears.push_back(std::move(linear));
  }
  return model;
}

Expected<ImportedModel>
lowbit::import::readGguf(llvm::StringRef path, const GgufReadOptions &options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "cannot read %s: %s",
                                   path.str().c_str(),
                                   buffer.getError().message().c_str());
  return readGguf((*buffer)->getMemBufferRef(), options);
}
