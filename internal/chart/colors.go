package chart

import (
	"hash/fnv"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Color is one hue in the two shades the themes need: Light is drawn on white, Dark on the
// near-black dark background. Each shade keeps at least 3:1 contrast with its background, the
// WCAG minimum for lines and marks.
type Color struct {
	Light string `json:"light"`
	Dark  string `json:"dark"`
}

// The hue families, as Tailwind's 600 (light) and 400 (dark) shades.
var (
	amber   = Color{"#d97706", "#fbbf24"}
	indigo  = Color{"#4f46e5", "#818cf8"}
	violet  = Color{"#7c3aed", "#a78bfa"}
	blue    = Color{"#2563eb", "#60a5fa"}
	teal    = Color{"#0d9488", "#2dd4bf"}
	pink    = Color{"#db2777", "#f472b6"}
	lime    = Color{"#65a30d", "#a3e635"}
	red     = Color{"#dc2626", "#f87171"}
	sky     = Color{"#0284c7", "#38bdf8"}
	fuchsia = Color{"#c026d3", "#e879f9"}
	slate   = Color{"#475569", "#94a3b8"}
	emerald = Color{"#059669", "#34d399"}
	orange  = Color{"#ea580c", "#fb923c"}
	cyan    = Color{"#0891b2", "#22d3ee"}
	rose    = Color{"#e11d48", "#fb7185"}
	green   = Color{"#16a34a", "#4ade80"}
)

// coinColors gives the default coins hues of their own, near their brands where that reads
// well, so no two of them share one.
var coinColors = map[string]Color{
	"bitcoin":     amber,
	"ethereum":    indigo,
	"solana":      violet,
	"cardano":     blue,
	"ripple":      slate,
	"polkadot":    pink,
	"dogecoin":    lime,
	"avalanche-2": red,
	"chainlink":   sky,
	"uniswap":     fuchsia,
	"litecoin":    teal,
}

// otherColors are the hues a coin outside coinColors draws from, by a hash of its id: the same
// coin gets the same hue on every page and every replica, though two such coins may share one.
var otherColors = []Color{emerald, orange, cyan, rose, green, amber, indigo, violet, blue, teal, pink, lime, red, sky, fuchsia}

// CoinColor is the one colour a coin has in every view: its lines, card, sparkline and
// legend mark. A series (the coin in a currency) keeps the coin's colour and is told apart
// by its currency's dash (see Dash).
func CoinColor(id string) Color {
	if c, ok := coinColors[id]; ok {
		return c
	}
	return hashedColor(id)
}

// hashedColor picks one of otherColors by a hash of name, the same on every page and replica.
func hashedColor(name string) Color {
	h := fnv.New32a()
	h.Write([]byte(name))
	return otherColors[h.Sum32()%uint32(len(otherColors))]
}

// hues names the palette's colours, for the currencies' Hue (domain.KnownCurrencies).
var hues = map[string]Color{"amber": amber, "indigo": indigo, "violet": violet, "blue": blue, "teal": teal,
	"pink": pink, "lime": lime, "red": red, "sky": sky, "fuchsia": fuchsia, "slate": slate, "emerald": emerald,
	"orange": orange, "cyan": cyan, "rose": rose, "green": green}

// CurrencyColor is the colour of a line that stands for a currency across coins (the Currency
// breakdown alone): its hue in domain.KnownCurrencies, or one hashed from its code.
func CurrencyColor(code string) Color {
	if f, ok := domain.CurrencyFactsOf(code); ok {
		if c, ok := hues[f.Hue]; ok {
			return c
		}
	}
	return hashedColor(code)
}

// AverageColor is the colour of the one line that averages every selected series.
var AverageColor = slate

// Dash is the dash pattern of a currency's lines, in pixels on and off, as ECharts'
// lineStyle.type and SVG's stroke-dasharray take it: its Dash in domain.KnownCurrencies, which
// tells a coin's currencies apart where they share its colour; nil is a solid line, as for usd
// and for currencies without one.
func Dash(code string) []int {
	f, _ := domain.CurrencyFactsOf(code)
	return f.Dash
}
