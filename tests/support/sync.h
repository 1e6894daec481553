// Test helpers for the asynchronous file-server interface: run a request whose reply must come
// synchronously, or capture a reply that may come later.
#pragma once

#include <catch2/catch.hpp>
#include <optional>

#include "kernel/result.h"

namespace web9::test {

// Starts a request with a reply callback and returns its result; the reply must come now.
//   auto qid = now<Qid>([&](auto r) { srv.walk1(*fid, "a", r); });
template <class T, class F>
Result<T> now(F&& start) {
  std::optional<Result<T>> out;
  start([&](Result<T> r) { out.emplace(std::move(r)); });
  REQUIRE(out.has_value());
  return std::move(*out);
}

// A reply that may come later: pass reply() as the callback, then check done() and result().
template <class T>
struct Later {
  std::shared_ptr<std::optional<Result<T>>> slot = std::make_shared<std::optional<Result<T>>>();
  auto reply() {
    auto s = slot;
    return [s](Result<T> r) { s->emplace(std::move(r)); };
  }
  bool done() const { return slot->has_value(); }
  Result<T>& result() { return **slot; }
};

}  // namespace web9::test
