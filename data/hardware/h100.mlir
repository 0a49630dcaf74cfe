// NVIDIA H100 SXM5 80 GB (sm_90a). Read by lowbit's cost model (docs/tuning.md).
//
// Sources (abbreviations used below):
//   [H100-WP]  NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022),
//              "H100 SM Architecture", "H100 L1 Data Cache and Shared Memory",
//              "H100 L2 Cache" sections and Table 3 (A100 vs H100 SXM5 vs PCIe).
//   [H100-DS]  NVIDIA H100 Tensor Core GPU datasheet (H100 SXM column).
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
// Clock note: the datasheet FP32/FP64 figures imply the 1.98 GHz maximum boost
// clock (132 x 256 FLOP/clk x 1.98 GHz = 66.9 TFLOPS), while the dense tensor
// figures imply 1.83 GHz (132 x 4096 FLOP/clk x 1.83 GHz = 989.4 TFLOPS).
// clock_hz is the 1.98 GHz boost clock; the tensor keys are the published
// figures and should be used as-is rather than rederived from clock_hz.
module attributes {dlti.target_system_spec = #dlti.target_system_spec<
  "h100" = #dlti.target_device_spec<
    "kind" = "gpu",
    "vendor" = "nvidia",
    "arch" = "sm_90a",
    // [H100-WP] Table 3: 132 SMs (H100 SXM5; the full GH100 die has 144).
    "compute_units" = 132 : i64,
    // Maximum boost clock 1980 MHz (nvidia-smi max SM clock of H100 SXM5;
    // consistent with [H100-DS] 67 TFLOPS FP32, see clock note above).
    "clock_hz" = 1.98e9 : f64,
    // [CUDA-PG] warp size 32.
    "warp_size" = 32 : i64,
    // [CUDA-PG] cc 9.0: 64K 32-bit registers per SM ([H100-WP]: 256 KB RF/SM).
    "registers_per_cu" = 65536 : i64,
    // [CUDA-PG] cc 9.0: 64 resident warps (2048 threads) per SM.
    "max_warps_per_cu" = 64 : i64,
    // [CUDA-PG] cc 9.0: max shared memory per SM 228 KB (= 233472 B, from the
    // 256 KB combined L1/shared array, [H100-WP]); per block at most 227 KB.
    "shared_bytes_per_cu" = 233472 : i64,
    // [H100-WP] "H100 L2 Cache": 50 MB (50 MiB) L2 on H100 SXM5, split in two
    // partitions; data in the far partition costs extra latency.
    "l2_bytes" = 52428800 : i64,
    // Last-level cache = the L2 on H100.
    "llc_bytes" = 52428800 : i64,
    // [H100-DS] 80 GB HBM3 (5 active 16 GiB stacks = 80 GiB).
    "dram_bytes" = 85899345920 : i64,
    // [H100-DS] H100 SXM: 3.35 TB/s.
    "dram_bandwidth" = 3.35e12 : f64,
    // estimate: NVIDIA publishes no per-clock L2 figure for H100. Assumes the
    // A100 width of 5120 B/clk ([A100-WP]) at 1.98 GHz = 10.1 TB/s. Measured
    // L2 throughput is lower,
    // especially for data homed in the far partition.
    "l2_bandwidth" = 1.01376e13 : f64,
    // [H100-DS] / [H100-WP] Table 3: FP16 Tensor Core with FP32 accumulate
    // 989.4 TFLOPS dense (1978.9 with 2:4 sparsity).
    "tensor_f16_flops" = 9.894e14 : f64,
    // [H100-DS] INT8 Tensor Core 1978.9 TOPS dense (3957.8 sparse).
    "tensor_int8_ops" = 1.9789e15 : f64,
    // [H100-DS] FP32 (non-tensor) 66.9 TFLOPS = 132 SMs x 128 lanes x 2 x 1.98 GHz.
    "vector_f32_flops" = 6.69e13 : f64,
    // [CUDA-PG] throughput table, cc 9.0: 64 results/clk/SM for 32-bit integer
    // add/subtract, bitwise ops and compare ([H100-WP]: 64 INT32 units per SM).
    "int32_ops_per_cycle_per_cu" = 6.4e1 : f64,
    // estimate: (tdp_watts - static_watts) / tensor_f16_flops
    //   = (700 - 70) W / 9.894e14 FLOP/s = 0.64 pJ/FLOP (an upper bound: board
    //   power also covers HBM, L2 and NVLink).
    "energy_tensor_pj_per_flop" = 6.37e-1 : f64,
    // estimate: [HOROWITZ] 45 nm 32-bit add 0.1 pJ + 3 register operand
    //   accesses (~5 pJ each, 8 KB SRAM 32-bit read) = ~15 pJ, x 0.2 for 4N
    //   = ~3 pJ per lane op. Order-of-magnitude only.
    "energy_int_op_pj" = 3.0e0 : f64,
    // estimate: [OCONNOR] HBM2 ~3.9 pJ/bit, reduced ~10% for HBM3's lower I/O
    // voltage (0.4 V VDDQ in JEDEC JESD238 HBM3 vs 1.2 V in HBM2) to ~3.5
    // pJ/bit = 28 pJ/byte. No published H100 HBM3 figure was found.
    "energy_dram_pj_per_byte" = 2.8e1 : f64,
    // estimate: [HOROWITZ] 1 MB SRAM 64-bit read 100 pJ at 45 nm = 12.5 pJ/B,
    //   x 0.2 for 4N = 2.5 pJ/B, plus ~3 pJ/B crossbar wire traversal
    //   ([KECKLER]: wire energy scales poorly) = ~5.5 pJ/B.
    "energy_l2_pj_per_byte" = 5.5e0 : f64,
    // estimate: [HOROWITZ] 32 KB SRAM 64-bit read 20 pJ at 45 nm = 2.5 pJ/B,
    //   x 0.2 for 4N = 0.5 pJ/B.
    "energy_shared_pj_per_byte" = 5.0e-1 : f64,
    // estimate: idle board power of an H100 SXM5 as read by nvidia-smi is
    // typically 60-80 W; 70 W assumed (idle power understates leakage under
    // load).
    "static_watts" = 7.0e1 : f64,
    // [H100-DS] H100 SXM: max TDP up to 700 W (configurable).
    "tdp_watts" = 7.0e2 : f64
  >>} {
}
