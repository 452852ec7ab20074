// PostgreSQL frontend/backend protocol v3: framing and field encoding.
//
// MessageReader parses one message body (the bytes after the type byte and
// length) and never reads past it: every Read* returns false once the body
// is short, so a malformed message is detected, never trusted. MessageWriter
// builds one backend message (type byte, length, body). Both are plain
// values; neither touches a socket (pg_connection.cc does the I/O).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace custlake::serve {

/// The codes a startup packet may carry in place of a protocol version.
constexpr int32_t kProtocolV3 = 196608;  ///< 3.0
constexpr int32_t kSslRequestCode = 80877103;
constexpr int32_t kGssEncRequestCode = 80877104;
constexpr int32_t kCancelRequestCode = 80877102;

class MessageReader {
 public:
  explicit MessageReader(std::string_view body) : body_(body) {}

  bool ReadInt16(int16_t* out);
  bool ReadInt32(int32_t* out);
  /// A NUL-terminated string (the NUL is consumed, not returned).
  bool ReadCString(std::string* out);
  /// `n` raw bytes.
  bool ReadBytes(size_t n, std::string* out);
  size_t remaining() const { return body_.size() - pos_; }
  bool AtEnd() const { return pos_ == body_.size(); }

 private:
  std::string_view body_;
  size_t pos_ = 0;
};

class MessageWriter {
 public:
  /// A message of type `type` ('T', 'D', ...).
  explicit MessageWriter(char type);
  MessageWriter& Int16(int16_t v);
  MessageWriter& Int32(int32_t v);
  MessageWriter& CString(std::string_view s);
  MessageWriter& Bytes(std::string_view s);
  /// The whole message with its length filled in.
  std::string Finish() const;

 private:
  std::string buf_;
};

/// ErrorResponse ('E') or NoticeResponse ('N') with severity, SQLSTATE and message.
std::string ErrorMessage(const std::string& sqlstate, const std::string& message, char type = 'E',
                         const std::string& severity = "ERROR");
/// ParameterStatus ('S').
std::string ParameterStatusMessage(const std::string& name, const std::string& value);
/// CommandComplete ('C').
std::string CommandCompleteMessage(const std::string& tag);
/// ReadyForQuery ('Z'): status 'I' idle, 'T' in a transaction block.
std::string ReadyForQueryMessage(char status);

}  // namespace custlake::serve
