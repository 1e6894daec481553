// /net/web's file server in the browser build: a WebFs (fs/webfs.h) over the JS network object
// the kernel worker registered as Module.web9Net (web/kernel/netweb.js). Implemented in
// kernel/bindings_net.cpp (Emscripten only), as fs/jsstore.h is. docs/net.md.
#pragma once

#include <memory>
#include <string>

#include "kernel/fileserver.h"

namespace web9 {

// The server, or null when no network object is registered.
std::shared_ptr<FileServer> make_js_web_fs(std::string owner = "glenda");

}  // namespace web9
