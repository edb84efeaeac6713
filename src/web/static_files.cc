#include "lotse/web/static_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

namespace lotse::web {
namespace {

namespace fs = std::filesystem;

// Per-file and total limits for the in-memory cache: the assets (CSS, fonts,
// icons) are small, and a large file should not pin memory forever.
constexpr std::uintmax_t kMaxCachedFileBytes = 1024 * 1024;
constexpr std::uintmax_t kMaxCachedTotalBytes = 64 * 1024 * 1024;

struct Mount {
  std::string prefix;  // without trailing '/', "" for a mount at "/"
  fs::path root;       // canonical where possible
};

struct CachedFile {
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string content;
};

// A URL sub-path is acceptable if every segment is a plain name: no empty
// segments, no "." / ".." / dotfiles, no backslashes or NULs.
bool safe_relative(std::string_view rel) {
  if (rel.empty()) return false;
  while (true) {
    std::size_t slash = rel.find('/');
    std::string_view seg = rel.substr(0, slash);
    if (seg.empty() || seg.front() == '.') return false;
    if (seg.find('\\') != std::string_view::npos || seg.find('\0') != std::string_view::npos) {
      return false;
    }
    if (slash == std::string_view::npos) return true;
    rel.remove_prefix(slash + 1);
  }
}

// True if `p` lies strictly inside `root` and no component below root is a
// dotfile (a symlink may point at one).
bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  if (q == p.end()) return false;
  for (; q != p.end(); ++q) {
    const std::string name = q->string();
    if (name.empty() || name.front() == '.') return false;
  }
  return true;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    std::size_t comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    if_none_match =
        comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    // If-None-Match uses weak comparison (RFC 9110 13.1.2).
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

void append_hex(std::string& out, std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char buf[16];
  int n = 0;
  do {
    buf[n++] = kDigits[v & 0xf];
    v >>= 4;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

}  // namespace

struct StaticFiles::Impl {
  std::vector<Mount> mounts;  // longest prefix first
  mutable std::shared_mutex mu;
  mutable std::unordered_map<std::string, CachedFile> cache;
  mutable std::uintmax_t cached_bytes = 0;

  // The file's content, from the cache when size and mtime still match.
  std::optional<std::string> read(const fs::path& file, std::uintmax_t size,
                                  std::int64_t mtime_ns) const {
    const std::string key = file.string();
    {
      std::shared_lock lock(mu);
      auto it = cache.find(key);
      if (it != cache.end() && it->second.size == size && it->second.mtime_ns == mtime_ns) {
        return it->second.content;
      }
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The file may change between stat() and read; a short read is served
    // but not cached, so the next request tries again.
    if (content.size() == size && size <= kMaxCachedFileBytes) {
      std::unique_lock lock(mu);
      auto it = cache.find(key);
      if (it != cache.end()) cached_bytes -= it->second.content.size();
      if (cached_bytes + size <= kMaxCachedTotalBytes) {
        cache[key] = CachedFile{size, mtime_ns, content};
        cached_bytes += size;
      } else if (it != cache.end()) {
        cache.erase(it);
      }
    }
    return content;
  }
};

StaticFiles::StaticFiles(std::vector<std::pair<std::string, std::string>> mounts)
    : impl_(std::make_unique<Impl>()) {
  for (auto& [prefix, dir] : mounts) {
    Mount m;
    m.prefix = std::move(prefix);
    while (!m.prefix.empty() && m.prefix.back() == '/') m.prefix.pop_back();
    std::error_code ec;
    m.root = fs::canonical(dir, ec);
    // A missing directory serves nothing (canonical() of its files fails).
    if (ec) m.root = fs::path(dir).lexically_normal();
    impl_->mounts.push_back(std::move(m));
  }
  std::stable_sort(impl_->mounts.begin(), impl_->mounts.end(), [](const Mount& a, const Mount& b) {
    return a.prefix.size() > b.prefix.size();
  });
}

StaticFiles::~StaticFiles() = default;

std::string StaticFiles::content_type_for(std::string_view ext) {
  static const std::unordered_map<std::string_view, std::string_view> kTypes = {
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"ttf", "font/ttf"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"html", "text/html; charset=utf-8"},
  };
  std::string lower(ext);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  auto it = kTypes.find(lower);
  return std::string(it == kTypes.end() ? "application/octet-stream" : it->second);
}

std::optional<Response> StaticFiles::serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  const std::string& path = request.path;
  bool under_mount = false;
  for (const Mount& m : impl_->mounts) {
    if (path.size() <= m.prefix.size() + 1 || path.compare(0, m.prefix.size(), m.prefix) != 0 ||
        path[m.prefix.size()] != '/') {
      continue;
    }
    under_mount = true;
    std::string_view rel = std::string_view(path).substr(m.prefix.size() + 1);
    if (!safe_relative(rel)) break;

    std::error_code ec;
    fs::path file = fs::canonical(m.root / fs::path(rel), ec);
    if (ec || !inside(m.root, file)) continue;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const auto size = static_cast<std::uintmax_t>(st.st_size);
    const std::int64_t mtime_ns =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    std::string etag = "\"";
    append_hex(etag, size);
    etag.push_back('-');
    append_hex(etag, static_cast<std::uint64_t>(mtime_ns));
    etag.push_back('"');

    Response res;
    res.headers.emplace_back("ETag", etag);
    res.headers.emplace_back("Cache-Control", "public, max-age=3600");
    if (auto inm = request.header("If-None-Match"); inm && etag_matches(*inm, etag)) {
      res.status = 304;
      return res;
    }
    std::optional<std::string> content = impl_->read(file, size, mtime_ns);
    if (!content) continue;
    std::string ext = file.extension().string();
    if (!ext.empty()) ext.erase(0, 1);
    res.status = 200;
    res.headers.emplace_back("Content-Type", content_type_for(ext));
    res.body = std::move(*content);
    return res;
  }
  if (!under_mount) return std::nullopt;
  return Response::text(404, "Not Found\n");
}

}  // namespace lotse::web
