package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cryptodash/cryptodash/internal/analytics"
	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui/route"
)

const (
	defaultPreset = "1m"
	pageSize      = 10
	// defaultMode is % change: the default view puts BTC/TRY (millions) beside DOGE/USD
	// (cents), and only changes from a common start compare them on one axis.
	defaultMode = chart.ModePercent
	// defaultScale is log for prices, where on a linear axis every line but the largest lies
	// flat on zero. Percent mode ignores the scale (changes go negative).
	defaultScale = chart.ScaleLog
	// rangeCustom is the range parameter of a custom range, whose days are in from and to.
	rangeCustom = "custom"
	// colChange is the table's value column in percent mode, where colPrice is in price mode.
	colChange = "change"
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
	// defaultCols is the table's dimension columns in their default order; the price column
	// always comes last.
	defaultCols = []string{domain.DimDate, domain.DimCoin, domain.DimCurrency}
)

// rangeChoice is the range a view asks for: a preset reaching back from the newest stored
// hour, or whole days. The zero value is no choice.
type rangeChoice struct {
	// preset is a key of presetRanges; empty for a custom range.
	preset string
	// days are the whole UTC days of a custom range.
	days domain.Range
}

func presetChoice(key string) rangeChoice { return rangeChoice{preset: key} }

func (c rangeChoice) isZero() bool { return c == rangeChoice{} }

func (c rangeChoice) custom() bool { return c.preset == "" && !c.days.Empty() }

// String is the choice as the orig parameter carries it: the preset key, or the first and
// last day as "YYYY-MM-DD..YYYY-MM-DD".
func (c rangeChoice) String() string {
	if c.custom() {
		return c.days.FirstDay().Format(domain.DayLayout) + ".." + c.days.LastDay().Format(domain.DayLayout)
	}
	return c.preset
}

// parseRangeChoice reads what String writes, and nothing else, so a tampered link cannot
// smuggle text into the "Reset zoom" link.
func parseRangeChoice(s string) (rangeChoice, bool) {
	if presetDays(s) > 0 {
		return presetChoice(s), true
	}
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		return rangeChoice{}, false
	}
	first, err1 := time.Parse(domain.DayLayout, a)
	last, err2 := time.Parse(domain.DayLayout, b)
	if err1 != nil || err2 != nil || first.After(last) {
		return rangeChoice{}, false
	}
	return rangeChoice{days: domain.Days(first, last)}, true
}

// ViewState is the whole state of a dashboard view, parsed and validated in one place from
// the query string of the page, its partials and the CSV. Every URL the UI emits is built back
// from it, so a view is always a link.
type ViewState struct {
	Coins      []string
	Currencies []string
	Range      rangeChoice
	Breakdown  domain.Breakdown
	Mode       chart.Mode
	// Bench is "btc" when the % view measures changes in bitcoin (see benchmarked).
	Bench string
	Scale chart.Scale
	// Sort is the column the table is ordered by; Desc reverses it.
	Sort string
	Desc bool
	// Page is 1-based; the handler clamps it to the last page.
	Page int
	// Cols is the order of the date, coin and currency columns.
	Cols []string
	// Orig is the range to restore when a chart zoom replaced Range. It is zero when the
	// view was not reached by zooming, and dropped when Range is not custom, since a zoom
	// always makes a custom range.
	Orig rangeChoice
	// CoinSearch is what the coin picker was asked to find (coin_search): which coins the
	// form offers, never what the view shows, so no URL the UI builds carries it.
	CoinSearch string

	// defaultCoins is the coin selection a URL without "coins" means on this deployment, so
	// Query can leave it out.
	defaultCoins      []string
	defaultCurrencies []string
}

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
	c.defaultCoins = defaultSelection(defaultCoins, c.coins, c.coinOrder)
	return c
}

// description summarises what the dashboard holds, for search results and link previews:
// the coins and currencies stored, the default coins named first and the rest counted once
// the list grows long.
func (c catalog) description() string {
	if len(c.coinOrder) == 0 {
		return "Hourly and daily cryptocurrency prices, waiting for their first fetch."
	}
	ids := append(slices.Clone(c.defaultCoins), slices.DeleteFunc(slices.Clone(c.coinOrder), func(id string) bool {
		return slices.Contains(c.defaultCoins, id)
	})...)
	coins := make([]string, 0, len(ids))
	for _, id := range ids {
		coins = append(coins, c.coins[id].Name)
	}
	if len(coins) > 4 {
		coins = append(coins[:3], fmt.Sprintf("%d more coins", len(ids)-3))
	}
	currencies := make([]string, 0, len(c.curOrder))
	for _, code := range c.curOrder {
		currencies = append(currencies, strings.ToUpper(code))
	}
	return fmt.Sprintf("Hourly and daily prices of %s in %s: change over time, charts, tables and CSV.",
		englishList(coins), englishList(currencies))
}

// englishList joins items as a sentence does: "a", "a and b", "a, b and c".
func englishList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// defaultSelection keeps the known names of want; when none is known it falls back to the
// first three known names, so a deployment configured without the usual coins still opens on
// data.
func defaultSelection[T any](want []string, known map[string]T, order []string) []string {
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

// parseViewState validates q against the catalog. Every problem becomes a message keyed by
// its parameter and a sensible fallback, so the page can always render.
func parseViewState(q url.Values, cat catalog) (ViewState, domain.FieldErrors) {
	errs := domain.FieldErrors{}
	v := ViewState{Range: presetChoice(defaultPreset), Mode: defaultMode, Scale: defaultScale, Page: 1}

	v.defaultCoins = cat.defaultCoins
	v.defaultCurrencies = defaultSelection(defaultCurrencies, cat.currencies, cat.curOrder)
	v.Coins = parseNames(q, "coins", "coin", cat.coins, v.defaultCoins, errs)
	v.Currencies = parseNames(q, "currencies", "currency", cat.currencies, v.defaultCurrencies, errs)
	v.CoinSearch = domain.Excerpt(strings.TrimSpace(q.Get("coin_search")))

	r := strings.ToLower(q.Get("range"))
	// The form carries the dates it showed (shown_from, shown_to): dates that differ from them
	// were typed by the user, who means a custom range even when no script ticked "Custom".
	if q.Has("shown_from") && (q.Get("from") != q.Get("shown_from") || q.Get("to") != q.Get("shown_to")) {
		r = rangeCustom
	}
	if r != "" || q.Get("from") != "" || q.Get("to") != "" {
		if c, ok := parseRange(q, r, presetLabel(defaultPreset), errs); ok {
			v.Range = c
		}
	}
	// A zoom always lands on a custom range; with a preset the user has picked a range again
	// (the form still carries orig), so there is no zoom left to reset.
	if orig, ok := parseRangeChoice(q.Get("orig")); ok && v.Range.custom() {
		v.Orig = orig
	}

	v.Breakdown = domain.AllDimensions
	if raw, present := q["breakdown"]; present {
		names, err := domain.ParseList(raw)
		if err != nil {
			errs["breakdown"] = fmt.Sprintf("The breakdown list names more than %d items; showing all three.", domain.MaxListItems)
		}
		b, unknown := domain.ParseBreakdown(names)
		if len(unknown) > 0 {
			errs["breakdown"] = fmt.Sprintf("Unknown breakdown %q: choose date, coin or currency.", domain.Excerpt(unknown[len(unknown)-1]))
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
		errs["mode"] = fmt.Sprintf("Unknown value mode %q; showing %% change.", domain.Excerpt(string(m)))
	}
	switch b := strings.ToLower(q.Get(benchParam)); b {
	case "":
	case benchBTC:
		if _, ok := cat.coins[benchCoin]; ok {
			v.Bench = b
		} else {
			errs[benchParam] = "Bitcoin is not stored here, so changes cannot be measured in BTC; showing them in each series' currency."
		}
	default:
		errs[benchParam] = fmt.Sprintf("Unknown benchmark %q; only btc is offered.", domain.Excerpt(b))
	}
	v.Scale = parseScale(q, v.Scale, errs)

	v.Cols = slices.Clone(defaultCols)
	if raw, present := q["cols"]; present {
		// A list past the cap is no permutation of three columns either.
		if cols, err := domain.ParseList(raw); err == nil && isPermutation(cols, defaultCols) {
			v.Cols = cols
		} else {
			errs["cols"] = "The column order must name date, coin and currency once each; using the default order."
		}
	}

	v.Sort, v.Desc = v.defaultSort()
	sorted := false
	if s := strings.ToLower(q.Get("sort")); s != "" {
		// The value column is "price" or "change" by mode; a link made in the other mode
		// means the value column all the same.
		if s == domain.ColPrice || s == colChange {
			s = v.valueCol()
		}
		if slices.Contains(v.visibleCols(), s) {
			v.Sort, v.Desc, sorted = s, false, true
		} else if !slices.Contains(defaultCols, s) {
			errs["sort"] = fmt.Sprintf("Cannot sort by %q; sorting by %s.", domain.Excerpt(s), v.Sort)
		}
		// A known column hidden by the breakdown falls back silently, direction included: the
		// user just turned that dimension off, and the link they followed was right when it
		// was made, but "descending" meant that column, not the fallback.
	}
	switch d := strings.ToLower(q.Get("dir")); d {
	case "":
	case "asc", "desc":
		if sorted {
			v.Desc = d == "desc"
		}
	default:
		errs["dir"] = fmt.Sprintf("Unknown sort direction %q; use asc or desc.", domain.Excerpt(d))
	}

	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			errs["page"] = fmt.Sprintf("Page %q is not a page number; showing the first page.", domain.Excerpt(p))
		} else {
			v.Page = n
		}
	}
	return v, errs
}

// parseNames reads a coin or currency selection. A parameter sent empty means the user
// cleared every box, which differs from one not sent at all, which means the default: the
// form sends an empty hidden value with each group.
func parseNames[T any](q url.Values, key, noun string, known map[string]T, defaults []string, errs domain.FieldErrors) []string {
	raw, present := q[key]
	if !present {
		return slices.Clone(defaults)
	}
	names, err := domain.ParseList(raw)
	if err != nil {
		errs[key] = fmt.Sprintf("The %s list names more than %d items; showing the defaults.", key, domain.MaxListItems)
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
		errs[key] = fmt.Sprintf("Unknown %s %s; showing the defaults.", noun, domain.ExcerptList(unknown, false))
	case len(unknown) > 0:
		errs[key] = fmt.Sprintf("Unknown %s %s, left out.", noun, domain.ExcerptList(unknown, false))
	case len(ok) == 0:
		errs[key] = fmt.Sprintf("Choose at least one %s; showing the defaults.", noun)
	}
	if len(ok) == 0 {
		return slices.Clone(defaults)
	}
	return ok
}

// parseRange reads a range parameter r (a preset key, or "custom" with the days in from and
// to), the dashboard's and the coin page's alike. A bad one gets a message saying the page
// shows fallback instead, and false.
func parseRange(q url.Values, r, fallback string, errs domain.FieldErrors) (rangeChoice, bool) {
	if r != "" && r != rangeCustom {
		if presetDays(r) == 0 {
			errs["range"] = fmt.Sprintf("Unknown range %q; showing %s.", domain.Excerpt(r), fallback)
			return rangeChoice{}, false
		}
		return presetChoice(r), true
	}
	fromS, toS := q.Get("from"), q.Get("to")
	from, errFrom := domain.ParseDay(fromS)
	to, errTo := domain.ParseDay(toS)
	switch {
	case fromS == "" || toS == "":
		errs["range"] = "A custom range needs both a start and an end date; showing " + fallback + "."
	case errFrom != nil:
		errs["range"] = fmt.Sprintf("The start date %q is not a date (YYYY-MM-DD); showing %s.", domain.Excerpt(fromS), fallback)
	case errTo != nil:
		errs["range"] = fmt.Sprintf("The end date %q is not a date (YYYY-MM-DD); showing %s.", domain.Excerpt(toS), fallback)
	case from.After(to):
		errs["range"] = "The start date is after the end date; showing " + fallback + "."
	default:
		return rangeChoice{days: domain.Days(from, to)}, true
	}
	return rangeChoice{}, false
}

func presetDays(key string) int {
	for _, p := range presetRanges {
		if p.Key == key {
			return p.Days
		}
	}
	return 0
}

// isPermutation reports whether got names each item of want exactly once. want holds no
// repeats; the check takes one pass over each list.
func isPermutation(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	left := make(map[string]struct{}, len(want))
	for _, w := range want {
		left[w] = struct{}{}
	}
	for _, g := range got {
		if _, ok := left[g]; !ok {
			return false
		}
		delete(left, g)
	}
	return true
}

// breakdown is the breakdown the numbers are grouped by: the user's, with the currency added
// when prices in several currencies would otherwise be averaged into one number without a
// unit. Changes in percent have no unit, so percent mode averages across currencies.
func (v ViewState) breakdown() domain.Breakdown {
	b := v.Breakdown
	if v.Mode == chart.ModePrice && len(v.Currencies) > 1 {
		b.Currency = true
	}
	return b
}

// splitsCurrencies reports whether breakdown added the currency the user left out.
func (v ViewState) splitsCurrencies() bool { return v.breakdown() != v.Breakdown }

// valueCol is the table's value column: the price, or the change in percent mode.
func (v ViewState) valueCol() string {
	if v.Mode == chart.ModePercent {
		return colChange
	}
	return domain.ColPrice
}

// visibleCols is the table's columns in the user's order: the dimensions of the breakdown,
// then the value.
func (v ViewState) visibleCols() []string {
	return append(v.breakdown().Dimensions(v.Cols), v.valueCol())
}

// defaultSort shows the newest dates first, the question an analyst usually asks; without a
// date column the table is ordered by its first column.
func (v ViewState) defaultSort() (string, bool) {
	if v.Breakdown.Date {
		return domain.DimDate, true
	}
	return v.visibleCols()[0], false
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
	if v.Range.custom() {
		q.Set("range", rangeCustom)
		q.Set("from", v.Range.days.FirstDay().Format(domain.DayLayout))
		q.Set("to", v.Range.days.LastDay().Format(domain.DayLayout))
	} else if v.Range.preset != defaultPreset {
		q.Set("range", v.Range.preset)
	}
	if !v.Orig.isZero() {
		q.Set("orig", v.Orig.String())
	}
	if v.Breakdown != domain.AllDimensions {
		q.Set("breakdown", strings.Join(v.Breakdown.Dimensions(defaultCols), ","))
	}
	if v.Mode != defaultMode {
		q.Set("mode", string(v.Mode))
	}
	if v.benchmarked() {
		q.Set(benchParam, v.Bench)
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

// URL is v's canonical URL on path, one of the dashboard's routes (route.Dashboard,
// route.DashboardPartial, route.DashboardCSV …): the dashboard's URL builder.
func (v ViewState) URL(path string) string {
	return route.WithQuery(path, v.Query().Encode())
}

// resolve turns v's range into the hours to show and their granularity. Presets end with the
// newest stored hour, latest, not with the wall clock: the chart then always ends on data, and
// the page says how old it is. 1D is the 24 hours up to latest; longer presets are whole days.
func (v ViewState) resolve(latest time.Time) (domain.Range, domain.Granularity) {
	if v.Range.custom() {
		return v.Range.days, domain.GranularityFor(v.Range.days)
	}
	days := presetDays(v.Range.preset)
	if days == 1 {
		start, end := analytics.HoursWindow(latest)
		return domain.Range{Start: start, End: end}, domain.Hourly
	}
	start, end := analytics.DaysWindow(latest, days)
	return domain.Range{Start: start, End: end}, domain.Daily
}

// parseScale reads a view's scale parameter: the page's default when it is absent, and when it
// is not a scale, with a message under its name. The dashboard and a coin page read it alike.
func parseScale(q url.Values, def chart.Scale, errs domain.FieldErrors) chart.Scale {
	switch s := chart.Scale(q.Get("scale")); s {
	case "":
	case chart.ScaleLinear, chart.ScaleLog:
		return s
	default:
		errs["scale"] = fmt.Sprintf("Unknown scale %q; using %s.", domain.Excerpt(string(s)), def)
	}
	return def
}
