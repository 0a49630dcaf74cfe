// RUN: lowbit-translate --emit-cuda --split-input-file --verify-diagnostics %s
// RUN: not lowbit-translate --emit-hip --split-input-file %s 2>&1 | FileCheck %s --check-prefix=HIP
// RUN: not lowbit-bench --target=cuda --act=f32 --m=1 --n=64 --k=256 --weight=int4 2>&1 | FileCheck %s --check-prefix=BENCH
// RUN: lowbit-opt %S/emit-cuda.mlir --split-input-file --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --split-input-file --gpu-tile=4,8,8,1 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: lowbit-opt %S/emit-cuda.mlir --split-input-file --lowbit-pack-weights="target=hip" | not lowbit-translate --emit-hip --split-input-file --gpu-tile=9,2,4,1 2>&1 | FileCheck %s --check-prefix=TILE9
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=hip" | not lowbit-translate --emit-hip --gpu-tile=2,2,4,1,3 2>&1 | FileCheck %s --check-prefix=STAGES-HIP
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --gpu-tile=2,2,4,1,1 2>&1 | FileCheck %s --check-prefix=STAGES-ONE
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --gpu-tile=4,2,4,1,6 2>&1 | FileCheck %s --check-prefix=STAGES-BIG
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --gpu-tile=2,2,4,1,3,2 2>&1 | FileCheck %s --check-prefix=TILE-SIX
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --gpu-tile=2,4,4,1,3,1,0 2>&1 | FileCheck %s --check-prefix=TILE-SEVEN
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=hip" | not lowbit-translate --emit-hip --gpu-tile=2,4,1,1,0,1 2>&1 | FileCheck %s --check-prefix=WGMMA-HIP
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --gpu-tile=2,2,4,1,0,1 2>&1 | FileCheck %s --check-prefix=WGMMA-WARPS
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --gpu-tile=3,4,1,1,0,1 2>&1 | FileCheck %s --check-prefix=WGMMA-TILES
// RUN: lowbit-opt %S/emit-cuda-stages.mlir --lowbit-pack-weights="target=cuda" | not lowbit-translate --emit-cuda --gpu-tile=8,4,8,1,8,1 2>&1 | FileCheck %s --check-prefix=WGMMA-SMEM
//
// gpu::verifyKernelSpec's own f32 message is what lowbit-bench reports (the
// translator rejects f32 activations before building a spec), and the tile
// configuration is only checked when --gpu-tile sets one.
// BENCH: lowbit-bench: error: GPU kernels take f16 or bf16 activations (the tensor cores' operand types), not f32
// TILE: error: 'lowbit.matmul' op cannot be emitted: the tile configuration (tilesN 4, warpsN 8, warpsK 8, splitK 1) is out of range: 1..8 tiles, at most 1024 threads per block
// TILE9: error: 'lowbit.matmul' op cannot be emitted: the tile configuration (tilesN 9, warpsN 2, warpsK 4, splitK 1) is out of range: 1..8 tiles, at most 1024 threads per block
// STAGES-HIP: error: 'lowbit.matmul' op cannot be emitted: cp.async stages (3) are for CUDA kernels; HIP kernels take 0
// STAGES-ONE: error: 'lowbit.matmul' op cannot be emitted: the number of cp.async stages must be 0 (weights double-buffered in registers) or 2..8, got 1
// STAGES-BIG: error: 'lowbit.matmul' op cannot be emitted: the cp.async stages take 393216 bytes of shared memory (stages x warps x tilesN x 512 x bits), more than the {{[0-9]+}} an sm_80 block has beside the reduction buffer; use fewer stages, warps or tiles
// TILE-SIX: error: --gpu-tile=2,2,4,1,3,2 is not four to six integers tilesN,warpsN,warpsK,splitK[,stages[,wgmma]] (wgmma 0 or 1)
// TILE-SEVEN: error: --gpu-tile=2,4,4,1,3,1,0 is not four to six integers
// WGMMA-HIP: error: 'lowbit.matmul' op cannot be emitted: wgmma is an sm_90a instruction: HIP kernels take 0 as --gpu-tile's sixth number
// WGMMA-WARPS: error: 'lowbit.matmul' op cannot be emitted: the wgmma kernel needs an even tilesN (two tiles fill a warp's 16 rows of A) and warpsN a multiple of 4 (a warpgroup is four warps along N), got tilesN 2, warpsN 2
// WGMMA-TILES: error: 'lowbit.matmul' op cannot be emitted: the wgmma kernel needs an even tilesN {{.*}}, got tilesN 3, warpsN 4
// WGMMA-SMEM: error: 'lowbit.matmul' op cannot be emitted: the cp.async stages take {{[0-9]+}} bytes of shared memory {{.*}} an sm_90 block has beside the reduction buffer and the wgmma activations; use fewer stages, warps or tiles
//
// What getGpuKernelSpec and gpu::verifyKernelSpec reject, one case each, as
// `lowbit-translate --emit-cuda` reports it. The second run checks that
// --emit-hip reports the same, naming its own target where a message names
// one.
// HIP: error: 'lowbit.matmul' op GPU kernels take f16 or bf16 activations
// HIP: error: 'lowbit.matmul' op cannot be emitted for hip: GPU kernels need K to be a multiple of 128
// HIP: error: 'lowbit.matmul' op cannot be emitted for hip: GPU kernels need a group size {{.*}}, got 96
// HIP: error: 'lowbit.matmul' op cannot be emitted for hip: GPU kernels need a group size {{.*}}, got 2
// HIP: error: 'lowbit.matmul' op cannot be emitted for hip: GPU kernels take schemes grouped along K only
// HIP: error: 'lowbit.matmul' op has unpacked weights; run --lowbit-pack-weights="target=hip" before emitting GPU code
// HIP: error: 'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 4, word = 32, aligned, lanes = 8>, not in the GPU layout; run --lowbit-pack-weights="target=hip"
// HIP: error: 'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 3, word = 32, aligned>, not in the GPU layout; run --lowbit-pack-weights="target=hip"
// HIP: error: 'lowbit.matmul' op cannot be emitted for hip: weight code 124 decodes to 65536.000000, which overflows f16
// HIP: error: 'lowbit.matmul' op GPU kernels accumulate in f32
// HIP: error: 'lowbit.matmul' op cannot be emitted for hip: the kernel name 'not-an-identifier' is not a C identifier
// HIP: error: function 'two' holds 2 lowbit.matmul ops
// HIP: error: no function holds a lowbit.matmul to emit
// HIP-NOT: cuda

// The weights are packed in the GPU layout (4-bit interleaved words) unless
// said otherwise: si4 [64, 256] -> 64 x 32 words.

func.func @f32_activations(%x: tensor<1x256xf32>, %p: tensor<64x32xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf32> {
  // expected-error @+1 {{'lowbit.matmul' op GPU kernels take f16 or bf16 activations and f32, f16 or bf16 results}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x256xf32>, tensor<64x32xi32>, tensor<64x2xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

func.func @k_not_128(%x: tensor<1x64xf16>, %p: tensor<64x8xi32>, %s: tensor<64x1xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for cuda: GPU kernels need K to be a multiple of 128 (lanes load whole 128-code chunks), got K = 64}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x64xf16>, tensor<64x8xi32>, tensor<64x1xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @group_96(%x: tensor<1x384xf16>, %p: tensor<64x48xi32>, %s: tensor<64x4xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for cuda: GPU kernels need a group size that divides 128 or is a multiple of 128 (and is a multiple of 4), got 96}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 96], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x384xf16>, tensor<64x48xi32>, tensor<64x4xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @group_2(%x: tensor<1x256xf16>, %p: tensor<64x32xi32>, %s: tensor<64x128xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for cuda: GPU kernels need a group size that divides 128 or is a multiple of 128 (and is a multiple of 4), got 2}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 2], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x256xf16>, tensor<64x32xi32>, tensor<64x128xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @group_rows(%x: tensor<1x256xf16>, %p: tensor<64x32xi32>, %s: tensor<32x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for cuda: GPU kernels take schemes grouped along K only (group [1, G])}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [2, 128], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x256xf16>, tensor<64x32xi32>, tensor<32x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @unpacked(%x: tensor<1x256xf16>, %q: tensor<64x256xsi4>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op has unpacked weights; run --lowbit-pack-weights="target=cuda" before emitting GPU code}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<1x256xf16>, tensor<64x256xsi4>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// Weights packed for a CPU ISA (--lowbit-pack-weights="isa=avx2").
func.func @cpu_layout(%x: tensor<1x256xf16>, %p: tensor<64x32xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 4, word = 32, aligned, lanes = 8>, not in the GPU layout; run --lowbit-pack-weights="target=cuda"}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      : (tensor<1x256xf16>, tensor<64x32xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// 3-bit codes packed aligned (10 per word, the CPU layout) instead of the
// GPU's plain bit stream.
func.func @aligned_3bit(%x: tensor<1x256xf16>, %p: tensor<64x26xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 3, word = 32, aligned>, not in the GPU layout; run --lowbit-pack-weights="target=cuda"}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed ui3 layout <bits = 3, word = 32, aligned>
      : (tensor<1x256xf16>, tensor<64x26xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// e5m2 without infinities (finite convention): its largest codes reach
// 1.75 * 2^16, past f16's 65504.
func.func @overflow_f16(%x: tensor<1x256xf16>, %p: tensor<64x64xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for cuda: weight code 124 decodes to 65536.000000, which overflows f16 activations' type; use bf16 activations}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed !lowbit.float<e5m2, finite> layout <bits = 8, word = 32, order = [0, 2, 1, 3], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x256xf16>, tensor<64x64xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @f16_accumulator(%x: tensor<1x256xf16>, %p: tensor<64x32xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op GPU kernels accumulate in f32, not 'f16'}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4> acc(f16)
      : (tensor<1x256xf16>, tensor<64x32xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// The function name becomes the extern "C" symbol.
func.func @"not-an-identifier"(%x: tensor<1x256xf16>, %p: tensor<64x32xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for cuda: the kernel name 'not-an-identifier' is not a C identifier (letters, digits and '_', not starting with a digit)}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x256xf16>, tensor<64x32xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// expected-error @+1 {{function 'two' holds 2 lowbit.matmul ops; the GPU emitter makes one kernel per function}}
func.func @two(%x: tensor<1x256xf16>, %p: tensor<64x32xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x256xf16>, tensor<64x32xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  %z = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
      : (tensor<1x256xf16>, tensor<64x32xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %z : tensor<1x64xf16>
}

// -----

// expected-error @+1 {{no function holds a lowbit.matmul to emit}}
module {
  func.func @empty() {
    return
  }
}
