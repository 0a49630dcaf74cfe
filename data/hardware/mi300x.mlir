// AMD Instinct MI300X OAM (gfx942). Read by lowbit's cost model (docs/tuning.md).
//
// MI300X stacks 8 XCDs (38 active CUs and a 4 MiB L2 each) on 4 I/O dies that
// hold the 256 MiB Infinity Cache (memory-side last-level cache) and the eight
// HBM3 stacks. In the default SPX/NPS1 mode the whole package is one GPU and a
// kernel's workgroups are spread round-robin over the 8 XCDs, so the device is
// described as the whole package.
//
// Sources (abbreviations used below):
//   [MI300-UA] ROCm documentation, "AMD Instinct MI300 series microarchitecture"
//              (docs/conceptual/gpu-arch/mi300.md): 38 active CUs and 4 MB L2 per
//              XCD, up to 8 XCDs / 304 CUs, 5.3 TB/s, and the "Peak-performance
//              capabilities of the MI300X" table (FLOPS/clock/CU, TFLOPS).
//   [MI300-DS] AMD Instinct MI300X accelerator datasheet: 304 CUs, 2100 MHz
//              peak engine clock, 192 GB HBM3, 5.3 TB/s, 256 MB Infinity Cache,
//              750 W.
//   [CDNA3-WP] AMD CDNA 3 architecture white paper (Infinity Cache, L2 sections).
//   [ROCM-SPEC] ROCm documentation, "AMD GPU specifications" table
//              (docs/reference/gpu-specs.rst), MI300X row: 304 CUs (38 per XCD),
//              wavefront 64, LDS 64 KiB, L3 (Infinity Cache) 256 MiB, L2 32 MiB
//              (4 per XCD), VGPR file 512 KiB per CU.
//   [RCP-L2]   ROCm Compute Profiler docs, "L2 cache (TCC)": MI300 L2 has 16
//              channels of 256 KB per XCD, 128 B lines, one instance per XCD.
//   [LLVM]     LLVM AMDGPU backend: getMaxWavesPerEU() returns 8 for gfx90a-
//              class targets incl. gfx942 (llc -mcpu=gfx942 reports
//              "Occupancy: 8"); gfx90a/gfx942 ISA: 512 unified VGPRs+AGPRs per
//              lane, at most 256 of each (llvm-project commit b7611370).
//   [CDNA3-ISA] AMD Instinct MI300 (CDNA 3) Instruction Set Architecture guide.
//   [HOROWITZ] M. Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm).
//   [OCONNOR]  M. O'Connor et al., "Fine-Grained DRAM", MICRO-50, 2017.
//   [KECKLER]  S. Keckler et al., "GPUs and the Future of Parallel Computing",
//              IEEE Micro 31(5), 2011.
// Process-scaling convention for the energy estimates: [HOROWITZ] 45 nm
// figures multiplied by 0.2 for the 5 nm-class XCDs (TSMC N5). Rough estimate.
module attributes {dlti.target_system_spec = #dlti.target_system_spec<
  "mi300x" = #dlti.target_device_spec<
    "kind" = "gpu",
    "vendor" = "amd",
    "arch" = "gfx942",
    // [MI300-DS] / [ROCM-SPEC] 304 CUs (8 XCDs x 38 active CUs).
    "compute_units" = 304 : i64,
    // [MI300-DS] peak engine clock 2100 MHz.
    "clock_hz" = 2.1e9 : f64,
    // [ROCM-SPEC] wavefront size 64.
    "warp_size" = 64 : i64,
    // [ROCM-SPEC] VGPR file 512 KiB per CU = 131072 32-bit registers
    // (4 SIMDs x 64 lanes x 512). As on gfx90a the file is unified between
    // ArchVGPRs and AccVGPRs (AGPRs, MFMA accumulators): up to 512 per lane per
    // wave in total, at most 256 of each kind ([LLVM]). SGPRs not counted.
    "registers_per_cu" = 131072 : i64,
    // [LLVM] 8 waves per SIMD x 4 SIMDs per CU = 32 wavefronts per CU.
    "max_warps_per_cu" = 32 : i64,
    // [ROCM-SPEC] LDS 64 KiB per CU (also the per-workgroup maximum).
    "shared_bytes_per_cu" = 65536 : i64,
    // [MI300-UA] / [ROCM-SPEC] L2: 4 MiB per XCD, 32 MiB aggregate. Each XCD's
    // L2 caches only for its own 38 CUs (L2s are not shared across XCDs), so
    // a working set shared by all workgroups is effectively limited to 4 MiB
    // of L2 per XCD; 32 MiB is the aggregate. The 256 MiB Infinity Cache
    // below the L2 is the real last-level cache (see llc_bytes).
    "l2_bytes" = 33554432 : i64,
    // [MI300-DS] / [ROCM-SPEC] 256 MiB AMD Infinity Cache (memory-side cache on
    // the I/O dies, shared by all XCDs); AMD quotes ~17 TB/s peak Infinity
    // Cache bandwidth ([CDNA3-WP]; AMD launch material).
    "llc_bytes" = 268435456 : i64,
    // [MI300-DS] 192 GB HBM3 (8 stacks of 24 GiB = 192 GiB).
    "dram_bytes" = 206158430208 : i64,
    // [MI300-DS] / [MI300-UA] 5.3 TB/s peak HBM3 bandwidth.
    "dram_bandwidth" = 5.3e12 : f64,
    // estimate: 16 L2 channels per XCD ([RCP-L2]) x 128 B/clk per channel
    // (2 KB/clk per XCD as described in [CDNA3-WP]) x 8 XCDs x 2.1 GHz
    // = 34.4 TB/s aggregate L2 read bandwidth; 4.3 TB/s per XCD.
    "l2_bandwidth" = 3.44064e13 : f64,
    // [MI300-UA] table / [MI300-DS]: Matrix FP16 2048 FLOPS/clock/CU,
    // 1307.4 TFLOPS dense (2614.9 with sparsity); MFMA f32_*f16 accumulates in FP32.
    "tensor_f16_flops" = 1.3074432e15 : f64,
    // [MI300-UA] table / [MI300-DS]: Matrix INT8 4096 OPS/clock/CU,
    // 2614.9 TOPS dense.
    "tensor_int8_ops" = 2.6148864e15 : f64,
    // Non-packed FP32 FMA rate: 304 x 128 FLOPS/clock/CU x 2.1 GHz = 81.7
    // TFLOPS (one FMA per lane per clock, [CDNA3-ISA]). [MI300-UA]/[MI300-DS]
    // list "Vector FP32" as 163.4 TFLOPS (256 FLOPS/clock/CU), which needs
    // packed FP32 (v_pk_fma_f32) - the same rate AMD listed separately as
    // "Packed FP32" for MI250. The non-packed rate is used here for
    // consistency with mi250.mlir.
    "vector_f32_flops" = 8.17152e13 : f64,
    // [CDNA3-ISA]: 4 SIMD16 units per CU, a 64-lane VALU op every 4 clocks per
    // SIMD = 64 full-rate 32-bit integer lane-ops/clk/CU (add, logic, bfe).
    "int32_ops_per_cycle_per_cu" = 6.4e1 : f64,
    // estimate: (tdp_watts - static_watts) / tensor_f16_flops
    //   = (750 - 140) W / 1.307e15 FLOP/s = 0.47 pJ/FLOP (upper bound; board
    //   power also covers HBM, Infinity Cache and Infinity Fabric).
    "energy_tensor_pj_per_flop" = 4.67e-1 : f64,
    // estimate: [HOROWITZ] 45 nm 32-bit add 0.1 pJ + 3 register operand
    //   accesses (~5 pJ each) = ~15 pJ, x 0.2 for N5 = ~3 pJ per lane op.
    "energy_int_op_pj" = 3.0e0 : f64,
    // estimate: [OCONNOR] HBM2 ~3.9 pJ/bit reduced ~10% for HBM3's 0.4 V I/O
    //   (JEDEC JESD238) to ~3.5 pJ/bit = 28 pJ/byte. No published MI300X figure found.
    "energy_dram_pj_per_byte" = 2.8e1 : f64,
    // estimate: [HOROWITZ] 1 MB SRAM 64-bit read 12.5 pJ/B at 45 nm x 0.2
    //   = 2.5 pJ/B, plus ~3 pJ/B CU-to-L2 interconnect ([KECKLER]) = ~5.5 pJ/B.
    //   Hits in the Infinity Cache cost more (die-to-die hop to the I/O die).
    "energy_l2_pj_per_byte" = 5.5e0 : f64,
    // estimate: [HOROWITZ] 32 KB SRAM 64-bit read 2.5 pJ/B at 45 nm x 0.2
    //   = 0.5 pJ/B for the 64 KiB LDS.
    "energy_shared_pj_per_byte" = 5.0e-1 : f64,
    // estimate: ~140 W idle; rocm-smi/amd-smi idle readings on MI300X nodes are
    // commonly reported in the ~120-160 W range (no authoritative source
    // found). Idle power understates leakage under load.
    "static_watts" = 1.4e2 : f64,
    // [MI300-DS] 750 W peak board power (OAM).
    "tdp_watts" = 7.5e2 : f64
  >>} {
}
