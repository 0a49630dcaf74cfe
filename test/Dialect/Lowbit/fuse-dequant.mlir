// RUN: lowbit-opt %s --lowbit-fuse-dequant --split-input-file | FileCheck %s
// RUN: lowbit-opt %S/../../../examples/mlp.mlir --lowbit-fuse-dequant | FileCheck %s --check-prefix=MLP

// examples/mlp.mlir: both layers become lowbit.matmul (layer 1 on the
// unpacked codes, with the SiLU in its epilogue); the offline conversion is
// left as it is.
// MLP-LABEL: func.func @packed_layer1
// MLP: lowbit.quantize
// MLP: lowbit.pack
// MLP-LABEL: func.func @forward
// MLP-SAME: (%[[X:.*]]: tensor<1x64xf32>, %[[W1:.*]]: tensor<16x8xi32>, %[[S1:.*]]: tensor<16x2xf16>, %[[Z1:.*]]: tensor<16x2xui4>, %[[W2:.*]]: tensor<8x16x!lowbit.codebook<nf4>>, %[[S2:.*]]: tensor<8x1xf32>)
// MLP: %[[Q1:.*]] = lowbit.unpack %[[W1]]
// MLP: %[[H:.*]] = lowbit.matmul %[[X]], %[[Q1]], %[[S1]] zeros %[[Z1]] scheme <group = [1, 32], scale = f16, zero = int> transpose_b epilogue {
// MLP: math.exp
// MLP: arith.divf
// MLP: } : (tensor<1x64xf32>, tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>) -> tensor<1x16xf32>
// MLP-NEXT: %[[Y:.*]] = lowbit.matmul %[[H]], %[[W2]], %[[S2]] scheme <group = [1, 16], scale = f32> transpose_b : (tensor<1x16xf32>, tensor<8x16x!lowbit.codebook<nf4>>, tensor<8x1xf32>) -> tensor<1x8xf32>
// MLP-NEXT: return %[[Y]]

//===----------------------------------------------------------------------===//
// Dequantize into contraction
//===----------------------------------------------------------------------===//

// Default linalg.matmul maps: weights stored [K, N].
// CHECK-LABEL: func.func @matmul_kn
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf32>, %[[Q:.*]]: tensor<64x16xsi4>, %[[S:.*]]: tensor<2x16xf16>)
// CHECK-NOT: lowbit.dequantize
// CHECK-NOT: linalg.fill
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [32, 1], scale = f16> : (tensor<4x64xf32>, tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<4x16xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @matmul_kn(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Transposed-weight maps: weights stored [N, K]; zero points carried over.
// CHECK-LABEL: func.func @matmul_nk_gptq
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf16>, %[[Q:.*]]: tensor<16x64xui4>, %[[S:.*]]: tensor<16x2xf16>, %[[Z:.*]]: tensor<16x2xui4>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] zeros %[[Z]] scheme <group = [1, 32], scale = f16, zero = int> transpose_b : (tensor<4x64xf16>, tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>) -> tensor<4x16xf16>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @matmul_nk_gptq(%x: tensor<4x64xf16>, %q: tensor<16x64xui4>, %s: tensor<16x2xf16>,
                          %z: tensor<16x2xui4>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 32], scale = f16, zero = int>
      : (tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>) -> tensor<16x64xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<4x16xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<4x16xf16>) -> tensor<4x16xf16>
  %y = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x64xf16>, tensor<16x64xf16>)
      outs(%f : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}

// -----

// f16 activations and weights widened into an f32 result; a splat zero
// constant init; a dynamic row count; negative scales carried over.
// CHECK-LABEL: func.func @matmul_widening_dynamic_rows
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf16>, %[[Q:.*]]: tensor<16x64xsi4>, %[[S:.*]]: tensor<16x2xf16>, %[[SN:.*]]: tensor<16x2xf16>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] neg_scales %[[SN]] scheme <group = [1, 32], scale = f16, zero = asym_fp> transpose_b : (tensor<?x64xf16>, tensor<16x64xsi4>, tensor<16x2xf16>, tensor<16x2xf16>) -> tensor<?x16xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @matmul_widening_dynamic_rows(%x: tensor<?x64xf16>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf16>,
                                        %sn: tensor<16x2xf16>) -> tensor<?x16xf32> {
  %w = lowbit.dequantize %q, %s neg_scales %sn scheme <group = [1, 32], scale = f16, zero = asym_fp>
      : (tensor<16x64xsi4>, tensor<16x2xf16>, tensor<16x2xf16>) -> tensor<16x64xf16>
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x64xf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %y = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x64xf16>, tensor<16x64xf16>)
      outs(%f : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// A non-zero init (residual) becomes an epilogue operand added to the
// accumulator.
// CHECK-LABEL: func.func @matmul_residual_init
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf16>, %[[Q:.*]]: tensor<16x64xui4>, %[[S:.*]]: tensor<16x2xf16>, %[[Z:.*]]: tensor<16x2xui4>, %[[R:.*]]: tensor<4x16xf16>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] zeros %[[Z]] scheme <group = [1, 32], scale = f16, zero = int> transpose_b epilogue(%[[R]] : tensor<4x16xf16>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[C:.*]]: f16):
// CHECK-NEXT:   %[[CW:.*]] = arith.extf %[[C]] : f16 to f32
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[CW]] : f32
// CHECK-NEXT:   %[[OUT:.*]] = arith.truncf %[[SUM]] : f32 to f16
// CHECK-NEXT:   lowbit.yield %[[OUT]] : f16
// CHECK-NEXT: } : (tensor<4x64xf16>, tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>, tensor<4x16xf16>) -> tensor<4x16xf16>
// CHECK: return %[[Y]]
func.func @matmul_residual_init(%x: tensor<4x64xf16>, %q: tensor<16x64xui4>, %s: tensor<16x2xf16>,
                                %z: tensor<16x2xui4>, %r: tensor<4x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 32], scale = f16, zero = int>
      : (tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>) -> tensor<16x64xf16>
  %y = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x64xf16>, tensor<16x64xf16>)
      outs(%r : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}

// -----

// Matrix-vector product: the quantized matrix is [N, K], the activations a
// vector expanded to one row.
// CHECK-LABEL: func.func @matvec
// CHECK-SAME: (%[[X:.*]]: tensor<64xf32>, %[[Q:.*]]: tensor<16x64x!lowbit.codebook<nf4>>, %[[S:.*]]: tensor<16x1xf32>)
// CHECK: %[[ROW:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [1, 64] : tensor<64xf32> into tensor<1x64xf32>
// CHECK: %[[Y:.*]] = lowbit.matmul %[[ROW]], %[[Q]], %[[S]] scheme <group = [1, 64], scale = f32> transpose_b : (tensor<1x64xf32>, tensor<16x64x!lowbit.codebook<nf4>>, tensor<16x1xf32>) -> tensor<1x16xf32>
// CHECK: %[[V:.*]] = tensor.collapse_shape %[[Y]] {{\[\[}}0, 1]] : tensor<1x16xf32> into tensor<16xf32>
// CHECK-NOT: linalg.matvec
// CHECK: return %[[V]]
func.func @matvec(%x: tensor<64xf32>, %q: tensor<16x64x!lowbit.codebook<nf4>>, %s: tensor<16x1xf32>) -> tensor<16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 64], scale = f32>
      : (tensor<16x64x!lowbit.codebook<nf4>>, tensor<16x1xf32>) -> tensor<16x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %y = linalg.matvec ins(%w, %x : tensor<16x64xf32>, tensor<64xf32>)
      outs(%f : tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

// Vector-matrix product with a dynamic K and a residual init of shape [N].
// CHECK-LABEL: func.func @vecmat
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>, %[[Q:.*]]: tensor<?x16xsi4>, %[[S:.*]]: tensor<?x16xf32>, %[[C:.*]]: tensor<16xf32>)
// CHECK: %[[K:.*]] = tensor.dim %[[X]]
// CHECK: %[[ROW:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [1, %[[K]]] : tensor<?xf32> into tensor<1x?xf32>
// CHECK: %[[Y:.*]] = lowbit.matmul %[[ROW]], %[[Q]], %[[S]] scheme <group = [32, 1], scale = f32> epilogue(%[[C]] : tensor<16xf32>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[CE:.*]]: f32):
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[CE]] : f32
// CHECK-NEXT:   lowbit.yield %[[SUM]] : f32
// CHECK-NEXT: } : (tensor<1x?xf32>, tensor<?x16xsi4>, tensor<?x16xf32>, tensor<16xf32>) -> tensor<1x16xf32>
// CHECK: %[[V:.*]] = tensor.collapse_shape %[[Y]] {{\[\[}}0, 1]] : tensor<1x16xf32> into tensor<16xf32>
// CHECK: return %[[V]]
func.func @vecmat(%x: tensor<?xf32>, %q: tensor<?x16xsi4>, %s: tensor<?x16xf32>, %c: tensor<16xf32>) -> tensor<16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<?x16xsi4>, tensor<?x16xf32>) -> tensor<?x16xf32>
  %y = linalg.vecmat ins(%x, %w : tensor<?xf32>, tensor<?x16xf32>)
      outs(%c : tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

// batch_matmul whose weights are broadcast over the batch.
// CHECK-LABEL: func.func @batch_matmul_shared_weights
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x64xf32>, %[[Q:.*]]: tensor<64x16xsi4>, %[[S:.*]]: tensor<2x16xf32>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [32, 1], scale = f32> : (tensor<2x4x64xf32>, tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK: return %[[Y]]
func.func @batch_matmul_shared_weights(%x: tensor<2x4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>) -> tensor<2x4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %y = linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (k, n)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%x, %w : tensor<2x4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}

// -----

// A multiply-add linalg.generic, weights [N, K].
// CHECK-LABEL: func.func @generic_contraction
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xbf16>, %[[Q:.*]]: tensor<16x64xf4E2M1FN>, %[[S:.*]]: tensor<16x2xf8E8M0FNU>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [1, 32], scale = f8E8M0FNU> transpose_b : (tensor<4x64xbf16>, tensor<16x64xf4E2M1FN>, tensor<16x2xf8E8M0FNU>) -> tensor<4x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @generic_contraction(%x: tensor<4x64xbf16>, %q: tensor<16x64xf4E2M1FN>, %s: tensor<16x2xf8E8M0FNU>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f8E8M0FNU>
      : (tensor<16x64xf4E2M1FN>, tensor<16x2xf8E8M0FNU>) -> tensor<16x64xbf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                        affine_map<(m, n, k) -> (n, k)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x64xbf16>, tensor<16x64xbf16>) outs(%f : tensor<4x16xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %aw = arith.extf %a : bf16 to f32
    %bw = arith.extf %b : bf16 to f32
    %p = arith.mulf %bw, %aw : f32
    %sum = arith.addf %p, %acc : f32
    linalg.yield %sum : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// A multiply-add linalg.generic with a batch dimension on the activations,
// weights [K, N].
// CHECK-LABEL: func.func @generic_batched_contraction
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x64xf32>, %[[Q:.*]]: tensor<64x16xui8>, %[[S:.*]]: tensor<1x16xf32>, %[[Z:.*]]: tensor<1x16xf32>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] zeros %[[Z]] scheme <group = [64, 1], scale = f32, zero = float> : (tensor<2x4x64xf32>, tensor<64x16xui8>, tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @generic_batched_contraction(%x: tensor<2x4x64xf32>, %q: tensor<64x16xui8>, %s: tensor<1x16xf32>,
                                       %z: tensor<1x16xf32>) -> tensor<2x4x16xf32> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [64, 1], scale = f32, zero = float>
      : (tensor<64x16xui8>, tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant dense<0.0> : tensor<2x4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                                        affine_map<(b, m, n, k) -> (k, n)>,
                                        affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x4x64xf32>, tensor<64x16xf32>) outs(%zero : tensor<2x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  } -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}

// -----

// linalg.contract with a batch dimension and NVFP4 weights.
// CHECK-LABEL: func.func @contract
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x64xbf16>, %[[Q:.*]]: tensor<16x64xf4E2M1FN>, %[[S:.*]]: tensor<16x4xf8E4M3FN>, %[[T:.*]]: tensor<f32>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] tensor_scale %[[T]] scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> transpose_b : (tensor<2x4x64xbf16>, tensor<16x64xf4E2M1FN>, tensor<16x4xf8E4M3FN>, tensor<f32>) -> tensor<2x4x16xbf16>
// CHECK-NOT: linalg.contract
// CHECK: return %[[Y]]
func.func @contract(%x: tensor<2x4x64xbf16>, %q: tensor<16x64xf4E2M1FN>, %s: tensor<16x4xf8E4M3FN>,
                    %t: tensor<f32>) -> tensor<2x4x16xbf16> {
  %w = lowbit.dequantize %q, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<16x64xf4E2M1FN>, tensor<16x4xf8E4M3FN>, tensor<f32>) -> tensor<16x64xbf16>
  %zero = arith.constant 0.0 : bf16
  %e = tensor.empty() : tensor<2x4x16xbf16>
  %f = linalg.fill ins(%zero : bf16) outs(%e : tensor<2x4x16xbf16>) -> tensor<2x4x16xbf16>
  %y = linalg.contract
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (n, k)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%x, %w : tensor<2x4x64xbf16>, tensor<16x64xbf16>)
      outs(%f : tensor<2x4x16xbf16>) -> tensor<2x4x16xbf16>
  return %y : tensor<2x4x16xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Element-wise consumers into the epilogue
//===----------------------------------------------------------------------===//

// SiLU: x * sigmoid(x) written as x / (1 + exp(-x)).
// CHECK-LABEL: func.func @epilogue_silu
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf32>, %[[Q:.*]]: tensor<16x64xsi4>, %[[S:.*]]: tensor<16x2xf16>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [1, 32], scale = f16> transpose_b epilogue {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32):
// CHECK-DAG:    %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:    %[[NEG:.*]] = arith.negf %[[ACC]] : f32
// CHECK:        %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:   %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:   %[[SILU:.*]] = arith.divf %[[ACC]], %[[DEN]] : f32
// CHECK-NEXT:   lowbit.yield %[[SILU]] : f32
// CHECK-NEXT: } : (tensor<4x64xf32>, tensor<16x64xsi4>, tensor<16x2xf16>) -> tensor<4x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @epilogue_silu(%x: tensor<4x64xf32>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf16>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f16>
      : (tensor<16x64xsi4>, tensor<16x2xf16>) -> tensor<16x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x64xf32>, tensor<16x64xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %neg = arith.negf %v : f32
    %exp = math.exp %neg : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %exp : f32
    %silu = arith.divf %v, %den : f32
    linalg.yield %silu : f32
  } -> tensor<4x16xf32>
  return %a : tensor<4x16xf32>
}

// -----

// GELU, tanh approximation, on an f16 result: the epilogue first rounds the
// f32 accumulator to f16, as the contraction's result was.
// CHECK-LABEL: func.func @epilogue_gelu_tanh
// CHECK: %[[Y:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f16> epilogue {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32):
// CHECK-DAG:    %[[HALF:.*]] = arith.constant 5.000000e-01 : f16
// CHECK-DAG:    %[[ONE:.*]] = arith.constant 1.000000e+00 : f16
// CHECK-DAG:    %[[K:.*]] = arith.constant 7.978520e-01 : f16
// CHECK-DAG:    %[[C:.*]] = arith.constant 4.470830e-02 : f16
// CHECK-DAG:    %[[V:.*]] = arith.truncf %[[ACC]] : f32 to f16
// CHECK:        %[[V2:.*]] = arith.mulf %[[V]], %[[V]] : f16
// CHECK-NEXT:   %[[V3:.*]] = arith.mulf %[[V2]], %[[V]] : f16
// CHECK-NEXT:   %[[CV3:.*]] = arith.mulf %[[C]], %[[V3]] : f16
// CHECK-NEXT:   %[[INNER:.*]] = arith.addf %[[V]], %[[CV3]] : f16
// CHECK-NEXT:   %[[ARG:.*]] = arith.mulf %[[K]], %[[INNER]] : f16
// CHECK-NEXT:   %[[T:.*]] = math.tanh %[[ARG]] : f16
// CHECK-NEXT:   %[[ONET:.*]] = arith.addf %[[ONE]], %[[T]] : f16
// CHECK-NEXT:   %[[HV:.*]] = arith.mulf %[[HALF]], %[[V]] : f16
// CHECK-NEXT:   %[[GELU:.*]] = arith.mulf %[[HV]], %[[ONET]] : f16
// CHECK-NEXT:   lowbit.yield %[[GELU]] : f16
// CHECK-NEXT: } : (tensor<4x64xf16>, tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<4x16xf16>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @epilogue_gelu_tanh(%x: tensor<4x64xf16>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<4x16xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<4x16xf16>) -> tensor<4x16xf16>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf16>, tensor<64x16xf16>)
      outs(%f : tensor<4x16xf16>) -> tensor<4x16xf16>
  %g = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf16>) outs(%e : tensor<4x16xf16>) {
  ^bb0(%v: f16, %out: f16):
    %half = arith.constant 0.5 : f16
    %one = arith.constant 1.0 : f16
    %c = arith.constant 0.044715 : f16
    %k = arith.constant 0.7978846 : f16
    %v2 = arith.mulf %v, %v : f16
    %v3 = arith.mulf %v2, %v : f16
    %cv3 = arith.mulf %c, %v3 : f16
    %inner = arith.addf %v, %cv3 : f16
    %arg = arith.mulf %k, %inner : f16
    %t = math.tanh %arg : f16
    %onet = arith.addf %one, %t : f16
    %hv = arith.mulf %half, %v : f16
    %gelu = arith.mulf %hv, %onet : f16
    linalg.yield %gelu : f16
  } -> tensor<4x16xf16>
  return %g : tensor<4x16xf16>
}

// -----

// GELU, erf form, computed in f32 from an f16 matmul result and rounded back.
// CHECK-LABEL: func.func @epilogue_gelu_erf
// CHECK: %[[Y:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f16> epilogue {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32):
// CHECK-DAG:    %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:    %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:    %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK-DAG:    %[[V16:.*]] = arith.truncf %[[ACC]] : f32 to f16
// CHECK:        %[[V:.*]] = arith.extf %[[V16]] : f16 to f32
// CHECK-NEXT:   %[[SCALED:.*]] = arith.mulf %[[V]], %[[RSQRT2]] : f32
// CHECK-NEXT:   %[[ERF:.*]] = math.erf %[[SCALED]] : f32
// CHECK-NEXT:   %[[ONEE:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK-NEXT:   %[[HV:.*]] = arith.mulf %[[HALF]], %[[V]] : f32
// CHECK-NEXT:   %[[GELU:.*]] = arith.mulf %[[HV]], %[[ONEE]] : f32
// CHECK-NEXT:   %[[R:.*]] = arith.truncf %[[GELU]] : f32 to f16
// CHECK-NEXT:   lowbit.yield %[[R]] : f16
// CHECK-NEXT: } : (tensor<4x64xf16>, tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<4x16xf16>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @epilogue_gelu_erf(%x: tensor<4x64xf16>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<4x16xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<4x16xf16>) -> tensor<4x16xf16>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf16>, tensor<64x16xf16>)
      outs(%f : tensor<4x16xf16>) -> tensor<4x16xf16>
  %g = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf16>) outs(%e : tensor<4x16xf16>) {
  ^bb0(%v16: f16, %out: f16):
    %v = arith.extf %v16 : f16 to f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %rsqrt2 = arith.constant 0.70710678 : f32
    %scaled = arith.mulf %v, %rsqrt2 : f32
    %erf = math.erf %scaled : f32
    %onee = arith.addf %one, %erf : f32
    %hv = arith.mulf %half, %v : f32
    %gelu = arith.mulf %hv, %onee : f32
    %r = arith.truncf %gelu : f32 to f16
    linalg.yield %r : f16
  } -> tensor<4x16xf16>
  return %g : tensor<4x16xf16>
}

// -----

// Bias (broadcast along rows), then a residual (identity map) with the named
// linalg.add, then a scale by a constant captured from above: three consumers
// compose into one epilogue.
// CHECK-LABEL: func.func @epilogue_bias_residual_scale
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf32>, %[[Q:.*]]: tensor<16x64xsi4>, %[[S:.*]]: tensor<16x2xf16>, %[[B:.*]]: tensor<16xf32>, %[[R:.*]]: tensor<4x16xf32>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [1, 32], scale = f16> transpose_b epilogue(%[[B]], %[[R]] : tensor<16xf32>, tensor<4x16xf32>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[BE:.*]]: f32, %[[RE:.*]]: f32):
// CHECK-DAG:    %[[SCALE:.*]] = arith.constant 1.250000e-01 : f32
// CHECK-DAG:    %[[HB:.*]] = arith.addf %[[ACC]], %[[BE]] : f32
// CHECK:        %[[HR:.*]] = arith.addf %[[HB]], %[[RE]] : f32
// CHECK-NEXT:   %[[OUT:.*]] = arith.mulf %[[HR]], %[[SCALE]] : f32
// CHECK-NEXT:   lowbit.yield %[[OUT]] : f32
// CHECK-NEXT: } : (tensor<4x64xf32>, tensor<16x64xsi4>, tensor<16x2xf16>, tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.add
// CHECK: return %[[Y]]
func.func @epilogue_bias_residual_scale(%x: tensor<4x64xf32>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf16>,
                                        %b: tensor<16xf32>, %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f16>
      : (tensor<16x64xsi4>, tensor<16x2xf16>) -> tensor<16x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x64xf32>, tensor<16x64xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %hb = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (n)>,
                                         affine_map<(m, n) -> (m, n)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%h, %b : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %bias: f32, %out: f32):
    %sum = arith.addf %v, %bias : f32
    linalg.yield %sum : f32
  } -> tensor<4x16xf32>
  %hr = linalg.add ins(%hb, %r : tensor<4x16xf32>, tensor<4x16xf32>)
      outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %scale = arith.constant 0.125 : f32
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%hr : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %scaled = arith.mulf %v, %scale : f32
    linalg.yield %scaled : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// A residual init and a consumer converting to f16 (linalg.elementwise).
// CHECK-LABEL: func.func @epilogue_after_residual_init
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x64xf32>, %[[Q:.*]]: tensor<64x16xsi4>, %[[S:.*]]: tensor<2x16xf32>, %[[R:.*]]: tensor<2x4x16xf32>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [32, 1], scale = f32> epilogue(%[[R]] : tensor<2x4x16xf32>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[RE:.*]]: f32):
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[RE]] : f32
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[SUM]] : f32
// CHECK-NEXT:   lowbit.yield %[[EXP]] : f32
// CHECK-NEXT: } : (tensor<2x4x64xf32>, tensor<64x16xsi4>, tensor<2x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NOT: linalg.elementwise
// CHECK: return %[[Y]]
func.func @epilogue_after_residual_init(%x: tensor<2x4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                                        %r: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %y = linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (k, n)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%x, %w : tensor<2x4x64xf32>, tensor<64x16xf32>)
      outs(%r : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %e = tensor.empty() : tensor<2x4x16xf32>
  %a = linalg.elementwise kind=#linalg.elementwise_kind<exp>
      ins(%y : tensor<2x4x16xf32>) outs(%e : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %a : tensor<2x4x16xf32>
}

// -----

// A matrix-vector product's consumer, reached through the collapse of the
// unit row; its other input is [N].
// CHECK-LABEL: func.func @epilogue_matvec
// CHECK-SAME: (%[[X:.*]]: tensor<64xf16>, %[[Q:.*]]: tensor<16x64xui4>, %[[S:.*]]: tensor<16x2xf16>, %[[Z:.*]]: tensor<16x2xui4>, %[[B:.*]]: tensor<16xf16>)
// CHECK: %[[ROW:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [1, 64] : tensor<64xf16> into tensor<1x64xf16>
// CHECK: %[[Y:.*]] = lowbit.matmul %[[ROW]], %[[Q]], %[[S]] zeros %[[Z]] scheme <group = [1, 32], scale = f16, zero = int> transpose_b epilogue(%[[B]] : tensor<16xf16>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[BE:.*]]: f16):
// CHECK-NEXT:   %[[T:.*]] = arith.truncf %[[ACC]] : f32 to f16
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[T]], %[[BE]] : f16
// CHECK-NEXT:   lowbit.yield %[[SUM]] : f16
// CHECK-NEXT: } : (tensor<1x64xf16>, tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>, tensor<16xf16>) -> tensor<1x16xf16>
// CHECK: %[[V:.*]] = tensor.collapse_shape %[[Y]] {{\[\[}}0, 1]] : tensor<1x16xf16> into tensor<16xf16>
// CHECK-NOT: linalg.generic
// CHECK: return %[[V]]
func.func @epilogue_matvec(%x: tensor<64xf16>, %q: tensor<16x64xui4>, %s: tensor<16x2xf16>,
                           %z: tensor<16x2xui4>, %b: tensor<16xf16>) -> tensor<16xf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 32], scale = f16, zero = int>
      : (tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>) -> tensor<16x64xf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %y = linalg.matvec ins(%w, %x : tensor<16x64xf16>, tensor<64xf16>)
      outs(%f : tensor<16xf32>) -> tensor<16xf32>
  %e16 = tensor.empty() : tensor<16xf16>
  %a = linalg.generic {indexing_maps = [affine_map<(n) -> (n)>, affine_map<(n) -> (n)>, affine_map<(n) -> (n)>],
                       iterator_types = ["parallel"]}
      ins(%y, %b : tensor<16xf32>, tensor<16xf16>) outs(%e16 : tensor<16xf16>) {
  ^bb0(%v: f32, %bias: f16, %out: f16):
    %t = arith.truncf %v : f32 to f16
    %sum = arith.addf %t, %bias : f16
    linalg.yield %sum : f16
  } -> tensor<16xf16>
  return %a : tensor<16xf16>
}

// -----

// An existing lowbit.matmul with an f16 accumulator and a bf16 result: the
// accumulator is rounded to bf16 (through f32) before the consumer's body,
// and the same tensor read twice becomes one epilogue operand.
// CHECK-LABEL: func.func @epilogue_existing_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xbf16>, %[[Q:.*]]: tensor<16x64xsi4>, %[[S:.*]]: tensor<16x2xbf16>, %[[R:.*]]: tensor<4x16xbf16>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [1, 32], scale = bf16> transpose_b acc(f16) epilogue(%[[R]] : tensor<4x16xbf16>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f16, %[[RE:.*]]: bf16):
// CHECK-NEXT:   %[[WIDE:.*]] = arith.extf %[[ACC]] : f16 to f32
// CHECK-NEXT:   %[[V:.*]] = arith.truncf %[[WIDE]] : f32 to bf16
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[RE]], %[[RE]] : bf16
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[V]], %[[P]] : bf16
// CHECK-NEXT:   lowbit.yield %[[SUM]] : bf16
// CHECK-NEXT: } : (tensor<4x64xbf16>, tensor<16x64xsi4>, tensor<16x2xbf16>, tensor<4x16xbf16>) -> tensor<4x16xbf16>
// CHECK: return %[[Y]]
func.func @epilogue_existing_matmul(%x: tensor<4x64xbf16>, %q: tensor<16x64xsi4>, %s: tensor<16x2xbf16>,
                                    %r: tensor<4x16xbf16>) -> tensor<4x16xbf16> {
  %h = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = bf16> transpose_b acc(f16)
      : (tensor<4x64xbf16>, tensor<16x64xsi4>, tensor<16x2xbf16>) -> tensor<4x16xbf16>
  %e = tensor.empty() : tensor<4x16xbf16>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>,
                                        affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%r, %h, %r : tensor<4x16xbf16>, tensor<4x16xbf16>, tensor<4x16xbf16>) outs(%e : tensor<4x16xbf16>) {
  ^bb0(%a: bf16, %v: bf16, %c: bf16, %out: bf16):
    %p = arith.mulf %a, %c : bf16
    %sum = arith.addf %v, %p : bf16
    linalg.yield %sum : bf16
  } -> tensor<4x16xbf16>
  return %y : tensor<4x16xbf16>
}

// -----

// A residual accumulated into the consumer's init (outs(%r), read as %out).
// CHECK-LABEL: func.func @epilogue_residual_in_init
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf32>, %[[Q:.*]]: tensor<64x16xsi4>, %[[S:.*]]: tensor<2x16xf32>, %[[R:.*]]: tensor<4x16xf32>)
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [32, 1], scale = f32> epilogue(%[[R]] : tensor<4x16xf32>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[RE:.*]]: f32):
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[RE]] : f32
// CHECK-NEXT:   lowbit.yield %[[SUM]] : f32
// CHECK-NEXT: } : (tensor<4x64xf32>, tensor<64x16xsi4>, tensor<2x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @epilogue_residual_in_init(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                                     %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%r : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %sum = arith.addf %v, %out : f32
    linalg.yield %sum : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Left alone
//===----------------------------------------------------------------------===//

// The dequantized weights are also returned.
// CHECK-LABEL: func.func @dequantize_other_use
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: %[[Y:.*]] = linalg.matmul ins(%{{.*}}, %[[W]] :
// CHECK: return %[[Y]], %[[W]]
func.func @dequantize_other_use(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>)
    -> (tensor<4x16xf32>, tensor<64x16xf32>) {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y, %w : tensor<4x16xf32>, tensor<64x16xf32>
}

// -----

// f32 activations truncated to the f16 of the weights and result: the
// contraction multiplies in f16, which lowbit.matmul does not model.
// CHECK-LABEL: func.func @narrowing_activations
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.matmul ins(%{{.*}}, %[[W]] : tensor<4x64xf32>, tensor<64x16xf16>)
func.func @narrowing_activations(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>,
                                 %c: tensor<4x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf16>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf16>)
      outs(%c : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}

// -----

// f32 weights truncated to an f16 result type.
// CHECK-LABEL: func.func @narrowing_weights
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.matmul ins(%{{.*}}, %[[W]] : tensor<4x64xf16>, tensor<64x16xf32>)
func.func @narrowing_weights(%x: tensor<4x64xf16>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>,
                             %c: tensor<4x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf16>, tensor<64x16xf32>)
      outs(%c : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}

// -----

// An integer contraction: the products are converted to i32 and summed as
// integers.
// CHECK-LABEL: func.func @integer_contraction
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.matmul ins(%{{.*}}, %[[W]] : tensor<4x64xi8>, tensor<64x16xf32>)
func.func @integer_contraction(%x: tensor<4x64xi8>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>,
                               %c: tensor<4x16xi32>) -> tensor<4x16xi32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xi8>, tensor<64x16xf32>)
      outs(%c : tensor<4x16xi32>) -> tensor<4x16xi32>
  return %y : tensor<4x16xi32>
}

// -----

// batch_matmul with per-batch weights: the dequantized tensor has rank 3.
// CHECK-LABEL: func.func @batch_matmul_per_batch_weights
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.batch_matmul ins(%{{.*}}, %[[W]] :
func.func @batch_matmul_per_batch_weights(%x: tensor<2x4x64xf32>, %q: tensor<2x64x16xsi4>, %s: tensor<2x2x16xf32>,
                                          %c: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32, 1], scale = f32>
      : (tensor<2x64x16xsi4>, tensor<2x2x16xf32>) -> tensor<2x64x16xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x4x64xf32>, tensor<2x64x16xf32>)
      outs(%c : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}

// -----

// A dot product of a dequantized vector (rank 1).
// CHECK-LABEL: func.func @dequantize_rank1
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.dot ins(%{{.*}}, %[[W]] :
func.func @dequantize_rank1(%x: tensor<64xf32>, %q: tensor<64xsi4>, %s: tensor<2xf32>, %c: tensor<f32>) -> tensor<f32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32], scale = f32>
      : (tensor<64xsi4>, tensor<2xf32>) -> tensor<64xf32>
  %y = linalg.dot ins(%x, %w : tensor<64xf32>, tensor<64xf32>) outs(%c : tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}

// -----

// Quantized left-hand side of linalg.matmul: the result would be transposed.
// CHECK-LABEL: func.func @weights_on_the_left
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.matmul ins(%[[W]], %{{.*}} :
func.func @weights_on_the_left(%q: tensor<16x64xsi4>, %s: tensor<16x2xf32>, %x: tensor<64x4xf32>,
                               %c: tensor<16x4xf32>) -> tensor<16x4xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f32>
      : (tensor<16x64xsi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  %y = linalg.matmul ins(%w, %x : tensor<16x64xf32>, tensor<64x4xf32>)
      outs(%c : tensor<16x4xf32>) -> tensor<16x4xf32>
  return %y : tensor<16x4xf32>
}

// -----

// A generic whose body is not a multiply-add (max instead of add).
// CHECK-LABEL: func.func @generic_not_multiply_add
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] :
// CHECK: arith.maximumf
func.func @generic_not_multiply_add(%x: tensor<4x64xf32>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf32>,
                                    %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f32>
      : (tensor<16x64xsi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                        affine_map<(m, n, k) -> (n, k)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x64xf32>, tensor<16x64xf32>) outs(%c : tensor<4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %m = arith.maximumf %acc, %p : f32
    linalg.yield %m : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The consumer reads the matmul result twice: the matmul fuses, the
// consumer stays.
// CHECK-LABEL: func.func @consumer_reads_twice
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.mul ins(%[[H]], %[[H]] :
func.func @consumer_reads_twice(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.mul ins(%h, %h : tensor<4x16xf32>, tensor<4x16xf32>)
      outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The consumer reads the matmul result transposed.
// CHECK-LABEL: func.func @consumer_transposed
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.generic {{.*}} ins(%[[H]] :
func.func @consumer_transposed(%x: tensor<16x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>) -> tensor<16x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x16xf32>) -> tensor<16x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<16x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<16x16xf32>) -> tensor<16x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (n, m)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<16x16xf32>) outs(%e : tensor<16x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %neg = arith.negf %v : f32
    linalg.yield %neg : f32
  } -> tensor<16x16xf32>
  return %y : tensor<16x16xf32>
}

// -----

// The consumer's other input is broadcast along columns ((m, n) -> (m)),
// which an epilogue operand cannot express.
// CHECK-LABEL: func.func @consumer_column_broadcast
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.generic {{.*}} ins(%[[H]], %{{.*}} :
func.func @consumer_column_broadcast(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                                     %rowscale: tensor<4xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m)>,
                                        affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h, %rowscale : tensor<4x16xf32>, tensor<4xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %r: f32, %out: f32):
    %p = arith.mulf %v, %r : f32
    linalg.yield %p : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The consumer's body reads a tensor element (not a scalar op).
// CHECK-LABEL: func.func @consumer_non_scalar
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.generic {{.*}} ins(%[[H]] :
// CHECK: tensor.extract
func.func @consumer_non_scalar(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                               %table: tensor<16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %n = linalg.index 1 : index
    %t = tensor.extract %table[%n] : tensor<16xf32>
    %p = arith.mulf %v, %t : f32
    linalg.yield %p : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The consumer's body has a side effect.
// CHECK-LABEL: func.func @consumer_side_effect
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.generic {{.*}} ins(%[[H]] :
// CHECK: memref.store
func.func @consumer_side_effect(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                                %log: memref<f32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    memref.store %v, %log[] : memref<f32>
    %neg = arith.negf %v : f32
    linalg.yield %neg : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The matmul result has two users: no epilogue.
// CHECK-LABEL: func.func @matmul_two_users
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: %[[E:.*]] = linalg.elementwise kind=#linalg.elementwise_kind<exp> ins(%[[H]] :
// CHECK: return %[[H]], %[[E]]
func.func @matmul_two_users(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.elementwise kind=#linalg.elementwise_kind<exp>
      ins(%h : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %h, %y : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// The consumer reduces (a row sum), so it is not element-wise.
// CHECK-LABEL: func.func @consumer_reduction
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.reduce ins(%[[H]] :
func.func @consumer_reduction(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                              %acc: tensor<4xf32>) -> tensor<4xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.reduce ins(%h : tensor<4x16xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
    (%v: f32, %a: f32) {
      %sum = arith.addf %v, %a : f32
      linalg.yield %sum : f32
    }
  return %y : tensor<4xf32>
}

// -----

// The consumer's body uses a scalar that is not a constant from above.
// CHECK-LABEL: func.func @consumer_value_from_above
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.generic {{.*}} ins(%[[H]] :
func.func @consumer_value_from_above(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                                     %alpha: f32) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %p = arith.mulf %v, %alpha : f32
    linalg.yield %p : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The consumer produces an i1 mask, which is not a lowbit.matmul result type.
// CHECK-LABEL: func.func @consumer_integer_result
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[H:.*]] = lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [32, 1], scale = f32> : (
// CHECK-NOT: epilogue
// CHECK: linalg.generic {{.*}} ins(%[[H]] :
// CHECK: arith.cmpf
func.func @consumer_integer_result(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>) -> tensor<4x16xi1> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m = tensor.empty() : tensor<4x16xi1>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%m : tensor<4x16xi1>) {
  ^bb0(%v: f32, %out: i1):
    %c0 = arith.constant 0.0 : f32
    %pos = arith.cmpf ogt, %v, %c0 : f32
    linalg.yield %pos : i1
  } -> tensor<4x16xi1>
  return %y : tensor<4x16xi1>
}
