//===- FuzzContext.h - Parsing fuzz inputs as lowbit IR ---------*- C++ -*-===//
//
// Shared by the IR and pipeline fuzz targets: an MLIR context with the
// dialects lowbit-opt registers, diagnostics discarded, and the input parsed
// and verified as a module.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_FUZZ_FUZZCONTEXT_H
#define LOWBIT_FUZZ_FUZZCONTEXT_H

#include "lowbit/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace lowbit::fuzz {

/// A fresh context per input (no uniqued state carried between inputs), with
/// lowbit-opt's dialects, single-threaded, and every diagnostic discarded.
class FuzzContext {
public:
  FuzzContext()
      : context(registry(), mlir::MLIRContext::Threading::DISABLED) {
    context.getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
  }

  /// The input parsed and verified as a module; null when invalid.
  mlir::OwningOpRef<mlir::ModuleOp> parse(llvm::StringRef text) {
    // MLIR's lexer reads the byte past the end of its buffer, which the
    // tools' file buffers null-terminate; libFuzzer's input is not.
    std::string terminated = text.str();
    return mlir::parseSourceString<mlir::ModuleOp>(
        terminated, mlir::ParserConfig(&context));
  }

  mlir::MLIRContext &get() { return context; }

private:
  static const mlir::DialectRegistry &registry() {
    static const mlir::DialectRegistry *all = [] {
      auto *registry = new mlir::DialectRegistry();
      lowbit::registerAllDialects(*registry);
      return registry;
    }();
    return *all;
  }

  mlir::MLIRContext context;
};

} // namespace lowbit::fuzz

#endif // LOWBIT_FUZZ_FUZZCONTEXT_H
