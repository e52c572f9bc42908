package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// ohlcDefaultCurrency is the currency of /api/coins/{id}/ohlc when none is named: the one
// the Next.js system's clients and the brief's examples use.
const ohlcDefaultCurrency = "usd"

type candleJSON struct {
	Date    string  `json:"date"`
	Open    float64 `json:"open"`
	High    float64 `json:"high"`
	Low     float64 `json:"low"`
	Close   float64 `json:"close"`
	Samples int     `json:"samples"`
	// Partial marks an incomplete day: today, or the day the start of the stored history
	// cuts. A day with fewer samples and no flag is complete, missing some hours.
	Partial bool `json:"partial"`
}

// apiCoinOHLC answers /api/coins/{id}/ohlc?currency=&dateFrom=&dateTo= with the coin's daily
// rows in one currency, ordered by date, straight from prices_daily: samples is the hours a day holds, and partial
// marks an incomplete one. dateFrom and dateTo are required, as in /api/prices, so an answer is always
// bounded; currency defaults to usd. An unknown coin is a 404; a bad or unknown parameter a
// 400 naming it.
func (s *server) apiCoinOHLC(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	cat, err := s.deps.Store.Catalog(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(cat.Coins, func(x domain.Coin) bool { return x.ID == id }) {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("unknown coin %q", domain.Excerpt(id)))
	}

	bad := newInvalidParams()
	days, _ := parseDays(c, bad)
	currency := strings.ToLower(strings.TrimSpace(c.QueryParam("currency")))
	if currency == "" {
		currency = ohlcDefaultCurrency
	}
	if !slices.ContainsFunc(cat.Currencies, func(x domain.Currency) bool { return x.Code == currency }) {
		codes := make([]string, len(cat.Currencies))
		for i, x := range cat.Currencies {
			codes[i] = x.Code
		}
		bad.add("currency", "Unknown currency", fmt.Sprintf("unknown currency code %q; stored: %s", domain.Excerpt(currency), strings.Join(codes, ", ")))
	}
	if err := bad.err(); err != nil {
		return err
	}

	candles, err := s.deps.Store.DailyOHLC(ctx, domain.Series{CoinID: id, CurrencyCode: currency}, days, s.now())
	if err != nil {
		return err
	}
	out := make([]candleJSON, len(candles))
	for i, d := range candles {
		out[i] = candleJSON{Date: d.Day.Format(domain.DayLayout), Open: d.Open, High: d.High, Low: d.Low, Close: d.Close, Samples: d.Samples, Partial: d.Partial}
	}
	return ok(c, out)
}
