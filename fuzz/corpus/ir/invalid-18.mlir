func.func @epilogue_side_effect(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue {
    ^bb0(%acc: f32):
      %buf = memref.alloca() : memref<f32>
      memref.store %acc, %buf[] : memref<f32>
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}
