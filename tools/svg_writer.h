// A small SVG 1.1 writer: elements appended in order, attributes and text
// escaped, so any name from an input file gives well-formed XML.  No
// dependencies: the CLI's charts are a few hundred rectangles and labels.
//
// A plain value, not thread-safe.

#ifndef FAULTCORE_TOOLS_SVG_WRITER_H_
#define FAULTCORE_TOOLS_SVG_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace faultcore {
namespace cli {

// Text for XML content and attribute values: &, <, >, " and ' escaped;
// control characters XML 1.0 cannot hold become '?'; bytes from 0x80 up are
// written as character references, each byte read as Latin-1 (so the output
// is ASCII and well-formed whatever the input's encoding), as JsonString()
// does for JSON.
std::string XmlEscape(absl::string_view text);

// "#rrggbb" a fraction `t` (0..1) of the way from colour `from` to `to`
// (0xRRGGBB each).
std::string MixColour(uint32_t from, uint32_t to, double t);

class SvgWriter {
 public:
  SvgWriter(double width, double height, absl::string_view title);

  // `css_class` and `tooltip` (a <title> child) may be empty.
  void Rect(double x, double y, double width, double height,
            absl::string_view fill, absl::string_view css_class = "",
            absl::string_view tooltip = "");
  void Line(double x1, double y1, double x2, double y2,
            absl::string_view stroke = "#444");
  enum class Anchor { kStart, kMiddle, kEnd };
  // `rotate`: degrees, around (x, y).
  void Text(double x, double y, absl::string_view text,
            Anchor anchor = Anchor::kStart, double size = 12, double rotate = 0,
            absl::string_view css_class = "");

  // The whole document.
  std::string Finish() const;

 private:
  double width_;
  double height_;
  std::string body_;
};

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_SVG_WRITER_H_
