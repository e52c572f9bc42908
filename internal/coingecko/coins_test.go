package coingecko

import (
	"context"
	"strings"
	"testing"
)

func TestCoin_RecordedBitcoin(t *testing.T) {
	c, last := serveBody(t, recorded(t, "coin_bitcoin_full_2021-05.json"))
	m, err := c.Coin(context.Background(), "bitcoin")
	if err != nil {
		t.Fatal(err)
	}
	if m.CoinID != "bitcoin" || m.Name != "Bitcoin" || m.Symbol != "btc" || m.HomepageURL != "http://www.bitcoin.org" {
		t.Fatalf("got %+v", m)
	}
	if !strings.Contains(m.Description, `<a href="`) || !strings.Contains(m.Description, "\r\n") {
		t.Fatalf("description lost its HTML: %q", m.Description[:200])
	}
	if m.ImageURL != "https://assets.coingecko.com/coins/images/1/large/bitcoin.png?1547033579" || m.UpdatedAt.IsZero() {
		t.Fatalf("image %q, updated %s", m.ImageURL, m.UpdatedAt)
	}
	// market_data as CoinGecko sent it in May 2021.
	if mk := m.Market; mk.Rank == nil || *mk.Rank != 1 || mk.CirculatingSupply == nil || *mk.CirculatingSupply != 18710825 ||
		mk.TotalSupply == nil || *mk.TotalSupply != 21e6 || mk.Max == nil || *mk.Max != 21e6 {
		t.Fatalf("market data %+v", mk)
	}
	if q := last.Query(); last.Path != "/coins/bitcoin" || q.Get("tickers") != "false" || q.Get("market_data") != "true" ||
		q.Get("localization") != "false" || q.Get("community_data") != "false" || q.Get("developer_data") != "false" || q.Get("sparkline") != "false" {
		t.Fatalf("requested %s", last)
	}
}

func TestCoin_Variants(t *testing.T) {
	cases := []struct {
		name, body      string
		image, homepage string
	}{
		{
			name:  "whitepaper array, padded homepage, thumb only",
			body:  `{"id":"x","name":"X","symbol":"x","links":{"homepage":["","https://x.org",""],"whitepaper":["https://x.org/wp.pdf"]},"image":{"thumb":"t.png","small":"","large":""}}`,
			image: "t.png", homepage: "https://x.org",
		},
		{
			name:  "whitepaper string, small image, null description",
			body:  `{"id":"x","name":"X","symbol":"x","description":null,"links":{"homepage":[],"whitepaper":"https://x.org/wp.pdf"},"image":{"thumb":"t.png","small":"s.png"}}`,
			image: "s.png",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serveBody(t, []byte(tc.body))
			m, err := c.Coin(context.Background(), "x")
			if err != nil {
				t.Fatal(err)
			}
			if m.ImageURL != tc.image || m.HomepageURL != tc.homepage || m.Name != "X" {
				t.Fatalf("got %+v", m)
			}
		})
	}
}

func TestCoinsList(t *testing.T) {
	c, last := serveBody(t, []byte(`[{"id":"bitcoin","symbol":"btc","name":"Bitcoin"},{"id":"","symbol":"","name":""},{"id":"usd-coin","symbol":"USDC","name":"USDC"}]`))
	coins, err := c.CoinsList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(coins) != 2 || coins[1].ID != "usd-coin" || coins[1].Symbol != "USDC" || last.Path != "/coins/list" {
		t.Fatalf("got %+v from %s", coins, last)
	}
}
