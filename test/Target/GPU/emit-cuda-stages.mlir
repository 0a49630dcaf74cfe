// RUN: lowbit-opt %s --lowbit-pack-weights="target=cuda" | lowbit-translate --emit-cuda --gpu-tile=2,2,4,3,3 | FileCheck %s
//
// cp.async stages (--gpu-tile's fifth number): each lane copies its own
// chunks' 16-byte pieces into its slots of a shared-memory stage, STAGES - 1
// steps ahead, waits for the oldest group and reads the stage back into the
// registers the decode reads; no barrier, as no lane reads another's slots.
// The launcher asks for the dynamic shared memory once.

// CHECK: //   decode: magic; tiles 2 x 8 columns per warp, warps 2 (N) x 4 (K), split-K 3, cp.async stages 3; M <= 8 with swapped operands
// CHECK: constexpr int STAGES = 3, STAGE_STRIDE = WN * WK * TN * (CW / 4) * WARP;
// CHECK-NEXT: constexpr size_t STAGE_BYTES = sizeof(uint4) * STAGES * STAGE_STRIDE;
// CHECK: LB_DEV void cpAsync16(uint4 *dst, const uint4 *src, bool ok) { *dst = ok ? *src : make_uint4(0, 0, 0, 0); }
// CHECK: asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" :: "r"(s), "l"(src), "r"(ok ? 16 : 0) : "memory");
// CHECK: asm volatile("cp.async.commit_group;\n" ::: "memory");
// CHECK: asm volatile("cp.async.wait_group %0;\n" :: "n"(N) : "memory");
// CHECK: LB_DEV void stageWeights(uint4 *dst, const uint32_t *w, int n0, int col, int cb, int q, bool ok) {
// CHECK-NEXT: const int run = min(4, KCH - cb);
// CHECK: cpAsync16(dst + (t * (CW / 4) + v) * WARP, src + (live ? v * run : 0), live);
// CHECK: LB_DEV void readStage(uint32_t (&wr)[TN][CW], const uint4 *src) {
// CHECK: extern __shared__ uint4 stageBuffer[];
// CHECK: uint4 *const stage = stageBuffer + warp * (TN * (CW / 4) * WARP) + lane;
// CHECK: for (int s = 0; s < STAGES - 1; ++s, issue += WK * 4) {
// CHECK-NEXT: stageWeights(stage + s * STAGE_STRIDE, w, n0, col, issue, q, issue + q < cEnd);
// CHECK-NEXT: cpAsyncCommit();
// CHECK: stageWeights(stage + (slot == 0 ? STAGES - 1 : slot - 1) * STAGE_STRIDE, w, n0, col, issue, q, issue + q < cEnd);
// CHECK-NEXT: cpAsyncCommit();
// CHECK-NEXT: cpAsyncWait<STAGES - 1>();
// CHECK-NEXT: readStage(wr, stage + slot * STAGE_STRIDE);
// CHECK-NOT: wnext
// CHECK: cpAsyncWait<0>();
// CHECK: static const cudaError_t kernelStages = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(STAGE_BYTES));
// CHECK-NEXT: if (kernelStages != cudaSuccess) return int(kernelStages);
// CHECK-NEXT: static const cudaError_t kernelSwappedStages = cudaFuncSetAttribute(kernelSwapped, cudaFuncAttributeMaxDynamicSharedMemorySize, int(STAGE_BYTES));
// CHECK-NEXT: if (kernelSwappedStages != cudaSuccess) return int(kernelSwappedStages);
// CHECK: kernelSwapped<<<dim3(BLOCKS_N, SPLITK, 1), THREADS, STAGE_BYTES, static_cast<cudaStream_t>(stream)>>>
// CHECK: kernel<<<grid, THREADS, STAGE_BYTES, static_cast<cudaStream_t>(stream)>>>
func.func @int4_staged(%x: tensor<2x1152xf16>, %q: tensor<64x1152xsi4>, %s: tensor<64x9xf16>) -> tensor<2x64xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<2x1152xf16>, tensor<64x1152xsi4>, tensor<64x9xf16>) -> tensor<2x64xf16>
  return %y : tensor<2x64xf16>
}
