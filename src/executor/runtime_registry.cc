#include "executor/runtime_registry.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <utility>

#include "domain/runtimes.h"

#ifndef LAMBDALITE_RUNTIMES_DIR
#define LAMBDALITE_RUNTIMES_DIR "/usr/local/lib/lambdalite/runtimes"
#endif

namespace lambdalite::executor {

std::string RuntimeRegistry::OverrideVariable(std::string_view runtime) {
  std::string name = "LAMBDALITE_RUNTIME_";
  for (char c : runtime) {
    name.push_back(std::isalnum(static_cast<unsigned char>(c))
                       ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                       : '_');
  }
  return name;
}

RuntimeRegistry RuntimeRegistry::Default(
    const std::function<const char*(const char*)>& getenv,
    const std::function<bool(const std::string&)>& executable) {
  auto env = getenv ? getenv : [](const char* name) -> const char* { return std::getenv(name); };
  auto runnable = executable ? executable : [](const std::string& path) {
    return access(path.c_str(), X_OK) == 0;
  };

  RuntimeRegistry registry;
  for (int minor = 8; minor <= 14; ++minor) {
    const std::string runtime = "python3." + std::to_string(minor);
    // The exact minor version when the host has it; any Python 3 otherwise (the handler API is
    // the same, and most code runs unchanged).
    std::string interpreter = "/usr/bin/" + runtime;
    if (!runnable(interpreter)) interpreter = "/usr/bin/python3";
    registry.Set(runtime, {{interpreter, "/var/runtime/python/bootstrap.py"}, true, true});
  }
  for (int major : {16, 18, 20, 22, 24}) {
    registry.Set("nodejs" + std::to_string(major) + ".x",
                 {{"/usr/bin/node", "/var/runtime/node/bootstrap.mjs"}, true, true});
  }
  for (const char* runtime : {"provided.al2", "provided.al2023"}) {
    registry.Set(runtime, {{"/var/task/bootstrap"}, false});
  }

  for (auto& [runtime, command] : registry.commands_) {
    if (const char* value = env(OverrideVariable(runtime).c_str()); value && *value) {
      command.argv[0] = value;
    }
  }
  // Runtimes lambdalite ships no runtime client for (java, ruby, dotnet) run only when one is
  // configured: LAMBDALITE_RUNTIME_<NAME> then names an executable that speaks the Runtime API
  // itself (as a provided.* bootstrap does, e.g. a wrapper around AWS's runtime interface
  // client for that language), started with the managed runtime's environment.
  for (std::string_view supported : domain::kSupportedRuntimes) {
    const std::string runtime(supported);
    if (registry.commands_.count(runtime)) continue;
    if (const char* value = env(OverrideVariable(runtime).c_str()); value && *value) {
      registry.Set(runtime, {{value}, true, false});
    }
  }
  return registry;
}

void RuntimeRegistry::Set(const std::string& runtime, RuntimeCommand command) {
  commands_[runtime] = std::move(command);
}

const RuntimeCommand* RuntimeRegistry::Find(std::string_view runtime) const {
  auto it = commands_.find(runtime);
  return it == commands_.end() ? nullptr : &it->second;
}

std::string DefaultRuntimesDir() {
  if (const char* dir = std::getenv("LAMBDALITE_RUNTIMES_DIR"); dir && *dir) return dir;
  return LAMBDALITE_RUNTIMES_DIR;
}

}  // namespace lambdalite::executor
