package domain

// CurrencyFacts is what cryptodash knows of a currency beyond its code: its name and symbol
// for people, how its lines are drawn, and its level against USD in the simulator. Every
// package reads these from KnownCurrencies, so adding a currency is one row there.
type CurrencyFacts struct {
	Code string
	// Name is the currency's English name, for CURRENCIES entries that give none.
	Name string
	// Symbol is what prices in it are written with ("$"); empty writes the upper-case code.
	Symbol string
	// Hue names the Tailwind hue (package chart's palette) of a line averaging coins in this
	// currency; empty takes a hue hashed from the code.
	Hue string
	// Dash tells this currency's line of a coin from the coin's other currencies, which share
	// its colour, as on-off lengths in pixels; nil is a solid line.
	Dash []int
	// PerUSD is the simulator's price of one USD on 2024-01-01 and TrendPerYear its yearly
	// drift (for a currency that keeps losing value); the simulator quotes no currency whose
	// PerUSD is zero.
	PerUSD, TrendPerYear float64
}

// KnownCurrencies are the currencies cryptodash has facts for, the default ones (usd, try)
// and the plainest line styles first.
var KnownCurrencies = []CurrencyFacts{
	{Code: "usd", Name: "US Dollar", Symbol: "$", Hue: "emerald", PerUSD: 1},
	{Code: "eur", Name: "Euro", Symbol: "€", Hue: "blue", Dash: []int{8, 4}, PerUSD: 0.92},
	{Code: "gbp", Name: "British Pound", Symbol: "£", Hue: "violet", Dash: []int{2, 3}, PerUSD: 0.79},
	{Code: "try", Name: "Turkish Lira", Symbol: "₺", Hue: "red", Dash: []int{8, 3, 2, 3}, PerUSD: 32, TrendPerYear: 0.25},
	{Code: "jpy", Name: "Japanese Yen", Symbol: "¥", PerUSD: 150},
	{Code: "chf", Name: "Swiss Franc", PerUSD: 0.88},
	{Code: "cad", Name: "Canadian Dollar", PerUSD: 1.36},
	{Code: "aud", Name: "Australian Dollar", PerUSD: 1.52},
	{Code: "inr", Name: "Indian Rupee", PerUSD: 83, TrendPerYear: 0.01},
	{Code: "cny", Name: "Chinese Yuan", PerUSD: 7.2},
	{Code: "brl", Name: "Brazilian Real", PerUSD: 5.1, TrendPerYear: 0.03},
	{Code: "krw", Name: "South Korean Won"},
}

// CurrencyFactsOf returns the facts of code, and false for a currency KnownCurrencies lacks.
func CurrencyFactsOf(code string) (CurrencyFacts, bool) {
	for _, f := range KnownCurrencies {
		if f.Code == code {
			return f, true
		}
	}
	return CurrencyFacts{}, false
}

// CurrencySymbols maps each known currency with a symbol to it, as formatters take it.
func CurrencySymbols() map[string]string {
	out := map[string]string{}
	for _, f := range KnownCurrencies {
		if f.Symbol != "" {
			out[f.Code] = f.Symbol
		}
	}
	return out
}
