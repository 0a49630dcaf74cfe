//===- GpuLutKernel.cpp - The lut strategy's CUDA and HIP kernel ----------===//
//
// Bit-serial table lookup on GPUs (T-MAC style, the GPU side of
// docs/lut-kernels.md): no weight is ever decoded. Per stage of 256
// activations a block builds, in shared memory, the 16 f32 sums of every
// chunk of 4 activations, for each of its (up to 4) activation rows; then
// every lane probes them with the 4-bit index nibbles of its weight bit
// planes. The weights are the CPU lut kernels' bit planes in tiles of 32
// rows: one 32-bit load is plane i of 8 activations for 4 rows.
//
// Lanes: 32 lanes own a tile of 32 weight rows; lane (t, g) = (lane % 8,
// lane / 8) owns rows 4t..4t+3 and the columns (8 activations) c with
// c % 4 == g of each stage, so a warp's load of one plane reads four whole
// 32-byte sectors. The four lanes sharing rows meet in a butterfly of
// shuffles at the end, which leaves row 4t + g's total in lane (t, g).
//
//===----------------------------------------------------------------------===//

#include "GpuPrinter.h"

#include "lowbit/Target/CPU/LutPlan.h"

#include <cmath>

using namespace lowbit;
using namespace lowbit::gpu;
using detail::cat;
using detail::GpuPrinter;
using numerics::ZeroPointMode;

namespace {
/// The index word a stream of `plan` reads: a plane of the column, or the
/// plane masked by the sign plane (asym-fp).
std::string streamWord(const cpu::lut::Stream &stream, unsigned bits) {
  std::string plane = cat("wd[", stream.plane, "]"),
              top = cat("wd[", bits - 1, "]");
  switch (stream.nibbles) {
  case cpu::lut::Nibbles::Plane:
    return plane;
  case cpu::lut::Nibbles::AndTop:
    return cat(plane, " & ", top);
  case cpu::lut::Nibbles::AndNotTop:
    return cat(plane, " & ~", top);
  }
  return plane;
}
} // namespace

void GpuPrinter::printLutConstants() {
  os << "constexpr int N = " << spec.n << ", K = " << spec.k
     << ", G = " << group << ", GROUPS = K / G;\n"
     << "constexpr int BITS = " << bits
     << ", KCOLS = K / 8; // columns of 8 activations\n"
     << "// Bit planes in tiles of 32 rows (docs/lut-kernels.md): a row "
        "holds BITS bytes per\n"
     << "// column, padded to whole 32-bit words; byte (c * BITS + i) * R + r "
        "of a tile of R rows\n"
     << "// is plane i of column c of its row r.\n"
     << "constexpr int64_t ROW_BYTES = int64_t(K + 31) / 32 * 4 * BITS, "
        "TILE_BYTES = 32 * ROW_BYTES;\n"
     << "constexpr int WN = " << tile.warpsN << ", SPLITK = " << tile.splitK
     << "; // 32-row tiles per block, blocks splitting K\n"
     << "constexpr int THREADS = 32 * WN, BLOCK_ROWS = 32 * WN;\n"
     << "constexpr int STAGE = 32; // columns (256 activations) per table "
        "stage\n"
     << "constexpr int TABLE = 2 * STAGE * 16; // floats of one activation "
        "row's tables\n"
     << "// Columns per split-K block, in whole stages.\n"
     << "constexpr int CPS = ((KCOLS + SPLITK - 1) / SPLITK + STAGE - 1) / "
        "STAGE * STAGE;\n"
     << "constexpr int BLOCKS_N = (N + BLOCK_ROWS - 1) / BLOCK_ROWS;\n"
     << "constexpr uint32_t CODE_MASK = 0x" << std::hex
     << ((1u << bits) - 1) << std::dec << "u;\n\n";
}

void GpuPrinter::printLutHelpers() {
  os << "LB_DEV float actToF32(uint16_t h) { return "
     << (detail::isBF16(spec) ? "bf16ToF32" : "f16ToF32") << "(h); }\n"
     << "LB_DEV float shuffleXor(float v, int mask) { return "
     << (cuda ? "__shfl_xor_sync(0xffffffffu, v, mask)"
              : "__shfl_xor(v, mask)")
     << "; }\n"
     << "// Plane i of column c for rows 4t..4t+3 of a tile of `rows` rows, "
        "one byte a row\n"
     << "// (zeros past the tile's end).\n"
     << "LB_DEV uint32_t loadPlane(const uint8_t *tw, int rows, int c, int "
        "i, int t) {\n"
     << "  const int64_t at = int64_t(c) * BITS + i;\n"
     << "  if (rows == 32) return __ldg(reinterpret_cast<const uint32_t *>(tw) "
        "+ at * 8 + t);\n"
     << "  uint32_t v = 0;\n"
     << "  for (int j = 0; j < 4; ++j)\n"
     << "    if (4 * t + j < rows) v |= uint32_t(tw[at * rows + 4 * t + j]) << "
        "(8 * j);\n"
     << "  return v;\n}\n\n";
}

void GpuPrinter::printLutKernel() {
  ZeroPointMode mode = spec.scheme.zeroPoint;
  bool asym = mode == ZeroPointMode::AsymFloat;
  // The CPU lut kernels' streams, over plain tables (docs/lut-kernels.md).
  cpu::lut::LutPlan plan = cpu::lut::planStreams(spec.weight, asym);

  os << "template <int MT> // activation rows per block: 1, 2 or 4\n"
     << "__global__ void __launch_bounds__(THREADS) kernel(const uint16_t "
        "*__restrict__ x, int m,\n"
     << "    const uint32_t *__restrict__ w, const ScaleT *__restrict__ "
        "scales, const float *__restrict__ zeros,\n"
     << "    const ScaleT *__restrict__ negScales, float tensorScale, const "
        "OutT *__restrict__ bias, OutT *__restrict__ y,\n"
     << "    float *__restrict__ ws, unsigned *__restrict__ counters, "
        "EpilogueArgs ep) {\n"
     << "  // Per activation row and stage: the 16 sums of every chunk of 4 "
        "activations, entry p\n"
     << "  // adding activation j where bit j of p is set. Column c's two "
        "tables swap halves on odd\n"
     << "  // columns, so lanes on neighbouring columns probe different "
        "banks.\n"
     << "  __shared__ float tables[MT * TABLE];\n"
     << "  const int lane = threadIdx.x % 32, t = lane % 8, g = lane / 8;\n"
     << "  const int tile = blockIdx.x * WN + threadIdx.x / 32;\n"
     << "  const int n0 = tile * 32, rows = N - n0 < 32 ? N - n0 : 32;\n"
     << "  const uint8_t *tw = reinterpret_cast<const uint8_t *>(w) + "
        "int64_t(tile) * TILE_BYTES;\n"
     << "  const int m0 = blockIdx.y * MT;\n"
     << "  const int cBegin = blockIdx.z * CPS, cEnd = KCOLS - cBegin < CPS ? "
        "KCOLS : cBegin + CPS;\n"
     << "  // Rows 4t..4t+3: the finished groups (out), the current group's "
        "lookups (pos"
     << (asym ? ", neg" : "") << ")\n"
     << "  // and the activation sum of the columns this lane took in it "
        "(xs).\n"
     << "  float out[4][MT], pos[4][MT]" << (asym ? ", neg[4][MT]" : "")
     << ", xs[MT];\n"
     << "#pragma unroll\n"
     << "  for (int mm = 0; mm < MT; ++mm) {\n"
     << "    xs[mm] = 0.0f;\n"
     << "#pragma unroll\n"
     << "    for (int r = 0; r < 4; ++r) out[r][mm] = pos[r][mm] = "
     << (asym ? "neg[r][mm] = " : "") << "0.0f;\n"
     << "  }\n";

  // The group's end: scales, zero points and the constant parts.
  auto withConstant = [&](const char *name, bool negative) {
    double constant = cpu::lut::plainTableConstant(plan, negative);
    if (constant == 0)
      return cat(name, "[r][mm]");
    return cat("(", name, "[r][mm] + ", cpu::floatLiteral(constant),
               " * xs[mm])");
  };
  os << "  // Scales the current group's sums into out (docs/lut-kernels.md"
        "#formulas).\n"
     << "  auto flush = [&](int gi) {\n"
     << "#pragma unroll\n"
     << "    for (int r = 0; r < 4; ++r) {\n"
     << "      const int n = n0 + 4 * t + r;\n"
     << "      const bool ok = n < N && gi >= 0;\n"
     << "      const int64_t idx = int64_t(ok ? n : 0) * GROUPS + (ok ? gi : "
        "0);\n"
     << "      const float s = ok ? loadScale(scales[idx]) : 0.0f;\n";
  switch (mode) {
  case ZeroPointMode::Integer:
  case ZeroPointMode::Float:
    os << "      const float z = ok ? zeros[idx] : 0.0f;\n"
       << "      (void)negScales;\n";
    break;
  case ZeroPointMode::AsymFloat:
    os << "      const float sn = ok ? loadScale(negScales[idx]) : 0.0f;\n"
       << "      (void)zeros;\n";
    break;
  case ZeroPointMode::None:
    os << "      (void)zeros; (void)negScales;\n";
    break;
  }
  os << "#pragma unroll\n"
     << "      for (int mm = 0; mm < MT; ++mm) {\n"
     << "        const float p = " << withConstant("pos", false) << ";\n";
  os << "        "
     << cpu::lut::groupUpdate(mode, "out[r][mm]", "s", "p", "z", "xs[mm]",
                              mode == ZeroPointMode::AsymFloat
                                  ? "sn * " + withConstant("neg", true)
                                  : "")
     << "\n";
  os << "        pos[r][mm] = 0.0f;\n";
  if (asym)
    os << "        neg[r][mm] = 0.0f;\n";
  os << "      }\n"
     << "    }\n"
     << "#pragma unroll\n"
     << "    for (int mm = 0; mm < MT; ++mm) xs[mm] = 0.0f;\n"
     << "  };\n";

  // The stages.
  os << "  int group = -1; // the group pos, xs hold\n"
     << "  for (int s0 = cBegin; s0 < cEnd; s0 += STAGE) {\n"
     << "    // Build the stage's tables (zeros past K and past m).\n"
     << "    for (int i = threadIdx.x; i < MT * 2 * STAGE; i += THREADS) {\n"
     << "      const int mm = i / (2 * STAGE), ch = i % (2 * STAGE);\n"
     << "      const int64_t k = int64_t(s0) * 8 + 4 * ch;\n"
     << "      const bool live = m0 + mm < m && k < K;\n"
     << "      const uint16_t *xp = x + (live ? int64_t(m0 + mm) * K + k : 0);\n"
     << "      const float v0 = live ? actToF32(xp[0]) : 0.0f, v1 = live ? "
        "actToF32(xp[1]) : 0.0f;\n"
     << "      const float v2 = live ? actToF32(xp[2]) : 0.0f, v3 = live ? "
        "actToF32(xp[3]) : 0.0f;\n"
     << "      const float e3 = v0 + v1, e5 = v0 + v2, e6 = v1 + v2, e7 = e3 + "
        "v2;\n"
     << "      const int col = ch / 2, half = (ch % 2) ^ (col % 2);\n"
     << "      float4 *dst = reinterpret_cast<float4 *>(tables + mm * TABLE + "
        "col * 32 + half * 16);\n"
     << "      dst[0] = make_float4(0.0f, v0, v1, e3);\n"
     << "      dst[1] = make_float4(v2, e5, e6, e7);\n"
     << "      dst[2] = make_float4(v3, v0 + v3, v1 + v3, e3 + v3);\n"
     << "      dst[3] = make_float4(v2 + v3, e5 + v3, e6 + v3, e7 + v3);\n"
     << "    }\n"
     << "    __syncthreads();\n"
     << "    const int cs = cEnd - s0 < STAGE ? cEnd - s0 : STAGE;\n"
     << "    for (int cl = g; cl < cs; cl += 4) {\n"
     << "      const int c = s0 + cl;\n"
     << "      const int gi = int(int64_t(c) * 8 / G);\n"
     << "      if (gi != group) {\n"
     << "        flush(group);\n"
     << "        group = gi;\n"
     << "      }\n"
     << "      // The column's tables: low nibbles index activations 8c..8c+3, "
        "high ones 8c+4..8c+7.\n"
     << "      const float *tl = tables + cl * 32 + (cl % 2) * 16, *th = "
        "tables + cl * 32 + (1 - cl % 2) * 16;\n"
     << "#pragma unroll\n"
     << "      for (int mm = 0; mm < MT; ++mm) xs[mm] += tl[mm * TABLE + 15] + "
        "th[mm * TABLE + 15];\n"
     << "      uint32_t wd[BITS];\n";
  for (unsigned i = 0; i < bits; ++i)
    os << "      wd[" << i << "] = loadPlane(tw, rows, c, " << i << ", t);\n";
  os << "      // Lookups: one stream per weighted plane (masked by the sign "
        "plane for asym-fp).\n";
  // The positive part's streams, then the negative part's.
  for (bool negative : {false, true})
    for (const cpu::lut::Stream &stream : plan.streams) {
      if (stream.negativePart != negative)
        continue;
      double coefficient =
          std::ldexp(stream.subtract ? -1.0 : 1.0, int(stream.exponent));
      os << "      {\n"
         << "        const uint32_t sw = " << streamWord(stream, bits) << ";\n"
         << "#pragma unroll\n"
         << "        for (int r = 0; r < 4; ++r) {\n"
         << "          const uint32_t lo = (sw >> (8 * r)) & 15u, hi = (sw >> "
            "(8 * r + 4)) & 15u;\n"
         << "#pragma unroll\n"
         << "          for (int mm = 0; mm < MT; ++mm)\n"
         << "            " << (negative ? "neg" : "pos") << "[r][mm] += ";
      if (coefficient == 1.0)
        os << "tl[mm * TABLE + lo] + th[mm * TABLE + hi];\n";
      else
        os << cpu::floatLiteral(coefficient)
           << " * (tl[mm * TABLE + lo] + th[mm * TABLE + hi]);\n";
      os << "        }\n      }\n";
    }
  os << "    }\n"
     << "    __syncthreads();\n"
     << "  }\n"
     << "  flush(group);\n";

  // The butterfly and the output.
  os << "  // Lanes (t, g) for g = 0..3 hold partial sums of the same rows: "
        "two rounds of\n"
     << "  // shuffles leave row 4t + g's total in lane (t, g).\n"
     << "  float res[MT];\n"
     << "  const bool odd = g & 1, high = g & 2;\n"
     << "#pragma unroll\n"
     << "  for (int mm = 0; mm < MT; ++mm) {\n"
     << "    const float k0 = (odd ? out[1][mm] : out[0][mm]) + "
        "shuffleXor(odd ? out[0][mm] : out[1][mm], 8);\n"
     << "    const float k1 = (odd ? out[3][mm] : out[2][mm]) + "
        "shuffleXor(odd ? out[2][mm] : out[3][mm], 8);\n"
     << "    res[mm] = (high ? k1 : k0) + shuffleXor(high ? k0 : k1, 16);\n"
     << "  }\n"
     << "  const int n = n0 + 4 * t + g;\n"
     << "  const int64_t tileIdx = int64_t(blockIdx.y) * BLOCKS_N + "
        "blockIdx.x;\n"
     << "#pragma unroll\n"
     << "  for (int mm = 0; mm < MT; ++mm) {\n"
     << "    const int64_t mr = m0 + mm;\n"
     << "    if (mr >= m || n >= N) continue;\n"
     << "    if (SPLITK == 1) y[mr * N + n] = finish(res[mm], mr, n, "
        "tensorScale, bias, ep);\n"
     << "    else atomicAdd(ws + mr * N + n, res[mm]);\n"
     << "  }\n";
  printSplitKFinish("tileIdx", "MT", "BLOCK_ROWS", "m0",
                    "int64_t(blockIdx.x) * BLOCK_ROWS");
}

void GpuPrinter::printLutHost() {
  std::string prefix = cuda ? "cuda" : "hip";
  os << "} // namespace " << spec.name << "_impl\n\n";
  std::string ns = spec.name + "_impl::";
  os << "extern \"C\" size_t " << spec.name << "_packed_words(void) {\n"
     << "  return size_t(" << ns << "N) * " << ns << "BITS * ((" << ns
     << "K + 31) / 32);\n}\n\n"
     << "// codes: [N, K], one code per byte; words: " << spec.name
     << "_packed_words() words of\n"
     << "// bit planes in tiles of 32 rows (docs/lut-kernels.md), bytes "
        "filling each word from\n"
     << "// its least significant one.\n"
     << "extern \"C\" void " << spec.name
     << "_pack_weights(const uint8_t *codes, uint32_t *words) {\n"
     << "  using namespace " << spec.name << "_impl;\n"
     << "  memset(words, 0, sizeof(uint32_t) * " << spec.name
     << "_packed_words());\n"
     << "  for (int64_t n = 0; n < N; ++n) {\n"
     << "    const int64_t tile = n / 32, r = n % 32;\n"
     << "    const int64_t rows = N - tile * 32 < 32 ? N - tile * 32 : 32;\n"
     << "    for (int64_t k = 0; k < K; ++k) {\n"
     << "      const uint32_t code = codes[n * K + k] & CODE_MASK;\n"
     << "      for (int i = 0; i < BITS; ++i) {\n"
     << "        if (!((code >> i) & 1u)) continue;\n"
     << "        const int64_t byte = tile * TILE_BYTES + (k / 8 * BITS + i) * "
        "rows + r;\n"
     << "        words[byte / 4] |= 1u << (8 * (byte % 4) + k % 8);\n"
     << "      }\n"
     << "    }\n"
     << "  }\n}\n\n";
  // Up to one output tile along M per activation row (the 1-row instance).
  printWorkspaceBytes("size_t(m)");
  const char *args = "(x, int(m), w, scales, zeros, negScales, tensorScale, "
                     "bias, y, ws, counters, ep);\n";
  printLauncher(
      cat("  // Activation rows per block: the kernel instance for m.\n"
          "  const int mt = m == 1 ? 1 : m == 2 ? 2 : 4;\n"
          "  if ((m + mt - 1) / mt > 65535) return int(",
          prefix, "ErrorInvalidValue);\n"),
      cat("  const dim3 grid(BLOCKS_N, unsigned((m + mt - 1) / mt), "
          "SPLITK);\n  ",
          prefix, "Stream_t s = static_cast<", prefix, "Stream_t>(stream);\n",
          "  if (mt == 1) kernel<1><<<grid, THREADS, 0, s>>>", args,
          "  else if (mt == 2) kernel<2><<<grid, THREADS, 0, s>>>", args,
          "  else kernel<4><<<grid, THREADS, 0, s>>>", args));
}
