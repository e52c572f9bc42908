package coingecko

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseError_BodyShapes(t *testing.T) {
	cloudflarePage := `<!DOCTYPE html><html><head><title>Access denied | api.coingecko.com used Cloudflare to restrict access</title></head>` +
		`<body><h1>Error</h1><span class="code-label">Error code 1015</span>` + strings.Repeat("<p>You are being rate limited.</p>", 2000) + `</body></html>`
	cases := []struct {
		name       string
		status     int
		retryAfter string
		body       string
		code       int
		fatal      bool
		retryable  bool
		contains   []string
	}{
		{
			name: "429 status object", status: 429, retryAfter: "119",
			body: `{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits."}}`,
			code: 429, retryable: true, contains: []string{"rate limited", "exceeded the Rate Limit"},
		},
		{
			name: "10010 at the top level", status: 400,
			body: `{"error_code":10010,"error_message":"If you are using Pro API key, please change your root URL from api.coingecko.com to pro-api.coingecko.com"}`,
			code: 10010, fatal: true, contains: []string{"(10010)", "COINGECKO_PLAN=pro"},
		},
		{
			name: "10011 nested in status", status: 400,
			body: `{"status":{"error_code":10011,"error_message":"If you are using Demo API key, please change your root URL from pro-api.coingecko.com to api.coingecko.com"}}`,
			code: 10011, fatal: true, contains: []string{"COINGECKO_PLAN=demo"},
		},
		{
			name: "10002 key missing", status: 401,
			body: `{"status":{"error_code":10002,"error_message":"API Key Missing"}}`,
			code: 10002, fatal: true, contains: []string{"coingecko: 401 API key missing (10002): API Key Missing — set COINGECKO_API_KEY"},
		},
		{
			name: "10002 dispatched on the code, not the status", status: 400,
			body: `{"error_code":10002,"error_message":"API Key Missing"}`,
			code: 10002, fatal: true,
		},
		{
			name: "10005 plan restricted", status: 401,
			body: `{"status":{"error_code":10005,"error_message":"You may not have access to this endpoint."}}`,
			code: 10005, fatal: true, contains: []string{"plan"},
		},
		{
			name: "10012 under error.status", status: 401,
			body: `{"error":{"status":{"timestamp":"2025-06-15T12:00:00Z","error_code":10012,"error_message":"Your request exceeds the allowed time range. Public API users are limited to querying historical data within the past 365 days."}}}`,
			code: 10012, contains: []string{"exceeds the plan's history", "lower HISTORY_DAYS"},
		},
		{
			name: "error code as a string", status: 401,
			body: `{"status":{"error_code":"10002","error_message":"API Key Missing"}}`,
			code: 10002, fatal: true,
		},
		{
			name: "coin not found", status: 404, body: `{"error":"coin not found"}`,
			contains: []string{"coingecko: 404 not found: coin not found"},
		},
		{
			name: "missing parameter", status: 422, body: `{"error":"Missing parameter vs_currency"}`,
			contains: []string{"Missing parameter vs_currency"},
		},
		{
			name: "401 without a code", status: 401, body: `{"error":"Unauthorized"}`,
			fatal: true, contains: []string{"check COINGECKO_API_KEY"},
		},
		{
			name: "plain Throttled", status: 429, body: "Throttled\n",
			retryable: true, contains: []string{": Throttled"},
		},
		{
			name: "Cloudflare 1015 plain text", status: 429, body: "error code: 1015",
			retryable: true, contains: []string{"1015"},
		},
		{
			name: "Cloudflare access denied page", status: 403, body: cloudflarePage,
			contains: []string{"Access denied", "error code 1015"},
		},
		{
			name: "Cloudflare 503 page", status: 503,
			body:      "<html><head><title>api.coingecko.com | 503: Service temporarily unavailable</title></head><body>...</body></html>",
			retryable: true, contains: []string{"server error", "503: Service temporarily unavailable"},
		},
		{
			name: "HTML with 200", status: 200, body: "<html><head><title>Just a moment...</title></head></html>",
			retryable: true, contains: []string{"not JSON", "Just a moment"},
		},
		{
			name: "empty 200", status: 200, body: "",
			retryable: true, contains: []string{"not JSON"},
		},
		{
			name: "error code inside a 200", status: 200,
			body: `{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}`,
			code: 429, retryable: true,
		},
		{
			name: "error string inside a 200", status: 200, body: `{"error":"coin not found"}`,
			contains: []string{"coingecko: 200 error inside a successful answer: coin not found"},
		},
		{
			name: "error object inside a 200", status: 200, body: `{"error":{"message":"invalid vs_currency"}}`,
			contains: []string{"error inside a successful answer"},
		},
		{
			name: "error object with a message inside a 200", status: 200, body: `{"error":{"status":{"error_message":"Invalid request"}}}`,
			contains: []string{"Invalid request"},
		},
		{
			name: "Throttled inside a 200", status: 200, body: `{"error":"Throttled"}`,
			retryable: true, contains: []string{"rate limited", "COINGECKO_RATE_LIMIT"},
		},
		{
			name: "rate limit words inside a 200", status: 200, body: `{"error":"You've exceeded the rate-limit"}`,
			retryable: true, contains: []string{"rate limited"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header := http.Header{}
			if tc.retryAfter != "" {
				header.Set("Retry-After", tc.retryAfter)
			}
			e := parseError(tc.status, header, []byte(tc.body), time.Now())
			if e == nil {
				t.Fatal("no error parsed")
			}
			if e.HTTPStatus != tc.status || e.Code != tc.code || e.Fatal() != tc.fatal || e.Retryable() != tc.retryable {
				t.Fatalf("got status %d code %d fatal %v retryable %v, want %d %d %v %v",
					e.HTTPStatus, e.Code, e.Fatal(), e.Retryable(), tc.status, tc.code, tc.fatal, tc.retryable)
			}
			msg := e.Error()
			for _, want := range tc.contains {
				if !strings.Contains(msg, want) {
					t.Errorf("Error() = %q, want it to contain %q", msg, want)
				}
			}
			if len(msg) > 400 {
				t.Errorf("Error() is %d bytes long; pages must be cut short", len(msg))
			}
		})
	}
}

func TestParseError_DataIsNoError(t *testing.T) {
	for _, body := range []string{`{"prices":[[1,2]]}`, `[{"id":"bitcoin"}]`, `{"id":"bitcoin","status_updates":[]}`, `{"prices":[],"error":null}`} {
		if e := parseError(200, http.Header{}, []byte(body), time.Now()); e != nil {
			t.Errorf("%s: got %v, want no error", body, e)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"119", 119 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"100000", maxRetryAfterRead},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.header, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}
