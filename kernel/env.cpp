// Environments: variables kept in creation order, with ids that survive copies so /env's
// qids stay stable when a process's environment is copied at spawn.
#include "kernel/env.h"

#include <algorithm>
#include <ctime>

namespace web9 {
namespace {

uint64_t next_var_id = 1;  // the kernel is single-threaded

}  // namespace

bool Env::valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name || name == "." || name == "..") return false;
  return name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

const Env::Var* Env::find(std::string_view name) const {
  for (const Var& v : vars_) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

const Env::Var* Env::find(uint64_t id) const {
  for (const Var& v : vars_) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

Env::Var* Env::lookup(uint64_t id) { return const_cast<Var*>(std::as_const(*this).find(id)); }

std::optional<Bytes> Env::get(std::string_view name) const {
  const Var* v = find(name);
  if (!v) return std::nullopt;
  return v->value;
}

std::optional<std::string> Env::get_string(std::string_view name) const {
  const Var* v = find(name);
  if (!v) return std::nullopt;
  std::string s(v->value.begin(), v->value.end());
  if (!s.empty() && s.back() == '\0') s.pop_back();
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

std::vector<std::string> Env::get_list(std::string_view name) const {
  std::vector<std::string> out;
  const Var* v = find(name);
  if (!v) return out;
  std::string cur;
  for (uint8_t b : v->value) {
    if (b == 0) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(b));
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

void Env::touch(Var& v) {
  v.vers++;
  v.mtime = static_cast<uint32_t>(std::time(nullptr));
}

Result<Env::Var*> Env::make(std::string_view name) {
  if (!valid_name(name)) return Error(Errc::inval, "bad environment variable name");
  if (const Var* v = find(name)) return const_cast<Var*>(v);
  if (vars_.size() >= max_vars) return Error(Errc::nospc, "environment full");
  Var v;
  v.name = std::string(name);
  v.id = next_var_id++;
  touch(v);
  vars_.push_back(std::move(v));
  return &vars_.back();
}

Result<void> Env::set(std::string_view name, std::span<const uint8_t> value) {
  if (value.size() > max_value) return Error(Errc::fbig, "environment value too long");
  Var* v = TRY(make(name));
  v->value.assign(value.begin(), value.end());
  touch(*v);
  return success();
}

Result<void> Env::set(std::string_view name, std::string_view value) {
  return set(name, std::span(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
}

Result<void> Env::set_list(std::string_view name, const std::vector<std::string>& list) {
  Bytes b;
  for (const std::string& s : list) {
    b.insert(b.end(), s.begin(), s.end());
    b.push_back(0);
  }
  return set(name, b);
}

Result<uint64_t> Env::create(std::string_view name) {
  Var* v = TRY(make(name));
  v->value.clear();
  touch(*v);
  return v->id;
}

Result<void> Env::remove(std::string_view name) {
  const Var* v = find(name);
  if (!v) return Errc::noent;
  return remove(v->id);
}

Result<uint32_t> Env::write(uint64_t id, uint64_t offset, std::span<const uint8_t> data) {
  Var* v = lookup(id);
  if (!v) return Errc::noent;
  if (offset > max_value || data.size() > max_value - offset)
    return Error(Errc::fbig, "environment value too long");
  if (v->value.size() < offset + data.size()) v->value.resize(offset + data.size());
  std::copy(data.begin(), data.end(), v->value.begin() + static_cast<ptrdiff_t>(offset));
  touch(*v);
  return static_cast<uint32_t>(data.size());
}

Result<void> Env::truncate(uint64_t id, uint64_t length) {
  Var* v = lookup(id);
  if (!v) return Errc::noent;
  if (length > max_value) return Error(Errc::fbig, "environment value too long");
  v->value.resize(length);
  touch(*v);
  return success();
}

Result<void> Env::rename(uint64_t id, std::string_view name) {
  Var* v = lookup(id);
  if (!v) return Errc::noent;
  if (!valid_name(name)) return Error(Errc::inval, "bad environment variable name");
  if (v->name == name) return success();
  if (find(name)) return Errc::exist;
  v->name = std::string(name);
  touch(*v);
  return success();
}

Result<void> Env::remove(uint64_t id) {
  auto it = std::find_if(vars_.begin(), vars_.end(), [&](const Var& v) { return v.id == id; });
  if (it == vars_.end()) return Errc::noent;
  vars_.erase(it);
  return success();
}

std::vector<std::string> Env::environ() const {
  std::vector<std::string> out;
  for (const Var& v : vars_) {
    std::string s = v.name + "=";
    size_t n = v.value.size();
    if (n > 0 && v.value[n - 1] == 0) n--;
    for (size_t i = 0; i < n; i++) s.push_back(v.value[i] == 0 ? '\1' : static_cast<char>(v.value[i]));
    out.push_back(std::move(s));
  }
  return out;
}

Result<void> Env::put_environ(std::string_view entry) {
  size_t eq = entry.find('=');
  if (eq == std::string_view::npos) return Error(Errc::inval, "environment entry has no '='");
  std::string_view value = entry.substr(eq + 1);
  Bytes b(value.begin(), value.end());
  // A value carrying \1 separators was an rc list: restore its NUL terminators.
  if (std::find(b.begin(), b.end(), 1) != b.end()) {
    std::replace(b.begin(), b.end(), uint8_t{1}, uint8_t{0});
    b.push_back(0);
  }
  return set(entry.substr(0, eq), b);
}

}  // namespace web9
