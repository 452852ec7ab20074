// How many terminal columns text takes, so that an aligned table keeps its
// borders straight when cells hold CJK text, emoji or combining marks.
//
// Like POSIX wcwidth() with East Asian Width: wide and fullwidth characters
// and emoji presented as pictures take 2 columns, combining marks and
// zero-width characters none, everything else 1. Terminals disagree on a few
// characters (emoji joined by ZWJ into one picture count per part here).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace custlake::cli {

/// Columns one code point takes (0, 1 or 2).
int CodePointWidth(char32_t c);

/// Columns UTF-8 text takes; a byte that is not valid UTF-8 counts as 1.
size_t DisplayWidth(std::string_view text);

/// `text` cut to at most `max_width` columns (max_width >= 1), ending in "…"
/// when it was cut; never splits a character.
std::string CutToWidth(std::string_view text, size_t max_width);

}  // namespace custlake::cli
