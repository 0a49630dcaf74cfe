//===- GpuEmulator.h - CUDA runtime emulated on CPU threads -----*- C++ -*-===//
//
// lowbit-bench --target=cuda --emulate-gpu writes this header as
// cuda_runtime.h (and cuda_fp16.h, cuda_bf16.h including it) into an
// include directory, rewrites the kernel launches of the emitted source
// (`kernel<<<grid, block, 0, stream>>>(args)` becomes
// `lbemu::launch(kernel, grid, block, 0, stream)(args)`), and compiles the
// kernel with the GPU probe (GpuProbe.h) by the host C++ compiler. A launch
// runs the grid's blocks one after another, each block as one std::thread per
// CUDA thread: __syncthreads is a std::barrier, a warp shuffle is a
// block-wide exchange between two barriers (so every thread of the block must
// reach it, as in the kernels lowbit emits), __shared__ variables are the
// kernel's static locals (blocks never overlap), device memory is host memory.
//
// It emulates what the lut kernels use; the tensor-core kernels' inline PTX
// (mma.sync, lop3, ld.global.nc) has no host meaning, so lowbit-bench
// refuses them. It checks results, not speed.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_BENCH_GPUEMULATOR_H
#define LOWBIT_TOOLS_LOWBIT_BENCH_GPUEMULATOR_H

namespace lowbit {
inline constexpr const char *kGpuEmulatorHeader = R"cpp(
// lowbit's CPU emulation of the CUDA runtime (lowbit-bench --emulate-gpu).
#pragma once
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
// One block runs at a time: a kernel's static locals are its shared memory.
#define __shared__ static

struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct float4 { float x, y, z, w; };
struct uint4 { unsigned x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }

inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

namespace lbemu {
struct Block {
  std::barrier<> *barrier;
  std::vector<float> exchange;
};
inline thread_local Block *block = nullptr;
} // namespace lbemu

inline void __syncthreads() { lbemu::block->barrier->arrive_and_wait(); }
inline float __shfl_xor_sync(unsigned, float v, int laneMask) {
  lbemu::Block &b = *lbemu::block;
  const unsigned self = threadIdx.x;
  b.exchange[self] = v;
  b.barrier->arrive_and_wait();
  const float other = b.exchange[self ^ unsigned(laneMask)];
  b.barrier->arrive_and_wait();
  return other;
}
inline float atomicAdd(float *p, float v) { return std::atomic_ref<float>(*p).fetch_add(v); }
inline unsigned atomicAdd(unsigned *p, unsigned v) { return std::atomic_ref<unsigned>(*p).fetch_add(v); }
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
template <typename T> inline T __ldg(const T *p) { return *p; }
inline float __ldcg(const float *p) { return std::atomic_ref<float>(*const_cast<float *>(p)).load(); }

// f16 and bf16 as their bits; conversions round to nearest even.
struct __half { uint16_t bits; };
struct __nv_bfloat16 { uint16_t bits; };
inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
inline unsigned lbemuFloatBits(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
inline __half __ushort_as_half(unsigned short v) { return {v}; }
inline unsigned short __half_as_ushort(__half h) { return h.bits; }
inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 h) { return h.bits; }
inline float __half2float(__half h) {
  const unsigned sign = unsigned(h.bits >> 15) << 31, e = (h.bits >> 10) & 31u, m = h.bits & 1023u;
  if (e == 0) return (sign ? -1.0f : 1.0f) * float(m) * 0x1p-24f;
  if (e == 31) return __uint_as_float(sign | 0x7f800000u | (m << 13));
  return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));
}
inline __half __float2half_rn(float f) {
  const unsigned b = lbemuFloatBits(f), sign = (b >> 16) & 0x8000u, abs = b & 0x7fffffffu;
  if (abs > 0x7f800000u) return {uint16_t(sign | 0x7e00u)};
  if (abs >= 0x477ff000u) return {uint16_t(sign | 0x7c00u)};
  if (abs < 0x38800000u) // subnormal: a multiple of 2^-24, rounded to even
    return {uint16_t(sign | unsigned(std::nearbyint(__uint_as_float(abs) * 16777216.0f)))};
  return {uint16_t(sign | ((abs + 0xfffu + ((abs >> 13) & 1u) - 0x38000000u) >> 13))};
}
inline __nv_bfloat16 __float2bfloat16_rn(float f) {
  const unsigned b = lbemuFloatBits(f);
  if ((b & 0x7fffffffu) > 0x7f800000u) return {uint16_t((b >> 16) | 0x40u)};
  return {uint16_t((b + 0x7fffu + ((b >> 16) & 1u)) >> 16)};
}

// The runtime: host memory, one device, wall-clock events.
enum cudaError_t { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2 };
enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost,
                      cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
typedef struct lbemuStream *cudaStream_t;
struct lbemuEvent { std::chrono::steady_clock::time_point at; };
typedef lbemuEvent *cudaEvent_t;
struct cudaDeviceProp { char name[256]; int l2CacheSize; int multiProcessorCount; };
inline const char *cudaGetErrorString(cudaError_t e) {
  return e == cudaSuccess ? "no error" : e == cudaErrorInvalidValue ? "invalid value" : "out of memory";
}
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaGetDeviceCount(int *count) { *count = 1; return cudaSuccess; }
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int) {
  memset(prop, 0, sizeof(*prop));
  strcpy(prop->name, "lowbit CPU emulation (threads, not a GPU)");
  prop->l2CacheSize = 1 << 20;
  prop->multiProcessorCount = 1;
  return cudaSuccess;
}
inline cudaError_t cudaDeviceGetPCIBusId(char *id, int length, int) {
  snprintf(id, size_t(length), "emulated");
  return cudaSuccess;
}
template <typename T> cudaError_t cudaMalloc(T **p, size_t bytes) {
  *p = static_cast<T *>(malloc(bytes ? bytes : 1));
  return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
inline cudaError_t cudaFree(void *p) { free(p); return cudaSuccess; }
inline cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind) {
  memcpy(dst, src, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind,
                                   cudaStream_t = nullptr) {
  memcpy(dst, src, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemset(void *p, int value, size_t bytes) { memset(p, value, bytes); return cudaSuccess; }
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
inline cudaError_t cudaEventCreate(cudaEvent_t *e) { *e = new lbemuEvent; return cudaSuccess; }
inline cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t = nullptr) {
  e->at = std::chrono::steady_clock::now();
  return cudaSuccess;
}
inline cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
inline cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a, cudaEvent_t b) {
  *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
  return cudaSuccess;
}

namespace lbemu {
/// A launch: the grid's blocks in turn, each as one thread per CUDA thread.
template <typename Kernel> struct Launch {
  Kernel *kernel;
  dim3 grid, block;
  template <typename... Args> void operator()(Args... args) const {
    gridDim = grid;
    blockDim = block;
    const unsigned threads = block.x * block.y * block.z;
    for (unsigned z = 0; z < grid.z; ++z)
      for (unsigned y = 0; y < grid.y; ++y)
        for (unsigned x = 0; x < grid.x; ++x) {
          std::barrier<> barrier(threads);
          Block state{&barrier, std::vector<float>(threads)};
          std::vector<std::thread> pool;
          pool.reserve(threads);
          for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
              lbemu::block = &state;
              blockIdx = dim3(x, y, z);
              threadIdx = dim3(t % block.x, t / block.x % block.y, t / (block.x * block.y));
              kernel(args...);
            });
          for (std::thread &thread : pool) thread.join();
        }
  }
};
template <typename Kernel>
Launch<Kernel> launch(Kernel *kernel, dim3 grid, dim3 block, size_t = 0, cudaStream_t = nullptr) {
  return {kernel, grid, block};
}
} // namespace lbemu
)cpp";
} // namespace lowbit

#endif // LOWBIT_TOOLS_LOWBIT_BENCH_GPUEMULATOR_H
