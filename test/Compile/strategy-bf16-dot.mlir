// A bf16 model compiled with --strategy=bf16-dot: the manifest names the
// strategy, the 16-bit weight words (u16) and -mavx512bf16 among the AVX-512
// flags; the scalar library runs on any CPU and matches float64 (--run).
// A model with f32 activations is refused for that strategy.
// RUN: rm -rf %t.avx512 %t.scalar
// RUN: lowbit-compile %s --target=cpu --isa=avx512 --strategy=bf16-dot -o %t.avx512
// RUN: %python -c "import json,sys; m=json.load(open(sys.argv[1])); k=m['kernels'][0]; print(k['strategy'], k['layout']['word'], m['layers'][0]['operands'][0]['dtype'], m['layers'][0]['operands'][0]['shape'], m['compile_flags'])" %t.avx512/manifest.json | FileCheck %s --check-prefix=MANIFEST
// RUN: FileCheck %s --check-prefix=HEADER < %t.avx512/lowbit_model.h
// RUN: %python %S/Inputs/check_manifest.py %t.avx512
// The run needs constant weights and scales: a model whose int4 codes and
// scales vary along N and K, so a wrong layout shows.
// RUN: %python %S/Inputs/bf16_dot_model.py > %t.const.mlir
// RUN: lowbit-compile %t.const.mlir --target=cpu --isa=scalar --strategy=bf16-dot -o %t.scalar --run | FileCheck %s --check-prefix=EXEC
// RUN: %python %S/../Import/GGUF/Inputs/exit_status.py 1 lowbit-compile %S/strategy.mlir --target=cpu --isa=scalar --strategy=bf16-dot -o %t.f32 2>&1 | FileCheck %s --check-prefix=F32

// MANIFEST: bf16-dot 16 u16 [64, 64] {{.*}}-mavx512bf16
// HEADER: /// Activations bf16, output bf16; ISA avx512, strategy bf16-dot (bf16 dot products, vdpbf16ps).
// EXEC: layer {{.*}} bf16-dot {{.*}} ok
// F32: error: 'lowbit.matmul' op cannot use the bf16-dot strategy: the bf16-dot strategy multiplies bf16 activations, not f32; use the dequant strategy
func.func @layer(%x: tensor<1x256xbf16>, %s: tensor<64x4xf16>) -> tensor<1x64xbf16> {
  %q = arith.constant dense<1> : tensor<64x256xsi4>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
