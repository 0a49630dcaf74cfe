//===- GpuProbe.h - The host program that runs a GPU kernel -----*- C++ -*-===//
//
// lowbit-bench --target=cuda|hip writes this program beside the emitted
// kernel and a generated meta.h, and compiles them together. Run on a GPU it
// draws fresh random codes, scales, zero points and activations, packs the
// weights with the kernel's own host packer, poisons the output, runs the
// kernel (twice, so a split-K workspace left dirty would show), checks
// every element against a float64 reference, and times the kernel with
// device events (rotating weight copies past the L2 cache) against the
// device-to-device copy bandwidth measured in the same run. With --packing
// FILE it writes the codes and their packed words there. Times are the
// median of single calls (an event pair around each) and the mean over a
// stream of back-to-back calls (as consecutive layers run). With
// --energy-ms T on NVIDIA it also reads the board's energy counter through
// NVML (loaded at run time; no link dependency) around back-to-back calls
// lasting about T ms, after measuring the idle power. It prints one JSON
// object. Without a device it prints {"device": null} and exits 3.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_BENCH_GPUPROBE_H
#define LOWBIT_TOOLS_LOWBIT_BENCH_GPUPROBE_H

namespace lowbit {
inline constexpr const char *kGpuProbeSource = R"cpp(
#include "kernel.cu"
#include "meta.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <dlfcn.h>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#if defined(__HIP_PLATFORM_AMD__)
#define GPU(x) hip##x
typedef hipDeviceProp_t DeviceProp;
#else
#define GPU(x) cuda##x
typedef cudaDeviceProp DeviceProp;
#endif
#define CHECK(call)                                                            \
  do {                                                                         \
    auto e_ = (call);                                                          \
    if (e_ != GPU(Success)) {                                                  \
      fprintf(stderr, "probe: %s failed: %s\n", #call, GPU(GetErrorString)(e_)); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

#define LB_CAT2(a, b) a##b
#define LB_CAT(a, b) LB_CAT2(a, b)
#define LB_IMPL LB_CAT(LB_NAME, _impl)

namespace {
// f16 and bf16 bits of a float (round to nearest even) and back.
uint16_t toF16(float f) {
  uint32_t b; memcpy(&b, &f, 4);
  uint32_t sign = (b >> 16) & 0x8000u, abs = b & 0x7fffffffu;
  if (abs > 0x7f800000u) return uint16_t(sign | 0x7e00u);
  if (abs >= 0x477ff000u) return uint16_t(sign | 0x7c00u);
  if (abs < 0x38800000u) { // subnormal f16
    float a; memcpy(&a, &abs, 4);
    return uint16_t(sign | uint32_t(std::nearbyint(a * 16777216.0f)));
  }
  uint32_t r = abs + 0xfffu + ((abs >> 13) & 1u) - 0x38000000u;
  return uint16_t(sign | (r >> 13));
}
double fromF16(uint16_t h) {
  int e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? std::ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY)
                                                   : std::ldexp(1024 + m, e - 25);
  return (h & 0x8000) ? -v : v;
}
uint16_t toBF16(float f) {
  uint32_t b; memcpy(&b, &f, 4);
  if ((b & 0x7fffffffu) > 0x7f800000u) return uint16_t((b >> 16) | 0x40u);
  return uint16_t((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}
double fromBF16(uint16_t h) { uint32_t b = uint32_t(h) << 16; float f; memcpy(&f, &b, 4); return f; }
uint16_t toAct(double v) { return meta::ACT_BF16 ? toBF16(float(v)) : toF16(float(v)); }
double fromAct(uint16_t h) { return meta::ACT_BF16 ? fromBF16(h) : fromF16(h); }

typedef LB_IMPL::ScaleT ScaleT;
typedef LB_IMPL::OutT OutT;
double outValue(OutT v) {
  if constexpr (meta::OUT == 0) return double(v);
  else if constexpr (meta::OUT == 1) return fromF16(uint16_t(v));
  else return fromBF16(uint16_t(v));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The board's energy counter (millijoules since the driver loaded) through
// NVML, opened with dlopen so the probe builds and runs without it.
struct EnergyCounter {
  typedef int (*InitFn)();
  typedef int (*HandleFn)(const char *, void **);
  typedef int (*EnergyFn)(void *, unsigned long long *);
  void *device = nullptr;
  EnergyFn energy = nullptr;
  std::string error;
  explicit EnergyCounter(const char *pciBusId) {
    void *lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
    if (!lib) { error = "libnvidia-ml.so.1 not found"; return; }
    auto init = reinterpret_cast<InitFn>(dlsym(lib, "nvmlInit_v2"));
    auto handle = reinterpret_cast<HandleFn>(dlsym(lib, "nvmlDeviceGetHandleByPciBusId_v2"));
    energy = reinterpret_cast<EnergyFn>(dlsym(lib, "nvmlDeviceGetTotalEnergyConsumption"));
    if (!init || !handle || !energy) { error = "NVML symbols missing"; energy = nullptr; return; }
    if (init() != 0 || handle(pciBusId, &device) != 0) { error = "NVML could not open the device"; energy = nullptr; return; }
    unsigned long long mj = 0;
    if (energy(device, &mj) != 0) { error = "the device has no energy counter"; energy = nullptr; }
  }
  bool ok() const { return energy != nullptr; }
  double millijoules() const {
    unsigned long long mj = 0;
    energy(device, &mj);
    return double(mj);
  }
};
} // namespace

int main(int argc, char **argv) {
  int64_t m = 1;
  uint64_t seed = 0;
  int repeats = 50;
  double energyMs = 0;
  std::string packingPath;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--packing") { packingPath = argv[i + 1]; continue; }
    if (flag == "--m") m = atoll(argv[i + 1]);
    else if (flag == "--seed") seed = strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--repeats") repeats = atoi(argv[i + 1]);
    else if (flag == "--energy-ms") energyMs = atof(argv[i + 1]);
    else { fprintf(stderr, "probe: unknown flag %s\n", argv[i]); return 2; }
  }
  int devices = 0;
  if (GPU(GetDeviceCount)(&devices) != GPU(Success) || devices == 0) {
    printf("{\"device\": null}\n");
    return 3;
  }
  DeviceProp prop;
  CHECK(GPU(GetDeviceProperties)(&prop, 0));
  if (seed == 0) seed = std::random_device{}();
  std::mt19937_64 rng(seed);
  const int64_t N = meta::N, K = meta::K, GROUPS = K / meta::G;

  // Codes: uniform over the finite codes. Scales: drawn from values exact
  // in the scale type and the activation type. Zero points exact likewise.
  std::vector<uint8_t> codes(N * K);
  std::uniform_int_distribution<int> pickCode(0, meta::NUM_CODES - 1);
  for (auto &c : codes) c = uint8_t(meta::kCodes[pickCode(rng)]);
  std::uniform_int_distribution<int> pickScale(0, meta::NUM_SCALES - 1);
  std::vector<ScaleT> scales(N * GROUPS), negScales;
  std::vector<double> s(N * GROUPS), sn, z;
  std::vector<float> zeros;
  for (int64_t i = 0; i < N * GROUPS; ++i) {
    int j = pickScale(rng);
    memcpy(&scales[i], &meta::kScaleBits[j], sizeof(ScaleT)); // stored bits
    s[i] = meta::kScaleValue[j];
  }
  if (meta::ZERO == 1 || meta::ZERO == 2) {
    zeros.resize(N * GROUPS);
    z.resize(N * GROUPS);
    std::uniform_int_distribution<int> pickZero(meta::ZMIN, meta::ZMAX);
    for (int64_t i = 0; i < N * GROUPS; ++i) {
      z[i] = meta::ZERO == 1 ? double(pickZero(rng))
                             : std::ldexp(double(pickZero(rng)), -7);
      zeros[i] = float(z[i]);
    }
  }
  if (meta::ZERO == 3) {
    negScales.resize(N * GROUPS);
    sn.resize(N * GROUPS);
    for (int64_t i = 0; i < N * GROUPS; ++i) {
      int j = pickScale(rng);
      memcpy(&negScales[i], &meta::kScaleBits[j], sizeof(ScaleT));
      sn[i] = meta::kScaleValue[j];
    }
  }
  const double tensorScale = meta::TENSOR_SCALE ? 1.5 : 1.0;
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<uint16_t> x(m * K);
  std::vector<double> xv(m * K);
  for (int64_t i = 0; i < m * K; ++i) {
    x[i] = toAct(uniform(rng));
    xv[i] = fromAct(x[i]);
  }
  std::vector<uint32_t> packed(LB_CAT(LB_NAME, _packed_words)());
  LB_CAT(LB_NAME, _pack_weights)(codes.data(), packed.data());
  if (!packingPath.empty()) {
    // The codes and the kernel's packing of them, for lowbit-bench to
    // compare with the numerics library's.
    FILE *f = fopen(packingPath.c_str(), "wb");
    if (!f || fwrite(codes.data(), 1, codes.size(), f) != codes.size() ||
        fwrite(packed.data(), 4, packed.size(), f) != packed.size() || fclose(f) != 0) {
      fprintf(stderr, "probe: cannot write %s\n", packingPath.c_str());
      exit(1);
    }
  }

  // Device buffers; the weights in enough copies to rotate past the L2.
  const size_t weightBytes = packed.size() * 4;
  const size_t copies = std::min<size_t>(16, std::max<size_t>(1, (size_t(prop.l2CacheSize) * 4) / weightBytes + 1));
  std::vector<uint32_t *> dW(copies);
  for (auto &p : dW) {
    CHECK(GPU(Malloc)(&p, weightBytes));
    CHECK(GPU(Memcpy)(p, packed.data(), weightBytes, GPU(MemcpyHostToDevice)));
  }
  auto upload = [](const void *src, size_t bytes) {
    void *p = nullptr;
    if (bytes == 0) return p;
    CHECK(GPU(Malloc)(&p, bytes));
    CHECK(GPU(Memcpy)(p, src, bytes, GPU(MemcpyHostToDevice)));
    return p;
  };
  void *dX = upload(x.data(), x.size() * 2);
  void *dS = upload(scales.data(), scales.size() * sizeof(ScaleT));
  void *dZ = upload(zeros.data(), zeros.size() * sizeof(float));
  void *dSn = upload(negScales.data(), negScales.size() * sizeof(ScaleT));
  OutT *dY = nullptr;
  CHECK(GPU(Malloc)(&dY, m * N * sizeof(OutT)));
  size_t wsBytes = LB_CAT(LB_NAME, _workspace_bytes)(m);
  void *dWs = nullptr;
  if (wsBytes) {
    CHECK(GPU(Malloc)(&dWs, wsBytes));
    CHECK(GPU(Memset)(dWs, 0, wsBytes));
  }
  auto run = [&](const uint32_t *w) {
    return LB_NAME(static_cast<const uint16_t *>(dX), m, w,
                   static_cast<const ScaleT *>(dS), static_cast<const float *>(dZ),
                   static_cast<const ScaleT *>(dSn), float(tensorScale), nullptr,
                   dY, dWs, nullptr);
  };

  // The float64 reference.
  std::vector<double> ref(m * N, 0.0);
  {
    std::vector<double> wrow(K);
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t k = 0; k < K; ++k) {
        const int64_t g = n * GROUPS + k / meta::G;
        const double v = meta::kValue[codes[n * K + k]];
        double w;
        switch (meta::ZERO) {
        case 1: w = (v - z[g]) * s[g]; break;
        case 2: w = v * s[g] - z[g]; break;
        case 3: w = v * (v >= 0 ? s[g] : sn[g]); break;
        default: w = v * s[g]; break;
        }
        wrow[k] = w * tensorScale;
      }
      for (int64_t r = 0; r < m; ++r) {
        double acc = 0.0;
        for (int64_t k = 0; k < K; ++k) acc += xv[r * K + k] * wrow[k];
        ref[r * N + n] = acc;
      }
    }
  }
  std::vector<OutT> y(m * N);
  auto checkOnce = [&](int64_t &unwritten) {
    CHECK(GPU(Memset)(dY, 0xff, m * N * sizeof(OutT))); // NaN in every type
    CHECK(GPU(Error_t)(run(dW[0])));
    CHECK(GPU(DeviceSynchronize)());
    CHECK(GPU(Memcpy)(y.data(), dY, m * N * sizeof(OutT), GPU(MemcpyDeviceToHost)));
    double diff2 = 0, ref2 = 0;
    unwritten = 0;
    for (int64_t i = 0; i < m * N; ++i) {
      const double got = outValue(y[i]);
      if (!std::isfinite(got)) { ++unwritten; continue; }
      diff2 += (got - ref[i]) * (got - ref[i]);
      ref2 += ref[i] * ref[i];
    }
    return std::sqrt(diff2 / std::max(ref2, 1e-300));
  };
  int64_t unwritten1 = 0, unwritten2 = 0;
  const double err1 = checkOnce(unwritten1);
  const double err2 = checkOnce(unwritten2); // a dirty workspace would show
  const double tolerance = meta::ACT_BF16 || meta::OUT == 2 ? 1.6e-2 : 4e-3;
  const bool pass = unwritten1 == 0 && unwritten2 == 0 && err1 <= tolerance && err2 <= tolerance;

  double timeUs = 0, streamUs = 0, copyGbps = 0;
  double energyUj = -1, idleW = -1, busyW = -1;
  long long energyCalls = 0;
  std::string energyError = energyMs > 0 ? "" : "not asked";
  if (repeats > 0) {
    GPU(Event_t) start, stop;
    CHECK(GPU(EventCreate)(&start));
    CHECK(GPU(EventCreate)(&stop));
    std::vector<double> times;
    for (int i = 0; i < repeats + 5; ++i) {
      CHECK(GPU(EventRecord)(start, 0));
      CHECK(GPU(Error_t)(run(dW[i % copies])));
      CHECK(GPU(EventRecord)(stop, 0));
      CHECK(GPU(EventSynchronize)(stop));
      float ms = 0;
      CHECK(GPU(EventElapsedTime)(&ms, start, stop));
      if (i >= 5) times.push_back(ms * 1e3);
    }
    timeUs = median(times);
    // A stream of back-to-back calls, the launch overlapping the last one.
    const int streamCalls = std::max(repeats, 20);
    CHECK(GPU(EventRecord)(start, 0));
    for (int i = 0; i < streamCalls; ++i)
      CHECK(GPU(Error_t)(run(dW[i % copies])));
    CHECK(GPU(EventRecord)(stop, 0));
    CHECK(GPU(EventSynchronize)(stop));
    {
      float ms = 0;
      CHECK(GPU(EventElapsedTime)(&ms, start, stop));
      streamUs = ms * 1e3 / streamCalls;
    }
#if !defined(__HIP_PLATFORM_AMD__)
    if (energyMs > 0) {
      char busId[32] = {0};
      CHECK(GPU(DeviceGetPCIBusId)(busId, sizeof(busId), 0));
      EnergyCounter counter(busId);
      if (!counter.ok()) {
        energyError = counter.error;
      } else {
        // Idle power over the same span, then calls back to back (in
        // batches, synchronized, so the counter brackets finished work).
        CHECK(GPU(DeviceSynchronize)());
        auto t0 = std::chrono::steady_clock::now();
        double e0 = counter.millijoules();
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(energyMs));
        double e1 = counter.millijoules();
        double idleS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        idleW = (e1 - e0) * 1e-3 / idleS;
        const long long batch = std::max<long long>(1, (long long)(2000.0 / std::max(streamUs, 1.0)));
        t0 = std::chrono::steady_clock::now();
        e0 = counter.millijoules();
        double busyS = 0;
        do {
          for (long long i = 0; i < batch; ++i, ++energyCalls)
            CHECK(GPU(Error_t)(run(dW[energyCalls % copies])));
          CHECK(GPU(DeviceSynchronize)());
          busyS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        } while (busyS * 1e3 < energyMs);
        e1 = counter.millijoules();
        busyW = (e1 - e0) * 1e-3 / busyS;
        energyUj = (e1 - e0) * 1e3 / double(energyCalls);
        energyError.clear();
      }
    }
#else
    if (energyMs > 0) energyError = "energy counters are read on NVIDIA only";
#endif    // Device-to-device copy of 1 GiB, counting bytes read and written.
    const size_t copyBytes = size_t(1) << 30;
    void *a = nullptr, *b = nullptr;
    CHECK(GPU(Malloc)(&a, copyBytes));
    CHECK(GPU(Malloc)(&b, copyBytes));
    CHECK(GPU(Memset)(a, 1, copyBytes));
    std::vector<double> copyTimes;
    for (int i = 0; i < 8; ++i) {
      CHECK(GPU(EventRecord)(start, 0));
      CHECK(GPU(MemcpyAsync)(b, a, copyBytes, GPU(MemcpyDeviceToDevice), 0));
      CHECK(GPU(EventRecord)(stop, 0));
      CHECK(GPU(EventSynchronize)(stop));
      float ms = 0;
      CHECK(GPU(EventElapsedTime)(&ms, start, stop));
      if (i >= 2) copyTimes.push_back(ms * 1e-3);
    }
    copyGbps = 2.0 * double(copyBytes) / median(copyTimes) / 1e9;
  }
  const double bytes = double(weightBytes) + scales.size() * sizeof(ScaleT) +
                       negScales.size() * sizeof(ScaleT) + zeros.size() * 4.0 +
                       m * K * 2.0 + m * N * double(sizeof(OutT));
  const double gbps = timeUs > 0 ? bytes / (timeUs * 1e-6) / 1e9 : 0;
  printf("{\"device\": \"%s\", \"kernel\": \"%s\", \"weight\": \"%s\", \"group\": %lld, "
         "\"zero\": \"%s\", \"scale\": \"%s\", \"act\": \"%s\", \"m\": %lld, \"n\": %lld, "
         "\"k\": %lld, \"seed\": %llu, \"rel_error\": %.3e, \"rel_error_repeat\": %.3e, "
         "\"unwritten\": %lld, \"tolerance\": %.1e, \"check\": \"%s\", \"time_us\": %.3f, "
         "\"stream_us\": %.3f, \"bytes\": %.0f, \"gbps\": %.1f, \"copy_gbps\": %.1f, "
         "\"copy_fraction\": %.3f, \"stream_copy_fraction\": %.3f, \"energy_uj\": %.1f, "
         "\"energy_calls\": %lld, \"idle_w\": %.1f, \"busy_w\": %.1f, \"energy_error\": \"%s\"}\n",
         prop.name, meta::KERNEL, meta::FORMAT, (long long)meta::G, meta::ZERO_NAME,
         meta::SCALE_NAME, meta::ACT_BF16 ? "bf16" : "f16", (long long)m, (long long)N,
         (long long)K, (unsigned long long)seed, err1, err2,
         (long long)(unwritten1 + unwritten2), tolerance, pass ? "pass" : "fail", timeUs,
         streamUs, bytes, gbps, copyGbps, copyGbps > 0 ? gbps / copyGbps : 0.0,
         copyGbps > 0 && streamUs > 0 ? bytes / (streamUs * 1e-6) / 1e9 / copyGbps : 0.0,
         energyUj, energyCalls, idleW, busyW, energyError.c_str());
  return pass ? 0 : 1;
}
)cpp";
} // namespace lowbit

#endif // LOWBIT_TOOLS_LOWBIT_BENCH_GPUPROBE_H
