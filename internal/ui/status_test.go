package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
)

func TestStatus(t *testing.T) {
	ts := newTestServer(t, 2)
	ctx := context.Background()

	idle := ts.getBoth(t, "/status")
	if idle.status != http.StatusOK {
		t.Fatalf("status %d", idle.status)
	}
	if n := testids(idle, "freshness-row").Length(); n != 12 {
		t.Errorf("%d freshness rows, want 12", n)
	}
	if _, polling := testids(idle, "status-content").Attr("hx-trigger"); polling {
		t.Error("idle status page polls")
	}
	if testids(idle, "runs-empty").Length() != 1 {
		t.Error("no empty runs message")
	}

	run, err := ts.store.StartRun(ctx, domain.TriggerCron)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.store.UpdateRun(ctx, run.ID, store.RunProgress{SeriesTotal: 12, SeriesDone: 3, WindowsTotal: 40, WindowsDone: 10, RowsWritten: 1234}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"/status", "/partials/status"} {
		r := ts.getBoth(t, u)
		content := testids(r, "status-content")
		if content.AttrOr("hx-trigger", "") != "every 2s" || content.AttrOr("hx-get", "") != "/partials/status" {
			t.Errorf("%s: running run is not polled", u)
		}
		bar := testids(r, "run-progress").Find(`[role="progressbar"]`)
		if bar.AttrOr("aria-valuenow", "") != "10" || bar.AttrOr("aria-valuemax", "") != "40" {
			t.Errorf("%s: progress bar %v/%v", u, bar.AttrOr("aria-valuenow", ""), bar.AttrOr("aria-valuemax", ""))
		}
		if !strings.Contains(testids(r, "progress-bar").Text(), "10 / 40 · 25%") {
			t.Errorf("%s: progress text %q", u, testids(r, "progress-bar").Text())
		}
	}

	if _, err := ts.store.FinishRun(ctx, run.ID, domain.RunPartial, store.RunProgress{SeriesTotal: 12, SeriesDone: 11}, "dogecoin/try: HTTP 500"); err != nil {
		t.Fatal(err)
	}
	done := ts.getBoth(t, "/partials/status")
	if _, polling := testids(done, "status-content").Attr("hx-trigger"); polling {
		t.Error("polling goes on after the run finished")
	}
	if got := testids(done, "run-error").First().Text(); got != "dogecoin/try: HTTP 500" {
		t.Errorf("run error %q", got)
	}
	if got := testids(done, "run-status").First().Text(); got != "partial" {
		t.Errorf("run status %q", got)
	}
	// The seeded hours end 90 minutes before the test clock: fresh, not stale.
	if testids(done, "freshness-row").First().AttrOr("data-stale", "") != "false" {
		t.Error("fresh series marked stale")
	}
}
