package web

import "testing"

func TestSafeNext(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, next, want string
	}{
		{"root", "/", "/"},
		{"page with query", "/?coins=bitcoin,ethereum&range=3M", "/?coins=bitcoin,ethereum&range=3M"},
		{"status", "/status", "/status"},
		{"escaped path kept escaped", "/a%20b", "/a%20b"},
		{"fragment dropped", "/status#runs", "/status"},
		{"empty", "", "/"},
		{"relative", "status", "/"},
		{"protocol-relative", "//evil.com", "/"},
		{"protocol-relative with path", "//evil.com/login", "/"},
		{"triple slash", "///evil.com", "/"},
		{"tab that browsers strip", "/\t/evil.com", "/"},
		{"newline that browsers strip", "/\n/evil.com", "/"},
		{"carriage return", "/\r/evil.com", "/"},
		{"DEL", "/\x7f/evil.com", "/"},
		{"backslash", "/\\evil.com", "/"},
		{"backslash later in the path", "/status\\..\\x", "/"},
		{"absolute https", "https://evil.com", "/"},
		{"absolute with a local-looking path", "https://evil.com/status", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"data", "data:text/html,<script>alert(1)</script>", "/"},
		// Decoded once, these become "//evil.com" and "/\evil.com"; nothing of ours links
		// to such paths, so they are refused rather than passed on encoded.
		{"encoded slashes", "/%2f%2fevil.com", "/"},
		{"encoded slashes upper case", "/%2F%2Fevil.com", "/"},
		{"encoded backslash", "/%5cevil.com", "/"},
		{"encoded tab", "/%09/evil.com", "/"},
		{"user info", "/@evil.com", "/@evil.com"},
		{"bad escape", "/%zz", "/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeNext(tc.next); got != tc.want {
				t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}
