// hget: one HTTP request through /net/web (docs/net.md), the response body to standard output.
// Opens /net/web/clone, writes the url, method and headers to the connection's ctl, the body (if
// any) to its postbody, then opens body and copies it out. A status other than 2xx is reported
// after the body, and the exit status says so.
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "flags.h"
#include "copy.h"
#include "prog.h"

using namespace web9;

namespace {

const char* const web = "/net/web";

// Reads all of path (a small file: a connection number, a status, headers).
bool read_small(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    complain(path, sys_reason(errno));
    return false;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      complain(path, sys_reason(errno));
      ::close(fd);
      return false;
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

// Copies fd to out until end of file; false after a complaint about what (from or to).
bool copy(int from, const std::string& what, int to, const std::string& to_what) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      complain(what, sys_reason(errno));
      return false;
    }
    if (n == 0)
      return true;
    if (!write_all(to, buf, static_cast<size_t>(n))) {
      complain(to_what, sys_reason(errno));
      return false;
    }
  }
}

// Writes the request body given with -d: DATA itself, @FILE a file's bytes, @- standard input.
bool post(const std::string& conn, const std::string& data) {
  std::string path = conn + "/postbody";
  int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) {
    complain(path, sys_reason(errno));
    return false;
  }
  bool ok;
  if (data.size() > 1 && data[0] == '@') {
    std::string file = data.substr(1);
    int in = file == "-" ? 0 : ::open(file.c_str(), O_RDONLY);
    if (in < 0) {
      complain(file, errno);
      ::close(fd);
      return false;
    }
    ok = copy(in, file == "-" ? "<stdin>" : file, fd, path);
    if (in != 0)
      ::close(in);
  } else {
    ok = write_all(fd, data.data(), data.size());
    if (!ok)
      complain(path, sys_reason(errno));
  }
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv,
              {"iX:H:d:", "[-i] [-X method] [-H 'name: value']... [-d data|@file|@-] url",
               "Make an HTTP request through /net/web and print the response body (-i: the status "
               "and headers first). -d sends a body (POST unless -X says otherwise)."});
  if (flags.args().size() != 1)
    flags.usage();
  const std::string url = flags.args()[0];

  std::string clone = std::string(web) + "/clone";
  int ctl = ::open(clone.c_str(), O_RDWR);
  if (ctl < 0)
    fatal(clone, errno);
  char num[32];
  ssize_t n = ::read(ctl, num, sizeof num - 1);
  if (n <= 0)
    fatal(clone + ": no connection number");
  std::string conn = std::string(web) + "/" + std::string(num, static_cast<size_t>(n));
  while (!conn.empty() && conn.back() == '\n')
    conn.pop_back();

  // The fd clone gave is the connection's ctl; each line is a write of its own, so a bad one
  // is reported in ctl's words.
  std::vector<std::string> lines{"url " + url};
  if (flags.has('X'))
    lines.push_back(std::string("request ") + flags.value('X'));
  for (const auto& h : flags.values('H'))
    lines.push_back("header " + h);
  for (const auto& line : lines) {
    if (!write_all(ctl, line.data(), line.size())) {
      complain(url, sys_reason(errno));
      return exit_status();
    }
  }
  if (flags.has('d') && !post(conn, flags.value('d')))
    return exit_status();

  std::string body_path = conn + "/body";
  int body = ::open(body_path.c_str(), O_RDONLY);
  if (body < 0) {
    complain(url, sys_reason(errno));
    return exit_status();
  }
  std::string status;
  if (!read_small(conn + "/status", status))
    return exit_status();
  while (!status.empty() && status.back() == '\n')
    status.pop_back();
  if (flags.has('i')) {
    std::string headers;
    if (!read_small(conn + "/headers", headers))
      return exit_status();
    std::string head = status + "\n" + headers + "\n";
    if (!write_all(1, head.data(), head.size()))
      fatal("write error", errno);
  }
  bool ok = copy(body, url, 1, "write error");
  ::close(body);
  ::close(ctl);
  if (ok && !(status.size() >= 1 && status[0] == '2'))
    complain(url, status);
  return exit_status();
}
