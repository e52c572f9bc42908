package coingecko

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// chartBody is the /market_chart/range answer: three arrays of [ms, value] points.
type chartBody struct {
	Prices       []point `json:"prices"`
	MarketCaps   []point `json:"market_caps"`
	TotalVolumes []point `json:"total_volumes"`
}

// point is one [ms, value] pair. Either number is NaN when it is null, missing or not a
// number, and a number beyond a double's range is ±Inf, where encoding/json would refuse the
// whole answer: one absurd point costs one sample, which the clean-up drops and counts.
// Plain float64 parsing keeps every digit: JSON numbers written from doubles parse back to
// the same double.
type point struct {
	ms, value float64
}

func (p *point) UnmarshalJSON(b []byte) error {
	*p = point{ms: math.NaN(), value: math.NaN()}
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	var pair []number
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) < 2 {
		return nil
	}
	p.ms, p.value = float64(pair[0]), float64(pair[1])
	return nil
}

// number is a JSON value read as a double: NaN unless it is a number, ±Inf beyond range.
type number float64

func (n *number) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		f = math.NaN()
	}
	*n = number(f)
	return nil
}

// maxMillis bounds a readable timestamp: beyond 2^53 a double no longer holds every
// millisecond, and the year is past 285,000.
const maxMillis = 1 << 53

// time is the point's instant, false when its timestamp is missing or unreadable.
func (p point) time() (int64, bool) {
	if !(p.ms > -maxMillis && p.ms < maxMillis) {
		return 0, false
	}
	return int64(p.ms), true
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
// the order CoinGecko sent them, one sample per price point. An unreadable timestamp leaves
// the sample's Time zero and a null price makes it NaN, rather than the point vanishing
// here, so the one clean-up step (domain.BucketHourly) counts them with the other unusable
// samples; ordering, repeated instants and bad values are all left to that step.
func (b chartBody) samples() []domain.Sample {
	caps := pointValues(b.MarketCaps)
	volumes := pointValues(b.TotalVolumes)
	out := make([]domain.Sample, 0, len(b.Prices))
	for _, p := range b.Prices {
		s := domain.Sample{Price: p.value}
		if ms, ok := p.time(); ok {
			s.Time = time.UnixMilli(ms).UTC()
			s.MarketCap, s.TotalVolume = caps[ms], volumes[ms]
		}
		out = append(out, s)
	}
	return out
}

// pointValues indexes a [ms, value] array by ms. Values that cannot be a market cap or a
// volume (null, negative, not finite) are left out, so that a lookup yields nil for them as
// it does for a missing instant: unknown, never a wrong number.
func pointValues(points []point) map[int64]*float64 {
	values := make(map[int64]*float64, len(points))
	for _, p := range points {
		if ms, ok := p.time(); ok && p.value >= 0 && !math.IsInf(p.value, 1) {
			v := p.value
			values[ms] = &v
		}
	}
	return values
}
