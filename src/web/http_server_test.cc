#include "lotse/web/http_server.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <csignal>
#include <future>
#include <regex>
#include <thread>

#include "lotse/web/router.h"
#include "support/http_client.h"

namespace lotse::web {
namespace {

using lotse::testing::http_request;
using lotse::testing::HttpConnection;
using lotse::testing::raw_exchange;
using lotse::testing::RawConnection;
using namespace std::chrono_literals;

// A server on an ephemeral port with wait_for_signal() on its own thread, as
// in production; stopped and joined on destruction.
class TestServer {
 public:
  TestServer(ServerOptions options, Handler handler)
      : server_(options_for(options), std::move(handler)) {
    server_.start();
    waiter_ = std::thread([this] { server_.wait_for_signal(); });
  }
  ~TestServer() {
    server_.stop();
    join();
  }
  std::uint16_t port() const { return server_.port(); }
  void stop() { server_.stop(); }
  // Returns once wait_for_signal() has returned (all requests finished).
  void join() {
    if (waiter_.joinable()) waiter_.join();
  }
  HttpServer& server() { return server_; }

 private:
  static ServerOptions options_for(ServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    return o;
  }
  HttpServer server_;
  std::thread waiter_;
};

ServerOptions small_limits() {
  ServerOptions o;
  o.threads = 2;
  o.max_header_bytes = 2048;
  o.max_body_bytes = 1024;
  o.read_timeout = std::chrono::seconds(5);
  o.idle_timeout = std::chrono::seconds(5);
  o.drain_timeout = std::chrono::seconds(5);
  o.access_log = false;
  return o;
}

Router test_routes() {
  Router router;
  router.add("GET", "/hello", [](Request&) { return Response::text(200, "hello"); });
  router.add("POST", "/echo", [](Request& r) { return Response::text(200, r.body); });
  router.add("GET", "/rid", [](Request& r) { return Response::text(200, r.request_id); });
  router.add("GET", "/throw", [](Request&) -> Response {
    throw std::runtime_error("secret internal detail: /var/lib/lotse/db");
  });
  router.add("GET", "/own-headers", [](Request&) {
    Response r = Response::text(200, "own");
    r.set_header("Cache-Control", "public, max-age=60");
    r.set_header("X-Frame-Options", "SAMEORIGIN");
    return r;
  });
  router.add("GET", "/inject", [](Request&) {
    Response r = Response::text(200, "ok");
    r.set_header("X-Name", "a\r\nSet-Cookie: evil=1");
    r.add_header("Set-Cookie", "good=1; Path=/");
    r.add_header("Set-Cookie", "also=2; Path=/");
    return r;
  });
  router.add("GET", "/users/{id}", [](Request& r) {
    return Response::text(200, r.path_params.at("id") + "|" + r.query_param("q").value_or(""));
  });
  return router;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_ = test_routes();
    server_ = std::make_unique<TestServer>(small_limits(),
                                           [this](Request& r) { return router_.dispatch(r); });
  }
  void TearDown() override { server_.reset(); }
  std::uint16_t port() const { return server_->port(); }

  Router router_;
  std::unique_ptr<TestServer> server_;
};

bool is_hex16(const std::string& s) {
  return std::regex_match(s, std::regex("[0-9a-f]{16}"));
}

TEST_F(HttpServerTest, AnswersWithSecurityHeaders) {
  auto r = http_request(port(), "GET", "/hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.headers["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_EQ(r.headers["Content-Length"], "5");
  EXPECT_EQ(r.headers["Content-Security-Policy"],
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'");
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r.headers["Referrer-Policy"], "same-origin");
  EXPECT_EQ(r.headers["X-Frame-Options"], "DENY");
  EXPECT_EQ(r.headers["Cross-Origin-Opener-Policy"], "same-origin");
  EXPECT_EQ(r.headers["Permissions-Policy"], "geolocation=(), camera=(), microphone=()");
  EXPECT_EQ(r.headers["Cache-Control"], "no-store");
  EXPECT_TRUE(r.headers.count("Date"));
  EXPECT_TRUE(is_hex16(r.headers["X-Request-Id"])) << r.headers["X-Request-Id"];
}

TEST_F(HttpServerTest, HandlerHeadersWinOverDefaults) {
  auto r = http_request(port(), "GET", "/own-headers");
  EXPECT_EQ(r.headers["Cache-Control"], "public, max-age=60");
  EXPECT_EQ(r.headers["X-Frame-Options"], "SAMEORIGIN");
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
}

TEST_F(HttpServerTest, InvalidHeaderValuesAreDroppedAndCookiesRepeat) {
  auto r = http_request(port(), "GET", "/inject");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.count("X-Name"));
  EXPECT_EQ(r.headers["Set-Cookie"], "good=1; Path=/\nalso=2; Path=/");
  int cookies = 0;
  for (const auto& [name, value] : r.all_headers) cookies += name == "Set-Cookie";
  EXPECT_EQ(cookies, 2);
}

TEST_F(HttpServerTest, RequestIdIsEchoedOrGenerated) {
  auto r = http_request(port(), "GET", "/rid", "", {{"X-Request-Id", "abc-DEF_123"}});
  EXPECT_EQ(r.headers["X-Request-Id"], "abc-DEF_123");
  EXPECT_EQ(r.body, "abc-DEF_123");

  for (std::string bad : {std::string("bad id!"), std::string(65, 'a'), std::string("x\"y")}) {
    r = http_request(port(), "GET", "/rid", "", {{"X-Request-Id", bad}});
    EXPECT_TRUE(is_hex16(r.headers["X-Request-Id"])) << bad;
    EXPECT_EQ(r.body, r.headers["X-Request-Id"]);
  }
  auto a = http_request(port(), "GET", "/rid");
  auto b = http_request(port(), "GET", "/rid");
  EXPECT_TRUE(is_hex16(a.body));
  EXPECT_NE(a.body, b.body);
}

TEST_F(HttpServerTest, PathParametersAndQueryReachTheHandler) {
  auto r = http_request(port(), "GET", "/users/J%C3%BCrgen%20K?q=a+b%26c");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "J\xC3\xBCrgen K|a b&c");
  EXPECT_EQ(http_request(port(), "GET", "/nope").status, 404);
  auto m = http_request(port(), "DELETE", "/hello");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.headers["Allow"], "GET, HEAD");
}

TEST_F(HttpServerTest, BodyWithinLimitIsDelivered) {
  std::string body(1024, 'x');
  auto r = http_request(port(), "POST", "/echo", body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);
}

TEST_F(HttpServerTest, BodyOverLimitIs413Problem) {
  auto r =
      http_request(port(), "POST", "/echo", std::string(1025, 'x'), {{"X-Request-Id", "big-1"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
  EXPECT_EQ(r.headers["Connection"], "close");
  auto j = boost::json::parse(r.body).as_object();
  EXPECT_EQ(j.at("type").as_string(), "about:blank");
  EXPECT_EQ(j.at("title").as_string(), "Payload Too Large");
  EXPECT_EQ(j.at("status").as_int64(), 413);
  EXPECT_FALSE(j.at("detail").as_string().empty());
  EXPECT_EQ(j.at("request_id").as_string(), "big-1");
  EXPECT_EQ(r.headers["X-Request-Id"], "big-1");
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  std::string chunk(800, 'y');
  std::string req =
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "320\r\n" +
      chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n";
  std::string out = raw_exchange(port(), req, 2000ms);
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
}

TEST_F(HttpServerTest, HeadersOverLimitAre431) {
  auto r = http_request(port(), "GET", "/hello", "", {{"X-Big", std::string(4000, 'h')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
  EXPECT_EQ(boost::json::parse(r.body).at("status").as_int64(), 431);
}

TEST_F(HttpServerTest, MalformedRequestsAre400) {
  for (std::string bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /hello HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n"),
        std::string("GET /hello HTTP/1.1\r\n\r\n"),  // no Host
        std::string("GET hello HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n"),
        // Request smuggling shapes.
        std::string("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        std::string("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                    "Content-Length: 4\r\n\r\nabcd")}) {
    std::string out = raw_exchange(port(), bad, 2000ms);
    EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << bad << " -> " << out;
    EXPECT_NE(out.find("application/problem+json"), std::string::npos) << bad;
  }
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithoutInternals) {
  auto r = http_request(port(), "GET", "/throw", "", {{"X-Request-Id", "boom-7"}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(r.body.find("/var/lib"), std::string::npos);
  auto j = boost::json::parse(r.body).as_object();
  EXPECT_EQ(j.at("status").as_int64(), 500);
  EXPECT_EQ(j.at("request_id").as_string(), "boom-7");
  EXPECT_EQ(j.at("detail").as_string(), "Interner Fehler");
  // The connection survives a failing handler.
  EXPECT_EQ(http_request(port(), "GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  HttpConnection conn(port());
  auto a = conn.request("GET", "/hello");
  auto b = conn.request("POST", "/echo", "second");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.body, "second");
  EXPECT_FALSE(a.headers.count("Connection"));
  EXPECT_NE(a.headers["X-Request-Id"], b.headers["X-Request-Id"]);
  EXPECT_FALSE(conn.closed_by_server(50ms));
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  std::string out = raw_exchange(port(),
                                 "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                                 "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                                 "Connection: close\r\n\r\nabc",
                                 2000ms);
  auto first = out.find("HTTP/1.1 200 OK");
  auto second = out.find("HTTP/1.1 200 OK", first + 1);
  ASSERT_NE(second, std::string::npos) << out;
  EXPECT_NE(out.find("hello", first), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 3), "abc");
}

// A request is parsed from the bytes at hand when it came whole, and read on
// when it did not: a header cut in two, then a body sent after the header.
TEST_F(HttpServerTest, RequestsInPiecesAreAnsweredLikeWholeOnes) {
  RawConnection conn(port());
  ASSERT_TRUE(conn.send("POST /echo HTTP/1.1\r\nHo"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(conn.send("st: t\r\nContent-Length: 6\r\n\r\n"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(conn.send("pie"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(conn.send("ces"));
  std::this_thread::sleep_for(50ms);
  // Header and body in one piece, on the same connection.
  ASSERT_TRUE(
      conn.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                "Connection: close\r\n\r\nwhole"));
  EXPECT_TRUE(conn.closed_by_server(2000ms));
  const std::string& out = conn.received();
  const auto first = out.find("HTTP/1.1 200 OK");
  const auto second = out.find("HTTP/1.1 200 OK", first + 1);
  ASSERT_NE(second, std::string::npos) << out;
  EXPECT_NE(out.substr(first, second - first).find("\r\n\r\npieces"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 5), "whole");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  std::string out =
      raw_exchange(port(), "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 2000ms);
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 5), "hello");
}

TEST_F(HttpServerTest, HeadHasHeadersButNoBody) {
  auto r = http_request(port(), "HEAD", "/hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Content-Length"], "5");
  EXPECT_EQ(r.headers["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_TRUE(r.body.empty());
  // On the wire: nothing after the header block.
  std::string out =
      raw_exchange(port(), "HEAD /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 2000ms);
  ASSERT_GE(out.size(), 4u);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  RawConnection conn(port());
  ASSERT_TRUE(conn.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_FALSE(conn.closed_by_server(100ms));
  EXPECT_EQ(conn.received(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(conn.send("body"));
  conn.closed_by_server(100ms);
  EXPECT_NE(conn.received().find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_EQ(conn.received().substr(conn.received().size() - 4), "body");
}

// Both timeouts in one test, running side by side, to pay the one second once.
TEST(HttpServerTimeoutTest, SlowlorisAndIdleConnectionsAreCutOff) {
  ServerOptions o = small_limits();
  o.read_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(1);
  Router router = test_routes();
  TestServer server(o, [&](Request& r) { return router.dispatch(r); });

  HttpConnection idle(server.port());
  ASSERT_EQ(idle.request("GET", "/hello").status, 200);

  RawConnection conn(server.port());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(conn.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
  // One header line every 150 ms keeps every single read short; only a
  // deadline for the whole request stops this.
  bool closed = false;
  for (int i = 0; i < 20 && !closed; ++i) {
    conn.send("X-Drip-" + std::to_string(i) + ": 1\r\n");
    closed = conn.closed_by_server(150ms);
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 1800ms);
  EXPECT_TRUE(conn.received().empty()) << conn.received();

  // The idle keep-alive connection has been closed by now (or is about to).
  EXPECT_TRUE(idle.closed_by_server(500ms));
}

TEST(HttpServerShutdownTest, InFlightRequestFinishesAndNewConnectionsAreRefused) {
  std::promise<void> entered;
  auto entered_future = entered.get_future();
  Router router = test_routes();
  router.add("GET", "/slow", [&](Request&) {
    entered.set_value();
    std::this_thread::sleep_for(300ms);
    return Response::text(200, "slow done");
  });
  ServerOptions o = small_limits();
  TestServer server(o, [&](Request& r) { return router.dispatch(r); });
  const auto port = server.port();

  HttpConnection idle(port);  // keep-alive connection without a request in flight
  ASSERT_EQ(idle.request("GET", "/hello").status, 200);

  auto slow = std::async(std::launch::async, [port] { return http_request(port, "GET", "/slow"); });
  ASSERT_EQ(entered_future.wait_for(5s), std::future_status::ready);
  auto stop_at = std::chrono::steady_clock::now();
  server.stop();

  EXPECT_THROW(http_request(port, "GET", "/hello"), std::runtime_error);
  EXPECT_TRUE(idle.closed_by_server(1000ms));

  auto res = slow.get();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "slow done");
  EXPECT_EQ(res.headers["Connection"], "close");
  server.join();
  // wait_for_signal() returned once the slow request was done, not after
  // drain_timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 2s);
  EXPECT_THROW(http_request(port, "GET", "/hello"), std::runtime_error);
}

TEST(HttpServerShutdownTest, RefusesAtOnceEvenWhenAllThreadsAreBusy) {
  std::promise<void> entered;
  auto entered_future = entered.get_future();
  Router router = test_routes();
  router.add("GET", "/slow", [&](Request&) {
    entered.set_value();
    std::this_thread::sleep_for(300ms);
    return Response::text(200, "slow done");
  });
  ServerOptions o = small_limits();
  o.threads = 1;  // the only thread is inside the handler during stop()
  TestServer server(o, [&](Request& r) { return router.dispatch(r); });
  const auto port = server.port();
  auto slow = std::async(std::launch::async, [port] { return http_request(port, "GET", "/slow"); });
  ASSERT_EQ(entered_future.wait_for(5s), std::future_status::ready);
  server.stop();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(http_request(port, "GET", "/hello"), std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 200ms);
  EXPECT_EQ(slow.get().status, 200);
}

TEST(HttpServerShutdownTest, RequestBeingReadMayCompleteDuringDrain) {
  Router router = test_routes();
  TestServer server(small_limits(), [&](Request& r) { return router.dispatch(r); });
  RawConnection conn(server.port());
  ASSERT_TRUE(conn.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
  EXPECT_FALSE(conn.closed_by_server(50ms));  // the server has seen the bytes
  server.stop();
  ASSERT_TRUE(conn.send("\r\n"));
  EXPECT_TRUE(conn.closed_by_server(2000ms));
  EXPECT_EQ(conn.received().rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << conn.received();
  EXPECT_NE(conn.received().find("Connection: close\r\n"), std::string::npos);
  server.join();
}

TEST(HttpServerShutdownTest, DrainTimeoutCutsOffSlowClients) {
  Router router = test_routes();
  ServerOptions o = small_limits();
  o.drain_timeout = std::chrono::seconds(0);
  TestServer server(o, [&](Request& r) { return router.dispatch(r); });
  RawConnection conn(server.port());
  ASSERT_TRUE(conn.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
  EXPECT_FALSE(conn.closed_by_server(50ms));
  auto stop_at = std::chrono::steady_clock::now();
  server.stop();
  server.join();
  // Not held up by read_timeout (5 s) of the half-sent request.
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 1500ms);
  EXPECT_TRUE(conn.closed_by_server(1000ms));
  EXPECT_TRUE(conn.received().empty());
}

TEST(HttpServerShutdownTest, SigtermStopsWaitForSignal) {
  Router router = test_routes();
  HttpServer server(small_limits(), [&](Request& r) { return router.dispatch(r); });
  server.start();
  auto waiting = std::async(std::launch::async, [&] { server.wait_for_signal(); });
  // raise() before wait_for_signal() installed its handler would kill the
  // test binary; wait until the disposition has changed.
  auto until = std::chrono::steady_clock::now() + 5s;
  struct sigaction current {};
  do {
    std::this_thread::sleep_for(1ms);
    sigaction(SIGTERM, nullptr, &current);
  } while (current.sa_handler == SIG_DFL && std::chrono::steady_clock::now() < until);
  ASSERT_NE(current.sa_handler, SIG_DFL);
  std::raise(SIGTERM);
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_THROW(http_request(server.port(), "GET", "/hello"), std::runtime_error);
  // The default disposition is back once the server is done.
  sigaction(SIGTERM, nullptr, &current);
  EXPECT_EQ(current.sa_handler, SIG_DFL);
}

TEST(HttpServerLogTest, OneJsonLinePerRequest) {
  ServerOptions o = small_limits();
  o.access_log = true;
  Router router = test_routes();
  ::testing::internal::CaptureStdout();
  {
    TestServer server(o, [&](Request& r) { return router.dispatch(r); });
    http_request(server.port(), "GET", "/hello?token=geheim", "", {{"X-Request-Id", "log-1"}});
  }  // joined: the line is written
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;  // exactly one line
  auto j = boost::json::parse(out).as_object();
  EXPECT_TRUE(std::regex_match(std::string(j.at("ts").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << j.at("ts");
  EXPECT_EQ(j.at("level").as_string(), "info");
  EXPECT_EQ(j.at("msg").as_string(), "request");
  EXPECT_EQ(j.at("request_id").as_string(), "log-1");
  EXPECT_EQ(j.at("method").as_string(), "GET");
  EXPECT_EQ(j.at("path").as_string(), "/hello");
  EXPECT_EQ(j.at("status").as_int64(), 200);
  EXPECT_EQ(j.at("bytes").as_int64(), 5);
  EXPECT_TRUE(j.at("duration_ms").is_double());
  EXPECT_EQ(j.at("remote").as_string(), "127.0.0.1");
  EXPECT_EQ(out.find("geheim"), std::string::npos);
}

TEST(HttpServerStartTest, PortInUseThrows) {
  Router router = test_routes();
  TestServer first(small_limits(), [&](Request& r) { return router.dispatch(r); });
  ServerOptions o = small_limits();
  o.port = first.port();
  HttpServer second(o, [&](Request& r) { return router.dispatch(r); });
  EXPECT_THROW(second.start(), std::runtime_error);
}

TEST(HttpServerProxyTest, RemoteAddressComesFromForwardedForOnlyViaATrustedProxy) {
  Handler who = [](Request& r) { return Response::text(200, r.remote_address); };
  const lotse::testing::HeaderList spoofed{{"X-Forwarded-For", "203.0.113.9"}};
  {
    // The test client connects from 127.0.0.1, which is not trusted here.
    ServerOptions o = small_limits();
    o.trusted_proxies = {"10.0.0.2"};
    TestServer server(o, who);
    EXPECT_EQ(http_request(server.port(), "GET", "/", "", spoofed).body, "127.0.0.1");
  }
  {
    ServerOptions o = small_limits();
    o.trusted_proxies = {"::ffff:127.0.0.1"};  // canonicalised to 127.0.0.1
    TestServer server(o, who);
    EXPECT_EQ(http_request(server.port(), "GET", "/", "", spoofed).body, "203.0.113.9");
    EXPECT_EQ(http_request(server.port(), "GET", "/").body, "127.0.0.1");
  }
  ServerOptions bad = small_limits();
  bad.trusted_proxies = {"proxy.example"};
  HttpServer refused(bad, who);
  EXPECT_THROW(refused.start(), std::runtime_error);
}

}  // namespace
}  // namespace lotse::web
