//===- GptqTest.cpp - GPTQ and AWQ layers to QuantizedLinear -------------===//
//
// Random layers packed by a bit-by-bit reference of the GPTQ and AWQ
// layouts unpack to the same codes, scales and zero points (with the v1
// zero offset and the act-order permutation), and dequantize to
// s * (q - z); inconsistent checkpoints and configurations get errors that
// name the layer or the file.
//
//===----------------------------------------------------------------------===//

#include "SafetensorsBuilder.h"

#include "lowbit/Import/Gptq.h"
#include "lowbit/Numerics/Format.h"
#include "lowbit/Numerics/Quantize.h"

#include "Numerics/TestRandom.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <numeric>
#include <random>

using namespace lowbit::import;
using namespace lowbit::import::testing;
using lowbit::numerics::fromF16Bits;

namespace {

/// One layer's unpacked contents: q[k][n], z[g][n], scale bits[g][n].
struct Layer {
  unsigned bits = 4;
  int64_t n = 0, k = 0, group = 0;
  std::vector<uint32_t> q, z;
  std::vector<uint16_t> scales;
  std::vector<int32_t> gIdx; ///< Empty: k / group.

  int64_t groupOf(int64_t input) const {
    return gIdx.empty() ? input / group : gIdx[input];
  }
};

Layer randomLayer(std::mt19937_64 &rng, unsigned bits, int64_t n, int64_t k,
                  int64_t group, bool actOrder) {
  Layer layer;
  layer.bits = bits;
  layer.n = n;
  layer.k = k;
  layer.group = group;
  std::uniform_int_distribution<uint32_t> code(0, (1u << bits) - 1);
  for (int64_t i = 0; i < k * n; ++i)
    layer.q.push_back(code(rng));
  for (int64_t i = 0; i < k / group * n; ++i) {
    layer.z.push_back(code(rng));
    // Positive normal f16 values between 2^-14 and 2^1.
    layer.scales.push_back(
        uint16_t(std::uniform_int_distribution<int>(0x0400, 0x4000)(rng)));
  }
  if (actOrder) {
    // As GPTQ with desc_act: input perm[j] is quantized j-th, in group
    // j / G.
    std::vector<int32_t> perm(k);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    layer.gIdx.assign(k, 0);
    for (int64_t j = 0; j < k; ++j)
      layer.gIdx[perm[j]] = int32_t(j / group);
  }
  return layer;
}

/// Sets `width` bits of `value` at bit `bit` of a word stream, one bit at a
/// time (deliberately unlike the importer's word arithmetic).
void setBits(std::vector<int32_t> &words, std::function<size_t(size_t)> index,
             uint64_t bit, unsigned width, uint32_t value) {
  for (unsigned i = 0; i < width; ++i)
    if ((value >> i) & 1) {
      uint64_t position = bit + i;
      words[index(position / 32)] |= int32_t(1u << (position % 32));
    }
}

/// GPTQ tensors: qweight [K * b / 32, N] along K, qzeros along N; zeros
/// stored minus one for the v1 format.
std::vector<TestTensor> packGptq(const Layer &layer, const std::string &prefix,
                                 bool v1) {
  int64_t rows = layer.k * layer.bits / 32;
  int64_t zeroWords = layer.n * layer.bits / 32;
  int64_t numGroups = layer.k / layer.group;
  std::vector<int32_t> qweight(rows * layer.n, 0);
  std::vector<int32_t> qzeros(numGroups * zeroWords, 0);
  for (int64_t col = 0; col < layer.n; ++col)
    for (int64_t input = 0; input < layer.k; ++input)
      setBits(
          qweight, [&](size_t word) { return word * layer.n + col; },
          input * layer.bits, layer.bits, layer.q[input * layer.n + col]);
  for (int64_t g = 0; g < numGroups; ++g)
    for (int64_t col = 0; col < layer.n; ++col)
      setBits(
          qzeros, [&](size_t word) { return g * zeroWords + word; },
          col * layer.bits, layer.bits,
          (layer.z[g * layer.n + col] - (v1 ? 1 : 0)) &
              ((1u << layer.bits) - 1));
  std::vector<TestTensor> tensors = {
      {prefix + ".qweight", "I32", {rows, layer.n}, bytesOf(qweight)},
      {prefix + ".qzeros", "I32", {numGroups, zeroWords}, bytesOf(qzeros)},
      {prefix + ".scales", "F16", {numGroups, layer.n}, bytesOf(layer.scales)}};
  std::vector<int32_t> gIdx = layer.gIdx;
  if (gIdx.empty())
    for (int64_t input = 0; input < layer.k; ++input)
      gIdx.push_back(int32_t(input / layer.group));
  tensors.push_back({prefix + ".g_idx", "I32", {layer.k}, bytesOf(gIdx)});
  return tensors;
}

/// AWQ tensors: eight 4-bit codes per word along N, slot i holding element
/// {0, 2, 4, 6, 1, 3, 5, 7}[i].
std::vector<TestTensor> packAwq(const Layer &layer, const std::string &prefix) {
  static const unsigned order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
  int64_t words = layer.n / 8, numGroups = layer.k / layer.group;
  auto pack = [&](const std::vector<uint32_t> &values, int64_t rows) {
    std::vector<int32_t> packed(rows * words, 0);
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t word = 0; word < words; ++word)
        for (unsigned slot = 0; slot < 8; ++slot)
          packed[row * words + word] |= int32_t(
              values[row * layer.n + word * 8 + order[slot]] << (4 * slot));
    return packed;
  };
  return {
      {prefix + ".qweight",
       "I32",
       {layer.k, words},
       bytesOf(pack(layer.q, layer.k))},
      {prefix + ".qzeros",
       "I32",
       {numGroups, words},
       bytesOf(pack(layer.z, numGroups))},
      {prefix + ".scales", "F16", {numGroups, layer.n}, bytesOf(layer.scales)}};
}

/// Checks `linear` against `layer`: codes in the permuted order, scales and
/// zeros per [n, group], the permutation's groups contiguous, and the
/// numerics library's dequantization equal to s * (q - z).
void expectMatches(const QuantizedLinear &linear, const Layer &layer,
                   const std::string &name) {
  SCOPED_TRACE(name);
  ASSERT_EQ(linear.name, name);
  ASSERT_EQ(linear.n, layer.n);
  ASSERT_EQ(linear.k, layer.k);
  EXPECT_EQ(linear.format, lowbit::numerics::Format::unsignedInt(layer.bits));
  EXPECT_EQ(linear.scheme.groupShape, (std::vector<int64_t>{1, layer.group}));
  EXPECT_EQ(linear.scheme.scaleType, lowbit::numerics::ScaleType::F16);
  EXPECT_EQ(linear.scheme.zeroPoint, lowbit::numerics::ZeroPointMode::Integer);
  int64_t numGroups = layer.k / layer.group;

  std::vector<int64_t> perm = linear.inputPermutation;
  bool trivial = true;
  for (int64_t input = 0; input < layer.k; ++input)
    trivial &= layer.groupOf(input) == input / layer.group;
  if (trivial) {
    EXPECT_TRUE(perm.empty());
    perm.resize(layer.k);
    std::iota(perm.begin(), perm.end(), 0);
  }
  ASSERT_EQ(int64_t(perm.size()), layer.k);
  std::vector<int64_t> sorted = perm;
  llvm::sort(sorted);
  for (int64_t j = 0; j < layer.k; ++j)
    ASSERT_EQ(sorted[j], j) << "inputPermutation is not a permutation";
  for (int64_t j = 1; j < layer.k; ++j)
    if (layer.groupOf(perm[j]) == layer.groupOf(perm[j - 1]))
      EXPECT_LT(perm[j - 1], perm[j]) << "the reordering is not stable";

  std::vector<uint32_t> codes(linear.codes.begin(), linear.codes.end());
  std::vector<double> weights = lowbit::numerics::dequantize(
      codes, {layer.n, layer.k}, linear.format, linear.scheme, linear.params);
  for (int64_t row = 0; row < layer.n; ++row) {
    for (int64_t g = 0; g < numGroups; ++g) {
      EXPECT_EQ(linear.params.scales[row * numGroups + g],
                fromF16Bits(layer.scales[g * layer.n + row]));
      EXPECT_EQ(linear.params.zeros[row * numGroups + g],
                layer.z[g * layer.n + row]);
    }
    for (int64_t j = 0; j < layer.k; ++j) {
      int64_t input = perm[j];
      int64_t g = layer.groupOf(input);
      ASSERT_EQ(g, j / layer.group) << "group not contiguous at " << j;
      uint32_t q = layer.q[input * layer.n + row];
      ASSERT_EQ(linear.codes[row * layer.k + j], q) << row << ", " << j;
      double expected = fromF16Bits(layer.scales[g * layer.n + row]) *
                        (double(q) - double(layer.z[g * layer.n + row]));
      ASSERT_EQ(weights[row * layer.k + j], expected) << row << ", " << j;
    }
  }
}

std::string quantizeConfig(unsigned bits, int64_t group,
                           const std::string &format) {
  return "{\"bits\": " + std::to_string(bits) +
         ", \"group_size\": " + std::to_string(group) +
         ", \"desc_act\": false, \"sym\": false, \"quant_method\": \"gptq\", "
         "\"checkpoint_format\": \"" +
         format + "\"}";
}

ImportedModel readOk(const std::string &path, GptqOptions options = {}) {
  llvm::Expected<ImportedModel> model = readGptqCheckpoint(path, options);
  if (!model) {
    ADD_FAILURE() << llvm::toString(model.takeError());
    return {};
  }
  return std::move(*model);
}

std::string readError(const std::string &path, GptqOptions options = {}) {
  llvm::Expected<ImportedModel> model = readGptqCheckpoint(path, options);
  if (model) {
    ADD_FAILURE() << "expected an error reading " << path;
    return "";
  }
  return llvm::toString(model.takeError());
}

void expectContains(const std::string &text, const std::string &fragment) {
  EXPECT_NE(text.find(fragment), std::string::npos)
      << "'" << text << "' lacks '" << fragment << "'";
}
#define EXPECT_CONTAINS(text, fragment)                                        \
  do {                                                                         \
    SCOPED_TRACE("EXPECT_CONTAINS");                                           \
    expectContains(text, fragment);                                            \
  } while (false)

TEST(GptqTest, UnpacksEveryBitWidthWithAndWithoutActOrder) {
  LOWBIT_SEEDED_RNG(rng);
  for (unsigned bits : {2u, 3u, 4u, 8u})
    for (bool actOrder : {false, true})
      for (bool v1 : {true, false}) {
        SCOPED_TRACE("bits " + std::to_string(bits) + (actOrder ? " act" : "") +
                     (v1 ? " v1" : " v2"));
        // N and K multiples of 32 (3-bit words hold 32 codes per 3 words).
        int64_t group = 32 * std::uniform_int_distribution<int>(1, 2)(rng);
        int64_t k = group * std::uniform_int_distribution<int>(1, 4)(rng);
        int64_t n = 32 * std::uniform_int_distribution<int>(1, 3)(rng);
        Layer a = randomLayer(rng, bits, n, k, group, actOrder);
        Layer b = randomLayer(rng, bits, n, k, group, false);
        if (v1) {
          // The v1 format stores z - 1, so it cannot hold z = 0.
          for (uint32_t &zero : a.z)
            zero = std::max(zero, 1u);
          for (uint32_t &zero : b.z)
            zero = std::max(zero, 1u);
        }
        std::vector<TestTensor> tensors = packGptq(a, "model.layers.10.q", v1);
        for (TestTensor &tensor : packGptq(b, "model.layers.9.q", v1))
          tensors.push_back(std::move(tensor));
        tensors.push_back(
            {"model.norm.weight", "F16", {2}, bytesOf<uint16_t>({0, 0})});
        TempDir dir;
        dir.write("model.safetensors", encodeSafetensors(tensors));
        dir.write("quantize_config.json",
                  quantizeConfig(bits, group, v1 ? "gptq" : "gptq_v2"));
        ImportedModel model = readOk(dir.str());
        ASSERT_EQ(model.linears.size(), 2u);
        // Sorted with numbers compared as numbers: 9 before 10.
        expectMatches(model.linears[0], b, "model.layers.9.q");
        expectMatches(model.linears[1], a, "model.layers.10.q");
        EXPECT_EQ(model.linears[1].origin, dir.join("model.safetensors") +
                                               ": model.layers.10.q.qweight");
        ASSERT_EQ(model.skipped.size(), 1u);
        EXPECT_EQ(model.skipped[0].first, "model.norm.weight");
        EXPECT_EQ(model.skipped[0].second,
                  "not a quantized linear weight (F16 [2])");
      }
}

TEST(GptqTest, V1ZeroOffsetMayReachTwoToTheBits) {
  // A stored v1 zero of 2^b - 1 means z = 2^b, which dequantizes as written
  // (AutoGPTQ adds 1 after unpacking).
  LOWBIT_SEEDED_RNG(rng);
  Layer layer = randomLayer(rng, 2, 32, 32, 32, false);
  for (uint32_t &zero : layer.z)
    zero = 4;
  TempDir dir;
  std::string file =
      dir.write("m.safetensors", encodeSafetensors(packGptq(layer, "l", true)));
  ImportedModel model = readOk(file);
  ASSERT_EQ(model.linears.size(), 1u);
  expectMatches(model.linears[0], layer, "l");
}

TEST(GptqTest, UnpacksAwq) {
  LOWBIT_SEEDED_RNG(rng);
  for (bool transformersConfig : {false, true}) {
    int64_t group = 16 * std::uniform_int_distribution<int>(1, 4)(rng);
    int64_t k = group * std::uniform_int_distribution<int>(1, 3)(rng);
    int64_t n = 8 * std::uniform_int_distribution<int>(1, 6)(rng);
    Layer layer = randomLayer(rng, 4, n, k, group, false);
    TempDir dir;
    std::string file =
        dir.write("model.safetensors", encodeSafetensors(packAwq(layer, "p")));
    if (transformersConfig)
      dir.write("config.json",
                "{\"model_type\": \"llama\", \"quantization_config\": "
                "{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": " +
                    std::to_string(group) +
                    ", \"version\": \"gemm\", \"zero_point\": true}}");
    else
      dir.write(
          "quant_config.json",
          "{\"zero_point\": true, \"q_group_size\": " + std::to_string(group) +
              ", \"w_bit\": 4, \"version\": \"GEMM\"}");
    ImportedModel model = readOk(file);
    ASSERT_EQ(model.linears.size(), 1u);
    expectMatches(model.linears[0], layer, "p");
    EXPECT_TRUE(model.linears[0].inputPermutation.empty());
  }
}

TEST(GptqTest, DetectsTheFormatFromShapesWithoutConfig) {
  LOWBIT_SEEDED_RNG(rng);
  Layer gptq = randomLayer(rng, 4, 32, 64, 32, false);
  Layer awq = randomLayer(rng, 4, 32, 64, 32, false);
  for (uint32_t &zero : gptq.z)
    zero = std::max(zero, 1u);
  std::vector<TestTensor> tensors = packGptq(gptq, "g", true);
  tensors.erase(tensors.end() - 1); // No g_idx: shapes alone decide.
  for (TestTensor &tensor : packAwq(awq, "a"))
    tensors.push_back(std::move(tensor));
  TempDir dir;
  ImportedModel model =
      readOk(dir.write("m.safetensors", encodeSafetensors(tensors)));
  ASSERT_EQ(model.linears.size(), 2u);
  expectMatches(model.linears[0], awq, "a");
  expectMatches(model.linears[1], gptq, "g");

  // An explicit format overrides detection: gptq_v2 reads stored zeros as z.
  GptqOptions options;
  options.format = QuantCheckpointFormat::GptqV2;
  std::string message = readError(dir.join("m.safetensors"), options);
  EXPECT_CONTAINS(message, "layer 'a' has qweight [64, 4] and scales [2, 32], "
                           "but gptq keeps the 32 outputs as qweight's second "
                           "dimension");
}

TEST(GptqTest, ReadsShardsWithLayersSplitAcrossThem) {
  LOWBIT_SEEDED_RNG(rng);
  Layer layer = randomLayer(rng, 3, 64, 96, 32, true);
  std::vector<TestTensor> tensors = packGptq(layer, "x", false);
  TempDir dir;
  dir.write("model-00001-of-00002.safetensors",
            encodeSafetensors({tensors[0], tensors[3]}));
  dir.write("model-00002-of-00002.safetensors",
            encodeSafetensors({tensors[1], tensors[2]}));
  dir.write("notes.txt", "not a shard");
  dir.write("quantize_config.json", quantizeConfig(3, 32, "gptq_v2"));
  ImportedModel model = readOk(dir.str());
  ASSERT_EQ(model.linears.size(), 1u);
  expectMatches(model.linears[0], layer, "x");
  EXPECT_EQ(model.source, dir.str());

  dir.write("model-extra.safetensors", encodeSafetensors({tensors[2]}));
  EXPECT_CONTAINS(readError(dir.str()),
                  "model-extra.safetensors: tensor 'x.scales' is also in ");
}

TEST(GptqTest, RejectsActOrderWithUnevenGroups) {
  LOWBIT_SEEDED_RNG(rng);
  Layer layer = randomLayer(rng, 4, 32, 64, 32, true);
  TempDir dir;
  // Move one input from group 0 to group 1.
  for (int32_t &g : layer.gIdx)
    if (g == 0) {
      g = 1;
      break;
    }
  std::string file = dir.write("m.safetensors",
                               encodeSafetensors(packGptq(layer, "l", false)));
  EXPECT_CONTAINS(readError(file), "m.safetensors: layer 'l' has 31 inputs in "
                                   "group 0 of g_idx; every group needs "
                                   "exactly 32");
  layer.gIdx[5] = 2;
  dir.write("m.safetensors", encodeSafetensors(packGptq(layer, "l", false)));
  EXPECT_CONTAINS(readError(file), "layer 'l' has g_idx[5] = 2, outside the 2 "
                                   "groups of its scales");
  layer.gIdx[5] = -1;
  dir.write("m.safetensors", encodeSafetensors(packGptq(layer, "l", false)));
  EXPECT_CONTAINS(readError(file), "layer 'l' has g_idx[5] = -1");
}

/// A valid 4-bit GPTQ layer "l" (K = 64, N = 32, G = 32) whose tensors
/// named in `replacements` are replaced (or dropped when the replacement's
/// name is empty).
std::string
brokenLayer(TempDir &dir,
            const std::map<std::string, TestTensor> &replacements = {}) {
  std::mt19937_64 rng(1);
  std::vector<TestTensor> tensors =
      packGptq(randomLayer(rng, 4, 32, 64, 32, false), "l", false);
  for (TestTensor &tensor : tensors)
    if (auto it = replacements.find(tensor.name); it != replacements.end())
      tensor = it->second;
  llvm::erase_if(tensors, [](const TestTensor &t) { return t.name.empty(); });
  return dir.write("m.safetensors", encodeSafetensors(tensors));
}

TEST(GptqTest, RejectsInconsistentLayers) {
  TempDir dir;
  auto error = [&](const std::string &name, const TestTensor &replacement) {
    return readError(brokenLayer(dir, {{name, replacement}}));
  };
  std::string i32x4 = std::string(16, '\0');
  EXPECT_CONTAINS(error("l.scales", {}),
                  "m.safetensors: layer 'l' has a qweight but no l.scales");
  EXPECT_CONTAINS(error("l.qzeros", {}), "layer 'l' has a qweight but no "
                                         "l.qzeros");
  EXPECT_CONTAINS(
      error("l.scales", {"l.scales", "I32", {2, 32}, std::string(256, '\0')}),
      "layer 'l' has scales of dtype I32; expected F16, BF16 or "
      "F32");
  EXPECT_CONTAINS(error("l.qweight",
                        {"l.qweight", "F32", {8, 32}, std::string(1024, '\0')}),
                  "layer 'l' has qweight of dtype F32; expected I32 or U32");
  EXPECT_CONTAINS(
      error("l.g_idx", {"l.g_idx", "I32", {8, 8}, std::string(256, '\0')}),
      "layer 'l' has g_idx of shape [8, 8]; expected a non-empty "
      "vector");
  EXPECT_CONTAINS(error("l.qweight", {"l.qweight", "I32", {0, 32}, ""}),
                  "layer 'l' has qweight of shape [0, 32]; expected a "
                  "non-empty matrix");
  EXPECT_CONTAINS(
      error("l.qzeros", {"l.qzeros", "I32", {2, 5}, std::string(40, '\0')}),
      "layer 'l' has qzeros [2, 5] for 32 outputs, which fits no "
      "bit width of 2, 3, 4 or 8");
  EXPECT_CONTAINS(error("l.qzeros", {"l.qzeros", "I32", {1, 4}, i32x4}),
                  "layer 'l' has qzeros [1, 4] and scales [2, 32], whose "
                  "group counts differ");
  EXPECT_CONTAINS(
      error("l.g_idx", {"l.g_idx", "I32", {63}, std::string(252, '\0')}),
      "layer 'l' has g_idx of 63 entries for 64 inputs in qweight");
  EXPECT_CONTAINS(
      readError(brokenLayer(
          dir,
          {{"l.scales", {"l.scales", "F16", {3, 32}, std::string(192, '\0')}},
           {"l.qzeros", {"l.qzeros", "I32", {3, 4}, std::string(48, '\0')}},
           {"l.g_idx", {}}})),
      "layer 'l' has 64 inputs, which do not split evenly into the 3 groups "
      "of its scales; partial groups are not supported");
  // Shapes that are neither GPTQ nor AWQ, with no configuration to say.
  TempDir other;
  std::string file =
      other.write("m.safetensors",
                  encodeSafetensors(
                      {{"l.qweight", "I32", {8, 3}, std::string(96, '\0')},
                       {"l.qzeros", "I32", {2, 4}, std::string(32, '\0')},
                       {"l.scales", "F16", {2, 32}, std::string(128, '\0')}}));
  EXPECT_CONTAINS(readError(file),
                  "layer 'l' has qweight [8, 3], qzeros [2, 4] and scales "
                  "[2, 32], which fit neither gptq");
  // AWQ with 8-bit packing.
  GptqOptions awq;
  awq.format = QuantCheckpointFormat::Awq;
  other.write("m.safetensors",
              encodeSafetensors(
                  {{"l.qweight", "I32", {64, 8}, std::string(2048, '\0')},
                   {"l.qzeros", "I32", {2, 8}, std::string(64, '\0')},
                   {"l.scales", "F16", {2, 32}, std::string(128, '\0')}}));
  EXPECT_CONTAINS(readError(file, awq),
                  "layer 'l' packs 32 outputs into 8 words per row; awq gemm "
                  "packs eight 4-bit codes per word");
}

TEST(GptqTest, ChecksShapesAgainstTheConfig) {
  TempDir dir;
  brokenLayer(dir);
  dir.write("quantize_config.json", quantizeConfig(8, 32, "gptq"));
  EXPECT_CONTAINS(readError(dir.str()),
                  "layer 'l' is packed with 4-bit codes, but " +
                      dir.join("quantize_config.json") + " says 8 bits");
  dir.write("quantize_config.json", quantizeConfig(4, 16, "gptq"));
  EXPECT_CONTAINS(readError(dir.str()),
                  "layer 'l' has 2 scale rows for 64 inputs, but group size "
                  "16 from " +
                      dir.join("quantize_config.json") + " gives 4");
  dir.write("quantize_config.json", quantizeConfig(4, -1, "gptq"));
  EXPECT_CONTAINS(readError(dir.str()), "group size -1 from");
  dir.write("quantize_config.json", quantizeConfig(4, 32, "gptq"));
  EXPECT_EQ(readOk(dir.str()).linears.size(), 1u);
  dir.write("quantize_config.json",
            R"({"bits": 4, "group_size": 32, "quant_method": "awq"})");
  EXPECT_CONTAINS(readError(dir.str()), "has a g_idx tensor, which awq "
                                        "checkpoints do not have");
}

TEST(GptqTest, RejectsUnsupportedConfigs) {
  TempDir dir;
  brokenLayer(dir);
  std::string config = dir.join("quantize_config.json");
  auto error = [&](const std::string &text) {
    dir.write("quantize_config.json", text);
    return readError(dir.str());
  };
  EXPECT_CONTAINS(error("{\"bits\": 4,"), config + ": not valid json");
  EXPECT_CONTAINS(error("[4]"), config + ": not a json object");
  EXPECT_CONTAINS(error(R"({"bits": "4"})"),
                  "field \"bits\" is not an integer");
  EXPECT_CONTAINS(error(R"({"bits": 5})"),
                  "bit width 5 is not supported; expected 2, 3, 4 or 8");
  EXPECT_CONTAINS(error(R"({"group_size": 0})"),
                  "group size 0 is invalid; expected a positive size or -1");
  EXPECT_CONTAINS(error(R"({"quant_method": "bitsandbytes"})"),
                  "quantization method 'bitsandbytes' is not supported; "
                  "expected gptq or awq");
  EXPECT_CONTAINS(error(R"({"quant_method": 4})"),
                  "field \"quant_method\" is not a string");
  EXPECT_CONTAINS(error(R"({"checkpoint_format": "marlin"})"),
                  "checkpoint format 'marlin' is not supported; expected gptq "
                  "or gptq_v2");
  EXPECT_CONTAINS(error(R"({"is_marlin_format": true})"),
                  "checkpoint is in marlin format");
  EXPECT_CONTAINS(error(R"({"quant_method": "awq", "version": "gemv"})"),
                  "awq version 'gemv' is not supported; expected gemm");

  llvm::sys::fs::remove(config);
  dir.write("config.json", R"({"quantization_config": {"bits": 4}})");
  EXPECT_CONTAINS(readError(dir.str()),
                  dir.join("config.json") +
                      ": \"quantization_config\" has no quant_method");
  dir.write("config.json", R"({"quantization_config": 3})");
  EXPECT_CONTAINS(readError(dir.str()),
                  "\"quantization_config\" is not a json object");
  // A config.json without quantization_config says nothing.
  dir.write("config.json", R"({"model_type": "llama"})");
  EXPECT_EQ(readOk(dir.str()).linears.size(), 1u);
}

TEST(GptqTest, ReportsPathsAndSkippedTensors) {
  EXPECT_CONTAINS(readError("/nonexistent/model"),
                  "/nonexistent/model: no such file or directory");
  TempDir empty;
  empty.write("config.json", "{}");
  EXPECT_CONTAINS(readError(empty.str()),
                  empty.str() + ": directory holds no .safetensors file");
  TempDir dir;
  std::string file = dir.write(
      "m.safetensors",
      encodeSafetensors(
          {{"orphan.scales", "F16", {1}, std::string(2, '\0')},
           {"lm_head.weight", "BF16", {2, 2}, std::string(8, '\0')}}));
  ImportedModel model = readOk(file);
  EXPECT_TRUE(model.linears.empty());
  ASSERT_EQ(model.skipped.size(), 2u);
  EXPECT_EQ(model.skipped[0].first, "lm_head.weight");
  EXPECT_EQ(model.skipped[1].second, "no orphan.qweight belongs to it");
  // A broken shard is reported with its path.
  dir.write("m.safetensors", "short");
  EXPECT_CONTAINS(readError(file), file + ": file is 5 bytes long");
}

TEST(GptqTest, SelectsLayersByName) {
  LOWBIT_SEEDED_RNG(rng);
  Layer first = randomLayer(rng, 4, 32, 64, 32, false);
  Layer second = randomLayer(rng, 8, 32, 64, 32, true);
  std::vector<TestTensor> tensors = packGptq(first, "a.proj", false);
  for (TestTensor &tensor : packGptq(second, "b.proj", false))
    tensors.push_back(std::move(tensor));
  tensors.push_back({"a.norm", "F32", {1}, std::string(4, '\0')});
  tensors.push_back({"b.norm", "F32", {1}, std::string(4, '\0')});
  TempDir dir;
  std::string file = dir.write("m.safetensors", encodeSafetensors(tensors));
  GptqOptions options;
  options.format = QuantCheckpointFormat::GptqV2;
  options.select = [](llvm::StringRef name) { return name.starts_with("b."); };
  ImportedModel model = readOk(file, options);
  ASSERT_EQ(model.linears.size(), 1u);
  expectMatches(model.linears[0], second, "b.proj");
  ASSERT_EQ(model.skipped.size(), 1u);
  EXPECT_EQ(model.skipped[0].first, "b.norm");
}

TEST(GptqTest, FormatNamesRoundTrip) {
  for (QuantCheckpointFormat format :
       {QuantCheckpointFormat::Auto, QuantCheckpointFormat::Gptq,
        QuantCheckpointFormat::GptqV2, QuantCheckpointFormat::Awq})
    EXPECT_EQ(parseQuantCheckpointFormat(quantCheckpointFormatName(format)),
              format);
  EXPECT_EQ(parseQuantCheckpointFormat("exl2"), std::nullopt);
}

} // namespace
