package web

import (
	"net/http/httptest"
	"testing"
)

func TestParseViewerAddress(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"198.51.100.10:46532", "198.51.100.10", true},
		{"198.51.100.10", "198.51.100.10", true},
		{"[2001:db8::1]:46532", "2001:db8::1", true},
		{"2001:db8::1:46532", "2001:db8::1", true},
		{"2001:db8:85a3::8a2e:370:7334:443", "2001:db8:85a3::8a2e:370:7334", true},
		{"2001:db8::", "2001:db8::", true},
		{"[::ffff:198.51.100.10]:443", "198.51.100.10", true},
		{" 198.51.100.10:1 ", "198.51.100.10", true},
		{"", "", false},
		{"unknown", "", false},
		{"evil.example:443", "", false},
		{"[2001:db8::1", "", false},
		{"198.51.100.10:port", "", false},
	}
	for _, tc := range cases {
		got, ok := parseViewerAddress(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseViewerAddress(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestClientIPExtractor(t *testing.T) {
	t.Parallel()
	const (
		alb    = "10.0.1.5:34567"
		viewer = "203.0.113.9"
		edge   = "130.176.12.34"
	)
	cases := []struct {
		name, remote, xff, viewerAddr, want string
	}{
		{"behind CloudFront the viewer, not the edge", alb, viewer + ", " + edge, viewer + ":51234", viewer},
		{"IPv6 viewer", alb, "2001:db8::7, " + edge, "2001:db8::7:51234", "2001:db8::7"},
		{"header not forwarded: X-Forwarded-For as before", alb, viewer + ", " + edge, "", edge},
		{"unreadable header: X-Forwarded-For", alb, viewer + ", " + edge, "garbage", edge},
		{"ALB without CloudFront", alb, viewer, "", viewer},
		{"a direct client cannot pick its address", viewer + ":5555", "", "192.0.2.66:1", viewer},
	}
	extract := clientIPExtractor()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.remote
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			if tc.viewerAddr != "" {
				req.Header.Set("CloudFront-Viewer-Address", tc.viewerAddr)
			}
			if got := extract(req); got != tc.want {
				t.Errorf("client address = %q, want %q", got, tc.want)
			}
		})
	}
}
