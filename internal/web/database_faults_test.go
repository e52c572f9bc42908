package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cryptodash/cryptodash/internal/proxytest"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
	"github.com/cryptodash/cryptodash/internal/web"
)

// newFixtureOn builds the real router on st, seeded through a store of its own on dbURL.
func newFixtureOn(t *testing.T, dbURL string, st *store.Store, change ...func(*web.Deps)) *fixture {
	t.Helper()
	seeder, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(seeder.Close)
	(&fixture{t: t, store: seeder}).seed()
	logs := &testkit.SyncBuffer{}
	d := web.Deps{Config: testConfig(t), Store: st, Metrics: prometheus.NewRegistry(), BuildID: "test1",
		Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	for _, c := range change {
		c(&d)
	}
	return &fixture{t: t, store: st, e: web.New(d), logs: logs}
}

// TestWeb_WaitsForAConnectionTheDatabaseTurnedAway fills every connection slot the
// service's role has: a read waits for one to free up, and gets its answer, rather than a
// 503 at once.
func TestWeb_WaitsForAConnectionTheDatabaseTurnedAway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storetest.NewMigratedURL(t)
	limited := storetest.WithConnectionLimit(t, dbURL, 1)
	st, err := store.New(limited)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	f := newFixtureOn(t, dbURL, st)
	hold, err := pgx.Connect(ctx, limited)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close(ctx)

	answer := make(chan int, 1)
	go func() { answer <- f.do(http.MethodGet, "/api/coins").Code }()
	testkit.Eventually(t, web.RequestTimeout, "the request waits for a connection", func() (bool, string) {
		logs := f.logs.String()
		return strings.Contains(logs, "turned a connection away; waiting for one"), logs
	})
	hold.Close(ctx)
	if code := <-answer; code != http.StatusOK {
		t.Errorf("status %d once a connection was free, want 200: %s", code, f.logs)
	}
}

// TestWeb_BlackholedDatabaseGives503s cuts the database off silently, as a network that
// drops every packet does: pages, API reads, the health check and signed-in pages answer
// 503 within the request deadline instead of hanging until TCP gives up.
func TestWeb_BlackholedDatabaseGives503s(t *testing.T) {
	t.Parallel()
	for _, login := range []bool{false, true} {
		t.Run(map[bool]string{false: "public", true: "signed in"}[login], func(t *testing.T) {
			t.Parallel()
			dbURL := storetest.NewMigratedURL(t)
			proxy := proxytest.New(t, storetest.ServerAddr())
			st, err := store.New(proxy.URL(dbURL))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(st.Close)
			if err := st.WatchDataVersion(t.Context(), slogDiscard()); err != nil {
				t.Fatal(err)
			}
			change := []func(*web.Deps){withUI}
			if login {
				change = append(change, withLogin(t))
			}
			f := newFixtureOn(t, dbURL, st, change...)
			var cookie *http.Cookie
			if login {
				if cookie = f.login(t, testUser, testPassword, "/"); cookie == nil {
					t.Fatal("no session")
				}
			}
			get := func(target string) (int, string) {
				req := newRequest(target)
				if cookie != nil {
					req.AddCookie(cookie)
				}
				rec := f.send(req)
				return rec.Code, rec.Body.String()
			}
			if code, _ := get("/?range=1w"); code != http.StatusOK {
				t.Fatalf("before the cut: %d", code)
			}

			proxy.Blackhole()
			targets := []string{"/?range=3m", "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02", "/api/health"}
			var wg sync.WaitGroup
			for _, target := range targets {
				wg.Go(func() {
					started := time.Now()
					type result struct {
						code int
						body string
					}
					done := make(chan result, 1)
					go func() {
						code, body := get(target)
						done <- result{code, body}
					}()
					select {
					case r := <-done:
						if r.code != http.StatusServiceUnavailable {
							t.Errorf("%s: %d, want 503", target, r.code)
						}
						if target[1] == '?' && !strings.Contains(r.body, `data-testid="error-page"`) {
							t.Errorf("%s: no error page: %.300s", target, r.body)
						}
						t.Logf("%s: %d after %s", target, r.code, time.Since(started).Round(10*time.Millisecond))
					case <-time.After(6 * web.RequestTimeout):
						t.Errorf("%s: no answer after %s", target, 6*web.RequestTimeout)
					}
				})
			}
			wg.Wait()
		})
	}
}
