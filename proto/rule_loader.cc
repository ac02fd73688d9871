// Format detection, file reading within limits, and the sequence parse ->
// validate that every entry point of the loader shares.

#include "proto/rule_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "proto/internal/binary_wire.h"
#include "proto/internal/load.h"
#include "proto/internal/strings.h"
#include "proto/internal/text_syntax.h"
#include "proto/internal/validator.h"

namespace faultcore {
namespace {

using ParseInfoTree = google::protobuf::TextFormat::ParseInfoTree;

// `code` with every error of `diagnostics` as the message.
absl::Status Failure(absl::StatusCode code,
                     const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> lines;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == Diagnostic::Severity::kError) {
      lines.push_back(diagnostic.ToString());
    }
  }
  return absl::Status(code, absl::StrJoin(lines, "\n"));
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == Diagnostic::Severity::kError) return true;
  }
  return false;
}

RuleFormat ResolveFormat(RuleFormat format, absl::string_view source_name,
                         absl::string_view data) {
  if (format != RuleFormat::kAuto) return format;
  const size_t slash = source_name.rfind('/');
  const absl::string_view base = slash == absl::string_view::npos
                                     ? source_name
                                     : source_name.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != absl::string_view::npos) {
    const std::string extension = absl::AsciiStrToLower(base.substr(dot + 1));
    if (extension == "txtpb" || extension == "textproto" ||
        extension == "pbtxt" || extension == "fc") {
      return RuleFormat::kText;
    }
    if (extension == "binpb" || extension == "pb") return RuleFormat::kBinary;
  }
  const bool text =
      internal::IsValidUtf8(data) && data.find('\0') == absl::string_view::npos;
  return text ? RuleFormat::kText : RuleFormat::kBinary;
}

// Closes a file descriptor when it goes out of scope.
// "a directory", "a FIFO", ...: what a non-regular file is, for errors.
const char* FileTypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "an unknown kind of file";
}

class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  ~FileCloser() { close(fd_); }

 private:
  const int fd_;
};

}  // namespace

namespace internal {

absl::Status ParseAndValidate(absl::string_view data, RuleFormat format,
                              absl::string_view source_name,
                              std::vector<Diagnostic>* out,
                              ParsedRuleSet* parsed) {
  out->clear();
  if (data.size() > kMaxRuleFileBytes) {
    out->push_back(FileDiagnostic(
        source_name, absl::StrFormat("rule data is %u bytes; the limit is %u "
                                     "bytes (256 MiB)",
                                     data.size(), kMaxRuleFileBytes)));
    return Failure(absl::StatusCode::kResourceExhausted, *out);
  }
  v1::RuleSet& set = parsed->set;
  parsed->format = ResolveFormat(format, source_name, data);
  if (parsed->format == RuleFormat::kText) {
    // A UTF-8 byte order mark is not part of the text format.
    absl::string_view text = data;
    absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
    parsed->text = std::make_unique<SourceText>(text);
    parsed->tree = std::make_unique<ParseInfoTree>();
    if (!ParseText(*parsed->text, source_name, &set, parsed->tree.get(), out)) {
      return Failure(absl::StatusCode::kInvalidArgument, *out);
    }
    std::vector<Diagnostic> found = ValidateParsedRuleSet(
        set, source_name, parsed->tree.get(), parsed->text.get());
    out->insert(out->end(), std::make_move_iterator(found.begin()),
                std::make_move_iterator(found.end()));
  } else {
    if (!ParseBinary(data, source_name, &set, out)) {
      return Failure(absl::StatusCode::kInvalidArgument, *out);
    }
    *out = ValidateParsedRuleSet(set, source_name, nullptr, nullptr);
  }
  if (HasErrors(*out)) return Failure(absl::StatusCode::kInvalidArgument, *out);
  return absl::OkStatus();
}

namespace {

bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

}  // namespace

absl::Status CheckRuleFileUnchanged(int fd, const struct stat& before,
                                    const std::string& data) {
  const absl::Status changed = absl::UnavailableError(
      "changed while it was read; nothing was loaded (write rule files "
      "atomically: write a new file, then rename it over this one)");
  struct stat after;
  if (fstat(fd, &after) != 0 || after.st_size != before.st_size ||
      static_cast<uint64_t>(after.st_size) != data.size() ||
      !SameTime(after.st_mtim, before.st_mtim)) {
    return changed;
  }
  char buffer[64 * 1024];
  size_t offset = 0;
  while (true) {
    const ssize_t n = pread(fd, buffer, sizeof(buffer), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "cannot read rule file");
    }
    if (n == 0) break;
    if (offset + static_cast<size_t>(n) > data.size() ||
        std::memcmp(buffer, data.data() + offset, n) != 0) {
      return changed;
    }
    offset += static_cast<size_t>(n);
  }
  return offset == data.size() ? absl::OkStatus() : changed;
}

absl::Status ReadRuleFile(const std::string& path, std::string* data,
                          std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> local;
  std::vector<Diagnostic>* out = diagnostics != nullptr ? diagnostics : &local;
  out->clear();
  auto fail = [&](absl::StatusCode code, std::string message) {
    out->push_back(FileDiagnostic(path, std::move(message)));
    return Failure(code, *out);
  };
  auto fail_errno = [&](int error, absl::string_view what) {
    const absl::Status status = absl::ErrnoToStatus(error, what);
    return fail(status.code(), std::string(status.message()));
  };

  if (path.empty()) {
    out->push_back(FileDiagnostic("\"\"", "the rule file's name is empty"));
    return Failure(absl::StatusCode::kInvalidArgument, *out);
  }
  // O_NONBLOCK: opening a FIFO without a writer would otherwise block (in
  // QEMU, the main loop); only regular files are read, so it never matters
  // for the reads below.
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return fail_errno(errno, "cannot open rule file");
  FileCloser closer(fd);
  struct stat info;
  if (fstat(fd, &info) != 0) return fail_errno(errno, "cannot stat rule file");
  if (!S_ISREG(info.st_mode)) {
    return fail(absl::StatusCode::kInvalidArgument,
                absl::StrCat("is ", FileTypeName(info.st_mode),
                             ", not a rule file (a rule file is a regular "
                             "file)"));
  }
  const auto too_big = [&](const std::string& size) {
    return fail(absl::StatusCode::kResourceExhausted,
                absl::StrFormat("rule file is %s bytes; the limit is %u bytes "
                                "(256 MiB)",
                                size, kMaxRuleFileBytes));
  };
  if (static_cast<uint64_t>(info.st_size) > kMaxRuleFileBytes) {
    return too_big(absl::StrCat(info.st_size));
  }

  data->clear();
  data->reserve(static_cast<size_t>(info.st_size));
  char buffer[64 * 1024];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errno, "cannot read rule file");
    }
    if (n == 0) break;
    if (data->size() + static_cast<size_t>(n) > kMaxRuleFileBytes) {
      return too_big(absl::StrCat("more than ", kMaxRuleFileBytes));
    }
    data->append(buffer, static_cast<size_t>(n));
  }
  // A file rewritten while it was read must not load as a mix of its
  // versions: it must be the same size, with the same modification time,
  // and the same bytes when read again.  (The time alone does not tell: it
  // changes at the kernel's clock tick, and several writes fit in one.  The
  // change time is no help either: it moves when a new file is renamed
  // over this one, which leaves the bytes read intact.)
  const absl::Status unchanged = CheckRuleFileUnchanged(fd, info, *data);
  if (!unchanged.ok()) {
    return fail(unchanged.code(), std::string(unchanged.message()));
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::StatusOr<v1::RuleSet> LoadRuleSet(absl::string_view data,
                                        RuleFormat format,
                                        absl::string_view source_name,
                                        std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> local;
  internal::ParsedRuleSet parsed;
  const absl::Status status = internal::ParseAndValidate(
      data, format, source_name, diagnostics != nullptr ? diagnostics : &local,
      &parsed);
  if (!status.ok()) return status;
  return std::move(parsed.set);
}

absl::StatusOr<v1::RuleSet> LoadRuleSetFile(
    const std::string& path, RuleFormat format,
    std::vector<Diagnostic>* diagnostics) {
  std::string data;
  const absl::Status read = internal::ReadRuleFile(path, &data, diagnostics);
  if (!read.ok()) return read;
  return LoadRuleSet(data, format, path, diagnostics);
}

}  // namespace faultcore
