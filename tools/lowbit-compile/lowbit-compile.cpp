//===- lowbit-compile.cpp - A model to a kernel library -------------------===//
//
// lowbit-compile MODEL.mlir --target=cpu|cuda|hip -o OUT/ [--build] [--run]
//
// Runs the target's pipeline over the model, emits one kernel per distinct
// lowbit.matmul, and writes OUT/ (docs/lowbit-compile.md). --build builds the
// library with CMake; --run (CPU) calls every layer's kernel with its own
// weights on random activations, checks it against a float64 reference and
// times it.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "lowbit/Compile/ModelCompiler.h"
#include "lowbit/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace lowbit;
namespace cl = llvm::cl;

static cl::OptionCategory category("lowbit-compile options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputDir("o", cl::desc("output folder"),
                                      cl::value_desc("dir"), cl::Required,
                                      cl::cat(category));
static cl::opt<std::string> targetName("target", cl::desc("cpu, cuda or hip"),
                                       cl::init("cpu"), cl::cat(category));
static cl::opt<std::string> isaName("isa",
                                    cl::desc("CPU ISA: avx512, avx2, scalar"),
                                    cl::init("avx2"), cl::cat(category));
static cl::opt<std::string>
    archName("arch",
             cl::desc("GPU arch (default sm_90a for cuda, gfx90a "
                      "for hip)"),
             cl::init(""), cl::cat(category));
static cl::opt<bool> build("build", cl::desc("build the library with CMake"),
                           cl::cat(category));
static cl::opt<bool> run("run",
                         cl::desc("CPU: run, check and time every layer "
                                  "(implies --build)"),
                         cl::cat(category));
static cl::opt<int64_t> rows("m",
                             cl::desc("--run: activation rows where the "
                                      "model leaves M dynamic"),
                             cl::init(1), cl::cat(category));
static cl::opt<int> threadCount("run-threads",
                                cl::desc("--run: OpenMP threads (0: default)"),
                                cl::init(0), cl::cat(category));
static cl::opt<int> repeats("repeats", cl::desc("--run: timed calls per layer"),
                            cl::init(20), cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::desc("--run: random seed (0: fresh)"),
                              cl::init(0), cl::cat(category));
static cl::opt<bool> json("json", cl::desc("--run: one JSON line per layer"),
                          cl::cat(category));

[[noreturn]] static void fail(const llvm::Twine &message, int code) {
  llvm::errs() << "lowbit-compile: error: " << message << "\n";
  std::exit(code);
}

/// Configures and builds OUT/ in OUT/build; the log goes to OUT/build.log.
static void buildLibrary(llvm::StringRef dir) {
  llvm::ErrorOr<std::string> cmake = llvm::sys::findProgramByName("cmake");
  if (!cmake)
    fail("--build needs cmake on PATH", 1);
  llvm::SmallString<256> buildDir(dir), log(dir);
  llvm::sys::path::append(buildDir, "build");
  llvm::sys::path::append(log, "build.log");
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(),
                                                log.str()};
  llvm::SmallVector<llvm::StringRef> configure = {
      *cmake, "-S", dir, "-B", buildDir, "-DCMAKE_BUILD_TYPE=Release"};
  if (llvm::sys::findProgramByName("ninja"))
    configure.append({"-G", "Ninja"});
  // An existing build folder keeps its generator.
  llvm::SmallString<256> cache(buildDir);
  llvm::sys::path::append(cache, "CMakeCache.txt");
  if (llvm::sys::fs::exists(cache))
    configure.resize(6);
  if (llvm::sys::ExecuteAndWait(*cmake, configure, std::nullopt, redirects))
    fail("configuring the library failed; see " + log, 1);
  llvm::SmallVector<llvm::StringRef> buildArgs = {*cmake, "--build", buildDir};
  // Appends to the configure log.
  std::string appendLog = (log + ".build").str();
  std::optional<llvm::StringRef> buildRedirects[] = {
      std::nullopt, llvm::StringRef(appendLog), llvm::StringRef(appendLog)};
  if (llvm::sys::ExecuteAndWait(*cmake, buildArgs, std::nullopt,
                                buildRedirects))
    fail("building the library failed; see " + appendLog, 1);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lowbit-compile: a model's quantized linear layers to a kernel "
      "library\n");

  compile::Options options;
  std::optional<compile::Target> target = compile::parseTarget(targetName);
  if (!target)
    fail("--target=" + targetName + " is not one of cpu, cuda, hip", 2);
  options.target = *target;
  std::optional<cpu::Isa> isa = cpu::parseIsa(isaName.getValue());
  if (!isa)
    fail("--isa=" + isaName + " is not one of avx512, avx2, scalar", 2);
  options.isa = *isa;
  if (options.target == compile::Target::CPU && !archName.empty())
    fail("--arch is for GPU targets; the CPU target takes --isa", 2);
  options.gpuArch = archName;
  if (options.gpuArch.empty())
    options.gpuArch =
        options.target == compile::Target::HIP ? "gfx90a" : "sm_90a";
  if (options.target == compile::Target::CUDA &&
      !llvm::StringRef(options.gpuArch).starts_with("sm_"))
    fail("--arch=" + options.gpuArch + " is not a CUDA arch (sm_80, sm_90a)",
         2);
  if (options.target == compile::Target::HIP &&
      !llvm::StringRef(options.gpuArch).starts_with("gfx"))
    fail("--arch=" + options.gpuArch + " is not an AMD GPU arch (gfx90a)", 2);
  if (run && options.target != compile::Target::CPU)
    fail("--run executes CPU libraries only; GPU libraries are built with "
         "--build and run by their caller",
         2);
  if (rows < 1)
    fail("--m must be at least 1", 2);

  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  registerAllPasses();
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  std::string error;
  auto file = mlir::openInputFile(inputFile, &error);
  if (!file)
    fail(error, 1);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  mlir::FailureOr<compile::CompiledModel> model =
      compile::compileModule(*module, options);
  if (failed(model))
    return 1;
  error = compile::writeLibrary(*model, outputDir);
  if (!error.empty())
    fail(error, 1);
  llvm::errs() << "lowbit-compile: " << model->layers.size() << " layers, "
               << model->kernels.size() << " kernels -> " << outputDir << "\n";
  if (!build && !run)
    return 0;
  buildLibrary(outputDir);
  if (!run)
    return 0;
  compile::RunOptions runOptions;
  llvm::SmallString<256> library(outputDir);
  llvm::sys::path::append(library, "build", "liblowbit_model.so");
  runOptions.library = std::string(library);
  runOptions.rows = rows;
  runOptions.threads = threadCount;
  runOptions.seed = seed;
  runOptions.repeats = repeats;
  runOptions.json = json;
  int failures = compile::runLibrary(*model, runOptions);
  if (failures < 0)
    return 1;
  if (failures > 0) {
    llvm::errs() << "lowbit-compile: " << failures
                 << " layers do not match the reference\n";
    return 1;
  }
  return 0;
}
