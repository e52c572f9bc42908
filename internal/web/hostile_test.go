package web_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func TestAPIPrices_ListCaps(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	const dates = "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02"
	many := func(item string, n int) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	for _, tt := range []struct{ param, item string }{
		{"coinIds", "bitcoin"}, {"currencyCodes", "usd"}, {"breakdown", "coin"},
	} {
		t.Run(tt.param, func(t *testing.T) {
			if rec := f.do(http.MethodGet, dates+"&"+tt.param+"="+many(tt.item, domain.MaxListItems)); rec.Code != http.StatusOK {
				t.Errorf("%d items: status %d: %s", domain.MaxListItems, rec.Code, rec.Body)
			}
			for _, n := range []int{domain.MaxListItems + 1, 80_000} {
				rec := f.do(http.MethodGet, dates+"&"+tt.param+"="+many(tt.item, n))
				env := decode(t, rec)
				want := fmt.Sprintf("Too many values in %s. Send at most %d", tt.param, domain.MaxListItems)
				if rec.Code != http.StatusBadRequest || env.Message != want || env.Errors[tt.param] != "lists at most 200 items" {
					t.Errorf("%d items: status %d, %q, errors %v", n, rec.Code, env.Message, env.Errors)
				}
			}
		})
	}
	t.Run("repeated parameters count together", func(t *testing.T) {
		target := dates + strings.Repeat("&coinIds=bitcoin", domain.MaxListItems+1)
		if rec := f.do(http.MethodGet, target); rec.Code != http.StatusBadRequest {
			t.Errorf("status %d", rec.Code)
		}
	})
	t.Run("a malformed list is named in part", func(t *testing.T) {
		ids := make([]string, 150)
		for i := range ids {
			ids[i] = fmt.Sprintf("bad!%d%s", i, strings.Repeat("x", 10_000))
		}
		rec := f.do(http.MethodGet, dates+"&coinIds="+strings.Join(ids, ","))
		env := decode(t, rec)
		if rec.Code != http.StatusBadRequest || len(env.Errors["coinIds"]) > 400 || !strings.HasSuffix(env.Errors["coinIds"], " and 145 more") {
			t.Errorf("status %d, %d bytes: %.200s", rec.Code, len(env.Errors["coinIds"]), env.Errors["coinIds"])
		}
	})
}

func TestMetrics_MadeUpMethodsAreOneLabel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	scrape := func() string {
		t.Helper()
		rec := f.do(http.MethodGet, "/metrics")
		body, _ := io.ReadAll(rec.Body)
		return string(body)
	}
	f.do("FOO0", "/")
	before := scrape()
	for i := range 1000 {
		f.do(fmt.Sprintf("FOO%d", i), "/api/coins")
		f.do(fmt.Sprintf("BAR%d", i), "/no/such/path")
	}
	after := scrape()
	if strings.Contains(after, `method="FOO`) || strings.Contains(after, `method="BAR`) || !strings.Contains(after, `method="other"`) {
		t.Errorf("made-up methods became labels")
	}
	// One new series per route template at most (the counter and the histogram's lines).
	if grew := len(after) - len(before); grew > 8000 {
		t.Errorf("/metrics grew by %d bytes over 2,000 made-up methods", grew)
	}
}

func TestAPI_BadBytesInCoinIDsAre404s(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	f.seed()
	for _, id := range []string{"bit%00coin", "bit%ffcoin", "%c3%28", "%00"} {
		for _, path := range []string{
			"/api/coins/" + id + "/metadata",
			"/api/coins/" + id + "/ohlc?dateFrom=2024-03-01&dateTo=2024-03-02",
			"/coins/" + id,
			"/partials/coins/" + id + "/card",
		} {
			if rec := f.do(http.MethodGet, path); rec.Code != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404: %.200s", path, rec.Code, rec.Body)
			}
		}
	}
}

// Go reads a Transfer-Encoding folded over two lines as chunked, where nginx refuses it: the
// request smuggled after such a body must never be answered.
func TestWeb_FoldedTransferEncodingSmugglesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := httptest.NewServer(f.e)
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw := "POST /api/cron/fetch-data HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" +
		"GET /api/currencies HTTP/1.1\r\nHost: x\r\n\r\n"
	if _, err := conn.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	out, _ := io.ReadAll(conn)
	answers := strings.Count(string(out), "HTTP/1.1 ")
	if answers != 1 || !strings.HasPrefix(string(out), "HTTP/1.1 400") {
		t.Errorf("%d answers, want one 400:\n%s", answers, out)
	}
}
