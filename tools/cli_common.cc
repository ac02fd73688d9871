#include "tools/cli_common.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace faultcore {
namespace cli {

int UsageError(const Streams& io, absl::string_view command,
               absl::string_view message) {
  io.err << "faultcore" << (command.empty() ? "" : " ") << command << ": "
         << message << "\nTry 'faultcore" << (command.empty() ? "" : " ")
         << command << " --help' for more information.\n";
  return kExitUsage;
}

std::optional<Args> ParseOrExit(const std::vector<std::string>& argv,
                                const std::vector<OptionSpec>& specs,
                                absl::string_view command,
                                absl::string_view help, const Streams& io,
                                int* exit_status) {
  absl::StatusOr<Args> args = Args::Parse(argv, specs);
  if (!args.ok()) {
    *exit_status = UsageError(io, command, args.status().message());
    return std::nullopt;
  }
  if (args->help()) {
    io.out << help;
    *exit_status = kExitOk;
    return std::nullopt;
  }
  return *std::move(args);
}

absl::StatusOr<RuleFormat> InputFormat(const Args& args) {
  const std::optional<std::string> from = args.Value("from");
  if (!from.has_value()) return RuleFormat::kAuto;
  if (*from == "text") return RuleFormat::kText;
  if (*from == "binary") return RuleFormat::kBinary;
  return absl::InvalidArgumentError(absl::StrCat(
      "--from: \"", *from, "\" is not a format; use text or binary"));
}

namespace {

// Standard input, within the loader's size limit.
absl::Status ReadStdin(std::string* data, std::vector<Diagnostic>* out) {
  char buffer[64 * 1024];
  while (true) {
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      out->push_back(FileDiagnostic(
          "<stdin>", absl::StrCat("cannot read: ", std::strerror(errno))));
      return absl::ErrnoToStatus(errno, "cannot read standard input");
    }
    if (n == 0) return absl::OkStatus();
    if (data->size() + static_cast<size_t>(n) > kMaxRuleFileBytes) {
      out->push_back(FileDiagnostic(
          "<stdin>", absl::StrCat("rule data is more than ", kMaxRuleFileBytes,
                                  " bytes; the limit is ", kMaxRuleFileBytes,
                                  " bytes (256 MiB)")));
      return absl::ResourceExhaustedError("standard input is too large");
    }
    data->append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

bool LoadRules(const std::string& path, RuleFormat format,
               std::unique_ptr<RuleFile>* file,
               std::vector<Diagnostic>* diagnostics) {
  absl::StatusOr<std::unique_ptr<RuleFile>> loaded;
  if (path == "-") {
    diagnostics->clear();
    std::string data;
    if (!ReadStdin(&data, diagnostics).ok()) return false;
    loaded =
        LoadRuleFileFromBuffer(std::move(data), format, "<stdin>", diagnostics);
  } else {
    loaded = LoadRuleFile(path, format, diagnostics);
  }
  if (!loaded.ok()) return false;
  *file = *std::move(loaded);
  return true;
}

void PrintDiagnostics(std::ostream& out,
                      const std::vector<Diagnostic>& diagnostics,
                      const Diagnostic::Severity* severity) {
  for (const Diagnostic& d : diagnostics) {
    if (severity == nullptr || d.severity == *severity) {
      out << d.ToString() << "\n";
    }
  }
}

absl::Status WriteOutput(const std::string& path, absl::string_view data,
                         std::ostream& stdout_stream) {
  if (path == "-") {
    stdout_stream.write(data.data(), static_cast<std::streamsize>(data.size()));
    stdout_stream.flush();
    if (!stdout_stream) return absl::DataLossError("cannot write to stdout");
    return absl::OkStatus();
  }
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string temp =
      absl::StrCat(slash == std::string::npos ? "" : dir, ".faultcore-XXXXXX");
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("cannot create a file in ", dir));
  }
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      close(fd);
      unlink(temp.c_str());
      return absl::ErrnoToStatus(error, absl::StrCat("cannot write ", path));
    }
    written += static_cast<size_t>(n);
  }
  const int synced = fsync(fd) == 0 ? 0 : errno;
  const int closed = close(fd) == 0 ? 0 : errno;
  if (synced != 0 || closed != 0) {
    unlink(temp.c_str());
    return absl::ErrnoToStatus(synced != 0 ? synced : closed,
                               absl::StrCat("cannot write ", path));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    unlink(temp.c_str());
    return absl::ErrnoToStatus(error, absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace faultcore
