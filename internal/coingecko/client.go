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
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"
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

	// maxBodyBytes bounds what one answer may occupy; /coins/list, the largest, is a few MB.
	maxBodyBytes = 32 << 20
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
	if cfg.RatePerMinute < 0 || cfg.RateWindow < 0 || cfg.Timeout < 0 || cfg.MaxAttempts < 0 {
		return nil, errors.New("coingecko: rate, window, timeout and attempts must not be negative")
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

// get calls path with query and decodes the JSON answer into out, waiting on the limiter
// before every attempt and retrying what is worth retrying.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	attempts := 0
	op := func() (struct{}, error) {
		attempts++
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return struct{}{}, backoff.Permanent(err)
			}
		}
		err := c.attempt(ctx, target, out)
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
		if !apiErr.Retryable() {
			return struct{}{}, backoff.Permanent(apiErr)
		}
		if wait := c.throttleWait(apiErr); wait > 0 {
			return struct{}{}, errors.Join(apiErr, backoff.RetryAfter(ceilSeconds(wait)))
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
	if errors.As(err, &apiErr) {
		if attempts > 1 {
			return fmt.Errorf("%w (gave up after %d attempts)", apiErr, attempts)
		}
		return apiErr
	}
	return fmt.Errorf("coingecko: GET %s: %w", path, err)
}

// throttleWait is how long to wait before retrying a throttled call. Without a Retry-After,
// a 429 (or a 2xx whose body says throttled) still means the window is full, and only the window's end frees it; exponential
// backoff alone would spend every attempt inside the same window.
func (c *Client) throttleWait(e *APIError) time.Duration {
	if e.RetryAfter > 0 {
		return e.RetryAfter
	}
	if e.throttled() {
		return min(c.rateWindow, maxRetryAfter)
	}
	return 0
}

// attempt makes one HTTP exchange. Transport errors come back as they are (retryable), API
// trouble as *APIError, and a JSON body that does not fit out as a permanent error because
// asking again returns the same body.
func (c *Client) attempt(ctx context.Context, target string, out any) error {
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
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return err
	}
	if apiErr := parseError(resp.StatusCode, resp.Header, body, time.Now()); apiErr != nil {
		return apiErr
	}
	if err := decodeJSON(body, out); err != nil {
		return backoff.Permanent(err)
	}
	return nil
}

// plainError strips the backoff wrapping from a retry error so logs show CoinGecko's words.
func plainError(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return err
}

// ceilSeconds rounds up because backoff.RetryAfter counts whole seconds and waiting less
// than the server asked for earns another 429.
func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}
