//===- Npy.cpp - Writing NumPy .npy files
//----------------------------------===//

#include "lowbit/Support/Npy.h"

#include "llvm/Support/raw_ostream.h"

std::string lowbit::formatNpy(llvm::StringRef dtype,
                              llvm::ArrayRef<int64_t> shape, const void *data,
                              size_t bytes) {
  std::string header =
      "{'descr': '" + dtype.str() + "', 'fortran_order': False, 'shape': (";
  for (int64_t dim : shape)
    header += std::to_string(dim) + ", ";
  header += "), }";
  // The magic, version and length take 10 bytes; the header ends in a
  // newline and pads the whole preamble to a multiple of 64 bytes.
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  uint16_t length = header.size();
  std::string contents = "\x93NUMPY\x01";
  contents += '\0';
  contents += char(length & 0xff);
  contents += char(length >> 8);
  contents += header;
  contents.append(static_cast<const char *>(data), bytes);
  return contents;
}

llvm::Error lowbit::writeNpy(llvm::StringRef path, llvm::StringRef dtype,
                             llvm::ArrayRef<int64_t> shape, const void *data,
                             size_t bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s",
                                   path.str().c_str(), ec.message().c_str());
  out << formatNpy(dtype, shape, data, bytes);
  out.close();
  if (std::error_code error = out.error()) {
    // An unhandled stream error is fatal when the stream is destroyed.
    out.clear_error();
    return llvm::createStringError(error, "cannot write %s: %s",
                                   path.str().c_str(), error.message().c_str());
  }
  return llvm::Error::success();
}
