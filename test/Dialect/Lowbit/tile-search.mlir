// The objectives of --lowbit-tile-search on a CPU whose busy cores draw far
// more power than the package idles at (Inputs/hot-cores.mlir): the mat-vec
// is bound by decode throughput, so two threads halve the time but spend
// about as much energy as one thread in twice the time; the pick turns on
// the objective.
// RUN: lowbit-opt %s --lowbit-tile-search="target=cpu-avx2 hardware=%S/Inputs/hot-cores.mlir objective=latency" | FileCheck %s --check-prefix=LATENCY
// RUN: lowbit-opt %s --lowbit-tile-search="target=cpu-avx2 hardware=%S/Inputs/hot-cores.mlir objective=energy" | FileCheck %s --check-prefix=ENERGY
// RUN: lowbit-opt %s --lowbit-tile-search="target=cpu-avx2 hardware=%S/Inputs/hot-cores.mlir objective=edp" | FileCheck %s --check-prefix=EDP
// RUN: lowbit-opt %s --lowbit-tile-search="target=cpu-avx2 hardware=%S/Inputs/hot-cores.mlir objective=energy-within=50" | FileCheck %s --check-prefix=WITHIN50
// RUN: lowbit-opt %s --lowbit-tile-search="target=cpu-avx2 hardware=%S/Inputs/hot-cores.mlir objective=energy-within=150" | FileCheck %s --check-prefix=WITHIN150

// Fastest: both cores.
// LATENCY-LABEL: func.func @matvec
// LATENCY: lowbit.schedule = {acc = {{[0-9]+}} : i64, energy_uj = {{.*}}, kblock = 0 : i64, objective = "latency", panel = 8 : i64, rows = 1 : i64, source = "model", target = "cpu-avx2", threads = 2 : i64, time_us = {{.*}}}
// Least energy: one core, about twice as long.
// ENERGY-LABEL: func.func @matvec
// ENERGY: lowbit.schedule = {{{.*}} objective = "energy", panel = 8 : i64, rows = 1 : i64, source = "model", target = "cpu-avx2", threads = 1 : i64
// Energy x delay: twice the speed for the same energy wins.
// EDP-LABEL: func.func @matvec
// EDP: objective = "edp", panel = 8 : i64, rows = 1 : i64, source = "model", target = "cpu-avx2", threads = 2 : i64
// One core is about 100 % slower: outside a 50 % bound, inside 150 %.
// WITHIN50-LABEL: func.func @matvec
// WITHIN50: objective = "energy-within=50", {{.*}} threads = 2 : i64
// WITHIN150-LABEL: func.func @matvec
// WITHIN150: objective = "energy-within=150", {{.*}} threads = 1 : i64
func.func @matvec(%x: tensor<1x4096xf32>, %q: tensor<11008x4096xsi4>, %s: tensor<11008x32xf16>) -> tensor<1x11008xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<1x4096xf32>, tensor<11008x4096xsi4>, tensor<11008x32xf16>) -> tensor<1x11008xf32>
  return %y : tensor<1x11008xf32>
}

// Sixteen rows: the panel path, each weight decoded once for all rows
// (docs/cpu-kernels.md), rather than the row tiles (panel = 0).
// LATENCY-LABEL: func.func @sixteen_rows
// LATENCY: objective = "latency", panel = 8 : i64, rows = 4 : i64, source = "model", target = "cpu-avx2", threads = 2 : i64
func.func @sixteen_rows(%x: tensor<16x4096xf32>, %q: tensor<4096x4096xsi4>, %s: tensor<4096x32xf16>) -> tensor<16x4096xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<16x4096xf32>, tensor<4096x4096xsi4>, tensor<4096x32xf16>) -> tensor<16x4096xf32>
  return %y : tensor<16x4096xf32>
}

// The cost model describes the dequant kernels: an int8-dot matmul keeps its
// emitter's default schedule.
// LATENCY-LABEL: func.func @int8_dot
// LATENCY-NOT: lowbit.schedule
// LATENCY: return
func.func @int8_dot(%x: tensor<1x4096xf32>, %q: tensor<4096x4096xsi4>, %s: tensor<4096x32xf16>) -> tensor<1x4096xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b strategy int8_dot
      : (tensor<1x4096xf32>, tensor<4096x4096xsi4>, tensor<4096x32xf16>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}
