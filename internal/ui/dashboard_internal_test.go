package ui

import (
	"fmt"
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
