#include "tools/svg_writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace faultcore {
namespace cli {

std::string XmlEscape(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else if (c >= 0x7f) {
          absl::StrAppendFormat(&out, "&#x%X;", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string MixColour(uint32_t from, uint32_t to, double t) {
  if (!(t > 0)) t = 0;  // NaN too
  if (t > 1) t = 1;
  std::string out = "#";
  for (int shift = 16; shift >= 0; shift -= 8) {
    const double a = (from >> shift) & 0xff;
    const double b = (to >> shift) & 0xff;
    absl::StrAppendFormat(&out, "%02x",
                          static_cast<int>(a + (b - a) * t + 0.5));
  }
  return out;
}

namespace {

// Coordinates with at most two decimals, without trailing zeros.
std::string N(double v) {
  std::string s = absl::StrFormat("%.2f", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

}  // namespace

SvgWriter::SvgWriter(double width, double height, absl::string_view title)
    : width_(width), height_(height) {
  absl::StrAppend(&body_, "<title>", XmlEscape(title), "</title>\n");
  Rect(0, 0, width, height, "#ffffff");
}

void SvgWriter::Rect(double x, double y, double width, double height,
                     absl::string_view fill, absl::string_view css_class,
                     absl::string_view tooltip) {
  absl::StrAppend(&body_, "<rect x=\"", N(x), "\" y=\"", N(y), "\" width=\"",
                  N(width), "\" height=\"", N(height), "\" fill=\"",
                  XmlEscape(fill), "\"");
  if (!css_class.empty()) {
    absl::StrAppend(&body_, " class=\"", XmlEscape(css_class), "\"");
  }
  if (tooltip.empty()) {
    body_ += "/>\n";
  } else {
    absl::StrAppend(&body_, "><title>", XmlEscape(tooltip),
                    "</title></rect>\n");
  }
}

void SvgWriter::Line(double x1, double y1, double x2, double y2,
                     absl::string_view stroke) {
  absl::StrAppend(&body_, "<line x1=\"", N(x1), "\" y1=\"", N(y1), "\" x2=\"",
                  N(x2), "\" y2=\"", N(y2), "\" stroke=\"", XmlEscape(stroke),
                  "\"/>\n");
}

void SvgWriter::Text(double x, double y, absl::string_view text, Anchor anchor,
                     double size, double rotate, absl::string_view css_class) {
  const char* anchors[] = {"start", "middle", "end"};
  absl::StrAppend(&body_, "<text x=\"", N(x), "\" y=\"", N(y),
                  "\" font-size=\"", N(size), "\" text-anchor=\"",
                  anchors[static_cast<int>(anchor)], "\"");
  if (rotate != 0) {
    absl::StrAppend(&body_, " transform=\"rotate(", N(rotate), " ", N(x), " ",
                    N(y), ")\"");
  }
  if (!css_class.empty()) {
    absl::StrAppend(&body_, " class=\"", XmlEscape(css_class), "\"");
  }
  absl::StrAppend(&body_, ">", XmlEscape(text), "</text>\n");
}

std::string SvgWriter::Finish() const {
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"",
      N(width_), "\" height=\"", N(height_), "\" viewBox=\"0 0 ", N(width_),
      " ", N(height_), "\" font-family=\"sans-serif\">\n", body_, "</svg>\n");
}

}  // namespace cli
}  // namespace faultcore
