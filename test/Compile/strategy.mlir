// CPU kernel libraries take every strategy: a matmul's own strategy (here
// int8_dot, set in the IR), or the one --strategy gives every layer. The
// manifest names each kernel's strategy and weight layout (bytes for
// int8-dot, bit planes for lut) and the header says what the kernel does to
// its activations.
// RUN: rm -rf %t.own %t.lut
// RUN: lowbit-compile %s --target=cpu --isa=avx2 -o %t.own
// RUN: FileCheck %s --check-prefix=HEADER < %t.own/lowbit_model.h
// RUN: %python -c "import json,sys; m=json.load(open(sys.argv[1])); k=m['kernels'][0]; print(k['strategy'], k['layout']['word'], m['layers'][0]['operands'][0]['dtype'], m['layers'][0]['operands'][0]['shape'])" %t.own/manifest.json | FileCheck %s --check-prefix=OWN
// RUN: %python %S/Inputs/check_manifest.py %t.own
// RUN: lowbit-compile %s --target=cpu --isa=avx2 --strategy=lut -o %t.lut
// RUN: %python -c "import json,sys; m=json.load(open(sys.argv[1])); k=m['kernels'][0]; print(k['strategy'], k['layout']['plane_rows'], k['lut'], m['layers'][0]['operands'][0]['dtype'])" %t.lut/manifest.json | FileCheck %s --check-prefix=LUT
// RUN: FileCheck %s --check-prefix=LUT-HEADER < %t.lut/lowbit_model.h

// HEADER: /// Activations f32, output f32; ISA avx2, strategy int8-dot (activations quantized to int8 at run time, blocks of 32 along K).
// OWN: int8-dot 8 u8 [64, 128]
// LUT: lut 32 {'exact_tables': False, 'group': 4} u32
// LUT-HEADER: strategy lut (table lookup, 4 activations per table, int8 tables).
func.func @layer(%x: tensor<1x256xf32>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %q = arith.constant dense<1> : tensor<64x256xsi4>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b strategy int8_dot
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
