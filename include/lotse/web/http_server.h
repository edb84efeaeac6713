// The HTTP/1.1 server on Boost.Beast. It owns sockets, limits, timeouts,
// request ids, security headers, the per-request JSON log line and graceful
// shutdown; what to answer is the Handler's business.
//
//   HttpServer server(options, [&](Request& r) { return router.dispatch(r); });
//   server.start();                  // binds; throws std::runtime_error on failure
//   std::cout << server.port();      // actual port (useful with port 0)
//   server.wait_for_signal();        // blocks until SIGTERM/SIGINT, then drains
//
// Thread safety: the handler is called concurrently from `threads` threads;
// it must be thread-safe. stop() may be called from any thread; requests in
// flight are finished (up to drain_timeout) before the server returns.
//
// What the server answers by itself (application/problem+json, then the
// connection is closed): malformed HTTP, an HTTP/1.1 request without Host or
// a NUL in the path -> 400; headers over max_header_bytes -> 431; a body over
// max_body_bytes -> 413; a handler that throws -> 500 with the request id only
// (the exception is logged to stderr). A request that does not arrive within
// read_timeout is dropped without an answer.
//
// Every response carries X-Request-Id (the client's, if it is 1-64 chars of
// [A-Za-z0-9_-], else 16 random hex digits; also in Request::request_id), a
// Date, and default security headers and "Cache-Control: no-store" unless the
// handler set the same header. Content-Length, Transfer-Encoding and
// Connection are always the server's. HEAD answers carry the GET headers
// (including Content-Length) and no body.
//
// Shutdown: stop() refuses new connections at once (the listening socket is
// shut down before stop() returns), closes idle keep-alive connections, and
// lets requests already being read or handled finish with
// "Connection: close". After drain_timeout the remaining connections are
// closed; a handler that is still running is waited for, since its thread
// cannot be interrupted. Destroying a running server does the same.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lotse/web/http.h"

namespace lotse::web {

using Handler = std::function<Response(Request&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  int threads = 4;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds read_timeout{15};   // whole request must arrive in this time
  std::chrono::seconds idle_timeout{60};   // keep-alive idle time
  std::chrono::seconds drain_timeout{10};  // graceful shutdown limit
  bool access_log = true;                  // one JSON line per request on stdout
  bool secure_cookies = false;             // informational; cookies set by handlers
  // Reverse proxies (IP addresses) whose X-Forwarded-For is believed for
  // Request::remote_address (see client_address() in http.h); start()
  // throws std::runtime_error for an entry that is no IP address.
  std::vector<std::string> trusted_proxies;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the worker threads; throws std::runtime_error if the
  // address cannot be bound.
  void start();
  std::uint16_t port() const;
  // Blocks until SIGINT/SIGTERM or stop(), then shuts down gracefully. The
  // signal handlers are installed only while it waits.
  void wait_for_signal();
  // Starts the shutdown and returns at once; wait_for_signal() (or the
  // destructor) completes it.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lotse::web
