//===- GgufReadTest.cpp - ggml blocks to QuantizedLinear ------------------===//
//
// Random blocks of each type are imported and dequantized by the numerics
// library, and compared in f32 with a transcription of ggml-quants.c's
// dequantize_row_* loops (their structure kept, so the element order is
// checked independently of the importer's index arithmetic).
//
//===----------------------------------------------------------------------===//

#include "GgufTestFile.h"

#include "../../Numerics/TestRandom.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>

using namespace lowbit;
using namespace lowbit::import;
using namespace lowbit::import::testing;

namespace {

constexpr int kQK = 256;

float f16At(const uint8_t *p) {
  return numerics::fromF16Bits(uint16_t(p[0] | p[1] << 8));
}

// The reference loops, one block at a time, as in ggml-quants.c.

void refQ4_0(const uint8_t *x, float *y) {
  const float d = f16At(x);
  for (int j = 0; j < 16; ++j) {
    const int x0 = (x[2 + j] & 0x0F) - 8;
    const int x1 = (x[2 + j] >> 4) - 8;
    y[j] = x0 * d;
    y[j + 16] = x1 * d;
  }
}

void refQ5_1(const uint8_t *x, float *y) {
  const float d = f16At(x), m = f16At(x + 2);
  uint32_t qh;
  std::memcpy(&qh, x + 4, 4);
  for (int j = 0; j < 16; ++j) {
    const uint8_t xh_0 = ((qh >> (j + 0)) << 4) & 0x10;
    const uint8_t xh_1 = ((qh >> (j + 12))) & 0x10;
    const int x0 = (x[8 + j] & 0x0F) | xh_0;
    const int x1 = (x[8 + j] >> 4) | xh_1;
    y[j] = x0 * d + m;
    y[j + 16] = x1 * d + m;
  }
}

void refQ8_0(const uint8_t *x, float *y) {
  const float d = f16At(x);
  for (int j = 0; j < 32; ++j)
    y[j] = int8_t(x[2 + j]) * d;
}

void refQ2_K(const uint8_t *x, float *y) {
  const uint8_t *scales = x, *q = x + 16;
  const float d = f16At(x + 80), min = f16At(x + 82);
  int is = 0;
  for (int n = 0; n < kQK; n += 128) {
    int shift = 0;
    for (int j = 0; j < 4; ++j) {
      uint8_t sc = scales[is++];
      float dl = d * (sc & 0xF), ml = min * (sc >> 4);
      for (int l = 0; l < 16; ++l)
        *y++ = dl * int8_t((q[l] >> shift) & 3) - ml;
      sc = scales[is++];
      dl = d * (sc & 0xF), ml = min * (sc >> 4);
      for (int l = 0; l < 16; ++l)
        *y++ = dl * int8_t((q[l + 16] >> shift) & 3) - ml;
      shift += 2;
    }
    q += 32;
  }
}

void refQ3_K(const uint8_t *x, float *y) {
  const uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
  const float dAll = f16At(x + 108);
  const uint8_t *q = x + 32, *hm = x;
  uint8_t m = 1;
  uint32_t aux[4];
  std::memcpy(aux, x + 96, 12);
  uint32_t tmp = aux[2];
  aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
  aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
  aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
  aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
  const int8_t *scales = reinterpret_cast<const int8_t *>(aux);
  int is = 0;
  for (int n = 0; n < kQK; n += 128) {
    int shift = 0;
    for (int j = 0; j < 4; ++j) {
      float dl = dAll * (scales[is++] - 32);
      for (int l = 0; l < 16; ++l)
        *y++ = dl * (int8_t((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
      dl = dAll * (scales[is++] - 32);
      for (int l = 0; l < 16; ++l)
        *y++ = dl *
               (int8_t((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) ? 0 : 4));
      shift += 2;
      m <<= 1;
    }
    q += 32;
  }
}

void scaleMinK4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
  }
}

void refQ4_K(const uint8_t *x, float *y) {
  const uint8_t *q = x + 16;
  const float d = f16At(x), min = f16At(x + 2);
  int is = 0;
  uint8_t sc, m;
  for (int j = 0; j < kQK; j += 64) {
    scaleMinK4(is + 0, x + 4, &sc, &m);
    const float d1 = d * sc, m1 = min * m;
    scaleMinK4(is + 1, x + 4, &sc, &m);
    const float d2 = d * sc, m2 = min * m;
    for (int l = 0; l < 32; ++l)
      *y++ = d1 * (q[l] & 0xF) - m1;
    for (int l = 0; l < 32; ++l)
      *y++ = d2 * (q[l] >> 4) - m2;
    q += 32;
    is += 2;
  }
}

void refQ5_K(const uint8_t *x, float *y) {
  const uint8_t *ql = x + 48, *qh = x + 16;
  const float d = f16At(x), min = f16At(x + 2);
  int is = 0;
  uint8_t sc, m, u1 = 1, u2 = 2;
  for (int j = 0; j < kQK; j += 64) {
    scaleMinK4(is + 0, x + 4, &sc, &m);
    const float d1 = d * sc, m1 = min * m;
    scaleMinK4(is + 1, x + 4, &sc, &m);
    const float d2 = d * sc, m2 = min * m;
    for (int l = 0; l < 32; ++l)
      *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
    for (int l = 0; l < 32; ++l)
      *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    ql += 32;
    is += 2;
    u1 <<= 2;
    u2 <<= 2;
  }
}

void refQ6_K(const uint8_t *x, float *y) {
  const float d = f16At(x + 208);
  const uint8_t *ql = x, *qh = x + 128;
  const int8_t *sc = reinterpret_cast<const int8_t *>(x + 192);
  for (int n = 0; n < kQK; n += 128) {
    for (int l = 0; l < 32; ++l) {
      int is = l / 16;
      const int8_t q1 = int8_t((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int8_t q2 =
          int8_t((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int8_t q3 = int8_t((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int8_t q4 =
          int8_t((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l + 0] = d * sc[is + 0] * q1;
      y[l + 32] = d * sc[is + 2] * q2;
      y[l + 64] = d * sc[is + 4] * q3;
      y[l + 96] = d * sc[is + 6] * q4;
    }
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

void refTQ1_0(const uint8_t *x, float *y) {
  const uint8_t pow3[6] = {1, 3, 9, 27, 81, 243};
  const float d = f16At(x + 52);
  const uint8_t *qs = x, *qh = x + 48;
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 32; ++m) {
      uint8_t q = qs[m] * pow3[n];
      int16_t xi = (uint16_t(q) * 3) >> 8;
      *y++ = float(xi - 1) * d;
    }
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 16; ++m) {
      uint8_t q = qs[32 + m] * pow3[n];
      int16_t xi = (uint16_t(q) * 3) >> 8;
      *y++ = float(xi - 1) * d;
    }
  for (int n = 0; n < 4; ++n)
    for (int j = 0; j < 4; ++j) {
      uint8_t q = qh[j] * pow3[n];
      int16_t xi = (uint16_t(q) * 3) >> 8;
      *y++ = float(xi - 1) * d;
    }
}

void refTQ2_0(const uint8_t *x, float *y) {
  const float d = f16At(x + 64);
  for (int j = 0; j < 64; j += 32)
    for (int l = 0; l < 4; ++l)
      for (int m = 0; m < 32; ++m) {
        int8_t q = (x[j + m] >> (l * 2)) & 3;
        *y++ = float(q - 1) * d;
      }
}

void refMXFP4(const uint8_t *x, float *y) {
  static const int8_t kvalues[16] = {0, 1,  2,  3,  4,  6,  8,  12,
                                     0, -1, -2, -3, -4, -6, -8, -12};
  // GGML_E8M0_TO_FP32_HALF.
  uint32_t bits = x[0] < 2 ? 0x00200000u << x[0] : uint32_t(x[0] - 1) << 23;
  float d;
  std::memcpy(&d, &bits, 4);
  for (int j = 0; j < 16; ++j) {
    y[j] = kvalues[x[1 + j] & 0x0F] * d;
    y[j + 16] = kvalues[x[1 + j] >> 4] * d;
  }
}

struct TypeCase {
  uint32_t type;
  const char *name;
  int blockSize, typeSize;
  std::vector<int> f16Fields; ///< Byte offsets of f16 scales.
  void (*reference)(const uint8_t *, float *);
};

const TypeCase kCases[] = {
    {2, "Q4_0", 32, 18, {0}, refQ4_0},
    {7, "Q5_1", 32, 24, {0, 2}, refQ5_1},
    {8, "Q8_0", 32, 34, {0}, refQ8_0},
    {10, "Q2_K", kQK, 84, {80, 82}, refQ2_K},
    {11, "Q3_K", kQK, 110, {108}, refQ3_K},
    {12, "Q4_K", kQK, 144, {0, 2}, refQ4_K},
    {13, "Q5_K", kQK, 176, {0, 2}, refQ5_K},
    {14, "Q6_K", kQK, 210, {208}, refQ6_K},
    {34, "TQ1_0", kQK, 54, {52}, refTQ1_0},
    {35, "TQ2_0", kQK, 66, {64}, refTQ2_0},
    {39, "MXFP4", 32, 17, {}, refMXFP4},
};

/// Random blocks whose f16 fields are finite (subnormal to 16, both signs)
/// and, for MXFP4, whose e8m0 scale is not 255.
std::vector<uint8_t> randomBlocks(const TypeCase &c, int64_t blocks,
                                  std::mt19937_64 &rng) {
  std::vector<uint8_t> data(size_t(blocks * c.typeSize));
  for (uint8_t &byte : data)
    byte = uint8_t(rng());
  std::uniform_real_distribution<double> exponent(-20, 4);
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t *block = data.data() + b * c.typeSize;
    for (int offset : c.f16Fields) {
      double value = std::exp2(exponent(rng)) * (rng() % 2 ? -1 : 1);
      uint16_t bits = numerics::toF16Bits(float(value));
      block[offset] = uint8_t(bits);
      block[offset + 1] = uint8_t(bits >> 8);
    }
    if (c.type == 39)
      block[0] = uint8_t(rng() % 255);
  }
  return data;
}

TEST(GgufReadTest, DequantizesAsGgml) {
  LOWBIT_SEEDED_RNG(rng);
  for (const TypeCase &c : kCases) {
    SCOPED_TRACE(c.name);
    const int64_t n = 3, k = 2 * kQK, blocks = n * k / c.blockSize;
    std::vector<uint8_t> data = randomBlocks(c, blocks, rng);
    std::string bytes = singleTensorFile("w", c.type, k, n, data);
    llvm::Expected<ImportedModel> model = readGguf(bufferOf(bytes));
    ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
    ASSERT_EQ(model->linears.size(), 1u);
    const QuantizedLinear &linear = model->linears[0];
    EXPECT_EQ(linear.n, n);
    EXPECT_EQ(linear.k, k);
    EXPECT_EQ(linear.name, "w");
    ASSERT_EQ(linear.codes.size(), size_t(n * k));
    std::vector<uint32_t> codes(linear.codes.begin(), linear.codes.end());
    std::vector<double> values = numerics::dequantize(
        codes, {n, k}, linear.format, linear.scheme, linear.params);
    std::vector<float> expected(size_t(n * k));
    for (int64_t b = 0; b < blocks; ++b)
      c.reference(data.data() + b * c.typeSize,
                  expected.data() + b * c.blockSize);
    for (int64_t i = 0; i < n * k; ++i) {
      float ours = float(values[i]);
      // Equal as f32 values; MXFP4's code 8 is -0 in e2m1, +0 in ggml.
      bool same =
          ours == expected[i] || (std::isnan(ours) && std::isnan(expected[i]));
      bool sameBits = std::memcmp(&ours, &expected[i], 4) == 0 || ours == 0;
      ASSERT_TRUE(same && sameBits)
          << "element " << i << " (code " << int(linear.codes[i])
          << "): lowbit " << ours << ", ggml " << expected[i];
    }
  }
}

TEST(GgufReadTest, Q4_0Mapping) {
  // d = 0.5 (f16 0x3800); byte j holds codes j (low) and j + 16 (high).
  std::vector<uint8_t> block = {0x00, 0x38};
  for (int j = 0; j < 16; ++j)
    block.push_back(uint8_t(j | (15 - j) << 4));
  std::string bytes = singleTensorFile("q", 2, 32, 1, block);
  llvm::Expected<ImportedModel> model = readGguf(bufferOf(bytes));
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  const QuantizedLinear &linear = model->linears.at(0);
  EXPECT_EQ(linear.format, numerics::Format::unsignedInt(4));
  EXPECT_EQ(linear.scheme.groupShape, (std::vector<int64_t>{1, 32}));
  EXPECT_EQ(linear.scheme.scaleType, numerics::ScaleType::F16);
  EXPECT_EQ(linear.scheme.zeroPoint, numerics::ZeroPointMode::Integer);
  EXPECT_EQ(linear.params.scales, (std::vector<double>{0.5}));
  EXPECT_EQ(linear.params.zeros, (std::vector<double>{8}));
  EXPECT_EQ(linear.codes[1], 1);
  EXPECT_EQ(linear.codes[17], 14);
  EXPECT_NE(linear.origin.find("test.gguf: tensor 0"), std::string::npos);
}

TEST(GgufReadTest, TernaryCodeThreeBecomesUint2) {
  std::vector<uint8_t> block(66, 0x55); // every code 1 (zero) ...
  block[0] = 0x57;                      // ... but one 3
  block[64] = 0x00, block[65] = 0x3c;   // d = 1
  std::string bytes = singleTensorFile("t", 35, 256, 1, block);
  llvm::Expected<ImportedModel> model = readGguf(bufferOf(bytes));
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  const QuantizedLinear &linear = model->linears.at(0);
  EXPECT_EQ(linear.format, numerics::Format::unsignedInt(2));
  EXPECT_EQ(linear.scheme.zeroPoint, numerics::ZeroPointMode::Integer);
  EXPECT_EQ(linear.params.zeros, (std::vector<double>{1}));
  EXPECT_EQ(linear.codes[0], 3);
}

TEST(GgufReadTest, SkipsWithReasons) {
  GgufBytes file;
  file.header(3, 5, 0)
      .tensorInfo("norm", {32}, 0, 0)
      .tensorInfo("embed", {32, 2}, 1, 128)
      .tensorInfo("vector", {32}, 8, 256)
      .tensorInfo("iq", {256, 1}, 20, 320)
      .tensorInfo("nan", {32, 1}, 39, 480)
      .pad(32)
      .raw(std::string(512, '\0'));
  file.bytes[file.bytes.size() - 32] = char(255); // the MXFP4 scale
  llvm::Expected<ImportedModel> model = readGguf(bufferOf(file.bytes));
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  EXPECT_TRUE(model->linears.empty());
  ASSERT_EQ(model->skipped.size(), 5u);
  EXPECT_EQ(model->skipped[0].second, "F32 tensors are not quantized");
  EXPECT_EQ(model->skipped[1].second, "F16 tensors are not quantized");
  EXPECT_EQ(model->skipped[2].second,
            "a Q8_0 tensor of shape [32] is not a 2-D linear weight");
  EXPECT_EQ(model->skipped[3].second,
            "ggml type IQ4_NL is not supported by the importer");
  EXPECT_EQ(model->skipped[4].second,
            "an MXFP4 block has scale code 255, which ggml reads as 2^128 but "
            "e8m0 defines as NaN");
}

TEST(GgufReadTest, SelectsTensors) {
  GgufBytes file;
  file.header(3, 2, 0)
      .tensorInfo("keep", {32, 1}, 8, 0)
      .tensorInfo("drop", {32, 1}, 8, 64)
      .pad(32)
      .raw(std::string(98, '\0'));
  GgufReadOptions options;
  options.select = [](llvm::StringRef name) { return name == "keep"; };
  llvm::Expected<ImportedModel> model = readGguf(bufferOf(file.bytes), options);
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  ASSERT_EQ(model->linears.size(), 1u);
  EXPECT_EQ(model->linears[0].name, "keep");
  EXPECT_TRUE(model->skipped.empty());
}

TEST(GgufReadTest, MissingFile) {
  std::string message =
      messageOf(readGguf(llvm::StringRef("/nonexistent/model.gguf")));
  EXPECT_EQ(message.rfind("cannot read /nonexistent/model.gguf: ", 0), 0u)
      << message;
}

} // namespace
