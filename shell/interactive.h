// The terminal as rc's input: prompts with $prompt, and edits lines with the line editor
// when standard input is a console (raw mode through /dev/consctl on web9).
#pragma once

#include <memory>
#include <string>

#include "shell/lexer.h"

namespace rc {

class Shell;

class InteractiveInput : public Input {
 public:
  virtual bool eof() const = 0;
};

std::unique_ptr<InteractiveInput> interactive_input(Shell& sh);

}  // namespace rc
