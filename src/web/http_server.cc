// The only translation unit of the product that includes Boost.Beast/Asio:
// they are heavy to compile, and keeping them here keeps handlers cheap.
//
// Shape: one io_context run by `threads` threads; the acceptor and every
// connection (Session) run on their own strand, so a session's handlers never
// run concurrently. The application handler is called on the session's strand
// and may block (database calls); other sessions continue on other threads.
//
// Per connection, a request goes through these states:
//   kWaiting  - no byte of the next request yet (idle keep-alive; closed at
//               once on shutdown)
//   kReading  - bytes arrived: the whole request must arrive before a fixed
//               deadline (read_timeout), so dribbling bytes cannot extend it
//   kHandling - the handler runs
//   kWriting  - the response is written
//   kClosing  - the connection is being torn down
#include "lotse/web/http_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lotse/common/result.h"
#include "lotse/web/problem.h"

namespace lotse::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Added to every response unless the handler set the header itself.
constexpr std::pair<std::string_view, std::string_view> kDefaultHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
     "frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Permissions-Policy", "geolocation=(), camera=(), microphone=()"},
    {"Cache-Control", "no-store"},
};

constexpr std::size_t kFirstReadBytes = 4096;
// After an error response, unread request bytes are drained for this long
// before closing: closing with unread data sends a RST, which can destroy the
// error response before the client has read it.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;
constexpr std::size_t kMaxLoggedPath = 512;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char ca = a[i];
    char cb = b[i];
    if (ca >= 'A' && ca <= 'Z') ca = static_cast<char>(ca + ('a' - 'A'));
    if (cb >= 'A' && cb <= 'Z') cb = static_cast<char>(cb + ('a' - 'A'));
    if (ca != cb) return false;
  }
  return true;
}

std::string random_request_id() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  static constexpr char kDigits[] = "0123456789abcdef";
  std::uint64_t v = rng();
  std::string id(16, '0');
  for (char& c : id) {
    c = kDigits[v & 0xf];
    v >>= 4;
  }
  return id;
}

// A client-chosen id is echoed only if it cannot smuggle anything into logs
// or headers.
bool valid_client_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// A handler that copies user input into a header must not be able to inject
// further headers or a second response.
bool safe_header_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

template <typename Int>
void append_int(std::string& out, Int v, int width = 0) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out.push_back('0');
  out.append(buf, end);
}

// "2026-01-31T12:34:56.789Z". The date part is cached per thread and second,
// since gmtime_r is comparatively slow and this is on the hot path.
void append_timestamp(std::string& out) {
  struct Cache {
    std::time_t sec = -1;
    std::string prefix;  // up to and including the seconds
  };
  thread_local Cache cache;
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t sec = static_cast<std::time_t>(ms / 1000);
  if (sec != cache.sec) {
    std::tm tm{};
    gmtime_r(&sec, &tm);
    cache.prefix.clear();
    append_int(cache.prefix, tm.tm_year + 1900, 4);
    cache.prefix.push_back('-');
    append_int(cache.prefix, tm.tm_mon + 1, 2);
    cache.prefix.push_back('-');
    append_int(cache.prefix, tm.tm_mday, 2);
    cache.prefix.push_back('T');
    append_int(cache.prefix, tm.tm_hour, 2);
    cache.prefix.push_back(':');
    append_int(cache.prefix, tm.tm_min, 2);
    cache.prefix.push_back(':');
    append_int(cache.prefix, tm.tm_sec, 2);
    cache.sec = sec;
  }
  out += cache.prefix;
  out.push_back('.');
  append_int(out, ms % 1000, 3);
  out.push_back('Z');
}

// IMF-fixdate for the Date header, cached per thread and second. Formatted by
// hand because strftime's names depend on the locale.
const std::string& http_date() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_sec = -1;
  thread_local std::string cached;
  std::time_t sec = std::time(nullptr);
  if (sec != cached_sec) {
    std::tm tm{};
    gmtime_r(&sec, &tm);
    cached.clear();
    cached += kDays[tm.tm_wday];
    cached += ", ";
    append_int(cached, tm.tm_mday, 2);
    cached.push_back(' ');
    cached += kMonths[tm.tm_mon];
    cached.push_back(' ');
    append_int(cached, tm.tm_year + 1900, 4);
    cached.push_back(' ');
    append_int(cached, tm.tm_hour, 2);
    cached.push_back(':');
    append_int(cached, tm.tm_min, 2);
    cached.push_back(':');
    append_int(cached, tm.tm_sec, 2);
    cached += " GMT";
    cached_sec = sec;
  }
  return cached;
}

// One whole line per fwrite under a mutex, so concurrent lines never
// interleave; flushed so that logs reach a pipe promptly.
void write_line(std::FILE* f, const std::string& line) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fwrite(line.data(), 1, line.size(), f);
  std::fflush(f);
}

void log_error(std::string_view msg, std::string_view request_id, std::string_view detail) {
  std::string line;
  line.reserve(256);
  line += "{\"ts\":\"";
  append_timestamp(line);
  line += "\",\"level\":\"error\",\"msg\":";
  append_json_string(line, msg);
  if (!request_id.empty()) {
    line += ",\"request_id\":";
    append_json_string(line, request_id);
  }
  line += ",\"error\":";
  append_json_string(line, detail);
  line += "}\n";
  write_line(stderr, line);
}

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, tcp::socket socket);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // Both are posted to the session's strand by the server.
  void on_drain();
  void force_close();
  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class State { kWaiting, kReading, kHandling, kWriting, kClosing };

  void wait_for_request();
  void on_first_bytes(beast::error_code ec, std::size_t n);
  void read_request();
  // Feeds the bytes already in buffer_ to the parser; true once the header
  // (header_only) or the whole request is parsed. A parse error is left in
  // ec; too few bytes is not one.
  bool parse_buffered(bool header_only, beast::error_code& ec);
  void on_header(beast::error_code ec);
  void on_body(beast::error_code ec);
  void on_read_error(beast::error_code ec);
  void respond_error(int status, std::string_view detail);
  void handle_request();
  void send(Response response, bool head, bool keep_alive, unsigned version, bool linger);
  void on_write(beast::error_code ec);
  void linger();
  void on_linger_read(beast::error_code ec, std::size_t n);
  void close();
  void log_access() const;

  Server& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  State state_ = State::kWaiting;
  bool first_request_ = true;
  std::string remote_;  // the TCP peer
  std::string client_;  // per request: the client behind trusted proxies
  SteadyClock::time_point connected_at_;
  SteadyClock::time_point deadline_;
  // Per request, for the access log and connection handling.
  SteadyClock::time_point started_at_;
  std::string method_;
  std::string path_;
  std::string request_id_;
  int status_ = 0;
  std::size_t bytes_ = 0;
  bool keep_alive_ = false;
  bool linger_ = false;
  std::size_t lingered_bytes_ = 0;
  std::array<char, 4096> discard_{};
};

class Server {
 public:
  Server(ServerOptions options, Handler handler)
      : options_(canonical_proxies(std::move(options))), handler_(std::move(handler)) {}

  // Trusted proxies as canonical addresses; an entry that is no address is
  // kept as it is and refused by start().
  static ServerOptions canonical_proxies(ServerOptions o) {
    for (auto& proxy : o.trusted_proxies) proxy = canonical_ip(proxy).value_or(proxy);
    return o;
  }

  ~Server() {
    bool run_shutdown = false;
    {
      std::lock_guard lock(mu_);
      run_shutdown = started_ && !finished_;
    }
    if (run_shutdown) {
      stop();
      shutdown_and_join();
    }
  }

  void start();
  std::uint16_t port() const { return port_; }
  void wait_for_signal();
  void stop();

  const ServerOptions& options() const { return options_; }
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  Response call_handler(Request& request) { return handler_(request); }
  void remove_session(Session* s) {
    std::lock_guard lock(mu_);
    sessions_.erase(s);
    if (sessions_.empty()) cv_.notify_all();
  }

 private:
  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  std::vector<std::shared_ptr<Session>> live_sessions();
  void shutdown_and_join();

  const ServerOptions options_;
  const Handler handler_;

  // Declared before the io_context on purpose: destroying the io_context
  // destroys pending handlers and with them the last Session references, and
  // ~Session still needs the registry.
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  bool started_ = false;
  bool stop_requested_ = false;
  bool finished_ = false;
  std::atomic<bool> draining_{false};

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  asio::strand<asio::io_context::executor_type> accept_strand_{asio::make_strand(io_)};
  tcp::acceptor acceptor_{accept_strand_};
  asio::steady_timer accept_retry_{accept_strand_};
  std::optional<asio::signal_set> signals_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::mutex join_mu_;  // serialises shutdown_and_join()
};

// ---------------------------------------------------------------------------
// Server

void Server::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) throw std::logic_error("HttpServer::start() called twice");
  }
  // Compared as canonical text with the (canonical) peer address.
  for (const auto& proxy : options_.trusted_proxies)
    if (!canonical_ip(proxy) || *canonical_ip(proxy) != proxy)
      throw std::runtime_error("trusted proxy \"" + proxy + "\" is no IP address");
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    // A host name such as "localhost": bind to its first address.
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(options_.host, "", ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot resolve host '" + options_.host + "': " + ec.message());
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, options_.port);
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  listen_fd_ = acceptor_.native_handle();
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  work_.emplace(io_.get_executor());
  asio::post(accept_strand_, [this] { accept(); });
  const int n = options_.threads < 1 ? 1 : options_.threads;
  threads_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      // Everything a handler throws is caught in Session; what reaches here
      // is unexpected (e.g. bad_alloc). Keep the thread serving.
      while (true) {
        try {
          io_.run();
          return;
        } catch (const std::exception& e) {
          log_error("io thread caught exception", "", e.what());
        }
      }
    });
  }
}

void Server::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Server::on_accept(beast::error_code ec, tcp::socket socket) {
  if (draining() || !acceptor_.is_open()) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Typically EMFILE: back off briefly instead of spinning on the error.
    log_error("accept failed", "", ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !draining()) accept();
    });
    return;
  }
  auto session = std::make_shared<Session>(*this, std::move(socket));
  {
    std::lock_guard lock(mu_);
    sessions_.emplace(session.get(), session);
  }
  session->start();
  accept();
}

std::vector<std::shared_ptr<Session>> Server::live_sessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mu_);
  out.reserve(sessions_.size());
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Server::stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_requested_) return;
    stop_requested_ = true;
    cv_.notify_all();
    if (!started_) return;
  }
  draining_.store(true, std::memory_order_release);
  // Refuse new connections right now, from whatever thread we are on: the
  // acceptor object belongs to its strand, but shutdown(2) on the descriptor
  // is safe anywhere and makes the kernel reset new connection attempts. It
  // also wakes the pending accept, which then sees draining_.
  ::shutdown(listen_fd_, SHUT_RDWR);
  asio::post(accept_strand_, [this] {
    beast::error_code ec;
    accept_retry_.cancel();
    acceptor_.close(ec);
  });
  // The vector is destroyed outside mu_: it may hold the last reference to a
  // session, whose destructor takes mu_.
  for (auto& s : live_sessions()) {
    asio::post(s->executor(), [s] { s->on_drain(); });
  }
}

void Server::wait_for_signal() {
  {
    std::lock_guard lock(mu_);
    if (!started_) throw std::logic_error("HttpServer::wait_for_signal() before start()");
    if (!signals_ && !finished_) {
      signals_.emplace(io_, SIGINT, SIGTERM);
      signals_->async_wait([this](beast::error_code ec, int) {
        if (!ec) stop();
      });
    }
  }
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stop_requested_; });
  }
  shutdown_and_join();
}

void Server::shutdown_and_join() {
  std::lock_guard join_lock(join_mu_);
  {
    std::unique_lock lock(mu_);
    if (finished_) return;
    auto deadline = SteadyClock::now() + options_.drain_timeout;
    cv_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
  }
  // Whatever is still running after drain_timeout is cut off. A handler that
  // is blocked still finishes its call; its write then fails.
  for (auto& s : live_sessions()) {
    asio::post(s->executor(), [s] { s->force_close(); });
  }
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(1), [&] { return sessions_.empty(); });
  }
  work_.reset();
  io_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  std::lock_guard lock(mu_);
  signals_.reset();
  finished_ = true;
}

// ---------------------------------------------------------------------------
// Session

Session::Session(Server& server, tcp::socket socket)
    : server_(server), stream_(std::move(socket)), connected_at_(SteadyClock::now()) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec)
    remote_ = canonical_ip(endpoint.address().to_string()).value_or(endpoint.address().to_string());
  // Responses go out in one write; Nagle would only delay them.
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

Session::~Session() {
  server_.remove_session(this);
}

void Session::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
}

void Session::on_drain() {
  // Only connections without a request in progress are closed here; the
  // others finish their request and then close (keep_alive is off now).
  if (state_ == State::kWaiting || state_ == State::kClosing) close();
}

void Session::force_close() {
  close();
}

void Session::close() {
  state_ = State::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

void Session::wait_for_request() {
  if (server_.draining()) return close();
  if (buffer_.size() > 0) return read_request();  // pipelined request
  state_ = State::kWaiting;
  if (first_request_) {
    // A new connection gets read_timeout for its first request, counted from
    // accept(), including the wait for its first byte.
    deadline_ = connected_at_ + server_.options().read_timeout;
    stream_.expires_at(deadline_);
  } else {
    stream_.expires_after(server_.options().idle_timeout);
  }
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->on_first_bytes(ec, n);
                          });
}

void Session::on_first_bytes(beast::error_code ec, std::size_t n) {
  // EOF, idle timeout, or closed by on_drain(): nothing to answer.
  if (ec) return close();
  buffer_.commit(n);
  read_request();
}

void Session::read_request() {
  state_ = State::kReading;
  started_at_ = SteadyClock::now();
  if (!first_request_) deadline_ = started_at_ + server_.options().read_timeout;
  first_request_ = false;
  method_.clear();
  path_.clear();
  request_id_.clear();
  client_.clear();
  // One absolute deadline for the whole request: a slowloris client that
  // sends a byte now and then still runs out of time.
  stream_.expires_at(deadline_);
  parser_.emplace();
  const auto& opt = server_.options();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(opt.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(opt.max_body_bytes);
  // A GET usually arrives whole, in the bytes already read: parse it here and
  // answer in this turn. async_read_header would post its completion to the
  // back of the event queue, behind the requests of every other connection,
  // so that each request waited its turn twice and latency spread (measured
  // at 32 connections: p99 about twice the median).
  beast::error_code ec;
  if (parse_buffered(/*header_only=*/true, ec) || ec) return on_header(ec);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

bool Session::parse_buffered(bool header_only, beast::error_code& ec) {
  auto done = [&] { return header_only ? parser_->is_header_done() : parser_->is_done(); };
  while (!done() && buffer_.size() > 0) {
    const std::size_t n = parser_->put(buffer_.data(), ec);
    buffer_.consume(n);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || n == 0) break;
  }
  return !ec && done();
}

void Session::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  if (parser_->is_done()) return handle_request();
  auto& req = parser_->get();
  auto expect = req.find(http::field::expect);
  if (expect != req.end() && iequals(expect->value(), "100-continue")) {
    // The body fits (Content-Length was checked against body_limit with the
    // header), so tell the client to send it instead of making it wait.
    asio::async_write(stream_, asio::buffer(kContinue, sizeof kContinue - 1),
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec) return self->close();
                        http::async_read(
                            self->stream_, self->buffer_, *self->parser_,
                            [self](beast::error_code rec, std::size_t) { self->on_body(rec); });
                      });
    return;
  }
  // The body too, when it came with the header (a small form).
  if (parse_buffered(/*header_only=*/false, ec) || ec) return on_body(ec);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code rec, std::size_t) { self->on_body(rec); });
}

void Session::on_body(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  handle_request();
}

void Session::on_read_error(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    return respond_error(413, "Der Inhalt der Anfrage ist zu groß (höchstens " +
                                  std::to_string(server_.options().max_body_bytes) + " Bytes).");
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return respond_error(431, "Die Kopfzeilen der Anfrage sind zu groß.");
  }
  // Client went away, read_timeout expired (the stream is already closed)
  // or shutdown cut us off: nobody to answer.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec.category() != http::make_error_code(http::error::bad_method).category()) {
    return close();
  }
  respond_error(400, "Die Anfrage ist kein gültiges HTTP.");
}

void Session::respond_error(int status, std::string_view detail) {
  // What the parser saw of the request, for the log and the request id.
  const auto& req = parser_->get();
  method_ = std::string(req.method_string());
  std::string_view target = req.target();
  path_ = url_decode(target.substr(0, target.find('?')), false);
  auto rid = req.find("X-Request-Id");
  request_id_ = rid != req.end() && valid_client_request_id(rid->value())
                    ? std::string(rid->value())
                    : random_request_id();
  Response res =
      problem(status, std::string(reason_phrase(status)), std::string(detail), request_id_);
  send(std::move(res), /*head=*/false, /*keep_alive=*/false, 11, /*linger=*/true);
}

void Session::handle_request() {
  state_ = State::kHandling;
  auto& req = parser_->get();
  Request request;
  request.method = std::string(req.method_string());
  std::string_view target = req.target();
  // Absolute-form ("http://host/path") must be accepted by HTTP/1.1 servers;
  // reduce it to origin-form so that handlers see one shape.
  if (!target.empty() && target.front() != '/') {
    std::size_t scheme = target.find("://");
    if (scheme != std::string_view::npos && scheme > 0) {
      std::size_t slash = target.find('/', scheme + 3);
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
  }
  request.target = std::string(target);
  std::size_t q = target.find('?');
  request.path = url_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) request.query = parse_query(target.substr(q + 1));
  method_ = request.method;
  path_ = request.path;

  auto rid = req.find("X-Request-Id");
  request_id_ = rid != req.end() && valid_client_request_id(rid->value())
                    ? std::string(rid->value())
                    : random_request_id();

  // RFC 9112: an HTTP/1.1 request without Host is answered with 400. A NUL in
  // the decoded path would truncate it in any C API further down.
  if (target.empty() || target.front() != '/' || request.path.find('\0') != std::string::npos ||
      (req.version() >= 11 && req.find(http::field::host) == req.end())) {
    Response res = problem(400, "Bad Request", "Die Anfrage ist kein gültiges HTTP.", request_id_);
    return send(std::move(res), false, false, req.version(), /*linger=*/true);
  }

  for (const auto& field : req) {
    std::string name(field.name_string());
    auto [it, inserted] = request.headers.emplace(name, std::string(field.value()));
    if (!inserted) {
      // Repeated fields are one comma-separated list, except Cookie.
      it->second += iequals(name, "Cookie") ? "; " : ", ";
      it->second += field.value();
    }
  }
  request.body = std::move(req.body());
  auto forwarded = request.headers.find("X-Forwarded-For");
  client_ = client_address(
      remote_, forwarded == request.headers.end() ? std::string_view() : forwarded->second,
      server_.options().trusted_proxies);
  request.remote_address = client_;
  request.request_id = request_id_;

  Response res;
  try {
    res = server_.call_handler(request);
  } catch (const std::exception& e) {
    log_error("handler threw", request_id_, e.what());
    res = problem_from_error(lotse::Error::internal(""), request_id_);
  } catch (...) {
    log_error("handler threw", request_id_, "non-standard exception");
    res = problem_from_error(lotse::Error::internal(""), request_id_);
  }
  const bool keep_alive = req.keep_alive() && !server_.draining();
  send(std::move(res), request.method == "HEAD", keep_alive, req.version(), /*linger=*/false);
}

void Session::send(Response res, bool head, bool keep_alive, unsigned version, bool linger) {
  int status = res.status;
  if (status < 200 || status > 599) {
    // 1xx would break the exchange (the client waits for a final status).
    log_error("handler returned an invalid status", request_id_, std::to_string(status));
    res = problem_from_error(lotse::Error::internal(""), request_id_);
    status = res.status;
  }
  response_ = {};
  response_.version(version == 10 ? 10 : 11);
  response_.result(static_cast<unsigned>(status));
  for (auto& [name, value] : res.headers) {
    if (!is_token(name) || !safe_header_value(value)) {
      log_error("handler set an invalid header; dropped", request_id_, name);
      continue;
    }
    response_.insert(name, value);
  }
  // Framing and connection management are the server's business.
  response_.erase(http::field::content_length);
  response_.erase(http::field::transfer_encoding);
  response_.erase(http::field::connection);
  response_.erase(http::field::keep_alive);
  response_.set("X-Request-Id", request_id_);
  for (const auto& [name, value] : kDefaultHeaders) {
    if (response_.find(name) == response_.end()) response_.set(name, value);
  }
  response_.set(http::field::date, http_date());

  const bool bodyless = status == 204 || status == 304;
  if (bodyless) {
    bytes_ = 0;
  } else if (head) {
    // Same headers as GET, including the length the body would have.
    response_.content_length(res.body.size());
    bytes_ = 0;
  } else {
    bytes_ = res.body.size();
    response_.body() = std::move(res.body);
    response_.content_length(bytes_);
  }
  response_.keep_alive(keep_alive);
  keep_alive_ = keep_alive;
  linger_ = linger;
  status_ = status;

  state_ = State::kWriting;
  // Slow readers get as long as slow writers; both hold a connection.
  stream_.expires_after(
      std::max<std::chrono::seconds>(server_.options().read_timeout, std::chrono::seconds(30)));
  http::async_write(
      stream_, response_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void Session::on_write(beast::error_code ec) {
  if (server_.options().access_log) log_access();
  response_ = {};  // release the body before the connection idles
  if (ec) return close();
  if (keep_alive_) return wait_for_request();
  if (linger_) return linger();
  close();
}

void Session::linger() {
  state_ = State::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(kLingerTime);
  // Whatever is left in buffer_ was read already; keep reading until the
  // client closes, the limit is reached or the timer fires.
  stream_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](beast::error_code rec, std::size_t n) {
                            self->on_linger_read(rec, n);
                          });
}

void Session::on_linger_read(beast::error_code ec, std::size_t n) {
  lingered_bytes_ += n;
  if (ec || lingered_bytes_ > kLingerMaxBytes || server_.draining()) return close();
  stream_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](beast::error_code rec, std::size_t m) {
                            self->on_linger_read(rec, m);
                          });
}

void Session::log_access() const {
  std::string line;
  line.reserve(256);
  line += "{\"ts\":\"";
  append_timestamp(line);
  line += "\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":";
  append_json_string(line, request_id_);
  line += ",\"method\":";
  append_json_string(line, method_.empty() ? std::string_view("-") : std::string_view(method_));
  line += ",\"path\":";
  // Only the path: query strings can carry personal data.
  append_json_string(line, std::string_view(path_).substr(0, kMaxLoggedPath));
  line += ",\"status\":";
  append_int(line, status_);
  line += ",\"bytes\":";
  append_int(line, bytes_);
  line += ",\"duration_ms\":";
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started_at_)
                .count();
  append_int(line, us / 1000);
  line.push_back('.');
  append_int(line, us % 1000, 3);
  line += ",\"remote\":";
  append_json_string(line, remote_);
  if (!client_.empty() && client_ != remote_) {
    line += ",\"client\":";
    append_json_string(line, client_);
  }
  line += "}\n";
  write_line(stdout, line);
}

}  // namespace

// ---------------------------------------------------------------------------
// HttpServer

struct HttpServer::Impl {
  Impl(ServerOptions options, Handler handler) : server(std::move(options), std::move(handler)) {}
  Server server;
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  impl_->server.start();
}

std::uint16_t HttpServer::port() const {
  return impl_->server.port();
}

void HttpServer::wait_for_signal() {
  impl_->server.wait_for_signal();
}

void HttpServer::stop() {
  impl_->server.stop();
}

}  // namespace lotse::web
