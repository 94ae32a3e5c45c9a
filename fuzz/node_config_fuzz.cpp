// Fuzzes the node's --config-file: TOML text, then every option's value parser and the checks
// across options. Any file must give a configuration or an error that says what is wrong.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "runtime/config/node_config.hpp"

namespace {

// The option reads a path, so each input goes through one file of this process, removed when
// the fuzzer exits.
struct ConfigFile {
  std::string path = "/tmp/fuzz_node_config." + std::to_string(::getpid()) + ".toml";
  ConfigFile() = default;
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  ~ConfigFile() { ::unlink(path.c_str()); }
};

const std::string& config_path() {
  static const ConfigFile file;
  return file.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(config_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    FUZZ_CHECK(out.good());
  }
  const std::vector<std::string> args{"--config-file=" + config_path()};
  const auto config = waku::runtime::load_node_config(args, {});
  if (!config) FUZZ_CHECK(!config.error().detail.empty());
  return 0;
}
