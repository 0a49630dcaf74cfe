//===- lowbit-import.cpp - Quantized checkpoints to lowbit IR -------------===//
//
// Reads a quantized checkpoint (GGUF), prints the lowbit module of its
// linear layers (one function per weight) and reports on stderr, one line
// per tensor, what was imported and what was skipped and why. With --dump,
// writes each imported weight's dequantized values and codes as .npy files
// and an index.json, so tests can compare them with the file format's own
// reference. Exit status: 0 on success, 1 for an unreadable or malformed
// checkpoint, 2 for bad flags.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Gguf.h"
#include "lowbit/Import/Gptq.h"
#include "lowbit/Import/ImportToMlir.h"
#include "lowbit/Support/Npy.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace lowbit;
using namespace lowbit::import;
namespace cl = llvm::cl;

static cl::OptionCategory category("lowbit-import options");
static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<checkpoint.gguf>"),
                                      cl::cat(category));
static cl::opt<std::string> outputPath("o",
                                       cl::desc("output file (- for stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
static cl::opt<std::string>
    actName("act", cl::desc("activation and result type: f16, bf16 or f32"),
            cl::init("f16"), cl::cat(category));
static cl::opt<int64_t>
    rows("m", cl::desc("rows of activations (default: dynamic, '?')"),
         cl::init(0), cl::cat(category));
static cl::opt<std::string>
    only("only", cl::desc("import only the tensors whose name matches"),
         cl::value_desc("regex"), cl::init(""), cl::cat(category));
static cl::opt<std::string>
    dumpDir("dump",
            cl::desc("write <function>.dequant.npy, <function>.codes.npy and "
                     "index.json here"),
            cl::value_desc("dir"), cl::init(""), cl::cat(category));

/// Prints a one-line error and exits with `status`.
[[noreturn]] static void fail(int status, const llvm::Twine &message) {
  llvm::errs() << "lowbit-import: error: " << message << "\n";
  std::exit(status);
}

/// Reads the checkpoint with the reader its file type needs.
static llvm::Expected<ImportedModel>
readCheckpoint(llvm::StringRef path,
               const std::function<bool(llvm::StringRef)> &select) {
  llvm::StringRef extension = llvm::sys::path::extension(path);
  if (extension.equals_insensitive(".gguf")) {
    GgufReadOptions options;
    options.select = select;
    return readGguf(path, options);
  }
  if (extension.equals_insensitive(".safetensors") ||
      llvm::sys::fs::is_directory(path)) {
    GptqOptions options;
    options.select = select;
    return readGptqCheckpoint(path, options);
  }
  return llvm::createStringError(
      "%s: unknown checkpoint type '%s'; expected a .gguf or .safetensors "
      "file, or a directory of .safetensors files",
      path.str().c_str(), extension.str().c_str());
}

/// "uint4, group 32, f16 scales, zero int".
static std::string describeScheme(const QuantizedLinear &linear) {
  std::string text = linear.format.name() + ", group " +
                     std::to_string(linear.scheme.groupShape[1]) + ", " +
                     numerics::scaleTypeName(linear.scheme.scaleType) +
                     " scales";
  if (linear.scheme.zeroPoint != numerics::ZeroPointMode::None)
    text += std::string(", zero ") +
            numerics::zeroPointModeName(linear.scheme.zeroPoint);
  return text;
}

/// The dequantized weights as f32 [N, K] in the file's K order (the stored
/// order with the input permutation undone).
static std::vector<float> dequantizeToF32(const QuantizedLinear &linear) {
  std::vector<uint32_t> codes(linear.codes.begin(), linear.codes.end());
  std::vector<double> values = numerics::dequantize(
      codes, {linear.n, linear.k}, linear.format, linear.scheme, linear.params);
  std::vector<float> result(values.size());
  for (int64_t row = 0; row < linear.n; ++row)
    for (int64_t col = 0; col < linear.k; ++col) {
      int64_t column =
          linear.inputPermutation.empty() ? col : linear.inputPermutation[col];
      result[row * linear.k + column] = float(values[row * linear.k + col]);
    }
  return result;
}

/// Writes the .npy files of every linear and index.json into `dir`.
static llvm::Error dump(llvm::StringRef dir, const ImportedModel &model,
                        const std::vector<std::string> &names) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError(ec, "cannot create %s: %s",
                                   dir.str().c_str(), ec.message().c_str());
  auto pathIn = [&](llvm::StringRef name) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  };
  llvm::json::Array tensors;
  for (const auto &[linear, name] : llvm::zip_equal(model.linears, names)) {
    std::vector<float> values = dequantizeToF32(linear);
    std::string dequantFile = name + ".dequant.npy";
    std::string codesFile = name + ".codes.npy";
    if (llvm::Error error =
            writeNpy(pathIn(dequantFile), "<f4", {linear.n, linear.k},
                     values.data(), values.size() * sizeof(float)))
      return error;
    if (llvm::Error error =
            writeNpy(pathIn(codesFile), "|u1", {linear.n, linear.k},
                     linear.codes.data(), linear.codes.size()))
      return error;
    tensors.push_back(llvm::json::Object{
        {"name", linear.name},
        {"function", name},
        {"n", linear.n},
        {"k", linear.k},
        {"format", linear.format.name()},
        {"group", linear.scheme.groupShape[1]},
        {"scale", numerics::scaleTypeName(linear.scheme.scaleType)},
        {"zero", numerics::zeroPointModeName(linear.scheme.zeroPoint)},
        {"permuted", !linear.inputPermutation.empty()},
        {"dequant", dequantFile},
        {"codes", codesFile},
    });
  }
  llvm::json::Array skipped;
  for (const auto &[tensor, reason] : model.skipped)
    skipped.push_back(llvm::json::Object{{"name", tensor}, {"reason", reason}});
  llvm::json::Object index{{"source", model.source},
                           {"tensors", std::move(tensors)},
                           {"skipped", std::move(skipped)}};
  std::error_code ec;
  llvm::raw_fd_ostream out(pathIn("index.json"), ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s",
                                   pathIn("index.json").c_str(),
                                   ec.message().c_str());
  out << llvm::formatv("{0:2}", llvm::json::Value(std::move(index))) << "\n";
  return llvm::Error::success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  std::string flagErrors;
  llvm::raw_string_ostream flagStream(flagErrors);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "lowbit-import: quantized checkpoints (GGUF) to lowbit IR\n",
          &flagStream)) {
    llvm::errs() << flagErrors;
    return 2;
  }
  std::optional<ActivationType> activation = parseActivationType(actName);
  if (!activation)
    fail(2, "--act=" + actName + " is not one of f16, bf16, f32");
  if (rows < 0)
    fail(2, "--m=" + llvm::Twine(rows.getValue()) +
                " is not a positive row count (or 0 for dynamic)");
  llvm::Regex pattern(only);
  std::function<bool(llvm::StringRef)> select;
  if (!only.empty()) {
    std::string regexError;
    if (!pattern.isValid(regexError))
      fail(2, "--only=" + only + " is not a valid regex: " + regexError);
    select = [&](llvm::StringRef name) { return pattern.match(name); };
  }

  llvm::Expected<ImportedModel> model = readCheckpoint(inputPath, select);
  if (!model)
    fail(1, llvm::toString(model.takeError()));

  mlir::MLIRContext context;
  ImportOptions options;
  options.activation = *activation;
  if (rows > 0)
    options.m = rows;
  mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>> module =
      buildImportModule(context, *model, options);
  if (failed(module))
    fail(1, "cannot build the module of " + inputPath);

  std::vector<std::string> names = getFunctionNames(*model);
  for (const auto &[linear, name] : llvm::zip_equal(model->linears, names))
    llvm::errs() << "imported " << linear.name << " [" << linear.n << ", "
                 << linear.k << "] as " << describeScheme(linear) << ": @"
                 << name << "\n";
  for (const auto &[tensor, reason] : model->skipped)
    llvm::errs() << "skipped " << tensor << ": " << reason << "\n";

  if (!dumpDir.empty())
    if (llvm::Error error = dump(dumpDir, *model, names))
      fail(1, llvm::toString(std::move(error)));

  std::error_code ec;
  llvm::ToolOutputFile output(outputPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    fail(1, "cannot write " + outputPath + ": " + ec.message());
  (*module)->print(output.os());
  output.os() << "\n";
  output.keep();
  return 0;
}
