package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
)

func TestDashboard_PushURLIsBounded(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 3)
	for _, tt := range []struct{ name, query, push string }{
		{"a short bad query is pushed as sent, so a reload shows its messages", "coins=nope&range=1w",
			"/?coins=nope&range=1w"},
		{"a huge bad query pushes the corrected view instead", "coins=" + strings.Repeat("nope,", 80_000) + "&range=1w",
			"/?range=1w"},
		{"so does a huge value", "range=1w&mode=" + strings.Repeat("x", 300_000), "/?range=1w"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/partials/dashboard?", "/partials/table?"} {
				r := ts.getBoth(t, path+tt.query)
				if r.status != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400", path, r.status)
				}
				if got := r.header.Get("HX-Push-Url"); got != tt.push {
					t.Errorf("%s: HX-Push-Url of %d bytes %.80q, want %q", path, len(got), got, tt.push)
				}
			}
		})
	}
}

func TestCoinRoutes_BadBytesInIDsAre404s(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 1)
	for _, id := range []string{"bit%00coin", "bit%ffcoin", "%c3%28", "Bitcoin"} {
		for _, path := range []string{"/coins/" + id, "/partials/coins/" + id + "/card"} {
			if r := ts.getBoth(t, path); r.status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, r.status)
			}
		}
	}
}

// TestCoinCard_StoredBeforeSanitising covers rows an older build stored as CoinGecko sent
// them: megabytes of text with script in it. The card and the page still show a safe,
// short excerpt.
func TestCoinCard_StoredBeforeSanitising(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 1)
	hostile := `<p>Bitcoin <script>alert(1)</script>is <a href="javascript:alert(2)" onclick="alert(3)">digital</a> gold. ` +
		strings.Repeat("More words here. ", 500_000) + `</p>`
	if err := ts.store.UpsertMetadata(context.Background(), domain.Metadata{CoinID: "bitcoin", Description: hostile}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/partials/coins/bitcoin/card", "/coins/bitcoin"} {
		r := ts.getBoth(t, path)
		desc, _ := testids(r, "coin-description").Html()
		if r.status != http.StatusOK || !strings.Contains(desc, "Bitcoin") {
			t.Fatalf("%s: status %d, description %.200q", path, r.status, desc)
		}
		for _, bad := range []string{"<script", "alert", "javascript:", "onclick"} {
			if strings.Contains(desc, bad) {
				t.Errorf("%s keeps %q: %.300s", path, bad, desc)
			}
		}
		if len(desc) > sanitize.MaxDescriptionBytes {
			t.Errorf("%s shows %d bytes of description", path, len(desc))
		}
	}
}
