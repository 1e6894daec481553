// A process's environment (Plan 9's Egrp): named byte values, served as files by /env.
// rc keeps a list as its elements each followed by a NUL byte ("a\0b\0"); other values are
// plain bytes. Processes share an Env or get a copy at spawn.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/fileserver.h"

namespace web9 {

class Env {
 public:
  struct Var {
    std::string name;
    Bytes value;
    uint64_t id = 0;    // unique among all environments (a copy keeps it): /env's qid.path
    uint32_t vers = 0;  // bumped on each change: /env's qid.vers
    uint32_t mtime = 0;
  };

  static constexpr size_t max_value = 1 << 20;  // bytes in one value
  static constexpr size_t max_vars = 4096;
  static constexpr size_t max_name = 255;

  // The names /env accepts: non-empty, no '/', no NUL, not "." or "..".
  static bool valid_name(std::string_view name);

  const Var* find(std::string_view name) const;
  const Var* find(uint64_t id) const;
  const std::vector<Var>& vars() const { return vars_; }

  std::optional<Bytes> get(std::string_view name) const;
  // The value as text, with an rc list's NULs turned to spaces (Plan 9's getenv(2)).
  std::optional<std::string> get_string(std::string_view name) const;
  // The value as an rc list: the NUL-terminated elements (a final unterminated one counts).
  std::vector<std::string> get_list(std::string_view name) const;

  // Sets (creating if needed) a variable's whole value.
  Result<void> set(std::string_view name, std::span<const uint8_t> value);
  Result<void> set(std::string_view name, std::string_view value);
  Result<void> set_list(std::string_view name, const std::vector<std::string>& list);
  // Creates an empty variable, or empties an existing one (create(2) truncates); answers its id.
  Result<uint64_t> create(std::string_view name);
  Result<void> remove(std::string_view name);

  // The operations /env's files need, by id.
  Result<uint32_t> write(uint64_t id, uint64_t offset, std::span<const uint8_t> data);
  Result<void> truncate(uint64_t id, uint64_t length);
  Result<void> rename(uint64_t id, std::string_view name);
  Result<void> remove(uint64_t id);

  // For a WASI guest's environ_get: "name=value" per variable. An rc list's separating NULs
  // become \1 and its final NUL is dropped, as Plan 9's APE does; put_environ turns them back.
  std::vector<std::string> environ() const;
  Result<void> put_environ(std::string_view entry);

  std::shared_ptr<Env> copy() const { return std::make_shared<Env>(*this); }

 private:
  Var* lookup(uint64_t id);
  Result<Var*> make(std::string_view name);
  static void touch(Var& v);

  std::vector<Var> vars_;  // in creation order, as /env lists them
};

}  // namespace web9
