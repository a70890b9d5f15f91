#include "matrix/config.h"

#include <algorithm>
#include <cctype>

namespace faultline::matrix {

namespace {
template <typename T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
  for (const auto& item : items)
    if (item.name == name) return &item;
  return nullptr;
}
}  // namespace

const Component* Config::component(std::string_view name) const {
  return find_named(components, name);
}
const Workload* Config::workload(std::string_view name) const {
  return find_named(workloads, name);
}
const SanitizerSpec* Config::sanitizer(std::string_view name) const {
  return find_named(sanitizers, name);
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace faultline::matrix
