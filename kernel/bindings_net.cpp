// The network behind /net/web in the browser build: a WebBackend (fs/webfs.h) over the JS object
// the kernel worker registered as Module.web9Net (NetWeb, web/kernel/netweb.js: fetch() in a
// tab, node:http under tools/web9). Emscripten only: linked into the kernel target beside
// bindings.cpp. docs/net.md, "Inside".
//
// C++ calls the object's methods, which never throw and always answer later, through these
// functions (Embind), with plain values:
//   web9NetHead(id, {status, statusText, headers: [[name, value], ...]} | {e: errno, m: text})
//   web9NetData(id, Uint8Array | {e, m})          an empty array is the end of the body
//   web9NetSaved(req, {} | {e, m})
// So the kernel never blocks on the network: a request's answer is a later call into it.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "fs/store.h"
#include "fs/webfs.h"
#include "fs/jsweb.h"

namespace web9 {
namespace {

using emscripten::val;

// Answers still to come, by request id (and, for saves, by save number).
struct Pending {
  std::map<uint64_t, Reply<WebResponse>> heads;
  std::map<uint64_t, Reply<Bytes>> reads;
  std::map<int, Reply<void>> saves;
  int next_save = 1;
};

Pending& pending() {
  static Pending p;
  return p;
}

// A JS error answer ({e, m}) as a kernel error, or nothing.
bool js_error(const val& v, Error* out) {
  if (v.isNull() || v.isUndefined() || v.typeOf().as<std::string>() != "object" || !v.hasOwnProperty("e"))
    return false;
  *out = store_error(v["e"].as<std::string>(), v["m"].as<std::string>());
  return true;
}

HeaderList header_list(const val& a) {
  HeaderList out;
  if (!a.isArray()) return out;
  auto n = a["length"].as<size_t>();
  for (size_t i = 0; i < n; i++) out.emplace_back(a[i][0].as<std::string>(), a[i][1].as<std::string>());
  return out;
}

val header_array(const HeaderList& h) {
  val a = val::array();
  for (const auto& [k, v] : h) {
    val pair = val::array();
    pair.call<void>("push", k);
    pair.call<void>("push", v);
    a.call<void>("push", pair);
  }
  return a;
}

double num(uint64_t n) { return static_cast<double>(n); }

void net_head(double id_js, val v) {
  auto id = static_cast<uint64_t>(id_js);
  auto& heads = pending().heads;
  auto it = heads.find(id);
  if (it == heads.end()) return;
  auto r = std::move(it->second);
  heads.erase(it);
  Error e;
  if (js_error(v, &e)) return r(std::move(e));
  WebResponse res;
  res.status = v["status"].as<int>();
  res.status_text = v["statusText"].as<std::string>();
  res.headers = header_list(v["headers"]);
  r(std::move(res));
}

void net_data(double id_js, val v) {
  auto id = static_cast<uint64_t>(id_js);
  auto& reads = pending().reads;
  auto it = reads.find(id);
  if (it == reads.end()) return;
  auto r = std::move(it->second);
  reads.erase(it);
  Error e;
  if (js_error(v, &e)) return r(std::move(e));
  r(emscripten::convertJSArrayToNumberVector<uint8_t>(v));
}

void net_saved(int req, val v) {
  auto& saves = pending().saves;
  auto it = saves.find(req);
  if (it == saves.end()) return;
  auto r = std::move(it->second);
  saves.erase(it);
  Error e;
  if (js_error(v, &e)) return r(std::move(e));
  r(success());
}

class JsWebBackend final : public WebBackend {
 public:
  explicit JsWebBackend(val net) : net_(std::move(net)) {}

  void start(const WebRequest& req, Reply<WebResponse> r) override {
    pending().heads[req.id] = std::move(r);
    // The body is a view on kernel memory, valid only during the call: NetWeb copies it.
    val body = val(emscripten::typed_memory_view(req.body.size(), req.body.data()));
    net_.call<void>("start", num(req.id), req.method, req.url, req.fetch_url, header_array(req.headers), body);
  }
  void read(uint64_t id, uint32_t count, Reply<Bytes> r) override {
    pending().reads[id] = std::move(r);
    net_.call<void>("read", num(id), count);
  }
  void cancel(uint64_t id) override {
    pending().heads.erase(id);
    pending().reads.erase(id);
    net_.call<void>("cancel", num(id));
  }
  void save_tokens(const HeaderList& tokens, Reply<void> r) override {
    int req = pending().next_save++;
    pending().saves[req] = std::move(r);
    net_.call<void>("saveTokens", header_array(tokens), req);
  }

 private:
  val net_;
};

}  // namespace

std::shared_ptr<FileServer> make_js_web_fs(std::string owner) {
  val net = val::module_property("web9Net");
  if (net.isUndefined() || net.isNull()) return nullptr;
  auto fs = std::make_shared<WebFs>(std::make_shared<JsWebBackend>(net), std::move(owner));
  // What the kernel worker read at boot: the dev server's proxy and the tokens kept earlier.
  val config = net.call<val>("config");
  if (config.hasOwnProperty("proxy")) fs->set_proxy(config["proxy"].as<std::string>());
  if (config.hasOwnProperty("tokens")) {
    for (auto& [host, token] : header_list(config["tokens"])) fs->set_token(host, token, true);
  }
  return fs;
}

}  // namespace web9

EMSCRIPTEN_BINDINGS(web9_net) {
  emscripten::function("web9NetHead", &web9::net_head);
  emscripten::function("web9NetData", &web9::net_data);
  emscripten::function("web9NetSaved", &web9::net_saved);
}
