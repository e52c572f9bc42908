package coingecko

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CoinGecko error codes the client dispatches on. The HTTP status alone is ambiguous: 401
// means a missing key (10002) as well as a range beyond the plan's history (10012), and a
// key sent to the wrong host answers 400.
const (
	codeRateLimited    = 429
	codeKeyMissing     = 10002
	codePlanRestricted = 10005
	codeProKeyOnDemo   = 10010
	codeDemoKeyOnPro   = 10011
	codeRangeTooOld    = 10012
)

const (
	// maxRetryAfter caps the wait the client honours, so that a broken header cannot park a
	// run for hours.
	maxRetryAfter = 5 * time.Minute
	// maxRetryAfterRead bounds what a Retry-After header is read as: beyond a day it is
	// broken, and the bound keeps the arithmetic sane. Up to it the header is kept as sent,
	// so messages can say what CoinGecko asked for beside what the client honours.
	maxRetryAfterRead = 24 * time.Hour
	// maxMessageRunes keeps error messages to a log line.
	maxMessageRunes = 200
)

// APIError is a CoinGecko answer that carries no usable data: an error status, an error body
// inside a 2xx, or a 2xx whose body is not JSON (a Cloudflare page). Callers inspect Fatal
// and Retryable rather than the status, because CoinGecko's error_code says more than it.
type APIError struct {
	HTTPStatus int
	// Code is CoinGecko's error_code, 0 when the body carried none.
	Code int
	// Message is the server's own text, shortened; HTML pages are reduced to their title.
	Message string
	// RetryAfter is what the Retry-After header asked for, 0 when absent.
	RetryAfter time.Duration

	// inBody marks a 2xx whose JSON body carried a top-level "error": CoinGecko said no in
	// the body while the status said yes.
	inBody bool
}

// Error reads as one line an operator can act on: status, what it means, the server's words
// and, where there is one, the setting to change.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "coingecko: %d %s", e.HTTPStatus, e.summary())
	if e.Code != 0 {
		fmt.Fprintf(&b, " (%d)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString(" — ")
		b.WriteString(hint)
	}
	return b.String()
}

// Fatal reports an auth or plan problem: every later call would fail the same way, so a run
// should stop instead of spending its quota on a storm of doomed calls. A range beyond the
// plan's history (10012) is not fatal although it comes as a 401: newer windows still work.
func (e *APIError) Fatal() bool {
	switch e.Code {
	case codeKeyMissing, codePlanRestricted, codeProKeyOnDemo, codeDemoKeyOnPro:
		return true
	case codeRangeTooOld:
		return false
	}
	return e.HTTPStatus == http.StatusUnauthorized
}

// Retryable reports whether the same call may succeed later: throttling, server trouble and
// unusable 2xx bodies (a CDN page, an empty body) are transient; client errors and plan
// limits are not, and neither is an error CoinGecko states in a 2xx body ("coin not found"
// asked again is still not found) unless it speaks of throttling.
func (e *APIError) Retryable() bool {
	if e.Fatal() || e.Code == codeRangeTooOld {
		return false
	}
	if e.throttled() {
		return true
	}
	switch {
	case e.HTTPStatus == http.StatusRequestTimeout:
		return true
	case e.HTTPStatus >= 500:
		return true
	case e.HTTPStatus >= 200 && e.HTTPStatus < 300:
		return !e.inBody
	}
	return false
}

// throttleWords finds throttling in an error's text, for throttling that comes without a
// 429: CoinGecko and its CDN have both answered 200 with "Throttled" in the body.
var throttleWords = regexp.MustCompile(`(?i)throttl|rate[ -]?limit`)

// throttled reports an answer that means "too many calls", by status, by code or, for a
// 2xx, by its words.
func (e *APIError) throttled() bool {
	switch {
	case e.Code == codeRateLimited, e.HTTPStatus == http.StatusTooManyRequests:
		return true
	case e.HTTPStatus >= 200 && e.HTTPStatus < 300:
		return throttleWords.MatchString(e.Message)
	}
	return false
}

func (e *APIError) summary() string {
	switch e.Code {
	case codeKeyMissing:
		return "API key missing"
	case codePlanRestricted:
		return "endpoint not included in the plan"
	case codeProKeyOnDemo:
		return "Pro API key sent to the Demo host"
	case codeDemoKeyOnPro:
		return "Demo API key sent to the Pro host"
	case codeRangeTooOld:
		return "requested range exceeds the plan's history"
	case codeRateLimited:
		return "rate limited"
	}
	switch {
	case e.throttled():
		return "rate limited"
	case e.inBody:
		return "error inside a successful answer"
	case e.HTTPStatus >= 200 && e.HTTPStatus < 300:
		return "unusable answer"
	case e.HTTPStatus >= 500:
		return "server error"
	}
	if text := http.StatusText(e.HTTPStatus); text != "" {
		return strings.ToLower(text)
	}
	return "unexpected status"
}

func (e *APIError) hint() string {
	switch e.Code {
	case codeKeyMissing:
		return "set COINGECKO_API_KEY"
	case codePlanRestricted:
		return "this endpoint needs a higher CoinGecko plan"
	case codeProKeyOnDemo:
		return "set COINGECKO_PLAN=pro"
	case codeDemoKeyOnPro:
		return "set COINGECKO_PLAN=demo"
	case codeRangeTooOld:
		return "lower HISTORY_DAYS"
	}
	switch {
	case e.throttled():
		return "lower COINGECKO_RATE_LIMIT if this persists"
	case e.HTTPStatus == http.StatusUnauthorized:
		return "check COINGECKO_API_KEY and COINGECKO_PLAN"
	}
	return ""
}

// parseError turns any error answer CoinGecko or its CDN sends into an *APIError. It returns
// nil for a 2xx whose body is JSON with neither an error code nor a top-level "error", which
// is the only answer worth decoding: a 200 saying {"error":"..."} decoded as data would store
// nothing and report success. now dates a Retry-After given as an HTTP date. A data answer
// is scanned once, for its top-level keys, without copying it.
func parseError(status int, header http.Header, body []byte, now time.Time) *APIError {
	ok := status >= 200 && status < 300
	trimmed := bytes.TrimSpace(body)
	// A top-level array (/coins/list, several MB) cannot carry an error object; skip the
	// searches for one.
	if ok && len(trimmed) > 0 && trimmed[0] == '[' && json.Valid(trimmed) {
		return nil
	}
	var top errorFields
	isJSON := decodeErrorFields(trimmed, &top)
	inBody := ok && isJSON && top.refuses()
	var code int
	var msg string
	if isJSON {
		code, msg = top.find(0)
	}
	if ok && isJSON && code == 0 && !inBody {
		return nil
	}
	if isJSON {
		msg = truncate(msg)
	} else {
		msg = textMessage(trimmed)
		if ok {
			msg = "answer is not JSON: " + msg
		}
	}
	return &APIError{
		HTTPStatus: status,
		Code:       code,
		Message:    msg,
		RetryAfter: parseRetryAfter(header.Get("Retry-After"), now),
		inBody:     inBody,
	}
}

// errorFields are the keys of a JSON object where CoinGecko puts an error, at any level:
// {"status":{...}}, top level, {"error":{"status":{...}}} or {"error":"text"}. Decoding into
// it skips every other key without copying it.
type errorFields struct {
	Status       json.RawMessage `json:"status"`
	Error        json.RawMessage `json:"error"`
	ErrorCode    json.RawMessage `json:"error_code"`
	ErrorMessage json.RawMessage `json:"error_message"`
}

// decodeErrorFields reads raw's error keys into f, reporting whether raw is JSON at all; a
// JSON document that is not an object has no error keys.
func decodeErrorFields(raw []byte, f *errorFields) (isJSON bool) {
	var syntax *json.SyntaxError
	return !errors.As(json.Unmarshal(raw, f), &syntax)
}

// refuses reports a top-level "error" that is a string or an object, CoinGecko's way of
// refusing a call; no data answer of the endpoints used has that key.
func (f errorFields) refuses() bool {
	v := bytes.TrimSpace(f.Error)
	return len(v) > 0 && (v[0] == '"' || v[0] == '{')
}

// find returns error_code and error_message however deep CoinGecko nested them.
func (f errorFields) find(depth int) (code int, msg string) {
	if len(f.ErrorCode) > 0 {
		code = flexibleInt(f.ErrorCode)
	}
	if len(f.ErrorMessage) > 0 {
		_ = json.Unmarshal(f.ErrorMessage, &msg)
	}
	for _, v := range []json.RawMessage{f.Status, f.Error} {
		if len(v) == 0 {
			continue
		}
		var text string
		if json.Unmarshal(v, &text) == nil {
			if msg == "" {
				msg = text
			}
			continue
		}
		var inner errorFields
		if depth >= 3 || json.Unmarshal(v, &inner) != nil {
			continue
		}
		c, m := inner.find(depth + 1)
		if code == 0 {
			code = c
		}
		if msg == "" {
			msg = m
		}
	}
	return code, msg
}

// flexibleInt accepts a code sent as a number or as a numeric string, so that a change of
// encoding on CoinGecko's side does not turn a fatal 10002 into an anonymous error.
func flexibleInt(v json.RawMessage) int {
	var n int
	if json.Unmarshal(v, &n) == nil {
		return n
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return n
		}
	}
	return 0
}

var (
	htmlTitle    = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	cdnErrorCode = regexp.MustCompile(`(?i)error code:?\s*(\d{3,4})`)
	runsOfSpaces = regexp.MustCompile(`\s+`)
)

// textMessage reduces a non-JSON body to a short line: a Cloudflare page becomes its title and
// error code, so a log line never carries a whole page. Only the start of the body is read:
// that is where a page's title and code are, and a body of megabytes costs no more.
func textMessage(body []byte) string {
	body = body[:min(len(body), errorBodyLimit)]
	if !bytes.HasPrefix(body, []byte("<")) {
		return truncate(collapse(string(body)))
	}
	var parts []string
	if m := htmlTitle.FindSubmatch(body); m != nil {
		parts = append(parts, collapse(string(m[1])))
	}
	if m := cdnErrorCode.FindSubmatch(body); m != nil {
		parts = append(parts, "error code "+string(m[1]))
	}
	if len(parts) == 0 {
		parts = append(parts, collapse(htmlTag.ReplaceAllString(string(body), " ")))
	}
	return truncate("HTML page: " + strings.Join(parts, "; "))
}

func collapse(s string) string {
	return strings.TrimSpace(runsOfSpaces.ReplaceAllString(s, " "))
}

// truncate makes a server's text fit one log line and a database column: valid UTF-8
// without control characters (PostgreSQL refuses a NUL in text, and the run's error would
// not be recorded), and at most maxMessageRunes long.
func truncate(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) <= maxMessageRunes {
		return s
	}
	return string([]rune(s)[:maxMessageRunes]) + "…"
}

// parseRetryAfter reads delta-seconds or an HTTP date, capped at maxRetryAfterRead.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfterRead/time.Second) {
			return maxRetryAfterRead
		}
		d = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		// Rounded up: waiting less than the server asked for earns another 429.
		d = at.Sub(now).Truncate(time.Second)
		if d < at.Sub(now) {
			d += time.Second
		}
	}
	return min(max(d, 0), maxRetryAfterRead)
}
