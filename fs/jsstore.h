// The home directory's file server in the browser build: a StoreFs over a JS store object
// (OpfsStore from web/kernel/opfs.js in a tab, HostStore from web/kernel/hoststore.js under
// tools/web9) that the kernel worker registered as Module.web9Stores[store_id]. Implemented in
// kernel/bindings_store.cpp (Emscripten only). docs/opfs.md, "The kernel side".
#pragma once

#include <memory>
#include <string>

#include "kernel/fileserver.h"

namespace web9 {

// A StoreFs (fs/storefs.h) whose files all belong to owner (the kernel's user).
std::shared_ptr<FileServer> make_js_store_fs(int store_id, std::string owner = "glenda");

}  // namespace web9
