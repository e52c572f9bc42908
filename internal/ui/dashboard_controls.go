package ui

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// controls fills the dashboard's form from the view it shows, so after a zoom or a corrected
// choice the form agrees with the chart.
func (d *dashboard) controls() views.ControlsProps {
	s := d.state
	p := views.ControlsProps{Errors: map[string]string(d.errs)}
	p.Coins, p.CoinPicker = d.coinChoices()
	for _, code := range d.cat.curOrder {
		p.Currencies = append(p.Currencies, views.Choice{Value: code, Label: strings.ToUpper(code),
			Hint: currencySymbols[code], Checked: slices.Contains(s.Currencies, code)})
	}
	for _, r := range presetRanges {
		p.Ranges = append(p.Ranges, views.Choice{Value: r.Key, Label: r.Label, Checked: s.Range.preset == r.Key})
	}
	p.Ranges = append(p.Ranges, views.Choice{Value: rangeCustom, Label: "Custom", Checked: s.Range.custom()})
	p.From, p.To = d.span.FirstDay().Format(domain.DayLayout), d.span.LastDay().Format(domain.DayLayout)
	if !s.Orig.isZero() {
		p.Orig = s.Orig.String()
	}
	for _, dim := range defaultCols {
		p.Breakdown = append(p.Breakdown, views.Choice{Value: dim, Label: columnLabel(dim), Checked: s.Breakdown.Has(dim)})
	}
	p.Modes = []views.Choice{
		{Value: string(chart.ModePrice), Label: "Price", Checked: s.Mode == chart.ModePrice},
		{Value: string(chart.ModePercent), Label: "% change", Checked: s.Mode == chart.ModePercent},
	}
	p.Scales = []views.Choice{
		{Value: string(chart.ScaleLog), Label: "Log", Checked: s.Scale == chart.ScaleLog},
		{Value: string(chart.ScaleLinear), Label: "Linear", Checked: s.Scale == chart.ScaleLinear},
	}
	if s.Mode == chart.ModePercent {
		p.ScaleHint = "% change is always drawn on a linear scale."
	}
	_, p.BenchOffered = d.cat.coins[benchCoin]
	p.Bench = views.Choice{Value: benchBTC, Label: "vs BTC", Checked: s.benchmarked(),
		Hint: "Measure each change in bitcoin: above zero beat bitcoin over the range, below trailed it"}
	p.Summary = d.filtersSummary()
	return p
}

// pickerSize is how many coins the form offers at once (the demo's 11 fit): a catalogue of this many or fewer
// shows them all, as chips to tick; a larger one (1,000 coins would be 1,000 checkboxes)
// shows the chosen coins and the top of the rest by market cap, or those matching a search.
const pickerSize = 12

// coinChoices is the coins the form offers, and what the picker says of those it leaves out
// (nil when it shows every coin). Chosen coins always show, so unticking one is a click.
func (d *dashboard) coinChoices() ([]views.Choice, *views.CoinPicker) {
	s := d.state
	choice := func(id string) views.Choice {
		coin := d.cat.coins[id]
		return views.Choice{Value: id, Label: coin.Name, Hint: coin.Symbol, Checked: slices.Contains(s.Coins, id), Coin: true}
	}
	var out []views.Choice
	if len(d.cat.coinOrder) <= pickerSize {
		for _, id := range d.cat.coinOrder {
			out = append(out, choice(id))
		}
		return out, nil
	}
	for _, id := range d.cat.coinOrder {
		if slices.Contains(s.Coins, id) {
			out = append(out, choice(id))
		}
	}
	q := strings.ToLower(s.CoinSearch)
	var found []domain.Coin
	for _, id := range d.cat.coinOrder {
		c := d.cat.coins[id]
		if slices.Contains(s.Coins, id) {
			continue
		}
		if q == "" || strings.Contains(strings.ToLower(c.Name), q) || strings.Contains(strings.ToLower(c.Symbol), q) || strings.Contains(id, q) {
			found = append(found, c)
		}
	}
	// Ranked coins first, the top first; then the rest by name, as the catalogue is sorted.
	slices.SortStableFunc(found, func(a, b domain.Coin) int {
		return cmp.Compare(rankOrder(a), rankOrder(b))
	})
	picker := &views.CoinPicker{Search: s.CoinSearch, Matches: len(found), Total: len(d.cat.coinOrder)}
	for _, c := range found[:min(len(found), max(0, pickerSize-len(out)))] {
		out = append(out, choice(c.ID))
	}
	picker.Shown = len(out) - len(s.Coins)
	return out, picker
}

// coinPicker is the coin chips for the picker's search box (coin_search): the chosen coins and
// those matching, without reading a price.
func (h *Handler) coinPicker(c echo.Context) error {
	cat, err := h.store.Catalog(c.Request().Context())
	if err != nil {
		return err
	}
	d := &dashboard{cat: newCatalog(cat.Coins, cat.Currencies, h.defaultCoins)}
	d.state, d.errs = parseViewState(c.QueryParams(), d.cat)
	p := views.ControlsProps{Errors: map[string]string{"coins": d.errs["coins"]}}
	p.Coins, p.CoinPicker = d.coinChoices()
	return Render(c, http.StatusOK, views.CoinOptions(p))
}

// rankOrder sorts unranked coins (0) after every ranked one.
func rankOrder(c domain.Coin) int {
	if c.Rank <= 0 {
		return math.MaxInt
	}
	return c.Rank
}

// filtersSummary is the one line the collapsed filters show on a phone: "BTC, DOGE, ETH ·
// TRY, USD · 1M".
func (d *dashboard) filtersSummary() string {
	s := d.state
	// In the order of the chips, so the line does not reshuffle as boxes are ticked.
	var coins, curs []string
	for _, id := range d.cat.coinOrder {
		if slices.Contains(s.Coins, id) {
			coins = append(coins, strings.ToUpper(cmp.Or(d.cat.coins[id].Symbol, id)))
		}
	}
	for _, c := range d.cat.curOrder {
		if slices.Contains(s.Currencies, c) {
			curs = append(curs, strings.ToUpper(c))
		}
	}
	rng := d.span.FirstDay().Format(domain.DayLayout) + " → " + d.span.LastDay().Format(domain.DayLayout)
	for _, r := range presetRanges {
		if r.Key == s.Range.preset {
			rng = r.Label
		}
	}
	return strings.Join(coins, ", ") + " · " + strings.Join(curs, ", ") + " · " + rng
}

func columnLabel(col string) string {
	switch col {
	case domain.DimDate:
		return "Date"
	case domain.DimCoin:
		return "Coin"
	case domain.DimCurrency:
		return "Currency"
	case colChange:
		return "Change"
	}
	return "Price"
}
