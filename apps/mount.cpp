// mount: attach the 9P server on the other end of a /srv file (or of an open file
// descriptor, given by number) at old, as Plan 9's mount does; spec picks the tree the
// server offers. -b, -a, -c and -q as for bind.
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include "flags.h"
#include "mountflags.h"
#include "proc.h"
#include "prog.h"
#include "web9_abi.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"abcq", "[-abcq] srvfile|fd old [spec]", "Mount a 9P server (a /srv file or fd) in the namespace."});
  auto& a = flags.args();
  if (a.size() != 2 && a.size() != 3)
    flags.usage();
  uint32_t f = mount_flags(flags);
  const std::string& srv = a[0];
  const std::string& old = a[1];
  std::string spec = a.size() == 3 ? a[2] : "";
  int fd;
  bool ours = !is_pid(srv);  // a number is a descriptor we were given
  if (ours) {
    fd = ::open(srv.c_str(), O_RDWR);
    if (fd < 0) {
      mount_failed(flags, srv, errno);
      return exit_status();
    }
  } else {
    fd = std::atoi(srv.c_str());
  }
  if (int32_t e = web9_mount(fd, -1, old.data(), static_cast<uint32_t>(old.size()), f, spec.data(),
                             static_cast<uint32_t>(spec.size())))
    mount_failed(flags, srv + " " + old, e);
  // The mount holds its own reference to the channel.
  if (ours)
    ::close(fd);
  return exit_status();
}
