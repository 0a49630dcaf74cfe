//===- Bf16DotTest.cpp - The bf16-dot strategy's specification ------------===//
//
// What the CPU generator promises for cpu::Strategy::Bf16Dot besides the
// kernels' results (which test/Target/CPU/execute-bf16-dot*.test check): its
// name, the 16-bit weight layout and the pass quantum derived from it, the
// compile flags and CPU feature it needs, what it refuses and why, and the
// decode cost the cost model reads.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/CpuKernel.h"

#include "gtest/gtest.h"

#include <string>

using namespace lowbit;
using cpu::Isa;
using cpu::Strategy;

namespace {

cpu::KernelSpec
bf16Spec(const std::string &format, Isa isa, int64_t group,
         numerics::ZeroPointMode zero = numerics::ZeroPointMode::None) {
  cpu::KernelSpec spec;
  spec.isa = isa;
  spec.strategy = Strategy::Bf16Dot;
  spec.weight = *numerics::Format::parse(format);
  spec.scheme.groupShape = {1, group};
  spec.scheme.zeroPoint = zero;
  spec.activation = spec.output = cpu::ScalarType::BF16;
  spec.n = 40;
  spec.k = 512;
  return spec;
}

TEST(Bf16DotTest, Name) {
  EXPECT_EQ(cpu::parseStrategy("bf16-dot"), Strategy::Bf16Dot);
  EXPECT_STREQ(cpu::strategyName(Strategy::Bf16Dot), "bf16-dot");
  EXPECT_NE(std::string(cpu::strategyNames()).find("bf16-dot"),
            std::string::npos);
}

TEST(Bf16DotTest, LayoutIs16BitWordsIn32Lanes) {
  for (unsigned bits = 1; bits <= 8; ++bits) {
    cpu::KernelSpec spec =
        bf16Spec("int" + std::to_string(bits), Isa::AVX512, 64);
    numerics::PackLayout layout = cpu::weightLayout(spec);
    EXPECT_EQ(layout.wordBits, 16u) << bits;
    EXPECT_EQ(layout.slotsPerWord(), 16 / bits) << bits;
    // One period is 32 words of slotsPerWord codes.
    EXPECT_EQ(layout.order.size(), 32 * layout.slotsPerWord()) << bits;
    // The scalar kernel reads the same layout.
    spec.isa = Isa::Scalar;
    EXPECT_EQ(cpu::weightLayout(spec).order, layout.order) << bits;
  }
}

TEST(Bf16DotTest, PassQuantum) {
  // lcm(G, 32 * floor(16 / bits)); the scalar kernel's unit is the group.
  EXPECT_EQ(cpu::kBlockQuantum(bf16Spec("int4", Isa::AVX512, 64)), 128);
  EXPECT_EQ(cpu::kBlockQuantum(bf16Spec("int3", Isa::AVX512, 64)), 320);
  EXPECT_EQ(cpu::kBlockQuantum(bf16Spec("int8", Isa::AVX512, 128)), 128);
  EXPECT_EQ(cpu::kBlockQuantum(bf16Spec("int4", Isa::Scalar, 64)), 64);
}

TEST(Bf16DotTest, CompileFlagsAndFeature) {
  cpu::KernelSpec spec = bf16Spec("int4", Isa::AVX512, 64);
  EXPECT_NE(cpu::compileFlags(spec).find("-mavx512bf16"), std::string::npos);
  spec.strategy = Strategy::Dequant;
  EXPECT_EQ(cpu::compileFlags(spec).find("-mavx512bf16"), std::string::npos);
  EXPECT_EQ(cpu::compileFlags(bf16Spec("int4", Isa::Scalar, 64)), "");
  EXPECT_EQ(cpu::missingCpuFeatures(bf16Spec("int4", Isa::Scalar, 64)), "");
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512bf16"))
    EXPECT_NE(cpu::missingCpuFeatures(bf16Spec("int4", Isa::AVX512, 64))
                  .find("avx512bf16"),
              std::string::npos);
#endif
}

TEST(Bf16DotTest, Refusals) {
  auto error = [](const cpu::KernelSpec &spec) {
    return cpu::verifyKernelSpec(spec);
  };
  EXPECT_EQ(error(bf16Spec("int4", Isa::AVX512, 64)), "");
  EXPECT_EQ(error(bf16Spec("e5m2", Isa::AVX512, 64)), "");
  EXPECT_EQ(error(bf16Spec("int7", Isa::AVX512, 64,
                           numerics::ZeroPointMode::AsymFloat)),
            "");
  EXPECT_NE(error(bf16Spec("int4", Isa::AVX2, 64)).find("no bf16 dot product"),
            std::string::npos);
  EXPECT_NE(error(bf16Spec("int4", Isa::Neon, 64)).find("lut kernels only"),
            std::string::npos);
  cpu::KernelSpec f32 = bf16Spec("int4", Isa::AVX512, 64);
  f32.activation = cpu::ScalarType::F32;
  EXPECT_EQ(error(f32), "the bf16-dot strategy multiplies bf16 activations, "
                        "not f32; use the dequant strategy");
  EXPECT_NE(error(bf16Spec("nf4", Isa::AVX512, 64)).find("is not a bf16"),
            std::string::npos);
  // Groups of 16: not on AVX-512 (vectors of 32), fine for the scalar kernel.
  EXPECT_NE(error(bf16Spec("int4", Isa::AVX512, 16)).find("multiple of 32"),
            std::string::npos);
  EXPECT_EQ(error(bf16Spec("int4", Isa::Scalar, 16)), "");
}

TEST(Bf16DotTest, DecodeCost) {
  // One vpermw (and 3/4 of a shift per vector for 4-bit codes); 7 bits: two
  // vpermt2w, a blend and a test; 8 bits asym-fp: twice four permutes and
  // three blends, plus two shared tests.
  cpu::DecodeCost int4 = cpu::decodeCost(bf16Spec("int4", Isa::AVX512, 64));
  EXPECT_STREQ(int4.decode, "bf16-table");
  EXPECT_DOUBLE_EQ(int4.vectorOps, 1.0);
  EXPECT_DOUBLE_EQ(int4.shifts, 0.75);
  EXPECT_DOUBLE_EQ(cpu::decodeCost(bf16Spec("int7", Isa::AVX512, 64)).vectorOps,
                   4.0);
  cpu::DecodeCost int8 = cpu::decodeCost(
      bf16Spec("int8", Isa::AVX512, 64, numerics::ZeroPointMode::AsymFloat));
  EXPECT_DOUBLE_EQ(int8.vectorOps, 16.0);
  EXPECT_EQ(int8.fmasPerRow, 2);
}

TEST(Bf16DotTest, EmitsPermutesAndBf16Dots) {
  cpu::EmitResult result =
      cpu::emitCpuKernel(bf16Spec("int4", Isa::AVX512, 64));
  ASSERT_EQ(result.error, "");
  EXPECT_NE(result.source.find("_mm512_permutexvar_epi16(c, t0)"),
            std::string::npos);
  EXPECT_NE(result.source.find("_mm512_dpbf16_ps("), std::string::npos);
  EXPECT_EQ(result.source.find("_mm512_fmadd_ps(xv"), std::string::npos);
  cpu::EmitResult refused =
      cpu::emitCpuKernel(bf16Spec("nf4", Isa::AVX512, 64));
  EXPECT_NE(refused.error, "");
  EXPECT_EQ(refused.source, "");
}

} // namespace
