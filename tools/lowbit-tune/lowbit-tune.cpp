//===- lowbit-tune.cpp - Schedule search for one shape or a whole model ---===//
//
// Runs the cost-model search (lib/Tune) for single shapes (--shape), a list
// of shapes (--shapes=FILE) or every lowbit.matmul of a model, prints the
// chosen schedule and its predicted cost, writes a tuning database, a
// latency/energy Pareto plot of the candidates, and on CPUs can measure the
// top candidates with lowbit-bench and refit the model. docs/tuning.md.
//
//===----------------------------------------------------------------------===//

#include "Probe.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"
#include "lowbit/InitAll.h"
#include "lowbit/Tune/Search.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <set>

using namespace lowbit;
using namespace lowbit::tune;
namespace cl = llvm::cl;

static cl::OptionCategory category("lowbit-tune options");
static cl::opt<std::string> modelFile(cl::Positional,
                                      cl::desc("[model.mlir]"), cl::init(""),
                                      cl::cat(category));
static cl::opt<std::string>
    targetName_("target",
                cl::desc("cpu-avx512, cpu-avx2, cpu-scalar, cuda, hip"),
                cl::init("cpu-avx2"), cl::cat(category));
static cl::opt<std::string> hardwareName(
    "hardware",
    cl::desc("built-in description or .mlir file (default: zen1-2core for "
             "CPUs, h100 for cuda, mi300x for hip)"),
    cl::init(""), cl::cat(category));
static cl::opt<std::string>
    objectiveText("objective",
                  cl::desc("latency, energy, edp, energy-within=<percent>"),
                  cl::init("latency"), cl::cat(category));
static cl::list<std::string>
    shapes("shape", cl::desc("MxNxK to tune (repeatable)"), cl::cat(category));
static cl::opt<std::string>
    shapesFile("shapes",
               cl::desc("file of shapes, one 'name N K' per line (M from "
                        "--m)"),
               cl::init(""), cl::cat(category));
static cl::opt<int64_t> optM("m", cl::desc("M for --shapes and dynamic models"),
                             cl::init(1), cl::cat(category));
static cl::opt<std::string> weightName("weight", cl::desc("weight format"),
                                       cl::init("int4"), cl::cat(category));
static cl::opt<int64_t> optGroup("group", cl::desc("group size along K"),
                                 cl::init(128), cl::cat(category));
static cl::opt<std::string> zeroName("zero",
                                     cl::desc("none, int, float, asym-fp"),
                                     cl::init("none"), cl::cat(category));
static cl::opt<std::string> scaleName("scale", cl::desc("scale type"),
                                      cl::init("f16"), cl::cat(category));
static cl::opt<std::string> actName("act", cl::desc("f32, f16, bf16"),
                                    cl::init("f32"), cl::cat(category));
static cl::opt<bool> list("list", cl::desc("print every candidate"),
                          cl::init(false), cl::cat(category));
static cl::opt<bool> json("json",
                          cl::desc("print the results as one JSON object"),
                          cl::init(false), cl::cat(category));
static cl::opt<std::string> dbFile("db",
                                   cl::desc("tuning database to update"),
                                   cl::init(""), cl::cat(category));
static cl::opt<std::string> svgFile(
    "svg", cl::desc("write a latency/energy Pareto plot of the candidates"),
    cl::init(""), cl::cat(category));
static cl::opt<int> measure(
    "measure",
    cl::desc("CPU: time the N best predicted candidates with lowbit-bench, "
             "refit the model, keep the fastest measured"),
    cl::init(0), cl::cat(category));
static cl::opt<std::string> fitFile(
    "fit",
    cl::desc("CPU: refit the model on measured times (a JSON array of "
             "{\"schedule\", \"measured_us\"} of the one shape) before "
             "searching"),
    cl::init(""), cl::cat(category));
static cl::opt<bool> probe("probe",
                           cl::desc("measure this CPU and write its "
                                    "description (-o FILE)"),
                           cl::init(false), cl::cat(category));
static cl::opt<std::string> output("o", cl::desc("output file of --probe"),
                                   cl::init("-"), cl::cat(category));
static cl::opt<std::string> probeName("name",
                                      cl::desc("device id of --probe"),
                                      cl::init("local-cpu"),
                                      cl::cat(category));
static cl::opt<std::string> cxx("cxx", cl::desc("C++ compiler for --probe"),
                                cl::init("c++"), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("no progress bar"),
                           cl::init(false), cl::cat(category));

[[noreturn]] static void fail(const llvm::Twine &message) {
  llvm::errs() << "lowbit-tune: error: " << message << "\n";
  std::exit(2);
}

namespace {
struct Job {
  std::string name;
  Problem problem;
};

Problem problemFromFlags(int64_t m, int64_t n, int64_t k) {
  Problem p;
  p.m = m;
  p.n = n;
  p.k = k;
  std::string formatError;
  std::optional<numerics::Format> format =
      numerics::Format::parse(weightName, &formatError);
  if (!format)
    fail("--weight=" + weightName + ": " + formatError);
  p.weight = *format;
  std::optional<numerics::ZeroPointMode> zero =
      numerics::parseZeroPointMode(zeroName);
  if (!zero)
    fail("--zero=" + zeroName + " is not one of none, int, float, asym-fp");
  std::optional<numerics::ScaleType> scale =
      numerics::parseScaleType(scaleName);
  if (!scale)
    fail("--scale=" + scaleName + " is not a scale type");
  std::optional<cpu::ScalarType> act = cpu::parseScalarType(actName);
  if (!act)
    fail("--act=" + actName + " is not one of f32, f16, bf16");
  p.scheme.zeroPoint = *zero;
  p.scheme.scaleType = *scale;
  p.scheme.groupShape = {1, std::min<int64_t>(optGroup, k)};
  p.activation = *act;
  std::string invalid = numerics::verifyScheme({n, k}, p.weight, p.scheme);
  if (!invalid.empty())
    fail(invalid);
  return p;
}

std::vector<Job> jobsFromFlags() {
  std::vector<Job> jobs;
  for (const std::string &text : shapes) {
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(text).split(parts, 'x');
    int64_t dims[3];
    if (parts.size() != 3 || parts[0].getAsInteger(10, dims[0]) ||
        parts[1].getAsInteger(10, dims[1]) ||
        parts[2].getAsInteger(10, dims[2]) || dims[0] < 1 || dims[1] < 1 ||
        dims[2] < 1)
      fail("--shape=" + text + " is not MxNxK with positive integers");
    jobs.push_back({text, problemFromFlags(dims[0], dims[1], dims[2])});
  }
  if (!shapesFile.empty()) {
    auto buffer = llvm::MemoryBuffer::getFile(shapesFile);
    if (!buffer)
      fail("cannot read " + shapesFile + ": " + buffer.getError().message());
    llvm::SmallVector<llvm::StringRef> lines;
    (*buffer)->getBuffer().split(lines, '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
      llvm::StringRef line = lines[i].split('#').first.trim();
      if (line.empty())
        continue;
      llvm::SmallVector<llvm::StringRef> words;
      line.split(words, ' ', -1, false);
      int64_t n = 0, k = 0;
      if (words.size() != 3 || words[1].getAsInteger(10, n) ||
          words[2].getAsInteger(10, k) || n < 1 || k < 1)
        fail(shapesFile + ":" + std::to_string(i + 1) +
             ": expected 'name N K' with positive N and K");
      jobs.push_back({words[0].str(), problemFromFlags(optM, n, k)});
    }
  }
  return jobs;
}

/// Every lowbit.matmul of the model, after dequantization fusion.
std::vector<Job> jobsFromModel(llvm::StringRef path) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer)
    fail("cannot read " + path + ": " + buffer.getError().message());
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    std::exit(2);
  mlir::PassManager pm(&context);
  pm.addPass(createLowbitFuseDequantPass());
  if (mlir::failed(pm.run(*module)))
    std::exit(2);
  std::vector<Job> jobs;
  bool failedOp = false;
  module->walk([&](MatmulOp op) {
    mlir::FailureOr<Problem> problem = getTuneProblem(op, optM);
    if (mlir::failed(problem)) {
      failedOp = true;
      return;
    }
    std::string name;
    if (auto func = op->getParentOfType<mlir::FunctionOpInterface>())
      name = func.getName().str();
    jobs.push_back({name, *problem});
  });
  if (failedOp)
    std::exit(2);
  if (jobs.empty())
    fail(path + " holds no matmul of quantized weights to tune");
  return jobs;
}

void progressBar(size_t done, size_t total) {
  if (quiet || json)
    return;
  int width = 30, filled = int(width * done / std::max<size_t>(total, 1));
  llvm::errs() << "\r  [" << std::string(filled, '#')
               << std::string(width - filled, '.') << "] " << done << "/"
               << total;
  if (done == total)
    llvm::errs() << "\n";
}

/// Indices of the candidates no other beats in both time and energy.
std::vector<size_t> paretoFront(const std::vector<Candidate> &candidates) {
  std::vector<size_t> front;
  for (size_t i = 0; i < candidates.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < candidates.size() && !dominated; ++j)
      dominated = j != i &&
                  candidates[j].cost.seconds <= candidates[i].cost.seconds &&
                  candidates[j].cost.joules <= candidates[i].cost.joules &&
                  (candidates[j].cost.seconds < candidates[i].cost.seconds ||
                   candidates[j].cost.joules < candidates[i].cost.joules);
    if (!dominated)
      front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](size_t a, size_t b) {
    return candidates[a].cost.seconds < candidates[b].cost.seconds;
  });
  return front;
}

/// One panel per job: predicted time (x) against energy (y), every
/// candidate a dot, the Pareto front a line, the chosen one a ring.
void writeSvg(const std::string &path, const std::vector<Job> &jobs,
              const std::vector<SearchResult> &results, const Target &target) {
  const int panelW = 420, panelH = 320, margin = 56;
  int cols = std::min<int>(2, int(jobs.size()));
  int rows = int((jobs.size() + cols - 1) / cols);
  std::string svg;
  llvm::raw_string_ostream os(svg);
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << cols * panelW
     << "\" height=\"" << rows * panelH
     << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (size_t j = 0; j < jobs.size(); ++j) {
    const std::vector<Candidate> &cands = results[j].candidates;
    double x0 = (j % cols) * panelW, y0 = (j / cols) * panelH;
    double tMin = INFINITY, tMax = 0, eMin = INFINITY, eMax = 0;
    for (const Candidate &c : cands) {
      tMin = std::min(tMin, c.cost.seconds * 1e6);
      tMax = std::max(tMax, c.cost.seconds * 1e6);
      eMin = std::min(eMin, c.cost.joules * 1e6);
      eMax = std::max(eMax, c.cost.joules * 1e6);
    }
    if (tMax <= tMin)
      tMax = tMin * 1.01 + 1e-9;
    if (eMax <= eMin)
      eMax = eMin * 1.01 + 1e-9;
    double w = panelW - 1.5 * margin, h = panelH - 2 * margin;
    auto px = [&](const Candidate &c) {
      return x0 + margin + (c.cost.seconds * 1e6 - tMin) / (tMax - tMin) * w;
    };
    auto py = [&](const Candidate &c) {
      return y0 + margin + h - (c.cost.joules * 1e6 - eMin) / (eMax - eMin) * h;
    };
    os << "<text x=\"" << x0 + margin << "\" y=\"" << y0 + 20 << "\">"
       << jobs[j].name << " (" << problemKey(jobs[j].problem) << ") on "
       << targetName(target) << "</text>\n"
       << "<rect x=\"" << x0 + margin << "\" y=\"" << y0 + margin
       << "\" width=\"" << w << "\" height=\"" << h
       << "\" fill=\"none\" stroke=\"#888\"/>\n"
       << llvm::formatv("<text x=\"{0}\" y=\"{1}\">{2:f1} us</text>\n",
                        x0 + margin, y0 + margin + h + 16, tMin)
       << llvm::formatv(
              "<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">{2:f1} us "
              "(predicted time)</text>\n",
              x0 + margin + w, y0 + margin + h + 16, tMax)
       << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">{2:f1}"
                        " uJ</text>\n",
                        x0 + margin - 4, y0 + margin + h, eMin)
       << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">{2:f1}"
                        " uJ</text>\n",
                        x0 + margin - 4, y0 + margin + 8, eMax);
    for (const Candidate &c : cands)
      os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"2.5\" "
                          "fill=\"#4477aa\" opacity=\"0.6\"/>\n",
                          px(c), py(c));
    std::vector<size_t> front = paretoFront(cands);
    os << "<polyline fill=\"none\" stroke=\"#cc3311\" points=\"";
    for (size_t i : front)
      os << llvm::formatv("{0:f1},{1:f1} ", px(cands[i]), py(cands[i]));
    os << "\"/>\n";
    const Candidate &chosen = cands[results[j].chosen];
    os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"6\" "
                        "fill=\"none\" stroke=\"black\" stroke-width=\"2\"/>"
                        "\n",
                        px(chosen), py(chosen));
  }
  os << "</svg>\n";
  std::error_code ec;
  llvm::raw_fd_ostream file(path, ec);
  if (ec)
    fail("cannot write " + path + ": " + ec.message());
  file << svg;
}

/// Times `candidate` with lowbit-bench beside this tool; seconds per call.
std::optional<double> measureCpu(const char *argv0, const Target &target,
                                 const Problem &p, const Candidate &c) {
  std::string bench =
      llvm::sys::fs::getMainExecutable(argv0, (void *)&measureCpu);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(bench));
  llvm::sys::path::append(path, "lowbit-bench");
  llvm::SmallString<128> log;
  llvm::sys::fs::createTemporaryFile("lowbit-tune-measure", "json", log);
  std::string logPath(log);
  std::vector<std::string> args = {
      std::string(path),
      "--target=cpu",
      std::string("--isa=") + cpu::isaName(target.isa),
      "--m=" + std::to_string(p.m),
      "--n=" + std::to_string(p.n),
      "--k=" + std::to_string(p.k),
      "--weight=" + p.weight.name(),
      "--group=" + std::to_string(p.scheme.groupShape[1]),
      std::string("--zero=") + numerics::zeroPointModeName(p.scheme.zeroPoint),
      std::string("--scale=") + numerics::scaleTypeName(p.scheme.scaleType),
      std::string("--act=") + cpu::scalarTypeName(p.activation),
      "--cpu-schedule=" + cpu::formatSchedule(c.cpu),
      "--threads=" + std::to_string(std::max(1, c.cpu.threads)),
      "--repeats=10",
      "--json"};
  llvm::SmallVector<llvm::StringRef> refs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt,
                                                llvm::StringRef(logPath),
                                                llvm::StringRef("")};
  int rc = llvm::sys::ExecuteAndWait(refs[0], refs, std::nullopt, redirects);
  auto buffer = llvm::MemoryBuffer::getFile(logPath);
  llvm::sys::fs::remove(logPath);
  if (rc != 0 || !buffer)
    return std::nullopt;
  llvm::Expected<llvm::json::Value> value =
      llvm::json::parse((*buffer)->getBuffer());
  if (!value) {
    llvm::consumeError(value.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *object = value->getAsObject();
  std::optional<double> us = object ? object->getNumber("time_us") : std::nullopt;
  if (!us)
    return std::nullopt;
  return *us * 1e-6;
}

/// The calibration minimizing the squared log error of the predictions of
/// `measured` (candidate, seconds) pairs: a grid over the compute and
/// memory scales and the overlap.
Calibration refit(const Problem &p, const Target &target, const Hardware &hw,
                  const std::vector<std::pair<Candidate, double>> &measured) {
  Calibration best;
  double bestError = INFINITY;
  for (double compute = 0.4; compute <= 2.5; compute *= 1.05)
    for (double memory = 0.4; memory <= 2.5; memory *= 1.05)
      for (double overlap : {0.0, 0.1, 0.2, 0.3, 0.5}) {
        Calibration c{compute, memory, overlap, 0};
        double error = 0;
        for (const auto &[candidate, seconds] : measured) {
          double predicted =
              predictCpu(p, target.isa, candidate.cpu, hw, c).seconds;
          double d = std::log(predicted / seconds);
          error += d * d;
        }
        if (error < bestError) {
          bestError = error;
          best = c;
        }
      }
  return best;
}
/// --fit: the calibration refit on the measurements in fitFile.
Calibration fitFromFile(const Problem &p, const Target &target,
                        const Hardware &hw) {
  if (target.gpu)
    fail("--fit refits the CPU model");
  auto buffer = llvm::MemoryBuffer::getFile(fitFile);
  if (!buffer)
    fail("cannot read " + fitFile + ": " + buffer.getError().message());
  llvm::Expected<llvm::json::Value> value =
      llvm::json::parse((*buffer)->getBuffer());
  if (!value)
    fail(fitFile + ": " + llvm::toString(value.takeError()));
  const llvm::json::Array *items = value->getAsArray();
  if (!items)
    fail(fitFile + ": expected a JSON array");
  std::vector<std::pair<Candidate, double>> measured;
  for (const llvm::json::Value &item : *items) {
    const llvm::json::Object *object = item.getAsObject();
    std::optional<llvm::StringRef> schedule =
        object ? object->getString("schedule") : std::nullopt;
    std::optional<double> us =
        object ? object->getNumber("measured_us") : std::nullopt;
    if (!schedule || !us || !(*us > 0))
      fail(fitFile + ": every entry needs \"schedule\" and a positive "
                     "\"measured_us\"");
    llvm::Expected<Candidate> candidate = parseScheduleText(target, *schedule);
    if (!candidate)
      fail(fitFile + ": " + llvm::toString(candidate.takeError()));
    measured.push_back({*candidate, *us * 1e-6});
  }
  if (measured.size() < 3)
    fail(fitFile + ": refitting needs at least three measurements");
  return refit(p, target, hw, measured);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lowbit-tune: choose matmul schedules with the cost model\n\n"
      "  lowbit-tune --shape=1x4096x4096 --weight=int4 --target=cpu-avx2\n"
      "  lowbit-tune model.mlir --target=cuda --db=tuning.json --svg=p.svg\n"
      "  lowbit-tune --probe -o local-cpu.mlir\n");
  if (probe) {
    llvm::Expected<ProbeResult> result = probeCpu(cxx, probeName);
    if (!result)
      fail(llvm::toString(result.takeError()));
    std::string text =
        printHardware(result->hardware, probeHeader(*result));
    // What was written must read back.
    if (llvm::Expected<Hardware> back = parseHardware(text, "probe"); !back)
      fail(llvm::toString(back.takeError()));
    std::error_code ec;
    llvm::raw_fd_ostream os(output, ec);
    if (ec)
      fail("cannot write " + output + ": " + ec.message());
    os << text;
    return 0;
  }
  std::optional<Target> target = parseTarget(targetName_);
  if (!target)
    fail("--target=" + targetName_ +
         " is not one of cpu-avx512, cpu-avx2, cpu-scalar, cuda, hip");
  std::string message;
  std::optional<Objective> objective = parseObjective(objectiveText, message);
  if (!objective)
    fail("--objective: " + message);
  std::string hwName = !hardwareName.empty() ? hardwareName.getValue()
                       : !target->gpu        ? std::string("zen1-2core")
                       : target->gpuTarget == gpu::Target::CUDA
                           ? std::string("h100")
                           : std::string("mi300x");
  llvm::Expected<Hardware> hw = loadHardware(hwName);
  if (!hw)
    fail(llvm::toString(hw.takeError()));
  if (measure > 0 && target->gpu)
    fail("--measure runs CPU kernels; GPU schedules are measured with "
         "bench/gpu/run.py on the GPU");
  std::vector<Job> jobs =
      modelFile.empty() ? jobsFromFlags() : jobsFromModel(modelFile);
  if (jobs.empty())
    fail("nothing to tune: give --shape=MxNxK, --shapes=FILE or a model");
  std::optional<TuningDb> db;
  if (!dbFile.empty()) {
    llvm::Expected<TuningDb> loaded = TuningDb::load(dbFile);
    if (!loaded)
      fail(llvm::toString(loaded.takeError()));
    db = std::move(*loaded);
  }

  auto start = std::chrono::steady_clock::now();
  std::vector<SearchResult> results;
  llvm::json::Array jsonJobs;
  std::set<std::string> seen;
  for (const Job &job : jobs) {
    if (!json && !quiet)
      llvm::errs() << job.name << ": " << problemKey(job.problem) << "\n";
    Calibration calibration;
    std::optional<Calibration> fitted;
    if (!fitFile.empty())
      calibration = *(fitted = fitFromFile(job.problem, *target, *hw));
    auto t0 = std::chrono::steady_clock::now();
    llvm::Expected<SearchResult> result = search(
        job.problem, *target, *hw, *objective, calibration, progressBar);
    if (!result)
      fail(job.name + ": " + llvm::toString(result.takeError()));
    double searchMs = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - t0)
                          .count();
    std::optional<double> measuredSeconds;
    if (measure > 0) {
      // The top candidates by the objective's own order: pick, set aside,
      // pick again.
      std::vector<std::pair<Candidate, double>> measured;
      std::vector<size_t> picked;
      std::vector<Candidate> pool = result->candidates;
      std::vector<size_t> poolIndex(pool.size());
      for (size_t i = 0; i < poolIndex.size(); ++i)
        poolIndex[i] = i;
      for (int i = 0; i < measure && !pool.empty(); ++i) {
        size_t best = pick(pool, *objective);
        picked.push_back(poolIndex[best]);
        pool.erase(pool.begin() + best);
        poolIndex.erase(poolIndex.begin() + best);
      }
      size_t fastest = result->chosen;
      double fastestSeconds = INFINITY;
      for (size_t i = 0; i < picked.size(); ++i) {
        const Candidate &c = result->candidates[picked[i]];
        if (!quiet && !json)
          llvm::errs() << "  measuring " << scheduleText(*target, c) << " ("
                       << i + 1 << "/" << picked.size() << ")\n";
        std::optional<double> seconds =
            measureCpu(argv[0], *target, job.problem, c);
        if (!seconds)
          fail("lowbit-bench failed on " + scheduleText(*target, c));
        measured.push_back({c, *seconds});
        if (*seconds < fastestSeconds) {
          fastestSeconds = *seconds;
          fastest = picked[i];
        }
      }
      if (objective->kind == Objective::Latency)
        result->chosen = fastest;
      measuredSeconds = fastestSeconds;
      if (measured.size() >= 3)
        fitted = refit(job.problem, *target, *hw, measured);
    }
    const Candidate &chosen = result->candidates[result->chosen];
    std::string schedule = scheduleText(*target, chosen);
    if (db) {
      TuningDb::Entry entry{schedule, chosen.cost.seconds, chosen.cost.joules,
                            measuredSeconds};
      db->insert(TuningDb::key(*target, hw->name, *objective, job.problem),
                 entry);
    }
    if (json) {
      llvm::json::Object item{
          {"name", job.name},
          {"problem", problemKey(job.problem)},
          {"schedule", schedule},
          {"time_us", chosen.cost.seconds * 1e6},
          {"energy_uj", chosen.cost.joules * 1e6},
          {"limit", chosen.cost.limit},
          {"candidates", int64_t(result->candidates.size())},
          {"pruned", int64_t(result->pruned)},
          {"search_ms", searchMs}};
      if (measuredSeconds)
        item["measured_us"] = *measuredSeconds * 1e6;
      if (fitted)
        item["calibration"] = llvm::json::Object{
            {"compute", fitted->compute},
            {"memory", fitted->memory},
            {"overlap", fitted->overlap}};
      if (list) {
        llvm::json::Array all;
        for (const Candidate &c : result->candidates)
          all.push_back(llvm::json::Object{
              {"schedule", scheduleText(*target, c)},
              {"time_us", c.cost.seconds * 1e6},
              {"energy_uj", c.cost.joules * 1e6},
              {"compute_us", c.cost.computeSeconds * 1e6},
              {"memory_us", c.cost.memorySeconds * 1e6},
              {"limit", c.cost.limit}});
        item["all"] = std::move(all);
      }
      jsonJobs.push_back(std::move(item));
    } else {
      if (list)
        for (const Candidate &c : result->candidates)
          llvm::outs() << llvm::formatv(
              "  {0,-44} {1,12:f1} us {2,12:f1} uJ  {3}\n",
              scheduleText(*target, c), c.cost.seconds * 1e6,
              c.cost.joules * 1e6, c.cost.limit);
      llvm::outs() << llvm::formatv(
          "{0}: {1} -> {2}  predicted {3:f1} us, {4:f1} uJ ({5}-bound); "
          "{6} candidates, {7} pruned, {8:f2} ms\n",
          job.name, problemKey(job.problem), schedule,
          chosen.cost.seconds * 1e6, chosen.cost.joules * 1e6,
          chosen.cost.limit, result->candidates.size(), result->pruned,
          searchMs);
      if (measuredSeconds)
        llvm::outs() << llvm::formatv("  measured best {0:f1} us\n",
                                      *measuredSeconds * 1e6);
      if (fitted)
        llvm::outs() << llvm::formatv(
            "  refit: compute x{0:f2}, memory x{1:f2}, overlap {2:f2}\n",
            fitted->compute, fitted->memory, fitted->overlap);
    }
    results.push_back(std::move(*result));
  }
  double totalMs = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  if (json) {
    llvm::json::Object root{{"target", targetName(*target)},
                            {"hardware", hw->name},
                            {"objective", objectiveName(*objective)},
                            {"total_ms", totalMs},
                            {"jobs", std::move(jsonJobs)}};
    llvm::outs() << llvm::formatv("{0:2}",
                                  llvm::json::Value(std::move(root)))
                 << "\n";
  } else {
    llvm::outs() << llvm::formatv("{0} shapes tuned in {1:f1} ms on {2} ({3}, "
                                  "objective {4})\n",
                                  jobs.size(), totalMs, hw->name,
                                  targetName(*target),
                                  objectiveName(*objective));
  }
  if (!svgFile.empty())
    writeSvg(svgFile, jobs, results, *target);
  if (db)
    if (llvm::Error e = db->save(dbFile))
      fail(llvm::toString(std::move(e)));
  return 0;
}
