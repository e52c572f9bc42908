package ui_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestDashboard_Page(t *testing.T) {
	ts := newTestServer(t, 40)

	t.Run("default view", func(t *testing.T) {
		r := ts.getBoth(t, "/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		if testids(r, "simulated-banner").Length() != 0 {
			t.Error("banner shown for real data")
		}
		for _, coin := range []string{"bitcoin", "ethereum", "dogecoin"} {
			if _, ok := testids(r, "option-coins-"+coin).Find("input").Attr("checked"); !ok {
				t.Errorf("default coin %s not checked", coin)
			}
		}
		if got := testids(r, "showing").Text(); got != "Showing 1–10 of 180" {
			t.Errorf("showing %q", got)
		}
		if n := testids(r, "row").Length(); n != 10 {
			t.Errorf("%d rows, want 10", n)
		}
		if got := testids(r, "data-through").Text(); !strings.Contains(got, "Data through 2026-03-10 14:00 UTC · today is partial") {
			t.Errorf("data-through %q", got)
		}
		if !strings.Contains(testids(r, "chart").AttrOr("data-options", ""), `"series"`) {
			t.Error("chart options not embedded as JSON data")
		}
		r.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if _, src := s.Attr("src"); !src {
				t.Errorf("inline script: %s", s.Text())
			}
		})
		if h := r.header.Get("Cache-Control"); h != "" {
			t.Errorf("handler set Cache-Control %q", h)
		}
	})

	t.Run("simulated data shows the banner", func(t *testing.T) {
		if err := ts.store.MarkSimulated(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"/", "/status"} {
			r := ts.get(t, u, false)
			if got := strings.TrimSpace(testids(r, "simulated-banner").Text()); got != "Simulated prices — not real market data" {
				t.Errorf("%s banner %q", u, got)
			}
		}
	})

	t.Run("one day is hourly", func(t *testing.T) {
		r := ts.getBoth(t, "/?range=1d&currencies=usd&coins=bitcoin")
		if got := testids(r, "showing").Text(); got != "Showing 1–10 of 24" {
			t.Errorf("showing %q", got)
		}
		if got := testids(r, "row").First().Find("td").First().Text(); got != "2026-03-10 14:00" {
			t.Errorf("first date %q", got)
		}
	})
}

func TestDashboard_BadViewState(t *testing.T) {
	ts := newTestServer(t, 40)
	tests := []struct {
		name, query, testid, want string
	}{
		{"unknown coin", "coins=nope", "error-coins", "Unknown coin nope"},
		{"some unknown coins", "coins=bitcoin,nope", "error-coins", "left out"},
		{"no coin", "coins=", "error-coins", "Choose at least one coin"},
		{"no currency", "currencies=", "error-currencies", "Choose at least one currency"},
		{"unknown currency", "currencies=xyz", "error-currencies", "Unknown currency xyz"},
		{"bad date", "range=custom&from=2026-02-30&to=2026-03-01", "error-range", "is not a date"},
		{"reversed range", "range=custom&from=2026-03-05&to=2026-03-01", "error-range", "after the end date"},
		{"unknown range", "range=5y", "error-range", "Unknown range"},
		{"empty breakdown", "breakdown=", "error-breakdown", "at least one breakdown"},
		{"bad mode", "mode=wild", "error-mode", "Unknown value mode"},
		{"bad page", "page=abc", "notice", "not a page number"},
		{"bad sort", "sort=volume", "notice", "Cannot sort by"},
		{"bad column order", "cols=date,date,coin", "notice", "column order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/?", "/partials/dashboard?"} {
				r := ts.getBoth(t, path+tt.query)
				if r.status != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400", path, r.status)
				}
				if got := testids(r, tt.testid).Text(); !strings.Contains(got, tt.want) {
					t.Errorf("%s: %s = %q, want %q", path, tt.testid, got, tt.want)
				}
				if testids(r, "price-table").Length() != 1 {
					t.Errorf("%s: no fallback table", path)
				}
			}
		})
	}
}

func TestDashboard_Partials(t *testing.T) {
	ts := newTestServer(t, 40)

	t.Run("dashboard partial pushes the canonical page URL", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/dashboard?coins=dogecoin&coins=bitcoin&currencies=usd&range=1w&breakdown=date&breakdown=coin&mode=pct")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		want := "/?breakdown=date%2Ccoin&coins=dogecoin%2Cbitcoin&currencies=usd&mode=pct&range=1w"
		if got := r.header.Get("HX-Push-Url"); got != want {
			t.Errorf("HX-Push-Url %q, want %q", got, want)
		}
		if r.doc.Find("html").Length() != 0 && strings.Contains(r.body, "<html") {
			t.Error("partial rendered a whole page")
		}
		if testids(r, "results").Length() != 1 || testids(r, "chart").Length() != 1 {
			t.Error("partial lacks results or chart")
		}
		if got := testids(r, "showing").Text(); got != "Showing 1–10 of 14" {
			t.Errorf("showing %q", got)
		}
		if testids(r, "error-coins").AttrOr("hx-swap-oob", "") != "true" {
			t.Error("field error slots are not refreshed out of band")
		}
	})

	t.Run("sorting", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/table?sort=price&dir=asc")
		if got := testids(r, "row").First().Find("td").Last().Text(); got != "$0.0772" && !strings.HasPrefix(got, "$0.07") {
			t.Errorf("cheapest row price %q", got)
		}
		if testids(r, "col-price").AttrOr("aria-sort", "") != "ascending" {
			t.Error("price column not marked ascending")
		}
		next := testids(r, "sort-price").AttrOr("hx-get", "")
		if !strings.Contains(next, "dir=desc") || !strings.HasPrefix(next, "/partials/table?") {
			t.Errorf("sort link %q does not reverse the order", next)
		}
	})

	t.Run("pagination", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/table?page=2")
		if got := testids(r, "showing").Text(); got != "Showing 11–20 of 180" {
			t.Errorf("showing %q", got)
		}
		if got := testids(r, "page-current").Text(); got != "2" {
			t.Errorf("current page %q", got)
		}
		if href := testids(r, "page-next").AttrOr("href", ""); !strings.Contains(href, "page=3") || !strings.HasPrefix(href, "/?") {
			t.Errorf("next link %q", href)
		}
		last := ts.get(t, "/partials/table?page=99", false)
		if got := testids(last, "showing").Text(); got != "Showing 171–180 of 180" {
			t.Errorf("page past the end shows %q", got)
		}
	})

	t.Run("column order", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/table?cols=coin,date,currency")
		var keys []string
		r.doc.Find("th[data-col]").Each(func(_ int, s *goquery.Selection) { keys = append(keys, s.AttrOr("data-col", "")) })
		if got := strings.Join(keys, ","); got != "coin,date,currency,price" {
			t.Errorf("columns %s", got)
		}
		if href := testids(r, "move-right-coin").AttrOr("href", ""); !strings.Contains(href, "cols=date%2Ccoin%2Ccurrency") && href != "/" {
			t.Errorf("move right link %q", href)
		}
		if r.doc.Find(`input[name="cols"][form="controls"]`).AttrOr("value", "") != "coin,date,currency" {
			t.Error("column order not kept for the form")
		}
	})

	t.Run("breakdown without date draws bars", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/dashboard?breakdown=coin")
		if !strings.Contains(testids(r, "chart").AttrOr("data-options", ""), `"kind":"bar"`) {
			t.Error("no bar chart without the date breakdown")
		}
		if got := testids(r, "showing").Text(); got != "Showing 1–3 of 3" {
			t.Errorf("showing %q", got)
		}
	})
}

func TestDashboard_CSV(t *testing.T) {
	ts := newTestServer(t, 40)
	r := ts.getBoth(t, "/dashboard.csv?cols=currency,coin,date&sort=price&dir=desc")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "currency,coin,date,price" {
		t.Errorf("header %s", got)
	}
	if len(recs) != 181 {
		t.Errorf("%d data rows, want the whole result of 180", len(recs)-1)
	}
	if recs[1][0] != "TRY" || recs[1][1] != "bitcoin" {
		t.Errorf("first row %v, want the most expensive (bitcoin in TRY)", recs[1])
	}
	if bad := ts.get(t, "/dashboard.csv?coins=nope", false); bad.status != http.StatusBadRequest {
		t.Errorf("bad CSV link status %d", bad.status)
	}
}

func TestDashboard_EmptyDatabase(t *testing.T) {
	ts := newTestServer(t, 0)
	r := ts.getBoth(t, "/")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	if !strings.Contains(testids(r, "empty-state").Text(), "cryptodash fetch") {
		t.Error("empty state does not say how to get data")
	}
	s := ts.get(t, "/status", false)
	if !strings.Contains(testids(s, "status-empty").Text(), "cryptodash fetch") {
		t.Error("status empty state does not say how to get data")
	}
}
