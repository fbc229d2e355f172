#include "app/hj212_cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_support.h"
#include "app/commands.h"
#include "hj212/builder.h"
#include "hj212/framer.h"
#include "hj212/packet.h"

namespace ecohub::app {

namespace {

// Objects keep their order: CP pairs print (and encode) in packet order.
using json = nlohmann::ordered_json;

// Strings from the wire may be GBK or broken UTF-8: the JSON writer replaces
// invalid sequences with U+FFFD instead of throwing.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool Unhex(std::string_view hex, std::string* out) {
  auto nib = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string s;
  for (char c : hex)
    if (c != ' ' && c != '\t' && c != '\r') s += c;
  if (s.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int h = nib(s[i]), l = nib(s[i + 1]);
    if (h < 0 || l < 0) return false;
    out->push_back(static_cast<char>(h * 16 + l));
  }
  return true;
}

const char* Describe(hj212::Error e) {
  using hj212::Error;
  switch (e) {
    case Error::kBadHeader:
      return "the frame does not start with ##";
    case Error::kBadLengthField:
      return "the 4 characters after ## are not a decimal length";
    case Error::kOversize:
      return "the declared data segment is longer than 1024 bytes";
    case Error::kLengthMismatch:
      return "the declared length does not match the data segment";
    case Error::kBadCrcFormat:
      return "the CRC is not 4 hexadecimal digits";
    case Error::kCrcMismatch:
      return "the CRC does not match the data segment (HJ 212 CRC16)";
    case Error::kMissingTail:
      return "the frame does not end with CR LF";
    case Error::kMissingCp:
      return "no CP=&& field";
    case Error::kCpUnterminated:
      return "CP=&& is not closed by &&";
    case Error::kMissingField:
      return "MN or CN is missing";
    case Error::kNone:
      return "";
  }
  return "";
}

json DecodeOne(const std::string& wire) {
  std::string_view segment;
  hj212::Error e = hj212::CheckFrame(wire, hj212::FramerOptions{}, &segment);
  hj212::Packet p;
  if (e == hj212::Error::kNone) e = hj212::ParsePacket(segment, &p);
  if (e != hj212::Error::kNone)
    return {{"ok", false}, {"error", hj212::ErrorCode(e)}, {"message", Describe(e)}};
  json header = json::object();
  for (size_t i = 0; i < p.header_count(); ++i)
    header[std::string(p.header_key(i))] = std::string(p.header_value(i));
  json cp = json::object();
  for (size_t i = 0; i < p.cp_count(); ++i) {
    std::string k(p.cp_key(i)), v(p.cp_value(i));
    if (!cp.contains(k)) {
      cp[k] = v;
    } else {
      if (!cp[k].is_array()) cp[k] = json::array({cp[k]});
      cp[k].push_back(v);
    }
  }
  json out = {{"ok", true}, {"header", std::move(header)}, {"cp", std::move(cp)}};
  if (!p.warnings().empty()) out["warnings"] = p.warnings();
  return out;
}

}  // namespace

int RunHj212Decode(std::istream& in, std::ostream& out, bool hex) {
  std::string line, wire;
  while (std::getline(in, line)) {
    if (hex) {
      if (!Unhex(line, &wire)) {
        out << Dump({{"ok", false}, {"error", "bad_hex"}, {"message", "the line is not hex"}})
            << "\n";
        continue;
      }
    } else {
      // A CRLF input file leaves '\r' at the end of the line; it is not packet text.
      if (!line.empty() && line.back() == '\r') line.pop_back();
      wire = line + "\r\n";
    }
    out << Dump(DecodeOne(wire)) << "\n";
  }
  out.flush();
  return 0;
}

int RunHj212Encode(std::istream& in, std::ostream& out) {
  std::string line;
  int rc = 0;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, false);
    std::string problem;
    std::vector<hj212::Field> header, cp;
    if (j.is_discarded() || !j.is_object()) {
      problem = "the line is not a JSON object";
    } else {
      for (const char* part : {"header", "cp"}) {
        if (!j.contains(part)) continue;
        if (!j[part].is_object()) {
          problem = std::string(part) + " must be an object";
          break;
        }
        auto& dst = std::string(part) == "header" ? header : cp;
        for (auto& [k, v] : j[part].items()) {
          auto add = [&](const json& x) {
            if (x.is_string())
              dst.push_back({k, x.get<std::string>()});
            else if (x.is_number() || x.is_boolean())
              dst.push_back({k, x.dump()});
            else
              problem = "value of " + k + " must be a string or number";
          };
          if (v.is_array()) {
            for (auto& x : v) add(x);
          } else {
            add(v);
          }
        }
      }
    }
    if (!problem.empty()) {
      out << Dump({{"ok", false}, {"error", "bad_json"}, {"message", problem}}) << "\n";
      rc = 1;
      continue;
    }
    std::string seg = hj212::BuildSegment(header, cp);
    if (seg.size() > 9999) {
      out << Dump({{"ok", false},
                   {"error", "oversize"},
                   {"message", "data segment over 9999 bytes"}})
          << "\n";
      rc = 1;
      continue;
    }
    out << hj212::Frame(seg, false) << "\n";
  }
  out.flush();
  return rc;
}

void AddHj212Command(CLI::App& app) {
  auto hex = std::make_shared<bool>(false);
  auto* hj = AddGroup(app, "hj212", "HJ 212 codec on stdin/stdout");
  auto* decode = hj->add_subcommand("decode", "One frame per line -> one JSON object per line");
  decode->add_flag("--hex", *hex, "Lines are the hex of the exact wire bytes");
  decode->callback([hex] { ExitWith(RunHj212Decode(std::cin, std::cout, *hex)); });
  hj->add_subcommand("encode", "{header,cp} JSON lines -> packets")->callback([] {
    ExitWith(RunHj212Encode(std::cin, std::cout));
  });
}

}  // namespace ecohub::app
