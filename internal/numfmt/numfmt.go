// Package numfmt is the one way cryptodash writes a number for people: prices, changes and
// axis labels, on pages, in the server-drawn charts and (through static/src/js/format.js,
// which follows the same rules) in the browser's tooltips and axis labels. testdata/cases.json
// holds the cases both the Go test and the browser's node test check, so the two cannot drift.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Percent writes a fraction as a signed percentage with the given decimals: "+1.87%",
// "-12.30%". A change that rounds to zero has no sign, so +0.001% and -0.001% both read
// "0.00%" (and "0%" with no decimals); NaN and infinities read "–".
func Percent(fraction float64, decimals int) string {
	if math.IsNaN(fraction) || math.IsInf(fraction, 0) {
		return "–"
	}
	s := strconv.FormatFloat(fraction*100, 'f', decimals, 64)
	switch {
	case strings.Trim(s, "-0.") == "":
		s = strings.TrimPrefix(s, "-")
	case fraction > 0:
		s = "+" + s
	}
	return s + "%"
}

// Below 1, prices keep smallSigDigits significant digits, and at most maxDecimals decimals;
// anything smaller than that is written in exponent form rather than rounded to zero.
const (
	smallSigDigits = 4
	maxDecimals    = 18
)

// Price writes a price for people: the currency's symbol (or its code), thousands separators,
// exactly two decimals from 1 up, and at least four significant digits below 1 (trailing zeros
// trimmed, but never below two decimals), so DOGE at 0.0812 does not read as 0.08 and half a
// dollar reads $0.50. A minus sign comes before the symbol (-$0.50). An empty currency means a
// mean across currencies, which gets no symbol.
func Price(currency string, symbols map[string]string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	sign := ""
	if v < 0 {
		sign = "-"
	}
	s := Magnitude(math.Abs(v))
	if strings.Trim(s, "0.,") == "" {
		sign = "" // no "-$0.00"
	}
	return WithSymbol(currency, symbols, sign+s)
}

// Magnitude writes v ≥ 0 as Price does, without a currency. The number of decimals is decided
// on the rounded value: 0.99999 rounds to 1.0000 at four significant digits and is then a price
// of 1 or more, with cents.
func Magnitude(v float64) string {
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
	return GroupThousands(s)
}

// Unit is a compact unit: "K" for thousands up to "T" for trillions; Size 1 has no suffix.
type Unit struct {
	Size   float64 `json:"size"`
	Suffix string  `json:"suffix"`
}

var units = []Unit{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}, {1, ""}}

// UnitOf is the compact unit a magnitude a ≥ 0 is written in; below a thousand it is 1.
func UnitOf(a float64) Unit {
	for _, u := range units {
		if a >= u.Size {
			return u
		}
	}
	return units[len(units)-1]
}

// Compact writes an amount with three significant figures and a unit: "$1.32T", "₺845M";
// below a thousand it is a Price. The unit is chosen after rounding, so 999,960 reads $1.00M,
// not $1000K.
func Compact(currency string, symbols map[string]string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	u := UnitOf(math.Abs(r))
	if u.Size == 1 {
		return Price(currency, symbols, v)
	}
	n := r / u.Size
	digits := 2
	if math.Abs(n) >= 100 {
		digits = 0
	} else if math.Abs(n) >= 10 {
		digits = 1
	}
	return WithSymbol(currency, symbols, strconv.FormatFloat(n, 'f', digits, 64)+u.Suffix)
}

// compactFrom is where an axis stops being written in full: an axis whose values reach 10,000
// is written in thousands or more ($8K … $12K, $80K … $120K), one below it in full ($1,940,
// $1,960), so a day of ETH is not "$1.9K" twice.
const compactFrom = 1e4

// AxisScale is the one scale of all the labels of a linear value axis whose values reach
// maxAbs (the largest magnitude the axis shows): every label of one axis is in the same unit,
// never "$80,000" beside "$100K".
func AxisScale(maxAbs float64) Unit {
	if maxAbs < compactFrom {
		return units[len(units)-1]
	}
	return UnitOf(maxAbs)
}

// maxAxisDecimals bounds the digits of a tick, which is a round number: a step of 0.0005 needs
// four, a small coin priced in bitcoin (0.00000000025 BTC) eleven; more would only show
// floating-point noise.
const maxAxisDecimals = 12

// AxisLabel writes a tick of a value axis in the axis's scale, with the fewest decimals that
// write it exactly (ticks are round numbers, so 85K, 82.5K, 0.085), grouped and with the
// currency's symbol; zero reads "$0" in any scale. A log axis, whose ticks are powers of ten, passes each tick's own scale.
func AxisLabel(v float64, scale Unit, currency string, symbols map[string]string) string {
	if v == 0 {
		// Zero is zero in any unit: "$0", not "$0K".
		return WithSymbol(currency, symbols, "0")
	}
	return WithSymbol(currency, symbols, GroupThousands(exact(v/scale.Size))+scale.Suffix)
}

// AxisPercent writes a tick of a % change axis given in percent: "+10%", "0%", "-2.5%".
func AxisPercent(pct float64) string {
	s := exact(pct)
	return Percent(pct/100, decimalsOf(s))
}

// exact writes v with the fewest decimals, up to maxAxisDecimals, that write it exactly.
func exact(v float64) string {
	s := strconv.FormatFloat(v, 'f', maxAxisDecimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func decimalsOf(s string) int {
	_, frac, _ := strings.Cut(s, ".")
	return len(frac)
}

// WithSymbol writes text with the currency's symbol, or with its code when it has none; an
// empty code writes text alone, and a minus sign comes before the symbol (-$0.50).
func WithSymbol(code string, symbols map[string]string, text string) string {
	if code == "" {
		return text
	}
	if rest, ok := strings.CutPrefix(text, "-"); ok {
		return "-" + WithSymbol(code, symbols, rest)
	}
	if sym, ok := symbols[code]; ok {
		return sym + text
	}
	return strings.ToUpper(code) + " " + text
}

// GroupThousands puts commas between the thousands of a number's integer part.
func GroupThousands(s string) string {
	sign, s := "", s
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}
