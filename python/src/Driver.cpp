//===- Driver.cpp - The Python package's calls into the compiler ----------===//

#include "Driver.h"

#include "lowbit/Compile/ModelCompiler.h"
#include "lowbit/Import/Gguf.h"
#include "lowbit/Import/Gptq.h"
#include "lowbit/Import/ImportToMlir.h"
#include "lowbit/InitAll.h"
#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Tune/Search.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace lowbit;

namespace {

/// "file:line:col: error: message", as lowbit-compile prints diagnostics.
void printDiagnostic(llvm::raw_ostream &os, mlir::Diagnostic &diagnostic) {
  mlir::Location loc = diagnostic.getLocation();
  if (auto fileLoc = mlir::dyn_cast<mlir::FileLineColLoc>(loc))
    os << fileLoc.getFilename().getValue() << ":" << fileLoc.getLine() << ":"
       << fileLoc.getColumn();
  else
    os << loc;
  switch (diagnostic.getSeverity()) {
  case mlir::DiagnosticSeverity::Error:
    os << ": error: ";
    break;
  case mlir::DiagnosticSeverity::Warning:
    os << ": warning: ";
    break;
  case mlir::DiagnosticSeverity::Note:
    os << ": note: ";
    break;
  case mlir::DiagnosticSeverity::Remark:
    os << ": remark: ";
    break;
  }
  os << diagnostic;
}

/// A context with every dialect lowbit-compile parses, and the passes of
/// its pipelines registered (once per process).
class CompilerContext {
public:
  CompilerContext() : context(makeRegistry()) {
    handler.emplace(&context, [this](mlir::Diagnostic &diagnostic) {
      llvm::raw_string_ostream os(diagnostics);
      os << "\n";
      printDiagnostic(os, diagnostic);
      for (mlir::Diagnostic &note : diagnostic.getNotes()) {
        os << "\n";
        printDiagnostic(os, note);
      }
      return mlir::success();
    });
  }

  mlir::MLIRContext &get() { return context; }
  /// `message`, followed by the diagnostics emitted so far, one a line.
  std::string fail(const std::string &message) const {
    return message + diagnostics;
  }

private:
  static mlir::DialectRegistry makeRegistry() {
    static const bool passesRegistered = [] {
      registerAllPasses();
      return true;
    }();
    (void)passesRegistered;
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    return registry;
  }

  mlir::MLIRContext context;
  std::string diagnostics;
  std::optional<mlir::ScopedDiagnosticHandler> handler;
};

/// Compiles `module` for the CPU and writes the library folder `dir`.
std::string compileAndWrite(CompilerContext &context, mlir::ModuleOp module,
                            const python::CpuCompileOptions &cpu,
                            const std::string &dir) {
  std::optional<cpu::Isa> parsed = cpu::parseIsa(cpu.isa);
  if (!parsed)
    return "isa '" + cpu.isa + "' is not one of avx512, avx2, scalar";
  const std::string &strategy = cpu.strategy;
  if (!strategy.empty() && strategy != "auto" && !cpu::parseStrategy(strategy))
    return "strategy '" + strategy + "' is not one of " + cpu::strategyNames() +
           ", auto";
  compile::Options options;
  options.target = compile::Target::CPU;
  options.isa = *parsed;
  options.cpuStrategy = strategy;
  if (!cpu.objective.empty()) {
    std::string error;
    if (!tune::parseObjective(cpu.objective, error))
      return "objective '" + cpu.objective + "': " + error;
    if (cpu.tuneRows < 1)
      return "tune_m must be at least 1, got " + std::to_string(cpu.tuneRows);
    options.tileSearch =
        "objective=" + cpu.objective + " m=" + std::to_string(cpu.tuneRows);
  }
  mlir::FailureOr<compile::CompiledModel> model =
      compile::compileModule(module, options);
  if (failed(model))
    return context.fail("the module cannot be compiled for the CPU (" +
                        cpu.isa + "):");
  return compile::writeLibrary(*model, dir);
}

} // namespace

std::string python::readGgufFile(const std::string &path,
                                 import::ImportedModel &model) {
  llvm::Expected<import::ImportedModel> read = import::readGguf(path);
  if (!read)
    return llvm::toString(read.takeError());
  model = std::move(*read);
  return "";
}

std::string python::readGptqCheckpointAt(const std::string &path,
                                         const std::string &format,
                                         import::ImportedModel &model) {
  std::optional<import::QuantCheckpointFormat> parsed =
      import::parseQuantCheckpointFormat(format);
  if (!parsed)
    return "checkpoint format '" + format +
           "' is not one of auto, gptq, gptq_v2, awq";
  import::GptqOptions options;
  options.format = *parsed;
  llvm::Expected<import::ImportedModel> read =
      import::readGptqCheckpoint(path, options);
  if (!read)
    return llvm::toString(read.takeError());
  model = std::move(*read);
  return "";
}

std::string python::compileLinears(const import::ImportedModel &model,
                                   const std::string &activation,
                                   const CpuCompileOptions &options,
                                   const std::string &dir) {
  std::optional<import::ActivationType> act =
      import::parseActivationType(activation);
  if (!act)
    return "activation type '" + activation + "' is not one of f16, bf16, f32";
  CompilerContext context;
  import::ImportOptions importOptions;
  importOptions.activation = *act;
  mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>> module =
      import::buildImportModule(context.get(), model, importOptions);
  if (failed(module))
    return context.fail("the quantized linear layer cannot be turned into a "
                        "lowbit module:");
  return compileAndWrite(context, **module, options, dir);
}

std::string python::compileModelFile(const std::string &path,
                                     const CpuCompileOptions &options,
                                     const std::string &dir) {
  CompilerContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(path, &context.get());
  if (!module)
    return context.fail("cannot parse the MLIR module " + path + ":");
  return compileAndWrite(context, *module, options, dir);
}

std::string python::missingCpuFeatures(const std::string &isa,
                                       const std::string &strategy,
                                       std::string &error) {
  std::optional<cpu::Isa> parsedIsa = cpu::parseIsa(isa);
  std::optional<cpu::Strategy> parsedStrategy = cpu::parseStrategy(strategy);
  if (!parsedIsa || !parsedStrategy) {
    error = "unknown isa '" + isa + "' or strategy '" + strategy + "'";
    return "";
  }
  cpu::KernelSpec spec;
  spec.isa = *parsedIsa;
  spec.strategy = *parsedStrategy;
  std::string missing = cpu::missingCpuFeatures(spec);
  if (missing.empty())
    return "";
  return "this CPU lacks " + missing + ", which " + isa + " " + strategy +
         " kernels need; compile with isa='" +
         cpu::isaName(cpu::widestRunnableIsa(spec)) + "' (the widest it runs)";
}

std::string python::isaFlags(const std::string &isa, std::string &error) {
  std::optional<cpu::Isa> parsed = cpu::parseIsa(isa);
  if (!parsed) {
    error = "isa '" + isa + "' is not one of avx512, avx2, scalar";
    return "";
  }
  return cpu::isaCompileFlags(*parsed);
}
