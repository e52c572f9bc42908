package coingecko

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// newTestClient points a client at url with backoff shrunk to milliseconds, so retry tests
// measure the client's decisions rather than its patience.
func newTestClient(t *testing.T, url string, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = url
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.initialBackoff = 5 * time.Millisecond
	c.maxBackoff = 20 * time.Millisecond
	return c
}

// script answers the n-th request with steps[n], repeating the last step, and records when
// each request arrived.
type script struct {
	mu       sync.Mutex
	steps    []http.HandlerFunc
	arrivals []time.Time
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.arrivals = append(s.arrivals, time.Now())
	step := s.steps[min(len(s.arrivals), len(s.steps))-1]
	s.mu.Unlock()
	step(w, r)
}

func (s *script) calls() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

func serveScript(t *testing.T, steps ...http.HandlerFunc) (*script, *httptest.Server) {
	t.Helper()
	s := &script{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func reply(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

var coinsListOK = reply(200, nil, `[{"id":"bitcoin","symbol":"btc","name":"Bitcoin"}]`)

func TestNew_PlanSelectsHostAndHeader(t *testing.T) {
	cases := []struct {
		plan, key, baseURL string
		wantURL, header    string
	}{
		{PlanDemo, "k", "", demoBaseURL, demoKeyHeader},
		{"", "k", "", demoBaseURL, demoKeyHeader},
		{PlanPro, "k", "", proBaseURL, proKeyHeader},
		{PlanPro, "k", "http://localhost:9/api/v3/", "http://localhost:9/api/v3", proKeyHeader},
	}
	for _, tc := range cases {
		c, err := New(Config{Plan: tc.plan, APIKey: tc.key, BaseURL: tc.baseURL})
		if err != nil {
			t.Fatal(err)
		}
		if c.baseURL != tc.wantURL || c.keyHeader != tc.header {
			t.Errorf("plan %q: got %s %s, want %s %s", tc.plan, c.baseURL, c.keyHeader, tc.wantURL, tc.header)
		}
	}
	for _, bad := range []Config{{Plan: "enterprise"}, {BaseURL: "localhost:8080"}, {RatePerMinute: -1}} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted a bad config", bad)
		}
	}
}

func TestClient_SendsThePlansHeader(t *testing.T) {
	cases := []struct {
		name, plan, key string
		want, absent    string
	}{
		{"demo", PlanDemo, "demo-key", demoKeyHeader, proKeyHeader},
		{"pro", PlanPro, "pro-key", proKeyHeader, demoKeyHeader},
		{"no key", PlanDemo, "", "", demoKeyHeader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got http.Header
			_, srv := serveScript(t, func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				coinsListOK(w, r)
			})
			c := newTestClient(t, srv.URL, Config{Plan: tc.plan, APIKey: tc.key})
			if _, err := c.CoinsList(context.Background()); err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && got.Get(tc.want) != tc.key {
				t.Errorf("header %s = %q, want %q", tc.want, got.Get(tc.want), tc.key)
			}
			if _, ok := got[http.CanonicalHeaderKey(tc.absent)]; ok {
				t.Errorf("header %s sent", tc.absent)
			}
		})
	}
}

func TestClient_Retries(t *testing.T) {
	html503 := reply(503, map[string]string{"Content-Type": "text/html"},
		"<html><head><title>api.coingecko.com | 503: Service temporarily unavailable</title></head></html>")
	// Only the timeout case needs a short per-call timeout. The others get one no busy machine
	// reaches, so that their retry is the one the first answer causes and no other.
	cases := []struct {
		name    string
		first   http.HandlerFunc
		timeout time.Duration
	}{
		{"503 HTML", html503, 0},
		{"200 with HTML", reply(200, map[string]string{"Content-Type": "text/html"}, "<html><title>Just a moment...</title></html>"), 0},
		{"500 JSON", reply(500, nil, `{"status":{"error_code":500,"error_message":"Internal Server Error"}}`), 0},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		}, 100 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := serveScript(t, tc.first, coinsListOK)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 20 * time.Second
			}
			c := newTestClient(t, srv.URL, Config{Timeout: timeout})
			coins, err := c.CoinsList(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// A loaded machine may stretch an answer past the timeout case's 100 ms too, so
			// there the certain thing is that a retry came after the first call timed out.
			calls := len(s.calls())
			if len(coins) != 1 || calls < 2 || (tc.timeout == 0 && calls != 2) {
				t.Fatalf("got %v after %d calls, want one coin after 2", coins, calls)
			}
		})
	}
}

func TestClient_HonoursRetryAfter(t *testing.T) {
	s, srv := serveScript(t,
		reply(429, map[string]string{"Retry-After": "1"}, `{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}`),
		coinsListOK)
	c := newTestClient(t, srv.URL, Config{})
	if _, err := c.CoinsList(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := s.calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	if wait := calls[1].Sub(calls[0]); wait < time.Second {
		t.Fatalf("retried after %s, before the server's Retry-After of 1s", wait)
	}
}

func TestClient_ThrottleWithoutRetryAfterWaitsTheWindow(t *testing.T) {
	const window = 300 * time.Millisecond
	s, srv := serveScript(t, reply(429, nil, "Throttled"), coinsListOK)
	c := newTestClient(t, srv.URL, Config{RateWindow: window})
	if _, err := c.CoinsList(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls := s.calls(); calls[1].Sub(calls[0]) < window {
		t.Fatalf("retried after %s, inside the rate window %s", calls[1].Sub(calls[0]), window)
	}
}

func TestClient_ErrorInside200IsNoData(t *testing.T) {
	_, srv := serveScript(t, reply(200, nil, `{"error":"Could not find coin with the given id"}`))
	c := newTestClient(t, srv.URL, Config{})
	points, err := c.MarketChartRange(context.Background(), "nosuchcoin", "usd",
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !strings.Contains(err.Error(), "Could not find coin") {
		t.Fatalf("got %d points and %v, want an *APIError with CoinGecko's words", len(points), err)
	}
}

func TestClient_ThrottledInside200WaitsTheWindow(t *testing.T) {
	const window = 300 * time.Millisecond
	s, srv := serveScript(t, reply(200, nil, `{"error":"Throttled"}`), coinsListOK)
	c := newTestClient(t, srv.URL, Config{RateWindow: window})
	if _, err := c.CoinsList(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls := s.calls(); calls[1].Sub(calls[0]) < window {
		t.Fatalf("retried after %s, inside the rate window %s", calls[1].Sub(calls[0]), window)
	}
}

func TestClient_DoesNotRetry(t *testing.T) {
	cases := []struct {
		name  string
		step  http.HandlerFunc
		fatal bool
		code  int
	}{
		{"401 key missing", reply(401, nil, `{"status":{"error_code":10002,"error_message":"API Key Missing"}}`), true, 10002},
		{"404 coin not found", reply(404, nil, `{"error":"coin not found"}`), false, 0},
		{"10012 history", reply(401, nil, `{"error":{"status":{"error_code":10012,"error_message":"Your request exceeds the allowed time range."}}}`), false, 10012},
		{"10010 wrong host", reply(400, nil, `{"error_code":10010,"error_message":"change your root URL"}`), true, 10010},
		{"200 with an error body", reply(200, nil, `{"error":"coin not found"}`), false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := serveScript(t, tc.step, coinsListOK)
			c := newTestClient(t, srv.URL, Config{APIKey: "k"})
			_, err := c.Coin(context.Background(), "bitcoin")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %v, want an *APIError", err)
			}
			if n := len(s.calls()); n != 1 {
				t.Fatalf("%d calls, want exactly 1", n)
			}
			if apiErr.Fatal() != tc.fatal || apiErr.Code != tc.code {
				t.Fatalf("fatal %v code %d, want %v %d", apiErr.Fatal(), apiErr.Code, tc.fatal, tc.code)
			}
		})
	}
}

func TestClient_GivesUpAfterMaxAttempts(t *testing.T) {
	s, srv := serveScript(t, reply(502, nil, "<html><title>502 Bad Gateway</title></html>"))
	c := newTestClient(t, srv.URL, Config{MaxAttempts: 3})
	_, err := c.CoinsList(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 502 {
		t.Fatalf("got %v, want the 502 as *APIError", err)
	}
	if n := len(s.calls()); n != 3 || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("%d calls, error %q", n, err)
	}
}

func TestClient_CancelStopsRetryAfterWait(t *testing.T) {
	s, srv := serveScript(t, reply(429, map[string]string{"Retry-After": "60"}, `{"status":{"error_code":429}}`))
	c := newTestClient(t, srv.URL, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	started := time.Now()
	_, err := c.CoinsList(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if elapsed := time.Since(started); elapsed > time.Second {
		t.Fatalf("returned %s after cancel", elapsed)
	}
	if n := len(s.calls()); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}

// sendTimes records when the client handed each request to the transport, that is right
// after the limiter let it go: what the server sees adds network and scheduling jitter.
type sendTimes struct {
	mu    sync.Mutex
	times []time.Time
	next  http.RoundTripper
}

func (s *sendTimes) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	return s.next.RoundTrip(r)
}

func (s *sendTimes) all() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.times...)
}

// The limiter promises that the i-th call starts no earlier than i intervals after the
// first could: it schedules each call one interval after the previous one was due, not after
// it actually ran, so one call woken late makes the gap to the next look short while the
// schedule holds. The test checks that schedule against a clock read before the first call,
// which scheduling delays can only make easier to meet, and which a retry that skipped the
// limiter (arriving a backoff of ~5 ms after its failure) breaks by nearly an interval.
func TestClient_LimiterSpacesEveryCallIncludingRetries(t *testing.T) {
	const n, window = 5, 500 * time.Millisecond
	interval := callInterval(window, n)
	_, srv := serveScript(t, reply(503, nil, "<html>down</html>"), coinsListOK)
	sent := &sendTimes{next: http.DefaultTransport}
	c := newTestClient(t, srv.URL, Config{RatePerMinute: n, RateWindow: window, HTTPClient: &http.Client{Transport: sent}})
	started := time.Now()
	for range n {
		if _, err := c.CoinsList(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	times := sent.all()
	if len(times) != n+1 {
		t.Fatalf("%d calls, want %d (one retry)", len(times), n+1)
	}
	// Allow a millisecond for the limiter's float arithmetic, nothing for jitter: jitter
	// only ever makes a call later.
	for i, at := range times {
		if due := time.Duration(i) * interval; at.Sub(started) < due-time.Millisecond {
			t.Fatalf("call %d sent %s after the start, before its slot at %s", i, at.Sub(started), due)
		}
	}
}

func TestCallInterval_LeavesAMargin(t *testing.T) {
	if got, min := callInterval(time.Minute, 30), 2*time.Second; got <= min || got > min*103/100 {
		t.Fatalf("30 a minute: interval %s, want a little over %s", got, min)
	}
}

func TestClient_NeverLogsTheKey(t *testing.T) {
	const key = "CG-secret-key-123"
	var logs bytes.Buffer
	_, srv := serveScript(t, reply(503, nil, "<html>down</html>"), coinsListOK)
	c := newTestClient(t, srv.URL, Config{APIKey: key, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if _, err := c.CoinsList(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Fatalf("the retry was not logged: %q", logs.String())
	}
	if strings.Contains(logs.String(), key) {
		t.Fatal("the API key reached the log")
	}
}

// countingBody counts what the client reads of an answer.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

type countingTransport struct{ read atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = countingBody{resp.Body, &t.read}
	}
	return resp, err
}

// endless answers status with a body of size bytes of HTML-ish junk, written as it goes.
func endless(status, size int, withLength bool) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if withLength {
			w.Header().Set("Content-Length", strconv.Itoa(size))
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		chunk := []byte(strings.Repeat("<p>not json</p>", 4096))
		for written := 0; written < size; written += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), size-written)]); err != nil {
				return
			}
		}
	}
}

func TestClient_BoundsWhatItReads(t *testing.T) {
	const fifty = 50 << 20
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, withLength := range []bool{true, false} {
		t.Run(fmt.Sprintf("a 50 MB answer, Content-Length sent %v, is refused after reading at most the limit", withLength), func(t *testing.T) {
			s, srv := serveScript(t, endless(200, fifty, withLength))
			tr := &countingTransport{}
			c := newTestClient(t, srv.URL, Config{HTTPClient: &http.Client{Transport: tr}})
			_, err := c.MarketChartRange(context.Background(), "bitcoin", "usd", from, from.Add(time.Hour))
			if err == nil || !strings.Contains(err.Error(), "limit of 4 MiB") {
				t.Fatalf("got %v, want an error naming the 4 MiB limit", err)
			}
			if n := len(s.calls()); n != 1 {
				t.Errorf("%d calls: an oversized answer is not worth asking for again", n)
			}
			if read := tr.read.Load(); read > chartBodyLimit+1 {
				t.Errorf("read %d bytes of the answer, more than the limit", read)
			}
		})
	}
	t.Run("of an error answer only the start is read, and the call retried", func(t *testing.T) {
		_, srv := serveScript(t, endless(503, fifty, false), coinsListOK)
		tr := &countingTransport{}
		c := newTestClient(t, srv.URL, Config{HTTPClient: &http.Client{Transport: tr}})
		if _, err := c.CoinsList(context.Background()); err != nil {
			t.Fatal(err)
		}
		if read := tr.read.Load(); read > errorBodyLimit+1+int64(len(`[{"id":"bitcoin","symbol":"btc","name":"Bitcoin"}]`)) {
			t.Errorf("read %d bytes, want the error's first %d and the list", read, errorBodyLimit)
		}
	})
}

func TestClient_BreaksAfter429s(t *testing.T) {
	storm := reply(429, map[string]string{"Retry-After": "119"}, `{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}`)
	t.Run("a run of 429s opens the breaker and ends the call", func(t *testing.T) {
		s, srv := serveScript(t, storm)
		c := newTestClient(t, srv.URL, Config{BreakAfter429: 3, MaxRetryAfter: 10 * time.Millisecond})
		_, err := c.CoinsList(context.Background())
		var open *CircuitOpenError
		if !errors.As(err, &open) || !errors.Is(err, domain.ErrUnavailable) || open.InARow != 3 {
			t.Fatalf("got %v, want the breaker's error after 3 429s", err)
		}
		if n := len(s.calls()); n != 3 {
			t.Errorf("%d calls, want 3", n)
		}
		if !strings.Contains(err.Error(), "COINGECKO_MAX_CONSECUTIVE_429") {
			t.Errorf("the error %q does not name the setting", err)
		}
	})
	t.Run("while open, calls fail without reaching CoinGecko", func(t *testing.T) {
		s, srv := serveScript(t, storm, coinsListOK)
		c := newTestClient(t, srv.URL, Config{BreakAfter429: 1, MaxRetryAfter: time.Hour})
		if _, err := c.CoinsList(context.Background()); !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("first call: %v", err)
		}
		if _, err := c.CoinsList(context.Background()); !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("second call: %v", err)
		}
		if n := len(s.calls()); n != 1 {
			t.Errorf("%d calls reached the server, want only the one that opened the breaker", n)
		}
	})
	t.Run("the pause says what Retry-After asked and what is honoured", func(t *testing.T) {
		long := reply(429, map[string]string{"Retry-After": "600"}, `{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}`)
		_, srv := serveScript(t, long)
		c := newTestClient(t, srv.URL, Config{BreakAfter429: 1})
		_, err := c.CoinsList(context.Background())
		var open *CircuitOpenError
		if !errors.As(err, &open) {
			t.Fatalf("got %v, want the breaker's error", err)
		}
		if open.RetryIn() != 5*time.Minute || !strings.Contains(err.Error(), "stop for 5m0s") ||
			!strings.Contains(err.Error(), "asked for 10m0s") || !strings.Contains(err.Error(), "capped") {
			t.Errorf("a 429 asking for 10 minutes, capped at 5: pause %s, %q", open.RetryIn(), err)
		}
	})
	t.Run("after the pause a call goes through and closes it", func(t *testing.T) {
		_, srv := serveScript(t, storm, coinsListOK)
		c := newTestClient(t, srv.URL, Config{BreakAfter429: 1, MaxRetryAfter: 10 * time.Millisecond})
		if _, err := c.CoinsList(context.Background()); !errors.Is(err, domain.ErrUnavailable) {
			t.Fatalf("first call: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // the pause is 10 ms
		if _, err := c.CoinsList(context.Background()); err != nil {
			t.Fatalf("after the pause: %v", err)
		}
	})
	t.Run("any other answer resets the count", func(t *testing.T) {
		s, srv := serveScript(t, storm, storm, coinsListOK, storm, storm, coinsListOK)
		c := newTestClient(t, srv.URL, Config{BreakAfter429: 3, MaxRetryAfter: time.Millisecond})
		for range 2 {
			if _, err := c.CoinsList(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(s.calls()); n != 6 {
			t.Errorf("%d calls, want 6", n)
		}
	})
}
