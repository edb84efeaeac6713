#include "support/http_client.h"

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <limits>
#include <stdexcept>

namespace lotse::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

constexpr milliseconds kDefaultTimeout{10'000};

// A socket on a private io_context. Each operation runs to completion or is
// cancelled by a timer; unlike beast::tcp_stream's timeout, cancelling keeps
// the socket open, so a connection can be probed again after a timeout.
struct Socket {
  explicit Socket(std::uint16_t p) : port(p) {}

  using Done = std::function<void(beast::error_code)>;

  beast::error_code run(const std::function<void(Done)>& start, milliseconds timeout,
                        bool* timed_out = nullptr) {
    asio::steady_timer timer(io, timeout);
    bool expired = false;
    beast::error_code result;
    timer.async_wait([&](beast::error_code ec) {
      if (ec) return;
      expired = true;
      beast::error_code ignored;
      socket.cancel(ignored);
    });
    start([&](beast::error_code ec) {
      result = ec;
      timer.cancel();
    });
    io.restart();
    io.run();
    if (timed_out != nullptr) *timed_out = expired;
    return result;
  }

  void connect() {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    auto ec = run([&](Done done) { socket.async_connect(endpoint, done); }, kDefaultTimeout);
    if (ec) {
      throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) +
                               " failed: " + ec.message());
    }
  }

  beast::error_code write(std::string_view bytes) {
    return run(
        [&](Done done) {
          asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()),
                            [done](beast::error_code ec, std::size_t) { done(ec); });
        },
        kDefaultTimeout);
  }

  // Appends what arrives to `out`; true if the server closed the connection
  // before `wait` passed.
  bool read_until_closed(milliseconds wait, std::string& out) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    std::array<char, 8192> chunk{};
    while (true) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      std::size_t n = 0;
      bool timed_out = false;
      auto ec = run(
          [&](Done done) {
            socket.async_read_some(asio::buffer(chunk),
                                   [&n, done](beast::error_code e, std::size_t k) {
                                     n = k;
                                     done(e);
                                   });
          },
          left, &timed_out);
      out.append(chunk.data(), n);
      if (timed_out) return false;
      if (ec) return true;  // EOF or reset
    }
  }

  HttpResult request(std::string method, std::string target, std::string body, HeaderList headers) {
    http::request<http::string_body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    for (auto& [name, value] : headers) req.insert(name, value);
    if (req.find(http::field::host) == req.end()) {
      req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    }
    const bool has_length = req.find(http::field::content_length) != req.end() ||
                            req.find(http::field::transfer_encoding) != req.end();
    if (!has_length &&
        (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")) {
      req.content_length(body.size());
    }
    req.body() = std::move(body);

    // A server may answer early (413) and stop reading; the response still
    // counts, so a failed write is only reported if no response arrives.
    auto write_ec = run(
        [&](Done done) {
          http::async_write(socket, req, [done](beast::error_code ec, std::size_t) { done(ec); });
        },
        kDefaultTimeout);

    http::response_parser<http::string_body> parser;
    parser.header_limit(1024 * 1024);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (method == "HEAD") parser.skip(true);
    bool timed_out = false;
    auto read_ec = run(
        [&](Done done) {
          http::async_read(socket, buffer, parser,
                           [done](beast::error_code ec, std::size_t) { done(ec); });
        },
        kDefaultTimeout, &timed_out);
    if (read_ec) {
      throw std::runtime_error(method + " " + target + ": no response (" +
                               (timed_out ? std::string("timeout") : read_ec.message()) +
                               (write_ec ? "; write: " + write_ec.message() : "") + ")");
    }
    auto& res = parser.get();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      out.all_headers.emplace_back(name, std::string(field.value()));
      auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
      if (!inserted) {
        it->second += field.name() == http::field::set_cookie ? "\n" : ", ";
        it->second += field.value();
      }
    }
    out.body = std::move(res.body());
    return out;
  }

  std::uint16_t port;
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;
};

}  // namespace

HttpResult http_request(std::uint16_t port, std::string method, std::string target,
                        std::string body, HeaderList headers) {
  Socket s(port);
  s.connect();
  return s.request(std::move(method), std::move(target), std::move(body), std::move(headers));
}

std::string raw_exchange(std::uint16_t port, std::string bytes, milliseconds timeout) {
  Socket s(port);
  s.connect();
  std::string out;
  s.write(bytes);  // on failure, whatever the server sent is still read
  s.read_until_closed(timeout, out);
  return out;
}

struct HttpConnection::Impl : Socket {
  using Socket::Socket;
};

HttpConnection::HttpConnection(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {
  impl_->connect();
}

HttpConnection::~HttpConnection() = default;

HttpResult HttpConnection::request(std::string method, std::string target, std::string body,
                                   HeaderList headers) {
  return impl_->request(std::move(method), std::move(target), std::move(body), std::move(headers));
}

bool HttpConnection::closed_by_server(milliseconds wait) {
  std::string ignored;
  return impl_->read_until_closed(wait, ignored);
}

struct RawConnection::Impl : Socket {
  using Socket::Socket;
  std::string received;
};

RawConnection::RawConnection(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {
  impl_->connect();
}

RawConnection::~RawConnection() = default;

bool RawConnection::send(std::string_view bytes) {
  return !impl_->write(bytes);
}

bool RawConnection::closed_by_server(milliseconds wait) {
  return impl_->read_until_closed(wait, impl_->received);
}

const std::string& RawConnection::received() const {
  return impl_->received;
}

}  // namespace lotse::testing
