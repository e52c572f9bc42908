package sanitize_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
)

const hostile = `Bitcoin is the <strong>first</strong> <a href="https://bitcoin.org/en/">decentralized</a> cryptocurrency.<script>alert(1)</script>` +
	"\r\n\r\n" + `It has <img src=x onerror="alert(2)"> a fixed supply. <a href="javascript:alert(3)">Click</a> here. <div onclick="alert(4)">Boxed.</div>`

func TestDescription(t *testing.T) {
	got := sanitize.Description(hostile)
	for _, bad := range []string{"<script", "alert", "onerror", "<img", "javascript:", "onclick", "<div"} {
		if strings.Contains(got, bad) {
			t.Errorf("keeps %q: %s", bad, got)
		}
	}
	for _, want := range []string{
		`<p>Bitcoin is the <strong>first</strong> <a href="https://bitcoin.org/en/" rel="nofollow noopener" target="_blank">decentralized</a> cryptocurrency.</p>`,
		`<p>It has  a fixed supply.`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lost %s in %s", want, got)
		}
	}
	if again := sanitize.HTML(got); again != got {
		t.Errorf("the policy changes its own output:\n%s\n%s", got, again)
	}
	if sanitize.Description("  \r\n ") != "" {
		t.Error("blank text became markup")
	}
}

func TestDescription_IsBounded(t *testing.T) {
	for _, raw := range []string{
		// 8 MB in one paragraph, in many, and as markup the policy drops.
		"<strong>" + strings.Repeat("word ", 2<<20) + "</strong>",
		strings.Repeat("A sentence of a paragraph.\n\n", 300_000),
		strings.Repeat(`<div><a href="https://example.com/`+strings.Repeat("x", 100)+`">link</a></div>`, 70_000),
		strings.Repeat("é", 4<<20),
	} {
		got := sanitize.Description(raw)
		if len(got) > sanitize.MaxDescriptionBytes || len(got) < sanitize.MaxDescriptionBytes/2 {
			t.Errorf("%.40q…: %d bytes stored, want at most %d and not much less", raw, len(got), sanitize.MaxDescriptionBytes)
		}
		if !balanced(got) {
			t.Errorf("%.40q…: the cut left markup open: …%s", raw, got[len(got)-80:])
		}
	}
}

func TestCut(t *testing.T) {
	s := sanitize.Description(hostile)
	for _, tt := range []struct {
		name   string
		limits sanitize.Limits
		want   string
	}{
		{"by sentences", sanitize.Limits{Sentences: 1},
			`<p>Bitcoin is the <strong>first</strong> <a href="https://bitcoin.org/en/" rel="nofollow noopener" target="_blank">decentralized</a> cryptocurrency.</p>`},
		{"by characters", sanitize.Limits{Chars: 20}, `<p>Bitcoin is the <strong>first…</strong></p>`},
		{"by bytes, closing what is open", sanitize.Limits{Bytes: 60}, `<p>Bitcoin is the <strong>first</strong> </p>`},
		{"by bytes, within a text", sanitize.Limits{Bytes: 20}, `<p>Bitcoin…</p>`},
		{"nothing fits", sanitize.Limits{Bytes: 5}, ``},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sanitize.Cut(s, tt.limits); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	t.Run("every byte bound holds", func(t *testing.T) {
		for n := 0; n < len(s)+10; n++ {
			got := sanitize.Cut(s, sanitize.Limits{Bytes: n})
			if (n > 0 && len(got) > n) || !balanced(got) {
				t.Fatalf("bound %d: %d bytes %s", n, len(got), got)
			}
		}
	})
	t.Run("a stray end tag closes nothing", func(t *testing.T) {
		if got := sanitize.Cut("a</p></div>b", sanitize.Limits{}); got != "ab" {
			t.Errorf("got %s", got)
		}
	})
}

func TestMetadata(t *testing.T) {
	m := sanitize.Metadata(domain.Metadata{CoinID: "bitcoin", Description: hostile,
		ImageURL: "javascript:alert(1)", HomepageURL: " https://bitcoin.org "})
	if m.ImageURL != "" || m.HomepageURL != "https://bitcoin.org" || strings.Contains(m.Description, "script") || m.CoinID != "bitcoin" {
		t.Errorf("got %+v", m)
	}
	if got := sanitize.URL("https://example.com/" + strings.Repeat("x", 1<<20)); got != "" {
		t.Errorf("a megabyte URL passed (%d bytes)", len(got))
	}
}

// balanced reports whether every element s opens is closed, in order.
func balanced(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return len(open) == 0
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) != "br" {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				return false
			}
			open = open[:len(open)-1]
		}
	}
}

func TestCoin(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes of two-byte characters
	got := sanitize.Coin(domain.Coin{ID: "x", Name: " Bit\x00coin\u200b " + long, Symbol: "bt\x1bc\x00"})
	if got.Symbol != "btc" {
		t.Errorf("symbol %q, want btc", got.Symbol)
	}
	if len(got.Name) > 200 || !utf8.ValidString(got.Name) || !strings.HasPrefix(got.Name, "Bitcoin é") {
		t.Errorf("name %q (%d bytes): want it cleaned, cut on a whole character within 200 bytes", got.Name, len(got.Name))
	}
	if plain := sanitize.Coin(domain.Coin{Name: "Bitcoin", Symbol: "btc"}); plain.Name != "Bitcoin" || plain.Symbol != "btc" {
		t.Errorf("a real name and symbol changed: %+v", plain)
	}
}

// A client that strips the tags reads paragraphs apart, from new rows and old ones alike.
func TestParagraphs(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"CoinGecko's blank lines", sanitize.Description("Prices are not real.\r\n\r\nReal data comes from CoinGecko."),
			"<p>Prices are not real.</p>\n<p>Real data comes from CoinGecko.</p>"},
		{"a row stored by an older build", sanitize.Paragraphs("<p>One.</p><p>Two.</p><p>Three.</p>"),
			"<p>One.</p>\n<p>Two.</p>\n<p>Three.</p>"},
		{"one paragraph", sanitize.Paragraphs("<p>One.</p>"), "<p>One.</p>"},
	} {
		if tc.in != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.in, tc.want)
		}
		if text := stripTags(tc.in); strings.Contains(text, ".R") || strings.Contains(text, ".T") {
			t.Errorf("%s: stripped of its tags it reads %q", tc.name, text)
		}
	}
}

func stripTags(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt == html.TextToken {
			b.Write(z.Text())
		}
	}
	return b.String()
}

func TestCoin_FormatCharactersStripped(t *testing.T) {
	got := sanitize.Coin(domain.Coin{ID: "x", Name: "Bit\u202Ecoin\u2066 \u200fCash\ufeff", Symbol: "b\u202dtc"})
	if got.Name != "Bitcoin Cash" || got.Symbol != "btc" {
		t.Errorf("got %q %q, want bidi and other format characters gone", got.Name, got.Symbol)
	}
}

func TestHomepage(t *testing.T) {
	for raw, want := range map[string]string{
		"https://bitcoin.org":                      "https://bitcoin.org",
		"https://user:pw@bitcoin.org":              "",
		"https://bitcoin.org@evil.example/":        "",
		"http://169.254.169.254/latest/meta-data/": "",
		"http://127.0.0.1:8080/":                   "",
		"http://10.0.0.5/":                         "",
		"http://192.168.1.1/":                      "",
		"http://[::1]/":                            "",
		"http://[fe80::1]/":                        "",
		"http://[::ffff:127.0.0.1]/":               "",
		"http://0.0.0.0/":                          "",
		"http://localhost:3000/":                   "",
		"http://intranet.localhost/":               "",
		"https://93.184.215.14/":                   "https://93.184.215.14/",
		"javascript:alert(1)":                      "",
	} {
		if got := sanitize.Homepage(raw); got != want {
			t.Errorf("Homepage(%q) = %q, want %q", raw, got, want)
		}
	}
	if m := sanitize.Metadata(domain.Metadata{HomepageURL: "http://169.254.169.254/"}); m.HomepageURL != "" {
		t.Errorf("Metadata kept homepage %q", m.HomepageURL)
	}
}

func TestLogos(t *testing.T) {
	coingecko := sanitize.LogosFor("")
	simulator := sanitize.LogosFor("http://127.0.0.1:8090/api/v3")
	for _, tc := range []struct {
		logos sanitize.Logos
		raw   string
		want  bool
	}{
		{coingecko, "https://coin-images.coingecko.com/coins/images/1/large/bitcoin.png", true},
		{coingecko, "https://assets.coingecko.com/coins/images/1/large/bitcoin.png", true},
		{coingecko, "http://coin-images.coingecko.com/coins/images/1/large/bitcoin.png", false},
		{coingecko, "https://tracker.example/pixel.png", false},
		{coingecko, "https://coin-images.coingecko.com.evil.example/x.png", false},
		{coingecko, "https://u:p@assets.coingecko.com/x.png", false},
		{coingecko, "http://127.0.0.1:8090/images/bitcoin.svg", false},
		{simulator, "http://127.0.0.1:8090/images/bitcoin.svg", true},
		{simulator, "http://127.0.0.1:9999/images/bitcoin.svg", false},
		{simulator, "https://assets.coingecko.com/x.png", true},
	} {
		if got := tc.logos.URL(tc.raw) != ""; got != tc.want {
			t.Errorf("%+v URL(%q) allowed = %t, want %t", tc.logos, tc.raw, got, tc.want)
		}
	}
	if got, want := simulator.Sources(), "https://coin-images.coingecko.com https://assets.coingecko.com http://127.0.0.1:8090"; got != want {
		t.Errorf("Sources() = %q, want %q", got, want)
	}
}
