#include "waku/p2p/multiaddr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <vector>

#include "waku/base/varint.hpp"

namespace waku::p2p {
namespace {

enum class ValueKind : std::uint8_t {
  kNone,    // no value (ws, tls, quic-v1, p2p-circuit, ...)
  kIp4,     // 4 bytes, dotted quad
  kIp6,     // 16 bytes, RFC 4291 text
  kPort,    // 2 bytes big-endian, decimal
  kText,    // uvarint length + printable ASCII without '/' (DNS names, SNI, IPv6 zone)
  kPeerId,  // uvarint length + multihash, base58btc or CID text
};

struct ProtocolSpec {
  std::uint64_t code;
  std::string_view name;
  ValueKind kind;
};

// A subset of multiformats protocols.csv: what libp2p and Waku peers advertise. Codes outside it
// are refused because their value sizes are unknown, so the rest of the address could not be
// read.
constexpr std::array<ProtocolSpec, 24> kProtocols{{
    {kMultiaddrIp4, "ip4", ValueKind::kIp4},
    {kMultiaddrTcp, "tcp", ValueKind::kPort},
    {33, "dccp", ValueKind::kPort},
    {kMultiaddrIp6, "ip6", ValueKind::kIp6},
    {42, "ip6zone", ValueKind::kText},
    {kMultiaddrDns, "dns", ValueKind::kText},
    {kMultiaddrDns4, "dns4", ValueKind::kText},
    {kMultiaddrDns6, "dns6", ValueKind::kText},
    {56, "dnsaddr", ValueKind::kText},
    {132, "sctp", ValueKind::kPort},
    {273, "udp", ValueKind::kPort},
    {280, "webrtc-direct", ValueKind::kNone},
    {281, "webrtc", ValueKind::kNone},
    {290, "p2p-circuit", ValueKind::kNone},
    {kMultiaddrP2p, "p2p", ValueKind::kPeerId},
    {448, "tls", ValueKind::kNone},
    {449, "sni", ValueKind::kText},
    {454, "noise", ValueKind::kNone},
    {460, "quic", ValueKind::kNone},
    {461, "quic-v1", ValueKind::kNone},
    {465, "webtransport", ValueKind::kNone},
    {477, "ws", ValueKind::kNone},
    {478, "wss", ValueKind::kNone},
    {480, "http", ValueKind::kNone},
}};

const ProtocolSpec* find_by_code(std::uint64_t code) {
  const auto* it = std::find_if(kProtocols.begin(), kProtocols.end(),
                                [code](const ProtocolSpec& spec) { return spec.code == code; });
  return it == kProtocols.end() ? nullptr : &*it;
}

const ProtocolSpec* find_by_name(std::string_view name) {
  if (name == "ipfs") name = "p2p";  // the deprecated text alias of the same code
  const auto* it = std::find_if(kProtocols.begin(), kProtocols.end(),
                                [name](const ProtocolSpec& spec) { return spec.name == name; });
  return it == kProtocols.end() ? nullptr : &*it;
}

// Printable ASCII without '/': a '/' would make the text form ambiguous, control characters
// would let a peer inject into logs.
bool valid_text_value(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return c > 0x20 && c < 0x7f && c != '/'; });
}

struct Component {
  const ProtocolSpec* spec;
  ByteView value;      // without its length prefix
  std::size_t offset;  // where the component (its code) starts in the address bytes
};

std::size_t fixed_size(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNone: return 0;
    case ValueKind::kIp4: return 4;
    case ValueKind::kIp6: return 16;
    case ValueKind::kPort: return 2;
    case ValueKind::kText:
    case ValueKind::kPeerId: break;
  }
  return 0;
}

bool has_length_prefix(ValueKind kind) {
  return kind == ValueKind::kText || kind == ValueKind::kPeerId;
}

// Splits and validates a binary multiaddr.
Result<std::vector<Component>> split(ByteView bytes) {
  if (bytes.empty()) return unexpected(Errc::kDecode, "multiaddr: empty");
  if (bytes.size() > kMaxMultiaddrBytes) {
    return unexpected(Errc::kTooLarge, "multiaddr: longer than 1024 bytes");
  }
  std::vector<Component> components;
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const auto code = decode_uvarint(bytes.subspan(offset));
    if (!code) return unexpected(code.error());
    const ProtocolSpec* spec = find_by_code(code->value);
    if (spec == nullptr) return unexpected(Errc::kUnsupported, "multiaddr: unknown protocol code");
    std::size_t cursor = offset + code->length;
    std::size_t size = fixed_size(spec->kind);
    if (has_length_prefix(spec->kind)) {
      const auto length = decode_uvarint(bytes.subspan(cursor));
      if (!length) return unexpected(length.error());
      cursor += length->length;
      if (length->value > bytes.size() - cursor) {
        return unexpected(Errc::kTruncated, "multiaddr: value longer than the address");
      }
      size = static_cast<std::size_t>(length->value);
    }
    if (size > bytes.size() - cursor) {
      return unexpected(Errc::kTruncated, "multiaddr: value longer than the address");
    }
    const ByteView value = bytes.subspan(cursor, size);
    if (spec->kind == ValueKind::kText && !valid_text_value(as_chars(value))) {
      return unexpected(Errc::kBadEncoding, "multiaddr: empty or non-printable name, or '/'");
    }
    if (spec->kind == ValueKind::kPeerId && !crypto::PeerId::from_bytes(value)) {
      return unexpected(Errc::kBadEncoding, "multiaddr: /p2p/ value is not a valid peer id");
    }
    components.push_back(Component{spec, value, offset});
    offset = cursor + size;
  }
  return components;
}

// Components of an address this class holds (always valid).
std::vector<Component> components_of(const Bytes& bytes) {
  if (bytes.empty()) return {};
  auto components = split(bytes);
  WAKU_ASSERT_MSG(components.has_value(), "a Multiaddr holds a valid binary address");
  return std::move(components).value();
}

std::string ip_to_string(int family, ByteView value) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const char* written = inet_ntop(family, value.data(), text.data(), text.size());
  WAKU_ASSERT_MSG(written != nullptr, "inet_ntop of a 4- or 16-byte address");
  return {text.data()};
}

std::string value_to_string(const Component& component) {
  switch (component.spec->kind) {
    case ValueKind::kNone: return {};
    case ValueKind::kIp4: return ip_to_string(AF_INET, component.value);
    case ValueKind::kIp6: return ip_to_string(AF_INET6, component.value);
    case ValueKind::kPort:
      return std::to_string((unsigned{component.value[0]} << 8U) | component.value[1]);
    case ValueKind::kText: return std::string(as_chars(component.value));
    case ValueKind::kPeerId: return crypto::PeerId::from_bytes(component.value).value().to_string();
  }
  return {};
}

Result<std::uint16_t> parse_port(std::string_view text) {
  // Decimal without sign or leading zeros, so that every port has one spelling.
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text.front() == '0') ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return unexpected(Errc::kInvalidArgument, "multiaddr: port is not a decimal 0..65535");
  }
  unsigned value = 0;
  for (const char c : text) value = value * 10U + static_cast<unsigned>(c - '0');
  if (value > 0xffffU) {
    return unexpected(Errc::kInvalidArgument, "multiaddr: port is not a decimal 0..65535");
  }
  return static_cast<std::uint16_t>(value);
}

Result<void> append_ip(Bytes& out, int family, std::string_view text) {
  std::array<std::uint8_t, 16> address{};
  const std::string terminated(text);  // inet_pton wants a C string
  if (inet_pton(family, terminated.c_str(), address.data()) != 1) {
    return unexpected(Errc::kInvalidArgument, "multiaddr: not a valid IP address");
  }
  const std::size_t size = family == AF_INET ? 4 : 16;
  out.insert(out.end(), address.begin(), address.begin() + static_cast<std::ptrdiff_t>(size));
  return ok();
}

// Appends the binary value for one text component (the code is already written).
Result<void> append_value(Bytes& out, const ProtocolSpec& spec, std::string_view text) {
  switch (spec.kind) {
    case ValueKind::kNone: return ok();
    case ValueKind::kIp4: return append_ip(out, AF_INET, text);
    case ValueKind::kIp6: return append_ip(out, AF_INET6, text);
    case ValueKind::kPort: {
      const auto port = parse_port(text);
      if (!port) return unexpected(port.error());
      out.push_back(static_cast<std::uint8_t>(*port >> 8U));
      out.push_back(static_cast<std::uint8_t>(*port & 0xffU));
      return ok();
    }
    case ValueKind::kText: {
      if (!valid_text_value(text)) {
        return unexpected(Errc::kInvalidArgument, "multiaddr: empty or non-printable name, or '/'");
      }
      append_uvarint(out, text.size());
      const ByteView bytes = as_bytes(text);
      out.insert(out.end(), bytes.begin(), bytes.end());
      return ok();
    }
    case ValueKind::kPeerId: {
      const auto id = crypto::PeerId::parse(text);
      if (!id) return unexpected(Errc::kInvalidArgument, "multiaddr: /p2p/ value is no peer id");
      append_uvarint(out, id->bytes().size());
      out.insert(out.end(), id->bytes().begin(), id->bytes().end());
      return ok();
    }
  }
  return ok();
}

bool ends_with_peer_id(const std::vector<Component>& components) {
  return !components.empty() && components.back().spec->kind == ValueKind::kPeerId;
}

}  // namespace

Result<Multiaddr> Multiaddr::parse(std::string_view text) {
  if (text.size() > kMaxMultiaddrTextSize) {
    return unexpected(Errc::kTooLarge, "multiaddr: text longer than 4096 characters");
  }
  if (text.empty() || text.front() != '/') {
    return unexpected(Errc::kInvalidArgument, "multiaddr: must start with '/'");
  }
  Bytes out;
  std::string_view rest = text.substr(1);
  // Takes the text up to the next '/' (or the end) off the front of `rest`.
  auto next_part = [&rest]() {
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    return part;
  };
  bool more = true;
  while (more) {
    const std::string_view name = next_part();
    more = !rest.empty();
    if (name.empty()) return unexpected(Errc::kInvalidArgument, "multiaddr: empty component");
    const ProtocolSpec* spec = find_by_name(name);
    if (spec == nullptr) return unexpected(Errc::kUnsupported, "multiaddr: unknown protocol");
    append_uvarint(out, spec->code);
    if (spec->kind != ValueKind::kNone) {
      // A name that ends the text while needing a value ("/ip4") leaves `rest` empty.
      if (!more) return unexpected(Errc::kInvalidArgument, "multiaddr: missing value");
      const std::string_view value = next_part();
      more = !rest.empty();
      WAKU_TRY_VOID(append_value(out, *spec, value));
    }
    if (out.size() > kMaxMultiaddrBytes) {
      return unexpected(Errc::kTooLarge, "multiaddr: longer than 1024 bytes");
    }
  }
  // "/ip4/1.2.3.4/" leaves an empty last part: next_part() consumed the slash but `rest` is
  // empty. Refuse it so that every address has one spelling.
  if (text.back() == '/') {
    return unexpected(Errc::kInvalidArgument, "multiaddr: trailing '/'");
  }
  return Multiaddr(std::move(out));
}

Result<Multiaddr> Multiaddr::from_bytes(ByteView bytes) {
  const auto components = split(bytes);
  if (!components) return unexpected(components.error());
  return Multiaddr(Bytes(bytes.begin(), bytes.end()));
}

std::string Multiaddr::to_string() const {
  std::string out;
  for (const auto& component : components_of(bytes_)) {
    out += '/';
    out += component.spec->name;
    if (component.spec->kind != ValueKind::kNone) {
      out += '/';
      out += value_to_string(component);
    }
  }
  return out;
}

std::optional<TcpEndpoint> Multiaddr::tcp_endpoint() const {
  const auto components = components_of(bytes_);
  if (components.size() < 2 || components.size() > 3) return std::nullopt;
  if (components.size() == 3 && !ends_with_peer_id(components)) return std::nullopt;
  if (components[1].spec->code != kMultiaddrTcp) return std::nullopt;
  TcpEndpoint endpoint;
  switch (components[0].spec->code) {
    case kMultiaddrIp4: endpoint.kind = TcpEndpoint::Kind::kIp4; break;
    case kMultiaddrIp6: endpoint.kind = TcpEndpoint::Kind::kIp6; break;
    case kMultiaddrDns: endpoint.kind = TcpEndpoint::Kind::kDns; break;
    case kMultiaddrDns4: endpoint.kind = TcpEndpoint::Kind::kDns4; break;
    case kMultiaddrDns6: endpoint.kind = TcpEndpoint::Kind::kDns6; break;
    default: return std::nullopt;
  }
  endpoint.host = value_to_string(components[0]);
  const ByteView port = components[1].value;
  endpoint.port = static_cast<std::uint16_t>((unsigned{port[0]} << 8U) | port[1]);
  return endpoint;
}

std::optional<crypto::PeerId> Multiaddr::peer_id() const {
  const auto components = components_of(bytes_);
  if (!ends_with_peer_id(components)) return std::nullopt;
  return crypto::PeerId::from_bytes(components.back().value).value();
}

Multiaddr Multiaddr::without_peer_id() const {
  const auto components = components_of(bytes_);
  if (!ends_with_peer_id(components)) return *this;
  const auto end = static_cast<std::ptrdiff_t>(components.back().offset);
  return Multiaddr(Bytes(bytes_.begin(), bytes_.begin() + end));
}

Multiaddr Multiaddr::with_peer_id(const crypto::PeerId& id) const {
  WAKU_ASSERT_MSG(!id.empty(), "with_peer_id needs a real peer id");
  Bytes out = without_peer_id().bytes_;
  append_uvarint(out, kMultiaddrP2p);
  append_uvarint(out, id.bytes().size());
  out.insert(out.end(), id.bytes().begin(), id.bytes().end());
  return Multiaddr(std::move(out));
}

Result<Multiaddr> Multiaddr::try_from_tcp(const TcpEndpoint& endpoint) {
  std::uint64_t code = kMultiaddrIp4;
  switch (endpoint.kind) {
    case TcpEndpoint::Kind::kIp4: code = kMultiaddrIp4; break;
    case TcpEndpoint::Kind::kIp6: code = kMultiaddrIp6; break;
    case TcpEndpoint::Kind::kDns: code = kMultiaddrDns; break;
    case TcpEndpoint::Kind::kDns4: code = kMultiaddrDns4; break;
    case TcpEndpoint::Kind::kDns6: code = kMultiaddrDns6; break;
  }
  const ProtocolSpec* host = find_by_code(code);
  WAKU_ASSERT(host != nullptr);
  if (endpoint.host.size() > kMaxMultiaddrBytes - 8) {
    return unexpected(Errc::kTooLarge, "multiaddr: host name too long");
  }
  Bytes out;
  append_uvarint(out, code);
  WAKU_TRY_VOID(append_value(out, *host, endpoint.host));
  append_uvarint(out, kMultiaddrTcp);
  out.push_back(static_cast<std::uint8_t>(endpoint.port >> 8U));
  out.push_back(static_cast<std::uint8_t>(endpoint.port & 0xffU));
  return Multiaddr(std::move(out));
}

Multiaddr Multiaddr::from_tcp(const TcpEndpoint& endpoint) {
  auto address = try_from_tcp(endpoint);
  WAKU_ASSERT_MSG(address.has_value(), "from_tcp: the endpoint's host is not valid for its kind");
  return std::move(address).value();
}

}  // namespace waku::p2p
