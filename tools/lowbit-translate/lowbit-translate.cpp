//===- lowbit-translate.cpp - lowbit IR to target source ------------------===//

#include "lowbit/Target/CPU/TranslateToCpu.h"
#include "lowbit/Target/GPU/TranslateToGpu.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  lowbit::registerToCpuTranslation();
  lowbit::registerToGpuTranslations();
  return mlir::failed(mlir::mlirTranslateMain(
      argc, argv, "lowbit translation: IR to target source"));
}
