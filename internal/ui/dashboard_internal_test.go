package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func TestPageWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		page, pages int
		want        string
	}{
		{1, 1, "[1]"},
		{1, 2, "[1 2]"},
		{1, 18, "[1 2 0 18]"},
		{3, 18, "[1 2 3 4 0 18]"},
		{4, 18, "[1 2 3 4 5 0 18]"},
		{5, 18, "[1 0 4 5 6 0 18]"},
		{9, 18, "[1 0 8 9 10 0 18]"},
		{16, 18, "[1 0 15 16 17 18]"},
		{18, 18, "[1 0 17 18]"},
		{2, 5, "[1 2 3 4 5]"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("page %d of %d", tt.page, tt.pages), func(t *testing.T) {
			if got := fmt.Sprint(pageWindow(tt.page, tt.pages)); got != tt.want {
				t.Errorf("got %s, want %s (0 is an ellipsis)", got, tt.want)
			}
		})
	}
}

func TestCatalogDescription(t *testing.T) {
	coin := func(id, name string) domain.Coin { return domain.Coin{ID: id, Name: name} }
	usd, eur := domain.Currency{Code: "usd"}, domain.Currency{Code: "eur"}
	for _, tc := range []struct {
		coins      []domain.Coin
		currencies []domain.Currency
		want       string
	}{
		{nil, nil, "Hourly and daily cryptocurrency prices, waiting for their first fetch."},
		{[]domain.Coin{coin("bitcoin", "Bitcoin")}, []domain.Currency{usd},
			"Hourly and daily prices of Bitcoin in USD: change over time, charts, tables and CSV."},
		// The default coins lead, the others follow in the catalog's order and are counted
		// once there are more than four.
		{[]domain.Coin{coin("aave", "Aave"), coin("bitcoin", "Bitcoin"), coin("cardano", "Cardano"),
			coin("dogecoin", "Dogecoin"), coin("ethereum", "Ethereum")}, []domain.Currency{eur, usd},
			"Hourly and daily prices of Bitcoin, Ethereum, Aave and 2 more coins in EUR and USD: change over time, charts, tables and CSV."},
	} {
		c := newCatalog(tc.coins, tc.currencies, []string{"bitcoin", "ethereum"})
		if got := c.description(); got != tc.want {
			t.Errorf("description of %d coins:\n got %q\nwant %q", len(tc.coins), got, tc.want)
		}
	}
}

func TestDashboard_Narrow(t *testing.T) {
	t.Parallel()
	coins := make([]string, 70)
	for i := range coins {
		coins[i] = fmt.Sprintf("coin-%02d", i)
	}
	for _, tc := range []struct {
		coins, currencies, wantCoins int
	}{
		{70, 1, 60}, {70, 4, 15}, {7, 10, 6}, {11, 4, 11}, {2, 30, 2},
	} {
		t.Run(fmt.Sprintf("%d coins x %d currencies", tc.coins, tc.currencies), func(t *testing.T) {
			curs := make([]string, tc.currencies)
			for i := range curs {
				curs[i] = fmt.Sprintf("c%02d", i)
			}
			d := &dashboard{state: ViewState{Coins: coins[:tc.coins], Currencies: curs}, errs: domain.FieldErrors{}}
			d.narrow()
			if len(d.state.Coins) != tc.wantCoins || len(d.state.Coins)*len(d.state.Currencies) > maxSeries {
				t.Fatalf("kept %d coins x %d currencies, want %d coins", len(d.state.Coins), len(d.state.Currencies), tc.wantCoins)
			}
			narrowed := tc.coins*tc.currencies > maxSeries
			if msg := d.errs["coins"]; narrowed != (msg != "") || (narrowed && !strings.Contains(msg, "Choose fewer coins or currencies")) {
				t.Errorf("message %q for %d series", msg, tc.coins*tc.currencies)
			}
		})
	}
}
