#pragma once
// Option builders for the tests: argv first, then any field through With(lambda).

#include <string>
#include <utility>
#include <vector>

#include "runtime/process/run_command.h"
#include "runtime/process/spawn.h"

namespace podagent {

template <typename Options>
struct Builder : Options {
  explicit Builder(std::vector<std::string> argv) { this->argv = std::move(argv); }
  template <typename F>
  Builder&& With(F f) && {
    f(static_cast<Options&>(*this));
    return std::move(*this);
  }
};
using SpawnCmd = Builder<SpawnOptions>;
using Cmd = Builder<CommandOptions>;

}  // namespace podagent
