//===- BoundedJson.h - JSON parsing with a nesting limit --------*- C++ -*-===//
//
// llvm::json::parse recurses once per nesting level, so a header of a million
// '[' overflows the stack. Checkpoint headers and configurations nest a few
// levels; deeper text is rejected before it reaches the parser.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_SAFETENSORS_BOUNDEDJSON_H
#define LOWBIT_LIB_IMPORT_SAFETENSORS_BOUNDEDJSON_H

#include "llvm/Support/JSON.h"

namespace lowbit::import {

/// The deepest nesting of arrays and objects parseBoundedJson accepts.
constexpr unsigned kMaxJsonDepth = 64;

/// llvm::json::parse, after checking that `text` nests arrays and objects at
/// most kMaxJsonDepth levels deep (brackets inside strings do not count).
llvm::Expected<llvm::json::Value> parseBoundedJson(llvm::StringRef text);

} // namespace lowbit::import

#endif // LOWBIT_LIB_IMPORT_SAFETENSORS_BOUNDEDJSON_H
