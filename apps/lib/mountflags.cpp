// bind and mount's shared flags (see mountflags.h).
#include "mountflags.h"

#include "prog.h"
#include "web9_abi.h"

namespace web9 {

uint32_t mount_flags(const Flags& flags) {
  if (flags.has('a') && flags.has('b'))
    flags.usage();
  uint32_t f = flags.has('a') ? WEB9_MAFTER : flags.has('b') ? WEB9_MBEFORE : WEB9_MREPL;
  if (flags.has('c'))
    f |= WEB9_MCREATE;
  return f;
}

void mount_failed(const Flags& flags, const std::string& what, int err) {
  if (flags.has('q'))
    set_failed();
  else
    complain(what, sys_reason(err));
}

}  // namespace web9
