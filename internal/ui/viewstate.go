package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// Dimension columns of the table, in the default order; price always comes last.
const (
	colDate     = "date"
	colCoin     = "coin"
	colCurrency = "currency"
	colPrice    = "price"
)

const (
	rangeCustom  = "custom"
	defaultRange = "1m"
	pageSize     = 10
	// defaultScale is log: the default view puts BTC/TRY (millions) beside DOGE/USD (cents),
	// and on a linear axis every line but the largest lies flat on zero. A user's explicit
	// scale=linear is kept; percent mode ignores the scale (changes go negative).
	defaultScale = chart.ScaleLog
)

// presetRanges are the range buttons, each reaching back from the newest stored hour.
var presetRanges = []struct {
	Key, Label string
	Days       int
}{
	{"1d", "1D", 1}, {"1w", "1W", 7}, {"1m", "1M", 30}, {"3m", "3M", 90}, {"1y", "1Y", 365},
}

var (
	defaultCurrencies = []string{"usd", "try"}
	defaultCols       = []string{colDate, colCoin, colCurrency}
)

// ViewState is the whole state of a dashboard view, parsed and validated in one place from
// the query string of the page, its partials and the CSV. Every URL the UI emits is built back
// from it, so a view is always a link.
type ViewState struct {
	Coins      []string
	Currencies []string
	// Range is a preset key ("1d" … "1y") or "custom", which uses From and To.
	Range string
	// From and To are UTC midnights of the custom range, both days included.
	From, To  time.Time
	Breakdown domain.Breakdown
	Mode      chart.Mode
	Scale     chart.Scale
	// Sort is the column the table is ordered by; Desc reverses it.
	Sort string
	Desc bool
	// Page is 1-based; the handler clamps it to the last page.
	Page int
	// Cols is the order of the date, coin and currency columns.
	Cols []string
	// Orig is the range to restore when a chart zoom replaced Range: a preset key or
	// "YYYY-MM-DD..YYYY-MM-DD". Empty when the view was not reached by zooming, and dropped
	// when Range is not custom, since a zoom always makes a custom range.
	Orig string

	// defaultCoins is the coin selection a URL without "coins" means on this deployment, so
	// Query can leave it out.
	defaultCoins      []string
	defaultCurrencies []string
}

// FieldErrors maps a query parameter to a message for the user about its value.
type FieldErrors map[string]string

// catalog is what validation checks names against.
type catalog struct {
	coins        map[string]domain.Coin
	currencies   map[string]domain.Currency
	defaultCoins []string
	coinOrder    []string
	curOrder     []string
}

func newCatalog(coins []domain.Coin, currencies []domain.Currency, defaultCoins []string) catalog {
	c := catalog{coins: map[string]domain.Coin{}, currencies: map[string]domain.Currency{}}
	for _, x := range coins {
		c.coins[x.ID] = x
		c.coinOrder = append(c.coinOrder, x.ID)
	}
	for _, x := range currencies {
		c.currencies[x.Code] = x
		c.curOrder = append(c.curOrder, x.Code)
	}
	c.defaultCoins = pickKnown(defaultCoins, c.coins, c.coinOrder)
	return c
}

// pickKnown keeps the known names of want; when none is known it falls back to the first
// three known names, so a deployment configured without the usual coins still opens on data.
func pickKnown[T any](want []string, known map[string]T, order []string) []string {
	var out []string
	for _, w := range want {
		if _, ok := known[w]; ok && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = order[:min(3, len(order))]
	}
	return out
}

// list reads a parameter given repeated (as a form sends checkboxes) or comma-separated (as
// the UI's own links write it). present reports whether the parameter was sent at all: the
// form sends an empty hidden value with each group, so "sent but empty" means the user
// cleared every box, which differs from "not sent", which means the default.
func list(q url.Values, key string) (values []string, present bool) {
	raw, present := q[key]
	for _, r := range raw {
		for _, v := range strings.Split(r, ",") {
			v = strings.ToLower(strings.TrimSpace(v))
			if v != "" && !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
	}
	return values, present
}

// parseViewState validates q against the catalog. Every problem becomes a message keyed by
// its parameter and a sensible fallback, so the page can always render.
func parseViewState(q url.Values, cat catalog) (ViewState, FieldErrors) {
	errs := FieldErrors{}
	v := ViewState{Range: defaultRange, Mode: chart.ModePrice, Scale: defaultScale, Page: 1}

	v.defaultCoins = cat.defaultCoins
	v.defaultCurrencies = pickKnown(defaultCurrencies, cat.currencies, cat.curOrder)
	v.Coins = parseNames(q, "coins", "coin", cat.coins, v.defaultCoins, errs)
	v.Currencies = parseNames(q, "currencies", "currency", cat.currencies, v.defaultCurrencies, errs)

	if r := strings.ToLower(q.Get("range")); r != "" || q.Get("from") != "" || q.Get("to") != "" {
		parseRange(q, r, &v, errs)
	}
	// A zoom always lands on a custom range; with a preset the user has picked a range again
	// (the form still carries orig), so there is no zoom left to reset.
	if o := q.Get("orig"); o != "" && validRangeSpec(o) && v.Range == rangeCustom {
		v.Orig = o
	}

	v.Breakdown = domain.Breakdown{Date: true, Coin: true, Currency: true}
	if dims, present := list(q, "breakdown"); present {
		var b domain.Breakdown
		for _, d := range dims {
			switch d {
			case colDate:
				b.Date = true
			case colCoin:
				b.Coin = true
			case colCurrency:
				b.Currency = true
			default:
				errs["breakdown"] = fmt.Sprintf("Unknown breakdown %q: choose date, coin or currency.", d)
			}
		}
		if b == (domain.Breakdown{}) {
			if errs["breakdown"] == "" {
				errs["breakdown"] = "Choose at least one breakdown; showing all three."
			}
		} else {
			v.Breakdown = b
		}
	}

	switch m := chart.Mode(q.Get("mode")); m {
	case "":
	case chart.ModePrice, chart.ModePercent:
		v.Mode = m
	default:
		errs["mode"] = fmt.Sprintf("Unknown value mode %q; showing prices.", m)
	}
	switch s := chart.Scale(q.Get("scale")); s {
	case "":
	case chart.ScaleLinear, chart.ScaleLog:
		v.Scale = s
	default:
		errs["scale"] = fmt.Sprintf("Unknown scale %q; using %s.", s, defaultScale)
	}

	v.Cols = slices.Clone(defaultCols)
	if cols, present := list(q, "cols"); present {
		if isPermutation(cols, defaultCols) {
			v.Cols = cols
		} else {
			errs["cols"] = "The column order must name date, coin and currency once each; using the default order."
		}
	}

	v.Sort, v.Desc = v.defaultSort()
	if s := strings.ToLower(q.Get("sort")); s != "" {
		if slices.Contains(v.visibleCols(), s) {
			v.Sort = s
			v.Desc = false
		} else if !slices.Contains(append(slices.Clone(defaultCols), colPrice), s) {
			errs["sort"] = fmt.Sprintf("Cannot sort by %q; sorting by %s.", s, v.Sort)
		}
		// A known column hidden by the breakdown falls back silently: the user just turned
		// that dimension off, and the link they followed was right when it was made.
	}
	switch d := strings.ToLower(q.Get("dir")); d {
	case "":
	case "asc":
		v.Desc = false
	case "desc":
		v.Desc = true
	default:
		errs["dir"] = fmt.Sprintf("Unknown sort direction %q; use asc or desc.", d)
	}

	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			errs["page"] = fmt.Sprintf("Page %q is not a page number; showing the first page.", p)
		} else {
			v.Page = n
		}
	}
	return v, errs
}

func parseNames[T any](q url.Values, key, noun string, known map[string]T, defaults []string, errs FieldErrors) []string {
	names, present := list(q, key)
	if !present {
		return slices.Clone(defaults)
	}
	var ok, unknown []string
	for _, n := range names {
		if _, found := known[n]; found {
			ok = append(ok, n)
		} else {
			unknown = append(unknown, n)
		}
	}
	switch {
	case len(unknown) > 0 && len(ok) == 0:
		errs[key] = fmt.Sprintf("Unknown %s %s; showing the defaults.", noun, strings.Join(unknown, ", "))
	case len(unknown) > 0:
		errs[key] = fmt.Sprintf("Unknown %s %s, left out.", noun, strings.Join(unknown, ", "))
	case len(ok) == 0:
		errs[key] = fmt.Sprintf("Choose at least one %s; showing the defaults.", noun)
	}
	if len(ok) == 0 {
		return slices.Clone(defaults)
	}
	return ok
}

func parseRange(q url.Values, r string, v *ViewState, errs FieldErrors) {
	if r != "" && r != rangeCustom {
		if presetDays(r) == 0 {
			errs["range"] = fmt.Sprintf("Unknown range %q; showing 1M.", r)
			return
		}
		v.Range = r
		return
	}
	fromS, toS := q.Get("from"), q.Get("to")
	from, errFrom := time.Parse(dayLayout, fromS)
	to, errTo := time.Parse(dayLayout, toS)
	switch {
	case fromS == "" || toS == "":
		errs["range"] = "A custom range needs both a start and an end date; showing 1M."
	case errFrom != nil:
		errs["range"] = fmt.Sprintf("The start date %q is not a date (YYYY-MM-DD); showing 1M.", fromS)
	case errTo != nil:
		errs["range"] = fmt.Sprintf("The end date %q is not a date (YYYY-MM-DD); showing 1M.", toS)
	case from.After(to):
		errs["range"] = "The start date is after the end date; showing 1M."
	default:
		v.Range, v.From, v.To = rangeCustom, from, to
	}
}

func presetDays(key string) int {
	for _, p := range presetRanges {
		if p.Key == key {
			return p.Days
		}
	}
	return 0
}

// validRangeSpec accepts what Orig may hold, so a tampered link cannot smuggle text into the
// "Reset zoom" link.
func validRangeSpec(s string) bool {
	if presetDays(s) > 0 {
		return true
	}
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		return false
	}
	from, err1 := time.Parse(dayLayout, a)
	to, err2 := time.Parse(dayLayout, b)
	return err1 == nil && err2 == nil && !from.After(to)
}

func isPermutation(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

// visibleCols is the table's columns in the user's order: the dimensions of the breakdown,
// then the price.
func (v ViewState) visibleCols() []string {
	var out []string
	for _, c := range v.Cols {
		if v.has(c) {
			out = append(out, c)
		}
	}
	return append(out, colPrice)
}

// defaultSort shows the newest dates first, the question an analyst usually asks; without a
// date column the table is ordered by its first column.
func (v ViewState) defaultSort() (string, bool) {
	if v.Breakdown.Date {
		return colDate, true
	}
	return v.visibleCols()[0], false
}

// rangeSpec is the range in the form Orig stores.
func (v ViewState) rangeSpec() string {
	if v.Range == rangeCustom {
		return v.From.Format(dayLayout) + ".." + v.To.Format(dayLayout)
	}
	return v.Range
}

// withRangeSpec returns v with its range set from a spec produced by rangeSpec.
func (v ViewState) withRangeSpec(spec string) ViewState {
	if a, b, ok := strings.Cut(spec, ".."); ok {
		v.Range = rangeCustom
		v.From, _ = time.Parse(dayLayout, a)
		v.To, _ = time.Parse(dayLayout, b)
		return v
	}
	v.Range, v.From, v.To = spec, time.Time{}, time.Time{}
	return v
}

// Query is the canonical query string of v. Values equal to their default are left out, so
// the default view is plain "/" and links stay short.
func (v ViewState) Query() url.Values {
	q := url.Values{}
	// In any order: the form sends its boxes in display order, which must not make the
	// default selection show up in the URL.
	if !isPermutation(v.Coins, v.defaultCoins) {
		q.Set("coins", strings.Join(v.Coins, ","))
	}
	if !isPermutation(v.Currencies, v.defaultCurrencies) {
		q.Set("currencies", strings.Join(v.Currencies, ","))
	}
	if v.Range == rangeCustom {
		q.Set("range", rangeCustom)
		q.Set("from", v.From.Format(dayLayout))
		q.Set("to", v.To.Format(dayLayout))
	} else if v.Range != defaultRange {
		q.Set("range", v.Range)
	}
	if v.Orig != "" {
		q.Set("orig", v.Orig)
	}
	if v.Breakdown != (domain.Breakdown{Date: true, Coin: true, Currency: true}) {
		var dims []string
		for _, d := range defaultCols {
			if v.has(d) {
				dims = append(dims, d)
			}
		}
		q.Set("breakdown", strings.Join(dims, ","))
	}
	if v.Mode != chart.ModePrice {
		q.Set("mode", string(v.Mode))
	}
	if v.Scale != defaultScale {
		q.Set("scale", string(v.Scale))
	}
	if sort, desc := v.defaultSort(); v.Sort != sort || v.Desc != desc {
		q.Set("sort", v.Sort)
		q.Set("dir", map[bool]string{false: "asc", true: "desc"}[v.Desc])
	}
	if v.Page > 1 {
		q.Set("page", strconv.Itoa(v.Page))
	}
	if !slices.Equal(v.Cols, defaultCols) {
		q.Set("cols", strings.Join(v.Cols, ","))
	}
	return q
}

// URL is v's canonical URL on path ("/", "/partials/dashboard", "/dashboard.csv" …).
func (v ViewState) URL(path string) string {
	if q := v.Query().Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

// has reports whether a dimension is in the breakdown.
func (v ViewState) has(dim string) bool {
	switch dim {
	case colDate:
		return v.Breakdown.Date
	case colCoin:
		return v.Breakdown.Coin
	case colCurrency:
		return v.Breakdown.Currency
	}
	return dim == colPrice
}

// window is the resolved time span of a view: the days the store is asked for, the hours
// kept, and the granularity.
type window struct {
	From, To    time.Time // UTC midnights, both included
	Start, End  time.Time // first and last hour shown
	Granularity domain.Granularity
}

// resolve turns v's range into a window. Presets end at latest, the newest stored hour, not at
// the wall clock: the chart then always ends on data, and the page says how old it is.
func (v ViewState) resolve(latest time.Time) window {
	if v.Range == rangeCustom {
		w := window{From: v.From, To: v.To, Start: v.From, End: v.To.Add(23 * time.Hour), Granularity: domain.Daily}
		if v.To.Sub(v.From) <= domain.HourlyMaxSpan {
			w.Granularity = domain.Hourly
		}
		return w
	}
	days := presetDays(v.Range)
	end := latest.Truncate(time.Hour)
	if days == 1 {
		start := end.Add(-23 * time.Hour)
		return window{From: domain.UTCDay(start), To: domain.UTCDay(end), Start: start, End: end, Granularity: domain.Hourly}
	}
	to := domain.UTCDay(end)
	from := to.AddDate(0, 0, -(days - 1))
	return window{From: from, To: to, Start: from, End: end, Granularity: domain.Daily}
}
