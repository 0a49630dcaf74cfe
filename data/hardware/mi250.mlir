// AMD Instinct MI250 OAM (gfx90a), described as ONE Graphics Compute Die (GCD).
// Read by lowbit's cost model (docs/tuning.md).
//
// An MI250 package carries two GCDs joined by Infinity Fabric; each GCD is
// enumerated by ROCm as a separate GPU with its own 64 GiB of HBM2e, and a
// kernel runs on one GCD. Every throughput, capacity and power figure below is
// therefore per GCD (half of the package figure where the source gives the
// package total). This file is not the MI250X (110 CUs per GCD).
//
// Sources (abbreviations used below):
//   [MI250-UA] ROCm documentation, "AMD Instinct MI250 microarchitecture"
//              (docs/conceptual/gpu-arch/mi250.md): 104 CUs per GCD, 1.7 GHz,
//              1.6 TB/s per GCD, and the "Peak-performance capabilities of the
//              MI250 OAM" table (FLOPS/clock/CU and package TFLOPS).
//   [MI250-DS] AMD Instinct MI250 accelerator datasheet (OAM): 208 CUs, 128 GB
//              HBM2e, 3.2768 TB/s, 362.1 TFLOPS FP16 matrix, 500 W.
//   [ROCM-SPEC] ROCm documentation, "AMD GPU specifications" table
//              (docs/reference/gpu-specs.rst), MI250 row: LDS 64 KiB, L2 16 MiB
//              (8 per GCD), VGPR file 512 KiB per CU, wavefront size 64.
//   [RCP-L2]   ROCm Compute Profiler docs, "L2 cache (TCC)": 32 L2 channels per
//              MI200 GCD, 128 B cache line.
//   [LLVM]     LLVM AMDGPU backend: AMDGPUBaseInfo.cpp getMaxWavesPerEU()
//              returns 8 for gfx90a (llc -mcpu=gfx90a reports "Occupancy: 8");
//              llvm-project commit b7611370 quoting the gfx90a ISA section
//              3.6.4 (512 registers per lane in total, at most 256 ArchVGPRs
//              and 256 AccVGPRs).
//   [CDNA2-ISA] AMD Instinct MI200 (CDNA 2) Instruction Set Architecture guide.
//   [HOROWITZ] M. Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm).
//   [OCONNOR]  M. O'Connor et al., "Fine-Grained DRAM", MICRO-50, 2017.
//   [KECKLER]  S. Keckler et al., "GPUs and the Future of Parallel Computing",
//              IEEE Micro 31(5), 2011.
// Process-scaling convention for the energy estimates: [HOROWITZ] 45 nm
// figures multiplied by 0.25 for a 7 nm-class node (TSMC N6). Rough estimate.
module attributes {dlti.target_system_spec = #dlti.target_system_spec<
  "mi250" = #dlti.target_device_spec<
    "kind" = "gpu",
    "vendor" = "amd",
    "arch" = "gfx90a",
    // [MI250-UA] "The MI250 GCD has 104 active CUs" ([MI250-DS]: 208 per package).
    "compute_units" = 104 : i64,
    // [MI250-UA] / [MI250-DS] peak engine clock 1700 MHz.
    "clock_hz" = 1.7e9 : f64,
    // [ROCM-SPEC] wavefront size 64.
    "warp_size" = 64 : i64,
    // [ROCM-SPEC] VGPR file 512 KiB per CU = 131072 32-bit registers
    // (4 SIMDs x 64 lanes x 512 registers). On gfx90a this is a unified file
    // shared by ArchVGPRs and AccVGPRs (AGPRs, the MFMA accumulators): a wave
    // may hold up to 512 per lane in total, at most 256 of each kind ([LLVM]).
    // Scalar SGPRs (SGPR file 12.5 KiB in [ROCM-SPEC]) are not counted.
    "registers_per_cu" = 131072 : i64,
    // [LLVM] 8 waves per SIMD on gfx90a x 4 SIMDs per CU = 32 wavefronts per CU.
    "max_warps_per_cu" = 32 : i64,
    // [ROCM-SPEC] LDS 64 KiB per CU (also the per-workgroup maximum).
    "shared_bytes_per_cu" = 65536 : i64,
    // [ROCM-SPEC] L2 8 MiB per GCD (16 MiB per package); the L2 is the
    // last-level cache on CDNA 2 (no Infinity Cache).
    "l2_bytes" = 8388608 : i64,
    "llc_bytes" = 8388608 : i64,
    // [MI250-DS] 128 GB HBM2e per package = 64 GiB per GCD (four stacks each).
    "dram_bytes" = 68719476736 : i64,
    // [MI250-DS] 3.2768 TB/s per package = 1.6384 TB/s per GCD
    // ([MI250-UA]: "1.6 TB/sec per GCD").
    "dram_bandwidth" = 1.6384e12 : f64,
    // estimate: 32 L2 channels ([RCP-L2]) x 64 B/clk per channel x 1.7 GHz
    // = 3.48 TB/s per GCD; this equals the "L2 Cache BW" peak ROCm Compute
    // Profiler prints for an MI200 GCD (3481.6 GB/s). If a channel returns a
    // full 128 B line per clock the peak would be 6.96 TB/s.
    "l2_bandwidth" = 3.4816e12 : f64,
    // [MI250-UA] table: Matrix FP16 1024 FLOPS/clock/CU, 362.1 TFLOPS per
    // package -> 104 x 1024 x 1.7 GHz = 181.0 TFLOPS per GCD (dense; MFMA
    // f32_*f16 instructions accumulate in FP32). CDNA 2 has no sparsity.
    "tensor_f16_flops" = 1.810432e14 : f64,
    // [MI250-UA] table: Matrix INT8 1024 OPS/clock/CU, 362.1 TOPS per package
    // -> 181.0 TOPS per GCD (same rate as FP16 on CDNA 2).
    "tensor_int8_ops" = 1.810432e14 : f64,
    // [MI250-UA] table: Vector FP32 128 FLOPS/clock/CU (45.3 TFLOPS per package)
    // -> 104 x 128 x 1.7 GHz = 22.6 TFLOPS per GCD. Packed FP32
    // (v_pk_fma_f32) doubles this to 45.3 TFLOPS per GCD when the code uses it.
    "vector_f32_flops" = 2.26304e13 : f64,
    // [CDNA2-ISA] / [MI250-UA]: 4 SIMD16 units per CU each retire a 64-lane
    // VALU op every 4 clocks = 64 lane-ops/clk/CU for full-rate 32-bit integer
    // ops (v_add_u32, v_and_b32, v_bfe_u32 ...); 32-bit multiply is quarter rate.
    "int32_ops_per_cycle_per_cu" = 6.4e1 : f64,
    // estimate: (tdp_watts - static_watts) / tensor_f16_flops per GCD
    //   = (250 - 45) W / 1.81e14 FLOP/s = 1.13 pJ/FLOP (upper bound; board
    //   power also covers HBM, L2 and Infinity Fabric).
    "energy_tensor_pj_per_flop" = 1.13e0 : f64,
    // estimate: [HOROWITZ] 45 nm 32-bit add 0.1 pJ + 3 register operand
    //   accesses (~5 pJ each) = ~15 pJ, x 0.25 for N6 = ~3.75 pJ per lane op.
    "energy_int_op_pj" = 3.75e0 : f64,
    // estimate: [OCONNOR] HBM2 ~3.9 pJ/bit, applied unchanged to HBM2e
    //   = 31.2 pJ/byte.
    "energy_dram_pj_per_byte" = 3.12e1 : f64,
    // estimate: [HOROWITZ] 1 MB SRAM 64-bit read 12.5 pJ/B at 45 nm x 0.25
    //   = ~3.1 pJ/B, plus ~3 pJ/B for the CU-to-L2 interconnect ([KECKLER])
    //   = ~6 pJ/B.
    "energy_l2_pj_per_byte" = 6.0e0 : f64,
    // estimate: [HOROWITZ] 32 KB SRAM 64-bit read 2.5 pJ/B at 45 nm x 0.25
    //   = ~0.63 pJ/B for the 64 KiB LDS.
    "energy_shared_pj_per_byte" = 6.3e-1 : f64,
    // estimate: ~90 W idle per MI250 OAM (rocm-smi readings on idle MI250/
    // MI250X nodes are commonly in the 80-100 W range; no authoritative source
    // found), halved per GCD. Idle power understates leakage under load.
    "static_watts" = 4.5e1 : f64,
    // [MI250-DS] 500 W peak board power per OAM, halved per GCD (the two GCDs
    // share one power budget, so one busy GCD may draw more than half).
    "tdp_watts" = 2.5e2 : f64
  >>} {
}
