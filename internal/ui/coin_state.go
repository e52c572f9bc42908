package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui/route"
)

// defaultCoinScale is linear: a coin page shows one coin, and candles read as they are drawn.
const defaultCoinScale = chart.ScaleLinear

// coinState is the view of a coin page: one currency (a stored one, or a benchmark coin the
// page derives, see quoteUnits), a range (a preset or whole days, with the dashboard's range
// parameters), the price axis's scale and the chart's zoom. Its URL leaves out the defaults,
// as the dashboard's does, so the plain page is /coins/{id}.
type coinState struct {
	coinID          string
	currency        string
	rng             rangeChoice
	scale           chart.Scale
	zoom            zoomSpan
	defaultCurrency string
}

// parseCoinState reads a coin page's query. A bad value gets a message under its name and
// the default in its place, so the page always renders. quotes are the benchmark units the
// coin can be priced in (see quoteChoices).
func parseCoinState(id string, q url.Values, currencies []domain.Currency, quotes []quoteUnit) (coinState, domain.FieldErrors) {
	errs := domain.FieldErrors{}
	s := coinState{coinID: id, rng: presetChoice(defaultCoinPreset), scale: defaultCoinScale}
	for _, c := range currencies {
		if c.Code == preferredCurrency {
			s.defaultCurrency = c.Code
		}
	}
	if s.defaultCurrency == "" && len(currencies) > 0 {
		s.defaultCurrency = currencies[0].Code
	}
	s.currency = s.defaultCurrency
	if raw := strings.ToLower(strings.TrimSpace(q.Get("currency"))); raw != "" {
		qi := slices.IndexFunc(quotes, func(u quoteUnit) bool { return u.code == raw })
		switch {
		case slices.ContainsFunc(currencies, func(c domain.Currency) bool { return c.Code == raw }):
			s.currency = raw
		case qi >= 0 && quotes[qi].self:
			errs["currency"] = quotes[qi].selfText + " Showing " + strings.ToUpper(s.defaultCurrency) + "."
		case qi >= 0:
			s.currency = raw
		default:
			errs["currency"] = fmt.Sprintf("Unknown currency %q; showing %s.", domain.Excerpt(raw), strings.ToUpper(s.defaultCurrency))
		}
	}
	r := strings.ToLower(strings.TrimSpace(q.Get("range")))
	if r != "" || q.Get("from") != "" || q.Get("to") != "" {
		if c, ok := parseRange(q, r, presetLabel(defaultCoinPreset), errs); ok {
			s.rng = c
		}
	}
	s.scale = parseScale(q, s.scale, errs)
	s.zoom = parseZoom(q.Get(zoomParam), errs)
	return s, errs
}

// query is the view's canonical query without its zoom: what the range, currency and scale
// links change, and what the CSV reads (withScale false leaves the scale out).
func (s coinState) query(withScale bool) url.Values {
	q := url.Values{}
	if s.currency != s.defaultCurrency {
		q.Set("currency", s.currency)
	}
	switch {
	case s.rng.custom():
		q.Set("range", rangeCustom)
		q.Set("from", s.rng.days.FirstDay().Format(domain.DayLayout))
		q.Set("to", s.rng.days.LastDay().Format(domain.DayLayout))
	case s.rng.preset != defaultCoinPreset:
		q.Set("range", s.rng.preset)
	}
	if withScale && s.scale != defaultCoinScale {
		q.Set("scale", string(s.scale))
	}
	return q
}

// URL is the canonical URL of the view. A zoom belongs to one range and currency, so links
// that change either leave it out; this URL keeps it.
func (s coinState) URL() string {
	q := s.query(true)
	if !s.zoom.isZero() {
		q.Set(zoomParam, s.zoom.String())
	}
	return route.CoinURL(s.coinID, q)
}

// unzoomed is s without its zoom: the view a range, currency or scale link opens.
func (s coinState) unzoomed() coinState {
	s.zoom = zoomSpan{}
	return s
}

// csvURL is the download of the view's days.
func (s coinState) csvURL() string {
	return route.CoinCSVURL(s.coinID, s.query(false))
}
