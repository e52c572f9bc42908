package ui

import (
	"context"
	"slices"

	"github.com/cryptodash/cryptodash/internal/analytics"
	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// benchParam measures the % view's changes in bitcoin: bench=btc divides each series by
// bitcoin's price in the same currency at the same time, so a line above zero beat bitcoin
// over the range and one below trailed it. It means something only in % change mode.
const (
	benchParam = "bench"
	benchBTC   = "btc"
	benchCoin  = "bitcoin"
)

// benchmarked reports whether the view measures its changes against bitcoin.
func (v ViewState) benchmarked() bool { return v.Bench == benchBTC && v.Mode == chart.ModePercent }

// inBitcoin turns the per-series rows of a price query into the same series priced in
// bitcoin, time by time (analytics.Quote: a time bitcoin lacks is a gap, not a guess), with
// each row's hours and flags kept. Daily views divide daily averages.
func (h *Handler) inBitcoin(ctx context.Context, d *dashboard, rows []domain.PriceRow) ([]domain.PriceRow, error) {
	btcRows, err := h.store.Prices(ctx, domain.PriceQuery{
		CoinIDs: []string{benchCoin}, CurrencyCodes: d.state.Currencies,
		Range: d.span, Breakdown: domain.AllDimensions, Granularity: d.gran, Today: d.now,
	})
	if err != nil {
		return nil, err
	}
	btc := map[string][]analytics.Point{}
	for _, r := range btcRows {
		btc[r.CurrencyCode] = append(btc[r.CurrencyCode], analytics.Point{Time: r.Time, Value: r.Price})
	}
	bySeries := map[domain.Series][]domain.PriceRow{}
	var order []domain.Series
	for _, r := range rows {
		s := domain.Series{CoinID: r.CoinID, CurrencyCode: r.CurrencyCode}
		if _, ok := bySeries[s]; !ok {
			order = append(order, s)
		}
		bySeries[s] = append(bySeries[s], r)
	}
	var out []domain.PriceRow
	for _, s := range order {
		own := bySeries[s]
		slices.SortFunc(own, func(a, b domain.PriceRow) int { return a.Time.Compare(b.Time) })
		points := make([]analytics.Point, len(own))
		for i, r := range own {
			points[i] = analytics.Point{Time: r.Time, Value: r.Price}
		}
		i := 0
		for _, q := range analytics.Quote(points, btc[s.CurrencyCode]) {
			for !own[i].Time.Equal(q.Time) {
				i++
			}
			r := own[i]
			r.Price = q.Value
			out = append(out, r)
		}
	}
	return out, nil
}
