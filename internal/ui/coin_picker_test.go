package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// chips is the coin ids the form offers, in order.
func chips(doc *goquery.Document) []string {
	var ids []string
	doc.Find(`[data-testid="coin-options"] input[name="coins"]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("value", ""))
	})
	return ids
}

func TestDashboard_CoinPicker(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 3)
	ctx := context.Background()

	t.Run("a small catalogue offers every coin", func(t *testing.T) {
		r := ts.getBoth(t, "/")
		if got := chips(r.doc); len(got) != 4 {
			t.Fatalf("chips %v, want the 4 stored coins", got)
		}
		if r.doc.Find(`[data-testid="coin-picker-note"]`).Length() != 0 {
			t.Error("a picker note beside every coin")
		}
	})

	// 40 more coins, ranked 1..40 in the reverse of their names' order, and one unranked.
	var coins []domain.Coin
	for i := range 41 {
		coins = append(coins, domain.Coin{ID: fmt.Sprintf("extra-%02d", i), Symbol: fmt.Sprintf("x%02d", i), Name: fmt.Sprintf("Extra %02d", i)})
	}
	if err := ts.store.UpsertCoins(ctx, coins); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		rank := 40 - i
		if err := ts.store.UpsertMetadata(ctx, domain.Metadata{CoinID: coins[i].ID, Market: domain.MarketData{Rank: &rank}}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("the chosen coins and the top by market cap", func(t *testing.T) {
		r := ts.getBoth(t, "/?coins=bitcoin,extra-40")
		got := chips(r.doc)
		if len(got) != 12 {
			t.Fatalf("%d chips, want 12: %v", len(got), got)
		}
		// Chosen first, in the catalogue's order (by name), then rank 1, 2, …
		want := []string{"bitcoin", "extra-40", "extra-39", "extra-38", "extra-37"}
		if !slices.Equal(got[:5], want) {
			t.Errorf("chips start %v, want %v", got[:5], want)
		}
		checked := r.doc.Find(`[data-testid="coin-options"] input[name="coins"][checked]`).Length()
		if checked != 2 {
			t.Errorf("%d chips ticked, want the 2 chosen", checked)
		}
		note := r.doc.Find(`[data-testid="coin-picker-note"]`).Text()
		if !strings.Contains(note, "top 10 of 45") {
			t.Errorf("note %q", note)
		}
		search := r.doc.Find(`[data-testid="coin-search"]`)
		if search.AttrOr("name", "") != "coin_search" || search.AttrOr("hx-get", "") != "/partials/coin-picker" {
			t.Errorf("the search box is not a form field that also asks the server: %s", goquery.NodeName(search))
		}
	})

	t.Run("a search, as the form submits it without scripts", func(t *testing.T) {
		r := ts.getBoth(t, "/?coins=bitcoin&coin_search=extra+0")
		got := chips(r.doc)
		// bitcoin, then extra-00..09 by rank: 09 is rank 31, 00 rank 40.
		want := []string{"bitcoin", "extra-09", "extra-08", "extra-07", "extra-06", "extra-05", "extra-04",
			"extra-03", "extra-02", "extra-01", "extra-00"}
		if !slices.Equal(got, want) {
			t.Errorf("chips %v, want %v", got, want)
		}
		if v := r.doc.Find(`[data-testid="coin-search"]`).AttrOr("value", ""); v != "extra 0" {
			t.Errorf("search box holds %q", v)
		}
		if note := r.doc.Find(`[data-testid="coin-picker-note"]`).Text(); !strings.Contains(note, "Every coin matching") {
			t.Errorf("note %q", note)
		}
	})

	t.Run("the partial the search box swaps in", func(t *testing.T) {
		r := ts.getBoth(t, "/partials/coin-picker?coins=ethereum&coin_search=DOGE")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		if got := chips(r.doc); !slices.Equal(got, []string{"ethereum", "dogecoin"}) {
			t.Errorf("chips %v, want ethereum (chosen) and dogecoin (its symbol matches)", got)
		}
		if r.doc.Find("#coin-options-box").Length() != 1 || r.doc.Find("html body form").Length() != 0 {
			t.Errorf("not the chips box alone: %s", r.body)
		}
		if none := ts.getBoth(t, "/partials/coin-picker?coin_search=zzz"); !strings.Contains(none.doc.Find(`[data-testid="coin-picker-note"]`).Text(), "No other coin matches") {
			t.Errorf("no match: %s", none.body)
		}
	})
}
