//===- lowbit-compile.cpp - A model to a kernel library -------------------===//
//
// lowbit-compile MODEL.mlir --target=cpu|cuda|hip -o OUT/ [--strategy=S]
//     [--tune=model|measure] [--build] [--run [--emulate-gpu]]
//
// Runs the target's pipeline over the model, emits one kernel per distinct
// lowbit.matmul, and writes OUT/ (docs/lowbit-compile.md). --tune gives each
// kernel the schedule the cost model picks (model) or, on the CPU, the
// fastest of the model's best candidates timed with lowbit-bench (measure,
// through lowbit-tune --measure and a tuning database). --build builds the
// library with CMake; --run (CPU) calls every layer's kernel with its own
// weights on random activations, checks it against a float64 reference and
// times it; --run --emulate-gpu does the same, untimed, for CUDA and HIP
// libraries built for lowbit's CPU emulation of the GPU runtime.
//
//===----------------------------------------------------------------------===//

#include "GpuEmulator.h"
#include "Runner.h"

#include "lowbit/Compile/ModelCompiler.h"
#include "lowbit/InitAll.h"
#include "lowbit/Tune/Search.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
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
static cl::opt<std::string> strategyFlag(
    "strategy",
    cl::desc("CPU kernels: dequant (exact f32 activations), int8-dot or lut "
             "(activations quantized to int8 at run time), auto (the "
             "heuristic's choice per layer); default: each matmul's own "
             "strategy, else dequant"),
    cl::init(""), cl::cat(category));
static cl::opt<std::string>
    archName("arch",
             cl::desc("GPU arch (default sm_90a for cuda, gfx90a "
                      "for hip)"),
             cl::init(""), cl::cat(category));
static cl::opt<bool> build("build", cl::desc("build the library with CMake"),
                           cl::cat(category));
static cl::opt<bool> run("run",
                         cl::desc("run, check and time every layer (CPU, "
                                  "implies --build; GPU libraries with "
                                  "--emulate-gpu)"),
                         cl::cat(category));
static cl::opt<bool> emulateGpu(
    "emulate-gpu",
    cl::desc("--run with --target=cuda|hip: build the library for lowbit's "
             "CPU emulation of the GPU runtime (one thread per GPU thread) "
             "and check every layer there; no timing, no GPU needed"),
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
static cl::opt<std::string>
    tuneMode("tune",
         cl::desc("schedules: none (the emitters' defaults), model (the cost "
                  "model's pick), measure (CPU: time the model's best "
                  "candidates, keep the fastest)"),
         cl::init("none"), cl::cat(category));
static cl::opt<std::string>
    objective("objective",
              cl::desc("--tune: latency, energy, edp, energy-within=<percent>"),
              cl::init("latency"), cl::cat(category));
static cl::opt<std::string>
    hardware("hardware",
             cl::desc("--tune: built-in description or .mlir file (default: "
                      "zen1-2core for the CPU, h100 for cuda, mi300x for hip)"),
             cl::cat(category));
static cl::opt<std::string>
    tuningDb("tuning-db",
             cl::desc("--tune: tuning database to reuse (model) or update "
                      "(measure; default OUT/tuning.json)"),
             cl::cat(category));
static cl::opt<int>
    measureTop("measure-top",
               cl::desc("--tune=measure: candidates timed per shape"),
               cl::init(4), cl::cat(category));

[[noreturn]] static void fail(const llvm::Twine &message, int code) {
  llvm::errs() << "lowbit-compile: error: " << message << "\n";
  std::exit(code);
}

/// --tune=measure: lowbit-tune (beside this tool) times the model's best
/// candidates of every shape with lowbit-bench and records the fastest in
/// `db`, which --lowbit-tile-search then reads.
static void measureSchedules(const char *argv0, llvm::StringRef target,
                             llvm::StringRef db) {
  std::string self =
      llvm::sys::fs::getMainExecutable(argv0, (void *)&measureSchedules);
  llvm::SmallString<256> tool(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(tool, "lowbit-tune");
  std::vector<std::string> args = {
      std::string(tool),           std::string(inputFile),
      "--target=" + target.str(),  "--objective=" + objective,
      "--measure=" + std::to_string(measureTop), "--db=" + db.str(),
      "-m=" + std::to_string(rows), "--quiet"};
  if (!hardware.empty())
    args.push_back("--hardware=" + hardware);
  llvm::SmallVector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(tool, argRefs, std::nullopt, {}, 0, 0,
                                     &error);
  if (rc != 0)
    fail("--tune=measure: lowbit-tune failed" +
             (error.empty() ? llvm::Twine(" (exit ") + llvm::Twine(rc) + ")"
                            : llvm::Twine(": ") + error),
         1);
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

/// --emulate-gpu: the library's CUDA or HIP source, its launches rewritten
/// for lowbit's CPU emulation of the GPU runtime (GpuEmulator.h), built by
/// the host compiler into DIR/emulation/liblowbit_model.so. Returns its path.
static std::string buildEmulatedLibrary(llvm::StringRef dir, bool cuda) {
  llvm::SmallString<256> emu(dir), include, source(dir), kernel, library, log;
  llvm::sys::path::append(emu, "emulation");
  include = emu;
  llvm::sys::path::append(include, "include");
  if (std::string error = emulation::writeHeaders(include); !error.empty())
    fail(error, 1);
  llvm::sys::path::append(source, cuda ? "kernels.cu" : "kernels.hip");
  auto buffer = llvm::MemoryBuffer::getFile(source);
  if (!buffer)
    fail("cannot read " + source + ": " + buffer.getError().message(), 1);
  std::optional<std::string> rewritten =
      emulation::rewriteLaunches((*buffer)->getBuffer().str());
  if (!rewritten)
    fail("cannot rewrite the kernel launches of " + source +
             " for the emulation",
         1);
  kernel = emu;
  llvm::sys::path::append(kernel, "kernels-emu.cpp");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(kernel, ec);
    if (ec)
      fail("cannot write " + kernel + ": " + ec.message(), 1);
    os << *rewritten;
  }
  std::string error;
  std::vector<std::string> command =
      emulation::compilerCommand(cuda, /*cxx=*/"", error);
  if (command.empty())
    fail("--emulate-gpu: " + error, 1);
  library = emu;
  llvm::sys::path::append(library, "liblowbit_model.so");
  log = emu;
  llvm::sys::path::append(log, "build.log");
  std::string includeFlag = ("-I" + include).str(),
              dirFlag = ("-I" + dir).str();
  llvm::SmallVector<llvm::StringRef> args(command.begin(), command.end());
  args.append(emulation::kFlags.begin(), emulation::kFlags.end());
  args.append(
      {"-shared", "-fPIC", includeFlag, dirFlag, "-o", library, kernel});
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(),
                                                log.str()};
  if (llvm::sys::ExecuteAndWait(command[0], args, std::nullopt, redirects))
    fail("building the library for the GPU emulation failed; see " + log, 1);
  return std::string(library);
}

/// The exit status of a --run: 1 when the library did not load or a layer
/// does not match its reference.
static int reportRun(int failures) {
  if (failures < 0)
    return 1;
  if (failures > 0) {
    llvm::errs() << "lowbit-compile: " << failures
                 << " layers do not match the reference\n";
    return 1;
  }
  return 0;
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
    fail("--isa=" + isaName + " is not one of " + cpu::isaNames(), 2);
  options.isa = *isa;
  if (strategyFlag.getNumOccurrences()) {
    if (options.target != compile::Target::CPU)
      fail("--strategy chooses CPU kernels; GPU kernel libraries take "
           "dequant kernels",
           2);
    if (strategyFlag != "auto" && !cpu::parseStrategy(strategyFlag.getValue()))
      fail("--strategy=" + strategyFlag + " is not one of " +
               cpu::strategyNames() + ", auto",
           2);
    options.cpuStrategy = strategyFlag;
  }
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
  if (run && options.target != compile::Target::CPU && !emulateGpu)
    fail("--run executes CPU libraries, and GPU libraries only in the CPU "
         "emulation of the GPU runtime (--emulate-gpu); on a GPU they are "
         "built with --build and run by their caller",
         2);
  if (emulateGpu && (!run || options.target == compile::Target::CPU))
    fail("--emulate-gpu goes with --run and --target=cuda or hip", 2);
  if (emulateGpu && repeats.getNumOccurrences() && repeats > 0)
    fail("--emulate-gpu checks the kernels; timings of the emulation mean "
         "nothing: pass --repeats=0 or leave it out",
         2);
  if (rows < 1)
    fail("--m must be at least 1", 2);
  if (tuneMode != "none" && tuneMode != "model" && tuneMode != "measure")
    fail("--tune=" + tuneMode + " is not one of none, model, measure", 2);
  if (tuneMode == "none" && (objective.getNumOccurrences() ||
                         hardware.getNumOccurrences() ||
                         tuningDb.getNumOccurrences()))
    fail("--objective, --hardware and --tuning-db need --tune=model or "
         "--tune=measure",
         2);
  if (tuneMode == "measure" && options.target != compile::Target::CPU)
    fail(llvm::Twine("--tune=measure times kernels on this machine's CPU; for ") +
             compile::targetName(options.target) + " use --tune=model",
         2);
  // The cost model and the measurement schedule dequant kernels only: timing
  // their candidates for kernels of another strategy would be wasted.
  if (tuneMode == "measure" && strategyFlag.getNumOccurrences() &&
      strategyFlag != "dequant" && strategyFlag != "auto")
    fail("--tune=measure times dequant kernels (the ones tuning schedules); "
         "--strategy=" +
             strategyFlag + " kernels keep their emitter's schedule",
         2);
  if (measureTop < 1)
    fail("--measure-top must be at least 1", 2);
  {
    std::string objectiveError;
    if (!tune::parseObjective(objective, objectiveError))
      fail("--objective=" + objective + ": " + objectiveError, 2);
  }
  if (tuneMode != "none") {
    std::string db = tuningDb;
    if (tuneMode == "measure") {
      if (db.empty()) {
        llvm::SmallString<256> path(outputDir);
        llvm::sys::path::append(path, "tuning.json");
        db = std::string(path);
      }
      if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
        fail("cannot create " + outputDir + ": " + ec.message(), 1);
      std::string target =
          std::string("cpu-") + cpu::isaName(options.isa);
      measureSchedules(argv[0], target, db);
    }
    std::string search = "objective=" + objective + " m=" +
                         std::to_string(rows);
    if (!hardware.empty())
      search += " hardware=" + hardware;
    if (!db.empty())
      search += " db=" + db;
    options.tileSearch = search;
  }

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
  if (emulateGpu) {
    if (build)
      buildLibrary(outputDir); // with nvcc or hipcc, besides the emulation
    compile::RunOptions runOptions;
    runOptions.library = buildEmulatedLibrary(
        outputDir, options.target == compile::Target::CUDA);
    runOptions.rows = rows;
    runOptions.seed = seed;
    runOptions.repeats = 0;
    runOptions.json = json;
    return reportRun(compile::runLibrary(*model, runOptions));
  }
  // A kernel this CPU cannot run would die of an illegal instruction.
  if (run)
    for (const compile::Kernel &kernel : model->kernels) {
      std::string missing = cpu::missingCpuFeatures(kernel.cpu);
      if (!missing.empty())
        fail("--run: this CPU lacks " + missing + ", which kernel " +
                 kernel.name + " (" + cpu::isaName(kernel.cpu.isa) + ", " +
                 cpu::strategyName(kernel.cpu.strategy) +
                 ") needs: compile with --isa=" +
                 cpu::isaName(cpu::widestRunnableIsa(kernel.cpu)) +
                 " (the widest it runs), or use --build without --run",
             2);
    }
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
  return reportRun(compile::runLibrary(*model, runOptions));
}
