//===- Npy.h - Writing NumPy .npy files -------------------------*- C++ -*-===//
//
// The tools dump arrays (weights, codes, results) as .npy files that the
// test scripts load with numpy.load; one writer serves them all.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_SUPPORT_NPY_H
#define LOWBIT_SUPPORT_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace lowbit {

/// The contents of a version 1.0 .npy file holding `bytes` bytes of `data`,
/// a C-order array of `shape` whose elements numpy's `dtype` string
/// describes ("<f4", "<i4", "|u1", ...).
std::string formatNpy(llvm::StringRef dtype, llvm::ArrayRef<int64_t> shape,
                      const void *data, size_t bytes);

/// Writes formatNpy(...) to `path`; the error names the path.
llvm::Error writeNpy(llvm::StringRef path, llvm::StringRef dtype,
                     llvm::ArrayRef<int64_t> shape, const void *data,
                     size_t bytes);

} // namespace lowbit

#endif // LOWBIT_SUPPORT_NPY_H
