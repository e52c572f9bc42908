package ui

import (
	"net/url"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// maxMessageBytes bounds a field error, however long the parameter it names.
const maxMessageBytes = 600

// FuzzParseViewState feeds the dashboard's query parser any query string. Whatever it gets,
// the state is one the page can draw (known coins and currencies, at least one of each, a
// breakdown, a page, the three columns), each message is short, and the state's canonical
// URL parses back, without a message, to the same state.
func FuzzParseViewState(f *testing.F) {
	for _, seed := range []string{
		"",
		"coins=bitcoin,dogecoin&currencies=usd&range=1w&breakdown=date,coin&mode=price&scale=linear",
		"range=custom&from=2026-03-01&to=2026-03-05&orig=1m&sort=price&dir=asc&page=3&cols=coin,date,currency",
		"shown_from=2026-03-01&shown_to=2026-03-02&from=2026-02-01&to=2026-03-02&coins=&coins=bitcoin",
		"coins=nope&currencies=xyz&range=5y&breakdown=&mode=wild&scale=x&sort=volume&dir=up&page=-1&cols=date,date",
		"breakdown=currency&sort=coin&dir=desc&orig=2026-01-01..2026-02-01&range=custom&from=2026-01-10&to=2026-01-12",
	} {
		f.Add(seed)
	}
	cat := newCatalog([]domain.Coin{
		{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}, {ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"},
		{ID: "ethereum", Symbol: "eth", Name: "Ethereum"}, {ID: "solana", Symbol: "sol", Name: "Solana"},
	}, []domain.Currency{{Code: "eur", Name: "Euro"}, {Code: "try", Name: "Turkish Lira"}, {Code: "usd", Name: "US Dollar"}},
		[]string{"bitcoin", "ethereum", "dogecoin"})

	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		v, errs := parseViewState(q, cat)
		for key, msg := range errs {
			if len(msg) > maxMessageBytes || !utf8.ValidString(msg) {
				t.Errorf("%s: message of %d bytes: %.100q", key, len(msg), msg)
			}
		}
		checkNames(t, "coins", v.Coins, cat.coins)
		checkNames(t, "currencies", v.Currencies, cat.currencies)
		if v.Breakdown == (domain.Breakdown{}) || v.Page < 1 || !isPermutation(v.Cols, defaultCols) ||
			(v.Mode != chart.ModePrice && v.Mode != chart.ModePercent) || (v.Scale != chart.ScaleLog && v.Scale != chart.ScaleLinear) {
			t.Fatalf("a state the page cannot draw: %+v", v)
		}
		if !v.Range.custom() && presetDays(v.Range.preset) == 0 {
			t.Fatalf("no range: %+v", v.Range)
		}
		if !slices.Contains(v.visibleCols(), v.Sort) {
			t.Fatalf("sorted by %q, not a column of %v", v.Sort, v.visibleCols())
		}

		canonical := v.Query()
		again, errs := parseViewState(canonical, cat)
		if len(errs) > 0 {
			t.Fatalf("the canonical URL %q has errors: %v", canonical.Encode(), errs)
		}
		if got := again.Query().Encode(); got != canonical.Encode() {
			t.Fatalf("the canonical URL does not come back:\n%s\n%s", canonical.Encode(), got)
		}
	})
}

func checkNames[T any](t *testing.T, param string, names []string, known map[string]T) {
	t.Helper()
	if len(names) == 0 {
		t.Fatalf("%s: none", param)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if _, ok := known[n]; !ok || seen[n] {
			t.Fatalf("%s: %q unknown or repeated in %v", param, n, names)
		}
		seen[n] = true
	}
}
