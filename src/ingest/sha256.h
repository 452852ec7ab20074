// SHA-256 of a file, hex: the same digest as lake::Sha256File, but through
// OpenSSL (SHA-NI / AVX2 code paths: several times faster than the lake's
// portable implementation), so checksumming landing files and the Parquet
// the ingester writes stays off the critical path.
#pragma once

#include <string>

#include "common/status.h"

namespace custlake::ingest {

/// Lower-case hex sha256 of the file's content.
Result<std::string> Sha256FileHex(const std::string& path);

}  // namespace custlake::ingest
