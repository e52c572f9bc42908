package simulator

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Simulator) serveMarketChart(w http.ResponseWriter, r *http.Request) {
	c, ok := s.coin(r.PathValue("id"))
	if !ok {
		writeCoinNotFound(w)
		return
	}
	q := r.URL.Query()
	currency := strings.ToLower(q.Get("vs_currency"))
	if currency == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Missing parameter vs_currency"})
		return
	}
	if _, ok := currencies[currency]; !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid vs_currency"})
		return
	}
	from, ok := instantParam(w, q.Get("from"), "from")
	if !ok {
		return
	}
	to, ok := instantParam(w, q.Get("to"), "to")
	if !ok {
		return
	}
	if slices.Contains(s.Faults().FailSeries, c.ID+"/"+currency) {
		writeRaw(w, http.StatusInternalServerError, serverErrorBody)
		return
	}
	now := s.now().UTC()
	// The limit counts whole UTC days, so a caller asking for exactly HistoryDays back is not
	// refused for the milliseconds its request spent in flight.
	if s.historyDays > 0 && from.Before(now.Truncate(day).AddDate(0, 0, -s.historyDays)) {
		writeRaw(w, http.StatusUnauthorized, fmt.Sprintf(historyBody, now.Format(time.RFC3339), s.historyDays))
		return
	}
	writeJSON(w, http.StatusOK, s.chart(c.ID, currency, from, to, now))
}

// chartJSON is the answer's shape; a nil pointer encodes as the null CoinGecko sends.
type chartJSON struct {
	Prices       [][2]any `json:"prices"`
	MarketCaps   [][2]any `json:"market_caps"`
	TotalVolumes [][2]any `json:"total_volumes"`
}

func (s *Simulator) chart(coin, currency string, from, to, now time.Time) chartJSON {
	nullPrices := s.Faults().NullPrices
	out := chartJSON{Prices: [][2]any{}, MarketCaps: [][2]any{}, TotalVolumes: [][2]any{}}
	add := func(t time.Time, p float64) {
		ms := t.UnixMilli()
		if nullPrices && chance(coin, saltNullPrice, ms, 0.1) {
			out.Prices = append(out.Prices, [2]any{ms, nil})
			out.MarketCaps = append(out.MarketCaps, [2]any{ms, nil})
			out.TotalVolumes = append(out.TotalVolumes, [2]any{ms, nil})
			return
		}
		mc := marketCap(coin, p)
		var capValue any = mc
		if chance(coin, saltNullCap, ms, 0.02) {
			capValue = nil
		}
		out.Prices = append(out.Prices, [2]any{ms, p})
		out.MarketCaps = append(out.MarketCaps, [2]any{ms, capValue})
		out.TotalVolumes = append(out.TotalVolumes, [2]any{ms, totalVolume(coin, mc, t)})
	}
	for _, t := range timeline(coin, from, to, now) {
		add(t, price(coin, currency, t))
	}
	if from.After(now) || to.Before(now) {
		return out
	}
	// The live point comes stamped at a whole second; like the real API it is sometimes
	// preceded by the same quote at the exact millisecond, which leaves the tail unordered.
	live := now.Truncate(time.Millisecond)
	liveSecond := now.Truncate(time.Second)
	p := price(coin, currency, live)
	if live.After(liveSecond) && chance(coin, saltLive, liveSecond.Unix(), 0.5) {
		add(live, p)
	}
	add(liveSecond, p)
	return out
}

// instantParam reads from or to as CoinGecko accepts them: UNIX seconds or an ISO date,
// answering the error itself when the value is missing or unreadable.
func instantParam(w http.ResponseWriter, v, name string) (time.Time, bool) {
	if v == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Missing parameter " + name})
		return time.Time{}, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(secs) && !math.IsInf(secs, 0) {
		return time.UnixMilli(int64(secs * 1000)).UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Invalid parameter " + name})
	return time.Time{}, false
}
