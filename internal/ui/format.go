package ui

import (
	"math"
	"strconv"
	"strings"
	"time"
)

var currencySymbols = map[string]string{"usd": "$", "eur": "€", "gbp": "£", "try": "₺", "jpy": "¥"}

// formatPrice writes a price for people: the currency's symbol (or its code), thousands
// separators, cents for prices of 1 or more, and at least four significant digits below 1,
// so DOGE at 0.0812 does not read as 0.08. An empty currency means a mix of currencies.
func formatPrice(currency string, v float64) string {
	decimals := 2
	if a := math.Abs(v); a > 0 && a < 1 {
		decimals = 3 - int(math.Floor(math.Log10(a)))
	}
	s := groupThousands(strconv.FormatFloat(v, 'f', decimals, 64))
	if decimals > 2 {
		s = strings.TrimRight(s, "0")
	}
	if currency == "" {
		return s
	}
	if sym, ok := currencySymbols[currency]; ok {
		return sym + s
	}
	return strings.ToUpper(currency) + " " + s
}

func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if hasFrac {
		out += "." + frac
	}
	return out
}

func formatInt(n int64) string { return groupThousands(strconv.FormatInt(n, 10)) }

const (
	hourLayout = "2006-01-02 15:04"
	dayLayout  = "2006-01-02"
)

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
