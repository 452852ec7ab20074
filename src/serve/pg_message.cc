#include "serve/pg_message.h"

namespace custlake::serve {

bool MessageReader::ReadInt16(int16_t* out) {
  if (remaining() < 2) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(body_.data() + pos_);
  *out = static_cast<int16_t>((p[0] << 8) | p[1]);
  pos_ += 2;
  return true;
}

bool MessageReader::ReadInt32(int32_t* out) {
  if (remaining() < 4) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(body_.data() + pos_);
  *out = static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]);
  pos_ += 4;
  return true;
}

bool MessageReader::ReadCString(std::string* out) {
  const size_t end = body_.find('\0', pos_);
  if (end == std::string_view::npos) return false;
  out->assign(body_.substr(pos_, end - pos_));
  pos_ = end + 1;
  return true;
}

bool MessageReader::ReadBytes(size_t n, std::string* out) {
  if (remaining() < n) return false;
  out->assign(body_.substr(pos_, n));
  pos_ += n;
  return true;
}

MessageWriter::MessageWriter(char type) : buf_(1, type) { buf_.append(4, '\0'); }

MessageWriter& MessageWriter::Int16(int16_t v) {
  const auto u = static_cast<uint16_t>(v);
  buf_.push_back(static_cast<char>(u >> 8));
  buf_.push_back(static_cast<char>(u & 0xff));
  return *this;
}

MessageWriter& MessageWriter::Int32(int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) buf_.push_back(static_cast<char>((u >> shift) & 0xff));
  return *this;
}

MessageWriter& MessageWriter::CString(std::string_view s) {
  buf_.append(s);
  buf_.push_back('\0');
  return *this;
}

MessageWriter& MessageWriter::Bytes(std::string_view s) {
  buf_.append(s);
  return *this;
}

std::string MessageWriter::Finish() const {
  std::string out = buf_;
  const auto len = static_cast<uint32_t>(out.size() - 1);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
  return out;
}

std::string ErrorMessage(const std::string& sqlstate, const std::string& message, char type,
                         const std::string& severity) {
  MessageWriter w(type);
  w.Bytes("S").CString(severity).Bytes("V").CString(severity).Bytes("C").CString(sqlstate);
  w.Bytes("M").CString(message).Bytes(std::string_view("\0", 1));
  return w.Finish();
}

std::string ParameterStatusMessage(const std::string& name, const std::string& value) {
  return MessageWriter('S').CString(name).CString(value).Finish();
}

std::string CommandCompleteMessage(const std::string& tag) {
  return MessageWriter('C').CString(tag).Finish();
}

std::string ReadyForQueryMessage(char status) {
  return MessageWriter('Z').Bytes(std::string(1, status)).Finish();
}

}  // namespace custlake::serve
