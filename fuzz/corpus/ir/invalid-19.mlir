func.func @yield_outside_matmul(%v: f16) {
  lowbit.yield %v : f16
}
