// /net/web: HTTP as files, in the manner of Plan 9's webfs(4). Opening clone makes a connection
// N; writing "url URL" to its ctl and opening N/body sends the request; N/body streams the
// response, N/status and N/headers describe it. The network itself is a WebBackend: fetch() in a
// browser, node:http under tools/web9 (kernel/bindings_net.cpp, web/kernel/netweb.js), a fake in
// tests. docs/net.md describes the files.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/fileserver.h"

namespace web9 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct WebRequest {
  uint64_t id = 0;        // names the request in later backend calls
  std::string method;     // "GET", "POST", ...
  std::string url;        // what the user asked for: tokens match its host
  std::string fetch_url;  // where it goes: url, or the proxy's prefix followed by url
  HeaderList headers;     // the user's headers, and Authorization from a token
  Bytes body;             // the postbody (empty for none)
};

struct WebResponse {
  int status = 0;
  std::string status_text;  // may be empty (HTTP/2 has none): WebFs then names the code itself
  HeaderList headers;       // names in lower case
};

// The network, as WebFs sees it. Every answer may come now or later; after cancel(id) the
// backend may drop the answers still pending for id, or give them: WebFs copes with both.
class WebBackend {
 public:
  virtual ~WebBackend() = default;
  // Sends the request; answers with the response's head or an error whose text says what
  // failed ("web: connect: connection refused").
  virtual void start(const WebRequest& req, Reply<WebResponse> r) = 0;
  // The next bytes of request id's response body, at most count; empty at the end.
  virtual void read(uint64_t id, uint32_t count, Reply<Bytes> r) = 0;
  // Abandons request id and frees what it holds.
  virtual void cancel(uint64_t id) = 0;
  // Keeps the tokens marked persist (host, token) where no process can read them, replacing
  // what was kept before. The default keeps nothing and says so.
  virtual void save_tokens(const HeaderList& tokens, Reply<void> r);
};

class WebFs : public FileServer {
 public:
  WebFs(std::shared_ptr<WebBackend> backend, std::string owner = "glenda");
  ~WebFs() override;

  std::string_view kind() const override { return "web"; }

  // Boot-time settings (the same as writing "proxy URL" and "token HOST TOKEN [persist]" to
  // ctl, without saving): the dev server's proxy and the tokens kept from an earlier session.
  void set_proxy(std::string url) { proxy_ = std::move(url); }
  void set_token(std::string host, std::string token, bool persist);

  void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override;
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override;
  void open(Fid& fid, uint8_t mode, Reply<void> r) override;
  // Nothing is created here; an existing name answers Errc::exist, so the kernel opens it with
  // OTRUNC instead (create(2) on an existing file, as rc's > does).
  void create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) override;
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void stat(Fid& fid, Reply<Dir> r) override;
  void clunk(Fid& fid) override;
  void flush(Fid& fid) override;

  // The connections now in the table (for tests and /proc-style inspection).
  std::vector<int> connections() const;

  // Largest postbody kept (the kernel holds it whole: a browser cannot stream a request body).
  static constexpr size_t max_postbody = 256u << 20;

 private:
  struct Token {
    std::string token;
    bool persist = false;
  };
  class WebFid;
  struct Conn;

  Result<void> global_ctl(std::string_view line, bool* save);
  Result<void> conn_ctl(Conn& c, std::string_view line);
  void send(const std::shared_ptr<Conn>& c);
  void read_body(WebFid& f, uint32_t count, Reply<Bytes> r);
  static void pump(const std::shared_ptr<Conn>& c);
  std::string global_ctl_text() const;
  Dir dir_of(const WebFid& f) const;
  HeaderList persisted_tokens() const;

  std::shared_ptr<WebBackend> backend_;
  std::string owner_;
  std::string proxy_;
  std::map<std::string, Token> tokens_;  // by host, lower case
  std::map<int, std::shared_ptr<Conn>> conns_;
  uint64_t next_request_ = 1;
};

// The Authorization value /net/web adds for a token: what GitHub takes for a token over git's
// smart HTTP ("Basic " + base64("x-access-token:" + token)).
std::string token_authorization(std::string_view token);

}  // namespace web9
