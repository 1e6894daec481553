// /net/web: the file tree of fs/webfs.h over a WebBackend. A connection's request is sent by the
// first open of its body; reads of body ask the backend for one chunk at a time, so how far the
// network runs ahead of the reader is the backend's business (about 1 MiB, web/kernel/netweb.js).
#include "fs/webfs.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <tuple>

namespace web9 {

namespace {

enum class File : uint8_t { root, ctl, clone, dir, conn_ctl, postbody, body, status, headers };

struct Entry {
  const char* name;
  File file;
  uint32_t perm;
};

// The files of a connection's directory, in the order a listing shows them.
constexpr Entry conn_files[] = {
    {"ctl", File::conn_ctl, 0666}, {"postbody", File::postbody, 0222}, {"body", File::body, 0444},
    {"status", File::status, 0444}, {"headers", File::headers, 0444},
};

Qid qid_of(File file, int n) {
  switch (file) {
    case File::root: return Qid{QTDIR, 0, 0};
    case File::ctl: return Qid{QTFILE, 0, 1};
    case File::clone: return Qid{QTFILE, 0, 2};
    case File::dir: return Qid{QTDIR, 0, (static_cast<uint64_t>(n) + 1) << 4};
    default: return Qid{QTFILE, 0, ((static_cast<uint64_t>(n) + 1) << 4) | static_cast<uint64_t>(file)};
  }
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits off the first word of s (separated by spaces or tabs).
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  size_t end = std::min(s.find_first_of(" \t"), s.size());
  std::string_view w = s.substr(0, end);
  s = trim(s.substr(end));
  return w;
}

// The host of an http or https URL as "host[:port]", lower case; an error for anything else.
Result<std::string> url_host(std::string_view url) {
  size_t colon = url.find("://");
  std::string scheme = lower(url.substr(0, colon == std::string_view::npos ? 0 : colon));
  if (scheme != "http" && scheme != "https")
    return Error(Errc::inval, "web: url: not an http or https URL: " + std::string(url));
  std::string_view rest = url.substr(colon + 3);
  std::string_view authority = rest.substr(0, std::min(rest.find_first_of("/?#"), rest.size()));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.empty() || authority.find_first_of(" \t") != std::string_view::npos)
    return Error(Errc::inval, "web: url: no host in " + std::string(url));
  return lower(authority);
}

// The host without its port ("[::1]:80" → "[::1]", "a.b:8080" → "a.b").
std::string_view without_port(std::string_view host) {
  size_t colon = host.rfind(':');
  if (colon == std::string_view::npos || host.find(']', colon) != std::string_view::npos) return host;
  return host.substr(0, colon);
}

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

Bytes text_at(const std::string& s, uint64_t offset, uint32_t count) {
  if (offset >= s.size()) return {};
  size_t n = std::min<uint64_t>(count, s.size() - offset);
  return Bytes(s.begin() + static_cast<ptrdiff_t>(offset), s.begin() + static_cast<ptrdiff_t>(offset + n));
}

}  // namespace

std::string token_authorization(std::string_view token) {
  static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = "x-access-token:" + std::string(token);
  std::string out = "Basic ";
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<uint8_t>(in[i + 2]);
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += i + 1 < in.size() ? digits[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? digits[v & 63] : '=';
  }
  return out;
}

void WebBackend::save_tokens(const HeaderList&, Reply<void> r) {
  r(Error(Errc::notsup, "web: token: persist: there is no private place to keep tokens here"));
}

// One connection: the request being built, then the response being read.
struct WebFs::Conn {
  enum class State { building, sending, open, failed };

  int n = 0;
  std::shared_ptr<WebBackend> backend;
  std::string url;
  std::string method;  // as written; empty means GET, or POST once postbody is written
  HeaderList headers;
  Bytes body;
  bool posted = false;

  State state = State::building;
  uint64_t id = 0;
  WebResponse response;
  Error error;  // why the request failed (State::failed)
  std::vector<std::pair<Fid*, Reply<void>>> openers;  // opens of body waiting for the head
  std::deque<std::tuple<Fid*, uint32_t, Reply<Bytes>>> readers;
  Bytes chunk;  // bytes the backend gave that no reader has taken yet, from chunk_at
  size_t chunk_at = 0;
  bool reading = false;  // a backend read is on its way
  bool eof = false;
  bool read_failed = false;
  Error read_error;

  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    if (state == State::sending || (state == State::open && !eof && !read_failed)) backend->cancel(id);
  }

  std::string effective_method() const {
    if (!method.empty()) return method;
    return posted ? "POST" : "GET";
  }
  std::string ctl_text() const {
    std::string s = "url " + url + "\nrequest " + effective_method() + "\n";
    for (const auto& [k, v] : headers) s += "header " + k + ": " + v + "\n";
    return s;
  }
  // Answers the readers that can be answered from what has come.
  void serve() {
    while (!readers.empty() && (chunk_at < chunk.size() || eof || read_failed)) {
      auto [fid, count, r] = std::move(readers.front());
      readers.pop_front();
      if (chunk_at < chunk.size()) {
        size_t n = std::min<size_t>(count, chunk.size() - chunk_at);
        Bytes out(chunk.begin() + static_cast<ptrdiff_t>(chunk_at),
                  chunk.begin() + static_cast<ptrdiff_t>(chunk_at + n));
        chunk_at += n;
        if (chunk_at == chunk.size()) {
          chunk.clear();
          chunk_at = 0;
        }
        r(std::move(out));
      } else if (read_failed) {
        r(read_error);
      } else {
        r(Bytes{});
      }
    }
  }
};

class WebFs::WebFid : public Fid {
 public:
  std::unique_ptr<Fid> clone() const override {
    auto f = std::make_unique<WebFid>(*this);
    f->open = false;
    f->mode = 0;
    f->owner = false;
    f->listing.clear();
    f->index = 0;
    return f;
  }

  File file = File::root;
  std::shared_ptr<Conn> conn;  // the connection whose directory or file this is
  bool owner = false;          // opened clone: the connection lives until this fid is clunked
  std::string uname;
  std::vector<Dir> listing;
  size_t index = 0;
};

WebFs::WebFs(std::shared_ptr<WebBackend> backend, std::string owner)
    : backend_(std::move(backend)), owner_(std::move(owner)) {}

WebFs::~WebFs() = default;

void WebFs::set_token(std::string host, std::string token, bool persist) {
  tokens_[lower(host)] = Token{std::move(token), persist};
}

std::vector<int> WebFs::connections() const {
  std::vector<int> out;
  for (const auto& [n, c] : conns_) out.push_back(n);
  return out;
}

Dir WebFs::dir_of(const WebFid& f) const {
  Dir d;
  d.uid = d.gid = d.muid = owner_;
  int n = f.conn ? f.conn->n : -1;
  d.qid = qid_of(f.file, n);
  switch (f.file) {
    case File::root:
      d.name = std::string("/");
      d.mode = DMDIR | 0555;
      break;
    case File::ctl:
      d.name = "ctl";
      d.mode = 0600;
      break;
    case File::clone:
      d.name = "clone";
      d.mode = 0666;
      break;
    case File::dir:
      d.name = std::to_string(n);
      d.mode = DMDIR | 0555;
      break;
    default:
      for (const auto& e : conn_files) {
        if (e.file == f.file) {
          d.name = e.name;
          d.mode = e.perm;
        }
      }
  }
  return d;
}

void WebFs::attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) {
  if (!aname.empty()) return r(Error(Errc::inval, "web: no trees but the default one"));
  auto f = std::make_unique<WebFid>();
  f->uname = std::string(uname);
  f->qid = qid_of(File::root, 0);
  r(std::unique_ptr<Fid>(std::move(f)));
}

void WebFs::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  auto& f = static_cast<WebFid&>(fid);
  if (f.file == File::root) {
    if (name == "ctl") f.file = File::ctl;
    else if (name == "clone") f.file = File::clone;
    else {
      int n = -1;
      auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
      if (ec != std::errc() || end != name.data() + name.size()) return r(Errc::noent);
      auto it = conns_.find(n);
      if (it == conns_.end()) return r(Errc::noent);
      f.file = File::dir;
      f.conn = it->second;
    }
  } else if (f.file == File::dir) {
    auto e = std::find_if(std::begin(conn_files), std::end(conn_files), [&](const Entry& e) { return name == e.name; });
    if (e == std::end(conn_files)) return r(Errc::noent);
    f.file = e->file;
  } else {
    return r(Errc::notdir);
  }
  f.qid = qid_of(f.file, f.conn ? f.conn->n : 0);
  r(f.qid);
}

void WebFs::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<WebFid&>(fid);
  uint8_t rw = mode & 3;
  auto opened = [&f, mode, r]() {
    f.open = true;
    f.mode = mode;
    r(success());
  };
  switch (f.file) {
    case File::root:
    case File::dir:
      if (rw != OREAD) return r(Errc::isdir);
      return opened();
    case File::ctl:
    case File::conn_ctl:
      return opened();
    case File::clone: {
      int n = 0;
      while (conns_.count(n)) n++;
      auto c = std::make_shared<Conn>();
      c->n = n;
      c->backend = backend_;
      conns_[n] = c;
      // From here on the fid is N/ctl, and owns the connection.
      f.conn = c;
      f.file = File::conn_ctl;
      f.owner = true;
      f.qid = qid_of(File::conn_ctl, n);
      return opened();
    }
    case File::postbody:
      if (rw == OREAD || rw == OEXEC) return r(Error(Errc::perm, "web: postbody is write-only"));
      if (f.conn->state != Conn::State::building) return r(Error(Errc::perm, "web: postbody: the request has been sent"));
      if (mode & OTRUNC) f.conn->body.clear();
      return opened();
    case File::status:
    case File::headers:
      if (rw != OREAD) return r(Error(Errc::perm, "web: read-only file"));
      return opened();
    case File::body: {
      if (rw != OREAD) return r(Error(Errc::perm, "web: body is read-only"));
      auto c = f.conn;
      switch (c->state) {
        case Conn::State::building:
          if (c->url.empty()) return r(Error(Errc::inval, "web: no url: write \"url URL\" to ctl first"));
          c->openers.emplace_back(&f, [&f, mode, r](Result<void> res) {
            if (res) {
              f.open = true;
              f.mode = mode;
            }
            r(std::move(res));
          });
          return send(c);
        case Conn::State::sending:
          c->openers.emplace_back(&f, [&f, mode, r](Result<void> res) {
            if (res) {
              f.open = true;
              f.mode = mode;
            }
            r(std::move(res));
          });
          return;
        case Conn::State::open:
          return opened();
        case Conn::State::failed:
          return r(c->error);
      }
    }
  }
}

void WebFs::create(Fid& fid, std::string_view name, uint32_t, uint8_t, Reply<void> r) {
  auto& f = static_cast<WebFid&>(fid);
  if (f.file != File::root && f.file != File::dir) return r(Errc::notdir);
  auto probe = f.clone();
  bool exists = false;
  walk1(*probe, name, [&exists](Result<Qid> q) { exists = q.ok(); });
  r(exists ? Error(Errc::exist) : Error(Errc::perm, "web: files cannot be made in /net/web"));
}

void WebFs::send(const std::shared_ptr<Conn>& c) {
  WebRequest req;
  req.id = next_request_++;
  req.method = c->effective_method();
  req.url = c->url;
  req.fetch_url = proxy_.empty() ? c->url : proxy_ + c->url;
  req.headers = c->headers;
  req.body = std::move(c->body);
  c->body.clear();
  bool has_auth = std::any_of(req.headers.begin(), req.headers.end(),
                              [](const auto& h) { return lower(h.first) == "authorization"; });
  if (auto host = url_host(c->url); host && !has_auth) {
    auto it = tokens_.find(*host);
    if (it == tokens_.end()) it = tokens_.find(std::string(without_port(*host)));
    if (it != tokens_.end()) req.headers.emplace_back("Authorization", token_authorization(it->second.token));
  }
  c->id = req.id;
  c->state = Conn::State::sending;
  std::weak_ptr<Conn> weak = c;
  backend_->start(req, [weak](Result<WebResponse> res) {
    auto c = weak.lock();
    if (!c || c->state != Conn::State::sending) return;
    if (res) {
      c->state = Conn::State::open;
      c->response = std::move(res.value());
      if (c->response.status_text.empty()) c->response.status_text = reason_phrase(c->response.status);
      for (auto& [k, v] : c->response.headers) k = lower(k);
    } else {
      c->state = Conn::State::failed;
      c->error = res.error();
    }
    auto openers = std::move(c->openers);
    c->openers.clear();
    for (auto& [fid, r] : openers) {
      if (res) r(success());
      else r(c->error);
    }
  });
}

void WebFs::pump(const std::shared_ptr<Conn>& c) {
  if (c->reading || c->readers.empty() || c->eof || c->read_failed) return;
  c->reading = true;
  std::weak_ptr<Conn> weak = c;
  c->backend->read(c->id, std::get<1>(c->readers.front()), [weak](Result<Bytes> b) {
    auto c = weak.lock();
    if (!c || !c->reading) return;
    c->reading = false;
    if (!b) {
      c->read_failed = true;
      c->read_error = b.error();
    } else if (b->empty()) {
      c->eof = true;
    } else {
      c->chunk = std::move(b.value());
      c->chunk_at = 0;
    }
    c->serve();
    pump(c);
  });
}

void WebFs::read_body(WebFid& f, uint32_t count, Reply<Bytes> r) {
  auto c = f.conn;
  if (count == 0) return r(Bytes{});
  c->readers.emplace_back(&f, count, std::move(r));
  c->serve();
  pump(c);
}

std::string WebFs::global_ctl_text() const {
  std::string s = "proxy " + (proxy_.empty() ? std::string("none") : proxy_) + "\n";
  // Never the token itself: only that one is set.
  for (const auto& [host, t] : tokens_) s += "token " + host + (t.persist ? " (set, persist)\n" : " (set)\n");
  return s;
}

void WebFs::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto& f = static_cast<WebFid&>(fid);
  switch (f.file) {
    case File::root:
    case File::dir:
      if (offset == 0) {
        f.listing.clear();
        f.index = 0;
        WebFid e;
        e.conn = f.conn;
        if (f.file == File::root) {
          for (File file : {File::ctl, File::clone}) {
            e.file = file;
            f.listing.push_back(dir_of(e));
          }
          e.file = File::dir;
          for (const auto& [n, c] : conns_) {
            e.conn = c;
            f.listing.push_back(dir_of(e));
          }
        } else {
          for (const auto& entry : conn_files) {
            e.file = entry.file;
            f.listing.push_back(dir_of(e));
          }
        }
      }
      return r(pack_dir_entries(f.listing, &f.index, count));
    case File::ctl:
      return r(text_at(global_ctl_text(), offset, count));
    case File::clone:
      return r(Bytes{});
    case File::conn_ctl:
      // The fd clone gave answers the connection's number, as Plan 9's do.
      if (f.owner) return r(text_at(std::to_string(f.conn->n) + "\n", offset, count));
      return r(text_at(f.conn->ctl_text(), offset, count));
    case File::postbody:
      return r(Error(Errc::perm, "web: postbody is write-only"));
    case File::body:
      return read_body(f, count, std::move(r));
    case File::status:
    case File::headers: {
      const Conn& c = *f.conn;
      if (c.state == Conn::State::failed) return r(c.error);
      if (c.state != Conn::State::open) return r(Error(Errc::inval, "web: no response yet: open body first"));
      std::string s;
      if (f.file == File::status) {
        s = std::to_string(c.response.status) + " " + c.response.status_text + "\n";
      } else {
        for (const auto& [k, v] : c.response.headers) s += k + ": " + v + "\n";
      }
      return r(text_at(s, offset, count));
    }
  }
}

Result<void> WebFs::conn_ctl(Conn& c, std::string_view line) {
  std::string_view rest = line;
  std::string_view verb = next_word(rest);
  if (c.state != Conn::State::building)
    return Error(Errc::inval, "web: ctl: the request has been sent; make a new connection with clone");
  if (verb == "url") {
    if (rest.empty() || rest.find_first_of(" \t") != std::string_view::npos)
      return Error(Errc::inval, "web: url: want one URL");
    TRY(url_host(rest));
    c.url = std::string(rest);
  } else if (verb == "request") {
    if (!is_token(rest)) return Error(Errc::inval, "web: request: bad method \"" + std::string(rest) + "\"");
    c.method = std::string(rest);
  } else if (verb == "header") {
    size_t colon = rest.find(':');
    std::string_view name = trim(rest.substr(0, colon == std::string_view::npos ? 0 : colon));
    if (colon == std::string_view::npos || !is_token(name))
      return Error(Errc::inval, "web: header: want \"header NAME: VALUE\"");
    std::string_view value = trim(rest.substr(colon + 1));
    if (value.find('\0') != std::string_view::npos) return Error(Errc::inval, "web: header: NUL in value");
    c.headers.emplace_back(std::string(name), std::string(value));
  } else {
    return Error(Errc::inval, "web: ctl: unknown command \"" + std::string(verb) + "\" (url, request, header)");
  }
  return success();
}

Result<void> WebFs::global_ctl(std::string_view line, bool* save) {
  std::string_view rest = line;
  std::string_view verb = next_word(rest);
  if (verb == "token") {
    std::string_view host = next_word(rest), token = next_word(rest), flag = next_word(rest);
    if (host.empty() || token.empty() || !rest.empty() || (!flag.empty() && flag != "persist"))
      return Error(Errc::inval, "web: token: want \"token HOST TOKEN [persist]\"");
    auto& t = tokens_[lower(host)];
    if (t.persist || !flag.empty()) *save = true;
    t = Token{std::string(token), !flag.empty()};
  } else if (verb == "untoken") {
    std::string_view host = next_word(rest);
    if (host.empty() || !rest.empty()) return Error(Errc::inval, "web: untoken: want \"untoken HOST\"");
    auto it = tokens_.find(lower(host));
    if (it == tokens_.end()) return Error(Errc::noent, "web: untoken: no token for " + std::string(host));
    if (it->second.persist) *save = true;
    tokens_.erase(it);
  } else if (verb == "proxy") {
    std::string_view url = next_word(rest);
    if (url.empty() || !rest.empty()) return Error(Errc::inval, "web: proxy: want \"proxy URL\" or \"proxy none\"");
    if (url == "none") {
      proxy_.clear();
    } else {
      TRY(url_host(url));
      proxy_ = std::string(url);
    }
  } else {
    return Error(Errc::inval, "web: ctl: unknown command \"" + std::string(verb) + "\" (token, untoken, proxy)");
  }
  return success();
}

HeaderList WebFs::persisted_tokens() const {
  HeaderList out;
  for (const auto& [host, t] : tokens_) {
    if (t.persist) out.emplace_back(host, t.token);
  }
  return out;
}

void WebFs::write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto& f = static_cast<WebFid&>(fid);
  auto n = static_cast<uint32_t>(data.size());
  if (f.file == File::postbody) {
    Conn& c = *f.conn;
    if (c.state != Conn::State::building) return r(Error(Errc::perm, "web: postbody: the request has been sent"));
    if (offset + data.size() > max_postbody) return r(Error(Errc::fbig, "web: postbody: larger than 256 MiB"));
    if (c.body.size() < offset + data.size()) c.body.resize(offset + data.size());
    std::copy(data.begin(), data.end(), c.body.begin() + static_cast<ptrdiff_t>(offset));
    c.posted = true;
    return r(n);
  }
  if (f.file != File::ctl && f.file != File::conn_ctl) {
    if (f.file == File::root || f.file == File::dir) return r(Errc::isdir);
    return r(Error(Errc::perm, "web: read-only file"));
  }
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  bool save = false;
  Result<void> done = success();
  while (!text.empty() && done) {
    size_t nl = std::min(text.find('\n'), text.size());
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(std::min(nl + 1, text.size()));
    if (!line.empty()) done = f.file == File::ctl ? global_ctl(line, &save) : conn_ctl(*f.conn, line);
  }
  // Lines before a bad one have taken effect; a change to persisted tokens is saved even then.
  auto answer = [r, n, done = std::move(done)](Result<void> saved) {
    if (!done) return r(done.error());
    if (!saved) return r(saved.error());
    r(n);
  };
  if (!save) return answer(success());
  backend_->save_tokens(persisted_tokens(), answer);
}

void WebFs::stat(Fid& fid, Reply<Dir> r) { r(dir_of(static_cast<WebFid&>(fid))); }

void WebFs::clunk(Fid& fid) {
  auto& f = static_cast<WebFid&>(fid);
  if (f.owner && f.open && f.conn) {
    auto it = conns_.find(f.conn->n);
    if (it != conns_.end() && it->second == f.conn) conns_.erase(it);
  }
  f.conn.reset();
}

void WebFs::flush(Fid& fid) {
  auto& f = static_cast<WebFid&>(fid);
  if (!f.conn) return;
  Conn& c = *f.conn;
  std::vector<Reply<void>> opens;
  for (auto it = c.openers.begin(); it != c.openers.end();) {
    if (it->first == &f) {
      opens.push_back(std::move(it->second));
      it = c.openers.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<Reply<Bytes>> reads;
  for (auto it = c.readers.begin(); it != c.readers.end();) {
    if (std::get<0>(*it) == &f) {
      reads.push_back(std::move(std::get<2>(*it)));
      it = c.readers.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& r : opens) r(Errc::intr);
  for (auto& r : reads) r(Errc::intr);
}

}  // namespace web9
