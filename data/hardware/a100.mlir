// NVIDIA A100 SXM4 80 GB (sm_80). Read by lowbit's cost model (docs/tuning.md).
//
// Sources (abbreviations used below):
//   [A100-WP]  NVIDIA A100 Tensor Core GPU Architecture whitepaper (v1.0, 2020),
//              "A100 GPU hardware architecture" / "A100 SM architecture" /
//              "40 GB HBM2 and 40 MB L2 cache" sections and Table 1.
//   [A100-DS]  NVIDIA A100 Tensor Core GPU datasheet (80 GB SXM column).
//   [CUDA-PG]  CUDA C++ Programming Guide, "Technical Specifications per
//              Compute Capability" table and "Arithmetic Instructions"
//              throughput table (compute capability 8.0).
//   [HOROWITZ] M. Horowitz, "Computing's energy problem (and what we can do
//              about it)", ISSCC 2014 (45 nm energy table).
//   [OCONNOR]  M. O'Connor et al., "Fine-Grained DRAM: Energy-Efficient DRAM
//              for Extreme Bandwidth Systems", MICRO-50, 2017 (HBM2 baseline).
//   [KECKLER]  S. Keckler et al., "GPUs and the Future of Parallel Computing",
//              IEEE Micro 31(5), 2011 (on-chip wire energy discussion).
// Process-scaling convention for the energy estimates: energy per SRAM access
// or ALU op taken from [HOROWITZ] (45 nm) and multiplied by 0.25 for a
// 7 nm-class node (TSMC N7, A100). This is a rough estimate, not a measurement.
module attributes {dlti.target_system_spec = #dlti.target_system_spec<
  "a100" = #dlti.target_device_spec<
    "kind" = "gpu",
    "vendor" = "nvidia",
    "arch" = "sm_80",
    // [A100-WP] "A100 GPU hardware architecture": the A100 product enables
    // 108 of GA100's 128 SMs.
    "compute_units" = 108 : i64,
    // [A100-WP] Table 1 / [A100-DS]: GPU boost clock 1410 MHz.
    "clock_hz" = 1.41e9 : f64,
    // [CUDA-PG] warp size 32.
    "warp_size" = 32 : i64,
    // [CUDA-PG] cc 8.0: 64K 32-bit registers per SM ([A100-WP]: 256 KB RF/SM).
    "registers_per_cu" = 65536 : i64,
    // [CUDA-PG] cc 8.0: 64 resident warps (2048 threads) per SM.
    "max_warps_per_cu" = 64 : i64,
    // [CUDA-PG] cc 8.0: max shared memory per SM 164 KB (= 167936 B, the
    // largest carve-out of the 192 KB L1/shared array); a single block may
    // use at most 163 KB (1 KB per resident block is reserved by the system).
    "shared_bytes_per_cu" = 167936 : i64,
    // [A100-WP] "40 MB L2 cache" (40 MiB; cudaDevAttrL2CacheSize = 41943040).
    // Physically two partitions, but one address space seen by all SMs.
    "l2_bytes" = 41943040 : i64,
    // Last-level cache = the L2 on A100 (no memory-side cache).
    "llc_bytes" = 41943040 : i64,
    // [A100-DS] 80 GB HBM2e (5 active 16 GiB stacks = 80 GiB).
    "dram_bytes" = 85899345920 : i64,
    // [A100-DS] 80 GB SXM: 2,039 GB/s.
    "dram_bandwidth" = 2.039e12 : f64,
    // [A100-WP] "A100 L2 cache read bandwidth is 5120 Bytes/clk" (2.3x V100);
    // 5120 B/clk x 1.41 GHz = 7.22 TB/s (derived from the published per-clock
    // figure; sustained microbenchmark numbers are lower).
    "l2_bandwidth" = 7.2192e12 : f64,
    // [A100-DS] FP16 Tensor Core 312 TFLOPS dense (624 with 2:4 sparsity);
    // [A100-WP]: 1024 dense FP16 FMA/clk/SM -> 108 x 2048 x 1.41 GHz.
    // The FP32-accumulate rate equals the FP16-accumulate rate on A100.
    "tensor_f16_flops" = 3.12e14 : f64,
    // [A100-DS] INT8 Tensor Core 624 TOPS dense (1248 sparse).
    "tensor_int8_ops" = 6.24e14 : f64,
    // [A100-DS] FP32 (non-tensor) 19.5 TFLOPS = 108 SMs x 64 FP32 lanes x 2 x 1.41 GHz.
    "vector_f32_flops" = 1.95e13 : f64,
    // [CUDA-PG] throughput table, cc 8.0: 64 results/clk/SM for 32-bit integer
    // add/subtract, bitwise ops and compare (64 INT32 lanes per SM, [A100-WP]).
    "int32_ops_per_cycle_per_cu" = 6.4e1 : f64,
    // estimate: (tdp_watts - static_watts) / tensor_f16_flops
    //   = (400 - 60) W / 3.12e14 FLOP/s = 1.09 pJ/FLOP. An upper bound on the
    //   tensor-core energy, since board power also covers HBM, L2 and fabric.
    "energy_tensor_pj_per_flop" = 1.09e0 : f64,
    // estimate: per-lane 32-bit integer op including register-file traffic:
    //   [HOROWITZ] 45 nm: 32-bit add 0.1 pJ + 3 register operand accesses
    //   modelled as 32-bit reads of an 8 KB SRAM (~5 pJ each) = ~15 pJ,
    //   x 0.25 for N7 = ~3.75 pJ. Order-of-magnitude only.
    "energy_int_op_pj" = 3.75e0 : f64,
    // estimate: [OCONNOR] HBM2 access energy ~3.9 pJ/bit (activation + on-die
    // data movement + I/O); applied unchanged to HBM2e: 3.9 x 8 = 31.2 pJ/byte.
    "energy_dram_pj_per_byte" = 3.12e1 : f64,
    // estimate: [HOROWITZ] 1 MB SRAM 64-bit read 100 pJ at 45 nm = 12.5 pJ/B,
    //   x 0.25 for N7 = ~3.1 pJ/B, plus ~3 pJ/B for the SM-to-L2 crossbar wire
    //   traversal (wire energy scales poorly with node, [KECKLER]) = ~6 pJ/B.
    "energy_l2_pj_per_byte" = 6.0e0 : f64,
    // estimate: [HOROWITZ] 32 KB SRAM 64-bit read 20 pJ at 45 nm = 2.5 pJ/B,
    //   x 0.25 for N7 = ~0.63 pJ/B (shared-memory banks are small local SRAMs).
    "energy_shared_pj_per_byte" = 6.3e-1 : f64,
    // estimate: idle board power of an A100 SXM4 in P0 as read by nvidia-smi is
    // typically 50-70 W; 60 W assumed. Idle power understates leakage under
    // load (leakage rises with voltage and temperature).
    "static_watts" = 6.0e1 : f64,
    // [A100-DS] 80 GB SXM: max TDP 400 W.
    "tdp_watts" = 4.0e2 : f64
  >>} {
}
