//===- Module.cpp - The lowbit._lowbit Python extension -------------------===//
//
// pybind11 bindings over the numerics library (formats, group quantization,
// packing) and, through Driver.h, the importers and the model compiler.
// Arrays go in and out as numpy arrays; bad input raises ValueError with a
// sentence naming the bad value, never reaches a library precondition.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "lowbit/Numerics/Format.h"
#include "lowbit/Numerics/Pack.h"
#include "lowbit/Numerics/Quantize.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;
using namespace lowbit;
using import::QuantizedLinear;
using numerics::Format;

namespace {

using DoubleArray =
    py::array_t<double, py::array::c_style | py::array::forcecast>;

[[noreturn]] void raise(const std::string &message) {
  throw py::value_error(message);
}

Format parseFormat(const std::string &name) {
  std::string error;
  std::optional<Format> format = Format::parse(name, &error);
  if (!format)
    raise(error);
  return *format;
}

/// A Format, or a name Format::parse accepts.
Format toFormat(const py::object &format) {
  if (py::isinstance<Format>(format))
    return format.cast<Format>();
  if (py::isinstance<py::str>(format))
    return parseFormat(format.cast<std::string>());
  raise("format must be a lowbit.Format or a format name, not " +
        py::type::of(format).attr("__name__").cast<std::string>());
}

const char *kindName(numerics::FormatKind kind) {
  switch (kind) {
  case numerics::FormatKind::SignedInt:
    return "signed_int";
  case numerics::FormatKind::UnsignedInt:
    return "unsigned_int";
  case numerics::FormatKind::Float:
    return "float";
  case numerics::FormatKind::ExponentOnly:
    return "exponent_only";
  case numerics::FormatKind::Codebook:
    return "codebook";
  case numerics::FormatKind::Ternary:
    return "ternary";
  }
  return "unknown";
}

const char *conventionName(numerics::FloatConvention convention) {
  switch (convention) {
  case numerics::FloatConvention::IEEE:
    return "ieee";
  case numerics::FloatConvention::FiniteNaN:
    return "fn";
  case numerics::FloatConvention::Finite:
    return "finite";
  }
  return "unknown";
}

/// The element format names: every integer width, every float split with
/// its default convention, and the codebooks.
std::vector<std::string> formatNames() {
  std::vector<std::string> names;
  for (unsigned bits = 1; bits <= 8; ++bits)
    names.push_back("int" + std::to_string(bits));
  for (unsigned bits = 1; bits <= 8; ++bits)
    names.push_back("uint" + std::to_string(bits));
  for (unsigned e = 1; e <= 7; ++e)
    for (unsigned m = 0; 1 + e + m <= 8; ++m)
      names.push_back("e" + std::to_string(e) + "m" + std::to_string(m));
  names.push_back("nf4");
  names.push_back("ternary");
  return names;
}

/// A copy of a numpy array of shape `shape` holding `values`.
template <typename T, typename U>
py::array_t<T> toArray(const std::vector<U> &values,
                       const std::vector<int64_t> &shape) {
  std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  py::array_t<T> array(dims);
  T *data = array.mutable_data();
  for (size_t i = 0; i < values.size(); ++i)
    data[i] = T(values[i]);
  return array;
}

/// The [N, K / G] shape of a linear's group tensors.
std::vector<int64_t> groupTensorShape(const QuantizedLinear &linear) {
  return {linear.n, linear.k / linear.scheme.groupShape[1]};
}

/// A 2-D float array's values and shape; `what` names it in messages.
std::vector<double> matrixValues(const DoubleArray &array, const char *what,
                                 int64_t &rows, int64_t &cols) {
  if (array.ndim() != 2)
    raise(std::string(what) + " must be a 2-D array [N, K], not " +
          std::to_string(array.ndim()) + "-D");
  rows = array.shape(0);
  cols = array.shape(1);
  if (rows < 1 || cols < 1)
    raise(std::string(what) + " must not be empty, got shape [" +
          std::to_string(rows) + ", " + std::to_string(cols) + "]");
  return std::vector<double>(array.data(), array.data() + array.size());
}

QuantizedLinear quantizeLinear(const DoubleArray &weights,
                               const py::object &format, int64_t group,
                               const std::string &scale,
                               const std::string &zero, bool tensorScale,
                               const std::string &rule) {
  QuantizedLinear linear;
  linear.format = toFormat(format);
  std::vector<double> x = matrixValues(weights, "w", linear.n, linear.k);
  std::optional<numerics::ScaleType> scaleType =
      numerics::parseScaleType(scale);
  if (!scaleType)
    raise("scale type '" + scale +
          "' is not one of f32, f16, bf16, e8m0, e4m3");
  std::optional<numerics::ZeroPointMode> zeroPoint =
      numerics::parseZeroPointMode(zero);
  if (!zeroPoint)
    raise("zero-point mode '" + zero +
          "' is not one of none, int, float, asym-fp");
  numerics::ScaleRule scaleRule;
  if (rule == "range")
    scaleRule = numerics::ScaleRule::Range;
  else if (rule == "ocp")
    scaleRule = numerics::ScaleRule::OcpFloor;
  else
    raise("scale rule '" + rule + "' is not one of range, ocp");
  linear.scheme.groupShape = {1, group};
  linear.scheme.scaleType = *scaleType;
  linear.scheme.zeroPoint = *zeroPoint;
  linear.scheme.tensorScale = tensorScale;
  std::vector<int64_t> shape = {linear.n, linear.k};
  std::string error =
      numerics::verifyScheme(shape, linear.format, linear.scheme, scaleRule);
  if (!error.empty())
    raise(error);
  linear.params =
      numerics::calibrate(x, shape, linear.format, linear.scheme, scaleRule);
  std::vector<uint32_t> codes =
      numerics::quantize(x, shape, linear.format, linear.scheme, linear.params);
  linear.codes.assign(codes.begin(), codes.end());
  linear.origin = "lowbit.quantize";
  return linear;
}

py::array_t<double> dequantizeLinear(const QuantizedLinear &linear) {
  std::vector<uint32_t> codes(linear.codes.begin(), linear.codes.end());
  return toArray<double>(numerics::dequantize(codes, {linear.n, linear.k},
                                              linear.format, linear.scheme,
                                              linear.params),
                         {linear.n, linear.k});
}

/// The words of a stripe (the GPU kernels' layout: 4, 128, 4); all zero
/// for none.
struct StripeArgs {
  unsigned stripe = 0, chunk = 0, piece = 0;
};

/// The layout `pack`/`unpack` name: plain, interleaved or lanes (or a
/// custom slot order), optionally striped.
numerics::PackLayout
makeLayout(unsigned bits, const std::string &name, unsigned word,
           unsigned lanes, bool aligned,
           const std::optional<std::vector<unsigned>> &order,
           const StripeArgs &stripe) {
  numerics::PackLayout layout;
  layout.bits = bits;
  layout.wordBits = word;
  std::string error = numerics::verifyLayout(layout);
  if (!error.empty())
    raise(error);
  if (name == "plain") {
    layout.aligned = aligned;
    if (order)
      layout.order = *order;
  } else if (name == "interleaved") {
    if (word % bits != 0 || (word / bits) % 2 != 0)
      raise("the interleaved layout needs an even number of " +
            std::to_string(bits) + "-bit codes per " + std::to_string(word) +
            "-bit word");
    layout = numerics::interleavedLayout(bits, word);
  } else if (name == "lanes") {
    if (lanes < 1)
      raise("lanes must be at least 1, got " + std::to_string(lanes));
    layout = numerics::laneLayout(bits, word, lanes);
  } else {
    raise("layout '" + name + "' is not one of plain, interleaved, lanes");
  }
  layout.stripe = stripe.stripe;
  layout.stripeChunk = stripe.chunk;
  layout.stripePiece = stripe.piece;
  error = numerics::verifyLayout(layout);
  if (!error.empty())
    raise(error);
  return layout;
}

py::array
packCodes(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>
              &codes,
          unsigned bits, const std::string &name, unsigned word, unsigned lanes,
          bool aligned, const std::optional<std::vector<unsigned>> &order,
          unsigned stripe, unsigned chunk, unsigned piece) {
  numerics::PackLayout layout = makeLayout(bits, name, word, lanes, aligned,
                                           order, {stripe, chunk, piece});
  if (codes.ndim() != 2)
    raise("codes must be a 2-D array [rows, K], not " +
          std::to_string(codes.ndim()) + "-D");
  int64_t rows = codes.shape(0), rowLength = codes.shape(1);
  std::vector<uint32_t> values(codes.size());
  for (py::ssize_t i = 0; i < codes.size(); ++i) {
    int64_t code = codes.data()[i];
    if (code < 0 || code >= (int64_t(1) << bits))
      raise("code " + std::to_string(code) + " at index " + std::to_string(i) +
            " does not fit in " + std::to_string(bits) + " bits");
    values[i] = uint32_t(code);
  }
  std::vector<uint64_t> words = numerics::pack(values, rows, rowLength, layout);
  std::vector<int64_t> shape = {rows, layout.wordsPerRow(rowLength)};
  switch (word) {
  case 8:
    return toArray<uint8_t>(words, shape);
  case 16:
    return toArray<uint16_t>(words, shape);
  case 32:
    return toArray<uint32_t>(words, shape);
  default:
    return toArray<uint64_t>(words, shape);
  }
}

py::array_t<uint8_t> unpackWords(
    const py::array_t<uint64_t, py::array::c_style | py::array::forcecast>
        &words,
    unsigned bits, int64_t rowLength, const std::string &name, unsigned word,
    unsigned lanes, bool aligned,
    const std::optional<std::vector<unsigned>> &order, unsigned stripe,
    unsigned chunk, unsigned piece) {
  numerics::PackLayout layout = makeLayout(bits, name, word, lanes, aligned,
                                           order, {stripe, chunk, piece});
  if (words.ndim() != 2)
    raise("words must be a 2-D array [rows, words per row], not " +
          std::to_string(words.ndim()) + "-D");
  if (rowLength < 1)
    raise("k must be at least 1, got " + std::to_string(rowLength));
  int64_t rows = words.shape(0);
  if (words.shape(1) != layout.wordsPerRow(rowLength))
    raise("rows of " + std::to_string(rowLength) + " codes take " +
          std::to_string(layout.wordsPerRow(rowLength)) +
          " words in this layout, but words has " +
          std::to_string(words.shape(1)) + " per row");
  std::vector<uint64_t> values(words.data(), words.data() + words.size());
  return toArray<uint8_t>(numerics::unpack(values, rows, rowLength, layout),
                          {rows, rowLength});
}

/// Raises ValueError when a driver call returned a message.
void check(const std::string &error) {
  if (!error.empty())
    raise(error);
}

std::vector<QuantizedLinear> readGguf(const std::string &path) {
  import::ImportedModel model;
  check(python::readGgufFile(path, model));
  return std::move(model.linears);
}

std::vector<QuantizedLinear> readGptq(const std::string &path,
                                      const std::string &format) {
  import::ImportedModel model;
  check(python::readGptqCheckpointAt(path, format, model));
  return std::move(model.linears);
}

void compileLinears(const std::vector<QuantizedLinear> &linears,
                    const std::string &isa, const std::string &activation,
                    const std::string &strategy, const std::string &objective,
                    int64_t tuneRows, const std::string &dir) {
  import::ImportedModel model;
  model.source = "lowbit.compile_linear";
  model.linears = linears;
  std::string error;
  {
    // Compiling takes a while and touches no Python object.
    py::gil_scoped_release release;
    error = python::compileLinears(
        model, activation,
        python::CpuCompileOptions{isa, strategy, objective, tuneRows}, dir);
  }
  check(error);
}

void compileModelFile(const std::string &path, const std::string &isa,
                      const std::string &strategy, const std::string &objective,
                      int64_t tuneRows, const std::string &dir) {
  std::string error;
  {
    py::gil_scoped_release release;
    error = python::compileModelFile(
        path, python::CpuCompileOptions{isa, strategy, objective, tuneRows},
        dir);
  }
  check(error);
}

std::string isaFlags(const std::string &isa) {
  std::string error;
  std::string flags = python::isaFlags(isa, error);
  check(error);
  return flags;
}

std::string missingCpuFeatures(const std::string &isa,
                               const std::string &strategy) {
  std::string error;
  std::string missing = python::missingCpuFeatures(isa, strategy, error);
  check(error);
  return missing;
}

py::object optionalArray(const std::vector<double> &values,
                         const std::vector<int64_t> &shape) {
  if (values.empty())
    return py::none();
  return toArray<double>(values, shape);
}

} // namespace

PYBIND11_MODULE(_lowbit, m) {
  m.doc() = "lowbit's C++ libraries: numerics, packing, importers and the "
            "CPU model compiler";

  py::class_<Format>(m, "Format",
                     "A low-bit element format (docs/numerics.md).")
      .def(py::init(&parseFormat), py::arg("name"),
           "The format with this name: int1..int8, uint1..uint8, eXmY[_ieee|"
           "_fn|_finite][_bN], e8m0, nf4, ternary, fp4, or an MLIR type name.")
      .def_static(
          "codebook",
          [](const std::vector<double> &values, const std::string &name) {
            size_t count = values.size();
            unsigned bits = 0;
            while (bits <= 8 && (size_t(1) << bits) < count)
              ++bits;
            if (count < 2 || bits > 8 || (size_t(1) << bits) != count)
              raise("a codebook has 2^b values with 1 <= b <= 8, got " +
                    std::to_string(count));
            for (double value : values)
              if (!std::isfinite(value))
                raise("codebook values must be finite, got " +
                      std::to_string(value));
            return Format::codebook(bits, values, name);
          },
          py::arg("values"), py::arg("name") = "",
          "A codebook format whose code c stands for values[c].")
      .def_property_readonly("name", &Format::name)
      .def_property_readonly("bits", &Format::bits)
      .def_property_readonly("kind",
                             [](const Format &f) { return kindName(f.kind()); })
      .def_property_readonly("num_codes", &Format::numCodes)
      .def_property_readonly("is_signed", &Format::isSigned)
      .def_property_readonly("max_value", &Format::maxValue)
      .def_property_readonly("min_value", &Format::minValue)
      .def_property_readonly("max_abs", &Format::maxAbs)
      .def_property_readonly("exponent_bits",
                             [](const Format &f) -> py::object {
                               if (f.kind() != numerics::FormatKind::Float)
                                 return py::none();
                               return py::int_(f.floatSpec().exponentBits);
                             })
      .def_property_readonly("mantissa_bits",
                             [](const Format &f) -> py::object {
                               if (f.kind() != numerics::FormatKind::Float)
                                 return py::none();
                               return py::int_(f.floatSpec().mantissaBits);
                             })
      .def_property_readonly("bias",
                             [](const Format &f) -> py::object {
                               if (f.kind() != numerics::FormatKind::Float)
                                 return py::none();
                               return py::int_(f.floatSpec().bias);
                             })
      .def_property_readonly("convention",
                             [](const Format &f) -> py::object {
                               if (f.kind() != numerics::FormatKind::Float)
                                 return py::none();
                               return py::str(
                                   conventionName(f.floatSpec().convention));
                             })
      .def_property_readonly(
          "decode_table",
          [](const Format &f) {
            std::vector<double> table(f.numCodes());
            for (uint32_t code = 0; code < f.numCodes(); ++code)
              table[code] = f.decode(code);
            return toArray<double>(table, {int64_t(table.size())});
          },
          "The value of every code 0 .. 2^bits - 1 (NaN for codes with no "
          "value, +-inf for IEEE infinities).")
      .def_property_readonly(
          "values",
          [](const Format &f) {
            std::vector<double> values = f.representableValues();
            return toArray<double>(values, {int64_t(values.size())});
          },
          "Every finite value, ascending, without duplicates.")
      .def(
          "encode",
          [](const Format &f, const DoubleArray &x) {
            std::vector<uint32_t> codes(x.size());
            for (py::ssize_t i = 0; i < x.size(); ++i)
              codes[i] = f.encode(x.data()[i]);
            return toArray<uint8_t>(
                codes, std::vector<int64_t>(x.shape(), x.shape() + x.ndim()));
          },
          py::arg("x"),
          "The nearest code of every value (ties to even, saturating).")
      .def(
          "decode",
          [](const Format &f,
             const py::array_t<uint32_t, py::array::c_style |
                                             py::array::forcecast> &codes) {
            std::vector<double> values(codes.size());
            for (py::ssize_t i = 0; i < codes.size(); ++i)
              values[i] = f.decode(codes.data()[i]);
            return toArray<double>(
                values, std::vector<int64_t>(codes.shape(),
                                             codes.shape() + codes.ndim()));
          },
          py::arg("codes"), "The value of every code.")
      .def("__eq__", [](const Format &a, const Format &b) { return a == b; })
      .def("__hash__",
           [](const Format &f) { return py::hash(py::str(f.name())); })
      .def("__repr__",
           [](const Format &f) { return "lowbit.Format('" + f.name() + "')"; });

  py::class_<QuantizedLinear>(
      m, "QuantizedLinear",
      "A linear layer's weight W[N, K] quantized with groups of G along K: "
      "codes, group scales and zero points (docs/numerics.md, docs/import.md).")
      .def_readonly("name", &QuantizedLinear::name)
      .def_readonly("origin", &QuantizedLinear::origin)
      .def_readonly("format", &QuantizedLinear::format)
      .def_readonly("n", &QuantizedLinear::n)
      .def_readonly("k", &QuantizedLinear::k)
      .def_property_readonly(
          "shape",
          [](const QuantizedLinear &q) { return py::make_tuple(q.n, q.k); })
      .def_property_readonly(
          "group",
          [](const QuantizedLinear &q) { return q.scheme.groupShape[1]; })
      .def_property_readonly("scale",
                             [](const QuantizedLinear &q) {
                               return numerics::scaleTypeName(
                                   q.scheme.scaleType);
                             })
      .def_property_readonly("zero",
                             [](const QuantizedLinear &q) {
                               return numerics::zeroPointModeName(
                                   q.scheme.zeroPoint);
                             })
      .def_property_readonly(
          "codes",
          [](const QuantizedLinear &q) {
            return toArray<uint8_t>(q.codes, {q.n, q.k});
          },
          "uint8 [N, K] codes.")
      .def_property_readonly(
          "scales",
          [](const QuantizedLinear &q) {
            return toArray<double>(q.params.scales, groupTensorShape(q));
          },
          "float64 [N, K/G] group scale values (exact in the scale type).")
      .def_property_readonly(
          "zeros",
          [](const QuantizedLinear &q) {
            return optionalArray(q.params.zeros, groupTensorShape(q));
          },
          "float64 [N, K/G] zero points (int and float modes), else None.")
      .def_property_readonly(
          "neg_scales",
          [](const QuantizedLinear &q) {
            return optionalArray(q.params.negScales, groupTensorShape(q));
          },
          "float64 [N, K/G] negative-side scales (asym-fp), else None.")
      .def_property_readonly(
          "tensor_scale",
          [](const QuantizedLinear &q) -> py::object {
            if (!q.scheme.tensorScale)
              return py::none();
            return py::float_(q.params.tensorScale);
          },
          "The f32 tensor scale of two-level scaling, else None.")
      .def_property_readonly(
          "input_permutation",
          [](const QuantizedLinear &q) -> py::object {
            if (q.inputPermutation.empty())
              return py::none();
            return toArray<int64_t>(q.inputPermutation,
                                    {int64_t(q.inputPermutation.size())});
          },
          "GPTQ act-order: stored column k multiplies activation column "
          "input_permutation[k]; None otherwise.")
      .def("__repr__", [](const QuantizedLinear &q) {
        return "lowbit.QuantizedLinear(name='" + q.name + "', shape=[" +
               std::to_string(q.n) + ", " + std::to_string(q.k) +
               "], format=" + q.format.name() +
               ", group=" + std::to_string(q.scheme.groupShape[1]) +
               ", scale=" + numerics::scaleTypeName(q.scheme.scaleType) +
               ", zero=" + numerics::zeroPointModeName(q.scheme.zeroPoint) +
               ")";
      });

  m.def("formats", &formatNames,
        "The element format names: int1..int8, uint1..uint8, every eXmY "
        "split of at most 8 bits (default convention), nf4, ternary.");
  m.def("quantize", &quantizeLinear, py::arg("w"), py::arg("format"),
        py::arg("group"), py::arg("scale") = "f16", py::arg("zero") = "none",
        py::arg("tensor_scale") = false, py::arg("rule") = "range",
        "Quantizes w [N, K] in groups of `group` along K, computing the "
        "scales (and zero points) from the data (numerics::calibrate).");
  m.def("dequantize", &dequantizeLinear, py::arg("q"),
        "The float64 [N, K] values of a quantized linear, in stored K order.");
  m.def("pack", &packCodes, py::arg("codes"), py::arg("bits"),
        py::arg("layout") = "plain", py::arg("word") = 32, py::arg("lanes") = 8,
        py::arg("aligned") = false, py::arg("order") = py::none(),
        py::arg("stripe") = 0, py::arg("chunk") = 0, py::arg("piece") = 0,
        "Packs codes [rows, K] into words [rows, words_per_row] (Pack.h); "
        "stripe, chunk and piece stripe the words as a layout's 'stripe' "
        "does (a GPU kernel's layout in lowbit-compile's manifest).");
  m.def("unpack", &unpackWords, py::arg("words"), py::arg("bits"), py::arg("k"),
        py::arg("layout") = "plain", py::arg("word") = 32, py::arg("lanes") = 8,
        py::arg("aligned") = false, py::arg("order") = py::none(),
        py::arg("stripe") = 0, py::arg("chunk") = 0, py::arg("piece") = 0,
        "Unpacks words [rows, words_per_row] into uint8 codes [rows, k].");
  m.def("read_gguf", &readGguf, py::arg("path"),
        "The quantized 2-D tensors of a GGUF file.");
  m.def("read_gptq", &readGptq, py::arg("path"), py::arg("format") = "auto",
        "The quantized linear layers of a GPTQ/AWQ safetensors file or "
        "folder.");
  m.def("_compile_linears", &compileLinears, py::arg("linears"), py::arg("isa"),
        py::arg("act"), py::arg("strategy"), py::arg("objective"),
        py::arg("tune_m"), py::arg("dir"));
  m.def("_compile_model_file", &compileModelFile, py::arg("path"),
        py::arg("isa"), py::arg("strategy"), py::arg("objective"),
        py::arg("tune_m"), py::arg("dir"));
  m.def("_isa_compile_flags", &isaFlags, py::arg("isa"));
  m.def("_missing_cpu_features", &missingCpuFeatures, py::arg("isa"),
        py::arg("strategy"));
}
