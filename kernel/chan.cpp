// Channel lifetime: the fid is clunked when the last reference goes.
#include "kernel/chan.h"

namespace web9 {

Chan::Chan(std::shared_ptr<FileServer> server, std::unique_ptr<Fid> fid, std::string path)
    : path(std::move(path)), server_(std::move(server)), fid_(std::move(fid)) {}

Chan::~Chan() {
  if (server_ && fid_ && !clunked_) server_->clunk(*fid_);
}

ChanRef Chan::clone() const {
  auto c = std::make_shared<Chan>(server_, fid_->clone(), path);
  c->dev = dev;
  return c;
}

bool Chan::same_file(const Chan& other) const {
  return server_ == other.server_ && dev == other.dev && qid().path == other.qid().path &&
         (qid().type & QTDIR) == (other.qid().type & QTDIR);
}

}  // namespace web9
