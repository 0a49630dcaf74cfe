// The CI machine's description with cores that draw much more power than
// the package idles at (40 W a busy core, 1 W static): finishing sooner on
// two cores then costs energy. For --lowbit-tile-search's objective tests.
module attributes {dlti.target_system_spec = #dlti.target_system_spec<
  "hot-cores" = #dlti.target_device_spec<
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
    "core_watts" = 4.000000e+01 : f64,
    "dram_bandwidth" = 1.786421e+10 : f64,
    "energy_dram_pj_per_byte" = 1.200000e+02 : f64,
    "static_watts" = 1.000000e+00 : f64>>} {
}
