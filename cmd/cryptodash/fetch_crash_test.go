package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// A user re-runs a crashed `cryptodash fetch` at once: its lease must not make them wait for
// it to lapse (30 s by default), since the killed process's database session is gone.
func TestFetch_AfterSIGKILLProceedsAtOnce(t *testing.T) {
	sim := simulator.New(simulator.Options{})
	// Market-chart calls after the first wait until the killed process is gone, so that it is
	// certainly midway when killed, however fast or slow the machine.
	var once sync.Once
	gate := make(chan struct{})
	open := func() { once.Do(func() { close(gate) }) }
	var mu sync.Mutex
	charts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/market_chart/range") {
			mu.Lock()
			charts++
			n := charts
			mu.Unlock()
			if n > 1 {
				select {
				case <-gate:
				case <-r.Context().Done():
					return
				}
			}
		}
		sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer open()
	dbURL := storetest.NewMigratedURL(t)
	env := map[string]string{
		"DATABASE_URL":         dbURL,
		"COINGECKO_BASE_URL":   srv.URL + "/api/v3",
		"COINGECKO_RATE_LIMIT": "0",
		"COINS":                "bitcoin,dogecoin",
		"CURRENCIES":           "usd,eur",
		"HISTORY_DAYS":         "200",
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "fetch")
	cmd.Env = []string{replicaEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var crashed testkit.SyncBuffer
	exited := start(t, cmd, &crashed)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	testkit.Eventually(t, time.Minute, "the first fetch to store a window", func() (bool, string) {
		select {
		case <-exited:
			t.Fatalf("the first fetch exited before it was killed:\n%s", &crashed)
		default:
		}
		var done int
		err := conn.QueryRow(ctx, `SELECT coalesce(max(windows_done), 0) FROM fetch_runs WHERE status = 'running'`).Scan(&done)
		return err == nil && done > 0, "no running run has stored a window yet"
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	killed := time.Now()
	open()

	var out bytes.Buffer
	runCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err = run(runCtx, []string{"fetch"}, envOf(env), &out, &out)
	took := time.Since(killed)
	if err != nil {
		t.Fatalf("the fetch after a SIGKILL: %v\n%s", err, &out)
	}
	// Well inside the lease's 30 s: the run did not wait for the lease to lapse.
	if took > 10*time.Second {
		t.Errorf("the fetch after a SIGKILL took %s to succeed", took)
	}
	var status, errText string
	if err := conn.QueryRow(ctx, `SELECT status, error FROM fetch_runs ORDER BY id LIMIT 1`).Scan(&status, &errText); err != nil || status != "failed" {
		t.Errorf("the killed fetch's run reads %s %q, %v; want failed", status, errText, err)
	}
	t.Logf("the fetch run at once after a SIGKILL succeeded in %s:\n%s", took.Round(time.Millisecond), &out)
}
