package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
	"github.com/cryptodash/cryptodash/internal/web"
	"github.com/cryptodash/cryptodash/static"
)

type fixture struct {
	t     *testing.T
	store *store.Store
	e     http.Handler
	logs  *testkit.SyncBuffer
}

const testSecret = "s3cret-cron-token-for-tests"

// newFixture builds the real router on a fresh database; change adjusts the dependencies.
func newFixture(t *testing.T, change ...func(*web.Deps)) *fixture {
	t.Helper()
	st := storetest.New(t)
	// As in serve: the version the cache keys on is held in memory.
	if err := st.WatchDataVersion(t.Context(), slogDiscard()); err != nil {
		t.Fatal(err)
	}
	logs := &testkit.SyncBuffer{}
	d := web.Deps{
		Config:  testConfig(t),
		Store:   st,
		Runner:  &storeRunner{t: t, s: st},
		Metrics: prometheus.NewRegistry(),
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		BuildID: "test1",
	}
	for _, c := range change {
		c(&d)
	}
	return &fixture{t: t, store: st, e: web.New(d), logs: logs}
}

func testConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(func(name string) string {
		// The ALB of the tests' requests lives in 10.0.0.0/16.
		return map[string]string{"CRON_SECRET": testSecret, "FETCH_SCHEDULE": "0 2 * * *", "TRUSTED_PROXIES": "10.0.0.0/16"}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// do sends a request through the router; header pairs are name, value.
func (f *fixture) do(method, target string, header ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.send(req)
}

func (f *fixture) send(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	return rec
}

// envelope is the API answer with data left raw for each test to decode.
type envelope struct {
	Success bool              `json:"success"`
	Message string            `json:"message"`
	Data    json.RawMessage   `json:"data"`
	Errors  map[string]string `json:"errors"`
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) envelope {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return env
}

func decodeData(t *testing.T, rec *httptest.ResponseRecorder, v any) envelope {
	t.Helper()
	env := decode(t, rec)
	if err := json.Unmarshal(env.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", env.Data, err)
	}
	return env
}

var (
	day1 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	day2 = day1.AddDate(0, 0, 1)
)

// seed stores three coins, two currencies, metadata and hours whose means are exact in
// binary floating point, so that tests can assert them with ==.
func (f *fixture) seed() {
	f.t.Helper()
	ctx := context.Background()
	must(f.t, f.store.UpsertCoins(ctx, []domain.Coin{
		{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"},
		{ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"},
		{ID: "ethereum", Symbol: "eth", Name: "Ethereum"},
	}))
	must(f.t, f.store.UpsertCurrencies(ctx, []domain.Currency{{Code: "usd", Name: "US Dollar"}, {Code: "try", Name: "Turkish Lira"}}))
	must(f.t, f.store.UpsertMetadata(ctx, domain.Metadata{CoinID: "bitcoin", Description: "<p>Digital gold</p>",
		ImageURL: "https://assets.example/btc.png", HomepageURL: "https://bitcoin.org"}))
	f.storeHours("bitcoin", "usd", day1, 100.5, 200.25, 300.125)
	f.storeHours("bitcoin", "usd", day2, 400, 500)
	f.storeHours("bitcoin", "try", day1, 3000, 3500)
	f.storeHours("ethereum", "usd", day1, 10, 20)
}

func (f *fixture) storeHours(coin, currency string, day time.Time, prices ...float64) {
	f.t.Helper()
	hours := make([]domain.Sample, len(prices))
	for i, p := range prices {
		hours[i] = domain.Sample{Time: day.Add(time.Duration(i) * time.Hour), Price: p}
	}
	if _, err := f.store.StoreHourly(context.Background(), domain.Series{CoinID: coin, CurrencyCode: currency}, hours); err != nil {
		f.t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// storeRunner starts runs the way the pipeline does, with the real run lease and a real
// fetch_runs row, but never finishes them, so a second trigger meets a running run.
type storeRunner struct {
	t *testing.T
	s *store.Store
}

func (r *storeRunner) Start(ctx context.Context, trigger domain.Trigger) (domain.FetchRun, bool, error) {
	run, fence, err := r.s.StartRun(ctx, domain.RunClaim{Trigger: trigger, TTL: time.Hour})
	return run, fence != 0, err
}

func TestWeb_HealthAndCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	rec := f.do(http.MethodGet, "/api/health")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var h struct {
		Status   string `json:"status"`
		Database struct {
			Status string           `json:"status"`
			Type   string           `json:"type"`
			Stats  map[string]int64 `json:"stats"`
		} `json:"database"`
		Version string `json:"version"`
	}
	env := decodeData(t, rec, &h)
	want := map[string]int64{"coins": 3, "currencies": 2, "hourlyPrices": 9, "dailyPrices": 4, "coinMetadata": 1, "fetchRuns": 0}
	if !env.Success || env.Message != "System is healthy" || h.Status != "healthy" || h.Database.Status != "connected" ||
		h.Database.Type != "PostgreSQL" || h.Version != "test1" {
		t.Errorf("health = %s", rec.Body)
	}
	if !reflect.DeepEqual(h.Database.Stats, want) {
		t.Errorf("stats = %v, want %v", h.Database.Stats, want)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

// countingStore counts Counts calls on the real store.
type countingStore struct {
	web.Store
	counts atomic.Int32
}

func (s *countingStore) Counts(ctx context.Context) (domain.Counts, error) {
	s.counts.Add(1)
	return s.Store.Counts(ctx)
}

func TestWeb_HealthCachesCountsNotThePing(t *testing.T) {
	t.Parallel()
	var cs *countingStore
	f := newFixture(t, func(d *web.Deps) {
		cs = &countingStore{Store: d.Store}
		d.Store = cs
	})
	f.seed()
	for i := range 3 {
		if rec := f.do(http.MethodGet, "/api/health"); rec.Code != http.StatusOK {
			t.Fatalf("probe %d: status %d", i, rec.Code)
		}
	}
	if n := cs.counts.Load(); n != 1 {
		t.Errorf("three probes within the TTL counted rows %d times, want once", n)
	}

	f.store.Close()
	started := time.Now()
	rec := f.do(http.MethodGet, "/api/health")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("database down with counts cached: status %d, want 503", rec.Code)
	}
	if elapsed := time.Since(started); elapsed > time.Second {
		t.Errorf("503 took %s", elapsed)
	}
}

func TestWeb_LogsTheViewerBehindCloudFront(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodPost, "/api/cron/fetch-data", nil)
	req.RemoteAddr = "10.0.1.5:34567"                               // the ALB
	req.Header.Set("X-Forwarded-For", "203.0.113.9, 130.176.12.34") // viewer, CloudFront edge
	req.Header.Set("CloudFront-Viewer-Address", "203.0.113.9:51234")
	if rec := f.send(req); rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d", rec.Code)
	}
	if logs := f.logs.String(); !strings.Contains(logs, `"client_ip":"203.0.113.9"`) {
		t.Errorf("the 401 is not logged with the viewer's address: %s", logs)
	}
}

func TestWeb_HealthDatabaseDown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.store.Close()
	rec := f.do(http.MethodGet, "/api/health")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", rec.Code, rec.Body.String())
	}
	env := decode(t, rec)
	if env.Success || env.Message != "Health check failed" || env.Errors["database"] != "disconnected" || env.Data != nil {
		t.Errorf("answer = %s", rec.Body.String())
	}

	t.Run("a cached read answers 503, not 500", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/coins")
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503: %s", rec.Code, rec.Body.String())
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
	})
}

// The load balancer's check follows the process, not the database: while the database is
// down, and while the service waits for it at start, /api/health says 503 and /api/live 200.
func TestWeb_LiveWithoutDatabase(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(d *web.Deps) { d.Ready = func() bool { return false } })
	f.store.Close()
	if rec := f.do(http.MethodGet, "/api/health"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/api/health: status %d, want 503 with the database down", rec.Code)
	}
	rec := f.do(http.MethodGet, "/api/live")
	if rec.Code != http.StatusOK {
		t.Fatalf("/api/live: status %d, want 200: %s", rec.Code, rec.Body.String())
	}
	var live struct {
		Service string `json:"service"`
		Version string `json:"version"`
	}
	if env := decodeData(t, rec, &live); !env.Success || live.Service != "cryptodash" || live.Version != "test1" {
		t.Errorf("answer = %s", rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestHEADAnswersLikeGET(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	srv := httptest.NewServer(f.e)
	defer srv.Close()
	for _, path := range []string{"/", "/api/coins", "/api/health", "/static/" + strings.TrimPrefix(static.Path("js/app.js"), static.Prefix)} {
		get, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		get.Body.Close()
		head, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(head.Body)
		head.Body.Close()
		if head.StatusCode != get.StatusCode || head.Header.Get("Cache-Control") != get.Header.Get("Cache-Control") ||
			head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(body) != 0 {
			t.Errorf("HEAD %s: %d %q %q (%d body bytes); GET: %d %q %q", path, head.StatusCode,
				head.Header.Get("Cache-Control"), head.Header.Get("Content-Type"), len(body),
				get.StatusCode, get.Header.Get("Cache-Control"), get.Header.Get("Content-Type"))
		}
	}
}
