//===- CostModelTest.cpp - The cost model on hand-computed cases ----------===//
//
// Each expected value is worked out by hand in the comments, from the
// formulas in docs/tuning.md and the round figures of the test hardware.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Tune/CostModel.h"
#include "lowbit/Tune/Hardware.h"

#include <gtest/gtest.h>

using namespace lowbit;
using namespace lowbit::tune;

namespace {
/// A CPU with round figures: 1 GHz, 4 instructions (and 4 shifts) a cycle,
/// 1 FMA a cycle with latency 4, 64 B a cycle from L1, 1 GB/s from memory.
Hardware roundCpu(int64_t cores) {
  Hardware hw;
  hw.name = "round-cpu";
  hw.arch = "avx2";
  hw.cores = cores;
  hw.clockHz = 1e9;
  hw.fmaPerCycle = 1;
  hw.fmaLatencyCycles = 4;
  hw.vectorOpsPerCycle = 4;
  hw.vectorShiftsPerCycle = 4;
  hw.l1Bandwidth = 64e9;
  hw.l2Bandwidth = hw.l3Bandwidth = 32e9;
  hw.l1Bytes = 1 << 20; // activations always fit
  hw.dramBandwidthPerCore = 1e9;
  hw.dramBandwidth = 1.5e9;
  hw.dramLatencySeconds = 100e-9;
  hw.energyFmaPj = 10;
  hw.energyOpPj = 5;
  hw.energyL1PjPerByte = 1;
  hw.energyL2PjPerByte = 0;
  hw.energyDramPjPerByte = 100;
  hw.staticWatts = 1;
  hw.coreWatts = 2;
  return hw;
}

/// A GPU with round figures: 10 SMs at 1 GHz, 64 warps and 64 Ki
/// registers an SM, 1 TB/s from memory, 10 TB/s from L2, 1 PFLOP/s of f16
/// tensor work; no shared-memory limit unless a test sets one.
Hardware roundGpu() {
  Hardware hw;
  hw.gpu = true;
  hw.name = "round-gpu";
  hw.cores = 10;
  hw.clockHz = 1e9;
  hw.warpSize = 32;
  hw.maxWarpsPerCu = 64;
  hw.registersPerCu = 65536;
  hw.dramBandwidth = 1e12;
  hw.l2BandwidthTotal = 1e13;
  hw.tensorF16Flops = 1e15;
  hw.int32OpsPerCyclePerCu = 64;
  return hw;
}

/// One row of f16 activations, N = K = 1024 int4 weights, f16 scales in
/// groups of 128.
Problem int4GpuProblem() {
  Problem p;
  p.m = 1;
  p.n = 1024;
  p.k = 1024;
  p.weight = numerics::Format::signedInt(4);
  p.scheme.groupShape = {1, 128};
  p.scheme.scaleType = numerics::ScaleType::F16;
  p.activation = cpu::ScalarType::F16;
  return p;
}

/// int8 codes (4 a word), one group of 1024 with f32 scales, N = 1000.
Problem int8Problem() {
  Problem p;
  p.m = 1;
  p.n = 1000;
  p.k = 1024;
  p.weight = numerics::Format::signedInt(8);
  p.scheme.groupShape = {1, 1024};
  p.scheme.scaleType = numerics::ScaleType::F32;
  p.scheme.zeroPoint = numerics::ZeroPointMode::None;
  p.activation = cpu::ScalarType::F32;
  return p;
}
} // namespace

TEST(CostModel, WeightBytes) {
  // 256 words of 4 bytes and one f32 scale per row.
  EXPECT_DOUBLE_EQ(weightBytes(int8Problem(), 256), 1000.0 * (1024 + 4));
}

TEST(CostModel, CpuMemoryBoundMatVec) {
  Problem p = int8Problem();
  Hardware hw = roundCpu(1);
  cpu::CpuSchedule s{1, 4, 0, 1};
  Cost cost = predictCpu(p, cpu::Isa::AVX2, s, hw);
  // Per row, 128 vectors of 8: signed int8 decode in place = 2 ops (mask,
  // convert) + 0.25 (the flip, once per word of 4 codes) + 0.25 shifts (the
  // top field, once per word); loads 128 / 4 words + 128 activations = 160;
  // 128 FMAs; one flush of 2 * 4 + 4 = 12 ops.
  //   issue   = (288 + 32 + 160 + 128 + 12) / 4 = 155 cycles
  //   shifts  = 32; loads = 160 * 32 / 64 = 80; FMAs = 128
  //   latency = 128 / 4 chains * 4 = 128
  // max 155 + 25 per tile = 180 cycles; 1000 rows at 1 GHz: 180 us.
  EXPECT_NEAR(cost.computeSeconds, 180e-6, 1e-9);
  // 1,028,000 bytes at 1 GB/s.
  EXPECT_NEAR(cost.memorySeconds, 1028e-6, 1e-9);
  // Serial: 1024 activations * 1.5 cycles + 1 us.
  EXPECT_NEAR(cost.overheadSeconds, 2.536e-6, 1e-12);
  // max + 0.15 * min + overhead.
  EXPECT_NEAR(cost.seconds, 1028e-6 + 0.15 * 180e-6 + 2.536e-6, 1e-9);
  EXPECT_EQ(cost.limit, "memory");
  // Energy: 128,000 FMAs * 10 pJ, (620 - 128) * 1000 other ops * 5 pJ,
  // 160 * 32 * 1000 L1 bytes * 1 pJ, 1,028,000 DRAM bytes * 100 pJ, plus
  // (1 W + 1 core * 2 W) * time.
  double dynamic =
      (128e3 * 10 + 492e3 * 5 + 5.12e6 * 1 + 1.028e6 * 100) * 1e-12;
  EXPECT_NEAR(cost.joules, dynamic + 3 * cost.seconds, 1e-12);
}

TEST(CostModel, CpuSingleAccumulatorIsLatencyBound) {
  Problem p = int8Problem();
  Hardware hw = roundCpu(1);
  cpu::CpuSchedule s{1, 1, 0, 1};
  Cost cost = predictCpu(p, cpu::Isa::AVX2, s, hw);
  // One chain: 128 FMAs * 4 cycles = 512 > issue (flush 2 + 4 = 6:
  // (614) / 4 = 153.5); + 25 = 537 cycles a row.
  EXPECT_NEAR(cost.computeSeconds, 537e-6, 1e-9);
}

TEST(CostModel, CpuThreadsShareBandwidth) {
  Problem p = int8Problem();
  Hardware hw = roundCpu(2);
  cpu::CpuSchedule s{1, 4, 0, 2};
  Cost cost = predictCpu(p, cpu::Isa::AVX2, s, hw);
  // Two cores read 1.5 GB/s together (not 2): 1,028,000 B / 1.5e9.
  EXPECT_NEAR(cost.memorySeconds, 1.028e6 / 1.5e9, 1e-9);
  // 500 rows each.
  EXPECT_NEAR(cost.computeSeconds, 500 * 180e-9, 1e-9);
  // Waking the threads: 4 us, and 1 us for the one pass.
  EXPECT_NEAR(cost.overheadSeconds, 2.536e-6 + 5e-6, 1e-12);
}

TEST(CostModel, CpuPassesRestartStreams) {
  Problem p = int8Problem();
  p.scheme.groupShape = {1, 128};
  Hardware hw = roundCpu(1);
  Cost one = predictCpu(p, cpu::Isa::AVX2, {1, 4, 0, 1}, hw);
  Cost four = predictCpu(p, cpu::Isa::AVX2, {1, 4, 256, 1}, hw);
  // Groups of 16 vectors: per vector 2.5 decode ops + 1.25 loads + 1 FMA,
  // per group a flush of 12: issue (4.75 V + 12 V / 16) / 4 = 1.375 V,
  // above the latency of 4 chains (V / 4 * 4 = V).
  // One pass (V = 128): 176 + 25 = 201 cycles a row.
  EXPECT_NEAR(one.computeSeconds, 201e-6, 1e-9);
  // Four passes (V = 32): 4 * (44 + 25) + 3 partial sums * 6 = 294 cycles
  // a row, and each of the 4 pieces of 1000 rows stalls 100 ns.
  EXPECT_NEAR(four.computeSeconds, 294e-6 + 400e-6, 1e-9);
  EXPECT_NEAR(four.memorySeconds, one.memorySeconds, 1e-12);
}

TEST(CostModel, CpuPanelPath) {
  Problem p = int8Problem();
  p.m = 24;
  Hardware hw = roundCpu(1);
  Cost panel = predictCpu(p, cpu::Isa::AVX2, {4, 1, 0, 1, 8}, hw);
  // 1000 rows of N, 128 vectors of K each, tiles of 3 x 4, panels of 32
  // rows, one chunk of 1024 (32 periods of 32 int8 codes).
  //   decode: 1000 * 128 * (2.5 + 3) / 4 = 176,000 cycles
  //   FMAs 1000 * 24 * 128 = 3,072,000; loads 7/12 of them = 1,792,000
  //   (896,000 cycles from L1); issue (3,072,000 + 1,792,000 + 144,000
  //   reduction ops) / 4 = 1,252,000; activations 24 * 1024 * 4 B for
  //   each of 32 panels at 32 B a cycle = 98,304.
  // 176,000 + 3,072,000 cycles: FMA-bound.
  EXPECT_NEAR(panel.computeSeconds, 3.248e-3, 1e-9);
  EXPECT_EQ(panel.limit, "fma");
  // f32 activations are read in place: only the 1 us of allocation.
  EXPECT_NEAR(panel.overheadSeconds, 1e-6, 1e-12);
  // panel=0, and M below the threshold, keep the row tiles: 6 tiles of 4
  // rows, each latency-bound at 128 * 4 + 25 = 537 cycles a row of N.
  Cost rows = predictCpu(p, cpu::Isa::AVX2, {4, 1, 0, 1, 0}, hw);
  EXPECT_NEAR(rows.computeSeconds, 1000 * 6 * 537e-9, 1e-9);
  Cost high = predictCpu(p, cpu::Isa::AVX2, {4, 1, 0, 1, 25}, hw);
  EXPECT_NEAR(high.computeSeconds, rows.computeSeconds, 1e-12);
}

TEST(CostModel, CpuRegisters) {
  Problem p = int8Problem();
  // 4 rows x 2 accumulators + 4 row sums + 4 temporaries.
  EXPECT_EQ(cpuRegisters(p, cpu::Isa::AVX2, {4, 2, 0, 1}), 16);
  p.scheme.zeroPoint = numerics::ZeroPointMode::AsymFloat;
  // asym-fp doubles the accumulators.
  EXPECT_EQ(cpuRegisters(p, cpu::Isa::AVX2, {4, 2, 0, 1}), 24);
}

TEST(CostModel, Gpu) {
  Hardware hw = roundGpu();
  Problem p = int4GpuProblem();
  gpu::TileConfig tile{4, 2, 4, 1};
  Cost cost = predictGpu(p, gpu::Target::CUDA, tile, hw);
  // 8 * 4 * 2 = 64 columns a block: 16 blocks of 8 warps. Registers a
  // thread: 48 + 8 * 4 * 4 / 4 + 8 * 4 = 112, so 65536 / (112 * 256) = 2
  // blocks an SM (warps allow 8): 20 slots, one wave, 16 / 20 busy.
  // In flight: 128 warps * 32 lanes * 16 B * 4 tiles = 262,144 B of the
  // 1e12 * 800 ns = 800,000 needed: 0.32768 of the bandwidth.
  // Bytes: 1024 rows * (128 words * 4 + 8 scales * 2) = 540,672 weights
  // + 1024 * 2 * 16 activations = 573,440 at 1e12 * 0.32768 * (0.5 + 0.4);
  // each of the 16 * 2 warp columns reads the activations from L2:
  // 1 * 1024 * 2 * 32 = 65,536 B at 1e13.
  double memory = 573440.0 / (1e12 * 0.32768 * 0.9) + 65536.0 / 1e13;
  EXPECT_NEAR(cost.memorySeconds, memory, 1e-12);
  // Tensor: M = 1 runs the swapped kernel (tiles_n is even), whose mma
  // pads the activations to 8 columns: 2 * 8 * 1024 * 1024 / 1e15; decode
  // 1.5 ops a code on 64 * 10 * 1e9 ops/s; over 0.8 busy.
  double compute =
      (2.0 * 8 * 1024 * 1024 / 1e15 + 1024.0 * 1024 * 1.5 / 6.4e11) / 0.8;
  EXPECT_NEAR(cost.computeSeconds, compute, 1e-12);
  EXPECT_NEAR(cost.seconds, compute + 0.15 * memory + 3e-6, 1e-12);
  EXPECT_EQ(cost.limit, "compute");
  // Split K by 4: 64 blocks, 4 waves of 20 slots: workspace 1 * 1024 * 4 *
  // 2 * 4 bytes over L2 and 1 us more.
  Cost split = predictGpu(p, gpu::Target::CUDA, {4, 2, 4, 4}, hw);
  EXPECT_NEAR(split.overheadSeconds, 3e-6 + 32768.0 / 1e13 + 1e-6, 1e-12);
  // M = 9 takes the unswapped kernel: M pads to 16 rows.
  p.m = 9;
  Cost rows = predictGpu(p, gpu::Target::CUDA, tile, hw);
  EXPECT_NEAR(rows.computeSeconds,
              (2.0 * 16 * 1024 * 1024 / 1e15 + 1024.0 * 1024 * 1.5 / 6.4e11) /
                  0.8,
              1e-12);
}

TEST(CostModel, GpuStages) {
  Hardware hw = roundGpu();
  hw.sharedBytesPerCu = 200000;
  Problem p = int4GpuProblem();
  // 2 tiles, 2 x 4 warps, 3 stages: 8 * 2 * 2 = 32 columns, 32 blocks.
  // Registers allow 65536 / (104 * 256) = 2 blocks an SM, but each takes
  // 3 * 8 warps * 2 tiles * 32 * 16 * 4 = 98,304 B of stages and
  // 4 * 16 * 36 * 4 = 9,216 of reduction buffer: one block in 200,000 B.
  // 10 slots, 4 waves, 32 / 40 busy; 80 warps keep 2 steps of 2 tiles in
  // flight: 80 * 32 * 16 * 2 * 2 = 163,840 B of 800,000: 0.2048.
  // Bytes: 540,672 weights + 1 * 1024 * 2 * 32 activations, and 32 * 2
  // warp columns read the activations from L2.
  Cost staged = predictGpu(p, gpu::Target::CUDA, {2, 2, 4, 1, 3}, hw);
  double memory =
      (540672.0 + 65536.0) / (1e12 * 0.2048 * 0.9) + 131072.0 / 1e13;
  EXPECT_NEAR(staged.memorySeconds, memory, 1e-12);
  // With room for both blocks: 20 slots, 2 waves, busy 0.8 again, twice the
  // warps in flight.
  hw.sharedBytesPerCu = 233472;
  Cost roomy = predictGpu(p, gpu::Target::CUDA, {2, 2, 4, 1, 3}, hw);
  EXPECT_NEAR(roomy.memorySeconds,
              (540672.0 + 65536.0) / (1e12 * 0.4096 * 0.9) + 131072.0 / 1e13,
              1e-12);
  // Without stages one step is in flight.
  Cost registers = predictGpu(p, gpu::Target::CUDA, {2, 2, 4, 1, 0}, hw);
  EXPECT_GT(registers.memorySeconds, roomy.memorySeconds);
}
