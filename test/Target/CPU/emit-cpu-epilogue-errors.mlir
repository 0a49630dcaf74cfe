// RUN: lowbit-translate --emit-cpu --cpu-isa=avx2 --split-input-file --verify-diagnostics %s

// Ops without a C++ form in CPU epilogues are named at their location.
func.func @unsupported_op(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>, %c: tensor<8xi32>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      epilogue(%c : tensor<8xi32>) {
    ^bb0(%acc: f32, %count: i32):
      // expected-error @+1 {{op 'math.ctlz' is not supported in CPU epilogues}}
      %zeros = math.ctlz %count : i32
      %f = arith.sitofp %zeros : i32 to f32
      %sum = arith.addf %acc, %f : f32
      lowbit.yield %sum : f32
  } : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>, tensor<8xi32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @f64_value(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8> epilogue {
    ^bb0(%acc: f32):
      // expected-error @+1 {{op 'arith.extf' has a result of type 'f64', which CPU epilogues do not support; expected f16, bf16, f32, i1, i8, i16, i32, i64 or index}}
      %wide = arith.extf %acc : f32 to f64
      %back = arith.truncf %wide : f64 to f32
      lowbit.yield %back : f32
  } : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @rounding_mode(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>) -> tensor<1x8xf16> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8> epilogue {
    ^bb0(%acc: f32):
      // expected-error @+1 {{op 'arith.truncf' rounds toward_zero; CPU epilogues round to_nearest_even only}}
      %t = arith.truncf %acc toward_zero : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf16>
  return %y : tensor<1x8xf16>
}

// -----

func.func @operand_type(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>, %c: tensor<8xi4>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'lowbit.matmul' op epilogue operand #0 has element type 'i4', which CPU kernels do not read; expected f16, bf16, f32, i1, i8, i16, i32, i64 or index}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      epilogue(%c : tensor<8xi4>) {
    ^bb0(%acc: f32, %code: i4):
      %f = arith.uitofp %code : i4 to f32
      %sum = arith.addf %acc, %f : f32
      lowbit.yield %sum : f32
  } : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>, tensor<8xi4>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
