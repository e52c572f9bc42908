package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 2)
	ctx := context.Background()

	idle := ts.getBoth(t, "/status")
	if idle.status != http.StatusOK {
		t.Fatalf("status %d", idle.status)
	}
	// One row per coin, one cell per currency: 4 rows of 3, not 12 rows.
	if n := testids(idle, "freshness-row").Length(); n != 4 {
		t.Errorf("%d freshness rows, want one per coin (4)", n)
	}
	if n := testids(idle, "freshness-cell").Length(); n != 12 {
		t.Errorf("%d freshness cells, want one per series (12)", n)
	}
	var heads []string
	testids(idle, "freshness-table").Find("thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.Text()) })
	if got := strings.Join(heads, ","); got != "Coin,EUR,TRY,USD" {
		t.Errorf("freshness columns %s", got)
	}
	btc := testids(idle, "freshness-table").Find(`[data-testid="freshness-row"][data-coin="bitcoin"]`)
	if got := btc.Find("th").Text(); got != "BTC · Bitcoin" {
		t.Errorf("bitcoin row header %q", got)
	}
	cell := btc.Find(`[data-series="bitcoin/usd"]`)
	if got := cell.Find(`[data-testid="freshness-last"]`).Text(); got != "2026-03-10 14:00" {
		t.Errorf("bitcoin/usd last hour %q", got)
	}
	if got := strings.TrimSpace(cell.Find(`[data-testid="freshness-age"]`).Text()); got != "1 h" {
		t.Errorf("bitcoin/usd age %q", got)
	}
	if got := testids(idle, "freshness-summary").Text(); got != "12 series · 12 fresh" {
		t.Errorf("summary %q", got)
	}
	if _, polling := testids(idle, "status-content").Attr("hx-trigger"); polling {
		t.Error("idle status page polls")
	}
	if testids(idle, "runs-empty").Length() != 1 {
		t.Error("no empty runs message")
	}

	run, _, err := ts.store.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCron, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// A run that has not counted its work yet says so, rather than "0 / 0 · 0%".
	starting := ts.getBoth(t, "/status")
	if got := testids(starting, "run-progress").Find("h2").Text(); !strings.HasSuffix(got, "started just now") {
		t.Errorf("new run heading %q", got)
	}
	if got := testids(starting, "progress-text").Text(); got != "Starting…" {
		t.Errorf("progress text %q before the totals are known", got)
	}
	bar := testids(starting, "run-progress").Find(`[role="progressbar"]`)
	if _, now := bar.Attr("aria-valuenow"); now || bar.AttrOr("data-indeterminate", "") != "true" {
		t.Error("the bar of a starting run is not indeterminate")
	}
	if testids(starting, "run-counts").Length() != 0 {
		t.Error("a starting run shows 0 / 0 series")
	}
	if err := ts.store.UpdateRun(ctx, run.ID, domain.RunProgress{SeriesTotal: 12, SeriesDone: 3, WindowsTotal: 40, WindowsDone: 10, RowsWritten: 1234}); err != nil {
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

	if _, err := ts.store.FinishRun(ctx, run.ID, domain.RunPartial, domain.RunProgress{SeriesTotal: 12, SeriesDone: 11, HoursMissing: 1234}, "dogecoin/try: HTTP 500"); err != nil {
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
	if got := testids(done, "run-missing").First().Text(); got != "1,234 hours missing" {
		t.Errorf("hours missing after the run %q", got)
	}
	// The seeded hours end 90 minutes before the test clock: fresh, not stale.
	if testids(done, "freshness-row").First().AttrOr("data-stale", "") != "false" ||
		testids(done, "freshness-cell").First().AttrOr("data-stale", "") != "false" {
		t.Error("fresh series marked stale")
	}
}

func TestStatus_StaleAndMissingSeries(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 2)
	ctx := context.Background()
	if err := ts.store.UpsertCoins(ctx, []domain.Coin{{ID: "cardano", Symbol: "ada", Name: "Cardano"}}); err != nil {
		t.Fatal(err)
	}
	old := []domain.Sample{{Time: latest.Add(-72 * time.Hour), Price: 0.5}}
	if _, err := ts.store.StoreHourly(ctx, domain.Series{CoinID: "cardano", CurrencyCode: "usd"}, old); err != nil {
		t.Fatal(err)
	}
	r := ts.getBoth(t, "/status")
	row := testids(r, "freshness-table").Find(`[data-testid="freshness-row"][data-coin="cardano"]`)
	if row.AttrOr("data-stale", "") != "true" {
		t.Error("a coin with a stale series is not marked")
	}
	usd, eur := row.Find(`[data-series="cardano/usd"]`), row.Find(`[data-series="cardano/eur"]`)
	if usd.AttrOr("data-stale", "") != "true" || !strings.Contains(usd.Text(), "stale") || !strings.Contains(usd.Text(), "3 d 1 h") {
		t.Errorf("stale cell %q (data-stale %q)", strings.Join(strings.Fields(usd.Text()), " "), usd.AttrOr("data-stale", ""))
	}
	if eur.AttrOr("data-missing", "") != "true" || !strings.Contains(eur.Text(), "no data yet") {
		t.Errorf("missing cell %q", eur.Text())
	}
	if got := testids(r, "freshness-summary").Text(); got != "15 series · 12 fresh · 1 stale · 2 without data" {
		t.Errorf("summary %q", got)
	}
}
