package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// e2eServer is the real cryptodash server, started in-process through run exactly as main
// starts it, reading the in-process CoinGecko simulator and a fresh database.
type e2eServer struct {
	// URL is the server's origin, "http://127.0.0.1:PORT".
	URL string
	// Sim is the simulator the server fetches from; SetFaults slows or breaks it mid-test.
	Sim *simulator.Simulator
	// Secret is the CRON_SECRET the cron endpoint expects as a Bearer token.
	Secret string
	logs   *testkit.SyncBuffer
}

// startServer runs `cryptodash serve` against the simulator and waits until its start-up
// backfill (4 coins × 3 currencies × 120 days) has finished, so pages show data. The server
// stops, and the database is dropped, when the test ends.
func startServer(t *testing.T) *e2eServer {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith is startServer with env on top of its settings, such as other COINS.
func startServerWith(t *testing.T, overrides map[string]string) *e2eServer {
	t.Helper()
	sim, simAPI := simulatorAPI(t)
	s := &e2eServer{Sim: sim, Secret: "browser-test-cron-secret", logs: &testkit.SyncBuffer{}}
	port := freePort(t)
	s.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	env := map[string]string{
		"DATABASE_URL":         storetest.NewMigratedURL(t),
		"PORT":                 strconv.Itoa(port),
		"COINGECKO_BASE_URL":   simAPI,
		"COINGECKO_RATE_LIMIT": "0",
		"COINS":                "bitcoin,ethereum,dogecoin,solana",
		"CURRENCIES":           "usd,try,eur",
		"HISTORY_DAYS":         "120",
		"FETCH_SCHEDULE":       "off",
		"FETCH_ON_START":       "true",
		"CRON_SECRET":          s.Secret,
		"LOG_LEVEL":            "warn",
	}
	maps.Copy(env, overrides)
	// Registered first, so it runs after the server has stopped and sees how it stopped.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (warnings and errors):\n%s", s.logs)
		}
	})
	serve := startCommand(t, []string{"serve"}, env, s.logs, s.logs)

	var latest runInfo
	testkit.Eventually(t, 90*time.Second, "the start-up backfill finishes", func() (bool, string) {
		serve.failIfExited(t, s.logs)
		run, ok := s.latestRun(t)
		latest = run
		return ok && run.Status != "running", fmt.Sprintf("latest run %+v\n%s", run, s.logs)
	})
	if latest.Status != "succeeded" {
		t.Fatalf("start-up backfill ended %q: %s", latest.Status, latest.Error)
	}
	return s
}

// runInfo is the part of the cron endpoint's run JSON the tests read.
type runInfo struct {
	ID          int64  `json:"id"`
	Status      string `json:"status"`
	WindowsDone int    `json:"windowsDone"`
	Error       string `json:"error"`
}

// latestRun asks the cron readiness endpoint for the newest fetch run; ok is false while the
// server does not answer yet or has recorded no run.
func (s *e2eServer) latestRun(t *testing.T) (runInfo, bool) {
	t.Helper()
	var body struct {
		Data struct {
			LatestRun *runInfo `json:"latestRun"`
		} `json:"data"`
	}
	resp, err := s.cron(http.MethodGet)
	if err != nil {
		return runInfo{}, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil || body.Data.LatestRun == nil {
		return runInfo{}, false
	}
	return *body.Data.LatestRun, true
}

// startFetch triggers a run through the cron endpoint, as the scheduler does.
func (s *e2eServer) startFetch(t *testing.T) {
	t.Helper()
	resp, err := s.cron(http.MethodPost)
	if err != nil {
		t.Fatalf("POST /api/cron/fetch-data: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST /api/cron/fetch-data: %s %s", resp.Status, b)
	}
}

func (s *e2eServer) cron(method string) (*http.Response, error) {
	req, err := http.NewRequest(method, s.URL+"/api/cron/fetch-data", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Secret)
	client := http.Client{Timeout: 5 * time.Second}
	return client.Do(req)
}

// waitRunFinished waits for the newest run to end, so the database is quiet before the
// server shuts down.
func (s *e2eServer) waitRunFinished(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if run, ok := s.latestRun(t); ok && run.Status != "running" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the fetch run was still going after %s; shutdown will stop it", timeout)
}
