// git's smart HTTP over web9's /net/web (docs/net.md): libgit2 never opens a socket here. Every
// request is a /net/web connection: url and headers written to its ctl, the request body to
// postbody, the response read from body, its status from status. The kernel's /net/web adds the
// token for the host and goes through the CORS proxy in a tab.
#pragma once

namespace web9::git {

// Registers the http:// and https:// transports. Call once after git_libgit2_init().
int register_web_transports();

}  // namespace web9::git
