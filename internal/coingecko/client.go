// Package coingecko is the client for CoinGecko's v3 API. It owns everything that makes the
// API awkward: one rate limiter shared by every call, retries that honour Retry-After, one
// parser for the many error bodies, and the clean-up of unordered, duplicated, null-laden
// price series.
package coingecko

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// The plans a Config can name; they differ in host and key header.
const (
	PlanDemo = "demo"
	PlanPro  = "pro"
)

const (
	demoBaseURL   = "https://api.coingecko.com/api/v3"
	proBaseURL    = "https://pro-api.coingecko.com/api/v3"
	demoKeyHeader = "x-cg-demo-api-key"
	proKeyHeader  = "x-cg-pro-api-key"

	defaultRateWindow  = time.Minute
	defaultTimeout     = 20 * time.Second
	defaultMaxAttempts = 5
	initialBackoff     = time.Second
	maxBackoff         = 30 * time.Second

	// minRateMargin is added to the rate window when it is short: network jitter is absolute,
	// so a 2% margin of a one-second window would not absorb it.
	minRateMargin = 50 * time.Millisecond
)

// The largest answer read from each endpoint, well above the largest real one and small
// enough that four workers reading the worst a CDN or proxy might send stay within a
// container's memory: nothing bigger is ever buffered.
const (
	// chartBodyLimit: 90 days of hourly points are about 220 KB.
	chartBodyLimit = 4 << 20
	// coinsListBodyLimit: the whole list (some 17,000 coins) is about 1 MB.
	coinsListBodyLimit = 8 << 20
	// coinBodyLimit: /coins/{id} with its heavy sections off is tens of KB, but a coin's
	// description has been seen at megabytes, and is bounded where it is stored.
	coinBodyLimit = 16 << 20
	// errorBodyLimit bounds what is read of an error answer: its message is at the start.
	errorBodyLimit = 64 << 10
)

// Config says which CoinGecko plan to talk to and how hard. Zero values pick the defaults
// noted on each field.
type Config struct {
	// Plan is PlanDemo or PlanPro; "" means PlanDemo.
	Plan string
	// APIKey goes into the plan's header, and only when set; it is never logged.
	APIKey string
	// BaseURL replaces the plan's host (a simulator, a proxy); the plan's key header is kept.
	BaseURL string
	// RatePerMinute is the call budget per RateWindow; 0 means no limit.
	RatePerMinute int
	// RateWindow is the window RatePerMinute applies to, a minute by default; tests shrink it.
	RateWindow time.Duration
	// Timeout bounds one HTTP attempt, 20s by default; retries get a fresh one.
	Timeout time.Duration
	// MaxAttempts counts the first try and the retries, 5 by default.
	MaxAttempts int
	// MaxRetryAfter caps the wait a Retry-After header may ask for, 5 minutes by default, so
	// that a broken header cannot park a run for hours; tests shrink it.
	MaxRetryAfter time.Duration
	// BreakAfter429 stops calling after that many 429 answers in a row, whatever call they
	// answered: every call then fails at once with an error that is domain.ErrUnavailable,
	// until the wait the last 429 asked for has passed. A 429 storm (every call answered 429
	// with Retry-After: 119) would otherwise make a run wait minutes per call for hours.
	// 0 means never.
	BreakAfter429 int
	// HTTPClient defaults to a plain http.Client; the per-attempt timeout comes from Timeout.
	HTTPClient *http.Client
	// Logger receives retry warnings; it never sees the API key. Defaults to discarding.
	Logger *slog.Logger
}

// Client calls CoinGecko. It is safe for concurrent use, and all its calls share one rate
// limiter so that concurrent callers together stay within the plan's budget.
type Client struct {
	baseURL     string
	keyHeader   string
	apiKey      string
	limiter     *rate.Limiter
	rateWindow  time.Duration
	timeout     time.Duration
	maxAttempts int
	http        *http.Client
	logger      *slog.Logger

	// simulated turns true once an answer came from cryptodash's CoinGecko simulator.
	simulated atomic.Bool

	// initialBackoff and maxBackoff shape the exponential backoff; fields so tests can shrink
	// them.
	initialBackoff time.Duration
	maxBackoff     time.Duration
	maxRetryAfter  time.Duration

	breakAfter int
	breakerMu  sync.Mutex
	// throttledInARow counts 429 answers since the last answer that was not one.
	throttledInARow int
	// openUntil is when calls may resume after the breaker opened, and asked what the 429
	// that opened it asked for.
	openUntil time.Time
	asked     time.Duration
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	c := &Client{
		apiKey:         cfg.APIKey,
		rateWindow:     cfg.RateWindow,
		timeout:        cfg.Timeout,
		maxAttempts:    cfg.MaxAttempts,
		http:           cfg.HTTPClient,
		logger:         cfg.Logger,
		initialBackoff: initialBackoff,
		maxBackoff:     maxBackoff,
		maxRetryAfter:  cfg.MaxRetryAfter,
		breakAfter:     cfg.BreakAfter429,
	}
	switch strings.ToLower(strings.TrimSpace(cfg.Plan)) {
	case "", PlanDemo:
		c.baseURL, c.keyHeader = demoBaseURL, demoKeyHeader
	case PlanPro:
		c.baseURL, c.keyHeader = proBaseURL, proKeyHeader
	default:
		return nil, fmt.Errorf("coingecko: unknown plan %q (want %q or %q)", cfg.Plan, PlanDemo, PlanPro)
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("coingecko: base URL %q is not an http(s) URL", cfg.BaseURL)
		}
		c.baseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.RatePerMinute < 0 || cfg.RateWindow < 0 || cfg.Timeout < 0 || cfg.MaxAttempts < 0 || cfg.MaxRetryAfter < 0 || cfg.BreakAfter429 < 0 {
		return nil, errors.New("coingecko: rate, window, timeout, attempts, Retry-After cap and 429 breaker must not be negative")
	}
	if c.maxRetryAfter == 0 || c.maxRetryAfter > maxRetryAfter {
		c.maxRetryAfter = maxRetryAfter
	}
	if c.rateWindow == 0 {
		c.rateWindow = defaultRateWindow
	}
	if c.timeout == 0 {
		c.timeout = defaultTimeout
	}
	if c.maxAttempts == 0 {
		c.maxAttempts = defaultMaxAttempts
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RatePerMinute > 0 {
		c.limiter = rate.NewLimiter(rate.Every(callInterval(c.rateWindow, cfg.RatePerMinute)), 1)
	}
	return c, nil
}

// simulatedHeader marks answers of cryptodash's own CoinGecko simulator (see package
// simulator); it is spelled here to keep the client free of a test double's import.
const simulatedHeader = "X-Cryptodash-Simulator"

// Simulated reports whether any answer so far came from the CoinGecko simulator rather than
// CoinGecko, so the prices stored from it can be marked as not real.
func (c *Client) Simulated() bool { return c.simulated.Load() }

// callInterval spaces calls so that any window of the server's length holds at most n of
// them even when some arrive a little late: the window is stretched by 2% (at least
// minRateMargin) before it is divided.
func callInterval(window time.Duration, n int) time.Duration {
	margin := max(window/50, minRateMargin)
	return (window + margin) / time.Duration(n)
}

// get calls path with query and decodes the JSON answer, of at most limit bytes, into out,
// waiting on the limiter before every attempt and retrying what is worth retrying.
func (c *Client) get(ctx context.Context, path string, query url.Values, limit int64, out any) error {
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	attempts := 0
	op := func() (struct{}, error) {
		if err := c.breakerOpen(); err != nil {
			return struct{}{}, backoff.Permanent(err)
		}
		attempts++
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return struct{}{}, backoff.Permanent(err)
			}
		}
		err := c.attempt(ctx, target, limit, out)
		if err == nil {
			return struct{}{}, nil
		}
		if ctx.Err() != nil {
			return struct{}{}, backoff.Permanent(context.Cause(ctx))
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			return struct{}{}, err
		}
		if apiErr.HTTPStatus == http.StatusTooManyRequests {
			if open := c.count429(c.throttleWait(apiErr), apiErr.RetryAfter); open != nil {
				return struct{}{}, backoff.Permanent(open)
			}
		}
		if !apiErr.Retryable() {
			return struct{}{}, backoff.Permanent(apiErr)
		}
		if wait := c.throttleWait(apiErr); wait > 0 {
			return struct{}{}, errors.Join(apiErr, &backoff.RetryAfterError{Duration: wait})
		}
		return struct{}{}, apiErr
	}
	notify := func(err error, wait time.Duration) {
		c.logger.Warn("coingecko call failed, retrying",
			"path", path, "attempt", attempts, "wait", wait.Round(time.Millisecond).String(), "err", plainError(err))
	}
	_, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval:     c.initialBackoff,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         c.maxBackoff,
		}),
		backoff.WithMaxTries(uint(c.maxAttempts)),
		// The caller's context bounds the total time; a fixed budget would cut a run short
		// while it honours a legitimate Retry-After.
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(notify),
	)
	if err == nil {
		return nil
	}
	var apiErr *APIError
	var open *CircuitOpenError
	switch {
	case errors.As(err, &open):
		return open
	case errors.As(err, &apiErr) && attempts > 1:
		return fmt.Errorf("%w (gave up after %d attempts)", apiErr, attempts)
	case errors.As(err, &apiErr):
		return apiErr
	}
	return fmt.Errorf("coingecko: GET %s: %w", path, err)
}

// CircuitOpenError is what every call returns while the client has stopped calling after a
// run of 429s (Config.BreakAfter429). It is domain.ErrUnavailable: CoinGecko says "not
// now", and the caller should stop and come back later rather than fail for good.
type CircuitOpenError struct {
	// InARow is how many 429s in a row opened the breaker.
	InARow int
	// Pause is how long calls stop from now: the wait the last 429 asked for, capped at
	// Config.MaxRetryAfter.
	Pause time.Duration
	// Asked is the wait the last 429's Retry-After asked for, 0 when it had none.
	Asked time.Duration
}

func (e *CircuitOpenError) Error() string {
	why := "the wait between calls"
	switch {
	case e.Asked > e.Pause+time.Second:
		why = fmt.Sprintf("CoinGecko's Retry-After asked for %s, but waits are capped (MaxRetryAfter), so the call after the pause may be refused again", e.Asked)
	case e.Asked > 0:
		why = fmt.Sprintf("CoinGecko's Retry-After asked for %s", e.Asked)
	}
	return fmt.Sprintf("coingecko: answered 429 (rate limited) to %d calls in a row, so calls stop for %s (%s; COINGECKO_MAX_CONSECUTIVE_429); "+
		"check the plan's limit and COINGECKO_RATE_LIMIT if this recurs", e.InARow, e.Pause, why)
}

// Unwrap makes the error domain.ErrUnavailable.
func (e *CircuitOpenError) Unwrap() error { return domain.ErrUnavailable }

// RetryIn is how long until calls go through again, so a caller can come back then rather
// than sooner, only to be refused.
func (e *CircuitOpenError) RetryIn() time.Duration { return e.Pause }

// breakerOpen returns the breaker's error while calls are stopped. Once the pause has passed
// the next call goes through: its answer closes the breaker, or one more 429 opens it again.
func (c *Client) breakerOpen() error {
	if c.breakAfter == 0 {
		return nil
	}
	c.breakerMu.Lock()
	defer c.breakerMu.Unlock()
	if pause := time.Until(c.openUntil); pause > 0 {
		return &CircuitOpenError{InARow: c.throttledInARow, Pause: pause.Round(time.Second), Asked: c.asked}
	}
	return nil
}

// count429 counts a 429 answer, and opens the breaker for pause when it makes the limit;
// asked is what the answer's Retry-After asked for.
func (c *Client) count429(pause, asked time.Duration) error {
	if c.breakAfter == 0 {
		return nil
	}
	c.breakerMu.Lock()
	defer c.breakerMu.Unlock()
	c.throttledInARow++
	if c.throttledInARow < c.breakAfter {
		return nil
	}
	c.openUntil, c.asked = time.Now().Add(pause), asked
	c.logger.Warn("coingecko: too many 429s in a row; calls stop", "in_a_row", c.throttledInARow, "pause", pause.String(),
		"retry_after_asked", asked.String())
	return &CircuitOpenError{InARow: c.throttledInARow, Pause: pause, Asked: asked}
}

// answered closes the breaker: CoinGecko answered something other than a 429.
func (c *Client) answered() {
	if c.breakAfter == 0 {
		return
	}
	c.breakerMu.Lock()
	defer c.breakerMu.Unlock()
	c.throttledInARow = 0
}

// throttleWait is how long to wait before retrying a throttled call. Without a Retry-After,
// a 429 (or a 2xx whose body says throttled) still means the window is full, and only the
// window's end frees it; exponential backoff alone would spend every attempt inside the same
// window.
func (c *Client) throttleWait(e *APIError) time.Duration {
	if e.RetryAfter > 0 {
		return min(e.RetryAfter, c.maxRetryAfter)
	}
	if e.throttled() {
		return min(c.rateWindow, c.maxRetryAfter)
	}
	return 0
}

// attempt makes one HTTP exchange. Transport errors come back as they are (retryable), API
// trouble as *APIError, and an answer too large or a JSON body that does not fit out as a
// permanent error because asking again returns the same body.
func (c *Client) attempt(ctx context.Context, target string, limit int64, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return backoff.Permanent(err)
	}
	req.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		req.Header.Set(c.keyHeader, c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.Header.Get(simulatedHeader) != "" {
		c.simulated.Store(true)
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		c.answered()
	}
	buf := bodyBuffers.Get().(*[]byte)
	defer bodyBuffers.Put(buf)
	body, err := readBody(resp, limit, (*buf)[:0])
	*buf = body[:0]
	if err != nil {
		return err
	}
	// Nothing decoded from body keeps a reference to it: strings and raw JSON are copied, so
	// the buffer goes back to the pool.
	if apiErr := parseError(resp.StatusCode, resp.Header, body, time.Now()); apiErr != nil {
		return apiErr
	}
	if err := decodeJSON(body, out); err != nil {
		return backoff.Permanent(err)
	}
	return nil
}

// bodyBuffers recycles answer buffers. A run reads hundreds of answers of up to a few MB;
// allocated anew, each would be garbage the collector lets pile up, and the process's peak
// memory would follow the garbage rather than the answers in flight.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// readBody reads an answer into buf, sized from Content-Length when the server sent one and
// grown at most to limit+1 bytes otherwise, so that no answer costs more than its limit. A
// successful answer longer than limit is a permanent error naming the limit; of an error
// answer only the start, which holds its message, is read.
func readBody(resp *http.Response, limit int64, buf []byte) ([]byte, error) {
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if !ok {
		limit = min(limit, errorBodyLimit)
	}
	if n := resp.ContentLength; n > 0 {
		if ok && n > limit {
			return buf, tooLarge(limit)
		}
		buf = grow(buf, int(min(n, limit))+1)
	}
	for int64(len(buf)) <= limit {
		if len(buf) == cap(buf) {
			buf = grow(buf, int(min(int64(max(2*cap(buf), 32<<10)), limit+1)))
		}
		n, err := resp.Body.Read(buf[len(buf):min(cap(buf), int(limit)+1)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return buf, err
		}
	}
	if int64(len(buf)) > limit {
		if ok {
			return buf, tooLarge(limit)
		}
		buf = buf[:limit]
	}
	return buf, nil
}

// grow returns buf with a capacity of at least size, exactly size if it must reallocate:
// append's own growth would overshoot a limit by up to a half.
func grow(buf []byte, size int) []byte {
	if cap(buf) >= size {
		return buf
	}
	grown := make([]byte, len(buf), size)
	copy(grown, buf)
	return grown
}

// tooLarge is the permanent error of an answer beyond its endpoint's limit: asking again
// would bring the same.
func tooLarge(limit int64) error {
	return backoff.Permanent(fmt.Errorf("answer larger than this endpoint's limit of %d MiB, which no real answer "+
		"comes near: something between here and CoinGecko is sending garbage", limit>>20))
}

// plainError strips the backoff wrapping from a retry error so logs show CoinGecko's words.
func plainError(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return err
}
