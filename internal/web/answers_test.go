package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/web"
)

// metricValue reads one counter or gauge from reg, 0 when it has no sample yet.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
				}
				if !found {
					continue metrics
				}
			}
			if g := m.GetGauge(); g != nil {
				return g.GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// decoded is a response's body with its Content-Encoding undone.
func decoded(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var r io.Reader = bytes.NewReader(rec.Body.Bytes())
	switch rec.Header().Get("Content-Encoding") {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(r)
	default:
		t.Fatalf("Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAnswers_CachedIsByteIdenticalToAFreshRender(t *testing.T) {
	t.Parallel()
	var deps web.Deps
	f := newFixture(t, withUI, func(d *web.Deps) { deps = *d })
	f.seed()
	// The same router on the same store with no room to keep anything renders every time.
	deps.CacheBytes = 1
	fresh := web.New(deps)
	routes := []string{
		"/",
		"/?coins=bitcoin,ethereum&currencies=usd,try&range=custom&from=2024-03-01&to=2024-03-02",
		"/?coins=bitcoin,nope&page=x",
		"/partials/dashboard?coins=bitcoin&breakdown=coin",
		"/partials/table?sort=price&dir=desc",
		"/dashboard.csv?coins=bitcoin&currencies=usd",
		"/partials/coins/bitcoin/card",
		"/partials/coins/no-such-coin/card",
		"/api/coins",
		"/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02",
		"/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02&format=csv",
		"/api/prices?dateFrom=bad&dateTo=2024-03-02",
	}
	headers := []string{"Content-Type", "Content-Disposition", "Cache-Control", "ETag", "Vary", "HX-Push-Url"}
	for _, route := range routes {
		for _, accept := range []string{"", "gzip", "br, gzip"} {
			t.Run(route+" "+accept, func(t *testing.T) {
				miss := f.do(http.MethodGet, route, "Accept-Encoding", accept)
				hit := f.do(http.MethodGet, route, "Accept-Encoding", accept)
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, route, nil)
				req.Header.Set("Accept-Encoding", accept)
				fresh.ServeHTTP(rec, req)
				if !bytes.Equal(hit.Body.Bytes(), miss.Body.Bytes()) {
					t.Error("a hit differs from the miss that stored it")
				}
				if hit.Code != rec.Code || decoded(t, hit) != decoded(t, rec) {
					t.Errorf("cached %d and fresh %d answers differ:\n%.400s\n%.400s", hit.Code, rec.Code, decoded(t, hit), decoded(t, rec))
				}
				for _, h := range headers {
					if hit.Header().Get(h) != rec.Header().Get(h) {
						t.Errorf("%s: cached %q, fresh %q", h, hit.Header().Get(h), rec.Header().Get(h))
					}
				}
			})
		}
	}
	if hits := metricValue(t, deps.Metrics, "cryptodash_answer_cache_requests_total", "result", "hit"); hits == 0 {
		t.Error("no answer came from the cache")
	}
}

func TestAnswers_NewDataIsANewAnswer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	f.seed()
	const route = "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&breakdown=coin"
	before := f.do(http.MethodGet, route).Body.String()
	f.storeHours("dogecoin", "usd", day2, 0.125)
	after := f.do(http.MethodGet, route).Body.String()
	if before == after || !strings.Contains(after, "dogecoin") {
		t.Errorf("the answer after a write is the one before it:\n%s", after)
	}
}

func TestAnswers_StayWithinTheirBudget(t *testing.T) {
	t.Parallel()
	const budget = 64 << 10
	var reg *prometheus.Registry
	f := newFixture(t, func(d *web.Deps) { d.CacheBytes, reg = budget, d.Metrics })
	f.seed()
	for i := range 600 {
		// Coin ids that are not stored are dropped, yet still make distinct URLs, as a
		// crawler or an attacker would send them.
		rec := f.do(http.MethodGet, fmt.Sprintf("/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&coinIds=bitcoin,made-up-%d", i),
			"Accept-Encoding", []string{"", "gzip", "br"}[i%3])
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		if held := metricValue(t, reg, "cryptodash_answer_cache_bytes"); held > budget || held <= 0 {
			t.Fatalf("after %d URLs the cache holds %.0f bytes, budget %d", i+1, held, budget)
		}
	}
}

func TestAnswers_NothingKeptWithLogin(t *testing.T) {
	t.Parallel()
	var reg *prometheus.Registry
	f := newFixture(t, withLogin(t), func(d *web.Deps) { reg = d.Metrics })
	f.seed()
	for range 2 {
		ck := f.login(t, testUser, testPassword, "/")
		if ck == nil {
			t.Fatal("no session")
		}
		for _, route := range []string{"/", "/partials/dashboard", "/api/coins", "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02&breakdown=coin,currency,date"} {
			for range 2 {
				req := newRequest(route)
				req.AddCookie(ck)
				req.Header.Set("Accept-Encoding", "gzip")
				rec := f.send(req)
				if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "private, no-cache" {
					t.Fatalf("%s: %d Cache-Control %q", route, rec.Code, rec.Header().Get("Cache-Control"))
				}
				// /api/coins is too short to gain from it.
				if route != "/api/coins" && rec.Header().Get("Content-Encoding") != "gzip" {
					t.Errorf("%s: not compressed", route)
				}
			}
		}
	}
	if held, hits := metricValue(t, reg, "cryptodash_answer_cache_bytes"),
		metricValue(t, reg, "cryptodash_answer_cache_requests_total", "result", "hit"); held != 0 || hits != 0 {
		t.Errorf("with a login the cache holds %.0f bytes and served %.0f hits", held, hits)
	}
}

// replica is one server of a cluster: its own store (pool and listener) on the shared
// database, and its own router.
type replica struct {
	store   *store.Store
	handler http.Handler
}

func newReplica(t *testing.T, url string) replica {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.WatchDataVersion(t.Context(), slogDiscard()); err != nil {
		t.Fatal(err)
	}
	d := web.Deps{Config: testConfig(t), Store: st, UI: ui.New(ui.Options{Store: st}), BuildID: "test1"}
	return replica{store: st, handler: web.New(d)}
}

func (r replica) get(target string) string {
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Body.String()
}

func TestAnswers_EveryReplicaServesNewDataWithinASecond(t *testing.T) {
	t.Parallel()
	url := storetest.NewMigratedURL(t)
	a, b := newReplica(t, url), newReplica(t, url)
	writer := &fixture{t: t}
	var err error
	if writer.store, err = store.Open(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(writer.store.Close)
	writer.seed()
	const route = "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&breakdown=coin,currency"
	// Each new run lands a coin the answer did not have; every replica must show it.
	land := func(t *testing.T, coin string) {
		t.Helper()
		for _, r := range []replica{a, b} {
			if body := r.get(route); strings.Contains(body, coin) {
				t.Fatalf("%s is in the answer before it landed: %s", coin, body)
			}
		}
		must(t, writer.store.UpsertCoins(context.Background(), []domain.Coin{{ID: coin, Symbol: coin[:3], Name: coin}}))
		writer.storeHours(coin, "usd", day1, 1.5)
		landed := time.Now()
		for i, r := range []replica{a, b} {
			for !strings.Contains(r.get(route), coin) {
				if time.Since(landed) > time.Second {
					t.Fatalf("replica %d still serves the answer without %s a second after it landed", i, coin)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	t.Run("while listening", func(t *testing.T) { land(t, "solana") })
	t.Run("after the listening connections are cut", func(t *testing.T) {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var cut int
		if err := conn.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`, store.ListenerName).Scan(&cut); err != nil || cut != 2 {
			t.Fatalf("cut %d listeners (%v), want 2", cut, err)
		}
		land(t, "cardano")
	})
}
