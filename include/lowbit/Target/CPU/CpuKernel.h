//===- CpuKernel.h - C++ source for CPU mixed-precision matmuls -*- C++ -*-===//
//
// The CPU kernel generator: from a kernel specification (formats, scheme,
// shapes, ISA) it prints one self-contained C++ source file with an
// `extern "C"` entry point computing y[M, N] = x[M, K] * dequant(W[N, K])^T,
// optionally followed by a fused element-wise epilogue.
// See docs/cpu-kernels.md for the ABI, the weight layout and the decode
// strategies. Plain C++17 like the numerics library: no LLVM dependency.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_CPUKERNEL_H
#define LOWBIT_TARGET_CPU_CPUKERNEL_H

#include "lowbit/Numerics/Pack.h"
#include "lowbit/Numerics/Quantize.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit::cpu {

/// The instruction set a kernel is written for. Neon (AArch64 Advanced SIMD)
/// has lut kernels only; the other strategies reject it.
enum class Isa { Scalar, AVX2, AVX512, Neon };
/// scalar, avx2, avx512, neon.
std::optional<Isa> parseIsa(std::string_view name);
const char *isaName(Isa isa);
/// "scalar, avx2, avx512, neon": the names parseIsa takes, for messages.
const char *isaNames();
/// The compiler flags (GCC and Clang) that enable `isa`, e.g. "-mavx2 -mfma".
const char *isaCompileFlags(Isa isa);
/// True when kernels for `isa` run on the architecture this code was
/// compiled for (x86-64 for scalar and the AVX ISAs, AArch64 for neon and
/// scalar).
bool isaIsNative(Isa isa);
/// The compiler flags a kernel for `spec` needs: isaCompileFlags plus
/// -mavx512vnni for AVX-512 int8-dot kernels and -mavx512bf16 for AVX-512
/// bf16-dot kernels.
struct KernelSpec;
std::string compileFlags(const KernelSpec &spec);
/// The CPU features a kernel for `spec` needs that the CPU running this
/// code lacks, by their compiler names ("avx512f avx512bw", "avx512vnni"
/// for AVX-512 int8-dot kernels, "avx512bf16" for bf16-dot), space-separated;
/// "" when it can run the kernel. For an ISA of another architecture, the ISA's
/// name. Callers check it before running a kernel, which would otherwise die of
/// an illegal instruction.
std::string missingCpuFeatures(const KernelSpec &spec);
/// The widest ISA (avx512, avx2, neon, else scalar) whose kernels for
/// `spec`'s strategy this CPU runs.
Isa widestRunnableIsa(const KernelSpec &spec);
/// Vector lanes of 32 bits (the weight layout's lane count): 16, 8, 16, 4.
unsigned isaLanes(Isa isa);

/// How a kernel multiplies weights with activations (docs/cpu-kernels.md):
/// - Dequant: decode weights to f32 in registers, f32 FMAs with the exact
///   activations.
/// - Int8Dot: quantize activations at run time to int8 in blocks of 32 along
///   K (absmax scale, round to nearest even), decode weights to 8-bit
///   integers, and multiply with integer dot products (vpmaddubsw on AVX2,
///   vpdpbusd on AVX-512 VNNI); each block's sum is scaled in f32.
/// - Lut: table lookup (T-MAC style): per group of activations, tables of
///   the partial sums of every bit pattern, probed by the weights' bit
///   planes.
/// - Bf16Dot: bf16 activations times weights decoded to bf16 in registers
///   (table permutes), multiplied with bf16 dot products (vdpbf16ps,
///   AVX512-BF16) into f32; exact for formats whose values bf16 holds.
enum class Strategy { Dequant, Int8Dot, Lut, Bf16Dot };
/// dequant, int8-dot, lut, bf16-dot.
std::optional<Strategy> parseStrategy(std::string_view name);
const char *strategyName(Strategy strategy);
/// "dequant, int8-dot, lut, bf16-dot": the names parseStrategy takes.
const char *strategyNames();

/// Elements of K sharing one activation scale in the Int8Dot strategy.
constexpr int64_t kInt8Block = 32;

/// The activations an Int8Dot kernel multiplies, as values: each row of
/// x[m, k] quantized in blocks of kInt8Block along K to q * a, with
/// a = max|x| / 127 and q = x / a rounded to nearest even, in f32 exactly as
/// the kernels compute it (a block of zeros stays zero). References that
/// check Int8Dot kernels tightly multiply these.
std::vector<double> quantizeActivationsInt8(const std::vector<float> &x,
                                            int64_t m, int64_t k);

/// Element type of activations and outputs in memory.
enum class ScalarType { F32, F16, BF16 };
std::optional<ScalarType> parseScalarType(std::string_view name);
const char *scalarTypeName(ScalarType type);

/// The type of a value in an epilogue, and of an epilogue operand's elements
/// in memory.
enum class EpilogueType { F32, F16, BF16, I1, I8, I16, I32, I64 };

/// The C type that holds an epilogue value of `type` in an epilogue body:
/// `float` for the three float types (holding a value rounded to the type),
/// `bool` for i1, `intN_t` for the other integers.
const char *epilogueValueType(EpilogueType type);

/// The C type of an epilogue operand's elements in memory: `uint16_t` for
/// the bits of f16 and bf16, `uint8_t` for i1, else epilogueValueType.
const char *epilogueMemoryType(EpilogueType type);

/// The expression that turns `element`, an epilogue operand's element in
/// memory, into its epilogueValueType (calling the kernel's `f16ToF32` and
/// `bf16ToF32` for f16 and bf16).
std::string epilogueLoad(EpilogueType type, std::string_view element);

/// Which element of an epilogue operand an output element y[m, n] reads.
enum class EpilogueShape {
  N, ///< Shape [N], read at [n] for every row: a bias, a per-channel scale.
  MN ///< The output's shape [M, N], read at [m, n]: a residual.
};

/// One epilogue operand: a tensor the kernel receives through the
/// `epilogueOperands` argument.
struct EpilogueOperand {
  /// Element type in memory: `float`, the raw bits of f16 and bf16 as
  /// `uint16_t`, one byte per i1 (zero is false), `intN_t`.
  EpilogueType type = EpilogueType::F32;
  EpilogueShape shape = EpilogueShape::N;
};

/// A fused element-wise epilogue: C++ statements that compute each output
/// element from its accumulator and one element of each operand.
struct Epilogue {
  /// The operands, in the order of `e0`, `e1`, ... and of the pointers in
  /// the `epilogueOperands` argument.
  std::vector<EpilogueOperand> operands;
  /// C++ statements, one per line, run once per output element. They read
  /// `acc` (`float`: the f32 accumulator, bias included) and `e0`, `e1`, ...
  /// (operand i's element, of type epilogueValueType(operands[i].type)),
  /// and assign the result, rounded to the output type, to `float out`,
  /// which the kernel then stores. Besides <math.h> they may call the
  /// kernel's `roundF16(float)` and `roundBF16(float)` (round to the type,
  /// to nearest even, returned as float) and `maximumF(a, b)`,
  /// `minimumF(a, b)` (NaN-propagating, -0 below +0).
  std::string body;
};

/// The default CpuSchedule::panel: the fewest rows of M for which the
/// panel path beat the row tiles on the development machine.
constexpr int64_t kDefaultPanelRows = 8;

/// How a kernel walks its work. Every legal schedule computes the same
/// products (only the f32 summation order differs); lowbit-tune chooses one
/// per shape and machine (docs/tuning.md). The default is the heuristic
/// used without tuning.
struct CpuSchedule {
  /// Rows of M that share one decode of a weight vector: 1, 2, 4 or 8.
  /// Remainder rows (M mod rows) go in power-of-two tiles.
  int rows = 4;
  /// Independent accumulators per row in a full tile of `rows` rows (1, 2,
  /// 4 or 8): they hide the FMA latency. Remainder tiles of r rows use
  /// max(1, 4 / r). The scalar kernel ignores it.
  int accumulators = 1;
  /// Elements of K per pass over N (0: all of K in one pass). Each pass
  /// keeps its slice of the activations in the inner caches; partial sums
  /// go through an f32 buffer. A multiple of kBlockQuantum(spec), below K.
  int64_t kBlock = 0;
  /// OpenMP threads the schedule was chosen for (0: unspecified). Not part
  /// of the source: callers pass it as the kernel's `threads` argument.
  int threads = 0;
  /// The dequant kernels of the vector ISAs: calls with at least this many
  /// rows of M take the panel path instead of the row tiles (0: never).
  /// The panel path decodes a block of weight rows once into an f32 panel
  /// (scales and zero points applied) and multiplies it with register
  /// tiles of several rows and columns (docs/cpu-kernels.md). Other
  /// strategies and the scalar kernel ignore it.
  int64_t panel = kDefaultPanelRows;

  bool operator==(const CpuSchedule &other) const {
    return rows == other.rows && accumulators == other.accumulators &&
           kBlock == other.kBlock && threads == other.threads &&
           panel == other.panel;
  }
};

/// "rows=4,acc=1,kblock=0,threads=2,panel=8": the form --cpu-schedule and
/// the tuning database read and write.
std::string formatSchedule(const CpuSchedule &schedule);
/// Parses formatSchedule's form (any subset of the keys, in any order, the
/// rest at their defaults); nullopt with `error` set otherwise.
std::optional<CpuSchedule> parseSchedule(std::string_view text,
                                         std::string &error);

/// How a Lut kernel builds its tables (docs/lut-kernels.md).
struct LutOptions {
  /// Activations per table: 1, 2, 4 or 8 (a table holds 2^group sums).
  int group = 4;
  /// Keep the tables in f32. Otherwise the vector kernels round them to
  /// int8 (one scale per block of activations), which needs group 4: one
  /// 16-entry vpshufb or tbl table. The scalar kernel is always exact.
  bool exactTables = false;
};

/// Everything the generator needs to print one kernel.
struct KernelSpec {
  std::string name = "lowbit_kernel"; ///< The extern "C" symbol.
  Isa isa = Isa::AVX512;
  numerics::Format weight = numerics::Format::signedInt(4);
  numerics::Scheme scheme; ///< groupShape {1, G} over weights [N, K].
  ScalarType activation = ScalarType::F32;
  Strategy strategy = Strategy::Dequant;
  LutOptions lut; ///< Lut only.
  ScalarType output = ScalarType::F32;
  int64_t n = 0, k = 0; ///< Weights are [N, K]; M is a run-time argument.
  bool bias = false;
  /// Applied to every output element; changes the ABI (docs/cpu-kernels.md).
  std::optional<Epilogue> epilogue;
  CpuSchedule schedule;
};

/// An exact C++ literal of `value` rounded to f32, e.g. `0x1.8p+1f`;
/// infinities and NaN as `__builtin_inff()` and `__builtin_nanf("")`.
std::string floatLiteral(double value);

/// The group size along K of the spec's scheme.
int64_t groupSize(const KernelSpec &spec);

/// The packed weight layout a kernel for `spec` reads: rows of K codes in
/// numerics::laneLayout(bits, 32, isaLanes(isa)) for Dequant, and in
/// numerics::laneLayout(bits, 8, int8DotLanes(isa)) for Int8Dot (bytes, so
/// one shift and mask yield a register of consecutive 8-bit codes), and in
/// numerics::laneLayout(bits, 16, kBf16Lanes) for Bf16Dot (16-bit words, so
/// one shift yields a register of 32 consecutive codes in 16-bit lanes).
numerics::PackLayout weightLayout(const KernelSpec &spec);

/// 16-bit words of one weight vector in the Bf16Dot layout (one zmm), and
/// the multiple of it the group size must be.
constexpr unsigned kBf16Lanes = 32;

/// Bytes of one weight vector in the Int8Dot layout: 32 (AVX2 and scalar)
/// or 64 (AVX-512).
unsigned int8DotLanes(Isa isa);

/// The unit of CpuSchedule::kBlock: K-passes must start at a group boundary
/// and at a period of the weight layout, so kBlock is a multiple of
/// lcm(G, lanes * floor(32 / bits)) (lcm(G, 1) = G for the scalar kernel).
int64_t kBlockQuantum(const KernelSpec &spec);

/// The blocking of the panel path (CpuSchedule::panel) of a vector dequant
/// kernel: register tiles of `rows` activation rows by `cols` weight rows,
/// panels of `block` weight rows, decoded per chunk of `chunk` elements of
/// K (whole periods of the weight layout).
struct PanelShape {
  int rows = 0, cols = 0;
  int64_t block = 0, chunk = 0;
};
PanelShape panelShape(const KernelSpec &spec);

/// What the kernel for `spec` executes per vector of weights it decodes
/// (per code for the scalar kernel): the cost model's operation counts.
struct DecodeCost {
  const char *decode;   ///< table, convert, float-bits, gather, scalar-table
  double vectorOps;     ///< Masks, permutes, converts, blends (no shifts).
  double shifts;        ///< Vector shifts (a single port on many cores).
  double gathers;       ///< Gather instructions (microcoded on most cores).
  int fmasPerRow;       ///< FMAs per activation row: 2 for asym-fp, else 1.
};
DecodeCost decodeCost(const KernelSpec &spec);

/// "" when `name` is a C identifier (an extern "C" kernel symbol), else a
/// sentence saying it is not. Shared by the CPU and GPU generators.
std::string verifyKernelName(const std::string &name);

/// The strategy `--strategy=auto` picks for `spec` (its own strategy
/// ignored), by the heuristic of docs/cpu-kernels.md, read off the
/// measurements in docs/bench-strategies.md: lut for weights of at most 4
/// bits, else int8-dot; dequant for what neither takes.
Strategy autoStrategy(const KernelSpec &spec);

/// Checks that a kernel can be generated for `spec`: shapes, group shape
/// [1, G] dividing K, vector paths needing G to be a multiple of the lane
/// count, supported formats, a legal schedule. Returns "" or a sentence
/// naming the problem.
std::string verifyKernelSpec(const KernelSpec &spec);

/// The kernel's C++ source, or an error naming what cannot be generated.
struct EmitResult {
  std::string source;
  std::string error; ///< Empty on success.
};
EmitResult emitCpuKernel(const KernelSpec &spec);

} // namespace lowbit::cpu

#endif // LOWBIT_TARGET_CPU_CPUKERNEL_H
