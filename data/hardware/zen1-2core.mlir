// The CPU lowbit-tune --probe ran on, as it measured it.
// Measured (compiled with -O3 -march=native -fopenmp; best of three):
//   dram_bandwidth_per_core, dram_bandwidth: reading 1 GiB with one
//     core and with all; l1/l2/l3 bandwidth: one core re-reading
//     16 KiB / 256 KiB / 3 MiB; fma_latency_cycles, fma_per_cycle:
//     256-bit FMAs in one chain and in twelve; vector_ops_per_cycle:
//     256-bit integer add/and in eight chains; vector_shifts_per_cycle:
//     vpsrld in eight chains; dram_latency_s: a pointer chase through
//     256 MiB in random order.
//   clock_hz: /proc/cpuinfo "cpu MHz"; cache sizes: sysfs.
//   raw: {"cores": 2, "dram_1": 1.301776e+10, "dram_all": 1.786421e+10, "l1": 7.182219e+10, "l2": 5.660114e+10, "l3": 4.335218e+10, "fma_latency_ns": 2.725462e+00, "fma_per_ns": 2.317675e+00, "ops_per_ns": 4.410767e+00, "shifts_per_ns": 1.153840e+00, "dram_latency_s": 2.343877e-07, "avx512": 0}
// Not measured: reorder_buffer 192 (AMD family 17h Software
//   Optimization Guide; edit for other cores).
// Estimates (no power counters are readable here): energy_fma_pj 40
//   and energy_op_pj 25 per 256-bit instruction, energy_l1 0.5 and
//   energy_l2 2 pJ/B, energy_dram 120 pJ/B (15 pJ/bit DDR4 with I/O),
//   static_watts 10, core_watts 5: orders of magnitude from Horowitz,
//   "Computing's energy problem", ISSCC 2014, scaled to 14 nm.
module attributes {dlti.target_system_spec = #dlti.target_system_spec<
  "zen1-2core" = #dlti.target_device_spec<
    "kind" = "cpu",
    "vendor" = "x86",
    "arch" = "avx2",
    "cores" = 2 : i64,
    "clock_hz" = 1.996248e+09 : f64,
    "vector_bits" = 256 : i64,
    "vector_registers" = 16 : i64,
    "fma_per_cycle" = 1.161016e+00 : f64,
    "fma_latency_cycles" = 5.440698e+00 : f64,
    "reorder_buffer" = 192 : i64,
    "vector_ops_per_cycle" = 2.209529e+00 : f64,
    "vector_shifts_per_cycle" = 5.780043e-01 : f64,
    "dram_latency_s" = 2.343877e-07 : f64,
    "l1_bytes" = 32768 : i64,
    "l2_bytes_per_core" = 524288 : i64,
    "l3_bytes" = 8388608 : i64,
    "l1_bandwidth" = 7.182219e+10 : f64,
    "l2_bandwidth_per_core" = 5.660114e+10 : f64,
    "l3_bandwidth_per_core" = 4.335218e+10 : f64,
    "dram_bandwidth_per_core" = 1.301776e+10 : f64,
    "energy_fma_pj" = 4.000000e+01 : f64,
    "energy_op_pj" = 2.500000e+01 : f64,
    "energy_l1_pj_per_byte" = 5.000000e-01 : f64,
    "energy_l2_pj_per_byte" = 2.000000e+00 : f64,
    "core_watts" = 5.000000e+00 : f64,
    "dram_bandwidth" = 1.786421e+10 : f64,
    "energy_dram_pj_per_byte" = 1.200000e+02 : f64,
    "static_watts" = 1.000000e+01 : f64>>} {
}
