package ui_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
	"github.com/cryptodash/cryptodash/internal/ui"
)

// testcoin's usd hours run from 11:00 six days before latest to latest (14:00), so a 1W
// range has a partial first day (13 hours), five whole days and a partial today (15 hours).
var testcoinStart = domain.UTCDay(latest).AddDate(0, 0, -6).Add(11 * time.Hour)

// testcoinHours are testcoin's stored hours: a wavy, rising price, with market cap and volume
// proportional to it, except that the 13:00 hour of each day reports neither.
func testcoinHours() []domain.Sample {
	var out []domain.Sample
	for t, i := testcoinStart, 0; !t.After(latest); t, i = t.Add(time.Hour), i+1 {
		p := 100 + 10*math.Sin(float64(i)/5) + 0.1*float64(i)
		mc, vol := p*1e9, p*1e6
		s := domain.Sample{Time: t, Price: p, MarketCap: &mc, TotalVolume: &vol}
		if t.Hour() == 13 {
			s.MarketCap, s.TotalVolume = nil, nil
		}
		out = append(out, s)
	}
	return out
}

func seedTestcoin(t *testing.T, ts *testServer) []domain.Sample {
	t.Helper()
	ctx := context.Background()
	if err := ts.store.UpsertCoins(ctx, []domain.Coin{{ID: "testcoin", Symbol: "tst", Name: "Testcoin"}}); err != nil {
		t.Fatal(err)
	}
	hours := testcoinHours()
	if _, err := ts.store.StoreHourly(ctx, domain.Series{CoinID: "testcoin", CurrencyCode: "usd"}, hours); err != nil {
		t.Fatal(err)
	}
	return hours
}

// expectedDay is a day as the test reads it from the seeded hours, independently of SQL.
type expectedDay struct {
	day                    time.Time
	open, high, low, close float64
	hours                  int
}

func daysOf(hours []domain.Sample) []expectedDay {
	var out []expectedDay
	for _, h := range hours {
		d := domain.UTCDay(h.Time)
		if len(out) == 0 || !out[len(out)-1].day.Equal(d) {
			out = append(out, expectedDay{day: d, open: h.Price, high: h.Price, low: h.Price})
		}
		e := &out[len(out)-1]
		e.close, e.high, e.low = h.Price, math.Max(e.high, h.Price), math.Min(e.low, h.Price)
		e.hours++
	}
	return out
}

// statValue reads a stat's full-precision value from its data-value.
func statValue(t *testing.T, r response, id string) float64 {
	t.Helper()
	raw := testids(r, "stat-"+id).Find(`[data-testid="stat-value"]`).First().AttrOr("data-value", "")
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("stat %s has data-value %q", id, raw)
	}
	return v
}

func statText(r response, id string) string {
	return strings.Join(strings.Fields(testids(r, "stat-"+id).Find(`[data-testid="stat-value"]`).First().Text()), " ")
}

// chartOf decodes the chart the page hands to app.js.
func chartOf(t *testing.T, r response) (kind, step, firstSeries string) {
	t.Helper()
	var c struct {
		Option struct {
			Series []struct {
				Type string `json:"type"`
			} `json:"series"`
		} `json:"option"`
		Meta struct {
			Kind string `json:"kind"`
			Step string `json:"step"`
		} `json:"meta"`
	}
	if err := json.Unmarshal([]byte(testids(r, "coin-chart").AttrOr("data-options", "")), &c); err != nil {
		t.Fatalf("chart options: %v", err)
	}
	if len(c.Option.Series) == 0 {
		t.Fatal("chart has no series")
	}
	return c.Meta.Kind, c.Meta.Step, c.Option.Series[0].Type
}

func TestCoinPage_DailyStats(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 10)
	hours := seedTestcoin(t, ts)
	days := daysOf(hours)

	r := ts.getBoth(t, "/coins/testcoin?range=1w")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	if n := r.doc.Find("h1").Length(); n != 1 || strings.TrimSpace(testids(r, "coin-name").Text()) != "Testcoin" {
		t.Errorf("%d h1, name %q", n, testids(r, "coin-name").Text())
	}
	if kind, step, typ := chartOf(t, r); kind != "coin" || step != "day" || typ != "candlestick" {
		t.Errorf("chart %s/%s/%s, want daily candlesticks", kind, step, typ)
	}
	if len(days) != 7 || days[0].hours != 13 || days[6].hours != 15 {
		t.Fatalf("seed is not what the test assumes: %+v", days)
	}

	// The range's numbers, computed here from the seeded hours.
	first, last := days[0].open, hours[len(hours)-1].Price
	high, low := days[0].high, days[0].low
	// Volatility and drawdown leave out the first day (the history starts during it) and
	// the last (today).
	var closes []float64
	for i, d := range days {
		if i > 0 && i < len(days)-1 {
			closes = append(closes, d.close)
		}
		high, low = math.Max(high, d.high), math.Min(low, d.low)
	}
	var returns []float64
	for i := 1; i < len(closes); i++ {
		returns = append(returns, math.Log(closes[i]/closes[i-1]))
	}
	mean := 0.0
	for _, x := range returns {
		mean += x / float64(len(returns))
	}
	variance := 0.0
	for _, x := range returns {
		variance += (x - mean) * (x - mean) / float64(len(returns)-1)
	}
	volatility := math.Sqrt(variance) * math.Sqrt(365)
	drawdown, peak := 0.0, closes[0]
	for _, c := range closes {
		peak = math.Max(peak, c)
		drawdown = math.Min(drawdown, c/peak-1)
	}
	lastHour := hours[len(hours)-1]

	for _, c := range []struct {
		id   string
		want float64
	}{
		{"last", last}, {"change", last/first - 1}, {"high", high}, {"low", low},
		{"volatility", volatility}, {"drawdown", drawdown}, {"market-cap", *lastHour.MarketCap}, {"volume", *lastHour.TotalVolume},
	} {
		if got := statValue(t, r, c.id); !testkit.Near(got, c.want) {
			t.Errorf("%s = %v, want %v", c.id, got, c.want)
		}
	}
	if drawdown >= 0 {
		t.Fatal("the seed has no drawdown to check")
	}
	wantChange := strconv.FormatFloat(last-first, 'f', 2, 64)
	if got := statText(r, "change"); !strings.Contains(got, "$"+wantChange) || !strings.Contains(got, strconv.FormatFloat((last/first-1)*100, 'f', 2, 64)+"%") {
		t.Errorf("change reads %q, want $%s and its percentage", got, wantChange)
	}
	if got := statText(r, "volatility"); got != strconv.FormatFloat(volatility*100, 'f', 2, 64)+"%" {
		t.Errorf("volatility reads %q", got)
	}
	if help := testids(r, "stat-volatility").Find(`[data-testid="stat-help"]`).Text(); !strings.Contains(help, "4 daily log returns of the closes of complete days") || !strings.Contains(help, "√365") ||
		!strings.Contains(help, "2 partial days") {
		t.Errorf("volatility help %q", help)
	}
	if help := testids(r, "stat-change").AttrOr("title", ""); !strings.Contains(help, days[0].day.Format(domain.DayLayout)) {
		t.Errorf("change help %q does not say where it starts", help)
	}
	if got, _ := r.doc.Find(`meta[name="description"]`).Attr("content"); !strings.HasPrefix(got, "Testcoin (TST) in USD: ") {
		t.Errorf("meta description %q does not name the coin and currency", got)
	}
	for _, id := range []string{"last", "change", "high", "low", "volatility", "drawdown", "market-cap", "volume"} {
		if testids(r, "stat-"+id).AttrOr("title", "") == "" {
			t.Errorf("stat %s has no explanation", id)
		}
	}

	t.Run("the table lists every day, newest first, partial days flagged", func(t *testing.T) {
		rows := testids(r, "ohlc-row")
		if rows.Length() != 7 {
			t.Fatalf("%d rows", rows.Length())
		}
		rows.Each(func(i int, row *goquery.Selection) {
			d := days[len(days)-1-i]
			if got := strings.TrimSpace(row.Find("th").Text()); got != d.day.Format(domain.DayLayout) {
				t.Errorf("row %d is %q, want %s", i, got, d.day.Format(domain.DayLayout))
			}
			_, partial := row.Attr("data-partial")
			flag := strings.TrimSpace(row.Find(`[data-testid="partial-flag"]`).Text())
			if partial != (d.hours < 24) || (partial && flag != strconv.Itoa(d.hours)+" of 24 · partial") {
				t.Errorf("row %d (%d hours): partial %v, flag %q", i, d.hours, partial, flag)
			}
			if got := strings.TrimSpace(row.Find("td").Eq(3).Text()); got != "$"+strconv.FormatFloat(d.close, 'f', 2, 64) {
				t.Errorf("row %d close %q, want %.2f", i, got, d.close)
			}
		})
	})
	t.Run("partial first day and today are said", func(t *testing.T) {
		if got := testids(r, "data-through").Text(); !strings.Contains(got, "Data through 2026-03-10 14:00 UTC · today is partial") {
			t.Errorf("data-through %q", got)
		}
		notes := testids(r, "partial-note").Text()
		if !strings.Contains(notes, "The first day, "+days[0].day.Format(domain.DayLayout)+", is partial (13 of 24 hours)") {
			t.Errorf("partial notes %q", notes)
		}
	})
	t.Run("the range reaches back from the series' newest hour", func(t *testing.T) {
		if got := testids(r, "data-through").Text(); !strings.Contains(got, days[0].day.Format(domain.DayLayout)+" → 2026-03-10 · daily candles") {
			t.Errorf("range %q", got)
		}
	})
	r.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, src := s.Attr("src"); !src {
			t.Errorf("inline script: %s", s.Text())
		}
	})
}

func TestCoinPage_Hourly(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 3)
	hours := seedTestcoin(t, ts)
	r := ts.getBoth(t, "/coins/testcoin?range=1d")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	if kind, step, typ := chartOf(t, r); kind != "coin" || step != "hour" || typ != "line" {
		t.Errorf("chart %s/%s/%s, want a line of hours", kind, step, typ)
	}
	day := hours[len(hours)-24:]
	high, low := day[0].Price, day[0].Price
	for _, h := range day {
		high, low = math.Max(high, h.Price), math.Min(low, h.Price)
	}
	for _, c := range []struct {
		id   string
		want float64
	}{{"last", day[23].Price}, {"change", day[23].Price/day[0].Price - 1}, {"high", high}, {"low", low}} {
		if got := statValue(t, r, c.id); !testkit.Near(got, c.want) {
			t.Errorf("%s = %v, want %v", c.id, got, c.want)
		}
	}
	if got := statText(r, "volatility"); got != "—" {
		t.Errorf("volatility over a day of hours reads %q", got)
	}
	if help := testids(r, "stat-volatility").Find(`[data-testid="stat-help"]`).Text(); !strings.Contains(help, "Choose 1W or longer") {
		t.Errorf("no reason for the missing volatility: %q", help)
	}
	if n := testids(r, "ohlc-row").Length(); n != 24 {
		t.Errorf("%d hourly rows, want 24", n)
	}
	if got := testids(r, "ohlc-row").First().Find("th").Text(); got != "2026-03-10 14:00" {
		t.Errorf("newest hour %q", got)
	}
	if !strings.Contains(testids(r, "data-through").Text(), "hourly prices") {
		t.Errorf("range label %q", testids(r, "data-through").Text())
	}
}

func TestCoinPage_Links(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 3)
	href := func(r response, id string) string { return testids(r, id).AttrOr("href", "") }

	r := ts.getBoth(t, "/coins/bitcoin")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	for id, want := range map[string]string{
		"coin-range-3m":     "/coins/bitcoin",
		"coin-range-1d":     "/coins/bitcoin?range=1d",
		"coin-currency-usd": "/coins/bitcoin",
		"coin-currency-eur": "/coins/bitcoin?currency=eur",
		"back-to-dashboard": "/?coins=bitcoin&currencies=usd",
	} {
		if got := href(r, id); got != want {
			t.Errorf("%s links %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"coin-range-3m", "coin-currency-usd"} {
		if testids(r, id).AttrOr("aria-current", "") != "true" {
			t.Errorf("%s is not marked current", id)
		}
	}
	if got := testids(r, "stat-last").Find(`[data-testid="stat-value"]`).Text(); !strings.HasPrefix(got, "$") {
		t.Errorf("last price %q is not in dollars", got)
	}

	r = ts.getBoth(t, "/coins/bitcoin?currency=EUR&range=1W")
	if got := href(r, "coin-range-1m"); got != "/coins/bitcoin?currency=eur&range=1m" {
		t.Errorf("1M keeps the currency: %q", got)
	}
	if got := href(r, "coin-currency-try"); got != "/coins/bitcoin?currency=try&range=1w" {
		t.Errorf("TRY keeps the range: %q", got)
	}
	if got := testids(r, "stat-last").Find(`[data-testid="stat-value"]`).Text(); !strings.HasPrefix(got, "€") {
		t.Errorf("last price %q is not in euros", got)
	}
	if got := href(r, "back-to-dashboard"); got != "/?coins=bitcoin&currencies=eur" {
		t.Errorf("dashboard link %q", got)
	}
	if got := href(r, "coin-coingecko"); got != "https://www.coingecko.com/en/coins/bitcoin" {
		t.Errorf("CoinGecko link %q", got)
	}
}

func TestCoinPage_BadParameters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 3)
	for _, tc := range []struct {
		query, param, message, current string
	}{
		{"currency=xyz", "currency", `Unknown currency "xyz"; showing USD.`, "coin-currency-usd"},
		{"range=5y", "range", `Unknown range "5y"; showing 3M.`, "coin-range-3m"},
		{"range=custom&from=2026-01-01", "range", `Unknown range "custom"; showing 3M.`, "coin-range-3m"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := ts.getBoth(t, "/coins/bitcoin?"+tc.query)
			if r.status != http.StatusBadRequest {
				t.Errorf("status %d, want 400 with the page", r.status)
			}
			if got := testids(r, "coin-error-"+tc.param).Text(); got != tc.message {
				t.Errorf("message %q, want %q", got, tc.message)
			}
			if testids(r, tc.current).AttrOr("aria-current", "") != "true" || testids(r, "coin-chart").Length() != 1 {
				t.Errorf("the page does not fall back to %s with its chart", tc.current)
			}
		})
	}
}

func TestCoinPage_NotFound(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 1)
	r := ts.getBoth(t, "/coins/notacoin")
	if r.status != http.StatusNotFound {
		t.Errorf("status %d", r.status)
	}
	if testids(r, "coin-missing").Length() != 1 || r.doc.Find("h1").Length() != 1 || !strings.Contains(r.doc.Find("h1").Text(), "notacoin") {
		t.Errorf("not a friendly 404: %s", r.doc.Find("main").Text())
	}
	if got := testids(r, "coin-link-ethereum").AttrOr("href", ""); got != "/coins/ethereum" {
		t.Errorf("tracked coins are not offered: %q", got)
	}
}

func TestCoinPage_AboutAndEmpty(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 2)
	ctx := context.Background()
	var long strings.Builder
	long.WriteString(`<a href="javascript:alert(1)">Bad</a> Ethereum is a <strong>platform</strong>.<script>alert(2)</script>`)
	for i := range 8 {
		long.WriteString(" Sentence " + strconv.Itoa(i) + " goes on.")
	}
	if err := ts.store.UpsertMetadata(ctx, domain.Metadata{CoinID: "ethereum", Description: long.String(),
		ImageURL: "https://coin-images.coingecko.com/coins/images/279/large/ethereum.png", HomepageURL: "https://ethereum.org"}); err != nil {
		t.Fatal(err)
	}
	r := ts.getBoth(t, "/coins/ethereum")
	desc, _ := testids(r, "coin-description").Html()
	for _, bad := range []string{"<script", "alert", "javascript:"} {
		if strings.Contains(desc, bad) {
			t.Errorf("description keeps %q: %s", bad, desc)
		}
	}
	if !strings.Contains(desc, "<strong>platform</strong>") || !strings.Contains(desc, "Sentence 7") {
		t.Errorf("description lost markup or was cut like the card's: %s", desc)
	}
	if got := testids(r, "coin-homepage").AttrOr("href", ""); got != "https://ethereum.org" {
		t.Errorf("homepage %q", got)
	}
	if testids(r, "coin-logo").Find("img").AttrOr("src", "") != "https://coin-images.coingecko.com/coins/images/279/large/ethereum.png" || strings.TrimSpace(testids(r, "coin-logo").Text()) != "ETH" {
		t.Errorf("logo %s", testids(r, "coin-logo").Text())
	}

	// A logo from anywhere but CoinGecko's image hosts would let its host see every visitor,
	// and a homepage with user info or on a private address is no coin's.
	if err := ts.store.UpsertMetadata(ctx, domain.Metadata{CoinID: "ethereum",
		ImageURL: "https://tracker.example/eth.png", HomepageURL: "http://169.254.169.254/latest/meta-data/"}); err != nil {
		t.Fatal(err)
	}
	r = ts.getBoth(t, "/coins/ethereum")
	if src := testids(r, "coin-logo").Find("img").AttrOr("src", ""); src != "" {
		t.Errorf("a logo from another host is shown: %q", src)
	}
	if got := testids(r, "coin-homepage").AttrOr("href", ""); got != "" {
		t.Errorf("a homepage on a link-local address is linked: %q", got)
	}

	// solana has no metadata; a coin with no prices in a currency gets an empty state.
	if err := ts.store.UpsertCurrencies(ctx, []domain.Currency{{Code: "gbp", Name: "British Pound"}}); err != nil {
		t.Fatal(err)
	}
	r = ts.getBoth(t, "/coins/solana?currency=gbp")
	if r.status != http.StatusOK || testids(r, "empty-state").Length() != 1 || testids(r, "coin-chart").Length() != 0 {
		t.Errorf("status %d, empty state %d", r.status, testids(r, "empty-state").Length())
	}
	if got := testids(r, "coin-description").Text(); !strings.Contains(got, "No description yet") {
		t.Errorf("description %q", got)
	}
	if testids(r, "coin-currency-gbp").AttrOr("aria-current", "") != "true" {
		t.Error("the empty page does not keep the chosen currency")
	}
}

// Before the first fetch lands no coin is stored: the 404 names the coins the fetches ask
// for, and tells a configured one it is on its way, rather than listing nothing.
func TestCoinPage_NotFoundOnAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ts := newTestServerWith(t, -1, ui.Options{Configured: []string{"bitcoin", "avalanche-2"}})
	for _, tc := range []struct{ id, says string }{
		{"bitcoin", "This coin is tracked, but no price is stored yet"},
		{"notacoin", "Once it has, cryptodash tracks these coins"},
	} {
		r := ts.getBoth(t, "/coins/"+tc.id)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: status %d", tc.id, r.status)
		}
		if got := testids(r, "coin-not-yet").Text(); !strings.Contains(got, tc.says) {
			t.Errorf("%s: the 404 says %q, want %q", tc.id, got, tc.says)
		}
		if got := testids(r, "configured-coins").Find("li").Map(func(_ int, li *goquery.Selection) string { return li.Text() }); strings.Join(got, ",") != "bitcoin,avalanche-2" {
			t.Errorf("%s: the 404 names %v, want the configured coins", tc.id, got)
		}
	}
}
