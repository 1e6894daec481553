// The syntax tree rc's parser builds and its interpreter walks: one Node type for words and
// commands alike, as in Plan 9's rc, plus the unparser that prints a tree back as rc source.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace rc {

enum class Kind {
  // Words: each evaluates to a list of strings.
  word,       // str, quoted
  dollar,     // $kid0
  count,      // $#kid0
  flat,       // $"kid0
  sub,        // $kid0(kid1...)   (subscript list in kids[1..])
  concat,     // kid0^kid1
  list,       // (kids...)
  backquote,  // `{kid0}
  pipefd,     // <{kid0} or >{kid0}; rtype says which
  // Commands.
  simple,    // kids: words and redirections in source order
  pipe,      // kid0 |[fd0=fd1] kid1
  andand,    // kid0 && kid1
  oror,      // kid0 || kid1
  bang,      // ! kid0
  subshell,  // @ kid0
  brace,     // {kid0}
  ifcmd,     // if(kid0) kid1
  ifnot,     // if not kid0
  forcmd,    // for(str in kids[1..]) kid0; has_in says whether "in" was given
  whilecmd,  // while(kid0) kid1
  switchcmd, // switch(kid0){kid1}
  match,     // ~ kid0 kids[1..]
  fn,        // fn names{kid0}: kids[0] is the body (or null for deletion), kids[1..] the names
  seq,       // kids separated by ';'
  async,     // kid0 &
  assign,    // kid0=kid1 kid2 (kid2 may be null: a stand-alone assignment)
  redir,     // redirection rtype fd0 to word kid0 applied to command kid1 (kid1 may be null)
  dup,       // >[fd0=fd1] (fd1 < 0: close fd0) applied to command kid1
};

enum class Rtype { read, write, append, rdwr, here };

struct Node {
  Kind kind;
  std::string str;     // word text, for-variable name, here-document body
  bool quoted = false; // word was quoted; here document marker was quoted (no substitution)
  bool has_in = false; // for: an explicit "in" list was given
  Rtype rtype = Rtype::read;
  int fd0 = 0, fd1 = 0;
  int line = 0;
  std::vector<std::unique_ptr<Node>> kids;

  explicit Node(Kind k) : kind(k) {}
  Node* kid(size_t i) const { return i < kids.size() ? kids[i].get() : nullptr; }
};

using NodePtr = std::unique_ptr<Node>;

NodePtr make_node(Kind k);
NodePtr make_node(Kind k, NodePtr a);
NodePtr make_node(Kind k, NodePtr a, NodePtr b);
NodePtr make_word(std::string s, bool quoted);

// Prints t as rc source in the compact form rc's whatis uses (and that rc parses back).
std::string unparse(const Node* t);
// A word as rc would quote it: bare if it needs no quotes, else '...' with '' for '.
std::string quote_word(const std::string& s);

}  // namespace rc
