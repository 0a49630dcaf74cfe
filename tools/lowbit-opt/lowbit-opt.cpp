//===- lowbit-opt.cpp - Pass driver over lowbit IR -----------------------===//

#include "lowbit/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  lowbit::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "lowbit optimizer: pass pipelines over lowbit IR\n",
      registry));
}
