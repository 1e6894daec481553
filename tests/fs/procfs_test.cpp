// Tests for fs/procfs.cpp (/proc): the process table as directories, the status line, args,
// ns, fd, ppid, noteid, notes and ctl, through a booted kernel.
#include "fs/procfs.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/kernel/booted.h"

namespace web9 {
namespace {

using test::Booted;
using test::contains;
using test::now;
using test::outcome;

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string proc(int pid, std::string_view file) { return "/proc/" + std::to_string(pid) + "/" + std::string(file); }

TEST_CASE("/proc lists the processes and their files", "[proc]") {
  Booted b;
  int c = b.spawn(1, "/bin/rc");
  CHECK(b.ls(1, "/proc") == std::vector<std::string>{"1", std::to_string(c)});
  CHECK(b.ls(1, "/proc/" + std::to_string(c)) ==
        std::vector<std::string>{"args", "ctl", "fd", "note", "noteid", "ns", "ppid", "status"});
  Dir d = REQUIRE_OK(b.stat(1, "/proc/" + std::to_string(c)));
  CHECK(d.qid.is_dir());
  CHECK(d.uid == "glenda");
  CHECK(REQUIRE_OK(b.stat(1, proc(c, "ctl"))).mode == 0222);
  // A process that is waited for leaves the listing.
  REQUIRE(b.k.exits(c, "").ok());
  CHECK(b.ls(1, "/proc").size() == 2);  // a zombie is still there
  REQUIRE(b.wait_now(1).ok());
  CHECK(b.ls(1, "/proc") == std::vector<std::string>{"1"});
}

TEST_CASE("/proc/N/status is Plan 9's fixed-width line", "[proc]") {
  Booted b;
  int c = b.spawn(1, "/bin/rc");
  b.clock_ms += 1500;
  std::string s = b.cat(1, proc(c, "status"));
  CHECK(s.size() == 27 + 1 + 27 + 1 + 11 + 9 * 12 + 1);
  CHECK(s.substr(0, 3) == "rc ");
  CHECK(s.substr(28, 7) == "glenda ");
  auto w = words(s);
  REQUIRE(w.size() == 12);
  CHECK(w[0] == "rc");
  CHECK(w[1] == "glenda");
  CHECK(w[2] == "Running");
  CHECK(w[5] == "1500");  // real time in ms
  CHECK(s.back() == '\n');
  CHECK(b.k.devices()->find('p'));

  // A process waiting for a child shows Wait; an exited one Moribund; a killed one Broken.
  int g = b.spawn(c);
  b.k.wait(c, [](Result<WaitMsg>) {});
  CHECK(words(b.cat(1, proc(c, "status")))[2] == "Wait");
  REQUIRE(b.k.postnote(g, "kill").ok());
  CHECK(words(b.cat(1, proc(g, "status")))[2] == "Broken");
  REQUIRE(b.k.exits(g, "").ok());  // c's wait takes it at once
  REQUIRE(b.k.exits(c, "x").ok());
  b.clock_ms += 5000;
  auto z = words(b.cat(1, proc(c, "status")));
  CHECK(z[2] == "Moribund");
  CHECK(z[5] == "1500");  // the clock stopped at exit
}

TEST_CASE("/proc/self is the caller's directory", "[proc]") {
  Booted b;
  int c = b.spawn(1, "me");
  CHECK(words(b.cat(c, "/proc/self/status"))[0] == "me");
  CHECK(words(b.cat(1, "/proc/self/status"))[0] == "init");
  CHECK(b.cat(c, "/proc/self/ppid") == "1");
}

TEST_CASE("/proc/N/args, ppid and fd", "[proc]") {
  Booted b;
  SpawnOptions o{{"/bin/echo", "plain", "two words", "it's", ""}};
  int fd = b.open(1, "/dev/null", OWRITE);
  o.fds = {{1, fd}};
  int c = REQUIRE_OK(b.k.spawn(1, o));
  CHECK(b.cat(1, proc(c, "args")) == "/bin/echo plain 'two words' 'it''s' ''");
  CHECK(b.cat(1, proc(c, "ppid")) == std::to_string(1));
  CHECK(b.cat(1, proc(1, "ppid")) == "0");
  std::string fds = b.cat(1, proc(c, "fd"));
  CHECK(fds.substr(0, 2) == "/\n");
  auto lines = words(fds.substr(2));
  REQUIRE(lines.size() >= 3);
  CHECK(lines[0] == "1");
  CHECK(lines[1] == "w");
  CHECK(lines[2] == "cons");
  CHECK(lines.back() == "/dev/null");
}

TEST_CASE("/proc/N/ns shows the name space as commands", "[proc]") {
  Booted b;
  std::string ns = b.cat(1, proc(1, "ns"));
  CHECK_THAT(ns, Catch::Contains("'#p' /proc"));
  CHECK_THAT(ns, Catch::Contains("'#e' /env"));
  CHECK_THAT(ns, Catch::Contains("bind -a '#c' /dev\n"));
  CHECK_THAT(ns, Catch::Contains("bind -c '#s' /srv\n"));
  CHECK_THAT(ns, Catch::Contains("mount -c ram /tmp\n"));
  SpawnOptions o{{"own"}};
  o.ns = Sharing::copy;
  int c = REQUIRE_OK(b.k.spawn(1, o));
  REQUIRE(b.bind(c, "/bin", "/tmp", MAFTER).ok());
  CHECK_THAT(b.cat(1, proc(c, "ns")), Catch::Contains("bind -a /bin /tmp"));
  CHECK_THAT(b.cat(1, proc(1, "ns")), !Catch::Contains("/bin /tmp"));
}

TEST_CASE("/proc/N/note posts notes and is read by the process itself", "[proc][notes]") {
  Booted b;
  int c = b.spawn();
  std::vector<std::string> seen;
  REQUIRE(b.k.set_note_hook(c, [&](const std::string& n) { seen.push_back(n); }).ok());
  b.put(1, proc(c, "note"), "hangup\n");
  CHECK(seen == std::vector<std::string>{"hangup"});
  // Reading takes the next note, for the process itself only.
  int mine = b.open(c, proc(c, "note"), OREAD);
  int theirs = b.open(1, proc(c, "note"), OREAD);
  CHECK(outcome(b.try_read(1, theirs)) == outcome(Errc::perm));
  CHECK(b.read(c, mine) == "hangup");
  CHECK(b.read(c, mine).empty());
  CHECK_FALSE(b.k.take_note(c));

  CHECK(outcome(b.try_put(1, proc(c, "note"), "")) == outcome(Errc::inval));
  CHECK(outcome(b.try_put(1, proc(c, "note"), std::string(300, 'n'))) == outcome(Errc::inval));
}

TEST_CASE("/proc/N/ctl", "[proc]") {
  Booted b;
  int c = b.spawn();
  std::vector<std::string> seen;
  REQUIRE(b.k.set_note_hook(c, [&](const std::string& n) { seen.push_back(n); }).ok());
  b.put(1, proc(c, "ctl"), "interrupt");
  CHECK(seen == std::vector<std::string>{"interrupt"});

  int fd = b.open(c, "/dev/null", OREAD);
  b.put(1, proc(c, "ctl"), "close " + std::to_string(fd) + "\n");
  CHECK_FALSE(b.k.process(c)->fds->is_open(fd));
  CHECK(outcome(b.try_put(1, proc(c, "ctl"), "close 9")) == outcome(Errc::badf));
  CHECK(outcome(b.try_put(1, proc(c, "ctl"), "close x")) == outcome(Errc::inval));
  CHECK(outcome(b.try_put(1, proc(c, "ctl"), "frobnicate")) == outcome(Errc::inval));

  b.put(1, proc(c, "ctl"), "kill");
  CHECK(b.k.process(c)->state == ProcState::exiting);
  CHECK(seen.back() == "kill");
  REQUIRE(b.k.kill_now(c).ok());
  // The files of an exited process answer "process exited".
  CHECK(outcome(b.try_put(1, proc(c, "ctl"), "kill")) == outcome(Errc::srch));
}

TEST_CASE("/proc/N/noteid joins a note group", "[proc][notes]") {
  Booted b;
  SpawnOptions o{{"leader"}};
  o.note_group = NoteGroup::new_group;
  int leader = REQUIRE_OK(b.k.spawn(1, o));
  int c = b.spawn();
  CHECK(b.cat(1, proc(c, "noteid")) == "1");
  b.put(1, proc(c, "noteid"), std::to_string(leader));
  CHECK(b.cat(1, proc(c, "noteid")) == std::to_string(leader));
  REQUIRE(b.k.postnote_group(leader, "hup").ok());
  CHECK(b.notes(c) == std::vector<std::string>{"hup"});
  CHECK(outcome(b.try_put(1, proc(c, "noteid"), "12345")) == outcome(Errc::srch));
  CHECK(outcome(b.try_put(1, proc(c, "noteid"), "zero")) == outcome(Errc::inval));
  CHECK(outcome(b.try_put(1, proc(c, "noteid"), "0")) == outcome(Errc::inval));
  // A process may start a group of its own number.
  b.put(1, proc(c, "noteid"), std::to_string(c));
  CHECK(b.k.process(c)->pgrp == c);
}

TEST_CASE("/proc refuses bad requests", "[proc][errors]") {
  Booted b;
  int c = b.spawn();
  CHECK(outcome(b.try_open(1, "/proc/99", OREAD)) == outcome(Errc::noent));
  CHECK(outcome(b.try_open(1, "/proc/01", OREAD)) == outcome(Errc::noent));
  CHECK(outcome(b.try_open(1, "/proc/x", OREAD)) == outcome(Errc::noent));
  CHECK(outcome(b.try_open(1, proc(c, "bogus"), OREAD)) == outcome(Errc::noent));
  CHECK(outcome(b.try_open(1, proc(c, "status/x"), OREAD)) == outcome(Errc::notdir));
  CHECK(outcome(b.try_open(1, proc(c, "ctl"), OREAD)) == outcome(Errc::access));
  CHECK(outcome(b.try_open(1, proc(c, "status"), OWRITE)) == outcome(Errc::access));
  CHECK(outcome(b.try_open(1, "/proc", OWRITE)) == outcome(Errc::isdir));
  CHECK(outcome(b.try_create(1, "/proc/new", OWRITE)) == outcome(Errc::perm));
  CHECK(outcome(b.remove(1, proc(c, "status"))) == outcome(Errc::perm));

  // A file opened before its process went answers "process exited".
  int st = b.open(1, proc(c, "status"), OREAD);
  REQUIRE(b.k.exits(c, "").ok());
  REQUIRE(b.wait_now(1).ok());
  auto r = b.try_read(1, st);
  CHECK(outcome(r) == outcome(Errc::srch));
  CHECK_THAT(r.error().text(), Catch::Contains("process exited"));
}

}  // namespace
}  // namespace web9
