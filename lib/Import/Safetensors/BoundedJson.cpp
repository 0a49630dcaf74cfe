//===- BoundedJson.cpp - JSON parsing with a nesting limit ----------------===//
//
// A linear scan for the nesting depth, skipping string contents (with their
// escapes), before llvm::json::parse.
//
//===----------------------------------------------------------------------===//

#include "BoundedJson.h"

using namespace lowbit::import;

llvm::Expected<llvm::json::Value>
lowbit::import::parseBoundedJson(llvm::StringRef text) {
  unsigned depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        return llvm::createStringError(
            llvm::inconvertibleErrorCode(),
            "arrays and objects nest more than %u levels deep", kMaxJsonDepth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return llvm::json::parse(text);
}
