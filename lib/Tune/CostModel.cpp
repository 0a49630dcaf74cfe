//===- CostModel.cpp - Latency and energy of a low-bit matmul -------------===//
//
// The terms are derived in docs/tuning.md; the comments here name them.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Tune/CostModel.h"

#include <algorithm>
#include <cmath>

using namespace lowbit;
using namespace lowbit::tune;

namespace {
constexpr double kPico = 1e-12;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Bytes of one stored scale.
double scaleBytes(numerics::ScaleType type) {
  switch (type) {
  case numerics::ScaleType::F32:
    return 4;
  case numerics::ScaleType::F16:
  case numerics::ScaleType::BF16:
    return 2;
  default:
    return 1;
  }
}

int64_t groupOf(const Problem &p) {
  return p.scheme.groupShape.size() == 2 && p.scheme.groupShape[1] > 0
             ? p.scheme.groupShape[1]
             : p.k;
}

/// Combines a compute and a memory time that overlap imperfectly.
double overlapped(double compute, double memory, double overlap) {
  return std::max(compute, memory) + overlap * std::min(compute, memory);
}

/// The calibrated times of a prediction: compute and memory scaled and
/// overlapped, plus the overheads.
void setTimes(Cost &cost, double compute, double memory, double overhead,
              const Calibration &calibration) {
  cost.computeSeconds = calibration.compute * compute;
  cost.memorySeconds = calibration.memory * memory;
  cost.overheadSeconds = overhead + calibration.fixedSeconds;
  cost.seconds = overlapped(cost.computeSeconds, cost.memorySeconds,
                            calibration.overlap) +
                 cost.overheadSeconds;
}
} // namespace

double lowbit::tune::weightBytes(const Problem &p, int64_t wordsPerRow) {
  int64_t groups = p.k / groupOf(p);
  double perGroup = scaleBytes(p.scheme.scaleType);
  if (p.scheme.zeroPoint == numerics::ZeroPointMode::Integer ||
      p.scheme.zeroPoint == numerics::ZeroPointMode::Float)
    perGroup += 4; // f32 zero points
  if (p.scheme.zeroPoint == numerics::ZeroPointMode::AsymFloat)
    perGroup += scaleBytes(p.scheme.scaleType);
  return double(p.n) * (double(wordsPerRow) * 4 + double(groups) * perGroup);
}

//===----------------------------------------------------------------------===//
// CPU
//===----------------------------------------------------------------------===//

cpu::KernelSpec lowbit::tune::cpuKernelSpec(const Problem &p, cpu::Isa isa,
                                            const cpu::CpuSchedule &schedule) {
  cpu::KernelSpec spec;
  spec.isa = isa;
  spec.weight = p.weight;
  spec.scheme = p.scheme;
  spec.activation = spec.output = p.activation;
  spec.n = p.n;
  spec.k = p.k;
  spec.schedule = schedule;
  return spec;
}

gpu::KernelSpec lowbit::tune::gpuKernelSpec(const Problem &p,
                                            gpu::Target target) {
  gpu::KernelSpec spec;
  spec.target = target;
  spec.weight = p.weight;
  spec.scheme = p.scheme;
  spec.activation = spec.output = p.activation == cpu::ScalarType::F32
                                      ? cpu::ScalarType::F16
                                      : p.activation;
  spec.n = p.n;
  spec.k = p.k;
  return spec;
}

int64_t lowbit::tune::cpuRegisters(const Problem &p, cpu::Isa isa,
                                   const cpu::CpuSchedule &schedule) {
  cpu::KernelSpec spec = cpuKernelSpec(p, isa, schedule);
  cpu::DecodeCost decode = cpu::decodeCost(spec);
  int64_t accumulators =
      int64_t(schedule.rows) * schedule.accumulators * decode.fmasPerRow;
  int64_t tables = std::string(decode.decode) == "table"
                       ? (p.weight.bits() > (isa == cpu::Isa::AVX512 ? 4 : 3)
                              ? 2
                              : 1) * decode.fmasPerRow
                       : 0;
  // Row sums yv, the loaded words, a code, a decoded vector, an activation.
  return accumulators + schedule.rows + tables + 4;
}

Cost lowbit::tune::predictCpu(const Problem &p, cpu::Isa isa,
                              const cpu::CpuSchedule &schedule,
                              const Hardware &hw,
                              const Calibration &calibration) {
  cpu::KernelSpec spec = cpuKernelSpec(p, isa, schedule);
  cpu::DecodeCost decode = cpu::decodeCost(spec);
  const bool scalar = isa == cpu::Isa::Scalar;
  const double bits = p.weight.bits();
  const int64_t layoutLanes = cpu::isaLanes(isa);
  // Lanes of one instruction: the scalar kernel does one code at a time.
  const int64_t lanes = scalar ? 1 : layoutLanes;
  const int64_t perWord = 32 / int64_t(bits);
  const int64_t group = groupOf(p);
  const int64_t threads =
      std::clamp<int64_t>(schedule.threads > 0 ? schedule.threads : hw.cores,
                          1, std::max<int64_t>(hw.cores, 1));
  const int64_t kBlock =
      schedule.kBlock > 0 && schedule.kBlock < p.k ? schedule.kBlock : p.k;
  const int64_t passes = ceilDiv(p.k, kBlock);
  // An instruction of the ISA's full width counts once: the description's
  // throughputs are in full-width instructions (two 128-bit halves on cores
  // that split 256-bit operations are one instruction at half rate).
  const double issueRate = hw.vectorOpsPerCycle;
  const double fmaRate = hw.fmaPerCycle;

  // Cycles of one row of N over `vectors` vectors of K for a tile of
  // `rows` rows with `acc` accumulators per row.
  Cost cost;
  double vectorOps = 0, fmas = 0, l1Bytes = 0;
  // Bytes one cycle loads from L1.
  const double l1BytesPerCycle = hw.l1Bandwidth / hw.clockHz;
  auto tileCycles = [&](int64_t vectors, int64_t rows, int64_t acc) {
    const double v = double(vectors);
    const double r = double(rows);
    const double groups = double(vectors * lanes) / double(group);
    const double wordLoads = v / double(scalar ? 1 : perWord);
    // Per vector: the decode (once per tile), then per row an activation
    // load and the FMAs; per group and row the accumulator flush.
    double decodeOps = v * decode.vectorOps;
    double shifts = v * decode.shifts;
    double loads = wordLoads + v * r;
    double tileFmas = v * r * decode.fmasPerRow;
    double flushOps = groups * r * (2.0 * double(acc) + 4.0);
    double issue = (decodeOps + shifts + loads + tileFmas + flushOps) /
                       issueRate +
                   v * decode.gathers * 8.0; // microcoded gathers
    double shiftBound = shifts / hw.vectorShiftsPerCycle;
    double loadBound = loads * double(lanes) * 4 / l1BytesPerCycle;
    double fmaBound = tileFmas / fmaRate;
    // Each row's accumulators form `acc` chains (only as many as codes per
    // word and vectors per group, the kernel's rotation); all rows' chains
    // are in flight together.
    // Accumulators restart from zero at every group, so out-of-order
    // execution overlaps the chains of as many groups as its reorder
    // buffer holds.
    int64_t perGroup = std::max<int64_t>(1, group / lanes);
    double perVector = decode.vectorOps + decode.shifts +
                       1.0 / double(scalar ? 1 : perWord) +
                       r * (1.0 + decode.fmasPerRow);
    double groupOps =
        double(perGroup) * perVector + r * (2.0 * double(acc) + 4.0);
    double groupsInFlight =
        std::max(1.0, std::floor(double(hw.reorderBuffer) / groupOps));
    double chains = double(std::min<int64_t>(
                        {int64_t(acc), scalar ? 1 : perWord, perGroup})) *
                    groupsInFlight;
    double latency = v / chains * hw.fmaLatencyCycles;
    vectorOps += decodeOps + shifts + loads + tileFmas + flushOps;
    fmas += tileFmas;
    l1Bytes += loads * double(lanes) * 4;
    double cycles = std::max({issue, shiftBound, loadBound, fmaBound, latency});
    if (cycles == latency)
      cost.limit = "latency";
    else if (cycles == shiftBound)
      cost.limit = "shift";
    else if (cycles == loadBound)
      cost.limit = "load";
    else if (cycles == fmaBound)
      cost.limit = "fma";
    else
      cost.limit = "issue";
    return cycles + 25.0; // reduction, stores, call
  };
  // The panel path (calls of at least `panel` rows): each weight decoded
  // once into the panel, then FMA-bound register tiles; the activations are
  // re-read once per panel of weight rows.
  const bool panelPath = !scalar && schedule.panel > 0 && p.m >= schedule.panel;
  double compute = 0;
  const int64_t rowsPerThread = ceilDiv(p.n, threads);
  if (panelPath) {
    cpu::PanelShape shape = cpu::panelShape(spec);
    const double n = double(rowsPerThread), m = double(p.m);
    const double vectors = double(p.k / layoutLanes);
    // Per weight vector: the decode, the scale's broadcast and FMA, the
    // store; per word a load.
    double decodeOps = n * vectors * (decode.vectorOps + decode.shifts + 3.0);
    // As in the row tiles: the issue, or the shifts on their own port, and
    // microcoded gathers.
    double decodeCycles =
        std::max(decodeOps / issueRate,
                 n * vectors * decode.shifts / hw.vectorShiftsPerCycle) +
        n * vectors * decode.gathers * 8.0;
    double tileFmas = n * m * vectors;
    double tileLoads = tileFmas * double(shape.rows + shape.cols) /
                       double(shape.rows * shape.cols);
    double chunks = double(ceilDiv(p.k, shape.chunk));
    double reduceOps = n * m * chunks * 6.0;
    double fmaBound = tileFmas / fmaRate;
    double loadBound = tileLoads * double(lanes) * 4 / l1BytesPerCycle;
    double issue = (tileFmas + tileLoads + reduceOps) / issueRate;
    // Activations: all M rows once per panel of weight rows, from L2 when
    // a chunk of them fits there, else from L3.
    double xBytes =
        m * double(p.k) * 4 * double(ceilDiv(rowsPerThread, shape.block));
    double xBandwidth = m * double(shape.chunk) * 4 <= 0.75 * double(hw.l2Bytes)
                            ? hw.l2Bandwidth
                            : hw.l3Bandwidth;
    double xCycles = xBandwidth > 0 ? xBytes / xBandwidth * hw.clockHz : 0;
    double tile = std::max({fmaBound, loadBound, issue, xCycles});
    cost.limit = tile == fmaBound    ? "fma"
                 : tile == loadBound ? "load"
                 : tile == issue     ? "issue"
                                     : "cache";
    compute = (decodeCycles + tile) / hw.clockHz;
    // Per row of N, as the row path counts them.
    vectorOps = (decodeOps + tileFmas + tileLoads + reduceOps) / n;
    fmas = tileFmas / n;
    l1Bytes = tileLoads * double(lanes) * 4 / n;
  } else {
    // One row of N, all passes.
    double rowCycles = 0;
    for (int64_t pass = 0; pass < passes; ++pass) {
      int64_t kLen = std::min(kBlock, p.k - pass * kBlock);
      int64_t vectors = scalar ? kLen : kLen / lanes;
      double passCycles = 0;
      int64_t m0 = 0;
      int64_t full = p.m / schedule.rows;
      passCycles += double(full) *
                    tileCycles(vectors, schedule.rows, schedule.accumulators);
      m0 = full * schedule.rows;
      for (int rows = schedule.rows / 2; rows >= 1; rows /= 2)
        if (m0 + rows <= p.m) {
          passCycles += tileCycles(vectors, rows, std::max(1, 4 / rows));
          m0 += rows;
        }
      // Activations of every row for this pass, re-read for each row of N:
      // from L1 when they fit beside the weight row, else from L2 or L3.
      double xBytes = double(p.m) * double(kLen) * 4;
      double levelBandwidth = 0;
      if (xBytes > 0.75 * double(hw.l1Bytes))
        levelBandwidth = xBytes <= 0.75 * double(hw.l2Bytes) ? hw.l2Bandwidth
                                                             : hw.l3Bandwidth;
      if (levelBandwidth > 0) {
        double cacheCycles = xBytes / levelBandwidth * hw.clockHz;
        passCycles = std::max(passCycles, cacheCycles);
      }
      if (passes > 1 && pass + 1 < passes)
        passCycles += double(p.m) * 6; // partial sums read and written
      rowCycles += passCycles;
    }
    compute = double(rowsPerThread) * rowCycles / hw.clockHz;
    // Several passes over K read each row in pieces: every piece restarts a
    // hardware prefetch stream, and the core stalls for one memory latency
    // (rows within one pass are not contiguous).
    if (passes > 1)
      compute += double(rowsPerThread) * double(passes) * hw.dramLatencySeconds;
  }
  // The thread that streams the most rows streams its share of bytes at the
  // bandwidth the active cores get together.
  int64_t wordsPerRow = cpu::weightLayout(spec).wordsPerRow(p.k);
  double wBytes = weightBytes(p, wordsPerRow);
  double bandwidth = std::min(double(threads) * hw.dramBandwidthPerCore,
                              hw.dramBandwidth);
  double memory =
      wBytes / bandwidth * double(rowsPerThread * threads) / double(p.n);
  // Serial work: converting activations and their group sums, allocation;
  // then waking the threads, and a barrier per pass.
  // (The panel path reads f32 activations in place and has no passes.)
  double perElement = p.activation != cpu::ScalarType::F32 ? 4.0
                      : panelPath                          ? 0.0
                                                           : 1.5;
  double barriers = panelPath ? 1.0 : double(passes);
  double overhead = (double(p.m) * double(p.k)) * perElement / hw.clockHz +
                    1e-6 + (threads > 1 ? 4e-6 + barriers * 1e-6 : 0.0);
  setTimes(cost, compute, memory, overhead, calibration);
  if (cost.memorySeconds >= cost.computeSeconds)
    cost.limit = "memory";
  cost.dramBytes = wBytes;
  cost.operations = vectorOps * double(p.n);
  // Energy: instructions, bytes at each level, and power drawn while the
  // call runs (the package's static power and each busy core's).
  double dynamic =
      (fmas * double(p.n)) * hw.energyFmaPj +
      (vectorOps - fmas) * double(p.n) * hw.energyOpPj +
      l1Bytes * double(p.n) * hw.energyL1PjPerByte +
      wBytes * (hw.energyDramPjPerByte + hw.energyL2PjPerByte);
  cost.joules = dynamic * kPico +
                (hw.staticWatts + double(threads) * hw.coreWatts) *
                    cost.seconds;
  return cost;
}

//===----------------------------------------------------------------------===//
// GPU
//===----------------------------------------------------------------------===//

Cost lowbit::tune::predictGpu(const Problem &p, gpu::Target target,
                              const gpu::TileConfig &tile, const Hardware &hw,
                              const Calibration &calibration) {
  Cost cost;
  gpu::KernelSpec spec = gpuKernelSpec(p, target);
  const int64_t warp = hw.warpSize;
  const int64_t columns =
      int64_t(gpu::tileColumns(target)) * tile.tilesN * tile.warpsN;
  const int64_t blocksN = ceilDiv(p.n, columns);
  const int64_t blocks = blocksN * tile.splitK;
  const int64_t warpsPerBlock = int64_t(tile.warpsN) * tile.warpsK;
  // M <= 8 runs the kernel with swapped operands where there is one: the
  // activations are the mma's 8-column B operand instead of 16 A rows.
  const bool swapped = p.m <= 8 && gpu::hasSwappedKernel(spec, tile);
  // Steps of weights in flight per lane and tile: one while the previous
  // step decodes (double-buffered in registers), or stages - 1 with cp.async
  // stages in shared memory.
  const int64_t stepsAhead = tile.stages > 0 ? tile.stages - 1 : 1;
  // Occupancy: kernels are built for one block per SM/CU at least; more fit
  // when warps, registers and shared memory allow (a lane holds 4 * bits
  // words per tile, double-buffered, plus accumulators and decode
  // temporaries).
  const double bits = p.weight.bits();
  int64_t regsPerThread =
      std::min<int64_t>(255, 48 + int64_t(8 * bits * tile.tilesN / 4) +
                                 8 * tile.tilesN);
  int64_t byWarps = hw.maxWarpsPerCu / std::max<int64_t>(warpsPerBlock, 1);
  int64_t byRegs =
      hw.registersPerCu / std::max<int64_t>(regsPerThread * warp *
                                                warpsPerBlock, 1);
  int64_t perCu = std::max<int64_t>(1, std::min(byWarps, byRegs));
  if (target == gpu::Target::CUDA) {
    // ptxas takes what __launch_bounds__ allows (all 255 registers when the
    // kernel is built for one block an SM): about 80 + 3 b tiles_n
    // registers a thread were seen on sm_90a, with or without stages (int4,
    // 2 tiles: 124 registers, 123 with 3 stages), and the blocks the kernel
    // is built for always fit.
    int64_t threads = warp * warpsPerBlock;
    int64_t seen = 80 + int64_t(3 * bits) * tile.tilesN;
    int64_t built = gpu::minBlocksPerMultiprocessor(spec, tile, swapped);
    perCu = std::max<int64_t>(
        1, std::min(byWarps, std::max(built, hw.registersPerCu /
                                                  (seen * threads))));
  }
  if (hw.sharedBytesPerCu > 0) {
    int64_t shared =
        gpu::stageBytes(spec, tile) + gpu::reductionBytes(spec, tile);
    perCu = std::max<int64_t>(
        1, std::min(perCu, hw.sharedBytesPerCu / std::max<int64_t>(shared, 1)));
  }
  int64_t slots = hw.cores * perCu;
  int64_t waves = ceilDiv(blocks, slots);
  // Tail: the last wave runs its blocks on fewer SMs; in a memory-bound
  // kernel the busy SMs then get more bandwidth each, so only part of the
  // idle fraction is lost.
  double busy = double(blocks) / double(waves * slots);
  double activeWarps = double(std::min(blocks, slots) * warpsPerBlock);
  // Bytes in flight: each warp keeps one 16-byte load per lane per tile
  // outstanding while it decodes the previous step (double buffering), or
  // stages - 1 of them with cp.async stages.
  double inFlight =
      activeWarps * double(warp) * 16.0 * tile.tilesN * double(stepsAhead);
  double needed = hw.dramBandwidth * 800e-9; // Little's law, ~800 ns
  double bandwidthFraction = std::min(1.0, inFlight / needed);
  int64_t wordsPerRow = gpu::weightLayout(p.weight.bits()).wordsPerRow(p.k);
  double wBytes = weightBytes(p, wordsPerRow);
  double actBytes = (double(p.m) * double(p.k)) * 2 * double(blocksN);
  // Every warp along N reads its M tile's activations for its share of K
  // (16-byte loads through L1 from L2): rows x K x 2 bytes per warp column.
  // With M = 16 this traffic outweighs the weights' unless a warp holds
  // several tiles.
  double actL2Bytes =
      double(p.m) * double(p.k) * 2 * double(blocksN) * double(tile.warpsN);
  double memory = (wBytes + std::min(actBytes, wBytes)) /
                      (hw.dramBandwidth * bandwidthFraction *
                       (0.5 + 0.5 * busy)) +
                  actL2Bytes / hw.l2BandwidthTotal;
  // Compute: tensor-core work on M padded to the instruction's 16 rows (8
  // columns for the swapped kernel), and the integer decode (about 1.5
  // operations per code with the magic-number decode, 3 for float bits and
  // tables).
  double paddedM = swapped ? 8.0 : std::ceil(double(p.m) / 16) * 16;
  double flops = 2.0 * paddedM * double(p.n) * double(p.k);
  double opsPerCode =
      gpu::chooseDecode(spec) == gpu::Decode::Magic ? 1.5 : 3.0;
  double intOps = double(p.n) * double(p.k) * opsPerCode;
  double intRate = hw.int32OpsPerCyclePerCu * double(hw.cores) * hw.clockHz;
  double compute = (flops / hw.tensorF16Flops + intOps / intRate) /
                   std::max(busy, 1e-3);
  // Split K: every split writes M x N f32 partial sums and the last block
  // of each column tile reads them back.
  double splitBytes =
      tile.splitK > 1 ? (double(p.m) * double(p.n)) * 4 * 2 * tile.splitK : 0;
  double overhead = 3e-6 + splitBytes / hw.l2BandwidthTotal +
                    (tile.splitK > 1 ? 1e-6 : 0);
  setTimes(cost, compute, memory, overhead, calibration);
  cost.limit = cost.memorySeconds >= cost.computeSeconds ? "memory"
                                                          : "compute";
  cost.dramBytes = wBytes + actBytes;
  cost.operations = intOps;
  double dynamic = flops * hw.energyTensorPjPerFlop +
                   intOps * hw.energyIntOpPj +
                   cost.dramBytes * hw.energyDramPjPerByte +
                   (cost.dramBytes + splitBytes) * hw.energyL2PjPerByte +
                   wBytes * hw.energySharedPjPerByte;
  // Idle SMs still draw static power; busy ones draw it too.
  cost.joules = dynamic * kPico + hw.staticWatts * cost.seconds;
  return cost;
}
