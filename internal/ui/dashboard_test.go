package ui_test

import (
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cryptodash/cryptodash/static"
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

	t.Run("hover cards keep out of the form's requests", func(t *testing.T) {
		r := ts.get(t, "/", false)
		if got := testids(r, "controls").AttrOr("hx-disinherit", ""); got != "*" {
			t.Errorf("form hx-disinherit %q: its hx-sync, target and indicator reach the hover cards", got)
		}
		hovers := testids(r, "coin-hover")
		if hovers.Length() == 0 {
			t.Fatal("no hover cards")
		}
		hovers.Each(func(_ int, h *goquery.Selection) {
			if got := h.AttrOr("hx-sync", ""); got != "this:drop" {
				t.Errorf("%s: hx-sync %q, want its own queue", h.AttrOr("data-coin", ""), got)
			}
			if trig := h.AttrOr("hx-trigger", ""); strings.Contains(trig, "once") {
				t.Errorf("%s: trigger %q cannot retry after a failed load", h.AttrOr("data-coin", ""), trig)
			}
		})
	})

	t.Run("the layout links a favicon", func(t *testing.T) {
		r := ts.get(t, "/", false)
		href := r.doc.Find(`link[rel="icon"]`).AttrOr("href", "")
		if href != static.Path("img/favicon.svg") {
			t.Errorf("icon link %q", href)
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

// A 1D view is the 24 hours ending at the newest stored hour, whatever the breakdown: without
// the date, each group's mean must cover those hours, not the two UTC days they touch.
func TestDashboard_OneDayMeanCoversTwentyFourHours(t *testing.T) {
	ts := newTestServer(t, 40)
	hourly := readCSV(t, ts, "/dashboard.csv?range=1d&coins=bitcoin&currencies=usd")
	if len(hourly) != 25 {
		t.Fatalf("%d hourly rows, want 24", len(hourly)-1)
	}
	var sum float64
	for _, rec := range hourly[1:] {
		sum += parseFloat(t, rec[len(rec)-1])
	}
	want := sum / 24

	for _, breakdown := range []string{"coin", "currency", "coin,currency"} {
		mean := readCSV(t, ts, "/dashboard.csv?range=1d&coins=bitcoin&currencies=usd&breakdown="+breakdown)
		if len(mean) != 2 {
			t.Fatalf("%s: %d rows, want 1", breakdown, len(mean)-1)
		}
		if got := parseFloat(t, mean[1][len(mean[1])-1]); math.Abs(got-want) > 1e-9*want {
			t.Errorf("breakdown %s: mean %v, want the mean of the 24 hours shown, %v", breakdown, got, want)
		}
	}
}

func readCSV(t *testing.T, ts *testServer, target string) [][]string {
	t.Helper()
	r := ts.get(t, target, false)
	if r.status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", target, r.status, r.body)
	}
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDashboard_MixedCurrencies(t *testing.T) {
	ts := newTestServer(t, 40)
	tests := []struct {
		name, query, unit, price string
		note                     bool
	}{
		{"several currencies without the currency column", "coins=bitcoin&currencies=usd,try&breakdown=date,coin", "(mixed currencies)", "", true},
		{"one currency without the currency column", "coins=bitcoin&currencies=try&breakdown=date,coin", "(TRY)", "₺", false},
		{"the currency column names each row's", "coins=bitcoin&currencies=usd,try", "", "₺", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.getBoth(t, "/partials/dashboard?"+tt.query)
			if got := testids(r, "unit-price").Text(); got != tt.unit {
				t.Errorf("price header unit %q, want %q", got, tt.unit)
			}
			note := testids(r, "mixed-currencies").Text()
			if tt.note != (note != "") || tt.note && !strings.Contains(note, "USD and TRY") {
				t.Errorf("mixed-currency note %q", note)
			}
			price := testids(r, "row").First().Find("td").Last().Text()
			if tt.price == "" && strings.ContainsAny(price, "$₺") || tt.price != "" && !strings.HasPrefix(price, tt.price) {
				t.Errorf("price %q, want symbol %q", price, tt.price)
			}
		})
	}
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
		for _, id := range []string{"coin-options-box", "fieldset-currencies", "fieldset-range", "fieldset-breakdown", "fieldset-mode", "fieldset-scale"} {
			if r.doc.Find("#"+id).AttrOr("hx-swap-oob", "") != "true" {
				t.Errorf("#%s is not swapped out of band", id)
			}
		}
		if r.doc.Find("#coin-search").Length() != 0 {
			t.Error("the partial replaces the coin search box, losing what the user typed")
		}
		for _, f := range []string{"coins", "currencies", "range", "breakdown", "mode", "scale"} {
			if testids(r, "error-"+f).Length() != 1 {
				t.Errorf("no message slot for %s", f)
			}
		}
	})

	// A zoom swaps only #results; unless the form learns the new range from the partial, the
	// next control change sends the old range and undoes the zoom.
	t.Run("dashboard partial refreshes the range controls after a zoom", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/dashboard?range=custom&from=2026-03-08&to=2026-03-09&orig=3m")
		fs := r.doc.Find("#fieldset-range")
		if fs.AttrOr("hx-swap-oob", "") != "true" {
			t.Fatal("range fieldset not out of band")
		}
		if _, ok := fs.Find(`input[name="range"][value="custom"]`).Attr("checked"); !ok {
			t.Error("custom range not checked")
		}
		if n := fs.Find(`input[name="range"][checked]`).Length(); n != 1 {
			t.Errorf("%d ranges checked", n)
		}
		if from, to := fs.Find(`input[name="from"]`).AttrOr("value", ""), fs.Find(`input[name="to"]`).AttrOr("value", ""); from != "2026-03-08" || to != "2026-03-09" {
			t.Errorf("dates %s .. %s", from, to)
		}
		if orig := fs.Find(`input[type="hidden"][name="orig"]`).AttrOr("value", ""); orig != "3m" {
			t.Errorf("orig %q, want 3m so the next change keeps Reset zoom", orig)
		}
		// The next control change sends the whole form, orig included: the zoom survives.
		next := ts.get(t, "/partials/dashboard?coins=bitcoin&range=custom&from=2026-03-08&to=2026-03-09&orig=3m", false)
		if testids(next, "reset-zoom").AttrOr("hx-get", "") == "" || !strings.Contains(testids(next, "data-through").Text(), "hourly") {
			t.Error("a control change after a zoom lost the zoom")
		}
	})

	t.Run("picking a preset range ends the zoom", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/dashboard?range=1w&orig=3m")
		if r.doc.Find(`input[name="orig"]`).Length() != 0 {
			t.Error("orig kept with a preset range")
		}
		if _, ok := r.doc.Find("#input-range-1w").Attr("checked"); !ok {
			t.Error("1W not checked")
		}
		if testids(r, "reset-zoom").AttrOr("hx-get", "") != "" {
			t.Error("reset zoom offered for a range the user picked")
		}
	})

	t.Run("dashboard partial shows the choices the server corrected", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/dashboard?breakdown=&coins=nope")
		for _, dim := range []string{"date", "coin", "currency"} {
			if _, ok := r.doc.Find("#fieldset-breakdown #input-breakdown-" + dim).Attr("checked"); !ok {
				t.Errorf("breakdown %s not checked after an empty breakdown fell back to all three", dim)
			}
		}
		for _, coin := range []string{"bitcoin", "ethereum", "dogecoin"} {
			if _, ok := r.doc.Find("#coin-options-box #input-coins-" + coin).Attr("checked"); !ok {
				t.Errorf("default coin %s not checked after an unknown coin", coin)
			}
		}
		if got := testids(r, "error-breakdown").Text(); !strings.Contains(got, "at least one breakdown") {
			t.Errorf("breakdown message %q", got)
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

	t.Run("problems are listed in a stable order", func(t *testing.T) {
		const link = "/dashboard.csv?scale=odd&coins=nope&range=5y&mode=wild&currencies=xyz&breakdown=hue"
		first := ts.get(t, link, false)
		lines := strings.Split(strings.TrimSpace(first.body), "\n")
		want := []string{"Unknown breakdown", "Unknown coin", "Unknown currency", "Unknown value mode", "Unknown range", "Unknown scale"}
		if len(lines) != len(want)+1 {
			t.Fatalf("body %q", first.body)
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[i+1], w) {
				t.Errorf("line %d %q, want %s… (sorted by parameter)", i+1, lines[i+1], w)
			}
		}
		for range 20 {
			if again := ts.get(t, link, false); again.body != first.body {
				t.Fatalf("order changed:\n%s\nvs\n%s", first.body, again.body)
			}
		}
	})
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
