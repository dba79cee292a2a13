#pragma once

// Which command runs a function's runtime. AWS runs each managed runtime from its own image; here
// a runtime is a host interpreter plus a runtime client from the runtimes directory (mounted at
// /var/runtime):
//
//  - python3.8 .. python3.14: /usr/bin/python3.X (else /usr/bin/python3) running
//    /var/runtime/python/bootstrap.py;
//  - nodejs16.x .. nodejs24.x: /usr/bin/node running /var/runtime/node/bootstrap.mjs;
//  - provided.al2, provided.al2023: /var/task/bootstrap, the function's own executable.
//
// The interpreter (argv[0]) of any runtime can be replaced through the environment variable
// LAMBDALITE_RUNTIME_<NAME>, NAME being the runtime upper-cased with '.' → '_', e.g.
// LAMBDALITE_RUNTIME_PYTHON3_12=/opt/python3.12/bin/python3. Interpreters must be readable and
// executable by unprivileged users (so not below /root).
//
// java*, ruby* and dotnet* have no runtime client here: such a runtime exists only when its
// LAMBDALITE_RUNTIME_<NAME> names an executable that implements the Runtime API itself (run as
// argv[0] alone, like a provided.* bootstrap, with the managed runtime's environment). Without
// one, Find returns nullptr, and the control plane refuses the runtime at CreateFunction.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lambdalite::executor {

struct RuntimeCommand {
  // argv[0] is an absolute path as seen inside the sandbox.
  std::vector<std::string> argv;
  // Managed runtimes get AWS_EXECUTION_ENV=AWS_Lambda_<runtime>; OS-only (provided.*) do not.
  bool managed = true;
  // The runtime client can start before its function is known (SandboxSpec::deferred): started
  // with _LAMBDALITE_PRESTARTED=1, it reads the function's environment from stdin ("NAME=value"
  // entries, each ended by a NUL byte, up to EOF) before it looks at anything else. Python's and
  // Node's do.
  bool prestart = false;
};

class RuntimeRegistry {
 public:
  // An empty registry (runs nothing).
  RuntimeRegistry() = default;

  // The built-in mapping above, with LAMBDALITE_RUNTIME_<NAME> overrides. `getenv` and
  // `executable` are injectable for tests.
  static RuntimeRegistry Default(
      const std::function<const char*(const char*)>& getenv = nullptr,
      const std::function<bool(const std::string&)>& executable = nullptr);

  void Set(const std::string& runtime, RuntimeCommand command);
  // The command of `runtime`, or nullptr when this host cannot run it.
  const RuntimeCommand* Find(std::string_view runtime) const;

  // "LAMBDALITE_RUNTIME_PYTHON3_12" for "python3.12".
  static std::string OverrideVariable(std::string_view runtime);

 private:
  std::map<std::string, RuntimeCommand, std::less<>> commands_;
};

// Where the runtime clients live on the host: $LAMBDALITE_RUNTIMES_DIR, else the directory
// compiled in (the source tree's src/executor/runtimes).
std::string DefaultRuntimesDir();

}  // namespace lambdalite::executor
