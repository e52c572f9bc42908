package ui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// currencySymbols are the symbols prices are written with (domain.KnownCurrencies).
var currencySymbols = domain.CurrencySymbols()

// formatPrice writes a price for people: the currency's symbol (or its code), thousands
// separators, exactly two decimals from 1 up, and at least four significant digits below 1
// (trailing zeros trimmed, but never below two decimals), so DOGE at 0.0812 does not read as
// 0.08 and half a dollar reads $0.50. A minus sign comes before the symbol (-$0.50). An empty
// currency means a mean across currencies, which gets no symbol.
func formatPrice(currency string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	sign := ""
	if v < 0 {
		sign = "-"
	}
	s := formatMagnitude(math.Abs(v))
	if strings.Trim(s, "0.,") == "" {
		sign = "" // no "-$0.00"
	}
	return chart.WithSymbol(currency, currencySymbols, sign+s)
}

// Below 1, prices keep smallSigDigits significant digits, and at most maxDecimals decimals;
// anything smaller than that is written in exponent form rather than rounded to zero.
const (
	smallSigDigits = 4
	maxDecimals    = 18
)

// formatMagnitude formats v ≥ 0. The number of decimals is decided on the rounded value: 0.99999
// rounds to 1.0000 at four significant digits and is then a price of 1 or more, with cents.
func formatMagnitude(v float64) string {
	if v != 0 && v < math.Pow10(-maxDecimals) {
		return strconv.FormatFloat(v, 'e', smallSigDigits-1, 64)
	}
	decimals := 2
	if v > 0 && v < 1 {
		decimals = min(maxDecimals, smallSigDigits-1-int(math.Floor(math.Log10(v))))
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if r, _ := strconv.ParseFloat(s, 64); r >= 1 {
		s = strconv.FormatFloat(v, 'f', 2, 64)
	}
	if intPart, frac, ok := strings.Cut(s, "."); ok && len(frac) > 2 {
		frac = strings.TrimRight(frac, "0")
		frac += strings.Repeat("0", max(0, 2-len(frac)))
		s = intPart + "." + frac
	}
	return chart.GroupThousands(s)
}

func formatInt(n int64) string { return chart.GroupThousands(strconv.FormatInt(n, 10)) }

// readableHour is an hour as people read it, on pages (the table, labels, the status page);
// data (the API, CSVs) writes hours as domain.HourLayout.
const readableHour = "2006-01-02 15:04"

// formatAge gives a duration the way the status page reads it: "45 min", "5 h", "3 d 4 h".
func formatAge(d time.Duration) string {
	// Clocks of replicas and the database drift a little; a moment in the future is "now".
	d = max(d, 0)
	switch {
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h"
	default:
		days := int(d.Hours()) / 24
		return strconv.Itoa(days) + " d " + strconv.Itoa(int(d.Hours())-days*24) + " h"
	}
}

// formatAgo says how long ago something started: "just now" under a minute, where
// formatAge would say "0 min ago", else "12 min ago", "5 h ago".
func formatAgo(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return formatAge(d) + " ago"
}

// formatDuration gives a run's length: "12 s", "3 min 5 s", "1 h 2 min".
func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min " + strconv.Itoa(int(d.Seconds())%60) + " s"
	default:
		return strconv.Itoa(int(d.Hours())) + " h " + strconv.Itoa(int(d.Minutes())%60) + " min"
	}
}
