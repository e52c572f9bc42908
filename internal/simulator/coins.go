package simulator

import (
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// DefaultCoins is what /coins/list answers when Options.Coins is empty: real ids, symbols and
// names, so that a configuration written for the real API works against the simulator.
// matic-network is absent, as it is from CoinGecko since its rename. It returns a fresh copy
// each time, so callers may change it.
func DefaultCoins() []domain.Coin {
	return slices.Clone(defaultCoins)
}

// ManyCoins is DefaultCoins followed by made-up coins (coin-0017, coin-0018, ...) up to n in
// all, for runs at the scale of a thousand coins.
func ManyCoins(n int) []domain.Coin {
	coins := DefaultCoins()
	for i := len(coins) + 1; i <= n; i++ {
		coins = append(coins, domain.Coin{ID: fmt.Sprintf("coin-%04d", i), Symbol: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Coin %d", i)})
	}
	return coins
}

var defaultCoins = []domain.Coin{
	{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"},
	{ID: "ethereum", Symbol: "eth", Name: "Ethereum"},
	{ID: "solana", Symbol: "sol", Name: "Solana"},
	{ID: "cardano", Symbol: "ada", Name: "Cardano"},
	{ID: "ripple", Symbol: "xrp", Name: "XRP"},
	{ID: "polkadot", Symbol: "dot", Name: "Polkadot"},
	{ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"},
	{ID: "avalanche-2", Symbol: "avax", Name: "Avalanche"},
	{ID: "chainlink", Symbol: "link", Name: "Chainlink"},
	{ID: "uniswap", Symbol: "uni", Name: "Uniswap"},
	{ID: "litecoin", Symbol: "ltc", Name: "Litecoin"},
	{ID: "binancecoin", Symbol: "bnb", Name: "BNB"},
	{ID: "bitcoin-cash", Symbol: "bch", Name: "Bitcoin Cash"},
	{ID: "stellar", Symbol: "xlm", Name: "Stellar"},
	{ID: "cosmos", Symbol: "atom", Name: "Cosmos Hub"},
	{ID: "polygon-ecosystem-token", Symbol: "pol", Name: "POL (ex-MATIC)"},
}

// coinDetail is the light /coins/{id} answer. Description says plainly that the coin's data
// is simulated, so nothing served here can pass for a real quote.
func coinDetail(c domain.Coin, imageBase, lastUpdated string) map[string]any {
	imageURL := imageBase + "/images/" + c.ID + ".svg"
	page := "https://www.coingecko.com/en/coins/" + c.ID
	// Real answers carry the whitepaper as a string for some coins and an array for others.
	var whitepaper any = ""
	if seedOf(c.ID)%2 == 1 {
		whitepaper = []string{}
	}
	return map[string]any{
		"id":     c.ID,
		"symbol": c.Symbol,
		"name":   c.Name,
		"description": map[string]string{
			"en": fmt.Sprintf("%s prices here come from the cryptodash CoinGecko simulator: they are generated, not real.\r\n\r\n"+
				`Real data: <a href="%s">%s on CoinGecko</a>.`, c.Name, page, c.Name),
		},
		"image": map[string]string{"thumb": imageURL, "small": imageURL, "large": imageURL},
		"links": map[string]any{
			"homepage":   []string{page, "", ""},
			"whitepaper": whitepaper,
		},
		"market_cap_rank": rankOf(c.ID),
		"market_data":     marketData(c.ID),
		"last_updated":    lastUpdated,
	}
}

// maxSupplies are the capped coins' real maximum supplies; the others have none, as on
// CoinGecko (null).
var maxSupplies = map[string]float64{"bitcoin": 21e6, "litecoin": 84e6, "cardano": 45e9, "ripple": 100e9, "bitcoin-cash": 21e6, "stellar": 50e9}

// marketData is /coins/{id}'s market_data as far as cryptodash reads it: the rank, and a
// circulating supply from the coin's profile with a total a few percent above it.
func marketData(id string) map[string]any {
	p := profileOf(id)
	total := p.supply * (1 + 0.05*unit(mix(seedOf(id), 7)))
	var maxSupply any
	if m, ok := maxSupplies[id]; ok {
		total = min(total, m)
		maxSupply = m
	}
	return map[string]any{
		"market_cap_rank":    rankOf(id),
		"circulating_supply": p.supply,
		"total_supply":       total,
		"max_supply":         maxSupply,
	}
}

// rankOf orders the profiled coins by market cap in USD, as CoinGecko ranks them; a coin
// outside the table ranks after them.
func rankOf(id string) int {
	mcap := profileOf(id).usd * profileOf(id).supply
	rank := 1
	for other, p := range profiles {
		if other != id && p.usd*p.supply > mcap {
			rank++
		}
	}
	return rank
}

// logoSVG draws a coin's symbol on a disc whose colour follows the id, a stand-in logo that
// makes no claim to be the real one.
func logoSVG(c domain.Coin) string {
	symbol := []rune(strings.ToUpper(c.Symbol))
	if len(symbol) > 4 {
		symbol = symbol[:4]
	}
	size := 22 - 3*max(len(symbol)-2, 0)
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">`+
		`<circle cx="32" cy="32" r="30" fill="hsl(%d,55%%,42%%)"/>`+
		`<text x="32" y="32" dy="0.35em" font-family="sans-serif" font-size="%d" font-weight="bold" text-anchor="middle" fill="#fff">%s</text>`+
		`</svg>`, seedOf(c.ID)%360, size, html.EscapeString(string(symbol)))
}
