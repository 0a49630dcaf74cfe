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
// Warp-collective operations synchronize the warp's 32 threads only: a
// tensor-core mma.sync.m16n8k16 (lbemu::mmaM16N8K16) gathers the warp's
// fragments between two warp barriers and gives each lane its four
// accumulators, products exact and sums in double rounded once to f32. The
// emitted CUDA source defines its inline-PTX helpers (mma, lop3, ld.global.nc)
// in C++ when LOWBIT_GPU_EMULATION is defined, as this header does. Paired
// f16/bf16 arithmetic (__hsub2, __hfma2, ...) rounds each result once to
// nearest even. It checks results, not speed.
//
// The helpers at the end (lowbit::emulation) write these headers and rewrite
// launches for the other users of the emulation: lowbit-bench
// --gpu-emulation-kit and lowbit-compile --run --emulate-gpu.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_BENCH_GPUEMULATOR_H
#define LOWBIT_TOOLS_LOWBIT_BENCH_GPUEMULATOR_H

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

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
#include <memory>
#include <thread>
#include <vector>

#define LOWBIT_GPU_EMULATION 1
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
using std::max;
using std::min;
// CUDA's device math: the C functions (expf, erff, ...) come from <cmath>
// into the global namespace; these are the rest an epilogue may call.
using std::isfinite;
using std::isinf;
using std::isnan;
using std::signbit;
inline float rsqrtf(float v) { return 1.0f / std::sqrt(v); }

namespace lbemu {
// Lanes per warp: 32, or the 64 of an AMD wavefront (hip/hip_runtime.h).
#ifndef LBEMU_WARP
#define LBEMU_WARP 32
#endif
constexpr unsigned kWarp = LBEMU_WARP;
/// A warp's barrier and the fragments its lanes exchange in an mma.
struct Warp {
  explicit Warp(unsigned lanes) : barrier(lanes) {}
  std::barrier<> barrier;
  uint32_t fragments[kWarp][6];
};
struct Block {
  std::barrier<> *barrier;
  std::vector<float> exchange;
  std::vector<std::unique_ptr<Warp>> warps;
  std::vector<std::unique_ptr<std::barrier<>>> groups; // warpgroups of 128 threads
};
inline thread_local Block *block = nullptr;
inline thread_local unsigned rank = 0; // the thread's linear index in its block
} // namespace lbemu

inline void __syncthreads() { lbemu::block->barrier->arrive_and_wait(); }
namespace lbemu {
/// bar.sync over the calling thread's warpgroup (128 threads).
inline void groupSync() { block->groups[rank / 128]->arrive_and_wait(); }
} // namespace lbemu
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

// Pairs of f16/bf16 values (the 32-bit registers the tensor cores read) and
// their arithmetic: exact in double, rounded once to nearest even.
struct __half2 { __half x, y; };
struct __nv_bfloat162 { __nv_bfloat16 x, y; };
namespace lbemu {
inline double value(__half h) { return __half2float(h); }
inline double value(__nv_bfloat16 h) { return __uint_as_float(unsigned(h.bits) << 16); }
/// v rounded to nearest even with `fraction` bits after the leading one and
/// no exponent below minExp (subnormals); the result fits a float exactly.
inline float roundTo(double v, int fraction, int minExp) {
  if (v == 0.0 || !std::isfinite(v)) return float(v);
  int e;
  std::frexp(v, &e); // |v| in [2^(e-1), 2^e)
  const int lsb = std::max(e - 1, minExp) - fraction;
  return float(std::ldexp(std::nearbyint(std::ldexp(v, -lsb)), lsb));
}
template <typename T> T fromDouble(double v);
template <> inline __half fromDouble<__half>(double v) { return __float2half_rn(roundTo(v, 10, -14)); }
template <> inline __nv_bfloat16 fromDouble<__nv_bfloat16>(double v) {
  return __float2bfloat16_rn(roundTo(v, 7, -126));
}
template <typename T> T fromBits(uint32_t bits) { return T{uint16_t(bits)}; }
} // namespace lbemu
#define LBEMU_PAIR_ARITHMETIC(P, T)                                                                  \
  inline P __hsub2(P a, P b) {                                                                     \
    return {lbemu::fromDouble<T>(lbemu::value(a.x) - lbemu::value(b.x)),                             \
            lbemu::fromDouble<T>(lbemu::value(a.y) - lbemu::value(b.y))};                            \
  }                                                                                                \
  inline P __hmul2(P a, P b) {                                                                     \
    return {lbemu::fromDouble<T>(lbemu::value(a.x) * lbemu::value(b.x)),                             \
            lbemu::fromDouble<T>(lbemu::value(a.y) * lbemu::value(b.y))};                            \
  }                                                                                                \
  inline P __hfma2(P a, P b, P c) {                                                                \
    return {lbemu::fromDouble<T>(std::fma(lbemu::value(a.x), lbemu::value(b.x), lbemu::value(c.x))), \
            lbemu::fromDouble<T>(std::fma(lbemu::value(a.y), lbemu::value(b.y), lbemu::value(c.y)))};\
  }                                                                                                \
  inline P __hmax2(P a, P b) {                                                                     \
    return {lbemu::value(a.x) > lbemu::value(b.x) ? a.x : b.x,                                       \
            lbemu::value(a.y) > lbemu::value(b.y) ? a.y : b.y};                                      \
  }                                                                                                \
  inline P __hmin2(P a, P b) {                                                                     \
    return {lbemu::value(a.x) < lbemu::value(b.x) ? a.x : b.x,                                       \
            lbemu::value(a.y) < lbemu::value(b.y) ? a.y : b.y};                                      \
  }
LBEMU_PAIR_ARITHMETIC(__half2, __half)
LBEMU_PAIR_ARITHMETIC(__nv_bfloat162, __nv_bfloat16)
#undef LBEMU_PAIR_ARITHMETIC
inline __half2 __float2half2_rn(float f) { return {__float2half_rn(f), __float2half_rn(f)}; }
inline __nv_bfloat162 __float2bfloat162_rn(float f) { return {__float2bfloat16_rn(f), __float2bfloat16_rn(f)}; }

namespace lbemu {
/// mma.sync.aligned.m16n8k16.row.col.f32.T.T.f32 for the calling lane: the
/// warp's A (16x16) and B (16x8) fragments meet between two warp barriers.
/// Lane l holds, with g = l / 4 and t = l % 4, A rows g and g + 8 at columns
/// 2t, 2t + 1 (a0, a1) and 2t + 8, 2t + 9 (a2, a3), B rows 2t, 2t + 1 (b0)
/// and 2t + 8, 2t + 9 (b1) of column g, and accumulators (g, 2t), (g, 2t + 1),
/// (g + 8, 2t), (g + 8, 2t + 1); the lower index is the lower half-word.
template <typename T>
void mmaM16N8K16(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                 uint32_t b1) {
  Warp &warp = *block->warps[rank / kWarp];
  const unsigned lane = rank % kWarp, g = lane / 4, t = lane % 4;
  uint32_t *mine = warp.fragments[lane];
  mine[0] = a0, mine[1] = a1, mine[2] = a2, mine[3] = a3, mine[4] = b0, mine[5] = b1;
  warp.barrier.arrive_and_wait();
  auto half = [](uint32_t word, unsigned k) { return value(fromBits<T>(k % 2 ? word >> 16 : word)); };
  auto a = [&](unsigned row, unsigned k) {
    return half(warp.fragments[row % 8 * 4 + k % 8 / 2][row / 8 + 2 * (k / 8)], k);
  };
  auto b = [&](unsigned k, unsigned col) { return half(warp.fragments[col * 4 + k % 8 / 2][4 + k / 8], k); };
  double d[4] = {c[0], c[1], c[2], c[3]};
  for (unsigned k = 0; k < 16; ++k)
    for (unsigned i = 0; i < 4; ++i) d[i] += a(g + 8 * (i / 2), k) * b(k, 2 * t + i % 2);
  warp.barrier.arrive_and_wait();
  for (unsigned i = 0; i < 4; ++i) c[i] = float(d[i]);
}

/// wgmma.mma_async m64n16k16 (f32 += T x T) with A in registers, for the
/// calling lane, completed at once. A warp's A fragment is mma.m16n8k16's
/// (rows 16w.. of the warpgroup's 64 belong to warp w, so a warp's outputs
/// need only its own fragments); B (16 K x 16 N) is read from shared memory
/// at b as a K-major matrix without swizzle: element (k, n) at byte
/// n / 8 * sbo + k / 8 * lbo + n % 8 * 16 + k % 8 * 2 (8 x 8 core matrices of
/// 128 bytes). Lane l = 4g + t holds D (g, 8i + 2t), (g, 8i + 2t + 1),
/// (g + 8, 8i + 2t), (g + 8, 8i + 2t + 1) in d[4i..4i+3].
template <typename T>
void wgmmaM64N16K16(float (&d)[8], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                    const unsigned char *b, unsigned lbo, unsigned sbo) {
  Warp &warp = *block->warps[rank / kWarp];
  const unsigned lane = rank % kWarp, g = lane / 4, t = lane % 4;
  uint32_t *mine = warp.fragments[lane];
  mine[0] = a0, mine[1] = a1, mine[2] = a2, mine[3] = a3;
  warp.barrier.arrive_and_wait();
  auto half = [](uint32_t word, unsigned k) { return value(fromBits<T>(k % 2 ? word >> 16 : word)); };
  auto a = [&](unsigned row, unsigned k) {
    return half(warp.fragments[row % 8 * 4 + k % 8 / 2][row / 8 + 2 * (k / 8)], k);
  };
  auto bv = [&](unsigned k, unsigned n) {
    uint16_t bits;
    memcpy(&bits, b + n / 8 * sbo + k / 8 * lbo + n % 8 * 16 + k % 8 * 2, 2);
    return value(fromBits<T>(bits));
  };
  double acc[8];
  for (unsigned r = 0; r < 8; ++r) {
    const unsigned row = g + 8 * (r / 2 % 2), col = 8 * (r / 4) + 2 * t + r % 2;
    acc[r] = d[r];
    for (unsigned k = 0; k < 16; ++k) acc[r] += a(row, k) * bv(k, col);
  }
  warp.barrier.arrive_and_wait();
  for (unsigned r = 0; r < 8; ++r) d[r] = float(acc[r]);
}
} // namespace lbemu

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
// Kernels with cp.async stages above 48 KiB ask for the shared memory; a
// block's static locals have no such limit here.
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };
template <typename Kernel> cudaError_t cudaFuncSetAttribute(Kernel *, cudaFuncAttribute, int bytes) {
  return bytes >= 0 ? cudaSuccess : cudaErrorInvalidValue;
}
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
          Block state{&barrier, std::vector<float>(threads), {}};
          for (unsigned first = 0; first < threads; first += kWarp)
            state.warps.push_back(std::make_unique<Warp>(std::min(kWarp, threads - first)));
          for (unsigned first = 0; first < threads; first += 128)
            state.groups.push_back(std::make_unique<std::barrier<>>(std::min(128u, threads - first)));
          std::vector<std::thread> pool;
          pool.reserve(threads);
          for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
              lbemu::block = &state;
              lbemu::rank = t;
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

/// hip/hip_runtime.h for --target=hip --emulate-gpu: the same runtime under
/// HIP's names, wavefronts of 64 lanes, and the two MFMA builtins the HIP
/// kernels call (v_mfma_f32_16x16x16 f16 and bf16). Compiled by clang, which
/// has the kernels' ext_vector_type and _Float16 on the host.
inline constexpr const char *kHipEmulatorHeader = R"cpp(
// lowbit's CPU emulation of the HIP runtime (lowbit-bench --emulate-gpu).
#pragma once
#define __HIP_PLATFORM_AMD__ 1
#define LBEMU_WARP 64
#include "../cuda_runtime.h"

typedef cudaError_t hipError_t;
typedef cudaStream_t hipStream_t;
typedef cudaEvent_t hipEvent_t;
typedef cudaDeviceProp hipDeviceProp_t;
#define hipSuccess cudaSuccess
#define hipErrorInvalidValue cudaErrorInvalidValue
#define hipMemcpyHostToDevice cudaMemcpyHostToDevice
#define hipMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define hipMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#define hipGetErrorString cudaGetErrorString
#define hipGetLastError cudaGetLastError
#define hipGetDeviceCount cudaGetDeviceCount
#define hipGetDeviceProperties cudaGetDeviceProperties
#define hipDeviceGetPCIBusId cudaDeviceGetPCIBusId
#define hipMalloc cudaMalloc
#define hipFree cudaFree
#define hipMemcpy cudaMemcpy
#define hipMemcpyAsync cudaMemcpyAsync
#define hipMemset cudaMemset
#define hipDeviceSynchronize cudaDeviceSynchronize
#define hipEventCreate cudaEventCreate
#define hipEventRecord cudaEventRecord
#define hipEventSynchronize cudaEventSynchronize
#define hipEventElapsedTime cudaEventElapsedTime
inline float __shfl_xor(float v, int laneMask) { return __shfl_xor_sync(~0u, v, laneMask); }
#define __HIP_MEMORY_SCOPE_AGENT 0
#define __hip_atomic_load(p, order, scope) (std::atomic_ref<float>(*const_cast<float *>(p)).load())

typedef _Float16 lbemuH4 __attribute__((ext_vector_type(4)));
typedef short lbemuS4 __attribute__((ext_vector_type(4)));
typedef float lbemuF4 __attribute__((ext_vector_type(4)));
namespace lbemu {
/// v_mfma_f32_16x16x16{f16,bf16_1k} for the calling lane of a wavefront:
/// lane l holds A[l % 16][4q + j] and B[4q + j][l % 16] for q = l / 16 and
/// j = 0..3 (element j of its four), and D[4q + j][l % 16]. Products exact,
/// sums in double rounded once to f32.
template <typename T, typename V> lbemuF4 mfma16x16x16(V a, V b, lbemuF4 c) {
  Warp &warp = *block->warps[rank / kWarp];
  const unsigned lane = rank % kWarp, q = lane / 16, col = lane % 16;
  uint32_t *mine = warp.fragments[lane];
  memcpy(mine, &a, 8);
  memcpy(mine + 2, &b, 8);
  warp.barrier.arrive_and_wait();
  auto element = [&](unsigned owner, unsigned first, unsigned j) {
    const uint32_t word = warp.fragments[owner][first + j / 2];
    return value(fromBits<T>(j % 2 ? word >> 16 : word));
  };
  double d[4] = {c[0], c[1], c[2], c[3]};
  for (unsigned i = 0; i < 4; ++i)
    for (unsigned k = 0; k < 16; ++k)
      d[i] += element(4 * q + i + 16 * (k / 4), 0, k % 4) * element(col + 16 * (k / 4), 2, k % 4);
  warp.barrier.arrive_and_wait();
  return lbemuF4{float(d[0]), float(d[1]), float(d[2]), float(d[3])};
}
} // namespace lbemu
#define __builtin_amdgcn_mfma_f32_16x16x16f16(a, b, c, cbsz, abid, blgp) lbemu::mfma16x16x16<__half>(a, b, c)
#define __builtin_amdgcn_mfma_f32_16x16x16bf16_1k(a, b, c, cbsz, abid, blgp) \
  lbemu::mfma16x16x16<__nv_bfloat16>(a, b, c)
)cpp";

namespace emulation {
/// Flags the host compiler builds an emulated kernel with. The emitted
/// kernels move f16 pairs between uint32_t and __half2 through pointer
/// casts, as CUDA code does: no strict aliasing.
inline constexpr std::array<llvm::StringLiteral, 4> kFlags = {
    "-std=c++20", "-O2", "-fno-strict-aliasing", "-pthread"};

/// The host compiler command that builds an emulated kernel: `cxx` (a
/// command line, split at spaces) when given, else for CUDA $CXX or g++, and
/// for HIP clang++-22 or clang++ (its kernels use clang's vector extensions
/// and _Float16); the program resolved on PATH. Empty, with `error` set,
/// when there is none.
inline std::vector<std::string> compilerCommand(bool cuda, llvm::StringRef cxx,
                                                std::string &error) {
  llvm::SmallVector<llvm::StringRef, 2> candidates;
  if (!cxx.empty())
    candidates = {cxx};
  else if (cuda)
    candidates = {std::getenv("CXX") ? std::getenv("CXX") : "g++"};
  else
    candidates = {"clang++-22", "clang++"};
  for (llvm::StringRef candidate : candidates) {
    llvm::SmallVector<llvm::StringRef> words;
    candidate.split(words, ' ', -1, false);
    if (words.empty()) {
      error = "C++ compiler is empty";
      return {};
    }
    if (llvm::ErrorOr<std::string> path =
            llvm::sys::findProgramByName(words[0])) {
      std::vector<std::string> command = {*path};
      command.insert(command.end(), words.begin() + 1, words.end());
      return command;
    }
  }
  error = candidates.size() == 1
              ? "cannot find the C++ compiler '" +
                    candidates[0].split(' ').first.str() + "'"
              : "cannot find clang++ (clang-22) to build the emulated HIP "
                "kernel";
  return {};
}

/// Writes the emulated runtime's headers into `include` (created if
/// missing): cuda_runtime.h, cuda_fp16.h and cuda_bf16.h (including it) and
/// hip/hip_runtime.h. Returns a sentence on failure, "" on success.
inline std::string writeHeaders(llvm::StringRef include) {
  llvm::SmallString<256> hip(include);
  llvm::sys::path::append(hip, "hip");
  if (std::error_code ec = llvm::sys::fs::create_directories(hip))
    return "cannot create " + hip.str().str() + ": " + ec.message();
  auto write = [&](llvm::StringRef dir, llvm::StringRef name,
                   llvm::StringRef text) -> std::string {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec)
      os << text;
    if (ec || (os.close(), os.has_error()))
      return "cannot write " + path.str().str() + ": " +
             (ec ? ec : os.error()).message();
    return "";
  };
  for (auto [dir, name, text] :
       {std::tuple{include, "cuda_runtime.h", kGpuEmulatorHeader},
        std::tuple{include, "cuda_fp16.h", "#include \"cuda_runtime.h\"\n"},
        std::tuple{include, "cuda_bf16.h", "#include \"cuda_runtime.h\"\n"},
        std::tuple{llvm::StringRef(hip), "hip_runtime.h", kHipEmulatorHeader}})
    if (std::string error = write(dir, name, text); !error.empty())
      return error;
  return "";
}

/// `source` with every launch `callee<<<config>>>(args)` written as
/// `lbemu::launch(callee, config)(args)` for the emulated runtime, or
/// nothing when a launch is not of that form.
inline std::optional<std::string> rewriteLaunches(std::string source) {
  for (size_t at; (at = source.find("<<<")) != std::string::npos;) {
    size_t close = source.find(">>>(", at);
    size_t begin = source.find_last_of(" \t\n;{}", at);
    if (close == std::string::npos || begin == std::string::npos)
      return std::nullopt;
    ++begin;
    std::string callee = source.substr(begin, at - begin);
    std::string launch = source.substr(at + 3, close - at - 3);
    source.replace(begin, close + 4 - begin,
                   "lbemu::launch(" + callee + ", " + launch + ")(");
  }
  return source;
}
} // namespace emulation
} // namespace lowbit

#endif // LOWBIT_TOOLS_LOWBIT_BENCH_GPUEMULATOR_H
