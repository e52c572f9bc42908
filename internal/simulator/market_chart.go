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
	if _, ok := quoted(currency); !ok {
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
	faults := s.Faults()
	if slices.Contains(faults.FailSeries, c.ID+"/"+currency) {
		writeRaw(w, http.StatusInternalServerError, serverErrorBody)
		return
	}
	if faults.HugeBody > 0 {
		writeHuge(w, faults.HugeBody)
		return
	}
	now := s.now().UTC()
	// The limit counts whole UTC days, so a caller asking for exactly HistoryDays back is not
	// refused for the milliseconds its request spent in flight.
	if s.historyDays > 0 && from.Before(now.Truncate(day).AddDate(0, 0, -s.historyDays)) {
		writeRaw(w, http.StatusUnauthorized, fmt.Sprintf(historyBody, now.Format(time.RFC3339), s.historyDays))
		return
	}
	out := s.chart(c.ID, currency, from, to, now)
	if how, ok := faults.Corrupt[c.ID+"/"+currency]; ok {
		out.corrupt(how, to)
	}
	writeJSON(w, http.StatusOK, out)
}

// corrupt spoils an answer the way how says, keeping it valid JSON.
func (c *chartJSON) corrupt(how Corruption, to time.Time) {
	switch how {
	case CorruptFuture:
		ahead := to.AddDate(0, 1, 0).UnixMilli()
		for _, points := range []*[][2]any{&c.Prices, &c.MarketCaps, &c.TotalVolumes} {
			var value any = 1.0
			if n := len(*points); n > 0 {
				value = (*points)[n-1][1]
			}
			*points = append(*points, [2]any{ahead, value})
		}
	case CorruptHugePrice:
		if n := len(c.Prices); n > 0 {
			c.Prices[n/2][1] = 1e200
		}
	case CorruptSeconds:
		for _, points := range [][][2]any{c.Prices, c.MarketCaps, c.TotalVolumes} {
			for i := range points {
				points[i][0] = points[i][0].(int64) / 1000
			}
		}
	}
}

// writeHuge answers 200 with size bytes of an HTML page that never ends, written as it goes
// and without a Content-Length, the hardest case for a client to bound.
func writeHuge(w http.ResponseWriter, size int) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	chunk := []byte(strings.Repeat("<p>Simulated by cryptodash: not JSON.</p>\n", 1024))
	for written := 0; written < size; written += len(chunk) {
		if _, err := w.Write(chunk[:min(len(chunk), size-written)]); err != nil {
			return
		}
	}
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
