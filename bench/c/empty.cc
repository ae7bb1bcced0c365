// empty: a C++ program linking only libstdc++ that pause()s; the baseline of the RSS table.
#include <unistd.h>

#include <string>

int main(int argc, char**) {
  std::string s(static_cast<size_t>(argc), 'x');
  for (;;) pause();
}
