package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// A run whose process died stops renewing its lease; once the sweep of lapsed runs (the
// pipeline's, in serve) has closed it the cron endpoint reports it failed, not running, and a
// trigger starts a new run. Reading the endpoint itself never closes a run.
func TestCron_DeadRunIsNotShownAsLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	auth := []string{"Authorization", "Bearer " + testSecret}
	dead, fence, err := f.store.StartRun(context.Background(), domain.RunClaim{Trigger: domain.TriggerCron, TTL: 200 * time.Millisecond})
	if err != nil || fence == 0 {
		t.Fatal(fence, err)
	}
	var status struct {
		LatestRun struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			Error  string `json:"error"`
		} `json:"latestRun"`
	}
	decodeData(t, f.do(http.MethodGet, "/api/cron/fetch-data", auth...), &status)
	if status.LatestRun.ID != dead.ID || status.LatestRun.Status != "running" {
		t.Fatalf("latest run before any sweep = %+v, want %d running", status.LatestRun, dead.ID)
	}
	testkit.Eventually(t, 30*time.Second, "the sweep to close the dead run", func() (bool, string) {
		n, err := f.store.CloseLapsedRuns(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n == 1, fmt.Sprintf("closed %d runs, want run %d", n, dead.ID)
	})
	decodeData(t, f.do(http.MethodGet, "/api/cron/fetch-data", auth...), &status)
	if status.LatestRun.ID != dead.ID || status.LatestRun.Status != "failed" || status.LatestRun.Error == "" {
		t.Errorf("latest run = %+v, want %d failed with a reason", status.LatestRun, dead.ID)
	}
	rec := f.do(http.MethodPost, "/api/cron/fetch-data", auth...)
	var started runStarted
	decodeData(t, rec, &started)
	if rec.Code != http.StatusAccepted || !started.Started || started.RunID == dead.ID {
		t.Errorf("trigger after the lapse: %d %s", rec.Code, rec.Body)
	}
}
