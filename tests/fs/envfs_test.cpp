// Tests for fs/envfs.cpp (/env) and kernel/env.cpp: each process sees its own environment as
// files, whether or not it shares a name space; creating, writing, truncating, renaming and
// removing variables; '#eN' for another process's; and the errors for bad requests.
#include "fs/envfs.h"

#include <catch2/catch.hpp>

#include "tests/kernel/booted.h"

namespace web9 {
namespace {

using test::Booted;
using test::now;
using test::outcome;

TEST_CASE("/env shows the caller's environment", "[env]") {
  Booted b({{"user", "glenda"}, {"home", "/usr/glenda"}});
  CHECK(b.ls(1, "/env") == std::vector<std::string>{"user", "home"});
  CHECK(b.cat(1, "/env/home") == "/usr/glenda");
  Dir d = REQUIRE_OK(b.stat(1, "/env/home"));
  CHECK(d.length == 11);
  CHECK(d.mode == 0664);
  CHECK(d.name == "home");

  // A child with a copied environment shares the name space but sees its own /env.
  SpawnOptions o{{"c"}};
  o.env = Sharing::copy;
  o.env_set = {{"home", "/tmp"}};
  int c = REQUIRE_OK(b.k.spawn(1, o));
  CHECK(b.k.process(c)->ns == b.k.process(1)->ns);
  CHECK(b.cat(c, "/env/home") == "/tmp");
  CHECK(b.cat(1, "/env/home") == "/usr/glenda");
  b.put(c, "/env/only", "child", true);
  CHECK(b.k.process(c)->env->get_string("only") == "child");
  CHECK(outcome(b.try_open(1, "/env/only", OREAD)) == outcome(Errc::noent));

  // A shared environment is shared through /env too.
  int s = b.spawn();
  b.put(s, "/env/shared", "yes", true);
  CHECK(b.cat(1, "/env/shared") == "yes");
}

TEST_CASE("/env files are written, truncated, renamed and removed", "[env]") {
  Booted b;
  Env& env = *b.k.process(1)->env;
  int fd = b.create(1, "/env/path", OWRITE);
  b.write(1, fd, "/bin");
  CHECK(env.get_string("path") == "/bin");
  // rc writes lists with NUL terminators.
  b.write(1, fd, std::string_view("\0.\0", 3));
  CHECK(env.get_list("path") == std::vector<std::string>{"/bin", "."});
  CHECK(env.get_string("path") == "/bin .");
  REQUIRE(b.k.close(1, fd).ok());

  // Writing at an offset past the end zero-fills.
  int p = b.open(1, "/env/path", OWRITE);
  REQUIRE(now<uint32_t>([&](auto r) { b.k.pwrite(1, p, test::span_of("x"), 9, r); }).ok());
  CHECK(env.get("path")->size() == 10);
  CHECK((*env.get("path"))[8] == 0);
  REQUIRE(b.k.close(1, p).ok());

  // create on an existing variable empties it; OTRUNC too.
  b.put(1, "/env/path", "again", true);
  CHECK(b.cat(1, "/env/path") == "again");
  int t = b.open(1, "/env/path", OWRITE | OTRUNC);
  CHECK(env.get("path")->empty());
  REQUIRE(b.k.close(1, t).ok());

  Dir d = Dir::nochange();
  d.name = "PATH";
  REQUIRE(now<void>([&](auto r) { b.k.wstat(1, "/env/path", d, r); }).ok());
  CHECK(env.get("PATH"));
  CHECK_FALSE(env.get("path"));
  b.put(1, "/env/PATH", "abcdef");
  Dir len = Dir::nochange();
  len.length = 2;
  REQUIRE(now<void>([&](auto r) { b.k.wstat(1, "/env/PATH", len, r); }).ok());
  CHECK(b.cat(1, "/env/PATH") == "ab");

  REQUIRE(b.remove(1, "/env/PATH").ok());
  CHECK_FALSE(env.get("PATH"));
  CHECK(outcome(b.remove(1, "/env/PATH")) == outcome(Errc::noent));

  // ORCLOSE removes the variable when the creator closes it.
  int rc = b.create(1, "/env/gone", OWRITE | ORCLOSE);
  CHECK(env.get("gone"));
  REQUIRE(b.k.close(1, rc).ok());
  CHECK_FALSE(env.get("gone"));
}

TEST_CASE("an ORCLOSE variable goes from its own environment when its process is killed", "[env]") {
  Booted b;
  REQUIRE(b.k.process(1)->env->set("x", "init's").ok());
  SpawnOptions o{{"c"}};
  o.env = Sharing::copy;
  int killer = REQUIRE_OK(b.k.spawn(1, o));
  int victim = REQUIRE_OK(b.k.spawn(1, o));
  b.open(victim, "/env/x", OREAD | ORCLOSE);
  // The runtime ends a killed worker and then calls kill_now; this one does it at once, inside
  // the killer's write to ctl.
  REQUIRE(b.k.set_note_hook(victim, [&](const std::string& n) {
    if (n == "kill") REQUIRE(b.k.kill_now(victim).ok());
  }).ok());
  b.put(killer, "/proc/" + std::to_string(victim) + "/ctl", "kill");
  CHECK_FALSE(b.k.process(victim)->alive());
  CHECK(b.k.process(killer)->env->get_string("x") == "init's");
  CHECK(b.k.process(1)->env->get_string("x") == "init's");
}

TEST_CASE("'#eN' is process N's environment", "[env]") {
  Booted b;
  SpawnOptions o{{"c"}};
  o.env = Sharing::copy;
  o.ns = Sharing::copy;
  o.env_set = {{"mine", "c's"}};
  int c = REQUIRE_OK(b.k.spawn(1, o));
  REQUIRE(b.bind(1, "#e" + std::to_string(c), "/tmp", MREPL | MCREATE).ok());
  CHECK(b.cat(1, "/tmp/mine") == "c's");
  b.put(1, "/tmp/from_init", "1", true);
  CHECK(b.k.process(c)->env->get_string("from_init") == "1");
  CHECK_FALSE(b.k.process(1)->env->get("from_init"));
  CHECK(outcome(b.bind(1, "#e99", "/tmp", MREPL)) == outcome(Errc::srch));
  CHECK(outcome(b.bind(1, "#ex", "/tmp", MREPL)) == outcome(Errc::inval));
}

TEST_CASE("/env refuses bad requests", "[env][errors]") {
  Booted b;
  b.put(1, "/env/v", "value", true);
  CHECK(outcome(b.try_open(1, "/env/v/x", OREAD)) == outcome(Errc::notdir));
  CHECK(outcome(b.try_open(1, "/env/missing", OREAD)) == outcome(Errc::noent));
  CHECK(outcome(b.try_create(1, "/env/d", OREAD, DMDIR | 0775)) == outcome(Errc::perm));
  CHECK(outcome(b.try_create(1, "/env/v", int{OWRITE} | OEXCL)) == outcome(Errc::exist));
  CHECK(outcome(b.try_open(1, "/env", OWRITE)) == outcome(Errc::isdir));
  CHECK(outcome(b.remove(1, "/env")) == outcome(Errc::perm));
  Dir d = Dir::nochange();
  d.name = "user";
  CHECK(outcome(now<void>([&](auto r) { b.k.wstat(1, "/env/v", d, r); })) == outcome(Errc::exist));
  d.name = "..";
  CHECK(outcome(now<void>([&](auto r) { b.k.wstat(1, "/env/v", d, r); })) == outcome(Errc::inval));
  Dir big = Dir::nochange();
  big.length = Env::max_value + 1;
  CHECK(outcome(now<void>([&](auto r) { b.k.wstat(1, "/env/v", big, r); })) == outcome(Errc::fbig));
  CHECK(b.cat(1, "/env/v") == "value");  // a refused wstat changes nothing

  // A variable removed under an open fd.
  int fd = b.open(1, "/env/v", OREAD);
  REQUIRE(b.k.process(1)->env->remove("v").ok());
  CHECK(outcome(b.try_read(1, fd)) == outcome(Errc::noent));
}

TEST_CASE("Env values, lists and environ", "[env]") {
  Env e;
  CHECK(Env::valid_name("a"));
  CHECK_FALSE(Env::valid_name(""));
  CHECK_FALSE(Env::valid_name("."));
  CHECK_FALSE(Env::valid_name("a/b"));
  CHECK_FALSE(Env::valid_name(std::string(256, 'a')));
  CHECK(outcome(e.set("a/b", "x")) == outcome(Errc::inval));
  REQUIRE(e.set_list("l", {"a", "b c", ""}).ok());
  CHECK(e.get_list("l") == std::vector<std::string>{"a", "b c", ""});
  REQUIRE(e.set("s", "plain").ok());
  CHECK(e.environ() == std::vector<std::string>{"l=a\1b c\1", "s=plain"});
  Env back;
  for (const auto& entry : e.environ()) REQUIRE(back.put_environ(entry).ok());
  CHECK(back.get_list("l") == e.get_list("l"));
  CHECK(back.get("l") == e.get("l"));
  CHECK(back.get_string("s") == "plain");
  CHECK(outcome(back.put_environ("novalue")) == outcome(Errc::inval));

  // A copy keeps ids (stable qids) and versions move on change.
  auto copy = e.copy();
  CHECK(copy->find("s")->id == e.find("s")->id);
  uint32_t vers = e.find("s")->vers;
  REQUIRE(e.set("s", "changed").ok());
  CHECK(e.find("s")->vers > vers);
  CHECK(copy->get_string("s") == "plain");
  CHECK(outcome(e.set("big", std::string(Env::max_value + 1, 'x'))) == outcome(Errc::fbig));
  CHECK(outcome(e.remove("nope")) == outcome(Errc::noent));
}

}  // namespace
}  // namespace web9
