// The smart-HTTP subtransport over /net/web (transport.h). Stateless RPC: libgit2 asks for one
// action per request (the ref advertisement, then one POST per negotiation round or push), and
// each becomes one /net/web connection that lives as long as the stream.
#include "transport.h"

#include "copy.h"

#include <fcntl.h>
#include <git2.h>
#include <git2/sys/transport.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace web9::git {
namespace {

constexpr const char* kNetWeb = "/net/web";

// Sets libgit2's last error and returns code, so a caller can `return fail(...)`.
int fail(int code, const std::string& msg) {
  git_error_set_str(GIT_ERROR_NET, msg.c_str());
  return code;
}

bool read_small(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  out.clear();
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

struct Service {
  const char* path;          // appended to the remote URL
  const char* method;
  const char* content_type;  // of the request body, or nullptr
  const char* accept;        // what a smart server answers with
};

Service service_for(git_smart_service_t action) {
  switch (action) {
    case GIT_SERVICE_UPLOADPACK_LS:
      return {"/info/refs?service=git-upload-pack", "GET", nullptr,
              "application/x-git-upload-pack-advertisement"};
    case GIT_SERVICE_UPLOADPACK:
      return {"/git-upload-pack", "POST", "application/x-git-upload-pack-request",
              "application/x-git-upload-pack-result"};
    case GIT_SERVICE_RECEIVEPACK_LS:
      return {"/info/refs?service=git-receive-pack", "GET", nullptr,
              "application/x-git-receive-pack-advertisement"};
    case GIT_SERVICE_RECEIVEPACK:
    default:
      return {"/git-receive-pack", "POST", "application/x-git-receive-pack-request",
              "application/x-git-receive-pack-result"};
  }
}

struct WebStream {
  git_smart_subtransport_stream parent;  // first: libgit2 hands us this pointer back
  std::string url;                       // the whole request URL
  Service service;
  int ctl = -1;       // the clone fd: the connection lives while it is open
  std::string dir;    // /net/web/N
  int postbody = -1;
  int body = -1;
  bool sent = false;
  bool failed = false;

  ~WebStream() {
    if (postbody >= 0) ::close(postbody);
    if (body >= 0) ::close(body);
    if (ctl >= 0) ::close(ctl);
  }

  int ctl_line(const std::string& line) {
    if (!write_all(ctl, line.data(), line.size()))
      return fail(-1, "/net/web: " + line.substr(0, line.find(' ')) + ": " + std::strerror(errno));
    return 0;
  }

  // Opens the connection and writes the request line and headers.
  int connect() {
    if (ctl >= 0) return 0;
    ctl = ::open((std::string(kNetWeb) + "/clone").c_str(), O_RDWR);
    if (ctl < 0)
      return fail(-1, std::string("cannot open /net/web/clone: ") + std::strerror(errno) +
                          " (is /net/web bound in this namespace?)");
    char num[32];
    ssize_t n = ::read(ctl, num, sizeof num - 1);
    if (n <= 0) return fail(-1, "/net/web/clone: no connection number");
    num[n] = 0;
    dir = std::string(kNetWeb) + "/" + std::string(num, std::strcspn(num, "\n"));
    if (int e = ctl_line("url " + url); e < 0) return e;
    if (int e = ctl_line(std::string("request ") + service.method); e < 0) return e;
    if (service.content_type)
      if (int e = ctl_line(std::string("header Content-Type: ") + service.content_type); e < 0) return e;
    if (int e = ctl_line(std::string("header Accept: ") + service.accept); e < 0) return e;
    if (int e = ctl_line("header User-Agent: git/2.0 (web9; libgit2 " LIBGIT2_VERSION ")"); e < 0) return e;
    return 0;
  }

  int write(const char* data, size_t len) {
    if (sent) return fail(-1, "/net/web: request already sent");
    if (int e = connect(); e < 0) return e;
    if (postbody < 0) {
      postbody = ::open((dir + "/postbody").c_str(), O_WRONLY);
      if (postbody < 0) return fail(-1, dir + "/postbody: " + std::strerror(errno));
    }
    if (!write_all(postbody, data, len)) return fail(-1, dir + "/postbody: " + std::strerror(errno));
    return 0;
  }

  // Sends the request (opening body does) and checks the answer is a smart-HTTP one.
  int send() {
    if (int e = connect(); e < 0) return e;
    if (postbody >= 0) {
      ::close(postbody);
      postbody = -1;
    }
    sent = true;
    body = ::open((dir + "/body").c_str(), O_RDONLY);
    if (body < 0) {
      int err = errno;
      std::string why = std::strerror(err);
      return fail(-1, "cannot reach " + url + ": " + why);
    }
    std::string status, headers;
    if (!read_small(dir + "/status", status)) return fail(-1, dir + "/status: " + std::strerror(errno));
    while (!status.empty() && (status.back() == '\n' || status.back() == '\r')) status.pop_back();
    int code = std::atoi(status.c_str());
    std::string base = url.substr(0, url.find(service.path));
    if (code == 401 || code == 403)
      return fail(GIT_EAUTH, "authentication failed for " + base + " (" + status +
                                 "): give a token with `echo token HOST TOKEN > /net/web/ctl`");
    if (code == 404) return fail(GIT_ENOTFOUND, "repository not found: " + base + " (" + status + ")");
    if (code != 200) return fail(-1, "unexpected HTTP status from " + base + ": " + status);
    read_small(dir + "/headers", headers);
    std::string ct;
    for (size_t at = 0; at < headers.size();) {
      size_t nl = headers.find('\n', at);
      std::string line = headers.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
      at = nl == std::string::npos ? headers.size() : nl + 1;
      if (line.rfind("content-type:", 0) == 0) {
        ct = line.substr(13);
        ct.erase(0, ct.find_first_not_of(' '));
        while (!ct.empty() && (ct.back() == '\r' || ct.back() == ' ')) ct.pop_back();
      }
    }
    if (ct.rfind(service.accept, 0) != 0)
      return fail(-1, base + " is not a git smart-HTTP server (content-type '" + ct + "')");
    return 0;
  }

  int read(char* buf, size_t size, size_t* got) {
    *got = 0;
    if (failed) return fail(-1, "/net/web: connection failed earlier");
    if (!sent) {
      if (int e = send(); e < 0) {
        failed = true;
        return e;
      }
    }
    for (;;) {
      ssize_t n = ::read(body, buf, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(-1, "reading from " + url + ": " + std::strerror(errno));
      *got = static_cast<size_t>(n);
      return 0;
    }
  }
};

int stream_read(git_smart_subtransport_stream* s, char* buf, size_t size, size_t* got) {
  return reinterpret_cast<WebStream*>(s)->read(buf, size, got);
}
int stream_write(git_smart_subtransport_stream* s, const char* buf, size_t len) {
  return reinterpret_cast<WebStream*>(s)->write(buf, len);
}
void stream_free(git_smart_subtransport_stream* s) { delete reinterpret_cast<WebStream*>(s); }

struct WebSubtransport {
  git_smart_subtransport parent;
  git_transport* owner;
};

int sub_action(git_smart_subtransport_stream** out, git_smart_subtransport* /*t*/, const char* url,
               git_smart_service_t action) {
  auto* s = new WebStream();
  s->parent.read = stream_read;
  s->parent.write = stream_write;
  s->parent.free = stream_free;
  s->service = service_for(action);
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  s->url = base + s->service.path;
  *out = &s->parent;
  return 0;
}
int sub_close(git_smart_subtransport*) { return 0; }
void sub_free(git_smart_subtransport* t) { delete reinterpret_cast<WebSubtransport*>(t); }

int make_subtransport(git_smart_subtransport** out, git_transport* owner, void*) {
  auto* t = new WebSubtransport();
  t->parent.action = sub_action;
  t->parent.close = sub_close;
  t->parent.free = sub_free;
  t->owner = owner;
  *out = &t->parent;
  return 0;
}

git_smart_subtransport_definition web_definition = {make_subtransport, 1, nullptr};

int make_transport(git_transport** out, git_remote* owner, void*) {
  return git_transport_smart(out, owner, &web_definition);
}

}  // namespace

int register_web_transports() {
  for (const char* scheme : {"http", "https"}) {
    int e = git_transport_register(scheme, make_transport, nullptr);
    if (e < 0 && e != GIT_EEXISTS) return e;
  }
  return 0;
}

}  // namespace web9::git
