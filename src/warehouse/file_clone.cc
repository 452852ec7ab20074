#include "warehouse/file_clone.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace custlake::warehouse {
namespace {

/// Closes a file descriptor at scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

/// copy_file_range cannot serve this pair of files at all (another
/// filesystem, an old kernel, a filesystem without support): fall back.
bool Unsupported(int e) { return e == EXDEV || e == ENOSYS || e == EOPNOTSUPP || e == EINVAL || e == EBADF; }

}  // namespace

Result<FileCopy> CloneOrCopyFile(const std::string& from, const std::string& to) {
  Fd in{::open(from.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return Errno("cannot open", from);
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) return Errno("cannot stat", from);
  Fd out{::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (out.fd < 0) return Errno("cannot create", to);
  FileCopy copy;
  copy.bytes = st.st_size;
  if (::ioctl(out.fd, FICLONE, in.fd) == 0) {
    copy.method = "reflink";
    return copy;
  }
  int64_t done = 0;
  copy.method = "copy_file_range";
  while (done < copy.bytes) {
    ssize_t n = ::copy_file_range(in.fd, nullptr, out.fd, nullptr, static_cast<size_t>(copy.bytes - done), 0);
    if (n < 0 && errno == EINTR) continue;
    // Nothing copied yet and no support (or 0 bytes, as some filesystems answer): read and write.
    if (done == 0 && (n == 0 || (n < 0 && Unsupported(errno)))) break;
    if (n < 0) return Errno("cannot copy " + from + " to", to);
    if (n == 0) return Status::IOError(from + " ended early while copying it to " + to);
    done += n;
  }
  if (done == copy.bytes) return copy;

  copy.method = "read_write";
  std::vector<char> buffer(size_t{4} << 20);
  for (;;) {
    ssize_t n = ::read(in.fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", from);
    if (n == 0) break;
    for (ssize_t written = 0; written < n;) {
      ssize_t w = ::write(out.fd, buffer.data() + written, static_cast<size_t>(n - written));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Errno("cannot write", to);
      written += w;
    }
  }
  return copy;
}

}  // namespace custlake::warehouse
