#include "common/file.h"

#include <fstream>
#include <sstream>

namespace lambdalite {

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lambdalite
