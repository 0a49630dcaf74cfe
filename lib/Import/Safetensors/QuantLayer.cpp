//===- QuantLayer.cpp - Unpack one GPTQ or AWQ linear layer ---------------===//
//
// GPTQ: qweight int32 [K * b / 32, N] holds, per output column n, the codes
// of all K inputs as one little-endian bit stream down the column (a 3-bit
// code may straddle two words); qzeros int32 [K / G, N * b / 32] holds, per
// group row, the zero points of all N outputs the same way along the row;
// scales [K / G, N]; g_idx int32 [K] gives each input's group. Format "gptq"
// stores z - 1, "gptq_v2" stores z.
//
// AWQ (GEMM): qweight int32 [K, N / 8] and qzeros int32 [K / G, N / 8] pack
// eight 4-bit codes per word along N, word slot i holding element
// order[i] = 0, 2, 4, 6, 1, 3, 5, 7 of its eight; scales [K / G, N]; zero
// points are stored as they are.
//
// Both dequantize to scales[g][n] * (q[k][n] - z[g][n]).
//
//===----------------------------------------------------------------------===//

#include "QuantLayer.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>

using namespace lowbit::import;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using llvm::Twine;
using lowbit::numerics::Format;
using lowbit::numerics::ScaleType;
using lowbit::numerics::ZeroPointMode;

static Error layerError(const QuantLayerTensors &layer, const Twine &message) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      (layer.file + ": layer '" + layer.prefix + "' " + message).str());
}

static std::string dtypeList(llvm::ArrayRef<SafetensorsDType> dtypes) {
  std::string text;
  for (auto [index, dtype] : llvm::enumerate(dtypes)) {
    if (index)
      text += index + 1 == dtypes.size() ? " or " : ", ";
    text += safetensorsDTypeName(dtype).str();
  }
  return text;
}

/// Checks that `tensor` (the layer's `role`) has one of `dtypes`, rank
/// `rank` and no empty dimension. Non-empty dimensions are bounded by the
/// file size, so products of them below cannot overflow.
static Error checkTensor(const QuantLayerTensors &layer,
                         const SafetensorsTensor &tensor, StringRef role,
                         llvm::ArrayRef<SafetensorsDType> dtypes, size_t rank) {
  if (!llvm::is_contained(dtypes, tensor.dtype))
    return layerError(layer, "has " + role + " of dtype " +
                                 safetensorsDTypeName(tensor.dtype) +
                                 "; expected " + dtypeList(dtypes));
  if (tensor.shape.size() != rank || tensor.numElements == 0)
    return layerError(
        layer, "has " + role + " of shape " + tensor.shapeString() +
                   "; expected a " +
                   (rank == 1 ? "non-empty vector" : "non-empty matrix"));
  return Error::success();
}

static std::optional<ScaleType> scaleTypeOf(SafetensorsDType dtype) {
  switch (dtype) {
  case SafetensorsDType::F16:
    return ScaleType::F16;
  case SafetensorsDType::BF16:
    return ScaleType::BF16;
  case SafetensorsDType::F32:
    return ScaleType::F32;
  default:
    return std::nullopt;
  }
}

/// The bit width b with n * b == words * 32, if one of 2, 3, 4, 8.
static std::optional<unsigned> bitsFromPacking(int64_t n, int64_t words) {
  for (unsigned bits : {2u, 3u, 4u, 8u})
    if (uint64_t(n) * bits == uint64_t(words) * 32)
      return bits;
  return std::nullopt;
}

/// Bits [bit, bit + width) of the little-endian bit stream of the words
/// wordAt(0), wordAt(1), ...
template <typename WordAt>
static uint32_t extractBits(WordAt wordAt, uint64_t bit, unsigned width) {
  uint64_t word = bit / 32;
  unsigned shift = bit % 32;
  uint64_t value = wordAt(word) >> shift;
  if (shift + width > 32)
    value |= uint64_t(wordAt(word + 1)) << (32 - shift);
  return uint32_t(value) & ((1u << width) - 1);
}

/// The group size G = K / numGroups, checked against the configured size.
static Expected<int64_t> groupSize(const QuantLayerTensors &layer, int64_t k,
                                   int64_t numGroups,
                                   const QuantConfig &config) {
  if (config.groupSize) {
    int64_t configured = *config.groupSize;
    int64_t expected = configured == -1 || configured >= k
                           ? 1
                           : (k + configured - 1) / configured;
    if (numGroups != expected)
      return layerError(layer, "has " + Twine(numGroups) + " scale rows for " +
                                   Twine(k) + " inputs, but group size " +
                                   Twine(configured) + " from " +
                                   config.source + " gives " + Twine(expected));
  }
  if (k % numGroups != 0)
    return layerError(layer, "has " + Twine(k) +
                                 " inputs, which do not split evenly into "
                                 "the " +
                                 Twine(numGroups) +
                                 " groups of its scales; partial groups are "
                                 "not supported");
  return k / numGroups;
}

static Error checkBits(const QuantLayerTensors &layer, unsigned bits,
                       const QuantConfig &config) {
  if (config.bits && *config.bits != bits)
    return layerError(layer, "is packed with " + Twine(bits) +
                                 "-bit codes, but " + config.source + " says " +
                                 Twine(*config.bits) + " bits");
  return Error::success();
}

/// The permutation of K that makes the groups of g_idx contiguous: inputs
/// stably sorted by group (`order[j]` is the input that goes to place j). Empty
/// when g_idx is already k / G.
static Expected<std::vector<int64_t>>
groupContiguousOrder(const QuantLayerTensors &layer, int64_t k,
                     int64_t numGroups, int64_t group) {
  const SafetensorsTensor &gIdx = *layer.gIdx;
  std::vector<int64_t> groupOf(k);
  std::vector<int64_t> members(numGroups, 0);
  bool contiguous = true;
  for (int64_t i = 0; i < k; ++i) {
    int64_t g = gIdx.integer(i);
    if (g < 0 || g >= numGroups)
      return layerError(layer, "has g_idx[" + Twine(i) + "] = " + Twine(g) +
                                   ", outside the " + Twine(numGroups) +
                                   " groups of its scales");
    groupOf[i] = g;
    ++members[g];
    contiguous &= g == i / group;
  }
  for (int64_t g = 0; g < numGroups; ++g)
    if (members[g] != group)
      return layerError(
          layer, "has " + Twine(members[g]) + " inputs in group " + Twine(g) +
                     " of g_idx; every group needs exactly " + Twine(group));
  if (contiguous)
    return std::vector<int64_t>();
  // A counting sort: every group has `group` slots, filled in input order.
  std::vector<int64_t> order(k);
  std::vector<int64_t> next(numGroups);
  for (int64_t g = 0; g < numGroups; ++g)
    next[g] = g * group;
  for (int64_t i = 0; i < k; ++i)
    order[next[groupOf[i]]++] = i;
  return order;
}

/// The parts both formats share once codes and zero points can be read:
/// the [N, K] result with scales and zero points filled in. A scale that is
/// inf or NaN (which would dequantize its whole group to inf or NaN) is an
/// error.
template <typename ZeroAt>
static Expected<QuantizedLinear> makeLinear(const QuantLayerTensors &layer, unsigned bits,
                                  int64_t n, int64_t k, int64_t group,
                                  ScaleType scaleType, ZeroAt zeroAt) {
  QuantizedLinear linear;
  linear.name = layer.prefix;
  linear.origin = layer.file + ": " + layer.qweight->name;
  linear.format = Format::unsignedInt(bits);
  linear.scheme.groupShape = {1, group};
  linear.scheme.scaleType = scaleType;
  linear.scheme.zeroPoint = ZeroPointMode::Integer;
  linear.n = n;
  linear.k = k;
  int64_t numGroups = k / group;
  linear.params.scales.resize(n * numGroups);
  linear.params.zeros.resize(n * numGroups);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t g = 0; g < numGroups; ++g) {
      double scale = layer.scales->real(g * n + row);
      if (!std::isfinite(scale))
        return layerError(layer, "has scale " +
                                     Twine(std::isnan(scale) ? "NaN" : "inf") +
                                     " for output " + Twine(row) +
                                     " in group " + Twine(g) +
                                     "; expected finite scales (a corrupt "
                                     "checkpoint?)");
      linear.params.scales[row * numGroups + g] = scale;
      linear.params.zeros[row * numGroups + g] = zeroAt(g, row);
    }
  return linear;
}

static Expected<QuantizedLinear> unpackGptq(const QuantLayerTensors &layer,
                                            bool storesZeroMinusOne,
                                            const QuantConfig &config,
                                            ScaleType scaleType) {
  const SafetensorsTensor &qweight = *layer.qweight;
  const SafetensorsTensor &qzeros = *layer.qzeros;
  const SafetensorsTensor &scales = *layer.scales;
  int64_t n = scales.shape[1], numGroups = scales.shape[0];
  if (qweight.shape[1] != n)
    return layerError(layer, "has qweight " + qweight.shapeString() +
                                 " and scales " + scales.shapeString() +
                                 ", but gptq keeps the " + Twine(n) +
                                 " outputs as qweight's second dimension");
  if (qzeros.shape[0] != numGroups)
    return layerError(layer, "has qzeros " + qzeros.shapeString() +
                                 " and scales " + scales.shapeString() +
                                 ", whose group counts differ");
  std::optional<unsigned> bits = bitsFromPacking(n, qzeros.shape[1]);
  if (!bits)
    return layerError(layer, "has qzeros " + qzeros.shapeString() + " for " +
                                 Twine(n) +
                                 " outputs, which fits no bit width of 2, 3, "
                                 "4 or 8");
  if (Error error = checkBits(layer, *bits, config))
    return std::move(error);
  if (uint64_t(qweight.shape[0]) * 32 % *bits != 0)
    return layerError(layer, "has qweight " + qweight.shapeString() +
                                 ", whose " + Twine(qweight.shape[0]) +
                                 " rows of 32 bits hold no whole number of " +
                                 Twine(*bits) + "-bit codes");
  int64_t k = qweight.shape[0] * 32 / *bits;
  if (layer.gIdx && layer.gIdx->shape[0] != k)
    return layerError(layer, "has g_idx of " + Twine(layer.gIdx->shape[0]) +
                                 " entries for " + Twine(k) +
                                 " inputs in qweight");
  Expected<int64_t> group = groupSize(layer, k, numGroups, config);
  if (!group)
    return group.takeError();
  std::vector<int64_t> order;
  if (layer.gIdx) {
    Expected<std::vector<int64_t>> sorted =
        groupContiguousOrder(layer, k, numGroups, *group);
    if (!sorted)
      return sorted.takeError();
    order = std::move(*sorted);
  }

  int64_t zeroWords = qzeros.shape[1];
  unsigned offset = storesZeroMinusOne ? 1 : 0;
  Expected<QuantizedLinear> made = makeLinear(
      layer, *bits, n, k, *group, scaleType, [&](int64_t g, int64_t row) {
        auto wordAt = [&](uint64_t i) {
          return qzeros.word32(g * zeroWords + i);
        };
        return double(extractBits(wordAt, row * *bits, *bits) + offset);
      });
  if (!made)
    return made.takeError();
  QuantizedLinear linear = std::move(*made);
  linear.codes.resize(n * k);
  for (int64_t row = 0; row < n; ++row) {
    auto wordAt = [&](uint64_t i) { return qweight.word32(i * n + row); };
    for (int64_t j = 0; j < k; ++j) {
      int64_t input = order.empty() ? j : order[j];
      linear.codes[row * k + j] =
          uint8_t(extractBits(wordAt, input * *bits, *bits));
    }
  }
  linear.inputPermutation = std::move(order);
  return linear;
}

/// AutoAWQ's order: slot i of a word holds element kAwqOrder[i] of its 8.
static constexpr unsigned kAwqOrder[8] = {0, 2, 4, 6, 1, 3, 5, 7};

static Expected<QuantizedLinear> unpackAwq(const QuantLayerTensors &layer,
                                           const QuantConfig &config,
                                           ScaleType scaleType) {
  const SafetensorsTensor &qweight = *layer.qweight;
  const SafetensorsTensor &qzeros = *layer.qzeros;
  const SafetensorsTensor &scales = *layer.scales;
  if (layer.gIdx)
    return layerError(layer, "has a g_idx tensor, which awq checkpoints do "
                             "not have");
  int64_t n = scales.shape[1], numGroups = scales.shape[0];
  int64_t words = qweight.shape[1], k = qweight.shape[0];
  if (qzeros.shape[0] != numGroups || qzeros.shape[1] != words)
    return layerError(layer, "has qweight " + qweight.shapeString() +
                                 ", qzeros " + qzeros.shapeString() +
                                 " and scales " + scales.shapeString() +
                                 "; awq expects [K, N * b / 32], [K / G, N "
                                 "* b / 32] and [K / G, N]");
  std::optional<unsigned> bits = bitsFromPacking(n, words);
  if (!bits || *bits != 4)
    return layerError(layer, "packs " + Twine(n) + " outputs into " +
                                 Twine(words) +
                                 " words per row; awq gemm packs eight 4-bit "
                                 "codes per word");
  if (Error error = checkBits(layer, *bits, config))
    return std::move(error);
  Expected<int64_t> group = groupSize(layer, k, numGroups, config);
  if (!group)
    return group.takeError();

  unsigned slotOf[8];
  for (unsigned slot = 0; slot < 8; ++slot)
    slotOf[kAwqOrder[slot]] = slot;
  auto nibble = [&](const SafetensorsTensor &packed, int64_t row,
                    int64_t column) {
    uint32_t word = packed.word32(row * words + column / 8);
    return (word >> (4 * slotOf[column % 8])) & 0xF;
  };
  Expected<QuantizedLinear> made = makeLinear(
      layer, 4, n, k, *group, scaleType,
      [&](int64_t g, int64_t row) { return double(nibble(qzeros, g, row)); });
  if (!made)
    return made.takeError();
  QuantizedLinear linear = std::move(*made);
  linear.codes.resize(n * k);
  for (int64_t input = 0; input < k; ++input)
    for (int64_t row = 0; row < n; ++row)
      linear.codes[row * k + input] = uint8_t(nibble(qweight, input, row));
  return linear;
}

/// Dtype and rank checks common to both formats.
static Error checkLayerTensors(const QuantLayerTensors &layer) {
  using DT = SafetensorsDType;
  if (Error error =
          checkTensor(layer, *layer.qweight, "qweight", {DT::I32, DT::U32}, 2))
    return error;
  if (Error error =
          checkTensor(layer, *layer.qzeros, "qzeros", {DT::I32, DT::U32}, 2))
    return error;
  if (Error error = checkTensor(layer, *layer.scales, "scales",
                                {DT::F16, DT::BF16, DT::F32}, 2))
    return error;
  if (layer.gIdx)
    return checkTensor(layer, *layer.gIdx, "g_idx", {DT::I32, DT::I64}, 1);
  return Error::success();
}

Expected<QuantCheckpointFormat>
lowbit::import::formatFromShapes(const QuantLayerTensors &layer) {
  if (Error error = checkLayerTensors(layer))
    return std::move(error);
  int64_t n = layer.scales->shape[1];
  int64_t columns = layer.qweight->shape[1];
  if (layer.gIdx || columns == n)
    return QuantCheckpointFormat::Gptq;
  if (columns == layer.qzeros->shape[1])
    return QuantCheckpointFormat::Awq;
  return layerError(layer, "has qweight " + layer.qweight->shapeString() +
                               ", qzeros " + layer.qzeros->shapeString() +
                               " and scales " + layer.scales->shapeString() +
                               ", which fit neither gptq ([K * b / 32, N], "
                               "[K / G, N * b / 32], [K / G, N]) nor awq "
                               "([K, N * b / 32], [K / G, N * b / 32], "
                               "[K / G, N])");
}

Expected<QuantizedLinear>
lowbit::import::unpackQuantLayer(const QuantLayerTensors &layer,
                                 QuantCheckpointFormat format,
                                 const QuantConfig &config) {
  if (Error error = checkLayerTensors(layer))
    return std::move(error);
  ScaleType scaleType = *scaleTypeOf(layer.scales->dtype);
  switch (format) {
  case QuantCheckpointFormat::Gptq:
  case QuantCheckpointFormat::GptqV2:
    return unpackGptq(layer, format == QuantCheckpointFormat::Gptq, config,
                      scaleType);
  case QuantCheckpointFormat::Awq:
    return unpackAwq(layer, config, scaleType);
  case QuantCheckpointFormat::Auto:
    break;
  }
  llvm_unreachable("the caller resolves the format");
}
