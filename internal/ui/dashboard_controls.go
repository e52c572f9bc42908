package ui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// controls fills the dashboard's form from the view it shows, so after a zoom or a corrected
// choice the form agrees with the chart.
func (d *dashboard) controls() views.ControlsProps {
	s := d.state
	p := views.ControlsProps{Errors: map[string]string(d.errs)}
	for _, id := range d.cat.coinOrder {
		coin := d.cat.coins[id]
		p.Coins = append(p.Coins, views.Choice{Value: id, Label: coin.Name, Hint: coin.Symbol,
			Checked: slices.Contains(s.Coins, id), Coin: true})
	}
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
