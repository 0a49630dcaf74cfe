// RUN: lowbit-translate --emit-cpu --cpu-isa=avx2 --split-input-file --verify-diagnostics %s

func.func @unpacked(%x: tensor<1x64xf32>, %q: tensor<8x64xsi4>, %s: tensor<8x1xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'lowbit.matmul' op has unpacked weights; run --lowbit-pack-weights before emitting CPU code}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f32> transpose_b
      : (tensor<1x64xf32>, tensor<8x64xsi4>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @wrong_lanes(%x: tensor<1x64xf32>, %p: tensor<8x16xi32>, %s: tensor<8x1xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 4, word = 32, aligned, lanes = 16> but the avx2 dequant kernel reads lanes = 8 of 32-bit words; run --lowbit-pack-weights with isa=avx2}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 16>
      : (tensor<1x64xf32>, tensor<8x16xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// The int8-dot strategy reads bytes.
func.func @int8_dot_words(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 4, word = 32, aligned, lanes = 8> but the avx2 int8-dot kernel reads lanes = 32 of 8-bit words; run --lowbit-pack-weights with isa=avx2}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b strategy int8_dot
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @f16_accumulator(%x: tensor<1x64xf16>, %p: tensor<8x8xi32>, %s: tensor<8x1xf16>) -> tensor<1x8xf16> {
  // expected-error @+1 {{'lowbit.matmul' op CPU kernels accumulate in f32, not 'f16'}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8> acc(f16)
      : (tensor<1x64xf16>, tensor<8x8xi32>, tensor<8x1xf16>) -> tensor<1x8xf16>
  return %y : tensor<1x8xf16>
}

// -----

func.func @small_group(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x16xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for the CPU: the avx2 kernel needs a group size that is a multiple of 8, got 4; use the scalar kernel}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 4], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x16xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// expected-error @+1 {{function 'two' holds 2 lowbit.matmul ops; the CPU emitter makes one kernel per function}}
func.func @two(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  %z = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return %z : tensor<1x8xf32>
}

// -----

// expected-error @+1 {{no function holds a lowbit.matmul to emit}}
module {
  func.func @empty() {
    return
  }
}
