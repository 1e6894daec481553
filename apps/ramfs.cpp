// ramfs: a file system kept in memory, served over 9P (Plan 9's ramfs(4)). It makes a pipe,
// starts a copy of itself with -i to serve one end in the background, posts the other end in
// /srv as srvname (-s) and mounts it on mountpoint (-m; /tmp when -s is not given), then exits.
// The server lives as long as a client holds its end: when the last mount is gone and the /srv
// name is removed, it reads end of file and exits, and everything in it is lost.
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "flags.h"
#include "lib9p.h"
#include "prog.h"
#include "spawn.h"
#include "web9_abi.h"

using namespace web9;

namespace {

// -i: serve the tree on fd 0 until every client is gone.
int serve_fd0() {
  const char* user = std::getenv("user");
  p9::Srv srv;
  srv.tree = std::make_shared<p9::Tree>(user && *user ? user : "glenda");
  if (int e = p9::serve(srv, 0)) fatal("serving", e);
  return 0;
}

// Starts `ramfs -i` with fd as its fd 0, in a note group of its own (an interrupt typed at the
// shell is not for it). It shares our name space and is not waited for.
int start_server(const char* argv0, int fd) {
  std::string path = find_program(argv0);
  if (path.empty()) path = find_program("ramfs");
  if (path.empty()) return ENOENT;
  static const char args[] = "ramfs\0-i";
  const int32_t fds[] = {0, fd, 2, 2};
  int32_t pid = -1;
  return web9_spawn(path.data(), static_cast<uint32_t>(path.size()), args, sizeof args, nullptr, 0, fds, 2,
                    WEB9_SPAWN_NEW_NOTEGROUP, &pid);
}

// Posts fd as /srv/name, as srv(3) has it: create the name, write the fd's number into it.
int post(const std::string& name, int fd) {
  std::string path = "/srv/" + name;
  int f = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (f < 0) return errno;
  std::string n = std::to_string(fd);
  int e = ::write(f, n.data(), n.size()) == static_cast<ssize_t>(n.size()) ? 0 : errno;
  ::close(f);
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv,
              {"is:m:", "[-i] [-s srvname] [-m mountpoint]",
               "Serve a file system kept in memory: post it in /srv, mount it (on /tmp unless -s), or with -i serve fd 0."});
  if (!flags.args().empty()) flags.usage();
  if (flags.has('i')) return serve_fd0();
  std::string srvname = flags.value('s', "");
  std::string mtpt = flags.value('m', srvname.empty() ? "/tmp" : "");

  int32_t p[2];
  if (int32_t e = web9_pipe(p)) fatal("pipe", e);
  if (int e = start_server(argv[0], p[1])) fatal("starting the server", e);
  ::close(p[1]);
  if (!srvname.empty()) {
    if (int e = post(srvname, p[0])) complain("/srv/" + srvname, e);
  }
  if (!mtpt.empty() && !failed()) {
    if (int32_t e = web9_mount(p[0], -1, mtpt.data(), static_cast<uint32_t>(mtpt.size()), WEB9_MREPL | WEB9_MCREATE,
                               nullptr, 0))
      complain("mount " + mtpt, sys_reason(e));
  }
  // The mount and /srv hold the end now; if neither does, the server sees end of file and exits.
  ::close(p[0]);
  return exit_status();
}
