package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/jsonnum"
)

// hourlyMaxDays bounds an explicit granularity=hourly, a guard the Next.js API did not have: a
// year of hours over every series is some 385,000 rows in one answer. 92 days is a quarter,
// the dashboard's longest range short of a year (3M), so any range the dashboard offers below
// 1Y can still be asked for hour by hour.
const hourlyMaxDays = 92

// breakdownOrder is the order of the dimensions in rows and as CSV columns, so that rows and
// columns do not depend on how a client happened to order the parameter; meta.breakdown alone
// echoes the client's order.
var breakdownOrder = []string{domain.DimCoin, domain.DimCurrency, domain.DimDate}

// The messages of a 400 from /api/prices, in the Next.js API's words where it had them. A
// request with several bad parameters gets the message of the first in this order: dates
// missing, dates malformed, dates reversed, granularity (unknown, or hourly over
// hourlyMaxDays), breakdown, coinIds, currencyCodes, format; the errors map beside it names
// every bad parameter. A list past domain.MaxListItems gets msgTooMany in its place.
const (
	msgDatesRequired = "dateFrom and dateTo are required"
	msgDateFormat    = "Invalid date format. Use ISO format (YYYY-MM-DD)"
	msgDatesReversed = "dateFrom must be on or before dateTo"
	msgGranularity   = "Invalid granularity. Use daily or hourly"
	msgBreakdown     = "Invalid breakdown. Use date, coin or currency"
	msgCoinIDs       = "Invalid coin id. Use CoinGecko ids such as bitcoin"
	msgCurrencyCodes = "Invalid currency code. Use codes such as usd"
	msgFormat        = "Invalid format. Use json or csv"
	msgMode          = "Invalid mode. Use price or pct"
)

// msgTooMany is the message of a list parameter longer than domain.MaxListItems; it ranks
// with that parameter's other problems.
func msgTooMany(param string) string {
	return fmt.Sprintf("Too many values in %s. Send at most %d", param, domain.MaxListItems)
}

// tooManyProblem is what the errors map says of such a list.
var tooManyProblem = fmt.Sprintf("lists at most %d items", domain.MaxListItems)

// pricesRequest is a /api/prices query whose parameters are well formed, with what its meta
// echoes back.
//
// Defaults, as in the Next.js API: without coinIds every stored coin is included, without
// currencyCodes every stored currency, and without breakdown the rows are means per date
// alone; an empty value counts as absent. Without granularity, ranges of 2 days or less are
// hourly and longer ones daily.
type pricesRequest struct {
	query  domain.PriceQuery
	format string
	// change asks for each row's change in percent beside its price (mode=pct, an addition
	// to the Next.js API).
	change bool
	// breakdown, coinIDs and currencyCodes are the lists as the request gave them (lower-cased,
	// each once, in their order; empty when absent), for meta.
	breakdown, coinIDs, currencyCodes []string
}

type pricesFilters struct {
	CoinIDs       []string `json:"coinIds"`
	CurrencyCodes []string `json:"currencyCodes"`
}

type pricesMeta struct {
	Count       int      `json:"count"`
	Granularity string   `json:"granularity"`
	DateFrom    string   `json:"dateFrom"`
	DateTo      string   `json:"dateTo"`
	Breakdown   []string `json:"breakdown"`
	// Mode is "pct" when the rows carry changes; absent otherwise, as in the Next.js API.
	Mode    string        `json:"mode,omitempty"`
	Filters pricesFilters `json:"filters"`
	// Ignored names the well-formed coin ids and currency codes that are not stored, which the
	// Next.js API dropped without a word; both lists are always present.
	Ignored pricesFilters `json:"ignored"`
}

// apiPrices answers the price query of the Next.js API: mean price per group of the chosen
// breakdown, aggregated in SQL, as JSON or CSV. Coin ids and currency codes that are well
// formed but not stored are dropped and named in meta.ignored, as a client that hard-codes
// its defaults must keep working on a database that lacks one of them.
func (s *server) apiPrices(c echo.Context) error {
	ctx := c.Request().Context()
	req, err := parsePrices(c)
	if err != nil {
		return err
	}
	req.query.Today = s.now()
	ignored, err := s.dropUnstored(ctx, &req.query, req.coinIDs, req.currencyCodes)
	if err != nil {
		return err
	}
	if err := checkRows(req); err != nil {
		return err
	}
	q := req.query
	var rows []domain.PriceRow
	if len(q.CoinIDs) > 0 && len(q.CurrencyCodes) > 0 {
		if rows, err = s.prices(ctx, req); err != nil {
			return err
		}
	}
	if req.format == "csv" {
		return writePricesCSV(c, req, rows)
	}
	meta := pricesMeta{
		Count:       len(rows),
		Granularity: string(q.Granularity),
		DateFrom:    q.Range.FirstDay().Format(domain.DayLayout),
		DateTo:      q.Range.LastDay().Format(domain.DayLayout),
		Breakdown:   req.breakdown,
		Mode:        map[bool]string{true: "pct"}[req.change],
		Filters:     pricesFilters{CoinIDs: req.coinIDs, CurrencyCodes: req.currencyCodes},
		Ignored:     ignored,
	}
	if len(rows) > streamRows {
		return stream(c, echo.MIMEApplicationJSON, func(w io.Writer) error { return writePricesJSON(w, req, rows, meta) })
	}
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer jsonBuffers.Put(buf)
	buf.Reset()
	buf.Grow(len(rows)*rowJSONSize + 1024)
	if err := writePricesJSON(buf, req, rows, meta); err != nil {
		return err
	}
	// Blob copies the answer out (into the answer cache, or to the client) before the buffer
	// goes back.
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf.Bytes())
}

// jsonBuffers hold /api/prices answers while they are written: a one-year answer is some
// 240 KB, and a new buffer each time was cleared by the runtime before it was filled. The
// largest held is streamRows rows, about 1 MB.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// checkRows refuses a query whose answer could pass domain.MaxAnswerRows, naming what makes
// it large and how to narrow it, before anything is read.
func checkRows(req pricesRequest) error {
	q := req.query
	if req.change {
		// A change in percent reads every series on its own first (see prices).
		q.Breakdown = domain.AllDimensions
	}
	n := q.MaxRows()
	if n <= domain.MaxAnswerRows {
		return nil
	}
	msg := fmt.Sprintf("Too many rows: this asks for up to %d, and an answer holds at most %d. "+
		"Narrow it: fewer coinIds or currencyCodes, a shorter range, daily granularity, or a breakdown without coin, currency or date",
		n, domain.MaxAnswerRows)
	bad := newInvalidParams()
	if q.Breakdown.Coin {
		bad.add("coinIds", msg, fmt.Sprintf("%d coins, a row each", len(q.CoinIDs)))
	}
	if q.Breakdown.Currency {
		bad.add("currencyCodes", msg, fmt.Sprintf("%d currencies, a row each", len(q.CurrencyCodes)))
	}
	if q.Breakdown.Date {
		unit := "days"
		if q.Granularity == domain.Hourly {
			unit = "hours"
		}
		bad.add("dateTo", msg, fmt.Sprintf("%d %s from dateFrom, a row each", domain.PriceQuery{Range: q.Range, Granularity: q.Granularity, Breakdown: domain.Breakdown{Date: true}}.MaxRows(), unit))
	}
	return bad.err()
}

// rowJSON is r as the API writes it, appended to b: the bytes encoding/json writes for
//
//	{"coin":…,"currency":…,"date":…,"price":…,"change":…,"partial":…,"hours":…,"filled":…}
//
// with coin, currency and date there as the breakdown has them; change (the row's change in
// percent from the first value at or after dateFrom) and filled (true when a series had no
// value at this time and its previous one was carried forward, as the dashboard's table
// marks it) with mode=pct; partial (a day of the row is incomplete: today, or the day the
// start of the stored history cuts) and hours (the stored hours of the row's thinnest day, so
// a complete day missing an hour says 23) on daily rows by date. Written by hand, since
// encoding/json's reflection per row was half of a one-year miss's CPU (pprof).
func (req pricesRequest) rowJSON(b []byte, r domain.PriceRow) ([]byte, error) {
	q := req.query
	b = append(b, '{')
	if q.Breakdown.Coin && r.CoinID != "" {
		b = appendJSONString(append(b, `"coin":`...), r.CoinID)
		b = append(b, ',')
	}
	if q.Breakdown.Currency && r.CurrencyCode != "" {
		b = appendJSONString(append(b, `"currency":`...), strings.ToUpper(r.CurrencyCode))
		b = append(b, ',')
	}
	if q.Breakdown.Date {
		b = appendRowTime(append(b, `"date":"`...), r.Time.UTC(), q.Granularity)
		b = append(b, `",`...)
	}
	b, err := jsonnum.AppendFloat(append(b, `"price":`...), r.Price)
	if err != nil {
		return nil, err
	}
	if req.change {
		if b, err = jsonnum.AppendFloat(append(b, `,"change":`...), r.Change*100); err != nil {
			return nil, err
		}
	}
	if q.Granularity == domain.Daily && q.Breakdown.Date {
		b = strconv.AppendBool(append(b, `,"partial":`...), r.Partial)
		b = strconv.AppendInt(append(b, `,"hours":`...), int64(r.Hours), 10)
	}
	if req.change {
		b = strconv.AppendBool(append(b, `,"filled":`...), r.Filled)
	}
	return append(b, '}'), nil
}

// appendRowTime writes t (UTC) as domain.FormatRowTime does, digit by digit for the years
// of four digits: AppendFormat's parse of the layout was a tenth of a one-year answer.
func appendRowTime(b []byte, t time.Time, g domain.Granularity) []byte {
	y, m, d := t.Date()
	if y < 1000 || y > 9999 {
		return append(b, domain.FormatRowTime(t, g)...)
	}
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		'-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	if g == domain.Hourly {
		h := t.Hour()
		b = append(b, ' ', byte('0'+h/10), byte('0'+h%10), ':', '0', '0', ':', '0', '0')
	}
	return b
}

// rowJSONSize is about what a row of a one-year answer by coin, currency and date takes.
const rowJSONSize = 96

// appendJSONString writes s as a JSON string. Ids and codes are letters, digits and hyphens
// and go as they are; anything else takes encoding/json's way, with its escapes of HTML
// characters and invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s)
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// writePricesJSON writes the answer ok would, envelope and all, one row at a time, so that
// a large answer is never held whole.
func writePricesJSON(w io.Writer, req pricesRequest, rows []domain.PriceRow, meta pricesMeta) error {
	b := make([]byte, 0, 4096)
	b = append(b, `{"success":true,"data":{"data":[`...)
	var err error
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = req.rowJSON(b, r); err != nil {
			return err
		}
		if len(b) >= 4096-rowJSONSize {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	m, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	b = append(append(append(b, `],"meta":`...), m...), `}}`...)
	_, err = w.Write(b)
	return err
}

// parsePrices checks the shape of every parameter, without the database, and reports every
// bad one at once, headed by the first in the order of the messages above.
func parsePrices(c echo.Context) (pricesRequest, error) {
	bad := newInvalidParams()
	var req pricesRequest
	q := &req.query
	params := c.QueryParams()

	var datesOK bool
	q.Range, datesOK = parseDays(c, bad)

	switch g := strings.ToLower(strings.TrimSpace(c.QueryParam("granularity"))); g {
	case "":
		q.Granularity = domain.Daily
		if datesOK {
			q.Granularity = domain.GranularityFor(q.Range)
		}
	case string(domain.Daily), string(domain.Hourly):
		q.Granularity = domain.Granularity(g)
		if g == string(domain.Hourly) && datesOK && q.Range.DaySpan() > hourlyMaxDays*24*time.Hour {
			bad.add("granularity", fmt.Sprintf("Hourly data covers at most %d days. Use daily for longer ranges", hourlyMaxDays),
				fmt.Sprintf("hourly covers at most %d days (a quarter); use daily for longer ranges", hourlyMaxDays))
		}
	default:
		bad.add("granularity", msgGranularity, fmt.Sprintf("must be daily or hourly, got %q", domain.Excerpt(g)))
	}

	breakdown, err := domain.ParseList(params["breakdown"])
	if err != nil {
		bad.add("breakdown", msgTooMany("breakdown"), tooManyProblem)
	}
	req.breakdown = orEmpty(breakdown)
	// Without a breakdown the Next.js API gave one mean per date over everything asked for.
	q.Breakdown = domain.Breakdown{Date: true}
	if len(req.breakdown) > 0 {
		var unknown []string
		q.Breakdown, unknown = domain.ParseBreakdown(req.breakdown)
		if len(unknown) > 0 {
			bad.add("breakdown", msgBreakdown, fmt.Sprintf("unknown value %q; accepts coin, currency, date", domain.Excerpt(unknown[0])))
		}
	}

	req.coinIDs = checkShape(bad, "coinIds", msgCoinIDs, "a coin id (letters, digits and hyphens, such as avalanche-2)",
		params["coinIds"], domain.ValidCoinID)
	req.currencyCodes = checkShape(bad, "currencyCodes", msgCurrencyCodes, "a currency code (3 to 5 letters, such as usd)",
		params["currencyCodes"], domain.ValidCurrencyCode)

	switch f := strings.ToLower(strings.TrimSpace(c.QueryParam("format"))); f {
	case "", "json":
		req.format = "json"
	case "csv":
		req.format = "csv"
	default:
		bad.add("format", msgFormat, fmt.Sprintf("must be json or csv, got %q", domain.Excerpt(f)))
	}

	switch m := strings.ToLower(strings.TrimSpace(c.QueryParam("mode"))); m {
	case "", "price":
	case "pct":
		req.change = true
	default:
		bad.add("mode", msgMode, fmt.Sprintf("must be price or pct, got %q", m))
	}
	return req, bad.err()
}

// prices reads the answer's rows. Plain means are the Next.js API's, grouped in SQL. A change
// in percent needs each series on its own first (domain.Aggregate): the change of a group is
// the mean of its members' changes, each from its own first value, and a member's gap carries
// its last value forward rather than moving the group's mean; the price then comes from the
// same groups, so the two agree.
func (s *server) prices(ctx context.Context, req pricesRequest) ([]domain.PriceRow, error) {
	if !req.change {
		return s.deps.Store.Prices(ctx, req.query)
	}
	all := req.query
	all.Breakdown = domain.AllDimensions
	perSeries, err := s.deps.Store.Prices(ctx, all)
	if err != nil {
		return nil, err
	}
	var rows []domain.PriceRow
	for _, g := range domain.Aggregate(perSeries, req.query.Breakdown) {
		rows = append(rows, g.Points...)
	}
	// Rows in the API's order: date, coin, currency.
	slices.SortStableFunc(rows, func(a, b domain.PriceRow) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.CoinID, b.CoinID), cmp.Compare(a.CurrencyCode, b.CurrencyCode))
	})
	return rows, nil
}

// parseDays reads the days dateFrom through dateTo, both required, as the API's range; ok is
// false when either is missing or bad, each named in bad.
func parseDays(c echo.Context, bad *invalidParams) (r domain.Range, ok bool) {
	rawFrom, rawTo := strings.TrimSpace(c.QueryParam("dateFrom")), strings.TrimSpace(c.QueryParam("dateTo"))
	if rawFrom == "" {
		bad.add("dateFrom", msgDatesRequired, "required, as YYYY-MM-DD")
	}
	if rawTo == "" {
		bad.add("dateTo", msgDatesRequired, "required, as YYYY-MM-DD")
	}
	from, fromOK := parseDate(bad, "dateFrom", rawFrom)
	to, toOK := parseDate(bad, "dateTo", rawTo)
	if fromOK && toOK && to.Before(from) {
		bad.add("dateTo", msgDatesReversed, fmt.Sprintf("must be on or after dateFrom (%s)", from.Format(domain.DayLayout)))
		return domain.Range{}, false
	}
	return domain.Days(from, to), fromOK && toOK
}

// parseDate reads a date that is present; a missing one is reported by the caller, so that
// "both dates are required" heads the answer whichever is missing.
func parseDate(bad *invalidParams, param, raw string) (time.Time, bool) {
	if raw == "" {
		return time.Time{}, false
	}
	t, err := domain.ParseDay(raw)
	if err != nil {
		bad.add(param, msgDateFormat, fmt.Sprintf("must be a date as YYYY-MM-DD, got %q", domain.Excerpt(raw)))
		return time.Time{}, false
	}
	return t, true
}

// checkShape returns the list parameter's items, naming in bad those that no coin id or
// currency code could be: those are typos, where an id that is merely not stored is not. A
// list longer than domain.MaxListItems is refused whole.
func checkShape(bad *invalidParams, param, headline, shape string, values []string, valid func(string) bool) []string {
	items, err := domain.ParseList(values)
	if err != nil {
		bad.add(param, msgTooMany(param), tooManyProblem)
		return []string{}
	}
	var malformed []string
	for _, item := range items {
		if !valid(item) {
			malformed = append(malformed, item)
		}
	}
	if len(malformed) > 0 {
		bad.add(param, headline, fmt.Sprintf("not shaped like %s: %s", shape, domain.ExcerptList(malformed, true)))
	}
	return orEmpty(items)
}

// dropUnstored narrows q to the stored coins and currencies among those asked for, or sets
// all stored ones when none were asked for, and returns the ones asked for but not stored.
func (s *server) dropUnstored(ctx context.Context, q *domain.PriceQuery, coinIDs, currencyCodes []string) (pricesFilters, error) {
	cat, err := s.deps.Store.Catalog(ctx)
	if err != nil {
		return pricesFilters{}, err
	}
	storedCoins := make([]string, len(cat.Coins))
	for i, coin := range cat.Coins {
		storedCoins[i] = coin.ID
	}
	storedCurrencies := make([]string, len(cat.Currencies))
	for i, cur := range cat.Currencies {
		storedCurrencies[i] = cur.Code
	}
	var ignored pricesFilters
	q.CoinIDs, ignored.CoinIDs = splitStored(coinIDs, storedCoins)
	q.CurrencyCodes, ignored.CurrencyCodes = splitStored(currencyCodes, storedCurrencies)
	return ignored, nil
}

// splitStored returns the asked items that are stored and those that are not, or every
// stored item when nothing was asked for. The second list is never nil, so meta.ignored
// always carries both arrays.
func splitStored(asked, stored []string) (keep, unstored []string) {
	unstored = []string{}
	if len(asked) == 0 {
		return stored, unstored
	}
	for _, a := range asked {
		if slices.Contains(stored, a) {
			keep = append(keep, a)
		} else {
			unstored = append(unstored, a)
		}
	}
	return keep, unstored
}

// orEmpty keeps a list that was not sent as [] rather than null in JSON, as the Next.js API
// echoed it.
func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// writePricesCSV sends the same rows as the JSON answer, with the same field names as the
// header, as a download.
func writePricesCSV(c echo.Context, req pricesRequest, rows []domain.PriceRow) error {
	q := req.query
	cols := append(q.Breakdown.Dimensions(breakdownOrder), domain.ColPrice)
	if req.change {
		cols = append(cols, domain.ColChange, domain.ColFilled)
	}
	if q.Granularity == domain.Daily && q.Breakdown.Date {
		cols = append(cols, domain.ColPartial, domain.ColHours)
	}
	name := fmt.Sprintf("prices_%s_%s_%s.csv", q.Range.FirstDay().Format(domain.DayLayout),
		q.Range.LastDay().Format(domain.DayLayout), q.Granularity)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	const csvType = "text/csv; charset=utf-8"
	if len(rows) > streamRows {
		return stream(c, csvType, func(w io.Writer) error { return domain.WritePricesCSV(w, cols, q.Granularity, rows) })
	}
	var buf bytes.Buffer
	if err := domain.WritePricesCSV(&buf, cols, q.Granularity, rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return c.Blob(http.StatusOK, csvType, buf.Bytes())
}
