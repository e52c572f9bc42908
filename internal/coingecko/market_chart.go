package coingecko

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// chartBody is the /market_chart/range answer. Each point is [ms, value], and the value may be
// null, hence the pointers. Plain float64 decoding keeps every digit: JSON numbers written
// from doubles parse back to the same double.
type chartBody struct {
	Prices       [][]*float64 `json:"prices"`
	MarketCaps   [][]*float64 `json:"market_caps"`
	TotalVolumes [][]*float64 `json:"total_volumes"`
}

// MarketChartRange returns the samples of coinID priced in vsCurrency between from and to.
// CoinGecko picks the granularity from the range (5-minute up to a day ending now, hourly up
// to 90 days, daily above); interval is never sent because finer intervals are reserved for
// Enterprise plans. The samples come as CoinGecko sent them: unordered at the tail, with
// repeated instants and unusable prices, for domain.BucketHourly to clean.
func (c *Client) MarketChartRange(ctx context.Context, coinID, vsCurrency string, from, to time.Time) ([]domain.Sample, error) {
	if !from.Before(to) {
		return nil, fmt.Errorf("coingecko: range for %s/%s starts at %s, not before its end %s",
			coinID, vsCurrency, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	query := url.Values{
		"vs_currency": {vsCurrency},
		"from":        {strconv.FormatInt(from.Unix(), 10)},
		"to":          {strconv.FormatInt(to.Unix(), 10)},
		"precision":   {"full"},
	}
	var body chartBody
	if err := c.get(ctx, "/coins/"+url.PathEscape(coinID)+"/market_chart/range", query, chartBodyLimit, &body); err != nil {
		return nil, err
	}
	return body.samples(), nil
}

// samples joins the three arrays on identical millisecond timestamps, keeping the points in
// the order CoinGecko sent them. A null price becomes NaN rather than vanishing here, so the
// one clean-up step (domain.BucketHourly) counts it with the other unusable samples; ordering,
// repeated instants and bad values are all left to that step.
func (b chartBody) samples() []domain.Sample {
	caps := pointValues(b.MarketCaps)
	volumes := pointValues(b.TotalVolumes)
	out := make([]domain.Sample, 0, len(b.Prices))
	for _, p := range b.Prices {
		ms, ok := pointTime(p)
		if !ok {
			continue
		}
		price := math.NaN()
		if p[1] != nil {
			price = *p[1]
		}
		out = append(out, domain.Sample{
			Time:        time.UnixMilli(ms).UTC(),
			Price:       price,
			MarketCap:   caps[ms],
			TotalVolume: volumes[ms],
		})
	}
	return out
}

// pointValues indexes a [ms, value] array by ms; null values are left out so that a lookup
// yields nil for them as it does for a missing instant.
func pointValues(points [][]*float64) map[int64]*float64 {
	values := make(map[int64]*float64, len(points))
	for _, p := range points {
		if ms, ok := pointTime(p); ok && p[1] != nil {
			values[ms] = p[1]
		}
	}
	return values
}

func pointTime(p []*float64) (int64, bool) {
	if len(p) < 2 || p[0] == nil {
		return 0, false
	}
	return int64(*p[0]), true
}
