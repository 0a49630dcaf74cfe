// NVIDIA H200 SXM 141 GB (sm_90a). Read by lowbit's cost model (docs/tuning.md).
//
// The H200 uses the same GH100 configuration as the H100 SXM5 (132 SMs, 50 MB
// L2, same clocks and tensor rates); only the memory differs (HBM3e: more
// capacity and bandwidth). Compute figures therefore match h100.mlir.
//
// Sources (abbreviations used below):
//   [H200-DS]  NVIDIA H200 Tensor Core GPU datasheet (H200 SXM column).
//   [H100-WP]  NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022),
//              "H100 SM Architecture", "H100 L2 Cache" sections and Table 3.
//   [A100-WP]  NVIDIA A100 Tensor Core GPU Architecture whitepaper, "A100 L2
//              cache" (5120 B/clk L2 read bandwidth).
//   [CUDA-PG]  CUDA C++ Programming Guide, "Technical Specifications per
//              Compute Capability" and "Arithmetic Instructions" tables (cc 9.0).
//   [HOROWITZ] M. Horowitz, "Computing's energy problem (and what we can do
//              about it)", ISSCC 2014 (45 nm energy table).
//   [OCONNOR]  M. O'Connor et al., "Fine-Grained DRAM: Energy-Efficient DRAM
//              for Extreme Bandwidth Systems", MICRO-50, 2017 (HBM2 baseline).
//   [KECKLER]  S. Keckler et al., "GPUs and the Future of Parallel Computing",
//              IEEE Micro 31(5), 2011 (on-chip wire energy discussion).
// Process-scaling convention for the energy estimates: [HOROWITZ] 45 nm
// figures multiplied by 0.2 for a 5 nm-class node (TSMC 4N). Rough estimate.
//
// Clock note (as for H100): FP32 figures imply the 1.98 GHz maximum boost
// clock, dense tensor figures imply 1.83 GHz (132 x 4096 x 1.83 GHz = 989.4
// TFLOPS). Use the tensor keys as published, not rederived from clock_hz.
module attributes {dlti.target_system_spec = #dlti.target_system_spec<
  "h200" = #dlti.target_device_spec<
    "kind" = "gpu",
    "vendor" = "nvidia",
    "arch" = "sm_90a",
    // 132 SMs: same GH100 SXM configuration as H100 SXM5 ([H100-WP] Table 3);
    // consistent with [H200-DS] giving the same FP32/tensor peaks as H100 SXM.
    "compute_units" = 132 : i64,
    // Maximum boost clock 1980 MHz, as H100 SXM5 (see clock note).
    "clock_hz" = 1.98e9 : f64,
    // [CUDA-PG] warp size 32.
    "warp_size" = 32 : i64,
    // [CUDA-PG] cc 9.0: 64K 32-bit registers per SM.
    "registers_per_cu" = 65536 : i64,
    // [CUDA-PG] cc 9.0: 64 resident warps per SM.
    "max_warps_per_cu" = 64 : i64,
    // [CUDA-PG] cc 9.0: max shared memory per SM 228 KB (233472 B); 227 KB per block.
    "shared_bytes_per_cu" = 233472 : i64,
    // [H100-WP] "H100 L2 Cache": 50 MB (50 MiB), two partitions; unchanged on H200.
    "l2_bytes" = 52428800 : i64,
    // Last-level cache = the L2.
    "llc_bytes" = 52428800 : i64,
    // [H200-DS] 141 GB HBM3e, taken as 141e9 bytes (conservative: the six
    // 24 GiB stacks hold 144 GiB, of which slightly more than 141e9 B is usable).
    "dram_bytes" = 141000000000 : i64,
    // [H200-DS] H200 SXM: 4.8 TB/s.
    "dram_bandwidth" = 4.8e12 : f64,
    // estimate: 5120 B/clk (A100 width, [A100-WP]; assumed unchanged on GH100)
    // x 1.98 GHz = 10.1 TB/s; same estimate as h100.mlir. Measured L2
    // throughput is lower, especially for far-partition data.
    "l2_bandwidth" = 1.01376e13 : f64,
    // [H200-DS] FP16 Tensor Core 1,979 TFLOPS with sparsity -> 989.4 dense
    // (FP32 accumulate; [H100-WP] Table 3 gives 989.4 dense for the same SKU config).
    "tensor_f16_flops" = 9.894e14 : f64,
    // [H200-DS] INT8 Tensor Core 3,958 TOPS with sparsity -> 1978.9 dense.
    "tensor_int8_ops" = 1.9789e15 : f64,
    // [H200-DS] FP32 (non-tensor) 67 TFLOPS (132 x 128 x 2 x 1.98 GHz = 66.9).
    "vector_f32_flops" = 6.69e13 : f64,
    // [CUDA-PG] throughput table, cc 9.0: 64 32-bit integer add/logic results per clk per SM.
    "int32_ops_per_cycle_per_cu" = 6.4e1 : f64,
    // estimate: (tdp_watts - static_watts) / tensor_f16_flops
    //   = (700 - 80) W / 9.894e14 FLOP/s = 0.63 pJ/FLOP (upper bound; board
    //   power also covers HBM, L2 and NVLink).
    "energy_tensor_pj_per_flop" = 6.27e-1 : f64,
    // estimate: as h100.mlir: [HOROWITZ] ~15 pJ per lane op incl. 3 register
    //   operand accesses at 45 nm, x 0.2 for 4N = ~3 pJ.
    "energy_int_op_pj" = 3.0e0 : f64,
    // estimate: [OCONNOR] HBM2 ~3.9 pJ/bit reduced ~10% for HBM3/HBM3e's 0.4 V
    // I/O (JEDEC JESD238) to ~3.5 pJ/bit = 28 pJ/byte. No published H200 HBM3e
    // figure was found; HBM3e vendors claim further (unquantified here) gains.
    "energy_dram_pj_per_byte" = 2.8e1 : f64,
    // estimate: as h100.mlir: [HOROWITZ] 1 MB SRAM read 12.5 pJ/B at 45 nm
    //   x 0.2 = 2.5 pJ/B, plus ~3 pJ/B crossbar wires ([KECKLER]) = ~5.5 pJ/B.
    "energy_l2_pj_per_byte" = 5.5e0 : f64,
    // estimate: [HOROWITZ] 32 KB SRAM read 2.5 pJ/B at 45 nm x 0.2 = 0.5 pJ/B.
    "energy_shared_pj_per_byte" = 5.0e-1 : f64,
    // estimate: ~80 W idle; a third-party nvidia-smi measurement of an H200
    // SXM reports 80.3 W idle (api.serialalice.pt "GPU Energy Benchmark",
    // weak source), in line with H100 SXM idle readings plus the larger HBM.
    "static_watts" = 8.0e1 : f64,
    // [H200-DS] H200 SXM: max TDP up to 700 W (configurable).
    "tdp_watts" = 7.0e2 : f64
  >>} {
}
