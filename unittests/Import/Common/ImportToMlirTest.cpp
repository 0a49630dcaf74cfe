//===- ImportToMlirTest.cpp - Imported weights to a lowbit module ---------===//

#include "lowbit/Import/ImportToMlir.h"

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Pack.h"

#include "../../Numerics/TestRandom.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::import;

namespace {

/// A uint4 linear [n, k], group 32, f16 scales, integer zero points, with
/// random codes.
QuantizedLinear makeLinear(const std::string &name, int64_t n, int64_t k,
                           std::mt19937_64 &rng) {
  QuantizedLinear linear;
  linear.name = name;
  linear.origin = "test";
  linear.format = numerics::Format::unsignedInt(4);
  linear.scheme.groupShape = {1, 32};
  linear.scheme.scaleType = numerics::ScaleType::F16;
  linear.scheme.zeroPoint = numerics::ZeroPointMode::Integer;
  linear.n = n;
  linear.k = k;
  for (int64_t i = 0; i < n * k; ++i)
    linear.codes.push_back(uint8_t(rng() % 16));
  for (int64_t g = 0; g < n * k / 32; ++g) {
    linear.params.scales.push_back(0.25 * double(g + 1));
    linear.params.zeros.push_back(double(rng() % 16));
  }
  return linear;
}

/// Builds the module, collecting error messages.
FailureOr<OwningOpRef<ModuleOp>> build(MLIRContext &context,
                                       const ImportedModel &model,
                                       std::string &errors,
                                       const ImportOptions &options = {}) {
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    errors += diagnostic.str() + "\n";
    return success();
  });
  return buildImportModule(context, model, options);
}

TEST(ImportToMlirTest, FunctionNamesAreUniqueIdentifiers) {
  ImportedModel model;
  for (const char *name : {"a.b", "a_b", "9x", "", "a.b"})
    model.linears.emplace_back().name = name;
  EXPECT_EQ(getFunctionNames(model),
            (std::vector<std::string>{"a_b", "a_b_1", "_9x", "_", "a_b_2"}));
}

TEST(ImportToMlirTest, BuildsOneFunctionPerLinear) {
  LOWBIT_SEEDED_RNG(rng);
  ImportedModel model;
  model.source = "test.gguf";
  model.linears.push_back(makeLinear("blk.0.q", 3, 64, rng));
  model.linears.push_back(makeLinear("blk.0.k", 2, 96, rng));
  MLIRContext context;
  std::string errors;
  FailureOr<OwningOpRef<ModuleOp>> module = build(context, model, errors);
  ASSERT_TRUE(succeeded(module)) << errors;
  auto funcs = llvm::to_vector((*module)->getOps<func::FuncOp>());
  ASSERT_EQ(funcs.size(), 2u);
  EXPECT_EQ(funcs[0].getSymName(), "blk_0_q");
  EXPECT_EQ(funcs[0]->getAttrOfType<StringAttr>("lowbit.tensor").getValue(),
            "blk.0.q");
  auto xType = cast<RankedTensorType>(funcs[0].getArgumentTypes()[0]);
  EXPECT_TRUE(xType.isDynamicDim(0));
  EXPECT_EQ(xType.getDimSize(1), 64);
  EXPECT_TRUE(xType.getElementType().isF16());

  // The packed constant unpacks to the codes, by the layout on the op.
  for (auto [func, linear] : llvm::zip_equal(funcs, model.linears)) {
    auto unpack = *func.getOps<UnpackOp>().begin();
    DenseElementsAttr words;
    ASSERT_TRUE(matchPattern(unpack.getInput(), m_Constant(&words)));
    std::vector<uint64_t> packed;
    for (const APInt &word : words.getValues<APInt>())
      packed.push_back(word.getZExtValue());
    std::vector<uint32_t> codes = numerics::unpack(
        packed, linear.n, linear.k, getNumericsLayout(unpack.getLayout()));
    EXPECT_EQ(codes,
              std::vector<uint32_t>(linear.codes.begin(), linear.codes.end()));
    auto matmul = *func.getOps<MatmulOp>().begin();
    EXPECT_TRUE(matmul.getTransposeB());
    EXPECT_EQ(matmul.getWeights(), unpack.getResult());
    ASSERT_TRUE(matmul.getZeros());
  }
}

TEST(ImportToMlirTest, StaticRowsAndActivationType) {
  LOWBIT_SEEDED_RNG(rng);
  ImportedModel model;
  model.linears.push_back(makeLinear("w", 2, 32, rng));
  MLIRContext context;
  std::string errors;
  ImportOptions options;
  options.m = 5;
  options.activation = ActivationType::BF16;
  FailureOr<OwningOpRef<ModuleOp>> module =
      build(context, model, errors, options);
  ASSERT_TRUE(succeeded(module)) << errors;
  auto func = *(*module)->getOps<func::FuncOp>().begin();
  EXPECT_EQ(func.getFunctionType().getResult(0),
            RankedTensorType::get({5, 2}, BFloat16Type::get(&context)));
}

TEST(ImportToMlirTest, GathersPermutedColumns) {
  LOWBIT_SEEDED_RNG(rng);
  ImportedModel model;
  QuantizedLinear linear = makeLinear("w", 2, 64, rng);
  for (int64_t k = 63; k >= 0; --k)
    linear.inputPermutation.push_back(k);
  model.linears.push_back(linear);
  MLIRContext context;
  std::string errors;
  FailureOr<OwningOpRef<ModuleOp>> module = build(context, model, errors);
  ASSERT_TRUE(succeeded(module)) << errors;
  auto func = *(*module)->getOps<func::FuncOp>().begin();
  auto generics = llvm::to_vector(func.getOps<linalg::GenericOp>());
  ASSERT_EQ(generics.size(), 1u);
  auto matmul = *func.getOps<MatmulOp>().begin();
  EXPECT_EQ(matmul.getInput(), generics[0].getResult(0));
  // The gather reads x at [row, perm[k]].
  DenseElementsAttr perm;
  ASSERT_TRUE(matchPattern(generics[0].getDpsInputs()[0], m_Constant(&perm)));
  EXPECT_EQ((*perm.getValues<APInt>().begin()).getZExtValue(), 63u);
}

TEST(ImportToMlirTest, RejectsInconsistentLinears) {
  LOWBIT_SEEDED_RNG(rng);
  struct Case {
    const char *expected;
    std::function<void(QuantizedLinear &)> corrupt;
  };
  const Case cases[] = {
      {"linear 'w': has 63 codes; expected N * K = 64",
       [](QuantizedLinear &l) { l.codes.pop_back(); }},
      {"linear 'w': code 16 at index 5 is not a valid uint4 code",
       [](QuantizedLinear &l) { l.codes[5] = 16; }},
      {"linear 'w': has 1 zeros; expected 2",
       [](QuantizedLinear &l) { l.params.zeros.pop_back(); }},
      {"linear 'w': integer zero point 5.000000e-01 is not an int32 "
       "integer",
       [](QuantizedLinear &l) { l.params.zeros[0] = 0.5; }},
      {"linear 'w': the input permutation has 3 entries; expected K = 32",
       [](QuantizedLinear &l) {
         l.inputPermutation = {0, 1, 2};
       }},
      {"linear 'w': the input permutation is not a permutation of 0..K-1 "
       "(entry 0)",
       [](QuantizedLinear &l) { l.inputPermutation.assign(32, 0); }},
      {"linear 'w': the weight shape [0, 32] must be positive",
       [](QuantizedLinear &l) { l.n = 0; }},
  };
  for (const Case &c : cases) {
    ImportedModel model;
    model.linears.push_back(makeLinear("w", 2, 32, rng));
    c.corrupt(model.linears[0]);
    MLIRContext context;
    std::string errors;
    EXPECT_TRUE(failed(build(context, model, errors)));
    EXPECT_EQ(errors, std::string(c.expected) + "\n");
  }
}

} // namespace
