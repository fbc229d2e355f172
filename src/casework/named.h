// The casework enums' tables: each value with its code (API, store) and Chinese name,
// looked up both ways. Internal to src/casework.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ecohub::casework::named {

template <typename E>
struct Named {
  E value;
  std::string_view code, name;
};

template <typename E>
const Named<E>* ByValue(std::span<const Named<E>> table, E v) {
  for (const auto& n : table)
    if (n.value == v) return &n;
  return nullptr;
}

template <typename E>
std::optional<E> ByCode(std::span<const Named<E>> table, std::string_view code) {
  for (const auto& n : table)
    if (n.code == code) return n.value;
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view CodeOf(const Named<E> (&table)[N], E v) {
  const Named<E>* n = ByValue<E>(table, v);
  return n ? n->code : table[0].code;
}

template <typename E, size_t N>
std::string_view NameOf(const Named<E> (&table)[N], E v) {
  const Named<E>* n = ByValue<E>(table, v);
  return n ? n->name : std::string_view();
}

}  // namespace ecohub::casework::named
