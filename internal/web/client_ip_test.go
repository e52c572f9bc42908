package web

import (
	"net/http/httptest"
	"net/netip"
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
		addr, ok := parseViewerAddress(tc.in)
		got := ""
		if ok {
			got = addr.String()
		}
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseViewerAddress(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestProxies_Client(t *testing.T) {
	t.Parallel()
	const (
		alb    = "10.0.1.5:34567"
		viewer = "203.0.113.9"
		edge   = "130.176.12.34"
	)
	trusted := proxies{netip.MustParsePrefix("10.0.0.0/16")}
	cases := []struct {
		name, remote, xff, viewerAddr, want string
	}{
		{"behind CloudFront the viewer, not the edge", alb, viewer + ", " + edge, viewer + ":51234", viewer},
		{"IPv6 viewer", alb, "2001:db8::7, " + edge, "2001:db8::7:51234", "2001:db8::7"},
		{"header not forwarded: the nearest untrusted hop", alb, viewer + ", " + edge, "", edge},
		{"unreadable header: X-Forwarded-For", alb, viewer + ", " + edge, "garbage", edge},
		{"ALB without CloudFront", alb, viewer, "", viewer},
		{"a client's own X-Forwarded-For is left of the hop the ALB added", alb, "192.0.2.66, " + viewer, "", viewer},
		{"trusted hops are skipped", alb, viewer + ", 10.0.2.9", "", viewer},
		{"an unreadable hop stops the walk", alb, viewer + ", junk", "", "10.0.1.5"},
		{"a direct client cannot pick its address", viewer + ":5555", "192.0.2.1", "192.0.2.66:1", viewer},
		{"a private peer that is not a configured proxy is not believed", "192.168.7.7:5555", "192.0.2.1", "192.0.2.66:1", "192.168.7.7"},
		{"loopback is not trusted unless configured", "127.0.0.1:5555", "192.0.2.1", "192.0.2.66:1", "127.0.0.1"},
	}
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
			if got := trusted.clientIP(req); got != tc.want {
				t.Errorf("client address = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProxies_OverHTTPS(t *testing.T) {
	t.Parallel()
	trusted := proxies{netip.MustParsePrefix("10.0.0.0/16")}
	cases := []struct {
		name, remote string
		header       []string
		want         bool
	}{
		{"CloudFront says https, the ALB http", "10.0.1.5:1", []string{"CloudFront-Forwarded-Proto", "https", "X-Forwarded-Proto", "http"}, true},
		{"CloudFront says http", "10.0.1.5:1", []string{"CloudFront-Forwarded-Proto", "http", "X-Forwarded-Proto", "https"}, false},
		{"the ALB alone", "10.0.1.5:1", []string{"X-Forwarded-Proto", "https"}, true},
		{"an untrusted private peer", "192.168.1.1:1", []string{"CloudFront-Forwarded-Proto", "https"}, false},
		{"a client", "203.0.113.9:1", []string{"X-Forwarded-Proto", "https"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.remote
			for i := 0; i+1 < len(tc.header); i += 2 {
				req.Header.Set(tc.header[i], tc.header[i+1])
			}
			if got := trusted.overHTTPS(req); got != tc.want {
				t.Errorf("overHTTPS = %t, want %t", got, tc.want)
			}
		})
	}
}
