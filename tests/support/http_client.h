// A small synchronous HTTP/1.1 client for tests, talking to 127.0.0.1.
//
//   auto r = lotse::testing::http_request(server.port(), "GET", "/api/v1/me", "",
//                                         {{"Authorization", "Bearer " + token}});
//   EXPECT_EQ(r.status, 200);
//   EXPECT_EQ(r.headers["Content-Type"], "application/json; charset=utf-8");
//
//   lotse::testing::HttpConnection conn(port);  // several requests, one connection
//   conn.request("GET", "/a");
//   conn.request("GET", "/b");
//
//   std::string raw = lotse::testing::raw_exchange(port, "GARBAGE\r\n\r\n", 500ms);
//
// Every operation gives up after a timeout (10 s by default) and throws
// std::runtime_error, so a hanging server fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lotse/web/http.h"

namespace lotse::testing {

struct HttpResult {
  int status = 0;
  // Repeated response headers are joined with ", " ("\n" for Set-Cookie).
  std::map<std::string, std::string, lotse::web::CaseInsensitiveLess> headers;
  // Every header line as received, in order.
  std::vector<std::pair<std::string, std::string>> all_headers;
  std::string body;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One request on a fresh connection. Host and Content-Length are added unless
// given. For HEAD the body is not read (Content-Length describes the GET body).
HttpResult http_request(std::uint16_t port, std::string method, std::string target,
                        std::string body = "", HeaderList headers = {});

// Sends `bytes` as they are and returns everything received until the server
// closes the connection or `timeout` passes.
std::string raw_exchange(std::uint16_t port, std::string bytes, std::chrono::milliseconds timeout);

// A keep-alive connection for several requests in a row.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  HttpResult request(std::string method, std::string target, std::string body = "",
                     HeaderList headers = {});
  // True if the server closes the connection within `wait` (no data expected).
  bool closed_by_server(std::chrono::milliseconds wait);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A raw TCP connection for timing tests (slow clients): send pieces, then see
// whether and when the server hangs up.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False if the write failed (e.g. the server has closed the connection).
  bool send(std::string_view bytes);
  // Reads until the server closes or `wait` passes; true if it closed.
  bool closed_by_server(std::chrono::milliseconds wait);
  // Everything received so far.
  const std::string& received() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lotse::testing
