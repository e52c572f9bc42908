package ui

import (
	"strconv"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/numfmt"
)

// currencySymbols are the symbols prices are written with (domain.KnownCurrencies).
var currencySymbols = domain.CurrencySymbols()

// formatPrice writes a price as every page does (numfmt.Price): "$1,234.50", "$0.0812",
// "-$0.50"; an empty currency means a mean across currencies, which gets no symbol.
func formatPrice(currency string, v float64) string {
	return numfmt.Price(currency, currencySymbols, v)
}

// formatMagnitude writes v ≥ 0 as formatPrice does, without a currency.
func formatMagnitude(v float64) string { return numfmt.Magnitude(v) }

func formatInt(n int64) string { return numfmt.GroupThousands(strconv.FormatInt(n, 10)) }

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
