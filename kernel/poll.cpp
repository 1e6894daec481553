// Readiness (WASI poll_oneoff): Kernel::poll waits until a read or write on one of several
// descriptors would not wait. A file server answers a readiness query once (FileServer::ready),
// so a poll that ends first (a timeout, a note, another descriptor ready) must stop listening
// without disturbing anyone else on the channel: flushing the fid would also interrupt another
// process's read of a shared channel (a console fd 0 inherited by every process). So the kernel
// keeps at most one query in flight per channel and direction, a *watch*, that every poll on
// that channel listens to. A poll that ends just stops listening; the query stays with the server
// until it answers (when ready, flushed, or when the fid is clunked) and the next poll on the
// channel listens to it again, so what one channel holds is bounded however often polls time out.
#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "kernel/kernel.h"

namespace web9 {

struct Kernel::PollTable : std::enable_shared_from_this<Kernel::PollTable> {
  using Key = std::pair<const Chan*, bool>;  // the channel and the direction (true: write)
  struct Poll {
    int pid = 0;
    std::vector<PollEvent> events;
    std::vector<Key> keys;  // the watches it listens to
    Reply<std::vector<PollEvent>> reply;
    bool collecting = true;  // still asking: answers now are gathered, not replied
    bool done = false;
  };
  using PollRef = std::shared_ptr<Poll>;
  struct Listener {
    std::weak_ptr<Poll> poll;
    size_t index = 0;
  };
  struct Watch {
    std::weak_ptr<Chan> chan;  // never holds it: a closed descriptor must still clunk its fid
    uint64_t query = 0;        // the query with the server, 0 for none
    std::vector<Listener> listeners;
  };

  std::map<Key, Watch> watches;
  std::map<int, PollRef> waiting;  // by pid: one poll per process at most
  uint64_t next_query = 0;

  // poll listens to the watch on chan in one direction, asking the server if nobody is.
  void listen(const PollRef& poll, size_t index, const ChanRef& chan, bool write) {
    Key key{chan.get(), write};
    Watch& w = watches[key];
    // A watch left by a channel that is gone (its address now reused) starts over; its
    // query's late answer, if any, no longer matches.
    if (w.chan.lock() != chan) w = Watch{chan, 0, {}};
    w.listeners.push_back(Listener{poll, index});
    poll->keys.push_back(key);
    if (w.query == 0) ask(key, chan);
  }

  void ask(Key key, const ChanRef& chan) {
    uint64_t id = ++next_query;
    watches[key].query = id;
    std::weak_ptr<PollTable> weak = shared_from_this();
    std::weak_ptr<Chan> weak_chan = chan;
    chan->server().ready(chan->fid(), key.second, [weak, key, id, weak_chan](Result<Readiness> res) {
      if (auto t = weak.lock()) t->answered(key, id, weak_chan.lock(), std::move(res));
    });
  }

  void answered(Key key, uint64_t id, const ChanRef& chan, Result<Readiness> res) {
    auto it = watches.find(key);
    if (it == watches.end() || it->second.query != id) return;  // a query nobody wants now
    it->second.query = 0;
    // Flushed for another request on the channel (a note to another process sharing it): the
    // polls still listening did not ask to stop, so ask again for them.
    if (!res && res.error().code == Errc::intr && chan && !it->second.listeners.empty()) return ask(key, chan);
    auto listeners = std::move(it->second.listeners);
    watches.erase(it);
    // The channel is gone (clunked under the poll): its descriptor is no longer valid.
    if (!chan) res = Errc::badf;
    auto self = shared_from_this();  // a reply may end the kernel's hold on the table
    for (auto& l : listeners) {
      if (auto poll = l.poll.lock()) fire(poll, l.index, res);
    }
  }

  void fire(const PollRef& poll, size_t index, const Result<Readiness>& res) {
    if (poll->done) return;
    PollEvent e;
    e.index = index;
    if (res) e.ready = res.value();
    else e.err = res.error().code;
    poll->events.push_back(e);
    if (!poll->collecting) end(poll, poll->events);
  }

  // Answers a poll once: it stops listening and leaves the table before its reply runs.
  void end(const PollRef& poll, Result<std::vector<PollEvent>> res) {
    if (poll->done) return;
    poll->done = true;
    for (const auto& key : poll->keys) {
      auto it = watches.find(key);
      if (it == watches.end()) continue;
      auto& ls = it->second.listeners;
      ls.erase(std::remove_if(ls.begin(), ls.end(),
                              [&](const Listener& l) {
                                auto p = l.poll.lock();
                                return !p || p == poll;
                              }),
               ls.end());
      if (ls.empty() && it->second.query == 0) watches.erase(it);
    }
    if (auto it = waiting.find(poll->pid); it != waiting.end() && it->second == poll) waiting.erase(it);
    auto reply = std::move(poll->reply);
    reply(std::move(res));
  }
};

void Kernel::poll(int pid, std::vector<PollWant> wants, bool wait, Reply<std::vector<PollEvent>> r) {
  if (!live(pid)) return r(Errc::srch);
  if (!polls_) polls_ = std::make_shared<PollTable>();
  auto t = polls_;
  if (t->waiting.count(pid)) return r(Error(Errc::busy, "a poll is already waiting"));
  auto poll = std::make_shared<PollTable::Poll>();
  poll->pid = pid;
  poll->reply = std::move(r);
  Current cur(*this, pid);
  for (size_t i = 0; i < wants.size(); i++) {
    auto f = fd_of(pid, wants[i].fd);
    bool usable = f && (wants[i].write ? f->writable() : f->readable());
    if (!usable) {
      PollEvent e;
      e.index = i;
      e.err = Errc::badf;
      poll->events.push_back(e);
      continue;
    }
    t->listen(poll, i, f->chan, wants[i].write);
  }
  poll->collecting = false;
  if (!poll->events.empty() || !wait) return t->end(poll, poll->events);
  t->waiting[pid] = poll;
}

bool Kernel::cancel_poll(int pid) {
  if (!polls_) return false;
  auto t = polls_;
  auto it = t->waiting.find(pid);
  if (it == t->waiting.end()) return false;
  auto poll = it->second;
  t->end(poll, std::vector<PollEvent>{});
  return true;
}

void Kernel::interrupt_poll(int pid) {
  if (!polls_) return;
  auto t = polls_;
  auto it = t->waiting.find(pid);
  if (it == t->waiting.end()) return;
  auto poll = it->second;
  t->end(poll, Error(Errc::intr));
}

}  // namespace web9
