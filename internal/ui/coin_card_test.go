package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
)

func TestCoinCard(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 1)
	hostile := `Bitcoin is the <strong>first</strong> <a href="https://bitcoin.org/en/">decentralized</a> cryptocurrency.<script>alert(1)</script> ` +
		`It has <img src=x onerror="alert(2)"> a fixed supply. <a href="javascript:alert(3)">Click</a> here. ` +
		`This fourth sentence must be cut.`
	// Stored as the pipeline stores it; TestCoinCard_StoredBeforeSanitising covers rows stored
	// as CoinGecko sent them.
	if err := ts.store.UpsertMetadata(context.Background(), sanitize.Metadata(domain.Metadata{
		CoinID: "bitcoin", Description: hostile, ImageURL: "javascript:alert(4)", HomepageURL: "https://bitcoin.org",
	})); err != nil {
		t.Fatal(err)
	}

	r := ts.getBoth(t, "/partials/coins/bitcoin/card")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	if got := testids(r, "coin-name").Text(); got != "Bitcoin" {
		t.Errorf("name %q", got)
	}
	if got := testids(r, "coin-symbol").Text(); got != "BTC" {
		t.Errorf("symbol %q", got)
	}
	desc, _ := testids(r, "coin-description").Html()
	for _, bad := range []string{"<script", "alert", "onerror", "<img", "javascript:"} {
		if strings.Contains(strings.ToLower(r.body), bad) {
			t.Errorf("card keeps %q: %s", bad, desc)
		}
	}
	link := testids(r, "coin-description").Find("a").First()
	if link.AttrOr("href", "") != "https://bitcoin.org/en/" || link.AttrOr("target", "") != "_blank" ||
		!strings.Contains(link.AttrOr("rel", ""), "nofollow") || !strings.Contains(link.AttrOr("rel", ""), "noopener") {
		t.Errorf("link not made safe: %s", desc)
	}
	if strings.Contains(desc, "fourth") {
		t.Errorf("description not cut to a few sentences: %s", desc)
	}
	if !strings.Contains(desc, "<strong>first</strong>") || !strings.HasSuffix(strings.TrimSpace(desc), "</p>") {
		t.Errorf("cut broke the markup: %s", desc)
	}
	if testids(r, "coin-logo").Find("img").Length() != 0 {
		t.Error("a javascript: logo URL became an image")
	}
	if got := strings.TrimSpace(testids(r, "coin-logo").Text()); got != "BTC" {
		t.Errorf("logo fallback %q", got)
	}
	if testids(r, "coin-website").AttrOr("href", "") != "https://bitcoin.org" {
		t.Error("website link missing")
	}
	if got := testids(r, "coin-page-link"); got.AttrOr("href", "") != "/coins/bitcoin" || got.Text() != "Open Bitcoin page →" {
		t.Errorf("coin page link %q to %q", got.Text(), got.AttrOr("href", ""))
	}

	unfetched := ts.getBoth(t, "/partials/coins/solana/card")
	if unfetched.status != http.StatusOK || testids(unfetched, "coin-name").Text() != "Solana" ||
		!strings.Contains(testids(unfetched, "coin-description").Text(), "No description yet") {
		t.Errorf("a stored coin without details: status %d, %s", unfetched.status, unfetched.body)
	}

	missing := ts.getBoth(t, "/partials/coins/nope/card")
	if missing.status != http.StatusNotFound || testids(missing, "coin-card-missing").Length() != 1 {
		t.Errorf("unknown coin: status %d", missing.status)
	}
}
