package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/proxytest"
	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// countingSimulator is the CoinGecko simulator counting the calls it answers.
func countingSimulator(t *testing.T) (url string, calls *atomic.Int64) {
	t.Helper()
	sim := simulator.New(simulator.Options{})
	calls = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v3", calls
}

type answer struct {
	status      int
	contentType string
	body        string
}

func get(t *testing.T, url string) (answer, error) {
	t.Helper()
	client := http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(body)}, err
}

// TestServe_StartsWithoutADatabase starts serve while its database is unreachable (behind a
// black hole) and missing: it answers 503 at once, a page for people and the envelope for
// the API, fetches nothing, and once the database is reachable creates, migrates and serves
// it, and only then runs the start-up fetch.
func TestServe_StartsWithoutADatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storetest.NewURL(t)
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, storetest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "DROP DATABASE "+cfg.Database); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	proxy := proxytest.New(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	proxy.Blackhole()
	simURL, calls := countingSimulator(t)

	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	logs := &testkit.SyncBuffer{}
	env := map[string]string{
		"DATABASE_URL":         proxy.URL(dbURL),
		"PORT":                 strconv.Itoa(port),
		"COINGECKO_BASE_URL":   simURL,
		"COINGECKO_RATE_LIMIT": "0",
		"COINS":                "bitcoin",
		"CURRENCIES":           "usd",
		"HISTORY_DAYS":         "3",
		"FETCH_SCHEDULE":       "off",
		"FETCH_ON_START":       "true",
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	startCommand(t, []string{"serve"}, env, logs, logs)

	var health answer
	testkit.Eventually(t, 30*time.Second, "serve answers without a database", func() (bool, string) {
		health, err = get(t, base+"/api/health")
		return err == nil, fmt.Sprint(err)
	})
	if health.status != http.StatusServiceUnavailable || !strings.Contains(health.body, `"Health check failed"`) {
		t.Errorf("health without a database: %d %s", health.status, health.body)
	}
	page, err := get(t, base+"/")
	if err != nil || page.status != http.StatusServiceUnavailable || !strings.HasPrefix(page.contentType, "text/html") ||
		!strings.Contains(page.body, "starting and waits for its database") {
		t.Errorf("page without a database: %d %s %v\n%.500s", page.status, page.contentType, err, page.body)
	}
	api, err := get(t, base+"/api/coins")
	if err != nil || api.status != http.StatusServiceUnavailable || !strings.Contains(api.body, `"success":false`) {
		t.Errorf("API without a database: %d %v %s", api.status, err, api.body)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d CoinGecko calls before the database was there", n)
	}

	proxy.Restore()
	var latest string
	testkit.Eventually(t, 2*time.Minute, "serve recovers with its database and its start-up fetch ends", func() (bool, string) {
		health, err = get(t, base+"/api/health")
		var body struct {
			Data struct {
				LatestRun *struct{ Status string } `json:"latestRun"`
			} `json:"data"`
		}
		_ = json.Unmarshal([]byte(health.body), &body)
		if err == nil && health.status == http.StatusOK && body.Data.LatestRun != nil && body.Data.LatestRun.Status != "running" {
			latest = body.Data.LatestRun.Status
			return true, ""
		}
		return false, fmt.Sprintf("%d %v %s", health.status, err, health.body)
	})
	if latest != "succeeded" {
		t.Errorf("the start-up fetch ended %s", latest)
	}
	if page, err := get(t, base+"/"); err != nil || page.status != http.StatusOK {
		t.Errorf("page with the database back: %d %v", page.status, err)
	}
	if calls.Load() == 0 {
		t.Error("the start-up fetch made no CoinGecko call")
	}
}

// TestServe_PortTakenFailsBeforeFetching: with its port taken, serve stops on the bind,
// before it fetches or records anything.
func TestServe_PortTakenFailsBeforeFetching(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	simURL, calls := countingSimulator(t)
	dbURL := storetest.NewMigratedURL(t)
	var out testkit.SyncBuffer
	err = run(context.Background(), []string{"serve"}, envOf(map[string]string{
		"DATABASE_URL":         dbURL,
		"PORT":                 strconv.Itoa(taken.Addr().(*net.TCPAddr).Port),
		"COINGECKO_BASE_URL":   simURL,
		"COINGECKO_RATE_LIMIT": "0",
		"COINS":                "bitcoin",
		"CURRENCIES":           "usd",
		"HISTORY_DAYS":         "3",
		"FETCH_ON_START":       "true",
	}), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("serve on a taken port: %v", err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var runs int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM fetch_runs`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 0 || calls.Load() != 0 {
		t.Errorf("%d fetch runs and %d CoinGecko calls before the failed bind", runs, calls.Load())
	}
}
