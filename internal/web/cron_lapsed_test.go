package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// A run whose process died stops renewing its lease; from the moment the lease lapses the
// cron endpoint reports it failed, not running, and a trigger starts a new run.
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
	deadline := time.Now().Add(30 * time.Second)
	for {
		rec := f.do(http.MethodGet, "/api/cron/fetch-data", auth...)
		decodeData(t, rec, &status)
		if status.LatestRun.Status != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %d still shown running long after its lease lapsed", dead.ID)
		}
		time.Sleep(50 * time.Millisecond)
	}
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
