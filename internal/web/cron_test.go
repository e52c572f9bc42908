package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/web"
)

func TestCron_DisabledWithoutSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(d *web.Deps) { d.Config.CronSecret = "" })
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		rec := f.do(method, "/api/cron/fetch-data", "Authorization", "Bearer ")
		env := decode(t, rec)
		if rec.Code != http.StatusServiceUnavailable || env.Success ||
			env.Message != "cron endpoint disabled: CRON_SECRET is not set" {
			t.Errorf("%s: %d %s", method, rec.Code, rec.Body)
		}
	}
	if runs := f.do(http.MethodGet, "/api/health"); !strings.Contains(runs.Body.String(), `"fetchRuns":0`) {
		t.Errorf("a disabled endpoint started a run: %s", runs.Body)
	}
	if logs := f.logs.String(); strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, `"level":"WARN"`) {
		t.Errorf("a call to the disabled endpoint should be a warning, not an error:\n%s", logs)
	}
}

func TestCron_Unauthorized(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct{ name, header string }{
		{"missing", ""},
		{"not bearer", "Basic " + testSecret},
		{"wrong", "Bearer wrong-token-of-other-size"},
		{"wrong, same length", "Bearer " + strings.Repeat("x", len(testSecret))},
		{"secret as prefix", "Bearer " + testSecret + "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.logs.String())
			req := httptest.NewRequest(http.MethodPost, "/api/cron/fetch-data", nil)
			req.RemoteAddr = "198.51.100.23:5555"
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := f.send(req)
			if rec.Code != http.StatusUnauthorized || decode(t, rec).Success {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if rec.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
			}
			logs := f.logs.String()[before:]
			if !strings.Contains(logs, `"level":"WARN"`) || !strings.Contains(logs, "198.51.100.23") {
				t.Errorf("no warning with the client address: %s", logs)
			}
			token := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(tc.header, "Bearer"), "Basic"))
			if token != "" && strings.Contains(logs, token) {
				t.Errorf("log shows the token: %s", logs)
			}
			if strings.Contains(logs, testSecret) {
				t.Errorf("log shows the secret: %s", logs)
			}
		})
	}
}

type runStarted struct {
	RunID     int64     `json:"runId"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"startedAt"`
	Started   bool      `json:"started"`
}

func TestCron_TriggerAndRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	auth := []string{"Authorization", "Bearer " + testSecret}

	rec := f.do(http.MethodPost, "/api/cron/fetch-data", auth...)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var first runStarted
	env := decodeData(t, rec, &first)
	if !env.Success || env.Message != "fetch started" || !first.Started || first.RunID == 0 ||
		first.Status != "running" || first.StartedAt.IsZero() {
		t.Errorf("first trigger = %s", rec.Body)
	}
	location := rec.Header().Get("Location")
	if want := "/api/cron/runs/" + itoa(first.RunID); location != want {
		t.Errorf("Location = %q, want %q", location, want)
	}

	t.Run("a second trigger reports the running run", func(t *testing.T) {
		rec := f.do(http.MethodPost, "/api/cron/fetch-data", auth...)
		var second runStarted
		env := decodeData(t, rec, &second)
		if rec.Code != http.StatusAccepted || second.Started || second.RunID != first.RunID ||
			env.Message != "a fetch is already running" {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("the Location reports the run", func(t *testing.T) {
		rec := f.do(http.MethodGet, location, auth...)
		var run map[string]any
		decodeData(t, rec, &run)
		if rec.Code != http.StatusOK || run["id"] != float64(first.RunID) || run["trigger"] != "cron" ||
			run["status"] != "running" || run["finishedAt"] != nil {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
		for _, k := range []string{"startedAt", "seriesTotal", "seriesDone", "windowsTotal", "windowsDone", "rowsWritten", "error"} {
			if _, ok := run[k]; !ok {
				t.Errorf("run lacks %s: %s", k, rec.Body)
			}
		}
	})
	t.Run("an unknown run is a 404", func(t *testing.T) {
		if rec := f.do(http.MethodGet, "/api/cron/runs/999999", auth...); rec.Code != http.StatusNotFound {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a run id that is not a number is a 400 naming it", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/cron/runs/abc", auth...)
		if env := decode(t, rec); rec.Code != http.StatusBadRequest || env.Errors["id"] == "" {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("runs need the token", func(t *testing.T) {
		if rec := f.do(http.MethodGet, location); rec.Code != http.StatusUnauthorized {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("readiness shows the latest run", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/cron/fetch-data", auth...)
		var ready struct {
			Ready      bool           `json:"ready"`
			Database   string         `json:"database"`
			Schedule   string         `json:"schedule"`
			Coins      []string       `json:"coins"`
			Currencies []string       `json:"currencies"`
			LatestRun  map[string]any `json:"latestRun"`
		}
		decodeData(t, rec, &ready)
		if rec.Code != http.StatusOK || !ready.Ready || ready.Database != "up" || ready.Schedule != "0 2 * * *" ||
			len(ready.Coins) != 11 || len(ready.Currencies) != 4 || ready.LatestRun["id"] != float64(first.RunID) {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
}

// failingRunner stands for a pipeline that cannot start, e.g. while the database is down.
type failingRunner struct{ err error }

func (r failingRunner) Start(context.Context, domain.Trigger) (domain.FetchRun, bool, error) {
	return domain.FetchRun{}, false, r.err
}

func TestCron_RunnerFailureHidesInternals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(d *web.Deps) { d.Runner = failingRunner{errors.New("boom: secret internal detail")} })
	rec := f.do(http.MethodPost, "/api/cron/fetch-data", "Authorization", "Bearer "+testSecret, "X-Request-Id", "req-7")
	env := decode(t, rec)
	if rec.Code != http.StatusInternalServerError || env.Message != "internal error, request id req-7" {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(f.logs.String(), "secret internal detail") || !strings.Contains(f.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the cause is not logged as an error: %s", f.logs)
	}
}

func TestServe_ShutsDownOnCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ln, err := web.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- web.Serve(ctx, f.e, ln, slogDiscard()) }()

	// The port is taken before Serve runs, so the first request is answered.
	resp, err := http.Get("http://" + addr + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health over TCP: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(web.ShutdownTimeout):
		t.Fatal("Serve did not return after its context ended")
	}
}

// panickyStore breaks one read the way a nil map or a bad index would.
type panickyStore struct{ web.Store }

func (panickyStore) Coins(context.Context) ([]domain.Coin, error) { panic("index out of range") }

func TestWeb_PanicBecomesLogged500(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(d *web.Deps) { d.Store = panickyStore{d.Store} })
	rec := f.do(http.MethodGet, "/api/coins", "X-Request-Id", "req-p")
	if env := decode(t, rec); rec.Code != http.StatusInternalServerError || env.Message != "internal error, request id req-p" {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, `"msg":"panic serving request"`) || !strings.Contains(logs, `"status":500`) {
		t.Errorf("panic not logged with its request: %s", logs)
	}
}
