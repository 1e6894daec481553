// The flags bind and mount share, as Plan 9 spells them: -b before, -a after (else
// replace), -c allowing creation, -q quiet about failures.
#pragma once

#include <cstdint>

#include "flags.h"

namespace web9 {

// WEB9_M* bits from the parsed flags; -a with -b is a usage error.
uint32_t mount_flags(const Flags& flags);

// Reports a failed bind/mount/unmount ("bind: new old: reason", with the kernel's own
// reason where it has one) unless -q, and leaves the status failed either way.
void mount_failed(const Flags& flags, const std::string& what, int err);

}  // namespace web9
