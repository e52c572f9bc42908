// Package simulator is a stand-in for CoinGecko's v3 API, for tests and the offline demo. It
// mimics what the real API does that a client must cope with: automatic granularity, irregular
// hourly timestamps, a live last point that can repeat, the 365-day history limit, sliding
// window rate limits and the error bodies of each failure, plus faults switchable at runtime.
// Its data is generated and deterministic, and it never claims otherwise.
package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// Options configures a Simulator; zero values pick the defaults noted on each field.
type Options struct {
	// Coins is what /coins/list lists; empty means DefaultCoins().
	Coins []domain.Coin
	// Now is the simulated present the data is generated against; defaults to clock.Now.
	// Rate limiting always uses the real clock, since it is about real request spacing.
	Now func() time.Time
	// HistoryDays is how far back market charts reach, 365 by default as on the Demo plan;
	// negative means unlimited.
	HistoryDays int
	// RatePerMinute is how many API calls one RateWindow admits; 0 means no limit.
	RatePerMinute int
	// RateWindow is the sliding window of RatePerMinute, a minute by default.
	RateWindow time.Duration
	// Latency delays every API answer, to make timeouts and progress visible.
	Latency time.Duration
}

// CallCounts tallies API calls by kind, whatever their answer. Images are counted apart and
// are not in Total, because browsers fetch them, not the client under test.
type CallCounts struct {
	Total       int
	CoinsList   int
	Coin        int
	MarketChart int
	Other       int
	Images      int
}

type callKind int

const (
	kindCoinsList callKind = iota
	kindCoin
	kindMarketChart
	kindOther
)

// Simulator serves the CoinGecko API subset cryptodash uses, under /api/v3 or at the root,
// plus /images/{id}.svg and the fault control endpoint /_sim/faults.
type Simulator struct {
	coins       []domain.Coin
	now         func() time.Time
	historyDays int
	rateLimit   int
	rateWindow  time.Duration
	latency     time.Duration
	mux         *http.ServeMux

	mu          sync.Mutex
	faults      Faults
	calls       CallCounts
	rateLimited int
	admitted    []time.Time
}

// New builds a Simulator from opts.
func New(opts Options) *Simulator {
	s := &Simulator{
		coins:       slices.Clone(opts.Coins),
		now:         opts.Now,
		historyDays: opts.HistoryDays,
		rateLimit:   opts.RatePerMinute,
		rateWindow:  opts.RateWindow,
		latency:     opts.Latency,
	}
	if len(s.coins) == 0 {
		s.coins = DefaultCoins()
	}
	if s.now == nil {
		s.now = clock.Now
	}
	if s.historyDays == 0 {
		s.historyDays = 365
	}
	if s.rateWindow <= 0 {
		s.rateWindow = time.Minute
	}
	mux := http.NewServeMux()
	mux.Handle("GET /coins/list", s.api(kindCoinsList, s.serveCoinsList))
	mux.Handle("GET /coins/{id}", s.api(kindCoin, s.serveCoin))
	mux.Handle("GET /coins/{id}/market_chart/range", s.api(kindMarketChart, s.serveMarketChart))
	mux.HandleFunc("GET /images/{file}", s.serveImage)
	mux.HandleFunc("GET /_sim/faults", s.serveFaults)
	mux.HandleFunc("POST /_sim/faults", s.serveSetFaults)
	mux.Handle("/", s.api(kindOther, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Incorrect path. Please check https://docs.coingecko.com/"})
	}))
	s.mux = mux
	return s
}

// SimulatedHeader is set on every answer so that a client can tell it is not talking to
// CoinGecko, and the data it stores can be marked as simulated.
const SimulatedHeader = "X-Cryptodash-Simulator"

// ServeHTTP accepts paths with and without the /api/v3 prefix, so the simulator works both
// as a drop-in base URL and mounted at a root.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(SimulatedHeader, "generated prices, not real market data")
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/v3"); ok && (rest == "" || rest[0] == '/') {
		r2 := new(http.Request)
		*r2 = *r
		r2.URL = new(url.URL)
		*r2.URL = *r.URL
		r2.URL.Path = rest
		r2.URL.RawPath = ""
		r = r2
	}
	s.mux.ServeHTTP(w, r)
}

// Calls returns the API calls served so far.
func (s *Simulator) Calls() CallCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// RateLimited returns how many 429s the sliding-window limit has issued; injected Fail429
// answers are not counted, so a test can prove a client never overran the limit.
func (s *Simulator) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited
}

// verdict is what admit decided for one API call before its handler runs.
type verdict struct {
	status     int
	body       string
	html       bool
	retryAfter int
	delay      time.Duration
}

// api wraps an endpoint with what every real API call goes through: counting, the rate
// limit, injected faults and latency.
func (s *Simulator) api(kind callKind, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := s.admit(kind)
		if v.delay > 0 {
			t := time.NewTimer(v.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if v.status == 0 {
			h(w, r)
			return
		}
		if v.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(v.retryAfter))
		}
		if v.html {
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		} else {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(v.status)
		_, _ = w.Write([]byte(v.body))
	})
}

// admit counts the call, applies the sliding-window limit at arrival (as a server does) and
// consumes one injected fault if any is pending.
func (s *Simulator) admit(kind callKind) verdict {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls.Total++
	switch kind {
	case kindCoinsList:
		s.calls.CoinsList++
	case kindCoin:
		s.calls.Coin++
	case kindMarketChart:
		s.calls.MarketChart++
	default:
		s.calls.Other++
	}
	v := verdict{delay: s.latency + s.faults.Slow}
	if s.rateLimit > 0 {
		cutoff := now.Add(-s.rateWindow)
		keep := 0
		for keep < len(s.admitted) && !s.admitted[keep].After(cutoff) {
			keep++
		}
		s.admitted = s.admitted[keep:]
		if len(s.admitted) >= s.rateLimit {
			s.rateLimited++
			free := s.admitted[0].Add(s.rateWindow).Sub(now)
			v.status, v.body = http.StatusTooManyRequests, rateLimitBody
			v.retryAfter = max(1, int((free+time.Second-1)/time.Second))
			return v
		}
		s.admitted = append(s.admitted, now)
	}
	switch {
	case s.faults.Fail429 > 0:
		s.faults.Fail429--
		v.status, v.body, v.retryAfter = http.StatusTooManyRequests, rateLimitBody, s.faults.RetryAfterSeconds
	case s.faults.Fail503HTML > 0:
		s.faults.Fail503HTML--
		v.status, v.body, v.html = http.StatusServiceUnavailable, cloudflare503, true
	case s.faults.HTMLOK > 0:
		s.faults.HTMLOK--
		v.status, v.body, v.html = http.StatusOK, challengePage, true
	}
	return v
}

// Bodies as CoinGecko and Cloudflare send them.
const (
	rateLimitBody   = `{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits."}}`
	historyBody     = `{"error":{"status":{"timestamp":"%s","error_code":10012,"error_message":"Your request exceeds the allowed time range. Public API users are limited to querying historical data within the past %d days. Upgrade to a paid plan to enjoy full historical data access: https://www.coingecko.com/en/api/pricing. "}}}`
	serverErrorBody = `{"status":{"error_code":500,"error_message":"Internal Server Error"}}`
	cloudflare503   = `<!DOCTYPE html>
<html lang="en-US"><head><title>api.coingecko.com | 503: Service temporarily unavailable</title>
<meta charset="UTF-8" /></head><body><div id="cf-wrapper"><h1>Service temporarily unavailable</h1>
<span class="cf-error-code">Error code 503</span><p>Simulated by cryptodash.</p>
<div class="cf-footer">Cloudflare Ray ID: 0000000000000000</div></div></body></html>`
	challengePage = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><noscript>Enable JavaScript and cookies to continue</noscript><p>Simulated by cryptodash.</p></body></html>`
)

func (s *Simulator) serveCoinsList(w http.ResponseWriter, _ *http.Request) {
	faults := s.Faults()
	list := make([]map[string]string, 0, len(s.coins))
	for _, c := range s.coins {
		if slices.Contains(faults.UnknownIDs, c.ID) {
			continue
		}
		symbol, name := c.Symbol, c.Name
		if faults.HostileNames {
			symbol, name = symbol+"\x00\x1b", name+" "+strings.Repeat("x", 64<<10)
		}
		list = append(list, map[string]string{"id": c.ID, "symbol": symbol, "name": name})
	}
	writeJSON(w, http.StatusOK, list)
}

// coin finds a listed coin that is not hidden by the UnknownIDs fault.
func (s *Simulator) coin(id string) (domain.Coin, bool) {
	if slices.Contains(s.Faults().UnknownIDs, id) {
		return domain.Coin{}, false
	}
	i := slices.IndexFunc(s.coins, func(c domain.Coin) bool { return c.ID == id })
	if i < 0 {
		return domain.Coin{}, false
	}
	return s.coins[i], true
}

func (s *Simulator) serveCoin(w http.ResponseWriter, r *http.Request) {
	c, ok := s.coin(r.PathValue("id"))
	if !ok {
		writeCoinNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, coinDetail(c, selfURL(r), s.now().UTC().Format(time.RFC3339)))
}

func (s *Simulator) serveImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls.Images++
	s.mu.Unlock()
	id, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	c, known := s.coin(id)
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write([]byte(logoSVG(c)))
}

// selfURL is the simulator's own origin as the client reached it, so image URLs work wherever
// the simulator runs.
func selfURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeCoinNotFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "coin not found"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
