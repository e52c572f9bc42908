package route_test

import (
	"net/url"
	"testing"

	"github.com/cryptodash/cryptodash/internal/ui/route"
)

func TestBuilders(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{route.CoinURL("bitcoin", nil), "/coins/bitcoin"},
		{route.CoinURL("bitcoin", url.Values{}), "/coins/bitcoin"},
		{route.CoinURL("avalanche-2", url.Values{"range": {"1y"}, "currency": {"eur"}}), "/coins/avalanche-2?currency=eur&range=1y"},
		{route.CoinCSVURL("bitcoin", url.Values{"currency": {"try"}}), "/coins/bitcoin/days.csv?currency=try"},
		{route.CoinCardURL("bitcoin"), "/partials/coins/bitcoin/card"},
		// An id is one path segment whatever it holds.
		{route.CoinURL("a/b?c", nil), "/coins/a%2Fb%3Fc"},
		{route.WithQuery(route.Dashboard, ""), "/"},
		{route.WithQuery(route.Dashboard, "range=1y"), "/?range=1y"},
		{route.LoginURL("/?coins=bitcoin&range=1y"), "/login?next=%2F%3Fcoins%3Dbitcoin%26range%3D1y"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
