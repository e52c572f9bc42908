package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

const (
	dateLayout = "2006-01-02"
	hourLayout = "2006-01-02 15:00:00"
	// hourlyMaxDays bounds an explicit granularity=hourly, a guard the Next.js API did not
	// have: a year of hours over every series is some 385,000 rows in one answer.
	// 92 days is a quarter, the dashboard's longest range short of a year (3M), so any range
	// the dashboard offers below 1Y can still be asked for hour by hour.
	hourlyMaxDays = 92
)

// Breakdown names in the order they appear in rows, in meta.breakdown and as CSV columns, so
// that the answer does not depend on how a client happened to order the parameter.
var breakdownNames = []string{"coin", "currency", "date"}

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
			out[i].Date = formatRowTime(r.Time, q.Granularity)
		}
	}
	if req.format == "csv" {
		return writePricesCSV(c, q, out)
	}
	return ok(c, pricesJSON{Data: out, Meta: pricesMeta{
		Count:       len(out),
		Granularity: string(q.Granularity),
		DateFrom:    q.From.Format(dateLayout),
		DateTo:      q.To.Format(dateLayout),
		Breakdown:   breakdownList(q.Breakdown),
		Filters:     pricesFilters{CoinIDs: q.CoinIDs, CurrencyCodes: q.CurrencyCodes},
	}})
}

func formatRowTime(t time.Time, g domain.Granularity) string {
	if g == domain.Hourly {
		return t.UTC().Format(hourLayout)
	}
	return t.UTC().Format(dateLayout)
}

func breakdownList(b domain.Breakdown) []string {
	on := map[string]bool{"coin": b.Coin, "currency": b.Currency, "date": b.Date}
	out := make([]string, 0, 3)
	for _, name := range breakdownNames {
		if on[name] {
			out = append(out, name)
		}
	}
	return out
}

// parsePrices validates every parameter and reports all bad ones at once. Coin ids and
// currency codes are checked against the database, so a typo is a 400 naming it rather than
// an empty chart.
func (s *server) parsePrices(ctx context.Context, c echo.Context) (pricesRequest, error) {
	bad := invalidParams{}
	var req pricesRequest
	q := &req.query

	from, fromOK := parseDate(bad, "dateFrom", c.QueryParam("dateFrom"))
	to, toOK := parseDate(bad, "dateTo", c.QueryParam("dateTo"))
	if fromOK && toOK && to.Before(from) {
		bad.add("dateTo", fmt.Sprintf("must be on or after dateFrom (%s)", from.Format(dateLayout)))
	}
	q.From, q.To = from, to

	switch g := strings.ToLower(strings.TrimSpace(c.QueryParam("granularity"))); g {
	case "":
		q.Granularity = domain.Daily
		if fromOK && toOK && to.Sub(from) <= domain.HourlyMaxSpan {
			q.Granularity = domain.Hourly
		}
	case string(domain.Daily), string(domain.Hourly):
		q.Granularity = domain.Granularity(g)
		if g == string(domain.Hourly) && fromOK && toOK && to.Sub(from) > hourlyMaxDays*24*time.Hour {
			bad.add("granularity", fmt.Sprintf("hourly covers at most %d days (a quarter); use daily for longer ranges", hourlyMaxDays))
		}
	default:
		bad.add("granularity", fmt.Sprintf("must be daily or hourly, got %q", g))
	}

	breakdown := splitList(listParam(c, "breakdown"))
	if len(breakdown) == 0 {
		breakdown = breakdownNames
	}
	for _, name := range breakdown {
		switch name {
		case "coin":
			q.Breakdown.Coin = true
		case "currency":
			q.Breakdown.Currency = true
		case "date":
			q.Breakdown.Date = true
		default:
			bad.add("breakdown", fmt.Sprintf("unknown value %q; accepts coin, currency, date", name))
		}
	}

	switch f := strings.ToLower(strings.TrimSpace(c.QueryParam("format"))); f {
	case "", "json":
		req.format = "json"
	case "csv":
		req.format = "csv"
	default:
		bad.add("format", fmt.Sprintf("must be json or csv, got %q", f))
	}

	coins, err := s.deps.Store.Coins(ctx)
	if err != nil {
		return req, err
	}
	currencies, err := s.deps.Store.Currencies(ctx)
	if err != nil {
		return req, err
	}
	knownCoins := make([]string, len(coins))
	for i, coin := range coins {
		knownCoins[i] = coin.ID
	}
	knownCurrencies := make([]string, len(currencies))
	for i, cur := range currencies {
		knownCurrencies[i] = cur.Code
	}
	q.CoinIDs = pickKnown(bad, "coinIds", "coin id", splitList(listParam(c, "coinIds")), knownCoins)
	q.CurrencyCodes = pickKnown(bad, "currencyCodes", "currency code", splitList(listParam(c, "currencyCodes")), knownCurrencies)

	return req, bad.err()
}

func parseDate(bad invalidParams, param, raw string) (time.Time, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		bad.add(param, "required, as YYYY-MM-DD")
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(dateLayout, raw, time.UTC)
	if err != nil {
		bad.add(param, fmt.Sprintf("must be a date as YYYY-MM-DD, got %q", raw))
		return time.Time{}, false
	}
	return t, true
}

// listParam joins every value of a list parameter, so `coinIds=a&coinIds=b` means the same as
// `coinIds=a,b` rather than silently dropping b.
func listParam(c echo.Context, name string) string {
	return strings.Join(c.QueryParams()[name], ",")
}

// splitList reads a comma-separated parameter, lower-cased, trimmed and without duplicates.
// Ids and codes are lower case in the database, so this is what makes currency codes
// case-insensitive.
func splitList(raw string) []string {
	var out []string
	for _, item := range strings.Split(raw, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		if item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}

// pickKnown returns asked when every item is known, or all of known when nothing was asked.
func pickKnown(bad invalidParams, param, what string, asked, known []string) []string {
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
		bad.add(param, fmt.Sprintf("unknown %s %s", what, strings.Join(unknown, ", ")))
	}
	return asked
}

// writePricesCSV sends the same rows as the JSON answer, with the same field names as the
// header, as a download.
func writePricesCSV(c echo.Context, q domain.PriceQuery, rows []priceRowJSON) error {
	header := append(breakdownList(q.Breakdown), "price")
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return err
	}
	record := make([]string, 0, len(header))
	for _, r := range rows {
		record = record[:0]
		if q.Breakdown.Coin {
			record = append(record, r.Coin)
		}
		if q.Breakdown.Currency {
			record = append(record, r.Currency)
		}
		if q.Breakdown.Date {
			record = append(record, r.Date)
		}
		record = append(record, strconv.FormatFloat(r.Price, 'f', -1, 64))
		if err := w.Write(record); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	name := fmt.Sprintf("prices_%s_%s_%s.csv", q.From.Format(dateLayout), q.To.Format(dateLayout), q.Granularity)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
