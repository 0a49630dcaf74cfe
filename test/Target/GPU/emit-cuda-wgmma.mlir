// RUN: lowbit-opt %s --lowbit-pack-weights="target=cuda" | lowbit-translate --emit-cuda --gpu-tile=2,4,2,3,0,1 | FileCheck %s
// RUN: lowbit-opt %s --lowbit-pack-weights="target=cuda" | lowbit-translate --emit-cuda --gpu-tile=4,4,1,1,3,1 | FileCheck %s --check-prefix=STAGES
//
// --gpu-tile's sixth number: M > 8 runs kernelWgmma, whose warpgroups (four
// warps along N) multiply with wgmma.mma_async m64n16k16: the decoded
// weights of two tiles per warp are the register A operand, as in the
// swapped mma kernel, and each warpgroup copies its 16 activation rows of a
// step into shared memory in the same K order as the B operand (K-major,
// no swizzle: core matrices of 128 bytes, LBO 128, SBO 256). M <= 8 keeps
// kernelSwapped; the plain kernel is not emitted. The source refuses to
// compile for anything but sm_90a.

// CHECK: //   decode: magic; tiles 2 x 8 columns per warp, warps 4 (N) x 2 (K), split-K 3; M <= 8 with swapped operands; M > 8 on wgmma (sm_90a)
// CHECK: constexpr int WGROUPS = THREADS / 128, XS_WORDS = 16 * 512 / 2;
// CHECK-NEXT: constexpr size_t XS_OFFSET = 0, DYN_BYTES = XS_OFFSET + sizeof(uint32_t) * WGROUPS * XS_WORDS;
// CHECK-NEXT: static_assert(DYN_BYTES == 32768, "gpu::stageBytes + gpu::wgmmaActivationBytes");
// CHECK: LB_DEV void groupSync(int) { lbemu::groupSync(); }
// CHECK: lbemu::wgmmaM64N16K16<__half>(d, a0, a1, a2, a3, reinterpret_cast<const unsigned char *>(b), 128, 256);
// CHECK: #if defined(__CUDA_ARCH__) && !defined(__CUDA_ARCH_FEAT_SM90_ALL)
// CHECK-NEXT: #error "this kernel uses wgmma (--gpu-tile's sixth number): compile it for sm_90a"
// CHECK: asm volatile("bar.sync %0, 128;\n" :: "r"(id) : "memory");
// CHECK: asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
// CHECK: (uint64_t(128 >> 4) << 16) | (uint64_t(256 >> 4) << 32);
// CHECK: "wgmma.fence.sync.aligned;\n"
// CHECK-NEXT: "wgmma.mma_async.sync.aligned.m64n16k16.f32.f16.f16 {%0,%1,%2,%3,%4,%5,%6,%7}, {%8,%9,%10,%11}, %12, p, 1, 1, 0;\n"
// CHECK-NEXT: "wgmma.commit_group.sync.aligned;\n"
// CHECK-NEXT: "wgmma.wait_group.sync.aligned 0;\n}\n"
// CHECK: LB_DEV void stageActivations(uint32_t *xs, const uint16_t *x, int m, int m0, int cb, int cEnd, int i) {
// CHECK: dst[0] = a.x; dst[32] = a.y; dst[128] = a.z; dst[160] = a.w;
// CHECK-NOT: void __launch_bounds__(THREADS, {{[12]}}) kernel(
// CHECK: kernelSwapped(
// CHECK: __global__ void __launch_bounds__(THREADS, 1) kernelWgmma(
// CHECK: extern __shared__ uint4 stageBuffer[]; // DYN_BYTES, set at launch
// CHECK: uint32_t *const xs = reinterpret_cast<uint32_t *>(stageBuffer + XS_OFFSET / sizeof(uint4)) + warp / 4 * XS_WORDS;
// CHECK: constexpr int MT = 16;
// CHECK: float acc[TN / 2][8];
// CHECK: groupSync(1 + warp / 4);
// CHECK-NEXT: stageActivations(xs, x, m, m0, cb, cEnd, threadIdx.x % 128);
// CHECK-NEXT: fenceProxyAsync();
// CHECK-NEXT: groupSync(1 + warp / 4);
// CHECK-NOT: loadAct(pa
// CHECK: wgmma(acc[t / 2], a0, a1, a2, a3, xs + 0);
// CHECK: wgmma(acc[t / 2], a0, a1, a2, a3, xs + 3968);
// CHECK: red[(wk * 16 + 8 * (r / 4) + 2 * q + r % 2) * RED_STRIDE + wn * TN * TILE + (t + r / 2 % 2) * TILE + col] = acc[t / 2][r];
// CHECK: static const cudaError_t kernelWgmmaStages = cudaFuncSetAttribute(kernelWgmma, cudaFuncAttributeMaxDynamicSharedMemorySize, int(DYN_BYTES));
// CHECK: kernelSwapped<<<dim3(BLOCKS_N, SPLITK, 1), THREADS, 0,
// CHECK: kernelWgmma<<<grid, THREADS, DYN_BYTES,

// With cp.async stages the activations follow the stages in the dynamic
// shared memory, and kernelSwapped asks for the stages' bytes.
// STAGES: cp.async stages 3; M <= 8 with swapped operands; M > 8 on wgmma (sm_90a)
// STAGES: constexpr size_t XS_OFFSET = STAGE_BYTES, DYN_BYTES = XS_OFFSET + sizeof(uint32_t) * WGROUPS * XS_WORDS;
// STAGES-NEXT: static_assert(DYN_BYTES == 114688,
// STAGES: kernelSwappedStages = cudaFuncSetAttribute(kernelSwapped, cudaFuncAttributeMaxDynamicSharedMemorySize, int(STAGE_BYTES));
// STAGES: kernelWgmmaStages = cudaFuncSetAttribute(kernelWgmma, cudaFuncAttributeMaxDynamicSharedMemorySize, int(DYN_BYTES));
func.func @int4_wgmma(%x: tensor<17x1152xf16>, %q: tensor<128x1152xsi4>, %s: tensor<128x9xf16>) -> tensor<17x128xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<17x1152xf16>, tensor<128x1152xsi4>, tensor<128x9xf16>) -> tensor<17x128xf16>
  return %y : tensor<17x128xf16>
}
