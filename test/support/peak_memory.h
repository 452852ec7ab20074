// This process's resident memory and its peak, for tests that memory stays
// bounded while data streams (Linux /proc).
#pragma once

#include <cstdint>

namespace custlake::testing {

/// Resident memory of this process, in bytes.
int64_t RssBytes();

/// Resets the kernel's peak resident set (VmHWM) to the current one
/// (clear_refs "5", Linux >= 4.0); false where that is not possible.
bool ResetPeakRss();

/// The peak resident set since the last ResetPeakRss (VmHWM), 0 if unknown.
int64_t PeakRssBytes();

}  // namespace custlake::testing
