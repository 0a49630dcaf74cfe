//===- ImportToMlir.h - Imported weights to a lowbit module -----*- C++ -*-===//
//
// Builds the graph-level module of an imported checkpoint: one function per
// quantized linear layer, y = x . W^T, whose weights are constants (the codes
// packed into i32 words, unpacked by lowbit.unpack; scales and zero points as
// dense constants), ready for `lowbit-opt --lowbit-cpu-pipeline` and
// `lowbit-translate --emit-cpu`.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IMPORT_IMPORTTOMLIR_H
#define LOWBIT_IMPORT_IMPORTTOMLIR_H

#include "lowbit/Import/Import.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit::import {

/// The element type of activations and results.
enum class ActivationType { F16, BF16, F32 };

/// Parses "f16", "bf16", "f32"; nullopt otherwise.
std::optional<ActivationType> parseActivationType(llvm::StringRef name);

struct ImportOptions {
  ActivationType activation = ActivationType::F16;
  /// Rows of activations M: mlir::ShapedType::kDynamic (the default) gives
  /// functions over tensor<?xKx...>, which the CPU and GPU kernels take; a
  /// positive count gives static shapes.
  int64_t m = mlir::ShapedType::kDynamic;
};

/// The function name of each linear of `model`, in order: the tensor name
/// with every character that is not a letter, digit or '_' replaced by '_'
/// (and a leading '_' when it starts with a digit or is empty), suffixed
/// with _1, _2, ... where names would collide. The names are C identifiers,
/// as kernel names must be.
std::vector<std::string> getFunctionNames(const ImportedModel &model);

/// Builds and verifies the module of `model`: for each linear, in order,
///
///   func.func @<name>(%x: tensor<MxKxACT>) -> tensor<MxNxACT>
///
/// holding `lowbit.matmul ... transpose_b` of x (its columns first gathered
/// by the input permutation, if any, so the function computes
/// x[:, perm] . W^T) with weights `lowbit.unpack` of an `arith.constant` of
/// the codes packed as a plain bit stream of i32 words
/// (#lowbit.layout<bits = b, word = 32>), and scales (and zeros) as dense
/// constants of the scheme's types. Each function carries the tensor's name
/// as the string attribute `lowbit.tensor`. Inconsistent linears (sizes,
/// codes, schemes, permutations) are reported through the context's
/// diagnostics and give failure.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
buildImportModule(mlir::MLIRContext &context, const ImportedModel &model,
                  const ImportOptions &options);

} // namespace lowbit::import

#endif // LOWBIT_IMPORT_IMPORTTOMLIR_H
