// Baseline for bench/run.sh: the smallest Boost.Beast HTTP/1.1 server with
// the same threading model as lotse::web::HttpServer (one io_context run by
// N threads, a strand per connection, async keep-alive). Whatever lotse
// costs beyond this is our own overhead.
//
//   build/bench/hello_world --port 18081 --threads 2
//   curl http://127.0.0.1:18081/     # Hello, world
//
// bench/capacity.sh also gives each request a fixed amount of work:
// --work-us N spends N microseconds of the thread's CPU time before
// answering (a page that costs N us, whatever the scheduler does meanwhile),
// --body-bytes B answers B bytes instead of the greeting. So it measures
// what latency a server with a given cost per request can have on this
// machine at a given number of connections.
//
// Listens on 127.0.0.1 only; stops on SIGINT/SIGTERM.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Work {
  std::int64_t cpu_us = 0;  // CPU time spent on each request
  std::string body = "Hello, world";
};

std::int64_t thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// Busy until this thread has run `us` microseconds more: time on the CPU,
// not on the clock, so a request preempted meanwhile still costs `us`.
void spend_cpu(std::int64_t us) {
  if (us <= 0) return;
  const std::int64_t until = thread_cpu_ns() + us * 1000;
  volatile std::uint64_t sink = 0;
  while (thread_cpu_ns() < until)
    for (int i = 0; i < 64; ++i) sink = sink + static_cast<std::uint64_t>(i);
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Work& work) : stream_(std::move(socket)), work_(work) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(
        stream_, buffer_, req_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return close();
    res_ = {};
    res_.version(req_.version());
    if (req_.method() == http::verb::get || req_.method() == http::verb::head) {
      spend_cpu(work_.cpu_us);
      res_.result(http::status::ok);
      res_.set(http::field::content_type, "text/plain; charset=utf-8");
      res_.body() = work_.body;
    } else {
      res_.result(http::status::method_not_allowed);
    }
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    if (req_.method() == http::verb::head) res_.body().clear();
    http::async_write(
        stream_, res_,
        [self = shared_from_this()](beast::error_code wec, std::size_t) { self->on_write(wec); });
  }

  void on_write(beast::error_code ec) {
    if (ec || !res_.keep_alive()) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  const Work& work_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

class Listener {
 public:
  Listener(asio::io_context& io, tcp::endpoint endpoint, const Work& work)
      : io_(io), acceptor_(asio::make_strand(io)), work_(work) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  void accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(s), work_)->start();
      accept();
    });
  }

  void close() {
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
  }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
  const Work& work_;
};

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--port P] [--threads N] [--work-us N] [--body-bytes B]\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 18081;
  int threads = 2;
  Work work;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--work-us") == 0 && i + 1 < argc) {
      work.cpu_us = std::atoll(argv[++i]);
      if (work.cpu_us < 0 || work.cpu_us > 1'000'000) return usage(argv[0]);
    } else if (std::strcmp(argv[i], "--body-bytes") == 0 && i + 1 < argc) {
      const long long n = std::atoll(argv[++i]);
      if (n < 1 || n > 10'000'000) return usage(argv[0]);
      work.body.assign(static_cast<std::size_t>(n), 'x');
    } else {
      return usage(argv[0]);
    }
  }
  if (port < 0 || port > 65535 || threads < 1) return usage(argv[0]);

  asio::io_context io(threads);
  Listener listener(
      io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
      work);
  listener.accept();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    listener.close();
    io.stop();
  });
  std::printf("hello_world listening on 127.0.0.1:%d with %d threads\n", port, threads);
  std::fflush(stdout);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
