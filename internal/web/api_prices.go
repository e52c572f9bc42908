package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// hourlyMaxDays bounds an explicit granularity=hourly, a guard the Next.js API did not have: a
// year of hours over every series is some 385,000 rows in one answer. 92 days is a quarter,
// the dashboard's longest range short of a year (3M), so any range the dashboard offers below
// 1Y can still be asked for hour by hour.
const hourlyMaxDays = 92

// breakdownOrder is the order of the dimensions in rows, in meta.breakdown and as CSV columns,
// so that the answer does not depend on how a client happened to order the parameter.
var breakdownOrder = []string{domain.DimCoin, domain.DimCurrency, domain.DimDate}

// pricesRequest is a validated /api/prices query.
//
// Defaults: without coinIds every stored coin is included, without currencyCodes every stored
// currency, and without breakdown all three dimensions; an empty value counts as absent.
// Without granularity, ranges of 2 days or less are hourly and longer ones daily.
type pricesRequest struct {
	query  domain.PriceQuery
	format string
}

type priceRowJSON struct {
	Coin     string  `json:"coin,omitempty"`
	Currency string  `json:"currency,omitempty"`
	Date     string  `json:"date,omitempty"`
	Price    float64 `json:"price"`
}

type pricesFilters struct {
	CoinIDs       []string `json:"coinIds"`
	CurrencyCodes []string `json:"currencyCodes"`
}

type pricesMeta struct {
	Count       int           `json:"count"`
	Granularity string        `json:"granularity"`
	DateFrom    string        `json:"dateFrom"`
	DateTo      string        `json:"dateTo"`
	Breakdown   []string      `json:"breakdown"`
	Filters     pricesFilters `json:"filters"`
}

type pricesJSON struct {
	Data []priceRowJSON `json:"data"`
	Meta pricesMeta     `json:"meta"`
}

// apiPrices answers the price query of the Next.js API: mean price per group of the chosen
// breakdown, aggregated in SQL, as JSON or CSV.
func (s *server) apiPrices(c echo.Context) error {
	ctx := c.Request().Context()
	req, err := s.parsePrices(ctx, c)
	if err != nil {
		return err
	}
	rows, err := s.deps.Store.Prices(ctx, req.query)
	if err != nil {
		return err
	}
	q := req.query
	out := make([]priceRowJSON, len(rows))
	for i, r := range rows {
		out[i] = priceRowJSON{Price: r.Price}
		if q.Breakdown.Coin {
			out[i].Coin = r.CoinID
		}
		if q.Breakdown.Currency {
			out[i].Currency = strings.ToUpper(r.CurrencyCode)
		}
		if q.Breakdown.Date {
			out[i].Date = domain.FormatRowTime(r.Time, q.Granularity)
		}
	}
	if req.format == "csv" {
		return writePricesCSV(c, q, rows)
	}
	return ok(c, pricesJSON{Data: out, Meta: pricesMeta{
		Count:       len(out),
		Granularity: string(q.Granularity),
		DateFrom:    q.Range.FirstDay().Format(domain.DayLayout),
		DateTo:      q.Range.LastDay().Format(domain.DayLayout),
		Breakdown:   q.Breakdown.Dimensions(breakdownOrder),
		Filters:     pricesFilters{CoinIDs: q.CoinIDs, CurrencyCodes: q.CurrencyCodes},
	}})
}

// parsePrices validates every parameter and reports all bad ones at once. Coin ids and
// currency codes are checked against the database, so a typo is a 400 naming it rather than
// an empty chart.
func (s *server) parsePrices(ctx context.Context, c echo.Context) (pricesRequest, error) {
	bad := domain.FieldErrors{}
	var req pricesRequest
	q := &req.query
	params := c.QueryParams()

	from, fromOK := parseDate(bad, "dateFrom", c.QueryParam("dateFrom"))
	to, toOK := parseDate(bad, "dateTo", c.QueryParam("dateTo"))
	if fromOK && toOK && to.Before(from) {
		bad.Add("dateTo", fmt.Sprintf("must be on or after dateFrom (%s)", from.Format(domain.DayLayout)))
	}
	q.Range = domain.Days(from, to)

	switch g := strings.ToLower(strings.TrimSpace(c.QueryParam("granularity"))); g {
	case "":
		q.Granularity = domain.Daily
		if fromOK && toOK {
			q.Granularity = domain.GranularityFor(q.Range)
		}
	case string(domain.Daily), string(domain.Hourly):
		q.Granularity = domain.Granularity(g)
		if g == string(domain.Hourly) && fromOK && toOK && q.Range.DaySpan() > hourlyMaxDays*24*time.Hour {
			bad.Add("granularity", fmt.Sprintf("hourly covers at most %d days (a quarter); use daily for longer ranges", hourlyMaxDays))
		}
	default:
		bad.Add("granularity", fmt.Sprintf("must be daily or hourly, got %q", g))
	}

	q.Breakdown = domain.AllDimensions
	if names := domain.ParseList(params["breakdown"]); len(names) > 0 {
		var unknown []string
		q.Breakdown, unknown = domain.ParseBreakdown(names)
		if len(unknown) > 0 {
			bad.Add("breakdown", fmt.Sprintf("unknown value %q; accepts coin, currency, date", unknown[0]))
		}
	}

	switch f := strings.ToLower(strings.TrimSpace(c.QueryParam("format"))); f {
	case "", "json":
		req.format = "json"
	case "csv":
		req.format = "csv"
	default:
		bad.Add("format", fmt.Sprintf("must be json or csv, got %q", f))
	}

	cat, err := s.deps.Store.Catalog(ctx)
	if err != nil {
		return req, err
	}
	knownCoins := make([]string, len(cat.Coins))
	for i, coin := range cat.Coins {
		knownCoins[i] = coin.ID
	}
	knownCurrencies := make([]string, len(cat.Currencies))
	for i, cur := range cat.Currencies {
		knownCurrencies[i] = cur.Code
	}
	q.CoinIDs = checkKnown(bad, "coinIds", "coin id", domain.ParseList(params["coinIds"]), knownCoins)
	q.CurrencyCodes = checkKnown(bad, "currencyCodes", "currency code", domain.ParseList(params["currencyCodes"]), knownCurrencies)

	return req, bad.Err()
}

func parseDate(bad domain.FieldErrors, param, raw string) (time.Time, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		bad.Add(param, "required, as YYYY-MM-DD")
		return time.Time{}, false
	}
	t, err := domain.ParseDay(raw)
	if err != nil {
		bad.Add(param, fmt.Sprintf("must be a date as YYYY-MM-DD, got %q", raw))
		return time.Time{}, false
	}
	return t, true
}

// checkKnown returns asked, naming in bad every item that is not known, or all of known when
// nothing was asked.
func checkKnown(bad domain.FieldErrors, param, what string, asked, known []string) []string {
	if len(asked) == 0 {
		return known
	}
	var unknown []string
	for _, a := range asked {
		if !slices.Contains(known, a) {
			unknown = append(unknown, strconv.Quote(a))
		}
	}
	if len(unknown) > 0 {
		bad.Add(param, fmt.Sprintf("unknown %s %s", what, strings.Join(unknown, ", ")))
	}
	return asked
}

// writePricesCSV sends the same rows as the JSON answer, with the same field names as the
// header, as a download.
func writePricesCSV(c echo.Context, q domain.PriceQuery, rows []domain.PriceRow) error {
	var buf bytes.Buffer
	cols := append(q.Breakdown.Dimensions(breakdownOrder), domain.ColPrice)
	if err := domain.WritePricesCSV(&buf, cols, q.Granularity, rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	name := fmt.Sprintf("prices_%s_%s_%s.csv", q.Range.FirstDay().Format(domain.DayLayout),
		q.Range.LastDay().Format(domain.DayLayout), q.Granularity)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
