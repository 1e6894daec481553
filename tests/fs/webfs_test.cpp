// Tests for fs/webfs.cpp (/net/web) over a fake backend that answers from scripts, one step per
// drive: clone numbering, ctl parsing and its errors, body, status and headers, tokens (added to
// matching requests, never readable), the proxy, connections freed on clunk, and failures.
#include "fs/webfs.h"

#include <catch2/catch.hpp>
#include <deque>
#include <map>

#include "tests/fs/fs_client.h"

namespace web9 {
namespace {

using test::FidPtr;
using test::FsClient;
using test::FsFactory;
using test::outcome;
using test::text;

// A response the fake gives for a URL: a head and body chunks, or a failure to connect.
struct Script {
  int status = 200;
  std::string status_text = "OK";
  HeaderList headers;
  std::vector<std::string> chunks;
  std::string connect_error;  // non-empty: start fails with this
  std::string read_error;     // non-empty: reading past the chunks fails with this
};

class FakeBackend : public WebBackend {
 public:
  void start(const WebRequest& req, Reply<WebResponse> r) override {
    requests.push_back(req);
    later([this, req, r] {
      auto it = scripts.find(req.fetch_url);
      if (it == scripts.end()) return r(Error(Errc::connrefused, "web: connect: connection refused"));
      const Script& s = it->second;
      if (!s.connect_error.empty()) return r(Error(Errc::connrefused, s.connect_error));
      streams[req.id] = {s.chunks.begin(), s.chunks.end()};
      read_errors[req.id] = s.read_error;
      r(WebResponse{s.status, s.status_text, s.headers});
    });
  }
  void read(uint64_t id, uint32_t count, Reply<Bytes> r) override {
    reads++;
    later([this, id, count, r] {
      if (cancelled.count(id)) return;  // a cancelled request's answers are dropped
      auto& q = streams[id];
      if (q.empty()) {
        if (!read_errors[id].empty()) return r(Error(Errc::io, read_errors[id]));
        return r(Bytes{});
      }
      std::string& front = q.front();
      size_t n = std::min<size_t>(count, front.size());
      Bytes out(front.begin(), front.begin() + static_cast<ptrdiff_t>(n));
      front.erase(0, n);
      if (front.empty()) q.pop_front();
      r(std::move(out));
    });
  }
  void cancel(uint64_t id) override { cancelled[id] = true; }
  void save_tokens(const HeaderList& tokens, Reply<void> r) override {
    saved = tokens;
    saves++;
    r(success());
  }

  bool run_one() {
    if (pending.empty()) return false;
    auto step = std::move(pending.front());
    pending.pop_front();
    step();
    return true;
  }

  std::map<std::string, Script> scripts;  // by fetch URL
  std::vector<WebRequest> requests;
  std::map<uint64_t, bool> cancelled;
  HeaderList saved;
  int saves = 0;
  int reads = 0;

 private:
  void later(std::function<void()> f) { pending.push_back(std::move(f)); }
  std::deque<std::function<void()>> pending;
  std::map<uint64_t, std::deque<std::string>> streams;
  std::map<uint64_t, std::string> read_errors;
};

struct Web {
  std::shared_ptr<FakeBackend> net = std::make_shared<FakeBackend>();
  std::shared_ptr<WebFs> fs = std::make_shared<WebFs>(net);
  FsClient c{FsFactory{.name = "web", .make = [fs = fs] { return fs; }, .drive = [n = net] { return n->run_one(); }}};
  FidPtr root;

  Web() { root = REQUIRE_OK(c.attach()); }

  FidPtr open(std::string_view path, uint8_t mode) { return REQUIRE_OK(c.open_path(*root, path, mode)); }
  std::string read(Fid& f) { return text(REQUIRE_OK(c.read_all(f))); }
  std::string cat(std::string_view path) {
    FidPtr f = open(path, OREAD);
    std::string s = read(*f);
    c.clunk(std::move(f));
    return s;
  }
  void write(Fid& f, std::string_view s) { CHECK(REQUIRE_OK(c.write(f, 0, s)) == s.size()); }
  void echo(std::string_view path, std::string_view s) {
    FidPtr f = open(path, OWRITE);
    write(*f, s);
    c.clunk(std::move(f));
  }
  // Opens clone and answers the fd and its connection's number.
  std::pair<FidPtr, std::string> clone() {
    FidPtr f = open("clone", ORDWR);
    std::string n = read(*f);
    REQUIRE(!n.empty());
    REQUIRE(n.back() == '\n');
    n.pop_back();
    return {std::move(f), n};
  }
};

std::vector<std::string> names(const std::vector<Dir>& dirs) {
  std::vector<std::string> out;
  for (const auto& d : dirs) out.push_back(d.name);
  return out;
}

TEST_CASE("clone makes numbered connections that live until its fd is clunked", "[webfs]") {
  Web w;
  CHECK(names(REQUIRE_OK(w.c.list(*w.root, ""))) == std::vector<std::string>{"ctl", "clone"});
  auto [a, na] = w.clone();
  auto [b, nb] = w.clone();
  CHECK(na == "0");
  CHECK(nb == "1");
  CHECK(names(REQUIRE_OK(w.c.list(*w.root, ""))) == std::vector<std::string>{"ctl", "clone", "0", "1"});
  CHECK(names(REQUIRE_OK(w.c.list(*w.root, "1"))) ==
        std::vector<std::string>{"ctl", "postbody", "body", "status", "headers"});
  Dir d = REQUIRE_OK(w.c.stat(*w.root));
  CHECK(d.qid.is_dir());
  w.c.clunk(std::move(a));
  CHECK(w.fs->connections() == std::vector<int>{1});
  CHECK(outcome(w.c.walk(*w.root, "0/ctl")) == outcome(Errc::noent));
  // The lowest free number is taken again.
  auto [again, n2] = w.clone();
  CHECK(n2 == "0");
  w.c.clunk(std::move(again));
  w.c.clunk(std::move(b));
  CHECK(w.fs->connections().empty());
}

TEST_CASE("a connection's ctl takes url, request and header lines and reads them back", "[webfs]") {
  Web w;
  auto [fd, n] = w.clone();
  w.write(*fd, "url http://example.com/a?b=c\nheader Accept: text/plain\n");
  w.write(*fd, "header Git-Protocol:version=2\n");
  CHECK(w.cat(n + "/ctl") ==
        "url http://example.com/a?b=c\nrequest GET\nheader Accept: text/plain\nheader Git-Protocol: version=2\n");
  w.echo(n + "/ctl", "request PUT");
  CHECK(w.cat(n + "/ctl").find("request PUT\n") != std::string::npos);
  w.c.clunk(std::move(fd));
}

TEST_CASE("bad ctl lines are refused with a message that says why", "[webfs][errors]") {
  Web w;
  // Not a structured binding: clang 14 cannot capture those.
  FidPtr fd = w.clone().first;
  auto refused = [&](std::string_view line, std::string_view why) {
    auto r = w.c.write(*fd, 0, line);
    REQUIRE(!r.ok());
    CHECK(r.error().code == Errc::inval);
    CHECK_THAT(r.error().text(), Catch::Contains(std::string(why)));
  };
  refused("fetch http://x/", "unknown command \"fetch\"");
  refused("url ftp://x/", "not an http or https URL");
  refused("url http://", "no host");
  refused("url", "want one URL");
  refused("header NoColon", "want \"header NAME: VALUE\"");
  refused("header Bad Name: v", "want \"header NAME: VALUE\"");
  refused("request GET NOW", "bad method");
  FidPtr ctl = w.open("ctl", ORDWR);
  auto bad = w.c.write(*ctl, 0, "token onlyhost");
  REQUIRE(!bad.ok());
  CHECK_THAT(bad.error().text(), Catch::Contains("token HOST TOKEN [persist]"));
  CHECK(outcome(w.c.write(*ctl, 0, "untoken nobody.example")) == outcome(Errc::noent));
  CHECK(outcome(w.c.write(*ctl, 0, "proxy gopher://x")) == outcome(Errc::inval));
  w.c.clunk(std::move(ctl));
  w.c.clunk(std::move(fd));
}

TEST_CASE("opening body sends the request; body, status and headers describe the response", "[webfs]") {
  Web w;
  w.net->scripts["http://example.com/x"] =
      Script{200, "", {{"Content-Type", "text/plain"}, {"X-Two", "2"}}, {"hello, ", "wor", "ld"}};
  auto [fd, n] = w.clone();
  // Before the request is sent there is nothing to describe.
  FidPtr status = w.open(n + "/status", OREAD);
  CHECK_THAT(w.c.read(*status, 0, 100).error().text(), Catch::Contains("open body first"));
  w.write(*fd, "url http://example.com/x\n");
  FidPtr body = w.open(n + "/body", OREAD);
  REQUIRE(w.net->requests.size() == 1);
  const WebRequest& req = w.net->requests[0];
  CHECK(req.method == "GET");
  CHECK(req.url == "http://example.com/x");
  CHECK(req.fetch_url == req.url);
  CHECK(req.headers.empty());
  CHECK(w.read(*body) == "hello, world");
  // Reading the stream ends at end of file and stays there.
  CHECK(REQUIRE_OK(w.c.read(*body, 12, 10)).empty());
  CHECK(w.read(*status) == "200 OK\n");  // the reason phrase is filled in when none came
  CHECK(w.cat(n + "/headers") == "content-type: text/plain\nx-two: 2\n");
  // A second open of body does not send it again.
  FidPtr body2 = w.open(n + "/body", OREAD);
  CHECK(w.net->requests.size() == 1);
  // Once sent, the request cannot be changed.
  CHECK_THAT(w.c.write(*fd, 0, "url http://example.com/y").error().text(), Catch::Contains("has been sent"));
  w.c.clunk(std::move(body2));
  w.c.clunk(std::move(body));
  w.c.clunk(std::move(status));
  w.c.clunk(std::move(fd));
}

TEST_CASE("a small read takes a chunk a piece at a time", "[webfs]") {
  Web w;
  w.net->scripts["https://example.com/"] = Script{200, "OK", {}, {"abcdefgh"}};
  auto [fd, n] = w.clone();
  w.write(*fd, "url https://example.com/");
  FidPtr body = w.open(n + "/body", OREAD);
  CHECK(text(REQUIRE_OK(w.c.read(*body, 0, 3))) == "abc");
  CHECK(text(REQUIRE_OK(w.c.read(*body, 3, 3))) == "def");
  CHECK(text(REQUIRE_OK(w.c.read(*body, 6, 3))) == "gh");
  CHECK(REQUIRE_OK(w.c.read(*body, 8, 3)).empty());
  w.c.clunk(std::move(body));
  w.c.clunk(std::move(fd));
}

TEST_CASE("writing postbody makes a POST that carries it", "[webfs]") {
  Web w;
  w.net->scripts["http://example.com/git-upload-pack"] = Script{200, "OK", {}, {"ack"}};
  auto [fd, n] = w.clone();
  w.write(*fd, "url http://example.com/git-upload-pack\nheader Content-Type: application/x-git-upload-pack-request\n");
  FidPtr post = w.open(n + "/postbody", OWRITE);
  CHECK(REQUIRE_OK(w.c.write(*post, 0, "0032want ")) == 9);
  CHECK(REQUIRE_OK(w.c.write(*post, 9, "abc\n")) == 4);
  CHECK(w.cat(n + "/ctl").find("request POST\n") != std::string::npos);
  CHECK(w.cat(n + "/body") == "ack");
  REQUIRE(w.net->requests.size() == 1);
  CHECK(w.net->requests[0].method == "POST");
  CHECK(text(w.net->requests[0].body) == "0032want abc\n");
  // The request is gone: so is writing its body.
  CHECK_THAT(w.c.write(*post, 13, "more").error().text(), Catch::Contains("has been sent"));
  w.c.clunk(std::move(post));
  w.c.clunk(std::move(fd));
}

TEST_CASE("a token is added to requests for its host and can never be read back", "[webfs][token]") {
  Web w;
  CHECK(token_authorization("sekrit") == "Basic eC1hY2Nlc3MtdG9rZW46c2Vrcml0");
  CHECK(token_authorization("ab") == "Basic eC1hY2Nlc3MtdG9rZW46YWI=");
  for (auto url : {"https://git.example/r.git/info/refs", "https://other.example/", "http://127.0.0.1:8000/x",
                   "https://git.example/mine"})
    w.net->scripts[url] = Script{200, "OK", {}, {}};
  w.echo("ctl", "token Git.Example sekrit\ntoken 127.0.0.1:8000 ab\n");
  std::string ctl = w.cat("ctl");
  CHECK(ctl == "proxy none\ntoken 127.0.0.1:8000 (set)\ntoken git.example (set)\n");
  CHECK(ctl.find("sekrit") == std::string::npos);
  CHECK(w.net->saves == 0);  // not persisted: kept in memory only

  auto get = [&](std::string url, std::string extra = "") {
    auto [fd, n] = w.clone();
    w.write(*fd, "url " + url + "\n" + extra);
    CHECK(w.cat(n + "/ctl").find("sekrit") == std::string::npos);
    CHECK(w.cat(n + "/body").empty());
    w.c.clunk(std::move(fd));
    return w.net->requests.back().headers;
  };
  CHECK(get("https://git.example/r.git/info/refs") ==
        HeaderList{{"Authorization", "Basic eC1hY2Nlc3MtdG9rZW46c2Vrcml0"}});
  CHECK(get("https://other.example/").empty());
  CHECK(get("http://127.0.0.1:8000/x") == HeaderList{{"Authorization", "Basic eC1hY2Nlc3MtdG9rZW46YWI="}});
  // A request that says who it is keeps its own Authorization.
  CHECK(get("https://git.example/mine", "header authorization: Bearer x\n") ==
        HeaderList{{"authorization", "Bearer x"}});

  w.echo("ctl", "untoken git.example");
  CHECK(get("https://git.example/r.git/info/refs").empty());
}

TEST_CASE("a token marked persist is handed to the backend to keep, and forgotten there too", "[webfs][token]") {
  Web w;
  w.echo("ctl", "token github.com ghp_one persist");
  CHECK(w.net->saves == 1);
  CHECK(w.net->saved == HeaderList{{"github.com", "ghp_one"}});
  CHECK(w.cat("ctl") == "proxy none\ntoken github.com (set, persist)\n");
  w.echo("ctl", "token example.org two");  // not persisted: nothing to save
  CHECK(w.net->saves == 1);
  w.echo("ctl", "untoken github.com");
  CHECK(w.net->saves == 2);
  CHECK(w.net->saved.empty());
  // A bad line fails the write, but what came before it has happened and is kept.
  FidPtr ctl = w.open("ctl", OWRITE);
  auto r = w.c.write(*ctl, 0, "token gitlab.com three persist\nbogus line\ntoken never.example x");
  REQUIRE(!r.ok());
  CHECK_THAT(r.error().text(), Catch::Contains("unknown command \"bogus\""));
  CHECK(w.net->saved == HeaderList{{"gitlab.com", "three"}});
  CHECK(w.cat("ctl").find("never.example") == std::string::npos);
  w.c.clunk(std::move(ctl));
}

TEST_CASE("without a backend that keeps tokens, persist is refused", "[webfs][token][errors]") {
  struct Plain : FakeBackend {
    void save_tokens(const HeaderList& t, Reply<void> r) override { WebBackend::save_tokens(t, r); }
  };
  auto net = std::make_shared<Plain>();
  auto fs = std::make_shared<WebFs>(net);
  FsClient c{FsFactory{.name = "web", .make = [fs] { return fs; }}};
  FidPtr root = REQUIRE_OK(c.attach());
  FidPtr ctl = REQUIRE_OK(c.open_path(*root, "ctl", OWRITE));
  auto r = c.write(*ctl, 0, "token h x persist");
  REQUIRE(!r.ok());
  CHECK_THAT(r.error().text(), Catch::Contains("no private place"));
  c.clunk(std::move(ctl));
}

TEST_CASE("with a proxy, requests go to the proxy while tokens match the URL's own host", "[webfs]") {
  Web w;
  w.net->scripts["http://127.0.0.1:9/proxy/https://github.com/o/r.git/info/refs"] = Script{200, "OK", {}, {"refs"}};
  w.echo("ctl", "proxy http://127.0.0.1:9/proxy/\ntoken github.com t\n");
  CHECK(w.cat("ctl").rfind("proxy http://127.0.0.1:9/proxy/\n", 0) == 0);
  auto [fd, n] = w.clone();
  w.write(*fd, "url https://github.com/o/r.git/info/refs");
  CHECK(w.cat(n + "/body") == "refs");
  const WebRequest& req = w.net->requests.back();
  CHECK(req.url == "https://github.com/o/r.git/info/refs");
  CHECK(req.fetch_url == "http://127.0.0.1:9/proxy/https://github.com/o/r.git/info/refs");
  CHECK(req.headers == HeaderList{{"Authorization", token_authorization("t")}});
  w.c.clunk(std::move(fd));
  w.echo("ctl", "proxy none");
  CHECK(w.cat("ctl") == "proxy none\ntoken github.com (set)\n");
}

TEST_CASE("clunking clone's fd frees the connection and cancels its request", "[webfs]") {
  Web w;
  w.net->scripts["http://example.com/big"] = Script{200, "OK", {}, {"one", "two", "three"}};
  auto [fd, n] = w.clone();
  w.write(*fd, "url http://example.com/big");
  FidPtr body = w.open(n + "/body", OREAD);
  CHECK(text(REQUIRE_OK(w.c.read(*body, 0, 100))) == "one");
  uint64_t id = w.net->requests.back().id;
  w.c.clunk(std::move(fd));
  CHECK(w.fs->connections().empty());
  // An open body still holds the connection; once it goes, the request is cancelled.
  CHECK(w.net->cancelled.count(id) == 0);
  w.c.clunk(std::move(body));
  CHECK(w.net->cancelled.count(id) == 1);
}

TEST_CASE("a pending body read is flushed with intr", "[webfs]") {
  Web w;
  w.net->scripts["http://example.com/slow"] = Script{200, "OK", {}, {"late"}};
  auto [fd, n] = w.clone();
  w.write(*fd, "url http://example.com/slow");
  FidPtr body = w.open(n + "/body", OREAD);
  std::optional<Result<Bytes>> got;
  w.fs->read(*body, 0, 100, [&](Result<Bytes> b) { got.emplace(std::move(b)); });
  CHECK(!got);
  w.fs->flush(*body);
  REQUIRE(got);
  CHECK(outcome(*got) == outcome(Errc::intr));
  w.c.settle();
  // What came meanwhile is kept for the next read.
  CHECK(w.read(*body) == "late");
  w.c.clunk(std::move(body));
  w.c.clunk(std::move(fd));
}

TEST_CASE("network failures are errors that say what failed", "[webfs][errors]") {
  Web w;
  w.net->scripts["http://down.example/"] = Script{.connect_error = "web: connect: connection refused"};
  w.net->scripts["http://cut.example/"] = Script{.chunks = {"part"}, .read_error = "web: read: connection reset"};
  auto [fd, n] = w.clone();
  // No url yet.
  auto none = w.c.open_path(*w.root, n + "/body", OREAD);
  REQUIRE(!none.ok());
  CHECK_THAT(none.error().text(), Catch::Contains("no url"));
  w.write(*fd, "url http://down.example/");
  auto refused = w.c.open_path(*w.root, n + "/body", OREAD);
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == Errc::connrefused);
  CHECK(refused.error().text() == "web: connect: connection refused");
  FidPtr status = w.open(n + "/status", OREAD);
  CHECK(w.c.read(*status, 0, 100).error().text() == "web: connect: connection refused");
  w.c.clunk(std::move(status));
  w.c.clunk(std::move(fd));

  auto [fd2, n2] = w.clone();
  w.write(*fd2, "url http://cut.example/");
  FidPtr body = w.open(n2 + "/body", OREAD);
  CHECK(text(REQUIRE_OK(w.c.read(*body, 0, 100))) == "part");
  CHECK(w.c.read(*body, 4, 100).error().text() == "web: read: connection reset");
  // Files of the wrong kind refuse the wrong access.
  CHECK(outcome(w.c.open_path(*w.root, n2 + "/body", OWRITE)) == outcome(Errc::perm));
  CHECK(outcome(w.c.open_path(*w.root, n2 + "/postbody", OREAD)) == outcome(Errc::perm));
  CHECK(outcome(w.c.open_path(*w.root, "", OWRITE)) == outcome(Errc::isdir));
  // Nothing can be made here; an existing name says so, and the kernel then opens it (rc's >).
  CHECK(outcome(w.c.create_in(*w.root, "ctl", 0666, OWRITE)) == outcome(Errc::exist));
  CHECK(outcome(w.c.create_in(*w.root, "new", 0666, OWRITE)) == outcome(Errc::perm));
  w.c.clunk(std::move(body));
  w.c.clunk(std::move(fd2));
}

}  // namespace
}  // namespace web9
